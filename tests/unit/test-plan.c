/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Plans over data/multi.numa_maps on the recorded 4-node machine (data/sys-4node). */
#include "test-helpers.h"

/* Bytes per node of data/multi.numa_maps (see test-maps.c for the breakdown). */
#define T0 UINT64_C(2736128)
#define T1 UINT64_C(1986560)
#define T2 UINT64_C(5312512)
#define T3 UINT64_C(2154496)

/* A plan from @from (NULL: default) to @to; the lists are freed. */
static struct numamove_plan *plan_ok(const struct numamove_maps *maps, struct numamove_nodelist *from,
				     struct numamove_nodelist *to, const struct numamove_topology *topo)
{
	struct numamove_plan *plan = NULL;
	int r = numamove_plan_new(maps, from, to, topo, &plan);

	if (r < 0)
		fail_msg("numamove_plan_new: %s", strerror(-r));
	assert_non_null(plan);
	numamove_nodelist_free(from);
	numamove_nodelist_free(to);
	return plan;
}

static void plan_err(const struct numamove_maps *maps, struct numamove_nodelist *from,
		     struct numamove_nodelist *to, const struct numamove_topology *topo, int want)
{
	struct numamove_plan *plan = (struct numamove_plan *)(uintptr_t)0x1;

	assert_int_equal(numamove_plan_new(maps, from, to, topo, &plan), want);
	assert_ptr_equal(plan, (struct numamove_plan *)(uintptr_t)0x1);
	numamove_nodelist_free(from);
	numamove_nodelist_free(to);
}

static struct numamove_maps *maps_of(const char *text)
{
	struct numamove_maps *maps = NULL;

	assert_int_equal(numamove_maps_parse(text, NULL, &maps), 0);
	return maps;
}

static void assert_dests(const struct numamove_plan *plan, int d0, int d1, int d2, int d3)
{
	assert_int_equal(numamove_plan_dest(plan, 0), d0);
	assert_int_equal(numamove_plan_dest(plan, 1), d1);
	assert_int_equal(numamove_plan_dest(plan, 2), d2);
	assert_int_equal(numamove_plan_dest(plan, 3), d3);
	assert_int_equal(numamove_plan_dest(plan, 4), -1);
	assert_int_equal(numamove_plan_dest(plan, 1000), -1);
	assert_int_equal(numamove_plan_dest(plan, -1), -1);
}

/* "0,1 -> 1,0" swaps; the other nodes stay. */
static void test_swap(void **state)
{
	struct fixture *f = *state;
	struct numamove_plan *plan = plan_ok(f->maps, LIST(0, 1), LIST(1, 0), f->vm4);
	int node = -7;

	assert_list(numamove_plan_from(plan), 0, 1);
	assert_list(numamove_plan_to(plan), 1, 0);
	assert_dests(plan, 1, 0, -1, -1);
	assert_int_equal(numamove_plan_bytes(plan, 0, 1), T0);
	assert_int_equal(numamove_plan_bytes(plan, 1, 0), T1);
	assert_int_equal(numamove_plan_bytes(plan, 0, 0), 0);
	assert_int_equal(numamove_plan_bytes(plan, 2, -1), 0);
	assert_int_equal(numamove_plan_bytes(plan, 0, -1), T0);
	assert_int_equal(numamove_plan_bytes(plan, -1, 0), T1);
	assert_int_equal(numamove_plan_bytes(plan, -1, -1), T0 + T1);
	assert_int_equal(numamove_plan_incoming(plan, 0), T1);
	assert_int_equal(numamove_plan_incoming(plan, 1), T0);
	assert_int_equal(numamove_plan_incoming(plan, 2), 0);
	assert_int_equal(numamove_plan_incoming(plan, 3), 0);
	assert_int_equal(numamove_plan_check_capacity(plan, &node), 0);
	assert_int_equal(node, -7);
	numamove_plan_free(plan);
	numamove_plan_free(NULL);
}

/* FROM NULL: every node holding memory, ascending; TO used round-robin. */
static void test_default_from_round_robin(void **state)
{
	struct fixture *f = *state;
	struct numamove_plan *plan = plan_ok(f->maps, NULL, LIST(1, 0), f->vm4);

	assert_list(numamove_plan_from(plan), 0, 1, 2, 3);
	/* 0 -> 1, 1 -> 0, 2 -> 1, 3 -> 0 */
	assert_dests(plan, 1, 0, 1, 0);
	assert_int_equal(numamove_plan_incoming(plan, 1), T0 + T2);
	assert_int_equal(numamove_plan_incoming(plan, 0), T1 + T3);
	assert_int_equal(numamove_plan_bytes(plan, 2, 1), T2);
	assert_int_equal(numamove_plan_bytes(plan, 3, 1), 0);
	assert_int_equal(numamove_plan_bytes(plan, -1, -1), T0 + T1 + T2 + T3);
	numamove_plan_free(plan);

	/* Everything to one node: that node's own pages stay. */
	plan = plan_ok(f->maps, NULL, LIST(2), f->vm4);
	assert_dests(plan, 2, 2, -1, 2);
	assert_int_equal(numamove_plan_incoming(plan, 2), T0 + T1 + T3);
	assert_int_equal(numamove_plan_bytes(plan, 2, -1), 0);
	assert_int_equal(numamove_plan_check_capacity(plan, NULL), 0);
	numamove_plan_free(plan);
}

/* The default FROM is where the memory is, not the machine's nodes. */
static void test_default_from_follows_memory(void **state)
{
	struct fixture *f = *state;
	struct numamove_maps *maps = maps_of("1000 default anon=5 N3=3 kernelpagesize_kB=4\n"
					     "9000 default file=/usr/bin/x N1=2 N3=1 kernelpagesize_kB=4\n");
	struct numamove_plan *plan = plan_ok(maps, NULL, LIST(0), f->vm4);

	assert_list(numamove_plan_from(plan), 1, 3);
	assert_dests(plan, -1, 0, -1, 0);
	assert_int_equal(numamove_plan_bytes(plan, 1, 0), 2 * PAGE);
	assert_int_equal(numamove_plan_bytes(plan, 3, 0), 4 * PAGE);
	assert_int_equal(numamove_plan_incoming(plan, 0), 6 * PAGE);
	numamove_plan_free(plan);
	numamove_maps_free(maps);
}

/* Unequal lengths, both ways. */
static void test_unequal_lengths(void **state)
{
	struct fixture *f = *state;
	struct numamove_plan *plan;

	/* FROM longer: TO round-robin; 2 -> 2 and 3 -> 3 stay. */
	plan = plan_ok(f->maps, LIST(0, 1, 2, 3), LIST(2, 3), f->vm4);
	assert_dests(plan, 2, 3, -1, -1);
	assert_int_equal(numamove_plan_incoming(plan, 2), T0);
	assert_int_equal(numamove_plan_incoming(plan, 3), T1);
	assert_int_equal(numamove_plan_bytes(plan, -1, -1), T0 + T1);
	/* Node 3 has exactly T1 free: it fits. */
	assert_int_equal(numamove_node_mem_free(f->vm4, 3), T1);
	assert_int_equal(numamove_plan_check_capacity(plan, NULL), 0);
	numamove_plan_free(plan);

	/* FROM longer, all to one node. */
	plan = plan_ok(f->maps, LIST(2, 0, 1), LIST(3), f->vm4);
	assert_dests(plan, 3, 3, 3, -1);
	assert_int_equal(numamove_plan_incoming(plan, 3), T0 + T1 + T2);
	numamove_plan_free(plan);

	/* TO longer: its extra nodes receive nothing. */
	plan = plan_ok(f->maps, LIST(0), LIST(1, 2, 3), f->vm4);
	assert_list(numamove_plan_from(plan), 0);
	assert_list(numamove_plan_to(plan), 1, 2, 3);
	assert_dests(plan, 1, -1, -1, -1);
	assert_int_equal(numamove_plan_incoming(plan, 1), T0);
	assert_int_equal(numamove_plan_incoming(plan, 2), 0);
	assert_int_equal(numamove_plan_incoming(plan, 3), 0);
	assert_int_equal(numamove_plan_check_capacity(plan, NULL), 0);
	numamove_plan_free(plan);

	/* A crossing: 3 -> 0 and 0 -> 3, in the written order. */
	plan = plan_ok(f->maps, LIST(3, 0), LIST(0, 3, 1), f->vm4);
	assert_dests(plan, 3, -1, -1, 0);
	numamove_plan_free(plan);

	/* Sources mapping to themselves stay. */
	plan = plan_ok(f->maps, LIST(0, 1), LIST(0, 1), f->vm4);
	assert_dests(plan, -1, -1, -1, -1);
	assert_int_equal(numamove_plan_bytes(plan, -1, -1), 0);
	assert_int_equal(numamove_plan_check_capacity(plan, NULL), 0);
	numamove_plan_free(plan);
}

static void test_capacity(void **state)
{
	struct fixture *f = *state;
	struct numamove_maps *big;
	struct numamove_plan *plan;
	int node = -7;

	/* T0 does not fit in node 3's 1940 kB. */
	plan = plan_ok(f->maps, LIST(0), LIST(3), f->vm4);
	assert_true(numamove_plan_incoming(plan, 3) > numamove_node_mem_free(f->vm4, 3));
	assert_int_equal(numamove_plan_check_capacity(plan, &node), -ENOSPC);
	assert_int_equal(node, 3);
	assert_int_equal(numamove_plan_check_capacity(plan, NULL), -ENOSPC);
	numamove_plan_free(plan);

	/* Huge pages count in bytes toward what arrives. */
	plan = plan_ok(f->maps, LIST(2), LIST(0), f->vm4);
	assert_int_equal(numamove_plan_incoming(plan, 0), T2);
	assert_int_equal(numamove_plan_check_capacity(plan, NULL), 0);
	numamove_plan_free(plan);

	/* About 3.8 GiB on each of nodes 0 and 1: no node has room. */
	big = maps_of("1000 default anon=2000000 N0=1000000 N1=1000000 kernelpagesize_kB=4");
	plan = plan_ok(big, LIST(0, 1), LIST(3, 2), f->vm4);
	node = -7;
	assert_int_equal(numamove_plan_check_capacity(plan, &node), -ENOSPC);
	/* The first destination of TO short of memory, in TO's order. */
	assert_int_equal(node, 3);
	numamove_plan_free(plan);
	plan = plan_ok(big, LIST(0, 1), LIST(2, 3), f->vm4);
	assert_int_equal(numamove_plan_check_capacity(plan, &node), -ENOSPC);
	assert_int_equal(node, 2);
	numamove_plan_free(plan);
	numamove_maps_free(big);
}

static void test_errors(void **state)
{
	struct fixture *f = *state;

	/* Empty TO, or none. */
	plan_err(f->maps, NULL, EMPTY_LIST(), f->vm4, -EINVAL);
	plan_err(f->maps, LIST(0), EMPTY_LIST(), f->vm4, -EINVAL);
	plan_err(f->maps, NULL, NULL, f->vm4, -EINVAL);
	/* A destination that does not exist. */
	plan_err(f->maps, NULL, LIST(4), f->vm4, -ENODEV);
	plan_err(f->maps, LIST(0, 1), LIST(2, 9), f->vm4, -ENODEV);
	/* A destination without memory (node 4 of the sparse machine has only CPUs). */
	plan_err(f->maps, NULL, LIST(4), f->sparse, -ENODEV);
	plan_err(f->maps, LIST(0, 1), LIST(5, 4), f->sparse, -ENODEV);
	/* Memory-only nodes are fine destinations. */
	numamove_plan_free(plan_ok(f->maps, LIST(0, 1), LIST(2, 3), f->vm4));
	/* The sparse machine: holes are not destinations, its real nodes are. */
	plan_err(f->maps, LIST(0), LIST(2), f->sparse, -ENODEV);
	numamove_plan_free(plan_ok(f->maps, LIST(0, 1), LIST(5), f->sparse));
}

/*
 * hugetlb pages come from the destination's pool of their size, not from
 * its MemFree: numamove_plan_check_capacity() leaves them out and
 * numamove_plan_check_hugepages() counts them against free_hugepages.
 * data/sys-4node: node 1 has no huge page pool, node 2 has 16 free 2 MiB
 * pages, node 3 has 64 free 2 MiB pages but 1940 kB of MemFree.
 */
static void test_capacity_hugetlb(void **state)
{
	struct fixture *f = *state;
	struct numamove_maps *huge8 = maps_of("7f0000200000 default file=/anon_hugepage\\040(deleted) huge "
					      "dirty=8 N0=8 kernelpagesize_kB=2048");
	struct numamove_maps *huge20 = maps_of("7f0000200000 default file=/anon_hugepage\\040(deleted) huge "
					       "dirty=20 N0=20 kernelpagesize_kB=2048");
	struct numamove_plan *plan;
	uint64_t ps = 7, need = 7, free_pages = 7;
	int node = -7;

	plan = plan_ok(huge8, LIST(0), LIST(2), f->vm4);
	assert_int_equal(numamove_plan_incoming(plan, 2), 8 * HUGE_2M);
	assert_int_equal(numamove_plan_bytes(plan, 0, 2), 8 * HUGE_2M);
	assert_int_equal(numamove_plan_check_capacity(plan, &node), 0);
	assert_int_equal(numamove_plan_check_hugepages(plan, &node, &ps, &need, &free_pages), 0);
	assert_int_equal(node, -7);
	assert_int_equal(need, 7);
	numamove_plan_free(plan);

	/* 16 MiB of huge pages fit in node 3's pool, whatever its MemFree. */
	plan = plan_ok(huge8, LIST(0), LIST(3), f->vm4);
	assert_int_equal(numamove_plan_check_capacity(plan, &node), 0);
	assert_int_equal(numamove_plan_check_hugepages(plan, &node, NULL, NULL, NULL), 0);
	assert_int_equal(node, -7);
	numamove_plan_free(plan);

	/* No pool on node 1: refused, with the numbers. */
	plan = plan_ok(huge8, LIST(0), LIST(1), f->vm4);
	assert_int_equal(numamove_plan_check_capacity(plan, NULL), 0);
	assert_int_equal(numamove_plan_check_hugepages(plan, &node, &ps, &need, &free_pages), -ENOSPC);
	assert_int_equal(node, 1);
	assert_int_equal(ps, HUGE_2M);
	assert_int_equal(need, 8);
	assert_int_equal(free_pages, 0);
	numamove_plan_free(plan);

	/* 20 pages for 16 free on node 2. */
	plan = plan_ok(huge20, LIST(0), LIST(2), f->vm4);
	assert_int_equal(numamove_plan_incoming(plan, 2), 20 * HUGE_2M);
	assert_int_equal(numamove_plan_check_capacity(plan, NULL), 0);
	assert_int_equal(numamove_plan_check_hugepages(plan, &node, &ps, &need, &free_pages), -ENOSPC);
	assert_int_equal(node, 2);
	assert_int_equal(need, 20);
	assert_int_equal(free_pages, 16);
	numamove_plan_free(plan);

	/* Base pages need no pool. */
	{
		struct numamove_maps *base = maps_of("7f0000000000 default anon=64 dirty=64 N0=64 kernelpagesize_kB=4");

		plan = plan_ok(base, NULL, LIST(1), f->vm4);
		assert_int_equal(numamove_plan_check_hugepages(plan, NULL, NULL, NULL, NULL), 0);
		numamove_plan_free(plan);
		numamove_maps_free(base);
	}
	numamove_maps_free(huge8);
	numamove_maps_free(huge20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_default_from_round_robin),
		cmocka_unit_test(test_default_from_follows_memory),
		cmocka_unit_test(test_unequal_lengths),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_capacity_hugetlb),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
