/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Jobs: one move request each. The loop owns a job; while it runs, a
 * worker thread owns its libnumamove request and tells the loop what
 * happens through messages (struct wmsg) on a mutex-guarded list and an
 * eventfd. The worker first makes a dry run of the same request (the
 * admission plan, see sched.c) and waits for the loop's verdict; then it
 * runs the request, rendering each finished target as numamove would.
 */
#include <errno.h>
#include <malloc.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "front.h"
#include "numamoved.h"

static const char *const state_names[] = {
	[JOB_QUEUED] = "queued", [JOB_HELD] = "held", [JOB_RUNNING] = "running", [JOB_DONE] = "done",
	[JOB_FAILED] = "failed", [JOB_CANCELLED] = "cancelled", [JOB_INTERRUPTED] = "interrupted",
};

const char *job_state_name(enum job_state s)
{
	return state_names[s];
}

int job_state_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (strcmp(state_names[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

bool job_done(const struct job *j)
{
	return j->state >= JOB_DONE;
}

void move_opts_clear(struct move_opts *o)
{
	free(o->to);
	free(o->from);
	free(o->policy);
	free(o->credential);
	memset(o, 0, sizeof(*o));
}

struct job *job_find(struct daemon *d, uint32_t id)
{
	for (size_t i = 0; i < d->n_jobs; i++)
		if (d->jobs[i]->id == id)
			return d->jobs[i];
	return NULL;
}

/* "move 1234 (postgres) /dev/shm/x --to 2-3": what the job is, for lists and logs. */
int job_describe(struct job *j)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	fputs(j->pin_id || j->placement ? "correct" : j->slurm_move == SLURM_MOVE_OUT ? "suspend"
		   : j->slurm_move == SLURM_MOVE_BACK ? "resume" : "move", f);
	/* Eight targets at most: a list of thousands would not fit in ListJobs' reply. */
	for (size_t i = 0; i < j->n_targets && i < 8; i++)
		fprintf(f, " %s", j->targets[i].label);
	if (j->n_targets > 8)
		fprintf(f, " (and %zu more)", j->n_targets - 8);
	if (j->placement) {
		char text[NUMAMOVE_PLACEMENT_MAX];

		numamove_policy_format(numamove_placement_policy(j->placement), text, sizeof(text));
		fprintf(f, " --placement %s", text);
	} else {
		fprintf(f, " --to %s", j->opts.to);
	}
	if (j->opts.from)
		fprintf(f, " --from %s", j->opts.from);
	if (j->opts.flags & NUMAMOVE_REQUEST_F_DRY_RUN)
		fputs(" --dry-run", f);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	free(j->description);
	j->description = buf;
	return 0;
}

/* A new queued job, taking @targets and the strings of @opts. NULL without memory. */
struct job *job_new(struct daemon *d, uid_t owner, struct target *targets, size_t n_targets, struct move_opts *opts)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	if (d->n_jobs == d->alloc_jobs) {
		size_t n = d->alloc_jobs ? d->alloc_jobs * 2 : 16;
		struct job **v = realloc(d->jobs, n * sizeof(*v));

		if (!v) {
			free(j);
			return NULL;
		}
		d->jobs = v;
		d->alloc_jobs = n;
	}
	j->d = d;
	j->id = d->next_id++;
	snprintf(j->path, sizeof(j->path), OBJ_JOB_PREFIX "/%" PRIu32, j->id);
	j->owner = owner;
	j->priority = opts->priority;
	j->submitted_us = now_us();
	j->seq = d->next_seq++;
	j->state = JOB_QUEUED;
	j->targets = targets;
	j->n_targets = n_targets;
	j->opts = *opts;
	memset(opts, 0, sizeof(*opts));
	j->exit_status = -1;
	pthread_cond_init(&j->cond, NULL);
	if (job_describe(j) < 0) {
		j->targets = NULL;
		j->n_targets = 0;
		job_free(j);
		return NULL;
	}
	d->jobs[d->n_jobs++] = j;
	state_save_next_id(d);
	return j;
}

void job_free(struct job *j)
{
	struct daemon *d;

	if (!j)
		return;
	d = j->d;
	for (size_t i = 0; i < d->n_jobs; i++)
		if (d->jobs[i] == j) {
			memmove(&d->jobs[i], &d->jobs[i + 1], (d->n_jobs - i - 1) * sizeof(*d->jobs));
			d->n_jobs--;
			break;
		}
	targets_free(j->targets, j->n_targets);
	move_opts_clear(&j->opts);
	numamove_placement_free(j->placement);
	free(j->description);
	free(j->client);
	free(j->held);
	free(j->subject);
	free(j->outcome);
	free(j->report);
	free(j->record);
	free(j->output);
	free(j->diagnostics);
	free(j->need);
	numamove_pacer_free(j->pacer);
	sd_event_source_disable_unref(j->expire);
	pthread_cond_destroy(&j->cond);
	free(j);
}

/* ---- the worker side */

struct worker {
	struct job *j;
	struct front_style style;
	bool started;
	uint64_t last_move_us;
	size_t n_added, n_exited; /* targets in the request; processes gone before it ran */
};

/* Hands @m to the loop; any thread. */
void worker_post(struct daemon *d, struct wmsg *m)
{
	uint64_t one = 1;

	pthread_mutex_lock(&d->lock);
	*d->inbox_tail = m;
	d->inbox_tail = &m->next;
	pthread_mutex_unlock(&d->lock);
	/* Only fails if the counter overflows, which 2^64 wake-ups would need. */
	if (write(d->efd, &one, sizeof(one)) < 0)
		log_err("eventfd: %m");
}

static void post(struct job *j, struct wmsg *m)
{
	m->job = j;
	worker_post(j->d, m);
}

static void post_text(struct job *j, char *out, char *err)
{
	struct wmsg *m = calloc(1, sizeof(*m));

	if (!m) {
		free(out);
		free(err);
		return;
	}
	m->kind = WMSG_TEXT;
	m->out = out;
	m->err = err;
	post(j, m);
}

/* Renders through @fn into two strings and posts them; nothing when both are empty. */
static void render_text(struct worker *w, const struct numamove_report *rep, size_t i, bool notes)
{
	char *out = NULL, *err = NULL;
	size_t lo = 0, le = 0;
	FILE *fo = open_memstream(&out, &lo), *fe = open_memstream(&err, &le);

	if (fo && fe) {
		if (notes)
			front_move_request_notes(fe, &w->style, rep);
		else
			front_move_target(fo, fe, &w->style, rep, i);
	}
	if (fo)
		fclose(fo);
	if (fe)
		fclose(fe);
	if ((out && *out) || (err && *err)) {
		post_text(w->j, out, err);
		return;
	}
	free(out);
	free(err);
}

static void on_event(const struct numamove_report *rep, const struct numamove_event *ev, void *userdata)
{
	struct worker *w = userdata;
	struct wmsg *m;
	char label[4200];

	if (!w->started) {
		w->started = true;
		render_text(w, rep, 0, true);
	}
	/* The loop needs no more than two progress messages a second. */
	if (ev->phase == NUMAMOVE_PHASE_MOVE) {
		if (mono_us() - w->last_move_us < 500000)
			return;
		w->last_move_us = mono_us();
	}
	if (ev->phase == NUMAMOVE_PHASE_DONE)
		render_text(w, rep, ev->target, false);
	m = calloc(1, sizeof(*m));
	if (!m)
		return;
	m->kind = WMSG_EVENT;
	m->ev = *ev;
	m->subject = strdup(front_label(rep, ev->target, label, sizeof(label)));
	post(w->j, m);
}

/*
 * A process gone before its request runs is reported as exited, never
 * added by pid: the pid may name another process by now.
 */
static void target_exited(struct worker *w, const struct target *t)
{
	char *err = NULL;

	w->n_exited++;
	if (!t->gone && asprintf(&err, "numamove: %s: exited before it could move\n", t->label) >= 0)
		post_text(w->j, NULL, err);
}

/* An object replaced since it was authorized is not moved: it may belong to someone else now. */
static void target_replaced(struct worker *w, const struct target *t)
{
	char *err = NULL;

	w->n_exited++;
	if (asprintf(&err, "numamove: %s: not what it was when the job was submitted (replaced, or running as "
		     "another user); not moved\n", t->label) >= 0)
		post_text(w->j, NULL, err);
}

/*
 * A placement's correction: the library's request that enforces the
 * placement on its one file (numamove_placement_request()), paced by the
 * daemon's budget like every job.
 */
static int build_placement_request(struct job *j, bool dry, struct worker *w, struct numamove_request **ret)
{
	const struct target *t = &j->targets[0];
	int r;

	if (j->n_targets != 1 || t->kind != TARGET_PATH)
		return -EINVAL;
	if (!target_unchanged(t)) {
		if (!dry)
			target_replaced(w, t);
		return -ENOENT;
	}
	r = numamove_placement_request(t->text, j->placement, &(struct numamove_request_opts){
		.sz = sizeof(struct numamove_request_opts),
		.flags = j->opts.flags | (dry ? NUMAMOVE_REQUEST_F_DRY_RUN : 0),
		.pacer = dry ? NULL : j->pacer,
		.event = dry ? NULL : on_event,
		.event_userdata = w,
	}, ret);
	if (r == 0 && w)
		w->n_added++;
	return r;
}

/* The request of @j; @dry: the admission plan's dry run, with no events. */
static int build_request(struct job *j, bool dry, struct worker *w, struct numamove_request **ret)
{
	const struct move_opts *o = &j->opts;
	struct numamove_request *req;
	int r;

	if (j->placement)
		return build_placement_request(j, dry, w, ret);
	/* Paced by the job's own pacer: its share of the budget, at most the caller's rate (sched_rebalance()). */
	r = numamove_request_new(NUMAMOVE_ACTION_MOVE, &(struct numamove_request_opts){
		.sz = sizeof(struct numamove_request_opts),
		/*
		 * A job allowed no more than move-own moves no more than its owner
		 * could: the library uses none of the daemon's capabilities for it
		 * (pages other processes map stay; a process's own shared memory
		 * is reached through its mappings only). The daemon keeps its own
		 * credentials: a thread running as the owner could be signalled,
		 * stopped or killed by the owner, and the whole daemon with it.
		 */
		.flags = o->flags | (dry ? NUMAMOVE_REQUEST_F_DRY_RUN : 0) |
			 (j->privileged ? 0 : NUMAMOVE_REQUEST_F_UNPRIVILEGED),
		.engine = o->engine,
		.jobs = o->jobs,
		.max_stall_ms = o->max_stall_ms,
		.pacer = dry ? NULL : j->pacer,
		.event = dry ? NULL : on_event,
		.event_userdata = w,
	}, &req);
	if (r < 0)
		return r;
	r = numamove_request_set_nodes(req, o->to, o->from, NULL, NULL);
	if (r == 0 && o->policy)
		r = numamove_request_set_policy(req, o->policy, NULL);
	for (size_t i = 0; r == 0 && i < j->n_targets; i++) {
		const struct target *t = &j->targets[i];

		if (t->gone) {
			if (!dry)
				target_exited(w, t);
			continue;
		}
		if (!target_unchanged(t)) {
			if (!dry)
				target_replaced(w, t);
			continue;
		}
		switch (t->kind) {
		case TARGET_PIDFD:
			r = numamove_request_add_pidfd(req, t->fd);
			if (r == -ESRCH) {
				if (!dry)
					target_exited(w, t);
				continue;
			}
			break;
		case TARGET_CGROUP:
		case TARGET_CGROUP_OF:
			r = numamove_request_add_cgroup(req, t->text);
			break;
		case TARGET_SLURM_JOB:
			/* Found again by the same call as the command's; a job that ended has nothing to move. */
			r = numamove_request_add_slurm_job(req, t->text);
			if (r == -ENOENT) {
				if (!dry)
					target_exited(w, t);
				continue;
			}
			break;
		case TARGET_PATH:
			r = numamove_request_add_path(req, t->text);
			break;
		case TARGET_SHM:
		case TARGET_SHM_KEY:
			r = numamove_request_add_shm(req, t->value, t->kind == TARGET_SHM_KEY);
			break;
		}
		if (w && r == 0)
			w->n_added++;
	}
	if (r < 0) {
		numamove_request_free(req);
		return r;
	}
	*ret = req;
	return 0;
}

/* Bytes the dry run would bring to each node, indexed by node id, in the message. */
static int admission_plan(struct job *j, struct wmsg *m)
{
	struct numamove_request *req;
	struct numamove_report *rep;
	const struct numamove_nodelist *nodes;
	int r, max = 0;

	/* A suspended Slurm job's memory, planned from its processes (the cgroup route's dry run plans no bytes). */
	if (j->slurm_move == SLURM_MOVE_OUT)
		return slurm_admission_need(j, &m->need, &m->n_need);
	r = build_request(j, true, NULL, &req);
	if (r < 0)
		return r;
	r = numamove_request_run(req, &rep);
	numamove_request_free(req);
	if (r < 0)
		return r;
	nodes = numamove_report_nodes(rep);
	for (size_t k = 0; k < numamove_nodelist_count(nodes); k++)
		if (numamove_nodelist_get(nodes, k) > max)
			max = numamove_nodelist_get(nodes, k);
	m->need = calloc((size_t)max + 1, sizeof(*m->need));
	if (!m->need) {
		numamove_report_free(rep);
		return -ENOMEM;
	}
	m->n_need = max + 1;
	for (size_t i = 0; i < numamove_report_count(rep); i++) {
		const struct numamove_plan *plan = numamove_report_plan(rep, i);

		for (size_t k = 0; plan && k < numamove_nodelist_count(nodes); k++) {
			int node = numamove_nodelist_get(nodes, k);

			m->need[node] += numamove_plan_incoming(plan, node);
		}
	}
	numamove_report_free(rep);
	return 0;
}

/* Posts the plan and waits for the loop to say go or stop. */
static enum verdict admit(struct job *j, struct wmsg *m)
{
	enum verdict v;

	m->kind = WMSG_PLAN;
	m->error = admission_plan(j, m);
	post(j, m);
	pthread_mutex_lock(&j->d->lock);
	while (j->verdict == VERDICT_WAIT)
		pthread_cond_wait(&j->cond, &j->d->lock);
	v = j->verdict;
	pthread_mutex_unlock(&j->d->lock);
	return v;
}

static void finish_error(struct job *j, struct wmsg *m, int r)
{
	char *err = NULL;

	if (asprintf(&err, "numamove: cannot move: %s\n", strerror(-r)) < 0)
		err = NULL;
	post_text(j, NULL, err);
	m->outcome = strdup("failed");
	m->exit_status = EXIT_ERROR;
}

static void finish_report(struct worker *w, struct wmsg *m, const struct numamove_report *rep)
{
	enum numamove_outcome worst = numamove_report_worst(rep);
	size_t len = 0;
	FILE *f = open_memstream(&m->report_json, &len);

	if (f) {
		front_move_json(f, rep, true);
		fclose(f);
	}
	/* What a node of numamove move --all-nodes hands back, when it moved through numamoved. */
	f = open_memstream(&m->record, &len);
	if (f) {
		front_node_record(f, rep);
		fclose(f);
	}
	/* With json, the document in the client's sizes is the last of its output, as numamove -J prints it. */
	if (w->style.json) {
		char *doc = NULL;
		size_t dlen = 0;
		FILE *g = open_memstream(&doc, &dlen);

		if (g) {
			front_move_json(g, rep, w->style.bytes);
			fclose(g);
			post_text(w->j, doc, NULL);
		}
	}
	/* Processes gone before the run rank as the library ranks EXITED: above partial and done. */
	if (w->n_exited && front_exit_status(worst) != EXIT_ERROR && worst != NUMAMOVE_OUTCOME_INVALID)
		worst = NUMAMOVE_OUTCOME_EXITED;
	for (size_t i = 0; i < numamove_report_count(rep); i++)
		m->bytes_moved += numamove_report_bytes_moved(rep, i);
	m->outcome = strdup(numamove_outcome_name(worst));
	m->exit_status = front_exit_status(worst);
	m->cancelled = worst == NUMAMOVE_OUTCOME_CANCELLED;
}

/*
 * The worker of @j. Its two messages were allocated by job_start(), so
 * that the loop always hears how it ended: a worker that could not say it
 * ended would hold a slot for ever.
 */
static void *worker_main(void *arg)
{
	struct job *j = arg;
	struct wmsg *plan = j->msg_plan, *m = j->msg_finished;
	struct worker w = {
		.j = j,
		.style = { .json = j->opts.json, .raw = j->opts.raw, .noheadings = j->opts.noheadings,
			   .bytes = j->opts.bytes, .timing = j->opts.rate || j->opts.max_stall_ms,
			   .prefix = "numamove" },
	};
	struct numamove_request *req = NULL;
	struct numamove_report *rep = NULL;
	int r;

	if (plan && admit(j, plan) != VERDICT_GO) {
		free(m);
		return NULL;
	}
	m->kind = WMSG_FINISHED;
	r = build_request(j, false, &w, &req);
	if (r == 0 && !w.n_added) {
		/* Every process exited before it could move: nothing to run. */
		numamove_request_free(req);
		req = NULL;
		m->outcome = strdup(numamove_outcome_name(NUMAMOVE_OUTCOME_EXITED));
		m->exit_status = EXIT_ERROR;
		post(j, m);
		return NULL;
	}
	if (r == 0) {
		pthread_mutex_lock(&j->d->lock);
		j->req = req;
		if (j->cancel_asked)
			numamove_request_cancel(req);
		pthread_mutex_unlock(&j->d->lock);
		r = numamove_request_run(req, &rep);
		pthread_mutex_lock(&j->d->lock);
		j->req = NULL;
		pthread_mutex_unlock(&j->d->lock);
	}
	if (r < 0)
		finish_error(j, m, r);
	else
		finish_report(&w, m, rep);
	numamove_report_free(rep);
	numamove_request_free(req);
	post(j, m);
	return NULL;
}

static bool o_paced(const struct job *j)
{
	return j->opts.engine != NUMAMOVE_ENGINE_KERNEL && !(j->opts.flags & NUMAMOVE_REQUEST_F_DRY_RUN);
}

/* Starts the worker of a queued or held job; it posts its plan first (unless a dry run). */
int job_start(struct job *j)
{
	int r;

	j->verdict = VERDICT_WAIT;
	j->cancel_asked = false;
	/*
	 * The kernel engine is one call: nothing to pace. Its share is set once
	 * it runs (sched_rebalance()). With neither a budget nor a rate no pacer:
	 * a paced move can never be the single migrate_pages(2) pass that the
	 * command's own move of one worker makes (a budget a reload sets later
	 * paces the jobs that start after it).
	 */
	if (!j->pacer && o_paced(j) && (j->d->cfg.budget || j->opts.rate)) {
		r = numamove_pacer_new(j->d->cfg.budget ? j->d->cfg.budget : j->opts.rate, &j->pacer);
		if (r < 0)
			return r;
	}
	/* A dry run is its own plan: it needs no admission. */
	j->msg_plan = j->opts.flags & NUMAMOVE_REQUEST_F_DRY_RUN ? NULL : calloc(1, sizeof(struct wmsg));
	j->msg_finished = calloc(1, sizeof(struct wmsg));
	if (!j->msg_finished || (!j->msg_plan && !(j->opts.flags & NUMAMOVE_REQUEST_F_DRY_RUN))) {
		free(j->msg_plan);
		free(j->msg_finished);
		return -ENOMEM;
	}
	r = pthread_create(&j->thread, NULL, worker_main, j);
	if (r) {
		free(j->msg_plan);
		free(j->msg_finished);
		return -r;
	}
	j->thread_live = true;
	return 0;
}

void job_join(struct job *j)
{
	if (!j->thread_live)
		return;
	/* A worker waiting for its verdict at shutdown is told to stop. */
	job_set_verdict(j, VERDICT_STOP);
	pthread_join(j->thread, NULL);
	j->thread_live = false;
}

void job_set_verdict(struct job *j, enum verdict v)
{
	pthread_mutex_lock(&j->d->lock);
	if (j->verdict == VERDICT_WAIT)
		j->verdict = v;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->d->lock);
}

/* A running job stops between two batches and reports what moved; see sched.c for the others. */
void job_cancel(struct job *j)
{
	pthread_mutex_lock(&j->d->lock);
	j->cancel_asked = true;
	if (j->req)
		numamove_request_cancel(j->req);
	pthread_mutex_unlock(&j->d->lock);
}

/* ---- the loop side */

/*
 * No worker left: what the workers freed goes back to the system. glibc
 * keeps freed memory in each thread's arena, and with a thread per job
 * the daemon's RSS crept up (4.7 to 5.7 MB in 5 minutes of the soak's
 * jobs) though nothing leaked. Also when a finished job's object goes,
 * with its report.
 */
static void trim_when_idle(struct daemon *d)
{
	for (size_t i = 0; i < d->n_jobs; i++)
		if (d->jobs[i]->thread_live)
			return;
	malloc_trim(0);
}

static int on_expire(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct job *j = userdata;
	struct daemon *d = j->d;

	bus_job_removed(d, j);
	state_remove_job(d, j->id);
	job_free(j);
	trim_when_idle(d);
	return 0;
}

static void append(char **field, const char *text)
{
	size_t a = *field ? strlen(*field) : 0, b = strlen(text);
	char *v = realloc(*field, a + b + 1);

	if (!v)
		return;
	memcpy(v + a, text, b + 1);
	*field = v;
}

/* More than MAX_JOBS_KEPT finished jobs: the oldest go now, whatever job-keep-s says. */
/* Beyond MAX_JOBS_KEPT finished jobs, the one that finished first goes (never @current, which is being finished). */
static void drop_oldest(struct daemon *d, const struct job *current)
{
	struct job *oldest = NULL;
	size_t n = 0;

	for (size_t i = 0; i < d->n_jobs; i++) {
		struct job *j = d->jobs[i];

		if (!job_done(j))
			continue;
		n++;
		/* By submission order: the wall clock may step back. */
		if (j != current && (!oldest || j->seq < oldest->seq))
			oldest = j;
	}
	if (n > MAX_JOBS_KEPT && oldest)
		on_expire(NULL, 0, oldest);
}

/* A new job joins the queue: on disk, on the bus, and started when there is room. */
void job_enqueue(struct job *j)
{
	state_save_job(j->d, j);
	bus_job_added(j->d, j);
	bus_manager_changed(j->d, "Queued");
	sched_run(j->d);
}

/* The job is over: its state, outcome and exit status are final; it stays listed job-keep-s. */
void job_finish(struct job *j, enum job_state state, const char *outcome, int exit_status)
{
	static const char *const props[] = { "State", "Outcome", "ExitStatus", "Report", "Record", "Held", "Phase", NULL };

	j->state = state;
	free(j->outcome);
	j->outcome = strdup(outcome);
	j->exit_status = exit_status;
	j->finished_us = now_us();
	free(j->held);
	j->held = NULL;
	log_job(6, j, "job %" PRIu32 " (%s, uid %u): %s, outcome %s, exit status %d", j->id, j->description,
		 (unsigned int)j->owner, job_state_name(state), outcome, exit_status);
	state_save_job(j->d, j);
	sched_rebalance(j->d); /* its share goes to the others */
	bus_job_changed(j, props);
	bus_job_finished(j);
	bus_manager_changed(j->d, "Running");
	bus_manager_changed(j->d, "Queued");
	job_keep(j, (uint64_t)j->d->cfg.job_keep_s * 1000000ULL);
	pin_job_finished(j->d, j);
	place_job_finished(j->d, j);
	slurm_job_finished(j->d, j);
	drop_oldest(j->d, j);
}

/* A finished job's object goes @usec from now. */
void job_keep(struct job *j, uint64_t usec)
{
	sd_event_source_disable_unref(j->expire);
	j->expire = NULL;
	sd_event_add_time_relative(j->d->event, &j->expire, CLOCK_MONOTONIC, usec, 0, on_expire, j);
}

static void handle_event(struct job *j, struct wmsg *m)
{
	static const char *const props[] = { "Phase", "Subject", "BytesDone", "BytesTotal", "Rate", "Eta", NULL };
	static const char *const phases[] = { "start", "rebind", "move", "moved", "done" };

	snprintf(j->phase, sizeof(j->phase), "%s", m->ev.phase < 5 ? phases[m->ev.phase] : "");
	if (m->subject) {
		free(j->subject);
		j->subject = m->subject;
		m->subject = NULL;
	}
	if (m->ev.phase == NUMAMOVE_PHASE_MOVE || m->ev.phase == NUMAMOVE_PHASE_MOVED) {
		j->bytes_done = m->ev.bytes_done;
		j->bytes_total = m->ev.bytes_total;
		j->rate = m->ev.rate;
		j->eta_us = m->ev.eta_ns / 1000;
	}
	bus_job_progress(j, &m->ev, j->subject ? j->subject : "");
	bus_job_changed(j, props);
	/* bytes-done on disk, at most once a second: what an interrupted job reports. */
	if (mono_us() - j->last_saved_us >= 1000000) {
		j->last_saved_us = mono_us();
		state_save_job(j->d, j);
	}
}

static void handle_finished(struct job *j, struct wmsg *m)
{
	enum job_state st = m->cancelled ? JOB_CANCELLED : m->exit_status == EXIT_OK || m->exit_status == EXIT_PARTIAL
								   ? JOB_DONE : JOB_FAILED;

	job_join(j);
	free(j->report);
	j->report = m->report_json;
	m->report_json = NULL;
	free(j->record);
	j->record = m->record;
	m->record = NULL;
	j->bytes_moved = m->bytes_moved;
	/* The cgroup route reports no progress: what moved, in the job's DONE. */
	if (j->slurm_move && !j->bytes_done)
		j->bytes_done = m->bytes_moved;
	job_finish(j, st, m->outcome ? m->outcome : "failed", m->exit_status);
	sched_job_ended(j);
	trim_when_idle(j->d);
}

static void wmsg_free(struct wmsg *m)
{
	free(m->subject);
	free(m->out);
	free(m->err);
	free(m->need);
	free(m->report_json);
	free(m->record);
	free(m->outcome);
	place_check_free(m->check);
	free(m);
}

static void handle(struct daemon *d, struct wmsg *m)
{
	struct job *j = m->job;

	switch (m->kind) {
	case WMSG_PLAN:
		sched_plan(j, m->error, m->need, m->n_need);
		m->need = NULL;
		break;
	case WMSG_EVENT:
		handle_event(j, m);
		break;
	case WMSG_TEXT:
		if (m->out)
			append(&j->output, m->out);
		if (m->err)
			append(&j->diagnostics, m->err);
		bus_job_text(j, m->out ? m->out : "", m->err ? m->err : "");
		break;
	case WMSG_FINISHED:
		handle_finished(j, m);
		break;
	case WMSG_PIN_CHECK:
		pin_checked(d, m);
		break;
	case WMSG_PLACE_CHECK:
		place_checked(d, m);
		break;
	}
}

static int on_inbox(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	struct wmsg *list;
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_err("eventfd: %m");
	pthread_mutex_lock(&d->lock);
	list = d->inbox;
	d->inbox = NULL;
	d->inbox_tail = &d->inbox;
	pthread_mutex_unlock(&d->lock);
	while (list) {
		struct wmsg *next = list->next;

		handle(d, list);
		wmsg_free(list);
		list = next;
	}
	return 0;
}

/* At exit: what the workers said after the loop stopped. */
void worker_inbox_drop(struct daemon *d)
{
	while (d->inbox) {
		struct wmsg *next = d->inbox->next;

		wmsg_free(d->inbox);
		d->inbox = next;
	}
	d->inbox_tail = &d->inbox;
}

int worker_inbox_setup(struct daemon *d)
{
	int r;

	d->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->efd < 0)
		return log_err("eventfd: %m"), -errno;
	r = sd_event_add_io(d->event, &d->efd_source, d->efd, EPOLLIN, on_inbox, d);
	if (r < 0)
		return log_err("sd_event_add_io: %s", strerror(-r)), r;
	/* The source closes the eventfd when it goes. */
	sd_event_source_set_io_fd_own(d->efd_source, true);
	return 0;
}
