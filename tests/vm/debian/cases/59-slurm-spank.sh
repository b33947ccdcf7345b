# The SPANK plugin (issue 15): numamove-slurm's numamove.so, enabled by the
# package's own plugstack.conf.d line, on the one-node cluster of 55-slurm
# (slurm-lib.sh); numamoved.conf slurm-far-nodes = 1-3 and slurm-scan-ms =
# 600000, so that only the plugin's watch (inotify on the step's
# cgroup.events) can make numamoved see a suspension within a minute.
# - srun knows the options (--help), and refuses a bad value at submission.
# - Job A, --numamove-far-nodes=2-3, 64 MiB on node 0: numamoved is told of
#   its task (journal); suspended, at least 95% of the region is on node 2,
#   where the job's far nodes put it (the node's, 1-3, would put it on
#   node 1), seen within 60 s; the job's own output (srun's) has
#   numamoved's line; resumed, at least 95% back on node 0 as the workload
#   reports it, data intact, and the output says so; uid 1001 cannot claim
#   a task of it, a user cannot end its step; the job ends with exit 0 and
#   numamoved forgets its step.
# - Job B, --numamove-suspend=stay, numamoved restarted while it runs (what
#   the job asked is kept on disk, its tasks found again): suspended, its
#   memory stays on node 0 and its output says why; resumed, nothing moved.
# - Job C, --numamove-far-nodes=0 (not a far node): its output says at
#   start that its memory will stay.
# Measured by the workload (its pages' nodes, move_pages(2) from outside
# while it is frozen; its checksums), never by numamove's report.
# timeout: 480
. /vm/files/numamoved/nmd-lib.sh
. /vm/files/numamoved/slurm-lib.sh
trap slurm_cleanup EXIT
t0=$(/bin/date +%s)
SO=/usr/lib/x86_64-linux-gnu/slurm-wlm/numamove.so

[ -f "$SO" ] || fail "no $SO (numamove-slurm)"
grep -qx 'optional numamove.so' /etc/slurm/plugstack.conf.d/numamove.conf ||
	fail "numamove-slurm's plugstack.conf.d line: $(cat /etc/slurm/plugstack.conf.d/numamove.conf 2>&1)"
nmd_conf slurm-far-nodes 1-3
nmd_conf slurm-scan-ms 600000
/usr/bin/systemctl start numamoved.service || fail "systemctl start numamoved"
slurm_up
out() { sed 's/^/  srun| /' "$D/srun.log"; }
numamoved_said() { grep -q "^numamoved: slurm job $id: $1" "$D/srun.log"; }
# For the record (README's transcript): the job's placement as numastat(8) sees it
placement() {
	echo "  \$ numastat -p $pid    # $1"
	/usr/bin/numastat -p "$pid" 2>&1 | grep -E '(Per-node|Node 0|^Private|^Total)' | sed 's/^/  | /'
}
nmd_journal() { /usr/bin/journalctl -b --since "@$slurm_since" -u numamoved.service --no-pager -o cat | grep "slurm job $1"; }

# ---- srun knows the options and checks their form
/usr/bin/srun --help > "$T/help" 2>&1
grep -q -- '--numamove-suspend=far|stay' "$T/help" || fail "srun --help does not list --numamove-suspend"
grep -q -- '--numamove-far-nodes=nodes' "$T/help" || fail "srun --help does not list --numamove-far-nodes"
for bad in --numamove-suspend=maybe --numamove-far-nodes=2- --numamove-far-nodes=all; do
	runas 1000 1000 /usr/bin/timeout 60 /usr/bin/srun -n1 "$bad" /bin/true > "$T/bad" 2>&1
	rc=$?
	sed 's/^/  | /' "$T/bad"
	[ "$rc" != 0 ] || fail "srun $bad: exit 0"
	grep -q "numamove: $bad: not" "$T/bad" || fail "srun $bad: no clear error"
done

# ---- job A: its own far nodes
SLURM_SRUN_ARGS=--numamove-far-nodes=2-3 slurm_job --region 0:64M --threads 1
wl_report job
assert_region_on job 0 0
assert_checksums job
_told() { nmd_journal "$id.0: task pid .* started; its far nodes: 2-3" > /dev/null; }
wait_for 10 _told
nmd_journal "$id" | sed 's/^/  | /'
_told || fail "numamoved was not told of job $id's task"
placement "job $id before: its region on node 0"

# someone else claiming a task of it, a user ending its step: refused
NMD_USER=other bctl call "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" SlurmTaskStarted 'sa{sv}' "$id.0" 1 suspend s stay
[ "$B_RC" != 0 ] && grep -q "NotAuthorized\|is not a task of slurm job $id.0" "$T/b.err" ||
	fail "uid 1001 claimed a task of job $id: $(cat "$T/b.out" "$T/b.err")"
NMD_USER=user bctl call "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" SlurmStepEnded s "$id.0"
[ "$B_RC" != 0 ] && grep -q "root" "$T/b.err" || fail "uid 1000 ended step $id.0: $(cat "$T/b.err")"

_out() { [ -n "$(journal 'suspended: .* moved out')" ]; }
_back() { [ -n "$(journal 'resumed: .* moved back')" ]; }
/usr/bin/scontrol suspend "$id" || fail "scontrol suspend $id"
ts=$(/bin/date +%s)
wait_for 60 _out
journal '' | sed 's/^/  | /'
_out || fail "numamoved did not move job $id out within 60 s of its suspension (its scan: every 600 s)"
note "moved out, seen $(( $(/bin/date +%s) - ts )) s after scontrol suspend"
note "region 0: $(region_nodes 0) (pages on nodes 0..7, missing)"
assert_ge "$(pct_on 0 2)" 95 "percent of region 0 (node 0) on node 2, the job's first far node, while suspended"
placement "job $id suspended: on the far nodes it asked"
journal '' | grep -q 'suspended: .* moved out to 2-3' || fail "the journal does not name the job's far nodes 2-3"
wait_for 10 numamoved_said "suspended: .* moved out to the far nodes 2-3"
out
numamoved_said "suspended: .* moved out to the far nodes 2-3" || fail "the job's output does not say it was moved out"
/usr/bin/scontrol resume "$id" || fail "scontrol resume $id"
wait_for 60 _back
_back || fail "numamoved did not bring job $id back within 60 s of its resume"
wl_report job
on=$(wl_pages job 0 0) all=$(wl_region_pages job 0)
assert_ge "$(( on * 100 / all ))" 95 "percent of region 0 back on node 0 after resume ($on of $all pages)"
placement "job $id resumed: back on node 0"
assert_checksums job
wait_for 10 numamoved_said "resumed: .* moved back to"
numamoved_said "resumed: .* moved back to" || { out; fail "the job's output does not say it was brought back"; }
slurm_job_end
_forgot() { nmd_journal "$id.0: the step ended" > /dev/null; }
wait_for 10 _forgot
_forgot || fail "numamoved was not told that step $id.0 ended"
nmd_journal "$id.0: the step ended" | sed 's/^/  | /'

# ---- job B: stays while suspended, as it asked
SLURM_SRUN_ARGS=--numamove-suspend=stay slurm_job --region 0:32M --threads 1
wl_report job
assert_region_on job 0 0
wl_save job
# numamoved restarted while the job runs: what the job asked is kept on disk, its tasks found again
_told_b() { nmd_journal "$id.0: task pid .* started; while suspended it stays" > /dev/null; }
wait_for 10 _told_b
_told_b || fail "numamoved was not told of job $id's task"
/usr/bin/systemctl restart numamoved.service || fail "systemctl restart numamoved"
nmd_wait_active 30
_again() { nmd_journal "$id: told of before numamoved restarted: 1 steps followed again; while suspended it stays" > /dev/null; }
wait_for 10 _again
nmd_journal "$id: told of before" | sed 's/^/  | /'
_again || fail "the restarted numamoved does not follow job $id again with what it asked"
_stays() { [ -n "$(journal 'suspended; its job asked --numamove-suspend=stay: it stays where it is')" ]; }
_resumed_stayed() { [ -n "$(journal 'resumed; its memory had stayed')" ]; }
/usr/bin/scontrol suspend "$id" || fail "scontrol suspend $id"
wait_for 60 _stays
journal '' | sed 's/^/  | /'
_stays || fail "numamoved did not say that job $id stays, as it asked"
sleep 2
assert_ge "$(pct_on 0 0)" 95 "percent of job $id's region 0 still on node 0 while suspended (--numamove-suspend=stay)"
wait_for 10 numamoved_said "suspended; its job asked --numamove-suspend=stay"
numamoved_said "suspended; its job asked --numamove-suspend=stay" || { out; fail "job $id's output does not say it stays"; }
/usr/bin/scontrol resume "$id" || fail "scontrol resume $id"
wait_for 60 _resumed_stayed
_resumed_stayed || fail "numamoved did not see job $id resume"
wl_report job
assert_unchanged job
assert_checksums job
slurm_job_end

# ---- job C: a far node this node does not have
SLURM_SRUN_ARGS=--numamove-far-nodes=0 slurm_job --region 0:16M --threads 1
_warned() { grep -q "^numamove: slurm job $id.0: the far nodes it asked (0) are not among this node's far nodes (1-3): while suspended, its memory stays where it is" "$D/srun.log"; }
wait_for 10 _warned
_warned || { out; fail "job $id's output does not say its far nodes are not this node's"; }
grep "^numamove: slurm job $id" "$D/srun.log" | sed 's/^/  | /'
slurm_job_end
note "the case took $(( $(/bin/date +%s) - t0 )) s"
