#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh [NAME=VALUE...]: the benchmark of numamove against numactl's
# migratepages on the emulated 4-node machine (bench/run.sh; settings as
# there, e.g. REPS=3). Installs what is missing and builds first (as root on
# Debian 12). The report: build/bench/report.txt. Takes about 20 minutes on
# an idle 2-CPU host (the VM's CPUs are the host's threads: keep it idle).
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$top"
scripts/deps.sh
scripts/build.sh build
exec bench/run.sh build "$@"
