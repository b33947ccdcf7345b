# A sparse tmpfs file of 16 TiB with two pages written, its first and its
# last: show, show --all-shm and move cost what its data costs (they used
# to allocate a 4 GiB mincore vector and ask 4G pages where they are), find
# the two pages, move both, and leave every hole a hole.
# timeout: 240
f=/dev/shm/sparse
rm -f $f
truncate -s $(( 16 << 40 )) $f || fail "truncate to 16 TiB"
numactl --membind=0 dd if=/dev/urandom of=$f bs=4096 count=1 conv=notrunc 2>/dev/null || fail "dd first page"
numactl --membind=0 dd if=/dev/urandom of=$f bs=4096 count=1 seek=$(( (16 << 28) - 1 )) conv=notrunc 2>/dev/null ||
	fail "dd last page"
blocks=$(stat -c %b $f)
assert_eq "$blocks" 16 "allocated 512-byte blocks (setup)"
start=$(cut -d. -f1 /proc/uptime)

nm show -J -b $f
assert_rc 0
l=$(nm_json_object $f)
assert_eq "$(jval "$l" size)" $(( 16 << 40 )) "show: size"
assert_eq "$(jval "$l" res)" 8192 "show: resident bytes"
assert_eq "$(jval "$l" n0)" 8192 "show: bytes on node 0"

nm show -J -b --all-shm
assert_rc 0
l=$(nm_json_object $f)
assert_eq "$(jval "$l" res)" 8192 "show --all-shm: resident bytes"

nm move -J -b $f --to 2
assert_rc 0
l=$(nm_json | grep -E "^moves( .*)? object=$f " | head -n1)
assert_eq "$(jval "$l" status)" moved "move JSON status"
assert_eq "$(jval "$l" moved)" 8192 "move JSON moved (bytes)"

nm show -J -b $f
assert_rc 0
l=$(nm_json_object $f)
assert_eq "$(jval "$l" n2)" 8192 "show after the move: bytes on node 2"
secs=$(( $(cut -d. -f1 /proc/uptime) - start ))
note "four commands on the 16 TiB file: ${secs}s"
assert_eq "$(stat -c %b $f)" "$blocks" "allocated blocks after it all (holes must stay holes)"
rm -f $f
