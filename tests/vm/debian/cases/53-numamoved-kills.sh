# numamoved stopped and killed by systemd at random instants of its jobs
# (issue 16, part 1): a poltarget --soak target (threads that check their
# data, 2 ms sleeps, a pipe and epoll_wait) is moved by the daemon, its
# stay policy set in every thread from the daemon's ptrace helper, and at
# a random instant within a move's span the unit is restarted, stopped,
# or SIGKILLed in its main process only; once each. After
# each: the target alive, no thread of it traced or stopped, nothing of the
# killed daemon left in the cgroup, systemctl done in seconds; at the end
# the target's own counters all 0. The rounds are run by
# /vm/files/numamoved/kills.py (python3-dbus), which says what each hit.
# Not here: kill-all (systemctl kill -s KILL, the whole cgroup): it kills
# the ptrace helper too, and a thread it held inside an injected call then
# runs on from the vDSO with the call's registers and the target dies (1
# target in 32 such kills in this VM): a known limit (README, numamoved(8)).
# NMD_KILLS="N ACTION..." runs other rounds, e.g. "2 kill-all".
# timeout: 240
. /vm/files/numamoved/nmd-lib.sh
trap nmd_cleanup EXIT
/usr/bin/python3 /vm/files/numamoved/kills.py ${NMD_KILLS:-1 restart stop kill-main} > "$T/kills.out" 2>&1
rc=$?
sed 's/^/  | /' "$T/kills.out"
res=$(grep '^result ' "$T/kills.out" | tail -n1)
case $res in
"result ok"*) [ "$rc" = 0 ] || fail "kills.py: exit $rc after: $res" ;;
*) fail "${res:-kills.py: exit $rc, no result line}" ;;
esac
