# topology: 4node memless
# timeout: 300
# A move without --from moves the whole process: memory, CPUs and policies.
# Measured by the workload itself: where its pages are (move_pages(2)), the
# CPUs each thread may run on, and where each thread's next allocation
# lands.
#  A. A process allowed on every CPU, its memory on a memory-only node,
#     moved to a node D with CPUs: every thread ends on D's CPUs (none of
#     them lay on a source node), and every thread's next allocation is on D.
#  B. A thread pinned by the user to a CPU that is not local to the moved
#     node: a --from move leaves it (and every other thread) alone; a whole
#     move puts it on D's CPUs like the others.
#  C. A policy naming a node that holds none of the memory (bind:M1, set
#     while every page is on another node) follows a whole move to M2.
#  D. --memory-only leaves that policy alone.
# On memless, node 1's CPUs (1-2) have no memory: local to node 0 by the
# kernel's rule, but not on it, so a whole move to node 0 takes them off.
all=$(cat /sys/devices/system/cpu/online)
# D: the last node with CPUs and memory; M1, M2: memory-only nodes
cpumem=$(_nminus "$(nodes_cpu)" "$(nodes_memless_cpu)")
D=$(echo "$cpumem" | tr ',' '\n' | tail -n1)
M1=$(nth_node "$(nodes_memonly)" 1)
M2=$(nth_node "$(nodes_memonly)" 2)
[ -n "$D" ] && [ -n "$M2" ] || fail "topology: no CPU node with memory ($cpumem) or fewer than two memory-only nodes"
cpusD=$(node_cpus "$D")
note "D=$D (cpus $cpusD), memory-only M1=$M1 M2=$M2, online CPUs $all"
thread_cpus() { # PID: distinct Cpus_allowed_list of every thread
	cat /proc/$1/task/*/status | awk '/^Cpus_allowed_list/ {print $2}' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
tid_cpus() { awk '/^Cpus_allowed_list/ {print $2}' /proc/$1/task/$2/status; }

# --- A
wl_start a --region "$M1:32M" --threads 3
pid=$(wl_pid a)
assert_eq "$(thread_cpus $pid)" "$all" "affinity before the move"
nm move "$pid" --to "$D"
assert_rc 0
grep -q "CPU affinity of 4 threads: $all -> $cpusD" "$T/out" || fail "A: the affinity change is not reported on stdout"
wl_report a
assert_checksums a
assert_region_on a 0 "$D"
assert_eq "$(thread_cpus $pid)" "$cpusD" "A: every thread's CPUs after a whole move to node $D"
for c in $(wl_thread_cpus a | awk '{print $2}'); do
	assert_eq "$c" "$cpusD" "A: a thread's CPUs as the workload reads them"
done
wl_next_all_on a "$D" "A"
nm move "$pid" --to "$M2" -J
assert_rc 0
l=$(nm_json | grep -E "^children( .*)? threads=4 " | head -n1)
[ -z "$l" ] || fail "A: a move to a memory-only node reports an affinity change: $l"
assert_eq "$(thread_cpus $pid)" "$cpusD" "A: CPUs after a move to memory-only node $M2 (they cannot follow)"
wl_stop a

# --- B
wl_start b --region "$M1:16M" --threads 2
pid=$(wl_pid b)
pinned=$(ls /proc/$pid/task | grep -v "^$pid\$" | head -n1)
# a CPU not on D: on memless node 1's CPU 1 (local to node 0), on 4node node 0's
pin=$(echo "$all" | tr ',-' '  ' | awk -v d="$cpusD" '{for (i = $1; i <= $NF; i++) if (i != d) {print i; exit}}')
taskset -p -c "$pin" "$pinned" > /dev/null || fail "B: taskset $pin $pinned"
assert_eq "$(tid_cpus $pid $pinned)" "$pin" "B: the pinned thread's CPUs"
nm move "$pid" --from "$M1" --to "$D"
assert_rc 0
wl_report b
assert_checksums b
assert_region_on b 0 "$D"
assert_eq "$(tid_cpus $pid $pinned)" "$pin" "B: a --from move takes a thread whose CPU is not local to node $M1"
for t in $(ls /proc/$pid/task); do
	[ "$t" = "$pinned" ] || assert_eq "$(tid_cpus $pid $t)" "$all" "B: thread $t's CPUs after --from $M1 (none local to it)"
done
nm move "$pid" --to "$D"
assert_rc 0
assert_eq "$(thread_cpus $pid)" "$cpusD" "B: every thread's CPUs (the pinned one too) after a whole move to node $D"
wl_next_all_on b "$D" "B"
wl_stop b

# --- C, D
C0=$(nth_node "$cpumem" 1)
wl_start c --region "$C0:16M" --threads 2
pid=$(wl_pid c)
nm policy "$pid" --set "bind:$M1"
assert_rc 0
wl_next_all_on c "$M1" "C: under bind:$M1"
wl_report c
assert_region_on c 0 "$C0"
nm move "$pid" --to "$M2" --memory-only
assert_rc 0
wl_next_all_on c "$M1" "D: bind:$M1 after a --memory-only move to $M2"
nm move "$pid" --to "$M2"
assert_rc 0
grep -q "task policy of 3 threads: bind:$M1 -> bind:$M2" "$T/out" || fail "C: the policy change is not reported"
wl_report c
assert_checksums c
assert_region_on c 0 "$M2"
wl_next_all_on c "$M2" "C: after a whole move to $M2"
wl_stop c
