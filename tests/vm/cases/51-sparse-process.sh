# topology: sparse
# timeout: 300
# A process on the sparse machine: regions on nodes 0 and 2 move to the
# memory-only nodes 5 and 7 (ordered mapping, 2 workers), back to 2 with the
# kernel engine, then the whole process to node 2: data intact, each page
# where the workload itself measures it. Affinity follows the memory to
# node 2's CPU, and a move to a memory-only node leaves it alone.
all=$(cat /sys/devices/system/cpu/online)
thread_cpus() {
	cat /proc/$1/task/*/status | awk '/^Cpus_allowed_list/ {print $2}' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
wl_start a --region 0:64M --region 2:32M --threads 2
pid=$(wl_pid a)
nm move "$pid" --from 0,2 --to 5,7 -j 2 -J -b
assert_rc 0
wl_report a
assert_checksums a
assert_region_on a 0 5
assert_region_on a 1 7
assert_eq "$(thread_cpus $pid)" "$all" "affinity after a move to memory-only nodes"
assert_eq "$(nm_json_field "$pid" status)" moved "JSON status"

nm move "$pid" --from 5 --to 0 --engine=kernel
assert_rc 0
wl_report a
assert_checksums a
assert_region_on a 0 0
assert_region_on a 1 7

nm move "$pid" --to 2
assert_rc 0
wl_report a
assert_checksums a
assert_region_on a 0 2
assert_region_on a 1 2
assert_eq "$(thread_cpus $pid)" "$(node_cpus 2)" "affinity after the move to node 2"
wl_next a
awk '$1 == "thread" {print $2, $(4 + 2)}' "$(wl_dir a)/next" | while read -r tid on2; do
	[ "$on2" -gt 0 ] || fail "thread $tid's next allocation: no page on node 2"
done || exit 1
wl_stop a

# A swap between a CPU node and a memory-only node with sparse ids.
wl_start s --region 0:16M --region 5:16M
pid=$(wl_pid s)
nm move "$pid" --from 0,5 --to 5,0
assert_rc 0
wl_report s
assert_checksums s
assert_region_on s 0 5
assert_region_on s 1 0
