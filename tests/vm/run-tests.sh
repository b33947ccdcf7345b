#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-tests.sh BUILDDIR [CASE...]: boot ONE emulated 4-node VM (vm.sh) and run
# the test cases tests/vm/cases/*.sh in it (or only the CASEs named, e.g.
# 02-move-all). Prints "PASS: name" / "FAIL: name (reason)" per case and ends
# with "vm: N passed, N failed". A case that did not report counts as failed.
# Exit status 0 only when every case passed and the VM ran to the end.
#
# Environment: VM_TIMEOUT (whole VM, default 900 s), CASE_TIMEOUT (per case,
# default 180 s), and those of vm.sh.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [CASE...]" >&2; exit 2; }
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
builddir=$1
shift
[ -x "$builddir/tests/vm/workload" ] || { echo "run-tests.sh: $builddir/tests/vm/workload not built (ninja -C $builddir)" >&2; exit 2; }
[ -x "$builddir/cli/numamove" ] || echo "run-tests.sh: warning: $builddir/cli/numamove not built; cases that use it will fail" >&2

cases=()
if [ $# -gt 0 ]; then
	for c in "$@"; do
		c=$(basename "$c" .sh)
		[ -f "$here/cases/$c.sh" ] || { echo "run-tests.sh: no case $c" >&2; exit 2; }
		cases+=("$c")
	done
else
	for c in "$here"/cases/*.sh; do cases+=("$(basename "$c" .sh)"); done
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
VM_LOG=$log CASE_TIMEOUT=${CASE_TIMEOUT:-180} \
	"$here/vm.sh" "$builddir" "$here/run-suite.sh" ${CASE_TIMEOUT:-180} "${cases[@]}"
vmrc=$?
secs=$(( $(date +%s) - start ))

passed=0
failed=0
echo
echo "vm: summary (${secs}s):"
for c in "${cases[@]}"; do
	line=$(grep -E "^(PASS|FAIL): $c( |\$)" "$log" | tail -n1)
	case $line in
	PASS:*) passed=$((passed + 1)); echo "$line" ;;
	FAIL:*) failed=$((failed + 1)); echo "$line" ;;
	*) failed=$((failed + 1)); echo "FAIL: $c (did not report: the VM died or timed out)" ;;
	esac
done
case $vmrc in
0|1) ;;
124) echo "vm: the VM timed out (VM_TIMEOUT=${VM_TIMEOUT:-900})" ;;
*) echo "vm: the VM ended abnormally (vm.sh exit $vmrc)" ;;
esac
echo "vm: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$vmrc" = 0 ]
