/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamove: show and move the memory of running processes between NUMA
 * nodes. A thin layer over libnumamove: one file per subcommand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "nodes", cmd_nodes, "list the machine's NUMA nodes" },
	{ "show", cmd_show, "show where processes' memory lives" },
	{ "move", cmd_move, "move processes' memory to other nodes" },
	{ "policy", cmd_policy, "show or change processes' memory policies" },
	{ "place", cmd_place, "keep a memory policy on files (for numamoved)" },
};

static void __attribute__((noreturn)) usage(void)
{
	printf("Usage:\n"
	       " %1$s <command> [options] [arguments]\n"
	       "\n"
	       "Show and move the memory of running processes between NUMA nodes.\n"
	       "\n"
	       "Commands:\n",
	       program_name);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf(" %-8s %s\n", commands[i].name, commands[i].summary);
	printf("\n"
	       "Options:\n"
	       " -h, --help     display this help\n"
	       " -V, --version  display version\n"
	       "\n"
	       "Run '%1$s <command> --help' for a command's options. For more details see numamove(8).\n",
	       program_name);
	exit(EXIT_OK);
}

int main(int argc, char **argv)
{
	const char *cmd;

	atexit(close_stdout);
	if (argc < 2)
		usage_error(NULL, "no command given");
	cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0)
		usage();
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0)
		print_version();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0) {
			/* getopt(3) names argv[0] in its messages: "numamove move: ..." */
			static char name[64];

			snprintf(name, sizeof(name), "%s %s", program_name, cmd);
			argv[1] = name;
			command_name = commands[i].name;
			return commands[i].fn(argc - 1, argv + 1);
		}
	usage_error(NULL, "unknown command '%s'", cmd);
}
