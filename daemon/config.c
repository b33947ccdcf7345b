/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration file: "key = value" lines, '#' comments. A file that
 * does not exist gives the defaults; a line that does not parse is an
 * error naming the line, so that a typo is never silently a default.
 */
#include <errno.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "numamoved.h"

static void config_defaults(struct config *c)
{
	*c = (struct config){
		.budget = 0,
		.max_running = 2,
		.job_keep_s = 600,
		.pin_interval_ms = 10000,
		.read_ahead_max = 256ULL << 20,
		.slurm_scan_ms = 2000,
	};
}

void config_free(struct config *c)
{
	free(c->admin_group);
	c->admin_group = NULL;
	free(c->slurm_far_nodes);
	c->slurm_far_nodes = NULL;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* A whole number, with K, M, G, T (powers of 1024) when @units; "/s" is allowed after it. */
static int parse_u64(const char *text, bool units, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	if (!isdigit((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno)
		return -errno;
	if (units && *end) {
		const char *u = strchr("KMGT", toupper((unsigned char)*end));

		if (!u)
			return -EINVAL;
		mult = 1ULL << (10 * (u - "KMGT" + 1));
		end++;
		if (toupper((unsigned char)*end) == 'I' && end[1] == 'B')
			end += 2;
		else if (toupper((unsigned char)*end) == 'B')
			end++;
	}
	if (units && strcmp(end, "/s") == 0)
		end += 2;
	if (*end || v > max / mult)
		return -EINVAL;
	*ret = v * mult;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

/*
 * slurm-far-nodes: node numbers and ranges ("2-3", "2,3"), distinct nodes
 * of this machine, as the library parses them. Kept ascending: the kernel
 * remaps a cpuset's memory by ascending position, whatever order is written.
 */
int config_parse_far_nodes(const char *value, char **ret)
{
	struct numamove_topology *topo = NULL;
	struct numamove_nodelist *l = NULL, *sorted = NULL;
	int *v = NULL, r, len;
	size_t n = 0;
	char *text = NULL;

	/* Numbers and ranges only: not "all", "!LIST" or "+LIST". */
	if (strspn(value, "0123456789,-") != strlen(value) || !isdigit((unsigned char)value[0]))
		return -EINVAL;
	r = numamove_topology_load(NULL, &topo);
	if (r == 0)
		r = numamove_nodelist_parse(value, topo, NULL, &l, NULL);
	if (r == 0) {
		n = numamove_nodelist_count(l);
		v = calloc(n ? n : 1, sizeof(*v));
		r = v ? 0 : -ENOMEM;
	}
	for (size_t i = 0; r == 0 && i < n; i++)
		v[i] = numamove_nodelist_get(l, i);
	if (r == 0) {
		qsort(v, n, sizeof(*v), cmp_int);
		r = numamove_nodelist_new(&sorted);
	}
	for (size_t i = 0; r == 0 && i < n; i++)
		r = numamove_nodelist_add(sorted, v[i]);
	if (r == 0 && (len = numamove_nodelist_format(sorted, NULL, 0)) < 0)
		r = len;
	if (r == 0 && !(text = malloc((size_t)len + 1)))
		r = -ENOMEM;
	if (r == 0 && (r = numamove_nodelist_format(sorted, text, (size_t)len + 1)) >= 0)
		r = 0;
	free(v);
	numamove_nodelist_free(l);
	numamove_nodelist_free(sorted);
	numamove_topology_free(topo);
	if (r < 0) {
		free(text);
		/* A syntax error, a repeated node, a node this machine lacks: all a bad value. */
		return r == -ENOMEM ? r : -EINVAL;
	}
	*ret = text;
	return 0;
}

static int set_key(struct config *c, const char *key, const char *value)
{
	uint64_t v;

	if (strcmp(key, "budget") == 0)
		return parse_u64(value, true, UINT64_MAX, &c->budget);
	if (strcmp(key, "max-running") == 0) {
		if (parse_u64(value, false, 1024, &v) < 0 || v == 0)
			return -EINVAL;
		c->max_running = (unsigned int)v;
		return 0;
	}
	if (strcmp(key, "job-keep-s") == 0) {
		/* At least 10 s: the submitter reads the report once the job says it finished. */
		if (parse_u64(value, false, 86400 * 30, &v) < 0 || v < 10)
			return -EINVAL;
		c->job_keep_s = (unsigned int)v;
		return 0;
	}
	if (strcmp(key, "pin-interval-ms") == 0) {
		if (parse_u64(value, false, 86400000, &v) < 0 || v < 100)
			return -EINVAL;
		c->pin_interval_ms = (unsigned int)v;
		return 0;
	}
	if (strcmp(key, "read-ahead-max") == 0)
		return parse_u64(value, true, UINT64_MAX, &c->read_ahead_max);
	if (strcmp(key, "lock-budget") == 0)
		return parse_u64(value, true, UINT64_MAX, &c->lock_budget);
	if (strcmp(key, "slurm-far-nodes") == 0) {
		free(c->slurm_far_nodes);
		c->slurm_far_nodes = NULL;
		if (!*value)
			return 0;
		return config_parse_far_nodes(value, &c->slurm_far_nodes);
	}
	if (strcmp(key, "slurm-scan-ms") == 0) {
		if (parse_u64(value, false, 3600000, &v) < 0 || v < 100)
			return -EINVAL;
		c->slurm_scan_ms = (unsigned int)v;
		return 0;
	}
	if (strcmp(key, "admin-group") == 0) {
		free(c->admin_group);
		c->admin_group = *value ? strdup(value) : NULL;
		return *value && !c->admin_group ? -ENOMEM : 0;
	}
	return -ENOENT;
}

int config_load(const char *path, struct config *ret)
{
	struct config c;
	char *line = NULL;
	size_t cap = 0;
	unsigned int lineno = 0;
	FILE *f;
	int r = 0;

	config_defaults(&c);
	f = fopen(path, "re");
	if (!f) {
		if (errno != ENOENT) {
			log_err("%s: %m", path);
			return -errno;
		}
		log_info("%s: no such file, using the defaults", path);
		*ret = c;
		return 0;
	}
	while (r == 0 && getline(&line, &cap, f) > 0) {
		char *s = trim(line), *eq;

		lineno++;
		if (!*s || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			log_err("%s:%u: not a 'key = value' line", path, lineno);
			r = -EINVAL;
			break;
		}
		*eq = '\0';
		r = set_key(&c, trim(s), trim(eq + 1));
		if (r == -ENOENT)
			log_err("%s:%u: unknown key '%s'", path, lineno, trim(s));
		else if (r < 0)
			log_err("%s:%u: bad value for '%s'", path, lineno, trim(s));
	}
	free(line);
	fclose(f);
	if (r < 0) {
		config_free(&c);
		return r == -ENOENT ? -EINVAL : r;
	}
	*ret = c;
	return 0;
}
