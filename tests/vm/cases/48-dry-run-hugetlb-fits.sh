# timeout: 300
# The dry run's FITS column says what the real move checks: base pages and
# THPs against the destination's free memory, hugetlb pages against its pool
# of free huge pages of their size (not its free memory).
#  1. A hugetlbfs file with 2 huge pages touched on node 0, node 3's pool
#     empty: --dry-run --to 3 says FITS no, and the real move is refused
#     (exit 1) with the pages still on node 0 (as the owner measures them).
#  2. More huge pages than node 3 has free memory, but fewer than its pool
#     holds: --dry-run says FITS yes, and the real move moves them all to
#     node 3 with their data.
# (d243ede compared all incoming bytes, huge pages included, with the free
# memory and never looked at the pools: yes in 1, no in 2.)
# Pools, file and mount (in the case's directory) put back at the end.
hp=/sys/devices/system/node/node%d/hugepages/hugepages-2048kB
pool() { cat "$(printf $hp "$1")/nr_hugepages"; }
setpool() { echo "$2" > "$(printf $hp "$1")/nr_hugepages"; }
saved=$(for n in 0 1 2 3; do echo "$n $(pool $n)"; done)
mnt=$T/huge
mounted=
cleanup() {
	[ -e "$T/wl.o/pid" ] && wl_stop o
	rm -f "$mnt/fits"
	[ -n "$mounted" ] && umount "$mnt"
	echo "$saved" | while read -r n v; do setpool "$n" "$v"; done
}
trap cleanup EXIT
# FITS of the dry run's row FROM -> TO (raw output)
fits() { awk -v f="$1" -v t="$2" '$1 == f && $2 == t {print $5}' "$T/out"; }

setpool 0 4
setpool 1 0
setpool 2 4
setpool 3 0
mkdir -p "$mnt"
mount -t hugetlbfs -o mode=1777 none "$mnt" || fail "cannot mount hugetlbfs on $mnt"
mounted=1
ob_start o --file "$mnt/fits" --size 16M --node 0 --stride 2
wl_report o
ob_assert_on o touched 0
assert_eq "$(ob_count o touched)" 2 "touched huge pages (setup)"

nm move --dry-run -r "$mnt/fits" --to 3
assert_rc 0
assert_eq "$(fits 0 3)" no "FITS of 2 huge pages to node 3, whose pool is empty"
nm move "$mnt/fits" --to 3
assert_rc 1
wl_report o
ob_assert_on o touched 0
ob_assert_checksum o
wl_stop o
rm -f "$T/wl.o/pid" "$mnt/fits"

# 2. Node 3's memory mostly in its pool: P huge pages are 32 MiB more than
# its free memory, and its pool holds at least P.
setpool 2 0
setpool 3 320
h3=$(pool 3)
free3=$(node_free_kb 3)
p=$(( free3 / 2048 + 16 ))
note "node 3: $h3 huge pages in its pool, ${free3} kB free; moving $p huge pages ($((p * 2)) MiB)"
assert_le "$p" "$h3" "huge pages to move within node 3's pool (setup)"
setpool 0 $((p + 4))
assert_ge "$(pool 0)" "$p" "node 0's pool (setup)"
ob_start o --file "$mnt/fits" --size $((p * 4))M --node 0
wl_report o
ob_assert_on o touched 0
assert_eq "$(ob_count o touched)" "$p" "touched huge pages (setup)"
assert_ge "$(( p * 2048 ))" "$(( $(node_free_kb 3) + 1 ))" "the huge pages' size exceeds node 3's free memory (setup)"

nm move --dry-run -r "$mnt/fits" --to 3
assert_rc 0
assert_eq "$(fits 0 3)" yes "FITS of $p huge pages to node 3, whose pool has $h3 (more than its free memory)"
# The real move is not refused either, and moves them all to node 3 with
# their data. (-j 1: with two workers, the huge pages past the first 64 MiB
# slice stay behind, busy, a defect of its own.)
nm move "$mnt/fits" --to 3 -j 1
assert_rc 0
wl_report o
ob_assert_on o touched 3
ob_assert_checksum o
