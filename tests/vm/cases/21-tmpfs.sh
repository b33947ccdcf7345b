# A tmpfs file (/dev/shm) half touched on node 1 by its owner moves to
# node 3 with --policy preferred: the owner sees its pages on node 3, data
# intact, holes still holes, and its later pages on node 3. Then a user
# without CAP_SYS_NICE moving a file that another of their processes maps:
# the pages stay, counted as shared (exit 3), and the message says why.
ob_start o --file /dev/shm/buf --size 32M --node 1 --stride 2
wl_report o
ob_assert_on o touched 1
res_before=$(ob_resident o)
nm show /dev/shm/buf
assert_rc 0
nm move /dev/shm/buf --to 3 --policy preferred
assert_rc 0
grep -q 'policy default -> preferred:3' "$T/out" || fail "move: no line 'policy default -> preferred:3'"
wl_report o
ob_assert_on o touched 3
ob_assert_checksum o
assert_eq "$(ob_resident o)" "$res_before" "resident pages after the move (holes must stay holes)"
nm show /dev/shm/buf
assert_rc 0
wl_next o
wl_report o
ob_assert_on o later 3

# Unprivileged: uid 1000's own file, mapped by uid 1000's owner.
rm -f /dev/shm/ubuf
WL_USER=1000 ob_start u --file /dev/shm/ubuf --size 8M --node 0
wl_report u
NM_USER=1000 nm move -J -b /dev/shm/ubuf --to 2
assert_rc 3
grep -q 'CAP_SYS_NICE' "$T/err" || fail "no word of CAP_SYS_NICE on stderr"
l=$(nm_json | grep -E "^moves( .*)? object=/dev/shm/ubuf " | head -n1)
assert_ge "$(jval "$l" shared)" "$(ob_count u touched)" "JSON shared pages"
wl_report u
ob_assert_on u touched 0
