#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test.sh: every test of numamove, from a fresh Debian 12 machine (as root).
#  1. installs what is missing (scripts/deps.sh) and builds (build/);
#  2. the unit tests (cmocka), in build/;
#  3. the same unit tests and the command's host checks under ASan and
#     UBSan, in build-sanitize/; the ABI checks (tests/abi) in both;
#  4. the VM suite: the emulated 4-node machine (tests/vm/run-tests.sh).
# Ends with one line "N passed, N failed" counting every test case, and
# exits non-zero when any failed.
set -uo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$top"

passed=0
failed=0
count() { # count PASSED FAILED
	passed=$((passed + $1))
	failed=$((failed + $2))
}

scripts/deps.sh || exit 1
scripts/build.sh build || { echo "test.sh: build failed"; echo "0 passed, 1 failed"; exit 1; }
scripts/build.sh build-sanitize -Db_sanitize=address,undefined -Db_lundef=false ||
	{ echo "test.sh: sanitizer build failed"; echo "0 passed, 1 failed"; exit 1; }

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)" per program.
unit() { # unit BUILDDIR LABEL
	local log p f
	log=$(mktemp)
	echo "== unit tests ($2)"
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$1" --suite unit --print-errorlogs --verbose > "$log" 2>&1
	local rc=$?
	grep -E '^\[ +(PASSED|FAILED|  OK|ERROR) +\]|^ *[0-9]+/[0-9]+ |Ok:|Fail:' "$log" | grep -v '^\[       OK \]' || true
	p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
	f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
	# A program that crashed or never ran reports nothing: count it failed.
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		cat "$log"
		f=1
	fi
	rm -f "$log"
	echo "unit ($2): $p passed, $f failed"
	count "$p" "$f"
}
unit build "build"
unit build-sanitize "ASan+UBSan"

# The ABI suite (tests/abi): the opts/plan contract through the shared library
# (test-abi), header = map = exports, and abidiff against the stored ABI, each
# counted once. deps.sh installs abigail-tools, so a skipped check is a
# failure here.
abi() { # abi BUILDDIR LABEL
	local log ok fail skip
	log=$(mktemp)
	echo "== ABI checks ($2)"
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C "$1" --suite abi --print-errorlogs > "$log" 2>&1
	grep -E '^ *[0-9]+/[0-9]+ ' "$log" || cat "$log"
	ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log")
	fail=$(sed -n 's/^\(Fail\|Timeout\|Unexpected Pass\|Skipped\): *\([0-9]*\).*/\2/p' "$log" | awk '{s += $1} END {print s + 0}')
	[ -n "$ok" ] || { cat "$log"; ok=0; fail=$((fail + 1)); }
	rm -f "$log"
	echo "abi ($2): $ok passed, $fail failed"
	count "$ok" "$fail"
}
abi build "build"
abi build-sanitize "ASan+UBSan"

echo "== host checks of the command (ASan+UBSan)"
log=$(mktemp)
NUMAMOVE=build-sanitize/cli/numamove tests/host/run.sh > "$log" 2>&1
cat "$log"
count "$(grep -c '^PASS:' "$log")" "$(grep -c '^FAIL:' "$log")"
rm -f "$log"

echo "== VM suite (emulated 4-node machine)"
log=$(mktemp)
tests/vm/run-tests.sh build 2>&1 | tee "$log"
vmrc=${PIPESTATUS[0]}
line=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
if [ -n "$line" ]; then
	count "$(echo "$line" | awk '{print $2}')" "$(echo "$line" | awk '{print $4}')"
else
	count 0 1
fi
[ "$vmrc" != 0 ] && [ -n "$line" ] && [ "$(echo "$line" | awk '{print $4}')" = 0 ] && count 0 1
rm -f "$log"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
