# topology: any
# timeout: 420
# The unit tests that qemu-user cannot run (it implements neither ptrace(2)
# nor the NUMA calls), on the emulated machine's real arm64 kernel: the
# syscall injection (test-inject-helper), policy changes of 100 threads
# blocked in every kind of call while children come and go
# (test-many-threads), and the policy plan (test-policy). Their binaries
# are in the machine when arm64/vm.sh boots it with VM_UNIT=1 (arm64/ci.sh
# does); without them the case is skipped. Each test program's own cmocka
# verdict decides: the injected calls' effects are what the threads report
# of their next allocation, as on x86-64.
dir=$VM_BUILDDIR/tests/unit
[ -x "$dir/test-inject-helper" ] || skip "no unit tests in the machine (VM_UNIT=1 puts them in)"
cd /tmp || fail "cd /tmp"
mkdir -p /var/tmp
for t in test-inject-helper test-many-threads test-policy; do
	start=$(cut -d' ' -f1 /proc/uptime)
	"$dir/$t" > "$T/$t.log" 2>&1
	rc=$?
	note "$t: exit $rc, $(awk -v a="$start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN {printf "%.1f", b - a}') s, $(grep -c '^\[       OK \]' "$T/$t.log") tests passed"
	grep -E 'EINTR|FAILED|ERROR' "$T/$t.log" | sed 's/^/  | /' | head -n 20
	[ "$rc" = 0 ] || { sed 's/^/  | /' "$T/$t.log" | tail -n 30; fail "$t exited $rc"; }
	grep -q '^\[  PASSED  \]' "$T/$t.log" || fail "$t: no PASSED line"
done
