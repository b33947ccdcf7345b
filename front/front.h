/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every front end of libnumamove says, in the same words: the command
 * (numamove), the batch manager (numamoved) and the Slurm plugin render a
 * request's report through these. Internal: a static library, not part of
 * libnumamove's ABI. Nothing here decides anything; the library did.
 */
#ifndef NUMAMOVE_FRONT_H
#define NUMAMOVE_FRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <numamove/numamove.h>

/* Exit statuses of numamove(8), and what a report's worst outcome maps to. */
#define EXIT_OK 0
#define EXIT_ERROR 1
#define EXIT_USAGE 2
#define EXIT_PARTIAL 3

/* The exit status of an outcome: 0 done, planned or skipped; 3 partial; 2 invalid; 1 otherwise. */
int front_exit_status(enum numamove_outcome outcome);
/* Of two exit statuses, the one to report: usage errors, then errors, then partial, then success. */
int front_worst_status(int a, int b);

/* A size in human units ("1.5G", "64.0M", "0") in @buf. */
char *size_to_human(uint64_t bytes, char *buf, size_t size);

/* What target @i is called in messages: "1234 (comm)", "/dev/shm/buf (tmpfs)", "cgroup /sys/fs/cgroup/job". */
const char *front_label(const struct numamove_report *rep, size_t i, char *buf, size_t size);

/*
 * The sentence for @d, a refusal, failure or note of target @i (or of the
 * request, NUMAMOVE_REPORT_REQUEST), in @buf; @action says what the
 * request was (messages about policies differ). Returns @buf.
 */
const char *front_detail_text(const struct numamove_report *rep, size_t i, const struct numamove_detail *d,
			      char *buf, size_t size);

/*
 * Calls @fn with each diagnostic line of target @i, in order: why it was
 * refused, failed, exited or cancelled, then its notes. @i
 * NUMAMOVE_REPORT_REQUEST: the request's own notes.
 */
void front_each_message(const struct numamove_report *rep, size_t i, void (*fn)(const char *line, void *userdata),
			void *userdata);

/*
 * Why node list @text of option @opt ("--to") does not parse or resolve
 * (@err and @bad from numamove_nodelist_parse(); @all: the machine's nodes).
 */
const char *front_nodes_error(const char *opt, const char *text, int err, int bad,
			      const struct numamove_nodelist *all, char *buf, size_t size);

/* Who says it: the command names its options "--with-files", numamoved "option 'with-files'". */
enum front_voice {
	FRONT_VOICE_COMMAND,
	FRONT_VOICE_BUS,
};

/*
 * The sentence for @why, a rule of numamove_request_check() broken, in the
 * words of @voice; NULL for the rules a front end has no sentence for (the
 * options it cannot give: unknown flags, engines, a pacer), which it
 * reports as numamove_request_new()'s -EINVAL.
 */
const char *front_request_conflict(enum numamove_request_conflict why, enum front_voice voice);

/* A policy's text form in @buf; "?" for NULL (unknown). */
const char *policy_text(const struct numamove_policy *policy, char *buf, size_t size);

/*
 * Changes of several threads, counted together: "before -> after" of CPU
 * affinity or of a task policy. front_group_add() counts one in @g (of at
 * most @max groups, @n in use), with its own copies of the texts; false
 * when it would need group @max + 1 (or memory). front_groups_free() frees
 * the copies.
 */
struct front_group {
	char *before, *after;
	size_t n;
};
bool front_group_add(struct front_group *g, size_t *n, size_t max, const char *before, const char *after);
void front_groups_free(struct front_group *g, size_t n);
/* The affinity changes (status SET) of @aff, grouped; false when more than @max groups. */
bool front_affinity_groups(const struct numamove_affinity *aff, struct front_group *g, size_t *n, size_t max);
/* A policy's text form, allocated ("?" for NULL); NULL only without memory. */
char *front_policy_text_alloc(const struct numamove_policy *policy);

/* What a move report says as JSON, for programs: the "status" of a target. */
const char *front_status_name(const struct numamove_report *rep, size_t i);

/*
 * The JSON document of a move report, as numamove move -J prints it: an
 * array "moves" of one object per target (process, object, cgroup), with
 * its nodes as "children", and its threads' affinity changes, grouped,
 * as children with THREADS, CPUS-BEFORE and CPUS-AFTER. @bytes: sizes as
 * numbers of bytes.
 */
int front_move_json(FILE *out, const struct numamove_report *rep, bool bytes);

/* @s as a JSON string, quoted and escaped; NULL as "". */
void front_json_string(FILE *fp, const char *s);

/* How a move report is rendered as text: numamove move's output options. */
struct front_style {
	bool json, raw, noheadings, bytes; /* -J (results in the JSON document only), -r, -n, -b */
	bool timing;        /* say how long the longest call took (numamove: --rate or --max-stall given) */
	const char *prefix; /* diagnostics read "PREFIX: ..." ("numamove") */
};
/* A size as @s wants it: a number of bytes with -b, else human units. */
const char *front_size_text(const struct front_style *s, uint64_t bytes, char *buf, size_t size);
/*
 * Target @i of a move report, once it is done: its results on @out (none
 * with json: they are in the JSON document), its diagnostics on @err.
 */
void front_move_target(FILE *out, FILE *err, const struct front_style *s, const struct numamove_report *rep,
		       size_t i);
/* The request's own notes (NUMA balancing) on @err: once, before the first target's text. */
void front_move_request_notes(FILE *err, const struct front_style *s, const struct numamove_report *rep);
/* --progress=json: one line for @ev (phase MOVE or MOVED) of @subject on @err. */
void front_progress_json(FILE *err, const char *subject, const struct numamove_event *ev);
/* The terminal's progress line for @ev, from its start ("\r"), not ended: rewritten by the next. */
void front_progress_text(FILE *err, const char *prefix, const char *subject, const struct numamove_event *ev);

/*
 * numamove move --slurm-job JOBID --all-nodes: each node's record (plain
 * lines; render-nodes.c says which), and the summary of all of them.
 * front_node_record() writes the lines of @rep's targets on @out (on the
 * node); front_nodes_line() reads one line of task @task's record into @ns
 * (-EINVAL: not a record line; -ENOMEM). front_nodes_status(): the worst
 * exit status of the nodes (a node without a "status" line: 1).
 * front_nodes_text(): a row per node in task order and a total on @out,
 * then the pages not moved and why; front_nodes_json(): one document,
 * each node's own -J document in it as "report";
 * front_nodes_diagnostics(): each node's diagnostics on @err as
 * "PREFIX: NODE: ...".
 */
struct front_node {
	unsigned int task, tasks;   /* the task's rank in the step, the step's tasks */
	char *name;                 /* the node's name; NULL until its record says */
	int status;                 /* its exit status; -1 until its record says */
	bool reported, pages_known; /* a target reported; its pages not moved known (not the cgroup route) */
	char outcome[32];           /* the status name of its targets */
	uint64_t moved, left_bytes, left_pages;
	uint64_t reason_pages[NUMAMOVE_REASON_COUNT], reason_bytes[NUMAMOVE_REASON_COUNT];
	char **errs;                /* its diagnostic lines */
	size_t n_errs;
	char *json;                 /* its -J document */
	size_t json_len;
};
struct front_nodes {
	struct front_node *v;
	size_t n;
};
void front_node_record(FILE *out, const struct numamove_report *rep);
int front_nodes_line(struct front_nodes *ns, unsigned int task, const char *line);
int front_nodes_status(const struct front_nodes *ns);
void front_nodes_text(FILE *out, const struct front_style *s, struct front_nodes *ns);
void front_nodes_diagnostics(FILE *err, const struct front_style *s, const struct front_nodes *ns);
int front_nodes_json(FILE *out, struct front_nodes *ns, bool bytes);
void front_nodes_free(struct front_nodes *ns);

/*
 * An admin's move of a Slurm job on all its nodes (numamove move
 * --slurm-job JOBID --all-nodes as root): Slurm lets only the job's owner
 * start a step in it, so the tasks that ask each node's numamoved run as
 * the owner, and root's authority travels with them as a MUNGE credential
 * whose payload is this text: the request, canonical. Root's numamove
 * writes it from its options; numamoved writes it again from the request
 * it gets, and the credential authorizes that request only when the two
 * are equal (slurm-credential.c). NULL strings are empty; -EINVAL when a
 * string holds a newline, -ENOMEM.
 */
#define FRONT_SLURM_CREDENTIAL_ENV "NUMAMOVE_SLURM_CREDENTIAL"
struct front_move_terms {
	const char *job, *to, *from, *policy;
	unsigned int owner;            /* the job's owner: the uid of the tasks that ask */
	unsigned int flags;            /* NUMAMOVE_REQUEST_F_* */
	enum numamove_engine engine;
	unsigned int jobs, max_stall_ms; /* 0: not given */
	uint64_t rate;                 /* 0: not given */
	int priority;                  /* numamoved's, 0 when not given */
};
int front_slurm_credential_text(const struct front_move_terms *t, char **ret);

#endif
