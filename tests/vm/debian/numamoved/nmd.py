#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# nmd.py: a client of numamoved for the Debian VM cases (53-numamoved-*),
# written with python3-dbus: a D-Bus client other than the daemon's own and
# busctl, and the one that passes pidfds (busctl cannot pass descriptors).
# Everything on stdout is one "key value" line per fact; errors are one line
# "error NAME MESSAGE" with exit status 1 (a D-Bus error) or 2 (usage).
# NMD_SESSION=1: the session bus (numamoved with NUMAMOVED_BUS=session).
#
#   nmd.py move [--pid PID]... [--target KIND:VALUE]... [--opt KEY=VALUE]...
#       Manager.Move: each --pid becomes ("pidfd", h) with os.pidfd_open(PID);
#       --target KIND:VALUE another target (cgroup, path: s; shm, shm-key:
#       i; pidfd-of-file:PATH: a descriptor of PATH sent as if a pidfd;
#       pidfd-of-pipe: a pipe's; pidfd-dead: the pidfd of a child that has
#       exited and been reaped; raw:KIND:SIG:VALUE: (KIND, VALUE as SIG),
#       whatever the kind). Options get the spec's types (to: s,
#       priority: i, rate: t, ...); KEY:SIG=VALUE forces a D-Bus signature
#       (s, i, u, t, b) for a wrong-type test. Prints "job PATH".
#   nmd.py pin --pid PID --opt to=NODES [--opt interval-ms=N]   prints "pin PATH"
#   nmd.py many N KIND        Move with N targets of KIND (shm: ids 1..N)
#   nmd.py get PATH IFACE PROP          prints "value V"
#   nmd.py wait PATH [SECONDS]          until the job is finished; prints
#       "state S", "exit_status N", "outcome O" (status 1 on timeout)
#   nmd.py watch SECONDS PATH...        polls the jobs' State every 0.1 s until
#       all are finished; one line per job: "job ID priority P running T1
#       finished T2 state S" (T: seconds since the watch began, at the
#       start of the poll that first saw State running / finished; -1 never
#       seen)
#   nmd.py call PATH IFACE METHOD       a method without arguments
#   nmd.py moves TO PID:PRIORITY...     one Move per process, all from this
#       one client as fast as it can: prints "job PATH" for each, in order
import os
import sys
import time

import dbus

BUS = "org.numamove.numamoved1"
MANAGER = "/org/numamove/numamoved1"
IFACE = "org.numamove.numamoved1"
FINAL = ("done", "failed", "cancelled", "interrupted")

OPT_TYPES = {
    "to": "s", "from": "s", "policy": "s", "engine": "s",
    "dry-run": "b", "force": "b", "memory-only": "b", "no-stay": "b",
    "with-shared": "b", "with-files": "b",
    "jobs": "u", "max-stall-ms": "u", "interval-ms": "u",
    "rate": "t", "priority": "i",
}


def typed(sig, value):
    if sig == "s":
        return dbus.String(value)
    if sig == "i":
        return dbus.Int32(int(value))
    if sig == "u":
        return dbus.UInt32(int(value))
    if sig == "t":
        return dbus.UInt64(int(value))
    if sig == "b":
        return dbus.Boolean(value in ("1", "true", "yes"))
    raise SystemExit("nmd.py: unknown signature " + sig)


def options(pairs):
    out = dbus.Dictionary({}, signature="sv")
    for p in pairs:
        key, _, value = p.partition("=")
        key, _, sig = key.partition(":")
        out[key] = typed(sig or OPT_TYPES.get(key, "s"), value)
    return out


KEEP = []  # descriptors stay open until the call is answered


def target(spec):
    kind, _, value = spec.partition(":")
    if kind == "raw":
        k, sig, v = value.split(":", 2)
        return dbus.Struct((k, typed(sig, v)), signature="sv")
    if kind in ("cgroup", "path"):
        return dbus.Struct((kind, dbus.String(value)), signature="sv")
    if kind in ("shm", "shm-key"):
        return dbus.Struct((kind, dbus.Int32(int(value))), signature="sv")
    if kind == "pidfd-of-file":
        fd = os.open(value, os.O_RDONLY)
    elif kind == "pidfd-of-pipe":
        fd, w = os.pipe()
        KEEP.append(w)
    elif kind == "pidfd-dead":
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        fd = os.pidfd_open(pid)
        os.waitpid(pid, 0)
    elif kind in ("pidfd", "cgroup-of"):
        fd = os.pidfd_open(int(value))
    else:
        raise SystemExit("nmd.py: unknown target kind " + kind)
    KEEP.append(fd)
    k = "cgroup-of" if kind == "cgroup-of" else "pidfd"
    return dbus.Struct((k, dbus.types.UnixFd(fd)), signature="sv")


def manager(bus):
    return dbus.Interface(bus.get_object(BUS, MANAGER), IFACE + ".Manager")


def prop(bus, path, iface, name):
    obj = bus.get_object(BUS, path)
    return obj.Get(IFACE + "." + iface, name, dbus_interface="org.freedesktop.DBus.Properties")


def parse(args):
    pids, targets, opts = [], [], []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--pid", "--target", "--opt") and i + 1 < len(args):
            {"--pid": pids, "--target": targets, "--opt": opts}[a].append(args[i + 1])
            i += 2
        else:
            raise SystemExit("nmd.py: bad argument " + a)
    t = dbus.Array([target("pidfd:" + p) for p in pids] + [target(s) for s in targets], signature="(sv)")
    return t, options(opts)


def main(argv):
    if len(argv) < 2:
        print(__doc__ if __doc__ else "usage: see nmd.py", file=sys.stderr)
        return 2
    bus = dbus.SessionBus() if os.environ.get("NMD_SESSION") else dbus.SystemBus()
    cmd, args = argv[1], argv[2:]
    if cmd == "move":
        t, o = parse(args)
        print("job", manager(bus).Move(t, o, timeout=120))
    elif cmd == "pin":
        t, o = parse(args)
        print("pin", manager(bus).Pin(t, o, timeout=120))
    elif cmd == "moves":
        for spec in args[1:]:
            pid, _, prio = spec.partition(":")
            t = dbus.Array([target("pidfd:" + pid)], signature="(sv)")
            o = options(["to=" + args[0], "priority=" + prio])
            print("job", manager(bus).Move(t, o, timeout=120), flush=True)
    elif cmd == "many":
        n, kind = int(args[0]), args[1]
        if kind == "shm":
            t = dbus.Array([dbus.Struct(("shm", dbus.Int32(i)), signature="sv") for i in range(1, n + 1)],
                           signature="(sv)")
        else:
            t = dbus.Array([dbus.Struct(("path", dbus.String("/nonexistent/%d" % i)), signature="sv")
                            for i in range(1, n + 1)], signature="(sv)")
        print("job", manager(bus).Move(t, options(["to=1"]), timeout=300))
    elif cmd == "dryrun-latency":
        # A measurement, for the note (numamoved's goal: a dry run answered within 50 ms), not a check.
        pid, n = args[0], int(args[1])
        times = []
        for _ in range(n):
            t = dbus.Array([target("pidfd:" + pid)], signature="(sv)")
            start = time.monotonic()
            path = manager(bus).Move(t, options(["to=" + args[2], "dry-run=true"]), timeout=120)
            while str(prop(bus, path, "Job", "State")) not in FINAL:
                time.sleep(0.001)
            times.append((time.monotonic() - start) * 1000)
        times.sort()
        print("dryrun_ms median %.1f max %.1f of %d" % (times[len(times) // 2], times[-1], n))
    elif cmd == "get":
        print("value", prop(bus, args[0], args[1], args[2]))
    elif cmd == "call":
        obj = bus.get_object(BUS, args[0])
        getattr(dbus.Interface(obj, IFACE + "." + args[1]), args[2])(timeout=120)
        print("ok")
    elif cmd == "wait":
        limit = time.monotonic() + (float(args[1]) if len(args) > 1 else 120)
        while True:
            s = str(prop(bus, args[0], "Job", "State"))
            if s in FINAL:
                break
            if time.monotonic() > limit:
                print("state", s)
                return 1
            time.sleep(0.1)
        print("state", s)
        print("exit_status", int(prop(bus, args[0], "Job", "ExitStatus")))
        print("outcome", prop(bus, args[0], "Job", "Outcome"))
    elif cmd == "watch":
        limit, paths = float(args[0]), args[1:]
        start = time.monotonic()
        seen = {p: [-1.0, -1.0, ""] for p in paths}
        while time.monotonic() - start < limit:
            left = 0
            # One time per poll: the jobs are read one after the other
            # (tens of ms each under emulation), and two that changed
            # between two polls must not look ordered by the reading order.
            now = time.monotonic() - start
            for p in paths:
                if seen[p][1] >= 0:
                    continue
                s = str(prop(bus, p, "Job", "State"))
                if s == "running" and seen[p][0] < 0:
                    seen[p][0] = now
                if s in FINAL:
                    seen[p][1] = now
                    seen[p][2] = s
                else:
                    left += 1
            if not left:
                break
            time.sleep(0.1)
        for p in paths:
            print("job %d priority %d running %.2f finished %.2f state %s" % (
                int(prop(bus, p, "Job", "Id")), int(prop(bus, p, "Job", "Priority")),
                seen[p][0], seen[p][1], seen[p][2] or "unfinished"))
    else:
        raise SystemExit("nmd.py: unknown command " + cmd)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except dbus.exceptions.DBusException as e:
        msg = (e.get_dbus_message() or "").replace("\n", " ")
        print("error", e.get_dbus_name(), msg)
        sys.exit(1)
