# numamoved moves what is not a process, under its sandbox
# (numamoved.service: ProtectSystem=strict with /dev/shm, /mnt, ... writable,
# PrivateDevices=, /sys/fs/cgroup writable): a tmpfs file in /dev/shm, a
# tmpfs file under /mnt, a hugetlbfs file under /mnt (2 of 8 huge pages
# touched: only those move, the holes stay), and a cgroup (the cgroup route:
# cpuset.mems rewritten). All driven by busctl (strings need no
# descriptor); placement as the owners and the workload measure it, data by
# their checksums.
# timeout: 300
. /vm/files/numamoved/nmd-lib.sh
cg=/sys/fs/cgroup
cleanup() {
	for p in $(cat $cg/nmdjob/cgroup.procs 2>/dev/null); do kill -KILL "$p"; done
	wait_for 10 sh -c "[ ! -s $cg/nmdjob/cgroup.procs ]"
	rmdir $cg/nmdjob 2>/dev/null
	nmd_cleanup
}
trap cleanup EXIT
# bpath NAME PATH NODE: busctl moves file PATH to NODE; owner NAME finds its
# touched pages there
bpath() {
	local job state
	job=$(bmove 1 path s "$2" -- 1 to s "$3")
	[ -n "$job" ] || fail "busctl Move of $2: $(cat "$T/b.err")"
	state=$(nmd_wait_job "$job" 120) || fail "the job for $2 did not finish: $state"
	if [ "$state" != done ]; then
		/usr/bin/python3 "$NMD_PY" get "$job" Job Diagnostics | sed 's/^/  2| /'
		/usr/bin/python3 "$NMD_PY" get "$job" Job Output | sed 's/^/  1| /'
		fail "the job for $2: $state, outcome $(bget "$job" Job Outcome)"
	fi
	/usr/bin/python3 "$NMD_PY" get "$job" Job Output | sed 's/^/  1| /'
	wl_report "$1"
	ob_assert_on "$1" touched "$3"
	ob_assert_checksum "$1"
}

ob_start shm --file /dev/shm/nmd-file --size 16M --node 0
bpath shm /dev/shm/nmd-file 2

mkdir -p /mnt/tmpfs
mount -t tmpfs -o mode=1777 none /mnt/tmpfs || fail "cannot mount tmpfs"
ob_start tmp --file /mnt/tmpfs/nmd-file --size 16M --node 1
bpath tmp /mnt/tmpfs/nmd-file 3

hp=/sys/devices/system/node/node%d/hugepages/hugepages-2048kB
echo 4 > "$(printf $hp 0)/nr_hugepages"
echo 4 > "$(printf $hp 2)/nr_hugepages"
mkdir -p /mnt/huge
mount -t hugetlbfs -o mode=1777 none /mnt/huge || fail "cannot mount hugetlbfs"
ob_start huge --file /mnt/huge/pool --size 16M --node 0 --stride 2
bpath huge /mnt/huge/pool 2
assert_eq "$(ob_resident huge)" 2 "huge pages of the file after the move (the holes stay holes)"

grep -qw cpuset $cg/cgroup.controllers || fail "no cpuset controller in the VM's cgroup v2"
echo +cpuset > $cg/cgroup.subtree_control
rmdir $cg/nmdjob 2>/dev/null
mkdir $cg/nmdjob
echo 0 > $cg/nmdjob/cpuset.mems
echo 0 > $cg/nmdjob/cpuset.cpus
wl_start a --region 0:32M
echo "$(wl_pid a)" > $cg/nmdjob/cgroup.procs
job=$(bmove 1 cgroup s $cg/nmdjob -- 1 to s 2)
[ -n "$job" ] || fail "busctl Move of cgroup $cg/nmdjob: $(cat "$T/b.err")"
state=$(nmd_wait_job "$job" 120) || fail "the cgroup's job did not finish: $state"
/usr/bin/python3 "$NMD_PY" get "$job" Job Output | sed 's/^/  1| /'
/usr/bin/python3 "$NMD_PY" get "$job" Job Diagnostics | sed 's/^/  2| /'
case $state in done) ;; *) fail "the cgroup's job: $state, outcome $(bget "$job" Job Outcome)" ;; esac
assert_eq "$(cat $cg/nmdjob/cpuset.mems)" 2 "cpuset.mems after the move"
wl_report a
assert_region_on a 0 2
assert_checksums a
