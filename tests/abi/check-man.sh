#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check-man.sh SYMBOL-MAP MAN-DIR: every function of the version script is
# documented in a libnumamove(3) page (named in the SYNOPSIS of a page in
# MAN-DIR) and has a page of its name (the page itself, or a .so alias to
# it, as man/make-aliases.sh writes them); every page passes the roff
# checker without a warning (mandoc -Tlint when installed, else
# groff -man -ww -z). Prints what is wrong; exit 1 then.
set -euo pipefail
map=$1 dir=$2
if ! command -v mandoc >/dev/null && ! command -v groff >/dev/null; then
	echo "check-man: neither mandoc nor groff is installed (scripts/deps.sh installs groff-base)" >&2
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# Builtins only: the loops below run once for each of some 200 pages.
is_alias() { local first; read -r first <"$1" || true; [[ $first == .so\ * ]]; }

sed -n 's/^[[:space:]]*\(numamove_[a-z0-9_]*\);.*/\1/p' "$map" | sort -u >"$tmp/map"

# The names in the SYNOPSIS of every page that is not an alias.
shopt -s nullglob
pages=("$dir"/*.3)
if [ ${#pages[@]} = 0 ]; then
	echo "check-man: no pages in $dir" >&2
	exit 1
fi
for page in "${pages[@]}"; do
	is_alias "$page" && continue
	sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' "$page" | grep -oE '\bnumamove_[a-z0-9_]+ *\(' | tr -d ' (' || true
done | sort -u >"$tmp/synopsis"
missing=$(comm -23 "$tmp/map" "$tmp/synopsis")
if [ -n "$missing" ]; then
	echo "check-man: in $(basename "$map") but in no page's SYNOPSIS:" $missing >&2
	status=1
fi
extra=$(comm -13 "$tmp/map" "$tmp/synopsis")
if [ -n "$extra" ]; then
	echo "check-man: in a SYNOPSIS but not exported:" $extra >&2
	status=1
fi

# A page to find each function by; each alias names a page that exists.
while read -r sym; do
	if [ ! -f "$dir/$sym.3" ]; then
		echo "check-man: no page $sym.3 (run man/make-aliases.sh)" >&2
		status=1
	fi
done <"$tmp/map"
for page in "${pages[@]}"; do
	is_alias "$page" || continue
	text=$(<"$page")
	target=${text#.so man3/}
	if [[ $text == *$'\n'* || $target == "$text" || ! -f $dir/$target ]] || is_alias "$dir/$target"; then
		echo "check-man: $(basename "$page"): not one '.so man3/PAGE.3' line naming a page here" >&2
		status=1
	fi
done
if [ -x "$dir/make-aliases.sh" ] && ! "$dir/make-aliases.sh" --check; then
	status=1
fi

# Every page renders without a warning.
for page in "$dir"/*.[0-9]; do
	[ -f "$page" ] && ! is_alias "$page" || continue
	if command -v mandoc >/dev/null; then
		out=$(mandoc -Tlint -W warning "$page" 2>&1 || true)
	else
		out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1 || echo "groff failed")
	fi
	if [ -n "$out" ]; then
		echo "check-man: $(basename "$page"):" >&2
		echo "$out" >&2
		status=1
	fi
done
[ $status = 0 ] && echo "check-man: $(wc -l <"$tmp/map") functions, each in a SYNOPSIS and with a page; pages clean"
exit $status
