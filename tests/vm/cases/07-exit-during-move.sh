# timeout: 300
# The process is killed (SIGKILL) while its memory is being moved: numamove
# ends by itself (no hang), exit status 1 (the man page's "the process
# exited"), not a crash, says "the process exited" on stderr, and its JSON
# says status "exited".
wl_start a --region 0:600M --region 1:600M
pid=$(wl_pid a)
free2=$(node_free_kb 2)
# --rate keeps the move running for ~12 s whatever the machine's speed, so
# the kill lands during it.
( nm move -J "$pid" --to 2,3 --rate 100M/s; echo "$NM_RC" > "$T/rc" ) &
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
assert_rc 1
grep -q "^numamove: $pid .*: the process exited" "$T/err" ||
	fail "numamove's message does not say the process exited: $(cat "$T/err")"
assert_eq "$(nm_json_field "$pid" status)" exited "the move's status in JSON"
