# topology: sparse
# Policies with sparse node ids: a target under numactl --membind=0 gets
# `policy --set bind:5`; every blocked call completes normally and every
# thread's next allocation lands on node 5 (measured by the target). Then
# `move --to 2` rebinds bind:5 to bind:2 and the next allocations land on 2.
PT_PREFIX="numactl --membind=0" pt_start a --sleep 6
pid=$(pt_pid a)
pt_wait a '^before ' 5
nm policy "$pid" --set bind:5 -o TYPE,BEFORE,AFTER,STATUS
assert_rc 0
assert_eq "$(awk 'NR > 1 {print $1, $2, $3, $4}' "$T/out" | sort -u)" "thread bind:0 bind:5 changed" "report"
pt_cmd a alloc
pt_wait a '^alloc ' 1
assert_eq "$(pt_nodes a '^alloc ')" 5 "main thread's next allocation"
pt_release a
assert_after_ok a
assert_after_nodes a 5
wl_stop_pt() { kill -KILL "$(pt_pid "$1")" 2>/dev/null; }
wl_stop_pt a

PT_PREFIX="numactl --membind=5" pt_start b --sleep 6
pid=$(pt_pid b)
pt_wait b '^before ' 5
nm move "$pid" --to 2
assert_rc 0
grep -q 'task policy of .* threads: bind:5 -> bind:2' "$T/out" || fail "move does not report the rebinding"
pt_cmd b alloc
pt_wait b '^alloc ' 1
assert_eq "$(pt_nodes b '^alloc ')" 2 "main thread's next allocation after the move"
pt_release b
assert_after_ok b
assert_after_nodes b 2
