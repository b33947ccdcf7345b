// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-run: run a command and measure it from outside.
 *
 * usage: bench-run OUTFILE -- CMD [ARG...]
 *
 * Runs CMD (found on PATH; stdin, stdout and stderr inherited), waits for it
 * with wait4(2) and writes one line to OUTFILE:
 *
 *   wall_s X maxrss_kb Y rc Z
 *
 * X is the wall-clock time from just before fork to the end of wait4, in
 * seconds; Y the command's peak resident set size in KiB (ru_maxrss of the
 * child, so numamove's own memory, not the target's); Z its exit status, or
 * 128 + the signal that killed it, or 127 when it could not be run.
 * bench-run exits with Z (1 when it failed itself, 2 on bad usage).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	const char *out;
	double t0, wall;
	int status, rc;
	pid_t pid, w;
	FILE *f;

	if (argc < 4 || strcmp(argv[2], "--") != 0) {
		fprintf(stderr, "usage: bench-run OUTFILE -- CMD [ARG...]\n");
		return 2;
	}
	out = argv[1];
	t0 = now_s();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench-run: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, "bench-run: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	do
		w = wait4(pid, &status, 0, &ru);
	while (w < 0 && errno == EINTR);
	wall = now_s() - t0;
	if (w < 0) {
		fprintf(stderr, "bench-run: wait4: %s\n", strerror(errno));
		return 1;
	}
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
	f = fopen(out, "we");
	if (!f) {
		fprintf(stderr, "bench-run: %s: %s\n", out, strerror(errno));
		return 1;
	}
	fprintf(f, "wall_s %.6f maxrss_kb %ld rc %d\n", wall, ru.ru_maxrss, rc);
	if (fclose(f) != 0) {
		fprintf(stderr, "bench-run: %s: %s\n", out, strerror(errno));
		return 1;
	}
	return rc;
}
