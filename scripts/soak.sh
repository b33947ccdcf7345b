#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# scripts/soak.sh [DURATION_SECONDS]: the soak of issue 16 (part 3). Boots
# the emulated 4-node VM (tests/vm/vm.sh, software emulation) and runs
# tests/vm/soak-guest.sh in it for DURATION_SECONDS (default 3600): a busy
# target that checks all of its data all the while, against random moves
# (whole process, swaps, chains, --jobs, --rate, --with-shared), policy
# changes and SIGKILLs of numamove. What it checks is in soak-guest.sh.
# Prints PASS/FAIL lines and "soak: N passed, N failed, N skipped"; exits
# non-zero on any failure. Not part of scripts/test.sh (it takes as long as
# it is told). BUILDDIR (default build) is the build it uses; it is set up
# and built first when missing.
set -uo pipefail
umask 022
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$top" || exit 1
duration=${1:-3600}
case $duration in ''|*[!0-9]*) echo "usage: $0 [DURATION_SECONDS]" >&2; exit 2 ;; esac
builddir=${BUILDDIR:-build}
if [ ! -x "$builddir/tests/vm/poltarget" ]; then
	[ -d "$builddir" ] || meson setup "$builddir" > /dev/null || exit 1
	ninja -C "$builddir" > /dev/null || exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
VM_TIMEOUT=$((duration + 900)) tests/vm/vm.sh "$builddir" tests/vm/soak-guest.sh "$duration" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
grep -qE '^soak: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$log" || {
	echo "soak: 0 passed, 1 failed, 0 skipped"
	echo "soak.sh: the soak did not report (VM exit $rc)" >&2
	exit 1
}
exit "$rc"
