/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numamove_maps_parse() on recorded and hand-written numa_maps and maps. */
#include "test-helpers.h"

/* The mapping starting at @start, or a test failure. */
static const struct numamove_mapping *find(const struct numamove_maps *maps, uint64_t start)
{
	for (size_t i = 0; i < numamove_maps_count(maps); i++) {
		const struct numamove_mapping *m = numamove_maps_get(maps, i);

		if (numamove_mapping_start(m) == start)
			return m;
	}
	fail_msg("no mapping at %#" PRIx64, start);
	return NULL;
}

static void check_pages(const struct numamove_mapping *m, uint64_t n0, uint64_t n1, uint64_t n2, uint64_t n3)
{
	assert_int_equal(numamove_mapping_pages(m, 0), n0);
	assert_int_equal(numamove_mapping_pages(m, 1), n1);
	assert_int_equal(numamove_mapping_pages(m, 2), n2);
	assert_int_equal(numamove_mapping_pages(m, 3), n3);
	assert_int_equal(numamove_mapping_pages(m, 4), 0);
	assert_int_equal(numamove_mapping_pages(m, 1000), 0);
	assert_int_equal(numamove_mapping_pages(m, -1), n0 + n1 + n2 + n3);
}

/* A `sleep` recorded on a one-node machine. */
static void test_recorded_sleep(void **state)
{
	struct numamove_maps *maps = load_maps("sleep");
	struct numamove_nodelist *nodes = NULL;
	const struct numamove_mapping *m;
	size_t shared = 0;

	assert_int_equal(numamove_maps_count(maps), 36);
	assert_null(numamove_maps_get(maps, 36));

	/* Hand-counted from data/sleep.numa_maps. */
	assert_int_equal(numamove_maps_bytes(maps, 0, NUMAMOVE_KIND_ANON), 16 * PAGE);
	assert_int_equal(numamove_maps_bytes(maps, 0, NUMAMOVE_KIND_FILE), 436 * PAGE);
	assert_int_equal(numamove_maps_bytes(maps, 0, NUMAMOVE_KIND_SHM), 0);
	assert_int_equal(numamove_maps_bytes(maps, 0, NUMAMOVE_KIND_HUGE), 0);
	assert_int_equal(numamove_maps_bytes(maps, 0, -1), 452 * PAGE);
	assert_int_equal(numamove_maps_bytes(maps, -1, -1), 452 * PAGE);
	assert_int_equal(numamove_maps_bytes(maps, 1, -1), 0);
	assert_int_equal(numamove_maps_nodes(maps, &nodes), 0);
	assert_list(nodes, 0);
	numamove_nodelist_free(nodes);

	m = numamove_maps_get(maps, 0);
	assert_int_equal(numamove_mapping_start(m), 0x560070197000);
	assert_int_equal(numamove_mapping_end(m), 0x560070199000);
	assert_string_equal(numamove_mapping_name(m), "/usr/bin/sleep");
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_FILE);
	assert_int_equal(numamove_mapping_pages(m, 0), 2);
	assert_false(numamove_mapping_shared(m));

	m = find(maps, 0x5600a138b000);
	assert_string_equal(numamove_mapping_name(m), "[heap]");
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_ANON);
	assert_int_equal(numamove_mapping_end(m), 0x5600a13ac000);
	assert_int_equal(numamove_mapping_pages(m, 0), 4);

	m = find(maps, 0x7fff2d33b000);
	assert_string_equal(numamove_mapping_name(m), "[stack]");
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_ANON);
	assert_int_equal(numamove_mapping_end(m), 0x7fff2d35c000);
	assert_int_equal(numamove_mapping_pages(m, -1), 4);

	/* [vvar]: nothing resident, no page size written. */
	m = find(maps, 0x7fbfcd345000);
	assert_string_equal(numamove_mapping_name(m), "[anon]");
	assert_int_equal(numamove_mapping_pages(m, -1), 0);
	assert_int_equal(numamove_mapping_page_size(m), PAGE);
	assert_int_equal(numamove_mapping_end(m), 0x7fbfcd349000);

	/* Every mapping is in maps, ends after it starts, and has the default policy. */
	for (size_t i = 0; i < numamove_maps_count(maps); i++) {
		m = numamove_maps_get(maps, i);
		assert_true(numamove_mapping_end(m) > numamove_mapping_start(m));
		assert_string_equal(numamove_mapping_policy(m), "default");
		assert_true(numamove_mapping_policy_is_default(m));
		assert_int_equal(numamove_mapping_page_size(m), PAGE);
		shared += numamove_mapping_shared(m);
	}
	/* Only gconv-modules.cache is mapped r--s. */
	assert_int_equal(shared, 1);
	m = find(maps, 0x7fbfcd33b000);
	assert_true(numamove_mapping_shared(m));
	assert_string_equal(numamove_mapping_name(m), "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache");
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_FILE);
	numamove_maps_free(maps);
}

/* Pages per node of data/multi.numa_maps, by kind. */
#define ANON_N0 (100 + 512 + 10 + 3 + 2 + 1 + 33)
#define ANON_N1 (200 + 256 + 10 + 4 + 2 + 1)
#define ANON_N2 (256 + 10 + 2)
#define ANON_N3 (10 + 2)
#define FILE_N0 6
#define FILE_N1 4
#define SHM_N0 1
#define SHM_N1 8
#define SHM_N2 5
#define SHM_N3 2
#define HUGE_N2 2
#define HUGE_N3 1

static void test_multi_bytes(void **state)
{
	struct numamove_maps *maps = load_maps("multi");
	struct numamove_nodelist *nodes = NULL;
	static const uint64_t anon[4] = { ANON_N0, ANON_N1, ANON_N2, ANON_N3 };
	static const uint64_t file[4] = { FILE_N0, FILE_N1, 0, 0 };
	static const uint64_t shm[4] = { SHM_N0, SHM_N1, SHM_N2, SHM_N3 };
	static const uint64_t huge[4] = { 0, 0, HUGE_N2, HUGE_N3 };
	uint64_t all_nodes[NUMAMOVE_KIND_COUNT] = { 0 }, all = 0;

	assert_int_equal(numamove_maps_count(maps), 15);
	for (int n = 0; n < 4; n++) {
		uint64_t node_total = (anon[n] + file[n] + shm[n]) * PAGE + huge[n] * HUGE_2M;

		assert_int_equal(numamove_maps_bytes(maps, n, NUMAMOVE_KIND_ANON), anon[n] * PAGE);
		assert_int_equal(numamove_maps_bytes(maps, n, NUMAMOVE_KIND_FILE), file[n] * PAGE);
		assert_int_equal(numamove_maps_bytes(maps, n, NUMAMOVE_KIND_SHM), shm[n] * PAGE);
		/* hugetlb pages count in their real size. */
		assert_int_equal(numamove_maps_bytes(maps, n, NUMAMOVE_KIND_HUGE), huge[n] * HUGE_2M);
		assert_int_equal(numamove_maps_bytes(maps, n, -1), node_total);
		all_nodes[NUMAMOVE_KIND_ANON] += anon[n] * PAGE;
		all_nodes[NUMAMOVE_KIND_FILE] += file[n] * PAGE;
		all_nodes[NUMAMOVE_KIND_SHM] += shm[n] * PAGE;
		all_nodes[NUMAMOVE_KIND_HUGE] += huge[n] * HUGE_2M;
		all += node_total;
	}
	/* The exact totals, written out once. */
	assert_int_equal(numamove_maps_bytes(maps, 0, -1), 2736128);
	assert_int_equal(numamove_maps_bytes(maps, 1, -1), 1986560);
	assert_int_equal(numamove_maps_bytes(maps, 2, -1), 5312512);
	assert_int_equal(numamove_maps_bytes(maps, 3, -1), 2154496);
	for (int k = 0; k < NUMAMOVE_KIND_COUNT; k++)
		assert_int_equal(numamove_maps_bytes(maps, -1, k), all_nodes[k]);
	assert_int_equal(numamove_maps_bytes(maps, -1, -1), all);
	assert_int_equal(numamove_maps_bytes(maps, 4, -1), 0);
	assert_int_equal(numamove_maps_bytes(maps, 100, -1), 0);
	assert_int_equal(numamove_maps_bytes(maps, 0, NUMAMOVE_KIND_COUNT), 0);

	assert_int_equal(numamove_maps_nodes(maps, &nodes), 0);
	assert_list(nodes, 0, 1, 2, 3);
	numamove_nodelist_free(nodes);
	numamove_maps_free(maps);
}

static void test_multi_mappings(void **state)
{
	struct numamove_maps *maps = load_maps("multi");
	const struct numamove_mapping *m;

	m = find(maps, 0x400000);
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_FILE);
	assert_string_equal(numamove_mapping_name(m), "/usr/bin/app");
	assert_int_equal(numamove_mapping_end(m), 0x40a000);
	assert_false(numamove_mapping_shared(m));
	check_pages(m, 6, 4, 0, 0);

	m = find(maps, 0x600000);
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_ANON);
	assert_string_equal(numamove_mapping_name(m), "[anon]");
	assert_string_equal(numamove_mapping_policy(m), "bind:0-1");
	assert_false(numamove_mapping_policy_is_default(m));
	check_pages(m, 100, 200, 0, 0);

	m = find(maps, 0x1000000);
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_ANON);
	assert_string_equal(numamove_mapping_name(m), "[heap]");
	assert_true(numamove_mapping_policy_is_default(m));
	assert_int_equal(numamove_mapping_end(m), 0x1400000);
	check_pages(m, 512, 256, 256, 0);

	m = find(maps, 0x7f0000000000);
	assert_string_equal(numamove_mapping_policy(m), "interleave:0-3");
	check_pages(m, 10, 10, 10, 10);

	/* hugetlb: 2 MiB pages, named with the escape undone. */
	m = find(maps, 0x7f0000200000);
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_HUGE);
	assert_string_equal(numamove_mapping_name(m), "/anon_hugepage (deleted)");
	assert_int_equal(numamove_mapping_page_size(m), HUGE_2M);
	assert_int_equal(numamove_mapping_end(m), 0x7f0000800000);
	assert_false(numamove_mapping_shared(m));
	check_pages(m, 0, 0, 2, 1);

	m = find(maps, 0x7f0000800000);
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_SHM);
	assert_string_equal(numamove_mapping_name(m), "/SYSV00000000 (deleted)");
	assert_true(numamove_mapping_shared(m));
	assert_int_equal(numamove_mapping_page_size(m), PAGE);
	check_pages(m, 0, 8, 0, 0);

	m = find(maps, 0x7f0000900000);
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_SHM);
	assert_string_equal(numamove_mapping_name(m), "/dev/shm/x");
	assert_string_equal(numamove_mapping_policy(m), "prefer:2");
	assert_true(numamove_mapping_shared(m));
	check_pages(m, 0, 0, 5, 0);

	/* Policies with a space are kept whole, and the rest of the line is still read. */
	m = find(maps, 0x7f0000a00000);
	assert_string_equal(numamove_mapping_policy(m), "prefer (many):0-1");
	assert_false(numamove_mapping_policy_is_default(m));
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_ANON);
	assert_int_equal(numamove_mapping_end(m), 0x7f0000a07000);
	check_pages(m, 3, 4, 0, 0);

	m = find(maps, 0x7f0000b00000);
	assert_string_equal(numamove_mapping_policy(m), "weighted interleave:0-3");
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_ANON);
	assert_int_equal(numamove_mapping_page_size(m), PAGE);
	check_pages(m, 2, 2, 2, 2);

	/* Nothing resident, and no line in maps: end unknown. */
	m = find(maps, 0x7f0000c00000);
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_FILE);
	assert_string_equal(numamove_mapping_name(m), "/usr/lib/libfoo.so");
	assert_int_equal(numamove_mapping_end(m), 0);
	assert_false(numamove_mapping_shared(m));
	assert_int_equal(numamove_mapping_page_size(m), PAGE);
	check_pages(m, 0, 0, 0, 0);

	/* Shared anonymous memory and memfd are shared memory too. */
	m = find(maps, 0x7f0000d00000);
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_SHM);
	assert_string_equal(numamove_mapping_name(m), "/dev/zero (deleted)");
	assert_true(numamove_mapping_shared(m));
	check_pages(m, 0, 0, 0, 2);

	m = find(maps, 0x7f0000e00000);
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_SHM);
	assert_string_equal(numamove_mapping_name(m), "/memfd:buf (deleted)");
	check_pages(m, 1, 0, 0, 0);

	m = find(maps, 0x7f0000f00000);
	assert_string_equal(numamove_mapping_policy(m), "bind=static:1");
	assert_false(numamove_mapping_policy_is_default(m));
	check_pages(m, 0, 1, 0, 0);

	/* "local" is a policy of its own, not the default. */
	m = find(maps, 0x7f0001000000);
	assert_string_equal(numamove_mapping_policy(m), "local");
	assert_false(numamove_mapping_policy_is_default(m));

	m = find(maps, 0x7ffd00000000);
	assert_string_equal(numamove_mapping_name(m), "[stack]");
	assert_int_equal(numamove_mapping_end(m), 0x7ffd00021000);
	check_pages(m, 33, 0, 0, 0);

	numamove_maps_free(maps);
}

/* One line parsed alone. */
static struct numamove_maps *parse1(const char *numa_maps, const char *maps_text)
{
	struct numamove_maps *maps = NULL;
	int r = numamove_maps_parse(numa_maps, maps_text, &maps);

	if (r < 0)
		fail_msg("parse \"%s\": %s", numa_maps, strerror(-r));
	return maps;
}

static void test_policy_default(void **state)
{
	static const struct {
		const char *line;
		const char *policy;
		bool is_default;
	} cases[] = {
		{ "1000 default anon=1 N0=1 kernelpagesize_kB=4", "default", true },
		{ "1000 default=static anon=1 N0=1 kernelpagesize_kB=4", "default=static", true },
		{ "1000 default=relative|balancing N0=1", "default=relative|balancing", true },
		{ "1000 defaults N0=1", "defaults", false },
		{ "1000 local N0=1", "local", false },
		{ "1000 bind=balancing:0-1 N0=1", "bind=balancing:0-1", false },
		{ "1000 prefer (many)=static:0-1 N0=1", "prefer (many)=static:0-1", false },
		{ "1000 interleave=relative:0-1 N0=1", "interleave=relative:0-1", false },
		{ "1000 prefer:1 N0=1", "prefer:1", false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct numamove_maps *maps = parse1(cases[i].line, NULL);
		const struct numamove_mapping *m = numamove_maps_get(maps, 0);

		assert_int_equal(numamove_maps_count(maps), 1);
		assert_string_equal(numamove_mapping_policy(m), cases[i].policy);
		assert_int_equal(numamove_mapping_policy_is_default(m), cases[i].is_default);
		assert_int_equal(numamove_mapping_pages(m, 0), 1);
		numamove_maps_free(maps);
	}
}

static void test_parse_details(void **state)
{
	struct numamove_maps *maps;
	const struct numamove_mapping *m;
	struct numamove_nodelist *nodes = NULL;

	/* Without maps text: ends unknown, nothing shared. */
	maps = parse1("7f0000000000 default file=/dev/shm/a\\040b\\134c dirty=3 N3=3 kernelpagesize_kB=4\n"
		      "7f0000100000 default file=/tmp/x\\011y N1=2 kernelpagesize_kB=4\n",
		      NULL);
	assert_int_equal(numamove_maps_count(maps), 2);
	m = numamove_maps_get(maps, 0);
	assert_string_equal(numamove_mapping_name(m), "/dev/shm/a b\\c");
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_SHM);
	assert_int_equal(numamove_mapping_end(m), 0);
	assert_false(numamove_mapping_shared(m));
	check_pages(m, 0, 0, 0, 3);
	m = numamove_maps_get(maps, 1);
	assert_string_equal(numamove_mapping_name(m), "/tmp/x\ty");
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_FILE);
	check_pages(m, 0, 2, 0, 0);
	/* Nodes holding memory, ascending, holes left out. */
	assert_int_equal(numamove_maps_nodes(maps, &nodes), 0);
	assert_list(nodes, 1, 3);
	numamove_nodelist_free(nodes);
	numamove_maps_free(maps);

	/* Names that merely look like shared memory are files. */
	maps = parse1("1000 default file=/dev/shmem N0=1 kernelpagesize_kB=4\n"
		      "2000 default file=/home/SYSV N0=1 kernelpagesize_kB=4\n", NULL);
	assert_int_equal(numamove_mapping_kind(numamove_maps_get(maps, 0)), NUMAMOVE_KIND_FILE);
	assert_int_equal(numamove_mapping_kind(numamove_maps_get(maps, 1)), NUMAMOVE_KIND_FILE);
	numamove_maps_free(maps);

	/* A 1 GiB hugetlb page. */
	maps = parse1("40000000 default file=/mnt/huge/f huge dirty=1 N1=1 kernelpagesize_kB=1048576", NULL);
	m = numamove_maps_get(maps, 0);
	assert_int_equal(numamove_mapping_kind(m), NUMAMOVE_KIND_HUGE);
	assert_int_equal(numamove_mapping_page_size(m), 1024 * MIB);
	assert_int_equal(numamove_maps_bytes(maps, 1, NUMAMOVE_KIND_HUGE), 1024 * MIB);
	assert_int_equal(numamove_maps_bytes(maps, 1, NUMAMOVE_KIND_FILE), 0);
	numamove_maps_free(maps);

	/* A high node id. */
	maps = parse1("1000 default anon=1 N63=7 kernelpagesize_kB=4", NULL);
	m = numamove_maps_get(maps, 0);
	assert_int_equal(numamove_mapping_pages(m, 63), 7);
	assert_int_equal(numamove_mapping_pages(m, 62), 0);
	assert_int_equal(numamove_maps_bytes(maps, 63, -1), 7 * PAGE);
	assert_int_equal(numamove_maps_nodes(maps, &nodes), 0);
	assert_list(nodes, 63);
	numamove_nodelist_free(nodes);
	numamove_maps_free(maps);

	/* The highest node a kernel can have is counted; an id above it is skipped. */
	maps = parse1("1000 default anon=3 N1023=2 N1024=1 kernelpagesize_kB=4", NULL);
	m = numamove_maps_get(maps, 0);
	assert_int_equal(numamove_mapping_pages(m, 1023), 2);
	assert_int_equal(numamove_mapping_pages(m, 1024), 0);
	assert_int_equal(numamove_maps_nodes(maps, &nodes), 0);
	assert_list(nodes, 1023);
	numamove_nodelist_free(nodes);
	numamove_maps_free(maps);

	/* Nothing at all. */
	maps = parse1("", "");
	assert_int_equal(numamove_maps_count(maps), 0);
	assert_null(numamove_maps_get(maps, 0));
	assert_int_equal(numamove_maps_bytes(maps, -1, -1), 0);
	assert_int_equal(numamove_maps_nodes(maps, &nodes), 0);
	assert_int_equal(numamove_nodelist_count(nodes), 0);
	numamove_nodelist_free(nodes);
	numamove_maps_free(maps);
	numamove_maps_free(NULL);
}

/*
 * A mapping interleaved over more nodes than 64: numa_maps writes one Nn=
 * entry per node holding pages, and Linux allows up to 1024 nodes.
 */
static void test_parse_many_nodes(void **state)
{
	char line[8192];
	struct numamove_maps *maps = NULL;
	struct numamove_nodelist *nodes = NULL;
	int len = snprintf(line, sizeof(line), "7f0000000000 interleave:0-79 anon=160 dirty=160");
	int r;

	for (int n = 0; n < 80; n++)
		len += snprintf(line + len, sizeof(line) - (size_t)len, " N%d=%d", n, n + 1);
	snprintf(line + len, sizeof(line) - (size_t)len, " kernelpagesize_kB=4\n");

	r = numamove_maps_parse(line, NULL, &maps);
	if (r < 0)
		fail_msg("a mapping on 80 nodes: %d (%s)", r, strerror(-r));
	assert_int_equal(numamove_mapping_pages(numamove_maps_get(maps, 0), 0), 1);
	assert_int_equal(numamove_mapping_pages(numamove_maps_get(maps, 0), 79), 80);
	assert_int_equal(numamove_mapping_pages(numamove_maps_get(maps, 0), -1), 80 * 81 / 2);
	assert_int_equal(numamove_maps_bytes(maps, 64, -1), 65 * PAGE);
	assert_int_equal(numamove_maps_nodes(maps, &nodes), 0);
	assert_int_equal(numamove_nodelist_count(nodes), 80);
	assert_int_equal(numamove_nodelist_get(nodes, 79), 79);
	numamove_nodelist_free(nodes);
	numamove_maps_free(maps);
}

static void test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"zzzz default N0=1",
		"1000",
		"1000 default\nxyz default N0=1\n",
		"1000x default N0=1",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct numamove_maps *maps = (struct numamove_maps *)(uintptr_t)0x1;

		assert_int_equal(numamove_maps_parse(bad[i], NULL, &maps), -EINVAL);
		assert_ptr_equal(maps, (struct numamove_maps *)(uintptr_t)0x1);
	}
}

static void test_kind_names(void **state)
{
	assert_string_equal(numamove_kind_name(NUMAMOVE_KIND_ANON), "anon");
	assert_string_equal(numamove_kind_name(NUMAMOVE_KIND_FILE), "file");
	assert_string_equal(numamove_kind_name(NUMAMOVE_KIND_SHM), "shm");
	assert_string_equal(numamove_kind_name(NUMAMOVE_KIND_HUGE), "huge");
	assert_null(numamove_kind_name(NUMAMOVE_KIND_COUNT));
	assert_null(numamove_kind_name((enum numamove_kind) - 1));
}

/*
 * The one /proc/PID/maps line parser (the engine, the object scan, the
 * policy rebind and the search for a syscall instruction all use it), on
 * recorded lines: fields, a path with spaces, no path, a cut line.
 */
static void test_maps_line(void **state)
{
	char *text = read_data("multi.maps");
	struct nm_maps_line l;
	size_t second = strcspn(text, "\n") + 1;

	assert_int_equal(nm_maps_line_parse(text, &l), 0);
	assert_int_equal(l.start, 0x400000);
	assert_int_equal(l.end, 0x40a000);
	assert_string_equal(l.perms, "r-xp");
	assert_int_equal(l.major, 0xfe);
	assert_int_equal(l.minor, 0);
	assert_int_equal(l.ino, 1234);
	assert_int_equal(l.path_len, strlen("/usr/bin/app"));
	assert_memory_equal(l.path, "/usr/bin/app", l.path_len);
	assert_int_equal(nm_maps_line_parse(text + second, &l), 0);
	assert_null(l.path);
	assert_int_equal(l.path_len, 0);

	assert_int_equal(nm_maps_line_parse("7ffc0000-7ffc2000 r-xp 00000000 00:00 0 [vdso]\n", &l), 0);
	assert_int_equal(l.perms[2], 'x');
	assert_int_equal(l.path_len, 6);
	assert_memory_equal(l.path, "[vdso]", 6);
	assert_int_equal(nm_maps_line_parse("1000-2000 rw-s 0 00:05 7 /dev/shm/a b (deleted)", &l), 0);
	assert_int_equal(l.perms[3], 's');
	assert_int_equal(l.path_len, strlen("/dev/shm/a b (deleted)"));
	assert_int_equal(nm_maps_line_parse("1000-2000 rw-p 0 00:05", &l), -EINVAL);
	assert_int_equal(nm_maps_line_parse("", &l), -EINVAL);
	free(text);
}

/* Which mappings are shared objects of their own, and which the process's memory. */
static void test_mapping_is_object(void **state)
{
	static const struct {
		const char *name;
		enum numamove_kind kind;
		bool shared, with_files, object;
	} cases[] = {
		{ "/SYSV00000000", NUMAMOVE_KIND_SHM, true, false, true },
		{ "/dev/shm/seg", NUMAMOVE_KIND_SHM, true, false, true },
		{ "/dev/shm/seg", NUMAMOVE_KIND_SHM, false, false, false },
		{ "/mnt/huge/f", NUMAMOVE_KIND_HUGE, true, false, true },
		{ "/memfd:buf (deleted)", NUMAMOVE_KIND_SHM, true, true, false },
		{ "/dev/zero (deleted)", NUMAMOVE_KIND_SHM, true, true, false },
		{ "/anon_hugepage (deleted)", NUMAMOVE_KIND_HUGE, true, true, false },
		{ "[heap]", NUMAMOVE_KIND_ANON, false, true, false },
		{ "/usr/lib/libc.so.6", NUMAMOVE_KIND_FILE, false, false, false },
		{ "/usr/lib/libc.so.6", NUMAMOVE_KIND_FILE, false, true, true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct numamove_mapping m = {
			.name = (char *)cases[i].name, .kind = cases[i].kind, .shared = cases[i].shared,
		};

		assert_int_equal(nm_mapping_is_object(&m, cases[i].with_files), cases[i].object);
	}
}

/* Which mappings are the process's own shared memory, moved with it through map_files. */
static void test_mapping_is_own_shared(void **state)
{
	static const struct {
		const char *name;
		enum numamove_kind kind;
		bool shared, own;
	} cases[] = {
		{ "/dev/zero (deleted)", NUMAMOVE_KIND_SHM, true, true },
		{ "/memfd:buf (deleted)", NUMAMOVE_KIND_SHM, true, true },
		{ "/anon_hugepage (deleted)", NUMAMOVE_KIND_HUGE, true, true },
		/* private: the process's own copy, moved as its memory */
		{ "/memfd:buf (deleted)", NUMAMOVE_KIND_FILE, false, false },
		{ "/anon_hugepage (deleted)", NUMAMOVE_KIND_HUGE, false, false },
		/* objects others may open by name or id: --with-shared */
		{ "/SYSV00000000", NUMAMOVE_KIND_SHM, true, false },
		{ "/dev/shm/seg", NUMAMOVE_KIND_SHM, true, false },
		{ "/dev/zero", NUMAMOVE_KIND_SHM, true, true },
		{ "/dev/zero-like", NUMAMOVE_KIND_SHM, true, false },
		{ "[anon]", NUMAMOVE_KIND_ANON, true, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct numamove_mapping m = {
			.name = (char *)cases[i].name, .kind = cases[i].kind, .shared = cases[i].shared,
		};

		assert_int_equal(nm_mapping_is_own_shared(&m), cases[i].own);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_sleep),
		cmocka_unit_test(test_multi_bytes),
		cmocka_unit_test(test_multi_mappings),
		cmocka_unit_test(test_policy_default),
		cmocka_unit_test(test_parse_details),
		cmocka_unit_test(test_parse_many_nodes),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_maps_line),
		cmocka_unit_test(test_mapping_is_object),
		cmocka_unit_test(test_mapping_is_own_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
