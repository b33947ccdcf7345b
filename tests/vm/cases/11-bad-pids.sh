# Processes that cannot be moved: no such process, a kernel thread
# (kthreadd, pid 2), a zombie: exit 1 with a one-line error. An argument
# that is not a number is a path: no such file, exit 1; a pid out of
# range: exit 2.
pid=2
while [ -e /proc/$pid ] || [ $pid -lt 30000 ]; do pid=$((pid + 1777)); done
nm move "$pid" --to 1
assert_rc 1
assert_one_line_error
nm move 2 --to 1
assert_rc 1
assert_one_line_error 'is a kernel thread'
# a zombie: the child exits, its parent (sleep) never waits for it
( sh -c 'echo $$ > '"$T"'/zpid; exit 0' & exec sleep 1000 ) &
echo $! >> "$T/pids"
wait_for 10 test -s "$T/zpid" || fail "no zombie"
z=$(cat "$T/zpid")
wait_for 10 sh -c "grep -q '^State:.*Z' /proc/$z/status" || fail "process $z is not a zombie"
nm move "$z" --to 1
assert_rc 1
assert_one_line_error 'is a zombie'
nm show "$z"
assert_rc 1
assert_one_line_error 'is a zombie'
nm move abc --to 1
assert_rc 1
assert_one_line_error 'abc: no such file'
nm move 99999999999 --to 1
assert_rc 2
nm move --to 1
assert_rc 2
