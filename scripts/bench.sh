#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh [NAME=VALUE...]: the benchmark of numamove against numactl's
# migratepages on both emulated machines, the 4-node one and the one shaped
# like issue 11's (memless: a CPU node without memory, a destination with one
# CPU, 3 CPUs) (bench/run.sh; settings as there, e.g. REPS=3). Installs what
# is missing and builds first (as root on Debian 12). The reports:
# build/bench/report.txt and build/bench/report-memless.txt. Takes about 40
# minutes on an idle 2-CPU host (the VM's CPUs are the host's threads: keep
# it idle).
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$top"
scripts/deps.sh
scripts/build.sh build
rc=0
BENCH_TOPOLOGY=4node bench/run.sh build "$@" || rc=1
BENCH_TOPOLOGY=memless bench/run.sh build "$@" || rc=1
exit $rc
