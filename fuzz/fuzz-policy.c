/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Policy strings (numamove_policy_parse(): MODE[=FLAG|FLAG][:NODES], as
 * users and numa_maps write them), with the fixed topology or none (the
 * first byte says which). Whatever parses must format back to a text that
 * parses to an equal policy, and survive the trip to the kernel's form.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct numamove_topology *topo;
	struct numamove_policy *p = NULL, *again = NULL, *back = NULL;
	unsigned long mask[NM_MASK_WORDS];
	char *text, buf[8192];
	int bad = 0, r, n, kmode;

	if (size < 1)
		return 0;
	topo = data[0] & 1 ? fuzz_topology() : NULL;
	text = fuzz_strndup(data + 1, size - 1);
	r = numamove_policy_parse(text, topo, &p, &bad);
	if (r == 0) {
		n = numamove_policy_format(p, buf, sizeof(buf));
		FUZZ_ASSERT(n >= 0);
		if ((size_t)n < sizeof(buf)) {
			FUZZ_ASSERT(numamove_policy_parse(buf, topo, &again, NULL) == 0);
			FUZZ_ASSERT(numamove_policy_equal(p, again));
		}
		memset(mask, 0, sizeof(mask));
		if (nm_policy_to_kernel(p, &kmode, mask, NM_MASK_BITS) == 0 &&
		    nm_policy_from_kernel(kmode, mask, NM_MASK_BITS, &back) == 0)
			numamove_policy_free(back);
		nm_policy_supported(p);
	}
	numamove_policy_free(again);
	numamove_policy_free(p);
	free(text);
	return 0;
}
