# move --cgroup: the kernel migrates only the pages the group's processes
# map when cpuset.mems changes; their own shared memory's other pages
# (here anonymous shared memory a child wrote, then exited) are moved
# after the cpuset write, as a process move does. The owner reads each
# page after the move and asks the kernel where it is.
cg=/sys/fs/cgroup
grep -qw cpuset $cg/cgroup.controllers || fail "no cpuset controller in the VM's cgroup v2"
echo +cpuset > $cg/cgroup.subtree_control
rmdir $cg/own 2>/dev/null
mkdir $cg/own || fail "mkdir $cg/own"
echo 0-1 > $cg/own/cpuset.mems
cleanup() {
	for p in $(cat $cg/own/cgroup.procs 2>/dev/null); do kill -KILL "$p"; done
	wait_for 10 sh -c "[ ! -s $cg/own/cgroup.procs ]"
	rmdir $cg/own 2>/dev/null
}
trap cleanup EXIT

ob_start a --anon 8M --node 0 --stride 2 --by-child
res=$(ob_ready a resident)
assert_ge "$res" 512 "resident pages of the anonymous shared memory"
echo "$(wl_pid a)" > $cg/own/cgroup.procs
nm move --cgroup $cg/own --to 2-3
assert_rc 0
grep -q '^/dev/zero (deleted) (tmpfs): moved ' "$T/out" || fail "no line for the anonymous shared memory: $(cat "$T/out")"
wl_report a
ob_assert_on a touched 2
ob_assert_checksum a
assert_eq "$(ob_resident a)" "$res" "resident pages after the move (holes must stay holes)"
