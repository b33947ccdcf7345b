# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the VM (busybox sh), started by run-tests.sh through vm.sh:
# every /vm/cases/*.sh (or those named as arguments), each in its own session
# with a time limit (CASE_TIMEOUT, default 180 s; a case may ask for more with
# a line "# timeout: SECONDS"). Prints "PASS: name", "FAIL: name (reason)"
# or "SKIP: name (reason)" (the case called skip: exit 77 with $T/skip).
# After boot and after each case, post_check (below) fails the case on
# kernel trouble or a sanitizer report, whatever the case said ("FAIL:
# @boot" for trouble at boot). Every process a case started is killed
# before the next case.
export CASE_TIMEOUT=${CASE_TIMEOUT:-180}
passed=0
failed=0
skipped=0

# ---- Post-checks after each case (and once after boot): the kernel's health
# (new kernel messages: WARNING, BUG, Oops, Bad page, lockdep, KASAN, UBSAN,
# KFENCE, panic) and sanitizer reports (ASAN_OPTIONS and UBSAN_OPTIONS give
# every sanitized program of a case log_path=$T/san/...; a build without
# sanitizers writes nothing there). post_check DIR prints the first problem
# and returns 1 when there is one; the messages go to the log, indented.
KERNEL_BAD='WARNING:|BUG:|Oops|Bad page|general protection fault|kernel BUG at|KASAN|UBSAN|KFENCE|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|Kernel panic'
san_env() { # san_env DIR CASE: the environment of a case for sanitized programs
	local leaks=1
	mkdir -p "$1/san"
	chmod 1777 "$1/san"
	# LeakSanitizer stops the program's threads with ptrace: under a Yama
	# ptrace_scope of 2 or 3 it cannot, dies ("LeakSanitizer has encountered
	# a fatal error", exit 99) and so fails the case. Cases that change the
	# scope run without leak checks (the host checks and unit tests have them).
	grep -q 'ptrace_scope' "$2" && leaks=0
	export ASAN_OPTIONS="log_path=$1/san/asan:detect_leaks=$leaks:abort_on_error=0:exitcode=99"
	export UBSAN_OPTIONS="log_path=$1/san/ubsan:halt_on_error=1:print_stacktrace=1:exitcode=98"
}
post_check() { # post_check DIR
	local d=$1 k s
	dmesg -c > "$d/dmesg" 2>/dev/null
	# a user program's own crash ("traps: prog[pid] general protection ...")
	# is the program's business, not the kernel's
	k=$(grep -E "$KERNEL_BAD" "$d/dmesg" | grep -vE 'traps: .*\[[0-9]+\] general protection' | head -n 1)
	s=
	for f in "$d"/san/*; do
		[ -s "$f" ] || continue
		s=${s:-"$(basename "$f"): $(grep -m1 -E 'ERROR|runtime error|SUMMARY' "$f" || head -n1 "$f")"}
	done
	[ -z "$k" ] && [ -z "$s" ] && return 0
	if [ -n "$k" ]; then
		echo "  # kernel messages (the first problems, with what follows them):"
		grep -E -A 25 "$KERNEL_BAD" "$d/dmesg" | head -n 120 | sed 's/^/  ! /'
	fi
	for f in "$d"/san/*; do
		[ -s "$f" ] && { echo "  # $f:"; sed 's/^/  ! /' "$f" | head -n 60; }
	done
	if [ -n "$k" ]; then
		echo "kernel: $(echo "$k" | sed 's/^\[ *[0-9.]*\] *//')"
	else
		echo "sanitizer: $s"
	fi
	return 1
}
mkdir -p /tmp/boot
if ! why=$(post_check /tmp/boot); then
	echo "$why" | grep -v '^kernel:\|^sanitizer:'
	echo "FAIL: @boot ($(echo "$why" | grep '^kernel:\|^sanitizer:'))"
	failed=$((failed + 1))
fi
[ $# -gt 0 ] || set -- /vm/cases/*.sh
echo "@@cases $(for c in "$@"; do basename "$c" .sh; done | tr '\n' ' ')"
for c in "$@"; do
	case $c in /*) ;; *) c=/vm/cases/${c%.sh}.sh ;; esac
	name=$(basename "$c" .sh)
	T=/tmp/case.$name
	rm -rf "$T"
	mkdir -p "$T"
	chmod 777 "$T"
	limit=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$c" | head -n1)
	limit=${limit:-$CASE_TIMEOUT}
	echo "RUN: $name"
	start=$(cut -d. -f1 /proc/uptime)
	# setsid: the case and everything it starts form one process group
	( san_env "$T" "$c"; T=$T CASE_REASON=$T/reason exec setsid sh -c '. /vm/lib.sh; . "$1"' "$name" "$c" < /dev/null ) &
	pid=$!
	( sleep "$limit"; echo timeout > "$T/timedout"; kill -KILL -"$pid" 2>/dev/null ) &
	wd=$!
	wait "$pid"
	rc=$?
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	kill -KILL -"$pid" 2>/dev/null
	for p in $(cat "$T/pids" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	secs=$(( $(cut -d. -f1 /proc/uptime) - start ))
	if why=$(post_check "$T"); then
		bad=
	else
		echo "$why" | grep -v '^kernel:\|^sanitizer:'
		bad=$(echo "$why" | grep '^kernel:\|^sanitizer:')
	fi
	if [ -n "$bad" ]; then
		echo "FAIL: $name ($bad; ${secs}s)"
		failed=$((failed + 1))
	elif [ -e "$T/timedout" ]; then
		echo "FAIL: $name (timed out after ${limit}s)"
		failed=$((failed + 1))
	elif [ "$rc" = 77 ] && [ -s "$T/skip" ]; then
		echo "SKIP: $name ($(head -n1 "$T/skip"); ${secs}s)"
		skipped=$((skipped + 1))
	elif [ "$rc" = 0 ]; then
		echo "PASS: $name (${secs}s)"
		passed=$((passed + 1))
	else
		reason=$(head -n1 "$T/reason" 2>/dev/null)
		echo "FAIL: $name (${reason:-exit status $rc}; ${secs}s)"
		failed=$((failed + 1))
	fi
	# let freed memory settle before the next case measures nodes
	sleep 0.5
done
echo "@@summary $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
