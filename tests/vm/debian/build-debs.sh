#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-debs.sh BUILDDIR: build numamove's Debian packages out of the source
# tree's way and print the paths of the .deb files, one a line.
#
# The tree (the files git knows, tracked or untracked but not ignored; all of
# it minus .git and build*/ when it is no git checkout) is copied to
# BUILDDIR/deb/numamove-VERSION, dpkg-buildpackage -us -uc -b runs there,
# and the packages land in BUILDDIR/deb/. The clone stays as it was.
#
# Environment: DEB_BUILD_OPTIONS (e.g. nocheck: skip the unit tests);
# DEB_HOST_ARCH=arm64 cross-builds the arm64 packages (the cross toolchain
# and the arm64 -dev packages: scripts/cross-build.sh installs them), with
# the profiles cross, nocheck and pkg.numamove.noslurm (debian/control: no
# numamove-slurm, since libslurm-dev:arm64 cannot be installed beside the
# host's).
set -euo pipefail

die() { echo "build-debs.sh: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: build-debs.sh BUILDDIR"
mkdir -p "$1"
builddir=$(cd "$1" && pwd)
top=$(cd "$(dirname "$(readlink -f "$0")")/../../.." && pwd)
command -v dpkg-buildpackage >/dev/null || die "missing dpkg-buildpackage (apt-get install dpkg-dev debhelper)"

version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
out=$builddir/deb
src=$out/numamove-$version
rm -rf "$out"
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	( cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf - ) | tar -C "$src" -xf -
else
	( cd "$top" && tar --exclude=./.git --exclude='./build*' -cf - . ) | tar -C "$src" -xf -
fi
[ -x "$src/debian/rules" ] || die "no debian/rules in the copy of $top"

start=$(date +%s)
args=(-us -uc -b)
if [ -n "${DEB_HOST_ARCH:-}" ] && [ "$DEB_HOST_ARCH" != "$(dpkg --print-architecture)" ]; then
	[ "$DEB_HOST_ARCH" = arm64 ] || die "DEB_HOST_ARCH: only arm64 is cross-built"
	"$top/scripts/cross-build.sh" --deps || die "the cross-build's packages (scripts/cross-build.sh --deps)"
	args+=(-a "$DEB_HOST_ARCH" --build-profiles=cross,nocheck,pkg.numamove.noslurm)
	export DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}"
fi
( cd "$src" && dpkg-buildpackage "${args[@]}" ) > "$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log" >&2; die "dpkg-buildpackage failed (log: $out/build.log)"; }
echo "build-debs.sh: built in $(( $(date +%s) - start ))s (log: $out/build.log)" >&2
ls "$out"/*.deb
