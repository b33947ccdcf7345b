/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numamove_request_check(): each rule about which move options and targets
 * go together gives its own reason, in the documented order, and
 * numamove_request_new() refuses exactly what the check refuses without targets.
 */
#include "test-helpers.h"

#define OPTS(...) (&(struct numamove_request_opts){ .sz = sizeof(struct numamove_request_opts), __VA_ARGS__ })

#define P NUMAMOVE_REQUEST_CHECK_PROCESSES
#define O NUMAMOVE_REQUEST_CHECK_OBJECTS
#define C NUMAMOVE_REQUEST_CHECK_CGROUPS
#define POL NUMAMOVE_REQUEST_CHECK_POLICY
#define T NUMAMOVE_REQUEST_CHECK_TARGETS

#define F_SHARED NUMAMOVE_REQUEST_F_WITH_SHARED
#define F_FILES NUMAMOVE_REQUEST_F_WITH_FILES
#define F_NO_STAY NUMAMOVE_REQUEST_F_NO_STAY
#define F_MEM NUMAMOVE_REQUEST_F_MEMORY_ONLY
#define KERNEL .engine = NUMAMOVE_ENGINE_KERNEL

/* Checks @opts with @what: @want, and -EINVAL exactly when @want is a conflict. */
static void expect(const struct numamove_request_opts *opts, unsigned int what, enum numamove_request_conflict want,
		   int line)
{
	enum numamove_request_conflict why = (enum numamove_request_conflict)-1;
	int r = numamove_request_check(opts, what, &why);

	if ((int)why != (int)want || r != (want == NUMAMOVE_REQUEST_CONFLICT_NONE ? 0 : -EINVAL))
		fail_msg("line %d: numamove_request_check(what 0x%x) = %d, why %d; want why %d", line, what, r,
			 (int)why, (int)want);
}
#define EXPECT(opts, what, want) expect(opts, what, NUMAMOVE_REQUEST_CONFLICT_##want, __LINE__)

static void test_check_accepts(void **state)
{
	(void)state;
	EXPECT(NULL, 0, NONE);
	EXPECT(NULL, T | P, NONE);
	EXPECT(OPTS(.flags = 0), T | O, NONE);
	EXPECT(OPTS(.flags = 0), T | C, NONE);
	EXPECT(OPTS(.flags = F_SHARED | F_FILES), T | P, NONE);
	EXPECT(OPTS(.flags = F_SHARED | F_FILES), T | P | O, NONE);
	EXPECT(OPTS(.flags = F_NO_STAY), T | P | O, NONE);
	EXPECT(OPTS(.flags = F_MEM), T | C, NONE);
	EXPECT(OPTS(.jobs = 4, .rate = 1 << 20, .max_stall_ms = 50), T | P | O, NONE);
	EXPECT(OPTS(KERNEL), T | P, NONE);
	EXPECT(OPTS(KERNEL), T | C, NONE);
	EXPECT(OPTS(.flags = F_SHARED), T | P | POL, NONE);
	EXPECT(OPTS(.flags = 0), T | O | POL, NONE);
	EXPECT(OPTS(.jobs = NUMAMOVE_JOBS_MAX), T | P, NONE);
	/* Without TARGETS the rules about targets are not checked. */
	EXPECT(OPTS(.flags = F_SHARED), 0, NONE);
	EXPECT(OPTS(.flags = F_NO_STAY), C, NONE);
	EXPECT(OPTS(KERNEL), O, NONE);
	EXPECT(OPTS(.flags = 0), POL, NONE);
	/* ret_why may be NULL. */
	assert_int_equal(numamove_request_check(NULL, 0, NULL), 0);
	assert_int_equal(numamove_request_check(OPTS(.flags = F_FILES), 0, NULL), -EINVAL);
}

static void test_check_each_conflict(void **state)
{
	(void)state;
	EXPECT(&(struct numamove_request_opts){ .sz = 1 }, 0, OPTS);
	EXPECT(OPTS(.flags = 0), T | C | O, CGROUP_MIXED);
	EXPECT(OPTS(.flags = 0), T | C | P, CGROUP_MIXED);
	EXPECT(OPTS(.flags = 0), T | C | POL, CGROUP_MIXED);
	EXPECT(OPTS(.flags = F_SHARED), T | C, CGROUP_MIXED);
	EXPECT(OPTS(.flags = F_FILES), T | P, FILES_NOT_SHARED);
	EXPECT(OPTS(.flags = F_FILES), 0, FILES_NOT_SHARED);
	EXPECT(OPTS(.flags = F_NO_STAY | F_MEM), T | P, NO_STAY_MEMORY_ONLY);
	EXPECT(OPTS(.flags = F_NO_STAY | F_MEM), 0, NO_STAY_MEMORY_ONLY);
	EXPECT(OPTS(.flags = F_NO_STAY), T | C, NO_STAY_CGROUP);
	EXPECT(OPTS(.flags = F_SHARED), T | O, SHARED_NO_PROCESS);
	EXPECT(OPTS(.flags = F_SHARED), T, SHARED_NO_PROCESS);
	EXPECT(OPTS(KERNEL, .jobs = 2), T | P, KERNEL_PACING);
	EXPECT(OPTS(KERNEL, .rate = 4096), T | P, KERNEL_PACING);
	EXPECT(OPTS(KERNEL, .max_stall_ms = 10), 0, KERNEL_PACING);
	EXPECT(OPTS(KERNEL, .pacer = (struct numamove_pacer *)8), 0, KERNEL_PACING);
	EXPECT(OPTS(KERNEL, .flags = F_SHARED), T | P, KERNEL_SHARED);
	EXPECT(OPTS(KERNEL, .flags = F_SHARED), 0, KERNEL_SHARED);
	EXPECT(OPTS(KERNEL), T | P | O, KERNEL_OBJECTS);
	EXPECT(OPTS(.flags = 0), T | P | POL, POLICY_NO_OBJECT);
	EXPECT(OPTS(.flags = NUMAMOVE_REQUEST_F_MAPPINGS), T | P, UNKNOWN_FLAG);
	EXPECT(OPTS(.flags = 1u << 30), 0, UNKNOWN_FLAG);
	EXPECT(OPTS(.engine = 7), T | P, UNKNOWN_ENGINE);
	EXPECT(OPTS(.jobs = NUMAMOVE_JOBS_MAX + 1), T | P, JOBS);
	EXPECT(OPTS(.rate = 1, .pacer = (struct numamove_pacer *)8), T | P, RATE_AND_PACER);
	EXPECT(OPTS(KERNEL, .flags = NUMAMOVE_REQUEST_F_UNPRIVILEGED), T | P, KERNEL_UNPRIVILEGED);
}

/* Two rules broken: the first in the enum's order is the reason (the front ends' messages depend on it). */
static void test_check_order(void **state)
{
	(void)state;
	EXPECT(OPTS(.flags = F_FILES | F_NO_STAY), T | C | O, CGROUP_MIXED);
	EXPECT(OPTS(.flags = F_FILES | F_NO_STAY | F_MEM), T | P, FILES_NOT_SHARED);
	EXPECT(OPTS(.flags = F_NO_STAY | F_MEM), T | C, NO_STAY_MEMORY_ONLY);
	EXPECT(OPTS(KERNEL, .flags = F_SHARED, .jobs = 2), T | O, SHARED_NO_PROCESS);
	EXPECT(OPTS(KERNEL, .flags = F_SHARED, .jobs = 2), 0, KERNEL_PACING);
	EXPECT(OPTS(KERNEL, .jobs = 2), T | O | POL, KERNEL_PACING);
	EXPECT(OPTS(KERNEL, .flags = F_SHARED), T | P | O, KERNEL_SHARED);
	EXPECT(OPTS(KERNEL), T | O | POL, KERNEL_OBJECTS);
	EXPECT(OPTS(.flags = F_FILES, .engine = 7), 0, FILES_NOT_SHARED);
}

/* numamove_request_new(MOVE) refuses options exactly when the check without targets does. */
static void test_new_agrees(void **state)
{
	const struct numamove_request_opts *cases[] = {
		OPTS(.flags = 0),
		OPTS(.flags = F_FILES),
		OPTS(.flags = F_SHARED | F_FILES),
		OPTS(.flags = F_NO_STAY | F_MEM),
		OPTS(.flags = F_NO_STAY),
		OPTS(KERNEL),
		OPTS(KERNEL, .jobs = 1),
		OPTS(KERNEL, .flags = F_SHARED),
		OPTS(KERNEL, .flags = NUMAMOVE_REQUEST_F_UNPRIVILEGED),
		OPTS(.flags = NUMAMOVE_REQUEST_F_MAPPINGS),
		OPTS(.engine = 7),
		OPTS(.jobs = NUMAMOVE_JOBS_MAX + 1),
		OPTS(.jobs = NUMAMOVE_JOBS_MAX),
		OPTS(.rate = 1, .pacer = (struct numamove_pacer *)8),
	};
	int refused = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct numamove_request *req = NULL;
		int want = numamove_request_check(cases[i], 0, NULL);
		int r = numamove_request_new(NUMAMOVE_ACTION_MOVE, cases[i], &req);

		if (r != want)
			fail_msg("case %zu: numamove_request_new() = %d, numamove_request_check() = %d", i, r, want);
		refused += r < 0;
		numamove_request_free(req);
	}
	assert_int_equal(refused, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_accepts),
		cmocka_unit_test(test_check_each_conflict),
		cmocka_unit_test(test_check_order),
		cmocka_unit_test(test_new_agrees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
