#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# hugepages.py FILE MIB [WAIT_S NODE]: the workload of case 57 on a
# hugetlbfs FILE (2 MiB pages). Makes FILE MIB long (ftruncate), maps it
# shared, and, after WAIT_S seconds, touches every huge page: a page it
# lacked is allocated by this fault (where this process runs, unless
# someone allocated it before), a page it had keeps its data, which is
# checked (page i holds the byte i + 1 in its first and last bytes: written
# when the page is first seen empty). Prints "touched N node K COUNT ..."
# as move_pages(2) on its own mapping finds the pages right after the
# touch; then, given NODE, polls for up to 2 s until all of them are on
# NODE and prints "after T ms node K COUNT ...". "data ok" or "data BAD".
# The independent measure of the hugetlbfs placement (not numamove).
import ctypes, mmap, os, sys, time

HP = 2 << 20
libc = ctypes.CDLL(None, use_errno=True)
path, mib = sys.argv[1], int(sys.argv[2])
wait = float(sys.argv[3]) if len(sys.argv) > 3 else 0
want = int(sys.argv[4]) if len(sys.argv) > 4 else None
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
size = mib << 20
if os.fstat(fd).st_size < size:
    os.ftruncate(fd, size)
time.sleep(wait)
m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
n = size // HP
bad = 0
for i in range(n):
    first, last = m[i * HP], m[i * HP + HP - 1]
    if first == 0 and last == 0:
        m[i * HP] = m[i * HP + HP - 1] = (i + 1) & 0xff
    elif first != (i + 1) & 0xff or last != (i + 1) & 0xff:
        bad += 1
buf = ctypes.c_char.from_buffer(m)
base = ctypes.addressof(buf)


def nodes():
    arr = (ctypes.c_void_p * n)(*[base + i * HP for i in range(n)])
    st = (ctypes.c_int * n)()
    if libc.syscall(279, 0, ctypes.c_ulong(n), arr, None, st, 0) != 0:  # move_pages(0, n, pages, NULL)
        sys.exit('move_pages: %d' % ctypes.get_errno())
    c = {}
    for s in st:
        c[s] = c.get(s, 0) + 1
    return c


def fmt(c):
    return ' '.join('node %d %d' % kv for kv in sorted(c.items()))


print('touched %d %s' % (n, fmt(nodes())), flush=True)
if want is not None:
    t0 = time.monotonic()
    while True:
        c = nodes()
        if c.get(want, 0) == n or time.monotonic() - t0 > 2:
            break
        time.sleep(0.05)
    print('after %d ms %s' % ((time.monotonic() - t0) * 1000, fmt(c)), flush=True)
for i in range(n):
    if m[i * HP] != (i + 1) & 0xff or m[i * HP + HP - 1] != (i + 1) & 0xff:
        bad += 1
print('data ok' if not bad else 'data BAD (%d pages)' % bad, flush=True)
del buf
m.close()
