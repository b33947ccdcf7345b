/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared objects, the parts that need no second node: the SysV segment
 * list, the tmpfs and hugetlbfs mounts, policy text, and objects of this
 * process's own tmpfs files and regular files (any machine has node 0... or
 * at least one node: the tests ask where the pages are, not which node).
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-helpers.h"

static void test_shm_parse(void **state)
{
	char *text = read_data("sysvipc-shm");
	int *ids = NULL;
	size_t n = 0;

	assert_int_equal(nm_shm_parse(text, &ids, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 32769);
	assert_int_equal(ids[2], 131074);
	free(ids);
	free(text);

	/* The header alone: no segment. */
	ids = (int *)(uintptr_t)0x1;
	assert_int_equal(nm_shm_parse("       key      shmid perms\n", &ids, &n), 0);
	assert_int_equal(n, 0);
	assert_null(ids);

	/* Garbage is refused, the outputs untouched. */
	ids = (int *)(uintptr_t)0x1;
	n = 77;
	assert_int_equal(nm_shm_parse("key shmid\nnot numbers\n", &ids, &n), -EINVAL);
	assert_int_equal(nm_shm_parse("key shmid\n12 -3\n", &ids, &n), -EINVAL);
	assert_ptr_equal(ids, (int *)(uintptr_t)0x1);
	assert_int_equal(n, 77);
}

static void test_mountinfo(void **state)
{
	char *text = read_data("mountinfo");
	char **paths = NULL;
	size_t n = 0;

	assert_int_equal(nm_mountinfo_shmem(text, &paths, &n), 0);
	/* tmpfs and hugetlbfs only (not devtmpfs, not ramfs), each mount point once, unescaped. */
	assert_int_equal(n, 4);
	assert_string_equal(paths[0], "/dev/shm");
	assert_string_equal(paths[1], "/run");
	assert_string_equal(paths[2], "/mnt/huge");
	assert_string_equal(paths[3], "/mnt/with space");
	nm_strv_free(paths, n);
	free(text);

	assert_int_equal(nm_mountinfo_shmem("", &paths, &n), 0);
	assert_int_equal(n, 0);
	/* A line cut short is skipped, not misread. */
	assert_int_equal(nm_mountinfo_shmem("24 23 0:22 / /dev/shm\n", &paths, &n), 0);
	assert_int_equal(n, 0);
}

/* Bad paths: each with its own error, nothing returned. */
static void test_open_errors(void **state)
{
	struct numamove_object *obj = (struct numamove_object *)(uintptr_t)0x1;
	char dir[] = "/tmp/numamove-test-XXXXXX", fifo[4096];

	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(numamove_object_open("/nonexistent/file", &obj), -ENOENT);
	assert_int_equal(numamove_object_open(dir, &obj), -EISDIR);
	assert_int_equal(numamove_object_open(fifo, &obj), -EINVAL);
	assert_int_equal(numamove_object_open("/dev/null", &obj), -EINVAL);
	assert_int_equal(numamove_object_open_shm(-1, &obj), -ENOENT);
	assert_int_equal(numamove_object_open_shm(0x7ffffff0, &obj), -ENOENT);
	assert_int_equal(numamove_object_open_shm_key(0, &obj), -EINVAL);
	assert_ptr_equal(obj, (struct numamove_object *)(uintptr_t)0x1);
	unlink(fifo);
	rmdir(dir);
}

/*
 * A regular file with some pages cached and a hole: only the resident
 * pages are counted, the hole stays a hole, and the file keeps no policy.
 */
static void test_regular_file(void **state)
{
	/* In the build directory: /tmp may be a tmpfs. */
	char path[] = "numamove-test-XXXXXX";
	int fd = mkstemp(path);
	struct numamove_object *obj = NULL, *again = NULL;
	long ps = sysconf(_SC_PAGESIZE);
	char *buf = calloc(1, (size_t)ps);
	struct stat st;

	assert_true(fd >= 0);
	memset(buf, 'x', (size_t)ps);
	/* Pages 0 and 2 written (cached), page 1 a hole, page 3 a hole at the end. */
	assert_int_equal(pwrite(fd, buf, (size_t)ps, 0), ps);
	assert_int_equal(pwrite(fd, buf, (size_t)ps, 2 * ps), ps);
	assert_int_equal(ftruncate(fd, 4 * ps), 0);
	assert_int_equal(numamove_object_open(path, &obj), 0);
	if (numamove_object_type(obj) != NUMAMOVE_OBJECT_FILE)
		skip(); /* the build directory is on tmpfs */
	assert_string_equal(numamove_object_path(obj), path);
	assert_int_equal(numamove_object_size(obj), 4 * ps);
	assert_int_equal(numamove_object_page_size(obj), ps);
	assert_false(numamove_object_is_hugetlb(obj));
	assert_false(numamove_object_has_shared_policy(obj));
	assert_int_equal(numamove_object_shmid(obj), -1);
	assert_int_equal(numamove_object_load(obj), 0);
	assert_int_equal(numamove_object_pages(obj, -1), 2);
	assert_null(numamove_object_policy(obj));
	{
		struct numamove_policy *bind0 = NULL;

		assert_int_equal(numamove_policy_parse("bind:0", NULL, &bind0, NULL), 0);
		assert_int_equal(numamove_object_set_policy(obj, bind0), -EOPNOTSUPP);
		numamove_policy_free(bind0);
	}
	assert_int_equal(numamove_maps_count(numamove_object_maps(obj)), 1);
	assert_int_equal(numamove_mapping_kind(numamove_maps_get(numamove_object_maps(obj), 0)), NUMAMOVE_KIND_FILE);
	/* Still sparse: nothing was read into the holes, nothing allocated. */
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_blocks * 512 <= 2 * ps + 8192);
	assert_int_equal(numamove_object_open(path, &again), 0);
	assert_true(numamove_object_same(obj, again));
	numamove_object_free(again);
	numamove_object_free(obj);
	free(buf);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shm_parse),
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_regular_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
