/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Slurm jobs found by their cgroup v2 group: numamove_slurm_cgroup() on a
 * made-up cgroup tree in a temporary directory laid out as slurmd's
 * cgroup/v2 plugin lays it out (Slurm 22.05), the processes of a group's
 * subtree (numamove_cgroup_pids_below()), which the cgroup route counts,
 * and the node's job groups with their suspension (numamove_slurm_jobs_read(),
 * numamove_slurm_cgroup_frozen()) on a tree of their own.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-helpers.h"

struct tree {
	char root[64];
};

static void mkdirs(const char *root, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
			*p = '/';
		}
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
}

static void put(const char *root, const char *rel, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->root, sizeof(t->root), "/tmp/numamove-slurm-XXXXXX");
	if (!mkdtemp(t->root))
		return -1;
	mkdirs(t->root, "system.slice/slurmstepd.scope/system");
	mkdirs(t->root, "system.slice/slurmstepd.scope/job_42/step_0/slurm");
	mkdirs(t->root, "system.slice/slurmstepd.scope/job_42/step_0/user/task_0");
	mkdirs(t->root, "system.slice/slurmstepd.scope/job_42/step_0/user/task_1");
	mkdirs(t->root, "system.slice/slurmstepd.scope/job_42/step_batch/user/task_0");
	mkdirs(t->root, "system.slice/slurmstepd.scope/job_42/step_extern/user/task_special");
	mkdirs(t->root, "system.slice/slurmstepd.scope/job_42/step_interactive/user");
	mkdirs(t->root, "system.slice/node7_slurmstepd.scope/job_4294967293/step_4294967279");
	mkdirs(t->root, "system.slice/ssh.service");
	mkdirs(t->root, "system.slice/job_5");
	/* Not a directory: no job. */
	put(t->root, "system.slice/slurmstepd.scope/job_9", "");
	/* Processes in the leaves only, as cgroup v2 has them. */
	put(t->root, "system.slice/slurmstepd.scope/job_42/cgroup.procs", "");
	put(t->root, "system.slice/slurmstepd.scope/job_42/step_0/cgroup.procs", "");
	put(t->root, "system.slice/slurmstepd.scope/job_42/step_0/slurm/cgroup.procs", "100\n");
	put(t->root, "system.slice/slurmstepd.scope/job_42/step_0/user/cgroup.procs", "");
	put(t->root, "system.slice/slurmstepd.scope/job_42/step_0/user/task_0/cgroup.procs", "101\n102\n");
	put(t->root, "system.slice/slurmstepd.scope/job_42/step_0/user/task_1/cgroup.procs", "103\n");
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

/* @spec is found at @want below the root (NULL: -ENOENT). */
static void expect_found(const struct tree *t, const char *spec, const char *want)
{
	char *path = (char *)0x1, full[4096];
	int r = numamove_slurm_cgroup(spec, t->root, &path);

	if (!want) {
		assert_int_equal(r, -ENOENT);
		assert_ptr_equal(path, (char *)0x1); /* untouched */
		return;
	}
	assert_int_equal(r, 0);
	snprintf(full, sizeof(full), "%s/%s", t->root, want);
	assert_string_equal(path, full);
	free(path);
}

static void test_found(void **state)
{
	const struct tree *t = *state;

	expect_found(t, "42", "system.slice/slurmstepd.scope/job_42");
	expect_found(t, "42.0", "system.slice/slurmstepd.scope/job_42/step_0");
	expect_found(t, "42.batch", "system.slice/slurmstepd.scope/job_42/step_batch");
	expect_found(t, "42.extern", "system.slice/slurmstepd.scope/job_42/step_extern");
	expect_found(t, "42.interactive", "system.slice/slurmstepd.scope/job_42/step_interactive");
	/* A node-named scope (several slurmd on one host), and the largest ids. */
	expect_found(t, "4294967293", "system.slice/node7_slurmstepd.scope/job_4294967293");
	expect_found(t, "4294967293.4294967279",
		     "system.slice/node7_slurmstepd.scope/job_4294967293/step_4294967279");
}

static void test_not_here(void **state)
{
	const struct tree *t = *state;
	char *path = NULL;

	expect_found(t, "41", NULL);          /* no such job */
	expect_found(t, "42.1", NULL);        /* no such step */
	expect_found(t, "9", NULL);           /* a file, not a group */
	expect_found(t, "5", NULL);           /* job_5 outside slurmd's scope */
	expect_found(t, "4294967293.0", NULL);
	/* No system.slice at all, or no such root. */
	assert_int_equal(numamove_slurm_cgroup("42", "/nonexistent/numamove-test", &path), -ENOENT);
	assert_null(path);
}

static void test_bad_spec(void **state)
{
	static const char *const bad[] = {
		"", "x", "42x", "x42", "-42", "+42", " 42", "42 ", "42\n", "0", "00", "042", "0.0",
		"42.", ".0", ".", "42..0", "42.0.0", "42.x", "42.01", "42.-1", "42.+1", "42.Batch",
		"42.batch2", "42.bat", "42.0+1", "42+0", "42_1", "4294967294", "4294967295",
		"4294967296", "99999999999", "42.4294967280", "42.99999999999", "42/step_0",
		"../42", "42.0/..",
	};
	const struct tree *t = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = NULL;
		int r = numamove_slurm_cgroup(bad[i], t->root, &path);

		if (r != -EINVAL)
			fail_msg("'%s': %d, not -EINVAL", bad[i], r);
		assert_null(path);
	}
	assert_int_equal(numamove_slurm_cgroup(NULL, t->root, &(char *){ NULL }), -EINVAL);
	assert_int_equal(numamove_slurm_cgroup("42", t->root, NULL), -EINVAL);
}

static int cmp_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

/* A job's group holds no process itself: the route counts those of every group below it. */
static void test_tree_pids(void **state)
{
	const struct tree *t = *state;
	char path[4096];
	pid_t *pids = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/system.slice/slurmstepd.scope/job_42", t->root);
	assert_int_equal(numamove_cgroup_pids(path, &pids, &n), 0);
	assert_int_equal(n, 0);
	free(pids);
	pids = NULL;
	assert_int_equal(numamove_cgroup_pids_below(path, &pids, &n), 0);
	assert_int_equal(n, 4);
	qsort(pids, n, sizeof(*pids), cmp_pid);
	assert_int_equal(pids[0], 100);
	assert_int_equal(pids[1], 101);
	assert_int_equal(pids[2], 102);
	assert_int_equal(pids[3], 103);
	free(pids);
	/* A leaf: its own. */
	strcat(path, "/step_0/user/task_1");
	assert_int_equal(numamove_cgroup_pids_below(path, &pids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], 103);
	free(pids);
	/* Not a group (no cgroup.procs): the error of the group itself. */
	snprintf(path, sizeof(path), "%s/system.slice/ssh.service", t->root);
	assert_int_equal(numamove_cgroup_pids_below(path, &pids, &n), -ENOENT);
	/*
	 * A threaded child: the kernel refuses to read its cgroup.procs
	 * (EOPNOTSUPP; here a directory in its place, EISDIR): it is not read,
	 * its domain's list holds its processes.
	 */
	{
		char sub[4096 + 64];

		snprintf(path, sizeof(path), "%s/system.slice/slurmstepd.scope/job_42/step_0/user/task_1", t->root);
		snprintf(sub, sizeof(sub), "%s/vcpu0", path);
		assert_int_equal(mkdir(sub, 0755), 0);
		snprintf(sub, sizeof(sub), "%s/vcpu0/cgroup.procs", path);
		assert_int_equal(mkdir(sub, 0755), 0);
		assert_int_equal(numamove_cgroup_pids_below(path, &pids, &n), -EISDIR);
		put(path, "vcpu0/cgroup.type", "threaded\n");
		assert_int_equal(numamove_cgroup_pids_below(path, &pids, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(pids[0], 103);
		free(pids);
		snprintf(sub, sizeof(sub), "%s/vcpu0/cgroup.type", path);
		unlink(sub);
		snprintf(sub, sizeof(sub), "%s/vcpu0/cgroup.procs", path);
		rmdir(sub);
		snprintf(sub, sizeof(sub), "%s/vcpu0", path);
		rmdir(sub);
	}
}

static void test_pids_below_bad_args(void **state)
{
	const struct tree *t = *state;
	pid_t *pids = NULL;
	size_t n = 0;

	assert_int_equal(numamove_cgroup_pids_below(NULL, &pids, &n), -EINVAL);
	assert_int_equal(numamove_cgroup_pids_below(t->root, NULL, &n), -EINVAL);
	assert_int_equal(numamove_cgroup_pids_below(t->root, &pids, NULL), -EINVAL);
	assert_null(pids);
	assert_int_equal(numamove_cgroup_pids_below("/nonexistent/numamove-test", &pids, &n), -ENOENT);
	assert_null(pids);
}

/* A tree of job groups, each step's state as Slurm writes it, and names that are no job. */
static void jobs_tree(const char *root)
{
	static const char *const dirs[] = {
		/* 42: one step thawed, one frozen (a job is suspended when any step is). */
		"system.slice/slurmstepd.scope/job_42/step_0/user/task_0",
		"system.slice/slurmstepd.scope/job_42/step_batch/user",
		/* 43: thawed; a step without a user group (extern, or one not started). */
		"system.slice/slurmstepd.scope/job_43/step_0/user",
		"system.slice/slurmstepd.scope/job_43/step_extern",
		/* 44: no step yet. */
		"system.slice/slurmstepd.scope/job_44",
		/* 45: a cgroup.freeze that cannot be read (a directory: EISDIR). */
		"system.slice/slurmstepd.scope/job_45/step_0/user/cgroup.freeze",
		/* 46: a step that is no directory (ENOTDIR), made below. */
		"system.slice/slurmstepd.scope/job_46",
		/* A node-named scope (several slurmd on one host), the largest id. */
		"system.slice/node7_slurmstepd.scope/job_4294967293/step_4294967279/user",
		/* Not slurmd's scope: none of these is a job. */
		"system.slice/ssh.service/job_5",
		"system.slice/_slurmstepd.scope/job_6",
		"system.slice/slurmstepd.scope.d/job_7",
		"system.slice/slurmstepd.service/job_8",
		"job_10",
		/* Not a job's name. */
		"system.slice/slurmstepd.scope/job_",
		"system.slice/slurmstepd.scope/job_0",
		"system.slice/slurmstepd.scope/job_042",
		"system.slice/slurmstepd.scope/job_4294967294",
		"system.slice/slurmstepd.scope/job_99999999999",
		"system.slice/slurmstepd.scope/job_42x",
		"system.slice/slurmstepd.scope/job_-1",
		"system.slice/slurmstepd.scope/jobs_11",
		"system.slice/slurmstepd.scope/Job_12",
		"system.slice/slurmstepd.scope/system",
	};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		mkdirs(root, dirs[i]);
	put(root, "system.slice/slurmstepd.scope/job_42/step_0/user/cgroup.freeze", "0\n");
	put(root, "system.slice/slurmstepd.scope/job_42/step_batch/user/cgroup.freeze", "1\n");
	put(root, "system.slice/slurmstepd.scope/job_43/step_0/user/cgroup.freeze", "0\n");
	put(root, "system.slice/slurmstepd.scope/job_46/step_0", "");
	put(root, "system.slice/node7_slurmstepd.scope/job_4294967293/step_4294967279/user/cgroup.freeze", "1\n");
	/*
	 * 47: one step that cannot be read among thawed ones: unknown, whatever
	 * the order the directory lists them in (only a frozen step answers
	 * before the others are read).
	 */
	mkdirs(root, "system.slice/slurmstepd.scope/job_47/step_2/user/cgroup.freeze");
	for (int i = 0; i < 5; i++) {
		char rel[128];

		if (i == 2)
			continue;
		snprintf(rel, sizeof(rel), "system.slice/slurmstepd.scope/job_47/step_%d/user", i);
		mkdirs(root, rel);
		snprintf(rel, sizeof(rel), "system.slice/slurmstepd.scope/job_47/step_%d/user/cgroup.freeze", i);
		put(root, rel, "0\n");
	}
	/* Frozen steps of names that are no job: never read. */
	mkdirs(root, "system.slice/slurmstepd.scope/job_042/step_0/user");
	put(root, "system.slice/slurmstepd.scope/job_042/step_0/user/cgroup.freeze", "1\n");
	mkdirs(root, "system.slice/ssh.service/job_5/step_0/user");
	put(root, "system.slice/ssh.service/job_5/step_0/user/cgroup.freeze", "1\n");
	/* A file, not a group: no job. */
	put(root, "system.slice/slurmstepd.scope/job_9", "");
}

struct want_job {
	const char *id, *cgroup;
	int frozen;
};

static const struct want_job want_jobs[] = {
	{ "42", "system.slice/slurmstepd.scope/job_42", 1 },
	{ "43", "system.slice/slurmstepd.scope/job_43", 0 },
	{ "44", "system.slice/slurmstepd.scope/job_44", 0 },
	{ "45", "system.slice/slurmstepd.scope/job_45", -EISDIR },
	{ "46", "system.slice/slurmstepd.scope/job_46", -ENOTDIR },
	{ "47", "system.slice/slurmstepd.scope/job_47", -EISDIR },
	{ "4294967293", "system.slice/node7_slurmstepd.scope/job_4294967293", 1 },
};
#define N_WANT (sizeof(want_jobs) / sizeof(want_jobs[0]))

/* @jobs holds exactly want_jobs (in any order), each with its group's inode. */
static void expect_jobs(const char *root, const struct numamove_slurm_jobs *jobs)
{
	bool seen[N_WANT] = { false };

	assert_int_equal(numamove_slurm_jobs_count(jobs), N_WANT);
	for (size_t i = 0; i < numamove_slurm_jobs_count(jobs); i++) {
		const char *id = numamove_slurm_jobs_id(jobs, i);
		size_t k;
		char full[4096];
		struct stat st;

		assert_non_null(id);
		for (k = 0; k < N_WANT && strcmp(want_jobs[k].id, id) != 0; k++)
			;
		if (k == N_WANT)
			fail_msg("job '%s' listed", id);
		assert_false(seen[k]);
		seen[k] = true;
		snprintf(full, sizeof(full), "%s/%s", root, want_jobs[k].cgroup);
		assert_string_equal(numamove_slurm_jobs_cgroup(jobs, i), full);
		if (numamove_slurm_jobs_frozen(jobs, i) != want_jobs[k].frozen)
			fail_msg("job %s: frozen %d, not %d", id, numamove_slurm_jobs_frozen(jobs, i),
				 want_jobs[k].frozen);
		assert_int_equal(stat(full, &st), 0);
		assert_true(numamove_slurm_jobs_ino(jobs, i) == (uint64_t)st.st_ino);
		/* One group's own answer is the list's. */
		assert_int_equal(numamove_slurm_cgroup_frozen(full), want_jobs[k].frozen);
	}
	/* Out of range. */
	assert_null(numamove_slurm_jobs_id(jobs, N_WANT));
	assert_null(numamove_slurm_jobs_cgroup(jobs, N_WANT));
	assert_int_equal(numamove_slurm_jobs_frozen(jobs, N_WANT), -EINVAL);
	assert_true(numamove_slurm_jobs_ino(jobs, N_WANT) == 0);
}

static void test_jobs_read(void **state)
{
	char root[64], path[4096];
	struct numamove_slurm_jobs *jobs = NULL;

	(void)state;
	snprintf(root, sizeof(root), "/tmp/numamove-slurm-jobs-XXXXXX");
	assert_non_null(mkdtemp(root));
	jobs_tree(root);
	assert_int_equal(numamove_slurm_jobs_read(root, &jobs), 0);
	assert_int_equal(numamove_slurm_jobs_partial(jobs), 0);
	expect_jobs(root, jobs);
	numamove_slurm_jobs_free(jobs);
	jobs = NULL;

	/* Read anew each time: a resume and a suspension are seen. */
	put(root, "system.slice/slurmstepd.scope/job_42/step_batch/user/cgroup.freeze", "0\n");
	put(root, "system.slice/slurmstepd.scope/job_43/step_0/user/cgroup.freeze", "1\n");
	assert_int_equal(numamove_slurm_jobs_read(root, &jobs), 0);
	assert_int_equal(numamove_slurm_jobs_count(jobs), N_WANT);
	for (size_t i = 0; i < numamove_slurm_jobs_count(jobs); i++) {
		if (strcmp(numamove_slurm_jobs_id(jobs, i), "42") == 0)
			assert_int_equal(numamove_slurm_jobs_frozen(jobs, i), 0);
		if (strcmp(numamove_slurm_jobs_id(jobs, i), "43") == 0)
			assert_int_equal(numamove_slurm_jobs_frozen(jobs, i), 1);
	}
	numamove_slurm_jobs_free(jobs);
	jobs = NULL;
	put(root, "system.slice/slurmstepd.scope/job_42/step_batch/user/cgroup.freeze", "1\n");
	put(root, "system.slice/slurmstepd.scope/job_43/step_0/user/cgroup.freeze", "0\n");

	/*
	 * A scope that cannot be listed (root reads any directory: a file in
	 * its place, ENOTDIR): the list is partial, the other scopes' jobs in it.
	 */
	put(root, "system.slice/bad_slurmstepd.scope", "");
	assert_int_equal(numamove_slurm_jobs_read(root, &jobs), 0);
	assert_int_equal(numamove_slurm_jobs_partial(jobs), -ENOTDIR);
	expect_jobs(root, jobs);
	numamove_slurm_jobs_free(jobs);
	jobs = NULL;
	snprintf(path, sizeof(path), "%s/system.slice/bad_slurmstepd.scope", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(numamove_slurm_jobs_read(root, &jobs), 0);
	assert_int_equal(numamove_slurm_jobs_partial(jobs), 0);
	expect_jobs(root, jobs);
	numamove_slurm_jobs_free(jobs);
	jobs = NULL;

	/* The one-group call on what is no job group. */
	assert_int_equal(numamove_slurm_cgroup_frozen(NULL), -EINVAL);
	snprintf(path, sizeof(path), "%s/system.slice/slurmstepd.scope/job_41", root);
	assert_int_equal(numamove_slurm_cgroup_frozen(path), -ENOENT);
	snprintf(path, sizeof(path), "%s/system.slice/slurmstepd.scope/job_9", root);
	assert_int_equal(numamove_slurm_cgroup_frozen(path), -ENOTDIR);

	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	assert_int_equal(system(path), 0);
}

/* No system.slice is no job, a whole list; one that is no directory is a partial one. */
static void test_jobs_none(void **state)
{
	char root[64], path[4096];
	struct numamove_slurm_jobs *jobs = NULL;

	(void)state;
	assert_int_equal(numamove_slurm_jobs_read("/nonexistent/numamove-test", &jobs), 0);
	assert_int_equal(numamove_slurm_jobs_count(jobs), 0);
	assert_int_equal(numamove_slurm_jobs_partial(jobs), 0);
	numamove_slurm_jobs_free(jobs);
	jobs = NULL;
	snprintf(root, sizeof(root), "/tmp/numamove-slurm-jobs-XXXXXX");
	assert_non_null(mkdtemp(root));
	/* system.slice without slurmd's scope. */
	mkdirs(root, "system.slice/ssh.service");
	assert_int_equal(numamove_slurm_jobs_read(root, &jobs), 0);
	assert_int_equal(numamove_slurm_jobs_count(jobs), 0);
	assert_int_equal(numamove_slurm_jobs_partial(jobs), 0);
	numamove_slurm_jobs_free(jobs);
	jobs = NULL;
	snprintf(path, sizeof(path), "rm -rf '%s/system.slice'", root);
	assert_int_equal(system(path), 0);
	put(root, "system.slice", "");
	assert_int_equal(numamove_slurm_jobs_read(root, &jobs), 0);
	assert_int_equal(numamove_slurm_jobs_count(jobs), 0);
	assert_int_equal(numamove_slurm_jobs_partial(jobs), -ENOTDIR);
	numamove_slurm_jobs_free(jobs);
	jobs = NULL;
	assert_int_equal(numamove_slurm_jobs_read(root, NULL), -EINVAL);
	/* This machine's own cgroup v2 mount: read, whole or not. */
	assert_int_equal(numamove_slurm_jobs_read(NULL, &jobs), 0);
	numamove_slurm_jobs_free(jobs);
	numamove_slurm_jobs_free(NULL);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	assert_int_equal(system(path), 0);
}

/* The request target: the same parsing; a job on no node of ours is -ENOENT before anything runs. */
static void test_request(void **state)
{
	struct numamove_request_opts opts = { .sz = sizeof(opts) };
	struct numamove_request *req = NULL;

	(void)state;
	assert_int_equal(numamove_request_new(NUMAMOVE_ACTION_MOVE, &opts, &req), 0);
	assert_int_equal(numamove_request_add_slurm_job(req, "42x"), -EINVAL);
	assert_int_equal(numamove_request_add_slurm_job(req, NULL), -EINVAL);
	assert_int_equal(numamove_request_add_slurm_job(NULL, "42"), -EINVAL);
	/* This machine runs no slurmd (the largest id would be a very busy one). */
	assert_int_equal(numamove_request_add_slurm_job(req, "4294967293.4294967279"), -ENOENT);
	numamove_request_free(req);
	/* A group moves as a whole: not with a policy, as numamove_request_add_cgroup(). */
	req = NULL;
	assert_int_equal(numamove_request_new(NUMAMOVE_ACTION_MOVE, &opts, &req), 0);
	assert_int_equal(numamove_request_set_policy(req, "bind", NULL), 0);
	assert_int_equal(numamove_request_add_slurm_job(req, "42"), -EINVAL);
	numamove_request_free(req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_not_here),
		cmocka_unit_test(test_bad_spec),
		cmocka_unit_test(test_tree_pids),
		cmocka_unit_test(test_pids_below_bad_args),
		cmocka_unit_test(test_jobs_read),
		cmocka_unit_test(test_jobs_none),
		cmocka_unit_test(test_request),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
