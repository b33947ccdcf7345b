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

NM_EXPORT void numamove_plan_free(struct numamove_plan *plan)
{
	if (!plan)
		return;
	numamove_nodelist_free(plan->from);
	numamove_nodelist_free(plan->to);
	free(plan->dest);
	free(plan->pairs);
	free(plan);
}

static int copy_list(const struct numamove_nodelist *src, struct numamove_nodelist **ret)
{
	struct numamove_nodelist *l;
	int r = numamove_nodelist_new(&l);

	for (size_t i = 0; r >= 0 && i < src->n; i++)
		r = numamove_nodelist_add(l, src->ids[i]);
	if (r < 0) {
		numamove_nodelist_free(l);
		return r;
	}
	*ret = l;
	return 0;
}

static int max_id(const struct numamove_nodelist *l, int start)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ids[i] > start)
			start = l->ids[i];
	return start;
}

NM_EXPORT int numamove_plan_new(const struct numamove_maps *maps, const struct numamove_nodelist *from,
				const struct numamove_nodelist *to, const struct numamove_topology *topo,
				struct numamove_plan **ret_plan)
{
	struct numamove_plan *plan;
	int r;

	if (!maps || !to || !topo || to->n == 0)
		return -EINVAL;
	if (from && from->n == 0)
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
	plan->topo = topo;
	plan->maps = maps;
	r = from ? copy_list(from, &plan->from) : numamove_maps_nodes(maps, &plan->from);
	if (r < 0)
		goto fail;
	r = copy_list(to, &plan->to);
	if (r < 0)
		goto fail;

	plan->max_node = max_id(plan->to, max_id(plan->from, maps->max_node));
	if (topo->n_nodes)
		plan->max_node = max_id(topo->list, plan->max_node);
	plan->dest = malloc((size_t)(plan->max_node + 1) * sizeof(int));
	plan->pairs = calloc(plan->from->n ? plan->from->n : 1, sizeof(*plan->pairs));
	if (!plan->dest || !plan->pairs) {
		r = -ENOMEM;
		goto fail;
	}
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
			.bytes = numamove_maps_bytes(maps, src, -1),
		};
	}
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

	for (size_t i = 0; i < plan->maps->n; i++) {
		const struct numamove_mapping *m = &plan->maps->m[i];

		if (m->kind != NUMAMOVE_KIND_HUGE || (page_size && m->page_size != page_size))
			continue;
		for (size_t p = 0; p < plan->n_pairs; p++)
			if (plan->pairs[p].dst == node)
				sum += numamove_mapping_pages(m, plan->pairs[p].src) * m->page_size;
	}
	return sum;
}

NM_EXPORT int numamove_plan_check_capacity(const struct numamove_plan *plan, int *ret_node)
{
	/*
	 * Conservative on purpose: what leaves a destination during the same
	 * move is not counted as room, since pages may arrive before others go.
	 * Huge pages come from the node's pool, not its free memory: see
	 * numamove_plan_check_hugepages().
	 */
	for (size_t i = 0; i < plan->to->n; i++) {
		int node = plan->to->ids[i];
		uint64_t need = numamove_plan_incoming(plan, node) - incoming_huge(plan, node, 0);

		if (need > numamove_node_mem_free(plan->topo, node)) {
			if (ret_node)
				*ret_node = node;
			return -ENOSPC;
		}
	}
	return 0;
}

NM_EXPORT int numamove_plan_map_nodes(const struct numamove_plan *plan, const struct numamove_nodelist *nodes,
				      struct numamove_nodelist **ret_list)
{
	struct numamove_nodelist *out;
	int r = numamove_nodelist_new(&out);

	for (size_t i = 0; r >= 0 && i < numamove_nodelist_count(nodes); i++) {
		int node = numamove_nodelist_get(nodes, i), dest = numamove_plan_dest(plan, node);

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

NM_EXPORT int numamove_plan_check_hugepages(const struct numamove_plan *plan, int *ret_node,
					   uint64_t *ret_page_size, uint64_t *ret_need, uint64_t *ret_free)
{
	for (size_t i = 0; i < plan->to->n; i++) {
		int node = plan->to->ids[i];

		for (size_t k = 0; k < plan->maps->n; k++) {
			const struct numamove_mapping *m = &plan->maps->m[k];
			uint64_t need;
			long free_pages;

			if (m->kind != NUMAMOVE_KIND_HUGE || !m->page_size)
				continue;
			need = incoming_huge(plan, node, m->page_size) / m->page_size;
			free_pages = numamove_node_hugepages_free(plan->topo, node, m->page_size);
			if (free_pages < 0)
				free_pages = 0;
			if (need > (uint64_t)free_pages) {
				if (ret_node)
					*ret_node = node;
				if (ret_page_size)
					*ret_page_size = m->page_size;
				if (ret_need)
					*ret_need = need;
				if (ret_free)
					*ret_free = (uint64_t)free_pages;
				return -ENOSPC;
			}
		}
	}
	return 0;
}

int nm_plan_node_fits(const struct numamove_plan *plan, int node, struct numamove_detail *ret)
{
	uint64_t need = numamove_plan_incoming(plan, node) - incoming_huge(plan, node, 0);
	uint64_t have = numamove_node_mem_free(plan->topo, node);

	if (need > have) {
		if (ret)
			*ret = (struct numamove_detail){ .why = NUMAMOVE_WHY_NO_ROOM, .error = -ENOSPC, .node = node,
							 .need = need, .have = have, .scope = -1 };
		return -ENOSPC;
	}
	for (size_t k = 0; k < plan->maps->n; k++) {
		const struct numamove_mapping *m = &plan->maps->m[k];
		long free_pages;

		if (m->kind != NUMAMOVE_KIND_HUGE || !m->page_size)
			continue;
		need = incoming_huge(plan, node, m->page_size) / m->page_size;
		free_pages = numamove_node_hugepages_free(plan->topo, node, m->page_size);
		if (free_pages < 0)
			free_pages = 0;
		if (need > (uint64_t)free_pages) {
			if (ret)
				*ret = (struct numamove_detail){ .why = NUMAMOVE_WHY_NO_HUGEPAGES, .error = -ENOSPC,
								 .node = node, .need = need, .have = (uint64_t)free_pages,
								 .page_size = m->page_size, .scope = -1 };
			return -ENOSPC;
		}
	}
	return 0;
}
