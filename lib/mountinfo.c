/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/self/mountinfo, read in one place: the shared-object discovery
 * walks the tmpfs and hugetlbfs mounts, the cgroup route needs where
 * cgroup v2 is mounted. A line is
 *
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
 *
 * with a variable number of optional fields before the " - ", and white
 * space (and backslashes) in the mount point written as octal escapes
 * ("\040"), which are undone here (proc_pid_mountinfo(5)).
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* Whether @type (@len bytes, not terminated) is one of @types. */
static bool type_in(const char *type, size_t len, const char *const *types)
{
	for (; *types; types++)
		if (strlen(*types) == len && strncmp(type, *types, len) == 0)
			return true;
	return false;
}

int nm_mountinfo_points(const char *text, const char *const *types, char ***ret_paths, size_t *ret_count)
{
	char **paths = NULL;
	size_t n = 0, alloc = 0;

	for (const char *p = text; p && *p; p = nm_next_line(p)) {
		const char *f[5], *sep, *type, *eol = p + strcspn(p, "\n");
		size_t k = 0;
		char *path;
		bool dup = false;
		int r;

		/* The five fixed fields up to the mount point; a line cut short is skipped. */
		for (const char *q = p; k < 5 && q < eol; k++) {
			f[k] = q;
			q += strcspn(q, " \n");
			q += q < eol;
		}
		sep = strstr(p, " - ");
		if (k < 5 || !sep || sep > eol)
			continue;
		type = sep + 3;
		if (!type_in(type, strcspn(type, " \n"), types))
			continue;
		path = nm_unescape_octal(f[4], strcspn(f[4], " \n"));
		if (!path) {
			nm_strv_free(paths, n);
			return -ENOMEM;
		}
		/* A file system mounted twice on one point (over itself) is listed once. */
		for (size_t i = 0; i < n; i++)
			dup = dup || strcmp(paths[i], path) == 0;
		if (dup) {
			free(path);
			continue;
		}
		r = nm_grow((void **)&paths, &alloc, n + 1, sizeof(*paths));
		if (r < 0) {
			free(path);
			nm_strv_free(paths, n);
			return r;
		}
		paths[n++] = path;
	}
	*ret_paths = paths;
	*ret_count = n;
	return 0;
}

int nm_mount_points(const char *const *types, char ***ret_paths, size_t *ret_count)
{
	_cleanup_free_ char *text = NULL;
	int r = nm_read_file(NULL, "/proc/self/mountinfo", &text, NULL);

	if (r < 0)
		return r;
	return nm_mountinfo_points(text, types, ret_paths, ret_count);
}
