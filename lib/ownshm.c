/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A process's own shared memory: anonymous shared memory
 * (MAP_SHARED|MAP_ANONYMOUS, "/dev/zero (deleted)" in maps; with
 * MAP_HUGETLB "/anon_hugepage") and memfd ("/memfd:NAME (deleted)").
 *
 * Each is a shmem (or hugetlbfs) file that no one can open by name: only
 * the processes that inherited the mapping, or were passed the descriptor,
 * reach it. Its pages stay resident whether or not any process maps them
 * now (a server's buffer filled by a backend that exited), and
 * move_pages(2) and migrate_pages(2) see only pages in the page tables of
 * the process they are given. So the file is opened through
 * /proc/PID/map_files/START-END (the kernel allows that only to
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE in the initial user namespace)
 * and handled as a tmpfs file: mapped here, its resident pages found with
 * mincore(2) and SEEK_DATA (holes stay holes), moved from our mapping
 * (object-resident.c, object.c). Identity is the file's device and inode,
 * as /proc/PID/maps shows them: the same object however many processes
 * of a family map it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "object.h"

int nm_object_open_own(const struct numamove_mapping *m, pid_t pid, struct numamove_object **ret_obj)
{
	struct numamove_object *obj = NULL;
	char path[96];
	char *name;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, m->start, m->end);
	r = nm_object_open_file(path, NULL, &obj);
	if (r == -EACCES || r == -EPERM)
		return -EPERM; /* no CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE */
	if (r < 0)
		return r == -ENOENT || r == -ESRCH ? -ENOENT : r;
	if (major(obj->dev) != m->dev_major || minor(obj->dev) != m->dev_minor || obj->ino != m->ino) {
		/* Unmapped and something else mapped there since. */
		numamove_object_free(obj);
		return -ENOENT;
	}
	/* Named as the process's maps name it. */
	name = strdup(m->name);
	if (!name) {
		numamove_object_free(obj);
		return -ENOMEM;
	}
	free(obj->path);
	obj->path = name;
	*ret_obj = obj;
	return 0;
}

/* Whether mappings @a and @b map the same file. */
static bool same_file(const struct numamove_mapping *a, const struct numamove_mapping *b)
{
	return a->dev_major == b->dev_major && a->dev_minor == b->dev_minor && a->ino == b->ino;
}

/* Object @obj's resident pages per node, less what @maps maps of it (@first: its first mapping), into @out. */
static int unmapped_pages(const struct numamove_maps *maps, size_t first, const struct numamove_object *obj,
			  struct numamove_mapping *out, int *max_node)
{
	const struct numamove_mapping *m0 = &maps->m[first];
	uint64_t ps = obj->page_size;
	int r;

	*out = (struct numamove_mapping){
		.start = m0->start,
		.end = m0->end,
		.kind = obj->hugetlb ? NUMAMOVE_KIND_HUGE : NUMAMOVE_KIND_SHM,
		.page_size = ps,
		.shared = true,
		.dev_major = m0->dev_major,
		.dev_minor = m0->dev_minor,
		.ino = m0->ino,
	};
	out->name = strdup(m0->name);
	out->policy = strdup(obj->policy ? obj->policy : "default");
	if (!out->name || !out->policy)
		return -ENOMEM;
	for (size_t node = 0; node < obj->map.n_nodes; node++) {
		uint64_t have = obj->map.pages[node], mapped = 0;

		if (!have)
			continue;
		for (size_t k = first; k < maps->n; k++)
			if (same_file(&maps->m[k], m0))
				mapped += numamove_mapping_pages(&maps->m[k], (int)node) * maps->m[k].page_size;
		mapped /= ps;
		if (mapped >= have)
			continue;
		r = nm_grow((void **)&out->pages, &out->n_nodes, node + 1, sizeof(uint64_t));
		if (r < 0)
			return r;
		out->pages[node] = have - mapped;
		out->total += have - mapped;
		if ((int)node > *max_node)
			*max_node = (int)node;
	}
	return 0;
}

NM_EXPORT int numamove_maps_read_unmapped(const struct numamove_task *task, const struct numamove_maps *maps,
					  struct numamove_maps **ret_maps)
{
	struct numamove_maps *out;
	int r = 0;

	if (!task || !maps || !ret_maps)
		return -EINVAL;
	out = calloc(1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	out->max_node = -1;
	for (size_t k = 0; r == 0 && k < maps->n; k++) {
		const struct numamove_mapping *m = &maps->m[k];
		struct numamove_object *obj = NULL;
		bool seen = false;

		if (!nm_mapping_is_own_shared(m))
			continue;
		for (size_t j = 0; j < k && !seen; j++)
			seen = nm_mapping_is_own_shared(&maps->m[j]) && same_file(&maps->m[j], m);
		if (seen)
			continue;
		r = nm_object_open_own(m, numamove_task_pid(task), &obj);
		if (r == -ENOENT) {
			/* Unmapped since @maps was read: nothing of it to count. */
			r = numamove_task_check(task);
			continue;
		}
		if (r == 0)
			r = numamove_object_load(obj);
		if (r == 0)
			r = nm_grow((void **)&out->m, &out->alloc, out->n + 1, sizeof(*out->m));
		if (r == 0) {
			r = unmapped_pages(maps, k, obj, &out->m[out->n], &out->max_node);
			out->n++; /* freed with the rest, whatever it holds */
		}
		numamove_object_free(obj);
	}
	if (r < 0) {
		numamove_maps_free(out);
		return r;
	}
	*ret_maps = out;
	return 0;
}
