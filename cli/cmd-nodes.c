/* SPDX-License-Identifier: GPL-2.0-or-later */
/* numamove nodes: one row per NUMA node. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

enum { COL_NODE, COL_CPUS, COL_TOTAL, COL_FREE, COL_HASCPUS, COL_HASMEM, COL_DISTANCES };

static const struct colinfo infos[] = {
	[COL_NODE] = { "NODE", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "node id" },
	[COL_CPUS] = { "CPUS", 8, 0, SCOLS_JSON_STRING, false, "CPUs of the node, as a list" },
	[COL_TOTAL] = { "TOTAL", 6, SCOLS_FL_RIGHT, 0, true, "memory of the node" },
	[COL_FREE] = { "FREE", 6, SCOLS_FL_RIGHT, 0, true, "free memory of the node" },
	[COL_HASCPUS] = { "HASCPUS", 3, 0, SCOLS_JSON_BOOLEAN, false, "whether the node has CPUs" },
	[COL_HASMEM] = { "HASMEM", 3, 0, SCOLS_JSON_BOOLEAN, false, "whether the node has memory" },
	[COL_DISTANCES] = { "DISTANCES", 10, 0, SCOLS_JSON_ARRAY_NUMBER, false,
			    "distances to each node, in node order" },
};

static const int defaults[] = { COL_NODE, COL_CPUS, COL_TOTAL, COL_FREE, COL_HASCPUS, COL_DISTANCES };

/* The SLIT distance, or -1 where sysfs gives none (the library says -ENOENT). */
static int distance(const struct numamove_topology *topo, int from, int to)
{
	int d = numamove_node_distance(topo, from, to);

	return d < 0 ? -1 : d;
}

static void __attribute__((noreturn)) usage(void)
{
	printf("Usage:\n"
	       " %s nodes [options]\n"
	       "\n"
	       "List the machine's NUMA nodes: CPUs, memory, distances.\n"
	       "\n"
	       "Options:\n"
	       , program_name);
	output_usage(true);
	printf("\nColumns:\n");
	for (size_t i = 0; i < sizeof(infos) / sizeof(infos[0]); i++)
		printf(" %11s  %s\n", infos[i].name, infos[i].help);
	exit(EXIT_OK);
}

int cmd_nodes(int argc, char **argv)
{
	static const struct option longopts[] = {
		OUTPUT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct output o = { 0 };
	struct numamove_topology *topo = NULL;
	const struct numamove_nodelist *nodes;
	struct libscols_table *tb;
	struct columns cols;
	int c;

	while ((c = getopt_long(argc, argv, OUTPUT_SHORTOPTS "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage();
		default:
			if (!output_option(&o, c, optarg))
				try_help("nodes");
		}
	}
	if (optind < argc)
		usage_error("nodes", "unexpected argument '%s'", argv[optind]);
	columns_select("nodes", &o, infos, sizeof(infos) / sizeof(infos[0]), defaults,
		       sizeof(defaults) / sizeof(defaults[0]), NULL, false, &cols);

	topo = topology_load_checked();
	if (!topo)
		return EXIT_ERROR;
	nodes = numamove_topology_nodes(topo);
	tb = table_new("nodes", &o, infos, sizeof(infos) / sizeof(infos[0]), NULL, &cols);
	for (size_t k = 0; k < numamove_nodelist_count(nodes); k++) {
		int node = numamove_nodelist_get(nodes, k);
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		for (size_t i = 0; ln && i < cols.n; i++) {
			switch (cols.ids[i]) {
			case COL_NODE: cell_printf(ln, i, "%d", node); break;
			case COL_CPUS: cell_printf(ln, i, "%s", numamove_node_cpulist(topo, node)); break;
			case COL_TOTAL: cell_size(ln, i, &o, numamove_node_mem_total(topo, node)); break;
			case COL_FREE: cell_size(ln, i, &o, numamove_node_mem_free(topo, node)); break;
			case COL_HASCPUS:
				cell_bool(ln, i, &o, numamove_node_has_cpus(topo, node));
				break;
			case COL_HASMEM:
				cell_bool(ln, i, &o, numamove_node_has_memory(topo, node));
				break;
			case COL_DISTANCES: {
				char buf[1024] = "";
				size_t len = 0;

				/* One per line for JSON arrays, a space between in tables. */
				for (size_t j = 0; j < numamove_nodelist_count(nodes) && len < sizeof(buf); j++)
					len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%d",
								j ? (o.json ? "\n" : " ") : "",
								distance(topo, node, numamove_nodelist_get(nodes, j)));
				cell_printf(ln, i, "%s", buf);
				break;
			}
			}
		}
	}
	table_print(tb);
	numamove_topology_free(topo);
	return EXIT_OK;
}
