/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Read ahead at open (placements with NUMAMOVE_PLACEMENT_F_READ_AHEAD):
 * the pages of a placed file are born on the placement's nodes instead of
 * being moved there after they are read.
 *
 * A fanotify group of class FAN_CLASS_CONTENT holds FAN_OPEN_PERM marks on
 * the files (and, with FAN_EVENT_ON_CHILD, the directories) whose
 * placement reads ahead. The kernel holds each open of such a file until
 * numamoved answers. A thread of its own reads the events (never the event
 * loop: a thread of numamoved that opens a marked file waits for the
 * answer, and the loop opens files); it answers the daemon's own opens at
 * once and hands the others to READERS threads, which ask the library
 * which placement applies (the file's own may not read ahead), and
 * numamove_placement_read_ahead() it through the event's descriptor
 * (opened by the kernel without events) under that placement's policy,
 * up to read-ahead-max bytes, then allow the open. The reads are started,
 * not waited for, but the opener waits while the pages are allocated and
 * their reads submitted, which on a busy device is much of the reading;
 * and behind other files' read ahead when both readers are busy.
 *
 * Every event is answered exactly once, and always FAN_ALLOW: numamoved
 * never refuses an open. The opens of numamoved itself and of its
 * children (the writer of a Place) are answered at once, so that nothing
 * of numamoved waits for a read ahead; the events thread never gives up
 * (an error is logged and it reads again), since an open of a marked file
 * waits for it. Only placements of root or the manage action get marks. More than QUEUE_MAX opens waiting, or a reader
 * that cannot work, are allowed without reading ahead (their pages are
 * then moved after they are read, as for any placement). When numamoved
 * ends, or dies, the kernel allows every open still waiting (the group's
 * descriptor is closed).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include "front.h"
#include "numamoved.h"

#define READERS 2
#define QUEUE_MAX 64

struct ra_open {
	int fd;
	pid_t pid;
	struct ra_open *next;
};

struct readahead {
	int fan, stop_fd;
	const struct numamove_topology *topo;
	pthread_t events, readers[READERS];
	int n_readers;
	bool events_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ra_open *head, **tail;
	unsigned int queued;
	bool stopping, full_logged;
	uint64_t max_bytes; /* under lock */
};

static void allow(struct readahead *ra, int fd)
{
	struct fanotify_response resp = { .fd = fd, .response = FAN_ALLOW };

	/* A write that fails leaves the open waiting until the group ends: say so. */
	if (write(ra->fan, &resp, sizeof(resp)) != sizeof(resp))
		log_err("read ahead at open: cannot answer an open (%m): it waits until numamoved ends");
	close(fd);
}

/*
 * Reads the file of @o ahead when the placement that applies to it now
 * asks for it (its own may not), lets the open go on, then logs: the
 * opener waits for the reading only. Answers exactly once.
 */
static void serve(struct readahead *ra, struct ra_open *o, uint64_t max, bool stopping)
{
	struct numamove_placement *p = NULL;
	char link[64], path[4096], comm[64] = "?", size[32], pol[NUMAMOVE_PLACEMENT_MAX];
	uint64_t bytes = 0;
	ssize_t n;
	int r = -ENOENT;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", o->fd);
	n = stopping || !max ? -1 : readlink(link, path, sizeof(path) - 1);
	if (n > 0 && path[0] == '/') {
		path[n] = '\0';
		r = numamove_placement_find(path, ra->topo, &p, NULL);
		if (r == 0 && (numamove_placement_flags(p) & NUMAMOVE_PLACEMENT_F_READ_AHEAD))
			r = numamove_placement_read_ahead(o->fd, p, max, &bytes);
		else
			r = -ENODATA;
	}
	allow(ra, o->fd);
	/* Said: what was read ahead, and why a placement that asks for it could not be. */
	if (p && r != -ENODATA && (r < 0 || bytes)) {
		if (numamove_policy_format(numamove_placement_policy(p), pol, sizeof(pol)) < 0)
			snprintf(pol, sizeof(pol), "?");
		snprintf(link, sizeof(link), "/proc/%d/comm", (int)o->pid);
		if (read_file(link, comm, sizeof(comm)) > 0)
			comm[strcspn(comm, "\n")] = '\0';
		if (r < 0)
			log_warn("%s: opened by %d (%s): cannot read it ahead under %s: %s", path, (int)o->pid, comm,
				 pol, strerror(-r));
		else
			log_info("%s: opened by %d (%s): read %s ahead under %s", path, (int)o->pid, comm,
				 size_to_human(bytes, size, sizeof(size)), pol);
	}
	numamove_placement_free(p);
	free(o);
}

static void *reader_main(void *arg)
{
	struct readahead *ra = arg;

	for (;;) {
		struct ra_open *o;
		uint64_t max;
		bool stopping;

		pthread_mutex_lock(&ra->lock);
		while (!ra->head && !ra->stopping)
			pthread_cond_wait(&ra->cond, &ra->lock);
		o = ra->head;
		if (o) {
			ra->head = o->next;
			if (!ra->head)
				ra->tail = &ra->head;
			ra->queued--;
			if (ra->queued < QUEUE_MAX / 2)
				ra->full_logged = false;
		}
		max = ra->max_bytes;
		stopping = ra->stopping;
		pthread_mutex_unlock(&ra->lock);
		if (!o)
			return NULL;
		/* Stopping: what is left is allowed as it is. */
		serve(ra, o, max, stopping);
	}
}

/* Queues the open of @fd by @pid for a reader; false when it must be allowed at once. */
static bool enqueue(struct readahead *ra, int fd, pid_t pid)
{
	struct ra_open *o;
	bool ok = false;

	pthread_mutex_lock(&ra->lock);
	if (ra->stopping) {
		/* Stopping: answered at once by the caller. */
	} else if (ra->queued >= QUEUE_MAX || !ra->max_bytes) {
		if (ra->max_bytes && !ra->full_logged)
			log_warn("read ahead at open: more than %d opens waiting: the next are allowed without "
				 "reading ahead (their pages are moved after they are read)", QUEUE_MAX);
		ra->full_logged = ra->max_bytes;
	} else if ((o = calloc(1, sizeof(*o)))) {
		o->fd = fd;
		o->pid = pid;
		*ra->tail = o;
		ra->tail = &o->next;
		ra->queued++;
		ok = true;
		pthread_cond_signal(&ra->cond);
	}
	pthread_mutex_unlock(&ra->lock);
	return ok;
}

/* The parent of process @pid (0 when unknown): from /proc/PID/stat, after the name's last ')'. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')) || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

static void *events_main(void *arg)
{
	struct readahead *ra = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	pid_t self = getpid();
	bool logged = false;

	for (;;) {
		struct pollfd pfd[2] = { { .fd = ra->fan, .events = POLLIN }, { .fd = ra->stop_fd, .events = POLLIN } };
		const struct fanotify_event_metadata *ev = (const void *)buf;
		ssize_t len;

		/*
		 * Never given up: an open of a marked file waits for this thread
		 * (until numamoved ends), so an error is said once and tried again.
		 */
		if (poll(pfd, 2, -1) < 0) {
			if (errno != EINTR && !logged)
				log_err("read ahead at open: poll: %m (tried again)");
			logged = errno != EINTR;
			continue;
		}
		if (pfd[1].revents)
			return NULL;
		len = read(ra->fan, buf, sizeof(buf));
		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (len <= 0) {
			if (!logged)
				log_err("read ahead at open: read: %m (tried again)");
			logged = true;
			usleep(10000);
			continue;
		}
		logged = false;
		for (; FAN_EVENT_OK(ev, len); ev = FAN_EVENT_NEXT(ev, len)) {
			if (ev->vers != FANOTIFY_METADATA_VERSION || ev->fd < 0)
				continue;
			if (!(ev->mask & FAN_OPEN_PERM)) {
				close(ev->fd);
				continue;
			}
			/*
			 * numamoved's own opens (its checks, moves and locks) and its
			 * children's (the writer of a Place, with the caller's ids) go on
			 * at once: nothing of numamoved ever waits for a read ahead.
			 */
			if (ev->pid == self || parent_of(ev->pid) == self || !enqueue(ra, ev->fd, ev->pid))
				allow(ra, ev->fd);
		}
	}
}

int readahead_start(const struct numamove_topology *topo, uint64_t max_bytes, struct readahead **ret)
{
	struct readahead *ra = calloc(1, sizeof(*ra));
	int r;

	*ret = NULL;
	if (!ra)
		return -ENOMEM;
	ra->topo = topo;
	ra->max_bytes = max_bytes;
	ra->tail = &ra->head;
	ra->stop_fd = -1;
	pthread_mutex_init(&ra->lock, NULL);
	pthread_cond_init(&ra->cond, NULL);
	ra->fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK,
				O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NOATIME);
	if (ra->fan < 0) {
		r = -errno;
		readahead_stop(ra);
		return r;
	}
	ra->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ra->stop_fd < 0) {
		r = -errno;
		readahead_stop(ra);
		return r;
	}
	for (int i = 0; i < READERS; i++) {
		r = -pthread_create(&ra->readers[i], NULL, reader_main, ra);
		if (r < 0) {
			readahead_stop(ra);
			return r;
		}
		ra->n_readers++;
	}
	r = -pthread_create(&ra->events, NULL, events_main, ra);
	if (r < 0) {
		readahead_stop(ra);
		return r;
	}
	ra->events_started = true;
	*ret = ra;
	return 0;
}

int readahead_mark(struct readahead *ra, int dirfd, const char *path, bool dir)
{
	if (!ra)
		return 0;
	if (fanotify_mark(ra->fan, FAN_MARK_ADD, FAN_OPEN_PERM | (dir ? FAN_EVENT_ON_CHILD : 0), dirfd, path) < 0)
		return -errno;
	return 0;
}

void readahead_flush(struct readahead *ra)
{
	if (ra)
		fanotify_mark(ra->fan, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL);
}

void readahead_set_max(struct readahead *ra, uint64_t max_bytes)
{
	if (!ra)
		return;
	pthread_mutex_lock(&ra->lock);
	ra->max_bytes = max_bytes;
	pthread_mutex_unlock(&ra->lock);
}

void readahead_stop(struct readahead *ra)
{
	if (!ra)
		return;
	/*
	 * Stopping first: the events thread answers every open at once from
	 * now on, and the readers answer what is queued without reading (one
	 * in the middle of a read ahead, which opens the file, gets its own
	 * open answered by the events thread: it is joined before that one).
	 * Then the events thread ends, and closing the group lets every open
	 * still waiting in the kernel go.
	 */
	pthread_mutex_lock(&ra->lock);
	ra->stopping = true;
	pthread_cond_broadcast(&ra->cond);
	pthread_mutex_unlock(&ra->lock);
	for (int i = 0; i < ra->n_readers; i++)
		pthread_join(ra->readers[i], NULL);
	if (ra->events_started) {
		uint64_t one = 1;

		if (write(ra->stop_fd, &one, sizeof(one)) != sizeof(one))
			log_err("read ahead at open: cannot stop its thread: %m");
		pthread_join(ra->events, NULL);
	}
	pthread_mutex_destroy(&ra->lock);
	pthread_cond_destroy(&ra->cond);
	if (ra->stop_fd >= 0)
		close(ra->stop_fd);
	if (ra->fan >= 0)
		close(ra->fan);
	free(ra);
}
