/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running a syscall inside another process, the generic steps.
 *
 * No kernel call sets another task's memory policy, so numamove makes the
 * target's threads call set_mempolicy(2) and mbind(2) themselves: seize
 * every thread with ptrace (PTRACE_SEIZE + PTRACE_INTERRUPT), save its
 * registers, point it at a `syscall` instruction that already exists in its
 * vDSO with the call's arguments, let it run to the syscall's exit, read the
 * result, and finally restore the registers so that a blocking syscall the
 * thread was in restarts as if nothing had happened. No code is written into
 * the target; arguments that are memory (node masks) go on the thread's own
 * stack, below the red zone, where any signal frame could go too.
 *
 * While threads are held, the caller's terminating and job-control signals
 * are blocked: an interrupted numamove must not leave a target stopped. A
 * tracer killed with SIGKILL is detached by the kernel; a thread it held
 * between two steps then resumes from wherever its registers pointed, so
 * each call puts them back as soon as it ends, and the tracer is a helper
 * process (inject-helper.c) that outlives a killed caller until the call
 * in flight has ended.
 *
 * The architecture's part (registers, syscall ABI, restart codes) is in
 * lib/arch/<cpu>/arch.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "arch/arch.h"
#include "inject.h"

struct nm_thread {
	pid_t tid;
	bool held;    /* seized and in a ptrace stop */
	bool gone;    /* exited while we looked */
	signed char pending; /* a caught signal pending, as last read: 1, 0, -1 not read yet */
	bool eintr;   /* held in a call that a signal ends with EINTR, restart or not (epoll_wait(2)...) */
	bool parent;  /* has a child, as last seen (at the seize, at the release) */
	struct nm_regs saved;
};

struct nm_freeze {
	pid_t pid;
	int mem_fd;
	uint64_t insn; /* address of a syscall instruction in the target */
	struct nm_thread *t;
	size_t n, alloc;
	size_t shown; /* t[0..shown) are those asked for; the rest are held only (nm_target_is_parent()) */
	sigset_t oldmask;
};


/* The next stop of @t (a wait status that WIFSTOPPED), or -ESRCH when it exited. */
static int next_stop(struct nm_thread *t, int *ret_status)
{
	for (;;) {
		int st;

		if (waitpid(t->tid, &st, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			t->gone = true;
			return -ESRCH;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			t->gone = true;
			return -ESRCH;
		}
		if (WIFSTOPPED(st)) {
			*ret_status = st;
			return 0;
		}
	}
}

/* Waits until @t is in a ptrace stop of its own (the interrupt). */
static int wait_interrupt_stop(struct nm_thread *t)
{
	for (;;) {
		int st, sig;

		if (next_stop(t, &st) < 0)
			return -ESRCH;
		if (st >> 16 == PTRACE_EVENT_STOP) {
			t->held = true;
			return 0;
		}
		/* A signal arrived first: let it be delivered, the interrupt still pends. */
		nm_arch_thread_stopped(&t->saved);
		sig = (st >> 16) == 0 ? WSTOPSIG(st) : 0;
		if (ptrace(PTRACE_CONT, t->tid, NULL, (void *)(long)sig) < 0 && errno == ESRCH) {
			t->gone = true;
			return -ESRCH;
		}
	}
}

static struct nm_thread *find_thread(struct nm_freeze *f, pid_t tid)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->t[i].tid == tid)
			return &f->t[i];
	return NULL;
}

/*
 * Whether thread @tid has a child: a live thread without the children
 * file (a kernel without CONFIG_PROC_CHILDREN) has one, an exited one
 * none. On the stack: called while threads are held.
 */
static bool thread_has_children(pid_t pid, pid_t tid)
{
	char path[64], c;
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid, (int)tid);
		return access(path, F_OK) == 0;
	}
	got = read(fd, &c, 1);
	close(fd);
	return got != 0;
}

static int seize_all(struct nm_freeze *f, const pid_t *tids, size_t n, size_t first);

/* Seizes and interrupts @tids not held yet; returns how many were new. */
static int seize(struct nm_freeze *f, const pid_t *tids, size_t n)
{
	size_t first = f->n;
	int r;

	/* Room first: no malloc() while threads are stopped with registers not yet set. */
	r = nm_grow((void **)&f->t, &f->alloc, f->n + n, sizeof(*f->t));
	if (r < 0)
		return r;
	/*
	 * From the interrupts to the registers set, a thread stopped in a
	 * blocking call has the kernel's registers (-EINTR for some calls):
	 * a helper whose caller dies exits once they are set, or 2 s later
	 * should a thread never stop (in D state on a dead NFS server).
	 */
	nm_helper_call_begin(true);
	r = seize_all(f, tids, n, first);
	nm_helper_call_end();
	return r;
}

/*
 * The registers a thread just seen in its interrupt stop is let go with
 * should the tracer die before the release: its own, but a call that the
 * stop made fail with EINTR (epoll_wait(2)...) restarts. The kernel itself
 * restarts (or, for a signal with a handler, ends with EINTR) what returned
 * -ERESTART*, as it would without us.
 */
static int detach_safe(struct nm_thread *t)
{
	struct nm_regs regs = t->saved;

	t->eintr = nm_arch_regs_restart_eintr(&regs);
	return t->eintr ? nm_arch_regs_set(t->tid, &regs) : 0;
}

static int seize_all(struct nm_freeze *f, const pid_t *tids, size_t n, size_t first)
{
	int r, err = 0;

	/*
	 * Every PTRACE_SEIZE first, then every PTRACE_INTERRUPT. A signal
	 * that the target ignores (SIGCHLD) is dropped when it is sent, but
	 * kept when the thread it is sent to is traced, and wakes that
	 * thread, or, when it is stopped or has a signal pending already,
	 * another thread of the process: one asleep in epoll_wait(2) and not
	 * traced yet would see EINTR. A thread seized and not interrupted yet
	 * takes such a signal itself and reports it to us; once all are
	 * seized, whichever thread it wakes is ours.
	 */
	for (size_t i = 0; i < n; i++) {
		struct nm_thread *t;

		if (find_thread(f, tids[i]))
			continue;
		t = &f->t[f->n++];
		memset(t, 0, sizeof(*t));
		t->tid = tids[i];
		t->pending = -1;
	}
	for (size_t i = first; i < f->n; i++) {
		struct nm_thread *t = &f->t[i];

		if (ptrace(PTRACE_SEIZE, t->tid, NULL, (void *)(long)PTRACE_O_TRACESYSGOOD) < 0) {
			r = -errno;
			/* Exited meanwhile; an exited thread (a zombie main thread) refuses with EPERM. */
			if (r == -ESRCH || (r == -EPERM && nm_thread_exited(f->pid, t->tid))) {
				memmove(t, t + 1, (f->n - i - 1) * sizeof(*t));
				f->n--;
				i--;
				continue;
			}
			/* Those seized so far are still interrupted, and get their registers set below. */
			f->n = i;
			err = r;
			break;
		}
		/* Only a seize that worked touched the target (no fallback after it). */
		nm_helper_note_seize();
	}
	/*
	 * Parents last: a parent thread interrupted (or stopped) no longer
	 * takes its child's SIGCHLD itself, and the thread woken for it
	 * instead may find it taken by a third one: a thread not yet
	 * interrupted then goes back to user space with its epoll_wait(2)'s
	 * EINTR. Once every other thread has its interrupt pending, any
	 * thread woken stops before it returns. Whether a thread is a parent
	 * is read just before its interrupt, not before the seizes: a thread
	 * that forks while the others are seized (which takes a while with
	 * many threads) is a parent by then, and waits for the second pass.
	 * What the architecture must read of a thread before its interrupt
	 * stop (arm64: the first argument of a call that the stop ends with
	 * EINTR) is read just before it too: a thread that left its call
	 * since (epoll_wait(2)'s timeout) and went back into it cannot have
	 * its EINTR undone, and under emulation reading every thread first
	 * gave about one such thread per change.
	 */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = first; i < f->n; i++) {
			struct nm_thread *t = &f->t[i];

			if (pass == 0)
				t->parent = thread_has_children(f->pid, t->tid);
			if (t->parent != (pass == 1))
				continue;
			nm_arch_thread_before_interrupt(t->tid, &t->saved);
			if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) < 0)
				t->gone = true;
		}
	for (size_t i = first; i < f->n; i++) {
		if (f->t[i].gone)
			continue;
		r = wait_interrupt_stop(&f->t[i]);
		if (r == 0)
			r = nm_arch_regs_get(f->t[i].tid, &f->t[i].saved);
		if (r == 0)
			r = nm_arch_regs_check_abi(&f->t[i].saved);
		if (r == 0)
			r = detach_safe(&f->t[i]);
		if (r < 0 && r != -ESRCH && err == 0)
			err = r;
	}
	return err < 0 ? err : (int)(f->n - first);
}

/*
 * Bytes of one executable mapping searched for a syscall instruction: any
 * libc or vDSO has one within its first pages, and the bound keeps a huge
 * program text from costing its size in our memory.
 */
#define TEXT_SCAN_MAX (8u << 20)

/* Looks for a syscall instruction in the executable mapping [start, end). */
static int search_text(struct nm_freeze *f, uint64_t start, uint64_t end)
{
	_cleanup_free_ unsigned char *text = NULL;
	size_t len = end - start > TEXT_SCAN_MAX ? TEXT_SCAN_MAX : (size_t)(end - start);
	const unsigned char *hit, *from;

	text = malloc(len);
	if (!text)
		return -ENOMEM;
	if (pread(f->mem_fd, text, len, (off_t)start) != (ssize_t)len)
		return -ENOEXEC;
	/* Only at an instruction boundary: arm64's 4-byte pattern can straddle two instructions. */
	for (from = text; (hit = memmem(from, len - (size_t)(from - text), nm_arch_syscall_insn,
					nm_arch_syscall_insn_len)); from = hit + 1)
		if ((start + (uint64_t)(hit - text)) % nm_arch_insn_align == 0) {
			f->insn = start + (uint64_t)(hit - text);
			return 0;
		}
	return -ENOEXEC;
}

/*
 * The vDSO's start from the target's auxiliary vector (AT_SYSINFO_EHDR),
 * or 0: a file of a few hundred bytes, unlike maps, whose size grows with
 * the mappings (two per thread stack).
 */
static uint64_t vdso_from_auxv(pid_t pid)
{
	char path[64];
	uint64_t auxv[2 * 64];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, auxv, sizeof(auxv));
	for (ssize_t i = 0; n > 0 && (i + 2) * (ssize_t)sizeof(uint64_t) <= n && auxv[i] != 0; i += 2)
		if (auxv[i] == 33 /* AT_SYSINFO_EHDR */)
			return auxv[i + 1];
	return 0;
}

/*
 * The last vDSO searched, and where its syscall instruction was: threads
 * held a batch at a time hold the same process again and again. Found
 * again at the same start (after an exec the auxiliary vector names the
 * new vDSO) and still holding the instruction, it is used without a search.
 * Per thread: the policy calls of one thread (and its helper, which shares
 * its thread-local storage) are one after the other.
 */
static __thread struct {
	pid_t pid;
	uint64_t vdso, insn;
} last_insn;

/*
 * An address inside the target that holds a syscall instruction: the
 * vDSO's, or where there is no vDSO, one in any executable mapping.
 */
static int find_syscall_insn(struct nm_freeze *f)
{
	_cleanup_free_ char *maps = NULL;
	uint64_t vdso = vdso_from_auxv(f->pid);
	int r;

	if (vdso) {
		unsigned char text[16];

		if (last_insn.pid == f->pid && last_insn.vdso == vdso &&
		    nm_freeze_read(f, last_insn.insn, text, nm_arch_syscall_insn_len) == 0 &&
		    memcmp(text, nm_arch_syscall_insn, nm_arch_syscall_insn_len) == 0) {
			f->insn = last_insn.insn;
			return 0;
		}
		/*
		 * The vDSO's first two pages (its size on x86-64 and on arm64
		 * with 4 KiB pages), then one, else its mapping from maps: in
		 * base pages of this kernel (4, 16 or 64 KiB on arm64).
		 */
		uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

		for (uint64_t len = 2 * page; len >= page; len /= 2)
			if (search_text(f, vdso, vdso + len) == 0) {
				last_insn.pid = f->pid;
				last_insn.vdso = vdso;
				last_insn.insn = f->insn;
				return 0;
			}
	}
	r = nm_read_filef(NULL, &maps, "/proc/%d/maps", (int)f->pid);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	for (int pass = 0; pass < 2; pass++) {
		for (const char *p = maps; p && *p; p = nm_next_line(p)) {
			struct nm_maps_line l;

			if (nm_maps_line_parse(p, &l) < 0 || l.perms[2] != 'x' ||
			    (pass == 0 && !(l.path_len == 6 && strncmp(l.path, "[vdso]", 6) == 0)))
				continue;
			r = search_text(f, l.start, l.end);
			if (r != -ENOEXEC)
				return r;
		}
	}
	return -ENOEXEC;
}

bool nm_thread_exited(pid_t pid, pid_t tid)
{
	/* On the stack, not malloc(): called while threads are held (see nm_helper_call_begin()). */
	char path[64], text[512];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return true;
	text[n] = '\0';
	p = strrchr(text, ')');
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

/*
 * The signal masks of a thread's /proc status, read onto the stack a
 * chunk at a time: this is called inside calls too, where the helper must
 * not wait on malloc() (see nm_helper_call_begin()), and the lines before
 * the masks have no bound (Groups: thousands of groups). Only whole lines
 * count: -ENODATA when a mask is missing.
 */
struct sigmasks {
	unsigned long long pnd, shd, blk, ign, cgt;
};

static int read_sigmasks(pid_t pid, pid_t tid, struct sigmasks *m)
{
	static const char *const names[] = { "SigPnd:", "ShdPnd:", "SigBlk:", "SigIgn:", "SigCgt:" };
	unsigned long long *fields[] = { &m->pnd, &m->shd, &m->blk, &m->ign, &m->cgt };
	unsigned int found = 0;
	char path[64], buf[4096];
	size_t len = 0;
	bool skipping = false; /* in a line longer than the buffer: not ours */
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (found != (1u << ARRAY_SIZE(names)) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		char *line = buf, *nl;

		len += (size_t)n;
		buf[len] = '\0';
		while ((nl = memchr(line, '\n', len - (size_t)(line - buf)))) {
			*nl = '\0';
			for (size_t i = 0; !skipping && i < ARRAY_SIZE(names); i++)
				if (!strncmp(line, names[i], strlen(names[i]))) {
					*fields[i] = strtoull(line + strlen(names[i]), NULL, 16);
					found |= 1u << i;
				}
			skipping = false;
			line = nl + 1;
		}
		/* The unfinished line moves to the front; one that fills the buffer is skipped to its end. */
		len -= (size_t)(line - buf);
		memmove(buf, line, len);
		if (len == sizeof(buf) - 1) {
			skipping = true;
			len = 0;
		}
	}
	close(fd);
	return found == (1u << ARRAY_SIZE(names)) - 1 ? 0 : -ENODATA;
}

bool nm_thread_signal_pending(pid_t pid, pid_t tid)
{
	struct sigmasks m;

	if (read_sigmasks(pid, tid, &m) < 0)
		return true; /* unknown: assume the worst, restart nothing extra */
	/* Only a handler changes how an interrupted call ends. */
	return ((m.pnd | m.shd) & ~m.blk & m.cgt) != 0;
}

/*
 * Whether the target drops @sig on delivery: ignored (SIG_IGN), or
 * uncaught with an action of "ignore" (SIGCHLD, SIGURG, SIGWINCH; SIGCONT
 * did its work when it was sent). Unknown reads as not ignored.
 */
static bool signal_ignored(pid_t pid, pid_t tid, int sig)
{
	unsigned long long bit;
	struct sigmasks m;

	if (sig < 1 || sig > 64 || read_sigmasks(pid, tid, &m) < 0)
		return false;
	bit = 1ULL << (sig - 1);
	if (m.ign & bit)
		return true;
	if (m.cgt & bit)
		return false;
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

/*
 * Registers to leave @t with. With a caught signal pending, exactly its
 * own: the kernel delivers the signal and decides, by the handler's
 * SA_RESTART, whether the call it was in restarts or fails with EINTR.
 * Otherwise with the restart applied, as the kernel would have done had
 * it not been stopped. Whether a signal is pending is read from /proc at
 * the release, where it counts; the registers left after each call, which
 * only a SIGKILLed numamove leaves behind, go by the last reading, or
 * none pending when there was none (a signal caught then restarts the
 * call after its handler, as though it came just before it): one reading
 * per thread, not one per call.
 */
static void resume_regs(const struct nm_thread *t, struct nm_regs *regs)
{
	*regs = t->saved;
	if (t->pending != 1)
		nm_arch_regs_restart(regs, true);
	else
		nm_arch_regs_pending(regs);
}

void nm_freeze_release(struct nm_freeze *f)
{
	if (!f)
		return;
	/* Every thread's registers first: the detaches below then follow each other closely. */
	for (size_t i = 0; i < f->n; i++) {
		struct nm_thread *t = &f->t[i];
		struct nm_regs regs;

		if (!t->held || t->gone)
			continue;
		/* Always: whether a signal is pending now decides how it resumes. */
		t->pending = nm_thread_signal_pending(f->pid, t->tid);
		resume_regs(t, &regs);
		(void)nm_arch_regs_set(t->tid, &regs);
	}
	/*
	 * Parents first, then the others, those in a call that a signal
	 * would end with EINTR (epoll_wait(2)) last: the SIGCHLD of a child
	 * of a thread still traced is kept, and wakes a thread let go (see
	 * nm_target_is_parent()); once the parents are let go, their
	 * children's SIGCHLD is dropped again. Held threads fork no more.
	 */
	for (int pass = 0; pass < 3; pass++)
		for (size_t i = 0; i < f->n; i++) {
			struct nm_thread *t = &f->t[i];

			if (!t->held || t->gone)
				continue;
			if (pass == 0)
				t->parent = thread_has_children(f->pid, t->tid);
			if (pass == (t->parent ? 0 : t->eintr ? 2 : 1))
				(void)ptrace(PTRACE_DETACH, t->tid, NULL, NULL);
		}
	for (size_t i = 0; i < f->n; i++)
		/* Seized but never seen stopped: it stops at its next return to user space. */
		if (!f->t[i].held && !f->t[i].gone && wait_interrupt_stop(&f->t[i]) == 0)
			(void)ptrace(PTRACE_DETACH, f->t[i].tid, NULL, NULL);
	if (f->mem_fd >= 0)
		close(f->mem_fd);
	pthread_sigmask(SIG_SETMASK, &f->oldmask, NULL);
	free(f->t);
	free(f);
}

bool nm_tid_in(const pid_t *tids, size_t n, pid_t tid)
{
	for (size_t i = 0; i < n; i++)
		if (tids[i] == tid)
			return true;
	return false;
}

/* *@all, @tids first: @tids, then the threads of *@all not among them. */
static int put_first(pid_t **all, size_t *n, const pid_t *tids, size_t n_tids)
{
	pid_t *list = malloc((n_tids + *n) * sizeof(*list));
	size_t k = n_tids;

	if (!list)
		return -ENOMEM;
	memcpy(list, tids, n_tids * sizeof(*list));
	for (size_t i = 0; i < *n; i++)
		if (!nm_tid_in(tids, n_tids, (*all)[i]))
			list[k++] = (*all)[i];
	free(*all);
	*all = list;
	*n = k;
	return 0;
}

bool nm_target_is_parent(pid_t pid, const pid_t *tids, size_t n)
{
	_cleanup_free_ char *stat = NULL;
	unsigned long cminflt = 0, cmajflt = 0;
	const char *p;

	if (nm_read_filef(NULL, &stat, "/proc/%d/stat", (int)pid) < 0 || !(p = strrchr(stat, ')')) ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %lu %*u %lu", &cminflt, &cmajflt) != 2 ||
	    cminflt || cmajflt)
		return true;
	for (size_t i = 0; i < n; i++)
		if (thread_has_children(pid, tids[i]))
			return true;
	return false;
}

int nm_freeze_hold(const struct numamove_task *task, const pid_t *tids, size_t n_tids,
		   struct nm_freeze **ret)
{
	struct nm_freeze *f;
	sigset_t block;
	char path[64];
	int r;

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->pid = numamove_task_pid(task);
	f->mem_fd = -1;
	sigemptyset(&block);
	for (const int *s = (const int[]){ SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, 0 }; *s; s++)
		sigaddset(&block, *s);
	pthread_sigmask(SIG_BLOCK, &block, &f->oldmask);

	if (tids && !nm_target_is_parent(f->pid, tids, n_tids)) {
		r = seize(f, tids, n_tids);
	} else {
		/*
		 * Every thread: asked for, or those asked for first and then
		 * the others, held only, when the target has children (see
		 * nm_target_is_parent()). Until two listings in a row show no
		 * new thread: held threads cannot start more, but a listing of
		 * /proc/PID/task can skip a live thread while others exit (the
		 * directory is read by position), so one quiet listing is not
		 * proof.
		 */
		int quiet = 0;

		do {
			_cleanup_free_ pid_t *all = NULL;
			size_t n = 0;

			r = numamove_task_threads(task, &all, &n);
			if (r == 0 && tids)
				r = put_first(&all, &n, tids, n_tids);
			if (r == 0)
				r = seize(f, all, n);
			quiet = r == 0 ? quiet + 1 : 0;
		} while (r > 0 || (r == 0 && quiet < 2));
	}
	f->shown = f->n;
	if (tids)
		for (f->shown = 0; f->shown < f->n && nm_tid_in(tids, n_tids, f->t[f->shown].tid); f->shown++)
			;
	if (r >= 0)
		r = numamove_task_check(task);
	if (r >= 0) {
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)f->pid);
		f->mem_fd = open(path, O_RDWR | O_CLOEXEC);
		r = f->mem_fd < 0 ? -errno : 0;
	}
	if (r >= 0)
		r = find_syscall_insn(f);
	if (r < 0) {
		nm_freeze_release(f);
		return r;
	}
	*ret = f;
	return 0;
}

size_t nm_freeze_count(const struct nm_freeze *f)
{
	return f->shown;
}

uint64_t nm_freeze_insn(const struct nm_freeze *f)
{
	return f->insn;
}

pid_t nm_freeze_tid(const struct nm_freeze *f, size_t i)
{
	return f->t[i].tid;
}

bool nm_freeze_gone(const struct nm_freeze *f, size_t i)
{
	return f->t[i].gone || !f->t[i].held;
}

uint64_t nm_freeze_scratch(const struct nm_freeze *f, size_t i, size_t size)
{
	uint64_t sp = nm_arch_regs_sp(&f->t[i].saved);

	return (sp - nm_arch_red_zone - size) & ~(uint64_t)63;
}

int nm_freeze_write(struct nm_freeze *f, uint64_t addr, const void *buf, size_t len)
{
	ssize_t n = pwrite(f->mem_fd, buf, len, (off_t)addr);

	return n == (ssize_t)len ? 0 : n < 0 && errno == ESRCH ? -ESRCH : -EFAULT;
}

int nm_freeze_read(struct nm_freeze *f, uint64_t addr, void *buf, size_t len)
{
	ssize_t n = pread(f->mem_fd, buf, len, (off_t)addr);

	return n == (ssize_t)len ? 0 : n < 0 && errno == ESRCH ? -ESRCH : -EFAULT;
}

/* Resumes @t with its original context so a signal is delivered as if we were not there. */
static int deliver_signal(struct nm_thread *t, int sig)
{
	struct nm_regs regs = t->saved;
	int r;

	nm_arch_regs_pending(&regs);
	r = nm_arch_regs_set(t->tid, &regs);

	if (r == 0 && ptrace(PTRACE_CONT, t->tid, NULL, (void *)(long)sig) < 0)
		r = -errno;
	if (r == 0 && ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) < 0)
		r = -errno;
	t->held = false;
	t->pending = -1;
	if (r == 0)
		r = wait_interrupt_stop(t);
	if (r == 0)
		r = nm_arch_regs_get(t->tid, &t->saved);
	if (r == 0)
		r = detach_safe(t);
	if (r == -ESRCH)
		t->gone = true;
	return r;
}

static int call(struct nm_freeze *f, size_t i, long nr, const uint64_t args[6], long *ret)
{
	struct nm_thread *t = &f->t[i];
	struct nm_regs regs = t->saved;
	bool entered = false;
	int r;

	if (t->gone || !t->held)
		return -ESRCH;
	nm_arch_regs_syscall(&regs, f->insn, nr, args);
	r = nm_arch_regs_set(t->tid, &regs);
	if (r < 0) {
		t->gone = r == -ESRCH;
		return r;
	}
	for (;;) {
		int st;

		if (ptrace(PTRACE_SYSCALL, t->tid, NULL, NULL) < 0) {
			t->gone = errno == ESRCH;
			return -errno;
		}
		if (next_stop(t, &st) < 0)
			return -ESRCH;
		/* A syscall stop (PTRACE_O_TRACESYSGOOD sets 0x80): entry, then exit. */
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			if (!entered) {
				entered = true;
				/* The architecture's say on the number the kernel runs (arm64: restart_syscall). */
				r = nm_arch_syscall_entry(t->tid, &t->saved, nr);
				if (r < 0) {
					t->gone = r == -ESRCH;
					return r;
				}
				continue;
			}
			r = nm_arch_regs_get(t->tid, &regs);
			if (r < 0)
				return r;
			*ret = nm_arch_regs_result(&regs);
			/*
			 * Its own registers back at once: should numamove die
			 * (SIGKILL) before releasing it, the kernel lets it go
			 * on from where it was, not from the vDSO.
			 */
			resume_regs(t, &regs);
			(void)nm_arch_regs_set(t->tid, &regs);
			return 0;
		}
		if ((st >> 16) == 0 && !entered) {
			/*
			 * A signal the target ignores (SIGCHLD): dropped, as it
			 * would have been when sent to a thread nobody traces.
			 * Delivered, the thread would go on with its own
			 * registers, and a call of it that the interrupt ended
			 * with EINTR (epoll_wait(2)) would return EINTR.
			 */
			if (signal_ignored(f->pid, t->tid, WSTOPSIG(st)))
				continue;
			/*
			 * A signal before our syscall ran: deliver it for real.
			 * Its frame went onto the stack where the arguments
			 * were: the caller must set them up again.
			 */
			r = deliver_signal(t, WSTOPSIG(st));
			return r < 0 ? r : -EAGAIN;
		}
		/* Any other stop (a group stop): carry on towards the syscall. */
	}
}

int nm_freeze_call(struct nm_freeze *f, size_t i, long nr, const uint64_t args[6], long *ret)
{
	int r;

	/*
	 * In a helper whose caller dies meanwhile, the helper exits at the
	 * end, not before: the thread has its own registers back by then.
	 */
	nm_helper_call_begin(false);
	r = call(f, i, nr, args, ret);
	if (r < 0 && r != -EAGAIN && !f->t[i].gone && f->t[i].held) {
		/* Whatever went wrong, never leave it pointed at the vDSO. */
		struct nm_regs regs;

		resume_regs(&f->t[i], &regs);
		(void)nm_arch_regs_set(f->t[i].tid, &regs);
	}
	nm_helper_call_end();
	return r;
}
