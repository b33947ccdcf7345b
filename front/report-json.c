/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A move report as JSON (numamove move -J, and what numamoved hands to
 * programs): one object per target, its nodes as children, written by
 * libsmartcols so that the shape is util-linux's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libsmartcols.h>

#include "front.h"

enum {
	COL_PID, COL_COMM, COL_OBJECT, COL_TYPE, COL_POLICY, COL_CGROUP, COL_ROUTE, COL_STATUS, COL_REASON, COL_MOVED,
	COL_LEFT, COL_LEFT_BYTES, COL_LEFT_BYTES_MAX, COL_SHARED, COL_BUSY, COL_NOMEM, COL_UNMOVABLE, COL_GONE, COL_OTHER, COL_REBOUND,
	COL_REBIND_FAILED, COL_ENGINE, COL_JOBS, COL_SWEEP, COL_CALLS, COL_MAX_CALL, COL_NODE, COL_BEFORE, COL_AFTER,
	COL_STAY, COL_STAY_THREADS, COL_THREADS, COL_CPUS_BEFORE, COL_CPUS_AFTER,
};

static const struct {
	const char *name;
	int json_type; /* -1: a size (a string, or a number with bytes) */
} cols[] = {
	[COL_PID] = { "PID", SCOLS_JSON_NUMBER },
	[COL_COMM] = { "COMM", SCOLS_JSON_STRING },
	[COL_OBJECT] = { "OBJECT", SCOLS_JSON_STRING },
	[COL_TYPE] = { "TYPE", SCOLS_JSON_STRING },
	[COL_POLICY] = { "POLICY", SCOLS_JSON_STRING },
	[COL_CGROUP] = { "CGROUP", SCOLS_JSON_STRING },
	[COL_ROUTE] = { "ROUTE", SCOLS_JSON_STRING },
	[COL_STATUS] = { "STATUS", SCOLS_JSON_STRING },
	[COL_REASON] = { "REASON", SCOLS_JSON_STRING },
	[COL_MOVED] = { "MOVED", -1 },
	[COL_LEFT] = { "LEFT", SCOLS_JSON_NUMBER },
	[COL_LEFT_BYTES] = { "LEFT-BYTES", -1 },
	[COL_LEFT_BYTES_MAX] = { "LEFT-BYTES-MAX", -1 },
	[COL_SHARED] = { "SHARED", SCOLS_JSON_NUMBER },
	[COL_BUSY] = { "BUSY", SCOLS_JSON_NUMBER },
	[COL_NOMEM] = { "NOMEM", SCOLS_JSON_NUMBER },
	[COL_UNMOVABLE] = { "UNMOVABLE", SCOLS_JSON_NUMBER },
	[COL_GONE] = { "GONE", SCOLS_JSON_NUMBER },
	[COL_OTHER] = { "OTHER", SCOLS_JSON_NUMBER },
	[COL_REBOUND] = { "REBOUND", SCOLS_JSON_NUMBER },
	[COL_REBIND_FAILED] = { "REBIND-FAILED", SCOLS_JSON_NUMBER },
	[COL_ENGINE] = { "ENGINE", SCOLS_JSON_STRING },
	[COL_JOBS] = { "JOBS", SCOLS_JSON_NUMBER },
	[COL_SWEEP] = { "SWEEP", -1 },
	[COL_CALLS] = { "CALLS", SCOLS_JSON_NUMBER },
	[COL_MAX_CALL] = { "MAX-CALL-MS", SCOLS_JSON_NUMBER },
	[COL_NODE] = { "NODE", SCOLS_JSON_NUMBER },
	[COL_BEFORE] = { "BEFORE", -1 },
	[COL_AFTER] = { "AFTER", -1 },
	[COL_STAY] = { "STAY-POLICY", SCOLS_JSON_STRING },
	[COL_STAY_THREADS] = { "STAY-THREADS", SCOLS_JSON_NUMBER },
	[COL_THREADS] = { "THREADS", SCOLS_JSON_NUMBER },
	[COL_CPUS_BEFORE] = { "CPUS-BEFORE", SCOLS_JSON_STRING },
	[COL_CPUS_AFTER] = { "CPUS-AFTER", SCOLS_JSON_STRING },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

/* The columns of move_pages(2) reasons, in enum numamove_reason's order. */
static const int reason_cols[] = { COL_SHARED, COL_BUSY, COL_NOMEM, COL_UNMOVABLE, COL_GONE, COL_OTHER };

static int cell(struct libscols_line *ln, size_t c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int cell(struct libscols_line *ln, size_t c, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return scols_line_set_data(ln, c, buf);
}

static int cell_size(struct libscols_line *ln, size_t c, bool bytes, uint64_t v)
{
	char buf[32];

	if (bytes)
		return cell(ln, c, "%" PRIu64, v);
	return cell(ln, c, "%s", size_to_human(v, buf, sizeof(buf)));
}

/* Whether the request tried to rebind the process's policies (not --memory-only). */
static bool rebind_tried(const struct numamove_report *rep, size_t i)
{
	if (numamove_report_rebind(rep, i))
		return true;
	for (size_t k = 0; k < numamove_report_note_count(rep, i); k++)
		if (numamove_report_note(rep, i, k)->why == NUMAMOVE_NOTE_REBIND_FAILED)
			return true;
	return false;
}

/* The threads' affinity changes, grouped by change (one child each). */
static int add_affinity(struct libscols_table *tb, struct libscols_line *ln, const struct numamove_affinity *aff)
{
	struct front_group g[64];
	size_t n = 0;
	bool grouped;
	int r = 0;

	if (!aff)
		return 0;
	grouped = front_affinity_groups(aff, g, &n, sizeof(g) / sizeof(g[0]));
	/* Too many different changes to group: one child per thread. */
	for (size_t k = 0; !grouped && k < numamove_affinity_count(aff); k++) {
		struct libscols_line *child;

		if (numamove_affinity_status(aff, k) != NUMAMOVE_AFFINITY_SET)
			continue;
		child = scols_table_new_line(tb, ln);
		if (!child) {
			r = -ENOMEM;
			break;
		}
		cell(child, COL_THREADS, "1");
		cell(child, COL_PID, "%d", (int)numamove_affinity_tid(aff, k));
		cell(child, COL_CPUS_BEFORE, "%s", numamove_affinity_cpus_before(aff, k));
		cell(child, COL_CPUS_AFTER, "%s", numamove_affinity_cpus_after(aff, k));
	}
	for (size_t k = 0; grouped && r == 0 && k < n; k++) {
		struct libscols_line *child = scols_table_new_line(tb, ln);

		if (!child) {
			r = -ENOMEM;
			break;
		}
		cell(child, COL_THREADS, "%zu", g[k].n);
		cell(child, COL_CPUS_BEFORE, "%s", g[k].before);
		cell(child, COL_CPUS_AFTER, "%s", g[k].after);
	}
	front_groups_free(g, n);
	return r;
}

static int add_target(struct libscols_table *tb, const struct numamove_report *rep, size_t i, bool bytes)
{
	const struct numamove_result *res = numamove_report_result(rep, i);
	const struct numamove_detail *why = numamove_report_why(rep, i);
	const struct numamove_nodelist *nodes = numamove_report_nodes(rep);
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	int type = numamove_report_object_type(rep, i);

	if (!ln)
		return -ENOMEM;
	switch (numamove_report_kind(rep, i)) {
	case NUMAMOVE_TARGET_OBJECT:
		cell(ln, COL_OBJECT, "%s", numamove_report_name(rep, i));
		if (type >= 0)
			cell(ln, COL_TYPE, "%s", numamove_object_type_name(type));
		if (numamove_report_policy_after(rep, i))
			cell(ln, COL_POLICY, "%s", numamove_report_policy_after(rep, i));
		break;
	case NUMAMOVE_TARGET_CGROUP:
		cell(ln, COL_CGROUP, "%s", numamove_report_name(rep, i));
		cell(ln, COL_ROUTE, "cgroup");
		break;
	default:
		if (numamove_report_pid(rep, i))
			cell(ln, COL_PID, "%d", (int)numamove_report_pid(rep, i));
		else
			cell(ln, COL_PID, "%s", numamove_report_name(rep, i));
		if (numamove_report_comm(rep, i))
			cell(ln, COL_COMM, "%s", numamove_report_comm(rep, i));
		cell(ln, COL_ROUTE, "pages");
		break;
	}
	cell(ln, COL_STATUS, "%s", front_status_name(rep, i));
	if (why)
		cell(ln, COL_REASON, "%s", numamove_why_name(why->why));
	if (res) {
		cell_size(ln, COL_MOVED, bytes, numamove_result_bytes_moved(res));
		cell(ln, COL_LEFT, "%" PRIu64, numamove_result_pages_left(res, -1));
		cell_size(ln, COL_LEFT_BYTES, bytes, numamove_result_bytes_left(res, -1));
		for (size_t r = 0; r < sizeof(reason_cols) / sizeof(reason_cols[0]); r++)
			cell(ln, (size_t)reason_cols[r], "%" PRIu64, numamove_result_pages_left(res, (int)r));
		cell(ln, COL_ENGINE, "%s", numamove_engine_name(numamove_result_engine(res)));
		cell(ln, COL_JOBS, "%u", numamove_result_jobs(res));
		cell_size(ln, COL_SWEEP, bytes, numamove_result_sweep_bytes(res));
		cell(ln, COL_CALLS, "%" PRIu64, numamove_result_calls(res));
		cell(ln, COL_MAX_CALL, "%.3f", (double)numamove_result_max_call_ns(res) / 1e6);
	} else if (numamove_report_kind(rep, i) == NUMAMOVE_TARGET_OBJECT && why && why->why == NUMAMOVE_WHY_UNREACHABLE) {
		/* A process's shared memory out of reach: its pages are not seen, only a bound is known. */
		cell_size(ln, COL_MOVED, bytes, 0);
		cell_size(ln, COL_LEFT_BYTES_MAX, bytes, why->need);
	} else if (numamove_report_kind(rep, i) == NUMAMOVE_TARGET_OBJECT && numamove_report_bytes_left(rep, i)) {
		/* Left without a move: a process's shared memory out of reach, or shared outside the request. */
		cell_size(ln, COL_MOVED, bytes, 0);
		cell_size(ln, COL_LEFT_BYTES, bytes, numamove_report_bytes_left(rep, i));
	} else if (numamove_report_kind(rep, i) == NUMAMOVE_TARGET_CGROUP && numamove_report_has_after(rep, i)) {
		/* The kernel moved it: bytes are known, pages (of mixed sizes) are not. */
		cell_size(ln, COL_MOVED, bytes, numamove_report_bytes_moved(rep, i));
		cell_size(ln, COL_LEFT_BYTES, bytes, numamove_report_bytes_left(rep, i));
	}
	if (numamove_report_kind(rep, i) == NUMAMOVE_TARGET_PROCESS && rebind_tried(rep, i)) {
		const struct numamove_policy_report *rb = numamove_report_rebind(rep, i);
		size_t done = 0, failed = rb ? 0 : 1;

		for (size_t k = 0; rb && k < numamove_policy_report_count(rb); k++) {
			done += numamove_policy_report_status(rb, k) == NUMAMOVE_POLICY_STATUS_CHANGED;
			failed += numamove_policy_report_status(rb, k) == NUMAMOVE_POLICY_STATUS_FAILED;
		}
		cell(ln, COL_REBOUND, "%zu", done);
		cell(ln, COL_REBIND_FAILED, "%zu", failed);
	}
	/* The policy the move gave threads that had none, so that the memory stays. */
	for (size_t k = 0; k < numamove_report_note_count(rep, i); k++) {
		const struct numamove_detail *d = numamove_report_note(rep, i, k);

		if (d->why == NUMAMOVE_NOTE_STAY) {
			cell(ln, COL_STAY, "%s", d->text ? d->text : "");
			cell(ln, COL_STAY_THREADS, "%" PRIu64, d->need);
		}
	}
	for (size_t k = 0; numamove_report_has_before(rep, i) && k < numamove_nodelist_count(nodes); k++) {
		int node = numamove_nodelist_get(nodes, k);
		uint64_t b = numamove_report_bytes_before(rep, i, node), a = numamove_report_bytes_after(rep, i, node);
		struct libscols_line *child;

		if (!b && !a)
			continue;
		child = scols_table_new_line(tb, ln);
		if (!child)
			return -ENOMEM;
		cell(child, COL_NODE, "%d", node);
		cell_size(child, COL_BEFORE, bytes, b);
		if (numamove_report_has_after(rep, i))
			cell_size(child, COL_AFTER, bytes, a);
	}
	return add_affinity(tb, ln, numamove_report_affinity(rep, i));
}

int front_move_json(FILE *out, const struct numamove_report *rep, bool bytes)
{
	struct libscols_table *tb = scols_new_table();
	int r = tb ? 0 : -ENOMEM;

	if (r == 0) {
		scols_table_enable_json(tb, 1);
		scols_table_set_name(tb, "moves");
		scols_table_set_stream(tb, out);
	}
	for (size_t c = 0; r == 0 && c < NCOLS; c++) {
		struct libscols_column *cl = scols_table_new_column(tb, cols[c].name, 1, c == COL_PID ? SCOLS_FL_TREE : 0);
		int type = cols[c].json_type < 0 ? (bytes ? SCOLS_JSON_NUMBER : SCOLS_JSON_STRING) : cols[c].json_type;

		if (!cl || scols_column_set_json_type(cl, type) < 0)
			r = -ENOMEM;
	}
	for (size_t i = 0; r == 0 && i < numamove_report_count(rep); i++)
		r = add_target(tb, rep, i, bytes);
	if (r == 0)
		r = scols_print_table(tb);
	scols_unref_table(tb);
	return r;
}
