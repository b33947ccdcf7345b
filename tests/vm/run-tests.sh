#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-tests.sh BUILDDIR [CASE...]: boot ONE emulated NUMA VM (vm.sh) and run
# the test cases tests/vm/cases/*.sh meant for its topology in it (or only
# the CASEs named, e.g. 02-move-all). Prints "PASS: name", "FAIL: name
# (reason)" or "SKIP: name (reason)" per case and ends with the line
# "vm: N passed, N failed, N skipped". A case that did not report counts as
# failed; so does kernel trouble at boot ("@boot"). Exit status 0 only when
# no case failed and the VM ran to the end.
#
# A case is meant for the topologies on its "# topology:" line (4node,
# sparse, memless, or any; no line: 4node). Without CASEs, the cases of VM_TOPOLOGY
# run, less those named in VM_EXCLUDE (space-separated).
#
# Environment: VM_KERNEL (6.12 or 6.1), VM_TOPOLOGY (4node, sparse or memless),
# VM_TIMEOUT (whole VM; default: the sum of the selected cases' limits plus
# VM_BOOT_S, 300 s, for the boot and the pauses between cases), CASE_TIMEOUT
# (per case, default 180 s), VM_RUN_NAME (names the kept console, below),
# and those of vm.sh (VM_TIER=4 with VM_TOPOLOGY=memless makes node 4 a
# lower memory tier, which case 61 needs to check NUMA balancing mode 2
# against a control). The whole console of a run that failed is kept in
# BUILDDIR/vm-logs/VM_RUN_NAME.console (default: KERNEL-TOPOLOGY-TIME).
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [CASE...]" >&2; exit 2; }
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
builddir=$1
shift
[ -x "$builddir/tests/vm/workload" ] || { echo "run-tests.sh: $builddir/tests/vm/workload not built (ninja -C $builddir)" >&2; exit 2; }
[ -x "$builddir/cli/numamove" ] || echo "run-tests.sh: warning: $builddir/cli/numamove not built; cases that use it will fail" >&2
topology=${VM_TOPOLOGY:-4node}
export CASE_TIMEOUT=${CASE_TIMEOUT:-180}

# case_topologies FILE: the topologies a case is meant for
case_topologies() {
	local t
	t=$(sed -n 's/^# topology: *//p' "$1" | head -n1)
	echo "${t:-4node}"
}
case_limit() {
	local l
	l=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$1" | head -n1)
	echo "${l:-$CASE_TIMEOUT}"
}

# VM_ARCH=arm64 also runs the arm64 cases (tests/vm/arm64/cases).
casedirs=("$here/cases")
[ "${VM_ARCH:-}" = arm64 ] && casedirs+=("$here/arm64/cases")
case_file() { local d; for d in "${casedirs[@]}"; do [ -f "$d/$1.sh" ] && { echo "$d/$1.sh"; return 0; }; done; return 1; }

cases=()
if [ $# -gt 0 ]; then
	for c in "$@"; do
		c=$(basename "$c" .sh)
		case_file "$c" >/dev/null || { echo "run-tests.sh: no case $c" >&2; exit 2; }
		case " $(case_topologies "$(case_file "$c")") " in
		*" $topology "*|*" any "*) ;;
		*) echo "run-tests.sh: warning: case $c is not meant for topology $topology" >&2 ;;
		esac
		cases+=("$c")
	done
else
	for d in "${casedirs[@]}"; do
		for c in "$d"/*.sh; do
			case " ${VM_EXCLUDE:-} " in *" $(basename "$c" .sh) "*) continue ;; esac
			case " $(case_topologies "$c") " in
			*" $topology "*|*" any "*) cases+=("$(basename "$c" .sh)") ;;
			esac
		done
	done
fi
[ ${#cases[@]} -gt 0 ] || { echo "run-tests.sh: no case for topology $topology" >&2; exit 2; }

# The whole VM's limit: every selected case may use its own limit.
limit_sum=0
for c in "${cases[@]}"; do limit_sum=$(( limit_sum + $(case_limit "$(case_file "$c")") )); done
export VM_TIMEOUT=${VM_TIMEOUT:-$(( limit_sum + ${VM_BOOT_S:-300} ))}

run_name=${VM_RUN_NAME:-${VM_KERNEL:-6.12}-$topology-$(date +%Y%m%d-%H%M%S)}
[ "${VM_ARCH:-}" = arm64 ] && run_name=${VM_RUN_NAME:-arm64${VM_KERNEL:+-$VM_KERNEL}-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$builddir/vm-logs"
log=$(mktemp)
info=$(mktemp)
trap 'rm -f "$log" "$info"' EXIT
start=$(date +%s)
# VM_ARCH=arm64: an arm64 build (scripts/cross-build.sh) in the emulated arm64 machine (arm64/vm.sh).
vm=$here/vm.sh
[ "${VM_ARCH:-}" = arm64 ] && vm=$here/arm64/vm.sh
. "$here/vm-common.sh"   # vm_early_crash
rebooted=
for try in 1 2; do
	VM_LOG=$log VM_INFO=$info VM_KEEP_CONSOLE=$builddir/vm-logs/$run_name.console \
		"$vm" "$builddir" "$here/run-suite.sh" "$CASE_TIMEOUT" "${cases[@]}"
	vmrc=$?
	# A guest kernel that crashed in its first minute, before any case
	# ended: once more, once (vm-common.sh); its console is kept aside.
	[ "$try" = 1 ] && [ "$vmrc" = 125 ] && grep -qx 'accel=tcg' "$info" && at=$(vm_early_crash "$log") || break
	mv "$builddir/vm-logs/$run_name.console" "$builddir/vm-logs/$run_name.crash.console" 2>/dev/null
	rebooted="the guest's kernel crashed ${at}s after the first boot, before any case ended (console: $builddir/vm-logs/$run_name.crash.console): booted once more"
	echo "vm: $rebooted"
done
secs=$(( $(date +%s) - start ))

passed=0
failed=0
skipped=0
echo
kpkg=$(sed -n 's/^kernel_package=//p' "$info")
accel=$(sed -n 's/^accel=//p' "$info")
running=$(sed -n 's/^running=//p' "$info")
reason=$(sed -n 's/^reason=//p' "$info")
stopped=$(sed -n 's/^stopped=//p' "$info")
stopped=${stopped:-stopped}
echo "vm: summary: kernel ${kpkg:-?}, topology $topology, ${accel:-?}, $(basename "$(readlink -f "$builddir")"), ${secs}s (limit ${VM_TIMEOUT}s):"
line=$(grep -E "^FAIL: @boot " "$log" | tail -n1)
[ -n "$line" ] && { failed=$((failed + 1)); echo "$line"; }
for c in "${cases[@]}"; do
	line=$(grep -aE "^(PASS|FAIL|SKIP): $c( |\$)" "$log" | tail -n1)
	case $line in
	PASS:*) passed=$((passed + 1)); echo "$line" ;;
	FAIL:*) failed=$((failed + 1)); echo "$line" ;;
	SKIP:*) skipped=$((skipped + 1)); echo "$line" ;;
	*)
		failed=$((failed + 1))
		why="did not report: the VM died or timed out"
		if [ "$c" = "$running" ]; then
			why="the VM $stopped during this case${reason:+: $reason}"
		elif [ -n "$running" ]; then
			why="did not run: the VM $stopped during $running"
		fi
		echo "FAIL: $c ($why)"
		;;
	esac
done
case $vmrc in
0|1) ;;
124) echo "vm: the VM timed out (VM_TIMEOUT=${VM_TIMEOUT})" ;;
*) echo "vm: the VM ended abnormally (vm.sh exit $vmrc)" ;;
esac
[ "$vmrc" != 0 ] && [ -f "$builddir/vm-logs/$run_name.console" ] &&
	echo "vm: the whole console: $builddir/vm-logs/$run_name.console"
[ -n "$rebooted" ] && echo "vm: note: $rebooted"
echo "vm: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$vmrc" = 0 ]
