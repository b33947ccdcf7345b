// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * owner: a process that creates a shared object and touches some of its
 * pages, for the VM tests of numamove on objects. numamove, another
 * process, moves the object; the owner then says where the pages are, by
 * asking the kernel itself: move_pages(2) with nodes == NULL on its own
 * mapping.
 *
 * usage: owner --ctl DIR --node NODE [--stride K] [--by-child | --keep-child | --orphan-child]
 *              [--remapper]
 *              (--shm SIZE [--key KEY] [--huge] | --shmid ID |
 *               --file PATH --size SIZE [--pagecache [--readahead]] |
 *               --anon SIZE | --memfd SIZE)
 *        owner --remove-segments
 *
 *   --remove-segments  remove every SysV segment (IPC_RMID) and exit: the
 *                  owners are killed with SIGKILL at the end of a case, so
 *                  they cannot remove theirs; run-cases.sh calls this after
 *                  each case (the VM holds no segment the tests did not make)
 *
 *   --shm SIZE     create a SysV segment (IPC_PRIVATE, or KEY), SHM_HUGETLB with --huge
 *   --shmid ID     attach an existing segment; touch nothing (--stride 0)
 *   --file PATH    create (or open) PATH with SIZE bytes and map it MAP_SHARED:
 *                  tmpfs, hugetlbfs (2 MiB pages) or any file system
 *   --anon SIZE    anonymous shared memory: mmap(MAP_SHARED|MAP_ANONYMOUS)
 *   --memfd SIZE   a memfd (memfd_create("owner-buf"), SIZE bytes) mapped MAP_SHARED
 *   --by-child     the pages are touched by a child (forked after the mapping),
 *                  which then exits: the owner maps none of them, no process
 *                  does (the object holds them); a report reads each touched
 *                  page first (its checksum), which maps it in the owner, so
 *                  ask for one only after the move
 *   --keep-child   as --by-child, but the child stays alive (mapping the pages it
 *                  touched) until the owner is killed; ready says "child PID"
 *   --orphan-child as --keep-child, but the process that touches and keeps the
 *                  pages is the child's child, and the child exits: reparented,
 *                  it is no descendant of the owner (it exits within a second
 *                  of the owner); ready says "child PID" (that process)
 *   --mbind NODE   with --anon or --memfd: the mapping bound to NODE with
 *                  mbind(2) before anything is written: the object's shared
 *                  policy, which beats every task policy (the "next" pages too)
 *   --remapper     with --memfd (2M or more): once the pages are written, a
 *                  child maps the memfd (touching nothing) at one address and
 *                  changes the mapping's length every millisecond (of 256),
 *                  until the owner is killed: its range in /proc/PID/maps is
 *                  stale almost at once; ready says "remapper PID"
 *   --pagecache    a regular file: write all of it (on NODE), fsync, drop it from
 *                  the page cache (POSIX_FADV_DONTNEED), then read back only the
 *                  touched pages, so that the others are not cached (holes)
 *   --readahead    with --pagecache: read each touched page with pread(2) first,
 *                  with the kernel's readahead: its neighbours are cached too,
 *                  some marked to read ahead further when they are read
 *   --node NODE    pages are touched under set_mempolicy(MPOL_BIND, NODE)
 *   --stride K     of the first half of the pages, touch every K-th (default 1;
 *                  0 touches nothing); the second half is left untouched ("later")
 *
 * Pages are written with a pattern (read only, with --pagecache). Files in DIR,
 * written whole (temporary name, rename):
 *   ready    pid PID / shmid ID / pagesize BYTES / pages N / resident R (as in a
 *            report, counted without touching anything) [/ child PID]
 *   report   (SIGUSR1)
 *              touched P pages_on_node C0 .. C(N-1) missing M checksum ok|BAD
 *              later P pages_on_node C0 .. C(N-1) missing M
 *              resident R      pages of the object in memory (mincore(2), or the
 *                              blocks of a hugetlbfs file), holes not counted
 *              resident_set H  which pages those are: a hash of the mincore(2)
 *                              vector (- for hugetlb)
 *              end
 *   next     (SIGUSR2) the "later" pages are written now, with the owner's own
 *            default policy; then the same lines as report.
 * Pages are counted in the object's page size.
 */
#include <errno.h>
#include <fcntl.h>
#include <numaif.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

#define MAX_NODES 64

static const char *ctl;
static char *base;
static size_t size, ps, npages;
static long stride = 1;
static int shmid = -1, fd = -1, nnodes;
static bool hugetlb, pagecache, with_readahead, later_touched;
static pid_t child, remapper;
static volatile sig_atomic_t want_report, want_next;

static void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...);

/*
 * --remapper: the memfd mapped at one address, its length changed every
 * millisecond (256 lengths): /proc/PID/maps lists it at the same start (so
 * that it is always found, numa_maps and maps joined), but the range read
 * is stale almost at once.
 */
static void __attribute__((noreturn)) remap_loop(void)
{
	size_t lengths = 256;
	char *at;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Only the changing mapping: not the owner's, inherited, which stays as it is. */
	munmap(base, size);
	at = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (at == MAP_FAILED || size < lengths * ps * 2)
		_exit(1);
	for (size_t i = 0;; i++) {
		size_t len = size - (i % lengths) * ps;

		/* The old mapping's tail goes first: the new one must not merge with it. */
		if (mmap(at, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) == MAP_FAILED ||
		    mmap(at, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
			_exit(1);
		usleep(1000);
	}
}

static void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "owner: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	switch (*end) {
	case 'K': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	}
	if (*end || !v)
		die("bad size %s", s);
	return v;
}

static uint64_t pattern(size_t word)
{
	return (uint64_t)word * 0x9E3779B97F4A7C15ULL ^ 0x6f776e6572ULL;
}

static bool touched(size_t i)
{
	return i < npages / 2 && stride > 0 && i % (size_t)stride == 0;
}

static void set_bind(int node)
{
	unsigned long mask[MAX_NODES / (8 * sizeof(unsigned long))] = { 0 };

	mask[0] = 1UL << node;
	if (set_mempolicy(MPOL_BIND, mask, MAX_NODES + 1) < 0)
		die("set_mempolicy: %s", strerror(errno));
}

/* Writes the page's pattern (or reads it, for the page cache). */
static void touch(size_t i)
{
	uint64_t *p = (uint64_t *)(void *)(base + i * ps);
	size_t words = ps / sizeof(*p), w0 = i * ps / sizeof(*p);

	if (pagecache) {
		char buf[64];

		/* read(2) with the kernel's readahead, then the mapping (MADV_RANDOM: nothing more). */
		if (with_readahead && pread(fd, buf, sizeof(buf), (off_t)(i * ps)) < 0)
			die("pread: %s", strerror(errno));
		(void)*(volatile uint64_t *)p;
		return;
	}
	for (size_t w = 0; w < words; w++)
		p[w] = pattern(w0 + w);
}

static bool page_ok(size_t i)
{
	const uint64_t *p = (const uint64_t *)(const void *)(base + i * ps);
	size_t words = ps / sizeof(*p), w0 = i * ps / sizeof(*p);

	for (size_t w = 0; w < words; w++)
		if (p[w] != pattern(w0 + w))
			return false;
	return true;
}

/* Pages [from, to) for which @want holds, per node; returns the pages asked. */
static size_t count(FILE *f, const char *name, size_t from, size_t to, bool (*want)(size_t), bool sum)
{
	long counts[MAX_NODES] = { 0 }, missing = 0;
	size_t asked = 0;
	bool ok = true;

	for (size_t i = from; i < to; i++) {
		void *a = base + i * ps;
		int st = -1000;

		if (want && !want(i))
			continue;
		asked++;
		/* Touched by a child: read it first, so that it is mapped here (it is resident: no allocation). */
		if (child && sum)
			(void)*(volatile char *)a;
		if (move_pages(0, 1, &a, NULL, &st, 0) < 0)
			die("move_pages: %s", strerror(errno));
		if (st >= 0 && st < MAX_NODES)
			counts[st]++;
		else
			missing++;
		if (sum && !page_ok(i))
			ok = false;
	}
	fprintf(f, "%s %zu pages_on_node", name, asked);
	for (int n = 0; n < nnodes; n++)
		fprintf(f, " %ld", counts[n]);
	fprintf(f, " missing %ld", missing);
	if (sum)
		fprintf(f, " checksum %s", ok ? "ok" : "BAD");
	fputc('\n', f);
	return asked;
}

static bool any(size_t i)
{
	(void)i;
	return true;
}

/*
 * Pages of the object in memory, holes not counted, without touching
 * anything; and in @set, a hash of which base pages those are (0 for
 * hugetlb).
 */
static long resident(uint64_t *set)
{
	size_t base_ps = (size_t)getpagesize(), n = size / base_ps, r = 0;
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	unsigned char *vec;
	struct stat st;

	*set = 0;
	if (hugetlb) {
		if (fd < 0 || fstat(fd, &st) < 0)
			return -1;
		return (long)((uint64_t)st.st_blocks * 512 / ps);
	}
	vec = malloc(n);
	if (!vec || mincore(base, size, vec) < 0)
		die("mincore: %s", strerror(errno));
	for (size_t i = 0; i < n; i++) {
		r += vec[i] & 1;
		h = (h ^ (vec[i] & 1)) * 0x100000001b3ULL;
	}
	free(vec);
	*set = h;
	return (long)(r * base_ps / ps);
}

static void write_file(const char *name)
{
	char tmp[4096], path[4096];
	uint64_t set;
	long res;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", ctl, name);
	snprintf(path, sizeof(path), "%s/%s", ctl, name);
	f = fopen(tmp, "we");
	if (!f)
		die("%s: %s", tmp, strerror(errno));
	count(f, "touched", 0, npages, touched, true);
	count(f, "later", npages / 2, npages, any, later_touched);
	res = resident(&set);
	fprintf(f, "resident %ld\n", res);
	if (set)
		fprintf(f, "resident_set %016llx\n", (unsigned long long)set);
	else
		fprintf(f, "resident_set -\n");
	fprintf(f, "end\n");
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		die("%s: %s", path, strerror(errno));
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_report = 1;
	else
		want_next = 1;
}

/* --remove-segments: IPC_RMID on every segment of /proc/sysvipc/shm. */
static int remove_segments(void)
{
	FILE *f = fopen("/proc/sysvipc/shm", "r");
	char line[512];
	int key, id, status = 0;

	if (!f)
		return errno == ENOENT ? 0 : 1;
	if (!fgets(line, sizeof(line), f)) { /* the header */
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d %d", &key, &id) == 2 && shmctl(id, IPC_RMID, NULL) < 0 && errno != EINVAL &&
		    errno != EIDRM) {
			fprintf(stderr, "owner: shmctl(%d, IPC_RMID): %s\n", id, strerror(errno));
			status = 1;
		}
	fclose(f);
	return status;
}

int main(int argc, char **argv)
{
	const char *file = NULL;
	size_t shm_size = 0;
	long key = IPC_PRIVATE, attach = -1;
	size_t anon_size = 0, memfd_size = 0;
	int node = -1, by_child = 0, mbind_node = -1;
	bool want_remapper = false;
	uint64_t set;
	long res;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, old;
	char tmp[4096], path[4096];
	FILE *f;

	if (argc == 2 && !strcmp(argv[1], "--remove-segments"))
		return remove_segments();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--ctl") && i + 1 < argc)
			ctl = argv[++i];
		else if (!strcmp(a, "--node") && i + 1 < argc)
			node = atoi(argv[++i]);
		else if (!strcmp(a, "--stride") && i + 1 < argc)
			stride = atol(argv[++i]);
		else if (!strcmp(a, "--shm") && i + 1 < argc)
			shm_size = parse_size(argv[++i]);
		else if (!strcmp(a, "--key") && i + 1 < argc)
			key = strtol(argv[++i], NULL, 0);
		else if (!strcmp(a, "--huge"))
			hugetlb = true;
		else if (!strcmp(a, "--shmid") && i + 1 < argc)
			attach = atol(argv[++i]);
		else if (!strcmp(a, "--file") && i + 1 < argc)
			file = argv[++i];
		else if (!strcmp(a, "--size") && i + 1 < argc)
			size = parse_size(argv[++i]);
		else if (!strcmp(a, "--pagecache"))
			pagecache = true;
		else if (!strcmp(a, "--readahead"))
			with_readahead = true;
		else if (!strcmp(a, "--anon") && i + 1 < argc)
			anon_size = parse_size(argv[++i]);
		else if (!strcmp(a, "--memfd") && i + 1 < argc)
			memfd_size = parse_size(argv[++i]);
		else if (!strcmp(a, "--by-child"))
			by_child = 1;
		else if (!strcmp(a, "--keep-child"))
			by_child = 2;
		else if (!strcmp(a, "--orphan-child"))
			by_child = 3;
		else if (!strcmp(a, "--mbind") && i + 1 < argc)
			mbind_node = atoi(argv[++i]);
		else if (!strcmp(a, "--remapper"))
			want_remapper = true;
		else
			die("usage: owner --ctl DIR --node NODE [--stride K] [--by-child | --keep-child | --orphan-child] "
			    "[--mbind NODE] [--remapper] (--shm SIZE "
			    "[--key KEY] [--huge] | --shmid ID | --file PATH --size SIZE [--pagecache [--readahead]] | "
			    "--anon SIZE | --memfd SIZE)");
	}
	if (!ctl || node < 0 || node >= MAX_NODES)
		die("--ctl and --node are required");
	if (with_readahead && !pagecache)
		die("--readahead goes with --pagecache");
	/* One column per node id up to the highest: ids may have gaps. */
	nnodes = 0;
	for (int n = 0; n < MAX_NODES; n++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", n);
		if (access(path, F_OK) == 0)
			nnodes = n + 1;
	}
	ps = (size_t)getpagesize();

	if (shm_size || attach >= 0) {
		struct shmid_ds ds;

		if (attach >= 0) {
			shmid = (int)attach;
			stride = 0;
		} else {
			shmid = shmget((key_t)key, shm_size, IPC_CREAT | IPC_EXCL | 0666 | (hugetlb ? SHM_HUGETLB : 0));
			if (shmid < 0)
				die("shmget: %s", strerror(errno));
		}
		if (shmctl(shmid, IPC_STAT, &ds) < 0)
			die("shmctl: %s", strerror(errno));
		size = ds.shm_segsz;
		if (hugetlb)
			ps = 2UL << 20;
		base = shmat(shmid, NULL, 0);
		if (base == (void *)-1)
			die("shmat: %s", strerror(errno));
	} else if (file && size) {
		struct statfs sfs;

		fd = open(file, O_RDWR | O_CREAT, 0666);
		if (fd < 0 || fstatfs(fd, &sfs) < 0)
			die("%s: %s", file, strerror(errno));
		if (sfs.f_type == HUGETLBFS_MAGIC) {
			hugetlb = true;
			ps = (size_t)sfs.f_bsize;
		}
		if (pagecache) {
			/* The whole file written on NODE, then dropped from the page cache. */
			char *buf = malloc(1 << 20);

			set_bind(node);
			for (size_t off = 0; off < size; off += 1 << 20) {
				for (size_t w = 0; w < (1 << 20) / 8; w++)
					((uint64_t *)(void *)buf)[w] = pattern(off / 8 + w);
				if (pwrite(fd, buf, 1 << 20, (off_t)off) != 1 << 20)
					die("pwrite: %s", strerror(errno));
			}
			free(buf);
			set_mempolicy(MPOL_DEFAULT, NULL, 0);
			if (fsync(fd) < 0 || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
				die("fsync/fadvise: %s", strerror(errno));
		} else if (ftruncate(fd, (off_t)size) < 0) {
			die("ftruncate: %s", strerror(errno));
		}
		base = mmap(NULL, size, pagecache ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (base == MAP_FAILED)
			die("mmap: %s", strerror(errno));
		/* Read only the pages asked for: no readahead. */
		madvise(base, size, MADV_RANDOM);
	} else if (anon_size || memfd_size) {
		size = anon_size ? anon_size : memfd_size;
		if (memfd_size) {
			fd = memfd_create("owner-buf", MFD_CLOEXEC);
			if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
				die("memfd: %s", strerror(errno));
		}
		base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | (anon_size ? MAP_ANONYMOUS : 0),
			    anon_size ? -1 : fd, 0);
		if (base == MAP_FAILED)
			die("mmap: %s", strerror(errno));
		if (mbind_node >= 0) {
			unsigned long mask[MAX_NODES / (8 * sizeof(unsigned long))] = { 0 };

			if (mbind_node >= MAX_NODES)
				die("--mbind: bad node");
			mask[0] = 1UL << mbind_node;
			if (mbind(base, size, MPOL_BIND, mask, MAX_NODES + 1, 0) < 0)
				die("mbind: %s", strerror(errno));
		}
	} else {
		die("--shm, --shmid, --file with --size, --anon or --memfd is required");
	}
	npages = size / ps;

	if (by_child) {
		int pipefd[2], status;
		char c;

		if (pipe(pipefd) < 0)
			die("pipe: %s", strerror(errno));
		child = fork();
		if (child < 0)
			die("fork: %s", strerror(errno));
		if (child == 0 && by_child == 3) {
			pid_t owner = getppid(), g = fork();

			if (g < 0)
				_exit(1);
			if (g > 0)
				_exit(0);
			/* Reparented once its parent exits: gone within a second of the owner. */
			set_bind(node);
			for (size_t i = 0; i < npages; i++)
				if (touched(i))
					touch(i);
			g = getpid();
			if (write(pipefd[1], &g, sizeof(g)) != sizeof(g))
				_exit(1);
			while (kill(owner, 0) == 0)
				sleep(1);
			_exit(0);
		}
		if (child == 0) {
			/* Gone with the owner (the cases kill owners with SIGKILL). */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			set_bind(node);
			for (size_t i = 0; i < npages; i++)
				if (touched(i))
					touch(i);
			if (write(pipefd[1], "x", 1) != 1)
				_exit(1);
			if (by_child == 1)
				_exit(0);
			for (;;)
				pause();
		}
		close(pipefd[1]);
		if (by_child == 3) {
			pid_t g;

			if (read(pipefd[0], &g, sizeof(g)) != sizeof(g))
				die("the child failed");
			if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
				die("the child failed");
			child = g;
		} else if (read(pipefd[0], &c, 1) != 1) {
			die("the child failed");
		}
		close(pipefd[0]);
		if (by_child == 1 && (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)))
			die("the child failed");
	} else {
		set_bind(node);
		for (size_t i = 0; i < npages; i++)
			if (touched(i))
				touch(i);
		set_mempolicy(MPOL_DEFAULT, NULL, 0);
	}
	if (want_remapper) {
		if (fd < 0 || !memfd_size)
			die("--remapper goes with --memfd");
		remapper = fork();
		if (remapper < 0)
			die("fork: %s", strerror(errno));
		if (remapper == 0)
			remap_loop();
	}
	res = resident(&set);

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);

	snprintf(tmp, sizeof(tmp), "%s/.ready.tmp", ctl);
	snprintf(path, sizeof(path), "%s/ready", ctl);
	f = fopen(tmp, "we");
	if (!f)
		die("%s: %s", tmp, strerror(errno));
	fprintf(f, "pid %d\nshmid %d\npagesize %zu\npages %zu\nresident %ld\n", (int)getpid(), shmid, ps, npages, res);
	if (by_child >= 2)
		fprintf(f, "child %d\n", (int)child);
	if (remapper)
		fprintf(f, "remapper %d\n", (int)remapper);
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		die("%s: %s", path, strerror(errno));

	for (;;) {
		while (!want_report && !want_next)
			sigsuspend(&old);
		if (want_report) {
			want_report = 0;
			write_file("report");
		}
		if (want_next) {
			want_next = 0;
			for (size_t i = npages / 2; i < npages && !pagecache; i++)
				touch(i);
			later_touched = !pagecache;
			write_file("next");
		}
	}
}
