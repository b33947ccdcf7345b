/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bus interface (org.numamove.numamoved1, see the introspection XML):
 * the Manager object, the Job objects under .../job/ID, parsing of
 * targets and options. Every message that does not parse gets an error
 * that says which element and why; nothing a client sends is trusted
 * beyond what it says of itself (identity comes from auth.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "front.h"
#include "numamoved.h"

/* ---- parsing */

/* The variant's type must be @want; the error names @what. */
static int expect_variant(sd_bus_message *m, const char *what, const char *want, sd_bus_error *error)
{
	const char *contents;
	char type;
	int r;

	r = sd_bus_message_peek_type(m, &type, &contents);
	if (r < 0)
		return r;
	if (type != SD_BUS_TYPE_VARIANT || strcmp(contents, want) != 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s: the value must be of type '%s', not '%s'",
					 what, want, type == SD_BUS_TYPE_VARIANT ? contents : "?");
	return sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, want);
}

static int read_string_variant(sd_bus_message *m, const char *what, char **ret, sd_bus_error *error)
{
	const char *s;
	int r;

	r = expect_variant(m, what, "s", error);
	if (r < 0)
		return r;
	r = sd_bus_message_read(m, "s", &s);
	if (r < 0)
		return r;
	if (strlen(s) > MAX_STRING)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s: longer than %d bytes", what, MAX_STRING);
	if (!*s)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s: empty", what);
	free(*ret);
	*ret = strdup(s);
	if (!*ret)
		return -ENOMEM;
	return sd_bus_message_exit_container(m);
}

static int read_basic_variant(sd_bus_message *m, const char *what, char type, void *ret, sd_bus_error *error)
{
	char sig[2] = { type, '\0' };
	int r;

	r = expect_variant(m, what, sig, error);
	if (r < 0)
		return r;
	r = sd_bus_message_read_basic(m, type, ret);
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

static int read_one_target(sd_bus_message *m, struct target *t, sd_bus_error *error)
{
	static const struct { const char *name; enum target_kind kind; char type; } kinds[] = {
		{ "pidfd", TARGET_PIDFD, 'h' }, { "cgroup", TARGET_CGROUP, 's' }, { "cgroup-of", TARGET_CGROUP_OF, 'h' },
		{ "path", TARGET_PATH, 's' }, { "shm", TARGET_SHM, 'i' }, { "shm-key", TARGET_SHM_KEY, 'i' },
		{ "slurm-job", TARGET_SLURM_JOB, 's' },
	};
	const char *kind;
	char what[64];
	int r, fd;

	r = sd_bus_message_read(m, "s", &kind);
	if (r < 0)
		return r;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (strcmp(kinds[k].name, kind) != 0)
			continue;
		t->kind = kinds[k].kind;
		snprintf(what, sizeof(what), "target '%s'", kind);
		switch (kinds[k].type) {
		case 'h':
			r = read_basic_variant(m, what, 'h', &fd, error);
			if (r < 0)
				return r;
			/* The message's descriptor goes with the message: keep a copy. */
			t->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
			return t->fd < 0 ? -errno : 0;
		case 's':
			return read_string_variant(m, what, &t->text, error);
		default:
			return read_basic_variant(m, what, 'i', &t->value, error);
		}
	}
	return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown target kind '%.64s' (pidfd, cgroup, "
				 "cgroup-of, path, shm, shm-key, slurm-job)", kind);
}

/* The targets a(sv) of @m, as given (not identified yet); at most MAX_TARGETS. */
int bus_read_targets(sd_bus_message *m, struct target **ret, size_t *ret_n, sd_bus_error *error)
{
	struct target *v = NULL;
	size_t n = 0;
	int r;

	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "(sv)");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_STRUCT, "sv")) > 0) {
		if (n == MAX_TARGETS) {
			r = sd_bus_error_setf(error, ERR_TOO_MANY, "more than %d targets in one request", MAX_TARGETS);
			break;
		}
		if (n % 64 == 0) {
			struct target *nv = realloc(v, (n + 64) * sizeof(*v));

			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[n] = (struct target){ .fd = -1 };
		n++;
		r = read_one_target(m, &v[n - 1], error);
		if (r < 0)
			break;
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			break;
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(m);
	if (r >= 0 && n == 0)
		r = sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "no target given");
	if (r < 0) {
		targets_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

/* The targets a(sv) of @m, each identified (auth.c). */
int bus_parse_targets(sd_bus_message *m, struct target **ret, size_t *ret_n, sd_bus_error *error)
{
	struct target *v = NULL;
	size_t n = 0;
	int r;

	r = bus_read_targets(m, &v, &n, error);
	/* Identified only once all parsed: a malformed message costs no /proc reads. */
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = target_open(&v[i], error);
	if (r < 0) {
		targets_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

static int read_output(sd_bus_message *m, struct move_opts *o, sd_bus_error *error)
{
	int r;

	r = expect_variant(m, "option 'output'", "a{sv}", error);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
		const char *key;
		int b;
		bool *field;

		r = sd_bus_message_read(m, "s", &key);
		if (r < 0)
			return r;
		field = strcmp(key, "json") == 0	 ? &o->json
			: strcmp(key, "bytes") == 0	 ? &o->bytes
			: strcmp(key, "raw") == 0	 ? &o->raw
			: strcmp(key, "noheadings") == 0 ? &o->noheadings
							 : NULL;
		if (!field)
			return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "option 'output': unknown key '%.64s' "
						 "(json, bytes, raw, noheadings)", key);
		r = read_basic_variant(m, "option 'output'", 'b', &b, error);
		if (r < 0)
			return r;
		*field = b;
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	r = sd_bus_message_exit_container(m);
	return r < 0 ? r : sd_bus_message_exit_container(m);
}

static const struct flag_option {
	const char *key;
	unsigned int flag;
} flag_options[] = {
	{ "dry-run", NUMAMOVE_REQUEST_F_DRY_RUN },	   { "force", NUMAMOVE_REQUEST_F_FORCE },
	{ "memory-only", NUMAMOVE_REQUEST_F_MEMORY_ONLY }, { "no-stay", NUMAMOVE_REQUEST_F_NO_STAY },
	{ "with-shared", NUMAMOVE_REQUEST_F_WITH_SHARED }, { "with-files", NUMAMOVE_REQUEST_F_WITH_FILES },
};

static int read_number(sd_bus_message *m, const char *key, char type, uint64_t min, uint64_t max, uint64_t *ret,
		       sd_bus_error *error)
{
	char what[80];
	uint32_t u = 0;
	uint64_t t = 0;
	int32_t i = 0;
	int64_t v;
	int r;

	snprintf(what, sizeof(what), "option '%s'", key);
	r = read_basic_variant(m, what, type, type == 'u' ? (void *)&u : type == 't' ? (void *)&t : (void *)&i, error);
	if (r < 0)
		return r;
	v = type == 'u' ? (int64_t)u : type == 't' ? (int64_t)(t > INT64_MAX ? INT64_MAX : t) : (int64_t)i;
	/* Signed ranges (priority) are passed shifted by 20. */
	if (type == 'i')
		v += 20;
	if (v < (int64_t)min || (uint64_t)v > max)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "option '%s': %" PRId64 " is out of range "
					 "(%" PRId64 " to %" PRId64 ")", key, type == 'i' ? v - 20 : v,
					 type == 'i' ? (int64_t)min - 20 : (int64_t)min,
					 type == 'i' ? (int64_t)max - 20 : (int64_t)max);
	*ret = (uint64_t)v;
	return 0;
}

static int read_option(sd_bus_message *m, const char *key, bool pin, struct move_opts *o, sd_bus_error *error)
{
	char what[80];
	uint64_t v = 0;
	int r, b;

	snprintf(what, sizeof(what), "option '%s'", key);
	for (size_t k = 0; k < sizeof(flag_options) / sizeof(flag_options[0]); k++) {
		if (strcmp(flag_options[k].key, key) != 0)
			continue;
		r = read_basic_variant(m, what, 'b', &b, error);
		if (r >= 0)
			o->flags = b ? o->flags | flag_options[k].flag : o->flags & ~flag_options[k].flag;
		return r;
	}
	if (strcmp(key, "to") == 0)
		return read_string_variant(m, what, &o->to, error);
	if (strcmp(key, "from") == 0)
		return read_string_variant(m, what, &o->from, error);
	if (strcmp(key, "policy") == 0)
		return read_string_variant(m, what, &o->policy, error);
	if (!pin && strcmp(key, "slurm-credential") == 0)
		return read_string_variant(m, what, &o->credential, error);
	if (strcmp(key, "output") == 0)
		return read_output(m, o, error);
	if (strcmp(key, "engine") == 0) {
		char *e = NULL;

		r = read_string_variant(m, what, &e, error);
		if (r < 0)
			return r;
		if (strcmp(e, "batched") == 0)
			o->engine = NUMAMOVE_ENGINE_BATCHED;
		else if (strcmp(e, "kernel") == 0)
			o->engine = NUMAMOVE_ENGINE_KERNEL;
		else
			r = sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "option 'engine': '%.64s' is not an engine "
					      "(batched or kernel)", e);
		free(e);
		return r;
	}
	if (strcmp(key, "jobs") == 0) {
		r = read_number(m, key, 'u', 1, NUMAMOVE_JOBS_MAX, &v, error);
		if (r >= 0)
			o->jobs = (unsigned int)v;
		return r;
	}
	if (strcmp(key, "rate") == 0) {
		r = read_number(m, key, 't', 1, INT64_MAX, &v, error);
		if (r >= 0)
			o->rate = v;
		return r;
	}
	if (strcmp(key, "max-stall-ms") == 0) {
		r = read_number(m, key, 'u', 1, 60000, &v, error);
		if (r >= 0)
			o->max_stall_ms = (unsigned int)v;
		return r;
	}
	if (strcmp(key, "priority") == 0) {
		r = read_number(m, key, 'i', 0, 39, &v, error);
		/* Only a value read and in range: a refused one left @v unset (found by fuzz-bus-options). */
		if (r >= 0)
			o->priority = (int)v - 20;
		return r;
	}
	if (pin && strcmp(key, "interval-ms") == 0) {
		r = read_number(m, key, 'u', 100, 86400000, &v, error);
		if (r >= 0)
			o->interval_ms = (unsigned int)v;
		return r;
	}
	return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown option '%.64s'%s", key,
				 strcmp(key, "interval-ms") == 0 ? " (only Pin takes it)" : "");
}

/* What the command refuses as bad usage, refused the same way here; then the library's own checks. */
static int check_options(const struct move_opts *o, sd_bus_error *error)
{
	struct numamove_request *req = NULL;
	enum numamove_request_conflict why;
	int r, which = 0, bad = 0;

	if (!o->to)
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "option 'to' is required");
	/* The options alone (the targets come later: check_targets()); the library's rule, numamoved's words. */
	if (numamove_request_check(&(struct numamove_request_opts){
		.sz = sizeof(struct numamove_request_opts), .flags = o->flags, .engine = o->engine, .jobs = o->jobs,
		.rate = o->rate, .max_stall_ms = o->max_stall_ms }, 0, &why) < 0 &&
	    front_request_conflict(why, FRONT_VOICE_BUS))
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, front_request_conflict(why, FRONT_VOICE_BUS));
	r = numamove_request_new(NUMAMOVE_ACTION_MOVE, &(struct numamove_request_opts){
		.sz = sizeof(struct numamove_request_opts), .flags = o->flags, .engine = o->engine, .jobs = o->jobs,
		.max_stall_ms = o->max_stall_ms }, &req);
	if (r < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "these options do not go together: %s",
					 strerror(-r));
	r = numamove_request_set_nodes(req, o->to, o->from, &which, &bad);
	if (r < 0) {
		struct numamove_topology *topo = NULL;
		char msg[512];

		numamove_request_free(req);
		if (numamove_topology_load(NULL, &topo) < 0)
			return sd_bus_error_setf(error, ERR_BAD_NODES, "option '%s': bad node list", which ? "from" : "to");
		front_nodes_error(which ? "from" : "to", which ? o->from : o->to, r, bad, numamove_topology_nodes(topo),
				  msg, sizeof(msg));
		numamove_topology_free(topo);
		return sd_bus_error_set(error, ERR_BAD_NODES, msg);
	}
	if (o->policy && numamove_request_set_policy(req, o->policy, NULL) < 0)
		r = sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "option 'policy': invalid policy '%s' (bind, "
				      "preferred, interleave, default, or MODE[=FLAG][:NODES])", o->policy);
	numamove_request_free(req);
	return r;
}

int bus_parse_options(sd_bus_message *m, bool pin, struct move_opts *o, sd_bus_error *error)
{
	int r;

	r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
	if (r < 0)
		return r;
	while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
		const char *key;

		r = sd_bus_message_read(m, "s", &key);
		if (r < 0)
			return r;
		r = read_option(m, key, pin, o, error);
		if (r < 0)
			return r;
		r = sd_bus_message_exit_container(m);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	r = sd_bus_message_exit_container(m);
	if (r < 0)
		return r;
	return check_options(o, error);
}

/* What numamove move refuses as bad usage for these targets, refused the same way. */
static int check_targets(const struct target *t, size_t n, const struct move_opts *o, sd_bus_error *error)
{
	unsigned int what = NUMAMOVE_REQUEST_CHECK_TARGETS | (o->policy ? NUMAMOVE_REQUEST_CHECK_POLICY : 0);
	enum numamove_request_conflict why;

	for (size_t i = 0; i < n; i++) {
		if (t[i].kind == TARGET_PIDFD)
			what |= NUMAMOVE_REQUEST_CHECK_PROCESSES;
		if (t[i].kind == TARGET_PATH || t[i].kind == TARGET_SHM || t[i].kind == TARGET_SHM_KEY)
			what |= NUMAMOVE_REQUEST_CHECK_OBJECTS;
		if (t[i].kind == TARGET_CGROUP || t[i].kind == TARGET_CGROUP_OF || t[i].kind == TARGET_SLURM_JOB)
			what |= NUMAMOVE_REQUEST_CHECK_CGROUPS;
	}
	if (numamove_request_check(&(struct numamove_request_opts){
		.sz = sizeof(struct numamove_request_opts), .flags = o->flags, .engine = o->engine, .jobs = o->jobs,
		.rate = o->rate, .max_stall_ms = o->max_stall_ms }, what, &why) < 0 &&
	    front_request_conflict(why, FRONT_VOICE_BUS))
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, front_request_conflict(why, FRONT_VOICE_BUS));
	return 0;
}

/* ---- Manager */

/* A Move or a Pin call, kept while polkit answers. */
struct request_call {
	struct target *targets;
	size_t n;
	struct move_opts opts;
};

static void request_call_free(struct request_call *c)
{
	targets_free(c->targets, c->n);
	move_opts_clear(&c->opts);
	free(c);
}

/* Jobs queued or running (@pin false), or active pins, of @uid: so that one user cannot fill the daemon's memory. */
static unsigned int owned_live(struct daemon *d, uid_t uid, bool pin)
{
	size_t total = pin ? d->n_pins : d->n_jobs;
	unsigned int n = 0;

	for (size_t i = 0; i < total; i++)
		n += pin ? d->pins[i]->owner == uid && !d->pins[i]->ended
			 : d->jobs[i]->owner == uid && !job_done(d->jobs[i]);
	return n;
}

/*
 * What an authorized Move or Pin checks first: polkit's answer, the
 * caller still there, and under its limit of @max (@many says of what).
 * False when it has answered the call and freed @c; else the caller's uid in @ret_uid.
 */
static bool request_admitted(struct daemon *d, sd_bus_message *m, struct request_call *c, bool allowed,
			     const char *why, bool pin, unsigned int max, const char *many, uid_t *ret_uid)
{
	if (!allowed) {
		sd_bus_reply_method_errorf(m, ERR_NOT_AUTHORIZED, "%s", why);
		request_call_free(c);
		return false;
	}
	/* The caller left while polkit answered: its uid is not known, so nothing is done for it. */
	if (auth_sender_uid(m, ret_uid) < 0) {
		sd_bus_reply_method_errorf(m, ERR_NOT_AUTHORIZED, "the caller's identity cannot be read any more");
		request_call_free(c);
		return false;
	}
	/* Root's (a Slurm job's move by root's credential) is not counted against the caller's limit. */
	if (*ret_uid != 0 && !c->opts.by_root && owned_live(d, *ret_uid, pin) >= max) {
		sd_bus_reply_method_errorf(m, ERR_TOO_MANY, "uid %u has %u %s", (unsigned int)*ret_uid, max, many);
		request_call_free(c);
		return false;
	}
	return true;
}

/* A Move or a Pin: its targets and options parsed, checked by @check, then polkit asked; @done answers. */
static int request_call_start(struct daemon *d, sd_bus_message *m, bool pin,
			      int (*check)(sd_bus_message *m, struct request_call *c, sd_bus_error *error), auth_done_fn done,
			      sd_bus_error *error)
{
	struct request_call *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = bus_parse_targets(m, &c->targets, &c->n, error);
	if (r >= 0)
		r = bus_parse_options(m, pin, &c->opts, error);
	if (r >= 0)
		r = check(m, c, error);
	if (r >= 0)
		r = auth_check_move(d, m, c->targets, c->n, &c->opts, pin, done, c);
	if (r < 0) {
		request_call_free(c);
		return r;
	}
	/* Answered when polkit has said. */
	return 1;
}

static void on_move_authorized(struct daemon *d, sd_bus_message *m, bool allowed, bool privileged, const char *why,
				 void *userdata)
{
	struct request_call *c = userdata;
	struct job *j;
	uid_t uid;

	if (!request_admitted(d, m, c, allowed, why, false, MAX_JOBS_PER_UID,
			      "jobs queued or running already; wait for some to finish", &uid))
		return;
	j = job_new(d, uid, c->targets, c->n, &c->opts);
	if (!j) {
		sd_bus_reply_method_errno(m, ENOMEM, NULL);
		request_call_free(c);
		return;
	}
	j->privileged = privileged;
	j->client = sd_bus_message_get_sender(m) ? strdup(sd_bus_message_get_sender(m)) : NULL;
	c->targets = NULL;
	c->n = 0;
	request_call_free(c);
	log_job(6, j, "job %" PRIu32 " (%s, uid %u, priority %d): queued", j->id, j->description, (unsigned int)uid,
		 j->priority);
	state_save_job(d, j);
	bus_job_added(d, j);
	sd_bus_reply_method_return(m, "o", j->path);
	bus_manager_changed(d, "Queued");
	sched_run(d);
}

static int check_move_call(sd_bus_message *m, struct request_call *c, sd_bus_error *error)
{
	int r = check_targets(c->targets, c->n, &c->opts, error);

	return r < 0 || !c->opts.credential ? r : slurm_credential_check(m, c->targets, c->n, &c->opts, error);
}

static int method_move(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return request_call_start(userdata, m, false, check_move_call, on_move_authorized, error);
}

/* ListJobs and ListPins: answers @m with an array of @sig, @append adding element @i of @n (or none). */
static int reply_list(sd_bus_message *m, const char *sig, struct daemon *d, size_t n,
		      int (*append)(sd_bus_message *reply, const char *sig, const struct daemon *d, size_t i))
{
	sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', sig);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = append(reply, sig, d, i);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static int append_job(sd_bus_message *reply, const char *sig, const struct daemon *d, size_t i)
{
	const struct job *j = d->jobs[i];

	return sd_bus_message_append(reply, sig, j->id, j->path, job_state_name(j->state), (uint32_t)j->owner,
				     j->description, j->outcome ? j->outcome : "");
}

static int method_list_jobs(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct daemon *d = userdata;

	return reply_list(m, "(uosuss)", d, d->n_jobs, append_job);
}

static int method_get_job(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct daemon *d = userdata;
	struct job *j;
	uint32_t id;
	int r;

	r = sd_bus_message_read(m, "u", &id);
	if (r < 0)
		return r;
	j = job_find(d, id);
	if (!j)
		return sd_bus_error_setf(error, ERR_NO_SUCH_JOB, "no job %" PRIu32, id);
	return sd_bus_reply_method_return(m, "o", j->path);
}

static void on_reload_authorized(struct daemon *d, sd_bus_message *m, bool allowed, bool privileged, const char *why,
				 void *userdata)
{
	if (!allowed)
		sd_bus_reply_method_errorf(m, ERR_NOT_AUTHORIZED, "%s", why);
	else if (daemon_reload(d) < 0)
		sd_bus_reply_method_errorf(m, SD_BUS_ERROR_FAILED, "%s has errors (see the daemon's log); the "
					   "configuration in force stays", d->config_path);
	else
		sd_bus_reply_method_return(m, NULL);
}

static int method_reload(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	int r = auth_check_action(userdata, m, ACTION_MANAGE, "reloading the configuration", on_reload_authorized,
				  NULL);

	return r < 0 ? r : 1;
}

static uint32_t pins_active(struct daemon *d)
{
	uint32_t n = 0;

	for (size_t i = 0; i < d->n_pins; i++)
		n += !d->pins[i]->ended;
	return n;
}

static int manager_prop(sd_bus *bus, const char *path, const char *interface, const char *property,
			sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct daemon *d = userdata;

	if (strcmp(property, "Version") == 0)
		return sd_bus_message_append(reply, "s", NUMAMOVE_VERSION);
	if (strcmp(property, "Budget") == 0)
		return sd_bus_message_append(reply, "t", d->cfg.budget);
	if (strcmp(property, "MaxRunning") == 0)
		return sd_bus_message_append(reply, "u", d->cfg.max_running);
	if (strcmp(property, "Running") == 0)
		return sd_bus_message_append(reply, "u", sched_count(d, JOB_RUNNING));
	if (strcmp(property, "Queued") == 0)
		return sd_bus_message_append(reply, "u", sched_count(d, JOB_QUEUED) + sched_count(d, JOB_HELD));
	if (strcmp(property, "Pins") == 0)
		return sd_bus_message_append(reply, "u", pins_active(d));
	return -ENOENT;
}

/* ---- Job */

static int job_cancel_now(struct job *j, sd_bus_error *error)
{
	if (job_done(j))
		return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "job %" PRIu32 " is already %s", j->id,
					 job_state_name(j->state));
	log_job(6, j, "job %" PRIu32 ": cancel asked", j->id);
	if (j->state == JOB_RUNNING) {
		/* It stops between two batches and reports what moved. */
		job_cancel(j);
		return 0;
	}
	job_finish(j, JOB_CANCELLED, "cancelled", EXIT_ERROR);
	bus_manager_changed(j->d, "Queued");
	return 0;
}

/*
 * Cancel and Unpin: the owner of job or pin @id and root act at once (0:
 * the caller acts and answers); anyone else is asked ACTION_MANAGE for
 * @what (1: @done answers, its userdata a uint32_t @id it frees).
 */
static int owner_or_manage(struct daemon *d, sd_bus_message *m, uid_t owner, uint32_t id, const char *what,
			   auth_done_fn done)
{
	uint32_t *c;
	uid_t uid;
	int r;

	r = auth_sender_uid(m, &uid);
	if (r < 0)
		return r;
	if (uid == owner || uid == 0)
		return 0;
	c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	*c = id;
	r = auth_check_action(d, m, ACTION_MANAGE, what, done, c);
	if (r < 0) {
		free(c);
		return r;
	}
	return 1;
}

static void on_cancel_authorized(struct daemon *d, sd_bus_message *m, bool allowed, bool privileged, const char *why,
				 void *userdata)
{
	uint32_t *id = userdata;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct job *j = job_find(d, *id);

	free(id);
	if (!allowed) {
		sd_bus_reply_method_errorf(m, ERR_NOT_AUTHORIZED, "%s", why);
		return;
	}
	if (!j) {
		sd_bus_reply_method_errorf(m, ERR_NO_SUCH_JOB, "the job is gone");
		return;
	}
	if (job_cancel_now(j, &error) < 0)
		sd_bus_reply_method_error(m, &error);
	else
		sd_bus_reply_method_return(m, NULL);
	sd_bus_error_free(&error);
}

static int method_cancel(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct job *j = userdata;
	char what[128];
	int r;

	snprintf(what, sizeof(what), "cancelling job %" PRIu32 " of uid %u", j->id, (unsigned int)j->owner);
	r = owner_or_manage(j->d, m, j->owner, j->id, what, on_cancel_authorized);
	if (r != 0)
		return r;
	r = job_cancel_now(j, error);
	return r < 0 ? r : sd_bus_reply_method_return(m, NULL);
}

/* Whether the caller of the property call being answered is @j's owner or root (a signal has no caller). */
static bool may_read(sd_bus *bus, const struct job *j)
{
	sd_bus_message *m = sd_bus_get_current_message(bus);
	uid_t uid;

	return m && sd_bus_message_is_method_call(m, NULL, NULL) && auth_sender_uid(m, &uid) >= 0 &&
	       (uid == 0 || uid == j->owner);
}

static int job_prop(sd_bus *bus, const char *path, const char *interface, const char *p, sd_bus_message *reply,
		    void *userdata, sd_bus_error *error)
{
	struct job *j = userdata;

#define S(x) ((x) ? (x) : "")
	if (strcmp(p, "Id") == 0)
		return sd_bus_message_append(reply, "u", j->id);
	if (strcmp(p, "Owner") == 0)
		return sd_bus_message_append(reply, "u", (uint32_t)j->owner);
	if (strcmp(p, "Description") == 0)
		return sd_bus_message_append(reply, "s", j->description);
	if (strcmp(p, "Priority") == 0)
		return sd_bus_message_append(reply, "i", j->priority);
	if (strcmp(p, "Submitted") == 0)
		return sd_bus_message_append(reply, "t", j->submitted_us);
	if (strcmp(p, "State") == 0)
		return sd_bus_message_append(reply, "s", job_state_name(j->state));
	if (strcmp(p, "Held") == 0)
		return sd_bus_message_append(reply, "s", S(j->held));
	if (strcmp(p, "Phase") == 0)
		return sd_bus_message_append(reply, "s", j->phase);
	if (strcmp(p, "Subject") == 0)
		return sd_bus_message_append(reply, "s", S(j->subject));
	if (strcmp(p, "BytesDone") == 0)
		return sd_bus_message_append(reply, "t", j->bytes_done);
	if (strcmp(p, "BytesTotal") == 0)
		return sd_bus_message_append(reply, "t", j->bytes_total);
	if (strcmp(p, "Rate") == 0)
		return sd_bus_message_append(reply, "t", j->rate);
	if (strcmp(p, "Eta") == 0)
		return sd_bus_message_append(reply, "t", j->eta_us);
	if (strcmp(p, "Outcome") == 0)
		return sd_bus_message_append(reply, "s", S(j->outcome));
	if (strcmp(p, "ExitStatus") == 0)
		return sd_bus_message_append(reply, "i", j->exit_status);
	/* The report reads the targets' memory per node: for the job's owner and root only ("" otherwise). */
	if (strcmp(p, "Report") == 0)
		return sd_bus_message_append(reply, "s", may_read(bus, j) ? S(j->report) : "");
	if (strcmp(p, "Record") == 0)
		return sd_bus_message_append(reply, "s", may_read(bus, j) ? S(j->record) : "");
	if (strcmp(p, "Output") == 0)
		return sd_bus_message_append(reply, "s", may_read(bus, j) ? S(j->output) : "");
	if (strcmp(p, "Diagnostics") == 0)
		return sd_bus_message_append(reply, "s", may_read(bus, j) ? S(j->diagnostics) : "");
#undef S
	return -ENOENT;
}

/* "/org/numamove/numamoved1/job/12" → 12; 0 for anything else. */
static uint32_t path_id(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	char *end;
	unsigned long v;

	if (strncmp(path, prefix, n) != 0 || path[n] != '/' || path[n + 1] < '1' || path[n + 1] > '9')
		return 0;
	errno = 0;
	v = strtoul(path + n + 1, &end, 10);
	return errno || *end || v > UINT32_MAX ? 0 : (uint32_t)v;
}

static int job_find_cb(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
		       sd_bus_error *error)
{
	struct job *j = job_find(userdata, path_id(path, OBJ_JOB_PREFIX));

	if (!j)
		return 0;
	*found = j;
	return 1;
}

/* The node enumerators of jobs and pins: the paths @path_of gives for @i of @n (NULL: not listed). */
static int enumerate_paths(struct daemon *d, size_t n, const char *(*path_of)(const struct daemon *d, size_t i),
			   char ***ret_nodes)
{
	char **v = calloc(n + 1, sizeof(*v));
	size_t k = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *path = path_of(d, i);

		if (!path)
			continue;
		v[k] = strdup(path);
		if (!v[k]) {
			for (size_t j = 0; j < k; j++)
				free(v[j]);
			free(v);
			return -ENOMEM;
		}
		k++;
	}
	*ret_nodes = v;
	return 0;
}

static const char *job_path_of(const struct daemon *d, size_t i)
{
	return d->jobs[i]->path;
}

static int job_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***ret_nodes, sd_bus_error *error)
{
	struct daemon *d = userdata;

	return enumerate_paths(d, d->n_jobs, job_path_of, ret_nodes);
}

#define P(name, sig, flags) SD_BUS_PROPERTY(name, sig, job_prop, 0, flags)
#define CHANGES SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE

static const sd_bus_vtable job_vtable[] = {
	SD_BUS_VTABLE_START(0),
	P("Id", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	P("Owner", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	P("Description", "s", SD_BUS_VTABLE_PROPERTY_CONST),
	P("Priority", "i", SD_BUS_VTABLE_PROPERTY_CONST),
	P("Submitted", "t", SD_BUS_VTABLE_PROPERTY_CONST),
	P("State", "s", CHANGES),
	P("Held", "s", CHANGES),
	P("Phase", "s", CHANGES),
	P("Subject", "s", CHANGES),
	P("BytesDone", "t", CHANGES),
	P("BytesTotal", "t", CHANGES),
	P("Rate", "t", CHANGES),
	P("Eta", "t", CHANGES),
	P("Outcome", "s", CHANGES),
	P("ExitStatus", "i", CHANGES),
	P("Report", "s", CHANGES),
	P("Record", "s", CHANGES),
	/* Accumulated text: follow the Text signal instead of a change signal. */
	P("Output", "s", 0),
	P("Diagnostics", "s", 0),
	SD_BUS_METHOD("Cancel", "", "", method_cancel, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("Progress", "usstttttt",
				 SD_BUS_PARAM(target) SD_BUS_PARAM(subject) SD_BUS_PARAM(phase) SD_BUS_PARAM(done)
				 SD_BUS_PARAM(total) SD_BUS_PARAM(elapsed_us) SD_BUS_PARAM(rate) SD_BUS_PARAM(eta_us)
				 SD_BUS_PARAM(max_call_us), 0),
	SD_BUS_SIGNAL_WITH_NAMES("Text", "ss", SD_BUS_PARAM(out) SD_BUS_PARAM(err), 0),
	SD_BUS_SIGNAL_WITH_NAMES("Finished", "si", SD_BUS_PARAM(state) SD_BUS_PARAM(exit_status), 0),
	SD_BUS_VTABLE_END,
};

#undef P

/* ---- Pin */

static void on_pin_authorized(struct daemon *d, sd_bus_message *m, bool allowed, bool privileged, const char *why,
				 void *userdata)
{
	struct request_call *c = userdata;
	struct pin *p;
	uid_t uid;
	int r;

	if (!request_admitted(d, m, c, allowed, why, true, MAX_PINS_PER_UID, "pins already", &uid))
		return;
	p = pin_new(d, uid, &c->targets[0], &c->opts);
	request_call_free(c);
	if (!p) {
		sd_bus_reply_method_errno(m, ENOMEM, NULL);
		return;
	}
	p->privileged = privileged;
	r = pin_start(p);
	if (r < 0) {
		sd_bus_reply_method_errnof(m, -r, "cannot start the pin: %m");
		pin_end(p, "it could not start");
		return;
	}
	state_save_pin(d, p);
	bus_pin_added(d, p);
	bus_manager_changed(d, "Pins");
	sd_bus_reply_method_return(m, "o", p->path);
}

static int check_pin_call(sd_bus_message *m, struct request_call *c, sd_bus_error *error)
{
	if (c->n != 1 || (c->targets[0].kind != TARGET_PIDFD && c->targets[0].kind != TARGET_CGROUP))
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "a pin takes one target: a pidfd or a cgroup");
	/* Its corrections are plain moves: nothing else of a request would be kept. */
	if ((c->opts.flags & ~(NUMAMOVE_REQUEST_F_MEMORY_ONLY | NUMAMOVE_REQUEST_F_NO_STAY)) || c->opts.from ||
	    c->opts.policy || c->opts.jobs || c->opts.rate || c->opts.max_stall_ms || c->opts.engine ||
	    c->opts.priority || c->opts.json || c->opts.bytes || c->opts.raw || c->opts.noheadings)
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "a pin takes the options 'to', "
					"'interval-ms', 'memory-only' and 'no-stay' only");
	return 0;
}

static int method_pin(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	return request_call_start(userdata, m, true, check_pin_call, on_pin_authorized, error);
}

static int append_pin(sd_bus_message *reply, const char *sig, const struct daemon *d, size_t i)
{
	const struct pin *p = d->pins[i];

	if (p->ended)
		return 0;
	return sd_bus_message_append(reply, sig, p->id, p->path, p->target.label, (uint32_t)p->owner, p->nodes);
}

static int method_list_pins(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct daemon *d = userdata;

	return reply_list(m, "(uosus)", d, d->n_pins, append_pin);
}

static int method_get_pin(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct pin *p;
	uint32_t id;
	int r;

	r = sd_bus_message_read(m, "u", &id);
	if (r < 0)
		return r;
	p = pin_find(userdata, id);
	if (!p || p->ended)
		return sd_bus_error_setf(error, ERR_NO_SUCH_PIN, "no pin %" PRIu32, id);
	return sd_bus_reply_method_return(m, "o", p->path);
}

static void on_unpin_authorized(struct daemon *d, sd_bus_message *m, bool allowed, bool privileged, const char *why,
				 void *userdata)
{
	uint32_t *id = userdata;
	struct pin *p = pin_find(d, *id);

	free(id);
	if (!allowed)
		sd_bus_reply_method_errorf(m, ERR_NOT_AUTHORIZED, "%s", why);
	else if (!p || p->ended)
		sd_bus_reply_method_errorf(m, ERR_NO_SUCH_PIN, "the pin is gone");
	else {
		pin_end(p, "unpinned");
		sd_bus_reply_method_return(m, NULL);
	}
}

static int method_unpin(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct pin *p = userdata;
	char what[128];
	int r;

	snprintf(what, sizeof(what), "unpinning pin %" PRIu32 " of uid %u", p->id, (unsigned int)p->owner);
	r = owner_or_manage(p->d, m, p->owner, p->id, what, on_unpin_authorized);
	if (r != 0)
		return r;
	pin_end(p, "unpinned");
	return sd_bus_reply_method_return(m, NULL);
}

static int pin_prop(sd_bus *bus, const char *path, const char *interface, const char *prop, sd_bus_message *reply,
		    void *userdata, sd_bus_error *error)
{
	struct pin *p = userdata;
	bool cgroup = p->target.kind == TARGET_CGROUP;

	if (strcmp(prop, "Id") == 0)
		return sd_bus_message_append(reply, "u", p->id);
	if (strcmp(prop, "Owner") == 0)
		return sd_bus_message_append(reply, "u", (uint32_t)p->owner);
	if (strcmp(prop, "Target") == 0)
		return sd_bus_message_append(reply, "s", p->target.label);
	if (strcmp(prop, "Pid") == 0)
		return sd_bus_message_append(reply, "u", cgroup ? 0 : (uint32_t)p->target.pid);
	if (strcmp(prop, "Cgroup") == 0)
		return sd_bus_message_append(reply, "s", cgroup ? p->target.text : "");
	if (strcmp(prop, "Nodes") == 0)
		return sd_bus_message_append(reply, "s", p->nodes);
	if (strcmp(prop, "IntervalMs") == 0)
		return sd_bus_message_append(reply, "u", p->interval_ms);
	if (strcmp(prop, "Checks") == 0)
		return sd_bus_message_append(reply, "t", p->checks);
	if (strcmp(prop, "Corrections") == 0)
		return sd_bus_message_append(reply, "t", p->corrections);
	if (strcmp(prop, "BytesCorrected") == 0)
		return sd_bus_message_append(reply, "t", p->bytes_corrected);
	if (strcmp(prop, "LastCheckUs") == 0)
		return sd_bus_message_append(reply, "t", p->last_check_us);
	if (strcmp(prop, "State") == 0)
		return sd_bus_message_append(reply, "s", p->ended ? "ended" : "active");
	return -ENOENT;
}

static int pin_find_cb(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
		       sd_bus_error *error)
{
	struct pin *p = pin_find(userdata, path_id(path, OBJ_PIN_PREFIX));

	if (!p || p->ended)
		return 0;
	*found = p;
	return 1;
}

static const char *pin_path_of(const struct daemon *d, size_t i)
{
	return d->pins[i]->ended ? NULL : d->pins[i]->path;
}

static int pin_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***ret_nodes, sd_bus_error *error)
{
	struct daemon *d = userdata;

	return enumerate_paths(d, d->n_pins, pin_path_of, ret_nodes);
}

#define P(name, sig, flags) SD_BUS_PROPERTY(name, sig, pin_prop, 0, flags)

static const sd_bus_vtable pin_vtable[] = {
	SD_BUS_VTABLE_START(0),
	P("Id", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	P("Owner", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	P("Target", "s", SD_BUS_VTABLE_PROPERTY_CONST),
	P("Pid", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	P("Cgroup", "s", SD_BUS_VTABLE_PROPERTY_CONST),
	P("Nodes", "s", SD_BUS_VTABLE_PROPERTY_CONST),
	P("IntervalMs", "u", SD_BUS_VTABLE_PROPERTY_CONST),
	P("Checks", "t", CHANGES),
	P("Corrections", "t", CHANGES),
	P("BytesCorrected", "t", CHANGES),
	P("LastCheckUs", "t", CHANGES),
	P("State", "s", CHANGES),
	SD_BUS_METHOD("Unpin", "", "", method_unpin, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("Corrected", "tus", SD_BUS_PARAM(bytes) SD_BUS_PARAM(threads) SD_BUS_PARAM(text), 0),
	SD_BUS_VTABLE_END,
};
#undef P

#define P(name, sig, flags) SD_BUS_PROPERTY(name, sig, manager_prop, 0, flags)

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	P("Version", "s", SD_BUS_VTABLE_PROPERTY_CONST),
	P("Budget", "t", CHANGES),
	P("MaxRunning", "u", CHANGES),
	P("Running", "u", CHANGES),
	P("Queued", "u", CHANGES),
	P("Pins", "u", CHANGES),
	SD_BUS_METHOD_WITH_NAMES("Move", "a(sv)a{sv}", SD_BUS_PARAM(targets) SD_BUS_PARAM(options), "o",
				 SD_BUS_PARAM(job), method_move, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("ListJobs", "", , "a(uosuss)", SD_BUS_PARAM(jobs), method_list_jobs,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("GetJob", "u", SD_BUS_PARAM(id), "o", SD_BUS_PARAM(job), method_get_job,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Pin", "a(sv)a{sv}", SD_BUS_PARAM(targets) SD_BUS_PARAM(options), "o",
				 SD_BUS_PARAM(pin), method_pin, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("ListPins", "", , "a(uosus)", SD_BUS_PARAM(pins), method_list_pins,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("GetPin", "u", SD_BUS_PARAM(id), "o", SD_BUS_PARAM(pin), method_get_pin,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Reload", "", "", method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Place", "assa{sv}", SD_BUS_PARAM(paths) SD_BUS_PARAM(policy) SD_BUS_PARAM(options),
				 "", , method_place, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("Clear", "as", SD_BUS_PARAM(paths), "", , method_clear, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("ListPlacements", "", , "a(sssd)", SD_BUS_PARAM(placements), method_list_placements,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SlurmTaskStarted", "sa{sv}", SD_BUS_PARAM(step) SD_BUS_PARAM(options), "s",
				 SD_BUS_PARAM(warning), method_slurm_task_started, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_NAMES("SlurmStepEnded", "s", SD_BUS_PARAM(step), "", , method_slurm_step_ended,
				 SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_NAMES("PlacementCorrected", "st", SD_BUS_PARAM(path) SD_BUS_PARAM(bytes), 0),
	SD_BUS_VTABLE_END,
};
#undef P

/* ---- changes and signals */

void bus_manager_changed(struct daemon *d, const char *prop)
{
	sd_bus_emit_properties_changed(d->bus, OBJ_ROOT, IFACE_MANAGER, prop, NULL);
	/* What systemctl status shows; nothing without NOTIFY_SOCKET. */
	sd_notifyf(0, "STATUS=%u running, %u queued, %" PRIu32 " pins", sched_count(d, JOB_RUNNING),
		   sched_count(d, JOB_QUEUED) + sched_count(d, JOB_HELD), pins_active(d));
}

int bus_job_added(struct daemon *d, struct job *j)
{
	return sd_bus_emit_interfaces_added(d->bus, j->path, IFACE_JOB, NULL);
}

void bus_job_removed(struct daemon *d, struct job *j)
{
	sd_bus_emit_interfaces_removed(d->bus, j->path, IFACE_JOB, NULL);
}

void bus_job_changed(struct job *j, const char *const *props)
{
	sd_bus_emit_properties_changed_strv(j->d->bus, j->path, IFACE_JOB, (char **)props);
}

/*
 * What a job says of its targets (their memory per node, their threads)
 * is its submitter's business: its text and progress go to the
 * connection that submitted it alone, never broadcast. A job restored
 * after a restart, or a pin's correction, has no submitter connected.
 */
static void emit_to_client(struct job *j, const char *member, const char *types, ...)
{
	sd_bus_message *m = NULL;
	va_list ap;
	int r;

	if (!j->client)
		return;
	r = sd_bus_message_new_signal(j->d->bus, &m, j->path, IFACE_JOB, member);
	if (r >= 0)
		r = sd_bus_message_set_destination(m, j->client);
	if (r >= 0) {
		va_start(ap, types);
		r = sd_bus_message_appendv(m, types, ap);
		va_end(ap);
	}
	if (r >= 0)
		sd_bus_send(j->d->bus, m, NULL);
	sd_bus_message_unref(m);
}

void bus_job_progress(struct job *j, const struct numamove_event *ev, const char *subject)
{
	emit_to_client(j, "Progress", "usstttttt", (uint32_t)ev->target, subject, j->phase, ev->bytes_done,
		       ev->bytes_total, ev->elapsed_ns / 1000, ev->rate, ev->eta_ns / 1000, ev->max_call_ns / 1000);
}

void bus_job_text(struct job *j, const char *out, const char *err)
{
	emit_to_client(j, "Text", "ss", out, err);
}

void bus_job_finished(struct job *j)
{
	sd_bus_emit_signal(j->d->bus, j->path, IFACE_JOB, "Finished", "si", job_state_name(j->state), j->exit_status);
}

int bus_pin_added(struct daemon *d, struct pin *p)
{
	return sd_bus_emit_interfaces_added(d->bus, p->path, IFACE_PIN, NULL);
}

void bus_pin_removed(struct daemon *d, struct pin *p)
{
	sd_bus_emit_interfaces_removed(d->bus, p->path, IFACE_PIN, NULL);
}

void bus_pin_changed(struct pin *p, const char *const *props)
{
	sd_bus_emit_properties_changed_strv(p->d->bus, p->path, IFACE_PIN, (char **)props);
}

void bus_pin_corrected(struct pin *p, uint64_t bytes, uint32_t threads, const char *text)
{
	sd_bus_emit_signal(p->d->bus, p->path, IFACE_PIN, "Corrected", "tus", bytes, threads, text);
}

int bus_placement_corrected(struct daemon *d, const char *path, uint64_t bytes)
{
	return sd_bus_emit_signal(d->bus, OBJ_ROOT, IFACE_MANAGER, "PlacementCorrected", "st", path, bytes);
}

int bus_setup(struct daemon *d)
{
	const char *which = getenv("NUMAMOVED_BUS");
	bool session = which && strcmp(which, "session") == 0;
	int r;

	if (which && !session && strcmp(which, "system") != 0)
		return log_err("NUMAMOVED_BUS=%s: not 'system' or 'session'", which), -EINVAL;
	r = session ? sd_bus_open_user(&d->bus) : sd_bus_open_system(&d->bus);
	if (r < 0)
		return log_err("cannot connect to the %s bus: %s", session ? "session" : "system", strerror(-r)), r;
	r = sd_bus_attach_event(d->bus, d->event, SD_EVENT_PRIORITY_NORMAL);
	if (r >= 0)
		r = sd_bus_add_object_vtable(d->bus, NULL, OBJ_ROOT, IFACE_MANAGER, manager_vtable, d);
	if (r >= 0)
		r = sd_bus_add_fallback_vtable(d->bus, NULL, OBJ_JOB_PREFIX, IFACE_JOB, job_vtable, job_find_cb, d);
	if (r >= 0)
		r = sd_bus_add_node_enumerator(d->bus, NULL, OBJ_JOB_PREFIX, job_enumerate, d);
	if (r >= 0)
		r = sd_bus_add_fallback_vtable(d->bus, NULL, OBJ_PIN_PREFIX, IFACE_PIN, pin_vtable, pin_find_cb, d);
	if (r >= 0)
		r = sd_bus_add_node_enumerator(d->bus, NULL, OBJ_PIN_PREFIX, pin_enumerate, d);
	if (r >= 0)
		r = sd_bus_add_object_manager(d->bus, NULL, OBJ_ROOT);
	if (r < 0)
		return log_err("cannot set up the bus objects: %s", strerror(-r)), r;
	return 0;
}

/* Taken last: once the name is ours, clients may call, and the saved jobs must be back. */
int bus_take_name(struct daemon *d)
{
	int r = sd_bus_request_name(d->bus, BUS_NAME, 0);

	if (r < 0)
		return log_err("cannot take the bus name %s: %s", BUS_NAME, strerror(-r)), r;
	return 0;
}
