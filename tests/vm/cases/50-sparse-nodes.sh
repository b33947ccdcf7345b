# topology: sparse
# The sparse machine as numamove sees it, against sysfs: node ids 0,1,2,5,7
# (no 3, 4, 6), node 1 with a CPU and no memory, nodes 5 and 7 memory-only,
# unequal sizes. A missing id (3) and the memoryless node (1) as
# destinations are refused (exit 2, one-line error) and move nothing.
assert_eq "$(nodes_online)" "0,1,2,5,7" "online nodes (test setup)"
assert_eq "$(nodes_memless_cpu)" "1" "nodes with a CPU and no memory (test setup)"
assert_eq "$(nodes_memonly)" "5,7" "memory-only nodes (test setup)"
nm nodes -J -b
assert_rc 0
assert_eq "$(nm_json | grep '^nodes ' | sed 's/.* node=\([0-9]*\) .*/\1/' | tr '\n' ',' | sed 's/,$//')" \
	"0,1,2,5,7" "the nodes numamove lists"
for node in 0 1 2 5 7; do
	l=$(nm_json | grep -E "^nodes( .*)? node=$node ")
	want=$(node_cpus $node)
	got=$(jval "$l" cpus)
	[ -z "$want" ] && [ "$got" = null ] && got=
	assert_eq "$got" "$want" "node $node cpus"
	kb=$(awk '/MemTotal/ {print $4}' /sys/devices/system/node/node$node/meminfo)
	assert_eq "$(jval "$l" total)" $((kb * 1024)) "node $node total (bytes)"
	if [ -n "$want" ]; then hc=true; else hc=false; fi
	assert_eq "$(jval "$l" hascpus)" "$hc" "node $node hascpus"
	assert_eq "$(jval "$l" distances)" "$(tr ' ' ',' < /sys/devices/system/node/node$node/distance)" \
		"node $node distances"
done

wl_start a --region 0:16M --region 2:8M
wl_report a
wl_save a
pid=$(wl_pid a)
for bad in 3 6 "5,4"; do
	nm move "$pid" --to "$bad"
	assert_rc 2
	assert_one_line_error
done
nm move "$pid" --from 3 --to 5
assert_rc 2
assert_one_line_error
# node 1 exists and has a CPU, but no memory to move to
nm move "$pid" --to 1
assert_rc 2
assert_one_line_error
wl_report a
assert_unchanged a
