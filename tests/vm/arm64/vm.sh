#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# arm64/vm.sh: boot an emulated arm64 NUMA machine and run one script in it,
# as tests/vm/vm.sh does for x86-64 (same interface, same guest layout).
#
# usage: tests/vm/arm64/vm.sh BUILDDIR SCRIPT [ARG...]
#
# BUILDDIR is an arm64 build (scripts/cross-build.sh: build-arm64/). The
# machine: qemu-system-aarch64 -M virt -cpu max (software emulation, TCG),
# Debian 12's arm64 kernel (linux-image-arm64: 6.1, 4 KiB pages; with
# VM_KERNEL=16k its 6.12 with 16 KiB pages, linux-image-6.12-arm64-16k;
# Debian 12 has no 64K arm64 kernel), NUMA from QEMU's device tree, VM_NODES:
#   node 0: 1024M, cpu 0    node 2: 1280M, no CPUs
#   node 1: 1024M, cpu 1    node 3: 768M, no CPUs
# (the x86-64 4-node machine's sizes, which the cases expect).
# The initramfs: busybox-static:arm64, numactl:arm64 (downloaded with
# apt-get download and unpacked into the cache, not installed), the arm64
# libraries the programs need (from this host's multiarch
# /usr/lib/aarch64-linux-gnu, read with readelf, since ldd cannot run
# them), BUILDDIR/cli/numamove, BUILDDIR/daemon/numamoved and
# BUILDDIR/tests/vm/*, tests/vm/lib.sh, run-cases.sh and cases/ as in
# vm.sh, and the arm64 cases of tests/vm/arm64/cases/ beside them. SCRIPT
# runs as root as /vm/script with ARGs; the guest prints
# "@@exit N" and vm.sh exits with N (124 timeout, 125 no status, 126 setup).
#
# Environment: VM_NODES (ID:SIZE[:CPU], default above), VM_SMP (2),
# VM_TIMEOUT (seconds, default 900), VM_CACHE (BUILDDIR/vm-cache),
# VM_APPEND, VM_LOG (a copy of the console), VM_QEMU (the QEMU binary),
# VM_KERNEL (an arm64 kernel image package, default what
# linux-image-arm64:arm64 depends on; 16k: what linux-image-6.12-arm64-16k
# depends on), VM_UNIT=1 (the unit tests too,
# below), VM_INFO and VM_KEEP_CONSOLE (as
# vm.sh's, for run-tests.sh: VM_ARCH=arm64 tests/vm/run-tests.sh BUILDDIR).
set -euo pipefail

die() { echo "arm64/vm.sh: $*" >&2; exit 126; }
[ $# -ge 2 ] || { sed -n '4,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 126; }
builddir=$(readlink -f "$1") || die "no build directory $1"
script=$(readlink -f "$2") || die "no script $2"
shift 2
[ -x "$builddir/cli/numamove" ] || die "no $builddir/cli/numamove (scripts/cross-build.sh)"
[ -f "$script" ] || die "no script $script"
file -L "$builddir/cli/numamove" | grep -q 'ARM aarch64' || die "$builddir is not an arm64 build"

vmdir=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)   # tests/vm
. "$vmdir/vm-common.sh"   # busybox_init, vm_run
timeout_s=${VM_TIMEOUT:-900}
cache=${VM_CACHE:-$builddir/vm-cache}
nodes=${VM_NODES:-0:1024M:0 1:1024M:1 2:1280M 3:768M}
smp=${VM_SMP:-2}
qemu=${VM_QEMU:-qemu-system-aarch64}
readelf=aarch64-linux-gnu-readelf
triplet=aarch64-linux-gnu
for tool in "$qemu" "$readelf" cpio apt-get dpkg file; do
	command -v "$tool" >/dev/null ||
		die "missing $tool (apt-get install qemu-system-arm binutils-aarch64-linux-gnu cpio)"
done

# --- 1. Packages of arm64, downloaded once into the cache and unpacked.
mkdir -p "$cache"
fetch() { # fetch PACKAGE: unpacks PACKAGE:arm64 into $cache/PACKAGE, prints that directory
	local pkg=$1 dl deb
	if [ ! -d "$cache/$pkg" ]; then
		dl=$(mktemp -d "$cache/dl.XXXXXX")
		( cd "$dl" && apt-get download "$pkg:arm64" ) 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true
		deb=$(ls "$dl"/*.deb 2>/dev/null | head -n1)
		[ -n "$deb" ] || { rm -rf "$dl"; die "apt-get download $pkg:arm64 failed"; }
		dpkg -x "$deb" "$dl/x"
		rm -rf "$cache/$pkg"
		mv "$dl/x" "$cache/$pkg"
		rm -rf "$dl"
	fi
	echo "$cache/$pkg"
}
kmeta=linux-image-arm64 kpkg=${VM_KERNEL:-}
[ "$kpkg" = 16k ] && kmeta=linux-image-6.12-arm64-16k kpkg=
[ -n "$kpkg" ] || kpkg=$(apt-cache depends "$kmeta:arm64" 2>/dev/null |
	awk '/Depends: linux-image-/{sub(/:arm64$/, "", $2); print $2; exit}')
[ -n "$kpkg" ] || die "cannot resolve $kmeta:arm64 (apt-get update?)"
kdir=$(fetch "$kpkg")
vmlinuz=$(ls "$kdir"/boot/vmlinuz-* | head -n1)
kver=${vmlinuz##*/vmlinuz-}
bbdir=$(fetch busybox-static)
numactldir=$(fetch numactl)

# --- 2. The initramfs.
work=$(mktemp -d "$cache/run.XXXXXX")
qpid=
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home/user,vm,run,lib}
chmod 1777 "$root/tmp"
cp "$bbdir/bin/busybox" "$root/bin/busybox"

# Where an arm64 library of this name is, on this host: multiarch first.
libdirs=("/usr/lib/$triplet" "/lib/$triplet" "/usr/$triplet/lib")
findlib() { # findlib NAME [RUNPATH-DIR...]
	local n=$1 d
	shift
	for d in "$@" "${libdirs[@]}"; do
		[ -e "$d/$n" ] && { echo "$d/$n"; return 0; }
	done
	return 1
}
declare -A copied=()
# put_elf FILE [DEST]: FILE at DEST (default its own path), and every
# library it needs, at the paths the guest's loader searches.
put_elf() {
	local f=$1 dest=${2:-$1} origin rp dirs=() n lib d
	[ -n "${copied[$dest]:-}" ] && return 0
	copied[$dest]=1
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$f" "$root$dest"
	origin=$(dirname "$(readlink -f "$f")")
	rp=$("$readelf" -d "$f" 2>/dev/null | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p; s/.*(RPATH).*\[\(.*\)\]/\1/p' | head -n1)
	for d in ${rp//:/ }; do dirs+=("${d//\$ORIGIN/$origin}"); done
	for n in $("$readelf" -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		lib=$(findlib "$n" "${dirs[@]}") || die "$f needs $n, not found for arm64"
		case $lib in
		"$builddir"/*) put_elf "$lib" ;;                    # the build's own, at its path (RUNPATH)
		*) put_elf "$lib" "/lib/$triplet/$n" ;;            # the loader's multiarch directory
		esac
	done
}
for exe in "$builddir"/cli/numamove "$builddir"/daemon/numamoved "$builddir"/tests/vm/*; do
	[ -f "$exe" ] && [ -x "$exe" ] && file -L "$exe" | grep -q 'ELF.*aarch64' && put_elf "$exe"
done
# VM_UNIT=1: the cmocka unit tests too, with their recorded data at its
# source path (DATA_DIR): those that qemu-user cannot run (ptrace, NUMA
# calls) run on the emulated machine's real arm64 kernel (cases/a0-unit.sh,
# or arm64/unit.sh for all of them).
if [ "${VM_UNIT:-0}" = 1 ]; then
	for exe in "$builddir"/tests/unit/test-*; do
		[ -f "$exe" ] && [ -x "$exe" ] && put_elf "$exe"
	done
	data=$vmdir/../unit/data
	mkdir -p "$root$(readlink -f "$data")"
	cp -a "$data/." "$root$(readlink -f "$data")/"
fi
put_elf "$numactldir/usr/bin/numactl" /usr/bin/numactl
put_elf "$numactldir/usr/bin/migratepages" /usr/bin/migratepages
# The loader at the path the programs name (PT_INTERP).
put_elf "$(findlib ld-linux-aarch64.so.1)" /lib/ld-linux-aarch64.so.1
find "$root" -type d -exec chmod a+rx {} +

cp "$vmdir/lib.sh" "$root/vm/lib.sh"
cp "$vmdir/run-cases.sh" "$root/vm/run-cases.sh"
mkdir -p "$root/vm/cases"
cp "$vmdir"/cases/*.sh "$vmdir"/arm64/cases/*.sh "$root/vm/cases/"
cp "$script" "$root/vm/script"
: > "$root/vm/args"
for a in "$@"; do printf '%s\n' "$a" >> "$root/vm/args"; done
chmod -R a+rX "$root/vm"
busybox_init "$root" numavm-arm64 "$builddir/cli:$builddir/tests/vm" "VM_BUILDDIR=\"$builddir\" VM_KERNEL=$kver VM_ARCH=arm64"
( cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet ) > "$work/initrd.cpio" || die "cpio failed"

# --- 3. The machine.
numa_args=() total=0
for spec in $nodes; do
	[[ $spec =~ ^([0-9]+):([0-9]+)M(:([0-9]+))?$ ]] || die "VM_NODES: '$spec' is not ID:SIZEM[:CPU]"
	id=${BASH_REMATCH[1]} size=${BASH_REMATCH[2]} cpu=${BASH_REMATCH[4]}
	total=$(( total + size ))
	numa_args+=(-object "memory-backend-ram,id=m$id,size=${size}M")
	numa_args+=(-numa "node,nodeid=$id,memdev=m$id${cpu:+,cpus=$cpu}")
done
echo "arm64/vm.sh: kernel $kpkg ($kver), nodes ${nodes// /, }, $smp CPUs, TCG" >&2
# For run-tests.sh (VM_ARCH=arm64), as vm.sh writes it.
[ -n "${VM_INFO:-}" ] && printf 'kernel_package=%s\nkernel_release=%s\ntopology=%s\naccel=tcg\n' \
	"$kpkg:arm64" "$kver" "arm64 ${nodes// /,}" > "$VM_INFO"
log=$work/console vm_name=arm64/vm.sh vm_tag=arm64
# pauth-impdef: QEMU's own pointer authentication, much faster to emulate than the architected one.
vm_run "$qemu" -M virt -cpu max,pauth-impdef=on -accel tcg,thread=multi -smp "$smp" -m "${total}M" \
	-nographic -no-reboot -kernel "$vmlinuz" -initrd "$work/initrd.cpio" \
	-append "console=ttyAMA0 quiet panic=-1 oops=panic nowatchdog ${VM_APPEND:-}" \
	"${numa_args[@]}"
