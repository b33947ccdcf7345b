# topology: any
# timeout: 300
# The batched engine finds present pages with the PAGEMAP_SCAN ioctl (Linux
# 6.7) and, on older kernels (Debian 12's 6.1), falls back to asking page
# by page. On either path: a process with base pages, THPs and never-touched
# holes moves from its CPU node to a memory-only node with 2 workers; every
# page lands there (measured by the workload), data intact, THPs still huge.
src=$(nth_node "$(nodes_cpu)" 1)
dst=$(nth_node "$(nodes_memonly)" 1)
[ -n "$src" ] && [ -n "$dst" ] || fail "no CPU node or no memory-only node (test setup)"
if kernel_at_least 6 7; then note "kernel $(uname -r): PAGEMAP_SCAN path"; else note "kernel $(uname -r): no PAGEMAP_SCAN, the page-by-page fallback"; fi
echo madvise > /sys/kernel/mm/transparent_hugepage/enabled
thp_kb() { region_line "$1" "$2" | awk '{print $(NF - 2)}'; }
wl_start t --thp --region "$src:32M"
wl_start b --region "$src:24M" --small-mappings 16
wl_report t
before=$(thp_kb t 0)
[ "$before" -gt 0 ] || fail "the workload got no THP (test setup)"
nm move "$(wl_pid t)" "$(wl_pid b)" --to "$dst" -j 2
assert_rc 0
wl_report t
assert_checksums t
assert_region_on t 0 "$dst"
assert_eq "$(thp_kb t 0)" "$before" "THP kB after the move (every THP still huge)"
wl_report b
assert_checksums b
assert_region_on b 0 "$dst"
bad=$(awk -v c=$((6 + dst)) '$1 == "small" && $4 != $c' "$(wl_dir b)/report")
[ -z "$bad" ] || fail "small mappings not on node $dst: $bad"
