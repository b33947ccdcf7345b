# --dry-run moves nothing (memory or affinity), exit 0, also when the plan
# does not fit.
wl_start a --region 0:32M --region 1:16M --threads 1
wl_report a
wl_save a
pid=$(wl_pid a)
before=$(cat /proc/$pid/task/*/status | grep Cpus_allowed_list | sort -u)
nm move --dry-run "$pid" --to 1
assert_rc 0
nm move --dry-run "$pid" --from 0,1 --to 1,0
assert_rc 0
wl_report a
assert_unchanged a
after=$(cat /proc/$pid/task/*/status | grep Cpus_allowed_list | sort -u)
assert_eq "$after" "$before" "affinity"
wl_stop a
wl_start b --region 0:450M --region 1:450M
wl_report b
wl_save b
nm move --dry-run "$(wl_pid b)" --to 3
assert_rc 0
grep -q 'no' "$T/out" || fail "the dry run of 900M to node 3 does not say it does not fit"
wl_report b
assert_unchanged b
