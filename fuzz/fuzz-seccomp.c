/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The classic-BPF seccomp interpreter (nm_seccomp_run()): the program is
 * the target's own filter, read with PTRACE_SECCOMP_GET_FILTER, so any
 * program at all. The input is a struct seccomp_data (64 bytes; shorter
 * inputs are padded with zeroes), then the program, 8 bytes an
 * instruction, at most BPF_MAXINSNS (4096). A run must end (no backward
 * jumps) and give the same answer twice.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "fuzz.h"
#include "inject.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seccomp_data d = { 0 };
	struct sock_filter *prog;
	size_t n = size > sizeof(d) ? (size - sizeof(d)) / sizeof(*prog) : 0;
	uint32_t ret1 = 0xdeadbeef, ret2 = 0xdeadbeef;
	bool args1, args2, ok1, ok2;

	if (n > 4096)
		return 0;
	memcpy(&d, data, size < sizeof(d) ? size : sizeof(d));
	/* An exact-size copy, so that ASan sees a read past the program's end. */
	prog = malloc(n ? n * sizeof(*prog) : 1);
	FUZZ_ASSERT(prog);
	if (n)
		memcpy(prog, data + sizeof(d), n * sizeof(*prog));
	ok1 = nm_seccomp_run(prog, n, &d, &ret1, &args1);
	ok2 = nm_seccomp_run(prog, n, &d, &ret2, &args2);
	FUZZ_ASSERT(ok1 == ok2 && args1 == args2);
	if (ok1)
		FUZZ_ASSERT(ret1 == ret2);
	free(prog);
	return 0;
}
