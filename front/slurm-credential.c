/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The payload of root's MUNGE credential for a Slurm job's move on all its
 * nodes (front.h says why there is one): the request, one "key=value"
 * line each, in a fixed order, so that root's numamove and each node's
 * numamoved write the same text for the same request and different texts
 * for any two that differ. numamove-spank(8) documents it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front.h"

int front_slurm_credential_text(const struct front_move_terms *t, char **ret)
{
	const char *s[] = { t->job, t->to, t->from, t->policy };

	*ret = NULL;
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (s[i] && strchr(s[i], '\n'))
			return -EINVAL;
	if (asprintf(ret,
		     "numamove-slurm-move/1\n"
		     "job=%s\nowner=%u\nto=%s\nfrom=%s\npolicy=%s\nflags=%u\nengine=%s\njobs=%u\nrate=%" PRIu64
		     "\nmax-stall-ms=%u\npriority=%d\n",
		     t->job ? t->job : "", t->owner, t->to ? t->to : "", t->from ? t->from : "", t->policy ? t->policy : "",
		     t->flags, numamove_engine_name(t->engine) ?: "", t->jobs, t->rate,
		     t->max_stall_ms, t->priority) < 0) {
		*ret = NULL;
		return -ENOMEM;
	}
	return 0;
}
