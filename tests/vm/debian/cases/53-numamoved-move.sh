# A move end to end through numamoved, driven by two independent bus
# clients. busctl (it cannot pass descriptors, so its target is a SysV
# segment, by id): Move, then State, BytesDone, Report, ListJobs and GetJob.
# python3-dbus: a process by pidfd (os.pidfd_open, passed as a descriptor).
# Placement as the owner and the workload measure it (move_pages(2) on
# their own pages), data by their checksums.
# timeout: 300
. /vm/files/numamoved/nmd-lib.sh
trap nmd_cleanup EXIT

# ---- busctl: a 16 MiB segment from node 0 to node 2
ob_start seg --shm 16M --node 0
shmid=$(ob_ready seg shmid)
wl_report seg
ob_assert_on seg touched 0
job=$(bmove 1 shm i "$shmid" -- 1 to s 2)
[ -n "$job" ] || fail "busctl Move of segment $shmid: $(cat "$T/b.err")"
note "job $job"
case $job in "$NMD_OBJ"/job/[0-9]*) ;; *) fail "job path $job" ;; esac
state=$(nmd_wait_job "$job" 120) || fail "the segment's job did not finish: $state"
if [ "$state" != done ]; then
	/usr/bin/python3 "$NMD_PY" get "$job" Job Diagnostics | sed 's/^/  2| /'
	/usr/bin/python3 "$NMD_PY" get "$job" Job Output | sed 's/^/  1| /'
	/usr/bin/journalctl -b -u numamoved.service --no-pager -o cat | tail -n 8 | sed 's/^/  | /'
	fail "the segment's job: $state, outcome $(bget "$job" Job Outcome)"
fi
wl_report seg
ob_assert_on seg touched 2
ob_assert_checksum seg
assert_eq "$(bget "$job" Job ExitStatus)" 0 "the segment job's ExitStatus"
done_b=$(bget "$job" Job BytesDone)
note "BytesDone $done_b; the owner touched $(ob_count seg touched) pages"
assert_ge "$done_b" "$(( $(ob_count seg touched) * 4096 ))" "BytesDone of the segment's job"
/usr/bin/python3 "$NMD_PY" get "$job" Job Report > "$T/report.json"
head -c 600 "$T/report.json" | sed 's/^/  | /'; echo
grep -q '"status"' "$T/report.json" || fail "the job's Report has no status"
bctl call "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" ListJobs
grep -q "$job" "$T/b.out" || fail "ListJobs does not list $job"
id=${job##*/}
bctl call "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" GetJob u "$id"
assert_eq "$(cat "$T/b.out")" "o \"$job\"" "GetJob $id"
bctl get-property "$NMD_BUS" "$job" "$NMD_IF.Job" Owner
assert_eq "$(cat "$T/b.out")" "u 0" "the job's Owner"

# ---- python3-dbus: a process (32 MiB, 2 threads) from node 0 to node 1, by pidfd
wl_start w --region 0:32M --threads 2
nmd move --pid "$(wl_pid w)" --opt to=1
[ "$NMD_RC" = 0 ] || fail "python Move failed: $(head -n1 "$T/nmd.out")"
job=$(nmd_val job)
nmd wait "$job" 120
assert_eq "$(nmd_val state)" done "the process's job"
assert_eq "$(nmd_val exit_status)" 0 "the process job's ExitStatus"
wl_report w
assert_region_on w 0 1
assert_checksums w
for c in $(wl_thread_cpus w | awk '{print $2}'); do
	assert_eq "$c" "$(node_cpus 1)" "a thread's affinity as the workload reads it"
done
nmd get "$job" Job Output
note "the job's Output: $(nmd_val value | head -c 300)"
nmd get "$job" Job Description
nmd_val value | grep -q "$(wl_pid w)" || fail "the job's Description does not name pid $(wl_pid w)"

# For the note, not a check (speed belongs to benchmarks): how long a dry
# run of the 32 MiB process takes from Move to a final State, on this
# emulated machine (numamoved's goal: 50 ms).
nmd dryrun-latency "$(wl_pid w)" 20 2
note "dry runs through numamoved: $(cat "$T/nmd.out")"
