# numamoved keeps placements (issue 14). A 64 MiB file on ext4 (a brd RAM
# disk, as case 23) placed bind:2 with numamove place (which tells numamoved, started
# by bus activation): evicted (drop_caches), read again by a process on
# node 0's CPU, and within 2 s of the end of that read at least 95% of its
# resident pages are on node 2, as an independent program measures it
# (mincore(2) and move_pages(2) on its own mapping, below: not numamove).
# The same after systemctl restart numamoved (the registry, re-read), and
# after an eviction by memory pressure (memory.reclaim of the reader's
# cgroup). A shared library placed on node 3: a new process that loads it
# finds its pages there within 2 s. A placed tmpfs directory: a file another process creates in it gets its
# pages on the placement's node. A corrupt attribute written by hand: a
# clear log line at the next start, the daemon carries on. A file placed
# with --read-ahead and opened (not read) on node 0: its pages are in the
# page cache once the open returns, born on the placement's node. A file
# placed with --lock survives memory.reclaim of numamoved's cgroup, and
# does not once cleared.
# Needs the unit's SystemCallFilter to allow fanotify_init, fanotify_mark
# and open_by_handle_at (see numamoved.service).
# timeout: 420
. /vm/files/numamoved/nmd-lib.sh
mnt=/mnt/nmdext4
tmpd=/mnt/nmdtmp
cleanup() {
	[ -f "$T/conf.orig" ] && cp "$T/conf.orig" /etc/numamove/numamoved.conf
	/usr/bin/numamove place --clear "$mnt/f" "$tmpd" > /dev/null 2>&1
	umount "$tmpd" 2>/dev/null
	umount "$mnt" 2>/dev/null
	rmmod brd 2>/dev/null
	nmd_cleanup
}
trap cleanup EXIT

cpu0=$(node_cpus 0 | cut -d, -f1 | cut -d- -f1)

# ---- ext4: placed, evicted, read again on node 0
modprobe brd rd_nr=1 rd_size=262144 || fail "modprobe brd"
/usr/sbin/mke2fs -q -t ext4 -F /dev/ram0 || fail "mke2fs"
mkdir -p "$mnt"
mount -t ext4 /dev/ram0 "$mnt" || { dmesg | tail -n 5; fail "mount ext4"; }
dd if=/dev/urandom of="$mnt/f" bs=1M count=64 iflag=fullblock 2>/dev/null
sync
nm place --policy bind:2 --now "$mnt/f"
assert_rc 0
grep -q 'not running' "$T/err" && fail "numamove place: numamoved was not reached: $(cat "$T/err")"
nmd_wait_active 20 || fail "numamoved did not start"

# read_back WHAT: evict, read on node 0's CPU, then 95% on node 2 within 2 s of the read
read_back() {
	sync
	echo 1 > /proc/sys/vm/drop_caches
	/usr/bin/taskset -c "$cpu0" /bin/cat "$mnt/f" > /dev/null || fail "the read on node 0"
	t0=$(/bin/date +%s%N)
	if ! wait_for 2 _ok95 "$mnt/f" 2; then
		fail "$1: $(cat "$T/m.out") 2 s after the read (wanted >= 95% on node 2)"
	fi
	note "$1: $(cat "$T/m.out"), $(( ($(/bin/date +%s%N) - t0) / 1000000 )) ms after the read"
	nm show -o PLACEMENT,PLACED-BY,CONFORM,RES,N0,N2 "$mnt/f"   # for the transcript: numamove's view
}
sync
echo 1 > /proc/sys/vm/drop_caches
/usr/bin/taskset -c "$cpu0" /bin/cat "$mnt/f" > /dev/null
nm show -o PLACEMENT,PLACED-BY,CONFORM,RES,N0,N2 "$mnt/f"   # right after a read: before numamoved's correction
sleep 3
read_back "after eviction"
/bin/journalctl -u numamoved --no-pager -n 20 | grep -E 'placement|correct' | tail -n 5 | sed 's/^/  | /'

# ---- the same after a restart of the daemon
/usr/bin/systemctl restart numamoved.service || fail "systemctl restart numamoved"
nmd_wait_active 20 || fail "numamoved did not come back"
sleep 1
read_back "after systemctl restart numamoved"
/bin/journalctl -u numamoved --no-pager -n 50 | grep -q 'placements: [1-9][0-9]* kept and applied again' ||
	fail "the restarted daemon did not say it applied the placements again"

# ---- eviction by memory pressure: memory.reclaim of the reader's cgroup
# The file's page cache is charged to the cgroup that read it first: dropped,
# read again from a cgroup of the test's own, corrected, then reclaimed there
# (as the kernel does when that cgroup nears its limit), and read again.
cg=/sys/fs/cgroup/nmd-reclaim
mkdir -p "$cg" || fail "cannot make the cgroup $cg"
[ -e "$cg/memory.reclaim" ] || fail "no memory.reclaim in $cg (memory controller not enabled)"
in_cg() { /bin/sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$cg" "$@"; }
# Dropped for sure first (a correction job still mapping the file keeps its
# pages, charged where they were): else the read below charges nothing here.
dropped() {
	sync
	echo 1 > /proc/sys/vm/drop_caches
	/usr/bin/python3 "$NMD_MEASURE" "$mnt/f" > "$T/m.out"
	[ "$(awk '{print $2}' "$T/m.out")" -le 163 ]
}
wait_for 10 dropped || fail "the file stays resident after drop_caches: $(cat "$T/m.out")"
in_cg /usr/bin/taskset -c "$cpu0" /bin/cat "$mnt/f" > /dev/null || fail "the read in $cg"
wait_for 5 _ok95 "$mnt/f" 2 || fail "read in $cg: $(cat "$T/m.out") (wanted >= 95% on node 2)"
# One write reclaims what one pass finds inactive (EAGAIN when less than asked):
# up to 10, as a cgroup under pressure reclaims again and again.
# The cgroup's own count (memory.stat "file") says when: measuring through a
# mapping would touch the pages and keep them active.
# numamoved's last check of the file (events are coalesced for 500 ms) maps
# its resident pages to see their nodes: one running during the reclaim
# would bring back what it evicts. Let it end first.
sleep 2
cgfile() { awk '$1 == "file" || $1 == "active_file" || $1 == "inactive_file" {printf "%s %s ", $1, $2}' "$cg/memory.stat"; }
note "in $cg before memory.reclaim: $(cgfile)"
for i in 1 2 3 4 5 6 7 8 9 10; do
	echo 64M 2>&1 > "$cg/memory.reclaim" | sed 's/^/  # memory.reclaim: /'
	[ "$(awk '$1 == "file" {print $2}' "$cg/memory.stat")" -le 6710886 ] && break
done
note "in $cg after: $(cgfile)"
/usr/bin/python3 "$NMD_MEASURE" "$mnt/f" > "$T/m.out"
left=$(awk '{print $2}' "$T/m.out")
[ "${left:-99999}" -le 1638 ] || fail "memory.reclaim evicted too little of the file: $(cat "$T/m.out") (wanted <= 10% of 16384 pages resident)"
note "after $i writes to memory.reclaim: $(cat "$T/m.out")"
in_cg /usr/bin/taskset -c "$cpu0" /bin/cat "$mnt/f" > /dev/null || fail "the read in $cg after reclaim"
t0=$(/bin/date +%s%N)
wait_for 2 _ok95 "$mnt/f" 2 || fail "after memory.reclaim: $(cat "$T/m.out") 2 s after the read (wanted >= 95% on node 2)"
note "after memory.reclaim and a read on node 0: $(cat "$T/m.out"), $(( ($(/bin/date +%s%N) - t0) / 1000000 )) ms after the read"
rmdir "$cg" 2>/dev/null

# ---- a shared library placed on node 3: a new process that maps it
# (ctypes.CDLL: the dynamic loader's open and mmap) finds its pages there.
lib=$(readlink -f /usr/lib/x86_64-linux-gnu/libz.so.1)
[ -f "$lib" ] || fail "no libz.so.1 to place"
cp "$lib" "$mnt/libplaced.so.1" || fail "cannot copy $lib"
nm place --policy bind:3 "$mnt/libplaced.so.1"
assert_rc 0
sync
echo 1 > /proc/sys/vm/drop_caches
/usr/bin/taskset -c "$cpu0" /usr/bin/python3 -c 'import ctypes, sys, time; ctypes.CDLL(sys.argv[1]); print("loaded", flush=True); time.sleep(6)' \
	"$mnt/libplaced.so.1" > "$T/lib.out" 2>&1 &
libpid=$!
wait_for 5 grep -q loaded "$T/lib.out" || fail "the library did not load: $(cat "$T/lib.out")"
t0=$(/bin/date +%s%N)
wait_for 2 _ok95 "$mnt/libplaced.so.1" 3 ||
	fail "a placed library mapped by a new process: $(cat "$T/m.out") 2 s after it loaded (wanted >= 95% on node 3)"
note "a placed library, mapped by a process on node 0: $(cat "$T/m.out"), $(( ($(/bin/date +%s%N) - t0) / 1000000 )) ms after the load"
grep -q "$mnt/libplaced.so.1" "/proc/$libpid/maps" || fail "the process no longer maps the library"
wait "$libpid"
/usr/bin/numamove place --clear "$mnt/libplaced.so.1" > /dev/null 2>&1

# ---- read ahead at open: the pages are born on the placement's node
# A file placed bind:2 --read-ahead, evicted, then opened by a process on
# node 0's CPU that never reads it: measure.py, whose own open is the one
# numamoved holds. Once that open returns, the whole file is in the page
# cache (after the reads numamoved started end), on node 2, without a
# correction: nothing read it on node 0 for numamoved to move.
dd if=/dev/urandom of="$mnt/g" bs=1M count=64 iflag=fullblock 2>/dev/null || fail "cannot write $mnt/g"
sync
nm place --policy bind:2 --read-ahead "$mnt/g"
assert_rc 0
grep -q "placement none -> bind:2 (read ahead at open)" "$T/out" || fail "numamove place --read-ahead: $(cat "$T/out")"
/usr/bin/python3 -c 'import os, sys; v = os.getxattr(sys.argv[1], "user.numamove.placement"); sys.exit(v != b"numamove-placement/2 policy=bind:2 open=read-ahead")' "$mnt/g" ||
	fail "the attribute is not version 2 with open=read-ahead"
sleep 2   # the check numamoved makes of a file it is told of (and its correction) ends first
sync
echo 1 > /proc/sys/vm/drop_caches
mark=$(/bin/date '+%Y-%m-%d %H:%M:%S')
/usr/bin/taskset -c "$cpu0" /usr/bin/python3 "$NMD_MEASURE" "$mnt/g" settle > "$T/m.out" 2>&1 || fail "measure: $(cat "$T/m.out")"
note "opened on node 0, never read: $(cat "$T/m.out")"
res=$(awk '{print $2}' "$T/m.out")
[ "${res:-0}" -ge 15564 ] || fail "read ahead at open: $(cat "$T/m.out") (wanted >= 95% of 16384 pages resident after the open)"
[ "$(awk '{r = $2; for (i = 3; i < NF; i += 3) if ($(i + 1) == 2) on = $(i + 2)} END {print r ? int(100 * on / r) : 0}' "$T/m.out")" -ge 95 ] ||
	fail "read ahead at open: $(cat "$T/m.out") (wanted >= 95% on node 2)"
/bin/journalctl -u numamoved --no-pager --since "$mark" | grep -q "$mnt/g: opened by [0-9]* (python3): read 64.0M ahead under bind:2" ||
	fail "numamoved did not log the read ahead: $(/bin/journalctl -u numamoved --no-pager --since "$mark" | tail -n 5)"
# Born there, not moved: numamoved's check after the open found nothing to correct.
sleep 1
! /bin/journalctl -u numamoved --no-pager --since "$mark" | grep -q "placement of $mnt/g" ||
	fail "a correction ran after the read ahead: $(/bin/journalctl -u numamoved --no-pager --since "$mark" | grep "placement of $mnt/g" | head -n 2)"
/usr/bin/numamove place --clear "$mnt/g" > /dev/null 2>&1

# ---- locked in memory: memory.reclaim cannot evict a file numamoved locks
# lock-budget set in the configuration (0 by default), numamoved reloaded;
# a 32 MiB file out of the page cache placed bind:2 --lock: numamoved reads
# it in (charged to its own cgroup) and mlocks it; 10 writes of 64M to that
# cgroup's memory.reclaim leave it all resident, on node 2 (read in under
# the placement). Cleared: the lock ends, and the same reclaim evicts it.
conf=/etc/numamove/numamoved.conf
cp "$conf" "$T/conf.orig"
echo 'lock-budget = 128M' >> "$conf"
/usr/bin/systemctl reload numamoved.service || {
	/usr/bin/systemctl status numamoved.service --no-pager -l 2>&1 | tail -n 15 | sed 's/^/  | /'
	/bin/journalctl -u numamoved --no-pager -n 15 | sed 's/^/  | /'
	fail "systemctl reload numamoved"
}
dd if=/dev/urandom of="$mnt/l" bs=1M count=32 iflag=fullblock 2>/dev/null || fail "cannot write $mnt/l"
sync
echo 1 > /proc/sys/vm/drop_caches
mark=$(/bin/date '+%Y-%m-%d %H:%M:%S')
nm place --policy bind:2 --lock "$mnt/l"
assert_rc 0
_locked() { /bin/journalctl -u numamoved --no-pager --since "$mark" | grep -q "$mnt/l: locked 32.0M in memory under bind:2"; }
wait_for 10 _locked || fail "numamoved did not lock the file: $(/bin/journalctl -u numamoved --no-pager --since "$mark" | tail -n 5)"
ncg=/sys/fs/cgroup/system.slice/numamoved.service
reclaim_ncg() { for i in 1 2 3 4 5 6 7 8 9 10; do echo 64M > "$ncg/memory.reclaim" 2>/dev/null; done; }
reclaim_ncg
/usr/bin/python3 "$NMD_MEASURE" "$mnt/l" > "$T/m.out" 2>&1 || fail "measure: $(cat "$T/m.out")"
note "locked, after memory.reclaim of numamoved's cgroup: $(cat "$T/m.out")"
res=$(awk '{print $2}' "$T/m.out")
[ "${res:-0}" -eq 8192 ] || fail "memory.reclaim evicted a locked file: $(cat "$T/m.out") (wanted all 8192 pages resident)"
[ "$(share_on "$mnt/l" 2)" -ge 95 ] || fail "a locked file's pages: $(cat "$T/m.out") (wanted >= 95% on node 2)"
mark=$(/bin/date '+%Y-%m-%d %H:%M:%S')
nm place --clear "$mnt/l"
assert_rc 0
_unlocked() { /bin/journalctl -u numamoved --no-pager --since "$mark" | grep -q "$mnt/l: unlocked"; }
wait_for 10 _unlocked || fail "numamoved did not unlock the cleared file"
reclaim_ncg
/usr/bin/python3 "$NMD_MEASURE" "$mnt/l" > "$T/m.out" 2>&1
note "unlocked, after memory.reclaim: $(cat "$T/m.out")"
res=$(awk '{print $2}' "$T/m.out")
[ "${res:-99999}" -le 819 ] || fail "an unlocked file stays resident after memory.reclaim: $(cat "$T/m.out") (the check cannot tell a lock)"
cp "$T/conf.orig" "$conf"
/usr/bin/systemctl reload numamoved.service

# ---- tmpfs: a file another process creates in a placed directory
mkdir -p "$tmpd"
mount -t tmpfs -o mode=1777 none "$tmpd" || fail "cannot mount tmpfs"
nm place --policy bind:3 "$tmpd"
assert_rc 0
/usr/bin/taskset -c "$cpu0" /bin/dd if=/dev/urandom of="$tmpd/new" bs=1M count=16 iflag=fullblock 2>/dev/null ||
	fail "the write on node 0"
wait_for 3 _ok95 "$tmpd/new" 3 || fail "a file created in a placed tmpfs directory: $(cat "$T/m.out")"
note "created in $tmpd: $(cat "$T/m.out")"

# ---- a corrupt attribute: logged at the next start, the daemon carries on
/usr/bin/python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.numamove.placement", b"numamove-placement/1 policy=bind:2 colour=blue")' "$mnt/f" ||
	fail "cannot write the attribute by hand"
/usr/bin/systemctl restart numamoved.service || fail "systemctl restart numamoved"
nmd_wait_active 20 || fail "numamoved did not come back after a corrupt attribute"
sleep 1
/bin/journalctl -u numamoved --no-pager -n 50 | grep -q "$mnt/f: placement skipped: its user.numamove.placement attribute is corrupt" ||
	fail "no clear log line for the corrupt attribute"
[ "$(nmd_active)" = active ] || fail "numamoved is not active after a corrupt attribute"
