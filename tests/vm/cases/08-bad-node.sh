# A node that does not exist (--to 9), a bad list: exit 2, a one-line error,
# nothing moved.
wl_start a --region 0:16M
wl_report a
wl_save a
pid=$(wl_pid a)
for bad in 9 "1,9" "x" "3-0" "0,0" ""; do
	nm move "$pid" --to "$bad"
	assert_rc 2
	assert_one_line_error
done
nm move "$pid" --from 9 --to 1
assert_rc 2
assert_one_line_error
nm move "$pid" --to 9
assert_one_line_error '9'
wl_report a
assert_unchanged a
