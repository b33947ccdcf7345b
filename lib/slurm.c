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
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
