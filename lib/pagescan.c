/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which pages of a range are present, and which of them are transparent
 * huge pages, without touching them: the PAGEMAP_SCAN ioctl of
 * /proc/PID/pagemap (Linux 6.7). It returns present ranges, with
 * PAGE_IS_HUGE for PMD-mapped THP, so the engine skips holes and passes one
 * address per THP. On older kernels every range is reported as one present
 * range of base pages, and the engine queries every page as before.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"
#include "pagescan.h"

/* uapi linux/fs.h of 6.7, not in older headers. */
#ifndef PAGEMAP_SCAN
struct page_region {
	uint64_t start, end, categories;
};

struct pm_scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_PFNZERO (1 << 5)
#define PAGE_IS_HUGE (1 << 6)
#endif

int nm_pagescan_open(pid_t pid, struct nm_pagescan *ps)
{
	char path[64];

	memset(ps, 0, sizeof(*ps));
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	ps->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ps->fd < 0) {
		/* Not fatal: without it every range is walked page by page. */
		ps->unsupported = true;
		return errno == ENOENT ? -ESRCH : 0;
	}
	return 0;
}

void nm_pagescan_close(struct nm_pagescan *ps)
{
	if (ps->fd >= 0)
		close(ps->fd);
	ps->fd = -1;
}

void nm_pagescan_begin(struct nm_pagescan *ps, uint64_t start, uint64_t end)
{
	ps->next = start;
	ps->end = end;
	ps->n = ps->i = 0;
}

int nm_pagescan_next(struct nm_pagescan *ps, uint64_t *ret_start, uint64_t *ret_end, bool *ret_huge)
{
	struct page_region vec[NM_PAGESCAN_VEC];

	while (ps->i >= ps->n) {
		struct pm_scan_arg arg = {
			.size = sizeof(arg),
			.start = ps->next,
			.end = ps->end,
			.vec = (uintptr_t)vec,
			.vec_len = NM_PAGESCAN_VEC,
			/* Present, and not the shared zero page (nothing to move). */
			.category_inverted = PAGE_IS_PFNZERO,
			.category_mask = PAGE_IS_PRESENT | PAGE_IS_PFNZERO,
			.return_mask = PAGE_IS_PRESENT | PAGE_IS_HUGE,
		};
		long n;

		if (ps->next >= ps->end)
			return 0;
		if (ps->unsupported) {
			/* The whole rest, as base pages: the engine asks page by page. */
			*ret_start = ps->next;
			*ret_end = ps->end;
			*ret_huge = false;
			ps->next = ps->end;
			return 1;
		}
		n = ioctl(ps->fd, PAGEMAP_SCAN, &arg);
		if (n < 0) {
			if (errno == ENOTTY || errno == EINVAL || errno == EOPNOTSUPP) {
				ps->unsupported = true;
				continue;
			}
			return errno == ESRCH ? -ESRCH : -errno;
		}
		for (long k = 0; k < n; k++) {
			ps->start[k] = vec[k].start;
			ps->stop[k] = vec[k].end;
			ps->huge[k] = vec[k].categories & PAGE_IS_HUGE;
		}
		ps->n = (size_t)n;
		ps->i = 0;
		/* Where the walk stopped: the vector filled up, or the end. */
		ps->next = arg.walk_end > ps->next ? arg.walk_end : ps->end;
	}
	*ret_start = ps->start[ps->i];
	*ret_end = ps->stop[ps->i];
	*ret_huge = ps->huge[ps->i];
	ps->i++;
	return 1;
}
