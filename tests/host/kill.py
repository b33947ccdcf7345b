#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Kill safety (issue 16, part 1): numamove killed with SIGKILL at a random
instant while it changes a running process's policies never hurts that
process.

The target is poltarget --soak (tests/vm/poltarget.c): its threads fill and
verify fresh buffers, time 2 ms sleeps, read a byte sequence from a pipe,
wait in epoll_wait, fork a child every 10 ms, fill a SysV segment and a tmpfs
file and verify 16 MiB kept (--keep 16), and count every anomaly themselves. Against it, KILLS
runs of numamove: policy changes, and moves (whose stay policy is set the
same way, by running set_mempolicy(2) in the target's threads), each killed
with SIGKILL (every other one with its whole process group) at a random
instant within its usual run time (measured first:
on this machine a run takes milliseconds, and a kill after it ended tests
nothing). After each kill, from /proc, not from numamove: the target is
alive, and within 10 s none of its threads is traced (TracerPid 0) or
stopped (State t or T). At the end the target still takes a policy change
(as the kernel shows it), its own counters (data errors, EINTR, short
sleeps, sequence errors) are all 0, and it exits 0.

KILL_HELPER=1 kills numamove's ptrace helper (its child process, a process
group of its own) together with it, as a SIGKILL of a whole cgroup
(systemctl kill) or the OOM killer (every process that shares the memory)
would. Not part of scripts/test.sh: a helper killed inside an injected call
leaves that thread in the vDSO with the call's registers, and the target
dies (SIGSEGV or SIGBUS) within a few dozen kills today.

Needs root (to trace); one NUMA node is enough. Prints PASS/FAIL/SKIP lines
and ends with "kill: N passed, N failed, N skipped".
usage: NUMAMOVE=build/cli/numamove POLTARGET=build/tests/vm/poltarget KILLS=300 [KILL_HELPER=1] tests/host/kill.py
"""
import os
import random
import signal
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True      # nothing written into the clone
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from proctarget import Soak, held_threads, soak_clean, wait_free  # noqa: E402

env = os.environ
NM = env.get('NUMAMOVE', 'build/cli/numamove')
PT = env.get('POLTARGET', 'build/tests/vm/poltarget')
KILLS = int(env.get('KILLS', '300'))
WITH_HELPER = env.get('KILL_HELPER') == '1'
NAME = env.get('PART', 'kill')
counts = {'passed': 0, 'failed': 0, 'skipped': 0}


def report(kind, name, why=''):
    print('%s: %s%s' % (kind.upper(), name, ' (%s)' % why if why else ''), flush=True)
    counts[{'pass': 'passed', 'fail': 'failed', 'skip': 'skipped'}[kind]] += 1


def finish():
    print('%s: %d passed, %d failed, %d skipped' % (NAME, counts['passed'], counts['failed'], counts['skipped']))
    sys.exit(1 if counts['failed'] else 0)


def children(ppid):
    """Live processes whose parent is @ppid (numamove's helper is its child); only pids above it."""
    found = []
    for d in os.listdir('/proc'):
        if not d.isdigit() or int(d) <= ppid:
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                st = f.read()
            if int(st[st.rindex(')') + 2:].split()[1]) == ppid:
                found.append(int(d))
        except (OSError, ValueError, IndexError):
            pass
    return found


def stray_helpers():
    """Live processes running our numamove (a killed one's helper lives on as one)."""
    exe = os.path.realpath(NM)
    found = []
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            if os.readlink('/proc/%s/exe' % d) == exe:
                found.append(int(d))
        except OSError:
            pass
    return found


def main():
    if not os.access(NM, os.X_OK) or not os.access(PT, os.X_OK):
        report('fail', 'kill safety', '%s or %s is not built' % (NM, PT))
        finish()
    if os.geteuid() != 0:
        report('skip', 'kill safety', 'needs root to trace the target')
        finish()
    out = subprocess.run([NM, 'nodes', '-r', '-n', '-o', 'NODE'], capture_output=True, text=True)
    node = out.stdout.split()[0] if out.returncode == 0 and out.stdout.split() else None
    if node is None:
        report('fail', 'kill safety', 'numamove nodes lists no node: ' + out.stderr.strip())
        finish()

    # --keep 16: also a thread forking children all the while (their SIGCHLD while threads are
    # held), a SysV segment and a tmpfs file, and 16 MiB verified over and over.
    target = Soak(PT, ['--keep', '16'])
    try:
        run(target, node)
    finally:
        target.close()
    finish()


def nm_args(i, pid, node):
    kinds = [['policy', str(pid), '--set', 'bind:' + node],
             ['policy', str(pid), '--set', 'interleave:' + node],
             ['move', str(pid), '--to', node],
             ['policy', str(pid), '--set', 'preferred:' + node],
             ['move', str(pid), '--to', node],
             ['policy', str(pid), '--set', 'default']]
    return kinds[i % len(kinds)]


def run(target, node):
    pid = target.pid
    if not target.ready():
        report('fail', 'kill safety', 'poltarget did not start: ' + target.log_tail())
        return
    nthreads = len(os.listdir('/proc/%d/task' % pid))
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def prepare(args):
        # A move sets its stay policy only in threads with the default one.
        if args[0] == 'move':
            subprocess.run([NM, 'policy', str(pid), '--set', 'default'], **quiet)

    # How long a run takes here, uninterrupted: the kills fall within it.
    durations = []
    for i in range(12):
        args = nm_args(i, pid, node)
        prepare(args)
        t = time.monotonic()
        subprocess.run([NM] + args, **quiet)
        durations.append(time.monotonic() - t)
    span = statistics.median(durations)
    print('# target: poltarget --soak, pid %d, %d threads; %d kills within 0-%.1f ms of the start '
          '(the median run)' % (pid, nthreads, KILLS, span * 1000), flush=True)

    landed = with_helper = 0
    dead = stuck = None
    for i in range(KILLS):
        args = nm_args(i, pid, node)
        prepare(args)
        # Every other numamove leads a process group of its own and the
        # whole group is killed, as timeout(1) or a shell would.
        group = i % 2 == 1
        proc = subprocess.Popen([NM] + args, start_new_session=group, **quiet)
        deadline = time.monotonic() + random.uniform(0, span)
        helpers = []
        if WITH_HELPER:
            # Its helper, looked for until the kill, goes with it.
            while time.monotonic() < deadline:
                helpers = helpers or children(proc.pid)
            helpers = helpers or children(proc.pid)
        else:
            time.sleep(max(0.0, deadline - time.monotonic()))
        if group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.send_signal(signal.SIGKILL)
        for h in helpers:
            try:
                os.kill(h, signal.SIGKILL)
            except ProcessLookupError:
                pass
        with_helper += bool(helpers)
        if proc.wait() == -signal.SIGKILL:
            landed += 1
        what = 'after kill %d (numamove %s%s)' % (i + 1, ' '.join(args), ', its helper too' if helpers else '')
        free = wait_free(pid)
        if WITH_HELPER:
            # A thread let go in the vDSO faults a moment after it is free.
            time.sleep(0.05)
        if not target.alive():
            dead = what
            break
        if not free:
            stuck = '%s: %s' % (what, ', '.join(held_threads(pid)[:3]))
            break
    print('# %d of %d kills landed while numamove ran%s' %
          (landed, i + 1, ', %d with its helper killed too' % with_helper if WITH_HELPER else ''), flush=True)
    if dead:
        report('fail', 'the target survives every kill',
               'poltarget died %s: exit %s %s' % (dead, target.proc.returncode, target.log_tail()))
        return
    report('pass', 'the target survives %d kills of numamove at random instants' % KILLS)
    if stuck:
        report('fail', 'no thread is left traced or stopped', stuck)
        return
    report('pass', 'no thread of the target is left traced or stopped (TracerPid 0, State not t/T)')
    # Nor does a helper of a killed numamove linger (one that let the threads
    # go but then hung would pass the checks above).
    end = time.monotonic() + 10
    while stray_helpers() and time.monotonic() < end:
        time.sleep(0.1)
    left = stray_helpers()
    if left:
        report('fail', 'no helper of a killed numamove lingers', 'pids %s' % left[:5])
    else:
        report('pass', 'no helper of a killed numamove lingers')
    # Kills that land after numamove ended test nothing: a good share must not.
    if landed >= KILLS // 4:
        report('pass', 'a quarter of the kills or more landed while numamove ran (%d of %d)' % (landed, KILLS))
    else:
        report('fail', 'a quarter of the kills or more landed while numamove ran', 'only %d of %d' % (landed, KILLS))

    r = subprocess.run([NM, 'policy', str(pid), '--set', 'bind:' + node], capture_output=True, text=True)
    with open('/proc/%d/numa_maps' % pid) as f:
        first = f.readline().split()
    if r.returncode == 0 and len(first) > 1 and first[1] == 'bind:' + node:
        report('pass', 'a policy change after the kills takes effect (numa_maps: bind:%s)' % node)
    else:
        report('fail', 'a policy change after the kills takes effect',
               'exit %d %s; numa_maps: %s' % (r.returncode, r.stderr.strip(), ' '.join(first[:2])))

    rc, fields = target.stop()
    print('# ' + target.line, flush=True)
    ok, why = soak_clean(fields, 10)
    if ok:
        report('pass', 'the target saw nothing: ' + why)
    else:
        report('fail', "the target's own checks", why)
    if rc == 0:
        report('pass', 'the target exits 0')
    else:
        report('fail', 'the target exits 0', 'exit %s' % rc)


if __name__ == '__main__':
    main()
