# Preemption by suspension (issue 15): two partitions of the one-node
# cluster of 55-slurm (slurm-lib.sh), low and high (PriorityTier 1 and 2,
# OverSubscribe=FORCE:1), PreemptType=preempt/partition_prio,
# PreemptMode=SUSPEND,GANG; numamoved.conf slurm-far-nodes = 2-3 with the
# SPANK plugin installed (slurm-scan-ms = 600000: the plugin's watch sees
# the suspension). uid 1000's workload runs in low on both CPUs, 64 MiB on
# node 0 and 32 MiB on node 1. uid 1001 submits a job to high: Slurm
# suspends the low job to run it, and numamoved moves the low job's memory
# out, node 0's to node 2 and node 1's to node 3 (at least 95% of each
# region, move_pages(2) from outside: the workload is frozen). The high job
# ends: Slurm resumes the low job and numamoved brings its memory back,
# at least 95% of each region on its own node as the workload reports it,
# data intact; both said on the low job's own output. Both jobs end with
# exit 0.
# timeout: 420
. /vm/files/numamoved/nmd-lib.sh
. /vm/files/numamoved/slurm-lib.sh
high_pid=
cleanup_60() {
	touch "$S/stop-high" 2>/dev/null
	[ -n "$high_pid" ] && kill -KILL "$high_pid" 2>/dev/null
	slurm_cleanup
}
trap cleanup_60 EXIT
t0=$(/bin/date +%s)

nmd_conf slurm-far-nodes 2-3
nmd_conf slurm-scan-ms 600000
/usr/bin/systemctl start numamoved.service || fail "systemctl start numamoved"
SLURM_PARTITIONS="PreemptType=preempt/partition_prio
PreemptMode=SUSPEND,GANG
PartitionName=low Nodes=ALL Default=YES MaxTime=INFINITE State=UP PriorityTier=1 OverSubscribe=FORCE:1
PartitionName=high Nodes=ALL MaxTime=INFINITE State=UP PriorityTier=2 OverSubscribe=FORCE:1"
slurm_up
state_of() { /usr/bin/scontrol show job "$1" 2>/dev/null | grep -oE 'JobState=[^ ]*'; }

# ---- the low job, on both CPUs
SLURM_SRUN_ARGS="-p low -c 2" slurm_job --region 0:64M --region 1:32M --threads 1
wl_report job
assert_region_on job 0 0
assert_region_on job 1 1
assert_checksums job
low=$id

# ---- the high job: uid 1001's, until told to stop (its own loop: it is not what is measured)
chmod 755 "$S"
runas 1001 1001 /usr/bin/srun --quiet --input=none -p high -n1 -J high /bin/sh -c \
	"echo high started; while [ ! -e $S/stop-high ]; do sleep 1; done; echo high done" > "$T/high.log" 2>&1 &
high_pid=$!
_preempted() { [ "$(state_of "$low")" = JobState=SUSPENDED ] && grep -q 'high started' "$T/high.log"; }
wait_for 120 _preempted
/usr/bin/squeue -o '%.6i %.9P %.8u %.10T %R' 2>&1 | sed 's/^/  | /'
_preempted || { sed 's/^/  high| /' "$T/high.log"; tail -n 20 "$S/slurmctld.log" | sed 's/^/  | /'
	fail "the high job did not preempt the low one by suspension within 120 s"; }
note "low job $low: $(state_of "$low"), step_0/user cgroup.freeze $(cat "$cg/step_0/user/cgroup.freeze")"

_out() { [ -n "$(journal 'suspended: .* moved out')" ]; }
_back() { [ -n "$(journal 'resumed: .* moved back')" ]; }
wait_for 60 _out
journal '' | sed 's/^/  | /'
_out || fail "numamoved did not move the preempted job $low out within 60 s"
note "region 0: $(region_nodes 0); region 1: $(region_nodes 1) (pages on nodes 0..7, missing)"
assert_ge "$(pct_on 0 2)" 95 "percent of region 0 (node 0) on node 2 while preempted"
assert_ge "$(pct_on 1 3)" 95 "percent of region 1 (node 1) on node 3 while preempted"

# ---- the high job ends: Slurm resumes the low one, numamoved brings it back
touch "$S/stop-high"
wait "$high_pid"
rc=$?
high_pid=
sed 's/^/  high| /' "$T/high.log"
assert_eq "$rc" 0 "the high job's srun exit status"
wait_for 120 _back
journal 'resumed' | sed 's/^/  | /'
_back || { note "low job: $(state_of "$low")"; fail "numamoved did not bring the low job $low back within 120 s of the high job's end"; }
assert_eq "$(state_of "$low")" JobState=RUNNING "the low job's state after the high one ended"
wl_report job
for r in 0 1; do
	on=$(wl_pages job $r $r) all=$(wl_region_pages job $r)
	assert_ge "$(( on * 100 / all ))" 95 "percent of region $r back on node $r after the resume ($on of $all pages)"
done
assert_checksums job
_said() { grep -q "^numamoved: slurm job $low: resumed: .* moved back" "$D/srun.log"; }
wait_for 10 _said
grep "^numamoved: slurm job $low" "$D/srun.log" | sed 's/^/  srun| /'
_said || fail "the low job's output does not say its memory came back"
slurm_job_end
note "the case took $(( $(/bin/date +%s) - t0 )) s"
