/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Placement of a process's memory, from /proc/PID/numa_maps (pages per node
 * and policy of each mapping) joined with /proc/PID/maps (end addresses and
 * MAP_SHARED), by start address.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "internal.h"

static const char *const kind_names[NUMAMOVE_KIND_COUNT] = {
	[NUMAMOVE_KIND_ANON] = "anon",
	[NUMAMOVE_KIND_FILE] = "file",
	[NUMAMOVE_KIND_SHM] = "shm",
	[NUMAMOVE_KIND_HUGE] = "huge",
};

NM_EXPORT const char *numamove_kind_name(enum numamove_kind kind)
{
	return (unsigned)kind < NUMAMOVE_KIND_COUNT ? kind_names[kind] : NULL;
}

NM_EXPORT void numamove_maps_free(struct numamove_maps *maps)
{
	if (!maps)
		return;
	for (size_t i = 0; i < maps->n; i++) {
		free(maps->m[i].name);
		free(maps->m[i].policy);
		free(maps->m[i].pages);
	}
	free(maps->m);
	free(maps);
}

/*
 * The names the kernel gives shared memory that has no file of its own:
 * a memfd, MAP_SHARED|MAP_ANONYMOUS (/dev/zero), and with @huge
 * MAP_HUGETLB|MAP_ANONYMOUS (/anon_hugepage, always "huge" in numa_maps).
 */
static bool is_anon_shared_path(const char *p, bool huge)
{
	return strncmp(p, "/memfd:", 7) == 0 || strncmp(p, "/dev/zero", 9) == 0 ||
	       (huge && strncmp(p, "/anon_hugepage", 14) == 0);
}

/* Shared memory by its name: SysV, POSIX (/dev/shm) and anonymous. */
static bool is_shm_path(const char *p)
{
	return strncmp(p, "/SYSV", 5) == 0 || strncmp(p, "/dev/shm/", 9) == 0 || is_anon_shared_path(p, false);
}

/* @p is @name, or @name " (deleted)" (the kernel's names of unlinked shmem files). */
static bool is_name(const char *p, const char *name)
{
	size_t n = strlen(name);

	return strncmp(p, name, n) == 0 && (p[n] == '\0' || strcmp(p + n, " (deleted)") == 0);
}

bool nm_mapping_is_own_shared(const struct numamove_mapping *m)
{
	return m->shared && (strncmp(m->name, "/memfd:", 7) == 0 || is_name(m->name, "/dev/zero") ||
			     is_name(m->name, "/anon_hugepage"));
}

bool nm_mapping_is_object(const struct numamove_mapping *m, bool with_files)
{
	/* Anonymous shared memory is the process's own, not an object others can open. */
	if (m->name[0] != '/' || is_anon_shared_path(m->name, true))
		return false;
	if (m->kind == NUMAMOVE_KIND_FILE)
		return with_files;
	/* A private mapping of a tmpfs file is the process's copy. */
	return m->kind != NUMAMOVE_KIND_SHM || m->shared;
}

/* One numa_maps line into @m. Returns 0, or -EINVAL when malformed. */
static int parse_line(char *line, struct numamove_mapping *m, int *max_node)
{
	char *save = NULL, *tok, *end;
	bool is_heap = false, is_stack = false, is_huge = false;
	char *file = NULL;
	int maxn = -1, r;
	uint64_t kb = 4;

	tok = strtok_r(line, " ", &save);
	if (!tok)
		return -EINVAL;
	errno = 0;
	m->start = strtoull(tok, &end, 16);
	if (errno || *end)
		return -EINVAL;
	tok = strtok_r(NULL, " ", &save);
	if (!tok)
		return -EINVAL;
	/* "prefer (many):0-1" and "weighted interleave:0-3" hold a space. */
	if ((strcmp(tok, "prefer") == 0 || strcmp(tok, "weighted") == 0) && save && *save &&
	    (strncmp(save, "(many)", 6) == 0 || strncmp(save, "interleave", 10) == 0)) {
		char *rest = strtok_r(NULL, " ", &save);

		if (asprintf(&m->policy, "%s %s", tok, rest) < 0)
			return -ENOMEM;
	} else {
		m->policy = strdup(tok);
		if (!m->policy)
			return -ENOMEM;
	}

	while ((tok = strtok_r(NULL, " ", &save))) {
		int node;
		uint64_t v;

		if (strncmp(tok, "file=", 5) == 0)
			file = tok + 5;
		else if (strcmp(tok, "heap") == 0)
			is_heap = true;
		else if (strcmp(tok, "stack") == 0)
			is_stack = true;
		else if (strcmp(tok, "huge") == 0)
			is_huge = true;
		else if (strncmp(tok, "kernelpagesize_kB=", 18) == 0)
			kb = strtoull(tok + 18, NULL, 10);
		else if (tok[0] == 'N' && sscanf(tok, "N%d=%" SCNu64, &node, &v) == 2 && node >= 0 &&
			 node <= NM_NODE_ID_MAX) {
			/* Grown as needed: a mapping may be spread over any number of nodes. */
			r = nm_grow((void **)&m->pages, &m->n_nodes, (size_t)node + 1, sizeof(uint64_t));
			if (r < 0)
				return r;
			m->pages[node] += v;
			m->total += v;
			if (node > maxn)
				maxn = node;
		}
	}
	m->page_size = kb * 1024;
	if (file) {
		m->name = nm_unescape_octal(file, strlen(file));
		if (!m->name)
			return -ENOMEM;
	} else {
		m->name = strdup(is_heap ? "[heap]" : is_stack ? "[stack]" : "[anon]");
		if (!m->name)
			return -ENOMEM;
	}
	if (is_huge)
		m->kind = NUMAMOVE_KIND_HUGE;
	else if (file && is_shm_path(m->name))
		m->kind = NUMAMOVE_KIND_SHM;
	else if (file)
		m->kind = NUMAMOVE_KIND_FILE;
	else
		m->kind = NUMAMOVE_KIND_ANON;

	*max_node = maxn;
	return 0;
}

int nm_maps_line_parse(const char *p, struct nm_maps_line *ret)
{
	struct nm_maps_line l = { 0 };
	unsigned long long start, end, offset, ino;
	int n = 0;

	if (sscanf(p, "%llx-%llx %4s %llx %x:%x %llu%n", &start, &end, l.perms, &offset, &l.major, &l.minor,
		   &ino, &n) != 7 || n == 0)
		return -EINVAL;
	l.start = start;
	l.end = end;
	l.offset = offset;
	l.ino = ino;
	p += n;
	p += strspn(p, " ");
	l.path_len = strcspn(p, "\n");
	l.path = l.path_len ? p : NULL;
	*ret = l;
	return 0;
}

/* Sets end, shared, device and inode for each mapping from maps text. */
static void join_maps(struct numamove_maps *maps, const char *text)
{
	size_t i = 0;

	for (const char *p = text; p && *p; p = nm_next_line(p)) {
		struct nm_maps_line l;

		if (nm_maps_line_parse(p, &l) == 0) {
			/* Both files list mappings in address order. */
			while (i < maps->n && maps->m[i].start < l.start)
				i++;
			if (i < maps->n && maps->m[i].start == l.start) {
				struct numamove_mapping *m = &maps->m[i];

				m->end = l.end;
				m->shared = l.perms[3] == 's';
				m->dev_major = l.major;
				m->dev_minor = l.minor;
				m->ino = l.ino;
				m->offset = l.offset;
			}
		}
	}
}

NM_EXPORT int numamove_maps_parse(const char *numa_maps, const char *maps_text,
				  struct numamove_maps **ret_maps)
{
	struct numamove_maps *maps;
	_cleanup_free_ char *copy = NULL;
	char *line, *save = NULL;
	int r = 0;

	copy = strdup(numa_maps);
	maps = calloc(1, sizeof(*maps));
	if (!copy || !maps) {
		free(maps);
		return -ENOMEM;
	}
	maps->max_node = -1;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int maxn = -1;

		r = nm_grow((void **)&maps->m, &maps->alloc, maps->n + 1, sizeof(*maps->m));
		if (r < 0)
			break;
		r = parse_line(line, &maps->m[maps->n], &maxn);
		maps->n++;
		if (r < 0)
			break;
		if (maxn > maps->max_node)
			maps->max_node = maxn;
	}
	if (r < 0) {
		numamove_maps_free(maps);
		return r;
	}
	if (maps_text)
		join_maps(maps, maps_text);
	*ret_maps = maps;
	return 0;
}

/*
 * A MAP_SHARED mapping of a file on tmpfs is shared memory, wherever it is
 * mounted. A private mapping of one (a program run from an initramfs) is
 * counted as a file, like any other executable or library.
 */
static void classify_tmpfs(struct numamove_maps *maps, pid_t pid)
{
	for (size_t i = 0; i < maps->n; i++) {
		struct numamove_mapping *m = &maps->m[i];
		char path[4096];
		struct statfs sfs;

		if (m->kind != NUMAMOVE_KIND_FILE || !m->shared || m->name[0] != '/')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, m->name) >= sizeof(path))
			continue;
		if (statfs(path, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC)
			m->kind = NUMAMOVE_KIND_SHM;
	}
}

NM_EXPORT int numamove_maps_read(const struct numamove_task *task, struct numamove_maps **ret_maps)
{
	_cleanup_free_ char *numa_maps = NULL, *maps_text = NULL;
	pid_t pid = numamove_task_pid(task);
	struct numamove_maps *maps;
	int r;

	r = nm_read_filef(NULL, &numa_maps, "/proc/%d/numa_maps", (int)pid);
	if (r == 0)
		r = nm_read_filef(NULL, &maps_text, "/proc/%d/maps", (int)pid);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	/* The files name whatever process has the pid now: make sure it is ours. */
	r = numamove_task_check(task);
	if (r < 0)
		return r;
	r = numamove_maps_parse(numa_maps, maps_text, &maps);
	if (r < 0)
		return r;
	classify_tmpfs(maps, pid);
	*ret_maps = maps;
	return 0;
}

NM_EXPORT size_t numamove_maps_count(const struct numamove_maps *maps)
{
	return maps->n;
}

NM_EXPORT const struct numamove_mapping *numamove_maps_get(const struct numamove_maps *maps, size_t i)
{
	return i < maps->n ? &maps->m[i] : NULL;
}

NM_EXPORT uint64_t numamove_maps_bytes(const struct numamove_maps *maps, int node, int kind)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < maps->n; i++) {
		const struct numamove_mapping *m = &maps->m[i];

		if (kind >= 0 && (int)m->kind != kind)
			continue;
		sum += numamove_mapping_pages(m, node) * m->page_size;
	}
	return sum;
}

NM_EXPORT int numamove_maps_nodes(const struct numamove_maps *maps, struct numamove_nodelist **ret_list)
{
	/*
	 * The bytes of each node, summed in one pass over the mappings (as
	 * numamove_maps_bytes() sums them): a pass per node made a numa_maps
	 * with a high node id ("N65535=1") cost 65,536 walks of every mapping.
	 */
	_cleanup_free_ uint64_t *bytes = calloc((size_t)maps->max_node + 2, sizeof(uint64_t));
	struct numamove_nodelist *l;
	int r;

	if (!bytes)
		return -ENOMEM;
	for (size_t i = 0; i < maps->n; i++) {
		const struct numamove_mapping *m = &maps->m[i];

		for (size_t node = 0; node < m->n_nodes && (int)node <= maps->max_node; node++)
			bytes[node] += m->pages[node] * m->page_size;
	}
	r = numamove_nodelist_new(&l);
	/* Ascending and each once: appended without numamove_nodelist_add()'s search for a repeat. */
	for (int node = 0; r >= 0 && node <= maps->max_node; node++)
		if (bytes[node] > 0) {
			r = nm_grow((void **)&l->ids, &l->alloc, l->n + 1, sizeof(int));
			if (r >= 0)
				l->ids[l->n++] = node;
		}
	if (r < 0) {
		numamove_nodelist_free(l);
		return r;
	}
	*ret_list = l;
	return 0;
}

NM_EXPORT uint64_t numamove_mapping_start(const struct numamove_mapping *m)
{
	return m->start;
}

NM_EXPORT uint64_t numamove_mapping_end(const struct numamove_mapping *m)
{
	return m->end;
}

NM_EXPORT enum numamove_kind numamove_mapping_kind(const struct numamove_mapping *m)
{
	return m->kind;
}

NM_EXPORT const char *numamove_mapping_name(const struct numamove_mapping *m)
{
	return m->name;
}

NM_EXPORT const char *numamove_mapping_policy(const struct numamove_mapping *m)
{
	return m->policy;
}

NM_EXPORT bool numamove_mapping_policy_is_default(const struct numamove_mapping *m)
{
	return strncmp(m->policy, "default", 7) == 0 && (m->policy[7] == '\0' || m->policy[7] == '=');
}

NM_EXPORT uint64_t numamove_mapping_page_size(const struct numamove_mapping *m)
{
	return m->page_size;
}

NM_EXPORT uint64_t numamove_mapping_pages(const struct numamove_mapping *m, int node)
{
	if (node < 0)
		return m->total;
	return (size_t)node < m->n_nodes ? m->pages[node] : 0;
}

NM_EXPORT bool numamove_mapping_shared(const struct numamove_mapping *m)
{
	return m->shared;
}
