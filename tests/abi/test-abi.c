/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ABI contract, as a program built against the installed header only
 * and linked with the shared library sees it (no internal header, no
 * static archive): options structs of every size a caller may pass, the
 * plan's independence from the maps and topology it was made from, and
 * the outputs on failure. Run it under ASan too: reading past a caller's
 * struct is only seen there.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <numamove/numamove.h>

#ifndef DATA_DIR
#error "DATA_DIR must be defined by the build"
#endif

#define offsetofend(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* A move of the test's own memory that moves nothing (first node with memory to itself). */
struct self {
	struct numamove_topology *topo;
	struct numamove_task *task;
	struct numamove_maps *maps;
	struct numamove_plan *plan;
};

static int self_setup(void **state)
{
	struct self *s = calloc(1, sizeof(*s));
	struct numamove_nodelist *to = NULL;
	const struct numamove_nodelist *nodes;
	int node = -1;

	assert_non_null(s);
	assert_int_equal(numamove_topology_load(NULL, &s->topo), 0);
	nodes = numamove_topology_nodes(s->topo);
	for (size_t i = 0; node < 0 && i < numamove_nodelist_count(nodes); i++)
		if (numamove_node_has_memory(s->topo, numamove_nodelist_get(nodes, i)))
			node = numamove_nodelist_get(nodes, i);
	assert_true(node >= 0);
	assert_int_equal(numamove_task_open(getpid(), &s->task), 0);
	assert_int_equal(numamove_maps_read(s->task, &s->maps), 0);
	assert_int_equal(numamove_nodelist_new(&to), 0);
	assert_int_equal(numamove_nodelist_add(to, node), 0);
	assert_int_equal(numamove_plan_new(s->maps, to, to, s->topo, &s->plan), 0);
	numamove_nodelist_free(to);
	*state = s;
	return 0;
}

static int self_teardown(void **state)
{
	struct self *s = *state;

	numamove_plan_free(s->plan);
	numamove_maps_free(s->maps);
	numamove_task_free(s->task);
	numamove_topology_free(s->topo);
	free(s);
	return 0;
}

/* numamove_move() with the caller's opts bytes; *ret_result must always be written. */
static int move_with(struct self *s, const void *opts)
{
	struct numamove_result *res = (struct numamove_result *)(uintptr_t)0x1;
	int r = numamove_move(s->task, s->plan, opts, &res);

	assert_ptr_not_equal(res, (struct numamove_result *)(uintptr_t)0x1);
	if (r < 0)
		assert_null(res);
	numamove_result_free(res);
	return r;
}

/* A struct from an older program: only sz. The library must read nothing past it. */
static void test_move_opts_sz_smaller(void **state)
{
	struct self *s = *state;
	size_t *only_sz = malloc(sizeof(size_t));
	size_t old_sz = offsetofend(struct numamove_move_opts, flags);
	unsigned char *old = malloc(old_sz);

	assert_non_null(only_sz);
	assert_non_null(old);
	*only_sz = sizeof(size_t);
	assert_int_equal(move_with(s, only_sz), 0);
	memset(old, 0, old_sz);
	memcpy(old, &old_sz, sizeof(old_sz));
	assert_int_equal(move_with(s, old), 0);
	free(old);
	free(only_sz);

	/* The same on the stack, as in the review's probe. */
	{
		size_t sz = sizeof(size_t);

		assert_int_equal(move_with(s, &sz), 0);
	}
}

/* A struct from a newer program: zeros past the known fields are fine, anything else is not. */
static void test_move_opts_sz_larger(void **state)
{
	struct self *s = *state;
	size_t big = sizeof(struct numamove_move_opts) + 16;
	unsigned char *buf = calloc(1, big);
	struct numamove_move_opts o = { .sz = big };

	assert_non_null(buf);
	memcpy(buf, &o, sizeof(o));
	assert_int_equal(move_with(s, buf), 0);
	buf[big - 1] = 1;
	assert_int_equal(move_with(s, buf), -EINVAL);
	buf[big - 1] = 0;
	buf[sizeof(struct numamove_move_opts)] = 0x80;
	assert_int_equal(move_with(s, buf), -EINVAL);
	free(buf);
}

static void test_move_opts_sz_zero_and_null(void **state)
{
	struct self *s = *state;
	struct numamove_move_opts o;

	memset(&o, 0, sizeof(o));
	assert_int_equal(move_with(s, &o), -EINVAL);
	o.sz = sizeof(size_t) - 1;
	assert_int_equal(move_with(s, &o), -EINVAL);
	assert_int_equal(move_with(s, NULL), 0);
}

/* Options that cannot apply are refused, not ignored. */
static void test_move_opts_cannot_apply(void **state)
{
	struct self *s = *state;

	{
		NUMAMOVE_OPTS(numamove_move_opts, o, .engine = NUMAMOVE_ENGINE_KERNEL, .jobs = 2);
		assert_int_equal(move_with(s, &o), -EINVAL);
	}
	{
		NUMAMOVE_OPTS(numamove_move_opts, o, .engine = NUMAMOVE_ENGINE_KERNEL, .rate = 1 << 20);
		assert_int_equal(move_with(s, &o), -EINVAL);
	}
	{
		NUMAMOVE_OPTS(numamove_move_opts, o, .engine = NUMAMOVE_ENGINE_KERNEL, .max_stall_ms = 10);
		assert_int_equal(move_with(s, &o), -EINVAL);
	}
	{
		NUMAMOVE_OPTS(numamove_move_opts, o, .engine = NUMAMOVE_ENGINE_KERNEL,
			      .flags = NUMAMOVE_MOVE_PRIVATE_ONLY);
		assert_int_equal(move_with(s, &o), -EINVAL);
	}
	{
		NUMAMOVE_OPTS(numamove_move_opts, o, .engine = (enum numamove_engine)7);
		assert_int_equal(move_with(s, &o), -EINVAL);
	}
	{
		NUMAMOVE_OPTS(numamove_move_opts, o, .flags = 1u << 30);
		assert_int_equal(move_with(s, &o), -EINVAL);
	}
	{
		NUMAMOVE_OPTS(numamove_move_opts, o, .jobs = NUMAMOVE_JOBS_MAX + 1);
		assert_int_equal(move_with(s, &o), -EINVAL);
	}
	{
		NUMAMOVE_OPTS(numamove_move_opts, o, .jobs = NUMAMOVE_JOBS_MAX, .flags = NUMAMOVE_MOVE_NO_SWEEP);
		assert_int_equal(move_with(s, &o), 0);
	}
}

/* NUMAMOVE_OPTS() sets sz and zeroes every other byte it does not fill. */
static void test_opts_macro(void **state)
{
	NUMAMOVE_OPTS(numamove_move_opts, o, .rate = 5);
	NUMAMOVE_OPTS(numamove_policy_opts, p);

	(void)state;
	assert_int_equal(o.sz, sizeof(struct numamove_move_opts));
	assert_int_equal(o.rate, 5);
	assert_null(o.progress);
	assert_int_equal(o.jobs, 0);
	assert_int_equal(p.sz, sizeof(struct numamove_policy_opts));
	assert_null(p.tids);
}

static int rebind_with(struct self *s, const void *opts)
{
	struct numamove_policy_report *rep = (struct numamove_policy_report *)(uintptr_t)0x1;
	int r = numamove_policy_rebind(s->task, s->plan, opts, &rep);

	if (r < 0) {
		assert_ptr_equal(rep, (struct numamove_policy_report *)(uintptr_t)0x1);
	} else {
		/* The plan moves nothing: no policy changes, nothing is stopped. */
		assert_int_equal(numamove_policy_report_count(rep), 0);
		numamove_policy_report_free(rep);
	}
	return r;
}

/* The policy opts' sz is read and checked like the move opts'. */
static void test_policy_opts(void **state)
{
	struct self *s = *state;
	size_t big = sizeof(struct numamove_policy_opts) + 8;
	unsigned char *buf = calloc(1, big);
	struct numamove_policy_opts o = { .sz = big };
	size_t sz = sizeof(size_t);
	pid_t tid = getpid();

	assert_non_null(buf);
	assert_int_equal(rebind_with(s, NULL), 0);
	assert_int_equal(rebind_with(s, &sz), 0);
	memcpy(buf, &o, sizeof(o));
	assert_int_equal(rebind_with(s, buf), 0);
	buf[big - 1] = 1;
	assert_int_equal(rebind_with(s, buf), -EINVAL);
	free(buf);
	sz = 0;
	assert_int_equal(rebind_with(s, &sz), -EINVAL);
	{
		NUMAMOVE_OPTS(numamove_policy_opts, p, .flags = 1u << 9);
		assert_int_equal(rebind_with(s, &p), -EINVAL);
	}
	{
		NUMAMOVE_OPTS(numamove_policy_opts, p, .n_tids = 1);
		assert_int_equal(rebind_with(s, &p), -EINVAL);
	}
	{
		NUMAMOVE_OPTS(numamove_policy_opts, p, .tids = &tid);
		assert_int_equal(rebind_with(s, &p), -EINVAL);
	}
}

static char *read_text(const char *name)
{
	char path[4096];
	FILE *f;
	char *text;
	long len;

	snprintf(path, sizeof(path), "%s/%s", DATA_DIR, name);
	f = fopen(path, "re");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

static struct numamove_nodelist *list2(int a, int b)
{
	struct numamove_nodelist *l = NULL;

	assert_int_equal(numamove_nodelist_new(&l), 0);
	assert_int_equal(numamove_nodelist_add(l, a), 0);
	assert_int_equal(numamove_nodelist_add(l, b), 0);
	return l;
}

/* The plan keeps nothing of the caller's: free the maps and the topology first. */
static void test_plan_self_contained(void **state)
{
	char root[4096];
	char *numa_maps = read_text("multi.numa_maps");
	struct numamove_topology *topo = NULL;
	struct numamove_maps *maps = NULL;
	struct numamove_plan *plan = NULL;
	struct numamove_nodelist *from = list2(0, 1), *to = list2(2, 3);
	uint64_t bytes, incoming2, page_size = 0, need = 0, free_pages = 0;
	int node = -1, r_cap, r_huge;

	(void)state;
	snprintf(root, sizeof(root), "%s/sys-4node", DATA_DIR);
	assert_int_equal(numamove_topology_load(root, &topo), 0);
	assert_int_equal(numamove_maps_parse(numa_maps, NULL, &maps), 0);
	assert_int_equal(numamove_plan_new(maps, from, to, topo, &plan), 0);
	bytes = numamove_plan_bytes(plan, -1, -1);
	incoming2 = numamove_plan_incoming(plan, 2);
	assert_true(bytes == numamove_maps_bytes(maps, 0, -1) + numamove_maps_bytes(maps, 1, -1));
	r_cap = numamove_plan_check_capacity(plan, &node);
	r_huge = numamove_plan_check_hugepages(plan, &node, &page_size, &need, &free_pages);

	numamove_maps_free(maps);
	numamove_topology_free(topo);
	numamove_nodelist_free(from);
	numamove_nodelist_free(to);
	free(numa_maps);

	assert_int_equal(numamove_plan_bytes(plan, -1, -1), bytes);
	assert_int_equal(numamove_plan_incoming(plan, 2), incoming2);
	assert_int_equal(numamove_plan_dest(plan, 0), 2);
	assert_int_equal(numamove_plan_dest(plan, 1), 3);
	assert_int_equal(numamove_plan_check_capacity(plan, &node), r_cap);
	assert_int_equal(numamove_plan_check_hugepages(plan, &node, &page_size, &need, &free_pages), r_huge);
	assert_true(numamove_default_jobs(plan) >= 1);
	numamove_plan_free(plan);
}

/* A mapping-only plan: no maps, FROM required; it maps nodes but cannot drive a move. */
static void test_plan_mapping_only(void **state)
{
	struct self *s = *state;
	struct numamove_nodelist *from = NULL, *to = NULL, *mapped = NULL;
	struct numamove_plan *plan = (struct numamove_plan *)(uintptr_t)0x1;

	assert_int_equal(numamove_nodelist_new(&to), 0);
	assert_int_equal(numamove_nodelist_add(to, numamove_nodelist_get(numamove_plan_to(s->plan), 0)), 0);
	assert_int_equal(numamove_plan_new(NULL, NULL, to, s->topo, &plan), -EINVAL);
	assert_ptr_equal(plan, (struct numamove_plan *)(uintptr_t)0x1);
	assert_int_equal(numamove_nodelist_new(&from), 0);
	assert_int_equal(numamove_nodelist_add(from, numamove_nodelist_get(to, 0)), 0);
	assert_int_equal(numamove_plan_new(NULL, from, to, s->topo, &plan), 0);
	assert_int_equal(numamove_plan_bytes(plan, -1, -1), 0);
	assert_int_equal(numamove_plan_check_capacity(plan, NULL), 0);
	assert_int_equal(numamove_plan_check_hugepages(plan, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(numamove_plan_map_nodes(plan, from, &mapped), 0);
	assert_int_equal(numamove_nodelist_count(mapped), 1);
	{
		struct numamove_result *res = (struct numamove_result *)(uintptr_t)0x1;

		assert_int_equal(numamove_move(s->task, plan, NULL, &res), -EINVAL);
		assert_null(res);
	}
	numamove_nodelist_free(mapped);
	numamove_nodelist_free(from);
	numamove_nodelist_free(to);
	numamove_plan_free(plan);
}

/* Every public enum has a name function: a string for each known value, NULL past them. */
static void test_names(void **state)
{
	(void)state;
	for (int i = 0; i < NUMAMOVE_REASON_COUNT; i++) {
		assert_non_null(numamove_reason_name((enum numamove_reason)i));
		assert_non_null(numamove_reason_text((enum numamove_reason)i));
	}
	assert_null(numamove_reason_name(NUMAMOVE_REASON_COUNT));
	assert_null(numamove_reason_text((enum numamove_reason)-1));
	for (int i = 0; i < NUMAMOVE_KIND_COUNT; i++)
		assert_non_null(numamove_kind_name((enum numamove_kind)i));
	assert_null(numamove_kind_name(NUMAMOVE_KIND_COUNT));
	for (int i = 0; i < NUMAMOVE_OBJECT_TYPE_COUNT; i++)
		assert_non_null(numamove_object_type_name((enum numamove_object_type)i));
	assert_null(numamove_object_type_name(NUMAMOVE_OBJECT_TYPE_COUNT));
	for (int i = 0; i < NUMAMOVE_POLICY_MODE_COUNT; i++)
		assert_non_null(numamove_policy_mode_name((enum numamove_policy_mode)i));
	assert_null(numamove_policy_mode_name(NUMAMOVE_POLICY_MODE_COUNT));
	assert_string_equal(numamove_engine_name(NUMAMOVE_ENGINE_BATCHED), "batched");
	assert_string_equal(numamove_engine_name(NUMAMOVE_ENGINE_KERNEL), "kernel");
	assert_null(numamove_engine_name((enum numamove_engine)2));
	assert_string_equal(numamove_task_state_name(NUMAMOVE_TASK_KTHREAD), "kthread");
	assert_null(numamove_task_state_name((enum numamove_task_state)3));
	assert_string_equal(numamove_affinity_status_name(NUMAMOVE_AFFINITY_GONE), "gone");
	assert_null(numamove_affinity_status_name((enum numamove_affinity_status)5));
	assert_string_equal(numamove_policy_status_name(NUMAMOVE_POLICY_STATUS_FAILED), "failed");
	assert_null(numamove_policy_status_name((enum numamove_policy_status)5));
	assert_string_equal(numamove_inject_block_name(NUMAMOVE_INJECT_SECCOMP_UNKNOWN), "seccomp-unknown");
	assert_null(numamove_inject_block_name((enum numamove_inject_block)-1));
}

/* Errors are negative errnos, never -1 sentinels. */
static void test_error_signs(void **state)
{
	struct self *s = *state;
	struct numamove_nodelist *l = NULL;

	assert_int_equal(numamove_nodelist_new(&l), 0);
	assert_int_equal(numamove_nodelist_get(l, 0), -ERANGE);
	assert_int_equal(numamove_nodelist_index(l, 0), -ENOENT);
	assert_int_equal(numamove_node_distance(s->topo, 100000, 0), -ENOENT);
	numamove_nodelist_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_opts_sz_smaller),
		cmocka_unit_test(test_move_opts_sz_larger),
		cmocka_unit_test(test_move_opts_sz_zero_and_null),
		cmocka_unit_test(test_move_opts_cannot_apply),
		cmocka_unit_test(test_opts_macro),
		cmocka_unit_test(test_policy_opts),
		cmocka_unit_test(test_plan_self_contained),
		cmocka_unit_test(test_plan_mapping_only),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_error_signs),
	};

	return cmocka_run_group_tests(tests, self_setup, self_teardown);
}
