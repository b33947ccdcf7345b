// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Placements: a memory policy kept on a file or a directory in an
 * extended attribute, because the kernel keeps none for the page cache
 * of regular files (and for tmpfs files and SysV segments only while they
 * exist). The library reads, checks and writes them and says which
 * placement applies to a file; numamoved enforces them.
 *
 * The attribute's value is one line of text, versioned:
 *   numamove-placement/1 policy=bind:2
 *   numamove-placement/1 policy=interleave:2-3 scope=directory
 *   numamove-placement/2 policy=bind:2 open=read-ahead
 *   numamove-placement/2 policy=bind:2 memory=locked
 * Fields are separated by single spaces; "policy" is required and takes
 * numamove_policy_parse()'s syntax; "scope" (directories only) is "tree"
 * (the default: the directory and everything below it) or "directory"
 * (the files directly in it). Version 2 adds "open": "read-ahead"
 * (numamoved reads the file ahead under the policy when it is opened) or
 * "normal" (the default), and "memory": "locked" (numamoved keeps the
 * file's pages in memory, mlock) or "evictable" (the default). A later version that adds a field bumps the
 * number; a reader refuses a version it does not know rather than guess,
 * and a writer writes the lowest version that holds the placement, so
 * that older readers keep reading what they can.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <numaif.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "internal.h"

#define MAGIC_PREFIX "numamove-placement/"
#define VERSION_MAX 2
#define ALL_FLAGS (NUMAMOVE_PLACEMENT_F_DIRECTORY | NUMAMOVE_PLACEMENT_F_READ_AHEAD | NUMAMOVE_PLACEMENT_F_LOCK)
/* What a file below a directory gets with the policy: how it is opened and kept, not the scope. */
#define FILE_FLAGS (NUMAMOVE_PLACEMENT_F_READ_AHEAD | NUMAMOVE_PLACEMENT_F_LOCK)

/* The fields that are a flag: KEY=SET, or KEY=UNSET (the default, never written); since VERSION. */
static const struct flag_field {
	const char *key, *set, *unset;
	unsigned int flag;
	int version;
} flag_fields[] = {
	{ "scope", "directory", "tree", NUMAMOVE_PLACEMENT_F_DIRECTORY, 1 },
	{ "open", "read-ahead", "normal", NUMAMOVE_PLACEMENT_F_READ_AHEAD, 2 },
	{ "memory", "locked", "evictable", NUMAMOVE_PLACEMENT_F_LOCK, 2 },
};
#define RA_CHUNK (128 * 1024)

struct numamove_placement {
	struct numamove_policy *policy;
	unsigned int flags;
};

NM_EXPORT int numamove_placement_new(const struct numamove_policy *policy, unsigned int flags,
				     struct numamove_placement **ret_placement)
{
	struct numamove_placement *p;
	int r;

	/* Positions among allowed nodes mean nothing on a file that any process may read. */
	if (!policy || !ret_placement || (flags & ~ALL_FLAGS) ||
	    (policy->flags & NUMAMOVE_POLICY_F_RELATIVE))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	r = numamove_policy_new(policy->mode, policy->flags, policy->nodes, &p->policy);
	if (r < 0) {
		free(p);
		return r;
	}
	p->flags = flags;
	*ret_placement = p;
	return 0;
}

NM_EXPORT void numamove_placement_free(struct numamove_placement *placement)
{
	if (!placement)
		return;
	numamove_policy_free(placement->policy);
	free(placement);
}

NM_EXPORT const struct numamove_policy *numamove_placement_policy(const struct numamove_placement *placement)
{
	return placement->policy;
}

NM_EXPORT unsigned int numamove_placement_flags(const struct numamove_placement *placement)
{
	return placement->flags;
}

NM_EXPORT int numamove_placement_format(const struct numamove_placement *placement, char *buf, size_t size)
{
	char pol[NUMAMOVE_PLACEMENT_MAX];
	int n;

	if (numamove_policy_format(placement->policy, pol, sizeof(pol)) >= (int)sizeof(pol))
		return -ENAMETOOLONG;
	char fields[NUMAMOVE_PLACEMENT_MAX] = "";
	int version = 1, at = 0;

	/* The lowest version that holds every flag set, so that older readers read what they can. */
	for (size_t i = 0; i < ARRAY_SIZE(flag_fields); i++)
		if (placement->flags & flag_fields[i].flag) {
			at += snprintf(fields + at, sizeof(fields) - (size_t)at, " %s=%s", flag_fields[i].key,
				       flag_fields[i].set);
			if (flag_fields[i].version > version)
				version = flag_fields[i].version;
		}
	n = snprintf(buf, size, MAGIC_PREFIX "%d policy=%s%s", version, pol, fields);
	return n;
}

/* One field "KEY=VALUE" of @len bytes at @f into @p; -EBADMSG when it is not one @version knows. */
static int parse_field(const char *f, size_t len, int version, const struct numamove_topology *topo,
		       struct numamove_placement *p)
{
	char value[NUMAMOVE_PLACEMENT_MAX];
	const char *eq = memchr(f, '=', len);
	size_t klen, vlen;
	int r;

	if (!eq)
		return -EBADMSG;
	klen = (size_t)(eq - f);
	vlen = len - klen - 1;
	if (!vlen || vlen >= sizeof(value))
		return -EBADMSG;
	memcpy(value, eq + 1, vlen);
	value[vlen] = '\0';
	if (klen == 6 && memcmp(f, "policy", 6) == 0) {
		if (p->policy)
			return -EBADMSG;
		r = numamove_policy_parse(value, topo, &p->policy, NULL);
		if (r == 0 && (numamove_policy_flags(p->policy) & NUMAMOVE_POLICY_F_RELATIVE))
			r = -EINVAL;
		if (r < 0) {
			/* A node that does not exist here is not a corrupt attribute: say so apart. */
			return r == -ENODEV || r == -ERANGE ? r : -EBADMSG;
		}
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(flag_fields); i++) {
		const struct flag_field *ff = &flag_fields[i];

		if (version < ff->version || klen != strlen(ff->key) || memcmp(f, ff->key, klen) != 0)
			continue;
		if (strcmp(value, ff->set) == 0)
			p->flags |= ff->flag;
		else if (strcmp(value, ff->unset) != 0)
			return -EBADMSG;
		return 0;
	}
	return -EBADMSG;
}

NM_EXPORT int numamove_placement_parse(const char *text, size_t len, const struct numamove_topology *topo,
				       struct numamove_placement **ret_placement)
{
	struct numamove_placement *p;
	const char *end, *f;
	int r = 0, version;

	if (!text || !ret_placement)
		return -EINVAL;
	/* An attribute may or may not carry its terminating NUL or newline. */
	while (len && (text[len - 1] == '\0' || text[len - 1] == '\n'))
		len--;
	if (len >= NUMAMOVE_PLACEMENT_MAX || memchr(text, '\0', len))
		return -EBADMSG;
	/* "numamove-placement/" and a version: one this reader knows, else a later one, else not ours. */
	if (len <= sizeof(MAGIC_PREFIX) - 1 || memcmp(text, MAGIC_PREFIX, sizeof(MAGIC_PREFIX) - 1) != 0)
		return -EBADMSG;
	f = text + sizeof(MAGIC_PREFIX) - 1;
	if (*f < '1' || *f > '0' + VERSION_MAX || (f + 1 < text + len && f[1] != ' '))
		return -EPROTONOSUPPORT;
	version = *f - '0';
	f++;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	end = text + len;
	while (r == 0 && f < end) {
		const char *next;

		if (*f != ' ' || f + 1 >= end) {
			r = -EBADMSG;
			break;
		}
		f++;
		next = memchr(f, ' ', (size_t)(end - f));
		if (!next)
			next = end;
		r = parse_field(f, (size_t)(next - f), version, topo, p);
		f = next;
	}
	if (r == 0 && !p->policy)
		r = -EBADMSG;
	if (r < 0) {
		numamove_placement_free(p);
		return r;
	}
	*ret_placement = p;
	return 0;
}

/* Whether @fd is a directory: the scope belongs to directories only. */
static int fd_is_dir(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return -EINVAL;
	return S_ISDIR(st.st_mode);
}

NM_EXPORT int numamove_placement_set(int fd, const struct numamove_placement *placement)
{
	char text[NUMAMOVE_PLACEMENT_MAX];
	int n, dir = fd_is_dir(fd);

	if (dir < 0)
		return dir;
	if (!dir && (placement->flags & NUMAMOVE_PLACEMENT_F_DIRECTORY))
		return -ENOTDIR;
	n = numamove_placement_format(placement, text, sizeof(text));
	if (n < 0)
		return n;
	if (n >= (int)sizeof(text))
		return -ENAMETOOLONG;
	if (fsetxattr(fd, NUMAMOVE_PLACEMENT_XATTR, text, (size_t)n, 0) == 0)
		return 0;
	/*
	 * tmpfs before Linux 6.6 has no user.* attributes: root keeps the
	 * placement in trusted.*, which only CAP_SYS_ADMIN reads or writes.
	 */
	if (errno != EOPNOTSUPP)
		return -errno;
	if (fsetxattr(fd, NUMAMOVE_PLACEMENT_XATTR_TRUSTED, text, (size_t)n, 0) == 0)
		return 0;
	return errno == EPERM ? -EOPNOTSUPP : -errno;
}

NM_EXPORT int numamove_placement_clear(int fd)
{
	int r = 0, dir = fd_is_dir(fd);

	if (dir < 0)
		return dir;
	if (fremovexattr(fd, NUMAMOVE_PLACEMENT_XATTR) < 0 && errno != ENODATA && errno != EOPNOTSUPP)
		r = -errno;
	if (fremovexattr(fd, NUMAMOVE_PLACEMENT_XATTR_TRUSTED) < 0 && errno != ENODATA && errno != EOPNOTSUPP &&
	    errno != EPERM && !r)
		r = -errno;
	return r;
}

/* The raw attribute of @fd, user.* first; -ENODATA when it has none. */
static int read_xattr(int fd, char *buf, size_t size, size_t *ret_len)
{
	static const char *const names[] = { NUMAMOVE_PLACEMENT_XATTR, NUMAMOVE_PLACEMENT_XATTR_TRUSTED };

	for (size_t i = 0; i < 2; i++) {
		ssize_t n = fgetxattr(fd, names[i], buf, size);

		if (n >= 0) {
			*ret_len = (size_t)n;
			return 0;
		}
		if (errno == ERANGE)
			return -EBADMSG; /* longer than any placement */
		if (errno != ENODATA && errno != EOPNOTSUPP && errno != EPERM)
			return -errno;
	}
	return -ENODATA;
}

NM_EXPORT int numamove_placement_get(int fd, const struct numamove_topology *topo,
				     struct numamove_placement **ret_placement)
{
	char buf[NUMAMOVE_PLACEMENT_MAX];
	size_t len = 0;
	int r;

	if (fd < 0 || !ret_placement)
		return -EINVAL;
	r = read_xattr(fd, buf, sizeof(buf), &len);
	if (r < 0)
		return r;
	return numamove_placement_parse(buf, len, topo, ret_placement);
}

NM_EXPORT int numamove_placement_inherit(const struct numamove_placement *placement, bool dir,
					 struct numamove_placement **ret_placement)
{
	if (!placement || !ret_placement)
		return -EINVAL;
	/* The scope belongs to directories: a file below gets the policy (and how it is kept) alone. */
	return numamove_placement_new(placement->policy, dir ? placement->flags : placement->flags & FILE_FLAGS,
				      ret_placement);
}

NM_EXPORT int numamove_placement_find(const char *path, const struct numamove_topology *topo,
				      struct numamove_placement **ret_placement, char **ret_from)
{
	char *cur;
	struct stat st0;
	int fd, r;
	bool first = true, parent = false;

	if (!path || !*path || !ret_placement)
		return -EINVAL;
	/* Only files and directories are opened: never a device or a fifo. */
	cur = realpath(path, NULL);
	if (!cur)
		return -errno;
	r = stat(cur, &st0) < 0 ? -errno : 0;
	if (r == 0 && !S_ISREG(st0.st_mode) && !S_ISDIR(st0.st_mode))
		r = -EINVAL;
	if (r < 0) {
		free(cur);
		return r;
	}
	fd = open(cur, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		r = -errno;
		free(cur);
		return r;
	}
	/*
	 * The file's own placement, else its directory's, else the nearest
	 * directory above whose placement covers the whole tree; never past
	 * the file system the file is on.
	 */
	for (;;) {
		struct numamove_placement *p = NULL;
		struct stat st;
		char *slash;

		if (fstat(fd, &st) < 0) {
			r = -errno;
			break;
		}
		if (st.st_dev != st0.st_dev) {
			r = -ENODATA;
			break;
		}
		r = numamove_placement_get(fd, topo, &p);
		if (r == 0 && !first && !parent && (p->flags & NUMAMOVE_PLACEMENT_F_DIRECTORY)) {
			numamove_placement_free(p);
			r = -ENODATA;
		}
		if (r == 0 && !first) {
			/* A directory's placement applies to what is below it as it gives it to it. */
			struct numamove_placement *below = NULL;

			r = numamove_placement_inherit(p, S_ISDIR(st0.st_mode), &below);
			numamove_placement_free(p);
			p = below;
		}
		if (r != -ENODATA) {
			if (r == 0)
				*ret_placement = p;
			break;
		}
		parent = first;
		first = false;
		close(fd);
		fd = -1;
		slash = strrchr(cur, '/');
		if (!slash || slash == cur) {
			if (strcmp(cur, "/") == 0)
				break;
			cur[1] = '\0';
		} else {
			*slash = '\0';
		}
		fd = open(cur, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	if (r == 0 && ret_from)
		*ret_from = cur;
	else
		free(cur);
	return r;
}

NM_EXPORT bool numamove_placement_wants_node(const struct numamove_placement *placement, int node)
{
	const struct numamove_nodelist *nodes = numamove_policy_nodes(placement->policy);

	/* default and local name no node: anywhere is where they put pages */
	if (!numamove_nodelist_count(nodes))
		return true;
	return numamove_nodelist_contains(nodes, node);
}

NM_EXPORT int numamove_placement_conformance(const struct numamove_placement *placement,
					     const struct numamove_maps *maps, uint64_t *ret_wanted,
					     uint64_t *ret_resident, double *ret_percent)
{
	uint64_t wanted = 0, resident = 0;

	if (!placement || !maps)
		return -EINVAL;
	/* Bytes, each mapping in its own page size: a process's maps mix them. */
	for (size_t i = 0; i < maps->n; i++) {
		const struct numamove_mapping *m = &maps->m[i];

		for (size_t node = 0; node < m->n_nodes; node++) {
			uint64_t bytes = m->pages[node] * m->page_size;

			resident += bytes;
			if (bytes && numamove_placement_wants_node(placement, (int)node))
				wanted += bytes;
		}
	}
	if (ret_wanted)
		*ret_wanted = wanted;
	if (ret_resident)
		*ret_resident = resident;
	/* Nothing resident is nothing astray: it conforms. */
	if (ret_percent)
		*ret_percent = resident ? 100.0 * (double)wanted / (double)resident : 100.0;
	return 0;
}

/*
 * FROM and TO of enforcing @p: TO the policy's nodes that have memory,
 * FROM every other node with memory. -ENODATA when there is nothing to
 * move from (default and local name no node; or every node is wanted).
 */
static int placement_nodes(const struct numamove_placement *p, const struct numamove_topology *topo, char *to,
			   size_t to_size, char *from, size_t from_size)
{
	const struct numamove_nodelist *all = numamove_topology_nodes(topo);
	const struct numamove_nodelist *want = numamove_policy_nodes(p->policy);
	struct numamove_nodelist *f = NULL, *t = NULL;
	int r;

	if (!numamove_nodelist_count(want))
		return -ENODATA;
	r = numamove_nodelist_new(&f);
	if (r == 0)
		r = numamove_nodelist_new(&t);
	for (size_t i = 0; r == 0 && i < numamove_nodelist_count(all); i++) {
		int node = numamove_nodelist_get(all, i);

		if (!numamove_node_has_memory(topo, node))
			continue;
		r = numamove_nodelist_add(numamove_nodelist_contains(want, node) ? t : f, node);
	}
	if (r == 0 && !numamove_nodelist_count(t))
		r = -ENODEV; /* none of its nodes has memory on this boot */
	else if (r == 0 && !numamove_nodelist_count(f))
		r = -ENODATA;
	if (r == 0 && (numamove_nodelist_format(t, to, to_size) >= (int)to_size ||
		       numamove_nodelist_format(f, from, from_size) >= (int)from_size))
		r = -ENAMETOOLONG;
	numamove_nodelist_free(f);
	numamove_nodelist_free(t);
	return r;
}

NM_EXPORT int numamove_placement_request(const char *path, const struct numamove_placement *placement,
					 const struct numamove_request_opts *opts,
					 struct numamove_request **ret_request)
{
	struct numamove_topology *topo = NULL;
	struct numamove_object *obj = NULL;
	struct numamove_request *req = NULL;
	char to[1024], from[1024], pol[NUMAMOVE_PLACEMENT_MAX];
	int r;

	if (!path || !placement || !ret_request)
		return -EINVAL;
	r = numamove_topology_load(NULL, &topo);
	if (r == 0)
		r = placement_nodes(placement, topo, to, sizeof(to), from, sizeof(from));
	numamove_topology_free(topo);
	/* The object is opened here only to learn whether the kernel keeps a policy on it. */
	if (r == 0)
		r = numamove_object_open(path, &obj);
	if (r == 0)
		r = numamove_request_new(NUMAMOVE_ACTION_MOVE, opts, &req);
	if (r == 0)
		r = numamove_request_set_nodes(req, to, from, NULL, NULL);
	/*
	 * tmpfs files keep a shared policy: the placement becomes it, so the
	 * pages the file gets later are born in place. Regular files and
	 * hugetlbfs keep none: only their resident pages move.
	 */
	if (r == 0 && numamove_object_has_shared_policy(obj)) {
		numamove_policy_format(placement->policy, pol, sizeof(pol));
		r = numamove_request_set_policy(req, pol, NULL);
	}
	if (r == 0)
		r = numamove_request_add_path(req, path);
	numamove_object_free(obj);
	if (r < 0) {
		numamove_request_free(req);
		return r;
	}
	*ret_request = req;
	return 0;
}

/* The bytes of the first @len of @fd that are in the page cache (mincore(2) of a mapping of it). */
static int cached_bytes(int fd, uint64_t len, uint64_t *ret)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = (size_t)((len + page - 1) / page);
	unsigned char *vec;
	void *addr;
	int r = 0;

	*ret = 0;
	addr = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED)
		return -errno;
	vec = malloc(n);
	if (!vec)
		r = -ENOMEM;
	else if (mincore(addr, (size_t)len, vec) < 0)
		r = -errno;
	for (size_t i = 0; r == 0 && i < n; i++)
		if (vec[i] & 1)
			*ret += i + 1 < n ? page : len - (uint64_t)i * page;
	free(vec);
	munmap(addr, (size_t)len);
	return r;
}

/*
 * Runs @fn(@arg) with the calling thread's memory policy set to
 * @placement's (page cache is allocated under the policy of the task that
 * reads it), then puts the thread's own back. A placement naming no node
 * runs nothing: 0.
 */
static int under_policy(const struct numamove_placement *placement, int (*fn)(void *), void *arg)
{
	unsigned long mask[NM_MASK_WORDS], old_mask[NM_MASK_WORDS];
	int mode, old_mode, r;

	if (!placement->policy->nodes->n)
		return 0;
	r = nm_policy_to_kernel(placement->policy, &mode, mask, NM_MASK_BITS);
	if (r < 0)
		return r;
	if (get_mempolicy(&old_mode, old_mask, NM_MASK_BITS + 1, NULL, 0) < 0)
		return -errno;
	if (set_mempolicy(mode, mask, NM_MASK_BITS + 1) < 0)
		return -errno;
	r = fn(arg);
	if (set_mempolicy(old_mode, old_mode == MPOL_DEFAULT ? NULL : old_mask, NM_MASK_BITS + 1) < 0 && !r)
		r = -errno;
	return r;
}

/* The length of the regular file @fd, at most @max_bytes (0: no limit). */
static int file_len(int fd, uint64_t max_bytes, uint64_t *ret)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*ret = (uint64_t)st.st_size;
	if (max_bytes && *ret > max_bytes)
		*ret = max_bytes;
	return 0;
}

struct ra_args {
	int fd;
	uint64_t len;
};

static int ra_run(void *arg)
{
	const struct ra_args *a = arg;
	int r = 0;

	/*
	 * posix_fadvise(WILLNEED) allocates the pages and starts their reads
	 * in the calling thread, without waiting for them. One WILLNEED reads
	 * at most the device's read-ahead window (the kernel caps it at
	 * max(read_ahead_kb, max_sectors_kb)): asked in pieces of the smallest
	 * default window, 128 KiB, it reads it all.
	 */
	for (uint64_t off = 0; r == 0 && off < a->len; off += RA_CHUNK)
		r = -posix_fadvise(a->fd, (off_t)off, (off_t)(a->len - off < RA_CHUNK ? a->len - off : RA_CHUNK),
				   POSIX_FADV_WILLNEED);
	return r;
}

static int populate_run(void *arg)
{
	const struct ra_args *a = arg;

	/*
	 * hugetlbfs allocates a file's missing huge pages under the policy of
	 * the task that calls fallocate(2) (its inode keeps no shared policy
	 * of its own) and leaves those it has alone.
	 */
	return fallocate(a->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)a->len) < 0 ? -errno : 0;
}

/* A hugetlbfs file's missing pages, allocated under @placement's policy; the bytes allocated by the kernel's count. */
static int populate(int fd, const struct numamove_placement *placement, uint64_t len, uint64_t *ret_bytes)
{
	struct ra_args a = { .fd = fd, .len = len };
	struct stat before, after;
	int r;

	if (fstat(fd, &before) < 0)
		return -errno;
	/* Every page there already: no call (fallocate(2) would change the file's ctime all the same). */
	if ((uint64_t)before.st_blocks * 512 >= (uint64_t)before.st_size)
		return 0;
	r = under_policy(placement, populate_run, &a);
	if (r == 0 && ret_bytes && fstat(fd, &after) == 0 && after.st_blocks > before.st_blocks)
		*ret_bytes = (uint64_t)(after.st_blocks - before.st_blocks) * 512;
	return r;
}

NM_EXPORT int numamove_placement_read_ahead(int fd, const struct numamove_placement *placement, uint64_t max_bytes,
					    uint64_t *ret_bytes)
{
	struct ra_args a = { .fd = fd };
	uint64_t cached = 0;
	struct statfs sfs;
	int r;

	if (fd < 0 || !placement)
		return -EINVAL;
	if (ret_bytes)
		*ret_bytes = 0;
	r = file_len(fd, max_bytes, &a.len);
	/* default and local put pages near the reader: read ahead here, they would be near numamoved. */
	if (r < 0 || !a.len || !placement->policy->nodes->n)
		return r;
	if (a.len > SIZE_MAX)
		return -EFBIG;
	/* hugetlbfs has nothing to read: its pages are allocated, where the placement wants them. */
	if (fstatfs(fd, &sfs) == 0 && sfs.f_type == HUGETLBFS_MAGIC)
		return populate(fd, placement, a.len, ret_bytes);
	/*
	 * A file wholly in the page cache already has nothing to read: no
	 * policy changed, no call made. One that cannot be mapped to see is
	 * read ahead all the same.
	 */
	if (cached_bytes(fd, a.len, &cached) < 0)
		cached = 0;
	if (cached >= a.len)
		return 0;
	r = under_policy(placement, ra_run, &a);
	if (r == 0 && ret_bytes)
		*ret_bytes = a.len - cached;
	return r;
}

struct numamove_locked {
	void *addr;
	uint64_t len;
};

static int lock_run(void *arg)
{
	const struct numamove_locked *l = arg;

	/* The system call itself: AddressSanitizer's mlock() does nothing, and the lock is the point. */
	return syscall(SYS_mlock, l->addr, (size_t)l->len) < 0 ? -errno : 0;
}

NM_EXPORT int numamove_placement_lock(int fd, const struct numamove_placement *placement, uint64_t max_bytes,
				      struct numamove_locked **ret_locked)
{
	struct numamove_locked *l;
	int r;

	if (fd < 0 || !placement || !ret_locked)
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	r = file_len(fd, max_bytes, &l->len);
	if (r == 0 && l->len > SIZE_MAX)
		r = -EFBIG;
	if (r == 0 && l->len) {
		l->addr = mmap(NULL, (size_t)l->len, PROT_READ, MAP_SHARED, fd, 0);
		if (l->addr == MAP_FAILED) {
			r = -errno;
			l->addr = NULL;
		}
	}
	/* mlock() faults the pages in: read here, under the placement's policy (or the thread's own). */
	if (r == 0 && l->addr)
		r = placement->policy->nodes->n ? under_policy(placement, lock_run, l) : lock_run(l);
	if (r < 0) {
		numamove_locked_free(l);
		return r;
	}
	*ret_locked = l;
	return 0;
}

NM_EXPORT uint64_t numamove_locked_bytes(const struct numamove_locked *locked)
{
	return locked ? locked->len : 0;
}

NM_EXPORT void numamove_locked_free(struct numamove_locked *locked)
{
	if (!locked)
		return;
	if (locked->addr)
		munmap(locked->addr, (size_t)locked->len); /* unlocks */
	free(locked);
}
