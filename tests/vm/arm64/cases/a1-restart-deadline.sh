# topology: any
# timeout: 240
# arm64 restarts (lib/arch/aarch64/arch.c): held in nanosleep(2), the
# sleeper goes on in restart_syscall and wakes at its first deadline,
# not SECONDS after numamove let it go (a restart from scratch would); its
# sleep has 25 s and must end within 28 s, although two policy changes hold
# it 5 s or more into the sleep (from scratch: 30 s or more). Held in
# epoll_pwait(2) (arm64 has no epoll_wait), the call that the stop ended
# with EINTR restarts with its first argument (orig_x0, read back from
# /proc/TID/syscall); read(2) and FUTEX_WAIT restart from the rewound svc;
# the spinner is held in user code. Each call's injected set_mempolicy runs, not restart_syscall in its
# place: the policies change and the next allocations land on the new node.
PT_PREFIX="numactl --membind=0" pt_start a --sleep 25 --sleep-max 28
pid=$(pt_pid a)
pt_wait a '^before ' 5
sleep 5
nm policy "$pid" --set bind:2 -o TYPE,BEFORE,AFTER,STATUS
assert_rc 0
assert_eq "$(awk 'NR > 1 {print $1, $2, $3, $4}' "$T/out" | sort -u)" "thread bind:0 bind:2 changed" "first change"
nm policy "$pid" --set bind:3 -o TYPE,BEFORE,AFTER,STATUS
assert_rc 0
assert_eq "$(awk 'NR > 1 {print $1, $2, $3, $4}' "$T/out" | sort -u)" "thread bind:2 bind:3 changed" "second change"
assert_none_held "$pid" "after the change"
# the sleeper reports once it wakes (by its deadline) and is released: pt_release waits up to 60 s
pt_release a
assert_after_ok a
assert_after_nodes a 3
kill -0 "$pid" || fail "the target died"
