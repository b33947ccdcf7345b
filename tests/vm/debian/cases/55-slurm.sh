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
# Slurm's configuration and state live in /run/nm-slurm, bound onto
# /etc/slurm, munged's seed file in /run/munge (a runtime drop-in): /etc
# and /var/lib are left as they were (the purge check compares them).
# timeout: 240
. /vm/files/numamoved/nmd-lib.sh
S=/run/nm-slurm
D=$T/wl.job
srun_pid=
CG=/sys/fs/cgroup
sub_root=$(cat $CG/cgroup.subtree_control)
sub_sys=$(cat $CG/system.slice/cgroup.subtree_control)
# _undo GROUP SAVED: disable the controllers slurmd's delegation enabled in GROUP
_undo() {
	for n in $(cat "$1/cgroup.subtree_control"); do
		case " $2 " in *" $n "*) ;; *) echo "-$n" > "$1/cgroup.subtree_control" 2>/dev/null ;; esac
	done
}
cleanup() {
	[ -n "$srun_pid" ] && kill -KILL "$srun_pid" 2>/dev/null
	[ -n "$srun_pid" ] && /usr/bin/scancel --quiet --user=user 2>/dev/null
	/usr/bin/timeout 30 /usr/bin/systemctl stop slurmd.service slurmctld.service munge.service 2>/dev/null
	# slurmd's scope (NODE_slurmstepd.scope) outlives it, with any step left
	/usr/bin/timeout 30 /usr/bin/systemctl stop '*slurmstepd.scope' 2>/dev/null
	/usr/bin/systemctl reset-failed slurmd.service slurmctld.service munge.service 2>/dev/null
	rm -rf /run/systemd/system/munge.service.d
	/usr/bin/systemctl daemon-reload
	for g in $CG/system.slice/*/; do [ -e "$g/cgroup.subtree_control" ] && _undo "$g" ""; done
	_undo $CG/system.slice "$sub_sys"
	_undo $CG "$sub_root"
	[ "$(cat $CG/cgroup.subtree_control)" = "$sub_root" ] ||
		note "cleanup: root subtree_control '$(cat $CG/cgroup.subtree_control)' (was '$sub_root'), system.slice '$(cat $CG/system.slice/cgroup.subtree_control)': $(grep -l . $CG/*/cgroup.subtree_control $CG/system.slice/*/cgroup.subtree_control 2>/dev/null | tr '\n' ' ')"
	/bin/busybox ip addr del 10.99.0.1/32 dev lo 2>/dev/null
	/bin/umount /etc/slurm 2>/dev/null
	rm -rf "$S"
	nmd_cleanup
}
trap cleanup EXIT
t0=$(/bin/date +%s)

# ---- the cluster: one node, this VM
# Slurm listens on getaddrinfo(NULL, AI_ADDRCONFIG), which finds nothing
# without an IPv4 address other than 127.0.0.1 (the VM has no network).
/bin/busybox ip link set lo up
/bin/busybox ip addr add 10.99.0.1/32 dev lo || fail "ip addr add 10.99.0.1/32 dev lo"
mkdir -p "$S/etc" "$S/ctld" "$S/d"
node=$(/usr/sbin/slurmd -C | grep '^NodeName=') || fail "slurmd -C says nothing of this machine"
note "slurmd -C: $node"
cat > "$S/etc/slurm.conf" <<EOF
ClusterName=numavm
SlurmctldHost=numavm(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$S/ctld
SlurmdSpoolDir=$S/d
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/cgroup
TaskPlugin=task/cgroup
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=nm Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
cat > "$S/etc/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v2
ConstrainCores=yes
EOF
[ -d /etc/slurm ] || fail "no /etc/slurm (slurm-client)"
/bin/mount --bind "$S/etc" /etc/slurm || fail "mount --bind $S/etc /etc/slurm"
mkdir -p /run/systemd/system/munge.service.d
printf '[Service]\nExecStart=\nExecStart=/usr/sbin/munged --seed-file=/run/munge/munge.seed\n' \
	> /run/systemd/system/munge.service.d/numamove-test.conf
/usr/bin/systemctl daemon-reload
for u in munge slurmctld slurmd; do
	/usr/bin/timeout 60 /usr/bin/systemctl start "$u.service" || {
		/usr/bin/journalctl -b -u "$u.service" --no-pager -o cat | tail -n 10 | sed 's/^/  | /'
		tail -n 10 "$S/$u.log" 2>/dev/null | sed 's/^/  | /'
		fail "systemctl start $u"
	}
	note "$u started: $(( $(/bin/date +%s) - t0 )) s"
done
end=$(( $(/bin/date +%s) + 60 ))
until [ "$(/usr/bin/timeout 10 /usr/bin/sinfo -h -o %t 2>/dev/null)" = idle ]; do
	if [ "$(/bin/date +%s)" -ge "$end" ]; then
		/usr/bin/timeout 10 /usr/bin/sinfo 2>&1 | sed 's/^/  | /'
		tail -n 15 "$S/slurmd.log" "$S/slurmctld.log" | sed 's/^/  | /'
		fail "the node is not idle 60 s after slurmd started"
	fi
	sleep 1
done
note "munge, slurmctld, slurmd up, the node idle: $(( $(/bin/date +%s) - t0 )) s"

# ---- the job: uid 1000's workload under srun; a shell around it ends the
# step with 0 when the workload was alive until told to stop (then killed
# with SIGTERM), not 0 when it died before
mkdir -p "$D"
chown 1000:1000 "$D"
cat > "$D/job.sh" <<'EOF'
echo "$SLURM_JOB_ID" > "$2/jobid"
"$1" --ctl "$2" --region 0:32M --threads 1 & p=$!
while kill -0 "$p" 2>/dev/null; do
	if [ -e "$2/stop" ]; then
		kill -TERM "$p"
		wait "$p"
		[ $? = 143 ] && exit 0
		exit 1
	fi
	sleep 0.2
done
wait "$p"
echo "the workload ended before it was told to: status $?"
exit 1
EOF
wlbin=$(command -v "$WORKLOAD") || fail "no workload program"
runas 1000 1000 /usr/bin/srun --quiet --input=none -n1 -J numamove-test /bin/sh "$D/job.sh" "$wlbin" "$D" \
	> "$D/srun.log" 2>&1 &
srun_pid=$!
_ready() { [ -e "$D/ready" ] || ! kill -0 "$srun_pid" 2>/dev/null; }
wait_for 90 _ready
[ -e "$D/ready" ] || { sed 's/^/  | /' "$D/srun.log"; /usr/bin/squeue 2>&1 | sed 's/^/  | /'
	fail "the workload under srun is not ready (srun $(kill -0 "$srun_pid" 2>/dev/null && echo running || echo ended))"; }
awk '$1 == "pid" {print $2}' "$D/ready" > "$D/pid"
id=$(cat "$D/jobid")
pid=$(wl_pid job)
note "job $id: workload pid $pid, uid $(awk '/^Uid:/ {print $2}' "/proc/$pid/status"), in $(cat "/proc/$pid/cgroup")"
# The kernel's word for where the job is: its processes' group is below job_ID.
grep -qE "/([^/]*_)?slurmstepd\.scope/job_$id/step_0/" "/proc/$pid/cgroup" ||
	fail "the workload's cgroup is not slurmd's job_$id/step_0: $(cat "/proc/$pid/cgroup")"
cg=/sys/fs/cgroup$(sed -n 's|^0::\(.*/job_'"$id"'\)/.*|\1|p' "/proc/$pid/cgroup")
# For the record: the layout slurmd made, each group's cpuset and processes.
/usr/bin/find "$cg" -type d | while read -r g; do
	note "${g#/sys/fs/cgroup}: mems '$(cat "$g/cpuset.mems" 2>/dev/null)' ($(cat "$g/cpuset.mems.effective" 2>/dev/null)) cpus '$(cat "$g/cpuset.cpus" 2>/dev/null)' owner $(/usr/bin/stat -c %U "$g/cpuset.mems" 2>/dev/null) procs: $(for p in $(cat "$g/cgroup.procs"); do echo "$p($(cat "/proc/$p/comm" 2>/dev/null))"; done | tr '\n' ' ')"
done
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
touch "$D/stop"
wait "$srun_pid"
rc=$?
srun_pid=
sed 's/^/  srun| /' "$D/srun.log"
assert_eq "$rc" 0 "srun's exit status"
/usr/bin/scontrol show job "$id" > "$T/job" 2>&1
grep -oE '(JobState|ExitCode)=[^ ]*' "$T/job" | sed 's/^/  | /'
grep -q 'ExitCode=0:0' "$T/job" || fail "the job's ExitCode: $(grep -oE 'ExitCode=[^ ]*' "$T/job")"
grep -q 'JobState=COMPLETED' "$T/job" || fail "the job's state: $(grep -oE 'JobState=[^ ]*' "$T/job")"
note "the case took $(( $(/bin/date +%s) - t0 )) s"
