/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Placements kept (issue 14): a placement is a memory policy kept on a
 * file or a directory in an extended attribute (libnumamove's
 * numamove_placement_*); the kernel keeps none for the page cache of
 * regular files, so numamoved keeps it.
 *
 * Place (Manager.Place) writes the attribute on behalf of the caller with
 * the caller's rights: a child process that took the caller's uid, gid and
 * groups does the writing (write_as_caller()), so the kernel decides as it decides for the caller's
 * own setfattr (root excepted; a refusal may be overruled by the manage
 * action). The path is then registered: the registry (the file
 * "placements" of the state directory) lists what the daemon keeps, and
 * is read again at start, where every placement is read again from its
 * attribute (the attribute is the truth; the registry only says where to
 * look) and applied again; a placement whose nodes do not exist or have
 * no memory on this boot is logged and skipped, never guessed; a corrupt
 * attribute is logged and skipped; a path whose attribute is gone leaves
 * the registry.
 *
 * Enforcement is event-driven: fanotify inode marks (FAN_CLASS_NOTIF) on
 * placed files and on placed directories (and, for a tree, on every
 * directory below it, same file system) report opens, reads, closes and
 * writes of those files; a second group (FAN_REPORT_DFID_NAME) reports
 * files and directories created in placed directories. An event only
 * schedules a check of the file, at most one per file per 500 ms (the
 * daemon's own opens are ignored); the check, on a thread, asks the
 * library which placement applies (numamove_placement_find()), where the
 * file's resident pages are (numamove_object_load()) and how much of them
 * is where the placement wants it (numamove_placement_conformance()); when
 * less than all of them conform (or a tmpfs file's shared policy is not the placement's),
 * a correction job is queued: an ordinary job, through the global budget,
 * whose request is the library's numamove_placement_request(). Each
 * correction is logged and signalled (Manager.PlacementCorrected).
 *
 * Files that the daemon was not told of stay unwatched: there is no mark
 * on their inodes or directories, so reading them costs nothing more.
 * A placement that reads ahead at open also gets FAN_OPEN_PERM marks
 * (readahead.c): its files' pages are born in place; the checks above
 * still catch what was read before the placement or past read-ahead-max.
 * Not built: mlock pinning.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <pwd.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "front.h"
#include "numamoved.h"

#define MAX_PLACED 65536        /* registered paths, all users */
#define MAX_PLACED_PER_UID 4096
#define MAX_WATCHED 65536       /* files with a check scheduled or remembered */
#define MAX_TREE_DIRS 100000    /* directories marked below one tree placement */
#define MAX_CHECKS 4            /* checks running at once */
#define COALESCE_US 500000ULL   /* at most one check per file per 500 ms */
#define FIRST_DELAY_US 50000ULL /* a first event waits a little for its burst */

/* A registered placement: a path the daemon keeps. */
struct placed {
	char *path;
	dev_t dev;
	ino_t ino;
	bool dir;
	uid_t owner;           /* who placed it */
	bool privileged;       /* root or the manage action: files of others below it are kept too */
	struct numamove_placement *placement; /* as last read; NULL: skipped on this boot */
	char *skipped;         /* why, when skipped */
	bool stored;           /* kept here, in the registry: its file system keeps no attribute (hugetlbfs) */
	char *text;            /* a stored placement skipped on this boot: its text, for the registry */
};

/* A file whose events are coalesced into checks. */
struct watched {
	struct daemon *d;
	dev_t dev;
	ino_t ino;
	char *path;
	uint64_t last_us;      /* when its last check started (CLOCK_MONOTONIC) */
	bool checking, again, waiting;
	uint32_t job;          /* its correction job queued or running, or 0 */
	double conform;        /* as its last check found, -1 unknown */
	sd_event_source *timer;
	bool logged_skip, logged_lock, logged_populate;
	struct watched *hash_next;  /* in its bucket */
	struct watched *wait_next;  /* in the queue of checks waiting for a slot */
};

#define WATCH_BUCKETS 16384

/* A directory marked, and the placement that made it so. */
struct marked {
	dev_t dev;
	ino_t ino;
	size_t placed;         /* index in the registry at marking time: found again by path */
	char *path;
	int fd;                /* O_PATH: a mount fd for open_by_handle_at(2) */
	fsid_t fsid;
};

struct place_state {
	struct placed *v;
	size_t n, alloc;
	struct watched **w;
	size_t n_w;
	struct watched *buckets[WATCH_BUCKETS];  /* by device and inode: an event finds its file at once */
	struct watched *wait_head, **wait_tail;
	struct marked *dirs;
	size_t n_dirs, alloc_dirs;
	int fan, fan_fid;      /* fd events; creations (DFID + name) */
	struct readahead *ra;  /* opens of files placed to read ahead; NULL: not available */
	struct locker *lk;     /* files placed to be locked in memory */
	sd_event_source *fan_src, *fid_src;
	unsigned int checks;
	bool no_fid_logged;
	/* The machine's nodes, read once: shared (const) by the checks, which would read sysfs each time. */
	struct numamove_topology *topo;
	/* MAX_CHECKS threads run the checks (a thread per check cost more than most checks). */
	pthread_t pool[MAX_CHECKS];
	int n_pool;
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct wmsg *queue, **queue_tail;
	bool stopping;
};

/* What a check found (posted with WMSG_PLACE_CHECK). */
struct place_check {
	struct daemon *d;
	const struct numamove_topology *topo;
	dev_t dev;
	ino_t ino;
	char *path;
	int error;             /* 0, or why no placement could be checked */
	char *from;            /* what carries the placement */
	char *text;            /* the placement's attribute text */
	char *nodes;           /* its nodes, for the job's description */
	uid_t file_owner;
	double conform;
	uint64_t astray;       /* bytes on nodes it does not want */
	bool policy_differs;   /* a tmpfs file whose shared policy is not the placement's */
	bool lock;             /* the placement locks the file in memory */
	char *stored_text;     /* the registered placement that covers it, when the registry keeps it (no attribute) */
	char *stored_from;     /* and its path */
	bool populate;         /* a privileged placement: a hugetlbfs file's missing pages are allocated in place */
	uint64_t populate_max; /* at most read-ahead-max bytes of it */
	uint64_t populated;    /* bytes so allocated */
	int populate_error;
};

/* ---- small helpers */

static void put_hexs(FILE *f, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		fprintf(f, "%02x", *p);
}

static char *unhex(const char *hex, size_t n)
{
	char *s;

	if (n % 2)
		return NULL;
	s = malloc(n / 2 + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1 || !v) {
			free(s);
			return NULL;
		}
		s[i] = (char)v;
	}
	s[n / 2] = '\0';
	return s;
}

static const char *scope_name(const struct placed *p)
{
	if (!p->dir)
		return "file";
	return p->placement && (numamove_placement_flags(p->placement) & NUMAMOVE_PLACEMENT_F_DIRECTORY) ? "directory"
													    : "tree";
}

static void placement_policy_text(const struct numamove_placement *p, char *buf, size_t size)
{
	if (numamove_policy_format(numamove_placement_policy(p), buf, size) < 0)
		snprintf(buf, size, "?");
}

/*
 * ---- the registry on disk: "UID PRIVILEGED HEXPATH" lines, and
 * "UID PRIVILEGED HEXPATH HEXPLACEMENT" where the registry keeps the
 * placement itself (its attribute text: the file system has none)
 */

static int registry_save(struct daemon *d)
{
	struct place_state *s = d->place;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	/*
	 * No placement, no registry: numamoved.path starts the daemon at boot
	 * (and again when it is stopped) while the file exists.
	 */
	if (s->n == 0)
		return state_remove_file("placements");
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fputs("# numamoved's placements: uid privileged path (hex) [placement (hex) device:inode, where the file system "
	      "keeps no attribute]; the attributes hold the others\n", f);
	for (size_t i = 0; i < s->n; i++) {
		const struct placed *p = &s->v[i];
		char text[NUMAMOVE_PLACEMENT_MAX];
		int n = p->stored && p->placement ? numamove_placement_format(p->placement, text, sizeof(text)) : -1;

		fprintf(f, "%u %d ", (unsigned int)p->owner, p->privileged);
		put_hexs(f, p->path);
		/* A stored placement: its text, and the file's device and inode, which must be the same at start. */
		const char *kept = !p->stored ? NULL : n >= 0 && n < (int)sizeof(text) ? text : p->text;

		if (kept) {
			fputc(' ', f);
			put_hexs(f, kept);
			fprintf(f, " %llu:%llu", (unsigned long long)p->dev, (unsigned long long)p->ino);
		}
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	r = state_write_file("placements", buf, len);
	free(buf);
	return r;
}

static void placed_clear(struct placed *p)
{
	free(p->path);
	free(p->skipped);
	free(p->text);
	numamove_placement_free(p->placement);
	memset(p, 0, sizeof(*p));
}

static struct placed *placed_find(struct place_state *s, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].dev == dev && s->v[i].ino == ino)
			return &s->v[i];
	return NULL;
}

static unsigned int placed_of(struct place_state *s, uid_t uid)
{
	unsigned int n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->v[i].owner == uid;
	return n;
}

/* ---- fanotify marks */

#define FILE_EVENTS (FAN_OPEN | FAN_ACCESS | FAN_CLOSE_NOWRITE | FAN_CLOSE_WRITE | FAN_MODIFY)

static struct marked *marked_find(struct place_state *s, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < s->n_dirs; i++)
		if (s->dirs[i].dev == dev && s->dirs[i].ino == ino)
			return &s->dirs[i];
	return NULL;
}

/*
 * Whether registered placement @p has its files read ahead at open: it
 * asks for it (a skipped placement does not), and root or the manage
 * action placed it (every open of a file below it waits for the reading:
 * a user's placement does not hold others' opens).
 */
static bool reads_ahead(const struct placed *p)
{
	return p->placement && p->privileged && (numamove_placement_flags(p->placement) & NUMAMOVE_PLACEMENT_F_READ_AHEAD);
}

/* Marks directory @path (open as @fd, which is taken) for its children's events and creations. */
static int mark_dir(struct daemon *d, const char *path, int fd, size_t placed_idx)
{
	struct place_state *s = d->place;
	struct marked *m;
	struct statfs sfs;
	struct stat st;

	if (s->fan < 0 || fstat(fd, &st) < 0) {
		close(fd);
		return 0;
	}
	/* Marked already, perhaps by a placement that did not read ahead: a mark added twice is one. */
	if (reads_ahead(&s->v[placed_idx]) && readahead_mark(s->ra, fd, NULL, true) < 0)
		log_warn("%s: its files are not read ahead when opened (%m): their pages are moved after", path);
	if (marked_find(s, st.st_dev, st.st_ino)) {
		close(fd);
		return 0;
	}
	if (fanotify_mark(s->fan, FAN_MARK_ADD, FILE_EVENTS | FAN_EVENT_ON_CHILD, fd, NULL) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	if (s->fan_fid >= 0 && fanotify_mark(s->fan_fid, FAN_MARK_ADD, FAN_CREATE | FAN_MOVED_TO | FAN_ONDIR, fd,
					     NULL) < 0 && !s->no_fid_logged) {
		log_warn("%s: no creation events here (%m): files created in it are checked when they are read",
			 path);
		s->no_fid_logged = true;
	}
	if (s->n_dirs == s->alloc_dirs) {
		size_t n = s->alloc_dirs ? s->alloc_dirs * 2 : 16;
		struct marked *nv = realloc(s->dirs, n * sizeof(*nv));

		if (!nv) {
			close(fd);
			return -ENOMEM;
		}
		s->dirs = nv;
		s->alloc_dirs = n;
	}
	m = &s->dirs[s->n_dirs];
	*m = (struct marked){ .dev = st.st_dev, .ino = st.st_ino, .placed = placed_idx, .fd = fd };
	if (fstatfs(fd, &sfs) == 0)
		m->fsid = sfs.f_fsid;
	m->path = strdup(path);
	if (!m->path) {
		close(fd);
		return -ENOMEM;
	}
	s->n_dirs++;
	return 0;
}

/* Every directory below @path (same file system, no links), up to MAX_TREE_DIRS. */
static void mark_tree(struct daemon *d, const char *path, dev_t dev, size_t placed_idx, unsigned int *budget,
		      int depth)
{
	DIR *dir;
	struct dirent *de;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 || depth > 64)
		goto out;
	dir = fdopendir(fd);
	if (!dir)
		goto out;
	while ((de = readdir(dir)) && *budget) {
		struct stat st;
		char *sub;
		int sfd;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
		    st.st_dev != dev)
			continue;
		if (asprintf(&sub, "%s/%s", path, de->d_name) < 0)
			break;
		sfd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sfd >= 0) {
			(*budget)--;
			mark_dir(d, sub, sfd, placed_idx);
			mark_tree(d, sub, dev, placed_idx, budget, depth + 1);
		}
		free(sub);
	}
	closedir(dir);
	return;
out:
	if (fd >= 0)
		close(fd);
}

/* Marks what registered placement @i covers. */
static int mark_placed(struct daemon *d, size_t i)
{
	struct place_state *s = d->place;
	struct placed *p = &s->v[i];
	unsigned int budget = MAX_TREE_DIRS;
	int fd, r;

	if (!p->placement || s->fan < 0)
		return 0;
	if (!p->dir) {
		if (fanotify_mark(s->fan, FAN_MARK_ADD, FILE_EVENTS, AT_FDCWD, p->path) < 0)
			return -errno;
		if (reads_ahead(p) && (r = readahead_mark(s->ra, AT_FDCWD, p->path, false)) < 0)
			log_warn("%s: not read ahead when opened (%s): its pages are moved after", p->path, strerror(-r));
		return 0;
	}
	fd = open(p->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	r = mark_dir(d, p->path, fd, i);
	if (r == 0 && !(numamove_placement_flags(p->placement) & NUMAMOVE_PLACEMENT_F_DIRECTORY)) {
		mark_tree(d, p->path, p->dev, i, &budget, 0);
		if (!budget)
			log_warn("%s: more than %d directories below it: those past them are not watched", p->path,
				 MAX_TREE_DIRS);
	}
	return r;
}

/* All marks again, from the registry: after a placement goes. */
static void remark_all(struct daemon *d)
{
	struct place_state *s = d->place;

	if (s->fan >= 0)
		fanotify_mark(s->fan, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL);
	if (s->fan_fid >= 0)
		fanotify_mark(s->fan_fid, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL);
	readahead_flush(s->ra);
	for (size_t i = 0; i < s->n_dirs; i++) {
		close(s->dirs[i].fd);
		free(s->dirs[i].path);
	}
	s->n_dirs = 0;
	for (size_t i = 0; i < s->n; i++) {
		int r = mark_placed(d, i);

		if (r < 0)
			log_warn("%s: cannot watch it: %s", s->v[i].path, strerror(-r));
	}
}

/* ---- checks */

static bool timer_armed(const struct watched *w)
{
	int enabled = 0;

	return w->timer && sd_event_source_get_enabled(w->timer, &enabled) >= 0 && enabled;
}

static void watched_free(struct watched *w)
{
	sd_event_source_disable_unref(w->timer);
	free(w->path);
	free(w);
}

static size_t bucket(dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)ino * 0x9E3779B97F4A7C15ULL) ^ (uint64_t)dev;

	return (size_t)(h >> 32) % WATCH_BUCKETS;
}

static struct watched *watched_find(struct place_state *s, dev_t dev, ino_t ino)
{
	for (struct watched *w = s->buckets[bucket(dev, ino)]; w; w = w->hash_next)
		if (w->dev == dev && w->ino == ino)
			return w;
	return NULL;
}

/* Never one that waits for a slot (it is in the queue): see watched_room() and place_checked(). */
static void watched_drop(struct place_state *s, struct watched *w)
{
	for (struct watched **pp = &s->buckets[bucket(w->dev, w->ino)]; *pp; pp = &(*pp)->hash_next)
		if (*pp == w) {
			*pp = w->hash_next;
			break;
		}
	for (size_t i = 0; i < s->n_w; i++)
		if (s->w[i] == w) {
			s->w[i] = s->w[--s->n_w];
			break;
		}
	watched_free(w);
}

/* Room for one more: an idle one goes (the oldest check first). */
static bool watched_room(struct place_state *s)
{
	struct watched *old = NULL;

	if (s->n_w < MAX_WATCHED)
		return true;
	for (size_t i = 0; i < s->n_w; i++) {
		struct watched *w = s->w[i];

		if (!w->checking && !w->job && !w->waiting && !timer_armed(w) &&
		    (!old || w->last_us < old->last_us))
			old = w;
	}
	if (!old)
		return false;
	watched_drop(s, old);
	return true;
}

void place_check_free(struct place_check *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->from);
	free(c->text);
	free(c->nodes);
	free(c->stored_text);
	free(c->stored_from);
	free(c);
}

/* On a thread of the pool: which placement applies to the file, and how much of it conforms. */
static void check_run(struct wmsg *m)
{
	struct place_check *c = m->check;
	const struct numamove_topology *topo = c->topo;
	struct numamove_placement *p = NULL;
	struct numamove_object *obj = NULL;
	char text[NUMAMOVE_PLACEMENT_MAX];
	uint64_t wanted = 0, resident = 0;
	struct stat st;
	int r;

	r = numamove_placement_find(c->path, topo, &p, &c->from);
	/* No attribute on its file system: the placement the registry keeps for it, as the library reads one. */
	if (r == -ENODATA && c->stored_text) {
		struct numamove_placement *dirs = NULL;

		r = numamove_placement_parse(c->stored_text, strlen(c->stored_text), topo, &dirs);
		/* A directory's own scope covers the files directly in it only, as the library's search says. */
		if (r == 0 && strcmp(c->stored_from, c->path) != 0 &&
		    (numamove_placement_flags(dirs) & NUMAMOVE_PLACEMENT_F_DIRECTORY) &&
		    strchr(c->path + strlen(c->stored_from) + 1, '/'))
			r = -ENODATA;
		if (r == 0 && strcmp(c->stored_from, c->path) != 0)
			r = numamove_placement_inherit(dirs, false, &p);
		else if (r == 0)
			p = dirs, dirs = NULL;
		numamove_placement_free(dirs);
		if (r == 0 && !(c->from = strdup(c->stored_from)))
			r = -ENOMEM;
	}
	if (r == 0 && (stat(c->path, &st) < 0 || st.st_dev != c->dev || st.st_ino != c->ino))
		r = -ESTALE; /* another file at its path now */
	if (r == 0 && !S_ISREG(st.st_mode))
		r = -EISDIR;
	if (r == 0) {
		c->file_owner = st.st_uid;
		int n = numamove_placement_format(p, text, sizeof(text));

		if (n >= 0 && n < (int)sizeof(text))
			c->text = strdup(text);
		if (numamove_nodelist_format(numamove_policy_nodes(numamove_placement_policy(p)), text,
					     sizeof(text)) < (int)sizeof(text))
			c->nodes = strdup(*text ? text : "all");
		if (!c->text || !c->nodes)
			r = -ENOMEM;
		c->lock = numamove_placement_flags(p) & NUMAMOVE_PLACEMENT_F_LOCK;
	}
	if (r == 0)
		r = numamove_object_open(c->path, &obj);
	/*
	 * hugetlbfs allocates a page where the task that faults it runs: the
	 * pages the file lacks are allocated now, under the placement (the
	 * library's read-ahead), so that those the file gets later are born in
	 * place; what was faulted before is moved below.
	 */
	if (r == 0 && c->populate && numamove_object_is_hugetlb(obj)) {
		int fd = open(c->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
		struct stat fst;

		/* The file checked, not another put at its path since. */
		c->populate_error = fd < 0 ? -errno
			: fstat(fd, &fst) < 0 || !S_ISREG(fst.st_mode) || fst.st_dev != c->dev || fst.st_ino != c->ino ? -ESTALE
			: numamove_placement_read_ahead(fd, p, c->populate_max, &c->populated);
		if (fd >= 0)
			close(fd);
	}
	if (r == 0)
		r = numamove_object_load(obj);
	if (r == 0)
		r = numamove_placement_conformance(p, numamove_object_maps(obj), &wanted, &resident, &c->conform);
	if (r == 0) {
		c->astray = resident - wanted;
		/* tmpfs keeps the policy itself: the placement's must be it, so that new pages are born in place. */
		if (numamove_object_has_shared_policy(obj) &&
		    numamove_nodelist_count(numamove_policy_nodes(numamove_placement_policy(p)))) {
			placement_policy_text(p, text, sizeof(text));
			c->policy_differs = !numamove_object_policy(obj) || strcmp(numamove_object_policy(obj), text) != 0;
		}
	}
	if (r == 0 && (c->conform < 100.0 || c->policy_differs)) {
		/* The library says whether enforcing it does anything here (nothing with one node). */
		struct numamove_request *req = NULL;
		int q = numamove_placement_request(c->path, p, NULL, &req);

		numamove_request_free(req);
		if (q == -ENODATA)
			c->policy_differs = false, c->conform = 100.0, c->astray = 0;
	}
	c->error = r;
	numamove_object_free(obj);
	numamove_placement_free(p);
	worker_post(c->d, m);
}

static void *pool_main(void *arg)
{
	struct place_state *s = arg;

	for (;;) {
		struct wmsg *m;

		pthread_mutex_lock(&s->qlock);
		while (!s->queue && !s->stopping)
			pthread_cond_wait(&s->qcond, &s->qlock);
		m = s->queue;
		if (m) {
			s->queue = m->next;
			if (!s->queue)
				s->queue_tail = &s->queue;
			m->next = NULL;
		}
		pthread_mutex_unlock(&s->qlock);
		if (!m)
			return NULL; /* stopping, and nothing left */
		check_run(m);
	}
}

static void schedule(struct watched *w);
static struct placed *covering(struct place_state *s, const char *path);

static int check_start(struct watched *w)
{
	struct place_state *s = w->d->place;
	struct wmsg *m = calloc(1, sizeof(*m));
	struct place_check *c = calloc(1, sizeof(*c));
	const struct placed *by;

	if (!m || !c || !(c->path = strdup(w->path))) {
		free(m);
		place_check_free(c);
		return -ENOMEM;
	}
	c->d = w->d;
	c->topo = s->topo;
	c->dev = w->dev;
	c->ino = w->ino;
	c->conform = -1;
	by = covering(s, w->path);
	if (by && by->placement) {
		char text[NUMAMOVE_PLACEMENT_MAX];

		/* Only the registry can say what a file system without attributes has placed. */
		int n = by->stored ? numamove_placement_format(by->placement, text, sizeof(text)) : -1;

		if (n >= 0 && n < (int)sizeof(text) &&
		    (!(c->stored_text = strdup(text)) || !(c->stored_from = strdup(by->path)))) {
			free(m);
			place_check_free(c);
			return -ENOMEM;
		}
		/* read-ahead-max 0 turns reading ahead off: allocating ahead too. */
		c->populate = by->privileged && w->d->cfg.read_ahead_max > 0;
		c->populate_max = w->d->cfg.read_ahead_max;
	}
	m->kind = WMSG_PLACE_CHECK;
	m->check = c;
	if (!s->n_pool) {
		free(m);
		place_check_free(c);
		return -EAGAIN;
	}
	pthread_mutex_lock(&s->qlock);
	*s->queue_tail = m;
	s->queue_tail = &m->next;
	pthread_cond_signal(&s->qcond);
	pthread_mutex_unlock(&s->qlock);
	w->checking = true;
	w->again = false;
	w->last_us = mono_us();
	s->checks++;
	return 0;
}

static void wait_for_slot(struct place_state *s, struct watched *w)
{
	w->waiting = true;
	w->wait_next = NULL;
	*s->wait_tail = w;
	s->wait_tail = &w->wait_next;
}

/* Checks that waited for a free slot, in the order they came. */
static void start_waiting(struct place_state *s)
{
	while (s->wait_head && s->checks < MAX_CHECKS) {
		struct watched *w = s->wait_head;

		s->wait_head = w->wait_next;
		if (!s->wait_head)
			s->wait_tail = &s->wait_head;
		w->waiting = false;
		if (!w->checking && !w->job && check_start(w) < 0)
			log_err("%s: cannot start a check", w->path);
	}
}

static int on_check_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct watched *w = userdata;
	struct place_state *s = w->d->place;

	if (w->checking || w->job) {
		w->again = true;
		return 0;
	}
	if (s->checks >= MAX_CHECKS || check_start(w) < 0)
		wait_for_slot(s, w);
	return 0;
}

/* A check of @w, at most one per COALESCE_US; what comes meanwhile folds into it. */
static void schedule(struct watched *w)
{
	uint64_t now = mono_us(), at;

	if (w->checking || w->job) {
		w->again = true;
		return;
	}
	if (w->waiting || timer_armed(w))
		return;
	at = w->last_us ? w->last_us + COALESCE_US : now + FIRST_DELAY_US;
	if (at < now + FIRST_DELAY_US / 5)
		at = now + FIRST_DELAY_US / 5;
	if (!w->timer) {
		if (sd_event_add_time(w->d->event, &w->timer, CLOCK_MONOTONIC, at, 10000, on_check_timer, w) < 0)
			return;
	} else {
		sd_event_source_set_time(w->timer, at);
	}
	sd_event_source_set_enabled(w->timer, SD_EVENT_ONESHOT);
}

/* The watched entry of the file @path (@st its stat), made when new; NULL when there is no room. */
static struct watched *watch(struct daemon *d, const char *path, const struct stat *st)
{
	struct place_state *s = d->place;
	struct watched *w = watched_find(s, st->st_dev, st->st_ino), **nv;

	if (w)
		return w;
	if (!watched_room(s))
		return NULL;
	w = calloc(1, sizeof(*w));
	nv = realloc(s->w, (s->n_w + 1) * sizeof(*nv));
	if (!w || !nv || !(w->path = strdup(path))) {
		if (nv)
			s->w = nv;
		free(w);
		return NULL;
	}
	s->w = nv;
	w->d = d;
	w->dev = st->st_dev;
	w->ino = st->st_ino;
	w->conform = -1;
	s->w[s->n_w++] = w;
	w->hash_next = s->buckets[bucket(w->dev, w->ino)];
	s->buckets[bucket(w->dev, w->ino)] = w;
	return w;
}

static void watch_path(struct daemon *d, const char *path)
{
	struct stat st;
	struct watched *w;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	w = watch(d, path, &st);
	if (w)
		schedule(w);
}

/* The registered placement that covers @path: the longest registered path that is it or a directory above. */
static struct placed *covering(struct place_state *s, const char *path)
{
	struct placed *best = NULL;

	for (size_t i = 0; i < s->n; i++) {
		size_t n = strlen(s->v[i].path);

		if (strncmp(path, s->v[i].path, n) != 0 || (path[n] != '/' && path[n] != '\0' && n != 1))
			continue;
		if (!best || n > strlen(best->path))
			best = &s->v[i];
	}
	return best;
}

/* Queues the correction of @w: an ordinary job whose request is the library's. */
static void correct(struct daemon *d, struct watched *w, struct place_check *c, const struct placed *by)
{
	struct move_opts o = { 0 };
	struct target *t = calloc(1, sizeof(*t));
	struct job *j;
	struct stat st;

	o.to = strdup(c->nodes);
	if (!t || !o.to || stat(w->path, &st) < 0)
		goto fail;
	*t = (struct target){ .kind = TARGET_PATH, .fd = -1, .owner = st.st_uid, .key_a = st.st_dev,
			      .key_b = st.st_ino };
	t->text = strdup(w->path);
	t->label = strdup(w->path);
	if (!t->text || !t->label)
		goto fail;
	j = job_new(d, by->owner, t, 1, &o);
	if (!j)
		goto fail;
	t = NULL;
	if (numamove_placement_parse(c->text, strlen(c->text), NULL, &j->placement) < 0) {
		job_finish(j, JOB_FAILED, "failed", EXIT_ERROR);
		return;
	}
	/* The daemon's rights: page cache is shared memory, and the placement is the file's own. */
	j->privileged = true;
	job_describe(j);
	w->job = j->id;
	log_for(6, j->id, 0, (long)by->owner, "placement of %s (%s, from %s): %.1f%% of its resident pages conform, "
		"%" PRIu64 " bytes elsewhere%s: correction job %" PRIu32, w->path, c->nodes, c->from, c->conform,
		c->astray, c->policy_differs ? ", its shared policy is not the placement's" : "", j->id);
	job_enqueue(j);
	return;
fail:
	if (t)
		target_clear(t);
	free(t);
	move_opts_clear(&o);
	log_err("%s: cannot queue a correction: out of memory", w->path);
}

/* A check's result, on the loop. */
/*
 * A checked file whose placement locks it in memory: locked (on the
 * locker's thread) when root or the manage action placed what covers it;
 * memory locked is the machine's, not one user's to take.
 */
static void lock_checked(struct place_state *s, struct watched *w, const struct place_check *c)
{
	const struct placed *by = covering(s, w->path);

	/* The placement that applies must be the registered one (not the file's own attribute, anyone's). */
	if (by && by->privileged && c->from && strcmp(c->from, by->path) == 0) {
		locker_consider(s->lk, w->path, by->path);
	} else if (!w->logged_lock) {
		log_warn("%s: its placement asks to lock it in memory, but %s: not locked (only placements of root or "
			 "the manage action lock files)", w->path, !by ? "numamoved was not told of it" :
			 !by->privileged ? "a user without the manage action placed it" :
			 "it is the file's own, not the one root placed");
		w->logged_lock = true;
	}
}

void place_checked(struct daemon *d, struct wmsg *m)
{
	struct place_state *s = d->place;
	struct place_check *c = m->check;
	struct watched *w = watched_find(s, c->dev, c->ino);
	const struct placed *by;

	s->checks--;
	start_waiting(s);
	if (!w)
		return;
	w->checking = false;
	w->conform = c->error ? -1 : c->conform;
	switch (c->error) {
	case 0:
		break;
	case -ENODATA:
	case -ENOENT:
	case -ESTALE:
	case -EISDIR:
		/* Its placement went, or the file did: nothing to keep. */
		watched_drop(s, w);
		return;
	case -EBADMSG:
		if (!w->logged_skip)
			log_err("%s: its placement (or a directory's above it) is a corrupt " NUMAMOVE_PLACEMENT_XATTR
				" attribute: not kept", w->path);
		w->logged_skip = true;
		return;
	case -ENODEV:
	case -ERANGE:
		if (!w->logged_skip)
			log_warn("%s: its placement names a node that does not exist or has no memory on this boot: "
				 "not kept", w->path);
		w->logged_skip = true;
		return;
	default:
		if (!w->logged_skip)
			log_warn("%s: cannot check its placement: %s", w->path, strerror(-c->error));
		w->logged_skip = true;
		return;
	}
	w->logged_skip = false;
	if (c->populated)
		log_info("%s: %" PRIu64 " bytes of huge pages it lacked allocated on %s, its placement's nodes", w->path,
			 c->populated, c->nodes);
	if (c->populate_error < 0 && !w->logged_populate)
		log_warn("%s: cannot allocate the huge pages it lacks on %s, its placement's nodes: %s", w->path, c->nodes,
			 c->populate_error == -ENOSPC ? "no free huge page there" : strerror(-c->populate_error));
	w->logged_populate = c->populate_error < 0;
	log_debug("%s: checked: %.1f%% of its resident pages conform to %s (from %s)%s", w->path, c->conform, c->nodes,
		  c->from, c->policy_differs ? "; its shared policy is not the placement's" : "");
	if (c->lock)
		lock_checked(s, w, c);
	if (c->conform < 100.0 || c->policy_differs) {
		by = covering(s, w->path);
		if (!by) {
			/* Placed by hand under nothing the daemon was told of: its events came through a mark
			 * that has gone since. */
			watched_drop(s, w);
			return;
		}
		/* A user's placement keeps that user's files: the daemon moves no one else's page cache for them. */
		if (!by->privileged && c->file_owner != by->owner) {
			log_debug("%s: of uid %u, below the placement of uid %u on %s: not kept", w->path,
				  (unsigned int)c->file_owner, (unsigned int)by->owner, by->path);
			return;
		}
		correct(d, w, c, by);
		return;
	}
	if (w->again)
		schedule(w);
}

/* A correction ended: say what moved; check again if events came meanwhile. */
void place_job_finished(struct daemon *d, struct job *j)
{
	struct place_state *s = d->place;
	struct watched *w = NULL;

	if (!j->placement || !s)
		return;
	for (size_t i = 0; i < s->n_w; i++)
		if (s->w[i]->job == j->id)
			w = s->w[i];
	log_for(j->state == JOB_DONE ? 6 : 4, j->id, 0, (long)j->owner, "placement of %s corrected: %s, %" PRIu64
		" bytes moved (job %" PRIu32 ")", j->targets[0].text, job_state_name(j->state), j->bytes_done, j->id);
	bus_placement_corrected(d, j->targets[0].text, j->bytes_done);
	if (!w)
		return;
	w->job = 0;
	if (w->again)
		schedule(w);
}

/* ---- fanotify events */

static void on_file_event(struct daemon *d, const struct fanotify_event_metadata *ev)
{
	char link[64], path[PATH_MAX];
	struct watched *w;
	struct stat st;
	ssize_t n;

	/* The daemon's own opens (its checks and moves) are not a reader's. */
	if (ev->pid == getpid() || fstat(ev->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	w = watched_find(d->place, st.st_dev, st.st_ino);
	if (!w) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", ev->fd);
		n = readlink(link, path, sizeof(path) - 1);
		if (n <= 0 || path[0] != '/')
			return;
		path[n] = '\0';
		w = watch(d, path, &st);
		if (!w)
			return;
	}
	schedule(w);
}

static int on_fan(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	char buf[8192] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	ssize_t len;

	while ((len = read(fd, buf, sizeof(buf))) > 0) {
		const struct fanotify_event_metadata *ev = (const void *)buf;

		for (; FAN_EVENT_OK(ev, len); ev = FAN_EVENT_NEXT(ev, len)) {
			if (ev->vers != FANOTIFY_METADATA_VERSION)
				continue;
			if (ev->mask & FAN_Q_OVERFLOW)
				log_warn("fanotify: events lost (the queue overflowed): some reads go unchecked until "
					 "their files are read again");
			if (ev->fd >= 0) {
				on_file_event(d, ev);
				close(ev->fd);
			}
		}
	}
	return 0;
}

/* A file or directory created in a marked directory. */
static void on_created(struct daemon *d, int dirfd, const char *name)
{
	struct place_state *s = d->place;
	struct stat dst, st;
	struct marked *m;
	char link[64], dpath[PATH_MAX], *path = NULL;
	ssize_t n;

	if (fstat(dirfd, &dst) < 0 || !(m = marked_find(s, dst.st_dev, dst.st_ino)))
		return;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = readlink(link, dpath, sizeof(dpath) - 1);
	if (n <= 0 || dpath[0] != '/')
		return;
	dpath[n] = '\0';
	if (asprintf(&path, "%s/%s", strcmp(dpath, "/") == 0 ? "" : dpath, name) < 0)
		return;
	if (S_ISREG(st.st_mode)) {
		log_debug("%s: created in a placed directory: checked", path);
		watch_path(d, path);
	} else if (S_ISDIR(st.st_mode) && st.st_dev == dst.st_dev) {
		/* A new directory of a placed tree is watched as the tree is (a directory scope ends here). */
		struct placed *by = covering(s, path);
		int fd;

		if (by && by->dir && by->placement &&
		    !(numamove_placement_flags(by->placement) & NUMAMOVE_PLACEMENT_F_DIRECTORY)) {
			unsigned int budget = MAX_TREE_DIRS;

			fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (fd >= 0 && mark_dir(d, path, fd, (size_t)(by - s->v)) == 0)
				mark_tree(d, path, dst.st_dev, (size_t)(by - s->v), &budget, 0);
		}
	}
	free(path);
}

static int on_fan_fid(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	struct place_state *s = d->place;
	char buf[8192] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	ssize_t len;

	while ((len = read(fd, buf, sizeof(buf))) > 0) {
		const struct fanotify_event_metadata *ev = (const void *)buf;

		for (; FAN_EVENT_OK(ev, len); ev = FAN_EVENT_NEXT(ev, len)) {
			const char *p = (const char *)(ev + 1), *end = (const char *)ev + ev->event_len;

			if (ev->vers != FANOTIFY_METADATA_VERSION || ev->pid == getpid())
				continue;
			while (p + sizeof(struct fanotify_event_info_header) <= end) {
				const struct fanotify_event_info_fid *fid = (const void *)p;
				const struct file_handle *fh;
				const char *name;
				int mount_fd = -1, dfd;

				if (fid->hdr.len < sizeof(*fid) || p + fid->hdr.len > end)
					break;
				p += fid->hdr.len;
				if (fid->hdr.info_type != FAN_EVENT_INFO_TYPE_DFID_NAME)
					continue;
				fh = (const struct file_handle *)fid->handle;
				name = (const char *)fh->f_handle + fh->handle_bytes;
				for (size_t i = 0; i < s->n_dirs && mount_fd < 0; i++)
					if (memcmp(&s->dirs[i].fsid, &fid->fsid, sizeof(fid->fsid)) == 0)
						mount_fd = s->dirs[i].fd;
				if (mount_fd < 0)
					continue;
				dfd = open_by_handle_at(mount_fd, (struct file_handle *)fh, O_RDONLY | O_DIRECTORY |
							O_CLOEXEC);
				if (dfd < 0)
					continue;
				on_created(d, dfd, name);
				close(dfd);
			}
		}
	}
	return 0;
}

/* ---- registering */

/* Registers (or updates) @path with @placement (taken); marks it; checks its files when @check. */
static int register_path(struct daemon *d, const char *path, const struct stat *st, uid_t owner, bool privileged,
			 struct numamove_placement *placement, bool stored, bool check)
{
	struct place_state *s = d->place;
	struct placed *p = placed_find(s, st->st_dev, st->st_ino);
	size_t i;
	int r;

	if (!p) {
		if (s->n == s->alloc) {
			size_t n = s->alloc ? s->alloc * 2 : 16;
			struct placed *nv = realloc(s->v, n * sizeof(*nv));

			if (!nv) {
				numamove_placement_free(placement);
				return -ENOMEM;
			}
			s->v = nv;
			s->alloc = n;
		}
		p = &s->v[s->n];
		memset(p, 0, sizeof(*p));
		p->path = strdup(path);
		if (!p->path) {
			numamove_placement_free(placement);
			return -ENOMEM;
		}
		s->n++;
	} else if (strcmp(p->path, path) != 0) {
		char *np = strdup(path);

		if (np) {
			free(p->path);
			p->path = np;
		}
	}
	p->dev = st->st_dev;
	p->ino = st->st_ino;
	p->dir = S_ISDIR(st->st_mode);
	/* The latest to place it keeps it; a privileged placement stays so only when placed so again. */
	p->owner = owner;
	p->privileged = privileged;
	p->stored = stored;
	free(p->text);
	p->text = NULL;
	numamove_placement_free(p->placement);
	p->placement = placement;
	free(p->skipped);
	p->skipped = NULL;
	i = (size_t)(p - s->v);
	r = mark_placed(d, i);
	if (r < 0)
		log_warn("%s: cannot watch it: %s", path, strerror(-r));
	if (!check)
		return 0;
	if (!p->dir) {
		watch_path(d, path);
	} else {
		/* Its files now: those directly in it, or with a tree, every marked directory's. */
		for (size_t k = 0; k < s->n_dirs; k++) {
			DIR *dir;
			struct dirent *de;
			int fd;

			if (covering(s, s->dirs[k].path) != &s->v[i])
				continue;
			fd = open(s->dirs[k].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			dir = fd >= 0 ? fdopendir(fd) : NULL;
			if (!dir) {
				if (fd >= 0)
					close(fd);
				continue;
			}
			while ((de = readdir(dir)) && s->n_w < MAX_WATCHED) {
				char *f;

				if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
					continue;
				if (asprintf(&f, "%s/%s", s->dirs[k].path, de->d_name) < 0)
					break;
				watch_path(d, f);
				free(f);
			}
			closedir(dir);
		}
	}
	return 0;
}

static void unregister(struct daemon *d, size_t i)
{
	struct place_state *s = d->place;

	placed_clear(&s->v[i]);
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
	s->n--;
}

/* ---- Place and Clear: the writing, as the caller */

struct place_path {
	char *given;
	char *real;
	struct stat st;
	int error;            /* negative errno of the first failure */
	char *where;          /* the path it failed at (a file below it, with recursive) */
	bool stored;          /* no attribute on its file system: the registry keeps its placement */
};

struct place_call {
	struct daemon *d;
	struct caller caller;
	bool as_caller;       /* written by a child process with the caller's ids (write_as_caller()) */
	bool clear, recursive, now;
	struct numamove_placement *placement;
	struct place_path *paths;
	size_t n;
	int failed;           /* index of the first path that failed, or -1 */
};

void place_call_free(struct place_call *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->paths[i].given);
		free(c->paths[i].real);
		free(c->paths[i].where);
	}
	free(c->paths);
	numamove_placement_free(c->placement);
	free(c);
}

/* The ids the writer takes: the caller's uid, gid and groups (looked up here, in the daemon, before any fork). */
struct writer_ids {
	uid_t uid;
	gid_t gid;
	gid_t groups[256];
	int n;
};

static void caller_ids(const struct caller *c, struct writer_ids *w)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwuid_r(c->uid, &pw, buf, sizeof(buf), &res) != 0)
		res = NULL;
	w->uid = c->uid;
	/* A gid the bus did not say is never left as the daemon's (0): the user's own, else nogroup. */
	w->gid = c->gid != (gid_t)-1 ? c->gid : res ? res->pw_gid : 65534;
	if (c->n_groups >= 0) {
		w->n = c->n_groups;
		memcpy(w->groups, c->groups, (size_t)w->n * sizeof(gid_t));
	} else {
		w->n = 256;
		if (!res || getgrouplist(res->pw_name, w->gid, w->groups, &w->n) < 0)
			w->n = 0;
	}
}

/*
 * Whether this thread's ids may write the file of @fd, by its mode bits
 * (ACLs aside): for a file whose attribute is already the one asked, on a
 * file system the daemon's sandbox sees read-only (ProtectSystem=strict),
 * where access(2) says EROFS whoever asks.
 */
static int may_write_bits(int fd)
{
	gid_t groups[256];
	struct stat st;
	uid_t uid = geteuid();
	int n;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (uid == 0 || (uid == st.st_uid && (st.st_mode & S_IWUSR)))
		return 0;
	if (uid == st.st_uid)
		return -EACCES;
	n = getgroups(256, groups);
	if (getegid() == st.st_gid)
		return st.st_mode & S_IWGRP ? 0 : -EACCES;
	for (int i = 0; i < n; i++)
		if (groups[i] == st.st_gid)
			return st.st_mode & S_IWGRP ? 0 : -EACCES;
	return st.st_mode & S_IWOTH ? 0 : -EACCES;
}

/* 0 when @fd's attribute is the text of @want already (numamove place wrote it: nothing to write again). */
static int same_attribute(int fd, const struct numamove_placement *want)
{
	struct numamove_placement *cur = NULL;
	char a[NUMAMOVE_PLACEMENT_MAX], b[NUMAMOVE_PLACEMENT_MAX];
	int r = numamove_placement_get(fd, NULL, &cur);

	if (r == 0) {
		numamove_placement_format(cur, a, sizeof(a));
		numamove_placement_format(want, b, sizeof(b));
		r = strcmp(a, b) == 0 ? 0 : -ESTALE;
	}
	numamove_placement_free(cur);
	return r;
}

/* 0 when this thread's ids may write the file of @fd. */
static int may_write(int fd)
{
	int r = faccessat(fd, "", W_OK, AT_EACCESS | AT_EMPTY_PATH);

	if (r < 0 && errno == EROFS)
		return may_write_bits(fd);
	return r < 0 ? -errno : 0;
}

/* hugetlbfs keeps no attribute at all (tmpfs before 6.6 keeps trusted.*, root's). */
static bool on_hugetlbfs(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == HUGETLBFS_MAGIC;
}

/*
 * Writes @p on @fd, unless it is there already and the caller may write
 * the file. Where the file system keeps no attribute at all (hugetlbfs),
 * a caller who may write the file gets the placement kept in the
 * registry instead: *@stored.
 */
static int set_placement(int fd, const struct numamove_placement *p, bool *stored)
{
	int r;

	if (same_attribute(fd, p) == 0)
		return may_write(fd);
	r = numamove_placement_set(fd, p);
	if (r == -EOPNOTSUPP && stored && on_hugetlbfs(fd) && (r = may_write(fd)) == 0)
		*stored = true;
	return r;
}

/*
 * The placement of one path (below a directory: what the library says the
 * directory's gives it); *@stored when the registry is to keep it.
 */
static int set_one(struct place_call *c, int fd, bool below, bool is_dir, bool *stored)
{
	struct numamove_placement *inherited = NULL;
	int r;

	if (c->clear)
		return numamove_placement_clear(fd);
	if (below) {
		r = numamove_placement_inherit(c->placement, is_dir, &inherited);
		if (r == 0)
			r = set_placement(fd, inherited, stored);
		numamove_placement_free(inherited);
		return r;
	}
	return set_placement(fd, c->placement, stored);
}

static __thread struct place_call *walking;
static __thread struct place_path *walking_path;

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	int fd, r;

	if (ftw->level == 0)
		return 0; /* the top, done already */
	if (type == FTW_DNR || type == FTW_NS) {
		r = -EACCES;
	} else if ((type != FTW_D && type != FTW_F) || (type == FTW_F && !S_ISREG(st->st_mode))) {
		return 0;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
		r = fd < 0 ? -errno : set_one(walking, fd, true, type == FTW_D, NULL);
		if (fd >= 0)
			close(fd);
	}
	if (r < 0) {
		walking_path->error = r;
		walking_path->where = strdup(path);
		return 1;
	}
	return 0;
}

static void *writer_main(void *arg)
{
	struct place_call *c = arg;
	int r = 0;

	for (size_t i = 0; i < c->n && c->failed < 0; i++) {
		struct place_path *p = &c->paths[i];
		int fd;

		if (r < 0) {
			p->error = r;
		} else if (!(p->real = realpath(p->given, NULL)) || stat(p->real, &p->st) < 0) {
			p->error = -errno;
		} else if (!S_ISREG(p->st.st_mode) && !S_ISDIR(p->st.st_mode)) {
			p->error = -EINVAL;
		} else if ((fd = open(p->real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW)) < 0) {
			p->error = -errno;
		} else if (fstat(fd, &p->st) < 0 || (!S_ISREG(p->st.st_mode) && !S_ISDIR(p->st.st_mode))) {
			/* What was opened is what is registered, not what stat(2) found before. */
			p->error = -EINVAL;
			close(fd);
		} else {
			p->error = set_one(c, fd, false, S_ISDIR(p->st.st_mode), &p->stored);
			close(fd);
			/* A directory the registry keeps covers what is below it there: nothing to write below. */
			if (p->error == 0 && c->recursive && !c->clear && S_ISDIR(p->st.st_mode) && !p->stored) {
				walking = c;
				walking_path = p;
				nftw(p->real, walk_one, 32, FTW_PHYS | FTW_MOUNT);
				walking = NULL;
			}
		}
		if (p->error < 0)
			c->failed = (int)i;
	}
	return NULL;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What the writer found of one path, through the pipe from the child that wrote as the caller. */
struct writer_result {
	int error;
	bool stored;
	dev_t dev;
	ino_t ino;
	mode_t mode;
	char real[PATH_MAX];
	char where[PATH_MAX];
};

/* Well within the watchdog's 30 s: the loop waits for the writer. */
#define WRITER_TIMEOUT_MS 10000

/*
 * As the caller: in a child process that takes the caller's ids, so that
 * the kernel checks each open and attribute write as it checks the
 * caller's own. Never in a thread of the daemon: a thread with the
 * caller's ids can be signalled by the caller, and a SIGSTOP or SIGKILL
 * to it stops or kills the whole daemon. The child can be stopped or
 * killed by the caller, which only fails the call (after a timeout).
 */
static int write_as_caller(struct place_call *c)
{
	struct writer_ids ids;
	int64_t deadline;
	int pfd[2], status;
	size_t got = 0, want = c->n * sizeof(struct writer_result);
	struct writer_result *res = calloc(c->n ? c->n : 1, sizeof(*res));
	pid_t pid;

	if (!res)
		return -ENOMEM;
	caller_ids(&c->caller, &ids);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		free(res);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		free(res);
		return -errno;
	}
	if (pid == 0) {
		/* The child: the caller's ids, then the writing, then each path's result. */
		int r = 0;

		close(pfd[0]);
		if (syscall(SYS_setgroups, ids.n, ids.groups) < 0 || syscall(SYS_setresgid, ids.gid, ids.gid, ids.gid) < 0 ||
		    syscall(SYS_setresuid, ids.uid, ids.uid, ids.uid) < 0)
			r = -errno;
		if (r == 0)
			writer_main(c);
		for (size_t i = 0; i < c->n; i++) {
			struct place_path *p = &c->paths[i];
			struct writer_result w = { .error = r < 0 ? r : p->error, .stored = p->stored };

			w.dev = p->st.st_dev;
			w.ino = p->st.st_ino;
			w.mode = p->st.st_mode;
			snprintf(w.real, sizeof(w.real), "%s", p->real ? p->real : "");
			snprintf(w.where, sizeof(w.where), "%s", p->where ? p->where : "");
			if (write(pfd[1], &w, sizeof(w)) != (ssize_t)sizeof(w))
				_exit(1);
		}
		_exit(0);
	}
	close(pfd[1]);
	deadline = mono_ms() + WRITER_TIMEOUT_MS;
	while (got < want) {
		struct pollfd pl = { .fd = pfd[0], .events = POLLIN };
		int64_t left = deadline - mono_ms();
		ssize_t n;

		if (left <= 0 || poll(&pl, 1, (int)left) <= 0)
			break; /* stopped or stuck: killed below */
		n = read(pfd[0], (char *)res + got, want - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(pfd[0]);
	if (got < want)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	for (size_t i = 0; i < c->n; i++) {
		struct place_path *p = &c->paths[i];
		const struct writer_result *w = &res[i];

		if (got < want) {
			p->error = -ETIMEDOUT;
		} else {
			p->error = w->error;
			p->stored = w->stored;
			p->st.st_dev = w->dev;
			p->st.st_ino = w->ino;
			p->st.st_mode = w->mode;
			p->real = w->real[0] ? strdup(w->real) : NULL;
			p->where = w->where[0] ? strdup(w->where) : NULL;
		}
		if (p->error < 0 && c->failed < 0)
			c->failed = (int)i;
	}
	free(res);
	return 0;
}

/* Runs the writing (as the caller, unless root or allowed manage) and waits for it. */
static int write_all(struct place_call *c)
{
	c->failed = -1;
	for (size_t i = 0; i < c->n; i++) {
		free(c->paths[i].real);
		free(c->paths[i].where);
		c->paths[i].real = c->paths[i].where = NULL;
		c->paths[i].error = 0;
		c->paths[i].stored = false;
	}
	if (c->as_caller)
		return write_as_caller(c);
	writer_main(c);
	return 0;
}

static const char *verb(const struct place_call *c)
{
	return c->clear ? "clear the placement of" : "place";
}

/* Registers what was written and answers. */
static void finish_call(struct place_call *c, sd_bus_message *m, bool privileged)
{
	struct daemon *d = c->d;
	struct place_state *s = d->place;
	char pol[NUMAMOVE_PLACEMENT_MAX] = "";
	bool changed = false;

	if (c->placement)
		placement_policy_text(c->placement, pol, sizeof(pol));
	for (size_t i = 0; i < c->n; i++) {
		struct place_path *p = &c->paths[i];
		struct numamove_placement *copy = NULL;
		struct placed *old;

		/* A path before the one that failed was written: it is kept. */
		if (p->error < 0 || !p->real)
			break;
		old = placed_find(s, p->st.st_dev, p->st.st_ino);
		/* One skipped at start, whose file could not be looked at then, is found by its path. */
		for (size_t k = 0; !old && c->clear && k < s->n; k++)
			if (!s->v[k].placement && strcmp(s->v[k].path, p->real) == 0)
				old = &s->v[k];
		if (c->clear) {
			if (old) {
				unregister(d, (size_t)(old - s->v));
				changed = true;
			}
			log_for(5, 0, 0, (long)c->caller.uid, "%s: placement cleared by uid %u", p->real,
				(unsigned int)c->caller.uid);
			continue;
		}
		if (numamove_placement_new(numamove_placement_policy(c->placement), numamove_placement_flags(c->placement),
					   &copy) < 0 || (!old && s->n >= MAX_PLACED)) {
			numamove_placement_free(copy);
			log_err("%s: placed, but not kept: %s", p->real, copy ? "too many placements" : "out of memory");
			continue;
		}
		register_path(d, p->real, &p->st, c->caller.uid, privileged, copy, p->stored, c->now || !old);
		changed = true;
		log_for(5, 0, 0, (long)c->caller.uid, "%s: placed %s%s by uid %u%s: kept%s", p->real, pol,
			S_ISDIR(p->st.st_mode) ? (numamove_placement_flags(c->placement) & NUMAMOVE_PLACEMENT_F_DIRECTORY
						  ? " (this directory)" : " (tree)") : "", (unsigned int)c->caller.uid,
			c->recursive && S_ISDIR(p->st.st_mode) && !p->stored ? ", and everything below it" : "",
			p->stored ? " in numamoved's registry (its file system keeps no attribute)" : "");
	}
	if (changed) {
		if (c->clear)
			remark_all(d);
		registry_save(d);
		/* A lock whose placement went, or changed, ends now, not at the next round. */
		locker_kick(s->lk);
	}
	if (c->failed >= 0) {
		struct place_path *p = &c->paths[c->failed];
		const char *at = p->where ? p->where : p->real ? p->real : p->given;

		switch (p->error) {
		case -EACCES:
		case -EPERM:
			sd_bus_reply_method_errorf(m, ERR_NOT_AUTHORIZED, "%s: the kernel refused uid %u (%s): to %s it "
						   "needs write permission on it, or %s", at, (unsigned int)c->caller.uid,
						   strerror(-p->error), verb(c), ACTION_MANAGE);
			break;
		case -EINVAL:
			sd_bus_reply_method_errorf(m, ERR_BAD_TARGET, "%s: only regular files and directories have "
						   "placements", at);
			break;
		case -ENOTDIR:
			sd_bus_reply_method_errorf(m, SD_BUS_ERROR_INVALID_ARGS, "%s: option 'scope' is for directories",
						   at);
			break;
		case -EROFS:
			sd_bus_reply_method_errorf(m, ERR_BAD_TARGET, "%s: read-only where numamoved runs (a read-only "
						   "file system, or the unit's ProtectSystem=: ReadWritePaths= in a drop-in "
						   "lets it write there; numamove place writes the attribute itself)", at);
			break;
		case -EOPNOTSUPP:
			sd_bus_reply_method_errorf(m, ERR_BAD_TARGET, "%s: the file system keeps no "
						   NUMAMOVE_PLACEMENT_XATTR " attribute (tmpfs before Linux 6.6 keeps "
						   NUMAMOVE_PLACEMENT_XATTR_TRUSTED ", for root only)", at);
			break;
		default:
			sd_bus_reply_method_errorf(m, ERR_BAD_TARGET, "%s: %s", at, strerror(-p->error));
		}
		if (c->failed > 0)
			log_for(4, 0, 0, (long)c->caller.uid, "uid %u: %s: stopped at %s (%s); the paths before it were "
				"done", (unsigned int)c->caller.uid, verb(c), at, strerror(-p->error));
		return;
	}
	sd_bus_reply_method_return(m, NULL);
}

static void on_manage_authorized(struct daemon *d, sd_bus_message *m, bool allowed, bool privileged,
				 const char *why, void *userdata)
{
	struct place_call *c = userdata;
	int r;

	if (!allowed) {
		sd_bus_reply_method_errorf(m, ERR_NOT_AUTHORIZED, "%s", why);
		place_call_free(c);
		return;
	}
	c->as_caller = false;
	r = write_all(c);
	if (r < 0)
		sd_bus_reply_method_errnof(m, -r, "cannot write: %m");
	else
		finish_call(c, m, true);
	place_call_free(c);
}

/* As the caller first; a refusal of the kernel may still be allowed by the manage action. */
static int run_call(struct place_call *c, sd_bus_message *m)
{
	struct place_path *p;
	char what[PATH_MAX + 128];
	int r;

	c->as_caller = c->caller.uid != 0;
	r = write_all(c);
	if (r < 0)
		return r;
	p = c->failed >= 0 ? &c->paths[c->failed] : NULL;
	if (!p || (p->error != -EACCES && p->error != -EPERM) || c->caller.uid == 0) {
		log_for(5, 0, 0, (long)c->caller.uid, "uid %u (pid %d, %s): %s %zu path(s): %s", (unsigned int)c->caller.uid,
			(int)c->caller.pid, c->caller.comm, verb(c), c->n, !p ? "allowed (the kernel let it write)"
			: "failed");
		finish_call(c, m, c->caller.uid == 0);
		place_call_free(c);
		return 1;
	}
	/* Those before it are written as the caller; the rest (and those again) need the manage action. */
	snprintf(what, sizeof(what), "%s %s, which the kernel refuses uid %u", verb(c),
		 p->where ? p->where : p->real ? p->real : p->given, (unsigned int)c->caller.uid);
	r = auth_check_action(c->d, m, ACTION_MANAGE, what, on_manage_authorized, c);
	if (r < 0)
		return r;
	return 1;
}

static int read_paths(sd_bus_message *m, struct place_call *c, sd_bus_error *error)
{
	const char *path;
	int r;

	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "s");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_read(m, "s", &path)) > 0) {
		if (c->n == MAX_TARGETS)
			return sd_bus_error_setf(error, ERR_TOO_MANY, "more than %d paths in one request", MAX_TARGETS);
		if (strlen(path) > MAX_STRING)
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "a path longer than %d bytes",
						 MAX_STRING);
		if (path[0] != '/')
			return sd_bus_error_setf(error, ERR_BAD_TARGET, "path '%.256s': not an absolute path", path);
		if (c->n % 64 == 0) {
			struct place_path *nv = realloc(c->paths, (c->n + 64) * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			c->paths = nv;
		}
		c->paths[c->n] = (struct place_path){ .given = strdup(path) };
		if (!c->paths[c->n++].given)
			return -ENOMEM;
	}
	if (r < 0)
		return r;
	r = sd_bus_message_exit_container(m);
	if (r < 0)
		return r;
	if (!c->n)
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "no path given");
	return 0;
}

static int read_place_options(sd_bus_message *m, struct place_call *c, unsigned int *flags, sd_bus_error *error)
{
	int r;

	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
		const char *key, *contents;
		char type;
		int b;

		r = sd_bus_message_read(m, "s", &key);
		if (r < 0)
			return r;
		r = sd_bus_message_peek_type(m, &type, &contents);
		if (r < 0)
			return r;
		if (strcmp(key, "scope") == 0) {
			const char *v;

			if (strcmp(contents, "s") != 0)
				return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "option 'scope': the value must "
							 "be of type 's', not '%s'", contents);
			r = sd_bus_message_read(m, "v", "s", &v);
			if (r < 0)
				return r;
			if (strcmp(v, "directory") == 0)
				*flags |= NUMAMOVE_PLACEMENT_F_DIRECTORY;
			else if (strcmp(v, "tree") != 0)
				return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "option 'scope': '%.64s' is not "
							 "tree or directory", v);
		} else if (strcmp(key, "recursive") == 0 || strcmp(key, "now") == 0 || strcmp(key, "read-ahead") == 0 ||
			   strcmp(key, "lock") == 0) {
			if (strcmp(contents, "b") != 0)
				return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "option '%s': the value must "
							 "be of type 'b', not '%s'", key, contents);
			r = sd_bus_message_read(m, "v", "b", &b);
			if (r < 0)
				return r;
			if (strcmp(key, "recursive") == 0)
				c->recursive = b;
			else if (strcmp(key, "now") == 0)
				c->now = b;
			else if (strcmp(key, "read-ahead") == 0 && b)
				*flags |= NUMAMOVE_PLACEMENT_F_READ_AHEAD;
			else if (b)
				*flags |= NUMAMOVE_PLACEMENT_F_LOCK;
		} else {
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown option '%.64s' (scope, "
						 "recursive, now, read-ahead, lock)", key);
		}
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

int place_parse(sd_bus_message *m, bool clear, const struct numamove_topology *topo, struct place_call **ret,
		sd_bus_error *error)
{
	struct place_call *c = calloc(1, sizeof(*c));
	struct numamove_topology *own = NULL;
	struct numamove_policy *pol = NULL;
	unsigned int flags = 0;
	const char *policy;
	int r, bad = 0;

	if (!c)
		return -ENOMEM;
	c->clear = clear;
	r = read_paths(m, c, error);
	if (clear)
		goto done;
	if (r >= 0)
		r = sd_bus_message_read(m, "s", &policy);
	if (r >= 0 && strlen(policy) > MAX_STRING)
		r = sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "a policy longer than %d bytes", MAX_STRING);
	if (r >= 0)
		r = read_place_options(m, c, &flags, error);
	if (r >= 0 && !topo) {
		r = numamove_topology_load(NULL, &own);
		topo = own;
	}
	if (r >= 0) {
		r = numamove_policy_parse(policy, topo, &pol, &bad);
		if (r == -ENODEV || r == -ERANGE)
			r = sd_bus_error_setf(error, ERR_BAD_NODES, "policy '%.256s': node %d does not exist or has no "
					      "memory", policy, bad);
		else if (r < 0)
			r = sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "invalid policy '%.256s' (bind, "
					      "preferred, interleave, default, or MODE[=FLAG][:NODES])", policy);
	}
	numamove_topology_free(own);
	if (r >= 0) {
		r = numamove_placement_new(pol, flags, &c->placement);
		if (r == -EINVAL)
			r = sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "policy '%.256s': a placement names "
					      "nodes, not positions (no =relative)", policy);
	}
	numamove_policy_free(pol);
done:
	if (r < 0) {
		place_call_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

int method_place(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct daemon *d = userdata;
	struct place_call *c = NULL;
	int r;

	r = place_parse(m, false, NULL, &c, error);
	if (r < 0)
		return r;
	c->d = d;
	r = auth_caller(m, &c->caller);
	if (r >= 0 && c->caller.uid != 0 && placed_of(d->place, c->caller.uid) + c->n > MAX_PLACED_PER_UID)
		r = sd_bus_error_setf(error, ERR_TOO_MANY, "uid %u would keep more than %d placements",
				      (unsigned int)c->caller.uid, MAX_PLACED_PER_UID);
	if (r >= 0)
		r = run_call(c, m);
	else
		place_call_free(c);
	return r;
}

int method_clear(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct daemon *d = userdata;
	struct place_call *c = NULL;
	int r;

	r = place_parse(m, true, NULL, &c, error);
	if (r < 0)
		return r;
	c->d = d;
	r = auth_caller(m, &c->caller);
	if (r >= 0)
		r = run_call(c, m);
	else
		place_call_free(c);
	return r;
}

/* Conformance of the file at @path now, or -1 (a directory, unreadable). */
static double conform_now(const struct placed *p)
{
	struct numamove_object *obj = NULL;
	double pct = -1;

	if (p->dir || !p->placement)
		return -1;
	if (numamove_object_open(p->path, &obj) == 0 && numamove_object_load(obj) == 0 &&
	    numamove_placement_conformance(p->placement, numamove_object_maps(obj), NULL, NULL, &pct) < 0)
		pct = -1;
	numamove_object_free(obj);
	return pct;
}

int method_list_placements(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct daemon *d = userdata;
	struct place_state *s = d->place;
	sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(sssd)");
	for (size_t i = 0; r >= 0 && i < s->n; i++) {
		const struct placed *p = &s->v[i];
		char pol[NUMAMOVE_PLACEMENT_MAX] = "";

		if (p->placement)
			placement_policy_text(p->placement, pol, sizeof(pol));
		else
			snprintf(pol, sizeof(pol), "(skipped: %s)", p->skipped ? p->skipped : "?");
		r = sd_bus_message_append(reply, "(sssd)", p->path, pol, scope_name(p), conform_now(p));
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

/* ---- start and end */

int place_setup(struct daemon *d)
{
	struct place_state *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	d->place = s;
	s->fan_fid = -1;
	s->wait_tail = &s->wait_head;
	s->queue_tail = &s->queue;
	pthread_mutex_init(&s->qlock, NULL);
	pthread_cond_init(&s->qcond, NULL);
	for (int i = 0; i < MAX_CHECKS; i++) {
		r = pthread_create(&s->pool[s->n_pool], NULL, pool_main, s);
		if (r)
			return log_err("cannot start the placement checks' threads: %s", strerror(r)), -r;
		s->n_pool++;
	}
	r = numamove_topology_load(NULL, &s->topo);
	if (r < 0)
		return log_err("cannot read the machine's topology: %s", strerror(-r)), r;
	s->fan = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK,
			       O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NOATIME);
	if (s->fan < 0) {
		/* Placements are still written, registered and applied at start and on Place; not on reads. */
		log_err("fanotify_init: %m: placements are applied when placed and at start, but not kept after "
			"eviction (numamoved needs CAP_SYS_ADMIN and the system calls fanotify_init, fanotify_mark "
			"and open_by_handle_at)");
		return 0;
	}
	s->fan_fid = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME,
				   O_RDONLY | O_CLOEXEC);
	if (s->fan_fid < 0)
		log_warn("fanotify with FAN_REPORT_DFID_NAME: %m: files created in placed directories are checked when "
			 "they are first read, not at creation");
	r = locker_start(s->topo, d->cfg.lock_budget, &s->lk);
	if (r < 0)
		return log_err("cannot start the thread that locks placed files: %s", strerror(-r)), r;
	r = readahead_start(s->topo, d->cfg.read_ahead_max, &s->ra);
	if (r < 0)
		log_warn("fanotify permission events (FAN_OPEN_PERM): %s: files placed to be read ahead at open are "
			 "moved after they are read instead", strerror(-r));
	r = sd_event_add_io(d->event, &s->fan_src, s->fan, EPOLLIN, on_fan, d);
	if (r >= 0 && s->fan_fid >= 0)
		r = sd_event_add_io(d->event, &s->fid_src, s->fan_fid, EPOLLIN, on_fan_fid, d);
	if (r < 0)
		return log_err("sd_event_add_io: %s", strerror(-r)), r;
	return 0;
}

/*
 * The registry, read again: each path's placement is read again from its
 * attribute and applied again (its files checked now).
 */
int place_restore(struct daemon *d)
{
	struct place_state *s = d->place;
	struct numamove_topology *topo = NULL;
	char *buf = NULL, *line, *save = NULL;
	unsigned int kept = 0, skipped = 0, dropped = 0;
	bool changed = false;
	int r;

	r = state_read_file("placements", &buf);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return log_err("%s/placements: %s", d->state_dir, strerror(-r)), 0;
	r = numamove_topology_load(NULL, &topo);
	if (r < 0) {
		free(buf);
		return log_err("cannot read the machine's topology: %s: no placement kept", strerror(-r)), 0;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct numamove_placement *pl = NULL;
		unsigned int uid;
		int priv, n = 0, fd;
		char *path = NULL, *text = NULL, *sp = NULL;
		unsigned long long kdev = 0, kino = 0;
		struct stat st = { 0 };

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%u %d %n", &uid, &priv, &n) == 2 && n) {
			sp = strchr(line + n, ' ');
			path = unhex(line + n, sp ? (size_t)(sp - (line + n)) : strlen(line + n));
			/* A stored placement: its text, and the device and inode it was kept for. */
			if (sp) {
				char *sp2 = strchr(sp + 1, ' ');

				text = sp2 && sscanf(sp2 + 1, "%llu:%llu", &kdev, &kino) == 2 ?
					unhex(sp + 1, (size_t)(sp2 - (sp + 1))) : NULL;
			}
		}
		if (!path || path[0] != '/' || (sp && !text)) {
			log_err("%s/placements: a line that is not one: dropped", d->state_dir);
			changed = true;
			free(path);
			free(text);
			continue;
		}
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
		r = fd < 0 ? -errno : fstat(fd, &st) < 0 ? -errno : 0;
		/* Another file at its path is not the one placed: a stored placement is the file's, not the path's. */
		if (r == 0 && text && (st.st_dev != (dev_t)kdev || st.st_ino != (ino_t)kino))
			r = -ENOENT;
		/* A link where a directory was (ELOOP, ENOTDIR) will not come back either. */
		if (r == -ELOOP || r == -ENOTDIR)
			r = -ENOENT;
		/* The attribute, or where the file system keeps none, the placement the registry kept. */
		if (r == 0)
			r = text ? numamove_placement_parse(text, strlen(text), topo, &pl) : numamove_placement_get(fd, topo, &pl);
		if (fd >= 0)
			close(fd);
		if (r == -ENOENT || r == -ENODATA) {
			log_notice("%s: %s: no longer kept", path, r == -ENOENT ? "gone" : "its placement attribute is gone");
			dropped++;
			changed = true;
			free(path);
			free(text);
			continue;
		}
		if (r < 0) {
			/* Kept in the registry, skipped on this boot: a later boot with the node may keep it again. */
			/* Unreadable now (EACCES, EIO, ...): kept too, looked at again at the next start. */
			const char *why = r == -EBADMSG ? (text ? "the placement kept for it is corrupt"
						       : "its " NUMAMOVE_PLACEMENT_XATTR " attribute is corrupt")
				: r == -EPROTONOSUPPORT ? "its attribute is of a later version of numamove"
				: r == -ENODEV || r == -ERANGE ? "it names a node that does not exist or has no memory on "
								 "this boot"
				: strerror(-r);

			log_err("%s: placement skipped: %s", path, why);
			skipped++;
			if (s->n == s->alloc) {
				size_t na = s->alloc ? s->alloc * 2 : 16;
				struct placed *nv = realloc(s->v, na * sizeof(*nv));

				if (!nv) {
					free(path);
					free(text);
					continue;
				}
				s->v = nv;
				s->alloc = na;
			}
			s->v[s->n] = (struct placed){ .path = path, .dev = st.st_dev, .ino = st.st_ino,
						      .dir = S_ISDIR(st.st_mode), .owner = uid, .privileged = priv,
						      .skipped = strdup(why), .stored = text != NULL, .text = text };
			s->n++;
			continue;
		}
		if (register_path(d, path, &st, uid, priv != 0, pl, text != NULL, true) == 0)
			kept++;
		free(path);
		free(text);
	}
	free(buf);
	numamove_topology_free(topo);
	/* An empty registry (one an older numamove left) goes too: numamoved.path would start the daemon for it. */
	if (changed || s->n == 0)
		registry_save(d);
	log_info("placements: %u kept and applied again, %u skipped, %u no longer kept", kept, skipped, dropped);
	return 0;
}

void place_free_all(struct daemon *d)
{
	struct place_state *s = d->place;

	if (!s)
		return;
	/* Opens waiting for a read ahead are allowed; then the pool finishes the checks queued (they post
	 * to the inbox, dropped after) and ends. */
	readahead_stop(s->ra);
	locker_stop(s->lk);
	pthread_mutex_lock(&s->qlock);
	s->stopping = true;
	pthread_cond_broadcast(&s->qcond);
	pthread_mutex_unlock(&s->qlock);
	for (int i = 0; i < s->n_pool; i++)
		pthread_join(s->pool[i], NULL);
	pthread_mutex_destroy(&s->qlock);
	pthread_cond_destroy(&s->qcond);
	for (size_t i = 0; i < s->n; i++)
		placed_clear(&s->v[i]);
	free(s->v);
	for (size_t i = 0; i < s->n_w; i++)
		watched_free(s->w[i]);
	free(s->w);
	for (size_t i = 0; i < s->n_dirs; i++) {
		close(s->dirs[i].fd);
		free(s->dirs[i].path);
	}
	free(s->dirs);
	numamove_topology_free(s->topo);
	sd_event_source_disable_unref(s->fan_src);
	sd_event_source_disable_unref(s->fid_src);
	if (s->fan >= 0)
		close(s->fan);
	if (s->fan_fid >= 0)
		close(s->fan_fid);
	free(s);
	d->place = NULL;
}

void place_reloaded(struct daemon *d)
{
	if (d->place) {
		readahead_set_max(d->place->ra, d->cfg.read_ahead_max);
		locker_set_budget(d->place->lk, d->cfg.lock_budget);
	}
}
