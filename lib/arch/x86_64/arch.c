/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Syscall injection on x86-64: registers, the syscall ABI, and restarts. */
#include <elf.h>
#include <linux/audit.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "../arch.h"

const unsigned char nm_arch_syscall_insn[] = { 0x0f, 0x05 }; /* syscall */
const size_t nm_arch_syscall_insn_len = 2;
const size_t nm_arch_insn_align = 1; /* variable-length instructions */
const size_t nm_arch_red_zone = 128;
const uint32_t nm_arch_audit_arch = AUDIT_ARCH_X86_64;

/* The kernel's internal restart codes (include/linux/errno.h). */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

/* The code segment selector of 32-bit user code (__USER32_CS in arch/x86/include/asm/segment.h). */
#define USER32_CS 0x23
/* Set in the syscall number by x32 programs (__X32_SYSCALL_BIT). */
#define X32_SYSCALL_BIT 0x40000000L

int nm_arch_regs_get(pid_t tid, struct nm_regs *regs)
{
	struct iovec iov = { .iov_base = &regs->r, .iov_len = sizeof(regs->r) };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov) < 0)
		return -errno;
	/* A 32-bit thread gets the smaller 32-bit register set. */
	return iov.iov_len == sizeof(regs->r) ? 0 : -EOPNOTSUPP;
}

int nm_arch_regs_set(pid_t tid, const struct nm_regs *regs)
{
	struct iovec iov = { .iov_base = (void *)&regs->r, .iov_len = sizeof(regs->r) };

	return ptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &iov) < 0 ? -errno : 0;
}

int nm_arch_regs_check_abi(const struct nm_regs *regs)
{
	return regs->r.cs == USER32_CS ? -EOPNOTSUPP : 0;
}

uint64_t nm_arch_regs_sp(const struct nm_regs *regs)
{
	return regs->r.rsp;
}

void nm_arch_regs_syscall(struct nm_regs *regs, uint64_t insn, long nr, const uint64_t args[6])
{
	regs->r.rip = insn;
	regs->r.rax = (unsigned long)nr;
	/* Not inside a syscall: the kernel must not apply restart logic to these. */
	regs->r.orig_rax = (unsigned long)-1;
	regs->r.rdi = args[0];
	regs->r.rsi = args[1];
	regs->r.rdx = args[2];
	regs->r.r10 = args[3];
	regs->r.r8 = args[4];
	regs->r.r9 = args[5];
}

long nm_arch_regs_result(const struct nm_regs *regs)
{
	return (long)regs->r.rax;
}

bool nm_arch_regs_restart(struct nm_regs *regs, bool quiet)
{
	long nr = (long)regs->r.orig_rax;

	if (nr < 0) /* stopped in user code, not on the way out of a syscall */
		return false;
	switch ((long)regs->r.rax) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
		break;
	case -ERESTART_RESTARTBLOCK:
		/* What the kernel does: the rest of the wait is in the restart block. */
		regs->r.rax = SYS_restart_syscall;
		regs->r.rip -= nm_arch_syscall_insn_len;
		return true;
	case -EINTR:
		if (quiet && nm_arch_eintr_on_stop(nr & ~X32_SYSCALL_BIT))
			break;
		return false;
	default:
		return false;
	}
	regs->r.rax = regs->r.orig_rax;
	regs->r.rip -= nm_arch_syscall_insn_len;
	return true;
}

bool nm_arch_regs_restart_eintr(struct nm_regs *regs)
{
	long nr = (long)regs->r.orig_rax;

	if (nr < 0 || (long)regs->r.rax != -EINTR || !nm_arch_eintr_on_stop(nr & ~X32_SYSCALL_BIT))
		return false;
	regs->r.rax = regs->r.orig_rax;
	regs->r.rip -= nm_arch_syscall_insn_len;
	return true;
}

/* x86-64: the kernel restarts from what the tracer sees (rax, orig_rax), after the stop. */
int nm_arch_syscall_entry(pid_t tid, struct nm_regs *saved, long nr)
{
	return 0;
}

void nm_arch_regs_pending(struct nm_regs *regs)
{
}

/* x86-64: orig_rax and rax show the interrupted call at the stop. */
void nm_arch_thread_before_interrupt(pid_t tid, struct nm_regs *regs)
{
}

void nm_arch_thread_stopped(struct nm_regs *regs)
{
}
