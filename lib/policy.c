/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory policies: the value type (mode, flags, nodes), its text form, the
 * FROM->TO remapping a move applies to it, and reading the policies of a
 * running process from /proc without stopping it.
 *
 * The text form is the one numa_maps prints ("bind:0-1",
 * "interleave=static:0-3"), with the mode spelled as numactl users expect
 * ("preferred", "preferred-many", "weighted-interleave"); numa_maps's own
 * spellings ("prefer", "prefer (many)", "weighted interleave") parse too.
 */
#include <errno.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const struct {
	const char *name;  /* how numamove writes it */
	const char *alias; /* how numa_maps writes it */
} mode_names[NUMAMOVE_POLICY_MODE_COUNT] = {
	[NUMAMOVE_POLICY_MODE_DEFAULT] = { "default", NULL },
	[NUMAMOVE_POLICY_MODE_PREFERRED] = { "preferred", "prefer" },
	[NUMAMOVE_POLICY_MODE_BIND] = { "bind", NULL },
	[NUMAMOVE_POLICY_MODE_INTERLEAVE] = { "interleave", NULL },
	[NUMAMOVE_POLICY_MODE_LOCAL] = { "local", NULL },
	[NUMAMOVE_POLICY_MODE_PREFERRED_MANY] = { "preferred-many", "prefer (many)" },
	[NUMAMOVE_POLICY_MODE_WEIGHTED_INTERLEAVE] = { "weighted-interleave", "weighted interleave" },
};

static const struct {
	const char *name;
	unsigned int flag;
} flag_names[] = {
	{ "static", NUMAMOVE_POLICY_F_STATIC },
	{ "relative", NUMAMOVE_POLICY_F_RELATIVE },
	{ "balancing", NUMAMOVE_POLICY_F_BALANCING },
};

NM_EXPORT const char *numamove_policy_mode_name(enum numamove_policy_mode mode)
{
	return (unsigned)mode < NUMAMOVE_POLICY_MODE_COUNT ? mode_names[mode].name : NULL;
}

static bool mode_takes_nodes(enum numamove_policy_mode mode)
{
	return mode != NUMAMOVE_POLICY_MODE_DEFAULT && mode != NUMAMOVE_POLICY_MODE_LOCAL;
}

/* The rules set_mempolicy(2) applies, checked before anything is stopped. */
static int validate(enum numamove_policy_mode mode, unsigned int flags, size_t n_nodes)
{
	if ((unsigned)mode >= NUMAMOVE_POLICY_MODE_COUNT)
		return -EINVAL;
	if (flags & ~(NUMAMOVE_POLICY_F_STATIC | NUMAMOVE_POLICY_F_RELATIVE | NUMAMOVE_POLICY_F_BALANCING))
		return -EINVAL;
	if ((flags & NUMAMOVE_POLICY_F_STATIC) && (flags & NUMAMOVE_POLICY_F_RELATIVE))
		return -EINVAL;
	if ((flags & NUMAMOVE_POLICY_F_BALANCING) && mode != NUMAMOVE_POLICY_MODE_BIND)
		return -EINVAL;
	if (!mode_takes_nodes(mode))
		return flags || n_nodes ? -EINVAL : 0;
	if (n_nodes == 0)
		return -EINVAL;
	if (mode == NUMAMOVE_POLICY_MODE_PREFERRED && n_nodes != 1)
		return -EINVAL;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * A sorted copy without repeats: a policy's nodes are a set. Sorted with
 * qsort(3): a list parsed from text can hold NM_NODE_ID_MAX + 1 nodes, and
 * an insertion sort with a search for repeats made that take minutes.
 */
static int sorted_set(const struct numamove_nodelist *in, struct numamove_nodelist **ret)
{
	struct numamove_nodelist *out;
	size_t n = 0;
	int r = numamove_nodelist_new(&out);

	if (r >= 0 && in && in->n)
		r = nm_grow((void **)&out->ids, &out->alloc, in->n, sizeof(int));
	if (r < 0) {
		numamove_nodelist_free(out);
		return r;
	}
	if (in && in->n) {
		bool sorted = true;

		memcpy(out->ids, in->ids, in->n * sizeof(int));
		/* Most lists come sorted (parsed from text, read from the kernel): checked in one pass. */
		for (size_t i = 1; sorted && i < in->n; i++)
			sorted = out->ids[i - 1] <= out->ids[i];
		if (!sorted)
			qsort(out->ids, in->n, sizeof(int), cmp_int);
		for (size_t i = 0; i < in->n; i++)
			if (!n || out->ids[i] != out->ids[n - 1])
				out->ids[n++] = out->ids[i];
	}
	out->n = n;
	*ret = out;
	return 0;
}

NM_EXPORT int numamove_policy_new(enum numamove_policy_mode mode, unsigned int flags,
				  const struct numamove_nodelist *nodes, struct numamove_policy **ret_policy)
{
	struct numamove_policy *p;
	int r;

	r = validate(mode, flags, numamove_nodelist_count(nodes));
	if (r < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->mode = mode;
	p->flags = flags;
	r = sorted_set(nodes, &p->nodes);
	if (r < 0) {
		free(p);
		return r;
	}
	*ret_policy = p;
	return 0;
}

NM_EXPORT void numamove_policy_free(struct numamove_policy *policy)
{
	if (!policy)
		return;
	numamove_nodelist_free(policy->nodes);
	free(policy);
}

NM_EXPORT enum numamove_policy_mode numamove_policy_mode(const struct numamove_policy *policy)
{
	return policy->mode;
}

NM_EXPORT unsigned int numamove_policy_flags(const struct numamove_policy *policy)
{
	return policy->flags;
}

NM_EXPORT const struct numamove_nodelist *numamove_policy_nodes(const struct numamove_policy *policy)
{
	return policy->nodes;
}

NM_EXPORT bool numamove_policy_equal(const struct numamove_policy *a, const struct numamove_policy *b)
{
	if (a->mode != b->mode || a->flags != b->flags || a->nodes->n != b->nodes->n)
		return false;
	return a->nodes->n == 0 || memcmp(a->nodes->ids, b->nodes->ids, a->nodes->n * sizeof(int)) == 0;
}

NM_EXPORT int numamove_policy_format(const struct numamove_policy *policy, char *buf, size_t size)
{
	_cleanup_free_ char *nodes = NULL;
	size_t len = 0;
	int n;

#define PUT(...)                                                                   \
	do {                                                                       \
		n = snprintf(buf ? buf + len : NULL, len < size ? size - len : 0, __VA_ARGS__); \
		if (n < 0)                                                         \
			return -EINVAL;                                            \
		len += (size_t)n;                                                  \
	} while (0)

	if (size == 0)
		buf = NULL;
	PUT("%s", mode_names[policy->mode].name);
	for (size_t i = 0, k = 0; i < ARRAY_SIZE(flag_names); i++)
		if (policy->flags & flag_names[i].flag)
			PUT("%s%s", k++ ? "|" : "=", flag_names[i].name);
	if (policy->nodes->n) {
		n = nm_nodelist_format_alloc(policy->nodes, &nodes);
		if (n < 0)
			return n;
		PUT(":%s", nodes);
	}
#undef PUT
	return (int)len;
}

static int parse_mode(const char *s, size_t len, enum numamove_policy_mode *ret)
{
	for (size_t i = 0; i < NUMAMOVE_POLICY_MODE_COUNT; i++) {
		const char *names[] = { mode_names[i].name, mode_names[i].alias };

		for (size_t k = 0; k < 2; k++)
			if (names[k] && strlen(names[k]) == len && strncmp(s, names[k], len) == 0) {
				*ret = (enum numamove_policy_mode)i;
				return 0;
			}
	}
	return -EINVAL;
}

static int parse_flags(const char *s, size_t len, unsigned int *ret)
{
	unsigned int flags = 0;

	while (len > 0) {
		const char *bar = memchr(s, '|', len);
		size_t n = bar ? (size_t)(bar - s) : len;
		bool found = false;

		for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++)
			if (strlen(flag_names[i].name) == n && strncmp(s, flag_names[i].name, n) == 0) {
				flags |= flag_names[i].flag;
				found = true;
			}
		if (!found)
			return -EINVAL;
		len -= bar ? n + 1 : n;
		s += bar ? n + 1 : n;
		if (bar && len == 0)
			return -EINVAL;
	}
	*ret = flags;
	return 0;
}

NM_EXPORT int numamove_policy_parse(const char *text, const struct numamove_topology *topo,
				    struct numamove_policy **ret_policy, int *reterr_bad)
{
	_cleanup_(nm_nodelist_freep) struct numamove_nodelist *nodes = NULL;
	enum numamove_policy_mode mode;
	const char *colon, *eq, *end_mode;
	unsigned int flags = 0;
	int r;

	if (!text)
		return -EINVAL;
	colon = strchr(text, ':');
	end_mode = colon ? colon : text + strlen(text);
	eq = memchr(text, '=', (size_t)(end_mode - text));
	r = parse_mode(text, (size_t)((eq ? eq : end_mode) - text), &mode);
	if (r < 0)
		return r;
	if (eq) {
		r = parse_flags(eq + 1, (size_t)(end_mode - eq - 1), &flags);
		if (r < 0 || flags == 0)
			return -EINVAL;
	}
	if (colon) {
		if (!mode_takes_nodes(mode) || colon[1] == '\0')
			return -EINVAL;
		/* Relative nodes are positions in the allowed set, not node ids. */
		if (!topo || (flags & NUMAMOVE_POLICY_F_RELATIVE))
			r = nm_nodelist_from_list(colon + 1, &nodes);
		else
			r = numamove_nodelist_parse(colon + 1, topo, NULL, &nodes, reterr_bad);
		if (r < 0)
			return r;
		/* The kernel refuses a policy over nodes without memory: so do we, naming the node. */
		for (size_t i = 0; topo && !(flags & NUMAMOVE_POLICY_F_RELATIVE) && i < numamove_nodelist_count(nodes);
		     i++)
			if (!numamove_node_has_memory(topo, numamove_nodelist_get(nodes, i))) {
				if (reterr_bad)
					*reterr_bad = numamove_nodelist_get(nodes, i);
				return -ENODEV;
			}
	}
	return numamove_policy_new(mode, flags, nodes, ret_policy);
}

NM_EXPORT int numamove_policy_remap(const struct numamove_policy *policy, const struct numamove_plan *plan,
				    struct numamove_policy **ret_policy)
{
	_cleanup_(nm_nodelist_freep) struct numamove_nodelist *nodes = NULL;
	int r;

	/* Relative nodes already follow whatever nodes the process may use. */
	if (policy->flags & NUMAMOVE_POLICY_F_RELATIVE)
		return numamove_policy_new(policy->mode, policy->flags, policy->nodes, ret_policy);
	r = numamove_plan_map_nodes(plan, policy->nodes, &nodes);
	if (r < 0)
		return r;
	return numamove_policy_new(policy->mode, policy->flags, nodes, ret_policy);
}

bool nm_policy_remap_changes(const struct numamove_policy *policy, const struct numamove_plan *plan)
{
	struct numamove_policy *after = NULL;
	bool changes;

	if (!policy || numamove_policy_remap(policy, plan, &after) < 0)
		return true; /* unknown: look inside */
	changes = !numamove_policy_equal(policy, after);
	numamove_policy_free(after);
	return changes;
}

int nm_policy_to_kernel(const struct numamove_policy *policy, int *ret_mode, unsigned long *mask,
			size_t mask_bits)
{
	int mode = (int)policy->mode;

	memset(mask, 0, mask_bits / 8);
	for (size_t i = 0; i < policy->nodes->n; i++) {
		size_t node = (size_t)policy->nodes->ids[i];

		if (node >= mask_bits)
			return -ERANGE;
		nm_mask_set(mask, node);
	}
	if (policy->flags & NUMAMOVE_POLICY_F_STATIC)
		mode |= NM_MPOL_F_STATIC_NODES;
	if (policy->flags & NUMAMOVE_POLICY_F_RELATIVE)
		mode |= NM_MPOL_F_RELATIVE_NODES;
	if (policy->flags & NUMAMOVE_POLICY_F_BALANCING)
		mode |= NM_MPOL_F_NUMA_BALANCING;
	*ret_mode = mode;
	return 0;
}

int nm_policy_from_kernel(int kmode, const unsigned long *mask, size_t mask_bits,
			  struct numamove_policy **ret_policy)
{
	_cleanup_(nm_nodelist_freep) struct numamove_nodelist *nodes = NULL;
	unsigned int flags = 0;
	int mode = kmode & ~(NM_MPOL_F_STATIC_NODES | NM_MPOL_F_RELATIVE_NODES | NM_MPOL_F_NUMA_BALANCING);
	int r;

	if (mode < 0 || mode >= NUMAMOVE_POLICY_MODE_COUNT)
		return -EPROTO;
	if (kmode & NM_MPOL_F_STATIC_NODES)
		flags |= NUMAMOVE_POLICY_F_STATIC;
	if (kmode & NM_MPOL_F_RELATIVE_NODES)
		flags |= NUMAMOVE_POLICY_F_RELATIVE;
	if (kmode & NM_MPOL_F_NUMA_BALANCING)
		flags |= NUMAMOVE_POLICY_F_BALANCING;
	r = numamove_nodelist_new(&nodes);
	/*
	 * Ascending, each once: appended without numamove_nodelist_add()'s
	 * search for a repeat, which made a full mask (1024 nodes) quadratic.
	 */
	for (size_t i = 0; r >= 0 && mode_takes_nodes((enum numamove_policy_mode)mode) && i < mask_bits; i++)
		if (nm_mask_test(mask, i)) {
			r = nm_grow((void **)&nodes->ids, &nodes->alloc, nodes->n + 1, sizeof(int));
			if (r >= 0)
				nodes->ids[nodes->n++] = (int)i;
		}
	if (r < 0)
		return r;
	return numamove_policy_new((enum numamove_policy_mode)mode, flags, nodes, ret_policy);
}

NM_EXPORT int numamove_policy_weight(int node)
{
	_cleanup_free_ char *text = NULL;
	int r, weight;

	if (node < 0)
		return -EINVAL;
	r = nm_read_filef(NULL, &text, "/sys/kernel/mm/mempolicy/weighted_interleave/node%d", node);
	if (r < 0)
		return r;
	text[strcspn(text, "\n")] = '\0';
	r = nm_parse_int(text, &weight);
	return r < 0 ? r : weight;
}

int nm_policy_supported(const struct numamove_policy *policy)
{
	/* Weighted interleave came in 6.9, with its weights in sysfs; earlier kernels refuse the mode. */
	if (policy && policy->mode == NUMAMOVE_POLICY_MODE_WEIGHTED_INTERLEAVE &&
	    access("/sys/kernel/mm/mempolicy/weighted_interleave", F_OK) < 0)
		return -EOPNOTSUPP;
	return 0;
}
