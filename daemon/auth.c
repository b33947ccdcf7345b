/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who asks, for what, and whether they may.
 *
 * The caller is who the bus says sent the message (its uid and pid),
 * never a field of the message. Targets are identified here, once, from
 * what the kernel says of them (a pidfd's process, a file's owner, a
 * segment's owner, a cpuset file's owner), and each adds the polkit
 * action it needs: a process the caller could ptrace (same real,
 * effective and saved uid and gid, and dumpable: the kernel's
 * PTRACE_MODE_READ_REALCREDS rule) needs move-own; anything else
 * move-other; shared objects and --with-shared move-shared (the kernel's
 * CAP_SYS_NICE); priorities below 0 manage. uid 0 needs nothing. Each
 * action is asked of polkit, without interaction; without polkitd, root
 * and the admin group get every action and others move-own alone, so
 * that nobody does through the daemon more than the kernel lets them.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "numamoved.h"

const char *target_kind_name(enum target_kind kind)
{
	static const char *const names[] = {
		[TARGET_PIDFD] = "pidfd", [TARGET_CGROUP] = "cgroup", [TARGET_CGROUP_OF] = "cgroup-of",
		[TARGET_PATH] = "path", [TARGET_SHM] = "shm", [TARGET_SHM_KEY] = "shm-key",
		[TARGET_SLURM_JOB] = "slurm-job",
	};
	return names[kind];
}

void target_clear(struct target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	free(t->text);
	free(t->label);
	t->text = t->label = NULL;
}

void targets_free(struct target *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		target_clear(&v[i]);
	free(v);
}

/* ---- identifying targets */

int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

/*
 * Whether the process of @pidfd is alive: signal 0 fails with ESRCH once
 * it has exited; EPERM (no CAP_KILL over another user's process) says it
 * is there.
 */
bool pidfd_alive(int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0 || errno != ESRCH;
}

/* The pid of pidfd @fd (fdinfo's "Pid:"), -ESRCH when it exited, -EBADF when @fd is no pidfd. */
static int pidfd_pid(int fd, pid_t *ret)
{
	char path[64], buf[4096], *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return -EBADF;
	buf[n] = '\0';
	if (strcmp(buf, "anon_inode:[pidfd]") != 0)
		return -EBADF;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\nPid:\t")))
		return -EBADF;
	*ret = (pid_t)strtol(p + 6, NULL, 10);
	return *ret > 0 ? 0 : -ESRCH;
}

int proc_starttime(pid_t pid, uint64_t *ret)
{
	char path[64], buf[4096], *p;
	int field = 2;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -ESRCH;
	/* The command name may hold spaces and parentheses: count fields after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	for (; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	*ret = strtoull(p, NULL, 10);
	return 0;
}

/* Real, effective and saved ids of "Uid:" or "Gid:" in /proc/PID/status. */
static int status_ids(const char *status, const char *key, unsigned int ids[3])
{
	const char *p = strstr(status, key);

	if (!p || sscanf(p + strlen(key), "%u %u %u", &ids[0], &ids[1], &ids[2]) != 3)
		return -EINVAL;
	return 0;
}

int auth_process_ids(pid_t pid, unsigned int uid[3], unsigned int gid[3])
{
	char path[64], status[8192];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_file(path, status, sizeof(status)) < 0 || status_ids(status, "\nUid:", uid) < 0 ||
	    status_ids(status, "\nGid:", gid) < 0)
		return -ESRCH;
	return 0;
}

static int open_process(struct target *t, sd_bus_error *error)
{
	char path[64], comm[64] = "?";
	struct stat st;
	unsigned int u[3], g[3];
	int r;

	r = pidfd_pid(t->fd, &t->pid);
	if (r == -EBADF)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "target %s: the descriptor is not a pidfd "
					 "(pidfd_open(2) gives one)", target_kind_name(t->kind));
	if (r < 0)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "target %s: the process has exited",
					 target_kind_name(t->kind));
	if (auth_process_ids(t->pid, u, g) < 0 || proc_starttime(t->pid, &t->starttime) < 0)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "process %d has exited", (int)t->pid);
	snprintf(path, sizeof(path), "/proc/%d", (int)t->pid);
	if (stat(path, &st) < 0)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "process %d has exited", (int)t->pid);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)t->pid);
	if (read_file(path, comm, sizeof(comm)) > 0)
		comm[strcspn(comm, "\n")] = '\0';
	/* Read after /proc: if the pidfd's process is still alive, the pid was not reused meanwhile. */
	if (!pidfd_alive(t->fd))
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "process %d has exited", (int)t->pid);
	for (int k = 0; k < 3; k++) {
		t->uids[k] = u[k];
		t->gids[k] = g[k];
	}
	/* /proc/PID belongs to root when the process is not dumpable (setuid, prctl). */
	t->dumpable = st.st_uid == u[1];
	t->owner = u[0];
	t->key_a = (uint64_t)t->pid;
	t->key_b = t->starttime;
	if (asprintf(&t->label, "%d (%s)", (int)t->pid, comm) < 0)
		return -ENOMEM;
	return 0;
}

/* The group of a cgroup-of target: "0::/path" of /proc/PID/cgroup, under /sys/fs/cgroup. */
static int process_cgroup(struct target *t, sd_bus_error *error)
{
	char path[64], buf[8192], *p;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)t->pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "process %d has exited", (int)t->pid);
	p = strstr(buf, "0::/");
	if (!p || (p != buf && p[-1] != '\n'))
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "process %d is in no cgroup v2 group", (int)t->pid);
	p[3 + strcspn(p + 3, "\n")] = '\0';
	free(t->text);
	if (asprintf(&t->text, "/sys/fs/cgroup%s", strcmp(p + 3, "/") == 0 ? "" : p + 3) < 0)
		return -ENOMEM;
	return 0;
}

/* A cgroup directory: resolved, under /sys/fs/cgroup; its owner is cpuset.mems's. */
static int open_cgroup(struct target *t, sd_bus_error *error)
{
	char real[PATH_MAX], file[PATH_MAX + 16];
	struct stat st;

	if (t->text[0] != '/')
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "cgroup '%s': not an absolute path", t->text);
	if (!realpath(t->text, real))
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "cgroup %s: %s", t->text, strerror(errno));
	if (strncmp(real, "/sys/fs/cgroup/", 15) != 0 && strcmp(real, "/sys/fs/cgroup") != 0)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "cgroup %s: not a cgroup v2 directory under "
					 "/sys/fs/cgroup", t->text);
	snprintf(file, sizeof(file), "%s/cpuset.mems", real);
	if (stat(file, &st) < 0)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "cgroup %s: no cpuset.mems (not a cgroup, or the "
					 "cpuset controller is not enabled for it)", real);
	t->owner = st.st_uid;
	free(t->text);
	t->text = strdup(real);
	if (!t->text || asprintf(&t->label, "cgroup %s", real) < 0)
		return -ENOMEM;
	return 0;
}

/*
 * The one uid of the processes of Slurm job group @dir and the groups
 * below it, slurmstepd's own ("slurm" groups, root's) left out: real,
 * effective and saved uid all @*uid. false when some process is another
 * uid's, or runs a setuid program.
 */
static bool job_uid(int dirfd, unsigned int depth, bool *found, unsigned int *uid)
{
	char buf[65536], path[64], status[8192];
	int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : 0, got = 0;
	bool ok = true;
	DIR *dir;
	struct dirent *de;

	/* To its end: cgroupfs gives about a page per read. */
	while (n >= 0 && n < (ssize_t)sizeof(buf) - 1 && (got = read(fd, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
		n += got;
	if (got < 0)
		n = -1;
	if (fd >= 0)
		close(fd);
	/* More processes than the buffer holds: not worth the guess, the job is root's. */
	if (n < 0 || n == (ssize_t)sizeof(buf) - 1)
		return false;
	buf[n] = '\0';
	for (char *save = NULL, *tok = strtok_r(buf, "\n", &save); ok && tok; tok = strtok_r(NULL, "\n", &save)) {
		unsigned int u[3];

		snprintf(path, sizeof(path), "/proc/%s/status", tok);
		if (read_file(path, status, sizeof(status)) < 0)
			continue; /* exited */
		if (status_ids(status, "\nUid:", u) < 0)
			return false;
		for (int k = 0; k < 3; k++)
			ok = ok && u[k] == (*found ? *uid : u[0]);
		*uid = u[0];
		*found = true;
	}
	if (!ok || depth == 0)
		return ok && depth > 0;
	fd = dup(dirfd);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (ok && (de = readdir(dir))) {
		int sub;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "slurm") == 0)
			continue;
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sub < 0)
			continue; /* removed meanwhile */
		ok = job_uid(sub, depth - 1, found, uid);
		close(sub);
	}
	closedir(dir);
	return ok;
}

/*
 * A Slurm job or step on this node: its group, found by the library as
 * the command finds it; its owner the one uid of its processes, so that a
 * user moves only a job that runs theirs alone (root's when none runs).
 * Identified by the group's inode: a job ended and another of the same id
 * is not the one authorized.
 */
static int open_slurm_job(struct target *t, sd_bus_error *error)
{
	char *path = NULL, file[PATH_MAX + 16];
	unsigned int uid = 0;
	bool found = false;
	struct stat st;
	int r = numamove_slurm_cgroup(t->text, NULL, &path), fd;

	if (r == -EINVAL)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "slurm job '%.64s': not JOBID or JOBID.STEP (STEP: a "
					 "number, batch, extern or interactive)", t->text);
	if (r == -ENOENT)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "slurm job %s: no such job on this node", t->text);
	if (r < 0)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "slurm job %s: %s", t->text, strerror(-r));
	snprintf(file, sizeof(file), "%s/cpuset.mems", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || access(file, F_OK) < 0) {
		r = sd_bus_error_setf(error, ERR_BAD_TARGET, "slurm job %s: %s has no cpuset.mems (Slurm's cgroup.conf "
				      "must let cgroup/v2 constrain cpusets)", t->text, path);
		if (fd >= 0)
			close(fd);
		free(path);
		return r;
	}
	t->key_a = st.st_dev;
	t->key_b = st.st_ino;
	t->owner = job_uid(fd, 8, &found, &uid) && found ? uid : 0;
	close(fd);
	r = asprintf(&t->label, "slurm job %s (cgroup %s)", t->text, path) < 0 ? -ENOMEM : 0;
	free(path);
	return r;
}

static int open_path(struct target *t, sd_bus_error *error)
{
	char real[PATH_MAX];
	struct stat st;

	if (t->text[0] != '/')
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "path '%s': not an absolute path", t->text);
	/* Resolved now, as the caller's symlinks say: a link changed later cannot point the job elsewhere. */
	if (!realpath(t->text, real) || stat(real, &st) < 0)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "%s: %s", t->text, strerror(errno));
	free(t->text);
	t->text = strdup(real);
	if (!t->text)
		return -ENOMEM;
	if (!S_ISREG(st.st_mode))
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "%s: not a regular file", t->text);
	t->owner = st.st_uid;
	t->key_a = st.st_dev;
	t->key_b = st.st_ino;
	t->label = strdup(t->text);
	return t->label ? 0 : -ENOMEM;
}

static int open_shm(struct target *t, sd_bus_error *error)
{
	struct shmid_ds ds;
	int id = t->value;

	if (t->kind == TARGET_SHM_KEY) {
		id = t->value == IPC_PRIVATE ? -1 : shmget(t->value, 0, 0);
		if (id < 0)
			return sd_bus_error_setf(error, ERR_BAD_TARGET, "shm-key %d: no SysV segment has this key",
						 t->value);
	}
	if (id < 0 || shmctl(id, IPC_STAT, &ds) < 0)
		return sd_bus_error_setf(error, ERR_BAD_TARGET, "shm %d: no such SysV segment", id);
	t->owner = ds.shm_perm.uid;
	t->key_a = (uint64_t)id;
	return asprintf(&t->label, "%s:%d", target_kind_name(t->kind), t->value) < 0 ? -ENOMEM : 0;
}

/*
 * Whether an object target is still what was authorized: the same file
 * (device and inode) at its path, the same segment with the same owner.
 * Checked again when its job starts, since it may wait long in the queue.
 */
bool target_unchanged(const struct target *t)
{
	struct shmid_ds ds;
	struct stat st;

	switch (t->kind) {
	case TARGET_PIDFD: {
		/* The same ids as when it was authorized: a process that ran a setuid program since is another's. */
		struct target now = { .kind = t->kind, .fd = t->fd };
		sd_bus_error e = SD_BUS_ERROR_NULL;
		bool same;

		if (!pidfd_alive(t->fd))
			return true; /* exited: the library says so */
		same = open_process(&now, &e) >= 0 && memcmp(now.uids, t->uids, sizeof(t->uids)) == 0 &&
		       memcmp(now.gids, t->gids, sizeof(t->gids)) == 0 && now.dumpable == t->dumpable;
		free(now.label);
		sd_bus_error_free(&e);
		return same || !pidfd_alive(t->fd);
	}
	case TARGET_PATH:
		return stat(t->text, &st) == 0 && (uint64_t)st.st_dev == t->key_a && (uint64_t)st.st_ino == t->key_b;
	case TARGET_SLURM_JOB: {
		char *path = NULL;
		int r = numamove_slurm_cgroup(t->text, NULL, &path);
		bool same = r == 0 && stat(path, &st) == 0 && (uint64_t)st.st_dev == t->key_a &&
			    (uint64_t)st.st_ino == t->key_b;

		free(path);
		return same || r == -ENOENT; /* ended: the request says so */
	}
	case TARGET_SHM:
	case TARGET_SHM_KEY:
		return shmctl((int)t->key_a, IPC_STAT, &ds) == 0 && ds.shm_perm.uid == t->owner &&
		       (t->kind == TARGET_SHM || ds.shm_perm.__key == t->value);
	default:
		return true;
	}
}

/* Identifies @t as the kernel sees it now; a BadTarget error naming it when it cannot be used. */
int target_open(struct target *t, sd_bus_error *error)
{
	int r;

	switch (t->kind) {
	case TARGET_PIDFD:
		return open_process(t, error);
	case TARGET_CGROUP_OF:
		r = open_process(t, error);
		if (r < 0)
			return r;
		free(t->label);
		t->label = NULL;
		r = process_cgroup(t, error);
		return r < 0 ? r : open_cgroup(t, error);
	case TARGET_CGROUP:
		return open_cgroup(t, error);
	case TARGET_SLURM_JOB:
		return open_slurm_job(t, error);
	case TARGET_PATH:
		return open_path(t, error);
	case TARGET_SHM:
	case TARGET_SHM_KEY:
		return open_shm(t, error);
	}
	return -EINVAL;
}

/* ---- the caller */

static int caller_get(sd_bus_message *m, struct caller *c)
{
	sd_bus_creds *creds = NULL;
	const char *comm = NULL;
	int r;

	const gid_t *groups;
	int n;

	r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_UID | SD_BUS_CREDS_GID |
					 SD_BUS_CREDS_EGID | SD_BUS_CREDS_PID | SD_BUS_CREDS_COMM |
					 SD_BUS_CREDS_SUPPLEMENTARY_GIDS, &creds);
	if (r < 0)
		return r;
	n = sd_bus_creds_get_supplementary_gids(creds, &groups);
	c->n_groups = n < 0 ? -1 : n < 64 ? n : 64;
	for (int i = 0; i < c->n_groups; i++)
		c->groups[i] = groups[i];
	/* The bus daemon vouches for the uid it saw on the socket; that is the one to trust. */
	r = sd_bus_creds_get_euid(creds, &c->uid);
	if (r < 0)
		r = sd_bus_creds_get_uid(creds, &c->uid);
	if (r >= 0 && sd_bus_creds_get_egid(creds, &c->gid) < 0 && sd_bus_creds_get_gid(creds, &c->gid) < 0)
		c->gid = (gid_t)-1;
	if (sd_bus_creds_get_pid(creds, &c->pid) < 0)
		c->pid = 0;
	/* dbus-daemon does not say the command name; /proc does (for the log only: it may be stale). */
	if (sd_bus_creds_get_comm(creds, &comm) >= 0) {
		snprintf(c->comm, sizeof(c->comm), "%s", comm);
	} else {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)c->pid);
		if (!c->pid || read_file(path, c->comm, sizeof(c->comm)) <= 0)
			snprintf(c->comm, sizeof(c->comm), "?");
		c->comm[strcspn(c->comm, "\n")] = '\0';
	}
	c->sender = sd_bus_message_get_sender(m);
	sd_bus_creds_unref(creds);
	return r < 0 ? r : 0;
}

int auth_caller(sd_bus_message *m, struct caller *c)
{
	return caller_get(m, c);
}

int auth_sender_uid(sd_bus_message *m, uid_t *ret)
{
	struct caller c;
	int r = caller_get(m, &c);

	if (r >= 0)
		*ret = c.uid;
	return r;
}

/* ---- deciding */

#define MAX_ACTIONS 5

struct auth_request {
	struct daemon *d;
	sd_bus_message *m;
	struct caller caller;
	struct { const char *action; char *why; } need[MAX_ACTIONS];
	size_t n_need, at;
	char *what;
	const char *rule;   /* "polkit" or "the group rule" */
	bool by_root;       /* root's MUNGE credential for this request (slurm_credential_check()) */
	auth_done_fn done;
	void *userdata;
	sd_bus_slot *slot;
};

static void need_action(struct auth_request *a, const char *action, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void need_action(struct auth_request *a, const char *action, const char *fmt, ...)
{
	va_list ap;

	for (size_t i = 0; i < a->n_need; i++)
		if (strcmp(a->need[i].action, action) == 0)
			return;
	/* The first thing that needs an action is the one the refusal names. */
	a->need[a->n_need].action = action;
	va_start(ap, fmt);
	if (vasprintf(&a->need[a->n_need].why, fmt, ap) < 0)
		a->need[a->n_need].why = NULL;
	va_end(ap);
	a->n_need++;
}

static void auth_free(struct auth_request *a)
{
	for (size_t i = 0; i < a->n_need; i++)
		free(a->need[i].why);
	sd_bus_slot_unref(a->slot);
	sd_bus_message_unref(a->m);
	free(a->what);
	free(a);
}

static bool in_admin_group(struct daemon *d, const struct caller *c)
{
	struct group *gr;
	struct passwd *pw;
	gid_t groups[256];
	int n = 256;

	if (!d->cfg.admin_group || !(gr = getgrnam(d->cfg.admin_group)))
		return false;
	if (c->gid == gr->gr_gid)
		return true;
	/* The groups the caller's process had when it connected; else the group database's. */
	if (c->n_groups >= 0) {
		for (int i = 0; i < c->n_groups; i++)
			if (c->groups[i] == gr->gr_gid)
				return true;
		return false;
	}
	pw = getpwuid(c->uid);
	if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (groups[i] == gr->gr_gid)
			return true;
	return false;
}

/*
 * Root, or granted move-shared or move-other: the job may use the daemon's
 * capabilities. Anything else runs with NUMAMOVE_REQUEST_F_UNPRIVILEGED:
 * no more than the kernel gives the caller (manage is about the queue, not
 * about the targets).
 */
static bool privileged(const struct auth_request *a)
{
	if (a->caller.uid == 0 || a->by_root)
		return true;
	for (size_t i = 0; i < a->n_need; i++)
		if (strcmp(a->need[i].action, ACTION_MOVE_SHARED) == 0 || strcmp(a->need[i].action, ACTION_MOVE_OTHER) == 0)
			return true;
	return false;
}

static void decide(struct auth_request *a, bool allowed, const char *refusal)
{
	const struct caller *c = &a->caller;
	char actions[512] = "";

	for (size_t i = 0; i < a->n_need; i++)
		snprintf(actions + strlen(actions), sizeof(actions) - strlen(actions), "%s%s", i ? ", " : "",
			 a->need[i].action + strlen(BUS_NAME) + 1);
	if (allowed && a->by_root)
		log_for(5, 0, 0, (long)c->uid, "uid %u (pid %d, %s): %s: allowed (root's, by a MUNGE credential of "
			"uid 0 for this move)", (unsigned int)c->uid, (int)c->pid, c->comm, a->what);
	else if (allowed)
		log_for(5, 0, 0, (long)c->uid, "uid %u (pid %d, %s): %s: allowed (%s%s%s)", (unsigned int)c->uid, (int)c->pid,
			   c->comm, a->what, c->uid == 0 ? "root" : actions, c->uid == 0 ? "" : " by ",
			   c->uid == 0 ? "" : a->rule);
	else
		log_for(5, 0, 0, (long)c->uid, "uid %u (pid %d, %s): %s: refused by %s: %s", (unsigned int)c->uid, (int)c->pid,
			   c->comm, a->what, a->rule, refusal);
	a->done(a->d, a->m, allowed, allowed && privileged(a), refusal, a->userdata);
	auth_free(a);
}

static void refuse_need(struct auth_request *a)
{
	char msg[8192];

	snprintf(msg, sizeof(msg), "%s needs %s%s", a->need[a->at].why ? a->need[a->at].why : a->what,
		 a->need[a->at].action,
		 strcmp(a->rule, "polkit") == 0 ? "" : " (no polkit here: only root and the admin group may)");
	decide(a, false, msg);
}

/* Without polkitd: root and the admin group get everything, others move-own alone. */
static void group_rule(struct auth_request *a)
{
	bool admin = in_admin_group(a->d, &a->caller);

	a->rule = "the group rule";
	for (; a->at < a->n_need; a->at++)
		if (!admin && strcmp(a->need[a->at].action, ACTION_MOVE_OWN) != 0) {
			refuse_need(a);
			return;
		}
	decide(a, true, NULL);
}

static void ask_next(struct auth_request *a);

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
	struct auth_request *a = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	int authorized = 0, challenge = 0, r;

	a->slot = sd_bus_slot_unref(a->slot);
	if (e) {
		if (sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
		    sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
			if (!a->d->polkit_missing_logged)
				log_notice("polkit is not running: root and the admin group get every action");
			a->d->polkit_missing_logged = true;
			group_rule(a);
			return 0;
		}
		char msg[1024];

		snprintf(msg, sizeof(msg), "polkit could not decide on %s: %s", a->need[a->at].action, e->message);
		decide(a, false, msg);
		return 0;
	}
	/* (is_authorized, is_challenge, details) */
	r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_STRUCT, "bba{ss}");
	if (r >= 0)
		r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
	if (r < 0) {
		decide(a, false, "polkit's answer could not be read");
		return 0;
	}
	if (!authorized) {
		refuse_need(a);
		return 0;
	}
	a->at++;
	ask_next(a);
	return 0;
}

static void ask_next(struct auth_request *a)
{
	int r;

	if (a->at == a->n_need) {
		decide(a, true, NULL);
		return;
	}
	a->rule = "polkit";
	/* No interaction: a daemon has no one to ask a password of; the caller's agent is not ours. */
	r = sd_bus_call_method_async(a->d->bus, &a->slot, "org.freedesktop.PolicyKit1",
				     "/org/freedesktop/PolicyKit1/Authority", "org.freedesktop.PolicyKit1.Authority",
				     "CheckAuthorization", on_polkit_reply, a, "(sa{sv})sa{ss}us", "system-bus-name", 1,
				     "name", "s", a->caller.sender, a->need[a->at].action, 0, 0, "");
	if (r < 0) {
		log_warn("cannot ask polkit: %s", strerror(-r));
		group_rule(a);
	}
}

/* Once every action needed is listed: root has them all (rule "root"), anyone else asks polkit one by one. */
static int auth_start(struct auth_request *a)
{
	if (!a->what) {
		auth_free(a);
		return -ENOMEM;
	}
	if (a->caller.uid == 0 || a->by_root) {
		a->rule = "root";
		decide(a, true, NULL);
		return 0;
	}
	ask_next(a);
	return 0;
}

static struct auth_request *auth_new(struct daemon *d, sd_bus_message *m, auth_done_fn done, void *userdata,
				     int *ret)
{
	struct auth_request *a = calloc(1, sizeof(*a));

	*ret = -ENOMEM;
	if (!a)
		return NULL;
	*ret = caller_get(m, &a->caller);
	if (*ret < 0) {
		/* A client that left before its request was read (a killed numamove) is no fault of ours. */
		if (*ret == -ESRCH || *ret == -ENXIO || *ret == -ENOENT)
			log_info("a request's sender left before it was read: %s", strerror(-*ret));
		else
			log_err("cannot learn who sent a request: %s", strerror(-*ret));
		free(a);
		return NULL;
	}
	a->d = d;
	a->m = sd_bus_message_ref(m);
	a->done = done;
	a->userdata = userdata;
	a->rule = "polkit";
	return a;
}

/*
 * The kernel's PTRACE_MODE_READ_REALCREDS rule. dbus-daemon may not say
 * the caller's gid; then the uids decide, and a setgid program, the case
 * the gids are there for, is not dumpable anyway.
 */
static bool owns_process(const struct caller *c, const struct target *t)
{
	for (int k = 0; k < 3; k++)
		if (t->uids[k] != c->uid || (c->gid != (gid_t)-1 && t->gids[k] != c->gid))
			return false;
	return t->dumpable;
}

static void target_needs(struct auth_request *a, const struct target *t, bool pin)
{
	const struct caller *c = &a->caller;
	const char *verb = pin ? "pinning" : "moving";

	switch (t->kind) {
	case TARGET_PIDFD:
		if (!owns_process(c, t))
			need_action(a, ACTION_MOVE_OTHER, "%s process %s of uid %u", verb, t->label,
				    (unsigned int)t->owner);
		break;
	case TARGET_CGROUP:
	case TARGET_CGROUP_OF:
		if (t->owner != c->uid)
			need_action(a, ACTION_MOVE_OTHER, "%s %s (cpuset.mems of uid %u)", verb, t->label,
				    (unsigned int)t->owner);
		break;
	case TARGET_SLURM_JOB:
		/*
		 * move-other, the job's owner too: the move writes the job's
		 * group's cpuset.cpus and cpuset.mems (root's files, which Slurm
		 * set to what it gave the job), and the owner could widen them to
		 * the CPUs and nodes of other jobs. A user's own move needs a check
		 * that it stays within the job's allocation: not built.
		 */
		need_action(a, ACTION_MOVE_OTHER, "%s %s (its cpuset is Slurm's allocation; processes of uid %u)", verb,
			    t->label, (unsigned int)t->owner);
		break;
	case TARGET_PATH:
	case TARGET_SHM:
	case TARGET_SHM_KEY:
		if (t->owner != c->uid)
			need_action(a, ACTION_MOVE_OTHER, "%s %s of uid %u", verb, t->label, (unsigned int)t->owner);
		need_action(a, ACTION_MOVE_SHARED, "%s the shared object %s", verb, t->label);
		break;
	}
}

static char *describe(const char *verb, const struct target *targets, size_t n, const struct move_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fputs(verb, f);
	for (size_t i = 0; i < n && i < 8; i++)
		fprintf(f, " %s", targets[i].label);
	if (n > 8)
		fprintf(f, " and %zu more", n - 8);
	fprintf(f, " --to %s", o->to);
	if (o->from)
		fprintf(f, " --from %s", o->from);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int auth_check_move(struct daemon *d, sd_bus_message *m, const struct target *targets, size_t n,
		    const struct move_opts *opts, bool pin, auth_done_fn done, void *userdata)
{
	struct auth_request *a;
	int r;

	a = auth_new(d, m, done, userdata, &r);
	if (!a)
		return r;
	a->what = describe(pin ? "pin" : "move", targets, n, opts);
	/* Root asked this very move (a Slurm job's, on all its nodes), and the tasks of its step ask it here. */
	a->by_root = !pin && opts->by_root;
	need_action(a, pin ? ACTION_PIN : ACTION_MOVE_OWN, "%s", pin ? "pinning" : "moving your own processes");
	for (size_t i = 0; i < n; i++)
		target_needs(a, &targets[i], pin);
	if (opts->flags & NUMAMOVE_REQUEST_F_WITH_SHARED) {
		/* The objects a process maps may be anyone's: the library moves every one of them. */
		need_action(a, ACTION_MOVE_SHARED, "moving shared memory with --with-shared (with-shared)");
		need_action(a, ACTION_MOVE_OTHER, "moving the objects a process maps, whoever owns them (with-shared)");
	}
	if (opts->engine == NUMAMOVE_ENGINE_KERNEL) {
		/* One migrate_pages(2) call: it cannot be kept off shared pages, nor paced by the budget. */
		need_action(a, ACTION_MOVE_SHARED, "the kernel engine, which moves shared pages too (engine kernel)");
		if (d->cfg.budget)
			need_action(a, ACTION_MANAGE, "the kernel engine, which the budget cannot pace (engine kernel)");
	}
	if (opts->priority < 0)
		need_action(a, ACTION_MANAGE, "a priority below 0 (%d)", opts->priority);
	/* Admission protects every user's memory: skipping it is the admin's call. */
	if ((opts->flags & NUMAMOVE_REQUEST_F_FORCE) && !(opts->flags & NUMAMOVE_REQUEST_F_DRY_RUN))
		need_action(a, ACTION_MANAGE, "a move past admission and the room check (force)");
	return auth_start(a);
}

int auth_check_action(struct daemon *d, sd_bus_message *m, const char *action, const char *what,
		      auth_done_fn done, void *userdata)
{
	struct auth_request *a;
	int r;

	a = auth_new(d, m, done, userdata, &r);
	if (!a)
		return r;
	a->what = strdup(what);
	need_action(a, action, "%s", what);
	return auth_start(a);
}
