#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-symbols.sh CC HEADER SYMBOL-MAP LIBRARY: the header's function
# prototypes, the version script's names and the shared library's exported
# symbols must be the same set, and every export must carry the version node
# the map gives it (one node per release that added functions: LIBNUMAMOVE_0.3,
# LIBNUMAMOVE_0.4 inheriting it, ...). Prints what differs; exit 1 then.
set -euo pipefail
cc=$1 header=$2 map=$3 lib=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The compiler lists every declaration it saw (-aux-info): no regex over C.
"$cc" -fsyntax-only -aux-info "$tmp/aux" -I"$(dirname "$header")/.." -x c "$header"
grep -F "$(basename "$header"):" "$tmp/aux" | grep -oE '\bnumamove_[a-z0-9_]+ \(' | tr -d ' (' | sort -u >"$tmp/header"

nodes=$(grep -oE '^[A-Z0-9_.]+ *\{' "$map" | tr -d ' {')
# "name@@NODE" for each name of the map, in the node it is listed under
awk '/^[A-Z0-9_.]+ *\{/ { node = $1; sub(/\{.*/, "", node) }
     /^[[:space:]]*numamove_[a-z0-9_]*;/ { s = $1; sub(/;.*/, "", s); print s "@@" node }' "$map" | sort -u >"$tmp/map-versioned"
sed 's/@@.*//' "$tmp/map-versioned" | sort -u >"$tmp/map"

nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' | sort -u >"$tmp/raw"
if ! diff -u --label "map (name@@node)" --label "library exports" "$tmp/map-versioned" "$tmp/raw"; then
	echo "check-symbols: the library's exports do not carry the versions the map gives them (lines above)" >&2
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
[ $status = 0 ] && echo "check-symbols: $(wc -l <"$tmp/header") functions, header = map = exports ("$nodes")"
exit $status
