/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Placements: the attribute's text form (parse and format, corrupt and
 * foreign values), and keeping one on a real file and directory (the
 * build directory's file system must have user.* attributes: ext4, xfs,
 * tmpfs 6.6+; skipped otherwise).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <numaif.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "test-helpers.h"

static struct numamove_placement *parse_ok(const char *text, const struct numamove_topology *topo)
{
	struct numamove_placement *p = NULL;
	int r = numamove_placement_parse(text, strlen(text), topo, &p);

	if (r != 0)
		fail_msg("parse \"%s\": %d (%s)", text, r, strerror(-r));
	return p;
}

static void assert_round_trip(const char *text, const struct numamove_topology *topo)
{
	struct numamove_placement *p = parse_ok(text, topo);
	char buf[NUMAMOVE_PLACEMENT_MAX];

	assert_int_equal(numamove_placement_format(p, buf, sizeof(buf)), (int)strlen(text));
	assert_string_equal(buf, text);
	numamove_placement_free(p);
}

static void assert_parse_err(const char *text, size_t len, const struct numamove_topology *topo, int want)
{
	struct numamove_placement *p = (struct numamove_placement *)(uintptr_t)0x1;
	int r = numamove_placement_parse(text, len, topo, &p);

	if (r != want)
		fail_msg("parse \"%.*s\": got %d, want %d", (int)len, text, r, want);
	assert_ptr_equal(p, (struct numamove_placement *)(uintptr_t)0x1);
}
#define assert_bad(text, topo, want) assert_parse_err(text, strlen(text), topo, want)

/* The text of @p, for comparing (a static buffer: one at a time). */
static const char *text_of(const struct numamove_placement *p)
{
	static char buf[NUMAMOVE_PLACEMENT_MAX];

	assert_true(numamove_placement_format(p, buf, sizeof(buf)) < (int)sizeof(buf));
	return buf;
}

static void test_text(void **state)
{
	struct numamove_topology *topo = load_topo("sys-4node");
	struct numamove_placement *p;

	(void)state;
	assert_round_trip("numamove-placement/1 policy=bind:2", topo);
	assert_round_trip("numamove-placement/1 policy=interleave:2-3 scope=directory", topo);
	assert_round_trip("numamove-placement/1 policy=default", topo);
	assert_round_trip("numamove-placement/1 policy=bind=static:1", topo);
	/* the default scope is not written back; a trailing NUL or newline is the attribute's own */
	p = parse_ok("numamove-placement/1 policy=preferred:3 scope=tree", topo);
	assert_int_equal(numamove_placement_flags(p), 0);
	assert_int_equal(numamove_policy_mode(numamove_placement_policy(p)), NUMAMOVE_POLICY_MODE_PREFERRED);
	assert_true(numamove_placement_wants_node(p, 3));
	assert_false(numamove_placement_wants_node(p, 0));
	numamove_placement_free(p);
	assert_int_equal(numamove_placement_parse("numamove-placement/1 policy=bind:2\n", 35, topo, &p), 0);
	numamove_placement_free(p);
	assert_int_equal(numamove_placement_parse("numamove-placement/1 policy=bind:2\0", 35, topo, &p), 0);
	numamove_placement_free(p);
	/* version 2: read ahead at open; written as 1 without it, so that older readers read it */
	assert_round_trip("numamove-placement/2 policy=bind:2 open=read-ahead", topo);
	assert_round_trip("numamove-placement/2 policy=interleave:2-3 scope=directory open=read-ahead", topo);
	p = parse_ok("numamove-placement/2 policy=bind:1 open=read-ahead scope=tree", topo);
	assert_int_equal(numamove_placement_flags(p), NUMAMOVE_PLACEMENT_F_READ_AHEAD);
	numamove_placement_free(p);
	assert_round_trip("numamove-placement/2 policy=bind:2 memory=locked", topo);
	assert_round_trip("numamove-placement/2 policy=bind:2 scope=directory open=read-ahead memory=locked", topo);
	p = parse_ok("numamove-placement/2 policy=bind:1 memory=locked", topo);
	assert_int_equal(numamove_placement_flags(p), NUMAMOVE_PLACEMENT_F_LOCK);
	numamove_placement_free(p);
	p = parse_ok("numamove-placement/2 policy=bind:1 open=normal memory=evictable", topo);
	assert_int_equal(numamove_placement_flags(p), 0);
	numamove_placement_free(p);
	p = parse_ok("numamove-placement/2 policy=bind:1 open=normal", topo);
	assert_int_equal(numamove_placement_flags(p), 0);
	assert_string_equal(text_of(p), "numamove-placement/1 policy=bind:1");
	numamove_placement_free(p);
	/* default names no node: every node is where it puts pages */
	p = parse_ok("numamove-placement/1 policy=default", topo);
	assert_true(numamove_placement_wants_node(p, 1));
	numamove_placement_free(p);

	/* corrupt, foreign or later values: told apart, never guessed */
	assert_bad("", topo, -EBADMSG);
	assert_bad("bind:2", topo, -EBADMSG);
	assert_bad("numamove-placement/1", topo, -EBADMSG);
	assert_bad("numamove-placement/1 ", topo, -EBADMSG);
	assert_bad("numamove-placement/1  policy=bind:2", topo, -EBADMSG);
	assert_bad("numamove-placement/1 policy=", topo, -EBADMSG);
	assert_bad("numamove-placement/1 policy=bind:2 policy=bind:3", topo, -EBADMSG);
	assert_bad("numamove-placement/1 policy=bogus:2", topo, -EBADMSG);
	assert_bad("numamove-placement/1 policy=bind:2 scope=everywhere", topo, -EBADMSG);
	assert_bad("numamove-placement/1 policy=bind:2 colour=blue", topo, -EBADMSG);
	assert_bad("numamove-placement/1 scope=directory", topo, -EBADMSG);
	assert_bad("numamove-placement/1 policy=bind=relative:0", topo, -EBADMSG);
	assert_bad("numamove-placement/10 policy=bind:2", topo, -EPROTONOSUPPORT);
	assert_bad("numamove-placement/3 policy=bind:2", topo, -EPROTONOSUPPORT);
	assert_bad("numamove-placement/x policy=bind:2", topo, -EPROTONOSUPPORT);
	assert_bad("numamove-placement/", topo, -EBADMSG);
	/* version 2 adds how a file is opened; version 1 does not know it */
	assert_bad("numamove-placement/1 policy=bind:2 open=read-ahead", topo, -EBADMSG);
	assert_bad("numamove-placement/2 policy=bind:2 open=sideways", topo, -EBADMSG);
	assert_bad("numamove-placement/2 open=read-ahead", topo, -EBADMSG);
	assert_bad("numamove-placement/1 policy=bind:2 memory=locked", topo, -EBADMSG);
	assert_bad("numamove-placement/2 policy=bind:2 memory=pinned", topo, -EBADMSG);
	assert_parse_err("numamove-placement/1 policy=bind:2\0x", 36, topo, -EBADMSG);
	/* a node this machine does not have: not corrupt, reported apart */
	assert_bad("numamove-placement/1 policy=bind:9", topo, -ENODEV);
	numamove_topology_free(topo);
}

static void test_new(void **state)
{
	struct numamove_policy *pol = NULL;
	struct numamove_placement *p = NULL;

	(void)state;
	assert_int_equal(numamove_policy_parse("bind=relative:0", NULL, &pol, NULL), 0);
	assert_int_equal(numamove_placement_new(pol, 0, &p), -EINVAL);
	numamove_policy_free(pol);
	assert_int_equal(numamove_policy_parse("bind:1", NULL, &pol, NULL), 0);
	assert_int_equal(numamove_placement_new(pol, 1u << 7, &p), -EINVAL);
	assert_int_equal(numamove_placement_new(pol, NUMAMOVE_PLACEMENT_F_DIRECTORY | NUMAMOVE_PLACEMENT_F_READ_AHEAD,
						&p), 0);
	numamove_policy_free(pol);
	/* the placement holds its own copy */
	assert_int_equal(numamove_policy_mode(numamove_placement_policy(p)), NUMAMOVE_POLICY_MODE_BIND);
	numamove_placement_free(p);
}

static void test_inherit(void **state)
{
	struct numamove_placement *dir = parse_ok("numamove-placement/1 policy=interleave:0-1 scope=directory", NULL);
	struct numamove_placement *tree = parse_ok("numamove-placement/1 policy=bind=static:1", NULL);
	struct numamove_placement *got = NULL, *again = NULL;

	(void)state;
	/* the scope belongs to directories: a file below gets the policy alone, a directory all of it */
	assert_int_equal(numamove_placement_inherit(dir, false, &got), 0);
	assert_string_equal(text_of(got), "numamove-placement/1 policy=interleave:0-1");
	assert_int_equal(numamove_placement_flags(got), 0);
	/* what a file gets is a placement a file may have */
	assert_int_equal(numamove_placement_inherit(got, false, &again), 0);
	assert_string_equal(text_of(again), "numamove-placement/1 policy=interleave:0-1");
	numamove_placement_free(again);
	numamove_placement_free(got);
	assert_int_equal(numamove_placement_inherit(dir, true, &got), 0);
	assert_string_equal(text_of(got), "numamove-placement/1 policy=interleave:0-1 scope=directory");
	assert_int_equal(numamove_placement_flags(got), NUMAMOVE_PLACEMENT_F_DIRECTORY);
	numamove_placement_free(got);
	/* read ahead at open goes down to files, and to directories with the scope */
	{
		struct numamove_placement *ra =
			parse_ok("numamove-placement/2 policy=bind:1 scope=directory open=read-ahead memory=locked", NULL);

		assert_int_equal(numamove_placement_inherit(ra, false, &got), 0);
		assert_string_equal(text_of(got), "numamove-placement/2 policy=bind:1 open=read-ahead memory=locked");
		numamove_placement_free(got);
		assert_int_equal(numamove_placement_inherit(ra, true, &got), 0);
		assert_int_equal(numamove_placement_flags(got), NUMAMOVE_PLACEMENT_F_DIRECTORY |
				 NUMAMOVE_PLACEMENT_F_READ_AHEAD | NUMAMOVE_PLACEMENT_F_LOCK);
		numamove_placement_free(got);
		numamove_placement_free(ra);
	}
	/* a tree's placement is the same below, flags included; the copy outlives the original */
	assert_int_equal(numamove_placement_inherit(tree, false, &got), 0);
	assert_int_equal(numamove_placement_inherit(tree, true, &again), 0);
	numamove_placement_free(tree);
	assert_string_equal(text_of(got), "numamove-placement/1 policy=bind=static:1");
	assert_string_equal(text_of(again), "numamove-placement/1 policy=bind=static:1");
	numamove_placement_free(again);
	numamove_placement_free(got);
	got = (struct numamove_placement *)(uintptr_t)0x1;
	assert_int_equal(numamove_placement_inherit(NULL, false, &got), -EINVAL);
	assert_int_equal(numamove_placement_inherit(dir, false, NULL), -EINVAL);
	assert_ptr_equal(got, (struct numamove_placement *)(uintptr_t)0x1);
	numamove_placement_free(dir);
}

/* The conformance of the placement @text to @maps: wanted and resident bytes, and the share. */
static void assert_conformance(const char *text, const struct numamove_maps *maps, uint64_t want_wanted,
			       uint64_t want_resident, double want_percent)
{
	struct numamove_placement *p = parse_ok(text, NULL);
	uint64_t wanted = 1, resident = 1;
	double percent = -1;

	assert_int_equal(numamove_placement_conformance(p, maps, &wanted, &resident, &percent), 0);
	if (wanted != want_wanted || resident != want_resident || percent < want_percent - 1e-9 ||
	    percent > want_percent + 1e-9)
		fail_msg("%s: %" PRIu64 " of %" PRIu64 " bytes (%.3f%%), want %" PRIu64 " of %" PRIu64 " (%.3f%%)",
			 text, wanted, resident, percent, want_wanted, want_resident, want_percent);
	/* every result is optional */
	assert_int_equal(numamove_placement_conformance(p, maps, NULL, NULL, NULL), 0);
	numamove_placement_free(p);
}

static void test_conformance(void **state)
{
	/* a file's page cache: 10 pages on node 0, 30 on node 1, 60 on node 2 */
	static const char file[] = "7f0000000000 default file=/data/f mapped=100 N0=10 N1=30 N2=60 "
				   "kernelpagesize_kB=4\n";
	/* mixed page sizes (a process's maps): each counts in its own, as bytes */
	static const char mixed[] = "7f0000000000 default file=/data/f mapped=4 N0=1 N1=3 kernelpagesize_kB=4\n"
				    "7f2000000000 default file=/huge/g huge mapped=2 N0=1 N3=1 "
				    "kernelpagesize_kB=2048\n";
	/* nothing resident: nothing astray */
	static const char none[] = "7f0000000000 default file=/data/e\n";
	struct numamove_maps *maps = NULL;
	struct numamove_placement *p = parse_ok("numamove-placement/1 policy=bind:0", NULL);
	uint64_t v = 7;

	(void)state;
	assert_int_equal(numamove_maps_parse(file, NULL, &maps), 0);
	assert_conformance("numamove-placement/1 policy=bind:1-2", maps, 90 * PAGE, 100 * PAGE, 90.0);
	assert_conformance("numamove-placement/1 policy=bind:0", maps, 10 * PAGE, 100 * PAGE, 10.0);
	assert_conformance("numamove-placement/1 policy=interleave:0,2", maps, 70 * PAGE, 100 * PAGE, 70.0);
	assert_conformance("numamove-placement/1 policy=preferred:1", maps, 30 * PAGE, 100 * PAGE, 30.0);
	/* a node that holds none of it wants none of it */
	assert_conformance("numamove-placement/1 policy=bind:3", maps, 0, 100 * PAGE, 0.0);
	/* default and local name no node: every page is where they put it; the scope changes nothing */
	assert_conformance("numamove-placement/1 policy=default", maps, 100 * PAGE, 100 * PAGE, 100.0);
	assert_conformance("numamove-placement/1 policy=local scope=directory", maps, 100 * PAGE, 100 * PAGE, 100.0);
	assert_conformance("numamove-placement/1 policy=bind:0-2 scope=directory", maps, 100 * PAGE, 100 * PAGE,
			   100.0);
	numamove_maps_free(maps);

	assert_int_equal(numamove_maps_parse(mixed, NULL, &maps), 0);
	assert_conformance("numamove-placement/1 policy=bind:0", maps, PAGE + HUGE_2M, 4 * PAGE + 2 * HUGE_2M,
			   100.0 * (double)(PAGE + HUGE_2M) / (double)(4 * PAGE + 2 * HUGE_2M));
	assert_conformance("numamove-placement/1 policy=bind:1,3", maps, 3 * PAGE + HUGE_2M,
			   4 * PAGE + 2 * HUGE_2M,
			   100.0 * (double)(3 * PAGE + HUGE_2M) / (double)(4 * PAGE + 2 * HUGE_2M));
	numamove_maps_free(maps);

	assert_int_equal(numamove_maps_parse(none, NULL, &maps), 0);
	assert_conformance("numamove-placement/1 policy=bind:1", maps, 0, 0, 100.0);
	assert_int_equal(numamove_placement_conformance(NULL, maps, &v, NULL, NULL), -EINVAL);
	assert_int_equal(numamove_placement_conformance(p, NULL, &v, NULL, NULL), -EINVAL);
	assert_int_equal(v, 7);
	numamove_maps_free(maps);
	numamove_placement_free(p);
}

/* A scratch directory in the build tree (its file system), removed after. */
struct scratch {
	char dir[64], sub[PATH_MAX], file[PATH_MAX], deep[PATH_MAX];
};

static int scratch_setup(void **state)
{
	struct scratch *s = calloc(1, sizeof(*s));

	snprintf(s->dir, sizeof(s->dir), "test-placement.XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(s->sub, sizeof(s->sub), "%s/sub", s->dir);
	snprintf(s->file, sizeof(s->file), "%s/file", s->dir);
	snprintf(s->deep, sizeof(s->deep), "%s/sub/deep", s->dir);
	if (mkdir(s->sub, 0700) < 0 || close(open(s->file, O_CREAT | O_WRONLY, 0600)) < 0 ||
	    close(open(s->deep, O_CREAT | O_WRONLY, 0600)) < 0)
		return -1;
	*state = s;
	return 0;
}

static int scratch_teardown(void **state)
{
	struct scratch *s = *state;

	unlink(s->deep);
	unlink(s->file);
	rmdir(s->sub);
	rmdir(s->dir);
	free(s);
	return 0;
}

static struct numamove_placement *placement_of(const char *text)
{
	return parse_ok(text, NULL);
}

static void set_on(const char *path, const char *text)
{
	struct numamove_placement *p = placement_of(text);
	int fd = open(path, O_RDONLY), r;

	assert_true(fd >= 0);
	r = numamove_placement_set(fd, p);
	if (r == -EOPNOTSUPP)
		skip();
	assert_int_equal(r, 0);
	close(fd);
	numamove_placement_free(p);
}

/* The placement that applies to @path, as text, and what carries it ("" for none). */
static void assert_found(const char *path, const char *want, const char *want_from)
{
	struct numamove_placement *p = NULL;
	char buf[NUMAMOVE_PLACEMENT_MAX], *from = NULL, *real;
	int r = numamove_placement_find(path, NULL, &p, &from);

	if (!want) {
		assert_int_equal(r, -ENODATA);
		return;
	}
	assert_int_equal(r, 0);
	numamove_placement_format(p, buf, sizeof(buf));
	assert_string_equal(buf, want);
	real = realpath(want_from, NULL);
	assert_non_null(real);
	assert_string_equal(from, real);
	free(real);
	free(from);
	numamove_placement_free(p);
}

static void test_keep(void **state)
{
	struct scratch *s = *state;
	struct numamove_placement *p = placement_of("numamove-placement/1 policy=bind:1 scope=directory"), *got = NULL;
	char raw[64];
	int fd = open(s->file, O_RDONLY), dfd = open(s->dir, O_RDONLY | O_DIRECTORY);

	assert_true(fd >= 0 && dfd >= 0);
	assert_int_equal(numamove_placement_get(fd, NULL, &got), -ENODATA);
	/* the directory scope belongs to directories */
	assert_int_equal(numamove_placement_set(fd, p), -ENOTDIR);
	numamove_placement_free(p);
	set_on(s->file, "numamove-placement/1 policy=bind:1");
	/* what is on disk is the documented text, in the documented attribute */
	assert_int_equal(fgetxattr(fd, NUMAMOVE_PLACEMENT_XATTR, raw, sizeof(raw)), 34);
	assert_memory_equal(raw, "numamove-placement/1 policy=bind:1", 34);
	assert_int_equal(numamove_placement_get(fd, NULL, &got), 0);
	assert_int_equal(numamove_policy_mode(numamove_placement_policy(got)), NUMAMOVE_POLICY_MODE_BIND);
	numamove_placement_free(got);
	/* a corrupt value written by hand: an error, not a placement */
	assert_int_equal(fsetxattr(fd, NUMAMOVE_PLACEMENT_XATTR, "bind:1", 6, 0), 0);
	assert_int_equal(numamove_placement_get(fd, NULL, &got), -EBADMSG);
	assert_int_equal(numamove_placement_clear(fd), 0);
	assert_int_equal(numamove_placement_get(fd, NULL, &got), -ENODATA);
	assert_int_equal(numamove_placement_clear(fd), 0); /* none: not an error */
	close(fd);
	close(dfd);
}

static void test_find(void **state)
{
	struct scratch *s = *state;
	int fd;

	assert_found(s->deep, NULL, NULL);
	/* a tree placement covers the files below it, the nearest one wins */
	set_on(s->dir, "numamove-placement/1 policy=bind:1");
	assert_found(s->file, "numamove-placement/1 policy=bind:1", s->dir);
	assert_found(s->deep, "numamove-placement/1 policy=bind:1", s->dir);
	set_on(s->sub, "numamove-placement/1 policy=interleave:0-1");
	assert_found(s->deep, "numamove-placement/1 policy=interleave:0-1", s->sub);
	/*
	 * a directory-only placement covers its own files, not those deeper
	 * down; a file gets its policy without the scope, a directory all of it
	 */
	set_on(s->dir, "numamove-placement/1 policy=preferred:1 scope=directory");
	assert_found(s->file, "numamove-placement/1 policy=preferred:1", s->dir);
	fd = open(s->sub, O_RDONLY | O_DIRECTORY);
	assert_int_equal(numamove_placement_clear(fd), 0);
	close(fd);
	assert_found(s->sub, "numamove-placement/1 policy=preferred:1 scope=directory", s->dir);
	set_on(s->sub, "numamove-placement/1 policy=interleave:0-1");
	fd = open(s->sub, O_RDONLY | O_DIRECTORY);
	assert_int_equal(numamove_placement_clear(fd), 0);
	close(fd);
	assert_found(s->deep, NULL, NULL);
	/* the file's own placement comes first */
	set_on(s->file, "numamove-placement/1 policy=bind:0");
	assert_found(s->file, "numamove-placement/1 policy=bind:0", s->file);
	assert_int_equal(numamove_placement_find(s->file, NULL, NULL, NULL), -EINVAL);
	{
		struct numamove_placement *p = NULL;

		assert_int_equal(numamove_placement_find("no-such-file", NULL, &p, NULL), -ENOENT);
		assert_int_equal(numamove_placement_find("/dev/null", NULL, &p, NULL), -EINVAL);
	}
}

/* The bytes of @fd's first @len in the page cache, measured here (mincore of our own mapping). */
static uint64_t resident(int fd, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = (len + page - 1) / page;
	unsigned char *vec = calloc(n, 1);
	void *addr = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	uint64_t in = 0;

	assert_non_null(vec);
	assert_true(addr != MAP_FAILED);
	assert_int_equal(mincore(addr, len, vec), 0);
	for (size_t i = 0; i < n; i++)
		in += (vec[i] & 1) ? page : 0;
	munmap(addr, len);
	free(vec);
	return in;
}

/* resident(), once the reads started have ended (mincore counts a page once it is read): up to 10 s. */
static uint64_t resident_settled(int fd, size_t len, uint64_t want)
{
	uint64_t in = 0;

	for (int i = 0; i < 1000 && (in = resident(fd, len)) < want; i++)
		usleep(10000);
	return in;
}

/* @path filled with @len bytes and its pages dropped from the page cache: open; -1 where they stay (tmpfs). */
static int evicted_file(const char *path, size_t len)
{
	int fd = open(path, O_RDWR);
	char *buf = malloc(len);

	assert_true(fd >= 0 && buf);
	memset(buf, 0x5a, len);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	free(buf);
	assert_int_equal(fsync(fd), 0);
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	if (resident(fd, len) > len / 2) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Read ahead under a placement: a file out of the page cache is in it
 * after the call (once the reads it started end), the
 * calling thread's own policy is as before, and a file wholly cached is
 * not read again. The node is the only one this machine has; the VM's
 * Debian case 54-placements checks that the pages are born on the
 * placement's node.
 */
static void test_read_ahead(void **state)
{
	struct scratch *s = *state;
	const size_t len = 32 << 20; /* above any device's read-ahead window: one WILLNEED would not read it all */
	struct numamove_placement *p = placement_of("numamove-placement/2 policy=bind:0 open=read-ahead");
	struct numamove_placement *none = placement_of("numamove-placement/1 policy=default");
	unsigned long mask[NM_MASK_WORDS] = { 0 };
	uint64_t bytes = 1;
	int fd = evicted_file(s->file, len), mode = -1;

	skip_without_numa_calls();
	if (fd < 0) {
		numamove_placement_free(p);
		numamove_placement_free(none);
		skip(); /* a file system whose pages cannot be dropped (tmpfs): nothing to read ahead */
	}
	/* the thread's own policy, put back after: preferred:0 */
	mask[0] = 1;
	assert_int_equal(set_mempolicy(MPOL_PREFERRED, mask, NM_MASK_BITS + 1), 0);

	assert_int_equal(numamove_placement_read_ahead(fd, p, len / 2, &bytes), 0);
	assert_true(bytes >= len / 2 - 16 * 4096 && bytes <= len / 2);
	assert_true(resident_settled(fd, len, len / 2 - 16 * 4096) >= len / 2 - 16 * 4096);
	assert_int_equal(numamove_placement_read_ahead(fd, p, 0, &bytes), 0);
	assert_true(bytes >= len / 2 - 16 * 4096 && bytes <= len);
	assert_int_equal(resident_settled(fd, len, len), len);
	/* wholly cached: nothing asked */
	assert_int_equal(numamove_placement_read_ahead(fd, p, 0, &bytes), 0);
	assert_int_equal(bytes, 0);
	memset(mask, 0, sizeof(mask));
	assert_int_equal(get_mempolicy(&mode, mask, NM_MASK_BITS + 1, NULL, 0), 0);
	assert_int_equal(mode, MPOL_PREFERRED);
	assert_int_equal(mask[0], 1);
	assert_int_equal(set_mempolicy(MPOL_DEFAULT, NULL, 0), 0);

	/* default names no node: nothing read; only regular files */
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	assert_int_equal(numamove_placement_read_ahead(fd, none, 0, &bytes), 0);
	assert_int_equal(bytes, 0);
	assert_true(resident(fd, len) <= len / 2);
	close(fd);
	fd = open(s->dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(numamove_placement_read_ahead(fd, p, 0, &bytes), -EINVAL);
	close(fd);
	assert_int_equal(numamove_placement_read_ahead(-1, p, 0, &bytes), -EINVAL);
	numamove_placement_free(p);
	numamove_placement_free(none);
}

/*
 * Locked in memory: the file's pages are all in the page cache once the
 * lock is made, and stay there when asked to go (POSIX_FADV_DONTNEED
 * drops clean pages that nothing locks); once it ends, they can go.
 */
static void test_lock(void **state)
{
	struct scratch *s = *state;
	const size_t len = 4 << 20;
	struct numamove_placement *p = placement_of("numamove-placement/2 policy=bind:0 memory=locked");
	struct numamove_locked *l = NULL;
	int fd = evicted_file(s->file, len), r;

	skip_without_numa_calls();
	if (fd < 0) {
		numamove_placement_free(p);
		skip(); /* a file system whose pages cannot be dropped (tmpfs) */
	}
	r = numamove_placement_lock(fd, p, 0, &l);
	if (r == -EAGAIN || r == -EPERM || r == -ENOMEM) {
		close(fd);
		numamove_placement_free(p);
		skip(); /* no CAP_IPC_LOCK and a small RLIMIT_MEMLOCK */
	}
	assert_int_equal(r, 0);
	assert_int_equal(numamove_locked_bytes(l), len);
	assert_int_equal(resident(fd, len), len);
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	assert_int_equal(resident(fd, len), len);
	numamove_locked_free(l);
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	assert_true(resident(fd, len) <= len / 2);
	/* at most max_bytes; none of a directory */
	assert_int_equal(numamove_placement_lock(fd, p, len / 4, &l), 0);
	assert_int_equal(numamove_locked_bytes(l), len / 4);
	numamove_locked_free(l);
	numamove_locked_free(NULL);
	close(fd);
	fd = open(s->dir, O_RDONLY | O_DIRECTORY);
	l = (struct numamove_locked *)(uintptr_t)0x1;
	assert_int_equal(numamove_placement_lock(fd, p, 0, &l), -EINVAL);
	assert_ptr_equal(l, (struct numamove_locked *)(uintptr_t)0x1);
	close(fd);
	numamove_placement_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_inherit),
		cmocka_unit_test(test_conformance),
		cmocka_unit_test_setup_teardown(test_keep, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_find, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_read_ahead, scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_lock, scratch_setup, scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
