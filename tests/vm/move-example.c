/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * move-example: a second front end of libnumamove, written against the
 * public header alone (the way a program outside the project would: built
 * in the tree, and again against the installed package through
 * pkg-config). It moves processes with their policies, CPU affinity and,
 * with --with-shared, the shared objects they map, through one request,
 * and says for each target what the library reports.
 *
 * usage: move-example [--with-shared] [--memory-only] [--inject-helper] TO PID...
 * Exit status: 0 everything done, 3 partial, 1 anything else.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numamove/numamove.h>

static void on_event(const struct numamove_report *rep, const struct numamove_event *ev, void *userdata)
{
	(void)userdata;
	if (ev->phase == NUMAMOVE_PHASE_MOVED)
		printf("event %zu moved %" PRIu64 " bytes\n", ev->target, ev->bytes_done);
	(void)rep;
}

int main(int argc, char **argv)
{
	NUMAMOVE_OPTS(numamove_request_opts, opts, .event = on_event);
	struct numamove_request *req = NULL;
	struct numamove_report *rep = NULL;
	enum numamove_outcome worst;
	int i = 1, r;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--with-shared") == 0)
			opts.flags |= NUMAMOVE_REQUEST_F_WITH_SHARED;
		else if (strcmp(argv[i], "--memory-only") == 0)
			opts.flags |= NUMAMOVE_REQUEST_F_MEMORY_ONLY;
		else if (strcmp(argv[i], "--inject-helper") == 0)
			opts.flags |= NUMAMOVE_REQUEST_F_INJECT_HELPER;
		else
			break;
	}
	if (argc - i < 2) {
		fprintf(stderr, "usage: %s [--with-shared] [--memory-only] [--inject-helper] TO PID...\n", argv[0]);
		return 1;
	}
	r = numamove_request_new(NUMAMOVE_ACTION_MOVE, &opts, &req);
	if (r == 0)
		r = numamove_request_set_nodes(req, argv[i], NULL, NULL, NULL);
	for (int k = i + 1; r == 0 && k < argc; k++)
		r = numamove_request_add_pid(req, (pid_t)atoi(argv[k]));
	if (r == 0)
		r = numamove_request_run(req, &rep);
	if (r < 0) {
		fprintf(stderr, "move-example: %s\n", strerror(-r));
		numamove_request_free(req);
		return 1;
	}
	for (size_t t = 0; t < numamove_report_count(rep); t++) {
		const struct numamove_detail *why = numamove_report_why(rep, t);
		const struct numamove_policy_report *rb = numamove_report_rebind(rep, t);
		const struct numamove_affinity *aff = numamove_report_affinity(rep, t);
		size_t rebound = 0, cpus = 0;

		for (size_t k = 0; rb && k < numamove_policy_report_count(rb); k++)
			rebound += numamove_policy_report_status(rb, k) == NUMAMOVE_POLICY_STATUS_CHANGED;
		for (size_t k = 0; aff && k < numamove_affinity_count(aff); k++)
			cpus += numamove_affinity_status(aff, k) == NUMAMOVE_AFFINITY_SET;
		printf("target %zu %s %s outcome=%s moved=%" PRIu64 " left=%" PRIu64 " rebound=%zu affinity=%zu"
		       " parent=%s why=%s\n", t,
		       numamove_report_kind(rep, t) == NUMAMOVE_TARGET_OBJECT ? "object" : "process",
		       numamove_report_name(rep, t), numamove_outcome_name(numamove_report_outcome(rep, t)),
		       numamove_report_bytes_moved(rep, t), numamove_report_bytes_left(rep, t), rebound, cpus,
		       numamove_report_parent(rep, t) == NUMAMOVE_REPORT_REQUEST ? "-" : "process",
		       why ? numamove_why_name(why->why) : "-");
	}
	worst = numamove_report_worst(rep);
	numamove_report_free(rep);
	numamove_request_free(req);
	return worst == NUMAMOVE_OUTCOME_DONE ? 0 : worst == NUMAMOVE_OUTCOME_PARTIAL ? 3 : 1;
}
