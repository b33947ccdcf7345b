# --dry-run moves nothing (memory or affinity), exit 0, also when the plan
# does not fit; the plan's FITS column says "yes" for a plan that fits and
# "no" for one that does not (900M to node 3, which has less free).
# plan_fits: the FITS column of the plan rows in $T/out, sorted, unique.
plan_fits() { awk '$1 == "FROM" && $NF == "FITS" {p = 1; next} /^total:/ {p = 0} p && $1 ~ /^[0-9]+$/ {print $NF}' "$T/out" | sort -u | tr '\n' ' '; }
wl_start a --region 0:32M --region 1:16M --threads 1
wl_report a
wl_save a
pid=$(wl_pid a)
before=$(cat /proc/$pid/task/*/status | grep Cpus_allowed_list | sort -u)
nm move --dry-run "$pid" --to 1
assert_rc 0
assert_eq "$(plan_fits)" "yes " "FITS of a 32M plan to node 1"
nm move --dry-run "$pid" --from 0,1 --to 1,0
assert_rc 0
assert_eq "$(plan_fits)" "yes " "FITS of a 48M swap"
wl_report a
assert_unchanged a
after=$(cat /proc/$pid/task/*/status | grep Cpus_allowed_list | sort -u)
assert_eq "$after" "$before" "affinity"
wl_stop a
wl_start b --region 0:450M --region 1:450M
wl_report b
wl_save b
free3=$(node_free_kb 3)
[ "$free3" -lt $((900 * 1024)) ] || fail "node 3 has ${free3} kB free, room for 900M (test setup)"
nm move --dry-run "$(wl_pid b)" --to 3
assert_rc 0
case "$(plan_fits)" in *no*) ;; *) fail "the dry run of 900M to node 3 (${free3} kB free) does not say it does not fit: FITS '$(plan_fits)'" ;; esac
wl_report b
assert_unchanged b
