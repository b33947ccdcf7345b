#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# debian-tests.sh BUILDDIR [CASE...]: numamove's Debian packages, tested as a
# user gets them. Builds the packages (tests/vm/debian/build-debs.sh, into
# BUILDDIR/deb) and checks them with lintian, builds the library example
# (tests/vm/move-example.c) against libnumamove-dev as a user would
# (pkg-config, no RUNPATH), builds or reuses the cached Debian 12 root file
# system (tests/vm/debian/rootfs.sh), boots it in the emulated 4-node
# machine (vm.sh, VM_ROOTFS=debian: systemd, dbus, polkitd), installs the
# packages there with apt-get, runs the core move cases against
# /usr/bin/numamove and the cases of tests/vm/debian/cases/ (the numamoved
# ones, 53-numamoved-*, with the helpers of tests/vm/debian/numamoved/ and
# tests/lib/proctarget.py in /vm/files/numamoved), purges the packages and
# checks that nothing is left behind. Cases named *-after-reboot run in a
# second boot of a machine with the same disk (VM_DISK), the packages
# installed again: what the first boot's cases left on the disk is what a
# reboot keeps (56-placement-before-reboot, 56-placement-after-reboot).
#
# CASEs (names in tests/vm/cases) replace the default core cases. The test
# programs (workload, owner, ...) come from BUILDDIR, which must be built.
#
# Prints "PASS: name" / "FAIL: name (reason)" for lintian, example-build,
# install, each case and purge, and ends with "debian: N passed, N failed,
# N skipped". Exit status 0 only when nothing failed and the VM reported.
#
# Environment:
#   DEBIAN_DEBS      a directory holding already built numamove_*.deb,
#                    numamoved_*.deb, numamove-slurm_*.deb, libnumamove0_*.deb,
#                    libnumamove-dev_*.deb: use those (no build, no lintian)
#   DEBIAN_CASES     which cases of tests/vm/debian/cases/ run: shell
#                    patterns of their names, space-separated (default *;
#                    e.g. "53-numamoved-*")
#   DEBIAN_PROGS     more programs to copy into the VM (newline-separated
#                    host paths; on PATH there as /vm/files/bin/NAME), for
#                    a case in tests/vm/debian/cases/ to run
#   VM_TIMEOUT       each boot of the VM (default 1500 s), CASE_TIMEOUT per case (180 s),
#                    and those of vm.sh
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILDDIR [CASE...]" >&2; exit 2; }
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)   # tests/vm
mkdir -p "$1"
builddir=$(cd "$1" && pwd)
shift
[ -x "$builddir/tests/vm/workload" ] || { echo "debian-tests.sh: $builddir/tests/vm/workload not built (ninja -C $builddir)" >&2; exit 2; }

core=(02-move-all 03-relative 04-swap 20-shm 30-policy-set)
[ $# -gt 0 ] && core=("$@")
cases=()
for c in "${core[@]}"; do
	c=$(basename "$c" .sh)
	[ -f "$here/cases/$c.sh" ] || { echo "debian-tests.sh: no case $c" >&2; exit 2; }
	cases+=("$c")
done

start=$(date +%s)
results=()	# "PASS: x" / "FAIL: x (why)" from the host side
stage=$builddir/deb-vm
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/cases"

# 1. The packages.
lintian_pid=
if [ -n "${DEBIAN_DEBS:-}" ]; then
	debdir=$(cd "$DEBIAN_DEBS" && pwd) || exit 2
else
	t=$(date +%s)
	if "$here/debian/build-debs.sh" "$builddir" > /dev/null; then
		debdir=$builddir/deb
		echo "debian-tests.sh: packages built in $(( $(date +%s) - t ))s" >&2
		if command -v lintian > /dev/null; then
			# in the background, while the VM runs
			( cd "$debdir" && lintian --fail-on error,warning --pedantic --display-info *.changes > lintian.log 2>&1;
			  echo $? > lintian.rc ) &
			lintian_pid=$!
		else
			results+=("FAIL: lintian (not installed: apt-get install lintian)")
		fi
	else
		debdir=
		results+=("FAIL: build (dpkg-buildpackage failed; log in $builddir/deb/build.log)")
	fi
fi
if [ -n "$debdir" ]; then
	for p in numamove numamoved numamove-slurm libnumamove0 libnumamove-dev; do
		d=$(ls "$debdir/${p}_"*.deb 2>/dev/null | head -n1)
		[ -n "$d" ] && cp "$d" "$stage/" || echo "debian-tests.sh: no ${p}_*.deb in $debdir" >&2
	done
fi

# 2. What else goes in: programs, and the Debian-only cases. First the
# library example (tests/vm/move-example.c) built as a user of the packages
# builds it: against libnumamove-dev and libnumamove0 unpacked with dpkg -x
# into a sysroot, with the flags pkg-config reads from the package's .pc
# (libnuma's .pc from this machine), and no RUNPATH, so that in the VM it
# loads the installed /usr/lib/MULTIARCH/libnumamove.so.0
# (tests/vm/debian/cases/51-library-example.sh checks that, and what it moves).
# (The sysroot is a temporary directory: the flags are split on spaces, and
# BUILDDIR may hold some.)
sysroot=
build_example() { # build_example OUT
	local sys ma p d flags
	ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH) || return 1
	sysroot=$(mktemp -d) || return 1
	sys=$sysroot
	for p in libnumamove0 libnumamove-dev; do
		d=$(ls "$debdir/${p}_"*.deb 2>/dev/null | head -n1)
		[ -n "$d" ] || { echo "debian-tests.sh: no ${p}_*.deb for the example" >&2; return 1; }
		dpkg -x "$d" "$sys" || return 1
	done
	flags=$(PKG_CONFIG_SYSROOT_DIR=$sys PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 \
		PKG_CONFIG_LIBDIR=$sys/usr/lib/$ma/pkgconfig:/usr/lib/$ma/pkgconfig:/usr/share/pkgconfig \
		pkg-config --cflags --libs libnumamove) || return 1
	echo "debian-tests.sh: move-example: cc ... $flags" >&2
	${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -Werror -o "$1" "$here/move-example.c" $flags || return 1
	if readelf -d "$1" | grep -qE '\((RPATH|RUNPATH)\)'; then
		echo "debian-tests.sh: move-example has a RUNPATH: $(readelf -d "$1" | grep -E 'R(UN)?PATH')" >&2
		return 1
	fi
}
if [ -n "$debdir" ]; then
	if build_example "$stage/bin/move-example"; then
		results+=("PASS: example-build")
	else
		rm -f "$stage/bin/move-example"
		results+=("FAIL: example-build (tests/vm/move-example.c against libnumamove-dev with pkg-config)")
	fi
	[ -z "$sysroot" ] || rm -rf "$sysroot"
fi
while IFS= read -r prog; do
	[ -n "$prog" ] || continue
	[ -f "$prog" ] && [ -x "$prog" ] || { echo "debian-tests.sh: DEBIAN_PROGS: $prog is no executable" >&2; exit 2; }
	cp "$prog" "$stage/bin/"
done <<< "${DEBIAN_PROGS:-}"
dcases=() rcases=()	# the first boot's; the second boot's (*-after-reboot)
for c in "$here"/debian/cases/*.sh; do
	[ -f "$c" ] || continue
	n=$(basename "$c" .sh)
	pick=
	read -ra pats <<< "${DEBIAN_CASES:-*}"
	for pat in "${pats[@]}"; do
		# shellcheck disable=SC2053
		[[ $n == $pat ]] && pick=1
	done
	[ -n "$pick" ] || continue
	cp "$c" "$stage/cases/"
	case $n in
	*-after-reboot) rcases+=("$n") ;;
	*) dcases+=("$n") ;;
	esac
done
mkdir -p "$stage/numamoved"
cp "$here"/debian/numamoved/* "$stage/numamoved/"
# kills.py's checks of a target, shared with the host tests
cp "$here/../lib/proctarget.py" "$stage/numamoved/"

# 3. The VM. When a case of the second boot (*-after-reboot) is chosen, the
# machine has a disk (VM_DISK, /dev/vda inside, blank at the first boot)
# and boots twice: the second boot, a new VM with the same disk and a root
# file system as fresh as the first's (the packages installed again), runs
# those cases. What a case of the first boot leaves on the disk is what a
# reboot keeps.
log=$(mktemp) log2=$(mktemp)
disk=
trap 'rm -f "$log" "$log2" ${disk:+"$disk"}' EXIT
vmrc= vmrc2=
# boot LOG ARGS...: the VM, with guest.sh ARGS; its exit status. A VM that
# died before it came up (the kernel under software emulation, on a busy
# host, once oopsed in early boot) is booted once more: nothing ran in it.
# The whole first boot runs every case: 1500 s unless VM_TIMEOUT says.
boot() {
	local l=$1 t rc try
	shift
	for try in 1 2; do
		t=$(date +%s)
		VM_ROOTFS=debian VM_FILES_DIR=$stage VM_LOG=$l CASE_TIMEOUT=${CASE_TIMEOUT:-180} VM_DISK=$disk \
			VM_TIMEOUT=${VM_TIMEOUT:-1500} \
			nice "$here/vm.sh" "$builddir" "$here/debian/guest.sh" "${CASE_TIMEOUT:-180}" "$@"
		rc=$?
		echo "debian-tests.sh: VM ran ${rc:+(exit $rc) }$(( $(date +%s) - t ))s; up at $(sed -n 's/^@@vm up: .*, \([0-9.]*s\), systemd.*/\1/p' "$l" | tr -d '\r')" >&2
		grep -q '^@@vm up' "$l" && break
		[ "$try" = 1 ] && echo "debian-tests.sh: the VM died before it came up: booted once more" >&2
	done
	return "$rc"
}
if [ -n "$debdir" ]; then
	if [ ${#rcases[@]} -gt 0 ]; then
		disk=$(mktemp "$builddir/deb-vm-disk.XXXXXX") && truncate -s 256M "$disk" ||
			{ echo "debian-tests.sh: cannot make the VM's disk" >&2; exit 2; }
	fi
	args=("${cases[@]}")
	for c in "${dcases[@]}"; do args+=("/vm/files/cases/$c.sh"); done
	boot "$log" "${args[@]}"
	vmrc=$?
	if [ ${#rcases[@]} -gt 0 ]; then
		args=(--after-reboot)
		for c in "${rcases[@]}"; do args+=("/vm/files/cases/$c.sh"); done
		boot "$log2" "${args[@]}"
		vmrc2=$?
	fi
fi
if [ -n "$lintian_pid" ]; then
	wait "$lintian_pid"
	sed 's/^/  | /' "$debdir/lintian.log"
	if [ "$(cat "$debdir/lintian.rc" 2>/dev/null)" = 0 ]; then
		results+=("PASS: lintian")
	else
		results+=("FAIL: lintian ($(grep -cE '^[EW]: ' "$debdir/lintian.log") errors or warnings; see $debdir/lintian.log)")
	fi
fi

# 4. The summary.
passed=0 failed=0 skipped=0
echo
echo "debian: summary ($(( $(date +%s) - start ))s):"
for r in "${results[@]}"; do
	echo "$r"
	case $r in PASS:*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
done
# tally LOG VMRC STEP...: each step's last PASS/FAIL/SKIP line in LOG
tally() {
	local l=$1 rc=$2 c line
	shift 2
	for c in "$@"; do
		line=$(tr -d '\r' < "$l" | grep -E "^(PASS|FAIL|SKIP): $c( |\$)" | tail -n1)
		case $line in
		PASS:*) passed=$((passed + 1)); echo "$line" ;;
		SKIP:*) skipped=$((skipped + 1)); echo "$line" ;;
		FAIL:*) failed=$((failed + 1)); echo "$line" ;;
		*) failed=$((failed + 1)); echo "FAIL: $c (did not report: the install failed, or the VM died or timed out)" ;;
		esac
	done
	case $rc in
	0|1) ;;
	124) echo "debian: the VM timed out (VM_TIMEOUT=${VM_TIMEOUT:-1500})"; failed=$((failed + 1)) ;;
	*) echo "debian: the VM ended abnormally (vm.sh exit $rc)"; failed=$((failed + 1)) ;;
	esac
}
if [ -n "$debdir" ]; then
	tally "$log" "$vmrc" install "${cases[@]}" "${dcases[@]}" purge
	[ ${#rcases[@]} -eq 0 ] || tally "$log2" "$vmrc2" install-after-reboot "${rcases[@]}"
fi
echo "debian: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
