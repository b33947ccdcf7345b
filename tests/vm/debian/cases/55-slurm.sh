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

# ---- the job ends, and well
slurm_job_end
note "the case took $(( $(/bin/date +%s) - t0 )) s"
