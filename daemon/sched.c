/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scheduling: which job runs next, and whether it may start.
 *
 * Jobs run by priority (lower first, like nice), then in submission
 * order, at most max-running at once, each through a pacer of its own
 * whose rates add up to the budget (sched_rebalance()).
 * Two jobs on the same target never run at once: the later one waits, so
 * that two requests never change one process or object together (the
 * library's rule). Admission: the dry run of a job gives the bytes each
 * node would receive; a node whose free memory, less what the running
 * jobs still bring it, cannot take them holds the job until a job ends;
 * a node too small to ever take them refuses it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "front.h"
#include "numamoved.h"

#define HELD_RETRY_US (30 * 1000000ULL)

unsigned int sched_count(struct daemon *d, enum job_state s)
{
	unsigned int n = 0;

	for (size_t i = 0; i < d->n_jobs; i++)
		n += d->jobs[i]->state == s;
	return n;
}

static bool same_target(const struct target *a, const struct target *b)
{
	bool ga = a->kind == TARGET_CGROUP || a->kind == TARGET_CGROUP_OF;
	bool gb = b->kind == TARGET_CGROUP || b->kind == TARGET_CGROUP_OF;

	if (ga || gb)
		return ga && gb && strcmp(a->text, b->text) == 0;
	/* Processes: pid and start time; files: dev and inode; SysV: the segment id. */
	return a->kind == b->kind && a->key_a == b->key_a && a->key_b == b->key_b;
}

static bool jobs_overlap(const struct job *a, const struct job *b)
{
	for (size_t i = 0; i < a->n_targets; i++)
		for (size_t k = 0; k < b->n_targets; k++)
			if (same_target(&a->targets[i], &b->targets[k]))
				return true;
	return false;
}

static bool blocked(struct daemon *d, const struct job *j)
{
	for (size_t i = 0; i < d->n_jobs; i++)
		if (d->jobs[i]->state == JOB_RUNNING && jobs_overlap(d->jobs[i], j))
			return true;
	return false;
}

/* Whether @a runs before @b: priority, then submission. */
static bool before(const struct job *a, const struct job *b)
{
	return a->priority != b->priority ? a->priority < b->priority : a->seq < b->seq;
}

static struct job *next_job(struct daemon *d)
{
	struct job *best = NULL;

	for (size_t i = 0; i < d->n_jobs; i++) {
		struct job *j = d->jobs[i];

		if (j->state != JOB_QUEUED && !(j->state == JOB_HELD && j->retry))
			continue;
		if (blocked(d, j))
			continue;
		if (!best || before(j, best))
			best = j;
	}
	return best;
}

/*
 * The budget, divided among the running jobs: those of the best priority
 * running share three quarters of it (all of it when they run alone), the
 * others the last quarter, so that the most urgent job finishes first
 * without starving the rest; a job also never goes faster than the rate
 * its caller asked. The rates add up to at most the budget. Without a
 * budget each job has its caller's rate, or none.
 */
void sched_rebalance(struct daemon *d)
{
	uint64_t budget = d->cfg.budget;
	size_t n_best = 0, n_rest = 0;
	int best = 0;
	bool any = false;

	for (size_t i = 0; i < d->n_jobs; i++) {
		const struct job *j = d->jobs[i];

		if (j->state != JOB_RUNNING || !j->pacer)
			continue;
		if (!any || j->priority < best) {
			n_rest += n_best;
			n_best = 1;
			best = j->priority;
		} else if (j->priority == best) {
			n_best++;
		} else {
			n_rest++;
		}
		any = true;
	}
	for (size_t i = 0; i < d->n_jobs; i++) {
		struct job *j = d->jobs[i];
		uint64_t rate = 0;

		if (j->state != JOB_RUNNING || !j->pacer)
			continue;
		if (budget && !n_rest)
			rate = budget / n_best;
		else if (budget && j->priority == best)
			rate = budget / 4 * 3 / n_best;
		else if (budget)
			rate = budget / 4 / n_rest;
		if (j->opts.rate && (!rate || j->opts.rate < rate))
			rate = j->opts.rate;
		/* A share rounded to 0 would mean no limit: keep it a trickle instead. */
		numamove_pacer_set_rate(j->pacer, budget && !rate ? 1 : rate);
	}
}

/* Starts jobs while there is room. */
void sched_run(struct daemon *d)
{
	struct job *j;

	while (sched_count(d, JOB_RUNNING) < d->cfg.max_running && (j = next_job(d))) {
		static const char *const props[] = { "State", NULL };
		int r;

		j->retry = false;
		j->state = JOB_RUNNING;
		r = job_start(j);
		if (r < 0) {
			log_job(3, j, "job %" PRIu32 ": cannot start a worker: %s", j->id, strerror(-r));
			job_finish(j, JOB_FAILED, "failed", EXIT_ERROR);
			continue;
		}
		log_job(6, j, "job %" PRIu32 " (%s, uid %u, priority %d): started", j->id, j->description,
			 (unsigned int)j->owner, j->priority);
		state_save_job(d, j);
		bus_job_changed(j, props);
		bus_manager_changed(d, "Running");
		bus_manager_changed(d, "Queued");
	}
	sched_rebalance(d);
}

/* Held jobs try again when a job ends: memory may be free now. */
void sched_job_ended(struct job *j)
{
	struct daemon *d = j->d;

	for (size_t i = 0; i < d->n_jobs; i++)
		if (d->jobs[i]->state == JOB_HELD)
			d->jobs[i]->retry = true;
	sched_run(d);
}

/* What the running jobs other than @j still bring to @node. */
static uint64_t ahead_of(struct daemon *d, const struct job *j, int node)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < d->n_jobs; i++) {
		const struct job *o = d->jobs[i];
		uint64_t need;

		if (o == j || o->state != JOB_RUNNING || !o->need || node >= o->n_need)
			continue;
		need = o->need[node];
		/* Their progress is over all their nodes: count the part not yet moved. */
		if (o->bytes_total && o->bytes_done < o->bytes_total)
			need = (uint64_t)((double)need * (double)(o->bytes_total - o->bytes_done) / (double)o->bytes_total);
		else if (o->bytes_total)
			need = 0;
		sum += need;
	}
	return sum;
}

static int on_held_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	for (size_t i = 0; i < d->n_jobs; i++)
		if (d->jobs[i]->state == JOB_HELD)
			d->jobs[i]->retry = true;
	sched_run(d);
	return 0;
}

/*
 * No job runs whose end would wake the held ones: memory may still come
 * free (other programs end), so look again in a while. The only timer
 * of an idle daemon, and only while a job is held.
 */
static void arm_held_retry(struct daemon *d)
{
	if (sched_count(d, JOB_RUNNING))
		return;
	if (!d->held_retry)
		sd_event_add_time_relative(d->event, &d->held_retry, CLOCK_MONOTONIC, HELD_RETRY_US, 0, on_held_retry,
					   d);
	else
		sd_event_source_set_time_relative(d->held_retry, HELD_RETRY_US);
	sd_event_source_set_enabled(d->held_retry, SD_EVENT_ONESHOT);
}

static void set_held(struct job *j, const char *why)
{
	static const char *const props[] = { "State", "Held", NULL };

	free(j->held);
	j->held = strdup(why);
	j->state = JOB_HELD;
	job_join(j);
	log_job(6, j, "job %" PRIu32 ": held: %s", j->id, why);
	state_save_job(j->d, j);
	bus_job_changed(j, props);
	bus_manager_changed(j->d, "Running");
}

static void refuse(struct job *j, const char *why)
{
	char *line = NULL;

	job_join(j);
	if (asprintf(&line, "numamove: %s\n", why) >= 0) {
		free(j->diagnostics);
		j->diagnostics = line;
		bus_job_text(j, "", line);
	}
	job_finish(j, JOB_FAILED, "refused", EXIT_ERROR);
	sched_job_ended(j);
}

/*
 * The admission plan of @j came (@need: bytes per node id, taken): go,
 * hold or refuse. --force skips the check as it skips the library's.
 */
void sched_plan(struct job *j, int error, uint64_t *need, int n_need)
{
	struct daemon *d = j->d;
	struct numamove_topology *topo = NULL;
	char why[512], a[32], b[32], c[32];
	int r;

	free(j->need);
	j->need = need;
	j->n_need = n_need;
	/* Cancelled during its admission: it would otherwise be held, and its cancel forgotten. */
	pthread_mutex_lock(&d->lock);
	r = j->cancel_asked;
	pthread_mutex_unlock(&d->lock);
	if (r) {
		job_join(j);
		job_finish(j, JOB_CANCELLED, "cancelled", EXIT_ERROR);
		sched_run(d);
		return;
	}
	/*
	 * A suspended Slurm job's move out is refused, not made blind, when its
	 * room cannot be counted: the job can stay where it is, while far nodes
	 * filled by surprise would hurt every job there.
	 */
	if (error < 0 && j->slurm_move == SLURM_MOVE_OUT) {
		snprintf(why, sizeof(why), "the room this move needs on the far nodes cannot be counted: %s",
			 strerror(-error));
		refuse(j, why);
		return;
	}
	if (error < 0 || (j->opts.flags & NUMAMOVE_REQUEST_F_FORCE)) {
		/* A dry run that fails outright: the real run reports why, in numamove's words. */
		job_set_verdict(j, VERDICT_GO);
		return;
	}
	r = numamove_topology_load(NULL, &topo);
	if (r < 0 && j->slurm_move == SLURM_MOVE_OUT) {
		snprintf(why, sizeof(why), "the free memory of the far nodes cannot be read: %s", strerror(-r));
		refuse(j, why);
		return;
	}
	if (r < 0) {
		job_set_verdict(j, VERDICT_GO);
		return;
	}
	for (int node = 0; node < n_need; node++) {
		uint64_t free_b, ahead;

		if (!need[node] || !numamove_topology_has_node(topo, node))
			continue;
		free_b = numamove_node_mem_free(topo, node);
		ahead = ahead_of(d, j, node);
		if (need[node] > numamove_node_mem_total(topo, node)) {
			snprintf(why, sizeof(why), "node %d has %s of memory in all; this move needs %s there", node,
				 size_to_human(numamove_node_mem_total(topo, node), a, sizeof(a)),
				 size_to_human(need[node], b, sizeof(b)));
			numamove_topology_free(topo);
			refuse(j, why);
			return;
		}
		if ((free_b < ahead || free_b - ahead < need[node]) && j->slurm_move == SLURM_MOVE_OUT) {
			/* A suspended job waits for nobody: it stays where it is, and says so. */
			snprintf(why, sizeof(why), "%s: far node %d has %s free, jobs ahead bring %s there, its memory "
				 "needs %s: it stays where it is", j->targets[0].label, node,
				 size_to_human(free_b, a, sizeof(a)), size_to_human(ahead, b, sizeof(b)),
				 size_to_human(need[node], c, sizeof(c)));
			numamove_topology_free(topo);
			log_job(4, j, "job %" PRIu32 ": %s", j->id, why);
			refuse(j, why);
			return;
		}
		if (free_b < ahead || free_b - ahead < need[node]) {
			snprintf(why, sizeof(why), "node %d has %s free; jobs ahead bring %s there, this one %s", node,
				 size_to_human(free_b, a, sizeof(a)), size_to_human(ahead, b, sizeof(b)),
				 size_to_human(need[node], c, sizeof(c)));
			numamove_topology_free(topo);
			set_held(j, why);
			sched_run(d);
			arm_held_retry(d);
			return;
		}
	}
	numamove_topology_free(topo);
	if (j->held) {
		static const char *const props[] = { "Held", NULL };

		free(j->held);
		j->held = NULL;
		bus_job_changed(j, props);
	}
	job_set_verdict(j, VERDICT_GO);
}
