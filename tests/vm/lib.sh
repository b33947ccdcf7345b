# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the VM test cases (busybox sh). Sourced by run-cases.sh before
# each case, in the case's own subshell.
#
# Workloads (see workload.c) are named; NAME's control directory is
# $T/wl.NAME:
#   wl_start NAME [workload args]   start, wait for ready (WL_USER=1000 runs it as user)
#   wl_pid NAME                     its pid;  wl_child NAME: the pid of its child
#   wl_report NAME                  SIGUSR1, wait for a new report
#   wl_pages NAME REGION NODE       4K pages of REGION on NODE (last report)
#   wl_region_pages NAME REGION     size of REGION in 4K pages
#   wl_not_on NAME REGION NODE      pages of REGION not on NODE (missing included)
#   wl_next NAME                    SIGUSR2, wait for $T/wl.NAME/next
#   wl_next_all_on NAME NODE WHAT   every thread's next allocation all on NODE
#   wl_stop NAME                    SIGKILL it
#   assert_checksums NAME           every region's data intact (last report)
#   assert_region_on NAME REGION NODE   all pages of REGION on NODE
#   assert_unchanged NAME           the report equals the one saved by wl_save NAME
# Owners of shared objects (owner.c) follow the same protocol (ready, report
# on SIGUSR1, next on SIGUSR2) and are started with ob_start NAME [owner args]:
#   ob_ready NAME KEY             a value of its ready file (pid, shmid, pagesize, pages)
#   ob_pages NAME ROW NODE        pages of ROW (touched or later) on NODE (last report)
#   ob_count NAME ROW             pages in ROW;  ob_resident NAME: pages of the object in memory
#   ob_assert_on NAME ROW NODE    every page of ROW on NODE
#   ob_assert_checksum NAME       the touched pages hold their data
# numamove:
#   nm [ARG...]          run numamove (as $NM_USER if set); sets NM_RC, output
#                        in $T/out and $T/err, both echoed to the log
#   assert_rc EXPECTED   NM_RC is EXPECTED (or one of "1 3")
#   assert_one_line_error [REGEX]  stderr is one line (matching REGEX, -i)
# JSON (no jq in the VM): json_flat < FILE prints one line per JSON object:
#   "PARENTKEY key=value key=value ... " (scalar members, and arrays of
#   scalars as key=v1,v2,...; PARENTKEY is the key the object or its array
#   sits under, "-" at the top; spaces in strings become "_", a backslash
#   escape its letter). jval LINE KEY prints KEY's value from such a line.
# General:
#   fail REASON, note TEXT, assert_eq A B WHAT, assert_ge A B WHAT,
#   assert_le A B WHAT, wait_for SECONDS COMMAND...
# Memory tiers (vm.sh's VM_TIER makes a node a lower tier):
#   tier_online NODE     make NODE's legacy persistent memory a lower memory
#                        tier of system RAM (device-dax, then kmem); vm.sh
#                        runs it at boot
#   nodes_lower_tier     nodes with memory outside the top memory tier
#   tier_of NODE, tiers_summary   NODE's memory_tierN; every tier's nodes

T=${T:-/tmp/case}
mkdir -p "$T"
chmod 777 "$T"
CASE_REASON=${CASE_REASON:-$T/reason}
WORKLOAD=${WORKLOAD:-workload}
NUMAMOVE=${NUMAMOVE:-numamove}
MiB=256			# 4K pages per MiB

note() { echo "  # $*"; }

fail() {
	echo "  not ok: $*"
	printf '%s\n' "$*" > "$CASE_REASON"
	exit 1
}

assert_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"; }
assert_ge() { [ "$1" -ge "$2" ] 2>/dev/null || fail "$3: got $1, expected >= $2"; }
assert_le() { [ "$1" -le "$2" ] 2>/dev/null || fail "$3: got $1, expected <= $2"; }

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s; 1 on timeout
wait_for() {
	local limit=$(( $1 * 10 )) i=0
	shift
	while ! "$@"; do
		i=$((i + 1))
		[ $i -ge $limit ] && return 1
		sleep 0.1
	done
	return 0
}

node_cpus() { cat /sys/devices/system/node/node$1/cpulist; }
node_free_kb() { awk '/MemFree/ {print $4}' /sys/devices/system/node/node$1/meminfo; }

# ---- workloads
wl_dir() { echo "$T/wl.$1"; }
wl_pid() { cat "$(wl_dir "$1")/pid"; }
wl_child() { awk '$1 == "child" {print $2}' "$(wl_dir "$1")/ready"; }

# _start DIR WHAT TIMEOUT PROGRAM [ARG...]: start PROGRAM --ctl DIR ARGs in the
# background (under $PREFIX, as $WL_USER if set; both exec it, so $! is its
# pid), record the pid, wait for DIR/ready.
_start() {
	local d=$1 what=$2 limit=$3 prog=$4 pid
	shift 4
	rm -rf "$d"
	mkdir -p "$d"
	if [ -n "${WL_USER:-}" ]; then
		chown "$WL_USER:$WL_USER" "$d"
		runas "$WL_USER" "$WL_USER" ${PREFIX:-} "$prog" --ctl "$d" "$@" > "$d/log" 2>&1 &
	else
		${PREFIX:-} "$prog" --ctl "$d" "$@" > "$d/log" 2>&1 &
	fi
	pid=$!
	echo "$pid" > "$d/pid"
	echo "$pid" >> "$T/pids"
	note "$what (pid $pid): ${PREFIX:+$PREFIX }$*"
	wait_for "$limit" _wl_ready_or_dead "$d" "$pid" ||
		{ cat "$d/log"; fail "$what not ready after ${limit}s"; }
	[ -e "$d/ready" ] || { cat "$d/log"; fail "$what died before ready: $(head -n1 "$d/log")"; }
	return 0
}

wl_start() {
	local name=$1
	shift
	PREFIX= _start "$(wl_dir "$name")" "workload $name" "${WL_READY_TIMEOUT:-300}" "$WORKLOAD" "$@"
}
_wl_ready_or_dead() { [ -e "$1/ready" ] || ! kill -0 "$2" 2>/dev/null || grep -q . "$1/log" 2>/dev/null; }

# _wl_ask NAME SIGNAL FILE WHAT: signal the workload, wait for FILE, show it.
_wl_ask() {
	local d pid
	d=$(wl_dir "$1")
	pid=$(wl_pid "$1")
	rm -f "$d/$3"
	kill "-$2" "$pid" 2>/dev/null || fail "workload $1 (pid $pid) is gone"
	wait_for "${WL_REPORT_TIMEOUT:-300}" test -e "$d/$3" || fail "workload $1: no $4"
	sed 's/^/  | /' "$d/$3"
}
wl_report() { _wl_ask "$1" USR1 report report; }

wl_save() { cp "$(wl_dir "$1")/report" "$(wl_dir "$1")/report.saved"; }

# field of "region R ... pages_on_node C0 C1 ...": $6 is node 0
wl_pages() {
	awk -v r="$2" -v n="$3" '$1 == "region" && $2 == r {print $(6 + n); f = 1} END {if (!f) print -1}' \
		"$(wl_dir "$1")/report"
}
wl_region_pages() {
	awk -v r="$2" '$1 == "region" && $2 == r {print $4}' "$(wl_dir "$1")/report"
}
wl_not_on() { echo $(( $(wl_region_pages "$1" "$2") - $(wl_pages "$1" "$2" "$3") )); }
wl_regions() { awk '$1 == "region" {print $2}' "$(wl_dir "$1")/report"; }
# pages of all regions on NODE
wl_pages_all() {
	awk -v n="$2" '$1 == "region" {s += $(6 + n)} END {print s + 0}' "$(wl_dir "$1")/report"
}
wl_total_pages() { awk '$1 == "region" {s += $4} END {print s + 0}' "$(wl_dir "$1")/report"; }
wl_thread_cpus() { awk '$1 == "thread" {print $2, $4}' "$(wl_dir "$1")/report"; }

wl_next() { _wl_ask "$1" USR2 next next-allocation report; }

wl_stop() {
	local pid
	pid=$(wl_pid "$1")
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

assert_checksums() {
	local bad
	bad=$(awk '$1 == "region" && $NF != "ok" {print $2}' "$(wl_dir "$1")/report")
	[ -z "$bad" ] || fail "workload $1: data of region(s) $bad changed (checksum BAD)"
	grep -q '^region' "$(wl_dir "$1")/report" || fail "workload $1: report has no regions"
}

assert_region_on() { # NAME REGION NODE
	local not
	not=$(wl_not_on "$1" "$2" "$3")
	[ "$not" -eq 0 ] || fail "workload $1 region $2: $not of $(wl_region_pages "$1" "$2") pages not on node $3 ($(region_line "$1" "$2"))"
}

region_line() { awk -v r="$2" '$1 == "region" && $2 == r' "$(wl_dir "$1")/report"; }

assert_unchanged() { # NAME: region placement same as saved by wl_save
	local d
	d=$(wl_dir "$1")
	grep '^region' "$d/report.saved" > "$d/a"
	grep '^region' "$d/report" > "$d/b"
	cmp -s "$d/a" "$d/b" ||
		fail "workload $1: placement changed: before: $(tr '\n' ';' < "$d/a") after: $(tr '\n' ';' < "$d/b")"
}

# ---- owners of shared objects
ob_start() { local name=$1; shift; WORKLOAD=owner wl_start "$name" "$@"; }
ob_ready() { awk -v k="$2" '$1 == k {print $2}' "$(wl_dir "$1")/ready"; }
ob_pages() {
	awk -v r="$2" -v n="$3" '$1 == r {print $(4 + n); f = 1} END {if (!f) print -1}' "$(wl_dir "$1")/report"
}
ob_count() { awk -v r="$2" '$1 == r {print $2}' "$(wl_dir "$1")/report"; }
ob_resident() { awk '$1 == "resident" {print $2}' "$(wl_dir "$1")/report"; }
ob_assert_on() { # NAME ROW NODE
	local on all
	on=$(ob_pages "$1" "$2" "$3")
	all=$(ob_count "$1" "$2")
	[ "$all" -gt 0 ] && [ "$on" = "$all" ] ||
		fail "owner $1: $on of $all $2 pages on node $3 ($(grep "^$2 " "$(wl_dir "$1")/report"))"
}
ob_assert_checksum() {
	grep -q '^touched .* checksum ok$' "$(wl_dir "$1")/report" ||
		fail "owner $1: data changed ($(grep '^touched' "$(wl_dir "$1")/report"))"
}
# The JSON object line of numamove show for object NAME (under "objects").
nm_json_object() { nm_json | grep -E "^objects( .*)? name=$1 " | head -n1; }

# ---- numamove
nm() {
	echo "  \$ ${NM_USER:+runas $NM_USER }numamove $*"
	if [ -n "${NM_USER:-}" ]; then
		runas "$NM_USER" "$NM_USER" "$NUMAMOVE" "$@" > "$T/out" 2> "$T/err"
	else
		"$NUMAMOVE" "$@" > "$T/out" 2> "$T/err"
	fi
	NM_RC=$?
	sed 's/^/  > /' "$T/out"
	sed 's/^/  2> /' "$T/err"
	echo "  exit $NM_RC"
	return 0
}

assert_rc() { # EXPECTED... : NM_RC is one of them
	local e
	for e in "$@"; do
		[ "$NM_RC" = "$e" ] && return 0
	done
	fail "numamove exited $NM_RC, expected $(echo "$*" | sed 's/ / or /g')$(err_hint)"
}
err_hint() { [ -s "$T/err" ] && echo " (stderr: $(head -n 3 "$T/err" | tr '\n' ' '))"; }

assert_one_line_error() { # [REGEX]
	local n
	n=$(wc -l < "$T/err")
	[ "$n" -eq 1 ] || fail "expected a one-line error on stderr, got $n lines"
	if [ -n "${1:-}" ]; then
		grep -qiE "$1" "$T/err" || fail "error message '$(cat "$T/err")' does not match /$1/"
	fi
	return 0
}

# ---- JSON
json_flat() {
	awk '
	function emit(   k) { print (pkey[d] == "" ? "-" : pkey[d]) line[d] " " }
	{ buf = buf $0 "\n" }
	END {
		s = buf; n = length(s); d = 0; i = 1
		while (i <= n) {
			c = substr(s, i, 1)
			if (c == "{" || c == "[") {
				pk = (d > 0 && type[d] == "o") ? key[d] : (d > 0 ? pkey[d] : "")
				d++; type[d] = (c == "{") ? "o" : "a"; pkey[d] = pk; line[d] = ""; key[d] = ""; havekey[d] = 0
				akey[d] = (d > 1 && type[d - 1] == "o") ? key[d - 1] : ""; aval[d] = ""; acount[d] = 0
				i++; continue
			}
			if (c == "}" || c == "]") {
				if (type[d] == "o") emit()
				if (type[d] == "a" && acount[d] > 0 && d > 1 && type[d - 1] == "o")
					line[d - 1] = line[d - 1] " " akey[d] "=" aval[d]
				d--; if (d > 0) { havekey[d] = 0; key[d] = "" }
				i++; continue
			}
			if (c == "\"") {
				j = i + 1; v = ""
				while (j <= n) {
					ch = substr(s, j, 1)
					if (ch == "\\") { v = v substr(s, j + 1, 1); j += 2; continue }
					if (ch == "\"") break
					v = v ch; j++
				}
				i = j + 1
				gsub(/[ \t\n]/, "_", v)
				if (type[d] == "o" && !havekey[d]) { key[d] = v; havekey[d] = 1; continue }
				val = v
			} else if (c ~ /[-0-9a-z.]/) {
				j = i
				while (j <= n && substr(s, j, 1) ~ /[-+0-9a-zA-Z.]/) j++
				val = substr(s, i, j - i); i = j
			} else { i++; continue }
			if (type[d] == "o") { line[d] = line[d] " " key[d] "=" val; havekey[d] = 0; key[d] = "" }
			else { aval[d] = aval[d] (acount[d]++ ? "," : "") val }
		}
	}'
}
jval() { printf ' %s \n' "$1" | sed -n "s/.* $2=\([^ ]*\) .*/\1/p"; }

# numamove's JSON (in $T/out), flattened: the object line of process PID
# (move: under "moves"; show: under "processes", one line per node)
nm_json() { json_flat < "$T/out"; }
nm_json_proc() { # PID: the move object of PID
	nm_json | grep -E "^moves( .*)? pid=$1 " | head -n1
}
nm_json_field() { # PID KEY: a field of PID's move object
	local l
	l=$(nm_json_proc "$1")
	# (used in $(...), where fail cannot stop the case: a value no assertion accepts)
	if [ -z "$l" ]; then echo "(no-JSON-object-with-pid-$1-under-moves)"; return 1; fi
	jval "$l" "$2"
}

# pages and bytes: the kernel's base page (4 KiB on x86-64; 4, 16 or 64 KiB
# on arm64), as numa_maps, the workload and numamove count pages
PAGE_BYTES=$(awk '/^KernelPageSize:/ {print $2 * 1024; exit}' /proc/self/smaps 2>/dev/null)
: "${PAGE_BYTES:=4096}"
pages_to_bytes() { echo $(( $1 * PAGE_BYTES )); }

# ---- poltarget (see poltarget.c): NAME's control directory is $T/pt.NAME
#   pt_start NAME [ARGS]    start (under $PT_PREFIX, e.g. "numactl --membind=0";
#                           as $WL_USER if set), wait for ready
#   pt_pid NAME             its pid
#   pt_cmd NAME CMD         send a command line: touch, alloc, release, stop
#   pt_wait NAME REGEX N    wait until N result lines match REGEX
#   pt_nodes NAME REGEX     the node list of the last result line matching REGEX
#   pt_release NAME         release the blocked threads, wait for their 5 "after" lines
#   assert_after_ok NAME    every "after" line says ok (no EINTR, full sleep, right data)
#   assert_nodes_in LIST ALLOWED WHAT   every node of LIST is in ALLOWED (both "2,3")
#   soak_val KEY LINE       the value of KEY in poltarget --soak's result line
#                           LINE ("soak rounds R errors E ... eintr_in
#                           nanosleep:N,..."), by name; KEY eintr_in.CALL: the
#                           count of that call; "" when LINE lacks KEY
#   held_threads PID        "TID STATE TRACERPID" of each thread of PID that is
#                           stopped (State t or T) or traced (TracerPid not 0)
#   assert_none_held PID WHAT   no thread of PID is (held_threads)
PT=${PT:-poltarget}
pt_dir() { echo "$T/pt.$1"; }
pt_pid() { cat "$(pt_dir "$1")/pid"; }
pt_start() {
	local name=$1
	shift
	PREFIX=${PT_PREFIX:-} _start "$(pt_dir "$name")" "poltarget $name" 60 "$PT" "$@"
}
pt_cmd() { echo "$2" > "$(pt_dir "$1")/cmd"; }
_pt_count() { [ "$(grep -cE "$2" "$(pt_dir "$1")/result" 2>/dev/null)" -ge "$3" ]; }
pt_wait() {
	wait_for 60 _pt_count "$1" "$2" "$3" ||
		{ sed 's/^/  | /' "$(pt_dir "$1")/result"; fail "poltarget $1: no $3 result lines /$2/"; }
}
pt_nodes() { grep -E "$2" "$(pt_dir "$1")/result" | tail -n1 | awk '{print $NF}'; }
pt_release() {
	pt_cmd "$1" release
	pt_wait "$1" '^after ' 5
	grep -E '^(before|after) ' "$(pt_dir "$1")/result" | sed 's/^/  | /'
}
assert_after_ok() {
	local bad
	bad=$(awk '$1 == "after" && $4 != "ok"' "$(pt_dir "$1")/result")
	[ -z "$bad" ] || fail "poltarget $1: a blocked call did not complete normally: $bad"
}
assert_nodes_in() {
	local n
	[ -n "$1" ] || fail "$3: no node list"
	for n in $(echo "$1" | tr ',' ' '); do
		case ",$2," in *",$n,"*) ;; *) fail "$3: nodes $1, expected only nodes in $2" ;; esac
	done
}
soak_val() {
	echo "$2" | awk -v k="$1" '$1 == "soak" {
		call = ""
		if (k ~ /^eintr_in[.]/) { call = substr(k, 10); k = "eintr_in" }
		for (i = 2; i < NF; i += 2) {
			if ($i != k) continue
			if (call == "") { print $(i + 1); exit }
			n = split($(i + 1), calls, ",")
			for (j = 1; j <= n; j++)
				if (index(calls[j], call ":") == 1) { print substr(calls[j], length(call) + 2); exit }
			exit
		}
	}'
}
held_threads() {
	local s
	for s in /proc/$1/task/*/status; do
		awk '/^State:/ {st = $2} /^TracerPid:/ {tp = $2}
		     END {if (st ~ /^[tT]$/ || (tp != "" && tp != 0)) {n = split(FILENAME, p, "/"); print p[n - 1], st, tp}}' "$s" 2>/dev/null
	done
	return 0
}
assert_none_held() {
	local h
	[ -d "/proc/$1/task" ] || fail "$2: process $1 is gone"
	h=$(held_threads "$1")
	[ -z "$h" ] || fail "$2: threads left stopped or traced (TID STATE TRACERPID): $(echo $h)"
}
# Every "after" line's nodes are exactly LIST.
assert_after_nodes() {
	local bad
	bad=$(awk -v want="$2" '$1 == "after" && $NF != want' "$(pt_dir "$1")/result")
	[ -z "$bad" ] || fail "poltarget $1: next allocations not on nodes $2: $bad"
}

# ---- unit tests in the machine (arm64: qemu-user runs neither ptrace nor
# the NUMA calls; arm64/vm.sh with VM_UNIT=1 puts the cross-built tests in)
#   unit_in_vm TEST...      runs each of $VM_BUILDDIR/tests/unit/TEST; its own
#                           cmocka verdict decides (exit 0 and a PASSED line);
#                           skips when the machine has no unit tests
unit_in_vm() {
	local dir=$VM_BUILDDIR/tests/unit t start rc
	[ -x "$dir/$1" ] || skip "no unit tests in the machine (VM_UNIT=1 puts them in)"
	cd /tmp || fail "cd /tmp"
	mkdir -p /var/tmp
	for t in "$@"; do
		start=$(cut -d' ' -f1 /proc/uptime)
		"$dir/$t" > "$T/$t.log" 2>&1
		rc=$?
		note "$t: exit $rc, $(awk -v a="$start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN {printf "%.1f", b - a}') s, $(grep -c '^\[       OK \]' "$T/$t.log") tests passed"
		grep -E 'EINTR|FAILED|ERROR' "$T/$t.log" | sed 's/^/  | /' | head -n 20
		[ "$rc" = 0 ] || { sed 's/^/  | /' "$T/$t.log" | tail -n 30; fail "$t exited $rc"; }
		grep -q '^\[  PASSED  \]' "$T/$t.log" || fail "$t: no PASSED line"
	done
}

# ---- skips, topologies and kernel features (any topology)
#   skip REASON             end the case as skipped (exit 77 with $T/skip): for
#                           a feature the kernel lacks; never counted as passed
#   nodes_online / nodes_mem / nodes_cpu   the guest's node lists ("0,2,5,7")
#   nodes_memonly           nodes with memory and no CPU
#   nodes_memless_cpu       nodes with a CPU and no memory
#   nth_node LIST N         the Nth (from 1) node of a list like "0,5,7"
#   kernel_at_least MAJOR MINOR   the running kernel is at least MAJOR.MINOR
skip() {
	echo "  skip: $*"
	printf '%s\n' "$*" > "$T/skip"
	exit 77
}
_nlist() { # sysfs node mask file -> "0,2,5,7"
	local out= n a b r
	for r in $(tr ',' ' ' < "/sys/devices/system/node/$1"); do
		a=${r%-*} b=${r#*-}
		n=$a
		while [ "$n" -le "$b" ]; do out=$out${out:+,}$n; n=$((n + 1)); done
	done
	echo "$out"
}
nodes_online() { _nlist online; }
nodes_mem() { _nlist has_memory; }
nodes_cpu() { _nlist has_cpu; }
_nminus() { # LIST1 LIST2: nodes of LIST1 not in LIST2
	local out= n
	for n in $(echo "$1" | tr ',' ' '); do
		case ",$2," in *",$n,"*) ;; *) out=$out${out:+,}$n ;; esac
	done
	echo "$out"
}
nodes_memonly() { _nminus "$(nodes_mem)" "$(nodes_cpu)"; }
nodes_memless_cpu() { _nminus "$(nodes_cpu)" "$(nodes_mem)"; }
nth_node() { echo "$1" | tr ',' '\n' | sed -n "${2}p"; }
kernel_at_least() {
	local v maj min
	v=$(uname -r)
	maj=${v%%.*} min=${v#*.}
	min=${min%%[!0-9]*}
	[ "$maj" -gt "$1" ] || { [ "$maj" -eq "$1" ] && [ "$min" -ge "$2" ]; }
}

# wl_next_all_on NAME NODE WHAT: every thread of workload NAME allocates
# afresh (wl_next), and each allocation lands entirely on NODE.
wl_next_all_on() {
	wl_next "$1"
	awk -v n="$2" '$1 == "thread" {s = 0; for (i = 4; i < NF - 1; i++) s += $i; print $2, $(4 + n), s}' \
		"$(wl_dir "$1")/next" > "$T/next.$1"
	[ -s "$T/next.$1" ] || fail "$3: no thread in the workload's next-allocation report"
	while read -r tid on all_pages; do
		[ "$on" = "$all_pages" ] && [ "$on" -gt 0 ] ||
			fail "$3: thread $tid's next allocation: $on of $all_pages pages on node $2"
	done < "$T/next.$1"
}

# assert_threads_on_node1 NAME CPUS: after a move to node 1, every thread of
# workload NAME, as the workload itself reads it, may run on CPUS only, and
# its next allocation (first touch) lands entirely on node 1.
assert_threads_on_node1() {
	local c
	for c in $(wl_thread_cpus "$1" | awk '{print $2}'); do
		assert_eq "$c" "$2" "a thread's affinity as the workload reads it"
	done
	wl_next_all_on "$1" 1 "after the move to node 1"
}

# ---- memory tiers (VM_TIER in vm.sh)
# tier_of NODE: the memory tier (memory_tierN) that holds NODE; empty if none
tier_of() {
	local t
	for t in /sys/devices/virtual/memory_tiering/memory_tier*; do
		[ -r "$t/nodelist" ] || continue
		case ",$(_nlist_of "$(cat "$t/nodelist")")," in *",$1,"*) echo "${t##*/}"; return 0 ;; esac
	done
}
_nlist_of() { # "0-2,4" -> "0,1,2,4"
	local out= a b n r
	for r in $(echo "$1" | tr ',' ' '); do
		a=${r%-*} b=${r#*-}
		n=$a
		while [ "$n" -le "$b" ]; do out=$out${out:+,}$n; n=$((n + 1)); done
	done
	echo "$out"
}
# tiers_summary: "memory_tier4=0,2-3 memory_tier22=4"
tiers_summary() {
	local t out=
	for t in /sys/devices/virtual/memory_tiering/memory_tier*; do
		[ -r "$t/nodelist" ] && out="$out${out:+ }${t##*/}=$(cat "$t/nodelist")"
	done
	echo "$out"
}
# nodes_lower_tier: the nodes with memory that are not in the top memory
# tier (the tier of the lowest abstract distance, i.e. the lowest number)
nodes_lower_tier() {
	local top out= n
	top=$(ls -d /sys/devices/virtual/memory_tiering/memory_tier* 2>/dev/null |
		sed 's/.*memory_tier//' | sort -n | head -n1)
	[ -n "$top" ] || return 0
	for n in $(nodes_mem | tr ',' ' '); do
		[ "$(tier_of "$n")" = "memory_tier$top" ] || out=$out${out:+,}$n
	done
	echo "$out"
}
# tier_online NODE: the legacy persistent memory (memmap=SIZE!START, which
# vm.sh's VM_TIER puts on the kernel command line) whose target node is
# NODE becomes device-dax (what `ndctl create-namespace -m devdax` does) and
# then system RAM through the kmem driver (`daxctl reconfigure-device -m
# system-ram`): NODE comes online with that memory, in a lower memory tier
# than boot memory. Prints what it did; 1 with the reason on failure.
tier_online() {
	local n=$1 m r= x ns dax nd dd b blocks=0 lower
	for m in nd_e820 nd_pmem dax_pmem device_dax kmem; do
		modprobe "$m" 2>/dev/null || { echo "modprobe $m failed"; return 1; }
	done
	# libnvdimm registers its devices asynchronously: wait for them
	_tier_region() {
		for x in /sys/bus/nd/devices/region*; do
			[ "$(cat "$x/target_node" 2>/dev/null)" = "$n" ] && { r=$x; return 0; }
		done
		return 1
	}
	wait_for 20 _tier_region
	[ -n "$r" ] || { echo "no persistent memory region with target node $n (memmap=...! on the kernel command line?): $(ls /sys/bus/nd/devices 2>&1 | tr '\n' ' ')"; return 1; }
	# its namespace: raw, bound to nd_pmem (/dev/pmemN); unbind it
	_tier_ns() { ns=$(cd "$r" && ls -d namespace* 2>/dev/null | head -n1); [ -n "$ns" ] && [ -e "$r/$ns/driver" ]; }
	wait_for 20 _tier_ns
	[ -n "$ns" ] || { echo "${r##*/}: no namespace"; return 1; }
	[ -e "/sys/bus/nd/devices/$ns/driver" ] &&
		{ echo "$ns" > "/sys/bus/nd/devices/$ns/driver/unbind" || { echo "cannot unbind $ns"; return 1; }; }
	# the region's dax seed: the device-dax personality of that namespace,
	# its struct pages on the device itself (mode pmem, ndctl's --map=dev)
	dax=$(cat "$r/dax_seed")
	nd=/sys/bus/nd/devices/$dax
	[ -n "$dax" ] && [ -d "$nd" ] || { echo "${r##*/}: no dax seed"; return 1; }
	cat /proc/sys/kernel/random/uuid > "$nd/uuid" || { echo "$dax: cannot set uuid"; return 1; }
	echo pmem > "$nd/mode" || { echo "$dax: cannot set mode"; return 1; }
	echo "$ns" > "$nd/namespace" || { echo "$dax: cannot claim $ns"; return 1; }
	x=/sys/bus/nd/drivers/dax_pmem
	[ -d $x ] || x=$(ls -d /sys/bus/nd/drivers/*dax* 2>/dev/null | head -n1)
	echo "$dax" > "$x/bind" ||
		{ echo "$dax: dax_pmem does not take it: $(dmesg | tail -n 3 | tr '\n' ' ')"; return 1; }
	# the dax device it made (daxR.0), from device_dax to kmem
	dd=
	_tier_dd() {
		for x in /sys/bus/dax/devices/*; do
			[ "$(cat "$x/target_node" 2>/dev/null)" = "$n" ] && { dd=${x##*/}; return 0; }
		done
		return 1
	}
	wait_for 20 _tier_dd
	[ -n "$dd" ] || { echo "$dax: no device-dax device appeared"; return 1; }
	wait_for 10 test -e "/sys/bus/dax/devices/$dd/driver"
	[ -e "/sys/bus/dax/devices/$dd/driver" ] &&
		{ echo "$dd" > "/sys/bus/dax/devices/$dd/driver/unbind" || { echo "cannot unbind $dd"; return 1; }; }
	echo "$dd" > /sys/bus/dax/drivers/kmem/new_id 2>/dev/null
	wait_for 10 test -e "/sys/bus/dax/devices/$dd/driver" ||
		echo "$dd" > /sys/bus/dax/drivers/kmem/bind 2>/dev/null
	[ "$(basename "$(readlink "/sys/bus/dax/devices/$dd/driver")")" = kmem ] ||
		{ echo "$dd: kmem does not take it: $(dmesg | tail -n 3 | tr '\n' ' ')"; return 1; }
	# its memory blocks: online (the kernel may have done it)
	for b in /sys/devices/system/memory/memory*; do
		[ -e "$b/node$n" ] || continue
		blocks=$((blocks + 1))
		[ "$(cat "$b/state")" = online ] || echo online > "$b/state" ||
			{ echo "cannot online ${b##*/}"; return 1; }
	done
	case ",$(nodes_mem)," in *",$n,"*) ;; *) echo "node $n has no memory after kmem ($blocks blocks)"; return 1 ;; esac
	lower=$(nodes_lower_tier)
	case ",$lower," in
	*",$n,"*) echo "node $n: $blocks memory blocks ($(awk '/MemTotal/ {print $4 / 1024 "M"}' "/sys/devices/system/node/node$n/meminfo")) from $dd, lower memory tier; tiers $(tiers_summary)" ;;
	*) echo "node $n is not in a lower memory tier: $(tiers_summary)"; return 1 ;;
	esac
}
