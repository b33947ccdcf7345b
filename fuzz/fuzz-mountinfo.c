/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/self/mountinfo (nm_mountinfo_points(), nm_mountinfo_shmem()): mount
 * points are chosen by whoever mounts (in a user namespace, anyone), and
 * /proc/sysvipc/shm (nm_shm_parse()), the other text the shared-object
 * discovery reads. Each mount point comes back once, unescaped.
 */
#include "fuzz.h"

static void check_points(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			FUZZ_ASSERT(strcmp(paths[i], paths[j]) != 0);
	nm_strv_free(paths, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = { "cgroup2", "tmpfs", "", NULL };
	char *text = fuzz_strndup(data, size), **paths = NULL;
	size_t n = 0;
	int *ids = NULL;

	if (nm_mountinfo_points(text, types, &paths, &n) == 0)
		check_points(paths, n);
	if (nm_mountinfo_shmem(text, &paths, &n) == 0)
		check_points(paths, n);
	if (nm_shm_parse(text, &ids, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			FUZZ_ASSERT(ids[i] >= 0);
		free(ids);
	}
	free(text);
	return 0;
}
