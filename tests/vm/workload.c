// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * workload: a process whose memory placement the VM tests change with
 * numamove and then measure, independently of numamove, by asking the
 * kernel itself: move_pages(2) with nodes == NULL on its own pages.
 *
 * usage: workload [--region NODE:SIZE]... [--thp] [--threads N]
 *                 [--shared-with-child] [--probe [--probe-interval USEC]
 *                 [--probe-rt]] [--small-mappings N] [--file-region SIZE]
 *                 [--file-path PATH] --ctl DIR
 *
 *   --region NODE:SIZE  an anonymous region of SIZE bytes (suffix K, M, G)
 *                       placed on NODE by first touch under a temporary
 *                       set_mempolicy(MPOL_BIND, NODE); the task policy is
 *                       MPOL_DEFAULT again right after. Filled with a pattern
 *                       derived from the region index and the offset.
 *   --thp               regions are THP-size aligned (2 MiB with 4 KiB
 *                       pages) and MADV_HUGEPAGE
 *                       (otherwise MADV_NOHUGEPAGE, so counts are exact)
 *   --threads N         N extra threads that sleep-poll (so numamove has
 *                       several threads to set the affinity of)
 *   --shared-with-child regions are MAP_SHARED|MAP_ANONYMOUS; a child is
 *                       forked that read-touches every page and sleeps, so
 *                       every region page is mapped twice (mapcount 2)
 *   --ctl DIR           control directory (must exist, writable)
 *
 * For the benchmark (bench/bench.sh):
 *
 *   --probe             a thread that reads one 64-bit word of a random page
 *                       of region 0 (xorshift PRNG) in a tight loop and keeps
 *                       the longest time one access took. An access to a page
 *                       under migration waits until its migration ends, so
 *                       this is the stall as the process sees it (it also
 *                       includes any time the thread waited for a CPU).
 *   --probe-interval USEC  sleep USEC microseconds after every 16 accesses
 *                       (default 0: the tight loop, which keeps a CPU busy)
 *   --probe-rt          the probe thread runs SCHED_FIFO (priority 1), so the
 *                       time it waits for a CPU is not counted as a stall;
 *                       needs CAP_SYS_NICE and --probe-interval (a tight
 *                       real-time loop would take a CPU from everything else)
 *   --small-mappings N  N more anonymous private mappings of 64 KiB each,
 *                       each followed by a one-page PROT_NONE guard so they do
 *                       not merge, filled by first touch on the node of
 *                       region 0 (node 0 without regions), as regions are
 *   --file-region SIZE  a regular file of SIZE bytes (default path
 *                       DIR/file-region, or --file-path PATH; created or
 *                       truncated, never removed), written under a
 *                       temporary MPOL_BIND to the node of region 0 (so its
 *                       page cache lands there), synced, mapped MAP_SHARED
 *                       read-only and read-touched page by page
 *
 * Files in DIR, each written to a temporary name and renamed, so a reader
 * never sees half a file:
 *
 *   ready   written once the regions are placed:
 *             pid PID
 *             child PID                  (with --shared-with-child)
 *             nodes N                    (numa_max_node() + 1)
 *             region I node NODE bytes B addr 0xADDR
 *
 *   report  written on SIGUSR1:
 *             region I pages P pages_on_node C0 C1 ... C(N-1) missing M thp_kb K checksum ok|BAD
 *           P is the region size in base pages (4 KiB on x86-64); Cn the
 *           base pages on node n (a THP counted as its base pages, 512 with
 *           4 KiB); M pages not present or not queryable;
 *           K the region's AnonHugePages from /proc/self/smaps; the checksum
 *           is "ok" when every 64-bit word still holds its pattern. Then,
 *           only with the options that make them, in the same format:
 *             small N pages P pages_on_node C0 ... missing M thp_kb 0 checksum ok|BAD
 *             file 0 pages P pages_on_node C0 ... missing M thp_kb 0 checksum ok|BAD
 *           (N small mappings, their pages together; the file region). Then
 *             thread TID cpus LIST           (one per thread, main first;
 *                                             the probe thread is not listed)
 *             probe max_stall_us S accesses A   (with --probe: the longest
 *                                             access and the number of
 *                                             accesses since the last report;
 *                                             both start again from 0)
 *             end
 *
 *   next    written on SIGUSR2: every thread (main included) allocates a
 *           fresh 8 MiB by first touch, asks where the pages are, unmaps:
 *             thread TID pages_on_node C0 C1 ... C(N-1) cpu CPU
 *             end
 *
 * Signal handlers only set flags; the main thread does the work. The
 * program runs until killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * The kernel's base page and THP sizes, read at start: 4 KiB and 2 MiB on
 * x86-64; arm64 kernels run with 4K, 16K or 64K pages (THP 2M, 32M,
 * 512M). Page counts in the report are of these pages, as numa_maps's.
 */
static size_t page_size = 4096, thp_size = 2UL << 20;
#define PAGE page_size
#define HPAGE thp_size
#define MAX_REGIONS 16
#define MAX_THREADS 64
#define NEXT_BYTES (8UL << 20)
#define MAX_NODES 64
#define SMALL_BYTES (64UL << 10)
#define SMALL_STRIDE (SMALL_BYTES + PAGE) /* a mapping and its guard */
#define SMALL_PATTERN MAX_REGIONS          /* pattern() ids past the regions' */
#define FILE_PATTERN (MAX_REGIONS + 1)

struct region {
	int node;
	size_t bytes;
	char *addr;
};

struct thread {
	pid_t tid;
	pthread_t handle;
	long counts[MAX_NODES];
	int cpu;
	atomic_int done_gen;
};

static struct region regions[MAX_REGIONS];
static int nregions;
static struct thread threads[MAX_THREADS + 1]; /* [0] is the main thread */
static int nthreads = 1;
static int nnodes;
static bool opt_thp, opt_shared;
static const char *ctl;
static atomic_int next_gen;

/* --small-mappings: n mappings of SMALL_BYTES, SMALL_STRIDE apart from base */
static struct {
	long n;
	char *base;
} small;

/* --file-region */
static struct {
	size_t bytes;
	const char *path;
	char *addr;
} file_region;

/* --probe: the longest access (ns) and the accesses since the last report */
#define PROBE_BURST 16
static bool opt_probe, opt_probe_rt;
static long probe_interval_us;
static _Atomic uint64_t probe_max_ns, probe_accesses;

static volatile sig_atomic_t want_report, want_next;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "workload: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static uint64_t pattern(int region, size_t word)
{
	return ((uint64_t)word * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)(region + 1) << 56) ^ 0x5bd1e995ULL;
}

static void fill(int r)
{
	uint64_t *p = (uint64_t *)(void *)regions[r].addr;
	size_t n = regions[r].bytes / sizeof(*p);

	for (size_t i = 0; i < n; i++)
		p[i] = pattern(r, i);
}

static bool verify(int r)
{
	const uint64_t *p = (const uint64_t *)(const void *)regions[r].addr;
	size_t n = regions[r].bytes / sizeof(*p);

	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern(r, i))
			return false;
	return true;
}

/* Add the base pages of [addr, addr+bytes) per node to counts; returns pages not found. */
static long add_pages(char *addr, size_t bytes, long *counts)
{
	enum { CHUNK = 4096 };
	static void *pages[CHUNK];
	static int status[CHUNK];
	size_t n = bytes / PAGE;
	long missing = 0;

	for (size_t done = 0; done < n;) {
		size_t k = n - done < CHUNK ? n - done : CHUNK;

		for (size_t i = 0; i < k; i++) {
			pages[i] = addr + (done + i) * PAGE;
			status[i] = -1000;
		}
		if (move_pages(0, k, pages, NULL, status, 0) < 0)
			die("move_pages query: %s", strerror(errno));
		for (size_t i = 0; i < k; i++) {
			if (status[i] >= 0 && status[i] < MAX_NODES)
				counts[status[i]]++;
			else
				missing++;
		}
		done += k;
	}
	return missing;
}

/* Count the base pages of [addr, addr+bytes) per node; returns pages not found. */
static long count_pages(char *addr, size_t bytes, long *counts)
{
	for (int i = 0; i < MAX_NODES; i++)
		counts[i] = 0;
	return add_pages(addr, bytes, counts);
}

static long thp_kb(const char *addr)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	bool in = false;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)addr >= start && (uintptr_t)addr < end;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
		if (in && sscanf(line, "ShmemPmdMapped: %ld kB", &kb) == 1 && kb > 0)
			break;
	}
	fclose(f);
	return kb < 0 ? 0 : kb;
}

static FILE *open_tmp(const char *name, char *tmp, size_t size)
{
	FILE *f;

	snprintf(tmp, size, "%s/.%s.tmp", ctl, name);
	f = fopen(tmp, "we");
	if (!f)
		die("%s: %s", tmp, strerror(errno));
	return f;
}

static void commit(FILE *f, const char *tmp, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", ctl, name);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0)
		die("%s: %s", tmp, strerror(errno));
	if (rename(tmp, path) < 0)
		die("rename %s: %s", path, strerror(errno));
}

static void print_cpus(FILE *f, pid_t tid)
{
	cpu_set_t set;
	int first = -1, n = 0;

	if (sched_getaffinity(tid, sizeof(set), &set) < 0) {
		fprintf(f, "?");
		return;
	}
	for (int c = 0; c <= CPU_SETSIZE; c++) {
		bool in = c < CPU_SETSIZE && CPU_ISSET(c, &set);

		if (in && first < 0)
			first = c;
		if (!in && first >= 0) {
			if (c - 1 == first)
				fprintf(f, "%s%d", n++ ? "," : "", first);
			else
				fprintf(f, "%s%d-%d", n++ ? "," : "", first, c - 1);
			first = -1;
		}
	}
}

static bool verify_words(const char *addr, size_t bytes, int id, size_t first_word)
{
	const uint64_t *p = (const uint64_t *)(const void *)addr;

	for (size_t i = 0; i < bytes / sizeof(*p); i++)
		if (p[i] != pattern(id, first_word + i))
			return false;
	return true;
}

/* A report line: "NAME I pages P pages_on_node C0 ... missing M thp_kb K checksum ok|BAD". */
static void print_counts(FILE *f, const char *name, long i, size_t pages, const long *counts,
			 long missing, long thp, bool ok)
{
	fprintf(f, "%s %ld pages %zu pages_on_node", name, i, pages);
	for (int n = 0; n < nnodes; n++)
		fprintf(f, " %ld", counts[n]);
	fprintf(f, " missing %ld thp_kb %ld checksum %s\n", missing, thp, ok ? "ok" : "BAD");
}

static void write_report(void)
{
	char tmp[4096];
	FILE *f = open_tmp("report", tmp, sizeof(tmp));
	long counts[MAX_NODES];

	for (int r = 0; r < nregions; r++) {
		long missing = count_pages(regions[r].addr, regions[r].bytes, counts);

		print_counts(f, "region", r, regions[r].bytes / PAGE, counts, missing,
			     thp_kb(regions[r].addr), verify(r));
	}
	if (small.n) {
		long missing = 0;
		bool ok = true;

		for (int i = 0; i < MAX_NODES; i++)
			counts[i] = 0;
		for (long m = 0; m < small.n; m++) {
			char *a = small.base + m * SMALL_STRIDE;

			missing += add_pages(a, SMALL_BYTES, counts);
			ok = ok && verify_words(a, SMALL_BYTES, SMALL_PATTERN,
						(size_t)m * (SMALL_BYTES / 8));
		}
		print_counts(f, "small", small.n, (size_t)small.n * (SMALL_BYTES / PAGE), counts, missing,
			     0, ok);
	}
	if (file_region.addr) {
		long missing = count_pages(file_region.addr, file_region.bytes, counts);

		print_counts(f, "file", 0, file_region.bytes / PAGE, counts, missing,
			     thp_kb(file_region.addr),
			     verify_words(file_region.addr, file_region.bytes, FILE_PATTERN, 0));
	}
	for (int t = 0; t < nthreads; t++) {
		fprintf(f, "thread %d cpus ", (int)threads[t].tid);
		print_cpus(f, threads[t].tid);
		fputc('\n', f);
	}
	if (opt_probe) {
		uint64_t max_ns = atomic_exchange(&probe_max_ns, 0), n = atomic_exchange(&probe_accesses, 0);

		fprintf(f, "probe max_stall_us %llu accesses %llu\n", (unsigned long long)(max_ns / 1000),
			(unsigned long long)n);
	}
	fprintf(f, "end\n");
	commit(f, tmp, "report");
}

static void alloc_next(struct thread *t)
{
	char *p = mmap(NULL, NEXT_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	madvise(p, NEXT_BYTES, MADV_NOHUGEPAGE);
	for (size_t o = 0; o < NEXT_BYTES; o += PAGE)
		p[o] = 1;
	t->cpu = sched_getcpu();
	/*
	 * move_pages(2) finds no page where NUMA balancing's scanner has just
	 * made the range PROT_NONE for its hinting faults: touched again, the
	 * pages are mapped again (a hinting fault may move one, as balancing
	 * would have anyway).
	 */
	for (int tries = 0; count_pages(p, NEXT_BYTES, t->counts) > 0 && tries < 5; tries++) {
		for (size_t o = 0; o < NEXT_BYTES; o += PAGE)
			(void)*(volatile char *)(p + o);
		usleep(10000);
	}
	munmap(p, NEXT_BYTES);
}

static void *thread_main(void *arg)
{
	struct thread *t = arg;
	int seen = 0;

	t->tid = my_tid();
	for (;;) {
		int g = atomic_load(&next_gen);

		if (g != seen) {
			alloc_next(t);
			seen = g;
			atomic_store(&t->done_gen, g);
		}
		usleep(10000);
	}
	return NULL;
}

static void write_next(void)
{
	char tmp[4096];
	FILE *f;
	int g = atomic_fetch_add(&next_gen, 1) + 1;

	alloc_next(&threads[0]);
	for (int t = 1; t < nthreads; t++)
		while (atomic_load(&threads[t].done_gen) != g)
			usleep(1000);
	f = open_tmp("next", tmp, sizeof(tmp));
	for (int t = 0; t < nthreads; t++) {
		fprintf(f, "thread %d pages_on_node", (int)threads[t].tid);
		for (int n = 0; n < nnodes; n++)
			fprintf(f, " %ld", threads[t].counts[n]);
		fprintf(f, " cpu %d\n", threads[t].cpu);
	}
	fprintf(f, "end\n");
	commit(f, tmp, "next");
}

static long parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		die("bad %s %s (%ld to %ld)", what, s, min, max);
	return v;
}

static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		die("bad size %s", s);
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end || v == 0 || v % PAGE)
		die("bad size %s (a multiple of the page size, %zu)", s, page_size);
	return v;
}

static void bind_to(int node)
{
	unsigned long mask[MAX_NODES / (8 * sizeof(unsigned long)) + 1] = { 0 };

	mask[node / (8 * sizeof(unsigned long))] |= 1UL << (node % (8 * sizeof(unsigned long)));
	if (set_mempolicy(MPOL_BIND, mask, MAX_NODES + 1) < 0)
		die("set_mempolicy(MPOL_BIND, %d): %s", node, strerror(errno));
}

static void unbind(void)
{
	if (set_mempolicy(MPOL_DEFAULT, NULL, 0) < 0)
		die("set_mempolicy(MPOL_DEFAULT): %s", strerror(errno));
}

/* The node the extras (small mappings, file region) go to: region 0's. */
static int extras_node(void)
{
	return nregions ? regions[0].node : 0;
}

static void place_small(void)
{
	size_t len = (size_t)small.n * SMALL_STRIDE;
	char *base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (base == MAP_FAILED)
		die("mmap %zu: %s", len, strerror(errno));
	bind_to(extras_node());
	for (long m = 0; m < small.n; m++) {
		char *a = base + m * SMALL_STRIDE;
		uint64_t *p = (uint64_t *)(void *)a;

		if (mmap(a, SMALL_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			 -1, 0) == MAP_FAILED)
			die("mmap small mapping %ld: %s", m, strerror(errno));
		madvise(a, SMALL_BYTES, MADV_NOHUGEPAGE);
		for (size_t i = 0; i < SMALL_BYTES / 8; i++)
			p[i] = pattern(SMALL_PATTERN, (size_t)m * (SMALL_BYTES / 8) + i);
	}
	unbind();
	small.base = base;
}

static void place_file(void)
{
	enum { BUF = 1 << 20 };
	char defpath[4096];
	uint64_t *buf;
	int fd;
	char *p;
	volatile char sink = 0;

	if (!file_region.path) {
		snprintf(defpath, sizeof(defpath), "%s/file-region", ctl);
		file_region.path = strdup(defpath);
		if (!file_region.path)
			die("out of memory");
	}
	buf = malloc(BUF);
	if (!buf)
		die("out of memory");
	fd = open(file_region.path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die("%s: %s", file_region.path, strerror(errno));
	bind_to(extras_node());
	for (size_t off = 0; off < file_region.bytes; off += BUF) {
		size_t n = file_region.bytes - off < BUF ? file_region.bytes - off : BUF;

		for (size_t i = 0; i < n / 8; i++)
			buf[i] = pattern(FILE_PATTERN, off / 8 + i);
		for (size_t done = 0; done < n;) {
			ssize_t w = pwrite(fd, (char *)buf + done, n - done, (off_t)(off + done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				die("write %s: %s", file_region.path, w < 0 ? strerror(errno) : "short write");
			done += (size_t)w;
		}
	}
	/* clean pages: migration need not write anything back */
	if (fdatasync(fd) < 0)
		die("fdatasync %s: %s", file_region.path, strerror(errno));
	p = mmap(NULL, file_region.bytes, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap %s: %s", file_region.path, strerror(errno));
	madvise(p, file_region.bytes, MADV_NOHUGEPAGE);
	/* a page cache page that got evicted is read back here, still bound */
	for (size_t o = 0; o < file_region.bytes; o += PAGE)
		sink = (char)(sink + p[o]);
	(void)sink;
	unbind();
	close(fd);
	free(buf);
	file_region.addr = p;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *probe_main(void *arg)
{
	const char *base = regions[0].addr;
	size_t pages = regions[0].bytes / PAGE;
	uint64_t x = now_ns() | 1, sink = 0;
	struct timespec pause = { probe_interval_us / 1000000, (probe_interval_us % 1000000) * 1000 };
	int burst = 0;

	(void)arg;
	for (;;) {
		const volatile uint64_t *w;
		uint64_t t0, d, max;

		x ^= x << 13; /* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		w = (const volatile uint64_t *)(const volatile void *)(base + (x % pages) * PAGE +
								      ((x >> 52) % (PAGE / 8)) * 8);
		t0 = now_ns();
		sink += *w;
		d = now_ns() - t0;
		atomic_fetch_add_explicit(&probe_accesses, 1, memory_order_relaxed);
		max = atomic_load_explicit(&probe_max_ns, memory_order_relaxed);
		while (d > max && !atomic_compare_exchange_weak(&probe_max_ns, &max, d))
			;
		if (probe_interval_us && ++burst == PROBE_BURST) {
			nanosleep(&pause, NULL);
			burst = 0;
		}
	}
	return (void *)(uintptr_t)sink;
}

static void place(int r)
{
	struct region *reg = &regions[r];
	int flags = opt_shared ? MAP_SHARED | MAP_ANONYMOUS : MAP_PRIVATE | MAP_ANONYMOUS;
	size_t len = reg->bytes + (opt_thp ? HPAGE : 0);
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);

	if (p == MAP_FAILED)
		die("mmap %zu: %s", len, strerror(errno));
	if (opt_thp) {
		char *a = (char *)(((uintptr_t)p + HPAGE - 1) & ~(HPAGE - 1));

		if (a > p)
			munmap(p, (size_t)(a - p));
		if (a + reg->bytes < p + len)
			munmap(a + reg->bytes, (size_t)(p + len - (a + reg->bytes)));
		p = a;
	}
	if (madvise(p, reg->bytes, opt_thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) < 0 && opt_thp)
		die("madvise(MADV_HUGEPAGE): %s", strerror(errno));
	reg->addr = p;
	bind_to(reg->node);
	fill(r);
	unbind();
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_report = 1;
	else
		want_next = 1;
}

static pid_t fork_child(void)
{
	int fds[2];
	char c = 0;
	pid_t pid, parent = getpid();

	if (pipe(fds) < 0)
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		volatile char sink = 0;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		close(fds[0]);
		for (int r = 0; r < nregions; r++)
			for (size_t o = 0; o < regions[r].bytes; o += PAGE)
				sink = (char)(sink + regions[r].addr[o]);
		(void)sink;
		if (write(fds[1], &c, 1) != 1)
			_exit(1);
		close(fds[1]);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1)
		die("the child died before touching the regions");
	close(fds[0]);
	return pid;
}

int main(int argc, char **argv)
{
	int extra = 0;
	pid_t child = 0;
	sigset_t block, old;
	struct sigaction sa;
	char tmp[4096];
	FILE *f;

	page_size = (size_t)sysconf(_SC_PAGESIZE);
	f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "re");
	if (f) {
		unsigned long v;

		if (fscanf(f, "%lu", &v) == 1 && v >= page_size)
			thp_size = v;
		fclose(f);
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--region") && i + 1 < argc) {
			char *colon, *end;
			long node;

			if (nregions == MAX_REGIONS)
				die("too many regions");
			a = argv[++i];
			colon = strchr(a, ':');
			node = strtol(a, &end, 10);
			if (!colon || end != colon || node < 0 || node >= MAX_NODES)
				die("bad region %s (NODE:SIZE)", a);
			regions[nregions].node = (int)node;
			regions[nregions].bytes = parse_size(colon + 1);
			nregions++;
		} else if (!strcmp(a, "--thp")) {
			opt_thp = true;
		} else if (!strcmp(a, "--shared-with-child")) {
			opt_shared = true;
		} else if (!strcmp(a, "--threads") && i + 1 < argc) {
			extra = atoi(argv[++i]);
			if (extra < 0 || extra > MAX_THREADS)
				die("bad thread count %s", argv[i]);
		} else if (!strcmp(a, "--ctl") && i + 1 < argc) {
			ctl = argv[++i];
		} else if (!strcmp(a, "--probe")) {
			opt_probe = true;
		} else if (!strcmp(a, "--probe-rt")) {
			opt_probe_rt = true;
		} else if (!strcmp(a, "--probe-interval") && i + 1 < argc) {
			probe_interval_us = parse_long(argv[++i], 0, 1000000, "probe interval");
		} else if (!strcmp(a, "--small-mappings") && i + 1 < argc) {
			small.n = parse_long(argv[++i], 0, 100000, "small mapping count");
		} else if (!strcmp(a, "--file-region") && i + 1 < argc) {
			file_region.bytes = parse_size(argv[++i]);
		} else if (!strcmp(a, "--file-path") && i + 1 < argc) {
			file_region.path = argv[++i];
		} else {
			fprintf(stderr, "usage: workload [--region NODE:SIZE]... [--thp] [--threads N] "
					"[--shared-with-child] [--probe [--probe-interval USEC] [--probe-rt]] "
					"[--small-mappings N] [--file-region SIZE] [--file-path PATH] --ctl DIR\n");
			return 2;
		}
	}
	if (!ctl)
		die("--ctl DIR is required");
	if (opt_probe && !nregions)
		die("--probe reads region 0: give a --region");
	if ((probe_interval_us || opt_probe_rt) && !opt_probe)
		die("--probe-interval and --probe-rt go with --probe");
	if (opt_probe_rt && !probe_interval_us)
		die("--probe-rt needs --probe-interval");
	if (file_region.path && !file_region.bytes)
		die("--file-path goes with --file-region");
	if (numa_available() < 0)
		die("no NUMA support");
	nnodes = numa_max_node() + 1;
	if (nnodes > MAX_NODES)
		nnodes = MAX_NODES;
	for (int r = 0; r < nregions; r++)
		if (regions[r].node >= nnodes)
			die("node %d does not exist", regions[r].node);

	/* Signals go to the main thread only: threads inherit the block. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);

	threads[0].tid = my_tid();
	for (int r = 0; r < nregions; r++)
		place(r);
	if (small.n)
		place_small();
	if (file_region.bytes)
		place_file();
	if (opt_shared && nregions)
		child = fork_child();
	for (int t = 1; t <= extra; t++) {
		int err = pthread_create(&threads[t].handle, NULL, thread_main, &threads[t]);

		if (err)
			die("pthread_create: %s", strerror(err));
		nthreads++;
	}
	for (int t = 1; t < nthreads; t++)
		while (!__atomic_load_n(&threads[t].tid, __ATOMIC_SEQ_CST))
			usleep(1000);
	if (opt_probe) {
		pthread_t probe;
		int err = pthread_create(&probe, NULL, probe_main, NULL);

		if (err)
			die("pthread_create: %s", strerror(err));
		if (opt_probe_rt) {
			struct sched_param sp = { .sched_priority = 1 };

			err = pthread_setschedparam(probe, SCHED_FIFO, &sp);
			if (err)
				die("--probe-rt: SCHED_FIFO: %s", strerror(err));
		}
	}

	f = open_tmp("ready", tmp, sizeof(tmp));
	fprintf(f, "pid %d\n", (int)getpid());
	if (child)
		fprintf(f, "child %d\n", (int)child);
	fprintf(f, "nodes %d\n", nnodes);
	for (int r = 0; r < nregions; r++)
		fprintf(f, "region %d node %d bytes %zu addr %p\n", r, regions[r].node, regions[r].bytes,
			(void *)regions[r].addr);
	commit(f, tmp, "ready");

	for (;;) {
		while (!want_report && !want_next)
			sigsuspend(&old);
		if (want_report) {
			want_report = 0;
			write_report();
		}
		if (want_next) {
			want_next = 0;
			write_next();
		}
	}
}
