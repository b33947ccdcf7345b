/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Ordered node lists and their parser.
 *
 * Unlike numactl's parser, names are checked against the machine's real
 * (possibly sparse) node ids, and "all", "!" and "+" are relative to the
 * TARGET's allowed nodes, which the caller passes in, not to the caller's
 * own cpuset.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

NM_EXPORT int numamove_nodelist_new(struct numamove_nodelist **ret_list)
{
	struct numamove_nodelist *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	*ret_list = l;
	return 0;
}

NM_EXPORT void numamove_nodelist_free(struct numamove_nodelist *list)
{
	if (!list)
		return;
	free(list->ids);
	free(list);
}

NM_EXPORT int numamove_nodelist_index(const struct numamove_nodelist *list, int node)
{
	for (size_t i = 0; list && i < list->n; i++)
		if (list->ids[i] == node)
			return (int)i;
	return -ENOENT;
}

NM_EXPORT bool numamove_nodelist_contains(const struct numamove_nodelist *list, int node)
{
	return numamove_nodelist_index(list, node) >= 0;
}

NM_EXPORT int numamove_nodelist_add(struct numamove_nodelist *list, int node)
{
	int r;

	if (node < 0)
		return -EINVAL;
	if (numamove_nodelist_contains(list, node))
		return -EEXIST;
	r = nm_grow((void **)&list->ids, &list->alloc, list->n + 1, sizeof(int));
	if (r < 0)
		return r;
	list->ids[list->n++] = node;
	return 0;
}

NM_EXPORT size_t numamove_nodelist_count(const struct numamove_nodelist *list)
{
	return list ? list->n : 0;
}

NM_EXPORT int numamove_nodelist_get(const struct numamove_nodelist *list, size_t i)
{
	return list && i < list->n ? list->ids[i] : -ERANGE;
}

NM_EXPORT int numamove_nodelist_format(const struct numamove_nodelist *list, char *buf, size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < list->n; i++) {
		size_t j = i;
		int n;

		while (j + 1 < list->n && list->ids[j + 1] == list->ids[j] + 1)
			j++;
		if (j != i)
			n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
				     "%s%d-%d", i ? "," : "", list->ids[i], list->ids[j]);
		else
			n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
				     "%s%d", i ? "," : "", list->ids[i]);
		if (n < 0)
			return -EINVAL;
		len += (size_t)n;
		i = j;
	}
	return (int)len;
}

int nm_nodelist_format_alloc(const struct numamove_nodelist *list, char **ret_text)
{
	int len = numamove_nodelist_format(list, NULL, 0);
	char *text;

	if (len < 0)
		return len;
	text = malloc((size_t)len + 1);
	if (!text)
		return -ENOMEM;
	numamove_nodelist_format(list, text, (size_t)len + 1);
	*ret_text = text;
	return 0;
}

/* The default reference set: every node of the machine that has memory. */
static int memory_nodes(const struct numamove_topology *topo, struct numamove_nodelist **ret)
{
	struct numamove_nodelist *l;
	int r = numamove_nodelist_new(&l);

	if (r < 0)
		return r;
	for (size_t i = 0; i < topo->n_nodes; i++)
		if (topo->nodes[i].has_memory && (r = numamove_nodelist_add(l, topo->nodes[i].id)) < 0) {
			numamove_nodelist_free(l);
			return r;
		}
	*ret = l;
	return 0;
}

static int parse_number(const char **p, int *ret)
{
	const char *s = *p;
	long v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		if (v > NM_NODE_ID_MAX)
			return -ERANGE;
		s++;
	}
	*p = s;
	*ret = (int)v;
	return 0;
}

/*
 * Parses "a,b-c,..." into @out. With @relative, the numbers are positions in
 * @allowed. Errors set *bad to the offset or the offending node.
 */
static int parse_ranges(const char *text, const char *s, const struct numamove_topology *topo,
			const struct numamove_nodelist *allowed, bool relative,
			struct numamove_nodelist *out, int *bad)
{
	const char *p = s;

	if (!*p) {
		*bad = (int)(p - text);
		return -EINVAL;
	}
	while (*p) {
		const char *start = p;
		int lo, hi, r;

		r = parse_number(&p, &lo);
		if (r < 0) {
			*bad = (int)(start - text);
			return -EINVAL;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			r = parse_number(&p, &hi);
			if (r < 0 || hi < lo) {
				*bad = (int)(start - text);
				return -EINVAL;
			}
		}
		if (*p == ',') {
			p++;
			if (!*p) {
				*bad = (int)(p - text);
				return -EINVAL;
			}
		} else if (*p) {
			*bad = (int)(p - text);
			return -EINVAL;
		}
		for (int v = lo; v <= hi; v++) {
			int node = v;

			if (relative) {
				if ((size_t)v >= allowed->n) {
					*bad = v;
					return -ERANGE;
				}
				node = allowed->ids[v];
			} else if (!numamove_topology_has_node(topo, v)) {
				/* In a range, holes of a sparse numbering are skipped. */
				if (lo != hi && v != lo && v != hi)
					continue;
				*bad = v;
				return -ENODEV;
			}
			r = numamove_nodelist_add(out, node);
			if (r == -EEXIST) {
				*bad = (int)(start - text);
				return -EINVAL;
			}
			if (r < 0)
				return r;
		}
	}
	return 0;
}

NM_EXPORT int numamove_nodelist_parse(const char *text, const struct numamove_topology *topo,
				      const struct numamove_nodelist *allowed,
				      struct numamove_nodelist **ret_list, int *reterr_bad)
{
	struct numamove_nodelist *own_allowed = NULL, *out = NULL, *tmp = NULL;
	const char *s = text;
	bool invert = false, relative = false;
	int bad = 0, r;

	if (!text || !topo)
		return -EINVAL;
	if (!allowed) {
		r = memory_nodes(topo, &own_allowed);
		if (r < 0)
			return r;
		allowed = own_allowed;
	}
	r = numamove_nodelist_new(&out);
	if (r < 0)
		goto done;

	if (*s == '!') {
		invert = true;
		s++;
	}
	if (*s == '+') {
		relative = true;
		s++;
	}
	if (strcmp(s, "all") == 0) {
		for (size_t i = 0; i < allowed->n && r >= 0; i++)
			r = numamove_nodelist_add(out, allowed->ids[i]);
	} else {
		r = parse_ranges(text, s, topo, allowed, relative, out, &bad);
	}
	if (r < 0)
		goto done;

	if (invert) {
		r = numamove_nodelist_new(&tmp);
		for (size_t i = 0; r >= 0 && i < allowed->n; i++)
			if (!numamove_nodelist_contains(out, allowed->ids[i]))
				r = numamove_nodelist_add(tmp, allowed->ids[i]);
		if (r < 0)
			goto done;
		numamove_nodelist_free(out);
		out = TAKE_PTR(tmp);
	}
	if (out->n == 0) {
		bad = 0;
		r = -ENOENT;
		goto done;
	}
	*ret_list = TAKE_PTR(out);
	r = 0;
done:
	if (r < 0 && reterr_bad)
		*reterr_bad = bad;
	numamove_nodelist_free(tmp);
	numamove_nodelist_free(out);
	numamove_nodelist_free(own_allowed);
	return r;
}

int nm_nodelist_from_list(const char *text, struct numamove_nodelist **ret)
{
	struct nm_bits bits = { 0 };
	struct numamove_nodelist *l = NULL;
	int r = nm_bits_parse_list(text, &bits);

	/* No node id above NM_NODE_ID_MAX, as in user lists and numa_maps. */
	if (r == 0 && nm_bits_next(&bits, NM_NODE_ID_MAX + 1, true) < bits.nbits)
		r = -ERANGE;
	if (r == 0)
		r = numamove_nodelist_new(&l);
	/*
	 * The bits come in ascending order, each once: appended without
	 * numamove_nodelist_add()'s search for a repeat, which made a long
	 * list ("0-1023", in a relative policy anyone may send numamoved)
	 * quadratic. The bits are found a word at a time (nm_bits_next()).
	 */
	for (size_t i = nm_bits_next(&bits, 0, true); r == 0 && i < bits.nbits; i = nm_bits_next(&bits, i + 1, true)) {
		r = nm_grow((void **)&l->ids, &l->alloc, l->n + 1, sizeof(int));
		if (r == 0)
			l->ids[l->n++] = (int)i;
	}
	nm_bits_clear(&bits);
	if (r < 0) {
		numamove_nodelist_free(l);
		return r;
	}
	*ret = l;
	return 0;
}

int nm_nodelist_copy(const struct numamove_nodelist *src, struct numamove_nodelist **ret)
{
	struct numamove_nodelist *l;
	int r = numamove_nodelist_new(&l);

	for (size_t i = 0; r >= 0 && i < src->n; i++)
		r = numamove_nodelist_add(l, src->ids[i]);
	if (r < 0) {
		numamove_nodelist_free(l);
		return r;
	}
	*ret = l;
	return 0;
}
