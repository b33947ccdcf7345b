# Every policy mode, set on one thread (--tid): the main thread's next
# allocation follows it, as the target measures; the other threads keep
# theirs. Flags show as numa_maps shows them. Bad policies are usage errors.
PT_PREFIX="numactl --membind=0" pt_start a
pid=$(pt_pid a)
n=0
check() { # POLICY ALLOWED-NODES [EXACT]
	nm policy "$pid" --set "$1" --tid "$pid" -o TID,AFTER
	assert_rc 0
	assert_eq "$(awk 'NR > 1 {print $1, $2}' "$T/out")" "$pid $1" "report of --set $1 --tid $pid"
	n=$((n + 1))
	pt_cmd a alloc
	pt_wait a '^alloc ' $n
	got=$(pt_nodes a '^alloc ')
	assert_nodes_in "$got" "$2" "main thread's allocation under $1"
	[ -z "${3:-}" ] || assert_eq "$got" "$3" "main thread's allocation under $1"
}
check bind:3 3 3
check interleave:2-3 2,3 2,3
check preferred:1 1 1
check preferred-many:2-3 2,3
# weighted interleave came in 6.9; before, its refusal is case 58's
kernel_at_least 6 9 && check weighted-interleave:1-2 1,2 1,2
check bind=static:2 2 2
check local 0,1
check default 0,1
check bind:0-1 0,1
nm policy "$pid" -o TYPE,TID,POLICY
assert_eq "$(awk -v p="$pid" 'NR > 1 && $2 != p && $1 == "thread" {print $3}' "$T/out" | sort -u)" "bind:0" \
	"the other threads' policies after --tid"
if kernel_at_least 6 9; then
	nm policy "$pid" --set weighted-interleave:0-3 --tid "$pid" -o TID,AFTER,WEIGHTS
	assert_rc 0
	assert_eq "$(awk 'NR > 1 {print $3}' "$T/out")" "0:1,1:1,2:1,3:1" "weights shown"
fi

for bad in bind bind: bind:9 'preferred:0,1' 'local:1' 'bind=bogus:1' 'bind=static|relative:1' nonsense 'interleave:!0-3'; do
	nm policy "$pid" --set "$bad"
	assert_rc 2
	head -n1 "$T/err" | grep -q -- "--set.*'$bad'" || fail "usage error does not name --set '$bad'"
done
nm policy "$pid" --set bind:0 --tid 1
assert_rc 1
assert_one_line_error 'not one of its threads'
nm policy "$pid" --tid "$pid"
assert_rc 2
pt_release a
assert_after_ok a
