/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the harnesses of numamoved's request decoding (fuzz-bus-*.c),
 * one of which is linked into each: what daemon/main.c gives the other
 * files (replaced by stubs), the input read as a program (bytes, strings,
 * texts), and a bus that messages can be made on.
 *
 * sd-bus keeps its message parser private, so a harness builds the message
 * the client would have sent: a method call on a bus started over a
 * socketpair that never talks (sd_bus_message_new_method_call() needs a
 * started bus; one still authenticating lets a message carry descriptors),
 * filled from the input, sealed, and handed to the daemon's decoder as the
 * bus would hand it over. sd-bus checks the method's signature before the
 * daemon sees a call, so the input chooses what is inside each variant.
 */
#ifndef NUMAMOVE_FUZZ_BUS_H
#define NUMAMOVE_FUZZ_BUS_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"
#include "numamoved.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What daemon/main.c gives the other files: the decoder logs nothing that matters here. */
void log_at(int prio, const char *fmt, ...)
{
}

void log_for(int prio, uint32_t job, uint32_t pin, long uid, const char *fmt, ...)
{
}

uint64_t now_us(void)
{
	return 0;
}

uint64_t mono_us(void)
{
	return 0;
}

int daemon_reload(struct daemon *d)
{
	return -ENOTSUP;
}

struct input {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t take8(struct input *in)
{
	uint8_t v = 0;

	if (in->left) {
		v = *in->p++;
		in->left--;
	}
	return v;
}

static inline uint64_t take(struct input *in, size_t bytes)
{
	uint64_t v = 0;

	for (size_t i = 0; i < bytes; i++)
		v = v << 8 | take8(in);
	return v;
}

/* A string of the input: a length byte, then that many bytes (NULs dropped). */
static inline char *take_string(struct input *in, char *buf, size_t size)
{
	size_t len = take8(in), n = 0;

	for (size_t i = 0; i < len && in->left; i++) {
		uint8_t c = take8(in);

		if (c && n + 1 < size)
			buf[n++] = (char)c;
	}
	buf[n] = '\0';
	return buf;
}

/* One of @texts (a byte below 2 * @n picks it), or a string of the input. */
static inline const char *take_choice(struct input *in, const char *const *texts, size_t n, char *buf, size_t size)
{
	uint8_t c = take8(in);

	if (c < 2 * n)
		return texts[c % n];
	return take_string(in, buf, size);
}

/* A text the daemon takes as a node list or a policy, or any string. */
static inline const char *take_text(struct input *in, char *buf, size_t size)
{
	static const char *const texts[] = { "0", "1", "0-1", "all", "!0", "+0", "bind:0", "interleave=static:0-1",
					     "preferred", "default", "", "0-65535" };

	return take_choice(in, texts, ARRAY_SIZE(texts), buf, size);
}

/* The bus the messages are made on, started once and kept. */
static inline sd_bus *fuzz_bus(void)
{
	static sd_bus *bus;
	int fds[2];

	if (bus)
		return bus;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0 || sd_bus_new(&bus) < 0 ||
	    sd_bus_set_fd(bus, fds[0], fds[0]) < 0 || sd_bus_start(bus) < 0)
		abort();
	return bus;
}

/* Strings longer than numamoved takes (MAX_STRING), which no input of 4096 bytes holds. */
static inline const char *long_string(size_t len)
{
	static char buf[MAX_STRING + 2];

	memset(buf, '/', len);
	buf[len] = '\0';
	return buf;
}

/* Appends the variant of an option, its type chosen by @type (a byte of the input), its value from the input. */
typedef int (*fuzz_value_fn)(sd_bus_message *m, struct input *in, uint8_t type);

/*
 * An a{sv} of options: a count byte (modulo @max), then for each entry a
 * key (one of @keys, or a string of the input), a type byte and what
 * @value appends for it.
 */
static inline int append_entries(sd_bus_message *m, struct input *in, const char *const *keys, size_t n_keys,
				 unsigned int max, fuzz_value_fn value)
{
	unsigned int entries = take8(in) % max;
	int r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");

	for (unsigned int i = 0; r >= 0 && i < entries && in->left; i++) {
		char kbuf[256];
		const char *key = take_choice(in, keys, n_keys, kbuf, sizeof(kbuf));

		r = sd_bus_message_open_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv");
		if (r >= 0)
			r = sd_bus_message_append_basic(m, SD_BUS_TYPE_STRING, key);
		if (r >= 0)
			r = value(m, in, take8(in));
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

#endif
