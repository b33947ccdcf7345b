# timeout: 300
# The process is killed (SIGKILL) while its memory is being moved: numamove
# ends by itself (no hang), exit status 1 (or 3), not a crash, with a message
# that says the process exited.
wl_start a --region 0:600M --region 1:600M
pid=$(wl_pid a)
free2=$(node_free_kb 2)
( nm move "$pid" --to 2,3; echo "$NM_RC" > "$T/rc" ) &
bg=$!
# kill it once 40M arrived on node 2: the move has started
wait_for 60 sh -c "[ \$(awk '/MemFree/ {print \$4}' /sys/devices/system/node/node2/meminfo) -lt $((free2 - 40960)) ]" ||
	fail "the move did not start within 60 s"
kill -KILL "$pid"
note "killed $pid after $(( (free2 - $(node_free_kb 2)) / 1024 ))M arrived on node 2"
wait_for 120 sh -c "! kill -0 $bg 2>/dev/null" || fail "numamove still running 120 s after the process was killed"
wait "$bg"
NM_RC=$(cat "$T/rc")
[ "$NM_RC" -lt 128 ] || fail "numamove died of a signal (exit $NM_RC)"
assert_rc 1 3
grep -qiE 'exit|gone|no such process|vanish|died|terminat' "$T/err" ||
	fail "numamove's message does not say the process exited: $(cat "$T/err")"
