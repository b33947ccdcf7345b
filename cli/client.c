/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client of numamoved over sd-bus (see client.h). The daemon decides
 * and renders; this file sends the request as the command line gave it,
 * and prints what the daemon says, as it says it.
 *
 * Following a job without losing its first signals: the daemon's unique
 * name is looked up first (reading its Version, which also starts it by
 * bus activation), then a match on the signals of the Job interface from
 * that name is added, synchronously, and only then is Move sent. Its
 * reply and the job's signals come over the same connection in the order
 * the daemon sent them, and are dispatched in that order: the reply (the
 * job's path) before the first signal of the job. sd-bus matches a sender
 * by its unique name only, hence the lookup.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "move-nodes.h"

bool client_daemon_default(const char *cmd)
{
	const char *v = getenv("NUMAMOVE_DAEMON");

	if (!v || !*v || strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		return false;
	if (strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		return true;
	usage_error(cmd, "NUMAMOVE_DAEMON: '%s' is not 1 or 0", v);
}

uint32_t client_parse_id(const char *cmd, const char *what, const char *arg)
{
	uint64_t v;

	if (parse_size(arg, &v, false) < 0 || v == 0 || v > UINT32_MAX)
		usage_error(cmd, "not a %s id: '%s'", what, arg);
	return (uint32_t)v;
}

#if NUMAMOVE_CLIENT

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#define NMD_NAME "org.numamove.numamoved1"
#define NMD_PATH "/org/numamove/numamoved1"
#define NMD_MANAGER NMD_NAME ".Manager"
#define NMD_JOB NMD_NAME ".Job"
#define NMD_PIN NMD_NAME ".Pin"
#define NMD_ERROR NMD_NAME ".Error."
#define PROPERTIES "org.freedesktop.DBus.Properties"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool error_is(const sd_bus_error *e, const char *name)
{
	return sd_bus_error_has_name(e, name) > 0;
}

/* Errors that mean the daemon is not there to answer: not installed, not started, gone. */
static bool error_unreachable(const sd_bus_error *e, int r)
{
	return error_is(e, SD_BUS_ERROR_SERVICE_UNKNOWN) || error_is(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
	       error_is(e, SD_BUS_ERROR_NO_REPLY) || error_is(e, SD_BUS_ERROR_TIMEOUT) ||
	       error_is(e, SD_BUS_ERROR_DISCONNECTED) || error_is(e, SD_BUS_ERROR_NO_SERVER) ||
	       error_is(e, "org.freedesktop.DBus.Error.TimedOut") ||
	       /* Bus activation: the service could not be started, by dbus-daemon or by systemd. */
	       (e->name && strncmp(e->name, "org.freedesktop.DBus.Error.Spawn.", 33) == 0) ||
	       (e->name && strncmp(e->name, "org.freedesktop.systemd1.", 25) == 0) ||
	       (!sd_bus_error_is_set(e) && (r == -ECONNRESET || r == -ENOTCONN || r == -ECONNREFUSED ||
					    r == -ETIMEDOUT || r == -ENOENT));
}

/*
 * One line for a failed call, and EXIT_ERROR: "not authorized: ..." with
 * the daemon's message (it names the polkit action missing), "cannot
 * reach numamoved: ..." when it is not there, else "@what: MESSAGE".
 */
/* The end of a call: its error, messages and bus let go (each may be empty or NULL). */
static void call_end(sd_bus *bus, sd_bus_message *msg, sd_bus_message *reply, sd_bus_error *e)
{
	sd_bus_error_free(e);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(msg);
	sd_bus_flush_close_unref(bus);
}

static int call_failed(const char *what, const sd_bus_error *e, int r)
{
	const char *msg = e->message && *e->message ? e->message : e->name;

	if (error_is(e, NMD_ERROR "NotAuthorized"))
		warnx_("not authorized: %s", msg);
	else if (error_unreachable(e, r))
		warnx_("cannot reach numamoved: %s", msg ? msg : strerror(-r));
	else if (error_is(e, SD_BUS_ERROR_ACCESS_DENIED))
		warnx_("%s: the system bus refused it: %s", what, msg);
	else if (msg)
		warnx_("%s: %s", what, msg);
	else
		warn_errno(r, "%s", what);
	return EXIT_ERROR;
}

/* The system bus (DBUS_SYSTEM_BUS_ADDRESS when set), or EXIT_ERROR after a line. */
static int bus_open(sd_bus **ret)
{
	int r = sd_bus_open_system(ret);

	if (r < 0) {
		const char *addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");

		warn_errno(r, "cannot reach numamoved: cannot connect to the system bus%s%s", addr ? " at " : "",
			   addr ? addr : "");
		return EXIT_ERROR;
	}
	return 0;
}

/*
 * Reads the daemon's Version, which starts it when it is not running
 * (bus activation), and gives its unique name: the sender of the answer.
 */
static int daemon_unique_name(sd_bus *bus, char **ret)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *sender;
	int r;

	r = sd_bus_call_method(bus, NMD_NAME, NMD_PATH, PROPERTIES, "Get", &e, &reply, "ss", NMD_MANAGER,
			       "Version");
	if (r < 0) {
		r = call_failed("cannot reach numamoved", &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	sender = sd_bus_message_get_sender(reply);
	*ret = sender ? strdup(sender) : NULL;
	sd_bus_message_unref(reply);
	if (!*ret)
		err_nomem();
	return 0;
}

/* The decimal id at the end of an object path ("/org/.../job/12"), 0 if none. */
static uint32_t path_id(const char *path)
{
	const char *p = strrchr(path, '/');
	uint64_t v;

	if (!p || parse_size(p + 1, &v, false) < 0 || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

/* ---- properties ---------------------------------------------------------- */

/* A property to read into a struct: its name, D-Bus type (s, u, i, t) and offset. */
struct prop {
	const char *name;
	char type;
	size_t offset;
};

/* Reads the properties of @iface on @path that @props names into @dest; others are skipped. */
static int read_props(sd_bus *bus, const char *path, const char *iface, const struct prop *props, size_t n,
		      void *dest, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_call_method(bus, NMD_NAME, path, PROPERTIES, "GetAll", e, &reply, "s", iface);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		const struct prop *p = NULL;
		const char *name, *contents;
		char type;

		r = sd_bus_message_read(reply, "s", &name);
		if (r < 0)
			break;
		for (size_t i = 0; i < n && !p; i++)
			if (strcmp(props[i].name, name) == 0)
				p = &props[i];
		r = sd_bus_message_peek_type(reply, &type, &contents);
		if (r < 0)
			break;
		if (!p || strlen(contents) != 1 || contents[0] != p->type) {
			r = sd_bus_message_skip(reply, "v");
		} else {
			char *at = (char *)dest + p->offset;

			r = sd_bus_message_enter_container(reply, 'v', contents);
			if (r < 0)
				break;
			if (p->type == 's') {
				const char *s;

				r = sd_bus_message_read_basic(reply, 's', &s);
				if (r >= 0) {
					free(*(char **)at);
					*(char **)at = strdup(s);
					if (!*(char **)at)
						err_nomem();
				}
			} else {
				r = sd_bus_message_read_basic(reply, p->type, at);
			}
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	if (r >= 0)
		r = sd_bus_message_exit_container(reply);
	sd_bus_message_unref(reply);
	return r < 0 ? r : 0;
}

/* ---- move --daemon -------------------------------------------------------- */

/* What following one job needs. */
struct follow {
	const struct client_move *m;
	sd_event *event;
	sd_bus *bus;
	const char *unique;  /* the daemon's unique name */
	char *job;           /* the job's object path, once Move answered */
	uint32_t id;
	bool cancel_wanted;  /* a signal came before Move answered */
	bool shown;          /* a progress line is on the terminal, not yet ended */
	bool out_seen;       /* some text on stdout came from the job */
	uint64_t last_json_ns;
	int status;          /* the job's exit status, -1 until it finished */
	char *held;          /* why it waits, as last said on the terminal */
};

static void progress_end_line(struct follow *f)
{
	if (f->shown)
		fputc('\n', stderr);
	f->shown = false;
}

static int phase_from_name(const char *name)
{
	static const char *const names[] = {
		[NUMAMOVE_PHASE_START] = "start", [NUMAMOVE_PHASE_REBIND] = "rebind", [NUMAMOVE_PHASE_MOVE] = "move",
		[NUMAMOVE_PHASE_MOVED] = "moved", [NUMAMOVE_PHASE_DONE] = "done",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

/* Progress(u target, s subject, s phase, t done, t total, t elapsed_us, t rate, t eta_us, t max_call_us) */
static void on_progress(struct follow *f, sd_bus_message *m)
{
	struct numamove_event ev = { .sz = sizeof(ev) };
	uint64_t elapsed_us, eta_us, max_call_us;
	const char *subject, *phase;
	uint32_t target;
	int ph;

	if (sd_bus_message_read(m, "usstttttt", &target, &subject, &phase, &ev.bytes_done, &ev.bytes_total,
				&elapsed_us, &ev.rate, &eta_us, &max_call_us) < 0)
		return;
	ph = phase_from_name(phase);
	if (ph < 0)
		return;
	ev.target = target;
	ev.phase = (enum numamove_phase)ph;
	ev.elapsed_ns = elapsed_us * 1000;
	ev.eta_ns = eta_us * 1000;
	ev.max_call_ns = max_call_us * 1000;
	switch (ev.phase) {
	case NUMAMOVE_PHASE_MOVE:
		/* As numamove move prints it itself (cmd-move.c's on_event). */
		if (f->m->progress_json && now_ns() - f->last_json_ns >= 500000000ULL) {
			f->last_json_ns = now_ns();
			front_progress_json(stderr, subject, &ev);
		} else if (f->m->progress_text && ev.elapsed_ns >= 1000000000ULL) {
			front_progress_text(stderr, program_name, subject, &ev);
			f->shown = true;
		}
		break;
	case NUMAMOVE_PHASE_MOVED:
		progress_end_line(f);
		if (f->m->progress_json)
			front_progress_json(stderr, subject, &ev);
		break;
	default:
		break;
	}
}

static void finish(struct follow *f, int status)
{
	f->status = status;
	sd_event_exit(f->event, 0);
}

/*
 * With -J, the document is the job's stdout. When no Text signal carried
 * it, it is read whole: Output, or else Report (the document with sizes in
 * bytes, as -J -b prints it).
 */
static void print_json_document(struct follow *f)
{
	static const struct prop props[] = {
		{ "Output", 's', 0 },
		{ "Report", 's', sizeof(char *) },
	};
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char *text[2] = { NULL, NULL };
	int r = read_props(f->bus, f->job, NMD_JOB, props, 2, text, &e);

	if (r < 0)
		call_failed("cannot read the job's report", &e, r);
	else if (text[0] && *text[0])
		fputs(text[0], stdout);
	else if (text[1])
		fputs(text[1], stdout);
	sd_bus_error_free(&e);
	free(text[0]);
	free(text[1]);
}

/* On a node of numamove move --all-nodes's step: the job's report as the node's record (move-nodes.c). */
static void write_record(struct follow *f)
{
	static const struct prop props[] = { { "Record", 's', 0 } };
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char *text = NULL;
	int r = read_props(f->bus, f->job, NMD_JOB, props, 1, &text, &e);

	if (r < 0)
		call_failed("cannot read the job's record", &e, r);
	else if (text && write(move_record_fd, text, strlen(text)) < 0)
		warn_errno(-errno, "cannot write the job's record");
	sd_bus_error_free(&e);
	free(text);
}

static int on_job_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct follow *f = userdata;
	const char *path = sd_bus_message_get_path(m);

	if (!f->job || !path || strcmp(path, f->job) != 0)
		return 0;
	if (sd_bus_message_is_signal(m, NMD_JOB, "Progress")) {
		on_progress(f, m);
	} else if (sd_bus_message_is_signal(m, NMD_JOB, "Text")) {
		const char *out, *err;

		if (sd_bus_message_read(m, "ss", &out, &err) < 0)
			return 0;
		if (*out || *err)
			progress_end_line(f);
		if (*out) {
			fputs(out, stdout);
			fflush(stdout);
			f->out_seen = true;
		}
		fputs(err, stderr);
	} else if (sd_bus_message_is_signal(m, NMD_JOB, "Finished")) {
		const char *state;
		int32_t status;

		if (sd_bus_message_read(m, "si", &state, &status) < 0)
			return 0;
		progress_end_line(f);
		/* Now: the loop's end closes the connection. */
		if (f->m->o->json && !f->out_seen)
			print_json_document(f);
		if (move_record_fd >= 0)
			write_record(f);
		finish(f, status < 0 ? EXIT_ERROR : status);
	}
	return 0;
}

/*
 * On a terminal, a job that waits for room on its destinations (state
 * held) says why, on the progress line: numamove would otherwise sit
 * there saying nothing.
 */
static int on_job_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct follow *f = userdata;
	const char *path = sd_bus_message_get_path(m), *iface, *name, *held = NULL;
	int r;

	if (!f->m->progress_text || !f->job || !path || strcmp(path, f->job) != 0)
		return 0;
	r = sd_bus_message_read(m, "s", &iface);
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		r = sd_bus_message_read(m, "s", &name);
		if (r >= 0 && strcmp(name, "Held") == 0)
			r = sd_bus_message_read(m, "v", "s", &held);
		else if (r >= 0)
			r = sd_bus_message_skip(m, "v");
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	if (r < 0 || !held || (f->held && strcmp(f->held, held) == 0))
		return 0;
	free(f->held);
	f->held = strdup(held);
	if (*held) {
		fprintf(stderr, "\r%s: job %" PRIu32 " waits: %s   ", program_name, f->id, held);
		f->shown = true;
	} else {
		progress_end_line(f);
	}
	return 0;
}

static int on_cancel_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct follow *f = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(m);
	char what[64];

	if (e) {
		progress_end_line(f);
		snprintf(what, sizeof(what), "job %" PRIu32 ": cannot cancel", f->id);
		call_failed(what, e, -sd_bus_message_get_errno(m));
	}
	return 0;
}

static void send_cancel(struct follow *f)
{
	int r = sd_bus_call_method_async(f->bus, NULL, NMD_NAME, f->job, NMD_JOB, "Cancel", on_cancel_reply, f, "");

	if (r < 0)
		warn_errno(r, "job %" PRIu32 ": cannot cancel", f->id);
}

/* SIGINT, SIGTERM, SIGHUP: the job is cancelled; its end is still awaited, and reported. */
static int on_interrupt(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct follow *f = userdata;

	if (f->job)
		send_cancel(f);
	else
		f->cancel_wanted = true;
	return 0;
}

static int on_move_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct follow *f = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(m);
	const char *path;

	if (e) {
		finish(f, call_failed("numamoved refused the request", e, -sd_bus_message_get_errno(m)));
		return 0;
	}
	if (sd_bus_message_read(m, "o", &path) < 0) {
		warnx_("numamoved answered with no job");
		finish(f, EXIT_ERROR);
		return 0;
	}
	f->job = strdup(path);
	if (!f->job)
		err_nomem();
	f->id = path_id(path);
	if (f->cancel_wanted)
		send_cancel(f);
	return 0;
}

/* The daemon's unique name lost: it exited (or was killed) before the job finished. */
static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	struct follow *f = userdata;
	const char *name, *old, *new;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0 || strcmp(old, f->unique) != 0)
		return 0;
	progress_end_line(f);
	if (f->job)
		warnx_("numamoved exited before job %" PRIu32 " finished ('%s jobs %" PRIu32 "' says what became of it "
		       "once numamoved is back)", f->id, program_name, f->id);
	else
		warnx_("numamoved exited before it took the request");
	finish(f, EXIT_ERROR);
	return 0;
}

/* The pidfd of a process, or -1 after a line ("no such process"). */
static int open_pidfd(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0 && errno == ESRCH)
		warnx_("%d: no such process", (int)pid);
	else if (fd < 0)
		warn_errno(-errno, "%d: cannot open the process", (int)pid);
	return fd;
}

/* @path made absolute against the working directory (the daemon has another one); NULL without memory. */
static char *absolute(const char *path, bool resolve)
{
	char cwd[PATH_MAX], *s;

	if (resolve && (s = realpath(path, NULL)))
		return s;
	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	while (strncmp(path, "./", 2) == 0)
		path += 2;
	if (asprintf(&s, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path) < 0)
		return NULL;
	return s;
}

/* A target (kind, pidfd) of a(sv); false when the process is gone (a line said so). */
static bool append_pidfd(sd_bus_message *msg, const char *kind, pid_t pid, int *r)
{
	int fd = open_pidfd(pid);

	if (fd < 0)
		return false;
	/* sd-bus keeps its own copy of the descriptor. */
	*r = sd_bus_message_append(msg, "(sv)", kind, "h", fd);
	close(fd);
	return true;
}

static int append_path(sd_bus_message *msg, const char *kind, const char *path, bool resolve)
{
	char *abs = absolute(path, resolve);
	int r;

	if (!abs)
		err_nomem();
	r = sd_bus_message_append(msg, "(sv)", kind, "s", abs);
	free(abs);
	return r;
}

/* The a(sv) of targets of @m; *@gone: some process had exited already (a line said so), *@n: targets sent. */
static int append_targets(sd_bus_message *msg, const struct client_move *m, bool *gone, size_t *n)
{
	int r = sd_bus_message_open_container(msg, 'a', "(sv)");

	for (size_t i = 0; r >= 0 && m->cgroup && i < m->n_operands; i++) {
		const char *arg = m->operands[i];

		if (!arg_is_pid(arg)) {
			r = append_path(msg, "cgroup", arg, true);
			++*n;
		} else if (append_pidfd(msg, "cgroup-of", parse_pid_arg("move", arg), &r)) {
			++*n;
		} else {
			*gone = true;
		}
	}
	for (size_t i = 0; r >= 0 && i < m->n_slurm_jobs; i++) {
		r = sd_bus_message_append(msg, "(sv)", "slurm-job", "s", m->slurm_jobs[i]);
		++*n;
	}
	for (size_t i = 0; r >= 0 && m->targets && i < m->targets->n_pids; i++) {
		if (append_pidfd(msg, "pidfd", parse_pid_arg("move", m->targets->pids[i]), &r))
			++*n;
		else
			*gone = true;
	}
	for (size_t i = 0; r >= 0 && m->targets && i < m->targets->n_objs; i++) {
		const struct objspec *s = &m->targets->objs[i];

		if (s->kind == SPEC_PATH)
			r = append_path(msg, "path", s->text, false);
		else
			r = sd_bus_message_append(msg, "(sv)", s->kind == SPEC_SHM ? "shm" : "shm-key", "i",
						  (int32_t)s->value);
		++*n;
	}
	if (r >= 0)
		r = sd_bus_message_close_container(msg);
	return r;
}

/* The a{sv} of options: only those given, and how the text should look (output). */
static int append_options(sd_bus_message *msg, const struct client_move *m)
{
	int r = sd_bus_message_open_container(msg, 'a', "{sv}");

	if (r >= 0)
		r = sd_bus_message_append(msg, "{sv}", "to", "s", m->to);
	if (r >= 0 && m->from)
		r = sd_bus_message_append(msg, "{sv}", "from", "s", m->from);
	if (r >= 0 && m->policy)
		r = sd_bus_message_append(msg, "{sv}", "policy", "s", m->policy);
	if (r >= 0 && m->dry_run)
		r = sd_bus_message_append(msg, "{sv}", "dry-run", "b", 1);
	if (r >= 0 && m->force)
		r = sd_bus_message_append(msg, "{sv}", "force", "b", 1);
	if (r >= 0 && m->memory_only)
		r = sd_bus_message_append(msg, "{sv}", "memory-only", "b", 1);
	if (r >= 0 && m->no_stay)
		r = sd_bus_message_append(msg, "{sv}", "no-stay", "b", 1);
	if (r >= 0 && m->with_shared)
		r = sd_bus_message_append(msg, "{sv}", "with-shared", "b", 1);
	if (r >= 0 && m->with_files)
		r = sd_bus_message_append(msg, "{sv}", "with-files", "b", 1);
	if (r >= 0 && m->jobs)
		r = sd_bus_message_append(msg, "{sv}", "jobs", "u", (uint32_t)m->jobs);
	if (r >= 0 && m->rate)
		r = sd_bus_message_append(msg, "{sv}", "rate", "t", m->rate);
	if (r >= 0 && m->max_stall_ms)
		r = sd_bus_message_append(msg, "{sv}", "max-stall-ms", "u", (uint32_t)m->max_stall_ms);
	if (r >= 0 && m->engine)
		r = sd_bus_message_append(msg, "{sv}", "engine", "s", m->engine);
	if (r >= 0 && m->has_priority)
		r = sd_bus_message_append(msg, "{sv}", "priority", "i", (int32_t)m->priority);
	if (r >= 0 && m->credential)
		r = sd_bus_message_append(msg, "{sv}", "slurm-credential", "s", m->credential);
	if (r >= 0)
		r = sd_bus_message_append(msg, "{sv}", "output", "a{sv}", 4, "json", "b", (int)m->o->json, "bytes", "b",
					  (int)m->o->bytes, "raw", "b", (int)m->o->raw, "noheadings", "b",
					  (int)m->o->noheadings);
	if (r >= 0)
		r = sd_bus_message_close_container(msg);
	return r;
}

int client_move(const struct client_move *m)
{
	struct follow f = { .m = m, .status = -1 };
	sd_bus_message *msg = NULL;
	char *unique = NULL, rule[512], rule2[512], rule3[512];
	bool gone = false;
	size_t n = 0;
	sigset_t ss;
	int r, status;

	r = bus_open(&f.bus);
	if (r)
		return r;
	r = daemon_unique_name(f.bus, &unique);
	if (r)
		goto out;
	f.unique = unique;
	r = sd_event_default(&f.event);
	if (r >= 0)
		r = sd_bus_attach_event(f.bus, f.event, SD_EVENT_PRIORITY_NORMAL);
	/* A bus that goes away ends the loop (with no Finished: said below). */
	if (r >= 0)
		r = sd_bus_set_exit_on_disconnect(f.bus, 1);
	/* The job's signals, from this daemon only, before the job exists. */
	snprintf(rule, sizeof(rule), "type='signal',sender='%s',interface='" NMD_JOB "'", unique);
	if (r >= 0)
		r = sd_bus_add_match(f.bus, NULL, rule, on_job_signal, &f);
	/* And the end of the daemon's connection: it exited, or was killed. */
	snprintf(rule2, sizeof(rule2), "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
		 "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='%s'", unique);
	if (r >= 0)
		r = sd_bus_add_match(f.bus, NULL, rule2, on_owner_changed, &f);
	/* On a terminal, why the job waits (its Held property). */
	snprintf(rule3, sizeof(rule3), "type='signal',sender='%s',interface='org.freedesktop.DBus.Properties',"
		 "member='PropertiesChanged',arg0='" NMD_JOB "'", unique);
	if (r >= 0 && m->progress_text)
		r = sd_bus_add_match(f.bus, NULL, rule3, on_job_changed, &f);
	if (r < 0) {
		warn_errno(r, "cannot follow numamoved's jobs");
		r = EXIT_ERROR;
		goto out;
	}
	/* Interrupted, the job is cancelled, and its end still awaited: it says what moved. */
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	r = sd_event_add_signal(f.event, NULL, SIGINT, on_interrupt, &f);
	if (r >= 0)
		r = sd_event_add_signal(f.event, NULL, SIGTERM, on_interrupt, &f);
	if (r >= 0)
		r = sd_event_add_signal(f.event, NULL, SIGHUP, on_interrupt, &f);
	if (r >= 0)
		r = sd_bus_message_new_method_call(f.bus, &msg, NMD_NAME, NMD_PATH, NMD_MANAGER, "Move");
	if (r >= 0)
		r = append_targets(msg, m, &gone, &n);
	if (r >= 0)
		r = append_options(msg, m);
	if (r < 0) {
		warn_errno(r, "cannot make the request");
		r = EXIT_ERROR;
		goto out;
	}
	if (n == 0) {
		/* Every process named has exited: nothing to send. */
		r = EXIT_ERROR;
		goto out;
	}
	/* Move answers at once; but authorization asks polkit, on a machine that may be slow. */
	r = sd_bus_call_async(f.bus, NULL, msg, on_move_reply, &f, 120 * 1000000ULL);
	if (r >= 0)
		r = sd_event_loop(f.event);
	if (r < 0) {
		warn_errno(r, "cannot follow the job");
		r = EXIT_ERROR;
		goto out;
	}
	if (f.status < 0) {
		warnx_("lost the connection to the system bus%s", f.job ? " before the job finished" : "");
		r = EXIT_ERROR;
		goto out;
	}
	status = f.status;
	r = gone ? front_worst_status(EXIT_ERROR, status) : status;
out:
	sd_bus_message_unref(msg);
	sd_bus_flush_close_unref(f.bus);
	sd_event_unref(f.event);
	free(unique);
	free(f.job);
	free(f.held);
	return r;
}

/* ---- jobs, cancel --------------------------------------------------------- */

/* Calls Manager.@method with a u id, into the object path it returns. */
static int get_object(sd_bus *bus, const char *method, uint32_t id, char **ret, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	const char *path;
	int r;

	r = sd_bus_call_method(bus, NMD_NAME, NMD_PATH, NMD_MANAGER, method, e, &reply, "u", id);
	if (r >= 0)
		r = sd_bus_message_read(reply, "o", &path);
	if (r >= 0) {
		*ret = strdup(path);
		if (!*ret)
			err_nomem();
	}
	sd_bus_message_unref(reply);
	return r;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		err_nomem();
	return d;
}

/* A Manager list of jobs or pins, read into an array of client_job or client_pin. */
struct object_list {
	const char *method;	/* ListJobs */
	const char *sig;	/* of one element of its reply: (uosuss) */
	const char *what;	/* jobs, in the errors */
	const char *iface;	/* of each object, for @props */
	const struct prop *props;
	size_t n_props;
	size_t size;		/* of one element of the array */
	/* One element of the reply into @elem, its object in @path; as sd_bus_message_read (0: no more). */
	int (*read)(sd_bus_message *reply, void *elem, const char **path);
	/* "" for the strings no property filled. */
	void (*fill)(void *elem);
	void (*free)(void *list, size_t n);
};

/* The objects @l lists, with their properties when @details; returns the exit status. */
static int list_objects(const struct object_list *l, bool details, void **ret, size_t *ret_n)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char *list = NULL, msg[64];
	size_t n = 0;
	sd_bus *bus;
	int r;

	r = bus_open(&bus);
	if (r)
		return r;
	r = sd_bus_call_method(bus, NMD_NAME, NMD_PATH, NMD_MANAGER, l->method, &e, &reply, "");
	if (r < 0) {
		snprintf(msg, sizeof(msg), "cannot list the %s", l->what);
		r = call_failed(msg, &e, r);
		goto out;
	}
	r = sd_bus_message_enter_container(reply, 'a', l->sig);
	while (r >= 0) {
		char *more = realloc(list, (n + 1) * l->size);
		const char *path;

		if (!more)
			err_nomem();
		list = more;
		r = l->read(reply, list + n * l->size, &path);
		if (r <= 0)
			break;
		n++;
		/* An object that went between the list and this read keeps what the list said. */
		if (details && read_props(bus, path, l->iface, l->props, l->n_props, list + (n - 1) * l->size, &e) < 0)
			sd_bus_error_free(&e);
	}
	if (r < 0) {
		warn_errno(r, "cannot read numamoved's list of %s", l->what);
		l->free(list, n);
		r = EXIT_ERROR;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		l->fill(list + i * l->size);
	*ret = list;
	*ret_n = n;
	r = EXIT_OK;
out:
	call_end(bus, NULL, reply, &e);
	return r;
}

static int read_job(sd_bus_message *reply, void *elem, const char **path)
{
	const char *state, *desc, *outcome;
	uint32_t id, owner;
	int r;

	r = sd_bus_message_read(reply, "(uosuss)", &id, path, &state, &owner, &desc, &outcome);
	if (r > 0)
		*(struct client_job *)elem = (struct client_job){ .id = id, .owner = owner, .exit_status = -1,
								  .path = xstrdup(*path), .state = xstrdup(state),
								  .description = xstrdup(desc),
								  .outcome = xstrdup(outcome) };
	return r;
}

static void fill_job(void *elem)
{
	struct client_job *j = elem;

	if (!j->held)
		j->held = xstrdup("");
	if (!j->phase)
		j->phase = xstrdup("");
	if (!j->subject)
		j->subject = xstrdup("");
}

static void free_jobs(void *list, size_t n)
{
	client_jobs_free(list, n);
}

int client_list_jobs(bool details, struct client_job **ret, size_t *ret_n)
{
	static const struct prop props[] = {
		{ "Priority", 'i', offsetof(struct client_job, priority) },
		{ "ExitStatus", 'i', offsetof(struct client_job, exit_status) },
		{ "BytesDone", 't', offsetof(struct client_job, done) },
		{ "BytesTotal", 't', offsetof(struct client_job, total) },
		{ "Rate", 't', offsetof(struct client_job, rate) },
		{ "Eta", 't', offsetof(struct client_job, eta_us) },
		{ "Submitted", 't', offsetof(struct client_job, submitted_us) },
		{ "Held", 's', offsetof(struct client_job, held) },
		{ "Phase", 's', offsetof(struct client_job, phase) },
		{ "Subject", 's', offsetof(struct client_job, subject) },
	};
	static const struct object_list l = {
		.method = "ListJobs", .sig = "(uosuss)", .what = "jobs", .iface = NMD_JOB, .props = props,
		.n_props = sizeof(props) / sizeof(props[0]), .size = sizeof(struct client_job), .read = read_job,
		.fill = fill_job, .free = free_jobs,
	};
	void *list;
	int r;

	r = list_objects(&l, details, &list, ret_n);
	if (r == EXIT_OK)
		*ret = list;
	return r;
}

void client_jobs_free(struct client_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].path);
		free(jobs[i].state);
		free(jobs[i].description);
		free(jobs[i].outcome);
		free(jobs[i].held);
		free(jobs[i].phase);
		free(jobs[i].subject);
	}
	free(jobs);
}

/* Calls @method of @iface on each job or pin of @ids (by Manager.@get); returns the exit status. */
static int call_each(const uint32_t *ids, size_t n, const char *what, const char *verb, const char *get,
		     const char *nosuch, const char *iface, const char *method)
{
	int status = EXIT_OK, r;
	sd_bus *bus;

	r = bus_open(&bus);
	if (r)
		return r;
	for (size_t i = 0; i < n; i++) {
		sd_bus_error e = SD_BUS_ERROR_NULL;
		char *path = NULL, msg[128];

		snprintf(msg, sizeof(msg), "%s %" PRIu32 ": cannot %s", what, ids[i], verb);
		r = get_object(bus, get, ids[i], &path, &e);
		if (r >= 0)
			r = sd_bus_call_method(bus, NMD_NAME, path, iface, method, &e, NULL, "");
		if (r >= 0) {
			/* nothing to say: util-linux's kill(1) is silent too */
		} else if (error_is(&e, nosuch)) {
			warnx_("%s %" PRIu32 ": no such %s", what, ids[i], what);
			status = EXIT_ERROR;
		} else {
			status = call_failed(msg, &e, r);
			if (error_unreachable(&e, r)) {
				sd_bus_error_free(&e);
				free(path);
				break;
			}
		}
		sd_bus_error_free(&e);
		free(path);
	}
	sd_bus_flush_close_unref(bus);
	return status;
}

int client_cancel(const uint32_t *ids, size_t n)
{
	return call_each(ids, n, "job", "cancel", "GetJob", NMD_ERROR "NoSuchJob", NMD_JOB, "Cancel");
}

/* ---- pin, unpin, pins ----------------------------------------------------- */

static int read_pin(sd_bus_message *reply, void *elem, const char **path)
{
	const char *target, *nodes;
	uint32_t id, owner;
	int r;

	r = sd_bus_message_read(reply, "(uosus)", &id, path, &target, &owner, &nodes);
	if (r > 0)
		*(struct client_pin *)elem = (struct client_pin){ .id = id, .owner = owner, .path = xstrdup(*path),
								  .target = xstrdup(target), .nodes = xstrdup(nodes) };
	return r;
}

static void fill_pin(void *elem)
{
	struct client_pin *p = elem;

	if (!p->cgroup)
		p->cgroup = xstrdup("");
	if (!p->state)
		p->state = xstrdup("");
}

static void free_pins(void *list, size_t n)
{
	client_pins_free(list, n);
}

int client_list_pins(bool details, struct client_pin **ret, size_t *ret_n)
{
	static const struct prop props[] = {
		{ "Pid", 'u', offsetof(struct client_pin, pid) },
		{ "Cgroup", 's', offsetof(struct client_pin, cgroup) },
		{ "IntervalMs", 'u', offsetof(struct client_pin, interval_ms) },
		{ "Checks", 't', offsetof(struct client_pin, checks) },
		{ "Corrections", 't', offsetof(struct client_pin, corrections) },
		{ "BytesCorrected", 't', offsetof(struct client_pin, bytes_corrected) },
		{ "LastCheckUs", 't', offsetof(struct client_pin, last_check_us) },
		{ "State", 's', offsetof(struct client_pin, state) },
	};
	static const struct object_list l = {
		.method = "ListPins", .sig = "(uosus)", .what = "pins", .iface = NMD_PIN, .props = props,
		.n_props = sizeof(props) / sizeof(props[0]), .size = sizeof(struct client_pin), .read = read_pin,
		.fill = fill_pin, .free = free_pins,
	};
	void *list;
	int r;

	r = list_objects(&l, details, &list, ret_n);
	if (r == EXIT_OK)
		*ret = list;
	return r;
}

void client_pins_free(struct client_pin *pins, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(pins[i].path);
		free(pins[i].target);
		free(pins[i].nodes);
		free(pins[i].cgroup);
		free(pins[i].state);
	}
	free(pins);
}

int client_pin(const char *nodes, unsigned int interval_ms, pid_t pid, const char *cgroup)
{
	static const struct prop props[] = {
		{ "Target", 's', 0 },
		{ "Nodes", 's', sizeof(char *) },
	};
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *msg = NULL, *reply = NULL;
	char *shown[2] = { NULL, NULL };
	const char *path;
	sd_bus *bus;
	int r;

	r = bus_open(&bus);
	if (r)
		return r;
	r = sd_bus_message_new_method_call(bus, &msg, NMD_NAME, NMD_PATH, NMD_MANAGER, "Pin");
	if (r >= 0)
		r = sd_bus_message_open_container(msg, 'a', "(sv)");
	if (r >= 0 && cgroup) {
		r = append_path(msg, "cgroup", cgroup, true);
	} else if (r >= 0 && !append_pidfd(msg, "pidfd", pid, &r)) {
		r = EXIT_ERROR;
		goto out;
	}
	if (r >= 0)
		r = sd_bus_message_close_container(msg);
	if (r >= 0)
		r = sd_bus_message_open_container(msg, 'a', "{sv}");
	if (r >= 0)
		r = sd_bus_message_append(msg, "{sv}", "to", "s", nodes);
	if (r >= 0 && interval_ms)
		r = sd_bus_message_append(msg, "{sv}", "interval-ms", "u", (uint32_t)interval_ms);
	if (r >= 0)
		r = sd_bus_message_close_container(msg);
	if (r < 0) {
		warn_errno(r, "cannot make the request");
		r = EXIT_ERROR;
		goto out;
	}
	r = sd_bus_call(bus, msg, 0, &e, &reply);
	if (r >= 0)
		r = sd_bus_message_read(reply, "o", &path);
	if (r < 0) {
		r = call_failed("numamoved refused the pin", &e, r);
		goto out;
	}
	/* What the daemon made of it, as numamove pins shows it. */
	if (read_props(bus, path, NMD_PIN, props, 2, shown, &e) >= 0 && shown[0] && shown[1])
		printf("pin %" PRIu32 ": %s on nodes %s\n", path_id(path), shown[0], shown[1]);
	else
		printf("pin %" PRIu32 "\n", path_id(path));
	r = EXIT_OK;
out:
	free(shown[0]);
	free(shown[1]);
	call_end(bus, msg, reply, &e);
	return r;
}

int client_unpin(const uint32_t *ids, size_t n)
{
	return call_each(ids, n, "pin", "unpin", "GetPin", NMD_ERROR "NoSuchPin", NMD_PIN, "Unpin");
}

int client_place(char *const *paths, size_t n, const char *policy, unsigned int flags, bool clear)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *msg = NULL, *reply = NULL;
	sd_bus *bus = NULL;
	int r;

	/* No bus at all is the daemon not running: the caller says so. */
	if (sd_bus_open_system(&bus) < 0)
		return CLIENT_UNREACHABLE;
	r = sd_bus_message_new_method_call(bus, &msg, NMD_NAME, NMD_PATH, NMD_MANAGER, clear ? "Clear" : "Place");
	if (r >= 0)
		r = sd_bus_message_open_container(msg, 'a', "s");
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = sd_bus_message_append(msg, "s", paths[i]);
	if (r >= 0)
		r = sd_bus_message_close_container(msg);
	if (r >= 0 && !clear) {
		r = sd_bus_message_append(msg, "s", policy);
		if (r >= 0)
			r = sd_bus_message_open_container(msg, 'a', "{sv}");
		if (r >= 0 && (flags & NUMAMOVE_PLACEMENT_F_DIRECTORY))
			r = sd_bus_message_append(msg, "{sv}", "scope", "s", "directory");
		if (r >= 0 && (flags & NUMAMOVE_PLACEMENT_F_READ_AHEAD))
			r = sd_bus_message_append(msg, "{sv}", "read-ahead", "b", 1);
		if (r >= 0 && (flags & NUMAMOVE_PLACEMENT_F_LOCK))
			r = sd_bus_message_append(msg, "{sv}", "lock", "b", 1);
		if (r >= 0)
			r = sd_bus_message_close_container(msg);
	}
	if (r < 0) {
		warn_errno(r, "cannot make the request to numamoved");
		r = EXIT_ERROR;
		goto out;
	}
	r = sd_bus_call(bus, msg, 0, &e, &reply);
	if (r >= 0)
		r = EXIT_OK;
	else if (error_unreachable(&e, r))
		r = CLIENT_UNREACHABLE;
	else
		r = call_failed(clear ? "numamoved did not forget the placements" : "numamoved does not keep the placements",
				&e, r);
out:
	call_end(bus, msg, reply, &e);
	return r;
}

int client_kept_placement(const char *path, char **ret_policy, char **ret_from)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *msg = NULL, *reply = NULL;
	sd_bus *bus = NULL;
	const char *p, *pol, *scope, *best_pol = NULL;
	char *real;
	size_t n, best_n = 0;
	double conform;
	int r;

	*ret_policy = *ret_from = NULL;
	/* numamoved registers real paths */
	real = realpath(path, NULL);
	if (!real)
		return -errno;
	path = real;
	if (sd_bus_open_system(&bus) < 0) {
		free(real);
		return -ENODATA;
	}
	r = sd_bus_message_new_method_call(bus, &msg, NMD_NAME, NMD_PATH, NMD_MANAGER, "ListPlacements");
	/* Not started for this: where a placement is kept, numamoved.path keeps it running. */
	if (r >= 0)
		r = sd_bus_message_set_auto_start(msg, false);
	if (r >= 0)
		r = sd_bus_call(bus, msg, 0, &e, &reply);
	if (r < 0) {
		r = -ENODATA;
		goto out;
	}
	r = sd_bus_message_enter_container(reply, 'a', "(sssd)");
	/* The path itself, else the nearest directory above: its own (scope directory) or a tree's. */
	while (r > 0 && (r = sd_bus_message_read(reply, "(sssd)", &p, &pol, &scope, &conform)) > 0) {
		n = strlen(p);
		if (strncmp(path, p, n) != 0 || n <= best_n || pol[0] == '(')
			continue;
		if (path[n] == '\0' || (path[n] == '/' && (strcmp(scope, "tree") == 0 ||
							  (strcmp(scope, "directory") == 0 && !strchr(path + n + 1, '/'))))) {
			free(*ret_from);
			if (!(*ret_from = strdup(p))) {
				r = -ENOMEM;
				break;
			}
			best_pol = pol;
			best_n = n;
		}
	}
	if (r >= 0 && !best_pol)
		r = -ENODATA;
	if (r >= 0 && !(*ret_policy = strdup(best_pol)))
		r = -ENOMEM;
	if (r < 0) {
		free(*ret_from);
		*ret_from = NULL;
	} else {
		r = 0;
	}
out:
	call_end(bus, msg, reply, &e);
	free(real);
	return r;
}

#else /* !NUMAMOVE_CLIENT */

int client_kept_placement(const char *path, char **ret_policy, char **ret_from)
{
	*ret_policy = *ret_from = NULL;
	return -ENODATA;
}

int client_place(char *const *paths, size_t n, const char *policy, unsigned int flags, bool clear)
{
	return CLIENT_UNREACHABLE;
}

static int without(void)
{
	warnx_("%s was built without numamoved support", program_name);
	return EXIT_ERROR;
}

int client_move(const struct client_move *m)
{
	return without();
}

int client_list_jobs(bool details, struct client_job **ret, size_t *ret_n)
{
	return without();
}

void client_jobs_free(struct client_job *jobs, size_t n)
{
}

int client_cancel(const uint32_t *ids, size_t n)
{
	return without();
}

int client_list_pins(bool details, struct client_pin **ret, size_t *ret_n)
{
	return without();
}

void client_pins_free(struct client_pin *pins, size_t n)
{
}

int client_pin(const char *nodes, unsigned int interval_ms, pid_t pid, const char *cgroup)
{
	return without();
}

int client_unpin(const uint32_t *ids, size_t n)
{
	return without();
}

#endif
