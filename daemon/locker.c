/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Placed files locked in memory (placements with NUMAMOVE_PLACEMENT_F_LOCK,
 * "memory=locked"): numamoved holds a lock of each such file
 * (numamove_placement_lock(): an mlock'ed shared mapping), so that memory
 * pressure cannot evict its pages, within lock-budget bytes in all.
 *
 * A thread of its own makes and ends the locks (an mlock reads the whole
 * file in: never on the event loop). The loop tells it of each placed
 * file it checked whose placement locks (locker_consider()); the thread
 * asks the library again which placement applies, and locks the file when
 * the budget has room for all of it, else logs once that it did not (a
 * file is locked whole or not at all; said again when room is freed or
 * the budget changes, and the file still does not fit). Only a file whose
 * placement that applies is a registered one of root or the manage action
 * is locked (locker_consider() names it), never by the file's own
 * attribute, which its owner may write. Every 10 s, and at once after a
 * Clear or a Place (locker_kick()), it checks each lock again: a file
 * removed or replaced, or whose placement no longer locks it, is
 * unlocked; one that grew or shrank is locked again at its new size; when
 * the budget shrank below what is locked, the latest locks end first.
 * Each lock and unlock is logged with what is locked in all.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "front.h"
#include "numamoved.h"

#define RECHECK_S 10
#define QUEUE_MAX 4096

struct held {
	char *path;
	char *by;              /* the registered placement that locks it */
	dev_t dev;
	ino_t ino;
	uint64_t size;
	struct numamove_locked *lock;
};

struct refused {
	dev_t dev;
	ino_t ino;
	uint64_t size;
};

struct locker {
	const struct numamove_topology *topo;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char **queue;          /* paths to consider, and what locks each (queue[2i], queue[2i+1]), under lock */
	size_t n_queue;
	bool kicked, stopping, budget_changed;
	uint64_t budget;       /* under lock */
	/* The thread's own: */
	struct held *v;
	size_t n;
	uint64_t used;
	struct refused *refused;
	size_t n_refused;
};

static const char *human(uint64_t bytes, char *buf, size_t size)
{
	return size_to_human(bytes, buf, size);
}

static void unlock_at(struct locker *lk, size_t i, const char *why)
{
	char a[32];

	lk->used -= numamove_locked_bytes(lk->v[i].lock);
	log_info("%s: unlocked (%s): %s locked in all", lk->v[i].path, why, human(lk->used, a, sizeof(a)));
	numamove_locked_free(lk->v[i].lock);
	free(lk->v[i].path);
	free(lk->v[i].by);
	lk->v[i] = lk->v[--lk->n];
	/* Room freed: what did not fit is tried (and said) again. */
	lk->n_refused = 0;
}

static bool refused_before(struct locker *lk, const struct stat *st)
{
	for (size_t i = 0; i < lk->n_refused; i++)
		if (lk->refused[i].dev == st->st_dev && lk->refused[i].ino == st->st_ino &&
		    lk->refused[i].size == (uint64_t)st->st_size)
			return true;
	if (lk->n_refused < 1024) {
		struct refused *nv = realloc(lk->refused, (lk->n_refused + 1) * sizeof(*nv));

		if (nv) {
			lk->refused = nv;
			lk->refused[lk->n_refused++] = (struct refused){ st->st_dev, st->st_ino, (uint64_t)st->st_size };
		}
	}
	return false;
}

/* A regular file at @path, open for reading (never a device: looked at through O_PATH first); -1 if none. */
static int open_regular(const char *path, struct stat *st)
{
	char self[64];
	int pfd = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW), fd = -1;

	if (pfd < 0)
		return -1;
	if (fstat(pfd, st) == 0 && S_ISREG(st->st_mode)) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
		fd = open(self, O_RDONLY | O_CLOEXEC);
	}
	close(pfd);
	return fd;
}

/*
 * Locks, keeps, locks again or unlocks @path as its placement says now:
 * locked only while the placement that applies is @by's (the registered
 * placement of root or the manage action), never a file's own attribute.
 */
static void consider(struct locker *lk, const char *path, const char *by, uint64_t budget)
{
	struct numamove_placement *p = NULL;
	struct numamove_locked *l = NULL;
	char a[32], b[32], c[32], pol[NUMAMOVE_PLACEMENT_MAX], *from = NULL;
	struct held *h = NULL;
	struct stat st;
	int fd = -1, r;

	for (size_t i = 0; i < lk->n && !h; i++)
		if (strcmp(lk->v[i].path, path) == 0)
			h = &lk->v[i];
	r = numamove_placement_find(path, lk->topo, &p, &from);
	if (r < 0 || !(numamove_placement_flags(p) & NUMAMOVE_PLACEMENT_F_LOCK) || strcmp(from, by) != 0) {
		if (h)
			unlock_at(lk, (size_t)(h - lk->v), r == -ENOENT ? "the file is gone" :
				  "its placement no longer locks it");
		goto out;
	}
	fd = open_regular(path, &st);
	if (fd < 0) {
		if (h)
			unlock_at(lk, (size_t)(h - lk->v), "the file is gone");
		goto out;
	}
	if (h && h->dev == st.st_dev && h->ino == st.st_ino && h->size == (uint64_t)st.st_size)
		goto out; /* locked as it is */
	if (h)
		unlock_at(lk, (size_t)(h - lk->v), h->dev == st.st_dev && h->ino == st.st_ino ?
			  "its size changed: locked again" : "another file at its path");
	/* Whole or not at all: a file half locked would be half evicted. */
	if (lk->used + (uint64_t)st.st_size > budget) {
		if (!refused_before(lk, &st))
			log_warn("%s: not locked in memory: its %s would pass lock-budget %s (%s locked)%s", path,
				 human((uint64_t)st.st_size, a, sizeof(a)), human(budget, b, sizeof(b)),
				 human(lk->used, c, sizeof(c)),
				 budget ? "" : " (lock-budget in numamoved.conf allows locking)");
		goto out;
	}
	r = numamove_placement_lock(fd, p, 0, &l);
	if (r < 0) {
		if (!refused_before(lk, &st))
			log_warn("%s: cannot lock it in memory: %s", path, strerror(-r));
		goto out;
	}
	h = realloc(lk->v, (lk->n + 1) * sizeof(*h));
	if (!h) {
		numamove_locked_free(l);
		goto out;
	}
	lk->v = h;
	h = &lk->v[lk->n];
	*h = (struct held){ .path = strdup(path), .by = strdup(by), .dev = st.st_dev, .ino = st.st_ino,
			    .size = (uint64_t)st.st_size, .lock = l };
	if (!h->path || !h->by) {
		free(h->path);
		free(h->by);
		numamove_locked_free(l);
		goto out;
	}
	lk->n++;
	lk->used += numamove_locked_bytes(l);
	if (numamove_policy_format(numamove_placement_policy(p), pol, sizeof(pol)) < 0)
		snprintf(pol, sizeof(pol), "?");
	log_info("%s: locked %s in memory under %s: %s locked in all, of lock-budget %s", path,
		 human(numamove_locked_bytes(l), a, sizeof(a)), pol, human(lk->used, b, sizeof(b)),
		 human(budget, c, sizeof(c)));
out:
	if (fd >= 0)
		close(fd);
	free(from);
	numamove_placement_free(p);
}

/* Every lock checked again; the latest end first while over @budget. */
static void recheck(struct locker *lk, uint64_t budget)
{
	while (lk->n && lk->used > budget)
		unlock_at(lk, lk->n - 1, "lock-budget is smaller now");
	/* consider() may remove the entry it looks at: its strings copied first. */
	for (size_t i = lk->n; i-- > 0;) {
		char *path, *by;

		if (i >= lk->n)
			continue;
		path = strdup(lk->v[i].path);
		by = strdup(lk->v[i].by);
		if (path && by)
			consider(lk, path, by, budget);
		free(path);
		free(by);
	}
}

static void *locker_main(void *arg)
{
	struct locker *lk = arg;
	struct timespec until;

	/* The round every RECHECK_S, whatever comes between: considering files does not put it off. */
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += RECHECK_S;
	for (;;) {
		struct timespec now;
		char **queue;
		size_t n;
		bool kicked, stopping;
		uint64_t budget;
		int r = 0;

		pthread_mutex_lock(&lk->lock);
		while (!lk->n_queue && !lk->kicked && !lk->stopping && r != ETIMEDOUT)
			r = pthread_cond_timedwait(&lk->cond, &lk->lock, &until);
		queue = lk->queue;
		n = lk->n_queue;
		lk->queue = NULL;
		lk->n_queue = 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		kicked = lk->kicked || r == ETIMEDOUT || now.tv_sec > until.tv_sec ||
			 (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec);
		lk->kicked = false;
		stopping = lk->stopping;
		budget = lk->budget;
		/* Another budget: what did not fit is tried (and said) again. */
		if (lk->budget_changed)
			lk->n_refused = 0;
		lk->budget_changed = false;
		pthread_mutex_unlock(&lk->lock);
		for (size_t i = 0; i + 1 < n; i += 2) {
			if (!stopping)
				consider(lk, queue[i], queue[i + 1], budget);
			free(queue[i]);
			free(queue[i + 1]);
		}
		free(queue);
		if (stopping)
			return NULL;
		if (kicked) {
			recheck(lk, budget);
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += RECHECK_S;
		}
	}
}

int locker_start(const struct numamove_topology *topo, uint64_t budget, struct locker **ret)
{
	struct locker *lk = calloc(1, sizeof(*lk));
	pthread_condattr_t ca;
	int r;

	*ret = NULL;
	if (!lk)
		return -ENOMEM;
	lk->topo = topo;
	lk->budget = budget;
	pthread_mutex_init(&lk->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lk->cond, &ca);
	pthread_condattr_destroy(&ca);
	r = -pthread_create(&lk->thread, NULL, locker_main, lk);
	if (r < 0) {
		locker_stop(lk);
		return r;
	}
	lk->started = true;
	*ret = lk;
	return 0;
}

void locker_consider(struct locker *lk, const char *path, const char *by)
{
	char *copy = NULL, *copy_by = NULL, **nv;

	if (!lk)
		return;
	pthread_mutex_lock(&lk->lock);
	/* Once each: a burst of checks of one file asks once. */
	for (size_t i = 0; i < lk->n_queue; i += 2)
		if (strcmp(lk->queue[i], path) == 0)
			goto out;
	if (lk->n_queue >= 2 * QUEUE_MAX || !(copy = strdup(path)) || !(copy_by = strdup(by)))
		goto out;
	nv = realloc(lk->queue, (lk->n_queue + 2) * sizeof(*nv));
	if (!nv)
		goto out;
	lk->queue = nv;
	lk->queue[lk->n_queue++] = copy;
	lk->queue[lk->n_queue++] = copy_by;
	copy = copy_by = NULL;
	pthread_cond_signal(&lk->cond);
out:
	pthread_mutex_unlock(&lk->lock);
	free(copy);
	free(copy_by);
}

void locker_kick(struct locker *lk)
{
	if (!lk)
		return;
	pthread_mutex_lock(&lk->lock);
	lk->kicked = true;
	pthread_cond_signal(&lk->cond);
	pthread_mutex_unlock(&lk->lock);
}

void locker_set_budget(struct locker *lk, uint64_t budget)
{
	if (!lk)
		return;
	pthread_mutex_lock(&lk->lock);
	lk->budget = budget;
	lk->kicked = true;
	lk->budget_changed = true;
	pthread_cond_signal(&lk->cond);
	pthread_mutex_unlock(&lk->lock);
}

void locker_stop(struct locker *lk)
{
	if (!lk)
		return;
	if (lk->started) {
		pthread_mutex_lock(&lk->lock);
		lk->stopping = true;
		pthread_cond_signal(&lk->cond);
		pthread_mutex_unlock(&lk->lock);
		pthread_join(lk->thread, NULL);
	}
	for (size_t i = 0; i < lk->n; i++) {
		numamove_locked_free(lk->v[i].lock);
		free(lk->v[i].path);
		free(lk->v[i].by);
	}
	free(lk->v);
	free(lk->refused);
	for (size_t i = 0; i < lk->n_queue; i++)
		free(lk->queue[i]);
	free(lk->queue);
	pthread_mutex_destroy(&lk->lock);
	pthread_cond_destroy(&lk->cond);
	free(lk);
}
