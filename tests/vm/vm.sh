#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm.sh: boot the emulated 4-node NUMA test machine and run one script in it.
#
# usage: tests/vm/vm.sh BUILDDIR SCRIPT [ARG...]
#
# SCRIPT is a busybox sh script. It is copied into the initramfs as /vm/script
# and run as root (cwd /, ARGs passed through) once the machine is up: proc,
# sys, devtmpfs, tmpfs /tmp and /dev/shm, cgroup2 on /sys/fs/cgroup mounted,
# automatic NUMA balancing off. The serial console streams to stdout, and
# vm.sh exits with SCRIPT's exit status (the guest prints "@@exit N").
#
# The machine (QEMU TCG, no KVM needed): 2 CPUs, 4 NUMA nodes
#   node 0: 1024M, cpu 0     node 2: 1280M, no CPUs
#   node 1: 1024M, cpu 1     node 3:  768M, no CPUs (the smallest)
# (the default; VM_NODES, VM_MEM and VM_SMP below change it: the test suite
# expects the default)
#
# What is inside: busybox, BUILDDIR/cli/numamove, the test programs of
# BUILDDIR/tests/vm (workload, owner, runas, ...), the benchmark helpers of
# BUILDDIR/bench when that directory exists, numactl, migratepages and
# mke2fs (use mke2fs -t ext4 on the brd RAM disk), every
# shared library they need (at the same absolute paths, so meson's RUNPATH
# into BUILDDIR works), tests/vm/lib.sh and tests/vm/cases/ (as /vm/lib.sh and
# /vm/cases), a few kernel modules (VM_MODULES, with their dependencies;
# load them with modprobe), /etc/passwd with root and user (uid/gid 1000).
# Inside, PATH has BUILDDIR/cli, BUILDDIR/tests/vm and BUILDDIR/bench;
# VM_BUILDDIR names it.
#
# Environment:
#   VM_TIMEOUT   seconds before QEMU is killed (default 900); exit 124 then
#   VM_CACHE     kernel cache directory (default BUILDDIR/vm-cache)
#   VM_MODULES   kernel modules to include (default "brd ext4 crc32c_generic":
#                ext4 checksums its metadata with crc32c)
#   VM_APPEND    extra kernel command line
#   VM_LOG       also write the console to this file
#   VM_QEMU      QEMU binary (default qemu-system-x86_64)
#   VM_NODES     the NUMA nodes, space-separated ID:SIZE[:CPUS] (SIZE with M
#                or G, CPUS a list like 0 or 0-1 or 0,2); default
#                "0:1024M:0 1:1024M:1 2:1280M 3:768M". Every node is a
#                prealloc=on RAM backend: the host commits all of it at boot.
#   VM_MEM       total memory, QEMU -m (default: the sum of the node sizes,
#                4G for the default nodes); QEMU wants it equal to that sum
#   VM_SMP       number of CPUs (default 2); each CPU goes to one node's CPUS
#                (the bench layout: VM_NODES="0:3840M:0 1:256M:1 2:3840M
#                3:256M" VM_MEM=8G)
#
# VM_ROOTFS=debian boots a Debian 12 root file system (systemd, dbus,
# polkitd; tests/vm/debian/rootfs.sh builds and caches it) instead: SCRIPT
# runs from a systemd unit in busybox sh with Debian's tools, numamove comes
# from no build directory (install the packages), VM_FILES_DIR is copied to
# /vm/files; see tests/vm/debian/vm-rootfs.sh.
#
# Exit status: SCRIPT's status; 124 on timeout; 125 when the VM ended without
# reporting one (kernel panic, crash); 126 on a setup error on the host.
set -euo pipefail

die() { echo "vm.sh: $*" >&2; exit 126; }

[ $# -ge 2 ] || { sed -n '4,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 126; }
builddir=$(readlink -f "$1") || die "no build directory $1"
script=$(readlink -f "$2") || die "no script $2"
shift 2
[ -d "$builddir" ] || die "no build directory $builddir"
[ -f "$script" ] || die "no script $script"

srcdir=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)   # tests/vm
timeout_s=${VM_TIMEOUT:-900}
cache=${VM_CACHE:-$builddir/vm-cache}
modules=${VM_MODULES-brd ext4 crc32c_generic}
qemu=${VM_QEMU:-qemu-system-x86_64}
nodes=${VM_NODES:-0:1024M:0 1:1024M:1 2:1280M 3:768M}
mem=${VM_MEM:-}
smp=${VM_SMP:-2}

# Sizes of VM_NODES and VM_MEM in MiB (QEMU's suffixes M and G; plain = MiB).
mib() { # mib SIZE
	case $1 in
	*[0-9][Mm]) echo $(( 10#${1%?} )) ;;
	*[0-9][Gg]) echo $(( 10#${1%?} * 1024 )) ;;
	*[0-9]) echo $(( 10#$1 )) ;;
	*) return 1 ;;
	esac
}
[[ $smp =~ ^[1-9][0-9]*$ ]] || die "VM_SMP=$smp: a number of CPUs"
numa_args=()
nodes_mib=0
for spec in $nodes; do
	[[ $spec =~ ^([0-9]+):([0-9]+[MmGg]?)(:([0-9,-]+))?$ ]] ||
		die "VM_NODES: '$spec' is not ID:SIZE[:CPUS] (e.g. 0:1024M:0, 2:3584M)"
	id=${BASH_REMATCH[1]} size=${BASH_REMATCH[2]} cpus=${BASH_REMATCH[4]}
	nodes_mib=$(( nodes_mib + $(mib "$size") ))
	numa_args+=(-object "memory-backend-ram,id=m$id,size=$size,prealloc=on")
	opt="node,nodeid=$id,memdev=m$id"
	for c in ${cpus//,/ }; do opt+=",cpus=$c"; done
	numa_args+=(-numa "$opt")
done
[ ${#numa_args[@]} -gt 0 ] || die "VM_NODES is empty"
if [ -z "$mem" ]; then
	mem=${nodes_mib}M
	[ "$nodes_mib" = 4096 ] && mem=4G
fi
[[ $mem =~ ^[0-9]+[MmGg]?$ ]] || die "VM_MEM=$mem: a size like 4G or 8192M"
# QEMU wants the nodes to add up to exactly -m.
[ "$nodes_mib" = "$(mib "$mem")" ] || die "VM_NODES add up to ${nodes_mib}M, not VM_MEM=$mem"

for tool in "$qemu" busybox cpio ldd dpkg apt-get apt-cache xz; do
	command -v "$tool" >/dev/null || die "missing $tool (apt-get install qemu-system-x86 busybox-static cpio xz-utils)"
done
busybox=$(command -v busybox)
ldd "$busybox" >/dev/null 2>&1 &&
	die "$busybox is dynamically linked; install busybox-static"

# --- 1. The kernel, cached: vmlinuz and lib/modules of Debian's current 6.12 image.
mkdir -p "$cache"
kdir=$cache/kernel
if [ ! -f "$kdir/vmlinuz" ] || [ ! -f "$kdir/version" ]; then
	echo "vm.sh: fetching the kernel into $kdir" >&2
	resolve() { apt-cache depends linux-image-6.12-amd64 2>/dev/null |
		awk '/Depends: linux-image-/{print $2; exit}'; }
	image=$(resolve)
	if [ -z "$image" ]; then
		apt-get update >&2 || true
		image=$(resolve)
	fi
	[ -n "$image" ] || die "cannot resolve linux-image-6.12-amd64 to an image package"
	dl=$(mktemp -d "$cache/dl.XXXXXX")
	( cd "$dl" && apt-get download "$image" >&2 ) 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true
	deb=$(ls "$dl"/*.deb 2>/dev/null | head -n1)
	[ -n "$deb" ] || { rm -rf "$dl"; die "apt-get download $image failed"; }
	dpkg -x "$deb" "$dl/x"
	vml=$(ls "$dl"/x/boot/vmlinuz-* | head -n1)
	ver=${vml##*/vmlinuz-}
	rm -rf "$kdir.new"
	mkdir -p "$kdir.new/lib/modules"
	mv "$vml" "$kdir.new/vmlinuz"
	cp "$dl/x/boot/config-$ver" "$kdir.new/config" 2>/dev/null || true
	mv "$dl/x/lib/modules/$ver" "$kdir.new/lib/modules/$ver"
	echo "$ver" > "$kdir.new/version"
	echo "$image" > "$kdir.new/package"
	rm -rf "$dl" "$kdir"
	mv "$kdir.new" "$kdir"
fi
kver=$(cat "$kdir/version")
kmods=$kdir/lib/modules/$kver

# --- 2. The initramfs, rebuilt each run (the binaries change); a few MB.
work=$(mktemp -d "$cache/run.XXXXXX")
qpid=
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# ==== VM_ROOTFS=debian (begin) ====
# A Debian 12 system instead of the busybox one: systemd as PID 1, dbus,
# polkitd; SCRIPT runs from a systemd unit. tests/vm/debian/vm-rootfs.sh
# makes $work/initrd.cpio; the busybox root below, up to the matching fi, is
# skipped. The kernel, the nodes, the console and the exit status are the
# same as the busybox machine's.
case ${VM_ROOTFS:-busybox} in
busybox|debian) ;;
*) die "VM_ROOTFS=$VM_ROOTFS: busybox or debian" ;;
esac
if [ "${VM_ROOTFS:-busybox}" = debian ]; then
	. "$srcdir/debian/vm-rootfs.sh"
else
# ==== VM_ROOTFS=debian (end): the busybox root (not indented) ====
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,home/user,vm,lib64,run}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"

# Copy a file to the same absolute path in the root, with its parent dirs.
put() { # put FILE
	local f=$1 d
	[ -e "$root$f" ] && return 0
	d=$(dirname "$f")
	mkdir -p "$root$d"
	cp -L "$f" "$root$f"
}
# Copy an executable and every shared library ldd lists (plus the loader).
put_exe() { # put_exe FILE [DEST]
	local f=$1 dest=${2:-$1} lib
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$f" "$root$dest"
	chmod 755 "$root$dest"
	ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\//{print $1}' |
	while read -r lib; do
		put "$lib"
		# libraries are found by their ldd path, which may be a symlink
		# name (/lib/x86_64-linux-gnu/libc.so.6): cp -L made it a file.
	done
}

for exe in "$builddir"/cli/numamove; do
	[ -x "$exe" ] && put_exe "$exe"
done
for exe in "$builddir"/tests/vm/* "$builddir"/bench/*; do
	[ -f "$exe" ] && [ -x "$exe" ] && put_exe "$exe"
done
for exe in /usr/bin/numactl /usr/bin/migratepages /usr/bin/memhog /usr/bin/numastat /usr/sbin/mke2fs; do
	[ -x "$exe" ] && put_exe "$exe"
done
# The loader, wherever ldd named it, and the usual /lib64 path.
[ -e /lib64/ld-linux-x86-64.so.2 ] && put /lib64/ld-linux-x86-64.so.2
# Directories created on the way must be reachable by uid 1000.
find "$root" -type d -exec chmod a+rx {} +

cp "$srcdir/lib.sh" "$root/vm/lib.sh"
[ -f "$srcdir/run-cases.sh" ] && cp "$srcdir/run-cases.sh" "$root/vm/run-cases.sh"
if [ -d "$srcdir/cases" ]; then
	mkdir -p "$root/vm/cases"
	cp "$srcdir"/cases/*.sh "$root/vm/cases/" 2>/dev/null || true
fi
cp "$script" "$root/vm/script"
: > "$root/vm/args"
for a in "$@"; do printf '%s\n' "$a" >> "$root/vm/args"; done
chmod -R a+rX "$root/vm"

# Kernel modules with their dependencies, decompressed (busybox insmod and
# modprobe cannot read .ko.xz); modules.dep is made by busybox depmod.
if [ -n "$modules" ]; then
	declare -A seen=()
	modpath() { # name -> relative path of the .ko.xz
		local n=$1 p
		p=$(find "$kmods/kernel" \( -name "$n.ko*" -o -name "${n//_/-}.ko*" \) | head -n1)
		[ -n "$p" ] || p=$(find "$kmods/kernel" -name "${n//-/_}.ko*" | head -n1)
		echo "$p"
	}
	addmod() {
		local n=$1 p rel dep deps
		[ -n "${seen[$n]:-}" ] && return 0
		seen[$n]=1
		p=$(modpath "$n")
		if [ -z "$p" ]; then
			grep -qE "/$n\.ko" "$kmods/modules.builtin" 2>/dev/null ||
				echo "vm.sh: warning: module $n not found" >&2
			return 0
		fi
		rel=${p#"$kmods"/}
		rel=${rel%.xz}; rel=${rel%.zst}; rel=${rel%.gz}
		mkdir -p "$root/lib/modules/$kver/$(dirname "$rel")"
		case $p in
		*.xz) xz -dc "$p" ;;
		*.zst) zstd -dc "$p" ;;
		*.gz) gzip -dc "$p" ;;
		*) cat "$p" ;;
		esac > "$root/lib/modules/$kver/$rel"
		deps=$(strings "$root/lib/modules/$kver/$rel" 2>/dev/null | sed -n 's/^depends=//p' | head -n1)
		for dep in ${deps//,/ }; do addmod "$dep"; done
	}
	for m in $modules; do addmod "$m"; done
	cp "$kmods"/modules.builtin* "$kmods/modules.order" "$root/lib/modules/$kver/" 2>/dev/null || true
	"$busybox" depmod -b "$root" "$kver" 2>/dev/null ||
		echo "vm.sh: warning: depmod failed; use insmod" >&2
fi

cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
user:x:1000:
EOF

cat > "$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:$builddir/cli:$builddir/tests/vm:$builddir/bench
export HOME=/root VM_BUILDDIR=$builddir VM_KERNEL=$kver
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/shm /dev/pts
# a tmpfs on /tmp would hide files of a build directory under /tmp: carry them over
mkdir /.tmp.rootfs && mv /tmp/* /.tmp.rootfs/ 2>/dev/null
mount -t tmpfs -o mode=1777 tmp /tmp
cp -a /.tmp.rootfs/. /tmp/ && rm -rf /.tmp.rootfs
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo 0 > /proc/sys/kernel/numa_balancing
hostname numavm
chown 1000:1000 /home/user
ln -sf /proc/self/fd /dev/fd 2>/dev/null
cd /
echo "@@vm up: \$(uname -r), nodes \$(cat /sys/devices/system/node/online), \$(cut -d' ' -f1 /proc/uptime)s"
set --
while IFS= read -r a; do set -- "\$@" "\$a"; done < /vm/args
sh /vm/script "\$@" < /dev/null
rc=\$?
sync
echo "@@exit \$rc"
poweroff -f
INIT
chmod 755 "$root/init"

# -R 0:0: everything root's (the guest init gives /home/user to uid 1000).
( cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet ) > "$work/initrd.cpio" ||
	die "cpio failed"
fi # ==== VM_ROOTFS=debian: end of the busybox root ====

# --- 3. The machine: VM_SMP CPUs, VM_MEM, the nodes of VM_NODES (parsed above).
log=$work/console
: > "$log"
"$qemu" -accel tcg,thread=multi -smp "$smp" -m "$mem" -nographic -no-reboot \
	-kernel "$kdir/vmlinuz" -initrd "$work/initrd.cpio" \
	-append "console=ttyS0 quiet panic=-1 oops=panic ${VM_APPEND:-}" \
	"${numa_args[@]}" \
	< /dev/null > "$log" 2>&1 &
qpid=$!

# Stream the console; stop QEMU after VM_TIMEOUT seconds.
tail -n +1 -f --pid="$qpid" "$log" | sed -u 's/\r$//' | tee ${VM_LOG:+"$VM_LOG"} &
tpid=$!
timedout=0
start=$(date +%s)
while kill -0 "$qpid" 2>/dev/null; do
	if [ $(( $(date +%s) - start )) -ge "$timeout_s" ]; then
		timedout=1
		kill "$qpid" 2>/dev/null || true
		sleep 2
		kill -9 "$qpid" 2>/dev/null || true
		break
	fi
	sleep 1
done
wait "$qpid" 2>/dev/null || true
qpid=
wait "$tpid" 2>/dev/null || true

if [ "$timedout" = 1 ]; then
	echo "vm.sh: timeout: killed QEMU after ${timeout_s}s" >&2
	exit 124
fi
rc=$(tr -d '\r' < "$log" | sed -n 's/^@@exit \([0-9]*\)$/\1/p' | tail -n1)
if [ -z "$rc" ]; then
	echo "vm.sh: the VM stopped without reporting an exit status" >&2
	exit 125
fi
exit "$rc"
