/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * NUMAMOVE_POLICY_SET_F_HELPER on the running machine: policies set in a
 * live process with several threads while another thread of the caller
 * reaps children with waitpid(-1), as event loops and slurmstepd do. Every
 * result is read back from /proc/PID/task/TID/numa_maps, and the target's
 * threads must keep running (counters in shared memory, /proc states).
 * Also: the helper killed while it holds the target, the caller killed
 * while its helper does, the request flag. What happens without the
 * helper is a race, so it is no test: `test-inject-helper --observe`
 * prints it (see observe()).
 *
 * Uses the running machine's first node (any machine has one); skips when
 * ptrace is not allowed.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-helpers.h"
#include "inject.h"

#define TARGET_THREADS 4 /* the main thread and three more */
#define CALLS 200

/* Shared with the target (and with a forked caller): one counter per thread. */
struct shared {
	atomic_ulong ticks[TARGET_THREADS];
	atomic_int tids[TARGET_THREADS];
	atomic_int ready;
	/* Filled by a forked caller. */
	atomic_int calls_ok, calls_failed, last_error, stops_stolen;
};

struct target {
	pid_t pid;
	struct shared *sh;
	struct numamove_task *task;
	struct numamove_policy *bind, *deflt;
	char bind_text[32];
};

static void *target_thread(void *arg)
{
	struct shared *sh = (struct shared *)((uintptr_t *)arg)[0];
	size_t k = (size_t)((uintptr_t *)arg)[1];

	atomic_store(&sh->tids[k], (int)syscall(SYS_gettid));
	atomic_fetch_add(&sh->ready, 1);
	for (;;) {
		/* Blocking calls that must restart, and a counter that shows it runs. */
		nanosleep(&(struct timespec){ .tv_nsec = 200 * 1000 }, NULL);
		atomic_fetch_add(&sh->ticks[k], 1);
	}
	return NULL;
}

/* A child with TARGET_THREADS threads that sleep and count, until killed. */
static void target_start(struct target *t)
{
	memset(t, 0, sizeof(*t));
	t->sh = mmap(NULL, sizeof(*t->sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(t->sh != MAP_FAILED);
	t->pid = fork();
	assert_true(t->pid >= 0);
	if (t->pid == 0) {
		static uintptr_t args[TARGET_THREADS][2];

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (size_t k = 0; k < TARGET_THREADS; k++) {
			pthread_t th;

			args[k][0] = (uintptr_t)t->sh;
			args[k][1] = k;
			if (k == 0)
				continue;
			if (pthread_create(&th, NULL, target_thread, args[k]) != 0)
				_exit(1);
		}
		target_thread(args[0]);
		_exit(0);
	}
	while (atomic_load(&t->sh->ready) < TARGET_THREADS)
		usleep(1000);
	assert_int_equal(numamove_task_open(t->pid, &t->task), 0);
	{
		struct numamove_topology *topo = NULL;

		assert_int_equal(numamove_topology_load(NULL, &topo), 0);
		snprintf(t->bind_text, sizeof(t->bind_text), "bind:%d",
			 numamove_nodelist_get(numamove_topology_nodes(topo), 0));
		assert_int_equal(numamove_policy_parse(t->bind_text, topo, &t->bind, NULL), 0);
		assert_int_equal(numamove_policy_parse("default", topo, &t->deflt, NULL), 0);
		numamove_topology_free(topo);
	}
}

static void target_stop(struct target *t)
{
	int st;

	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, &st, 0);
	}
	numamove_task_free(t->task);
	numamove_policy_free(t->bind);
	numamove_policy_free(t->deflt);
	munmap(t->sh, sizeof(*t->sh));
}

/* The task policy of thread @tid as the kernel shows it: numa_maps's first mapping has none of its own. */
static void thread_policy(pid_t pid, pid_t tid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/numa_maps", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	if (fscanf(f, "%*s %31s", buf) != 1)
		fail_msg("cannot read %s", path);
	fclose(f);
	(void)size;
}

/* The state letter of a thread in /proc (S, R, t, Z, ...); 0 when it is gone. */
static char thread_state(pid_t pid, pid_t tid)
{
	char path[64], text[512];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	p = strrchr(text, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Every thread of @t runs: none in a stop, and each counter moves. */
static void assert_target_runs(const struct target *t)
{
	unsigned long before[TARGET_THREADS];

	for (size_t k = 0; k < TARGET_THREADS; k++) {
		char st = thread_state(t->pid, atomic_load(&t->sh->tids[k]));

		if (st == 't' || st == 'T' || st == 0 || st == 'Z')
			fail_msg("target thread %d is in state '%c'", atomic_load(&t->sh->tids[k]), st ? st : '-');
		before[k] = atomic_load(&t->sh->ticks[k]);
	}
	for (int tries = 0; tries < 2000; tries++) {
		size_t moved = 0;

		for (size_t k = 0; k < TARGET_THREADS; k++)
			moved += atomic_load(&t->sh->ticks[k]) != before[k];
		if (moved == TARGET_THREADS)
			return;
		usleep(1000);
	}
	fail_msg("a thread of the target does not run any more");
}

/* Whether the target's threads are held by @tracer: all in a ptrace stop, with that TracerPid. */
static bool target_held(const struct target *t, pid_t tracer)
{
	bool held = true;

	for (size_t k = 0; k < TARGET_THREADS && held; k++) {
		pid_t tid = atomic_load(&t->sh->tids[k]);
		char path[64], *text = NULL;
		const char *p;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)t->pid, (int)tid);
		held = thread_state(t->pid, tid) == 't' && nm_read_file(NULL, path, &text, NULL) == 0 &&
		       (p = strstr(text, "\nTracerPid:")) && atoi(p + 11) == tracer;
		free(text);
	}
	return held;
}

/* ---- the reaper: another thread of the caller that reaps any child */

struct reaper {
	pthread_t thread;
	int flags; /* WNOHANG, and __WALL or not */
	atomic_bool stop;
	atomic_int reaped, stops, others;
	pid_t target;
};

static void *reaper_main(void *arg)
{
	struct reaper *rp = arg;

	while (!atomic_load(&rp->stop)) {
		int st;
		pid_t pid = waitpid(-1, &st, rp->flags);

		if (pid <= 0) {
			sched_yield();
			continue;
		}
		if (WIFSTOPPED(st))
			atomic_fetch_add(&rp->stops, 1); /* a ptrace stop taken from the tracer */
		else if (pid == rp->target)
			atomic_fetch_add(&rp->reaped, 1);
		else
			atomic_fetch_add(&rp->others, 1); /* a helper's exit, with __WALL */
	}
	return NULL;
}

static void reaper_start(struct reaper *rp, pid_t target, int flags)
{
	memset(rp, 0, sizeof(*rp));
	rp->flags = flags;
	rp->target = target;
	assert_int_equal(pthread_create(&rp->thread, NULL, reaper_main, rp), 0);
}

static void reaper_stop(struct reaper *rp)
{
	atomic_store(&rp->stop, true);
	pthread_join(rp->thread, NULL);
}

/* One call with the helper and what it must have done, checked in /proc. */
static void set_and_check(struct target *t, bool bind)
{
	struct numamove_policy_opts opts = { .sz = sizeof(opts), .flags = NUMAMOVE_POLICY_SET_F_HELPER };
	struct numamove_policy_report *rep = NULL;
	const char *want = bind ? t->bind_text : "default";
	int r;

	r = numamove_policy_set(t->task, bind ? t->bind : t->deflt, &opts, &rep);
	if (r < 0)
		fail_msg("numamove_policy_set(%s) with the helper: %s", want, strerror(-r));
	assert_int_equal(numamove_policy_report_count(rep), TARGET_THREADS);
	for (size_t i = 0; i < TARGET_THREADS; i++) {
		enum numamove_policy_status s = numamove_policy_report_status(rep, i);

		if (s != NUMAMOVE_POLICY_STATUS_CHANGED)
			fail_msg("entry %zu: %s (%d)", i, numamove_policy_status_name(s),
				 numamove_policy_report_error(rep, i));
	}
	numamove_policy_report_free(rep);
	for (size_t k = 0; k < TARGET_THREADS; k++) {
		char seen[32];

		thread_policy(t->pid, atomic_load(&t->sh->tids[k]), seen, sizeof(seen));
		if (strcmp(seen, want) != 0)
			fail_msg("thread %d shows %s, not %s", atomic_load(&t->sh->tids[k]), seen, want);
	}
}

/* Skips when this process may not trace the target. */
static void skip_unless_traceable(struct target *t)
{
	struct numamove_policy_opts opts = { .sz = sizeof(opts), .flags = NUMAMOVE_POLICY_SET_F_HELPER };
	struct numamove_policy_report *rep = NULL;
	int r = numamove_policy_set(t->task, t->deflt, &opts, &rep);

	numamove_policy_report_free(rep);
	if (r == -EPERM) {
		print_message("ptrace not allowed here: skipped\n");
		target_stop(t);
		skip();
	}
	assert_int_equal(r, 0);
}

/* A reaper without __WALL: it must see neither the target's stops nor the helper. */
static void test_reaper(void **state)
{
	struct target t;
	struct reaper rp;
	struct timespec a, b;

	(void)state;
	target_start(&t);
	skip_unless_traceable(&t);
	reaper_start(&rp, t.pid, WNOHANG);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < CALLS; i++)
		set_and_check(&t, i % 2 == 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	reaper_stop(&rp);
	print_message("helper, waitpid(-1, WNOHANG) reaper: %d calls, all checked; reaper took %d stops, "
		      "%d other children; %.2f ms a call\n", CALLS, atomic_load(&rp.stops), atomic_load(&rp.others),
		      ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) / CALLS);
	assert_int_equal(atomic_load(&rp.stops), 0);
	assert_int_equal(atomic_load(&rp.reaped), 0);
	assert_int_equal(atomic_load(&rp.others), 0);
	assert_target_runs(&t);
	target_stop(&t);
}

/* A reaper with __WALL takes helpers' exit statuses: the calls must not mind. */
static void test_reaper_wall(void **state)
{
	struct target t;
	struct reaper rp;

	(void)state;
	target_start(&t);
	skip_unless_traceable(&t);
	reaper_start(&rp, t.pid, WNOHANG | __WALL);
	for (int i = 0; i < CALLS; i++)
		set_and_check(&t, i % 2 == 0);
	reaper_stop(&rp);
	print_message("helper, waitpid(-1, WNOHANG|__WALL) reaper: %d calls, all checked; reaper took %d "
		      "helper exits, %d stops\n", CALLS, atomic_load(&rp.others), atomic_load(&rp.stops));
	assert_int_equal(atomic_load(&rp.stops), 0);
	assert_int_equal(atomic_load(&rp.reaped), 0);
	assert_target_runs(&t);
	target_stop(&t);
}

/* ---- killing the helper, or the caller, while the target is held */

static atomic_int hook_helper;
static int hook_fd = -1;

/* In the helper, with the target held: say who we are, then wait to be killed. */
static void hold_forever(void)
{
	pid_t self = (pid_t)syscall(SYS_gettid);

	atomic_store(&hook_helper, (int)self);
	if (hook_fd >= 0)
		(void)!write(hook_fd, &self, sizeof(self));
	for (;;)
		pause();
}

struct killer {
	const struct target *t;
	pid_t helper;
	bool held;
};

static void *killer_main(void *arg)
{
	struct killer *k = arg;

	while (!(k->helper = atomic_load(&hook_helper)))
		usleep(1000);
	/* The helper is the tracer, and the target is stopped. */
	k->held = target_held(k->t, k->helper);
	kill(k->helper, SIGKILL);
	return NULL;
}

static void test_helper_killed(void **state)
{
	struct numamove_policy_opts opts = { .sz = sizeof(opts), .flags = NUMAMOVE_POLICY_SET_F_HELPER };
	struct numamove_policy_report *rep = (struct numamove_policy_report *)(uintptr_t)0x1;
	struct killer k = { 0 };
	pthread_t th;
	struct target t;
	char path[64];

	(void)state;
	target_start(&t);
	skip_unless_traceable(&t);
	k.t = &t;
	atomic_store(&hook_helper, 0);
	nm_inject_test_hook = hold_forever;
	assert_int_equal(pthread_create(&th, NULL, killer_main, &k), 0);
	assert_int_equal(numamove_policy_set(t.task, t.bind, &opts, &rep), -ECHILD);
	nm_inject_test_hook = NULL;
	pthread_join(th, NULL);
	assert_true(k.held);
	assert_ptr_equal(rep, (struct numamove_policy_report *)(uintptr_t)0x1);
	/* Reaped: no zombie left. */
	snprintf(path, sizeof(path), "/proc/%d", (int)k.helper);
	assert_int_equal(access(path, F_OK), -1);
	/* The kernel let the target go when its tracer died. */
	assert_target_runs(&t);
	/* And it can be changed again. */
	set_and_check(&t, true);
	target_stop(&t);
}

static void test_caller_killed(void **state)
{
	struct target t;
	pid_t caller, helper = 0;
	int fds[2], st, pidfd;
	struct pollfd pfd;

	(void)state;
	target_start(&t);
	skip_unless_traceable(&t);
	assert_int_equal(pipe(fds), 0);
	caller = fork();
	assert_true(caller >= 0);
	if (caller == 0) {
		struct numamove_policy_opts opts = { .sz = sizeof(opts), .flags = NUMAMOVE_POLICY_SET_F_HELPER };
		struct numamove_policy_report *rep = NULL;

		close(fds[0]);
		hook_fd = fds[1];
		nm_inject_test_hook = hold_forever;
		(void)numamove_policy_set(t.task, t.bind, &opts, &rep);
		_exit(3);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &helper, sizeof(helper)), (ssize_t)sizeof(helper));
	close(fds[0]);
	assert_true(target_held(&t, helper));
	pidfd = (int)syscall(SYS_pidfd_open, helper, 0);
	assert_true(pidfd >= 0);
	kill(caller, SIGKILL);
	assert_int_equal(waitpid(caller, &st, 0), caller);
	assert_true(WIFSIGNALED(st));
	/* PR_SET_PDEATHSIG: the helper dies with its caller... */
	pfd = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	close(pidfd);
	/* ...and the kernel lets the target go. */
	assert_target_runs(&t);
	target_stop(&t);
}

/*
 * ---- without the helper, and the cost: `test-inject-helper --observe`
 *
 * Not a test: whether the reaper takes a stop is a race. Run by hand, it
 * prints what happens in ROUNDS rounds of CALLS calls made without the
 * helper while another thread reaps with waitpid(-1, WNOHANG), and how
 * long a call takes with and without the helper.
 */

#define ROUNDS 10
#define WATCHDOG_MS 5000

static void *forked_reaper(void *arg)
{
	struct shared *sh = arg;

	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);

		if (pid > 0 && WIFSTOPPED(st))
			atomic_fetch_add(&sh->stops_stolen, 1);
		else
			sched_yield();
	}
	return NULL;
}

/* One round: a caller with a reaper thread makes CALLS calls without the helper. */
static void observe_round(int round, int *hung, int *died, int *ok, int *stolen)
{
	struct target t;
	pid_t caller, w;
	int st = 0, tst = 0, waited = 0;

	target_start(&t);
	caller = fork();
	if (caller == 0) {
		pthread_t th;

		if (pthread_create(&th, NULL, forked_reaper, t.sh) != 0)
			_exit(2);
		for (int i = 0; i < CALLS; i++) {
			struct numamove_policy_report *rep = NULL;
			int r = numamove_policy_set(t.task, i % 2 ? t.deflt : t.bind, NULL, &rep);
			bool good = r == 0;

			for (size_t e = 0; good && e < numamove_policy_report_count(rep); e++)
				good = numamove_policy_report_status(rep, e) == NUMAMOVE_POLICY_STATUS_CHANGED;
			if (good) {
				atomic_fetch_add(&t.sh->calls_ok, 1);
			} else {
				atomic_fetch_add(&t.sh->calls_failed, 1);
				atomic_store(&t.sh->last_error, r);
			}
			numamove_policy_report_free(rep);
		}
		_exit(0);
	}
	/* A call whose stop was taken waits for ever, the target held: kill it. */
	while (waitpid(caller, &st, WNOHANG) == 0 && waited < WATCHDOG_MS) {
		usleep(10000);
		waited += 10;
	}
	if (waited >= WATCHDOG_MS) {
		kill(caller, SIGKILL);
		waitpid(caller, &st, 0);
	}
	usleep(100000);
	w = waitpid(t.pid, &tst, WNOHANG);
	printf("round %d: %d calls ok, %d failed (last: %s), the reaper took %d ptrace stops, %s; target %s\n",
	       round, atomic_load(&t.sh->calls_ok), atomic_load(&t.sh->calls_failed),
	       strerror(-atomic_load(&t.sh->last_error)), atomic_load(&t.sh->stops_stolen),
	       waited >= WATCHDOG_MS ? "a call hung: caller killed" : "finished",
	       w != t.pid ? "still runs" : WIFSIGNALED(tst) ? strsignal(WTERMSIG(tst)) : "exited");
	*hung += waited >= WATCHDOG_MS;
	*died += w == t.pid;
	*ok += atomic_load(&t.sh->calls_ok);
	*stolen += atomic_load(&t.sh->stops_stolen);
	if (w == t.pid)
		t.pid = -1; /* already reaped: target_stop() kills nothing */
	target_stop(&t);
}

static double ms_per_call(struct target *t, unsigned int flags)
{
	struct numamove_policy_opts opts = { .sz = sizeof(opts), .flags = flags };
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < CALLS; i++) {
		struct numamove_policy_report *rep = NULL;

		if (numamove_policy_set(t->task, i % 2 ? t->deflt : t->bind, &opts, &rep) < 0)
			return -1;
		numamove_policy_report_free(rep);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) / CALLS;
}

static int observe(void)
{
	int hung = 0, died = 0, ok = 0, stolen = 0;
	struct target t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	target_start(&t);
	printf("%d threads, %d calls each: %.3f ms a call without the helper, %.3f ms with it\n", TARGET_THREADS,
	       CALLS, ms_per_call(&t, 0), ms_per_call(&t, NUMAMOVE_POLICY_SET_F_HELPER));
	target_stop(&t);
	for (int round = 1; round <= ROUNDS; round++)
		observe_round(round, &hung, &died, &ok, &stolen);
	printf("without the helper: %d rounds of up to %d calls: %d calls ok, %d ptrace stops taken by the reaper, "
	       "%d rounds hung, %d targets dead after their hung caller was killed\n",
	       ROUNDS, CALLS, ok, stolen, hung, died);
	return 0;
}

/* ---- the rest */

static void test_errors(void **state)
{
	struct numamove_policy_opts opts = { .sz = sizeof(opts), .flags = NUMAMOVE_POLICY_SET_F_HELPER };
	struct numamove_policy_opts bad = { .sz = sizeof(bad), .flags = 1u << 31 };
	struct numamove_policy_report *rep = NULL;
	struct numamove_task *self = NULL;
	struct numamove_policy *pol = NULL;

	(void)state;
	assert_int_equal(numamove_policy_parse("default", NULL, &pol, NULL), 0);
	assert_int_equal(numamove_task_open(getpid(), &self), 0);
	/* The caller itself: refused, as ptrace refuses it without the helper. */
	assert_int_equal(numamove_policy_set(self, pol, &opts, &rep), -EPERM);
	assert_null(rep);
	assert_int_equal(numamove_policy_set(self, pol, &bad, &rep), -EINVAL);
	numamove_task_free(self);
	numamove_policy_free(pol);
}

/* The request flag: accepted, and a SET_POLICY request goes through the helper. */
static void test_request(void **state)
{
	struct numamove_request_opts ro = { .sz = sizeof(ro), .flags = NUMAMOVE_REQUEST_F_INJECT_HELPER };
	struct numamove_request *req = NULL;
	struct numamove_report *rep = NULL;
	struct reaper rp;
	struct target t;

	(void)state;
	target_start(&t);
	skip_unless_traceable(&t);
	reaper_start(&rp, t.pid, WNOHANG);
	for (int i = 0; i < 20; i++) {
		const char *want = i % 2 ? "default" : t.bind_text;

		assert_int_equal(numamove_request_new(NUMAMOVE_ACTION_SET_POLICY, &ro, &req), 0);
		assert_int_equal(numamove_request_set_policy(req, want, NULL), 0);
		assert_int_equal(numamove_request_add_pid(req, t.pid), 0);
		assert_int_equal(numamove_request_run(req, &rep), 0);
		assert_int_equal(numamove_report_count(rep), 1);
		assert_int_equal(numamove_report_outcome(rep, 0), NUMAMOVE_OUTCOME_DONE);
		assert_int_equal(numamove_policy_report_count(numamove_report_rebind(rep, 0)), TARGET_THREADS);
		for (size_t k = 0; k < TARGET_THREADS; k++) {
			char seen[32];

			thread_policy(t.pid, atomic_load(&t.sh->tids[k]), seen, sizeof(seen));
			assert_string_equal(seen, want);
		}
		numamove_report_free(rep);
		numamove_request_free(req);
	}
	reaper_stop(&rp);
	assert_int_equal(atomic_load(&rp.stops), 0);
	assert_target_runs(&t);
	target_stop(&t);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_reaper),
		cmocka_unit_test(test_reaper_wall),
		cmocka_unit_test(test_helper_killed),
		cmocka_unit_test(test_caller_killed),
		cmocka_unit_test(test_request),
	};

	if (argc > 1 && strcmp(argv[1], "--observe") == 0)
		return observe();
	if (!have_ptrace()) {
		printf("skipped: ptrace(2) is not implemented here (qemu-user)\n");
		return 77; /* meson: skipped */
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
