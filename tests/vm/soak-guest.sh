# SPDX-License-Identifier: GPL-2.0-or-later
# The soak (issue 16, part 3), inside the 4-node VM (scripts/soak.sh boots
# it): busybox sh, run as /vm/script DURATION_SECONDS.
#
# The target is poltarget --soak --keep 64: threads that fill and verify
# fresh buffers, time 2 ms sleeps, read a byte sequence from a pipe, wait
# in epoll_wait, verify 64 MiB of kept memory over and over, fork a child
# every 10 ms (which checks its copy), and fill and verify a SysV segment
# and a tmpfs file; it counts every anomaly itself. Against it, until the
# time is up, random actions of the command:
#   - moves of the whole process to a random node, with random --jobs and
#     --rate, some with --with-shared (its segment and tmpfs file too);
#     after each that exits 0, the kernel's view (/proc/PID/numa_maps) must
#     agree with the report: at least 95% of its private anonymous pages on
#     that node (the rest: what its threads allocated meanwhile);
#   - moves by an ordered mapping: a swap of two nodes, or a chain;
#   - policy changes (bind, interleave, preferred, default);
#   - a move or policy change killed with SIGKILL at a random instant.
# After every action: the target alive, no thread of it traced or stopped.
# At the end: the target's counters all 0 and its exit status 0, no kernel
# warning in dmesg, no SysV segment and no /dev/shm file left, and a
# summary line per kind of action. Output: PASS/FAIL lines and
# "soak: N passed, N failed, N skipped".
#
# The command only: numamoved (pins, cancellations, jobs through the
# daemon) needs the Debian system VM, which this soak does not boot.
duration=${1:-300}
T=/tmp/soak
mkdir -p "$T/pt"
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
failc() { echo "FAIL: $*"; failed=$((failed + 1)); }

shm_before=$(wc -l < /proc/sysvipc/shm)
files_before=$(ls /dev/shm | wc -l)
dmesg -c > /dev/null

poltarget --ctl "$T/pt" --soak --keep 64 > "$T/pt/log" 2>&1 &
pid=$!
n=0
while [ ! -e "$T/pt/ready" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
[ -e "$T/pt/ready" ] || { failc "poltarget did not start: $(cat "$T/pt/log")"; exit 1; }
echo "# target: poltarget --soak --keep 64, pid $pid, $(ls /proc/$pid/task | wc -l) threads; $duration s"

# held: the threads of the target that are traced or stopped
held() {
	for s in /proc/$pid/task/*/status; do
		awk '/^State:/ && ($2 == "t" || $2 == "T") { print FILENAME " " $2 }
		     /^TracerPid:/ && $2 != 0 { print FILENAME " traced by " $2 }' "$s" 2>/dev/null
	done
}
# share_on NODE: percent of the target's private anonymous pages on NODE
share_on() {
	awk -v n="N$1=" '
		/ anon=/ && !/ file=/ {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^N[0-9]+=/) {
					split($i, kv, "="); all += kv[2]
					if (index($i, n) == 1) on += kv[2]
				}
		}
		END { printf "%d\n", all ? 100 * on / all : 100 }' /proc/$pid/numa_maps
}
rnd() { echo $((RANDOM % $1)); }

moves=0 moves_ok=0 moves_partial=0 moves_other=0 agree=0 disagree=0
maps=0 policies=0 policy_fail=0 kills=0 bad=
end=$(($(date +%s) + duration))
i=0
while [ "$(date +%s)" -lt "$end" ]; do
	i=$((i + 1))
	what=$(rnd 10)
	kill_it=
	[ "$(rnd 8)" = 0 ] && kill_it=1
	case $what in
	0|1|2|3)
		to=$(rnd 4)
		set -- move "$pid" --to "$to" --jobs $(($(rnd 4) + 1))
		[ "$(rnd 3)" = 0 ] && set -- "$@" --rate $((($(rnd 4) + 1) * 64))M
		[ "$(rnd 3)" = 0 ] && set -- "$@" --with-shared
		;;
	4|5)
		a=$(rnd 4); b=$(((a + 1 + $(rnd 3)) % 4)); c=$(((b + 1 + $(rnd 2)) % 4))
		[ "$c" = "$a" ] && c=$(((c + 1) % 4))
		if [ "$(rnd 2)" = 0 ]; then
			set -- move "$pid" --from "$a,$b" --to "$b,$a"
		else
			set -- move "$pid" --from "$a,$b" --to "$b,$c"
		fi
		to=
		;;
	*)
		case $(rnd 4) in
		0) p=bind:$(rnd 4) ;;
		1) a=$(rnd 3); p=interleave:$a-$((a + 1)) ;;
		2) p=preferred:$(rnd 4) ;;
		*) p=default ;;
		esac
		set -- policy "$pid" --set "$p"
		to=
		;;
	esac
	if [ -n "$kill_it" ]; then
		numamove "$@" > /dev/null 2>&1 &
		nm=$!
		usleep $(($(rnd 300) * 1000))
		kill -KILL "$nm" 2>/dev/null
		wait "$nm"
		rc=killed
		kills=$((kills + 1))
	else
		numamove "$@" > "$T/out" 2> "$T/err"
		rc=$?
	fi
	case $1:$rc in
	move:killed|policy:killed) ;;
	move:0) moves=$((moves + 1)); moves_ok=$((moves_ok + 1)) ;;
	move:3)
		moves=$((moves + 1)); moves_partial=$((moves_partial + 1))
		# why, for the first few: the report's line and its first diagnostic
		[ "$moves_partial" -le 5 ] && echo "# partial: numamove $*: $(grep -m1 'not moved' "$T/out"); $(head -n 1 "$T/err")"
		;;
	move:*) moves=$((moves + 1)); moves_other=$((moves_other + 1)); echo "# move exit $rc: $* : $(head -n 2 "$T/err")" ;;
	policy:0) policies=$((policies + 1)) ;;
	policy:*) policies=$((policies + 1)); policy_fail=$((policy_fail + 1)); echo "# policy exit $rc: $* : $(head -n 2 "$T/err")" ;;
	esac
	[ "$1" = move ] && [ -z "$to" ] && [ "$rc" != killed ] && maps=$((maps + 1))
	if [ "$1" = move ] && [ -n "$to" ] && [ "$rc" = 0 ]; then
		share=$(share_on "$to")
		if [ "$share" -ge 95 ]; then
			agree=$((agree + 1))
		else
			disagree=$((disagree + 1))
			echo "# action $i: numamove $* exited 0, but $share% of the private anonymous pages are on node $to"
		fi
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		bad="the target died after action $i (numamove $*; $rc)"
		break
	fi
	n=0
	while [ -n "$(held)" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	if [ -n "$(held)" ]; then
		bad="after action $i (numamove $*; $rc): $(held | head -n 2)"
		break
	fi
done

echo "# $i actions: $moves moves ($moves_ok exit 0, $moves_partial exit 3, $moves_other other; $maps by an ordered mapping), $policies policy changes ($policy_fail failed), $kills killed"
echo "# after the moves to one node that exited 0, the kernel agreed $agree times, disagreed $disagree times"
if [ -n "$bad" ]; then failc "the target survives, never left traced or stopped ($bad)"; else pass "the target survives $i actions, never left traced or stopped"; fi
if [ "$disagree" = 0 ] && [ "$agree" -gt 0 ]; then pass "what moves said agrees with the kernel ($agree checks)"; else failc "what moves said agrees with the kernel ($disagree of $((agree + disagree)) disagree)"; fi
if [ "$moves_other" = 0 ] && [ "$policy_fail" = 0 ]; then pass "no move or policy change failed"; else failc "no move or policy change failed ($moves_other moves, $policy_fail policy changes)"; fi

echo stop > "$T/pt/cmd"
n=0
while ! grep -q '^done' "$T/pt/result" 2>/dev/null && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
wait "$pid"
prc=$?
line=$(grep '^soak ' "$T/pt/result")
echo "# $line"
set -- $line
if [ "$prc" = 0 ] && [ "$5 $7 $9 ${11}" = "0 0 0 0" ] && [ "$3" -gt 0 ] && [ "${13}" -gt 0 ] && [ "${15}" -gt 0 ]; then
	pass "the target saw nothing: 0 data errors, 0 EINTR, 0 short sleeps, 0 sequence errors; exit 0"
else
	failc "the target saw nothing (exit $prc; $line)"
fi
warn=$(dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|segfault|Call Trace' | head -n 5)
if [ -z "$warn" ]; then pass "no kernel warning"; else failc "no kernel warning ($warn)"; fi
shm_after=$(wc -l < /proc/sysvipc/shm)
files_after=$(ls /dev/shm | wc -l)
if [ "$shm_after" = "$shm_before" ] && [ "$files_after" = "$files_before" ]; then
	pass "no SysV segment or /dev/shm file left"
else
	failc "no SysV segment or /dev/shm file left (segments $shm_before -> $shm_after, files $files_before -> $files_after: $(ls /dev/shm))"
fi
echo "soak: $passed passed, $failed failed, 0 skipped"
[ "$failed" = 0 ]
