# SPDX-License-Identifier: GPL-2.0-or-later
"""
The checks of tests/daemon/host.sh: numamoved driven over a private bus.

What is checked is measured apart from the daemon's word where it can be:
a target keeps running, is neither stopped nor traced, and its data is
intact after a move (the workload checks its own checksum); a restarted
daemon finds what was on disk; the idle daemon's context switches and RSS
come from /proc. On one NUMA node every move goes to node 0, so the
multi-node behaviour is the VM tests' (tests/vm).
"""
import ctypes
import errno
import grp
import json
import mmap
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import xml.etree.ElementTree as ET

import dbus

sys.dont_write_bytecode = True      # nothing written into the clone
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
from proctarget import Soak, held_threads, soak_clean, untouched, wait_free  # noqa: E402

NAME = 'org.numamove.numamoved1'
ROOT = '/org/numamove/numamoved1'
E = NAME + '.Error.'
env = os.environ
counts = {'passed': 0, 'failed': 0, 'skipped': 0}
daemon = None


def check(name, ok, why=''):
    if ok:
        print('PASS: ' + name)
        counts['passed'] += 1
    else:
        print('FAIL: %s (%s)' % (name, why))
        counts['failed'] += 1
    sys.stdout.flush()


def skip(what):
    print('SKIP: ' + what)
    counts['skipped'] += 1
    sys.stdout.flush()


# An ASan build's RSS says nothing about the daemon's own memory.
sanitized = b'__asan' in open(env['NUMAMOVED'], 'rb').read()


def write_conf(text):
    with open(env['CONF'], 'w') as f:
        f.write('admin-group = %s\n%s' % (env['ADMIN_GROUP'], text))


def start():
    global daemon
    log = open(env['LOG'], 'a')
    daemon = subprocess.Popen([env['NUMAMOVED'], '-c', env['CONF'], '-s', env['STATE']],
                              env=dict(env, NUMAMOVED_BUS='session'), stdout=log, stderr=log)
    bus = dbus.SessionBus()
    for _ in range(100):
        if bus.name_has_owner(NAME):
            return
        if daemon.poll() is not None:
            break
        time.sleep(0.05)
    raise SystemExit('numamoved did not come up: ' + open(env['LOG']).read()[-2000:])


def stop(sig=signal.SIGTERM):
    """Stops the daemon; its exit status (a sanitizer's report is 98 or 99)."""
    daemon.send_signal(sig)
    rc = daemon.wait(30)
    bus = dbus.SessionBus()
    for _ in range(50):
        if not bus.name_has_owner(NAME):
            break
        time.sleep(0.05)
    return rc


def manager():
    return dbus.Interface(dbus.SessionBus().get_object(NAME, ROOT), NAME + '.Manager')


def props(path, iface='Job'):
    o = dbus.SessionBus().get_object(NAME, path)
    return dbus.Interface(o, 'org.freedesktop.DBus.Properties').GetAll(NAME + '.' + iface)


def wait_job(path, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        p = props(path)
        if p['State'] not in ('queued', 'held', 'running'):
            return p
        time.sleep(0.02)
    return props(path)


def move(targets, opts):
    """Move(); (path, None) or (None, (error name, message))."""
    try:
        return manager().Move(targets, opts), None
    except dbus.DBusException as e:
        return None, (e.get_dbus_name(), e.get_dbus_message())


def pidfd(pid):
    return dbus.types.UnixFd(os.pidfd_open(pid))


WORKLOAD = textwrap.dedent('''
    import hashlib, os, sys, time
    mib = int(sys.argv[1])
    b = bytearray(os.urandom(1 << 20)) * mib
    digest = hashlib.sha256(b).hexdigest()
    print("ready", flush=True)
    sys.stdin.readline()
    print("intact" if hashlib.sha256(b).hexdigest() == digest else "CORRUPT", flush=True)
    sys.stdin.readline()
''')


def workload(mib=16, uid=None):
    pre = ['setpriv', '--reuid=%d' % uid, '--regid=%d' % uid, '--clear-groups'] if uid else []
    w = subprocess.Popen(pre + ['/usr/bin/python3', '-c', WORKLOAD, str(mib)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    w.stdout.readline()
    return w


def verify(w):
    """The workload's own checksum; then it ends."""
    w.stdin.write('\n')
    w.stdin.flush()
    ans = w.stdout.readline().strip()
    w.stdin.write('\n')
    w.stdin.flush()
    w.wait(10)
    return ans


CLIENT = textwrap.dedent('''
    import dbus, json, os, sys
    targets, opts = json.loads(sys.argv[1])
    t = []
    for kind, v in targets:
        if kind in ('pidfd', 'cgroup-of'):
            t.append((kind, dbus.types.UnixFd(os.pidfd_open(v))))
        elif kind in ('shm', 'shm-key'):
            t.append((kind, dbus.Int32(v)))
        else:
            t.append((kind, v))
    o = {k: (dbus.Boolean(v) if isinstance(v, bool) else v) for k, v in opts.items()}
    m = dbus.Interface(dbus.SessionBus().get_object('org.numamove.numamoved1', '/org/numamove/numamoved1'),
                       'org.numamove.numamoved1.Manager')
    try:
        if sys.argv[2] == 'Reload':
            m.Reload()
            print(json.dumps(['ok', '']))
        else:
            print(json.dumps(['ok', str(getattr(m, sys.argv[2])(t, o))]))
    except dbus.DBusException as e:
        print(json.dumps([e.get_dbus_name(), e.get_dbus_message()]))
''')


def as_uid(uid, targets, opts, method='Move', groups=False):
    """Calls @method as @uid (with the groups the group database gives it when @groups)."""
    gid = grp.getgrnam(env['ADMIN_GROUP']).gr_gid if groups else uid
    g = ['--init-groups'] if groups else ['--clear-groups']
    out = subprocess.run(['setpriv', '--reuid=%d' % uid, '--regid=%d' % gid] + g +
                         ['/usr/bin/python3', '-c', CLIENT, json.dumps([targets, opts]), method],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return ['client failed', out.stderr[-500:]]
    return json.loads(out.stdout)


PCLIENT = textwrap.dedent('''
    import dbus, json, sys
    method, args = sys.argv[1], json.loads(sys.argv[2])
    m = dbus.Interface(dbus.SessionBus().get_object('org.numamove.numamoved1', '/org/numamove/numamoved1'),
                       'org.numamove.numamoved1.Manager')
    if method == 'Place':
        args[2] = {k: (dbus.Boolean(v) if isinstance(v, bool) else v) for k, v in args[2].items()}
    try:
        getattr(m, method)(*args)
        print(json.dumps(['ok', '']))
    except dbus.DBusException as e:
        print(json.dumps([e.get_dbus_name(), e.get_dbus_message()]))
''')


def place_as(uid, method, *args, groups=False):
    """Place or Clear as @uid; ['ok', ''] or [error name, message]."""
    gid = grp.getgrnam(env['ADMIN_GROUP']).gr_gid if groups else uid
    g = ['--init-groups'] if groups else ['--clear-groups']
    out = subprocess.run(['setpriv', '--reuid=%d' % uid, '--regid=%d' % gid] + g +
                         ['/usr/bin/python3', '-c', PCLIENT, method, json.dumps(list(args))],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return ['client failed', out.stderr[-500:]]
    return json.loads(out.stdout)


XATTR = 'user.numamove.placement'


def xattr(path):
    """The placement attribute as the kernel has it (not the daemon's word), or None."""
    try:
        return os.getxattr(path, XATTR).decode()
    except OSError:
        return None


def log_since(mark):
    return open(env['LOG']).read()[mark:]


def wait_log(mark, text, timeout=5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if text in log_since(mark):
            return True
        time.sleep(0.05)
    return False


_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]


def resident(fd):
    """The share of the file open as @fd in the page cache, by mincore(2) of our own mapping of it."""
    size = os.fstat(fd).st_size
    addr = _libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
    assert addr not in (None, ctypes.c_void_p(-1).value), os.strerror(ctypes.get_errno())
    pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    vec = ctypes.create_string_buffer(pages)
    r = _libc.mincore(addr, size, vec)
    _libc.munmap(addr, size)
    assert r == 0, os.strerror(ctypes.get_errno())
    return sum(b & 1 for b in vec.raw[:pages]) / pages


def evicted(fd):
    """Drops the clean pages of the file open as @fd from the page cache; whether they went."""
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    return resident(fd) < 0.05


def evicted_files(paths, size, users):
    """
    @paths written with @size random bytes (those in @users given to uid
    1000), then dropped from the page cache: a descriptor of each, opened
    before the placements the caller makes (so that later reads through it
    bring no event); None when the file system keeps the pages.

    A file in a directory placed already is checked after its writes and
    this open (coalesced over 500 ms); a check that found its pages cached
    just before they were dropped reads them back in. So they are dropped
    again until they stay dropped a second.
    """
    for path in paths:
        with open(path, 'wb') as fh:
            fh.write(os.urandom(size))
        if path in users:
            os.chown(path, 1000, 1000)
    fds = [os.open(path, os.O_RDONLY) for path in paths]
    for _ in range(5):
        if not all(evicted(fd) for fd in fds):
            for fd in fds:
                os.close(fd)
            return None
        time.sleep(1)
        if all(resident(fd) < 0.05 for fd in fds):
            break
    return fds


def read_ahead(m, top, plain):
    """
    Read ahead at open: a file placed with read-ahead is in the page cache
    once an open of it returns, before anything reads it (measured with
    mincore through a descriptor opened before, which brings no event); a
    file placed without it is not; read-ahead-max bounds it. The node is
    the host's one: the Debian case 54-placements checks where the pages
    are born.
    """
    raf = os.path.join(top, 'ra-file')
    with open(raf, 'wb') as fh:
        fh.write(os.urandom(16 << 20))
    keep, keep_plain = os.open(raf, os.O_RDONLY), os.open(plain, os.O_RDONLY)
    try:
        mark = len(open(env['LOG']).read())
        m.Place([raf], 'bind:0', {'read-ahead': True})
        check('a placement that reads ahead: version 2 of the attribute',
              xattr(raf) == 'numamove-placement/2 policy=bind:0 open=read-ahead', xattr(raf))
        if not evicted(keep) or not evicted(keep_plain):
            skip('read ahead at open (the file system keeps the pages: %.0f%%)' % (100 * resident(keep)))
            return
        os.close(os.open(raf, os.O_RDONLY))
        end = time.monotonic() + 5
        while resident(keep) < 0.95 and time.monotonic() < end:
            time.sleep(0.05)
        check('an open of a file placed to read ahead brings its pages in before anything reads it',
              resident(keep) >= 0.95, '%.1f%% resident' % (100 * resident(keep)))
        check('the read ahead is logged with who opened it',
              wait_log(mark, raf + ': opened by %d (' % os.getpid()) and 'read 16.0M ahead under bind:0'
              in log_since(mark), log_since(mark)[-600:])
        os.close(os.open(plain, os.O_RDONLY))
        time.sleep(1)
        check('an open of a file placed without read-ahead reads nothing', resident(keep_plain) < 0.05,
              '%.1f%% resident' % (100 * resident(keep_plain)))
        # read-ahead-max: at most that much of each file.
        write_conf('read-ahead-max = 4M\n')
        m.Reload()
        evicted(keep)
        os.close(os.open(raf, os.O_RDONLY))
        time.sleep(1)
        r = resident(keep)
        check('read-ahead-max bounds what an open reads ahead', 0.2 <= r <= 0.3, '%.1f%% of 16M resident' % (100 * r))
        write_conf('')
        m.Reload()
    finally:
        os.close(keep)
        os.close(keep_plain)
    m.Clear([raf])


def wait_resident(fd, share=0.95, timeout=5):
    """The share of @fd in the page cache, once it reaches @share or after @timeout s."""
    end = time.monotonic() + timeout
    while resident(fd) < share and time.monotonic() < end:
        time.sleep(0.05)
    return resident(fd)


def read_ahead_rules(m, top, userd):
    """
    Who gets read ahead: a directory placed plain, then again with
    read-ahead, reads its files ahead from then on; a user's Place of its
    own file there (the daemon's writer opens it with the user's ids) reads
    nothing ahead; a user's own placement with read-ahead holds no one's
    opens (only root's or the manage action's do).
    """
    d = os.path.join(top, 'ra-dir')
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o777)
    f, uf = os.path.join(d, 'file'), os.path.join(d, 'user-file')
    owned = os.path.join(userd, 'ra-user')
    fds = evicted_files((f, uf, owned), 8 << 20, (uf, owned))
    if not fds:
        skip('read ahead rules (the file system keeps the pages)')
        return
    try:
        m.Place([d], 'bind:0', {})
        os.close(os.open(f, os.O_RDONLY))
        time.sleep(0.5)
        check('a directory placed without read-ahead reads nothing ahead', resident(fds[0]) < 0.05,
              '%.1f%% resident' % (100 * resident(fds[0])))
        m.Place([d], 'bind:0', {'read-ahead': True})
        os.close(os.open(f, os.O_RDONLY))
        check('placed again with read-ahead, its files are read ahead when opened', wait_resident(fds[0]) >= 0.95,
              '%.1f%% resident' % (100 * resident(fds[0])))
        r = place_as(1000, 'Place', [uf], 'bind:0', {})
        time.sleep(0.5)
        check('a user\'s Place in a read-ahead directory: the daemon\'s writer reads nothing ahead',
              r[0] == 'ok' and resident(fds[1]) < 0.05, [r, '%.1f%% resident' % (100 * resident(fds[1]))])
        r = place_as(1000, 'Place', [userd], 'bind:0', {'read-ahead': True})
        os.close(os.open(owned, os.O_RDONLY))
        time.sleep(0.5)
        check('a user\'s own placement with read-ahead holds no open (root or manage only)',
              r[0] == 'ok' and resident(fds[2]) < 0.05, [r, '%.1f%% resident' % (100 * resident(fds[2]))])
        place_as(1000, 'Place', [userd], 'bind:0', {'scope': 'directory'})
    finally:
        for fd in fds:
            os.close(fd)
    m.Clear([d])


def locked_in_memory(m, top, userd):
    """
    Placed files locked in memory: a file placed with lock by root stays in
    the page cache when asked to go (POSIX_FADV_DONTNEED drops what nothing
    locks; measured by mincore through our own descriptor); lock-budget is
    kept: a file that would pass it is not locked, and the log says so; a
    user's placement locks nothing; Clear ends the lock.
    """
    f1, f2 = os.path.join(top, 'lock-1'), os.path.join(top, 'lock-2')
    uf = os.path.join(userd, 'user-lock')
    fds = evicted_files((f1, f2, uf), 16 << 20, (uf,))
    if not fds:
        skip('locked in memory (the file system keeps the pages)')
        return
    try:
        write_conf('lock-budget = 24M\n')
        m.Reload()
        mark = len(open(env['LOG']).read())
        m.Place([f1], 'bind:0', {'lock': True})
        check('a placement that locks: version 2 of the attribute',
              xattr(f1) == 'numamove-placement/2 policy=bind:0 memory=locked', xattr(f1))
        check('root\'s placement locks the file, and says so', wait_log(mark, f1 + ': locked 16.0M in memory under '
              'bind:0: 16.0M locked in all, of lock-budget 24.0M'), log_since(mark)[-600:])
        check('a locked file is all in the page cache', resident(fds[0]) == 1.0, resident(fds[0]))
        check('a locked file stays in the page cache when asked to go', not evicted(fds[0]),
              '%.1f%% resident' % (100 * resident(fds[0])))
        m.Place([f2], 'bind:0', {'lock': True})
        check('lock-budget: a file that would pass it is not locked, and the log says why',
              wait_log(mark, f2 + ': not locked in memory: its 16.0M would pass lock-budget 24.0M (16.0M locked)'),
              log_since(mark)[-600:])
        check('a file over the budget can be evicted', evicted(fds[1]), '%.1f%% resident' % (100 * resident(fds[1])))
        r = place_as(1000, 'Place', [uf], 'bind:0', {'lock': True})
        check('a user\'s placement that locks is kept, not locked, and the log says why', r[0] == 'ok' and
              wait_log(mark, uf + ': its placement asks to lock it in memory, but a user without the manage action '
                       'placed it'), [r, log_since(mark)[-600:]])
        check('a user\'s file is not locked', evicted(fds[2]), '%.1f%% resident' % (100 * resident(fds[2])))
        # Under root's placement that does not lock, a file's own attribute asking for it locks nothing.
        plain = os.path.join(top, 'lock-plain')
        os.makedirs(plain, exist_ok=True)
        own = os.path.join(plain, 'own')
        with open(own, 'wb') as fh:
            fh.write(os.urandom(1 << 20))
        m.Place([plain], 'bind:0', {})
        os.setxattr(own, XATTR, b'numamove-placement/2 policy=bind:0 memory=locked')
        with open(own, 'rb') as fh:
            fh.read()
        check('a file\'s own attribute does not lock it under a placement that does not',
              wait_log(mark, own + ': its placement asks to lock it in memory, but it is the file\'s own') and
              own + ': locked' not in log_since(mark), log_since(mark)[-600:])
        m.Clear([plain])
        m.Clear([f1])
        check('Clear ends the lock, and says so', wait_log(mark, f1 + ': unlocked (its placement no longer locks it)'),
              log_since(mark)[-600:])
        # A check of the file that was running (it maps the file to see its pages) keeps them a moment more.
        gone = False
        for _ in range(30):
            gone = evicted(fds[0])
            if gone:
                break
            time.sleep(0.1)
        check('a file no longer locked can be evicted', gone, '%.1f%% resident' % (100 * resident(fds[0])))
        write_conf('')
        m.Reload()
    finally:
        for fd in fds:
            os.close(fd)
    m.Clear([f2])
    place_as(1000, 'Clear', [uf])


def placements():
    """Placements kept: the API, who may place, the registry across a restart, bad input."""
    write_conf('')  # the broken one of the reload checks would stop a restart
    top = os.path.join(os.path.dirname(env['STATE']), 'place')
    os.makedirs(top, mode=0o755, exist_ok=True)
    rootf = os.path.join(top, 'root-file')
    userd = os.path.join(top, 'user-dir')
    userf = os.path.join(userd, 'user-file')
    gonef = os.path.join(top, 'gone-file')
    corrf = os.path.join(top, 'corrupt-file')
    for f in (rootf, gonef, corrf):
        with open(f, 'wb') as fh:
            fh.write(os.urandom(1 << 20))
        os.chmod(f, 0o644)
    os.makedirs(userd, exist_ok=True)
    with open(userf, 'wb') as fh:
        fh.write(os.urandom(1 << 20))
    for p in (userd, userf):
        os.chown(p, 1000, 1000)
    if xattr(rootf) is None:
        try:
            os.setxattr(rootf, XATTR, b'probe')
            os.removexattr(rootf, XATTR)
        except OSError as e:
            skip('placements (no user.* attributes where the checks run: %s)' % e)
            return
    m = manager()
    policy = 'numamove-placement/1 policy=bind:0'

    # Root places a file: the attribute is on disk, as the kernel reads it; it is listed.
    mark = len(open(env['LOG']).read())
    m.Place([rootf, gonef, corrf], 'bind:0', {'now': True})
    check('root places files through the daemon: the attribute on disk', xattr(rootf) == policy, xattr(rootf))
    lp = [(str(a), str(b), str(c), float(d)) for a, b, c, d in m.ListPlacements()]
    check('ListPlacements lists them, with conformance', (rootf, 'bind:0', 'file', 100.0) in lp, lp)
    check('placing is logged with who', wait_log(mark, 'uid 0 (pid ') and (rootf + ': placed bind:0 by uid 0')
          in log_since(mark), log_since(mark)[-600:])

    # uid 1000: refused root's file (the kernel refuses the attribute; the message names manage); its own works.
    r = place_as(1000, 'Place', [rootf], 'bind:0', {})
    check('uid 1000 may not place root\'s file through the daemon', r[0] == E + 'NotAuthorized' and
          NAME + '.manage' in r[1] and rootf in r[1], r)
    before = xattr(rootf)
    r = place_as(1000, 'Clear', [rootf])
    check('uid 1000 may not clear root\'s placement', r[0] == E + 'NotAuthorized' and xattr(rootf) == before,
          [r, xattr(rootf)])
    r = place_as(1000, 'Place', [userd], 'bind:0', {'scope': 'directory', 'recursive': True})
    check('uid 1000 places its own directory, recursively', r[0] == 'ok' and
          xattr(userd) == policy + ' scope=directory' and xattr(userf) == policy, [r, xattr(userd), xattr(userf)])
    st = os.stat(userf)
    check('the attribute was written with uid 1000\'s rights (the file stays its own)', st.st_uid == 1000,
          st.st_uid)
    # The group rule (no polkitd): a member of admin-group has manage, so the kernel's refusal is overruled.
    admin = int(env['ADMIN_UID'])
    r = place_as(admin, 'Place', [rootf], 'interleave:0', {}, groups=True)
    check('a member of admin-group places root\'s file (manage)', r[0] == 'ok' and
          xattr(rootf) == 'numamove-placement/1 policy=interleave:0', [r, xattr(rootf)])
    m.Place([rootf], 'bind:0', {})

    # Bad input: each a clear error, nothing written.
    bad = [
        ('a bad policy', [rootf], 'sideways', {}, 'org.freedesktop.DBus.Error.InvalidArgs', 'sideways'),
        ('a node that does not exist', [rootf], 'bind:999', {}, E + 'BadNodes', '999'),
        ('relative nodes', [rootf], 'bind=relative:0', {}, 'org.freedesktop.DBus.Error.InvalidArgs', 'relative'),
        ('a relative path', ['etc/hostname'], 'bind:0', {}, E + 'BadTarget', 'absolute'),
        ('a device', ['/dev/null'], 'bind:0', {}, E + 'BadTarget', 'regular files and directories'),
        ('no such file', [top + '/nofile'], 'bind:0', {}, E + 'BadTarget', 'No such file'),
        ('scope of a file', [rootf], 'bind:0', {'scope': 'directory'}, 'org.freedesktop.DBus.Error.InvalidArgs',
         'scope'),
        ('a bad scope', [userd], 'bind:0', {'scope': 'everything'}, 'org.freedesktop.DBus.Error.InvalidArgs',
         'everything'),
        ('scope of the wrong type', [userd], 'bind:0', {'scope': dbus.UInt32(1)},
         'org.freedesktop.DBus.Error.InvalidArgs', "'scope'"),
        ('an unknown option', [rootf], 'bind:0', {'fast': True}, 'org.freedesktop.DBus.Error.InvalidArgs', 'fast'),
        ('no path', [], 'bind:0', {}, 'org.freedesktop.DBus.Error.InvalidArgs', 'no path'),
        ('5000 paths', [rootf] * 5000, 'bind:0', {}, E + 'TooMany', '4096'),
        ('a 5000-byte path', ['/' + 'x' * 5000], 'bind:0', {}, 'org.freedesktop.DBus.Error.InvalidArgs', '4096'),
    ]
    for name, paths, pol, opts, err, text in bad:
        try:
            m.Place(paths, pol, opts)
            e = None
        except dbus.DBusException as ex:
            e = (ex.get_dbus_name(), ex.get_dbus_message())
        check('bad placement: ' + name, e is not None and e[0] == err and text in e[1], e)
    check('a bad placement writes nothing', xattr(rootf) == policy, xattr(rootf))

    # Events: reading a placed file brings a check (coalesced: 20 reads in 1 s, at most 4 checks).
    mark = len(open(env['LOG']).read())
    for _ in range(20):
        with open(rootf, 'rb') as fh:
            fh.read()
        time.sleep(0.05)
    seen = wait_log(mark, rootf + ': checked', 3)
    n = log_since(mark).count(rootf + ': checked')
    check('reading a placed file brings a check of it', seen, log_since(mark)[-600:])
    check('checks are coalesced (at most one per 500 ms)', 1 <= n <= 4, '%d checks for 20 reads in 1 s' % n)
    mark = len(open(env['LOG']).read())
    newf = os.path.join(userd, 'new-file')
    subprocess.run(['setpriv', '--reuid=1000', '--regid=1000', '--clear-groups', 'sh', '-c',
                    'echo data > "$1"', 'sh', newf], check=True)
    check('a file created in a placed directory is checked', wait_log(mark, newf + ': checked', 3),
          log_since(mark)[-600:])
    # Reading unplaced files wakes the daemon up for nothing.
    other = os.path.join(os.path.dirname(env['STATE']), 'unplaced')
    os.makedirs(other, exist_ok=True)
    for i in range(200):
        with open(os.path.join(other, str(i)), 'w') as fh:
            fh.write('x')
    time.sleep(0.5)
    s0 = sum(int(l.split()[1]) for l in open('/proc/%d/status' % daemon.pid) if 'ctxt_switches' in l)
    for i in range(200):
        with open(os.path.join(other, str(i))) as fh:
            fh.read()
    time.sleep(1)
    s1 = sum(int(l.split()[1]) for l in open('/proc/%d/status' % daemon.pid) if 'ctxt_switches' in l)
    check('reading unplaced files does not wake the daemon', s1 == s0, '%d context switches' % (s1 - s0))

    read_ahead(m, top, rootf)
    read_ahead_rules(m, top, userd)
    locked_in_memory(m, top, userd)

    # Stopping with opens waiting for a read ahead: the daemon lets them all go before it ends.
    stopf = os.path.join(top, 'ra-stop')
    with open(stopf, 'wb') as fh:
        fh.write(os.urandom(64 << 20))
    m.Place([stopf], 'bind:0', {'read-ahead': True})
    fd = os.open(stopf, os.O_RDONLY)
    evicted(fd)
    os.close(fd)
    openers = [subprocess.Popen([sys.executable, '-c', 'import os, sys; os.close(os.open(sys.argv[1], os.O_RDONLY))',
                                 stopf]) for _ in range(8)]
    time.sleep(0.05)
    rc = stop()
    ended = []
    for o in openers:
        try:
            ended.append(o.wait(timeout=10) == 0)
        except subprocess.TimeoutExpired:
            o.kill()
            ended.append(False)
    check('stopping numamoved with opens waiting for a read ahead lets them all go, and it ends', rc == 0 and
          all(ended), [rc, ended])
    start()
    m = manager()
    m.Clear([stopf])

    # The registry across a restart: a corrupt attribute and one removed by hand, reported; the others kept.
    assert stop() == 0
    os.setxattr(corrf, XATTR, b'numamove-placement/1 policy=bind:0 colour=blue')
    os.removexattr(gonef, XATTR)
    mark = len(open(env['LOG']).read())
    start()
    lp = {str(a): (str(b), str(c)) for a, b, c, d in manager().ListPlacements()}
    check('after a restart, the placements are kept', lp.get(rootf) == ('bind:0', 'file') and
          lp.get(userd) == ('bind:0', 'directory'), lp)
    check('a corrupt attribute is reported and skipped', (corrf + ': placement skipped: its ' + XATTR +
          ' attribute is corrupt') in log_since(mark) and lp.get(corrf, ('',))[0].startswith('(skipped'),
          [log_since(mark)[-600:], lp.get(corrf)])
    check('an attribute removed by hand is reported; the path leaves the registry',
          gonef + ': its placement attribute is gone' in log_since(mark) and gonef not in lp, lp)
    check('the daemon is up after a corrupt attribute', daemon.poll() is None, 'it exited')
    check('placed files are checked again at start', wait_log(mark, rootf + ': checked', 3), log_since(mark)[-600:])

    # Clear: the attribute goes (as the kernel reads it) and the registry forgets it.
    r = place_as(1000, 'Clear', [userd])
    lp = [str(p[0]) for p in manager().ListPlacements()]
    check('uid 1000 clears its own placement', r[0] == 'ok' and xattr(userd) is None and userd not in lp,
          [r, xattr(userd), lp])
    assert stop() == 0
    start()
    lp = [str(p[0]) for p in manager().ListPlacements()]
    check('a cleared placement stays cleared after a restart', userd not in lp and rootf in lp, lp)
    # Where the daemon sees the file read-only (its unit's ProtectSystem=strict; here a read-only bind
    # mount): an attribute that is already the one asked (numamove place wrote it) needs no writing.
    ro = os.path.join(os.path.dirname(env['STATE']), 'ro-view')
    os.makedirs(ro, exist_ok=True)
    if subprocess.run(['mount', '--bind', top, ro]).returncode == 0:
        try:
            subprocess.run(['mount', '-o', 'remount,ro,bind', ro], check=True)
            rof = os.path.join(ro, 'root-file')
            try:
                manager().Place([rof], 'bind:0', {})
                e = None
            except dbus.DBusException as ex:
                e = ex.get_dbus_message()
            check('read-only to the daemon: the same placement is kept without writing', e is None, e)
            try:
                manager().Place([rof], 'interleave:0', {})
                e = None
            except dbus.DBusException as ex:
                e = (ex.get_dbus_name(), ex.get_dbus_message())
            check('read-only to the daemon: another placement is refused, saying so',
                  e is not None and e[0] == E + 'BadTarget' and 'read-only' in e[1] and xattr(rootf) == policy, e)
        finally:
            # the daemon may still hold the view (a directory's mark keeps an O_PATH descriptor): detached then
            if subprocess.run(['umount', ro]).returncode != 0:
                subprocess.run(['umount', '-l', ro])
    else:
        skip('read-only to the daemon (cannot bind-mount here)')
    reg = os.path.join(env['STATE'], 'placements')
    check('while placements are registered, the registry exists (numamoved.path starts the daemon on it)',
          os.path.exists(reg), os.listdir(env['STATE']))
    manager().Clear([rootf, corrf])
    check('Clear of root\'s files by root', xattr(rootf) is None and xattr(corrf) is None, xattr(rootf))
    left = [str(p[0]) for p in manager().ListPlacements()]
    if left:
        manager().Clear(left)
    check('with the last placement cleared, the registry is gone',
          not os.path.exists(reg) and not manager().ListPlacements(), [left, os.path.exists(reg)])


def stored_placements():
    """
    Where the file system keeps no extended attribute (hugetlbfs), numamoved keeps the placement in its
    registry: placed by root, refused to a user who may not write the file, kept across a restart, cleared.
    """
    top = os.path.join(os.path.dirname(env['STATE']), 'huge')
    os.makedirs(top, exist_ok=True)
    if subprocess.run(['mount', '-t', 'hugetlbfs', 'none', top]).returncode != 0:
        skip('placements kept in the registry (cannot mount hugetlbfs here)')
        return
    try:
        f = os.path.join(top, 'f')
        open(f, 'w').close()
        os.chmod(f, 0o644)
        try:
            os.setxattr(f, XATTR, b'numamove-placement/1 policy=bind:0')
            check('hugetlbfs keeps no attribute (the premise of these checks)', False, 'it took one')
        except OSError as e:
            check('hugetlbfs keeps no attribute (the premise of these checks)', e.errno == errno.EOPNOTSUPP, e)
        reg = os.path.join(env['STATE'], 'placements')
        m = manager()
        m.Place([f], 'bind:0', {})
        hexpath = f.encode().hex()
        lines = [ln.split() for ln in open(reg).read().splitlines() if not ln.startswith('#')]
        mine = [ln for ln in lines if ln[2] == hexpath]
        st = os.stat(f)
        check('root places a hugetlbfs file: the registry keeps the placement itself, for that file',
              len(mine) == 1 and len(mine[0]) == 5 and
              bytes.fromhex(mine[0][3]).decode() == 'numamove-placement/1 policy=bind:0' and
              mine[0][4] == '%d:%d' % (st.st_dev, st.st_ino), [mine, st.st_dev, st.st_ino])
        lp = {str(a): (str(b), str(c)) for a, b, c, d in manager().ListPlacements()}
        check('ListPlacements lists it', lp.get(f) == ('bind:0', 'file'), lp)
        nm = os.path.join(os.path.dirname(os.path.dirname(env['NUMAMOVED'])), 'cli', 'numamove')
        if os.access(nm, os.X_OK):
            out = subprocess.run([nm, 'show', '-n', '-r', '-o', 'PLACEMENT,PLACED-BY', f], capture_output=True,
                                 text=True, env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=env['DBUS_SESSION_BUS_ADDRESS']))
            check('numamove show asks numamoved for the placement of a hugetlbfs file',
                  out.returncode == 0 and out.stdout.split() == ['bind:0', f], [out.stdout, out.stderr])
        else:
            skip('numamove show of a hugetlbfs file (no %s)' % nm)
        r = place_as(1000, 'Place', [f], 'interleave:0', {})
        check('uid 1000 may not place root\'s hugetlbfs file', r[0] == E + 'NotAuthorized' and
              'the kernel refuses uid 1000' in r[1], r)
        # A user's own file: the writer, with the user's ids, finds no attribute and may write the file.
        uf = os.path.join(top, 'user-file')
        open(uf, 'w').close()
        os.chown(uf, 1000, 1000)
        r = place_as(1000, 'Place', [uf], 'bind:0', {})
        lines = [ln.split() for ln in open(reg).read().splitlines() if not ln.startswith('#')]
        ul = [ln for ln in lines if ln[2] == uf.encode().hex()]
        check('uid 1000 places its own hugetlbfs file: kept in the registry, as uid 1000\'s, not privileged',
              r[0] == 'ok' and len(ul) == 1 and ul[0][:2] == ['1000', '0'] and len(ul[0]) == 5, [r, ul])
        r = place_as(1000, 'Clear', [uf])
        check('uid 1000 clears it', r[0] == 'ok' and uf.encode().hex() not in open(reg).read(), r)
        assert stop() == 0
        mark = len(open(env['LOG']).read())
        start()
        lp = {str(a): (str(b), str(c)) for a, b, c, d in manager().ListPlacements()}
        seen = wait_log(mark, f + ': checked: 100.0% of its resident pages conform to 0 (from ' + f + ')', 3)
        check('after a restart, the placement kept in the registry is applied again (its file checked)',
              lp.get(f) == ('bind:0', 'file') and seen, [lp.get(f), log_since(mark)[-400:]])
        manager().Clear([f])
        lp = [str(p[0]) for p in manager().ListPlacements()]
        check('Clear forgets it', f not in lp and (not os.path.exists(reg) or hexpath not in open(reg).read()), lp)
    finally:
        if subprocess.run(['umount', top]).returncode != 0:
            subprocess.run(['umount', '-l', top])


def daemon_kills(n=int(env.get('DAEMON_KILLS', '40'))):
    """
    Issue 16: numamoved killed with SIGKILL at a random instant of a move
    that sets policies in the target's threads (the stay policy) never hurts
    the target: poltarget --soak checks its own data, sleeps, pipe and
    epoll_wait all along; after each kill no thread of it is traced or
    stopped (within 10 s), and at the end its counters are all 0.
    """
    top = os.path.dirname(os.path.dirname(os.path.abspath(env['NUMAMOVED'])))
    pt, nm = os.path.join(top, 'tests', 'vm', 'poltarget'), os.path.join(top, 'cli', 'numamove')
    if not os.access(pt, os.X_OK) or not os.access(nm, os.X_OK):
        skip('numamoved killed at random instants (%s or %s not built)' % (pt, nm))
        return
    # A configuration that lets the daemon come back up (the last check left a broken one).
    write_conf('')
    target = Soak(pt)
    try:
        kill_loop(n, target, nm)
    finally:
        target.close()


def kill_loop(n, target, nm):
    import random
    import statistics
    if not target.ready():
        check('poltarget --soak starts', False, target.log_tail())
        return

    def reset():
        # The stay policy is set only in threads with the default one.
        subprocess.run([nm, 'policy', str(target.pid), '--set', 'default'], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def one():
        reset()
        return move([('pidfd', pidfd(target.pid))], {'to': '0'})[0]

    # How long a move takes, from the call: the kills fall within it.
    spans = []
    for _ in range(5):
        reset()
        t = time.monotonic()
        p = move([('pidfd', pidfd(target.pid))], {'to': '0'})[0]
        if p:
            wait_job(p)
        spans.append(time.monotonic() - t)
    span = statistics.median(spans)
    dead = stuck = None
    refused = running = 0
    for i in range(n):
        job = one()
        time.sleep(random.uniform(0, span))
        if not job:
            refused += 1
        else:
            try:
                running += props(job)['State'] == 'running'
            except dbus.DBusException:
                pass
        stop(signal.SIGKILL)
        free = wait_free(target.pid)
        if not target.alive():
            dead = 'after kill %d: exit %s %s' % (i + 1, target.proc.returncode, target.log_tail())
            break
        if not free:
            stuck = 'after kill %d: %s' % (i + 1, held_threads(target.pid)[:3])
            break
        start()
    if dead or stuck:
        start()
    print('# %d kills of numamoved within 0-%.0f ms of a move (the median move), %d while its job ran'
          % (n, span * 1000, running))
    check('every move was taken (a refused one tests nothing)', refused == 0, '%d refused' % refused)
    # Kills of an idle daemon test nothing: some must land while the job runs (a plain
    # build's moves of this small target take milliseconds: 8 of 40 in one run).
    check('kills landed while the job ran', dead or stuck or running >= 1, '%d of %d' % (running, n))
    check('a target survives %d SIGKILLs of numamoved during moves' % n, not dead, dead)
    check('no thread of it is left traced or stopped', not dead and not stuck, stuck)
    rc, fields = target.stop()
    print('# ' + target.line)
    ok, why = soak_clean(fields, 10)
    check('the target saw nothing: 0 data errors, EINTR, short sleeps, sequence errors',
          ok and rc == 0, '%s; exit %s' % (why, rc))


def members(root, iface):
    """(kind, name, signature) of each member of @iface in introspection XML @root."""
    for i in root.iter('interface'):
        if i.get('name') == iface:
            return sorted((m.tag, m.get('name'),
                           ''.join(a.get('type') for a in m.iter('arg')) + (m.get('type') or '')) for m in i)
    return None


def check_introspection(path, iface):
    """The object's interface is that of the installed XML, member by member."""
    want = ET.parse(env['XML']).getroot()
    o = dbus.SessionBus().get_object(NAME, path)
    got = ET.fromstring(str(dbus.Interface(o, 'org.freedesktop.DBus.Introspectable').Introspect()))
    check('introspection: %s as the XML' % iface, members(got, NAME + '.' + iface) == members(want, NAME + '.' + iface),
          '%s != %s' % (members(got, NAME + '.' + iface), members(want, NAME + '.' + iface)))


def slurm_fake():
    """Suspend to far memory against a fake Slurm tree (NUMAMOVED_TEST_SLURM_ROOT, a cgroup v2 root of ours):
    the scan's own decisions. The moves themselves find no such job in /sys/fs/cgroup, so a return fails as for
    a job that is gone."""
    global daemon
    root = os.path.join(os.path.dirname(env['STATE']), 'slurm-root')
    top = os.path.join(root, 'system.slice')
    scope = os.path.join(top, 'test_slurmstepd.scope')

    def job(jid, freeze, mems='0'):
        user = os.path.join(scope, 'job_%d' % jid, 'step_0', 'user')
        os.makedirs(user, exist_ok=True)
        for name, text in (('cpuset.mems.effective', mems), ('cpuset.mems', mems)):
            open(os.path.join(scope, 'job_%d' % jid, name), 'w').write(text + '\n')
        if freeze is None:  # a cgroup.freeze that cannot be read: a directory
            os.makedirs(os.path.join(user, 'cgroup.freeze'), exist_ok=True)
        else:
            open(os.path.join(user, 'cgroup.freeze'), 'w').write(freeze + '\n')

    assert stop() == 0
    os.makedirs(scope, exist_ok=True)
    job(7, '0')     # resumed while numamoved was down: its return is tried, fails (no such job), given up
    job(9, None)    # its state cannot be read: left alone
    job(13, '1')    # suspended, but slurm-far-nodes is not set: not followed
    # A scope that cannot be listed (not a directory): no job counts as gone while it is there.
    open(os.path.join(top, 'bad_slurmstepd.scope'), 'w').close()
    state = os.path.join(env['STATE'], 'slurm-suspended')
    open(state, 'w').write('7 away 0 0 0 4096 0 -\n9 away 0 0 0 4096 0 -\n11 away 0 0 0 4096 0 -\n'
                           'x7 away 0 0 0 4096 0 -\n12 sideways 0 0 0 4096 0 -\n')
    write_conf('max-running = 3\nslurm-scan-ms = 100\n')
    mark = len(open(env['LOG']).read())
    env['NUMAMOVED_TEST_SLURM_ROOT'] = root
    try:
        start()
        check('slurm-suspended: lines that do not parse are skipped, and said',
              wait_log(mark, 'does not parse, skipped: x7 away') and 'does not parse, skipped: 12 sideways'
              in log_since(mark), log_since(mark)[-600:])
        check('without slurm-far-nodes, with records kept, the log says their memory still comes back',
              wait_log(mark, 'still comes back on resume'), log_since(mark)[-600:])
        check('a failed return is said, and tried again, three times in all, then given up with where the memory is',
              wait_log(mark, 'slurm job 7: resumed; its return move cannot be made (try 3 of 3): given up, '
                       'its memory stays on 0') and 'slurm job 7: resumed; its return move cannot be made (try 1 of 3)'
              in log_since(mark) and 'try 2 of 3' in log_since(mark), log_since(mark)[-800:])
        time.sleep(0.5)
        text = log_since(mark)
        check('a scope that cannot be listed: no record is taken for a job that ended',
              'slurm job 11: gone' not in text, text[-600:])
        check('a job whose cgroup.freeze cannot be read is left alone', 'slurm job 9: resumed' not in text and 'slurm job 9: gone' not in text and
              open(state).read().startswith('9 away'), text[-600:])
        check('without slurm-far-nodes, a new suspension is not followed', 'slurm job 13' not in text, text[-600:])
        os.unlink(os.path.join(top, 'bad_slurmstepd.scope'))
        check('once the scope can be listed, a job gone from the node is forgotten',
              wait_log(mark, 'slurm job 11: gone from this node'), log_since(mark)[-600:])
        # slurm-far-nodes set: a job already on them stays, and its resume is said.
        mark = len(open(env['LOG']).read())
        write_conf('max-running = 3\nslurm-far-nodes = 0\nslurm-scan-ms = 100\n')
        manager().Reload()
        check('a job suspended on the far nodes themselves stays where it is',
              wait_log(mark, 'slurm job 13: suspended, already on the far nodes 0'), log_since(mark)[-600:])
        job(13, '0')
        check('its resume is seen', wait_log(mark, 'slurm job 13: resumed; its memory had stayed'),
              log_since(mark)[-600:])
        check('the record of job 9 (unreadable) is still kept', open(state).read().startswith('9 away'),
              open(state).read())
        # Over the record limit (1024, job 9's included): an untracked suspended job is said once, not every scan.
        mark = len(open(env['LOG']).read())
        for jid in range(100, 1124):
            job(jid, '1')
        full = wait_log(mark, 'suspended jobs already followed', timeout=20)
        time.sleep(1.5)
        n = log_since(mark).count('suspended jobs already followed')
        check('over the record limit, a suspended job not followed is said once', full and n == 1,
              '%d times' % n)
        rc = stop()
        check('numamoved with a fake Slurm tree exits cleanly', rc == 0, 'exit %d' % rc)
    finally:
        del env['NUMAMOVED_TEST_SLURM_ROOT']
        if daemon.poll() is not None:
            if os.path.exists(state):
                os.unlink(state)
            write_conf('max-running = 3\n')
            start()


def main():
    write_conf('')
    start()
    check_introspection(ROOT, 'Manager')

    # A dry run of one's own process, as uid 1000: allowed (move-own), the target untouched.
    w = workload(16, uid=1000)
    r = as_uid(1000, [('pidfd', w.pid)], {'to': '0', 'dry-run': True})
    ok = r[0] == 'ok'
    p = wait_job(r[1]) if ok else None
    check('uid 1000 dry-runs its own process', ok and p['State'] == 'done' and p['ExitStatus'] == 0 and
          p['Owner'] == 1000 and 'plan, nothing moved' in p['Output'], r if not ok else dict(p))
    if ok:
        check_introspection(r[1], 'Job')
    # A real move of it (to node 0, where it is): data intact, never left stopped or traced.
    r = as_uid(1000, [('pidfd', w.pid)], {'to': '0'})
    ok = r[0] == 'ok'
    p = wait_job(r[1]) if ok else None
    u = untouched(w.pid)
    check('uid 1000 moves its own process', ok and p['State'] == 'done' and p['ExitStatus'] == 0 and
          json.loads(p['Report'])['moves'][0]['pid'] == w.pid, r if not ok else dict(p))
    check('the moved process is neither stopped nor traced', u[0], u[1])
    check('the moved process\'s data is intact', verify(w) == 'intact', 'its checksum changed')

    # Refusals: root's process and another user's, with the action named; the targets untouched.
    w0 = workload(4)
    w1 = workload(4, uid=1001)
    r = as_uid(1000, [('pidfd', w0.pid)], {'to': '0', 'dry-run': True})
    check('uid 1000 is refused root\'s process', r[0] == E + 'NotAuthorized' and
          NAME + '.move-other' in r[1] and ' of uid 0 ' in r[1], r)
    r = as_uid(1000, [('pidfd', w1.pid)], {'to': '0', 'dry-run': True})
    check('uid 1000 is refused uid 1001\'s process', r[0] == E + 'NotAuthorized' and
          NAME + '.move-other' in r[1] and 'of uid 1001' in r[1], r)
    r = as_uid(1000, [('pidfd', w1.pid)], {'to': '0', 'dry-run': True, 'priority': dbus.Int32(-5)})
    check('a negative priority needs manage', r[0] == E + 'NotAuthorized', r)
    r = as_uid(1000, [], {}, method='Reload')
    check('uid 1000 may not reload', r[0] == E + 'NotAuthorized' and NAME + '.manage' in r[1], r)
    # The group rule (no polkitd): a member of admin-group gets move-other.
    admin = int(env['ADMIN_UID'])
    r = as_uid(admin, [('pidfd', w1.pid)], {'to': '0', 'dry-run': True}, groups=True)
    p = wait_job(r[1]) if r[0] == 'ok' else None
    check('a member of admin-group moves another user\'s process', p is not None and p['State'] == 'done', r)
    for wk in (w0, w1):
        u = untouched(wk.pid)
        check('a refused target is untouched (%d)' % wk.pid, u[0] and verify(wk) == 'intact', u[1])
    log = open(env['LOG']).read()
    check('decisions are logged with who, what and why',
          'uid 1000 (pid ' in log and 'refused by the group rule' in log and 'allowed (move-own by the group rule)'
          in log, log[-800:])

    # Bad requests: each a clear error; the daemon stays up with bounded memory.
    me = os.getpid()
    dead = subprocess.Popen(['true'])
    dead_fd = os.pidfd_open(dead.pid)
    dead.wait()
    rss0 = int(open('/proc/%d/status' % daemon.pid).read().split('VmRSS:')[1].split()[0])
    bad = [
        ('a regular file as pidfd', [('pidfd', dbus.types.UnixFd(os.open('/etc/hostname', os.O_RDONLY)))],
         {'to': '0'}, E + 'BadTarget', 'not a pidfd'),
        ('a dead process', [('pidfd', dbus.types.UnixFd(dead_fd))], {'to': '0'}, E + 'BadTarget', 'exited'),
        ('a pid, not a pidfd', [('pidfd', dbus.Int32(me))], {'to': '0'}, 'org.freedesktop.DBus.Error.InvalidArgs',
         "type 'h'"),
        ('an unknown kind', [('pid', dbus.Int32(me))], {'to': '0'}, 'org.freedesktop.DBus.Error.InvalidArgs',
         "'pid'"),
        ('no to', [('pidfd', pidfd(me))], {}, 'org.freedesktop.DBus.Error.InvalidArgs', "'to' is required"),
        ('to of the wrong type', [('pidfd', pidfd(me))], {'to': dbus.UInt32(0)},
         'org.freedesktop.DBus.Error.InvalidArgs', "'to'"),
        ('an unknown option', [('pidfd', pidfd(me))], {'to': '0', 'fast': True},
         'org.freedesktop.DBus.Error.InvalidArgs', "'fast'"),
        ('a node that does not exist', [('pidfd', pidfd(me))], {'to': '999'}, E + 'BadNodes', '999'),
        ('a bad node list', [('pidfd', pidfd(me))], {'to': '1-0'}, E + 'BadNodes', '1-0'),
        ('a 5000-byte path', [('path', '/' + 'x' * 5000)], {'to': '0'}, 'org.freedesktop.DBus.Error.InvalidArgs',
         '4096'),
        ('a 5000-byte node list', [('pidfd', pidfd(me))], {'to': '0' * 5000},
         'org.freedesktop.DBus.Error.InvalidArgs', '4096'),
        ('a relative path', [('path', 'etc/hostname')], {'to': '0'}, E + 'BadTarget', 'absolute'),
        ('a cgroup outside /sys/fs/cgroup', [('cgroup', '/etc')], {'to': '0'}, E + 'BadTarget', 'cgroup'),
        ('a slurm job id that is no id', [('slurm-job', '42x')], {'to': '0'}, E + 'BadTarget', 'JOBID.STEP'),
        ('a slurm job path', [('slurm-job', '/sys/fs/cgroup')], {'to': '0'}, E + 'BadTarget', 'JOBID.STEP'),
        ('a slurm job not on this node', [('slurm-job', '4294967293')], {'to': '0'}, E + 'BadTarget',
         'no such job on this node'),
        ('5000 targets', [('shm', dbus.Int32(1))] * 5000, {'to': '0'}, E + 'TooMany', '4096'),
        ('10^6 targets', [('shm', dbus.Int32(1))] * 1000000, {'to': '0'}, E + 'TooMany', '4096'),
        ('priority 20', [('pidfd', pidfd(me))], {'to': '0', 'priority': dbus.Int32(20)},
         'org.freedesktop.DBus.Error.InvalidArgs', 'priority'),
        ('with-files alone', [('pidfd', pidfd(me))], {'to': '0', 'with-files': True},
         'org.freedesktop.DBus.Error.InvalidArgs', 'with-shared'),
        # Root's MUNGE credential goes with one whole Slurm job only (Debian case 55 decodes real ones).
        ('a MUNGE credential for a process', [('pidfd', pidfd(me))], {'to': '0', 'slurm-credential': 'MUNGE:x:'},
         'org.freedesktop.DBus.Error.InvalidArgs', 'a whole Slurm job'),
        ('an empty MUNGE credential', [('pidfd', pidfd(me))], {'to': '0', 'slurm-credential': ''},
         'org.freedesktop.DBus.Error.InvalidArgs', 'empty'),
        ('a MUNGE credential of the wrong type', [('pidfd', pidfd(me))], {'to': '0', 'slurm-credential': True},
         'org.freedesktop.DBus.Error.InvalidArgs', "'slurm-credential'"),
    ]
    for name, targets, opts, err, text in bad:
        path, e = move(targets, opts)
        check('bad request: ' + name, e is not None and e[0] == err and text in e[1], e or path)
    rss1 = int(open('/proc/%d/status' % daemon.pid).read().split('VmRSS:')[1].split()[0])
    check('the daemon is up after bad requests', daemon.poll() is None, 'it exited')
    if sanitized:
        skip('RSS grown by less than 16 MiB after bad requests (an ASan build keeps freed memory: %d kB -> %d kB)'
             % (rss0, rss1))
    else:
        check('RSS grown by less than 16 MiB after bad requests', rss1 - rss0 < 16384, '%d kB -> %d kB' % (rss0, rss1))

    # Idle: no wake-ups (no pins, no held jobs), RSS under 16 MiB.
    def switches():
        s = open('/proc/%d/status' % daemon.pid).read()
        return sum(int(l.split()[1]) for l in s.splitlines() if 'ctxt_switches' in l)
    time.sleep(0.5)
    a = switches()
    time.sleep(3)
    b = switches()
    check('an idle daemon does not wake up', b == a, '%d context switches in 3 s' % (b - a))
    rss = int(open('/proc/%d/status' % daemon.pid).read().split('VmRSS:')[1].split()[0])
    if sanitized:
        skip('idle RSS under 16 MiB (an ASan build: %d kB)' % rss)
    else:
        check('idle RSS under 16 MiB', rss < 16384, '%d kB' % rss)

    # Scheduling: one at a time; a queued job cancelled; priority before submission order.
    assert stop() == 0
    write_conf('max-running = 1\n')
    start()
    big = workload(1024)
    paths = [move([('pidfd', pidfd(big.pid))], {'to': '0', 'dry-run': True, 'priority': dbus.Int32(pr)})[0]
             for pr in (0, 5, 5, -3)]
    try:
        dbus.Interface(dbus.SessionBus().get_object(NAME, paths[2]), NAME + '.Job').Cancel()
        cancel_refused = None
    except dbus.DBusException as e:
        # The host ran the queue faster than the cancel came: the job had ended (a skip below).
        cancel_refused = e.get_dbus_message()
    ps = [wait_job(p) for p in paths]
    # The order of events, from the log's "job N (...): queued", "started" and "cancel asked" lines.
    # Each check needs the queue as it was meant to be (the first job still running while the others
    # were submitted); when the host ran the first job faster than that, the check is a skip.
    log = open(env['LOG']).read()

    def at(i, what):
        m = re.search(r'job %s( \([^\n]*\))?: %s' % (paths[i].split('/')[-1], what), log)
        return m.start() if m else -1
    first = [at(i, 'started') for i in range(4)]
    late_cancel = 0 <= first[2] < at(2, 'cancel asked') or bool(cancel_refused)
    if cancel_refused:
        check('a cancel that came too late says why', 'already' in cancel_refused, cancel_refused)
    if late_cancel:
        skip('a queued job is cancelled (job 3 had started when its cancel came)')
    else:
        check('a queued job is cancelled', ps[2]['State'] == 'cancelled' and ps[2]['Report'] == '', dict(ps[2]))
    if 0 <= first[1] < at(3, 'queued'):
        skip('priority -3 runs before priority 5 submitted earlier (job 2 had started before job 4 came)')
    else:
        check('priority -3 runs before priority 5 submitted earlier', 0 <= first[3] < first[1], first)
    check('the four jobs ended', [p['State'] for p in ps] == ['done', 'done', 'done' if late_cancel else 'cancelled',
                                                            'done'], [str(p['State']) for p in ps])
    # A job's report (its targets' memory per node) is its owner's: another user reads it empty.
    peek = ('import dbus, sys; o = dbus.SessionBus().get_object(%r, sys.argv[1]); '
            'print(len(o.Get(%r, "Report", dbus_interface="org.freedesktop.DBus.Properties")))' % (NAME, NAME + '.Job'))
    other = subprocess.run(['setpriv', '--reuid=1000', '--regid=1000', '--clear-groups', '/usr/bin/python3', '-c',
                            peek, str(paths[0])], capture_output=True, text=True)
    check('another user reads a job\'s report empty, its owner whole',
          other.stdout.strip() == '0' and len(ps[0]['Report']) > 0, (other.stdout, other.stderr[-300:]))

    # Restart: SIGKILL while jobs wait; queued jobs come back and run.
    paths = [move([('pidfd', pidfd(big.pid))], {'to': '0', 'dry-run': True})[0] for _ in range(3)]
    stop(signal.SIGKILL)
    u = untouched(big.pid)
    check('a target survives the daemon\'s SIGKILL, not stopped or traced', u[0], u[1])
    start()
    states = [str(wait_job(p)['State']) for p in paths]
    check('after a restart, queued jobs run and a running one is interrupted',
          states.count('done') >= 2 and set(states) <= {'done', 'interrupted'}, states)
    check('the target\'s data is intact after all that', verify(big) == 'intact', 'checksum')

    # Pins: survive a restart, end when the process exits.
    pw = workload(16)
    pin = manager().Pin([('pidfd', pidfd(pw.pid))], {'to': '0', 'interval-ms': dbus.UInt32(100)})
    time.sleep(0.6)
    pp = props(pin, 'Pin')
    check_introspection(pin, 'Pin')
    check('a pin checks its process', pp['Checks'] >= 2 and pp['State'] == 'active' and pp['Pid'] == pw.pid,
          dict(pp))
    assert stop() == 0
    start()
    pins = manager().ListPins()
    check('a pin survives a restart', [str(p[1]) for p in pins] == [str(pin)], pins)
    verify(pw)
    time.sleep(0.5)
    check('a pin ends when its process exits', len(manager().ListPins()) == 0, manager().ListPins())
    # A pin saved in another boot names a pid of that boot: it is dropped, never attached to this one's.
    pw = workload(16)
    pin = manager().Pin([('pidfd', pidfd(pw.pid))], {'to': '0', 'interval-ms': dbus.UInt32(100)})
    assert stop() == 0
    pinfile = os.path.join(env['STATE'], 'pins', str(pin).split('/')[-1])
    text = open(pinfile).read()
    open(pinfile, 'w').write(re.sub(r'boot-id=.*', 'boot-id=00000000-0000-0000-0000-000000000000', text))
    start()
    check('a pin of another boot is dropped after a restart', len(manager().ListPins()) == 0, manager().ListPins())
    verify(pw)

    # Reload: SIGHUP takes the new file; a broken one is not taken.
    write_conf('max-running = 3\nbudget = 64M\n')
    daemon.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    m = props(ROOT, 'Manager')
    check('SIGHUP reloads the configuration', m['MaxRunning'] == 3 and m['Budget'] == 64 << 20, dict(m))
    write_conf('max-running = lots\n')
    try:
        manager().Reload()
        r = 'ok'
    except dbus.DBusException as e:
        r = e.get_dbus_message()
    m = props(ROOT, 'Manager')
    check('a broken configuration is refused, the old one stays', r != 'ok' and m['MaxRunning'] == 3, r)
    # Suspend to far memory: the keys parse, a bad node list is refused; without Slurm the scan finds nothing.
    for bad in ('slurm-far-nodes = 2-x\n', 'slurm-far-nodes = -1\n', 'slurm-scan-ms = 50\n',
                'slurm-far-nodes = 2--3\n', 'slurm-far-nodes = 2,\n', 'slurm-far-nodes = 2,2\n',
                'slurm-far-nodes = 2-\n', 'slurm-far-nodes = 0,0\n', 'slurm-far-nodes = 0-\n',
                'slurm-far-nodes = 0,\n', 'slurm-far-nodes = 0--0\n', 'slurm-far-nodes = all\n',
                'slurm-far-nodes = 4095\n'):
        write_conf('max-running = 3\n' + bad)
        try:
            manager().Reload()
            r = 'ok'
        except dbus.DBusException as e:
            r = e.get_dbus_message()
        check('numamoved.conf %s: refused' % bad.strip(), r != 'ok', r)
    mark = len(open(env['LOG']).read())
    n_jobs = len(manager().ListJobs())
    write_conf('max-running = 3\nslurm-far-nodes = 0\nslurm-scan-ms = 100\n')
    manager().Reload()
    time.sleep(1)
    check('slurm-far-nodes is taken on a reload, and said', wait_log(mark, 'slurm-far-nodes 0: suspended Slurm jobs'),
          log_since(mark)[-400:])
    check('without Slurm, the scan finds no job to move', len(manager().ListJobs()) == n_jobs and
          'slurm job' not in log_since(mark), log_since(mark)[-400:])
    write_conf('max-running = 3\n')
    manager().Reload()

    daemon_kills()
    placements()
    stored_placements()
    slurm_fake()
    slurm_plugin_calls()
    slurm_plugin_claims()

    rc = stop()
    check('numamoved exits cleanly on SIGTERM (no sanitizer report)', rc == 0, 'exit %d' % rc)
    big.stdin.close()
    big.kill()


def slurm_plugin_calls():
    """The SPANK plugin's calls (numamove-spank(8)) refused when they must be, with a clear error; the daemon up.
    What they do for a real job is tested in the Debian VM (tests/vm/debian/cases/59-slurm-spank.sh)."""
    inval = 'org.freedesktop.DBus.Error.InvalidArgs'
    for name, method, args, uid, err, text in [
        ('a task of a job not on this node', 'SlurmTaskStarted', ['4294967293.0', {}], 1000, E + 'BadTarget',
         'no such job on this node'),
        ('a task of a job id that is no id', 'SlurmTaskStarted', ['42x.0', {}], 1000, E + 'BadTarget', 'JOBID.STEP'),
        ('a task of a job without its step', 'SlurmTaskStarted', ['42', {}], 1000, E + 'BadTarget', 'JOBID.STEP'),
        ('a task of a step that is no step', 'SlurmTaskStarted', ['42.x', {}], 1000, E + 'BadTarget', 'JOBID.STEP'),
        ('a task with an unknown option', 'SlurmTaskStarted', ['42.0', {'fast': 'yes'}], 1000, inval, "'fast'"),
        ('a task with suspend neither far nor stay', 'SlurmTaskStarted', ['42.0', {'suspend': 'maybe'}], 1000,
         inval, 'far or stay'),
        ('a task with far nodes that are no list', 'SlurmTaskStarted', ['42.0', {'far-nodes': '0-'}], 1000,
         E + 'BadNodes', "'0-'"),
        ('a task with far nodes "all"', 'SlurmTaskStarted', ['42.0', {'far-nodes': 'all'}], 1000, E + 'BadNodes',
         "'all'"),
        ('a task with a far node this machine lacks', 'SlurmTaskStarted', ['42.0', {'far-nodes': '4095'}], 1000,
         E + 'BadNodes', "'4095'"),
        ('a task with a 5000-byte option', 'SlurmTaskStarted', ['42.0', {'far-nodes': '0' * 5000}], 1000, inval,
         'too long'),
        ('a step\'s end from a user', 'SlurmStepEnded', ['42.0'], 1000, E + 'NotAuthorized', 'root'),
        ('a step\'s end of no id', 'SlurmStepEnded', ['x.0'], 0, E + 'BadTarget', 'JOBID.STEP'),
    ]:
        r = place_as(uid, method, *args)
        check('slurm plugin call refused: ' + name, r[0] == err and text in r[1], r)
    r = place_as(0, 'SlurmStepEnded', '4294967293.0')
    check('the end of a step never told of is no error (slurmstepd says it for every step)', r[0] == 'ok', r)
    check('the daemon is up after the plugin\'s bad calls', daemon.poll() is None, 'it exited')


CLAIM = textwrap.dedent('''
    import dbus, json, sys
    sys.stdin.readline()  # once the test has put this process where it wants it
    m = dbus.Interface(dbus.SessionBus().get_object('org.numamove.numamoved1', '/org/numamove/numamoved1'),
                       'org.numamove.numamoved1.Manager')
    try:
        print(json.dumps(['ok', str(m.SlurmTaskStarted(sys.argv[1], json.loads(sys.argv[2])))]))
    except dbus.DBusException as e:
        print(json.dumps([e.get_dbus_name(), e.get_dbus_message()]))
    sys.stdout.flush()
    sys.stdin.readline()
''')


def slurm_plugin_claims():
    """SlurmTaskStarted from a process in a Slurm step's cgroup (a scope made here as slurmd names its own, in the
    host's cgroup v2 tree): taken, with what it asked; from the same user outside the step: refused; the step's end
    forgets it. Skipped where this machine's cgroup tree cannot be written (a container)."""
    mounts = [l.split()[4] for l in open('/proc/self/mountinfo') if ' - cgroup2 ' in l]
    if not mounts:
        skip('a task of a Slurm step is taken (no cgroup v2 mount here)')
        return
    top = mounts[0] + '/system.slice'
    made_top = not os.path.isdir(top)
    scope = top + '/nmtest%d_slurmstepd.scope' % os.getpid()
    step = scope + '/job_4242/step_0'
    try:
        os.makedirs(step + '/user/task_0')
    except OSError as e:
        skip('a task of a Slurm step is taken (no cgroup can be made here: %s)' % e)
        return
    procs = []

    def claim(into, spec, opts):
        p = subprocess.Popen(['setpriv', '--reuid=1000', '--regid=1000', '--clear-groups', '/usr/bin/python3', '-c',
                              CLAIM, spec, json.dumps(opts)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
        procs.append(p)
        if into:
            with open(into + '/cgroup.procs', 'w') as f:
                f.write(str(p.pid))
        p.stdin.write('\n')
        p.stdin.flush()
        return json.loads(p.stdout.readline() or '["no answer", ""]')
    try:
        mark = len(open(env['LOG']).read())
        r = claim(step + '/user/task_0', '4242.0', {})
        check('a task of a Slurm step is taken', r == ['ok', ''], r)
        check('... and logged once, with its uid', wait_log(mark, 'slurm job 4242.0: task pid ') and
              '(uid 1000) started' in log_since(mark), log_since(mark)[-400:])
        r = claim(step + '/user/task_0', '4242.0', {'far-nodes': '0'})
        check('a task asking far nodes of a node that has none is taken, and told its memory will stay',
              r[0] == 'ok' and 'this node has no far nodes' in r[1] and 'stays where it is' in r[1], r)
        # What a job asked survives a restart of numamoved: its tasks are found again in the step's cgroup.
        r = claim(step + '/user/task_0', '4242.0', {'suspend': 'stay'})
        check('a task asking to stay while suspended is taken', r == ['ok', ''], r)
        mark = len(open(env['LOG']).read())
        stop()
        start()
        check('after a restart, numamoved follows the job again, with what it asked',
              wait_log(mark, 'slurm job 4242: told of before numamoved restarted: 1 steps followed again; while '
                       'suspended it stays, as it asked'), log_since(mark)[-400:])
        r = claim(None, '4242.0', {})
        check('the same user\'s process outside the step is refused', r[0] == E + 'NotAuthorized' and
              'is not a task of slurm job 4242.0' in r[1], r)
        r = claim(step + '/user/task_0', '4242.1', {})
        check('a task of the step claiming another step is refused', r[0] == E + 'BadTarget' or
              (r[0] == E + 'NotAuthorized' and '4242.1' in r[1]), r)
        mark = len(open(env['LOG']).read())
        r = place_as(0, 'SlurmStepEnded', '4242.0')
        check('the step\'s end is taken from root, and the step forgotten', r[0] == 'ok' and
              wait_log(mark, 'slurm job 4242.0: the step ended ('), (r, log_since(mark)[-300:]))
        check('... and what it asked with it (no file left in the state directory)',
              not os.path.exists(os.path.join(env['STATE'], 'slurm-jobs')), os.listdir(env['STATE']))
        check('the daemon is up after the claims', daemon.poll() is None, 'it exited')
    finally:
        for p in procs:
            p.kill()
            p.wait()
        for d in (step + '/user/task_0', step + '/user', step, scope + '/job_4242', scope) + ((top,) if made_top else ()):
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except OSError:
                    time.sleep(0.1)


try:
    main()
except Exception as e:  # a check that crashed is a failure, and the summary still comes
    import traceback
    traceback.print_exc()
    check('the checks ran to the end', False, repr(e))
    if daemon and daemon.poll() is None:
        daemon.kill()
print('%s: %d passed, %d failed, %d skipped' % (env.get('PART', 'daemon-host'), counts['passed'], counts['failed'], counts['skipped']))
sys.exit(1 if counts['failed'] else 0)
