/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What around a move can undo it or limit it. */
#include <errno.h>

#include "internal.h"

NM_EXPORT int numamove_numa_balancing(void)
{
	_cleanup_free_ char *text = NULL;
	int r = nm_read_file(NULL, "/proc/sys/kernel/numa_balancing", &text, NULL);

	if (r < 0)
		return r;
	return (int)strtol(text, NULL, 10);
}
