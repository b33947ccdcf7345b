/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pins: keep a process or a cgroup on its nodes.
 *
 * Every interval a check runs on a thread of its own. The full check is
 * the library's dry run of "move TARGET --to NODES" with memory only (no
 * policy is read, so the target is never stopped by a check), which
 * measures its memory per node from numa_maps, and for a process its
 * threads' CPU affinity. Memory outside the nodes, a cgroup whose
 * cpuset.mems differs, or a thread allowed on CPUs outside them makes a
 * correction: an ordinary job, queued and paced like any other, owned by
 * the pin's owner. A pin ends when its process exits (its pidfd becomes
 * readable) or on Unpin.
 *
 * Reading numa_maps walks every page (about 20 ms per GiB), so a process's
 * check is a sample first: the nodes of SAMPLE_PAGES pages spread over its
 * mappings, asked of move_pages(2), which costs the same whatever the size.
 * A sampled page outside the nodes, or every FULL_EVERY-th check, brings
 * the full check; drift too small for the sample to see waits for that.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <numaif.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "front.h"
#include "numamoved.h"

struct pin *pin_find(struct daemon *d, uint32_t id)
{
	for (size_t i = 0; i < d->n_pins; i++)
		if (d->pins[i]->id == id)
			return d->pins[i];
	return NULL;
}

/* A new pin taking @t; NULL without memory. */
struct pin *pin_new(struct daemon *d, uid_t owner, struct target *t, const struct move_opts *o)
{
	struct pin *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (d->n_pins == d->alloc_pins) {
		size_t n = d->alloc_pins ? d->alloc_pins * 2 : 16;
		struct pin **v = realloc(d->pins, n * sizeof(*v));

		if (!v) {
			free(p);
			return NULL;
		}
		d->pins = v;
		d->alloc_pins = n;
	}
	p->nodes = strdup(o->to);
	if (!p->nodes) {
		free(p);
		return NULL;
	}
	p->d = d;
	p->id = d->next_id++;
	snprintf(p->path, sizeof(p->path), OBJ_PIN_PREFIX "/%" PRIu32, p->id);
	p->owner = owner;
	p->target = *t;
	*t = (struct target){ .fd = -1 };
	p->interval_ms = o->interval_ms ? o->interval_ms : d->cfg.pin_interval_ms;
	p->flags = o->flags & (NUMAMOVE_REQUEST_F_MEMORY_ONLY | NUMAMOVE_REQUEST_F_NO_STAY);
	d->pins[d->n_pins++] = p;
	state_save_next_id(d);
	return p;
}

void pin_free(struct pin *p)
{
	struct daemon *d;

	if (!p)
		return;
	d = p->d;
	if (p->check_live) {
		pthread_join(p->check_thread, NULL);
		p->check_live = false;
	}
	for (size_t i = 0; i < d->n_pins; i++)
		if (d->pins[i] == p) {
			memmove(&d->pins[i], &d->pins[i + 1], (d->n_pins - i - 1) * sizeof(*d->pins));
			d->n_pins--;
			break;
		}
	sd_event_source_disable_unref(p->timer);
	sd_event_source_disable_unref(p->exit_watch);
	target_clear(&p->target);
	free(p->nodes);
	free(p);
}

/* ---- the check, on its own thread */

#define SAMPLE_PAGES 256
#define FULL_EVERY 10

struct check {
	struct daemon *d;
	uint32_t pin_id;
	struct target t; /* a copy: the pin may end while the check runs */
	char *nodes;
	bool full;       /* the full check, whatever the sample says */
	unsigned char to[NODE_MASK_BYTES]; /* the pin's nodes as the last full check resolved them */
	struct wmsg *m;  /* allocated by check_start(): the loop always hears back */
};

static bool in_mask(const unsigned char *mask, int node)
{
	return node >= 0 && node < NODE_MASK_BYTES * 8 && (mask[node / 8] & (1u << (node % 8)));
}

/* Whether @cpus lies within the CPUs of @to (as the kernel lists them per node). */
static bool cpus_within(const cpu_set_t *cpus, const cpu_set_t *allowed)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, cpus) && !CPU_ISSET(c, allowed))
			return false;
	return true;
}

static void cpulist_add(const char *list, cpu_set_t *set)
{
	const char *p = list;

	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			return;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (long c = a; c <= b && c < CPU_SETSIZE; c++)
			CPU_SET((int)c, set);
		p = *end == ',' ? end + 1 : end;
	}
}

/* Threads of the process allowed on CPUs outside the nodes of @to (none when they have no CPUs). */
static uint32_t threads_astray(int pidfd, const struct numamove_nodelist *to, const struct numamove_topology *topo)
{
	struct numamove_task *task = NULL;
	pid_t *tids = NULL;
	size_t n = 0;
	uint32_t astray = 0;
	cpu_set_t allowed;

	CPU_ZERO(&allowed);
	for (size_t k = 0; k < numamove_nodelist_count(to); k++)
		cpulist_add(numamove_node_cpulist(topo, numamove_nodelist_get(to, k)), &allowed);
	if (CPU_COUNT(&allowed) == 0 || numamove_task_open_pidfd(pidfd, &task) < 0)
		return 0;
	if (numamove_task_threads(task, &tids, &n) == 0)
		for (size_t i = 0; i < n; i++) {
			cpu_set_t cpus;

			if (sched_getaffinity(tids[i], sizeof(cpus), &cpus) == 0 && !cpus_within(&cpus, &allowed))
				astray++;
		}
	free(tids);
	numamove_task_free(task);
	return astray;
}

/* Threads on CPUs outside the pin's nodes, the nodes as the last full check resolved them. */
static uint32_t threads_astray_mask(struct check *c)
{
	struct numamove_topology *topo = NULL;
	struct numamove_nodelist *to = NULL;
	uint32_t n = 0;

	if (numamove_topology_load(NULL, &topo) < 0 || numamove_nodelist_new(&to) < 0) {
		numamove_topology_free(topo);
		return 0;
	}
	for (int node = 0; node < NODE_MASK_BYTES * 8; node++)
		if (in_mask(c->to, node))
			numamove_nodelist_add(to, node);
	n = threads_astray(c->t.fd, to, topo);
	numamove_nodelist_free(to);
	numamove_topology_free(topo);
	return n;
}

/* The dry run: bytes outside the pin's nodes, and for cgroups whether cpuset.mems must change. */
static int check_run(struct check *c, struct wmsg *m)
{
	struct numamove_request *req = NULL;
	struct numamove_report *rep = NULL;
	struct numamove_topology *topo = NULL;
	const struct numamove_nodelist *to = NULL, *nodes;
	bool cgroup = c->t.kind == TARGET_CGROUP;
	int r;

	r = numamove_request_new(NUMAMOVE_ACTION_MOVE, &(struct numamove_request_opts){
		.sz = sizeof(struct numamove_request_opts),
		.flags = NUMAMOVE_REQUEST_F_DRY_RUN | NUMAMOVE_REQUEST_F_MEMORY_ONLY }, &req);
	if (r == 0)
		r = numamove_request_set_nodes(req, c->nodes, NULL, NULL, NULL);
	if (r == 0)
		r = cgroup ? numamove_request_add_cgroup(req, c->t.text) : numamove_request_add_pidfd(req, c->t.fd);
	if (r == 0)
		r = numamove_request_run(req, &rep);
	if (r == 0)
		r = numamove_topology_load(NULL, &topo);
	if (r < 0)
		goto out;
	if (numamove_report_count(rep) < 1 || !numamove_report_has_before(rep, 0)) {
		r = numamove_report_outcome(rep, 0) == NUMAMOVE_OUTCOME_EXITED ? -ESRCH : -EIO;
		goto out;
	}
	if (cgroup)
		to = numamove_report_mems_after(rep, 0);
	else if (numamove_report_plan(rep, 0))
		to = numamove_plan_to(numamove_report_plan(rep, 0));
	if (!to) {
		r = -EIO;
		goto out;
	}
	for (size_t k = 0; k < numamove_nodelist_count(to); k++) {
		int node = numamove_nodelist_get(to, k);

		if (node < NODE_MASK_BYTES * 8)
			m->to[node / 8] |= (unsigned char)(1u << (node % 8));
	}
	nodes = numamove_report_nodes(rep);
	for (size_t k = 0; k < numamove_nodelist_count(nodes); k++) {
		int node = numamove_nodelist_get(nodes, k);

		if (!numamove_nodelist_contains(to, node))
			m->bytes += numamove_report_bytes_before(rep, 0, node);
	}
	if (cgroup) {
		const struct numamove_nodelist *mems = numamove_report_mems_before(rep, 0);
		char a[256] = "", b[256] = "";

		if (mems)
			numamove_nodelist_format(mems, a, sizeof(a));
		numamove_nodelist_format(to, b, sizeof(b));
		m->mems_differ = strcmp(a, b) != 0;
	} else {
		m->threads = threads_astray(c->t.fd, to, topo);
	}
out:
	numamove_topology_free(topo);
	numamove_report_free(rep);
	numamove_request_free(req);
	return r;
}

struct range {
	uintptr_t start;
	size_t pages;
};

/* The readable mappings of @pid, from /proc/PID/maps (no page walk). */
static int read_ranges(pid_t pid, struct range **ret, size_t *ret_n, size_t *ret_pages)
{
	char path[64], *line = NULL;
	size_t cap = 0, n = 0, alloc = 0, pages = 0;
	/* Base pages of this kernel: 4 KiB on x86-64, 4, 16 or 64 KiB on arm64. */
	const unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE);
	struct range *v = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	while (getline(&line, &cap, f) > 0) {
		unsigned long a, b;
		char perms[8];

		/* [vsyscall] and [vvar] have no pages move_pages(2) can see; they count as not present. */
		if (sscanf(line, "%lx-%lx %7s", &a, &b, perms) != 3 || perms[0] != 'r' || b <= a)
			continue;
		if (n == alloc) {
			struct range *nv = realloc(v, (alloc = alloc ? alloc * 2 : 64) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
		}
		v[n].start = a;
		v[n].pages = (b - a) / page;
		pages += v[n].pages;
		n++;
	}
	free(line);
	fclose(f);
	*ret = v;
	*ret_n = n;
	*ret_pages = pages;
	return 0;
}

/* Whether a sample of the process's pages finds one outside the pin's nodes. */
static int sample_astray(struct check *c, bool *ret)
{
	void *pages[SAMPLE_PAGES];
	int status[SAMPLE_PAGES];
	struct range *v = NULL;
	size_t n = 0, total = 0, k = 0, at = 0, base = 0;
	unsigned int seed = (unsigned int)mono_us();
	int r;

	r = read_ranges(c->t.pid, &v, &n, &total);
	/* Read by pid: the pidfd says whether that was still our process. */
	if (r == 0 && !pidfd_alive(c->t.fd))
		r = -ESRCH;
	if (r < 0 || !total) {
		free(v);
		return r;
	}
	/* Evenly spaced from a random start, so that successive checks see different pages. */
	for (size_t want = (size_t)rand_r(&seed) % (total / SAMPLE_PAGES + 1); k < SAMPLE_PAGES && want < total;
	     want += total / SAMPLE_PAGES + 1) {
		while (at < n && want >= base + v[at].pages)
			base += v[at++].pages;
		if (at == n)
			break;
		pages[k++] = (void *)(v[at].start + (want - base) * (size_t)sysconf(_SC_PAGESIZE));
	}
	free(v);
	if (move_pages(c->t.pid, k, pages, NULL, status, 0) < 0)
		return -errno;
	*ret = false;
	for (size_t i = 0; i < k; i++)
		if (status[i] >= 0 && !in_mask(c->to, status[i]))
			*ret = true;
	return 0;
}

static void *check_main(void *arg)
{
	struct check *c = arg;
	struct wmsg *m = c->m;
	uint64_t t0 = mono_us();
	bool astray = true;

	m->kind = WMSG_PIN_CHECK;
	m->pin_id = c->pin_id;
	if (!c->full && c->t.kind == TARGET_PIDFD)
		m->error = sample_astray(c, &astray);
	if (m->error == 0 && !astray)
		m->threads = threads_astray_mask(c);
	if (m->error == 0 && (astray || m->threads)) {
		m->full = true;
		m->error = check_run(c, m);
	}
	m->elapsed_us = mono_us() - t0;
	worker_post(c->d, m);
	target_clear(&c->t);
	free(c->nodes);
	free(c);
	return NULL;
}

static int check_start(struct pin *p)
{
	struct check *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	c->m = calloc(1, sizeof(*c->m));
	if (!c->m) {
		free(c);
		return -ENOMEM;
	}
	c->d = p->d;
	c->pin_id = p->id;
	c->full = !p->have_to || p->checks % FULL_EVERY == 0;
	memcpy(c->to, p->to, sizeof(c->to));
	c->t.kind = p->target.kind;
	c->t.pid = p->target.pid;
	c->t.fd = p->target.fd >= 0 ? fcntl(p->target.fd, F_DUPFD_CLOEXEC, 3) : -1;
	c->t.text = p->target.text ? strdup(p->target.text) : NULL;
	c->nodes = strdup(p->nodes);
	r = !c->nodes || (p->target.text && !c->t.text) || (p->target.fd >= 0 && c->t.fd < 0) ? ENOMEM
		: pthread_create(&p->check_thread, NULL, check_main, c);
	if (r) {
		target_clear(&c->t);
		free(c->nodes);
		free(c->m);
		free(c);
		return -r;
	}
	p->check_live = true;
	return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct pin *p = userdata;
	int r;

	/* A one-shot timer: armed again when this check (and its correction, if any) ends. */
	r = check_start(p);
	if (r < 0) {
		log_pin(3, p, "pin %" PRIu32 ": cannot check: %s", p->id, strerror(-r));
		sd_event_source_set_time_relative(s, (uint64_t)p->interval_ms * 1000);
		sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	}
	return 0;
}

static void arm(struct pin *p)
{
	sd_event_source_set_time_relative(p->timer, (uint64_t)p->interval_ms * 1000);
	sd_event_source_set_enabled(p->timer, SD_EVENT_ONESHOT);
}

/* Starts a correction job: the pin's move, for real, through the queue. */
static void correct(struct pin *p, uint64_t bytes, uint32_t threads)
{
	struct daemon *d = p->d;
	struct move_opts o = { .flags = p->flags };
	struct target *t = calloc(1, sizeof(*t));
	struct job *j;

	o.to = strdup(p->nodes);
	if (!t || !o.to)
		goto fail;
	t->kind = p->target.kind;
	t->fd = p->target.fd >= 0 ? fcntl(p->target.fd, F_DUPFD_CLOEXEC, 3) : -1;
	t->pid = p->target.pid;
	t->starttime = p->target.starttime;
	t->text = p->target.text ? strdup(p->target.text) : NULL;
	t->label = strdup(p->target.label);
	t->key_a = p->target.key_a;
	t->key_b = p->target.key_b;
	/* The identity it was pinned with: a correction moves the same process, as the same user, or nothing. */
	t->owner = p->target.owner;
	memcpy(t->uids, p->target.uids, sizeof(t->uids));
	memcpy(t->gids, p->target.gids, sizeof(t->gids));
	t->dumpable = p->target.dumpable;
	if (!t->label || (p->target.fd >= 0 && t->fd < 0) || (p->target.text && !t->text))
		goto fail;
	j = job_new(d, p->owner, t, 1, &o);
	if (!j)
		goto fail;
	t = NULL;
	j->pin_id = p->id;
	j->privileged = p->privileged;
	job_describe(j);
	p->correction = j->id;
	p->threads_astray = threads;
	log_pin(6, p, "pin %" PRIu32 " (%s --to %s): %" PRIu64 " bytes outside its nodes, %" PRIu32 " threads on other CPUs:"
		 " correction job %" PRIu32, p->id, p->target.label, p->nodes, bytes, threads, j->id);
	job_enqueue(j);
	return;
fail:
	if (t)
		target_clear(t);
	free(t);
	move_opts_clear(&o);
	log_pin(3, p, "pin %" PRIu32 ": cannot make a correction job: out of memory", p->id);
	arm(p);
}

/* A check's result, on the loop. */
void pin_checked(struct daemon *d, struct wmsg *m)
{
	static const char *const props[] = { "Checks", "LastCheckUs", NULL };
	struct pin *p = pin_find(d, m->pin_id);

	if (!p)
		return;
	pthread_join(p->check_thread, NULL);
	p->check_live = false;
	if (p->ended) {
		pin_free(p);
		return;
	}
	p->checks++;
	p->last_check_us = m->elapsed_us;
	if (m->full && m->error == 0) {
		memcpy(p->to, m->to, sizeof(p->to));
		p->have_to = true;
	}
	bus_pin_changed(p, props);
	if (m->error == -ESRCH) {
		pin_end(p, "its process exited");
		return;
	}
	if (m->error < 0)
		log_pin(4, p, "pin %" PRIu32 " (%s): check failed: %s", p->id, p->target.label, strerror(-m->error));
	else if (m->bytes || m->threads || m->mems_differ) {
		correct(p, m->bytes, m->threads);
		return;
	}
	arm(p);
}

/* A correction job ended: count it, say it, and check again after the interval. */
void pin_job_finished(struct daemon *d, struct job *j)
{
	static const char *const props[] = { "Corrections", "BytesCorrected", NULL };
	struct pin *p = j->pin_id ? pin_find(d, j->pin_id) : NULL;
	char text[4096];

	if (!p || p->correction != j->id)
		return;
	p->correction = 0;
	if (p->ended) {
		pin_free(p);
		return;
	}
	p->corrections++;
	p->bytes_corrected += j->bytes_done;
	snprintf(text, sizeof(text), "%s%s", j->output ? j->output : "", j->diagnostics ? j->diagnostics : "");
	bus_pin_corrected(p, j->bytes_done, p->threads_astray, text);
	bus_pin_changed(p, props);
	state_save_pin(d, p);
	arm(p);
}

static int on_exit_watch(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	pin_end(userdata, "its process exited");
	return 0;
}

/* Arms the timer and, for a process, the watch on its exit. */
int pin_start(struct pin *p)
{
	int r;

	r = sd_event_add_time_relative(p->d->event, &p->timer, CLOCK_MONOTONIC, (uint64_t)p->interval_ms * 1000,
				       0, on_timer, p);
	if (r >= 0)
		sd_event_source_set_enabled(p->timer, SD_EVENT_ONESHOT);
	if (r >= 0 && p->target.fd >= 0)
		r = sd_event_add_io(p->d->event, &p->exit_watch, p->target.fd, EPOLLIN, on_exit_watch, p);
	if (r < 0)
		return r;
	log_pin(6, p, "pin %" PRIu32 " (%s --to %s, uid %u): checked every %u ms", p->id, p->target.label, p->nodes,
		 (unsigned int)p->owner, p->interval_ms);
	return 0;
}

/* Ends the pin: its object and file go; it is freed once no check or correction needs it. */
void pin_end(struct pin *p, const char *why)
{
	struct daemon *d = p->d;

	if (p->ended)
		return;
	p->ended = true;
	log_pin(6, p, "pin %" PRIu32 " (%s --to %s): ended: %s", p->id, p->target.label, p->nodes, why);
	sd_event_source_set_enabled(p->timer, SD_EVENT_OFF);
	sd_event_source_set_enabled(p->exit_watch, SD_EVENT_OFF);
	bus_pin_removed(d, p);
	state_remove_pin(d, p->id);
	if (!p->check_live && !p->correction)
		pin_free(p);
	bus_manager_changed(d, "Pins");
}
