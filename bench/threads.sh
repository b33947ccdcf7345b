#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# threads.sh: what changing the policies of a process with many threads
# costs, and what its threads see meanwhile (issue 11, "Many threads").
#
# usage: bench/threads.sh BUILDDIR [NAME=VALUE...]
#
# Builds nothing: BUILDDIR must hold numamove and tests/vm/manythreads. For
# each topology of TOPOLOGIES, boots the emulated machine (tests/vm/vm.sh;
# one VM at a time: wrap it in flock on a shared host) and runs this same
# script in it (INSIDE=1), which, for each contender:
#   policy  starts manythreads (THREADS threads, a third each blocked in
#           nanosleep, timed futex waits and pipe reads, MEM MiB) under
#           numactl --membind=0; measures the longest round any of its
#           threads sees in IDLE_S seconds of nothing (idle), then times
#           `numamove policy PID --set bind:SET` and the longest round
#           during it; stops the target, which checks in every thread its
#           policy and that no call failed
#   move    a fresh target the same way, `numamove move PID --to TO`
#           (every thread's policy rebound bind:0 -> bind:TO, the pages
#           moved), the longest round during it, the same checks and every
#           page on TO
#   pages   a fresh target, `migratepages PID 0 TO`: the pages alone, for
#           comparison
# A round is one loop of a sleeper or futex waiter (a PERIOD_MS call and
# its bookkeeping): PERIOD_MS when nothing disturbs the thread, more when it
# was held or waited for a CPU. The report goes to BUILDDIR/bench/threads.txt
# and stdout: one line per topology and contender.
#
# Settings (default):
#   TOPOLOGIES   ("4node memless")
#   THREADS MEM  (600, 256)
#   SET TO       the nodes (3, and 4 where node 4 exists, else 2)
#   IDLE_S       (10)    PERIOD_MS (100)
#   BASE         another numamove to measure alongside (e.g. a 0.3 build's
#                BUILD/cli/numamove; its libnumamove is taken from
#                BUILD/lib, copied into the VM with it): contender "base";
#                the one of BUILDDIR is "new"
# Exit status: 0 when every VM reported (slow results never fail it).

for a in "$@"; do
	case $a in [A-Z]*=*) eval "${a%%=*}=\${a#*=}" ;; esac
done
THREADS=${THREADS:-600}
MEM=${MEM:-256}
SET=${SET:-3}
IDLE_S=${IDLE_S:-10}
PERIOD_MS=${PERIOD_MS:-100}

if [ "${INSIDE:-0}" != 1 ]; then
	# ---- on the host: one VM per topology
	[ $# -ge 1 ] && [ -d "$1" ] || { echo "usage: bench/threads.sh BUILDDIR [NAME=VALUE...]" >&2; exit 2; }
	here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
	builddir=$(readlink -f "$1")
	shift
	for f in cli/numamove tests/vm/manythreads; do
		[ -x "$builddir/$f" ] || { echo "threads.sh: $builddir/$f not built" >&2; exit 2; }
	done
	args="IDLE_S=$IDLE_S PERIOD_MS=$PERIOD_MS THREADS=$THREADS MEM=$MEM SET=$SET${TO:+ TO=$TO}"
	rm -f "$builddir/bench/numamove-base" "$builddir/bench/libnumamove-base.so.0"
	if [ -n "${BASE:-}" ]; then
		# Copies, not links: the VM gets BUILDDIR/bench's executables (vm.sh), and
		# the base's RUNPATH ($ORIGIN/../lib) would find BUILDDIR's library there.
		base=$(readlink -f "$BASE") && [ -x "$base" ] &&
			baselib=$(readlink -f "$(dirname "$(dirname "$base")")/lib/libnumamove.so.0") && [ -f "$baselib" ] ||
			{ echo "threads.sh: BASE=$BASE: no such program, or no lib/libnumamove.so.0 beside it" >&2; exit 2; }
		mkdir -p "$builddir/bench"
		cp "$base" "$builddir/bench/numamove-base"
		cp "$baselib" "$builddir/bench/libnumamove-base.so.0"
		chmod 755 "$builddir/bench/libnumamove-base.so.0"
	fi
	out=$builddir/bench/threads.txt
	mkdir -p "$builddir/bench"
	: > "$out.new"
	rc=0
	for topo in ${TOPOLOGIES:-4node memless}; do
		log=$(mktemp)
		# shellcheck disable=SC2086
		VM_TOPOLOGY=$topo VM_TIMEOUT=${VM_TIMEOUT:-1800} "$here/../tests/vm/vm.sh" "$builddir" "$here/threads.sh" \
			INSIDE=1 TOPOLOGY="$topo" $args > "$log" 2>&1
		grep -E '^  [#|]|^@@vm up|^@@threads ' "$log" | grep -v '^@@threads '
		if grep -q '^@@threads ' "$log"; then
			grep '^@@threads ' "$log" | sed 's/^@@threads //' >> "$out.new"
		else
			echo "threads.sh: no figures from the $topo VM" >&2
			tail -n 20 "$log" >&2
			rc=1
		fi
		rm -f "$log"
	done
	rm -f "$builddir/bench/numamove-base" "$builddir/bench/libnumamove-base.so.0"
	{
		echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
		printf '%-8s %-8s %9s %9s %9s %9s %9s %9s %s\n' topology numamove idle_rnd policy_s pol_rnd \
			move_s move_rnd pages_s checks
		cat "$out.new"
	} > "$out"
	rm -f "$out.new"
	cat "$out"
	echo "threads.sh: the report: $out (times in s, rounds: the longest any thread saw, in s)"
	exit $rc
fi

# ---- in the VM
[ -d /sys/devices/system/node/node4 ] && TO=${TO:-4}
TO=${TO:-2}
W=/tmp/threads-bench
mkdir -p "$W"
note() { echo "  # $*"; }
now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }

# mt_start NAME: a fresh target under numactl --membind=0, ready
mt_start() {
	d=$W/$1
	rm -rf "$d"
	mkdir -p "$d"
	numactl --membind=0 manythreads --ctl "$d" --threads "$THREADS" --mem "$MEM" --period "$PERIOD_MS" \
		> "$d/log" 2>&1 &
	echo $! > "$d/pid"
	i=0
	while [ ! -e "$d/ready" ] && [ $i -lt 3000 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$d/ready" ] || { note "manythreads $1 not ready: $(cat "$d/log")"; return 1; }
}
mt_pid() { cat "$W/$1/pid"; }
# mt_ask NAME CMD WHAT: send CMD, print the last answer line starting with WHAT
mt_ask() {
	n=$(grep -c "^$3 " "$W/$1/result" 2>/dev/null)
	echo "$2" > "$W/$1/cmd"
	i=0
	while [ "$(grep -c "^$3 " "$W/$1/result" 2>/dev/null)" -le "${n:-0}" ] && [ $i -lt 6000 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep "^$3 " "$W/$1/result" | tail -n1
}
# the longest round since the last one, in s
mt_round() { mt_ask "$1" round round | awk '{printf "%.2f", $3 / 1e6}'; }
# mt_stop NAME NODE: stop; "ok" when every thread has bind:NODE, no anomaly, the data intact
mt_stop() {
	mt_ask "$1" stop done > /dev/null
	r=$W/$1/result
	if [ "$(grep -c '^thread ' "$r")" = "$THREADS" ] &&
	   [ -z "$(awk -v p="bind:$2" '$1 == "thread" && ($4 != "ok" || $6 != p)' "$r")" ] &&
	   grep -q '^data ok' "$r" && grep -q '^done .* anomalies 0$' "$r"; then
		echo ok
	else
		grep -vE '^(thread|round) ' "$r" | sed 's/^/  | /'
		awk -v p="bind:$2" '$1 == "thread" && ($4 != "ok" || $6 != p)' "$r" | head -n 3 | sed 's/^/  | /'
		echo BAD
	fi
}

note "threads.sh: topology $TOPOLOGY, $THREADS threads, $MEM MiB, set bind:$SET, move --to $TO, period ${PERIOD_MS} ms"
contenders=new
[ -x "$VM_BUILDDIR/bench/numamove-base" ] && contenders="base new"
for c in $contenders; do
	if [ "$c" = base ]; then
		# its own library, found before the RUNPATH that names BUILDDIR's
		mkdir -p "$W/baselib"
		cp "$VM_BUILDDIR/bench/libnumamove-base.so.0" "$W/baselib/libnumamove.so.0"
		nmv() { LD_LIBRARY_PATH=$W/baselib numamove-base "$@"; }
	else
		nmv() { numamove "$@"; }
	fi
	mt_start a || exit 1
	mt_round a > /dev/null
	sleep "$IDLE_S"
	idle=$(mt_round a)
	t0=$(now)
	nmv policy "$(mt_pid a)" --set "bind:$SET" > "$W/out" 2> "$W/err" || note "$c policy: exit $? $(head -n 2 "$W/err")"
	pol_s=$(since "$t0")
	pol_rnd=$(mt_round a)
	check_a=$(mt_stop a "$SET")
	note "$c: policy --set bind:$SET ${pol_s} s, longest round ${pol_rnd} s (idle ${idle} s), $check_a"

	mt_start b || exit 1
	mt_round b > /dev/null
	t0=$(now)
	nmv move "$(mt_pid b)" --to "$TO" > "$W/out" 2> "$W/err" || note "$c move: exit $? $(head -n 2 "$W/err")"
	move_s=$(since "$t0")
	move_rnd=$(mt_round b)
	where=$(mt_ask b where where)
	check_b=$(mt_stop b "$TO")
	case $where in "where pages "*" nodes $TO missing 0") ;; *) check_b="BAD($where)" ;; esac
	note "$c: move --to $TO ${move_s} s, longest round ${move_rnd} s, $check_b"

	mt_start c || exit 1
	t0=$(now)
	migratepages "$(mt_pid c)" 0 "$TO"
	pages_s=$(since "$t0")
	mt_ask c stop done > /dev/null
	note "$c: migratepages 0 -> $TO ${pages_s} s"
	printf '@@threads %-8s %-8s %9s %9s %9s %9s %9s %9s %s\n' "$TOPOLOGY" "$c" "$idle" "$pol_s" "$pol_rnd" \
		"$move_s" "$move_rnd" "$pages_s" "policy:$check_a,move:$check_b"
done
exit 0
