# Gentle moves: what can be checked without asserting on speed (speed and
# stall figures belong in bench/; bench.sh measures them on real timing).
# --rate: 96 MiB at 32M/s cannot take less than 96/32/1.2 s (the rate may be
# exceeded by 20% at most). This is a lower bound on elapsed time, which a
# slow machine cannot break.
# --max-stall: numamove sizes its calls to the bound, so a bounded move is
# split into at least as many calls as an unbounded one of the same memory;
# each bounded run moves every page, with the data intact, while the
# workload's probe thread reads random pages all along (the longest wait it
# measured is noted, not asserted: it is a timing).
uptime_cs() { awk '{split($1, a, "."); print a[1] * 100 + substr(a[2] "0", 1, 2)}' /proc/uptime; }
probe_us() { awk '$1 == "probe" {print $3}' "$(wl_dir "$1")/report"; }
probe_accesses() { awk '$1 == "probe" {print $5}' "$(wl_dir "$1")/report"; }
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

# Unbounded: one worker, which moves with one migrate_pages(2) call (then
# counts, page by page, what it left: no call when it left nothing). With
# --max-stall it is move_pages(2) calls of at most 64 MiB, sized to the bound.
nm move "$pid" --to 0 -j 1 -J -b
assert_rc 0
free_max=$(nm_json_field "$pid" max-call-ms)
free_calls=$(nm_json_field "$pid" calls)
wl_report a
assert_checksums a
assert_region_on a 0 0
free_probe=$(probe_us a)
[ -n "$free_probe" ] || fail "the workload's probe reported nothing"
to=2
for run in 1 2 3; do
	nm move "$pid" --to $to -j 1 --max-stall 20 -J -b
	assert_rc 0
	m=$(nm_json_field "$pid" max-call-ms)
	calls=$(nm_json_field "$pid" calls)
	wl_report a
	assert_checksums a
	assert_region_on a 0 $to
	probe=$(probe_us a)
	assert_ge "$(probe_accesses a)" 1 "the probe's accesses during run $run (it kept reading)"
	note "run $run: longest call $m ms of $calls calls; longest wait seen by the process $probe us"
	assert_ge "$calls" "$free_calls" "calls with --max-stall 20 against the $free_calls unbounded"
	to=$(( 2 - to ))
done
note "unbounded: longest call $free_max ms of $free_calls calls; longest wait seen by the process $free_probe us"
