/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamove jobs: numamoved's jobs, one row each; numamove cancel: cancels
 * jobs. The bus is client.c's; this file is the options and the table.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "commands.h"
#include "common.h"

enum { COL_ID, COL_STATE, COL_OWNER, COL_UID, COL_PRIORITY, COL_DONE, COL_TOTAL, COL_RATE, COL_ETA, COL_PHASE,
       COL_SUBJECT, COL_HELD, COL_OUTCOME, COL_EXIT, COL_SUBMITTED, COL_DESCRIPTION, COL_PATH };

static const struct colinfo infos[] = {
	[COL_ID] = { "ID", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "job id" },
	[COL_STATE] = { "STATE", 8, 0, SCOLS_JSON_STRING, false,
			"queued, held, running, done, failed, cancelled or interrupted" },
	[COL_OWNER] = { "OWNER", 8, 0, SCOLS_JSON_STRING, false, "user who submitted the job" },
	[COL_UID] = { "UID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "user id who submitted the job" },
	[COL_PRIORITY] = { "PRIORITY", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
			   "priority, -20..19 as nice: lower runs first" },
	[COL_DONE] = { "DONE", 6, SCOLS_FL_RIGHT, 0, true, "bytes moved so far" },
	[COL_TOTAL] = { "TOTAL", 6, SCOLS_FL_RIGHT, 0, true, "bytes to move" },
	[COL_RATE] = { "RATE", 6, SCOLS_FL_RIGHT, 0, true, "bytes moved per second" },
	[COL_ETA] = { "ETA", 4, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "seconds left (empty: unknown)" },
	[COL_PHASE] = { "PHASE", 6, 0, SCOLS_JSON_STRING, false, "step of the current target" },
	[COL_SUBJECT] = { "SUBJECT", 10, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, false, "the current target" },
	[COL_HELD] = { "HELD", 20, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, false, "why a held job waits" },
	[COL_OUTCOME] = { "OUTCOME", 8, 0, SCOLS_JSON_STRING, false, "worst outcome of its targets, once finished" },
	[COL_EXIT] = { "EXIT", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
		       "numamove move's exit status for it, once finished" },
	[COL_SUBMITTED] = { "SUBMITTED", 19, 0, SCOLS_JSON_STRING, false, "when it was submitted" },
	[COL_DESCRIPTION] = { "DESCRIPTION", 30, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, false, "what it moves, where" },
	[COL_PATH] = { "PATH", 30, 0, SCOLS_JSON_STRING, false, "its D-Bus object path" },
};

static const int defaults[] = { COL_ID, COL_STATE, COL_OWNER, COL_PRIORITY, COL_DONE, COL_TOTAL, COL_RATE,
				COL_OUTCOME, COL_DESCRIPTION };

static void __attribute__((noreturn)) jobs_usage(void)
{
	printf("Usage:\n"
	       " %s jobs [options] [<id>...]\n"
	       "\n"
	       "List the jobs of numamoved, the batch manager: those queued, held, running,\n"
	       "and those finished in the last minutes (all, or those with the ids given).\n"
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

/* Whether a selected column needs the jobs' properties, not only the list. */
static bool needs_details(const struct columns *cols)
{
	for (size_t i = 0; i < cols->n; i++)
		switch (cols->ids[i]) {
		case COL_ID: case COL_STATE: case COL_OWNER: case COL_UID: case COL_OUTCOME: case COL_DESCRIPTION:
		case COL_PATH:
			break;
		default:
			return true;
		}
	return false;
}

static bool wanted(const struct client_job *j, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == j->id)
			return true;
	return n == 0;
}

static void add_row(struct libscols_table *tb, const struct output *o, const struct columns *cols,
		    const struct client_job *j)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	bool finished = *j->outcome != '\0';

	if (!ln)
		err_nomem();
	for (size_t i = 0; i < cols->n; i++) {
		switch (cols->ids[i]) {
		case COL_ID: cell_printf(ln, i, "%" PRIu32, j->id); break;
		case COL_STATE: cell_printf(ln, i, "%s", j->state); break;
		case COL_OWNER: cell_user(ln, i, j->owner); break;
		case COL_UID: cell_printf(ln, i, "%" PRIu32, j->owner); break;
		case COL_PRIORITY: cell_printf(ln, i, "%" PRId32, j->priority); break;
		case COL_DONE: cell_size(ln, i, o, j->done); break;
		case COL_TOTAL: cell_size(ln, i, o, j->total); break;
		case COL_RATE: cell_size(ln, i, o, j->rate); break;
		case COL_ETA:
			if (j->eta_us)
				cell_printf(ln, i, "%.0f", (double)j->eta_us / 1e6);
			break;
		case COL_PHASE: cell_printf(ln, i, "%s", j->phase); break;
		case COL_SUBJECT: cell_printf(ln, i, "%s", j->subject); break;
		case COL_HELD: cell_printf(ln, i, "%s", j->held); break;
		case COL_OUTCOME: cell_printf(ln, i, "%s", j->outcome); break;
		case COL_EXIT:
			if (finished && j->exit_status >= 0)
				cell_printf(ln, i, "%" PRId32, j->exit_status);
			break;
		case COL_SUBMITTED: {
			time_t t = (time_t)(j->submitted_us / 1000000);
			struct tm tm;
			char buf[32];

			if (j->submitted_us && localtime_r(&t, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm))
				cell_printf(ln, i, "%s", buf);
			break;
		}
		case COL_DESCRIPTION: cell_printf(ln, i, "%s", j->description); break;
		case COL_PATH: cell_printf(ln, i, "%s", j->path); break;
		}
	}
}

int cmd_jobs(int argc, char **argv)
{
	static const struct option longopts[] = {
		OUTPUT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct output o = { 0 };
	struct client_job *jobs = NULL;
	struct libscols_table *tb;
	struct columns cols;
	uint32_t *ids;
	size_t n_ids = 0, n = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, OUTPUT_SHORTOPTS "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': jobs_usage();
		default:
			if (!output_option(&o, c, optarg))
				try_help("jobs");
		}
	}
	columns_select("jobs", &o, infos, sizeof(infos) / sizeof(infos[0]), defaults,
		       sizeof(defaults) / sizeof(defaults[0]), NULL, false, &cols);
	ids = calloc((size_t)(argc - optind) + 1, sizeof(*ids));
	if (!ids)
		err_nomem();
	for (int i = optind; i < argc; i++)
		ids[n_ids++] = client_parse_id("jobs", "job", argv[i]);

	r = client_list_jobs(needs_details(&cols), &jobs, &n);
	if (r) {
		free(ids);
		return r;
	}
	tb = table_new("jobs", &o, infos, sizeof(infos) / sizeof(infos[0]), NULL, &cols);
	for (size_t i = 0; i < n; i++)
		if (wanted(&jobs[i], ids, n_ids))
			add_row(tb, &o, &cols, &jobs[i]);
	table_print(tb);
	/* An id asked for and not listed: as ps(1) with a pid that is gone, exit 1. */
	for (size_t k = 0; k < n_ids; k++) {
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			found = jobs[i].id == ids[k];
		if (!found) {
			warnx_("job %" PRIu32 ": no such job", ids[k]);
			r = EXIT_ERROR;
		}
	}
	client_jobs_free(jobs, n);
	free(ids);
	return r;
}

static void __attribute__((noreturn)) cancel_usage(void)
{
	printf("Usage:\n"
	       " %s cancel <id>...\n"
	       "\n"
	       "Cancel jobs of numamoved. A queued or held job ends at once; a running one\n"
	       "stops between two batches, and reports what moved (to the numamove that\n"
	       "follows it, and in its Report). Your own jobs, or any with the manage action.\n"
	       "\n"
	       "Options:\n"
	       " -h, --help     display this help\n"
	       " -V, --version  display version\n"
	       "\n"
	       "Exit status: 0 every job cancelled, 1 some could not be (no such job, not\n"
	       "authorized, numamoved unreachable), 2 bad usage.\n"
	       "For more details see numamove(8).\n",
	       program_name);
	exit(EXIT_OK);
}

/* The ids of the operands, or a usage error: what cancel and unpin share. */
uint32_t *client_ids_of(const char *cmd, const char *what, int argc, char **argv, int first, size_t *ret_n)
{
	uint32_t *ids;

	if (first >= argc)
		usage_error(cmd, "no %s id given", what);
	ids = calloc((size_t)(argc - first), sizeof(*ids));
	if (!ids)
		err_nomem();
	for (int i = first; i < argc; i++)
		ids[i - first] = client_parse_id(cmd, what, argv[i]);
	*ret_n = (size_t)(argc - first);
	return ids;
}

int client_ids_command(const char *cmd, const char *what, int argc, char **argv, void (*usage)(void),
		       int (*call)(const uint32_t *ids, size_t n))
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t *ids;
	size_t n;
	int c, r;

	while ((c = getopt_long(argc, argv, "Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': usage(); exit(EXIT_OK);
		case 'V': print_version();
		default: try_help(cmd);
		}
	}
	ids = client_ids_of(cmd, what, argc, argv, optind, &n);
	r = call(ids, n);
	free(ids);
	return r;
}

int cmd_cancel(int argc, char **argv)
{
	return client_ids_command("cancel", "job", argc, argv, cancel_usage, client_cancel);
}
