/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamove move --slurm-job JOBID --all-nodes: every node's report, merged.
 * On each node of the job a task of one Slurm step runs the move there
 * (numamove move --all-nodes-task ...) and hands back a record of plain
 * lines, one fact each, written here by front_node_record(); the command
 * reads the records of all the nodes back (front_nodes_line()) and prints
 * one summary: a row per node, a total, every page not moved with its
 * reason, every node's diagnostics; or one JSON document holding each
 * node's own numamove move -J document. The record's lines:
 *
 *   node NAME                    the node (SLURMD_NODENAME)
 *   tasks N                      the step's tasks (SLURM_NTASKS): nodes
 *   target STATUS MOVED LEFT PAGES  a target's status name (as -J says it),
 *                                bytes moved, bytes and pages not moved
 *                                (PAGES "-": unknown, the cgroup route)
 *   reason R PAGES BYTES         pages not moved for reason R (enum numamove_reason)
 *   err TEXT                     a diagnostic line of the move there
 *   json TEXT                    a line of its -J document
 *   status N                     its exit status; the record's last line
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libsmartcols.h>

#include "front.h"

void front_node_record(FILE *out, const struct numamove_report *rep)
{
	for (size_t i = 0; i < numamove_report_count(rep); i++) {
		const struct numamove_result *res = numamove_report_result(rep, i);

		if (res) {
			fprintf(out, "target %s %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", front_status_name(rep, i),
				numamove_result_bytes_moved(res), numamove_result_bytes_left(res, -1),
				numamove_result_pages_left(res, -1));
			for (int r = 0; r < NUMAMOVE_REASON_COUNT; r++)
				if (numamove_result_pages_left(res, r))
					fprintf(out, "reason %d %" PRIu64 " %" PRIu64 "\n", r,
						numamove_result_pages_left(res, r), numamove_result_bytes_left(res, r));
		} else {
			fprintf(out, "target %s %" PRIu64 " %" PRIu64 " -\n", front_status_name(rep, i),
				numamove_report_bytes_moved(rep, i), numamove_report_bytes_left(rep, i));
		}
	}
	fflush(out);
}

static struct front_node *node_of(struct front_nodes *ns, unsigned int task)
{
	struct front_node *v;

	for (size_t k = 0; k < ns->n; k++)
		if (ns->v[k].task == task)
			return &ns->v[k];
	v = realloc(ns->v, (ns->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	ns->v = v;
	v = &ns->v[ns->n++];
	memset(v, 0, sizeof(*v));
	v->task = task;
	v->status = -1;
	return v;
}

static int append(char **s, size_t *len, const char *text)
{
	size_t n = strlen(text);
	char *p = realloc(*s, *len + n + 2);

	if (!p)
		return -ENOMEM;
	memcpy(p + *len, text, n);
	p[*len + n] = '\n';
	p[*len + n + 1] = '\0';
	*s = p;
	*len += n + 1;
	return 0;
}

int front_nodes_line(struct front_nodes *ns, unsigned int task, const char *line)
{
	struct front_node *nd = node_of(ns, task);
	char status[32];
	uint64_t a, b, c;
	int r;

	if (!nd)
		return -ENOMEM;
	if (strncmp(line, "node ", 5) == 0) {
		free(nd->name);
		nd->name = strdup(line + 5);
		return nd->name ? 0 : -ENOMEM;
	}
	if (strncmp(line, "err ", 4) == 0) {
		char **v = realloc(nd->errs, (nd->n_errs + 1) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		nd->errs = v;
		v[nd->n_errs] = strdup(line + 4);
		return v[nd->n_errs++] ? 0 : -ENOMEM;
	}
	if (strncmp(line, "json ", 5) == 0)
		return append(&nd->json, &nd->json_len, line + 5);
	if (sscanf(line, "tasks %u", &nd->tasks) == 1)
		return 0;
	if (sscanf(line, "status %d", &nd->status) == 1) {
		if (nd->status < EXIT_OK || nd->status > EXIT_PARTIAL)
			nd->status = EXIT_ERROR;
		return 0;
	}
	if (sscanf(line, "reason %d %" SCNu64 " %" SCNu64, &r, &a, &b) == 3) {
		if (r >= 0 && r < NUMAMOVE_REASON_COUNT) {
			nd->reason_pages[r] += a;
			nd->reason_bytes[r] += b;
		}
		return 0;
	}
	if (sscanf(line, "target %31s %" SCNu64 " %" SCNu64, status, &a, &b) == 3) {
		nd->reported = true;
		nd->moved += a;
		nd->left_bytes += b;
		if (sscanf(line, "target %*s %*s %*s %" SCNu64, &c) == 1) {
			nd->left_pages += c;
			nd->pages_known = true;
		}
		/* The first status that is not "moved" says what happened there. */
		if (!nd->outcome[0] || strcmp(nd->outcome, "moved") == 0)
			snprintf(nd->outcome, sizeof(nd->outcome), "%s", status);
		return 0;
	}
	return -EINVAL;
}

void front_nodes_free(struct front_nodes *ns)
{
	for (size_t k = 0; k < ns->n; k++) {
		free(ns->v[k].name);
		for (size_t e = 0; e < ns->v[k].n_errs; e++)
			free(ns->v[k].errs[e]);
		free(ns->v[k].errs);
		free(ns->v[k].json);
	}
	free(ns->v);
	ns->v = NULL;
	ns->n = 0;
}

/* What an exit status says, in the words of -J's "status": for a node without a target reported, and the total. */
static const char *status_word(int status)
{
	switch (status) {
	case EXIT_OK:
		return "moved";
	case EXIT_PARTIAL:
		return "partial";
	case EXIT_USAGE:
		return "usage";
	default:
		return "error";
	}
}

static const char *node_name(const struct front_node *nd, char *buf, size_t size)
{
	if (nd->name)
		return nd->name;
	snprintf(buf, size, "task %u", nd->task);
	return buf;
}

static int node_status(const struct front_node *nd)
{
	return nd->status < 0 ? EXIT_ERROR : nd->status;
}

int front_nodes_status(const struct front_nodes *ns)
{
	int st = EXIT_OK;

	for (size_t k = 0; k < ns->n; k++)
		st = front_worst_status(st, node_status(&ns->v[k]));
	return st;
}

/* The nodes in the order of their tasks, which is the step's order of nodes. */
static int by_task(const void *a, const void *b)
{
	const struct front_node *x = a, *y = b;

	return x->task < y->task ? -1 : x->task > y->task;
}

void front_nodes_text(FILE *out, const struct front_style *s, struct front_nodes *ns)
{
	static const char *const names[] = { "NODE", "STATUS", "MOVED", "NOT-MOVED", "PAGES-NOT-MOVED" };
	struct libscols_table *tb = scols_new_table();
	uint64_t moved = 0, left = 0, pages = 0;
	bool pages_known = true, any = false;
	char buf[64], x[32];

	qsort(ns->v, ns->n, sizeof(*ns->v), by_task);
	if (!tb)
		return;
	scols_table_enable_raw(tb, s->raw);
	scols_table_enable_noheadings(tb, s->noheadings);
	for (size_t c = 0; c < 5; c++)
		if (!scols_table_new_column(tb, names[c], c == 0 ? 8 : 6, c >= 2 ? SCOLS_FL_RIGHT : 0)) {
			scols_unref_table(tb);
			return;
		}
	for (size_t k = 0; k <= ns->n; k++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		const struct front_node *nd = k < ns->n ? &ns->v[k] : NULL;

		if (!ln)
			break;
		if (!nd) {
			/* The total: everything moved, the worst status. */
			scols_line_set_data(ln, 0, "total");
			scols_line_set_data(ln, 1, status_word(front_nodes_status(ns)));
			scols_line_set_data(ln, 2, any ? front_size_text(s, moved, x, sizeof(x)) : "-");
			scols_line_set_data(ln, 3, any ? front_size_text(s, left, x, sizeof(x)) : "-");
			snprintf(buf, sizeof(buf), "%" PRIu64, pages);
			scols_line_set_data(ln, 4, any && pages_known ? buf : "-");
			break;
		}
		scols_line_set_data(ln, 0, node_name(nd, buf, sizeof(buf)));
		/* A node that moved nothing (refused, no such job there) has no target: its exit status speaks. */
		scols_line_set_data(ln, 1, nd->reported ? nd->outcome : status_word(node_status(nd)));
		scols_line_set_data(ln, 2, nd->reported ? front_size_text(s, nd->moved, x, sizeof(x)) : "-");
		scols_line_set_data(ln, 3, nd->reported ? front_size_text(s, nd->left_bytes, x, sizeof(x)) : "-");
		snprintf(buf, sizeof(buf), "%" PRIu64, nd->left_pages);
		scols_line_set_data(ln, 4, nd->reported && nd->pages_known ? buf : "-");
		moved += nd->moved;
		left += nd->left_bytes;
		pages += nd->left_pages;
		if (nd->reported && !nd->pages_known)
			pages_known = false;
		any |= nd->reported;
	}
	scols_table_set_stream(tb, out);
	scols_print_table(tb);
	scols_unref_table(tb);
	/* Why pages were not moved, node by node; then what each node said. */
	for (size_t k = 0; k < ns->n; k++) {
		const struct front_node *nd = &ns->v[k];

		for (int r = 0; r < NUMAMOVE_REASON_COUNT; r++)
			if (nd->reason_pages[r])
				fprintf(out, "%s: %" PRIu64 " pages (%s) not moved: %s\n", node_name(nd, buf, sizeof(buf)),
					nd->reason_pages[r], front_size_text(s, nd->reason_bytes[r], x, sizeof(x)),
					numamove_reason_text(r));
	}
	fflush(out);
}

void front_nodes_diagnostics(FILE *err, const struct front_style *s, const struct front_nodes *ns)
{
	char buf[64];

	for (size_t k = 0; k < ns->n; k++) {
		const struct front_node *nd = &ns->v[k];
		size_t plen = strlen(s->prefix);

		for (size_t e = 0; e < nd->n_errs; e++) {
			const char *line = nd->errs[e];

			/* "numamove: slurm job 5: ..." there reads "numamove: NODE: slurm job 5: ..." here. */
			if (strncmp(line, s->prefix, plen) == 0 && strncmp(line + plen, ": ", 2) == 0)
				line += plen + 2;
			fprintf(err, "%s: %s: %s\n", s->prefix, node_name(nd, buf, sizeof(buf)), line);
		}
		if (nd->status < 0)
			fprintf(err, "%s: %s: no report from this node\n", s->prefix, node_name(nd, buf, sizeof(buf)));
	}
}

static void json_size(FILE *out, bool bytes, uint64_t v)
{
	char x[32];

	if (bytes)
		fprintf(out, "%" PRIu64, v);
	else
		fprintf(out, "\"%s\"", size_to_human(v, x, sizeof(x)));
}

int front_nodes_json(FILE *out, struct front_nodes *ns, bool bytes)
{
	uint64_t moved = 0, left = 0;
	char buf[64];

	qsort(ns->v, ns->n, sizeof(*ns->v), by_task);
	fputs("{\n   \"nodes\": [", out);
	for (size_t k = 0; k < ns->n; k++) {
		const struct front_node *nd = &ns->v[k];

		fputs(k ? ",\n      {" : "\n      {", out);
		fputs("\"node\": ", out);
		front_json_string(out, node_name(nd, buf, sizeof(buf)));
		fprintf(out, ", \"exit\": %d, \"status\": ", node_status(nd));
		front_json_string(out, nd->reported ? nd->outcome : status_word(node_status(nd)));
		fputs(", \"moved\": ", out);
		if (nd->reported)
			json_size(out, bytes, nd->moved);
		else
			fputs("null", out);
		fputs(", \"not-moved\": ", out);
		if (nd->reported)
			json_size(out, bytes, nd->left_bytes);
		else
			fputs("null", out);
		if (nd->reported && nd->pages_known)
			fprintf(out, ", \"pages-not-moved\": %" PRIu64, nd->left_pages);
		else
			fputs(", \"pages-not-moved\": null", out);
		fputs(", \"errors\": [", out);
		for (size_t e = 0; e < nd->n_errs; e++) {
			if (e)
				fputs(", ", out);
			front_json_string(out, nd->errs[e]);
		}
		/* The node's own numamove move -J document, as it wrote it. */
		fputs("],\n       \"report\": ", out);
		fputs(nd->json && nd->status >= 0 ? nd->json : "null\n", out);
		fputs("      }", out);
		moved += nd->moved;
		left += nd->left_bytes;
	}
	fprintf(out, "\n   ],\n   \"total\": {\"nodes\": %zu, \"exit\": %d, \"status\": ", ns->n, front_nodes_status(ns));
	front_json_string(out, status_word(front_nodes_status(ns)));
	fputs(", \"moved\": ", out);
	json_size(out, bytes, moved);
	fputs(", \"not-moved\": ", out);
	json_size(out, bytes, left);
	fputs("}\n}\n", out);
	return fflush(out) == 0 ? 0 : -errno;
}
