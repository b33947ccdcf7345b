/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The placement extended attribute (numamove_placement_parse()): any user
 * who can write a file's user.* attributes writes it, and numamoved reads
 * it as root. The input is the attribute's value, as read (not
 * NUL-terminated); the first byte picks the fixed topology or none. What
 * parses formats back to a value that parses to the same placement.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct numamove_topology *topo;
	struct numamove_placement *p = NULL, *again = NULL;
	char buf[NUMAMOVE_PLACEMENT_MAX + 64], *value;
	int r, n;

	if (size < 1)
		return 0;
	topo = data[0] & 1 ? fuzz_topology() : NULL;
	/* An exact-size copy: the parser must not read past @len. */
	value = malloc(size - 1 ? size - 1 : 1);
	FUZZ_ASSERT(value);
	memcpy(value, data + 1, size - 1);
	r = numamove_placement_parse(value, size - 1, topo, &p);
	if (r == 0) {
		n = numamove_placement_format(p, buf, sizeof(buf));
		if (n >= 0 && n < NUMAMOVE_PLACEMENT_MAX) {
			FUZZ_ASSERT(numamove_placement_parse(buf, (size_t)n, topo, &again) == 0);
			FUZZ_ASSERT(numamove_policy_equal(numamove_placement_policy(p), numamove_placement_policy(again)));
			FUZZ_ASSERT(numamove_placement_flags(p) == numamove_placement_flags(again));
		}
	} else {
		FUZZ_ASSERT(r == -EBADMSG || r == -EPROTONOSUPPORT || r == -ENODEV || r == -ERANGE || r == -ENOMEM);
	}
	numamove_placement_free(again);
	numamove_placement_free(p);
	free(value);
	return 0;
}
