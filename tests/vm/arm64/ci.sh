#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# arm64/ci.sh BUILDDIR [--all] [--16k]: numamove on arm64, from an x86-64 Debian 12
# host: the cross-build (scripts/cross-build.sh BUILDDIR: the cross
# toolchain and the arm64 -dev packages, installed when missing, as root,
# with qemu-system-arm), then one emulated arm64 NUMA machine (arm64/vm.sh,
# software emulation) running the cases below. Prints each case's
# PASS/FAIL/SKIP line and ends with the line
#     arm64: N passed, N failed, N skipped
# Exit status 0 only when nothing failed.
#
# Without --all, the subset: in one boot of about 2 minutes here and one
# of about 1 (below; 3 minutes with the cross-build, 6 to 7 beside the
# soak's machine, as scripts/test.sh runs it, part arm64), what issue 17
# asks of arm64: the syscall injection and
# its restart rules (a0-unit: test-inject-helper and test-policy on the
# arm64 kernel; 30-policy-set: threads blocked in read, nanosleep, futex
# and epoll_pwait, and one spinning; a1-restart-deadline), show and moves
# (00-nodes, 01-show, 02-move-all: the ordered mapping, 04-swap, 13-thp),
# shared objects (20-shm, 21-tmpfs) and the engine (40-engine).
# With --all, the whole 4-node suite (less 34-policy-soak: 1,000 runs, too
# long under arm64 emulation) and the arm64 cases (a2-many-threads too),
# and first the unit tests under qemu-user (meson test --suite unit):
# about 25 minutes here.
#
# The subset then boots a second machine, with Debian 12's arm64 kernel
# with 16 KiB pages (6.12, linux-image-6.12-arm64-16k; arm64/vm.sh's
# VM_KERNEL=16k), for the cases that page and THP sizes change: the
# injection (a0-unit), moves and a swap (02, 04), THP (13-thp: 32 MiB
# there) and the shared objects (20, 21); about a minute. With --16k,
# everything chosen (the subset, or --all) runs on that kernel instead of
# the default 6.1 with 4 KiB pages; with --all there, cases that still
# count in 4 KiB pages (06, 14, 16, 23, 25, 47: their arithmetic, lib.sh's
# MiB, poltarget) may fail for that reason alone. VM_KERNEL set in the
# environment chooses the kernel as --16k does (and drops the second
# machine).
#
# Environment: those of arm64/vm.sh and run-tests.sh (VM_TIMEOUT,
# CASE_TIMEOUT, VM_NODES, VM_KERNEL, VM_CACHE).
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [--all] [--16k]" >&2; exit 2; }
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)   # tests/vm/arm64
top=$(cd "$here/../../.." && pwd)
builddir=$1
shift
all=0
for a in "$@"; do
	case $a in
	--all) all=1 ;;
	--16k) export VM_KERNEL=16k ;;
	*) echo "usage: $0 BUILDDIR [--all] [--16k]" >&2; exit 2 ;;
	esac
done

SUBSET="a0-unit 00-nodes 01-show 02-move-all 04-swap 13-thp 20-shm 21-tmpfs 30-policy-set a1-restart-deadline 40-engine"
SUBSET_16K="a0-unit 02-move-all 04-swap 13-thp 20-shm 21-tmpfs"

passed=0 failed=0 skipped=0
# The emulated machine's tools (arm64/vm.sh): qemu-system-aarch64, file.
if ! command -v qemu-system-aarch64 >/dev/null || ! command -v file >/dev/null; then
	[ "$(id -u)" = 0 ] || { echo "ci.sh: install qemu-system-arm and file (as root)" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-arm file >/dev/null ||
		{ echo "ci.sh: apt-get install qemu-system-arm file failed" >&2; exit 1; }
fi
echo "== arm64: the cross-build ($builddir)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# -Dtests=enabled: a build directory configured without the unit tests
# would have a0-unit skip them.
if ! "$top/scripts/cross-build.sh" "$builddir" -Dtests=enabled > "$log" 2>&1; then
	tail -n 30 "$log"
	echo "FAIL: cross-build (scripts/cross-build.sh $builddir)"
	echo "arm64: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
if [ "$all" = 1 ]; then
	echo "== arm64: the unit tests under qemu-user"
	meson test -C "$builddir" --suite unit --print-errorlogs > "$log" 2>&1
	cat "$log"
	ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log")
	bad=$(sed -n 's/^\(Fail\|Timeout\|Unexpected Pass\): *\([0-9]*\).*/\2/p' "$log" | awk '{s += $1} END {print s + 0}')
	skip=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$log")
	passed=$((passed + ${ok:-0})) failed=$((failed + bad)) skipped=$((skipped + ${skip:-0}))
	[ -n "$ok" ] || failed=$((failed + 1))
	cases=()
	export VM_EXCLUDE="34-policy-soak ${VM_EXCLUDE:-}"
else
	# shellcheck disable=SC2206
	cases=($SUBSET)
fi
# machine KERNEL CASE...: one emulated arm64 machine booting KERNEL (as
# arm64/vm.sh's VM_KERNEL: empty for its default) runs the cases; counted.
machine() {
	local kernel=$1 rc line
	shift
	echo "== arm64: the emulated machine (kernel ${kernel:-linux-image-arm64}; cases: ${*:-all})"
	VM_KERNEL=$kernel VM_ARCH=arm64 VM_UNIT=1 "$top/tests/vm/run-tests.sh" "$builddir" "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(tail -n 1 "$log")
	if [[ $line =~ ^vm:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
		passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2])) skipped=$((skipped + BASH_REMATCH[3]))
		# a VM that timed out or ended abnormally after the last case reported
		[ "$rc" != 0 ] && [ "${BASH_REMATCH[2]}" = 0 ] && failed=$((failed + 1))
	else
		echo "FAIL: the arm64 machine's run did not end with its summary line"
		failed=$((failed + 1))
	fi
}
machine "${VM_KERNEL:-}" "${cases[@]}"
# The subset, with neither --all nor --16k: a second machine with 16 KiB pages.
[ "$all" = 0 ] && [ -z "${VM_KERNEL:-}" ] && machine 16k $SUBSET_16K
echo "arm64: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
