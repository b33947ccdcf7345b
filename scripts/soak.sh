#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# scripts/soak.sh [DURATION_SECONDS]: the soak of issue 16 (part 3). Boots
# the emulated 4-node VM (tests/vm/vm.sh, software emulation) and runs
# tests/vm/soak-guest.sh in it for DURATION_SECONDS (default 3600): a busy
# target that checks all of its data all the while, against random moves
# (whole process, swaps, chains, --jobs, --rate, --with-shared), policy
# changes and SIGKILLs of numamove, alternating with moves, file policies,
# cancellations and pins through numamoved (run in the VM on a private
# bus). What it checks is in soak-guest.sh.
# Prints PASS/FAIL lines and "soak: N passed, N failed, N skipped"; exits
# non-zero on any failure. scripts/test.sh runs it for 300 s (part soak:
# about 6 minutes in all). BUILDDIR (default build) is the build it uses
# (its cli/numamove, daemon/numamoved and tests/vm programs; the host's
# dbus-daemon goes into the VM); it is set up and built first only when
# one of those is missing. The VM is killed (exit 124) when it runs past
# DURATION_SECONDS + 300 + DURATION_SECONDS/10: a hung action.
set -uo pipefail
umask 022
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$top" || exit 1
duration=${1:-3600}
case $duration in ''|*[!0-9]*) echo "usage: $0 [DURATION_SECONDS]" >&2; exit 2 ;; esac
builddir=${BUILDDIR:-build}
if [ ! -x "$builddir/tests/vm/poltarget" ] || [ ! -x "$builddir/daemon/numamoved" ]; then
	[ -d "$builddir" ] || meson setup "$builddir" > /dev/null || exit 1
	ninja -C "$builddir" > /dev/null || exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
. tests/vm/vm-common.sh   # vm_early_crash
rebooted=
# A guest kernel that crashed in its first minute is booted once more, and
# only once (vm-common.sh says why); the first console is kept (vm.sh
# says where), a second crash fails.
for try in 1 2; do
	VM_TIMEOUT=$((duration + 300 + duration / 10)) tests/vm/vm.sh "$builddir" tests/vm/soak-guest.sh "$duration" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	[ "$try" = 1 ] && [ "$rc" = 125 ] && grep -q '^vm\.sh: kernel .*, tcg$' "$log" && at=$(vm_early_crash "$log") || break
	rebooted="the guest's kernel crashed ${at}s after the first boot (above): booted once more"
	echo "soak.sh: $rebooted" >&2
done
# The summary again, last: vm.sh and the guest's console print more after it.
sum=$(grep -E '^soak: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
if [ -z "$sum" ]; then
	echo "soak.sh: the soak did not report (VM exit $rc): one more failure" >&2
	echo "soak: $(grep -c '^PASS: ' "$log") passed, $(($(grep -c '^FAIL: ' "$log") + 1)) failed, 0 skipped"
	exit 1
fi
[ -n "$rebooted" ] && echo "soak: note: $rebooted"
echo "$sum"
exit "$rc"
