# The library example (tests/vm/move-example.c) as a user of the packages
# builds it: debian-tests.sh compiles it on the host against
# libnumamove-dev unpacked with dpkg -x, with the flags pkg-config reads
# from its libnumamove.pc, and no RUNPATH. Here, after the install, it must
# load the packaged /usr/lib/x86_64-linux-gnu/libnumamove.so.0 (ldd), and
# move what case 45 checks it moves (placement, data, affinity, next
# allocations, policies, a segment with its holes): case 45 runs with it.
prog=/vm/files/bin/move-example
multiarch=x86_64-linux-gnu
[ -x "$prog" ] || fail "no $prog (debian-tests.sh builds it against libnumamove-dev)"
ldd "$prog" | sed 's/^/  | /'
lib=$(ldd "$prog" | awk '$1 == "libnumamove.so.0" {print $3}')
[ -n "$lib" ] || fail "ldd $prog names no libnumamove.so.0"
case $lib in /usr/lib/*|/lib/*) ;; *) fail "the example loads libnumamove.so.0 from $lib" ;; esac
assert_eq "$(readlink -f "$lib")" "$(readlink -f /usr/lib/$multiarch/libnumamove.so.0)" "libnumamove the example loads"
assert_eq "$(/usr/bin/dpkg -S "$(readlink -f "$lib")" | cut -d: -f1)" libnumamove0 "package of the library the example loads"
# Case 45 calls move-example by name, and PATH has the build's copy first:
# this one goes before it.
mkdir -p "$T/bin"
ln -sf "$prog" "$T/bin/move-example"
PATH=$T/bin:$PATH
assert_eq "$(command -v move-example)" "$T/bin/move-example" "the move-example case 45 runs"
[ -f /vm/cases/45-library-example.sh ] || fail "no /vm/cases/45-library-example.sh"
. /vm/cases/45-library-example.sh
