#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh [BUILDDIR [MESON-OPTION...]]: configure (once) and build.
set -euo pipefail
top=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
builddir=${1:-$top/build}
shift || true
if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" "$top" "$@" >/dev/null
fi
ninja -C "$builddir" >/dev/null
