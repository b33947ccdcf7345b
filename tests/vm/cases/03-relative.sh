# --to 2,3 (FROM by default the nodes the memory is on, 0 and 1) keeps the
# relative placement: the region on 0 ends on 2, the region on 1 on 3.
wl_start a --region 0:48M --region 1:24M
wl_report a
pid=$(wl_pid a)
nm move "$pid" --to 2,3
assert_rc 0
wl_report a
assert_checksums a
assert_region_on a 0 2
assert_region_on a 1 3
# and explicitly, back, crossing: --from 2,3 --to 1,0
nm move "$pid" --from 2,3 --to 1,0
assert_rc 0
wl_report a
assert_checksums a
assert_region_on a 0 1
assert_region_on a 1 0
