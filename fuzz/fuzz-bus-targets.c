/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamoved's decoding of the targets a(sv) of Move and Pin
 * (bus_read_targets(), daemon/bus.c: what bus_parse_targets() does before
 * it identifies each target), which any local user can send; the message
 * is built as fuzz-bus.h says. The targets are decoded only: identifying
 * them (target_open()) opens the paths and cgroups they name on this
 * machine, which a harness must not do with random names.
 *
 * The input is read as a program: a count byte, then per target a kind
 * (one of numamoved's, or a string from the input), a variant type and a
 * value from the bytes that follow; a descriptor is /dev/null's. More
 * targets than numamoved takes (MAX_TARGETS) is tried once per process,
 * whatever the input: 4097 of them cost milliseconds, and made the
 * fuzzer spend most of its time there. Checked: what decodes is what was
 * sent, each descriptor is numamoved's own copy (close-on-exec), and no
 * descriptor is left open once the targets and the message are freed.
 */
#include <fcntl.h>
#include <string.h>

#include "fuzz-bus.h"

static int null_fd = -1;

/* The lowest descriptor free now: a descriptor left open moves it. */
static int lowest_free(void)
{
	int fd = fcntl(null_fd, F_DUPFD_CLOEXEC, 0);

	FUZZ_ASSERT(fd >= 0);
	close(fd);
	return fd;
}

static int append_variant(sd_bus_message *m, struct input *in)
{
	static const char *const texts[] = { "/dev/shm/x", "/sys/fs/cgroup", "/", "", "relative", "/a\nb" };
	char buf[256];
	uint8_t t = take8(in);

	switch (t % 10) {
	case 0:
		return sd_bus_message_append(m, "v", "s", take_choice(in, texts, ARRAY_SIZE(texts), buf, sizeof(buf)));
	case 1:
		return sd_bus_message_append(m, "v", "h", null_fd);
	case 2:
		return sd_bus_message_append(m, "v", "i", (int32_t)(uint32_t)take(in, 4));
	case 3:
		return sd_bus_message_append(m, "v", "u", (uint32_t)take(in, 4));
	case 4:
		return sd_bus_message_append(m, "v", "b", (int)(take8(in) & 1));
	case 5:
		return sd_bus_message_append(m, "v", "as", 1, take_string(in, buf, sizeof(buf)));
	case 6:
		return sd_bus_message_append(m, "v", "(si)", take_string(in, buf, sizeof(buf)), (int32_t)take8(in));
	case 7:
		return sd_bus_message_append(m, "v", "s", long_string(take8(in) & 1 ? MAX_STRING + 1 : MAX_STRING));
	case 8:
		return sd_bus_message_append(m, "v", "x", (int64_t)take(in, 8));
	default:
		return sd_bus_message_append(m, "v", "o", "/org/numamove");
	}
}

/* One more target than numamoved takes, all good ones: refused as too many, nothing kept. */
static void too_many(sd_bus *bus)
{
	sd_bus_message *m = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct target *v = NULL;
	size_t n = 0;
	int r;

	if (sd_bus_message_new_method_call(bus, &m, BUS_NAME, OBJ_ROOT, IFACE_MANAGER, "Move") < 0)
		abort();
	r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "(sv)");
	for (int i = 0; r >= 0 && i <= MAX_TARGETS; i++)
		r = sd_bus_message_append(m, "(sv)", "shm", "i", i);
	FUZZ_ASSERT(r >= 0 && sd_bus_message_close_container(m) >= 0 && sd_bus_message_seal(m, 1, 0) >= 0);
	FUZZ_ASSERT(bus_read_targets(m, &v, &n, &error) < 0 && !v && !n);
	FUZZ_ASSERT(sd_bus_error_has_name(&error, ERR_TOO_MANY));
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
}

static int append_targets(sd_bus_message *m, struct input *in)
{
	static const char *const kinds[] = { "pidfd", "cgroup", "cgroup-of", "path", "shm", "shm-key" };
	uint8_t count = take8(in);
	int r;

	r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "(sv)");
	for (unsigned int i = 0; r >= 0 && i < count % 64 && in->left; i++) {
		char buf[256];
		const char *kind = take_choice(in, kinds, ARRAY_SIZE(kinds), buf, sizeof(buf));

		r = sd_bus_message_open_container(m, SD_BUS_TYPE_STRUCT, "sv");
		if (r >= 0)
			r = sd_bus_message_append_basic(m, SD_BUS_TYPE_STRING, kind);
		if (r >= 0)
			r = append_variant(m, in);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sd_bus *bus = fuzz_bus();
	struct input in = { data, size };
	sd_bus_message *m = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct target *v = (struct target *)(uintptr_t)1;
	size_t n = 12345;
	int r, before;

	if (null_fd < 0) {
		null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		FUZZ_ASSERT(null_fd >= 0);
		too_many(bus);
	}
	before = lowest_free();
	if (sd_bus_message_new_method_call(bus, &m, BUS_NAME, OBJ_ROOT, IFACE_MANAGER, "Move") < 0)
		abort();
	/* A value sd-bus refuses (a string that is not UTF-8) ends the message there, as a client could not send it. */
	r = append_targets(m, &in);
	if (r >= 0 && sd_bus_message_seal(m, 1, 0) >= 0) {
		r = bus_read_targets(m, &v, &n, &error);
		if (r < 0) {
			/* Nothing handed back; an error of the daemon's own says why. */
			FUZZ_ASSERT(v == (struct target *)(uintptr_t)1 && n == 12345);
			FUZZ_ASSERT(r != -EINVAL || sd_bus_error_is_set(&error));
		} else {
			FUZZ_ASSERT(n >= 1 && n <= MAX_TARGETS);
			for (size_t i = 0; i < n; i++) {
				struct target *t = &v[i];

				FUZZ_ASSERT((unsigned int)t->kind <= TARGET_SHM_KEY);
				if (t->kind == TARGET_PIDFD || t->kind == TARGET_CGROUP_OF) {
					FUZZ_ASSERT(t->fd >= 3 && t->fd != null_fd);
					FUZZ_ASSERT(fcntl(t->fd, F_GETFD) == FD_CLOEXEC);
				} else {
					FUZZ_ASSERT(t->fd == -1);
				}
				if (t->kind == TARGET_PATH || t->kind == TARGET_CGROUP)
					FUZZ_ASSERT(t->text && *t->text && strlen(t->text) <= MAX_STRING);
				else
					FUZZ_ASSERT(!t->text);
				FUZZ_ASSERT(!t->label);
			}
			for (size_t i = 0; i < n; i++)
				target_clear(&v[i]);
			free(v);
		}
	}
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	FUZZ_ASSERT(lowest_free() == before);
	return 0;
}
