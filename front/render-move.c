/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A move report as text: what numamove move prints for each target, and
 * what numamoved hands to its clients in the same words (a client of the
 * daemon prints exactly what the command would have printed). Results go
 * to one stream, diagnostics to another; nothing here exits, so a daemon
 * can render into memory streams.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libsmartcols.h>

#include "front.h"

const char *front_size_text(const struct front_style *s, uint64_t bytes, char *buf, size_t size)
{
	if (s->bytes) {
		snprintf(buf, size, "%" PRIu64, bytes);
		return buf;
	}
	return size_to_human(bytes, buf, size);
}

/* "PREFIX: MESSAGE" on @err. */
static void diag(FILE *err, const struct front_style *s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void diag(FILE *err, const struct front_style *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(err, "%s: ", s->prefix);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputc('\n', err);
}

static void set_cell(struct libscols_line *ln, size_t c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_cell(struct libscols_line *ln, size_t c, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	scols_line_set_data(ln, c, buf);
}

static void set_size(struct libscols_line *ln, size_t c, const struct front_style *s, uint64_t bytes)
{
	char buf[32];

	scols_line_set_data(ln, c, front_size_text(s, bytes, buf, sizeof(buf)));
}

/* A table with @n right-aligned columns (the last @left ones left-aligned), as -r and -n say. */
static struct libscols_table *small_table(const struct front_style *s, const char *const *names,
					   const double *whints, size_t n, size_t left)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		return NULL;
	scols_table_enable_raw(tb, s->raw);
	scols_table_enable_noheadings(tb, s->noheadings);
	for (size_t c = 0; c < n; c++)
		if (!scols_table_new_column(tb, names[c], whints[c], c + left >= n ? 0 : SCOLS_FL_RIGHT)) {
			scols_unref_table(tb);
			return NULL;
		}
	return tb;
}

static void print_table(FILE *out, struct libscols_table *tb)
{
	scols_table_set_stream(tb, out);
	scols_print_table(tb);
	scols_unref_table(tb);
}

/* NODE BEFORE AFTER, one row per node that had or has memory of target @i. */
static void print_node_table(FILE *out, const struct front_style *s, const struct numamove_report *rep, size_t i)
{
	static const char *const names[] = { "NODE", "BEFORE", "AFTER" };
	static const double whints[] = { 4, 6, 6 };
	const struct numamove_nodelist *nodes = numamove_report_nodes(rep);
	struct libscols_table *tb = small_table(s, names, whints, 3, 0);

	if (!tb)
		return;
	for (size_t k = 0; k < numamove_nodelist_count(nodes); k++) {
		int node = numamove_nodelist_get(nodes, k);
		uint64_t b = numamove_report_bytes_before(rep, i, node), f = numamove_report_bytes_after(rep, i, node);
		struct libscols_line *ln;

		if (!b && !f)
			continue;
		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			break;
		set_cell(ln, 0, "%d", node);
		set_size(ln, 1, s, b);
		if (numamove_report_has_after(rep, i))
			set_size(ln, 2, s, f);
		else
			set_cell(ln, 2, "?");
	}
	print_table(out, tb);
}

/* The nodes a whole-process move takes that hold none of its memory: where their policies and CPUs go. */
static void print_plan_extra(FILE *out, const struct numamove_plan *plan, const char *label)
{
	const struct numamove_nodelist *extra = numamove_plan_extra(plan);
	struct numamove_nodelist *to = NULL;
	char f[256], t[256];

	if (!extra || !numamove_nodelist_count(extra) || numamove_plan_map_nodes(plan, extra, &to) < 0)
		return;
	numamove_nodelist_format(extra, f, sizeof(f));
	numamove_nodelist_format(to, t, sizeof(t));
	fprintf(out, "%s: nodes it uses without memory there (policies, CPUs): %s -> %s\n", label, f, t);
	numamove_nodelist_free(to);
}

/* A dry run: FROM TO SIZE DEST-FREE FITS, as the real move would check it. */
static void print_plan(FILE *out, const struct front_style *s, const struct numamove_report *rep, size_t i,
		       const char *label)
{
	static const char *const names[] = { "FROM", "TO", "SIZE", "DEST-FREE", "FITS" };
	static const double whints[] = { 4, 4, 6, 6, 4 };
	const struct numamove_plan *plan = numamove_report_plan(rep, i);
	const struct numamove_nodelist *from = numamove_plan_from(plan);
	struct numamove_topology *topo = NULL;
	struct libscols_table *tb = small_table(s, names, whints, 5, 1);
	char x[32];

	fprintf(out, "%s: plan, nothing moved:\n", label);
	if (numamove_topology_load(NULL, &topo) < 0)
		topo = NULL;
	for (size_t k = 0; tb && k < numamove_nodelist_count(from); k++) {
		int src = numamove_nodelist_get(from, k), dst = numamove_plan_dest(plan, src);
		struct libscols_line *ln;

		if (dst < 0)
			continue;
		ln = scols_table_new_line(tb, NULL);
		if (!ln)
			break;
		set_cell(ln, 0, "%d", src);
		set_cell(ln, 1, "%d", dst);
		set_size(ln, 2, s, numamove_plan_bytes(plan, src, dst));
		set_size(ln, 3, s, topo ? numamove_node_mem_free(topo, dst) : 0);
		set_cell(ln, 4, "%s", numamove_report_fits(rep, i, dst, NULL) == 0 ? "yes" : "no");
	}
	if (tb)
		print_table(out, tb);
	numamove_topology_free(topo);
	fprintf(out, "total: %s\n", front_size_text(s, numamove_plan_bytes(plan, -1, -1), x, sizeof(x)));
	print_plan_extra(out, plan, label);
}

/*
 * What the rebinding did (or, for a dry run, would do), in lines like
 * those of the CPU affinity: threads with the same change counted together.
 */
static void print_rebind(FILE *out, FILE *err, const struct front_style *s, const struct numamove_policy_report *rep,
			 const char *label, bool failures_only)
{
	struct front_group groups[16];
	size_t n_groups = 0;
	bool planned = false;

	for (size_t k = 0; k < numamove_policy_report_count(rep); k++) {
		enum numamove_policy_status st = numamove_policy_report_status(rep, k);
		pid_t tid = numamove_policy_report_tid(rep, k);
		int e = numamove_policy_report_error(rep, k);
		char *b, *f;

		planned = st == NUMAMOVE_POLICY_STATUS_PLANNED;
		if (failures_only && st != NUMAMOVE_POLICY_STATUS_FAILED)
			continue;
		b = front_policy_text_alloc(numamove_policy_report_before(rep, k));
		f = front_policy_text_alloc(numamove_policy_report_after(rep, k));
		if (!b || !f) {
			free(b);
			free(f);
			break;
		}
		switch (st) {
		case NUMAMOVE_POLICY_STATUS_CHANGED:
		case NUMAMOVE_POLICY_STATUS_PLANNED:
			if (tid && !front_group_add(groups, &n_groups, 16, b, f))
				fprintf(out, "%s: thread %d: %stask policy %s -> %s\n", label, (int)tid,
					planned ? "would rebind the " : "", b, f);
			else if (!tid)
				fprintf(out, "%s: %spolicy of mapping %" PRIx64 "-%" PRIx64 ": %s -> %s\n", label,
					planned ? "would rebind the " : "", numamove_policy_report_start(rep, k),
					numamove_policy_report_end(rep, k), b, f);
			break;
		case NUMAMOVE_POLICY_STATUS_FAILED:
			if (tid)
				diag(err, s, "%s: thread %d: cannot rebind its policy (%s -> %s): %s", label, (int)tid, b, f,
				     strerror(e < 0 ? -e : e));
			else
				diag(err, s, "%s: mapping %" PRIx64 ": cannot rebind its policy (%s -> %s): %s", label,
				     numamove_policy_report_start(rep, k), b, f, strerror(e < 0 ? -e : e));
			break;
		case NUMAMOVE_POLICY_STATUS_SKIPPED:
			fprintf(out, "%s: mapping %" PRIx64 ": a shared object's policy (%s), left as it is\n", label,
				numamove_policy_report_start(rep, k), b);
			break;
		default:
			break;
		}
		free(b);
		free(f);
	}
	for (size_t k = 0; k < n_groups; k++)
		fprintf(out, "%s: %stask policy of %zu thread%s: %s -> %s\n", label, planned ? "would rebind the " : "",
			groups[k].n, groups[k].n == 1 ? "" : "s", groups[k].before, groups[k].after);
	front_groups_free(groups, n_groups);
}

/* The CPU affinity changes: threads with the same change counted together. */
static void print_affinity(FILE *out, const struct numamove_affinity *aff, const char *label)
{
	struct front_group groups[16];
	size_t n_groups = 0;

	if (!front_affinity_groups(aff, groups, &n_groups, 16)) {
		/* Too many different changes to group: one line each. */
		front_groups_free(groups, n_groups);
		n_groups = 0;
		for (size_t k = 0; k < numamove_affinity_count(aff); k++)
			if (numamove_affinity_status(aff, k) == NUMAMOVE_AFFINITY_SET)
				fprintf(out, "%s: thread %d: CPU affinity %s -> %s\n", label,
					(int)numamove_affinity_tid(aff, k), numamove_affinity_cpus_before(aff, k),
					numamove_affinity_cpus_after(aff, k));
	}
	for (size_t k = 0; k < n_groups; k++)
		fprintf(out, "%s: CPU affinity of %zu thread%s: %s -> %s\n", label, groups[k].n,
			groups[k].n == 1 ? "" : "s", groups[k].before, groups[k].after);
	front_groups_free(groups, n_groups);
}

/* What moved, per node, and every page left with its reason: renice's "old -> new". */
static void print_moved(FILE *out, const struct front_style *s, const struct numamove_report *rep, size_t i,
			const char *label)
{
	const struct numamove_result *res = numamove_report_result(rep, i);
	char m[32], l[32];

	fprintf(out, "%s: moved %s", label, front_size_text(s, numamove_result_bytes_moved(res), m, sizeof(m)));
	if (numamove_result_sweep_bytes(res))
		fprintf(out, " (and %s faulted in meanwhile, by the final sweep)",
			front_size_text(s, numamove_result_sweep_bytes(res), m, sizeof(m)));
	fprintf(out, ", %" PRIu64 " pages (%s) not moved\n", numamove_result_pages_left(res, -1),
		front_size_text(s, numamove_result_bytes_left(res, -1), l, sizeof(l)));
	if (s->timing)
		fprintf(out, "%s: the longest of %" PRIu64 " calls took %.1f ms\n", label, numamove_result_calls(res),
			(double)numamove_result_max_call_ns(res) / 1e6);
	print_node_table(out, s, rep, i);
	for (int r = 0; numamove_reason_text(r); r++) {
		uint64_t n = numamove_result_pages_left(res, r);

		if (n)
			fprintf(out, "%s: %" PRIu64 " pages (%s) not moved: %s\n", label, n,
				front_size_text(s, numamove_result_bytes_left(res, r), l, sizeof(l)),
				numamove_reason_text(r));
	}
}

static void print_cgroup(FILE *out, const struct front_style *s, const struct numamove_report *rep, size_t i,
			 const char *label)
{
	size_t n = numamove_report_cgroup_procs(rep, i);
	char o[256] = "?", m[256] = "?", x[32];

	if (numamove_report_mems_before(rep, i))
		numamove_nodelist_format(numamove_report_mems_before(rep, i), o, sizeof(o));
	if (numamove_report_mems_after(rep, i))
		numamove_nodelist_format(numamove_report_mems_after(rep, i), m, sizeof(m));
	if (numamove_report_outcome(rep, i) == NUMAMOVE_OUTCOME_PLANNED) {
		fprintf(out, "%s (%zu process%s): would set cpuset.mems %s -> %s; nothing moved\n", label, n,
			n == 1 ? "" : "es", o, m);
		return;
	}
	fprintf(out, "%s (%zu process%s): cpuset.mems %s -> %s; the kernel moved %s", label, n, n == 1 ? "" : "es", o,
		m, front_size_text(s, numamove_report_bytes_moved(rep, i), x, sizeof(x)));
	fprintf(out, ", %s stays on nodes outside cpuset.mems\n",
		front_size_text(s, numamove_report_bytes_left(rep, i), x, sizeof(x)));
	print_node_table(out, s, rep, i);
}

struct message_ctx {
	FILE *err;
	const struct front_style *s;
};

static void print_message(const char *line, void *userdata)
{
	const struct message_ctx *c = userdata;

	diag(c->err, c->s, "%s", line);
}

void front_move_request_notes(FILE *err, const struct front_style *s, const struct numamove_report *rep)
{
	struct message_ctx c = { err, s };

	front_each_message(rep, NUMAMOVE_REPORT_REQUEST, print_message, &c);
}

void front_move_target(FILE *out, FILE *err, const struct front_style *s, const struct numamove_report *rep,
		       size_t i)
{
	enum numamove_outcome outcome = numamove_report_outcome(rep, i);
	bool done = outcome == NUMAMOVE_OUTCOME_DONE || outcome == NUMAMOVE_OUTCOME_PARTIAL;
	bool cgroup = numamove_report_kind(rep, i) == NUMAMOVE_TARGET_CGROUP;
	const struct numamove_policy_report *rebind = numamove_report_rebind(rep, i);
	struct message_ctx c = { err, s };
	char label[4200];

	front_label(rep, i, label, sizeof(label));
	if (!s->json && cgroup) {
		if (done || outcome == NUMAMOVE_OUTCOME_PLANNED)
			print_cgroup(out, s, rep, i, label);
	} else if (!s->json && outcome == NUMAMOVE_OUTCOME_PLANNED) {
		print_plan(out, s, rep, i, label);
		if (rebind)
			print_rebind(out, err, s, rebind, label, false);
	} else if (rebind) {
		/* Policies rebound stay rebound, whatever happened to the pages after. */
		print_rebind(out, err, s, rebind, label, s->json);
	}
	/* A process's shared memory left without a move (out of reach, shared outside) has no result. */
	if (!s->json && done && !cgroup && numamove_report_result(rep, i)) {
		print_moved(out, s, rep, i, label);
		if (numamove_report_policy_after(rep, i))
			fprintf(out, "%s: policy %s -> %s\n", label,
				numamove_report_policy_before(rep, i) ? numamove_report_policy_before(rep, i) : "?",
				numamove_report_policy_after(rep, i));
		if (numamove_report_affinity(rep, i))
			print_affinity(out, numamove_report_affinity(rep, i), label);
	}
	front_each_message(rep, i, print_message, &c);
	fflush(out);
}

void front_progress_json(FILE *err, const char *subject, const struct numamove_event *ev)
{
	bool finished = ev->phase == NUMAMOVE_PHASE_MOVED;

	fputs("{\"subject\": ", err);
	front_json_string(err, subject);
	fprintf(err, ", \"bytes_done\": %" PRIu64 ", \"bytes_total\": %" PRIu64 ", \"elapsed_s\": %.3f, "
		"\"rate_bytes_s\": %" PRIu64 ", \"eta_s\": %.3f, \"finished\": %s", ev->bytes_done, ev->bytes_total,
		(double)ev->elapsed_ns / 1e9, ev->rate, (double)ev->eta_ns / 1e9, finished ? "true" : "false");
	if (finished)
		fprintf(err, ", \"max_call_ms\": %.3f", (double)ev->max_call_ns / 1e6);
	fputs("}\n", err);
	fflush(err);
}

void front_progress_text(FILE *err, const char *prefix, const char *subject, const struct numamove_event *ev)
{
	char a[32], b[32], r[32];

	fprintf(err, "\r%s: moving %s: %s of %s, %s/s", prefix, subject, size_to_human(ev->bytes_done, a, sizeof(a)),
		size_to_human(ev->bytes_total, b, sizeof(b)), size_to_human(ev->rate, r, sizeof(r)));
	if (ev->eta_ns)
		fprintf(err, ", %.0f s left   ", (double)ev->eta_ns / 1e9);
	else
		fputs("            ", err);
}
