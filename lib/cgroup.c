/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup route: for a process in a cgroup v2 cpuset of its own (a
 * container, a batch job), rewriting cpuset.mems makes the kernel rebind
 * every task and mapping policy of the group by position and migrate its
 * memory; the write returns once the migration is done. cpuset.cpus is
 * rewritten to the destination nodes' CPUs so that threads follow.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

/* Where cgroup v2 is mounted, from our mountinfo: the first of its mount points. */
int nm_cgroup2_mount(char **ret)
{
	static const char *const types[] = { "cgroup2", NULL };
	char **mounts = NULL;
	size_t n = 0;
	int r = nm_mount_points(types, &mounts, &n);

	if (r < 0)
		return r;
	if (n == 0)
		r = -ENOENT;
	else
		*ret = TAKE_PTR(mounts[0]);
	nm_strv_free(mounts, n);
	return r;
}

NM_EXPORT int numamove_cgroup_of(pid_t pid, char **ret_path)
{
	_cleanup_free_ char *text = NULL, *mnt = NULL;
	char *rel;
	int r;

	r = nm_read_filef(NULL, &text, "/proc/%d/cgroup", (int)pid);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	/* The unified hierarchy's line is "0::/PATH". */
	rel = strstr(text, "0::");
	if (!rel || (rel != text && rel[-1] != '\n'))
		return -ENOENT;
	rel += 3;
	rel[strcspn(rel, "\n")] = '\0';
	r = nm_cgroup2_mount(&mnt);
	if (r < 0)
		return r;
	if (strcmp(rel, "/") == 0)
		rel = "";
	return asprintf(ret_path, "%s%s", mnt, rel) < 0 ? -ENOMEM : 0;
}

/* The whole of a group's file @attr. */
static int read_attr(const char *path, const char *attr, char **ret)
{
	_cleanup_free_ char *file = NULL;

	if (asprintf(&file, "%s/%s", path, attr) < 0)
		return -ENOMEM;
	return nm_read_file(NULL, file, ret, NULL);
}

static int write_attr(const char *path, const char *attr, const char *value)
{
	_cleanup_free_ char *file = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = strlen(value);

	if (asprintf(&file, "%s/%s", path, attr) < 0)
		return -ENOMEM;
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The kernel migrates the group's memory before this returns. */
	if (write(fd, value, len) != (ssize_t)len)
		return -errno;
	return 0;
}

NM_EXPORT int numamove_cgroup_check(const char *path)
{
	_cleanup_free_ char *file = NULL;
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (asprintf(&file, "%s/cgroup.procs", path) < 0)
		return -ENOMEM;
	if (access(file, F_OK) < 0)
		return -ENOENT; /* not a cgroup */
	free(file);
	if (asprintf(&file, "%s/cpuset.mems", path) < 0)
		return -ENOMEM;
	/* The root has no cpuset.mems, nor has a group whose parent does not enable cpuset. */
	return access(file, F_OK) < 0 ? -EOPNOTSUPP : 0;
}

NM_EXPORT int numamove_cgroup_pids(const char *path, pid_t **ret_pids, size_t *ret_count)
{
	_cleanup_free_ char *text = NULL;
	pid_t *pids = NULL;
	size_t n = 0, alloc = 0;
	char *save = NULL;
	int r = read_attr(path, "cgroup.procs", &text);

	if (r < 0)
		return r;
	for (char *tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		int pid;

		if (nm_parse_int(tok, &pid) < 0)
			continue;
		r = nm_grow((void **)&pids, &alloc, n + 1, sizeof(*pids));
		if (r < 0) {
			free(pids);
			return r;
		}
		pids[n++] = pid;
	}
	*ret_pids = pids;
	*ret_count = n;
	return 0;
}

/* Whether the group @path is of type "threaded" (cgroup.type; not "domain threaded", its root). */
static bool is_threaded(const char *path)
{
	_cleanup_free_ char *file = NULL;
	char type[32] = "";
	FILE *f;

	if (asprintf(&file, "%s/cgroup.type", path) < 0)
		return false;
	f = fopen(file, "re");
	if (!f)
		return false;
	if (!fgets(type, sizeof(type), f))
		type[0] = '\0';
	fclose(f);
	return strcmp(type, "threaded\n") == 0;
}

/* Appends the processes of @path and of the groups below it (at most @depth levels) to @pids. */
static int tree_pids(const char *path, unsigned int depth, pid_t **pids, size_t *n, size_t *alloc)
{
	_cleanup_free_ pid_t *own = NULL;
	size_t n_own = 0;
	DIR *dir;
	struct dirent *de;
	int r = numamove_cgroup_pids(path, &own, &n_own);

	if (r < 0)
		return r;
	r = nm_grow((void **)pids, alloc, *n + n_own, sizeof(**pids));
	if (r < 0)
		return r;
	for (size_t i = 0; i < n_own; i++)
		(*pids)[(*n)++] = own[i];
	if (depth == 0)
		return 0;
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : -errno; /* a group removed meanwhile has no process left */
	while (r == 0 && (errno = 0, de = readdir(dir))) {
		_cleanup_free_ char *sub = NULL;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&sub, "%s/%s", path, de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		/*
		 * A threaded group's cgroup.procs cannot be read (EOPNOTSUPP): its
		 * threaded domain's, read above, lists the processes of its whole
		 * threaded subtree (libvirt's vCPU groups, say).
		 */
		if (is_threaded(sub))
			continue;
		r = tree_pids(sub, depth - 1, pids, n, alloc);
		if (r == -ENOENT)
			r = 0;
	}
	closedir(dir);
	return r;
}

/*
 * What the cgroup route counts and moves: a cpuset write to @path moves
 * every process below it (cgroup v2 keeps processes in leaves only, so a
 * job's or container's group often has none of its own).
 */
NM_EXPORT int numamove_cgroup_pids_below(const char *path, pid_t **ret_pids, size_t *ret_count)
{
	pid_t *pids = NULL;
	size_t n = 0, alloc = 0;
	int r;

	if (!path || !ret_pids || !ret_count)
		return -EINVAL;
	/* Deeper than any manager nests (Slurm: job, step, user, task). */
	r = tree_pids(path, 16, &pids, &n, &alloc);
	if (r < 0) {
		free(pids);
		return r;
	}
	*ret_pids = pids;
	*ret_count = n;
	return 0;
}

NM_EXPORT int numamove_cgroup_mems(const char *path, struct numamove_nodelist **ret_list)
{
	_cleanup_free_ char *text = NULL;
	int r = read_attr(path, "cpuset.mems.effective", &text);

	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	return nm_nodelist_from_list(text, ret_list);
}

/* The CPUs of @nodes that have any, as a cpulist; empty when none has. */
static int cpus_of(const struct numamove_topology *topo, const struct numamove_nodelist *nodes, char **ret)
{
	struct nm_bits all = { 0 };
	int r = 0, len;

	for (size_t i = 0; r == 0 && i < numamove_nodelist_count(nodes); i++) {
		const struct nm_node *n = nm_topology_node(topo, numamove_nodelist_get(nodes, i));

		for (size_t c = 0; r == 0 && n && c < n->cpus.nbits; c++)
			if (nm_bits_test(&n->cpus, c))
				r = nm_bits_set(&all, c);
	}
	len = r < 0 ? r : nm_bits_format(&all, NULL, 0);
	if (len >= 0) {
		*ret = malloc((size_t)len + 1);
		if (*ret)
			nm_bits_format(&all, *ret, (size_t)len + 1);
		r = *ret ? 0 : -ENOMEM;
	} else {
		r = len;
	}
	nm_bits_clear(&all);
	return r;
}

NM_EXPORT int numamove_cgroup_move(const char *path, const struct numamove_plan *plan,
				   const struct numamove_topology *topo, unsigned int flags,
				   struct numamove_nodelist **ret_mems)
{
	_cleanup_(nm_nodelist_freep) struct numamove_nodelist *old = NULL, *mems = NULL, *now = NULL;
	_cleanup_free_ char *cpus = NULL, *text = NULL;
	int r;

	r = numamove_cgroup_check(path);
	if (r == 0)
		r = numamove_cgroup_mems(path, &old);
	/* Each allowed node goes where the plan sends it; the kernel remaps by position. */
	if (r == 0)
		r = numamove_plan_map_nodes(plan, old, &mems);
	if (r < 0)
		return r;
	if (!(flags & NUMAMOVE_CGROUP_MEMS_ONLY)) {
		r = cpus_of(topo, mems, &cpus);
		if (r < 0)
			return r;
		/* CPUs first: the threads then run next to where their memory goes. */
		if (cpus[0] && (r = write_attr(path, "cpuset.cpus", cpus)) < 0)
			return r;
	}
	r = nm_nodelist_format_alloc(mems, &text);
	if (r < 0)
		return r;
	r = write_attr(path, "cpuset.mems", text);
	if (r < 0)
		return r;
	/* A parent that does not allow the nodes leaves them out of the effective set. */
	r = numamove_cgroup_mems(path, &now);
	if (r < 0)
		return r;
	for (size_t i = 0; i < numamove_nodelist_count(mems); i++)
		if (!numamove_nodelist_contains(now, numamove_nodelist_get(mems, i)))
			return -EXDEV;
	if (ret_mems)
		*ret_mems = TAKE_PTR(mems);
	return 0;
}
