# The final sweep: memory the process faults in on a source node while the
# batched pass runs, in a mapping the pass never saw, is moved too. The
# target (on node 0's CPU, default policy) grows 8 MiB during a rate-limited
# move to node 2 with --no-stay (no stay policy, so its new pages still land
# on node 0); afterwards every page of it is on node 2 as the target itself
# asks the kernel, and numamove reports it as moved by the sweep.
# 4 MiB held on node 0 make the pass last about 16 s at 256K/s, whatever
# else of the target (its libraries' page cache) earlier cases moved.
# Then the same move without --no-stay: the stay policy is set before any
# page moves, so the pages grown during the move land on node 2 at once and
# the sweep has (nearly) nothing left to do.

# grow_during_move NAME [numamove options...]: start NAME, move it to node 2
# at 256K/s and make it grow 8 MiB once the pass has started; prints where the
# grown pages landed; numamove's exit status in NM_RC, its output in $T/out.
grow_during_move() {
	local name=$1; shift
	PT_PREFIX="numactl --cpunodebind=0" pt_start "$name" --hold 4
	local pid nmpid
	pid=$(pt_pid "$name")
	# Emptied first: the redirections below happen in the child, after the
	# wait for progress may already have read the last call's output.
	: > "$T/out"
	: > "$T/err"
	"$NUMAMOVE" move "$pid" --to 2 --rate 256K/s --progress=json -J -b "$@" > "$T/out" 2> "$T/err" &
	nmpid=$!
	# the pass has started once numamove reports progress
	wait_for 60 grep -q '"bytes_done": [1-9]' "$T/err" || fail "numamove reported no progress within 60 s"
	pt_cmd "$name" grow
	pt_wait "$name" '^grow ' 1
	kill -0 "$nmpid" 2>/dev/null || fail "numamove ended before the target grew (test setup)"
	GROWN_ON=$(pt_nodes "$name" '^grow ')
	wait "$nmpid"
	NM_RC=$?
	sed 's/^/  > /' "$T/out"
	sed 's/^/  2> /' "$T/err"
}

grow_during_move a --no-stay
assert_eq "$GROWN_ON" 0 "with --no-stay, where the target's new pages landed during the move"
assert_rc 0
pid=$(pt_pid a)
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

grow_during_move b
assert_eq "$GROWN_ON" 2 "with the stay policy, where the target's new pages landed during the move"
assert_rc 0
sweep=$(nm_json_field "$(pt_pid b)" sweep)
note "numamove reports $sweep bytes moved by the sweep"
assert_le "$sweep" $((2 * 1048576)) "bytes the sweep moved with the stay policy (2 MiB slack)"
pt_release b
assert_after_ok b
