# move --with-shared moves a process's objects from numamove itself
# (move_pages of its own mapping): a --to node outside numamove's own
# cpuset is refused for them with the cpuset message, not a bare EACCES,
# and the object stays where it is.
cg=/sys/fs/cgroup
grep -qw cpuset $cg/cgroup.controllers || fail "no cpuset controller in the VM's cgroup v2"
echo +cpuset > $cg/cgroup.subtree_control
rmdir $cg/nm 2>/dev/null
mkdir $cg/nm || fail "mkdir $cg/nm"
echo 0-1 > $cg/nm/cpuset.mems
trap 'rmdir $cg/nm 2>/dev/null' EXIT
cat > "$T/numamove-in-cpuset" <<EOS
#!/bin/sh
echo \$\$ > $cg/nm/cgroup.procs || exit 99
exec numamove "\$@"
EOS
chmod +x "$T/numamove-in-cpuset"

rm -f /dev/shm/cg
ob_start a --file /dev/shm/cg --size 8M --node 0
ob_start b --file /dev/shm/cg --size 8M --node 0 --stride 0
NUMAMOVE=$T/numamove-in-cpuset nm move "$(wl_pid b)" --with-shared --to 2 --memory-only
assert_rc 1
grep -q "/dev/shm/cg (tmpfs): node 2 is not in numamove's cpuset (its nodes are 0-1)" "$T/err" ||
	fail "no cpuset message for the object"
wl_report a
ob_assert_on a touched 0
