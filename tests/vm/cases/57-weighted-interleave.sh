# topology: any
# Weighted interleave (Linux 6.9): `policy --set weighted-interleave:A,B`
# on a target bound to its CPU node; the next allocations land on A and B
# only, as the target measures it. Skipped on older kernels (58 checks the
# refusal there).
kernel_at_least 6 9 || skip "kernel $(uname -r) has no weighted interleave (6.9)"
src=$(nth_node "$(nodes_cpu)" 1)
a=$(nth_node "$(nodes_memonly)" 1)
b=$(nth_node "$(nodes_memonly)" 2)
[ -n "$b" ] || fail "fewer than two memory-only nodes (test setup)"
PT_PREFIX="numactl --membind=$src" pt_start p
pid=$(pt_pid p)
pt_wait p '^before ' 5
nm policy "$pid" --set "weighted-interleave:$a,$b" -o TYPE,AFTER,STATUS
assert_rc 0
pt_cmd p alloc
pt_wait p '^alloc ' 1
assert_nodes_in "$(pt_nodes p '^alloc ')" "$a,$b" "main thread's next allocation"
pt_release p
assert_after_ok p
