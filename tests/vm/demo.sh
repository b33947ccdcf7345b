# SPDX-License-Identifier: GPL-2.0-or-later
# The live demo (scripts/demo.sh), run inside the emulated 4-node machine:
# a workload spread over nodes 0 and 1 is moved to nodes 2 and 3, keeping
# its relative placement, and the workload itself says where its pages are.
set -e
d=/tmp/demo
mkdir -p $d
say() { printf '\n### %s\n' "$*"; }
run() { echo "# $*"; "$@"; }

say "The machine: nodes 0 and 1 have a CPU each, nodes 2 and 3 are memory-only"
run numamove nodes

say "A workload: 96 MiB first-touched on node 0, 48 MiB on node 1, two extra threads"
workload --ctl $d --region 0:96M --region 1:48M --threads 2 > $d/log 2>&1 &
pid=$!
while [ ! -e $d/ready ]; do sleep 0.2; done
run numamove show $pid

say "Where its regions are, as the workload itself measures with move_pages(2)"
report() {
	rm -f $d/report
	kill -USR1 $pid
	while [ ! -e $d/report ]; do sleep 0.1; done
	awk '$1 == "region" { printf "region %s: 4K pages on nodes 0..3: %s %s %s %s, checksum %s\n", $2, $6, $7, $8, $9, $NF }' $d/report
}
report

say "Move it: node 0 -> node 2, node 1 -> node 3"
run numamove move $pid --to 2,3

say "After"
run numamove show $pid
report

say "Per mapping, with the policy of each"
run numamove show --mappings -o START,KIND,POLICY,RES,N0,N1,N2,N3,NAME $pid | head -n 12
kill $pid
