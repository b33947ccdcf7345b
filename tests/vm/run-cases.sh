# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the VM (busybox sh), started by run-tests.sh through vm.sh:
# every /vm/cases/*.sh (or those named as arguments), each in its own session
# with a time limit (CASE_TIMEOUT, default 180 s; a case may ask for more with
# a line "# timeout: SECONDS"). Prints "PASS: name" or "FAIL: name (reason)".
# Every process a case started is killed before the next case.
export CASE_TIMEOUT=${CASE_TIMEOUT:-180}
passed=0
failed=0
[ $# -gt 0 ] || set -- /vm/cases/*.sh
echo "@@cases $(for c in "$@"; do basename "$c" .sh; done | tr '\n' ' ')"
for c in "$@"; do
	case $c in /*) ;; *) c=/vm/cases/${c%.sh}.sh ;; esac
	name=$(basename "$c" .sh)
	T=/tmp/case.$name
	rm -rf "$T"
	mkdir -p "$T"
	chmod 777 "$T"
	limit=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$c" | head -n1)
	limit=${limit:-$CASE_TIMEOUT}
	echo "RUN: $name"
	start=$(cut -d. -f1 /proc/uptime)
	# setsid: the case and everything it starts form one process group
	T=$T CASE_REASON=$T/reason setsid sh -c '. /vm/lib.sh; . "$1"' "$name" "$c" < /dev/null &
	pid=$!
	( sleep "$limit"; echo timeout > "$T/timedout"; kill -KILL -"$pid" 2>/dev/null ) &
	wd=$!
	wait "$pid"
	rc=$?
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	kill -KILL -"$pid" 2>/dev/null
	for p in $(cat "$T/pids" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	secs=$(( $(cut -d. -f1 /proc/uptime) - start ))
	if [ -e "$T/timedout" ]; then
		echo "FAIL: $name (timed out after ${limit}s)"
		failed=$((failed + 1))
	elif [ "$rc" = 0 ]; then
		echo "PASS: $name (${secs}s)"
		passed=$((passed + 1))
	else
		reason=$(head -n1 "$T/reason" 2>/dev/null)
		echo "FAIL: $name (${reason:-exit status $rc})"
		failed=$((failed + 1))
	fi
	# let freed memory settle before the next case measures nodes
	sleep 0.5
done
echo "@@summary $passed passed, $failed failed"
[ "$failed" = 0 ]
