# move --to 2 moves everything (a region on node 0 and one on node 1) to
# node 2; the data are intact.
wl_start a --region 0:64M --region 1:16M
wl_report a
pid=$(wl_pid a)
nm move -J -b "$pid" --to 2
assert_rc 0
wl_report a
assert_checksums a
assert_region_on a 0 2
assert_region_on a 1 2
moved=$(nm_json_field "$pid" moved)
assert_ge "$moved" $((80 << 20)) "JSON moved (bytes)"
assert_eq "$(nm_json_field "$pid" status)" moved "JSON status"
assert_eq "$(nm_json_field "$pid" left)" 0 "JSON left"
