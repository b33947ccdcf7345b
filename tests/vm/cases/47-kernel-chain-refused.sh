# --engine=kernel cannot chain or swap (migrate_pages(2) pairs nodes by
# position in the sets), and its refusal comes before anything changes. A
# process started under numactl --membind=0 (64 MiB held on node 0) moved
# --engine=kernel --from 0,1 --to 1,0: exit 1, reason kernel-chain in -J,
# and, measured without numamove: every thread's task policy still bind:0
# as /proc/PID/task/TID/numa_maps shows it, the memory of every mapping on
# the same nodes as before (numa_maps page counts: none lower on a node, and
# none on a node the process had no page on), the main thread's next
# allocation and every blocked thread's allocation after release on node 0
# (the target measures them with move_pages(2)).
# (d243ede rebound the policies to node 1 first, then refused.)
PT_PREFIX="numactl --membind=0" pt_start a --hold 64
pid=$(pt_pid a)
pt_wait a '^before ' 5
nthreads=$(ls /proc/$pid/task | wc -l)
# Policies (2nd field) of every thread's numa_maps: one line per distinct policy.
task_policies() { cat /proc/$pid/task/*/numa_maps | awk '{print $2}' | sort -u | tr '\n' ' '; }
# Pages per mapping and node: "ADDRESS N0=... N1=..." (N* fields only).
placement() {
	awk '{s = $1; for (i = 2; i <= NF; i++) if ($i ~ /^N[0-9]+=/) s = s " " $i; print s}' /proc/$pid/numa_maps
}
assert_eq "$(task_policies)" "bind:0 " "task policies in numa_maps (setup)"
placement > "$T/before"
held=$(awk '{for (i = 2; i <= NF; i++) if ($i ~ /^N0=/) s += substr($i, 4)} END {print s + 0}' "$T/before")
assert_ge "$held" $((64 * MiB)) "pages on node 0 (setup: --hold 64)"

nm move "$pid" --engine=kernel --from 0,1 --to 1,0 -J
assert_rc 1

assert_eq "$(ls /proc/$pid/task | wc -l)" "$nthreads" "threads of the target (it survives)"
assert_eq "$(task_policies)" "bind:0 " "task policies in /proc/$pid/task/*/numa_maps after the refused move"
placement > "$T/after"
# Moved: a mapping with fewer pages on a node than before, or pages on a
# node where the process had none. (The target's own threads go on
# allocating, on node 0: counts that grow there are not moves.)
moved=$(awk 'NR == FNR {for (i = 2; i <= NF; i++) {split($i, kv, "="); b[$1 " " kv[1]] = kv[2]; had[kv[1]] = 1}; next}
	{for (i = 2; i <= NF; i++) {split($i, kv, "="); k = $1 " " kv[1]
		if (!(kv[1] in had) || ((k in b) && kv[2] + 0 < b[k] + 0)) print $1 " " $i " (before: " (k in b ? b[k] : 0) ")"}}' \
	"$T/before" "$T/after" | head -n 4 | tr '\n' ';')
[ -z "$moved" ] || fail "memory moved by a refused move: $moved"
pt_cmd a alloc
pt_wait a '^alloc ' 1
assert_eq "$(pt_nodes a '^alloc ')" 0 "the main thread's next allocation after the refused move"
pt_release a
assert_after_ok a
assert_after_nodes a 0
# What numamove says, after what happened.
l=$(nm_json_proc "$pid")
[ -n "$l" ] || l=$(nm_json | grep -E "^moves( .*)? " | head -n1)
assert_eq "$(jval "$l" reason)" kernel-chain "JSON reason"
grep -qi 'cannot chain or swap' "$T/err" || fail "no message saying --engine=kernel cannot chain or swap"
