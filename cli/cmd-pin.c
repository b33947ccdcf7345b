/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamove pin: ask numamoved to keep a process or cgroup on nodes;
 * numamove unpin: end pins; numamove pins: list them. The bus is
 * client.c's; this file is the options and the table.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "commands.h"
#include "common.h"

static void __attribute__((noreturn)) pin_usage(void)
{
	printf("Usage:\n"
	       " %1$s pin [options] --to <nodes> <pid>\n"
	       " %1$s pin [options] --to <nodes> --cgroup <cgroup-dir>\n"
	       "\n"
	       "Ask numamoved to keep a process, or every process of a cgroup v2 group, on the\n"
	       "nodes given: every interval it checks, as cheaply as a dry run of 'move --to\n"
	       "<nodes>', whether pages or threads have left them (NUMA balancing, the kernel's\n"
	       "fallback, someone else's move, new threads), and moves them back through its\n"
	       "queue and budget. The pin ends when the process exits, or with unpin; it\n"
	       "survives a restart of numamoved. Prints the pin's id.\n"
	       "\n"
	       "Options:\n"
	       " -t, --to <nodes>      the nodes to keep it on\n"
	       "     --interval <ms>   check every ms milliseconds (at least 100; default:\n"
	       "                       numamoved's pin-interval-ms, 10000)\n"
	       "     --cgroup          the operand is a cgroup v2 directory\n"
	       " -h, --help            display this help\n"
	       " -V, --version         display version\n"
	       "\n"
	       "See '%1$s pins' for the pins, '%1$s unpin <id>' to end one, and numamove(8).\n",
	       program_name);
	exit(EXIT_OK);
}

/* A node list that does not parse, or names a node this machine lacks, is a usage error (exit 2). */
static void check_nodes(const char *to)
{
	struct numamove_request *req = NULL;
	int r = numamove_request_new(NUMAMOVE_ACTION_MOVE, NULL, &req), bad = 0;

	if (r == -ENOMEM)
		err_nomem();
	if (r == 0 && (r = numamove_request_set_nodes(req, to, NULL, NULL, &bad)) < 0) {
		struct numamove_topology *topo = topology_load_checked();
		char msg[512];

		numamove_request_free(req);
		if (!topo)
			exit(EXIT_ERROR);
		warnx_("%s", front_nodes_error("--to", to, r, bad, numamove_topology_nodes(topo), msg, sizeof(msg)));
		numamove_topology_free(topo);
		exit(EXIT_USAGE);
	}
	numamove_request_free(req);
}

int cmd_pin(int argc, char **argv)
{
	enum { OPT_INTERVAL = 256, OPT_CGROUP };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "cgroup", no_argument, NULL, OPT_CGROUP },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *to = NULL;
	unsigned int interval_ms = 0;
	bool cgroup = false;
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "t:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		case OPT_INTERVAL:
			if (parse_size(optarg, &v, false) < 0 || v < 100 || v > 86400000)
				usage_error("pin", "--interval: '%s' is not a number from 100 to 86400000", optarg);
			interval_ms = (unsigned int)v;
			break;
		case OPT_CGROUP: cgroup = true; break;
		case 'h': pin_usage();
		case 'V': print_version();
		default: try_help("pin");
		}
	}
	if (!to)
		usage_error("pin", "--to is required");
	if (optind >= argc)
		usage_error("pin", cgroup ? "no cgroup given" : "no process id given");
	if (argc - optind > 1)
		usage_error("pin", "one process or cgroup a pin: '%s' is one too many", argv[optind + 1]);
	if (!cgroup && !arg_is_pid(argv[optind]))
		usage_error("pin", "not a process id: '%s' (a cgroup goes with --cgroup)", argv[optind]);
	if (cgroup && arg_is_pid(argv[optind]))
		usage_error("pin", "--cgroup takes a cgroup directory: '%s' is a process id (./%s for a directory)",
			    argv[optind], argv[optind]);
	check_nodes(to);
	return client_pin(to, interval_ms, cgroup ? 0 : parse_pid_arg("pin", argv[optind]),
			  cgroup ? argv[optind] : NULL);
}

static void __attribute__((noreturn)) unpin_usage(void)
{
	printf("Usage:\n"
	       " %s unpin <id>...\n"
	       "\n"
	       "End pins of numamoved: the processes stay where they are, and are no longer\n"
	       "checked. Your own pins, or any with the manage action.\n"
	       "\n"
	       "Options:\n"
	       " -h, --help     display this help\n"
	       " -V, --version  display version\n"
	       "\n"
	       "Exit status: 0 every pin ended, 1 some could not be (no such pin, not\n"
	       "authorized, numamoved unreachable), 2 bad usage.\n"
	       "For more details see numamove(8).\n",
	       program_name);
	exit(EXIT_OK);
}

int cmd_unpin(int argc, char **argv)
{
	return client_ids_command("unpin", "pin", argc, argv, unpin_usage, client_unpin);
}

enum { COL_ID, COL_TARGET, COL_NODES, COL_OWNER, COL_UID, COL_PID, COL_CGROUP, COL_INTERVAL, COL_CHECKS,
       COL_CORRECTIONS, COL_CORRECTED, COL_LASTCHECK, COL_STATE, COL_PATH };

static const struct colinfo infos[] = {
	[COL_ID] = { "ID", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "pin id" },
	[COL_TARGET] = { "TARGET", 20, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, false, "the process or cgroup pinned" },
	[COL_NODES] = { "NODES", 5, 0, SCOLS_JSON_STRING, false, "the nodes it is kept on" },
	[COL_OWNER] = { "OWNER", 8, 0, SCOLS_JSON_STRING, false, "user who pinned it" },
	[COL_UID] = { "UID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "user id who pinned it" },
	[COL_PID] = { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "process id (empty for a cgroup)" },
	[COL_CGROUP] = { "CGROUP", 20, 0, SCOLS_JSON_STRING, false, "cgroup directory (empty for a process)" },
	[COL_INTERVAL] = { "INTERVAL", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "milliseconds between checks" },
	[COL_CHECKS] = { "CHECKS", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "checks made" },
	[COL_CORRECTIONS] = { "CORRECTIONS", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
			      "checks that found something to move back" },
	[COL_CORRECTED] = { "CORRECTED", 6, SCOLS_FL_RIGHT, 0, true, "bytes moved back" },
	[COL_LASTCHECK] = { "LASTCHECK", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
			    "milliseconds the last check took" },
	[COL_STATE] = { "STATE", 6, 0, SCOLS_JSON_STRING, false, "active or ended" },
	[COL_PATH] = { "PATH", 30, 0, SCOLS_JSON_STRING, false, "its D-Bus object path" },
};

static const int defaults[] = { COL_ID, COL_TARGET, COL_NODES, COL_OWNER, COL_INTERVAL, COL_CHECKS,
				COL_CORRECTIONS, COL_CORRECTED };

static void __attribute__((noreturn)) pins_usage(void)
{
	printf("Usage:\n"
	       " %s pins [options]\n"
	       "\n"
	       "List the pins of numamoved: what it keeps on which nodes, and what it has\n"
	       "moved back.\n"
	       "\n"
	       "Options:\n"
	       , program_name);
	output_usage(true);
	printf("\nColumns:\n");
	for (size_t i = 0; i < sizeof(infos) / sizeof(infos[0]); i++)
		printf(" %11s  %s\n", infos[i].name, infos[i].help);
	printf("\nFor more details see numamove(8).\n");
	exit(EXIT_OK);
}

static bool pins_need_details(const struct columns *cols)
{
	for (size_t i = 0; i < cols->n; i++)
		switch (cols->ids[i]) {
		case COL_ID: case COL_TARGET: case COL_NODES: case COL_OWNER: case COL_UID: case COL_PATH:
			break;
		default:
			return true;
		}
	return false;
}

int cmd_pins(int argc, char **argv)
{
	static const struct option longopts[] = {
		OUTPUT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct output o = { 0 };
	struct client_pin *pins = NULL;
	struct libscols_table *tb;
	struct columns cols;
	size_t n = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, OUTPUT_SHORTOPTS "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': pins_usage();
		default:
			if (!output_option(&o, c, optarg))
				try_help("pins");
		}
	}
	if (optind < argc)
		usage_error("pins", "unexpected argument '%s'", argv[optind]);
	columns_select("pins", &o, infos, sizeof(infos) / sizeof(infos[0]), defaults,
		       sizeof(defaults) / sizeof(defaults[0]), NULL, false, &cols);
	r = client_list_pins(pins_need_details(&cols), &pins, &n);
	if (r)
		return r;
	tb = table_new("pins", &o, infos, sizeof(infos) / sizeof(infos[0]), NULL, &cols);
	for (size_t k = 0; k < n; k++) {
		const struct client_pin *p = &pins[k];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			err_nomem();
		for (size_t i = 0; i < cols.n; i++) {
			switch (cols.ids[i]) {
			case COL_ID: cell_printf(ln, i, "%" PRIu32, p->id); break;
			case COL_TARGET: cell_printf(ln, i, "%s", p->target); break;
			case COL_NODES: cell_printf(ln, i, "%s", p->nodes); break;
			case COL_OWNER: cell_user(ln, i, p->owner); break;
			case COL_UID: cell_printf(ln, i, "%" PRIu32, p->owner); break;
			case COL_PID:
				if (p->pid)
					cell_printf(ln, i, "%" PRIu32, p->pid);
				break;
			case COL_CGROUP: cell_printf(ln, i, "%s", p->cgroup); break;
			case COL_INTERVAL: cell_printf(ln, i, "%" PRIu32, p->interval_ms); break;
			case COL_CHECKS: cell_printf(ln, i, "%" PRIu64, p->checks); break;
			case COL_CORRECTIONS: cell_printf(ln, i, "%" PRIu64, p->corrections); break;
			case COL_CORRECTED: cell_size(ln, i, &o, p->bytes_corrected); break;
			case COL_LASTCHECK: cell_printf(ln, i, "%.3f", (double)p->last_check_us / 1e3); break;
			case COL_STATE: cell_printf(ln, i, "%s", p->state); break;
			case COL_PATH: cell_printf(ln, i, "%s", p->path); break;
			}
		}
	}
	table_print(tb);
	client_pins_free(pins, n);
	return EXIT_OK;
}
