# numamove interrupted (SIGINT, SIGTERM, SIGHUP) while it holds the
# target's threads: the target is never left stopped or traced, its
# blocked calls still complete normally, and numamove ends cleanly: the
# library blocks these signals while it holds the threads, so numamove
# either finished (0), or dies of the very signal sent (128 + its number)
# once the threads are let go; any other status (a crash: SIGSEGV, SIGABRT,
# a sanitizer's exit code) fails.
# Each signal is sent once the target is seen traced (TracerPid set on one
# of its threads), so it lands while numamove holds them; at least 5 of the
# 18 rounds must have caught it so (numamove may finish before the poll
# sees the hold).
pt_start a --sleep 10
pid=$(pt_pid a)
traced() { grep -qE '^TracerPid:[[:space:]]*[1-9]' /proc/"$pid"/task/*/status 2>/dev/null; }
i=0
held=0
for sig in INT TERM HUP INT TERM HUP INT TERM HUP INT TERM HUP INT TERM HUP INT TERM HUP; do
	i=$((i + 1))
	case $((i % 2)) in 0) p=bind:2 ;; 1) p=interleave:2-3 ;; esac
	# runas: SIGINT back to its default (a background command starts with it ignored)
	runas 0 0 "$NUMAMOVE" policy "$pid" --set "$p" > "$T/out" 2> "$T/err" &
	nmpid=$!
	while kill -0 "$nmpid" 2>/dev/null && ! traced; do :; done
	if traced; then
		kill "-$sig" "$nmpid" 2>/dev/null
		when=during
		held=$((held + 1))
	else
		when=after
	fi
	wait "$nmpid"
	rc=$?
	note "round $i ($sig sent $when the hold): exit $rc"
	case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
	case $rc in
	0|"$want") ;;
	*) fail "round $i ($sig): numamove exited $rc (a crash, or killed by the signal)$(err_hint)" ;;
	esac
	assert_none_held "$pid" "round $i ($sig)"
done
assert_ge "$held" 5 "rounds whose signal arrived while the threads were held"
pt_release a
assert_after_ok a
