# The batched engine with 1 and 2 workers and the kernel engine: every page
# lands where the plan says (the workload asks the kernel), the data is
# intact, transparent huge pages stay huge (equal THP kB before and after:
# one 2 MiB address per THP), and --progress=json writes parseable lines.
echo madvise > /sys/kernel/mm/transparent_hugepage/enabled
thp_kb() { region_line "$1" "$2" | awk '{print $(NF - 2)}'; }

wl_start a --region 0:96M --region 1:32M
pid=$(wl_pid a)
nm move "$pid" --from 0,1 --to 2,3 -j 2 -J -b
assert_rc 0
assert_eq "$(nm_json_field "$pid" jobs)" 2 "workers that ran"
assert_eq "$(nm_json_field "$pid" engine)" batched "engine in JSON (move_pages(2) batches)"
wl_report a
assert_checksums a
assert_region_on a 0 2
assert_region_on a 1 3
# One worker, nothing to pace or bound: the pass is migrate_pages(2), and the JSON says so.
nm move "$pid" --from 2,3 --to 0,1 -j 1 -J -b
assert_rc 0
assert_eq "$(nm_json_field "$pid" engine)" kernel "engine in JSON (one worker: migrate_pages(2))"
assert_eq "$(nm_json_field "$pid" jobs)" 1 "workers that ran"
wl_report a
assert_checksums a
assert_region_on a 0 0
assert_region_on a 1 1
wl_stop a

wl_start t --thp --region 0:64M
wl_report t
before=$(thp_kb t 0)
[ "$before" -gt 0 ] || fail "the workload got no THP (test setup)"
nm move "$(wl_pid t)" --to 2 -j 2
assert_rc 0
wl_report t
assert_checksums t
assert_region_on t 0 2
assert_eq "$(thp_kb t 0)" "$before" "THP kB after the move (every THP still huge)"
wl_stop t

# The kernel engine: one migrate_pages(2); it cannot swap. Its "moved" comes
# from the system-wide pgmigrate_success, so it is bounded on both sides:
# at least the 32 MiB region, at most every page the process had on node 0
# before (its numa_maps N0 counts, read here), which over-counting (twice
# the pages, or other migrations counted in) would exceed.
wl_start k --region 0:32M --region 2:16M
pid=$(wl_pid k)
on0=$(awk '{for (i = 1; i <= NF; i++) if ($i ~ /^N0=/) s += substr($i, 4)} END {print s + 0}' /proc/$pid/numa_maps)
nm move "$pid" --from 0 --to 3 --engine=kernel -J -b
assert_rc 0
assert_eq "$(nm_json_field "$pid" engine)" kernel "engine in JSON"
moved=$(nm_json_field "$pid" moved)
assert_ge "$moved" 33554432 "bytes the kernel engine reports moved (the 32 MiB region at least)"
assert_le "$moved" $(( on0 * PAGE_BYTES )) "bytes the kernel engine reports moved (at most the $on0 pages on node 0 before)"
wl_report k
assert_checksums k
assert_region_on k 0 3
assert_region_on k 1 2
wl_save k
nm move "$pid" --from 2,3 --to 3,2 --engine=kernel
assert_rc 1
assert_one_line_error 'cannot chain or swap'
wl_report k
assert_unchanged k
nm move "$pid" --from 2,3 --to 3,2 --progress=json
assert_rc 0
grep -q '"finished": true' "$T/err" || fail "no final --progress=json line"
grep -v '^{"subject": "[0-9]* ([a-z]*)", "bytes_done": [0-9]*, "bytes_total": [0-9]*, "elapsed_s": [0-9.]*, "rate_bytes_s": [0-9]*, "eta_s": [0-9.]*, "finished": \(true\|false\)' "$T/err" | grep . &&
	fail "a --progress=json line of another shape"
wl_report k
assert_checksums k
assert_region_on k 0 2
assert_region_on k 1 3
