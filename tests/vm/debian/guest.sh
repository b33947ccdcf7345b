# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside the Debian VM (busybox sh; vm.sh with VM_ROOTFS=debian), started
# by tests/vm/debian-tests.sh: guest.sh CASE_TIMEOUT [--after-reboot] CASE...
# (--after-reboot: the second boot of the same VM_DISK; its install is
# named install-after-reboot, and there is no purge: the first boot's
# checks it)
#
#   install   apt-get install the packages in /vm/files (*.deb), offline,
#             their dependencies being in the root file system
#   CASEs     /vm/cases/NAME.sh or absolute paths (/vm/files/cases/*.sh),
#             by run-cases.sh, against /usr/bin/numamove from the package
#   purge     apt-get purge the packages; the file system must be as before
#             the install (paths, types, modes, owners; sizes and mtimes of
#             files), but for logs, caches, dpkg's and apt's own state (and
#             /var/backups: dpkg-db-backup.timer runs at midnight), and
#             what the cases make (/tmp, /mnt, /root, /home)
# Each step prints "PASS: name" or "FAIL: name (reason)"; a case that cannot
# run (the install failed) prints nothing, which the host counts as failed.
# busybox sh prefers its own applets to programs on PATH: Debian's tools are
# called by their absolute paths here (and in tests/vm/debian/cases).
export CASE_TIMEOUT=$1
shift
sfx=
if [ "${1:-}" = --after-reboot ]; then
	sfx=-after-reboot
	shift
fi
export DEBIAN_FRONTEND=noninteractive
export NUMAMOVE=/usr/bin/numamove

# snapshot FILE: one line per path of the root file system that a package
# could touch, with what must come back after a purge.
snapshot() {
	/usr/bin/find / -xdev \( -path /vm -o -path /tmp -o -path /var/tmp -o -path /var/log -o -path /var/backups \
		-o -path /var/cache -o -path /var/lib/apt -o -path /var/lib/systemd \
		-o -path /root -o -path /home -o -path /mnt -o -path /media \
		-o -path '/var/lib/dpkg/*-old' \) -prune \
		-o -type d -printf '%p\td %m %U:%G\n' \
		-o -printf '%p\t%y %m %U:%G %s %T@ %l\n' |
	awk -F'\t' '$1 ~ /^\/var\/lib\/dpkg\// || $1 == "/etc/ld.so.cache" {print $1; next} {print}' |
	LC_ALL=C /usr/bin/sort > "$1"
}

debs=$(ls /vm/files/*.deb 2>/dev/null | grep -v -- '-dbgsym_')
pkgs=$(for d in $debs; do /usr/bin/dpkg-deb -f "$d" Package; done)
echo "@@debian packages: $(echo $pkgs)"
[ -z "$sfx" ] && snapshot /tmp/fs.before
echo "RUN: install$sfx"
installed=0
if [ -z "$debs" ]; then
	echo "FAIL: install$sfx (no .deb in /vm/files)"
elif (cd /vm/files && apt-get install -y --no-install-recommends $(for d in $debs; do echo "./${d##*/}"; done)) \
		> /tmp/install.log 2>&1; then
	sed 's/^/  | /' /tmp/install.log
	bad=
	for p in $pkgs; do
		[ "$(/usr/bin/dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || bad="$bad $p"
	done
	if [ -n "$bad" ]; then
		echo "FAIL: install$sfx (not installed:$bad)"
	else
		echo "PASS: install$sfx"
		installed=1
	fi
else
	sed 's/^/  | /' /tmp/install.log
	echo "FAIL: install$sfx (apt-get install: $(grep -E '^E:' /tmp/install.log | head -n1))"
fi

if [ "$installed" = 1 ] && [ $# -gt 0 ]; then
	sh /vm/run-cases.sh "$@"
fi

[ -n "$sfx" ] && exit 0
echo "RUN: purge$sfx"
if [ "$installed" = 1 ]; then
	if apt-get purge -y $pkgs > /tmp/purge.log 2>&1; then
		sed 's/^/  | /' /tmp/purge.log
		snapshot /tmp/fs.after
		left=$(/usr/bin/dpkg-query -W -f='${binary:Package} ${db:Status-Abbrev}\n' $pkgs 2>/dev/null | grep -v ' un *$')
		# the comparison must see a file left behind: plant one, look
		: > /usr/share/numamove-purge-probe
		snapshot /tmp/fs.probe
		rm -f /usr/share/numamove-purge-probe
		if [ -n "$left" ]; then
			echo "FAIL: purge$sfx (still known to dpkg: $left)"
		elif ! grep -q '^/usr/share/numamove-purge-probe	' /tmp/fs.probe; then
			echo "FAIL: purge$sfx (the file system listing does not see a file planted in /usr/share)"
		elif ! cmp -s /tmp/fs.before /tmp/fs.after; then
			# busybox diff: unified; "-" before the install only, "+" after the purge only
			diff -U0 /tmp/fs.before /tmp/fs.after | grep -E '^[-+]' | grep -vE '^(---|\+\+\+) ' > /tmp/fs.diff
			head -n 40 /tmp/fs.diff | sed 's/^/  | /'
			echo "FAIL: purge$sfx (the file system differs from before the install: $(wc -l < /tmp/fs.diff) lines)"
		else
			echo "  # $(wc -l < /tmp/fs.before) paths compared: the same before the install and after the purge"
			echo "PASS: purge$sfx"
		fi
	else
		sed 's/^/  | /' /tmp/purge.log
		echo "FAIL: purge$sfx (apt-get purge failed)"
	fi
else
	echo "FAIL: purge$sfx (nothing installed)"
fi
exit 0
