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
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "move-nodes.h"

int move_record_fd = -1;

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

int move_all_nodes(const char *job, char **fwd, size_t n_fwd, const struct front_style *style)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct front_nodes ns = { 0 };
	char *srun = find_in_path("srun"), *self, *jobid, **av, *save = NULL;
	int out[2], err[2], wstatus, status;
	unsigned int expected = 0;
	struct sink s[2];
	size_t n = 0;
	pid_t pid;

	if (!srun) {
		warnx_("slurm job %s: --all-nodes runs srun, which is not installed (Slurm's client commands)", job);
		return EXIT_ERROR;
	}
	self = realpath("/proc/self/exe", NULL);
	if (!self || asprintf(&jobid, "--jobid=%s", job) < 0)
		err_nomem();
	av = calloc(n_fwd + 16, sizeof(*av));
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
	av[n++] = self;
	av[n++] = (char *)"move";
	av[n++] = (char *)"--all-nodes-task";
	for (size_t i = 0; i < n_fwd; i++)
		av[n++] = fwd[i];
	av[n++] = (char *)"-J";
	av[n] = NULL;

	pid = fork_piped(out, err);
	if (pid < 0)
		return EXIT_ERROR;
	if (pid == 0) {
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
	return status;
}
