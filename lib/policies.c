/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The policies of a running process, from /proc alone: nothing is stopped.
 *
 * /proc/PID/task/TID/numa_maps prints, for a mapping without a policy of
 * its own, the task policy of thread TID. The vDSO is such a mapping in
 * every process (nothing binds it), so its line gives each thread's task
 * policy. A mapping whose line differs from that has a policy of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct nm_polthread {
	pid_t tid;
	struct numamove_policy *policy; /* NULL: unknown */
};

struct nm_polmap {
	uint64_t start, end;
	char *name;
	bool shared;
	struct numamove_policy *policy;
};

struct numamove_policies {
	struct nm_polthread *t;
	size_t nt, at;
	struct nm_polmap *m;
	size_t nm, am;
};

/* The start of the vDSO in maps text, or 0. */
static uint64_t vdso_start(const char *maps)
{
	const char *hit = strstr(maps, "[vdso]");
	const char *line;

	if (!hit)
		return 0;
	for (line = hit; line > maps && line[-1] != '\n'; line--)
		;
	return strtoull(line, NULL, 16);
}

static const struct numamove_mapping *mapping_at(const struct numamove_maps *maps, uint64_t start)
{
	const struct numamove_mapping *found = NULL;

	/* The mapping holding @start: after a merge it may begin earlier. */
	for (size_t i = 0; i < maps->n && maps->m[i].start <= start; i++)
		found = &maps->m[i];
	return found;
}

/* Reads what thread @tid's numa_maps says, with its task policy. */
static int read_thread(pid_t pid, pid_t tid, struct numamove_maps **ret_maps,
		       struct numamove_policy **ret_task_policy)
{
	_cleanup_free_ char *numa_maps = NULL, *maps_text = NULL;
	const struct numamove_mapping *vdso;
	uint64_t start;
	int r;

	r = nm_read_filef(NULL, &numa_maps, "/proc/%d/task/%d/numa_maps", (int)pid, (int)tid);
	if (r == 0)
		r = nm_read_filef(NULL, &maps_text, "/proc/%d/task/%d/maps", (int)pid, (int)tid);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	r = numamove_maps_parse(numa_maps, maps_text, ret_maps);
	if (r < 0)
		return r;
	*ret_task_policy = NULL;
	start = vdso_start(maps_text);
	vdso = start ? mapping_at(*ret_maps, start) : NULL;
	if (vdso && vdso->start == start)
		(void)numamove_policy_parse(vdso->policy, NULL, ret_task_policy, NULL);
	return 0;
}

int nm_thread_task_policy(pid_t pid, pid_t tid, struct numamove_policy **ret)
{
	struct numamove_maps *maps = NULL;
	int r = read_thread(pid, tid, &maps, ret);

	numamove_maps_free(maps);
	if (r == 0 && !*ret)
		r = -ENODATA;
	return r;
}

int nm_thread_first_record(pid_t pid, pid_t tid, uint64_t *ret_start, char **ret_text)
{
	char path[64], buf[160], *p, *end;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	/*
	 * One short read: seq_file makes records only until the read is
	 * filled, so the kernel walks the first mapping or two (the
	 * program's text, a few pages) and not the big ones after it. A
	 * policy is at most 64 bytes as the kernel prints it (mpol_to_str()),
	 * so its text is whole within the first 160.
	 */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/numa_maps", (int)pid, (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -errno;
	buf[n] = '\0';
	if (ret_start)
		*ret_start = strtoull(buf, NULL, 16);
	p = strchr(buf, ' ');
	if (!p)
		return -ENODATA;
	p++;
	/* "prefer (many):0-1" and "weighted interleave:0-3" hold a space. */
	end = strchr(p, ' ');
	if (end && (strncmp(p, "prefer ", 7) == 0 || strncmp(p, "weighted ", 9) == 0))
		end = strchr(end + 1, ' ');
	if (!end) {
		end = p + strcspn(p, "\n");
		/* Cut off by the end of the buffer: not a whole policy. */
		if (!*end && n == (ssize_t)sizeof(buf) - 1)
			return -ENODATA;
	}
	*ret_text = strndup(p, (size_t)(end - p));
	return *ret_text ? 0 : -ENOMEM;
}

int nm_thread_first_policy(pid_t pid, pid_t tid, char **ret_text)
{
	return nm_thread_first_record(pid, tid, NULL, ret_text);
}

int nm_mapping_policy(pid_t pid, uint64_t start, struct numamove_policy **ret)
{
	_cleanup_free_ char *numa_maps = NULL;
	struct numamove_maps *maps = NULL;
	const struct numamove_mapping *m;
	int r;

	r = nm_read_filef(NULL, &numa_maps, "/proc/%d/numa_maps", (int)pid);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	r = numamove_maps_parse(numa_maps, NULL, &maps);
	if (r < 0)
		return r;
	m = mapping_at(maps, start);
	r = m ? numamove_policy_parse(m->policy, NULL, ret, NULL) : -ENODATA;
	numamove_maps_free(maps);
	return r;
}

NM_EXPORT void numamove_policies_free(struct numamove_policies *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nt; i++)
		numamove_policy_free(p->t[i].policy);
	for (size_t i = 0; i < p->nm; i++) {
		free(p->m[i].name);
		numamove_policy_free(p->m[i].policy);
	}
	free(p->t);
	free(p->m);
	free(p);
}

/* Mappings of the main thread whose policy is not its task policy. */
static int add_mappings(struct numamove_policies *p, const struct numamove_maps *maps,
			const struct numamove_policy *task_policy)
{
	for (size_t i = 0; i < maps->n; i++) {
		const struct numamove_mapping *m = &maps->m[i];
		struct numamove_policy *pol = NULL;
		struct nm_polmap *pm;
		int r;

		if (numamove_policy_parse(m->policy, NULL, &pol, NULL) < 0)
			continue;
		if (task_policy && numamove_policy_equal(pol, task_policy)) {
			numamove_policy_free(pol);
			continue;
		}
		r = nm_grow((void **)&p->m, &p->am, p->nm + 1, sizeof(*p->m));
		if (r < 0) {
			numamove_policy_free(pol);
			return r;
		}
		pm = &p->m[p->nm++];
		pm->start = m->start;
		pm->end = m->end;
		pm->shared = m->shared;
		pm->policy = pol;
		pm->name = strdup(m->name);
		if (!pm->name)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Thread @tid's task policy, known from the main thread's full view @main
 * (its mappings, and its task policy @main_policy) and the first record
 * of @tid's own numa_maps: when that mapping shows the main thread's task
 * policy there, it has no policy of its own (or one equal to it, which
 * nothing but an mbind(2) of the program's first mapping makes), so the
 * record shows @tid's task policy. Reading one record costs that
 * mapping's pages, not the whole address space: the cost of reading every
 * thread grows with threads plus memory, not their product. -EAGAIN when
 * the record cannot tell (the mapping has a policy of its own, or the
 * mappings changed): read the whole of it.
 */
static int quick_thread_policy(pid_t pid, pid_t tid, const struct numamove_maps *main,
			       const struct numamove_policy *main_policy, struct numamove_policy **ret)
{
	_cleanup_free_ char *text = NULL;
	struct numamove_policy *own = NULL;
	const struct numamove_mapping *m;
	uint64_t start = 0;
	bool same;
	int r;

	if (!main || !main_policy)
		return -EAGAIN;
	r = nm_thread_first_record(pid, tid, &start, &text);
	if (r == -ESRCH)
		return r;
	m = r == 0 ? mapping_at(main, start) : NULL;
	if (!m || m->start != start || numamove_policy_parse(m->policy, NULL, &own, NULL) < 0)
		return -EAGAIN;
	same = numamove_policy_equal(own, main_policy);
	numamove_policy_free(own);
	if (!same || numamove_policy_parse(text, NULL, ret, NULL) < 0)
		return -EAGAIN;
	return 0;
}

NM_EXPORT int numamove_policies_read(const struct numamove_task *task, struct numamove_policies **ret)
{
	_cleanup_free_ pid_t *tids = NULL;
	struct numamove_maps *main = NULL;
	struct numamove_policies *p;
	pid_t pid = numamove_task_pid(task);
	size_t n = 0;
	int r;

	r = numamove_task_threads(task, &tids, &n);
	if (r < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	/* The main thread (listed first) in full: the mappings, and what the others are read against. */
	for (size_t i = 0; i < n; i++) {
		struct numamove_maps *maps = NULL;
		struct numamove_policy *pol = NULL;

		r = -EAGAIN;
		if (tids[i] != pid && p->nt > 0 && p->t[0].tid == pid)
			r = quick_thread_policy(pid, tids[i], main, p->t[0].policy, &pol);
		if (r == -EAGAIN)
			r = read_thread(pid, tids[i], &maps, &pol);
		if (r == -ESRCH && tids[i] != pid)
			continue; /* the thread exited */
		if (r == 0)
			r = nm_grow((void **)&p->t, &p->at, p->nt + 1, sizeof(*p->t));
		if (r == 0) {
			p->t[p->nt++] = (struct nm_polthread){ .tid = tids[i], .policy = pol };
			pol = NULL;
			if (tids[i] == pid) {
				r = add_mappings(p, maps, p->t[p->nt - 1].policy);
				main = maps;
				maps = NULL;
			}
		}
		numamove_policy_free(pol);
		numamove_maps_free(maps);
		if (r < 0)
			break;
	}
	numamove_maps_free(main);
	if (r == 0)
		r = numamove_task_check(task);
	if (r < 0) {
		numamove_policies_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

NM_EXPORT size_t numamove_policies_thread_count(const struct numamove_policies *p)
{
	return p->nt;
}

NM_EXPORT pid_t numamove_policies_thread_tid(const struct numamove_policies *p, size_t i)
{
	return i < p->nt ? p->t[i].tid : 0;
}

NM_EXPORT const struct numamove_policy *numamove_policies_thread_policy(const struct numamove_policies *p,
									 size_t i)
{
	return i < p->nt ? p->t[i].policy : NULL;
}

NM_EXPORT size_t numamove_policies_mapping_count(const struct numamove_policies *p)
{
	return p->nm;
}

NM_EXPORT uint64_t numamove_policies_mapping_start(const struct numamove_policies *p, size_t i)
{
	return i < p->nm ? p->m[i].start : 0;
}

NM_EXPORT uint64_t numamove_policies_mapping_end(const struct numamove_policies *p, size_t i)
{
	return i < p->nm ? p->m[i].end : 0;
}

NM_EXPORT const char *numamove_policies_mapping_name(const struct numamove_policies *p, size_t i)
{
	return i < p->nm ? p->m[i].name : NULL;
}

NM_EXPORT bool numamove_policies_mapping_shared(const struct numamove_policies *p, size_t i)
{
	return i < p->nm && p->m[i].shared;
}

NM_EXPORT const struct numamove_policy *numamove_policies_mapping_policy(const struct numamove_policies *p,
									  size_t i)
{
	return i < p->nm ? p->m[i].policy : NULL;
}

NM_EXPORT bool numamove_policies_rebind_needed(const struct numamove_policies *p,
					       const struct numamove_plan *plan)
{
	for (size_t i = 0; i < p->nt; i++)
		if (nm_policy_remap_changes(p->t[i].policy, plan))
			return true;
	for (size_t i = 0; i < p->nm; i++)
		if (!p->m[i].shared && nm_policy_remap_changes(p->m[i].policy, plan))
			return true;
	return false;
}
