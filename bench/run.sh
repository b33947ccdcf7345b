#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh: the benchmark (bench/bench.sh), numamove against migratepages.
#
# usage: bench/run.sh [--host] BUILDDIR [NAME=VALUE...]
#
# Builds nothing: BUILDDIR must hold numamove, tests/vm/workload and
# bench/bench-run, bench-copy (ninja -C BUILDDIR, or scripts/bench.sh).
#
# By default boots the emulated machine (tests/vm/vm.sh), runs bench.sh in
# it, takes the report off the console into BUILDDIR/bench/report.txt and
# prints its table. BENCH_TOPOLOGY picks the machine, with room for the
# 3 GiB peak RSS run:
#   4node (default): 2 CPUs, 8 GiB; nodes 0 and 2 of 3.75 GiB (node 0 with
#       CPU 0), nodes 1 and 3 of 256 MiB (node 1 with CPU 1); moves node 0 ->
#       node 2 (a node without CPUs)
#   memless: 3 CPUs, 8.25 GiB, shaped like the machine of issue 11: node 0
#       of 3.75 GiB with CPU 0, node 1 with CPUs 1-2 and no memory, memory-
#       only nodes 2 (3.75 GiB), 3 (512 MiB) and 4 (256 MiB); moves node 2
#       -> node 0 (a destination with one CPU, numamove on three); its
#       report goes to BUILDDIR/bench/report-memless.txt (runs-memless.txt)
# VM_NODES, VM_MEM, VM_SMP, VM_TIMEOUT (default 7200 s) change the machine
# (see tests/vm/vm.sh).
#
# --host runs bench.sh here instead, on this machine's own nodes: for a real
# multi-node machine. It needs root, numactl (migratepages) and nodes SRC and
# DST (default 0 and 2; e.g. SRC=0 DST=1 on a two-socket machine) with room
# for the workloads (1.1 GiB each, 3.1 GiB for the peak RSS run). bench.sh
# turns automatic NUMA balancing off while it runs (and THP to madvise when
# they are off), and puts both back.
#
# BASE=PROGRAM (in the environment or as an argument) measures another
# build's numamove (BUILD/cli/numamove, with BUILD/lib/libnumamove.so.0) in
# the same boot: contenders base-default, base-jobs1 and base-jobs2, rotated
# with the others, so that a change is measured before/after in one run.
#
# Settings of bench.sh (SRC, DST, REPS, SIZE_4K, ...: see its header) are
# taken from the environment and from NAME=VALUE arguments, e.g. a quick run:
#   bench/run.sh build SIZE_4K=64M SIZE_THP=64M SIZE_MIXED=32M FILE_SIZE=16M \
#       SMALL_MAPPINGS=100 SIZE_RSS=0 REPS=1
# Exit status: 0 when the report was written (slow results never fail it).
set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
top=$(dirname "$here")
host=0
if [ "${1:-}" = --host ]; then
	host=1
	shift
fi
[ $# -ge 1 ] || { sed -n '6p' "$0" | sed 's/^# //' >&2; exit 2; }
builddir=$(readlink -f "$1") || { echo "run.sh: no build directory $1" >&2; exit 2; }
topology=${BENCH_TOPOLOGY:-4node}
[ "$host" = 1 ] && topology=host
case $topology in
4node|host) suffix= ;;
memless) suffix=-memless ;;
*) echo "run.sh: BENCH_TOPOLOGY=$topology: 4node or memless" >&2; exit 2 ;;
esac
shift
for f in cli/numamove tests/vm/workload bench/bench-run bench/bench-copy; do
	[ -x "$builddir/$f" ] || { echo "run.sh: $builddir/$f not built (ninja -C $builddir)" >&2; exit 2; }
done

# bench.sh's settings: the topology's, those set in the environment, then the arguments
settings=("TOPOLOGY=$topology")
[ "$topology" = memless ] && settings+=(SRC=2 DST=0)
for v in SRC DST REPS STALL_REPS WORKLOADS CONTENDERS SIZE_4K SIZE_THP SIZE_MIXED SMALL_MAPPINGS FILE_SIZE \
	SIZE_RSS RSS_CONTENDERS COPY_SIZE COPY_REPS PROBE_INTERVAL_US NUMAMOVE_FLAGS; do
	[ -n "${!v+set}" ] && settings+=("$v=${!v}")
done
base=${BASE:-}
for a in "$@"; do
	[[ $a =~ ^[A-Z][A-Z0-9_]*= ]] || { echo "run.sh: not a setting: $a (NAME=VALUE)" >&2; exit 2; }
	case $a in
	BASE=*) base=${a#BASE=} ;;
	*) settings+=("$a") ;;
	esac
done
if [ -n "$base" ]; then
	if ! base=$(readlink -f "$base") || [ ! -x "$base" ] ||
		! baselib=$(readlink -f "$(dirname "$(dirname "$base")")/lib/libnumamove.so.0") || [ ! -f "$baselib" ]; then
		echo "run.sh: BASE: no such program, or no lib/libnumamove.so.0 beside it" >&2
		exit 2
	fi
fi

report=$builddir/bench/report$suffix.txt
runs=$builddir/bench/runs$suffix.txt
mkdir -p "$builddir/bench"
rm -f "$report" "$runs"

if [ "$host" = 1 ]; then
	# Here, BASE runs with its own library (its RUNPATH).
	[ -n "$base" ] && settings+=("BASE=$base")
	[ "$(id -u)" = 0 ] || echo "run.sh: warning: not root; numamove and migratepages may not move everything" >&2
	command -v migratepages >/dev/null || { echo "run.sh: migratepages not found (apt-get install numactl)" >&2; exit 2; }
	work=${WORK:-/tmp/numamove-bench}
	BUILDDIR=$builddir WORK=$work OUT=$report sh "$here/bench.sh" "${settings[@]}"
	rc=$?
	cp "$work/runs.txt" "$runs" 2>/dev/null
	exit $rc
fi

if [ "$topology" = memless ]; then
	export VM_NODES=${VM_NODES:-0:3840M:0 1:0:1-2 2:3840M 3:512M 4:256M}
	export VM_SMP=${VM_SMP:-3}
else
	export VM_NODES=${VM_NODES:-0:3840M:0 1:256M:1 2:3840M 3:256M}
fi
export VM_TIMEOUT=${VM_TIMEOUT:-7200}
# BASE into the VM: copies in BUILDDIR/bench (vm.sh takes its executables), its library beside it
rm -f "$builddir/bench/numamove-base" "$builddir/bench/libnumamove-base.so.0"
if [ -n "$base" ]; then
	cp "$base" "$builddir/bench/numamove-base"
	cp "$baselib" "$builddir/bench/libnumamove-base.so.0"
	chmod 755 "$builddir/bench/libnumamove-base.so.0"
	settings+=("BASE=$builddir/bench/numamove-base" "BASE_LIB=$builddir/bench/libnumamove-base.so.0")
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The VM's CPUs are threads of the host: a busy host skews the ratios.
load() { cut -d' ' -f1-3 /proc/loadavg; }
load_start=$(load)
echo "run.sh: host load average $load_start, $(nproc) CPUs (the VM wants them idle)"
# The console streams, except the report itself, which is printed once at the end.
VM_LOG=$log "$top/tests/vm/vm.sh" "$builddir" "$here/bench.sh" BENCH_MARKERS=1 "${settings[@]}" |
	sed -u -e '/^@@bench-report-begin$/,/^@@bench-report-end$/d' -e '/^@@bench-runs-begin$/,/^@@bench-runs-end$/d'
rc=${PIPESTATUS[0]}
rm -f "$builddir/bench/numamove-base" "$builddir/bench/libnumamove-base.so.0"
sed -n '/^@@bench-report-begin$/,/^@@bench-report-end$/p' "$log" | sed '1d;$d' > "$report"
sed -n '/^@@bench-runs-begin$/,/^@@bench-runs-end$/p' "$log" | sed '1d;$d' > "$runs"
if ! grep -q -- '^--- json ---$' "$report"; then
	rm -f "$report"
	echo "run.sh: no report from the VM (vm.sh exit $rc)" >&2
	exit 1
fi
# the host's load, as a line of the table
sed -i "/^--- json ---\$/i host (QEMU runs the VM's CPUs as its threads): $(nproc) CPUs, load average $load_start at the start, $(load) at the end" "$report"
echo
sed '/^--- json ---$/,$d' "$report"
echo "run.sh: the report (table, then JSON): $report; every move: $runs"
exit 0
