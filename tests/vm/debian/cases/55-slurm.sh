# Slurm jobs (issue 15, first part): numamove move --slurm-job on a real
# one-node cluster, Debian 12's slurmctld, slurmd and munge (Slurm 22.05)
# with cgroup/v2, task/cgroup, proctrack/cgroup and select/cons_tres. uid
# 1000 runs the workload with srun (32 MiB first touched on node 0). root
# moves the job's step (JOBID.0) to node 1; uid 1000, the job's owner,
# and uid 1001 are refused by numamoved (move-other: a move writes the
# job's cpuset, which is Slurm's allocation) and nothing moves; root moves
# the job to node 2 through numamoved (--daemon) and to node 3 directly. After each, the
# pages' nodes as the workload itself reports them (move_pages(2) on its
# own pages) and its data checksums. A job not on the node: exit 1 and one
# line, from the command and from numamoved (busctl, BadTarget); a bad job
# id: exit 2. The job then ends with exit 0: srun's status, and scontrol's
# ExitCode and JobState.
# --all-nodes (one srun step in the job, a task on each node, one summary):
# root and uid 1001 are refused by Slurm (only the job's owner may start a
# step), the owner by numamoved (move-other), job 999999 by Slurm, a step or
# a malformed id is exit 2; nothing moves. Then, move-other granted to the
# owner by a polkit rule, the owner's all-nodes move of the job to node 2
# (the summary's row for this node and the total) and to node 3 with -J
# (one node in the document, parsed by python3), measured by the workload.
# The cluster, the job and the cleanup: tests/vm/debian/numamoved/slurm-lib.sh.
# timeout: 240
. /vm/files/numamoved/nmd-lib.sh
. /vm/files/numamoved/slurm-lib.sh
trap slurm_cleanup EXIT
t0=$(/bin/date +%s)

# ---- the cluster: one node, this VM
slurm_up

# ---- the job: uid 1000's workload under srun
slurm_job --region 0:32M --threads 1
wl_report job
assert_region_on job 0 0
assert_checksums job

# ---- root, the step: JOBID.0 to node 1
nm move --slurm-job "$id.0" --to 1
assert_rc 0
grep -q "job_$id/step_0" "$T/out" || fail "the report does not name the step's group job_$id/step_0"
wl_report job
assert_region_on job 0 1
assert_checksums job

# ---- uid 1000, its own job, and uid 1001, not theirs: refused by numamoved, nothing moves
wl_save job
for u in 1000 1001; do
	NM_USER=$u nm move --daemon --slurm-job "$id" --to 3
	assert_rc 1
	assert_one_line_error "move-other"
done
sleep 1
wl_report job
assert_unchanged job

# ---- root, through numamoved: to node 2
nm move --daemon --slurm-job "$id" --to 2
assert_rc 0
wl_report job
assert_region_on job 0 2
assert_checksums job
note "cpuset.mems of job_$id now: $(cat "$cg/cpuset.mems"), cpuset.cpus: $(cat "$cg/cpuset.cpus")"
/usr/bin/journalctl -b -u numamoved.service --no-pager -o cat | grep "slurm job $id" | tail -n 3 | sed 's/^/  | /'

# ---- root, directly: the job to node 3
nm move --no-daemon --slurm-job "$id" --to 3
assert_rc 0
wl_report job
assert_region_on job 0 3
assert_checksums job

# ---- jobs that are not there, ids that are not ids
nm move --slurm-job 999999 --to 2
assert_rc 1
assert_one_line_error "slurm job 999999: no such job on this node"
NM_USER=1000 nm move --daemon --slurm-job "$id.7" --to 2
assert_rc 1
assert_one_line_error "no such job on this node"
# numamoved itself, asked over the bus (not through the command's own check)
NMD_USER=user bctl call "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" Move 'a(sv)a{sv}' 1 slurm-job s 999999 1 to s 2
[ "$B_RC" != 0 ] || fail "numamoved took a Move of slurm job 999999"
grep -q "no such job on this node" "$T/b.err" ||
	fail "numamoved's error for slurm job 999999: $(cat "$T/b.err")"
for bad in 12x 0 042 "$id." "$id.x" "$id+0"; do
	nm move --slurm-job "$bad" --to 2
	assert_rc 2
done
wl_report job
assert_region_on job 0 3
assert_checksums job

# ---- all the job's nodes at once (--all-nodes): one srun step in the
# job's allocation, a task on each node (here the one), each moving there as
# the step's user, through numamoved when not root. Slurm 22.05 lets only
# the job's owner start a step in a job: root and uid 1001 are refused by
# Slurm, the owner by numamoved on each node (move-other); nothing moves.
# But first: any new step in the job makes Slurm (task/cgroup) write the
# job's cpuset back to its allocation, and a cpuset.mems that the first
# section's step move left on step_0 then takes effect again: that is
# Slurm's doing, before any numamove runs, so the baseline is taken after a
# step of the owner's own (srun --overlap true).
mems_note() { /usr/bin/find "$cg" -name cpuset.mems | while read -r f; do printf '%s=%s(%s) ' "${f#$cg/}" "$(cat "$f")" "$(cat "${f}.effective")"; done; }
note "before a new step: $(mems_note)"
runas 1000 1000 /usr/bin/srun --jobid="$id" --overlap --input=none --quiet /bin/true || fail "uid 1000's own step in its job"
note "after it: $(mems_note)"
wl_report job
note "$(region_line job 0)"
wl_save job
for u in 0 1001; do
	NM_USER=$([ "$u" = 0 ] || echo "$u") nm move --slurm-job "$id" --all-nodes --to 0
	assert_rc 1
	assert_one_line_error "slurm job $id: no step on its nodes: .*Access/permission denied"
done
NM_USER=1000 nm move --slurm-job "$id" --all-nodes --to 0
assert_rc 1
nodename=$(echo "$node" | sed 's/^NodeName=\([^ ]*\).*/\1/')
grep -qE "^$nodename +error " "$T/out" || fail "the summary has no row 'error' for node $nodename"
grep -qE "^numamove: $nodename: .*move-other" "$T/err" || fail "node $nodename's refusal (move-other) is not in the diagnostics"
nm move --slurm-job 999999 --all-nodes --to 0
assert_rc 1
assert_one_line_error "slurm job 999999: no step on its nodes: .*Invalid job id"
for bad in "$id.0" 12x 0; do
	nm move --slurm-job "$bad" --all-nodes --to 0
	assert_rc 2
done
# a pending job of the same owner (the whole node, exclusive, while job $id
# holds part of it): no step starts, at once (timeout: srun must not wait)
runas 1000 1000 /usr/bin/sbatch --exclusive -N1 --chdir=/tmp -o /dev/null -J numamove-pending --wrap "sleep 300" > "$T/sb" 2>&1 ||
	fail "sbatch: $(cat "$T/sb")"
pend=$(awk '{print $NF}' "$T/sb")
note "pending job $pend: $(/usr/bin/squeue -h -o '%i %u %t %r' -j "$pend")"
echo "  \$ runas 1000 numamove move --slurm-job $pend --all-nodes --to 0"
t1=$(/bin/date +%s)
runas 1000 1000 /usr/bin/timeout 60 "$NUMAMOVE" move --slurm-job "$pend" --all-nodes --to 0 > "$T/out" 2> "$T/err"
NM_RC=$?
t1=$(( $(/bin/date +%s) - t1 ))
echo "  exit $NM_RC after $t1 s"
sed 's/^/  2> /' "$T/err"
/usr/bin/scancel "$pend"
assert_le "$t1" 30 "seconds the all-nodes move of a pending job took"
assert_rc 1
assert_one_line_error "slurm job $pend: no step on its nodes: "
NM_USER=1000 nm move --slurm-job "$id" --all-nodes --to 0 "$pid"
assert_rc 2
sleep 1
wl_report job
assert_unchanged job

# ---- the owner, granted move-other by a polkit rule (as an admin may
# grant it): the job to node 2 on all its nodes, one summary; then to node 3
# with -J, one document with one node. The moving task is in the job's own
# group and moves with it.
cat > "$NMD_RULE" <<'RULE'
polkit.addRule(function(action, subject) {
	if (action.id == "org.numamove.numamoved1.move-other" && subject.user == "user")
		return polkit.Result.YES;
});
RULE
sleep 2
NM_USER=1000 nm move --slurm-job "$id" --all-nodes --to 2
assert_rc 0
grep -qE "^$nodename +moved +[0-9][0-9.]*[KMG] " "$T/out" || fail "the summary has no row 'moved' with a size moved for node $nodename"
grep -qE "^total +moved " "$T/out" || fail "the summary has no total 'moved'"
assert_eq "$(wc -l < "$T/out")" 3 "the summary's lines (heading, one node, total)"
wl_report job
assert_region_on job 0 2
assert_checksums job
NM_USER=1000 nm move --slurm-job "$id" --all-nodes --to 3 -J -b
assert_rc 0
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
n = d["nodes"]
assert len(n) == 1, "%d node entries" % len(n)
assert n[0]["node"] == sys.argv[2], "node %r" % n[0]["node"]
assert n[0]["exit"] == 0 and d["total"]["exit"] == 0, "exit %r, total %r" % (n[0]["exit"], d["total"])
assert [m["status"] for m in n[0]["report"]["moves"]] == ["moved"], n[0]["report"]
# the workload alone has 32 MiB there: what the node says it moved is at least that
assert n[0]["moved"] >= 32 << 20 and n[0]["not-moved"] is not None, (n[0]["moved"], n[0]["not-moved"])
assert d["total"]["moved"] == n[0]["moved"]
assert d["total"]["nodes"] == 1
' "$T/out" "$nodename" || fail "the -J document of the all-nodes move"
wl_report job
assert_region_on job 0 3
assert_checksums job
rm -f "$NMD_RULE"

# ---- the job ends, and well
slurm_job_end
note "the case took $(( $(/bin/date +%s) - t0 )) s"
