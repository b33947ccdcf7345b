#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cross-build.sh [BUILDDIR [MESON-OPTION...]]: builds numamove for arm64
# (aarch64) on an x86-64 Debian 12 host, with Debian's multiarch: the cross
# compiler and the arm64 -dev packages of the dependencies (installed here
# with apt-get, as root, when missing; never one that removes a host package),
# and scripts/cross/aarch64-linux-gnu.ini.
# BUILDDIR defaults to build-arm64/. The unit tests then run under
# qemu-user: meson test -C build-arm64 --suite unit.
# cross-build.sh --deps: only installs what the cross-build needs (for
# the arm64 Debian packages: tests/vm/debian/build-debs.sh).
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
deps_only=0
[ "${1:-}" = --deps ] && { deps_only=1; shift; }
builddir=${1:-$top/build-arm64}
shift || true

pkgs=(
	crossbuild-essential-arm64 pkg-config meson ninja-build
	libnuma-dev:arm64 libsmartcols-dev:arm64 libsystemd-dev:arm64 libcmocka-dev:arm64
	qemu-user-static    # runs the arm64 unit tests here (the cross file's exe_wrapper)
	pkgconf:arm64       # aarch64-linux-gnu-pkg-config, which dpkg-buildpackage -a arm64 asks for
)
# The SPANK plugin and MUNGE credentials: only when their arm64 -dev
# packages are installed already. libslurm-dev and libmunge-dev are not
# Multi-Arch: same, so installing the arm64 ones REMOVES the host's amd64
# ones (and munge, libslurm-dev's users): this script never does that.
optional=(libslurm-dev:arm64 libmunge-dev:arm64)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${pkgs[@]}"; do
	installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "cross-build.sh: missing packages: ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
	apt-get update -qq
	# --no-remove: an install that would take away a package of the host fails instead.
	apt-get install -y -qq --no-remove --no-install-recommends "${missing[@]}" >/dev/null
fi

[ "$deps_only" = 1 ] && exit 0

opts=()
installed libslurm-dev:arm64 || opts+=(-Dslurm=disabled)
installed libmunge-dev:arm64 || opts+=(-Dmunge=disabled)
[ ${#opts[@]} = 0 ] || echo "cross-build.sh: ${optional[*]} not installed: building without the SPANK plugin and MUNGE (${opts[*]})" >&2
if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" "$top" --cross-file "$top/scripts/cross/aarch64-linux-gnu.ini" \
		-Dtests=enabled "${opts[@]}" "$@" >/dev/null
elif [ $# -gt 0 ]; then
	meson configure "$builddir" "$@" >/dev/null
fi
ninja -C "$builddir"
