/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The node topology, read from sysfs below an optional root so that tests
 * can replay recorded trees. The sysfs files are the ones libnuma reads
 * too; reading them here keeps sparse node ids and memory-only nodes
 * first-class and the whole thing testable.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define NODE_DIR "sys/devices/system/node"

static void node_clear(struct nm_node *n)
{
	free(n->cpulist);
	nm_bits_clear(&n->cpus);
	free(n->distance);
	free(n->huge);
}

NM_EXPORT void numamove_topology_free(struct numamove_topology *topo)
{
	if (!topo)
		return;
	for (size_t i = 0; i < topo->n_nodes; i++)
		node_clear(&topo->nodes[i]);
	free(topo->nodes);
	numamove_nodelist_free(topo->list);
	free(topo);
}

/* "Node 0 MemTotal:       1012345 kB" */
static uint64_t meminfo_kb(const char *text, const char *key)
{
	const char *p = text;
	size_t klen = strlen(key);

	while ((p = strstr(p, key))) {
		if ((p == text || p[-1] == ' ') && p[klen] == ':')
			return strtoull(p + klen + 1, NULL, 10) * 1024;
		p += klen;
	}
	return 0;
}

static int load_hugepools(const char *sysroot, struct nm_node *n)
{
	char path[128];
	DIR *d;
	struct dirent *de;
	char full[4096];

	snprintf(path, sizeof(path), NODE_DIR "/node%d/hugepages", n->id);
	if (sysroot && *sysroot && strcmp(sysroot, "/") != 0)
		snprintf(full, sizeof(full), "%s/%s", sysroot, path);
	else
		snprintf(full, sizeof(full), "/%s", path);
	d = opendir(full);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		unsigned long kb;
		_cleanup_free_ char *text = NULL;
		size_t alloc = n->n_huge;
		int r;

		if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		if (nm_read_filef(sysroot, &text, "%s/%s/free_hugepages", path, de->d_name) < 0)
			continue;
		r = nm_grow((void **)&n->huge, &alloc, n->n_huge + 1, sizeof(*n->huge));
		if (r < 0) {
			closedir(d);
			return r;
		}
		n->huge[n->n_huge].page_size = (uint64_t)kb * 1024;
		n->huge[n->n_huge].free = strtol(text, NULL, 10);
		n->n_huge++;
	}
	closedir(d);
	return 0;
}

static int load_node(const char *sysroot, struct nm_node *n, const struct nm_bits *has_mem,
		     const struct nm_bits *has_cpu, bool have_state)
{
	_cleanup_free_ char *cpus = NULL, *meminfo = NULL;
	int r;

	r = nm_read_filef(sysroot, &cpus, NODE_DIR "/node%d/cpulist", n->id);
	if (r < 0)
		return r;
	cpus[strcspn(cpus, "\n")] = '\0';
	r = nm_bits_parse_list(cpus, &n->cpus);
	if (r < 0)
		return r;
	n->cpulist = TAKE_PTR(cpus);

	r = nm_read_filef(sysroot, &meminfo, NODE_DIR "/node%d/meminfo", n->id);
	if (r == 0) {
		n->mem_total = meminfo_kb(meminfo, "MemTotal");
		n->mem_free = meminfo_kb(meminfo, "MemFree");
	}
	if (have_state) {
		n->has_memory = nm_bits_test(has_mem, (size_t)n->id);
		n->has_cpus = nm_bits_test(has_cpu, (size_t)n->id);
	} else {
		n->has_memory = n->mem_total > 0;
		n->has_cpus = nm_bits_weight(&n->cpus) > 0;
	}
	return load_hugepools(sysroot, n);
}

static int load_distances(const char *sysroot, struct numamove_topology *topo)
{
	for (size_t i = 0; i < topo->n_nodes; i++) {
		struct nm_node *n = &topo->nodes[i];
		_cleanup_free_ char *text = NULL;
		char *p, *end;

		n->distance = malloc(topo->n_nodes * sizeof(int));
		if (!n->distance)
			return -ENOMEM;
		for (size_t j = 0; j < topo->n_nodes; j++)
			n->distance[j] = -1;
		if (nm_read_filef(sysroot, &text, NODE_DIR "/node%d/distance", n->id) < 0)
			continue;
		/* The row is in the order of the online nodes, ascending. */
		p = text;
		for (size_t j = 0; j < topo->n_nodes; j++) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			n->distance[j] = (int)v;
			p = end;
		}
	}
	return 0;
}

NM_EXPORT int numamove_topology_load(const char *sysroot, struct numamove_topology **ret_topo)
{
	_cleanup_free_ char *online = NULL, *mem = NULL, *cpu = NULL;
	struct nm_bits on = { 0 }, has_mem = { 0 }, has_cpu = { 0 };
	struct numamove_topology *topo;
	bool have_state;
	int r;

	r = nm_read_file(sysroot, NODE_DIR "/online", &online, NULL);
	if (r < 0)
		return r == -ENOTDIR ? -ENOENT : r;
	r = nm_bits_parse_list(online, &on);
	if (r < 0)
		return r;
	have_state = nm_read_file(sysroot, NODE_DIR "/has_memory", &mem, NULL) == 0 &&
		     nm_read_file(sysroot, NODE_DIR "/has_cpu", &cpu, NULL) == 0 &&
		     nm_bits_parse_list(mem, &has_mem) == 0 && nm_bits_parse_list(cpu, &has_cpu) == 0;

	topo = calloc(1, sizeof(*topo));
	if (!topo) {
		r = -ENOMEM;
		goto out;
	}
	r = numamove_nodelist_new(&topo->list);
	if (r < 0)
		goto fail;
	topo->nodes = calloc(nm_bits_weight(&on) ? nm_bits_weight(&on) : 1, sizeof(*topo->nodes));
	if (!topo->nodes) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < on.nbits; i++) {
		struct nm_node *n;

		if (!nm_bits_test(&on, i))
			continue;
		n = &topo->nodes[topo->n_nodes++];
		n->id = (int)i;
		r = load_node(sysroot, n, &has_mem, &has_cpu, have_state);
		if (r < 0)
			goto fail;
		r = numamove_nodelist_add(topo->list, n->id);
		if (r < 0)
			goto fail;
	}
	r = load_distances(sysroot, topo);
	if (r < 0)
		goto fail;
	*ret_topo = topo;
	r = 0;
	goto out;
fail:
	numamove_topology_free(topo);
out:
	nm_bits_clear(&on);
	nm_bits_clear(&has_mem);
	nm_bits_clear(&has_cpu);
	return r;
}

const struct nm_node *nm_topology_node(const struct numamove_topology *topo, int node)
{
	for (size_t i = 0; i < topo->n_nodes; i++)
		if (topo->nodes[i].id == node)
			return &topo->nodes[i];
	return NULL;
}

int nm_topology_cpu_node(const struct numamove_topology *topo, int cpu)
{
	for (size_t i = 0; i < topo->n_nodes; i++)
		if (nm_bits_test(&topo->nodes[i].cpus, (size_t)cpu))
			return topo->nodes[i].id;
	return -1;
}

int nm_topology_memory_node(const struct numamove_topology *topo, int node)
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

NM_EXPORT const struct numamove_nodelist *numamove_topology_nodes(const struct numamove_topology *topo)
{
	return topo->list;
}

NM_EXPORT bool numamove_topology_has_node(const struct numamove_topology *topo, int node)
{
	return nm_topology_node(topo, node) != NULL;
}

NM_EXPORT bool numamove_node_has_memory(const struct numamove_topology *topo, int node)
{
	const struct nm_node *n = nm_topology_node(topo, node);

	return n && n->has_memory;
}

NM_EXPORT bool numamove_node_has_cpus(const struct numamove_topology *topo, int node)
{
	const struct nm_node *n = nm_topology_node(topo, node);

	return n && n->has_cpus;
}

NM_EXPORT const char *numamove_node_cpulist(const struct numamove_topology *topo, int node)
{
	const struct nm_node *n = nm_topology_node(topo, node);

	return n ? n->cpulist : "";
}

NM_EXPORT uint64_t numamove_node_mem_total(const struct numamove_topology *topo, int node)
{
	const struct nm_node *n = nm_topology_node(topo, node);

	return n ? n->mem_total : 0;
}

NM_EXPORT uint64_t numamove_node_mem_free(const struct numamove_topology *topo, int node)
{
	const struct nm_node *n = nm_topology_node(topo, node);

	return n ? n->mem_free : 0;
}

NM_EXPORT int numamove_node_distance(const struct numamove_topology *topo, int from, int to)
{
	const struct nm_node *n = nm_topology_node(topo, from);

	if (!n || !n->distance)
		return -ENOENT;
	for (size_t j = 0; j < topo->n_nodes; j++)
		if (topo->nodes[j].id == to)
			return n->distance[j];
	return -ENOENT;
}

NM_EXPORT long numamove_node_hugepages_free(const struct numamove_topology *topo, int node,
					    uint64_t page_size)
{
	const struct nm_node *n = nm_topology_node(topo, node);

	if (!n)
		return -ENOENT;
	for (size_t i = 0; i < n->n_huge; i++)
		if (n->huge[i].page_size == page_size)
			return n->huge[i].free;
	return -ENOENT;
}
