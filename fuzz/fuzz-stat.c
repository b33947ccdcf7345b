/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/stat (nm_stat_parse(), as numamove_task_open() and
 * numamove_task_check() read it): the command name is the process's own
 * choice (any bytes, ')' and ' ' included, up to 15 of them), so the
 * fields after it are found from the last ')'. The first byte of the input
 * is the size of the name's buffer (1 to 64); the rest is the text.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char comm[64], state = 'X';
	unsigned long flags = 0;
	unsigned long long starttime = 0;
	size_t comm_size;
	char *text;
	int r;

	if (size < 1)
		return 0;
	comm_size = data[0] % sizeof(comm) + 1;
	text = fuzz_strndup(data + 1, size - 1);
	memset(comm, 'Z', sizeof(comm));
	r = nm_stat_parse(text, comm, comm_size, &state, &flags, &starttime);
	FUZZ_ASSERT(r == 0 || r == -EIO);
	if (r == 0) {
		const char *open = strchr(text, '('), *close = strrchr(text, ')');

		FUZZ_ASSERT(open && close && open < close);
		/* The name: what lies between, cut to the buffer, always terminated. */
		FUZZ_ASSERT(memchr(comm, '\0', comm_size));
		FUZZ_ASSERT(strncmp(comm, open + 1, strlen(comm)) == 0);
		FUZZ_ASSERT(strlen(comm) == (size_t)(close - open - 1) || strlen(comm) == comm_size - 1);
		FUZZ_ASSERT(state == close[2]);
	}
	/* Nothing written past the buffer. */
	for (size_t i = comm_size; i < sizeof(comm); i++)
		FUZZ_ASSERT(comm[i] == 'Z');
	free(text);
	return 0;
}
