/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

const char *program_name = "numamove";
const char *command_name;

void print_version(void)
{
	printf("%s %s\n", program_name, NUMAMOVE_VERSION);
	exit(EXIT_OK);
}

/* util-linux's close_stream(): whether everything written to @s reached it. */
static int close_stream(FILE *s)
{
	bool pending = __fpending(s) != 0, prev_fail = ferror(s) != 0, close_fail = fclose(s) != 0;

	if (prev_fail || (close_fail && (pending || errno != EBADF))) {
		if (!close_fail && errno != EPIPE)
			errno = 0;
		return EOF;
	}
	return 0;
}

void close_stdout(void)
{
	if (close_stream(stdout) != 0 && errno != EPIPE) {
		if (errno)
			warn_errno(-errno, "write error");
		else
			warnx_("write error");
		_exit(EXIT_ERROR);
	}
	if (close_stream(stderr) != 0)
		_exit(EXIT_ERROR);
}

/* "--json" for 'J': the long name of an option for messages, "-x" when it has none. */
static const char *option_name(int c, const struct option *longopts, char *buf, size_t size)
{
	for (const struct option *o = longopts; o && o->name; o++)
		if (o->val == c) {
			snprintf(buf, size, "--%s", o->name);
			return buf;
		}
	snprintf(buf, size, "-%c", c);
	return buf;
}

void exclusive_option(int c, const struct option *longopts, const excl_t *excl, size_t nexcl, int *status)
{
	for (size_t i = 0; i < nexcl; i++) {
		const int *row = excl[i];
		bool in = false;

		for (size_t k = 0; k < EXCL_MAX && row[k]; k++)
			in |= row[k] == c;
		if (!in)
			continue;
		if (status[i] == 0) {
			status[i] = c;
		} else if (status[i] != c) {
			char a[64], b[64];

			usage_error(command_name, "mutually exclusive options: %s and %s",
				    option_name(status[i], longopts, a, sizeof(a)), option_name(c, longopts, b, sizeof(b)));
		}
	}
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void warn_errno(int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warnx_("%s: %s", msg, strerror(err < 0 ? -err : err));
}

void try_help(const char *cmd)
{
	fprintf(stderr, "Try '%s%s%s --help' for more information.\n", program_name, cmd ? " " : "",
		cmd ? cmd : "");
	exit(EXIT_USAGE);
}

void usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warnx_("%s", msg);
	try_help(cmd);
}

struct numamove_topology *topology_load_checked(void)
{
	struct numamove_topology *topo = NULL;
	int r = numamove_topology_load(NULL, &topo);

	if (r < 0) {
		warn_errno(r, "cannot read the NUMA topology from /sys/devices/system/node");
		return NULL;
	}
	return topo;
}

bool output_option(struct output *o, int c, const char *arg)
{
	static const struct option longopts[] = { OUTPUT_LONGOPTS, { NULL, 0, NULL, 0 } };
	/* JSON has no raw form; --output-all leaves nothing for -o to choose. */
	static const excl_t excl[] = {
		{ 'J', 'r' },
		{ 'o', OPT_OUTPUT_ALL },
	};

	_Static_assert(sizeof(excl) / sizeof(excl[0]) == sizeof(o->excl_status) / sizeof(o->excl_status[0]),
		       "one status per row");
	exclusive_option(c, longopts, excl, sizeof(excl) / sizeof(excl[0]), o->excl_status);
	switch (c) {
	case 'V': print_version();
	case 'J': o->json = true; break;
	case 'o': o->columns = arg; break;
	case OPT_OUTPUT_ALL: o->all = true; break;
	case 'n': o->noheadings = true; break;
	case 'r': o->raw = true; break;
	case 'b': o->bytes = true; break;
	default: return false;
	}
	return true;
}

void output_usage(bool columns)
{
	printf(" -J, --json            use JSON output format\n");
	if (columns)
		printf(" -o, --output <list>   output columns (+list adds to the defaults)\n"
		       "     --output-all      output all columns\n");
	printf(" -n, --noheadings      don't print headings\n"
	       " -r, --raw             use raw output format\n"
	       " -b, --bytes           print sizes in bytes rather than in human units\n"
	       " -h, --help            display this help\n"
	       " -V, --version         display version\n");
}

void err_nomem(void)
{
	warnx_("out of memory");
	exit(EXIT_ERROR);
}

static int find_column(const char *name, size_t len, const struct colinfo *info, size_t ninfo,
		       const struct numamove_nodelist *dyn_nodes)
{
	for (size_t i = 0; i < ninfo; i++)
		if (strlen(info[i].name) == len && strncasecmp(info[i].name, name, len) == 0)
			return (int)i;
	/* Per-node columns: N0, N1, ... for the machine's nodes. */
	if (dyn_nodes && len > 1 && (name[0] == 'N' || name[0] == 'n')) {
		char tmp[16];
		char *end;
		long node;

		if (len >= sizeof(tmp))
			return -1;
		memcpy(tmp, name + 1, len - 1);
		tmp[len - 1] = '\0';
		node = strtol(tmp, &end, 10);
		if (*end == '\0' && end != tmp && node >= 0 && node < INT_MAX) {
			int idx = numamove_nodelist_index(dyn_nodes, (int)node);

			if (idx >= 0)
				return (int)ninfo + idx;
		}
	}
	return -1;
}

static void add_col(const char *cmd, struct columns *c, int id)
{
	if (c->n >= sizeof(c->ids) / sizeof(c->ids[0]))
		usage_error(cmd, "too many output columns");
	c->ids[c->n++] = id;
}

static void add_defaults(const char *cmd, struct columns *c, size_t ninfo, const int *defaults,
			 size_t ndefaults, const struct numamove_nodelist *dyn_nodes, bool dyn_default)
{
	for (size_t i = 0; i < ndefaults; i++) {
		/* A negative default stands for "the node columns here". */
		if (defaults[i] < 0) {
			for (size_t k = 0; dyn_default && k < numamove_nodelist_count(dyn_nodes); k++)
				add_col(cmd, c, (int)(ninfo + k));
			continue;
		}
		add_col(cmd, c, defaults[i]);
	}
}

void columns_select(const char *cmd, const struct output *o, const struct colinfo *info, size_t ninfo,
		    const int *defaults, size_t ndefaults, const struct numamove_nodelist *dyn_nodes,
		    bool dyn_default, struct columns *ret)
{
	const char *p = o->columns;

	ret->n = 0;
	if (o->all) {
		for (size_t i = 0; i < ninfo; i++)
			add_col(cmd, ret, (int)i);
		for (size_t k = 0; k < numamove_nodelist_count(dyn_nodes); k++)
			add_col(cmd, ret, (int)(ninfo + k));
		return;
	}
	if (!p || *p == '+')
		add_defaults(cmd, ret, ninfo, defaults, ndefaults, dyn_nodes, dyn_default);
	if (!p)
		return;
	if (*p == '+')
		p++;
	while (*p) {
		size_t len = strcspn(p, ",");
		int id = find_column(p, len, info, ninfo, dyn_nodes);

		if (id < 0)
			usage_error(cmd, "unknown column: %.*s", (int)len, p);
		add_col(cmd, ret, id);
		p += len;
		if (*p == ',')
			p++;
	}
	if (ret->n == 0)
		usage_error(cmd, "no output columns");
}

struct libscols_table *table_new(const char *name, const struct output *o, const struct colinfo *info,
				 size_t ninfo, const struct numamove_nodelist *dyn_nodes, const struct columns *cols)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		err_nomem();
	scols_table_set_name(tb, name);
	scols_table_enable_json(tb, o->json);
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_noheadings(tb, o->noheadings);
	for (size_t i = 0; i < cols->n; i++) {
		int id = cols->ids[i];
		struct libscols_column *cl;

		if ((size_t)id < ninfo) {
			const struct colinfo *ci = &info[id];

			cl = scols_table_new_column(tb, ci->name, ci->whint, ci->flags);
			if (!cl)
				err_nomem();
			if (o->json)
				scols_column_set_json_type(cl, ci->is_size ? (o->bytes ? SCOLS_JSON_NUMBER
										    : SCOLS_JSON_STRING)
									   : ci->json_type);
			/* Array cells hold one value a line, as lsblk's MOUNTPOINTS do. */
			if (o->json && (ci->json_type == SCOLS_JSON_ARRAY_NUMBER ||
					ci->json_type == SCOLS_JSON_ARRAY_STRING)) {
				scols_column_set_flags(cl, ci->flags | SCOLS_FL_WRAP);
				scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize, scols_wrapnl_nextchunk, NULL);
			}
		} else {
			char buf[32];

			snprintf(buf, sizeof(buf), "N%d", numamove_nodelist_get(dyn_nodes, (size_t)id - ninfo));
			cl = scols_table_new_column(tb, buf, 6, SCOLS_FL_RIGHT);
			if (!cl)
				err_nomem();
			if (o->json)
				scols_column_set_json_type(cl, o->bytes ? SCOLS_JSON_NUMBER : SCOLS_JSON_STRING);
		}
	}
	return tb;
}

void cell_printf(struct libscols_line *ln, size_t i, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		err_nomem();
	if (scols_line_refer_data(ln, i, s) < 0)
		err_nomem();
}

void cell_bool(struct libscols_line *ln, size_t i, const struct output *o, bool value)
{
	/* libsmartcols reads "0" or "" as false in JSON; tables say yes/no. */
	if (o->json)
		cell_printf(ln, i, "%s", value ? "1" : "0");
	else
		cell_printf(ln, i, "%s", value ? "yes" : "no");
}

const char *size_text(const struct output *o, uint64_t bytes, char *buf, size_t size)
{
	if (o->bytes) {
		snprintf(buf, size, "%" PRIu64, bytes);
		return buf;
	}
	return size_to_human(bytes, buf, size);
}

void cell_size(struct libscols_line *ln, size_t i, const struct output *o, uint64_t bytes)
{
	char buf[32];

	cell_printf(ln, i, "%s", size_text(o, bytes, buf, sizeof(buf)));
}

void cell_user(struct libscols_line *ln, size_t i, uint32_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		cell_printf(ln, i, "%s", pw->pw_name);
	else
		cell_printf(ln, i, "%" PRIu32, uid);
}

void table_print(struct libscols_table *tb)
{
	scols_print_table(tb);
	scols_unref_table(tb);
}

pid_t parse_pid_arg(const char *cmd, const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0 || v > INT_MAX || arg[0] == '+' || arg[0] == ' ')
		usage_error(cmd, "not a process id: '%s'", arg);
	return (pid_t)v;
}

bool arg_is_pid(const char *arg)
{
	return arg[0] && arg[strspn(arg, "0123456789")] == '\0';
}

const char *access_hint(int err)
{
	switch (err) {
	case -EACCES:
	case -EPERM:
		return " (needs ptrace access to the process: the same user, or CAP_SYS_PTRACE)";
	default:
		return "";
	}
}

struct numamove_task *task_open_checked(pid_t pid)
{
	struct numamove_task *t = NULL;
	int r = numamove_task_open(pid, &t);

	if (r == -ESRCH) {
		warnx_("%d: no such process", (int)pid);
		return NULL;
	}
	if (r < 0) {
		warn_errno(r, "%d: cannot open the process", (int)pid);
		return NULL;
	}
	switch (numamove_task_state(t)) {
	case NUMAMOVE_TASK_ZOMBIE:
		warnx_("%d (%s): is a zombie: it has exited and has no memory", (int)pid, numamove_task_comm(t));
		break;
	case NUMAMOVE_TASK_KTHREAD:
		warnx_("%d (%s): is a kernel thread: it has no user memory", (int)pid, numamove_task_comm(t));
		break;
	default:
		return t;
	}
	numamove_task_free(t);
	return NULL;
}

int parse_size(const char *text, uint64_t *ret, bool units)
{
	static const char suffixes[] = "KMGTP";
	unsigned long long v;
	char *end;

	if (!text || text[0] < '0' || text[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end && units) {
		const char *p = strchr(suffixes, *end);
		int shift;

		if (!p || !*p)
			return -EINVAL;
		shift = 10 * (int)(p - suffixes + 1);
		end++;
		if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)
			end += strlen(end);
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
		v <<= shift;
	} else if (*end == 'B' && units) {
		end++;
	}
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

void policy_usage_error(const char *cmd, const char *opt, const char *text, int r, int bad)
{
	switch (r) {
	case -ENODEV:
		usage_error(cmd, "%s '%s': node %d does not exist or has no memory", opt, text, bad);
	case -ENOENT:
		usage_error(cmd, "%s '%s': the node list selects no node", opt, text);
	case -ERANGE:
		usage_error(cmd, "%s '%s': position %d is past the nodes with memory", opt, text, bad);
	default:
		usage_error(cmd, "%s: invalid policy '%s' (MODE[=FLAG][:NODES], see --help)", opt, text);
	}
}
