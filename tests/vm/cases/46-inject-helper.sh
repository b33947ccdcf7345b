# timeout: 420
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
# assert_policies PID POLICY WHAT: every thread's task policy as the kernel shows it
assert_policies() {
	local t p
	for t in /proc/$1/task/*; do
		p=$(awk 'NR == 1 {print $2}' "$t/numa_maps")
		[ "$p" = "$2" ] || fail "thread ${t##*/}'s policy $3: $p, expected $2"
	done
}

PT_PREFIX="numactl --membind=0" pt_start b
pid=$(pt_pid b)
ex --inject-helper 1 "$pid"
assert_eq "$(ex_rc)" 0 "move-example --inject-helper's exit status"
grep -q "^target 0 process $pid outcome=done " "$T/ex" || fail "move-example's report: $(cat "$T/ex")"
assert_policies "$pid" bind:1 "through the helper"
pt_cmd b alloc
pt_wait b '^alloc ' 1
assert_eq "$(pt_nodes b '^alloc ')" 1 "next allocation after the move through the helper"
pt_release b
assert_after_ok b

# own N [FLAGS]: as uid 1000, a shell starts poltarget under
# numactl --membind=0, then becomes move-example (so the target is its child).
own() {
	local d=$T/own$1
	shift
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
	OWN=$(cat "$d/pid")
	note "as uid 1000: poltarget $OWN, then move-example $* 1 $OWN"
	sed 's/^/  > /' "$T/ex" "$d/log"
}
[ -e $scope ] || fail "no Yama in the VM kernel"
trap 'echo 0 > $scope' EXIT
echo 1 > $scope
own 2
# what is asked here is the rebinding: a few pages an unprivileged caller
# may not move (shared, or busy under ASan) make the move partial (3) alone
case $(ex_rc) in 0|3) ;; *) fail "an unprivileged caller rebinding its own child under ptrace_scope 1 (itself): exit $(ex_rc)" ;; esac
grep -qE "^target 0 process $OWN outcome=(done|partial) .* rebound=[1-9]" "$T/ex" ||
	fail "its own child not rebound by an unprivileged caller under ptrace_scope 1: $(cat "$T/ex")"
assert_policies "$OWN" bind:1 "rebound by its parent"
own 3 --inject-helper
assert_eq "$(ex_rc)" 3 "the same through the helper under ptrace_scope 1 (partial: no rebind)"
grep -q "outcome=partial .* rebound=0 " "$T/ex" || fail "the helper rebound under ptrace_scope 1: $(cat "$T/ex")"
assert_policies "$OWN" bind:0 "after a helper that may not ptrace"
# Root (CAP_SYS_PTRACE) through the helper, under ptrace_scope 1.
PT_PREFIX="numactl --membind=0" pt_start r
ex --inject-helper 1 "$(pt_pid r)"
assert_eq "$(ex_rc)" 0 "root through the helper under ptrace_scope 1"
assert_policies "$(pt_pid r)" bind:1 "root through the helper under ptrace_scope 1"
