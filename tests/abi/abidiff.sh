#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# abidiff.sh check|update LIBRARY BASELINE HEADERS-DIR
#
# check:  compare the built shared library with the stored ABI (abidiff,
#         public types only, those of HEADERS-DIR); any difference fails,
#         compatible additions included, so that every change of the ABI is
#         made on purpose, with the baseline updated in the same commit.
# update: write the stored ABI from the built library (abidw). Run it as
#         `ninja -C build abi-update` after a change of the ABI that is
#         meant, and commit tests/abi/libnumamove.abi with it.
#
# abidw/abidiff come from Debian's abigail-tools (scripts/deps.sh); the
# check is skipped (exit 77) without them. The library needs its debug
# information (the default debugoptimized build has it).
set -euo pipefail
mode=$1 lib=$2 baseline=$3 headers=$4

if ! command -v abidw >/dev/null || ! command -v abidiff >/dev/null; then
	echo "abidiff.sh: abidw/abidiff not installed (Debian: abigail-tools): skipped" >&2
	exit 77
fi
dump=(abidw --no-corpus-path --no-show-locs --drop-private-types --headers-dir "$headers")
case $mode in
update)
	"${dump[@]}" --out-file "$baseline" "$lib"
	echo "abidiff.sh: wrote $baseline"
	;;
check)
	tmp=$(mktemp)
	trap 'rm -f "$tmp"' EXIT
	"${dump[@]}" --out-file "$tmp" "$lib"
	if ! abidiff --no-show-locs "$baseline" "$tmp"; then
		echo "abidiff.sh: the ABI of $lib differs from $baseline (above)." >&2
		echo "abidiff.sh: if that is meant, run 'ninja -C BUILDDIR abi-update' and commit the baseline." >&2
		exit 1
	fi
	echo "abidiff.sh: the ABI is the stored one"
	;;
*)
	echo "usage: abidiff.sh check|update LIBRARY BASELINE HEADERS-DIR" >&2
	exit 2
	;;
esac
