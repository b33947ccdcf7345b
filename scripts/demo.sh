#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh: the main job, live, on an emulated 4-node NUMA machine (nodes 0
# and 1 with a CPU each, nodes 2 and 3 memory-only): a workload spread over
# nodes 0 and 1 is moved to nodes 2 and 3, keeping its relative placement.
# Installs what is missing and builds first (as root on Debian 12).
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$top"
scripts/deps.sh
scripts/build.sh build
exec tests/vm/vm.sh build tests/vm/demo.sh
