/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Slurm jobs found by their cgroup v2 group: numamove_slurm_cgroup() on a
 * made-up cgroup tree in a temporary directory laid out as slurmd's
 * cgroup/v2 plugin lays it out (Slurm 22.05), and the processes of a
 * group's subtree (nm_cgroup_tree_pids()), which the cgroup route counts.
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
	assert_int_equal(nm_cgroup_tree_pids(path, &pids, &n), 0);
	assert_int_equal(n, 4);
	qsort(pids, n, sizeof(*pids), cmp_pid);
	assert_int_equal(pids[0], 100);
	assert_int_equal(pids[1], 101);
	assert_int_equal(pids[2], 102);
	assert_int_equal(pids[3], 103);
	free(pids);
	/* A leaf: its own. */
	strcat(path, "/step_0/user/task_1");
	assert_int_equal(nm_cgroup_tree_pids(path, &pids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], 103);
	free(pids);
	/* Not a group (no cgroup.procs): the error of the group itself. */
	snprintf(path, sizeof(path), "%s/system.slice/ssh.service", t->root);
	assert_int_equal(nm_cgroup_tree_pids(path, &pids, &n), -ENOENT);
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
		assert_int_equal(nm_cgroup_tree_pids(path, &pids, &n), -EISDIR);
		put(path, "vcpu0/cgroup.type", "threaded\n");
		assert_int_equal(nm_cgroup_tree_pids(path, &pids, &n), 0);
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
		cmocka_unit_test(test_request),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
