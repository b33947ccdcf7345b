/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The front ends' shared helpers that decide what is equal: the payload of
 * root's MUNGE credential for a Slurm job's move on all its nodes
 * (front_slurm_credential_text()), which root's numamove and each node's
 * numamoved write separately and compare. Its text is documented
 * (numamove-spank(8)): the defaults are checked against it, and every
 * field against a change of its own.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "front.h"

static const struct front_move_terms base = { .job = "42", .owner = 1000, .to = "2,3" };

static char *text_of(const struct front_move_terms *t)
{
	char *s = NULL;

	assert_int_equal(front_slurm_credential_text(t, &s), 0);
	assert_non_null(s);
	return s;
}

static void test_defaults(void **state)
{
	char *s = text_of(&base);

	assert_string_equal(s, "numamove-slurm-move/1\njob=42\nowner=1000\nto=2,3\nfrom=\npolicy=\nflags=0\nengine=batched\n"
			       "jobs=0\nrate=0\nmax-stall-ms=0\npriority=0\n");
	free(s);
}

static void test_each_field_counts(void **state)
{
	struct front_move_terms v[] = { base, base, base, base, base, base, base, base, base, base, base };
	char *b = text_of(&base);

	v[0].job = "43";
	v[1].to = "2";
	v[2].from = "0";
	v[3].policy = "interleave";
	v[4].flags = NUMAMOVE_REQUEST_F_FORCE;
	v[5].engine = NUMAMOVE_ENGINE_KERNEL;
	v[6].jobs = 2;
	v[7].rate = 1 << 20;
	v[8].max_stall_ms = 10;
	v[9].priority = -5;
	v[10].owner = 1001;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *s = text_of(&v[i]);

		assert_string_not_equal(s, b);
		free(s);
	}
	free(b);
}

static void test_newline_refused(void **state)
{
	struct front_move_terms t = base;
	char *s = (char *)"x";

	/* A value that could forge another line: to=2\nfrom=... */
	t.to = "2\nfrom=0";
	assert_int_equal(front_slurm_credential_text(&t, &s), -EINVAL);
	assert_null(s);
	t = base;
	t.job = "42\n";
	assert_int_equal(front_slurm_credential_text(&t, &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_each_field_counts),
		cmocka_unit_test(test_newline_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
