# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/vm/vm.sh when VM_ROOTFS=debian (bash, set -euo pipefail;
# uses vm.sh's builddir, script, srcdir, cache, work, kver, die and "$@").
# Makes $work/initrd.cpio: the cached Debian root file system (rootfs.sh)
# with an overlay archive appended (the kernel unpacks both, the second over
# the first):
#   /vm/script, /vm/args, /vm/lib.sh, /vm/run-cases.sh, /vm/cases/  as in the
#                   busybox machine
#   /vm/files/      a copy of VM_FILES_DIR (packages, programs, extra cases)
#   /vm/bin/sh      busybox: the test harness and the cases run in busybox
#                   sh, as in the busybox machine; everything else is Debian's
#   /vm/boot.sh     run by numamove-vm.service, a oneshot unit ordered after
#                   multi-user.target: it prints "@@vm up ...", runs SCRIPT,
#                   prints "@@exit N", and the unit powers the machine off
#                   (SuccessAction/FailureAction=poweroff-force); an OOM
#                   kill inside does not end it (OOMPolicy=continue)
#   /vm/build/tests/vm/*, /vm/build/bench/*   the test programs of BUILDDIR
#                   (executables only: the libraries they need come from the
#                   Debian root; not at BUILDDIR's path, which may be under
#                   /tmp, emptied by systemd-tmpfiles at boot); VM_BUILDDIR
#                   is /vm/build
#   /usr/lib/modules/KVER/   the modules of VM_MODULES with their
#                   dependencies, as Debian ships them (.ko.xz); boot.sh runs
#                   depmod, modprobe loads them
# No numamove and no libnumamove from BUILDDIR: the tests install them from
# the packages.
debian_image=$("$srcdir/debian/rootfs.sh" "$cache") || die "no Debian root file system (tests/vm/debian/rootfs.sh)"
ov=$work/overlay
mkdir -p "$ov/vm/bin" "$ov/vm/cases" "$ov/vm/files" "$ov/etc/systemd/system/multi-user.target.wants"
ln -s /bin/busybox "$ov/vm/bin/sh"
cp "$srcdir/lib.sh" "$srcdir/run-cases.sh" "$ov/vm/"
cp "$srcdir"/cases/*.sh "$ov/vm/cases/"
cp "$script" "$ov/vm/script"
: > "$ov/vm/args"
for a in "$@"; do printf '%s\n' "$a" >> "$ov/vm/args"; done
if [ -n "${VM_FILES_DIR:-}" ]; then
	[ -d "$VM_FILES_DIR" ] || die "VM_FILES_DIR=$VM_FILES_DIR is not a directory"
	cp -a "$VM_FILES_DIR/." "$ov/vm/files/"
fi
for dir in tests/vm bench; do
	for exe in "$builddir/$dir"/*; do
		if [ -f "$exe" ] && [ -x "$exe" ]; then
			mkdir -p "$ov/vm/build/$dir"
			cp -L "$exe" "$ov/vm/build/$dir/"
		fi
	done
done
if [ -n "$modules" ]; then
	mdir=$ov/usr/lib/modules/$kver	# /lib is a link to usr/lib in Debian 12
	declare -A dseen=()
	dmod() { # dmod NAME: copy the module and its dependencies
		local n=$1 p rel dep
		[ -n "${dseen[$n]:-}" ] && return 0
		dseen[$n]=1
		p=$(find "$kmods/kernel" \( -name "$n.ko*" -o -name "${n//_/-}.ko*" -o -name "${n//-/_}.ko*" \) | head -n1)
		if [ -z "$p" ]; then
			grep -qE "/($n|${n//_/-})\.ko" "$kmods/modules.builtin" 2>/dev/null ||
				echo "vm.sh: warning: module $n not found" >&2
			return 0
		fi
		rel=${p#"$kmods"/}
		mkdir -p "$mdir/$(dirname "$rel")"
		cp "$p" "$mdir/$rel"
		case $p in
		*.xz) xz -dc "$p" ;;
		*.zst) zstd -dc "$p" ;;
		*.gz) gzip -dc "$p" ;;
		*) cat "$p" ;;
		esac | strings | sed -n 's/^depends=//p' | head -n1 > "$work/deps"
		for dep in $(tr ',' ' ' < "$work/deps"); do dmod "$dep"; done
	}
	for m in $modules; do dmod "$m"; done
	cp "$kmods"/modules.builtin* "$kmods/modules.order" "$mdir/" 2>/dev/null || true
fi
cat > "$ov/vm/boot.sh" <<BOOT
export PATH=/vm/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/vm/build/tests/vm:/vm/build/bench:/vm/files/bin
export HOME=/root VM_BUILDDIR=/vm/build VM_KERNEL=$kver VM_ROOTFS=debian LANG=C.UTF-8
echo 0 > /proc/sys/kernel/numa_balancing
[ -d /usr/lib/modules/$kver ] && /usr/sbin/depmod -a $kver
cd /
echo "@@vm up: \$(uname -r), nodes \$(cat /sys/devices/system/node/online), \$(cut -d' ' -f1 /proc/uptime)s, systemd \$(systemctl is-system-running)"
set --
while IFS= read -r a; do set -- "\$@" "\$a"; done < /vm/args
sh /vm/script "\$@" < /dev/null
rc=\$?
sync
echo "@@exit \$rc"
BOOT
cat > "$ov/etc/systemd/system/numamove-vm.service" <<'UNIT'
[Unit]
Description=numamove VM test script
After=multi-user.target
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
ExecStart=/bin/busybox sh /vm/boot.sh
StandardInput=null
StandardOutput=tty
StandardError=inherit
TTYPath=/dev/ttyS0
TTYReset=no
TTYVHangup=no
TimeoutStartSec=infinity
# a case's process killed by the kernel's OOM killer fails that case, not
# the whole run (systemd's default, OOMPolicy=stop, ends the unit)
OOMPolicy=continue

[Install]
WantedBy=multi-user.target
UNIT
ln -s ../numamove-vm.service "$ov/etc/systemd/system/multi-user.target.wants/numamove-vm.service"
chmod -R a+rX "$ov/vm"
find "$ov" -type d -exec chmod 755 {} +
# -mindepth 1: no entry for "/" itself (it would take the overlay's mode).
( cd "$ov" && find . -mindepth 1 -print0 | cpio --null -o -H newc -R 0:0 --quiet ) > "$work/overlay.cpio" ||
	die "cpio failed"
cat "$debian_image" "$work/overlay.cpio" > "$work/initrd.cpio"
rm -f "$work/overlay.cpio"
echo "vm.sh: Debian root file system $(basename "$debian_image") + overlay" >&2
