# timeout: 300
# Destination too small: 900M (450M on each of nodes 0 and 1) to node 3
# (768M). Without --force: refused, exit 1, nothing moved. With --force:
# exit 3, the data intact, every page either on node 3 or still on its old
# node, and numamove's count of pages left consistent with the workload's.
wl_start a --region 0:450M --region 1:450M
wl_report a
wl_save a
pid=$(wl_pid a)
nm move -J -b "$pid" --to 3
assert_rc 1
wl_report a
assert_unchanged a
assert_checksums a

nm move -J -b "$pid" --to 3 --force
assert_rc 3
wl_report a
assert_checksums a
for r in 0 1; do
	old=$r			# region r was placed on node r
	on3=$(wl_pages a $r 3)
	onold=$(wl_pages a $r $old)
	total=$(wl_region_pages a $r)
	[ $((on3 + onold)) = "$total" ] ||
		fail "region $r: $on3 pages on node 3 + $onold on node $old != $total ($(region_line a $r))"
done
on3=$(wl_pages_all a 3)
notmoved=$(( $(wl_total_pages a) - on3 ))
note "workload: $on3 pages on node 3, $notmoved not moved"
assert_ge "$on3" 1 "pages that reached node 3"
assert_ge "$notmoved" 1 "pages not moved"
left=$(nm_json_field "$pid" left)
nomem=$(nm_json_field "$pid" nomem)
moved=$(nm_json_field "$pid" moved)
assert_eq "$(nm_json_field "$pid" status)" partial "JSON status"
# numamove counts the whole process (stack, libraries: a few MiB more)
assert_ge "$left" "$notmoved" "JSON left (pages) vs the workload's pages not moved"
assert_le "$left" $((notmoved + 4096)) "JSON left (pages) vs the workload's pages not moved (+16M)"
assert_ge "$nomem" 1 "JSON nomem"
assert_ge "$moved" $((on3 * 4096)) "JSON moved (bytes) vs the workload's pages on node 3"
assert_le "$moved" $(((on3 + 4096) * 4096)) "JSON moved (bytes) vs the workload's pages on node 3 (+16M)"
