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
# Environment: DEB_BUILD_OPTIONS (e.g. nocheck: skip the unit tests).
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
( cd "$src" && dpkg-buildpackage -us -uc -b ) > "$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log" >&2; die "dpkg-buildpackage failed (log: $out/build.log)"; }
echo "build-debs.sh: built in $(( $(date +%s) - start ))s (log: $out/build.log)" >&2
ls "$out"/*.deb
