# Cancel a running job: with a budget of 4 MiB/s a 64 MiB move (node 3 to
# node 2) takes about 16 s; once the job runs and has moved something,
# busctl calls its Cancel(). The job ends "cancelled", between batches: the
# workload finds part of its pages on node 2 and the rest still on node 3,
# as many on node 2 as the job's BytesDone says (within one batch and 5%), its data
# intact, and nothing moves afterwards.
# timeout: 300
. /vm/files/numamoved/nmd-lib.sh
trap nmd_cleanup EXIT
nmd_conf budget $((4 * 1024 * 1024))
wl_start w --region 3:64M
nmd move --pid "$(wl_pid w)" --opt to=2
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
on1=$(wl_pages w 0 2)
on0=$(wl_pages w 0 3)
all=$(wl_region_pages w 0)
note "the workload: $on1 pages on node 2, $on0 on node 3, of $all"
assert_ge "$on1" 1 "pages moved before the cancel"
assert_ge "$on0" 1 "pages left on node 3 (the move stopped)"
assert_eq "$((on0 + on1))" "$all" "pages on nodes 3 and 2"
assert_checksums w
# the report says what moved: BytesDone against the measured bytes on node 2
moved=$((on1 * 4096))
diff=$((moved - done_b))
[ $diff -lt 0 ] && diff=$((-diff))
assert_le "$diff" $((2 * 1024 * 1024 + moved / 20)) "|measured moved bytes ($moved) - BytesDone ($done_b)|"
wl_save w
sleep 3
wl_report w
assert_unchanged w
