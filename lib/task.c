/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Process handles. A task is opened with pidfd_open(2) so that an exit, and
 * with it a possible reuse of the pid, is seen through the pidfd: a pidfd
 * becomes readable when its process exits, whatever later takes the number.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "internal.h"

#ifndef PF_EXITING
#define PF_EXITING 0x00000004
#endif
#ifndef PF_KTHREAD
#define PF_KTHREAD 0x00200000
#endif

struct numamove_task {
	pid_t pid;
	int pidfd;
	char comm[64];
	uid_t uid;
	enum numamove_task_state state;
	unsigned long long starttime;
};

/* Fields of /proc/PID/stat after the command name: state is field 3. */
int nm_stat_parse(const char *text, char *comm, size_t comm_size, char *state, unsigned long *flags,
		  unsigned long long *starttime)
{
	const char *open, *close, *p;
	int field;

	open = strchr(text, '(');
	close = strrchr(text, ')');
	/* ") " before the state: a text that ends at the ')' has no field 3 (and nothing to read past it). */
	if (!open || !close || close < open || close[1] != ' ')
		return -EIO;
	snprintf(comm, comm_size, "%.*s", (int)(close - open - 1), open + 1);
	p = close + 2;
	*state = *p;
	/* p points at field 3; walk to 9 (flags) and 22 (starttime). */
	for (field = 3; *p && field < 22; p++) {
		if (*p != ' ')
			continue;
		field++;
		if (field == 9)
			*flags = strtoul(p + 1, NULL, 10);
	}
	if (field != 22)
		return -EIO;
	*starttime = strtoull(p, NULL, 10);
	return 0;
}

static int read_stat(pid_t pid, char *comm, size_t comm_size, char *state, unsigned long *flags,
		     unsigned long long *starttime)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = nm_read_filef(NULL, &text, "/proc/%d/stat", (int)pid);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	return nm_stat_parse(text, comm, comm_size, state, flags, starttime);
}

static uid_t read_uid(pid_t pid)
{
	_cleanup_free_ char *text = NULL;
	const char *p;

	if (nm_read_filef(NULL, &text, "/proc/%d/status", (int)pid) < 0)
		return (uid_t)-1;
	p = nm_status_field(text, "\nUid:");
	return p ? (uid_t)strtoul(p, NULL, 10) : (uid_t)-1;
}

NM_EXPORT int numamove_task_open(pid_t pid, struct numamove_task **ret_task)
{
	struct numamove_task *t;
	unsigned long flags = 0;
	char state = '?';
	int r;

	if (pid <= 0)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->pid = pid;
	t->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (t->pidfd < 0) {
		r = -errno;
		free(t);
		return r;
	}
	r = read_stat(pid, t->comm, sizeof(t->comm), &state, &flags, &t->starttime);
	if (r < 0) {
		numamove_task_free(t);
		return r;
	}
	t->uid = read_uid(pid);
	if (flags & PF_KTHREAD)
		t->state = NUMAMOVE_TASK_KTHREAD;
	else if (state == 'Z' || state == 'X')
		t->state = NUMAMOVE_TASK_ZOMBIE;
	else
		t->state = NUMAMOVE_TASK_RUNNING;
	*ret_task = t;
	return 0;
}

/* The pid behind @pidfd, from its fdinfo; -ESRCH once the process has exited (Pid: -1). */
static int pidfd_pid(int pidfd, pid_t *ret)
{
	_cleanup_free_ char *text = NULL;
	const char *p;
	int r, pid;

	r = nm_read_filef(NULL, &text, "/proc/self/fdinfo/%d", pidfd);
	if (r < 0)
		return r == -ENOENT ? -EBADF : r;
	p = nm_status_field(text, "\nPid:");
	if (!p)
		return -EBADF;
	if (sscanf(p, "%d", &pid) != 1)
		return -EBADF;
	if (pid <= 0)
		return -ESRCH;
	*ret = pid;
	return 0;
}

NM_EXPORT int numamove_task_open_pidfd(int pidfd, struct numamove_task **ret_task)
{
	struct numamove_task *t = NULL;
	pid_t pid = 0;
	int r, fd;

	if (pidfd < 0 || !ret_task)
		return -EINVAL;
	r = pidfd_pid(pidfd, &pid);
	if (r < 0)
		return r;
	r = numamove_task_open(pid, &t);
	if (r < 0)
		return r;
	/*
	 * The pid may have been reused between reading it and opening it: the
	 * caller's pidfd is the process meant, so keep a copy of it, and check
	 * that it still names that pid (a pidfd's Pid: becomes -1 on exit).
	 */
	fd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		r = -errno;
		numamove_task_free(t);
		return r;
	}
	close(t->pidfd);
	t->pidfd = fd;
	r = pidfd_pid(fd, &pid);
	if (r == 0 && pid != t->pid)
		r = -ESRCH;
	if (r < 0) {
		numamove_task_free(t);
		return r;
	}
	*ret_task = t;
	return 0;
}

/* The task's pidfd (borrowed), for the request's copies of it. */
int nm_task_pidfd(const struct numamove_task *task)
{
	return task->pidfd;
}

NM_EXPORT void numamove_task_free(struct numamove_task *task)
{
	if (!task)
		return;
	if (task->pidfd >= 0)
		close(task->pidfd);
	free(task);
}

NM_EXPORT pid_t numamove_task_pid(const struct numamove_task *task)
{
	return task->pid;
}

NM_EXPORT const char *numamove_task_comm(const struct numamove_task *task)
{
	return task->comm;
}

NM_EXPORT uid_t numamove_task_uid(const struct numamove_task *task)
{
	return task->uid;
}

NM_EXPORT enum numamove_task_state numamove_task_state(const struct numamove_task *task)
{
	return task->state;
}

NM_EXPORT int numamove_task_check(const struct numamove_task *task)
{
	struct pollfd pfd = { .fd = task->pidfd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	/* Readable means exited: the pid no longer names this process. */
	return r > 0 ? -ESRCH : 0;
}

bool nm_task_exiting(const struct numamove_task *task)
{
	unsigned long long starttime = 0;
	unsigned long flags = 0;
	char comm[64], state = '?';

	if (numamove_task_check(task) < 0)
		return true;
	/*
	 * PF_EXITING is set before the process lets go of its memory, and its
	 * pidfd becomes readable only after: in between, move_pages(2) says
	 * EINVAL (no mm), not ESRCH. A reused pid is another process.
	 */
	if (read_stat(task->pid, comm, sizeof(comm), &state, &flags, &starttime) < 0)
		return true;
	return starttime != task->starttime || (flags & PF_EXITING) || state == 'Z' || state == 'X';
}

NM_EXPORT int numamove_task_allowed_nodes(const struct numamove_task *task,
					  struct numamove_nodelist **ret_list)
{
	_cleanup_free_ char *text = NULL;
	const char *p;
	int r;

	r = nm_read_filef(NULL, &text, "/proc/%d/status", (int)task->pid);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	p = nm_status_field(text, "\nMems_allowed_list:");
	if (!p)
		return -EIO;
	return nm_nodelist_from_list(p, ret_list);
}

NM_EXPORT int numamove_task_threads(const struct numamove_task *task, pid_t **ret_tids,
				    size_t *ret_count)
{
	char path[64];
	pid_t *tids = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)task->pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d))) {
		int tid;

		if (nm_parse_int(de->d_name, &tid) < 0)
			continue;
		r = nm_grow((void **)&tids, &alloc, n + 1, sizeof(*tids));
		if (r < 0)
			break;
		tids[n++] = tid;
	}
	closedir(d);
	if (r < 0) {
		free(tids);
		return r;
	}
	*ret_tids = tids;
	*ret_count = n;
	return 0;
}
