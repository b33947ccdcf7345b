/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What syscall injection needs from an architecture: its registers, how a
 * syscall is set up in them, and how a thread stopped inside a blocking
 * syscall is made to restart it. One file per architecture implements it
 * (lib/arch/<cpu>/arch.c); lib/inject.c holds the generic steps.
 */
#ifndef NUMAMOVE_ARCH_H
#define NUMAMOVE_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "arch-regs.h" /* struct nm_regs, from the architecture's directory */

/* The bytes of the instruction that enters the kernel. */
extern const unsigned char nm_arch_syscall_insn[];
extern const size_t nm_arch_syscall_insn_len;
/* The alignment of any instruction: where a match of those bytes can be one (1: anywhere). */
extern const size_t nm_arch_insn_align;
/* AUDIT_ARCH_* of the native ABI, as seccomp filters see it. */
extern const uint32_t nm_arch_audit_arch;
/* Bytes below the stack pointer that the ABI lets a function use unannounced. */
extern const size_t nm_arch_red_zone;

/*
 * Compat (a 32-bit ABI beside the native one) is told here only, in two
 * views: of a process not held, by its program (nm_arch_task_compat()),
 * and of a held thread, by its registers (nm_arch_regs_get() and
 * nm_arch_regs_check_abi() return -EOPNOTSUPP). numamove runs syscalls in
 * native processes only: the first makes numamove_inject_check() say
 * NUMAMOVE_INJECT_COMPAT (and a policy call -EBUSY); the second, for a
 * thread that runs 32-bit code in a 64-bit program, fails the call with
 * -EOPNOTSUPP, which front ends read as the same refusal.
 */
bool nm_arch_task_compat(pid_t pid);
/* Whether native syscall @nr fails with EINTR when a stop wakes it (lib/arch/common.c). */
bool nm_arch_eintr_on_stop(long nr);

int nm_arch_regs_get(pid_t tid, struct nm_regs *regs);
int nm_arch_regs_set(pid_t tid, const struct nm_regs *regs);
/* 0 when the thread runs the native ABI, -EOPNOTSUPP for a compat one (32-bit). */
int nm_arch_regs_check_abi(const struct nm_regs *regs);
uint64_t nm_arch_regs_sp(const struct nm_regs *regs);
/* Registers that execute syscall @nr(@args) at @insn, based on @regs. */
void nm_arch_regs_syscall(struct nm_regs *regs, uint64_t insn, long nr, const uint64_t args[6]);
/* The return value once the injected syscall has run (negative errno). */
long nm_arch_regs_result(const struct nm_regs *regs);

/*
 * Makes @regs, saved while the thread was stopped, resume so that an
 * interrupted syscall restarts as if nothing had happened, wherever the
 * thread is let go. @quiet: no signal is pending for the thread, so a call
 * that the stop made fail with EINTR (epoll_wait, semop, ...) restarts too.
 * Returns true when @regs were changed.
 */
bool nm_arch_regs_restart(struct nm_regs *regs, bool quiet);
/*
 * Only the quiet part of nm_arch_regs_restart(): a call that a ptrace stop
 * made fail with EINTR (epoll_wait...) restarts. For a thread stopped in
 * get_signal() (an interrupt stop), whose -ERESTART* codes the kernel
 * still handles itself when it goes on, signals included.
 */
bool nm_arch_regs_restart_eintr(struct nm_regs *regs);

/*
 * Two steps for architectures whose kernel decides part of a restart
 * where a tracer cannot see it (arm64: do_signal() rewinds pc and x0
 * before the interrupt stop, and picks restart_syscall after it, from a
 * variable of its own). Nothing to do on x86-64, where the tracer sees
 * the whole state (rax, orig_rax) and the kernel acts on it afterwards.
 *
 * nm_arch_syscall_entry(): at the syscall-entry stop of an injected call
 * (number @nr): makes the kernel run @nr, and may note in @saved, the
 * thread's own registers, what the kernel's choice there tells about the
 * call the thread was stopped in.
 *
 * nm_arch_regs_pending(): @regs, the thread's own, are about to be let go
 * with a caught signal pending (the release, or a signal that arrives
 * before an injected call has run): makes the interrupted call end as the
 * kernel would have ended it, when the kernel itself no longer can.
 */
int nm_arch_syscall_entry(pid_t tid, struct nm_regs *saved, long nr);
/*
 * nm_arch_thread_before_interrupt(): @tid is seized, not yet interrupted;
 * reads into @regs (zeroed) what the interrupt stop will hide (arm64: the
 * first argument of a call that the stop ends with EINTR). The next
 * nm_arch_regs_get() of @regs uses it.
 */
void nm_arch_thread_before_interrupt(pid_t tid, struct nm_regs *regs);
/*
 * nm_arch_thread_stopped(): the thread of @regs stopped on its way to its
 * interrupt stop (for a signal, which the tracer lets through): one stop
 * more than the interrupt's since nm_arch_thread_before_interrupt().
 */
void nm_arch_thread_stopped(struct nm_regs *regs);
void nm_arch_regs_pending(struct nm_regs *regs);

#endif
