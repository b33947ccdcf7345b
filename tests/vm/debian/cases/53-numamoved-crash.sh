# SIGKILL numamoved during a job. Budget 4 MiB/s, max-running 1: job A
# moves a 64 MiB workload with 4 threads from node 3 to node 2, job B (another
# workload) waits. Once A has moved something, the daemon's main process is
# killed with SIGKILL. The target keeps running and is neither stopped nor
# traced (every thread's State and TracerPid, read a moment later and again
# after 2 s), its data intact; systemd restarts the daemon (a new MainPID,
# NRestarts + 1); job A is "interrupted" with what had moved (BytesDone
# > 0, as the workload measures at least as much on node 2); job B, queued
# at the crash, runs and moves its workload.
# timeout: 300
. /vm/files/numamoved/nmd-lib.sh
trap nmd_cleanup EXIT
nmd_conf budget $((4 * 1024 * 1024))
nmd_conf max-running 1
wl_start a --region 3:64M --threads 4
wl_start b --region 3:8M
nmd move --pid "$(wl_pid a)" --opt to=2
[ "$NMD_RC" = 0 ] || fail "Move A failed: $(head -n1 "$T/nmd.out")"
ja=$(nmd_val job)
nmd move --pid "$(wl_pid b)" --opt to=2
[ "$NMD_RC" = 0 ] || fail "Move B failed: $(head -n1 "$T/nmd.out")"
jb=$(nmd_val job)
_moving() { [ "$(bget "$ja" Job State)" = running ] && [ "$(bget "$ja" Job BytesDone)" -gt $((4 * 1024 * 1024)) ] 2>/dev/null; }
wait_for 60 _moving || fail "job A is not moving: State $(bget "$ja" Job State)"
assert_eq "$(bget "$jb" Job State)" queued "job B before the crash"
pid=$(nmd_mainpid)
restarts=$(nmd_restarts)
note "kill -KILL $pid (numamoved)"
kill -KILL "$pid"
gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_for 10 gone || fail "the daemon (pid $pid) survived SIGKILL"
sleep 0.2
h=$(held_threads "$(wl_pid a)")
[ -z "$h" ] || fail "the target is held after the daemon died: $h"
sleep 2
h=$(held_threads "$(wl_pid a)")
[ -z "$h" ] || fail "the target is held 2 s after the daemon died: $h"
kill -0 "$(wl_pid a)" || fail "the target died with the daemon"
wl_report a
assert_checksums a
on1=$(wl_pages a 0 2)
note "the workload: $on1 pages on node 2 after the crash"
nmd_wait_active 60 || fail "systemd did not restart numamoved (ActiveState $(nmd_active))"
assert_eq "$(nmd_restarts)" $((restarts + 1)) "NRestarts"
[ "$(nmd_mainpid)" != "$pid" ] || fail "MainPID unchanged"
state=$(bget "$ja" Job State)
if [ "$state" != interrupted ]; then
	bctl call "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" ListJobs
	for f in /var/lib/numamoved/jobs/*; do [ -f "$f" ] && { echo "  # $f:"; sed 's/^/  | /' "$f"; }; done
	/usr/bin/journalctl -b -u numamoved.service --no-pager -o cat | tail -n 15 | sed 's/^/  | /'
	fail "job A ($ja) after the restart: State '$state', expected 'interrupted'"
fi
done_b=$(bget "$ja" Job BytesDone)
note "job A: BytesDone $done_b; Outcome $(bget "$ja" Job Outcome)"
assert_ge "$done_b" 1 "job A's BytesDone after the restart"
# at most a second's worth (the state file's pace) more than what it says
assert_ge "$((on1 * 4096 + 4 * 1024 * 1024))" "$done_b" "the bytes the workload finds on node 2, against BytesDone"
state=$(nmd_wait_job "$jb" 120) || fail "job B did not run after the restart: $state"
assert_eq "$state" done "job B"
wl_report b
assert_region_on b 0 2
assert_checksums b
wl_report a
assert_checksums a
/usr/bin/journalctl -b -u numamoved.service --no-pager -o cat | tail -n 8 | sed 's/^/  | /'
