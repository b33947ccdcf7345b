/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/status, /proc/PID/task/TID/status and fdinfo fields
 * (nm_status_field()) and what the library reads from them: Uid:, Pid:,
 * TracerPid:, State:, Seccomp:, the signal masks, and Mems_allowed_list:
 * (nm_nodelist_from_list()). A process's Name: is its own choice (comm
 * may hold a newline and "Uid:"), so the fields must be found by line.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const numeric[] = { "\nUid:", "\nPid:", "\nTracerPid:", "\nSeccomp:", "\nSigPnd:",
					       "\nShdPnd:", "\nSigBlk:", "\nSigCgt:", "\nState:" };
	char *text = fuzz_strndup(data, size);
	struct numamove_nodelist *l = NULL;
	const char *p;

	for (size_t i = 0; i < ARRAY_SIZE(numeric); i++) {
		p = nm_status_field(text, numeric[i]);
		if (!p)
			continue;
		FUZZ_ASSERT(p > text && p <= text + size);
		(void)strtoull(p, NULL, 16);
		(void)strtoul(p, NULL, 10);
	}
	p = nm_status_field(text, "\nMems_allowed_list:");
	if (p && nm_nodelist_from_list(p, &l) == 0)
		numamove_nodelist_free(l);
	free(text);
	return 0;
}
