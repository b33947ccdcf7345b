#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh [BUILDDIR [MESON-OPTION...]]: configure and build. A build
# directory that exists already gets the MESON-OPTIONs given (meson
# configure), so "-Dtests=enabled" applies to one configured before cmocka
# was installed, and fails there if cmocka is still missing.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
builddir=${1:-$top/build}
shift || true
if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" "$top" "$@" >/dev/null
elif [ $# -gt 0 ]; then
	meson configure "$builddir" "$@" >/dev/null
fi
ninja -C "$builddir" >/dev/null
