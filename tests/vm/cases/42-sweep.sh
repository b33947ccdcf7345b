# The final sweep: memory the process faults in on a source node while the
# batched pass runs, in a mapping the pass never saw, is moved too. The
# target (on node 0's CPU, default policy) grows 8 MiB during a rate-limited
# move to node 2; afterwards every page of it is on node 2 as the target
# itself asks the kernel, and numamove reports it as moved by the sweep.
# 4 MiB held on node 0 make the pass last about 16 s at 256K/s, whatever
# else of the target (its libraries' page cache) earlier cases moved.
PT_PREFIX="numactl --cpunodebind=0" pt_start a --hold 4
pid=$(pt_pid a)
"$NUMAMOVE" move "$pid" --to 2 --rate 256K/s --progress=json -J -b > "$T/out" 2> "$T/err" &
nmpid=$!
# the pass has started once numamove reports progress
wait_for 60 grep -q '"bytes_done": [1-9]' "$T/err" || fail "numamove reported no progress within 60 s"
pt_cmd a grow
pt_wait a '^grow ' 1
kill -0 "$nmpid" 2>/dev/null || fail "numamove ended before the target grew (test setup)"
assert_eq "$(pt_nodes a '^grow ')" 0 "where the target's new pages landed during the move"
wait "$nmpid"
NM_RC=$?
sed 's/^/  > /' "$T/out"
sed 's/^/  2> /' "$T/err"
assert_rc 0
sweep=$(nm_json_field "$pid" sweep)
note "numamove reports $sweep bytes moved by the sweep"
assert_ge "$sweep" 8388608 "bytes the sweep moved (the 8 MiB grown during the move at least)"
# The sweep's figure is the system-wide pgmigrate_success too: at most the
# 8 MiB and 2 MiB of whatever else the target touched meanwhile (its stack,
# its result file's page): twice the pages would exceed it.
assert_le "$sweep" $((10 * 1048576)) "bytes the sweep moved (8 MiB grown, 2 MiB slack)"
pt_cmd a where
pt_wait a '^where ' 1
assert_eq "$(pt_nodes a '^where ')" 2 "the pages grown during the move, after it"
pt_release a
assert_after_ok a
