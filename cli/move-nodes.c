/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamove move --slurm-job JOBID --all-nodes: the move on every node of the
 * job at once, through Slurm itself. One srun step in the job's own
 * allocation (--overlap: it takes none of the job's CPUs or memory), one
 * task per node (--ntasks-per-node=1 without -N: srun then spans every node
 * of the allocation), each running numamove move --all-nodes-task with the
 * same options there; the records they hand back (front/render-nodes.c) make
 * one summary. No node list of our own, no ssh. Slurm decides who may start
 * a step in a job (in Slurm 22.05 its owner only, not root), and the tasks
 * run as that user: each node's move is that user's, through numamoved
 * when it is not root, authorized there as any other.
 *
 * Root (an admin) moving another user's job runs srun as the job's owner
 * (Slurm's squeue names them), and hands the tasks a MUNGE credential
 * (munge(1), the cluster's own authentication, which Slurm needs on every
 * node) whose payload is the request (front_slurm_credential_text()):
 * each node's numamoved decodes it, and moves as root asked, that request
 * only, once (slurm_credential_check() in numamoved).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "move-nodes.h"

int move_record_fd = -1;
const char *move_slurm_credential;

/* srun, for the signal handler: interrupted, the step is ended through srun (its tasks report what they did). */
static volatile pid_t srun_pid;

static void on_signal(int sig)
{
	(void)sig;
	if (srun_pid > 0)
		kill(srun_pid, SIGTERM);
}

/* Reads @fd to its end into @buf (NUL-terminated); false without memory. */
struct sink {
	int fd;
	char *buf;
	size_t len;
};

/* Drains every sink until all are at their end. */
static bool drain(struct sink *s, size_t n)
{
	struct pollfd p[4];
	size_t open = n;

	while (open) {
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			p[i].fd = s[i].fd;
			p[i].events = POLLIN;
		}
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		for (k = 0; k < n; k++) {
			char chunk[65536];
			ssize_t r;
			char *b;

			if (s[k].fd < 0 || !(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(s[k].fd, chunk, sizeof(chunk));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(s[k].fd);
				s[k].fd = -1;
				open--;
				continue;
			}
			b = realloc(s[k].buf, s[k].len + (size_t)r + 1);
			if (!b)
				return false;
			memcpy(b + s[k].len, chunk, (size_t)r);
			s[k].buf = b;
			s[k].len += (size_t)r;
			b[s[k].len] = '\0';
		}
	}
	return true;
}

/* Each line of @text with @prefix on @out. */
static void lines(FILE *out, const char *prefix, char *text)
{
	for (char *save = NULL, *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
		fprintf(out, "%s%s\n", prefix, l);
}

/*
 * A child whose standard output and error are pipes, read through
 * @out[0] and @err[0]; in the child (0 returned) both are in place, and
 * the read ends are still open; -1 (said) when it cannot fork.
 */
static pid_t fork_piped(int out[2], int err[2])
{
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		err_nomem();
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		warn_errno(-errno, "fork");
	} else if (pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
	} else {
		close(out[1]);
		close(err[1]);
	}
	return pid;
}

int move_node_task(int argc, char **argv, int (*move)(int, char **))
{
	const char *name = getenv("SLURMD_NODENAME"), *tasks = getenv("SLURM_NTASKS");
	int out[2], err[2], rec[2], wstatus, status;
	char host[256] = "?";
	struct sink s[3];
	pid_t pid;

	if (!name) {
		gethostname(host, sizeof(host) - 1);
		name = host;
	}
	/* Root's, for numamoved here; not for what the move may start. */
	if (getenv(FRONT_SLURM_CREDENTIAL_ENV)) {
		move_slurm_credential = strdup(getenv(FRONT_SLURM_CREDENTIAL_ENV));
		if (!move_slurm_credential)
			err_nomem();
		unsetenv(FRONT_SLURM_CREDENTIAL_ENV);
	}
	if (pipe2(rec, O_CLOEXEC) < 0)
		err_nomem();
	pid = fork_piped(out, err);
	if (pid < 0)
		return EXIT_ERROR;
	if (pid == 0) {
		/* The move itself, here: its output, its diagnostics and its record, each to its pipe. */
		close(out[0]);
		close(err[0]);
		close(rec[0]);
		move_record_fd = rec[1];
		argv[1] = argv[0];
		exit(move(argc - 1, argv + 1));
	}
	/*
	 * The step's end (Slurm's SIGTERM to every process of the step) is
	 * the move's to handle: it cancels and reports; this record carries it.
	 */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	close(rec[1]);
	s[0] = (struct sink){ .fd = out[0] };
	s[1] = (struct sink){ .fd = err[0] };
	s[2] = (struct sink){ .fd = rec[0] };
	if (!drain(s, 3))
		err_nomem();
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : EXIT_ERROR;
	printf("node %s\n", name);
	if (tasks)
		printf("tasks %s\n", tasks);
	fputs(s[2].buf ? s[2].buf : "", stdout);
	lines(stdout, "err ", s[1].buf);
	if (WIFSIGNALED(wstatus))
		printf("err killed by signal %d\n", WTERMSIG(wstatus));
	/* A move killed while it wrote its document may have left half of it: none then. */
	if (WIFEXITED(wstatus))
		lines(stdout, "json ", s[0].buf);
	printf("status %d\n", status);
	for (size_t i = 0; i < 3; i++)
		free(s[i].buf);
	/* The status is in the record: a task that reported ends well, so srun ends the others' alone. */
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}

/* The program srun runs: an absolute path found in PATH, NULL when there is none. */
static char *find_in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *found = NULL;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	copy = strdup(path);
	if (!copy)
		err_nomem();
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p;

		if (asprintf(&p, "%s/%s", *d ? d : ".", prog) < 0)
			err_nomem();
		if (access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

/* srun's own error for the step (its first "srun: error: " line), shortened; NULL when it said none. */
static const char *srun_error(char *text)
{
	static const char tag[] = "srun: error: ";
	char *l = text ? strstr(text, tag) : NULL, *e;

	if (!l)
		return NULL;
	l += sizeof(tag) - 1;
	e = strchr(l, '\n');
	if (e)
		*e = '\0';
	return l;
}

/*
 * Runs @argv (a program found in PATH) to its end: its output in @ret_out
 * (NUL-terminated, without the last newline), its first diagnostic line in
 * @why; its exit status, or -1 (@why says) when it did not run to an end.
 */
static int run_capture(char **argv, char **ret_out, char *why, size_t size)
{
	char *prog = find_in_path(argv[0]);
	int out[2], err[2], wstatus;
	struct sink s[2];
	pid_t pid;

	*ret_out = NULL;
	snprintf(why, size, "%s: not installed", argv[0]);
	if (!prog)
		return -1;
	pid = fork_piped(out, err);
	if (pid < 0) {
		free(prog);
		snprintf(why, size, "%s: cannot fork", argv[0]);
		return -1;
	}
	if (pid == 0) {
		execv(prog, argv);
		fprintf(stderr, "%s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	free(prog);
	s[0] = (struct sink){ .fd = out[0] };
	s[1] = (struct sink){ .fd = err[0] };
	if (!drain(s, 2))
		err_nomem();
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (s[0].len && s[0].buf[s[0].len - 1] == '\n')
		s[0].buf[s[0].len - 1] = '\0';
	snprintf(why, size, "%.*s", s[1].buf ? (int)strcspn(s[1].buf, "\n") : 0, s[1].buf ? s[1].buf : "");
	if (!*why)
		snprintf(why, size, "%s: %s %d", argv[0], WIFEXITED(wstatus) ? "exit" : "signal",
			 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus));
	free(s[1].buf);
	*ret_out = s[0].buf;
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
}

/*
 * The owner that squeue --format=%U names: one line per job component (a
 * heterogeneous job has several), each a uid, blanks around it allowed.
 * The uid when every line names the same one; 0 when a line names another,
 * or root, or something that is not a uid of uid_t, or there is no line.
 */
static unsigned long squeue_owner(const char *out)
{
	unsigned long uid = 0;

	for (const char *l = out; *l;) {
		char *e;
		unsigned long u;

		l += strspn(l, " \t");
		if (*l < '0' || *l > '9')
			return 0;
		errno = 0;
		u = strtoul(l, &e, 10);
		e += strspn(e, " \t");
		/* No uid 0 (root's own job), none past uid_t, and (uid_t)-1 is no uid. */
		if (errno || (*e && *e != '\n') || u == 0 || u >= UINT32_MAX || (uid && u != uid))
			return 0;
		uid = u;
		l = *e ? e + 1 : e;
	}
	return uid;
}

/*
 * Root's move of another user's job: that user (@ret_pw, from squeue), and
 * root's MUNGE credential of the request in @ret_cred. 0: not needed (not
 * root, the job is root's, or Slurm does not know it: srun says so); 1:
 * both set; -1: said why not.
 */
static int as_owner(const char *job, const struct front_move_terms *terms, struct passwd **ret_pw, char **ret_cred)
{
	char *jobs, *out = NULL, *text = NULL, why[512];
	char *sq[] = { (char *)"squeue", (char *)"--noheader", NULL, (char *)"--format=%U", NULL };
	unsigned long uid;
	int r;

	if (geteuid() != 0)
		return 0;
	if (asprintf(&jobs, "--jobs=%s", job) < 0)
		err_nomem();
	sq[2] = jobs;
	r = run_capture(sq, &out, why, sizeof(why));
	free(jobs);
	uid = r == 0 && out ? squeue_owner(out) : 0;
	if (uid == 0) {
		/* Not known to Slurm, or root's own: srun, as root, says what it says. */
		free(out);
		return 0;
	}
	free(out);
	*ret_pw = getpwuid((uid_t)uid);
	if (!*ret_pw) {
		warnx_("slurm job %s: its owner, uid %lu, has no entry in the user database here", job, uid);
		return -1;
	}
	{
		struct front_move_terms t = *terms;

		t.owner = (unsigned int)uid;
		r = front_slurm_credential_text(&t, &text);
	}
	if (r == -ENOMEM)
		err_nomem();
	if (r < 0) {
		warnx_("slurm job %s: an option holds a newline", job);
		return -1;
	}
	{
		char *mu[] = { (char *)"munge", NULL, NULL };

		if (asprintf(&mu[1], "--string=%s", text) < 0)
			err_nomem();
		r = run_capture(mu, ret_cred, why, sizeof(why));
		free(mu[1]);
	}
	free(text);
	if (r != 0 || !*ret_cred || !**ret_cred) {
		warnx_("slurm job %s: root's move in uid %lu's job needs a MUNGE credential: %s", job, uid, why);
		free(*ret_cred);
		*ret_cred = NULL;
		return -1;
	}
	/* numamoved takes strings of up to 4096 bytes. */
	if (strlen(*ret_cred) > 4096) {
		warnx_("slurm job %s: root's MUNGE credential for this move is %zu bytes, over numamoved's 4096 "
		       "(shorter node lists or policy)", job, strlen(*ret_cred));
		free(*ret_cred);
		*ret_cred = NULL;
		return -1;
	}
	return 1;
}

/*
 * In the child that runs srun for root in another user's job: that user,
 * with nothing of root's but the credential. A new session (no controlling
 * terminal of root's), standard input /dev/null, no other descriptor than
 * the pipes to us, / as working directory, and an environment of its own
 * (srun exports its whole environment to the tasks): PATH, the user's
 * HOME, USER and LOGNAME, Slurm's SLURM_CONF when set, the credential.
 */
static int become_owner(const struct passwd *pw, const char *cred)
{
	const char *path = getenv("PATH"), *conf = getenv("SLURM_CONF");
	char *keep_path = strdup(path ? path : "/usr/local/bin:/usr/bin:/bin"), *keep_conf = conf ? strdup(conf) : NULL;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (!keep_path || (conf && !keep_conf) || null < 0 || setsid() < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0 || chdir("/") < 0 || clearenv() != 0 ||
	    setenv("PATH", keep_path, 1) < 0 || setenv("HOME", pw->pw_dir, 1) < 0 ||
	    setenv("USER", pw->pw_name, 1) < 0 || setenv("LOGNAME", pw->pw_name, 1) < 0 ||
	    (keep_conf && setenv("SLURM_CONF", keep_conf, 1) < 0) || setenv(FRONT_SLURM_CREDENTIAL_ENV, cred, 1) < 0 ||
	    initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return -1;
	return 0;
}

int move_all_nodes(const char *job, char **fwd, size_t n_fwd, const struct front_move_terms *terms,
		   const struct front_style *style)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct front_nodes ns = { 0 };
	char *srun = find_in_path("srun"), *self, *jobid, **av, *save = NULL;
	int out[2], err[2], wstatus, status;
	unsigned int expected = 0;
	struct passwd *pw = NULL;
	char *cred = NULL;
	struct sink s[2];
	size_t n = 0;
	pid_t pid;
	int owner;

	if (!srun) {
		warnx_("slurm job %s: --all-nodes runs srun, which is not installed (Slurm's client commands)", job);
		return EXIT_ERROR;
	}
	owner = as_owner(job, terms, &pw, &cred);
	if (owner < 0) {
		free(srun);
		return EXIT_ERROR;
	}
	self = realpath("/proc/self/exe", NULL);
	if (!self || asprintf(&jobid, "--jobid=%s", job) < 0)
		err_nomem();
	av = calloc(n_fwd + 20, sizeof(*av));
	if (!av)
		err_nomem();
	av[n++] = srun;
	av[n++] = jobid;
	/* A step beside the job's, sharing its resources; one task on each node of the allocation. */
	av[n++] = (char *)"--overlap";
	av[n++] = (char *)"--ntasks-per-node=1";
	av[n++] = (char *)"--job-name=numamove";
	av[n++] = (char *)"--label";
	av[n++] = (char *)"--quiet";
	av[n++] = (char *)"--input=none";
	av[n++] = (char *)"--kill-on-bad-exit=0";
	/* The step's working directory: one the job's user may enter on every node. */
	av[n++] = (char *)"--chdir=/";
	av[n++] = self;
	av[n++] = (char *)"move";
	av[n++] = (char *)"--all-nodes-task";
	for (size_t i = 0; i < n_fwd; i++)
		av[n++] = fwd[i];
	/* Root's move, asked of numamoved by the owner's tasks, with root's credential. */
	if (owner > 0)
		av[n++] = (char *)"--daemon";
	av[n++] = (char *)"-J";
	av[n] = NULL;

	pid = fork_piped(out, err);
	if (pid < 0)
		return EXIT_ERROR;
	if (pid == 0) {
		if (owner > 0 && become_owner(pw, cred) < 0) {
			fprintf(stderr, "srun: error: cannot become uid %u, the job's owner: %s\n",
				(unsigned int)pw->pw_uid, strerror(errno));
			_exit(127);
		}
		execv(srun, av);
		fprintf(stderr, "srun: error: %s: %s\n", srun, strerror(errno));
		_exit(127);
	}
	srun_pid = pid;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	s[0] = (struct sink){ .fd = out[0] };
	s[1] = (struct sink){ .fd = err[0] };
	if (!drain(s, 2))
		err_nomem();
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	srun_pid = 0;

	/* "  3: line": task 3's line (srun --label pads the task number). */
	for (char *l = s[0].buf ? strtok_r(s[0].buf, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char *end;
		unsigned long task = strtoul(l, &end, 10);

		if (end == l || strncmp(end, ": ", 2) != 0 || task > 1000000)
			continue;
		/* The tasks run as the job's owner: nothing of theirs drives the terminal of whoever reads this. */
		for (char *p = end + 2; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		if (front_nodes_line(&ns, (unsigned int)task, end + 2) == -ENOMEM)
			err_nomem();
	}
	for (size_t k = 0; k < ns.n; k++)
		if (ns.v[k].tasks > expected)
			expected = ns.v[k].tasks;

	if (!ns.n) {
		/* No node reported: the step did not start (no such job, not the job's owner, pending). */
		const char *why = srun_error(s[1].buf);

		warnx_("slurm job %s: no step on its nodes: %s", job,
		       why ? why : WIFEXITED(wstatus) ? "srun failed" : "srun was killed");
		status = EXIT_ERROR;
	} else {
		if (style->json) {
			if (front_nodes_json(stdout, &ns, style->bytes) < 0)
				err_nomem();
		} else {
			front_nodes_text(stdout, style, &ns);
		}
		front_nodes_diagnostics(stderr, style, &ns);
		status = front_nodes_status(&ns);
		if (expected > ns.n) {
			warnx_("slurm job %s: %zu of its %u nodes reported; the others: %s", job, ns.n, expected,
			       srun_error(s[1].buf) ? srun_error(s[1].buf) : "no word");
			status = front_worst_status(status, EXIT_ERROR);
		}
	}
	front_nodes_free(&ns);
	free(s[0].buf);
	free(s[1].buf);
	free(av);
	free(jobid);
	free(self);
	free(srun);
	free(cred);
	return status;
}
