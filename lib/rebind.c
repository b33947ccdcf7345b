/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Setting and rebinding the policies of a running process: set_mempolicy(2)
 * per thread and mbind(2) per mapping, run inside the target (inject.c),
 * each read back there with get_mempolicy(2) and, once the threads run
 * again, checked against /proc.
 *
 * Many threads: the threads are held a batch at a time (run_threads()),
 * and a thread's task policy is read from /proc through the first line of
 * its numa_maps (one mapping walked, not the whole address space) when
 * the target said that mapping has no policy of its own: the cost grows
 * with threads plus memory, not their product.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "inject.h"
#include "opts.h"

struct nm_polentry {
	pid_t tid; /* 0: a mapping */
	uint64_t start, end;
	struct numamove_policy *before, *after;
	enum numamove_policy_status status;
	int error;
};

struct numamove_policy_report {
	struct nm_polentry *e;
	size_t n, alloc;
};

/*
 * What to turn a policy into: one given policy, or each remapped by a plan;
 * with @stay, the default task policy of the threads in @stay_tids (all
 * when NULL) becomes @stay instead (nm_policy_rebind_stay()).
 */
struct job {
	const struct numamove_policy *set;
	const struct numamove_plan *plan;
	bool mappings;
	const struct numamove_policy *stay;
	const pid_t *stay_tids;
	size_t n_stay_tids;
};

static bool stays(const struct job *j, pid_t tid, const struct numamove_policy *before)
{
	if (!j->stay || !tid || !before || before->mode != NUMAMOVE_POLICY_MODE_DEFAULT)
		return false;
	for (size_t k = 0; j->stay_tids && k < j->n_stay_tids; k++)
		if (j->stay_tids[k] == tid)
			return true;
	return !j->stay_tids;
}

#define MASK_BYTES (NM_MASK_BITS / 8)
/*
 * Scratch space on the target thread's stack: the mode word at its start
 * and the mask 64 bytes on. The space is 64-byte aligned
 * (nm_freeze_scratch()), so the mask starts on a cache line and is
 * aligned for unsigned long as the kernel reads it; the int needs 4 bytes.
 */
#define SCRATCH (64 + MASK_BYTES)

static int policy_copy(const struct numamove_policy *p, struct numamove_policy **ret)
{
	return numamove_policy_new(p->mode, p->flags, p->nodes, ret);
}

static int target_policy(const struct job *j, pid_t tid, const struct numamove_policy *before,
			 struct numamove_policy **ret)
{
	if (j->set)
		return policy_copy(j->set, ret);
	if (stays(j, tid, before))
		return policy_copy(j->stay, ret);
	return numamove_policy_remap(before, j->plan, ret);
}

/* Runs a policy syscall in thread @i; the kernel's error comes back as -errno. */
static int call(struct nm_freeze *f, size_t i, long nr, const uint64_t args[6])
{
	long ret;
	int r = nm_freeze_call(f, i, nr, args, &ret);

	if (r < 0)
		return r;
	return ret < 0 ? (int)ret : 0;
}

/*
 * How many signals may come between numamove and one call before it gives
 * up with -EINTR. Each retry means a signal was delivered in the short
 * window of one call; sixteen in a row only happen to a thread under a
 * signal flood, which would starve the call however often it is tried.
 */
#define MAX_SIGNAL_RETRIES 16

/* get_mempolicy(2) in thread @i: its task policy (@addr 0) or the mapping's at @addr. */
static int inject_get(struct nm_freeze *f, size_t i, uint64_t addr, struct numamove_policy **ret)
{
	unsigned long mask[NM_MASK_WORDS];
	uint64_t buf = 0;
	int mode, r = -EAGAIN;

	for (int tries = 0; r == -EAGAIN && tries < MAX_SIGNAL_RETRIES; tries++) {
		buf = nm_freeze_scratch(f, i, SCRATCH);
		r = call(f, i, SYS_get_mempolicy,
			 (uint64_t[6]){ buf, buf + 64, NM_MASK_BITS + 1, addr, addr ? NM_MPOL_F_ADDR : 0, 0 });
	}
	if (r == 0)
		r = nm_freeze_read(f, buf, &mode, sizeof(mode));
	if (r == 0)
		r = nm_freeze_read(f, buf + 64, mask, sizeof(mask));
	if (r < 0)
		return r == -EAGAIN ? -EINTR : r;
	return nm_policy_from_kernel(mode, mask, NM_MASK_BITS, ret);
}

/* set_mempolicy(2) (@len 0) or mbind(2) of [@start, @start + @len) in thread @i. */
static int inject_set(struct nm_freeze *f, size_t i, const struct numamove_policy *pol, uint64_t start,
		      uint64_t len)
{
	unsigned long mask[NM_MASK_WORDS];
	int mode, r;

	r = nm_policy_to_kernel(pol, &mode, mask, NM_MASK_BITS);
	if (r < 0)
		return r;
	r = -EAGAIN;
	for (int tries = 0; r == -EAGAIN && tries < MAX_SIGNAL_RETRIES; tries++) {
		uint64_t mask_addr = 0, maxnode = 0;

		/* Written again each time: a signal frame may have covered it. */
		if (pol->nodes->n) {
			mask_addr = nm_freeze_scratch(f, i, SCRATCH) + 64;
			maxnode = NM_MASK_BITS + 1;
			r = nm_freeze_write(f, mask_addr, mask, sizeof(mask));
			if (r < 0)
				return r;
		}
		if (len == 0)
			r = call(f, i, SYS_set_mempolicy, (uint64_t[6]){ (uint64_t)mode, mask_addr, maxnode });
		else
			r = call(f, i, SYS_mbind, (uint64_t[6]){ start, len, (uint64_t)mode, mask_addr, maxnode, 0 });
	}
	return r == -EAGAIN ? -EINTR : r;
}

static int add_entry(struct numamove_policy_report *rep, pid_t tid, uint64_t start, uint64_t end,
		     struct nm_polentry **ret)
{
	int r = nm_grow((void **)&rep->e, &rep->alloc, rep->n + 1, sizeof(*rep->e));

	if (r < 0)
		return r;
	*ret = &rep->e[rep->n++];
	**ret = (struct nm_polentry){ .tid = tid, .start = start, .end = end };
	return 0;
}

/*
 * Sets entry @e from @before to what @j asks, in thread @i: @len 0 for
 * the thread's task policy, else the mapping [start, start + len).
 */
static int apply(struct nm_freeze *f, size_t i, const struct job *j, struct nm_polentry *e, uint64_t len)
{
	struct numamove_policy *check = NULL;
	int r;

	r = target_policy(j, e->tid, e->before, &e->after);
	if (r < 0)
		return r;
	if (numamove_policy_equal(e->before, e->after)) {
		e->status = NUMAMOVE_POLICY_STATUS_UNCHANGED;
		return 0;
	}
	r = inject_set(f, i, e->after, e->start, len);
	if (r == 0)
		r = inject_get(f, i, len ? e->start : 0, &check);
	if (r == 0 && !numamove_policy_equal(check, e->after))
		r = -EIO;
	numamove_policy_free(check);
	if (r == -ESRCH) {
		e->status = NUMAMOVE_POLICY_STATUS_GONE;
	} else if (r < 0) {
		e->status = NUMAMOVE_POLICY_STATUS_FAILED;
		e->error = r;
	} else {
		e->status = NUMAMOVE_POLICY_STATUS_CHANGED;
	}
	return 0;
}

/*
 * The first mapping of the process, as the threads were held: a thread's
 * numa_maps shows its task policy on that mapping's line when the mapping
 * has no policy of its own, which get_mempolicy(MPOL_F_ADDR) in the target
 * says for sure (it answers MPOL_DEFAULT only for no policy of its own).
 */
struct first_map {
	uint64_t start;
	bool known; /* start is the first mapping, and it has no policy of its own */
};

static void first_map_probe(struct nm_freeze *f, size_t i, pid_t pid, struct first_map *fm)
{
	_cleanup_free_ char *text = NULL;
	struct numamove_policy *pol = NULL;

	fm->known = false;
	if (nm_thread_first_record(pid, pid, &fm->start, &text) < 0 &&
	    nm_thread_first_record(pid, nm_freeze_tid(f, i), &fm->start, &text) < 0)
		return;
	if (inject_get(f, i, fm->start, &pol) == 0)
		fm->known = pol->mode == NUMAMOVE_POLICY_MODE_DEFAULT;
	numamove_policy_free(pol);
}

/*
 * Thread @tid's task policy as /proc shows it: from the first line of its
 * numa_maps when @fm says that line shows it (one mapping walked, not the
 * whole address space: 600 threads of a big process are read in no more
 * time than their number plus its size), else from the whole file.
 */
static int seen_task_policy(pid_t pid, pid_t tid, const struct first_map *fm, struct numamove_policy **ret)
{
	_cleanup_free_ char *text = NULL;
	uint64_t start = 0;

	if (fm->known && nm_thread_first_record(pid, tid, &start, &text) == 0 && start == fm->start &&
	    numamove_policy_parse(text, NULL, ret, NULL) == 0)
		return 0;
	return nm_thread_task_policy(pid, tid, ret);
}

/*
 * Held thread @i's task policy before the change: from the first line of
 * its numa_maps when @fm says that line shows it and the policy has no
 * flags (numa_maps shows static and relative nodes resolved, unlike
 * get_mempolicy(2)), which saves two stops of the thread; else asked in it.
 */
static int held_task_policy(struct nm_freeze *f, size_t i, pid_t pid, const struct first_map *fm,
			    struct numamove_policy **ret)
{
	_cleanup_free_ char *text = NULL;
	uint64_t start = 0;

	if (fm->known && nm_thread_first_record(pid, nm_freeze_tid(f, i), &start, &text) == 0 &&
	    start == fm->start && !strchr(text, '=') && numamove_policy_parse(text, NULL, ret, NULL) == 0)
		return 0;
	return inject_get(f, i, 0, ret);
}

static int do_thread(struct nm_freeze *f, size_t i, pid_t pid, const struct first_map *fm, const struct job *j,
		     struct numamove_policy_report *rep)
{
	struct nm_polentry *e;
	int r;

	r = add_entry(rep, nm_freeze_tid(f, i), 0, 0, &e);
	if (r < 0)
		return r;
	r = nm_freeze_gone(f, i) ? -ESRCH : held_task_policy(f, i, pid, fm, &e->before);
	if (r == -ESRCH) {
		e->status = NUMAMOVE_POLICY_STATUS_GONE;
		return 0;
	}
	if (r < 0) {
		e->status = NUMAMOVE_POLICY_STATUS_FAILED;
		e->error = r;
		return 0;
	}
	return apply(f, i, j, e, 0);
}

/* Every private mapping with a policy of its own, through thread @i. */
static int do_mappings(struct nm_freeze *f, size_t i, pid_t pid, const struct job *j,
		       struct numamove_policy_report *rep)
{
	_cleanup_free_ char *maps = NULL;
	int r;

	r = nm_read_filef(NULL, &maps, "/proc/%d/maps", (int)pid);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	for (const char *p = maps; p && *p; p = nm_next_line(p)) {
		struct numamove_policy *pol = NULL;
		struct nm_polentry *e;
		struct nm_maps_line l;
		uint64_t start, end;

		if (nm_maps_line_parse(p, &l) < 0)
			continue;
		start = l.start;
		end = l.end;
		r = inject_get(f, i, start, &pol);
		if (r == -ESRCH)
			return r;
		if (r < 0 || pol->mode == NUMAMOVE_POLICY_MODE_DEFAULT) {
			/* No policy of its own, or no mapping the kernel can look up ([vsyscall]). */
			numamove_policy_free(pol);
			continue;
		}
		r = add_entry(rep, 0, start, end, &e);
		if (r < 0) {
			numamove_policy_free(pol);
			return r;
		}
		e->before = pol;
		if (l.perms[3] == 's') {
			/* A shared object's policy is the object's, for every process. */
			e->status = NUMAMOVE_POLICY_STATUS_SKIPPED;
			r = policy_copy(pol, &e->after);
		} else {
			r = apply(f, i, j, e, end - start);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Once the threads run again: what /proc shows must be what was set. */
static void confirm(pid_t pid, const struct first_map *fm, struct numamove_policy_report *rep)
{
	for (size_t k = 0; k < rep->n; k++) {
		struct nm_polentry *e = &rep->e[k];
		struct numamove_policy *seen = NULL;
		int r;

		/* Relative nodes show as the nodes they resolve to. */
		if (e->status != NUMAMOVE_POLICY_STATUS_CHANGED || (e->after->flags & NUMAMOVE_POLICY_F_RELATIVE))
			continue;
		r = e->tid ? seen_task_policy(pid, e->tid, fm, &seen) : nm_mapping_policy(pid, e->start, &seen);
		if (r == 0 && !numamove_policy_equal(seen, e->after) && e->tid && fm->known) {
			/* Unlike what was set: make sure, from the whole file, before saying so. */
			numamove_policy_free(seen);
			seen = NULL;
			r = nm_thread_task_policy(pid, e->tid, &seen);
		}
		if (r == 0 && !numamove_policy_equal(seen, e->after)) {
			e->status = NUMAMOVE_POLICY_STATUS_FAILED;
			e->error = -EIO;
		}
		numamove_policy_free(seen);
	}
}

NM_EXPORT void numamove_policy_report_free(struct numamove_policy_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->n; i++) {
		numamove_policy_free(rep->e[i].before);
		numamove_policy_free(rep->e[i].after);
	}
	free(rep->e);
	free(rep);
}

/* Every tid must be a thread of the process. */
static int check_tids(const struct numamove_task *task, const pid_t *tids, size_t n)
{
	_cleanup_free_ pid_t *all = NULL;
	size_t n_all = 0;
	int r = numamove_task_threads(task, &all, &n_all);

	for (size_t i = 0; r == 0 && i < n; i++) {
		bool found = false;

		for (size_t k = 0; k < n_all; k++)
			found |= all[k] == tids[i];
		if (!found)
			r = -ENOENT;
	}
	return r;
}

/*
 * The caller's options, checked the libbpf way (lib/opts.h, as for
 * numamove_move()): -EINVAL for a bad sz, a non-zero byte past the known
 * fields, unknown flags, or a thread list that is half given.
 */
static int policy_opts_read(const struct numamove_policy_opts *opts, struct numamove_policy_opts *out)
{
	if (!NM_OPTS_VALID(opts, numamove_policy_opts))
		return -EINVAL;
	*out = (struct numamove_policy_opts){
		.sz = sizeof(*out),
		.tids = NM_OPTS_GET(opts, tids, NULL),
		.n_tids = NM_OPTS_GET(opts, n_tids, 0),
		.flags = NM_OPTS_GET(opts, flags, 0),
	};
	if (out->flags & ~(NUMAMOVE_POLICY_SET_F_MAPPINGS | NUMAMOVE_POLICY_SET_F_HELPER))
		return -EINVAL;
	if (!out->tids != !out->n_tids)
		return -EINVAL;
	return 0;
}

void (*nm_inject_test_hook)(void);

/*
 * Threads held at a time. Each thread is held only while a batch of
 * BATCH threads gets its calls (a few syscalls each), not while all of a
 * big process's threads do: a thread of a 600-thread process waits for
 * its batch, not for the other 599. In a process that has or had
 * children, every thread is held whenever one is (nm_target_is_parent()).
 */
#define BATCH 8
/* Listings of the threads before the ones still unseen are all held at once. */
#define MAX_PASSES 4

/*
 * Holds @tids (NULL: every thread, including any started meanwhile) and
 * changes those not in @done, which they join; the first hold also learns
 * @fm and calls the test hook.
 */
static int run_batch(const struct numamove_task *task, const struct job *j, const pid_t *tids, size_t n,
		     pid_t **done, size_t *n_done, size_t *alloc_done, struct first_map *fm, bool *first,
		     struct numamove_policy_report *rep)
{
	struct nm_freeze *f = NULL;
	int r;

	r = nm_freeze_hold(task, tids, n, &f);
	if (r < 0)
		return r;
	if (*first) {
		size_t i = 0;

		*first = false;
		if (nm_inject_test_hook)
			nm_inject_test_hook();
		while (i < nm_freeze_count(f) && nm_freeze_gone(f, i))
			i++;
		if (i < nm_freeze_count(f))
			first_map_probe(f, i, numamove_task_pid(task), fm);
	}
	for (size_t i = 0; r == 0 && i < nm_freeze_count(f); i++) {
		if (nm_tid_in(*done, *n_done, nm_freeze_tid(f, i)))
			continue;
		r = do_thread(f, i, numamove_task_pid(task), fm, j, rep);
		if (r == 0)
			r = nm_grow((void **)done, alloc_done, *n_done + 1, sizeof(**done));
		if (r == 0)
			(*done)[(*n_done)++] = nm_freeze_tid(f, i);
	}
	nm_freeze_release(f);
	return r;
}

/*
 * Every thread, a batch at a time. A thread started meanwhile by one not
 * yet changed inherits the old policy: listings are repeated until one
 * shows no thread left unchanged, and after MAX_PASSES (threads coming
 * and going all the while) the rest are changed with all threads held,
 * as one listing that cannot grow. A thread started by one already
 * changed inherits the new policy and is changed again, which changes
 * nothing when the job gives the same result twice (a set policy, a
 * rebind that chains no nodes); for a rebind that swaps or chains nodes,
 * where a second remap would move its policy on again, every thread is
 * held at once from the start, as before.
 */
static int run_threads(const struct numamove_task *task, const struct job *j, struct first_map *fm,
		       bool *first, struct numamove_policy_report *rep)
{
	_cleanup_free_ pid_t *done = NULL;
	size_t n_done = 0, alloc_done = 0;
	int r = 0;

	if (j->plan && nm_plan_chains(j->plan))
		return run_batch(task, j, NULL, 0, &done, &n_done, &alloc_done, fm, first, rep);
	for (int pass = 0, quiet = 0; pass < MAX_PASSES; pass++) {
		_cleanup_free_ pid_t *all = NULL;
		size_t n = 0, k = 0;

		r = numamove_task_threads(task, &all, &n);
		if (r < 0)
			return r;
		/* Those not changed yet, in the listing's order. */
		for (size_t i = 0; i < n; i++)
			if (!nm_tid_in(done, n_done, all[i]))
				all[k++] = all[i];
		/*
		 * Done when two listings in a row show none: /proc/PID/task is
		 * read by position, and can skip a live thread while others exit.
		 */
		if (k == 0) {
			if (++quiet == 2)
				return numamove_task_check(task);
			pass--;
			continue;
		}
		quiet = 0;
		/* Children: every thread held at once (see nm_target_is_parent()), in one hold. */
		if (nm_target_is_parent(numamove_task_pid(task), all, n))
			return run_batch(task, j, NULL, 0, &done, &n_done, &alloc_done, fm, first, rep);
		for (size_t i = 0; r == 0 && i < k; i += BATCH) {
			size_t before = n_done;

			r = run_batch(task, j, all + i, k - i < BATCH ? k - i : BATCH, &done, &n_done,
				      &alloc_done, fm, first, rep);
			/* A thread that exited before it was held counts as done: it starts nothing more. */
			for (size_t m = i; r == 0 && m < i + BATCH && m < k; m++)
				if (!nm_tid_in(done + before, n_done - before, all[m])) {
					r = nm_grow((void **)&done, &alloc_done, n_done + 1, sizeof(*done));
					if (r == 0)
						done[n_done++] = all[m];
				}
		}
		if (r < 0)
			return r;
	}
	return run_batch(task, j, NULL, 0, &done, &n_done, &alloc_done, fm, first, rep);
}

/* Every private mapping with a policy of its own, through one held thread. */
static int run_mappings(const struct numamove_task *task, const struct job *j, struct first_map *fm,
			bool *first, struct numamove_policy_report *rep)
{
	_cleanup_free_ pid_t *all = NULL;
	size_t n = 0;
	int r;

	r = numamove_task_threads(task, &all, &n);
	for (size_t k = 0; r == 0 && k < n; k++) {
		struct nm_freeze *f = NULL;

		r = nm_freeze_hold(task, all + k, 1, &f);
		if (r < 0)
			break;
		if (nm_freeze_count(f) == 0 || nm_freeze_gone(f, 0)) {
			nm_freeze_release(f);
			continue; /* exited meanwhile: the next one */
		}
		if (*first) {
			*first = false;
			if (nm_inject_test_hook)
				nm_inject_test_hook();
			first_map_probe(f, 0, numamove_task_pid(task), fm);
		}
		r = do_mappings(f, 0, numamove_task_pid(task), j, rep);
		nm_freeze_release(f);
		return r;
	}
	return r < 0 ? r : -ESRCH;
}

static int run(const struct numamove_task *task, const struct job *j, const struct numamove_policy_opts *opts,
	       struct numamove_policy_report **ret)
{
	const pid_t *tids = opts->tids;
	size_t n_tids = opts->n_tids;
	struct numamove_policy_report *rep;
	enum numamove_inject_block block;
	struct first_map fm = { 0 };
	bool first = true;
	sigset_t mask, oldmask;
	int r;

	r = numamove_inject_check(task, &block, NULL);
	if (r < 0)
		return r;
	if (block != NUMAMOVE_INJECT_OK)
		return -EBUSY;
	if (tids && (r = check_tids(task, tids, n_tids)) < 0)
		return r;
	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	/*
	 * The signals that nm_freeze_hold() blocks, for the whole change and
	 * not only each batch: an interrupted numamove finishes changing
	 * every thread, then dies of the signal.
	 */
	sigemptyset(&mask);
	for (const int *s = (const int[]){ SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, 0 }; *s; s++)
		sigaddset(&mask, *s);
	pthread_sigmask(SIG_BLOCK, &mask, &oldmask);
	if (tids) {
		_cleanup_free_ pid_t *done = NULL;
		size_t n_done = 0, alloc_done = 0;

		/* In a parent every hold holds all threads: one, not one per batch. */
		size_t batch = nm_target_is_parent(numamove_task_pid(task), tids, n_tids) ? n_tids : BATCH;

		for (size_t i = 0; r == 0 && i < n_tids; i += batch)
			r = run_batch(task, j, tids + i, n_tids - i < batch ? n_tids - i : batch, &done, &n_done,
				      &alloc_done, &fm, &first, rep);
	} else {
		r = run_threads(task, j, &fm, &first, rep);
	}
	if (r == 0 && j->mappings)
		r = run_mappings(task, j, &fm, &first, rep);
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	if (r == 0)
		confirm(numamove_task_pid(task), &fm, rep);
	if (r < 0) {
		numamove_policy_report_free(rep);
		return r;
	}
	*ret = rep;
	return 0;
}

struct run_call {
	const struct numamove_task *task;
	const struct job *j;
	const struct numamove_policy_opts *opts;
	struct numamove_policy_report *rep;
};

static int run_call(void *arg)
{
	struct run_call *c = arg;

	return run(c->task, c->j, c->opts, &c->rep);
}

/*
 * run(), in a helper process (inject-helper.c): a caller killed meanwhile
 * never lets a thread go in the middle of a call, and the threads' ptrace
 * stops never reach the caller's wait(). Where the helper may not trace the
 * target but the caller may (Yama ptrace_scope 1, the caller's own child,
 * no CAP_SYS_PTRACE), or where no helper could start, the calling thread
 * traces, unless NUMAMOVE_POLICY_SET_F_HELPER asks for the helper only.
 */
static int run_maybe_helper(const struct numamove_task *task, const struct job *j,
			    const struct numamove_policy_opts *opts, struct numamove_policy_report **ret)
{
	struct run_call c = { .task = task, .j = j, .opts = opts };
	bool traced;
	int r;

	/* The report comes back through c, so that *ret is written only when the helper finished. */
	r = nm_helper_run(numamove_task_pid(task), run_call, &c, &traced);
	if (r == 0)
		*ret = c.rep;
	/*
	 * Once: only when the helper touched nothing of the target (it could
	 * not trace it, or never started: no process left under pids.max, no
	 * memory for its stack, a caller that is PID 1 of its namespace).
	 */
	if (!traced && (r == -EPERM || r == -ECHILD || r == -EAGAIN || r == -ENOMEM) &&
	    !(opts->flags & NUMAMOVE_POLICY_SET_F_HELPER))
		return run(task, j, opts, ret);
	return r;
}

NM_EXPORT int numamove_policy_set(const struct numamove_task *task, const struct numamove_policy *policy,
				  const struct numamove_policy_opts *opts, struct numamove_policy_report **ret)
{
	struct numamove_policy_opts o;
	struct job j = { .set = policy };
	int r;

	r = policy_opts_read(opts, &o);
	if (r < 0)
		return r;
	if (!task || !policy || !ret)
		return -EINVAL;
	r = nm_policy_supported(policy);
	if (r < 0)
		return r;
	j.mappings = o.flags & NUMAMOVE_POLICY_SET_F_MAPPINGS;
	return run_maybe_helper(task, &j, &o, ret);
}

/* Whether a move by @plan would change @text, a policy as numa_maps prints it (unknown: yes). */
static bool text_changes(const char *text, const struct numamove_plan *plan)
{
	struct numamove_policy *pol = NULL;
	bool changes;

	(void)numamove_policy_parse(text, NULL, &pol, NULL);
	changes = nm_policy_remap_changes(pol, plan);
	numamove_policy_free(pol);
	return changes;
}

static bool is_default(const char *text)
{
	return text && strcmp(text, "default") == 0;
}

/*
 * Whether the move needs the process stopped, from what is already known
 * and a little more, without walking its memory again: the plan's
 * numa_maps (the main thread's view: its task policy and every mapping's
 * own), and the first line of each other thread's numa_maps, whose
 * "default" can only mean a default task policy (a mapping's own policy
 * is never shown as default). Anything else, or unsure: stop and ask.
 */
static bool rebind_needed(const struct numamove_task *task, const struct numamove_plan *plan, bool stay)
{
	_cleanup_free_ pid_t *tids = NULL;
	size_t n = 0;

	for (size_t i = 0; plan->maps && i < plan->maps->n; i++)
		if (!plan->maps->m[i].shared && (text_changes(plan->maps->m[i].policy, plan) ||
						 (stay && is_default(plan->maps->m[i].policy))))
			return true;
	if (!plan->maps || numamove_task_threads(task, &tids, &n) < 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *text = NULL;
		int r;

		if (tids[i] == numamove_task_pid(task))
			continue;
		r = nm_thread_first_policy(numamove_task_pid(task), tids[i], &text);
		if (r == -ESRCH)
			continue;
		if (r < 0 || text_changes(text, plan) || (stay && is_default(text)))
			return true;
	}
	return false;
}

int nm_policy_rebind_stay(const struct numamove_task *task, const struct numamove_plan *plan,
			  const struct numamove_policy_opts *opts, const struct numamove_policy *stay,
			  const pid_t *stay_tids, size_t n_stay_tids, struct numamove_policy_report **ret)
{
	struct job j = { .plan = plan, .mappings = true, .stay = stay, .stay_tids = stay_tids,
			 .n_stay_tids = n_stay_tids };
	struct numamove_policy_opts o;
	int r;

	/* Rebinding always covers the mappings: NUMAMOVE_POLICY_SET_F_MAPPINGS changes nothing. */
	r = policy_opts_read(opts, &o);
	if (r < 0)
		return r;
	if (!task || !plan || !ret || (stay_tids && !n_stay_tids))
		return -EINVAL;
	if (!rebind_needed(task, plan, stay != NULL)) {
		struct numamove_policy_report *empty = calloc(1, sizeof(*empty));

		if (!empty)
			return -ENOMEM;
		*ret = empty;
		return 0;
	}
	return run_maybe_helper(task, &j, &o, ret);
}

NM_EXPORT int numamove_policy_rebind(const struct numamove_task *task, const struct numamove_plan *plan,
				     const struct numamove_policy_opts *opts, struct numamove_policy_report **ret)
{
	return nm_policy_rebind_stay(task, plan, opts, NULL, NULL, 0, ret);
}

int nm_policy_rebind_plan_stay(const struct numamove_task *task, const struct numamove_plan *plan,
			       const struct numamove_policy *stay, const pid_t *stay_tids, size_t n_stay_tids,
			       struct numamove_policy_report **ret)
{
	const struct job j = { .plan = plan, .stay = stay, .stay_tids = stay_tids, .n_stay_tids = n_stay_tids };
	struct numamove_policies *p = NULL;
	struct numamove_policy_report *rep;
	size_t nt;
	int r;

	if (!task || !plan || !ret)
		return -EINVAL;
	r = numamove_policies_read(task, &p);
	if (r < 0)
		return r;
	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		numamove_policies_free(p);
		return -ENOMEM;
	}
	nt = numamove_policies_thread_count(p);
	for (size_t i = 0; r == 0 && i < nt + numamove_policies_mapping_count(p); i++) {
		bool thread = i < nt;
		size_t k = thread ? i : i - nt;
		const struct numamove_policy *before = thread ? numamove_policies_thread_policy(p, k)
							       : numamove_policies_mapping_policy(p, k);
		struct numamove_policy *after = NULL, *copy = NULL;
		struct nm_polentry *e = NULL;

		if (!before || (!thread && numamove_policies_mapping_shared(p, k)))
			continue;
		r = target_policy(&j, thread ? numamove_policies_thread_tid(p, k) : 0, before, &after);
		if (r < 0)
			break;
		if (numamove_policy_equal(before, after)) {
			numamove_policy_free(after);
			continue;
		}
		r = numamove_policy_new(numamove_policy_mode(before), numamove_policy_flags(before),
					numamove_policy_nodes(before), &copy);
		if (r == 0)
			r = add_entry(rep, thread ? numamove_policies_thread_tid(p, k) : 0,
				      thread ? 0 : numamove_policies_mapping_start(p, k),
				      thread ? 0 : numamove_policies_mapping_end(p, k), &e);
		if (r < 0) {
			numamove_policy_free(after);
			numamove_policy_free(copy);
			break;
		}
		e->before = copy;
		e->after = after;
		e->status = NUMAMOVE_POLICY_STATUS_PLANNED;
	}
	numamove_policies_free(p);
	if (r < 0) {
		numamove_policy_report_free(rep);
		return r;
	}
	*ret = rep;
	return 0;
}

NM_EXPORT int numamove_policy_rebind_plan(const struct numamove_task *task, const struct numamove_plan *plan,
					  struct numamove_policy_report **ret)
{
	return nm_policy_rebind_plan_stay(task, plan, NULL, NULL, 0, ret);
}

NM_EXPORT size_t numamove_policy_report_count(const struct numamove_policy_report *rep)
{
	return rep->n;
}

NM_EXPORT pid_t numamove_policy_report_tid(const struct numamove_policy_report *rep, size_t i)
{
	return rep->e[i].tid;
}

NM_EXPORT uint64_t numamove_policy_report_start(const struct numamove_policy_report *rep, size_t i)
{
	return rep->e[i].start;
}

NM_EXPORT uint64_t numamove_policy_report_end(const struct numamove_policy_report *rep, size_t i)
{
	return rep->e[i].end;
}

NM_EXPORT const struct numamove_policy *numamove_policy_report_before(const struct numamove_policy_report *rep,
								       size_t i)
{
	return rep->e[i].before;
}

NM_EXPORT const struct numamove_policy *numamove_policy_report_after(const struct numamove_policy_report *rep,
								      size_t i)
{
	return rep->e[i].after;
}

NM_EXPORT enum numamove_policy_status numamove_policy_report_status(const struct numamove_policy_report *rep,
								     size_t i)
{
	return rep->e[i].status;
}

NM_EXPORT int numamove_policy_report_error(const struct numamove_policy_report *rep, size_t i)
{
	return rep->e[i].error;
}
