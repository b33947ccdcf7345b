/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client of numamoved, the batch manager: numamove move --daemon,
 * jobs, cancel, pin, unpin, pins. Everything that talks to the bus is in
 * client.c (sd-bus from libsystemd); the subcommands parse their options
 * and render tables. Built without libsystemd (NUMAMOVE_CLIENT 0), each of
 * these calls says "numamove was built without numamoved support" and
 * returns EXIT_ERROR.
 *
 * The daemon is org.numamove.numamoved1 on the system bus; the bus is the
 * one sd_bus_open_system(3) finds: DBUS_SYSTEM_BUS_ADDRESS when set (a
 * private bus, for tests), else /run/dbus/system_bus_socket.
 *
 * Every call prints its own one-line errors ("numamove: cannot reach
 * numamoved: ...", "numamove: not authorized: ...") and returns an exit
 * status of numamove(8).
 */
#ifndef NUMAMOVE_CLI_CLIENT_H
#define NUMAMOVE_CLI_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common.h"
#include "objects.h"

/*
 * Whether move goes to the daemon when neither --daemon nor --no-daemon is
 * given: NUMAMOVE_DAEMON=1 (or yes, true), NUMAMOVE_DAEMON=0 (no, false,
 * empty, unset). Any other value is a usage error of @cmd.
 */
bool client_daemon_default(const char *cmd);

/* numamove move --daemon: the request as the command line gave it, checked already. */
struct client_move {
	const char *to, *from, *policy;
	bool dry_run, force, memory_only, no_stay, with_shared, with_files;
	unsigned int jobs, max_stall_ms; /* 0: not given */
	uint64_t rate;                   /* bytes/s, 0: not given */
	const char *engine;              /* "kernel", or NULL: the default */
	bool has_priority;
	int priority;                    /* --priority: -20..19 */
	bool progress_text, progress_json;
	const struct output *o;
	/* Processes and objects; or with @cgroup, the operands: cgroup directories or pids. */
	const struct targets *targets;
	bool cgroup;
	char **operands;
	size_t n_operands;
	/* --slurm-job: sent as they are, found by numamoved */
	char **slurm_jobs;
	size_t n_slurm_jobs;
	const char *credential; /* root's MUNGE credential for this request (move-nodes.c), or NULL */
};
/*
 * Sends the request, follows the job to its end (its text as it comes, its
 * progress), cancels it on SIGINT, SIGTERM or SIGHUP, and returns the job's
 * exit status.
 */
int client_move(const struct client_move *m);

/* A job as numamove jobs shows it. Strings are never NULL once listed. */
struct client_job {
	uint32_t id, owner;
	char *path, *state, *description, *outcome;
	/* With details (from the job's properties): */
	int32_t priority, exit_status;
	uint64_t done, total, rate, eta_us, submitted_us;
	char *held, *phase, *subject;
};
/* The daemon's jobs, in its order (by id), with their properties when @details. */
int client_list_jobs(bool details, struct client_job **ret, size_t *ret_n);
void client_jobs_free(struct client_job *jobs, size_t n);
/* Cancels each job; a line for each that cannot be cancelled. */
int client_cancel(const uint32_t *ids, size_t n);

/* A pin as numamove pins shows it. */
struct client_pin {
	uint32_t id, owner, pid, interval_ms;
	char *path, *target, *nodes, *cgroup, *state;
	uint64_t checks, corrections, bytes_corrected, last_check_us;
};
int client_list_pins(bool details, struct client_pin **ret, size_t *ret_n);
void client_pins_free(struct client_pin *pins, size_t n);
/*
 * Pins process @pid (or cgroup directory @cgroup, when not NULL) to
 * @nodes, checked every @interval_ms (0: the daemon's default); prints
 * "pin ID: TARGET on NODES".
 */
int client_pin(const char *nodes, unsigned int interval_ms, pid_t pid, const char *cgroup);
/* Ends each pin; a line for each that cannot be ended. */
int client_unpin(const uint32_t *ids, size_t n);

/*
 * numamove place: registers @paths (absolute) with numamoved so that it
 * keeps their placements (Manager.Place with @policy; the options scope
 * "directory", read-ahead and lock as @flags, NUMAMOVE_PLACEMENT_F_*, say),
 * or with @clear forgets them
 * (Manager.Clear). Returns EXIT_OK, CLIENT_UNREACHABLE when numamoved is
 * not there (nothing printed: the caller says what that means), or
 * EXIT_ERROR after a line saying why the daemon refused.
 */
#define CLIENT_UNREACHABLE 100
int client_place(char *const *paths, size_t n, const char *policy, unsigned int flags, bool clear);

/*
 * numamove show, for a file whose file system keeps no attribute
 * (hugetlbfs): the policy numamoved keeps for @path (absolute), from its
 * registry (Manager.ListPlacements, without starting it), in *@ret_policy,
 * and the path it is kept on (@path, or a directory above it whose
 * placement covers it) in *@ret_from, both allocated. 0; -ENODATA when it
 * keeps none, or does not run; another negative errno.
 */
int client_kept_placement(const char *path, char **ret_policy, char **ret_from);

/* Parses a job or pin id (decimal, from 1); a usage error of @cmd otherwise. */
uint32_t client_parse_id(const char *cmd, const char *what, const char *arg);
/* The ids of operands @first.. (at least one), allocated; a usage error of @cmd otherwise. */
uint32_t *client_ids_of(const char *cmd, const char *what, int argc, char **argv, int first, size_t *ret_n);
/* cancel and unpin: -h (@usage) and -V, then @call on the ids of the operands; returns its exit status. */
int client_ids_command(const char *cmd, const char *what, int argc, char **argv, void (*usage)(void),
		       int (*call)(const uint32_t *ids, size_t n));

#endif
