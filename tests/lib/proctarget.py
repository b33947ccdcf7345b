# SPDX-License-Identifier: GPL-2.0-or-later
"""
What the host tests read about a target process, from /proc and from the
target itself, not from numamove: shared by tests/host/kill.py and
tests/daemon/checks.py. A script imports it by its own path:

    sys.dont_write_bytecode = True   # nothing written into the clone
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
    import proctarget

  held_threads(pid)       the threads that are traced or stopped ("" list: none)
  wait_free(pid, limit)   until no thread is held (True) or limit seconds pass
  untouched(pid)          (ok, why): running or sleeping, no thread held
  parse_soak(line)        poltarget --soak's result line, by field name
  soak_clean(fields, n)   (ok, why): at least n rounds and no anomaly
  Soak(poltarget)         a poltarget --soak in a directory of its own:
                          .ready(), .pid, .alive(), .stop(), .log_tail(),
                          .close()
"""
import os
import shutil
import subprocess
import tempfile
import time


def _status(path):
    """The fields of a /proc status file, as key -> value (stripped)."""
    with open(path) as f:
        return {k: v.strip() for k, _, v in (l.partition(':') for l in f.read().splitlines())}


def held_threads(pid):
    """The threads of @pid that are traced (TracerPid not 0) or stopped (State t or T), as /proc says:
    one 'thread TID state S tracer P' string each; [] when none is (or the process is gone)."""
    held = []
    try:
        tids = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return held
    for tid in tids:
        try:
            st = _status('/proc/%d/task/%s/status' % (pid, tid))
        except OSError:
            continue        # the thread ended meanwhile
        state = st.get('State', '?').split()[0:1] or ['?']
        tracer = st.get('TracerPid', '0')
        if state[0] in ('t', 'T') or tracer != '0':
            held.append('thread %s state %s tracer %s' % (tid, state[0], tracer))
    return held


def wait_free(pid, limit=10.0):
    """Waits until no thread of @pid is held; False if one still is after @limit seconds."""
    end = time.monotonic() + limit
    while True:
        if not held_threads(pid):
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.02)


def untouched(pid):
    """(ok, why): @pid is running or sleeping (State R or S) and none of its threads is traced or
    stopped: what a target must be after anything numamove or numamoved did to it."""
    try:
        st = _status('/proc/%d/status' % pid)
    except OSError as e:
        return False, 'no /proc/%d/status: %s' % (pid, e.strerror)
    held = held_threads(pid)
    state = st.get('State', '?')
    ok = state.split()[0:1] in (['R'], ['S']) and not held
    return ok, 'State %s, TracerPid %s%s' % (state, st.get('TracerPid', '?'),
                                              '; ' + ', '.join(held[:3]) if held else '')


# The counters of poltarget --soak that must be 0 (tests/vm/poltarget.c).
SOAK_ANOMALIES = ('errors', 'eintr', 'short_sleeps', 'seq_errors')


def parse_soak(line):
    """poltarget --soak's result line ("soak rounds R errors E eintr I ... eintr_in nanosleep:0,read:0,...")
    as a dict of its fields by name: numbers as ints, eintr_in as a dict of call -> count.
    None when @line is no soak line (or a pair is broken)."""
    w = (line or '').split()
    if not w or w[0] != 'soak' or len(w) % 2 != 1:
        return None
    fields = {}
    for key, val in zip(w[1::2], w[2::2]):
        try:
            if key == 'eintr_in':
                fields[key] = {c: int(n) for c, _, n in (p.partition(':') for p in val.split(',') if p)}
            else:
                fields[key] = int(val)
        except ValueError:
            return None
    return fields


def soak_clean(fields, min_rounds=10):
    """(ok, why) of a parsed soak line: at least @min_rounds rounds of data checks, and every anomaly
    counter (SOAK_ANOMALIES) present and 0."""
    if fields is None:
        return False, 'no soak line'
    missing = [k for k in ('rounds',) + SOAK_ANOMALIES if k not in fields]
    if missing:
        return False, 'the soak line lacks %s' % ', '.join(missing)
    if fields['rounds'] < min_rounds:
        return False, 'only %d rounds of data checks ran' % fields['rounds']
    bad = ['%s %d' % (k, fields[k]) for k in SOAK_ANOMALIES if fields[k] != 0]
    if bad:
        where = ','.join('%s:%d' % kv for kv in sorted(fields.get('eintr_in', {}).items()) if kv[1])
        return False, ', '.join(bad) + (' (EINTR in %s)' % where if where else '')
    return True, '%d rounds, 0 %s' % (fields['rounds'], ', 0 '.join(SOAK_ANOMALIES))


class Soak:
    """poltarget --soak [@args] (its control directory and log in a temporary directory of their own,
    removed by close())."""

    def __init__(self, poltarget, args=()):
        self.dir = tempfile.mkdtemp(prefix='poltarget.')
        self.ctl = os.path.join(self.dir, 'ctl')
        os.mkdir(self.ctl)
        self.log = os.path.join(self.dir, 'log')
        with open(self.log, 'w') as log:
            self.proc = subprocess.Popen([poltarget, '--ctl', self.ctl, '--soak'] + list(args),
                                         stdout=log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        self.line = ''

    def ready(self, limit=30.0):
        """Waits for its ready file; False if it died or did not start within @limit seconds."""
        end = time.monotonic() + limit
        while time.monotonic() < end and self.alive():
            if os.path.exists(os.path.join(self.ctl, 'ready')):
                return True
            time.sleep(0.05)
        return os.path.exists(os.path.join(self.ctl, 'ready')) and self.alive()

    def alive(self):
        return self.proc.poll() is None

    def log_tail(self, n=3):
        try:
            with open(self.log) as f:
                return ' '.join(f.read().splitlines()[-n:])
        except OSError:
            return ''

    def stop(self, limit=60.0):
        """Tells it to stop (if alive) and waits: (exit status or None if it did not end, parsed soak
        line or None). The raw line is left in .line."""
        if self.alive():
            with open(os.path.join(self.ctl, 'cmd'), 'w') as f:
                f.write('stop\n')
        try:
            rc = self.proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            rc = None
        try:
            with open(os.path.join(self.ctl, 'result')) as f:
                self.line = next((l.strip() for l in f if l.startswith('soak ')), '')
        except OSError:
            self.line = ''
        return rc, parse_soak(self.line)

    def close(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
