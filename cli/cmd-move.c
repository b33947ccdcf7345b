/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamove move: move all the memory of processes to other nodes, keeping
 * the relative placement (the i-th FROM node goes to the i-th TO node),
 * then let the CPU affinity of every thread follow.
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

enum {
	COL_PID, COL_COMM, COL_OBJECT, COL_TYPE, COL_POLICY, COL_CGROUP, COL_ROUTE, COL_STATUS, COL_MOVED, COL_LEFT,
	COL_SHARED, COL_BUSY, COL_NOMEM, COL_UNMOVABLE, COL_GONE, COL_OTHER,
	COL_REBOUND, COL_REBIND_FAILED, COL_ENGINE, COL_JOBS, COL_SWEEP, COL_CALLS, COL_MAX_CALL, COL_NODE, COL_BEFORE, COL_AFTER,
};

/* JSON output: one object per process or shared object, with its nodes as children. */
static const struct colinfo infos[] = {
	[COL_PID] = { "PID", 5, SCOLS_FL_TREE, SCOLS_JSON_NUMBER, false, NULL },
	[COL_COMM] = { "COMM", 8, 0, SCOLS_JSON_STRING, false, NULL },
	[COL_OBJECT] = { "OBJECT", 10, 0, SCOLS_JSON_STRING, false, NULL },
	[COL_TYPE] = { "TYPE", 5, 0, SCOLS_JSON_STRING, false, NULL },
	[COL_POLICY] = { "POLICY", 7, 0, SCOLS_JSON_STRING, false, NULL },
	[COL_CGROUP] = { "CGROUP", 8, 0, SCOLS_JSON_STRING, false, NULL },
	[COL_ROUTE] = { "ROUTE", 6, 0, SCOLS_JSON_STRING, false, NULL },
	[COL_STATUS] = { "STATUS", 7, 0, SCOLS_JSON_STRING, false, NULL },
	[COL_MOVED] = { "MOVED", 6, SCOLS_FL_RIGHT, 0, true, NULL },
	[COL_LEFT] = { "LEFT", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_SHARED] = { "SHARED", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_BUSY] = { "BUSY", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_NOMEM] = { "NOMEM", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_UNMOVABLE] = { "UNMOVABLE", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_GONE] = { "GONE", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_OTHER] = { "OTHER", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_REBOUND] = { "REBOUND", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_REBIND_FAILED] = { "REBIND-FAILED", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_ENGINE] = { "ENGINE", 7, 0, SCOLS_JSON_STRING, false, NULL },
	[COL_JOBS] = { "JOBS", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_SWEEP] = { "SWEEP", 6, SCOLS_FL_RIGHT, 0, true, NULL },
	[COL_CALLS] = { "CALLS", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_MAX_CALL] = { "MAX-CALL-MS", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_NODE] = { "NODE", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_BEFORE] = { "BEFORE", 6, SCOLS_FL_RIGHT, 0, true, NULL },
	[COL_AFTER] = { "AFTER", 6, SCOLS_FL_RIGHT, 0, true, NULL },
};
#define NINFO (sizeof(infos) / sizeof(infos[0]))

struct move_args {
	const char *to, *from;
	bool dry_run, force, memory_only;
	bool with_shared, with_files, cgroup;
	const char *policy; /* --policy: a mode over the --to nodes, or a whole policy */
	unsigned int jobs, max_stall_ms;
	uint64_t rate;
	enum numamove_engine engine;
	enum { PROGRESS_AUTO, PROGRESS_TEXT, PROGRESS_JSON, PROGRESS_NONE } progress;
	struct output o;
};

/*
 * What a report is about: a process, or a shared object; its memory per
 * node of the machine (in the order of numamove_topology_nodes()) before
 * and after the move (after NULL when unknown).
 */
struct subject {
	/*
	 * "1234 (comm)", "/dev/shm/buf (tmpfs)", "shm:32769 (sysv)": PATH_MAX
	 * for a path, and room for " (hugetlbfs)" or "cgroup "; a longer one
	 * is cut (snprintf), which only shortens a label.
	 */
	char label[4200];
	pid_t pid;
	const char *comm;
	const char *object, *type, *policy;
	const char *cgroup;   /* the cgroup route: the group's directory */
	bool rebind;          /* a process whose policies were (to be) rebound */
	size_t rebound, rebind_failed;
	uint64_t *before, *after;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
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
	       "so that new memory lands on the new nodes.\n"
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
	       "                       files they map\n"
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

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct progress {
	double start, last_json;
	bool shown, tty, json;
	const char *label;
};

static int on_progress(uint64_t done, uint64_t total, void *userdata);

static struct progress progress_of(const struct move_args *a, const char *label)
{
	struct progress p = { .start = now(), .label = label };

	p.json = a->progress == PROGRESS_JSON;
	p.tty = a->progress == PROGRESS_TEXT || (a->progress == PROGRESS_AUTO && isatty(STDERR_FILENO) && !a->o.json);
	return p;
}

static struct numamove_move_opts move_opts(const struct move_args *a, struct progress *prog)
{
	return (struct numamove_move_opts){
		.sz = sizeof(struct numamove_move_opts),
		.progress = on_progress,
		.userdata = prog,
		.jobs = a->jobs,
		.rate = a->rate,
		.max_stall_ms = a->max_stall_ms,
		.engine = a->engine,
	};
}

/* One line of --progress=json: where the move of one process or object is. */
static void print_progress_json(const struct progress *p, uint64_t done, uint64_t total, bool finished,
				uint64_t max_call_ns)
{
	double elapsed = now() - p->start, rate = elapsed > 0 ? (double)done / elapsed : 0;
	double eta = rate > 0 && total > done ? (double)(total - done) / rate : 0;

	fputs("{\"subject\": ", stderr);
	json_string(stderr, p->label);
	fprintf(stderr, ", \"bytes_done\": %" PRIu64 ", \"bytes_total\": %" PRIu64 ", \"elapsed_s\": %.3f, "
		"\"rate_bytes_s\": %.0f, \"eta_s\": %.3f, \"finished\": %s", done, total, elapsed, rate,
		finished ? 0.0 : eta, finished ? "true" : "false");
	if (finished)
		fprintf(stderr, ", \"max_call_ms\": %.3f", (double)max_call_ns / 1e6);
	fputs("}\n", stderr);
	fflush(stderr);
}

static int on_progress(uint64_t done, uint64_t total, void *userdata)
{
	struct progress *p = userdata;
	char a[32], b[32];

	if (interrupted)
		return 1;
	if (p->json) {
		if (now() - p->last_json >= 0.5) {
			p->last_json = now();
			print_progress_json(p, done, total, false, 0);
		}
		return 0;
	}
	/* A line on a terminal, only for moves that take more than a second. */
	if (!p->tty || now() - p->start < 1.0)
		return 0;
	{
		double elapsed = now() - p->start, rate = elapsed > 0 ? (double)done / elapsed : 0;
		char r[32];

		fprintf(stderr, "\r%s: moving %s: %s of %s, %s/s", program_name, p->label,
			size_to_human(done, a, sizeof(a)), size_to_human(total, b, sizeof(b)),
			size_to_human((uint64_t)rate, r, sizeof(r)));
		if (rate > 0 && total > done)
			fprintf(stderr, ", %.0f s left   ", (double)(total - done) / rate);
		else
			fputs("            ", stderr);
	}
	p->shown = true;
	return 0;
}

/* Parses a node list for @t; prints the error and returns the exit status. */
static int parse_nodes(const char *what, const char *text, const struct numamove_topology *topo,
		       const struct numamove_nodelist *allowed, struct numamove_nodelist **ret)
{
	char all[256];
	int bad = 0, r;

	r = numamove_nodelist_parse(text, topo, allowed, ret, &bad);
	if (r == 0)
		return EXIT_OK;
	numamove_nodelist_format(numamove_topology_nodes(topo), all, sizeof(all));
	if (r == -ENODEV)
		warnx_("%s: node %d does not exist (the nodes are %s)", what, bad, all);
	else if (r == -ERANGE)
		warnx_("%s '%s': position %d is past the process's allowed nodes", what, text, bad);
	else if (r == -ENOENT)
		warnx_("%s: '%s' selects no node", what, text);
	else if (r == -EINVAL)
		warnx_("%s: invalid node list '%s'", what, text);
	else
		warn_errno(r, "%s '%s'", what, text);
	return EXIT_USAGE;
}

/* Nodes of the process's cpuset that have memory: what "all", "!" and "+" mean. */
static int allowed_nodes(const struct numamove_task *t, const struct numamove_topology *topo,
			 struct numamove_nodelist **ret)
{
	struct numamove_nodelist *mems = NULL, *out = NULL;
	int r = numamove_task_allowed_nodes(t, &mems);

	if (r == 0)
		r = numamove_nodelist_new(&out);
	for (size_t i = 0; r == 0 && i < numamove_nodelist_count(mems); i++) {
		int n = numamove_nodelist_get(mems, i);

		if (numamove_node_has_memory(topo, n))
			r = numamove_nodelist_add(out, n);
	}
	numamove_nodelist_free(mems);
	if (r < 0) {
		numamove_nodelist_free(out);
		return r;
	}
	*ret = out;
	return 0;
}

static void print_dry_run(const struct move_args *a, const char *label, const struct numamove_plan *plan,
			  const struct numamove_topology *topo)
{
	const struct numamove_nodelist *from = numamove_plan_from(plan);
	struct libscols_table *tb = scols_new_table();
	char x[32];

	if (!tb)
		return;
	printf("%s: plan, nothing moved:\n", label);
	scols_table_enable_raw(tb, a->o.raw);
	scols_table_enable_noheadings(tb, a->o.noheadings);
	scols_table_new_column(tb, "FROM", 4, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "TO", 4, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "SIZE", 6, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "DEST-FREE", 6, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "FITS", 4, 0);
	for (size_t i = 0; i < numamove_nodelist_count(from); i++) {
		int src = numamove_nodelist_get(from, i), dst = numamove_plan_dest(plan, src);
		struct libscols_line *ln;

		if (dst < 0)
			continue;
		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			break;
		cell_printf(ln, 0, "%d", src);
		cell_printf(ln, 1, "%d", dst);
		cell_size(ln, 2, &a->o, numamove_plan_bytes(plan, src, dst));
		cell_size(ln, 3, &a->o, numamove_node_mem_free(topo, dst));
		cell_printf(ln, 4, "%s",
			    numamove_plan_incoming(plan, dst) <= numamove_node_mem_free(topo, dst) ? "yes" : "no");
	}
	table_print(tb);
	printf("total: %s\n", size_text(&a->o, numamove_plan_bytes(plan, -1, -1), x, sizeof(x)));
}

/* Memory per node of the machine, in the order of its node list. */
static uint64_t *node_bytes(const struct numamove_maps *maps, const struct numamove_topology *topo)
{
	const struct numamove_nodelist *nodes = numamove_topology_nodes(topo);
	uint64_t *v = calloc(numamove_nodelist_count(nodes) + 1, sizeof(*v));

	for (size_t k = 0; v && maps && k < numamove_nodelist_count(nodes); k++)
		v[k] = numamove_maps_bytes(maps, numamove_nodelist_get(nodes, k), -1);
	return v;
}

static void subject_clear(struct subject *s)
{
	free(s->before);
	free(s->after);
	s->before = s->after = NULL;
}

/* NODE BEFORE AFTER, one row per node (in the topology's order) that had or has memory. */
static void print_node_table(const struct output *o, const struct numamove_topology *topo, const uint64_t *before,
			     const uint64_t *after)
{
	const struct numamove_nodelist *nodes = numamove_topology_nodes(topo);
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return;
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_noheadings(tb, o->noheadings);
	scols_table_new_column(tb, "NODE", 4, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "BEFORE", 6, SCOLS_FL_RIGHT);
	scols_table_new_column(tb, "AFTER", 6, SCOLS_FL_RIGHT);
	for (size_t k = 0; before && k < numamove_nodelist_count(nodes); k++) {
		uint64_t b = before[k], f = after ? after[k] : 0;
		struct libscols_line *ln;

		if (!b && !f)
			continue;
		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			break;
		cell_printf(ln, 0, "%d", numamove_nodelist_get(nodes, k));
		cell_size(ln, 1, o, b);
		if (after)
			cell_size(ln, 2, o, f);
		else
			cell_printf(ln, 2, "?");
	}
	table_print(tb);
}

/* The per-node before/after table in text mode, like renice's "old -> new". */
static void print_text(const struct move_args *a, const struct subject *s, const struct numamove_topology *topo,
		       const struct numamove_result *res)
{
	char m[32], l[32];

	printf("%s: moved %s", s->label, size_text(&a->o, numamove_result_bytes_moved(res), m, sizeof(m)));
	if (numamove_result_sweep_bytes(res))
		printf(" (and %s faulted in meanwhile, by the final sweep)",
		       size_text(&a->o, numamove_result_sweep_bytes(res), m, sizeof(m)));
	printf(", %" PRIu64 " pages (%s) not moved\n", numamove_result_pages_left(res, -1),
	       size_text(&a->o, numamove_result_bytes_left(res, -1), l, sizeof(l)));
	if (a->max_stall_ms || a->rate)
		printf("%s: the longest of %" PRIu64 " calls took %.1f ms\n", s->label, numamove_result_calls(res),
		       (double)numamove_result_max_call_ns(res) / 1e6);
	print_node_table(&a->o, topo, s->before, s->after);
	for (int r = 0; r < NUMAMOVE_REASON_COUNT; r++) {
		uint64_t n = numamove_result_pages_left(res, r);

		if (n)
			printf("%s: %" PRIu64 " pages (%s) not moved: %s\n", s->label, n,
			       size_text(&a->o, numamove_result_bytes_left(res, r), l, sizeof(l)),
			       numamove_reason_text(r));
	}
}

/* The identity of a JSON object: pid and comm, or object and type. */
static struct libscols_line *json_line(struct libscols_table *tb, const struct subject *s, const char *status)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);

	if (!ln)
		return NULL;
	if (s->object) {
		cell_printf(ln, COL_OBJECT, "%s", s->object);
		if (s->type)
			cell_printf(ln, COL_TYPE, "%s", s->type);
		if (s->policy)
			cell_printf(ln, COL_POLICY, "%s", s->policy);
	} else if (s->cgroup) {
		cell_printf(ln, COL_CGROUP, "%s", s->cgroup);
		cell_printf(ln, COL_ROUTE, "cgroup");
	} else {
		cell_printf(ln, COL_PID, "%d", (int)s->pid);
		if (s->comm)
			cell_printf(ln, COL_COMM, "%s", s->comm);
		cell_printf(ln, COL_ROUTE, "pages");
	}
	cell_printf(ln, COL_STATUS, "%s", status);
	if (s->rebind) {
		cell_printf(ln, COL_REBOUND, "%zu", s->rebound);
		cell_printf(ln, COL_REBIND_FAILED, "%zu", s->rebind_failed);
	}
	return ln;
}

static void add_json(struct libscols_table *tb, const struct move_args *a, const struct subject *s,
		     const struct numamove_topology *topo, const struct numamove_result *res, const char *status)
{
	const struct numamove_nodelist *nodes = numamove_topology_nodes(topo);
	struct libscols_line *ln = json_line(tb, s, status);

	if (!ln)
		return;
	if (res) {
		cell_size(ln, COL_MOVED, &a->o, numamove_result_bytes_moved(res));
		cell_printf(ln, COL_LEFT, "%" PRIu64, numamove_result_pages_left(res, -1));
		for (int r = 0; r < NUMAMOVE_REASON_COUNT; r++)
			cell_printf(ln, COL_SHARED + (size_t)r, "%" PRIu64, numamove_result_pages_left(res, r));
		cell_printf(ln, COL_ENGINE, "%s", a->engine == NUMAMOVE_ENGINE_KERNEL ? "kernel" : "batched");
		cell_printf(ln, COL_JOBS, "%u", numamove_result_jobs(res));
		cell_size(ln, COL_SWEEP, &a->o, numamove_result_sweep_bytes(res));
		cell_printf(ln, COL_CALLS, "%" PRIu64, numamove_result_calls(res));
		cell_printf(ln, COL_MAX_CALL, "%.3f", (double)numamove_result_max_call_ns(res) / 1e6);
	}
	for (size_t k = 0; s->before && k < numamove_nodelist_count(nodes); k++) {
		struct libscols_line *child;

		if (!s->before[k] && !(s->after && s->after[k]))
			continue;
		child = scols_table_new_line(tb, ln);
		if (!child)
			return;
		cell_printf(child, COL_NODE, "%d", numamove_nodelist_get(nodes, k));
		cell_size(child, COL_BEFORE, &a->o, s->before[k]);
		if (s->after)
			cell_size(child, COL_AFTER, &a->o, s->after[k]);
	}
}

static void print_affinity(const struct numamove_task *t, const struct numamove_affinity *aff)
{
	size_t set = 0, nocpu = 0;
	const char *before = NULL, *after = NULL;
	bool same = true;

	for (size_t i = 0; i < numamove_affinity_count(aff); i++) {
		switch (numamove_affinity_status(aff, i)) {
		case NUMAMOVE_AFFINITY_SET:
			if (set && (strcmp(before, numamove_affinity_cpus_before(aff, i)) ||
				    strcmp(after, numamove_affinity_cpus_after(aff, i))))
				same = false;
			set++;
			before = numamove_affinity_cpus_before(aff, i);
			after = numamove_affinity_cpus_after(aff, i);
			break;
		case NUMAMOVE_AFFINITY_NO_CPUS:
			nocpu++;
			break;
		case NUMAMOVE_AFFINITY_FAILED:
			warn_errno(numamove_affinity_error(aff, i), "%d (%s): thread %d: cannot set CPU affinity",
				   (int)numamove_task_pid(t), numamove_task_comm(t), (int)numamove_affinity_tid(aff, i));
			break;
		default:
			break;
		}
	}
	if (set && same)
		fprintf(stderr, "%s: %d (%s): CPU affinity of %zu thread%s: %s -> %s\n", program_name,
			(int)numamove_task_pid(t), numamove_task_comm(t), set, set == 1 ? "" : "s", before, after);
	for (size_t i = 0; set && !same && i < numamove_affinity_count(aff); i++)
		if (numamove_affinity_status(aff, i) == NUMAMOVE_AFFINITY_SET)
			fprintf(stderr, "%s: %d (%s): thread %d: CPU affinity %s -> %s\n", program_name,
				(int)numamove_task_pid(t), numamove_task_comm(t), (int)numamove_affinity_tid(aff, i),
				numamove_affinity_cpus_before(aff, i), numamove_affinity_cpus_after(aff, i));
	if (nocpu)
		fprintf(stderr,
			"%s: %d (%s): CPU affinity of %zu thread%s left alone: the destination nodes have no CPUs\n",
			program_name, (int)numamove_task_pid(t), numamove_task_comm(t), nocpu, nocpu == 1 ? "" : "s");
}

/* Identical "before -> after" changes of several threads, counted. */
struct change_group {
	char text[512];
	size_t n;
};

static void group_add(struct change_group *g, size_t *n, size_t max, const char *text)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(g[i].text, text) == 0) {
			g[i].n++;
			return;
		}
	if (*n < max) {
		snprintf(g[*n].text, sizeof(g[*n].text), "%s", text);
		g[(*n)++].n = 1;
	}
}

static void change_text(const struct numamove_policy *before, const struct numamove_policy *after, char *buf,
			size_t size)
{
	char b[256], f[256];

	snprintf(buf, size, "%s -> %s", policy_text(before, b, sizeof(b)), policy_text(after, f, sizeof(f)));
}

static void print_groups(const struct numamove_task *t, const char *verb, const struct change_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s: %d (%s): %stask policy of %zu thread%s: %s\n", program_name,
			(int)numamove_task_pid(t), numamove_task_comm(t), verb, g[i].n, g[i].n == 1 ? "" : "s",
			g[i].text);
}

/* What the rebinding did, in lines like those of the CPU affinity. */
static void print_rebind(const struct numamove_task *t, const struct numamove_policy_report *rep,
			 struct subject *count)
{
	struct change_group groups[16];
	size_t n_groups = 0;
	char text[512];

	for (size_t i = 0; i < numamove_policy_report_count(rep); i++) {
		pid_t tid = numamove_policy_report_tid(rep, i);

		change_text(numamove_policy_report_before(rep, i), numamove_policy_report_after(rep, i), text,
			    sizeof(text));
		switch (numamove_policy_report_status(rep, i)) {
		case NUMAMOVE_POLICY_STATUS_CHANGED:
			count->rebound++;
			if (tid)
				group_add(groups, &n_groups, 16, text);
			else
				fprintf(stderr, "%s: %d (%s): policy of mapping %" PRIx64 "-%" PRIx64 ": %s\n",
					program_name, (int)numamove_task_pid(t), numamove_task_comm(t),
					numamove_policy_report_start(rep, i), numamove_policy_report_end(rep, i), text);
			break;
		case NUMAMOVE_POLICY_STATUS_FAILED:
			count->rebind_failed++;
			if (tid)
				warn_errno(numamove_policy_report_error(rep, i), "%d (%s): thread %d: cannot rebind "
					   "its policy (%s)", (int)numamove_task_pid(t), numamove_task_comm(t), (int)tid, text);
			else
				warn_errno(numamove_policy_report_error(rep, i), "%d (%s): mapping %" PRIx64 ": cannot "
					   "rebind its policy (%s)", (int)numamove_task_pid(t), numamove_task_comm(t),
					   numamove_policy_report_start(rep, i), text);
			break;
		case NUMAMOVE_POLICY_STATUS_SKIPPED:
			fprintf(stderr, "%s: %d (%s): mapping %" PRIx64 ": a shared object's policy (%s), left as it is\n",
				program_name, (int)numamove_task_pid(t), numamove_task_comm(t),
				numamove_policy_report_start(rep, i),
				policy_text(numamove_policy_report_before(rep, i), text, sizeof(text)));
			break;
		default:
			break;
		}
	}
	print_groups(t, "", groups, n_groups);
}

/* --dry-run: the policies a move would rebind, as /proc shows them now. */
static void print_rebind_plan(const struct numamove_task *t, const struct numamove_plan *plan)
{
	struct numamove_policies *p = NULL;
	struct change_group groups[16];
	size_t n_groups = 0;
	char text[512];

	if (numamove_policies_read(t, &p) < 0)
		return;
	for (size_t i = 0; i < numamove_policies_thread_count(p) + numamove_policies_mapping_count(p); i++) {
		bool thread = i < numamove_policies_thread_count(p);
		size_t k = thread ? i : i - numamove_policies_thread_count(p);
		const struct numamove_policy *before = thread ? numamove_policies_thread_policy(p, k)
							       : numamove_policies_mapping_policy(p, k);
		struct numamove_policy *after = NULL;

		if (!before || (!thread && numamove_policies_mapping_shared(p, k)) ||
		    numamove_policy_remap(before, plan, &after) < 0)
			continue;
		if (!numamove_policy_equal(before, after)) {
			change_text(before, after, text, sizeof(text));
			if (thread)
				group_add(groups, &n_groups, 16, text);
			else
				fprintf(stderr, "%s: %d (%s): would rebind the policy of mapping %" PRIx64 "-%" PRIx64
					": %s\n", program_name, (int)numamove_task_pid(t), numamove_task_comm(t),
					numamove_policies_mapping_start(p, k), numamove_policies_mapping_end(p, k), text);
		}
		numamove_policy_free(after);
	}
	print_groups(t, "would rebind the ", groups, n_groups);
	numamove_policies_free(p);
}

/* --memory-only: policies that keep pointing at the old nodes. */
static void warn_policies(const struct numamove_task *t, const struct numamove_plan *plan)
{
	struct numamove_policies *p = NULL;

	if (numamove_policies_read(t, &p) < 0)
		return;
	if (numamove_policies_rebind_needed(p, plan))
		warnx_("%d (%s): warning: it has memory policies that name the old nodes; with --memory-only "
		       "they stay, and new memory keeps following them", (int)numamove_task_pid(t),
		       numamove_task_comm(t));
	numamove_policies_free(p);
}

/* The nodes of a list that are not in the cpuset of @t (the target, or numamove for objects). */
static int check_cpuset(const struct numamove_task *t, const struct numamove_nodelist *to, const char *label,
			const char *whose)
{
	struct numamove_nodelist *mems = NULL;
	char buf[256];
	int r = numamove_task_allowed_nodes(t, &mems), status = EXIT_OK;

	if (r < 0)
		return EXIT_OK; /* the kernel will say */
	for (size_t i = 0; i < numamove_nodelist_count(to); i++)
		if (!numamove_nodelist_contains(mems, numamove_nodelist_get(to, i))) {
			numamove_nodelist_format(mems, buf, sizeof(buf));
			warnx_("%s: node %d is not in %s cpuset (its nodes are %s)", label,
			       numamove_nodelist_get(to, i), whose, buf);
			status = EXIT_ERROR;
			break;
		}
	numamove_nodelist_free(mems);
	return status;
}

/*
 * Ends the progress line; for a move that was cut short (the process
 * exited, or numamove was interrupted) says so and returns the outcome.
 */
static const char *after_move(int r, const char *label, const struct numamove_result *res,
			      const struct progress *prog)
{
	if (prog->shown)
		fputc('\n', stderr);
	if (prog->json && res)
		print_progress_json(prog, numamove_result_bytes_moved(res) + numamove_result_sweep_bytes(res),
				    numamove_result_bytes_moved(res) + numamove_result_sweep_bytes(res), true,
				    numamove_result_max_call_ns(res));
	if (r == -ESRCH) {
		warnx_("%s: the process exited during the move; stopped", label);
		return "exited";
	}
	if (r == -ECANCELED) {
		warnx_("%s: interrupted; %" PRIu64 " pages were moved, the rest stays where it was", label,
		       res ? numamove_result_pages_moved(res) : 0);
		return "interrupted";
	}
	return NULL;
}

/* Errors outrank partial moves, which outrank success. */
static int worst(int status, int s)
{
	if (s == EXIT_USAGE || (s == EXIT_ERROR && status != EXIT_USAGE) || (s == EXIT_PARTIAL && status == EXIT_OK))
		return s;
	return status;
}

/* A move that would not fit is refused, with the numbers; returns EXIT_OK when it fits. */
static int check_fits(const struct move_args *a, const char *label, const struct numamove_plan *plan,
		      const struct numamove_topology *topo)
{
	char need[32], have[32];
	uint64_t ps = 0, hneed = 0, hfree = 0;
	int node;

	if (a->force)
		return EXIT_OK;
	if (numamove_plan_check_capacity(plan, &node) < 0) {
		warnx_("%s: node %d has %s free, the move needs %s there; nothing moved (--force moves what fits)",
		       label, node, size_to_human(numamove_node_mem_free(topo, node), have, sizeof(have)),
		       size_to_human(numamove_plan_incoming(plan, node), need, sizeof(need)));
		return EXIT_ERROR;
	}
	if (numamove_plan_check_hugepages(plan, &node, &ps, &hneed, &hfree) < 0) {
		warnx_("%s: node %d has %" PRIu64 " free huge pages of %s, the move needs %" PRIu64
		       "; nothing moved (reserve them in /sys/devices/system/node/node%d/hugepages/, or --force)",
		       label, node, hfree, size_to_human(ps, have, sizeof(have)), hneed, node);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/*
 * The lists a move uses: --to and --from resolved against the allowed nodes
 * of @t (the target, or numamove itself for objects), every destination
 * with memory and in that cpuset. EXIT_OK, or the status of the error.
 */
static int resolve_nodes(const struct move_args *a, const struct numamove_topology *topo,
			 const struct numamove_task *t, const char *label, const char *whose,
			 struct numamove_nodelist **to, struct numamove_nodelist **from)
{
	struct numamove_nodelist *allowed = NULL;
	int status, r = allowed_nodes(t, topo, &allowed);

	if (r < 0) {
		warn_errno(r, "%s: cannot read %s allowed nodes", label, whose);
		return EXIT_ERROR;
	}
	status = parse_nodes("--to", a->to, topo, allowed, to);
	if (status == EXIT_OK && a->from)
		status = parse_nodes("--from", a->from, topo, allowed, from);
	numamove_nodelist_free(allowed);
	for (size_t i = 0; status == EXIT_OK && i < numamove_nodelist_count(*to); i++)
		if (!numamove_node_has_memory(topo, numamove_nodelist_get(*to, i))) {
			warnx_("--to: node %d has no memory", numamove_nodelist_get(*to, i));
			status = EXIT_USAGE;
		}
	if (status == EXIT_OK)
		status = check_cpuset(t, *to, label, whose);
	return status;
}

/* @from, then the nodes holding pages of @obj that are not in it, ascending. */
static int extend_list(const struct numamove_nodelist *from, const struct numamove_object *obj,
		       struct numamove_nodelist **ret)
{
	struct numamove_nodelist *l = NULL, *nodes = NULL;
	int r = numamove_nodelist_new(&l);

	for (size_t i = 0; r == 0 && i < numamove_nodelist_count(from); i++)
		r = numamove_nodelist_add(l, numamove_nodelist_get(from, i));
	if (r == 0)
		r = numamove_object_nodes(obj, &nodes);
	for (size_t i = 0; r == 0 && i < numamove_nodelist_count(nodes); i++)
		if (!numamove_nodelist_contains(l, numamove_nodelist_get(nodes, i)))
			r = numamove_nodelist_add(l, numamove_nodelist_get(nodes, i));
	numamove_nodelist_free(nodes);
	if (r < 0) {
		numamove_nodelist_free(l);
		return r;
	}
	*ret = l;
	return 0;
}

/* The object's memory per node of the machine. */
static uint64_t *object_bytes(const struct numamove_object *obj, const struct numamove_topology *topo)
{
	return node_bytes(numamove_object_maps(obj), topo);
}

/*
 * The policy --policy asks for: a mode alone applies over @to (a preferred
 * policy over several nodes is preferred-many); anything else is a whole
 * policy, parsed against @topo (NULL: any node).
 */
static int object_policy(const char *text, const struct numamove_topology *topo, const struct numamove_nodelist *to,
			 struct numamove_policy **ret)
{
	for (int mode = 0; mode < NUMAMOVE_POLICY_MODE_COUNT; mode++) {
		bool takes_nodes = mode != NUMAMOVE_POLICY_MODE_DEFAULT && mode != NUMAMOVE_POLICY_MODE_LOCAL;

		if (!takes_nodes || strcmp(text, numamove_policy_mode_name(mode)) != 0)
			continue;
		if (mode == NUMAMOVE_POLICY_MODE_PREFERRED && numamove_nodelist_count(to) > 1)
			mode = NUMAMOVE_POLICY_MODE_PREFERRED_MANY;
		return numamove_policy_new(mode, 0, to, ret);
	}
	return numamove_policy_parse(text, topo, ret, NULL);
}

/* --policy is checked before anything moves: a usage error otherwise. */
static void check_object_policy(const struct move_args *a, const struct numamove_topology *topo)
{
	struct numamove_nodelist *one = NULL;
	struct numamove_policy *pol = NULL;

	if (!a->policy)
		return;
	if (numamove_nodelist_new(&one) < 0 || numamove_nodelist_add(one, 0) < 0)
		err_nomem();
	if (object_policy(a->policy, topo, one, &pol) < 0)
		usage_error("move", "--policy: invalid policy '%s' (bind, preferred, interleave, default, or "
			    "MODE[=FLAG][:NODES] as numamove policy --set takes it)", a->policy);
	numamove_policy_free(pol);
	numamove_nodelist_free(one);
}

/*
 * Moves one shared object (taking it over). @to and @from are the lists in
 * force for a process's objects (--with-shared); NULL for an object named
 * on the command line, whose lists are resolved against numamove's own
 * allowed nodes. @named: named on the command line, where asking for a
 * policy it cannot keep is an error rather than a note.
 */
static int move_object(const struct move_args *a, struct numamove_object *obj, const struct numamove_nodelist *to_in,
		       const struct numamove_nodelist *from_in, bool named, struct libscols_table *json)
{
	struct numamove_topology *topo = NULL;
	struct numamove_nodelist *to = NULL, *from = NULL;
	struct numamove_task *self = NULL;
	struct numamove_plan *plan = NULL;
	struct numamove_result *res = NULL;
	struct subject s = { 0 };
	char idbuf[64], old_policy[256] = "";
	const char *outcome = NULL;
	struct progress prog = progress_of(a, NULL);
	struct numamove_move_opts opts = move_opts(a, &prog);
	bool policy = a->policy != NULL;
	int status = EXIT_ERROR, r;

	s.object = object_label(obj, idbuf, sizeof(idbuf));
	s.type = numamove_object_type_name(numamove_object_type(obj));
	snprintf(s.label, sizeof(s.label), "%s (%s)", s.object, s.type);
	prog.label = s.label;
	topo = topology_load_checked();
	if (!topo)
		goto out;
	if (!to_in) {
		r = numamove_task_open(getpid(), &self);
		if (r < 0) {
			warn_errno(r, "cannot open numamove's own process");
			goto out;
		}
		status = resolve_nodes(a, topo, self, s.label, "numamove's", &to, &from);
		if (status != EXIT_OK)
			goto out;
		status = EXIT_ERROR;
		to_in = to;
		from_in = from;
	} else {
		/* The process's lists were checked against its cpuset; numamove moves from its own. */
		r = numamove_task_open(getpid(), &self);
		if (r < 0) {
			warn_errno(r, "cannot open numamove's own process");
			goto out;
		}
		if (check_cpuset(self, to_in, s.label, "numamove's") != EXIT_OK)
			goto out;
	}
	if (policy && !numamove_object_has_shared_policy(obj)) {
		const char *why = numamove_object_is_hugetlb(obj) ? "hugetlb pages have no shared policy in the kernel"
								  : "the page cache of a file follows the policy of whoever reads it";

		if (named) {
			warnx_("%s: --policy: %s keep no policy of their own (%s); nothing moved",
			       s.label, numamove_object_is_hugetlb(obj) ? "hugetlb objects" : "regular files", why);
			goto out;
		}
		warnx_("%s: note: its policy is left alone: %s", s.label, why);
		policy = false;
	}
	if (object_load_checked(obj) != EXIT_OK)
		goto out;
	s.before = object_bytes(obj, topo);
	if (numamove_object_policy(obj))
		snprintf(old_policy, sizeof(old_policy), "%s", numamove_object_policy(obj));
	if (from_in && !named && !a->from) {
		/* The process's FROM, then the object's other nodes: every page of it moves. */
		r = extend_list(from_in, obj, &from);
		if (r < 0) {
			warn_errno(r, "%s: cannot plan the move", s.label);
			goto out;
		}
		from_in = from;
	}
	r = numamove_plan_new(numamove_object_maps(obj), from_in, to_in, topo, &plan);
	if (r < 0) {
		warn_errno(r, "%s: cannot plan the move", s.label);
		goto out;
	}
	if (a->dry_run) {
		print_dry_run(a, s.label, plan, topo);
		status = EXIT_OK;
		goto out;
	}
	if (check_fits(a, s.label, plan, topo) != EXIT_OK)
		goto out;
	if (policy) {
		struct numamove_policy *pol = NULL;

		r = object_policy(a->policy, NULL, to_in, &pol);
		if (r == 0)
			r = numamove_object_set_policy(obj, pol);
		numamove_policy_free(pol);
		if (r < 0) {
			warnx_("%s: cannot set its policy: %s%s; nothing moved", s.label, strerror(-r),
			       r == -EACCES || r == -EPERM ? " (needs write permission on the object)" : "");
			goto out;
		}
		s.policy = numamove_object_policy(obj);
	}
	r = numamove_object_move(obj, plan, &opts, &res);
	outcome = after_move(r, s.label, res, &prog);
	if (outcome)
		goto out;
	if (r < 0) {
		warn_errno(r, "%s: cannot move its pages", s.label);
		goto out;
	}
	s.after = object_bytes(obj, topo);
	status = numamove_result_pages_left(res, -1) ? EXIT_PARTIAL : EXIT_OK;
	outcome = status == EXIT_OK ? "moved" : "partial";
	if (!a->o.json) {
		print_text(a, &s, topo, res);
		if (policy)
			printf("%s: policy %s -> %s\n", s.label, old_policy, s.policy ? s.policy : "?");
	}
	if (numamove_result_pages_left(res, NUMAMOVE_REASON_SHARED) && !numamove_can_move_shared())
		warnx_("%s: pages that other processes map move only with CAP_SYS_NICE", s.label);
out:
	if (json && !a->dry_run)
		add_json(json, a, &s, topo, res, outcome ? outcome : status == EXIT_USAGE ? "usage" : "error");
	subject_clear(&s);
	numamove_result_free(res);
	numamove_plan_free(plan);
	numamove_nodelist_free(to);
	numamove_nodelist_free(from);
	numamove_task_free(self);
	numamove_topology_free(topo);
	numamove_object_free(obj);
	return status;
}

/* --with-shared: the shared objects the process maps, each once, with the process's lists. */
static int move_shared(const struct move_args *a, const struct numamove_task *t, const char *label,
		       const struct numamove_maps *maps, const struct numamove_plan *plan, struct libscols_table *json)
{
	struct numamove_object **done = NULL;
	size_t n_done = 0, next;
	int status = EXIT_OK;

	for (size_t i = 0; i < numamove_maps_count(maps); i++) {
		struct numamove_object *obj = NULL, **grown;
		const char *name = numamove_mapping_name(numamove_maps_get(maps, i));
		bool seen = false;
		int r = numamove_object_open_mapping(maps, i, numamove_task_pid(t),
						     a->with_files ? NUMAMOVE_OBJECT_WITH_FILES : 0, &obj);

		if (r == -ENOENT) {
			warnx_("%s: %s: skipped: deleted or replaced since it was mapped", label, name);
			continue;
		}
		if (r == -EXDEV) {
			warnx_("%s: %s: skipped: a SysV segment of another IPC namespace", label, name);
			continue;
		}
		if (r < 0) {
			warn_errno(r, "%s: %s: cannot open it", label, name);
			status = worst(status, EXIT_ERROR);
			continue;
		}
		if (!obj)
			continue;
		for (size_t k = 0; k < n_done; k++)
			seen = seen || numamove_object_same(done[k], obj);
		grown = seen ? NULL : realloc(done, (n_done + 1) * sizeof(*done));
		if (!grown) {
			numamove_object_free(obj);
			continue;
		}
		done = grown;
		done[n_done++] = obj;
	}
	/*
	 * The same FROM and TO as the process, so that each node goes where the
	 * process's went; without --from, the object's other nodes follow in FROM.
	 */
	for (next = 0; next < n_done && !interrupted; next++)
		status = worst(status, move_object(a, done[next], numamove_plan_to(plan), numamove_plan_from(plan),
						   false, json));
	/* Interrupted: the rest are not moved, but let go (a SysV segment stays attached until then). */
	for (; next < n_done; next++)
		numamove_object_free(done[next]);
	free(done);
	return status;
}

static int move_one(const struct move_args *a, pid_t pid, struct libscols_table *json)
{
	struct numamove_topology *topo = NULL;
	struct numamove_nodelist *to = NULL, *from = NULL;
	struct numamove_maps *before = NULL, *after = NULL;
	struct numamove_plan *plan = NULL;
	struct numamove_result *res = NULL;
	struct numamove_affinity *aff = NULL;
	struct numamove_policy_report *rebind = NULL;
	struct numamove_task *t;
	struct subject s = { .pid = pid, .rebind = !a->memory_only };
	struct progress prog = progress_of(a, s.label);
	struct numamove_move_opts opts = move_opts(a, &prog);
	const char *name, *outcome = NULL; /* set once numamove_move() ran */
	int status = EXIT_ERROR, r;

	snprintf(s.label, sizeof(s.label), "%d", (int)pid);
	/* Read afresh for each process: earlier moves used up free memory. */
	topo = topology_load_checked();
	if (!topo)
		return EXIT_ERROR;
	t = task_open_checked(pid);
	if (!t) {
		if (json)
			add_json(json, a, &s, topo, NULL, "error");
		numamove_topology_free(topo);
		return EXIT_ERROR;
	}
	name = s.comm = numamove_task_comm(t);
	snprintf(s.label, sizeof(s.label), "%d (%s)", (int)pid, name);
	status = resolve_nodes(a, topo, t, s.label, "the process's", &to, &from);
	if (status != EXIT_OK)
		goto out;
	status = EXIT_ERROR;

	r = numamove_maps_read(t, &before);
	if (r < 0) {
		if (r == -ESRCH)
			warnx_("%s: the process exited", s.label);
		else
			warnx_("%s: cannot read its memory map: %s%s", s.label, strerror(-r), access_hint(r));
		goto out;
	}
	s.before = node_bytes(before, topo);
	r = numamove_plan_new(before, from, to, topo, &plan);
	if (r < 0) {
		warn_errno(r, "%s: cannot plan the move", s.label);
		goto out;
	}
	if (a->dry_run) {
		print_dry_run(a, s.label, plan, topo);
		if (!a->memory_only)
			print_rebind_plan(t, plan);
		status = a->with_shared ? move_shared(a, t, s.label, before, plan, NULL) : EXIT_OK;
		goto out;
	}
	if (check_fits(a, s.label, plan, topo) != EXIT_OK)
		goto out;
	if (a->memory_only) {
		warn_policies(t, plan);
	} else {
		/* Policies first: memory allocated during the move already lands right. */
		r = numamove_policy_rebind(t, plan, NULL, &rebind);
		if (r == -ESRCH) {
			warnx_("%s: the process exited", s.label);
			goto out;
		}
		if (r < 0) {
			warn_inject(t, r, "rebind its memory policies");
			warnx_("%s: its memory moves, but new memory keeps following its old policies", s.label);
			s.rebind_failed = 1;
		} else {
			print_rebind(t, rebind, &s);
		}
	}

	r = numamove_move(t, plan, &opts, &res);
	outcome = after_move(r, s.label, res, &prog);
	if (outcome)
		goto out;
	if (r == -EXDEV) {
		warnx_("%s: --engine=kernel cannot chain or swap nodes (migrate_pages(2) pairs them by position); "
		       "the default engine can", s.label);
		goto out;
	}
	if (r < 0) {
		warnx_("%s: cannot move its memory: %s%s", s.label, strerror(-r), access_hint(r));
		goto out;
	}
	if (numamove_maps_read(t, &after) < 0)
		after = NULL;
	else
		s.after = node_bytes(after, topo);
	status = numamove_result_pages_left(res, -1) || s.rebind_failed ? EXIT_PARTIAL : EXIT_OK;

	if (!a->memory_only) {
		r = numamove_affinity_follow(t, plan, topo, &aff);
		if (r < 0)
			warn_errno(r, "%s: cannot set CPU affinity", s.label);
	}
	outcome = status == EXIT_OK ? "moved" : "partial";
	if (!a->o.json)
		print_text(a, &s, topo, res);
	if (aff)
		print_affinity(t, aff);
out:
	if (json && (outcome || !a->dry_run))
		add_json(json, a, &s, topo, res, outcome ? outcome : status == EXIT_USAGE ? "usage" : "error");
	/* The process's objects after the process, each its own report. */
	if (outcome && a->with_shared && !interrupted && strcmp(outcome, "exited") != 0)
		status = worst(status, move_shared(a, t, s.label, before, plan, json));
	subject_clear(&s);
	numamove_affinity_free(aff);
	numamove_policy_report_free(rebind);
	numamove_result_free(res);
	numamove_plan_free(plan);
	numamove_maps_free(before);
	numamove_maps_free(after);
	numamove_nodelist_free(to);
	numamove_nodelist_free(from);
	numamove_task_free(t);
	numamove_topology_free(topo);
	return status;
}

/* ---- the cgroup route */

/* Bytes per node of every process in the group, from their numa_maps. */
static uint64_t *group_bytes(const pid_t *pids, size_t n, const struct numamove_topology *topo)
{
	size_t n_nodes = numamove_nodelist_count(numamove_topology_nodes(topo));
	uint64_t *bytes = node_bytes(NULL, topo);

	if (!bytes)
		err_nomem();
	for (size_t i = 0; i < n; i++) {
		struct numamove_task *t = NULL;
		struct numamove_maps *maps = NULL;
		uint64_t *one = NULL;

		if (numamove_task_open(pids[i], &t) == 0 && numamove_maps_read(t, &maps) == 0 &&
		    (one = node_bytes(maps, topo)))
			for (size_t k = 0; k < n_nodes; k++)
				bytes[k] += one[k];
		free(one);
		numamove_maps_free(maps);
		numamove_task_free(t);
	}
	return bytes;
}

static void cgroup_error(const char *path, int r)
{
	switch (r) {
	case -ENOENT:
		warnx_("%s: not a cgroup v2 group", path);
		break;
	case -ENOTDIR:
		warnx_("%s: not a directory", path);
		break;
	case -EOPNOTSUPP:
		warnx_("%s: the cpuset controller is not enabled for this group (the root group has none; "
		       "enable it with +cpuset in the parent's cgroup.subtree_control)", path);
		break;
	case -EXDEV:
		warnx_("%s: a parent group does not allow the destination nodes (see its cpuset.mems)", path);
		break;
	case -EACCES:
	case -EPERM:
		warn_errno(r, "%s: cannot write cpuset.mems or cpuset.cpus (needs root, or a delegated group)",
			   path);
		break;
	default:
		warn_errno(r, "%s: cannot move the group", path);
	}
}

/*
 * The cgroup route for the group at @path: its cpuset.mems (and cpus)
 * rewritten, the kernel rebinding and migrating; what moved is measured
 * from the numa_maps of its processes before and after.
 */
static int move_cgroup(const struct move_args *a, const char *path, struct libscols_table *json)
{
	struct numamove_topology *topo = topology_load_checked();
	struct numamove_nodelist *old = NULL, *mems = NULL, *to = NULL, *from = NULL;
	struct numamove_maps *none = NULL;
	struct numamove_plan *plan = NULL;
	struct subject s = { .cgroup = path };
	uint64_t moved = 0, left = 0;
	pid_t *pids = NULL;
	size_t n_pids = 0;
	const char *outcome = NULL;
	char o[256], m[256], x[32];
	int r, status = EXIT_ERROR;

	snprintf(s.label, sizeof(s.label), "cgroup %s", path);
	if (!topo)
		return EXIT_ERROR;
	r = numamove_cgroup_check(path);
	if (r == 0)
		r = numamove_cgroup_mems(path, &old);
	if (r == 0)
		r = numamove_cgroup_pids(path, &pids, &n_pids);
	if (r < 0) {
		cgroup_error(path, r);
		goto out;
	}
	status = parse_nodes("--to", a->to, topo, NULL, &to);
	if (status == EXIT_OK && a->from)
		status = parse_nodes("--from", a->from, topo, NULL, &from);
	if (status != EXIT_OK)
		goto out;
	status = EXIT_ERROR;
	/* The group's nodes, not the nodes its memory is on now, are what gets remapped. */
	if (numamove_maps_parse("", NULL, &none) < 0 || numamove_plan_new(none, from ? from : old, to, topo, &plan) < 0 ||
	    numamove_plan_map_nodes(plan, old, &mems) < 0) {
		warnx_("%s: cannot plan the move", s.label);
		goto out;
	}
	numamove_nodelist_format(old, o, sizeof(o));
	numamove_nodelist_format(mems, m, sizeof(m));
	if (a->dry_run) {
		printf("%s (%zu process%s): would set cpuset.mems %s -> %s; nothing moved\n", s.label, n_pids,
		       n_pids == 1 ? "" : "es", o, m);
		status = EXIT_OK;
		goto out;
	}
	s.before = group_bytes(pids, n_pids, topo);
	r = numamove_cgroup_move(path, plan, topo, a->memory_only ? NUMAMOVE_CGROUP_MEMS_ONLY : 0, NULL);
	if (r < 0) {
		cgroup_error(path, r);
		goto out;
	}
	s.after = group_bytes(pids, n_pids, topo);
	for (size_t k = 0; k < numamove_nodelist_count(numamove_topology_nodes(topo)); k++)
		if (!numamove_nodelist_contains(mems, numamove_nodelist_get(numamove_topology_nodes(topo), k))) {
			moved += s.before[k] > s.after[k] ? s.before[k] - s.after[k] : 0;
			left += s.after[k];
		}
	status = left ? EXIT_PARTIAL : EXIT_OK;
	outcome = left ? "partial" : "moved";
	if (!a->o.json) {
		printf("%s (%zu process%s): cpuset.mems %s -> %s; the kernel moved %s", s.label, n_pids,
		       n_pids == 1 ? "" : "es", o, m, size_text(&a->o, moved, x, sizeof(x)));
		printf(", %s stays on nodes outside cpuset.mems\n", size_text(&a->o, left, x, sizeof(x)));
		print_node_table(&a->o, topo, s.before, s.after);
	}
out:
	if (json && !a->dry_run) {
		struct libscols_line *ln;

		add_json(json, a, &s, topo, NULL, outcome ? outcome : status == EXIT_USAGE ? "usage" : "error");
		ln = scols_table_get_line(json, scols_table_get_nlines(json) - 1);
		while (ln && scols_line_get_parent(ln))
			ln = scols_line_get_parent(ln);
		if (ln && outcome) {
			cell_size(ln, COL_MOVED, &a->o, moved);
			cell_printf(ln, COL_LEFT, "%" PRIu64, left / 4096);
		}
	}
	subject_clear(&s);
	free(pids);
	numamove_plan_free(plan);
	numamove_maps_free(none);
	numamove_nodelist_free(old);
	numamove_nodelist_free(mems);
	numamove_nodelist_free(to);
	numamove_nodelist_free(from);
	numamove_topology_free(topo);
	return status;
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

/* An operand of --cgroup: a pid stands for its group. NULL after an error. */
static char *cgroup_operand(const char *arg)
{
	char *path = NULL;
	pid_t pid;
	int r;

	if (!arg_is_pid(arg))
		return strdup(arg);
	pid = parse_pid_arg("move", arg);
	r = numamove_cgroup_of(pid, &path);
	if (r == -ESRCH)
		warnx_("%d: no such process", (int)pid);
	else if (r == -ENOENT)
		warnx_("%d: not in a cgroup v2 hierarchy", (int)pid);
	else if (r < 0)
		warn_errno(r, "%d: cannot find its cgroup", (int)pid);
	return path;
}

int cmd_move(int argc, char **argv)
{
	enum { OPT_DRY_RUN = 256, OPT_FORCE, OPT_MEMORY_ONLY, OPT_SHM, OPT_SHM_KEY, OPT_POLICY, OPT_WITH_SHARED,
	       OPT_WITH_FILES, OPT_CGROUP, OPT_RATE, OPT_MAX_STALL, OPT_ENGINE, OPT_PROGRESS };
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
	struct numamove_topology *topo = NULL;
	struct numamove_nodelist *check = NULL;
	struct libscols_table *json = NULL;
	struct targets targets = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	int c, status = EXIT_OK;

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
	if (a.with_shared && !targets.n_pids)
		usage_error("move", "--with-shared is for processes: it moves the objects they map");
	if (a.engine == NUMAMOVE_ENGINE_KERNEL && (a.jobs || a.rate || a.max_stall_ms))
		usage_error("move", "--engine=kernel is one migrate_pages(2) call: no --jobs, --rate or --max-stall");
	if (a.engine == NUMAMOVE_ENGINE_KERNEL && (targets.n_objs || a.with_shared))
		usage_error("move", "--engine=kernel moves processes only");
	if (a.policy && !targets.n_objs && !a.with_shared)
		usage_error("move", "--policy sets the shared policy of objects (paths, --shm, --with-shared)");

	topo = topology_load_checked();
	if (!topo)
		return EXIT_ERROR;
	/* Syntax and unknown nodes are usage errors, found before anything moves. */
	if (parse_nodes("--to", a.to, topo, NULL, &check) != EXIT_OK)
		exit(EXIT_USAGE);
	numamove_nodelist_free(check);
	check = NULL;
	if (a.from && parse_nodes("--from", a.from, topo, NULL, &check) != EXIT_OK)
		exit(EXIT_USAGE);
	numamove_nodelist_free(check);
	check_object_policy(&a, topo);

	if (numamove_numa_balancing() > 0 && !a.dry_run)
		warnx_("warning: automatic NUMA balancing is on (/proc/sys/kernel/numa_balancing): it may move "
		       "pages of default-policy processes back");

	/* Interrupted, stop between two batches and report; the target is never stopped. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (a.o.json) {
		struct columns cols = { .n = NINFO };

		for (size_t i = 0; i < NINFO; i++)
			cols.ids[i] = (int)i;
		json = table_new("moves", &a.o, infos, NINFO, NULL, &cols);
	}
	for (int i = optind; a.cgroup && i < argc && !interrupted; i++) {
		char *path = cgroup_operand(argv[i]);

		status = worst(status, path ? move_cgroup(&a, path, json) : EXIT_ERROR);
		free(path);
	}
	for (size_t i = 0; i < targets.n_pids && !interrupted; i++)
		status = worst(status, move_one(&a, parse_pid_arg("move", targets.pids[i]), json));
	for (size_t i = 0; i < targets.n_objs && !interrupted; i++) {
		struct numamove_object *obj = object_open_checked(&targets.objs[i]);

		if (obj) {
			status = worst(status, move_object(&a, obj, NULL, NULL, true, json));
		} else {
			struct subject s = { 0 };
			char label[256];

			s.object = objspec_label(&targets.objs[i], label, sizeof(label));
			status = worst(status, EXIT_ERROR);
			if (json)
				add_json(json, &a, &s, topo, NULL, "error");
		}
	}
	if (json)
		table_print(json);
	targets_free(&targets);
	numamove_topology_free(topo);
	return status;
}
