/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared objects, the parts that need no second node: the SysV segment
 * list, the tmpfs and hugetlbfs mounts, policy text, and objects of this
 * process's own tmpfs files and regular files (any machine has node 0... or
 * at least one node: the tests ask where the pages are, not which node).
 */
#include <fcntl.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

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

/* The parser the cgroup route uses too: any type, unescaped, in order, whatever the optional fields. */
static void test_mountinfo_points(void **state)
{
	static const char *const cgroup2[] = { "cgroup2", NULL }, *const none[] = { "xfs", NULL };
	char *text = read_data("mountinfo");
	char **paths = NULL;
	size_t n = 0;

	assert_int_equal(nm_mountinfo_points(text, cgroup2, &paths, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(paths[0], "/sys/fs/cgroup v2");
	assert_string_equal(paths[1], "/sys/fs/cgroup/unified");
	nm_strv_free(paths, n);
	assert_int_equal(nm_mountinfo_points(text, none, &paths, &n), 0);
	assert_int_equal(n, 0);
	nm_strv_free(paths, n);
	free(text);
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

/* Pages [0, n) of @fd that are in the page cache, as a bit per page (mincore(2) of a fresh mapping). */
static unsigned int cached_pages(int fd, size_t n)
{
	long ps = sysconf(_SC_PAGESIZE);
	unsigned char vec[32];
	unsigned int bits = 0;
	void *p;

	assert_true(n <= 32);
	p = mmap(NULL, n * (size_t)ps, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	assert_int_equal(mincore(p, n * (size_t)ps, vec), 0);
	for (size_t i = 0; i < n; i++)
		bits |= (vec[i] & 1u) << i;
	munmap(p, n * (size_t)ps);
	return bits;
}

/*
 * A regular file with some pages cached and a hole: only the resident
 * pages are counted, the hole stays a hole, and the file keeps no policy.
 */
static bool on_fs(const char *dir, long type);

static void test_regular_file(void **state)
{
	/* In the build directory, or /var/tmp: /tmp may be a tmpfs. */
	char path[4096];
	int fd;

	skip_without_numa_calls();
	if (!on_fs(".", TMPFS_MAGIC))
		snprintf(path, sizeof(path), "numamove-test-XXXXXX");
	else if (!on_fs("/var/tmp", TMPFS_MAGIC))
		snprintf(path, sizeof(path), "/var/tmp/numamove-test-XXXXXX");
	else {
		print_message("skipped: the build directory and /var/tmp are on tmpfs\n");
		skip();
	}
	fd = mkstemp(path);
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
	assert_int_equal(numamove_object_type(obj), NUMAMOVE_OBJECT_FILE);
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
	/* Nothing was read into the holes: they are not in the page cache. */
	assert_int_equal(cached_pages(fd, 4), 0x5);
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

/* A sparse file of 16 pages in @dir, pages 3 and 9 written, mode 0644; its path in @path. */
static int sparse_file(const char *dir, char *path, size_t size)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *buf = calloc(1, (size_t)ps);
	int fd;

	snprintf(path, size, "%s/numamove-test-XXXXXX", dir);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	memset(buf, 'y', (size_t)ps);
	assert_int_equal(ftruncate(fd, 16 * ps), 0);
	assert_int_equal(pwrite(fd, buf, (size_t)ps, 3 * ps), ps);
	assert_int_equal(pwrite(fd, buf, (size_t)ps, 9 * ps), ps);
	assert_int_equal(fchmod(fd, 0644), 0);
	free(buf);
	return fd;
}

static bool on_fs(const char *dir, long type)
{
	struct statfs sfs;

	return statfs(dir, &sfs) == 0 && sfs.f_type == type;
}

/* In a child as uid/gid 65534: what loading @path gives, and the pages found (-1: not loaded). */
static void load_as_nobody(const char *path, int *ret_r, long *ret_pages)
{
	int pipefd[2], status;
	long out[2] = { 0, -1 };
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct numamove_object *obj = NULL;
		long res[2] = { 0, -1 };

		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		res[0] = numamove_object_open(path, &obj);
		if (res[0] == 0)
			res[0] = numamove_object_load(obj);
		if (res[0] == 0)
			res[1] = (long)numamove_object_pages(obj, -1);
		numamove_object_free(obj);
		_exit(write(pipefd[1], res, sizeof(res)) == sizeof(res) ? 0 : 3);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], out, sizeof(out)), sizeof(out));
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	*ret_r = (int)out[0];
	*ret_pages = out[1];
}

/*
 * A file the caller may read but not write, whose owner it is not:
 * mincore(2) says every page is resident to it. A tmpfs file is read by
 * SEEK_DATA (its holes stay holes); a regular file is refused.
 */
static void test_not_writable_tmpfs(void **state)
{
	long ps = sysconf(_SC_PAGESIZE);
	char path[4096];
	struct stat before, after;
	long pages;
	int fd, r;

	skip_without_numa_calls();
	if (geteuid() != 0) {
		print_message("skipped: needs root, to make a file of another user\n");
		skip();
	}
	if (!on_fs("/dev/shm", TMPFS_MAGIC)) {
		print_message("skipped: /dev/shm is not a tmpfs\n");
		skip();
	}
	fd = sparse_file("/dev/shm", path, sizeof(path));
	assert_int_equal(fstat(fd, &before), 0);
	load_as_nobody(path, &r, &pages);
	assert_int_equal(r, 0);
	assert_int_equal(pages, 2);
	assert_int_equal(fstat(fd, &after), 0);
	assert_int_equal(after.st_blocks, before.st_blocks);
	assert_true(after.st_blocks * 512 <= 2 * ps);
	close(fd);
	unlink(path);
}

static void test_not_writable_regular(void **state)
{
	char path[4096];
	long pages;
	int fd, r;

	skip_without_numa_calls();
	if (geteuid() != 0) {
		print_message("skipped: needs root, to make a file of another user\n");
		skip();
	}
	if (on_fs("/var/tmp", TMPFS_MAGIC)) {
		print_message("skipped: /var/tmp is a tmpfs\n");
		skip();
	}
	fd = sparse_file("/var/tmp", path, sizeof(path));
	load_as_nobody(path, &r, &pages);
	assert_int_equal(r, -EACCES);
	assert_int_equal(cached_pages(fd, 16), (1u << 3) | (1u << 9));
	close(fd);
	unlink(path);
}

/* Whether @path is mapped in this process. */
static bool mapped_here(const char *path)
{
	char *text = NULL;
	bool found;

	assert_int_equal(nm_read_file(NULL, "/proc/self/maps", &text, NULL), 0);
	found = strstr(text, path) != NULL;
	free(text);
	return found;
}

/*
 * The policy of a tmpfs file set before it is loaded: set on all of it,
 * nothing left mapped, and on the file held, whatever its path names now.
 */
static void test_set_policy_unloaded(void **state)
{
	struct numamove_object *obj = NULL;
	struct numamove_policy *bind0 = NULL;
	char path[4096], moved[4200];
	int fd;

	skip_without_numa_calls();
	if (!on_fs("/dev/shm", TMPFS_MAGIC)) {
		print_message("skipped: /dev/shm is not a tmpfs\n");
		skip();
	}
	fd = sparse_file("/dev/shm", path, sizeof(path));
	snprintf(moved, sizeof(moved), "%s.moved", path);
	assert_int_equal(numamove_object_open(path, &obj), 0);
	assert_int_equal(numamove_object_type(obj), NUMAMOVE_OBJECT_TMPFS);
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(numamove_policy_parse("bind:0", NULL, &bind0, NULL), 0);
	assert_int_equal(numamove_object_set_policy(obj, bind0), 0);
	assert_false(mapped_here(moved));
	assert_int_equal(numamove_object_load(obj), 0);
	assert_string_equal(numamove_object_policy(obj), "bind:0");
	assert_int_equal(numamove_object_pages(obj, -1), 2);
	assert_true(mapped_here(moved));
	numamove_policy_free(bind0);
	numamove_object_free(obj);
	assert_false(mapped_here(moved));
	close(fd);
	unlink(moved);
}

/* The walk of the tmpfs mounts finds a file once, opened, as the file it is. */
static int count_walked(const char *path, struct numamove_object *obj, int error, void *userdata)
{
	const char *want = ((const char **)userdata)[0];
	int *n = ((int **)userdata)[1];

	if (error == 0 && strcmp(path, want) == 0) {
		assert_int_equal(numamove_object_type(obj), NUMAMOVE_OBJECT_TMPFS);
		(*n)++;
	}
	numamove_object_free(obj);
	return 0;
}

static void test_shmem_objects(void **state)
{
	char path[4096];
	int fd, n = 0;
	void *args[2] = { path, &n };

	if (!on_fs("/dev/shm", TMPFS_MAGIC)) {
		print_message("skipped: /dev/shm is not a tmpfs\n");
		skip();
	}
	fd = sparse_file("/dev/shm", path, sizeof(path));
	assert_int_equal(numamove_shmem_objects(count_walked, args), 0);
	assert_int_equal(n, 1);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shm_parse),
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_mountinfo_points),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_regular_file),
		cmocka_unit_test(test_not_writable_tmpfs),
		cmocka_unit_test(test_not_writable_regular),
		cmocka_unit_test(test_set_policy_unloaded),
		cmocka_unit_test(test_shmem_objects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
