/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamoved's decoding of SlurmTaskStarted's options (a{sv}: suspend,
 * far-nodes), slurm_task_options(), daemon/slurm.c, which any local user
 * can call from a task of a Slurm job, and what they mean with the node's
 * far nodes, slurm_decide(). The message is built as fuzz-bus.h says; the
 * far nodes are checked against this machine's nodes (as numamoved.conf's
 * are), and against site far nodes chosen by the input.
 *
 * The input is read as a program: a byte for the site's far nodes, a count
 * byte, and that many entries (a key, given or from the input; a variant
 * type; a value from the bytes that follow).
 */
#include "fuzz.h"
#include "fuzz-bus.h"

static int slurm_value(sd_bus_message *m, struct input *in, uint8_t t)
{
	static const char *const values[] = { "far", "stay", "0", "0-1", "1-0", "0,0", "all", "!0", "", "Far" };
	char buf[256];

	switch (t % 4) {
	case 0:
		return sd_bus_message_append(m, "v", "s", take_choice(in, values, ARRAY_SIZE(values), buf, sizeof(buf)));
	case 1:
		return sd_bus_message_append(m, "v", "s", long_string(take8(in) & 1 ? 201 : 200));
	case 2:
		return sd_bus_message_append(m, "v", "u", (uint32_t)take(in, 4));
	default:
		return sd_bus_message_append(m, "v", "as", 1, "stay");
	}
}

static int append_options(sd_bus_message *m, struct input *in)
{
	static const char *const keys[] = { "suspend", "far-nodes", "Suspend", "" };

	return append_entries(m, in, keys, ARRAY_SIZE(keys), 6, slurm_value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const sites[] = { NULL, "0", "0-1" };
	sd_bus *bus = fuzz_bus();
	struct input in = { data, size };
	sd_bus_message *m = NULL;
	sd_bus_error error = SD_BUS_ERROR_NULL;
	struct slurm_asked a;
	char far[256], why[512];
	const char *site, *step;
	int r;

	if (size < 1)
		return 0;
	site = sites[take8(&in) % ARRAY_SIZE(sites)];
	if (sd_bus_message_new_method_call(bus, &m, BUS_NAME, OBJ_ROOT, IFACE_MANAGER, "SlurmTaskStarted") < 0)
		abort();
	r = sd_bus_message_append_basic(m, SD_BUS_TYPE_STRING, "42.0");
	if (r >= 0)
		r = append_options(m, &in);
	if (r >= 0 && sd_bus_message_seal(m, 1, 0) >= 0 && sd_bus_message_read(m, "s", &step) >= 0) {
		r = slurm_task_options(m, &a, &error);
		if (r < 0) {
			FUZZ_ASSERT(r != -EINVAL || sd_bus_error_is_set(&error));
		} else {
			bool stays;

			/* Far nodes only as asked, ascending, ended; a job that stays says why, and has no far nodes. */
			FUZZ_ASSERT(memchr(a.far, 0, sizeof(a.far)) && (!a.far[0] || a.any) && (!a.stay || a.any));
			far[0] = why[0] = '\0';
			stays = slurm_decide(&a, site, far, sizeof(far), why, sizeof(why));
			FUZZ_ASSERT(!stays || (why[0] && !far[0]));
			FUZZ_ASSERT(stays || !why[0]);
			FUZZ_ASSERT(!far[0] || (site && strcmp(far, a.far) == 0));
		}
	}
	sd_bus_error_free(&error);
	sd_bus_message_unref(m);
	return 0;
}
