/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The shared-object handle, private to its files: object.c (lifetime,
 * opening, identity, accessors, the move), object-resident.c (which pages
 * are resident, and where), object-policy.c (the shared policy) and
 * discover.c (finding objects and who maps them).
 */
#ifndef NUMAMOVE_OBJECT_H
#define NUMAMOVE_OBJECT_H

#include <sys/stat.h>
#include <sys/types.h>

#include "internal.h"

/* Pages [first, first + n) of the object, in its page size. */
struct extent {
	uint64_t first, n;
};

struct numamove_object {
	enum numamove_object_type type;
	char *path;       /* NULL for SysV */
	int fd;           /* files: opened read-only */
	int shmid, key;   /* SysV; -1 and 0 otherwise */
	dev_t dev;        /* files; SysV: the device of its mapping (0: unknown) */
	ino_t ino;
	uint64_t size, page_size;
	bool hugetlb;
	bool shm_writable; /* SysV: attached read-write (for the userfaultfd) */
	/* The mapping in this process. */
	char *addr;
	size_t len;
	/* The pages read by the last load: the only ones asked where they are. */
	struct extent *ext;
	size_t n_ext, alloc_ext;
	/* The placement, as a one-mapping numamove_maps for plans. */
	struct numamove_maps maps;
	struct numamove_mapping map;
	char *policy;
};

/* The object's length rounded up to whole pages of its page size: what is mapped. */
static inline size_t nm_object_len(const struct numamove_object *obj)
{
	return (size_t)((obj->size + obj->page_size - 1) / obj->page_size * obj->page_size);
}

/* object.c */
/*
 * Opens the regular file at @path as an object; with @expect (a walk's
 * lstat), only the file it names. See numamove_object_open().
 */
int nm_object_open_file(const char *path, const struct stat *expect, struct numamove_object **ret_obj);
/* @fd opened again with @flags, by /proc/self/fd: the same file, whatever its path names now. */
int nm_object_reopen(int fd, int flags);
/* 1 when process @pid is in our IPC namespace, 0 when not, or a negative errno. */
int nm_same_ipc_ns(pid_t pid);

/* ownshm.c: the process's own shared memory (nm_mapping_is_own_shared()) of mapping @m, through map_files. */
int nm_object_open_own(const struct numamove_mapping *m, pid_t pid, struct numamove_object **ret_obj);

/* object-resident.c: asks move_pages(2) where each page read by the load is; fills obj->map. */
int nm_object_count_pages(struct numamove_object *obj);

/* object-policy.c: reads the shared policy of a mapped object into obj->policy. */
int nm_object_read_policy(struct numamove_object *obj);

#endif
