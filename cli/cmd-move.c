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

#include "commands.h"
#include "common.h"
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
};

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
	       , program_name);
	output_usage(false);
	printf("\n"
	       "Nodes: a list such as 0-3,5 (order kept), 'all', '!LIST' (the process's allowed\n"
	       "nodes not in LIST), '+LIST' (positions among the process's allowed nodes). For\n"
	       "objects, the allowed nodes are numamove's own.\n"
	       "\n"
	       "Exit status: 0 all moved, 1 error, 2 bad usage, 3 some pages not moved or some\n"
	       "policies not rebound.\n");
	exit(EXIT_OK);
}


static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One line of --progress=json: where the move of one process or object is. */
static void print_progress_json(const struct numamove_report *rep, const struct numamove_event *ev)
{
	bool finished = ev->phase == NUMAMOVE_PHASE_MOVED;
	char label[4200];

	fputs("{\"subject\": ", stderr);
	json_string(stderr, front_label(rep, ev->target, label, sizeof(label)));
	fprintf(stderr, ", \"bytes_done\": %" PRIu64 ", \"bytes_total\": %" PRIu64 ", \"elapsed_s\": %.3f, "
		"\"rate_bytes_s\": %" PRIu64 ", \"eta_s\": %.3f, \"finished\": %s", ev->bytes_done, ev->bytes_total,
		(double)ev->elapsed_ns / 1e9, ev->rate, (double)ev->eta_ns / 1e9, finished ? "true" : "false");
	if (finished)
		fprintf(stderr, ", \"max_call_ms\": %.3f", (double)ev->max_call_ns / 1e6);
	fputs("}\n", stderr);
	fflush(stderr);
}

/* A line on a terminal, rewritten in place, for moves that take more than a second. */
static void print_progress_text(struct progress *p, const struct numamove_report *rep,
				const struct numamove_event *ev)
{
	char label[4200], a[32], b[32], r[32];

	if (ev->elapsed_ns < 1000000000ULL)
		return;
	fprintf(stderr, "\r%s: moving %s: %s of %s, %s/s", program_name, front_label(rep, ev->target, label, sizeof(label)),
		size_to_human(ev->bytes_done, a, sizeof(a)), size_to_human(ev->bytes_total, b, sizeof(b)),
		size_to_human(ev->rate, r, sizeof(r)));
	if (ev->eta_ns)
		fprintf(stderr, ", %.0f s left   ", (double)ev->eta_ns / 1e9);
	else
		fputs("            ", stderr);
	p->shown = true;
}

static void print_target(const struct move_args *a, const struct numamove_report *rep, size_t i);

static void print_message(const char *line, void *userdata)
{
	(void)userdata;
	warnx_("%s", line);
}

static void on_event(const struct numamove_report *rep, const struct numamove_event *ev, void *userdata)
{
	struct progress *p = userdata;

	if (!p->started) {
		/* The request's own notes (NUMA balancing) come first. */
		p->started = true;
		front_each_message(rep, NUMAMOVE_REPORT_REQUEST, print_message, NULL);
	}
	switch (ev->phase) {
	case NUMAMOVE_PHASE_MOVE:
		if (p->json && now_ns() - p->last_json_ns >= 500000000ULL) {
			p->last_json_ns = now_ns();
			print_progress_json(rep, ev);
		} else if (p->tty) {
			print_progress_text(p, rep, ev);
		}
		break;
	case NUMAMOVE_PHASE_MOVED:
		if (p->shown)
			fputc('\n', stderr);
		p->shown = false;
		if (p->json)
			print_progress_json(rep, ev);
		break;
	case NUMAMOVE_PHASE_DONE:
		print_target(p->a, rep, ev->target);
		break;
	default:
		break;
	}
}

/* NODE BEFORE AFTER, one row per node that had or has memory of target @i. */
static void print_node_table(const struct output *o, const struct numamove_report *rep, size_t i)
{
	const struct numamove_nodelist *nodes = numamove_report_nodes(rep);
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		err_nomem();
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_noheadings(tb, o->noheadings);
	scols_table_new_column(tb, "NODE", 4, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "BEFORE", 6, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "AFTER", 6, SCOLS_FL_RIGHT);
	for (size_t k = 0; k < numamove_nodelist_count(nodes); k++) {
		int node = numamove_nodelist_get(nodes, k);
		uint64_t b = numamove_report_bytes_before(rep, i, node), f = numamove_report_bytes_after(rep, i, node);
		struct libscols_line *ln;

		if (!b && !f)
			continue;
		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			err_nomem();
		cell_printf(ln, 0, "%d", node);
		cell_size(ln, 1, o, b);
		if (numamove_report_has_after(rep, i))
			cell_size(ln, 2, o, f);
		else
			cell_printf(ln, 2, "?");
	}
	table_print(tb);
}

/* The nodes a whole-process move takes that hold none of its memory: where their policies and CPUs go. */
static void print_plan_extra(const struct numamove_plan *plan, const char *label)
{
	const struct numamove_nodelist *extra = numamove_plan_extra(plan);
	struct numamove_nodelist *to = NULL;
	char f[256], t[256];

	if (!extra || !numamove_nodelist_count(extra) || numamove_plan_map_nodes(plan, extra, &to) < 0)
		return;
	numamove_nodelist_format(extra, f, sizeof(f));
	numamove_nodelist_format(to, t, sizeof(t));
	printf("%s: nodes it uses without memory there (policies, CPUs): %s -> %s\n", label, f, t);
	numamove_nodelist_free(to);
}

/* --dry-run: FROM TO SIZE DEST-FREE FITS, as the real move would check it. */
static void print_plan(const struct move_args *a, const struct numamove_report *rep, size_t i, const char *label)
{
	const struct numamove_plan *plan = numamove_report_plan(rep, i);
	const struct numamove_nodelist *from = numamove_plan_from(plan);
	struct libscols_table *tb = scols_new_table();
	struct numamove_topology *topo = topology_load_checked();
	char x[32];

	if (!tb)
		err_nomem();
	printf("%s: plan, nothing moved:\n", label);
	scols_table_enable_raw(tb, a->o.raw);
	scols_table_enable_noheadings(tb, a->o.noheadings);
	scols_table_new_column(tb, "FROM", 4, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "TO", 4, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "SIZE", 6, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "DEST-FREE", 6, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "FITS", 4, 0);
	for (size_t k = 0; k < numamove_nodelist_count(from); k++) {
		int src = numamove_nodelist_get(from, k), dst = numamove_plan_dest(plan, src);
		struct libscols_line *ln;

		if (dst < 0)
			continue;
		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			err_nomem();
		cell_printf(ln, 0, "%d", src);
		cell_printf(ln, 1, "%d", dst);
		cell_size(ln, 2, &a->o, numamove_plan_bytes(plan, src, dst));
		cell_size(ln, 3, &a->o, topo ? numamove_node_mem_free(topo, dst) : 0);
		cell_printf(ln, 4, "%s", numamove_report_fits(rep, i, dst, NULL) == 0 ? "yes" : "no");
	}
	table_print(tb);
	numamove_topology_free(topo);
	printf("total: %s\n", size_text(&a->o, numamove_plan_bytes(plan, -1, -1), x, sizeof(x)));
	print_plan_extra(plan, label);
}

/*
 * What the rebinding did (or, for a dry run, would do), in lines like
 * those of the CPU affinity: threads with the same change counted together.
 */
static void print_rebind(const struct numamove_policy_report *rep, const char *label, bool failures_only)
{
	struct front_group groups[16];
	size_t n_groups = 0;
	bool planned = false;

	for (size_t k = 0; k < numamove_policy_report_count(rep); k++) {
		enum numamove_policy_status st = numamove_policy_report_status(rep, k);
		pid_t tid = numamove_policy_report_tid(rep, k);
		char *b, *f;

		planned = st == NUMAMOVE_POLICY_STATUS_PLANNED;
		if (failures_only && st != NUMAMOVE_POLICY_STATUS_FAILED)
			continue;
		b = front_policy_text_alloc(numamove_policy_report_before(rep, k));
		f = front_policy_text_alloc(numamove_policy_report_after(rep, k));
		if (!b || !f)
			err_nomem();
		switch (st) {
		case NUMAMOVE_POLICY_STATUS_CHANGED:
		case NUMAMOVE_POLICY_STATUS_PLANNED:
			if (tid && !front_group_add(groups, &n_groups, 16, b, f))
				printf("%s: thread %d: %stask policy %s -> %s\n", label, (int)tid,
				       planned ? "would rebind the " : "", b, f);
			else if (!tid)
				printf("%s: %spolicy of mapping %" PRIx64 "-%" PRIx64 ": %s -> %s\n", label,
				       planned ? "would rebind the " : "", numamove_policy_report_start(rep, k),
				       numamove_policy_report_end(rep, k), b, f);
			break;
		case NUMAMOVE_POLICY_STATUS_FAILED:
			if (tid)
				warn_errno(numamove_policy_report_error(rep, k), "%s: thread %d: cannot rebind its policy "
					   "(%s -> %s)", label, (int)tid, b, f);
			else
				warn_errno(numamove_policy_report_error(rep, k), "%s: mapping %" PRIx64 ": cannot rebind its "
					   "policy (%s -> %s)", label, numamove_policy_report_start(rep, k), b, f);
			break;
		case NUMAMOVE_POLICY_STATUS_SKIPPED:
			printf("%s: mapping %" PRIx64 ": a shared object's policy (%s), left as it is\n", label,
			       numamove_policy_report_start(rep, k), b);
			break;
		default:
			break;
		}
		free(b);
		free(f);
	}
	for (size_t k = 0; k < n_groups; k++)
		printf("%s: %stask policy of %zu thread%s: %s -> %s\n", label, planned ? "would rebind the " : "",
		       groups[k].n, groups[k].n == 1 ? "" : "s", groups[k].before, groups[k].after);
	front_groups_free(groups, n_groups);
}

/* The CPU affinity changes: threads with the same change counted together. */
static void print_affinity(const struct numamove_affinity *aff, const char *label)
{
	struct front_group groups[16];
	size_t n_groups = 0;

	if (!front_affinity_groups(aff, groups, &n_groups, 16)) {
		/* Too many different changes to group: one line each. */
		front_groups_free(groups, n_groups);
		n_groups = 0;
		for (size_t k = 0; k < numamove_affinity_count(aff); k++)
			if (numamove_affinity_status(aff, k) == NUMAMOVE_AFFINITY_SET)
				printf("%s: thread %d: CPU affinity %s -> %s\n", label, (int)numamove_affinity_tid(aff, k),
				       numamove_affinity_cpus_before(aff, k), numamove_affinity_cpus_after(aff, k));
	}
	for (size_t k = 0; k < n_groups; k++)
		printf("%s: CPU affinity of %zu thread%s: %s -> %s\n", label, groups[k].n, groups[k].n == 1 ? "" : "s",
		       groups[k].before, groups[k].after);
	front_groups_free(groups, n_groups);
}

/* What moved, per node, and every page left with its reason: renice's "old -> new". */
static void print_moved(const struct move_args *a, const struct numamove_report *rep, size_t i, const char *label)
{
	const struct numamove_result *res = numamove_report_result(rep, i);
	char m[32], l[32];

	printf("%s: moved %s", label, size_text(&a->o, numamove_result_bytes_moved(res), m, sizeof(m)));
	if (numamove_result_sweep_bytes(res))
		printf(" (and %s faulted in meanwhile, by the final sweep)",
		       size_text(&a->o, numamove_result_sweep_bytes(res), m, sizeof(m)));
	printf(", %" PRIu64 " pages (%s) not moved\n", numamove_result_pages_left(res, -1),
	       size_text(&a->o, numamove_result_bytes_left(res, -1), l, sizeof(l)));
	if (a->max_stall_ms || a->rate)
		printf("%s: the longest of %" PRIu64 " calls took %.1f ms\n", label, numamove_result_calls(res),
		       (double)numamove_result_max_call_ns(res) / 1e6);
	print_node_table(&a->o, rep, i);
	for (int r = 0; numamove_reason_text(r); r++) {
		uint64_t n = numamove_result_pages_left(res, r);

		if (n)
			printf("%s: %" PRIu64 " pages (%s) not moved: %s\n", label, n,
			       size_text(&a->o, numamove_result_bytes_left(res, r), l, sizeof(l)), numamove_reason_text(r));
	}
}

static void print_cgroup(const struct move_args *a, const struct numamove_report *rep, size_t i, const char *label)
{
	size_t n = numamove_report_cgroup_procs(rep, i);
	char o[256] = "?", m[256] = "?", x[32];

	if (numamove_report_mems_before(rep, i))
		numamove_nodelist_format(numamove_report_mems_before(rep, i), o, sizeof(o));
	if (numamove_report_mems_after(rep, i))
		numamove_nodelist_format(numamove_report_mems_after(rep, i), m, sizeof(m));
	if (numamove_report_outcome(rep, i) == NUMAMOVE_OUTCOME_PLANNED) {
		printf("%s (%zu process%s): would set cpuset.mems %s -> %s; nothing moved\n", label, n,
		       n == 1 ? "" : "es", o, m);
		return;
	}
	printf("%s (%zu process%s): cpuset.mems %s -> %s; the kernel moved %s", label, n, n == 1 ? "" : "es", o, m,
	       size_text(&a->o, numamove_report_bytes_moved(rep, i), x, sizeof(x)));
	printf(", %s stays on nodes outside cpuset.mems\n", size_text(&a->o, numamove_report_bytes_left(rep, i), x, sizeof(x)));
	print_node_table(&a->o, rep, i);
}

/* Target @i, once it is done: its results on stdout (none with -J), its diagnostics on stderr. */
static void print_target(const struct move_args *a, const struct numamove_report *rep, size_t i)
{
	enum numamove_outcome outcome = numamove_report_outcome(rep, i);
	bool done = outcome == NUMAMOVE_OUTCOME_DONE || outcome == NUMAMOVE_OUTCOME_PARTIAL;
	char label[4200];

	front_label(rep, i, label, sizeof(label));
	if (!a->o.json && numamove_report_kind(rep, i) == NUMAMOVE_TARGET_CGROUP) {
		if (done || outcome == NUMAMOVE_OUTCOME_PLANNED)
			print_cgroup(a, rep, i, label);
	} else if (!a->o.json && outcome == NUMAMOVE_OUTCOME_PLANNED) {
		print_plan(a, rep, i, label);
		if (numamove_report_rebind(rep, i))
			print_rebind(numamove_report_rebind(rep, i), label, false);
	} else if (numamove_report_rebind(rep, i)) {
		/* Policies rebound stay rebound, whatever happened to the pages after. */
		print_rebind(numamove_report_rebind(rep, i), label, a->o.json);
	}
	/* A process's shared memory left without a move (out of reach, shared outside) has no result. */
	if (!a->o.json && done && numamove_report_kind(rep, i) != NUMAMOVE_TARGET_CGROUP && numamove_report_result(rep, i)) {
		print_moved(a, rep, i, label);
		if (numamove_report_policy_after(rep, i))
			printf("%s: policy %s -> %s\n", label,
			       numamove_report_policy_before(rep, i) ? numamove_report_policy_before(rep, i) : "?",
			       numamove_report_policy_after(rep, i));
		if (numamove_report_affinity(rep, i))
			print_affinity(numamove_report_affinity(rep, i), label);
	}
	front_each_message(rep, i, print_message, NULL);
	fflush(stdout);
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
	return v;
}

/* Adds the operands to the request: pids, paths, SysV segments, or with --cgroup groups. */
static void add_targets(struct numamove_request *req, const struct move_args *a, const struct targets *targets,
			int argc, char **argv, int first)
{
	int r = 0;

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
	       OPT_WITH_FILES, OPT_CGROUP, OPT_RATE, OPT_MAX_STALL, OPT_ENGINE, OPT_PROGRESS, OPT_NO_STAY };
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
		{ "jobs", required_argument, NULL, 'j' },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "max-stall", required_argument, NULL, OPT_MAX_STALL },
		{ "engine", required_argument, NULL, OPT_ENGINE },
		{ "progress", optional_argument, NULL, OPT_PROGRESS },
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
	struct numamove_report *rep = NULL;
	struct progress prog = { .a = &a };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	int c, r, which = 0, bad = 0, status;

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
			if (!optarg || strcmp(optarg, "text") == 0)
				a.progress = PROGRESS_TEXT;
			else if (strcmp(optarg, "json") == 0)
				a.progress = PROGRESS_JSON;
			else if (strcmp(optarg, "none") == 0)
				a.progress = PROGRESS_NONE;
			else
				usage_error("move", "--progress: '%s' is not text, json or none", optarg);
			break;
		case 'h': usage();
		/* -o and --output-all are not in this command's options. */
		default:
			if (!output_option(&a.o, c, optarg))
				try_help("move");
		}
	}
	if (!a.to)
		usage_error("move", "--to is required");
	if (a.cgroup) {
		if (optind >= argc)
			usage_error("move", "no cgroup or process id given");
		if (targets.n_objs || a.with_shared || a.policy)
			usage_error("move", "--cgroup moves whole groups: it takes no --shm, --with-shared or --policy");
		for (int i = optind; i < argc; i++)
			if (arg_is_pid(argv[i]))
				parse_pid_arg("move", argv[i]);
	} else {
		targets_add_args("move", &targets, argc, argv, optind);
		if (!targets.n_pids && !targets.n_objs)
			usage_error("move", "no process id or object given");
	}
	if (a.with_files && !a.with_shared)
		usage_error("move", "--with-files goes with --with-shared");
	if (a.no_stay && (a.memory_only || a.cgroup))
		usage_error("move", "--no-stay is about the policies a move sets: not with --memory-only or --cgroup");
	if (a.with_shared && !targets.n_pids)
		usage_error("move", "--with-shared is for processes: it moves the objects they map");
	if (a.engine == NUMAMOVE_ENGINE_KERNEL && (a.jobs || a.rate || a.max_stall_ms))
		usage_error("move", "--engine=kernel is one migrate_pages(2) call: no --jobs, --rate or --max-stall");
	if (a.engine == NUMAMOVE_ENGINE_KERNEL && (targets.n_objs || a.with_shared))
		usage_error("move", "--engine=kernel moves processes only");
	if (a.policy && !targets.n_objs && !a.with_shared)
		usage_error("move", "--policy sets the shared policy of objects (paths, --shm, --with-shared)");

	prog.json = a.progress == PROGRESS_JSON;
	prog.tty = a.progress == PROGRESS_TEXT || (a.progress == PROGRESS_AUTO && isatty(STDERR_FILENO) && !a.o.json);
	r = numamove_request_new(NUMAMOVE_ACTION_MOVE, &(struct numamove_request_opts){
		.sz = sizeof(struct numamove_request_opts),
		.flags = (a.dry_run ? NUMAMOVE_REQUEST_F_DRY_RUN : 0) | (a.force ? NUMAMOVE_REQUEST_F_FORCE : 0) |
			 (a.memory_only ? NUMAMOVE_REQUEST_F_MEMORY_ONLY : 0) |
			 (a.no_stay ? NUMAMOVE_REQUEST_F_NO_STAY : 0) |
			 (a.with_shared ? NUMAMOVE_REQUEST_F_WITH_SHARED : 0) |
			 (a.with_files ? NUMAMOVE_REQUEST_F_WITH_FILES : 0),
		.engine = (int)a.engine,
		.jobs = a.jobs,
		.rate = a.rate,
		.max_stall_ms = a.max_stall_ms,
		.event = on_event,
		.event_userdata = &prog,
	}, &req);
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
	targets_free(&targets);

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
	status = front_exit_status(numamove_report_worst(rep));
	numamove_report_free(rep);
	numamove_request_free(req);
	return status;
}
