/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Holding a process's threads with ptrace and running syscalls in them. */
#ifndef NUMAMOVE_INJECT_H
#define NUMAMOVE_INJECT_H

#include "internal.h"

struct nm_freeze;

/*
 * Stops the threads @tids of @task (all of them, including any started
 * meanwhile, when @tids is NULL; in a parent, the others too, see
 * nm_target_is_parent()) and keeps them stopped until
 * nm_freeze_release(), which always lets every one go with its registers
 * as they were (an interrupted blocking syscall restarts). The caller's
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT and stop signals are blocked meanwhile.
 * Errors: -EPERM (ptrace not allowed), -ESRCH (exited), -EOPNOTSUPP (a
 * 32-bit process), -ENOEXEC (no syscall instruction found).
 */
int nm_freeze_hold(const struct numamove_task *task, const pid_t *tids, size_t n_tids,
		   struct nm_freeze **ret);

/*
 * Whether the target has, or had, children (@tids: the threads whose
 * children files are looked at). A child's end sends its parent thread
 * SIGCHLD, which the kernel drops when the target ignores it, but keeps
 * when that thread is traced: it then wakes another thread of the target
 * when that one is stopped, and one asleep in epoll_wait(2) and not held
 * returns EINTR. So in a parent, every thread is held whenever one is:
 * nm_freeze_hold() of some threads holds the others too (they are not
 * counted in nm_freeze_count()). A thread may fork between a look at its
 * children and its seize, so the children ever waited for (cminflt,
 * cmajflt of /proc/PID/stat) count too, and so does a live thread without
 * a children file (a kernel without CONFIG_PROC_CHILDREN). A target that
 * sets SIGCHLD to SIG_IGN gets no SIGCHLD at all; one whose children are
 * never waited for (SA_NOCLDWAIT with the default action) is not seen.
 */
bool nm_target_is_parent(pid_t pid, const pid_t *tids, size_t n);

/* Whether @tid is one of @tids[0..n). */
bool nm_tid_in(const pid_t *tids, size_t n, pid_t tid);
void nm_freeze_release(struct nm_freeze *f);

size_t nm_freeze_count(const struct nm_freeze *f);
pid_t nm_freeze_tid(const struct nm_freeze *f, size_t i);
bool nm_freeze_gone(const struct nm_freeze *f, size_t i);

/*
 * Runs syscall @nr(@args) in held thread @i; *ret gets its return value.
 * -EAGAIN: a signal was delivered to the thread first, on its stack:
 * memory arguments (nm_freeze_scratch()) must be written again.
 */
int nm_freeze_call(struct nm_freeze *f, size_t i, long nr, const uint64_t args[6], long *ret);
/* @size bytes of thread @i's stack, below its red zone, free to use during a call. */
uint64_t nm_freeze_scratch(const struct nm_freeze *f, size_t i, size_t size);
int nm_freeze_write(struct nm_freeze *f, uint64_t addr, const void *buf, size_t len);
int nm_freeze_read(struct nm_freeze *f, uint64_t addr, void *buf, size_t len);

/* The address of the syscall instruction the calls go through. */
uint64_t nm_freeze_insn(const struct nm_freeze *f);

/*
 * Whether held thread @i's seccomp filters let set_mempolicy, mbind and
 * get_mempolicy run (or fail with an error): 0 yes, -EPERM a filter would
 * kill or trap it, -EACCES the filters cannot be read or understood.
 */
int nm_seccomp_check(struct nm_freeze *f, size_t i);
struct sock_filter;
struct seccomp_data;
bool nm_seccomp_run(const struct sock_filter *prog, size_t n, const struct seccomp_data *d, uint32_t *ret,
		    bool *args_read);

/* Whether a signal with a handler is pending and not blocked for thread @tid of @pid. */
bool nm_thread_signal_pending(pid_t pid, pid_t tid);
/* Whether thread @tid of @pid has exited (a zombie, or gone). */
bool nm_thread_exited(pid_t pid, pid_t tid);

/*
 * Runs @fn(@arg) in a helper process that shares the caller's memory
 * (inject-helper.c) and returns what it returned: ptrace stops of the
 * threads it holds never reach the caller's wait(). -EPERM when @target
 * is the caller itself; -ECHILD when the helper was killed before it
 * finished (anything @fn was building is then left alone, not freed).
 * *@ret_traced: whether the helper tried to seize any thread (when not,
 * nothing of the target was touched, whatever the result).
 */
int nm_helper_run(pid_t target, int (*fn)(void *arg), void *arg, bool *ret_traced);

/*
 * Around each injected call, and around the seizing of threads (inject.c):
 * in a helper whose caller died, the helper exits at the end, not in the
 * middle; while @seizing (waits for stops that may never come), 2 s after
 * the caller's death at the latest. Outside a helper, nothing.
 */
void nm_helper_call_begin(bool seizing);
void nm_helper_call_end(void);
/* Counts a seize (inject.c), for nm_helper_run()'s *ret_traced. */
void nm_helper_note_seize(void);

/*
 * For the tests: when set, called by the policy calls while the target's
 * threads are held (in the helper, with NUMAMOVE_POLICY_SET_F_HELPER).
 */
extern void (*nm_inject_test_hook)(void);

#endif
