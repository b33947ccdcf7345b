#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
What numamoved's watching of placements costs readers (issue 14's overhead
goal: under 5% slower). Reads 10,000 small files (100 directories of 100
files of 4 KiB) in three conditions, alternating, several rounds:
  stopped   numamoved not running
  running   numamoved running, keeping a placement elsewhere (a placed
            directory and file outside the tree read): the tree has no mark
  placed    the tree read is itself placed (scope tree): every read is an
            event and brings a check of its file
each cold (the files' pages dropped with posix_fadvise DONTNEED first: only
these files, not the machine's cache) and warm. Prints the median time per
condition and the daemon's CPU time while the reader ran.

usage (root): NUMAMOVED=build/daemon/numamoved bench/placements.py [ROUNDS]
The daemon runs on a private bus (dbus-daemon), as in tests/daemon.
"""
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import dbus

NAME = 'org.numamove.numamoved1'
ROOT = '/org/numamove/numamoved1'
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
nmd = os.path.abspath(os.environ.get('NUMAMOVED', 'build/daemon/numamoved'))
tmp = tempfile.mkdtemp(prefix='nmd-bench-', dir='/var/tmp')
tree = os.path.join(tmp, 'tree')
elsewhere = os.path.join(tmp, 'elsewhere')
files = []
for d in range(100):
    os.makedirs(os.path.join(tree, 'd%02d' % d))
    for f in range(100):
        p = os.path.join(tree, 'd%02d' % d, 'f%02d' % f)
        with open(p, 'wb') as fh:
            fh.write(os.urandom(4096))
        files.append(p)
os.sync()  # dirty pages would stay cached through POSIX_FADV_DONTNEED
os.makedirs(elsewhere)
with open(os.path.join(elsewhere, 'big'), 'wb') as fh:
    fh.write(os.urandom(1 << 20))

conf = os.path.join(tmp, 'bus.conf')
with open(conf, 'w') as fh:
    fh.write('''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:path=%s/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow send_destination="*" eavesdrop="true"/>
<allow eavesdrop="true"/><allow own="*"/></policy></busconfig>
''' % tmp)
bus = subprocess.Popen(['dbus-daemon', '--config-file=' + conf, '--nofork'], stdout=subprocess.DEVNULL)
for _ in range(50):
    if os.path.exists(os.path.join(tmp, 'bus')):
        break
    time.sleep(0.1)
os.environ['DBUS_SESSION_BUS_ADDRESS'] = 'unix:path=%s/bus' % tmp
daemon = None


def start():
    global daemon
    log = open(os.path.join(tmp, 'log'), 'a')
    daemon = subprocess.Popen([nmd, '-c', '/dev/null', '-s', os.path.join(tmp, 'state')],
                              env=dict(os.environ, NUMAMOVED_BUS='session'), stdout=log, stderr=log)
    b = dbus.SessionBus()
    for _ in range(100):
        if b.name_has_owner(NAME):
            return dbus.Interface(b.get_object(NAME, ROOT), NAME + '.Manager')
        time.sleep(0.05)
    raise SystemExit('numamoved did not start')


def stop():
    global daemon
    if daemon:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(30)
        daemon = None


def cpu():
    if not daemon:
        return 0.0
    f = open('/proc/%d/stat' % daemon.pid).read().rsplit(')', 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf('SC_CLK_TCK')


def read_all(cold):
    """One pass cold, or the best of 5 warm passes (the machine is shared: the best is the least disturbed)."""
    if cold:
        for p in files:
            fd = os.open(p, os.O_RDONLY)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)
    c0 = cpu()
    t = None
    for _ in range(1 if cold else 5):
        t0 = time.perf_counter()
        for p in files:
            fd = os.open(p, os.O_RDONLY)
            os.read(fd, 8192)
            os.close(fd)
        t = min(t, time.perf_counter() - t0) if t else time.perf_counter() - t0
    time.sleep(1.5)  # the daemon's checks of those reads, counted to it
    return t, cpu() - c0


results = {}
try:
    for r in range(rounds):
        for cond in ('stopped', 'running', 'placed'):
            m = None
            if cond != 'stopped':
                m = start()
                m.Place([elsewhere, os.path.join(elsewhere, 'big')], 'bind:0', {})
                if cond == 'placed':
                    m.Place([tree], 'bind:0', {})
                time.sleep(1)
            for cold in (True, False):
                t, c = read_all(cold)
                results.setdefault((cond, cold), []).append((t, c))
            if m:
                m.Clear([tree, elsewhere, os.path.join(elsewhere, 'big')])
            stop()
finally:
    stop()
    bus.terminate()
    bus.wait()
print('reading %d files of 4 KiB, %d rounds; per condition the median and the minimum over the rounds, and the '
      'daemon\'s CPU time while and 1.5 s after (median):' % (len(files), rounds))
for cold in (True, False):
    base = statistics.median(t for t, c in results[('stopped', cold)])
    bmin = min(t for t, c in results[('stopped', cold)])
    for cond in ('stopped', 'running', 'placed'):
        ts = [t for t, c in results[(cond, cold)]]
        cs = [c for t, c in results[(cond, cold)]]
        print('  %-4s %-8s median %7.1f ms %+6.1f%%   min %7.1f ms %+6.1f%%   daemon CPU %6.0f ms' % (
            'cold' if cold else 'warm', cond, statistics.median(ts) * 1000, (statistics.median(ts) / base - 1) * 100,
            min(ts) * 1000, (min(ts) / bmin - 1) * 100, statistics.median(cs) * 1000))
shutil.rmtree(tmp)
