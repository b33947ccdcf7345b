#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# rootfs.sh CACHEDIR: build (once) a Debian 12 root file system for the test
# VM and print the path of its initramfs image (an uncompressed newc cpio).
#
# The tree is made by mmdebstrap from Debian's packages: minbase plus systemd
# as init, dbus, polkitd, the runtime dependencies of numamove's packages
# (libnuma1, libsmartcols1), numactl, libnuma-dev and pkgconf (so that
# libnumamove-dev installs and its .pc resolves), busybox-static (the VM
# test harness is busybox sh), kmod (modprobe) and postgresql-15 (a real
# server whose shared buffers are anonymous shared memory: case
# 52-postgresql; its packaged cluster is masked, the case starts its own).
# python3-dbus is a D-Bus client other than busctl for the numamoved cases
# (53-numamoved-*), which pass pidfds with it. slurmd, slurmctld,
# slurm-client and munge: a one-node Slurm cluster for 55-slurm (their
# units disabled: the case configures and starts them). Users: "user" (uid/gid 1000),
# "other" (uid/gid 1001: another user's process), "member" (uid/gid 1002,
# also in the group "numamove-admin", gid 1100: the group the numamoved
# cases name as admin-group). The consoles run no getty, /init starts
# systemd.
#
# The image is cached as CACHEDIR/debian-rootfs-KEY.cpio, KEY a hash of the
# suite, the package list, the mmdebstrap options (the customize hook
# included) and the mirrors: change any of them and the next run builds a
# new one (the old images are removed). The archive moving on (point
# releases) does not invalidate it; delete the file to refresh.
#
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian) and
# DEBIAN_SECURITY (default http://deb.debian.org/debian-security), both part
# of the key.
set -euo pipefail

die() { echo "rootfs.sh: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: rootfs.sh CACHEDIR"
cache=$1
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
packages=(
	systemd-sysv dbus polkitd            # the system the daemon will run in
	libnuma1 libsmartcols1               # runtime dependencies of the packages
	numactl                              # numactl --membind in the cases
	libnuma-dev pkgconf                  # libnumamove-dev's dependency; pkg-config
	busybox-static                       # the shell the test harness runs in
	kmod                                 # modprobe (brd, ext4: VM_MODULES)
	postgresql-15                        # debian/cases/52-postgresql.sh
	python3-dbus                         # debian/cases/53-numamoved-*: a second bus client
	slurmd slurmctld slurm-client munge  # debian/cases/55-slurm.sh: a one-node Slurm (22.05)
)
# The customization: the test users and group, no gettys on the consoles (the serial
# console carries the test output), /init for the kernel to start.
hook='chroot "$1" groupadd -g 1000 user &&
chroot "$1" useradd -u 1000 -g 1000 -m -s /bin/sh user &&
chroot "$1" groupadd -g 1001 other &&
chroot "$1" useradd -u 1001 -g 1001 -m -s /bin/sh other &&
chroot "$1" groupadd -g 1100 numamove-admin &&
chroot "$1" groupadd -g 1002 member &&
chroot "$1" useradd -u 1002 -g 1002 -G numamove-admin -m -s /bin/sh member &&
chroot "$1" systemctl mask serial-getty@ttyS0.service getty@tty1.service console-getty.service &&
chroot "$1" systemctl mask postgresql.service postgresql@15-main.service &&
chroot "$1" systemctl disable munge.service slurmd.service slurmctld.service &&
echo numavm > "$1/etc/hostname" &&
ln -s /lib/systemd/systemd "$1/init"'
opts=(--variant=minbase --mode=root --format=directory
	"--include=$(IFS=,; echo "${packages[*]}")"
	--customize-hook="$hook")
sources=("deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security $suite-security main")

# The key: everything that makes the tree, and the image format (bump
# "image 1" when the packing below changes).
key=$(printf '%s\n' "image 1" "$suite" "${packages[@]}" "${opts[@]}" "${sources[@]}" | sha256sum | cut -c1-16)
image=$cache/debian-rootfs-$key.cpio
if [ -s "$image" ]; then
	echo "$image"
	exit 0
fi

command -v mmdebstrap >/dev/null || die "missing mmdebstrap (apt-get install mmdebstrap)"
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap --mode=root)"
tmp=$(mktemp -d "$cache/rootfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "rootfs.sh: building the Debian $suite root file system (mmdebstrap)" >&2
start=$(date +%s)
mmdebstrap --quiet "${opts[@]}" "$suite" "$tmp/root" "${sources[@]}" < /dev/null >&2 ||
	die "mmdebstrap failed"
( cd "$tmp/root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet ) > "$tmp/image.cpio" ||
	die "cpio failed"
rm -f "$cache"/debian-rootfs-*.cpio
mv "$tmp/image.cpio" "$image"
echo "rootfs.sh: built $(du -h "$image" | cut -f1) in $(( $(date +%s) - start ))s: $image" >&2
echo "$image"
