# runs last: ptrace_scope 3 cannot be lowered until reboot
# Yama's ptrace_scope 3 (no ptrace until reboot; so this case runs last):
# `policy --set` is refused, naming the setting, and `move` still moves the
# memory but says the policies stay, and exits 3 (partial).
scope=/proc/sys/kernel/yama/ptrace_scope
PT_PREFIX="numactl --membind=0" pt_start a
pid=$(pt_pid a)
pt_cmd a grow
pt_wait a '^grow ' 1
assert_eq "$(pt_nodes a '^grow ')" 0 "where 8 MiB touched under --membind=0 landed"
echo 3 > $scope
nm policy "$pid" --set bind:2
assert_rc 1
assert_one_line_error 'ptrace_scope = 3'
nm move "$pid" --to 2
assert_rc 3
grep -q 'ptrace_scope = 3' "$T/err" || fail "move does not name the setting"
grep -q 'keeps following its old policies' "$T/err" || fail "move does not say the policies stay"
pt_cmd a where
pt_wait a '^where ' 1
assert_eq "$(pt_nodes a '^where ')" 2 "the target's memory after the move (as the target finds it)"
pt_cmd a alloc
pt_wait a '^alloc ' 1
assert_eq "$(pt_nodes a '^alloc ')" 0 "the policy stays bind:0"
pt_release a
assert_after_ok a
