#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-symbols.sh CC HEADER SYMBOL-MAP LIBRARY: the header's function
# prototypes, the version script's names and the shared library's exported
# symbols must be the same set, and every export must carry the map's one
# version node. Prints what differs; exit 1 then.
set -euo pipefail
cc=$1 header=$2 map=$3 lib=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The compiler lists every declaration it saw (-aux-info): no regex over C.
"$cc" -fsyntax-only -aux-info "$tmp/aux" -I"$(dirname "$header")/.." -x c "$header"
grep -F "$(basename "$header"):" "$tmp/aux" | grep -oE '\bnumamove_[a-z0-9_]+ \(' | tr -d ' (' | sort -u >"$tmp/header"

nodes=$(grep -oE '^[A-Z0-9_.]+ *\{' "$map" | tr -d ' {')
if [ "$(echo "$nodes" | wc -l)" != 1 ]; then
	echo "check-symbols: $map has more than one version node:" $nodes >&2
	exit 1
fi
sed -n 's/^[[:space:]]*\(numamove_[a-z0-9_]*\);.*/\1/p' "$map" | sort -u >"$tmp/map"

nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' >"$tmp/raw"
bad=$(grep -v "@@$nodes\$" "$tmp/raw" || true)
if [ -n "$bad" ]; then
	echo "check-symbols: exported without version $nodes:" $bad >&2
	exit 1
fi
sed 's/@@.*//' "$tmp/raw" | sort -u >"$tmp/exports"

status=0
for pair in header:map map:exports header:exports; do
	a=${pair%%:*} b=${pair##*:}
	if ! diff -u --label "$a" --label "$b" "$tmp/$a" "$tmp/$b"; then
		echo "check-symbols: the $a and the $b disagree (lines above)" >&2
		status=1
	fi
done
[ $status = 0 ] && echo "check-symbols: $(wc -l <"$tmp/header") functions, header = map = exports ($nodes)"
exit $status
