# CPU affinity follows the memory: after a move 0 -> 1 every thread is
# allowed only on node 1's CPUs, and a thread's next allocation (first touch)
# lands on node 1. With --memory-only the affinity is unchanged. A
# destination without CPUs (node 2) leaves the affinity alone.
all=$(cat /sys/devices/system/cpu/online)
cpus1=$(node_cpus 1)
thread_cpus() { # PID: distinct Cpus_allowed_list of every thread
	cat /proc/$1/task/*/status | awk '/^Cpus_allowed_list/ {print $2}' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
nthreads() { ls /proc/$1/task | wc -l; }

wl_start a --region 0:32M --threads 3
pid=$(wl_pid a)
assert_eq "$(nthreads $pid)" 4 "threads of the workload"
assert_eq "$(thread_cpus $pid)" "$all" "affinity before the move"
nm move "$pid" --to 1
assert_rc 0
wl_report a
assert_checksums a
assert_region_on a 0 1
assert_eq "$(thread_cpus $pid)" "$cpus1" "every thread's Cpus_allowed_list after the move to node 1"
assert_threads_on_node1 a "$cpus1"
wl_stop a

wl_start b --region 0:32M --threads 2
pid=$(wl_pid b)
nm move "$pid" --to 1 --memory-only
assert_rc 0
wl_report b
assert_checksums b
assert_region_on b 0 1
assert_eq "$(thread_cpus $pid)" "$all" "affinity after --memory-only"
wl_stop b

wl_start c --region 0:16M --threads 2
pid=$(wl_pid c)
nm move "$pid" --to 2
assert_rc 0
grep -q 'CPU affinity of [0-9]* threads left alone: the destination nodes have no CPUs' "$T/err" ||
	fail "no message that affinity stays for a destination without CPUs"
wl_report c
assert_checksums c
assert_region_on c 0 2
assert_eq "$(thread_cpus $pid)" "$all" "affinity after a move to a node without CPUs"
