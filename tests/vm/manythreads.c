// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * manythreads: a process with many threads and some memory, whose policies
 * numamove changes from outside (VM case 59-many-threads, bench/threads.sh),
 * and which measures by itself what its threads saw meanwhile.
 *
 * usage: manythreads --ctl DIR [--threads N] [--mem MIB] [--period MS]
 *
 * MIB MiB (default 256) of memory are touched by the main thread at start
 * (under the policy it was started with, e.g. numactl --membind=0), each
 * 4 KiB page filled with a pattern of its index. N threads (default 600)
 * are started, a third of each kind, with 64 KiB stacks:
 *   sleeper  nanosleep(2) of PERIOD ms (default 100) in a loop
 *   futex    FUTEX_WAIT of PERIOD ms on a word nobody wakes, in a loop
 *            (each must end in ETIMEDOUT)
 *   reader   read(2) of one byte on a pipe nobody writes to until "stop"
 * A sleeper's or futex waiter's round is the wall time of one loop, the
 * call and its bookkeeping: PERIOD when nothing disturbs it, more when the
 * thread was held (stopped by ptrace) or waited for a CPU. Each thread
 * keeps its longest round; an anomaly is a call that failed (EINTR
 * included), returned early, or a read that got anything but its byte.
 *
 * Commands are lines written to the FIFO DIR/cmd, answers lines appended to
 * DIR/result:
 *   round   "round max_us M sleeper_us S futex_us F threads T anomalies A":
 *           the longest round any thread saw since the last "round" (or
 *           the start), by kind, and restarts the measure
 *   where   "where pages P nodes LIST missing X": the nodes of the memory's
 *           pages, as move_pages(2) (nodes NULL) reports them
 *   stop    every thread ends its call (readers get their byte), then in
 *           itself reads its task policy with get_mempolicy(2), allocates
 *           and touches one page and reads its node; then
 *             "thread KIND TID ok|BAD(WHY) policy MODE:NODES alloc NODE max_us M"
 *           per thread, "data ok|BAD(N pages)" for the memory's pattern,
 *           and "done threads T anomalies A"
 * MODE is bind, preferred, interleave, local, default or a number; NODES
 * a comma-separated list ("-" for none). DIR/ready appears when every
 * thread is in its loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <numaif.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define MAX_NODES 64

enum kind { SLEEPER, FUTEX, READER };
static const char *const kind_name[] = { "sleeper", "futex", "reader" };

struct th {
	pthread_t thread;
	enum kind kind;
	atomic_int tid;
	atomic_llong max_ns;   /* since the last "round" */
	long long max_all_ns;  /* since the start (owned by the thread) */
	atomic_int anomalies;
	char why[64];
	/* at stop, in the thread itself */
	int mode;
	unsigned long mask[MAX_NODES / 64];
	int alloc_node;
};

static struct th *threads;
static int n_threads = 600;
static long period_ms = 100;
static atomic_int stopping;
static atomic_int started;
static uint32_t futex_word;
static int pipe_fds[2];
static char *ctl;
static FILE *result;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void anomaly(struct th *t, const char *why)
{
	if (atomic_fetch_add(&t->anomalies, 1) == 0)
		snprintf(t->why, sizeof(t->why), "%s", why);
}

static void round_done(struct th *t, long long ns)
{
	long long m = atomic_load(&t->max_ns);

	while (ns > m && !atomic_compare_exchange_weak(&t->max_ns, &m, ns))
		;
	if (ns > t->max_all_ns)
		t->max_all_ns = ns;
}

static void at_end(struct th *t)
{
	unsigned char *page;
	void *pages[1];
	int status = -1;

	if (get_mempolicy(&t->mode, t->mask, MAX_NODES, NULL, 0) < 0) {
		anomaly(t, "get_mempolicy");
		t->mode = -1;
	}
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		anomaly(t, "mmap");
		t->alloc_node = -1;
		return;
	}
	page[0] = 1;
	pages[0] = page;
	if (move_pages(0, 1, pages, NULL, &status, 0) < 0)
		status = -1;
	t->alloc_node = status;
	munmap(page, PAGE);
}

static void *thread_main(void *arg)
{
	struct th *t = arg;
	const struct timespec period = { period_ms / 1000, (period_ms % 1000) * 1000000L };
	long long period_ns = period_ms * 1000000LL;

	atomic_store(&t->tid, (int)syscall(SYS_gettid));
	atomic_fetch_add(&started, 1);
	if (t->kind == READER) {
		char c = 0;
		ssize_t n = read(pipe_fds[0], &c, 1);

		if (n != 1)
			anomaly(t, n < 0 && errno == EINTR ? "read EINTR" : "read failed");
		else if (c != 'x')
			anomaly(t, "read wrong byte");
	} else {
		while (!atomic_load(&stopping)) {
			long long t0 = now_ns(), t1;

			if (t->kind == SLEEPER) {
				if (nanosleep(&period, NULL) < 0)
					anomaly(t, errno == EINTR ? "nanosleep EINTR" : "nanosleep failed");
			} else {
				long r = syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, &period, NULL, 0);

				if (r == 0 || errno != ETIMEDOUT)
					anomaly(t, r == 0 ? "futex woken" : errno == EINTR ? "futex EINTR" : "futex failed");
			}
			t1 = now_ns();
			if (t1 - t0 < period_ns)
				anomaly(t, "returned early");
			round_done(t, t1 - t0);
		}
	}
	at_end(t);
	return NULL;
}

static void answer(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void answer(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(result, fmt, ap);
	va_end(ap);
	fflush(result);
}

static void cmd_round(bool quiet)
{
	long long max = 0, by[2] = { 0, 0 };
	int anomalies = 0;

	for (int i = 0; i < n_threads; i++) {
		struct th *t = &threads[i];
		long long m = atomic_exchange(&t->max_ns, 0);

		anomalies += atomic_load(&t->anomalies);
		if (t->kind == READER)
			continue;
		if (m > by[t->kind])
			by[t->kind] = m;
		if (m > max)
			max = m;
	}
	if (!quiet)
			answer("round max_us %lld sleeper_us %lld futex_us %lld threads %d anomalies %d\n", max / 1000,
		       by[SLEEPER] / 1000, by[FUTEX] / 1000, n_threads, anomalies);
}

static void nodes_text(const unsigned long *mask, size_t bits, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t n = 0; n < bits && at + 8 < len; n++)
		if (mask[n / 64] >> (n % 64) & 1)
			at += (size_t)snprintf(buf + at, len - at, "%s%zu", at ? "," : "", n);
	if (!at)
		snprintf(buf, len, "-");
}

static void cmd_where(const unsigned char *mem, size_t pages)
{
	void **addr = malloc(pages * sizeof(*addr));
	int *status = malloc(pages * sizeof(*status));
	unsigned long seen[MAX_NODES / 64] = { 0 };
	size_t missing = 0;
	char list[256];

	if (!addr || !status) {
		answer("where failed ENOMEM\n");
		free(addr);
		free(status);
		return;
	}
	for (size_t i = 0; i < pages; i++)
		addr[i] = (void *)(mem + i * PAGE);
	if (move_pages(0, pages, addr, NULL, status, 0) < 0) {
		answer("where failed %s\n", strerror(errno));
	} else {
		for (size_t i = 0; i < pages; i++) {
			if (status[i] < 0 || status[i] >= MAX_NODES)
				missing++;
			else
				seen[status[i] / 64] |= 1UL << (status[i] % 64);
		}
		nodes_text(seen, MAX_NODES, list, sizeof(list));
		answer("where pages %zu nodes %s missing %zu\n", pages, list, missing);
	}
	free(addr);
	free(status);
}

static const char *mode_name(int mode, char *buf, size_t len)
{
	switch (mode & ~((1 << 15) | (1 << 14))) { /* MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES */
	case MPOL_DEFAULT: return "default";
	case MPOL_BIND: return "bind";
	case MPOL_PREFERRED: return "preferred";
	case MPOL_INTERLEAVE: return "interleave";
	case MPOL_LOCAL: return "local";
	default: snprintf(buf, len, "%d", mode); return buf;
	}
}

static void cmd_stop(const unsigned char *mem, size_t pages)
{
	int anomalies = 0, readers = 0;
	size_t bad = 0;

	atomic_store(&stopping, 1);
	for (int i = 0; i < n_threads; i++)
		readers += threads[i].kind == READER;
	for (int i = 0; i < readers; i++)
		if (write(pipe_fds[1], "x", 1) != 1)
			answer("write to the readers' pipe failed: %s\n", strerror(errno));
	for (int i = 0; i < n_threads; i++) {
		struct th *t = &threads[i];
		char nodes[256], mbuf[16];

		pthread_join(t->thread, NULL);
		anomalies += t->anomalies;
		nodes_text(t->mask, MAX_NODES, nodes, sizeof(nodes));
		answer("thread %s %d %s%s%s policy %s:%s alloc %d max_us %lld\n", kind_name[t->kind], t->tid,
		       t->anomalies ? "BAD(" : "ok", t->anomalies ? t->why : "", t->anomalies ? ")" : "",
		       t->mode < 0 ? "unknown" : mode_name(t->mode, mbuf, sizeof(mbuf)), nodes, t->alloc_node,
		       t->max_all_ns / 1000);
	}
	for (size_t i = 0; i < pages; i++)
		for (size_t k = 0; k < PAGE; k += sizeof(uint64_t))
			if (*(const uint64_t *)(mem + i * PAGE + k) != (uint64_t)(i * 0x9e3779b97f4a7c15ULL + k)) {
				bad++;
				break;
			}
	answer(bad ? "data BAD(%zu pages)\n" : "data ok\n", bad);
	answer("done threads %d anomalies %d\n", n_threads, anomalies);
}

int main(int argc, char **argv)
{
	size_t mib = 256, pages;
	unsigned char *mem;
	pthread_attr_t attr;
	char path[4096];
	FILE *cmd;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--ctl") == 0 && i + 1 < argc)
			ctl = argv[++i];
		else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
			n_threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--mem") == 0 && i + 1 < argc)
			mib = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--period") == 0 && i + 1 < argc)
			period_ms = atol(argv[++i]);
		else {
			fprintf(stderr, "usage: manythreads --ctl DIR [--threads N] [--mem MIB] [--period MS]\n");
			return 2;
		}
	}
	if (!ctl || n_threads < 1 || period_ms < 1) {
		fprintf(stderr, "manythreads: --ctl DIR needed; N and MS at least 1\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/result", ctl);
	result = fopen(path, "a");
	snprintf(path, sizeof(path), "%s/cmd", ctl);
	if (!result || (mkfifo(path, 0666) < 0 && errno != EEXIST)) {
		perror("manythreads: control files");
		return 1;
	}
	pages = mib * (1 << 20) / PAGE;
	mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("manythreads: mmap");
		return 1;
	}
	madvise(mem, pages * PAGE, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < pages; i++)
		for (size_t k = 0; k < PAGE; k += sizeof(uint64_t))
			*(uint64_t *)(mem + i * PAGE + k) = (uint64_t)(i * 0x9e3779b97f4a7c15ULL + k);
	if (pipe(pipe_fds) < 0) {
		perror("manythreads: pipe");
		return 1;
	}
	threads = calloc((size_t)n_threads, sizeof(*threads));
	if (!threads)
		return 1;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	for (int i = 0; i < n_threads; i++) {
		threads[i].kind = (enum kind)(i % 3);
		if (pthread_create(&threads[i].thread, &attr, thread_main, &threads[i]) != 0) {
			fprintf(stderr, "manythreads: thread %d not started\n", i);
			return 1;
		}
	}
	while (atomic_load(&started) < n_threads)
		usleep(10000);
	/* Each sleeper and waiter in its loop: one period more. */
	usleep((useconds_t)period_ms * 2000);
	cmd_round(true); /* the start is not a round */
	snprintf(path, sizeof(path), "%s/ready", ctl);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/cmd", ctl);
	for (;;) {
		char line[64];

		cmd = fopen(path, "r");
		if (!cmd)
			return 1;
		while (fgets(line, sizeof(line), cmd)) {
			if (strncmp(line, "round", 5) == 0) {
				cmd_round(false);
			} else if (strncmp(line, "where", 5) == 0) {
				cmd_where(mem, pages);
			} else if (strncmp(line, "stop", 4) == 0) {
				cmd_stop(mem, pages);
				return 0;
			}
		}
		fclose(cmd);
	}
}
