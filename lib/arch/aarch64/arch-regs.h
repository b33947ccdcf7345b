/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAMOVE_ARCH_REGS_H
#define NUMAMOVE_ARCH_REGS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/user.h>

/*
 * A held arm64 thread: its registers (NT_PRSTATUS: x0-x30, sp, pc,
 * pstate), the kernel's syscall number (NT_ARM_SYSTEM_CALL; user_pt_regs
 * has no orig_x0 and no syscall number), and what lib/arch/aarch64/arch.c
 * learns about the syscall the thread was stopped in, which arm64 hides
 * from a tracer at an interrupt stop (see the comment at the top there).
 */
struct nm_regs {
	struct user_regs_struct r;
	int32_t syscallno;      /* -1: none (user code, or forgotten by do_signal()) */
	bool svc_at_pc;         /* the instruction at pc is svc #0 */
	bool left_stop;         /* an injected call resumed it from the stop where it was seized */
	bool restart_block;     /* its call ended with -ERESTART_RESTARTBLOCK (learnt at that call's entry) */
	bool eintr_arg0_known;  /* eintr_arg0 holds the first argument of a call that ended with EINTR */
	uint64_t eintr_arg0;
	/*
	 * Read before the interrupt (nm_arch_thread_before_interrupt()): the
	 * call it slept in, from /proc/TID/syscall (nr, x0-x5, sp, pc), and
	 * its count of voluntary context switches then, and the stops it
	 * made since other than the interrupt's (nm_arch_thread_stopped()).
	 */
	bool pre_known;
	int64_t pre_nr;
	uint64_t pre_args[8];
	uint64_t pre_nvcsw;
	unsigned int pre_stops;
};

#endif
