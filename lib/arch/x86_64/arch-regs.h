/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NUMAMOVE_ARCH_REGS_H
#define NUMAMOVE_ARCH_REGS_H

#include <sys/user.h>

struct nm_regs {
	struct user_regs_struct r;
};

#endif
