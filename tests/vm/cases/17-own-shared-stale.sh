# A process named first whose own shared memory cannot be opened where its
# maps said (here a child of the owner that maps the owner's memfd and
# changes its mapping's length every millisecond; a process that exits
# between its move and its own-shm step is the same case) does not hide the object
# from the processes named after it: the owner, named second, maps it too,
# and every page the owner's first child wrote (then exited) moves. The
# owner reads each page after the move and asks the kernel where it is.
ob_start r --memfd 8M --node 1 --stride 3 --by-child --remapper
res=$(ob_ready r resident)
assert_ge "$res" 340 "resident pages of the memfd"
pid=$(wl_pid r)
rm=$(ob_ready r remapper)
[ -n "$rm" ] || fail "no remapper"
nm move "$rm" "$pid" --to 3
assert_rc 0
wl_report r
ob_assert_on r touched 3
ob_assert_checksum r
assert_eq "$(ob_resident r)" "$res" "resident pages of the memfd after the move"
