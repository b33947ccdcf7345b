/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamoved's decoding of Place (paths as, policy s, options a{sv}) and
 * Clear (paths as): place_parse(), daemon/place.c, which any local user
 * can call. The message is built as fuzz-bus.h says; the policy is checked
 * against fuzz.h's fixed topology, not this machine's. Nothing is looked
 * up on disk (that comes after, as the caller).
 *
 * The input is read as a program: the first byte says Place or Clear;
 * then a count byte and that many paths (given ones, or strings from the
 * input), the policy (a text, or a string), and for Place an a{sv} of
 * options (scope, recursive, now, or a string from the input as the key,
 * each with a variant type and a value from the bytes that follow). More
 * paths than numamoved takes (MAX_TARGETS) is tried once per process,
 * whatever the input (4097 paths cost milliseconds).
 */
#include "fuzz.h"
#include "fuzz-bus.h"

static int append_paths(sd_bus_message *m, struct input *in)
{
	static const char *const paths[] = { "/", "/dev/shm/x", "/tmp/a b", "relative", "", "/a/../b", "//", "/\xc3\xa9" };
	uint8_t count = take8(in);
	int r;

	r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "s");
	for (unsigned int i = 0; r >= 0 && i < count % 16 && in->left; i++) {
		char buf[256];
		uint8_t c = take8(in);
		const char *p = c == 254 ? long_string(MAX_STRING + 1)
			      : c == 253 ? long_string(MAX_STRING)
			      : c < 2 * ARRAY_SIZE(paths) ? paths[c % ARRAY_SIZE(paths)] : take_string(in, buf, sizeof(buf));

		r = sd_bus_message_append_basic(m, SD_BUS_TYPE_STRING, p);
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

static int place_value(sd_bus_message *m, struct input *in, uint8_t t)
{
	static const char *const scopes[] = { "tree", "directory", "", "Tree" };
	char buf[256];

	switch (t % 6) {
	case 0:
		return sd_bus_message_append(m, "v", "s", take_choice(in, scopes, ARRAY_SIZE(scopes), buf, sizeof(buf)));
	case 1:
		return sd_bus_message_append(m, "v", "b", (int)(take8(in) & 1));
	case 2:
		return sd_bus_message_append(m, "v", "u", (uint32_t)take(in, 4));
	case 3:
		return sd_bus_message_append(m, "v", "as", 1, take_string(in, buf, sizeof(buf)));
	case 4:
		return sd_bus_message_append(m, "v", "a{sv}", 1, "now", "b", 1);
	default:
		return sd_bus_message_append(m, "v", "g", "s");
	}
}

static int append_options(sd_bus_message *m, struct input *in)
{
	static const char *const keys[] = { "scope", "recursive", "now", "Scope", "" };

	return append_entries(m, in, keys, ARRAY_SIZE(keys), 8, place_value);
}

/* One more path than numamoved takes, all good ones: refused as too many, nothing kept. */
static void too_many(sd_bus *bus)
{
	sd_bus_message *m = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct place_call *c = NULL;
	int r;

	if (sd_bus_message_new_method_call(bus, &m, BUS_NAME, OBJ_ROOT, IFACE_MANAGER, "Clear") < 0)
		abort();
	r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "s");
	for (int i = 0; r >= 0 && i <= MAX_TARGETS; i++)
		r = sd_bus_message_append_basic(m, SD_BUS_TYPE_STRING, "/dev/shm/x");
	FUZZ_ASSERT(r >= 0 && sd_bus_message_close_container(m) >= 0 && sd_bus_message_seal(m, 1, 0) >= 0);
	FUZZ_ASSERT(place_parse(m, true, fuzz_topology(), &c, &error) < 0 && !c);
	FUZZ_ASSERT(sd_bus_error_has_name(&error, ERR_TOO_MANY));
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const policies[] = { "bind:0", "bind:0-1", "interleave:0,1,3", "preferred:8", "default",
						"bind:2", "bind:9", "bind=relative:0", "bind=static:0", "local",
						"preferred-many:0-1", "weighted-interleave:0-1" };
	sd_bus *bus = fuzz_bus();
	struct input in = { data, size };
	sd_bus_message *m = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct place_call *c = (struct place_call *)(uintptr_t)1;
	char buf[1024];
	bool clear;
	int r;

	static bool tried;

	if (!tried) {
		too_many(bus);
		tried = true;
	}
	if (size < 1)
		return 0;
	clear = take8(&in) & 1;
	if (sd_bus_message_new_method_call(bus, &m, BUS_NAME, OBJ_ROOT, IFACE_MANAGER, clear ? "Clear" : "Place") < 0)
		abort();
	/* A value sd-bus refuses (a string that is not UTF-8) ends the message there, as a client could not send it. */
	r = append_paths(m, &in);
	if (r >= 0 && !clear) {
		uint8_t k = take8(&in);
		const char *policy = k < 2 * ARRAY_SIZE(policies) ? policies[k % ARRAY_SIZE(policies)]
				   : k == 255 ? long_string(MAX_STRING + 1) : take_text(&in, buf, sizeof(buf));

		r = sd_bus_message_append_basic(m, SD_BUS_TYPE_STRING, policy);
		if (r >= 0)
			r = append_options(m, &in);
	}
	if (r >= 0 && sd_bus_message_seal(m, 1, 0) >= 0) {
		r = place_parse(m, clear, fuzz_topology(), &c, &error);
		if (r < 0) {
			/* Nothing handed back; an error of the daemon's own says why. */
			FUZZ_ASSERT(c == (struct place_call *)(uintptr_t)1);
			FUZZ_ASSERT(r != -EINVAL || sd_bus_error_is_set(&error));
		} else {
			FUZZ_ASSERT(c && c != (struct place_call *)(uintptr_t)1);
			place_call_free(c);
		}
	}
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	return 0;
}
