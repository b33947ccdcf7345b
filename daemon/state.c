/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State on disk, so that a crash loses nothing: next-id, jobs/ID and
 * pins/ID under the state directory, each a small "key=value" file
 * written whole (temporary file, fsync, rename). Texts that may hold any
 * byte (paths, reports) are stored in hex. On start, queued and held jobs
 * come back queued, their processes found again by pid and start time (a
 * process whose start time differs is gone: that target is reported as
 * exited); a job that was running is interrupted, with what had moved;
 * finished jobs stay listed until their time is up.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "front.h"
#include "numamoved.h"

static int dir_fd = -1;
/* This boot's id: a pid and start time name a process of this boot only. */
static char boot_id[40];

int state_open(struct daemon *d)
{
	FILE *b = fopen("/proc/sys/kernel/random/boot_id", "re");

	if (!b || !fgets(boot_id, sizeof(boot_id), b))
		boot_id[0] = '\0';
	else
		boot_id[strcspn(boot_id, "\n")] = '\0';
	if (b)
		fclose(b);
	if (mkdir(d->state_dir, 0700) < 0 && errno != EEXIST)
		return log_err("%s: %m", d->state_dir), -errno;
	dir_fd = open(d->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return log_err("%s: %m", d->state_dir), -errno;
	if ((mkdirat(dir_fd, "jobs", 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(dir_fd, "pins", 0700) < 0 && errno != EEXIST))
		return log_err("%s: cannot make jobs/ and pins/: %m", d->state_dir), -errno;
	return 0;
}

static void put_hex(FILE *f, const char *key, const char *text)
{
	if (!text)
		return;
	fprintf(f, "%s=", key);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		fprintf(f, "%02x", *p);
	fputc('\n', f);
}

static char *from_hex(const char *hex)
{
	size_t n = strlen(hex) / 2;
	char *s = malloc(n + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
			free(s);
			return NULL;
		}
		s[i] = (char)v;
	}
	s[n] = '\0';
	return s;
}

/* Writes @name (relative to the state directory) whole, or leaves the old one. */
static int write_atomic(const char *name, const char *data, size_t len)
{
	char tmp[128];
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
		r = -errno ? -errno : -EIO;
	close(fd);
	if (r == 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dir_fd, tmp, 0);
		log_err("cannot save %s: %s", name, strerror(-r));
	}
	return r;
}

/* Closes @f, the memstream of @buf and @len (known only once closed), and saves it as @sub/@id (jobs/, pins/). */
static int save_stream(const char *sub, uint32_t id, char **buf, size_t *len, FILE *f)
{
	char name[64];
	int r;

	snprintf(name, sizeof(name), "%s/%" PRIu32, sub, id);
	if (fclose(f) != 0) {
		free(*buf);
		return -ENOMEM;
	}
	r = write_atomic(name, *buf, *len);
	free(*buf);
	return r;
}

/* The file of job or pin @id, in @sub (jobs, pins). */
static void remove_saved(const char *sub, uint32_t id)
{
	char name[64];

	snprintf(name, sizeof(name), "%s/%" PRIu32, sub, id);
	unlinkat(dir_fd, name, 0);
}

/*
 * Ids are reserved on disk a block at a time, so that a submission costs
 * one fsync (its job file), not two; after a crash the rest of the block
 * is skipped, and no id is ever given twice.
 */
#define ID_BLOCK 64

int state_save_next_id(struct daemon *d)
{
	char buf[32];
	int n;

	if (d->next_id < d->reserved_id)
		return 0;
	d->reserved_id = d->next_id + ID_BLOCK;
	n = snprintf(buf, sizeof(buf), "%" PRIu32 "\n", d->reserved_id);
	return write_atomic("next-id", buf, (size_t)n);
}

/* Hex of @text, or "-" for none, as one word of a target line. */
static void put_word(FILE *f, const char *text)
{
	if (!text || !*text)
		fputc('-', f);
	for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++)
		fprintf(f, "%02x", *p);
}

/* A target, with what identified it when it was authorized: it must be the same one after a restart. */
static void put_target(FILE *f, const struct target *t)
{
	fprintf(f, "target=%s %d %" PRIu64 " %d ", target_kind_name(t->kind), (int)t->pid, t->starttime, t->value);
	put_word(f, t->text);
	fputc(' ', f);
	put_word(f, t->label);
	fprintf(f, " %" PRIu64 " %" PRIu64 " %u\n", t->key_a, t->key_b, (unsigned int)t->owner);
}

int state_save_job(struct daemon *d, const struct job *j)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	fprintf(f, "id=%" PRIu32 "\nowner=%u\npriority=%d\nsubmitted=%" PRIu64 "\nseq=%" PRIu64 "\nstate=%s\n"
		"bytes-done=%" PRIu64 "\nbytes-total=%" PRIu64 "\nexit-status=%d\nfinished=%" PRIu64 "\npin=%" PRIu32 "\n"
		"flags=%u\nengine=%d\njobs=%u\nrate=%" PRIu64 "\nmax-stall-ms=%u\noutput=%d%d%d%d\nprivileged=%d\n"
		"boot-id=%s\n",
		j->id, (unsigned int)j->owner, j->priority, j->submitted_us, j->seq, job_state_name(j->state),
		j->bytes_done, j->bytes_total, j->exit_status, j->finished_us, j->pin_id, j->opts.flags, j->opts.engine,
		j->opts.jobs, j->opts.rate, j->opts.max_stall_ms, j->opts.json, j->opts.bytes, j->opts.raw,
		j->opts.noheadings, j->privileged, boot_id);
	if (j->slurm_move)
		fprintf(f, "slurm-move=%d\n", j->slurm_move);
	put_hex(f, "to", j->opts.to);
	put_hex(f, "from", j->opts.from);
	put_hex(f, "policy", j->opts.policy);
	put_hex(f, "outcome", j->outcome);
	put_hex(f, "held", j->held);
	if (j->placement) {
		char text[NUMAMOVE_PLACEMENT_MAX];

		if (numamove_placement_format(j->placement, text, sizeof(text)) < (int)sizeof(text))
			put_hex(f, "placement", text);
	}
	if (job_done(j)) {
		put_hex(f, "report", j->report);
		put_hex(f, "out", j->output);
		put_hex(f, "err", j->diagnostics);
	}
	for (size_t i = 0; i < j->n_targets; i++)
		put_target(f, &j->targets[i]);
	return save_stream("jobs", j->id, &buf, &len, f);
}

void state_remove_job(struct daemon *d, uint32_t id)
{
	remove_saved("jobs", id);
}

int state_save_pin(struct daemon *d, const struct pin *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	fprintf(f, "id=%" PRIu32 "\nowner=%u\ninterval-ms=%u\nflags=%u\nchecks=%" PRIu64 "\ncorrections=%" PRIu64 "\n"
		"bytes-corrected=%" PRIu64 "\nprivileged=%d\nboot-id=%s\n", p->id, (unsigned int)p->owner, p->interval_ms,
		p->flags, p->checks, p->corrections, p->bytes_corrected, p->privileged, boot_id);
	put_hex(f, "to", p->nodes);
	put_target(f, &p->target);
	return save_stream("pins", p->id, &buf, &len, f);
}

void state_remove_pin(struct daemon *d, uint32_t id)
{
	remove_saved("pins", id);
}

/* ---- restoring */

static int kind_from_name(const char *name)
{
	for (int k = TARGET_PIDFD; k <= TARGET_SLURM_JOB; k++)
		if (strcmp(target_kind_name(k), name) == 0)
			return k;
	return -EINVAL;
}

static int parse_target(const char *value, struct target *t)
{
	char kind[16], text[2 * MAX_STRING + 2] = "", label[2 * MAX_STRING + 2] = "";
	unsigned int owner;
	int pid, k, n;

	*t = (struct target){ .fd = -1 };
	n = sscanf(value, "%15s %d %" SCNu64 " %d %8193s %8193s %" SCNu64 " %" SCNu64 " %u", kind, &pid, &t->starttime,
		   &t->value, text, label, &t->key_a, &t->key_b, &owner);
	/* Without the identity it had when it was authorized, it cannot be told from a replacement. */
	if (n < 9)
		return -EINVAL;
	t->owner = owner;
	k = kind_from_name(kind);
	if (k < 0)
		return k;
	t->kind = k;
	t->pid = pid;
	t->text = *text && strcmp(text, "-") != 0 ? from_hex(text) : NULL;
	t->label = *label && strcmp(label, "-") != 0 ? from_hex(label) : NULL;
	return 0;
}

/*
 * Finds @t again; false when it is gone: the pid names another process
 * now (or the machine rebooted, @same_boot false: a pid and start time
 * may name another process of another boot), or an object is not the one
 * authorized (another file at the path, another segment, another owner).
 */
static bool reopen_target(struct target *t, bool same_boot, char **why)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	uint64_t start, key_a = t->key_a, key_b = t->key_b;
	uid_t owner = t->owner;
	char *old_label = t->label;
	bool ok;

	t->label = NULL;
	if (t->kind == TARGET_PIDFD || t->kind == TARGET_CGROUP_OF) {
		if (!same_boot || proc_starttime(t->pid, &start) < 0 || start != t->starttime ||
		    (t->fd = (int)syscall(SYS_pidfd_open, t->pid, 0)) < 0 ||
		    proc_starttime(t->pid, &start) < 0 || start != t->starttime) {
			if (asprintf(why, "%s: exited while numamoved was stopped", old_label ? old_label : "?") < 0)
				*why = NULL;
			t->label = old_label;
			return false;
		}
	}
	ok = target_open(t, &error) >= 0;
	if (!ok && asprintf(why, "%s: %s", old_label ? old_label : "?", error.message ? error.message : "gone") < 0)
		*why = NULL;
	if (ok && (t->key_a != key_a || t->key_b != key_b || t->owner != owner)) {
		ok = false;
		if (asprintf(why, "%s: not the one it was (replaced, or another owner) since it was authorized",
			     old_label ? old_label : "?") < 0)
			*why = NULL;
	}
	sd_bus_error_free(&error);
	if (!ok) {
		free(t->label);
		t->label = old_label;
	} else {
		free(old_label);
	}
	return ok;
}

/* A job or a pin as read: the fields, moved into a real one. */
struct saved_job {
	struct job j;
	char state[16];
	char boot_id[40];
	bool have_owner; /* a file without its owner is not trusted: it would restore as root's */
	char *out, *err, *report;
	unsigned int interval_ms;
	uint64_t checks, corrections, bytes_corrected;
};

static void read_job_line(struct saved_job *s, char *line)
{
	struct job *j = &s->j;
	char *eq = strchr(line, '=');
	const char *k, *v;

	if (!eq)
		return;
	*eq = '\0';
	k = line;
	v = eq + 1;
	if (strcmp(k, "id") == 0)
		j->id = (uint32_t)strtoul(v, NULL, 10);
	else if (strcmp(k, "owner") == 0) {
		j->owner = (uid_t)strtoul(v, NULL, 10);
		s->have_owner = true;
	}
	else if (strcmp(k, "priority") == 0)
		j->priority = (int)strtol(v, NULL, 10);
	else if (strcmp(k, "submitted") == 0)
		j->submitted_us = strtoull(v, NULL, 10);
	else if (strcmp(k, "seq") == 0)
		j->seq = strtoull(v, NULL, 10);
	else if (strcmp(k, "state") == 0)
		snprintf(s->state, sizeof(s->state), "%s", v);
	else if (strcmp(k, "bytes-done") == 0)
		j->bytes_done = strtoull(v, NULL, 10);
	else if (strcmp(k, "bytes-total") == 0)
		j->bytes_total = strtoull(v, NULL, 10);
	else if (strcmp(k, "exit-status") == 0)
		j->exit_status = (int)strtol(v, NULL, 10);
	else if (strcmp(k, "finished") == 0)
		j->finished_us = strtoull(v, NULL, 10);
	else if (strcmp(k, "pin") == 0)
		j->pin_id = (uint32_t)strtoul(v, NULL, 10);
	else if (strcmp(k, "flags") == 0)
		j->opts.flags = (unsigned int)strtoul(v, NULL, 10);
	else if (strcmp(k, "engine") == 0)
		j->opts.engine = (int)strtol(v, NULL, 10);
	else if (strcmp(k, "jobs") == 0)
		j->opts.jobs = (unsigned int)strtoul(v, NULL, 10);
	else if (strcmp(k, "rate") == 0)
		j->opts.rate = strtoull(v, NULL, 10);
	else if (strcmp(k, "max-stall-ms") == 0)
		j->opts.max_stall_ms = (unsigned int)strtoul(v, NULL, 10);
	else if (strcmp(k, "output") == 0 && strlen(v) == 4) {
		j->opts.json = v[0] == '1';
		j->opts.bytes = v[1] == '1';
		j->opts.raw = v[2] == '1';
		j->opts.noheadings = v[3] == '1';
	} else if (strcmp(k, "to") == 0)
		j->opts.to = from_hex(v);
	else if (strcmp(k, "from") == 0)
		j->opts.from = from_hex(v);
	else if (strcmp(k, "policy") == 0)
		j->opts.policy = from_hex(v);
	else if (strcmp(k, "outcome") == 0)
		j->outcome = from_hex(v);
	else if (strcmp(k, "held") == 0)
		j->held = from_hex(v);
	else if (strcmp(k, "placement") == 0 && !j->placement) {
		char *text = from_hex(v);

		if (text)
			numamove_placement_parse(text, strlen(text), NULL, &j->placement);
		free(text);
	}
	else if (strcmp(k, "report") == 0)
		s->report = from_hex(v);
	else if (strcmp(k, "out") == 0)
		s->out = from_hex(v);
	else if (strcmp(k, "err") == 0)
		s->err = from_hex(v);
	else if (strcmp(k, "privileged") == 0)
		j->privileged = strcmp(v, "1") == 0;
	else if (strcmp(k, "slurm-move") == 0)
		j->slurm_move = strcmp(v, "1") == 0 ? SLURM_MOVE_OUT : strcmp(v, "2") == 0 ? SLURM_MOVE_BACK : 0;
	else if (strcmp(k, "boot-id") == 0)
		snprintf(s->boot_id, sizeof(s->boot_id), "%s", v);
	else if (strcmp(k, "interval-ms") == 0)
		s->interval_ms = (unsigned int)strtoul(v, NULL, 10);
	else if (strcmp(k, "checks") == 0)
		s->checks = strtoull(v, NULL, 10);
	else if (strcmp(k, "corrections") == 0)
		s->corrections = strtoull(v, NULL, 10);
	else if (strcmp(k, "bytes-corrected") == 0)
		s->bytes_corrected = strtoull(v, NULL, 10);
	else if (strcmp(k, "target") == 0 && j->n_targets < MAX_TARGETS) {
		struct target *nv = realloc(j->targets, (j->n_targets + 1) * sizeof(*nv));

		if (!nv)
			return;
		j->targets = nv;
		if (parse_target(v, &nv[j->n_targets]) == 0)
			j->n_targets++;
	}
}

static int read_saved(const char *name, struct saved_job *s)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -errno;
	}
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		read_job_line(s, line);
	}
	free(line);
	fclose(f);
	/* Fail closed: no owner, an unknown state (pins have none) or no target is no job. */
	if (s->state[0] && job_state_from_name(s->state) < 0)
		return -EINVAL;
	return s->j.id && s->have_owner && s->j.opts.to && s->j.n_targets ? 0 : -EINVAL;
}

static void saved_free(struct saved_job *s)
{
	targets_free(s->j.targets, s->j.n_targets);
	move_opts_clear(&s->j.opts);
	numamove_placement_free(s->j.placement);
	free(s->j.outcome);
	free(s->j.held);
	free(s->out);
	free(s->err);
	free(s->report);
}

static void add_line(char **field, const char *line)
{
	size_t a = *field ? strlen(*field) : 0;
	char *v = realloc(*field, a + strlen(line) + 12);

	if (!v)
		return;
	sprintf(v + a, "numamove: %s\n", line);
	*field = v;
}

/* Makes the job of @s live again, in its state after a restart. */
static void restore_job(struct daemon *d, struct saved_job *s)
{
	int st = job_state_from_name(s->state);
	char *gone = NULL;
	struct job *j;
	size_t n = 0;

	/* Targets gone while the daemon was away are reported as exited; the others still move. */
	for (size_t i = 0; i < s->j.n_targets; i++) {
		char *why = NULL;

		if (st != JOB_QUEUED && st != JOB_HELD) {
			s->j.targets[i].gone = true;
		} else if (reopen_target(&s->j.targets[i], s->boot_id[0] && strcmp(s->boot_id, boot_id) == 0, &why)) {
			n++;
		} else {
			s->j.targets[i].gone = true;
			add_line(&gone, why ? why : "a target is gone");
			free(why);
		}
	}
	j = job_new(d, s->j.owner, s->j.targets, s->j.n_targets, &s->j.opts);
	if (!j)
		return;
	s->j.targets = NULL;
	s->j.n_targets = 0;
	d->next_id--;
	j->id = s->j.id;
	snprintf(j->path, sizeof(j->path), OBJ_JOB_PREFIX "/%" PRIu32, j->id);
	j->priority = s->j.priority;
	j->submitted_us = s->j.submitted_us;
	j->seq = s->j.seq;
	j->pin_id = s->j.pin_id;
	j->placement = s->j.placement;
	s->j.placement = NULL;
	j->privileged = s->j.privileged;
	j->slurm_move = s->j.slurm_move;
	j->bytes_done = s->j.bytes_done;
	j->bytes_total = s->j.bytes_total;
	j->report = s->report;
	j->output = s->out;
	j->diagnostics = gone ? gone : s->err;
	if (gone)
		free(s->err);
	s->report = s->out = s->err = NULL;
	if (d->next_id <= j->id)
		d->next_id = j->id + 1;
	if (d->next_seq <= j->seq)
		d->next_seq = j->seq + 1;
	job_describe(j);
	if (st == JOB_RUNNING) {
		char a[32], b[32], line[256];

		snprintf(line, sizeof(line), "interrupted: numamoved stopped while it ran; %s of %s had moved",
			 size_to_human(j->bytes_done, a, sizeof(a)), size_to_human(j->bytes_total, b, sizeof(b)));
		add_line(&j->diagnostics, line);
		job_finish(j, JOB_INTERRUPTED, "interrupted", EXIT_ERROR);
	} else if ((st == JOB_QUEUED || st == JOB_HELD) && !n) {
		job_finish(j, JOB_FAILED, "exited", EXIT_ERROR);
	} else if (st >= JOB_DONE) {
		uint64_t age = now_us() > s->j.finished_us ? now_us() - s->j.finished_us : 0;
		uint64_t keep = (uint64_t)d->cfg.job_keep_s * 1000000ULL;

		j->state = st;
		j->exit_status = s->j.exit_status;
		j->outcome = s->j.outcome;
		s->j.outcome = NULL;
		j->finished_us = s->j.finished_us;
		job_keep(j, keep > age ? keep - age : 0);
	} else {
		log_job(6, j, "job %" PRIu32 " (%s): queued again after a restart", j->id, j->description);
		state_save_job(d, j);
	}
}

/* A pin comes back if its process (same pid and start time) or its cgroup is still there. */
static void restore_pin(struct daemon *d, struct saved_job *s)
{
	struct target *t = &s->j.targets[0];
	struct move_opts o = { .to = s->j.opts.to, .flags = s->j.opts.flags, .interval_ms = s->interval_ms };
	char *why = NULL;
	struct pin *p;

	if (!reopen_target(t, s->boot_id[0] && strcmp(s->boot_id, boot_id) == 0, &why)) {
		log_info("pin %" PRIu32 " dropped: %s", s->j.id, why ? why : "its target is gone");
		free(why);
		state_remove_pin(d, s->j.id);
		return;
	}
	p = pin_new(d, s->j.owner, t, &o);
	if (!p)
		return;
	d->next_id--;
	p->id = s->j.id;
	snprintf(p->path, sizeof(p->path), OBJ_PIN_PREFIX "/%" PRIu32, p->id);
	if (d->next_id <= p->id)
		d->next_id = p->id + 1;
	p->privileged = s->j.privileged;
	p->checks = s->checks;
	p->corrections = s->corrections;
	p->bytes_corrected = s->bytes_corrected;
	if (pin_start(p) < 0)
		pin_end(p, "it could not start again");
}

/* Reads every file of @sub (jobs, pins) and hands each to @restore. */
static int restore_dir(struct daemon *d, const char *sub, void (*restore)(struct daemon *, struct saved_job *))
{
	int fd = openat(dir_fd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!dir)
		return log_err("%s/%s: %m", d->state_dir, sub), -errno;
	while ((de = readdir(dir))) {
		struct saved_job s = { 0 };
		char name[300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%s/%s", sub, de->d_name);
		/* A temporary file is a write that never finished: the file it was to replace stands. */
		if (strchr(de->d_name, '.') || read_saved(name, &s) < 0) {
			log_warn("%s/%s: unreadable, removed", d->state_dir, name);
			unlinkat(dir_fd, name, 0);
		} else {
			restore(d, &s);
		}
		saved_free(&s);
	}
	closedir(dir);
	return 0;
}

/* A file of the state directory written whole (the placements' registry). */
int state_write_file(const char *name, const char *data, size_t len)
{
	return write_atomic(name, data, len);
}

/* A file of the state directory gone; 0 when there was none. */
int state_remove_file(const char *name)
{
	return unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
}

/* A file of the state directory, NUL-terminated, allocated; -ENOENT when there is none. */
int state_read_file(const char *name, char **ret)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = len + 65536);

			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return -EIO;
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

int state_restore(struct daemon *d)
{
	char buf[32];
	ssize_t n;
	int fd = openat(dir_fd, "next-id", O_RDONLY | O_CLOEXEC), r;

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			d->next_id = (uint32_t)strtoul(buf, NULL, 10);
		}
		if (!d->next_id)
			d->next_id = 1;
		d->reserved_id = d->next_id;
	}
	r = restore_dir(d, "jobs", restore_job);
	return r < 0 ? r : restore_dir(d, "pins", restore_pin);
}
