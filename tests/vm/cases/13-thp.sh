# Transparent huge pages move whole (exit 0, no bogus busy pages) and stay
# huge: the THP kB of the region are the same before and after (memory is
# compacted first, so that node 2 has free huge pages to receive them).
echo madvise > /sys/kernel/mm/transparent_hugepage/enabled
wl_start a --thp --region 0:64M
wl_report a
thp=$(region_line a 0 | awk '{print $(NF - 2)}')
note "THP before: ${thp} kB"
[ "$thp" -gt 0 ] || fail "the workload got no THP (test setup)"
pid=$(wl_pid a)
echo 1 > /proc/sys/vm/compact_memory
nm move -J -b "$pid" --to 2
assert_rc 0
wl_report a
assert_checksums a
assert_region_on a 0 2
after=$(region_line a 0 | awk '{print $(NF - 2)}')
assert_eq "$after" "$thp" "THP kB after the move (every THP still huge)"
assert_eq "$(nm_json_field "$pid" busy)" 0 "JSON busy"
