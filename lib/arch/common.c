/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every architecture shares: the compat test of a program, and the
 * calls that a stop ends with EINTR (by the names of <sys/syscall.h>,
 * which are each architecture's own numbers).
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "arch.h"

/*
 * A compat program is a 32-bit ELF one, whatever its machine (i386 and x32
 * on x86-64, where x32 is EM_X86_64 too, so the class tells, not the
 * machine; AArch32 on arm64).
 */
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

/*
 * Calls that fail with EINTR, not a restart code, when a stop (here: the
 * ptrace interrupt) wakes them even though no handler runs (signal(7),
 * "Interruption of system calls and library functions by stop signals"),
 * including socket calls with a timeout (SO_RCVTIMEO, SO_SNDTIMEO). Each
 * returns EINTR only when it has transferred nothing, so a restart is
 * safe. arm64 has the generic syscall table: no epoll_wait (epoll_pwait
 * only).
 */
bool nm_arch_eintr_on_stop(long nr)
{
	switch (nr) {
#ifdef SYS_epoll_wait
	case SYS_epoll_wait:
#endif
	case SYS_epoll_pwait:
#ifdef SYS_epoll_pwait2
	case SYS_epoll_pwait2:
#endif
	case SYS_semop:
	case SYS_semtimedop:
	case SYS_rt_sigtimedwait:
	case SYS_io_getevents:
#ifdef SYS_io_pgetevents
	case SYS_io_pgetevents:
#endif
	case SYS_read:
	case SYS_readv:
	case SYS_recvfrom:
	case SYS_recvmsg:
	case SYS_recvmmsg:
	case SYS_sendto:
	case SYS_sendmsg:
	case SYS_accept:
	case SYS_accept4:
#ifdef SYS_io_uring_enter
	case SYS_io_uring_enter:
#endif
		return true;
	default:
		return false;
	}
}
