# topology: 4node memless
# timeout: 420
# A move stays moved, with automatic NUMA balancing on, in both of its modes
# (1: classic, 2: memory tiering, which promotes hot pages off memory-only
# nodes). Default-policy workloads whose probe thread keeps reading their
# memory are moved whole, one to a memory-only node (M), one to a node
# with CPUs (D); numamove gives their threads preferred over the
# destination (it says so), which balancing leaves alone. 60 s later at
# least 95% of their pages are still there, as the workload itself finds
# them (move_pages(2)), their data is intact, and every thread's next
# allocation lands on the destination. The control: on the 4-node machine
# in mode 1, the same move with --no-stay loses its pages to balancing (the
# old behaviour), which shows that the 60 s are long enough to tell.
# Mode 2 promotes pages only off lower memory tiers. In these VMs every
# node's memory is boot memory, which the kernel puts in one tier, unless
# vm.sh's VM_TIER made a memory-only node a lower tier (dax/kmem memory).
# With a lower-tier node, M is that node and mode 2 has its own control:
# the stay workload and a --no-stay one, both on the CPUs of C0 (a top-tier
# node with CPUs and memory), are moved from C0 to M; 60 s later the
# --no-stay one has lost its pages to promotion, the other has not (the
# hot threshold is raised so that every page it touches counts as hot).
# With one tier, mode 2 is checked for taking nothing back, and the case
# says so; with VM_TIER set and no lower tier, it fails.
[ -e /proc/sys/kernel/numa_balancing ] || skip "the kernel has no automatic NUMA balancing"
cpumem=$(_nminus "$(nodes_cpu)" "$(nodes_memless_cpu)")
C0=$(nth_node "$cpumem" 1)
D=$(echo "$cpumem" | tr ',' '\n' | tail -n1)
lower=$(_nminus "$(nodes_lower_tier)" "$(nodes_cpu)")
M=$(nth_node "${lower:-$(nodes_memonly)}" 1)
if [ -n "${VM_TIER:-}" ]; then
	[ "$M" = "$VM_TIER" ] ||
		fail "VM_TIER=$VM_TIER, but node $VM_TIER is not a lower memory tier without CPUs (lower tiers: '$lower'; $(tiers_summary))"
fi
# the CPU-node move starts on a node other than D: on memless (one CPU node
# with memory) from the memory-only node M
if [ "$C0" = "$D" ]; then DSRC=$M; else DSRC=$C0; fi
note "memory-only M=$M${lower:+ (a lower memory tier)}, CPU node D=$D (from $DSRC); tiers: $(tiers_summary)"
old=$(cat /proc/sys/kernel/numa_balancing)
hot=/sys/kernel/debug/sched/numa_balancing/hot_threshold_ms
oldhot=$(cat $hot 2>/dev/null)
restore() {
	echo "$old" > /proc/sys/kernel/numa_balancing
	[ -z "$oldhot" ] || echo "$oldhot" > $hot
}
trap restore EXIT

# still_on NAME NODE WHAT: at least 95% of region 0 on NODE, data intact
still_on() {
	local on all
	wl_report "$1"
	assert_checksums "$1"
	on=$(wl_pages "$1" 0 "$2")
	all=$(wl_region_pages "$1" 0)
	note "$3: $on of $all pages on node $2"
	assert_ge $((on * 100)) $((all * 95)) "$3: pages of 4 KiB on node $2 60 s after the move (x100, vs 95% of $all)"
}
probe="--probe --probe-interval 1000"
# wl_start_c0 NAME ARG...: a workload whose threads run on C0's CPUs only
wl_start_c0() {
	local name=$1
	shift
	PREFIX="taskset -c $(node_cpus "$C0")" _start "$(wl_dir "$name")" "workload $name (CPUs of node $C0)" \
		"${WL_READY_TIMEOUT:-300}" "$WORKLOAD" "$@"
}

for mode in 1 2; do
	echo "$mode" > /proc/sys/kernel/numa_balancing 2>/dev/null ||
		{ [ "$mode" = 2 ] && { note "mode 2 (memory tiering) not in this kernel"; continue; }; fail "numa_balancing=$mode"; }
	control=
	if [ "$mode" = 2 ] && [ -n "$lower" ]; then
		# promotion pulls pages towards the CPU that touches them: the
		# stay workload and the control run on C0's CPUs (a memoryless
		# CPU node's would have nowhere to pull them)
		[ -z "$oldhot" ] || echo 60000 > $hot || fail "cannot raise $hot"
		control=c$mode
		wl_start_c0 m$mode --region "$C0:64M" --threads 2 $probe
		wl_start_c0 $control --region "$C0:64M" --threads 2 $probe
	else
		[ "$mode" = 2 ] &&
			note "mode 2: one memory tier here ($(tiers_summary)), so it promotes nothing: checked for taking nothing back only"
		wl_start m$mode --region "$C0:64M" --threads 2 $probe
	fi
	wl_start d$mode --region "$DSRC:64M" --threads 2 $probe
	if [ "$mode" = 1 ] && [ "$C0" != "$D" ]; then
		control=c$mode
		wl_start $control --region "$C0:64M" --threads 2 $probe
	fi

	pid=$(wl_pid m$mode)
	n=$(ls /proc/$pid/task | wc -l)
	nm move "$pid" --to "$M"
	assert_rc 0
	grep -q "task policy of $n threads: default -> preferred:$M" "$T/out" ||
		fail "mode $mode: the move does not say that the threads get preferred:$M"
	grep -q "$n threads with the default policy were given preferred:$M" "$T/err" ||
		fail "mode $mode: no note on the policy left behind"
	nm move "$(wl_pid d$mode)" --to "$D"
	assert_rc 0
	if [ -n "$control" ]; then
		nm move "$(wl_pid $control)" --to "$M" --no-stay
		assert_rc 0
		grep -q "NUMA balancing is on" "$T/err" || fail "--no-stay with balancing on: no warning"
		wl_report $control
		assert_region_on $control 0 "$M"
	fi
	if [ -n "$control" ] && [ "$C0" = "$D" ]; then
		note "mode $mode: every CPU here is local to node $C0 (the others' nodes have no memory): no --from move that gives no stay policy to check"
	elif [ -n "$control" ]; then
		# --from C0 on a process allowed on every CPU: its threads' CPUs are
		# not all local to C0 (node D has CPUs and memory), so they get no
		# stay policy, and the move says what balancing may do to them
		wl_start f$mode --region "$C0:16M" --threads 1
		nm move "$(wl_pid f$mode)" --from "$C0" --to "$M"
		assert_rc 0
		grep -q "NUMA balancing is on and .* keep the default policy" "$T/err" ||
			fail "a --from move that gives no stay policy, with balancing on: no warning"
		wl_stop f$mode
	fi
	sleep 60
	still_on m$mode "$M" "mode $mode, memory-only node $M"
	wl_next_all_on m$mode "$M" "mode $mode, memory-only node $M"
	still_on d$mode "$D" "mode $mode, CPU node $D"
	wl_next_all_on d$mode "$D" "mode $mode, CPU node $D"
	if [ -n "$control" ]; then
		wl_report $control
		assert_checksums $control
		on=$(wl_pages $control 0 "$M")
		all=$(wl_region_pages $control 0)
		note "mode $mode control (--no-stay): $on of $all pages still on node $M, $(wl_pages $control 0 "$C0") on node $C0"
		[ $((on * 100)) -lt $((all * 95)) ] ||
			fail "mode $mode control: with --no-stay balancing left $on of $all pages on node $M: the test cannot tell"
	fi
	for w in m$mode d$mode $control; do wl_stop $w; done
done
