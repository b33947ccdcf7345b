/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sentences of a report: every refusal, failure and note, said once for every front end. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "front.h"

int front_exit_status(enum numamove_outcome outcome)
{
	switch (outcome) {
	case NUMAMOVE_OUTCOME_DONE:
	case NUMAMOVE_OUTCOME_PLANNED:
	case NUMAMOVE_OUTCOME_SKIPPED:
		return EXIT_OK;
	case NUMAMOVE_OUTCOME_PARTIAL:
		return EXIT_PARTIAL;
	case NUMAMOVE_OUTCOME_INVALID:
		return EXIT_USAGE;
	default:
		return EXIT_ERROR;
	}
}

int front_worst_status(int a, int b)
{
	static const int rank[] = { [EXIT_OK] = 0, [EXIT_PARTIAL] = 1, [EXIT_ERROR] = 2, [EXIT_USAGE] = 3 };

	return rank[b] > rank[a] ? b : a;
}

char *size_to_human(uint64_t bytes, char *buf, size_t size)
{
	static const char units[] = "BKMGTPE";
	double v = (double)bytes;
	int u = 0;

	if (bytes == 0) {
		snprintf(buf, size, "0");
		return buf;
	}
	while (v >= 1024 && units[u + 1]) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%" PRIu64 "B", bytes);
	else
		snprintf(buf, size, "%.1f%c", v, units[u]);
	return buf;
}

const char *policy_text(const struct numamove_policy *policy, char *buf, size_t size)
{
	if (!policy || numamove_policy_format(policy, buf, size) < 0)
		snprintf(buf, size, "?");
	return buf;
}

const char *front_label(const struct numamove_report *rep, size_t i, char *buf, size_t size)
{
	const char *name = numamove_report_name(rep, i);
	int type = numamove_report_object_type(rep, i);

	switch (numamove_report_kind(rep, i)) {
	case NUMAMOVE_TARGET_CGROUP:
		snprintf(buf, size, "cgroup %s", name);
		break;
	case NUMAMOVE_TARGET_OBJECT:
		if (type >= 0)
			snprintf(buf, size, "%s (%s)", name, numamove_object_type_name(type));
		else
			snprintf(buf, size, "%s", name);
		break;
	default:
		if (numamove_report_comm(rep, i))
			snprintf(buf, size, "%d (%s)", (int)numamove_report_pid(rep, i), numamove_report_comm(rep, i));
		else
			snprintf(buf, size, "%s", name);
		break;
	}
	return buf;
}

/* " (needs ptrace access ...)" for errors reading or moving a process's memory. */
static const char *access_hint(int err)
{
	return err == -EACCES || err == -EPERM
		       ? " (needs ptrace access to the process: the same user, or CAP_SYS_PTRACE)"
		       : "";
}

/* Why numamove could not run system calls in the process (to @what: "change its policy"). */
static void inject_text(const char *label, const struct numamove_detail *d, const char *what, char *buf, size_t size)
{
	switch (d->error) {
	case -EBUSY:
		switch (d->block) {
		case NUMAMOVE_INJECT_TRACED:
			snprintf(buf, size, "%s: cannot %s: thread %d is traced by another process (a debugger?); "
				 "detach it first", label, what, (int)d->tid);
			return;
		case NUMAMOVE_INJECT_STOPPED:
			snprintf(buf, size, "%s: cannot %s: thread %d is stopped; continue it first (kill -CONT %d)",
				 label, what, (int)d->tid, (int)d->tid);
			return;
		case NUMAMOVE_INJECT_SECCOMP:
			snprintf(buf, size, "%s: cannot %s: thread %d runs under seccomp, which would kill it for the "
				 "set_mempolicy(2) or mbind(2) numamove would run in it", label, what, (int)d->tid);
			return;
		case NUMAMOVE_INJECT_SECCOMP_UNKNOWN:
			snprintf(buf, size, "%s: cannot %s: thread %d runs under a seccomp filter that numamove cannot "
				 "read (needs CAP_SYS_ADMIN), or that looks at the arguments of set_mempolicy(2) "
				 "and mbind(2), so it cannot tell whether it would allow them", label, what, (int)d->tid);
			return;
		case NUMAMOVE_INJECT_COMPAT:
			break;
		default:
			snprintf(buf, size, "%s: cannot %s: %s", label, what, strerror(EBUSY));
			return;
		}
		__attribute__((fallthrough)); /* a 32-bit program */
	case -EOPNOTSUPP:
		snprintf(buf, size, "%s: cannot %s: it is a 32-bit program; numamove runs system calls in "
			 "64-bit programs only", label, what);
		return;
	case -EPERM:
	case -EACCES:
		if (d->scope == 1)
			snprintf(buf, size, "%s: cannot %s: ptrace is restricted to a process's own descendants "
				 "(kernel.yama.ptrace_scope = 1); run numamove as root or with CAP_SYS_PTRACE", label, what);
		else if (d->scope == 2)
			snprintf(buf, size, "%s: cannot %s: only CAP_SYS_PTRACE may use ptrace "
				 "(kernel.yama.ptrace_scope = 2)", label, what);
		else if (d->scope == 3)
			snprintf(buf, size, "%s: cannot %s: ptrace is disabled on this system until reboot "
				 "(kernel.yama.ptrace_scope = 3)", label, what);
		else
			snprintf(buf, size, "%s: cannot %s: not allowed to ptrace it (another user's process "
				 "needs CAP_SYS_PTRACE)", label, what);
		return;
	case -ESRCH:
		snprintf(buf, size, "%s: the process exited", label);
		return;
	case -ENOEXEC:
		snprintf(buf, size, "%s: cannot %s: found no syscall instruction in it to run", label, what);
		return;
	default:
		snprintf(buf, size, "%s: cannot %s: %s", label, what, strerror(-d->error));
		return;
	}
}

/* An object that could not be opened (@d->text: how it was named: "path", "shm", "shm-key", or a mapping). */
static void open_text(const struct numamove_report *rep, size_t i, const char *label, const struct numamove_detail *d,
		      char *buf, size_t size)
{
	const char *name = numamove_report_name(rep, i), *how = d->text ? d->text : "path";
	size_t parent = numamove_report_parent(rep, i);

	if (numamove_report_kind(rep, i) == NUMAMOVE_TARGET_PROCESS) {
		snprintf(buf, size, "%s: cannot open the process: %s", label, strerror(-d->error));
	} else if (parent != NUMAMOVE_REPORT_REQUEST) {
		char pl[256];

		snprintf(buf, size, "%s: %s: cannot open it: %s", front_label(rep, parent, pl, sizeof(pl)), name,
			 strerror(-d->error));
	} else if (strcmp(how, "shm") == 0) {
		if (d->error == -ENOENT)
			snprintf(buf, size, "%s: no such SysV shared memory segment", name);
		else
			snprintf(buf, size, "%s: cannot attach the SysV segment: %s", name, strerror(-d->error));
	} else if (strcmp(how, "shm-key") == 0) {
		if (d->error == -ENOENT)
			snprintf(buf, size, "%s: no SysV shared memory segment has this key", name);
		else
			snprintf(buf, size, "%s: cannot attach the SysV segment: %s", name, strerror(-d->error));
	} else if (d->error == -EISDIR) {
		snprintf(buf, size, "%s: is a directory (name the files in it)", name);
	} else if (d->error == -EINVAL) {
		snprintf(buf, size, "%s: not a regular file (numamove moves SysV segments, and files on tmpfs, hugetlbfs "
			 "or any file system)", name);
	} else if (d->error == -ENOENT) {
		snprintf(buf, size, "%s: no such file", name);
	} else {
		snprintf(buf, size, "%s: cannot open: %s", name, strerror(-d->error));
	}
}

static void cgroup_text(const struct numamove_report *rep, size_t i, const struct numamove_detail *d, char *buf,
			size_t size)
{
	const char *path = numamove_report_name(rep, i);

	switch (d->error) {
	case -ENOENT:
		snprintf(buf, size, "%s: not a cgroup v2 group", path);
		break;
	case -ENOTDIR:
		snprintf(buf, size, "%s: not a directory", path);
		break;
	case -EOPNOTSUPP:
		snprintf(buf, size, "%s: the cpuset controller is not enabled for this group (the root group has none; "
			 "enable it with +cpuset in the parent's cgroup.subtree_control)", path);
		break;
	case -EXDEV:
		snprintf(buf, size, "%s: a parent group does not allow the destination nodes (see its cpuset.mems)", path);
		break;
	case -EACCES:
	case -EPERM:
		snprintf(buf, size, "%s: cannot write cpuset.mems or cpuset.cpus (needs root, or a delegated group): %s",
			 path, strerror(-d->error));
		break;
	default:
		snprintf(buf, size, "%s: cannot move the group: %s", path, strerror(-d->error));
	}
}

const char *front_nodes_error(const char *opt, const char *text, int err, int bad,
			      const struct numamove_nodelist *all, char *buf, size_t size)
{
	char nodes[256];

	switch (err) {
	case -ENODEV:
		numamove_nodelist_format(all, nodes, sizeof(nodes));
		snprintf(buf, size, "%s: node %d does not exist (the nodes are %s)", opt, bad, nodes);
		break;
	case -ERANGE:
		snprintf(buf, size, "%s '%s': position %d is past the process's allowed nodes", opt, text, bad);
		break;
	case -ENOENT:
		snprintf(buf, size, "%s: '%s' selects no node", opt, text);
		break;
	case -EINVAL:
		snprintf(buf, size, "%s: invalid node list '%s'", opt, text);
		break;
	default:
		snprintf(buf, size, "%s '%s': %s", opt, text, strerror(-err));
		break;
	}
	return buf;
}

/* "--to: ..." for a node list that does not resolve for the target. */
static void nodes_text(const struct numamove_report *rep, const struct numamove_detail *d, char *buf, size_t size)
{
	bool from = d->text && strcmp(d->text, "from") == 0;

	front_nodes_error(from ? "--from" : "--to", d->text2 ? d->text2 : "", d->error, d->node,
			  numamove_report_nodes(rep), buf, size);
}

const char *front_detail_text(const struct numamove_report *rep, size_t i, const struct numamove_detail *d,
			      char *buf, size_t size)
{
	const char *err = d->error ? strerror(-d->error) : "";
	char label[4200], a[32], b[32];
	bool hugetlb = d->page_size != 0;

	if (i == NUMAMOVE_REPORT_REQUEST)
		snprintf(label, sizeof(label), "numamove");
	else
		front_label(rep, i, label, sizeof(label));
	switch ((int)d->why) {
	case NUMAMOVE_WHY_NO_PROCESS:
		if (numamove_report_kind(rep, i) == NUMAMOVE_TARGET_CGROUP || !numamove_report_comm(rep, i))
			snprintf(buf, size, "%s: no such process", numamove_report_name(rep, i));
		else if (numamove_report_result(rep, i))
			snprintf(buf, size, "%s: the process exited during the move; stopped", label);
		else
			snprintf(buf, size, "%s: the process exited", label);
		break;
	case NUMAMOVE_WHY_ZOMBIE:
		snprintf(buf, size, "%s: is a zombie: it has exited and has no memory", label);
		break;
	case NUMAMOVE_WHY_KTHREAD:
		snprintf(buf, size, "%s: is a kernel thread: it has no user memory", label);
		break;
	case NUMAMOVE_WHY_NODES:
		nodes_text(rep, d, buf, size);
		break;
	case NUMAMOVE_WHY_NODE_NO_MEMORY:
		snprintf(buf, size, "--to: node %d has no memory", d->node);
		break;
	case NUMAMOVE_WHY_NODE_NOT_ALLOWED:
		snprintf(buf, size, "%s: node %d is not in %s cpuset (its nodes are %s)", label, d->node,
			 d->tid == numamove_report_pid(rep, i) ? "the process's" : "numamove's", d->text ? d->text : "?");
		break;
	case NUMAMOVE_WHY_NO_ROOM:
		snprintf(buf, size, "%s: node %d has %s free, the move needs %s there; nothing moved (--force moves what "
			 "fits)", label, d->node, size_to_human(d->have, a, sizeof(a)), size_to_human(d->need, b, sizeof(b)));
		break;
	case NUMAMOVE_WHY_NO_HUGEPAGES:
		snprintf(buf, size, "%s: node %d has %" PRIu64 " free huge pages of %s, the move needs %" PRIu64 "; nothing "
			 "moved (reserve them in /sys/devices/system/node/node%d/hugepages/, or --force)", label, d->node,
			 d->have, size_to_human(d->page_size, a, sizeof(a)), d->need, d->node);
		break;
	case NUMAMOVE_WHY_KERNEL_CHAIN:
		snprintf(buf, size, "%s: --engine=kernel cannot chain or swap nodes (migrate_pages(2) pairs them by "
			 "position); the default engine can; nothing changed", label);
		break;
	case NUMAMOVE_WHY_NO_SHARED_POLICY:
		snprintf(buf, size, "%s: --policy: %s keep no policy of their own (%s); nothing moved", label,
			 hugetlb ? "hugetlb objects" : "regular files",
			 hugetlb ? "hugetlb pages have no shared policy in the kernel"
				 : "the page cache of a file follows the policy of whoever reads it");
		break;
	case NUMAMOVE_NOTE_POLICY_LEFT:
		snprintf(buf, size, "%s: note: its policy is left alone: %s", label,
			 hugetlb ? "hugetlb pages have no shared policy in the kernel"
				 : "the page cache of a file follows the policy of whoever reads it");
		break;
	case NUMAMOVE_WHY_INJECT:
		inject_text(label, d, "change its policy", buf, size);
		break;
	case NUMAMOVE_NOTE_REBIND_FAILED: {
		char first[2048];

		inject_text(label, d, "rebind its memory policies", first, sizeof(first));
		snprintf(buf, size, "%s\n%s: its memory moves, but new memory keeps following its old policies", first,
			 label);
		break;
	}
	case NUMAMOVE_WHY_OPEN:
		open_text(rep, i, label, d, buf, size);
		break;
	case NUMAMOVE_WHY_UNREACHABLE:
	case NUMAMOVE_WHY_SHARED_OUTSIDE:
	case NUMAMOVE_NOTE_SHARED_OUTSIDE: {
		/* A process's own shared memory: said of the process. */
		size_t parent = i == NUMAMOVE_REPORT_REQUEST ? i : numamove_report_parent(rep, i);
		bool planned = i != NUMAMOVE_REPORT_REQUEST && numamove_report_outcome(rep, i) == NUMAMOVE_OUTCOME_PLANNED;
		const char *name = d->text ? d->text : "?";
		char pl[4200];

		if (parent == NUMAMOVE_REPORT_REQUEST)
			memcpy(pl, label, sizeof(pl));
		else
			front_label(rep, parent, pl, sizeof(pl));
		if (d->why == NUMAMOVE_WHY_UNREACHABLE)
			snprintf(buf, size, "%s: %s: up to %s that the process does not map %s where %s: its anonymous shared "
				 "memory and memfd can be reached only through /proc/%d/map_files, which needs CAP_SYS_ADMIN "
				 "or CAP_CHECKPOINT_RESTORE (run numamove as root)", pl, name,
				 size_to_human(d->need, a, sizeof(a)), planned ? "would stay" : "stays", planned ? "it is" : "it was",
				 parent != NUMAMOVE_REPORT_REQUEST ? (int)numamove_report_pid(rep, parent) : 0);
		else if (d->why == NUMAMOVE_WHY_SHARED_OUTSIDE)
			snprintf(buf, size, "%s: %s: %s %s where %s: %" PRIu64 " process%s not named map%s it too (pid %d%s); "
				 "name %s too, or move with --with-shared (the pages the process maps %s with it)", pl, name,
				 size_to_human(d->need, a, sizeof(a)), planned ? "would stay" : "stays", planned ? "it is" : "it was",
				 d->have, d->have == 1 ? "" : "es", d->have == 1 ? "s" : "", (int)d->tid, d->have > 1 ? ", ..." : "",
				 d->have == 1 ? "it" : "them", planned ? "would move" : "moved");
		else
			snprintf(buf, size, "%s: %s: note: %" PRIu64 " process%s not named map%s it too (pid %d%s); %s with "
				 "--with-shared", pl, name, d->have, d->have == 1 ? "" : "es", d->have == 1 ? "s" : "",
				 (int)d->tid, d->have > 1 ? ", ..." : "", planned ? "would be moved" : "moved");
		break;
	}
	case NUMAMOVE_WHY_LOAD:
		/* said of the object by the name it was given, as when it cannot be opened */
		snprintf(label, sizeof(label), "%s", numamove_report_name(rep, i));
		if (d->error == -EOPNOTSUPP)
			snprintf(buf, size, "%s: cannot tell its resident huge pages from its holes: userfaultfd(2) is not "
				 "available", label);
		else if (d->error == -EACCES && hugetlb)
			snprintf(buf, size, "%s: finding the resident pages of a hugetlb object needs write permission on "
				 "it", label);
		else if (d->error == -EACCES && numamove_report_object_type(rep, i) == NUMAMOVE_OBJECT_FILE)
			snprintf(buf, size, "%s: cannot tell its cached pages from its holes without write permission (or "
				 "owning it)", label);
		else
			snprintf(buf, size, "%s: cannot read where its pages are: %s", label, err);
		break;
	case NUMAMOVE_WHY_SET_POLICY:
		snprintf(buf, size, "%s: cannot set its policy: %s%s; nothing moved", label, err,
			 d->error == -EACCES || d->error == -EPERM ? " (needs write permission on the object)" : "");
		break;
	case NUMAMOVE_WHY_CGROUP:
		if (d->tid || numamove_report_mems_before(rep, i) == NULL) {
			/* the group of a process: none found */
			const char *name = numamove_report_name(rep, i);

			if (name[strspn(name, "0123456789")] == '\0') {
				if (d->error == -ENOENT)
					snprintf(buf, size, "%s: not in a cgroup v2 hierarchy", name);
				else
					snprintf(buf, size, "%s: cannot find its cgroup: %s", name, err);
				break;
			}
		}
		cgroup_text(rep, i, d, buf, size);
		break;
	case NUMAMOVE_WHY_MAPS:
		snprintf(buf, size, "%s: cannot read its memory map: %s%s", label, err, access_hint(d->error));
		break;
	case NUMAMOVE_WHY_MOVE:
		if (numamove_report_kind(rep, i) == NUMAMOVE_TARGET_OBJECT)
			snprintf(buf, size, "%s: cannot move its pages: %s", label, err);
		else
			snprintf(buf, size, "%s: cannot move its memory: %s%s", label, err, access_hint(d->error));
		break;
	case NUMAMOVE_WHY_TID:
		snprintf(buf, size, "%s: --tid names a thread that is not one of its threads", label);
		break;
	case NUMAMOVE_WHY_PLAN:
		snprintf(buf, size, "%s: cannot plan the move: %s", label, err);
		break;
	case NUMAMOVE_WHY_POLICY_UNSUPPORTED:
		snprintf(buf, size, "%s: the running kernel does not have this policy's mode (weighted interleave needs "
			 "Linux 6.9); nothing changed", label);
		break;
	case NUMAMOVE_WHY_SYSTEM:
		snprintf(buf, size, "%s: cannot read the system's NUMA state: %s", label, err);
		break;
	case NUMAMOVE_NOTE_NUMA_BALANCING:
		if (i == NUMAMOVE_REPORT_REQUEST)
			snprintf(buf, size, "warning: automatic NUMA balancing is on (/proc/sys/kernel/numa_balancing): it "
				 "may move pages of default-policy processes back");
		else if (d->need)
			snprintf(buf, size, "%s: warning: automatic NUMA balancing is on and %" PRIu64 " thread%s keep%s the "
				 "default policy: it may move their pages back", label, d->need, d->need == 1 ? "" : "s",
				 d->need == 1 ? "s" : "");
		else
			snprintf(buf, size, "%s: warning: automatic NUMA balancing is on and its threads keep the default "
				 "policy: it may move its pages back", label);
		break;
	case NUMAMOVE_NOTE_POLICIES_KEPT:
		snprintf(buf, size, "%s: warning: it has memory policies that name the old nodes; with --memory-only they "
			 "stay, and new memory keeps following them", label);
		break;
	case NUMAMOVE_NOTE_AFFINITY_NO_CPUS:
		snprintf(buf, size, "%s: CPU affinity of %" PRIu64 " thread%s left alone: the destination nodes have no "
			 "CPUs", label, d->need, d->need == 1 ? "" : "s");
		break;
	case NUMAMOVE_NOTE_AFFINITY_FAILED:
		snprintf(buf, size, "%s: thread %d: cannot set CPU affinity: %s", label, (int)d->tid, err);
		break;
	case NUMAMOVE_NOTE_AFFINITY_ERROR:
		snprintf(buf, size, "%s: cannot set CPU affinity: %s", label, err);
		break;
	case NUMAMOVE_NOTE_SHARED_NEEDS_CAP:
		snprintf(buf, size, "%s: pages that other processes map move only with CAP_SYS_NICE", label);
		break;
	case NUMAMOVE_NOTE_OBJECT_GONE:
	case NUMAMOVE_NOTE_OBJECT_IPC_NS:
		/* An object of a process's, skipped: said of the process. */
		if (i != NUMAMOVE_REPORT_REQUEST && numamove_report_parent(rep, i) != NUMAMOVE_REPORT_REQUEST)
			front_label(rep, numamove_report_parent(rep, i), label, sizeof(label));
		snprintf(buf, size, "%s: %s: skipped: %s", label, d->text,
			 d->why == NUMAMOVE_NOTE_OBJECT_GONE ? "deleted or replaced since it was mapped"
							     : "a SysV segment of another IPC namespace");
		break;
	case NUMAMOVE_NOTE_MAPPINGS_KEPT:
		snprintf(buf, size, "%s: %" PRIu64 " mapping%s keep%s a policy of %s own (--mappings changes them too)",
			 label, d->need, d->need == 1 ? "" : "s", d->need == 1 ? "s" : "", d->need == 1 ? "its" : "their");
		break;
	case NUMAMOVE_NOTE_STAY: {
		bool planned = i != NUMAMOVE_REPORT_REQUEST && numamove_report_outcome(rep, i) == NUMAMOVE_OUTCOME_PLANNED;

		snprintf(buf, size, "%s: %" PRIu64 " thread%s with the default policy %s given %s, so that the memory "
			 "stays on the new nodes (undo: numamove policy %d --set default; or move with --no-stay)", label,
			 d->need, d->need == 1 ? "" : "s", planned ? "would be" : d->need == 1 ? "was" : "were",
			 d->text ? d->text : "?", i != NUMAMOVE_REPORT_REQUEST ? (int)numamove_report_pid(rep, i) : 0);
		break;
	}
	default:
		snprintf(buf, size, "%s: %s%s%s", label, numamove_why_name(d->why) ? numamove_why_name(d->why) : "error",
			 d->error ? ": " : "", err);
		break;
	}
	return buf;
}

/* Calls @fn with each line of @text (a sentence may take two). */
static void each_line(char *text, void (*fn)(const char *line, void *userdata), void *userdata)
{
	for (char *line = text, *nl; line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		fn(line, userdata);
	}
}

void front_each_message(const struct numamove_report *rep, size_t i, void (*fn)(const char *line, void *userdata),
			void *userdata)
{
	const struct numamove_detail *why = i == NUMAMOVE_REPORT_REQUEST ? NULL : numamove_report_why(rep, i);
	char buf[8192], label[4200];

	if (why) {
		front_detail_text(rep, i, why, buf, sizeof(buf));
		each_line(buf, fn, userdata);
	} else if (i != NUMAMOVE_REPORT_REQUEST && numamove_report_outcome(rep, i) == NUMAMOVE_OUTCOME_CANCELLED) {
		const struct numamove_result *res = numamove_report_result(rep, i);

		snprintf(buf, sizeof(buf), "%s: interrupted; %" PRIu64 " pages were moved, the rest stays where it was",
			 front_label(rep, i, label, sizeof(label)), res ? numamove_result_pages_moved(res) : 0);
		fn(buf, userdata);
	}
	for (size_t k = 0; k < numamove_report_note_count(rep, i); k++)
	{
		front_detail_text(rep, i, numamove_report_note(rep, i, k), buf, sizeof(buf));
		each_line(buf, fn, userdata);
	}
}

const char *front_status_name(const struct numamove_report *rep, size_t i)
{
	switch (numamove_report_outcome(rep, i)) {
	case NUMAMOVE_OUTCOME_DONE:
		return "moved";
	case NUMAMOVE_OUTCOME_CANCELLED:
		return "interrupted";
	case NUMAMOVE_OUTCOME_INVALID:
		return "usage";
	case NUMAMOVE_OUTCOME_FAILED:
	case NUMAMOVE_OUTCOME_REFUSED:
		return "error";
	default:
		return numamove_outcome_name(numamove_report_outcome(rep, i));
	}
}

bool front_group_add(struct front_group *g, size_t *n, size_t max, const char *before, const char *after)
{
	for (size_t k = 0; k < *n; k++)
		if (strcmp(g[k].before, before) == 0 && strcmp(g[k].after, after) == 0) {
			g[k].n++;
			return true;
		}
	if (*n >= max)
		return false;
	g[*n] = (struct front_group){ .before = strdup(before), .after = strdup(after), .n = 1 };
	if (!g[*n].before || !g[*n].after) {
		free(g[*n].before);
		free(g[*n].after);
		return false;
	}
	(*n)++;
	return true;
}

void front_groups_free(struct front_group *g, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		free(g[k].before);
		free(g[k].after);
	}
}

char *front_policy_text_alloc(const struct numamove_policy *policy)
{
	int len = policy ? numamove_policy_format(policy, NULL, 0) : -1;
	char *s;

	if (len < 0)
		return strdup("?");
	s = malloc((size_t)len + 1);
	if (s)
		numamove_policy_format(policy, s, (size_t)len + 1);
	return s;
}

bool front_affinity_groups(const struct numamove_affinity *aff, struct front_group *g, size_t *n, size_t max)
{
	*n = 0;
	for (size_t k = 0; k < numamove_affinity_count(aff); k++)
		if (numamove_affinity_status(aff, k) == NUMAMOVE_AFFINITY_SET &&
		    !front_group_add(g, n, max, numamove_affinity_cpus_before(aff, k),
				     numamove_affinity_cpus_after(aff, k)))
			return false;
	return true;
}

void front_json_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

const char *front_request_conflict(enum numamove_request_conflict why, enum front_voice voice)
{
	/* [why][voice]: the command's words, then numamoved's. */
	static const char *const text[][2] = {
		[NUMAMOVE_REQUEST_CONFLICT_CGROUP_MIXED] = {
			"--cgroup moves whole groups: it takes no --shm, --with-shared or --policy",
			"cgroups move as whole groups: not with other targets, 'with-shared' or 'policy'" },
		[NUMAMOVE_REQUEST_CONFLICT_FILES_NOT_SHARED] = {
			"--with-files goes with --with-shared",
			"option 'with-files' goes with 'with-shared'" },
		[NUMAMOVE_REQUEST_CONFLICT_NO_STAY_MEMORY_ONLY] = {
			"--no-stay is about the policies a move sets: not with --memory-only or --cgroup",
			"option 'no-stay' is about the policies a move sets: not with 'memory-only'" },
		[NUMAMOVE_REQUEST_CONFLICT_NO_STAY_CGROUP] = {
			"--no-stay is about the policies a move sets: not with --memory-only or --cgroup",
			"option 'no-stay' is about the policies a move sets: not with cgroups" },
		[NUMAMOVE_REQUEST_CONFLICT_SHARED_NO_PROCESS] = {
			"--with-shared is for processes: it moves the objects they map",
			"option 'with-shared' is for processes: it moves the objects they map" },
		[NUMAMOVE_REQUEST_CONFLICT_KERNEL_PACING] = {
			"--engine=kernel is one migrate_pages(2) call: no --jobs, --rate or --max-stall",
			"engine 'kernel' is one migrate_pages(2) call for processes: no 'jobs', 'rate', "
			"'max-stall-ms' or 'with-shared'" },
		[NUMAMOVE_REQUEST_CONFLICT_KERNEL_SHARED] = {
			"--engine=kernel moves processes only",
			"engine 'kernel' is one migrate_pages(2) call for processes: no 'jobs', 'rate', "
			"'max-stall-ms' or 'with-shared'" },
		[NUMAMOVE_REQUEST_CONFLICT_KERNEL_OBJECTS] = {
			"--engine=kernel moves processes only",
			"engine 'kernel' moves processes only" },
		[NUMAMOVE_REQUEST_CONFLICT_POLICY_NO_OBJECT] = {
			"--policy sets the shared policy of objects (paths, --shm, --with-shared)",
			"option 'policy' sets the shared policy of objects (path, shm, shm-key, or with-shared)" },
	};

	if ((size_t)why >= sizeof(text) / sizeof(text[0]) || (voice != FRONT_VOICE_COMMAND && voice != FRONT_VOICE_BUS))
		return NULL;
	return text[why][voice];
}
