# The page cache of a file on ext4 (on a brd RAM disk): the owner writes
# 32 MiB, drops it from the cache, and reads back every other page of the
# first half on node 0. numamove moves the cached pages to node 2 without
# reading the others from disk (the file's cached pages are as many after
# as before); the owner finds its pages on node 2 with their data.
modprobe brd rd_nr=1 rd_size=131072 || fail "modprobe brd"
modprobe crc32c_generic; modprobe ext4 || fail "modprobe ext4"
/usr/sbin/mke2fs -q -t ext4 -F /dev/ram0 || fail "mke2fs"
mkdir -p /mnt/ext4
mount -t ext4 /dev/ram0 /mnt/ext4 || { dmesg | tail -n 5; fail "mount ext4"; }
ob_start o --file /mnt/ext4/table.db --size 32M --node 0 --stride 2 --pagecache
wl_report o
ob_assert_on o touched 0
res_before=$(ob_resident o)
assert_eq "$res_before" "$(ob_count o touched)" "cached pages before (setup)"
nm show /mnt/ext4/table.db
assert_rc 0
nm move -J -b /mnt/ext4/table.db --to 2
assert_rc 0
wl_report o
ob_assert_on o touched 2
ob_assert_checksum o
assert_eq "$(ob_resident o)" "$res_before" "cached pages after the move (nothing read from disk)"
nm show /mnt/ext4/table.db
assert_rc 0
grep -q 'file' "$T/out" || fail "show: type file"
