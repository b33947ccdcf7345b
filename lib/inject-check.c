/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Before syscalls are run in a process (inject.c): whether they can be.
 * A thread that another tracer holds, or that is stopped, would never run
 * the call; seccomp strict mode, or a filter that kills or traps on
 * set_mempolicy(2), mbind(2) or get_mempolicy(2), would kill it; a compat
 * (32-bit) process has another syscall ABI, which the architecture's code
 * tells (nm_arch_task_compat()). Filters are read and run here
 * (seccomp.c) on the calls numamove would make, with the filtered threads
 * held for a moment. Permission is not checked: ptrace says -EPERM itself,
 * and numamove_ptrace_scope() helps explain why.
 */
#include <errno.h>
#include <string.h>

#include "arch/arch.h"
#include "inject.h"

/* Holds the threads @tids that run under seccomp filters and runs the filters. */
static enum numamove_inject_block check_filters(const struct numamove_task *task, const pid_t *tids, size_t n,
						pid_t *ret_tid)
{
	enum numamove_inject_block block = NUMAMOVE_INJECT_OK;
	struct nm_freeze *f = NULL;

	/* Not allowed to hold them: ptrace will say so when it matters. */
	if (n == 0 || nm_freeze_hold(task, tids, n, &f) < 0)
		return NUMAMOVE_INJECT_OK;
	for (size_t i = 0; i < nm_freeze_count(f) && block == NUMAMOVE_INJECT_OK; i++) {
		int r;

		if (nm_freeze_gone(f, i))
			continue;
		r = nm_seccomp_check(f, i);
		if (r < 0) {
			block = r == -EPERM ? NUMAMOVE_INJECT_SECCOMP : NUMAMOVE_INJECT_SECCOMP_UNKNOWN;
			if (ret_tid)
				*ret_tid = nm_freeze_tid(f, i);
		}
	}
	nm_freeze_release(f);
	return block;
}

NM_EXPORT int numamove_inject_check(const struct numamove_task *task, enum numamove_inject_block *ret_block,
				    pid_t *ret_tid)
{
	_cleanup_free_ pid_t *tids = NULL, *filtered = NULL;
	pid_t pid = numamove_task_pid(task);
	enum numamove_inject_block block = NUMAMOVE_INJECT_OK;
	size_t n = 0, n_filtered = 0;
	int r;

	r = numamove_task_threads(task, &tids, &n);
	if (r == 0) {
		filtered = calloc(n + 1, sizeof(pid_t));
		r = filtered ? 0 : -ENOMEM;
	}
	for (size_t i = 0; r == 0 && i < n && block == NUMAMOVE_INJECT_OK; i++) {
		_cleanup_free_ char *text = NULL;
		const char *p;

		if (nm_read_filef(NULL, &text, "/proc/%d/task/%d/status", (int)pid, (int)tids[i]) < 0)
			continue; /* exited */
		if ((p = nm_status_field(text, "\nTracerPid:")) && atoi(p) != 0)
			block = NUMAMOVE_INJECT_TRACED;
		else if ((p = nm_status_field(text, "\nState:")) && (*p == 'T' || *p == 't'))
			block = NUMAMOVE_INJECT_STOPPED;
		else if ((p = nm_status_field(text, "\nSeccomp:")) && atoi(p) == 1)
			block = NUMAMOVE_INJECT_SECCOMP; /* strict: anything but read, write, exit kills */
		else if (p && atoi(p) == 2)
			filtered[n_filtered++] = tids[i];
		if (block != NUMAMOVE_INJECT_OK && ret_tid)
			*ret_tid = tids[i];
	}
	if (r == 0 && block == NUMAMOVE_INJECT_OK && nm_arch_task_compat(pid)) {
		block = NUMAMOVE_INJECT_COMPAT;
		if (ret_tid)
			*ret_tid = pid;
	}
	if (r == 0 && block == NUMAMOVE_INJECT_OK)
		block = check_filters(task, filtered, n_filtered, ret_tid);
	if (r == 0)
		r = numamove_task_check(task);
	if (r < 0)
		return r;
	*ret_block = block;
	return 0;
}

NM_EXPORT int numamove_ptrace_scope(void)
{
	_cleanup_free_ char *text = NULL;
	int r, scope;

	r = nm_read_file(NULL, "/proc/sys/kernel/yama/ptrace_scope", &text, NULL);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	r = nm_parse_int(text, &scope);
	return r < 0 ? r : scope;
}
