# move PID --with-shared: a process that maps a tmpfs file and a SysV
# segment but has none of their pages mapped itself (another owner touched
# them) is moved; the objects it maps move with it, each reported, with
# the process's FROM -> TO (0 -> 2), their holes still holes.
ob_start a --file /dev/shm/db --size 16M --node 0
ob_start s --shm 8M --node 0
ob_start b --file /dev/shm/db --size 16M --node 0 --stride 0
ob_start c --shmid "$(ob_ready s shmid)" --node 0
wl_report a
wl_report s
res_a=$(ob_resident a)
res_s=$(ob_resident s)
pid=$(wl_pid b)
nm move -J -b "$pid" --with-shared --to 2 --memory-only
assert_rc 0
l=$(nm_json | grep -E "^moves( .*)? object=/dev/shm/db " | head -n1)
assert_eq "$(jval "$l" status)" moved "JSON status of /dev/shm/db"
wl_report a
ob_assert_on a touched 2
ob_assert_checksum a
assert_eq "$(ob_resident a)" "$res_a" "resident pages of /dev/shm/db after the move (holes must stay holes)"
# the segment is mapped by c, not b: it stays
wl_report s
ob_assert_on s touched 0
pid=$(wl_pid c)
nm move "$pid" --with-shared --to 2 --memory-only
assert_rc 0
wl_report s
ob_assert_on s touched 2
ob_assert_checksum s
assert_eq "$(ob_resident s)" "$res_s" "resident pages of the segment after the move (holes must stay holes)"

# Anonymous shared memory (MAP_SHARED|MAP_ANONYMOUS) is the process's own
# (cases 14-19), reported as an object of its; the workload's child maps it
# too, and a child is of the named process's family (case 15): it moves,
# with no note of a process outside.
wl_start w --region 0:4M --shared-with-child
nm move "$(wl_pid w)" --with-shared --to 2 --memory-only
assert_rc 0
! grep -q "not named maps it" "$T/err" || fail "the workload's own child counted as outside: $(cat "$T/err")"
wl_report w
assert_region_on w 0 2
