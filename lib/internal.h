/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library's private structures, shared between its files and the unit tests. */
#ifndef NUMAMOVE_INTERNAL_H
#define NUMAMOVE_INTERNAL_H

#include "numamove/numamove.h"
#include "util.h"

#define NM_EXPORT __attribute__((visibility("default")))

struct nm_hugepool {
	uint64_t page_size; /* bytes */
	long free;
};

struct nm_node {
	int id;
	bool has_memory;
	bool has_cpus;
	char *cpulist;
	struct nm_bits cpus;
	uint64_t mem_total, mem_free;
	int *distance; /* indexed like topo->nodes */
	struct nm_hugepool *huge;
	size_t n_huge;
};

struct numamove_topology {
	struct nm_node *nodes; /* ascending id */
	size_t n_nodes;
	struct numamove_nodelist *list;
};

const struct nm_node *nm_topology_node(const struct numamove_topology *topo, int node);
/* The node of @cpu, or -1. */
int nm_topology_cpu_node(const struct numamove_topology *topo, int cpu);
/*
 * The node whose memory a task on a CPU of @node allocates from: @node
 * itself, or, for a CPU node without memory, the nearest node with memory
 * (the kernel's fallback for it, local_memory_node()).
 */
int nm_topology_memory_node(const struct numamove_topology *topo, int node);
/*
 * CPUs a thread's affinity is read and written for: the kernel's largest
 * NR_CPUS (CONFIG_NR_CPUS with MAXSMP on x86-64), so no machine's CPU is
 * left out of a mask.
 */
#define NM_MAX_CPUS 8192
/* Adds to @set the memory nodes local to the CPUs thread @tid may run on (nm_topology_memory_node()). */
int nm_thread_cpu_nodes(pid_t tid, const struct numamove_topology *topo, struct nm_bits *set);

struct numamove_nodelist {
	int *ids;
	size_t n, alloc;
};

struct numamove_mapping {
	uint64_t start, end;
	enum numamove_kind kind;
	char *name;
	char *policy;
	uint64_t page_size;
	bool shared;
	/* From /proc/PID/maps: the backing file's device and inode (0 when none). */
	unsigned int dev_major, dev_minor;
	uint64_t ino;
	uint64_t offset; /* in the file, bytes (maps) */
	uint64_t total;
	uint64_t *pages; /* indexed by node id */
	size_t n_nodes;  /* entries in pages */
};

struct numamove_maps {
	struct numamove_mapping *m;
	size_t n, alloc;
	int max_node;
};

struct nm_pair {
	int src, dst;
	uint64_t bytes;
};

struct numamove_plan {
	struct numamove_nodelist *from, *to;
	int *dest;     /* indexed by node id up to max_node; -1 stays */
	int max_node;
	struct nm_pair *pairs;
	size_t n_pairs;
	/*
	 * The plan owns everything it reads later, so that the caller may free
	 * the maps and the topology it was made from: a copy of the maps (NULL
	 * for a mapping-only plan), and what the topology said of each
	 * destination when the plan was made (in TO's order).
	 */
	struct numamove_maps *maps;
	struct nm_node *dests;
	/*
	 * A whole-process plan (numamove_plan_new_process()): @follow, indexed
	 * like @dest, says where the policies and CPUs of the nodes in @extra go,
	 * nodes the process uses that hold none of its memory.
	 */
	bool whole;
	struct numamove_nodelist *extra;
	int *follow;
};
/* Where the policies and CPUs of @node go: its pages' destination, else its @follow; -1 stays. */
int nm_plan_follow(const struct numamove_plan *plan, int node);

/* A plan like @like (same lists and topology snapshot) over fresh @maps. */
int nm_plan_renew(const struct numamove_plan *like, const struct numamove_maps *maps,
		  struct numamove_plan **ret_plan);

struct numamove_result {
	uint64_t pages_moved, bytes_moved; /* by the batched pass (or the kernel engine) */
	uint64_t left_pages[NUMAMOVE_REASON_COUNT];
	uint64_t left_bytes[NUMAMOVE_REASON_COUNT];
	uint64_t sweep_bytes;   /* moved by the final migrate_pages(2) sweep */
	uint64_t calls;         /* move_pages(2) and migrate_pages(2) calls */
	uint64_t max_call_ns;   /* the longest of them */
	unsigned int jobs;      /* workers that ran */
	enum numamove_engine engine; /* whose calls made the pass: move_pages(2) or migrate_pages(2) */
};

/* Counts one syscall of the engine, @ns long; only one that moves pages can set the longest. */
static inline void nm_result_count_call(struct numamove_result *res, uint64_t ns, bool moves)
{
	res->calls++;
	if (moves && ns > res->max_call_ns)
		res->max_call_ns = ns;
}

/*
 * migrate_pages(2): the sweep after the batched pass (one call per node
 * pair whose destination is not itself a source), and the kernel engine
 * (one call when the kernel's pairing by position is the plan's, else one
 * per pair; -EXDEV when the plan chains or swaps nodes). Both measure what
 * moved with /proc/vmstat's pgmigrate_success, and add to @res.
 */
int nm_sweep(const struct numamove_task *task, const struct numamove_plan *plan, struct numamove_result *res);
/* Whether a destination of @plan is also a source that moves (a chain or a swap). */
bool nm_plan_chains(const struct numamove_plan *plan);
int nm_kernel_move(const struct numamove_task *task, const struct numamove_plan *plan,
		   const struct numamove_move_opts *opts, struct numamove_result *res);
/*
 * The kernel engine's calls without its accounting of what is left: adds
 * what moved to @res; returns the pages the kernel says it left, or -errno
 * (-ENOMEM: a destination filled up, leaving an unknown number).
 */
long nm_kernel_pass(const struct numamove_task *task, const struct numamove_plan *plan, struct numamove_result *res);
/* Base pages the kernel has migrated since boot (/proc/vmstat pgmigrate_success); 0 when unreadable. */
uint64_t nm_migrated_pages(void);

struct numamove_policy {
	enum numamove_policy_mode mode;
	unsigned int flags;               /* NUMAMOVE_POLICY_F_STATIC, ... */
	struct numamove_nodelist *nodes;  /* ascending, no repeats */
};

/* The kernel's mode flags (uapi linux/mempolicy.h). */
#define NM_MPOL_F_STATIC_NODES (1 << 15)
#define NM_MPOL_F_RELATIVE_NODES (1 << 14)
#define NM_MPOL_F_NUMA_BALANCING (1 << 13)
#define NM_MPOL_F_ADDR (1 << 1)

/*
 * The limits on node ids, one each, from the kernel's own: node ids are
 * below MAX_NUMNODES, 1 << CONFIG_NODES_SHIFT, and NODES_SHIFT is at most
 * 10 on every architecture today.
 *
 * NM_MASK_BITS: node masks passed to the kernel (set_mempolicy, mbind,
 * get_mempolicy): any MAX_NUMNODES fits. MAX_NUMNODES is
 * 1 << CONFIG_NODES_SHIFT, and NODES_SHIFT is at most 10 on every
 * architecture (x86 and arm64: "range 1 10"; 10 with MAXSMP).
 *
 * NM_NODE_ID_MAX: the largest id accepted in text (node lists, numa_maps
 * "N<id>="): the largest any kernel can have, so no real machine is
 * refused, and a bad input (numa_maps lines are semi-trusted; anyone may
 * send numamoved a relative policy) can make numamove allocate per-node
 * arrays of at most 1,024 entries. Higher ids are refused with -ERANGE
 * when parsed (and a numa_maps "N<id>=" above it is skipped).
 */
#define NM_MASK_BITS 1024
#define NM_NODE_ID_MAX (NM_MASK_BITS - 1)
#define NM_MASK_WORDS (NM_MASK_BITS / (8 * sizeof(unsigned long)))

static inline void nm_mask_set(unsigned long *mask, size_t node)
{
	mask[node / (8 * sizeof(long))] |= 1UL << (node % (8 * sizeof(long)));
}

static inline bool nm_mask_test(const unsigned long *mask, size_t node)
{
	return mask[node / (8 * sizeof(long))] & (1UL << (node % (8 * sizeof(long))));
}

/* Whether a move by @plan changes @policy (NULL, unknown: true). */
bool nm_policy_remap_changes(const struct numamove_policy *policy, const struct numamove_plan *plan);


/* A policy as set_mempolicy(2) takes it: mode with flags, and a node mask. */
int nm_policy_to_kernel(const struct numamove_policy *policy, int *ret_mode, unsigned long *mask,
			size_t mask_bits);
int nm_policy_from_kernel(int kmode, const unsigned long *mask, size_t mask_bits,
			  struct numamove_policy **ret_policy);

/* What /proc shows now: thread @tid's task policy, the policy of the mapping at @start. */
int nm_thread_task_policy(pid_t pid, pid_t tid, struct numamove_policy **ret);
int nm_mapping_policy(pid_t pid, uint64_t start, struct numamove_policy **ret);
/*
 * numamove_policy_rebind() and numamove_policy_rebind_plan(), where the
 * default task policy of the threads in @stay_tids (every thread when NULL)
 * becomes @stay (when not NULL): what keeps a moved process's memory on its
 * new nodes.
 */
int nm_policy_rebind_stay(const struct numamove_task *task, const struct numamove_plan *plan,
			  const struct numamove_policy_opts *opts, const struct numamove_policy *stay,
			  const pid_t *stay_tids, size_t n_stay_tids, struct numamove_policy_report **ret);
int nm_policy_rebind_plan_stay(const struct numamove_task *task, const struct numamove_plan *plan,
			       const struct numamove_policy *stay, const pid_t *stay_tids, size_t n_stay_tids,
			       struct numamove_policy_report **ret);
/*
 * The policy text of the first line of thread @tid's numa_maps, read in one
 * short read (the kernel walks the first mapping or two, not the whole
 * address space), and the start of that mapping.
 */
int nm_thread_first_policy(pid_t pid, pid_t tid, char **ret_text);
int nm_thread_first_record(pid_t pid, pid_t tid, uint64_t *ret_start, char **ret_text);

/*
 * Whether the running kernel has @policy's mode: 0, or -EOPNOTSUPP
 * (weighted interleave before Linux 6.9).
 */
int nm_policy_supported(const struct numamove_policy *policy);

/* A copy of @src, in its order. */
int nm_nodelist_copy(const struct numamove_nodelist *src, struct numamove_nodelist **ret);
/* A kernel-style list ("0-3,8") as an ascending node list; no topology checks. */
int nm_nodelist_from_list(const char *text, struct numamove_nodelist **ret);
/* numamove_nodelist_format() into a string of the length it needs, for free(). */
int nm_nodelist_format_alloc(const struct numamove_nodelist *list, char **ret_text);

static inline void nm_nodelist_freep(struct numamove_nodelist **l)
{
	numamove_nodelist_free(*l);
}

/* Maps a move_pages(2) per-page status to a reason. */
enum numamove_reason nm_reason_from_status(int status);

/* One line of /proc/PID/maps. @path points into the line (NULL when none). */
struct nm_maps_line {
	uint64_t start, end, offset, ino;
	char perms[5];
	unsigned int major, minor;
	const char *path;
	size_t path_len;
};
/* Parses the line at @p (up to '\n' or '\0'). Returns 0 or -EINVAL. */
int nm_maps_line_parse(const char *p, struct nm_maps_line *ret);
/*
 * /proc/PID/stat (read by numamove_task_open() and numamove_task_check()):
 * the command name (between the first '(' and the last ')'), the state
 * (field 3), the flags (9) and the start time (22). -EIO when malformed.
 */
int nm_stat_parse(const char *text, char *comm, size_t comm_size, char *state, unsigned long *flags,
		  unsigned long long *starttime);

/*
 * Whether mapping @m is of a shared object that numamove_object_open_mapping()
 * opens on its own (a SysV segment, a shared tmpfs or hugetlbfs file, and
 * with @with_files any mapped file), rather than memory of the process.
 */
bool nm_mapping_is_object(const struct numamove_mapping *m, bool with_files);
/*
 * Whether mapping @m is a shared mapping of the process's own shared
 * memory: anonymous shared memory (/dev/zero, /anon_hugepage) or a memfd.
 */
bool nm_mapping_is_own_shared(const struct numamove_mapping *m);

/*
 * The engine on one address range: moves the pages of [start, end) of
 * process @pid (0: the caller) per @plan, walking by @page_size. @task, when
 * not NULL, is checked between chunks. Like numamove_move().
 */
/*
 * numamove_move(), and where the pages are after it: @ret_after (when not
 * NULL) gets the process's numa_maps as the engine read it after its last
 * move, when it read one, so that the caller need not walk the process
 * again; NULL otherwise (read it then).
 */
int nm_move(const struct numamove_task *task, const struct numamove_plan *plan, const struct numamove_move_opts *opts,
	    struct numamove_result **ret_result, struct numamove_maps **ret_after);

int nm_move_range(pid_t pid, const struct numamove_task *task, const struct numamove_plan *plan,
		  uint64_t start, uint64_t end, uint64_t page_size, const struct numamove_move_opts *opts,
		  struct numamove_result **ret_result);

/* Whether the process exited or is exiting (its memory may be gone already). */
bool nm_task_exiting(const struct numamove_task *task);
/* The task's pidfd (borrowed). */
int nm_task_pidfd(const struct numamove_task *task);

/*
 * Whether node @node has room for what @plan brings it: 0, or -ENOSPC with
 * @ret (when not NULL) saying why: NUMAMOVE_WHY_NO_ROOM (bytes of base
 * pages needed and free) or NUMAMOVE_WHY_NO_HUGEPAGES (huge pages of a size
 * needed and free).
 */
int nm_plan_node_fits(const struct numamove_plan *plan, int node, struct numamove_detail *ret);

/* The segment ids of /proc/sysvipc/shm text. */
int nm_shm_parse(const char *text, int **ret_ids, size_t *ret_count);
/* The mount points of tmpfs and hugetlbfs in /proc/self/mountinfo text, each once. */
int nm_mountinfo_shmem(const char *text, char ***ret_paths, size_t *ret_count);
/*
 * The mount points, unescaped, of the file systems of the types @types
 * (NULL-terminated) in mountinfo @text, each once, in the text's order.
 */
int nm_mountinfo_points(const char *text, const char *const *types, char ***ret_paths, size_t *ret_count);
/* nm_mountinfo_points() on this process's /proc/self/mountinfo. */
int nm_mount_points(const char *const *types, char ***ret_paths, size_t *ret_count);
/* Where cgroup v2 is mounted (the first mount point in our mountinfo); -ENOENT when it is not. */
int nm_cgroup2_mount(char **ret);

#endif
