/* SPDX-License-Identifier: GPL-2.0-or-later */
/* numamove show: where processes' memory lives, per node and per mapping. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "objects.h"

enum { COL_PID, COL_COMM, COL_NODE, COL_TOTAL, COL_ANON, COL_FILE, COL_SHM, COL_HUGE, COL_UNMAPPED };

static const struct colinfo sum_infos[] = {
	[COL_PID] = { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "process id" },
	[COL_COMM] = { "COMM", 8, 0, SCOLS_JSON_STRING, false, "command name" },
	[COL_NODE] = { "NODE", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "node id" },
	[COL_TOTAL] = { "TOTAL", 6, SCOLS_FL_RIGHT, 0, true, "resident memory on the node (UNMAPPED included)" },
	[COL_ANON] = { "ANON", 6, SCOLS_FL_RIGHT, 0, true, "private anonymous memory (heap, stack, anonymous mappings)" },
	[COL_FILE] = { "FILE", 6, SCOLS_FL_RIGHT, 0, true, "file-backed memory (page cache and its private copies)" },
	[COL_SHM] = { "SHM", 6, SCOLS_FL_RIGHT, 0, true, "shared memory: SysV shm, tmpfs, memfd, shared anonymous" },
	[COL_HUGE] = { "HUGE", 6, SCOLS_FL_RIGHT, 0, true, "hugetlbfs huge pages, in their real size" },
	[COL_UNMAPPED] = { "UNMAPPED", 6, SCOLS_FL_RIGHT, 0, true,
			   "its anonymous shared memory and memfd resident but not mapped by it (not in SHM, HUGE)" },
};
static const int sum_defaults[] = { COL_PID, COL_COMM, COL_NODE, COL_TOTAL, COL_ANON, COL_FILE, COL_SHM, COL_HUGE,
				    COL_UNMAPPED };

enum { MCOL_PID, MCOL_START, MCOL_END, MCOL_KIND, MCOL_POLICY, MCOL_PAGESIZE, MCOL_RES, MCOL_NAME };

static const struct colinfo map_infos[] = {
	[MCOL_PID] = { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "process id" },
	[MCOL_START] = { "START", 12, 0, SCOLS_JSON_STRING, false, "start address" },
	[MCOL_END] = { "END", 12, 0, SCOLS_JSON_STRING, false, "end address" },
	[MCOL_KIND] = { "KIND", 4, 0, SCOLS_JSON_STRING, false, "anon, file, shm or huge" },
	[MCOL_POLICY] = { "POLICY", 7, 0, SCOLS_JSON_STRING, false, "memory policy of the mapping" },
	[MCOL_PAGESIZE] = { "PAGESIZE", 5, SCOLS_FL_RIGHT, 0, true, "page size (kernelpagesize_kB)" },
	[MCOL_RES] = { "RES", 6, SCOLS_FL_RIGHT, 0, true, "resident memory of the mapping" },
	[MCOL_NAME] = { "NAME", 20, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, false,
			"file path, [heap], [stack], [anon]" },
};
/* -1: the per-node columns N<id>, one for each node of the machine. */
static const int map_defaults[] = { MCOL_PID, MCOL_START, MCOL_KIND, MCOL_POLICY, MCOL_RES, -1, MCOL_NAME };

#define NSUM (sizeof(sum_infos) / sizeof(sum_infos[0]))
#define NMAP (sizeof(map_infos) / sizeof(map_infos[0]))

static void __attribute__((noreturn)) usage(void)
{
	printf("Usage:\n"
	       " %1$s show [options] <pid>...\n"
	       " %1$s show [options] <path>... [--shm <id>]... [--shm-key <key>]... [--all-shm]\n"
	       "\n"
	       "Show where the memory of each process lives: per node, and with --mappings per mapping.\n"
	       "Or show where the pages of shared objects live: SysV shared memory segments, files\n"
	       "on tmpfs and hugetlbfs, and the page cache of any file. An argument of digits only\n"
	       "is a process id; anything else is a path (write ./123 for a file named 123).\n"
	       "\n"
	       "Options:\n"
	       " -m, --mappings        one row per mapping, with a column per node (N0, N1, ...)\n"
	       "     --shm <id>        a SysV shared memory segment, by id\n"
	       "     --shm-key <key>   a SysV shared memory segment, by key (0x... or decimal)\n"
	       "     --all-shm         every SysV segment, and every file under the tmpfs and\n"
	       "                       hugetlbfs mounts\n"
	       " -p, --pids            objects: add the PIDS column, the processes that map each\n"
	       , program_name);
	output_usage(true);
	printf("\nColumns (summary):\n");
	for (size_t i = 0; i < NSUM; i++)
		printf(" %9s  %s\n", sum_infos[i].name, sum_infos[i].help);
	printf("\nColumns (--mappings):\n");
	for (size_t i = 0; i < NMAP; i++)
		printf(" %9s  %s\n", map_infos[i].name, map_infos[i].help);
	printf(" %9s  resident memory of the mapping on node <id>\n", "N<id>");
	printf("\nColumns (objects):\n");
	show_objects_columns_usage();
	exit(EXIT_OK);
}

/* @un: its own shared memory resident but not mapped by it (numamove_maps_read_unmapped()), or NULL. */
static void add_summary(struct libscols_table *tb, const struct columns *cols, const struct output *o,
			const struct numamove_task *t, const struct numamove_maps *maps, const struct numamove_maps *un)
{
	struct numamove_nodelist *nodes = NULL, *more = NULL;

	if (numamove_maps_nodes(maps, &nodes) < 0)
		return;
	if (un && numamove_maps_nodes(un, &more) == 0)
		for (size_t k = 0; k < numamove_nodelist_count(more); k++)
			if (!numamove_nodelist_contains(nodes, numamove_nodelist_get(more, k)))
				numamove_nodelist_add(nodes, numamove_nodelist_get(more, k));
	numamove_nodelist_free(more);
	for (size_t k = 0; k < numamove_nodelist_count(nodes); k++) {
		int node = numamove_nodelist_get(nodes, k);
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		for (size_t i = 0; ln && i < cols->n; i++) {
			int id = cols->ids[i];

			switch (id) {
			case COL_PID: cell_printf(ln, i, "%d", (int)numamove_task_pid(t)); break;
			case COL_COMM: cell_printf(ln, i, "%s", numamove_task_comm(t)); break;
			case COL_NODE: cell_printf(ln, i, "%d", node); break;
			case COL_TOTAL:
				cell_size(ln, i, o, numamove_maps_bytes(maps, node, -1) + (un ? numamove_maps_bytes(un, node, -1) : 0));
				break;
			case COL_UNMAPPED: cell_size(ln, i, o, un ? numamove_maps_bytes(un, node, -1) : 0); break;
			default:
				cell_size(ln, i, o, numamove_maps_bytes(maps, node, NUMAMOVE_KIND_ANON + (id - COL_ANON)));
			}
		}
	}
	numamove_nodelist_free(nodes);
}

/* @suffix: after each name (" [not mapped]" for numamove_maps_read_unmapped()'s). */
static void add_mappings(struct libscols_table *tb, const struct columns *cols, const struct output *o,
			 const struct numamove_nodelist *nodes, const struct numamove_task *t,
			 const struct numamove_maps *maps, const char *suffix)
{
	for (size_t m = 0; m < numamove_maps_count(maps); m++) {
		const struct numamove_mapping *mp = numamove_maps_get(maps, m);
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		uint64_t ps = numamove_mapping_page_size(mp);

		for (size_t i = 0; ln && i < cols->n; i++) {
			int id = cols->ids[i];

			switch (id) {
			case MCOL_PID: cell_printf(ln, i, "%d", (int)numamove_task_pid(t)); break;
			case MCOL_START: cell_printf(ln, i, "%" PRIx64, numamove_mapping_start(mp)); break;
			case MCOL_END: cell_printf(ln, i, "%" PRIx64, numamove_mapping_end(mp)); break;
			case MCOL_KIND: cell_printf(ln, i, "%s", numamove_kind_name(numamove_mapping_kind(mp))); break;
			case MCOL_POLICY: cell_printf(ln, i, "%s", numamove_mapping_policy(mp)); break;
			case MCOL_PAGESIZE: cell_size(ln, i, o, ps); break;
			case MCOL_RES: cell_size(ln, i, o, numamove_mapping_pages(mp, -1) * ps); break;
			case MCOL_NAME: cell_printf(ln, i, "%s%s", numamove_mapping_name(mp), suffix); break;
			default: {
				int node = numamove_nodelist_get(nodes, (size_t)id - NMAP);

				cell_size(ln, i, o, numamove_mapping_pages(mp, node) * ps);
			}
			}
		}
	}
}

int cmd_show(int argc, char **argv)
{
	enum { OPT_SHM = 256, OPT_SHM_KEY, OPT_ALL_SHM };
	static const struct option longopts[] = {
		{ "mappings", no_argument, NULL, 'm' },
		{ "shm", required_argument, NULL, OPT_SHM },
		{ "shm-key", required_argument, NULL, OPT_SHM_KEY },
		{ "all-shm", no_argument, NULL, OPT_ALL_SHM },
		{ "pids", no_argument, NULL, 'p' },
		OUTPUT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct output o = { 0 };
	struct numamove_topology *topo = NULL;
	const struct numamove_nodelist *nodes;
	struct libscols_table *tb;
	struct columns cols;
	struct targets targets = { 0 };
	bool mappings = false, all_shm = false, pids = false;
	int c, r, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "mp" OUTPUT_SHORTOPTS "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': mappings = true; break;
		case OPT_SHM: targets_add_shm("show", &targets, optarg, false); break;
		case OPT_SHM_KEY: targets_add_shm("show", &targets, optarg, true); break;
		case OPT_ALL_SHM: all_shm = true; break;
		case 'p': pids = true; break;
		case 'h': usage();
		default:
			if (!output_option(&o, c, optarg))
				try_help("show");
		}
	}
	targets_add_args("show", &targets, argc, argv, optind);
	/* The two tables have different columns: one kind per command. */
	if (targets.n_pids && (targets.n_objs || all_shm))
		usage_error("show", "give processes or objects (paths, --shm, --all-shm), not both");
	if (targets.n_objs || all_shm) {
		if (mappings)
			usage_error("show", "--mappings is for processes, not objects");
		status = show_objects(&o, &targets, all_shm, pids);
		targets_free(&targets);
		return status;
	}
	targets_free(&targets);
	if (optind >= argc)
		usage_error("show", "no process id or object given");
	if (pids)
		usage_error("show", "--pids is for objects (paths, --shm, --all-shm)");

	topo = topology_load_checked();
	if (!topo)
		return EXIT_ERROR;
	nodes = numamove_topology_nodes(topo);
	if (mappings) {
		columns_select("show", &o, map_infos, NMAP, map_defaults,
			       sizeof(map_defaults) / sizeof(map_defaults[0]), nodes, true, &cols);
		tb = table_new("mappings", &o, map_infos, NMAP, nodes, &cols);
	} else {
		columns_select("show", &o, sum_infos, NSUM, sum_defaults,
			       sizeof(sum_defaults) / sizeof(sum_defaults[0]), NULL, false, &cols);
		tb = table_new("processes", &o, sum_infos, NSUM, NULL, &cols);
	}

	for (int i = optind; i < argc; i++) {
		pid_t pid = parse_pid_arg("show", argv[i]);
		struct numamove_task *t = task_open_checked(pid);
		struct numamove_maps *maps = NULL;

		if (!t) {
			status = EXIT_ERROR;
			continue;
		}
		r = numamove_maps_read(t, &maps);
		if (r < 0) {
			if (r == -ESRCH)
				warnx_("%d (%s): the process exited", (int)pid, numamove_task_comm(t));
			else
				warnx_("%d (%s): cannot read its memory map: %s%s", (int)pid,
				       numamove_task_comm(t), strerror(-r), access_hint(r));
			status = EXIT_ERROR;
		} else {
			struct numamove_maps *un = NULL;

			/* Its anonymous shared memory and memfd: also what it does not map. */
			r = numamove_maps_read_unmapped(t, maps, &un);
			if (r == -EPERM)
				warnx_("%d (%s): the pages of its anonymous shared memory and memfd that it does not map are "
				       "not counted: reaching them through /proc/%d/map_files needs CAP_SYS_ADMIN or "
				       "CAP_CHECKPOINT_RESTORE", (int)pid, numamove_task_comm(t), (int)pid);
			else if (r < 0 && r != -ESRCH)
				warnx_("%d (%s): the pages of its anonymous shared memory and memfd that it does not map are "
				       "not counted: %s", (int)pid, numamove_task_comm(t), strerror(-r));
			if (mappings) {
				add_mappings(tb, &cols, &o, nodes, t, maps, "");
				if (un)
					add_mappings(tb, &cols, &o, nodes, t, un, " [not mapped]");
			} else {
				add_summary(tb, &cols, &o, t, maps, un);
			}
			numamove_maps_free(un);
		}
		numamove_maps_free(maps);
		numamove_task_free(t);
	}
	table_print(tb);
	numamove_topology_free(topo);
	return status;
}
