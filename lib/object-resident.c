/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which pages of a shared object (a SysV segment, a tmpfs or hugetlbfs
 * file, the page cache of a regular file) are resident, and on which node:
 * numamove_object_load().
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
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <numa.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/capability.h>
#include <linux/userfaultfd.h>

#include "object.h"

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

/* Pages per move_pages(2) query of where they are: 32 KiB of addresses and 16 KiB of status. */
#define QUERY_CHUNK 4096
/* Base pages per mincore(2) call: a 16K vector, whatever the object's size. */
#define MINCORE_CHUNK 16384
/* Pages per process_vm_readv(2) call (at most IOV_MAX). */
#define TOUCH_BATCH 512

/* Maps a file read-only: shared, so that the shared policy is the one read. */
static int map_file(struct numamove_object *obj)
{
	int flags = MAP_SHARED;
	void *p;

	obj->len = nm_object_len(obj);
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
	struct stat st;
	char p[64];

	if (obj->type == NUMAMOVE_OBJECT_SYSV)
		return true;
	if (obj->fd < 0 || fstat(obj->fd, &st) < 0)
		return false;
	/* setfsuid() of an invalid id changes nothing and returns the current one. */
	if (st.st_uid == (uid_t)setfsuid((uid_t)-1))
		return true;
	if (nm_have_cap(CAP_FOWNER))
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

int nm_object_count_pages(struct numamove_object *obj)
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
	r = nm_object_count_pages(obj);
	if (r == 0)
		r = nm_object_read_policy(obj);
	obj->map.policy = obj->policy ? obj->policy : (char *)"default";
	return r;
}
