# topology: any
# MPOL_PREFERRED_MANY (Linux 5.15): `policy --set preferred-many:A,B` on a
# target bound to its CPU node; every thread's next allocation lands on A
# or B, as the target measures it.
kernel_at_least 5 15 || skip "kernel $(uname -r) has no MPOL_PREFERRED_MANY (5.15)"
src=$(nth_node "$(nodes_cpu)" 1)
a=$(nth_node "$(nodes_memonly)" 1)
b=$(nth_node "$(nodes_memonly)" 2)
[ -n "$b" ] || fail "fewer than two memory-only nodes (test setup)"
PT_PREFIX="numactl --membind=$src" pt_start p
pid=$(pt_pid p)
pt_wait p '^before ' 5
nm policy "$pid" --set "preferred-many:$a,$b" -o TYPE,AFTER,STATUS
assert_rc 0
pt_cmd p alloc
pt_wait p '^alloc ' 1
assert_nodes_in "$(pt_nodes p '^alloc ')" "$a,$b" "main thread's next allocation"
pt_release p
assert_after_ok p
for l in $(awk '$1 == "after" {print $NF}' "$(pt_dir p)/result"); do
	assert_nodes_in "$l" "$a,$b" "a thread's next allocation"
done
