# The shared policy of a process's own shared memory follows the process:
# an owner that bound its MAP_SHARED|MAP_ANONYMOUS buffer to node 0 with
# mbind(2) (a shared policy, which beats every thread's task policy) is
# moved to node 3: its pages move, the buffer's policy becomes bind:3
# (reported before -> after), and the pages it writes next, with its own
# default task policy, land on node 3 (the owner asks the kernel where each
# page is). With --memory-only the policy stays.
ob_start p --anon 8M --node 0 --stride 2 --mbind 0
pid=$(wl_pid p)
nm move "$pid" --to 3
assert_rc 0
grep -q '^/dev/zero (deleted) (tmpfs): policy bind:0 -> bind:3$' "$T/out" ||
	fail "no policy line for the anonymous shared memory: $(cat "$T/out")"
wl_next p
wl_report p
ob_assert_on p touched 3
ob_assert_on p later 3
ob_assert_checksum p

ob_start q --anon 8M --node 0 --stride 2 --mbind 0
pid=$(wl_pid q)
nm move --memory-only "$pid" --to 2
assert_rc 0
grep -q 'policy bind:0 ->' "$T/out" && fail "a policy changed with --memory-only: $(cat "$T/out")"
wl_next q
wl_report q
ob_assert_on q touched 2
ob_assert_on q later 0
