/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libnumamove: show and move the memory of running processes between NUMA
 * nodes.
 *
 * Conventions, as in libbpf and systemd:
 *  - every exported name starts with numamove_, and functions are named
 *    numamove_<type>_<verb>, where <type> is the whole struct name
 *    (numamove_policy_report_count() is about struct numamove_policy_report);
 *    macros take the name of what they belong to: NUMAMOVE_POLICY_MODE_*,
 *    NUMAMOVE_POLICY_F_*, NUMAMOVE_POLICY_SET_F_*, NUMAMOVE_POLICY_STATUS_*;
 *  - types are opaque and used through functions;
 *  - functions that can fail return 0 (or a count, or a node id) on success
 *    and a negative errno on failure: never -1, never a positive errno;
 *  - output parameters are named ret_* and are left untouched on failure;
 *    those written only on failure (to say why) are named reterr_*; the one
 *    exception, a partial result on failure, is said where it is
 *    (numamove_move(), numamove_object_move());
 *  - arrays and strings handed out through ret_* are the caller's, released
 *    with free() (each string of an array too); objects handed out are
 *    released with their *_free();
 *  - nothing the library returns through a const pointer or keeps is
 *    borrowed without saying so: a returned const pointer (a name, a node
 *    list, a policy) is valid as long as the object it came from, and until
 *    that object changes when a call changes it (see numamove_object_maps());
 *    no object keeps a pointer to an argument after the call returns;
 *  - NULL: every *_free() accepts NULL; elsewhere an argument may be NULL
 *    only where its description says so (opts, a reterr_*, a FROM list).
 *    Any other NULL is a caller's bug that the library does not promise to
 *    catch: accessors (functions that only read an object) do not check,
 *    and crash on it;
 *  - each public enum has a *_name() (or *_text()) function that returns a
 *    stable string for each value, and NULL for a value it does not know;
 *  - enums may gain values in later versions: a *_COUNT is the number this
 *    header knows, not part of the ABI; never size anything that the
 *    library fills with it;
 *  - options structs are sized and checked as in libbpf (see
 *    NUMAMOVE_OPTS());
 *  - every symbol is in a version node: LIBNUMAMOVE_0.3, or LIBNUMAMOVE_0.4
 *    for those added in 0.4 (numamove_plan_new_process() and the like);
 *  - the library never prints and never exits.
 *
 * Threads:
 *  - objects passed as const (a topology, maps, a plan, a policy, reports,
 *    results) may be used from several threads at once;
 *  - objects that calls change (a numamove_object, a node list being built)
 *    need the caller's locking;
 *  - numamove_move() and numamove_object_move() run worker threads (at most
 *    NUMAMOVE_JOBS_MAX) with every signal blocked, and block the calling
 *    thread until the move ends; progress callbacks, and the callback of
 *    numamove_shmem_objects(), run on the calling thread;
 *  - numamove_policy_set() and numamove_policy_rebind() trace the
 *    target's threads from a helper process (since 0.5; see
 *    NUMAMOVE_POLICY_SET_F_HELPER), which the calling thread waits for.
 *    numamove_inject_check(), and the policy calls where the helper may
 *    not trace the target and the caller may, make the calling thread the
 *    tracer and wait with waitpid(tid, __WALL): while one runs, no other
 *    thread of the process may call wait(), waitpid(-1, ...) or
 *    waitid(P_ALL, ...) without __WNOTHREAD, or it may steal the stops
 *    (slurmstepd and event-loop daemons with a SIGCHLD reaper do this:
 *    reap with __WNOTHREAD, or pass NUMAMOVE_POLICY_SET_F_HELPER /
 *    NUMAMOVE_REQUEST_F_INJECT_HELPER, which allow the helper only). They
 *    block SIGINT, SIGTERM, SIGHUP, SIGQUIT and the stop signals of the
 *    calling thread while the target's threads are held, and restore its
 *    mask before returning;
 *  - two calls that change the same process or object must not overlap.
 */
#ifndef NUMAMOVE_NUMAMOVE_H
#define NUMAMOVE_NUMAMOVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Topology: the machine's NUMA nodes as sysfs describes them.
 * ------------------------------------------------------------------------ */

struct numamove_topology;
struct numamove_nodelist;

/**
 * numamove_topology_load() - read the node topology
 * @sysroot: NULL or "/" for the running system, or a directory holding a
 *           recorded copy of sys/devices/system/node (for tests)
 * @ret_topo: the topology, to be released with numamove_topology_free()
 *
 * Node ids may be sparse (0,1,4,5) and node 0 need not exist.
 *
 * Return: 0, or -ENOENT when the sysroot has no node directory, or another
 * negative errno.
 */
int numamove_topology_load(const char *sysroot, struct numamove_topology **ret_topo);
void numamove_topology_free(struct numamove_topology *topo);

/** numamove_topology_nodes() - the online nodes, ascending (borrowed) */
const struct numamove_nodelist *numamove_topology_nodes(const struct numamove_topology *topo);
bool numamove_topology_has_node(const struct numamove_topology *topo, int node);
/** numamove_node_has_memory() - node has memory (CPU-less nodes may) */
bool numamove_node_has_memory(const struct numamove_topology *topo, int node);
/** numamove_node_has_cpus() - node has CPUs (memory-only nodes do not) */
bool numamove_node_has_cpus(const struct numamove_topology *topo, int node);
/** numamove_node_cpulist() - the node's CPUs as the kernel lists them ("0-3,8"), "" if none */
const char *numamove_node_cpulist(const struct numamove_topology *topo, int node);
/** numamove_node_mem_total() - bytes of memory on the node (MemTotal) */
uint64_t numamove_node_mem_total(const struct numamove_topology *topo, int node);
/** numamove_node_mem_free() - bytes of free memory on the node (MemFree) when loaded */
uint64_t numamove_node_mem_free(const struct numamove_topology *topo, int node);
/** numamove_node_distance() - SLIT distance from @from to @to, or -ENOENT if unknown */
int numamove_node_distance(const struct numamove_topology *topo, int from, int to);
/**
 * numamove_node_hugepages_free() - free huge pages of @page_size bytes on @node,
 * or -ENOENT when the node has no pool of that size
 */
long numamove_node_hugepages_free(const struct numamove_topology *topo, int node, uint64_t page_size);

/* ------------------------------------------------------------------------
 * Node lists: ordered lists of distinct node ids.
 *
 * Order matters: in a move, the i-th node of FROM goes to the i-th node
 * of TO (see numamove_plan_new()).
 * ------------------------------------------------------------------------ */

int numamove_nodelist_new(struct numamove_nodelist **ret_list);
void numamove_nodelist_free(struct numamove_nodelist *list);
/** numamove_nodelist_add() - append @node; -EEXIST if present, -EINVAL if negative */
int numamove_nodelist_add(struct numamove_nodelist *list, int node);
size_t numamove_nodelist_count(const struct numamove_nodelist *list);
/** numamove_nodelist_get() - the @i-th node, or -ERANGE past the end */
int numamove_nodelist_get(const struct numamove_nodelist *list, size_t i);
/** numamove_nodelist_index() - position of @node in @list, or -ENOENT */
int numamove_nodelist_index(const struct numamove_nodelist *list, int node);
bool numamove_nodelist_contains(const struct numamove_nodelist *list, int node);
/**
 * numamove_nodelist_format() - write @list as text into @buf
 *
 * Ascending runs are written as ranges ("0-3,5"); the written order is the
 * list's order ("3,1"). An empty list is written as "".
 *
 * Return: the length the full text needs (like snprintf), or negative errno.
 */
int numamove_nodelist_format(const struct numamove_nodelist *list, char *buf, size_t size);

/**
 * numamove_nodelist_parse() - parse a node list as users write it
 * @text:    "0-3,5" (order kept, ranges ascending), "all", "!LIST" (the
 *           allowed nodes not in LIST), "+LIST" (positions in the allowed
 *           nodes: "+0-1" is the first two allowed nodes)
 * @topo:    the machine; every node named must exist in it
 * @allowed: the nodes the list is relative to ("all", "!", "+"): usually the
 *           target's allowed nodes that have memory; NULL means every node of
 *           @topo that has memory
 * @ret_list: the parsed list
 * @reterr_bad: where not NULL, on -ENODEV the node that does not exist, on
 *           -ERANGE the "+" position past the allowed nodes, and on -EINVAL
 *           the byte offset of the error
 *
 * Return: 0; -EINVAL on a syntax error, a descending range or a repeated
 * node; -ENOENT when the list selects no node ("!all"); -ENODEV when a
 * node does not exist on the machine; -ERANGE when a "+" position is past
 * the allowed nodes.
 */
int numamove_nodelist_parse(const char *text, const struct numamove_topology *topo,
			    const struct numamove_nodelist *allowed,
			    struct numamove_nodelist **ret_list, int *reterr_bad);

/* ------------------------------------------------------------------------
 * Tasks: a handle on a running process, held by a pidfd so that an exit or
 * a reused pid is noticed.
 * ------------------------------------------------------------------------ */

struct numamove_task;

enum numamove_task_state {
	NUMAMOVE_TASK_RUNNING = 0, /* a user process with memory */
	NUMAMOVE_TASK_ZOMBIE,      /* exited, not yet reaped: no memory */
	NUMAMOVE_TASK_KTHREAD,     /* a kernel thread: no user memory */
};

/**
 * numamove_task_open() - open a handle on process @pid
 *
 * Return: 0, -ESRCH when there is no such process, -EINVAL for pid <= 0,
 * or another negative errno (from pidfd_open(2) or /proc).
 */
int numamove_task_open(pid_t pid, struct numamove_task **ret_task);
/**
 * numamove_task_open_pidfd() - a handle on the process of @pidfd (duplicated;
 * the caller keeps its own), e.g. one received over a socket
 *
 * Return: 0, -ESRCH when it has exited, -EBADF when @pidfd is not a pidfd.
 */
int numamove_task_open_pidfd(int pidfd, struct numamove_task **ret_task);
void numamove_task_free(struct numamove_task *task);
pid_t numamove_task_pid(const struct numamove_task *task);
/** numamove_task_comm() - the command name when the handle was opened */
const char *numamove_task_comm(const struct numamove_task *task);
/** numamove_task_uid() - the real uid of the process when opened */
uid_t numamove_task_uid(const struct numamove_task *task);
enum numamove_task_state numamove_task_state(const struct numamove_task *task);
/** numamove_task_state_name() - "running", "zombie", "kthread"; NULL for an unknown value */
const char *numamove_task_state_name(enum numamove_task_state state);
/**
 * numamove_task_check() - is the process still the one that was opened?
 *
 * Return: 0 when it runs; -ESRCH when it exited (its pid may since have
 * been reused: the pidfd tells, not the pid).
 */
int numamove_task_check(const struct numamove_task *task);
/** numamove_task_allowed_nodes() - the process's Mems_allowed (its cpuset) */
int numamove_task_allowed_nodes(const struct numamove_task *task, struct numamove_nodelist **ret_list);
/** numamove_task_threads() - thread ids of the process; *ret_tids freed with free() */
int numamove_task_threads(const struct numamove_task *task, pid_t **ret_tids, size_t *ret_count);

/* ------------------------------------------------------------------------
 * Placement: where a process's memory lives, from /proc/PID/numa_maps.
 * ------------------------------------------------------------------------ */

struct numamove_maps;
struct numamove_mapping;

enum numamove_kind {
	NUMAMOVE_KIND_ANON = 0, /* private anonymous: heap, stack, anon mmap */
	NUMAMOVE_KIND_FILE,     /* backed by a regular file (page cache, and its private copies) */
	NUMAMOVE_KIND_SHM,      /* shared memory: SysV shm, tmpfs, memfd, shared anonymous */
	NUMAMOVE_KIND_HUGE,     /* hugetlbfs huge pages */
	NUMAMOVE_KIND_COUNT, /* the kinds this header knows; values may be added */
};

/** numamove_kind_name() - "anon", "file", "shm", "huge"; NULL for an unknown value */
const char *numamove_kind_name(enum numamove_kind kind);

/**
 * numamove_maps_read() - a snapshot of the process's mappings and placement
 *
 * Needs ptrace read access to the process (same user, or CAP_SYS_PTRACE):
 * -EACCES otherwise; -ESRCH when it has exited.
 */
int numamove_maps_read(const struct numamove_task *task, struct numamove_maps **ret_maps);
/**
 * numamove_maps_read_unmapped() - the process's own shared memory it does not map
 * @task: the process
 * @maps: its mappings (numamove_maps_read())
 * @ret_maps: one entry per anonymous shared memory or memfd object the
 *            process maps (kind NUMAMOVE_KIND_SHM, or NUMAMOVE_KIND_HUGE;
 *            the name and start of its first mapping), whose pages per
 *            node are the object's resident pages that @maps does not
 *            count: resident in the object, mapped by no page table of the
 *            process (other processes may map them, or none)
 *
 * numa_maps counts only the pages a process's page tables map; a buffer of
 * shared memory that it has not touched (a server's buffers filled by
 * another process, which exited) is resident all the same, and moves with
 * the process (numamove_request_run()). The objects are opened as
 * numamove_object_open_mapping() with NUMAMOVE_OBJECT_OWN_SHARED does.
 *
 * Return: 0 (an empty list when it maps no such memory); -EPERM without
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE when it maps some; -ESRCH when
 * it has exited; or another negative errno. Since 0.4.
 */
int numamove_maps_read_unmapped(const struct numamove_task *task, const struct numamove_maps *maps,
				struct numamove_maps **ret_maps);
/**
 * numamove_maps_parse() - parse recorded /proc/PID/numa_maps and maps text
 * @numa_maps: the text of numa_maps
 * @maps: the text of /proc/PID/maps (for end addresses and sharing), or NULL
 */
int numamove_maps_parse(const char *numa_maps, const char *maps, struct numamove_maps **ret_maps);
void numamove_maps_free(struct numamove_maps *maps);
size_t numamove_maps_count(const struct numamove_maps *maps);
const struct numamove_mapping *numamove_maps_get(const struct numamove_maps *maps, size_t i);
/** numamove_maps_bytes() - bytes resident on @node (-1: all nodes) of @kind (-1: all kinds) */
uint64_t numamove_maps_bytes(const struct numamove_maps *maps, int node, int kind);
/** numamove_maps_nodes() - the nodes holding any of the memory, ascending */
int numamove_maps_nodes(const struct numamove_maps *maps, struct numamove_nodelist **ret_list);

uint64_t numamove_mapping_start(const struct numamove_mapping *m);
/** numamove_mapping_end() - end address, or 0 when unknown (no maps text) */
uint64_t numamove_mapping_end(const struct numamove_mapping *m);
enum numamove_kind numamove_mapping_kind(const struct numamove_mapping *m);
/** numamove_mapping_name() - file path, "[heap]", "[stack]", "[anon]", "[shm]" ... */
const char *numamove_mapping_name(const struct numamove_mapping *m);
/** numamove_mapping_policy() - the policy as numa_maps writes it ("default", "bind:0-1") */
const char *numamove_mapping_policy(const struct numamove_mapping *m);
/** numamove_mapping_policy_is_default() - true for "default" (any flags) */
bool numamove_mapping_policy_is_default(const struct numamove_mapping *m);
/** numamove_mapping_page_size() - bytes per page (kernelpagesize_kB) */
uint64_t numamove_mapping_page_size(const struct numamove_mapping *m);
/** numamove_mapping_pages() - resident pages on @node (-1: all nodes) */
uint64_t numamove_mapping_pages(const struct numamove_mapping *m, int node);
/** numamove_mapping_shared() - mapped MAP_SHARED */
bool numamove_mapping_shared(const struct numamove_mapping *m);

/* ------------------------------------------------------------------------
 * Moving: a plan maps source nodes to destination nodes; a move carries it
 * out and counts every page it could not move, with the reason.
 * ------------------------------------------------------------------------ */

struct numamove_plan;
struct numamove_result;
struct numamove_pacer;

/**
 * numamove_plan_new() - pair source and destination nodes
 * @maps: where the memory is now, or NULL for a mapping-only plan: nodes
 *        only, no byte counts (numamove_plan_bytes() is 0), for the cgroup
 *        route and numamove_policy_remap(); numamove_move() refuses it
 * @from: the source nodes in order, or NULL for every node holding memory
 *        in @maps (ascending); required when @maps is NULL
 * @to:   the destination nodes in order
 * @topo: the machine (for free memory and the capacity check)
 *
 * The plan borrows nothing: it keeps its own copy of what it needs from
 * @maps and @topo (the placement, and the free memory and free huge pages
 * of each destination as @topo had them loaded), so both may be freed at
 * once. The capacity checks thus see the free memory of the moment @topo
 * was loaded: load it again for a fresh figure.
 *
 * The rule: the i-th node of FROM goes to the (i mod |TO|)-th node of TO.
 * When TO is longer than FROM its extra nodes receive nothing; when FROM is
 * longer, TO is used round-robin. A source that maps to itself stays.
 * Unlike migrate_pages(2), which takes masks, the order of both lists is
 * kept, so "0,1 -> 1,0" is a swap.
 *
 * Return: 0; -EINVAL when TO or a given FROM is empty (a node list never
 * holds a node twice), or @maps and @from are both NULL; -ENODEV when a destination does not exist or has
 * no memory, or a source does not exist.
 */
int numamove_plan_new(const struct numamove_maps *maps, const struct numamove_nodelist *from,
		      const struct numamove_nodelist *to, const struct numamove_topology *topo,
		      struct numamove_plan **ret_plan);
void numamove_plan_free(struct numamove_plan *plan);
/**
 * numamove_plan_new_process() - a plan that moves @task as a whole
 * @task: the process; its threads' policies and CPUs are read (from /proc
 *        and sched_getaffinity(2); nothing is stopped)
 * @maps: its memory now (numamove_maps_read())
 * @to, @topo: as for numamove_plan_new()
 *
 * What a move without FROM means: everything the process uses goes to TO,
 * its memory, its policies and its CPUs. FROM is the nodes that hold its
 * memory, ascending, as numamove_plan_new() makes it with a NULL FROM; the
 * pages move by that. The plan also takes the nodes the process uses
 * without holding any of its memory there: nodes its policies name (a
 * bind:3 set before any page landed on node 3) and the memory nodes local
 * to the CPUs its threads may run on (a CPU of a memoryless node counts as
 * local to its nearest node with memory). These "extra" nodes
 * (numamove_plan_extra()) continue the rule where FROM stopped: the i-th
 * goes to the (|FROM| + i mod |TO|)-th node of TO, unless it is in TO
 * (then it stays). Their destination is where policies
 * (numamove_policy_remap(), numamove_plan_map_nodes()) and CPUs go;
 * numamove_plan_dest() and the byte counts stay about pages. The plan is
 * "whole" (numamove_plan_whole()): numamove_affinity_follow() then puts
 * every thread on CPUs of TO.
 *
 * Return: 0; -ESRCH when the process exited; as numamove_plan_new()
 * otherwise.
 */
int numamove_plan_new_process(const struct numamove_task *task, const struct numamove_maps *maps,
			      const struct numamove_nodelist *to, const struct numamove_topology *topo,
			      struct numamove_plan **ret_plan);
/** numamove_plan_whole() - whether @plan came from numamove_plan_new_process() */
bool numamove_plan_whole(const struct numamove_plan *plan);
/**
 * numamove_plan_extra() - the nodes a whole-process plan takes besides
 * FROM (borrowed; NULL for other plans): used by the process, holding none
 * of its memory
 */
const struct numamove_nodelist *numamove_plan_extra(const struct numamove_plan *plan);
/** numamove_plan_from() / numamove_plan_to() - the lists in force (borrowed) */
const struct numamove_nodelist *numamove_plan_from(const struct numamove_plan *plan);
const struct numamove_nodelist *numamove_plan_to(const struct numamove_plan *plan);
/** numamove_plan_dest() - where pages on @node go, or -1 when they stay */
int numamove_plan_dest(const struct numamove_plan *plan, int node);
/** numamove_plan_bytes() - bytes that would go from @src to @dst (-1: any) */
uint64_t numamove_plan_bytes(const struct numamove_plan *plan, int src, int dst);
/** numamove_plan_incoming() - bytes that would arrive on @node */
uint64_t numamove_plan_incoming(const struct numamove_plan *plan, int node);
/**
 * numamove_plan_map_nodes() - each node of @nodes replaced by its
 * destination (nodes the plan does not move stay; an extra node of a
 * whole-process plan goes where numamove_plan_new_process() says), without
 * repeats
 */
int numamove_plan_map_nodes(const struct numamove_plan *plan, const struct numamove_nodelist *nodes,
			    struct numamove_nodelist **ret_list);
/**
 * numamove_plan_check_capacity() - do the destinations have room?
 * @reterr_node: where not NULL, on -ENOSPC the first destination short of memory
 *
 * A destination has room when the bytes arriving, of every kind but
 * hugetlb pages, fit in its free memory (MemFree when the topology was
 * loaded).
 *
 * Return: 0, or -ENOSPC.
 */
int numamove_plan_check_capacity(const struct numamove_plan *plan, int *reterr_node);
/**
 * numamove_plan_check_hugepages() - do the destinations have the huge pages?
 * @reterr_node:      where not NULL, on -ENOSPC the first destination short of them
 * @reterr_page_size: the huge page size in bytes that is short there
 * @reterr_need:      the huge pages of that size that would arrive there
 * @reterr_free:      the free huge pages of that size there now
 *
 * hugetlb pages move into the destination node's pool of the same size
 * (free_hugepages in sysfs, as loaded with the topology). numamove_plan_check_capacity()
 * leaves them out, since they do not come from the node's free memory.
 *
 * Return: 0, or -ENOSPC.
 */
int numamove_plan_check_hugepages(const struct numamove_plan *plan, int *reterr_node, uint64_t *reterr_page_size,
				  uint64_t *reterr_need, uint64_t *reterr_free);

/* Why a page was not moved. */
enum numamove_reason {
	NUMAMOVE_REASON_SHARED = 0, /* mapped by other processes; moving it needs CAP_SYS_NICE */
	NUMAMOVE_REASON_BUSY,       /* pinned or under I/O: the kernel could not isolate it */
	NUMAMOVE_REASON_NOMEM,      /* the destination node ran out of memory */
	NUMAMOVE_REASON_UNMOVABLE,  /* in a mapping that cannot migrate (e.g. VM_IO, zero page) */
	NUMAMOVE_REASON_GONE,       /* unmapped or freed by the process during the move */
	NUMAMOVE_REASON_OTHER,      /* any other kernel error */
	NUMAMOVE_REASON_COUNT, /* the reasons this header knows; values may be added */
};
/** numamove_reason_text() - a short sentence explaining @reason; NULL for an unknown value */
const char *numamove_reason_text(enum numamove_reason reason);
/**
 * numamove_reason_name() - "shared", "busy", "nomem", "unmovable", "gone",
 * "other"; NULL for an unknown value
 */
const char *numamove_reason_name(enum numamove_reason reason);

/** Called from numamove_move() on the calling thread about every 100 ms; return nonzero to stop. */
typedef int (*numamove_progress_fn)(uint64_t bytes_done, uint64_t bytes_total, void *userdata);

/* How pages are moved. */
enum numamove_engine {
	NUMAMOVE_ENGINE_BATCHED = 0, /* parallel move_pages(2) batches, then a migrate_pages(2) sweep */
	NUMAMOVE_ENGINE_KERNEL,      /* migrate_pages(2) alone: one uninterruptible call */
};
/** numamove_engine_name() - "batched", "kernel"; NULL for an unknown value */
const char *numamove_engine_name(enum numamove_engine engine);

/*
 * Options structs, in libbpf's way: the caller sets sz to its
 * sizeof(struct ...), and the library reads only the fields inside it, so
 * programs built against an older, shorter struct keep working (the
 * fields they do not know take their defaults, which are always 0). A sz
 * smaller than sz itself, or a non-zero byte past the fields the library
 * knows (an option of a newer library it cannot honour), is -EINVAL, and so
 * is an option that cannot apply to the call. A NULL opts means every
 * default. Fill the struct with NUMAMOVE_OPTS(), which zeroes it first
 * (padding included) and sets sz:
 *
 *	NUMAMOVE_OPTS(numamove_move_opts, opts, .jobs = 4, .rate = 64 << 20);
 *	r = numamove_move(task, plan, &opts, &result);
 */
#define NUMAMOVE_OPTS(TYPE, NAME, ...)                                   \
	struct TYPE NAME = ({                                            \
		memset(&NAME, 0, sizeof(struct TYPE));                   \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ }; \
	})

struct numamove_move_opts {
	size_t sz;                     /* sizeof(struct numamove_move_opts) */
	numamove_progress_fn progress; /* may be NULL; not called by the kernel engine */
	void *userdata;                /* passed to progress */
	unsigned int flags;            /* NUMAMOVE_MOVE_*; unknown bits: -EINVAL */
	unsigned int jobs;             /* workers, at most NUMAMOVE_JOBS_MAX; 0: numamove_default_jobs() */
	uint64_t rate;                 /* at most this many bytes per second; 0: no limit */
	unsigned int max_stall_ms;     /* size calls to take at most about this long; 0: no bound */
	enum numamove_engine engine;   /* int-sized, as every enum on Linux ABIs */
	struct numamove_pacer *pacer;  /* a rate shared with other moves (numamove_pacer_new()), or NULL;
					* with it, rate is ignored; not with the kernel engine */
	size_t :0;
};
#define numamove_move_opts__last_field pacer
/* Do not pass MPOL_MF_MOVE_ALL even when the caller has CAP_SYS_NICE (batched engine only). */
#define NUMAMOVE_MOVE_PRIVATE_ONLY (1u << 0)
/* No migrate_pages(2) sweep after the batched pass. */
#define NUMAMOVE_MOVE_NO_SWEEP (1u << 1)
/*
 * The most workers numamove_move() runs: opts.jobs above it is -EINVAL. A
 * later library may raise this limit, never lower it, so a value up to
 * this header's NUMAMOVE_JOBS_MAX is accepted by this library and every
 * later one.
 */
#define NUMAMOVE_JOBS_MAX 64

/**
 * numamove_default_jobs() - workers for a move by @plan: the CPUs the
 * caller may run on (sched_getaffinity(2)), wherever they are, at least 1,
 * at most NUMAMOVE_JOBS_MAX. @plan may be NULL; a later library may use it.
 */
unsigned int numamove_default_jobs(const struct numamove_plan *plan);

/**
 * numamove_move() - move the pages of @task as @plan says
 *
 * The batched engine (the default): opts->jobs workers share the mappings
 * that hold pages on a source node, slice by slice. Each finds the present
 * pages (PAGEMAP_SCAN: holes are skipped; a transparent huge page is one
 * 2 MiB address, and counts as one page of 2 MiB), reads where they are
 * with move_pages(2), and moves those whose node has a destination, one
 * call per destination. opts->rate paces the calls; opts->max_stall_ms
 * sizes them. Pages shared with other processes move when the caller has
 * CAP_SYS_NICE; otherwise they are counted under NUMAMOVE_REASON_SHARED.
 * With one worker (opts->jobs 1, or one by default), no rate, pacer or
 * stall bound, and a plan that neither chains nor swaps nodes, the pass is
 * migrate_pages(2) instead (one call per node pair, or one for all: the
 * kernel's own walk is faster than move_pages(2) for one thread; it cannot
 * be interrupted, so progress's stop takes effect when it returns), and a
 * batched pass from a fresh numa_maps then moves and counts, page by
 * page, what it left; its pages are counted in base pages.
 * Every page left behind is counted in the result under its reason,
 * measured after the move. Then one migrate_pages(2) per node pair picks
 * up what the process faulted in meanwhile (numamove_result_sweep_bytes(),
 * from the rise of /proc/vmstat's pgmigrate_success; with a stall bound, a
 * second batched pass instead; a plan that chains or swaps nodes is not
 * swept).
 *
 * The kernel engine: migrate_pages(2) alone, one call (or one per pair);
 * what it moved is the rise of /proc/vmstat's pgmigrate_success, and the
 * pages it says it left are counted under NUMAMOVE_REASON_OTHER, as the
 * kernel gives no reasons. -EXDEV when the
 * plan chains or swaps nodes, which migrate_pages(2) cannot do.
 *
 * progress is called from the calling thread about every 100 ms; the
 * workers run with every signal blocked.
 *
 * @ret_result: always written, on failure too (an exception to the ret_
 *              rule): the result of the move; on failure the partial
 *              result of what was done before it stopped, or NULL when
 *              nothing was. Free it with numamove_result_free() either way.
 *
 * Return: 0 when the move ran to its end (pages may still have been left:
 * see numamove_result_pages_left()), -ESRCH when the process exited
 * (the result holds what was done), -ECANCELED when progress asked to stop,
 * -EPERM/-EACCES without the rights, -EINVAL for a mapping-only plan
 * (made without maps) or options that cannot apply (see
 * struct numamove_move_opts), or another negative errno.
 */
int numamove_move(const struct numamove_task *task, const struct numamove_plan *plan,
		  const struct numamove_move_opts *opts, struct numamove_result **ret_result);
void numamove_result_free(struct numamove_result *result);
uint64_t numamove_result_bytes_moved(const struct numamove_result *result);
uint64_t numamove_result_pages_moved(const struct numamove_result *result);
/** numamove_result_pages_left() - pages not moved for @reason (-1: all reasons) */
uint64_t numamove_result_pages_left(const struct numamove_result *result, int reason);
uint64_t numamove_result_bytes_left(const struct numamove_result *result, int reason);
/**
 * numamove_result_sweep_bytes() - bytes the final migrate_pages(2) sweep
 * moved: pages faulted in on a source node during the batched pass (not in
 * numamove_result_bytes_moved())
 */
uint64_t numamove_result_sweep_bytes(const struct numamove_result *result);
/**
 * numamove_result_max_call_ns() - the longest single call that moved
 * pages (move_pages(2) or migrate_pages(2)): about the longest time the
 * process may have waited for a page
 */
uint64_t numamove_result_max_call_ns(const struct numamove_result *result);
uint64_t numamove_result_calls(const struct numamove_result *result);
/** numamove_result_jobs() - how many workers ran (0 for the kernel engine) */
unsigned int numamove_result_jobs(const struct numamove_result *result);
/*
 * numamove_result_engine() - whose calls moved the pages:
 * NUMAMOVE_ENGINE_KERNEL when the pass was migrate_pages(2) (the kernel
 * engine, or the batched engine with one worker and nothing to pace or
 * bound), NUMAMOVE_ENGINE_BATCHED when it was move_pages(2) batches (since 0.5)
 */
enum numamove_engine numamove_result_engine(const struct numamove_result *result);

/* ------------------------------------------------------------------------
 * Shared objects: SysV shared memory segments, tmpfs and hugetlbfs files,
 * and the page cache of any regular file. They outlive the processes that
 * map them, so they are moved from here: numamove maps the object into the
 * calling process, faults in only the pages that are resident (never the
 * holes: touching a hole of a tmpfs file allocates memory, and of a regular
 * file reads it from disk), and moves those with move_pages(2).
 * ------------------------------------------------------------------------ */

struct numamove_object;
struct numamove_policy; /* see "Memory policies" */

enum numamove_object_type {
	NUMAMOVE_OBJECT_SYSV = 0,  /* a SysV shared memory segment (shmget(2)) */
	NUMAMOVE_OBJECT_TMPFS,     /* a file on tmpfs (/dev/shm, memfd) */
	NUMAMOVE_OBJECT_HUGETLBFS, /* a file on hugetlbfs */
	NUMAMOVE_OBJECT_FILE,      /* any other regular file: its page cache */
	NUMAMOVE_OBJECT_TYPE_COUNT, /* the types this header knows; values may be added */
};

/** numamove_object_type_name() - "sysv", "tmpfs", "hugetlbfs", "file"; NULL for an unknown value */
const char *numamove_object_type_name(enum numamove_object_type type);

/**
 * numamove_object_open() - a handle on the file at @path
 *
 * The path is looked up without opening anything (O_PATH): only once it is
 * known to be a regular file is it opened, read-only, as the file found.
 *
 * Return: 0; -ENOENT when there is no such file, -EISDIR for a directory,
 * -EINVAL for anything else that is not a regular file (a device, a fifo,
 * a socket), -EACCES when it cannot be opened for reading, or another
 * negative errno.
 */
int numamove_object_open(const char *path, struct numamove_object **ret_obj);
/**
 * numamove_object_open_shm() - a handle on the SysV segment @shmid
 *
 * Return: 0; -ENOENT when there is no such segment, -EACCES without read
 * permission, or another negative errno.
 */
int numamove_object_open_shm(int shmid, struct numamove_object **ret_obj);
/**
 * numamove_object_open_shm_key() - a handle on the SysV segment of key @key
 *
 * Return: 0; -ENOENT when no segment has that key, -EINVAL for
 * IPC_PRIVATE (0), which names no single segment; as numamove_object_open_shm().
 */
int numamove_object_open_shm_key(int key, struct numamove_object **ret_obj);
/**
 * numamove_object_open_mapping() - the shared object behind mapping @i of @maps
 * @maps:  read from @pid with numamove_maps_read()
 * @flags: NUMAMOVE_OBJECT_WITH_FILES to count regular files as objects
 * @ret_obj: the object, or NULL when the mapping is not backed by one
 *           (anonymous memory, memfd, a file other than tmpfs or hugetlbfs
 *           without the flag)
 *
 * Files are opened through /proc/PID/root and must still be the file the
 * process maps (same device and inode). A SysV segment is known by its id
 * in the process's IPC namespace, which must be the caller's.
 *
 * With NUMAMOVE_OBJECT_OWN_SHARED, the process's own shared memory is an
 * object too: a shared mapping of anonymous shared memory
 * (MAP_SHARED|MAP_ANONYMOUS, "/dev/zero (deleted)"; with MAP_HUGETLB
 * "/anon_hugepage") or of a memfd ("/memfd:NAME (deleted)"). It has no
 * name anyone can open, so it is opened through /proc/PID/map_files/,
 * which the kernel allows only to CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE
 * (in the initial user namespace), and must be the file the mapping maps.
 * Its type is NUMAMOVE_OBJECT_TMPFS (NUMAMOVE_OBJECT_HUGETLBFS for huge
 * pages), its path the mapping's name; it is the whole shmem file, also
 * the pages no process maps now.
 *
 * Return: 0; -ENOENT when the object no longer exists (a deleted file, a
 * removed segment, an unmapped mapping), -EXDEV for a SysV segment of
 * another IPC namespace (a containerised process), -EPERM for the
 * process's own shared memory without those capabilities, or an error of
 * the open functions.
 */
int numamove_object_open_mapping(const struct numamove_maps *maps, size_t i, pid_t pid, unsigned int flags,
				 struct numamove_object **ret_obj);
#define NUMAMOVE_OBJECT_WITH_FILES (1u << 0)
#define NUMAMOVE_OBJECT_OWN_SHARED (1u << 1) /* also anonymous shared memory and memfd (since 0.4) */
void numamove_object_free(struct numamove_object *obj);
/** numamove_object_same() - @a and @b are the same object */
bool numamove_object_same(const struct numamove_object *a, const struct numamove_object *b);

enum numamove_object_type numamove_object_type(const struct numamove_object *obj);
/** numamove_object_path() - the path it was opened by, or NULL for a SysV segment */
const char *numamove_object_path(const struct numamove_object *obj);
/** numamove_object_shmid() - the SysV segment's id, or -1 */
int numamove_object_shmid(const struct numamove_object *obj);
/** numamove_object_shm_key() - the SysV segment's key (0: IPC_PRIVATE) */
int numamove_object_shm_key(const struct numamove_object *obj);
/** numamove_object_size() - size in bytes */
uint64_t numamove_object_size(const struct numamove_object *obj);
/** numamove_object_page_size() - bytes per page: the huge page size of hugetlb objects */
uint64_t numamove_object_page_size(const struct numamove_object *obj);
/** numamove_object_is_hugetlb() - made of hugetlb pages (hugetlbfs, SHM_HUGETLB) */
bool numamove_object_is_hugetlb(const struct numamove_object *obj);
/**
 * numamove_object_has_shared_policy() - the kernel keeps a memory policy on
 * the object itself (tmpfs files and SysV segments that are not SHM_HUGETLB)
 */
bool numamove_object_has_shared_policy(const struct numamove_object *obj);

/**
 * numamove_object_load() - map the object and read where its pages are
 *
 * Maps the object read-only into the calling process, finds the resident
 * pages (mincore(2) and lseek(SEEK_DATA); for hugetlb objects a
 * userfaultfd(2) that turns a read of a hole into an error instead of an
 * allocation), reads only those, without readahead, and asks
 * move_pages(2) where each is. The mapping stays until
 * numamove_object_free(). Loading again reads the placement afresh.
 *
 * mincore(2) reports the page cache of a file truthfully only to its
 * owner, to CAP_FOWNER, and to those who may write it. For anyone else a
 * tmpfs file's pages are found with SEEK_DATA (its swapped-out pages count
 * as resident, and are read back), and a regular file is refused.
 *
 * Return: 0; -EACCES without the permission to map it, for a regular file
 * that the caller may not write and does not own (its cached pages cannot
 * be told from the others), and for a SHM_HUGETLB segment it may not
 * write (no userfaultfd on it); -EOPNOTSUPP when the holes of a hugetlb
 * object cannot be told apart (no userfaultfd); or another negative errno.
 */
int numamove_object_load(struct numamove_object *obj);
/** numamove_object_pages() - resident pages (of numamove_object_page_size()) on @node (-1: all) */
uint64_t numamove_object_pages(const struct numamove_object *obj, int node);
/** numamove_object_nodes() - the nodes holding its resident pages, ascending */
int numamove_object_nodes(const struct numamove_object *obj, struct numamove_nodelist **ret_list);
/**
 * numamove_object_policy() - the object's shared policy, as numa_maps writes
 * policies ("default", "bind:2", "interleave:0-1"), or NULL when the object
 * keeps none (hugetlbfs, regular files). Read by numamove_object_load().
 */
const char *numamove_object_policy(const struct numamove_object *obj);
/**
 * numamove_object_maps() - the loaded placement as a one-mapping numamove_maps,
 * for numamove_plan_new()
 *
 * Borrowed from @obj: valid until numamove_object_free(), and its contents
 * change with every numamove_object_load() and numamove_object_move() (the
 * placement is read again). A plan made from it keeps its own copy.
 */
const struct numamove_maps *numamove_object_maps(const struct numamove_object *obj);
/**
 * numamove_object_move() - move the object's resident pages as @plan says
 * @plan: made with numamove_plan_new() on numamove_object_maps()
 *
 * Pages that other processes map move only when the caller has
 * CAP_SYS_NICE, as for numamove_move(); the placement is read again after
 * the move.
 *
 * @opts: as for numamove_move(), but the kernel engine moves processes
 *        only: NUMAMOVE_ENGINE_KERNEL is -EINVAL here
 * @ret_result: always written, as for numamove_move()
 *
 * Return: as numamove_move(); -EINVAL when the object was not loaded.
 */
int numamove_object_move(struct numamove_object *obj, const struct numamove_plan *plan,
			 const struct numamove_move_opts *opts, struct numamove_result **ret_result);

/**
 * numamove_object_set_policy() - set the shared policy of a tmpfs file or SysV segment
 * (see "Memory policies" for the policy type)
 *
 * Pages that any process allocates in the object later follow the policy,
 * over every process's own policy. Pages already there do not move.
 *
 * Return: 0; -EOPNOTSUPP when the object keeps no shared policy
 * (hugetlbfs, SHM_HUGETLB, regular files); -EACCES without write
 * permission on the object; or another negative errno.
 */
int numamove_object_set_policy(struct numamove_object *obj, const struct numamove_policy *policy);
/**
 * numamove_object_pids() - the processes that map the object
 *
 * From /proc/PID/maps: only the processes whose maps the caller may read
 * (its own, or all with CAP_SYS_PTRACE). The caller is left out.
 * *ret_pids is freed with free().
 */
int numamove_object_pids(const struct numamove_object *obj, pid_t **ret_pids, size_t *ret_count);

/** numamove_shm_ids() - the ids of every SysV segment (/proc/sysvipc/shm); free() *ret_ids */
int numamove_shm_ids(int **ret_ids, size_t *ret_count);
/**
 * numamove_shmem_files() - every regular file under the tmpfs and hugetlbfs
 * mounts (/proc/self/mountinfo), without crossing into other mounts
 * @ret_paths: an array of paths, each and the array freed with free()
 */
int numamove_shmem_files(char ***ret_paths, size_t *ret_count);
/**
 * numamove_shmem_objects() - open every file of numamove_shmem_files()
 * @fn: called for each file in that order, with its path and either the
 *      object (@fn takes it over) and 0, or NULL and the negative errno of
 *      the open (-EACCES: no permission to read it). A non-zero return
 *      stops the walk.
 *
 * Each file is opened only if it is still the regular file the walk
 * found (same device and inode, not a symlink now); files gone or
 * replaced since are left out.
 *
 * Return: 0, the first non-zero return of @fn, or a negative errno of the walk.
 */
int numamove_shmem_objects(int (*fn)(const char *path, struct numamove_object *obj, int error, void *userdata),
			   void *userdata);

/* ------------------------------------------------------------------------
 * CPU affinity follows the memory.
 * ------------------------------------------------------------------------ */

struct numamove_affinity;

enum numamove_affinity_status {
	NUMAMOVE_AFFINITY_SET = 0,     /* the thread now runs on the destination CPUs */
	NUMAMOVE_AFFINITY_UNCHANGED,   /* its CPUs are on no source node, or already right */
	NUMAMOVE_AFFINITY_NO_CPUS,     /* its destination nodes have no CPUs: left alone */
	NUMAMOVE_AFFINITY_FAILED,      /* sched_setaffinity(2) failed: see the error */
	NUMAMOVE_AFFINITY_GONE,        /* the thread exited */
};

/**
 * numamove_affinity_follow() - move every thread's CPU affinity with @plan
 *
 * A thread's allowed CPUs are mapped node by node: a CPU local to a source
 * node (on it, or on a memoryless node whose nearest node with memory it
 * is) is replaced by the CPUs of that node's destination; CPUs local to
 * other nodes stay. With a whole-process plan (numamove_plan_new_process())
 * every thread ends on CPUs of TO: a CPU on a node of TO stays, one that
 * follows its node to a destination with CPUs becomes that destination's
 * CPUs, and any other is replaced by the CPUs of every node of TO that has
 * some. When a thread's CPUs cannot follow (their destination, or with a
 * whole-process plan every node of TO, has no CPUs) the thread is left
 * alone with NUMAMOVE_AFFINITY_NO_CPUS.
 *
 * Return: 0 (per-thread outcomes in the report), or a negative errno.
 */
int numamove_affinity_follow(const struct numamove_task *task, const struct numamove_plan *plan,
			     const struct numamove_topology *topo, struct numamove_affinity **ret_report);
void numamove_affinity_free(struct numamove_affinity *report);
size_t numamove_affinity_count(const struct numamove_affinity *report);
pid_t numamove_affinity_tid(const struct numamove_affinity *report, size_t i);
enum numamove_affinity_status numamove_affinity_status(const struct numamove_affinity *report, size_t i);
/** numamove_affinity_error() - the negative errno of a FAILED (or GONE) thread, else 0 */
int numamove_affinity_error(const struct numamove_affinity *report, size_t i);
/** numamove_affinity_cpus_before() - the thread's CPU list before, as text ("" unknown) */
const char *numamove_affinity_cpus_before(const struct numamove_affinity *report, size_t i);
/** numamove_affinity_cpus_after() - the thread's CPU list now, as text ("" unknown) */
const char *numamove_affinity_cpus_after(const struct numamove_affinity *report, size_t i);
/** numamove_affinity_status_name() - "set", "unchanged", "no-cpus", "failed", "gone"; NULL for an unknown value */
const char *numamove_affinity_status_name(enum numamove_affinity_status status);

/* ------------------------------------------------------------------------
 * Memory policies: the value, and those of a running process.
 *
 * A policy is a mode, flags and a set of nodes. Its text form is the one
 * numa_maps prints, with the modes spelled as below: "bind:2-3",
 * "interleave=static:0-3", "preferred:1", "local", "default". numa_maps's
 * own spellings ("prefer", "prefer (many)", "weighted interleave") parse
 * too.
 * ------------------------------------------------------------------------ */

struct numamove_policy;

/* The same numbers as the kernel's MPOL_* modes. */
enum numamove_policy_mode {
	NUMAMOVE_POLICY_MODE_DEFAULT = 0,         /* the task policy, or local allocation */
	NUMAMOVE_POLICY_MODE_PREFERRED,           /* one node first, then any */
	NUMAMOVE_POLICY_MODE_BIND,                /* only these nodes */
	NUMAMOVE_POLICY_MODE_INTERLEAVE,          /* page by page over the nodes */
	NUMAMOVE_POLICY_MODE_LOCAL,               /* the node of the allocating CPU */
	NUMAMOVE_POLICY_MODE_PREFERRED_MANY,      /* these nodes first, then any (5.15) */
	NUMAMOVE_POLICY_MODE_WEIGHTED_INTERLEAVE, /* interleave by the system's per-node weights (6.9) */
	NUMAMOVE_POLICY_MODE_COUNT, /* the modes this header knows; values may be added */
};

/* Flags: how the nodes are read when the allowed nodes (cpuset) change. */
#define NUMAMOVE_POLICY_F_STATIC (1u << 0)    /* these node ids, never remapped */
#define NUMAMOVE_POLICY_F_RELATIVE (1u << 1)  /* positions in the allowed nodes */
#define NUMAMOVE_POLICY_F_BALANCING (1u << 2) /* bind: NUMA balancing may still move pages */

/** numamove_policy_new() - a policy; -EINVAL when the kernel would refuse it */
int numamove_policy_new(enum numamove_policy_mode mode, unsigned int flags,
			const struct numamove_nodelist *nodes, struct numamove_policy **ret_policy);
/**
 * numamove_policy_parse() - a policy from its text form
 * @topo: nodes must exist and have memory (-ENODEV, @reterr_bad the node,
 * for one that does not exist or has none); NULL accepts any node number.
 * Node lists take the same forms as numamove_nodelist_parse() (except with
 * =relative, where they are plain positions). Errors as there, and -EINVAL
 * for an unknown mode or flag, nodes where the mode takes none, or a
 * missing node list.
 */
int numamove_policy_parse(const char *text, const struct numamove_topology *topo,
			  struct numamove_policy **ret_policy, int *reterr_bad);
void numamove_policy_free(struct numamove_policy *policy);
enum numamove_policy_mode numamove_policy_mode(const struct numamove_policy *policy);
unsigned int numamove_policy_flags(const struct numamove_policy *policy);
/** numamove_policy_nodes() - the nodes, ascending; empty for default and local */
const struct numamove_nodelist *numamove_policy_nodes(const struct numamove_policy *policy);
bool numamove_policy_equal(const struct numamove_policy *a, const struct numamove_policy *b);
/** numamove_policy_format() - the text form; returns the length needed, like snprintf */
int numamove_policy_format(const struct numamove_policy *policy, char *buf, size_t size);
/** numamove_policy_mode_name() - "default", "preferred", "bind", ...; NULL for an unknown value */
const char *numamove_policy_mode_name(enum numamove_policy_mode mode);
/**
 * numamove_policy_remap() - the policy a move by @plan turns @policy into:
 * each node is replaced by its destination (bind:0-1 moved 0,1->2,3 is
 * bind:2-3). Relative nodes, default and local stay as they are.
 */
int numamove_policy_remap(const struct numamove_policy *policy, const struct numamove_plan *plan,
			  struct numamove_policy **ret_policy);
/** numamove_policy_weight() - weighted interleave weight of @node (sysfs), or negative errno */
int numamove_policy_weight(int node);

/*
 * The policies of a running process, read from /proc without stopping it:
 * each thread's task policy (what /proc/PID/task/TID/numa_maps shows for
 * its vDSO, which no program binds), and each mapping whose policy differs
 * from the main thread's task policy, i.e. has one of its own. A mapping
 * policy equal to the task policy is not told apart from none.
 */
struct numamove_policies;

int numamove_policies_read(const struct numamove_task *task, struct numamove_policies **ret_policies);
void numamove_policies_free(struct numamove_policies *policies);
size_t numamove_policies_thread_count(const struct numamove_policies *policies);
pid_t numamove_policies_thread_tid(const struct numamove_policies *policies, size_t i);
/** numamove_policies_thread_policy() - NULL when it could not be read (the thread exited) */
const struct numamove_policy *numamove_policies_thread_policy(const struct numamove_policies *policies,
							       size_t i);
size_t numamove_policies_mapping_count(const struct numamove_policies *policies);
uint64_t numamove_policies_mapping_start(const struct numamove_policies *policies, size_t i);
uint64_t numamove_policies_mapping_end(const struct numamove_policies *policies, size_t i);
const char *numamove_policies_mapping_name(const struct numamove_policies *policies, size_t i);
bool numamove_policies_mapping_shared(const struct numamove_policies *policies, size_t i);
const struct numamove_policy *numamove_policies_mapping_policy(const struct numamove_policies *policies,
								size_t i);
/**
 * numamove_policies_rebind_needed() - whether a move by @plan changes a
 * thread's policy or a private mapping's (when unsure: true)
 */
bool numamove_policies_rebind_needed(const struct numamove_policies *policies,
				     const struct numamove_plan *plan);

/* ------------------------------------------------------------------------
 * Changing the policies of a running process.
 *
 * The kernel has no call for it, so numamove runs set_mempolicy(2) and
 * mbind(2) inside the target: ptrace stops its threads for the time of a
 * few syscalls each and lets them go with their registers restored, so that
 * a blocking call they were in (read, nanosleep, futex, epoll_wait, ...)
 * restarts without EINTR. The result is read back in the target and then
 * checked against /proc. Calls block SIGINT, SIGTERM, SIGHUP, SIGQUIT and
 * the stop signals of the calling thread while threads are held, and must
 * come from one thread (ptrace's rule).
 * ------------------------------------------------------------------------ */

/* Why a process cannot have syscalls run in it. */
enum numamove_inject_block {
	NUMAMOVE_INJECT_OK = 0,
	NUMAMOVE_INJECT_TRACED,   /* another tracer (a debugger, strace) is attached */
	NUMAMOVE_INJECT_STOPPED,  /* stopped (SIGSTOP, job control): it would not run the call */
	NUMAMOVE_INJECT_SECCOMP,  /* seccomp strict mode, or a filter that would kill or trap it for the call */
	NUMAMOVE_INJECT_COMPAT,   /* a 32-bit process */
	NUMAMOVE_INJECT_SECCOMP_UNKNOWN, /* seccomp filters numamove cannot read (needs CAP_SYS_ADMIN),
					  * or that look at the calls' arguments */
};
/** numamove_inject_block_name() - "ok", "traced", "stopped", "seccomp", "compat",
 * "seccomp-unknown"; NULL for an unknown value */
const char *numamove_inject_block_name(enum numamove_inject_block block);

/**
 * numamove_inject_check() - whether numamove may run syscalls in @task
 * @ret_tid: the thread that blocks it
 * Looks at every thread in /proc. Threads under seccomp filters are held
 * for a moment while their filters are read and run on the calls numamove
 * would make. Permission is not checked here: ptrace itself says -EPERM
 * (see numamove_ptrace_scope()).
 */
int numamove_inject_check(const struct numamove_task *task, enum numamove_inject_block *ret_block,
			  pid_t *ret_tid);
/** numamove_ptrace_scope() - Yama's /proc/sys/kernel/yama/ptrace_scope (0-3), or -ENOENT */
int numamove_ptrace_scope(void);

struct numamove_policy_report;

enum numamove_policy_status {
	NUMAMOVE_POLICY_STATUS_CHANGED = 0, /* set, read back and confirmed in /proc */
	NUMAMOVE_POLICY_STATUS_UNCHANGED,   /* already what was asked */
	NUMAMOVE_POLICY_STATUS_SKIPPED,     /* a shared object's policy: it belongs to the object, not the process */
	NUMAMOVE_POLICY_STATUS_GONE,        /* the thread exited, or the mapping went away */
	NUMAMOVE_POLICY_STATUS_FAILED,      /* the kernel refused: see the error */
	NUMAMOVE_POLICY_STATUS_PLANNED,     /* numamove_policy_rebind_plan(): would change from before to after */
};
/** numamove_policy_status_name() - "changed", "unchanged", "skipped", "gone", "failed", "planned"; NULL for an unknown value */
const char *numamove_policy_status_name(enum numamove_policy_status status);

/* An options struct as numamove_move_opts (see there): NUMAMOVE_OPTS(numamove_policy_opts, ...). */
struct numamove_policy_opts {
	size_t sz;          /* sizeof(struct numamove_policy_opts) */
	const pid_t *tids;  /* only these threads (borrowed for the call); NULL: every thread */
	size_t n_tids;      /* entries in tids; 0 exactly when tids is NULL, else -EINVAL */
	unsigned int flags; /* NUMAMOVE_POLICY_SET_F_*; unknown bits: -EINVAL */
	size_t :0;
};
#define numamove_policy_opts__last_field flags

/* numamove_policy_set(): replace the policies of mappings that have one too. */
#define NUMAMOVE_POLICY_SET_F_MAPPINGS (1u << 0)
/*
 * numamove_policy_set(), numamove_policy_rebind(): the whole call (hold,
 * set, read back, release, check) runs in a helper process (since 0.5
 * always, first; this flag only forbids the fallback below).
 *
 * Why: the ptrace stops go to the helper, never to a wait() of the
 * caller's (an event loop's SIGCHLD reaper, slurmstepd); and a caller
 * killed with SIGKILL never lets a thread of the target go in the middle
 * of an injected call, where it would resume from the vDSO with the call's
 * registers and most likely crash: the helper outlives the caller until
 * the call in flight has ended and that thread's registers are back, then
 * exits, which lets every held thread go on where it was.
 *
 * The helper is made with clone(2) (CLONE_VM | CLONE_VFORK, exit signal 0):
 * it shares the caller's memory and the calling thread sleeps, not even
 * running signal handlers (SIGKILL still ends it), until the helper exits;
 * other threads go on. No SIGCHLD is sent; wait() sees the helper only
 * with __WALL or __WCLONE, and a reaper that passes them may take its exit
 * status (the call does not need it; the reaper sees a pid it did not
 * start). It is a process group of its own (setpgid()), so that a kill of the
 * caller's process group does not reach it. If it is killed itself
 * (SIGKILL: it blocks every other signal; the OOM killer, which kills
 * every process sharing the memory; a kill of the whole cgroup; before
 * Linux 5.16, a core dump of the caller; the end of a caller that is PID 1
 * of its pid namespace), the
 * kernel lets the target's threads go, one in a call included, and the
 * call returns -ECHILD without a report; as for a thread killed there, a
 * helper killed inside malloc() would leave that lock taken.
 *
 * Cost: a clone() and an exit per call (a fraction of a millisecond),
 * nothing copied. Permission: the helper is the caller's child with its
 * credentials, not the caller: under Yama ptrace_scope 1 without
 * CAP_SYS_PTRACE it cannot trace the caller's own children (-EPERM) where
 * the caller could. Then, or where no helper could start (pids.max, no
 * memory for its stack), without this flag, the calling thread traces
 * (and the two guarantees above do not hold); with it, the call fails
 * with -EPERM. The target cannot be the caller itself (-EPERM).
 */
#define NUMAMOVE_POLICY_SET_F_HELPER (1u << 1)

/**
 * numamove_policy_set() - set the task policy of every thread (or
 * opts->tids) of @task to @policy, and with NUMAMOVE_POLICY_SET_F_MAPPINGS
 * the policy of every private mapping that has a policy of its own.
 * Returns 0 with a report (entries may still have failed), or -EBUSY when
 * numamove_inject_check() blocks, -EPERM when ptrace is not allowed,
 * -ESRCH when the process exited, -ENOENT when a tid is not a thread of it,
 * -EINVAL for options it cannot honour (see struct numamove_policy_opts),
 * -ECHILD when the helper (NUMAMOVE_POLICY_SET_F_HELPER) was killed,
 * -EOPNOTSUPP when the running kernel lacks @policy's mode (weighted
 * interleave before Linux 6.9; nothing is stopped) or the process is 32-bit.
 */
int numamove_policy_set(const struct numamove_task *task, const struct numamove_policy *policy,
			const struct numamove_policy_opts *opts, struct numamove_policy_report **ret_report);
/**
 * numamove_policy_rebind() - map every thread's task policy and every
 * private mapping policy of @task through @plan (numamove_policy_remap()).
 * When /proc shows no policy to rebind, nothing is stopped and the report
 * is empty. It always rebinds the mappings too:
 * NUMAMOVE_POLICY_SET_F_MAPPINGS changes nothing;
 * NUMAMOVE_POLICY_SET_F_HELPER applies. Errors as numamove_policy_set().
 */
int numamove_policy_rebind(const struct numamove_task *task, const struct numamove_plan *plan,
			   const struct numamove_policy_opts *opts, struct numamove_policy_report **ret_report);
/**
 * numamove_policy_rebind_plan() - what numamove_policy_rebind() would
 * change, read from /proc without stopping anything: an entry (status
 * NUMAMOVE_POLICY_PLANNED) per thread and private mapping whose policy a
 * move by @plan changes
 */
int numamove_policy_rebind_plan(const struct numamove_task *task, const struct numamove_plan *plan,
				struct numamove_policy_report **ret_report);
void numamove_policy_report_free(struct numamove_policy_report *report);
size_t numamove_policy_report_count(const struct numamove_policy_report *report);
/** numamove_policy_report_tid() - the thread of entry @i, or 0 for a mapping */
pid_t numamove_policy_report_tid(const struct numamove_policy_report *report, size_t i);
uint64_t numamove_policy_report_start(const struct numamove_policy_report *report, size_t i);
uint64_t numamove_policy_report_end(const struct numamove_policy_report *report, size_t i);
const struct numamove_policy *numamove_policy_report_before(const struct numamove_policy_report *report,
							     size_t i);
/** numamove_policy_report_after() - the policy now (asked for, when FAILED) */
const struct numamove_policy *numamove_policy_report_after(const struct numamove_policy_report *report,
							    size_t i);
enum numamove_policy_status numamove_policy_report_status(const struct numamove_policy_report *report,
							   size_t i);
/** numamove_policy_report_error() - negative errno of a FAILED entry */
int numamove_policy_report_error(const struct numamove_policy_report *report, size_t i);

/* ------------------------------------------------------------------------
 * The cgroup route: a process in a cgroup v2 cpuset of its own (a
 * container, a batch job) is moved by rewriting the group's cpuset.mems
 * (and cpuset.cpus): the kernel rebinds every policy of the group by
 * position and migrates its memory before the write returns.
 * ------------------------------------------------------------------------ */

/**
 * numamove_cgroup_of() - the directory of @pid's cgroup v2 group (-ENOENT: no cgroup v2);
 * *ret_path is the caller's, freed with free()
 */
int numamove_cgroup_of(pid_t pid, char **ret_path);
/**
 * numamove_cgroup_check() - 0 when @path is a cgroup v2 group with the
 * cpuset controller; -ENOENT not a cgroup, -ENOTDIR, -EOPNOTSUPP no cpuset
 * there (the root group, or a parent that does not enable cpuset)
 */
int numamove_cgroup_check(const char *path);
/** numamove_cgroup_pids() - the processes of the group (cgroup.procs); *ret_pids freed with free() */
int numamove_cgroup_pids(const char *path, pid_t **ret_pids, size_t *ret_count);
/**
 * numamove_cgroup_pids_below() - the processes of the group and of every
 * group below it, those the cgroup route counts and moves (cgroup v2 keeps
 * processes in leaves: a job's or a container's group often has none of
 * its own); a threaded group's through its domain. *ret_pids freed with
 * free(). Errors of the group itself; a group below removed meanwhile has
 * none. Since 0.7.
 */
int numamove_cgroup_pids_below(const char *path, pid_t **ret_pids, size_t *ret_count);
/** numamove_cgroup_mems() - the group's effective nodes (cpuset.mems.effective) */
int numamove_cgroup_mems(const char *path, struct numamove_nodelist **ret_list);

/**
 * numamove_slurm_cgroup() - the cgroup v2 directory of Slurm job or step @spec
 * ("JOBID" or "JOBID.STEP", STEP a number, batch, extern or interactive) on
 * this node: under slurmd's scope, system.slice/slurmstepd.scope (or
 * NODE_slurmstepd.scope), of the cgroup v2 mount, or of @root when not NULL
 * (tests). *ret_path freed with free(). -EINVAL a bad @spec, -ENOENT no such
 * job or step here (or no cgroup v2). Since 0.6.
 */
int numamove_slurm_cgroup(const char *spec, const char *root, char **ret_path);

/*
 * Every Slurm job group on this node, with whether it is suspended: Slurm
 * (proctrack/cgroup on cgroup/v2) freezes a suspended step's user group,
 * job_ID/step_N/user/cgroup.freeze. A list read once; its accessors read
 * nothing. Thread safety: the list may be read from several threads at
 * once; the calls that read the file system may run in any thread.
 */
struct numamove_slurm_jobs;

/**
 * numamove_slurm_jobs_read() - every job group of slurmd's scopes
 * (system.slice/slurmstepd.scope and NODE_slurmstepd.scope) of the cgroup v2
 * mount, or of @root when not NULL (tests), each with its state read now
 * (numamove_slurm_jobs_frozen()). Only directories job_JOBID with a JOBID as
 * numamove_slurm_cgroup() takes it; a job group removed while it is read
 * is left out. A directory that cannot be listed (a scope, system.slice:
 * EMFILE, ENOMEM, not a directory) leaves the list partial, not failed:
 * numamove_slurm_jobs_partial(). No cgroup v2 or no system.slice: an empty,
 * whole list. *ret_jobs freed with numamove_slurm_jobs_free(). 0, -EINVAL,
 * -ENOMEM, or an errno reading mountinfo. Since 0.7.
 */
int numamove_slurm_jobs_read(const char *root, struct numamove_slurm_jobs **ret_jobs);
/** numamove_slurm_jobs_free() - NULL is allowed */
void numamove_slurm_jobs_free(struct numamove_slurm_jobs *jobs);
size_t numamove_slurm_jobs_count(const struct numamove_slurm_jobs *jobs);
/**
 * numamove_slurm_jobs_partial() - 0 when every directory was listed whole;
 * else the negative errno of the first that was not: jobs may be missing,
 * so a job not in the list may not be taken as gone
 */
int numamove_slurm_jobs_partial(const struct numamove_slurm_jobs *jobs);
/** numamove_slurm_jobs_id() - job @i's id, "JOBID" (borrowed; NULL out of range) */
const char *numamove_slurm_jobs_id(const struct numamove_slurm_jobs *jobs, size_t i);
/** numamove_slurm_jobs_cgroup() - job @i's group, a directory (borrowed; NULL out of range) */
const char *numamove_slurm_jobs_cgroup(const struct numamove_slurm_jobs *jobs, size_t i);
/**
 * numamove_slurm_jobs_frozen() - job @i suspended, as read: 1 when one of
 * its steps' user/cgroup.freeze says 1, 0 when none does, a negative errno
 * when it could not be told (numamove_slurm_cgroup_frozen())
 */
int numamove_slurm_jobs_frozen(const struct numamove_slurm_jobs *jobs, size_t i);
/**
 * numamove_slurm_jobs_ino() - the inode of job @i's directory (st_ino; 0
 * unknown): a job id reused later is another group, another inode
 */
uint64_t numamove_slurm_jobs_ino(const struct numamove_slurm_jobs *jobs, size_t i);
/**
 * numamove_slurm_cgroup_frozen() - whether job group @path (as
 * numamove_slurm_cgroup() gives it) is suspended now: 1 when one of its
 * steps' user/cgroup.freeze says 1, 0 when none does (a step without it:
 * ended, or not started); a negative errno when it cannot be told: the
 * first step read that fails, or -ENOENT/-ENOTDIR when @path is gone or no
 * directory. Steps in the directory's order: the first that says frozen or
 * fails answers. Since 0.7.
 */
int numamove_slurm_cgroup_frozen(const char *path);

/* numamove_cgroup_move(): leave cpuset.cpus alone. */
#define NUMAMOVE_CGROUP_MEMS_ONLY (1u << 0)

/**
 * numamove_cgroup_move() - send each of the group's nodes where @plan sends
 * it: cpuset.cpus becomes the CPUs of the new nodes (unless they have none,
 * or NUMAMOVE_CGROUP_MEMS_ONLY), then cpuset.mems the new nodes, which the
 * kernel migrates to before returning. @ret_mems (may be NULL): the nodes
 * written. -EXDEV when a parent group does not allow the new nodes.
 */
int numamove_cgroup_move(const char *path, const struct numamove_plan *plan,
			 const struct numamove_topology *topo, unsigned int flags,
			 struct numamove_nodelist **ret_mems);

/* ------------------------------------------------------------------------
 * Requests: a whole move (or policy change) as one library operation.
 *
 * A request holds targets (processes by pid or by an open task, shared
 * objects, cgroups), node specifications parsed once and resolved per
 * target against that target's allowed nodes, and options. Running it does
 * the whole sequence for each target, in the order they were added:
 *
 *  process: open it (by pidfd), resolve --to/--from against its cpuset,
 *    read its placement, plan, refuse what cannot work before anything is
 *    changed (unknown or memoryless nodes, nodes outside its cpuset, too
 *    little free memory or huge pages, a chain or swap with the kernel
 *    engine), rebind its memory policies, move its pages, let its CPU
 *    affinity follow, then its own shared memory (anonymous shared memory
 *    and memfd: only processes of its family can reach them), each object
 *    once per request, also the resident pages no process maps now, as a
 *    target of its own with the process's node lists; one that processes
 *    not named in the request map too is left (PARTIAL,
 *    NUMAMOVE_WHY_SHARED_OUTSIDE) unless NUMAMOVE_REQUEST_F_WITH_SHARED; one
 *    that cannot be reached is PARTIAL (NUMAMOVE_WHY_UNREACHABLE); then
 *    (NUMAMOVE_REQUEST_F_WITH_SHARED) each other shared object it maps
 *    (SysV segments, tmpfs and hugetlbfs files, which other programs may
 *    open by name), likewise;
 *  object: open it, resolve the nodes against the caller's own cpuset,
 *    load its resident pages, plan, check, set its shared policy if asked,
 *    move its pages;
 *  cgroup: rewrite the group's cpuset.cpus and cpuset.mems; the kernel
 *    rebinds and migrates; what moved is measured from the group's
 *    processes.
 *
 * and returns one report: per target an outcome, the reason of a refusal
 * or failure with its numbers, notes, bytes per node before and after,
 * and the move, rebind and affinity reports. The library decides; a front
 * end fills the request and renders the report.
 *
 * Threads: numamove_request_run() runs on the calling thread and blocks
 * it until the request is done; it starts worker threads for the moves
 * and, to change policies, makes the calling thread the ptrace tracer of
 * the target's threads (see "Changing the policies of a running process":
 * no other thread of the caller may wait() for any child meanwhile, unless
 * NUMAMOVE_REQUEST_F_INJECT_HELPER is set). The callbacks run on the
 * calling thread. numamove_request_cancel() may be called from any thread
 * and from a signal handler. One request runs once at a time; several
 * requests may run at once in different threads, and may share a pacer.
 * ------------------------------------------------------------------------ */

struct numamove_request;
struct numamove_report;
struct numamove_pacer;

/* What a request does to its targets. */
enum numamove_action {
	NUMAMOVE_ACTION_MOVE = 0,   /* move the memory (numamove move) */
	NUMAMOVE_ACTION_SET_POLICY, /* set the memory policy of processes (numamove policy --set) */
};

/* The outcome of one target; numamove_report_worst() ranks them. */
enum numamove_outcome {
	NUMAMOVE_OUTCOME_DONE = 0,  /* everything moved (or every policy changed) */
	NUMAMOVE_OUTCOME_PLANNED,   /* a dry run: the plan is in the report, nothing changed */
	NUMAMOVE_OUTCOME_SKIPPED,   /* left alone on purpose (numamove_report_why() says why: an object of a
				     * WITH_SHARED process deleted since it was mapped, or of another IPC
				     * namespace) */
	NUMAMOVE_OUTCOME_PARTIAL,   /* done, but pages or policies were left behind (counted) */
	NUMAMOVE_OUTCOME_REFUSED,   /* not started: it would not work or not fit (numamove_report_why()) */
	NUMAMOVE_OUTCOME_FAILED,    /* an error stopped it (numamove_report_why()) */
	NUMAMOVE_OUTCOME_EXITED,    /* the process exited during the request */
	NUMAMOVE_OUTCOME_CANCELLED, /* numamove_request_cancel(): stopped between two steps */
	NUMAMOVE_OUTCOME_INVALID,   /* the request cannot apply to it: a node it names does not exist
				     * or has no memory, a position past the allowed nodes */
};
/** numamove_outcome_name() - "done", "planned", ..., or NULL for an unknown value */
const char *numamove_outcome_name(enum numamove_outcome outcome);

/* What a target is. */
enum numamove_target_kind {
	NUMAMOVE_TARGET_PROCESS = 0,
	NUMAMOVE_TARGET_OBJECT,
	NUMAMOVE_TARGET_CGROUP,
};

/*
 * Why a target was refused or failed, or what a note is about. The
 * numbers that go with each are in struct numamove_detail (fields not
 * named are 0, -1 for nodes, NULL for texts).
 */
enum numamove_why {
	NUMAMOVE_WHY_NONE = 0,
	/* refusals and failures */
	NUMAMOVE_WHY_NO_PROCESS,      /* no such process (error -ESRCH) */
	NUMAMOVE_WHY_ZOMBIE,          /* it has exited, not yet reaped: no memory */
	NUMAMOVE_WHY_KTHREAD,         /* a kernel thread: no user memory */
	NUMAMOVE_WHY_NODES,           /* --to/--from do not resolve for it: error -ENODEV (.node does not
				       * exist), -ERANGE (.node is a position past the allowed nodes),
				       * -ENOENT (selects no node); .text: "to" or "from" */
	NUMAMOVE_WHY_NODE_NO_MEMORY,  /* destination .node has no memory */
	NUMAMOVE_WHY_NODE_NOT_ALLOWED, /* destination .node is outside the cpuset (.text: its nodes) of the
					* target, or for objects of the caller (.tid: that process) */
	NUMAMOVE_WHY_NO_ROOM,         /* .node has .have bytes free, the move needs .need there */
	NUMAMOVE_WHY_NO_HUGEPAGES,    /* .node has .have free huge pages of .page_size, the move needs .need */
	NUMAMOVE_WHY_KERNEL_CHAIN,    /* the kernel engine cannot chain or swap nodes */
	NUMAMOVE_WHY_NO_SHARED_POLICY, /* a policy was asked for an object that keeps none (hugetlb: .page_size
					* is its page size; else a regular file) */
	NUMAMOVE_WHY_INJECT,          /* syscalls cannot be run in it: .block (enum numamove_inject_block),
				       * .tid the thread; or error -EPERM with .scope */
	NUMAMOVE_WHY_OPEN,            /* the process or object cannot be opened (error; objects: .text how it
				       * was named: "path", "shm", "shm-key", or the mapping's name) */
	NUMAMOVE_WHY_LOAD,            /* the object's resident pages cannot be found (error: -EACCES for
				       * hugetlb or a file the caller may not write, -EOPNOTSUPP without
				       * userfaultfd) */
	NUMAMOVE_WHY_SET_POLICY,      /* the object's shared policy cannot be set (error) */
	NUMAMOVE_WHY_CGROUP,          /* the cgroup cannot be used or written (error: -ENOENT not a cgroup v2
				       * group, -ENOTDIR, -EOPNOTSUPP no cpuset controller, -EXDEV a parent
				       * does not allow the nodes, -EACCES) */
	NUMAMOVE_WHY_MAPS,            /* its memory map cannot be read (error) */
	NUMAMOVE_WHY_MOVE,            /* the move itself failed (error) */
	NUMAMOVE_WHY_TID,             /* a thread asked for is not a thread of the process (SET_POLICY) */
	NUMAMOVE_WHY_PLAN,            /* the move cannot be planned (error) */
	NUMAMOVE_WHY_SYSTEM,          /* what numamove needs of the system cannot be read (error) */
	NUMAMOVE_WHY_POLICY_UNSUPPORTED, /* the running kernel lacks the policy's mode (weighted interleave
					  * before Linux 6.9): refused before anything is stopped or changed */
	NUMAMOVE_WHY_UNREACHABLE,     /* the process's own shared memory .text (an object target, PARTIAL)
				       * cannot be reached: error -EPERM, /proc/PID/map_files needs
				       * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE; .need: at most that many
				       * bytes of it, the part the process does not map, stay (since 0.4) */
	NUMAMOVE_WHY_SHARED_OUTSIDE,  /* the process's own shared memory .text (an object target, PARTIAL)
				       * is also mapped by .have processes that were not named (.tid: the
				       * first); left where it is without WITH_SHARED: .need bytes stay
				       * (the part the process maps moved with it) (since 0.4) */
	/* notes */
	NUMAMOVE_NOTE_NUMA_BALANCING = 64, /* automatic NUMA balancing is on: it may move pages of
					    * default-policy processes back (request-wide with MEMORY_ONLY
					    * or NO_STAY; for a process, since 0.4: .need of its threads
					    * keep the default policy, 0 not known) */
	NUMAMOVE_NOTE_POLICIES_KEPT,  /* memory only: policies that name the old nodes stay */
	NUMAMOVE_NOTE_REBIND_FAILED,  /* its policies could not be rebound (as NUMAMOVE_WHY_INJECT): its
				       * memory moves, new memory follows the old policies */
	NUMAMOVE_NOTE_AFFINITY_NO_CPUS, /* .need threads' affinity left alone: the destinations have no CPUs */
	NUMAMOVE_NOTE_AFFINITY_FAILED,  /* thread .tid's affinity could not be set (error) */
	NUMAMOVE_NOTE_AFFINITY_ERROR,   /* the affinity could not be followed at all (error) */
	NUMAMOVE_NOTE_SHARED_NEEDS_CAP, /* .need pages other processes map stay: moving them needs CAP_SYS_NICE */
	NUMAMOVE_NOTE_POLICY_LEFT,    /* --with-shared: an object's policy left alone (as
				       * NUMAMOVE_WHY_NO_SHARED_POLICY) */
	NUMAMOVE_NOTE_OBJECT_GONE,    /* WITH_SHARED: .text deleted or replaced since it was mapped (the why of
				       * a SKIPPED object target) */
	NUMAMOVE_NOTE_OBJECT_IPC_NS,  /* WITH_SHARED: .text is a SysV segment of another IPC namespace (the
				       * why of a SKIPPED object target) */
	NUMAMOVE_NOTE_MAPPINGS_KEPT,  /* SET_POLICY without MAPPINGS: .need private mappings keep a policy of
				       * their own */
	NUMAMOVE_NOTE_STAY,           /* (since 0.4) .need threads with the default policy were given .text
				       * (e.g. "preferred:3") so that the memory stays on the destinations */
	NUMAMOVE_NOTE_SHARED_OUTSIDE, /* WITH_SHARED: the process's own shared memory was moved although
				       * .have processes that were not named map it too (.tid: the
				       * first) (since 0.4) */
};
/** numamove_why_name() - "no-process", "no-room", ..., or NULL for an unknown value */
const char *numamove_why_name(enum numamove_why why);

/*
 * A refusal, failure or note, with its numbers. Owned by the report; the
 * library may append fields in later versions (read only the ones you know,
 * never copy the struct by value).
 */
struct numamove_detail {
	enum numamove_why why;
	int error;          /* negative errno, or 0 */
	int node;           /* the node concerned, or -1 */
	uint64_t need, have; /* bytes, huge pages or threads, as the code says */
	uint64_t page_size;
	pid_t tid;          /* the thread concerned, or 0 */
	int block;          /* enum numamove_inject_block */
	int scope;          /* Yama's ptrace_scope, or -1 */
	const char *text;   /* a node list, a path, "to" or "from", as the code says; or NULL */
	const char *text2;  /* NUMAMOVE_WHY_NODES: the node list as given; or NULL */
};

/* What a front end learns while a request runs. */
enum numamove_phase {
	NUMAMOVE_PHASE_START = 0, /* a target begins (its name is in the report; a process's pid and comm once opened) */
	NUMAMOVE_PHASE_REBIND,    /* its policies are being rebound */
	NUMAMOVE_PHASE_MOVE,      /* its pages are moving: bytes, rate, ETA (about every 100 ms) */
	NUMAMOVE_PHASE_MOVED,     /* its pages moved (final bytes, longest call) */
	NUMAMOVE_PHASE_DONE,      /* the target is finished: its outcome is in the report */
};

struct numamove_event {
	size_t sz;               /* sizeof(struct numamove_event) as the library knows it */
	size_t target;           /* index into the report */
	enum numamove_phase phase;
	uint64_t bytes_done, bytes_total;
	uint64_t elapsed_ns;
	uint64_t rate;           /* bytes per second so far, 0 unknown */
	uint64_t eta_ns;         /* 0 when unknown or finished */
	uint64_t max_call_ns;    /* PHASE_MOVED: the longest single call */
};
typedef void (*numamove_event_fn)(const struct numamove_report *report, const struct numamove_event *event,
				  void *userdata);

enum numamove_log_level {
	NUMAMOVE_LOG_WARN = 0,
	NUMAMOVE_LOG_INFO,
	NUMAMOVE_LOG_DEBUG,
};
/* @target: index into the report, or NUMAMOVE_REPORT_REQUEST; @error: negative errno or 0. */
typedef void (*numamove_log_fn)(enum numamove_log_level level, size_t target, int error, const char *message,
				void *userdata);

/* Request flags. */
#define NUMAMOVE_REQUEST_F_DRY_RUN (1u << 0)     /* plan and check only; change nothing */
#define NUMAMOVE_REQUEST_F_FORCE (1u << 1)       /* move even when the destinations look too small */
#define NUMAMOVE_REQUEST_F_MEMORY_ONLY (1u << 2) /* leave policies and CPU affinity (cgroups: cpuset.cpus) alone */
#define NUMAMOVE_REQUEST_F_WITH_SHARED (1u << 3) /* processes: also the SysV, tmpfs and hugetlbfs objects they map */
#define NUMAMOVE_REQUEST_F_WITH_FILES (1u << 4)  /* with WITH_SHARED: also the page cache of the files they map */
#define NUMAMOVE_REQUEST_F_MAPPINGS (1u << 5)    /* SET_POLICY: also private mappings with a policy of their own */
#define NUMAMOVE_REQUEST_F_INJECT_HELPER (1u << 6) /* change policies from a helper process only,
						    * never from the calling thread:
						    * NUMAMOVE_POLICY_SET_F_HELPER (see there) */
#define NUMAMOVE_REQUEST_F_NO_STAY (1u << 7)     /* (since 0.4) MOVE: give no policy to threads that have
						  * none (see "Staying" in numamove_request(3)); not
						  * with MEMORY_ONLY, nor for cgroups */
#define NUMAMOVE_REQUEST_F_UNPRIVILEGED (1u << 8) /* (since 0.5) MOVE: use no capability to move more than
						   * the targets' owner could: pages other processes map
						   * stay (as without CAP_SYS_NICE), a process's own
						   * shared memory is reached only through its mappings
						   * (as without CAP_SYS_ADMIN); not with the kernel
						   * engine. For a service acting for a user. */

struct numamove_request_opts {
	size_t sz;                 /* sizeof(struct numamove_request_opts) */
	unsigned int flags;        /* NUMAMOVE_REQUEST_F_* */
	int engine;                /* enum numamove_engine (int-sized) */
	unsigned int jobs;         /* workers per move; 0: numamove_default_jobs() */
	uint64_t rate;             /* bytes per second for each move; 0: no limit (see pacer) */
	unsigned int max_stall_ms; /* size calls to take at most about this long; 0: no bound */
	struct numamove_pacer *pacer; /* a rate shared with other requests (borrowed while running), or NULL */
	numamove_event_fn event;   /* may be NULL */
	void *event_userdata;
	numamove_log_fn log;       /* may be NULL: the library says nothing */
	void *log_userdata;
	size_t :0;
};
#define numamove_request_opts__last_field log_userdata

/**
 * numamove_request_new() - an empty request
 * @opts: NULL for the defaults; sz checked (-EINVAL for a sz too small or
 *        unknown non-zero bytes past the fields this library knows)
 *
 * Return: 0; -EINVAL for an unknown action, or options that cannot apply
 * (an unknown engine or flag; jobs, rate, max_stall_ms, a pacer or
 * WITH_SHARED with the kernel engine; WITH_FILES without WITH_SHARED;
 * jobs over NUMAMOVE_JOBS_MAX; both rate and a pacer; a flag the action
 * does not take: SET_POLICY takes MAPPINGS and INJECT_HELPER only, MOVE
 * every other; for MOVE, numamove_request_check() says which rule);
 * -ENOMEM.
 */
int numamove_request_new(enum numamove_action action, const struct numamove_request_opts *opts,
			 struct numamove_request **ret_request);
void numamove_request_free(struct numamove_request *request);

/*
 * What a move's options and targets may not be together: the rules
 * numamove_request_new() and the numamove_request_add_*() calls enforce,
 * decided in one place so that a front end can say which rule, before it
 * builds the request (numamove_request_check()).
 */
#define NUMAMOVE_REQUEST_CHECK_PROCESSES (1u << 0) /* (since 0.5) processes are among the targets */
#define NUMAMOVE_REQUEST_CHECK_OBJECTS (1u << 1)   /* (since 0.5) objects (paths, SysV segments) are */
#define NUMAMOVE_REQUEST_CHECK_CGROUPS (1u << 2)   /* (since 0.5) cgroups (or the cgroup of a process) are */
#define NUMAMOVE_REQUEST_CHECK_POLICY (1u << 3)    /* (since 0.5) a policy is set (numamove_request_set_policy()) */
#define NUMAMOVE_REQUEST_CHECK_TARGETS (1u << 4)   /* (since 0.5) the targets are all known: check the rules
						    * about targets too (without it, only the options) */

/* (since 0.5) Why a move's options and targets do not go together; in the order they are checked. */
enum numamove_request_conflict {
	NUMAMOVE_REQUEST_CONFLICT_NONE = 0,
	NUMAMOVE_REQUEST_CONFLICT_OPTS,               /* @opts itself is invalid (its sz) */
	NUMAMOVE_REQUEST_CONFLICT_CGROUP_MIXED,       /* cgroups with other targets, WITH_SHARED or a policy */
	NUMAMOVE_REQUEST_CONFLICT_FILES_NOT_SHARED,   /* WITH_FILES without WITH_SHARED */
	NUMAMOVE_REQUEST_CONFLICT_NO_STAY_MEMORY_ONLY, /* NO_STAY with MEMORY_ONLY */
	NUMAMOVE_REQUEST_CONFLICT_NO_STAY_CGROUP,     /* NO_STAY for cgroups */
	NUMAMOVE_REQUEST_CONFLICT_SHARED_NO_PROCESS,  /* WITH_SHARED with no process among the targets */
	NUMAMOVE_REQUEST_CONFLICT_KERNEL_PACING,      /* the kernel engine with jobs, rate, max_stall_ms or a pacer */
	NUMAMOVE_REQUEST_CONFLICT_KERNEL_SHARED,      /* the kernel engine with WITH_SHARED */
	NUMAMOVE_REQUEST_CONFLICT_KERNEL_OBJECTS,     /* the kernel engine with objects (paths, SysV) */
	NUMAMOVE_REQUEST_CONFLICT_POLICY_NO_OBJECT,   /* a policy with no object and no WITH_SHARED */
	NUMAMOVE_REQUEST_CONFLICT_UNKNOWN_FLAG,       /* a flag this library does not know, or MAPPINGS */
	NUMAMOVE_REQUEST_CONFLICT_UNKNOWN_ENGINE,     /* an engine this library does not know */
	NUMAMOVE_REQUEST_CONFLICT_JOBS,               /* jobs over NUMAMOVE_JOBS_MAX */
	NUMAMOVE_REQUEST_CONFLICT_RATE_AND_PACER,     /* both a rate and a pacer */
	NUMAMOVE_REQUEST_CONFLICT_KERNEL_UNPRIVILEGED, /* the kernel engine with UNPRIVILEGED */
};

/**
 * numamove_request_check() - (since 0.5) whether a move's options and targets go together, and why not
 * @opts: as numamove_request_new() takes them for NUMAMOVE_ACTION_MOVE
 *        (NULL for the defaults)
 * @what: NUMAMOVE_REQUEST_CHECK_* (the kinds of targets, a policy; with
 *        NUMAMOVE_REQUEST_CHECK_TARGETS the rules about targets too)
 * @ret_why: where not NULL, the first rule broken, in the order of enum
 *        numamove_request_conflict; NUMAMOVE_REQUEST_CONFLICT_NONE on 0
 *
 * Pure: reads nothing but its arguments; thread safe. For
 * NUMAMOVE_ACTION_MOVE, numamove_request_new() refuses options exactly
 * when this refuses them without NUMAMOVE_REQUEST_CHECK_TARGETS.
 * Return: 0, or -EINVAL with the reason in @ret_why.
 */
int numamove_request_check(const struct numamove_request_opts *opts, unsigned int what,
			   enum numamove_request_conflict *ret_why);

/**
 * numamove_request_set_nodes() - the destination and source nodes
 * @to:   as numamove_nodelist_parse() takes it; "all", "!LIST" and "+LIST"
 *        are resolved per target, against its allowed nodes with memory
 * @from: likewise, or NULL for every node holding memory of the target
 * @reterr_which: where not NULL, on failure 0 when @to is wrong, 1 for @from
 * @reterr_bad:   where not NULL, on failure as numamove_nodelist_parse() says
 *
 * Checked now against the machine (syntax, nodes that exist); a node
 * that is not allowed for one target is that target's refusal later.
 * Return: 0, or an error of numamove_nodelist_parse().
 */
int numamove_request_set_nodes(struct numamove_request *request, const char *to, const char *from,
			       int *reterr_which, int *reterr_bad);
/**
 * numamove_request_set_policy() - the policy to set
 *
 * MOVE: the shared policy objects get (tmpfs files and SysV segments),
 * for the pages allocated later: a mode alone ("bind", "preferred",
 * "interleave", "weighted-interleave", "preferred-many") applies over the
 * destination nodes (preferred over several is preferred-many), anything
 * else is a whole policy as numamove_policy_parse() takes it. SET_POLICY:
 * the policy every thread gets, as numamove_policy_parse() takes it.
 *
 * Return: 0; an error of numamove_policy_parse() (-EINVAL, -ENODEV,
 * -ERANGE, -ENOENT; @reterr_bad as there); -EBUSY while running; or an
 * error of numamove_topology_load().
 */
int numamove_request_set_policy(struct numamove_request *request, const char *policy, int *reterr_bad);
/** numamove_request_set_tids() - SET_POLICY: only these threads (copied) */
int numamove_request_set_tids(struct numamove_request *request, const pid_t *tids, size_t n_tids);

/*
 * Targets, taken in this order. Paths and texts are copied. Each returns
 * 0, -EBUSY while the request runs, -ENOMEM, or -EINVAL: a pid <= 0, a
 * negative pidfd, an empty path, a negative shm id or a key of 0; an object
 * (path, shm) for SET_POLICY or with the kernel engine; a cgroup for
 * SET_POLICY, with WITH_SHARED or after a policy was set.
 */
int numamove_request_add_pid(struct numamove_request *request, pid_t pid);
/** numamove_request_add_task() - a process already open (its pidfd is duplicated) */
int numamove_request_add_task(struct numamove_request *request, const struct numamove_task *task);
/**
 * numamove_request_add_pidfd() - a process by pidfd (duplicated), e.g. received with SCM_RIGHTS;
 * opened now to learn its pid, so also the errors of numamove_task_open_pidfd() (as add_task)
 */
int numamove_request_add_pidfd(struct numamove_request *request, int pidfd);
/** numamove_request_add_path() - a file: SysV-less shared object or any file's page cache */
int numamove_request_add_path(struct numamove_request *request, const char *path);
/** numamove_request_add_shm() - a SysV segment by id (@key false) or by key (@key true) */
int numamove_request_add_shm(struct numamove_request *request, int id_or_key, bool key);
/**
 * numamove_request_add_cgroup() - a cgroup v2 directory (the cgroup route);
 * -EINVAL with WITH_SHARED or a policy (a group moves as a whole)
 */
int numamove_request_add_cgroup(struct numamove_request *request, const char *path);
/** numamove_request_add_cgroup_of() - the cgroup of process @pid, found when the request runs */
int numamove_request_add_cgroup_of(struct numamove_request *request, pid_t pid);
/**
 * numamove_request_add_slurm_job() - a Slurm job or step on this node, "JOBID" or
 * "JOBID.STEP", as a cgroup target (its group, found now with numamove_slurm_cgroup());
 * -EINVAL a bad @spec or as numamove_request_add_cgroup(), -ENOENT no such job or step
 * on this node (since 0.6)
 */
int numamove_request_add_slurm_job(struct numamove_request *request, const char *spec);

/**
 * numamove_request_run() - do it
 * @ret_report: the report, also when targets failed
 *
 * Return: 0 with a report (see numamove_report_worst()); -EINVAL when the
 * request has no target or, for MOVE, no destination (SET_POLICY: no
 * policy); -EBUSY when it is already running; -ENOMEM.
 */
int numamove_request_run(struct numamove_request *request, struct numamove_report **ret_report);
/**
 * numamove_request_cancel() - stop a running request between two steps
 * (two batches of a move; never while a target's threads are held).
 * Async-signal-safe; may be called from any thread, before or during the run.
 */
void numamove_request_cancel(struct numamove_request *request);

/* ---- pacers: a rate shared by requests running at once */

/** numamove_pacer_new() - at most @rate bytes per second over every move that uses it */
int numamove_pacer_new(uint64_t rate, struct numamove_pacer **ret_pacer);
void numamove_pacer_free(struct numamove_pacer *pacer);
/** numamove_pacer_set_rate() - change the rate (0: no limit); thread-safe */
void numamove_pacer_set_rate(struct numamove_pacer *pacer, uint64_t rate);

/* ---- the report */

/* The index of the request itself, for request-wide notes. */
#define NUMAMOVE_REPORT_REQUEST ((size_t)-1)

void numamove_report_free(struct numamove_report *report);
/** numamove_report_count() - the targets, objects found by WITH_SHARED included */
size_t numamove_report_count(const struct numamove_report *report);
/**
 * numamove_report_worst() - the worst outcome, by this rank: INVALID, then
 * FAILED, REFUSED, EXITED and CANCELLED, then PARTIAL, then DONE, PLANNED
 * and SKIPPED (DONE for an empty report)
 */
enum numamove_outcome numamove_report_worst(const struct numamove_report *report);
/** numamove_report_nodes() - the machine's nodes when the request ran (borrowed) */
const struct numamove_nodelist *numamove_report_nodes(const struct numamove_report *report);

enum numamove_target_kind numamove_report_kind(const struct numamove_report *report, size_t i);
enum numamove_outcome numamove_report_outcome(const struct numamove_report *report, size_t i);
/** numamove_report_why() - the refusal or failure of target @i, or NULL */
const struct numamove_detail *numamove_report_why(const struct numamove_report *report, size_t i);
/** numamove_report_notes() - its notes (@i NUMAMOVE_REPORT_REQUEST: the request's) */
size_t numamove_report_note_count(const struct numamove_report *report, size_t i);
const struct numamove_detail *numamove_report_note(const struct numamove_report *report, size_t i, size_t k);
/**
 * numamove_report_parent() - for an object moved with a process
 * (WITH_SHARED), the index of that process; NUMAMOVE_REPORT_REQUEST otherwise
 */
size_t numamove_report_parent(const struct numamove_report *report, size_t i);
/** numamove_report_pid() - the process (0 for objects and cgroups) */
pid_t numamove_report_pid(const struct numamove_report *report, size_t i);
/** numamove_report_comm() - the process's command name, or NULL */
const char *numamove_report_comm(const struct numamove_report *report, size_t i);
/**
 * numamove_report_name() - what the target is called: the pid as given,
 * a path, "shm:ID", "shm-key:KEY", or the cgroup's directory
 */
const char *numamove_report_name(const struct numamove_report *report, size_t i);
/** numamove_report_object_type() - enum numamove_object_type of an opened object, or -ENOENT */
int numamove_report_object_type(const struct numamove_report *report, size_t i);
/** numamove_report_has_before() / _has_after() - whether its memory per node was measured then */
bool numamove_report_has_before(const struct numamove_report *report, size_t i);
bool numamove_report_has_after(const struct numamove_report *report, size_t i);
/** numamove_report_bytes_before() / _after() - its memory on @node */
uint64_t numamove_report_bytes_before(const struct numamove_report *report, size_t i, int node);
uint64_t numamove_report_bytes_after(const struct numamove_report *report, size_t i, int node);
/**
 * numamove_report_bytes_moved() / _bytes_left() - what moved, and what
 * stays on a source node, also when the target ended early (cancelled,
 * exited, failed): for cgroups measured from the processes' maps; for
 * objects as numamove_result_bytes_moved() and _bytes_left(); for
 * processes the same plus numamove_result_sweep_bytes()
 */
uint64_t numamove_report_bytes_moved(const struct numamove_report *report, size_t i);
uint64_t numamove_report_bytes_left(const struct numamove_report *report, size_t i);
/** numamove_report_plan() - the plan (borrowed), or NULL */
const struct numamove_plan *numamove_report_plan(const struct numamove_report *report, size_t i);
/**
 * numamove_report_fits() - whether destination @node of its plan has room
 * for what the plan brings it (free memory for base pages and THPs, free
 * huge pages for hugetlb pages), as a real move would check it
 * @reterr: where not NULL, on -ENOSPC the numbers (NUMAMOVE_WHY_NO_ROOM or
 *          NUMAMOVE_WHY_NO_HUGEPAGES)
 *
 * Return: 0, -ENOSPC, or -ENOENT when the target has no plan or is a cgroup.
 */
int numamove_report_fits(const struct numamove_report *report, size_t i, int node,
			 struct numamove_detail *reterr);
/** numamove_report_result() - the move's result (borrowed), or NULL when no move ran */
const struct numamove_result *numamove_report_result(const struct numamove_report *report, size_t i);
/**
 * numamove_report_rebind() - what was done to the process's policies
 * (borrowed), or NULL; for a dry run, the changes a move would make
 * (status NUMAMOVE_POLICY_PLANNED); for SET_POLICY, the changes
 */
const struct numamove_policy_report *numamove_report_rebind(const struct numamove_report *report, size_t i);
/** numamove_report_affinity() - what was done to the CPU affinity (borrowed), or NULL */
const struct numamove_affinity *numamove_report_affinity(const struct numamove_report *report, size_t i);
/** numamove_report_policy_before() / _after() - an object's shared policy text, or NULL */
const char *numamove_report_policy_before(const struct numamove_report *report, size_t i);
const char *numamove_report_policy_after(const struct numamove_report *report, size_t i);
/** numamove_report_mems_before() / _mems_after() - a cgroup's cpuset.mems before, and written (borrowed) */
const struct numamove_nodelist *numamove_report_mems_before(const struct numamove_report *report, size_t i);
const struct numamove_nodelist *numamove_report_mems_after(const struct numamove_report *report, size_t i);
/** numamove_report_cgroup_procs() - the processes in the group */
size_t numamove_report_cgroup_procs(const struct numamove_report *report, size_t i);

/* ------------------------------------------------------------------------
 * Placements (since 0.5): a memory policy kept on a file or a directory, in
 * an extended attribute, for the page cache the kernel keeps no policy
 * for. numamoved enforces them; see numamove_placement(3).
 * ------------------------------------------------------------------------ */

struct numamove_placement;

/* The attribute: user.* where the file system has them, else trusted.* (root; tmpfs before 6.6). */
#define NUMAMOVE_PLACEMENT_XATTR "user.numamove.placement"
#define NUMAMOVE_PLACEMENT_XATTR_TRUSTED "trusted.numamove.placement"
/* The longest text form of a placement, its NUL included. */
#define NUMAMOVE_PLACEMENT_MAX 256
/* A directory's placement covers only the files directly in it (default: the whole tree below it). */
#define NUMAMOVE_PLACEMENT_F_DIRECTORY (1u << 0)
/*
 * Read ahead at open (since 0.6): numamoved reads a placed file into the
 * page cache under the placement's policy when it is opened, before the
 * open returns, so that its pages are born in place. Kept in version 2 of
 * the attribute's format (a placement without it is still written as 1).
 */
#define NUMAMOVE_PLACEMENT_F_READ_AHEAD (1u << 1)
/*
 * Locked in memory (since 0.6): numamoved keeps a placed file's pages in
 * memory (mlock(2), within its lock-budget), so that memory pressure
 * cannot evict them. Version 2 of the attribute's format.
 */
#define NUMAMOVE_PLACEMENT_F_LOCK (1u << 2)

/** numamove_placement_new() - a placement of @policy (copied); -EINVAL for relative nodes or an unknown flag */
int numamove_placement_new(const struct numamove_policy *policy, unsigned int flags,
			   struct numamove_placement **ret_placement);
void numamove_placement_free(struct numamove_placement *placement);
/** numamove_placement_policy() - its policy (borrowed) */
const struct numamove_policy *numamove_placement_policy(const struct numamove_placement *placement);
unsigned int numamove_placement_flags(const struct numamove_placement *placement);
/** numamove_placement_format() - the attribute's text; returns the length needed, like snprintf */
int numamove_placement_format(const struct numamove_placement *placement, char *buf, size_t size);
/**
 * numamove_placement_parse() - a placement from an attribute's value
 * @topo: the policy's nodes must exist and have memory; NULL accepts any
 *
 * Return: 0; -EBADMSG for a value that is not a placement (corrupt, or
 * not ours), -EPROTONOSUPPORT for a later version of the format, -ENODEV
 * or -ERANGE when a node it names does not exist (or has no memory) on
 * this machine, -ENOMEM.
 */
int numamove_placement_parse(const char *text, size_t len, const struct numamove_topology *topo,
			     struct numamove_placement **ret_placement);
/**
 * numamove_placement_get() - the placement kept on open file or directory @fd
 *
 * Return: 0; -ENODATA when it has none; an error of
 * numamove_placement_parse(); or a negative errno of fgetxattr(2).
 */
int numamove_placement_get(int fd, const struct numamove_topology *topo, struct numamove_placement **ret_placement);
/**
 * numamove_placement_set() - keep @placement on @fd (a regular file or a directory)
 *
 * The kernel decides who may: user.* attributes need write permission on
 * the file (or ownership of a sticky directory's entry); trusted.* needs
 * CAP_SYS_ADMIN. Return: 0; -ENOTDIR for NUMAMOVE_PLACEMENT_F_DIRECTORY on
 * a file; -EINVAL for anything but a regular file or a directory; -EACCES,
 * -EPERM; -EOPNOTSUPP when the file system keeps neither attribute for
 * the caller; another negative errno of fsetxattr(2).
 */
int numamove_placement_set(int fd, const struct numamove_placement *placement);
/** numamove_placement_clear() - remove the placement of @fd (none is not an error) */
int numamove_placement_clear(int fd);
/**
 * numamove_placement_inherit() - the placement that @placement, kept on a
 * directory, gives to a file or directory below it: a directory gets it as
 * it is, a regular file its policy without the scope (the scope belongs to
 * directories). What numamove place --recursive and numamoved write below
 * a directory, and what numamove_placement_find() returns from one.
 * @dir: what is below is a directory
 * @ret_placement: a new placement, freed with numamove_placement_free()
 *
 * Return: 0; -EINVAL for a NULL argument; -ENOMEM. Since 0.5.
 */
int numamove_placement_inherit(const struct numamove_placement *placement, bool dir,
			       struct numamove_placement **ret_placement);
/**
 * numamove_placement_find() - the placement that applies to the file at @path:
 * its own, else its directory's, else that of the nearest directory above
 * whose placement covers the tree; never across a file system boundary.
 * One found on a directory above comes as numamove_placement_inherit()
 * gives it to @path (a regular file's has no scope).
 * @ret_from: where not NULL, the path (allocated) of what carries it
 *
 * Return: 0; -ENODATA when none applies; an error of numamove_placement_get().
 */
int numamove_placement_find(const char *path, const struct numamove_topology *topo,
			    struct numamove_placement **ret_placement, char **ret_from);
/**
 * numamove_placement_request() - the move request that enforces
 * @placement on the file at @path now: its resident pages on nodes the
 * placement does not name move to those it names (the node mapping rule
 * of numamove_request(3), FROM every other node with memory); a tmpfs
 * file also gets the placement's policy as its shared policy, so that its
 * later pages are born in place. Run it with numamove_request_run().
 * @opts: as numamove_request_new() takes them (flags: FORCE, DRY_RUN)
 *
 * Return: 0; -ENODATA when there is nothing to move from (default and
 * local name no node; every node with memory is one of its own); -ENODEV
 * when none of its nodes has memory on this machine; the errors of
 * numamove_object_open() and numamove_request_new().
 */
int numamove_placement_request(const char *path, const struct numamove_placement *placement,
			       const struct numamove_request_opts *opts, struct numamove_request **ret_request);
/**
 * numamove_placement_read_ahead() - reads the regular file open as @fd
 * into the page cache under @placement's policy, so that the pages it
 * gets are born on the placement's nodes: what numamoved does when a
 * file placed with NUMAMOVE_PLACEMENT_F_READ_AHEAD is opened. The calling
 * thread's memory policy is the placement's for the call and is put back
 * after it; the reads are started, not waited for. Pages already in the
 * page cache stay where they are (numamove_placement_request() moves
 * them), and a file wholly in it is not read. A placement naming no node
 * (default, local) reads nothing.
 * @max_bytes: at most this many bytes from the start of the file (0: all)
 * @ret_bytes: where not NULL, the bytes that were not in the page cache
 *        and were asked for
 *
 * Return: 0; -EINVAL for a bad argument or a file that is not a regular
 * file; -ERANGE for a node beyond any kernel's; a negative errno of
 * fstat(2), get_mempolicy(2), set_mempolicy(2) or posix_fadvise(2).
 * Thread safety: changes only the calling thread's policy, and only
 * during the call. Since 0.6.
 */
int numamove_placement_read_ahead(int fd, const struct numamove_placement *placement, uint64_t max_bytes,
				  uint64_t *ret_bytes);
struct numamove_locked;
/**
 * numamove_placement_lock() - locks the pages of the regular file open as
 * @fd in memory (a shared read-only mapping of it, mlock(2)), so that
 * memory pressure cannot evict them while the lock is held; the pages it
 * reads in are born on @placement's nodes (the calling thread's policy is
 * the placement's for the call, as numamove_placement_read_ahead() does).
 * Pages already in the page cache stay where they are. The lock is the
 * caller's: numamove_locked_free() ends it; it does not follow the file
 * when it grows, and keeps a file that is removed alive until it ends.
 * @max_bytes: at most this many bytes from the start of the file (0: all)
 * @ret_locked: the lock; numamove_locked_bytes() says how much it holds
 *
 * Return: 0; -EINVAL for a bad argument or not a regular file; -ERANGE for
 * a node beyond any kernel's; -EAGAIN or -ENOMEM from mlock(2) (over
 * RLIMIT_MEMLOCK without CAP_IPC_LOCK, or no memory); -EPERM; a negative
 * errno of fstat(2), mmap(2) or the policy calls. Thread safety: changes
 * only the calling thread's policy, during the call. Since 0.6.
 */
int numamove_placement_lock(int fd, const struct numamove_placement *placement, uint64_t max_bytes,
			    struct numamove_locked **ret_locked);
/** numamove_locked_bytes() - the bytes a lock holds */
uint64_t numamove_locked_bytes(const struct numamove_locked *locked);
/** numamove_locked_free() - ends the lock (munlock, unmap); NULL is allowed */
void numamove_locked_free(struct numamove_locked *locked);
/**
 * numamove_placement_wants_node() - whether pages on @node are where the
 * placement puts them (its policy's nodes; any node for default and local)
 */
bool numamove_placement_wants_node(const struct numamove_placement *placement, int node);
/**
 * numamove_placement_conformance() - how much of the memory in @maps is
 * where @placement puts it: on nodes numamove_placement_wants_node() accepts
 * @maps: where the pages are: numamove_object_maps() of a loaded object, or
 *        any maps (every mapping counts, in its own page size)
 * @ret_wanted: where not NULL, the bytes resident on wanted nodes
 * @ret_resident: where not NULL, the bytes resident on any node
 * @ret_percent: where not NULL, the share of the resident bytes on wanted
 *        nodes, in percent; 100 when nothing is resident (nothing is astray)
 *
 * Return: 0; -EINVAL for a NULL @placement or @maps. Since 0.5.
 */
int numamove_placement_conformance(const struct numamove_placement *placement, const struct numamove_maps *maps,
				   uint64_t *ret_wanted, uint64_t *ret_resident, double *ret_percent);

/* ------------------------------------------------------------------------
 * The system around a move.
 * ------------------------------------------------------------------------ */

/** numamove_numa_balancing() - /proc/sys/kernel/numa_balancing (0 off), or negative errno */
int numamove_numa_balancing(void);
/** numamove_can_move_shared() - the caller has CAP_SYS_NICE */
bool numamove_can_move_shared(void);

#ifdef __cplusplus
}
#endif
#endif
