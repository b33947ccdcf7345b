/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The move engine.
 *
 * The mappings that hold pages on a source node are cut into slices, which
 * N workers (threads) take in turn. A worker asks PAGEMAP_SCAN which pages
 * of its slice are present (holes are skipped, and a transparent huge page
 * is passed as one 2 MiB-aligned address, never as its 512 sub-pages), asks
 * move_pages(2) (nodes = NULL) where they are, and moves those that have a
 * destination with move_pages(2), one call per destination so that the
 * kernel batches them. Per-page destinations make any ordered mapping
 * possible, swaps included, which migrate_pages(2) and its masks cannot do.
 *
 * Gentle: a shared pacer spaces the calls so that at most --rate bytes per
 * second move, and with a stall bound each worker sizes its calls (start
 * small, grow while a call stays well under the bound, halve when over).
 * Memory does not grow with the target: a worker holds one chunk at a time.
 *
 * Complete: pages that the process faulted in meanwhile, in mappings or
 * ranges already walked, are picked up by one migrate_pages(2) per node
 * pair at the end (the sweep), counted apart.
 *
 * Nothing is taken on trust: every page that does not report its
 * destination after the call is asked again where it is, and counted as
 * moved only if it is there; otherwise it is counted under the reason the
 * kernel gave (move_pages(2) leaves the status array unfilled when it
 * returns a positive count or fails with ENOMEM, and every sub-page of a
 * THP but the first reports EBUSY although the whole THP moved).
 */
#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <linux/capability.h>

#include "internal.h"
#include "opts.h"
#include "pagescan.h"

/*
 * A status slot move_pages(2) has not filled: negative like the errors it
 * writes, so no node, and far below any errno (at most 4095) so no reason.
 */
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
	return (unsigned)reason < NUMAMOVE_REASON_COUNT ? reason_texts[reason] : NULL;
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
	return nm_have_cap(CAP_SYS_NICE);
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

/* Addresses per move_pages(2) call at most, and bytes at most. */
#define CHUNK_MAX 16384
#define CHUNK_BYTES_MAX (64u << 20)
#define CHUNK_BYTES_MIN (64u << 10)
/* A worker takes this much address space at a time. */
#define SLICE_BYTES (64u << 20)
#define THP_SIZE (2u << 20)
#define NSEC 1000000000ULL

/* A range of the target to walk: a mapping, or an object's mapping in us. */
struct span {
	uint64_t start, end, page_size;
	bool hugetlb; /* walked by its page size; PAGEMAP_SCAN not needed */
	int dest;     /* >= 0: all its pages go there, no need to ask where each is */
};

/* A pacer (see pace()). */
struct numamove_pacer {
	pthread_mutex_t lock;
	_Atomic uint64_t rate;
	uint64_t next_slot_ns;
};

/* What the workers share. */
struct engine {
	pid_t pid;
	const struct numamove_task *task;
	const struct numamove_plan *plan;
	struct numamove_move_opts opts;
	int flags; /* MPOL_MF_MOVE or MPOL_MF_MOVE_ALL */
	uint64_t total;
	_Atomic uint64_t done;
	atomic_bool stop;
	atomic_int error; /* the first fatal error of a worker */
	atomic_bool *full; /* per destination node: ran out of memory */
	struct span *spans;
	size_t n_spans;
	pthread_mutex_t lock; /* the cursor */
	size_t cur_span;
	uint64_t cur_addr;
	struct numamove_pacer own_pacer; /* for opts.rate */
	struct numamove_pacer *pacer;    /* opts.pacer, shared with other moves, or NULL */
	bool kernel_pass;                /* the pass is migrate_pages(2): done read from the kernel's count */
	uint64_t migrated_before;        /* its pgmigrate_success before */
};

struct worker {
	struct engine *e;
	pthread_t thread;
	struct numamove_result res;
	uint64_t chunk_bytes; /* bytes per call, adapted under a stall bound */
	void **addr;
	int *status;
	void **mv_addr;
	int *mv_node, *mv_status;
	struct nm_pagescan scan;
	/* Pages with a known destination gathered in mv_addr across ranges and mappings, not yet moved. */
	size_t pend_n;
	int pend_dest;
	uint64_t pend_page_size;
};

static void count_left(struct worker *w, enum numamove_reason why, uint64_t page_size)
{
	w->res.left_pages[why]++;
	w->res.left_bytes[why] += page_size;
}

/*
 * A move_pages(2) call, timed when it moves pages (@nodes): the longest is
 * about how long the process may have waited for a page. Asking where
 * pages are (@nodes NULL) makes it wait for none.
 */
static long timed_move_pages(struct worker *w, size_t n, void **addr, const int *nodes, int *status, int flags)
{
	uint64_t t0 = nm_now_ns();
	long r = numa_move_pages(w->e->pid, (unsigned long)n, addr, nodes, status, flags);
	int err = errno;

	nm_result_count_call(&w->res, nm_now_ns() - t0, nodes != NULL);
	errno = err;
	return r;
}

/*
 * A pacer spaces calls so that at most @rate bytes per second go through
 * it: each call takes the next free slot, as long as its bytes take at the
 * rate. The engine has one of its own for opts.rate; requests running at
 * once may share one (numamove_pacer_new()), and then every worker of
 * every move waits for the same slots.
 */
NM_EXPORT int numamove_pacer_new(uint64_t rate, struct numamove_pacer **ret_pacer)
{
	struct numamove_pacer *p;

	if (!ret_pacer)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	p->rate = rate;
	*ret_pacer = p;
	return 0;
}

NM_EXPORT void numamove_pacer_free(struct numamove_pacer *pacer)
{
	if (!pacer)
		return;
	pthread_mutex_destroy(&pacer->lock);
	free(pacer);
}

NM_EXPORT void numamove_pacer_set_rate(struct numamove_pacer *pacer, uint64_t rate)
{
	if (pacer)
		pacer->rate = rate;
}

/* The rate in force: the shared pacer's, else opts.rate. */
static uint64_t engine_rate(const struct engine *e)
{
	return e->pacer ? e->pacer->rate : e->opts.rate;
}

/* Waits until the pacer lets @bytes go. */
static void pace(struct engine *e, uint64_t bytes)
{
	struct numamove_pacer *p = e->pacer ? e->pacer : &e->own_pacer;
	uint64_t now, start, rate = engine_rate(e);
	struct timespec ts;

	if (!rate)
		return;
	pthread_mutex_lock(&p->lock);
	now = nm_now_ns();
	start = p->next_slot_ns > now ? p->next_slot_ns : now;
	p->next_slot_ns = start + (uint64_t)((double)bytes * (double)NSEC / (double)rate);
	pthread_mutex_unlock(&p->lock);
	if (start <= now)
		return;
	ts.tv_sec = (time_t)(start / NSEC);
	ts.tv_nsec = (long)(start % NSEC);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * Under a stall bound: halve the chunk after a call over a quarter of the
 * bound, double it after a full-size one under an eighth. Calls then stay
 * well under the bound, with room for one that takes longer than its size
 * says (a page that needs compaction, a preempted CPU). A small call, at
 * the end of a range, says nothing about a bigger one. Not below 64 KiB
 * (one page if larger): when even that takes longer (a starved CPU),
 * smaller calls would only cost throughput.
 */
static void adapt(struct worker *w, uint64_t call_ns, uint64_t bytes)
{
	uint64_t bound = (uint64_t)w->e->opts.max_stall_ms * 1000000ULL;

	if (!bound)
		return;
	if (call_ns > bound / 4 && w->chunk_bytes / 2 >= CHUNK_BYTES_MIN)
		w->chunk_bytes /= 2;
	else if (call_ns < bound / 8 && bytes >= w->chunk_bytes && w->chunk_bytes < CHUNK_BYTES_MAX)
		w->chunk_bytes *= 2;
}

/*
 * Moves @n pages (w->mv_addr) to @dst and accounts for each. @call_err is
 * what the call returned: 0, a positive count of failures, or -errno.
 */
static int settle(struct worker *w, size_t n, int dst, long call_err, uint64_t page_size)
{
	size_t requery = 0;

	for (size_t i = 0; i < n; i++)
		if (w->mv_status[i] != dst)
			requery++;
	if (requery) {
		/* Ask the kernel again where the doubtful pages are. */
		int *where = w->status;
		void **a = w->addr;
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (w->mv_status[i] != dst)
				a[k++] = w->mv_addr[i];
		for (size_t i = 0; i < k; i++)
			where[i] = STATUS_UNSET;
		if (timed_move_pages(w, k, a, NULL, where, 0) < 0)
			return errno == ESRCH ? -ESRCH : -errno;
		k = 0;
		for (size_t i = 0; i < n; i++) {
			int st = w->mv_status[i], now;

			if (st == dst)
				continue;
			now = where[k++];
			if (now == dst) {
				w->mv_status[i] = dst;
				continue;
			}
			if (now < 0)
				count_left(w, NUMAMOVE_REASON_GONE, page_size);
			else if (st < 0 && st != STATUS_UNSET)
				count_left(w, nm_reason_from_status(st), page_size);
			else if (call_err == -ENOMEM)
				count_left(w, NUMAMOVE_REASON_NOMEM, page_size);
			else if (call_err > 0)
				count_left(w, NUMAMOVE_REASON_BUSY, page_size);
			else
				count_left(w, NUMAMOVE_REASON_OTHER, page_size);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (w->mv_status[i] == dst) {
			w->res.pages_moved++;
			w->res.bytes_moved += page_size;
			w->e->done += page_size;
		}
	return 0;
}

static int move_group(struct worker *w, size_t n, int dst, uint64_t page_size)
{
	struct engine *e = w->e;
	uint64_t t0;
	long r;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		w->mv_node[i] = dst;
		w->mv_status[i] = STATUS_UNSET;
	}
	if (e->full[dst]) {
		for (size_t i = 0; i < n; i++)
			count_left(w, NUMAMOVE_REASON_NOMEM, page_size);
		return 0;
	}
	pace(e, n * page_size);
	t0 = nm_now_ns();
	r = timed_move_pages(w, n, w->mv_addr, w->mv_node, w->mv_status, e->flags);
	adapt(w, nm_now_ns() - t0, n * page_size);
	if (r < 0) {
		r = -errno;
		if (r == -ESRCH || r == -EPERM || r == -EACCES || r == -EINVAL || r == -ENODEV)
			return (int)r;
		if (r == -ENOMEM)
			e->full[dst] = true;
	}
	return settle(w, n, dst, r, page_size);
}

static size_t chunk_pages(const struct worker *w, uint64_t page_size);

/* Moves the pages gathered so far. */
static int flush_pending(struct worker *w)
{
	size_t n = w->pend_n;

	w->pend_n = 0;
	return move_group(w, n, w->pend_dest, w->pend_page_size);
}

/*
 * @n pages from @start, @page_size apart: where they are, then the moves.
 * With @dest >= 0 every page goes there, and asking first is skipped; the
 * pages are gathered, across ranges and mappings, until a call's worth:
 * every move_pages(2) call costs a drain of every CPU's LRU caches and an
 * RCU grace period, which a process of many small mappings (or of many
 * holes) would otherwise pay once for each.
 */
static int walk_chunk(struct worker *w, uint64_t start, size_t n, uint64_t page_size, int dest)
{
	const struct numamove_plan *plan = w->e->plan;
	int r;

	if (dest >= 0) {
		size_t max = chunk_pages(w, page_size);

		if (w->pend_n && (w->pend_dest != dest || w->pend_page_size != page_size || w->pend_n + n > max)) {
			r = flush_pending(w);
			if (r < 0)
				return r;
		}
		for (size_t i = 0; i < n; i++)
			w->mv_addr[w->pend_n + i] = (void *)(uintptr_t)(start + i * page_size);
		w->pend_n += n;
		w->pend_dest = dest;
		w->pend_page_size = page_size;
		return w->pend_n >= max ? flush_pending(w) : 0;
	}
	/* mv_addr is needed below. */
	if (w->pend_n) {
		r = flush_pending(w);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < n; i++) {
		w->addr[i] = (void *)(uintptr_t)(start + i * page_size);
		w->status[i] = STATUS_UNSET;
	}
	if (timed_move_pages(w, n, w->addr, NULL, w->status, 0) < 0)
		return -errno;

	/* One move_pages(2) call per destination, in the order of the plan. */
	for (size_t p = 0; p < plan->to->n; p++) {
		int dst = plan->to->ids[p];
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			int node = w->status[i];

			if (node >= 0 && numamove_plan_dest(plan, node) == dst)
				w->mv_addr[k++] = w->addr[i];
		}
		r = move_group(w, k, dst, page_size);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Pages of @page_size per call: by the worker's chunk, by count, and by the rate (a tenth of a second). */
static size_t chunk_pages(const struct worker *w, uint64_t page_size)
{
	const struct engine *e = w->e;
	uint64_t bytes = w->chunk_bytes, n;

	if (engine_rate(e) && engine_rate(e) / 10 < bytes)
		bytes = engine_rate(e) / 10;
	n = bytes / page_size;
	if (n > CHUNK_MAX)
		n = CHUNK_MAX;
	return n ? (size_t)n : 1;
}

/* Walks [start, end) by @page_size in chunks. */
static int walk_range(struct worker *w, uint64_t start, uint64_t end, uint64_t page_size, int dest)
{
	struct engine *e = w->e;
	int r;

	for (uint64_t a = start; a < end && !e->stop;) {
		size_t n = (size_t)((end - a) / page_size);
		size_t c = chunk_pages(w, page_size);

		if (n == 0)
			break;
		if (n > c)
			n = c;
		r = walk_chunk(w, a, n, page_size, dest);
		if (r < 0)
			return r;
		a += n * page_size;
	}
	return 0;
}

/* The next slice of address space to walk, or false when all are taken. */
static bool take_slice(struct engine *e, struct span *ret)
{
	bool found = false;

	pthread_mutex_lock(&e->lock);
	while (e->cur_span < e->n_spans) {
		const struct span *sp = &e->spans[e->cur_span];
		uint64_t start = e->cur_addr > sp->start ? e->cur_addr : sp->start;
		uint64_t align = sp->page_size > THP_SIZE ? sp->page_size : THP_SIZE;
		uint64_t end = (start + SLICE_BYTES + align - 1) / align * align;

		if (start >= sp->end) {
			e->cur_span++;
			e->cur_addr = 0;
			continue;
		}
		*ret = *sp;
		ret->start = start;
		ret->end = end < sp->end ? end : sp->end;
		e->cur_addr = ret->end;
		found = true;
		break;
	}
	pthread_mutex_unlock(&e->lock);
	return found;
}

static int walk_slice(struct worker *w, const struct span *sl)
{
	uint64_t a, b;
	bool huge;
	int r;

	nm_pagescan_begin(&w->scan, sl->start, sl->end);
	while ((r = nm_pagescan_next(&w->scan, &a, &b, &huge)) > 0) {
		/* Without PAGEMAP_SCAN the range has holes: ask where each page is. */
		int dest = w->scan.unsupported ? -1 : sl->dest;

		if (sl->hugetlb) {
			/* Present hugetlb pages: by their size, from an aligned address. */
			a -= a % sl->page_size;
			r = walk_range(w, a, b, sl->page_size, dest);
		} else if (huge && a % THP_SIZE == 0 && b % THP_SIZE == 0) {
			/* A PMD-mapped THP moves whole when passed by its aligned address. */
			r = walk_range(w, a, b, THP_SIZE, dest);
		} else {
			r = walk_range(w, a, b, sl->page_size, dest);
		}
		if (r < 0)
			return r;
	}
	return r;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->e;
	struct span sl;

	for (;;) {
		bool more = !e->stop && take_slice(e, &sl);
		int r = e->task ? numamove_task_check(e->task) : 0;

		if (r == 0 && more)
			r = walk_slice(w, &sl);
		/* The last pages gathered, at the end (not after a stop). */
		if (r == 0 && !more && w->pend_n && !e->stop)
			r = flush_pending(w);
		if (r < 0 && e->task && nm_task_exiting(e->task))
			r = -ESRCH;
		if (r < 0) {
			int none = 0;

			atomic_compare_exchange_strong(&e->error, &none, r);
			e->stop = true;
		}
		if (!more || r < 0)
			break;
	}
	return NULL;
}

static int worker_init(struct worker *w, struct engine *e)
{
	memset(w, 0, sizeof(*w));
	w->scan.fd = -1;
	w->e = e;
	w->chunk_bytes = e->opts.max_stall_ms ? CHUNK_BYTES_MIN : CHUNK_BYTES_MAX;
	w->addr = calloc(CHUNK_MAX, sizeof(void *));
	w->mv_addr = calloc(CHUNK_MAX, sizeof(void *));
	w->status = calloc(CHUNK_MAX, sizeof(int));
	w->mv_node = calloc(CHUNK_MAX, sizeof(int));
	w->mv_status = calloc(CHUNK_MAX, sizeof(int));
	if (!w->addr || !w->mv_addr || !w->status || !w->mv_node || !w->mv_status)
		return -ENOMEM;
	return nm_pagescan_open(e->pid, &w->scan);
}

static void worker_free(struct worker *w)
{
	nm_pagescan_close(&w->scan);
	free(w->addr);
	free(w->mv_addr);
	free(w->status);
	free(w->mv_node);
	free(w->mv_status);
}

static void merge(struct numamove_result *into, const struct numamove_result *from)
{
	into->pages_moved += from->pages_moved;
	into->bytes_moved += from->bytes_moved;
	for (int i = 0; i < NUMAMOVE_REASON_COUNT; i++) {
		into->left_pages[i] += from->left_pages[i];
		into->left_bytes[i] += from->left_bytes[i];
	}
	into->calls += from->calls;
	if (from->max_call_ns > into->max_call_ns)
		into->max_call_ns = from->max_call_ns;
}

/* How often the progress callback runs while the workers copy (the header promises about 100 ms). */
#define PROGRESS_NS (100 * 1000000ULL)

/* The workers still running; the last one to end wakes the caller's thread. */
struct crew {
	pthread_mutex_t lock;
	pthread_cond_t ended; /* on CLOCK_MONOTONIC, like nm_now_ns() */
	unsigned int running;
};

static int crew_init(struct crew *c)
{
	pthread_condattr_t attr;
	int r;

	c->running = 0;
	r = pthread_condattr_init(&attr);
	if (r == 0)
		r = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (r == 0)
		r = pthread_cond_init(&c->ended, &attr);
	pthread_condattr_destroy(&attr);
	if (r == 0 && (r = pthread_mutex_init(&c->lock, NULL)) != 0)
		pthread_cond_destroy(&c->ended);
	return -r;
}

static void crew_destroy(struct crew *c)
{
	pthread_cond_destroy(&c->ended);
	pthread_mutex_destroy(&c->lock);
}

static void crew_add(struct crew *c, int n)
{
	pthread_mutex_lock(&c->lock);
	c->running = (unsigned int)((int)c->running + n);
	if (c->running == 0)
		pthread_cond_signal(&c->ended);
	pthread_mutex_unlock(&c->lock);
}

/*
 * Sleeps until the workers end, waking about every 100 ms to call the
 * progress callback (on this, the caller's, thread; it may stop them).
 */
static void watch(struct engine *e, struct crew *c)
{
	pthread_mutex_lock(&c->lock);
	while (c->running) {
		uint64_t at = nm_now_ns() + PROGRESS_NS;
		struct timespec ts = { .tv_sec = (time_t)(at / 1000000000ULL), .tv_nsec = (long)(at % 1000000000ULL) };

		while (c->running && pthread_cond_timedwait(&c->ended, &c->lock, &ts) != ETIMEDOUT)
			;
		if (!c->running)
			break;
		/* Unlocked: a worker that ends meanwhile must not wait for the callback. */
		pthread_mutex_unlock(&c->lock);
		if (e->kernel_pass) {
			uint64_t now = nm_migrated_pages(), d = now > e->migrated_before ? now - e->migrated_before : 0;
			uint64_t bytes = d * (uint64_t)getpagesize();

			e->done = bytes < e->total ? bytes : e->total;
		}
		if (e->opts.progress && e->opts.progress(e->done, e->total, e->opts.userdata))
			e->stop = true;
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
}

struct runner {
	struct worker *w;
	struct crew *crew;
};

static void *runner_main(void *arg)
{
	struct runner *rn = arg;

	worker_main(rn->w);
	crew_add(rn->crew, -1);
	return NULL;
}

/* The batched pass: @jobs workers over the spans; the result of all. */
static int batched(struct engine *e, unsigned int jobs, struct numamove_result *res)
{
	struct worker *w = calloc(jobs, sizeof(*w));
	struct runner *rn = calloc(jobs, sizeof(*rn));
	struct crew crew;
	sigset_t all, old;
	unsigned int started = 0;
	int r = 0;

	if (!w || !rn) {
		free(w);
		free(rn);
		return -ENOMEM;
	}
	r = crew_init(&crew);
	if (r < 0) {
		free(w);
		free(rn);
		return r;
	}
	for (unsigned int i = 0; i < jobs; i++)
		w[i].scan.fd = -1; /* worker_free() of one never set up closes nothing */
	for (unsigned int i = 0; i < jobs && r == 0; i++)
		r = worker_init(&w[i], e);
	/* Signals go to the caller's thread, not to the workers. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned int i = 0; i < jobs && r == 0; i++) {
		rn[i] = (struct runner){ .w = &w[i], .crew = &crew };
		crew_add(&crew, 1);
		if (pthread_create(&w[i].thread, NULL, runner_main, &rn[i]) != 0) {
			crew_add(&crew, -1);
			r = started ? 0 : -EAGAIN; /* fewer workers, or none at all */
			break;
		}
		started++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started)
		watch(e, &crew);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(w[i].thread, NULL);
	crew_destroy(&crew);
	for (unsigned int i = 0; i < jobs; i++) {
		merge(res, &w[i].res);
		worker_free(&w[i]);
	}
	res->jobs = started;
	free(w);
	free(rn);
	if (r == 0)
		r = e->error;
	if (r == 0 && e->stop)
		r = -ECANCELED;
	return r;
}

struct kernel_runner {
	struct engine *e;
	struct numamove_result *res;
	struct crew *crew;
	long left; /* what nm_kernel_pass() returned */
};

static void *kernel_runner_main(void *arg)
{
	struct kernel_runner *kr = arg;
	struct engine *e = kr->e;
	int r = e->task ? numamove_task_check(e->task) : 0;

	kr->left = r < 0 ? r : nm_kernel_pass(e->task, e->plan, kr->res);
	crew_add(kr->crew, -1);
	return NULL;
}

/*
 * The pass as migrate_pages(2), one call per node pair (or one for all):
 * the kernel walks the process's page tables once, in order, where
 * move_pages(2) looks every page up on its own; with one worker it is the
 * faster of the two. It runs on a thread of its own, signals blocked, so
 * that the caller's thread still calls progress about every 100 ms (with
 * the bytes from pgmigrate_success's rise); a stop takes effect when the
 * call returns, as a migrate_pages(2) call cannot be interrupted. Returns
 * the pages the kernel says it left, or -errno.
 */
static long kernel_pass(struct engine *e, struct numamove_result *res)
{
	struct kernel_runner kr = { .e = e, .res = res, .left = 0 };
	struct crew crew;
	sigset_t all, old;
	pthread_t thread;
	int r;

	r = crew_init(&crew);
	if (r < 0)
		return r;
	kr.crew = &crew;
	e->kernel_pass = true;
	e->migrated_before = nm_migrated_pages();
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	crew_add(&crew, 1);
	r = pthread_create(&thread, NULL, kernel_runner_main, &kr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		/* No thread: the call on this one, without progress. */
		crew_add(&crew, -1);
		kernel_runner_main(&kr);
		crew_add(&crew, 1);
	} else {
		watch(e, &crew);
		pthread_join(thread, NULL);
	}
	crew_destroy(&crew);
	e->kernel_pass = false;
	/* Other migrations may count in pgmigrate_success: never more than the plan holds. */
	if (res->bytes_moved > e->total) {
		res->bytes_moved = e->total;
		res->pages_moved = e->total / (uint64_t)getpagesize();
	}
	e->done = res->bytes_moved;
	res->jobs = 1;
	return kr.left;
}

/* Where the calling process may run. */
static size_t allowed_cpus(cpu_set_t *set)
{
	CPU_ZERO(set);
	if (sched_getaffinity(0, sizeof(*set), set) < 0)
		return 1;
	return (size_t)CPU_COUNT(set);
}

/*
 * Every CPU the caller may run on, not only the destination's: a worker
 * spends most of its time in the kernel looking pages up, isolating and
 * unmapping them, which any CPU does as well; the copy is a small part.
 * A destination with one CPU (or none) would otherwise make the move
 * single-threaded on a machine with CPUs to spare.
 */
NM_EXPORT unsigned int numamove_default_jobs(const struct numamove_plan *plan)
{
	cpu_set_t mine;
	size_t own = allowed_cpus(&mine);

	(void)plan;
	return own > NUMAMOVE_JOBS_MAX ? NUMAMOVE_JOBS_MAX : own ? (unsigned int)own : 1;
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

/*
 * The one destination of all of @m's pages, when numa_maps shows them all
 * on source nodes that go to the same node; -1 otherwise (each page is
 * asked where it is). A page that arrives on another node during the move
 * then goes there too, or, if the process faults it in after the pass
 * walked by, to the sweep.
 */
static int single_dest(const struct numamove_plan *plan, const struct numamove_mapping *m)
{
	int dest = -1;

	for (size_t n = 0; n < m->n_nodes; n++) {
		int d;

		if (!m->pages[n])
			continue;
		d = numamove_plan_dest(plan, (int)n);
		/* Pages staying, or already where they go, must be told apart: ask. */
		if (d < 0 || d == (int)n || (dest >= 0 && d != dest))
			return -1;
		dest = d;
	}
	return dest;
}

static int spans_of_plan(struct engine *e)
{
	const struct numamove_maps *maps = e->plan->maps;

	e->spans = calloc(maps->n + 1, sizeof(*e->spans));
	if (!e->spans)
		return -ENOMEM;
	for (size_t i = 0; i < maps->n; i++) {
		const struct numamove_mapping *m = &maps->m[i];
		bool hugetlb = m->kind == NUMAMOVE_KIND_HUGE;

		if (!mapping_has_work(e->plan, m))
			continue;
		e->spans[e->n_spans++] = (struct span){
			.start = m->start,
			.end = m->end,
			.page_size = hugetlb ? m->page_size : (uint64_t)getpagesize(),
			.hugetlb = hugetlb,
			.dest = single_dest(e->plan, m),
		};
	}
	return 0;
}

/*
 * The caller's options, checked the libbpf way (lib/opts.h): only the
 * fields inside its sz are read, the rest take their defaults (0); a sz
 * that cannot hold sz itself, or a non-zero byte past the fields this
 * library knows (an option of a newer one), is -EINVAL. So is an option
 * that cannot apply: unknown flags, an engine out of range, more workers
 * than NUMAMOVE_JOBS_MAX, and pacing, workers or a stall bound for the
 * kernel engine (one uninterruptible migrate_pages(2) call), or
 * NUMAMOVE_MOVE_PRIVATE_ONLY for it (migrate_pages(2) moves shared pages
 * whenever the caller has CAP_SYS_NICE).
 */
static int move_opts_read(const struct numamove_move_opts *opts, struct numamove_move_opts *out)
{
	if (!NM_OPTS_VALID(opts, numamove_move_opts))
		return -EINVAL;
	*out = (struct numamove_move_opts){
		.sz = sizeof(*out),
		.progress = NM_OPTS_GET(opts, progress, NULL),
		.userdata = NM_OPTS_GET(opts, userdata, NULL),
		.flags = NM_OPTS_GET(opts, flags, 0),
		.jobs = NM_OPTS_GET(opts, jobs, 0),
		.rate = NM_OPTS_GET(opts, rate, 0),
		.max_stall_ms = NM_OPTS_GET(opts, max_stall_ms, 0),
		.engine = NM_OPTS_GET(opts, engine, NUMAMOVE_ENGINE_BATCHED),
		.pacer = NM_OPTS_GET(opts, pacer, NULL),
	};
	if (out->flags & ~(NUMAMOVE_MOVE_PRIVATE_ONLY | NUMAMOVE_MOVE_NO_SWEEP))
		return -EINVAL;
	if (out->engine != NUMAMOVE_ENGINE_BATCHED && out->engine != NUMAMOVE_ENGINE_KERNEL)
		return -EINVAL;
	if (out->jobs > NUMAMOVE_JOBS_MAX)
		return -EINVAL;
	if (out->engine == NUMAMOVE_ENGINE_KERNEL &&
	    (out->jobs || out->rate || out->max_stall_ms || out->pacer || (out->flags & NUMAMOVE_MOVE_PRIVATE_ONLY)))
		return -EINVAL;
	return 0;
}

static int engine_init(struct engine *e, pid_t pid, const struct numamove_task *task,
		       const struct numamove_plan *plan, const struct numamove_move_opts *opts)
{
	int r;

	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->task = task;
	e->plan = plan;
	pthread_mutex_init(&e->lock, NULL);
	pthread_mutex_init(&e->own_pacer.lock, NULL);
	r = move_opts_read(opts, &e->opts);
	e->own_pacer.rate = e->opts.rate;
	e->pacer = e->opts.pacer;
	if (r < 0)
		return r;
	if (!plan)
		return -EINVAL;
	if (numa_available() < 0)
		return -ENOSYS;
	e->flags = MPOL_MF_MOVE;
	if (numamove_can_move_shared() && !(e->opts.flags & NUMAMOVE_MOVE_PRIVATE_ONLY))
		e->flags = MPOL_MF_MOVE_ALL;
	e->total = numamove_plan_bytes(plan, -1, -1);
	e->full = calloc((size_t)plan->max_node + 1, sizeof(*e->full));
	return e->full ? 0 : -ENOMEM;
}

static void engine_free(struct engine *e)
{
	pthread_mutex_destroy(&e->lock);
	pthread_mutex_destroy(&e->own_pacer.lock);
	free(e->full);
	free(e->spans);
}

/*
 * Hands the result out: always written, on failure too (the work done
 * before it stopped), or NULL when nothing was done; returns @r.
 */
static int hand_out(struct numamove_result *res, int r, struct numamove_result **ret_result)
{
	if (res && (r == 0 || res->pages_moved || numamove_result_pages_left(res, -1) || res->sweep_bytes)) {
		*ret_result = res;
		return r;
	}
	free(res);
	*ret_result = NULL;
	return r;
}

static unsigned int jobs_for(const struct engine *e)
{
	unsigned int jobs = e->opts.jobs ? e->opts.jobs : numamove_default_jobs(e->plan);
	uint64_t slices = 0;

	/* No more workers than slices to share. */
	for (size_t i = 0; i < e->n_spans; i++)
		slices += (e->spans[i].end - e->spans[i].start + SLICE_BYTES - 1) / SLICE_BYTES;
	if (slices < jobs)
		jobs = slices ? (unsigned int)slices : 1;
	return jobs;
}

/*
 * Whether the pass can be migrate_pages(2) (kernel_pass()): one worker,
 * nothing to pace or bound (a migrate_pages(2) call can be neither), no
 * chain or swap (a later call would move what an earlier one brought), and
 * shared pages may move (migrate_pages(2) moves them whenever the caller
 * has CAP_SYS_NICE, and skips them silently otherwise, which the count
 * after it finds).
 */
static bool kernel_pass_fits(const struct engine *e, unsigned int jobs)
{
	return jobs == 1 && !engine_rate(e) && !e->opts.max_stall_ms && !e->pacer &&
	       !((e->opts.flags & NUMAMOVE_MOVE_PRIVATE_ONLY) && numamove_can_move_shared()) &&
	       !nm_plan_chains(e->plan);
}

/* Pages the pass left on their nodes (not freed meanwhile). */
static bool left_not_gone(const struct numamove_result *res)
{
	return numamove_result_pages_left(res, -1) > numamove_result_pages_left(res, NUMAMOVE_REASON_GONE);
}

/*
 * The sweep as a second batched pass, from a fresh numa_maps, under a stall
 * bound (a migrate_pages(2) call cannot be bounded). It counts each page it
 * sees: what it leaves is what is left, and of the first pass only the
 * pages that are gone count besides. After a migrate_pages(2) pass
 * (@recount), it is the page-by-page count of what that left, and what it
 * moves counts as moved by the pass, not as swept. When it moved nothing,
 * that numa_maps still says where the pages are: it goes to @ret_after
 * (when not NULL), so that the caller need not walk the process again.
 */
static int sweep_batched(const struct engine *first, struct numamove_result *res, bool recount,
			 struct numamove_maps **ret_after)
{
	struct numamove_result again = { 0 };
	struct numamove_maps *maps = NULL;
	struct numamove_plan *plan = NULL;
	struct engine e;
	int r;

	r = numamove_maps_read(first->task, &maps);
	if (r == 0)
		r = nm_plan_renew(first->plan, maps, &plan);
	if (r == 0)
		r = engine_init(&e, first->pid, first->task, plan, &first->opts);
	if (r == 0) {
		r = spans_of_plan(&e);
		/* Nothing left on a source: no worker to start, no pagemap to open. */
		if (r == 0 && e.n_spans)
			r = batched(&e, jobs_for(&e), &again);
		engine_free(&e);
	}
	if (r == 0 || again.calls) {
		if (recount) {
			res->bytes_moved += again.bytes_moved;
			res->pages_moved += again.pages_moved;
		} else {
			res->sweep_bytes += again.bytes_moved;
		}
		for (int i = 0; i < NUMAMOVE_REASON_COUNT; i++) {
			bool gone = i == NUMAMOVE_REASON_GONE;

			res->left_pages[i] = (gone ? res->left_pages[i] : 0) + again.left_pages[i];
			res->left_bytes[i] = (gone ? res->left_bytes[i] : 0) + again.left_bytes[i];
		}
		res->calls += again.calls;
		if (again.max_call_ns > res->max_call_ns)
			res->max_call_ns = again.max_call_ns;
	}
	if (r == 0 && !again.pages_moved && ret_after)
		*ret_after = TAKE_PTR(maps);
	numamove_plan_free(plan);
	numamove_maps_free(maps);
	return r;
}

/* Whether @maps shows pages on a node that @plan moves elsewhere. */
static bool pages_on_sources(const struct numamove_plan *plan, const struct numamove_maps *maps)
{
	for (int n = 0; n <= maps->max_node; n++) {
		int d = numamove_plan_dest(plan, n);

		if (d >= 0 && d != n && numamove_maps_bytes(maps, n, -1))
			return true;
	}
	return false;
}

/*
 * The end of a batched pass that may be swept with migrate_pages(2): first
 * numa_maps, which walks the process as a sweep would; when it shows no
 * page left on a source node there is nothing to sweep, and it goes to
 * @ret_after (when not NULL) as where the pages are now. Otherwise the
 * sweep, and when the pass left pages, one more batched pass after it
 * counts them again, page by page, so that the sweep's moves are not
 * reported as left.
 */
static int sweep_or_not(const struct engine *e, const struct numamove_task *task, struct numamove_result *res,
			struct numamove_maps **ret_after)
{
	struct numamove_maps *now = NULL;
	int r;

	if (numamove_maps_read(task, &now) == 0 && !pages_on_sources(e->plan, now)) {
		if (ret_after)
			*ret_after = TAKE_PTR(now);
		numamove_maps_free(now);
		return 0;
	}
	numamove_maps_free(now);
	r = nm_sweep(task, e->plan, res);
	if (r == 0 && left_not_gone(res))
		r = sweep_batched(e, res, false, ret_after);
	return r;
}

int nm_move(const struct numamove_task *task, const struct numamove_plan *plan, const struct numamove_move_opts *opts,
	    struct numamove_result **ret_result, struct numamove_maps **ret_after)
{
	struct numamove_result *res;
	struct engine e;
	int r;

	if (!ret_result)
		return -EINVAL;
	*ret_result = NULL;
	if (ret_after)
		*ret_after = NULL;
	/* A mapping-only plan (no maps) says where, not what. */
	if (!task || !plan || !plan->maps)
		return -EINVAL;
	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	r = engine_init(&e, numamove_task_pid(task), task, plan, opts);
	if (r == 0 && e.opts.engine == NUMAMOVE_ENGINE_KERNEL) {
		res->engine = NUMAMOVE_ENGINE_KERNEL;
		r = nm_kernel_move(task, plan, &e.opts, res);
	} else if (r == 0 && (r = spans_of_plan(&e)) == 0 && kernel_pass_fits(&e, jobs_for(&e))) {
		long m = kernel_pass(&e, res);

		res->engine = NUMAMOVE_ENGINE_KERNEL;
		if (m == -ESRCH || ((m >= 0 || m == -ENOMEM) && e.stop)) {
			r = m == -ESRCH ? -ESRCH : -ECANCELED;
		} else if (m >= 0 || m == -ENOMEM) {
			/* What it left (shared, busy, out of memory, faulted in behind it): page by page, with reasons. */
			r = sweep_batched(&e, res, true, ret_after);
		} else {
			/* Refused (a cpuset, the rights): the batched pass says why, page by page. */
			res->engine = NUMAMOVE_ENGINE_BATCHED;
			r = batched(&e, 1, res);
		}
	} else if (r == 0) {
		res->engine = NUMAMOVE_ENGINE_BATCHED;
		r = batched(&e, jobs_for(&e), res);
		if (r == 0 && !(e.opts.flags & NUMAMOVE_MOVE_NO_SWEEP)) {
			/*
			 * A chain or a swap cannot be swept: what arrived would go
			 * on. migrate_pages(2) cannot be bounded, nor kept off
			 * shared pages when the caller has CAP_SYS_NICE: then a
			 * second batched pass.
			 */
			bool private_only = (e.opts.flags & NUMAMOVE_MOVE_PRIVATE_ONLY) && numamove_can_move_shared();

			if (nm_plan_chains(plan))
				; /* not swept */
			else if (e.opts.max_stall_ms || private_only)
				r = sweep_batched(&e, res, false, ret_after);
			else
				r = sweep_or_not(&e, task, res, ret_after);
		}
	}
	/* Whatever a call said (a zombie's empty map, a dead pid), a process that exited is why. */
	if (r < 0 && r != -ECANCELED && nm_task_exiting(task))
		r = -ESRCH;
	engine_free(&e);
	if (r < 0 && ret_after) {
		numamove_maps_free(*ret_after);
		*ret_after = NULL;
	}
	return hand_out(res, r, ret_result);
}

NM_EXPORT int numamove_move(const struct numamove_task *task, const struct numamove_plan *plan,
			    const struct numamove_move_opts *opts, struct numamove_result **ret_result)
{
	return nm_move(task, plan, opts, ret_result, NULL);
}

int nm_move_range(pid_t pid, const struct numamove_task *task, const struct numamove_plan *plan,
		  uint64_t start, uint64_t end, uint64_t page_size, const struct numamove_move_opts *opts,
		  struct numamove_result **ret_result)
{
	struct numamove_result *res = calloc(1, sizeof(*res));
	/* Any page larger than the system's base page is a hugetlb page (4 KiB is only x86's size). */
	struct span one = { .start = start, .end = end, .page_size = page_size,
			    .hugetlb = page_size > (uint64_t)getpagesize(), .dest = -1 };
	struct engine e;
	int r;

	*ret_result = NULL;
	if (!res)
		return -ENOMEM;
	r = engine_init(&e, pid, task, plan, opts);
	/* One mapping of the caller's: the kernel engine moves whole processes. */
	if (r == 0 && e.opts.engine != NUMAMOVE_ENGINE_BATCHED)
		r = -EINVAL;
	if (r == 0) {
		e.spans = malloc(sizeof(one));
		r = e.spans ? 0 : -ENOMEM;
	}
	if (r == 0) {
		e.spans[0] = one;
		e.n_spans = 1;
		r = batched(&e, jobs_for(&e), res);
	}
	engine_free(&e);
	return hand_out(res, r, ret_result);
}

NM_EXPORT uint64_t numamove_result_sweep_bytes(const struct numamove_result *result)
{
	return result->sweep_bytes;
}

NM_EXPORT uint64_t numamove_result_max_call_ns(const struct numamove_result *result)
{
	return result->max_call_ns;
}

NM_EXPORT uint64_t numamove_result_calls(const struct numamove_result *result)
{
	return result->calls;
}

NM_EXPORT unsigned int numamove_result_jobs(const struct numamove_result *result)
{
	return result->jobs;
}

NM_EXPORT enum numamove_engine numamove_result_engine(const struct numamove_result *result)
{
	return result->engine;
}
