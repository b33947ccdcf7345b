# A pin keeps a process on its nodes. A workload (16 MiB on node 0) pinned
# to node 1 with a 2 s interval: its pages go to node 1; migratepages(8)
# moves them back to node 0 (the workload measures it) and within the
# interval and some slack they are on node 1 again, data intact. A process
# pinned to node 1 starts a thread that puts itself on node 0's CPU: within
# the interval, the thread itself reads node 1's CPU. The pin survives a
# restart of the daemon (listed again, and it corrects a second drift), and
# ends when its process exits.
# timeout: 420
. /vm/files/numamoved/nmd-lib.sh
trap nmd_cleanup EXIT
interval=2000
slack=30       # seconds: the check, a correction job, the emulated machine

wl_start w --region 0:16M
nmd pin --pid "$(wl_pid w)" --opt to=1 --opt interval-ms=$interval
[ "$NMD_RC" = 0 ] || fail "Pin failed: $(head -n1 "$T/nmd.out")"
pin=$(nmd_val pin)
case $pin in "$NMD_OBJ"/pin/[0-9]*) ;; *) fail "pin path $pin" ;; esac
_on1() { wl_report w > /dev/null; [ "$(wl_not_on w 0 1)" = 0 ]; }
wait_for $slack _on1 || fail "the pinned workload is not on node 1: $(region_line w 0)"
assert_checksums w
note "pinned: $(region_line w 0)"

# drift: migratepages moves the pages to node 0
/usr/bin/migratepages "$(wl_pid w)" 1 0 || fail "migratepages failed"
wl_report w
assert_ge "$(wl_pages w 0 0)" $(( $(wl_region_pages w 0) / 2 )) "pages on node 0 right after migratepages"
t0=$(cut -d. -f1 /proc/uptime)
wait_for $slack _on1 || fail "the pin did not bring the pages back: $(region_line w 0)"
note "back on node 1 after $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"
assert_checksums w
c=$(bget "$pin" Pin Corrections)
note "Pin.Corrections $c, Checks $(bget "$pin" Pin Checks), LastCheckUs $(bget "$pin" Pin LastCheckUs)"
assert_ge "$c" 1 "Pin.Corrections"

# a new thread with other CPUs
d=$T/thr
mkdir -p "$d"
echo "$(node_cpus 0)" > "$d/cpus"
/usr/bin/python3 /vm/files/numamoved/threads.py "$d" > "$d/log" 2>&1 &
tp=$!
echo "$tp" >> "$T/pids"
wait_for 30 test -e "$d/ready" || fail "threads.py did not start: $(cat "$d/log")"
nmd pin --pid "$tp" --opt to=1 --opt interval-ms=$interval
[ "$NMD_RC" = 0 ] || fail "Pin of threads.py failed: $(head -n1 "$T/nmd.out")"
pin2=$(nmd_val pin)
_main1() { grep -q " cpus $(node_cpus 1)\$" "$d/thread.main" 2>/dev/null; }
wait_for $slack _main1 || fail "the pinned process's main thread: $(cat "$d/thread.main")"
kill -USR1 "$tp"
wait_for 10 test -s "$d/threads" || fail "no new thread"
tid=$(head -n1 "$d/threads")
_tcpu() { grep -q " cpus $1\$" "$d/thread.$tid" 2>/dev/null; }
wait_for 10 _tcpu "$(node_cpus 0)" || fail "the new thread did not set node 0's CPU: $(cat "$d/thread.$tid")"
note "new thread $tid: $(cat "$d/thread.$tid")"
wait_for $slack _tcpu "$(node_cpus 1)" || fail "the pin did not correct the new thread: $(cat "$d/thread.$tid")"
note "corrected: $(cat "$d/thread.$tid"); the pin: Corrections $(bget "$pin2" Pin Corrections)"

# a daemon restart: the pins are back, and still work
/usr/bin/systemctl restart numamoved.service || fail "systemctl restart numamoved"
nmd_wait_active 30 || fail "numamoved did not come back"
bctl call "$NMD_BUS" "$NMD_OBJ" "$NMD_IF.Manager" ListPins
grep -q "$(wl_pid w)" "$T/b.out" || fail "after the restart, ListPins lacks the pin of $(wl_pid w)"
/usr/bin/migratepages "$(wl_pid w)" 1 0 || fail "migratepages failed"
wait_for $slack _on1 || fail "after the restart, the pin did not bring the pages back: $(region_line w 0)"
assert_checksums w

# the process exits: the pin ends
wpid=$(wl_pid w)
wl_stop w
# (its object says "ended", or is gone)
_ended() { s=$(bget "$pin" Pin State); [ "$s" = ended ] || [ -z "$s" ]; }
wait_for 30 _ended || fail "the pin of the exited process $wpid: State $(bget "$pin" Pin State)"
note "the pin of $wpid after the exit: State '$(bget "$pin" Pin State)'"
kill -KILL "$tp"
/usr/bin/journalctl -b -u numamoved.service --no-pager -o cat | grep -i pin | tail -n 6 | sed 's/^/  | /'
