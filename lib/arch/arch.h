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

#endif
