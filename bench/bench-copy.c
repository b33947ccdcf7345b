// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-copy: the copy ceiling of the benchmark: how fast this machine copies
 * memory from one NUMA node to another with memcpy, in one thread.
 *
 * usage: bench-copy SRC DST SIZE REPS
 *
 * Allocates SIZE bytes (suffix K, M, G) on node SRC and SIZE bytes on node
 * DST (numa_alloc_onnode), touches both, copies SRC to DST REPS times and
 * prints the median bandwidth as one line:
 *
 *   copy SRC DST MiB/s N
 *
 * The thread runs wherever the scheduler puts it, as a migrating thread
 * would. Exit status 0, 1 on an error, 2 on bad usage.
 */
#include <errno.h>
#include <numa.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int parse_node(const char *s, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > numa_max_node())
		return -1;
	*ret = v;
	return 0;
}

static int parse_size(const char *s, size_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end || v == 0)
		return -1;
	*ret = (size_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	long src, dst, reps;
	size_t size;
	char *a, *b, *end;
	double *mibs, median;

	if (numa_available() < 0) {
		fprintf(stderr, "bench-copy: no NUMA support\n");
		return 1;
	}
	if (argc != 5) {
		fprintf(stderr, "usage: bench-copy SRC DST SIZE REPS\n");
		return 2;
	}
	errno = 0;
	reps = strtol(argv[4], &end, 10);
	if (errno || *end || end == argv[4] || reps < 1 || reps > 1000 || parse_node(argv[1], &src) < 0 ||
	    parse_node(argv[2], &dst) < 0 || parse_size(argv[3], &size) < 0) {
		fprintf(stderr, "bench-copy: bad arguments (SRC, DST: nodes 0..%d; SIZE: e.g. 256M; "
				"REPS: 1..1000)\n", numa_max_node());
		return 2;
	}
	a = numa_alloc_onnode(size, (int)src);
	b = numa_alloc_onnode(size, (int)dst);
	mibs = calloc((size_t)reps, sizeof(*mibs));
	if (!a || !b || !mibs) {
		fprintf(stderr, "bench-copy: cannot allocate %zu bytes on nodes %ld and %ld\n", size, src,
			dst);
		return 1;
	}
	memset(a, 0x5a, size);
	memset(b, 0xa5, size);
	for (long r = 0; r < reps; r++) {
		double t0 = now_s(), t;

		memcpy(b, a, size);
		/* the compiler may not drop a copy whose result is never read */
		__asm__ volatile("" : : "r"(b) : "memory");
		t = now_s() - t0;
		mibs[r] = (double)size / 1048576.0 / (t > 0 ? t : 1e-9);
	}
	if (b[size - 1] != 0x5a) {
		fprintf(stderr, "bench-copy: the copy did not happen\n");
		return 1;
	}
	qsort(mibs, (size_t)reps, sizeof(*mibs), cmp_double);
	median = reps % 2 ? mibs[reps / 2] : (mibs[reps / 2 - 1] + mibs[reps / 2]) / 2;
	printf("copy %ld %ld MiB/s %.1f\n", src, dst, median);
	numa_free(a, size);
	numa_free(b, size);
	free(mibs);
	return 0;
}
