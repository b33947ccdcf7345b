# A hugetlbfs file: 8 huge pages of 2 MiB, of which the owner touches 2 on
# node 0 (the others are holes). Moving it to node 3, which has no huge
# pages, is refused with the numbers and moves nothing; moving it to node 2
# (4 huge pages reserved there) moves both, and only those (the JSON's
# moved bytes), keeps the holes and the data. No show or move takes a huge
# page from the pool (a hole read would). --policy is refused: hugetlbfs
# keeps no policy.
hp=/sys/devices/system/node/node%d/hugepages/hugepages-2048kB
echo 4 > "$(printf $hp 0)/nr_hugepages"
echo 4 > "$(printf $hp 2)/nr_hugepages"
echo 0 > "$(printf $hp 3)/nr_hugepages"
mkdir -p /mnt/huge
mount -t hugetlbfs -o mode=1777 none /mnt/huge || fail "cannot mount hugetlbfs"
free_total() { cat /sys/devices/system/node/node*/hugepages/hugepages-2048kB/free_hugepages | awk '{s += $1} END {print s}'; }
ob_start o --file /mnt/huge/pool --size 16M --node 0 --stride 2
wl_report o
ob_assert_on o touched 0
assert_eq "$(ob_count o touched)" 2 "touched huge pages (setup)"
assert_eq "$(ob_resident o)" 2 "huge pages of the file (setup)"
free_before=$(free_total)

nm show -J -b /mnt/huge/pool
assert_rc 0
l=$(nm_json_object /mnt/huge/pool)
assert_eq "$(jval "$l" type)" hugetlbfs "show: type"
assert_eq "$(jval "$l" pagesize)" $((2 << 20)) "show: page size"
assert_eq "$(jval "$l" res)" $((4 << 20)) "show: resident bytes"
assert_eq "$(jval "$l" policy)" null "show: policy (none kept)"
assert_eq "$(free_total)" "$free_before" "free huge pages, all nodes, after show (holes must stay holes)"

nm move /mnt/huge/pool --to 3
assert_rc 1
assert_one_line_error 'node 3 has 0 free huge pages of 2.0M, the move needs 2'
wl_report o
ob_assert_on o touched 0
assert_eq "$(free_total)" "$free_before" "free huge pages, all nodes, after the refused move"

nm move /mnt/huge/pool --to 2 --policy bind
assert_rc 1
assert_one_line_error 'keep no policy'

res_before=$(ob_resident o)
nm move -J -b /mnt/huge/pool --to 2
assert_rc 0
l=$(nm_json | grep -E "^moves( .*)? object=/mnt/huge/pool " | head -n1)
assert_eq "$(jval "$l" status)" moved "move JSON status"
assert_eq "$(jval "$l" moved)" $(( res_before * (2 << 20) )) "move JSON moved: the resident huge pages' bytes"
wl_report o
ob_assert_on o touched 2
ob_assert_checksum o
assert_eq "$(ob_resident o)" 2 "huge pages of the file after the move (holes must stay holes)"
assert_eq "$(free_total)" "$free_before" "free huge pages, all nodes, after the move"
