/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CPU affinity follows the memory: after a move, each thread's CPUs local
 * to a source node are replaced by the CPUs of that node's destination, so
 * that what the process allocates next by first touch lands on the new
 * nodes; after a whole-process move, every thread ends on CPUs of the
 * destination nodes (map_cpus()).
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define MAX_CPUS NM_MAX_CPUS

struct nm_thread_affinity {
	pid_t tid;
	enum numamove_affinity_status status;
	int error;
	char *before, *after;
};

struct numamove_affinity {
	struct nm_thread_affinity *t;
	size_t n;
};

NM_EXPORT void numamove_affinity_free(struct numamove_affinity *report)
{
	if (!report)
		return;
	for (size_t i = 0; i < report->n; i++) {
		free(report->t[i].before);
		free(report->t[i].after);
	}
	free(report->t);
	free(report);
}

static char *format_set(const cpu_set_t *set, size_t size)
{
	struct nm_bits b = { 0 };
	char *s = NULL;
	int len;

	for (size_t c = 0; c < MAX_CPUS; c++)
		if (CPU_ISSET_S(c, size, set) && nm_bits_set(&b, c) < 0)
			goto out;
	len = nm_bits_format(&b, NULL, 0);
	s = len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (s)
		nm_bits_format(&b, s, (size_t)len + 1);
out:
	nm_bits_clear(&b);
	return s;
}

int nm_thread_cpu_nodes(pid_t tid, const struct numamove_topology *topo, struct nm_bits *set)
{
	size_t size = CPU_ALLOC_SIZE(MAX_CPUS);
	cpu_set_t *cpus = CPU_ALLOC(MAX_CPUS);
	int r = 0;

	if (!cpus)
		return -ENOMEM;
	if (sched_getaffinity(tid, size, cpus) < 0)
		r = -errno;
	for (size_t c = 0; r == 0 && c < MAX_CPUS; c++) {
		int node = CPU_ISSET_S(c, size, cpus) ? nm_topology_cpu_node(topo, (int)c) : -1;

		if (node >= 0)
			r = nm_bits_set(set, (size_t)nm_topology_memory_node(topo, node));
	}
	CPU_FREE(cpus);
	return r;
}

/* Adds the CPUs of @node (in the plan's snapshot of TO) to @to; false when it has none. */
static bool add_node_cpus(const struct numamove_plan *plan, int node, cpu_set_t *to, size_t size)
{
	int k = numamove_nodelist_index(plan->to, node);
	const struct nm_bits *cpus = k >= 0 ? &plan->dests[k].cpus : NULL;
	bool any = false;

	for (size_t c = 0; cpus && c < cpus->nbits && c < MAX_CPUS; c++)
		if (nm_bits_test(cpus, c)) {
			CPU_SET_S(c, size, to);
			any = true;
		}
	return any;
}

/*
 * Computes @to from @from; returns false when the thread's CPUs cannot
 * follow (a destination without CPUs), so that it is left alone.
 *
 * Each CPU follows the memory node local to it (a CPU of a memoryless node:
 * its nearest node with memory) to that node's destination's CPUs. With
 * --from that is all: other CPUs stay. A whole-process plan moves every
 * thread onto the CPUs of TO: a CPU of a destination node stays, and any
 * other CPU that cannot follow to a destination with CPUs is replaced by
 * the CPUs of every node of TO that has some.
 */
static bool map_cpus(const struct numamove_plan *plan, const struct numamove_topology *topo,
		     const cpu_set_t *from, cpu_set_t *to, size_t size)
{
	bool foreign = false;

	CPU_ZERO_S(size, to);
	for (size_t c = 0; c < MAX_CPUS; c++) {
		int node, dst;

		if (!CPU_ISSET_S(c, size, from))
			continue;
		node = nm_topology_cpu_node(topo, (int)c);
		dst = node >= 0 ? nm_plan_follow(plan, nm_topology_memory_node(topo, node)) : -1;
		if (dst >= 0 && add_node_cpus(plan, dst, to, size))
			continue;
		if (!plan->whole) {
			if (dst >= 0)
				return false;
			CPU_SET_S(c, size, to);
		} else if (dst < 0 && node >= 0 && numamove_nodelist_contains(plan->to, node)) {
			CPU_SET_S(c, size, to);
		} else {
			foreign = true;
		}
	}
	if (foreign) {
		bool any = false;

		for (size_t k = 0; k < plan->to->n; k++)
			any |= add_node_cpus(plan, plan->to->ids[k], to, size);
		if (!any)
			return false;
	}
	return CPU_COUNT_S(size, to) > 0;
}

static void follow_one(const struct numamove_plan *plan, const struct numamove_topology *topo,
		       struct nm_thread_affinity *t, cpu_set_t *cur, cpu_set_t *want, size_t size)
{
	if (sched_getaffinity(t->tid, size, cur) < 0) {
		t->status = errno == ESRCH ? NUMAMOVE_AFFINITY_GONE : NUMAMOVE_AFFINITY_FAILED;
		t->error = -errno;
		return;
	}
	t->before = format_set(cur, size);
	if (!map_cpus(plan, topo, cur, want, size)) {
		t->status = NUMAMOVE_AFFINITY_NO_CPUS;
		t->after = strdup(t->before ? t->before : "");
		return;
	}
	t->after = format_set(want, size);
	if (CPU_EQUAL_S(size, cur, want)) {
		t->status = NUMAMOVE_AFFINITY_UNCHANGED;
		return;
	}
	if (sched_setaffinity(t->tid, size, want) < 0) {
		t->status = errno == ESRCH ? NUMAMOVE_AFFINITY_GONE : NUMAMOVE_AFFINITY_FAILED;
		t->error = -errno;
		free(t->after);
		t->after = strdup(t->before ? t->before : "");
		return;
	}
	t->status = NUMAMOVE_AFFINITY_SET;
}

NM_EXPORT int numamove_affinity_follow(const struct numamove_task *task, const struct numamove_plan *plan,
				       const struct numamove_topology *topo,
				       struct numamove_affinity **ret_report)
{
	size_t size = CPU_ALLOC_SIZE(MAX_CPUS), n = 0;
	cpu_set_t *cur = CPU_ALLOC(MAX_CPUS), *want = CPU_ALLOC(MAX_CPUS);
	struct numamove_affinity *rep = NULL;
	pid_t *tids = NULL;
	int r = -ENOMEM;

	if (!cur || !want)
		goto out;
	r = numamove_task_check(task);
	if (r < 0)
		goto out;
	r = numamove_task_threads(task, &tids, &n);
	if (r < 0)
		goto out;
	r = -ENOMEM;
	rep = calloc(1, sizeof(*rep));
	if (!rep || !(rep->t = calloc(n ? n : 1, sizeof(*rep->t))))
		goto out;
	for (size_t i = 0; i < n; i++) {
		rep->t[i].tid = tids[i];
		follow_one(plan, topo, &rep->t[i], cur, want, size);
		rep->n++;
	}
	/* Threads started meanwhile are not covered: say the process exited if it did. */
	r = numamove_task_check(task);
	if (r < 0)
		goto out;
	*ret_report = TAKE_PTR(rep);
	r = 0;
out:
	numamove_affinity_free(rep);
	free(tids);
	CPU_FREE(cur);
	CPU_FREE(want);
	return r;
}

NM_EXPORT size_t numamove_affinity_count(const struct numamove_affinity *report)
{
	return report->n;
}

NM_EXPORT pid_t numamove_affinity_tid(const struct numamove_affinity *report, size_t i)
{
	return i < report->n ? report->t[i].tid : -1;
}

NM_EXPORT enum numamove_affinity_status numamove_affinity_status(const struct numamove_affinity *report,
								  size_t i)
{
	return i < report->n ? report->t[i].status : NUMAMOVE_AFFINITY_GONE;
}

NM_EXPORT int numamove_affinity_error(const struct numamove_affinity *report, size_t i)
{
	return i < report->n ? report->t[i].error : 0;
}

NM_EXPORT const char *numamove_affinity_cpus_before(const struct numamove_affinity *report, size_t i)
{
	return i < report->n && report->t[i].before ? report->t[i].before : "";
}

NM_EXPORT const char *numamove_affinity_cpus_after(const struct numamove_affinity *report, size_t i)
{
	return i < report->n && report->t[i].after ? report->t[i].after : "";
}
