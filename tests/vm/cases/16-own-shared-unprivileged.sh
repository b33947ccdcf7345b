# uid 1000 moves its own process, whose anonymous shared memory a child
# wrote before it exited: /proc/PID/map_files needs CAP_SYS_ADMIN or
# CAP_CHECKPOINT_RESTORE, so those pages cannot be reached. numamove says
# how much at most may stay and why, and exits 3 (never "0 pages not
# moved" alone); the pages are still on node 0, the data intact. The amount
# is a bound (numamove cannot see the pages): JSON left-bytes-max, at least
# what the child wrote, and no exact left-bytes.
WL_USER=1000 ob_start u --anon 8M --node 0 --stride 2 --by-child
res=$(ob_ready u resident)
assert_ge "$res" 512 "resident pages the child wrote"
pid=$(wl_pid u)
NM_USER=1000 nm move "$pid" --to 2
assert_rc 3
grep -q "/dev/zero (deleted): up to [0-9.]*[KMG] that the process does not map stays where it was: .*/proc/$pid/map_files, which needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE" "$T/err" ||
	fail "no message about the unreachable memory: $(cat "$T/err")"
NM_USER=1000 nm move -J -b "$pid" --to 2
assert_rc 3
l=$(nm_json | grep -E "^moves( .*)? object=/dev/zero" | head -n1)
assert_eq "$(jval "$l" status)" partial "JSON status of the anonymous shared memory"
assert_eq "$(jval "$l" reason)" unreachable "JSON reason"
max=$(jval "$l" left-bytes-max)
assert_ge "$max" $((res * 4096)) "JSON left-bytes-max (a bound: at least what the child wrote)"
case "$(jval "$l" left-bytes)" in '' | null) ;; *) fail "JSON left-bytes, not known: $l" ;; esac
wl_report u
ob_assert_on u touched 0
ob_assert_checksum u
# show says it cannot count what the process does not map, and why.
NM_USER=1000 nm show "$pid"
assert_rc 0
grep -q "does not map are not counted: reaching them through /proc/$pid/map_files needs CAP_SYS_ADMIN" "$T/err" ||
	fail "show: no message about the uncounted memory: $(cat "$T/err")"
