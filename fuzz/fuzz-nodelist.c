/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Node lists as users write them (numamove_nodelist_parse(): "!", "+",
 * "all", ranges) and as the kernel prints them (nm_nodelist_from_list(),
 * nm_bits_parse_list(): Mems_allowed_list, cgroup cpuset.mems, sysfs).
 * Whatever parses must format back to a text that parses to the same list.
 * The first byte picks the reference set: the topology's memory nodes or
 * {8, 1, 3}.
 */
#include "fuzz.h"

static bool same(const struct numamove_nodelist *a, const struct numamove_nodelist *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->ids[i] != b->ids[i])
			return false;
	return true;
}

static void user_list(const char *text, const struct numamove_nodelist *allowed)
{
	const struct numamove_topology *topo = fuzz_topology();
	struct numamove_nodelist *l = (struct numamove_nodelist *)(uintptr_t)1, *again = NULL;
	char *fmt = NULL;
	int bad = 0, r;

	r = numamove_nodelist_parse(text, topo, allowed, &l, &bad);
	if (r < 0) {
		FUZZ_ASSERT(l == (struct numamove_nodelist *)(uintptr_t)1);
		FUZZ_ASSERT(r == -EINVAL || r == -ENODEV || r == -ERANGE || r == -ENOENT);
		if (r == -EINVAL)
			FUZZ_ASSERT(bad >= 0 && (size_t)bad <= strlen(text));
		return;
	}
	FUZZ_ASSERT(l->n > 0);
	for (size_t i = 0; i < l->n; i++) {
		FUZZ_ASSERT(numamove_topology_has_node(topo, l->ids[i]));
		FUZZ_ASSERT(numamove_nodelist_index(l, l->ids[i]) == (int)i);
	}
	FUZZ_ASSERT(nm_nodelist_format_alloc(l, &fmt) == 0);
	FUZZ_ASSERT(numamove_nodelist_parse(fmt, topo, allowed, &again, NULL) == 0);
	FUZZ_ASSERT(same(l, again));
	free(fmt);
	numamove_nodelist_free(again);
	numamove_nodelist_free(l);
}

static void kernel_list(const char *text)
{
	struct numamove_nodelist *l = NULL, *again = NULL;
	struct nm_bits bits = { 0 }, bits2 = { 0 };
	char *fmt = NULL;
	bool strided = strchr(text, ':') != NULL;

	/*
	 * The text round trips, unless strides made more than 4096 separate
	 * numbers: "7-65535:4" formats to 16,383 of them, a cost of the
	 * output's size (milliseconds each) and no code that smaller lists
	 * miss. Without strides the runs are at most the ranges of the input.
	 */
	if (nm_nodelist_from_list(text, &l) == 0) {
		for (size_t i = 1; i < l->n; i++)
			FUZZ_ASSERT(l->ids[i - 1] < l->ids[i]);
		if (!strided || l->n <= 4096) {
			FUZZ_ASSERT(nm_nodelist_format_alloc(l, &fmt) == 0);
			FUZZ_ASSERT(nm_nodelist_from_list(fmt, &again) == 0);
			FUZZ_ASSERT(same(l, again));
			free(fmt);
			numamove_nodelist_free(again);
		}
		numamove_nodelist_free(l);
	}
	if (nm_bits_parse_list(text, &bits) == 0 && (!strided || nm_bits_weight(&bits) <= 4096)) {
		int len = nm_bits_format(&bits, NULL, 0);

		FUZZ_ASSERT(len >= 0);
		fmt = malloc((size_t)len + 1);
		FUZZ_ASSERT(fmt);
		FUZZ_ASSERT(nm_bits_format(&bits, fmt, (size_t)len + 1) == len);
		FUZZ_ASSERT(nm_bits_parse_list(fmt, &bits2) == 0);
		FUZZ_ASSERT(nm_bits_weight(&bits) == nm_bits_weight(&bits2));
		/* Word by word: a bit at a time, "0-1048576" cost a million steps here. */
		for (size_t w = 0; w < bits.nbits / 64 || w < bits2.nbits / 64; w++)
			FUZZ_ASSERT((w < bits.nbits / 64 ? bits.w[w] : 0) == (w < bits2.nbits / 64 ? bits2.w[w] : 0));
		free(fmt);
		nm_bits_clear(&bits2);
	}
	nm_bits_clear(&bits);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct numamove_nodelist *allowed = NULL;
	char *text;

	if (size < 1)
		return 0;
	text = fuzz_strndup(data + 1, size - 1);
	if (data[0] & 1) {
		FUZZ_ASSERT(numamove_nodelist_new(&allowed) == 0);
		FUZZ_ASSERT(numamove_nodelist_add(allowed, 8) == 0);
		FUZZ_ASSERT(numamove_nodelist_add(allowed, 1) == 0);
		FUZZ_ASSERT(numamove_nodelist_add(allowed, 3) == 0);
	}
	user_list(text, allowed);
	kernel_list(text);
	numamove_nodelist_free(allowed);
	free(text);
	return 0;
}
