# A placement kept across a reboot (issue 14), second boot: a new VM with
# the disk of the first (56-placement-before-reboot placed its file bind:2
# and kept numamoved's registry there), the packages installed again. The
# registry is put back where the root file system of a real machine keeps
# it (/var/lib/numamoved) with numamoved.path stopped, which is then
# started as at boot (it looks for the registry when it starts); with no
# call on the bus, it starts numamoved, which reads the placement again from the file's
# attribute and applies it: the file, read on node 0's CPU after the boot
# (so from the disk: nothing of it was in memory), has at least 95% of its
# pages on node 2 within 2 s, as measure.py measures it.
# timeout: 240
. /vm/files/numamoved/nmd-lib.sh
mnt=/mnt/nmdisk
cleanup() {
	/usr/bin/numamove place --clear "$mnt/f" > /dev/null 2>&1
	umount "$mnt" 2>/dev/null
	nmd_cleanup
}
trap cleanup EXIT
/sbin/modprobe virtio_blk 2>/dev/null
wait_for 10 test -b /dev/vda || fail "no disk /dev/vda"
mkdir -p "$mnt"
mount -t ext4 /dev/vda "$mnt" || fail "mount /dev/vda: the first boot did not make its file system"
[ -s "$mnt/.root-var-lib-numamoved/placements" ] || fail "the first boot kept no registry on the disk"
[ "$(nmd_active)" = inactive ] || fail "numamoved runs before the registry is back: $(nmd_active)"
[ "$(/usr/bin/systemctl show -P ActiveState numamoved.path)" = active ] ||
	fail "numamoved.path is not active: $(/usr/bin/systemctl show -P ActiveState numamoved.path)"
nm show -o PLACEMENT,PLACED-BY,CONFORM,RES,N0,N2 "$mnt/f"   # after the boot: nothing resident
# The registry back on the root file system, as the first boot left it; then numamoved.path starts, as at boot.
/usr/bin/systemctl stop numamoved.path || fail "systemctl stop numamoved.path"
mkdir -p -m 0700 /var/lib/numamoved
cp -p "$mnt/.root-var-lib-numamoved/placements" /var/lib/numamoved/placements || fail "cannot put the registry back"
[ "$(nmd_active)" = inactive ] || fail "numamoved runs before numamoved.path starts: $(nmd_active)"
/usr/bin/systemctl start numamoved.path || fail "systemctl start numamoved.path"
nmd_wait_active 20 || fail "numamoved.path did not start numamoved ($(nmd_active))"
_applied() { /bin/journalctl -u numamoved --no-pager -b | grep -q 'placements: 1 kept and applied again'; }
wait_for 10 _applied || fail "numamoved did not apply the placement again: $(/bin/journalctl -u numamoved --no-pager -b | tail -n 3)"
/bin/journalctl -u numamoved --no-pager -b | grep -E 'placement' | tail -n 3 | sed 's/^/  | /'
cpu0=$(node_cpus 0 | cut -d, -f1 | cut -d- -f1)
/usr/bin/taskset -c "$cpu0" /bin/cat "$mnt/f" > /dev/null || fail "the read on node 0"
wait_for 2 _ok95 "$mnt/f" 2 || fail "after the reboot: $(cat "$T/m.out") 2 s after the read (wanted >= 95% on node 2)"
note "after the reboot: $(cat "$T/m.out")"
nm show -o PLACEMENT,PLACED-BY,CONFORM,RES,N0,N2 "$mnt/f"
nm place --clear "$mnt/f"
assert_rc 0
wait_for 5 test ! -e /var/lib/numamoved/placements || fail "the registry is still there with no placement left"
