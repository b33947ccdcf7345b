#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test.sh: every test of numamove, from a fresh Debian 12 machine (as root),
# from a clone in any directory.
#  1. installs what is missing (scripts/deps.sh) and builds build/ and
#     build-sanitize/ (ASan+UBSan), both with the unit tests (cmocka is
#     required: a build directory configured without it is reconfigured);
#  2. runs the PARTS below, one after the other.
#
# Parts. Each is one line of the list below: a name and a command (run from
# the top of the clone) whose output ends with the line
#     NAME: N passed, N failed, N skipped
# (", N skipped" may be left out: 0). Adding a part is adding a line.
#
# How the counts stay honest:
#  - every part counts what it is made of, and says so: unit tests per cmocka
#    test function (each build counts its own: both run every test), host
#    checks per check (tests/host/run.sh), VM tests per case (one case holds
#    many assertions and fails as a whole);
#  - a part counts as failed (at least 1 failure) when its output does not
#    end with its summary line, when it exits non-zero with 0 failures
#    counted, or when it counted 0 passed and 0 failed (it ran nothing);
#  - in the unit part, a test program that crashed (a test started and never
#    finished, or a non-zero exit with no failure reported) adds a failure,
#    a program that ran no test adds a failure, and cmocka's skips are counted;
#  - a skip is counted as skipped, never as passed: a test that did not run
#    is not a pass;
#  - when deps.sh or a build fails, that step is one failure and each part
#    that could not run is one more; the final line is printed anyway.
# The last line is "N passed, N failed, N skipped", the sums over the parts;
# the exit status is 0 only when N failed is 0.
#
# The parts: unit and unit-sanitize (cmocka), abi and abi-sanitize (the
# ABI and man page checks), host (the command's checks under ASan+UBSan),
# kill (numamove SIGKILLed at random instants while it changes a
# process's policies: tests/host/kill.py),
# daemon-host (numamoved on a private bus under ASan+UBSan, tests/daemon),
# daemon-plain (the same checks on the plain build: its memory is measured),
# vm (the VM matrix, tests/vm/matrix.sh: every kernel, topology and build;
# counted per case per run; it runs in the background, beside the debian
# part, and its output comes at the end), debian (the Debian
# packages, installed and used in a Debian 12 system with systemd,
# tests/vm/debian-tests.sh; the package build skips its own run of the
# unit tests, which the unit part has just run on the same code: about
# 110 s of CI's 40 minutes), arm64 (tests/vm/arm64/ci.sh: the arm64
# cross-build, with its toolchain installed, and the arm64 subset in one
# emulated arm64 machine; counted per case; in the background, beside the
# soak, once the vm part has ended), soak (5 minutes of the soak,
# scripts/soak.sh 300: the command and numamoved, alternating, against a
# busy target in the 4-node VM; counted per check, about 6 minutes).
#
# Environment: TEST_PARTS="unit host ..." runs only the parts named (the
# others are reported as not selected, and counted nowhere); VM_CASES="02-move-all
# 10-dry-run" runs only those cases, on the default kernel and machine,
# instead of the matrix.
set -uo pipefail
# The caller's umask must not matter: with 077, the build's programs are
# mode 0700 and uid 1000 cannot run them in the VM. Everything test.sh
# makes is made under 022.
umask 022
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$top" || exit 1

# The parts: NAME<tab>COMMAND (evaluated by bash).
parts=(
	"unit	unit_part build unit"
	"unit-sanitize	unit_part build-sanitize unit-sanitize"
	"abi	abi_part build abi"
	"abi-sanitize	abi_part build-sanitize abi-sanitize"
	"host	NUMAMOVE=build-sanitize/cli/numamove tests/host/run.sh"
	"kill	NUMAMOVE=build/cli/numamove POLTARGET=build/tests/vm/poltarget tests/host/kill.py"
	"daemon-host	NUMAMOVED=build-sanitize/daemon/numamoved tests/daemon/host.sh"
	"daemon-plain	PART=daemon-plain NUMAMOVED=build/daemon/numamoved tests/daemon/host.sh"
	"vm	&vm_part"
	"debian	DEB_BUILD_OPTIONS=nocheck tests/vm/debian-tests.sh build"
	"arm64	&tests/vm/arm64/ci.sh build-arm64"
	"soak	scripts/soak.sh 300"
)

# vm_part: the VM matrix (tests/vm/matrix.sh: kernels x topologies x builds),
# or with VM_CASES only those cases, on the default kernel and machine.
vm_part() {
	if [ -n "${VM_CASES:-}" ]; then
		# shellcheck disable=SC2086
		tests/vm/run-tests.sh build $VM_CASES
	else
		tests/vm/matrix.sh build build-sanitize
	fi
}

# abi_part BUILDDIR NAME: the ABI suite (tests/abi: the opts/plan contract
# through the shared library, header = map = exports, abidiff against the
# stored ABI, the man pages), counted per meson test from its summary.
abi_part() {
	local b=$1 name=$2 log rc ok fail skip
	log=$(mktemp)
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$b" --suite abi --print-errorlogs > "$log" 2>&1
	rc=$?
	cat "$log"
	ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log")
	fail=$(sed -n 's/^\(Fail\|Timeout\|Unexpected Pass\): *\([0-9]*\).*/\2/p' "$log" | awk '{s += $1} END {print s + 0}')
	skip=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$log")
	rm -f "$log"
	[ -n "$ok" ] || { ok=0; fail=$((fail + 1)); }
	[ "$rc" != 0 ] && [ "$fail" = 0 ] && fail=1
	echo "$name: $ok passed, $fail failed, ${skip:-0} skipped"
}

passed=0
failed=0
skipped=0
report=()

# unit_part BUILDDIR NAME: the cmocka unit tests of BUILDDIR, counted per test
# function from meson's log of each program.
unit_part() {
	local b=$1 name=$2 rc
	rm -f "$b/meson-logs/testlog.json"
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$b" --suite unit --print-errorlogs
	rc=$?
	python3 - "$b/meson-logs/testlog.json" "$name" "$rc" <<-'EOF'
	import json, re, sys
	log, name, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
	p = f = s = 0
	try:
	    lines = open(log).read().splitlines()
	except OSError:
	    lines = []
	    print(f"{name}: no test log: meson ran no unit test")
	for l in lines:
	    t = json.loads(l)
	    out = (t.get("stdout") or "") + "\n" + (t.get("stderr") or "")
	    # by test name: cmocka lists a failed test again in its summary
	    names = lambda tag: set(re.findall(r"^\[" + tag + r"\] (?![0-9]+ test)(\S+)", out, re.M))
	    okset, badset, skset = names("       OK "), names("  FAILED  "), names("  SKIPPED ")
	    ok, bad, sk = len(okset - badset), len(badset), len(skset - badset)
	    started = len(names(" RUN      ") | okset | badset | skset)
	    why = None
	    if started > ok + bad + sk:
	        why = f"{started - ok - bad - sk} test(s) started and never finished"
	        bad += started - ok - bad - sk
	    elif t["returncode"] != 0 and bad == 0:
	        why = f"exit status {t['returncode']} ({t['result']}) with no failed test"
	        bad = 1
	    elif started == 0:
	        why = "ran no test"
	        bad = 1
	    if why:
	        print(f"{name}: {t['name']}: {why}")
	    print(f"{name}: {t['name']}: {ok} passed, {bad} failed, {sk} skipped")
	    p, f, s = p + ok, f + bad, s + sk
	if rc != 0 and f == 0:
	    print(f"{name}: meson test exited {rc} with no failed test")
	    f = 1
	print(f"{name}: {p} passed, {f} failed, {s} skipped")
	EOF
}

# run_part NAME COMMAND: run it, check its summary line, add its counts.
run_part() {
	local name=$1 cmd=$2 log rc start
	log=$(mktemp)
	echo "== $name: $cmd"
	start=$(date +%s)
	eval "$cmd" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	count_part "$name" "$rc" "$log" $(($(date +%s) - start))
}

# A part whose COMMAND starts with '&' runs in the background, beside the
# parts after it, and is counted at the end: the VM matrix beside the
# debian part, the arm64 machine beside the soak (whose VM leaves half the
# CPUs idle). Their VMs are software-emulated and mostly
# leave a CPU idle (a case's workload and numamove are one or two threads,
# and a VM waits on them, on its boot, on its disk image), so two side by
# side take far less than one after the other: this keeps the whole run
# within CI's 40 minutes. One background part at a time.
bg_name= bg_pid= bg_log= bg_start=
start_bg_part() {
	bg_name=$1
	bg_log=$(mktemp)
	bg_start=$(date +%s)
	echo "== $1: ${2#&} (in the background: its output comes at the end)"
	eval "${2#&}" > "$bg_log" 2>&1 &
	bg_pid=$!
}
wait_bg_part() {
	local rc
	[ -n "$bg_pid" ] || return 0
	wait "$bg_pid"
	rc=$?
	echo "== $bg_name (ran in the background)"
	cat "$bg_log"
	count_part "$bg_name" "$rc" "$bg_log" $(($(date +%s) - bg_start))
	bg_pid=
}

# count_part NAME RC LOG SECS: check its summary line (the last of LOG), add its counts.
count_part() {
	local name=$1 rc=$2 log=$3 secs=$4 line p f s why=
	line=$(grep -v '^[[:space:]]*$' "$log" | tail -n1)
	rm -f "$log"
	if [[ $line =~ ^$name:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
		p=${BASH_REMATCH[1]}
		f=${BASH_REMATCH[2]}
		s=${BASH_REMATCH[4]:-0}
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			why="exited $rc with 0 failures counted"
			f=1
		elif [ "$p" = 0 ] && [ "$f" = 0 ]; then
			why="ran nothing (0 passed, 0 failed)"
			f=1
		fi
	else
		p=0
		f=1
		s=0
		why="exit $rc, and its output does not end with '$name: N passed, N failed, N skipped'"
	fi
	[ -n "$why" ] && echo "test.sh: part $name counted as failed: $why"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	report+=("$(printf '%-14s %5s passed, %3s failed, %3s skipped  %5ss%s' "$name:" "$p" "$f" "$s" "$secs" "${why:+  ($why)}")")
}

finish() {
	echo
	echo "== summary"
	printf '%s\n' "${report[@]}"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
	exit
}

# step NAME COMMAND...: a preparation step; a failure is counted, and the
# parts are then not run (each counts as one failure).
broken=
step() {
	local name=$1
	shift
	echo "== $name"
	if ! "$@"; then
		echo "test.sh: $name failed"
		failed=$((failed + 1))
		report+=("$(printf '%-14s failed' "$name:")")
		broken=$name
	fi
}
step deps scripts/deps.sh
[ -z "$broken" ] && step build scripts/build.sh build -Dtests=enabled
[ -z "$broken" ] && step build-sanitize scripts/build.sh build-sanitize -Dtests=enabled \
	-Db_sanitize=address,undefined -Db_lundef=false

for entry in "${parts[@]}"; do
	name=${entry%%	*}
	cmd=${entry#*	}
	if [ -n "${TEST_PARTS:-}" ] && [[ " $TEST_PARTS " != *" $name "* ]]; then
		echo "== $name: not selected (TEST_PARTS=$TEST_PARTS)"
		report+=("$(printf '%-14s not selected' "$name:")")
		continue
	fi
	if [ -n "$broken" ]; then
		echo "== $name: not run ($broken failed)"
		failed=$((failed + 1))
		report+=("$(printf '%-14s not run (%s failed): 1 failure' "$name:" "$broken")")
		continue
	fi
	if [ "${cmd#&}" != "$cmd" ]; then
		wait_bg_part
		start_bg_part "$name" "$cmd"
	else
		run_part "$name" "$cmd"
	fi
done
wait_bg_part
finish
