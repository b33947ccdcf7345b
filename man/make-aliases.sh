#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-aliases.sh [--check]: write a .so page man/NAME.3 for every name in
# the NAME section of each libnumamove(3) page (man/*.3 that is not itself
# an alias), so that `man NAME` finds the page that documents it; remove
# aliases no page names any more. With --check, change nothing: list what
# is missing, stale or wrong, and exit 1 then.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
check=false
[ "${1:-}" = --check ] && check=true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Builtins only: the loops below run once for each of some 200 names.
is_alias() { local first; read -r first <"$1" || true; [[ $first == .so\ * ]]; }

# The names each real page documents: the NAME section, up to "\-".
for page in "$dir"/*.3; do
	is_alias "$page" && continue
	base=$(basename "$page" .3)
	sed -n '/^\.SH NAME/,/^\.SH/p' "$page" | sed '1d;$d' | tr '\n' ' ' | sed 's/\\-.*//' |
		tr ',' '\n' | tr -d ' ' | grep -v '^$' | while read -r name; do
			[ "$name" = "$base" ] || echo "$name $base"
		done
done | sort >"$tmp/want"

status=0
# A name documented twice would make its alias ambiguous.
dups=$(cut -d' ' -f1 "$tmp/want" | uniq -d)
if [ -n "$dups" ]; then
	echo "make-aliases: named in more than one page:" $dups >&2
	exit 1
fi
while read -r name base; do
	want=".so man3/$base.3"
	if [ -f "$dir/$name.3" ] && ! is_alias "$dir/$name.3"; then
		echo "make-aliases: $name.3 is a page of its own, and also named in $base.3" >&2
		status=1
	elif [ ! -f "$dir/$name.3" ] || [ "$(<"$dir/$name.3")" != "$want" ]; then
		if $check; then
			echo "make-aliases: $name.3 should hold '$want'" >&2
			status=1
		else
			echo "$want" >"$dir/$name.3"
		fi
	fi
done <"$tmp/want"
declare -A named
while read -r name base; do named[$name]=$base; done <"$tmp/want"
for page in "$dir"/*.3; do
	is_alias "$page" || continue
	name=$(basename "$page" .3)
	[[ -v "named[$name]" ]] && continue
	if $check; then
		echo "make-aliases: $name.3 is an alias that no page names" >&2
		status=1
	else
		rm -f "$page"
	fi
done
exit $status
