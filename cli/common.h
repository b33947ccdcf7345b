/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the subcommands of numamove share: exit codes, messages, output. */
#ifndef NUMAMOVE_CLI_COMMON_H
#define NUMAMOVE_CLI_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <libsmartcols.h>
#include <numamove/numamove.h>

#include "front.h" /* exit statuses, sizes, the sentences of a report */

extern const char *program_name;
/* The subcommand being run ("nodes"), or NULL before one is chosen: for the hint of usage errors. */
extern const char *command_name;

/* "numamove 0.3.0" on stdout, exit 0 (-V, --version). */
void __attribute__((noreturn)) print_version(void);
/*
 * Registered with atexit(3) first thing: output that could not be written
 * (a full disk, a closed pipe's EIO) is an error, "write error", exit 1,
 * as util-linux's close_stdout(). EPIPE stays silent.
 */
void close_stdout(void);

/* "numamove: MESSAGE" on stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "numamove: MESSAGE: strerror(-err)" on stderr. */
void warn_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* After getopt(3) has said what was wrong: the hint, exit 2. */
void __attribute__((noreturn)) try_help(const char *cmd);
/* Bad usage: one line, the hint, exit 2. */
void __attribute__((noreturn, format(printf, 2, 3))) usage_error(const char *cmd, const char *fmt, ...);

/* A column of a table: the static tables in each subcommand list these. */
struct colinfo {
	const char *name;
	double whint;
	int flags;      /* SCOLS_FL_* */
	int json_type;  /* SCOLS_JSON_*; sizes become numbers with --bytes */
	bool is_size;   /* a size: human units, or bytes with --bytes */
	const char *help;
};

/*
 * Options that cannot go together, as util-linux's ul_excl_t: each row lists
 * options (getopt values), ending in 0. exclusive_option() is
 * called with each option getopt returns; @status (one int per row, zeroed)
 * remembers which option of a row came first.
 */
#define EXCL_MAX 4
typedef int excl_t[EXCL_MAX];
/* A usage error (exit 2) when @c and an earlier option of its row were both given. */
void exclusive_option(int c, const struct option *longopts, const excl_t *excl, size_t nexcl, int *status);

/* The output options every subcommand takes. */
struct output {
	bool json, raw, noheadings, bytes, all;
	const char *columns; /* -o, or NULL for the defaults */
	int excl_status[2];  /* for exclusive_option() */
};

/* getopt_long(3) entries of the output options (and -V), and their short letters. */
/*
 * Long-only options shared here count from 0x1000; a subcommand's own count
 * from 256. (--output-all was 0x100 = 256, the value of show's --shm: show
 * --output-all crashed as a --shm without its argument.)
 */
#define OPT_OUTPUT_ALL 0x1000
#define OUTPUT_SHORTOPTS "Jo:nrbV"
#define OUTPUT_LONGOPTS                                          \
	{ "json", no_argument, NULL, 'J' },                      \
	{ "output", required_argument, NULL, 'o' },              \
	{ "output-all", no_argument, NULL, OPT_OUTPUT_ALL },     \
	{ "noheadings", no_argument, NULL, 'n' },                \
	{ "raw", no_argument, NULL, 'r' },                       \
	{ "bytes", no_argument, NULL, 'b' },                     \
	{ "version", no_argument, NULL, 'V' }
/*
 * Takes option @c into @o; false when it is not an output option. -V
 * prints the version and exits; -J with -r, and -o with --output-all, are
 * a usage error (exit 2).
 */
bool output_option(struct output *o, int c, const char *arg);
/* The --help lines of the output options (with -o/--output-all when @columns). */
void output_usage(bool columns);

/*
 * The columns in force: ids into a colinfo table. -o "+COLS" appends to the
 * defaults. Dynamic columns (N<node>) have ids from @dyn_base upwards.
 */
struct columns {
	/*
	 * Enough for every fixed column and a N<node> column per node of a
	 * large machine; more is refused with "too many output columns".
	 */
	int ids[128];
	size_t n;
};

/*
 * Parses o->columns (or takes @defaults, or every column with --output-all)
 * against @info and the dynamic node columns named N<id> for @dyn_nodes.
 * Returns 0, or exits with a usage error naming the unknown column.
 */
void columns_select(const char *cmd, const struct output *o, const struct colinfo *info, size_t ninfo,
		    const int *defaults, size_t ndefaults, const struct numamove_nodelist *dyn_nodes,
		    bool dyn_default, struct columns *ret);

/* A libsmartcols table with the selected columns. Exits on ENOMEM. */
struct libscols_table *table_new(const char *name, const struct output *o, const struct colinfo *info,
				 size_t ninfo, const struct numamove_nodelist *dyn_nodes, const struct columns *cols);
/* Sets cell @i of @ln to a printf'd string. */
void cell_printf(struct libscols_line *ln, size_t i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Sets cell @i of @ln to a boolean: yes/no, or true/false in JSON. */
void cell_bool(struct libscols_line *ln, size_t i, const struct output *o, bool value);
/* Sets cell @i of @ln to a size: human ("64.0M") or exact bytes with --bytes. */
void cell_size(struct libscols_line *ln, size_t i, const struct output *o, uint64_t bytes);
/* Sets cell @i of @ln to the name of user @uid, or its number when it has none. */
void cell_user(struct libscols_line *ln, size_t i, uint32_t uid);
/* Prints and frees the table. */
void table_print(struct libscols_table *tb);

/* A size as text: human units, or exact bytes with --bytes. */
const char *size_text(const struct output *o, uint64_t bytes, char *buf, size_t size);

/*
 * A size: digits, with @units a suffix K, M, G, T or P (powers of 1024,
 * optionally followed by iB or B). 0, -EINVAL or -ERANGE.
 */
int parse_size(const char *text, uint64_t *ret, bool units);

/* Whether an operand is a pid (only digits) rather than a path: ./123 is a path. */
bool arg_is_pid(const char *arg);
/* Parses a pid argument; a usage error (exit 2) when it is not one. */
pid_t parse_pid_arg(const char *cmd, const char *arg);

/*
 * Opens a task for reading or moving, with a one-line error naming the
 * problem (no such process, zombie, kernel thread). Returns NULL on error.
 */
struct numamove_task *task_open_checked(pid_t pid);

/* The machine's topology, or NULL after a one-line error. */
struct numamove_topology *topology_load_checked(void);

/* "out of memory", exit 1. */
void __attribute__((noreturn)) err_nomem(void);


/* A policy @text of option @opt ("--set") that numamove_policy_parse() refused with @r, @bad: one line, exit 2. */
void __attribute__((noreturn)) policy_usage_error(const char *cmd, const char *opt, const char *text, int r, int bad);

/* Explains errors from reading or moving a process's memory. */
const char *access_hint(int err);

#endif
