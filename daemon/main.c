/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamoved: setup, the sd-event loop, signals, the watchdog and
 * sd_notify. Logs go to stderr with sd-daemon priority prefixes ("<6>"),
 * which the journal turns into priorities.
 */
#include <errno.h>
#include <malloc.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "numamoved.h"

#ifndef NUMAMOVED_CONFIG
#define NUMAMOVED_CONFIG "/etc/numamove/numamoved.conf"
#endif

/* stderr is the journal's stream (JOURNAL_STREAM names it): then logs go as fields of their own. */
static bool to_journal;

static void log_setup(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	/* sd_journal_sendv() says nothing when the journal's socket is missing: then the stream it is. */
	to_journal = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
		     st.st_dev == dev && st.st_ino == ino && access("/run/systemd/journal/socket", W_OK) == 0;
}

/* One write per line, so that lines of several threads never mix. */
static void log_stderr(int prio, const char *line)
{
	dprintf(STDERR_FILENO, "<%d>%s\n", prio, line);
}

static void log_v(int prio, uint32_t job, uint32_t pin, long uid, const char *fmt, va_list ap)
{
	char buf[8192], fields[4][64];
	struct iovec iov[7];
	int n = 0, saved = errno;

	errno = saved; /* for %m */
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (!to_journal) {
		log_stderr(prio, buf);
		errno = saved;
		return;
	}
	snprintf(fields[0], sizeof(fields[0]), "PRIORITY=%d", prio);
	snprintf(fields[1], sizeof(fields[1]), "NUMAMOVED_JOB=%" PRIu32, job);
	snprintf(fields[2], sizeof(fields[2]), "NUMAMOVED_PIN=%" PRIu32, pin);
	snprintf(fields[3], sizeof(fields[3]), "NUMAMOVED_UID=%ld", uid);
	iov[n++] = (struct iovec){ .iov_base = "SYSLOG_IDENTIFIER=numamoved", .iov_len = 27 };
	iov[n++] = (struct iovec){ .iov_base = fields[0], .iov_len = strlen(fields[0]) };
	if (job)
		iov[n++] = (struct iovec){ .iov_base = fields[1], .iov_len = strlen(fields[1]) };
	if (pin)
		iov[n++] = (struct iovec){ .iov_base = fields[2], .iov_len = strlen(fields[2]) };
	if (uid >= 0)
		iov[n++] = (struct iovec){ .iov_base = fields[3], .iov_len = strlen(fields[3]) };
	memmove(buf + 8, buf, strnlen(buf, sizeof(buf) - 9) + 1);
	memcpy(buf, "MESSAGE=", 8);
	buf[sizeof(buf) - 1] = '\0';
	iov[n++] = (struct iovec){ .iov_base = buf, .iov_len = strlen(buf) };
	/* A journal that cannot take it still gets the line through the stream. */
	if (sd_journal_sendv(iov, n) < 0)
		log_stderr(prio, buf + 8);
	errno = saved;
}

void log_at(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(prio, 0, 0, -1, fmt, ap);
	va_end(ap);
}

void log_for(int prio, uint32_t job, uint32_t pin, long uid, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(prio, job, pin, uid, fmt, ap);
	va_end(ap);
}

uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

/* Re-reads the config; the old one stays in force when the new one is wrong. */
int daemon_reload(struct daemon *d)
{
	struct config c;
	int r;

	/* MONOTONIC_USEC: what Type=notify-reload needs to match this reload to its request. */
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, mono_us());
	r = config_load(d->config_path, &c);
	if (r < 0) {
		log_err("%s: not reloaded, the configuration in force stays", d->config_path);
		sd_notify(0, "READY=1");
		return r;
	}
	config_free(&d->cfg);
	d->cfg = c;
	sched_rebalance(d);
	place_reloaded(d);
	slurm_reloaded(d);
	log_info("configuration reloaded: budget %llu B/s, max-running %u, job-keep-s %u, admin-group %s",
		 (unsigned long long)d->cfg.budget, d->cfg.max_running, d->cfg.job_keep_s,
		 d->cfg.admin_group ? d->cfg.admin_group : "(none)");
	bus_manager_changed(d, "Budget");
	bus_manager_changed(d, "MaxRunning");
	sd_notify(0, "READY=1");
	sched_run(d);
	return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	daemon_reload(userdata);
	return 0;
}

static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;

	log_info("stopping: running jobs are cancelled between two batches");
	sd_notify(0, "STOPPING=1");
	/* Running jobs stop cleanly and are saved as interrupted when they end; queued ones stay queued. */
	for (size_t i = 0; i < d->n_jobs; i++)
		if (d->jobs[i]->state == JOB_RUNNING)
			job_cancel(d->jobs[i]);
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static void __attribute__((noreturn)) usage(void)
{
	printf("Usage:\n"
	       " numamoved [options]\n"
	       "\n"
	       "The numamove batch manager: moves, queues, paces and pins the memory of\n"
	       "processes on the system bus (%s), authorized by polkit.\n"
	       "\n"
	       "Options:\n"
	       " -c, --config <file>     the configuration (default %s)\n"
	       " -s, --state-dir <dir>   jobs and pins kept on disk (default $STATE_DIRECTORY,\n"
	       "                         else /var/lib/numamoved)\n"
	       " -h, --help              this text\n"
	       " -V, --version           the version\n"
	       "\n"
	       "Environment: NUMAMOVED_BUS=session serves the session bus instead, for tests.\n",
	       BUS_NAME, NUMAMOVED_CONFIG);
	exit(0);
}

static int parse_args(struct daemon *d, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env = getenv("STATE_DIRECTORY");
	int c;

	d->config_path = strdup(NUMAMOVED_CONFIG);
	/* systemd may pass several directories, ':'-separated: the first is ours. */
	d->state_dir = env && *env ? strndup(env, strcspn(env, ":")) : strdup("/var/lib/numamoved");
	while ((c = getopt_long(argc, argv, "c:s:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			free(d->config_path);
			d->config_path = strdup(optarg);
			break;
		case 's':
			free(d->state_dir);
			d->state_dir = strdup(optarg);
			break;
		case 'h':
			usage();
		case 'V':
			printf("numamoved %s\n", NUMAMOVE_VERSION);
			exit(0);
		default:
			fprintf(stderr, "Try 'numamoved --help' for more information.\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "numamoved: unexpected argument '%s'\nTry 'numamoved --help' for more information.\n",
			argv[optind]);
		return -EINVAL;
	}
	return d->config_path && d->state_dir ? 0 : -ENOMEM;
}

static int setup(struct daemon *d)
{
	sigset_t ss;
	int r;

	r = config_load(d->config_path, &d->cfg);
	if (r < 0)
		return r;
	/* Blocked before any worker exists, so that every thread inherits the mask and signalfd sees them. */
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	r = sd_event_default(&d->event);
	if (r < 0)
		return log_err("sd_event_default: %s", strerror(-r)), r;
	sd_event_add_signal(d->event, NULL, SIGTERM, on_sigterm, d);
	sd_event_add_signal(d->event, NULL, SIGINT, on_sigterm, d);
	sd_event_add_signal(d->event, NULL, SIGHUP, on_sighup, d);
	/* Pings the watchdog at half of WATCHDOG_USEC; does nothing when systemd set none. */
	sd_event_set_watchdog(d->event, true);
	r = worker_inbox_setup(d);
	if (r < 0)
		return r;
	r = state_open(d);
	if (r < 0)
		return r;
	r = place_setup(d);
	if (r < 0)
		return r;
	r = bus_setup(d);
	if (r < 0)
		return r;
	r = state_restore(d);
	if (r < 0)
		return r;
	r = place_restore(d);
	if (r < 0)
		return r;
	r = slurm_setup(d);
	if (r < 0)
		return r;
	return bus_take_name(d);
}

int main(int argc, char **argv)
{
	struct daemon d = { .inbox_tail = &d.inbox, .next_id = 1, .efd = -1 };
	int r;

	/*
	 * One malloc arena, not glibc's eight per CPU: a job, a check or a
	 * lock runs on a thread of its own and each new thread could make an
	 * arena that stays (a one-hour soak saw RSS step up by 14%); the
	 * threads spend their time in system calls, not in malloc. 600
	 * requests on the host: 4,588 -> 4,636 kB, against 4,824 -> 4,928 kB
	 * with glibc's arenas.
	 */
	mallopt(M_ARENA_MAX, 1);
	pthread_mutex_init(&d.lock, NULL);
	log_setup();
	if (parse_args(&d, argc, argv) < 0)
		return 2;
	r = setup(&d);
	if (r < 0) {
		sd_notifyf(0, "STATUS=failed to start: %s\nERRNO=%d", strerror(-r), -r);
		return 1;
	}
	log_info("numamoved %s ready on the %s bus: budget %llu B/s, max-running %u", NUMAMOVE_VERSION,
		 getenv("NUMAMOVED_BUS") ? getenv("NUMAMOVED_BUS") : "system", (unsigned long long)d.cfg.budget,
		 d.cfg.max_running);
	sd_notify(0, "READY=1\nSTATUS=ready");
	sched_run(&d);
	r = sd_event_loop(d.event);
	if (r < 0)
		log_err("event loop: %s", strerror(-r));
	/* Workers finish their batch and are joined; their jobs are saved as interrupted. */
	for (size_t i = 0; i < d.n_jobs; i++)
		job_join(d.jobs[i]);
	for (size_t i = d.n_jobs; i > 0; i--)
		job_free(d.jobs[i - 1]);
	place_free_all(&d);
	slurm_free(&d);
	worker_inbox_drop(&d);
	for (size_t i = d.n_pins; i > 0; i--)
		pin_free(d.pins[i - 1]);
	free(d.jobs);
	free(d.pins);
	sd_event_source_unref(d.efd_source);
	sd_event_source_unref(d.held_retry);
	sd_bus_flush_close_unref(d.bus);
	sd_event_unref(d.event);
	config_free(&d.cfg);
	free(d.config_path);
	free(d.state_dir);
	return r < 0 ? 1 : 0;
}
