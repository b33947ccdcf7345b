# SPDX-License-Identifier: GPL-2.0-or-later
# Guest side (busybox sh): the arm64 unit tests on the emulated machine's
# real arm64 kernel, for those that qemu-user cannot run (it implements
# neither ptrace(2) nor the NUMA calls): boot with
#   VM_UNIT=1 tests/vm/arm64/vm.sh build-arm64 tests/vm/arm64/unit.sh [TEST...]
# TEST: names under BUILDDIR/tests/unit (default: all of them). Prints each
# test's cmocka output, "PASS: test-x" or "FAIL: test-x (exit N)", and ends
# with "arm64 unit: N passed, N failed"; exits 1 when one failed.
cd /tmp || exit 1
mkdir -p /var/tmp   # test-object falls back to /var/tmp when . is a tmpfs
passed=0
failed=0
[ $# -gt 0 ] || set -- $(cd "$VM_BUILDDIR/tests/unit" && ls test-*)
for t in "$@"; do
	start=$(cut -d' ' -f1 /proc/uptime)
	timeout 600 "$VM_BUILDDIR/tests/unit/$t" 2>&1
	rc=$?
	secs=$(awk -v a="$start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN {printf "%.1f", b - a}')
	if [ $rc = 0 ]; then
		echo "PASS: $t (${secs}s)"
		passed=$((passed + 1))
	else
		echo "FAIL: $t (exit $rc, ${secs}s)"
		failed=$((failed + 1))
	fi
done
echo "arm64 unit: $passed passed, $failed failed"
[ $failed = 0 ]
