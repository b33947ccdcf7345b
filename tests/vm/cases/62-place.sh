# Placements enforced at once (numamove place --now; numamoved does the
# same later, on its own). The owner program (tests/vm/owner.c) says where
# its pages are, with move_pages(2) on its own mapping of the file.
# 1. A regular file on ext4 whose page cache sits on node 0, placed with
#    bind:2: its cached pages move to node 2, the same pages, data intact;
#    show reports the placement, and the file conforming.
# 2. A tmpfs file touched on node 1, placed with bind:3: its pages move to
#    node 3, and its later pages, faulted in by the owner running on node
#    0's CPU, are born on node 3 (the placement became its shared policy).
# 3. A placement that names a node without memory is refused, nothing set.
# On 4node: nodes 0 -> 2 and 1 -> 3; elsewhere the same positions among
# the nodes with memory.
mem=$(nodes_mem)
A=$(nth_node "$mem" 1) B=$(nth_node "$mem" 2) C=$(nth_node "$mem" 3) D=$(nth_node "$mem" 4)
modprobe brd rd_nr=1 rd_size=131072 || fail "modprobe brd"
modprobe crc32c_generic; modprobe ext4 || fail "modprobe ext4"
/usr/sbin/mke2fs -q -t ext4 -F /dev/ram0 || fail "mke2fs"
mkdir -p /mnt/place
mount -t ext4 /dev/ram0 /mnt/place || fail "mount ext4"

ob_start f --file /mnt/place/data.db --size 16M --node "$A" --stride 2 --pagecache
wl_report f
ob_assert_on f touched "$A"
res_before=$(ob_resident f)
nm place --now --policy "bind:$C" /mnt/place/data.db
assert_rc 0
grep -q "data.db: placement none -> bind:$C" "$T/out" || fail "place: no 'placement none -> bind:$C' line"
wl_report f
ob_assert_on f touched "$C"
ob_assert_checksum f
assert_eq "$(ob_resident f)" "$res_before" "cached pages after placing (nothing read from disk)"
nm show -J -o NAME,PLACEMENT,CONFORM /mnt/place/data.db
assert_rc 0
grep -q "\"placement\": \"bind:$C\"" "$T/out" || fail "show: placement bind:$C not shown"
grep -q '"conform": 100' "$T/out" || fail "show: the placed file does not conform"
wl_stop f

ob_start t --file /dev/shm/placed --size 16M --node "$B" --stride 2
wl_report t
ob_assert_on t touched "$B"
nm place --now --policy "bind:$D" /dev/shm/placed
assert_rc 0
grep -q "policy default -> bind:$D" "$T/out" || fail "place --now: the tmpfs file's shared policy not set"
wl_report t
ob_assert_on t touched "$D"
ob_assert_checksum t
wl_next t
wl_report t
ob_assert_on t later "$D"
wl_stop t
rm -f /dev/shm/placed

memless=$(nodes_memless_cpu)
if [ -n "$memless" ]; then
	n=$(nth_node "$memless" 1)
	nm place --policy "bind:$n" /mnt/place/data.db
	assert_rc 2
	nm show -r -n -o PLACEMENT /mnt/place/data.db
	assert_eq "$(cat "$T/out")" "bind:$C" "the placement after a refused one"
else
	note "no memoryless node on this machine: the refusal of one is checked on the sparse and memless ones"
fi
umount /mnt/place
