# SPDX-License-Identifier: GPL-2.0-or-later
# The live demo (scripts/demo.sh), run inside the emulated 4-node machine:
# a workload spread over nodes 0 and 1 is moved to nodes 2 and 3, keeping
# its relative placement, and the workload itself says where its pages are;
# a process started under numactl --membind=0 is moved with its policies;
# a tmpfs file owned by another process is moved; and 512 MiB move with two
# workers, paced, reporting progress as JSON.
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

say "A process started under numactl --membind=0: its threads' policies, read from /proc"
mkdir -p $d/pt
numactl --membind=0 poltarget --ctl $d/pt --sleep 3 > $d/pt.log 2>&1 &
ppid=$!
while [ ! -e $d/pt/ready ]; do sleep 0.2; done
run numamove policy -o TID,POLICY $ppid

say "Move it to node 2: policies are rebound first (run inside it with ptrace), then the pages"
run numamove move $ppid --to 2
run numamove policy -o TID,POLICY $ppid
echo release > $d/pt/cmd
while [ "$(grep -c '^after' $d/pt/result 2>/dev/null)" != 5 ]; do sleep 0.2; done
echo "# each thread's next allocation, and its blocked call, as the process itself reports:"
awk '$1 == "after" { printf "thread %s (%s): call %s, new pages on node %s\n", $3, $2, $4, $NF }' $d/pt/result
echo stop > $d/pt/cmd

say "A tmpfs file another process wrote on node 0, with holes: show, move, show"
mkdir -p $d/own
owner --ctl $d/own --node 0 --stride 2 --file /dev/shm/demo --size 32M > $d/own.log 2>&1 &
opid=$!
while [ ! -e $d/own/ready ]; do sleep 0.2; done
run numamove show /dev/shm/demo
run numamove move /dev/shm/demo --to 3 --policy bind
run numamove show /dev/shm/demo
kill $opid

say "512 MiB moved by two workers, at most 256 MiB/s, progress as JSON lines"
mkdir -p $d/big
workload --ctl $d/big --region 0:512M > $d/big.log 2>&1 &
bpid=$!
while [ ! -e $d/big/ready ]; do sleep 0.2; done
run numamove move $bpid --to 2 --jobs 2 --rate 256M/s --progress=json
kill $bpid
