# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the numamoved cases of the Debian VM
# (tests/vm/debian/cases/53-numamoved-*.sh), sourced after tests/vm/lib.sh
# (busybox sh; Debian's tools by absolute path). debian-tests.sh copies this
# directory to /vm/files/numamoved.
#
#   nmd ARGS...            nmd.py (python3-dbus) as $NMD_USER (runuser: with
#                          that user's groups) or root; output in $T/nmd.out,
#                          NMD_RC its status; nmd_val KEY: a value of it
#   nmd_error, nmd_message the D-Bus error name and message of the last nmd
#                          call ("" if none)
#   nmd_assert_error NAME-REGEX MESSAGE-REGEX WHAT
#   bctl ARGS...           busctl ARGS (as $NMD_USER if set); $T/b.out, B_RC
#   bget PATH IFACE PROP   a property, as busctl reads it, unquoted
#   bmove TARGETS-ARGS     busctl Move: "bmove 1 shm i 5 -- 1 to s 2" (the
#                          a(sv) then the a{sv} arguments as busctl takes them);
#                          prints the job path (empty on error, then $T/b.err)
#   nmd_wait_job PATH SECS until the job's State is final; prints it
#   nmd_conf KEY VALUE     set a key of /etc/numamove/numamoved.conf (saved
#                          first; nmd_cleanup puts it back) and reload a
#                          running daemon
#   nmd_active             the unit's ActiveState; nmd_mainpid, nmd_restarts
#   nmd_wait_active SECS   until the unit is active with a MainPID
#   nmd_cleanup            (trap EXIT) the config back, the test polkit rule
#                          gone, polkit's activation restored, the daemon
#                          stopped: the next case starts it afresh
#   nmd_rss_kb             VmRSS of the daemon
#   share_on FILE NODE     percent (integer) of FILE's resident page cache
#                          on NODE, as measure.py finds it (0 when none is
#                          resident; its line in $T/m.out); _ok95 FILE NODE:
#                          at least 95%
NMD_PY=/vm/files/numamoved/nmd.py
NMD_MEASURE=/vm/files/numamoved/measure.py
NMD_BUS=org.numamove.numamoved1
NMD_OBJ=/org/numamove/numamoved1
NMD_IF=org.numamove.numamoved1
NMD_CONF=/etc/numamove/numamoved.conf
NMD_RULE=/etc/polkit-1/rules.d/50-numamove-test.rules
NMD_PK_SERVICE=/usr/share/dbus-1/system-services/org.freedesktop.PolicyKit1.service

nmd() {
	echo "  \$ ${NMD_USER:+runuser -u $NMD_USER -- }nmd.py $*" | cut -c1-300
	if [ -n "${NMD_USER:-}" ]; then
		/usr/sbin/runuser -u "$NMD_USER" -- /usr/bin/python3 "$NMD_PY" "$@" > "$T/nmd.out" 2> "$T/nmd.err"
	else
		/usr/bin/python3 "$NMD_PY" "$@" > "$T/nmd.out" 2> "$T/nmd.err"
	fi
	NMD_RC=$?
	sed 's/^/  > /' "$T/nmd.out" | head -n 40 | cut -c1-400
	sed 's/^/  2> /' "$T/nmd.err" | head -n 20
	echo "  exit $NMD_RC"
	return 0
}
nmd_val() { awk -v k="$1" '$1 == k {sub(/^[^ ]* /, ""); print; exit}' "$T/nmd.out"; }
nmd_error() { awk '$1 == "error" {print $2; exit}' "$T/nmd.out"; }
nmd_message() { awk '$1 == "error" {sub(/^[^ ]* [^ ]* ?/, ""); print; exit}' "$T/nmd.out"; }
# nmd_assert_error NAME-REGEX MESSAGE-REGEX WHAT: the last call failed with a
# D-Bus error so named, whose message matches
nmd_assert_error() {
	local n
	[ "$NMD_RC" = 1 ] || fail "$3: expected a D-Bus error, got exit $NMD_RC ($(head -n1 "$T/nmd.out"))"
	n=$(nmd_error)
	echo "$n" | grep -qE "$1" || fail "$3: error $n, expected /$1/ ($(head -n1 "$T/nmd.out"))"
	[ -z "$2" ] || nmd_message | grep -qiE "$2" || fail "$3: message '$(nmd_message)' does not match /$2/"
	return 0
}

bctl() {
	echo "  \$ ${NMD_USER:+runuser -u $NMD_USER -- }busctl $*" | cut -c1-300
	if [ -n "${NMD_USER:-}" ]; then
		/usr/sbin/runuser -u "$NMD_USER" -- /usr/bin/busctl "$@" > "$T/b.out" 2> "$T/b.err"
	else
		/usr/bin/busctl "$@" > "$T/b.out" 2> "$T/b.err"
	fi
	B_RC=$?
	sed 's/^/  > /' "$T/b.out" | head -n 40 | cut -c1-400
	sed 's/^/  2> /' "$T/b.err" | head -n 10
	echo "  exit $B_RC"
	return 0
}
bget() {
	/usr/bin/busctl get-property "$NMD_BUS" "$1" "$NMD_IF.$2" "$3" 2>/dev/null |
		sed 's/^[a-z(){}]* //; s/^"\(.*\)"$/\1/'
}
bmove() {
	local a=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do a="$a $1"; shift; done
	shift
	# (the call's log on stderr: the caller takes the path from stdout)
	# shellcheck disable=SC2086
	bctl call "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" Move 'a(sv)a{sv}' $a "$@" >&2
	[ "$B_RC" = 0 ] && sed -n 's/^o "\(.*\)"$/\1/p' "$T/b.out"
	return 0
}

nmd_wait_job() {
	local i=0 s
	while :; do
		s=$(bget "$1" Job State)
		case $s in done|failed|cancelled|interrupted) echo "$s"; return 0 ;; esac
		i=$((i + 1))
		[ $i -ge $(( $2 * 5 )) ] && { echo "${s:-none}"; return 1; }
		sleep 0.2
	done
}

nmd_active() { /usr/bin/systemctl show -P ActiveState numamoved.service; }
nmd_mainpid() { /usr/bin/systemctl show -P MainPID numamoved.service; }
nmd_restarts() { /usr/bin/systemctl show -P NRestarts numamoved.service; }
_nmd_up() { [ "$(nmd_active)" = active ] && [ "$(nmd_mainpid)" != 0 ]; }
nmd_wait_active() { wait_for "$1" _nmd_up; }
nmd_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$(nmd_mainpid)/status"; }

nmd_conf() {
	[ -f "$T/conf.saved" ] || cp -p "$NMD_CONF" "$T/conf.saved" || fail "no $NMD_CONF"
	if grep -qE "^[#; ]*$1[ ]*=" "$NMD_CONF"; then
		/bin/sed -i -E "s|^[#; ]*$1[ ]*=.*|$1 = $2|" "$NMD_CONF"
	else
		echo "$1 = $2" >> "$NMD_CONF"
	fi
	note "numamoved.conf: $(grep -E "^$1 " "$NMD_CONF")"
	if [ "$(nmd_active)" = active ]; then
		/usr/bin/systemctl reload numamoved.service || fail "systemctl reload numamoved"
		sleep 0.5
	fi
	return 0
}

# polkitd away, as if not installed: stopped, and its activation file hidden
# from the bus (dbus-daemon re-reads its service directories on ReloadConfig)
nmd_no_polkit() {
	/usr/bin/systemctl stop polkit.service
	[ -f "$NMD_PK_SERVICE" ] && mv "$NMD_PK_SERVICE" "$T/polkit.service.saved"
	/usr/bin/busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
	sleep 0.5
	if /usr/bin/busctl status org.freedesktop.PolicyKit1 > /dev/null 2>&1; then
		fail "polkitd is still reachable on the bus"
	fi
	note "polkitd stopped, its bus activation hidden"
}

nmd_cleanup() {
	[ -f "$T/conf.saved" ] && mv "$T/conf.saved" "$NMD_CONF"
	rm -f "$NMD_RULE"
	if [ -f "$T/polkit.service.saved" ]; then
		mv "$T/polkit.service.saved" "$NMD_PK_SERVICE"
		/usr/bin/busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
	fi
	/usr/bin/systemctl stop numamoved.service 2>/dev/null
	/usr/bin/systemctl reset-failed numamoved.service 2>/dev/null
	return 0
}

share_on() {
	/usr/bin/python3 "$NMD_MEASURE" "$1" > "$T/m.out" 2>&1 || { cat "$T/m.out"; echo 0; return; }
	awk -v n="$2" '{r = $2; for (i = 3; i < NF; i += 3) if ($(i + 1) == n) on = $(i + 2)} END {
		print r ? int(100 * on / r) : 0 }' "$T/m.out"
}
_ok95() { [ "$(share_on "$1" "$2")" -ge 95 ]; }
