/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/numa_maps and /proc/PID/maps text (numamove_maps_parse(),
 * nm_maps_line_parse()): a process names its own files and mappings
 * (prctl PR_SET_VMA names, paths with any bytes), so the text is only
 * semi-trusted. The input is the numa_maps text, then a NUL, then the
 * maps text (none without the NUL).
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n1 = nul ? (size_t)(nul - data) : size;
	char *numa_maps = fuzz_strndup(data, n1), *maps_text = nul ? fuzz_strndup(nul + 1, size - n1 - 1) : NULL;
	struct numamove_maps *maps = NULL;
	struct numamove_nodelist *nodes = NULL;

	if (numamove_maps_parse(numa_maps, maps_text, &maps) == 0) {
		uint64_t sum = 0;

		for (size_t i = 0; i < numamove_maps_count(maps); i++) {
			const struct numamove_mapping *m = numamove_maps_get(maps, i);

			FUZZ_ASSERT(numamove_mapping_name(m) && numamove_mapping_policy(m));
			FUZZ_ASSERT((int)numamove_mapping_kind(m) >= 0 &&
				    numamove_mapping_kind(m) < NUMAMOVE_KIND_COUNT);
			numamove_mapping_policy_is_default(m);
			nm_mapping_is_object(m, true);
			nm_mapping_is_own_shared(m);
			sum += numamove_mapping_pages(m, -1);
		}
		(void)sum;
		if (numamove_maps_nodes(maps, &nodes) == 0) {
			for (size_t i = 0; i < nodes->n; i++)
				FUZZ_ASSERT(nodes->ids[i] <= maps->max_node);
			numamove_nodelist_free(nodes);
		}
		numamove_maps_bytes(maps, 0, -1);
		numamove_maps_free(maps);
	}
	/* Each line of either text as a maps line. */
	for (const char *text = numa_maps; text; text = text == numa_maps ? maps_text : NULL)
		for (const char *p = text; p && *p; p = nm_next_line(p)) {
			struct nm_maps_line l;

			if (nm_maps_line_parse(p, &l) == 0 && l.path) {
				FUZZ_ASSERT(l.path >= p && l.path + l.path_len <= p + strlen(p));
				FUZZ_ASSERT(!memchr(l.path, '\n', l.path_len));
			}
		}
	free(maps_text);
	free(numa_maps);
	return 0;
}
