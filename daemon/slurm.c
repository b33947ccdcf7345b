/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Suspend to far memory (issue 15): a Slurm job suspended on this node
 * (scontrol suspend, or preemption by suspension) has its memory moved to
 * the far nodes of slurm-far-nodes; when it resumes, the memory goes back
 * to the nodes it came from, ahead of every other job.
 *
 * How a suspension shows: Slurm 22.05's proctrack/cgroup suspends a step
 * through its cgroup plugin, which on cgroup v2 writes 1 to cgroup.freeze
 * of the step's "user" group (job_ID/step_N/user) and 0 on resume. SPANK
 * has no suspend callback, so numamoved looks: every slurm-scan-ms it
 * lists the job groups under slurmd's scope (system.slice/
 * *slurmstepd.scope/job_*) and reads each step's user/cgroup.freeze
 * (numamove_slurm_jobs_read()): a few directory reads and one small file
 * per step, nothing per process.
 * Without slurm-far-nodes there is no timer, except while jobs suspended
 * before it was removed are still followed (their memory comes back on
 * resume; no new suspension is); without Slurm a scan is one directory
 * listing of system.slice.
 *
 * The moves are ordinary jobs (privileged, owned by root) of target
 * slurm-job, memory only: the library's cgroup route rewrites the job
 * group's cpuset.mems and the kernel migrates by position. Out: FROM the
 * group's nodes as they are now (cpuset.mems.effective, in order), TO the
 * far nodes, so that the i-th node goes to the i-th far node, both
 * ascending, as the kernel maps them (config.c keeps the far nodes so). A
 * job whose nodes outside the far nodes are more than the far nodes stays:
 * two would share a far node, and the return could not be the inverse.
 * Back: FROM the far nodes, TO the nodes it had, the inverse. The group's
 * cpuset.mems as Slurm wrote it is then written back when what the move
 * left is its first nodes in order (the kernel then moves nothing). What
 * the job had is kept in the state directory (slurm-suspended), so that a
 * restart of numamoved while the job is suspended still brings it back.
 * An out move whose far nodes lack the free memory is refused: the job
 * stays where it is, and the journal and its job say so.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#if HAVE_MUNGE
#include <munge.h>
#endif

#include "front.h"
#include "numamoved.h"

/*
 * Where the scan looks: NULL, the cgroup v2 mount, or for the host checks
 * (tests/daemon/checks.py) a fake tree, ROOT/system.slice/..., named by
 * NUMAMOVED_TEST_SLURM_ROOT. Only the scan reads it: the moves themselves
 * find the job through the library, in the cgroup v2 mount, so in a fake
 * tree they fail as for a job that is gone.
 */
static const char *slurm_root;
#define MAX_SUSPENDED 1024
#define STATE_FILE "slurm-suspended"
#define MAX_BACK_TRIES 3 /* returns tried (failed, cancelled, refused) before the record is given up */

enum su_state {
	SU_OUT,    /* the out move is queued or running */
	SU_AWAY,   /* its memory is on the far nodes (or the out move ended, however far it got) */
	SU_STAYED, /* refused (the far nodes are full) or failed: nothing to bring back */
	SU_BACK,   /* the return is queued or running */
};

struct susp {
	char id[16];          /* Slurm's job id */
	char mems[256];       /* the group's cpuset.mems.effective when suspended: where the memory goes back */
	char cpuset[256];     /* the group's cpuset.mems as Slurm wrote it: restored after the return */
	char far[256];        /* the far nodes it went to */
	char left[256];       /* the group's cpuset.mems as the move out left it; "" unknown */
	uint64_t ino;         /* the job group's directory (st_ino): a reused job id is another; 0 unknown */
	enum su_state st;
	uint32_t job;         /* numamoved's job moving it now, or 0 */
	uint64_t bytes_out, bytes_back;
	uint64_t resumed_us;  /* monotonic, when the resume was seen */
	unsigned int back_tries; /* returns that did not end done */
	bool seen;
	bool redo;            /* its out move was cut by a restart: made again while it is suspended */
};

#define WARNED_FULL 64 /* untracked suspended jobs already warned about (the record limit), a ring */

/*
 * Jobs the SPANK plugin told of (numamove-spank(8)): each task, as it
 * starts, from the task itself, with the job's options. Kept in memory
 * only: after a restart of numamoved, the jobs running are followed by the
 * scan alone (with the node's far nodes) until their next step starts.
 */
#define MAX_REG_JOBS 4096
#define MAX_REG_STEPS 32   /* steps of one job followed at once */
#define MAX_REG_TASKS 4    /* tasks of one step kept (pidfds): the job's output is written through one of them */

struct reg_task {
	int pidfd;
	pid_t pid;
	uid_t uid;                /* its ids, as /proc said when it called: the job's line is written with them */
	gid_t gid;
	dev_t err_dev;            /* its standard error then: only that file is written to */
	ino_t err_ino;
	bool err_ok;              /* standard error was there to take */
};

struct reg_step {
	char name[16];            /* "0", "batch", ... */
	struct reg_task task[MAX_REG_TASKS];
	unsigned int n_task;
	unsigned int tasks;       /* told of in all */
	sd_event_source *watch;   /* inotify on the step's cgroup.events: a freeze seen at once */
};

struct reg {
	char id[16];
	struct slurm_asked asked; /* what its latest step asked; decided at each suspension (slurm_decide()) */
	bool seen;                /* by the scan */
	struct reg_step steps[MAX_REG_STEPS];
	unsigned int n_steps;
};

struct slurm_state {
	struct susp *v;
	size_t n, alloc;
	struct reg *regs;
	size_t n_regs, alloc_regs;
	char warned[WARNED_FULL][16];
	unsigned int n_warned;
	sd_event_source *timer;
};

/* Room for one more record; false when there is none (MAX_SUSPENDED, or no memory). */
static bool grow(struct slurm_state *s)
{
	struct susp *v;
	size_t n;

	if (s->n < s->alloc)
		return true;
	if (s->n >= MAX_SUSPENDED)
		return false;
	n = s->alloc ? s->alloc * 2 : 8;
	v = realloc(s->v, n * sizeof(*v));
	if (!v)
		return false;
	s->v = v;
	s->alloc = n;
	return true;
}

static bool wanted(const struct daemon *d);
static void arm(struct daemon *d);
static void reg_save(struct slurm_state *s);

static struct susp *find(struct slurm_state *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].id, id) == 0)
			return &s->v[i];
	return NULL;
}

static void drop(struct slurm_state *s, struct susp *x)
{
	size_t i = (size_t)(x - s->v);

	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
	s->n--;
}

/* One line a job: "ID STATE MEMS CPUSET FAR BYTES_OUT INO LEFT", "-" for an empty one. */
static void save(struct slurm_state *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const struct susp *x = &s->v[i];
		/* After a restart: a move out is made again, one back is made again on resume. */
		const char *st = x->st == SU_STAYED ? "stayed" : x->st == SU_OUT || x->redo ? "out" : "away";

		fprintf(f, "%s %s %s %s %s %" PRIu64 " %" PRIu64 " %s\n", x->id, st, x->mems[0] ? x->mems : "-",
			x->cpuset[0] ? x->cpuset : "-", x->far, x->bytes_out, x->ino, x->left[0] ? x->left : "-");
	}
	if (fclose(f) == 0)
		state_write_file(STATE_FILE, buf, len);
	free(buf);
}

static void load(struct slurm_state *s)
{
	char *text = NULL, *line, *save_p = NULL;

	if (state_read_file(STATE_FILE, &text) < 0)
		return;
	for (line = strtok_r(text, "\n", &save_p); line && grow(s); line = strtok_r(NULL, "\n", &save_p)) {
		struct susp x = { 0 };
		char st[16];

		int n = sscanf(line, "%15s %15s %255s %255s %255s %" SCNu64 " %" SCNu64 " %255s", x.id, st, x.mems,
			       x.cpuset, x.far, &x.bytes_out, &x.ino, x.left);

		/* 6 fields: written before INO and LEFT were kept (not checked then). */
		if ((n != 6 && n != 8) || strspn(x.id, "0123456789") != strlen(x.id) || strlen(x.id) > 10 ||
		    (strcmp(st, "out") != 0 && strcmp(st, "away") != 0 && strcmp(st, "stayed") != 0)) {
			log_warn("%s: a line that does not parse, skipped: %.200s", STATE_FILE, line);
			continue;
		}
		if (n == 6 || strcmp(x.left, "-") == 0)
			x.left[0] = '\0';
		if (strcmp(x.cpuset, "-") == 0)
			x.cpuset[0] = '\0';
		if (strcmp(x.mems, "-") == 0)
			x.mems[0] = '\0';
		x.st = strcmp(st, "stayed") == 0 ? SU_STAYED : SU_AWAY;
		x.redo = strcmp(st, "out") == 0;
		s->v[s->n++] = x;
		log_info("slurm job %s: suspended before numamoved restarted (%s, from %s to %s)", x.id,
			 x.st == SU_STAYED ? "it stayed" : "its memory away", x.mems, x.far);
	}
	free(text);
}

static int read_line(const char *path, char *buf, size_t size)
{
	int r = read_file(path, buf, size);

	if (r >= 0)
		buf[strcspn(buf, "\n")] = '\0';
	return r;
}

/* A move of Slurm job @x, queued: a job of numamoved's own, as root's. */
static struct job *submit(struct daemon *d, struct susp *x, int kind, const char *to, const char *from)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct move_opts o = {
		.flags = NUMAMOVE_REQUEST_F_MEMORY_ONLY,
		.priority = kind == SLURM_MOVE_BACK ? SLURM_BACK_PRIORITY : 0,
	};
	struct target *t = calloc(1, sizeof(*t));
	struct job *j;

	o.to = strdup(to);
	o.from = strdup(from);
	if (!t || !o.to || !o.from)
		goto fail;
	t->kind = TARGET_SLURM_JOB;
	t->fd = -1;
	t->text = strdup(x->id);
	if (!t->text)
		goto fail;
	if (target_open(t, &error) < 0) {
		log_warn("slurm job %s: %s", x->id, error.message ? error.message : "cannot be found");
		goto fail;
	}
	j = job_new(d, 0, t, 1, &o);
	if (!j)
		goto fail;
	j->privileged = true;
	j->slurm_move = kind;
	job_describe(j);
	x->job = j->id;
	log_job(6, j, "slurm job %s: %s: job %" PRIu32 " moves its memory from %s to %s", x->id,
		kind == SLURM_MOVE_OUT ? "suspended" : "resumed", j->id, from, to);
	job_enqueue(j);
	sd_bus_error_free(&error);
	return j;
fail:
	sd_bus_error_free(&error);
	if (t) {
		target_clear(t);
		free(t);
	}
	move_opts_clear(&o);
	return NULL;
}

/*
 * How many of @mems (the job group's nodes) are outside @far: 0 when it is
 * all there already; -E2BIG when they are more than the far nodes (the
 * kernel maps by position, wrapping: two would share a far node and the
 * return could not be the inverse); another negative errno when the lists
 * do not parse (the move's own checks then say why).
 */
static int out_of_far(const char *mems, const char *far)
{
	struct numamove_topology *topo = NULL;
	struct numamove_nodelist *m = NULL, *f = NULL;
	int r, out = 0;

	r = numamove_topology_load(NULL, &topo);
	if (r == 0)
		r = numamove_nodelist_parse(mems, topo, NULL, &m, NULL);
	if (r == 0)
		r = numamove_nodelist_parse(far, topo, NULL, &f, NULL);
	for (size_t i = 0; r == 0 && i < numamove_nodelist_count(m); i++)
		out += !numamove_nodelist_contains(f, numamove_nodelist_get(m, i));
	if (r == 0)
		r = (size_t)out > numamove_nodelist_count(f) ? -E2BIG : out;
	numamove_nodelist_free(m);
	numamove_nodelist_free(f);
	numamove_topology_free(topo);
	return r;
}


/* ---- jobs the SPANK plugin told of */

static struct reg *reg_find(struct slurm_state *s, const char *id)
{
	for (size_t i = 0; i < s->n_regs; i++)
		if (strcmp(s->regs[i].id, id) == 0)
			return &s->regs[i];
	return NULL;
}

static void reg_step_clear(struct reg_step *st)
{
	for (unsigned int i = 0; i < st->n_task; i++)
		close(st->task[i].pidfd);
	st->n_task = 0;
	st->watch = sd_event_source_disable_unref(st->watch);
}

static void reg_drop(struct slurm_state *s, struct reg *r)
{
	size_t i = (size_t)(r - s->regs);

	for (unsigned int k = 0; k < r->n_steps; k++)
		reg_step_clear(&r->steps[k]);
	memmove(&s->regs[i], &s->regs[i + 1], (s->n_regs - i - 1) * sizeof(*s->regs));
	s->n_regs--;
}

/* Jobs whose group is gone (ended without the plugin's word: a crash of slurmstepd, a restart). */
static void reg_prune(struct slurm_state *s)
{
	for (size_t i = s->n_regs; i > 0; i--) {
		char *path = NULL;

		if (numamove_slurm_cgroup(s->regs[i - 1].id, NULL, &path) == -ENOENT) {
			log_info("slurm job %s: gone from this node; forgotten", s->regs[i - 1].id);
			reg_drop(s, &s->regs[i - 1]);
		}
		free(path);
	}
	reg_save(s);
}

/*
 * The line written by a grandchild process with the task's user and group
 * ids, on the task's own standard error (taken with pidfd_getfd(2): the
 * very open file, not reopened), given 2 seconds (SIGALRM); numamoved
 * waits only for the child between, which exits at once. So a stalled
 * pipe, terminal or file system, or a receiver that asks who wrote, meets
 * the job's user, never numamoved's loop or its rights.
 */
static void write_as_task(int fd, uid_t uid, gid_t gid, const char *line, size_t n)
{
	pid_t a = fork();

	if (a == 0) {
		if (fork() == 0) {
			sigset_t none;

			sigemptyset(&none);
			if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, gid, gid, gid) < 0 ||
			    syscall(SYS_setresuid, uid, uid, uid) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0)
				_exit(1);
			alarm(2);
			_exit(write(fd, line, n) == (ssize_t)n ? 0 : 1);
		}
		_exit(0);
	}
	if (a > 0)
		while (waitpid(a, NULL, 0) < 0 && errno == EINTR)
			;
}

/*
 * One line on the job's own output: the standard error of one of its
 * tasks, if it is still the file it was when the task started (a task
 * that closed it and opened a data file in its place is not written to).
 * Only jobs the plugin told of: the journal has every line in any case.
 */
static void tell_job(struct daemon *d, const char *id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void tell_job(struct daemon *d, const char *id, const char *fmt, ...)
{
	struct reg *r = d->slurm ? reg_find(d->slurm, id) : NULL;
	char line[512];
	va_list ap;
	int n;

	if (!r)
		return;
	n = snprintf(line, sizeof(line), "numamoved: slurm job %s: ", id);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	for (unsigned int k = 0; k < r->n_steps; k++)
		for (unsigned int t = 0; t < r->steps[k].n_task; t++) {
			const struct reg_task *task = &r->steps[k].task[t];
			int fd = task->err_ok ? (int)syscall(SYS_pidfd_getfd, task->pidfd, 2, 0) : -1;
			struct stat st;
			bool same;

			if (fd < 0)
				continue;
			same = fstat(fd, &st) == 0 && st.st_dev == task->err_dev && st.st_ino == task->err_ino;
			if (same)
				write_as_task(fd, task->uid, task->gid, line, (size_t)n);
			close(fd);
			if (same)
				return;
		}
}

/* What the job asked, decided with the node's far nodes now: true when it stays (@why), else its far nodes. */
static bool reg_stays(struct daemon *d, const struct reg *r, char *far, size_t size, char *why, size_t why_size)
{
	return slurm_decide(&r->asked, d->cfg.slurm_far_nodes, far, size, why, why_size);
}

static int on_step_event(sd_event_source *src, const struct inotify_event *ev, void *userdata)
{
	struct daemon *d = userdata;

	(void)src;
	(void)ev;
	/* cgroup.events changed (frozen, populated): look now rather than at the next scan. */
	if (wanted(d))
		arm(d);
	return 0;
}

/*
 * What each job the plugin told of asked, kept in the state directory
 * (REG_FILE, a line a job: "ID ANY STAY FAR", FAR "-" when none), so that a
 * restart of numamoved keeps it: reg_load() finds the jobs still on the
 * node and their tasks again. The file goes with the last job.
 */
#define REG_FILE "slurm-jobs"

static void reg_save(struct slurm_state *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (s->n_regs == 0) {
		state_remove_file(REG_FILE);
		return;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	for (size_t i = 0; i < s->n_regs; i++)
		fprintf(f, "%s %d %d %s\n", s->regs[i].id, s->regs[i].asked.any, s->regs[i].asked.stay,
			s->regs[i].asked.far[0] ? s->regs[i].asked.far : "-");
	if (fclose(f) == 0)
		state_write_file(REG_FILE, buf, len);
	free(buf);
}

/* Room for one more job; false without memory. */
static bool reg_room(struct slurm_state *s)
{
	size_t n;
	struct reg *v;

	if (s->n_regs < s->alloc_regs)
		return true;
	n = s->alloc_regs ? s->alloc_regs * 2 : 8;
	v = realloc(s->regs, n * sizeof(*v));
	if (!v)
		return false;
	s->regs = v;
	s->alloc_regs = n;
	return true;
}

/* A new job (reg_room() first). */
static struct reg *reg_new(struct slurm_state *s, const char *id)
{
	struct reg *r = &s->regs[s->n_regs++];

	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->seen = true;
	return r;
}

/* Step @name of job @r, made when new; NULL when the job has MAX_REG_STEPS already. */
static struct reg_step *reg_step(struct reg *r, const char *name)
{
	struct reg_step *st;

	for (unsigned int k = 0; k < r->n_steps; k++)
		if (strcmp(r->steps[k].name, name) == 0)
			return &r->steps[k];
	if (r->n_steps >= MAX_REG_STEPS)
		return NULL;
	st = &r->steps[r->n_steps++];
	memset(st, 0, sizeof(*st));
	snprintf(st->name, sizeof(st->name), "%s", name);
	return st;
}

/*
 * Task @pid (its @pidfd, checked by the caller: in the step's cgroup, with
 * ids @uid, @gid) of step @st; true when the pidfd was kept (else the
 * caller closes it: a task already known, or MAX_REG_TASKS kept).
 */
static bool reg_task_add(struct reg_step *st, int pidfd, pid_t pid, uid_t uid, gid_t gid)
{
	struct reg_task *task;
	struct stat sb;
	int err;

	for (unsigned int t = 0; t < st->n_task; t++)
		if (st->task[t].pid == pid)
			return false;
	st->tasks++;
	if (st->n_task >= MAX_REG_TASKS)
		return false;
	task = &st->task[st->n_task++];
	*task = (struct reg_task){ .pidfd = pidfd, .pid = pid, .uid = uid, .gid = gid };
	/* Its standard error now: the job's output, the only file a line is ever written to. */
	err = (int)syscall(SYS_pidfd_getfd, pidfd, 2, 0);
	if (err >= 0 && fstat(err, &sb) == 0) {
		task->err_dev = sb.st_dev;
		task->err_ino = sb.st_ino;
		task->err_ok = true;
	}
	if (err >= 0)
		close(err);
	return true;
}

/* Slurm freezes step @path's user group (cgroup/v2): its cgroup.events says frozen, at once. */
static void reg_step_watch(struct daemon *d, struct reg_step *st, const char *path, const char *spec)
{
	char file[PATH_MAX + 32];

	if (st->watch)
		return;
	snprintf(file, sizeof(file), "%s/user/cgroup.events", path);
	if (access(file, F_OK) < 0)
		snprintf(file, sizeof(file), "%s/cgroup.events", path);
	if (sd_event_add_inotify(d->event, &st->watch, file, IN_MODIFY, on_step_event, d) < 0)
		log_warn("slurm job %s: cannot watch %s: its suspension is seen by the scan only", spec, file);
}

static bool cgroup_within(const char *cg, const char *dir);

/*
 * After a restart: the jobs of REG_FILE still on the node, with what they
 * asked, their steps watched again and up to MAX_REG_TASKS of each step's
 * processes (below its user group) taken as its tasks. A task's standard
 * error is taken as it is now (what it was at its start is not known any
 * more).
 */
static void reg_load(struct daemon *d)
{
	struct slurm_state *s = d->slurm;
	char *text = NULL, *line, *save_p = NULL;

	if (state_read_file(REG_FILE, &text) < 0)
		return;
	for (line = strtok_r(text, "\n", &save_p); line; line = strtok_r(NULL, "\n", &save_p)) {
		struct slurm_asked a = { 0 };
		char id[16], far[256], *path = NULL, *sorted = NULL;
		int any, stay;
		struct reg *r;
		struct dirent *de;
		DIR *dir;

		if (sscanf(line, "%15s %d %d %255s", id, &any, &stay, far) != 4 || !*id ||
		    strspn(id, "0123456789") != strlen(id) || (strcmp(far, "-") != 0 && config_parse_far_nodes(far, &sorted) < 0)) {
			log_warn("%s: a line that does not parse, skipped: %.200s", REG_FILE, line);
			continue;
		}
		a.any = any != 0;
		a.stay = stay != 0;
		snprintf(a.far, sizeof(a.far), "%s", sorted ? sorted : "");
		free(sorted);
		if (numamove_slurm_cgroup(id, slurm_root, &path) < 0 || reg_find(s, id) || s->n_regs >= MAX_REG_JOBS ||
		    !reg_room(s)) {
			free(path);
			continue; /* gone, or said twice */
		}
		r = reg_new(s, id);
		r->asked = a;
		dir = opendir(path);
		while (dir && (de = readdir(dir))) {
			char step[PATH_MAX + 300], user[PATH_MAX + 310], spec[64];
			struct reg_step *st;
			pid_t *pids = NULL;
			size_t n = 0;

			if (strncmp(de->d_name, "step_", 5) != 0 || !de->d_name[5] || strlen(de->d_name + 5) >= 16)
				continue;
			snprintf(step, sizeof(step), "%s/%s", path, de->d_name);
			snprintf(user, sizeof(user), "%s/user", step);
			snprintf(spec, sizeof(spec), "%s.%s", id, de->d_name + 5);
			if (numamove_cgroup_pids_below(user, &pids, &n) < 0 || !n || !(st = reg_step(r, de->d_name + 5))) {
				free(pids);
				continue;
			}
			reg_step_watch(d, st, step, spec);
			for (size_t k = 0; k < n && st->n_task < MAX_REG_TASKS; k++) {
				int pidfd = (int)syscall(SYS_pidfd_open, pids[k], 0);
				char *cg = NULL;
				unsigned int uid[3], gid[3];

				if (pidfd >= 0 && numamove_cgroup_of(pids[k], &cg) == 0 && cgroup_within(cg, user) &&
				    auth_process_ids(pids[k], uid, gid) == 0 && pidfd_alive(pidfd) &&
				    reg_task_add(st, pidfd, pids[k], uid[0], gid[0]))
					pidfd = -1;
				if (pidfd >= 0)
					close(pidfd);
				free(cg);
			}
			free(pids);
		}
		if (dir)
			closedir(dir);
		free(path);
		log_info("slurm job %s: told of before numamoved restarted: %u steps followed again%s", id, r->n_steps,
			 a.stay ? "; while suspended it stays, as it asked" : "");
	}
	free(text);
	reg_save(s);
}

static void suspended(struct daemon *d, const char *id, const char *job_dir, uint64_t ino)
{
	struct slurm_state *s = d->slurm;
	struct reg *r = reg_find(s, id);
	struct susp x = { 0 };
	char path[2 * PATH_MAX], why[512];

	if (!grow(s)) {
		/* Said once a job, not at every scan. */
		for (unsigned int i = 0; i < WARNED_FULL; i++)
			if (strcmp(s->warned[i], id) == 0)
				return;
		snprintf(s->warned[s->n_warned++ % WARNED_FULL], sizeof(s->warned[0]), "%s", id);
		log_warn("slurm job %s: suspended; %d suspended jobs already followed: it stays where it is", id,
			 MAX_SUSPENDED);
		return;
	}
	snprintf(x.id, sizeof(x.id), "%s", id);
	snprintf(x.far, sizeof(x.far), "%s", d->cfg.slurm_far_nodes);
	if (r && reg_stays(d, r, x.far, sizeof(x.far), why, sizeof(why))) {
		log_info("slurm job %s: suspended; %s: it stays where it is", id, why);
		tell_job(d, id, "suspended; %s: its memory stays where it is", why);
		x.seen = true;
		x.st = SU_STAYED;
		s->v[s->n++] = x;
		save(s);
		return;
	}
	snprintf(path, sizeof(path), "%s/cpuset.mems.effective", job_dir);
	if (read_line(path, x.mems, sizeof(x.mems)) <= 0) {
		/* Followed all the same, so that it is said once. */
		log_warn("slurm job %s: suspended, but %s cannot be read: it stays where it is", id, path);
		x.seen = true;
		x.st = SU_STAYED;
		s->v[s->n++] = x;
		return;
	}
	snprintf(path, sizeof(path), "%s/cpuset.mems", job_dir);
	if (read_line(path, x.cpuset, sizeof(x.cpuset)) < 0)
		x.cpuset[0] = '\0';
	x.ino = ino;
	x.seen = true;
	x.st = SU_OUT;
	switch (out_of_far(x.mems, x.far)) {
	case 0:
		log_info("slurm job %s: suspended, already on the far nodes %s: it stays where it is", id, x.far);
		tell_job(d, id, "suspended, already on the far nodes %s: its memory stays where it is", x.far);
		x.st = SU_STAYED;
		break;
	case -E2BIG:
		log_info("slurm job %s: suspended; its nodes %s outside the far nodes are more than the far nodes %s: "
			 "the kernel would put two of them on one far node, and the return could not tell them apart: "
			 "it stays where it is", id, x.mems, x.far);
		tell_job(d, id, "suspended; its nodes %s outside the far nodes are more than the far nodes %s: its "
			 "memory stays where it is", x.mems, x.far);
		x.st = SU_STAYED;
		break;
	default:
		break;
	}
	s->v[s->n++] = x;
	if (x.st == SU_OUT && !submit(d, &s->v[s->n - 1], SLURM_MOVE_OUT, x.far, x.mems)) {
		log_warn("slurm job %s: suspended; its move cannot be made: it stays where it is", id);
		tell_job(d, id, "suspended; its move cannot be made: its memory stays where it is");
		s->v[s->n - 1].st = SU_STAYED;
	}
	save(s);
}

/*
 * Whether the job group is still the one the move out left: the same
 * directory (a reused job id is another group), with the cpuset.mems that
 * move left (one written while suspended has moved the memory already).
 * When not, the log says so, and neither the return nor the write-back of
 * cpuset.mems is made. What cannot be read is not a difference: the return
 * then says what is wrong.
 */
static bool same_group(const struct susp *x)
{
	char *path = NULL, file[PATH_MAX], now[256];
	struct stat st;
	bool same = true;

	if (numamove_slurm_cgroup(x->id, NULL, &path) < 0)
		return true;
	if (x->ino && stat(path, &st) == 0 && (uint64_t)st.st_ino != x->ino) {
		log_warn("slurm job %s: resumed, but its cgroup is not the one suspended (the job id was reused): "
			 "no return; the memory of the job suspended stayed on %s", x->id, x->far);
		same = false;
	}
	snprintf(file, sizeof(file), "%s/cpuset.mems", path);
	if (same && x->left[0] && read_line(file, now, sizeof(now)) >= 0 && strcmp(now, x->left) != 0) {
		log_warn("slurm job %s: resumed, but its cpuset.mems was changed while it was suspended (%s; the move "
			 "out left %s): no return, and its cpuset.mems stays", x->id, now, x->left);
		same = false;
	}
	free(path);
	return same;
}

/*
 * A return that did not end done: the record stays away, so that the next
 * scans try again, MAX_BACK_TRIES times in all; then it is given up, and
 * the log says where the memory is.
 */
static void back_failed(struct daemon *d, struct susp *x, const char *what)
{
	struct slurm_state *s = d->slurm;

	x->job = 0;
	if (++x->back_tries < MAX_BACK_TRIES) {
		log_warn("slurm job %s: resumed; its return move %s (try %u of %d): its memory is still on %s, "
			 "tried again at the next scan", x->id, what, x->back_tries, MAX_BACK_TRIES, x->far);
		x->st = SU_AWAY;
	} else {
		log_err("slurm job %s: resumed; its return move %s (try %u of %d): given up, its memory stays on %s "
			"(it came from %s)", x->id, what, x->back_tries, MAX_BACK_TRIES, x->far, x->mems);
		tell_job(d, x->id, "resumed; its memory could not be brought back: it stays on %s (it came from %s)",
			 x->far, x->mems);
		drop(s, x);
	}
	save(s);
}

static void resumed(struct daemon *d, struct susp *x)
{
	struct slurm_state *s = d->slurm;

	if (x->st == SU_STAYED) {
		log_info("slurm job %s: resumed; its memory had stayed where it was", x->id);
		tell_job(d, x->id, "resumed; its memory had stayed where it was");
		drop(s, x);
		save(s);
		return;
	}
	/* Still moving out: it comes back once that move ends (slurm_job_finished()). */
	if (x->st != SU_AWAY)
		return;
	x->redo = false;
	if (!same_group(x)) {
		drop(s, x);
		save(s);
		return;
	}
	x->resumed_us = mono_us();
	x->st = SU_BACK;
	if (!submit(d, x, SLURM_MOVE_BACK, x->mems, x->far))
		back_failed(d, x, "cannot be made");
}

static void scan(struct daemon *d)
{
	bool regs_gone = false;
	struct slurm_state *s = d->slurm;
	struct numamove_slurm_jobs *jobs = NULL;
	bool changed = false;
	int r = numamove_slurm_jobs_read(slurm_root, &jobs);
	/* A directory that cannot be listed for now (EMFILE, ENOMEM): no job counts as gone. */
	bool partial = r < 0 || numamove_slurm_jobs_partial(jobs) < 0;

	for (size_t i = 0; i < s->n; i++)
		s->v[i].seen = false;
	for (size_t i = 0; i < s->n_regs; i++)
		s->regs[i].seen = false;
	/* A job group gone between the listing and its state's reading is not listed. */
	for (size_t k = 0; r == 0 && k < numamove_slurm_jobs_count(jobs); k++) {
		const char *id = numamove_slurm_jobs_id(jobs, k);
		int frozen = numamove_slurm_jobs_frozen(jobs, k);
		struct susp *x = find(s, id);
		struct reg *reg;

		if (x)
			x->seen = true;
		if ((reg = reg_find(s, id)))
			reg->seen = true;
		/* Cannot be told for now: neither a suspension nor a resume (a record stays, seen). */
		if (frozen < 0)
			continue;
		if (frozen && !x) {
			/* Without slurm-far-nodes, no new suspension is followed; old records still are. */
			if (d->cfg.slurm_far_nodes) {
				suspended(d, id, numamove_slurm_jobs_cgroup(jobs, k), numamove_slurm_jobs_ino(jobs, k));
				changed = true;
			}
		} else if (frozen && x->redo && !x->job && d->cfg.slurm_far_nodes) {
			x->redo = false;
			x->st = SU_OUT;
			if (!submit(d, x, SLURM_MOVE_OUT, x->far, x->mems))
				x->st = SU_AWAY;
			changed = true;
		} else if (!frozen && x && (x->st == SU_AWAY || x->st == SU_STAYED)) {
			resumed(d, x);
			changed = true;
		}
	}
	numamove_slurm_jobs_free(jobs);
	/* Jobs the plugin told of, gone without its word (the real tree only: a test's fake one has none). */
	for (size_t i = partial || slurm_root ? 0 : s->n_regs; i > 0; i--)
		if (!s->regs[i - 1].seen) {
			log_info("slurm job %s: gone from this node; forgotten", s->regs[i - 1].id);
			reg_drop(s, &s->regs[i - 1]);
			regs_gone = true;
		}
	if (regs_gone)
		reg_save(s);
	/* Jobs gone from the node (ended or cancelled while suspended): nothing to bring back. */
	for (size_t i = partial ? 0 : s->n; i > 0; i--) {
		struct susp *x = &s->v[i - 1];

		if (x->seen || x->job)
			continue;
		log_info("slurm job %s: gone from this node while suspended; nothing to bring back", x->id);
		drop(s, x);
		changed = true;
	}
	if (changed)
		save(s);
}

/*
 * The timer runs while slurm-far-nodes is set, and while records remain
 * (jobs suspended before the key was removed, or before a restart without
 * it): their memory must still come back on resume.
 */
static bool wanted(const struct daemon *d)
{
	return d->cfg.slurm_far_nodes || d->slurm->n > 0;
}

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;

	scan(d);
	if (!wanted(d)) {
		log_info("slurm-far-nodes is not set and no suspended job is followed any more: the scan stops");
		sd_event_source_set_enabled(src, SD_EVENT_OFF);
		return 0;
	}
	sd_event_source_set_time_relative(src, (uint64_t)d->cfg.slurm_scan_ms * 1000);
	sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
	return 0;
}

static void arm(struct daemon *d)
{
	struct slurm_state *s = d->slurm;

	if (!wanted(d)) {
		if (s->timer)
			sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
		return;
	}
	if (!s->timer) {
		if (sd_event_add_time_relative(d->event, &s->timer, CLOCK_MONOTONIC, 0, 0, on_timer, d) < 0) {
			log_err("slurm-far-nodes: cannot make the scan's timer");
			return;
		}
	} else {
		sd_event_source_set_time_relative(s->timer, 0);
	}
	sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
}

int slurm_setup(struct daemon *d)
{
	const char *test_root = getenv("NUMAMOVED_TEST_SLURM_ROOT");

	d->slurm = calloc(1, sizeof(*d->slurm));
	if (!d->slurm)
		return -ENOMEM;
	if (test_root && *test_root) {
		slurm_root = test_root;
		log_warn("NUMAMOVED_TEST_SLURM_ROOT: Slurm's jobs are looked for in %s/system.slice (a test's fake tree)",
			 slurm_root);
	}
	load(d->slurm);
	reg_load(d);
	/* The moves queued before the restart are made again from the records: those queued go. */
	for (size_t i = d->n_jobs; i > 0; i--) {
		struct job *j = d->jobs[i - 1];

		if ((j->state == JOB_QUEUED || j->state == JOB_HELD) && j->slurm_move && j->n_targets == 1) {
			log_job(6, j, "job %" PRIu32 ": a suspended Slurm job's move from before the restart: made again",
				j->id);
			job_finish(j, JOB_CANCELLED, "cancelled", EXIT_ERROR);
		}
	}
	if (d->cfg.slurm_far_nodes)
		log_info("slurm-far-nodes %s: suspended Slurm jobs' memory goes there, every %u ms looked at",
			 d->cfg.slurm_far_nodes, d->cfg.slurm_scan_ms);
	else if (d->slurm->n)
		log_info("slurm-far-nodes is not set: no new suspension is followed, but %zu suspended jobs' memory "
			 "still comes back on resume (every %u ms looked at)", d->slurm->n, d->cfg.slurm_scan_ms);
	arm(d);
	return 0;
}

void slurm_reloaded(struct daemon *d)
{
	if (!d->slurm)
		return;
	if (d->cfg.slurm_far_nodes)
		log_info("slurm-far-nodes %s: suspended Slurm jobs' memory goes there, every %u ms looked at",
			 d->cfg.slurm_far_nodes, d->cfg.slurm_scan_ms);
	else if (d->slurm->n)
		log_info("slurm-far-nodes is not set: no new suspension is followed, but %zu suspended jobs' memory "
			 "still comes back on resume", d->slurm->n);
	arm(d);
}

void slurm_free(struct daemon *d)
{
	if (!d->slurm)
		return;
	sd_event_source_disable_unref(d->slurm->timer);
	while (d->slurm->n_regs)
		reg_drop(d->slurm, &d->slurm->regs[d->slurm->n_regs - 1]);
	free(d->slurm->regs);
	free(d->slurm->v);
	free(d->slurm);
	d->slurm = NULL;
}

/*
 * The job's own cpuset.mems, as Slurm wrote it, back once its memory is:
 * only when the nodes the return left (@now) are the first of what it
 * had, in order, so that the kernel's remapping by position moves nothing.
 */
static void restore_cpuset(const struct susp *x)
{
	char *path = NULL, file[PATH_MAX], now[256];
	size_t n;
	int fd;

	if (numamove_slurm_cgroup(x->id, NULL, &path) < 0)
		return;
	snprintf(file, sizeof(file), "%s/cpuset.mems.effective", path);
	if (read_line(file, now, sizeof(now)) <= 0 || strcmp(now, x->cpuset) == 0)
		goto out;
	{
		struct numamove_topology *topo = NULL;
		struct numamove_nodelist *a = NULL, *b = NULL;
		bool prefix = false;

		if (numamove_topology_load(NULL, &topo) == 0 && numamove_nodelist_parse(now, topo, NULL, &a, NULL) == 0 &&
		    numamove_nodelist_parse(x->mems, topo, NULL, &b, NULL) == 0) {
			n = numamove_nodelist_count(a);
			prefix = n <= numamove_nodelist_count(b);
			for (size_t i = 0; prefix && i < n; i++)
				prefix = numamove_nodelist_get(a, i) == numamove_nodelist_get(b, i);
		}
		numamove_nodelist_free(a);
		numamove_nodelist_free(b);
		numamove_topology_free(topo);
		if (!prefix) {
			log_info("slurm job %s: its cpuset.mems stays %s (it was %s)", x->id, now, x->cpuset);
			goto out;
		}
	}
	snprintf(file, sizeof(file), "%s/cpuset.mems", path);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, x->cpuset[0] ? x->cpuset : "\n", x->cpuset[0] ? strlen(x->cpuset) : 1) < 0)
		log_warn("slurm job %s: cannot write back its cpuset.mems %s: %m", x->id, x->cpuset);
	if (fd >= 0)
		close(fd);
out:
	free(path);
}

/* A job ended: if it was a suspended Slurm job's move, what it did. */
void slurm_job_finished(struct daemon *d, struct job *j)
{
	struct slurm_state *s = d->slurm;
	char a[32], b[32];
	struct susp *x = NULL;

	if (!s || !j->slurm_move)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].job == j->id)
			x = &s->v[i];
	if (!x)
		return;
	x->job = 0;
	if (j->slurm_move == SLURM_MOVE_OUT) {
		x->bytes_out = j->bytes_moved;
		if (j->state == JOB_DONE || j->bytes_moved) {
			char *path = NULL, file[PATH_MAX];

			x->st = SU_AWAY;
			x->left[0] = '\0';
			if (numamove_slurm_cgroup(x->id, NULL, &path) == 0) {
				snprintf(file, sizeof(file), "%s/cpuset.mems", path);
				if (read_line(file, x->left, sizeof(x->left)) < 0)
					x->left[0] = '\0';
			}
			free(path);
			log_job(5, j, "slurm job %s: suspended: %s moved out to %s (job %" PRIu32 ", %s)", x->id,
				size_to_human(x->bytes_out, a, sizeof(a)), x->far, j->id, j->outcome);
			tell_job(d, x->id, "suspended: %s moved out to the far nodes %s (numamoved job %" PRIu32 ", %s)",
				 a, x->far, j->id, j->outcome);
		} else {
			char why[1024];

			/* The job's diagnostics, on one line: "numamove: ...\n" lines. */
			snprintf(why, sizeof(why), "%s", j->diagnostics ? j->diagnostics : "");
			for (char *c = why; *c; c++)
				if (*c == '\n')
					*c = c[1] ? ' ' : '\0';
			x->st = SU_STAYED;
			log_job(4, j, "slurm job %s: suspended: its memory stays where it is (job %" PRIu32 " %s): %s",
				x->id, j->id, j->outcome, why);
			tell_job(d, x->id, "suspended: its memory stays where it is (numamoved job %" PRIu32 " %s): %s",
				 j->id, j->outcome, why);
		}
		save(s);
		/* Resumed while it was moving out: back at once. */
		if (x->st == SU_AWAY) {
			char *path = NULL;
			int frozen = 1;

			/* Not told (an error): the next scan sees it. */
			if (numamove_slurm_cgroup(x->id, NULL, &path) == 0)
				frozen = numamove_slurm_cgroup_frozen(path);
			free(path);
			if (frozen == 0)
				resumed(d, x);
		}
		return;
	}
	x->bytes_back = j->bytes_moved;
	if (j->state != JOB_DONE) {
		char what[128];

		snprintf(what, sizeof(what), "ended %s (job %" PRIu32 ", %s moved)", j->outcome, j->id,
			 size_to_human(x->bytes_back, a, sizeof(a)));
		back_failed(d, x, what);
		return;
	}
	log_job(5, j, "slurm job %s: resumed: %s moved back to %s from %s in %" PRIu64 " ms (moved out: %s; job %" PRIu32
		", %s)", x->id, size_to_human(x->bytes_back, a, sizeof(a)), x->mems, x->far,
		(mono_us() - x->resumed_us) / 1000, size_to_human(x->bytes_out, b, sizeof(b)), j->id, j->outcome);
	tell_job(d, x->id, "resumed: %s moved back to %s from %s in %" PRIu64 " ms (numamoved job %" PRIu32 ", %s)", a,
		 x->mems, x->far, (mono_us() - x->resumed_us) / 1000, j->id, j->outcome);
	restore_cpuset(x);
	drop(s, x);
	save(s);
}

/*
 * The admission of an out move: the cgroup route's dry run plans no bytes
 * (the kernel moves them), so the job's processes' memory is planned here
 * with the library's plan, FROM and TO those of the move, and what each
 * far node would receive summed over the processes.
 */
int slurm_admission_need(const struct job *j, uint64_t **ret_need, int *ret_n)
{
	struct numamove_topology *topo = NULL;
	struct numamove_nodelist *from = NULL, *to = NULL;
	char *path = NULL;
	pid_t *pids = NULL;
	size_t n = 0;
	uint64_t *need = NULL;
	int r, max = 0;

	r = numamove_topology_load(NULL, &topo);
	if (r == 0)
		r = numamove_nodelist_parse(j->opts.from, topo, NULL, &from, NULL);
	if (r == 0)
		r = numamove_nodelist_parse(j->opts.to, topo, NULL, &to, NULL);
	if (r == 0)
		r = numamove_slurm_cgroup(j->targets[0].text, NULL, &path);
	if (r == 0)
		r = numamove_cgroup_pids_below(path, &pids, &n);
	for (size_t i = 0; r == 0 && i < numamove_nodelist_count(to); i++)
		if (numamove_nodelist_get(to, i) > max)
			max = numamove_nodelist_get(to, i);
	if (r == 0 && !(need = calloc((size_t)max + 1, sizeof(*need))))
		r = -ENOMEM;
	for (size_t k = 0; r == 0 && k < n; k++) {
		struct numamove_task *task = NULL;
		struct numamove_maps *maps = NULL;
		struct numamove_plan *plan = NULL;

		if (numamove_task_open(pids[k], &task) == 0 && numamove_maps_read(task, &maps) == 0 &&
		    numamove_plan_new(maps, from, to, topo, &plan) == 0)
			for (size_t i = 0; i < numamove_nodelist_count(to); i++) {
				int node = numamove_nodelist_get(to, i);

				need[node] += numamove_plan_incoming(plan, node);
			}
		numamove_plan_free(plan);
		numamove_maps_free(maps);
		numamove_task_free(task);
	}
	free(pids);
	free(path);
	numamove_nodelist_free(from);
	numamove_nodelist_free(to);
	numamove_topology_free(topo);
	if (r < 0) {
		free(need);
		return r;
	}
	*ret_need = need;
	*ret_n = max + 1;
	return 0;
}

/* ---- the SPANK plugin's calls (numamove-spank(8)) */

static int step_error(int r, const char *spec, sd_bus_error *error)
{
	if (r == -EINVAL)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "slurm step '%.64s': not JOBID.STEP (STEP: a number, "
					 "batch, extern or interactive)", spec);
	if (r == -ENOENT)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "slurm job %.64s: no such job on this node", spec);
	return sd_bus_error_setf(error, ERR_BAD_TARGET, "slurm job %.64s: %s", spec, strerror(-r));
}

/*
 * The options of SlurmTaskStarted (the a{sv} after the step): their form
 * (the far nodes this machine's, ascending); what they mean is decided at
 * each suspension, with the far nodes of that moment (slurm_decide()).
 * fuzz/fuzz-bus-slurm.c feeds it every message a client could send.
 */
int slurm_task_options(sd_bus_message *m, struct slurm_asked *a, sd_bus_error *error)
{
	const char *key, *value, *suspend = NULL, *far = NULL;
	char *sorted = NULL;
	int r;

	memset(a, 0, sizeof(*a));
	r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		r = sd_bus_message_read(m, "s", &key);
		if (r < 0)
			return r;
		if (strcmp(key, "suspend") != 0 && strcmp(key, "far-nodes") != 0)
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown option '%.64s' (suspend, "
						 "far-nodes)", key);
		r = sd_bus_message_read(m, "v", "s", &value);
		if (r < 0)
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "option '%s': the value must be of "
						 "type 's'", key);
		if (strlen(value) > 200)
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "option '%s': too long", key);
		if (key[0] == 's')
			suspend = value;
		else
			far = value;
		r = sd_bus_message_exit_container(m);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r < 0)
		return r;
	if (suspend && strcmp(suspend, "far") != 0 && strcmp(suspend, "stay") != 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "option 'suspend': '%.64s' is not far or "
					 "stay", suspend);
	if (far && config_parse_far_nodes(far, &sorted) < 0)
		return sd_bus_error_setf(error, ERR_BAD_NODES, "option 'far-nodes': '%.64s' is not a list of this "
					 "node's nodes (numbers and ranges)", far);
	a->any = suspend || far;
	a->stay = suspend && strcmp(suspend, "stay") == 0;
	snprintf(a->far, sizeof(a->far), "%s", sorted ? sorted : "");
	free(sorted);
	return 0;
}

bool slurm_decide(const struct slurm_asked *a, const char *site_far, char *far, size_t size, char *why,
		  size_t why_size)
{
	if (a->stay) {
		snprintf(why, why_size, "its job asked --numamove-suspend=stay");
		return true;
	}
	if (a->any && !site_far) {
		snprintf(why, why_size, "this node has no far nodes (numamoved.conf, slurm-far-nodes)");
		return true;
	}
	if (a->far[0] && out_of_far(a->far, site_far) != 0) {
		snprintf(why, why_size, "the far nodes it asked (%s) are not among this node's far nodes (%s)", a->far,
			 site_far);
		return true;
	}
	if (a->far[0])
		snprintf(far, size, "%s", a->far);
	return false;
}

/* Whether cgroup directory @cg is @dir or below it. */
static bool cgroup_within(const char *cg, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(cg, dir, n) == 0 && (cg[n] == '\0' || cg[n] == '/');
}

/*
 * The caller of @m (in @c) is a process of Slurm job or step @spec, whose
 * group is @path: the kernel vouches for it. The caller's pid, as the bus
 * recorded it when it connected, is opened as a pidfd (in @ret_pidfd, for
 * the caller to keep or close), and the process it names now must be in
 * @path (or below it) and run with the uid the bus saw (real and
 * effective), both read with the pidfd held and checked alive after: a
 * pid reused by a process of another user's job is refused. Its ids in
 * @uid and @gid (real, effective, saved).
 */
static int caller_in_job(sd_bus_message *m, const char *spec, const char *path, struct caller *c, int *ret_pidfd,
			 unsigned int uid[3], unsigned int gid[3], sd_bus_error *error)
{
	char *cg = NULL;
	int pidfd, r;

	*ret_pidfd = -1;
	r = auth_caller(m, c);
	if (r < 0 || c->pid <= 0)
		return sd_bus_error_set(error, ERR_NOT_AUTHORIZED, "the caller's process cannot be told");
	pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	*ret_pidfd = pidfd;
	if (pidfd < 0 || numamove_cgroup_of(c->pid, &cg) < 0 || auth_process_ids(c->pid, uid, gid) < 0 ||
	    !pidfd_alive(pidfd) || !cgroup_within(cg, path))
		r = sd_bus_error_setf(error, ERR_NOT_AUTHORIZED, "the caller (pid %d) is not a task of slurm job %s "
				      "(its cgroup: %s)", (int)c->pid, spec, cg ? cg : "unknown");
	else if (uid[0] != c->uid || uid[1] != c->uid)
		r = sd_bus_error_setf(error, ERR_NOT_AUTHORIZED, "the caller (pid %d) is not the process that "
				      "connected (uid %u, its process's %u)", (int)c->pid, (unsigned int)c->uid, uid[0]);
	else
		r = 0;
	free(cg);
	return r;
}

/*
 * SlurmTaskStarted(step, options) -> warning: a task of the job, as it
 * starts, from the task itself. The kernel vouches for the claim: the
 * caller's pid, as the bus recorded it when it connected, is opened as a
 * pidfd, and the process it names now must be in the step's cgroup (or
 * below it) and run with the uid the bus saw (real and effective), both
 * read with the pidfd held and checked alive after: a pid reused by a
 * process of another user's job is refused. All it does is follow the
 * caller's own job: its options are its owner's to give.
 */
int method_slurm_task_started(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct daemon *d = userdata;
	struct slurm_state *s = d->slurm;
	struct slurm_asked asked;
	struct reg *r;
	struct reg_step *st = NULL;
	struct caller c;
	char *path = NULL, id[16], far[256] = "", why[512] = "", warning[600] = "";
	const char *spec, *dot;
	int pidfd = -1, ret;
	unsigned int uid[3] = { 0 }, gid[3] = { 0 };
	bool reg_changed = false;
	size_t len;

	ret = sd_bus_message_read(m, "s", &spec);
	if (ret < 0)
		return ret;
	ret = slurm_task_options(m, &asked, error);
	if (ret < 0 || sd_bus_error_is_set(error))
		return ret;
	dot = strchr(spec, '.');
	len = dot ? (size_t)(dot - spec) : 0;
	if (!dot || len >= sizeof(id) || strlen(dot + 1) >= sizeof(st->name))
		return step_error(-EINVAL, spec, error);
	ret = numamove_slurm_cgroup(spec, NULL, &path);
	if (ret < 0)
		return step_error(ret, spec, error);
	ret = caller_in_job(m, spec, path, &c, &pidfd, uid, gid, error);
	if (ret < 0)
		goto out;
	memcpy(id, spec, len);
	id[len] = '\0';
	r = reg_find(s, id);
	if (!r && s->n_regs >= MAX_REG_JOBS)
		reg_prune(s);
	if (!r && s->n_regs >= MAX_REG_JOBS) {
		ret = sd_bus_error_setf(error, ERR_TOO_MANY, "%d Slurm jobs followed already", MAX_REG_JOBS);
		goto out;
	}
	if (!r && !reg_room(s)) {
		ret = -ENOMEM;
		goto out;
	}
	if (!r) {
		r = reg_new(s, id);
		reg_changed = true;
	}
	/* What its latest step asked: a job's options are the same in all of them unless a step gave others. */
	reg_changed = reg_changed || memcmp(&r->asked, &asked, sizeof(asked)) != 0;
	r->asked = asked;
	r->seen = true;
	st = reg_step(r, dot + 1);
	if (st) {
		if (reg_task_add(st, pidfd, c.pid, uid[0], gid[0]))
			pidfd = -1;
		reg_step_watch(d, st, path, spec);
	}
	if (reg_changed)
		reg_save(s);
	/* What it asked, as it stands now: told to the task when it cannot be. */
	if (slurm_decide(&asked, d->cfg.slurm_far_nodes, far, sizeof(far), why, sizeof(why)) && !asked.stay &&
	    asked.any)
		snprintf(warning, sizeof(warning), "%s: while suspended, its memory stays where it is", why);
	/* Said once a step: its other tasks say the same. */
	log_at(st && st->tasks == 1 ? 6 : 7, "slurm job %s: task pid %d (uid %u) started%s%s%s%s", spec, (int)c.pid,
	       (unsigned int)c.uid, asked.stay || warning[0] ? "; while suspended it stays: " : "",
	       asked.stay || warning[0] ? why : "", far[0] ? "; its far nodes: " : "", far);
	ret = sd_bus_reply_method_return(m, "s", warning);
out:
	if (pidfd >= 0)
		close(pidfd);
	free(path);
	return ret;
}

/* SlurmStepEnded(step): slurmstepd's word (root) that a step ended; its tasks are forgotten. */
int method_slurm_step_ended(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct daemon *d = userdata;
	struct slurm_state *s = d->slurm;
	const char *spec, *dot;
	char id[16];
	struct reg *r;
	uid_t uid;
	size_t len;
	int ret = sd_bus_message_read(m, "s", &spec);

	if (ret < 0)
		return ret;
	if (auth_sender_uid(m, &uid) < 0 || uid != 0)
		return sd_bus_error_set(error, ERR_NOT_AUTHORIZED, "only slurmstepd (root) says a step ended");
	dot = strchr(spec, '.');
	len = dot ? (size_t)(dot - spec) : 0;
	if (!dot || len >= sizeof(id))
		return step_error(-EINVAL, spec, error);
	/* Its form as numamove_slurm_cgroup() checks it; the group itself may be gone already. */
	{
		char *path = NULL;

		ret = numamove_slurm_cgroup(spec, NULL, &path);
		free(path);
		if (ret == -EINVAL)
			return step_error(ret, spec, error);
	}
	memcpy(id, spec, len);
	id[len] = '\0';
	r = reg_find(s, id);
	for (unsigned int k = 0; r && k < r->n_steps; k++) {
		if (strcmp(r->steps[k].name, dot + 1) != 0)
			continue;
		log_info("slurm job %s: the step ended (%u tasks); forgotten", spec, r->steps[k].tasks);
		reg_step_clear(&r->steps[k]);
		memmove(&r->steps[k], &r->steps[k + 1], (r->n_steps - k - 1) * sizeof(r->steps[0]));
		r->n_steps--;
		break;
	}
	/* Its last step: the job goes (a suspended job's return needs no registration: its suspension record). */
	if (r && r->n_steps == 0) {
		reg_drop(s, r);
		reg_save(s);
	}
	return sd_bus_reply_method_return(m, "");
}

/*
 * Root's move of a Slurm job on all its nodes (numamove move --slurm-job
 * JOBID --all-nodes as root): Slurm lets only the job's owner start the
 * step whose tasks ask each node, so root's numamove hands them a MUNGE
 * credential, which munged on any node of the cluster decodes to the uid
 * that encoded it. It authorizes one request only: the one its payload
 * describes (front_slurm_credential_text(), written again here from what
 * came: the job, its owner, the options), asked by a process of that job
 * of that owner, once on each node (munged refuses a credential decoded
 * before on the same node, until munged restarts), within its time to live
 * (munged's, 5 minutes by default). Anything else is refused and moves
 * nothing.
 */
int slurm_credential_check(sd_bus_message *m, const struct target *t, size_t n, struct move_opts *o,
			   sd_bus_error *error)
{
#if HAVE_MUNGE
	char *want = NULL, *path = NULL;
	unsigned int ids[2][3];
	struct caller c;
	void *buf = NULL;
	munge_err_t e;
	uid_t uid;
	gid_t gid;
	int len = 0, r, pidfd = -1;
	bool same;

	if (n != 1 || t->kind != TARGET_SLURM_JOB || strchr(t->text, '.'))
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "option 'slurm-credential': only with one "
					"target, a whole Slurm job (slurm-job JOBID)");
	/*
	 * Only from a process of that very job, of its owner: the tasks of the
	 * step root's numamove started. Checked before munged is asked, so that
	 * no one else can keep numamoved waiting on it.
	 */
	r = numamove_slurm_cgroup(t->text, NULL, &path);
	if (r < 0) {
		free(path);
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "slurm job %s: %s", t->text, strerror(-r));
	}
	r = caller_in_job(m, t->text, path, &c, &pidfd, ids[0], ids[1], error);
	free(path);
	if (pidfd >= 0)
		close(pidfd);
	if (r < 0)
		return r;
	if (c.uid != t->owner)
		return sd_bus_error_setf(error, ERR_NOT_AUTHORIZED, "slurm job %s: option 'slurm-credential': the "
					 "caller, uid %u, is not the job's owner", t->text, (unsigned int)c.uid);
	r = front_slurm_credential_text(&(struct front_move_terms){
		.job = t->text, .owner = (unsigned int)c.uid, .to = o->to, .from = o->from, .policy = o->policy,
		.flags = o->flags,
		.engine = o->engine, .jobs = o->jobs, .max_stall_ms = o->max_stall_ms, .rate = o->rate,
		.priority = o->priority }, &want);
	if (r < 0)
		return r == -ENOMEM ? r : sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "a string holds a newline");
	e = munge_decode(o->credential, NULL, &buf, &len, &uid, &gid);
	same = e == EMUNGE_SUCCESS && buf && len == (int)strlen(want) && memcmp(buf, want, (size_t)len) == 0;
	free(buf);
	free(want);
	if (e != EMUNGE_SUCCESS)
		return sd_bus_error_setf(error, ERR_NOT_AUTHORIZED, "slurm job %s: option 'slurm-credential': %s",
					 t->text, munge_strerror(e));
	if (uid != 0)
		return sd_bus_error_setf(error, ERR_NOT_AUTHORIZED, "slurm job %s: option 'slurm-credential': uid "
					 "%u's, not root's", t->text, (unsigned int)uid);
	if (!same)
		return sd_bus_error_setf(error, ERR_NOT_AUTHORIZED, "slurm job %s: option 'slurm-credential': root "
					 "asked another move", t->text);
	o->by_root = true;
	return 0;
#else
	return sd_bus_error_set(error, ERR_NOT_AUTHORIZED, "option 'slurm-credential': numamoved was built "
				"without MUNGE");
#endif
}
