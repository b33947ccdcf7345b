# SysV shm: a segment created and half touched (every other page of its
# first half) on node 0 by the owner is moved by numamove, a separate
# process, to node 2 with --policy bind. The owner then finds its pages on
# node 2 (move_pages(2)), its data intact, the holes still holes (the
# segment's memory use is the same), and the pages it touches afterwards on
# node 2 too: the shared policy beats its own default policy.
ob_start o --shm 32M --key 0x4e4d0020 --node 0 --stride 2
wl_report o
ob_assert_on o touched 0
id=$(ob_ready o shmid)
res_before=$(ob_resident o)
assert_eq "$res_before" "$(ob_count o touched)" "resident pages before (setup)"

nm show --shm "$id" --pids
assert_rc 0
nm show -J -b --shm-key 0x4e4d0020 --pids
assert_rc 0
l=$(nm_json_object "shm:$id")
[ -n "$l" ] || fail "show -J: no object shm:$id"
assert_eq "$(jval "$l" type)" sysv "show: type"
assert_eq "$(jval "$l" policy)" default "show: policy before"
assert_eq "$(jval "$l" res)" $(( res_before * PAGE_BYTES )) "show: resident bytes"
assert_eq "$(jval "$l" n0)" $(( res_before * PAGE_BYTES )) "show: bytes on node 0"
assert_eq "$(jval "$l" pids)" "$(wl_pid o)" "show: the pids that map it"

nm move -J -b --shm "$id" --to 2 --policy bind
assert_rc 0
l=$(nm_json | grep -E "^moves( .*)? object=shm:$id " | head -n1)
assert_eq "$(jval "$l" status)" moved "move JSON status"
assert_eq "$(jval "$l" moved)" $(( res_before * PAGE_BYTES )) "move JSON moved (bytes)"
assert_eq "$(jval "$l" policy)" bind:2 "move JSON policy"
wl_report o
ob_assert_on o touched 2
ob_assert_checksum o
assert_eq "$(ob_resident o)" "$res_before" "resident pages after the move (holes must stay holes)"

nm show --shm "$id"
assert_rc 0
grep -q 'bind:2' "$T/out" || fail "show: the policy is not bind:2"

# Pages the owner touches now land per the segment's policy, not its own.
wl_next o
wl_report o
ob_assert_on o later 2
