# move rebinds policies: a process started under numactl --membind=0, with
# a mapping bound to node 0, moved --to 2: its memory moves (8 MiB it touched,
# where the target itself finds them with move_pages(2)), every thread's
# task policy becomes bind:2 and the mapping's too, so the next allocation
# of every thread (measured by the target) and the next touch in the
# mapping land on node 2; blocked calls complete normally. An interleave
# over 0-1 moved 0,1 -> 2,3 becomes interleave over 2-3. --memory-only
# leaves policies alone, and says so.
# The sleeper sleeps 30 s: long enough to still be in nanosleep(2) when
# numamove holds it under emulation (its sleep restarted is what is tested;
# its next allocation waits for the release either way).
PT_PREFIX="numactl --membind=0" pt_start a --mbind bind:0 --sleep 30
pid=$(pt_pid a)
pt_wait a '^before ' 5
pt_cmd a grow
pt_wait a '^grow ' 1
assert_eq "$(pt_nodes a '^grow ')" 0 "where 8 MiB touched under --membind=0 landed"
nm move "$pid" --to 2 --dry-run
assert_rc 0
grep -q "would rebind the task policy of $(ls /proc/$pid/task | wc -l) threads: bind:0 -> bind:2" "$T/out" ||
	fail "--dry-run does not list the thread rebinds"
nm policy "$pid" -o TYPE,POLICY
assert_eq "$(awk 'NR > 1 {print $2}' "$T/out" | sort -u)" "bind:0" "policies unchanged by --dry-run"
pt_cmd a where
pt_wait a '^where ' 1
assert_eq "$(pt_nodes a '^where ')" 0 "the target's memory after --dry-run"
pt_cmd a alloc
pt_wait a '^alloc ' 1
assert_eq "$(pt_nodes a '^alloc ')" 0 "the main thread's next allocation after --dry-run (policy unchanged)"

nm move "$pid" --to 2
assert_rc 0
grep -q 'task policy of .* threads: bind:0 -> bind:2' "$T/out" || fail "move does not report the rebinding"
grep -q 'policy of mapping .*: bind:0 -> bind:2' "$T/out" || fail "move does not report the mapping rebinding"
nm policy "$pid" -o TYPE,POLICY
assert_eq "$(awk 'NR > 1 {print $1, $2}' "$T/out" | sort -u)" "thread bind:2" "task policies after the move"
pt_cmd a where
pt_wait a '^where ' 2
assert_eq "$(pt_nodes a '^where ')" 2 "the target's memory after the move"
pt_cmd a touch
pt_wait a '^touch ' 1
assert_eq "$(pt_nodes a '^touch ')" 2 "next touch in the mbind mapping"
pt_release a
assert_after_ok a
assert_after_nodes a 2

PT_PREFIX="numactl --interleave=0-1" pt_start b
pid=$(pt_pid b)
nm move "$pid" --from 0,1 --to 2,3 -J
assert_rc 0
assert_eq "$(json_flat < "$T/out" | grep '^moves' | sed 's/.*rebound=\([0-9]*\).*/\1/')" "$(ls /proc/$pid/task | wc -l)" \
	"rebound count in JSON"
pt_cmd b alloc
pt_wait b '^alloc ' 1
assert_eq "$(pt_nodes b '^alloc ')" 2,3 "next allocation after interleave 0-1 moved to 2,3"
pt_release b
assert_after_ok b
assert_after_nodes b 2,3

PT_PREFIX="numactl --membind=0" pt_start c
pid=$(pt_pid c)
nm move "$pid" --to 2 --memory-only
assert_rc 0
grep -q 'with --memory-only they stay' "$T/err" || fail "no warning that policies stay"
pt_cmd c alloc
pt_wait c '^alloc ' 1
assert_eq "$(pt_nodes c '^alloc ')" 0 "next allocation after --memory-only (policy kept)"
pt_release c
assert_after_ok c
