/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamove place: keep a memory policy on files and directories (a
 * placement, in an extended attribute), for numamoved to enforce; or
 * remove it. The library parses, checks and writes placements; the
 * kernel decides who may write the attribute.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "common.h"

struct place_args {
	struct numamove_placement *placement; /* NULL: --clear */
	bool recursive, now, tell;
	int status;
	char **done;     /* absolute paths placed or cleared, to tell numamoved */
	size_t n_done;
	char **stored;   /* paths of those on a file system without attributes: numamoved keeps them */
	size_t n_stored;
};

static void add_path(char ***v, size_t *n, char *path)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		err_nomem();
	*v = nv;
	(*v)[(*n)++] = path;
}

/* nftw(3) takes no user data: the one walk running. */
static struct place_args *walking;

static void __attribute__((noreturn)) usage(void)
{
	printf("Usage:\n"
	       " %1$s place [options] --policy <policy> <path>...\n"
	       " %1$s place [options] --clear <path>...\n"
	       "\n"
	       "Keep a memory policy on files and directories: a placement. The kernel keeps no\n"
	       "policy for the page cache of files, so numamoved keeps it instead: it moves the\n"
	       "resident pages of a placed file to the placement's nodes, again after they are\n"
	       "evicted and read back, and gives tmpfs files the policy as their shared policy.\n"
	       "A directory's placement applies to the files in it and in the directories below\n"
	       "it that have none of their own. The placement is kept in the extended attribute\n"
	       NUMAMOVE_PLACEMENT_XATTR " (" NUMAMOVE_PLACEMENT_XATTR_TRUSTED " where the file\n"
	       "system has no user attributes: root only; on hugetlbfs, which keeps neither,\n"
	       "numamoved keeps it in its registry). Placing a file needs write permission\n"
	       "on it. numamove show <path> shows the placement and how much of the file's page\n"
	       "cache is on its nodes.\n"
	       "\n"
	       "Options:\n"
	       " -p, --policy <policy>  the policy: bind:<nodes>, preferred:<node>,\n"
	       "                          preferred-many:<nodes>, interleave:<nodes>,\n"
	       "                          weighted-interleave:<nodes>, default, local; =static\n"
	       "                          after the mode (bind=static:2); not =relative\n"
	       "     --scope <scope>    of a directory's placement: tree (default: the whole\n"
	       "                          tree below it) or directory (its own files only)\n"
	       "     --read-ahead       numamoved reads a placed file ahead under the policy\n"
	       "                          when it is opened, before the open returns, so that\n"
	       "                          its pages are born on the placement's nodes (up to\n"
	       "                          numamoved's read-ahead-max of each file)\n"
	       "     --lock             numamoved keeps a placed file's pages in memory\n"
	       "                          (mlock, within its lock-budget; placements of root\n"
	       "                          or with the manage action)\n"
	       "     --clear            remove the placement\n"
	       " -R, --recursive        also every file and directory below each directory\n"
	       "                          (not across file systems, not following links)\n"
	       "     --now              also move each file's resident pages to the placement's\n"
	       "                          nodes now, as numamoved would (a tmpfs file also gets\n"
	       "                          the policy as its shared policy)\n"
	       " -V, --version          display version\n"
	       " -h, --help             display this help\n"
	       "\n"
	       "Exit status: 0 done, 1 a path could not be placed or cleared (or, with --now,\n"
	       "moved), 2 bad usage, 3 with --now: some pages not moved.\n",
	       program_name);
	exit(EXIT_OK);
}

/* Why @r stopped the placement of @path, in one line. */
static void place_error(const char *path, int r, bool clear)
{
	const char *what = clear ? "cannot clear its placement" : "cannot place it";

	switch (r) {
	case -EACCES:
	case -EPERM:
		warnx_("%s: %s: %s (it needs write permission on the file)", path, what, strerror(-r));
		break;
	case -EOPNOTSUPP:
		warnx_("%s: %s: the file system keeps no " NUMAMOVE_PLACEMENT_XATTR " attribute (tmpfs before "
		       "Linux 6.6 keeps " NUMAMOVE_PLACEMENT_XATTR_TRUSTED ", for root only)", path, what);
		break;
	case -ENOTDIR:
		warnx_("%s: %s: --scope is for directories", path, what);
		break;
	case -EINVAL:
		warnx_("%s: %s: only regular files and directories have placements", path, what);
		break;
	default:
		warn_errno(r, "%s: %s", path, what);
	}
}

/* A placement as the user gave it: "bind:2", "interleave:2-3 (this directory)". */
static void placement_text(const struct numamove_placement *p, char *buf, size_t size)
{
	char pol[NUMAMOVE_PLACEMENT_MAX];

	snprintf(buf, size, "%s%s%s%s", policy_text(numamove_placement_policy(p), pol, sizeof(pol)),
		 (numamove_placement_flags(p) & NUMAMOVE_PLACEMENT_F_DIRECTORY) ? " (this directory)" : "",
		 (numamove_placement_flags(p) & NUMAMOVE_PLACEMENT_F_READ_AHEAD) ? " (read ahead at open)" : "",
		 (numamove_placement_flags(p) & NUMAMOVE_PLACEMENT_F_LOCK) ? " (to be locked in memory)" : "");
}

/* What @fd has now, as text: "bind:2", "none", or "?" (unreadable or corrupt). */
static void current_text(int fd, char *buf, size_t size)
{
	struct numamove_placement *p = NULL;
	int r = numamove_placement_get(fd, NULL, &p);

	if (r == -ENODATA)
		snprintf(buf, size, "none");
	else if (r < 0)
		snprintf(buf, size, "?");
	else
		placement_text(p, buf, size);
	numamove_placement_free(p);
}

/* hugetlbfs keeps no attribute at all (tmpfs before Linux 6.6 keeps trusted.*, root's). */
static bool on_hugetlbfs(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type == HUGETLBFS_MAGIC;
}

/* --now: enforce @p on the regular file @path as numamoved would, saying what moved as numamove move does. */
static int enforce(const char *path, const struct numamove_placement *p)
{
	struct front_style style = { .prefix = program_name };
	struct numamove_request *req = NULL;
	struct numamove_report *rep = NULL;
	int r = numamove_placement_request(path, p, NULL, &req), status;

	if (r == -ENODATA)
		return EXIT_OK; /* nothing to move from: every node is one of its own */
	if (r < 0) {
		warn_errno(r, "%s: cannot enforce its placement", path);
		return EXIT_ERROR;
	}
	r = numamove_request_run(req, &rep);
	numamove_request_free(req);
	if (r < 0) {
		warn_errno(r, "%s: cannot move it", path);
		return EXIT_ERROR;
	}
	front_move_request_notes(stderr, &style, rep);
	for (size_t i = 0; i < numamove_report_count(rep); i++)
		front_move_target(stdout, stderr, &style, rep, i);
	status = front_exit_status(numamove_report_worst(rep));
	numamove_report_free(rep);
	return status;
}

/*
 * Places (or clears) one path; a line "PATH: placement OLD -> NEW" on
 * success. @below: found by the walk below a directory named.
 */
static void place_one(struct place_args *a, const char *path, bool is_dir, bool below, bool follow)
{
	struct numamove_placement *p = a->placement, *file = NULL;
	char before[NUMAMOVE_PLACEMENT_MAX + 32], after[NUMAMOVE_PLACEMENT_MAX + 32];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (follow ? 0 : O_NOFOLLOW)), r;

	if (fd < 0) {
		place_error(path, -errno, !p);
		a->status = EXIT_ERROR;
		return;
	}
	current_text(fd, before, sizeof(before));
	/* What is below a directory gets what the library says the directory's placement gives it. */
	if (p && below) {
		r = numamove_placement_inherit(p, is_dir, &file);
		if (r == 0) {
			p = file;
			r = numamove_placement_set(fd, p);
		}
	} else {
		r = p ? numamove_placement_set(fd, p) : numamove_placement_clear(fd);
	}
	/* Below a directory on hugetlbfs, the directory's placement, which numamoved keeps, covers it. */
	if (r == -EOPNOTSUPP && p && below && on_hugetlbfs(fd)) {
		numamove_placement_free(file);
		close(fd);
		return;
	}
	if (r == -EOPNOTSUPP && p && a->tell && on_hugetlbfs(fd)) {
		/* No attribute on this file system (hugetlbfs): numamoved keeps the placement itself, if it runs. */
		char *abs = realpath(path, NULL), *named = strdup(path);

		if (!abs || !named)
			err_nomem();
		add_path(&a->done, &a->n_done, abs);
		add_path(&a->stored, &a->n_stored, named);
		numamove_placement_free(file);
		close(fd);
		return;
	}
	if (r < 0) {
		place_error(path, r, !p);
		a->status = front_worst_status(a->status, EXIT_ERROR);
	} else {
		/* numamoved is told of what was named and of directories below (their scope may be their own). */
		char *abs = follow || is_dir ? realpath(path, NULL) : NULL;

		if (abs)
			add_path(&a->done, &a->n_done, abs);
		if (p)
			placement_text(p, after, sizeof(after));
		printf("%s: placement %s -> %s\n", path, before, p ? after : "none");
		fflush(stdout);
		if (p && a->now && !is_dir)
			a->status = front_worst_status(a->status, enforce(path, p));
	}
	numamove_placement_free(file);
	close(fd);
}

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type == FTW_D || type == FTW_DP)
		place_one(walking, path, true, ftw->level > 0, false);
	else if (type == FTW_F && S_ISREG(st->st_mode))
		place_one(walking, path, false, ftw->level > 0, false);
	else if (type == FTW_DNR || type == FTW_NS) {
		warnx_("%s: cannot read it: skipped", path);
		walking->status = EXIT_ERROR;
	}
	return 0;
}

/*
 * Whether place tells numamoved (NUMAMOVE_DAEMON: unset, 1, yes, true: it
 * does when numamoved is there; 0, no, false: never).
 */
static bool tell_daemon(void)
{
	const char *v = getenv("NUMAMOVE_DAEMON");

	if (!v || !*v)
		return true;
	if (strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		return false;
	if (strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		return true;
	usage_error("place", "NUMAMOVE_DAEMON: '%s' is not 1 or 0", v);
}

int cmd_place(int argc, char **argv)
{
	enum { OPT_CLEAR = 256, OPT_SCOPE, OPT_NOW, OPT_READ_AHEAD, OPT_LOCK };
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "scope", required_argument, NULL, OPT_SCOPE },
		{ "clear", no_argument, NULL, OPT_CLEAR },
		{ "recursive", no_argument, NULL, 'R' },
		{ "now", no_argument, NULL, OPT_NOW },
		{ "read-ahead", no_argument, NULL, OPT_READ_AHEAD },
		{ "lock", no_argument, NULL, OPT_LOCK },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct place_args a = { .status = EXIT_OK };
	const char *policy = NULL;
	unsigned int flags = 0;
	bool clear = false, scope = false, tell;
	int c, r, bad = 0;

	while ((c = getopt_long(argc, argv, "p:RVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': policy = optarg; break;
		case OPT_CLEAR: clear = true; break;
		case 'R': a.recursive = true; break;
		case OPT_NOW: a.now = true; break;
		case OPT_READ_AHEAD: flags |= NUMAMOVE_PLACEMENT_F_READ_AHEAD; break;
		case OPT_LOCK: flags |= NUMAMOVE_PLACEMENT_F_LOCK; break;
		case OPT_SCOPE:
			scope = true;
			if (strcmp(optarg, "directory") == 0)
				flags |= NUMAMOVE_PLACEMENT_F_DIRECTORY;
			else if (strcmp(optarg, "tree") != 0)
				usage_error("place", "--scope: '%s' is not tree or directory", optarg);
			break;
		case 'V': print_version();
		case 'h': usage();
		default: try_help("place");
		}
	}
	if (!policy == !clear)
		usage_error("place", "give either --policy or --clear");
	if (clear && (scope || a.now || flags))
		usage_error("place", "--%s goes with --policy", scope ? "scope" : a.now ? "now" :
			    (flags & NUMAMOVE_PLACEMENT_F_LOCK) ? "lock" : "read-ahead");
	if (optind >= argc)
		usage_error("place", "no path given");
	a.tell = tell = tell_daemon();
	if (policy) {
		struct numamove_topology *topo = topology_load_checked();
		struct numamove_policy *pol = NULL;

		if (!topo)
			return EXIT_ERROR;
		r = numamove_policy_parse(policy, topo, &pol, &bad);
		numamove_topology_free(topo);
		if (r < 0)
			policy_usage_error("place", "--policy", policy, r, bad);
		r = numamove_placement_new(pol, flags, &a.placement);
		numamove_policy_free(pol);
		if (r == -EINVAL)
			usage_error("place", "--policy '%s': a placement names nodes, not positions (no =relative)",
				    policy);
		if (r < 0)
			err_nomem();
	}
	for (int i = optind; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			warn_errno(-errno, "%s", argv[i]);
			a.status = EXIT_ERROR;
		} else if (a.recursive && S_ISDIR(st.st_mode)) {
			walking = &a;
			if (nftw(argv[i], walk_one, 32, FTW_PHYS | FTW_MOUNT) < 0) {
				warn_errno(-errno, "%s: cannot walk it", argv[i]);
				a.status = EXIT_ERROR;
			}
			walking = NULL;
		} else if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
			place_error(argv[i], -EINVAL, clear);
			a.status = EXIT_ERROR;
		} else {
			/* A link named on the command line stands for its file, as with chmod(1). */
			place_one(&a, argv[i], S_ISDIR(st.st_mode), false, true);
		}
	}
	if (a.n_done && tell) {
		int r2 = EXIT_OK;

		/* In requests of at most 4096 paths, numamoved's limit. */
		for (size_t i = 0; i < a.n_done && r2 == EXIT_OK; i += 4096)
			r2 = client_place(a.done + i, a.n_done - i < 4096 ? a.n_done - i : 4096, policy, flags, clear);
		if (r2 == CLIENT_UNREACHABLE && !clear && a.n_done > a.n_stored)
			warnx_("numamoved is not running: nothing keeps %s after %s pages are evicted and read again%s",
			       a.n_done > 1 ? "these placements" : "this placement", a.n_done > 1 ? "their" : "its",
			       a.now ? "" : " (--now moves what is resident now)");
		else if (r2 != EXIT_OK && r2 != CLIENT_UNREACHABLE)
			a.status = front_worst_status(a.status, EXIT_ERROR);
		/* Where numamoved alone keeps them: placed only if it took them. */
		for (size_t i = 0; i < a.n_stored; i++) {
			char after[NUMAMOVE_PLACEMENT_MAX + 32];
			struct stat st;

			if (r2 != EXIT_OK) {
				warnx_("%s: cannot place it: the file system keeps no " NUMAMOVE_PLACEMENT_XATTR " attribute, "
				       "and numamoved, which keeps placements there, %s", a.stored[i],
				       r2 == CLIENT_UNREACHABLE ? "is not running" : "refused it");
				a.status = front_worst_status(a.status, EXIT_ERROR);
				continue;
			}
			placement_text(a.placement, after, sizeof(after));
			printf("%s: placement none -> %s (kept by numamoved: the file system keeps no attribute)\n",
			       a.stored[i], after);
			if (a.now && stat(a.stored[i], &st) == 0 && S_ISREG(st.st_mode))
				a.status = front_worst_status(a.status, enforce(a.stored[i], a.placement));
		}
	}
	for (size_t i = 0; i < a.n_done; i++)
		free(a.done[i]);
	free(a.done);
	for (size_t i = 0; i < a.n_stored; i++)
		free(a.stored[i]);
	free(a.stored);
	numamove_placement_free(a.placement);
	return a.status;
}
