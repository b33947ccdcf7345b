# Ten jobs at once under one bandwidth budget: numamoved.conf budget =
# 6 MiB/s, max-running = 2; ten workloads on node 3 (16 MiB each, the second
# 8 MiB so that the two first jobs end at different times), each moved to
# node 2 by its own job, all submitted by one client in one burst. (Nodes 3
# and 2 have no CPU: the root file system, unpacked at boot, fills node 0
# first.) The two first (priority 19) start at once; the eight others wait
# and must start in priority order (lowest first, as nice; jobs seen
# starting in the same poll count as in order), and the highest-priority one
# finishes before every other waiting job. The total rate, as measured here
# (the bytes the workloads find on node 2, over the time from the first job
# seen running to the last seen finished), is at most 20% over the budget
# (what a budget promises) and at least half of it (the budget is used,
# not starved: the gaps between jobs, where policies are set in the
# targets and nothing is paced, cost more under software emulation on a
# loaded host; a run here once gave 76%).
# Every workload's data intact, every page on node 2.
# timeout: 420
. /vm/files/numamoved/nmd-lib.sh
trap nmd_cleanup EXIT
budget=$((6 * 1024 * 1024))
nmd_conf budget "$budget"
nmd_conf max-running 2
mb=16
note "free memory: node 3 $(node_free_kb 3) kB, node 2 $(node_free_kb 2) kB"
specs=
prios="19 19 10 5 0 15 -5 -15 3 -10"
i=0
for p in $prios; do
	i=$((i + 1))
	m=$mb
	[ $i = 2 ] && m=$((mb / 2))
	wl_start "w$i" --region 3:${m}M
	specs="$specs $(wl_pid "w$i"):$p"
done
bctl get-property "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" Budget
assert_eq "$(cat "$T/b.out")" "t $budget" "Manager.Budget after the reload"
# shellcheck disable=SC2086
nmd moves 2 $specs
[ "$NMD_RC" = 0 ] || fail "submitting the ten moves: $(grep error "$T/nmd.out")"
jobs=$(awk '$1 == "job" {print $2}' "$T/nmd.out")
assert_eq "$(echo "$jobs" | wc -l)" 10 "jobs submitted"
# shellcheck disable=SC2086
nmd watch 300 $jobs
cp "$T/nmd.out" "$T/watch"
[ "$(grep -c ' state done$' "$T/watch")" = 10 ] || fail "not every job done: $(grep -v ' state done$' "$T/watch" | tr '\n' ';')"

# order: among the eight that waited (priorities other than the first two's),
# start times follow priority
tail -n 8 "$T/watch" | /usr/bin/sort -n -k4 > "$T/by-prio"     # by priority
tail -n 8 "$T/watch" | /usr/bin/sort -k6,6n -k4,4n > "$T/by-start"    # by start
awk '{print $2}' "$T/by-prio" > "$T/a"
awk '{print $2}' "$T/by-start" > "$T/b"
cmp -s "$T/a" "$T/b" || fail "the waiting jobs did not start by priority: by priority $(tr '\n' ' ' < "$T/a"), by start $(tr '\n' ' ' < "$T/b")"
first=$(head -n1 "$T/by-prio")
first_end=$(echo "$first" | awk '{print $8}')
# (checked after the rate, so that a failure here still measures it)
late=$(tail -n +2 "$T/by-prio" | awk -v a="$first_end" '$8 <= a {printf "job %s (priority %s) finished at %s; ", $2, $4, $8}')

# the rate, measured: bytes on node 2 (the workloads' own count) over the window
total=0
i=0
for p in $prios; do
	i=$((i + 1))
	wl_report "w$i" > /dev/null
	assert_region_on "w$i" 0 2
	assert_checksums "w$i"
	total=$((total + $(wl_pages "w$i" 0 2) * 4096))
done
t0=$(awk '{print $6}' "$T/watch" | /usr/bin/sort -n | head -n1)
t1=$(awk '{print $8}' "$T/watch" | /usr/bin/sort -n | tail -n1)
rate=$(awk -v b="$total" -v a="$t0" -v z="$t1" 'BEGIN {printf "%d", b / (z - a)}')
note "moved $total bytes in $(awk -v a="$t0" -v z="$t1" 'BEGIN {printf "%.2f", z - a}') s: $rate bytes/s, budget $budget ($(( rate * 100 / budget ))%)"
assert_ge "$rate" $(( budget * 5 / 10 )) "the total rate (bytes/s)"
assert_le "$rate" $(( budget * 12 / 10 )) "the total rate (bytes/s)"
[ -z "$late" ] || fail "before the highest-priority job ($first): $late"
