#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fuzz.sh DURATION_SECONDS [HARNESS...]: runs the libFuzzer harnesses of
# fuzz/ (every one, or those named: nodelist policy maps mountinfo status
# stat seccomp placement bus-options bus-targets bus-place bus-slurm), one after the
# other, each for DURATION_SECONDS (or, with FUZZ_RUNS=N, for N executions), under
# ASan+UBSan (any report aborts), then merges the new inputs with
# fuzz/corpus/HARNESS and minimizes it (libFuzzer's -merge=1 into an empty
# directory: a smallest set with the same coverage; seed-* and regress-*
# files are kept as they are).
# Not part of CI: the corpora are replayed there as unit tests.
#
# Builds with clang into build-fuzz/ in the clone (ignored by git). A crash,
# leak, timeout or out-of-memory input is kept in build-fuzz/artifacts/HARNESS/,
# and that harness's line says so; the exit status is 1 when any harness
# found one. Prints one line per harness:
#   HARNESS: N executions, N exec/s, N crashes[ (ARTIFACT)], corpus N -> N files
#
# Environment: FUZZ_RUNS=N (-runs=N instead of a duration), FUZZ_TIMEOUT=S
# (seconds an input may take before it counts as a hang: 30; on a loaded
# machine a long linear input can take seconds), FUZZ_ARGS (more
# libFuzzer options). One fuzzer process at a time, never parallel jobs.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$top"

if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
	echo "usage: scripts/fuzz.sh DURATION_SECONDS [HARNESS...]" >&2
	exit 2
fi
duration=$1
shift
b="$top/build-fuzz"
all=(nodelist policy maps mountinfo status stat seccomp placement bus-options bus-targets bus-place bus-slurm)
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all[@]}")
for h in "${harnesses[@]}"; do
	if [[ " ${all[*]} " != *" $h "* ]]; then
		echo "fuzz.sh: no harness '$h' (${all[*]})" >&2
		exit 2
	fi
done

command -v clang >/dev/null || { echo "fuzz.sh: clang is missing (apt-get install clang)" >&2; exit 1; }
if [ ! -f "$b/build.ninja" ]; then
	CC=clang meson setup "$b" "$top" -Dfuzz=true -Dtests=disabled \
		-Db_sanitize=address,undefined -Db_lundef=false \
		"-Dc_args=['-fsanitize=fuzzer-no-link','-fno-sanitize-recover=all']" >/dev/null
fi
targets=()
for h in "${harnesses[@]}"; do
	targets+=("fuzz/fuzz-$h")
done
ninja -C "$b" "${targets[@]}" >/dev/null

# Any UBSan report is a failure, with its stack.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
if [ -n "${FUZZ_RUNS:-}" ]; then
	limit=(-runs="$FUZZ_RUNS")
else
	limit=(-max_total_time="$duration")
fi
status=0
summary=()
for h in "${harnesses[@]}"; do
	corpus="$top/fuzz/corpus/$h"
	art="$b/artifacts/$h"
	new="$b/new/$h"
	log="$b/logs/$h.log"
	mkdir -p "$corpus" "$art" "$new" "$b/logs"
	rm -f "$new"/*
	before=$(find "$corpus" -maxdepth 1 -type f | wc -l)
	echo "== $h: ${FUZZ_RUNS:+$FUZZ_RUNS runs}${FUZZ_RUNS:-$duration s}"
	rc=0
	# New inputs go to new/HARNESS (the first directory); the kept corpus is
	# only read. Paths relative to build-fuzz/: libFuzzer runs its -merge=1
	# child through a shell command line it does not quote, which a clone
	# in a path with spaces would break.
	# shellcheck disable=SC2086
	(cd "$b" && "./fuzz/fuzz-$h" "${limit[@]}" -max_len=4096 -timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="artifacts/$h/" ${FUZZ_ARGS:-} "new/$h" "../fuzz/corpus/$h") \
		> "$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	found=$(grep -c -E '^==[0-9]+==ERROR|^SUMMARY: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|fuzz check failed|runtime error:' "$log" || true)
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	[ -z "$artifact" ] || artifact="$b/$artifact"
	crashes=0
	if [ "$rc" != 0 ] || [ -n "$artifact" ] || [ "$found" != 0 ]; then
		crashes=1
		status=1
		echo "fuzz.sh: $h: exit $rc; see $log"
		tail -40 "$log"
	fi
	# Minimize: libFuzzer's -merge=1 of the corpus and the new inputs into an
	# empty directory keeps a smallest set with all of their coverage. The
	# seeds (seed-*) and the reproducers of fixed bugs (regress-*) stay
	# whatever they cover; the rest of the corpus becomes that set.
	rm -rf "$b/min/$h"
	mkdir -p "$b/min/$h"
	if (cd "$b" && "./fuzz/fuzz-$h" -merge=1 -max_len=4096 -timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048 \
		"min/$h" "../fuzz/corpus/$h" "new/$h") >> "$log" 2>&1; then
		kept=$(find "$corpus" -maxdepth 1 -type f \( -name 'seed-*' -o -name 'regress-*' \) -exec sha1sum {} + | cut -d' ' -f1)
		find "$corpus" -maxdepth 1 -type f ! -name 'seed-*' ! -name 'regress-*' -delete
		for f in "$b/min/$h"/*; do
			[ -f "$f" ] || continue
			sum=$(sha1sum < "$f" | cut -d' ' -f1)
			grep -qx "$sum" <<< "$kept" || cp "$f" "$corpus/$sum"
		done
	else
		echo "fuzz.sh: $h: merge failed, corpus left as it was; see $log"
	fi
	after=$(find "$corpus" -maxdepth 1 -type f | wc -l)
	line="$h: ${execs:-0} executions, ${rate:-0} exec/s, $crashes crashes${artifact:+ ($artifact)}, corpus $before -> $after files"
	echo "$line"
	summary+=("$line")
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$status"
