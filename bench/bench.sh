#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench.sh: numamove against numactl's migratepages, on this machine, as root.
#
# usage: bench.sh [NAME=VALUE...]
#
# Run inside the emulated machine by bench/run.sh, or directly on a real
# multi-node machine (bench/run.sh --host). Plain POSIX sh: busybox sh in the
# VM, dash or bash elsewhere. Settings come from the environment or from
# NAME=VALUE arguments (vm.sh passes arguments, not the environment).
#
# For each workload (tests/vm/workload, which measures its own placement with
# move_pages(2)): start it on node SRC, warm up (move it to DST with
# migratepages and back with numamove, untimed), then REPS times, each
# contender in turn (the order rotates from one repetition to the next):
# move SRC -> DST timed from outside (bench-run: wall time, the mover's
# peak RSS), check in the workload's report that every page is on DST with
# its data and its THPs, and move it back with migratepages, untimed.
# Meanwhile the workload's probe thread (--probe) reads random pages of its
# region 0 and keeps the longest read: the stall the process sees. Medians of
# the REPS moves are reported; stalls and peak RSS are the largest seen.
# STALL_REPS adds a stall pass: the workload again, its probe reading in a
# tight loop (the process busy on a CPU), STALL_REPS moves per contender; the
# JSON has its numbers apart.
#
#   workloads    4k     --region SRC:SIZE_4K (4 KiB pages: workload asks for
#                       MADV_NOHUGEPAGE)
#                thp    --region SRC:SIZE_THP --thp
#                mixed  --region SRC:SIZE_MIXED --small-mappings SMALL_MAPPINGS
#                       --file-region FILE_SIZE (a file in FILE_DIR)
#   contenders   migratepages  migratepages PID SRC DST
#                kernel        numamove move PID --from SRC --to DST --engine=kernel -J -b
#                jobs1         numamove move ... --jobs 1 -J -b
#                jobs2         numamove move ... --jobs 2 -J -b
#                stall20       numamove move ... --jobs 2 --max-stall 20 -J -b
#                default       numamove move ... -J -b (no new option: the
#                              default job count, numamove_default_jobs())
#                plain         the same as default (its old name)
#                base-default, base-jobs1, base-jobs2  the same moves by BASE
#   copy ceiling bench-copy SRC DST COPY_SIZE COPY_REPS (memcpy, one thread)
#   peak RSS     a workload of SIZE_RSS in 4 KiB pages moved once by each of
#                RSS_CONTENDERS
#
# Settings (default):
#   SRC, DST         the nodes (0, 2)
#   REPS             timed moves per contender and workload (5)
#   STALL_REPS       moves per contender in the stall pass (0: none)
#   WORKLOADS        ("4k thp mixed")
#   CONTENDERS       ("migratepages kernel default jobs1 jobs2 stall20")
#   SIZE_4K SIZE_THP SIZE_MIXED SMALL_MAPPINGS FILE_SIZE (1G 1G 512M 1000 256M)
#   SIZE_RSS         (3G; 0 skips the peak RSS run)
#   RSS_CONTENDERS   ("jobs1 jobs2")
#   COPY_SIZE COPY_REPS  (256M 5)
#   PROBE_INTERVAL_US  the probe's pause after every 16 reads during the
#                    timed repetitions (1000: it takes little CPU from the
#                    movers; as root its thread is SCHED_FIFO, so time it
#                    waits for a CPU is no stall). 0: a tight loop
#   NUMAMOVE_FLAGS   more options for every numamove contender (none)
#   BASE             another numamove (another build's cli/numamove) for the
#                    base-* contenders, added to the default CONTENDERS: its
#                    moves against this one's in the same boot, rotated with
#                    them (bench/run.sh BASE=... copies it into the VM)
#   BASE_LIB         the libnumamove.so.0 BASE runs with (none: its own)
#   TOPOLOGY         a name for the machine, printed in the report (bench/run.sh
#                    sets it: 4node or memless; default: host)
#   WORK             scratch directory (/tmp/numamove-bench)
#   FILE_DIR         where the mixed workload's file goes (WORK)
#   OUT              the report (WORK/report.txt): the table, a line
#                    "--- json ---", the same data as JSON
#   BUILDDIR         a build directory: its cli, tests/vm and bench go first
#                    on PATH (else numamove, workload, bench-run, bench-copy
#                    are looked up on PATH)
#   REPORT_FROM      measure nothing: make the report again from a runs file
#                    (WORK/runs.txt of an earlier run)
#   BENCH_MARKERS=1  print the report between @@bench-report-begin/-end lines
#                    (bench/run.sh reads it off the VM's console)
#
# The benchmark is not a test: slow results never fail it. Exit status 0 when
# the report was written, 1 when the benchmark could not run.

for a in "$@"; do
	case $a in
	[A-Z]*=*)
		case ${a%%=*} in
		*[!A-Z0-9_]*) echo "bench.sh: bad setting $a" >&2; exit 1 ;;
		esac
		# shellcheck disable=SC2163 # export NAME=VALUE
		export "$a" ;;
	*) sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 1 ;;
	esac
done

SRC=${SRC:-0}
DST=${DST:-2}
REPS=${REPS:-5}
STALL_REPS=${STALL_REPS:-0}
WORKLOADS=${WORKLOADS:-4k thp mixed}
BASE=${BASE:-}
BASE_LIB=${BASE_LIB:-}
CONTENDERS=${CONTENDERS:-migratepages kernel default jobs1 jobs2 stall20${BASE:+ base-default base-jobs1 base-jobs2}}
SIZE_4K=${SIZE_4K:-1G}
SIZE_THP=${SIZE_THP:-1G}
SIZE_MIXED=${SIZE_MIXED:-512M}
SMALL_MAPPINGS=${SMALL_MAPPINGS:-1000}
FILE_SIZE=${FILE_SIZE:-256M}
SIZE_RSS=${SIZE_RSS:-3G}
RSS_CONTENDERS=${RSS_CONTENDERS:-jobs1 jobs2}
COPY_SIZE=${COPY_SIZE:-256M}
COPY_REPS=${COPY_REPS:-5}
PROBE_INTERVAL_US=${PROBE_INTERVAL_US:-1000}
NUMAMOVE_FLAGS=${NUMAMOVE_FLAGS:-}
TOPOLOGY=${TOPOLOGY:-host}
WORK=${WORK:-/tmp/numamove-bench}
FILE_DIR=${FILE_DIR:-$WORK}
OUT=${OUT:-$WORK/report.txt}
BENCH_MARKERS=${BENCH_MARKERS:-0}
if [ -n "${BUILDDIR:-}" ]; then
	PATH=$BUILDDIR/cli:$BUILDDIR/tests/vm:$BUILDDIR/bench:$PATH
	export PATH
fi
NUMAMOVE=${NUMAMOVE:-numamove}
NOTE="NOTE: timings under software emulation (QEMU TCG, as in the test VM) are only meaningful as ratios within one run."

say() { echo "bench: $*"; }
die() { echo "bench: error: $*" >&2; exit 1; }

# ---- checks (none needed to make a report again)
[ -n "${REPORT_FROM:-}" ] || for t in workload bench-run bench-copy migratepages "$NUMAMOVE" awk sed sort; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found (PATH=$PATH; set BUILDDIR, install numactl)"
done
case "$SRC$DST$REPS$STALL_REPS$SMALL_MAPPINGS$COPY_REPS$PROBE_INTERVAL_US" in
*[!0-9]*) die "SRC, DST, REPS, STALL_REPS, SMALL_MAPPINGS, COPY_REPS, PROBE_INTERVAL_US are numbers" ;;
esac
[ "$REPS" -ge 1 ] || die "REPS must be at least 1"
[ "$SRC" != "$DST" ] || die "SRC and DST are the same node"
[ -n "${REPORT_FROM:-}" ] || for n in "$SRC" "$DST"; do
	[ -d "/sys/devices/system/node/node$n" ] || die "no node $n (nodes: $(cat /sys/devices/system/node/online))"
done
[ "$(id -u)" = 0 ] || say "warning: not root: numamove and migratepages may not move everything"

# bytes of SIZE (K, M, G suffixes)
bytes() {
	case $1 in
	*[Kk]) echo $(( ${1%?} * 1024 )) ;;
	*[Mm]) echo $(( ${1%?} * 1048576 )) ;;
	*[Gg]) echo $(( ${1%?} * 1073741824 )) ;;
	*) echo $(( $1 )) ;;
	esac
}
node_free() { awk '/MemFree/ {print $4 * 1024}' "/sys/devices/system/node/node$1/meminfo"; }

if [ -n "${REPORT_FROM:-}" ]; then
	runs=$(cat "$REPORT_FROM") || die "no runs file $REPORT_FROM"
fi
rm -rf "$WORK"
mkdir -p "$WORK" "$FILE_DIR" "$(dirname "$OUT")" || die "cannot create $WORK"
RUNS=$WORK/runs.txt
if [ -n "${REPORT_FROM:-}" ]; then
	printf '%s\n' "$runs" > "$RUNS"
else
	: > "$RUNS"
fi

# ---- the machine's settings the benchmark needs, restored at the end
restore=
wl_pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -n "$wl_pid" ] && kill -KILL "$wl_pid" 2>/dev/null
	[ -n "$restore" ] && eval "$restore"
	rm -f "$FILE_DIR/bench-file-region"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bal=/proc/sys/kernel/numa_balancing
if [ -z "${REPORT_FROM:-}" ] && [ -w "$bal" ] && [ "$(cat "$bal")" != 0 ]; then
	restore="$restore echo $(cat "$bal") > $bal;"
	echo 0 > "$bal" && say "automatic NUMA balancing off during the benchmark (it would move pages back)"
fi
thp=/sys/kernel/mm/transparent_hugepage/enabled
[ -z "${REPORT_FROM:-}" ] &&
case $(cat "$thp" 2>/dev/null) in
*"[never]"*)
	if [ -w "$thp" ]; then
		restore="$restore echo never > $thp;"
		echo madvise > "$thp" && say "THP: madvise during the benchmark (was never)"
	else
		say "warning: THP are off ($thp): the thp workload will have none"
	fi ;;
esac

# ---- the workload: start, report, stop
WL=$WORK/wl
wl_start() { # ARGS...
	wl_stop
	rm -rf "$WL"
	mkdir -p "$WL"
	workload --ctl "$WL" "$@" > "$WL/log" 2>&1 &
	wl_pid=$!
	i=0
	while [ ! -e "$WL/ready" ]; do
		if ! kill -0 "$wl_pid" 2>/dev/null; then
			say "workload $* died: $(head -n 3 "$WL/log" | tr '\n' ' ')"
			wl_pid=
			return 1
		fi
		i=$((i + 1))
		[ $i -lt 6000 ] || { say "workload $* not ready after 600 s"; return 1; }
		sleep 0.1
	done
	return 0
}
wl_stop() {
	if [ -n "$wl_pid" ]; then
		kill -KILL "$wl_pid" 2>/dev/null
		wait "$wl_pid" 2>/dev/null
	fi
	wl_pid=
	rm -f "$FILE_DIR/bench-file-region"
}
# wl_report FILE: ask for a report, copy it to FILE, and set
#   r_total r_src r_dst r_thp r_check r_probe
# (4 KiB pages in all, on SRC, on DST; THP kB; ok or BAD; probe us or -)
wl_report() {
	rm -f "$WL/report"
	kill -USR1 "$wl_pid" 2>/dev/null || { say "the workload is gone"; return 1; }
	i=0
	while [ ! -e "$WL/report" ]; do
		i=$((i + 1))
		[ $i -lt 6000 ] || { say "no report from the workload"; return 1; }
		sleep 0.05
	done
	cp "$WL/report" "$1"
	# shellcheck disable=SC2046
	set -- $(awk -v s="$SRC" -v d="$DST" '
		$1 == "region" || $1 == "small" || $1 == "file" {
			for (k = 1; k <= NF; k++) if ($k == "pages_on_node") break
			tot += $4; src += $(k + 1 + s); dst += $(k + 1 + d); thp += $(NF - 2)
			if ($NF != "ok") bad++
		}
		$1 == "probe" { probe = $3 }
		END { printf "%d %d %d %d %s %s\n", tot, src, dst, thp, bad ? "BAD" : "ok", probe == "" ? "-" : probe }' "$1")
	r_total=$1 r_src=$2 r_dst=$3 r_thp=$4 r_check=$5 r_probe=$6
	return 0
}

# ---- the movers
# contender_args NAME PID FROM TO: the command line of a contender (words
# without spaces: the caller splits it)
contender_args() {
	case $1 in
	migratepages) echo "migratepages $2 $3 $4" ;;
	kernel) echo "$NUMAMOVE move $2 --from $3 --to $4 --engine=kernel $NUMAMOVE_FLAGS -J -b" ;;
	jobs1) echo "$NUMAMOVE move $2 --from $3 --to $4 --jobs 1 $NUMAMOVE_FLAGS -J -b" ;;
	jobs2) echo "$NUMAMOVE move $2 --from $3 --to $4 --jobs 2 $NUMAMOVE_FLAGS -J -b" ;;
	stall20) echo "$NUMAMOVE move $2 --from $3 --to $4 --jobs 2 --max-stall 20 $NUMAMOVE_FLAGS -J -b" ;;
	default|plain) echo "$NUMAMOVE move $2 --from $3 --to $4 $NUMAMOVE_FLAGS -J -b" ;;
	base-default) echo "$base_cmd move $2 --from $3 --to $4 $NUMAMOVE_FLAGS -J -b" ;;
	base-jobs1) echo "$base_cmd move $2 --from $3 --to $4 --jobs 1 $NUMAMOVE_FLAGS -J -b" ;;
	base-jobs2) echo "$base_cmd move $2 --from $3 --to $4 --jobs 2 $NUMAMOVE_FLAGS -J -b" ;;
	*) return 1 ;;
	esac
}
for c in $CONTENDERS $RSS_CONTENDERS; do
	contender_args "$c" 1 0 1 >/dev/null || die "unknown contender $c (migratepages kernel default jobs1 jobs2 stall20 plain base-default base-jobs1 base-jobs2)"
	case $c in base-*) [ -n "$BASE" ] || [ -n "${REPORT_FROM:-}" ] || die "contender $c needs BASE (another numamove)" ;; esac
done
# BASE with the library it was built with (a copy beside this one's: its RUNPATH would find this one's)
base_cmd=$BASE
if [ -n "$BASE_LIB" ] && [ -z "${REPORT_FROM:-}" ]; then
	mkdir -p "$WORK/baselib" || die "cannot create $WORK/baselib"
	cp "$BASE_LIB" "$WORK/baselib/libnumamove.so.0" || die "cannot copy BASE_LIB $BASE_LIB"
	base_cmd="env LD_LIBRARY_PATH=$WORK/baselib $BASE"
fi

# the first value of KEY in numamove's JSON (FILE), "-" when absent or null
json_key() {
	v=$(sed -n "s/^[[:space:]]*\"$2\":[[:space:]]*\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}[[:space:]]*\$/\1/p" "$1" 2>/dev/null | head -n 1)
	case $v in ''|null) echo - ;; *) echo "$v" ;; esac
}

all_cpus=$(cat /sys/devices/system/cpu/online)
move_back() { # the untimed move DST -> SRC, and the workload's CPU affinity as it was
	migratepages "$wl_pid" "$DST" "$SRC" > /dev/null 2>&1
	command -v taskset > /dev/null 2>&1 && taskset -a -p -c "$all_cpus" "$wl_pid" > /dev/null 2>&1
	wl_report "$WL/back" || return 1
	if [ "$r_src" -ne "$r_total" ]; then
		say "warning: after the move back, $((r_total - r_src)) of $r_total pages are not on node $SRC"
	fi
	return 0
}

# timed WORKLOAD CONTENDER PASS REP: one timed move SRC -> DST and its checks;
# appends a line to RUNS:
#   run WORKLOAD CONTENDER PASS REP wall_s maxrss_kb rc moved_bytes mibs thp_before
#       thp_after not_on_dst check max_call_ms probe_us sweep reported_moved jobs
timed() {
	wl_report "$WL/before" || return 1
	b_dst=$r_dst b_thp=$r_thp
	f=$WORK/$1.$2.$3.$4
	# shellcheck disable=SC2046
	bench-run "$f.run" -- $(contender_args "$2" "$wl_pid" "$SRC" "$DST") > "$f.out" 2> "$f.err"
	if [ ! -s "$f.run" ]; then
		echo "wall_s 0 maxrss_kb 0 rc 1" > "$f.run"
	fi
	read -r _ wall _ rss _ rc < "$f.run"
	wl_report "$f.report" || return 1
	moved=$(( (r_dst - b_dst) * 4096 ))
	mibs=$(awk -v b="$moved" -v t="$wall" 'BEGIN { if (t > 0 && b > 0) printf "%.1f", b / 1048576 / t; else print "-" }')
	case $2 in
	migratepages) call=- sweep=- rmoved=- jobs=- ;;
	*) call=$(json_key "$f.out" max-call-ms) sweep=$(json_key "$f.out" sweep) rmoved=$(json_key "$f.out" moved)
	   jobs=$(json_key "$f.out" jobs) ;;
	esac
	echo "run $1 $2 $3 $4 $wall $rss $rc $moved $mibs $b_thp $r_thp $((r_total - r_dst)) $r_check $call $r_probe $sweep $rmoved $jobs" >> "$RUNS"
	msg="$1 $3 $4 $2: rc $rc, $mibs MiB/s ($wall s), $((r_total - r_dst)) pages not on node $DST, data $r_check, THP kB $b_thp -> $r_thp, max call $call ms, probe $r_probe us, rss $rss kB"
	say "$msg"
	if [ "$rc" != 0 ] && [ -s "$f.err" ]; then
		sed 's/^/bench:   | /' "$f.err" | head -n 5
	fi
	move_back
}

# ---- the workloads
wl_args() { # NAME PROBE-ARGS
	case $1 in
	4k) echo "--region $SRC:$SIZE_4K $2" ;;
	thp) echo "--region $SRC:$SIZE_THP --thp $2" ;;
	mixed) echo "--region $SRC:$SIZE_MIXED --small-mappings $SMALL_MAPPINGS --file-region $FILE_SIZE --file-path $FILE_DIR/bench-file-region $2" ;;
	rss) echo "--region $SRC:$SIZE_RSS" ;;
	*) return 1 ;;
	esac
}
wl_bytes() {
	case $1 in
	4k) bytes "$SIZE_4K" ;;
	thp) bytes "$SIZE_THP" ;;
	mixed) echo $(( $(bytes "$SIZE_MIXED") + SMALL_MAPPINGS * 65536 + $(bytes "$FILE_SIZE") )) ;;
	rss) bytes "$SIZE_RSS" ;;
	esac
}
for w in $WORKLOADS; do
	wl_args "$w" "" >/dev/null || die "unknown workload $w (4k thp mixed)"
done
# fits WORKLOAD: room on SRC and DST (and 64 MiB to spare)
fits() {
	need=$(( $(wl_bytes "$1") + 67108864 ))
	for n in "$SRC" "$DST"; do
		if [ "$(node_free "$n")" -lt "$need" ]; then
			say "skipping $1: node $n has $(( $(node_free "$n") / 1048576 )) MiB free, it needs $(( need / 1048576 )) MiB"
			return 1
		fi
	done
	return 0
}

# one list rotated by N: rotate N WORDS...
rotate() {
	n=$1
	shift
	k=$(( n % $# ))
	while [ "$k" -gt 0 ]; do
		x=$1
		shift
		set -- "$@" "$x"
		k=$((k - 1))
	done
	echo "$@"
}

# ---- the copy ceiling, measured before each workload and at the end (the
# report has their median): a line "copy MIBS" in RUNS
copy_ceiling() {
	copy=$(bench-copy "$SRC" "$DST" "$COPY_SIZE" "$COPY_REPS" | awk '$1 == "copy" {print $5}')
	if [ -n "$copy" ]; then
		echo "copy $copy" >> "$RUNS"
		say "copy ceiling: memcpy node $SRC -> node $DST: $copy MiB/s"
	else
		say "warning: bench-copy $SRC $DST $COPY_SIZE $COPY_REPS failed"
	fi
}

# The probe during the timed moves: 16 reads every PROBE_INTERVAL_US, in a
# SCHED_FIFO thread (as root), so that neither the probe takes CPU time from
# the movers nor the time it waits for a CPU counts as a stall.
probe_args="--probe --probe-interval $PROBE_INTERVAL_US"
probe_desc="16 reads every $PROBE_INTERVAL_US us"
if [ "$PROBE_INTERVAL_US" = 0 ]; then
	probe_args=--probe
	probe_desc="reads in a tight loop, which includes time it waits for a CPU"
elif [ "$(id -u)" = 0 ]; then
	probe_args="$probe_args --probe-rt"
	probe_desc="$probe_desc by a SCHED_FIFO thread, so time waiting for a CPU is not counted"
else
	probe_desc="$probe_desc, which includes time it waits for a CPU"
fi

# ---- the measurements: lines in RUNS
measure() {
	start_s=$(cut -d' ' -f1 /proc/uptime)
	echo "probe $probe_desc" >> "$RUNS"
	# the machine (emulated: the test VM, always QEMU TCG)
	emulated=false
	[ -n "${VM_BUILDDIR:-}" ] && emulated=true
	{
		echo "meta emulated $emulated"
		echo "meta kernel $(uname -r)"
		echo "meta cpus $(grep -c '^processor' /proc/cpuinfo)"
		echo "meta cpu_model $(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)"
		echo "meta nodes $(cat /sys/devices/system/node/online)"
		# each node: id:MiB:cpus (cpus empty for a node without)
		echo "meta layout $(for d in /sys/devices/system/node/node[0-9]*; do
			printf '%s:%sM:%s ' "${d##*node}" "$(awk '/MemTotal/ {printf "%d", $4 / 1024}' "$d/meminfo")" "$(cat "$d/cpulist")"
		done | sed 's/ $//')"
		echo "meta allowed $(awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status)"
		echo "meta topology $TOPOLOGY"
		echo "meta version $("$NUMAMOVE" --version 2>/dev/null | head -n 1)"
		echo "meta date $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
	} >> "$RUNS"
	# the settings, for a report made again from RUNS
	for v in TOPOLOGY SRC DST REPS STALL_REPS SIZE_4K SIZE_THP SIZE_MIXED SMALL_MAPPINGS FILE_SIZE SIZE_RSS COPY_SIZE \
		PROBE_INTERVAL_US NUMAMOVE_FLAGS; do
		eval "echo \"set $v \$$v\"" >> "$RUNS"
	done
	say "$NOTE"
	say "nodes $SRC -> $DST; workloads: $WORKLOADS; contenders: $CONTENDERS; $REPS repetitions, $STALL_REPS in the stall pass"

	for w in $WORKLOADS; do
		fits "$w" || continue
		copy_ceiling
		# shellcheck disable=SC2046
		wl_start $(wl_args "$w" "$probe_args") || continue
		wl_report "$WORK/$w.start" || continue
		say "workload $w (pid $wl_pid): $r_total pages, $r_src on node $SRC, THP $r_thp kB, data $r_check"
		# the warm-up: there with migratepages, back with numamove, untimed
		migratepages "$wl_pid" "$SRC" "$DST" > /dev/null 2>&1
		warmup=$(contender_args plain "$wl_pid" "$DST" "$SRC")
		$warmup > "$WORK/$w.warmup.out" 2>&1 ||
			say "warm-up: numamove move exited $? ($(head -n 1 "$WORK/$w.warmup.out"))"
		move_back || continue
		rep=1
		while [ "$rep" -le "$REPS" ]; do
			# shellcheck disable=SC2086 # a list
			for c in $(rotate $((rep - 1)) $CONTENDERS); do
				timed "$w" "$c" timed "$rep" || break 2
			done
			rep=$((rep + 1))
		done
		if [ "$STALL_REPS" -gt 0 ]; then
			# shellcheck disable=SC2046
			wl_start $(wl_args "$w" --probe) || continue
			wl_report "$WORK/$w.stall.start" || continue
			rep=1
			while [ "$rep" -le "$STALL_REPS" ]; do
				# shellcheck disable=SC2086 # a list
				for c in $(rotate $((rep - 1)) $CONTENDERS); do
					timed "$w" "$c" stall "$rep" || break 2
				done
				rep=$((rep + 1))
			done
		fi
		wl_stop
	done

	# ---- peak RSS while moving SIZE_RSS
	if [ "$SIZE_RSS" != 0 ] && fits rss; then
		# shellcheck disable=SC2046
		if wl_start $(wl_args rss ""); then
			wl_report "$WORK/rss.start" && say "workload rss (pid $wl_pid): $r_total pages, $r_src on node $SRC"
			for c in $RSS_CONTENDERS; do
				timed rss "$c" rss 1 || break
			done
			wl_stop
		fi
	fi
	copy_ceiling
	awk -v s="$start_s" -v e="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "seconds %d\n", e - s }' >> "$RUNS"
}

if [ -n "${REPORT_FROM:-}" ]; then
	say "the report of $REPORT_FROM, nothing measured"
else
	measure
fi

# ---- the report
table=$WORK/table.txt
json=$WORK/report.json
awk -v note="$NOTE" -v table="$table" -v json="$json" -v src="$SRC" -v dst="$DST" \
	-v reps="$REPS" -v stall_reps="$STALL_REPS" \
	-v size_4k="$SIZE_4K" -v size_thp="$SIZE_THP" -v size_mixed="$SIZE_MIXED" -v small="$SMALL_MAPPINGS" \
	-v file_size="$FILE_SIZE" -v size_rss="$SIZE_RSS" \
	-v copy_size="$COPY_SIZE" -v probe_interval="$PROBE_INTERVAL_US" -v nmflags="$NUMAMOVE_FLAGS" -v topology="$TOPOLOGY" '
function isnum(x) { return x ~ /^-?[0-9]+(\.[0-9]+)?$/ }
function median(key,   n, i, j, t, a) {
	n = cnt[key] + 0
	if (n == 0) return "-"
	for (i = 1; i <= n; i++) a[i] = val[key, i] + 0
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# a JSON number: integers in full (mawk would write big ones as 3.2e+09), others to 3 decimals
function jnum(x,   v, s) {
	if (!isnum(x)) return "null"
	v = x + 0
	if (v == int(v)) return sprintf("%.0f", v)
	s = sprintf("%.3f", v); sub(/0+$/, "", s); return s
}
function jstr(x) { gsub(/["\\]/, "", x); return "\"" x "\"" }
function fmt(x, f) { return isnum(x) ? sprintf(f, x) : "-" }
function mib(kb) { return isnum(kb) ? sprintf("%.1fM", kb / 1024) : "-" }
function desc(w) {
	if (w == "4k") return "4k " size_4k
	if (w == "thp") return "thp " size_thp
	if (w == "mixed") return "mixed " size_mixed "+" small "x64K+" file_size
	return w
}
function cmdline(c,   s) {
	if (c == "migratepages") return "migratepages PID " src " " dst
	s = (c ~ /^base-/ ? "BASE" : "numamove") " move PID --from " src " --to " dst
	if (c == "kernel") s = s " --engine=kernel"
	if (c == "jobs1" || c == "base-jobs1") s = s " --jobs 1"
	if (c == "jobs2" || c == "base-jobs2") s = s " --jobs 2"
	if (c == "stall20") s = s " --jobs 2 --max-stall 20"
	if (nmflags != "") s = s " " nmflags
	return s " -J -b"
}
$1 == "copy" { cnt["copy"]++; val["copy", cnt["copy"]] = $2; copies = copies (copies == "" ? "" : ",") $2; next }
$1 == "seconds" { secs = $2; next }
$1 == "probe" { probe_desc = substr($0, 7); next }
$1 == "meta" {
	v = $0; sub(/^meta [a-z_]+ ?/, "", v)
	if ($2 == "emulated") emulated = v; else if ($2 == "kernel") kernel = v; else if ($2 == "cpus") cpus = v
	else if ($2 == "cpu_model") cpu_model = v; else if ($2 == "nodes") nodes = v
	else if ($2 == "version") version = v; else if ($2 == "date") date = v
	else if ($2 == "layout") layout = v; else if ($2 == "allowed") allowed = v
	else if ($2 == "topology") topology = v
	next
}
$1 == "set" {
	v = $0; sub(/^set [A-Z0-9_]+ ?/, "", v)
	if ($2 == "TOPOLOGY") topology = v; else if ($2 == "SRC") src = v; else if ($2 == "DST") dst = v; else if ($2 == "REPS") reps = v
	else if ($2 == "STALL_REPS") stall_reps = v; else if ($2 == "SIZE_4K") size_4k = v
	else if ($2 == "SIZE_THP") size_thp = v; else if ($2 == "SIZE_MIXED") size_mixed = v
	else if ($2 == "SMALL_MAPPINGS") small = v; else if ($2 == "FILE_SIZE") file_size = v
	else if ($2 == "SIZE_RSS") size_rss = v; else if ($2 == "COPY_SIZE") copy_size = v
	else if ($2 == "PROBE_INTERVAL_US") probe_interval = v; else if ($2 == "NUMAMOVE_FLAGS") nmflags = v
	next
}
$1 == "run" {
	w = $2; c = $3; pass = $4; wall = $6; rss = $7; rc = $8; mibs = $10
	thpb = $11; thpa = $12; left = $13; dcheck = $14; call = $15; probe = $16; sweep = $17; rmoved = $18
	if (isnum($19) && (!((w, c) in njobs) || $19 + 0 > njobs[w, c])) njobs[w, c] = $19 + 0
	moves[++nmoves] = sprintf("{\"workload\": %s, \"contender\": %s, \"pass\": %s, \"rep\": %d, \"wall_s\": %s, \"maxrss_kb\": %s, \"rc\": %s, \"moved_bytes\": %s, \"mibs\": %s, \"thp_kb_before\": %s, \"thp_kb_after\": %s, \"pages_not_on_dst\": %s, \"data\": %s, \"max_call_ms\": %s, \"probe_max_stall_us\": %s, \"sweep_bytes\": %s, \"reported_moved_bytes\": %s}", \
		jstr(w), jstr(c), jstr(pass), $5, jnum(wall), jnum(rss), jnum(rc), jnum($9), jnum(mibs), jnum(thpb), jnum(thpa), jnum(left), jstr(dcheck), jnum(call), jnum(probe), jnum(sweep), jnum(rmoved))
	k = w SUBSEP c
	if (!(k in seen)) { seen[k] = 1; order[++norder] = k }
	if (w != "rss" && !(w in wseen)) { wseen[w] = 1; wl[++nw] = w }
	if (pass == "timed" || pass == "rss") {
		if (isnum(mibs)) { cnt[k]++; val[k, cnt[k]] = mibs }
		runs[k]++
		list[k] = list[k] (list[k] == "" ? "" : ",") (isnum(mibs) ? mibs : "null")
		if (isnum(sweep)) { scnt[k]++; val["sweep" SUBSEP k, scnt[k]] = sweep; cnt["sweep" SUBSEP k] = scnt[k] }
		tk = k
	} else {
		# the stall pass (tight probe): its own maxima, kept apart
		if (isnum(mibs)) { pcnt[k]++; val["probe" SUBSEP k, pcnt[k]] = mibs; cnt["probe" SUBSEP k] = pcnt[k] }
		tk = "tight" SUBSEP k
	}
	if (!(k in thp_before)) thp_before[k] = thpb
	thp_after[k] = thpa
	if (thpa + 0 != thpb + 0) thp_bad[k]++
	if (isnum(rss) && (!(k in maxrss) || rss + 0 > maxrss[k])) maxrss[k] = rss + 0
	if (c == "migratepages") call = wall * 1000
	if (isnum(call) && (!(tk in maxcall) || call + 0 > maxcall[tk])) maxcall[tk] = call + 0
	if (isnum(probe) && (!(tk in maxprobe) || probe + 0 > maxprobe[tk])) maxprobe[tk] = probe + 0
	if (rc + 0 != 0) { rcbad[k]++; lastrc[k] = rc }
	if (left + 0 != 0) leftbad[k] += left
	if (dcheck != "ok") databad[k]++
	nruns[k]++
}
END {
	copy = median("copy")
	for (i = 1; i <= norder; i++) {
		k = order[i]; split(k, p, SUBSEP)
		med[k] = median(k)
		if (p[2] == "migratepages") base[p[1]] = med[k]
	}
	for (i = 1; i <= norder; i++) {
		k = order[i]; split(k, p, SUBSEP)
		rmig[k] = (isnum(med[k]) && isnum(base[p[1]]) && base[p[1]] + 0 > 0) ? med[k] / base[p[1]] : "-"
		rcopy[k] = (isnum(med[k]) && isnum(copy) && copy + 0 > 0) ? med[k] / copy : "-"
		ck = ""
		if (rcbad[k]) ck = ck (ck ? "," : "") "rc=" lastrc[k] "(" rcbad[k] "x)"
		if (leftbad[k]) ck = ck (ck ? "," : "") leftbad[k] "-pages-left"
		if (databad[k]) ck = ck (ck ? "," : "") "DATA-BAD"
		if (thp_bad[k]) ck = ck (ck ? "," : "") "THP-CHANGED"
		check[k] = ck ? ck : "ok"
	}

	print note > table
	printf "%s benchmark: %s, kernel %s, %d CPUs (%s), nodes %s; node %s -> node %s; %d repetitions, medians; %ds\n", \
		(version == "" ? "numamove" : version), date, kernel, cpus, cpu_model, nodes, src, dst, reps, secs + 0 > table
	if (layout != "")
		printf "machine %s: nodes (id:memory:CPUs) %s; numamove allowed on CPUs %s\n", topology, layout, allowed > table
	printf "copy ceiling (memcpy, one thread, node %s -> node %s, %s, median of %d measurements over the run): %s MiB/s\n\n", \
		src, dst, copy_size, cnt["copy"], fmt(copy, "%.1f") > table
	hdr = "%-25s %-13s %8s %7s %6s %17s %11s %9s %8s  %s\n"
	printf hdr, "WORKLOAD", "CONTENDER", "MiB/s", "x-MIGR", "x-COPY", "THP-KB-BEFORE>AFTER", "MAX-CALL-MS", "STALL-MS", "PEAK-RSS", "CHECK" > table
	for (i = 1; i <= norder; i++) {
		k = order[i]; split(k, p, SUBSEP)
		if (p[1] == "rss") continue
		callf = (k in maxcall) ? sprintf("%.1f", maxcall[k]) (p[2] == "migratepages" ? "*" : "") : "-"
		printf hdr, desc(p[1]), p[2], fmt(med[k], "%.1f"), fmt(rmig[k], "%.2f"), fmt(rcopy[k], "%.2f"), \
			thp_before[k] ">" thp_after[k], callf, (k in maxprobe) ? sprintf("%.1f", maxprobe[k] / 1000) : "-", \
			(k in maxrss) ? mib(maxrss[k]) : "-", check[k] > table
	}
	printf "\n" > table
	nrss = 0
	for (i = 1; i <= norder; i++) {
		k = order[i]; split(k, p, SUBSEP)
		if (p[1] != "rss") continue
		if (!nrss++) printf "peak RSS moving %s of 4 KiB pages (one move each):\n", size_rss > table
		printf "  %-13s %8s  %s MiB/s  %s\n", p[2], (k in maxrss) ? mib(maxrss[k]) : "-", fmt(med[k], "%.1f"), check[k] > table
		if (p[2] != "migratepages" && (k in maxrss) && (!("rss" in peak) || maxrss[k] > peak["rss"])) peak["rss"] = maxrss[k]
	}
	if (nrss) printf "\n" > table
	# --max-stall 20: its cost, per workload
	for (i = 1; i <= nw; i++) {
		a = wl[i] SUBSEP "stall20"; b = wl[i] SUBSEP "jobs2"
		if (isnum(med[a]) && isnum(med[b]) && med[b] + 0 > 0)
			printf "--max-stall 20 on %s: %.1f MiB/s, %.0f%% of --jobs 2 (%s); longest call %s ms\n", \
				desc(wl[i]), med[a], 100 * med[a] / med[b], \
				med[a] < med[b] ? sprintf("a cost of %.0f%%", 100 - 100 * med[a] / med[b]) : "no cost", \
				(a in maxcall) ? sprintf("%.1f", maxcall[a]) : "-" > table
	}
	# the goals (issue 11), informational: the benchmark never fails on speed
	ng = 0
	for (i = 1; i <= nw; i++)
		for (j = 1; j <= 2; j++) {
			c = j == 1 ? "default" : "jobs1"; k = wl[i] SUBSEP c
			if (!isnum(rmig[k])) continue
			lbl = c == "default" ? sprintf("the default move (%s jobs)", ((wl[i], c) in njobs) ? njobs[wl[i], c] : "?") : "--jobs 1"
			goal[++ng] = sprintf("%s: %s >= 1.0x migratepages: %.2fx, %s", wl[i], lbl, rmig[k], rmig[k] >= 1 ? "met" : "NOT met")
		}
	k = "4k" SUBSEP "default"
	if (isnum(rmig[k]) && cpus + 0 >= 2)
		goal[++ng] = sprintf("4k: the default move on %d CPUs >= 1.5x migratepages: %.2fx, %s", cpus, rmig[k], rmig[k] >= 1.5 ? "met" : "NOT met")
	k = "4k" SUBSEP "jobs2"; if (isnum(rmig[k])) goal[++ng] = sprintf("4k: --jobs 2 >= 1.6x migratepages: %.2fx, %s", rmig[k], rmig[k] >= 1.6 ? "met" : "NOT met")
	for (j = 1; j <= 3; j++) {
		c = j == 1 ? "default" : j == 2 ? "jobs1" : "jobs2"; k = "thp" SUBSEP c
		lbl = c == "default" ? "the default move" : c == "jobs1" ? "--jobs 1" : "--jobs 2"
		if (c == "jobs2" && isnum(rmig[k])) goal[++ng] = sprintf("thp: %s >= 1.0x migratepages: %.2fx, %s", lbl, rmig[k], rmig[k] >= 1 ? "met" : "NOT met")
		if (k in seen) goal[++ng] = sprintf("thp: %s keeps every THP: %s", lbl, thp_bad[k] || !(thp_before[k] + 0 > 0) ? "NOT met (kB " thp_before[k] ">" thp_after[k] ")" : "met")
	}
	for (i = 1; i <= nw; i++) {
		k = wl[i] SUBSEP "stall20"
		if (k in maxcall) goal[++ng] = sprintf("%s: --max-stall 20: longest call %.1f ms <= 20: %s", wl[i], maxcall[k], maxcall[k] <= 20 ? "met" : "NOT met")
	}
	if ("rss" in peak) goal[++ng] = sprintf("peak RSS of numamove moving %s < 32 MiB: %.1f MiB, %s", size_rss, peak["rss"] / 1024, peak["rss"] < 32768 ? "met" : "NOT met")
	if (ng) {
		printf "goals (informational):\n" > table
		for (i = 1; i <= ng; i++) printf "  %s\n", goal[i] > table
		printf "\n" > table
	}
	printf "MiB/s: median over the repetitions of the bytes the workload finds moved to node %s (its own\n", dst > table
	printf "  move_pages(2) count) over the wall time of the command (bench-run, start-up included).\n" > table
	printf "x-MIGR, x-COPY: that median over migratepages'"'"' median, and over the memcpy copy ceiling.\n" > table
	printf "THP-KB: the workload'"'"'s AnonHugePages before and after the move (must be equal).\n" > table
	printf "MAX-CALL-MS: the longest single move_pages/migrate_pages call (numamove -J max-call-ms) over the\n" > table
	printf "  repetitions; * migratepages is one migrate_pages(2) call: its wall time.\n" > table
	printf "STALL-MS: the longest single read of a random page of the target over the repetitions\n" > table
	printf "  (workload --probe: %s).\n", probe_desc > table
	printf "PEAK-RSS: the largest ru_maxrss of the moving command.\n" > table
	printf "CHECK: ok, or rc=N (exit status, N times), pages left off node %s, DATA-BAD, THP-CHANGED.\n", dst > table

	printf "{\n" > json
	printf "  \"note\": %s,\n", jstr(note) > json
	printf "  \"date\": %s, \"numamove\": %s, \"seconds\": %d,\n", jstr(date), jstr(version), secs + 0 > json
	printf "  \"machine\": {\"topology\": %s, \"kernel\": %s, \"cpus\": %d, \"cpu_model\": %s, \"nodes\": %s, \"layout\": %s, \"allowed_cpus\": %s, \"emulated\": %s},\n", \
		jstr(topology), jstr(kernel), cpus, jstr(cpu_model), jstr(nodes), jstr(layout), jstr(allowed), (emulated == "true" ? "true" : "false") > json
	printf "  \"config\": {\"src\": %d, \"dst\": %d, \"reps\": %d, \"stall_reps\": %d, \"probe_interval_us\": %d, \"probe\": %s, \"size_4k\": %s, \"size_thp\": %s, \"size_mixed\": %s, \"small_mappings\": %d, \"file_size\": %s, \"size_rss\": %s, \"copy_size\": %s},\n", \
		src, dst, reps, stall_reps, probe_interval, jstr(probe_desc), jstr(size_4k), jstr(size_thp), jstr(size_mixed), small, jstr(file_size), jstr(size_rss), jstr(copy_size) > json
	printf "  \"copy_ceiling_mibs\": %s, \"copy_mibs\": [%s],\n", jnum(copy), copies > json
	printf "  \"results\": [" > json
	n = 0
	for (i = 1; i <= norder; i++) {
		k = order[i]; split(k, p, SUBSEP)
		printf "%s\n    {\"workload\": %s, \"contender\": %s, \"command\": %s, \"runs\": %d, \"mibs_median\": %s, \"mibs\": [%s], \"ratio_migratepages\": %s, \"ratio_copy\": %s, \"mibs_stall_pass_median\": %s, \"thp_kb_before\": %s, \"thp_kb_after\": %s, \"max_call_ms\": %s, \"probe_max_stall_ms\": %s, \"max_call_ms_stall_pass\": %s, \"probe_max_stall_ms_stall_pass\": %s, \"peak_rss_kb\": %s, \"sweep_bytes_median\": %s, \"jobs\": %s, \"check\": %s}", \
			n++ ? "," : "", jstr(p[1]), jstr(p[2]), jstr(cmdline(p[2])), runs[k], jnum(med[k]), list[k], \
			isnum(rmig[k]) ? sprintf("%.3f", rmig[k]) : "null", isnum(rcopy[k]) ? sprintf("%.3f", rcopy[k]) : "null", \
			jnum(median("probe" SUBSEP k)), jnum(thp_before[k]), jnum(thp_after[k]), \
			(k in maxcall) ? sprintf("%.1f", maxcall[k]) : "null", (k in maxprobe) ? sprintf("%.1f", maxprobe[k] / 1000) : "null", \
			("tight" SUBSEP k in maxcall) ? sprintf("%.1f", maxcall["tight" SUBSEP k]) : "null", \
			("tight" SUBSEP k in maxprobe) ? sprintf("%.1f", maxprobe["tight" SUBSEP k] / 1000) : "null", \
			(k in maxrss) ? maxrss[k] : "null", jnum(median("sweep" SUBSEP k)), ((p[1], p[2]) in njobs) ? njobs[p[1], p[2]] : "null", jstr(check[k]) > json
	}
	printf "\n  ],\n  \"goals\": [" > json
	for (i = 1; i <= ng; i++) printf "%s\n    %s", (i > 1 ? "," : ""), jstr(goal[i]) > json
	printf "\n  ],\n  \"moves\": [" > json
	for (i = 1; i <= nmoves; i++) printf "%s\n    %s", (i > 1 ? "," : ""), moves[i] > json
	printf "\n  ]\n}\n" > json
}' "$RUNS" || die "the report could not be made"

{
	cat "$table"
	echo "--- json ---"
	cat "$json"
} > "$OUT" || die "cannot write $OUT"
if [ "$BENCH_MARKERS" != 1 ]; then
	echo
	cat "$table"
	echo
fi
say "report (table and JSON): $OUT; every move: $RUNS"
if [ "$BENCH_MARKERS" = 1 ]; then
	echo "@@bench-report-begin"
	cat "$OUT"
	echo "@@bench-report-end"
	echo "@@bench-runs-begin"
	cat "$RUNS"
	echo "@@bench-runs-end"
fi
exit 0
