/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared objects on the command line: what show and move share. */
#ifndef NUMAMOVE_CLI_OBJECTS_H
#define NUMAMOVE_CLI_OBJECTS_H

#include "common.h"

/* An object as the command line names it. */
struct objspec {
	enum { SPEC_PATH, SPEC_SHM, SPEC_SHM_KEY } kind;
	const char *text; /* the path, or the argument of --shm / --shm-key */
	int value;        /* the id or key */
};

/* The objects and processes of a command line: pids, then paths, then segments. */
struct targets {
	char **pids;           /* arguments that are process ids */
	size_t n_pids;
	struct objspec *objs;  /* paths, --shm, --shm-key, in that order */
	size_t n_objs;
};

/* Takes --shm ID (@key false) or --shm-key KEY into @t; a usage error when malformed. */
void targets_add_shm(const char *cmd, struct targets *t, const char *arg, bool key);
/* Sorts the positional arguments from @first into pids and paths. */
void targets_add_args(const char *cmd, struct targets *t, int argc, char **argv, int first);
void targets_free(struct targets *t);

/* "shm:32769" for a segment, the path for a file. */
const char *object_label(const struct numamove_object *obj, char *buf, size_t size);

/* The object as named: the path, "shm:ID" or "shm-key:KEY". */
const char *objspec_label(const struct objspec *s, char *buf, size_t size);

/* Opens the object; a one-line error and NULL when it cannot. */
struct numamove_object *object_open_checked(const struct objspec *s);
/* Loads its placement; a one-line error and EXIT_ERROR when it cannot. */
int object_load_checked(struct numamove_object *obj);

/* numamove show for objects; returns the exit status. */
int show_objects(const struct output *o, const struct targets *t, bool all_shm, bool pids);
/* The --help lines of show's object columns. */
void show_objects_columns_usage(void);

#endif
