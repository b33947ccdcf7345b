# topology: sparse
# Shared objects on the sparse machine: a tmpfs file touched on node 0 moves
# to the memory-only node 7 with --policy preferred (its owner sees its
# pages there and its later pages too); a SysV segment on node 2 moves to
# node 5 with --policy bind.
ob_start o --file /dev/shm/sparse --size 16M --node 0 --stride 2
wl_report o
ob_assert_on o touched 0
res_before=$(ob_resident o)
nm move /dev/shm/sparse --to 7 --policy preferred
assert_rc 0
grep -q 'policy default -> preferred:7' "$T/out" || fail "move: no line 'policy default -> preferred:7'"
wl_report o
ob_assert_on o touched 7
ob_assert_checksum o
assert_eq "$(ob_resident o)" "$res_before" "resident pages after the move (holes must stay holes)"
wl_next o
wl_report o
ob_assert_on o later 7
wl_stop o
rm -f /dev/shm/sparse

ob_start s --shm 8M --node 2
wl_report s
ob_assert_on s touched 2
id=$(ob_ready s shmid)
nm move --shm "$id" --to 5 --policy bind
assert_rc 0
wl_report s
ob_assert_on s touched 5
ob_assert_checksum s
wl_next s
wl_report s
ob_assert_on s later 5
wl_stop s
ipcrm -m "$id" 2>/dev/null || true
