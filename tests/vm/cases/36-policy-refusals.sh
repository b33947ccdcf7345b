# Targets numamove must refuse to run system calls in, each with a clear
# one-line error and the target untouched: one traced by another process,
# a stopped one, one under seccomp, another user's process without
# privilege, and Yama's ptrace_scope 1 and 2. Positive control: the same
# user may change its own process when ptrace_scope is 0.
scope=/proc/sys/kernel/yama/ptrace_scope
[ -e $scope ] || fail "no Yama in the VM kernel"
echo 0 > $scope
PT_PREFIX="numactl --membind=0" pt_start a
pid=$(pt_pid a)

tracer "$pid" > "$T/tracer" 2>&1 &
tp=$!
echo "$tp" >> "$T/pids"
wait_for 10 grep -q attached "$T/tracer" || fail "tracer did not attach: $(cat "$T/tracer")"
nm policy "$pid" --set bind:2
assert_rc 1
assert_one_line_error 'traced by another process'
kill -KILL "$tp"
wait "$tp" 2>/dev/null

# (A stop and continue makes epoll_wait fail with EINTR by itself: signal(7).
# So this one is a target of its own.)
pt_start b
kill -STOP "$(pt_pid b)"
wait_for 10 grep -q '^State:.*T' /proc/$(pt_pid b)/status || fail "target did not stop"
nm policy "$(pt_pid b)" --set bind:2
assert_rc 1
assert_one_line_error 'is stopped'
grep -q '^State:.*T' /proc/$(pt_pid b)/status || fail "the stopped target was resumed"
kill -CONT "$(pt_pid b)"

NM_USER=1000 nm policy "$pid" --set bind:2
assert_rc 1
assert_one_line_error 'not allowed to ptrace'
nm policy "$pid" -o POLICY
assert_eq "$(awk 'NR > 1' "$T/out" | sort -u)" bind:0 "policies after the refusals"

pt_start s --seccomp
nm policy "$(pt_pid s)" --set bind:2
assert_rc 1
assert_one_line_error 'seccomp'

WL_USER=1000 pt_start u
upid=$(pt_pid u)
echo 1 > $scope
NM_USER=1000 nm policy "$upid" --set bind:2
assert_rc 1
assert_one_line_error 'ptrace_scope = 1'
echo 2 > $scope
NM_USER=1000 nm policy "$upid" --set bind:2
assert_rc 1
assert_one_line_error 'ptrace_scope = 2'
echo 0 > $scope
NM_USER=1000 nm policy "$upid" --set bind:2
assert_rc 0
pt_cmd u alloc
pt_wait u '^alloc ' 1
assert_eq "$(pt_nodes u '^alloc ')" 2 "the user's own process after its change"

pt_release a
assert_after_ok a
assert_after_nodes a 0
