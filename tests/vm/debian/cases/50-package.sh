# The packages as installed: numamove is /usr/bin/numamove and runs with
# libnumamove.so.0 from /usr/lib (not from a build directory); its man page
# is there; the -dev package's header and pkg-config file work (the .pc
# resolves, with libnuma's, to the installed library). Runs in the Debian VM.
multiarch=x86_64-linux-gnu
assert_eq "$(command -v numamove)" /usr/bin/numamove "numamove on PATH"
lib=$(ldd /usr/bin/numamove | awk '$1 == "libnumamove.so.0" {print $3}')
assert_eq "$(readlink -f "$lib")" "$(readlink -f /usr/lib/$multiarch/libnumamove.so.0)" "libnumamove the command loads"
case $lib in /usr/lib/*|/lib/*) ;; *) fail "libnumamove.so.0 loaded from $lib" ;; esac
assert_eq "$(/usr/bin/dpkg -S /usr/bin/numamove | cut -d: -f1)" numamove "package of /usr/bin/numamove"
assert_eq "$(/usr/bin/dpkg -S "$(readlink -f "$lib")" | cut -d: -f1)" libnumamove0 "package of the library"
[ -f /usr/share/man/man8/numamove.8.gz ] || fail "no numamove(8) man page"
nm --version
assert_rc 0
grep -q "$(/usr/bin/dpkg-query -W -f='${Version}' numamove | sed 's/-.*//')" "$T/out" ||
	fail "numamove --version does not name the package version $(/usr/bin/dpkg-query -W -f='${Version}' numamove)"
nm nodes
assert_rc 0
assert_eq "$(grep -cE '^ *[0-3] ' "$T/out")" 4 "numamove nodes: one row per node"
if /usr/bin/dpkg-query -W -f='${db:Status-Status}' libnumamove-dev 2>/dev/null | grep -q '^installed$'; then
	[ -f /usr/include/numamove/numamove.h ] || fail "no /usr/include/numamove/numamove.h"
	v=$(pkg-config --modversion libnumamove) || fail "pkg-config --modversion libnumamove"
	assert_eq "$v" "$(/usr/bin/dpkg-query -W -f='${Version}' libnumamove-dev | sed 's/-.*//')" "pkg-config version"
	libs=$(pkg-config --libs libnumamove | sed "s/ *$//")
	assert_eq "$libs" "-lnumamove" "pkg-config --libs"
	pkg-config --cflags --libs --static libnumamove > /dev/null || fail "pkg-config --static (needs numa.pc)"
	assert_eq "$(readlink -f /usr/lib/$multiarch/libnumamove.so)" "$(readlink -f /usr/lib/$multiarch/libnumamove.so.0)" "the -dev symlink"
	note "man3 pages: $(/usr/bin/dpkg -L libnumamove-dev | grep -c '/man3/.*\.3\.gz$')"
else
	note "libnumamove-dev not installed: its checks skipped"
fi
