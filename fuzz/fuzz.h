/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the fuzz harnesses: a NUL-terminated copy of the input, and a
 * fixed sparse topology (nodes 0, 1, 2, 3 and 8; node 2 without memory),
 * built by hand so that no harness reads the running machine's sysfs.
 */
#ifndef NUMAMOVE_FUZZ_H
#define NUMAMOVE_FUZZ_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @data as a C string (cut at its first NUL); abort() without memory, as a harness may. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The fixed topology, made once and kept (freed by nobody: the process ends). */
static inline const struct numamove_topology *fuzz_topology(void)
{
	static struct numamove_topology *topo;
	static const int ids[] = { 0, 1, 2, 3, 8 };

	if (topo)
		return topo;
	topo = calloc(1, sizeof(*topo));
	if (!topo || numamove_nodelist_new(&topo->list) < 0)
		abort();
	topo->nodes = calloc(ARRAY_SIZE(ids), sizeof(*topo->nodes));
	if (!topo->nodes)
		abort();
	topo->n_nodes = ARRAY_SIZE(ids);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		topo->nodes[i].id = ids[i];
		topo->nodes[i].has_memory = ids[i] != 2;
		topo->nodes[i].has_cpus = true;
		if (numamove_nodelist_add(topo->list, ids[i]) < 0)
			abort();
	}
	return topo;
}

/* A harness's own check failed: crash loudly so that the fuzzer keeps the input. */
#define FUZZ_ASSERT(x)                                                                        \
	do {                                                                                  \
		if (!(x)) {                                                                   \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #x); \
			abort();                                                              \
		}                                                                             \
	} while (0)

#endif
