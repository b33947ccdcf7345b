#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Host checks of the numamove command: what needs no second NUMA node
# (help, usage errors, bad pids, kernel threads, zombies, output formats).
# The test script of the project runs these under ASan and UBSan.
# usage: NUMAMOVE=path/to/numamove tests/host/run.sh
# Prints PASS:/FAIL: per check and "host: N passed, N failed".
set -u
NM=${NUMAMOVE:-build/cli/numamove}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=98}
tmp=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT
passed=0
failed=0

# check NAME EXPECTED_RC STDOUT_REGEX STDERR_REGEX -- ARGS...
# An empty regex means "must be empty"; "." means "anything non-empty".
check() {
	local name=$1 want=$2 out_re=$3 err_re=$4 rc why=
	shift 5
	"$NM" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
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
		echo "PASS: $name"
		passed=$((passed + 1))
	else
		echo "FAIL: $name ($why)"
		failed=$((failed + 1))
	fi
}

sleep 600 &
live=$!
pids+=("$live")
# A zombie: a child that exited and is not reaped by its parent (this shell
# reaps only when asked, so a sleeping subshell parent keeps it).
sh -c 'sleep 0 & exec sleep 600' &
zparent=$!
pids+=("$zparent")
sleep 0.5
zombie=$(ps -o pid=,stat= --ppid "$zparent" | awk '$2 ~ /^Z/ {print $1; exit}')
kthread=2
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
check "kernel thread refused" 1 '' 'kernel thread' -- move --to "$node0" "$kthread"
if [ -n "$zombie" ]; then
	check "zombie refused" 1 '' 'zombie' -- move --to "$node0" "$zombie"
else
	echo "FAIL: zombie refused (could not make a zombie)"
	failed=$((failed + 1))
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
check "dry run moves nothing" 0 'nothing moved' '' -- move --dry-run --to "$node0" "$live"
check "move to where it is: nothing to do" 0 'moved 0' '' -- move --to "$node0" "$live"
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
check "object: --all-shm" 0 '^NAME +TYPE' '' -- show --all-shm
[ "$(cat "$tmp/plain")" = data ] && { echo "PASS: object: the file is intact"; passed=$((passed + 1)); } ||
	{ echo "FAIL: object: the file is intact"; failed=$((failed + 1)); }
ln -s fifo "$tmp/tofifo"
check "object: a symlink to a fifo (never opened)" 1 '' "not a regular file" -- show "$tmp/tofifo"

# pass NAME / fail NAME WHY
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1 ($2)"; failed=$((failed + 1)); }

# Files root owns and nobody may only read: mincore(2) says every page is
# resident to nobody. A sparse tmpfs file is shown without filling its
# holes; a regular file is refused, and nothing of it read.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$NM"; then
	shared=$(mktemp -d /var/tmp/numamove-host.XXXXXX)
	chmod 755 "$shared"
	shmfile=$(mktemp /dev/shm/numamove-host.XXXXXX)
	trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$tmp" "$shared" "$shmfile"' EXIT
	printf '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups "%s" "$@"\n' "$(readlink -f "$NM")" \
		> "$shared/nm-nobody"
	chmod 755 "$shared/nm-nobody"
	truncate -s 64M "$shmfile"
	dd if=/dev/urandom of="$shmfile" bs=4096 count=1 seek=100 conv=notrunc status=none
	chmod 644 "$shmfile"
	blocks=$(stat -c %b "$shmfile")
	NM=$shared/nm-nobody check "object: tmpfs file nobody may not write: one page found" 0 \
		"numamove-host.* +tmpfs +64.0M +4.0K +default +4.0K" '' -- show "$shmfile"
	if [ "$(stat -c %b "$shmfile")" = "$blocks" ]; then
		pass "object: tmpfs file nobody may not write: its holes stay holes"
	else
		fail "object: tmpfs file nobody may not write: its holes stay holes" \
			"allocated blocks $blocks before, $(stat -c %b "$shmfile") after"
	fi
	if [ "$(stat -f -c %T "$shared")" != tmpfs ] && command -v fincore >/dev/null; then
		truncate -s 16M "$shared/file"
		dd if=/dev/urandom of="$shared/file" bs=4096 count=1 seek=100 conv=notrunc status=none
		chmod 644 "$shared/file"
		cached=$(fincore -n -b -o PAGES "$shared/file")
		NM=$shared/nm-nobody check "object: regular file nobody may not write: refused" 1 '' \
			"^numamove: $shared/file: cannot tell its cached pages from its holes without write permission" \
			-- show "$shared/file"
		if [ "$(fincore -n -b -o PAGES "$shared/file")" = "$cached" ]; then
			pass "object: regular file nobody may not write: nothing read"
		else
			fail "object: regular file nobody may not write: nothing read" \
				"$cached pages cached before, $(fincore -n -b -o PAGES "$shared/file") after"
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
check "policy: kernel thread" 1 '' 'kernel thread' -- policy --set local "$kthread"
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
check "policy: the change shows in /proc" 0 "^bind:$node0\$" '' -- policy -n -o POLICY "$live"
check "policy --set again: unchanged" 0 "unchanged" '' -- policy -n -o STATUS --set "bind:$node0" "$live"
check "move rebinds nothing for a move in place" 0 'moved 0' '' -- move --to "$node0" "$live"
check "policy --set back to default" 0 "changed" '' -- policy -n -o STATUS --set default "$live"
check "move --cgroup: not a cgroup" 1 '' "not a cgroup v2 group" -- move --cgroup --to "$node0" "$tmp/dir"
check "move --cgroup: nothing given" 2 '' "no cgroup or process id given" -- move --cgroup --to "$node0"
check "move --cgroup with --shm" 2 '' "--cgroup moves whole groups" -- move --cgroup --to "$node0" --shm 1 "$tmp/dir"

kill -0 "$live" 2>/dev/null && { echo "PASS: the target survived"; passed=$((passed + 1)); } ||
	{ echo "FAIL: the target survived (it is gone)"; failed=$((failed + 1)); }

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

# JSON must parse, where python3 is at hand.
if command -v python3 >/dev/null; then
	for args in "nodes -J" "show -J $live" "policy -J $live" "policy -J --output-all $live" "show -J -m -b $live" "move -J --to $node0 $live" "move -J -b --engine=kernel --to $node0 $live" \
		"show -J --pids $tmp/plain" "move -J --to $node0 $tmp/plain $tmp/nofile" "show -J --all-shm"; do
		# shellcheck disable=SC2086
		if "$NM" $args 2>/dev/null | python3 -m json.tool > /dev/null 2>&1; then
			echo "PASS: valid JSON from '$args'"
			passed=$((passed + 1))
		else
			echo "FAIL: valid JSON from '$args'"
			failed=$((failed + 1))
		fi
	done
fi

echo "host: $passed passed, $failed failed"
[ "$failed" = 0 ]
