#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kills.py ROUNDS [ACTION...]: numamoved stopped and killed by systemd at
# random instants of its jobs (case 53-numamoved-kills; issue 16, part 1).
#
# The target is poltarget --soak (its own checks of its data, sleeps, pipe
# and epoll_wait). Each round: the daemon up, the target's threads back to
# the default policy (numamove policy --set default, so that the move sets
# its stay policy in every thread: ptrace, from the daemon's helper
# process), a Move of the target to the next node through the bus, and at a
# random instant within a move's usual span (measured first) one ACTION:
#   restart    systemctl restart numamoved.service
#   stop       systemctl stop numamoved.service
#   kill-all   systemctl kill --signal=SIGKILL: every process of the unit's
#              cgroup, the helper that traces the target included
#   kill-main  systemctl kill --kill-whom=main --signal=SIGKILL: the daemon
#              only (its helper outlives it until the call in flight ends)
# (default: all four, ROUNDS times each, interleaved). After each: the
# target alive and, within 10 s, none of its threads traced or stopped
# (/proc), the unit's cgroup empty of the killed daemon's processes, and
# systemctl done in less than 20 s (a stop that had to wait for
# TimeoutStopSec would take 90). At the end the target's own counters are
# all 0 and it exits 0.
#
# Prints "# ..." lines (what each round hit: the job's State and Phase, and
# whether the helper was alive, read just before the action) and
# "result ok" or "result fail: WHY"; exit status 0 or 1.
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

import dbus

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from proctarget import Soak, held_threads, soak_clean, wait_free  # noqa: E402

UNIT = 'numamoved.service'
BUS = 'org.numamove.numamoved1'
ROOT = '/org/numamove/numamoved1'
SYSTEMCTL = '/usr/bin/systemctl'
NM = os.environ.get('NUMAMOVE', '/usr/bin/numamove')
ACTIONS = {
    'restart': [SYSTEMCTL, 'restart', UNIT],
    'stop': [SYSTEMCTL, 'stop', UNIT],
    'kill-all': [SYSTEMCTL, 'kill', '--signal=SIGKILL', UNIT],
    'kill-main': [SYSTEMCTL, 'kill', '--kill-whom=main', '--signal=SIGKILL', UNIT],
}
FINAL = ('done', 'failed', 'cancelled', 'interrupted')
QUIET = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def say(text):
    print('# ' + text, flush=True)


def show(prop):
    return subprocess.run([SYSTEMCTL, 'show', '-P', prop, UNIT], capture_output=True, text=True).stdout.strip()


def cgroup_procs():
    cg = show('ControlGroup')
    if not cg:
        return []
    try:
        with open('/sys/fs/cgroup%s/cgroup.procs' % cg) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def up(limit=30):
    """The daemon active, its name on the bus (started if need be)."""
    subprocess.run([SYSTEMCTL, 'start', UNIT], **QUIET)
    bus = dbus.SystemBus()
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if show('ActiveState') == 'active' and bus.name_has_owner(BUS):
            return True
        time.sleep(0.1)
    return False


def job_props(path):
    o = dbus.SystemBus().get_object(BUS, path)
    return dbus.Interface(o, 'org.freedesktop.DBus.Properties').GetAll(BUS + '.Job', timeout=5)


def move(pid, node):
    m = dbus.Interface(dbus.SystemBus().get_object(BUS, ROOT), BUS + '.Manager')
    fd = os.pidfd_open(pid)
    try:
        return str(m.Move([('pidfd', dbus.types.UnixFd(fd))], {'to': str(node)}, timeout=30))
    finally:
        os.close(fd)


def reset(pid):
    # The stay policy is set only in threads with the default one.
    subprocess.run([NM, 'policy', str(pid), '--set', 'default'], **QUIET)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    actions = sys.argv[2:] or ['restart', 'stop', 'kill-all', 'kill-main']
    for a in actions:
        if a not in ACTIONS:
            print('result fail: no action %s' % a)
            return 1
    pt = shutil.which(os.environ.get('PT', 'poltarget'))
    nodes = subprocess.run([NM, 'nodes', '-r', '-n', '-o', 'NODE'], capture_output=True, text=True).stdout.split()
    if not pt or len(nodes) < 2:
        print('result fail: no poltarget (%s) or fewer than 2 nodes (%s)' % (pt, nodes))
        return 1
    say('numamoved.service: KillMode %s, TimeoutStopUSec %s, Restart %s' %
        (show('KillMode'), show('TimeoutStopUSec'), show('Restart')))
    target = Soak(pt, ['--hold', os.environ.get('HOLD_MIB', '4')])
    try:
        return run(target, nodes, rounds, actions)
    finally:
        target.close()


def run(target, nodes, rounds, actions):
    pid = target.pid
    if not target.ready(60):
        print('result fail: poltarget did not start: ' + target.log_tail())
        return 1
    if not up():
        print('result fail: numamoved did not start (ActiveState %s)' % show('ActiveState'))
        return 1
    say('target: poltarget --soak, pid %d, %d threads' % (pid, len(os.listdir('/proc/%d/task' % pid))))
    turn = [0]

    def next_node():
        turn[0] += 1
        return nodes[turn[0] % len(nodes)]

    # How long a move's job is busy before its pages move (the phases up to
    # "rebind": the daemon's helper traces the target then), from the call:
    # the actions fall within it.
    spans, windows = [], []
    for _ in range(3):
        reset(pid)
        t = time.monotonic()
        job = move(pid, next_node())
        early = 0.0
        while True:
            p = job_props(job)
            if p['State'] in FINAL:
                break
            if p['Phase'] in ('', 'start', 'rebind'):
                early = time.monotonic() - t
            time.sleep(0.02)
        spans.append(time.monotonic() - t)
        windows.append(early)
    span = statistics.median(windows) or statistics.median(spans)
    say('a move takes %s ms, up to the end of its rebind phase %s ms: the actions fall within 0-%.0f ms' %
        ('/'.join('%.0f' % (s * 1000) for s in spans), '/'.join('%.0f' % (s * 1000) for s in windows), span * 1000))

    plan = [a for _ in range(rounds) for a in actions]
    hit = {a: [0, 0, 0] for a in actions}      # rounds, with the job running, with a helper alive
    for i, action in enumerate(plan):
        what = '%s %d' % (action, i // len(actions) + 1)
        if not up():
            print('result fail: before %s: numamoved does not come back (ActiveState %s)' % (what, show('ActiveState')))
            return 1
        reset(pid)
        daemon = int(show('MainPID') or 0)
        job = move(pid, next_node())
        delay = random.uniform(0, span)
        time.sleep(delay)
        try:
            p = job_props(job)
            state, phase = str(p['State']), str(p['Phase'])
        except dbus.DBusException:
            state = phase = '?'
        procs = cgroup_procs()
        helpers = [x for x in procs if x != daemon]
        t = time.monotonic()
        r = subprocess.run(ACTIONS[action], capture_output=True, text=True, timeout=150)
        took = time.monotonic() - t
        hit[action][0] += 1
        hit[action][1] += state == 'running'
        hit[action][2] += bool(helpers)
        free = wait_free(pid, 10)
        say('%s: %.0f ms into the job (State %s, Phase %s), helper %s; systemctl %s %.1f s' %
            (what, delay * 1000, state, phase, helpers or 'none', 'exit %d' % r.returncode if r.returncode else 'ok',
             took))
        if r.returncode != 0:
            print('result fail: %s: %s: %s' % (what, ' '.join(ACTIONS[action]), r.stderr.strip()))
            return 1
        if not target.alive():
            print('result fail: %s: the target died (exit %s; %s)' % (what, target.proc.returncode, target.log_tail()))
            return 1
        if not free:
            print('result fail: %s: the target is held: %s' % (what, ', '.join(held_threads(pid)[:3])))
            return 1
        if took > 5:
            j = subprocess.run(['/usr/bin/journalctl', '-b', '-u', UNIT, '--no-pager', '-o', 'short-monotonic',
                                '-n', '12'], capture_output=True, text=True).stdout
            say('systemctl took %.1f s; the unit\'s journal:\n#   %s' % (took, j.strip().replace('\n', '\n#   ')))
        if took > 20:
            print('result fail: %s: systemctl took %.0f s (a stop that waited for TimeoutStopSec?)' % (what, took))
            return 1
        # Nothing of the killed daemon lingers: its helper ends with the call in flight.
        end = time.monotonic() + 10
        while True:
            now = cgroup_procs()
            left = [x for x in procs if x in now]
            if not left or time.monotonic() > end:
                break
            time.sleep(0.1)
        if left:
            print('result fail: %s: processes of the killed daemon left: %s' % (what, left))
            return 1
    say('actions: ' + '; '.join('%s %d (job running at %d, helper alive at %d)' % (a, *hit[a]) for a in actions))
    rc, fields = target.stop()
    say(target.line)
    ok, why = soak_clean(fields, 10)
    if not ok or rc != 0:
        print('result fail: the target\'s own checks: %s; exit %s' % (why, rc))
        return 1
    print('result ok: the target survived %d actions, never left held; its own checks: %s' % (len(plan), why))
    return 0


if __name__ == '__main__':
    sys.exit(main())
