/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plans: which node's pages go where, and how much that is.
 *
 * The i-th node of FROM goes to the (i mod |TO|)-th node of TO. The lists
 * are ordered, unlike the masks of migrate_pages(2), so crossings and swaps
 * ("0,1 -> 1,0") mean what they say.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

static void *memdup(const void *p, size_t n)
{
	void *q;

	if (!n)
		return NULL;
	q = malloc(n);
	return q ? memcpy(q, p, n) : NULL;
}

static void node_clear(struct nm_node *n)
{
	free(n->cpulist);
	nm_bits_clear(&n->cpus);
	free(n->huge);
}

NM_EXPORT void numamove_plan_free(struct numamove_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; plan->dests && i < plan->to->n; i++)
		node_clear(&plan->dests[i]);
	free(plan->dests);
	numamove_maps_free(plan->maps);
	numamove_nodelist_free(plan->from);
	numamove_nodelist_free(plan->to);
	free(plan->dest);
	free(plan->follow);
	numamove_nodelist_free(plan->extra);
	free(plan->pairs);
	free(plan);
}

/* A deep copy of @src, so that the plan does not borrow the caller's maps. */
static int copy_maps(const struct numamove_maps *src, struct numamove_maps **ret)
{
	struct numamove_maps *maps = calloc(1, sizeof(*maps));

	if (!maps)
		return -ENOMEM;
	maps->max_node = src->max_node;
	maps->m = calloc(src->n ? src->n : 1, sizeof(*maps->m));
	if (!maps->m) {
		free(maps);
		return -ENOMEM;
	}
	maps->alloc = src->n;
	for (size_t i = 0; i < src->n; i++) {
		const struct numamove_mapping *m = &src->m[i];
		struct numamove_mapping *c = &maps->m[maps->n++];

		*c = *m;
		c->name = m->name ? strdup(m->name) : NULL;
		c->policy = m->policy ? strdup(m->policy) : NULL;
		c->pages = memdup(m->pages, m->n_nodes * sizeof(*m->pages));
		if ((m->name && !c->name) || (m->policy && !c->policy) || (m->n_nodes && !c->pages)) {
			numamove_maps_free(maps);
			return -ENOMEM;
		}
	}
	*ret = maps;
	return 0;
}

/* What the topology says of destination @src now, copied (the distances are not needed). */
static int copy_node(const struct nm_node *src, struct nm_node *n)
{
	*n = (struct nm_node){
		.id = src->id,
		.has_memory = src->has_memory,
		.has_cpus = src->has_cpus,
		.mem_total = src->mem_total,
		.mem_free = src->mem_free,
		.n_huge = src->n_huge,
	};
	n->cpulist = src->cpulist ? strdup(src->cpulist) : NULL;
	n->huge = memdup(src->huge, src->n_huge * sizeof(*src->huge));
	if ((src->cpulist && !n->cpulist) || (src->n_huge && !n->huge))
		return -ENOMEM;
	for (size_t c = 0; c < src->cpus.nbits; c++)
		if (nm_bits_test(&src->cpus, c) && nm_bits_set(&n->cpus, c) < 0)
			return -ENOMEM;
	return 0;
}

/* The snapshot of each node of @plan's TO, from @topo, or from @like's snapshot. */
static int copy_dests(struct numamove_plan *plan, const struct numamove_topology *topo,
		      const struct numamove_plan *like)
{
	plan->dests = calloc(plan->to->n, sizeof(*plan->dests));
	if (!plan->dests)
		return -ENOMEM;
	for (size_t i = 0; i < plan->to->n; i++) {
		const struct nm_node *src = like ? &like->dests[i] : nm_topology_node(topo, plan->to->ids[i]);
		int r = copy_node(src, &plan->dests[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

static int max_id(const struct numamove_nodelist *l, int start)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ids[i] > start)
			start = l->ids[i];
	return start;
}

/* Fills the node map and the byte counts of @plan, whose lists, max_node and maps are set. */
static int plan_pairs(struct numamove_plan *plan)
{
	plan->dest = malloc((size_t)(plan->max_node + 1) * sizeof(int));
	plan->pairs = calloc(plan->from->n ? plan->from->n : 1, sizeof(*plan->pairs));
	if (!plan->dest || !plan->pairs)
		return -ENOMEM;
	for (int n = 0; n <= plan->max_node; n++)
		plan->dest[n] = -1;
	for (size_t i = 0; i < plan->from->n; i++) {
		int src = plan->from->ids[i], dst = plan->to->ids[i % plan->to->n];

		if (src == dst)
			continue;
		plan->dest[src] = dst;
		plan->pairs[plan->n_pairs++] = (struct nm_pair){
			.src = src,
			.dst = dst,
			.bytes = plan->maps ? numamove_maps_bytes(plan->maps, src, -1) : 0,
		};
	}
	return 0;
}

/*
 * Makes @plan whole: the i-th node of @extra (nodes holding none of the
 * memory) follows the rule where FROM's nodes stopped, the (|FROM| + i mod
 * |TO|)-th node of TO, unless it is a destination itself (then it stays).
 */
static int plan_follow(struct numamove_plan *plan, const struct numamove_nodelist *extra)
{
	size_t k = plan->from->n;
	int r;

	plan->whole = true;
	r = nm_nodelist_copy(extra, &plan->extra);
	if (r < 0)
		return r;
	plan->follow = malloc((size_t)(plan->max_node + 1) * sizeof(int));
	if (!plan->follow)
		return -ENOMEM;
	for (int n = 0; n <= plan->max_node; n++)
		plan->follow[n] = -1;
	for (size_t i = 0; i < extra->n; i++) {
		int node = extra->ids[i];

		if (node < 0 || node > plan->max_node || numamove_nodelist_contains(plan->to, node))
			continue;
		plan->follow[node] = plan->to->ids[k++ % plan->to->n];
	}
	return 0;
}

/* Adds to @set the nodes that @text, a policy as numa_maps prints it, names (relative nodes are no ids). */
static int add_policy_nodes(struct nm_bits *set, const char *text)
{
	struct numamove_policy *pol = NULL;
	int r = 0;

	if (!text || numamove_policy_parse(text, NULL, &pol, NULL) < 0)
		return 0;
	for (size_t i = 0; !(pol->flags & NUMAMOVE_POLICY_F_RELATIVE) && r == 0 && i < pol->nodes->n; i++)
		r = nm_bits_set(set, (size_t)pol->nodes->ids[i]);
	numamove_policy_free(pol);
	return r;
}

/*
 * The nodes @task uses that hold none of its memory (@maps), ascending:
 * those its policies name (every mapping's own policy and the main
 * thread's task policy as @maps shows them, and the first numa_maps record
 * of each other thread: a short read, its task policy unless the program's
 * first mapping has a policy of its own) and those local to its threads'
 * CPUs. A thread that exits meanwhile is left out.
 */
static int process_extra(const struct numamove_task *task, const struct numamove_maps *maps,
			 const struct numamove_topology *topo, struct numamove_nodelist **ret)
{
	_cleanup_free_ pid_t *tids = NULL;
	struct numamove_nodelist *out = NULL;
	struct nm_bits set = { 0 };
	pid_t pid = numamove_task_pid(task);
	size_t n = 0;
	int r;

	/* Private mappings, and the process's own shared memory, whose shared policy moves with it. */
	for (size_t i = 0; i < maps->n; i++)
		if ((!maps->m[i].shared || nm_mapping_is_own_shared(&maps->m[i])) &&
		    (r = add_policy_nodes(&set, maps->m[i].policy)) < 0)
			goto out;
	r = numamove_task_threads(task, &tids, &n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		_cleanup_free_ char *text = NULL;

		if (tids[i] != pid) {
			r = nm_thread_first_policy(pid, tids[i], &text);
			if (r == 0)
				r = add_policy_nodes(&set, text);
		}
		if (r == 0)
			r = nm_thread_cpu_nodes(tids[i], topo, &set);
		if (r == -ESRCH && tids[i] != pid)
			r = 0; /* the thread exited */
	}
	if (r == 0)
		r = numamove_task_check(task);
	if (r == 0)
		r = numamove_nodelist_new(&out);
	for (size_t node = 0; r == 0 && node < set.nbits; node++)
		if (nm_bits_test(&set, node) && numamove_node_has_memory(topo, (int)node) &&
		    !numamove_maps_bytes(maps, (int)node, -1))
			r = numamove_nodelist_add(out, (int)node);
	if (r == 0)
		*ret = TAKE_PTR(out);
out:
	numamove_nodelist_free(out);
	nm_bits_clear(&set);
	return r;
}

NM_EXPORT int numamove_plan_new_process(const struct numamove_task *task, const struct numamove_maps *maps,
					const struct numamove_nodelist *to, const struct numamove_topology *topo,
					struct numamove_plan **ret_plan)
{
	struct numamove_nodelist *extra = NULL;
	struct numamove_plan *plan = NULL;
	int r;

	if (!task || !maps || !ret_plan)
		return -EINVAL;
	r = numamove_plan_new(maps, NULL, to, topo, &plan);
	if (r < 0)
		return r;
	r = process_extra(task, maps, topo, &extra);
	if (r == 0)
		r = plan_follow(plan, extra);
	numamove_nodelist_free(extra);
	if (r < 0) {
		numamove_plan_free(plan);
		return r;
	}
	*ret_plan = plan;
	return 0;
}

NM_EXPORT bool numamove_plan_whole(const struct numamove_plan *plan)
{
	return plan && plan->whole;
}

NM_EXPORT const struct numamove_nodelist *numamove_plan_extra(const struct numamove_plan *plan)
{
	return plan ? plan->extra : NULL;
}

int nm_plan_follow(const struct numamove_plan *plan, int node)
{
	if (node < 0 || node > plan->max_node)
		return -1;
	if (plan->dest[node] >= 0 || !plan->follow)
		return plan->dest[node];
	return plan->follow[node];
}

NM_EXPORT int numamove_plan_new(const struct numamove_maps *maps, const struct numamove_nodelist *from,
				const struct numamove_nodelist *to, const struct numamove_topology *topo,
				struct numamove_plan **ret_plan)
{
	struct numamove_plan *plan;
	int r;

	if (!to || !topo || !ret_plan || to->n == 0)
		return -EINVAL;
	/* A mapping-only plan has no memory to take FROM from. */
	if ((from && from->n == 0) || (!from && !maps))
		return -EINVAL;
	for (size_t i = 0; i < to->n; i++)
		if (!numamove_node_has_memory(topo, to->ids[i]))
			return -ENODEV;
	for (size_t i = 0; from && i < from->n; i++)
		if (!numamove_topology_has_node(topo, from->ids[i]))
			return -ENODEV;

	plan = calloc(1, sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	r = maps ? copy_maps(maps, &plan->maps) : 0;
	if (r == 0)
		r = from ? nm_nodelist_copy(from, &plan->from) : numamove_maps_nodes(maps, &plan->from);
	if (r == 0)
		r = nm_nodelist_copy(to, &plan->to);
	if (r < 0)
		goto fail;
	r = copy_dests(plan, topo, NULL);
	if (r < 0)
		goto fail;

	plan->max_node = max_id(plan->to, max_id(plan->from, maps ? maps->max_node : -1));
	if (topo->n_nodes)
		plan->max_node = max_id(topo->list, plan->max_node);
	r = plan_pairs(plan);
	if (r < 0)
		goto fail;
	*ret_plan = plan;
	return 0;
fail:
	numamove_plan_free(plan);
	return r;
}

int nm_plan_renew(const struct numamove_plan *like, const struct numamove_maps *maps,
		  struct numamove_plan **ret_plan)
{
	struct numamove_plan *plan = calloc(1, sizeof(*plan));
	int r;

	if (!plan)
		return -ENOMEM;
	r = copy_maps(maps, &plan->maps);
	if (r == 0)
		r = nm_nodelist_copy(like->from, &plan->from);
	if (r == 0)
		r = nm_nodelist_copy(like->to, &plan->to);
	if (r < 0)
		goto fail;
	r = copy_dests(plan, NULL, like);
	if (r < 0)
		goto fail;
	plan->max_node = like->max_node > maps->max_node ? like->max_node : maps->max_node;
	r = plan_pairs(plan);
	if (r == 0 && like->whole)
		r = plan_follow(plan, like->extra);
	if (r < 0)
		goto fail;
	*ret_plan = plan;
	return 0;
fail:
	numamove_plan_free(plan);
	return r;
}

NM_EXPORT const struct numamove_nodelist *numamove_plan_from(const struct numamove_plan *plan)
{
	return plan->from;
}

NM_EXPORT const struct numamove_nodelist *numamove_plan_to(const struct numamove_plan *plan)
{
	return plan->to;
}

NM_EXPORT int numamove_plan_dest(const struct numamove_plan *plan, int node)
{
	return node >= 0 && node <= plan->max_node ? plan->dest[node] : -1;
}

NM_EXPORT uint64_t numamove_plan_bytes(const struct numamove_plan *plan, int src, int dst)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < plan->n_pairs; i++)
		if ((src < 0 || plan->pairs[i].src == src) && (dst < 0 || plan->pairs[i].dst == dst))
			sum += plan->pairs[i].bytes;
	return sum;
}

NM_EXPORT uint64_t numamove_plan_incoming(const struct numamove_plan *plan, int node)
{
	return numamove_plan_bytes(plan, -1, node);
}

/* Bytes of hugetlb pages (of @page_size; 0: any) that would arrive on @node. */
static uint64_t incoming_huge(const struct numamove_plan *plan, int node, uint64_t page_size)
{
	uint64_t sum = 0;

	for (size_t i = 0; plan->maps && i < plan->maps->n; i++) {
		const struct numamove_mapping *m = &plan->maps->m[i];

		if (m->kind != NUMAMOVE_KIND_HUGE || (page_size && m->page_size != page_size))
			continue;
		for (size_t p = 0; p < plan->n_pairs; p++)
			if (plan->pairs[p].dst == node)
				sum += numamove_mapping_pages(m, plan->pairs[p].src) * m->page_size;
	}
	return sum;
}

/*
 * Whether destination @k (of TO) has room, as the plan's snapshot of it
 * says: for the base pages and THPs arriving (@base), in its free memory;
 * for the hugetlb pages of each size (@huge), in its pool of free huge
 * pages of that size. 0, or -ENOSPC with @ret (when not NULL) saying why.
 *
 * Conservative on purpose: what leaves a destination during the same move
 * is not counted as room, since pages may arrive before others go. Huge
 * pages come from the node's pool, not its free memory.
 */
static int dest_fits(const struct numamove_plan *plan, size_t k, bool base, bool huge, struct numamove_detail *ret)
{
	const struct nm_node *dn = &plan->dests[k];
	int node = plan->to->ids[k];
	uint64_t need = numamove_plan_incoming(plan, node) - incoming_huge(plan, node, 0);

	if (base && need > dn->mem_free) {
		if (ret)
			*ret = (struct numamove_detail){ .why = NUMAMOVE_WHY_NO_ROOM, .error = -ENOSPC, .node = node,
							 .need = need, .have = dn->mem_free, .scope = -1 };
		return -ENOSPC;
	}
	for (size_t i = 0; huge && plan->maps && i < plan->maps->n; i++) {
		const struct numamove_mapping *m = &plan->maps->m[i];
		uint64_t free_pages = 0;

		if (m->kind != NUMAMOVE_KIND_HUGE || !m->page_size)
			continue;
		need = incoming_huge(plan, node, m->page_size) / m->page_size;
		for (size_t h = 0; h < dn->n_huge; h++)
			if (dn->huge[h].page_size == m->page_size && dn->huge[h].free > 0)
				free_pages = (uint64_t)dn->huge[h].free;
		if (need > free_pages) {
			if (ret)
				*ret = (struct numamove_detail){ .why = NUMAMOVE_WHY_NO_HUGEPAGES, .error = -ENOSPC,
								 .node = node, .need = need, .have = free_pages,
								 .page_size = m->page_size, .scope = -1 };
			return -ENOSPC;
		}
	}
	return 0;
}

NM_EXPORT int numamove_plan_check_capacity(const struct numamove_plan *plan, int *reterr_node)
{
	for (size_t k = 0; k < plan->to->n; k++)
		if (dest_fits(plan, k, true, false, NULL) < 0) {
			if (reterr_node)
				*reterr_node = plan->to->ids[k];
			return -ENOSPC;
		}
	return 0;
}

NM_EXPORT int numamove_plan_check_hugepages(const struct numamove_plan *plan, int *reterr_node,
					   uint64_t *reterr_page_size, uint64_t *reterr_need, uint64_t *reterr_free)
{
	struct numamove_detail d;

	for (size_t k = 0; k < plan->to->n; k++)
		if (dest_fits(plan, k, false, true, &d) < 0) {
			if (reterr_node)
				*reterr_node = d.node;
			if (reterr_page_size)
				*reterr_page_size = d.page_size;
			if (reterr_need)
				*reterr_need = d.need;
			if (reterr_free)
				*reterr_free = d.have;
			return -ENOSPC;
		}
	return 0;
}

int nm_plan_node_fits(const struct numamove_plan *plan, int node, struct numamove_detail *ret)
{
	int k = numamove_nodelist_index(plan->to, node);

	return k < 0 ? 0 : dest_fits(plan, (size_t)k, true, true, ret);
}

NM_EXPORT int numamove_plan_map_nodes(const struct numamove_plan *plan, const struct numamove_nodelist *nodes,
				      struct numamove_nodelist **ret_list)
{
	struct numamove_nodelist *out;
	int r = numamove_nodelist_new(&out);

	for (size_t i = 0; r >= 0 && i < numamove_nodelist_count(nodes); i++) {
		int node = numamove_nodelist_get(nodes, i), dest = nm_plan_follow(plan, node);

		r = numamove_nodelist_add(out, dest >= 0 ? dest : node);
		if (r == -EEXIST)
			r = 0;
	}
	if (r < 0) {
		numamove_nodelist_free(out);
		return r;
	}
	*ret_list = out;
	return 0;
}

