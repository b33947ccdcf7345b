// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * poltarget: a multithreaded process whose memory policies the VM tests
 * change from outside with numamove, and which checks by itself that it
 * noticed nothing but the new placement: blocked system calls complete
 * normally (no EINTR, full sleeps, the right data) and each thread's next
 * allocation lands where the new policy says, as move_pages(2) with
 * nodes == NULL reports it.
 *
 * usage: poltarget --ctl DIR [--sleep SECONDS [--sleep-max SECONDS]] [--mbind MODE:NODES] [--hold MIB] [--seccomp allow|kill|errno] [--soak [--keep MIB]]
 *
 * Default mode: threads block in different ways, then report:
 *   reader   read(2) on a pipe           released by "release"
 *   sleeper  nanosleep(2) of SECONDS     (default 4) wakes by itself, then
 *                                        waits for "release"; with
 *                                        --sleep-max, BAD past that too
 *   futex    FUTEX_WAIT on a word        released by "release"
 *   epoll    epoll_wait(2), no timeout   released by "release"
 *   spinner  a busy loop                 released by "release"
 * Each thread first allocates 16 pages and reports where they landed
 * ("before" lines), then blocks; once released it checks its call's result
 * and allocates 16 fresh pages ("after" lines):
 *   before NAME TID nodes LIST
 *   after NAME TID ok|BAD(WHY) nodes LIST
 * LIST is the sorted set of nodes of the 16 pages ("2" or "0,1").
 *
 * --soak: threads work until "stop" and count every anomaly:
 *   2 data threads fill and verify 1 MiB buffers (fresh each round),
 *   a sleeper checks 2 ms sleeps, a reader checks a byte sequence that a
 *   writer thread sends, an epoll thread waits 5 ms timeouts.
 *   With --keep MIB, three more: a keeper holds MIB MiB written once
 *   and verifies it over and over; a forker forks a child every 10 ms that
 *   checks a copy of it and fills a page of its own; a sharer fills and
 *   verifies a 4 MiB SysV segment (removed at once: it goes with the
 *   process) and a 4 MiB tmpfs file (/dev/shm/poltarget-soak.PID, removed
 *   on "stop").
 *   On "stop": soak rounds R errors E eintr I short_sleeps S seq_errors Q
 *   keeps K forks F shared_rounds H
 *
 * --mbind MODE:NODES: before the threads start, a 4 MiB mapping gets a
 * policy of its own with mbind(2) (MODE bind, interleave or preferred;
 * NODES as numactl takes them); nothing is touched in it yet.
 *
 * --hold MIB: at start, MIB MiB of memory touched by the main thread (first
 * touch: on its node under the default policy), kept to the end.
 *
 * --seccomp allow|kill|errno: the process installs a seccomp filter that
 * allows every call but set_mempolicy(2), which it allows, kills the
 * process for, or fails with EPERM.
 *
 * Commands are lines written to the FIFO DIR/cmd: "grow" (the main thread
 * maps 8 MiB more, touches every page, keeps it, and reports "grow main
 * TID nodes LIST"), "where" (reports "where nodes LIST" for every page it
 * grew so far), "touch" (the main
 * thread touches the next 16 pages of the --mbind mapping and reports
 * "touch main TID nodes LIST"), "release" (wake the
 * blocked threads), "alloc" (the main thread allocates 16 pages and
 * reports "alloc main TID nodes LIST"), "stop" (join the threads, write
 * "done"). Results are appended to DIR/result, one line each; DIR/ready
 * appears once every thread is set.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
#define NPAGES 16

static const char *ctl;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int reader_pipe[2], epoll_pipe[2], seq_pipe[2];
static atomic_int futex_word, released, stopping, started;
static double sleep_seconds = 4;
/* --sleep-max: the sleeper's call must also end by then (a restart from scratch runs late). */
static double sleep_max;
static char *mbind_mem;
#define GROW_SIZE (8u << 20)
#define GROW_MAX 16
static char *grown[GROW_MAX];
static int n_grown;
static size_t mbind_used;
#define MBIND_SIZE (4u << 20)

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void result(const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	FILE *fp;

	pthread_mutex_lock(&out_lock);
	snprintf(path, sizeof(path), "%s/result", ctl);
	fp = fopen(path, "a");
	if (!fp)
		die("result");
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
	fclose(fp);
	pthread_mutex_unlock(&out_lock);
}

/* Touches NPAGES pages at @mem (first touch allocates); writes where they are. */
static void touch_nodes(char *mem, char *buf, size_t size)
{
	void *pages[NPAGES];
	int status[NPAGES];
	bool seen[1024] = { false };
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < NPAGES; i++) {
		mem[i * PAGE] = 1;
		pages[i] = mem + i * PAGE;
	}
	if (move_pages(0, NPAGES, pages, NULL, status, 0) < 0)
		die("move_pages");
	for (int i = 0; i < NPAGES; i++)
		if (status[i] >= 0 && status[i] < 1024)
			seen[status[i]] = true;
		else
			len += (size_t)snprintf(buf + len, size - len, "%serr%d", len ? "," : "", status[i]);
	for (int n = 0; n < 1024 && len < size; n++)
		if (seen[n])
			len += (size_t)snprintf(buf + len, size - len, "%s%d", len ? "," : "", n);
}

/* The sorted set of nodes of every page of the grown regions. */
static void grown_nodes(char *buf, size_t size)
{
	static int status[GROW_SIZE / PAGE];
	static void *pages[GROW_SIZE / PAGE];
	bool seen[1024] = { false };
	size_t len = 0;
	int bad = 0;

	buf[0] = '\0';
	for (int g = 0; g < n_grown; g++) {
		for (size_t i = 0; i < GROW_SIZE / PAGE; i++)
			pages[i] = grown[g] + i * PAGE;
		if (move_pages(0, GROW_SIZE / PAGE, pages, NULL, status, 0) < 0)
			die("move_pages");
		for (size_t i = 0; i < GROW_SIZE / PAGE; i++)
			if (status[i] >= 0 && status[i] < 1024)
				seen[status[i]] = true;
			else
				bad++;
	}
	for (int n = 0; n < 1024 && len < size; n++)
		if (seen[n])
			len += (size_t)snprintf(buf + len, size - len, "%s%d", len ? "," : "", n);
	if (bad && len < size)
		snprintf(buf + len, size - len, "%smissing%d", len ? "," : "", bad);
}

/* Allocates NPAGES fresh pages by first touch; writes where they are. */
static void alloc_nodes(char *buf, size_t size)
{
	char *mem = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		die("mmap");
	madvise(mem, NPAGES * PAGE, MADV_NOHUGEPAGE);
	touch_nodes(mem, buf, size);
	munmap(mem, NPAGES * PAGE);
}

static void setup_mbind(const char *spec)
{
	const char *colon = strchr(spec, ':');
	struct bitmask *nodes;
	int mode;

	if (!colon)
		die("--mbind MODE:NODES");
	if (strncmp(spec, "bind:", 5) == 0)
		mode = MPOL_BIND;
	else if (strncmp(spec, "interleave:", 11) == 0)
		mode = MPOL_INTERLEAVE;
	else if (strncmp(spec, "preferred:", 10) == 0)
		mode = MPOL_PREFERRED;
	else
		die("--mbind mode");
	nodes = numa_parse_nodestring(colon + 1);
	if (!nodes)
		die("--mbind nodes");
	mbind_mem = mmap(NULL, MBIND_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mbind_mem == MAP_FAILED)
		die("mmap");
	madvise(mbind_mem, MBIND_SIZE, MADV_NOHUGEPAGE);
	if (mbind(mbind_mem, MBIND_SIZE, mode, nodes->maskp, nodes->size + 1, 0) < 0)
		die("mbind");
	numa_bitmask_free(nodes);
}

/* The threads that block in a call once they have reported "before". */
static _Atomic int blocker_tid[8];
static atomic_int n_blockers;

static void report_before(const char *name)
{
	char nodes[256];

	alloc_nodes(nodes, sizeof(nodes));
	result("before %s %d nodes %s", name, (int)gettid(), nodes);
	if (strcmp(name, "spinner") != 0)
		blocker_tid[atomic_fetch_add(&n_blockers, 1)] = (int)gettid();
	atomic_fetch_add(&started, 1);
}

/* Whether thread @tid of this process is asleep (state S: in its blocking call). */
static bool asleep(int tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

static void report_after(const char *name, const char *check)
{
	char nodes[256];

	alloc_nodes(nodes, sizeof(nodes));
	result("after %s %d %s nodes %s", name, (int)gettid(), check, nodes);
}

static void *reader(void *arg)
{
	char buf[16] = { 0 }, check[64] = "ok";
	ssize_t n;

	(void)arg;
	report_before("reader");
	n = read(reader_pipe[0], buf, sizeof(buf) - 1);
	if (n != 5 || memcmp(buf, "hello", 5) != 0)
		snprintf(check, sizeof(check), "BAD(read=%zd,errno=%d)", n, n < 0 ? errno : 0);
	report_after("reader", check);
	return NULL;
}

static void *sleeper(void *arg)
{
	struct timespec ts = { .tv_sec = (time_t)sleep_seconds,
			       .tv_nsec = (long)((sleep_seconds - (double)(time_t)sleep_seconds) * 1e9) };
	char check[64] = "ok";
	double t0;
	int r;

	(void)arg;
	report_before("sleeper");
	t0 = now();
	r = nanosleep(&ts, NULL);
	if (r != 0 || now() - t0 < sleep_seconds || (sleep_max > 0 && now() - t0 > sleep_max))
		snprintf(check, sizeof(check), "BAD(ret=%d,errno=%d,slept=%.3f)", r, r ? errno : 0, now() - t0);
	/*
	 * The "after" allocation waits for "release", as the other threads'
	 * do: one that woke before numamove changed its policy would otherwise
	 * allocate under the old one, and the test would fail by timing.
	 */
	while (!atomic_load(&released))
		usleep(1000);
	report_after("sleeper", check);
	return NULL;
}

static void *futexer(void *arg)
{
	char check[64] = "ok";
	long r = 0;

	(void)arg;
	report_before("futex");
	while (atomic_load(&futex_word) == 0) {
		r = syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
		if (r < 0 && errno != EAGAIN) {
			snprintf(check, sizeof(check), "BAD(errno=%d)", errno);
			break;
		}
	}
	report_after("futex", check);
	return NULL;
}

static void *epoller(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN }, got;
	char check[64] = "ok";
	int ep = epoll_create1(0), r;

	(void)arg;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, epoll_pipe[0], &ev) < 0)
		die("epoll");
	report_before("epoll");
	r = epoll_wait(ep, &got, 1, -1);
	if (r != 1)
		snprintf(check, sizeof(check), "BAD(ret=%d,errno=%d)", r, r < 0 ? errno : 0);
	report_after("epoll", check);
	return NULL;
}

static void *spinner(void *arg)
{
	volatile uint64_t x = 0;

	(void)arg;
	report_before("spinner");
	while (!atomic_load(&released))
		x = x * 6364136223846793005ULL + 1;
	report_after("spinner", "ok");
	return NULL;
}

/* ---- soak */

static atomic_ulong rounds, errors, eintrs, short_sleeps, seq_errors;
/* which call saw EINTR: nanosleep, read, epoll_wait, waitpid */
static atomic_ulong eintr_by[4];

static void *soak_data(void *arg)
{
	const size_t size = 1 << 20;
	uint64_t seed = (uint64_t)(uintptr_t)arg;

	while (!atomic_load(&stopping)) {
		uint64_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (mem == MAP_FAILED) {
			atomic_fetch_add(&errors, 1);
			continue;
		}
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		for (size_t i = 0; i < size / 8; i++)
			mem[i] = seed ^ (i * 0x9e3779b97f4a7c15ULL);
		for (size_t i = 0; i < size / 8; i++)
			if (mem[i] != (seed ^ (i * 0x9e3779b97f4a7c15ULL))) {
				atomic_fetch_add(&errors, 1);
				break;
			}
		munmap(mem, size);
		atomic_fetch_add(&rounds, 1);
	}
	return NULL;
}

static void *soak_sleeper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stopping)) {
		struct timespec ts = { 0, 2000000 };
		double t0 = now();

		if (nanosleep(&ts, NULL) != 0) {
			atomic_fetch_add(errno == EINTR ? &eintrs : &errors, 1);
			atomic_fetch_add(&eintr_by[0], errno == EINTR);
		}
		else if (now() - t0 < 0.002)
			atomic_fetch_add(&short_sleeps, 1);
	}
	return NULL;
}

static void *soak_writer(void *arg)
{
	unsigned char seq = 0;

	(void)arg;
	while (!atomic_load(&stopping)) {
		struct timespec ts = { 0, 1000000 };

		if (write(seq_pipe[1], &seq, 1) == 1)
			seq++;
		nanosleep(&ts, NULL);
	}
	close(seq_pipe[1]);
	return NULL;
}

static void *soak_reader(void *arg)
{
	unsigned char expect = 0, got;

	(void)arg;
	for (;;) {
		ssize_t n = read(seq_pipe[0], &got, 1);

		if (n == 0)
			break;
		if (n < 0) {
			atomic_fetch_add(errno == EINTR ? &eintrs : &errors, 1);
			atomic_fetch_add(&eintr_by[1], errno == EINTR);
			continue;
		}
		if (got != expect)
			atomic_fetch_add(&seq_errors, 1);
		expect = (unsigned char)(got + 1);
	}
	return NULL;
}

static void *soak_epoll(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN }, got;
	int ep = epoll_create1(0), never[2];

	(void)arg;
	if (ep < 0 || pipe(never) < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, never[0], &ev) < 0)
		die("epoll");
	while (!atomic_load(&stopping)) {
		int r = epoll_wait(ep, &got, 1, 5);

		if (r < 0) {
			atomic_fetch_add(errno == EINTR ? &eintrs : &errors, 1);
			atomic_fetch_add(&eintr_by[2], errno == EINTR);
		} else if (r != 0)
			atomic_fetch_add(&errors, 1);
	}
	return NULL;
}

static atomic_ulong keeps, forks, shared_rounds;
static uint64_t *hold_mem;
static size_t hold_words;

static uint64_t hold_word(size_t i)
{
	return 0xc0ffee0000000000ULL ^ (i * 0x9e3779b97f4a7c15ULL);
}

static void hold_fill(size_t mib)
{
	hold_words = (mib << 20) / 8;
	hold_mem = mmap(NULL, hold_words * 8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hold_mem == MAP_FAILED)
		die("mmap");
	for (size_t i = 0; i < hold_words; i++)
		hold_mem[i] = hold_word(i);
}

static bool hold_intact(void)
{
	for (size_t i = 0; i < hold_words; i++)
		if (hold_mem[i] != hold_word(i))
			return false;
	return true;
}

/* The memory that stays, and so is what moves: checked again and again. */
static void *soak_keeper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stopping)) {
		struct timespec ts = { 0, 5000000 };

		if (!hold_intact())
			atomic_fetch_add(&errors, 1);
		atomic_fetch_add(&keeps, 1);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* Short children: each checks its copy of the kept memory and a page of its own. */
static void *soak_forker(void *arg)
{
	(void)arg;
	while (!atomic_load(&stopping)) {
		struct timespec ts = { 0, 10000000 };
		int st;
		pid_t pid = fork();

		if (pid == 0) {
			uint64_t *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			bool ok = page != MAP_FAILED;

			for (size_t i = 0; ok && i < PAGE / 8; i++)
				page[i] = i;
			for (size_t i = 0; ok && i < PAGE / 8; i++)
				ok = page[i] == i;
			/* a sample of the kept memory: the whole would take the child too long */
			for (size_t i = 0; ok && i < hold_words; i += 509)
				ok = hold_mem[i] == hold_word(i);
			_exit(ok ? 0 : 1);
		}
		if (pid < 0) {
			atomic_fetch_add(&errors, 1);
		} else {
			while (waitpid(pid, &st, 0) < 0)
				if (errno != EINTR) {
					atomic_fetch_add(&errors, 1);
					break;
				} else {
					atomic_fetch_add(&eintrs, 1);
					atomic_fetch_add(&eintr_by[3], 1);
				}
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				atomic_fetch_add(&errors, 1);
			atomic_fetch_add(&forks, 1);
		}
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static char tmpfs_path[64];

/* A SysV segment and a tmpfs file, filled with a new pattern and verified each round. */
static void *soak_sharer(void *arg)
{
	const size_t size = 4u << 20;
	uint64_t *shm, *file, seed = 77;
	int id, fd;

	(void)arg;
	id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	shm = id < 0 ? (void *)-1 : shmat(id, NULL, 0);
	if (shm == (void *)-1)
		die("shm");
	shmctl(id, IPC_RMID, NULL); /* gone with the last detach: never leaked */
	snprintf(tmpfs_path, sizeof(tmpfs_path), "/dev/shm/poltarget-soak.%d", (int)getpid());
	fd = open(tmpfs_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
		die("tmpfs file");
	file = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (file == MAP_FAILED)
		die("mmap tmpfs");
	close(fd);
	while (!atomic_load(&stopping)) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		for (size_t i = 0; i < size / 8; i++) {
			shm[i] = seed ^ i;
			file[i] = ~seed ^ i;
		}
		for (size_t i = 0; i < size / 8; i++)
			if (shm[i] != (seed ^ i) || file[i] != (~seed ^ i)) {
				atomic_fetch_add(&errors, 1);
				break;
			}
		atomic_fetch_add(&shared_rounds, 1);
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
	shmdt(shm);
	munmap(file, size);
	unlink(tmpfs_path);
	return NULL;
}

static void install_seccomp(const char *what)
{
	unsigned int action = strcmp(what, "kill") == 0 ? SECCOMP_RET_KILL_PROCESS
			      : strcmp(what, "errno") == 0 ? SECCOMP_RET_ERRNO | EPERM
							   : SECCOMP_RET_ALLOW;
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_set_mempolicy, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		die("seccomp");
}

static void start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	if (pthread_create(t, NULL, fn, arg) != 0)
		die("pthread_create");
}

int main(int argc, char **argv)
{
	pthread_t t[12];
	size_t nt = 0;
	bool soak = false;
	char path[4096], line[256], nodes[256];
	FILE *cmd;
	int expect;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--ctl") == 0 && i + 1 < argc)
			ctl = argv[++i];
		else if (strcmp(argv[i], "--sleep") == 0 && i + 1 < argc)
			sleep_seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--sleep-max") == 0 && i + 1 < argc)
			sleep_max = atof(argv[++i]);
		else if (strcmp(argv[i], "--mbind") == 0 && i + 1 < argc)
			setup_mbind(argv[++i]);
		else if (strcmp(argv[i], "--hold") == 0 && i + 1 < argc) {
			size_t size = (size_t)atol(argv[++i]) << 20;
			char *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (mem == MAP_FAILED)
				die("--hold");
			madvise(mem, size, MADV_NOHUGEPAGE);
			memset(mem, 0x33, size);
		} else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc) {
			hold_fill((size_t)atol(argv[++i]));
		} else if (strcmp(argv[i], "--seccomp") == 0 && i + 1 < argc)
			install_seccomp(argv[++i]);
		else if (strcmp(argv[i], "--soak") == 0)
			soak = true;
		else {
			fprintf(stderr, "usage: poltarget --ctl DIR [--sleep SECONDS [--sleep-max SECONDS]] [--mbind MODE:NODES] [--hold MIB] [--seccomp allow|kill|errno] [--soak [--keep MIB]]\n");
			return 2;
		}
	}
	if (!ctl)
		return 2;
	snprintf(path, sizeof(path), "%s/cmd", ctl);
	if (mkfifo(path, 0666) < 0 && errno != EEXIST)
		die("mkfifo");
	/* Read-write, so the FIFO never reads end-of-file between writers. */
	cmd = fopen(path, "r+");
	if (!cmd || pipe(reader_pipe) < 0 || pipe(epoll_pipe) < 0 || pipe(seq_pipe) < 0)
		die("setup");

	if (soak) {
		start(&t[nt++], soak_data, (void *)1);
		start(&t[nt++], soak_data, (void *)2);
		start(&t[nt++], soak_sleeper, NULL);
		start(&t[nt++], soak_writer, NULL);
		start(&t[nt++], soak_reader, NULL);
		start(&t[nt++], soak_epoll, NULL);
		if (hold_mem) {
			start(&t[nt++], soak_keeper, NULL);
			start(&t[nt++], soak_forker, NULL);
			start(&t[nt++], soak_sharer, NULL);
		}
		expect = 0;
	} else {
		start(&t[nt++], reader, NULL);
		start(&t[nt++], sleeper, NULL);
		start(&t[nt++], futexer, NULL);
		start(&t[nt++], epoller, NULL);
		start(&t[nt++], spinner, NULL);
		expect = (int)nt;
	}
	while (atomic_load(&started) < expect)
		usleep(1000);
	/* Wait until every blocking thread sleeps in its call. */
	for (int i = 0; i < atomic_load(&n_blockers); i++)
		while (!asleep(blocker_tid[i]))
			usleep(1000);
	snprintf(path, sizeof(path), "%s/ready", ctl);
	fclose(fopen(path, "w"));

	while (fgets(line, sizeof(line), cmd)) {
		if (strncmp(line, "release", 7) == 0) {
			atomic_store(&released, 1);
			if (write(reader_pipe[1], "hello", 5) != 5 || write(epoll_pipe[1], "x", 1) != 1)
				die("write");
			atomic_store(&futex_word, 1);
			syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		} else if (strncmp(line, "touch", 5) == 0 && mbind_mem && mbind_used + NPAGES * PAGE <= MBIND_SIZE) {
			touch_nodes(mbind_mem + mbind_used, nodes, sizeof(nodes));
			mbind_used += NPAGES * PAGE;
			result("touch main %d nodes %s", (int)gettid(), nodes);
		} else if (strncmp(line, "grow", 4) == 0 && n_grown < GROW_MAX) {
			char *mem = mmap(NULL, GROW_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (mem == MAP_FAILED)
				die("mmap");
			madvise(mem, GROW_SIZE, MADV_NOHUGEPAGE);
			memset(mem, 0x5a, GROW_SIZE);
			grown[n_grown++] = mem;
			grown_nodes(nodes, sizeof(nodes));
			result("grow main %d nodes %s", (int)gettid(), nodes);
		} else if (strncmp(line, "where", 5) == 0) {
			grown_nodes(nodes, sizeof(nodes));
			result("where nodes %s", nodes);
		} else if (strncmp(line, "alloc", 5) == 0) {
			alloc_nodes(nodes, sizeof(nodes));
			result("alloc main %d nodes %s", (int)gettid(), nodes);
		} else if (strncmp(line, "stop", 4) == 0) {
			atomic_store(&stopping, 1);
			break;
		}
	}
	for (size_t i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	if (soak)
		result("soak rounds %lu errors %lu eintr %lu short_sleeps %lu seq_errors %lu keeps %lu forks %lu "
		       "shared_rounds %lu eintr_in nanosleep:%lu,read:%lu,epoll_wait:%lu,waitpid:%lu",
		       atomic_load(&rounds), atomic_load(&errors) + (hold_mem && !hold_intact()), atomic_load(&eintrs),
		       atomic_load(&short_sleeps), atomic_load(&seq_errors), atomic_load(&keeps), atomic_load(&forks),
		       atomic_load(&shared_rounds), atomic_load(&eintr_by[0]), atomic_load(&eintr_by[1]),
		       atomic_load(&eintr_by[2]), atomic_load(&eintr_by[3]));
	result("done");
	return 0;
}
