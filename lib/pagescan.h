/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Present ranges of a process's address space (PAGEMAP_SCAN), with a fallback. */
#ifndef NUMAMOVE_PAGESCAN_H
#define NUMAMOVE_PAGESCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define NM_PAGESCAN_VEC 256

struct nm_pagescan {
	int fd;
	bool unsupported; /* no PAGEMAP_SCAN: one range, all of it */
	uint64_t next, end;
	size_t n, i;
	uint64_t start[NM_PAGESCAN_VEC], stop[NM_PAGESCAN_VEC];
	bool huge[NM_PAGESCAN_VEC];
};

/* /proc/PID/pagemap (@pid 0: our own). Only a vanished process is an error. */
int nm_pagescan_open(pid_t pid, struct nm_pagescan *ps);
void nm_pagescan_close(struct nm_pagescan *ps);
void nm_pagescan_begin(struct nm_pagescan *ps, uint64_t start, uint64_t end);
/*
 * The next present range of [start, end) given to nm_pagescan_begin():
 * 1 with the range and whether it is PMD-mapped THP (or hugetlb), 0 at the
 * end, or -errno.
 */
int nm_pagescan_next(struct nm_pagescan *ps, uint64_t *ret_start, uint64_t *ret_end, bool *ret_huge);

#endif
