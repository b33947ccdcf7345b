# SPDX-License-Identifier: GPL-2.0-or-later
# A one-node Slurm cluster in the Debian VM, for the Slurm cases
# (tests/vm/debian/cases/55-slurm.sh, 56-slurm-suspend.sh), sourced after
# nmd-lib.sh (busybox sh, dash: no bashisms). Debian 12's slurmctld,
# slurmd and munge (Slurm 22.05) with cgroup/v2, task/cgroup,
# proctrack/cgroup and select/cons_tres. Slurm's configuration and state
# live in /run/nm-slurm, bound onto /etc/slurm, munged's seed file in
# /run/munge (a runtime drop-in): /etc and /var/lib are left as they were
# (the purge check compares them).
#
#   slurm_up               the cluster up, the node idle (fails otherwise);
#                          $SLURM_PARTITIONS, when set, replaces the one
#                          partition (nm) with its lines
#   slurm_job ARGS...      uid 1000's workload (ARGS: its --region etc.)
#                          under srun (with $SLURM_SRUN_ARGS, srun's own
#                          options), as job.sh runs it: sets $id (the job
#                          id), $pid (the workload's), $cg (the job's group),
#                          $srun_pid; the workload is "job" (wl_report job)
#   slurm_job_end          the workload told to stop; srun's status 0 and
#                          scontrol's ExitCode 0:0, JobState COMPLETED (once
#                          no longer COMPLETING, within 30 s)
#   region_nodes I         pages of the job's region I per node (0..7),
#                          then missing, as move_pages(2) says from outside
#                          (the workload may be frozen)
#   pct_on I NODE          percent of region I's pages on NODE
#   anon_pct NODES...      percent of the anonymous pages of the step's
#                          tasks on NODES, and their number
#   journal TEXT           numamoved's journal lines "slurm job $id: TEXT...",
#                          of this cluster (since slurm_up)
#   slurm_cleanup          (trap EXIT) the job killed, the daemons stopped,
#                          the controllers slurmd enabled disabled again,
#                          /etc/slurm unbound; then nmd_cleanup
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
slurm_cleanup() {
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

slurm_up() {
	# Job ids start at 1 with every cluster: the journal of an earlier case's cluster is not this one's.
	slurm_since=$(/bin/date +%s)
	sleep 1
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
${SLURM_PARTITIONS:-PartitionName=nm Nodes=ALL Default=YES MaxTime=INFINITE State=UP}
EOF
	cat > "$S/etc/cgroup.conf" <<EOF
CgroupPlugin=cgroup/v2
ConstrainCores=yes
EOF
	[ -d /etc/slurm ] || fail "no /etc/slurm (slurm-client)"
	# The SPANK plugins' lines as the packages installed them (numamove-slurm's among them)
	[ -e /etc/slurm/plugstack.conf ] && cp /etc/slurm/plugstack.conf "$S/etc/"
	[ -d /etc/slurm/plugstack.conf.d ] && cp -r /etc/slurm/plugstack.conf.d "$S/etc/"
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
}

# The job: uid 1000's workload under srun; a shell around it ends the step
# with 0 when the workload was alive until told to stop (then killed with
# SIGTERM), not 0 when it died before.
_slurm_ready() { [ -e "$D/ready" ] || ! kill -0 "$srun_pid" 2>/dev/null; }
slurm_job() {
	rm -rf "$D"
	mkdir -p "$D"
	chown 1000:1000 "$D"
	cat > "$D/job.sh" <<'EOF'
echo "$SLURM_JOB_ID" > "$2/jobid"
w=$1 d=$2
shift 2
"$w" --ctl "$d" "$@" & p=$!
# No polling loop: a process forked every moment (sleep) would be a
# moving target of the moves, which the test measures. slurm_job_end
# makes the stop file and sends the workload SIGTERM.
wait "$p"
rc=$?
[ -e "$d/stop" ] && [ "$rc" = 143 ] && exit 0
echo "the workload ended before it was told to: status $rc"
exit 1
EOF
	wlbin=$(command -v "$WORKLOAD") || fail "no workload program"
	# shellcheck disable=SC2086 # SLURM_SRUN_ARGS: srun's options, split
	runas 1000 1000 /usr/bin/srun --quiet --input=none -n1 -J numamove-test $SLURM_SRUN_ARGS /bin/sh "$D/job.sh" "$wlbin" "$D" "$@" \
		> "$D/srun.log" 2>&1 &
	srun_pid=$!
	wait_for 90 _slurm_ready
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
}

_slurm_completed() { ! /usr/bin/scontrol show job "$id" 2>/dev/null | grep -q 'JobState=COMPLETING'; }
slurm_job_end() {
	touch "$D/stop"
	kill -TERM "$pid"
	wait "$srun_pid"
	rc=$?
	srun_pid=
	sed 's/^/  srun| /' "$D/srun.log"
	assert_eq "$rc" 0 "srun's exit status"
	# srun returns while slurmctld may still say COMPLETING for a moment (the epilog, the step's cleanup)
	wait_for 30 _slurm_completed
	/usr/bin/scontrol show job "$id" > "$T/job" 2>&1
	grep -oE '(JobState|ExitCode)=[^ ]*' "$T/job" | sed 's/^/  | /'
	grep -q 'ExitCode=0:0' "$T/job" || fail "the job's ExitCode: $(grep -oE 'ExitCode=[^ ]*' "$T/job")"
	grep -q 'JobState=COMPLETED' "$T/job" || fail "the job's state: $(grep -oE 'JobState=[^ ]*' "$T/job")"
}

region_nodes() {
	/usr/bin/python3 /vm/files/numamoved/pagenodes.py "$pid" "$(awk -v i="$1" '$1 == "region" && $2 == i {print $8}' "$D/ready")" \
		"$(awk -v i="$1" '$1 == "region" && $2 == i {print $6}' "$D/ready")"
}
# pct_on I NODE: percent of region I's pages on NODE
pct_on() {
	region_nodes "$1" | awk -v n="$2" '{t = $10; for (i = 1; i <= 8; i++) t += $i; print t ? int($(n + 1) * 100 / t) : 0}'
}
# anon_pct NODES...: percent of the anonymous pages of the step's tasks (its user group) on NODES
anon_pct() {
	for p in $(cat $(/usr/bin/find "$cg/step_0/user" -name cgroup.procs)); do cat "/proc/$p/numa_maps" 2>/dev/null; done |
		awk -v nodes=" $* " '/ anon=/ { for (i = 1; i <= NF; i++) if ($i ~ /^N[0-9]+=/) { split(substr($i, 2), a, "=");
			t += a[2]; if (index(nodes, " " a[1] " ")) f += a[2] } } END { print t ? int(f * 100 / t) : 0, t + 0 }'
}
journal() { /usr/bin/journalctl -b --since "@$slurm_since" -u numamoved.service --no-pager -o cat | grep "slurm job $id: $1"; }
