/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Options structs, the libbpf way: every public *_opts struct starts with
 * `size_t sz` (the caller's sizeof), ends with `size_t :0;`, and has a
 * `#define numamove_X_opts__last_field FIELD` beside it. The library reads
 * only the fields inside the caller's sz, takes defaults for the others,
 * and refuses (-EINVAL) a sz too small to hold sz itself, or any non-zero
 * byte past the fields it knows (an option of a newer library it cannot
 * honour).
 */
#ifndef NUMAMOVE_OPTS_H
#define NUMAMOVE_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#define nm_offsetofend(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

/* Checks the caller's struct of @user_sz bytes against the @known_sz the library knows. */
static inline bool nm_opts_valid(const void *opts, size_t known_sz, size_t user_sz)
{
	const unsigned char *p = opts;

	if (user_sz < sizeof(size_t))
		return false;
	for (size_t i = known_sz; i < user_sz; i++)
		if (p[i])
			return false;
	return true;
}

/* NULL is valid (all defaults). */
#define NM_OPTS_VALID(opts, type)                                                                     \
	(!(opts) || nm_opts_valid((opts), nm_offsetofend(struct type, type##__last_field), (opts)->sz))
/* Whether the caller's struct holds @field. */
#define NM_OPTS_HAS(opts, field) ((opts) && (opts)->sz >= nm_offsetofend(__typeof__(*(opts)), field))
/* The caller's @field, or @fallback when its struct is older (or NULL). */
#define NM_OPTS_GET(opts, field, fallback) (NM_OPTS_HAS(opts, field) ? (opts)->field : (fallback))

#endif
