# policy --set from outside: a target started under numactl --membind=0
# has threads blocked in read(2), nanosleep(2), futex(2), epoll_wait(2)
# and one spinning. After `policy PID --set bind:2`, every blocked call
# completes normally (the data read, the full sleep, no EINTR) and each
# thread's next allocation lands on node 2, as the target itself measures
# with move_pages(2). `policy PID` shows the policies before and after.
# The sleeper sleeps 20 s: long enough to still be in nanosleep(2) when
# numamove holds it under emulation (its sleep restarted is what is tested;
# its next allocation waits for the release either way).
PT_PREFIX="numactl --membind=0" pt_start a --sleep 20
pid=$(pt_pid a)
pt_wait a '^before ' 5
for l in $(awk '$1 == "before" {print $2 ":" $NF}' "$(pt_dir a)/result"); do
	assert_eq "${l#*:}" 0 "thread ${l%:*}'s allocation under numactl --membind=0"
done
nm policy "$pid" -o TYPE,TID,POLICY
assert_rc 0
assert_eq "$(awk 'NR > 1 && $1 == "thread" {print $3}' "$T/out" | sort -u)" "bind:0" "task policies shown before"
assert_eq "$(awk 'NR > 1 && $1 == "thread"' "$T/out" | wc -l)" "$(ls /proc/$pid/task | wc -l)" "one row per thread"

nm policy "$pid" --set bind:2 -o TYPE,BEFORE,AFTER,STATUS
assert_rc 0
assert_eq "$(awk 'NR > 1 {print $1, $2, $3, $4}' "$T/out" | sort -u)" "thread bind:0 bind:2 changed" "report"
assert_none_held "$pid" "after the change"
nm policy "$pid" -J
assert_rc 0
assert_eq "$(json_flat < "$T/out" | grep 'type=thread' | sed 's/.*policy=\([^ ]*\).*/\1/' | sort -u)" "bind:2" \
	"task policies in JSON after"

pt_cmd a alloc
pt_wait a '^alloc ' 1
assert_eq "$(pt_nodes a '^alloc ')" 2 "main thread's next allocation (it was blocked reading its FIFO)"
pt_release a
assert_after_ok a
assert_after_nodes a 2
kill -0 "$pid" || fail "the target died"
