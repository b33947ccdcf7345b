/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * migrate_pages(2): the sweep that ends a batched move, and the kernel
 * engine. migrate_pages(2) pairs the nodes of its two masks by position
 * (the i-th of the old set goes to the i-th of the new, round robin), so
 * numamove makes one call when that pairing is the plan's, and one call
 * per node pair otherwise. A pair whose destination is also a source (a
 * chain, a swap) cannot be done this way: a later call would move what an
 * earlier one brought.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "internal.h"

#define BASE_PAGE ((uint64_t)getpagesize())

static void mask_set(unsigned long *mask, int node)
{
	if (node >= 0 && node < NM_MASK_BITS)
		nm_mask_set(mask, (size_t)node);
}

/* One migrate_pages(2) call, timed. Returns the pages it left, or -errno. */
static long migrate(pid_t pid, const unsigned long *from, const unsigned long *to, struct numamove_result *res)
{
	uint64_t t0 = nm_now_ns();
	long r = syscall(SYS_migrate_pages, pid, NM_MASK_BITS + 1, from, to);
	int err = errno;

	nm_result_count_call(res, nm_now_ns() - t0, true);
	return r < 0 ? -err : r;
}

/*
 * Pages the kernel has migrated since boot (/proc/vmstat pgmigrate_success,
 * in base pages: a THP counts 512). Read before and after our calls, it
 * says what they moved without walking the process again; other
 * migrations at the same moment (NUMA balancing, compaction) would count
 * too. 0 when unreadable.
 */
uint64_t nm_migrated_pages(void)
{
	static const char key[] = "\npgmigrate_success ";
	_cleanup_free_ char *text = NULL;
	const char *p;

	if (nm_read_file(NULL, "/proc/vmstat", &text, NULL) < 0)
		return 0;
	p = strstr(text, key);
	return p ? strtoull(p + sizeof(key) - 1, NULL, 10) : 0;
}

/* The sources the plan really moves, and whether @src is one of them. */
static bool moves(const struct numamove_plan *plan, int src)
{
	int dst = numamove_plan_dest(plan, src);

	return dst >= 0 && dst != src;
}

/* Whether one call with the plan's two node sets pairs every node as the plan does. */
static bool kernel_pairs_like_plan(const struct numamove_plan *plan, unsigned long *from, unsigned long *to)
{
	int srcs[NM_MASK_BITS], dsts[NM_MASK_BITS];
	size_t ns = 0, nd = 0;

	memset(from, 0, NM_MASK_WORDS * sizeof(long));
	memset(to, 0, NM_MASK_WORDS * sizeof(long));
	for (int n = 0; n <= plan->max_node && n < NM_MASK_BITS; n++)
		if (moves(plan, n)) {
			srcs[ns++] = n;
			mask_set(from, n);
			mask_set(to, numamove_plan_dest(plan, n));
		}
	for (int n = 0; n < NM_MASK_BITS; n++)
		if (nm_mask_test(to, (size_t)n))
			dsts[nd++] = n;
	/*
	 * do_migrate_pages(): the i-th set bit of the old mask goes to the
	 * (i mod |new|)-th of the new; and when the masks differ in size, a
	 * source that is also in the new mask is skipped.
	 */
	for (size_t i = 0; i < ns; i++) {
		int s = srcs[i];

		if (ns != nd && nm_mask_test(to, (size_t)s))
			return false;
		if (numamove_plan_dest(plan, s) != dsts[i % nd])
			return false;
	}
	return ns > 0;
}

/* A pair src -> dst whose destination is a source itself: not safe to do by mask. */
static bool chained(const struct numamove_plan *plan, int src)
{
	int dst = numamove_plan_dest(plan, src);

	return moves(plan, dst);
}

bool nm_plan_chains(const struct numamove_plan *plan)
{
	for (int n = 0; n <= plan->max_node; n++)
		if (moves(plan, n) && chained(plan, n))
			return true;
	return false;
}

int nm_sweep(const struct numamove_task *task, const struct numamove_plan *plan, struct numamove_result *res)
{
	pid_t pid = numamove_task_pid(task);
	uint64_t before = nm_migrated_pages(), after;

	for (int n = 0; n <= plan->max_node; n++) {
		unsigned long from[NM_MASK_WORDS] = { 0 }, to[NM_MASK_WORDS] = { 0 };

		if (!moves(plan, n) || chained(plan, n))
			continue;
		mask_set(from, n);
		mask_set(to, numamove_plan_dest(plan, n));
		if (migrate(pid, from, to, res) == -ESRCH)
			return -ESRCH;
	}
	after = nm_migrated_pages();
	res->sweep_bytes += after > before ? (after - before) * BASE_PAGE : 0;
	return 0;
}

long nm_kernel_pass(const struct numamove_task *task, const struct numamove_plan *plan, struct numamove_result *res)
{
	unsigned long from[NM_MASK_WORDS], to[NM_MASK_WORDS];
	pid_t pid = numamove_task_pid(task);
	uint64_t before, after, left = 0;
	long m = 0;

	before = nm_migrated_pages();
	if (kernel_pairs_like_plan(plan, from, to)) {
		m = migrate(pid, from, to, res);
		left = m > 0 ? (uint64_t)m : 0;
	} else {
		for (int n = 0; n <= plan->max_node && m >= 0; n++) {
			if (!moves(plan, n))
				continue;
			memset(from, 0, sizeof(from));
			memset(to, 0, sizeof(to));
			mask_set(from, n);
			mask_set(to, numamove_plan_dest(plan, n));
			m = migrate(pid, from, to, res);
			left += m > 0 ? (uint64_t)m : 0;
		}
	}
	after = nm_migrated_pages();
	res->bytes_moved += after > before ? (after - before) * BASE_PAGE : 0;
	res->pages_moved += after > before ? after - before : 0;
	return m < 0 ? m : (long)left;
}

int nm_kernel_move(const struct numamove_task *task, const struct numamove_plan *plan,
		   const struct numamove_move_opts *opts, struct numamove_result *res)
{
	long m;

	(void)opts;
	/* A node that is both a source and a destination: pages would move twice. */
	if (nm_plan_chains(plan))
		return -EXDEV;
	m = nm_kernel_pass(task, plan, res);
	if (m == -ESRCH)
		return -ESRCH;
	if (m < 0 && m != -ENOMEM)
		return (int)m;
	/* The kernel says how many it left, not why. ENOMEM leaves an unknown number. */
	if (m == -ENOMEM) {
		res->left_pages[NUMAMOVE_REASON_NOMEM]++;
	} else {
		res->left_pages[NUMAMOVE_REASON_OTHER] += (uint64_t)m;
		res->left_bytes[NUMAMOVE_REASON_OTHER] += (uint64_t)m * BASE_PAGE;
	}
	return 0;
}
