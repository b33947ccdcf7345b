/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The names of the public enums' values, one function per enum, so that no
 * front end keeps its own table that drifts when a value is added. Each
 * returns NULL for a value it does not know (a newer library's, or garbage),
 * like libbpf's *_str() functions: a caller prints its own fallback.
 * (numamove_kind_name(), numamove_object_type_name(),
 * numamove_policy_mode_name() and numamove_reason_text() follow the same rule
 * and live beside their types.)
 */
#include "internal.h"

#define NAME_OF(table, v) ((unsigned)(v) < sizeof(table) / sizeof((table)[0]) ? (table)[(unsigned)(v)] : NULL)

NM_EXPORT const char *numamove_reason_name(enum numamove_reason reason)
{
	static const char *const names[] = {
		[NUMAMOVE_REASON_SHARED] = "shared",
		[NUMAMOVE_REASON_BUSY] = "busy",
		[NUMAMOVE_REASON_NOMEM] = "nomem",
		[NUMAMOVE_REASON_UNMOVABLE] = "unmovable",
		[NUMAMOVE_REASON_GONE] = "gone",
		[NUMAMOVE_REASON_OTHER] = "other",
	};

	return NAME_OF(names, reason);
}

NM_EXPORT const char *numamove_engine_name(enum numamove_engine engine)
{
	static const char *const names[] = {
		[NUMAMOVE_ENGINE_BATCHED] = "batched",
		[NUMAMOVE_ENGINE_KERNEL] = "kernel",
	};

	return NAME_OF(names, engine);
}

NM_EXPORT const char *numamove_task_state_name(enum numamove_task_state state)
{
	static const char *const names[] = {
		[NUMAMOVE_TASK_RUNNING] = "running",
		[NUMAMOVE_TASK_ZOMBIE] = "zombie",
		[NUMAMOVE_TASK_KTHREAD] = "kthread",
	};

	return NAME_OF(names, state);
}

NM_EXPORT const char *numamove_affinity_status_name(enum numamove_affinity_status status)
{
	static const char *const names[] = {
		[NUMAMOVE_AFFINITY_SET] = "set",
		[NUMAMOVE_AFFINITY_UNCHANGED] = "unchanged",
		[NUMAMOVE_AFFINITY_NO_CPUS] = "no-cpus",
		[NUMAMOVE_AFFINITY_FAILED] = "failed",
		[NUMAMOVE_AFFINITY_GONE] = "gone",
	};

	return NAME_OF(names, status);
}

NM_EXPORT const char *numamove_policy_status_name(enum numamove_policy_status status)
{
	static const char *const names[] = {
		[NUMAMOVE_POLICY_STATUS_CHANGED] = "changed",
		[NUMAMOVE_POLICY_STATUS_UNCHANGED] = "unchanged",
		[NUMAMOVE_POLICY_STATUS_SKIPPED] = "skipped",
		[NUMAMOVE_POLICY_STATUS_GONE] = "gone",
		[NUMAMOVE_POLICY_STATUS_FAILED] = "failed",
	};

	return NAME_OF(names, status);
}

NM_EXPORT const char *numamove_inject_block_name(enum numamove_inject_block block)
{
	static const char *const names[] = {
		[NUMAMOVE_INJECT_OK] = "ok",
		[NUMAMOVE_INJECT_TRACED] = "traced",
		[NUMAMOVE_INJECT_STOPPED] = "stopped",
		[NUMAMOVE_INJECT_SECCOMP] = "seccomp",
		[NUMAMOVE_INJECT_COMPAT] = "compat",
		[NUMAMOVE_INJECT_SECCOMP_UNKNOWN] = "seccomp-unknown",
	};

	return NAME_OF(names, block);
}
