# Files that uid 1000 may read but not write, owned by root. To such a
# caller mincore(2) says every page of a file is resident, so numamove must
# find the pages another way or not at all: never read the holes. A tmpfs
# file is shown and moved with its allocated size unchanged (its pages are
# found with SEEK_DATA); a regular file on ext4 is refused with a one-line
# error, and none of it is read into the page cache.
ob_set() { awk '$1 == "resident_set" {print $2}' "$(wl_dir "$1")/report"; }

rm -f /dev/shm/ro
ob_start o --file /dev/shm/ro --size 64M --node 0 --stride 64
chmod 0644 /dev/shm/ro
wl_report o
ob_assert_on o touched 0
touched=$(ob_count o touched)
assert_eq "$(ob_resident o)" "$touched" "resident pages (setup)"
blocks=$(stat -c %b /dev/shm/ro)
assert_eq "$blocks" $(( touched * 8 )) "allocated 512-byte blocks of /dev/shm/ro (setup)"

NM_USER=1000 nm show -J -b /dev/shm/ro
assert_rc 0
l=$(nm_json_object /dev/shm/ro)
assert_eq "$(jval "$l" res)" $(( touched * 4096 )) "show as uid 1000: resident bytes"
assert_eq "$(jval "$l" n0)" $(( touched * 4096 )) "show as uid 1000: bytes on node 0"
assert_eq "$(stat -c %b /dev/shm/ro)" "$blocks" "allocated blocks after show as uid 1000 (holes must stay holes)"

# Pages its root owner maps move only with CAP_SYS_NICE: partial, and said.
NM_USER=1000 nm move -J -b /dev/shm/ro --to 2
assert_rc 0 3
if [ "$NM_RC" = 3 ]; then
	grep -q 'CAP_SYS_NICE' "$T/err" || fail "partial move without a word of CAP_SYS_NICE"
fi
assert_eq "$(stat -c %b /dev/shm/ro)" "$blocks" "allocated blocks after move as uid 1000 (holes must stay holes)"
wl_report o
assert_eq "$(ob_resident o)" "$touched" "resident pages after move as uid 1000"
ob_assert_checksum o

# A regular file: its cached pages cannot be told from the others.
if ! grep -q ' /mnt/ext4 ' /proc/mounts; then
	modprobe brd rd_nr=1 rd_size=131072 || fail "modprobe brd"
	modprobe crc32c_generic; modprobe ext4 || fail "modprobe ext4"
	/usr/sbin/mke2fs -q -t ext4 -F /dev/ram0 || fail "mke2fs"
	mkdir -p /mnt/ext4
	mount -t ext4 /dev/ram0 /mnt/ext4 || { dmesg | tail -n 5; fail "mount ext4"; }
fi
chmod 0755 /mnt/ext4
rm -f /mnt/ext4/ro.db
ob_start f --file /mnt/ext4/ro.db --size 16M --node 0 --stride 2 --pagecache
chmod 0644 /mnt/ext4/ro.db
wl_report f
res=$(ob_resident f)
set=$(ob_set f)
assert_eq "$res" "$(ob_count f touched)" "cached pages (setup)"
NM_USER=1000 nm show /mnt/ext4/ro.db
assert_rc 1
assert_one_line_error 'ro.db: cannot tell its cached pages from its holes without write permission'
NM_USER=1000 nm move /mnt/ext4/ro.db --to 2
assert_rc 1
assert_one_line_error 'ro.db: cannot tell its cached pages from its holes without write permission'
wl_report f
assert_eq "$(ob_resident f)" "$res" "cached pages after show and move as uid 1000 (nothing read)"
assert_eq "$(ob_set f)" "$set" "the same pages cached after show and move as uid 1000"
ob_assert_on f touched 0

# Root, its owner, is told the truth by mincore(2): the cached pages move.
nm move /mnt/ext4/ro.db --to 2
assert_rc 0
wl_report f
ob_assert_on f touched 2
assert_eq "$(ob_set f)" "$set" "the same pages cached after root's move"
rm -f /mnt/ext4/ro.db
