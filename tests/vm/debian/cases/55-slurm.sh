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
# uid 1001 is refused by Slurm (only the job's owner may start a step), the
# owner by numamoved (move-other), job 999999 by Slurm, a step or a
# malformed id is exit 2; nothing moves. Root's all-nodes move (srun as the
# owner, root's MUNGE credential to each node's numamoved) moves the job to
# node 2; credentials asked of numamoved directly (busctl as the owner,
# from inside the job, as the step's tasks ask): one of uid 1000, one of
# root for another move, a malformed one, root's from outside the job, and
# root's for this move used twice (a replay) are refused and move nothing,
# root's used once moves. Then, move-other granted to the
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
# the job's owner start a step in a job: uid 1001 is refused by Slurm, the
# owner by numamoved on each node (move-other); nothing moves.
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
NM_USER=1001 nm move --slurm-job "$id" --all-nodes --to 0
assert_rc 1
assert_one_line_error "slurm job $id: no step on its nodes: .*Access/permission denied"
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

# ---- root, on all the job's nodes: srun runs as the job's owner (the one
# Slurm lets start a step), and each task hands its node's numamoved root's
# MUNGE credential for this very move
# (the job is on node 1 now: the new steps above made step_0's own cpuset.mems, which
# the first section's step move set, take effect again; the move must be seen)
wl_report job
[ "$(wl_not_on job 0 2)" -gt 0 ] || fail "the job is on node 2 already: root's move there would show nothing"
nm move --slurm-job "$id" --all-nodes --to 2
assert_rc 0
grep -qE "^$nodename +moved +[0-9][0-9.]*[KMG] " "$T/out" || fail "root's summary has no row 'moved' for node $nodename"
wl_report job
assert_region_on job 0 2
assert_checksums job
/usr/bin/journalctl -b -u numamoved.service --no-pager -o cat | grep -q "allowed (root's, by a MUNGE credential" ||
	fail "numamoved's journal does not say root's credential allowed the move"
/usr/bin/journalctl -b -u numamoved.service --no-pager -o cat | grep "MUNGE credential" | tail -n 1 | sed 's/^/  | /'

# ---- credentials asked of numamoved directly (busctl as uid 1000, from
# the workload's own group of the job, as the tasks of root's step ask):
# the request root's numamove would make (front/slurm-credential.c;
# numamove-spank(8))
payload() { printf 'numamove-slurm-move/1\njob=%s\nowner=1000\nto=%s\nfrom=\npolicy=\nflags=0\nengine=batched\njobs=0\nrate=0\nmax-stall-ms=0\npriority=0\n' "$id" "$1"; }
wcg=/sys/fs/cgroup$(sed -n 's|^0::||p' "/proc/$pid/cgroup")
cred_move() {
	echo "  \$ (uid 1000, in $wcg) busctl call ... Move 1 slurm-job s $id 2 to s $1 slurm-credential s $(printf %.40s "$2")..."
	# shellcheck disable=SC2016
	/bin/sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec /usr/bin/setpriv --reuid=1000 --regid=1000 --init-groups "$@"' \
		sh "$wcg" /usr/bin/busctl call "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" Move 'a(sv)a{sv}' 1 slurm-job s "$id" \
		2 to s "$1" slurm-credential s "$2" > "$T/b.out" 2> "$T/b.err"
	B_RC=$?
	sed 's/^/  > /' "$T/b.out"
	sed 's/^/  2> /' "$T/b.err"
	echo "  exit $B_RC"
}
# cred_refused TO CRED WHAT PATTERN: numamoved refuses the Move and says PATTERN
cred_refused() {
	cred_move "$1" "$2"
	[ "$B_RC" != 0 ] || fail "numamoved took $3"
	grep -q "$4" "$T/b.err" || fail "numamoved's refusal of $3: $(cat "$T/b.err")"
}
wl_save job
user_cred=$(payload 3 | runas 1000 1000 /usr/bin/munge) || fail "uid 1000's munge"
other_cred=$(payload 2 | /usr/bin/munge) || fail "root's munge"
cred=$(payload 3 | /usr/bin/munge) || fail "root's munge"
# root's good credential from outside the job (the owner's login shell): refused before it is decoded
NMD_USER=user bctl call "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" Move 'a(sv)a{sv}' 1 slurm-job s "$id" 2 to s 3 slurm-credential s "$cred"
[ "$B_RC" != 0 ] || fail "numamoved took root's credential from outside the job"
grep -q "is not a task of slurm job $id" "$T/b.err" || fail "numamoved's refusal from outside the job: $(cat "$T/b.err")"
for c in "user_cred:uid 1000's, not root's" "other_cred:root asked another move" "bad:Invalid credential"; do
	var=${c%%:*}
	if [ "$var" = bad ]; then v=MUNGE:AAAAnot-a-credential:; else v=$(eval echo "\$$var"); fi
	cred_refused 3 "$v" "a Move with $var" "slurm-credential.*${c#*:}"
done
sleep 1
wl_report job
assert_unchanged job
cred_move 3 "$cred"
[ "$B_RC" = 0 ] || fail "numamoved refused root's credential: $(cat "$T/b.err")"
jp=$(sed -n 's/^o "\(.*\)"$/\1/p' "$T/b.out")
assert_eq "$(nmd_wait_job "$jp" 60)" done "the state of the job root's credential authorized"
wl_report job
assert_region_on job 0 3
assert_checksums job
wl_save job
for to in 0 3; do
	cred_refused "$to" "$cred" "root's credential twice" "slurm-credential': Replayed credential"
done
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
