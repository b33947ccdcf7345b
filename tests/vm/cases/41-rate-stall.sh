# Gentle moves.
# --rate: 96 MiB at 32M/s cannot take less than 96/32/1.2 s (the rate may be
# exceeded by 20% at most).
# --max-stall: numamove sizes its calls to the bound: its longest call is
# checked against a move without a bound (and, under emulation, where a
# call can take longer than its share of CPU allows, with a margin; the
# benchmark measures it on real timing). The workload's probe thread reads
# random pages all along; its longest access is noted: the kernel unmaps a
# call's pages 2 MiB at a time, so a reader waits about as little either way.
uptime_cs() { awk '{split($1, a, "."); print a[1] * 100 + substr(a[2] "0", 1, 2)}' /proc/uptime; }
probe_us() { awk '$1 == "probe" {print $3}' "$(wl_dir "$1")/report"; }
wl_start a --region 0:96M --probe --probe-interval 200
pid=$(wl_pid a)
t0=$(uptime_cs)
nm move "$pid" --to 2 --rate 32M/s -J -b
assert_rc 0
t1=$(uptime_cs)
note "96M at --rate 32M/s took $(( (t1 - t0) * 10 )) ms"
assert_ge $(( (t1 - t0) * 10 )) 2500 "milliseconds for 96M at 32M/s (at most 20% faster than the rate)"
wl_report a
assert_checksums a
assert_region_on a 0 2

# Unbounded: one worker, calls of 64 MiB.
wl_report a > /dev/null
nm move "$pid" --to 0 -j 1 -J -b
assert_rc 0
free_max=$(nm_json_field "$pid" max-call-ms)
wl_report a
assert_region_on a 0 0
free_probe=$(probe_us a)
# Bounded: calls sized for 20 ms.
nm move "$pid" --to 2 -j 1 --max-stall 20 -J -b
assert_rc 0
bound_max=$(nm_json_field "$pid" max-call-ms)
wl_report a
assert_checksums a
assert_region_on a 0 2
bound_probe=$(probe_us a)
note "longest call: $free_max ms unbounded, $bound_max ms with --max-stall 20"
note "longest wait seen by the process: $free_probe us unbounded, $bound_probe us with --max-stall 20"
assert_le "${bound_max%.*}" 100 "longest call with --max-stall 20 (ms, with a margin for emulation)"
assert_le $(( ${bound_max%.*} * 2 )) "${free_max%.*}" "longest bounded call, twice, against the unbounded one (ms)"
