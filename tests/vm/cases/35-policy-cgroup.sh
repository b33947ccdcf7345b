# The cgroup route: processes in a cgroup v2 cpuset of their own are moved
# by rewriting the group's cpuset.mems (and cpuset.cpus); the kernel
# rebinds their policies and migrates their memory. Placement is measured
# by the workload; the policy target's next allocations follow.
cg=/sys/fs/cgroup
grep -qw cpuset $cg/cgroup.controllers || fail "no cpuset controller in the VM's cgroup v2"
echo +cpuset > $cg/cgroup.subtree_control
rmdir $cg/job 2>/dev/null
mkdir $cg/job
echo 0 > $cg/job/cpuset.mems
echo 0 > $cg/job/cpuset.cpus
cleanup() {
	for p in $(cat $cg/job/cgroup.procs 2>/dev/null); do kill -KILL "$p"; done
	wait_for 10 sh -c "[ ! -s $cg/job/cgroup.procs ]"
	rmdir $cg/job 2>/dev/null
}
trap cleanup EXIT

wl_start a --region 0:32M
echo "$(wl_pid a)" > $cg/job/cgroup.procs
PT_PREFIX="numactl --membind=0" pt_start p
echo "$(pt_pid p)" > $cg/job/cgroup.procs

nm move --cgroup $cg/job --to 2 --dry-run
assert_rc 0
grep -q 'would set cpuset.mems 0 -> 2' "$T/out" || fail "--dry-run does not show the new cpuset.mems"
assert_eq "$(cat $cg/job/cpuset.mems)" 0 "cpuset.mems after --dry-run"

# (Exit 3 is right when a few pages stay behind, for example a shared
# library page that was busy at that moment: the kernel does not retry;
# what counts is where the workload's own pages are.)
nm move --cgroup $cg/job --to 2
assert_rc 0 3
grep -q "cgroup $cg/job (2 processes): cpuset.mems 0 -> 2; the kernel moved" "$T/out" || fail "no route line in the output"
assert_eq "$(cat $cg/job/cpuset.mems)" 2 "cpuset.mems after the move"
assert_eq "$(cat $cg/job/cpuset.cpus)" 0 "cpuset.cpus (node 2 has no CPUs: left alone)"
wl_report a
assert_checksums a
assert_region_on a 0 2
pt_cmd p alloc
pt_wait p '^alloc ' 1
assert_eq "$(pt_nodes p '^alloc ')" 2 "next allocation of the bind:0 target after the kernel rebound it"

# A pid stands for its group; CPUs follow to a node that has some.
nm move --cgroup "$(wl_pid a)" --to 1 -J
assert_rc 0 3
json_flat < "$T/out" | grep -q "route=cgroup" || fail "JSON does not say route=cgroup"
assert_eq "$(cat $cg/job/cpuset.mems)" 1 "cpuset.mems after the move by pid"
assert_eq "$(cat $cg/job/cpuset.cpus)" "$(node_cpus 1)" "cpuset.cpus follows to node 1"
wl_report a
assert_checksums a
assert_region_on a 0 1
pt_release p
assert_after_ok p
assert_after_nodes p 1

nm move --cgroup $cg --to 2
assert_rc 1
assert_one_line_error 'cpuset controller is not enabled'
nm move --cgroup /tmp --to 2
assert_rc 1
assert_one_line_error 'not a cgroup'
nm move --cgroup /nonexistent --to 2
assert_rc 1
assert_one_line_error
