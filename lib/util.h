/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal helpers shared by the library's files. Not installed. */
#ifndef NUMAMOVE_UTIL_H
#define NUMAMOVE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

/* Move ownership out of a cleanup variable. */
#define TAKE_PTR(p)                             \
	({                                      \
		__typeof__(p) _p_ = (p);        \
		(p) = NULL;                     \
		_p_;                            \
	})

/*
 * Every /proc and /sys read goes through here. @sysroot NULL or "" means
 * the running system; otherwise the path is looked up below it, so tests
 * can replay recorded trees.
 */
int nm_read_file(const char *sysroot, const char *path, char **ret_text, size_t *ret_len);
/* Like nm_read_file() with a printf-style path. */
int nm_read_filef(const char *sysroot, char **ret_text, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Range-checked number parsing: the whole of @s must be the number. */
int nm_parse_u64(const char *s, uint64_t *ret);
int nm_parse_int(const char *s, int *ret);

/*
 * A CPU or node mask as the kernel prints lists ("0-3,8"): a dynamic
 * bitmap. nm_bits_parse_list() accepts an empty string (no bit set).
 */
struct nm_bits {
	uint64_t *w;
	size_t nbits;
};
int nm_bits_parse_list(const char *s, struct nm_bits *ret);
int nm_bits_set(struct nm_bits *b, size_t bit);
bool nm_bits_test(const struct nm_bits *b, size_t bit);
/* The first bit from @bit on that is @set (1) or not (0); b->nbits when none. */
size_t nm_bits_next(const struct nm_bits *b, size_t bit, bool set);
size_t nm_bits_weight(const struct nm_bits *b);
/* Writes "0-3,8"; returns the length needed, like snprintf. */
int nm_bits_format(const struct nm_bits *b, char *buf, size_t size);
void nm_bits_clear(struct nm_bits *b);

/*
 * /proc/PID/numa_maps and mountinfo escape white space in paths as octal
 * ("\040"): the first @len bytes of @s unescaped, or NULL without memory.
 */
char *nm_unescape_octal(const char *s, size_t len);

/*
 * The value of field @name ("\nUid:", with the newline and the colon) of a
 * /proc status text, blanks skipped; NULL when there is no such field.
 */
const char *nm_status_field(const char *text, const char *name);

/* The start of the line after the one at @p in a text, or NULL after the last line. */
static inline const char *nm_next_line(const char *p)
{
	const char *nl = strchr(p, '\n');

	return nl && nl[1] ? nl + 1 : NULL;
}

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t nm_now_ns(void);

/* Whether the calling thread has capability @cap (CAP_*) in its effective set. */
bool nm_have_cap(int cap);

/* Frees the @n strings of @v, then @v. */
void nm_strv_free(char **v, size_t n);

/* A growing array of elements of one size. */
int nm_grow(void **array, size_t *alloc, size_t need, size_t elem);

#endif
