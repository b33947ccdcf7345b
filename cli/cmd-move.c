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

enum {
	COL_PID, COL_COMM, COL_CGROUP, COL_ROUTE, COL_STATUS, COL_MOVED, COL_LEFT,
	COL_SHARED, COL_BUSY, COL_NOMEM, COL_UNMOVABLE, COL_GONE, COL_OTHER,
	COL_REBOUND, COL_REBIND_FAILED, COL_NODE, COL_BEFORE, COL_AFTER,
};

/* JSON output: one object per process, with its nodes as children. */
static const struct colinfo infos[] = {
	[COL_PID] = { "PID", 5, SCOLS_FL_TREE, SCOLS_JSON_NUMBER, false, NULL },
	[COL_COMM] = { "COMM", 8, 0, SCOLS_JSON_STRING, false, NULL },
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
	[COL_NODE] = { "NODE", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, NULL },
	[COL_BEFORE] = { "BEFORE", 6, SCOLS_FL_RIGHT, 0, true, NULL },
	[COL_AFTER] = { "AFTER", 6, SCOLS_FL_RIGHT, 0, true, NULL },
};
#define NINFO (sizeof(infos) / sizeof(infos[0]))

struct move_args {
	const char *to, *from;
	bool dry_run, force, memory_only, cgroup;
	struct output o;
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
	       " %s move [options] --to <nodes> <pid>...\n"
	       " %s move [options] --to <nodes> --cgroup <cgroup-dir|pid>...\n"
	       "\n"
	       "Move all the memory of each process to other NUMA nodes, keeping its relative\n"
	       "placement: the i-th node of --from goes to the i-th node of --to. First every\n"
	       "thread's memory policy and every mapping's are rebound by the same rule (bind:0\n"
	       "becomes bind:2), then the pages move, then every thread's CPU affinity follows,\n"
	       "so that new memory lands on the new nodes.\n"
	       "\n"
	       "Options:\n"
	       " -t, --to <nodes>      destination nodes, in order\n"
	       " -f, --from <nodes>    source nodes, in order (default: every node holding\n"
	       "                       memory of the process, ascending)\n"
	       "     --dry-run         show the plan and whether it fits; move nothing\n"
	       "     --force           move even when the destinations look too small\n"
	       "     --memory-only     leave memory policies and CPU affinity alone (with\n"
	       "                       --cgroup: leave cpuset.cpus alone)\n"
	       "     --cgroup          take the cgroup route: each operand is a cgroup v2\n"
	       "                       directory, or a pid standing for its group; rewrite the\n"
	       "                       group's cpuset.mems and cpuset.cpus, and let the kernel\n"
	       "                       rebind the policies and migrate the memory of every\n"
	       "                       process in it\n"
	       , program_name, program_name);
	output_usage(false);
	printf("\n"
	       "Nodes: a list such as 0-3,5 (order kept), 'all', '!LIST' (the process's allowed\n"
	       "nodes not in LIST), '+LIST' (positions among the process's allowed nodes).\n"
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
	double start;
	bool shown, tty;
	pid_t pid;
};

static int on_progress(uint64_t done, uint64_t total, void *userdata)
{
	struct progress *p = userdata;
	char a[32], b[32];

	if (interrupted)
		return 1;
	/* A line on a terminal, only for moves that take more than a second. */
	if (!p->tty || now() - p->start < 1.0)
		return 0;
	fprintf(stderr, "\r%s: moving %d: %s of %s", program_name, (int)p->pid,
		size_to_human(done, a, sizeof(a)), size_to_human(total, b, sizeof(b)));
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

static void print_dry_run(const struct move_args *a, const struct numamove_task *t,
			  const struct numamove_plan *plan, const struct numamove_topology *topo)
{
	const struct numamove_nodelist *from = numamove_plan_from(plan);
	struct libscols_table *tb = scols_new_table();
	char x[32];

	if (!tb)
		return;
	printf("%d (%s): plan, nothing moved:\n", (int)numamove_task_pid(t), numamove_task_comm(t));
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

/* NODE BEFORE AFTER, one row per node (indexed like the topology's) that had or has memory. */
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
	for (size_t k = 0; k < numamove_nodelist_count(nodes); k++) {
		struct libscols_line *ln;

		if (!before[k] && !(after && after[k]))
			continue;
		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			break;
		cell_printf(ln, 0, "%d", numamove_nodelist_get(nodes, k));
		cell_size(ln, 1, o, before[k]);
		if (after)
			cell_size(ln, 2, o, after[k]);
		else
			cell_printf(ln, 2, "?");
	}
	table_print(tb);
}

/* Bytes per node of @maps, indexed like the topology's nodes. */
static uint64_t *node_bytes(const struct numamove_maps *maps, const struct numamove_topology *topo)
{
	const struct numamove_nodelist *nodes = numamove_topology_nodes(topo);
	uint64_t *bytes = calloc(numamove_nodelist_count(nodes) + 1, sizeof(uint64_t));

	if (!bytes)
		err_nomem();
	for (size_t k = 0; maps && k < numamove_nodelist_count(nodes); k++)
		bytes[k] = numamove_maps_bytes(maps, numamove_nodelist_get(nodes, k), -1);
	return bytes;
}

/* The per-node before/after table in text mode, like renice's "old -> new". */
static void print_text(const struct move_args *a, const struct numamove_task *t,
		       const struct numamove_maps *before, const struct numamove_maps *after,
		       const struct numamove_topology *topo, const struct numamove_result *res)
{
	uint64_t *b = node_bytes(before, topo), *f = after ? node_bytes(after, topo) : NULL;
	char m[32], l[32];

	printf("%d (%s): moved %s", (int)numamove_task_pid(t), numamove_task_comm(t),
	       size_text(&a->o, numamove_result_bytes_moved(res), m, sizeof(m)));
	printf(", %" PRIu64 " pages (%s) not moved\n", numamove_result_pages_left(res, -1),
	       size_text(&a->o, numamove_result_bytes_left(res, -1), l, sizeof(l)));
	print_node_table(&a->o, topo, b, f);
	free(b);
	free(f);
	for (int r = 0; r < NUMAMOVE_REASON_COUNT; r++) {
		uint64_t n = numamove_result_pages_left(res, r);

		if (n)
			printf("%d (%s): %" PRIu64 " pages (%s) not moved: %s\n", (int)numamove_task_pid(t),
			       numamove_task_comm(t), n,
			       size_text(&a->o, numamove_result_bytes_left(res, r), l, sizeof(l)),
			       numamove_reason_text(r));
	}
}

/* A process that was not moved at all still gets its object, with a status. */
static void add_json_failed(struct libscols_table *tb, pid_t pid, const char *comm, const char *status)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);

	if (!ln)
		return;
	cell_printf(ln, COL_PID, "%d", (int)pid);
	if (comm)
		cell_printf(ln, COL_COMM, "%s", comm);
	cell_printf(ln, COL_STATUS, "%s", status);
}

/* Policies rebound, and those that could not be. */
struct rebind_count {
	size_t changed, failed;
};

static void add_json(struct libscols_table *tb, const struct move_args *a, const struct numamove_task *t,
		     const struct numamove_maps *before, const struct numamove_maps *after,
		     const struct numamove_topology *topo, const struct numamove_result *res,
		     const struct rebind_count *rb, const char *status)
{
	const struct numamove_nodelist *nodes = numamove_topology_nodes(topo);
	struct libscols_line *ln = scols_table_new_line(tb, NULL);

	if (!ln)
		return;
	cell_printf(ln, COL_PID, "%d", (int)numamove_task_pid(t));
	cell_printf(ln, COL_COMM, "%s", numamove_task_comm(t));
	cell_printf(ln, COL_ROUTE, "pages");
	cell_printf(ln, COL_STATUS, "%s", status);
	if (res) {
		cell_size(ln, COL_MOVED, &a->o, numamove_result_bytes_moved(res));
		cell_printf(ln, COL_LEFT, "%" PRIu64, numamove_result_pages_left(res, -1));
		for (int r = 0; r < NUMAMOVE_REASON_COUNT; r++)
			cell_printf(ln, COL_SHARED + (size_t)r, "%" PRIu64, numamove_result_pages_left(res, r));
	}
	if (!a->memory_only) {
		cell_printf(ln, COL_REBOUND, "%zu", rb->changed);
		cell_printf(ln, COL_REBIND_FAILED, "%zu", rb->failed);
	}
	for (size_t k = 0; before && k < numamove_nodelist_count(nodes); k++) {
		int node = numamove_nodelist_get(nodes, k);
		struct libscols_line *child;

		if (!numamove_maps_bytes(before, node, -1) && !(after && numamove_maps_bytes(after, node, -1)))
			continue;
		child = scols_table_new_line(tb, ln);
		if (!child)
			return;
		cell_printf(child, COL_NODE, "%d", node);
		cell_size(child, COL_BEFORE, &a->o, numamove_maps_bytes(before, node, -1));
		if (after)
			cell_size(child, COL_AFTER, &a->o, numamove_maps_bytes(after, node, -1));
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
			if (set && (strcmp(before, numamove_affinity_cpus(aff, i, false)) ||
				    strcmp(after, numamove_affinity_cpus(aff, i, true))))
				same = false;
			set++;
			before = numamove_affinity_cpus(aff, i, false);
			after = numamove_affinity_cpus(aff, i, true);
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
				numamove_affinity_cpus(aff, i, false), numamove_affinity_cpus(aff, i, true));
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
			 struct rebind_count *count)
{
	struct change_group groups[16];
	size_t n_groups = 0;
	char text[512];

	for (size_t i = 0; i < numamove_policy_report_count(rep); i++) {
		pid_t tid = numamove_policy_report_tid(rep, i);

		change_text(numamove_policy_report_before(rep, i), numamove_policy_report_after(rep, i), text,
			    sizeof(text));
		switch (numamove_policy_report_status(rep, i)) {
		case NUMAMOVE_POLICY_CHANGED:
			count->changed++;
			if (tid)
				group_add(groups, &n_groups, 16, text);
			else
				fprintf(stderr, "%s: %d (%s): policy of mapping %" PRIx64 "-%" PRIx64 ": %s\n",
					program_name, (int)numamove_task_pid(t), numamove_task_comm(t),
					numamove_policy_report_start(rep, i), numamove_policy_report_end(rep, i), text);
			break;
		case NUMAMOVE_POLICY_FAILED:
			count->failed++;
			if (tid)
				warn_errno(numamove_policy_report_error(rep, i), "%d (%s): thread %d: cannot rebind "
					   "its policy (%s)", (int)numamove_task_pid(t), numamove_task_comm(t), (int)tid, text);
			else
				warn_errno(numamove_policy_report_error(rep, i), "%d (%s): mapping %" PRIx64 ": cannot "
					   "rebind its policy (%s)", (int)numamove_task_pid(t), numamove_task_comm(t),
					   numamove_policy_report_start(rep, i), text);
			break;
		case NUMAMOVE_POLICY_SKIPPED:
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

/* The nodes of a list that are not in the process's cpuset. */
static int check_cpuset(const struct numamove_task *t, const struct numamove_nodelist *to)
{
	struct numamove_nodelist *mems = NULL;
	char buf[256];
	int r = numamove_task_allowed_nodes(t, &mems), status = EXIT_OK;

	if (r < 0)
		return EXIT_OK; /* the kernel will say */
	for (size_t i = 0; i < numamove_nodelist_count(to); i++)
		if (!numamove_nodelist_contains(mems, numamove_nodelist_get(to, i))) {
			numamove_nodelist_format(mems, buf, sizeof(buf));
			warnx_("%d (%s): node %d is not in the process's cpuset (its nodes are %s)",
			       (int)numamove_task_pid(t), numamove_task_comm(t), numamove_nodelist_get(to, i), buf);
			status = EXIT_ERROR;
			break;
		}
	numamove_nodelist_free(mems);
	return status;
}

static int move_one(const struct move_args *a, pid_t pid, struct libscols_table *json)
{
	struct numamove_topology *topo = NULL;
	struct numamove_nodelist *allowed = NULL, *to = NULL, *from = NULL;
	struct numamove_maps *before = NULL, *after = NULL;
	struct numamove_plan *plan = NULL;
	struct numamove_result *res = NULL;
	struct numamove_affinity *aff = NULL;
	struct numamove_policy_report *rebind = NULL;
	struct rebind_count rb = { 0 };
	struct numamove_task *t;
	struct progress prog = { .start = now(), .tty = isatty(STDERR_FILENO) && !a->o.json, .pid = pid };
	struct numamove_move_opts opts = { .sz = sizeof(opts), .progress = on_progress, .userdata = &prog };
	const char *name, *outcome = NULL; /* set once numamove_move() ran */
	int status = EXIT_ERROR, r, node;

	/* Read afresh for each process: earlier moves used up free memory. */
	topo = topology_load_checked();
	if (!topo)
		return EXIT_ERROR;
	t = task_open_checked(pid);
	if (!t) {
		numamove_topology_free(topo);
		if (json)
			add_json_failed(json, pid, NULL, "error");
		return EXIT_ERROR;
	}
	name = numamove_task_comm(t);
	r = allowed_nodes(t, topo, &allowed);
	if (r < 0) {
		warn_errno(r, "%d (%s): cannot read its allowed nodes", (int)pid, name);
		goto out;
	}
	status = parse_nodes("--to", a->to, topo, allowed, &to);
	if (status == EXIT_OK && a->from)
		status = parse_nodes("--from", a->from, topo, allowed, &from);
	if (status != EXIT_OK)
		goto out;
	status = EXIT_ERROR;
	for (size_t i = 0; i < numamove_nodelist_count(to); i++)
		if (!numamove_node_has_memory(topo, numamove_nodelist_get(to, i))) {
			warnx_("--to: node %d has no memory", numamove_nodelist_get(to, i));
			status = EXIT_USAGE;
			goto out;
		}
	if (check_cpuset(t, to) != EXIT_OK)
		goto out;

	r = numamove_maps_read(t, &before);
	if (r < 0) {
		if (r == -ESRCH)
			warnx_("%d (%s): the process exited", (int)pid, name);
		else
			warnx_("%d (%s): cannot read its memory map: %s%s", (int)pid, name, strerror(-r),
			       access_hint(r));
		goto out;
	}
	r = numamove_plan_new(before, from, to, topo, &plan);
	if (r < 0) {
		warn_errno(r, "%d (%s): cannot plan the move", (int)pid, name);
		goto out;
	}
	if (a->dry_run) {
		print_dry_run(a, t, plan, topo);
		if (!a->memory_only)
			print_rebind_plan(t, plan);
		status = EXIT_OK;
		goto out;
	}
	if (!a->force && numamove_plan_check_capacity(plan, &node) < 0) {
		char need[32], have[32];

		warnx_("%d (%s): node %d has %s free, the move needs %s there; nothing moved (--force moves what fits)",
		       (int)pid, name, node, size_to_human(numamove_node_mem_free(topo, node), have, sizeof(have)),
		       size_to_human(numamove_plan_incoming(plan, node), need, sizeof(need)));
		goto out;
	}
	if (a->memory_only) {
		warn_policies(t, plan);
	} else {
		/* Policies first: memory allocated during the move already lands right. */
		r = numamove_policy_rebind(t, plan, NULL, &rebind);
		if (r == -ESRCH) {
			warnx_("%d (%s): the process exited", (int)pid, name);
			goto out;
		}
		if (r < 0) {
			warn_inject(t, r, "rebind its memory policies");
			warnx_("%d (%s): its memory moves, but new memory keeps following its old policies",
			       (int)pid, name);
			rb.failed = 1;
		} else {
			print_rebind(t, rebind, &rb);
		}
	}

	r = numamove_move(t, plan, &opts, &res);
	if (prog.shown)
		fputc('\n', stderr);
	if (r == -ESRCH) {
		warnx_("%d (%s): the process exited during the move; stopped", (int)pid, name);
		outcome = "exited";
		goto out;
	}
	if (r == -ECANCELED) {
		warnx_("%d (%s): interrupted; %" PRIu64 " pages were moved, the rest stays where it was",
		       (int)pid, name, res ? numamove_result_pages_moved(res) : 0);
		outcome = "interrupted";
		goto out;
	}
	if (r < 0) {
		warnx_("%d (%s): cannot move its memory: %s%s", (int)pid, name, strerror(-r), access_hint(r));
		goto out;
	}
	if (numamove_maps_read(t, &after) < 0)
		after = NULL;
	status = numamove_result_pages_left(res, -1) || rb.failed ? EXIT_PARTIAL : EXIT_OK;

	if (!a->memory_only) {
		r = numamove_affinity_follow(t, plan, topo, &aff);
		if (r < 0)
			warn_errno(r, "%d (%s): cannot set CPU affinity", (int)pid, name);
	}
	outcome = status == EXIT_OK ? "moved" : "partial";
	if (!a->o.json)
		print_text(a, t, before, after, topo, res);
	if (aff)
		print_affinity(t, aff);
out:
	if (json && outcome)
		add_json(json, a, t, before, after, topo, res, &rb, outcome);
	else if (json && !a->dry_run)
		add_json_failed(json, pid, name, status == EXIT_USAGE ? "usage" : "error");
	numamove_affinity_free(aff);
	numamove_policy_report_free(rebind);
	numamove_result_free(res);
	numamove_plan_free(plan);
	numamove_maps_free(before);
	numamove_maps_free(after);
	numamove_nodelist_free(allowed);
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

	for (size_t i = 0; i < n; i++) {
		struct numamove_task *t = NULL;
		struct numamove_maps *maps = NULL;

		if (numamove_task_open(pids[i], &t) == 0 && numamove_maps_read(t, &maps) == 0) {
			uint64_t *one = node_bytes(maps, topo);

			for (size_t k = 0; k < n_nodes; k++)
				bytes[k] += one[k];
			free(one);
		}
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

static int move_cgroup(const struct move_args *a, const char *path, struct libscols_table *json)
{
	struct numamove_topology *topo = topology_load_checked();
	struct numamove_nodelist *old = NULL, *mems = NULL, *to = NULL, *from = NULL;
	struct numamove_maps *none = NULL;
	struct numamove_plan *plan = NULL;
	uint64_t *before = NULL, *after = NULL, moved = 0, left = 0;
	pid_t *pids = NULL;
	size_t n_pids = 0;
	const char *outcome = "error";
	char o[256], m[256], x[32];
	int r, status = EXIT_ERROR;

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
	if (numamove_maps_parse("", NULL, &none) < 0 ||
	    numamove_plan_new(none, from ? from : old, to, topo, &plan) < 0) {
		warnx_("%s: cannot plan the move", path);
		goto out;
	}
	numamove_nodelist_format(old, o, sizeof(o));
	if (a->dry_run) {
		if (numamove_plan_map_nodes(plan, old, &mems) < 0)
			err_nomem();
		numamove_nodelist_format(mems, m, sizeof(m));
		printf("cgroup %s (%zu process%s): would set cpuset.mems %s -> %s; nothing moved\n", path, n_pids,
		       n_pids == 1 ? "" : "es", o, m);
		status = EXIT_OK;
		outcome = NULL;
		goto out;
	}
	before = group_bytes(pids, n_pids, topo);
	r = numamove_cgroup_move(path, plan, topo, a->memory_only ? NUMAMOVE_CGROUP_MEMS_ONLY : 0, &mems);
	if (r < 0) {
		cgroup_error(path, r);
		goto out;
	}
	after = group_bytes(pids, n_pids, topo);
	numamove_nodelist_format(mems, m, sizeof(m));
	for (size_t k = 0; k < numamove_nodelist_count(numamove_topology_nodes(topo)); k++) {
		int node = numamove_nodelist_get(numamove_topology_nodes(topo), k);

		if (!numamove_nodelist_contains(mems, node)) {
			moved += before[k] > after[k] ? before[k] - after[k] : 0;
			left += after[k];
		}
	}
	status = left ? EXIT_PARTIAL : EXIT_OK;
	outcome = left ? "partial" : "moved";
	if (!a->o.json) {
		printf("cgroup %s (%zu process%s): cpuset.mems %s -> %s; the kernel moved %s", path, n_pids,
		       n_pids == 1 ? "" : "es", o, m, size_text(&a->o, moved, x, sizeof(x)));
		printf(", %s stays on nodes outside cpuset.mems\n", size_text(&a->o, left, x, sizeof(x)));
	}
out:
	if (json && outcome) {
		struct libscols_line *ln = scols_table_new_line(json, NULL);

		if (ln) {
			cell_printf(ln, COL_CGROUP, "%s", path);
			cell_printf(ln, COL_ROUTE, "cgroup");
			cell_printf(ln, COL_STATUS, "%s", outcome);
			if (after) {
				cell_size(ln, COL_MOVED, &a->o, moved);
				cell_printf(ln, COL_LEFT, "%" PRIu64, left / 4096);
			}
		}
		for (size_t k = 0; ln && after && k < numamove_nodelist_count(numamove_topology_nodes(topo)); k++) {
			struct libscols_line *child;

			if (!before[k] && !after[k])
				continue;
			child = scols_table_new_line(json, ln);
			if (!child)
				break;
			cell_printf(child, COL_NODE, "%d", numamove_nodelist_get(numamove_topology_nodes(topo), k));
			cell_size(child, COL_BEFORE, &a->o, before[k]);
			cell_size(child, COL_AFTER, &a->o, after[k]);
		}
	} else if (!a->o.json && after) {
		print_node_table(&a->o, topo, before, after);
	}
	free(before);
	free(after);
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
	enum { OPT_DRY_RUN = 256, OPT_FORCE, OPT_MEMORY_ONLY, OPT_CGROUP };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "memory-only", no_argument, NULL, OPT_MEMORY_ONLY },
		{ "cgroup", no_argument, NULL, OPT_CGROUP },
		{ "json", no_argument, NULL, 'J' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "raw", no_argument, NULL, 'r' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct move_args a = { 0 };
	struct numamove_topology *topo = NULL;
	struct numamove_nodelist *check = NULL;
	struct libscols_table *json = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	int c, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "t:f:Jnrbh", longopts, NULL)) != -1) {
		switch (c) {
		case 't': a.to = optarg; break;
		case 'f': a.from = optarg; break;
		case OPT_DRY_RUN: a.dry_run = true; break;
		case OPT_FORCE: a.force = true; break;
		case OPT_MEMORY_ONLY: a.memory_only = true; break;
		case OPT_CGROUP: a.cgroup = true; break;
		case 'h': usage();
		/* -o and --output-all are not in this command's options. */
		default:
			if (!output_option(&a.o, c, optarg))
				try_help("move");
		}
	}
	if (!a.to)
		usage_error("move", "--to is required");
	if (optind >= argc)
		usage_error("move", a.cgroup ? "no cgroup or process id given" : "no process id given");
	for (int i = optind; i < argc; i++)
		if (!a.cgroup || arg_is_pid(argv[i]))
			parse_pid_arg("move", argv[i]);

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
	for (int i = optind; i < argc; i++) {
		int s;

		if (a.cgroup) {
			char *path = cgroup_operand(argv[i]);

			s = path ? move_cgroup(&a, path, json) : EXIT_ERROR;
			free(path);
		} else {
			s = move_one(&a, parse_pid_arg("move", argv[i]), json);
		}

		/* Errors outrank partial moves, which outrank success. */
		if (s == EXIT_USAGE || (s == EXIT_ERROR && status != EXIT_USAGE) ||
		    (s == EXIT_PARTIAL && status == EXIT_OK))
			status = s;
		if (interrupted)
			break;
	}
	if (json)
		table_print(json);
	numamove_topology_free(topo);
	return status;
}
