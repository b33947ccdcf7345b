/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Syscall injection on arm64 (AArch64): registers, the syscall ABI, and
 * restarts.
 *
 * The ABI: `svc #0`, the number in x8, arguments in x0-x5, the result in
 * x0. user_pt_regs (NT_PRSTATUS) is x0-x30, sp, pc, pstate: no orig_x0
 * and no syscall number; the kernel's syscall number of a stopped thread
 * is read and written through the NT_ARM_SYSTEM_CALL regset. At syscall
 * stops the kernel borrows x7 to tell entry from exit and puts it back
 * afterwards (arch/arm64/kernel/ptrace.c, report_syscall()), so a write to
 * x7 there is lost: nothing here changes x7, and the value read there is
 * not the thread's.
 *
 * The restarts differ from x86-64, where the kernel rewinds a call
 * interrupted with -ERESTART* after get_signal(), so a tracer in the
 * interrupt stop sees the code in rax and the number in orig_rax.
 * arm64's do_signal() (arch/arm64/kernel/signal.c) instead:
 *   1. before get_signal() (the interrupt stop that a tracer sees): forgets
 *      the syscall (syscallno = -1), and for -ERESTARTSYS, -ERESTARTNOHAND,
 *      -ERESTARTNOINTR and -ERESTART_RESTARTBLOCK already sets x0 back to
 *      orig_x0 and rewinds pc to the svc: the code is gone from the
 *      registers; for -EINTR, x0 is -EINTR and the first argument is lost
 *      from the registers too (it is kept in pt_regs->orig_x0 only);
 *   2. after get_signal() returns with no signal, when the tracer left pc
 *      at the rewound svc (regs->pc == restart_addr), sets x8 =
 *      __NR_restart_syscall for -ERESTART_RESTARTBLOCK (nanosleep,
 *      clock_nanosleep, futex waits with a timeout): the code it decides
 *      on is a local variable, acted on after the tracer resumes the
 *      thread.
 *
 * So, as lib/inject.c drives a thread (seize and interrupt, then per call:
 * registers set, PTRACE_SYSCALL to the entry stop and to the exit stop,
 * the thread's own registers back):
 *   - Let go from the stop it was seized in, with its own registers (no
 *     call ran, or the tracer died), the kernel finishes step 2 itself, as
 *     without us ("left_stop" false below).
 *   - A call resumes it from that stop, and step 2 is then lost unless
 *     pc is the rewound svc. So when the thread's pc is an svc #0, the
 *     call runs at that very instruction, not at the vDSO's: step 2 then
 *     does what it does, and at the call's syscall-entry stop
 *     (nm_arch_syscall_entry()) a number changed into restart_syscall
 *     tells that the call ended with -ERESTART_RESTARTBLOCK: the number
 *     is set back to the call's, and "restart_block" remembered, so that
 *     the thread is let go with x8 = restart_syscall and the rest of its
 *     wait runs, as the kernel would have done. A thread in user code
 *     about to run an svc is resumed there too, and runs its own svc.
 *   - A call that a stop ends with EINTR (epoll_pwait(), socket reads
 *     with a timeout...) is restarted, when no signal is pending, with
 *     its first argument, which no register holds any more (x0 is -EINTR;
 *     orig_x0 is in no regset, and /proc/TID/syscall prints x0 on 6.1).
 *     So it is read before the interrupt, while the thread sleeps in the
 *     call (/proc/TID/syscall: the number, x0-x5, sp, pc), and used only
 *     when the registers at the stop agree and the thread's count of
 *     voluntary context switches went up by exactly one (the stop itself)
 *     and one for each stop the tracer saw before it (a signal that woke
 *     it: the target's ignored SIGCHLD, which the kernel keeps for a
 *     traced thread, taken at a signal-delivery stop on its way out of
 *     the call): it slept in that very call until the interrupt or that
 *     signal woke it. It is read just before the interrupt, to leave the
 *     thread little time to leave the call (a timeout) and go back in.
 *     Otherwise the call keeps its EINTR, as it would for a signal. That
 *     is what remains: a thread whose call ended in that window and began
 *     again at the same place shows one switch too many, and the new
 *     call's first argument may be another (a loop over several sockets),
 *     so it is not guessed. Under emulation, with 50 ms epoll timeouts,
 *     about 1 in 100 interrupted waits (test-many-threads); every such
 *     EINTR seen there had that cause.
 *   - With a caught signal pending at the release, after a call has run,
 *     the kernel can no longer decide how the interrupted call ends:
 *     nm_arch_regs_pending() ends those that a handler always ends with
 *     EINTR (-ERESTART_RESTARTBLOCK; the -ERESTARTNOHAND calls, told by
 *     their number) with EINTR, and restarts the others after the handler
 *     (right for SA_RESTART; for a handler without SA_RESTART the call
 *     goes on as if the signal had come just before it).
 */
#include <elf.h>
#include <linux/audit.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../arch.h"

const unsigned char nm_arch_syscall_insn[] = { 0x01, 0x00, 0x00, 0xd4 }; /* svc #0 */
const size_t nm_arch_syscall_insn_len = 4;
const size_t nm_arch_insn_align = 4; /* A64 instructions are 4 bytes, 4-aligned */
/*
 * The AAPCS64 has no red zone: nothing below sp belongs to the code
 * that runs. A margin all the same, for hand-written code that dips
 * below sp between two instructions.
 */
const size_t nm_arch_red_zone = 128;
const uint32_t nm_arch_audit_arch = AUDIT_ARCH_AARCH64;

#ifndef NT_ARM_SYSTEM_CALL
#define NT_ARM_SYSTEM_CALL 0x404
#endif
/* pstate: the thread runs AArch32 code (arch/arm64/include/uapi/asm/ptrace.h). */
#define PSR_MODE32_BIT 0x10

/* The kernel's internal restart codes (include/linux/errno.h). */
#define ERESTART_RESTARTBLOCK 516

#define SVC0 0xd4000001u

static int syscallno_get(pid_t tid, int32_t *nr)
{
	struct iovec iov = { .iov_base = nr, .iov_len = sizeof(*nr) };

	return ptrace(PTRACE_GETREGSET, tid, (void *)NT_ARM_SYSTEM_CALL, &iov) < 0 ? -errno : 0;
}

static int syscallno_set(pid_t tid, int32_t nr)
{
	struct iovec iov = { .iov_base = &nr, .iov_len = sizeof(nr) };

	return ptrace(PTRACE_SETREGSET, tid, (void *)NT_ARM_SYSTEM_CALL, &iov) < 0 ? -errno : 0;
}

/* Whether the A64 instruction at @addr in stopped thread @tid is svc #0. */
static bool insn_is_svc(pid_t tid, uint64_t addr)
{
	long word;

	if (addr & 3)
		return false;
	/* An aligned word: never across the end of a mapping. Little-endian. */
	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, tid, (void *)(addr & ~(uint64_t)7), NULL);
	if (errno)
		return false;
	return (uint32_t)((unsigned long)word >> ((addr & 4) * 8)) == SVC0;
}

/*
 * Calls that return -ERESTARTNOHAND (a handler always ends them with
 * EINTR) or -ERESTART_RESTARTBLOCK (likewise, once a handler ran).
 */
static bool eintr_on_handler(uint64_t nr)
{
	switch (nr) {
	case SYS_rt_sigsuspend:
	case SYS_ppoll:
	case SYS_pselect6:
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
	case SYS_msgrcv:
	case SYS_msgsnd:
		return true;
	default:
		return false;
	}
}

/* Parses "NR ARG0 ... ARG5 SP PC" of /proc/TID/syscall. */
static int parse_syscall_line(const char *text, int64_t *nr, uint64_t v[8])
{
	long long n;
	unsigned long long a[8];

	if (sscanf(text, "%lld %llx %llx %llx %llx %llx %llx %llx %llx", &n,
		   &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &a[6], &a[7]) != 9)
		return -ENODATA;
	*nr = n;
	for (int i = 0; i < 8; i++)
		v[i] = a[i];
	return 0;
}

/* Reads /proc/@tid/@name into @buf (on the stack: threads may be held); its length, or -1. */
static ssize_t read_proc(pid_t tid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n, got = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)tid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)got < size - 1 && (n = read(fd, buf + got, size - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	if ((size_t)got >= size - 1)
		return -1; /* did not fit: unknown */
	buf[got] = '\0';
	return got;
}

/* The thread's voluntary context switches (/proc/TID/status). */
static int read_nvcsw(pid_t tid, uint64_t *ret)
{
	char text[16384];
	const char *p;

	if (read_proc(tid, "status", text, sizeof(text)) < 0 || !(p = strstr(text, "\nvoluntary_ctxt_switches:")))
		return -ENODATA;
	*ret = strtoull(p + 26, NULL, 10);
	return 0;
}

void nm_arch_thread_before_interrupt(pid_t tid, struct nm_regs *regs)
{
	char text[256];

	regs->pre_known = false;
	regs->pre_stops = 0;
	/* The count first: a sleep begun after it is seen in the count at the stop. */
	if (read_nvcsw(tid, &regs->pre_nvcsw) < 0 || read_proc(tid, "syscall", text, sizeof(text)) < 0 ||
	    parse_syscall_line(text, &regs->pre_nr, regs->pre_args) < 0 ||
	    regs->pre_nr < 0 || !nm_arch_eintr_on_stop(regs->pre_nr))
		return;
	regs->pre_known = true;
}

void nm_arch_thread_stopped(struct nm_regs *regs)
{
	regs->pre_stops++;
}

/*
 * The first argument of the call that a stop ended with EINTR, from what
 * was read before the interrupt: the same call (number, x1-x5, sp, pc),
 * slept in until the interrupt: one voluntary switch since (the stop), and
 * one for each stop the tracer saw before it (for a signal that woke it).
 */
static int eintr_arg0(pid_t tid, const struct nm_regs *regs, uint64_t *ret)
{
	uint64_t nvcsw;

	if (!regs->pre_known || (uint64_t)regs->pre_nr != regs->r.regs[8] ||
	    regs->pre_args[6] != regs->r.sp || regs->pre_args[7] != regs->r.pc)
		return -ENODATA;
	for (int i = 1; i < 6; i++)
		if (regs->pre_args[i] != regs->r.regs[i])
			return -ENODATA;
	if (read_nvcsw(tid, &nvcsw) < 0 || nvcsw != regs->pre_nvcsw + 1 + regs->pre_stops)
		return -ENODATA;
	*ret = regs->pre_args[0];
	return 0;
}

int nm_arch_regs_get(pid_t tid, struct nm_regs *regs)
{
	struct iovec iov = { .iov_base = &regs->r, .iov_len = sizeof(regs->r) };
	int r;

	if (ptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &iov) < 0)
		return -errno;
	/* An AArch32 thread gets the smaller 32-bit register set. */
	if (iov.iov_len != sizeof(regs->r))
		return -EOPNOTSUPP;
	r = syscallno_get(tid, &regs->syscallno);
	if (r < 0)
		return r;
	regs->svc_at_pc = false;
	regs->left_stop = false;
	regs->restart_block = false;
	regs->eintr_arg0_known = false;
	regs->eintr_arg0 = 0;
	/* At a syscall stop (an injected call's exit): nothing more to learn. */
	if (regs->syscallno != -1)
		return 0;
	regs->svc_at_pc = insn_is_svc(tid, regs->r.pc);
	if (regs->r.regs[0] == (uint64_t)-EINTR && nm_arch_eintr_on_stop((long)regs->r.regs[8]) &&
	    insn_is_svc(tid, regs->r.pc - 4))
		regs->eintr_arg0_known = eintr_arg0(tid, regs, &regs->eintr_arg0) == 0;
	/* Good for the first stop only: the thread runs between later ones. */
	regs->pre_known = false;
	return 0;
}

int nm_arch_regs_set(pid_t tid, const struct nm_regs *regs)
{
	struct iovec iov = { .iov_base = (void *)&regs->r, .iov_len = sizeof(regs->r) };

	if (ptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &iov) < 0)
		return -errno;
	/*
	 * -1 but for the entry hook's writes: at an injected call's exit
	 * stop, the kernel must not take the registers put back for the
	 * return of a syscall it could restart (as orig_rax = -1 on x86-64).
	 */
	return syscallno_set(tid, regs->syscallno);
}

int nm_arch_regs_check_abi(const struct nm_regs *regs)
{
	return regs->r.pstate & PSR_MODE32_BIT ? -EOPNOTSUPP : 0;
}

uint64_t nm_arch_regs_sp(const struct nm_regs *regs)
{
	return regs->r.sp;
}

void nm_arch_regs_syscall(struct nm_regs *regs, uint64_t insn, long nr, const uint64_t args[6])
{
	/* At the thread's own svc when pc is one: see the top of this file. */
	if (!regs->svc_at_pc)
		regs->r.pc = insn;
	regs->r.regs[8] = (unsigned long)nr;
	for (int i = 0; i < 6; i++)
		regs->r.regs[i] = args[i];
	/* x7 is the kernel's at syscall stops: left as it is. */
	regs->syscallno = -1;
}

int nm_arch_syscall_entry(pid_t tid, struct nm_regs *saved, long nr)
{
	int32_t now;
	int r;

	r = syscallno_get(tid, &now);
	if (r < 0)
		return r;
	if (!saved->left_stop) {
		/* The first call since the stop: do_signal()'s step 2 ran just now. */
		saved->left_stop = true;
		saved->restart_block = saved->svc_at_pc && now == __NR_restart_syscall &&
				       nr != __NR_restart_syscall;
	}
	return now == nr ? 0 : syscallno_set(tid, (int32_t)nr);
}

long nm_arch_regs_result(const struct nm_regs *regs)
{
	return (long)regs->r.regs[0];
}

static bool restart_eintr(struct nm_regs *regs)
{
	if (!regs->eintr_arg0_known)
		return false;
	regs->r.regs[0] = regs->eintr_arg0;
	regs->r.pc -= nm_arch_syscall_insn_len;
	regs->eintr_arg0_known = false;
	return true;
}

bool nm_arch_regs_restart(struct nm_regs *regs, bool quiet)
{
	regs->syscallno = -1;
	/*
	 * -ERESTART*: pc is at the svc and x0 is orig_x0 already. Let go
	 * from the stop it was seized in, the kernel sets x8 itself.
	 */
	if (regs->left_stop && regs->restart_block) {
		regs->r.regs[8] = __NR_restart_syscall;
		return true;
	}
	return quiet && restart_eintr(regs);
}

bool nm_arch_regs_restart_eintr(struct nm_regs *regs)
{
	return restart_eintr(regs);
}

void nm_arch_regs_pending(struct nm_regs *regs)
{
	regs->syscallno = -1;
	/* Let go from the stop it was seized in: the kernel decides, as without us. */
	if (!regs->left_stop || !regs->svc_at_pc)
		return;
	if (regs->restart_block || eintr_on_handler(regs->r.regs[8])) {
		regs->r.regs[0] = (uint64_t)-EINTR;
		regs->r.pc += nm_arch_syscall_insn_len;
	}
}
