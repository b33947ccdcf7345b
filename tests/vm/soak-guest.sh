# SPDX-License-Identifier: GPL-2.0-or-later
# The soak (issue 16, part 3), inside the 4-node VM (scripts/soak.sh boots
# it): busybox sh, run as /vm/script DURATION_SECONDS.
#
# The target is poltarget --soak --keep 64: threads that fill and verify
# fresh buffers, time 2 ms sleeps, read a byte sequence from a pipe, wait
# in epoll_wait, verify 64 MiB of kept memory over and over, fork a child
# every 10 ms (which checks its copy), and fill and verify a SysV segment
# and a tmpfs file; it counts every anomaly itself.
#
# numamoved runs beside it on a private bus: a dbus-daemon of this script's
# own (config below, every uid may connect), NUMAMOVED_BUS=session, its
# state and configuration under /tmp/soak/nmd (job-keep-s 10, so that its
# list of finished jobs stops growing early); no polkitd, so root may do
# everything. The command's client (move --daemon, jobs, cancel, pin,
# unpin) finds it through DBUS_SYSTEM_BUS_ADDRESS.
#
# Until the time is up, random actions, alternating: odd ones through the
# command (numamove moves and changes policies itself), even ones through
# numamoved.
# Through the command:
#   - moves of the whole process to a random node, with random --jobs and
#     --rate, some with --with-shared (its segment and tmpfs file too);
#   - moves by an ordered mapping: a swap of two nodes, or a chain;
#   - policy changes (bind, interleave, preferred, default);
#   - a move or policy change killed with SIGKILL at a random instant.
# Through numamoved (numamove move --daemon: the target goes as a pidfd):
# (kinds in turn: move, pin, file, cancellation, move, mapping, cancellation,
# move, pin; the parameters random):
#   - the same whole-process and mapping moves (some with their client
#     SIGKILLed at a random instant: the job goes on, and its result, read
#     back from numamove jobs, is checked as if the client had seen it);
#   - moves of the target's tmpfs file with --policy (bind, preferred,
#     interleave or default over the node): the daemon sets the file's
#     shared policy, the one policy change it offers;
#   - cancellations: a slow move (--rate 16M, one worker) cancelled after
#     a random delay, by numamove cancel or by a SIGTERM to its client
#     (which cancels it); the job must end cancelled, or done when it was
#     faster, and the client's exit status must say which;
#   - pins (interval 300 ms) to a random node: the kernel must show the
#     target there within 30 s; half the time the command then moves the
#     target elsewhere (its exit status is not judged: it races the pin's
#     own correction jobs), and the pin must bring it back within 30 s;
#     then unpin.
# The kernel's view checks what a move said: after each move to one node
# whose exit status (the command's, or the daemon's job's) is 0, at least
# 95% of the target's private anonymous pages are on that node
# (/proc/PID/numa_maps; the rest: what its threads allocated meanwhile);
# after each file move that exited 0, 95% of the file's mapped pages.
# After every action: numamoved idle (no job queued, held or running), the
# target alive, no thread of it traced or stopped.
# Memory: numamoved's RSS (VmRSS) and numamove's (the peak RSS of three
# probe moves, busybox time -v; the smallest of the three) once after the
# first minute and again at the end, both with numamoved idle; neither may
# have grown by more than 10%.
# At the end: numamoved still the same process and idle, and it stops
# with SIGTERM and exit status 0; the target's counters all 0 and its exit
# status 0, no kernel warning in dmesg, no SysV segment and no /dev/shm
# file left; a summary line per kind of action. Output: PASS/FAIL lines and
# "soak: N passed, N failed, N skipped".
duration=${1:-300}
T=/tmp/soak
. /vm/lib.sh   # held_threads, soak_val (tests/vm/lib.sh, which vm.sh puts there)
D=$T/nmd
mkdir -p "$T/pt" "$D/state"
passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
failc() { echo "FAIL: $*"; failed=$((failed + 1)); }
start_s=$(date +%s)

shm_before=$(wc -l < /proc/sysvipc/shm)
files_before=$(ls /dev/shm | wc -l)
dmesg -c > /dev/null

# --- numamoved on a private bus
nmd= why=
nmd_up() {
	command -v dbus-daemon > /dev/null || { why="no dbus-daemon in the VM (the host lacks it: apt-get install dbus-daemon)"; return 1; }
	[ -x "$VM_BUILDDIR/daemon/numamoved" ] || { why="no $VM_BUILDDIR/daemon/numamoved (not built)"; return 1; }
	[ -s /etc/machine-id ] || tr -d '-' < /proc/sys/kernel/random/uuid > /etc/machine-id
	cat > "$D/bus.conf" <<-CONF
	<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
	 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
	<busconfig>
	  <type>session</type>
	  <listen>unix:path=$D/bus</listen>
	  <auth>EXTERNAL</auth>
	  <policy context="default">
	    <allow user="*"/>
	    <allow send_destination="*" eavesdrop="true"/>
	    <allow eavesdrop="true"/>
	    <allow own="*"/>
	  </policy>
	</busconfig>
	CONF
	printf 'job-keep-s = 10\n' > "$D/numamoved.conf"
	dbus-daemon --config-file="$D/bus.conf" --fork --print-pid > "$D/bus.pid" 2> "$D/bus.log" ||
		{ why="dbus-daemon did not start: $(cat "$D/bus.log")"; return 1; }
	export DBUS_SESSION_BUS_ADDRESS="unix:path=$D/bus" DBUS_SYSTEM_BUS_ADDRESS="unix:path=$D/bus"
	NUMAMOVED_BUS=session "$VM_BUILDDIR/daemon/numamoved" -c "$D/numamoved.conf" -s "$D/state" > "$D/log" 2>&1 &
	nmd=$!
	n=0
	until numamove jobs > /dev/null 2>&1; do
		n=$((n + 1))
		[ $n -lt 300 ] && kill -0 "$nmd" 2>/dev/null || { why="numamoved did not answer: $(tail -n 3 "$D/log")"; return 1; }
		sleep 0.1
	done
}
if ! nmd_up; then
	failc "numamoved runs on a private bus ($why)"
	echo "soak: $passed passed, $failed failed, 0 skipped"
	exit 1
fi
echo "# numamoved: pid $nmd on a private bus ($D/bus)"

poltarget --ctl "$T/pt" --soak --keep 64 > "$T/pt/log" 2>&1 &
pid=$!
n=0
while [ ! -e "$T/pt/ready" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
[ -e "$T/pt/ready" ] || { failc "poltarget did not start: $(cat "$T/pt/log")"; exit 1; }
file=/dev/shm/poltarget-soak.$pid
n=0
while [ ! -e "$file" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
echo "# target: poltarget --soak --keep 64, pid $pid, $(ls /proc/$pid/task | wc -l) threads, its tmpfs file $file; $duration s"

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
# file_share NODE: percent of the mapped pages of the target's tmpfs file on NODE
file_share() {
	awk -v n="N$1=" -v f="file=$file" '
		index($0, f) {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^N[0-9]+=/) {
					split($i, kv, "="); all += kv[2]
					if (index($i, n) == 1) on += kv[2]
				}
		}
		END { printf "%d\n", all ? 100 * on / all : 0 }' /proc/$pid/numa_maps
}
rnd() { echo $((RANDOM % $1)); }
# busy_jobs: numamoved's jobs that are queued, held or running ("ID STATE" lines)
busy_jobs() { numamove jobs -n -r -o ID,STATE 2>/dev/null | awk '$2 == "queued" || $2 == "held" || $2 == "running"'; }
# wait_idle: until numamoved has no job queued, held or running (120 s at most); 1 if it still has
wait_idle() {
	local n=0
	while [ -n "$(busy_jobs)" ]; do
		n=$((n + 1))
		[ $n -ge 600 ] && return 1
		sleep 0.2
	done
	return 0
}
# last_job: the highest job id numamoved lists
last_job() { numamove jobs -n -r -o ID 2>/dev/null | sort -n | tail -n 1; }
# job_field ID COLUMN: one column of one job (STATE, EXIT, OUTCOME)
job_field() { numamove jobs -n -r -o "$2" "$1" 2>/dev/null; }
# wait_share NODE SECONDS: until share_on NODE is 95 or more; 1 if it never is
wait_share() {
	local n=0
	while [ "$(share_on "$1")" -lt 95 ]; do
		n=$((n + 1))
		[ $n -ge $(($2 * 5)) ] && return 1
		sleep 0.2
	done
	return 0
}
# rss_nmd: numamoved's VmRSS in kB
rss_nmd() { awk '/^VmRSS:/ { print $2 }' /proc/$nmd/status 2>/dev/null; }
# rss_cmd: rss_cmd_kb, the peak RSS in kB of numamove moving the target, the smallest of three
# probe moves (each one a move of the command like any other: counted, and checked against the kernel)
rss_cmd() {
	local k min= to
	for k in 1 2 3; do
		to=$(rnd 4)
		time -v -o "$T/time" numamove move "$pid" --to "$to" --jobs 2 > /dev/null 2> "$T/err"
		probe_rc=$?
		moves=$((moves + 1)) probes=$((probes + 1))
		case $probe_rc in
		0) moves_ok=$((moves_ok + 1)); check_share "$to" "probe: numamove move $pid --to $to --jobs 2" ;;
		3) moves_partial=$((moves_partial + 1)) ;;
		*) moves_other=$((moves_other + 1)); echo "# probe move exit $probe_rc: $(head -n 2 "$T/err")" ;;
		esac
		k=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$T/time")
		[ -n "$k" ] && { [ -z "$min" ] || [ "$k" -lt "$min" ]; } && min=$k
	done
	rss_cmd_kb=${min:-0}
}
# check_share NODE WHAT [d]: the kernel's view after a move to NODE that exited 0 (d: a daemon job's)
check_share() {
	local share
	share=$(share_on "$1")
	if [ "$share" -ge 95 ]; then
		if [ "${3:-}" = d ]; then d_agree=$((d_agree + 1)); else agree=$((agree + 1)); fi
	else
		if [ "${3:-}" = d ]; then d_disagree=$((d_disagree + 1)); else disagree=$((disagree + 1)); fi
		echo "# $2 exited 0, but $share% of the private anonymous pages are on node $1"
	fi
}

# the command's counters
moves=0 moves_ok=0 moves_partial=0 moves_other=0 agree=0 disagree=0 probes=0
maps=0 policies=0 policy_fail=0 kills=0
# numamoved's
d_moves=0 d_ok=0 d_partial=0 d_other=0 d_maps=0 d_agree=0 d_disagree=0 d_kills=0
d_files=0 d_files_ok=0 d_files_other=0 d_files_agree=0 d_files_disagree=0
d_cancels=0 d_cancelled=0 d_finished=0 d_cancel_bad=0 d_by_cancel=0 d_by_term=0
d_pins=0 d_pins_held=0 d_pins_disturbed=0 d_pins_back=0 d_pins_bad=0 d_stuck=0
bad= rss1_nmd= rss1_cmd= t_rss1=
end=$((start_s + duration))
i=0

# One action of the command (the soak's first version, unchanged).
command_action() {
	local what kill_it nm
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
	act="numamove $*"
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
	[ "$1" = move ] && [ -n "$to" ] && [ "$rc" = 0 ] && check_share "$to" "action $i: numamove $*"
}

# A move through numamoved: numamove move --daemon ARGS (with $to set for a move to one node).
daemon_move() {
	local kill_it= nm id prev
	[ "$(rnd 8)" = 0 ] && kill_it=1
	act="numamove move --daemon $*"
	if [ -n "$kill_it" ]; then
		prev=$(last_job)
		# the client dies; the job goes on, and its result is read back from numamoved
		numamove move --daemon "$@" > /dev/null 2>&1 &
		nm=$!
		usleep $(($(rnd 300) * 1000))
		kill -KILL "$nm" 2>/dev/null
		wait "$nm"
		d_kills=$((d_kills + 1))
		wait_idle
		id=$(last_job)
		if [ -n "$id" ] && [ "$id" -gt "${prev:-0}" ]; then
			rc=$(job_field "$id" EXIT)
			act="$act (client killed; job $id $(job_field "$id" STATE))"
		else
			rc=none
		fi
	else
		numamove move --daemon "$@" > "$T/out" 2> "$T/err"
		rc=$?
	fi
	d_moves=$((d_moves + 1))
	[ -z "$to" ] && d_maps=$((d_maps + 1))
	case $rc in
	0) d_ok=$((d_ok + 1)); [ -n "$to" ] && check_share "$to" "action $i: $act" d ;;
	3)
		d_partial=$((d_partial + 1))
		[ "$d_partial" -le 5 ] && echo "# partial: $act: $(grep -m1 'not moved' "$T/out" 2>/dev/null); $(head -n 1 "$T/err")"
		;;
	none)
		# the client was killed before numamoved took the request: no job
		d_moves=$((d_moves - 1)) ;;
	*) d_other=$((d_other + 1)); echo "# daemon move exit $rc: $act : $(head -n 2 "$T/err")" ;;
	esac
}

# One action through numamoved. Its kind comes in turn from a cycle of 9 (its parameters are
# random): every kind runs within the first 18 actions, even in a short soak.
daemon_action() {
	local what a b c p pol pin_id id crc st n prev
	what=$(((i / 2 - 1) % 9))
	case $what in
	0|4|7)
		to=$(rnd 4)
		set -- "$pid" --to "$to" --jobs $(($(rnd 4) + 1))
		[ "$(rnd 3)" = 0 ] && set -- "$@" --rate $((($(rnd 4) + 1) * 64))M
		[ "$(rnd 3)" = 0 ] && set -- "$@" --with-shared
		daemon_move "$@"
		;;
	5)
		a=$(rnd 4); b=$(((a + 1 + $(rnd 3)) % 4)); c=$(((b + 1 + $(rnd 2)) % 4))
		[ "$c" = "$a" ] && c=$(((c + 1) % 4))
		to=
		if [ "$(rnd 2)" = 0 ]; then
			daemon_move "$pid" --from "$a,$b" --to "$b,$a"
		else
			daemon_move "$pid" --from "$a,$b" --to "$b,$c"
		fi
		;;
	2)
		# the tmpfs file's shared policy, set by numamoved as it moves the file
		to=$(rnd 4)
		case $(rnd 4) in 0) pol=bind ;; 1) pol=preferred ;; 2) pol=interleave ;; *) pol=default ;; esac
		act="numamove move --daemon $file --to $to --policy $pol"
		numamove move --daemon "$file" --to "$to" --policy "$pol" > "$T/out" 2> "$T/err"
		rc=$?
		d_files=$((d_files + 1))
		if [ "$rc" = 0 ]; then
			d_files_ok=$((d_files_ok + 1))
			p=$(file_share "$to")
			if [ "$p" -ge 95 ]; then
				d_files_agree=$((d_files_agree + 1))
			else
				d_files_disagree=$((d_files_disagree + 1))
				echo "# action $i: $act exited 0, but $p% of the file's mapped pages are on node $to: $(grep -F "file=$file" /proc/$pid/numa_maps | head -n 1)"
			fi
		else
			d_files_other=$((d_files_other + 1))
			echo "# file move exit $rc: $act : $(head -n 2 "$T/err")"
		fi
		;;
	3|6)
		# a slow move, cancelled: by numamove cancel, or by its client on SIGTERM
		to=$(rnd 4)
		act="numamove move --daemon $pid --to $to --jobs 1 --rate 16M, cancelled"
		prev=$(last_job)
		numamove move --daemon "$pid" --to "$to" --jobs 1 --rate 16M > "$T/out" 2> "$T/err" &
		nm=$!
		n=0 id=
		while [ -z "$id" ] && [ $n -lt 100 ] && kill -0 "$nm" 2>/dev/null; do
			id=$(busy_jobs | awk '{ print $1 }' | sort -n | tail -n 1)
			[ -n "$id" ] || sleep 0.1
			n=$((n + 1))
		done
		usleep $(($(rnd 1000) * 1000))
		d_cancels=$((d_cancels + 1))
		if [ "$(rnd 2)" = 0 ] && [ -n "$id" ]; then
			d_by_cancel=$((d_by_cancel + 1))
			act="$act by numamove cancel $id"
			numamove cancel "$id" 2> "$T/cerr"
			crc=$?
		else
			d_by_term=$((d_by_term + 1))
			act="$act by SIGTERM to its client (job ${id:-?})"
			kill -TERM "$nm" 2>/dev/null
			crc=0
		fi
		wait "$nm"
		rc=$?
		if [ -z "$id" ]; then
			id=$(last_job)
			[ -n "$id" ] && [ "$id" -gt "${prev:-0}" ] || id=
		fi
		st=none
		[ -n "$id" ] && st=$(job_field "$id" STATE)
		case $st:$rc in
		none:0) d_cancel_bad=$((d_cancel_bad + 1)); echo "# action $i: $act: no job, but the client exited 0" ;;
		none:*) d_cancelled=$((d_cancelled + 1)) ;; # SIGTERM before the request went
		cancelled:1) d_cancelled=$((d_cancelled + 1)) ;;
		done:0) d_finished=$((d_finished + 1)); check_share "$to" "action $i: $act (done first)" d ;;
		done:3) d_finished=$((d_finished + 1)) ;;
		*) d_cancel_bad=$((d_cancel_bad + 1)); echo "# action $i: $act: job $id $st, client exit $rc (cancel exit $crc: $(cat "$T/cerr" 2>/dev/null)); $(head -n 2 "$T/err")" ;;
		esac
		rm -f "$T/cerr"
		;;
	*) # 1, 8
		# a pin: the target must go to its node and, moved away, come back
		to=$(rnd 4)
		act="numamove pin --interval 300 --to $to $pid"
		d_pins=$((d_pins + 1))
		out=$(numamove pin --interval 300 --to "$to" "$pid" 2> "$T/err")
		rc=$?
		pin_id=$(echo "$out" | sed -n 's/^pin \([0-9]*\):.*/\1/p')
		if [ "$rc" != 0 ] || [ -z "$pin_id" ]; then
			d_pins_bad=$((d_pins_bad + 1))
			echo "# action $i: $act: exit $rc, '$out': $(head -n 2 "$T/err")"
			return
		fi
		if wait_share "$to" 30; then
			d_pins_held=$((d_pins_held + 1))
			if [ "$(rnd 2)" = 0 ]; then
				a=$(((to + 1 + $(rnd 3)) % 4))
				numamove move "$pid" --to "$a" > /dev/null 2>&1
				d_pins_disturbed=$((d_pins_disturbed + 1))
				if wait_share "$to" 30; then
					d_pins_back=$((d_pins_back + 1))
				else
					d_pins_bad=$((d_pins_bad + 1))
					echo "# action $i: $act: moved to node $a, not back on node $to after 30 s ($(share_on "$to")%; pin: $(numamove pins -n -r 2>&1))"
				fi
			fi
		else
			d_pins_bad=$((d_pins_bad + 1))
			echo "# action $i: $act: not on node $to after 30 s ($(share_on "$to")%; pin: $(numamove pins -n -r 2>&1))"
		fi
		numamove unpin "$pin_id" 2> "$T/err" ||
			{ d_pins_bad=$((d_pins_bad + 1)); echo "# action $i: numamove unpin $pin_id: $(head -n 2 "$T/err")"; }
		[ -z "$(numamove pins -n 2>/dev/null)" ] ||
			{ d_pins_bad=$((d_pins_bad + 1)); echo "# action $i: pins left after unpin: $(numamove pins -n -r 2>&1)"; }
		;;
	esac
}

while [ "$(date +%s)" -lt "$end" ]; do
	i=$((i + 1))
	if [ $((i % 2)) = 1 ]; then command_action; else daemon_action; fi
	if ! wait_idle; then
		d_stuck=$((d_stuck + 1))
		bad="numamoved still busy 120 s after action $i ($act; $rc): $(busy_jobs | head -n 3)"
		break
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		bad="the target died after action $i ($act; $rc)"
		break
	fi
	n=0
	while [ -n "$(held_threads "$pid")" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	if [ -n "$(held_threads "$pid")" ]; then
		bad="after action $i ($act; $rc): $(held | head -n 2)"
		break
	fi
	if [ -z "$rss1_nmd" ] && [ $(($(date +%s) - start_s)) -ge 60 ]; then
		rss1_nmd=$(rss_nmd)
		rss_cmd
		rss1_cmd=$rss_cmd_kb
		t_rss1=$(($(date +%s) - start_s))
		echo "# after the first minute ($t_rss1 s, $i actions): numamoved's RSS ${rss1_nmd} kB, numamove's peak RSS ${rss1_cmd} kB"
	fi
done
wait_idle
if [ -n "$rss1_nmd" ] && [ -z "$bad" ]; then
	rss2_nmd=$(rss_nmd)
	rss_cmd
	rss2_cmd=$rss_cmd_kb
	echo "# at the end ($(($(date +%s) - start_s)) s, $i actions): numamoved's RSS ${rss2_nmd} kB, numamove's peak RSS ${rss2_cmd} kB"
fi

echo "# $i actions, about half through each route"
echo "# command: $moves moves ($moves_ok exit 0, $moves_partial exit 3, $moves_other other; $maps by an ordered mapping; $probes probes for its RSS), $policies policy changes ($policy_fail failed), $kills killed"
echo "# command: after the moves to one node that exited 0, the kernel agreed $agree times, disagreed $disagree times"
echo "# numamoved: $d_moves moves of the process ($d_ok exit 0, $d_partial exit 3, $d_other other; $d_maps by an ordered mapping; $d_kills with the client killed); after those to one node that exited 0, the kernel agreed $d_agree times, disagreed $d_disagree times"
echo "# numamoved: $d_files moves of the tmpfs file with --policy ($d_files_ok exit 0, $d_files_other other); the kernel agreed $d_files_agree times, disagreed $d_files_disagree times"
echo "# numamoved: $d_cancels cancellations ($d_by_cancel by numamove cancel, $d_by_term by SIGTERM to the client): $d_cancelled cancelled, $d_finished done first, $d_cancel_bad wrong"
echo "# numamoved: $d_pins pins ($d_pins_held reached their node, $d_pins_disturbed moved away by the command, $d_pins_back of them brought back; $d_pins_bad wrong)"
if [ -n "$bad" ]; then failc "the target survives, never left traced or stopped ($bad)"; else pass "the target survives $i actions, never left traced or stopped"; fi
if [ "$disagree" = 0 ] && [ "$agree" -gt 0 ]; then pass "what the command's moves said agrees with the kernel ($agree checks)"; else failc "what the command's moves said agrees with the kernel ($disagree of $((agree + disagree)) disagree)"; fi
if [ "$moves_other" = 0 ] && [ "$policy_fail" = 0 ]; then pass "no move or policy change of the command failed"; else failc "no move or policy change of the command failed ($moves_other moves, $policy_fail policy changes)"; fi
if [ "$d_disagree" = 0 ] && [ "$d_agree" -gt 0 ] && [ "$d_files_disagree" = 0 ] && [ "$d_files_agree" -gt 0 ]; then
	pass "what numamoved's jobs said agrees with the kernel ($d_agree process moves, $d_files_agree file moves)"
else
	failc "what numamoved's jobs said agrees with the kernel (process moves: $d_disagree of $((d_agree + d_disagree)) disagree; file moves: $d_files_disagree of $((d_files_agree + d_files_disagree)))"
fi
if [ "$d_other" = 0 ] && [ "$d_files_other" = 0 ]; then pass "no job of numamoved failed"; else failc "no job of numamoved failed ($d_other process moves, $d_files_other file moves)"; fi
if [ "$d_cancel_bad" = 0 ] && [ "$d_cancels" -gt 0 ]; then
	pass "every cancelled job ended cancelled (or done first), its client saying so ($d_cancels)"
else
	failc "every cancelled job ended cancelled (or done first), its client saying so ($d_cancel_bad of $d_cancels did not)"
fi
if [ "$d_pins_bad" = 0 ] && [ "$d_pins_held" -gt 0 ]; then
	pass "every pin brought the target to its node, and back ($d_pins pins, $d_pins_back brought back)"
else
	failc "every pin brought the target to its node, and back ($d_pins_bad wrong of $d_pins)"
fi

# numamoved: still the same process, then stopped by SIGTERM
if kill -0 "$nmd" 2>/dev/null && [ "$(pidof numamoved)" = "$nmd" ] && [ -z "$(busy_jobs)" ]; then
	kill -TERM "$nmd"
	wait "$nmd"
	nrc=$?
	if [ "$nrc" = 0 ]; then pass "numamoved ran all along, idle at the end, and stopped with exit 0"
	else failc "numamoved ran all along, idle at the end, and stopped with exit 0 (exit $nrc: $(tail -n 3 "$D/log"))"; fi
else
	failc "numamoved ran all along, idle at the end, and stopped with exit 0 (pid $nmd: $(pidof numamoved); busy: $(busy_jobs | head -n 2); $(tail -n 3 "$D/log"))"
fi
echo "# numamoved's log: $(wc -l < "$D/log") lines, $(grep -c '^<[0-3]>' "$D/log") errors$(grep -m 3 '^<[0-3]>' "$D/log" | sed 's/^/; /' | tr '\n' ' ')"
kill "$(cat "$D/bus.pid")" 2>/dev/null

# memory: at most 10% more at the end than after the first minute
flat() { # flat WHAT FIRST LAST
	if [ -z "$2" ] || [ -z "$3" ] || [ "$2" = 0 ] || [ "$3" = 0 ]; then
		failc "$1's memory stays flat (not measured: first ${2:-none}, last ${3:-none}${bad:+; the soak stopped early})"
	elif [ $(($3 * 100)) -le $(($2 * 110)) ]; then
		pass "$1's memory stays flat (${2} kB after the first minute, ${3} kB at the end: $((($3 - $2) * 100 / $2))%, at most +10%)"
	else
		failc "$1's memory stays flat (${2} kB after the first minute, ${3} kB at the end: +$((($3 - $2) * 100 / $2))%, over 10%)"
	fi
}
flat numamoved "$rss1_nmd" "${rss2_nmd:-}"
flat numamove "$rss1_cmd" "${rss2_cmd:-}"

echo stop > "$T/pt/cmd"
n=0
while ! grep -q '^done' "$T/pt/result" 2>/dev/null && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
wait "$pid"
prc=$?
line=$(grep '^soak ' "$T/pt/result")
echo "# $line"
if [ "$prc" = 0 ] &&
   [ "$(soak_val errors "$line") $(soak_val eintr "$line") $(soak_val short_sleeps "$line") $(soak_val seq_errors "$line")" = "0 0 0 0" ] &&
   [ "$(soak_val rounds "$line")" -gt 0 ] && [ "$(soak_val keeps "$line")" -gt 0 ] && [ "$(soak_val forks "$line")" -gt 0 ]; then
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
