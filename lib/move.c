/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The move engine.
 *
 * For each mapping that holds pages on a source node, walk its range in
 * chunks: ask move_pages(2) (nodes = NULL) where each page is, then move
 * the pages that have a destination with move_pages(2), one call per
 * destination so that the kernel batches them. Per-page destinations make
 * any ordered mapping possible, swaps included, which migrate_pages(2) and
 * its masks cannot do.
 *
 * Nothing is taken on trust: every page that does not report its
 * destination after the call is asked again where it is, and counted as
 * moved only if it is there; otherwise it is counted under the reason the
 * kernel gave (see kernel.md: a positive return or ENOMEM leaves status
 * unfilled, and every sub-page of a THP but the first reports EBUSY
 * although the whole THP moved).
 */
#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <string.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "internal.h"

#define CHUNK_PAGES 4096
#define STATUS_UNSET (-0x7fff)

static const char *const reason_texts[NUMAMOVE_REASON_COUNT] = {
	[NUMAMOVE_REASON_SHARED] = "shared with other processes (moving them needs CAP_SYS_NICE)",
	[NUMAMOVE_REASON_BUSY] = "busy or pinned (the kernel could not isolate them)",
	[NUMAMOVE_REASON_NOMEM] = "destination node out of memory",
	[NUMAMOVE_REASON_UNMOVABLE] = "in a mapping that cannot migrate",
	[NUMAMOVE_REASON_GONE] = "freed or unmapped by the process during the move",
	[NUMAMOVE_REASON_OTHER] = "other kernel error",
};

NM_EXPORT const char *numamove_reason_text(enum numamove_reason reason)
{
	return (unsigned)reason < NUMAMOVE_REASON_COUNT ? reason_texts[reason] : "?";
}

enum numamove_reason nm_reason_from_status(int status)
{
	switch (status) {
	case -EACCES:
		return NUMAMOVE_REASON_SHARED;
	case -EBUSY:
	case -EAGAIN:
		return NUMAMOVE_REASON_BUSY;
	case -ENOMEM:
		return NUMAMOVE_REASON_NOMEM;
	case -EFAULT:
		return NUMAMOVE_REASON_UNMOVABLE;
	case -ENOENT:
		return NUMAMOVE_REASON_GONE;
	default:
		return NUMAMOVE_REASON_OTHER;
	}
}

NM_EXPORT bool numamove_can_move_shared(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_SYS_NICE / 32].effective & (1u << (CAP_SYS_NICE % 32));
}

NM_EXPORT void numamove_result_free(struct numamove_result *result)
{
	free(result);
}

NM_EXPORT uint64_t numamove_result_bytes_moved(const struct numamove_result *result)
{
	return result->bytes_moved;
}

NM_EXPORT uint64_t numamove_result_pages_moved(const struct numamove_result *result)
{
	return result->pages_moved;
}

static uint64_t sum_or_one(const uint64_t *a, int reason)
{
	uint64_t s = 0;

	if (reason >= 0)
		return reason < NUMAMOVE_REASON_COUNT ? a[reason] : 0;
	for (int i = 0; i < NUMAMOVE_REASON_COUNT; i++)
		s += a[i];
	return s;
}

NM_EXPORT uint64_t numamove_result_pages_left(const struct numamove_result *result, int reason)
{
	return sum_or_one(result->left_pages, reason);
}

NM_EXPORT uint64_t numamove_result_bytes_left(const struct numamove_result *result, int reason)
{
	return sum_or_one(result->left_bytes, reason);
}

struct engine {
	pid_t pid;
	const struct numamove_task *task;
	const struct numamove_plan *plan;
	const struct numamove_move_opts *opts;
	struct numamove_result *res;
	int flags;
	uint64_t total, done;
	bool *full; /* per destination node: ran out of memory */
	/* scratch, CHUNK_PAGES entries each */
	void **addr;
	int *status;
	void **mv_addr;
	int *mv_node, *mv_status;
};

static void count_left(struct engine *e, enum numamove_reason why, uint64_t page_size)
{
	e->res->left_pages[why]++;
	e->res->left_bytes[why] += page_size;
}

/*
 * Moves @n pages (e->mv_addr) to @dst and accounts for each. @call_err is
 * what the call returned: 0, a positive count of failures, or -errno.
 */
static int settle(struct engine *e, size_t n, int dst, long call_err, uint64_t page_size)
{
	size_t requery = 0;

	for (size_t i = 0; i < n; i++)
		if (e->mv_status[i] != dst)
			requery++;
	if (requery) {
		/* Ask the kernel again where the doubtful pages are. */
		int *where = e->status;
		void **a = e->addr;
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (e->mv_status[i] != dst)
				a[k++] = e->mv_addr[i];
		for (size_t i = 0; i < k; i++)
			where[i] = STATUS_UNSET;
		if (numa_move_pages(e->pid, (unsigned long)k, a, NULL, where, 0) < 0)
			return errno == ESRCH ? -ESRCH : -errno;
		k = 0;
		for (size_t i = 0; i < n; i++) {
			int st = e->mv_status[i], now;

			if (st == dst)
				continue;
			now = where[k++];
			if (now == dst) {
				e->mv_status[i] = dst;
				continue;
			}
			if (now < 0)
				count_left(e, NUMAMOVE_REASON_GONE, page_size);
			else if (st < 0 && st != STATUS_UNSET)
				count_left(e, nm_reason_from_status(st), page_size);
			else if (call_err == -ENOMEM)
				count_left(e, NUMAMOVE_REASON_NOMEM, page_size);
			else if (call_err > 0)
				count_left(e, NUMAMOVE_REASON_BUSY, page_size);
			else
				count_left(e, NUMAMOVE_REASON_OTHER, page_size);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (e->mv_status[i] == dst) {
			e->res->pages_moved++;
			e->res->bytes_moved += page_size;
			e->done += page_size;
		}
	return 0;
}

static int move_group(struct engine *e, size_t n, int dst, uint64_t page_size)
{
	long r;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		e->mv_node[i] = dst;
		e->mv_status[i] = STATUS_UNSET;
	}
	if (e->full[dst]) {
		for (size_t i = 0; i < n; i++)
			count_left(e, NUMAMOVE_REASON_NOMEM, page_size);
		return 0;
	}
	r = numa_move_pages(e->pid, (unsigned long)n, e->mv_addr, e->mv_node, e->mv_status, e->flags);
	if (r < 0) {
		r = -errno;
		if (r == -ESRCH || r == -EPERM || r == -EACCES || r == -EINVAL || r == -ENODEV)
			return (int)r;
		if (r == -ENOMEM)
			e->full[dst] = true;
	}
	return settle(e, n, dst, r, page_size);
}

static int walk_chunk(struct engine *e, uint64_t start, size_t n, uint64_t page_size)
{
	const struct numamove_plan *plan = e->plan;
	int r;

	for (size_t i = 0; i < n; i++) {
		e->addr[i] = (void *)(uintptr_t)(start + i * page_size);
		e->status[i] = STATUS_UNSET;
	}
	if (numa_move_pages(e->pid, (unsigned long)n, e->addr, NULL, e->status, 0) < 0)
		return -errno;

	/* One move_pages(2) call per destination, in the order of the plan. */
	for (size_t p = 0; p < plan->to->n; p++) {
		int dst = plan->to->ids[p];
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			int node = e->status[i];

			if (node >= 0 && numamove_plan_dest(plan, node) == dst)
				e->mv_addr[k++] = e->addr[i];
		}
		r = move_group(e, k, dst, page_size);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool mapping_has_work(const struct numamove_plan *plan, const struct numamove_mapping *m)
{
	if (!m->end)
		return false;
	for (size_t i = 0; i < plan->n_pairs; i++)
		if (numamove_mapping_pages(m, plan->pairs[i].src))
			return true;
	return false;
}

/* Walks [start, end) in chunks of @ps-sized pages. */
static int engine_range(struct engine *e, uint64_t start, uint64_t end, uint64_t ps)
{
	int r;

	for (uint64_t a = start; a < end;) {
		size_t n = (size_t)((end - a) / ps);

		if (n > CHUNK_PAGES)
			n = CHUNK_PAGES;
		if (n == 0)
			break;
		if (e->task) {
			r = numamove_task_check(e->task);
			if (r < 0)
				return r;
		}
		r = walk_chunk(e, a, n, ps);
		if (r == -ESRCH || (r < 0 && e->task && numamove_task_check(e->task) < 0))
			return -ESRCH;
		if (r < 0)
			return r;
		if (e->opts && e->opts->progress && e->opts->progress(e->done, e->total, e->opts->userdata))
			return -ECANCELED;
		a += n * ps;
	}
	return 0;
}

static int run(struct engine *e)
{
	const struct numamove_maps *maps = e->plan->maps;
	int r;

	for (size_t i = 0; i < maps->n; i++) {
		const struct numamove_mapping *m = &maps->m[i];
		/* Walk hugetlb mappings by their page size, the rest by base pages. */
		uint64_t ps = m->kind == NUMAMOVE_KIND_HUGE ? m->page_size : (uint64_t)getpagesize();

		if (!mapping_has_work(e->plan, m))
			continue;
		r = engine_range(e, m->start, m->end, ps);
		if (r < 0)
			return r;
	}
	return 0;
}

static int engine_init(struct engine *e, pid_t pid, const struct numamove_task *task,
		       const struct numamove_plan *plan, const struct numamove_move_opts *opts)
{
	*e = (struct engine){
		.pid = pid,
		.task = task,
		.plan = plan,
		.opts = opts && opts->sz >= sizeof(*opts) ? opts : NULL,
	};
	if (numa_available() < 0)
		return -ENOSYS;
	e->flags = MPOL_MF_MOVE;
	if (numamove_can_move_shared() && !(e->opts && (e->opts->flags & NUMAMOVE_MOVE_PRIVATE_ONLY)))
		e->flags = MPOL_MF_MOVE_ALL;
	e->total = numamove_plan_bytes(plan, -1, -1);
	e->res = calloc(1, sizeof(*e->res));
	e->full = calloc((size_t)plan->max_node + 1, sizeof(bool));
	e->addr = calloc(CHUNK_PAGES, sizeof(void *));
	e->mv_addr = calloc(CHUNK_PAGES, sizeof(void *));
	e->status = calloc(CHUNK_PAGES, sizeof(int));
	e->mv_node = calloc(CHUNK_PAGES, sizeof(int));
	e->mv_status = calloc(CHUNK_PAGES, sizeof(int));
	if (e->res && e->full && e->addr && e->mv_addr && e->status && e->mv_node && e->mv_status)
		return 0;
	return -ENOMEM;
}

/* Hands the result out when there is one worth reporting, frees the rest; returns @r. */
static int engine_finish(struct engine *e, int r, struct numamove_result **ret_result)
{
	if (e->res && (r == 0 || e->res->pages_moved || numamove_result_pages_left(e->res, -1)))
		*ret_result = TAKE_PTR(e->res);
	free(e->res);
	free(e->full);
	free(e->addr);
	free(e->mv_addr);
	free(e->status);
	free(e->mv_node);
	free(e->mv_status);
	return r;
}

NM_EXPORT int numamove_move(const struct numamove_task *task, const struct numamove_plan *plan,
			    const struct numamove_move_opts *opts, struct numamove_result **ret_result)
{
	struct engine e;
	int r = engine_init(&e, numamove_task_pid(task), task, plan, opts);

	if (r == 0)
		r = run(&e);
	return engine_finish(&e, r, ret_result);
}

int nm_move_range(pid_t pid, const struct numamove_task *task, const struct numamove_plan *plan,
		  uint64_t start, uint64_t end, uint64_t page_size, const struct numamove_move_opts *opts,
		  struct numamove_result **ret_result)
{
	struct engine e;
	int r = engine_init(&e, pid, task, plan, opts);

	if (r == 0)
		r = engine_range(&e, start, end, page_size);
	return engine_finish(&e, r, ret_result);
}
