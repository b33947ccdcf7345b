/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef NUMAMOVE_CLI_MOVE_NODES_H
#define NUMAMOVE_CLI_MOVE_NODES_H

#include <stddef.h>

#include "front.h"

/* On a node of the step: where numamove move writes its record (front_node_record()); -1 otherwise. */
extern int move_record_fd;
/* On a node of root's step in a user's job: root's MUNGE credential, for numamoved (NULL otherwise). */
extern const char *move_slurm_credential;

/*
 * numamove move --all-nodes-task ARGS (@argv[0] "move", @argv[1] the
 * option): @move (cmd_move) runs ARGS in a child, and its record, its
 * diagnostics, its -J document and its exit status go to stdout as one
 * record. Returns 0 once the record is written.
 */
int move_node_task(int argc, char **argv, int (*move)(int, char **));

/*
 * numamove move --slurm-job @job --all-nodes: srun's step on every node of
 * the job, each running numamove move with @fwd (the options, forwarded);
 * prints the summary as @style says. Returns the exit status. Root, in a
 * job of another user, runs srun as the job's owner (Slurm lets no one
 * else start a step) and gives the tasks a MUNGE credential of the request
 * @terms describes, which each node's numamoved takes as root's asking.
 */
int move_all_nodes(const char *job, char **fwd, size_t n_fwd, const struct front_move_terms *terms,
		   const struct front_style *style);

#endif
