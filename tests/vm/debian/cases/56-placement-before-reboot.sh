# A placement kept across a reboot (issue 14), first boot. The VM has a
# disk (debian-tests.sh: VM_DISK, /dev/vda, blank now) that the second boot
# finds again (56-placement-after-reboot). A 64 MiB file on ext4 on that
# disk is placed bind:2 with numamove place; read on node 0's CPU, its
# pages are on node 2 within 2 s, as an independent program measures it
# (measure.py: mincore(2) and move_pages(2) on its own mapping). Then the
# machine "shuts down": the placement stays in the file's attribute on the
# disk, and numamoved's registry (/var/lib/numamoved/placements, on the
# root file system of a real machine, here rebuilt at every boot) is kept
# on the disk for the second boot to put back where it was. numamoved and
# numamoved.path are stopped and the registry removed here, so that
# nothing of this boot's daemon runs on: the purge check of this boot
# sees a clean system.
# timeout: 240
. /vm/files/numamoved/nmd-lib.sh
mnt=/mnt/nmdisk
cleanup() {
	umount "$mnt" 2>/dev/null
	nmd_cleanup
}
trap cleanup EXIT
/sbin/modprobe virtio_blk 2>/dev/null
wait_for 10 test -b /dev/vda || skip "no disk /dev/vda (VM_DISK: the case 56-placement-after-reboot was not chosen)"
/usr/bin/systemctl is-enabled numamoved.path > "$T/en" 2>&1
[ "$(cat "$T/en")" = enabled ] || fail "numamoved.path is not enabled by the package: $(cat "$T/en")"
/usr/sbin/mke2fs -q -t ext4 -F /dev/vda || fail "mke2fs /dev/vda"
mkdir -p "$mnt"
mount -t ext4 /dev/vda "$mnt" || { dmesg | tail -n 5; fail "mount /dev/vda"; }
dd if=/dev/urandom of="$mnt/f" bs=1M count=64 iflag=fullblock 2>/dev/null || fail "cannot write $mnt/f"
sync
cpu0=$(node_cpus 0 | cut -d, -f1 | cut -d- -f1)
nm place --policy bind:2 "$mnt/f"
assert_rc 0
nmd_wait_active 20 || fail "numamoved did not start"
sync
echo 1 > /proc/sys/vm/drop_caches
/usr/bin/taskset -c "$cpu0" /bin/cat "$mnt/f" > /dev/null || fail "the read on node 0"
wait_for 2 _ok95 "$mnt/f" 2 || fail "before the reboot: $(cat "$T/m.out") 2 s after the read (wanted >= 95% on node 2)"
note "before the reboot: $(cat "$T/m.out")"
nm show -o PLACEMENT,PLACED-BY,CONFORM,RES,N0,N2 "$mnt/f"   # for the transcript: numamove's view
[ -s /var/lib/numamoved/placements ] || fail "no registry /var/lib/numamoved/placements after numamove place"
# Shut down: the daemon and its path unit stop; the registry goes to the disk.
/usr/bin/systemctl stop numamoved.path numamoved.service || fail "systemctl stop numamoved.path numamoved"
mkdir -p "$mnt/.root-var-lib-numamoved"
cp -p /var/lib/numamoved/placements "$mnt/.root-var-lib-numamoved/" || fail "cannot keep the registry on the disk"
rm -f /var/lib/numamoved/placements
note "its attribute, on the disk: $(/usr/bin/python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.numamove.placement").decode())' "$mnt/f")"
umount "$mnt" || fail "umount $mnt"
sync
