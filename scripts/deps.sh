#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what numamove's build, tests and demo need on Debian 12, as root.
# Does nothing when everything is there already.
set -euo pipefail

pkgs=(
	gcc libc6-dev pkg-config meson ninja-build   # build
	libnuma-dev libsmartcols-dev                  # the libraries numamove uses
	libcmocka-dev                                 # unit tests
	libsystemd-dev                                # numamoved and numamove's client: sd-bus, sd-event, sd-daemon
	libslurm-dev                                  # numamove.so, the SPANK plugin: slurm/spank.h
	libmunge-dev                                  # numamoved: root's MUNGE credential for a Slurm job's all-nodes move
	dbus-daemon python3-dbus                      # the host checks of numamoved: a private bus, a second client
	qemu-system-x86 busybox-static cpio xz-utils  # the emulated 4-node test machine
	numactl                                       # migratepages, numactl inside the VM
	e2fsprogs                                     # mke2fs: an ext4 RAM disk inside the VM
	binutils                                      # strings(1), used to read module deps; nm(1) for the ABI check
	abigail-tools                                 # abidw/abidiff: the ABI check (tests/abi)
	groff-base                                    # groff: the manual pages' check (tests/abi/check-man.sh)
	dpkg-dev debhelper build-essential lintian    # the Debian packages (debian/)
	mmdebstrap                                    # the Debian root file system of the package tests
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
