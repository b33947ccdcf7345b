#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# measure.py FILE [settle]: "resident R node N COUNT ... [settled T ms after
# the open]" of FILE's page cache, from this process's own read-only
# mapping: mincore(2) says which pages are resident, each is read (mapping
# the cached page: no new page), and move_pages(2) with nodes NULL says
# where it is. With a second argument, first waits up to 2 s for 95% of
# the file to be resident (reads started by others at the open).
# The independent measure of the placement cases (54, 56): not numamove.
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
import time
fd = os.open(sys.argv[1], os.O_RDONLY)
t0 = time.monotonic()
size = os.fstat(fd).st_size
a = libc.mmap(None, size, 1, 1, fd, 0)  # PROT_READ, MAP_SHARED
if a in (None, ctypes.c_void_p(-1).value):
    sys.exit('mmap: %d' % ctypes.get_errno())
pages = (size + 4095) // 4096
vec = (ctypes.c_ubyte * pages)()
# "settle": reads started before (by whom else, at this open) are waited for, up to 2 s (mincore counts a page once read)
while True:
    if libc.mincore(ctypes.c_void_p(a), ctypes.c_size_t(size), vec) != 0:
        sys.exit('mincore: %d' % ctypes.get_errno())
    res = [i for i in range(pages) if vec[i] & 1]
    if len(sys.argv) < 3 or len(res) >= pages * 95 // 100 or time.monotonic() - t0 > 2:
        break
    time.sleep(0.01)
settled_ms = int((time.monotonic() - t0) * 1000)
for i in res:
    ctypes.c_ubyte.from_address(a + i * 4096).value  # maps the cached page: nothing new is read
counts = {}
if res:
    arr = (ctypes.c_void_p * len(res))(*[a + i * 4096 for i in res])
    st = (ctypes.c_int * len(res))()
    if libc.syscall(279, 0, ctypes.c_ulong(len(res)), arr, None, st, 0) != 0:  # move_pages(0, n, pages, NULL)
        sys.exit('move_pages: %d' % ctypes.get_errno())
    for s in st:
        counts[s] = counts.get(s, 0) + 1
print('resident %d %s' % (len(res), ' '.join('node %d %d' % (k, v) for k, v in sorted(counts.items()))) +
      (' settled %d ms after the open' % settled_ms if len(sys.argv) > 2 else ''))
