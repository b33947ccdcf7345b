# topology: any
# timeout: 600
# test-many-threads on the arm64 kernel (as a0-unit): policy changes of a
# process whose 100 threads are blocked in every kind of call while
# children come and go, threads in epoll_wait(2) with a 50 ms timeout
# among them, where arm64 allows a few EINTR (test-many-threads.c,
# eintr_allowed()). Not in arm64/ci.sh's subset: 40 s alone here, 4
# minutes beside another emulated machine; in --all.
unit_in_vm test-many-threads
