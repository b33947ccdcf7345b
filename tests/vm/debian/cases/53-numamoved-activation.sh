# numamoved is installed and started by D-Bus activation: the package ships
# the unit (never enabled, not started by the install), the activation file,
# the bus policy, the polkit actions, the interface XML and the man pages;
# the unit is inactive until the first call, which starts it (systemd, by
# the bus's request), and the call is answered. Then the idle daemon's
# memory and wakeups are noted (the issue's goals: RSS under 16 MiB, no
# periodic wakeups but the watchdog's).
. /vm/files/numamoved/nmd-lib.sh
trap nmd_cleanup EXIT
for f in /usr/sbin/numamoved /lib/systemd/system/numamoved.service \
	/usr/share/dbus-1/system-services/org.numamove.numamoved1.service \
	/usr/share/dbus-1/system.d/org.numamove.numamoved1.conf \
	/usr/share/dbus-1/interfaces/org.numamove.numamoved1.xml \
	/usr/share/polkit-1/actions/org.numamove.numamoved1.policy \
	/etc/numamove/numamoved.conf \
	/usr/share/man/man8/numamoved.8.gz /usr/share/man/man5/numamoved.conf.5.gz \
	/usr/share/man/man5/org.numamove.numamoved1.5.gz; do
	[ -e "$f" ] || fail "numamoved package: no $f"
	assert_eq "$(/usr/bin/dpkg -S "$f" | cut -d: -f1)" numamoved "package of $f"
done
/usr/bin/dpkg-query -W -f='${Conffiles}\n' numamoved | grep -q ' /etc/numamove/numamoved.conf ' ||
	fail "/etc/numamove/numamoved.conf is no conffile"
assert_eq "$(/usr/bin/systemctl is-enabled numamoved.service)" static "numamoved.service enablement"
# polkit knows the actions, with the documented defaults
/usr/bin/pkaction --verbose --action-id org.numamove.numamoved1.move-other > "$T/pk" 2>&1 ||
	fail "pkaction does not know org.numamove.numamoved1.move-other: $(head -n1 "$T/pk")"
grep -q 'implicit active: *auth_admin$' "$T/pk" || fail "move-other: $(grep implicit "$T/pk" | tr '\n' ' ')"
/usr/bin/pkaction --verbose --action-id org.numamove.numamoved1.move-own > "$T/pk" 2>&1
grep -q 'implicit any: *yes$' "$T/pk" || fail "move-own: $(grep implicit "$T/pk" | tr '\n' ' ')"

/usr/bin/systemctl stop numamoved.service
before=$(nmd_active)
note "before the first call: numamoved.service is $before"
assert_eq "$before" inactive "numamoved.service before the first call"
t0=$(cut -d' ' -f1 /proc/uptime)
bctl get-property "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" Version
t1=$(cut -d' ' -f1 /proc/uptime)
[ "$B_RC" = 0 ] || fail "the first call (Version) failed: $(cat "$T/b.err")"
note "the first call, with the start, took $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s"
assert_eq "$(nmd_active)" active "numamoved.service after the first call"
pkgv=$(/usr/bin/dpkg-query -W -f='${Version}' numamoved | sed 's/-.*//')
grep -q "$pkgv" "$T/b.out" || fail "Version $(cat "$T/b.out") does not name the package version $pkgv"
# the unit's journal says systemd started it (the bus asked)
/usr/bin/journalctl -b -u numamoved.service --no-pager -o cat > "$T/journal" 2>&1
sed 's/^/  | /' "$T/journal" | tail -n 10
grep -q 'Started numamoved.service\|Started numamove' "$T/journal" || fail "no start of numamoved.service in the journal"
# the bus answers as the package says: introspection, properties, no jobs
bctl introspect "$NMD_BUS" "$NMD_OBJ"
[ "$B_RC" = 0 ] || fail "busctl introspect failed"
grep -q "^$NMD_IF.Manager" "$T/b.out" || fail "no $NMD_IF.Manager interface"
grep -q '^\.Move ' "$T/b.out" || fail "no Move method"
bctl call "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" ListJobs
[ "$B_RC" = 0 ] || fail "ListJobs failed"
for p in Budget MaxRunning Running Queued Pins; do
	v=$(bget "$NMD_OBJ" Manager $p)
	[ -n "$v" ] || fail "Manager property $p unreadable"
	note "Manager.$p = $v"
done
# an unprivileged user may call it too (the bus policy lets everyone in)
NMD_USER=user bctl get-property "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" Version
[ "$B_RC" = 0 ] || fail "uid 1000 cannot read Version: $(cat "$T/b.err")"
# the goals, noted: idle RSS, wakeups over 10 s (voluntary context switches
# of every thread), threads
pid=$(nmd_mainpid)
sleep 2
cs() { cat /proc/$pid/task/*/status | awk '/^voluntary_ctxt_switches|^nonvoluntary_ctxt_switches/ {s += $2} END {print s}'; }
c0=$(cs)
sleep 10
c1=$(cs)
note "idle numamoved: VmRSS $(nmd_rss_kb) kB, $(ls /proc/$pid/task | wc -l) threads, $((c1 - c0)) context switches in 10 s"
