/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numamove_topology_load() on recorded sysfs trees (tests/unit/data/sys-*). */
#include "test-helpers.h"

/* The test VM: nodes 0 and 1 with CPUs 0 and 1, nodes 2 and 3 memory-only. */
static void test_4node(void **state)
{
	struct numamove_topology *topo = load_topo("sys-4node");

	assert_list(numamove_topology_nodes(topo), 0, 1, 2, 3);
	for (int n = 0; n < 4; n++) {
		assert_true(numamove_topology_has_node(topo, n));
		assert_true(numamove_node_has_memory(topo, n));
	}
	assert_false(numamove_topology_has_node(topo, 4));
	assert_false(numamove_topology_has_node(topo, -1));

	assert_true(numamove_node_has_cpus(topo, 0));
	assert_true(numamove_node_has_cpus(topo, 1));
	assert_false(numamove_node_has_cpus(topo, 2));
	assert_false(numamove_node_has_cpus(topo, 3));
	assert_string_equal(numamove_node_cpulist(topo, 0), "0");
	assert_string_equal(numamove_node_cpulist(topo, 1), "1");
	assert_string_equal(numamove_node_cpulist(topo, 2), "");
	assert_string_equal(numamove_node_cpulist(topo, 3), "");
	assert_string_equal(numamove_node_cpulist(topo, 9), "");

	/* meminfo is in kB; the library gives bytes. */
	assert_int_equal(numamove_node_mem_total(topo, 0), UINT64_C(1015808) * KIB);
	assert_int_equal(numamove_node_mem_free(topo, 0), UINT64_C(524288) * KIB);
	assert_int_equal(numamove_node_mem_total(topo, 1), UINT64_C(1032192) * KIB);
	assert_int_equal(numamove_node_mem_free(topo, 1), UINT64_C(800000) * KIB);
	assert_int_equal(numamove_node_mem_total(topo, 2), UINT64_C(1048576) * KIB);
	assert_int_equal(numamove_node_mem_free(topo, 2), UINT64_C(1000000) * KIB);
	assert_int_equal(numamove_node_mem_total(topo, 3), UINT64_C(1048576) * KIB);
	assert_int_equal(numamove_node_mem_free(topo, 3), UINT64_C(1940) * KIB);
	assert_int_equal(numamove_node_mem_total(topo, 7), 0);
	assert_int_equal(numamove_node_mem_free(topo, 7), 0);

	/* Rows of the SLIT, not symmetric in their places. */
	static const int slit[4][4] = {
		{ 10, 20, 17, 28 },
		{ 20, 10, 28, 17 },
		{ 17, 28, 10, 28 },
		{ 28, 17, 28, 10 },
	};
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			assert_int_equal(numamove_node_distance(topo, i, j), slit[i][j]);
	assert_int_equal(numamove_node_distance(topo, 0, 4), -ENOENT);
	assert_int_equal(numamove_node_distance(topo, 4, 0), -ENOENT);

	/* Huge page pools per node and size; node 1 has none. */
	assert_int_equal(numamove_node_hugepages_free(topo, 0, 2 * MIB), 4);
	assert_int_equal(numamove_node_hugepages_free(topo, 0, 1024 * MIB), 0);
	assert_int_equal(numamove_node_hugepages_free(topo, 1, 2 * MIB), -ENOENT);
	assert_int_equal(numamove_node_hugepages_free(topo, 2, 2 * MIB), 16);
	assert_int_equal(numamove_node_hugepages_free(topo, 2, 1024 * MIB), -ENOENT);
	assert_int_equal(numamove_node_hugepages_free(topo, 3, 2 * MIB), 64);
	assert_int_equal(numamove_node_hugepages_free(topo, 3, 4 * KIB), -ENOENT);
	assert_int_equal(numamove_node_hugepages_free(topo, 8, 2 * MIB), -ENOENT);

	/* Internal: CPUs map back to their node. */
	assert_int_equal(nm_topology_cpu_node(topo, 0), 0);
	assert_int_equal(nm_topology_cpu_node(topo, 1), 1);
	assert_int_equal(nm_topology_cpu_node(topo, 2), -1);

	numamove_topology_free(topo);
}

/* Sparse ids 0,1,4,5; node 4 has CPUs and no memory. */
static void test_sparse(void **state)
{
	struct numamove_topology *topo = load_topo("sys-sparse");

	assert_list(numamove_topology_nodes(topo), 0, 1, 4, 5);
	assert_false(numamove_topology_has_node(topo, 2));
	assert_false(numamove_topology_has_node(topo, 3));
	assert_false(numamove_topology_has_node(topo, 6));
	assert_true(numamove_topology_has_node(topo, 4));

	assert_true(numamove_node_has_memory(topo, 0));
	assert_true(numamove_node_has_memory(topo, 1));
	assert_false(numamove_node_has_memory(topo, 4));
	assert_true(numamove_node_has_memory(topo, 5));
	assert_false(numamove_node_has_memory(topo, 2));
	for (int n = 0; n <= 5; n++)
		assert_int_equal(numamove_node_has_cpus(topo, n), n <= 1 || n >= 4);

	assert_string_equal(numamove_node_cpulist(topo, 0), "0-3");
	assert_string_equal(numamove_node_cpulist(topo, 1), "4-7");
	assert_string_equal(numamove_node_cpulist(topo, 4), "8-11");
	assert_string_equal(numamove_node_cpulist(topo, 5), "12-15,32");
	assert_int_equal(nm_topology_cpu_node(topo, 9), 4);
	assert_int_equal(nm_topology_cpu_node(topo, 32), 5);
	assert_int_equal(nm_topology_cpu_node(topo, 16), -1);

	assert_int_equal(numamove_node_mem_total(topo, 4), 0);
	assert_int_equal(numamove_node_mem_total(topo, 5), UINT64_C(4194304) * KIB);
	assert_int_equal(numamove_node_mem_free(topo, 5), UINT64_C(4000000) * KIB);
	assert_int_equal(numamove_node_mem_free(topo, 1), UINT64_C(1572864) * KIB);

	/* The distance rows are in the order of the online nodes, not by id. */
	assert_int_equal(numamove_node_distance(topo, 0, 1), 16);
	assert_int_equal(numamove_node_distance(topo, 0, 4), 22);
	assert_int_equal(numamove_node_distance(topo, 4, 5), 16);
	assert_int_equal(numamove_node_distance(topo, 5, 5), 10);
	assert_int_equal(numamove_node_distance(topo, 5, 1), 22);
	assert_int_equal(numamove_node_distance(topo, 0, 2), -ENOENT);
	assert_int_equal(numamove_node_distance(topo, 3, 0), -ENOENT);

	assert_int_equal(numamove_node_hugepages_free(topo, 5, 2 * MIB), 0);
	assert_int_equal(numamove_node_hugepages_free(topo, 0, 2 * MIB), -ENOENT);

	numamove_topology_free(topo);
}

/* Node 0 does not exist. */
static void test_no_node0(void **state)
{
	struct numamove_topology *topo = load_topo("sys-nonode0");

	assert_list(numamove_topology_nodes(topo), 1, 2);
	assert_false(numamove_topology_has_node(topo, 0));
	assert_false(numamove_node_has_memory(topo, 0));
	assert_false(numamove_node_has_cpus(topo, 0));
	assert_true(numamove_node_has_cpus(topo, 1));
	assert_false(numamove_node_has_cpus(topo, 2));
	assert_true(numamove_node_has_memory(topo, 2));
	assert_string_equal(numamove_node_cpulist(topo, 1), "0-1");
	assert_int_equal(nm_topology_cpu_node(topo, 0), 1);
	assert_int_equal(numamove_node_distance(topo, 1, 2), 21);
	assert_int_equal(numamove_node_distance(topo, 2, 2), 10);
	assert_int_equal(numamove_node_distance(topo, 0, 1), -ENOENT);
	assert_int_equal(numamove_node_mem_total(topo, 1), UINT64_C(524288) * KIB);
	assert_int_equal(numamove_node_mem_free(topo, 2), UINT64_C(524000) * KIB);
	assert_int_equal(numamove_node_hugepages_free(topo, 1, 2 * MIB), -ENOENT);
	numamove_topology_free(topo);
}

/* Without has_memory and has_cpu the state comes from meminfo and cpulist. */
static void test_no_state_files(void **state)
{
	struct numamove_topology *topo = load_topo("sys-nostate");

	assert_list(numamove_topology_nodes(topo), 0, 1);
	assert_true(numamove_node_has_memory(topo, 0));
	assert_true(numamove_node_has_cpus(topo, 0));
	assert_true(numamove_node_has_memory(topo, 1));
	assert_false(numamove_node_has_cpus(topo, 1));
	assert_int_equal(numamove_node_mem_total(topo, 1), UINT64_C(262144) * KIB);
	numamove_topology_free(topo);
}

static void test_missing_root(void **state)
{
	struct numamove_topology *topo = (struct numamove_topology *)(uintptr_t)0x1;

	/* A directory without sys/devices/system/node. */
	assert_int_equal(numamove_topology_load(DATA_DIR, &topo), -ENOENT);
	assert_ptr_equal(topo, (struct numamove_topology *)(uintptr_t)0x1);
	assert_int_equal(numamove_topology_load(DATA_DIR "/does-not-exist", &topo), -ENOENT);
	/* A sysroot that is a file. */
	assert_int_equal(numamove_topology_load(DATA_DIR "/sleep.maps", &topo), -ENOENT);
	assert_ptr_equal(topo, (struct numamove_topology *)(uintptr_t)0x1);
	numamove_topology_free(NULL);
}

/* The running system, whatever it is: skipped where sysfs has no nodes. */
static void test_running_system(void **state)
{
	struct numamove_topology *topo = NULL;
	const struct numamove_nodelist *nodes;
	int r = numamove_topology_load(NULL, &topo);
	bool any_memory = false;
	size_t count;

	if (r == -ENOENT) {
		print_message("skipped: no NUMA topology in /sys here\n");
		skip();
	}
	assert_int_equal(r, 0);
	nodes = numamove_topology_nodes(topo);
	assert_true(numamove_nodelist_count(nodes) >= 1);
	for (size_t i = 0; i < numamove_nodelist_count(nodes); i++) {
		int n = numamove_nodelist_get(nodes, i);

		if (i > 0)
			assert_true(n > numamove_nodelist_get(nodes, i - 1));
		assert_int_equal(numamove_node_distance(topo, n, n), 10);
		assert_non_null(numamove_node_cpulist(topo, n));
		if (numamove_node_has_memory(topo, n)) {
			any_memory = true;
			assert_true(numamove_node_mem_total(topo, n) > 0);
			assert_true(numamove_node_mem_free(topo, n) <= numamove_node_mem_total(topo, n));
		}
	}
	assert_true(any_memory);
	count = numamove_nodelist_count(nodes);
	numamove_topology_free(topo);

	/* "/" is the running system too. */
	assert_int_equal(numamove_topology_load("/", &topo), 0);
	assert_int_equal(numamove_nodelist_count(numamove_topology_nodes(topo)), count);
	numamove_topology_free(topo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_4node),
		cmocka_unit_test(test_sparse),
		cmocka_unit_test(test_no_node0),
		cmocka_unit_test(test_no_state_files),
		cmocka_unit_test(test_missing_root),
		cmocka_unit_test(test_running_system),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
