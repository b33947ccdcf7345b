# Bad requests get D-Bus errors with clear messages, and the daemon stays up
# (same MainPID, no restart) with bounded memory: wrong argument and option
# types, an unknown option, 4097 and 10^6 targets, descriptors that are no
# pidfd (a file, a pipe), the pidfd of a process that is gone, bad node
# specs, oversized strings. A target named in a refused request is not
# touched (the workload measures).
# timeout: 420
. /vm/files/numamoved/nmd-lib.sh
trap nmd_cleanup EXIT
wl_start w --region 0:8M
bctl get-property "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" Version
pid=$(nmd_mainpid)
restarts=$(nmd_restarts)
rss0=$(nmd_rss_kb)
wl_report w
wl_save w
P=$(wl_pid w)
# bad WHAT NAME-REGEX [MESSAGE-REGEX] -- nmd ARGS: a D-Bus error, a message
bad() {
	local what=$1 name=$2 msg=
	shift 2
	[ "$1" != -- ] && { msg=$1; shift; }
	shift
	nmd "$@"
	nmd_assert_error "$name" "$msg" "$what"
	[ -n "$(nmd_message)" ] || fail "$what: the error has no message"
	note "$what: $(nmd_error): $(nmd_message | cut -c1-200)"
}
# bbad WHAT NAME-REGEX -- busctl ARGS: busctl fails with such an error
bbad() {
	local what=$1 name=$2
	shift 3
	bctl "$@"
	[ "$B_RC" != 0 ] || fail "$what: busctl succeeded"
	grep -qiE "$name" "$T/b.err" || fail "$what: $(cat "$T/b.err")"
}
M="$NMD_BUS $NMD_OBJ $NMD_IF.Manager"
# shellcheck disable=SC2086
bbad "Move with a string" 'invalid arg|expect' -- call $M Move s hello
# shellcheck disable=SC2086
bbad "Move without options" 'invalid arg|expect' -- call $M Move 'a(sv)' 0
# shellcheck disable=SC2086
bbad "GetJob with a string" 'invalid arg|expect' -- call $M GetJob s 1
bad "to as an integer" 'InvalidArgs' 'to' -- move --pid "$P" --opt to:i=1
bad "priority as a string" 'InvalidArgs' 'priority' -- move --pid "$P" --opt to=1 --opt priority:s=high
bad "an unknown option" 'InvalidArgs' 'bogus' -- move --pid "$P" --opt to=1 --opt bogus=1
bad "no to" 'InvalidArgs|Error\.' 'to' -- move --pid "$P"
bad "priority as unsigned" 'InvalidArgs' 'priority' -- move --pid "$P" --opt to=1 --opt priority:u=1
bad "a shm id as a string" 'InvalidArgs|BadTarget' -- move --target raw:shm:s:abc --opt to=1
bad "a bare pid" 'InvalidArgs|BadTarget' -- move --target "raw:pidfd:i:$P" --opt to=1
bad "an unknown target kind" 'InvalidArgs|BadTarget' 'process' -- move --target raw:process:i:1 --opt to=1
bad "a relative path" 'InvalidArgs|BadTarget' -- move --target path:relative/file --opt to=1
bad "a file as a pidfd" 'BadTarget' -- move --target pidfd-of-file:/etc/hostname --opt to=1
bad "a pipe as a pidfd" 'BadTarget' -- move --target pidfd-of-pipe: --opt to=1
bad "the pidfd of a reaped process" 'BadTarget|Error\.' 'exit|gone|no such|dead' -- move --target pidfd-dead: --opt to=1
bad "node 99" 'BadNodes|InvalidArgs' 'node' -- move --pid "$P" --opt to=99
bad "node abc" 'BadNodes|InvalidArgs' 'node' -- move --pid "$P" --opt to=abc
bad "an empty node list" 'BadNodes|InvalidArgs' -- move --pid "$P" --opt to=
long=$(awk 'BEGIN {while (n++ < 5000) printf "x"}')
bad "a 5000-byte path" 'InvalidArgs|BadTarget|Error\.' -- move --target "path:/$long" --opt to=1
bad "a 5000-byte cgroup" 'InvalidArgs|BadTarget|Error\.' -- move --target "cgroup:/sys/fs/cgroup/$long" --opt to=1
bad "a 5000-byte node spec" 'BadNodes|InvalidArgs' -- move --pid "$P" --opt "to=$long"
bad "4097 targets" 'TooMany' '4096' -- many 4097 shm
bad "10^6 targets" 'TooMany|LimitsExceeded|Error' -- many 1000000 shm
wl_report w
assert_unchanged w
assert_checksums w
# still the same daemon, answering, its memory bounded
bctl get-property "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" Version
[ "$B_RC" = 0 ] || fail "the daemon does not answer after the bad requests"
assert_eq "$(nmd_mainpid)" "$pid" "MainPID after the bad requests"
assert_eq "$(nmd_restarts)" "$restarts" "NRestarts after the bad requests"
rss1=$(nmd_rss_kb)
note "numamoved VmRSS: $rss0 kB before, $rss1 kB after the bad requests"
assert_le "$rss1" 65536 "the daemon's VmRSS (kB) after the bad requests"
# and it still moves
nmd move --pid "$P" --opt to=3
[ "$NMD_RC" = 0 ] || fail "a good Move after the bad ones: $(head -n1 "$T/nmd.out")"
nmd wait "$(nmd_val job)" 120
assert_eq "$(nmd_val state)" done "the good job"
wl_report w
assert_region_on w 0 3
assert_checksums w
