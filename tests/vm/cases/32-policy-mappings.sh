# Mapping policies: a mapping bound with mbind(2) to node 0 shows as a
# mapping with a policy of its own (the target's task policy is default). --set without --mappings leaves it (and
# says so); with --mappings it changes too, and the target's next touch of
# that mapping lands on the new node.
pt_start a --mbind bind:0
pid=$(pt_pid a)
nm policy "$pid" --mappings -o TYPE,POLICY
assert_rc 0
assert_eq "$(awk 'NR > 1 {print $1, $2}' "$T/out")" "mapping bind:0" "the mbind mapping, and only it"
pt_cmd a touch
pt_wait a '^touch ' 1
assert_eq "$(pt_nodes a '^touch ')" 0 "first touch in the mapping before"

nm policy "$pid" --set bind:3
assert_rc 0
grep -q 'keeps a policy of its own' "$T/err" || fail "no hint that the mapping keeps its policy"
pt_cmd a touch
pt_wait a '^touch ' 2
assert_eq "$(pt_nodes a '^touch ')" 0 "the mapping keeps its policy without --mappings"
pt_cmd a alloc
pt_wait a '^alloc ' 1
assert_eq "$(pt_nodes a '^alloc ')" 3 "task policy bind:3 applies outside the mapping"

nm policy "$pid" --set interleave:1-2 --mappings -o TYPE,BEFORE,AFTER,STATUS
assert_rc 0
assert_eq "$(awk 'NR > 1 && $1 == "mapping" {print $2, $3, $4}' "$T/out")" "bind:0 interleave:1-2 changed" \
	"mapping in the report"
pt_cmd a touch
pt_wait a '^touch ' 3
assert_eq "$(pt_nodes a '^touch ')" 1,2 "next touch in the mapping after --mappings"
# Equal to the task policy, the mapping's own policy cannot be told apart in
# /proc; with the task policy back to default it shows again.
nm policy "$pid" --set default
assert_rc 0
nm policy "$pid" --mappings -o TYPE,POLICY
assert_eq "$(awk 'NR > 1 {print $1, $2}' "$T/out" | sort -u)" "mapping interleave:1-2" "mapping policy shown after"
pt_release a
assert_after_ok a
