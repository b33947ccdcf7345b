/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared objects: SysV segments, tmpfs and hugetlbfs files, the page cache
 * of regular files.
 *
 * mbind(2) and move_pages(2) only see the caller's page tables, so an
 * object is moved from here: it is mapped into this process, its resident
 * pages (and only those) are read once so that they are mapped here too,
 * and the engine moves that address range with move_pages(2) (pid 0), page
 * by page to the destination the plan gives the page's node.
 *
 * Holes are never touched: reading a hole of a tmpfs file or SysV segment
 * allocates a page, and of a regular file reads it from disk. mincore(2)
 * tells which pages are in the page cache for tmpfs, SysV (not
 * SHM_HUGETLB) and regular files, but only to a caller that owns the file
 * or may write it: to anyone else it says every page is resident
 * (can_do_mincore() in mm/mincore.c). Then a tmpfs file's pages are found
 * with lseek(SEEK_DATA) instead, and a regular file is refused. Ranges
 * that SEEK_DATA calls holes are skipped in any case, and mincore(2) runs
 * over bounded chunks, so a sparse file costs what its data costs.
 *
 * For hugetlb, mincore(2) only looks at the caller's own page tables, so
 * there a userfaultfd(2) with UFFD_FEATURE_SIGBUS makes a fault on a hole
 * fail instead of allocating.
 *
 * Pages are read through process_vm_readv(2) on our own mapping, never by
 * dereferencing it: a page that went away since it was found (the file
 * was truncated, a hole under the userfaultfd) gives EFAULT rather than a
 * SIGBUS. The mapping is MADV_RANDOM, so that a read of a cached page
 * starts no readahead. The pages read are kept as extents, and only those
 * are asked where they are.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <numa.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/userfaultfd.h>

#include "internal.h"

#ifndef MPOL_PREFERRED_MANY
#define MPOL_PREFERRED_MANY 5
#endif
#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE 6
#endif
#ifndef MPOL_F_STATIC_NODES
#define MPOL_F_STATIC_NODES (1 << 15)
#define MPOL_F_RELATIVE_NODES (1 << 14)
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

#define QUERY_CHUNK 4096
/* Base pages per mincore(2) call: a 16K vector, whatever the object's size. */
#define MINCORE_CHUNK 16384
/* Pages per process_vm_readv(2) call (at most IOV_MAX). */
#define TOUCH_BATCH 512

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

/* @fd opened again, by /proc/self/fd: the same file, whatever its path names now. */
static int reopen(int fd, int flags)
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
static int open_file(const char *path, const struct stat *expect, struct numamove_object **ret_obj)
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
	fd = reopen(pfd, O_RDONLY);
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
	return open_file(path, NULL, ret_obj);
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
	for (p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
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
	obj->len = (size_t)((obj->size + obj->page_size - 1) / obj->page_size * obj->page_size);
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

/* 1 when process @pid is in our IPC namespace, 0 when not, or a negative errno. */
static int same_ipc_ns(pid_t pid)
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
	int r = same_ipc_ns(pid);

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

	if (!m)
		return -EINVAL;
	/* Anonymous shared memory (memfd, MAP_SHARED|MAP_ANONYMOUS, MAP_HUGETLB) is the process's own. */
	if (m->name[0] != '/' || strncmp(m->name, "/memfd:", 7) == 0 || strncmp(m->name, "/dev/zero", 9) == 0 ||
	    strncmp(m->name, "/anon_hugepage", 14) == 0 ||
	    (m->kind == NUMAMOVE_KIND_FILE && !(flags & NUMAMOVE_OBJECT_WITH_FILES)) ||
	    (m->kind == NUMAMOVE_KIND_SHM && !m->shared)) {
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

/* Maps a file read-only: shared, so that the shared policy is the one read. */
static int map_file(struct numamove_object *obj)
{
	int flags = MAP_SHARED;
	void *p;

	obj->len = (size_t)((obj->size + obj->page_size - 1) / obj->page_size * obj->page_size);
	if (obj->len == 0)
		return 0;
	/*
	 * hugetlbfs: private (a userfaultfd needs a mapping that may be
	 * written, and the file is open read-only) and without a reservation
	 * (reading a resident page allocates nothing).
	 */
	if (obj->hugetlb)
		flags = MAP_PRIVATE | MAP_NORESERVE;
	p = mmap(NULL, obj->len, PROT_READ, flags, obj->fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	obj->addr = p;
	return 0;
}

/*
 * Would mincore(2) tell the truth about this object? The kernel answers
 * for the page cache of a file only when the caller owns it, has
 * CAP_FOWNER, or could open it for writing (can_do_mincore()); for
 * anyone else every page is "resident". A SysV segment's inode is mode
 * 0777: always.
 */
static bool mincore_trusted(const struct numamove_object *obj)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[2] = { { 0 } };
	struct stat st;
	char p[64];

	if (obj->type == NUMAMOVE_OBJECT_SYSV)
		return true;
	if (obj->fd < 0 || fstat(obj->fd, &st) < 0)
		return false;
	/* setfsuid() of an invalid id changes nothing and returns the current one. */
	if (st.st_uid == (uid_t)setfsuid((uid_t)-1))
		return true;
	if (syscall(SYS_capget, &hdr, caps) == 0 && (caps[CAP_FOWNER / 32].effective & (1u << (CAP_FOWNER % 32))))
		return true;
	/* Permission to write, as the kernel checks it (not the mode we opened it with). */
	snprintf(p, sizeof(p), "/proc/self/fd/%d", obj->fd);
	return faccessat(AT_FDCWD, p, W_OK, AT_EACCESS) == 0;
}

/*
 * A descriptor whose lseek(SEEK_DATA) finds the object's data: the file's
 * own, or for a SysV segment its shmem file through /proc/self/map_files
 * (which needs CAP_SYS_ADMIN). -1 when there is none.
 */
static int data_fd(const struct numamove_object *obj, bool *ret_owned)
{
	char p[96];

	*ret_owned = false;
	if (obj->type != NUMAMOVE_OBJECT_SYSV)
		return obj->fd;
	snprintf(p, sizeof(p), "/proc/self/map_files/%" PRIxPTR "-%" PRIxPTR, (uintptr_t)obj->addr,
		 (uintptr_t)obj->addr + obj->len);
	*ret_owned = true;
	return open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

/*
 * The next range of pages [*first, *end) at or after page @from that may
 * hold data, in pages of @ps: 1, or 0 when there is none. Without @fd, or
 * where the file system cannot tell (it then says all of it is data), the
 * rest of the object.
 */
static int next_data(int fd, uint64_t from, uint64_t n, uint64_t ps, uint64_t *first, uint64_t *end)
{
	off_t d, h;

	if (from >= n)
		return 0;
	*first = from;
	*end = n;
	if (fd < 0)
		return 1;
	d = lseek(fd, (off_t)(from * ps), SEEK_DATA);
	if (d < 0)
		return errno == ENXIO ? 0 : 1; /* ENXIO: only holes from there */
	h = lseek(fd, d, SEEK_HOLE);
	*first = (uint64_t)d / ps;
	if (h >= 0 && ((uint64_t)h + ps - 1) / ps < n)
		*end = ((uint64_t)h + ps - 1) / ps;
	return *first < *end;
}

/* Page @i read: one more page in the extents. */
static int add_page(struct numamove_object *obj, uint64_t i)
{
	struct extent *last = obj->n_ext ? &obj->ext[obj->n_ext - 1] : NULL;
	int r;

	if (last && last->first + last->n == i) {
		last->n++;
		return 0;
	}
	r = nm_grow((void **)&obj->ext, &obj->alloc_ext, obj->n_ext + 1, sizeof(*obj->ext));
	if (r < 0)
		return r;
	obj->ext[obj->n_ext++] = (struct extent){ .first = i, .n = 1 };
	return 0;
}

/* Pages to read, in batches. */
struct touch {
	struct numamove_object *obj;
	uint64_t page[TOUCH_BATCH];
	size_t n;
	uint64_t found;
};

/*
 * Reads one byte of each page of the batch through process_vm_readv(2) on
 * our own mapping: EFAULT (a hole under the userfaultfd, a page truncated
 * away) leaves the page out instead of raising SIGBUS.
 */
static int touch_flush(struct touch *t)
{
	struct iovec local[TOUCH_BATCH], remote[TOUCH_BATCH];
	char sink[TOUCH_BATCH];
	pid_t self = getpid();

	for (size_t i = 0; i < t->n;) {
		size_t k = t->n - i;
		ssize_t got;

		for (size_t j = 0; j < k; j++) {
			local[j] = (struct iovec){ .iov_base = &sink[j], .iov_len = 1 };
			remote[j] = (struct iovec){ .iov_base = t->obj->addr + t->page[i + j] * t->obj->page_size,
						    .iov_len = 1 };
		}
		/* Stops at the first page it cannot read: those before it were read. */
		got = process_vm_readv(self, local, k, remote, k, 0);
		if (got < 0 && errno != EFAULT)
			return -errno;
		if (got < 0)
			got = 0;
		for (size_t j = 0; j < (size_t)got; j++) {
			int r = add_page(t->obj, t->page[i + j]);

			if (r < 0)
				return r;
		}
		t->found += (uint64_t)got;
		i += (size_t)got + ((size_t)got < k ? 1 : 0);
	}
	t->n = 0;
	return 0;
}

static int touch_add(struct touch *t, uint64_t page)
{
	t->page[t->n++] = page;
	return t->n == TOUCH_BATCH ? touch_flush(t) : 0;
}

/* Reads each resident base page: mincore(2) where it tells the truth, else SEEK_DATA (tmpfs). */
static int touch_resident(struct numamove_object *obj)
{
	uint64_t ps = obj->page_size, n = obj->len / ps, first, end;
	bool trusted = mincore_trusted(obj), owned;
	_cleanup_free_ unsigned char *vec = NULL;
	_cleanup_free_ struct touch *t = NULL;
	int fd, r = 0;

	/* A regular file's holes and uncached pages look alike: SEEK_DATA knows the disk only. */
	if (!trusted && obj->type != NUMAMOVE_OBJECT_TMPFS)
		return -EACCES;
	vec = malloc(MINCORE_CHUNK);
	t = calloc(1, sizeof(*t));
	if (!vec || !t)
		return -ENOMEM;
	t->obj = obj;
	/* No readahead when a cached page is read: it would read what is not cached. */
	madvise(obj->addr, obj->len, MADV_RANDOM);
	if (obj->fd >= 0)
		posix_fadvise(obj->fd, 0, 0, POSIX_FADV_RANDOM);
	fd = data_fd(obj, &owned);
	for (uint64_t at = 0; r == 0 && next_data(fd, at, n, ps, &first, &end) > 0; at = end) {
		for (uint64_t c = first; r == 0 && c < end; c += MINCORE_CHUNK) {
			size_t k = end - c < MINCORE_CHUNK ? (size_t)(end - c) : MINCORE_CHUNK;

			if (trusted && mincore(obj->addr + c * ps, k * ps, vec) < 0) {
				r = -errno;
				break;
			}
			for (size_t i = 0; r == 0 && i < k; i++)
				if (!trusted || (vec[i] & 1))
					r = touch_add(t, c + i);
		}
	}
	if (r == 0)
		r = touch_flush(t);
	if (owned && fd >= 0)
		close(fd);
	return r;
}

/*
 * hugetlb: each huge page read under a userfaultfd whose missing faults
 * fail (UFFD_FEATURE_SIGBUS): a hole gives EFAULT and stays a hole. Stops
 * once the file's allocated huge pages (st_blocks) are all found.
 */
static int touch_resident_huge(struct numamove_object *obj)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_SIGBUS };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)obj->addr, .len = obj->len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	uint64_t n = obj->len / obj->page_size, expect = UINT64_MAX;
	_cleanup_free_ struct touch *t = calloc(1, sizeof(*t));
	_cleanup_close_ int uffd = -1;
	struct stat st;
	bool owned;
	int fd, r = 0;

	if (!t)
		return -ENOMEM;
	t->obj = obj;
	fd = data_fd(obj, &owned);
	if (fd >= 0 && fstat(fd, &st) == 0)
		expect = (uint64_t)st.st_blocks * 512 / obj->page_size;
	if (owned && fd >= 0)
		close(fd);
	if (expect == 0)
		return 0;
	/* User-mode-only needs no privilege; older kernels lack the flag. */
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (uffd < 0 && errno == EINVAL)
		uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		return errno == EPERM || errno == ENOSYS ? -EOPNOTSUPP : -errno;
	if (ioctl(uffd, UFFDIO_API, &api) < 0 || !(api.features & UFFD_FEATURE_SIGBUS))
		return -EOPNOTSUPP;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) < 0)
		return errno == EPERM ? -EACCES : errno == EINVAL ? -EOPNOTSUPP : -errno;

	for (uint64_t i = 0; r == 0 && i < n && t->found < expect; i++)
		r = touch_add(t, i);
	if (r == 0)
		r = touch_flush(t);
	return r;
}

static int query_pages(struct numamove_object *obj, void **addr, int *status, size_t k, int *max_node)
{
	struct numamove_mapping *m = &obj->map;

	for (size_t i = 0; i < k; i++)
		status[i] = -ENOENT;
	if (numa_move_pages(0, (unsigned long)k, addr, NULL, status, 0) < 0)
		return -errno;
	for (size_t i = 0; i < k; i++) {
		int node = status[i], r;

		if (node < 0)
			continue;
		r = nm_grow((void **)&m->pages, &m->n_nodes, (size_t)node + 1, sizeof(uint64_t));
		if (r < 0)
			return r;
		m->pages[node]++;
		m->total++;
		if (node > *max_node)
			*max_node = node;
	}
	return 0;
}

/* Asks move_pages(2) where each page read by the load is; fills obj->map. */
static int count_pages(struct numamove_object *obj)
{
	struct numamove_mapping *m = &obj->map;
	_cleanup_free_ void **addr = calloc(QUERY_CHUNK, sizeof(void *));
	_cleanup_free_ int *status = calloc(QUERY_CHUNK, sizeof(int));
	int max_node = -1, r = 0;
	size_t k = 0;

	if (!addr || !status)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_nodes; i++)
		m->pages[i] = 0;
	m->total = 0;
	for (size_t e = 0; r == 0 && e < obj->n_ext; e++)
		for (uint64_t p = 0; r == 0 && p < obj->ext[e].n; p++) {
			addr[k++] = obj->addr + (obj->ext[e].first + p) * obj->page_size;
			if (k == QUERY_CHUNK) {
				r = query_pages(obj, addr, status, k, &max_node);
				k = 0;
			}
		}
	if (r == 0 && k)
		r = query_pages(obj, addr, status, k, &max_node);
	if (r < 0)
		return r;
	for (size_t i = 0; i < m->n_nodes; i++)
		if (m->pages[i])
			max_node = (int)i;
	obj->maps.max_node = max_node;
	return 0;
}

/* The shared policy at the start of the mapping (the kernel keeps it in the inode). */
static int read_policy(struct numamove_object *obj)
{
	unsigned long mask[NM_MASK_WORDS] = { 0 };
	struct numamove_policy *pol = NULL;
	char *text;
	int mode = 0, r, len;

	if (!numamove_object_has_shared_policy(obj))
		return 0;
	if (obj->addr && get_mempolicy(&mode, mask, NM_MASK_BITS + 1, obj->addr, MPOL_F_ADDR) < 0)
		return -errno;
	r = nm_policy_from_kernel(mode, mask, NM_MASK_BITS, &pol);
	if (r < 0)
		return r;
	len = numamove_policy_format(pol, NULL, 0);
	text = len < 0 ? NULL : malloc((size_t)len + 1);
	if (text)
		numamove_policy_format(pol, text, (size_t)len + 1);
	numamove_policy_free(pol);
	if (!text)
		return -ENOMEM;
	free(obj->policy);
	obj->policy = text;
	return 0;
}

NM_EXPORT int numamove_object_load(struct numamove_object *obj)
{
	static const enum numamove_kind kinds[NUMAMOVE_OBJECT_TYPE_COUNT] = {
		[NUMAMOVE_OBJECT_SYSV] = NUMAMOVE_KIND_SHM,
		[NUMAMOVE_OBJECT_TMPFS] = NUMAMOVE_KIND_SHM,
		[NUMAMOVE_OBJECT_HUGETLBFS] = NUMAMOVE_KIND_HUGE,
		[NUMAMOVE_OBJECT_FILE] = NUMAMOVE_KIND_FILE,
	};
	int r;

	if (numa_available() < 0)
		return -ENOSYS;
	if (!obj->addr && obj->type != NUMAMOVE_OBJECT_SYSV) {
		r = map_file(obj);
		if (r < 0)
			return r;
	}
	obj->n_ext = 0;
	if (obj->addr) {
		if (!obj->hugetlb)
			r = touch_resident(obj);
		else if (obj->type == NUMAMOVE_OBJECT_SYSV && !obj->shm_writable)
			r = -EACCES; /* no userfaultfd on a read-only attach */
		else
			r = touch_resident_huge(obj);
		if (r < 0)
			return r;
	}
	if (!obj->map.name) {
		obj->map.name = strdup(obj->path ? obj->path : "[sysv]");
		if (!obj->map.name)
			return -ENOMEM;
	}
	obj->map.start = (uintptr_t)obj->addr;
	obj->map.end = (uintptr_t)obj->addr + obj->len;
	obj->map.kind = obj->hugetlb ? NUMAMOVE_KIND_HUGE : kinds[obj->type];
	obj->map.page_size = obj->page_size;
	obj->map.shared = true;
	obj->map.policy = obj->policy;
	obj->maps.m = &obj->map;
	obj->maps.n = obj->maps.alloc = 1;
	r = count_pages(obj);
	if (r == 0)
		r = read_policy(obj);
	obj->map.policy = obj->policy ? obj->policy : (char *)"default";
	return r;
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
	r2 = count_pages(obj);
	return r < 0 ? r : r2;
}

/* mbind(2) of the whole object, on a read-write mapping of our own. */
NM_EXPORT int numamove_object_set_policy(struct numamove_object *obj, const struct numamove_policy *policy)
{
	unsigned long mask[NM_MASK_WORDS];
	size_t len = (size_t)((obj->size + obj->page_size - 1) / obj->page_size * obj->page_size);
	int mode, r;
	void *p;

	if (!numamove_object_has_shared_policy(obj))
		return -EOPNOTSUPP;
	r = nm_policy_to_kernel(policy, &mode, mask, NM_MASK_BITS);
	if (r < 0)
		return r;
	r = 0;
	if (len == 0)
		return 0;
	/* Write permission on the object is what a policy change asks for. */
	if (obj->type == NUMAMOVE_OBJECT_SYSV) {
		p = shmat(obj->shmid, NULL, 0);
		if (p == (void *)-1)
			return errno == EINVAL || errno == EIDRM ? -ENOENT : -errno;
	} else {
		/* The file we hold, not whatever its path (maybe another mount namespace's) names now. */
		_cleanup_close_ int fd = reopen(obj->fd, O_RDWR);

		if (fd < 0)
			return fd;
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return -errno;
	}
	if (mbind(p, len, mode, policy->nodes->n ? mask : NULL, policy->nodes->n ? NM_MASK_BITS + 1 : 0, 0) < 0)
		r = -errno;
	if (obj->type == NUMAMOVE_OBJECT_SYSV)
		shmdt(p);
	else
		munmap(p, len);
	if (r == 0 && obj->addr)
		r = read_policy(obj);
	if (obj->maps.n)
		obj->map.policy = obj->policy ? obj->policy : (char *)"default";
	return r;
}

/* Does this /proc/PID/maps line map @obj? */
static bool line_maps(const struct numamove_object *obj, const struct nm_maps_line *l)
{
	if (!l->path)
		return false;
	if (obj->type == NUMAMOVE_OBJECT_SYSV)
		return l->path_len > 5 && strncmp(l->path, "/SYSV", 5) == 0 && l->ino == (uint64_t)obj->shmid &&
		       (!obj->dev || (l->major == major(obj->dev) && l->minor == minor(obj->dev)));
	return l->ino == (uint64_t)obj->ino && l->major == major(obj->dev) && l->minor == minor(obj->dev);
}

NM_EXPORT int numamove_object_pids(const struct numamove_object *obj, pid_t **ret_pids, size_t *ret_count)
{
	pid_t *pids = NULL, self = getpid();
	size_t n = 0, alloc = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");
	int r = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *text = NULL;
		int pid;

		if (nm_parse_int(de->d_name, &pid) < 0 || pid == self)
			continue;
		/* Processes that exited or that we may not read are not ours to list. */
		if (nm_read_filef(NULL, &text, "/proc/%d/maps", pid) < 0)
			continue;
		for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
			struct nm_maps_line l;

			if (nm_maps_line_parse(p, &l) < 0 || !line_maps(obj, &l))
				continue;
			/* A segment id means our segment only in our IPC namespace. */
			if (obj->type == NUMAMOVE_OBJECT_SYSV && same_ipc_ns(pid) != 1)
				break;
			r = nm_grow((void **)&pids, &alloc, n + 1, sizeof(*pids));
			if (r == 0)
				pids[n++] = pid;
			break;
		}
		if (r < 0)
			break;
	}
	closedir(d);
	if (r < 0) {
		free(pids);
		return r;
	}
	/* /proc lists processes in pid order already; sort anyway for stable output. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && pids[j - 1] > pids[j]; j--) {
			pid_t t = pids[j];

			pids[j] = pids[j - 1];
			pids[j - 1] = t;
		}
	*ret_pids = pids;
	*ret_count = n;
	return 0;
}

int nm_shm_parse(const char *text, int **ret_ids, size_t *ret_count)
{
	int *ids = NULL;
	size_t n = 0, alloc = 0;
	const char *p = strchr(text, '\n'); /* the header */

	while (p && *++p) {
		long long key;
		int id, r;

		if (sscanf(p, "%lld %d", &key, &id) != 2 || id < 0) {
			free(ids);
			return -EINVAL;
		}
		r = nm_grow((void **)&ids, &alloc, n + 1, sizeof(*ids));
		if (r < 0) {
			free(ids);
			return r;
		}
		ids[n++] = id;
		p = strchr(p, '\n');
	}
	*ret_ids = ids;
	*ret_count = n;
	return 0;
}

NM_EXPORT int numamove_shm_ids(int **ret_ids, size_t *ret_count)
{
	_cleanup_free_ char *text = NULL;
	int r = nm_read_file(NULL, "/proc/sysvipc/shm", &text, NULL);

	if (r < 0)
		return r;
	return nm_shm_parse(text, ret_ids, ret_count);
}

void nm_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int nm_mountinfo_shmem(const char *text, char ***ret_paths, size_t *ret_count)
{
	char **paths = NULL;
	size_t n = 0, alloc = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *f[5], *sep, *type, *eol = p + strcspn(p, "\n");
		size_t k = 0, tlen;
		char *path;
		bool dup = false;
		int r;

		/* id parent major:minor root mountpoint options [optional...] - fstype source super */
		for (const char *q = p; k < 5 && q < eol; k++) {
			f[k] = q;
			q += strcspn(q, " \n");
			q += q < eol;
		}
		sep = strstr(p, " - ");
		if (k < 5 || !sep || sep > eol)
			continue;
		type = sep + 3;
		tlen = strcspn(type, " \n");
		if (!((tlen == 5 && strncmp(type, "tmpfs", 5) == 0) || (tlen == 9 && strncmp(type, "hugetlbfs", 9) == 0)))
			continue;
		path = nm_unescape_octal(f[4], strcspn(f[4], " \n"));
		if (!path) {
			nm_strv_free(paths, n);
			return -ENOMEM;
		}
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

/* A file the walk found, as lstat saw it. */
struct walk_file {
	char *path;
	struct stat st;
};

/* nftw(3) has no user data: the walk in progress. */
static __thread struct walk {
	struct walk_file *f;
	size_t n, alloc;
	/* (dev, ino) seen: open addressing over f, index + 1 (0: empty). */
	size_t *table, cap;
	int err;
} *walk_state;

static size_t id_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)dev * 0x9E3779B97F4A7C15ULL ^ (uint64_t)ino;

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 29;
	return (size_t)h;
}

/* The slot of (dev, ino): where it is, or the empty one where it goes. */
static size_t *walk_slot(struct walk *w, dev_t dev, ino_t ino)
{
	for (size_t i = id_hash(dev, ino) & (w->cap - 1);; i = (i + 1) & (w->cap - 1)) {
		size_t k = w->table[i];

		if (!k || (w->f[k - 1].st.st_dev == dev && w->f[k - 1].st.st_ino == ino))
			return &w->table[i];
	}
}

/* Keeps the table at most half full. */
static int walk_rehash(struct walk *w)
{
	size_t cap = w->cap ? w->cap * 2 : 256, *old = w->table;

	w->table = calloc(cap, sizeof(*w->table));
	if (!w->table) {
		w->table = old;
		return -ENOMEM;
	}
	w->cap = cap;
	for (size_t k = 0; k < w->n; k++)
		*walk_slot(w, w->f[k].st.st_dev, w->f[k].st.st_ino) = k + 1;
	free(old);
	return 0;
}

static int walk_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	struct walk *w = walk_state;
	size_t *slot;
	char *copy;

	(void)ftw;
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if ((w->n + 1) * 2 > w->cap && walk_rehash(w) < 0) {
		w->err = -ENOMEM;
		return 1;
	}
	/* The same file under two mounts (bind mounts) once. */
	slot = walk_slot(w, st->st_dev, st->st_ino);
	if (*slot)
		return 0;
	if (nm_grow((void **)&w->f, &w->alloc, w->n + 1, sizeof(*w->f)) < 0 || !(copy = strdup(path))) {
		w->err = -ENOMEM;
		return 1;
	}
	w->f[w->n] = (struct walk_file){ .path = copy, .st = *st };
	*slot = ++w->n;
	return 0;
}

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->f[i].path);
	free(w->f);
	free(w->table);
}

/* Every regular file under the tmpfs and hugetlbfs mounts, each once, in walk order. */
static int shmem_walk(struct walk *w)
{
	_cleanup_free_ char *text = NULL;
	char **mounts = NULL;
	size_t n_mounts = 0;
	int r = nm_read_file(NULL, "/proc/self/mountinfo", &text, NULL);

	*w = (struct walk){ 0 };
	if (r < 0)
		return r;
	r = nm_mountinfo_shmem(text, &mounts, &n_mounts);
	if (r < 0)
		return r;
	walk_state = w;
	/* Unreadable directories are skipped by nftw; a mount we cannot enter too. */
	for (size_t i = 0; i < n_mounts && !w->err; i++)
		nftw(mounts[i], walk_one, 16, FTW_PHYS | FTW_MOUNT);
	walk_state = NULL;
	nm_strv_free(mounts, n_mounts);
	if (w->err) {
		r = w->err;
		walk_free(w);
		*w = (struct walk){ 0 };
		return r;
	}
	return 0;
}

NM_EXPORT int numamove_shmem_files(char ***ret_paths, size_t *ret_count)
{
	struct walk w;
	char **paths;
	int r = shmem_walk(&w);

	if (r < 0)
		return r;
	paths = calloc(w.n ? w.n : 1, sizeof(*paths));
	if (!paths) {
		walk_free(&w);
		return -ENOMEM;
	}
	for (size_t i = 0; i < w.n; i++)
		paths[i] = TAKE_PTR(w.f[i].path);
	walk_free(&w);
	*ret_paths = paths;
	*ret_count = w.n;
	return 0;
}

NM_EXPORT int numamove_shmem_objects(int (*fn)(const char *path, struct numamove_object *obj, int error,
					       void *userdata),
				     void *userdata)
{
	struct walk w;
	int r = shmem_walk(&w);

	for (size_t i = 0; r == 0 && i < w.n; i++) {
		struct numamove_object *obj = NULL;
		int e = open_file(w.f[i].path, &w.f[i].st, &obj);

		/* Gone, or not the file the walk found any more: left out. */
		if (e == -ENOENT)
			continue;
		r = fn(w.f[i].path, e < 0 ? NULL : obj, e < 0 ? e : 0, userdata);
	}
	walk_free(&w);
	return r;
}
