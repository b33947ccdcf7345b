/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Requests: the whole of a move, or of a policy change, as one operation.
 *
 * Every decision a front end used to make lives here: which nodes a
 * target's "all", "!" and "+" mean (its own allowed nodes, numamove's for
 * objects), what is refused and when (always before anything is changed:
 * unknown nodes, memoryless or disallowed destinations, no room, no huge
 * pages, a chain or swap the kernel engine cannot do), in which order a
 * process is changed (policies first, so that memory allocated during the
 * move already lands right; then the pages; then the CPU affinity, so
 * that new memory follows), which objects come with a process and with
 * which node lists, and what makes an outcome partial. The command, the
 * daemon and the Slurm plugin fill a request and render the report.
 *
 * Outcomes and reasons are data (struct numamove_detail), never text: the
 * library does not print, and each front end says the same things through
 * the same renderer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "inject.h"
#include "opts.h"

enum spec_kind { SPEC_PID, SPEC_PIDFD, SPEC_PATH, SPEC_SHM, SPEC_SHM_KEY, SPEC_CGROUP, SPEC_CGROUP_PID };

/* A target as it was added; opened only when the request runs. */
struct spec {
	enum spec_kind kind;
	pid_t pid;
	int fd;     /* SPEC_PIDFD: our copy */
	char *text; /* path, or the name the target is reported by */
	int value;  /* SysV id or key */
};

struct numamove_request {
	enum numamove_action action;
	unsigned int flags;
	int engine;
	unsigned int jobs;
	uint64_t rate;
	unsigned int max_stall_ms;
	struct numamove_pacer *pacer;
	numamove_event_fn event;
	void *event_userdata;
	numamove_log_fn log;
	void *log_userdata;

	char *to, *from, *policy;
	pid_t *tids;
	size_t n_tids;
	struct spec *specs;
	size_t n_specs, alloc_specs;

	atomic_bool cancelled;
	atomic_bool running;

	/* While running. */
	struct numamove_report *rep;
	pid_t *named;           /* the processes of the request, by pid */
	size_t n_named, alloc_named;
	struct nm_file_id *own; /* the processes' own shared memory handled so far */
	size_t n_own, alloc_own;
	size_t cur;          /* the target whose pages are moving */
	uint64_t move_start; /* when they started */
	struct numamove_topology *fresh_topo; /* read at the start, for the first target: nothing moved since */
};

/* A file as /proc/PID/maps names it. */
struct nm_file_id {
	unsigned int major, minor;
	uint64_t ino;
};

struct target {
	enum numamove_target_kind kind;
	enum numamove_outcome outcome;
	struct numamove_detail why;
	bool has_why;
	struct numamove_detail *notes;
	size_t n_notes, alloc_notes;
	size_t parent;
	pid_t pid;
	char *comm, *name;
	int object_type; /* -ENOENT until opened */
	uint64_t *before, *after; /* per node of the report's list; NULL unmeasured */
	uint64_t moved, left;
	struct numamove_topology *topo; /* the one its plan was made on */
	struct numamove_maps *maps;     /* the one its plan was made on */
	struct numamove_plan *plan;
	struct numamove_result *result;
	struct numamove_policy_report *rebind;
	struct numamove_affinity *affinity;
	char *policy_before, *policy_after;
	struct numamove_nodelist *mems_before, *mems_after;
	size_t procs;
};

struct numamove_report {
	struct target *t;
	size_t n, alloc;
	struct numamove_detail *notes;
	size_t n_notes, alloc_notes;
	struct numamove_nodelist *nodes;
	char **strs; /* texts the details point to */
	size_t n_strs, alloc_strs;
};

static const char *const outcome_names[] = {
	[NUMAMOVE_OUTCOME_DONE] = "done",
	[NUMAMOVE_OUTCOME_PLANNED] = "planned",
	[NUMAMOVE_OUTCOME_SKIPPED] = "skipped",
	[NUMAMOVE_OUTCOME_PARTIAL] = "partial",
	[NUMAMOVE_OUTCOME_REFUSED] = "refused",
	[NUMAMOVE_OUTCOME_FAILED] = "failed",
	[NUMAMOVE_OUTCOME_EXITED] = "exited",
	[NUMAMOVE_OUTCOME_CANCELLED] = "cancelled",
	[NUMAMOVE_OUTCOME_INVALID] = "invalid",
};

NM_EXPORT const char *numamove_outcome_name(enum numamove_outcome outcome)
{
	return (unsigned int)outcome < ARRAY_SIZE(outcome_names) ? outcome_names[outcome] : NULL;
}

static const struct {
	enum numamove_why why;
	const char *name;
} why_names[] = {
	{ NUMAMOVE_WHY_NONE, "none" },
	{ NUMAMOVE_WHY_NO_PROCESS, "no-process" },
	{ NUMAMOVE_WHY_ZOMBIE, "zombie" },
	{ NUMAMOVE_WHY_KTHREAD, "kernel-thread" },
	{ NUMAMOVE_WHY_NODES, "nodes" },
	{ NUMAMOVE_WHY_NODE_NO_MEMORY, "node-no-memory" },
	{ NUMAMOVE_WHY_NODE_NOT_ALLOWED, "node-not-allowed" },
	{ NUMAMOVE_WHY_NO_ROOM, "no-room" },
	{ NUMAMOVE_WHY_NO_HUGEPAGES, "no-hugepages" },
	{ NUMAMOVE_WHY_KERNEL_CHAIN, "kernel-chain" },
	{ NUMAMOVE_WHY_NO_SHARED_POLICY, "no-shared-policy" },
	{ NUMAMOVE_WHY_INJECT, "inject" },
	{ NUMAMOVE_WHY_OPEN, "open" },
	{ NUMAMOVE_WHY_LOAD, "load" },
	{ NUMAMOVE_WHY_SET_POLICY, "set-policy" },
	{ NUMAMOVE_WHY_CGROUP, "cgroup" },
	{ NUMAMOVE_WHY_MAPS, "maps" },
	{ NUMAMOVE_WHY_MOVE, "move" },
	{ NUMAMOVE_WHY_TID, "tid" },
	{ NUMAMOVE_WHY_PLAN, "plan" },
	{ NUMAMOVE_WHY_SYSTEM, "system" },
	{ NUMAMOVE_WHY_POLICY_UNSUPPORTED, "policy-unsupported" },
	{ NUMAMOVE_WHY_UNREACHABLE, "unreachable" },
	{ NUMAMOVE_WHY_SHARED_OUTSIDE, "shared-outside" },
	{ NUMAMOVE_NOTE_NUMA_BALANCING, "numa-balancing" },
	{ NUMAMOVE_NOTE_STAY, "stay-policy" },
	{ NUMAMOVE_NOTE_POLICIES_KEPT, "policies-kept" },
	{ NUMAMOVE_NOTE_REBIND_FAILED, "rebind-failed" },
	{ NUMAMOVE_NOTE_AFFINITY_NO_CPUS, "affinity-no-cpus" },
	{ NUMAMOVE_NOTE_AFFINITY_FAILED, "affinity-failed" },
	{ NUMAMOVE_NOTE_AFFINITY_ERROR, "affinity-error" },
	{ NUMAMOVE_NOTE_SHARED_NEEDS_CAP, "shared-needs-cap" },
	{ NUMAMOVE_NOTE_POLICY_LEFT, "policy-left" },
	{ NUMAMOVE_NOTE_OBJECT_GONE, "object-gone" },
	{ NUMAMOVE_NOTE_OBJECT_IPC_NS, "object-ipc-ns" },
	{ NUMAMOVE_NOTE_MAPPINGS_KEPT, "mappings-kept" },
	{ NUMAMOVE_NOTE_SHARED_OUTSIDE, "moved-shared-outside" },
};

NM_EXPORT const char *numamove_why_name(enum numamove_why why)
{
	for (size_t i = 0; i < ARRAY_SIZE(why_names); i++)
		if (why_names[i].why == why)
			return why_names[i].name;
	return NULL;
}

/* ---- the request */

/* The rules of numamove_request_check(), over fields already read from the options; in the enum's order. */
static enum numamove_request_conflict check_move(unsigned int flags, int engine, unsigned int jobs, uint64_t rate,
						 unsigned int max_stall_ms, bool pacer, unsigned int what)
{
	unsigned int known = NUMAMOVE_REQUEST_F_DRY_RUN | NUMAMOVE_REQUEST_F_FORCE | NUMAMOVE_REQUEST_F_MEMORY_ONLY |
			     NUMAMOVE_REQUEST_F_WITH_SHARED | NUMAMOVE_REQUEST_F_WITH_FILES |
			     NUMAMOVE_REQUEST_F_INJECT_HELPER | NUMAMOVE_REQUEST_F_NO_STAY |
			     NUMAMOVE_REQUEST_F_UNPRIVILEGED;
	bool targets = what & NUMAMOVE_REQUEST_CHECK_TARGETS;
	bool processes = what & NUMAMOVE_REQUEST_CHECK_PROCESSES, objects = what & NUMAMOVE_REQUEST_CHECK_OBJECTS;
	bool cgroups = what & NUMAMOVE_REQUEST_CHECK_CGROUPS, policy = what & NUMAMOVE_REQUEST_CHECK_POLICY;
	bool shared = flags & NUMAMOVE_REQUEST_F_WITH_SHARED, kernel = engine == NUMAMOVE_ENGINE_KERNEL;

	/* A group moves as a whole, by its cpuset. */
	if (targets && cgroups && (objects || processes || policy || shared))
		return NUMAMOVE_REQUEST_CONFLICT_CGROUP_MIXED;
	if ((flags & NUMAMOVE_REQUEST_F_WITH_FILES) && !shared)
		return NUMAMOVE_REQUEST_CONFLICT_FILES_NOT_SHARED;
	/* Staying is about the policies a move sets: none with MEMORY_ONLY, none for a group. */
	if ((flags & NUMAMOVE_REQUEST_F_NO_STAY) && (flags & NUMAMOVE_REQUEST_F_MEMORY_ONLY))
		return NUMAMOVE_REQUEST_CONFLICT_NO_STAY_MEMORY_ONLY;
	if (targets && cgroups && (flags & NUMAMOVE_REQUEST_F_NO_STAY))
		return NUMAMOVE_REQUEST_CONFLICT_NO_STAY_CGROUP;
	if (targets && shared && !processes)
		return NUMAMOVE_REQUEST_CONFLICT_SHARED_NO_PROCESS;
	/* The kernel engine is one migrate_pages(2) call per process. */
	if (kernel && (jobs || rate || max_stall_ms || pacer))
		return NUMAMOVE_REQUEST_CONFLICT_KERNEL_PACING;
	if (kernel && shared)
		return NUMAMOVE_REQUEST_CONFLICT_KERNEL_SHARED;
	if (targets && kernel && objects)
		return NUMAMOVE_REQUEST_CONFLICT_KERNEL_OBJECTS;
	/* A shared policy is an object's. */
	if (targets && policy && !objects && !shared)
		return NUMAMOVE_REQUEST_CONFLICT_POLICY_NO_OBJECT;
	if (flags & ~known)
		return NUMAMOVE_REQUEST_CONFLICT_UNKNOWN_FLAG;
	if (engine != NUMAMOVE_ENGINE_BATCHED && !kernel)
		return NUMAMOVE_REQUEST_CONFLICT_UNKNOWN_ENGINE;
	if (jobs > NUMAMOVE_JOBS_MAX)
		return NUMAMOVE_REQUEST_CONFLICT_JOBS;
	if (rate && pacer)
		return NUMAMOVE_REQUEST_CONFLICT_RATE_AND_PACER;
	if (kernel && (flags & NUMAMOVE_REQUEST_F_UNPRIVILEGED))
		return NUMAMOVE_REQUEST_CONFLICT_KERNEL_UNPRIVILEGED;
	return NUMAMOVE_REQUEST_CONFLICT_NONE;
}

NM_EXPORT int numamove_request_check(const struct numamove_request_opts *opts, unsigned int what,
				     enum numamove_request_conflict *ret_why)
{
	enum numamove_request_conflict why = NUMAMOVE_REQUEST_CONFLICT_OPTS;

	if (NM_OPTS_VALID(opts, numamove_request_opts))
		why = check_move(NM_OPTS_GET(opts, flags, 0u), NM_OPTS_GET(opts, engine, (int)NUMAMOVE_ENGINE_BATCHED),
				 NM_OPTS_GET(opts, jobs, 0u), NM_OPTS_GET(opts, rate, (uint64_t)0),
				 NM_OPTS_GET(opts, max_stall_ms, 0u),
				 NM_OPTS_GET(opts, pacer, (struct numamove_pacer *)NULL) != NULL, what);
	if (ret_why)
		*ret_why = why;
	return why == NUMAMOVE_REQUEST_CONFLICT_NONE ? 0 : -EINVAL;
}

NM_EXPORT int numamove_request_new(enum numamove_action action, const struct numamove_request_opts *opts,
				   struct numamove_request **ret_request)
{
	struct numamove_request *req;
	unsigned int flags;

	if (!ret_request || !NM_OPTS_VALID(opts, numamove_request_opts))
		return -EINVAL;
	if (action != NUMAMOVE_ACTION_MOVE && action != NUMAMOVE_ACTION_SET_POLICY)
		return -EINVAL;
	req = calloc(1, sizeof(*req));
	if (!req)
		return -ENOMEM;
	req->action = action;
	req->flags = NM_OPTS_GET(opts, flags, 0u);
	req->engine = NM_OPTS_GET(opts, engine, (int)NUMAMOVE_ENGINE_BATCHED);
	req->jobs = NM_OPTS_GET(opts, jobs, 0u);
	req->rate = NM_OPTS_GET(opts, rate, (uint64_t)0);
	req->max_stall_ms = NM_OPTS_GET(opts, max_stall_ms, 0u);
	req->pacer = NM_OPTS_GET(opts, pacer, (struct numamove_pacer *)NULL);
	req->event = NM_OPTS_GET(opts, event, (numamove_event_fn)NULL);
	req->event_userdata = NM_OPTS_GET(opts, event_userdata, (void *)NULL);
	req->log = NM_OPTS_GET(opts, log, (numamove_log_fn)NULL);
	req->log_userdata = NM_OPTS_GET(opts, log_userdata, (void *)NULL);

	/*
	 * The rules of numamove_request_check(), for the options alone.
	 * SET_POLICY takes MAPPINGS and INJECT_HELPER only (no rule pairs them).
	 */
	flags = req->flags;
	if (action == NUMAMOVE_ACTION_SET_POLICY) {
		if (flags & ~(NUMAMOVE_REQUEST_F_MAPPINGS | NUMAMOVE_REQUEST_F_INJECT_HELPER)) {
			free(req);
			return -EINVAL;
		}
		flags = 0;
	}
	if (check_move(flags, req->engine, req->jobs, req->rate, req->max_stall_ms, req->pacer != NULL, 0) !=
	    NUMAMOVE_REQUEST_CONFLICT_NONE) {
		free(req);
		return -EINVAL;
	}
	*ret_request = req;
	return 0;
}

NM_EXPORT void numamove_request_free(struct numamove_request *req)
{
	if (!req)
		return;
	for (size_t i = 0; i < req->n_specs; i++) {
		if (req->specs[i].fd >= 0)
			close(req->specs[i].fd);
		free(req->specs[i].text);
	}
	free(req->specs);
	free(req->to);
	free(req->from);
	free(req->policy);
	free(req->tids);
	free(req->named);
	free(req->own);
	free(req);
}

static int set_text(char **field, const char *text)
{
	char *copy = NULL;

	if (text && !(copy = strdup(text)))
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

NM_EXPORT int numamove_request_set_nodes(struct numamove_request *req, const char *to, const char *from,
					 int *reterr_which, int *reterr_bad)
{
	struct numamove_topology *topo = NULL;
	struct numamove_nodelist *l = NULL;
	int r, which = 0;

	if (!req || !to)
		return -EINVAL;
	if (req->running)
		return -EBUSY;
	r = numamove_topology_load(NULL, &topo);
	if (r < 0)
		return r;
	/* Syntax and nodes that exist, now; what a target allows, when it runs. */
	r = numamove_nodelist_parse(to, topo, NULL, &l, reterr_bad);
	numamove_nodelist_free(l);
	if (r == 0 && from) {
		which = 1;
		l = NULL;
		r = numamove_nodelist_parse(from, topo, NULL, &l, reterr_bad);
		numamove_nodelist_free(l);
	}
	numamove_topology_free(topo);
	if (r < 0) {
		if (reterr_which)
			*reterr_which = which;
		return r;
	}
	r = set_text(&req->to, to);
	return r < 0 ? r : set_text(&req->from, from);
}

/*
 * The policy --policy asks of objects: a mode alone applies over @to (a
 * preferred policy over several nodes is preferred-many); anything else is
 * a whole policy, parsed against @topo (NULL: any node).
 */
static int object_policy(const char *text, const struct numamove_topology *topo, const struct numamove_nodelist *to,
			 struct numamove_policy **ret, int *reterr_bad)
{
	for (int mode = 0; numamove_policy_mode_name(mode); mode++) {
		bool takes_nodes = mode != NUMAMOVE_POLICY_MODE_DEFAULT && mode != NUMAMOVE_POLICY_MODE_LOCAL;

		if (!takes_nodes || strcmp(text, numamove_policy_mode_name(mode)) != 0)
			continue;
		if (mode == NUMAMOVE_POLICY_MODE_PREFERRED && numamove_nodelist_count(to) > 1)
			mode = NUMAMOVE_POLICY_MODE_PREFERRED_MANY;
		return numamove_policy_new(mode, 0, to, ret);
	}
	return numamove_policy_parse(text, topo, ret, reterr_bad);
}

NM_EXPORT int numamove_request_set_policy(struct numamove_request *req, const char *policy, int *reterr_bad)
{
	struct numamove_topology *topo = NULL;
	struct numamove_nodelist *one = NULL;
	struct numamove_policy *pol = NULL;
	int r;

	if (!req || !policy)
		return -EINVAL;
	if (req->running)
		return -EBUSY;
	r = numamove_topology_load(NULL, &topo);
	if (r < 0)
		return r;
	if (req->action == NUMAMOVE_ACTION_SET_POLICY) {
		r = numamove_policy_parse(policy, topo, &pol, reterr_bad);
	} else {
		/* A mode alone is checked over a stand-in node list; its real one is each target's --to. */
		r = numamove_nodelist_new(&one);
		if (r == 0)
			r = numamove_nodelist_add(one, numamove_nodelist_get(numamove_topology_nodes(topo), 0));
		if (r == 0)
			r = object_policy(policy, topo, one, &pol, reterr_bad);
	}
	numamove_policy_free(pol);
	numamove_nodelist_free(one);
	numamove_topology_free(topo);
	return r < 0 ? r : set_text(&req->policy, policy);
}

NM_EXPORT int numamove_request_set_tids(struct numamove_request *req, const pid_t *tids, size_t n_tids)
{
	pid_t *copy = NULL;

	if (!req || (n_tids && !tids))
		return -EINVAL;
	if (req->running)
		return -EBUSY;
	for (size_t i = 0; i < n_tids; i++)
		if (tids[i] <= 0)
			return -EINVAL;
	if (n_tids) {
		copy = malloc(n_tids * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, tids, n_tids * sizeof(*copy));
	}
	free(req->tids);
	req->tids = copy;
	req->n_tids = n_tids;
	return 0;
}

static int add_spec(struct numamove_request *req, struct spec s, const char *text)
{
	int r;

	if (req->running)
		return -EBUSY;
	r = nm_grow((void **)&req->specs, &req->alloc_specs, req->n_specs + 1, sizeof(*req->specs));
	if (r < 0)
		return r;
	s.text = text ? strdup(text) : NULL;
	if (text && !s.text)
		return -ENOMEM;
	req->specs[req->n_specs++] = s;
	return 0;
}

/* Objects and cgroups are moved: not for SET_POLICY, nor with the kernel engine (processes only). */
static bool takes_objects(const struct numamove_request *req)
{
	return req->action == NUMAMOVE_ACTION_MOVE && req->engine != NUMAMOVE_ENGINE_KERNEL;
}

NM_EXPORT int numamove_request_add_pid(struct numamove_request *req, pid_t pid)
{
	char name[32];

	if (!req || pid <= 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "%d", (int)pid);
	return add_spec(req, (struct spec){ .kind = SPEC_PID, .pid = pid, .fd = -1 }, name);
}

NM_EXPORT int numamove_request_add_pidfd(struct numamove_request *req, int pidfd)
{
	struct numamove_task *t = NULL;
	char name[32];
	int r, fd;

	if (!req || pidfd < 0)
		return -EINVAL;
	/* Opened now to learn the pid (its name in the report); the copy is what runs. */
	r = numamove_task_open_pidfd(pidfd, &t);
	if (r < 0)
		return r;
	snprintf(name, sizeof(name), "%d", (int)numamove_task_pid(t));
	numamove_task_free(t);
	fd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	r = add_spec(req, (struct spec){ .kind = SPEC_PIDFD, .fd = fd }, name);
	if (r < 0)
		close(fd);
	return r;
}

NM_EXPORT int numamove_request_add_task(struct numamove_request *req, const struct numamove_task *task)
{
	if (!req || !task)
		return -EINVAL;
	return numamove_request_add_pidfd(req, nm_task_pidfd(task));
}

NM_EXPORT int numamove_request_add_path(struct numamove_request *req, const char *path)
{
	if (!req || !path || !*path)
		return -EINVAL;
	if (!takes_objects(req))
		return -EINVAL;
	return add_spec(req, (struct spec){ .kind = SPEC_PATH, .fd = -1 }, path);
}

NM_EXPORT int numamove_request_add_shm(struct numamove_request *req, int id_or_key, bool key)
{
	char name[48];

	if (!req || (!key && id_or_key < 0) || (key && id_or_key == 0))
		return -EINVAL;
	if (!takes_objects(req))
		return -EINVAL;
	if (key)
		snprintf(name, sizeof(name), "shm-key:0x%08x", (unsigned int)id_or_key);
	else
		snprintf(name, sizeof(name), "shm:%d", id_or_key);
	return add_spec(req, (struct spec){ .kind = key ? SPEC_SHM_KEY : SPEC_SHM, .fd = -1, .value = id_or_key },
			name);
}

/* A group moves as a whole, by its cpuset: no objects, no policy, and no stay policy to refuse. */
static bool takes_cgroups(const struct numamove_request *req)
{
	return req->action == NUMAMOVE_ACTION_MOVE && !req->policy &&
	       !(req->flags & (NUMAMOVE_REQUEST_F_WITH_SHARED | NUMAMOVE_REQUEST_F_NO_STAY));
}

NM_EXPORT int numamove_request_add_cgroup(struct numamove_request *req, const char *path)
{
	if (!req || !path || !*path)
		return -EINVAL;
	if (!takes_cgroups(req))
		return -EINVAL;
	return add_spec(req, (struct spec){ .kind = SPEC_CGROUP, .fd = -1 }, path);
}

NM_EXPORT int numamove_request_add_cgroup_of(struct numamove_request *req, pid_t pid)
{
	char name[32];

	if (!req || pid <= 0)
		return -EINVAL;
	if (!takes_cgroups(req))
		return -EINVAL;
	snprintf(name, sizeof(name), "%d", (int)pid);
	return add_spec(req, (struct spec){ .kind = SPEC_CGROUP_PID, .pid = pid, .fd = -1 }, name);
}

/* Found now: a job that is not on this node is the caller's error to tell, before anything runs. */
NM_EXPORT int numamove_request_add_slurm_job(struct numamove_request *req, const char *spec)
{
	_cleanup_free_ char *path = NULL;
	int r;

	if (!req || !spec)
		return -EINVAL;
	if (!takes_cgroups(req))
		return -EINVAL;
	r = numamove_slurm_cgroup(spec, NULL, &path);
	if (r < 0)
		return r;
	return add_spec(req, (struct spec){ .kind = SPEC_CGROUP, .fd = -1 }, path);
}

NM_EXPORT void numamove_request_cancel(struct numamove_request *req)
{
	if (req)
		req->cancelled = true;
}

/* ---- building the report */

static void detail_init(struct numamove_detail *d, enum numamove_why why, int error)
{
	*d = (struct numamove_detail){ .why = why, .error = error, .node = -1, .scope = -1 };
}

/* A text the report keeps (a detail points to it); NULL without memory. */
static const char *keep(struct numamove_report *rep, const char *text)
{
	char *copy;

	if (!text || nm_grow((void **)&rep->strs, &rep->alloc_strs, rep->n_strs + 1, sizeof(*rep->strs)) < 0)
		return NULL;
	copy = strdup(text);
	if (copy)
		rep->strs[rep->n_strs++] = copy;
	return copy;
}

static const char *keep_nodelist(struct numamove_report *rep, const struct numamove_nodelist *l)
{
	char buf[1024];
	int n = numamove_nodelist_format(l, buf, sizeof(buf));
	char *big;
	const char *kept;

	if (n < 0)
		return NULL;
	if ((size_t)n < sizeof(buf))
		return keep(rep, buf);
	big = malloc((size_t)n + 1);
	if (!big)
		return NULL;
	numamove_nodelist_format(l, big, (size_t)n + 1);
	kept = keep(rep, big);
	free(big);
	return kept;
}

static void logf_(struct numamove_request *req, enum numamove_log_level level, size_t target, int error,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void logf_(struct numamove_request *req, enum numamove_log_level level, size_t target, int error,
		  const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!req->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	req->log(level, target, error, msg, req->log_userdata);
}

static struct target *tgt(struct numamove_request *req, size_t i)
{
	return &req->rep->t[i];
}

static void note(struct numamove_request *req, size_t i, const struct numamove_detail *d)
{
	struct numamove_report *rep = req->rep;
	struct numamove_detail **notes = i == NUMAMOVE_REPORT_REQUEST ? &rep->notes : &rep->t[i].notes;
	size_t *n = i == NUMAMOVE_REPORT_REQUEST ? &rep->n_notes : &rep->t[i].n_notes;
	size_t *alloc = i == NUMAMOVE_REPORT_REQUEST ? &rep->alloc_notes : &rep->t[i].alloc_notes;

	if (nm_grow((void **)notes, alloc, *n + 1, sizeof(**notes)) < 0)
		return; /* a note lost to ENOMEM; the outcome still stands */
	(*notes)[(*n)++] = *d;
	logf_(req, NUMAMOVE_LOG_INFO, i, d->error, "note: %s", numamove_why_name(d->why));
}

static void emit(struct numamove_request *req, size_t i, enum numamove_phase phase, uint64_t done, uint64_t total,
		 uint64_t max_call_ns);

/* Ends target @i with @outcome for the reason @d (NULL: none); the front end hears of it at once. */
static int end(struct numamove_request *req, size_t i, enum numamove_outcome outcome,
	       const struct numamove_detail *d)
{
	struct target *t = tgt(req, i);

	t->outcome = outcome;
	if (t->result) {
		/* What moved before the end, whatever the end (a cancel, an exit, an error). */
		t->moved = numamove_result_bytes_moved(t->result) +
			   (t->kind == NUMAMOVE_TARGET_PROCESS ? numamove_result_sweep_bytes(t->result) : 0);
		t->left = numamove_result_bytes_left(t->result, -1);
	}
	if (d) {
		t->why = *d;
		t->has_why = true;
		logf_(req, NUMAMOVE_LOG_DEBUG, i, d->error, "%s: %s", numamove_outcome_name(outcome),
		      numamove_why_name(d->why));
	}
	emit(req, i, NUMAMOVE_PHASE_DONE, 0, 0, 0);
	return 0;
}

static int end_why(struct numamove_request *req, size_t i, enum numamove_outcome outcome, enum numamove_why why,
		   int error)
{
	struct numamove_detail d;

	detail_init(&d, why, error);
	return end(req, i, outcome, &d);
}

static void emit(struct numamove_request *req, size_t i, enum numamove_phase phase, uint64_t done, uint64_t total,
		 uint64_t max_call_ns)
{
	struct numamove_event ev = { .sz = sizeof(ev), .target = i, .phase = phase, .bytes_done = done,
				     .bytes_total = total, .max_call_ns = max_call_ns };

	if (!req->event)
		return;
	if (phase == NUMAMOVE_PHASE_MOVE || phase == NUMAMOVE_PHASE_MOVED) {
		ev.elapsed_ns = nm_now_ns() - req->move_start;
		if (ev.elapsed_ns)
			ev.rate = (uint64_t)((double)done * 1e9 / (double)ev.elapsed_ns);
		if (phase == NUMAMOVE_PHASE_MOVE && ev.rate && total > done)
			ev.eta_ns = (uint64_t)((double)(total - done) * 1e9 / (double)ev.rate);
	}
	req->event(req->rep, &ev, req->event_userdata);
}

/* A new target in the report; its index in @ret. */
static int add_target(struct numamove_request *req, enum numamove_target_kind kind, const char *name, size_t parent,
		      size_t *ret)
{
	struct numamove_report *rep = req->rep;
	int r = nm_grow((void **)&rep->t, &rep->alloc, rep->n + 1, sizeof(*rep->t));

	if (r < 0)
		return r;
	rep->t[rep->n] = (struct target){ .kind = kind, .parent = parent, .object_type = -ENOENT };
	rep->t[rep->n].name = strdup(name ? name : "");
	if (!rep->t[rep->n].name)
		return -ENOMEM;
	*ret = rep->n++;
	emit(req, *ret, NUMAMOVE_PHASE_START, 0, 0, 0);
	return 0;
}

/* Memory per node of the report's list, from @maps (NULL: zeros). */
/*
 * The topology for a new target, read afresh for each (earlier moves used
 * up free memory), except the first, which takes the one the run started
 * with: nothing has moved since.
 */
static int target_topology(struct numamove_request *req, struct numamove_topology **ret)
{
	if (req->fresh_topo) {
		*ret = TAKE_PTR(req->fresh_topo);
		return 0;
	}
	return numamove_topology_load(NULL, ret);
}

static uint64_t *node_bytes(const struct numamove_report *rep, const struct numamove_maps *maps)
{
	size_t n = numamove_nodelist_count(rep->nodes);
	uint64_t *v = calloc(n + 1, sizeof(*v));

	for (size_t k = 0; v && maps && k < n; k++)
		v[k] = numamove_maps_bytes(maps, numamove_nodelist_get(rep->nodes, k), -1);
	return v;
}

/* ---- resolving nodes for a target */

/* Nodes of @mems, @t's cpuset, that have memory: what "all", "!" and "+" mean for it. */
static int allowed_nodes(const struct numamove_nodelist *mems, const struct numamove_topology *topo,
			 struct numamove_nodelist **ret)
{
	struct numamove_nodelist *out = NULL;
	int r = numamove_nodelist_new(&out);

	for (size_t i = 0; r == 0 && i < numamove_nodelist_count(mems); i++) {
		int n = numamove_nodelist_get(mems, i);

		if (numamove_node_has_memory(topo, n))
			r = numamove_nodelist_add(out, n);
	}
	if (r < 0) {
		numamove_nodelist_free(out);
		return r;
	}
	*ret = out;
	return 0;
}

/* Ends @i INVALID for the node list @which ("to", "from") that does not resolve. */
static int bad_nodes(struct numamove_request *req, size_t i, const char *which, int r, int bad)
{
	struct numamove_detail d;

	detail_init(&d, NUMAMOVE_WHY_NODES, r);
	d.node = r == -ENODEV || r == -ERANGE ? bad : -1;
	d.text = keep(req->rep, which);
	d.text2 = keep(req->rep, strcmp(which, "from") == 0 ? req->from : req->to);
	return end(req, i, NUMAMOVE_OUTCOME_INVALID, &d);
}

/*
 * Refuses @i when a node of @to is outside @mems, @t's cpuset (@t: the
 * target, or numamove itself; @mems NULL: read it here).
 */
static bool check_cpuset(struct numamove_request *req, size_t i, const struct numamove_task *t,
			 const struct numamove_nodelist *mems, const struct numamove_nodelist *to)
{
	_cleanup_(nm_nodelist_freep) struct numamove_nodelist *read = NULL;
	bool ok = true;

	if (!mems) {
		if (numamove_task_allowed_nodes(t, &read) < 0)
			return true; /* the kernel will say */
		mems = read;
	}
	for (size_t k = 0; ok && k < numamove_nodelist_count(to); k++) {
		struct numamove_detail d;

		if (numamove_nodelist_contains(mems, numamove_nodelist_get(to, k)))
			continue;
		detail_init(&d, NUMAMOVE_WHY_NODE_NOT_ALLOWED, -EINVAL);
		d.node = numamove_nodelist_get(to, k);
		d.tid = numamove_task_pid(t);
		d.text = keep_nodelist(req->rep, mems);
		end(req, i, NUMAMOVE_OUTCOME_REFUSED, &d);
		ok = false;
	}
	return ok;
}

/*
 * --to and --from resolved against the allowed nodes of @t (the target, or
 * numamove itself for objects); every destination has memory and is in
 * that cpuset. false when @i was ended. @ret_allowed (when not NULL) gets
 * the nodes with memory of that cpuset, as read here.
 */
static bool resolve_nodes(struct numamove_request *req, size_t i, const struct numamove_topology *topo,
			  const struct numamove_task *t, struct numamove_nodelist **to, struct numamove_nodelist **from,
			  struct numamove_nodelist **ret_allowed)
{
	_cleanup_(nm_nodelist_freep) struct numamove_nodelist *mems = NULL;
	struct numamove_nodelist *allowed = NULL;
	int r, bad = 0;

	r = numamove_task_allowed_nodes(t, &mems);
	if (r == 0)
		r = allowed_nodes(mems, topo, &allowed);
	if (r < 0) {
		end_why(req, i, r == -ESRCH ? NUMAMOVE_OUTCOME_EXITED : NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_SYSTEM, r);
		return false;
	}
	r = numamove_nodelist_parse(req->to, topo, allowed, to, &bad);
	if (r < 0)
		bad_nodes(req, i, "to", r, bad);
	if (r == 0 && req->from) {
		r = numamove_nodelist_parse(req->from, topo, allowed, from, &bad);
		if (r < 0)
			bad_nodes(req, i, "from", r, bad);
	}
	if (r == 0 && ret_allowed)
		*ret_allowed = TAKE_PTR(allowed);
	numamove_nodelist_free(allowed);
	if (r < 0)
		return false;
	for (size_t k = 0; k < numamove_nodelist_count(*to); k++)
		if (!numamove_node_has_memory(topo, numamove_nodelist_get(*to, k))) {
			struct numamove_detail d;

			detail_init(&d, NUMAMOVE_WHY_NODE_NO_MEMORY, -ENODEV);
			d.node = numamove_nodelist_get(*to, k);
			end(req, i, NUMAMOVE_OUTCOME_INVALID, &d);
			return false;
		}
	return check_cpuset(req, i, t, mems, *to);
}

/* Refuses @i, with the numbers, when a destination of @plan has no room (unless forced). */
static bool check_fits(struct numamove_request *req, size_t i, const struct numamove_plan *plan)
{
	const struct numamove_nodelist *to = numamove_plan_to(plan);

	if (req->flags & NUMAMOVE_REQUEST_F_FORCE)
		return true;
	for (size_t k = 0; k < numamove_nodelist_count(to); k++) {
		struct numamove_detail d;

		if (nm_plan_node_fits(plan, numamove_nodelist_get(to, k), &d) < 0) {
			end(req, i, NUMAMOVE_OUTCOME_REFUSED, &d);
			return false;
		}
	}
	return true;
}

struct check_call {
	const struct numamove_task *task;
	enum numamove_inject_block block;
	pid_t tid;
};

static int check_call(void *arg)
{
	struct check_call *c = arg;

	return numamove_inject_check(c->task, &c->block, &c->tid);
}

/* Why numamove could not run system calls in @t (@err from a policy call). */
static void inject_detail(const struct numamove_request *req, const struct numamove_task *t, int err,
			  struct numamove_detail *d)
{
	struct check_call c = { .task = t, .block = NUMAMOVE_INJECT_OK, .tid = numamove_task_pid(t) };
	bool traced;

	detail_init(d, NUMAMOVE_WHY_INJECT, err);
	switch (err) {
	case -EBUSY:
		/* The check holds threads under seccomp filters: with the helper, from there too. */
		if ((req->flags & NUMAMOVE_REQUEST_F_INJECT_HELPER ? nm_helper_run(numamove_task_pid(t), check_call, &c, &traced)
								   : check_call(&c)) < 0)
			c.block = NUMAMOVE_INJECT_OK;
		d->block = (int)c.block;
		d->tid = c.tid;
		break;
	case -EPERM:
	case -EACCES:
		d->scope = numamove_ptrace_scope();
		break;
	case -EOPNOTSUPP:
		d->block = NUMAMOVE_INJECT_COMPAT;
		break;
	default:
		break;
	}
}

static struct numamove_move_opts move_opts(struct numamove_request *req);

/* Whether the request may use CAP_SYS_NICE to move pages other processes map too. */
static bool moves_shared(const struct numamove_request *req)
{
	return numamove_can_move_shared() && !(req->flags & NUMAMOVE_REQUEST_F_UNPRIVILEGED);
}


/* ---- objects */

static const char *object_name(const struct numamove_object *obj, char *buf, size_t size)
{
	if (numamove_object_type(obj) == NUMAMOVE_OBJECT_SYSV) {
		snprintf(buf, size, "shm:%d", numamove_object_shmid(obj));
		return buf;
	}
	return numamove_object_path(obj);
}

/* @from, then the nodes holding pages of @obj that are not in it, ascending. */
static int extend_list(const struct numamove_nodelist *from, const struct numamove_object *obj,
		       struct numamove_nodelist **ret)
{
	struct numamove_nodelist *l = NULL, *nodes = NULL;
	int r = numamove_nodelist_new(&l);

	for (size_t i = 0; r == 0 && i < numamove_nodelist_count(from); i++)
		r = numamove_nodelist_add(l, numamove_nodelist_get(from, i));
	if (r == 0)
		r = numamove_object_nodes(obj, &nodes);
	for (size_t i = 0; r == 0 && i < numamove_nodelist_count(nodes); i++)
		if (!numamove_nodelist_contains(l, numamove_nodelist_get(nodes, i)))
			r = numamove_nodelist_add(l, numamove_nodelist_get(nodes, i));
	numamove_nodelist_free(nodes);
	if (r < 0) {
		numamove_nodelist_free(l);
		return r;
	}
	*ret = l;
	return 0;
}

/*
 * Moves one shared object (taking it over). @to_in and @from_in: the lists
 * in force for a process's objects (its own shared memory, WITH_SHARED;
 * @parent its index); NULL for an object named in the request, whose lists
 * are resolved against numamove's own allowed nodes. Asking a policy of a
 * named object that keeps none is a refusal; of a process's object, a
 * note. @outside (NUMAMOVE_WHY_SHARED_OUTSIDE), when not NULL: processes
 * that were not named map it too; it is then only planned and left, what
 * the plan would move counted as left, unless WITH_SHARED, which moves it
 * with a note saying so.
 */
/*
 * Sets @obj's shared policy to @pol and keeps what it reads back as target
 * @i's policy after; ends @i FAILED when it cannot (returns the error).
 */
static int set_object_policy(struct numamove_request *req, size_t i, struct numamove_object *obj,
			     const struct numamove_policy *pol)
{
	struct target *t = tgt(req, i);
	int r = numamove_object_set_policy(obj, pol);

	if (r < 0) {
		end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_SET_POLICY, r);
		return r;
	}
	if (numamove_object_policy(obj)) {
		free(t->policy_after);
		t->policy_after = strdup(numamove_object_policy(obj));
	}
	return 0;
}

static int run_object(struct numamove_request *req, struct numamove_object *obj, size_t parent,
		      const struct numamove_nodelist *to_in, const struct numamove_nodelist *from_in,
		      const struct numamove_detail *outside, const struct numamove_plan *through,
		      const struct numamove_maps *plan_over)
{
	struct numamove_nodelist *to = NULL, *from = NULL;
	struct numamove_task *self = NULL;
	struct numamove_policy *pol = NULL, *remapped = NULL;
	struct numamove_move_opts opts;
	struct target *t;
	bool named = parent == NUMAMOVE_REPORT_REQUEST, policy = req->policy != NULL;
	char buf[64];
	size_t i;
	int r, fatal;

	/* Only a report that cannot grow stops the request; anything else ends this target. */
	fatal = add_target(req, NUMAMOVE_TARGET_OBJECT, object_name(obj, buf, sizeof(buf)), parent, &i);
	if (fatal < 0) {
		numamove_object_free(obj);
		return fatal;
	}
	t = tgt(req, i);
	t->object_type = (int)numamove_object_type(obj);
	r = target_topology(req, &t->topo);
	if (r == 0)
		r = numamove_task_open(getpid(), &self);
	if (r < 0) {
		r = end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_SYSTEM, r);
		goto out;
	}
	if (named) {
		if (!resolve_nodes(req, i, t->topo, self, &to, &from, NULL))
			goto out;
		to_in = to;
		from_in = from;
	} else if (!check_cpuset(req, i, self, NULL, to_in)) {
		/* The process's lists were checked against its cpuset; numamove moves from its own. */
		goto out;
	}
	if (policy && !numamove_object_has_shared_policy(obj)) {
		struct numamove_detail d;

		detail_init(&d, named ? NUMAMOVE_WHY_NO_SHARED_POLICY : NUMAMOVE_NOTE_POLICY_LEFT, -EOPNOTSUPP);
		d.page_size = numamove_object_is_hugetlb(obj) ? numamove_object_page_size(obj) : 0;
		if (named) {
			end(req, i, NUMAMOVE_OUTCOME_REFUSED, &d);
			goto out;
		}
		note(req, i, &d);
		policy = false;
	}
	r = numamove_object_load(obj);
	if (r < 0) {
		struct numamove_detail d;

		detail_init(&d, NUMAMOVE_WHY_LOAD, r);
		d.page_size = numamove_object_is_hugetlb(obj) ? numamove_object_page_size(obj) : 0;
		end(req, i, NUMAMOVE_OUTCOME_FAILED, &d);
		goto out;
	}
	t->before = node_bytes(req->rep, numamove_object_maps(obj));
	if (numamove_object_policy(obj))
		t->policy_before = strdup(numamove_object_policy(obj));
	if (!policy && through && numamove_object_has_shared_policy(obj) && numamove_object_policy(obj)) {
		/* A process's own shared memory: its shared policy follows the process's nodes. */
		struct numamove_policy *before = NULL;

		if (numamove_policy_parse(numamove_object_policy(obj), NULL, &before, NULL) == 0 &&
		    numamove_policy_remap(before, through, &remapped) == 0 && numamove_policy_equal(before, remapped)) {
			numamove_policy_free(remapped);
			remapped = NULL;
		}
		numamove_policy_free(before);
	}
	if (!named && !req->from) {
		/* The process's FROM, then the object's other nodes: every page of it moves. */
		r = extend_list(from_in, obj, &from);
		if (r < 0) {
			end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_PLAN, r);
			goto out;
		}
		from_in = from;
	}
	r = numamove_plan_new(plan_over ? plan_over : numamove_object_maps(obj), from_in, to_in, t->topo, &t->plan);
	if (r < 0) {
		end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_PLAN, r);
		goto out;
	}
	/* Nothing of it to move (all on its destinations already): nothing to leave either. */
	if (outside && !(req->flags & NUMAMOVE_REQUEST_F_WITH_SHARED) && numamove_plan_bytes(t->plan, -1, -1)) {
		struct numamove_detail d = *outside;

		/* Not the named processes' alone: left, and counted. */
		d.need = t->left = numamove_plan_bytes(t->plan, -1, -1);
		end(req, i, req->flags & NUMAMOVE_REQUEST_F_DRY_RUN ? NUMAMOVE_OUTCOME_PLANNED : NUMAMOVE_OUTCOME_PARTIAL,
		    &d);
		goto out;
	}
	if (outside && (req->flags & NUMAMOVE_REQUEST_F_WITH_SHARED)) {
		struct numamove_detail d = *outside;

		/* Nothing to move without it: no note saying it moved with it. */
		d.why = NUMAMOVE_NOTE_SHARED_OUTSIDE;
		note(req, i, &d);
	}
	if (req->flags & NUMAMOVE_REQUEST_F_DRY_RUN) {
		if (remapped) {
			char text[256];

			if (numamove_policy_format(remapped, text, sizeof(text)) < (int)sizeof(text))
				t->policy_after = strdup(text);
		}
		end(req, i, NUMAMOVE_OUTCOME_PLANNED, NULL);
		goto out;
	}
	if (!check_fits(req, i, t->plan))
		goto out;
	if (req->cancelled) {
		end(req, i, NUMAMOVE_OUTCOME_CANCELLED, NULL);
		goto out;
	}
	if (remapped) {
		/* Before the pages: a page the process allocates meanwhile goes where the rest will. */
		r = set_object_policy(req, i, obj, remapped);
		if (r < 0)
			goto out;
	}
	if (policy) {
		r = object_policy(req->policy, NULL, to_in, &pol, NULL);
		if (r == 0 && nm_policy_supported(pol) < 0) {
			end_why(req, i, NUMAMOVE_OUTCOME_REFUSED, NUMAMOVE_WHY_POLICY_UNSUPPORTED, -EOPNOTSUPP);
			goto out;
		}
		if (r < 0) {
			end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_SET_POLICY, r);
			goto out;
		}
		r = set_object_policy(req, i, obj, pol);
		if (r < 0)
			goto out;
	}
	opts = move_opts(req);
	/* An object moves from our own mapping: move_pages(2), whatever engine moved its process. */
	opts.engine = NUMAMOVE_ENGINE_BATCHED;
	req->cur = i;
	req->move_start = nm_now_ns();
	r = numamove_object_move(obj, t->plan, &opts, &t->result);
	if (t->result)
		emit(req, i, NUMAMOVE_PHASE_MOVED, numamove_result_bytes_moved(t->result),
		     numamove_result_bytes_moved(t->result), numamove_result_max_call_ns(t->result));
	if (r == -ECANCELED) {
		end(req, i, NUMAMOVE_OUTCOME_CANCELLED, NULL);
		goto out;
	}
	if (r < 0) {
		end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_MOVE, r);
		goto out;
	}
	t->after = node_bytes(req->rep, numamove_object_maps(obj));
	if (numamove_result_pages_left(t->result, NUMAMOVE_REASON_SHARED) && !moves_shared(req)) {
		struct numamove_detail d;

		detail_init(&d, NUMAMOVE_NOTE_SHARED_NEEDS_CAP, -EPERM);
		d.need = numamove_result_pages_left(t->result, NUMAMOVE_REASON_SHARED);
		note(req, i, &d);
	}
	end(req, i, numamove_result_pages_left(t->result, -1) ? NUMAMOVE_OUTCOME_PARTIAL : NUMAMOVE_OUTCOME_DONE, NULL);
out:
	numamove_policy_free(remapped);
	numamove_policy_free(pol);
	numamove_nodelist_free(to);
	numamove_nodelist_free(from);
	numamove_task_free(self);
	numamove_object_free(obj);
	return 0;
}

/*
 * WITH_SHARED: the shared objects process @parent maps, each once, moved
 * with the process's lists, each a target of its own after the process.
 */
static int run_shared(struct numamove_request *req, size_t parent, const struct numamove_task *task,
		      const struct numamove_maps *maps, const struct numamove_plan *plan)
{
	unsigned int flags = req->flags & NUMAMOVE_REQUEST_F_WITH_FILES ? NUMAMOVE_OBJECT_WITH_FILES : 0;
	struct numamove_object **found = NULL;
	size_t n_found = 0, alloc = 0, next;
	int r = 0;

	for (size_t k = 0; r == 0 && k < numamove_maps_count(maps); k++) {
		const char *name = numamove_mapping_name(numamove_maps_get(maps, k));
		struct numamove_object *obj = NULL;
		struct numamove_detail d;
		bool seen = false;
		int e = numamove_object_open_mapping(maps, k, numamove_task_pid(task), flags, &obj);

		if (e == -ENOENT || e == -EXDEV) {
			/* Left alone on purpose: a target of its own, SKIPPED, saying why. */
			size_t i;

			r = add_target(req, NUMAMOVE_TARGET_OBJECT, name, parent, &i);
			if (r == 0) {
				detail_init(&d, e == -ENOENT ? NUMAMOVE_NOTE_OBJECT_GONE : NUMAMOVE_NOTE_OBJECT_IPC_NS, e);
				d.text = keep(req->rep, name);
				end(req, i, NUMAMOVE_OUTCOME_SKIPPED, &d);
			}
			continue;
		}
		if (e < 0) {
			size_t i;

			r = add_target(req, NUMAMOVE_TARGET_OBJECT, name, parent, &i);
			if (r == 0) {
				detail_init(&d, NUMAMOVE_WHY_OPEN, e);
				d.text = keep(req->rep, name);
				end(req, i, NUMAMOVE_OUTCOME_FAILED, &d);
			}
			continue;
		}
		if (!obj)
			continue;
		for (size_t j = 0; j < n_found; j++)
			seen = seen || numamove_object_same(found[j], obj);
		if (seen || (r = nm_grow((void **)&found, &alloc, n_found + 1, sizeof(*found))) < 0) {
			numamove_object_free(obj);
			continue;
		}
		found[n_found++] = obj;
	}
	/* The same FROM and TO as the process, so that each node goes where the process's went. */
	for (next = 0; r == 0 && next < n_found && !req->cancelled; next++)
		r = run_object(req, found[next], parent, numamove_plan_to(plan), numamove_plan_from(plan), NULL, NULL,
			       NULL);
	/* Cancelled: the rest are let go (a SysV segment stays attached until then). */
	for (; next < n_found; next++)
		numamove_object_free(found[next]);
	free(found);
	return r;
}

static bool same_file(const struct numamove_mapping *a, const struct numamove_mapping *b)
{
	return a->dev_major == b->dev_major && a->dev_minor == b->dev_minor && a->ino == b->ino;
}

/* Whether @m's file was handled already in this request (moved, planned, left or failed). */
static bool own_seen(const struct numamove_request *req, const struct numamove_mapping *m)
{
	for (size_t k = 0; k < req->n_own; k++)
		if (req->own[k].major == m->dev_major && req->own[k].minor == m->dev_minor && req->own[k].ino == m->ino)
			return true;
	return false;
}

/*
 * @m's file has an outcome in this request: later processes that map it
 * leave it. Only then: a file this process could not open (it exited, or
 * unmapped or moved the range) is still for the next process that maps it.
 */
static int own_mark(struct numamove_request *req, const struct numamove_mapping *m)
{
	int r = nm_grow((void **)&req->own, &req->alloc_own, req->n_own + 1, sizeof(*req->own));

	if (r < 0)
		return r;
	req->own[req->n_own++] = (struct nm_file_id){ m->dev_major, m->dev_minor, m->ino };
	return 0;
}

/*
 * @m's file, which process @task mapped when @maps was read but whose range
 * could not be opened (-ENOENT): the range was split, moved (mremap) or
 * unmapped since. Its maps are read again, and the file opened where it is
 * now, a few times. -ENOENT: the process exited, or maps it no more (the
 * file is for the next process that maps it); @ret_maps: the maps it was
 * opened from.
 */
static int own_reopen(const struct numamove_task *task, const struct numamove_mapping *m,
		      struct numamove_maps **ret_maps, size_t *ret_k, struct numamove_object **ret_obj)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		struct numamove_maps *now = NULL;
		size_t k;
		int r;

		if (numamove_task_check(task) < 0 || numamove_maps_read(task, &now) < 0) {
			numamove_maps_free(now);
			return -ENOENT;
		}
		for (k = 0; k < now->n; k++)
			if (nm_mapping_is_own_shared(&now->m[k]) && same_file(&now->m[k], m))
				break;
		if (k == now->n) {
			numamove_maps_free(now);
			return -ENOENT;
		}
		r = numamove_object_open_mapping(now, k, numamove_task_pid(task), NUMAMOVE_OBJECT_OWN_SHARED, ret_obj);
		if (r != -ENOENT) {
			*ret_maps = now;
			*ret_k = k;
			return r;
		}
		numamove_maps_free(now);
	}
	return -ENOENT;
}

/*
 * At most how much of the file of mapping @at in @maps (own shared memory
 * out of reach) is resident but not mapped by this process: the part of
 * the file its mappings cover (each offset once, however many times it is
 * mapped), less the pages of the mapping that maps the most. Parts of the
 * file the process maps nowhere are not known.
 */
static uint64_t unmapped_bound(const struct numamove_maps *maps, size_t at)
{
	const struct numamove_mapping *m = &maps->m[at];
	uint64_t covered = 0, mapped = 0, done = 0;

	/* The union of the file ranges, swept in order of offset. */
	for (;;) {
		uint64_t lo = UINT64_MAX, hi = 0;

		for (size_t j = at; j < maps->n; j++) {
			const struct numamove_mapping *x = &maps->m[j];
			uint64_t b = x->offset, e = x->offset + (x->end - x->start);

			if (!nm_mapping_is_own_shared(x) || !same_file(x, m) || e <= done)
				continue;
			if (b < done)
				b = done;
			if (b < lo || (b == lo && e > hi)) {
				lo = b;
				hi = e;
			}
		}
		if (lo == UINT64_MAX)
			break;
		/* Ranges that overlap [lo, hi) extend it. */
		for (bool grew = true; grew;) {
			grew = false;
			for (size_t j = at; j < maps->n; j++) {
				const struct numamove_mapping *x = &maps->m[j];
				uint64_t b = x->offset, e = x->offset + (x->end - x->start);

				if (nm_mapping_is_own_shared(x) && same_file(x, m) && b <= hi && e > hi) {
					hi = e;
					grew = true;
				}
			}
		}
		covered += hi - lo;
		done = hi;
	}
	for (size_t j = at; j < maps->n; j++)
		if (nm_mapping_is_own_shared(&maps->m[j]) && same_file(&maps->m[j], m) &&
		    maps->m[j].total * maps->m[j].page_size > mapped)
			mapped = maps->m[j].total * maps->m[j].page_size;
	return covered > mapped ? covered - mapped : 0;
}

/* Process @pid's parent; 0 when unknown (exited, or no parent: the first process). */
static pid_t parent_of(pid_t pid)
{
	char path[64], line[256];
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	fclose(f);
	return ppid > 0 ? (pid_t)ppid : 0;
}

static bool is_named(const struct numamove_request *req, pid_t pid)
{
	for (size_t k = 0; k < req->n_named; k++)
		if (req->named[k] == pid)
			return true;
	return false;
}

/*
 * Whether process @pid is of the request's families: named, or a
 * descendant of a named process (its parent's parent... is named: a
 * server's worker forked after the list of processes was made). A process
 * reparented (its parent exited) is of the family of its new parent.
 */
static bool in_family(const struct numamove_request *req, pid_t pid)
{
	for (int depth = 0; pid > 1 && depth < 64; depth++) {
		if (is_named(req, pid))
			return true;
		pid = parent_of(pid);
	}
	return false;
}

/*
 * The own shared memory of process @parent (anonymous shared memory and
 * memfd: only its family can reach them), each object once per request:
 * moved with the process's lists, also the pages no process maps now.
 * Mapped by processes outside the request too: left (PARTIAL), or with
 * WITH_SHARED moved (a note). Out of reach (no capability for map_files):
 * a PARTIAL target counting what the process does not map as left.
 */
static int run_own(struct numamove_request *req, size_t parent, const struct numamove_task *task,
		   const struct numamove_maps *maps, const struct numamove_plan *plan)
{
	bool dry = req->flags & NUMAMOVE_REQUEST_F_DRY_RUN;
	struct numamove_maps *unmapped = NULL, one;
	const struct numamove_maps *over;
	pid_t pid = numamove_task_pid(task);
	int r = 0;

	/* Unknown (out of reach, say): the whole object is planned. */
	if (dry && numamove_maps_read_unmapped(task, maps, &unmapped) < 0)
		unmapped = NULL;
	for (size_t k = 0; r == 0 && k < maps->n && !req->cancelled; k++) {
		const struct numamove_mapping *m = &maps->m[k];
		struct numamove_maps *now = NULL;
		const struct numamove_maps *in = maps;
		struct numamove_object *obj = NULL;
		struct numamove_detail d;
		_cleanup_free_ pid_t *pids = NULL;
		size_t n_pids = 0, n_out = 0, i, at = k;
		pid_t first_out = 0;
		int e;

		if (!nm_mapping_is_own_shared(m) || own_seen(req, m))
			continue;
		/* Unprivileged: out of reach, as map_files is without CAP_SYS_ADMIN. */
		e = req->flags & NUMAMOVE_REQUEST_F_UNPRIVILEGED ?
			    -EPERM : numamove_object_open_mapping(maps, k, pid, NUMAMOVE_OBJECT_OWN_SHARED, &obj);
		if (e == -ENOENT)
			e = own_reopen(task, m, &now, &at, &obj);
		if (e == -ENOENT) {
			/* Exited, or maps it no more: not marked, the next process that maps it moves it. */
			continue;
		}
		if (now)
			in = now;
		r = own_mark(req, m);
		if (r < 0) {
			numamove_object_free(obj);
			numamove_maps_free(now);
			break;
		}
		if (e == -EPERM) {
			uint64_t bound = unmapped_bound(in, at);

			numamove_maps_free(now);
			r = add_target(req, NUMAMOVE_TARGET_OBJECT, m->name, parent, &i);
			if (r < 0)
				break;
			/* Nothing known to be left (the pages are not seen), only a bound: the detail's need. */
			detail_init(&d, NUMAMOVE_WHY_UNREACHABLE, e);
			d.need = bound;
			d.text = keep(req->rep, m->name);
			end(req, i, req->flags & NUMAMOVE_REQUEST_F_DRY_RUN ? NUMAMOVE_OUTCOME_PLANNED
									    : NUMAMOVE_OUTCOME_PARTIAL, &d);
			continue;
		}
		numamove_maps_free(now);
		if (e < 0) {
			r = add_target(req, NUMAMOVE_TARGET_OBJECT, m->name, parent, &i);
			if (r == 0) {
				detail_init(&d, NUMAMOVE_WHY_OPEN, e);
				d.text = keep(req->rep, m->name);
				end(req, i, NUMAMOVE_OUTCOME_FAILED, &d);
			}
			continue;
		}
		/* Who else maps it, listed now: the family is what the request names and their descendants. */
		if (numamove_object_pids(obj, &pids, &n_pids) == 0)
			for (size_t j = 0; j < n_pids; j++)
				if (pids[j] != pid && !in_family(req, pids[j])) {
					if (!n_out++)
						first_out = pids[j];
				}
		detail_init(&d, NUMAMOVE_WHY_SHARED_OUTSIDE, 0);
		d.have = n_out;
		d.tid = first_out;
		d.text = keep(req->rep, m->name);
		/* A dry run plans only what the process does not map: the rest is in the process's plan. */
		over = NULL;
		for (size_t j = 0; unmapped && j < unmapped->n; j++)
			if (same_file(&unmapped->m[j], m)) {
				one = (struct numamove_maps){ .m = &unmapped->m[j], .n = 1, .alloc = 1,
							      .max_node = unmapped->max_node };
				over = &one;
			}
		r = run_object(req, obj, parent, numamove_plan_to(plan), numamove_plan_from(plan), n_out ? &d : NULL,
			       req->flags & NUMAMOVE_REQUEST_F_MEMORY_ONLY ? NULL : plan, over);
	}
	numamove_maps_free(unmapped);
	return r;
}

/* Records the affinity report of @i as notes: threads left alone, threads that failed. */
static void affinity_notes(struct numamove_request *req, size_t i)
{
	const struct numamove_affinity *aff = tgt(req, i)->affinity;
	struct numamove_detail d;
	uint64_t nocpu = 0;

	for (size_t k = 0; k < numamove_affinity_count(aff); k++) {
		switch (numamove_affinity_status(aff, k)) {
		case NUMAMOVE_AFFINITY_NO_CPUS:
			nocpu++;
			break;
		case NUMAMOVE_AFFINITY_FAILED:
			detail_init(&d, NUMAMOVE_NOTE_AFFINITY_FAILED, -abs(numamove_affinity_error(aff, k)));
			d.tid = numamove_affinity_tid(aff, k);
			note(req, i, &d);
			break;
		default:
			break;
		}
	}
	if (nocpu) {
		detail_init(&d, NUMAMOVE_NOTE_AFFINITY_NO_CPUS, 0);
		d.need = nocpu;
		note(req, i, &d);
	}
}

/* Opens the process of spec @s for target @i; NULL when @i was ended. */
static struct numamove_task *open_process(struct numamove_request *req, size_t i, const struct spec *s)
{
	struct numamove_task *task = NULL;
	int r = s->kind == SPEC_PIDFD ? numamove_task_open_pidfd(s->fd, &task) : numamove_task_open(s->pid, &task);

	if (r == -ESRCH) {
		end_why(req, i, s->kind == SPEC_PIDFD ? NUMAMOVE_OUTCOME_EXITED : NUMAMOVE_OUTCOME_FAILED,
			NUMAMOVE_WHY_NO_PROCESS, r);
		return NULL;
	}
	if (r < 0) {
		end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_OPEN, r);
		return NULL;
	}
	tgt(req, i)->pid = numamove_task_pid(task);
	tgt(req, i)->comm = strdup(numamove_task_comm(task));
	switch (numamove_task_state(task)) {
	case NUMAMOVE_TASK_ZOMBIE:
		end_why(req, i, NUMAMOVE_OUTCOME_REFUSED, NUMAMOVE_WHY_ZOMBIE, -ESRCH);
		break;
	case NUMAMOVE_TASK_KTHREAD:
		end_why(req, i, NUMAMOVE_OUTCOME_REFUSED, NUMAMOVE_WHY_KTHREAD, -EINVAL);
		break;
	default:
		return task;
	}
	numamove_task_free(task);
	return NULL;
}

/* Ends @i FAILED (or EXITED) for an error @r reading the memory map of its process. */
static void maps_error(struct numamove_request *req, size_t i, int r)
{
	struct numamove_detail d;

	detail_init(&d, NUMAMOVE_WHY_MAPS, r);
	end(req, i, r == -ESRCH ? NUMAMOVE_OUTCOME_EXITED : NUMAMOVE_OUTCOME_FAILED, &d);
}

static int progress(uint64_t done, uint64_t total, void *userdata)
{
	struct numamove_request *req = userdata;

	emit(req, req->cur, NUMAMOVE_PHASE_MOVE, done, total, 0);
	return req->cancelled ? 1 : 0;
}

static struct numamove_move_opts move_opts(struct numamove_request *req)
{
	return (struct numamove_move_opts){
		.sz = sizeof(struct numamove_move_opts),
		/* Unprivileged: the pages another process maps stay, as without CAP_SYS_NICE. */
		.flags = req->flags & NUMAMOVE_REQUEST_F_UNPRIVILEGED ? NUMAMOVE_MOVE_PRIVATE_ONLY : 0,
		.progress = progress,
		.userdata = req,
		.jobs = req->jobs,
		.rate = req->pacer ? 0 : req->rate,
		.max_stall_ms = req->max_stall_ms,
		.engine = (enum numamove_engine)req->engine,
		.pacer = req->pacer,
	};
}

/* Whether every CPU thread @tid may run on is local to a node of @nodes. */
static bool cpus_local_to(pid_t tid, const struct numamove_topology *topo, const struct numamove_nodelist *nodes)
{
	struct nm_bits set = { 0 };
	bool all = nm_thread_cpu_nodes(tid, topo, &set) == 0;

	for (size_t node = 0; all && node < set.nbits; node++)
		all = !nm_bits_test(&set, node) || numamove_nodelist_contains(nodes, (int)node);
	nm_bits_clear(&set);
	return all;
}

/*
 * Staying: what keeps the memory of a moved process on its new nodes. A
 * thread with the default policy allocates on the node of the CPU it runs
 * on, and automatic NUMA balancing (both modes) moves its pages next to
 * that CPU; neither is true of a thread with a policy of its own. So such
 * threads get "preferred" over the destinations (preferred-many for more
 * than one, where the kernel has it): memory goes there first, and to any
 * node when they are full. A whole-process move gives it to every thread;
 * with FROM, only to threads whose CPUs are all local to moved nodes (the
 * others never allocated there). None when the destinations are every
 * node with memory the process may use (a one-node machine): there is
 * nowhere else for its memory to go (@ret_needless). Returns 0 with the
 * policy in @ret, or NULL for none, with @tids (NULL: every thread); or a
 * negative errno.
 */
static int stay_policy(struct numamove_request *req, struct target *t, const struct numamove_task *task,
		       const struct numamove_nodelist *allowed, struct numamove_policy **ret, pid_t **ret_tids,
		       size_t *ret_n, bool *ret_needless)
{
	_cleanup_(nm_nodelist_freep) struct numamove_nodelist *dests = NULL;
	_cleanup_free_ pid_t *tids = NULL;
	struct numamove_policy *pol = NULL;
	size_t n = 0, kept = 0;
	bool elsewhere = false;
	int r;

	*ret = NULL;
	*ret_tids = NULL;
	*ret_n = 0;
	*ret_needless = false;
	if (req->flags & (NUMAMOVE_REQUEST_F_MEMORY_ONLY | NUMAMOVE_REQUEST_F_NO_STAY))
		return 0;
	r = t->plan->whole ? nm_nodelist_copy(t->plan->to, &dests) : numamove_plan_map_nodes(t->plan, t->plan->from, &dests);
	if (r < 0)
		return r;
	/* Where the destinations are every node its memory may use, there is nowhere else for it to go. */
	for (size_t k = 0; k < allowed->n && !elsewhere; k++)
		elsewhere = !numamove_nodelist_contains(dests, allowed->ids[k]);
	if (!elsewhere || dests->n == 0) {
		*ret_needless = true;
		return 0;
	}
	if (dests->n > 1) {
		r = numamove_policy_new(NUMAMOVE_POLICY_MODE_PREFERRED_MANY, 0, dests, &pol);
		if (r < 0)
			return r;
		if (nm_policy_supported(pol) < 0) {
			numamove_policy_free(TAKE_PTR(pol));
			dests->n = 1; /* preferred, on the first */
		}
	}
	if (!pol && (r = numamove_policy_new(NUMAMOVE_POLICY_MODE_PREFERRED, 0, dests, &pol)) < 0)
		return r;
	if (!t->plan->whole) {
		r = numamove_task_threads(task, &tids, &n);
		if (r < 0) {
			numamove_policy_free(pol);
			return r;
		}
		for (size_t k = 0; k < n; k++)
			if (cpus_local_to(tids[k], t->topo, t->plan->from))
				tids[kept++] = tids[k];
		if (!kept) {
			numamove_policy_free(pol);
			return 0;
		}
		*ret_tids = TAKE_PTR(tids);
		*ret_n = kept;
	}
	*ret = pol;
	return 0;
}

/*
 * With automatic NUMA balancing on, a thread left with the default policy
 * may have its moved pages taken back: say so for target @i, with how
 * many threads (0: not known, as when no stay policy could be made).
 */
static void balancing_note(struct numamove_request *req, size_t i, const struct numamove_policy *stay)
{
	const struct numamove_policy_report *rb = tgt(req, i)->rebind;
	struct numamove_detail d;
	uint64_t left = 0;

	if ((req->flags & NUMAMOVE_REQUEST_F_NO_STAY) || numamove_numa_balancing() <= 0)
		return; /* NO_STAY: the request says it once */
	for (size_t k = 0; rb && k < numamove_policy_report_count(rb); k++)
		left += numamove_policy_report_tid(rb, k) && numamove_policy_report_after(rb, k) &&
			numamove_policy_report_after(rb, k)->mode == NUMAMOVE_POLICY_MODE_DEFAULT;
	if (stay && !left)
		return;
	detail_init(&d, NUMAMOVE_NOTE_NUMA_BALANCING, 0);
	d.need = left;
	note(req, i, &d);
}

/* NUMAMOVE_NOTE_STAY for the threads that were (or would be) given @stay. */
static void stay_note(struct numamove_request *req, size_t i, const struct numamove_policy *stay)
{
	const struct numamove_policy_report *rb = tgt(req, i)->rebind;
	struct numamove_detail d;
	uint64_t given = 0;
	char text[256];

	for (size_t k = 0; stay && rb && k < numamove_policy_report_count(rb); k++) {
		enum numamove_policy_status st = numamove_policy_report_status(rb, k);

		given += numamove_policy_report_tid(rb, k) &&
			 (st == NUMAMOVE_POLICY_STATUS_CHANGED || st == NUMAMOVE_POLICY_STATUS_PLANNED) &&
			 numamove_policy_report_before(rb, k)->mode == NUMAMOVE_POLICY_MODE_DEFAULT &&
			 numamove_policy_equal(numamove_policy_report_after(rb, k), stay);
	}
	if (!given)
		return;
	numamove_policy_format(stay, text, sizeof(text));
	detail_init(&d, NUMAMOVE_NOTE_STAY, 0);
	d.need = given;
	d.text = keep(req->rep, text);
	note(req, i, &d);
}

/*
 * One process: resolve, read, plan, refuse what cannot work, rebind its
 * policies, move its pages, let its CPU affinity follow, then its objects.
 */
static int run_process(struct numamove_request *req, const struct spec *s)
{
	struct numamove_nodelist *to = NULL, *from = NULL, *allowed = NULL;
	struct numamove_maps *after = NULL;
	struct numamove_task *task = NULL;
	struct numamove_policy *stay = NULL;
	struct numamove_move_opts opts;
	struct target *t;
	bool memory_only = req->flags & NUMAMOVE_REQUEST_F_MEMORY_ONLY, rebind_failed = false, moved = false;
	pid_t *stay_tids = NULL;
	bool stay_needless = false;
	size_t i, n_stay = 0;
	int r;

	r = add_target(req, NUMAMOVE_TARGET_PROCESS, s->text, NUMAMOVE_REPORT_REQUEST, &i);
	if (r < 0)
		return r;
	t = tgt(req, i);
	r = target_topology(req, &t->topo);
	if (r < 0)
		return end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_SYSTEM, r);
	task = open_process(req, i, s);
	if (!task)
		return 0;
	if (!resolve_nodes(req, i, t->topo, task, &to, &from, &allowed))
		goto out;
	r = numamove_maps_read(task, &t->maps);
	if (r < 0) {
		maps_error(req, i, r);
		r = 0;
		goto out;
	}
	t->before = node_bytes(req->rep, t->maps);
	/* Without FROM the whole process moves: its policies and CPUs too, wherever they are. */
	if (!from && !memory_only)
		r = numamove_plan_new_process(task, t->maps, to, t->topo, &t->plan);
	else
		r = numamove_plan_new(t->maps, from, to, t->topo, &t->plan);
	if (r == -ESRCH) {
		r = end_why(req, i, NUMAMOVE_OUTCOME_EXITED, NUMAMOVE_WHY_NO_PROCESS, r);
		goto out;
	}
	if (r < 0) {
		r = end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_PLAN, r);
		goto out;
	}
	if (stay_policy(req, t, task, allowed, &stay, &stay_tids, &n_stay, &stay_needless) < 0)
		stay = NULL; /* none: said below when NUMA balancing may undo the move */
	/* Every refusal comes before anything is changed. */
	if (req->engine == NUMAMOVE_ENGINE_KERNEL && nm_plan_chains(t->plan)) {
		r = end_why(req, i, NUMAMOVE_OUTCOME_REFUSED, NUMAMOVE_WHY_KERNEL_CHAIN, -EXDEV);
		goto out;
	}
	if (req->flags & NUMAMOVE_REQUEST_F_DRY_RUN) {
		if (!memory_only)
			(void)nm_policy_rebind_plan_stay(task, t->plan, stay, stay_tids, n_stay, &t->rebind);
		stay_note(req, i, stay);
		end(req, i, NUMAMOVE_OUTCOME_PLANNED, NULL);
		r = run_own(req, i, task, t->maps, t->plan);
		/* Targets were added: @t may have moved. */
		if (r == 0 && (req->flags & NUMAMOVE_REQUEST_F_WITH_SHARED))
			r = run_shared(req, i, task, tgt(req, i)->maps, tgt(req, i)->plan);
		goto out;
	}
	if (!check_fits(req, i, t->plan))
		goto out;
	if (req->cancelled) {
		r = end(req, i, NUMAMOVE_OUTCOME_CANCELLED, NULL);
		goto out;
	}
	if (memory_only) {
		struct numamove_policies *p = NULL;

		if (numamove_policies_read(task, &p) == 0 && numamove_policies_rebind_needed(p, t->plan)) {
			struct numamove_detail d;

			detail_init(&d, NUMAMOVE_NOTE_POLICIES_KEPT, 0);
			note(req, i, &d);
		}
		numamove_policies_free(p);
	} else {
		struct numamove_policy_opts popts = {
			.sz = sizeof(popts),
			.flags = req->flags & NUMAMOVE_REQUEST_F_INJECT_HELPER ? NUMAMOVE_POLICY_SET_F_HELPER : 0,
		};

		/* Policies first: memory allocated during the move already lands right. */
		emit(req, i, NUMAMOVE_PHASE_REBIND, 0, 0, 0);
		r = nm_policy_rebind_stay(task, t->plan, &popts, stay, stay_tids, n_stay, &t->rebind);
		if (r == -ESRCH) {
			r = end_why(req, i, NUMAMOVE_OUTCOME_EXITED, NUMAMOVE_WHY_NO_PROCESS, r);
			goto out;
		}
		if (r < 0) {
			struct numamove_detail d;

			inject_detail(req, task, r, &d);
			d.why = NUMAMOVE_NOTE_REBIND_FAILED;
			note(req, i, &d);
			rebind_failed = true;
		}
		for (size_t k = 0; t->rebind && k < numamove_policy_report_count(t->rebind); k++)
			rebind_failed |= numamove_policy_report_status(t->rebind, k) == NUMAMOVE_POLICY_STATUS_FAILED;
		stay_note(req, i, stay);
		if (!stay_needless)
			balancing_note(req, i, stay);
	}

	opts = move_opts(req);
	req->cur = i;
	req->move_start = nm_now_ns();
	/* The engine's last look at the process, when it took one, is where its pages are now. */
	r = nm_move(task, t->plan, &opts, &t->result, &after);
	if (t->result)
		emit(req, i, NUMAMOVE_PHASE_MOVED,
		     numamove_result_bytes_moved(t->result) + numamove_result_sweep_bytes(t->result),
		     numamove_result_bytes_moved(t->result) + numamove_result_sweep_bytes(t->result),
		     numamove_result_max_call_ns(t->result));
	if (r == -ESRCH) {
		r = end_why(req, i, NUMAMOVE_OUTCOME_EXITED, NUMAMOVE_WHY_NO_PROCESS, r);
		goto out;
	}
	if (r == -ECANCELED) {
		r = end(req, i, NUMAMOVE_OUTCOME_CANCELLED, NULL);
		goto out;
	}
	if (r < 0) {
		struct numamove_detail d;

		detail_init(&d, NUMAMOVE_WHY_MOVE, r);
		r = end(req, i, NUMAMOVE_OUTCOME_FAILED, &d);
		goto out;
	}
	moved = true;
	if (after || numamove_maps_read(task, &after) == 0)
		t->after = node_bytes(req->rep, after);

	/* Then the CPUs, so that the memory it allocates next is on the new nodes. */
	if (!memory_only) {
		r = numamove_affinity_follow(task, t->plan, t->topo, &t->affinity);
		if (r < 0) {
			struct numamove_detail d;

			detail_init(&d, NUMAMOVE_NOTE_AFFINITY_ERROR, r);
			note(req, i, &d);
		} else {
			affinity_notes(req, i);
		}
		r = 0;
	}
	end(req, i, numamove_result_pages_left(t->result, -1) || rebind_failed ? NUMAMOVE_OUTCOME_PARTIAL
									       : NUMAMOVE_OUTCOME_DONE, NULL);
out:
	/* The process's objects after the process, each its own target: its own shared memory always. */
	if (moved && !req->cancelled)
		r = run_own(req, i, task, t->maps, tgt(req, i)->plan);
	if (moved && r == 0 && (req->flags & NUMAMOVE_REQUEST_F_WITH_SHARED) && !req->cancelled)
		r = run_shared(req, i, task, tgt(req, i)->maps, tgt(req, i)->plan);
	numamove_maps_free(after);
	numamove_nodelist_free(to);
	numamove_nodelist_free(from);
	numamove_nodelist_free(allowed);
	numamove_task_free(task);
	numamove_policy_free(stay);
	free(stay_tids);
	return r < 0 ? r : 0;
}

/* Opens the object of spec @s; ends a new target FAILED when it cannot. */
static int run_object_spec(struct numamove_request *req, const struct spec *s)
{
	struct numamove_object *obj = NULL;
	int r;

	switch (s->kind) {
	case SPEC_PATH:
		r = numamove_object_open(s->text, &obj);
		break;
	case SPEC_SHM:
		r = numamove_object_open_shm(s->value, &obj);
		break;
	default:
		r = numamove_object_open_shm_key(s->value, &obj);
		break;
	}
	if (r < 0) {
		struct numamove_detail d;
		size_t i;
		int fatal = add_target(req, NUMAMOVE_TARGET_OBJECT, s->text, NUMAMOVE_REPORT_REQUEST, &i);

		if (fatal < 0)
			return fatal;
		detail_init(&d, NUMAMOVE_WHY_OPEN, r);
		d.text = keep(req->rep, s->kind == SPEC_PATH ? "path" : s->kind == SPEC_SHM ? "shm" : "shm-key");
		return end(req, i, NUMAMOVE_OUTCOME_FAILED, &d);
	}
	return run_object(req, obj, NUMAMOVE_REPORT_REQUEST, NULL, NULL, NULL, NULL, NULL);
}

/* Memory per node of every process of a group, from their numa_maps. */
static uint64_t *group_bytes(const struct numamove_report *rep, const pid_t *pids, size_t n)
{
	size_t n_nodes = numamove_nodelist_count(rep->nodes);
	uint64_t *bytes = node_bytes(rep, NULL);

	for (size_t i = 0; bytes && i < n; i++) {
		struct numamove_task *t = NULL;
		struct numamove_maps *maps = NULL;
		uint64_t *one = NULL;

		if (numamove_task_open(pids[i], &t) == 0 && numamove_maps_read(t, &maps) == 0 &&
		    (one = node_bytes(rep, maps)))
			for (size_t k = 0; k < n_nodes; k++)
				bytes[k] += one[k];
		free(one);
		numamove_maps_free(maps);
		numamove_task_free(t);
	}
	return bytes;
}

/*
 * The cgroup route: the group's cpuset.mems (and cpus) rewritten, the
 * kernel rebinding and migrating; what moved is measured from the
 * numa_maps of its processes before and after.
 */
/*
 * After the cpuset write of cgroup target @i: the kernel migrated what the
 * group's processes @pids map; their own shared memory's other pages are
 * moved as a process move moves them, through the group's plan, each
 * object a target under the group. The group's processes are the families.
 */
static int cgroup_own(struct numamove_request *req, size_t i, const pid_t *pids, size_t n_pids)
{
	int r = 0;

	for (size_t k = 0; r == 0 && k < n_pids; k++) {
		r = nm_grow((void **)&req->named, &req->alloc_named, req->n_named + 1, sizeof(*req->named));
		if (r == 0)
			req->named[req->n_named++] = pids[k];
	}
	for (size_t k = 0; r == 0 && k < n_pids && !req->cancelled; k++) {
		struct numamove_task *task = NULL;
		struct numamove_maps *maps = NULL;

		/* A process that exited, or one we cannot read: its objects are for the others that map them. */
		if (numamove_task_open(pids[k], &task) == 0 && numamove_maps_read(task, &maps) == 0)
			r = run_own(req, i, task, maps, tgt(req, i)->plan);
		numamove_maps_free(maps);
		numamove_task_free(task);
	}
	return r;
}

static int run_cgroup(struct numamove_request *req, const struct spec *s)
{
	struct numamove_nodelist *to = NULL, *from = NULL;
	struct target *t;
	char *path = NULL;
	pid_t *pids = NULL;
	size_t n_pids = 0, i;
	int r, bad = 0;

	r = add_target(req, NUMAMOVE_TARGET_CGROUP, s->text, NUMAMOVE_REPORT_REQUEST, &i);
	if (r < 0)
		return r;
	t = tgt(req, i);
	if (s->kind == SPEC_CGROUP_PID) {
		r = numamove_cgroup_of(s->pid, &path);
		if (r < 0)
			return end_why(req, i, NUMAMOVE_OUTCOME_FAILED,
				       r == -ESRCH ? NUMAMOVE_WHY_NO_PROCESS : NUMAMOVE_WHY_CGROUP, r);
		free(t->name);
		t->name = path;
	}
	r = target_topology(req, &t->topo);
	if (r < 0)
		return end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_SYSTEM, r);
	r = numamove_cgroup_check(t->name);
	if (r == 0)
		r = numamove_cgroup_mems(t->name, &t->mems_before);
	/* The groups below move with it (a job's steps, a container's services). */
	if (r == 0)
		r = numamove_cgroup_pids_below(t->name, &pids, &n_pids);
	if (r < 0) {
		r = end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_CGROUP, r);
		goto out;
	}
	t->procs = n_pids;
	r = numamove_nodelist_parse(req->to, t->topo, NULL, &to, &bad);
	if (r < 0) {
		r = bad_nodes(req, i, "to", r, bad);
		goto out;
	}
	if (req->from) {
		r = numamove_nodelist_parse(req->from, t->topo, NULL, &from, &bad);
		if (r < 0) {
			r = bad_nodes(req, i, "from", r, bad);
			goto out;
		}
	}
	/* The group's nodes, not the nodes its memory is on now, are what gets remapped: a mapping-only plan. */
	r = numamove_plan_new(NULL, from ? from : t->mems_before, to, t->topo, &t->plan);
	if (r == 0)
		r = numamove_plan_map_nodes(t->plan, t->mems_before, &t->mems_after);
	if (r < 0) {
		r = end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_PLAN, r);
		goto out;
	}
	if (req->flags & NUMAMOVE_REQUEST_F_DRY_RUN) {
		r = end(req, i, NUMAMOVE_OUTCOME_PLANNED, NULL);
		goto out;
	}
	if (req->cancelled) {
		r = end(req, i, NUMAMOVE_OUTCOME_CANCELLED, NULL);
		goto out;
	}
	t->before = group_bytes(req->rep, pids, n_pids);
	r = numamove_cgroup_move(t->name, t->plan, t->topo,
				 req->flags & NUMAMOVE_REQUEST_F_MEMORY_ONLY ? NUMAMOVE_CGROUP_MEMS_ONLY : 0, NULL);
	if (r < 0) {
		r = end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_CGROUP, r);
		goto out;
	}
	t->after = group_bytes(req->rep, pids, n_pids);
	for (size_t k = 0; t->before && t->after && k < numamove_nodelist_count(req->rep->nodes); k++)
		if (!numamove_nodelist_contains(t->mems_after, numamove_nodelist_get(req->rep->nodes, k))) {
			t->moved += t->before[k] > t->after[k] ? t->before[k] - t->after[k] : 0;
			t->left += t->after[k];
		}
	r = end(req, i, t->left ? NUMAMOVE_OUTCOME_PARTIAL : NUMAMOVE_OUTCOME_DONE, NULL);
	if (r == 0 && !req->cancelled)
		r = cgroup_own(req, i, pids, n_pids);
out:
	free(pids);
	numamove_nodelist_free(to);
	numamove_nodelist_free(from);
	return r < 0 ? r : 0;
}

/* SET_POLICY on one process: every thread (or the tids), and with MAPPINGS its private mappings. */
static int run_set_policy(struct numamove_request *req, const struct spec *s, const struct numamove_policy *pol)
{
	struct numamove_policy_opts opts = {
		.sz = sizeof(opts),
		.tids = req->tids,
		.n_tids = req->n_tids,
		.flags = (req->flags & NUMAMOVE_REQUEST_F_MAPPINGS ? NUMAMOVE_POLICY_SET_F_MAPPINGS : 0) |
			 (req->flags & NUMAMOVE_REQUEST_F_INJECT_HELPER ? NUMAMOVE_POLICY_SET_F_HELPER : 0),
	};
	struct numamove_task *task;
	struct target *t;
	bool failed = false;
	size_t i;
	int r;

	r = add_target(req, NUMAMOVE_TARGET_PROCESS, s->text, NUMAMOVE_REPORT_REQUEST, &i);
	if (r < 0)
		return r;
	t = tgt(req, i);
	task = open_process(req, i, s);
	if (!task)
		return 0;
	if (req->cancelled) {
		end(req, i, NUMAMOVE_OUTCOME_CANCELLED, NULL);
		goto out;
	}
	/* A mode the kernel lacks is refused before any thread is stopped. */
	r = nm_policy_supported(pol);
	if (r < 0) {
		end_why(req, i, NUMAMOVE_OUTCOME_REFUSED, NUMAMOVE_WHY_POLICY_UNSUPPORTED, r);
		r = 0;
		goto out;
	}
	r = numamove_policy_set(task, pol, &opts, &t->rebind);
	if (r == -ENOENT) {
		end_why(req, i, NUMAMOVE_OUTCOME_FAILED, NUMAMOVE_WHY_TID, r);
	} else if (r == -ESRCH) {
		end_why(req, i, NUMAMOVE_OUTCOME_EXITED, NUMAMOVE_WHY_NO_PROCESS, r);
	} else if (r < 0) {
		struct numamove_detail d;

		inject_detail(req, task, r, &d);
		end(req, i, NUMAMOVE_OUTCOME_FAILED, &d);
	} else {
		for (size_t k = 0; k < numamove_policy_report_count(t->rebind); k++)
			failed |= numamove_policy_report_status(t->rebind, k) == NUMAMOVE_POLICY_STATUS_FAILED;
		if (!(req->flags & NUMAMOVE_REQUEST_F_MAPPINGS)) {
			/* Mappings that keep their own policy when only task policies were set. */
			struct numamove_policies *p = NULL;
			struct numamove_detail d;

			detail_init(&d, NUMAMOVE_NOTE_MAPPINGS_KEPT, 0);
			if (numamove_policies_read(task, &p) == 0)
				for (size_t k = 0; k < numamove_policies_mapping_count(p); k++)
					d.need += !numamove_policies_mapping_shared(p, k);
			numamove_policies_free(p);
			if (d.need)
				note(req, i, &d);
		}
		end(req, i, failed ? NUMAMOVE_OUTCOME_PARTIAL : NUMAMOVE_OUTCOME_DONE, NULL);
	}
	r = 0;
out:
	numamove_task_free(task);
	return r;
}

NM_EXPORT void numamove_report_free(struct numamove_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->n; i++) {
		struct target *t = &rep->t[i];

		free(t->notes);
		free(t->comm);
		free(t->name);
		free(t->before);
		free(t->after);
		numamove_plan_free(t->plan);
		numamove_maps_free(t->maps);
		numamove_topology_free(t->topo);
		numamove_result_free(t->result);
		numamove_policy_report_free(t->rebind);
		numamove_affinity_free(t->affinity);
		free(t->policy_before);
		free(t->policy_after);
		numamove_nodelist_free(t->mems_before);
		numamove_nodelist_free(t->mems_after);
	}
	free(rep->t);
	free(rep->notes);
	numamove_nodelist_free(rep->nodes);
	for (size_t i = 0; i < rep->n_strs; i++)
		free(rep->strs[i]);
	free(rep->strs);
	free(rep);
}

NM_EXPORT int numamove_request_run(struct numamove_request *req, struct numamove_report **ret_report)
{
	struct numamove_topology *topo = NULL;
	struct numamove_policy *pol = NULL;
	struct numamove_report *rep;
	bool expected = false;
	int r;

	if (!req || !ret_report || req->n_specs == 0)
		return -EINVAL;
	if (req->action == NUMAMOVE_ACTION_MOVE ? !req->to : !req->policy)
		return -EINVAL;
	if (!atomic_compare_exchange_strong(&req->running, &expected, true))
		return -EBUSY;
	rep = calloc(1, sizeof(*rep));
	r = rep ? numamove_topology_load(NULL, &topo) : -ENOMEM;
	if (r == 0)
		r = nm_nodelist_copy(numamove_topology_nodes(topo), &rep->nodes);
	if (r == 0 && req->action == NUMAMOVE_ACTION_SET_POLICY)
		r = numamove_policy_parse(req->policy, topo, &pol, NULL);
	if (r < 0) {
		numamove_topology_free(topo);
		numamove_report_free(rep);
		req->running = false;
		return r;
	}
	req->fresh_topo = TAKE_PTR(topo);
	req->rep = rep;
	req->n_named = req->n_own = 0;
	/* The processes named: their own shared memory is theirs alone when no other process maps it. */
	for (size_t k = 0; r == 0 && k < req->n_specs; k++) {
		const struct spec *s = &req->specs[k];
		int pid;

		if (s->kind == SPEC_PID)
			pid = s->pid;
		else if (s->kind != SPEC_PIDFD || nm_parse_int(s->text, &pid) < 0)
			continue;
		r = nm_grow((void **)&req->named, &req->alloc_named, req->n_named + 1, sizeof(*req->named));
		if (r == 0)
			req->named[req->n_named++] = pid;
	}
	if (r < 0) {
		numamove_topology_free(TAKE_PTR(req->fresh_topo));
		req->rep = NULL;
		numamove_report_free(rep);
		req->running = false;
		return r;
	}
	/* Without a policy of their own, moved pages go back next to the CPUs that touch them. */
	if (req->action == NUMAMOVE_ACTION_MOVE && !(req->flags & NUMAMOVE_REQUEST_F_DRY_RUN) &&
	    (req->flags & (NUMAMOVE_REQUEST_F_MEMORY_ONLY | NUMAMOVE_REQUEST_F_NO_STAY)) &&
	    numamove_numa_balancing() > 0) {
		struct numamove_detail d;

		detail_init(&d, NUMAMOVE_NOTE_NUMA_BALANCING, 0);
		note(req, NUMAMOVE_REPORT_REQUEST, &d);
	}
	for (size_t k = 0; r == 0 && k < req->n_specs; k++) {
		const struct spec *s = &req->specs[k];
		size_t i;

		if (req->cancelled) {
			/* The rest are skipped, each said so. */
			r = add_target(req, s->kind == SPEC_CGROUP || s->kind == SPEC_CGROUP_PID ? NUMAMOVE_TARGET_CGROUP
				       : s->kind == SPEC_PID || s->kind == SPEC_PIDFD ? NUMAMOVE_TARGET_PROCESS
										     : NUMAMOVE_TARGET_OBJECT,
				       s->text, NUMAMOVE_REPORT_REQUEST, &i);
			if (r == 0)
				end(req, i, NUMAMOVE_OUTCOME_CANCELLED, NULL);
			continue;
		}
		if (req->action == NUMAMOVE_ACTION_SET_POLICY) {
			r = run_set_policy(req, s, pol);
		} else {
			switch (s->kind) {
			case SPEC_PID:
			case SPEC_PIDFD:
				r = run_process(req, s);
				break;
			case SPEC_CGROUP:
			case SPEC_CGROUP_PID:
				r = run_cgroup(req, s);
				break;
			default:
				r = run_object_spec(req, s);
				break;
			}
		}
	}
	numamove_policy_free(pol);
	numamove_topology_free(TAKE_PTR(req->fresh_topo));
	req->rep = NULL;
	req->running = false;
	if (r < 0) {
		numamove_report_free(rep);
		return r;
	}
	*ret_report = rep;
	return 0;
}

/* ---- reading the report */

NM_EXPORT size_t numamove_report_count(const struct numamove_report *rep)
{
	return rep ? rep->n : 0;
}

/* Rank for numamove_report_worst(): higher is worse. */
static int rank(enum numamove_outcome o)
{
	switch (o) {
	case NUMAMOVE_OUTCOME_INVALID:
		return 3;
	case NUMAMOVE_OUTCOME_FAILED:
	case NUMAMOVE_OUTCOME_REFUSED:
	case NUMAMOVE_OUTCOME_EXITED:
	case NUMAMOVE_OUTCOME_CANCELLED:
		return 2;
	case NUMAMOVE_OUTCOME_PARTIAL:
		return 1;
	default:
		return 0;
	}
}

NM_EXPORT enum numamove_outcome numamove_report_worst(const struct numamove_report *rep)
{
	enum numamove_outcome worst = NUMAMOVE_OUTCOME_DONE;

	for (size_t i = 0; rep && i < rep->n; i++)
		if (rank(rep->t[i].outcome) > rank(worst))
			worst = rep->t[i].outcome;
	return worst;
}

NM_EXPORT const struct numamove_nodelist *numamove_report_nodes(const struct numamove_report *rep)
{
	return rep ? rep->nodes : NULL;
}

/* Target @i, or NULL past the end. */
static const struct target *at(const struct numamove_report *rep, size_t i)
{
	return rep && i < rep->n ? &rep->t[i] : NULL;
}

NM_EXPORT enum numamove_target_kind numamove_report_kind(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->kind : NUMAMOVE_TARGET_PROCESS;
}

NM_EXPORT enum numamove_outcome numamove_report_outcome(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->outcome : NUMAMOVE_OUTCOME_FAILED;
}

NM_EXPORT const struct numamove_detail *numamove_report_why(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) && at(rep, i)->has_why ? &at(rep, i)->why : NULL;
}

NM_EXPORT size_t numamove_report_note_count(const struct numamove_report *rep, size_t i)
{
	if (rep && i == NUMAMOVE_REPORT_REQUEST)
		return rep->n_notes;
	return at(rep, i) ? at(rep, i)->n_notes : 0;
}

NM_EXPORT const struct numamove_detail *numamove_report_note(const struct numamove_report *rep, size_t i, size_t k)
{
	if (rep && i == NUMAMOVE_REPORT_REQUEST)
		return k < rep->n_notes ? &rep->notes[k] : NULL;
	return at(rep, i) && k < at(rep, i)->n_notes ? &at(rep, i)->notes[k] : NULL;
}

NM_EXPORT size_t numamove_report_parent(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->parent : NUMAMOVE_REPORT_REQUEST;
}

NM_EXPORT pid_t numamove_report_pid(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->pid : 0;
}

NM_EXPORT const char *numamove_report_comm(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->comm : NULL;
}

NM_EXPORT const char *numamove_report_name(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->name : NULL;
}

NM_EXPORT int numamove_report_object_type(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->object_type : -ENOENT;
}

NM_EXPORT bool numamove_report_has_before(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) && at(rep, i)->before;
}

NM_EXPORT bool numamove_report_has_after(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) && at(rep, i)->after;
}

static uint64_t bytes_at(const struct numamove_report *rep, const uint64_t *v, int node)
{
	int k = numamove_nodelist_index(rep->nodes, node);

	return v && k >= 0 ? v[k] : 0;
}

NM_EXPORT uint64_t numamove_report_bytes_before(const struct numamove_report *rep, size_t i, int node)
{
	return at(rep, i) ? bytes_at(rep, at(rep, i)->before, node) : 0;
}

NM_EXPORT uint64_t numamove_report_bytes_after(const struct numamove_report *rep, size_t i, int node)
{
	return at(rep, i) ? bytes_at(rep, at(rep, i)->after, node) : 0;
}

NM_EXPORT uint64_t numamove_report_bytes_moved(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->moved : 0;
}

NM_EXPORT uint64_t numamove_report_bytes_left(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->left : 0;
}

NM_EXPORT const struct numamove_plan *numamove_report_plan(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->plan : NULL;
}

NM_EXPORT int numamove_report_fits(const struct numamove_report *rep, size_t i, int node,
				   struct numamove_detail *reterr)
{
	if (!at(rep, i) || !at(rep, i)->plan || at(rep, i)->kind == NUMAMOVE_TARGET_CGROUP)
		return -ENOENT;
	return nm_plan_node_fits(at(rep, i)->plan, node, reterr);
}

NM_EXPORT const struct numamove_result *numamove_report_result(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->result : NULL;
}

NM_EXPORT const struct numamove_policy_report *numamove_report_rebind(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->rebind : NULL;
}

NM_EXPORT const struct numamove_affinity *numamove_report_affinity(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->affinity : NULL;
}

NM_EXPORT const char *numamove_report_policy_before(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->policy_before : NULL;
}

NM_EXPORT const char *numamove_report_policy_after(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->policy_after : NULL;
}

NM_EXPORT const struct numamove_nodelist *numamove_report_mems_before(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->mems_before : NULL;
}

NM_EXPORT const struct numamove_nodelist *numamove_report_mems_after(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->mems_after : NULL;
}

NM_EXPORT size_t numamove_report_cgroup_procs(const struct numamove_report *rep, size_t i)
{
	return at(rep, i) ? at(rep, i)->procs : 0;
}
