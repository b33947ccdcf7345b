# SPDX-License-Identifier: GPL-2.0-or-later
#
# vm-common.sh: sourced by tests/vm/vm.sh (x86-64) and tests/vm/arm64/vm.sh:
# the busybox guest's /init (busybox_init), and the run of the QEMU they put
# together, whose guest prints "@@exit N" as its last word, ending the
# calling script with N (vm_run).

# busybox_init ROOT HOSTNAME PATH ENV: ROOT/init, ROOT/etc/passwd and
# group (root, and user with uid 1000). The init mounts /proc, /sys, /dev,
# a tmpfs on /tmp (keeping what the root has there) and /dev/shm, cgroup2
# and debugfs, turns NUMA balancing off, brings up the lower memory tier
# of VM_TIER (lib.sh's tier_online) when ENV sets it, prints "@@vm up",
# runs /vm/script as root with the lines of /vm/args as its arguments,
# prints "@@exit N" and powers off. PATH goes after the system's
# directories; ENV is exported (NAME=VALUE words).
busybox_init() {
	local root=$1 host=$2 path=$3 env=$4

	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'user:x:1000:1000:user:/home/user:/bin/sh' > "$root/etc/passwd"
	printf '%s\n' 'root:x:0:' 'user:x:1000:' > "$root/etc/group"
	cat > "$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s
export PATH="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:$path"
export HOME=/root $env
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mkdir -p /dev/shm /dev/pts
# a tmpfs on /tmp would hide files of a build directory under /tmp: carry them over
mkdir /.tmp.rootfs && mv /tmp/* /.tmp.rootfs/ 2>/dev/null
mount -t tmpfs -o mode=1777 tmp /tmp
cp -a /.tmp.rootfs/. /tmp/ && rm -rf /.tmp.rootfs
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo 0 > /proc/sys/kernel/numa_balancing 2>/dev/null
hostname $host
chown 1000:1000 /home/user
ln -sf /proc/self/fd /dev/fd 2>/dev/null
cd /
if [ -n "\${VM_TIER:-}" ]; then
	# VM_TIER: node \$VM_TIER's memory, carved out as persistent memory, back as a lower memory tier
	if out=\$(T=/tmp/.tier sh -c '. /vm/lib.sh && tier_online "\$VM_TIER"' 2>&1); then
		echo "@@tier: \$out"
	else
		echo "@@tier failed: \$out"
	fi
	rm -rf /tmp/.tier
fi
echo "@@vm up: \$(uname -rm), nodes \$(cat /sys/devices/system/node/online), page \$(awk '/^KernelPageSize:/ {print \$2 \$3; exit}' /proc/self/smaps), \$(cut -d' ' -f1 /proc/uptime)s"
set --
while IFS= read -r a; do set -- "\$@" "\$a"; done < /vm/args
sh /vm/script "\$@" < /dev/null
rc=\$?
sync
echo "@@exit \$rc"
poweroff -f
INIT
	chmod 755 "$root/init"
}

# vm_run: the caller sets vm_name (the prefix of every message: "vm.sh"),
# vm_tag (a word in the kept console's name, may be empty), builddir,
# timeout_s, log (the console's file), and qpid= (its cleanup trap kills a
# QEMU left running); VM_LOG, VM_INFO and VM_KEEP_CONSOLE are the
# environment's (vm.sh's header says what they are).

# vm_reason CONSOLE: why a run ended badly, from its console: a panic, an
# oops, the OOM killer, QEMU's own error, and the case that was running.
vm_reason() {
	local c=$1 r running
	r=$(tr -d '\r' < "$c" | grep -aE 'Kernel panic - not syncing|^\[? *[0-9.]*\]? *(BUG:|Oops|general protection fault|kernel BUG|Internal error:)|Out of memory: Kill|invoked oom-killer|^qemu-system|^qemu:' | head -n 3) || true
	running=$(tr -d '\r' < "$c" | awk '/^RUN: /{r = $2} /^(PASS|FAIL|SKIP): /{if ($2 == r) r = ""} END {print r}') || true
	[ -n "$running" ] && echo "$vm_name: case running when it stopped: $running" >&2
	if [ -n "$r" ]; then
		printf '%s\n' "$r" | sed "s#^#$vm_name: console: #" >&2
	else
		echo "$vm_name: no panic, oops or OOM on the console; its last lines:" >&2
		tr -d '\r' < "$c" | tail -n 5 | sed "s#^#$vm_name:   | #" >&2
	fi
	if [ -n "${VM_INFO:-}" ]; then
		echo "running=$running" >> "$VM_INFO"
		echo "reason=$(printf '%s\n' "$r" | head -n1 | sed 's/^\[ *[0-9.]*\] *//')" >> "$VM_INFO"
	fi
}

# keep_console: the whole console of a failed run, under the build directory.
keep_console() {
	local dest=${VM_KEEP_CONSOLE:-$builddir/vm-logs/console${vm_tag:+-$vm_tag}-$(date +%Y%m%d-%H%M%S)-$$.log}
	mkdir -p "$(dirname "$dest")" && tr -d '\r' < "$log" > "$dest" &&
		echo "$vm_name: the whole console is kept in $dest" >&2
}

# vm_stopped WHY STATUS: the run ended without the guest's status.
vm_stopped() {
	vm_reason "$log"
	[ -n "${VM_INFO:-}" ] && echo "stopped=$1" >> "$VM_INFO"
	keep_console
	exit "$2"
}

# vm_run QEMU-COMMAND...: runs it with the console in $log, streamed to
# stdout (and VM_LOG), killed after timeout_s seconds; exits with the
# guest's status, 124 on the timeout, 125 when the guest gave none. The
# console of a run that did not exit 0 is kept (keep_console).
vm_run() {
	local tpid timedout=0 start rc

	: > "$log"
	"$@" < /dev/null > "$log" 2>&1 &
	qpid=$!
	tail -n +1 -f --pid="$qpid" "$log" | sed -u 's/\r$//' | tee ${VM_LOG:+"$VM_LOG"} &
	tpid=$!
	start=$(date +%s)
	while kill -0 "$qpid" 2>/dev/null; do
		if [ $(( $(date +%s) - start )) -ge "$timeout_s" ]; then
			timedout=1
			kill "$qpid" 2>/dev/null || true
			sleep 2
			kill -9 "$qpid" 2>/dev/null || true
			break
		fi
		sleep 1
	done
	wait "$qpid" 2>/dev/null || true
	qpid=
	wait "$tpid" 2>/dev/null || true
	echo "$vm_name: ran $(( $(date +%s) - start ))s" >&2

	if [ "$timedout" = 1 ]; then
		echo "$vm_name: timeout: killed QEMU after ${timeout_s}s" >&2
		vm_stopped "timed out after ${timeout_s}s" 124
	fi
	rc=$(tr -d '\r' < "$log" | sed -n 's/^@@exit \([0-9]*\)$/\1/p' | tail -n1)
	if [ -z "$rc" ]; then
		echo "$vm_name: the VM stopped without reporting an exit status" >&2
		vm_stopped "stopped without an exit status" 125
	fi
	[ "$rc" = 0 ] || keep_console
	exit "$rc"
}

# vm_early_crash CONSOLE: prints the guest's uptime, in whole seconds, at
# the first Oops, panic or arm64 "Internal error" line of CONSOLE, when that
# came in the first minute and before any case ended (a PASS, FAIL or SKIP
# line); fails otherwise. Software emulation on a busy host has brought
# guest kernels down early a few times (an int3 oops while the kernel
# patched its text; double faults in fork with a garbage EFLAGS in the
# saved frame): run-tests.sh and soak.sh boot such a run once more, once,
# under software emulation only (under KVM no emulation glitch explains a
# crash), and say so in their summary.
vm_early_crash() {
	awk '
		{ sub(/\r+$/, "") }
		/^(PASS|FAIL|SKIP): / { exit }
		/^\[ *[0-9]+\.[0-9]+\] .*(Oops|Kernel panic|Internal error)/ {
			t = $0; sub(/^\[ */, "", t); sub(/\..*/, "", t)
			if (t + 0 < 60) print t
			exit
		}' "$1" | grep .
}
