/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CPU affinity follows the memory: after a move, each thread's CPUs on a
 * source node are replaced by the CPUs of that node's destination, so that
 * what the process allocates next by first touch lands on the new nodes.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/*
 * CPUs a thread's affinity is read and written for: the kernel's largest
 * NR_CPUS (CONFIG_NR_CPUS with MAXSMP on x86-64), so no machine's CPU is
 * left out of a mask.
 */
#define MAX_CPUS 8192

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

/*
 * The node whose memory a thread on a CPU of @node allocates from: @node
 * itself, or, for a CPU node without memory, the nearest node with memory
 * (the kernel's fallback for it, local_memory_node()). A move that takes
 * that memory node elsewhere takes such CPUs along.
 */
static int memory_node(const struct numamove_topology *topo, int node)
{
	const struct nm_node *n = nm_topology_node(topo, node);
	int best = node, best_distance = INT_MAX;

	if (!n || n->has_memory)
		return node;
	for (size_t k = 0; k < topo->n_nodes; k++) {
		int d = numamove_node_distance(topo, node, topo->nodes[k].id);

		if (topo->nodes[k].has_memory && d >= 0 && d < best_distance) {
			best = topo->nodes[k].id;
			best_distance = d;
		}
	}
	return best;
}

/* Computes @to from @from; returns false when a destination has no CPUs. */
static bool map_cpus(const struct numamove_plan *plan, const struct numamove_topology *topo,
		     const cpu_set_t *from, cpu_set_t *to, size_t size)
{
	CPU_ZERO_S(size, to);
	for (size_t c = 0; c < MAX_CPUS; c++) {
		const struct nm_node *dn;
		int node, dst;

		if (!CPU_ISSET_S(c, size, from))
			continue;
		node = nm_topology_cpu_node(topo, (int)c);
		dst = node >= 0 ? numamove_plan_dest(plan, memory_node(topo, node)) : -1;
		if (dst < 0) {
			CPU_SET_S(c, size, to);
			continue;
		}
		dn = nm_topology_node(topo, dst);
		if (!dn || !dn->has_cpus)
			return false;
		for (size_t k = 0; k < dn->cpus.nbits && k < MAX_CPUS; k++)
			if (nm_bits_test(&dn->cpus, k))
				CPU_SET_S(k, size, to);
	}
	return true;
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
