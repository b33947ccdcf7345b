/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "util.h"

int nm_read_file(const char *sysroot, const char *path, char **ret_text, size_t *ret_len)
{
	char full[PATH_MAX];
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, alloc = 0;

	if (!sysroot || !*sysroot)
		sysroot = "/";
	if (strcmp(sysroot, "/") != 0 || path[0] != '/') {
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", sysroot, path) >= sizeof(full))
			return -ENAMETOOLONG;
		path = full;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (len + 1 >= alloc) {
			size_t na = alloc ? alloc * 2 : 4096;
			char *nb = realloc(buf, na);

			if (!nb)
				return -ENOMEM;
			buf = nb;
			alloc = na;
		}
		n = read(fd, buf + len, alloc - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (!buf) {
		buf = calloc(1, 1);
		if (!buf)
			return -ENOMEM;
	}
	buf[len] = '\0';
	*ret_text = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int nm_read_filef(const char *sysroot, char **ret_text, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	return nm_read_file(sysroot, path, ret_text, NULL);
}

int nm_parse_u64(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s || *end != '\0')
		return -EINVAL;
	*ret = v;
	return 0;
}

int nm_parse_int(const char *s, int *ret)
{
	uint64_t v;
	int r = nm_parse_u64(s, &v);

	if (r < 0)
		return r;
	if (v > INT_MAX)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}

int nm_grow(void **array, size_t *alloc, size_t need, size_t elem)
{
	size_t na;
	void *n;

	if (need <= *alloc)
		return 0;
	na = *alloc ? *alloc : 8;
	while (na < need)
		na *= 2;
	n = realloc(*array, na * elem);
	if (!n)
		return -ENOMEM;
	memset((char *)n + *alloc * elem, 0, (na - *alloc) * elem);
	*array = n;
	*alloc = na;
	return 0;
}

int nm_bits_set(struct nm_bits *b, size_t bit)
{
	size_t words = b->nbits / 64;

	if (bit >= b->nbits) {
		size_t nw = bit / 64 + 1;
		int r = nm_grow((void **)&b->w, &words, nw, sizeof(uint64_t));

		if (r < 0)
			return r;
		b->nbits = words * 64;
	}
	b->w[bit / 64] |= UINT64_C(1) << (bit % 64);
	return 0;
}

bool nm_bits_test(const struct nm_bits *b, size_t bit)
{
	return bit < b->nbits && (b->w[bit / 64] >> (bit % 64)) & 1;
}

/* Sets bits @lo to @hi, both included, a word at a time. */
static int bits_set_range(struct nm_bits *b, size_t lo, size_t hi)
{
	int r = nm_bits_set(b, hi); /* grows the set once */

	if (r < 0)
		return r;
	for (size_t w = lo / 64; w <= hi / 64; w++) {
		uint64_t mask = ~UINT64_C(0);

		if (w == lo / 64)
			mask &= ~UINT64_C(0) << (lo % 64);
		if (w == hi / 64)
			mask &= ~UINT64_C(0) >> (63 - hi % 64);
		b->w[w] |= mask;
	}
	return 0;
}

size_t nm_bits_next(const struct nm_bits *b, size_t bit, bool set)
{
	while (bit < b->nbits) {
		uint64_t w = set ? b->w[bit / 64] : ~b->w[bit / 64];

		w &= ~UINT64_C(0) << (bit % 64);
		if (w)
			return bit / 64 * 64 + (size_t)__builtin_ctzll(w);
		bit = (bit / 64 + 1) * 64;
	}
	return b->nbits;
}

size_t nm_bits_weight(const struct nm_bits *b)
{
	size_t n = 0;

	for (size_t i = 0; i < b->nbits / 64; i++)
		n += (size_t)__builtin_popcountll(b->w[i]);
	return n;
}

void nm_bits_clear(struct nm_bits *b)
{
	free(b->w);
	b->w = NULL;
	b->nbits = 0;
}

/* Parses "0-3,8,10-11" (and "" or "\n"); strides ("0-7:2") are accepted too. */
int nm_bits_parse_list(const char *s, struct nm_bits *ret)
{
	struct nm_bits b = { 0 };
	const char *p = s;

	while (*p && *p != '\n') {
		unsigned long lo, hi, stride = 1;
		char *end;

		if (*p < '0' || *p > '9')
			goto bad;
		lo = strtoul(p, &end, 10);
		hi = lo;
		p = end;
		if (*p == '-') {
			p++;
			if (*p < '0' || *p > '9')
				goto bad;
			hi = strtoul(p, &end, 10);
			p = end;
			if (*p == ':') {
				p++;
				stride = strtoul(p, &end, 10);
				if (end == p || stride == 0)
					goto bad;
				p = end;
			}
		}
		if (hi < lo || hi > 1u << 20)
			goto bad;
		/*
		 * A plain range a word at a time: a bit at a time, a short text
		 * ("0-1048576,0-1048576,...") cost millions of steps per range.
		 */
		if (stride == 1 && bits_set_range(&b, lo, hi) < 0) {
			nm_bits_clear(&b);
			return -ENOMEM;
		}
		for (unsigned long i = lo; stride > 1 && i <= hi; i += stride)
			if (nm_bits_set(&b, i) < 0) {
				nm_bits_clear(&b);
				return -ENOMEM;
			}
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			goto bad;
	}
	*ret = b;
	return 0;
bad:
	nm_bits_clear(&b);
	return -EINVAL;
}

int nm_bits_format(const struct nm_bits *b, char *buf, size_t size)
{
	size_t len = 0;
	bool first = true;

	if (size)
		buf[0] = '\0';
	/* Run by run (nm_bits_next()): linear in the words, not in the bits. */
	for (size_t i = nm_bits_next(b, 0, true); i < b->nbits; i = nm_bits_next(b, i + 1, true)) {
		size_t j = nm_bits_next(b, i, false) - 1;
		int n;

		if (j == i)
			n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
				     "%s%zu", first ? "" : ",", i);
		else
			n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
				     "%s%zu-%zu", first ? "" : ",", i, j);
		if (n < 0)
			return -EINVAL;
		len += (size_t)n;
		first = false;
		i = j;
	}
	return (int)len;
}

char *nm_unescape_octal(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			*o++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}


const char *nm_status_field(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	return p ? p + strlen(name) + strspn(p + strlen(name), " \t") : NULL;
}

uint64_t nm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void nm_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

bool nm_have_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

	if (cap < 0 || cap >= 32 * _LINUX_CAPABILITY_U32S_3 || syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}
