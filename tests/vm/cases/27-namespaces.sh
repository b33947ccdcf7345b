# Processes in other namespaces (containers) with --with-shared.
# IPC: a SysV mapping names the segment by its id in the process's IPC
# namespace. A process in another one, mapping its own segment with the
# same id as ours, is no reason to move ours: it is skipped, said so, and
# show --pids lists only the processes of our namespace.
# Mount: a file that a process maps under a path of its own mount
# namespace gets --policy through the file numamove holds (the path names
# nothing here).
ob_start s --shm 8M --node 0
id=$(ob_ready s shmid)
cat > "$T/owner-ipc" <<EOS
#!/bin/sh
# the segment of the new namespace gets id $id too
exec unshare -i sh -c 'echo $id > /proc/sys/kernel/shm_next_id && exec owner "\$@"' owner "\$@"
EOS
chmod +x "$T/owner-ipc"
WORKLOAD=$T/owner-ipc wl_start c --shm 8M --node 0
assert_eq "$(ob_ready c shmid)" "$id" "the other namespace's segment id (setup)"
ns_self=$(stat -L -c %i /proc/self/ns/ipc)
ns_c=$(stat -L -c %i /proc/"$(wl_pid c)"/ns/ipc)
[ "$ns_self" != "$ns_c" ] || fail "owner c is in our IPC namespace (setup)"

nm show -J -b --shm "$id" --pids
assert_rc 0
l=$(nm_json_object "shm:$id")
assert_eq "$(jval "$l" pids)" "$(wl_pid s)" "show --pids: only the process of our namespace"

nm move "$(wl_pid c)" --with-shared --to 2 --memory-only
assert_rc 0
grep -q 'skipped: a SysV segment of another IPC namespace' "$T/err" ||
	fail "no word of the segment of another IPC namespace"
grep -q "shm:$id" "$T/out" && fail "our segment shm:$id was moved for a process of another namespace"
wl_report s
ob_assert_on s touched 0
# c's own segment: its pages, mapped by c alone, moved with the process
wl_report c
ob_assert_on c touched 2

# Mount: /mnt/ct is a tmpfs in the owner's own mount namespace only.
mkdir -p /mnt/ct
cat > "$T/owner-mnt" <<'EOS'
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount -t tmpfs ct /mnt/ct && exec owner "$@"' owner "$@"
EOS
chmod +x "$T/owner-mnt"
WORKLOAD=$T/owner-mnt wl_start m --file /mnt/ct/buf --size 8M --node 0
[ -e /mnt/ct/buf ] && fail "/mnt/ct/buf is visible here (setup: not a mount namespace of its own)"
wl_report m
res=$(ob_resident m)
nm move "$(wl_pid m)" --with-shared --to 2 --memory-only --policy bind
assert_rc 0
grep -q '/mnt/ct/buf (tmpfs): policy default -> bind:2' "$T/out" || fail "no line 'policy default -> bind:2' for /mnt/ct/buf"
wl_report m
ob_assert_on m touched 2
ob_assert_checksum m
assert_eq "$(ob_resident m)" "$res" "resident pages after the move (holes must stay holes)"
wl_next m
wl_report m
ob_assert_on m later 2
