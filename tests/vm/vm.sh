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
# The machine (QEMU; TCG, or KVM where a probe boot works), VM_TOPOLOGY:
#   4node (default): 2 CPUs, 4 NUMA nodes
#     node 0: 1024M, cpu 0     node 2: 1280M, no CPUs
#     node 1: 1024M, cpu 1     node 3:  768M, no CPUs (the smallest)
#   sparse: 3 CPUs, nodes 0,1,2,5,7 (ids 3, 4 and 6 do not exist)
#     node 0: 1024M, cpu 0     node 5: 768M, no CPUs
#     node 1: no memory, cpu 1 node 7: 256M, no CPUs
#     node 2: 1024M, cpu 2
#   memless: 3 CPUs, 5 nodes, shaped like a machine with a CPU-only node
#     and memory-only (CXL-like) nodes of unequal sizes
#     node 0: 1024M, cpu 0     node 3: 768M, no CPUs
#     node 1: no memory, cpus 1-2  node 4: 512M, no CPUs
#     node 2: 1280M, no CPUs
# (VM_NODES, VM_MEM and VM_SMP below change it: the test suite expects a
# preset)
# The kernel, VM_KERNEL: 6.12 (default; Debian 12's linux-image-6.12-amd64)
# or 6.1 (Debian 12's stock linux-image-amd64), each pinned to an exact
# package version (KERNEL_6_12, KERNEL_6_1 below; a pin that left the
# archive falls back to the newest of its series, with a warning), or
# PACKAGE=VERSION. vm.sh prints the package that ran.
#
# What is inside: busybox, BUILDDIR/cli/numamove, BUILDDIR/daemon/numamoved
# (when built; run it on a private bus: dbus-daemon, when the host has it,
# with a config of your own, NUMAMOVED_BUS=session), the test programs of
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
#   VM_KERNEL    6.12, 6.1 or PACKAGE=VERSION (above)
#   VM_TOPOLOGY  4node, sparse or memless (above)
#   VM_ACCEL     auto (default: KVM when a probe boot of this kernel under
#                KVM prints its line within VM_KVM_PROBE_S, 30 s; cached per
#                host boot and kernel in VM_CACHE), kvm or tcg
#   VM_INFO      write kernel_package=, kernel_release=, topology=, accel=
#                lines to this file
#   VM_KEEP_CONSOLE  where the whole console of a failed run (exit not 0)
#                is kept (default BUILDDIR/vm-logs/console-TIME-PID.log);
#                vm.sh also prints why the VM stopped (panic, oops, OOM,
#                QEMU's error, the case that was running)
#   VM_TIMEOUT   seconds before QEMU is killed (default 900); exit 124 then
#   VM_CACHE     kernel cache directory (default BUILDDIR/vm-cache)
#   VM_MODULES   kernel modules to include (default "brd ext4 crc32c_generic":
#                ext4 checksums its metadata with crc32c)
#   VM_APPEND    extra kernel command line
#   VM_DISK      a file attached as a virtio disk, /dev/vda inside (raw;
#                writes reach the file): what survives a "reboot", that is
#                a second vm.sh with the same VM_DISK. Adds the module
#                virtio_blk (modprobe virtio_blk inside)
#   VM_LOG       also write the console to this file
#   VM_QEMU      QEMU binary (default qemu-system-x86_64)
#   VM_NODES     the NUMA nodes, space-separated ID:SIZE[:CPUS] (SIZE with M
#                or G, CPUS a list like 0 or 0-1 or 0,2); default: the
#                topology's. Every node is a prealloc=on RAM backend (the
#                host commits all of it at boot); SIZE 0 is a node without
#                memory. With gaps in the ids, the nodes with a CPU must be
#                0..K-1, node N with CPU N (see "Sparse node ids" below).
#   VM_MEM       total memory, QEMU -m (default: the sum of the node sizes,
#                4G for the default nodes); QEMU wants it equal to that sum
#   VM_SMP       number of CPUs (default: the topology's); each CPU goes to one node's CPUS
#                (the bench layout: VM_NODES="0:3840M:0 1:256M:1 2:3840M
#                3:256M" VM_MEM=8G)
#   VM_TIER      a node without CPUs (e.g. 4 on memless) whose memory is a
#                LOWER memory tier, like CXL or persistent memory onlined as
#                system RAM: what automatic NUMA balancing mode 2 (memory
#                tiering) promotes pages from. Without an ACPI HMAT the kernel
#                puts all boot memory in one tier. (6.12 also tiers CPU-less
#                boot memory by the latency and bandwidth of an HMAT, QEMU's
#                -machine hmat=on; 6.1 predates that; and Linux ignores all of
#                QEMU's HMAT when a node has no memory, as memless's node 1:
#                "acpi/hmat: Ignoring: Invalid table", its memory domain not in
#                the SRAT.) Memory onlined by the dax "kmem" driver gets a
#                lower tier on both kernels, so vm.sh carves the node's
#                whole range out of boot memory as legacy persistent memory
#                (kernel parameter memmap=SIZE!START, e820 type 12; the node
#                must lie wholly below or wholly above the 4 GiB hole) and
#                adds the modules nd_e820 nd_pmem dax_pmem device_dax kmem;
#                at boot, before SCRIPT, the guest makes it device-dax and
#                hands it to kmem (tier_online in lib.sh), so the node comes
#                back online with its memory in a lower tier
#                (/sys/devices/virtual/memory_tiering shows two tiers). The
#                node loses its first 128M memory block to the device-dax
#                metadata and alignment (memless node 4: 384M, not 512M).
#                Inside, VM_TIER names the node; a failed setup prints
#                "@@tier failed: ..." and the script runs anyway. Not with
#                VM_ROOTFS=debian.
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
. "$srcdir/vm-common.sh"   # busybox_init, vm_run
timeout_s=${VM_TIMEOUT:-900}
cache=${VM_CACHE:-$builddir/vm-cache}
modules=${VM_MODULES-brd ext4 crc32c_generic}
disk_args=()
if [ -n "${VM_DISK:-}" ]; then
	[ -f "$VM_DISK" ] && [ -w "$VM_DISK" ] || die "VM_DISK=$VM_DISK is not a writable file"
	modules="$modules virtio_blk"
	# file= is split on commas by QEMU: the path goes in with commas doubled
	disk_args=(-drive "file=${VM_DISK//,/,,},format=raw,if=virtio,cache=writeback")
fi
qemu=${VM_QEMU:-qemu-system-x86_64}
# The kernels, pinned (package=version); see VM_KERNEL.
KERNEL_6_12=linux-image-6.12.117+deb12-amd64=6.12.117-1~deb12u1
KERNEL_6_1=linux-image-6.1.0-50-amd64=6.1.176-1
# The topologies; see VM_TOPOLOGY.
topology=${VM_TOPOLOGY:-4node}
case $topology in
4node) tnodes="0:1024M:0 1:1024M:1 2:1280M 3:768M" tsmp=2 ;;
sparse) tnodes="0:1024M:0 1:0:1 2:1024M:2 5:768M 7:256M" tsmp=3 ;;
memless) tnodes="0:1024M:0 1:0:1-2 2:1280M 3:768M 4:512M" tsmp=3 ;;
*) die "VM_TOPOLOGY=$topology: 4node, sparse or memless" ;;
esac
nodes=${VM_NODES:-$tnodes}
mem=${VM_MEM:-}
smp=${VM_SMP:-$tsmp}

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
	if [ "$(mib "$size")" = 0 ]; then
		# size 0: a memoryless node (with CPUs, or the kernel never sees it)
		opt="node,nodeid=$id"
	else
		numa_args+=(-object "memory-backend-ram,id=m$id,size=$size,prealloc=on")
		opt="node,nodeid=$id,memdev=m$id"
	fi
	for c in ${cpus//,/ }; do opt+=",cpus=$c"; done
	numa_args+=(-numa "$opt")
done
[ ${#numa_args[@]} -gt 0 ] || die "VM_NODES is empty"
# Sparse node ids. The guest kernel numbers nodes in the order their
# proximity domains first appear in the ACPI SRAT (CPUs first, in CPU
# order), so QEMU's node ids alone give a guest 0,1,2,...: gaps need SRAT
# entries for domains that never come online. So, with gaps, every id up to
# the highest gets one CPU socket (socket N on node N); the first VM_SMP
# sockets are present, the others absent, and the kernel is told nr_cpus=
# VM_SMP so the absent CPUs are not even possible: their domains take node
# ids that stay offline. Hence, with gaps, the nodes with CPUs must be 0..K-1,
# one CPU each, CPU N on node N. (CPUs plugged at start with -device on
# later sockets would allow any ids, and 6.12 boots that way, but 6.1's
# secondary CPUs then never wake up: soft lockups at boot.)
maxid=$(for spec in $nodes; do echo "${spec%%:*}"; done | sort -n | tail -n1)
nnodes=$(echo $nodes | wc -w)
sparse_cpus=
if [ $(( maxid + 1 )) != "$nnodes" ]; then
	for spec in $nodes; do
		id=${spec%%:*} c=$(echo "$spec" | cut -d: -f3)
		[ -n "$c" ] || continue
		[ "$c" = "$id" ] || die "VM_NODES: with sparse node ids, node N has CPU N or none ($spec)"
		sparse_cpus+=" $id"
	done
	smp=$(echo $sparse_cpus | wc -w)
	[ "$(echo $sparse_cpus | tr ' ' '\n' | sort -n | tail -n1)" = $(( smp - 1 )) ] ||
		die "VM_NODES: with sparse node ids, the nodes with a CPU are 0 to K-1"
	for (( id = 0; id <= maxid; id++ )); do
		[[ " $nodes" == *" $id:"* ]] || numa_args+=(-numa "node,nodeid=$id")
		numa_args+=(-numa "cpu,node-id=$id,socket-id=$id")
	done
	# the CPUS of the nodes became sockets: drop them from the node options
	for (( i = 0; i < ${#numa_args[@]}; i++ )); do
		numa_args[i]=$(echo "${numa_args[i]}" | sed 's/,cpus=[0-9]*//g')
	done
fi
if [ -z "$mem" ]; then
	mem=${nodes_mib}M
	[ "$nodes_mib" = 4096 ] && mem=4G
fi
[[ $mem =~ ^[0-9]+[MmGg]?$ ]] || die "VM_MEM=$mem: a size like 4G or 8192M"
# QEMU wants the nodes to add up to exactly -m.
[ "$nodes_mib" = "$(mib "$mem")" ] || die "VM_NODES add up to ${nodes_mib}M, not VM_MEM=$mem"

# VM_TIER: the node's guest-physical range. QEMU (pc machine) lays the
# nodes' memory out in node id order from 0; with 3.5G or more in all, the
# first 3G lie below 4G and the rest from 4G up (gigabyte-aligned split),
# otherwise all of it lies below 4G.
tier=${VM_TIER:-}
tier_append=
if [ -n "$tier" ]; then
	[[ $tier =~ ^[0-9]+$ ]] || die "VM_TIER=$tier: a node id"
	[ "${VM_ROOTFS:-busybox}" = busybox ] || die "VM_TIER: only with the busybox root (its init brings the node back)"
	total=$(mib "$mem") lowmem=$(mib "$mem")
	[ "$total" -ge 3584 ] && lowmem=3072
	off=0 tstart= tsize=
	for spec in $(for s in $nodes; do echo "$s"; done | sort -t: -k1,1n); do
		IFS=: read -r id size cpus <<< "$spec"
		size=$(mib "$size")
		if [ "$id" = "$tier" ]; then
			[ -z "$cpus" ] || die "VM_TIER=$tier: node $tier has CPUs ($cpus)"
			[ "$size" -gt 128 ] || die "VM_TIER=$tier: node $tier has ${size}M; it needs more than one 128M memory block"
			if [ $(( off + size )) -le "$lowmem" ]; then
				tstart=$off
			elif [ "$off" -ge "$lowmem" ]; then
				tstart=$(( 4096 + off - lowmem ))
			else
				die "VM_TIER=$tier: node $tier's memory straddles the 4 GiB hole (${off}M..$(( off + size ))M, split at ${lowmem}M)"
			fi
			tsize=$size
		fi
		off=$(( off + size ))
	done
	[ -n "$tstart" ] || die "VM_TIER=$tier: no node $tier in VM_NODES"
	tier_append="memmap=${tsize}M!${tstart}M"
	modules="$modules nd_e820 nd_pmem dax_pmem device_dax kmem"
fi

for tool in "$qemu" busybox cpio ldd dpkg apt-get apt-cache xz; do
	command -v "$tool" >/dev/null || die "missing $tool (apt-get install qemu-system-x86 busybox-static cpio xz-utils)"
done
busybox=$(command -v busybox)
ldd "$busybox" >/dev/null 2>&1 &&
	die "$busybox is dynamically linked; install busybox-static"

# --- 1. The kernel, pinned and cached: vmlinuz and lib/modules of one Debian
# kernel image package, at an exact version.
kernel=${VM_KERNEL:-6.12}
case $kernel in
6.12) kpin=$KERNEL_6_12 kmeta=linux-image-6.12-amd64 ;;
6.1) kpin=$KERNEL_6_1 kmeta=linux-image-amd64 ;;
linux-image-*=*) kpin=$kernel kmeta= ;;
*) die "VM_KERNEL=$kernel: 6.12, 6.1 or PACKAGE=VERSION" ;;
esac
mkdir -p "$cache"
# kfetch PACKAGE VERSION DIR: download and unpack the image into DIR.
kfetch() {
	local pkg=$1 ver=$2 out=$3 dl deb vml kv
	dl=$(mktemp -d "$cache/dl.XXXXXX")
	( cd "$dl" && apt-get download "$pkg=$ver" >&2 ) 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true
	deb=$(ls "$dl"/*.deb 2>/dev/null | head -n1)
	[ -n "$deb" ] || { rm -rf "$dl"; return 1; }
	dpkg -x "$deb" "$dl/x"
	vml=$(ls "$dl"/x/boot/vmlinuz-* | head -n1)
	kv=${vml##*/vmlinuz-}
	rm -rf "$out.new"
	mkdir -p "$out.new/lib/modules"
	mv "$vml" "$out.new/vmlinuz"
	cp "$dl/x/boot/config-$kv" "$out.new/config" 2>/dev/null || true
	mv "$dl/x/lib/modules/$kv" "$out.new/lib/modules/$kv"
	echo "$kv" > "$out.new/version"
	echo "$pkg=$ver" > "$out.new/package"
	rm -rf "$dl" "$out"
	mv "$out.new" "$out"
}
kpkg=${kpin%%=*} kpver=${kpin#*=}
kdir=$cache/kernel-${kpkg}_$kpver
# One fetch at a time per cache: the VMs of scripts/test.sh's parts that
# run side by side share it, and start with the same kernel.
exec {klock}> "$cache/kernel.lock"
flock "$klock"
if [ ! -f "$kdir/vmlinuz" ] || [ ! -f "$kdir/version" ]; then
	echo "vm.sh: fetching $kpkg=$kpver into $kdir" >&2
	if ! kfetch "$kpkg" "$kpver" "$kdir"; then
		apt-get update >&2 || true
		kfetch "$kpkg" "$kpver" "$kdir" || {
			# The archive keeps only the newest security update: a pin
			# goes stale. Run the newest image of the same series and
			# say so (the summary names the exact package that ran).
			[ -n "$kmeta" ] || die "apt-get download $kpkg=$kpver failed"
			kpkg=$(apt-cache depends "$kmeta" 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
			kpver=$(apt-cache show "$kpkg" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
			[ -n "$kpkg" ] && [ -n "$kpver" ] || die "cannot resolve $kmeta to an image package"
			echo "vm.sh: warning: the pinned kernel $kpin is no longer in the archive; using $kpkg=$kpver (update KERNEL_${kernel//./_} in vm.sh)" >&2
			kdir=$cache/kernel-${kpkg}_$kpver
			[ -f "$kdir/vmlinuz" ] || kfetch "$kpkg" "$kpver" "$kdir" ||
				die "apt-get download $kpkg=$kpver failed"
		}
	fi
fi
exec {klock}>&-
kver=$(cat "$kdir/version")
kpackage=$(cat "$kdir/package")
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
	# paths may hold spaces (a build directory under "/tmp/fresh clone")
	ldd "$f" 2>/dev/null | sed -n 's/^[[:space:]]*[^[:space:]]* => \(\/.*\) (0x[0-9a-f]*)$/\1/p
		s/^[[:space:]]*\(\/[^[:space:]]*\) (0x[0-9a-f]*)$/\1/p' |
	while read -r lib; do
		put "$lib"
		# libraries are found by their ldd path, which may be a symlink
		# name (/lib/x86_64-linux-gnu/libc.so.6): cp -L made it a file.
	done
}

for exe in "$builddir"/cli/numamove "$builddir"/daemon/numamoved; do
	[ -x "$exe" ] && put_exe "$exe"
done
for exe in "$builddir"/tests/vm/* "$builddir"/bench/*; do
	[ -f "$exe" ] && [ -x "$exe" ] && put_exe "$exe"
done
for exe in /usr/bin/numactl /usr/bin/migratepages /usr/bin/memhog /usr/bin/numastat /usr/sbin/mke2fs \
	/usr/bin/dbus-daemon; do
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

busybox_init "$root" numavm "$builddir/cli:$builddir/tests/vm:$builddir/bench" "VM_BUILDDIR=\"$builddir\" VM_KERNEL=$kver${tier:+ VM_TIER=$tier}"

# -R 0:0: everything root's (the guest init gives /home/user to uid 1000).
( cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet ) > "$work/initrd.cpio" ||
	die "cpio failed"
fi # ==== VM_ROOTFS=debian: end of the busybox root ====

# --- 3. The accelerator: KVM only where a probe boot of this kernel under
# KVM (a tiny initramfs that prints one line) succeeds within VM_KVM_PROBE_S
# seconds; guests hang in early boot under KVM on some hosts. The result is
# cached per host boot and kernel in the cache directory.
accel=${VM_ACCEL:-auto}
kvm_probe() {
	local key f d pid i ok=no
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo no; return; }
	key=$(hostname)-$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)-${kdir##*/}
	f=$cache/kvm-probe.$key
	[ -f "$f" ] && { cat "$f"; return; }
	d=$(mktemp -d "$cache/probe.XXXXXX")
	mkdir -p "$d/root/bin"
	cp "$busybox" "$d/root/bin/busybox"
	printf '#!/bin/busybox sh\n/bin/busybox echo @@kvm-probe-ok\n/bin/busybox poweroff -f\n' > "$d/root/init"
	chmod 755 "$d/root/init"
	( cd "$d/root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet ) > "$d/initrd"
	"$qemu" -accel kvm -cpu host -smp 1 -m 256M -nographic -no-reboot \
		-kernel "$kdir/vmlinuz" -initrd "$d/initrd" \
		-append "console=ttyS0 quiet panic=-1" < /dev/null > "$d/console" 2>&1 &
	pid=$!
	for (( i = 0; i < ${VM_KVM_PROBE_S:-30}; i++ )); do
		grep -q '@@kvm-probe-ok' "$d/console" && { ok=yes; break; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	grep -q '@@kvm-probe-ok' "$d/console" && ok=yes
	rm -rf "$d"
	echo "$ok" > "$f"
	echo "$ok"
}
case $accel in
auto) if [ "$(kvm_probe)" = yes ]; then accel=kvm; else accel=tcg; fi ;;
kvm|tcg) ;;
*) die "VM_ACCEL=$accel: auto, kvm or tcg" ;;
esac
if [ "$accel" = kvm ]; then
	accel_args=(-accel kvm -cpu host)
else
	accel_args=(-accel tcg,thread=multi)
fi
# One socket per CPU: with QEMU's default (one socket of VM_SMP cores, one
# last-level cache) CPUs of different nodes share a cache, and the kernel
# WARNs at boot (smpboot.c topology_sane: "llc-sibling CPU #0 is not on the
# same node").
smp_arg="$smp,sockets=$smp,cores=1,threads=1" kappend=
if [ -n "$sparse_cpus" ]; then
	smp_arg="$smp,sockets=$(( maxid + 1 )),cores=1,threads=1,maxcpus=$(( maxid + 1 ))"
	kappend="nr_cpus=$smp"
fi
echo "vm.sh: kernel $kpackage ($kver), topology $topology (${nodes// /, }; $smp CPUs)${tier:+, node $tier a lower memory tier ($tier_append)}, $accel" >&2
if [ -n "${VM_INFO:-}" ]; then
	printf 'kernel_package=%s\nkernel_release=%s\ntopology=%s\naccel=%s\n' \
		"$kpackage" "$kver" "$topology" "$accel" > "$VM_INFO"
fi

# --- 3. The machine: VM_SMP CPUs, VM_MEM, the nodes of VM_NODES (parsed above).
# nowatchdog: under software emulation on a busy host a vCPU can go
# unscheduled for tens of seconds, and the soft lockup detector would then
# log a "BUG: soft lockup" that says nothing about the kernel (the health
# scan fails on it). A real hang still ends the case by its time limit.
log=$work/console vm_name=vm.sh vm_tag=
vm_run "$qemu" "${accel_args[@]}" -smp "$smp_arg" -m "$mem" -nographic -no-reboot \
	-kernel "$kdir/vmlinuz" -initrd "$work/initrd.cpio" \
	-append "console=ttyS0 quiet panic=-1 oops=panic nowatchdog $kappend $tier_append ${VM_APPEND:-}" \
	"${numa_args[@]}" "${disk_args[@]}"
