# show: a known placement (64M on node 0, 32M on node 2) is what
# numamove show -b -J reports, per node, compared with what the workload
# measures itself (ANON at least the region; at most a few MiB more).
wl_start a --region 0:64M --region 2:32M
wl_report a
assert_region_on a 0 0
assert_region_on a 1 2
pid=$(wl_pid a)
nm show -b -J "$pid"
assert_rc 0
check() { # NODE MIN_BYTES MAX_BYTES
	local l anon total
	l=$(nm_json | grep -E "^processes( .*)? node=$1 ")
	[ -n "$l" ] || fail "show: no row for node $1"
	assert_eq "$(jval "$l" pid)" "$pid" "pid of the node $1 row"
	anon=$(jval "$l" anon)
	total=$(jval "$l" total)
	assert_ge "$anon" "$2" "show: ANON bytes on node $1"
	assert_le "$anon" "$3" "show: ANON bytes on node $1"
	assert_ge "$total" "$anon" "show: TOTAL >= ANON on node $1"
}
check 0 $((64 << 20)) $((80 << 20))
check 2 $((32 << 20)) $((33 << 20))
rows3=$(nm_json | grep -cE "^processes( .*)? node=3 ")
assert_eq "$rows3" 0 "rows for node 3 (no memory there)"
# ANON+FILE+SHM+HUGE = TOTAL
nm_json | grep '^processes ' | while read -r l; do
	s=$(( $(jval "$l" anon) + $(jval "$l" file) + $(jval "$l" shm) + $(jval "$l" huge) ))
	[ "$s" = "$(jval "$l" total)" ] || fail "show: ANON+FILE+SHM+HUGE=$s != TOTAL in: $l"
done || exit 1
nm show "$pid"
assert_rc 0
nm show --mappings "$pid"
assert_rc 0
# one row per mapping with memory, each with its node columns; the sum of
# the rows' N0 is what the workload's pages on node 0 at least are
head -n1 "$T/out" | grep -qE '^ *PID +START +KIND +POLICY +RES +N0 +N1 ' || fail "show --mappings: header $(head -n1 "$T/out")"
[ "$(awk -v p="$pid" 'NR > 1 && $1 == p' "$T/out" | wc -l)" -ge 3 ] || fail "show --mappings: fewer than 3 mappings of $pid"
