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

# seccomp: numamove runs the target's filters on the calls it would make.
pt_start s --seccomp allow
nm policy "$(pt_pid s)" --set bind:2
assert_rc 0
pt_cmd s alloc
pt_wait s '^alloc ' 1
assert_eq "$(pt_nodes s '^alloc ')" 2 "allocation of a target whose filter allows set_mempolicy"
pt_start k --seccomp kill
nm policy "$(pt_pid k)" --set bind:2
assert_rc 1
assert_one_line_error 'seccomp, which would kill it'
kill -0 "$(pt_pid k)" || fail "the target with a killing filter died"
pt_start e --seccomp errno
nm policy "$(pt_pid e)" --set bind:2 -o STATUS
assert_rc 3
assert_eq "$(awk 'NR > 1' "$T/out" | sort -u)" "failed: Operation not permitted" "status under an EPERM filter"
WL_USER=1000 pt_start us --seccomp allow
NM_USER=1000 nm policy "$(pt_pid us)" --set bind:2
assert_rc 1
assert_one_line_error 'seccomp filter that numamove cannot read'

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
