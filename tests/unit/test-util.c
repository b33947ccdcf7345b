/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small internals: bit lists, number parsing, file reading, move reasons. */
#include <limits.h>

#include "test-helpers.h"

static void check_bits(const char *text, const char *want, size_t weight)
{
	struct nm_bits b = { 0 };
	char buf[128];
	int r = nm_bits_parse_list(text, &b);

	if (r < 0)
		fail_msg("nm_bits_parse_list(\"%s\"): %s", text, strerror(-r));
	assert_int_equal(nm_bits_weight(&b), weight);
	assert_int_equal(nm_bits_format(&b, buf, sizeof(buf)), strlen(want));
	assert_string_equal(buf, want);
	nm_bits_clear(&b);
}

static void test_bits_parse_format(void **state)
{
	check_bits("0-3,8", "0-3,8", 5);
	check_bits("0-3,8\n", "0-3,8", 5);
	check_bits("8,0-3", "0-3,8", 5);
	check_bits("5", "5", 1);
	check_bits("0-7:2", "0,2,4,6", 4);
	check_bits("1-9:4", "1,5,9", 3);
	check_bits("0-3:1", "0-3", 4);
	check_bits("0-1,1-2", "0-2", 3);
	check_bits("63-64", "63-64", 2);
	check_bits("0,1000", "0,1000", 2);
	check_bits("", "", 0);
	check_bits("\n", "", 0);
}

static void test_bits_garbage(void **state)
{
	static const char *const bad[] = {
		"a", "x1", "1-", "-1", "3-1", "1,,2", ",1", "1 2", "0-7:0", "0-7:", "0-7:x",
		"1:2", "1-2-3", "99999999999", "0-2000000",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct nm_bits b = { .w = (uint64_t *)(uintptr_t)0x1, .nbits = 7 };

		if (nm_bits_parse_list(bad[i], &b) != -EINVAL)
			fail_msg("\"%s\" was accepted", bad[i]);
		/* Left untouched. */
		assert_ptr_equal(b.w, (uint64_t *)(uintptr_t)0x1);
		assert_int_equal(b.nbits, 7);
	}
}

/*
 * Ranges are set, and runs found, a word at a time: every range with ends
 * around word boundaries, against the bits set one by one; and the longest
 * range, many times over, in one text.
 */
static void test_bits_ranges(void **state)
{
	static const size_t ends[] = { 0, 1, 62, 63, 64, 65, 127, 128, 129, 191, 200 };

	for (size_t a = 0; a < ARRAY_SIZE(ends); a++)
		for (size_t z = a; z < ARRAY_SIZE(ends); z++) {
			struct nm_bits b = { 0 }, want = { 0 };
			char text[64], fmt[64], wfmt[64];
			int n;

			snprintf(text, sizeof(text), "%zu-%zu,300", ends[a], ends[z]);
			assert_int_equal(nm_bits_parse_list(text, &b), 0);
			for (size_t i = ends[a]; i <= ends[z]; i++)
				assert_int_equal(nm_bits_set(&want, i), 0);
			assert_int_equal(nm_bits_set(&want, 300), 0);
			assert_int_equal(nm_bits_weight(&b), ends[z] - ends[a] + 2);
			for (size_t i = 0; i < 400; i++)
				assert_int_equal(nm_bits_test(&b, i), nm_bits_test(&want, i));
			/* nm_bits_next(), both ways, against nm_bits_test(). */
			for (size_t i = 0; i <= b.nbits; i++) {
				size_t one = i, zero = i;

				while (one < b.nbits && !nm_bits_test(&b, one))
					one++;
				while (zero < b.nbits && nm_bits_test(&b, zero))
					zero++;
				assert_int_equal(nm_bits_next(&b, i, true), one);
				assert_int_equal(nm_bits_next(&b, i, false), zero);
			}
			n = nm_bits_format(&b, fmt, sizeof(fmt));
			assert_int_equal(n, strlen(fmt));
			n = nm_bits_format(&want, wfmt, sizeof(wfmt));
			assert_int_equal(n, strlen(wfmt));
			assert_string_equal(fmt, wfmt);
			if (ends[a] == ends[z])
				snprintf(wfmt, sizeof(wfmt), "%zu,300", ends[a]);
			else
				snprintf(wfmt, sizeof(wfmt), "%zu-%zu,300", ends[a], ends[z]);
			assert_string_equal(fmt, wfmt);
			nm_bits_clear(&b);
			nm_bits_clear(&want);
		}

	/* 400 times the longest range: the last bit, and only those. */
	{
		struct nm_bits b = { 0 };
		char *text = malloc(400 * 16 + 1), buf[32];
		size_t len = 0;

		assert_non_null(text);
		for (int i = 0; i < 400; i++)
			len += (size_t)sprintf(text + len, "%s1-%u", i ? "," : "", 1u << 20);
		assert_int_equal(nm_bits_parse_list(text, &b), 0);
		assert_int_equal(nm_bits_weight(&b), 1u << 20);
		assert_false(nm_bits_test(&b, 0));
		assert_true(nm_bits_test(&b, 1u << 20));
		assert_false(nm_bits_test(&b, (1u << 20) + 1));
		assert_int_equal(nm_bits_format(&b, buf, sizeof(buf)), strlen("1-1048576"));
		assert_string_equal(buf, "1-1048576");
		nm_bits_clear(&b);
		free(text);
	}
}

static void test_bits_ops(void **state)
{
	struct nm_bits b = { 0 };
	char buf[8];

	assert_false(nm_bits_test(&b, 0));
	assert_int_equal(nm_bits_weight(&b), 0);
	assert_int_equal(nm_bits_format(&b, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(nm_bits_set(&b, 3), 0);
	assert_int_equal(nm_bits_set(&b, 700), 0);
	assert_int_equal(nm_bits_set(&b, 4), 0);
	assert_int_equal(nm_bits_set(&b, 3), 0);
	assert_true(nm_bits_test(&b, 3));
	assert_true(nm_bits_test(&b, 4));
	assert_true(nm_bits_test(&b, 700));
	assert_false(nm_bits_test(&b, 5));
	assert_false(nm_bits_test(&b, 699));
	assert_false(nm_bits_test(&b, 100000));
	assert_int_equal(nm_bits_weight(&b), 3);
	/* Truncated like snprintf: the full length back. */
	assert_int_equal(nm_bits_format(&b, buf, sizeof(buf)), strlen("3-4,700"));
	assert_string_equal(buf, "3-4,700");
	assert_int_equal(nm_bits_format(&b, buf, 4), strlen("3-4,700"));
	assert_string_equal(buf, "3-4");
	assert_int_equal(nm_bits_format(&b, NULL, 0), 7);
	nm_bits_clear(&b);
	assert_null(b.w);
	assert_int_equal(b.nbits, 0);
	nm_bits_clear(&b);
}

static void test_parse_u64(void **state)
{
	uint64_t v = 42;

	assert_int_equal(nm_parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(nm_parse_u64("1234567890123", &v), 0);
	assert_int_equal(v, UINT64_C(1234567890123));
	assert_int_equal(nm_parse_u64("18446744073709551615", &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(nm_parse_u64("007", &v), 0);
	assert_int_equal(v, 7);

	v = 42;
	assert_int_equal(nm_parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(nm_parse_u64("99999999999999999999999", &v), -ERANGE);
	assert_int_equal(nm_parse_u64("", &v), -EINVAL);
	assert_int_equal(nm_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(nm_parse_u64("+1", &v), -EINVAL);
	assert_int_equal(nm_parse_u64(" 1", &v), -EINVAL);
	assert_int_equal(nm_parse_u64("1 ", &v), -EINVAL);
	assert_int_equal(nm_parse_u64("1\n", &v), -EINVAL);
	assert_int_equal(nm_parse_u64("12a", &v), -EINVAL);
	assert_int_equal(nm_parse_u64("0x10", &v), -EINVAL);
	assert_int_equal(nm_parse_u64(NULL, &v), -EINVAL);
	assert_int_equal(v, 42);
}

static void test_parse_int(void **state)
{
	int v = 42;

	assert_int_equal(nm_parse_int("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(nm_parse_int("2147483647", &v), 0);
	assert_int_equal(v, INT_MAX);
	assert_int_equal(nm_parse_int("17", &v), 0);
	assert_int_equal(v, 17);

	v = 42;
	assert_int_equal(nm_parse_int("2147483648", &v), -ERANGE);
	assert_int_equal(nm_parse_int("18446744073709551615", &v), -ERANGE);
	assert_int_equal(nm_parse_int("18446744073709551616", &v), -ERANGE);
	assert_int_equal(nm_parse_int("-1", &v), -EINVAL);
	assert_int_equal(nm_parse_int("", &v), -EINVAL);
	assert_int_equal(nm_parse_int("1.5", &v), -EINVAL);
	assert_int_equal(v, 42);
}

static void test_read_file(void **state)
{
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(nm_read_file(DATA_DIR, "sys-4node/sys/devices/system/node/online", &text, &len), 0);
	assert_string_equal(text, "0-3\n");
	assert_int_equal(len, 4);
	free(text);

	/* An empty file reads as "". */
	text = NULL;
	assert_int_equal(nm_read_file(DATA_DIR, "sys-4node/sys/devices/system/node/node2/cpulist", &text, &len), 0);
	assert_string_equal(text, "\n");
	free(text);

	/* Larger than the first buffer, and an absolute path with no sysroot. */
	{
		char path[] = "/tmp/numamove-test-XXXXXX";
		char big[10000];
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		for (size_t i = 0; i < sizeof(big); i++)
			big[i] = (char)('a' + i % 26);
		assert_int_equal(write(fd, big, sizeof(big)), sizeof(big));
		close(fd);
		text = NULL;
		assert_int_equal(nm_read_file(NULL, path, &text, &len), 0);
		unlink(path);
		assert_int_equal(len, sizeof(big));
		assert_int_equal(strlen(text), sizeof(big));
		assert_memory_equal(text, big, sizeof(big));
		free(text);
	}

	text = (char *)(uintptr_t)0x1;
	assert_int_equal(nm_read_file(DATA_DIR, "no-such-file", &text, NULL), -ENOENT);
	assert_int_equal(nm_read_filef(DATA_DIR, &text, "sys-4node/sys/devices/system/node/node%d/cpulist", 7),
			 -ENOENT);
	assert_ptr_equal(text, (char *)(uintptr_t)0x1);

	text = NULL;
	assert_int_equal(nm_read_filef(DATA_DIR, &text, "sys-sparse/sys/devices/system/node/node%d/cpulist", 5), 0);
	assert_string_equal(text, "12-15,32\n");
	free(text);
}

static void test_reasons(void **state)
{
	assert_int_equal(nm_reason_from_status(-EACCES), NUMAMOVE_REASON_SHARED);
	assert_int_equal(nm_reason_from_status(-EBUSY), NUMAMOVE_REASON_BUSY);
	assert_int_equal(nm_reason_from_status(-EAGAIN), NUMAMOVE_REASON_BUSY);
	assert_int_equal(nm_reason_from_status(-ENOMEM), NUMAMOVE_REASON_NOMEM);
	assert_int_equal(nm_reason_from_status(-EFAULT), NUMAMOVE_REASON_UNMOVABLE);
	assert_int_equal(nm_reason_from_status(-ENOENT), NUMAMOVE_REASON_GONE);
	assert_int_equal(nm_reason_from_status(-EIO), NUMAMOVE_REASON_OTHER);
	assert_int_equal(nm_reason_from_status(-EPERM), NUMAMOVE_REASON_OTHER);
	assert_int_equal(nm_reason_from_status(-EINVAL), NUMAMOVE_REASON_OTHER);

	assert_string_equal(numamove_reason_text(NUMAMOVE_REASON_SHARED),
			    "shared with other processes (moving them needs CAP_SYS_NICE)");
	assert_string_equal(numamove_reason_text(NUMAMOVE_REASON_NOMEM), "destination node out of memory");
	/* Every reason has its own text. */
	for (int i = 0; i < NUMAMOVE_REASON_COUNT; i++) {
		const char *t = numamove_reason_text((enum numamove_reason)i);

		assert_non_null(t);
		assert_true(strlen(t) > 5);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(t, numamove_reason_text((enum numamove_reason)j));
	}
	assert_null(numamove_reason_text(NUMAMOVE_REASON_COUNT));
	assert_null(numamove_reason_text((enum numamove_reason) - 1));
}

/* The line walk every /proc reader uses: each line once, blank ones too, nothing past the end. */
/* nm_stat_parse() on a heap copy of exactly @text's size, as /proc's text is read: ASan sees a read past it. */
static int stat_parse(const char *text, char *comm, size_t comm_size, char *st, unsigned long *flags,
		      unsigned long long *start)
{
	char *copy = strdup(text);
	int r;

	assert_non_null(copy);
	r = nm_stat_parse(copy, comm, comm_size, st, flags, start);
	free(copy);
	return r;
}

static void test_stat_parse(void **state)
{
	static const char *const bad[] = {
		"", "1234", "1234 bash) S", "1234 (bash S 1", ")(",
		/* Found by fuzz/fuzz-stat: a text that ends at the ')' made it read past its end. */
		"1234 (bash)", "1 (a) b) (c))",
		/* No space between the name and the state. */
		"5 (a)XS 1 5 5 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0",
		/* Too few fields for the start time (22). */
		"5 (a) S 1 5 5 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0",
	};
	char comm[16], st = '?';
	unsigned long flags = 0;
	unsigned long long start = 0;

	assert_int_equal(stat_parse("1234 (bash) S 1 1234 1234 34816 5678 4194304 100 200 0 0 5 3 0 0 20 0 1 0 98765 "
				    "8192000 300", comm, sizeof(comm), &st, &flags, &start), 0);
	assert_string_equal(comm, "bash");
	assert_int_equal(st, 'S');
	assert_int_equal(flags, 4194304);
	assert_int_equal(start, 98765);
	/* The name is the process's own: ')' and spaces in it, cut to the buffer. */
	assert_int_equal(stat_parse("42 (a) b) (c)) R 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 12345 0 0", comm,
				    4, &st, &flags, &start), 0);
	assert_string_equal(comm, "a) ");
	assert_int_equal(st, 'R');
	assert_int_equal(flags, 4194560);
	assert_int_equal(start, 12345);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (stat_parse(bad[i], comm, sizeof(comm), &st, &flags, &start) != -EIO)
			fail_msg("nm_stat_parse(\"%s\") is not -EIO", bad[i]);
}

static void test_next_line(void **state)
{
	const char *text = "a\n\nb\n", *p;

	p = nm_next_line(text);
	assert_ptr_equal(p, text + 2);
	p = nm_next_line(p);
	assert_ptr_equal(p, text + 3);
	assert_null(nm_next_line(p));
	assert_null(nm_next_line("last line, no newline"));
	assert_null(nm_next_line(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bits_parse_format),
		cmocka_unit_test(test_bits_garbage),
		cmocka_unit_test(test_bits_ranges),
		cmocka_unit_test(test_bits_ops),
		cmocka_unit_test(test_stat_parse),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_next_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
