# topology: any
# On a kernel without weighted interleave (before 6.9, e.g. Debian 12's
# 6.1), `policy --set weighted-interleave:A,B` must be refused cleanly: a
# non-zero documented exit status (1, 2 or 3), a message on stderr, the
# target alive, not left stopped or traced, its blocked calls completing
# normally and its policy unchanged (its next allocation still on its bind
# node, measured by the target). Skipped where the kernel has the feature.
kernel_at_least 6 9 && skip "kernel $(uname -r) has weighted interleave: nothing to refuse"
src=$(nth_node "$(nodes_cpu)" 1)
a=$(nth_node "$(nodes_memonly)" 1)
b=$(nth_node "$(nodes_memonly)" 2)
[ -n "$b" ] || fail "fewer than two memory-only nodes (test setup)"
PT_PREFIX="numactl --membind=$src" pt_start p
pid=$(pt_pid p)
pt_wait p '^before ' 5
nm policy "$pid" --set "weighted-interleave:$a,$b"
assert_rc 1 2 3
[ -s "$T/err" ] || fail "no message on stderr"
kill -0 "$pid" || fail "the target died"
assert_none_held "$pid" "after the refusal"
pt_cmd p alloc
pt_wait p '^alloc ' 1
assert_eq "$(pt_nodes p '^alloc ')" "$src" "main thread's next allocation (policy unchanged)"
pt_release p
assert_after_ok p
assert_after_nodes p "$src"
