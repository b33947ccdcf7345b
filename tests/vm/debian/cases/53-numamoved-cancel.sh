# Cancel a running job: with a budget of 4 MiB/s a 64 MiB move takes about
# 16 s; once the job runs and has moved something, busctl calls its
# Cancel(). The job ends "cancelled", between batches: the workload finds
# part of its pages on node 1 and the rest still on node 0, as many on
# node 1 as the job's BytesDone says (within one batch and 5%), its data
# intact, and nothing moves afterwards.
# timeout: 300
. /vm/files/numamoved/nmd-lib.sh
trap nmd_cleanup EXIT
nmd_conf budget $((4 * 1024 * 1024))
wl_start w --region 0:64M
nmd move --pid "$(wl_pid w)" --opt to=1
[ "$NMD_RC" = 0 ] || fail "Move failed: $(head -n1 "$T/nmd.out")"
job=$(nmd_val job)
_moving() { [ "$(bget "$job" Job State)" = running ] && [ "$(bget "$job" Job BytesDone)" -gt $((4 * 1024 * 1024)) ] 2>/dev/null; }
wait_for 60 _moving || fail "the job is not moving: State $(bget "$job" Job State), BytesDone $(bget "$job" Job BytesDone)"
bctl call "$NMD_BUS" "$job" "$NMD_IF.Job" Cancel
[ "$B_RC" = 0 ] || fail "Cancel failed: $(cat "$T/b.err")"
state=$(nmd_wait_job "$job" 60) || fail "the cancelled job did not end: $state"
assert_eq "$state" cancelled "the job's state after Cancel"
done_b=$(bget "$job" Job BytesDone)
total_b=$(bget "$job" Job BytesTotal)
note "BytesDone $done_b of BytesTotal $total_b; Outcome $(bget "$job" Job Outcome)"
bget "$job" Job Output | head -c 400 | sed 's/^/  | /'; echo
/usr/bin/python3 "$NMD_PY" get "$job" Job Report > "$T/report.json"
grep -q '"status"' "$T/report.json" || fail "the cancelled job has no Report"
wl_report w
on1=$(wl_pages w 0 1)
on0=$(wl_pages w 0 0)
all=$(wl_region_pages w 0)
note "the workload: $on1 pages on node 1, $on0 on node 0, of $all"
assert_ge "$on1" 1 "pages moved before the cancel"
assert_ge "$on0" 1 "pages left on node 0 (the move stopped)"
assert_eq "$((on0 + on1))" "$all" "pages on nodes 0 and 1"
assert_checksums w
# the report says what moved: BytesDone against the measured bytes on node 1
moved=$((on1 * 4096))
diff=$((moved - done_b))
[ $diff -lt 0 ] && diff=$((-diff))
assert_le "$diff" $((2 * 1024 * 1024 + moved / 20)) "|measured moved bytes ($moved) - BytesDone ($done_b)|"
wl_save w
sleep 3
wl_report w
assert_unchanged w
