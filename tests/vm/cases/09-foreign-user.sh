# numamove run by uid 1000 on a process of root: exit 1, a one-line error
# about permission, nothing moved, affinity unchanged.
wl_start a --region 0:16M --threads 1
wl_report a
wl_save a
pid=$(wl_pid a)
before=$(cat /proc/$pid/task/*/status | grep Cpus_allowed_list | sort -u)
NM_USER=1000 nm move "$pid" --to 2
assert_rc 1
assert_one_line_error 'permi'
wl_report a
assert_unchanged a
after=$(cat /proc/$pid/task/*/status | grep Cpus_allowed_list | sort -u)
assert_eq "$after" "$before" "affinity"
NM_USER=1000 nm show "$pid"
assert_rc 1
assert_one_line_error 'permi'
