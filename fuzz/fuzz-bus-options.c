/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamoved's decoding of the options a{sv} of Move and Pin
 * (bus_parse_options(), daemon/bus.c), which any local user can send; the
 * message is built as fuzz-bus.h says.
 *
 * The input is read as a program: each entry takes a key (one of the
 * options, or a string from the input), a variant type, and a value from
 * the bytes that follow; "output" may hold a nested a{sv}. The first byte
 * says Move or Pin.
 */
#include "fuzz-bus.h"

static int append_value(sd_bus_message *m, struct input *in, int depth);

static int append_dict(sd_bus_message *m, struct input *in, int depth)
{
	static const char *const keys[] = { "dry-run", "force", "memory-only", "no-stay", "with-shared",
					    "with-files", "to", "from", "policy", "output", "engine", "jobs",
					    "rate", "max-stall-ms", "priority", "interval-ms", "json", "bytes",
					    "raw", "noheadings", "slurm-credential" };
	unsigned int entries = take8(in) % 16;
	int r;

	r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
	for (unsigned int i = 0; r >= 0 && i < entries && in->left; i++) {
		char buf[256];
		uint8_t k = take8(in);
		const char *key = k < 4 * ARRAY_SIZE(keys) ? keys[k % ARRAY_SIZE(keys)] : take_string(in, buf, sizeof(buf));

		r = sd_bus_message_open_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv");
		if (r >= 0)
			r = sd_bus_message_append_basic(m, SD_BUS_TYPE_STRING, key);
		if (r >= 0)
			r = append_value(m, in, depth);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	}
	return r < 0 ? r : sd_bus_message_close_container(m);
}

static int append_value(sd_bus_message *m, struct input *in, int depth)
{
	char buf[1024];
	uint8_t t = take8(in);
	int r;

	switch (t % 9) {
	case 0:
		return sd_bus_message_append(m, "v", "s", take_text(in, buf, sizeof(buf)));
	case 1:
		return sd_bus_message_append(m, "v", "b", (int)(take8(in) & 1));
	case 2:
		return sd_bus_message_append(m, "v", "u", (uint32_t)take(in, 4));
	case 3:
		return sd_bus_message_append(m, "v", "t", (uint64_t)take(in, 8));
	case 4:
		return sd_bus_message_append(m, "v", "i", (int32_t)(uint32_t)take(in, 4));
	case 5:
		return sd_bus_message_append(m, "v", "x", (int64_t)take(in, 8));
	case 6:
		if (depth < 3) {
			r = sd_bus_message_open_container(m, SD_BUS_TYPE_VARIANT, "a{sv}");
			if (r >= 0)
				r = append_dict(m, in, depth + 1);
			return r < 0 ? r : sd_bus_message_close_container(m);
		}
		return sd_bus_message_append(m, "v", "y", take8(in));
	case 7:
		return sd_bus_message_append(m, "v", "as", 1, take_text(in, buf, sizeof(buf)));
	default:
		return sd_bus_message_append(m, "v", "d", (double)take8(in));
	}
}

/*
 * The stack the decoder runs on, filled with a value that makes an unread
 * variable's use overflow (0x80000000 - 20 as an int): read_option() once
 * took "priority" from a number it had not read when the value was
 * refused (regress-priority-unread), which UBSan then sees every time.
 */
static void __attribute__((noinline)) dirty_stack(void)
{
	volatile uint64_t junk[1024];

	for (size_t i = 0; i < ARRAY_SIZE(junk); i++)
		junk[i] = UINT64_C(0x80000000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sd_bus *bus = fuzz_bus();
	struct input in = { data, size };
	sd_bus_message *m = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct move_opts o = { 0 };
	bool pin;
	int r;

	if (size < 1)
		return 0;
	pin = take8(&in) & 1;
	if (sd_bus_message_new_method_call(bus, &m, BUS_NAME, OBJ_ROOT, IFACE_MANAGER, pin ? "Pin" : "Move") < 0)
		abort();
	/* A value sd-bus refuses (a string that is not UTF-8) ends the message there, as a client could not send it. */
	r = append_dict(m, &in, 0);
	if (r >= 0 && sd_bus_message_seal(m, 1, 0) >= 0) {
		dirty_stack();
		r = bus_parse_options(m, pin, &o, &error);
	}
	move_opts_clear(&o);
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	return 0;
}
