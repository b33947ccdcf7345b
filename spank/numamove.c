/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * numamove.so, the SPANK plugin of numamove (numamove-spank(8)).
 *
 * In srun, sbatch and salloc (local and allocator contexts) it adds two
 * job options, checked at submission:
 *
 *   --numamove-suspend=far|stay   while the job is suspended, its memory
 *                                 goes to the node's far nodes (the
 *                                 default, when numamoved.conf names them)
 *                                 or stays where it is
 *   --numamove-far-nodes=NODES    which of the node's far nodes
 *
 * On the compute node (remote context, slurmstepd) it tells numamoved of
 * each task as it starts, from the task itself (task_init: the job's
 * user, after Slurm put the task in its step's cgroup), with the job's
 * options: numamoved checks the claim with the kernel (the caller's
 * cgroup is the step's) and watches the step, and says there what it does
 * to the job. A warning numamoved returns (far nodes this node does not
 * have) is printed on the task's standard error, the job's own output.
 * When the step ends (exit, as root), numamoved forgets it.
 *
 * It never fails a job: numamoved absent, the bus absent, a refusal, are
 * said (on the job's standard error when the job asked for an option,
 * else in slurmd's log) and the job runs on. Everything numamoved decides
 * (which far nodes, what is refused) it decides: the plugin checks only
 * the form of the options, the same on the submission host as on the node.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <slurm/slurm.h>
#include <slurm/spank.h>
#include <systemd/sd-bus.h>

SPANK_PLUGIN(numamove, 1);

#define BUS_NAME "org.numamove.numamoved1"
#define BUS_PATH "/org/numamove/numamoved1"
#define BUS_IFACE "org.numamove.numamoved1.Manager"
/* A task's start waits for numamoved at most this long (D-Bus activation included). */
#define CALL_TIMEOUT_US (5 * 1000 * 1000ULL)

enum { OPT_SUSPEND = 1, OPT_FAR_NODES };

static char suspend_opt[32];    /* "far", "stay", or "" (not given) */
static char far_nodes_opt[256]; /* "" when not given */

/* NODES: node numbers and ranges, "2", "2-3", "2,4-5"; numamoved checks the rest. */
static int nodes_form(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(far_nodes_opt) || strspn(s, "0123456789,-") != n)
		return -1;
	for (const char *p = s; *p;) {
		size_t digits = strspn(p, "0123456789");

		if (!digits)
			return -1;
		p += digits;
		if (*p == '-') {
			p++;
			digits = strspn(p, "0123456789");
			if (!digits)
				return -1;
			p += digits;
		}
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			return -1;
	}
	return 0;
}

/*
 * Checked where the job is submitted (srun, sbatch, salloc): a bad value
 * stops it there. On the node (remote) the value is taken as it comes and
 * numamoved checks it: a step never fails for the plugin, even one
 * submitted with another version of it.
 */
static int opt_cb(int val, const char *optarg, int remote)
{
	if (!optarg)
		optarg = "";
	switch (val) {
	case OPT_SUSPEND:
		if (!remote && strcmp(optarg, "far") != 0 && strcmp(optarg, "stay") != 0) {
			slurm_error("numamove: --numamove-suspend=%s: not far or stay", optarg);
			return -1;
		}
		snprintf(suspend_opt, sizeof(suspend_opt), "%s", optarg);
		return 0;
	case OPT_FAR_NODES:
		if (!remote && nodes_form(optarg) < 0) {
			slurm_error("numamove: --numamove-far-nodes=%s: not a node list (numbers and ranges: 2-3, "
				    "2,4)", optarg);
			return -1;
		}
		snprintf(far_nodes_opt, sizeof(far_nodes_opt), "%s", optarg);
		return 0;
	}
	return -1;
}

static struct spank_option options[] = {
	{ "numamove-suspend", "far|stay",
	  "while the job is suspended, its memory goes to the node's far nodes (far, the default where numamoved "
	  "has them) or stays where it is (stay); numamove-spank(8)", 1, OPT_SUSPEND, opt_cb },
	{ "numamove-far-nodes", "nodes",
	  "while the job is suspended, its memory goes to these of the node's far nodes; numamove-spank(8)", 1,
	  OPT_FAR_NODES, opt_cb },
	SPANK_OPTIONS_TABLE_END
};

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	for (size_t i = 0; options[i].name; i++) {
		spank_err_t e = spank_option_register(sp, &options[i]);

		if (e != ESPANK_SUCCESS) {
			slurm_error("numamove: cannot register --%s: %s", options[i].name, spank_strerror(e));
			return -1;
		}
	}
	return 0;
}

/* "JOBID.STEP", STEP as numamove names it (slurm.h's special step ids by name); -1 when none. */
static int step_spec(spank_t sp, char *buf, size_t size)
{
	uint32_t job, step;
	int n;

	if (spank_get_item(sp, S_JOB_ID, &job) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_STEPID, &step) != ESPANK_SUCCESS)
		return -1;
	if (step == SLURM_BATCH_SCRIPT)
		n = snprintf(buf, size, "%" PRIu32 ".batch", job);
	else if (step == SLURM_EXTERN_CONT)
		n = snprintf(buf, size, "%" PRIu32 ".extern", job);
	else if (step == SLURM_INTERACTIVE_STEP)
		n = snprintf(buf, size, "%" PRIu32 ".interactive", job);
	else if (step < SLURM_MAX_NORMAL_STEP_ID)
		n = snprintf(buf, size, "%" PRIu32 ".%" PRIu32, job, step);
	else
		return -1;
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/*
 * @method on numamoved, for step @spec (with the job's options when
 * @with_options): 0, or a negative errno with *@error saying why. A
 * warning in the reply (SlurmTaskStarted's) is copied to @warning.
 */
static int call_numamoved(const char *method, const char *spec, bool with_options, sd_bus_error *error,
			  char *warning, size_t size)
{
	sd_bus *bus = NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	const char *w = NULL;
	int r = sd_bus_open_system(&bus);

	if (r >= 0)
		r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_PATH, BUS_IFACE, method);
	if (r >= 0)
		r = sd_bus_message_append(m, "s", spec);
	if (r >= 0 && with_options) {
		r = sd_bus_message_open_container(m, 'a', "{sv}");
		if (r >= 0 && suspend_opt[0])
			r = sd_bus_message_append(m, "{sv}", "suspend", "s", suspend_opt);
		if (r >= 0 && far_nodes_opt[0])
			r = sd_bus_message_append(m, "{sv}", "far-nodes", "s", far_nodes_opt);
		if (r >= 0)
			r = sd_bus_message_close_container(m);
	}
	/* Only a task's start may start numamoved (D-Bus activation); forgetting a step need not. */
	if (r >= 0 && !with_options)
		r = sd_bus_message_set_auto_start(m, 0);
	if (r >= 0)
		r = sd_bus_call(bus, m, CALL_TIMEOUT_US, error, &reply);
	if (r >= 0 && warning && sd_bus_message_read(reply, "s", &w) >= 0 && w)
		snprintf(warning, size, "%s", w);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(m);
	sd_bus_flush_close_unref(bus);
	return r;
}

static const char *why(const sd_bus_error *error, int r)
{
	return error->message ? error->message : strerror(-r);
}

/* In the task, as the job's user, its standard streams the job's. */
int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	char spec[64], warning[512] = "";
	int r;

	(void)ac;
	(void)av;
	if (!spank_remote(sp) || step_spec(sp, spec, sizeof(spec)) < 0)
		return 0;
	r = call_numamoved("SlurmTaskStarted", spec, true, &error, warning, sizeof(warning));
	if (warning[0])
		fprintf(stderr, "numamove: slurm job %s: %s\n", spec, warning);
	/* The job's output when it asked for something; slurmd's log otherwise. */
	if (r < 0 && (suspend_opt[0] || far_nodes_opt[0]))
		fprintf(stderr, "numamove: slurm job %s: numamoved cannot be told of this task (%s): "
			"--numamove-suspend and --numamove-far-nodes have no effect\n", spec, why(&error, r));
	else if (r < 0)
		slurm_info("numamove: slurm job %s: numamoved cannot be told of the task: %s", spec, why(&error, r));
	sd_bus_error_free(&error);
	return 0;
}

/* The step's end, in slurmstepd (root): numamoved forgets it. */
int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	char spec[64];
	int r;

	(void)ac;
	(void)av;
	if (!spank_remote(sp) || step_spec(sp, spec, sizeof(spec)) < 0)
		return 0;
	r = call_numamoved("SlurmStepEnded", spec, false, &error, NULL, 0);
	/* Not running: nothing to forget. */
	if (r < 0 && !sd_bus_error_has_name(&error, SD_BUS_ERROR_SERVICE_UNKNOWN) &&
	    !sd_bus_error_has_name(&error, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
		slurm_info("numamove: slurm job %s: numamoved cannot be told the step ended: %s", spec,
			   why(&error, r));
	sd_bus_error_free(&error);
	return 0;
}
