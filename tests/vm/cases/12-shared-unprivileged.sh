# uid 1000 moves its own process whose memory is shared with its child:
# without CAP_SYS_NICE those pages cannot move; numamove must count them as
# shared (exit 3), not skip them silently, and they stay on node 0.
WL_USER=1000 wl_start a --region 0:32M --shared-with-child
wl_report a
assert_region_on a 0 0
pid=$(wl_pid a)
NM_USER=1000 nm move -J -b "$pid" --to 2
assert_rc 3
wl_report a
assert_checksums a
assert_region_on a 0 0
shared=$(nm_json_field "$pid" shared)
assert_ge "$shared" "$(wl_region_pages a 0)" "JSON shared pages (the region is $(wl_region_pages a 0) pages)"
assert_eq "$(nm_json_field "$pid" status)" partial "JSON status"
