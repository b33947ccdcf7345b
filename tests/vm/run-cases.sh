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

# ==== per-case reset (testbed) =============================================
# Each case starts from the same known state, whatever ran before it, so the
# order of the cases does not matter. The state is taken before the first
# case; after every case (its processes killed), reset_state waits until
# they are gone (their memory freed: no fixed sleep) and undoes what cases
# change: SysV segments (the owners are SIGKILLed and cannot remove theirs),
# files in /dev/shm, the hugetlbfs and ext4 mounts under /mnt and the brd
# RAM disk behind the latter, every node's hugetlb pool, the THP mode,
# Yama's ptrace_scope, the cgroups made under /sys/fs/cgroup and the
# controllers enabled there. ptrace_scope 3 cannot be lowered until reboot:
# a case that sets it says "# runs last" and is moved to the end.
# A state that cannot be restored makes the case FAIL (reset: ...).
thp_file=/sys/kernel/mm/transparent_hugepage/enabled
scope_file=/proc/sys/kernel/yama/ptrace_scope
cg=/sys/fs/cgroup
state_thp=$(sed 's/.*\[\(.*\)\].*/\1/' $thp_file 2>/dev/null)
state_scope=$(cat $scope_file 2>/dev/null)
state_subtree=$(cat $cg/cgroup.subtree_control 2>/dev/null)
state_cgroups=$(for d in $cg/*/; do [ -d "$d" ] && echo "$d"; done)
# _gone PID...: each is gone or a zombie (its memory freed)
_gone() {
	local p
	for p in "$@"; do
		[ -e "/proc/$p" ] || continue
		grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null || return 1
	done
	return 0
}
# _group_pids PGID: the processes of process group PGID
_group_pids() { awk -v g="$1" '{sub(/.*\) /, ""); if ($3 == g) print FILENAME}' /proc/[0-9]*/stat 2>/dev/null |
	sed 's,/proc/\([0-9]*\)/stat,\1,'; }
# reset_state PGID PIDFILE: prints what it could not restore, one line each
reset_state() {
	local pids i d m n f
	pids="$(cat "$2" 2>/dev/null) $(_group_pids "$1")"
	i=0
	while ! _gone $pids; do
		i=$((i + 1))
		[ $i -ge 100 ] && { echo "processes still alive 10 s after SIGKILL: $pids"; break; }
		sleep 0.1
	done
	# sanitized (build-sanitize) without leak checks: LeakSanitizer needs
	# ptrace, which a case may have forbidden (Yama's ptrace_scope 3)
	ASAN_OPTIONS=detect_leaks=0 owner --remove-segments 2>&1
	rm -rf /dev/shm/* 2>/dev/null
	for m in $(awk '$2 ~ "^/mnt/" {print $2}' /proc/mounts | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || echo "cannot unmount $m"
	done
	grep -q '^brd ' /proc/modules && { rmmod brd 2>/dev/null || echo "cannot remove the brd RAM disk"; }
	for f in /sys/devices/system/node/node*/hugepages/hugepages-*/nr_hugepages; do
		[ "$(cat "$f")" = 0 ] || echo 0 > "$f" 2>/dev/null
		[ "$(cat "$f")" = 0 ] || echo "hugetlb pool $f still $(cat "$f")"
	done
	if [ -n "$state_thp" ] && ! grep -q "\[$state_thp\]" $thp_file; then
		echo "$state_thp" > $thp_file
	fi
	if [ -n "$state_scope" ] && [ "$(cat $scope_file)" != "$state_scope" ]; then
		echo "$state_scope" > $scope_file 2>/dev/null ||
			[ "$(cat $scope_file)" = 3 ] || echo "cannot restore ptrace_scope $state_scope"
	fi
	for d in $cg/*/; do
		[ -d "$d" ] || continue
		case "$state_cgroups" in *"$d"*) continue ;; esac
		i=0
		until rmdir "$d" 2>/dev/null; do
			i=$((i + 1))
			[ $i -ge 50 ] && { echo "cannot remove cgroup $d"; break; }
			sleep 0.1
		done
	done
	for n in $(cat $cg/cgroup.subtree_control 2>/dev/null); do
		case " $state_subtree " in *" $n "*) ;; *) echo "-$n" > $cg/cgroup.subtree_control 2>/dev/null ||
			echo "cannot disable controller $n in $cg" ;; esac
	done
}
# Cases that say "# runs last" go to the end, in their order.
first= last=
for c in "$@"; do
	case $c in /*) f=$c ;; *) f=/vm/cases/${c%.sh}.sh ;; esac
	if grep -q '^# runs last' "$f" 2>/dev/null; then last="$last $c"; else first="$first $c"; fi
done
# shellcheck disable=SC2086
set -- $first $last
# ==== end of the per-case reset ==============================================
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
	# ---- per-case reset (testbed): see the block at the top
	reset=$(reset_state "$pid" "$T/pids" | head -n3 | tr '
' ';')
	[ -n "$reset" ] && echo "  reset: $reset"
	# ----
	if [ -n "$bad" ]; then
		echo "FAIL: $name ($bad; ${secs}s)"
		failed=$((failed + 1))
	elif [ -e "$T/timedout" ]; then
		echo "FAIL: $name (timed out after ${limit}s)"
		failed=$((failed + 1))
	elif [ "$rc" = 77 ] && [ -s "$T/skip" ]; then
		echo "SKIP: $name ($(head -n1 "$T/skip"); ${secs}s)"
		skipped=$((skipped + 1))
	elif [ "$rc" = 0 ] && [ -n "$reset" ]; then
		echo "FAIL: $name (reset: it left state that could not be undone: $reset)"
		failed=$((failed + 1))
	elif [ "$rc" = 0 ]; then
		echo "PASS: $name (${secs}s)"
		passed=$((passed + 1))
	else
		reason=$(head -n1 "$T/reason" 2>/dev/null)
		echo "FAIL: $name (${reason:-exit status $rc}; ${secs}s)"
		failed=$((failed + 1))
	fi
done
echo "@@summary $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
