# Suspend to far memory (issue 15): numamoved.conf slurm-far-nodes = 2-3;
# uid 1000's workload under srun on the one-node cluster of 55-slurm
# (slurm-lib.sh), 64 MiB first touched on node 0 and 64 MiB on node 1.
# scontrol suspend: Slurm freezes the step (cgroup.freeze of its user
# group) and numamoved moves the job's memory out, node 0's to node 2 and
# node 1's to node 3 (the job's nodes 0-3 onto 2-3, in order). While it is
# suspended (the workload frozen, so the kernel is asked from outside:
# move_pages(2) on its regions, and its numa_maps), at least 95% of each
# region is on its far node and of its anonymous memory on the far nodes.
# numamoved restarted meanwhile (what the job had is on disk); then
# scontrol resume: back, node 2's to node 0 and node 3's to node 1, at
# least 95% of each region on its own node again as the workload itself
# reports it, the data intact, the job's cpuset.mems what Slurm made it.
# Then one far node for the job's nodes 0-3 (slurm-far-nodes = 3: three of
# them outside it, which the kernel would put all on node 3, and the return
# could not tell apart): suspended again, the job stays where it is and
# numamoved says why; on resume nothing moves. Then the far nodes full
# (slurm-far-nodes = 2-3, each filled by another process to 48 MiB free,
# less than the 64 MiB the job brings to each): suspended again, the job stays where it
# is, numamoved says so (journal, numamove jobs), and on resume nothing
# moves. The job then ends with exit 0 (srun, scontrol).
# timeout: 420
. /vm/files/numamoved/nmd-lib.sh
. /vm/files/numamoved/slurm-lib.sh
hog=
cleanup_56() {
	[ -n "$hog" ] && wl_stop hog
	slurm_cleanup
}
trap cleanup_56 EXIT
t0=$(/bin/date +%s)

nmd_conf slurm-far-nodes 2-3
nmd_conf slurm-scan-ms 500
/usr/bin/systemctl start numamoved.service || fail "systemctl start numamoved"
slurm_up
slurm_job --region 0:64M --region 1:64M --threads 1
wl_report job
assert_region_on job 0 0
assert_region_on job 1 1
assert_checksums job

_suspended_out() { [ -n "$(journal 'suspended: .* moved out')" ]; }
_resumed_back() { [ -n "$(journal 'resumed: .* moved back')" ]; }
_stayed() { [ -n "$(journal 'suspended: its memory stays')" ]; }
_resumed_stayed() { [ -n "$(journal 'resumed; its memory had stayed')" ]; }
_resumed_stayed2() { [ "$(journal 'resumed; its memory had stayed' | wc -l)" -ge 2 ]; }
_unmappable() { [ -n "$(journal 'suspended; its nodes .* are more than the far nodes 3')" ]; }
state() { /usr/bin/scontrol show job "$id" | grep -oE 'JobState=[^ ]*'; }
mems0=$(cat "$cg/cpuset.mems")
note "job $id: cpuset.mems '$mems0' ($(cat "$cg/cpuset.mems.effective")), cpus '$(cat "$cg/cpuset.cpus")'"

# ---- suspended: out to the far nodes, in order
/usr/bin/scontrol suspend "$id" || fail "scontrol suspend $id"
ts=$(/bin/date +%s)
wait_for 120 _suspended_out
_suspended_out || { /usr/bin/journalctl -b -u numamoved.service --no-pager -o cat | tail -n 15 | sed 's/^/  | /'
	fail "numamoved said nothing of slurm job $id's suspension in 120 s"; }
journal '' | sed 's/^/  | /'
note "$(state), step_0/user cgroup.freeze $(cat "$cg/step_0/user/cgroup.freeze"), seen moved out $(( $(/bin/date +%s) - ts )) s after scontrol suspend"
assert_eq "$(state)" JobState=SUSPENDED "the job's state while suspended"
assert_eq "$(cat "$cg/step_0/user/cgroup.freeze")" 1 "the step's user group frozen"
note "region 0: $(region_nodes 0); region 1: $(region_nodes 1) (pages on nodes 0..7, missing)"
assert_ge "$(pct_on 0 2)" 95 "percent of region 0 (node 0) on node 2 while suspended"
assert_ge "$(pct_on 1 3)" 95 "percent of region 1 (node 1) on node 3 while suspended"
set -- $(anon_pct 2 3)
note "anonymous memory of the job's tasks: $1% of $2 pages on nodes 2-3"
assert_ge "$1" 95 "percent of the job's anonymous memory on the far nodes while suspended"
/usr/bin/numamove jobs > "$T/jobs" 2>&1
sed 's/^/  | /' "$T/jobs"
grep -q "suspend slurm job $id " "$T/jobs" || fail "numamove jobs does not show slurm job $id's move out"

# ---- numamoved restarted while the job is suspended: the record brings it back
/usr/bin/systemctl restart numamoved.service || fail "systemctl restart numamoved"
nmd_wait_active 30
sleep 2
journal 'suspended before numamoved restarted' | sed 's/^/  | /'
[ -n "$(journal 'suspended before numamoved restarted')" ] || fail "the restarted numamoved does not know slurm job $id is away"
assert_ge "$(pct_on 0 2)" 95 "percent of region 0 (node 0) on node 2 after numamoved restarted"

# ---- resumed: back where it was, node for node
/usr/bin/scontrol resume "$id" || fail "scontrol resume $id"
wait_for 120 _resumed_back
_resumed_back || { /usr/bin/journalctl -b -u numamoved.service --no-pager -o cat | tail -n 15 | sed 's/^/  | /'
	fail "numamoved said nothing of slurm job $id's return in 120 s"; }
journal 'resumed' | sed 's/^/  | /'
ms=$(journal 'resumed: .* moved back' | sed -n 's/.* in \([0-9]*\) ms .*/\1/p' | tail -n 1)
note "the return took $ms ms (numamoved's measure, from the resume seen to the move done)"
assert_eq "$(state)" JobState=RUNNING "the job's state after resume"
wl_report job
sed -n 's/^region/  | region/p' "$D/report"
for r in 0 1; do
	on=$(wl_pages job $r $r) all=$(wl_region_pages job $r)
	assert_ge "$(( on * 100 / all ))" 95 "percent of region $r back on node $r after resume ($on of $all pages)"
done
assert_checksums job
assert_eq "$(cat "$cg/cpuset.mems")" "$mems0" "the job's cpuset.mems after the return"
/usr/bin/numamove jobs > "$T/jobs" 2>&1
sed 's/^/  | /' "$T/jobs"
grep -q "resume slurm job $id " "$T/jobs" || fail "numamove jobs does not show slurm job $id's return"

# ---- more of the job's nodes than far nodes: it stays where it is, and says why
nmd_conf slurm-far-nodes 3
wl_save job
/usr/bin/scontrol suspend "$id" || fail "scontrol suspend $id"
wait_for 120 _unmappable
_unmappable || { /usr/bin/journalctl -b -u numamoved.service --no-pager -o cat | tail -n 15 | sed 's/^/  | /'
	fail "numamoved did not say that slurm job $id stays where it is, its nodes outnumbering the far nodes"; }
journal 'suspended' | tail -n 1 | sed 's/^/  | /'
assert_ge "$(pct_on 0 0)" 95 "percent of region 0 still on node 0 (one far node)"
assert_ge "$(pct_on 1 1)" 95 "percent of region 1 still on node 1 (one far node)"
/usr/bin/scontrol resume "$id" || fail "scontrol resume $id"
wait_for 60 _resumed_stayed
_resumed_stayed || fail "numamoved did not see slurm job $id resume (one far node)"
wl_report job
assert_unchanged job
assert_checksums job

# ---- the far nodes full: it stays where it is, and says so
nmd_conf slurm-far-nodes 2-3
hog_args=
for n in 2 3; do
	hog_mb=$(( $(node_free_kb $n) / 1024 - 48 ))
	note "node $n: $(node_free_kb $n) kB free; another process takes $hog_mb MiB of it"
	hog_args="$hog_args --region $n:${hog_mb}M"
done
wl_start hog $hog_args
hog=1
note "nodes 2, 3: $(node_free_kb 2), $(node_free_kb 3) kB free now; the job has 64 MiB on node 0 and 64 MiB on node 1"
wl_save job
/usr/bin/scontrol suspend "$id" || fail "scontrol suspend $id"
wait_for 120 _stayed
_stayed || { /usr/bin/journalctl -b -u numamoved.service --no-pager -o cat | tail -n 15 | sed 's/^/  | /'
	fail "numamoved did not say that slurm job $id stays where it is"; }
journal 'suspended' | tail -n 2 | sed 's/^/  | /'
journal '' | grep -qE "far node [23] has .* it stays where it is" || fail "the refusal does not say why"
assert_eq "$(state)" JobState=SUSPENDED "the job's state while suspended again"
assert_ge "$(pct_on 0 0)" 95 "percent of region 0 still on node 0 (far nodes full)"
assert_ge "$(pct_on 1 1)" 95 "percent of region 1 still on node 1 (far nodes full)"
/usr/bin/numamove jobs > "$T/jobs" 2>&1
sed 's/^/  | /' "$T/jobs"
/usr/bin/scontrol resume "$id" || fail "scontrol resume $id"
wait_for 60 _resumed_stayed2
_resumed_stayed2 || fail "numamoved did not see slurm job $id resume"
wl_report job
assert_unchanged job
assert_checksums job
wl_stop hog
hog=

# ---- the job ends, and well
slurm_job_end
note "the case took $(( $(/bin/date +%s) - t0 )) s"
