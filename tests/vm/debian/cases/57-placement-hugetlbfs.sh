# hugetlbfs keeps no extended attribute, and allocates a file's huge page
# where the task that faults it runs (issue 14). numamove place (root)
# gets the placement kept in numamoved's registry instead; numamoved moves
# the pages faulted elsewhere and allocates the pages the file lacks on the
# placement's nodes (fallocate(2) under the placement's policy), so that
# the pages the file gets later are born there. Measured by the workload
# (hugepages.py: move_pages(2) on its own mapping, and its data):
#  - a 4 MiB file (2 huge pages) faulted on node 0, then placed bind:2:
#    its pages are on node 2 within 2 s, data intact;
#  - the file grown to 16 MiB by a process on node 0's CPU, which touches
#    its pages 2 s later: all 8 are on node 2 when it touches them;
#  - after systemctl restart numamoved, the placement is kept (from the
#    registry alone) and listed, and the file grown again to 20 MiB gets
#    its 2 new pages on node 2;
#  - uid 1000 may not place root's file: refused, nothing changed.
# timeout: 180
. /vm/files/numamoved/nmd-lib.sh
H=/vm/files/numamoved/hugepages.py
hmnt=/mnt/nmdhuge
nr() { echo "/sys/devices/system/node/node$1/hugepages/hugepages-2048kB/nr_hugepages"; }
cleanup() {
	/usr/bin/numamove place --clear "$hmnt/f" > /dev/null 2>&1
	rm -f "$hmnt/f"
	umount "$hmnt" 2>/dev/null
	echo 0 > "$(nr 0)"
	echo 0 > "$(nr 2)"
	nmd_cleanup
}
trap cleanup EXIT
echo 8 > "$(nr 0)"
echo 12 > "$(nr 2)"
[ "$(cat "$(nr 0)")" -ge 8 ] && [ "$(cat "$(nr 2)")" -ge 12 ] ||
	fail "cannot reserve huge pages: node 0 $(cat "$(nr 0)"), node 2 $(cat "$(nr 2)")"
mkdir -p "$hmnt"
mount -t hugetlbfs -o pagesize=2M none "$hmnt" || fail "mount hugetlbfs"
cpu0=$(node_cpus 0 | cut -d, -f1 | cut -d- -f1)
huge() { /usr/bin/taskset -c "$cpu0" /usr/bin/python3 "$H" "$@" > "$T/h.out" 2>&1 || fail "hugepages.py $*: $(cat "$T/h.out")"; }

huge "$hmnt/f" 4
note "faulted on node 0: $(tr '\n' ' ' < "$T/h.out")"
grep -qx 'touched 2 node 0 2' "$T/h.out" || fail "the pages were not faulted on node 0: $(cat "$T/h.out")"
nm place --policy bind:2 "$hmnt/f"
assert_rc 0
grep -q 'kept by numamoved' "$T/out" || fail "numamove place did not say that numamoved keeps it"
nmd_wait_active 20 || fail "numamoved did not start"
grep -q "$(printf "%s" "$hmnt/f" | /usr/bin/od -An -tx1 | tr -d ' \n') " /var/lib/numamoved/placements ||
	fail "no registry line with the placement for $hmnt/f: $(cat /var/lib/numamoved/placements)"
# resident pages moved: as the workload sees them, within its 2 s
_moved() { huge "$hmnt/f" 4 0 2; grep -qx 'after [0-9]* ms node 2 2' "$T/h.out"; }
wait_for 5 _moved || fail "resident pages not moved to node 2: $(cat "$T/h.out")"
grep -qx 'data ok' "$T/h.out" || fail "data: $(cat "$T/h.out")"
note "moved: $(tr '\n' ' ' < "$T/h.out")"

# later pages: born on node 2
huge "$hmnt/f" 16 2 2
note "grown to 16 MiB, touched 2 s later: $(tr '\n' ' ' < "$T/h.out")"
grep -qx 'touched 8 node 2 8' "$T/h.out" || fail "the pages the file got later are not on node 2: $(cat "$T/h.out")"
grep -qx 'data ok' "$T/h.out" || fail "data: $(cat "$T/h.out")"
/bin/journalctl -u numamoved --no-pager -b | grep -E 'nmdhuge' | tail -n 4 | sed 's/^/  | /'
nm show -o NAME,PLACEMENT,PLACED-BY,CONFORM,RES,N0,N2 "$hmnt/f"   # numamove's view: asks numamoved
assert_rc 0
grep -q ' bind:2 ' "$T/out" || fail "numamove show does not say the placement numamoved keeps"

# kept across a restart, from the registry alone
/usr/bin/systemctl restart numamoved.service || fail "systemctl restart numamoved"
nmd_wait_active 20 || fail "numamoved did not come back"
_applied() { /bin/journalctl -u numamoved --no-pager -n 30 | grep -q 'placements: 1 kept and applied again'; }
wait_for 10 _applied || fail "the restarted daemon did not keep the placement: $(/bin/journalctl -u numamoved --no-pager -n 5)"
bctl call $NMD_BUS $NMD_OBJ $NMD_IF.Manager ListPlacements
grep -q "\"$hmnt/f\" \"bind:2\" \"file\"" "$T/b.out" || fail "ListPlacements: $(cat "$T/b.out")"
huge "$hmnt/f" 20 2 2
note "after the restart, grown to 20 MiB, touched 2 s later: $(tr '\n' ' ' < "$T/h.out")"
grep -qx 'touched 10 node 2 10' "$T/h.out" || fail "after the restart, its later pages are not on node 2: $(cat "$T/h.out")"
grep -qx 'data ok' "$T/h.out" || fail "data: $(cat "$T/h.out")"

# a user who may not write the file
NM_USER=1000 nm place --policy bind:0 "$hmnt/f"
assert_rc 1
grep -qE 'cannot place it: (Permission denied|.*refused)' "$T/err" || fail "no refusal said: $(cat "$T/err")"
huge "$hmnt/f" 20 0 2
grep -q 'after [0-9]* ms node 2 10' "$T/h.out" || fail "after the refusal: $(cat "$T/h.out")"
