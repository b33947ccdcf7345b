# The page cache of a file on ext4 (on a brd RAM disk): the owner writes
# 32 MiB, drops it from the cache, and reads back every other page of the
# first half on node 0. numamove moves the cached pages to node 2 without
# reading the others from disk (the file's cached pages are the same pages
# after as before); the owner finds its pages on node 2 with their data.
# Then a file read with the kernel's readahead (its cached pages carry
# readahead marks): repeated shows and a move read nothing more.
modprobe brd rd_nr=1 rd_size=131072 || fail "modprobe brd"
modprobe crc32c_generic; modprobe ext4 || fail "modprobe ext4"
/usr/sbin/mke2fs -q -t ext4 -F /dev/ram0 || fail "mke2fs"
mkdir -p /mnt/ext4
mount -t ext4 /dev/ram0 /mnt/ext4 || { dmesg | tail -n 5; fail "mount ext4"; }
# which pages of the file are cached (a hash of the owner's mincore vector)
ob_set() { awk '$1 == "resident_set" {print $2}' "$(wl_dir "$1")/report"; }
ob_start o --file /mnt/ext4/table.db --size 32M --node 0 --stride 2 --pagecache
wl_report o
ob_assert_on o touched 0
res_before=$(ob_resident o)
set_before=$(ob_set o)
assert_eq "$res_before" "$(ob_count o touched)" "cached pages before (setup)"
nm show /mnt/ext4/table.db
assert_rc 0
nm move -J -b /mnt/ext4/table.db --to 2
assert_rc 0
wl_report o
ob_assert_on o touched 2
ob_assert_checksum o
assert_eq "$(ob_resident o)" "$res_before" "cached pages after the move (nothing read from disk)"
assert_eq "$(ob_set o)" "$set_before" "the same pages cached after the move"
nm show /mnt/ext4/table.db
assert_rc 0
grep -q 'file' "$T/out" || fail "show: type file"

# Read with readahead: one touched page in 64, the first with its window.
ob_start r --file /mnt/ext4/ra.db --size 32M --node 0 --stride 64 --pagecache --readahead
wl_report r
ob_assert_on r touched 0
res_before=$(ob_resident r)
set_before=$(ob_set r)
for i in 1 2 3 4 5; do
	nm show /mnt/ext4/ra.db
	assert_rc 0
done
nm move -J -b /mnt/ext4/ra.db --to 2
assert_rc 0
l=$(nm_json | grep -E "^moves( .*)? object=/mnt/ext4/ra.db " | head -n1)
assert_eq "$(jval "$l" moved)" $(( res_before * 4096 )) "move JSON moved: the cached pages' bytes"
wl_report r
ob_assert_on r touched 2
ob_assert_checksum r
assert_eq "$(ob_resident r)" "$res_before" "cached pages after five shows and a move (no readahead)"
assert_eq "$(ob_set r)" "$set_before" "the same pages cached after five shows and a move"
