/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared objects: SysV segments, tmpfs and hugetlbfs files, the page cache
 * of regular files. This file holds the handle: opening one by path, by
 * SysV id or key, or by a process's mapping of it, which object it is
 * (the same file or segment whatever it is called now), its accessors and
 * the move. Which pages are resident, and where, is object-resident.c;
 * the shared policy object-policy.c; finding objects discover.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "object.h"

static const char *const type_names[NUMAMOVE_OBJECT_TYPE_COUNT] = {
	[NUMAMOVE_OBJECT_SYSV] = "sysv",
	[NUMAMOVE_OBJECT_TMPFS] = "tmpfs",
	[NUMAMOVE_OBJECT_HUGETLBFS] = "hugetlbfs",
	[NUMAMOVE_OBJECT_FILE] = "file",
};

NM_EXPORT const char *numamove_object_type_name(enum numamove_object_type type)
{
	return (unsigned)type < NUMAMOVE_OBJECT_TYPE_COUNT ? type_names[type] : NULL;
}

static struct numamove_object *object_new(enum numamove_object_type type)
{
	struct numamove_object *obj = calloc(1, sizeof(*obj));

	if (!obj)
		return NULL;
	obj->type = type;
	obj->fd = -1;
	obj->shmid = -1;
	obj->page_size = (uint64_t)getpagesize();
	return obj;
}

static void unmap(struct numamove_object *obj)
{
	if (!obj->addr)
		return;
	if (obj->type == NUMAMOVE_OBJECT_SYSV)
		shmdt(obj->addr);
	else
		munmap(obj->addr, obj->len);
	obj->addr = NULL;
}

NM_EXPORT void numamove_object_free(struct numamove_object *obj)
{
	if (!obj)
		return;
	unmap(obj);
	if (obj->fd >= 0)
		close(obj->fd);
	free(obj->path);
	free(obj->map.name);
	free(obj->map.pages);
	free(obj->policy);
	free(obj->ext);
	free(obj);
}

int nm_object_reopen(int fd, int flags)
{
	char p[64];
	int r;

	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	r = open(p, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	return r < 0 ? -errno : r;
}

/*
 * Opens the regular file at @path. It is looked up with O_PATH, which opens
 * nothing (a device or a fifo put in its place is never opened), checked,
 * and only then opened for reading. @expect (a walk's lstat) names the
 * file it must be, not followed if a symlink: anything else is -ENOENT.
 */
int nm_object_open_file(const char *path, const struct stat *expect, struct numamove_object **ret_obj)
{
	_cleanup_close_ int pfd = -1;
	struct numamove_object *obj;
	struct statfs sfs;
	struct stat st;
	enum numamove_object_type type;
	int fd;

	pfd = open(path, O_PATH | O_CLOEXEC | (expect ? O_NOFOLLOW : 0));
	if (pfd < 0)
		return -errno;
	if (fstat(pfd, &st) < 0)
		return -errno;
	if (expect && (!S_ISREG(st.st_mode) || st.st_dev != expect->st_dev || st.st_ino != expect->st_ino))
		return -ENOENT; /* replaced since the walk saw it */
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	fd = nm_object_reopen(pfd, O_RDONLY);
	if (fd < 0)
		return fd;
	if (fstatfs(fd, &sfs) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (sfs.f_type == TMPFS_MAGIC)
		type = NUMAMOVE_OBJECT_TMPFS;
	else if (sfs.f_type == HUGETLBFS_MAGIC)
		type = NUMAMOVE_OBJECT_HUGETLBFS;
	else
		type = NUMAMOVE_OBJECT_FILE;
	obj = object_new(type);
	if (!obj || !(obj->path = strdup(path))) {
		numamove_object_free(obj);
		close(fd);
		return -ENOMEM;
	}
	obj->fd = fd;
	obj->dev = st.st_dev;
	obj->ino = st.st_ino;
	obj->size = (uint64_t)st.st_size;
	if (type == NUMAMOVE_OBJECT_HUGETLBFS) {
		obj->hugetlb = true;
		obj->page_size = (uint64_t)sfs.f_bsize;
	}
	*ret_obj = obj;
	return 0;
}

NM_EXPORT int numamove_object_open(const char *path, struct numamove_object **ret_obj)
{
	return nm_object_open_file(path, NULL, ret_obj);
}

/*
 * Our own mapping at @addr, from /proc/self/smaps: its KernelPageSize
 * (0 if not found) and its device (left alone if not found).
 */
static uint64_t self_mapping(const void *addr, dev_t *ret_dev)
{
	_cleanup_free_ char *text = NULL;
	char head[32];
	const char *p;

	if (nm_read_file(NULL, "/proc/self/smaps", &text, NULL) < 0)
		return 0;
	snprintf(head, sizeof(head), "%" PRIxPTR "-", (uintptr_t)addr);
	for (p = text; p; p = nm_next_line(p)) {
		struct nm_maps_line l;

		if (strncmp(p, head, strlen(head)) != 0)
			continue;
		if (nm_maps_line_parse(p, &l) == 0)
			*ret_dev = makedev(l.major, l.minor);
		p = strstr(p, "\nKernelPageSize:");
		return p ? strtoull(p + strlen("\nKernelPageSize:"), NULL, 10) * 1024 : 0;
	}
	return 0;
}

NM_EXPORT int numamove_object_open_shm(int shmid, struct numamove_object **ret_obj)
{
	struct numamove_object *obj;
	struct shmid_ds ds;
	void *addr;

	if (shmid < 0)
		return -ENOENT;
	if (shmctl(shmid, IPC_STAT, &ds) < 0)
		return errno == EINVAL || errno == EIDRM ? -ENOENT : -errno;
	/* Read-only: nothing here ever writes to it. */
	addr = shmat(shmid, NULL, SHM_RDONLY);
	if (addr == (void *)-1)
		return errno == EINVAL || errno == EIDRM ? -ENOENT : -errno;
	obj = object_new(NUMAMOVE_OBJECT_SYSV);
	if (!obj) {
		shmdt(addr);
		return -ENOMEM;
	}
	obj->shmid = shmid;
	obj->key = (int)ds.shm_perm.__key;
	obj->size = ds.shm_segsz;
	obj->addr = addr;
	/* SHM_HUGETLB is not in shm_perm: the mapping's page size tells. */
	obj->page_size = self_mapping(addr, &obj->dev);
	if (!obj->page_size)
		obj->page_size = (uint64_t)getpagesize();
	obj->hugetlb = obj->page_size > (uint64_t)getpagesize();
	if (obj->hugetlb) {
		/*
		 * A userfaultfd needs a mapping that may be written (VM_MAYWRITE):
		 * attach read-write when allowed. It is still only read.
		 */
		void *rw = shmat(shmid, NULL, 0);

		if (rw != (void *)-1) {
			shmdt(addr);
			obj->addr = rw;
			obj->shm_writable = true;
		}
	}
	obj->len = nm_object_len(obj);
	*ret_obj = obj;
	return 0;
}

NM_EXPORT int numamove_object_open_shm_key(int key, struct numamove_object **ret_obj)
{
	int id;

	if (key == IPC_PRIVATE)
		return -EINVAL;
	id = shmget((key_t)key, 0, 0);
	if (id < 0)
		return -errno;
	return numamove_object_open_shm(id, ret_obj);
}

int nm_same_ipc_ns(pid_t pid)
{
	struct stat theirs, ours;
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)pid);
	if (stat(path, &theirs) < 0)
		return -errno;
	if (stat("/proc/self/ns/ipc", &ours) < 0)
		return -errno;
	return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

/*
 * The SysV segment a /SYSV<key> mapping of @pid names: its inode is the
 * segment's id in @pid's IPC namespace, which must be ours.
 */
static int open_mapping_shm(const struct numamove_mapping *m, pid_t pid, struct numamove_object **ret_obj)
{
	struct numamove_object *obj = NULL;
	unsigned long key = strtoul(m->name + 5, NULL, 16);
	int r = nm_same_ipc_ns(pid);

	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	if (r == 0)
		return -EXDEV;
	r = numamove_object_open_shm((int)m->ino, &obj);
	if (r < 0)
		return r;
	/* Removed and the id taken again since: another segment. */
	if ((uint32_t)key != (uint32_t)obj->key ||
	    (obj->dev && (major(obj->dev) != m->dev_major || minor(obj->dev) != m->dev_minor))) {
		numamove_object_free(obj);
		return -ENOENT;
	}
	*ret_obj = obj;
	return 0;
}

NM_EXPORT int numamove_object_open_mapping(const struct numamove_maps *maps, size_t i, pid_t pid,
					   unsigned int flags, struct numamove_object **ret_obj)
{
	const struct numamove_mapping *m = numamove_maps_get(maps, i);
	struct numamove_object *obj = NULL;
	char path[4096];
	int r;

	if (!m || (flags & ~(NUMAMOVE_OBJECT_WITH_FILES | NUMAMOVE_OBJECT_OWN_SHARED)))
		return -EINVAL;
	if ((flags & NUMAMOVE_OBJECT_OWN_SHARED) && nm_mapping_is_own_shared(m))
		return nm_object_open_own(m, pid, ret_obj);
	if (!nm_mapping_is_object(m, flags & NUMAMOVE_OBJECT_WITH_FILES)) {
		*ret_obj = NULL;
		return 0;
	}
	/* A SysV segment's file is named /SYSV<key> and has the segment id as inode. */
	if (strncmp(m->name, "/SYSV", 5) == 0 && m->ino <= INT32_MAX)
		return open_mapping_shm(m, pid, ret_obj);
	if (strstr(m->name, " (deleted)"))
		return -ENOENT;
	if ((size_t)snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, m->name) >= sizeof(path))
		return -ENAMETOOLONG;
	r = numamove_object_open(path, &obj);
	if (r < 0)
		return r;
	if (major(obj->dev) != m->dev_major || minor(obj->dev) != m->dev_minor || obj->ino != m->ino) {
		/* Replaced since it was mapped: not the object the process maps. */
		numamove_object_free(obj);
		return -ENOENT;
	}
	/* Named as the process names it. */
	free(obj->path);
	obj->path = strdup(m->name);
	if (!obj->path) {
		numamove_object_free(obj);
		return -ENOMEM;
	}
	*ret_obj = obj;
	return 0;
}

NM_EXPORT bool numamove_object_same(const struct numamove_object *a, const struct numamove_object *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == NUMAMOVE_OBJECT_SYSV)
		return a->shmid == b->shmid;
	return a->dev == b->dev && a->ino == b->ino;
}

NM_EXPORT enum numamove_object_type numamove_object_type(const struct numamove_object *obj)
{
	return obj->type;
}

NM_EXPORT const char *numamove_object_path(const struct numamove_object *obj)
{
	return obj->path;
}

NM_EXPORT int numamove_object_shmid(const struct numamove_object *obj)
{
	return obj->shmid;
}

NM_EXPORT int numamove_object_shm_key(const struct numamove_object *obj)
{
	return obj->key;
}

NM_EXPORT uint64_t numamove_object_size(const struct numamove_object *obj)
{
	return obj->size;
}

NM_EXPORT uint64_t numamove_object_page_size(const struct numamove_object *obj)
{
	return obj->page_size;
}

NM_EXPORT bool numamove_object_is_hugetlb(const struct numamove_object *obj)
{
	return obj->hugetlb;
}

NM_EXPORT bool numamove_object_has_shared_policy(const struct numamove_object *obj)
{
	return (obj->type == NUMAMOVE_OBJECT_TMPFS || obj->type == NUMAMOVE_OBJECT_SYSV) && !obj->hugetlb;
}

NM_EXPORT uint64_t numamove_object_pages(const struct numamove_object *obj, int node)
{
	return numamove_mapping_pages(&obj->map, node);
}

NM_EXPORT int numamove_object_nodes(const struct numamove_object *obj, struct numamove_nodelist **ret_list)
{
	return numamove_maps_nodes(&obj->maps, ret_list);
}

NM_EXPORT const char *numamove_object_policy(const struct numamove_object *obj)
{
	return obj->policy;
}

NM_EXPORT const struct numamove_maps *numamove_object_maps(const struct numamove_object *obj)
{
	return &obj->maps;
}

NM_EXPORT int numamove_object_move(struct numamove_object *obj, const struct numamove_plan *plan,
				   const struct numamove_move_opts *opts, struct numamove_result **ret_result)
{
	int r, r2;

	if (!ret_result)
		return -EINVAL;
	*ret_result = NULL;
	if (!obj || !plan || !obj->maps.n)
		return -EINVAL; /* not loaded */
	if (!obj->addr) {
		*ret_result = calloc(1, sizeof(**ret_result));
		return *ret_result ? 0 : -ENOMEM;
	}
	r = nm_move_range(0, NULL, plan, (uintptr_t)obj->addr, (uintptr_t)obj->addr + obj->len, obj->page_size,
			  opts, ret_result);
	/* Where everything is now, for the report. */
	r2 = nm_object_count_pages(obj);
	return r < 0 ? r : r2;
}
