#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# matrix.sh BUILDDIR SANITIZE_BUILDDIR [RUN...]: every VM run of the test
# matrix (kernel x topology x build), one VM each (run-tests.sh), one after
# the other. Each run's output is printed as it comes, then a summary with
# each run's kernel package, time and counts, and the last line
#   vm: N passed, N failed, N skipped
# counting every case of every run. Exit status non-zero when a case
# failed or a run did not complete (no summary line, or the VM timed out or
# ended abnormally).
#
# The runs (RUN names them; default: all, in this order):
#   6.12-4node-sanitize  Linux 6.12, the 4-node machine, SANITIZE_BUILDDIR
#                        (ASan+UBSan): the whole suite of that topology but
#                        34-policy-soak, 41-rate-stall (it times
#                        numamove's calls: not meaningful under ASan),
#                        42-sweep (149 s under ASan, 36 s without: the
#                        6.1 run has it; CI's 40 minutes) and
#                        61-move-stays (NUMA balancing's scanner crawls an
#                        ASan program's terabytes of shadow mappings, so
#                        its --no-stay control cannot show balancing at
#                        work; the memless runs have it)
#   6.1-4node            Debian 12's stock 6.1, 4 nodes, BUILDDIR: $SUBSET_4NODE
#                        (with 41-rate-stall; without 61-move-stays, whose
#                        60 s of NUMA balancing per mode cost 130 s: the
#                        memless runs have both modes, on 6.12. Left out
#                        to keep CI within 40 minutes once the Slurm cases
#                        59 and 60 came)
#   6.12-sparse          6.12, the sparse machine (nodes 0,1,2,5,7; node 1
#                        has a CPU and no memory), BUILDDIR: its whole suite
#   6.1-sparse           (not in the default runs) 6.1, the sparse machine,
#                        BUILDDIR: its whole suite. Left out of CI to make
#                        room for the soak part within 40 minutes: the
#                        sparse machine runs on 6.12, and 6.1 runs the
#                        4-node subset.
#   6.12-memless         6.12, the memless machine (node 1 has CPUs 1-2 and
#                        no memory, nodes 2-4 memory only), BUILDDIR: its
#                        whole suite
#   6.12-memless-tier    6.12, memless with node 4's memory onlined as a lower
#                        memory tier (VM_TIER=4: dax/kmem), BUILDDIR:
#                        61-move-stays alone, whose mode-2 (memory tiering)
#                        control needs a lower tier to promote from
#   6.12-4node-soak      (not in the default runs) 6.12, 4 nodes, BUILDDIR:
#                        34-policy-soak alone. 1,000 numamove runs: it passed
#                        its 900 s limit on this 2-CPU host, loaded by other
#                        work, with both builds: it does not fit in CI's 40
#                        minutes. The default matrix says so in its summary.
# Together, every kernel and every topology runs processes, objects,
# policies and the engine, and the kernel-feature cases (55-58) run on both
# kernels. The kernels are pinned in vm.sh; each run's summary names the
# exact package that ran.
#
# Environment: MATRIX_RUNS (the runs, as RUN arguments), and those of
# run-tests.sh and vm.sh (VM_ACCEL, VM_CACHE, ...).
set -uo pipefail

[ $# -ge 2 ] || { sed -n '4,5p' "$0" | sed 's/^# \{0,1\}/usage: /;2s/^usage: //' >&2; exit 2; }
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
build=$1
sbuild=$2
shift 2

# The subset of the 4-node suite for the second kernel: processes, objects,
# policies, the engine, and the kernel-feature cases.
SUBSET_4NODE="00-nodes 02-move-all 03-relative 05-affinity 06-too-small 13-thp
20-shm 21-tmpfs 22-hugetlbfs 23-pagecache 24-with-shared
30-policy-set 31-policy-modes 33-move-rebind 35-policy-cgroup 36-policy-refusals
40-engine 41-rate-stall 42-sweep 55-pagescan-fallback 56-preferred-many 57-weighted-interleave
58-weighted-interleave-old 60-move-whole"

ALL_RUNS="6.12-4node-sanitize 6.1-4node 6.12-sparse 6.12-memless 6.12-memless-tier"
runs=${*:-${MATRIX_RUNS:-$ALL_RUNS}}

# One kernel cache for both build directories; the kept consoles of failed
# runs go to each build directory's vm-logs/.
export VM_CACHE=${VM_CACHE:-$(readlink -f "$build")/vm-cache}
stamp=$(date +%Y%m%d-%H%M%S)
total_p=0 total_f=0 total_s=0 bad=0
summary=()
for run in $runs; do
	tier=
	case $run in
	6.12-4node-sanitize) k=6.12 t=4node b=$sbuild cases= exclude="34-policy-soak 41-rate-stall 42-sweep 61-move-stays" ;;
	6.1-4node) k=6.1 t=4node b=$build cases=$SUBSET_4NODE exclude= ;;
	6.12-sparse) k=6.12 t=sparse b=$build cases= exclude= ;;
	6.1-sparse) k=6.1 t=sparse b=$build cases= exclude= ;;
	6.12-memless) k=6.12 t=memless b=$build cases= exclude= ;;
	6.12-memless-tier) k=6.12 t=memless b=$build cases=61-move-stays exclude= tier=4 ;;
	6.12-4node) k=6.12 t=4node b=$build cases= exclude= ;;	# not in the default matrix
	6.12-4node-soak) k=6.12 t=4node b=$build cases=34-policy-soak exclude= ;;	# neither
	*) echo "matrix.sh: no run $run (runs: $ALL_RUNS 6.1-sparse 6.12-4node 6.12-4node-soak)" >&2; exit 2 ;;
	esac
	echo "== vm run $run: kernel $k, topology $t${tier:+, node $tier a lower memory tier}, $b"
	log=$(mktemp)
	start=$(date +%s)
	# shellcheck disable=SC2086 # the case list is words
	VM_KERNEL=$k VM_TOPOLOGY=$t VM_EXCLUDE=$exclude VM_RUN_NAME=$run-$stamp VM_TIER=$tier \
		"$here/run-tests.sh" "$b" $cases 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))
	line=$(grep -E '^vm: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n1)
	kpkg=$(sed -n 's/^vm: summary: kernel \([^,]*\),.*/\1/p' "$log" | tail -n1)
	if [ -z "$line" ]; then
		summary+=("$run: ${kpkg:-kernel ?}, ${secs}s: did not complete (run-tests.sh exit $rc)")
		total_f=$((total_f + 1))
		bad=1
	else
		read -r p f s <<< "$(echo "$line" | awk '{print $2, $4, $6}')"
		total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
		note=
		[ "$rc" != 0 ] && [ "$f" = 0 ] && { note=" (run-tests.sh exit $rc: the VM did not end normally)"; total_f=$((total_f + 1)); }
		[ "$rc" != 0 ] && bad=1
		summary+=("$run: $kpkg, ${secs}s: $p passed, $f failed, $s skipped$note")
	fi
	rm -f "$log"
done
echo
echo "vm: matrix summary:"
printf '  %s\n' "${summary[@]}"
case " $runs " in
*" 6.12-4node-soak "*|*" 6.12-4node "*) ;;
*) echo "  not run: 34-policy-soak (too slow for CI: run 6.12-4node-soak)" ;;
esac
case " $runs " in
*" 6.1-sparse "*) ;;
*) echo "  not run: 6.1-sparse (CI's time goes to the soak part: run 6.1-sparse)" ;;
esac
echo "vm: $total_p passed, $total_f failed, $total_s skipped"
[ "$bad" = 0 ] && [ "$total_f" = 0 ]
