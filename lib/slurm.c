/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Slurm jobs on this node, found by their cgroup v2 group. slurmd's
 * cgroup/v2 plugin (Slurm 22.05 and later) keeps every job of the node
 * under one systemd scope of its own,
 *
 *   <cgroup2>/system.slice/slurmstepd.scope/job_<ID>/step_<STEP>/{slurm,user/task_<N>}
 *
 * ("<node>_slurmstepd.scope" when several slurmd share a host), STEP a
 * number, "batch", "extern" or "interactive". A job moves as its group:
 * the cgroup route (cgroup.c), which reaches every step below it.
 *
 * A suspended job shows there too: Slurm 22.05's proctrack/cgroup freezes
 * a step through its cgroup plugin, which on cgroup v2 writes 1 to
 * cgroup.freeze of the step's "user" group (job_ID/step_N/user), and 0 on
 * resume. numamove_slurm_jobs_read() lists every job group of the node with
 * that state: a few directory reads and one small file a step, nothing per
 * process (numamoved does it every slurm-scan-ms).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Decimal digits, no sign, no leading zero, at most @max. */
static bool number(const char *s, size_t len, uint64_t max)
{
	uint64_t v = 0;

	if (len == 0 || len > 10 || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v <= max;
}

/* "JOBID" or "JOBID.STEP": *@job and *@step (NULL without) point into @spec; false when it is neither. */
static bool parse_spec(const char *spec, size_t *job_len, const char **step)
{
	static const char *const named[] = { "batch", "extern", "interactive" };
	const char *dot = strchr(spec, '.');
	size_t len = dot ? (size_t)(dot - spec) : strlen(spec);

	/* Job ids are 32-bit, 0 and the two highest being Slurm's "none" values. */
	if (spec[0] == '0' || !number(spec, len, 0xfffffffdULL))
		return false;
	*job_len = len;
	*step = NULL;
	if (!dot)
		return true;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strcmp(dot + 1, named[i]) == 0) {
			*step = dot + 1;
			return true;
		}
	/* Step numbers stop below Slurm's own special values (0xfffffff0 and up). */
	if (!number(dot + 1, strlen(dot + 1), 0xffffffefULL))
		return false;
	*step = dot + 1;
	return true;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* slurmd's scope: "slurmstepd.scope", or "<node>_slurmstepd.scope". */
static bool stepd_scope(const char *name)
{
	static const char suffix[] = "_slurmstepd.scope";
	size_t len = strlen(name);

	return strcmp(name, "slurmstepd.scope") == 0 ||
	       (len > sizeof(suffix) - 1 && strcmp(name + len - (sizeof(suffix) - 1), suffix) == 0);
}

NM_EXPORT int numamove_slurm_cgroup(const char *spec, const char *root, char **ret_path)
{
	_cleanup_free_ char *mnt = NULL, *slice = NULL;
	const char *step;
	size_t job_len;
	struct dirent *de;
	DIR *dir;
	int r = -ENOENT;

	if (!spec || !ret_path || !parse_spec(spec, &job_len, &step))
		return -EINVAL;
	if (!root) {
		r = nm_cgroup2_mount(&mnt);
		if (r < 0)
			return r;
		root = mnt;
		r = -ENOENT;
	}
	if (asprintf(&slice, "%s/system.slice", root) < 0)
		return -ENOMEM;
	dir = opendir(slice);
	if (!dir)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	while (r == -ENOENT && (de = readdir(dir))) {
		char *path;

		if (!stepd_scope(de->d_name))
			continue;
		if ((step ? asprintf(&path, "%s/%s/job_%.*s/step_%s", slice, de->d_name, (int)job_len, spec, step)
			  : asprintf(&path, "%s/%s/job_%.*s", slice, de->d_name, (int)job_len, spec)) < 0) {
			r = -ENOMEM;
			break;
		}
		if (is_dir(path)) {
			*ret_path = path;
			r = 0;
		} else {
			free(path);
		}
	}
	closedir(dir);
	return r;
}

/* "ID" of a job group's directory name "job_ID": an id as numamove_slurm_cgroup() takes it. */
static bool job_name(const char *name)
{
	const char *id = name + 4;

	return strncmp(name, "job_", 4) == 0 && id[0] != '0' && number(id, strlen(id), 0xfffffffdULL);
}

/*
 * The state of step group @step of the job group open as @dfd: its user
 * group's cgroup.freeze, 1 frozen, 0 thawed (or empty), -ENOENT when it has
 * none (ended, or no user group yet), another negative errno when it
 * cannot be read.
 */
static int step_frozen(int dfd, const char *step)
{
	char path[NAME_MAX + 32], buf[8];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/user/cgroup.freeze", step);
	fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	return n > 0 && buf[0] == '1';
}

/*
 * A job group is suspended when one of its steps' user groups is frozen
 * (Slurm wrote cgroup.freeze): 1 frozen, 0 thawed, a negative errno when it
 * cannot be told (a directory or a file that cannot be read for now). The
 * steps are read in the order the directory lists them, and the first that
 * says frozen or cannot be read gives the answer.
 */
static int job_frozen(DIR *dir)
{
	struct dirent *de;
	int r = 0;

	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			if (errno)
				r = -errno;
			break;
		}
		if (strncmp(de->d_name, "step_", 5) != 0)
			continue;
		r = step_frozen(dirfd(dir), de->d_name);
		if (r == -ENOENT) { /* a step that ended, or has no user group yet */
			r = 0;
			continue;
		}
		if (r != 0)
			break;
	}
	return r;
}

NM_EXPORT int numamove_slurm_cgroup_frozen(const char *path)
{
	DIR *dir;
	int r;

	if (!path)
		return -EINVAL;
	dir = opendir(path);
	if (!dir)
		return -errno;
	r = job_frozen(dir);
	closedir(dir);
	return r;
}

struct nm_slurm_job {
	char *id;
	char *cgroup;
	int frozen;
	uint64_t ino;
};

struct numamove_slurm_jobs {
	struct nm_slurm_job *v;
	size_t n, alloc;
	int partial; /* 0, or the negative errno of the first directory that could not be listed */
};

NM_EXPORT void numamove_slurm_jobs_free(struct numamove_slurm_jobs *jobs)
{
	if (!jobs)
		return;
	for (size_t i = 0; i < jobs->n; i++) {
		free(jobs->v[i].id);
		free(jobs->v[i].cgroup);
	}
	free(jobs->v);
	free(jobs);
}

static void jobs_freep(struct numamove_slurm_jobs **jobs)
{
	numamove_slurm_jobs_free(*jobs);
}

/*
 * Job group @name of scope directory @scope, added with its state; one that
 * is gone, or is no directory, is not. 0 or -ENOMEM.
 */
static int add_job(struct numamove_slurm_jobs *jobs, const char *scope, const char *name)
{
	_cleanup_free_ char *path = NULL, *id = NULL;
	struct nm_slurm_job *job;
	struct stat st;
	uint64_t ino = 0;
	DIR *dir;
	int fd, frozen, r;

	if (asprintf(&path, "%s/%s", scope, name) < 0)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0; /* gone between the listing and now, or not a group */
	if (fd < 0) {
		frozen = -errno;
	} else {
		if (fstat(fd, &st) == 0)
			ino = (uint64_t)st.st_ino;
		dir = fdopendir(fd);
		if (!dir) {
			frozen = -errno;
			close(fd);
		} else {
			frozen = job_frozen(dir);
			closedir(dir);
		}
	}
	if (frozen == -ENOENT)
		return 0;
	id = strdup(name + 4);
	if (!id)
		return -ENOMEM;
	r = nm_grow((void **)&jobs->v, &jobs->alloc, jobs->n + 1, sizeof(*jobs->v));
	if (r < 0)
		return r;
	job = &jobs->v[jobs->n++];
	job->id = TAKE_PTR(id);
	job->cgroup = TAKE_PTR(path);
	job->frozen = frozen;
	job->ino = ino;
	return 0;
}

/* A directory that cannot be listed whole: the first such error is kept. */
static void set_partial(struct numamove_slurm_jobs *jobs, int err)
{
	if (!jobs->partial)
		jobs->partial = -err;
}

/* The job groups of scope directory @scope. 0 or -ENOMEM; what cannot be listed makes the list partial. */
/* The next entry of @dir; NULL at its end, or on an error, which makes @jobs partial. */
static struct dirent *next_entry(DIR *dir, struct numamove_slurm_jobs *jobs)
{
	struct dirent *de;

	errno = 0;
	de = readdir(dir);
	if (!de && errno)
		set_partial(jobs, errno);
	return de;
}

static int read_scope(struct numamove_slurm_jobs *jobs, const char *scope)
{
	struct dirent *de;
	DIR *dir = opendir(scope);
	int r = 0;

	if (!dir) {
		if (errno != ENOENT) /* one that is gone has no job left; another error hides its jobs */
			set_partial(jobs, errno);
		return 0;
	}
	while (r == 0 && (de = next_entry(dir, jobs))) {
		if (job_name(de->d_name))
			r = add_job(jobs, scope, de->d_name);
	}
	closedir(dir);
	return r;
}

NM_EXPORT int numamove_slurm_jobs_read(const char *root, struct numamove_slurm_jobs **ret_jobs)
{
	_cleanup_(jobs_freep) struct numamove_slurm_jobs *jobs = NULL;
	_cleanup_free_ char *mnt = NULL, *slice = NULL;
	struct dirent *de;
	DIR *dir;
	int r = 0;

	if (!ret_jobs)
		return -EINVAL;
	jobs = calloc(1, sizeof(*jobs));
	if (!jobs)
		return -ENOMEM;
	if (!root) {
		r = nm_cgroup2_mount(&mnt);
		if (r == -ENOENT) { /* no cgroup v2: no job group either */
			*ret_jobs = TAKE_PTR(jobs);
			return 0;
		}
		if (r < 0)
			return r;
		root = mnt;
	}
	if (asprintf(&slice, "%s/system.slice", root) < 0)
		return -ENOMEM;
	dir = opendir(slice);
	if (!dir) {
		/* No system.slice: no job. Another error (EMFILE, ENOMEM, ENOTDIR): they cannot be told. */
		if (errno != ENOENT)
			set_partial(jobs, errno);
		*ret_jobs = TAKE_PTR(jobs);
		return 0;
	}
	while (r == 0 && (de = next_entry(dir, jobs))) {
		_cleanup_free_ char *scope = NULL;

		if (!stepd_scope(de->d_name))
			continue;
		if (asprintf(&scope, "%s/%s", slice, de->d_name) < 0)
			r = -ENOMEM;
		else
			r = read_scope(jobs, scope);
	}
	closedir(dir);
	if (r < 0)
		return r;
	*ret_jobs = TAKE_PTR(jobs);
	return 0;
}

NM_EXPORT size_t numamove_slurm_jobs_count(const struct numamove_slurm_jobs *jobs)
{
	return jobs->n;
}

NM_EXPORT int numamove_slurm_jobs_partial(const struct numamove_slurm_jobs *jobs)
{
	return jobs->partial;
}

NM_EXPORT const char *numamove_slurm_jobs_id(const struct numamove_slurm_jobs *jobs, size_t i)
{
	return i < jobs->n ? jobs->v[i].id : NULL;
}

NM_EXPORT const char *numamove_slurm_jobs_cgroup(const struct numamove_slurm_jobs *jobs, size_t i)
{
	return i < jobs->n ? jobs->v[i].cgroup : NULL;
}

NM_EXPORT int numamove_slurm_jobs_frozen(const struct numamove_slurm_jobs *jobs, size_t i)
{
	return i < jobs->n ? jobs->v[i].frozen : -EINVAL;
}

NM_EXPORT uint64_t numamove_slurm_jobs_ino(const struct numamove_slurm_jobs *jobs, size_t i)
{
	return i < jobs->n ? jobs->v[i].ino : 0;
}
