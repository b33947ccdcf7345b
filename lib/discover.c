/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding shared objects system-wide: the SysV segments
 * (/proc/sysvipc/shm), every file on the tmpfs and hugetlbfs mounts (a
 * walk of each mount, each file once however often it is mounted), and
 * the processes that map a given object (a scan of every /proc/PID/maps).
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "object.h"

/* Directory descriptors one nftw(3) walk keeps open: a small share of RLIMIT_NOFILE's usual 1024. */
#define WALK_FDS 16

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
		for (const char *p = text; p && *p; p = nm_next_line(p)) {
			struct nm_maps_line l;

			if (nm_maps_line_parse(p, &l) < 0 || !line_maps(obj, &l))
				continue;
			/* A segment id means our segment only in our IPC namespace. */
			if (obj->type == NUMAMOVE_OBJECT_SYSV && nm_same_ipc_ns(pid) != 1)
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

/* The file systems whose files are shared memory. */
static const char *const shmem_types[] = { "tmpfs", "hugetlbfs", NULL };

int nm_mountinfo_shmem(const char *text, char ***ret_paths, size_t *ret_count)
{
	return nm_mountinfo_points(text, shmem_types, ret_paths, ret_count);
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
	char **mounts = NULL;
	size_t n_mounts = 0;
	int r;

	*w = (struct walk){ 0 };
	r = nm_mount_points(shmem_types, &mounts, &n_mounts);
	if (r < 0)
		return r;
	walk_state = w;
	/*
	 * Unreadable directories are skipped by nftw; a mount we cannot enter
	 * too. Deeper trees than WALK_FDS close and reopen directories, which
	 * costs time, not correctness.
	 */
	for (size_t i = 0; i < n_mounts && !w->err; i++)
		nftw(mounts[i], walk_one, WALK_FDS, FTW_PHYS | FTW_MOUNT);
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
		int e = nm_object_open_file(w.f[i].path, &w.f[i].st, &obj);

		/* Gone, or not the file the walk found any more: left out. */
		if (e == -ENOENT)
			continue;
		r = fn(w.f[i].path, e < 0 ? NULL : obj, e < 0 ? e : 0, userdata);
	}
	walk_free(&w);
	return r;
}
