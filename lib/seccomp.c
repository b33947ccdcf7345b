/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Would seccomp let a thread make the calls numamove runs in it?
 *
 * A thread under a seccomp filter may be killed (or sent SIGSYS) for a
 * set_mempolicy(2) it never meant to make. Rather than refuse every such
 * thread (every container, many services), numamove reads its filters
 * (PTRACE_SECCOMP_GET_FILTER: the thread held, numamove with CAP_SYS_ADMIN)
 * and runs them as the kernel would, on the calls it would inject: if any
 * filter kills, traps or hands the call to a supervisor, the thread is
 * left alone, and so it is when a filter looks at the calls' arguments
 * (numamove cannot know them all beforehand). An error result (SECCOMP_RET_ERRNO) is fine: the call just
 * fails, and numamove reports it.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include "arch/arch.h"
#include "inject.h"

#ifndef PTRACE_SECCOMP_GET_FILTER
#define PTRACE_SECCOMP_GET_FILTER 0x420c
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_ACTION_FULL
#define SECCOMP_RET_ACTION_FULL 0xffff0000U
#endif

#define MAX_FILTER_INSNS 4096 /* BPF_MAXINSNS */

/* A 32-bit word of the seccomp_data at byte @k, as BPF_LD|BPF_W|BPF_ABS reads it. */
static bool load_word(const struct seccomp_data *d, uint32_t k, uint32_t *ret)
{
	if (k % 4 || k > sizeof(*d) - 4)
		return false;
	memcpy(ret, (const char *)d + k, 4);
	return true;
}

/* One ALU step; false for an unknown op. *div0: a division by zero, which ends the program with 0. */
static bool alu(uint16_t op, uint32_t *a, uint32_t v, bool *div0)
{
	switch (op) {
	case BPF_ADD: *a += v; break;
	case BPF_SUB: *a -= v; break;
	case BPF_MUL: *a *= v; break;
	case BPF_DIV:
	case BPF_MOD:
		if (!v) {
			*div0 = true;
			break;
		}
		*a = op == BPF_DIV ? *a / v : *a % v;
		break;
	case BPF_OR: *a |= v; break;
	case BPF_AND: *a &= v; break;
	case BPF_XOR: *a ^= v; break;
	/* As the kernel's translation runs them: the count taken modulo 32. */
	case BPF_LSH: *a <<= v & 31; break;
	case BPF_RSH: *a >>= v & 31; break;
	case BPF_NEG: *a = -*a; break;
	default: return false;
	}
	return true;
}

/*
 * Runs a classic BPF program as seccomp does. Returns true with its
 * SECCOMP_RET_* value, false for a program seccomp would not have taken.
 * *args_read: the run looked at the call's arguments, which numamove's real
 * calls have and @d has not (they are zero there).
 */
bool nm_seccomp_run(const struct sock_filter *prog, size_t n, const struct seccomp_data *d, uint32_t *ret,
		    bool *args_read)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	*args_read = false;
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *in = &prog[pc];
		uint32_t k = in->k, v = BPF_SRC(in->code) == BPF_X ? x : k;
		bool taken, div0 = false;

		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (!load_word(d, k, &a))
				return false;
			if (k >= offsetof(struct seccomp_data, args))
				*args_read = true;
			continue;
		case BPF_LD | BPF_W | BPF_LEN: a = sizeof(*d); continue;
		case BPF_LDX | BPF_W | BPF_LEN: x = sizeof(*d); continue;
		case BPF_LD | BPF_IMM: a = k; continue;
		case BPF_LDX | BPF_IMM: x = k; continue;
		case BPF_MISC | BPF_TAX: x = a; continue;
		case BPF_MISC | BPF_TXA: a = x; continue;
		case BPF_RET | BPF_K: *ret = k; return true;
		case BPF_RET | BPF_A: *ret = a; return true;
		case BPF_JMP | BPF_JA: pc += k; continue;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				return false;
			if (in->code == (BPF_LD | BPF_MEM))
				a = mem[k];
			else if (in->code == (BPF_LDX | BPF_MEM))
				x = mem[k];
			else
				mem[k] = in->code == BPF_ST ? a : x;
			continue;
		default:
			break;
		}
		if (BPF_CLASS(in->code) == BPF_ALU) {
			if (!alu(BPF_OP(in->code), &a, v, &div0))
				return false;
			if (div0) {
				*ret = 0; /* SECCOMP_RET_KILL_THREAD */
				return true;
			}
			continue;
		}
		if (BPF_CLASS(in->code) != BPF_JMP)
			return false;
		switch (BPF_OP(in->code)) {
		case BPF_JEQ: taken = a == v; break;
		case BPF_JGT: taken = a > v; break;
		case BPF_JGE: taken = a >= v; break;
		case BPF_JSET: taken = (a & v) != 0; break;
		default: return false;
		}
		pc += taken ? in->jt : in->jf;
	}
	return false; /* ran off the end */
}

/* Whether the action lets numamove's call run or fail harmlessly. */
static bool harmless(uint32_t action)
{
	switch (action & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ERRNO:
	case SECCOMP_RET_TRACE: /* no tracer asked for it: the call fails with ENOSYS */
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		return true;
	default: /* kill, trap (SIGSYS), a user-space supervisor */
		return false;
	}
}

int nm_seccomp_check(struct nm_freeze *f, size_t i)
{
	static const long calls[] = { SYS_set_mempolicy, SYS_mbind, SYS_get_mempolicy };
	struct sock_filter *prog = NULL;
	uint32_t worst[ARRAY_SIZE(calls)];
	pid_t tid = nm_freeze_tid(f, i);
	int r = 0;

	for (size_t c = 0; c < ARRAY_SIZE(calls); c++)
		worst[c] = SECCOMP_RET_ALLOW;
	for (long index = 0;; index++) {
		long n = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)index, NULL);

		if (n < 0) {
			/* ENOENT: past the last filter. Anything else: we cannot know. */
			r = errno == ENOENT && index > 0 ? 0 : -EACCES;
			break;
		}
		if (n == 0 || n > MAX_FILTER_INSNS) {
			r = -EACCES;
			break;
		}
		free(prog);
		prog = calloc((size_t)n, sizeof(*prog));
		if (!prog) {
			r = -ENOMEM;
			break;
		}
		if (ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)index, prog) != n) {
			r = -EACCES;
			break;
		}
		for (size_t c = 0; c < ARRAY_SIZE(calls); c++) {
			struct seccomp_data d = {
				.nr = (int)calls[c],
				.arch = nm_arch_audit_arch,
				.instruction_pointer = nm_freeze_insn(f),
			};
			uint32_t action;
			bool args_read;

			/* A filter that looks at the arguments may decide otherwise on the real ones. */
			if (!nm_seccomp_run(prog, (size_t)n, &d, &action, &args_read) || args_read) {
				r = -EACCES;
				break;
			}
			/* The kernel takes the most restrictive action of all filters. */
			if ((int32_t)(action & SECCOMP_RET_ACTION_FULL) < (int32_t)(worst[c] & SECCOMP_RET_ACTION_FULL))
				worst[c] = action;
		}
		if (r < 0)
			break;
	}
	free(prog);
	if (r < 0)
		return r;
	for (size_t c = 0; c < ARRAY_SIZE(calls); c++)
		if (!harmless(worst[c]))
			return -EPERM;
	return 0;
}
