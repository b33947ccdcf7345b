# NUMAMOVE_REQUEST_F_INJECT_HELPER (move-example --inject-helper): the
# policies are rebound from a helper process, not the caller. A process
# under numactl --membind=0 moved 0 -> 1 gets bind:1 in every thread (its
# next allocation lands on node 1) and its blocked calls go on normally.
# Yama's ptrace_scope 1: a tracer must be an ancestor of its tracee, and
# the helper is the caller's child, not the target's ancestor. An
# unprivileged caller that moves its own child may rebind it itself, but
# not through the helper (the rebind fails, the move is partial); the
# same with CAP_SYS_PTRACE (root) works either way.
scope=/proc/sys/kernel/yama/ptrace_scope
ex() { move-example "$@" > "$T/ex" 2>&1; echo $? > "$T/ex.rc"; sed 's/^/  > /' "$T/ex"; }
ex_rc() { cat "$T/ex.rc"; }

PT_PREFIX="numactl --membind=0" pt_start b
pid=$(pt_pid b)
ex --inject-helper 1 "$pid"
assert_eq "$(ex_rc)" 0 "move-example --inject-helper's exit status"
grep -q "^target 0 process $pid outcome=done .* rebound=$(ls /proc/$pid/task | wc -l) " "$T/ex" ||
	fail "not every thread rebound through the helper: $(cat "$T/ex")"
pt_cmd b alloc
pt_wait b '^alloc ' 1
assert_eq "$(pt_nodes b '^alloc ')" 1 "next allocation after the move through the helper"
pt_release b
assert_after_ok b

# own CALLER_FLAGS: as uid 1000, a shell starts poltarget under
# numactl --membind=0, then becomes move-example (so the target is its child).
own() {
	local d=$T/own$1
	rm -rf "$d"
	mkdir -p "$d"
	chown 1000:1000 "$d"
	runas 1000 1000 sh -c 'd=$1; shift
		numactl --membind=0 poltarget --ctl "$d" > "$d/log" 2>&1 &
		echo $! > "$d/pid"
		n=0; while [ ! -e "$d/ready" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
		exec move-example "$@" 1 "$(cat "$d/pid")"' sh "$d" "$@" > "$T/ex" 2>&1
	echo $? > "$T/ex.rc"
	cat "$d/pid" >> "$T/pids"
	sed 's/^/  > /' "$T/ex"
	OWN=$(cat "$d/pid")
}
[ -e $scope ] || fail "no Yama in the VM kernel"
echo 1 > $scope
own 1 --memory-only
assert_eq "$(ex_rc)" 0 "an unprivileged caller moving its own child's memory"
own 2
assert_eq "$(ex_rc)" 0 "an unprivileged caller rebinding its own child under ptrace_scope 1 (itself)"
grep -q "rebound=$(ls /proc/$OWN/task | wc -l) " "$T/ex" || fail "not every thread rebound: $(cat "$T/ex")"
own 3 --inject-helper
assert_eq "$(ex_rc)" 3 "the same through the helper under ptrace_scope 1 (partial: no rebind)"
grep -q "outcome=partial .* rebound=0 " "$T/ex" || fail "the helper rebound under ptrace_scope 1: $(cat "$T/ex")"
grep -q '^Cpus_allowed_list' /proc/$OWN/status
echo 0 > $scope
