// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tracer PID: attach to PID with ptrace (PTRACE_SEIZE, which does not stop
 * it) and stay attached until killed, like a debugger left attached. The
 * VM tests use it to check that numamove refuses an already traced target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: tracer PID\n");
		return 2;
	}
	if (ptrace(PTRACE_SEIZE, atoi(argv[1]), NULL, NULL) < 0) {
		perror("PTRACE_SEIZE");
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	for (;;)
		pause();
}
