/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nm_arch_task_compat() for every architecture: a compat program is a
 * 32-bit ELF one, whatever its machine (i386 and x32 on x86-64, where x32
 * is EM_X86_64 too, so the class tells, not the machine; AArch32 on arm64).
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"

bool nm_arch_task_compat(pid_t pid)
{
	unsigned char ident[EI_NIDENT];
	char path[64];
	FILE *fp;
	bool compat = false;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return false;
	if (fread(ident, 1, sizeof(ident), fp) == sizeof(ident) && memcmp(ident, ELFMAG, SELFMAG) == 0)
		compat = ident[EI_CLASS] == ELFCLASS32;
	fclose(fp);
	return compat;
}
