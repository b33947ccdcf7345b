# --from 0,1 --to 1,0 swaps the two nodes (migrate_pages(2) takes sets and
# cannot; numamove must). Also a swap between two memory-only nodes.
wl_start a --region 0:32M --region 1:16M --region 2:8M --region 3:4M
wl_report a
pid=$(wl_pid a)
nm move "$pid" --from 0,1 --to 1,0
assert_rc 0
wl_report a
assert_checksums a
assert_region_on a 0 1
assert_region_on a 1 0
assert_region_on a 2 2
assert_region_on a 3 3
nm move "$pid" --from 2,3 --to 3,2 --memory-only
assert_rc 0
wl_report a
assert_checksums a
assert_region_on a 0 1
assert_region_on a 1 0
assert_region_on a 2 3
assert_region_on a 3 2
