# numamove interrupted (SIGINT, SIGTERM, SIGHUP) while it holds the
# target's threads: the target is never left stopped or traced, and its
# blocked calls still complete normally.
pt_start a --sleep 10
pid=$(pt_pid a)
i=0
for sig in INT TERM HUP INT TERM HUP INT TERM HUP INT TERM HUP INT TERM HUP INT TERM HUP INT TERM; do
	i=$((i + 1))
	case $((i % 2)) in 0) p=bind:2 ;; 1) p=interleave:2-3 ;; esac
	"$NUMAMOVE" policy "$pid" --set "$p" > /dev/null 2>&1 &
	nmpid=$!
	sleep "0.0$((i % 10))"
	kill "-$sig" "$nmpid" 2>/dev/null
	wait "$nmpid"
	for s in /proc/$pid/task/*/status; do
		case $(awk '/^State/ {print $2}' "$s") in T|t) fail "round $i ($sig): a thread is left stopped" ;; esac
		assert_eq "$(awk '/^TracerPid/ {print $2}' "$s")" 0 "round $i ($sig): TracerPid"
	done
done
pt_release a
assert_after_ok a
