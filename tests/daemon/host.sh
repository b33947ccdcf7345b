#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Host checks of numamoved: what needs no second NUMA node and no systemd.
# A private dbus-daemon (its own config: every uid may connect) stands in
# for the system bus (NUMAMOVED_BUS=session), polkitd is absent (so the
# group rule decides), and the checks (tests/daemon/checks.py, python3-dbus)
# drive the daemon as root, as uid 1000 and as a member of the admin group.
# usage: NUMAMOVED=path/to/numamoved tests/daemon/host.sh
# Prints PASS:/FAIL:/SKIP: per check and ends with
# "daemon-host: N passed, N failed, N skipped"; exits non-zero when one failed.
# Everything it makes (a directory, a user and a group for the admin rule)
# is removed at exit.
set -u
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
NMD=$(readlink -f "${NUMAMOVED:-build/daemon/numamoved}")
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1:exitcode=98

summary() { echo "daemon-host: $1 passed, $2 failed, $3 skipped"; }
if [ ! -x "$NMD" ]; then
	echo "FAIL: numamoved ($NMD is not built)"; summary 0 1 0; exit 1
fi
for need in dbus-daemon setpriv useradd; do
	if ! command -v "$need" >/dev/null; then
		echo "SKIP: all (no $need)"; summary 0 0 1; exit 0
	fi
done
if ! /usr/bin/python3 -c 'import dbus' 2>/dev/null; then
	echo "SKIP: all (no python3-dbus)"; summary 0 0 1; exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: all (needs root: uid changes and a test user)"; summary 0 0 1; exit 0
fi

# Under /tmp, mode 0755: uid 1000 must reach the bus socket whatever the clone's directory allows.
tmp=$(mktemp -d /tmp/numamoved-host.XXXXXX)
chmod 755 "$tmp"
user=nmdt$$
group=nmdtadm$$
bus_pid=
cleanup() {
	[ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
	userdel "$user" 2>/dev/null
	groupdel "$group" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

cat > "$tmp/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$tmp/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
# Not through $(...): the forked bus would keep writing to a pipe nobody reads.
dbus-daemon --config-file="$tmp/bus.conf" --fork --print-pid >"$tmp/bus.pid" 2>"$tmp/bus.log" || {
	echo "FAIL: dbus-daemon (did not start: $(cat "$tmp/bus.log"))"; summary 0 1 0; exit 1
}
bus_pid=$(cat "$tmp/bus.pid")
for _ in $(seq 50); do [ -S "$tmp/bus" ] && break; sleep 0.1; done
chmod 666 "$tmp/bus"
groupadd "$group" && useradd -M -N -g "$group" -s /usr/sbin/nologin "$user" || {
	echo "FAIL: test user (cannot make $user in $group)"; summary 0 1 0; exit 1
}

export DBUS_SESSION_BUS_ADDRESS=unix:path=$tmp/bus
NUMAMOVED="$NMD" STATE="$tmp/state" CONF="$tmp/numamoved.conf" LOG="$tmp/log" ADMIN_GROUP="$group" \
	ADMIN_UID=$(id -u "$user") XML="$here/../../daemon/org.numamove.numamoved1.xml" \
	/usr/bin/python3 "$here/checks.py"
