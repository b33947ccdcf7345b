# timeout: 900
# Soak: 1,000 policy changes on a busy multithreaded target that checks its
# own data all the while (fresh 1 MiB buffers filled and verified, 2 ms
# sleeps timed, a byte sequence over a pipe, epoll_wait timeouts). Zero
# anomalies, zero failed changes, and the changes took effect: for 200 of
# them (every mode, spread over the soak) the main thread's policy as the
# kernel shows it (/proc/PID/numa_maps, not numamove's reader) is the one set.
pt_start a --soak
pid=$(pt_pid a)
i=0
fails=0
while [ $i -lt 1000 ]; do
	case $((i % 5)) in
	0) p=bind:2 ;; 1) p=interleave:0-3 ;; 2) p=preferred:1 ;; 3) p=bind:0-1 ;; 4) p=default ;;
	esac
	"$NUMAMOVE" policy "$pid" --set "$p" > /dev/null 2> "$T/err" || { fails=$((fails + 1)); cat "$T/err"; }
	if [ $((i % 25)) -lt 5 ]; then
		case $p in preferred:*) want=prefer:${p#*:} ;; *) want=$p ;; esac
		got=$(awk 'NR == 1 {print $2}' /proc/$pid/numa_maps)
		assert_eq "$got" "$want" "change $i: the main thread's policy in /proc/$pid/numa_maps"
	fi
	i=$((i + 1))
done
note "1000 changes, $fails failed"
assert_eq "$fails" 0 "failed policy changes"
nm policy "$pid" -o POLICY
assert_eq "$(awk 'NR > 1' "$T/out" | sort -u)" default "final policy of every thread"
pt_cmd a stop
pt_wait a '^done' 1
line=$(grep '^soak ' "$(pt_dir a)/result")
note "$line"
assert_ge "$(soak_val rounds "$line")" 100 "rounds of data checks during the soak"
assert_eq "$(soak_val errors "$line") $(soak_val eintr "$line") $(soak_val short_sleeps "$line") $(soak_val seq_errors "$line")" \
	"0 0 0 0" "errors, EINTR (in $(soak_val eintr_in "$line")), short sleeps, sequence errors"
