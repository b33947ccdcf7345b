// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * runas UID GID CMD [ARG...]: run CMD with real, effective and saved user
 * and group ids UID and GID and no supplementary groups. Changing from uid 0
 * to a non-zero uid drops every capability (no CAP_SYS_NICE, no
 * CAP_SYS_PTRACE), which is what the VM tests need for an unprivileged user.
 * SIGINT and SIGQUIT get their default action back: a non-interactive shell
 * starts background commands with them ignored, and a test that interrupts
 * a background command needs them (runas 0 0 CMD for root).
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	long uid, gid;

	if (argc < 4) {
		fprintf(stderr, "usage: runas UID GID CMD [ARG...]\n");
		return 2;
	}
	uid = strtol(argv[1], &end, 10);
	if (*end || uid < 0) {
		fprintf(stderr, "runas: bad uid %s\n", argv[1]);
		return 2;
	}
	gid = strtol(argv[2], &end, 10);
	if (*end || gid < 0) {
		fprintf(stderr, "runas: bad gid %s\n", argv[2]);
		return 2;
	}
	if (setgroups(0, NULL) < 0 || setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0 ||
	    setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0) {
		fprintf(stderr, "runas: %s\n", strerror(errno));
		return 126;
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	/* make /proc/self files of the process owned by the user */
	prctl(PR_SET_DUMPABLE, 1);
	execvp(argv[3], argv + 3);
	fprintf(stderr, "runas: %s: %s\n", argv[3], strerror(errno));
	return 127;
}
