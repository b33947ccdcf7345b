# An upgrade of numamoved while placements are registered (issue 14):
# preinst stops numamoved.path, then numamoved; postinst starts
# numamoved.path, which starts the new daemon for the registry. Done as
# apt-get install --reinstall of the package (dpkg runs the maintainer
# scripts of an upgrade): afterwards numamoved runs, in a new process,
# from the binary now on disk (not a deleted one: /proc/PID/exe), and
# has taken up the placement of a tmpfs file (its own log line).
# timeout: 180
. /vm/files/numamoved/nmd-lib.sh
d=/mnt/nmdup
cleanup() {
	/usr/bin/numamove place --clear "$d/f" > /dev/null 2>&1
	umount "$d" 2>/dev/null
	nmd_cleanup
}
trap cleanup EXIT
mkdir -p "$d"
mount -t tmpfs -o size=64m tmpfs "$d" || fail "mount tmpfs"
: > "$d/f"
nm place --policy bind:3 "$d/f"
assert_rc 0
nmd_wait_active 20 || fail "numamoved did not start"
old=$(nmd_mainpid)
deb=$(ls /vm/files/numamoved_*.deb | head -n1)
(cd /vm/files && apt-get install -y --reinstall "./${deb##*/}") > "$T/up.log" 2>&1 || { sed 's/^/  | /' "$T/up.log"; fail "apt-get install --reinstall numamoved"; }
_new() { _nmd_up && [ "$(nmd_mainpid)" != "$old" ]; }
wait_for 20 _new || fail "no new numamoved after the upgrade (MainPID $(nmd_mainpid), before $old; $(nmd_active))"
exe=$(readlink "/proc/$(nmd_mainpid)/exe")
note "numamoved: pid $old before the upgrade, $(nmd_mainpid) after, running $exe"
case $exe in *deleted*) fail "numamoved runs a deleted binary: $exe (the old daemon was started again before the upgrade)" ;; esac
[ "$(/usr/bin/systemctl show -P ActiveState numamoved.path)" = active ] || fail "numamoved.path is not active after the upgrade"
_applied() { /bin/journalctl -u numamoved --no-pager _PID="$(nmd_mainpid)" | grep -q 'placements: 1 kept and applied again'; }
wait_for 10 _applied || fail "the new numamoved did not take up the placement: $(/bin/journalctl -u numamoved --no-pager -n 5)"
