# move PID takes the process's own shared memory: anonymous shared memory
# (MAP_SHARED|MAP_ANONYMOUS) and a memfd, whose pages a child wrote (bound
# to one node) before it exited, so that no living process maps them. Every
# resident page moves (the owner reads each one after the move and asks the
# kernel where it is), holes stay holes (mincore count unchanged), the data
# are intact; show counts the pages the process does not map (UNMAPPED).
ob_start a --anon 16M --node 0 --stride 2 --by-child
ob_start m --memfd 8M --node 1 --stride 3 --by-child
res_a=$(ob_ready a resident)
res_m=$(ob_ready m resident)
assert_ge "$res_a" 1024 "resident pages of the anonymous shared memory (half of its first half)"
assert_ge "$res_m" 340 "resident pages of the memfd"
pid=$(wl_pid a)
nm show -b -r -n -o NODE,UNMAPPED "$pid"
assert_rc 0
assert_eq "$(awk '$1 == 0 {print $2}' "$T/out")" "$((res_a * 4096))" "show: UNMAPPED on node 0 (bytes)"
nm move "$pid" --to 2
assert_rc 0
grep -q '^/dev/zero (deleted) (tmpfs): moved ' "$T/out" || fail "no line for the anonymous shared memory: $(cat "$T/out")"
wl_report a
ob_assert_on a touched 2
ob_assert_checksum a
assert_eq "$(ob_resident a)" "$res_a" "resident pages after the move (holes must stay holes)"

pid=$(wl_pid m)
nm move -J -b "$pid" --to 3
assert_rc 0
l=$(nm_json | grep -E "^moves( .*)? object=/memfd:owner-buf" | head -n1)
[ -n "$l" ] || fail "no JSON line for the memfd: $(nm_json | head -n 5)"
assert_eq "$(jval "$l" status)" moved "JSON status of the memfd"
wl_report m
ob_assert_on m touched 3
ob_assert_checksum m
assert_eq "$(ob_resident m)" "$res_m" "resident pages of the memfd after the move (holes must stay holes)"

# A dry run plans, for the object, only the pages the process does not map:
# those it maps are in the process's own plan (counted once). Here the
# owner wrote, and maps, every resident page: nothing for the object.
ob_start d --anon 8M --node 0 --stride 2
assert_ge "$(ob_ready d resident)" 512 "resident pages of the third owner"
nm move --dry-run -b "$(wl_pid d)" --to 2
assert_rc 0
tot=$(awk '/^\/dev\/zero \(deleted\) \(tmpfs\): plan/ {p = 1} p && /^total:/ {print $2; exit}' "$T/out")
assert_eq "$tot" 0 "dry run: bytes planned for the object, all of them mapped by the process: $(cat "$T/out")"
wl_report d
ob_assert_on d touched 0
