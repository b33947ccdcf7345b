/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamove policy: show the memory policies of running processes, per
 * thread and per mapping, and change them from outside.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

enum { COL_PID, COL_TYPE, COL_TID, COL_START, COL_END, COL_POLICY, COL_BEFORE, COL_AFTER, COL_STATUS,
       COL_NAME, COL_WEIGHTS };

static const struct colinfo infos[] = {
	[COL_PID] = { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "process id" },
	[COL_TYPE] = { "TYPE", 7, 0, SCOLS_JSON_STRING, false, "thread (its task policy) or mapping (a policy of its own)" },
	[COL_TID] = { "TID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "thread id" },
	[COL_START] = { "START", 12, 0, SCOLS_JSON_STRING, false, "mapping start address" },
	[COL_END] = { "END", 12, 0, SCOLS_JSON_STRING, false, "mapping end address" },
	[COL_POLICY] = { "POLICY", 12, 0, SCOLS_JSON_STRING, false, "memory policy" },
	[COL_BEFORE] = { "BEFORE", 12, 0, SCOLS_JSON_STRING, false, "policy before the change" },
	[COL_AFTER] = { "AFTER", 12, 0, SCOLS_JSON_STRING, false, "policy after the change" },
	[COL_STATUS] = { "STATUS", 9, 0, SCOLS_JSON_STRING, false,
			 "changed, unchanged, skipped (a shared object's), gone, or failed: why" },
	[COL_NAME] = { "NAME", 12, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, false,
		       "thread name, or the mapping's file, [heap], [stack], [anon]" },
	[COL_WEIGHTS] = { "WEIGHTS", 10, 0, SCOLS_JSON_STRING, false,
			  "weighted interleave: node:weight of the policy's nodes (system-wide)" },
};
#define NINFO (sizeof(infos) / sizeof(infos[0]))

static const int show_defaults[] = { COL_PID, COL_TYPE, COL_TID, COL_START, COL_END, COL_POLICY, COL_NAME };
static const int set_defaults[] = { COL_PID, COL_TYPE, COL_TID, COL_START, COL_END, COL_BEFORE, COL_AFTER,
				    COL_STATUS };

struct policy_args {
	const char *set;
	struct numamove_policy *policy;
	pid_t *tids;
	size_t n_tids;
	bool mappings;
	struct output o;
	struct columns cols;
};

static void __attribute__((noreturn)) usage(void)
{
	printf("Usage:\n"
	       " %s policy [options] <pid>...\n"
	       "\n"
	       "Show the memory policies of processes: each thread's task policy, and each mapping\n"
	       "that has a policy of its own. With --set, change them: numamove runs set_mempolicy(2)\n"
	       "and mbind(2) inside the process, stopping each thread for a few system calls, and\n"
	       "checks the result.\n"
	       "\n"
	       "Options:\n"
	       " -s, --set <policy>    set the task policy of every thread to <policy>:\n"
	       "                         default, local, bind:<nodes>, preferred:<node>,\n"
	       "                         preferred-many:<nodes>, interleave:<nodes>,\n"
	       "                         weighted-interleave:<nodes>; after the mode,\n"
	       "                         =static or =relative (bind=static:0-1), and for\n"
	       "                         bind =balancing\n"
	       " -T, --tid <tids>      only these threads (thread ids, comma-separated)\n"
	       " -m, --mappings        with --set: also the mappings that have a policy of\n"
	       "                         their own; without: show only mappings\n",
	       program_name);
	output_usage(true);
	printf("\nColumns:\n");
	for (size_t i = 0; i < NINFO; i++)
		printf(" %8s  %s\n", infos[i].name, infos[i].help);
	exit(EXIT_OK);
}

/* Appends the thread ids of a comma-separated list; exits on a bad one. */
static void parse_tids(const char *text, pid_t **ret, size_t *ret_n)
{
	char *copy = strdup(text), *save = NULL;
	size_t n = 0;

	if (!copy)
		err_nomem();
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		pid_t *grown = realloc(*ret, (*ret_n + n + 1) * sizeof(pid_t));

		if (!grown)
			err_nomem();
		*ret = grown;
		(*ret)[*ret_n + n++] = parse_pid_arg("policy", tok);
	}
	free(copy);
	if (n == 0)
		usage_error("policy", "--tid: no thread id in '%s'", text);
	*ret_n += n;
}

static void thread_name(pid_t pid, pid_t tid, char *buf, size_t size)
{
	char path[64];
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	buf[0] = '\0';
	fp = fopen(path, "re");
	if (!fp)
		return;
	if (fgets(buf, (int)size, fp))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(fp);
}

/* "0:1,1:3": the system's weights of the policy's nodes. */
static void weights_text(const struct numamove_policy *p, char *buf, size_t size)
{
	const struct numamove_nodelist *nodes = numamove_policy_nodes(p);
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < numamove_nodelist_count(nodes) && len < size; i++) {
		int node = numamove_nodelist_get(nodes, i), w = numamove_policy_weight(node);
		int n = w < 0 ? snprintf(buf + len, size - len, "%s%d:?", i ? "," : "", node)
			      : snprintf(buf + len, size - len, "%s%d:%d", i ? "," : "", node, w);

		if (n < 0)
			break;
		len += (size_t)n;
	}
}

struct row {
	pid_t pid, tid;
	const char *type;
	uint64_t start, end;
	const struct numamove_policy *policy, *before, *after;
	const char *status, *name;
};

static void add_row(struct libscols_table *tb, const struct policy_args *a, const struct row *row)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	const struct numamove_policy *shown = row->policy ? row->policy : row->after;
	char buf[256];

	for (size_t i = 0; ln && i < a->cols.n; i++) {
		switch (a->cols.ids[i]) {
		case COL_PID: cell_printf(ln, i, "%d", (int)row->pid); break;
		case COL_TYPE: cell_printf(ln, i, "%s", row->type); break;
		case COL_TID:
			if (row->tid)
				cell_printf(ln, i, "%d", (int)row->tid);
			break;
		case COL_START:
			if (!row->tid)
				cell_printf(ln, i, "%" PRIx64, row->start);
			break;
		case COL_END:
			if (!row->tid)
				cell_printf(ln, i, "%" PRIx64, row->end);
			break;
		/* POLICY when showing, BEFORE and AFTER after --set: the others stay empty. */
		case COL_POLICY:
			if (!row->status)
				cell_printf(ln, i, "%s", policy_text(row->policy, buf, sizeof(buf)));
			break;
		case COL_BEFORE:
			if (row->status)
				cell_printf(ln, i, "%s", policy_text(row->before, buf, sizeof(buf)));
			break;
		case COL_AFTER:
			if (row->status)
				cell_printf(ln, i, "%s", policy_text(row->after, buf, sizeof(buf)));
			break;
		case COL_STATUS:
			if (row->status)
				cell_printf(ln, i, "%s", row->status);
			break;
		case COL_NAME:
			if (row->name)
				cell_printf(ln, i, "%s", row->name);
			break;
		case COL_WEIGHTS:
			if (shown && numamove_policy_mode(shown) == NUMAMOVE_POLICY_MODE_WEIGHTED_INTERLEAVE) {
				weights_text(shown, buf, sizeof(buf));
				cell_printf(ln, i, "%s", buf);
			}
			break;
		}
	}
}

static int show_one(struct libscols_table *tb, const struct policy_args *a, struct numamove_task *t)
{
	struct numamove_policies *p = NULL;
	pid_t pid = numamove_task_pid(t);
	int r = numamove_policies_read(t, &p);

	if (r < 0) {
		warn_errno(r, "%d (%s): cannot read its policies%s", (int)pid, numamove_task_comm(t), access_hint(r));
		return EXIT_ERROR;
	}
	for (size_t i = 0; !a->mappings && i < numamove_policies_thread_count(p); i++) {
		pid_t tid = numamove_policies_thread_tid(p, i);
		char name[64];

		thread_name(pid, tid, name, sizeof(name));
		add_row(tb, a, &(struct row){ .pid = pid, .tid = tid, .type = "thread", .name = name,
					      .policy = numamove_policies_thread_policy(p, i) });
	}
	for (size_t i = 0; i < numamove_policies_mapping_count(p); i++)
		add_row(tb, a, &(struct row){ .pid = pid, .type = "mapping",
					      .start = numamove_policies_mapping_start(p, i),
					      .end = numamove_policies_mapping_end(p, i),
					      .name = numamove_policies_mapping_name(p, i),
					      .policy = numamove_policies_mapping_policy(p, i) });
	numamove_policies_free(p);
	return EXIT_OK;
}

/* Adds the rows of a report to @tb; its exit status. */
static void report_rows(struct libscols_table *tb, const struct output *o, const struct columns *cols, pid_t pid,
			const struct numamove_policy_report *rep)
{
	struct policy_args a = { .o = *o, .cols = *cols };

	for (size_t i = 0; i < numamove_policy_report_count(rep); i++) {
		pid_t tid = numamove_policy_report_tid(rep, i);
		int err = numamove_policy_report_error(rep, i);
		char status_text[128], name[64] = "";

		snprintf(status_text, sizeof(status_text), "%s", numamove_policy_status_name(numamove_policy_report_status(rep, i)));
		if (numamove_policy_report_status(rep, i) == NUMAMOVE_POLICY_STATUS_FAILED) {
			snprintf(status_text, sizeof(status_text), "failed: %s",
				 err == -EIO ? "not confirmed" : strerror(-err));
		}
		if (tid)
			thread_name(pid, tid, name, sizeof(name));
		add_row(tb, &a, &(struct row){ .pid = pid, .tid = tid,
					       .type = tid ? "thread" : "mapping",
					       .start = numamove_policy_report_start(rep, i),
					       .end = numamove_policy_report_end(rep, i),
					       .before = numamove_policy_report_before(rep, i),
					       .after = numamove_policy_report_after(rep, i),
					       .status = status_text, .name = name[0] ? name : NULL });
	}
}

static void print_message(const char *line, void *userdata)
{
	(void)userdata;
	warnx_("%s", line);
}

/*
 * --set: one request for every process; the library holds, changes and
 * checks each; the rows of each report go to the table, the rest to stderr.
 */
static int set_all(struct libscols_table *tb, const struct policy_args *a, int argc, char **argv, int first)
{
	struct numamove_request *req = NULL;
	struct numamove_report *rep = NULL;
	int r, status;

	r = numamove_request_new(NUMAMOVE_ACTION_SET_POLICY, &(struct numamove_request_opts){
		.sz = sizeof(struct numamove_request_opts),
		.flags = a->mappings ? NUMAMOVE_REQUEST_F_MAPPINGS : 0,
	}, &req);
	if (r == 0)
		r = numamove_request_set_policy(req, a->set, NULL);
	if (r == 0 && a->n_tids)
		r = numamove_request_set_tids(req, a->tids, a->n_tids);
	for (int i = first; r == 0 && i < argc; i++)
		r = numamove_request_add_pid(req, parse_pid_arg("policy", argv[i]));
	if (r == 0)
		r = numamove_request_run(req, &rep);
	if (r < 0) {
		warn_errno(r, "cannot change the policies");
		numamove_request_free(req);
		return EXIT_ERROR;
	}
	status = front_exit_status(numamove_report_worst(rep));
	for (size_t i = 0; i < numamove_report_count(rep); i++) {
		if (numamove_report_rebind(rep, i))
			report_rows(tb, &a->o, &a->cols, numamove_report_pid(rep, i), numamove_report_rebind(rep, i));
		front_each_message(rep, i, print_message, NULL);
	}
	numamove_report_free(rep);
	numamove_request_free(req);
	return status;
}

int cmd_policy(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "set", required_argument, NULL, 's' },
		{ "tid", required_argument, NULL, 'T' },
		{ "mappings", no_argument, NULL, 'm' },
		OUTPUT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct policy_args a = { 0 };
	struct numamove_topology *topo = NULL;
	struct libscols_table *tb;
	int c, r, bad = 0, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "s:T:m" OUTPUT_SHORTOPTS "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': a.set = optarg; break;
		case 'T':
			parse_tids(optarg, &a.tids, &a.n_tids);
			break;
		case 'm': a.mappings = true; break;
		case 'h': usage();
		default:
			if (!output_option(&a.o, c, optarg))
				try_help("policy");
		}
	}
	if (optind >= argc)
		usage_error("policy", "no process id given");
	for (int i = optind; i < argc; i++)
		parse_pid_arg("policy", argv[i]);
	if (a.tids && !a.set)
		usage_error("policy", "--tid needs --set");
	if (a.tids && argc - optind > 1)
		usage_error("policy", "--tid takes one process");

	if (a.set) {
		topo = topology_load_checked();
		if (!topo)
			return EXIT_ERROR;
		r = numamove_policy_parse(a.set, topo, &a.policy, &bad);
		numamove_topology_free(topo);
		if (r < 0)
			policy_usage_error("policy", "--set", a.set, r, bad);
		numamove_policy_free(a.policy);
		a.policy = NULL;
	}
	columns_select("policy", &a.o, infos, NINFO, a.set ? set_defaults : show_defaults,
		       a.set ? sizeof(set_defaults) / sizeof(int) : sizeof(show_defaults) / sizeof(int), NULL, false,
		       &a.cols);
	tb = table_new("policies", &a.o, infos, NINFO, NULL, &a.cols);

	if (a.set)
		status = set_all(tb, &a, argc, argv, optind);
	for (int i = optind; !a.set && i < argc; i++) {
		struct numamove_task *t = task_open_checked(parse_pid_arg("policy", argv[i]));

		status = front_worst_status(status, t ? show_one(tb, &a, t) : EXIT_ERROR);
		numamove_task_free(t);
	}
	table_print(tb);
	numamove_policy_free(a.policy);
	free(a.tids);
	return status;
}
