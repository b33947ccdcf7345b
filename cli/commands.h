/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAMOVE_CLI_COMMANDS_H
#define NUMAMOVE_CLI_COMMANDS_H

/* Each subcommand: argv[0] is the subcommand's name; returns the exit status. */
int cmd_nodes(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_move(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_place(int argc, char **argv);

#endif
