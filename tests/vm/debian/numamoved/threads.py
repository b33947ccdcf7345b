#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# threads.py DIR: a process whose threads report their own CPU affinity, for
# the pin case (53-numamoved-pin): a new thread with CPUs of its own choosing
# must be corrected by the pin, as the thread itself sees it.
#
# Writes DIR/ready ("pid PID") once running. On SIGUSR1 it starts a thread
# that sets its own affinity to the CPUs listed in DIR/cpus ("0" or "0,1")
# and then, every 0.2 s, writes "tid TID cpus LIST" (sched_getaffinity of
# itself) to DIR/thread.TID; its tid is appended to DIR/threads. The main
# thread writes its own line to DIR/thread.main the same way. Runs until
# killed.
import os
import signal
import sys
import threading
import time

d = sys.argv[1]


def put(name, text):
    tmp = os.path.join(d, "." + name)
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, os.path.join(d, name))


def cpus():
    return ",".join(str(c) for c in sorted(os.sched_getaffinity(0)))


def worker():
    tid = threading.get_native_id()
    with open(os.path.join(d, "cpus")) as f:
        want = {int(c) for c in f.read().strip().split(",")}
    os.sched_setaffinity(0, want)  # 0: this thread
    with open(os.path.join(d, "threads"), "a") as f:
        f.write("%d\n" % tid)
    while True:
        put("thread.%d" % tid, "tid %d cpus %s\n" % (tid, cpus()))
        time.sleep(0.2)


pending = []
signal.signal(signal.SIGUSR1, lambda s, f: pending.append(1))
put("ready", "pid %d\n" % os.getpid())
while True:
    while pending:
        pending.pop()
        threading.Thread(target=worker, daemon=True).start()
    put("thread.main", "tid %d cpus %s\n" % (threading.get_native_id(), cpus()))
    time.sleep(0.2)
