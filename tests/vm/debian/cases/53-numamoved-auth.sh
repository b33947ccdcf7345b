# Who may move what through numamoved. With polkitd: uid 1000 moves its own
# process (move-own: yes); it is refused for root's process and for uid
# 1001's, with an error that names the missing action (move-other); root
# moves anything; a member of the group numamove-admin succeeds where a
# polkit rule grants the group the daemon's actions. Without polkitd
# (stopped, its activation hidden from the bus, as if not installed): the
# group rule of numamoved.conf (admin-group = numamove-admin) lets the
# member and root do everything, uid 1000 only its own processes. Each
# refusal leaves the target where it was (the workload measures), and each
# decision is in the journal.
# timeout: 420
. /vm/files/numamoved/nmd-lib.sh
trap nmd_cleanup EXIT
nmd_conf admin-group numamove-admin

# try USER WORKLOAD NODE: USER (or root: -) asks to move WORKLOAD to NODE
try() {
	local u=$1
	[ "$u" = - ] && u=
	NMD_USER=$u nmd move --pid "$(wl_pid "$2")" --opt to="$3"
}
# moved USER WORKLOAD NODE: the job finished done and the workload says so
moved() {
	try "$@"
	[ "$NMD_RC" = 0 ] || fail "$1 moving $2: $(head -n1 "$T/nmd.out")"
	nmd wait "$(nmd_val job)" 120
	assert_eq "$(nmd_val state)" done "$1 moving $2: the job"
	wl_report "$2"
	assert_region_on "$2" 0 "$3"
	assert_checksums "$2"
}
# refused USER WORKLOAD NODE: NotAuthorized naming move-other; nothing moved
refused() {
	wl_report "$2"
	wl_save "$2"
	try "$@"
	nmd_assert_error 'org\.numamove\.numamoved1\.Error\.NotAuthorized' 'org\.numamove\.numamoved1\.move-other' \
		"$1 moving $2"
	sleep 1
	wl_report "$2"
	assert_unchanged "$2"
}

WL_USER=1000 wl_start mine --region 0:8M
WL_USER=1001 wl_start others --region 0:8M
wl_start roots --region 0:8M

note "---- with polkitd"
/usr/bin/systemctl start polkit.service || fail "polkit.service does not start"
moved user mine 1
refused user roots 1
refused user others 1
/usr/bin/journalctl -b -u numamoved.service --no-pager -o cat > "$T/journal"
grep -i 'move-other' "$T/journal" | grep -q '1000' ||
	fail "the journal has no line with uid 1000 and move-other: $(tail -n 3 "$T/journal" | tr '\n' ' ')"
grep -i 'move-other' "$T/journal" | tail -n 2 | sed 's/^/  | /'
refused member others 1        # no rule for the group yet: auth_admin
moved - others 2
# a polkit rule for the group: the member may now
cat > "$NMD_RULE" <<'RULE'
polkit.addRule(function(action, subject) {
	if (action.id.indexOf("org.numamove.numamoved1.") == 0 && subject.isInGroup("numamove-admin"))
		return polkit.Result.YES;
});
RULE
sleep 2        # polkitd re-reads its rules on inotify
moved member others 3
moved member roots 2

note "---- move-own moves no more than the user could: pages shared with its child stay"
# As the user's own numamove (VM case 12): without CAP_SYS_NICE the pages
# its child maps too cannot move; the daemon, root, does not lend it its own.
WL_USER=1000 wl_start sharing --region 0:16M --shared-with-child
wl_report sharing
assert_region_on sharing 0 0
try user sharing 1
[ "$NMD_RC" = 0 ] || fail "user moving sharing: $(head -n1 "$T/nmd.out")"
nmd wait "$(nmd_val job)" 120
assert_eq "$(nmd_val outcome)" partial "the job of a process sharing its pages with its child"
assert_eq "$(nmd_val exit_status)" 3 "its exit status"
wl_report sharing
assert_region_on sharing 0 0
assert_checksums sharing

note "---- without polkitd"
nmd_no_polkit
moved user mine 2
refused user others 0
refused user roots 0
moved member others 0
moved member roots 3
moved - mine 0
/usr/bin/journalctl -b -u numamoved.service --no-pager -o cat > "$T/journal"
tail -n 6 "$T/journal" | sed 's/^/  | /'
