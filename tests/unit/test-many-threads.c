// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Policies of processes with many threads, on live children (ptrace; skips
 * without it): threads are held a batch at a time, so the calls must still
 * reach every thread, including those started while the call runs.
 * Policies are checked as the kernel shows them (the first line of each
 * thread's numa_maps: its first mapping has no policy of its own), not
 * through the library's reader.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/epoll.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "inject.h"
#include "test-helpers.h"

#define MANY 150      /* threads that sleep */
#define SPAWNERS 8    /* relays: threads that start their successor and end, all the while */

struct shared {
	atomic_int ready;
	atomic_ulong spawned;
	atomic_ulong forks, waits, eintr; /* test_children's */
};

struct target {
	pid_t pid;
	struct shared *sh;
	struct numamove_task *task;
	struct numamove_policy *bind, *deflt;
	char bind_text[32];
};

static void *sleeper(void *arg)
{
	struct shared *sh = arg;

	atomic_fetch_add(&sh->ready, 1);
	/*
	 * 10 ms: each thread is in nanosleep(2) nearly all the time, and comes
	 * out of it 100 times a second. (1 ms, 150,000 wake-ups a second in
	 * all, kept both CPUs of a virtual machine busy with the target's
	 * scheduling, and the ASan build of this test ran past its 180 s.)
	 */
	for (;;)
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	return NULL;
}

/*
 * A relay: lives a moment, starts its successor, which inherits its policy,
 * and ends. A thread changed late in a call may so have handed the old
 * policy on to a thread that no listing made before showed.
 */
static void *relay(void *arg)
{
	struct shared *sh = arg;
	pthread_attr_t attr;
	pthread_t th;

	nanosleep(&(struct timespec){ .tv_nsec = 300 * 1000 }, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 << 10);
	while (pthread_create(&th, &attr, relay, sh) != 0)
		nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 }, NULL);
	atomic_fetch_add(&sh->spawned, 1);
	return NULL;
}

static void target_start(struct target *t, int spawners)
{
	struct numamove_topology *topo = NULL;

	memset(t, 0, sizeof(*t));
	t->sh = mmap(NULL, sizeof(*t->sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(t->sh != MAP_FAILED);
	t->pid = fork();
	assert_true(t->pid >= 0);
	if (t->pid == 0) {
		pthread_attr_t attr;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 << 10);
		for (int k = 0; k < MANY + spawners; k++) {
			pthread_t th;

			if (pthread_create(&th, &attr, k < MANY ? sleeper : relay, t->sh) != 0)
				_exit(1);
			if (k >= MANY)
				atomic_fetch_add(&t->sh->ready, 1);
		}
		for (;;)
			pause();
	}
	while (atomic_load(&t->sh->ready) < MANY + spawners)
		usleep(1000);
	assert_int_equal(numamove_task_open(t->pid, &t->task), 0);
	assert_int_equal(numamove_topology_load(NULL, &topo), 0);
	snprintf(t->bind_text, sizeof(t->bind_text), "bind:%d", numamove_nodelist_get(numamove_topology_nodes(topo), 0));
	assert_int_equal(numamove_policy_parse(t->bind_text, topo, &t->bind, NULL), 0);
	assert_int_equal(numamove_policy_parse("default", topo, &t->deflt, NULL), 0);
	numamove_topology_free(topo);
}

static void target_stop(struct target *t)
{
	int st;

	kill(t->pid, SIGKILL);
	waitpid(t->pid, &st, 0);
	numamove_task_free(t->task);
	numamove_policy_free(t->bind);
	numamove_policy_free(t->deflt);
	munmap(t->sh, sizeof(*t->sh));
}

/* Whether thread @tid of @pid is still there 100 ms later (not exiting). */
static bool still_there(pid_t pid, const char *tid)
{
	char path[320];

	usleep(100 * 1000);
	snprintf(path, sizeof(path), "/proc/%d/task/%s", (int)pid, tid);
	return access(path, F_OK) == 0;
}

/*
 * Every thread of @t now, as the kernel shows it, has @want; returns how
 * many were looked at (threads that exit while looked at are skipped).
 */
static int assert_all_threads(const struct target *t, const char *want)
{
	char path[64];
	struct dirent *de;
	int seen = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)t->pid);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d))) {
		char file[320], text[32];
		FILE *f;
		int n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "/proc/%d/task/%s/numa_maps", (int)t->pid, de->d_name);
		f = fopen(file, "re");
		if (!f)
			continue;
		n = fscanf(f, "%*s %31s", text);
		fclose(f);
		if (n != 1)
			continue; /* exited between the two */
		/*
		 * A thread that is exiting has already dropped its policy (do_exit()
		 * frees it before the thread leaves the list) and shows "default":
		 * a relay does so right after it started its successor. Only a
		 * thread still there a moment later counts.
		 */
		if (strcmp(text, want) != 0 && !still_there(t->pid, de->d_name))
			continue;
		if (strcmp(text, want) != 0) {
			char name[sizeof(de->d_name)];

			/* The name is in the directory stream: copied before it is closed. */
			snprintf(name, sizeof(name), "%s", de->d_name);
			closedir(d);
			fail_msg("thread %s shows %s, not %s", name, text, want);
		}
		seen++;
	}
	closedir(d);
	return seen;
}

static bool traceable(struct target *t)
{
	struct numamove_policy_report *rep = NULL;
	int r = numamove_policy_set(t->task, t->deflt, NULL, &rep);

	numamove_policy_report_free(rep);
	if (r == -EPERM) {
		print_message("ptrace not allowed here: skipped\n");
		return false;
	}
	assert_int_equal(r, 0);
	return true;
}

/* More threads than a batch, each changed once and reported once, with its old policy. */
static void test_many(void **state)
{
	struct numamove_policy_report *rep = NULL;
	struct target t;

	(void)state;
	target_start(&t, 0);
	if (!traceable(&t)) {
		target_stop(&t);
		skip();
	}
	for (int round = 0; round < 4; round++) {
		bool bind = round % 2 == 0;
		size_t n;

		assert_int_equal(numamove_policy_set(t.task, bind ? t.bind : t.deflt, NULL, &rep), 0);
		n = numamove_policy_report_count(rep);
		assert_int_equal(n, MANY + 1);
		for (size_t i = 0; i < n; i++) {
			char before[64];

			assert_int_equal(numamove_policy_report_status(rep, i), NUMAMOVE_POLICY_STATUS_CHANGED);
			for (size_t k = 0; k < i; k++)
				assert_int_not_equal(numamove_policy_report_tid(rep, k), numamove_policy_report_tid(rep, i));
			assert_true(numamove_policy_format(numamove_policy_report_before(rep, i), before, sizeof(before)) > 0);
			assert_string_equal(before, bind ? "default" : t.bind_text);
		}
		numamove_policy_report_free(rep);
		assert_int_equal(assert_all_threads(&t, bind ? t.bind_text : "default"), MANY + 1);
	}
	target_stop(&t);
}

/*
 * Threads started all the while, by threads changed and not yet changed:
 * once the call returned, every thread there is has the new policy (and
 * so will every thread started later).
 */
static void test_spawning(void **state)
{
	struct target t;
	unsigned long spawned;

	(void)state;
	target_start(&t, SPAWNERS);
	if (!traceable(&t)) {
		target_stop(&t);
		skip();
	}
	spawned = atomic_load(&t.sh->spawned);
	for (int round = 0; round < 10; round++) {
		struct numamove_policy_report *rep = NULL;
		bool bind = round % 2 == 0;

		assert_int_equal(numamove_policy_set(t.task, bind ? t.bind : t.deflt, NULL, &rep), 0);
		for (size_t i = 0; i < numamove_policy_report_count(rep); i++) {
			enum numamove_policy_status s = numamove_policy_report_status(rep, i);

			if (s != NUMAMOVE_POLICY_STATUS_CHANGED && s != NUMAMOVE_POLICY_STATUS_UNCHANGED &&
			    s != NUMAMOVE_POLICY_STATUS_GONE)
				fail_msg("entry %zu: %s (%d)", i, numamove_policy_status_name(s),
					 numamove_policy_report_error(rep, i));
		}
		numamove_policy_report_free(rep);
		assert_true(assert_all_threads(&t, bind ? t.bind_text : "default") >= MANY + 1);
	}
	print_message("%lu relay threads started during the calls\n", atomic_load(&t.sh->spawned) - spawned);
	assert_true(atomic_load(&t.sh->spawned) > spawned);
	target_stop(&t);
}

#define WAITERS 8 /* test_children: threads in epoll_wait(2) */

/*
 * The EINTRs that @waits waits interrupted by a policy change may see:
 * none on x86-64. arm64 hides from a tracer the first argument of a call
 * that a stop ended with EINTR (lib/arch/aarch64/arch.c); it is read just
 * before the interrupt, and a wait that timed out and began again in
 * between keeps its EINTR, as for a signal: about 1 in 100 under
 * emulation. Up to 3 in 100 here; reading every thread before the first
 * interrupt gave 12 to 20 in 100.
 */
static unsigned long eintr_allowed(unsigned long waits)
{
#ifdef __aarch64__
	return waits * 3 / 100; /* rounded down: 1 change of 12 waits, none */
#else
	(void)waits;
	return 0;
#endif
}
#define FORKERS 4 /* test_children: threads that fork children that end at once */

static void *waiter(void *arg)
{
	struct shared *sh = arg;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev;

	if (ep < 0)
		_exit(1);
	atomic_fetch_add(&sh->ready, 1);
	for (;;) {
		if (epoll_wait(ep, &ev, 1, 50) < 0 && errno == EINTR)
			atomic_fetch_add(&sh->eintr, 1);
		atomic_fetch_add(&sh->waits, 1);
	}
	return NULL;
}

static void *forker(void *arg)
{
	struct shared *sh = arg;

	atomic_fetch_add(&sh->ready, 1);
	for (;;) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		if (p > 0) {
			while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
				;
			atomic_fetch_add(&sh->forks, 1);
		}
		nanosleep(&(struct timespec){ .tv_nsec = 1000 * 1000 }, NULL);
	}
	return NULL;
}

/* @task for @pid, and two policies to alternate: bind to the first node, default. */
static void open_target(pid_t pid, struct numamove_task **task, struct numamove_policy *pol[2])
{
	struct numamove_topology *topo = NULL;
	char text[32];

	assert_int_equal(numamove_task_open(pid, task), 0);
	assert_int_equal(numamove_topology_load(NULL, &topo), 0);
	snprintf(text, sizeof(text), "bind:%d", numamove_nodelist_get(numamove_topology_nodes(topo), 0));
	assert_int_equal(numamove_policy_parse(text, topo, &pol[0], NULL), 0);
	assert_int_equal(numamove_policy_parse("default", topo, &pol[1], NULL), 0);
	numamove_topology_free(topo);
}

static void close_target(struct numamove_task *task, struct numamove_policy *pol[2])
{
	numamove_task_free(task);
	numamove_policy_free(pol[0]);
	numamove_policy_free(pol[1]);
}

/*
 * @rounds policy changes of @task, alternating @pol; @hook at the first
 * one's first hold. false: ptrace is not allowed here (nothing changed).
 */
static bool change_policies(struct numamove_task *task, struct numamove_policy *pol[2], int rounds,
			    void (*hook)(void))
{
	for (int round = 0; round < rounds; round++) {
		struct numamove_policy_report *rep = NULL;
		int r;

		nm_inject_test_hook = round == 0 ? hook : NULL;
		r = numamove_policy_set(task, pol[round % 2], NULL, &rep);
		nm_inject_test_hook = NULL;
		numamove_policy_report_free(rep);
		if (r == -EPERM && round == 0) {
			print_message("ptrace not allowed here: skipped\n");
			return false;
		}
		assert_int_equal(r, 0);
	}
	return true;
}

/*
 * A target whose threads fork children that end all the while (SIGCHLD,
 * which it ignores), and whose other threads wait in epoll_wait(2): a
 * call that a signal interrupts there fails with EINTR, restart or not.
 * Policy changes must not let any of them see it. The kernel keeps an
 * ignored signal sent to a traced thread, and wakes another thread for
 * it: 0.5.0's library, which held threads a batch at a time, gave about
 * one EINTR per two changes here.
 */
static void test_children(void **state)
{
	struct numamove_task *task = NULL;
	struct numamove_policy *pol[2];
	struct shared *sh;
	unsigned long forks;
	bool traced;
	pid_t pid;
	int st;

	(void)state;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (int k = 0; k < WAITERS + FORKERS; k++) {
			pthread_t th;

			if (pthread_create(&th, NULL, k < WAITERS ? waiter : forker, sh) != 0)
				_exit(1);
		}
		for (;;)
			pause();
	}
	while (atomic_load(&sh->ready) < WAITERS + FORKERS)
		usleep(1000);
	open_target(pid, &task, pol);
	forks = atomic_load(&sh->forks);
	traced = change_policies(task, pol, 100, NULL);
	print_message("%lu children ended during the calls, %lu EINTR in epoll_wait\n",
		      atomic_load(&sh->forks) - forks, atomic_load(&sh->eintr));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close_target(task, pol);
	if (!traced) {
		munmap(sh, sizeof(*sh));
		skip();
	}
	assert_true(atomic_load(&sh->forks) > forks);
	assert_in_range(atomic_load(&sh->eintr), 0, eintr_allowed(100 * WAITERS));
	munmap(sh, sizeof(*sh));
}

/* test_held_parent: the write end of the pipe the target's child waits on. */
static int child_release_fd = -1;

/* At the first hold, in the helper: the held main thread's child ends now. */
static void end_child(void)
{
	if (write(child_release_fd, "x", 1) != 1)
		abort();
	nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
}

/*
 * The same, made to happen: the target's main thread (always in the first
 * hold) has a child that ends while that hold is in place, and 12 more
 * threads wait in epoll_wait(2). Held a batch at a time, the child's
 * SIGCHLD, kept for the traced main thread, woke a thread of a later
 * batch, which returned EINTR; held all at once, no thread can see it.
 * Also a target with 2000 supplementary groups, whose status lines
 * before the signal masks are longer than 8 KiB: read whole, its threads
 * restart their calls (a reader that gave up there left each epoll_wait
 * with its EINTR).
 */
static void held_parent(bool groups)
{
	struct numamove_task *task = NULL;
	struct numamove_policy *pol[2];
	struct shared *sh;
	int pfd[2], st;
	bool traced;
	pid_t pid;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(pfd[1]);
		if (groups) {
			static gid_t gids[2000];

			for (size_t k = 0; k < 2000; k++)
				gids[k] = (gid_t)(100000 + k);
			if (setgroups(2000, gids) < 0)
				_exit(2);
		}
		if (fork() == 0) {
			_exit(read(pfd[0], &c, 1) == 1 ? 0 : 1);
		}
		for (int k = 0; k < 12; k++) {
			pthread_t th;

			if (pthread_create(&th, NULL, waiter, sh) != 0)
				_exit(1);
		}
		for (;;)
			pause();
	}
	close(pfd[0]);
	child_release_fd = pfd[1];
	while (atomic_load(&sh->ready) < 12) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			print_message("target exited with status %d (no setgroups here?): skipped\n", st);
			close(pfd[1]);
			munmap(sh, sizeof(*sh));
			skip();
		}
		usleep(1000);
	}
	open_target(pid, &task, pol);
	traced = change_policies(task, pol, groups ? 20 : 1, groups ? NULL : end_child);
	nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
	print_message("%lu EINTR in epoll_wait\n", atomic_load(&sh->eintr));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(pfd[1]);
	close_target(task, pol);
	if (!traced) {
		munmap(sh, sizeof(*sh));
		skip();
	}
	assert_in_range(atomic_load(&sh->eintr), 0, eintr_allowed((groups ? 20 : 1) * 12));
	munmap(sh, sizeof(*sh));
}

static void test_held_parent(void **state)
{
	(void)state;
	held_parent(false);
}

static void test_many_groups(void **state)
{
	(void)state;
	held_parent(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_spawning),
		cmocka_unit_test(test_children),
		cmocka_unit_test(test_held_parent),
		cmocka_unit_test(test_many_groups),
	};

	if (!have_ptrace()) {
		printf("skipped: ptrace(2) is not implemented here (qemu-user)\n");
		return 77; /* meson: skipped */
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
