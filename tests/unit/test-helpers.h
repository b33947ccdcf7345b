/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the unit tests: recorded data and node list helpers. */
#ifndef NUMAMOVE_TEST_HELPERS_H
#define NUMAMOVE_TEST_HELPERS_H

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#ifndef DATA_DIR
#error "DATA_DIR must be defined by the build"
#endif

#define KIB UINT64_C(1024)
#define MIB (KIB * 1024)
#define PAGE UINT64_C(4096)
#define HUGE_2M (2 * MIB)

/*
 * What the kernel under the tests implements. qemu-user, which runs the
 * arm64 unit tests on an x86-64 host (meson test's exe_wrapper), has
 * neither ptrace(2) nor the NUMA calls: they fail with ENOSYS, and the
 * tests that need them skip (tests/vm/arm64/unit.sh runs them on an arm64
 * kernel).
 */
static inline bool have_ptrace(void)
{
	errno = 0;
	(void)ptrace(PTRACE_PEEKDATA, getpid(), NULL, NULL); /* ESRCH: not our tracee */
	return errno != ENOSYS;
}

static inline bool have_numa_calls(void)
{
	return syscall(SYS_get_mempolicy, NULL, NULL, 0UL, NULL, 0UL) == 0 || errno != ENOSYS;
}

#define skip_without_numa_calls()                                                          \
	do {                                                                               \
		if (!have_numa_calls()) {                                                  \
			print_message("skipped: the NUMA calls are not implemented here (qemu-user)\n"); \
			skip();                                                            \
		}                                                                          \
	} while (0)

/* The text of a recorded file below tests/unit/data; never NULL. */
static inline char *read_data(const char *name)
{
	char *text = NULL;
	int r = nm_read_file(DATA_DIR, name, &text, NULL);

	if (r < 0)
		fail_msg("cannot read %s/%s: %s", DATA_DIR, name, strerror(-r));
	return text;
}

/* Loads the recorded sysfs tree data/NAME. */
static inline struct numamove_topology *load_topo(const char *name)
{
	char root[4096];
	struct numamove_topology *topo = NULL;
	int r;

	snprintf(root, sizeof(root), "%s/%s", DATA_DIR, name);
	r = numamove_topology_load(root, &topo);
	if (r < 0)
		fail_msg("cannot load topology %s: %s", root, strerror(-r));
	assert_non_null(topo);
	return topo;
}

/* Parses the recorded data/NAME.numa_maps and data/NAME.maps. */
static inline struct numamove_maps *load_maps(const char *name)
{
	char path[512];
	char *numa_maps, *maps_text;
	struct numamove_maps *maps = NULL;

	snprintf(path, sizeof(path), "%s.numa_maps", name);
	numa_maps = read_data(path);
	snprintf(path, sizeof(path), "%s.maps", name);
	maps_text = read_data(path);
	assert_int_equal(numamove_maps_parse(numa_maps, maps_text, &maps), 0);
	free(numa_maps);
	free(maps_text);
	assert_non_null(maps);
	return maps;
}

static inline struct numamove_nodelist *make_list(const int *ids, size_t n)
{
	struct numamove_nodelist *l = NULL;

	assert_int_equal(numamove_nodelist_new(&l), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(numamove_nodelist_add(l, ids[i]), 0);
	return l;
}

/* LIST(3, 1) is the ordered list [3, 1]; EMPTY_LIST() has no node. */
#define LIST(...) make_list((const int[]){ __VA_ARGS__ }, sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))
#define EMPTY_LIST() make_list(NULL, 0)

/* The list as text, "[3,1]", so that a failure shows both sides. */
static inline void list_text(const struct numamove_nodelist *l, char *buf, size_t size)
{
	size_t len = 0;

	len += (size_t)snprintf(buf, size, "[");
	for (size_t i = 0; i < numamove_nodelist_count(l) && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%d", i ? "," : "",
					numamove_nodelist_get(l, i));
	if (len < size)
		snprintf(buf + len, size - len, "]");
}

static inline void check_list(const struct numamove_nodelist *l, const int *ids, size_t n)
{
	char got[256], want[256];
	size_t len = 0;

	assert_non_null(l);
	list_text(l, got, sizeof(got));
	len += (size_t)snprintf(want, sizeof(want), "[");
	for (size_t i = 0; i < n && len < sizeof(want); i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len, "%s%d", i ? "," : "", ids[i]);
	if (len < sizeof(want))
		snprintf(want + len, sizeof(want) - len, "]");
	assert_string_equal(got, want);
	assert_int_equal(numamove_nodelist_count(l), n);
}

/* assert_list(l, 3, 1): @l is exactly [3, 1], in that order. */
#define assert_list(l, ...) \
	check_list((l), (const int[]){ __VA_ARGS__ }, sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

/* The recorded machines and mappings the group tests share. */
struct fixture {
	struct numamove_topology *vm4, *sparse, *nonode0;
	struct numamove_maps *maps;
};

static inline int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->vm4 = load_topo("sys-4node");
	f->sparse = load_topo("sys-sparse");
	f->nonode0 = load_topo("sys-nonode0");
	f->maps = load_maps("multi");
	*state = f;
	return 0;
}

static inline int fixture_teardown(void **state)
{
	struct fixture *f = *state;

	numamove_topology_free(f->vm4);
	numamove_topology_free(f->sparse);
	numamove_topology_free(f->nonode0);
	numamove_maps_free(f->maps);
	free(f);
	return 0;
}

#endif
