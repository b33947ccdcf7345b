/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamove move: move all the memory of processes, shared objects or
 * cgroups to other nodes, keeping the relative placement (the i-th FROM
 * node goes to the i-th TO node). A thin layer: the options fill one
 * libnumamove request, which does the whole move and decides what is
 * refused and what is partial; this file renders its report.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "common.h"
#include "move-nodes.h"
#include "objects.h"

struct move_args {
	const char *to, *from;
	bool dry_run, force, memory_only, no_stay;
	bool with_shared, with_files, cgroup;
	const char *policy; /* --policy: a mode over the --to nodes, or a whole policy */
	unsigned int jobs, max_stall_ms;
	uint64_t rate;
	enum numamove_engine engine;
	enum { PROGRESS_AUTO, PROGRESS_TEXT, PROGRESS_JSON, PROGRESS_NONE } progress;
	struct output o;
	bool daemon, daemon_given, has_priority; /* --daemon, or NUMAMOVE_DAEMON=1: numamoved moves (client.c) */
	int priority;
	char **slurm_jobs; /* --slurm-job, each: argv's strings */
	size_t n_slurm_jobs;
	bool all_nodes; /* --all-nodes: on every node of the job, through srun */
};

/* The library's NUMAMOVE_REQUEST_F_* of the options. */
static unsigned int move_flags(const struct move_args *a)
{
	return (a->dry_run ? NUMAMOVE_REQUEST_F_DRY_RUN : 0) | (a->force ? NUMAMOVE_REQUEST_F_FORCE : 0) |
	       (a->memory_only ? NUMAMOVE_REQUEST_F_MEMORY_ONLY : 0) | (a->no_stay ? NUMAMOVE_REQUEST_F_NO_STAY : 0) |
	       (a->with_shared ? NUMAMOVE_REQUEST_F_WITH_SHARED : 0) |
	       (a->with_files ? NUMAMOVE_REQUEST_F_WITH_FILES : 0);
}

/* Where the progress of the current move is, for the terminal or --progress=json. */
struct progress {
	const struct move_args *a;
	bool tty, json, shown, started;
	uint64_t last_json_ns;
};

/* The request running, for the signal handler: numamove_request_cancel() is async-signal-safe. */
static struct numamove_request *running;

static void on_signal(int sig)
{
	(void)sig;
	numamove_request_cancel(running);
}

static void __attribute__((noreturn)) usage(void)
{
	printf("Usage:\n"
	       " %1$s move [options] --to <nodes> <pid>...\n"
	       " %1$s move [options] --to <nodes> <path>... [--shm <id>]... [--shm-key <key>]...\n"
	       " %1$s move [options] --to <nodes> --cgroup <cgroup-dir|pid>...\n"
	       " %1$s move [options] --to <nodes> --slurm-job <jobid[.step]>...\n"
	       " %1$s move [options] --to <nodes> --slurm-job <jobid> --all-nodes\n"
	       "\n"
	       "Move all the memory of each process to other NUMA nodes, keeping its relative\n"
	       "placement: the i-th node of --from goes to the i-th node of --to. First every\n"
	       "thread's memory policy and every mapping's are rebound by the same rule (bind:0\n"
	       "becomes bind:2), then the pages move, then every thread's CPU affinity follows,\n"
	       "so that new memory lands on the new nodes. Without --from the whole process\n"
	       "moves: every node it uses (memory, policies, CPUs) goes to --to, and its threads\n"
	       "end on CPUs of the --to nodes. Threads with the default policy are given\n"
	       "preferred over the --to nodes, so that the memory stays there (NUMA balancing\n"
	       "leaves it alone) and new memory goes there (undo: policy PID --set default).\n"
	       "A process's own shared memory (anonymous shared memory and memfd) moves with it,\n"
	       "whole, once for all the processes named that map it, also its pages no process\n"
	       "maps now (reached through /proc/PID/map_files: root).\n"
	       "Shared objects (SysV segments, files on tmpfs and hugetlbfs, the page cache of any\n"
	       "file) move the same way: only their resident pages, never their holes. An argument\n"
	       "of digits only is a process id; anything else is a path (./123 for a file named 123).\n"
	       "\n"
	       "Options:\n"
	       " -t, --to <nodes>      destination nodes, in order\n"
	       " -f, --from <nodes>    source nodes, in order (default: every node holding\n"
	       "                       memory of the process or object, ascending)\n"
	       "     --shm <id>        a SysV shared memory segment, by id\n"
	       "     --shm-key <key>   a SysV shared memory segment, by key (0x... or decimal)\n"
	       "     --policy <policy> objects: also set the shared policy of tmpfs files and SysV\n"
	       "                       segments, for the pages allocated later: bind, preferred\n"
	       "                       or interleave over the --to nodes, default, or a whole\n"
	       "                       policy as numamove policy --set takes it (interleave:2-3)\n"
	       "     --with-shared     processes: also move the SysV segments, tmpfs and hugetlbfs\n"
	       "                       files they map, and their anonymous shared memory and memfd\n"
	       "                       that processes not named map too\n"
	       "     --with-files      with --with-shared: also the page cache of the files they map\n"
	       " -j, --jobs <n>        move with n workers (default: the destination nodes'\n"
	       "                       CPUs, at most 64)\n"
	       "     --rate <size>/s   move at most size bytes per second (K, M, G: 64M/s)\n"
	       "     --max-stall <ms>  size each move_pages(2) call to take about ms at most,\n"
	       "                       so the process never waits longer for a page\n"
	       "     --engine <name>   batched (default: parallel batches, then a\n"
	       "                       migrate_pages(2) sweep) or kernel (migrate_pages(2)\n"
	       "                       alone: one uninterruptible call)\n"
	       "     --progress[=<how>]  text (default on a terminal), json (a JSON line on\n"
	       "                       stderr every half second), or none\n"
	       "     --dry-run         show the plan and whether it fits; move nothing\n"
	       "     --force           move even when the destinations look too small\n"
	       "     --memory-only     leave memory policies and CPU affinity alone (with\n"
	       "                       --cgroup: leave cpuset.cpus alone)\n"
	       "     --no-stay         give no policy to threads that have none: the pages\n"
	       "                       move, but NUMA balancing and first touch may undo it\n"
	       "     --cgroup          take the cgroup route: each operand is a cgroup v2\n"
	       "                       directory, or a pid standing for its group; rewrite the\n"
	       "                       group's cpuset.mems and cpuset.cpus, and let the kernel\n"
	       "                       rebind the policies and migrate the memory of every\n"
	       "                       process in it\n"
	       "     --slurm-job <jobid[.step]>  a Slurm job (or one step of it: a number,\n"
	       "                       batch, extern or interactive) running on this node,\n"
	       "                       moved by the cgroup route as its cgroup v2 group, all\n"
	       "                       its steps with it; may be given more than once\n"
	       "     --all-nodes       with --slurm-job JOBID: on every node of the job at once,\n"
	       "                       one srun step in its allocation, a task on each node\n"
	       "                       (Slurm lets only the job's owner start one; the tasks\n"
	       "                       move as the owner, through numamoved: move-other;\n"
	       "                       root's move has them carry root's MUNGE credential);\n"
	       "                       one summary of every node's report\n"
	       "     --daemon          send the request to numamoved, the batch manager, and\n"
	       "                       follow the job: the same output and exit status\n"
	       "                       (default with NUMAMOVE_DAEMON=1)\n"
	       "     --no-daemon       move here, whatever NUMAMOVE_DAEMON says\n"
	       "     --priority <n>    with --daemon: -20..19 as nice, lower runs first\n"
	       "                       (default 0; below 0 needs numamoved's manage action)\n"
	       , program_name);
	output_usage(false);
	printf("\n"
	       "Nodes: a list such as 0-3,5 (order kept), 'all', '!LIST' (the process's allowed\n"
	       "nodes not in LIST), '+LIST' (positions among the process's allowed nodes). For\n"
	       "objects, the allowed nodes are numamove's own.\n"
	       "\n"
	       "Exit status: 0 all moved, 1 error, 2 bad usage, 3 some pages not moved or some\n"
	       "policies not rebound. With --daemon, the job's, or 1 when numamoved cannot be\n"
	       "reached or refuses the request. With --all-nodes, the worst of the nodes'; 1\n"
	       "when Slurm starts no step (no such job, not its owner, pending) or srun is not\n"
	       "installed.\n");
	exit(EXIT_OK);
}


static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The style of numamove's output, from its options. */
static struct front_style style_of(const struct move_args *a)
{
	return (struct front_style){
		.json = a->o.json,
		.raw = a->o.raw,
		.noheadings = a->o.noheadings,
		.bytes = a->o.bytes,
		.timing = a->max_stall_ms || a->rate,
		.prefix = program_name,
	};
}

static void on_event(const struct numamove_report *rep, const struct numamove_event *ev, void *userdata)
{
	struct progress *p = userdata;
	struct front_style s = style_of(p->a);
	char label[4200];

	if (!p->started) {
		/* The request's own notes (NUMA balancing) come first. */
		p->started = true;
		front_move_request_notes(stderr, &s, rep);
	}
	switch (ev->phase) {
	case NUMAMOVE_PHASE_MOVE:
		if (p->json && now_ns() - p->last_json_ns >= 500000000ULL) {
			p->last_json_ns = now_ns();
			front_progress_json(stderr, front_label(rep, ev->target, label, sizeof(label)), ev);
		} else if (p->tty && ev->elapsed_ns >= 1000000000ULL) {
			/* Only for moves that take more than a second. */
			front_progress_text(stderr, program_name, front_label(rep, ev->target, label, sizeof(label)), ev);
			p->shown = true;
		}
		break;
	case NUMAMOVE_PHASE_MOVED:
		if (p->shown)
			fputc('\n', stderr);
		p->shown = false;
		if (p->json)
			front_progress_json(stderr, front_label(rep, ev->target, label, sizeof(label)), ev);
		break;
	case NUMAMOVE_PHASE_DONE:
		front_move_target(stdout, stderr, &s, rep, ev->target);
		break;
	default:
		break;
	}
}

/* A whole number in [min, max] for @opt; a usage error otherwise. */
static unsigned int parse_count(const char *opt, const char *text, unsigned int min, unsigned int max)
{
	uint64_t v;

	if (parse_size(text, &v, false) < 0 || v < min || v > max)
		usage_error("move", "%s: '%s' is not a number from %u to %u", opt, text, min, max);
	return (unsigned int)v;
}

/* --rate 64M/s: a size per second ("/s" optional); a usage error otherwise. */
static uint64_t parse_rate(const char *text)
{
	char buf[64];
	size_t len = strlen(text);
	uint64_t v;

	if (len >= 2 && strcmp(text + len - 2, "/s") == 0)
		len -= 2;
	if (len == 0 || len >= sizeof(buf))
		usage_error("move", "--rate: '%s' is not a size per second (such as 64M/s)", text);
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (parse_size(buf, &v, true) < 0 || v == 0)
		usage_error("move", "--rate: '%s' is not a size per second (such as 64M/s)", text);
	/* numamoved's limit too (its option rate is a signed 64-bit count). */
	if (v > INT64_MAX)
		usage_error("move", "--rate: '%s' is more than 8E/s", text);
	return v;
}

/* Adds the operands to the request: pids, paths, SysV segments, or with --cgroup groups; Slurm jobs. */
static void add_targets(struct numamove_request *req, const struct move_args *a, const struct targets *targets,
			int argc, char **argv, int first)
{
	int r = 0;

	for (size_t i = 0; i < a->n_slurm_jobs; i++) {
		r = numamove_request_add_slurm_job(req, a->slurm_jobs[i]);
		if (r == -EINVAL)
			usage_error("move", "--slurm-job: '%s' is not JOBID or JOBID.STEP (STEP: a number, batch, "
				    "extern or interactive)", a->slurm_jobs[i]);
		if (r == -ENOENT) {
			warnx_("slurm job %s: no such job on this node", a->slurm_jobs[i]);
			exit(EXIT_ERROR);
		}
		if (r == -ENOMEM)
			err_nomem();
		if (r < 0) {
			warn_errno(r, "slurm job %s", a->slurm_jobs[i]);
			exit(EXIT_ERROR);
		}
	}

	for (int i = first; a->cgroup && r == 0 && i < argc; i++)
		r = arg_is_pid(argv[i]) ? numamove_request_add_cgroup_of(req, parse_pid_arg("move", argv[i]))
					: numamove_request_add_cgroup(req, argv[i]);
	for (size_t i = 0; r == 0 && i < targets->n_pids; i++)
		r = numamove_request_add_pid(req, parse_pid_arg("move", targets->pids[i]));
	for (size_t i = 0; r == 0 && i < targets->n_objs; i++) {
		const struct objspec *s = &targets->objs[i];

		r = s->kind == SPEC_PATH ? numamove_request_add_path(req, s->text)
					 : numamove_request_add_shm(req, s->value, s->kind == SPEC_SHM_KEY);
	}
	if (r == -ENOMEM)
		err_nomem();
	if (r < 0)
		usage_error("move", "these operands do not go with these options: %s", strerror(-r));
}

int cmd_move(int argc, char **argv)
{
	enum { OPT_DRY_RUN = 256, OPT_FORCE, OPT_MEMORY_ONLY, OPT_SHM, OPT_SHM_KEY, OPT_POLICY, OPT_WITH_SHARED,
	       OPT_WITH_FILES, OPT_CGROUP, OPT_RATE, OPT_MAX_STALL, OPT_ENGINE, OPT_PROGRESS, OPT_NO_STAY,
	       OPT_DAEMON, OPT_NO_DAEMON, OPT_PRIORITY, OPT_SLURM_JOB, OPT_ALL_NODES };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "shm", required_argument, NULL, OPT_SHM },
		{ "shm-key", required_argument, NULL, OPT_SHM_KEY },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "with-shared", no_argument, NULL, OPT_WITH_SHARED },
		{ "with-files", no_argument, NULL, OPT_WITH_FILES },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "memory-only", no_argument, NULL, OPT_MEMORY_ONLY },
		{ "no-stay", no_argument, NULL, OPT_NO_STAY },
		{ "cgroup", no_argument, NULL, OPT_CGROUP },
		{ "slurm-job", required_argument, NULL, OPT_SLURM_JOB },
		{ "all-nodes", no_argument, NULL, OPT_ALL_NODES },
		{ "jobs", required_argument, NULL, 'j' },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "max-stall", required_argument, NULL, OPT_MAX_STALL },
		{ "engine", required_argument, NULL, OPT_ENGINE },
		{ "progress", optional_argument, NULL, OPT_PROGRESS },
		{ "daemon", no_argument, NULL, OPT_DAEMON },
		{ "no-daemon", no_argument, NULL, OPT_NO_DAEMON },
		{ "priority", required_argument, NULL, OPT_PRIORITY },
		{ "json", no_argument, NULL, 'J' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "raw", no_argument, NULL, 'r' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct move_args a = { 0 };
	struct targets targets = { 0 };
	struct numamove_request *req = NULL;
	struct numamove_request_opts ropts;
	enum numamove_request_conflict why;
	struct numamove_report *rep = NULL;
	struct progress prog = { .a = &a };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	int c, r, which = 0, bad = 0, status;
	/* What --all-nodes does not forward to the nodes: itself, --progress (argv's own strings). */
	const char **unforwarded = calloc((size_t)argc + 1, sizeof(*unforwarded));
	size_t n_unforwarded = 0;

	/* On a node of numamove move --all-nodes's step: the move there, as a record. */
	if (argc > 1 && strcmp(argv[1], "--all-nodes-task") == 0)
		return move_node_task(argc, argv, cmd_move);
	if (!unforwarded)
		err_nomem();
	while ((c = getopt_long(argc, argv, "t:f:j:JnrbVh", longopts, NULL)) != -1) {
		switch (c) {
		case 't': a.to = optarg; break;
		case 'f': a.from = optarg; break;
		case OPT_SHM: targets_add_shm("move", &targets, optarg, false); break;
		case OPT_SHM_KEY: targets_add_shm("move", &targets, optarg, true); break;
		case OPT_POLICY: a.policy = optarg; break;
		case OPT_WITH_SHARED: a.with_shared = true; break;
		case OPT_WITH_FILES: a.with_files = true; break;
		case OPT_DRY_RUN: a.dry_run = true; break;
		case OPT_FORCE: a.force = true; break;
		case OPT_MEMORY_ONLY: a.memory_only = true; break;
		case OPT_NO_STAY: a.no_stay = true; break;
		case OPT_CGROUP: a.cgroup = true; break;
		case OPT_SLURM_JOB:
			a.slurm_jobs = realloc(a.slurm_jobs, (a.n_slurm_jobs + 1) * sizeof(*a.slurm_jobs));
			if (!a.slurm_jobs)
				err_nomem();
			a.slurm_jobs[a.n_slurm_jobs++] = optarg;
			break;
		case OPT_ALL_NODES:
			a.all_nodes = true;
			unforwarded[n_unforwarded++] = argv[optind - 1];
			break;
		case 'j': a.jobs = parse_count("--jobs", optarg, 1, NUMAMOVE_JOBS_MAX); break;
		case OPT_RATE: a.rate = parse_rate(optarg); break;
		case OPT_MAX_STALL: a.max_stall_ms = parse_count("--max-stall", optarg, 1, 60000); break;
		case OPT_ENGINE:
			if (strcmp(optarg, "batched") == 0)
				a.engine = NUMAMOVE_ENGINE_BATCHED;
			else if (strcmp(optarg, "kernel") == 0)
				a.engine = NUMAMOVE_ENGINE_KERNEL;
			else
				usage_error("move", "--engine: '%s' is not an engine (batched or kernel)", optarg);
			break;
		case OPT_PROGRESS:
			unforwarded[n_unforwarded++] = argv[optind - 1];
			if (!optarg || strcmp(optarg, "text") == 0)
				a.progress = PROGRESS_TEXT;
			else if (strcmp(optarg, "json") == 0)
				a.progress = PROGRESS_JSON;
			else if (strcmp(optarg, "none") == 0)
				a.progress = PROGRESS_NONE;
			else
				usage_error("move", "--progress: '%s' is not text, json or none", optarg);
			break;
		case OPT_DAEMON:
		case OPT_NO_DAEMON:
			a.daemon = c == OPT_DAEMON;
			a.daemon_given = true;
			break;
		case OPT_PRIORITY: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (end == optarg || *end || v < -20 || v > 19)
				usage_error("move", "--priority: '%s' is not a number from -20 to 19", optarg);
			a.priority = (int)v;
			a.has_priority = true;
			break;
		}
		case 'h': usage();
		/* -o and --output-all are not in this command's options. */
		default:
			if (!output_option(&a.o, c, optarg))
				try_help("move");
		}
	}
	if (!a.daemon_given)
		a.daemon = client_daemon_default("move");
	if (!a.to)
		usage_error("move", "--to is required");
	if (a.all_nodes) {
		char **fwd = calloc((size_t)argc + 2, sizeof(*fwd)), *path = NULL;
		size_t n_fwd = 0;

		if (a.n_slurm_jobs != 1 || a.cgroup || optind < argc)
			usage_error("move", "--all-nodes moves one whole Slurm job: --slurm-job JOBID, no other operands");
		if (strchr(a.slurm_jobs[0], '.'))
			usage_error("move", "--all-nodes moves a whole job, on all its nodes: '%s' is a step (JOBID.STEP)",
				    a.slurm_jobs[0]);
		/* The library's rule for ids; where the job is does not matter here (this node may have none of it). */
		if (numamove_slurm_cgroup(a.slurm_jobs[0], NULL, &path) == -EINVAL)
			usage_error("move", "--slurm-job: '%s' is not JOBID or JOBID.STEP (STEP: a number, batch, "
				    "extern or interactive)", a.slurm_jobs[0]);
		free(path);
		if (!fwd)
			err_nomem();
		for (int i = 1; i < argc; i++) {
			bool skip = false;

			for (size_t k = 0; k < n_unforwarded; k++)
				skip |= argv[i] == unforwarded[k];
			if (!skip)
				fwd[n_fwd++] = argv[i];
		}
		/* Anyone but root moves through numamoved there, as here (root's step in a user's job too: move-nodes.c). */
		if (!a.daemon_given && geteuid() != 0)
			fwd[n_fwd++] = (char *)"--daemon";
		status = move_all_nodes(a.slurm_jobs[0], fwd, n_fwd, &(struct front_move_terms){
			.job = a.slurm_jobs[0], .to = a.to, .from = a.from, .policy = a.policy,
			.flags = move_flags(&a), .engine = a.engine, .jobs = a.jobs,
			.max_stall_ms = a.max_stall_ms, .rate = a.rate, .priority = a.has_priority ? a.priority : 0,
		}, &(struct front_style){
			.json = a.o.json, .raw = a.o.raw, .noheadings = a.o.noheadings, .bytes = a.o.bytes,
			.prefix = program_name });
		free(fwd);
		free(unforwarded);
		free(a.slurm_jobs);
		return status;
	}
	free(unforwarded);
	if (a.cgroup) {
		if (optind >= argc && !a.n_slurm_jobs)
			usage_error("move", "no cgroup or process id given");
	} else {
		targets_add_args("move", &targets, argc, argv, optind);
		if (!targets.n_pids && !targets.n_objs && !a.n_slurm_jobs)
			usage_error("move", "no process id or object given");
	}
	if (a.n_slurm_jobs && (targets.n_pids || targets.n_objs))
		usage_error("move", "--slurm-job moves whole groups: other operands go with --cgroup (cgroup "
			    "directories, or pids standing for their groups)");
	/* Which options go together with which targets is the library's rule; the words are the front's. */
	ropts = (struct numamove_request_opts){
		.sz = sizeof(struct numamove_request_opts),
		.flags = move_flags(&a),
		.engine = (int)a.engine,
		.jobs = a.jobs,
		.rate = a.rate,
		.max_stall_ms = a.max_stall_ms,
		.event = on_event,
		.event_userdata = &prog,
	};
	if (numamove_request_check(&ropts, NUMAMOVE_REQUEST_CHECK_TARGETS |
				   (targets.n_pids ? NUMAMOVE_REQUEST_CHECK_PROCESSES : 0) |
				   (targets.n_objs ? NUMAMOVE_REQUEST_CHECK_OBJECTS : 0) |
				   (a.cgroup || a.n_slurm_jobs ? NUMAMOVE_REQUEST_CHECK_CGROUPS : 0) |
				   (a.policy ? NUMAMOVE_REQUEST_CHECK_POLICY : 0), &why) < 0 &&
	    front_request_conflict(why, FRONT_VOICE_COMMAND))
		usage_error("move", "%s", front_request_conflict(why, FRONT_VOICE_COMMAND));
	if (a.cgroup)
		for (int i = optind; i < argc; i++)
			if (arg_is_pid(argv[i]))
				parse_pid_arg("move", argv[i]);
	if (a.has_priority && !a.daemon)
		usage_error("move", "--priority is numamoved's: it goes with --daemon");

	prog.json = a.progress == PROGRESS_JSON;
	prog.tty = a.progress == PROGRESS_TEXT || (a.progress == PROGRESS_AUTO && isatty(STDERR_FILENO) && !a.o.json);
	r = numamove_request_new(NUMAMOVE_ACTION_MOVE, &ropts, &req);
	if (r < 0) {
		warn_errno(r, "cannot make the request");
		return EXIT_ERROR;
	}
	/* Syntax and unknown nodes are usage errors, found before anything moves. */
	r = numamove_request_set_nodes(req, a.to, a.from, &which, &bad);
	if (r < 0) {
		struct numamove_topology *topo = topology_load_checked();
		char msg[512];

		if (!topo)
			return EXIT_ERROR;
		/* One line, as for any node that does not resolve for a target (exit 2). */
		warnx_("%s", front_nodes_error(which ? "--from" : "--to", which ? a.from : a.to, r, bad,
						numamove_topology_nodes(topo), msg, sizeof(msg)));
		exit(EXIT_USAGE);
	}
	if (a.policy && numamove_request_set_policy(req, a.policy, NULL) < 0)
		usage_error("move", "--policy: invalid policy '%s' (bind, preferred, interleave, default, or "
			    "MODE[=FLAG][:NODES] as numamove policy --set takes it)", a.policy);
	add_targets(req, &a, &targets, argc, argv, optind);
	if (a.daemon) {
		/* The same request, checked the same way, moved by numamoved. */
		numamove_request_free(req);
		status = client_move(&(struct client_move){
			.to = a.to, .from = a.from, .policy = a.policy,
			.dry_run = a.dry_run, .force = a.force, .memory_only = a.memory_only, .no_stay = a.no_stay,
			.with_shared = a.with_shared, .with_files = a.with_files,
			.jobs = a.jobs, .max_stall_ms = a.max_stall_ms, .rate = a.rate,
			.engine = a.engine == NUMAMOVE_ENGINE_KERNEL ? "kernel" : NULL,
			.has_priority = a.has_priority, .priority = a.priority,
			.progress_text = prog.tty, .progress_json = prog.json, .o = &a.o,
			.targets = &targets, .cgroup = a.cgroup, .operands = argv + optind,
			.n_operands = (size_t)(argc - optind),
			.slurm_jobs = a.slurm_jobs, .n_slurm_jobs = a.n_slurm_jobs,
			.credential = move_slurm_credential,
		});
		targets_free(&targets);
		free(a.slurm_jobs);
		return status;
	}
	targets_free(&targets);
	free(a.slurm_jobs);

	/* Interrupted, stop between two steps and report; the target is never left stopped. */
	running = req;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	r = numamove_request_run(req, &rep);
	running = NULL;
	if (r < 0) {
		warn_errno(r, "cannot move");
		numamove_request_free(req);
		return EXIT_ERROR;
	}
	if (a.o.json && front_move_json(stdout, rep, a.o.bytes) < 0)
		err_nomem();
	if (move_record_fd >= 0) {
		/* In numamove move --all-nodes's step: what moved here, for the summary. */
		FILE *f = fdopen(move_record_fd, "w");

		if (!f)
			err_nomem();
		front_node_record(f, rep);
		fclose(f);
	}
	status = front_exit_status(numamove_report_worst(rep));
	numamove_report_free(rep);
	numamove_request_free(req);
	return status;
}
