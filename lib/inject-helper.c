/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running the ptrace work in a helper process (NUMAMOVE_POLICY_SET_F_HELPER).
 *
 * Why: a tracer's thread group sees its tracees' stops in wait(). Every
 * thread of it does: wait(), waitpid(-1, ...) or waitid(P_ALL, ...) in any
 * thread of the caller (an event loop's SIGCHLD reaper, slurmstepd reaping
 * its tasks) takes the stops that inject.c waits for with waitpid(tid), and
 * the call then waits for a stop that never comes, with the target held. A
 * tracer that is a process of its own keeps its tracees' stops to itself.
 *
 * How the helper is made: clone(2) with CLONE_VM | CLONE_VFORK, a stack of
 * its own, and exit signal 0.
 *
 *  - CLONE_VM, not fork(): after fork() in a multithreaded process only
 *    async-signal-safe functions are safe, and the helper needs malloc(),
 *    /proc reading, everything rebind.c and inject.c do. glibc's fork()
 *    makes malloc usable in the child by taking its locks around the fork,
 *    but fork() cannot be asked for no SIGCHLD; a raw clone() without
 *    CLONE_VM copies the memory with whatever locks other threads held at
 *    that instant, and the child could hang in malloc() with the target's
 *    threads held. With CLONE_VM the helper shares the caller's memory and
 *    takes malloc's locks as one more thread would: nothing is copied,
 *    nothing is half-locked, and the report it builds is already in the
 *    caller's memory, so nothing is serialized (and no page tables of a
 *    big caller are copied).
 *  - CLONE_VFORK: the calling thread sleeps until the helper has exited
 *    (not even its signal handlers run meanwhile; SIGKILL still ends it).
 *    The helper runs on the calling thread's thread-local storage (errno,
 *    malloc's thread cache, glibc's idea of "this thread"), so that thread
 *    must do nothing at all while the helper runs; the other threads of the
 *    caller go on as usual.
 *  - exit signal 0: a "clone child", which wait() sees only with __WCLONE
 *    or __WALL. A plain wait()/waitpid(-1) in the caller neither takes its
 *    exit status nor blocks on it, and no SIGCHLD is sent. A reaper that
 *    passes __WALL (or __WCLONE) does see it and may take its exit status
 *    first; that costs nothing here: the result is in shared memory and
 *    the helper marks it finished as its very last step, so waitid()'s
 *    ECHILD only means somebody else reaped it. (Such a reaper then gets
 *    the status of a pid it never started, as it would for any library's
 *    clone child.)
 *  - no CLONE_FILES, CLONE_FS, CLONE_SIGHAND, CLONE_THREAD: the helper is a
 *    process of its own (its own thread group, so its own ptrace stops),
 *    with a copy of the caller's file descriptors; what it opens is closed
 *    when it exits. Every signal is blocked in it (SIGKILL and SIGSTOP
 *    cannot be), so no handler of the caller ever runs on the helper.
 *  - CLONE_PIDFD: the caller reaps exactly its helper with
 *    waitid(P_PIDFD, ..., WEXITED | __WALL), never any other child.
 *
 * Failures:
 *  - the caller dies (SIGKILL, the OOM killer's choice of another thread
 *    group of the caller...): the helper outlives it, so that no thread is
 *    ever let go in the middle of a call. The kernel would detach a dead
 *    tracer's tracees, and one that was inside the injected syscall would
 *    resume from the vDSO with the call's registers and most likely crash
 *    (a SIGKILLed 0.4 numamove could do this). The helper has
 *    PR_SET_PDEATHSIG(SIGUSR1) with a handler: outside a call it exits at
 *    once; inside one (nm_helper_call_begin()/end() in inject.c) it lets
 *    the call end, puts that thread's registers back, and exits at the
 *    call's end. The seizing of threads counts as a call (from their
 *    interrupts to their registers set), with a bound: a thread that
 *    never stops (D state) makes it exit 2 s after the caller's death
 *    (SIGALRM), leaving the threads not yet seen stopped to the kernel.
 *    Its exit detaches the threads it held, each with its own registers
 *    (inject.c puts them back after every call, and gives a call that its
 *    interrupt stop made fail with EINTR a restart as soon as it holds the
 *    thread), so each goes on where it was, as though the call had never
 *    been; the calls that had ended stay done. The helper is a process group of its own
 *    (setpgid(), not setsid(): a session of its own would also be a
 *    scheduler autogroup of its own, and under load the helper then ran
 *    up to 100 times slower than its target's threads), so that a kill of
 *    the caller's process group (timeout(1), a shell's job control) does
 *    not reach it either. Exiting from the handler, not at the next step,
 *    also covers a caller that died with one of its threads holding a lock
 *    the helper would wait for (malloc's). The signal is sent when the
 *    thread that made the helper exits, and that thread is asleep in
 *    clone() until the helper is done, so only the caller's death sends
 *    it; a SIGUSR1 from anyone else is checked against getppid() and
 *    otherwise ignored;
 *  - the helper itself dies (SIGKILL from outside; every other signal is
 *    blocked, or handled as above), for instance with the caller by the
 *    OOM killer, which kills every process that shares the memory, or
 *    with the whole cgroup: the kernel detaches its tracees and those that
 *    were stopped resume (exit_ptrace()). A thread held between two steps
 *    goes on where it was; one killed in the middle of a call resumes
 *    inside it. The caller, if alive, gets -ECHILD and no report: what the
 *    helper built is left as it is, never freed (it may be half made), and
 *    a helper killed inside malloc() leaves that arena's lock taken, as a
 *    thread killed there would;
 *  - what the helper does not outlive: a kill of the whole cgroup
 *    (systemctl kill -s KILL, the last SIGKILL of a unit's stop); a
 *    caller that is PID 1 of a pid namespace (its end kills the
 *    namespace); before Linux 5.16, a core dump of the caller, which kills
 *    every process sharing its memory; and another thread of the caller
 *    calling execve(2): the helper then belongs to the new program's
 *    thread group, is not told, and finishes the whole call;
 *  - the target exits: as without the helper (entries GONE, or -ESRCH).
 *
 * Permission: the helper has the caller's credentials and capabilities,
 * but it is the caller's child, not the caller: under Yama's ptrace_scope
 * 1 a tracer must be an ancestor of its tracee (or have CAP_SYS_PTRACE),
 * and the helper is not an ancestor of the caller's own children. A caller
 * without CAP_SYS_PTRACE that may trace its children itself gets -EPERM
 * through the helper; one with CAP_SYS_PTRACE (root, slurmstepd) does not.
 * The target cannot be the caller itself (-EPERM, as ptrace says without
 * the helper): its threads share the helper's memory, and the one asleep
 * in clone() could never be stopped.
 *
 * Cost: a clone, an 8 MiB stack reserved (only what is touched is used)
 * and a few syscalls per call.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inject.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* As a thread's: run() reads whole /proc files through malloc, never onto the stack. */
#define HELPER_STACK (8u << 20)

struct helper {
	int (*fn)(void *arg);
	void *arg;
	pid_t parent;
	int r;
	bool done; /* set, last thing, by the helper once r is valid */
};

/*
 * The helper's state, in the thread-local storage it shares with the
 * thread that made it (asleep in clone() meanwhile): one per helper, even
 * when several threads of the caller run helpers at once.
 */
static __thread volatile sig_atomic_t helper_parent;   /* in a helper: the caller's pid; else 0 */
static __thread volatile sig_atomic_t helper_in_call;  /* a thread's registers point into a call */
static __thread volatile sig_atomic_t helper_orphaned; /* the caller died during that call */
static __thread volatile sig_atomic_t helper_seizing;  /* the call is a seizing: its waits are bounded */
static __thread int helper_seizes;			/* threads it seized (PTRACE_SEIZE worked) */

/*
 * The helper's exit, from the handler too: exit_group(2) itself, not
 * _exit(), which ASan wraps (it would look at the caller's stack bounds
 * from the helper's stack). The helper is a thread group of its own.
 */
static _Noreturn void helper_exit(void)
{
	for (;;)
		syscall(SYS_exit_group, 0);
}

static void on_parent_death(int sig)
{
	(void)sig;
	if (!helper_parent || getppid() == helper_parent)
		return; /* a SIGUSR1 from somebody else */
	if (!helper_in_call)
		helper_exit();
	helper_orphaned = 1;
	/* A thread that never stops must not keep the helper, and the threads it held. */
	if (helper_seizing)
		alarm(2);
}

static void on_alarm(int sig)
{
	(void)sig;
	if (helper_orphaned)
		helper_exit();
}

void nm_helper_call_begin(bool seizing)
{
	helper_seizing = seizing;
	helper_in_call = 1;
	/* the flag is set before anything of the call (the handler reads it) */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

void nm_helper_call_end(void)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	helper_in_call = 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (helper_orphaned || (helper_parent && getppid() != helper_parent))
		helper_exit();
}

void nm_helper_note_seize(void)
{
	helper_seizes++;
}

static int helper_main(void *p)
{
	struct helper *h = p;
	struct sigaction sa = { .sa_handler = on_parent_death, .sa_flags = SA_RESTART };
	struct sigaction alrm = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	sigset_t usr1;

	/*
	 * Outlive the caller, but no longer than the call in flight: its
	 * death sends SIGUSR1 (our own signal table: no CLONE_SIGHAND).
	 */
	helper_parent = h->parent;
	sigfillset(&sa.sa_mask);
	sigfillset(&alrm.sa_mask);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigaddset(&usr1, SIGALRM);
	if (sigaction(SIGUSR1, &sa, NULL) < 0 || sigaction(SIGALRM, &alrm, NULL) < 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) < 0)
		return 1;
	(void)setpgid(0, 0);
	if (sigprocmask(SIG_UNBLOCK, &usr1, NULL) < 0 || getppid() != h->parent)
		return 1; /* one that already died has left us to another parent */
	h->r = h->fn(h->arg);
	__atomic_store_n(&h->done, true, __ATOMIC_RELEASE);
	return 0;
}

/* Reaps helper @pid; ECHILD: a reaper of the caller's that passes __WALL took it first. */
static void reap(pid_t pid, int pidfd)
{
	siginfo_t si;
	int r;

	do {
		memset(&si, 0, sizeof(si));
		r = pidfd >= 0 ? waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | __WALL)
			       : waitid(P_PID, (id_t)pid, &si, WEXITED | __WALL);
	} while (r < 0 && errno == EINTR);
}

int nm_helper_run(pid_t target, int (*fn)(void *arg), void *arg, bool *ret_traced)
{
	struct helper h = { .fn = fn, .arg = arg, .parent = getpid() };
	long page = sysconf(_SC_PAGESIZE);
	sigset_t all, old;
	int pidfd = -1, r = 0;
	char *stack;
	pid_t pid;

	*ret_traced = false;
	if (target == h.parent)
		return -EPERM;
	stack = mmap(NULL, HELPER_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
	if (stack == MAP_FAILED)
		return -ENOMEM;
	/* A guard page: an overflow faults instead of writing into the caller's memory. */
	if (page > 0 && mprotect(stack, (size_t)page, PROT_NONE) < 0)
		r = -errno;

	helper_seizes = 0;
	/* The helper starts with every signal blocked: no handler of the caller runs on it. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (r == 0) {
		pid = clone(helper_main, stack + HELPER_STACK, CLONE_VM | CLONE_VFORK | CLONE_PIDFD, &h, &pidfd);
		if (pid < 0 && errno == EINVAL) {
			/* A kernel before 5.2: no pidfd, reaped by pid. */
			pidfd = -1;
			pid = clone(helper_main, stack + HELPER_STACK, CLONE_VM | CLONE_VFORK, &h);
		}
		if (pid < 0) {
			r = -errno;
		} else {
			reap(pid, pidfd);
			if (pidfd >= 0)
				close(pidfd);
		}
	}
	*ret_traced = helper_seizes > 0;
	/* What a helper killed in the middle of a call left in our thread's storage. */
	helper_seizes = 0;
	helper_seizing = 0;
	helper_parent = 0;
	helper_in_call = 0;
	helper_orphaned = 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
#ifdef __SANITIZE_ADDRESS__
	/*
	 * A helper killed in the middle of a call never ran its frames'
	 * epilogues: their redzones stay poisoned in the shadow, which the
	 * next helper's stack (often this same address) would trip on.
	 */
	ASAN_UNPOISON_MEMORY_REGION(stack, HELPER_STACK);
#endif
	munmap(stack, HELPER_STACK);
	if (r < 0)
		return r;
	/* Not done: killed before it finished. */
	return __atomic_load_n(&h.done, __ATOMIC_ACQUIRE) ? h.r : -ECHILD;
}
