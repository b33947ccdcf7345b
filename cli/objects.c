/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared objects on the command line (SysV segments, tmpfs and hugetlbfs
 * files, the page cache of files): naming them, opening them with clear
 * errors, and numamove show for them.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "objects.h"

static void add_spec(struct targets *t, struct objspec s)
{
	struct objspec *n = realloc(t->objs, (t->n_objs + 1) * sizeof(*n));

	if (!n) {
		warnx_("out of memory");
		exit(EXIT_ERROR);
	}
	t->objs = n;
	t->objs[t->n_objs++] = s;
}

void targets_add_shm(const char *cmd, struct targets *t, const char *arg, bool key)
{
	char *end;
	long long v;

	errno = 0;
	/* Keys as ipcs(1) prints them (0x...) or as /proc/sysvipc/shm does (decimal). */
	v = strtoll(arg, &end, strncmp(arg, "0x", 2) == 0 || strncmp(arg, "0X", 2) == 0 ? 16 : 10);
	if (errno || end == arg || *end || arg[0] == ' ' || arg[0] == '+')
		usage_error(cmd, "%s: not a SysV %s: '%s'", key ? "--shm-key" : "--shm",
			    key ? "key" : "segment id", arg);
	if (key) {
		if (v < INT_MIN || v > UINT32_MAX)
			usage_error(cmd, "--shm-key: not a SysV key: '%s'", arg);
		if (v == 0)
			usage_error(cmd, "--shm-key 0 is IPC_PRIVATE, which names no single segment: use --shm ID");
		add_spec(t, (struct objspec){ .kind = SPEC_SHM_KEY, .text = arg, .value = (int)(uint32_t)v });
	} else {
		if (v < 0 || v > INT_MAX)
			usage_error(cmd, "--shm: not a SysV segment id: '%s'", arg);
		add_spec(t, (struct objspec){ .kind = SPEC_SHM, .text = arg, .value = (int)v });
	}
}

void targets_add_args(const char *cmd, struct targets *t, int argc, char **argv, int first)
{
	size_t shm = t->n_objs;

	t->pids = calloc((size_t)argc, sizeof(*t->pids));
	if (!t->pids) {
		warnx_("out of memory");
		exit(EXIT_ERROR);
	}
	for (int i = first; i < argc; i++) {
		if (arg_is_pid(argv[i])) {
			parse_pid_arg(cmd, argv[i]);
			t->pids[t->n_pids++] = argv[i];
		} else if (!*argv[i]) {
			usage_error(cmd, "an empty argument is neither a process id nor a path");
		} else {
			add_spec(t, (struct objspec){ .kind = SPEC_PATH, .text = argv[i] });
		}
	}
	/* Paths first, then the segments of --shm and --shm-key, each in the order given. */
	if (shm && t->n_objs > shm) {
		struct objspec *tmp = malloc(t->n_objs * sizeof(*tmp));

		if (!tmp) {
			warnx_("out of memory");
			exit(EXIT_ERROR);
		}
		memcpy(tmp, t->objs + shm, (t->n_objs - shm) * sizeof(*tmp));
		memcpy(tmp + (t->n_objs - shm), t->objs, shm * sizeof(*tmp));
		free(t->objs);
		t->objs = tmp;
	}
}

void targets_free(struct targets *t)
{
	free(t->pids);
	free(t->objs);
}

const char *object_label(const struct numamove_object *obj, char *buf, size_t size)
{
	if (numamove_object_type(obj) == NUMAMOVE_OBJECT_SYSV) {
		snprintf(buf, size, "shm:%d", numamove_object_shmid(obj));
		return buf;
	}
	return numamove_object_path(obj);
}

const char *objspec_label(const struct objspec *s, char *buf, size_t size)
{
	if (s->kind == SPEC_PATH)
		return s->text;
	snprintf(buf, size, "%s:%s", s->kind == SPEC_SHM ? "shm" : "shm-key", s->text);
	return buf;
}

struct numamove_object *object_open_checked(const struct objspec *s)
{
	struct numamove_object *obj = NULL;
	int r;

	switch (s->kind) {
	case SPEC_PATH:
		r = numamove_object_open(s->text, &obj);
		if (r == -EISDIR)
			warnx_("%s: is a directory (name the files in it)", s->text);
		else if (r == -EINVAL)
			warnx_("%s: not a regular file (numamove moves SysV segments, and files on tmpfs, hugetlbfs "
			       "or any file system)", s->text);
		else if (r == -ENOENT)
			warnx_("%s: no such file", s->text);
		else if (r < 0)
			warn_errno(r, "%s: cannot open", s->text);
		break;
	case SPEC_SHM:
		r = numamove_object_open_shm(s->value, &obj);
		if (r == -ENOENT)
			warnx_("shm:%d: no such SysV shared memory segment", s->value);
		else if (r < 0)
			warn_errno(r, "shm:%d: cannot attach the SysV segment", s->value);
		break;
	default:
		r = numamove_object_open_shm_key(s->value, &obj);
		if (r == -ENOENT)
			warnx_("--shm-key %s: no SysV shared memory segment has this key", s->text);
		else if (r < 0)
			warn_errno(r, "--shm-key %s: cannot attach the SysV segment", s->text);
		break;
	}
	return r < 0 ? NULL : obj;
}

/* The one-line error of a load that failed with @r. */
static void load_error(const struct numamove_object *obj, const char *label, int r)
{
	if (r == -EOPNOTSUPP)
		warnx_("%s: cannot tell its resident huge pages from its holes: userfaultfd(2) is not available",
		       label);
	else if (r == -EACCES && numamove_object_is_hugetlb(obj))
		warnx_("%s: finding the resident pages of a hugetlb object needs write permission on it", label);
	else if (r == -EACCES && numamove_object_type(obj) == NUMAMOVE_OBJECT_FILE)
		warnx_("%s: cannot tell its cached pages from its holes without write permission (or owning it)",
		       label);
	else
		warn_errno(r, "%s: cannot read where its pages are", label);
}

int object_load_checked(struct numamove_object *obj)
{
	char buf[64];
	const char *label = object_label(obj, buf, sizeof(buf));
	int r = numamove_object_load(obj);

	if (r == 0)
		return EXIT_OK;
	load_error(obj, label, r);
	return EXIT_ERROR;
}

enum { OCOL_NAME, OCOL_TYPE, OCOL_SHMID, OCOL_KEY, OCOL_SIZE, OCOL_PAGESIZE, OCOL_POLICY, OCOL_RES, OCOL_PIDS,
       OCOL_PLACEMENT, OCOL_PLACED_BY, OCOL_CONFORM };

static const struct colinfo obj_infos[] = {
	[OCOL_NAME] = { "NAME", 20, 0, SCOLS_JSON_STRING, false, "the file's path, or shm:ID for a SysV segment" },
	[OCOL_TYPE] = { "TYPE", 5, 0, SCOLS_JSON_STRING, false, "sysv, tmpfs, hugetlbfs or file" },
	[OCOL_SHMID] = { "SHMID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "SysV segment id" },
	[OCOL_KEY] = { "KEY", 10, 0, SCOLS_JSON_STRING, false, "SysV key" },
	[OCOL_SIZE] = { "SIZE", 6, SCOLS_FL_RIGHT, 0, true, "size of the object" },
	[OCOL_PAGESIZE] = { "PAGESIZE", 5, SCOLS_FL_RIGHT, 0, true, "page size (the huge page size of hugetlb objects)" },
	[OCOL_POLICY] = { "POLICY", 7, 0, SCOLS_JSON_STRING, false,
			  "the object's shared policy; - where the kernel keeps none" },
	[OCOL_RES] = { "RES", 6, SCOLS_FL_RIGHT, 0, true, "resident memory of the object" },
	[OCOL_PIDS] = { "PIDS", 8, SCOLS_FL_WRAP, SCOLS_JSON_ARRAY_NUMBER, false,
			"processes that map it (those numamove may read)" },
	[OCOL_PLACEMENT] = { "PLACEMENT", 9, 0, SCOLS_JSON_STRING, false,
			     "the placement that applies to the file (numamove place); - none" },
	[OCOL_PLACED_BY] = { "PLACED-BY", 12, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, false,
			     "what carries that placement: the file, or a directory above it" },
	[OCOL_CONFORM] = { "CONFORM", 7, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false,
			   "share of the resident pages on the placement's nodes, in percent" },
};
#define NOBJ (sizeof(obj_infos) / sizeof(obj_infos[0]))
/* -1: the per-node columns. */
static const int obj_defaults[] = { OCOL_NAME, OCOL_TYPE, OCOL_SIZE, OCOL_PAGESIZE, OCOL_POLICY, OCOL_RES, -1,
				    OCOL_PLACEMENT, OCOL_CONFORM };
static const int obj_defaults_pids[] = { OCOL_NAME, OCOL_TYPE, OCOL_SIZE, OCOL_PAGESIZE, OCOL_POLICY,
					 OCOL_RES, -1, OCOL_PLACEMENT, OCOL_CONFORM, OCOL_PIDS };

void show_objects_columns_usage(void)
{
	for (size_t i = 0; i < NOBJ; i++)
		printf(" %9s  %s\n", obj_infos[i].name, obj_infos[i].help);
	printf(" %9s  resident memory of the object on node <id>\n", "N<id>");
}

static void pids_cell(struct libscols_line *ln, size_t i, const struct output *o, const struct numamove_object *obj)
{
	pid_t *pids = NULL;
	size_t n = 0, len = 0;
	char *buf;

	if (numamove_object_pids(obj, &pids, &n) < 0)
		return;
	buf = calloc(1, n * 12 + 1);
	for (size_t k = 0; buf && k < n; k++)
		len += (size_t)sprintf(buf + len, "%s%d", k ? (o->json ? "\n" : ",") : "", (int)pids[k]);
	/* No cell is an empty array in JSON. */
	if (buf && n)
		cell_printf(ln, i, "%s", buf);
	free(buf);
	free(pids);
}

/* The placement numamoved keeps for @path (hugetlbfs), as a placement: policy and scope (not its flags). */
static int kept_placement(const char *path, struct numamove_placement **ret, char **ret_from)
{
	struct numamove_policy *pol = NULL;
	char *text = NULL, *from = NULL;
	int r = client_kept_placement(path, &text, &from), bad = 0;

	if (r == 0)
		r = numamove_policy_parse(text, NULL, &pol, &bad);
	if (r == 0)
		r = numamove_placement_new(pol, 0, ret);
	numamove_policy_free(pol);
	free(text);
	if (r < 0) {
		free(from);
		return r == -ENOMEM ? r : -ENODATA;
	}
	free(*ret_from);
	*ret_from = from;
	return 0;
}

/* The placement that applies to @obj (a file), or NULL after saying why it cannot be read. */
static struct numamove_placement *placement_of(const struct numamove_object *obj, char **ret_from)
{
	const char *path = numamove_object_path(obj);
	struct numamove_placement *p = NULL;
	int r;

	*ret_from = NULL;
	if (!path || numamove_object_type(obj) == NUMAMOVE_OBJECT_SYSV)
		return NULL;
	r = numamove_placement_find(path, NULL, &p, ret_from);
	/* hugetlbfs keeps no attribute: numamoved keeps its placements. */
	if (r == -ENODATA && numamove_object_type(obj) == NUMAMOVE_OBJECT_HUGETLBFS)
		r = kept_placement(path, &p, ret_from);
	if (r == -EBADMSG)
		warnx_("%s: its placement (or a directory's above it) is not one: a corrupt " NUMAMOVE_PLACEMENT_XATTR
		       " attribute (numamove place --clear removes it)", path);
	else if (r == -EPROTONOSUPPORT)
		warnx_("%s: its placement is of a later version of numamove", path);
	else if (r < 0 && r != -ENODATA)
		warn_errno(r, "%s: cannot read its placement", path);
	return r < 0 ? NULL : p;
}

/* The placement's cell: its policy, with the scope of a directory's. */
static void placement_cell(struct libscols_line *ln, size_t i, const struct output *o,
			   const struct numamove_placement *p)
{
	char buf[NUMAMOVE_PLACEMENT_MAX];

	if (!p) {
		if (!o->json)
			cell_printf(ln, i, "-");
		return;
	}
	cell_printf(ln, i, "%s", policy_text(numamove_placement_policy(p), buf, sizeof(buf)));
}

/* CONFORM: the share of the resident pages on nodes the placement wants (the library's measure). */
static void conform_cell(struct libscols_line *ln, size_t i, const struct output *o,
			 const struct numamove_object *obj, const struct numamove_placement *p)
{
	double pct;

	if (!p || numamove_placement_conformance(p, numamove_object_maps(obj), NULL, NULL, &pct) < 0) {
		if (!o->json)
			cell_printf(ln, i, "-");
		return;
	}
	cell_printf(ln, i, "%.1f", pct);
}

static bool wants_placement(const struct columns *cols)
{
	for (size_t i = 0; i < cols->n; i++)
		if (cols->ids[i] == OCOL_PLACEMENT || cols->ids[i] == OCOL_PLACED_BY || cols->ids[i] == OCOL_CONFORM)
			return true;
	return false;
}

static void add_row(struct libscols_table *tb, const struct columns *cols, const struct output *o,
		    const struct numamove_nodelist *nodes, const struct numamove_object *obj)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	uint64_t ps = numamove_object_page_size(obj);
	bool sysv = numamove_object_type(obj) == NUMAMOVE_OBJECT_SYSV;
	char *from = NULL;
	struct numamove_placement *placement = wants_placement(cols) ? placement_of(obj, &from) : NULL;
	char buf[64];

	for (size_t i = 0; ln && i < cols->n; i++) {
		switch (cols->ids[i]) {
		case OCOL_NAME: cell_printf(ln, i, "%s", object_label(obj, buf, sizeof(buf))); break;
		case OCOL_TYPE: cell_printf(ln, i, "%s", numamove_object_type_name(numamove_object_type(obj))); break;
		case OCOL_SHMID:
			if (sysv)
				cell_printf(ln, i, "%d", numamove_object_shmid(obj));
			break;
		case OCOL_KEY:
			if (sysv)
				cell_printf(ln, i, "0x%08x", (unsigned int)numamove_object_shm_key(obj));
			break;
		case OCOL_SIZE: cell_size(ln, i, o, numamove_object_size(obj)); break;
		case OCOL_PAGESIZE: cell_size(ln, i, o, ps); break;
		case OCOL_POLICY:
			/* null in JSON: the kernel keeps no policy on the object. */
			if (numamove_object_policy(obj))
				cell_printf(ln, i, "%s", numamove_object_policy(obj));
			else if (!o->json)
				cell_printf(ln, i, "-");
			break;
		case OCOL_RES: cell_size(ln, i, o, numamove_object_pages(obj, -1) * ps); break;
		case OCOL_PIDS: pids_cell(ln, i, o, obj); break;
		case OCOL_PLACEMENT: placement_cell(ln, i, o, placement); break;
		case OCOL_PLACED_BY:
			if (from)
				cell_printf(ln, i, "%s", from);
			else if (!o->json)
				cell_printf(ln, i, "-");
			break;
		case OCOL_CONFORM: conform_cell(ln, i, o, obj, placement); break;
		default:
			cell_size(ln, i, o, numamove_object_pages(obj, numamove_nodelist_get(nodes, (size_t)cols->ids[i] - NOBJ)) * ps);
		}
	}
	numamove_placement_free(placement);
	free(from);
}

/* --all-shm: where it is. */
struct all_shm {
	struct libscols_table *tb;
	const struct columns *cols;
	const struct output *o;
	const struct numamove_nodelist *nodes;
	size_t denied, denied_huge;
	int status;
};

/* One object of --all-shm (taken over), or the error @r of its open. */
static int all_shm_one(const char *label, struct numamove_object *obj, int r, void *userdata)
{
	struct all_shm *a = userdata;

	if (r == 0)
		r = numamove_object_load(obj);
	if (r == 0)
		add_row(a->tb, a->cols, a->o, a->nodes, obj);
	else if (r == -ENOENT)
		; /* gone since listed: not an error */
	else if ((r == -EACCES || r == -EPERM) && !obj)
		a->denied++; /* not ours to read: counted */
	else if (r == -EACCES && numamove_object_is_hugetlb(obj))
		a->denied_huge++;
	else {
		if (obj)
			load_error(obj, label, r);
		else
			warn_errno(r, "%s: cannot open", label);
		a->status = EXIT_ERROR;
	}
	numamove_object_free(obj);
	return 0;
}

/*
 * --all-shm: every segment, then every file under the tmpfs and hugetlbfs
 * mounts, that we may read.
 */
static int all_shm(struct libscols_table *tb, const struct columns *cols, const struct output *o,
		   const struct numamove_nodelist *nodes)
{
	struct all_shm a = { .tb = tb, .cols = cols, .o = o, .nodes = nodes, .status = EXIT_OK };
	int *ids = NULL;
	size_t n_ids = 0;
	int r;

	r = numamove_shm_ids(&ids, &n_ids);
	if (r < 0 && r != -ENOENT) {
		warn_errno(r, "cannot list the SysV segments (/proc/sysvipc/shm)");
		return EXIT_ERROR;
	}
	for (size_t k = 0; k < n_ids; k++) {
		struct numamove_object *obj = NULL;
		char label[32];

		snprintf(label, sizeof(label), "shm:%d", ids[k]);
		r = numamove_object_open_shm(ids[k], &obj);
		all_shm_one(label, r < 0 ? NULL : obj, r, &a);
	}
	free(ids);
	r = numamove_shmem_objects(all_shm_one, &a);
	if (r < 0) {
		warn_errno(r, "cannot list the files of the tmpfs mounts");
		a.status = EXIT_ERROR;
	}
	if (a.denied)
		warnx_("%zu objects left out: no permission to read them", a.denied);
	if (a.denied_huge)
		warnx_("%zu hugetlb objects left out: finding their resident huge pages needs write permission "
		       "on them", a.denied_huge);
	return a.status;
}

/*
 * --all-shm that finds nothing still prints the header, as lsblk and
 * findmnt --list do, so that "no objects" reads differently from "no
 * output" (libsmartcols prints nothing for a table without lines). The
 * header is the first line of the table printed with one empty line, so it
 * has libsmartcols' own widths and alignment. JSON prints its empty array
 * by itself; -n prints nothing.
 */
static void print_header_of_empty(struct libscols_table *tb, const struct output *o)
{
	struct libscols_line *ln;
	char *s = NULL;

	if (o->json || o->noheadings || scols_table_get_nlines(tb))
		return;
	ln = scols_table_new_line(tb, NULL);
	if (!ln)
		err_nomem();
	if (scols_print_table_to_string(tb, &s) == 0 && s)
		printf("%.*s\n", (int)strcspn(s, "\n"), s);
	free(s);
	scols_table_remove_line(tb, ln);
}

int show_objects(const struct output *o, const struct targets *t, bool all, bool pids)
{
	struct numamove_topology *topo = topology_load_checked();
	const struct numamove_nodelist *nodes;
	struct libscols_table *tb;
	struct columns cols;
	int status = EXIT_OK;

	if (!topo)
		return EXIT_ERROR;
	nodes = numamove_topology_nodes(topo);
	if (pids)
		columns_select("show", o, obj_infos, NOBJ, obj_defaults_pids,
			       sizeof(obj_defaults_pids) / sizeof(obj_defaults_pids[0]), nodes, true, &cols);
	else
		columns_select("show", o, obj_infos, NOBJ, obj_defaults, sizeof(obj_defaults) / sizeof(obj_defaults[0]),
			       nodes, true, &cols);
	tb = table_new("objects", o, obj_infos, NOBJ, nodes, &cols);
	for (size_t k = 0; k < t->n_objs; k++) {
		struct numamove_object *obj = object_open_checked(&t->objs[k]);

		if (!obj || object_load_checked(obj) != EXIT_OK)
			status = EXIT_ERROR;
		else
			add_row(tb, &cols, o, nodes, obj);
		numamove_object_free(obj);
	}
	if (all && all_shm(tb, &cols, o, nodes) != EXIT_OK)
		status = EXIT_ERROR;
	if (all)
		print_header_of_empty(tb, o);
	table_print(tb);
	numamove_topology_free(topo);
	return status;
}
