/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Policies: text form both ways, the kernel's form both ways, remapping by
 * a plan; the register fix-up that makes an interrupted syscall restart;
 * the seccomp filter runner.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include "test-helpers.h"
#include "arch/arch.h"
#include "inject.h"

static struct numamove_policy *parse_ok(const char *text, const struct numamove_topology *topo)
{
	struct numamove_policy *p = NULL;
	int r = numamove_policy_parse(text, topo, &p, NULL);

	if (r < 0)
		fail_msg("numamove_policy_parse(\"%s\"): %s", text, strerror(-r));
	return p;
}

/* @text parses and formats back as @want. */
static void roundtrip(const char *text, const struct numamove_topology *topo, const char *want)
{
	struct numamove_policy *p = parse_ok(text, topo);
	char buf[256];

	assert_int_equal(numamove_policy_format(p, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
	numamove_policy_free(p);
}

static void test_parse_format(void **state)
{
	struct fixture *f = *state;

	roundtrip("default", f->vm4, "default");
	roundtrip("local", f->vm4, "local");
	roundtrip("bind:3,1", f->vm4, "bind:1,3");
	roundtrip("bind:0-3", f->vm4, "bind:0-3");
	roundtrip("bind:all", f->vm4, "bind:0-3");
	roundtrip("interleave:!1", f->vm4, "interleave:0,2-3");
	roundtrip("preferred:2", f->vm4, "preferred:2");
	roundtrip("preferred-many:2-3", f->vm4, "preferred-many:2-3");
	roundtrip("weighted-interleave:0,2", f->vm4, "weighted-interleave:0,2");
	roundtrip("bind=static:1", f->vm4, "bind=static:1");
	roundtrip("bind=static|balancing:1", f->vm4, "bind=static|balancing:1");
	/* Relative nodes are positions: any number goes. */
	roundtrip("interleave=relative:0-7", f->vm4, "interleave=relative:0-7");
	/* numa_maps's own spellings, without a topology. */
	roundtrip("prefer:1", NULL, "preferred:1");
	roundtrip("prefer (many):0-1", NULL, "preferred-many:0-1");
	roundtrip("weighted interleave:0-3", NULL, "weighted-interleave:0-3");
	roundtrip("interleave=static:0-1", NULL, "interleave=static:0-1");
	roundtrip("bind:17", NULL, "bind:17");
}

static void parse_err(const char *text, const struct numamove_topology *topo, int want)
{
	struct numamove_policy *p = (struct numamove_policy *)(uintptr_t)0x1;

	assert_int_equal(numamove_policy_parse(text, topo, &p, NULL), want);
	assert_ptr_equal(p, (struct numamove_policy *)(uintptr_t)0x1);
}

static void test_parse_errors(void **state)
{
	struct fixture *f = *state;
	struct numamove_policy *p = NULL;
	int bad = -1;

	parse_err("", f->vm4, -EINVAL);
	parse_err("bind", f->vm4, -EINVAL);          /* needs nodes */
	parse_err("bind:", f->vm4, -EINVAL);
	parse_err("local:1", f->vm4, -EINVAL);       /* takes none */
	parse_err("default=static", f->vm4, -EINVAL);
	parse_err("preferred:0-1", f->vm4, -EINVAL); /* one node */
	parse_err("bind=", f->vm4, -EINVAL);
	parse_err("bind=bogus:1", f->vm4, -EINVAL);
	parse_err("bind=static|:1", f->vm4, -EINVAL);
	parse_err("bind=static|relative:1", f->vm4, -EINVAL);
	parse_err("interleave=balancing:1", f->vm4, -EINVAL); /* bind only */
	parse_err("binding:1", f->vm4, -EINVAL);
	parse_err("bind:1-", f->vm4, -EINVAL);
	parse_err("interleave:!0-3", f->vm4, -ENOENT);
	assert_int_equal(numamove_policy_parse("bind:0,9", f->vm4, &p, &bad), -ENODEV);
	assert_int_equal(bad, 9);
	assert_null(p);
}

static void test_new_equal(void **state)
{
	struct numamove_policy *a = NULL, *b = NULL, *c = NULL;
	struct numamove_nodelist *nodes = LIST(2, 0);

	(void)state;
	assert_int_equal(numamove_policy_new(NUMAMOVE_POLICY_MODE_BIND, 0, nodes, &a), 0);
	assert_list(numamove_policy_nodes(a), 0, 2);
	assert_int_equal(numamove_policy_mode(a), NUMAMOVE_POLICY_MODE_BIND);
	assert_int_equal(numamove_policy_flags(a), 0);
	b = parse_ok("bind:0,2", NULL);
	c = parse_ok("bind=static:0,2", NULL);
	assert_true(numamove_policy_equal(a, b));
	assert_false(numamove_policy_equal(a, c));
	assert_int_equal(numamove_policy_new(NUMAMOVE_POLICY_MODE_LOCAL, 0, nodes, &c), -EINVAL);
	assert_int_equal(numamove_policy_new(NUMAMOVE_POLICY_MODE_COUNT, 0, NULL, &c), -EINVAL);
	assert_string_equal(numamove_policy_mode_name(NUMAMOVE_POLICY_MODE_PREFERRED_MANY), "preferred-many");
	assert_null(numamove_policy_mode_name(NUMAMOVE_POLICY_MODE_COUNT));
	numamove_policy_free(a);
	numamove_policy_free(b);
	numamove_policy_free(c);
	numamove_nodelist_free(nodes);
}

/* The policy @text becomes @want under a move --from @from --to @to. */
static void remap(const struct fixture *f, struct numamove_nodelist *from, struct numamove_nodelist *to,
		  const char *text, const char *want)
{
	struct numamove_plan *plan = NULL;
	struct numamove_policy *p = parse_ok(text, NULL), *q = NULL;
	char buf[256];

	assert_int_equal(numamove_plan_new(f->maps, from, to, f->vm4, &plan), 0);
	assert_int_equal(numamove_policy_remap(p, plan, &q), 0);
	numamove_policy_format(q, buf, sizeof(buf));
	assert_string_equal(buf, want);
	numamove_policy_free(p);
	numamove_policy_free(q);
	numamove_plan_free(plan);
	numamove_nodelist_free(from);
	numamove_nodelist_free(to);
}

static void test_remap(void **state)
{
	struct fixture *f = *state;

	remap(f, LIST(0), LIST(2), "bind:0", "bind:2");
	remap(f, LIST(0, 1), LIST(2, 3), "bind:0-1", "bind:2-3");
	remap(f, LIST(0, 1), LIST(3, 2), "interleave:0-1", "interleave:2-3");
	remap(f, LIST(0, 1), LIST(2, 3), "interleave:0-3", "interleave:2-3"); /* 2, 3 stay: a set */
	remap(f, LIST(0, 1), LIST(2), "preferred-many:0-1", "preferred-many:2");
	remap(f, LIST(0), LIST(2), "preferred:1", "preferred:1");             /* not a source */
	remap(f, LIST(0), LIST(2), "bind=static:0", "bind=static:2");
	remap(f, LIST(0), LIST(2), "bind=relative:0", "bind=relative:0");     /* positions stay */
	remap(f, LIST(0), LIST(2), "default", "default");
	remap(f, LIST(0), LIST(2), "local", "local");
	remap(f, LIST(0, 2), LIST(2, 0), "bind:0", "bind:2");                 /* a swap */
}

static void test_kernel_form(void **state)
{
	unsigned long mask[NM_MASK_BITS / (8 * sizeof(long))];
	struct numamove_policy *p, *q = NULL;
	int mode;

	(void)state;
	p = parse_ok("interleave=static:1,3,65", NULL);
	assert_int_equal(nm_policy_to_kernel(p, &mode, mask, NM_MASK_BITS), 0);
	assert_int_equal(mode, 3 | NM_MPOL_F_STATIC_NODES);
	assert_int_equal(mask[0], (1UL << 1) | (1UL << 3));
	assert_int_equal(mask[1], 1UL << 1);
	assert_int_equal(nm_policy_from_kernel(mode, mask, NM_MASK_BITS, &q), 0);
	assert_true(numamove_policy_equal(p, q));
	numamove_policy_free(p);
	numamove_policy_free(q);

	p = parse_ok("bind=balancing:0", NULL);
	assert_int_equal(nm_policy_to_kernel(p, &mode, mask, NM_MASK_BITS), 0);
	assert_int_equal(mode, 2 | NM_MPOL_F_NUMA_BALANCING);
	numamove_policy_free(p);

	/* A mask bit beyond the mask's size cannot be passed. */
	p = parse_ok("bind:1000", NULL);
	assert_int_equal(nm_policy_to_kernel(p, &mode, mask, 512), -ERANGE);
	numamove_policy_free(p);
	/* The highest node any kernel can have is the mask's last bit; no higher one is parsed. */
	p = parse_ok("bind:1023", NULL);
	assert_int_equal(nm_policy_to_kernel(p, &mode, mask, NM_MASK_BITS), 0);
	numamove_policy_free(p);
	parse_err("bind:1024", NULL, -ERANGE);
	/* The kernel says local for "preferred" with no node; a mask is ignored for default. */
	memset(mask, 0xff, sizeof(mask));
	assert_int_equal(nm_policy_from_kernel(0, mask, NM_MASK_BITS, &q), 0);
	assert_int_equal(numamove_policy_mode(q), NUMAMOVE_POLICY_MODE_DEFAULT);
	assert_int_equal(numamove_nodelist_count(numamove_policy_nodes(q)), 0);
	numamove_policy_free(q);
	assert_int_equal(nm_policy_from_kernel(9, mask, NM_MASK_BITS, &q), -EPROTO);
	/* A full mask: every node, ascending, each once (appended, not searched for). */
	assert_int_equal(nm_policy_from_kernel(3, mask, NM_MASK_BITS, &q), 0);
	assert_int_equal(numamove_nodelist_count(numamove_policy_nodes(q)), NM_MASK_BITS);
	for (int i = 0; i < NM_MASK_BITS; i++)
		assert_int_equal(numamove_nodelist_get(numamove_policy_nodes(q), (size_t)i), i);
	numamove_policy_free(q);
	/* Nodes given out of order and repeated: sorted, each once. */
	{
		struct numamove_nodelist *l = NULL;
		static const int ids[] = { 8, 1, 3, 1 }, want[] = { 1, 3, 8 };

		assert_int_equal(numamove_nodelist_new(&l), 0);
		for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
			l->ids = realloc(l->ids, (l->n + 1) * sizeof(int));
			assert_non_null(l->ids);
			l->ids[l->n++] = ids[i];
		}
		l->alloc = l->n;
		assert_int_equal(numamove_policy_new(NUMAMOVE_POLICY_MODE_BIND, 0, l, &q), 0);
		assert_int_equal(numamove_nodelist_count(numamove_policy_nodes(q)), ARRAY_SIZE(want));
		for (size_t i = 0; i < ARRAY_SIZE(want); i++)
			assert_int_equal(numamove_nodelist_get(numamove_policy_nodes(q), i), want[i]);
		numamove_policy_free(q);
		numamove_nodelist_free(l);
	}
}

#if defined(__x86_64__)
/* A thread stopped on its way out of syscall @nr with return value @ret. */
static struct nm_regs stopped_in(long nr, long ret)
{
	struct nm_regs r;

	memset(&r, 0, sizeof(r));
	r.r.orig_rax = (unsigned long)nr;
	r.r.rax = (unsigned long)ret;
	r.r.rip = 0x1002;
	return r;
}

static void test_restart(void **state)
{
	struct nm_regs r;

	(void)state;
	/* -ERESTARTSYS (read, futex): the same call again. */
	r = stopped_in(SYS_read, -512);
	assert_true(nm_arch_regs_restart(&r, true));
	assert_int_equal(r.r.rax, SYS_read);
	assert_int_equal(r.r.rip, 0x1000);
	/* -ERESTARTNOHAND (pause, select) and -ERESTARTNOINTR alike. */
	r = stopped_in(SYS_pause, -514);
	assert_true(nm_arch_regs_restart(&r, false));
	assert_int_equal(r.r.rax, SYS_pause);
	/* -ERESTART_RESTARTBLOCK (nanosleep): restart_syscall finishes the rest. */
	r = stopped_in(SYS_nanosleep, -516);
	assert_true(nm_arch_regs_restart(&r, true));
	assert_int_equal(r.r.rax, SYS_restart_syscall);
	assert_int_equal(r.r.rip, 0x1000);
	/* EINTR from epoll_wait is ours only when no signal is pending. */
	r = stopped_in(SYS_epoll_wait, -EINTR);
	assert_false(nm_arch_regs_restart(&r, false));
	assert_int_equal((long)r.r.rax, -EINTR);
	assert_true(nm_arch_regs_restart(&r, true));
	assert_int_equal(r.r.rax, SYS_epoll_wait);
	assert_int_equal(r.r.rip, 0x1000);
	/* EINTR from a call that would have said ERESTART* if a stop caused it: real. */
	r = stopped_in(SYS_nanosleep, -EINTR);
	assert_false(nm_arch_regs_restart(&r, true));
	/* A finished call, and a thread stopped in user code, are left as they are. */
	r = stopped_in(SYS_read, 5);
	assert_false(nm_arch_regs_restart(&r, true));
	r = stopped_in(-1, -512);
	assert_false(nm_arch_regs_restart(&r, true));
	assert_int_equal(r.r.rip, 0x1002);
}

static void test_syscall_regs(void **state)
{
	struct nm_regs r = stopped_in(SYS_read, -512);
	const uint64_t args[6] = { 1, 2, 3, 4, 5, 6 };

	(void)state;
	r.r.rsp = 0x7000;
	nm_arch_regs_syscall(&r, 0xabc, SYS_set_mempolicy, args);
	assert_int_equal(r.r.rip, 0xabc);
	assert_int_equal(r.r.rax, SYS_set_mempolicy);
	assert_int_equal((long)r.r.orig_rax, -1);
	assert_int_equal(r.r.rdi, 1);
	assert_int_equal(r.r.rsi, 2);
	assert_int_equal(r.r.rdx, 3);
	assert_int_equal(r.r.r10, 4);
	assert_int_equal(r.r.r8, 5);
	assert_int_equal(r.r.r9, 6);
	assert_int_equal(nm_arch_regs_sp(&r), 0x7000);
}
#elif defined(__aarch64__)
/*
 * arm64: what a tracer sees at the interrupt stop after do_signal() rewound
 * a call (-ERESTART*: pc at the svc, x0 = orig_x0, syscall number
 * forgotten), and what lib/arch/aarch64 learnt since (see arch.c).
 */
static struct nm_regs rewound(long nr, uint64_t arg0)
{
	struct nm_regs r;

	memset(&r, 0, sizeof(r));
	r.r.regs[8] = (uint64_t)nr;
	r.r.regs[0] = arg0;
	r.r.pc = 0x1000;
	r.syscallno = -1;
	r.svc_at_pc = true;
	return r;
}

static void test_restart(void **state)
{
	struct nm_regs r;

	(void)state;
	/* Let go from the stop it was seized in: the kernel finishes the restart (sets x8 itself). */
	r = rewound(SYS_nanosleep, 0x5000);
	assert_false(nm_arch_regs_restart(&r, true));
	assert_int_equal(r.r.regs[8], SYS_nanosleep);
	assert_int_equal(r.r.pc, 0x1000);
	nm_arch_regs_pending(&r);
	assert_int_equal(r.r.pc, 0x1000);
	/* After a call: -ERESTART_RESTARTBLOCK (seen at its entry) goes on in restart_syscall. */
	r = rewound(SYS_nanosleep, 0x5000);
	r.left_stop = r.restart_block = true;
	assert_true(nm_arch_regs_restart(&r, true));
	assert_int_equal(r.r.regs[8], SYS_restart_syscall);
	assert_int_equal(r.r.pc, 0x1000);
	assert_int_equal(r.syscallno, -1);
	/* ... or, with a handler to run, ends with EINTR after the svc, as the kernel ends it. */
	r = rewound(SYS_nanosleep, 0x5000);
	r.left_stop = r.restart_block = true;
	r.syscallno = SYS_set_mempolicy;
	nm_arch_regs_pending(&r);
	assert_int_equal((long)r.r.regs[0], -EINTR);
	assert_int_equal(r.r.pc, 0x1004);
	assert_int_equal(r.syscallno, -1);
	/* -ERESTARTSYS (read, futex): pc and x0 are right already, with or without a handler. */
	r = rewound(SYS_futex, 0x5000);
	r.left_stop = true;
	assert_false(nm_arch_regs_restart(&r, true));
	nm_arch_regs_pending(&r);
	assert_int_equal(r.r.regs[8], SYS_futex);
	assert_int_equal(r.r.regs[0], 0x5000);
	assert_int_equal(r.r.pc, 0x1000);
	/* -ERESTARTNOHAND (ppoll, sigsuspend): EINTR once a handler runs. */
	r = rewound(SYS_ppoll, 0x5000);
	r.left_stop = true;
	nm_arch_regs_pending(&r);
	assert_int_equal((long)r.r.regs[0], -EINTR);
	assert_int_equal(r.r.pc, 0x1004);
	/* EINTR from epoll_pwait: restarted with orig_x0 (read from /proc) when no signal is pending. */
	r = rewound(SYS_epoll_pwait, (uint64_t)-EINTR);
	r.r.pc = 0x1004;
	r.svc_at_pc = false;
	r.eintr_arg0_known = true;
	r.eintr_arg0 = 7;
	{
		struct nm_regs q = r;

		assert_false(nm_arch_regs_restart(&q, false));
		assert_int_equal((long)q.r.regs[0], -EINTR);
		nm_arch_regs_pending(&q);
		assert_int_equal((long)q.r.regs[0], -EINTR);
		assert_int_equal(q.r.pc, 0x1004);
	}
	assert_true(nm_arch_regs_restart_eintr(&r));
	assert_int_equal(r.r.regs[0], 7);
	assert_int_equal(r.r.regs[8], SYS_epoll_pwait);
	assert_int_equal(r.r.pc, 0x1000);
	/* Its first argument unknown: left with its EINTR. */
	r = rewound(SYS_epoll_pwait, (uint64_t)-EINTR);
	r.r.pc = 0x1004;
	r.svc_at_pc = false;
	assert_false(nm_arch_regs_restart(&r, true));
	assert_int_equal(r.r.pc, 0x1004);
}

static void test_syscall_regs(void **state)
{
	struct nm_regs r = rewound(SYS_read, 3);
	const uint64_t args[6] = { 1, 2, 3, 4, 5, 6 };

	(void)state;
	r.r.sp = 0x7000;
	r.r.regs[7] = 0x77;
	/* At the thread's own rewound svc: do_signal()'s restart_syscall choice shows at the entry. */
	nm_arch_regs_syscall(&r, 0xabc, SYS_set_mempolicy, args);
	assert_int_equal(r.r.pc, 0x1000);
	assert_int_equal(r.r.regs[8], SYS_set_mempolicy);
	for (int i = 0; i < 6; i++)
		assert_int_equal(r.r.regs[i], i + 1);
	assert_int_equal(r.r.regs[7], 0x77); /* the kernel's at syscall stops */
	assert_int_equal(r.syscallno, -1);
	assert_int_equal(nm_arch_regs_sp(&r), 0x7000);
	/* In user code elsewhere: at the vDSO's svc. */
	r = rewound(SYS_read, 3);
	r.svc_at_pc = false;
	nm_arch_regs_syscall(&r, 0xabc, SYS_set_mempolicy, args);
	assert_int_equal(r.r.pc, 0xabc);
	/* A thread running AArch32 code. */
	r.r.pstate = 0x10;
	assert_int_equal(nm_arch_regs_check_abi(&r), -EOPNOTSUPP);
	r.r.pstate = 0;
	assert_int_equal(nm_arch_regs_check_abi(&r), 0);
	assert_int_equal(nm_arch_insn_align, 4);
}
#endif

static uint32_t run(const struct sock_filter *prog, size_t n, int nr)
{
	struct seccomp_data d = { .nr = nr, .arch = nm_arch_audit_arch };
	uint32_t action = 0;
	bool args = true;

	assert_true(nm_seccomp_run(prog, n, &d, &action, &args));
	assert_false(args);
	return action;
}

static void test_seccomp(void **state)
{
	/* The shape libseccomp and systemd produce: check arch, then a deny list. */
	const struct sock_filter deny[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nm_arch_audit_arch, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mbind, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 1000, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	/* Scratch memory, ALU and X. */
	const struct sock_filter alu[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_STMT(BPF_ST, 3),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_MEM, 3),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2 * SYS_set_mempolicy + 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	const struct sock_filter bad_offset[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter no_return[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	};
	const struct sock_filter jump_out[] = {
		BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	/* Looks at the first argument of mbind; divides by X = 0 for 1001. */
	const struct sock_filter args_div[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mbind, 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1001, 0, 3),
		BPF_STMT(BPF_LDX | BPF_IMM, 0),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LDX | BPF_IMM, 33),
		BPF_STMT(BPF_LD | BPF_IMM, 1),
		BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct seccomp_data d = { .nr = SYS_set_mempolicy, .arch = 0 };
	uint32_t action;
	bool args;

	(void)state;
	assert_int_equal(run(deny, ARRAY_SIZE(deny), SYS_set_mempolicy), SECCOMP_RET_ALLOW);
	assert_int_equal(run(deny, ARRAY_SIZE(deny), SYS_mbind), SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(run(deny, ARRAY_SIZE(deny), 1000), SECCOMP_RET_TRAP);
	assert_true(nm_seccomp_run(deny, ARRAY_SIZE(deny), &d, &action, &args));
	assert_int_equal(action, SECCOMP_RET_KILL_PROCESS); /* another arch */
	assert_int_equal(run(alu, ARRAY_SIZE(alu), SYS_set_mempolicy), SECCOMP_RET_KILL_THREAD);
	assert_int_equal(run(alu, ARRAY_SIZE(alu), SYS_mbind), 2 * SYS_mbind + 1);
	assert_false(nm_seccomp_run(bad_offset, ARRAY_SIZE(bad_offset), &d, &action, &args));
	assert_false(nm_seccomp_run(no_return, ARRAY_SIZE(no_return), &d, &action, &args));
	assert_false(nm_seccomp_run(jump_out, ARRAY_SIZE(jump_out), &d, &action, &args));
	/* Arguments read: numamove cannot know how the real call would fare. */
	d = (struct seccomp_data){ .nr = SYS_mbind, .arch = nm_arch_audit_arch };
	assert_true(nm_seccomp_run(args_div, ARRAY_SIZE(args_div), &d, &action, &args));
	assert_true(args);
	/* A division by zero ends the program with 0: kill the thread. */
	d.nr = 1001;
	assert_true(nm_seccomp_run(args_div, ARRAY_SIZE(args_div), &d, &action, &args));
	assert_int_equal(action, 0);
	assert_false(args);
	/* Shifts by X count modulo 32, as the kernel runs them: 1 << 33 is 2. */
	d.nr = 1002;
	assert_true(nm_seccomp_run(args_div, ARRAY_SIZE(args_div), &d, &action, &args));
	assert_int_equal(action, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_new_equal),
		cmocka_unit_test(test_remap),
		cmocka_unit_test(test_kernel_form),
#if defined(__x86_64__) || defined(__aarch64__)
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_syscall_regs),
#endif
		cmocka_unit_test(test_seccomp),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
