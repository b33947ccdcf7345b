/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Node lists: the container, numamove_nodelist_format() and numamove_nodelist_parse(). */
#include <limits.h>

#include "test-helpers.h"

/* Parses @text and fails unless it succeeds; reterr_bad must stay untouched. */
static struct numamove_nodelist *parse_ok(const char *text, const struct numamove_topology *topo,
					  const struct numamove_nodelist *allowed)
{
	struct numamove_nodelist *l = NULL;
	int bad = -12345;
	int r = numamove_nodelist_parse(text, topo, allowed, &l, &bad);

	if (r != 0)
		fail_msg("parse \"%s\": %d (%s), bad %d", text, r, strerror(-r), bad);
	assert_int_equal(bad, -12345);
	return l;
}

/* No check of *reterr_bad (it is documented for -ENODEV and -EINVAL only). */
#define ANY_BAD INT_MIN

/* @text must fail with @want_r and set *reterr_bad to @want_bad; ret_list untouched. */
static void parse_err(const char *text, const struct numamove_topology *topo,
		      const struct numamove_nodelist *allowed, int want_r, int want_bad)
{
	struct numamove_nodelist *l = (struct numamove_nodelist *)(uintptr_t)0x1;
	int bad = -12345;
	int r = numamove_nodelist_parse(text, topo, allowed, &l, &bad);

	if (r != want_r || (want_bad != ANY_BAD && bad != want_bad))
		fail_msg("parse \"%s\": got %d bad %d, want %d bad %d", text, r, bad, want_r, want_bad);
	assert_ptr_equal(l, (struct numamove_nodelist *)(uintptr_t)0x1);
	/* reterr_bad may be NULL. */
	assert_int_equal(numamove_nodelist_parse(text, topo, allowed, &l, NULL), want_r);
}

#define assert_parse(text, topo, allowed, ...)                               \
	do {                                                                 \
		struct numamove_nodelist *_l = parse_ok(text, topo, allowed); \
		assert_list(_l, __VA_ARGS__);                                \
		numamove_nodelist_free(_l);                                  \
	} while (0)

static void test_container(void **state)
{
	struct numamove_nodelist *l = NULL;

	assert_int_equal(numamove_nodelist_new(&l), 0);
	assert_int_equal(numamove_nodelist_count(l), 0);
	assert_int_equal(numamove_nodelist_get(l, 0), -ERANGE);
	assert_int_equal(numamove_nodelist_add(l, 3), 0);
	assert_int_equal(numamove_nodelist_add(l, 1), 0);
	assert_int_equal(numamove_nodelist_add(l, 3), -EEXIST);
	assert_int_equal(numamove_nodelist_add(l, -1), -EINVAL);
	/* Grows past its first allocation. */
	for (int n = 10; n < 50; n++)
		assert_int_equal(numamove_nodelist_add(l, n), 0);
	assert_int_equal(numamove_nodelist_count(l), 42);
	assert_int_equal(numamove_nodelist_get(l, 0), 3);
	assert_int_equal(numamove_nodelist_get(l, 1), 1);
	assert_int_equal(numamove_nodelist_get(l, 41), 49);
	assert_int_equal(numamove_nodelist_get(l, 42), -ERANGE);
	assert_int_equal(numamove_nodelist_index(l, 1), 1);
	assert_int_equal(numamove_nodelist_index(l, 20), 12);
	assert_int_equal(numamove_nodelist_index(l, 2), -ENOENT);
	assert_true(numamove_nodelist_contains(l, 3));
	assert_false(numamove_nodelist_contains(l, 0));
	numamove_nodelist_free(l);
	numamove_nodelist_free(NULL);
	assert_int_equal(numamove_nodelist_count(NULL), 0);
	assert_int_equal(numamove_nodelist_get(NULL, 0), -ERANGE);
}

static void check_format(struct numamove_nodelist *l, const char *want)
{
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(numamove_nodelist_format(l, buf, sizeof(buf)), strlen(want));
	assert_string_equal(buf, want);
	/* Like snprintf, the length is the full text's without room. */
	assert_int_equal(numamove_nodelist_format(l, NULL, 0), strlen(want));
	numamove_nodelist_free(l);
}

static void test_format(void **state)
{
	struct numamove_nodelist *l;
	char buf[4];

	check_format(LIST(0, 1, 2, 3, 5), "0-3,5");
	check_format(LIST(3, 1), "3,1");
	check_format(LIST(1, 0), "1,0");
	check_format(LIST(0, 1), "0-1");
	check_format(LIST(7), "7");
	check_format(LIST(5, 6, 7, 0, 1), "5-7,0-1");
	check_format(LIST(3, 2, 1), "3,2,1");
	check_format(LIST(0, 2, 4, 5, 6, 10, 11), "0,2,4-6,10-11");
	check_format(EMPTY_LIST(), "");

	/* Truncated, still terminated, still the full length. */
	l = LIST(0, 1, 2, 3, 5);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(numamove_nodelist_format(l, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "0-3");
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(numamove_nodelist_format(l, buf, 1), 5);
	assert_int_equal(buf[0], '\0');
	numamove_nodelist_free(l);
}

static void test_parse_plain(void **state)
{
	struct fixture *f = *state;

	assert_parse("0", f->vm4, NULL, 0);
	assert_parse("0-3", f->vm4, NULL, 0, 1, 2, 3);
	assert_parse("3,1", f->vm4, NULL, 3, 1);
	assert_parse("2,0-1", f->vm4, NULL, 2, 0, 1);
	assert_parse("3,0-2", f->vm4, NULL, 3, 0, 1, 2);
	assert_parse("1-1", f->vm4, NULL, 1);
	assert_parse("0-1,3-3", f->vm4, NULL, 0, 1, 3);
	assert_parse("00,01", f->vm4, NULL, 0, 1);
	/* Nodes without CPUs are nodes like the others. */
	assert_parse("2-3", f->vm4, NULL, 2, 3);
}

static void test_parse_errors(void **state)
{
	struct fixture *f = *state;
	struct numamove_nodelist *none = EMPTY_LIST(), *out = NULL;

	/* Syntax: -EINVAL with the byte offset. */
	parse_err("", f->vm4, NULL, -EINVAL, 0);
	parse_err("abc", f->vm4, NULL, -EINVAL, 0);
	parse_err("1,", f->vm4, NULL, -EINVAL, 2);
	parse_err(",1", f->vm4, NULL, -EINVAL, 0);
	parse_err("1--2", f->vm4, NULL, -EINVAL, 0);
	parse_err("1-", f->vm4, NULL, -EINVAL, 0);
	parse_err("0,,1", f->vm4, NULL, -EINVAL, 2);
	parse_err("0 1", f->vm4, NULL, -EINVAL, 1);
	parse_err("0,1x", f->vm4, NULL, -EINVAL, 3);
	parse_err("-1", f->vm4, NULL, -EINVAL, 0);
	parse_err("99999999", f->vm4, NULL, -EINVAL, 0);
	parse_err("!", f->vm4, NULL, -EINVAL, 1);
	parse_err("!x", f->vm4, NULL, -EINVAL, 1);
	parse_err("+", f->vm4, NULL, -EINVAL, 1);
	parse_err("0,+1", f->vm4, NULL, -EINVAL, 2);
	parse_err("All", f->vm4, NULL, -EINVAL, 0);
	parse_err("all,1", f->vm4, NULL, -EINVAL, 0);
	parse_err("1\n", f->vm4, NULL, -EINVAL, 1);
	/* Ranges ascend. */
	parse_err("3-1", f->vm4, NULL, -EINVAL, 0);
	parse_err("0,3-1", f->vm4, NULL, -EINVAL, 2);
	/* A node once: the offset is that of the item repeating it. */
	parse_err("1,1", f->vm4, NULL, -EINVAL, 2);
	parse_err("0-2,1", f->vm4, NULL, -EINVAL, 4);
	parse_err("3,0-3", f->vm4, NULL, -EINVAL, 2);
	/* A node that does not exist: -ENODEV with the node. */
	parse_err("4", f->vm4, NULL, -ENODEV, 4);
	parse_err("0-3,5", f->vm4, NULL, -ENODEV, 5);
	parse_err("2-7", f->vm4, NULL, -ENODEV, 7);
	parse_err("!9", f->vm4, NULL, -ENODEV, 9);
	/* A list that selects no node: -ENOENT. */
	parse_err("!all", f->vm4, NULL, -ENOENT, ANY_BAD);
	parse_err("!0-3", f->vm4, NULL, -ENOENT, ANY_BAD);
	parse_err("!3,2,1,0", f->vm4, NULL, -ENOENT, ANY_BAD);
	parse_err("all", f->vm4, none, -ENOENT, ANY_BAD);
	parse_err("!1", f->vm4, none, -ENOENT, ANY_BAD);
	/* An error in the list comes first. */
	parse_err("!0-3,x", f->vm4, NULL, -EINVAL, 5);
	/* No text, no machine. */
	assert_int_equal(numamove_nodelist_parse(NULL, f->vm4, NULL, &out, NULL), -EINVAL);
	assert_int_equal(numamove_nodelist_parse("0", NULL, NULL, &out, NULL), -EINVAL);
	assert_null(out);
	numamove_nodelist_free(none);
}

/* "all", "!LIST" and "+LIST" are relative to the allowed nodes. */
static void test_parse_relative(void **state)
{
	struct fixture *f = *state;
	struct numamove_nodelist *allowed = LIST(3, 1, 2);

	/* allowed NULL: every node with memory, ascending. */
	assert_parse("all", f->vm4, NULL, 0, 1, 2, 3);
	assert_parse("!1", f->vm4, NULL, 0, 2, 3);
	assert_parse("!3,0", f->vm4, NULL, 1, 2);
	assert_parse("!0-2", f->vm4, NULL, 3);
	assert_parse("+0-1", f->vm4, NULL, 0, 1);
	assert_parse("+3,0", f->vm4, NULL, 3, 0);
	assert_parse("+all", f->vm4, NULL, 0, 1, 2, 3);
	assert_parse("!+0", f->vm4, NULL, 1, 2, 3);
	parse_err("+7", f->vm4, NULL, -ERANGE, 7);
	parse_err("+4", f->vm4, NULL, -ERANGE, 4);
	parse_err("+2-5", f->vm4, NULL, -ERANGE, 4);
	parse_err("+1,1", f->vm4, NULL, -EINVAL, 3);
	parse_err("!+0-3", f->vm4, NULL, -ENOENT, ANY_BAD);

	/* An explicit allowed list keeps its order for "all", "!" and "+". */
	assert_parse("all", f->vm4, allowed, 3, 1, 2);
	assert_parse("!1", f->vm4, allowed, 3, 2);
	assert_parse("!0", f->vm4, allowed, 3, 1, 2);
	assert_parse("+0", f->vm4, allowed, 3);
	assert_parse("+1-2", f->vm4, allowed, 1, 2);
	assert_parse("+2,0", f->vm4, allowed, 2, 3);
	parse_err("+3", f->vm4, allowed, -ERANGE, 3);
	/* Plain lists are not limited to the allowed nodes. */
	assert_parse("0", f->vm4, allowed, 0);
	numamove_nodelist_free(allowed);
}

/* Sparse ids 0,1,4,5 (node 4 without memory). */
static void test_parse_sparse(void **state)
{
	struct fixture *f = *state;

	/* Holes inside a range are skipped... */
	assert_parse("0-5", f->sparse, NULL, 0, 1, 4, 5);
	assert_parse("1-4", f->sparse, NULL, 1, 4);
	assert_parse("0-1,4-5", f->sparse, NULL, 0, 1, 4, 5);
	assert_parse("5,0-1", f->sparse, NULL, 5, 0, 1);
	/* ...but the ends of a range, and single nodes, must exist. */
	parse_err("2", f->sparse, NULL, -ENODEV, 2);
	parse_err("3", f->sparse, NULL, -ENODEV, 3);
	parse_err("0-2", f->sparse, NULL, -ENODEV, 2);
	parse_err("2-4", f->sparse, NULL, -ENODEV, 2);
	parse_err("0-6", f->sparse, NULL, -ENODEV, 6);
	parse_err("3-3", f->sparse, NULL, -ENODEV, 3);
	parse_err("5,2", f->sparse, NULL, -ENODEV, 2);
	/* A node that exists without memory can be named. */
	assert_parse("4", f->sparse, NULL, 4);
	/* The default allowed nodes are those with memory: 0,1,5. */
	assert_parse("all", f->sparse, NULL, 0, 1, 5);
	assert_parse("!1", f->sparse, NULL, 0, 5);
	assert_parse("!4", f->sparse, NULL, 0, 1, 5);
	assert_parse("+2", f->sparse, NULL, 5);
	assert_parse("+1-2", f->sparse, NULL, 1, 5);
	parse_err("+3", f->sparse, NULL, -ERANGE, 3);
	parse_err("!2", f->sparse, NULL, -ENODEV, 2);
}

/* Nodes 1 and 2, no node 0. */
static void test_parse_no_node0(void **state)
{
	struct fixture *f = *state;

	parse_err("0", f->nonode0, NULL, -ENODEV, 0);
	parse_err("0-2", f->nonode0, NULL, -ENODEV, 0);
	parse_err("1,0", f->nonode0, NULL, -ENODEV, 0);
	assert_parse("1-2", f->nonode0, NULL, 1, 2);
	assert_parse("2,1", f->nonode0, NULL, 2, 1);
	assert_parse("all", f->nonode0, NULL, 1, 2);
	assert_parse("+0", f->nonode0, NULL, 1);
	assert_parse("+1", f->nonode0, NULL, 2);
	assert_parse("!2", f->nonode0, NULL, 1);
	parse_err("+2", f->nonode0, NULL, -ERANGE, 2);
}

/* What parse reads, format writes back. */
static void test_parse_format_roundtrip(void **state)
{
	struct fixture *f = *state;
	static const char *const texts[] = { "0-3", "3,1", "2,0-1", "3,0-2", "1,3", "0", "2-3,0-1" };

	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		struct numamove_nodelist *l = parse_ok(texts[i], f->vm4, NULL);
		char buf[32];

		assert_int_equal(numamove_nodelist_format(l, buf, sizeof(buf)), strlen(texts[i]));
		assert_string_equal(buf, texts[i]);
		numamove_nodelist_free(l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse_plain),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_relative),
		cmocka_unit_test(test_parse_sparse),
		cmocka_unit_test(test_parse_no_node0),
		cmocka_unit_test(test_parse_format_roundtrip),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
