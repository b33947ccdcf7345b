/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library's private structures, shared between its files and the unit tests. */
#ifndef NUMAMOVE_INTERNAL_H
#define NUMAMOVE_INTERNAL_H

#include "numamove/numamove.h"
#include "util.h"

#define NM_EXPORT __attribute__((visibility("default")))

struct nm_hugepool {
	uint64_t page_size; /* bytes */
	long free;
};

struct nm_node {
	int id;
	bool has_memory;
	bool has_cpus;
	char *cpulist;
	struct nm_bits cpus;
	uint64_t mem_total, mem_free;
	int *distance; /* indexed like topo->nodes */
	struct nm_hugepool *huge;
	size_t n_huge;
};

struct numamove_topology {
	struct nm_node *nodes; /* ascending id */
	size_t n_nodes;
	struct numamove_nodelist *list;
};

const struct nm_node *nm_topology_node(const struct numamove_topology *topo, int node);
/* The node of @cpu, or -1. */
int nm_topology_cpu_node(const struct numamove_topology *topo, int cpu);

struct numamove_nodelist {
	int *ids;
	size_t n, alloc;
};

struct numamove_mapping {
	uint64_t start, end;
	enum numamove_kind kind;
	char *name;
	char *policy;
	uint64_t page_size;
	bool shared;
	uint64_t total;
	uint64_t *pages; /* indexed by node id */
	size_t n_nodes;  /* entries in pages */
};

struct numamove_maps {
	struct numamove_mapping *m;
	size_t n, alloc;
	int max_node;
};

struct nm_pair {
	int src, dst;
	uint64_t bytes;
};

struct numamove_plan {
	struct numamove_nodelist *from, *to;
	int *dest;     /* indexed by node id up to max_node; -1 stays */
	int max_node;
	struct nm_pair *pairs;
	size_t n_pairs;
	/* per destination, bytes arriving of base pages and per huge size */
	const struct numamove_topology *topo;
	const struct numamove_maps *maps;
};

struct numamove_result {
	uint64_t pages_moved, bytes_moved;
	uint64_t left_pages[NUMAMOVE_REASON_COUNT];
	uint64_t left_bytes[NUMAMOVE_REASON_COUNT];
};

/* Maps a move_pages(2) per-page status to a reason. */
enum numamove_reason nm_reason_from_status(int status);

#endif
