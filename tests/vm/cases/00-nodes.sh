# numamove nodes -J -b describes the machine as sysfs does: 4 nodes, CPUs on
# 0 and 1 only, the sizes and distances of the nodes.
nm nodes -J -b
assert_rc 0
n=$(nm_json | grep -c '^nodes ')
assert_eq "$n" 4 "number of node objects"
errors=
for node in 0 1 2 3; do
	l=$(nm_json | grep -E "^nodes( .*)? node=$node ")
	[ -n "$l" ] || fail "no node $node in the JSON"
	want=$(node_cpus $node)
	got=$(jval "$l" cpus)
	[ -z "$want" ] && [ "$got" = null ] && got=	# empty string or null
	assert_eq "$got" "$want" "node $node cpus"
	kb=$(awk '/MemTotal/ {print $4}' /sys/devices/system/node/node$node/meminfo)
	assert_eq "$(jval "$l" total)" $((kb * 1024)) "node $node total (bytes)"
	# collect, so that one run shows every wrong value
	if [ -n "$want" ]; then hc=true; else hc=false; fi
	[ "$(jval "$l" hascpus)" = "$hc" ] ||
		errors="$errors; node $node hascpus is $(jval "$l" hascpus), expected $hc"
	dist=$(tr ' ' ',' < /sys/devices/system/node/node$node/distance)
	[ "$(jval "$l" distances)" = "$dist" ] ||
		errors="$errors; node $node distances is [$(jval "$l" distances)], expected the array [$dist]"
done
nm nodes -r -o NODE,HASCPUS
assert_rc 0
for node in 2 3; do
	v=$(awk -v n=$node '$1 == n {print $2}' "$T/out")
	[ "$v" = no ] || errors="$errors; text HASCPUS of node $node is '$v', expected no"
done
[ -z "$errors" ] || fail "${errors#; }"
nm nodes
assert_rc 0
