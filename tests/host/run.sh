#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Host checks of the numamove command: what needs no second NUMA node
# (help, usage errors, bad pids, kernel threads, zombies, output formats).
# The test script of the project runs these under ASan and UBSan.
# usage: NUMAMOVE=path/to/numamove tests/host/run.sh
# Prints PASS:/FAIL:/SKIP: per check (a check that cannot run here is a
# SKIP with its reason, never a silent omission), and ends with
# "host: N passed, N failed, N skipped"; exits non-zero when one failed.
#
# Independent of the machine: every file, segment and process a check uses
# is created here and removed at exit; nothing depends on the clone's path
# (spaces, a mode-0700 directory), the umask, or what /dev/shm and SysV IPC
# already hold.
set -u
NM=${NUMAMOVE:-build/cli/numamove}
# Our settings come last, so they win over inherited ones (the sanitizers
# take the last value of an option): an inherited detect_leaks=0 or an
# exitcode of 0 cannot weaken the checks.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1:exitcode=98
tmp=$(mktemp -d)
shared=
shmfile=
busdir=
pids=()
cleanup() {
	kill "${pids[@]}" 2>/dev/null
	rm -rf "$tmp"
	[ -n "$shared" ] && rm -rf "$shared"
	[ -n "$shmfile" ] && rm -f "$shmfile"
	[ -n "$busdir" ] && rm -rf "$busdir"
}
trap cleanup EXIT
passed=0
failed=0
skipped=0

# pass NAME / fail NAME WHY / skip NAME WHY
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1 ($2)"; failed=$((failed + 1)); }
skip() { echo "SKIP: $1 ($2)"; skipped=$((skipped + 1)); }

# check NAME EXPECTED_RC STDOUT_REGEX STDERR_REGEX -- ARGS...
# An empty regex means "must be empty"; "." means "anything non-empty".
check() {
	local name=$1 want=$2 out_re=$3 err_re=$4
	shift 5
	"$NM" "$@" > "$tmp/out" 2> "$tmp/err"
	verdict "$name" "$want" "$out_re" "$err_re" $?
}

# verdict NAME EXPECTED_RC STDOUT_REGEX STDERR_REGEX RC: check's judgement of
# $tmp/out and $tmp/err, for a command run otherwise.
verdict() {
	local name=$1 want=$2 out_re=$3 err_re=$4 rc=$5 why=
	[ "$rc" = "$want" ] || why="exit $rc, expected $want"
	if [ -z "$why" ]; then
		if [ -z "$out_re" ]; then
			[ -s "$tmp/out" ] && why="unexpected stdout: $(head -c 200 "$tmp/out")"
		elif ! grep -qE -- "$out_re" "$tmp/out"; then
			why="stdout does not match /$out_re/: $(head -c 200 "$tmp/out")"
		fi
	fi
	if [ -z "$why" ]; then
		if [ -z "$err_re" ]; then
			[ -s "$tmp/err" ] && why="unexpected stderr: $(head -c 300 "$tmp/err")"
		elif ! grep -qE -- "$err_re" "$tmp/err"; then
			why="stderr does not match /$err_re/: $(head -c 300 "$tmp/err")"
		fi
	fi
	if [ -z "$why" ]; then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}

# libs_of PROGRAM: the paths of the shared libraries it loads, one a line
# (paths may hold spaces: a clone under "/tmp/fresh clone")
libs_of() { ldd "$1" 2>/dev/null | sed -n 's/^[[:space:]]*[^[:space:]]* => \(\/.*\) (0x[0-9a-f]*)$/\1/p'; }

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s; 1 on timeout
wait_for() {
	local i=0 limit=$(($1 * 10))
	shift
	until "$@"; do
		i=$((i + 1))
		[ "$i" -ge "$limit" ] && return 1
		sleep 0.1
	done
}

sleep 600 &
live=$!
pids+=("$live")
# A zombie: a child that exited and is not reaped by its parent (this shell
# reaps only when asked, so a sleeping subshell parent keeps it).
sh -c 'sleep 0 & exec sleep 600' &
zparent=$!
pids+=("$zparent")
zombie=
find_zombie() {
	zombie=$(ps -o pid=,stat= --ppid "$zparent" | awk '$2 ~ /^Z/ {print $1; exit}')
	[ -n "$zombie" ]
}
wait_for 10 find_zombie
# A kernel thread: PF_KTHREAD (0x00200000) in the flags of /proc/PID/stat
# (the 7th field after the command name), not "pid 2", which is no kernel
# thread in a pid namespace.
kthread=
for st in /proc/[0-9]*/stat; do
	f=$(sed 's/.*) //' "$st" 2>/dev/null | awk '{print $7}')
	[ -n "$f" ] && (( f & 0x00200000 )) && { kthread=${st#/proc/}; kthread=${kthread%/stat}; break; }
done
node0=$(ls -d /sys/devices/system/node/node* | head -n1 | sed 's/.*node//')

check "help to stdout, exit 0" 0 '^Usage:' '' -- --help
check "move --help to stdout" 0 'move \[options\] --to' '' -- move --help
check "show --help lists columns" 0 'ANON' '' -- show --help
check "nodes --help" 0 'DISTANCES' '' -- nodes --help
check "version" 0 'numamove [0-9]' '' -- --version
check "no command: usage error" 2 '' "no command given" --
check "unknown command" 2 '' "unknown command 'frob'.*|Try" -- frob
check "unknown option: one line and the hint" 2 '' "Try 'numamove move --help'" -- move --frob
check "move without --to" 2 '' '--to is required' -- move "$live"
check "an argument that is not a number is a path" 1 '' "abc: no such file" -- show abc
check "-5 after -- is a path" 1 '' "-5: no such file" -- move --to "$node0" -- -5
check "pid out of range" 2 '' "not a process id" -- show 99999999999
check "no such process" 1 '' 'no such process' -- show 4194303
if [ -n "$kthread" ]; then
	check "kernel thread refused" 1 '' 'kernel thread' -- move --to "$node0" "$kthread"
else
	skip "kernel thread refused" "no kernel thread visible here (a pid namespace)"
fi
if [ -n "$zombie" ]; then
	check "zombie refused" 1 '' 'zombie' -- move --to "$node0" "$zombie"
else
	fail "zombie refused" "could not make a zombie in 10 s"
fi
check "node that does not exist" 2 '' 'node 77 does not exist' -- move --to 77 "$live"
check "bad node list" 2 '' "invalid node list '1-'" -- move --to 1- "$live"
check "descending range" 2 '' "invalid node list" -- move --to 3-1 "$live"
check "repeated node" 2 '' "invalid node list" -- move --to "$node0,$node0" "$live"
check "bad --from" 2 '' "--from" -- move --to "$node0" --from x "$live"
check "unknown column" 2 '' 'unknown column: BOGUS' -- show -o BOGUS "$live"
check "nodes lists node $node0" 0 "^ *$node0 " '' -- nodes -n
check "nodes JSON" 0 '"nodes": \[' '' -- nodes -J
check "show a live process" 0 "^ *$live +sleep +$node0 " '' -- show -n "$live"
check "show JSON in bytes" 0 '"total": [1-9][0-9]*' '' -- show -J -b "$live"
check "show mappings with a node column" 0 "N$node0" '' -- show -m "$live"
check "show raw, selected columns" 0 "^$live $node0\$" '' -- show -r -n -o PID,NODE "$live"
check "show: one bad pid among good ones" 1 "$live" 'no such process' -- show "$live" 4194303
# On one node nothing can move: these check the exit status and the report
# only (VM cases 02 and 10 check placement).
check "dry run: exit 0 and the plan line" 0 'plan, nothing moved' '' -- move --dry-run --to "$node0" "$live"
check "move in place: exit 0 and 'moved 0'" 0 'moved 0' '' -- move --to "$node0" "$live"
check "move JSON" 0 '"moves": \[' '' -- move -J --to "$node0" "$live"

# Shared objects: bad input of every kind gets a one-line error.
mkdir "$tmp/dir"
mkfifo "$tmp/fifo"
printf 'data' > "$tmp/123"
printf 'data' > "$tmp/plain"
check "object: no such file" 1 '' "^numamove: $tmp/nofile: no such file\$" -- show "$tmp/nofile"
check "object: a directory" 1 '' "is a directory" -- show "$tmp/dir"
check "object: a fifo" 1 '' "not a regular file" -- show "$tmp/fifo"
check "object: a device" 1 '' "not a regular file" -- move --to "$node0" /dev/null
check "object: a file named 123 is ./123" 0 "123 +file" '' -- show -n "$tmp/123"
check "object: a regular file" 0 "plain +file +4B +4.0K +-$" '' -- show -n -o NAME,TYPE,SIZE,PAGESIZE,POLICY "$tmp/plain"
check "object: --shm that does not exist" 1 '' "shm:2147483000: no such SysV shared memory segment" -- show --shm 2147483000
check "object: --shm not a number" 2 '' "not a SysV segment id: 'x'" -- show --shm x
check "object: --shm negative" 2 '' "not a SysV segment id" -- move --to "$node0" --shm -3
check "object: --shm-key 0" 2 '' "IPC_PRIVATE" -- show --shm-key 0
check "object: --shm-key no segment" 1 '' "no SysV shared memory segment has this key" -- show --shm-key 0x7e57abcd
check "object: pids and paths in one show" 2 '' "not both" -- show "$live" "$tmp/plain"
check "object: --mappings with an object" 2 '' "--mappings is for processes" -- show -m "$tmp/plain"
check "object: --pids with a process" 2 '' "--pids is for objects" -- show --pids "$live"
check "object: --policy on a regular file" 1 '' "regular files keep no policy of their own.*nothing moved" -- move --to "$node0" --policy bind "$tmp/plain"
check "object: unknown --policy" 2 '' "invalid policy 'sideways'" -- move --to "$node0" --policy sideways "$tmp/plain"
check "object: --policy for a process alone" 2 '' "--policy sets the shared policy of objects" -- move --to "$node0" --policy bind "$live"
check "object: --with-files without --with-shared" 2 '' "--with-files goes with --with-shared" -- move --to "$node0" --with-files "$live"
check "object: --with-shared without a process" 2 '' "--with-shared is for processes" -- move --to "$node0" --with-shared "$tmp/plain"
check "object: an empty argument" 2 '' "neither a process id nor a path" -- show ""
check "object: move a file to where it is" 0 'plain \(file\): moved 0' '' -- move --to "$node0" "$tmp/plain"
check "object: dry run" 0 'plan, nothing moved' '' -- move --dry-run --to "$node0" "$tmp/plain"
check "object: a bad one among good ones" 1 "plain" "no such file" -- show "$tmp/plain" "$tmp/nofile"
[ "$(cat "$tmp/plain")" = data ] && pass "object: the file is intact" ||
	fail "object: the file is intact" "it reads '$(head -c 50 "$tmp/plain")'"
ln -s fifo "$tmp/tofifo"
check "object: a symlink to a fifo (never opened)" 1 '' "not a regular file" -- show "$tmp/tofifo"

# --all-shm sees the whole machine, so it runs in new IPC and mount
# namespaces where this script decides what exists: first nothing (every
# tmpfs and hugetlbfs mount detached), then one tmpfs file and one SysV
# segment of its own. Needs root and unshare(1), and numamove itself off
# tmpfs (detaching the mounts would hide it).
all_shm_skip=
if [ "$(id -u)" != 0 ]; then
	all_shm_skip="needs root for new namespaces"
elif ! command -v unshare >/dev/null || ! command -v ipcmk >/dev/null; then
	all_shm_skip="no unshare(1) or ipcmk(1)"
elif ! unshare --ipc --mount true 2>/dev/null; then
	all_shm_skip="unshare --ipc --mount is not allowed here"
else
	while read -r f; do
		case $(stat -f -c %T "$f") in tmpfs|hugetlbfs)
			all_shm_skip="$f is on a tmpfs"
		esac
	done < <(readlink -f "$NM"; libs_of "$NM"; echo "$tmp")
fi
if [ -n "$all_shm_skip" ]; then
	skip "object: --all-shm with nothing: the header alone" "$all_shm_skip"
	skip "object: --all-shm with nothing: an empty JSON array" "$all_shm_skip"
	skip "object: --all-shm: a tmpfs file and a SysV segment" "$all_shm_skip"
else
	mkdir "$tmp/mnt"
	# shellcheck disable=SC2016
	unshare --ipc --mount --propagation private bash -c '
		nm=$1 d=$2
		findmnt -rn -t tmpfs,hugetlbfs -o TARGET | sort -r | while read -r m; do
			umount -l "$(printf "%b" "$m")" || echo "umount $m failed" >&2
		done
		"$nm" show --all-shm > "$d/out1" 2> "$d/err1"; echo $? > "$d/rc1"
		"$nm" show -J --all-shm > "$d/out2" 2> "$d/err2"; echo $? > "$d/rc2"
		mount -t tmpfs -o size=1M numamove-host "$d/mnt"
		printf data > "$d/mnt/f"
		ipcmk -M 8192 > /dev/null
		"$nm" show -r -n -o NAME,TYPE,SIZE --all-shm > "$d/out3" 2> "$d/err3"; echo $? > "$d/rc3"
	' bash "$NM" "$tmp" > "$tmp/unshare.log" 2>&1
	for k in 1 2 3; do [ -f "$tmp/rc$k" ] || echo 255 > "$tmp/rc$k"; touch "$tmp/out$k" "$tmp/err$k"; done
	cp "$tmp/out1" "$tmp/out"; cp "$tmp/err1" "$tmp/err"
	if [ "$(wc -l < "$tmp/out1")" = 1 ]; then
		verdict "object: --all-shm with nothing: the header alone" 0 '^NAME +TYPE' '' "$(cat "$tmp/rc1")"
	else
		fail "object: --all-shm with nothing: the header alone" \
			"$(wc -l < "$tmp/out1") lines: $(head -c 300 "$tmp/out1" "$tmp/unshare.log")"
	fi
	cp "$tmp/out2" "$tmp/out"; cp "$tmp/err2" "$tmp/err"
	if [ "$(tr -d ' \n' < "$tmp/out2")" = '{"objects":[]}' ]; then
		verdict "object: --all-shm with nothing: an empty JSON array" 0 . '' "$(cat "$tmp/rc2")"
	else
		fail "object: --all-shm with nothing: an empty JSON array" "got: $(head -c 300 "$tmp/out2")"
	fi
	cp "$tmp/out3" "$tmp/out"; cp "$tmp/err3" "$tmp/err"
	# exactly these two rows, segments first
	if sed -n 1p "$tmp/out3" | grep -qE '^shm:[0-9]+ sysv 8.0K$' &&
		[ "$(sed -n '2,$p' "$tmp/out3")" = "$tmp/mnt/f tmpfs 4B" ]; then
		verdict "object: --all-shm: a tmpfs file and a SysV segment" 0 . '' "$(cat "$tmp/rc3")"
	else
		fail "object: --all-shm: a tmpfs file and a SysV segment" \
			"got: $(head -c 300 "$tmp/out3") $(head -c 300 "$tmp/err3" "$tmp/unshare.log")"
	fi
fi

# Files root owns and nobody may only read: mincore(2) says every page is
# resident to nobody. A sparse tmpfs file is shown without filling its
# holes; a regular file is refused, and nothing of it read.
# uid 65534 may not reach the clone (a mode-0700 directory, /root), so the
# command and the libraries of the build that it loads are copied into a
# directory of its own that everyone may enter.
t1="object: tmpfs file nobody may not write: one page found"
t2="object: tmpfs file nobody may not write: its holes stay holes"
t3="object: regular file nobody may not write: refused"
t4="object: regular file nobody may not write: nothing read"
why=
if [ "$(id -u)" != 0 ]; then
	why="needs root to make files of another user"
elif ! command -v setpriv >/dev/null; then
	why="no setpriv(1)"
fi
if [ -n "$why" ]; then
	for t in "$t1" "$t2" "$t3" "$t4"; do skip "$t" "$why"; done
else
	shared=$(mktemp -d /var/tmp/numamove-host.XXXXXX)
	chmod 755 "$shared"
	mkdir -m 755 "$shared/lib"
	cp "$(readlink -f "$NM")" "$shared/numamove"
	# the libraries of the build (not the system's): those under the
	# binary's own directory tree
	bdir=$(dirname "$(dirname "$(readlink -f "$NM")")")
	libs_of "$NM" | while read -r l; do
		case $(readlink -f "$l") in "$bdir"/*) cp "$(readlink -f "$l")" "$shared/lib/$(basename "$l")" ;; esac
	done
	chmod -R a+rX "$shared"
	printf '#!/bin/sh\nLD_LIBRARY_PATH="%s/lib" exec setpriv --reuid=65534 --regid=65534 --clear-groups "%s/numamove" "$@"\n' \
		"$shared" "$shared" > "$shared/nm-nobody"
	chmod 755 "$shared/nm-nobody"
	if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
		shmfile=$(mktemp /dev/shm/numamove-host.XXXXXX)
		truncate -s 64M "$shmfile"
		dd if=/dev/urandom of="$shmfile" bs=4096 count=1 seek=100 conv=notrunc status=none
		chmod 644 "$shmfile"
		blocks=$(stat -c %b "$shmfile")
		NM=$shared/nm-nobody check "$t1" 0 \
			"numamove-host.* +tmpfs +64.0M +4.0K +default +4.0K" '' -- show "$shmfile"
		if [ "$(stat -c %b "$shmfile")" = "$blocks" ]; then
			pass "$t2"
		else
			fail "$t2" "allocated blocks $blocks before, $(stat -c %b "$shmfile") after"
		fi
	else
		skip "$t1" "/dev/shm is not a tmpfs"
		skip "$t2" "/dev/shm is not a tmpfs"
	fi
	if [ "$(stat -f -c %T "$shared")" = tmpfs ]; then
		skip "$t3" "/var/tmp is a tmpfs"
		skip "$t4" "/var/tmp is a tmpfs"
	elif ! command -v fincore >/dev/null; then
		skip "$t3" "no fincore(1)"
		skip "$t4" "no fincore(1)"
	else
		truncate -s 16M "$shared/file"
		dd if=/dev/urandom of="$shared/file" bs=4096 count=1 seek=100 conv=notrunc status=none
		chmod 644 "$shared/file"
		cached=$(fincore -n -b -o PAGES "$shared/file")
		NM=$shared/nm-nobody check "$t3" 1 '' \
			"^numamove: $shared/file: cannot tell its cached pages from its holes without write permission" \
			-- show "$shared/file"
		if [ "$(fincore -n -b -o PAGES "$shared/file")" = "$cached" ]; then
			pass "$t4"
		else
			fail "$t4" "$cached pages cached before, $(fincore -n -b -o PAGES "$shared/file") after"
		fi
	fi
fi

# The engine's options: bad values are usage errors, good ones work.
check "--jobs 0" 2 '' "--jobs: '0' is not a number from 1 to 64" -- move --to "$node0" -j 0 "$live"
check "--jobs 65" 2 '' "--jobs: '65' is not a number" -- move --to "$node0" --jobs 65 "$live"
check "--jobs x" 2 '' "--jobs: 'x' is not a number" -- move --to "$node0" --jobs x "$live"
check "--rate 0" 2 '' "--rate: '0' is not a size per second" -- move --to "$node0" --rate 0 "$live"
check "--rate with a bad unit" 2 '' "--rate: '10X/s' is not a size" -- move --to "$node0" --rate 10X/s "$live"
check "--rate negative" 2 '' "--rate: '-5M/s' is not a size" -- move --to "$node0" --rate=-5M/s "$live"
check "--rate too big" 2 '' "--rate: '99999999P/s' is not a size" -- move --to "$node0" --rate 99999999P/s "$live"
check "--max-stall 0" 2 '' "--max-stall: '0' is not a number" -- move --to "$node0" --max-stall 0 "$live"
check "--engine bogus" 2 '' "--engine: 'bogus' is not an engine" -- move --to "$node0" --engine bogus "$live"
check "--progress=xml" 2 '' "--progress: 'xml' is not text, json or none" -- move --to "$node0" --progress=xml "$live"
check "--engine=kernel with --jobs" 2 '' "--engine=kernel is one migrate_pages" -- move --to "$node0" --engine=kernel -j 2 "$live"
check "--engine=kernel with an object" 2 '' "--engine=kernel moves processes only" -- move --to "$node0" --engine=kernel "$tmp/plain"
check "move with every engine option" 0 'moved 0' '' -- move --to "$node0" -j 2 --rate 64M/s --max-stall 20 --progress=none "$live"
check "--progress=json lines" 0 'moved 0' '"finished": true' -- move --to "$node0" --progress=json "$live"
check "--engine=kernel in place" 0 'moved 0' '' -- move --to "$node0" --engine=kernel "$live"

# Policies: bad input, refusals, and a real change of the live process (a
# child of this script, so ptrace is allowed even under Yama's scope 1).
check "policy --help lists columns" 0 'WEIGHTS' '' -- policy --help
check "policy without a pid" 2 '' "no process id given" -- policy
check "policy: not a pid" 2 '' "not a process id: 'abc'" -- policy abc
check "policy: no such process" 1 '' 'no such process' -- policy 4194303
if [ -n "$kthread" ]; then
	check "policy: kernel thread" 1 '' 'kernel thread' -- policy --set local "$kthread"
else
	skip "policy: kernel thread" "no kernel thread visible here (a pid namespace)"
fi
check "policy --set: unknown mode" 2 '' "invalid policy 'sideways'" -- policy --set sideways "$live"
check "policy --set: nodes missing" 2 '' "invalid policy 'bind'" -- policy --set bind "$live"
check "policy --set: node that does not exist" 2 '' "node 77 does not exist" -- policy --set bind:77 "$live"
check "policy --set: nodes for local" 2 '' "invalid policy 'local:0'" -- policy --set "local:$node0" "$live"
check "policy --set: two flags" 2 '' "invalid policy" -- policy --set "bind=static|relative:$node0" "$live"
check "policy --tid without --set" 2 '' "--tid needs --set" -- policy --tid "$live" "$live"
check "policy --tid: bad id" 2 '' "not a process id" -- policy --set local --tid x "$live"
check "policy --tid: not its thread" 1 '' "not one of its threads" -- policy --set local --tid 1 "$live"
check "policy --tid with two processes" 2 '' "--tid takes one process" -- policy --set local --tid "$live" "$live" "$live"
check "policy --set default first" 0 "changed|unchanged" '' -- policy -n -o STATUS --set default "$live"
check "policy of a live process" 0 "^ *$live +thread +$live +default +sleep" '' -- policy -n -o PID,TYPE,TID,POLICY,NAME "$live"
check "policy --set on a live process" 0 "^default +bind:$node0 +changed\$" '' -- policy -n -o BEFORE,AFTER,STATUS --set "bind:$node0" "$live"
# /proc/PID/numa_maps shows the task's policy on every mapping without one
# of its own: read by this script, not by numamove.
if awk -v want="bind:$node0" '$2 != want {bad++} END {exit !(NR > 0 && !bad)}' "/proc/$live/numa_maps"; then
	pass "policy: the change shows in /proc/PID/numa_maps"
else
	fail "policy: the change shows in /proc/PID/numa_maps" "$(head -n3 "/proc/$live/numa_maps")"
fi
check "policy: numamove reads it back" 0 "^bind:$node0\$" '' -- policy -n -o POLICY "$live"
check "policy --set again: unchanged" 0 "unchanged" '' -- policy -n -o STATUS --set "bind:$node0" "$live"
check "move in place of a bound process: exit 0 and 'moved 0'" 0 'moved 0' '' -- move --to "$node0" "$live"
check "policy --set back to default" 0 "changed" '' -- policy -n -o STATUS --set default "$live"
if awk '$2 != "default" {bad++} END {exit !(NR > 0 && !bad)}' "/proc/$live/numa_maps"; then
	pass "policy: default again in /proc/PID/numa_maps"
else
	fail "policy: default again in /proc/PID/numa_maps" "$(head -n3 "/proc/$live/numa_maps")"
fi
check "move --cgroup: not a cgroup" 1 '' "not a cgroup v2 group" -- move --cgroup --to "$node0" "$tmp/dir"
check "move --cgroup: nothing given" 2 '' "no cgroup or process id given" -- move --cgroup --to "$node0"
check "move --cgroup with --shm" 2 '' "--cgroup moves whole groups" -- move --cgroup --to "$node0" --shm 1 "$tmp/dir"
# Slurm jobs: none runs on this machine (the Debian VM's 55-slurm moves real ones).
check "move --slurm-job: not on this node" 1 '' "^numamove: slurm job 4294967293: no such job on this node$" -- \
	move --slurm-job 4294967293 --to "$node0"
check "move --slurm-job: a step not on this node" 1 '' "slurm job 4294967293.batch: no such job on this node" -- \
	move --slurm-job 4294967293.batch --to "$node0"
for bad in 12x 0 042 42. 42.x 42.01 42.0.0 42_1 -1 4294967294; do
	check "move --slurm-job $bad: not a job id" 2 '' "'$bad' is not JOBID or JOBID.STEP" -- \
		move --slurm-job "$bad" --to "$node0"
done
check "move --slurm-job with a pid operand" 2 '' "other operands go with --cgroup" -- \
	move --slurm-job 42 --to "$node0" "$live"
check "move --slurm-job with --policy" 2 '' "moves whole groups" -- move --slurm-job 42 --to "$node0" --policy bind

# --all-nodes: the usage errors (nothing runs), no srun, and what the command
# makes of srun's output, with stand-ins for srun (this machine has no Slurm):
# one that runs the tasks here as srun --label would (task N's lines "N: ...",
# each with SLURMD_NODENAME and SLURM_NTASKS), one that fails as Slurm refuses
# a step. The real srun, step and move: the Debian VM's 55-slurm.
for bad in "--slurm-job 42.0" "--slurm-job 42 --slurm-job 43" "--slurm-job 42 $live" "--slurm-job 42 --cgroup $live" \
	"--slurm-job 12x" "--slurm-job 0"; do
	# shellcheck disable=SC2086
	check "move --all-nodes $bad: usage error" 2 '' "." -- move --all-nodes --to "$node0" $bad
done
mkdir -p "$tmp/nosrun" "$tmp/srun-tasks" "$tmp/srun-refuses"
PATH=$tmp/nosrun "$NM" move --slurm-job 42 --all-nodes --to "$node0" > "$tmp/out" 2> "$tmp/err"
verdict "move --all-nodes without srun" 1 '' "^numamove: slurm job 42: --all-nodes runs srun, which is not installed" $?
cat > "$tmp/srun-tasks/srun" <<'SRUN'
#!/bin/bash
echo "$*" > "${0%/*}/args"
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
for t in $(seq 0 $((${FAKE_REPORTING:-2} - 1))); do
	SLURMD_NODENAME=node$t SLURM_NTASKS=2 "$@" 2>"${0%/*}/err$t" | sed "s/^/$t: /"
	sed "s/^/$t: /" "${0%/*}/err$t" >&2
done
SRUN
cat > "$tmp/srun-refuses/srun" <<'SRUN'
#!/bin/sh
echo "srun: error: Unable to create step for job 42: Access/permission denied" >&2
exit 1
SRUN
chmod +x "$tmp/srun-tasks/srun" "$tmp/srun-refuses/srun"
PATH=$tmp/srun-refuses:$PATH check "move --all-nodes: Slurm refuses the step" 1 '' \
	"^numamove: slurm job 42: no step on its nodes: Unable to create step for job 42: Access/permission denied$" -- \
	move --slurm-job 42 --all-nodes --to "$node0"
[ "$(wc -l < "$tmp/err")" = 1 ] || fail "move --all-nodes: Slurm's refusal in one line" "$(cat "$tmp/err")"
PATH=$tmp/srun-tasks:$PATH check "move --all-nodes: every node's row and a total" 1 \
	'^node1 +error +- +- +-$' "^numamove: node0: slurm job 4294967293: no such job on this node$" -- \
	move --slurm-job 4294967293 --all-nodes --to "$node0" --progress=json --no-daemon
{ grep -qE '^total +error ' "$tmp/out" && grep -qE '^node0 ' "$tmp/out"; } ||
	fail "move --all-nodes: the summary" "$(cat "$tmp/out")"
grep -q -- "--jobid=4294967293 --overlap --ntasks-per-node=1 .* move --all-nodes-task --slurm-job 4294967293 --to $node0 --no-daemon -J$" \
	"$tmp/srun-tasks/args" || fail "move --all-nodes: srun's arguments" "$(cat "$tmp/srun-tasks/args")"
PATH=$tmp/srun-tasks:$PATH FAKE_REPORTING=1 check "move --all-nodes: a node that did not report" 1 \
	'^node0 ' "1 of its 2 nodes reported" -- move --slurm-job 4294967293 --all-nodes --to "$node0"
if command -v python3 >/dev/null; then
	PATH=$tmp/srun-tasks:$PATH check "move --all-nodes -J" 1 '"nodes"' "node1: slurm job" -- \
		move --slurm-job 4294967293 --all-nodes --to "$node0" -J
	python3 -c 'import json, sys
d = json.load(sys.stdin)
assert [n["node"] for n in d["nodes"]] == ["node0", "node1"] and d["total"]["exit"] == 1
assert all(n["report"] is None and n["exit"] == 1 and "no such job" in n["errors"][0] for n in d["nodes"])' \
		< "$tmp/out" || fail "move --all-nodes -J: the document" "$(head -c 300 "$tmp/out")"
else
	skip "move --all-nodes -J" "no python3"
fi
# Root's move in another user's job (as_owner(): squeue names the owner, one
# line per job component): a stand-in squeue prints FAKE_SQUEUE. One owner
# in every line, blanks around it: that user, here one with no entry in the
# user database, which stops the move before srun. Two owners, root in a
# line, a line that is not a uid of uid_t (2^32 would be root): root's own
# srun, as before (no --daemon in its tasks).
if [ "$(id -u)" = 0 ]; then
	cat > "$tmp/srun-tasks/squeue" <<'SQUEUE'
#!/bin/sh
printf '%b' "$FAKE_SQUEUE"
SQUEUE
	chmod +x "$tmp/srun-tasks/squeue"
	rm -f "$tmp/srun-tasks/args"
	PATH=$tmp/srun-tasks:$PATH FAKE_SQUEUE=' 4294967000 \n4294967000\n' check "move --all-nodes as root: the job's owner" 1 '' \
		"^numamove: slurm job 4294967293: its owner, uid 4294967000, has no entry in the user database here$" -- \
		move --slurm-job 4294967293 --all-nodes --to "$node0"
	[ ! -e "$tmp/srun-tasks/args" ] || fail "move --all-nodes as root: no srun for an unknown owner" "$(cat "$tmp/srun-tasks/args")"
	for sq in '4294967000\n4294967001\n' '4294967000\nx\n' '4294967000x\n' '0\n' '0\n4294967000\n' \
		'4294967296\n' '18446744073709551615\n' ''; do
		rm -f "$tmp/srun-tasks/args"
		PATH=$tmp/srun-tasks:$PATH FAKE_SQUEUE=$sq check "move --all-nodes as root: squeue says '$sq': root's srun" 1 \
			'^node0 ' "node0: slurm job 4294967293: no such job on this node" -- \
			move --slurm-job 4294967293 --all-nodes --to "$node0"
		grep -q -- "--all-nodes-task --slurm-job 4294967293 --to $node0 -J$" "$tmp/srun-tasks/args" ||
			fail "move --all-nodes as root: squeue says '$sq': srun's arguments" "$(cat "$tmp/srun-tasks/args" 2>&1)"
	done
	rm -f "$tmp/srun-tasks/squeue"
else
	skip "move --all-nodes as root: the job's owner" "not root"
fi

# ---- begin: the client of numamoved (jobs, cancel, pin, unpin, pins, --daemon)
# What needs no numamoved: usage errors (exit 2, nothing sent), and one clear
# line with exit 1 when it cannot be reached: no system bus at all, and a
# private bus (made here) on which nothing provides org.numamove.numamoved1.
check "jobs --help lists columns" 0 'DESCRIPTION' '' -- jobs --help
check "pins --help lists columns" 0 'CORRECTIONS' '' -- pins --help
check "pin --help" 0 'pin \[options\] --to <nodes> <pid>' '' -- pin --help
check "cancel --help" 0 'cancel <id>' '' -- cancel --help
check "unpin --help" 0 'unpin <id>' '' -- unpin --help
check "move --help: --daemon" 0 '--daemon' '' -- move --help
check "cancel without an id" 2 '' 'no job id given' -- cancel
check "cancel: not an id" 2 '' "not a job id: 'x'" -- cancel x
check "cancel: id 0" 2 '' "not a job id: '0'" -- cancel 0
check "cancel: id too big" 2 '' "not a job id: '4294967296'" -- cancel 4294967296
check "unpin without an id" 2 '' 'no pin id given' -- unpin
check "unpin: not an id" 2 '' "not a pin id: '-1'" -- unpin -- -1
check "jobs: not an id" 2 '' "not a job id: 'abc'" -- jobs abc
check "jobs: unknown column" 2 '' 'unknown column: BOGUS' -- jobs -o BOGUS
check "jobs -J -r: exclusive" 2 '' 'mutually exclusive' -- jobs -J -r
check "pins: an argument" 2 '' "unexpected argument '1'" -- pins 1
check "pins --output-all -o: exclusive" 2 '' 'mutually exclusive' -- pins --output-all -o ID
check "pin without --to" 2 '' '--to is required' -- pin "$live"
check "pin without a target" 2 '' 'no process id given' -- pin --to "$node0"
check "pin: two targets" 2 '' "is one too many" -- pin --to "$node0" "$live" "$live"
check "pin: not a pid" 2 '' "not a process id: 'abc'" -- pin --to "$node0" abc
check "pin --cgroup with a pid" 2 '' '--cgroup takes a cgroup directory' -- pin --to "$node0" --cgroup "$live"
check "pin --interval 99" 2 '' "--interval: '99' is not a number from 100" -- pin --to "$node0" --interval 99 "$live"
check "pin: node that does not exist" 2 '' 'node 77 does not exist' -- pin --to 77 "$live"
check "move --priority without --daemon" 2 '' '--priority is numamoved' -- move --to "$node0" --priority 1 "$live"
check "move --priority 20" 2 '' "--priority: '20' is not a number from -20 to 19" -- move --daemon --to "$node0" --priority 20 "$live"
NUMAMOVE_DAEMON=maybe check "NUMAMOVE_DAEMON=maybe" 2 '' "NUMAMOVE_DAEMON: 'maybe' is not 1 or 0" -- move --to "$node0" "$live"
NUMAMOVE_DAEMON=1 check "NUMAMOVE_DAEMON=1 --no-daemon moves here" 0 'moved 0' '' -- move --no-daemon --to "$node0" "$live"
NUMAMOVE_DAEMON=0 check "NUMAMOVE_DAEMON=0 moves here" 0 'moved 0' '' -- move --to "$node0" "$live"
# Usage errors come before the bus: a bad node list with --daemon is exit 2.
DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/nobus" check "move --daemon: bad node, exit 2 first" 2 '' \
	'node 77 does not exist' -- move --daemon --to 77 "$live"
for args in "-V" "--version"; do
	for cmd in jobs cancel pin unpin pins; do
		check "'$cmd $args': the version" 0 '^numamove [0-9]+\.[0-9]+\.[0-9]+$' '' -- $cmd $args
	done
done
DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/nobus" "$NM" jobs > "$tmp/out" 2> "$tmp/err"
if grep -q 'was built without numamoved support' "$tmp/err"; then
	# A build without libsystemd: each client command says so, exit 1.
	for args in "jobs" "pins" "cancel 1" "unpin 1" "pin --to $node0 $live" "move --daemon --to $node0 $live"; do
		# shellcheck disable=SC2086
		check "'$args' without numamoved support" 1 '' '^numamove: numamove was built without numamoved support$' -- $args
	done
	skip "the client on a private bus" "numamove was built without numamoved support (no libsystemd)"
else
	for args in "jobs" "pins" "cancel 1" "unpin 1" "pin --to $node0 $live" "move --daemon --to $node0 $live"; do
		# shellcheck disable=SC2086
		DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/nobus" check "'$args' with no system bus: one line, exit 1" 1 '' \
			'^numamove: cannot reach numamoved: cannot connect to the system bus at unix:path=.*nobus: No such file or directory$' -- $args
	done
	DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/nobus" NUMAMOVE_DAEMON=1 check "NUMAMOVE_DAEMON=1 goes to numamoved" 1 '' \
		'^numamove: cannot reach numamoved' -- move --to "$node0" "$live"
	# A private bus with no numamoved on it (nor any activatable service).
	# Its socket in a directory of its own that every user can enter: uid
	# nobody talks to numamoved below.
	bus=
	busdir=$(mktemp -d)
	chmod 755 "$busdir"
	if command -v dbus-daemon >/dev/null; then
		cat > "$tmp/bus.conf" <<-EOF
		<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
		 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
		<busconfig>
		  <listen>unix:path=$busdir/bus</listen>
		  <auth>EXTERNAL</auth>
		  <policy context="default">
		    <allow user="*"/>
		    <allow own="*"/>
		    <allow send_destination="*" eavesdrop="true"/>
		    <allow eavesdrop="true"/>
		  </policy>
		</busconfig>
		EOF
		if buspid=$(dbus-daemon --config-file="$tmp/bus.conf" --fork --print-pid) && [ -n "$buspid" ]; then
			pids+=("$buspid")
			bus="unix:path=$busdir/bus"
		fi
	fi
	if [ -n "$bus" ]; then
		for args in "jobs" "pins" "cancel 1" "unpin 1" "pin --to $node0 $live" "move --daemon --to $node0 $live"; do
			# shellcheck disable=SC2086
			DBUS_SYSTEM_BUS_ADDRESS="$bus" check "'$args' with no numamoved on the bus: one line, exit 1" 1 '' \
				'^numamove: cannot reach numamoved: .*org\.numamove\.numamoved1' -- $args
			[ "$(wc -l < "$tmp/err")" = 1 ] || fail "'$args' with no numamoved: one line" "$(cat "$tmp/err")"
		done
	else
		skip "the client on a private bus" "dbus-daemon is not installed (scripts/deps.sh installs it)"
	fi
	# numamoved itself on that bus, when this build has it: the client end to end.
	nmd=${NUMAMOVED:-$(dirname "$NM")/../daemon/numamoved}
	if [ -z "$bus" ]; then
		skip "move --daemon end to end" "no private bus"
	elif [ ! -x "$nmd" ]; then
		skip "move --daemon end to end" "no numamoved in this build ($nmd)"
	else
		mkdir "$tmp/state"
		: > "$tmp/numamoved.conf"
		NUMAMOVED_BUS=session DBUS_SESSION_BUS_ADDRESS="$bus" "$nmd" -c "$tmp/numamoved.conf" -s "$tmp/state" \
			> "$tmp/numamoved.log" 2>&1 &
		pids+=("$!")
		nmdpid=$!
		nmd_up() { DBUS_SYSTEM_BUS_ADDRESS="$bus" "$NM" jobs > /dev/null 2>&1; }
		if ! wait_for 20 nmd_up; then
			fail "numamoved answers on a private bus" "$(tail -n5 "$tmp/numamoved.log")"
		else
			pass "numamoved answers on a private bus"
			# njobs: how many jobs numamoved lists.
			njobs() { DBUS_SYSTEM_BUS_ADDRESS="$bus" "$NM" jobs -n -o ID | wc -l; }
			# The same request, here and through numamoved: the same output, the same status.
			for args in "move --to $node0 $live" "move -J -b --to $node0 $live" "move -J --to $node0 $live" \
				    "move --dry-run --to $node0 $live" \
				    "move -n -r --to $node0 $live $live" "move --to $node0 4194303 $live" \
				    "move --with-shared --with-files --policy preferred --to $node0 $live"; do
				# shellcheck disable=SC2086
				"$NM" $args --no-daemon > "$tmp/local.out" 2> "$tmp/local.err"
				lrc=$?
				before=$(njobs)
				# shellcheck disable=SC2086
				DBUS_SYSTEM_BUS_ADDRESS="$bus" "$NM" $args --daemon > "$tmp/out" 2> "$tmp/err"
				rc=$?
				name="'$args' through numamoved: as here"
				if [ "$(njobs)" != $((before + 1)) ]; then
					fail "$name" "numamoved lists $(njobs) jobs, $before before: the request did not reach it"
				elif [ "$rc" != "$lrc" ]; then
					fail "$name" "exit $rc, here $lrc: $(head -c 300 "$tmp/err")"
				elif ! cmp -s "$tmp/out" "$tmp/local.out"; then
					fail "$name" "stdout differs: $(diff "$tmp/local.out" "$tmp/out" | head -c 400)"
				elif ! cmp -s "$tmp/err" "$tmp/local.err"; then
					fail "$name" "stderr differs: $(diff "$tmp/local.err" "$tmp/err" | head -c 400)"
				else
					pass "$name"
				fi
			done
			# Every option of the request, in the types numamoved takes.
			DBUS_SYSTEM_BUS_ADDRESS="$bus" check "move --daemon with the engine's options" 0 'moved 0' '' -- \
				move --daemon -j 2 --rate 64M/s --max-stall 20 --force --no-stay --priority 5 --progress=none \
				--to "$node0" --from "$node0" "$live"
			DBUS_SYSTEM_BUS_ADDRESS="$bus" check "move --daemon --engine=kernel --memory-only" 0 'moved 0' '' -- \
				move --daemon --engine=kernel --memory-only --to "$node0" "$live"
			DBUS_SYSTEM_BUS_ADDRESS="$bus" check "move --daemon --cgroup: not a cgroup" 1 '' 'not a cgroup' -- \
				move --daemon --cgroup --to "$node0" "$tmp"
			DBUS_SYSTEM_BUS_ADDRESS="$bus" check "move --daemon --progress=json" 0 'moved 0' '"finished": true' -- \
				move --daemon --progress=json --to "$node0" "$live"
			before=$(njobs)
			DBUS_SYSTEM_BUS_ADDRESS="$bus" NUMAMOVE_DAEMON=1 check "NUMAMOVE_DAEMON=1: numamoved moves" 0 'moved 0' '' -- \
				move --to "$node0" "$live"
			[ "$(njobs)" = $((before + 1)) ] || fail "NUMAMOVE_DAEMON=1: a job more" "$before jobs before, $(njobs) after"
			last=$(DBUS_SYSTEM_BUS_ADDRESS="$bus" "$NM" jobs -n -o ID | tail -n1 | tr -d ' ')
			DBUS_SYSTEM_BUS_ADDRESS="$bus" check "jobs: the last job, done, exit 0" 0 \
				"^ *$last +done +0 +move $live \\(sleep\\) --to $node0\$" '' -- jobs -n -o ID,STATE,EXIT,DESCRIPTION "$last"
			DBUS_SYSTEM_BUS_ADDRESS="$bus" check "jobs: an id not listed" 1 "^ *$last " 'job 4000000: no such job' -- \
				jobs -n "$last" 4000000
			DBUS_SYSTEM_BUS_ADDRESS="$bus" check "cancel: no such job" 1 '' '^numamove: job 4000000: no such job$' -- \
				cancel 4000000
			DBUS_SYSTEM_BUS_ADDRESS="$bus" check "cancel: a finished job" 1 '' "^numamove: job $last: cannot cancel: " -- \
				cancel "$last"
			# place tells numamoved, which keeps the placement (its log says so) and forgets it on --clear.
			mkdir -p "$tmp/nmdplaced"
			echo data > "$tmp/nmdplaced/f"
			DBUS_SYSTEM_BUS_ADDRESS="$bus" NUMAMOVE_DAEMON= check "place: numamoved is told" 0 \
				'f: placement none -> bind' '' -- place -p "bind:$node0" "$tmp/nmdplaced/f"
			if wait_for 5 grep -q "$tmp/nmdplaced/f: placed bind:$node0 by uid 0: kept" "$tmp/numamoved.log"; then
				pass "place: numamoved keeps it"
			else
				fail "place: numamoved keeps it" "$(tail -n3 "$tmp/numamoved.log")"
			fi
			DBUS_SYSTEM_BUS_ADDRESS="$bus" NUMAMOVE_DAEMON= check "place --clear: numamoved is told" 0 \
				'f: placement bind.* -> none' '' -- place --clear "$tmp/nmdplaced/f"
			if wait_for 5 grep -q "$tmp/nmdplaced/f: placement cleared by uid 0" "$tmp/numamoved.log"; then
				pass "place --clear: numamoved forgets it"
			else
				fail "place --clear: numamoved forgets it" "$(tail -n3 "$tmp/numamoved.log")"
			fi
			if command -v python3 >/dev/null; then
				DBUS_SYSTEM_BUS_ADDRESS="$bus" "$NM" jobs -J --output-all > "$tmp/out" 2> "$tmp/err"
				rc=$?
				if ! python3 -c 'import json, sys; d = json.load(sys.stdin); assert d["jobs"][-1]["exit"] == 0' \
					< "$tmp/out" 2> "$tmp/jerr"; then
					fail "jobs -J --output-all: valid JSON" "$(tail -n1 "$tmp/jerr")"
				else
					verdict "jobs -J --output-all: valid JSON" 0 . '' "$rc"
				fi
			else
				skip "jobs -J --output-all: valid JSON" "no python3"
			fi
			# A pin: made, listed with its checks counted, ended.
			DBUS_SYSTEM_BUS_ADDRESS="$bus" check "pin a process" 0 "^pin [0-9]+: $live \\(sleep\\) on nodes $node0\$" '' -- \
				pin --to "$node0" --interval 100 "$live"
			pin=$(sed -n 's/^pin \([0-9]*\):.*/\1/p' "$tmp/out")
			if [ -n "$pin" ]; then
				pin_checked() {
					DBUS_SYSTEM_BUS_ADDRESS="$bus" "$NM" pins -n -r -o ID,PID,CHECKS,STATE > "$tmp/out" 2> "$tmp/err"
					grep -qE "^$pin $live [1-9][0-9]* active\$" "$tmp/out"
				}
				if wait_for 10 pin_checked; then
					pass "pins: the pin, checked, active"
				else
					fail "pins: the pin, checked, active" "$(cat "$tmp/out" "$tmp/err" | head -c 300)"
				fi
				DBUS_SYSTEM_BUS_ADDRESS="$bus" check "unpin" 0 '' '' -- unpin "$pin"
				pin_gone() {
					DBUS_SYSTEM_BUS_ADDRESS="$bus" "$NM" pins -n -r -o ID,STATE > "$tmp/out" 2> "$tmp/err"
					! grep -qE "^$pin active\$" "$tmp/out"
				}
				if wait_for 10 pin_gone; then
					pass "pins: unpinned, no longer active"
				else
					fail "pins: unpinned, no longer active" "$(head -c 300 "$tmp/out")"
				fi
			else
				fail "pins: the pin, checked, active" "no pin id"
			fi
			DBUS_SYSTEM_BUS_ADDRESS="$bus" check "unpin: no such pin" 1 '' '^numamove: pin 4000000: no such pin$' -- \
				unpin 4000000
			# uid nobody may not move root's process: numamoved says which action is missing.
			# (No polkitd on this bus: the group rule, and nobody is in no group.)
			# Run from the copy uid 65534 can reach (the clone may be in a directory it cannot enter).
			if [ -n "$shared" ] && [ -x "$shared/nm-nobody" ]; then
				DBUS_SYSTEM_BUS_ADDRESS="$bus" "$shared/nm-nobody" move --daemon --to "$node0" "$live" \
					> "$tmp/out" 2> "$tmp/err"
				verdict "uid 65534 moving root's process: not authorized" 1 '' \
					'^numamove: not authorized: .*org\.numamove\.numamoved1\.move-other' $?
			else
				skip "uid 65534 moving root's process: not authorized" "no copy of numamove that uid 65534 can run (needs root and setpriv)"
			fi
			if kill -0 "$nmdpid" 2>/dev/null; then
				pass "numamoved is still up"
			else
				fail "numamoved is still up" "$(tail -n5 "$tmp/numamoved.log")"
			fi
		fi
	fi
fi
# ---- end: the client of numamoved ---------------------------------------------

# ---- begin: util-linux output conventions (libabi) --------------------------
# Lost output is an error: with stdout on a full device every command says
# "write error" and exits 1 (util-linux's close_stdout at exit).
for args in "nodes" "show $live" "policy $live" "--help" "nodes --help" "--version"; do
	# shellcheck disable=SC2086
	"$NM" $args > /dev/full 2> "$tmp/err"
	rc=$?
	if [ "$rc" = 1 ] && grep -q "write error" "$tmp/err" && [ "$(wc -l < "$tmp/err")" = 1 ]; then
		pass "'$args' > /dev/full: write error, exit 1"
	else
		fail "'$args' > /dev/full: write error, exit 1" "exit $rc, stderr: $(head -c 200 "$tmp/err")"
	fi
done
# Output options that cannot go together are a usage error, not a silent choice.
check "nodes -J -r: exclusive" 2 '' "mutually exclusive.*--json.*--raw|mutually exclusive.*--raw.*--json" -- nodes -J -r
check "nodes -r -J: exclusive" 2 '' "mutually exclusive" -- nodes -r -J
check "nodes -o --output-all: exclusive" 2 '' "mutually exclusive.*--output" -- nodes -o NODE --output-all
check "show -J -r: exclusive" 2 '' "mutually exclusive" -- show -J -r "$live"
check "show --output-all -o: exclusive" 2 '' "mutually exclusive" -- show --output-all -o PID "$live"
check "policy --json --raw: exclusive" 2 '' "mutually exclusive" -- policy --json --raw "$live"
check "move -J -r: exclusive, nothing moved" 2 '' "mutually exclusive" -- move -J -r --to "$node0" "$live"
check "nodes -J -n: allowed" 0 '"nodes"' '' -- nodes -J -n
check "show --output-all: every column (was taken for --shm)" 0 '^ *PID +COMM +NODE' '' -- show --output-all "$live"
# -V/--version on the command and on every subcommand.
for args in "-V" "--version" "nodes -V" "show --version" "move -V" "policy --version"; do
	# shellcheck disable=SC2086
	check "'$args': the version" 0 '^numamove [0-9]+\.[0-9]+\.[0-9]+$' '' -- $args
done
# ---- end: util-linux output conventions (libabi) ----------------------------

if kill -0 "$live" 2>/dev/null; then
	pass "the target survived"
else
	fail "the target survived" "it is gone"
fi

# JSON must parse, and the command must exit as it should with nothing
# unexpected on stderr (a sanitizer report after complete output fails).
# Each entry: EXPECTED_RC|STDERR_REGEX|ARGS (ARGS split on spaces; the
# paths here hold none).
json_checks=(
	"0||nodes -J"
	"0||show -J $live"
	"0||policy -J $live"
	"0||policy -J --output-all $live"
	"0||show -J -m -b $live"
	"0||move -J --to $node0 $live"
	"0||move -J -b --engine=kernel --to $node0 $live"
	"0||show -J --pids $tmp/plain"
	"1|no such file|move -J --to $node0 $tmp/plain $tmp/nofile"
)
for j in "${json_checks[@]}"; do
	want=${j%%|*}
	rest=${j#*|}
	err_re=${rest%%|*}
	args=${rest#*|}
	name="valid JSON from '$args'"
	if ! command -v python3 >/dev/null; then
		skip "$name" "no python3"
		continue
	fi
	# shellcheck disable=SC2086
	"$NM" $args > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if ! python3 -m json.tool < "$tmp/out" > /dev/null 2> "$tmp/jerr"; then
		fail "$name" "$(head -n1 "$tmp/jerr")"
	else
		verdict "$name" "$want" . "$err_re" "$rc"
	fi
done

# Placements: the attribute on disk is read back here, with python3's
# os.getxattr, not through numamove (user.*, or trusted.* where the file
# system has no user attributes: tmpfs before 6.6).
xattr_of() {
	python3 - "$1" <<'PY' 2>/dev/null
import os, sys
for name in ("user.numamove.placement", "trusted.numamove.placement"):
    try:
        print(os.getxattr(sys.argv[1], name).decode())
        break
    except OSError:
        pass
else:
    print("none")
PY
}
mkdir -p "$tmp/placed/sub"
echo data > "$tmp/placed/file"
# place tells numamoved when it runs (tests/daemon checks that); here it is
# not asked, except once, on a bus that is not there: the command says so.
export NUMAMOVE_DAEMON=0
NUMAMOVE_DAEMON= DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/no-bus" check "place without numamoved says nothing keeps it" 0 \
	'placement' 'numamoved is not running: nothing keeps this placement' -- place -p "bind:$node0" "$tmp/placed/file"
place_clear_quiet=$("$NM" place --clear "$tmp/placed/file" 2>&1) || fail "place --clear (setup)" "$place_clear_quiet"
check "place --help" 0 'place \[options\] --policy' '' -- place --help
check "place: neither --policy nor --clear" 2 '' 'give either --policy or --clear' -- place "$tmp/placed/file"
check "place: a node that does not exist" 2 '' "'bind:77': node 77 does not exist" -- place -p bind:77 "$tmp/placed/file"
check "place: relative nodes" 2 '' 'no =relative' -- place -p "bind=relative:0" "$tmp/placed/file"
check "place: a bad policy" 2 '' "invalid policy 'sideways'" -- place -p sideways "$tmp/placed/file"
check "place: --scope of a file" 1 '' '--scope is for directories' -- place -p "bind:$node0" --scope directory "$tmp/placed/file"
check "place: a device" 1 '' 'only regular files and directories' -- place -p "bind:$node0" /dev/null
check "place: no such file" 1 '' 'No such file' -- place -p "bind:$node0" "$tmp/placed/nofile"
if ! command -v python3 >/dev/null; then
	skip "place: a file, its attribute" "no python3"
else
	check "place: a file" 0 "file: placement none -> bind:$node0\$" '' -- place -p "bind:$node0" "$tmp/placed/file"
	got=$(xattr_of "$tmp/placed/file")
	if [ "$got" = "numamove-placement/1 policy=bind:$node0" ]; then
		pass "place: the file's attribute on disk"
	else
		fail "place: the file's attribute on disk" "got '$got'"
	fi
	check "show: a placed file's placement and conformance" 0 "^bind:$node0 $tmp/placed/file 100.0\$" '' -- \
		show -r -n -o PLACEMENT,PLACED-BY,CONFORM "$tmp/placed/file"
	check "place: a directory, scope directory" 0 'placed: placement none -> interleave' '' -- \
		place -p "interleave:$node0" --scope directory "$tmp/placed"
	echo new > "$tmp/placed/sub/new"
	echo other > "$tmp/placed/other"
	check "show: a file's own placement comes first" 0 "^bind:$node0 $tmp/placed/file\$" '' -- \
		show -r -n -o PLACEMENT,PLACED-BY "$tmp/placed/file"
	check "show: a directory's placement covers its own files" 0 "^interleave:$node0 $tmp/placed\$" '' -- \
		show -r -n -o PLACEMENT,PLACED-BY "$tmp/placed/other"
	check "show: a directory-scope placement stops at subdirectories" 0 '^- -$' '' -- \
		show -r -n -o PLACEMENT,PLACED-BY "$tmp/placed/sub/new"
	check "place: the tree below, recursively" 0 'sub/new: placement none -> bind' '' -- \
		place -R -p "bind:$node0" "$tmp/placed"
	got=$(xattr_of "$tmp/placed/sub")
	if [ "$got" = "numamove-placement/1 policy=bind:$node0" ]; then
		pass "place -R: a subdirectory's attribute on disk"
	else
		fail "place -R: a subdirectory's attribute on disk" "got '$got'"
	fi
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.numamove.placement", b"bind:1")' \
		"$tmp/placed/file" 2>/dev/null ||
		python3 -c 'import os, sys; os.setxattr(sys.argv[1], "trusted.numamove.placement", b"bind:1")' \
		"$tmp/placed/file"
	check "show: a corrupt placement attribute" 0 '^- ' 'corrupt user.numamove.placement attribute' -- \
		show -r -n -o PLACEMENT,CONFORM "$tmp/placed/file"
	check "place --clear" 0 'file: placement \? -> none' '' -- place --clear "$tmp/placed/file"
	got=$(xattr_of "$tmp/placed/file")
	if [ "$got" = none ]; then
		pass "place --clear: no attribute left"
	else
		fail "place --clear: no attribute left" "got '$got'"
	fi
	if [ -n "$shared" ] && [ -x "$shared/nm-nobody" ]; then
		cp "$tmp/placed/file" "$shared/rootfile"
		chmod 644 "$shared/rootfile"
		NM=$shared/nm-nobody check "place: a file the caller may not write" 1 '' 'Permission denied' -- \
			place -p "bind:$node0" "$shared/rootfile"
		if [ "$(xattr_of "$shared/rootfile")" = none ]; then
			pass "place: refused, nothing written"
		else
			fail "place: refused, nothing written" "got '$(xattr_of "$shared/rootfile")'"
		fi
	else
		skip "place: a file the caller may not write" "no second user here (needs root and setpriv)"
	fi
fi

echo "host: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
