# A second front end: tests/vm/move-example.c, written against the public
# header alone, moves processes through one libnumamove request, and what
# the targets measure says it did what numamove move does: a workload's
# pages move 0 -> 1 with their data, every thread's CPU affinity follows
# and its next allocation lands on node 1; a process started under
# numactl --membind=0 gets bind:1, so its next allocation is on node 1;
# with --with-shared, a SysV segment the process maps moves with it, its
# holes still holes.
cpus1=$(node_cpus 1)
ex() { move-example "$@" > "$T/ex" 2>&1; echo $? > "$T/ex.rc"; }
ex_rc() { cat "$T/ex.rc"; }

wl_start a --region 0:32M --threads 2
pid=$(wl_pid a)
ex 1 "$pid"
assert_eq "$(ex_rc)" 0 "move-example's exit status ($(tr '\n' ' ' < "$T/ex"))"
grep -q "^target 0 process $pid outcome=done " "$T/ex" || fail "move-example's report: $(cat "$T/ex")"
wl_report a
assert_checksums a
assert_region_on a 0 1
assert_threads_on_node1 a "$cpus1"
wl_stop a

PT_PREFIX="numactl --membind=0" pt_start b
pid=$(pt_pid b)
ex 1 "$pid"
assert_eq "$(ex_rc)" 0 "move-example's exit status on the bound process ($(tr '\n' ' ' < "$T/ex"))"
grep -q "rebound=$(ls /proc/$pid/task | wc -l) " "$T/ex" || fail "not every thread rebound: $(cat "$T/ex")"
pt_cmd b alloc
pt_wait b '^alloc ' 1
assert_eq "$(pt_nodes b '^alloc ')" 1 "next allocation after the move (bind:0 became bind:1)"
pt_release b
assert_after_ok b

ob_start s --shm 8M --node 0
ob_start c --shmid "$(ob_ready s shmid)" --node 0
wl_report s
res=$(ob_resident s)
ex --with-shared --memory-only 2 "$(wl_pid c)"
assert_eq "$(ex_rc)" 0 "move-example --with-shared ($(tr '\n' ' ' < "$T/ex"))"
grep -q "^target 1 object shm:$(ob_ready s shmid) outcome=done .* parent=process " "$T/ex" ||
	fail "the segment is not reported as the process's object: $(cat "$T/ex")"
wl_report s
ob_assert_on s touched 2
ob_assert_checksum s
assert_eq "$(ob_resident s)" "$res" "resident pages of the segment (holes must stay holes)"
