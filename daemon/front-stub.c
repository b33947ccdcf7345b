/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Temporary: until front_move_target() and friends land on main (the lead's). */
#include "front.h"
#include "numamoved.h"

static void line_to(const char *line, void *userdata)
{
	fprintf(userdata, "numamove: %s\n", line);
}

void front_move_target(FILE *out, FILE *err, const struct front_style *s, const struct numamove_report *rep, size_t i)
{
	char label[4200];

	if (!s->json)
		fprintf(out, "%s: %s\n", front_label(rep, i, label, sizeof(label)),
			numamove_outcome_name(numamove_report_outcome(rep, i)));
	front_each_message(rep, i, line_to, err);
}

void front_move_request_notes(FILE *err, const struct front_style *s, const struct numamove_report *rep)
{
	front_each_message(rep, NUMAMOVE_REPORT_REQUEST, line_to, err);
}
