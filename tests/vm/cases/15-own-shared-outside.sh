# Anonymous shared memory that a process outside the named processes'
# families maps too (not named, no descendant of a named one: the owner's
# grandchild, reparented when its parent exited, alive, mapping the pages
# it wrote) is not the named process's alone: move PID leaves it, says how
# much and who else maps it, and exits 3; with --with-shared it moves, with
# a note; naming both moves it, once. A descendant not named (the owner's
# child, as a server's worker forked after the list was made) is of the
# family: moved, no message, exit 0. Placement is read by the owner after
# each move (reading maps the pages in the owner, so each variant has an
# owner of its own).
ob_start k1 --anon 8M --node 0 --stride 2 --orphan-child
ob_start k2 --anon 8M --node 0 --stride 2 --orphan-child
ob_start k3 --anon 8M --node 0 --stride 2 --orphan-child
ob_start k4 --anon 8M --node 0 --stride 2 --keep-child
pid=$(wl_pid k1)
child=$(ob_ready k1 child)
nm move "$pid" --to 2
assert_rc 3
grep -q "/dev/zero (deleted): 2.0M stays where it was: 1 process not named maps it too (pid $child)" "$T/err" ||
	fail "no message about the shared part: $(cat "$T/err")"
wl_report k1
ob_assert_on k1 touched 0
ob_assert_checksum k1

pid=$(wl_pid k2)
child=$(ob_ready k2 child)
nm move "$pid" --to 2 --with-shared
assert_rc 0
grep -q "1 process not named maps it too (pid $child); moved with --with-shared" "$T/err" ||
	fail "no note about the shared part: $(cat "$T/err")"
wl_report k2
ob_assert_on k2 touched 2
ob_assert_checksum k2

pid=$(wl_pid k3)
child=$(ob_ready k3 child)
nm move "$pid" "$child" --to 3
assert_rc 0
grep -q "/dev/zero" "$T/err" && fail "a message about the shared part, all of whose processes were named: $(cat "$T/err")"
assert_eq "$(grep -c '^/dev/zero (deleted) (tmpfs): moved ' "$T/out")" 1 "object lines (moved once for both processes)"
wl_report k3
ob_assert_on k3 touched 3
ob_assert_checksum k3

pid=$(wl_pid k4)
child=$(ob_ready k4 child)
[ "$(awk '$1 == "PPid:" {print $2}' "/proc/$child/status")" = "$pid" ] || fail "the child's parent is not the owner"
nm move "$pid" --to 2
assert_rc 0
grep -q "/dev/zero" "$T/err" && fail "a message about the shared part, mapped only by a descendant: $(cat "$T/err")"
grep -q '^/dev/zero (deleted) (tmpfs): moved ' "$T/out" || fail "no line for the anonymous shared memory: $(cat "$T/out")"
wl_report k4
ob_assert_on k4 touched 2
ob_assert_checksum k4
