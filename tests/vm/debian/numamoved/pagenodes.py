#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# pagenodes.py PID ADDR BYTES: the node of each 4 KiB page of another
# process's range, as the kernel says it (move_pages(2) with no nodes: a
# query, which also answers for a stopped or frozen process, whose own
# report cannot be asked for). Prints "N0 N1 ... missing M": pages per node
# (nodes 0 to 7), then pages not present or not readable.
import ctypes
import sys

SYS_move_pages = 279  # x86_64
PAGE = 4096

pid, addr, size = int(sys.argv[1]), int(sys.argv[2], 0), int(sys.argv[3])
n = size // PAGE
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
pages = (ctypes.c_void_p * n)(*[addr + i * PAGE for i in range(n)])
status = (ctypes.c_int * n)()
r = libc.syscall(ctypes.c_long(SYS_move_pages), ctypes.c_int(pid), ctypes.c_ulong(n), pages, None, status,
                 ctypes.c_int(0))
if r < 0:
    e = ctypes.get_errno()
    sys.exit("move_pages(%d): errno %d" % (pid, e))
counts = [0] * 8
missing = 0
for s in status:
    if 0 <= s < 8:
        counts[s] += 1
    else:
        missing += 1
print(" ".join(str(c) for c in counts), "missing", missing)
