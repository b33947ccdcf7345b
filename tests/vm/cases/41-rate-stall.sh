# Gentle moves. --rate: 96 MiB at 32M/s cannot take less than 96/32/1.2 s
# (the rate may be exceeded by 20% at most). --max-stall 20: numamove sizes
# its calls so that none takes over 20 ms; the workload's probe thread,
# reading random pages all along, measures the longest wait as it sees it.
uptime_cs() { awk '{split($1, a, "."); print a[1] * 100 + substr(a[2] "0", 1, 2)}' /proc/uptime; }
wl_start a --region 0:96M
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

nm move "$pid" --to 0 --max-stall 20 -J -b
assert_rc 0
wl_report a
assert_checksums a
assert_region_on a 0 0
max=$(nm_json_field "$pid" max-call-ms)
note "longest call with --max-stall 20: $max ms"
assert_le "${max%.*}" 20 "longest move_pages call in ms with --max-stall 20"
