#!/usr/bin/env python3
"""t_slow_readers.py: the client of t_slow_readers.sh (standard library only).

    t_slow_readers.py --port P --pid PID [--conns 2000] [--per-conn 262144]
                      [--send-bound 20] [--settle 5] [--settle-kib 2048]

Opens CONNS connections to the public port, all driven from this one
process with poll: each pipelines `GET /beacon.js` requests (whole ones
only, at most PER-CONN bytes) with non-blocking sends, as fast as its
socket takes them, for at most SEND-BOUND seconds in all, and never reads
a byte. Then waits (at most 5 s) until beacond stops using CPU, with
every connection still open and unread, and closes them all; then waits
up to SETTLE seconds for beacond's VmRSS to come back within SETTLE-KIB
of where it started. Prints key=value lines (sizes in kB, from
/proc/PID/status):

    rss_before, hwm_before      before the first connection
    connected                   connections established
    sent_total, sent_min, sent_max, full   request bytes sent; connections
                                that sent their whole budget
    send_s                      length of the send phase
    server_closed               connections the server closed meanwhile
    rss_during, rss_during_max  after the send phase (quiescent) / the
                                highest sample of the send and quiet phases
    hwm_during                  VmHWM then
    server_connections, server_requests  beacon_connections and
                                beacon_requests_total from the admin port
                                (--admin-port) at that point
    rss_after, settle_s         after closing all, and how long that took
    hwm_after
"""

import argparse
import errno
import os
import select
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawhttp  # noqa: E402

REQ = b"GET /beacon.js HTTP/1.1\r\nHost: t\r\n\r\n"


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    rest = data[data.rindex(")") + 2:].split()
    return int(rest[11]) + int(rest[12])  # utime + stime


def metrics(port):
    """The admin /metrics as {series: value} ({} on failure). Plain
    blocking reads: this process holds fds past select()'s limit."""
    data = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as c:
            c.sendall(b"GET /metrics HTTP/1.1\r\nHost: t\r\n"
                      b"Connection: close\r\n\r\n")
            while True:
                d = c.recv(65536)
                if not d:
                    break
                data += d
    except OSError:
        return {}
    vals = {}
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        return vals
    for line in body.decode("latin-1").splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            vals[parts[0]] = parts[1]
    return vals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--admin-port", type=int, default=0)
    ap.add_argument("--conns", type=int, default=2000)
    ap.add_argument("--per-conn", type=int, default=256 * 1024)
    ap.add_argument("--send-bound", type=float, default=20.0)
    ap.add_argument("--settle", type=float, default=5.0)
    ap.add_argument("--settle-kib", type=int, default=2048)
    ap.add_argument("--deadline", type=float, default=50.0)
    a = ap.parse_args()

    rawhttp.set_deadline(a.deadline, "deadline=yes")

    out = {}
    pid = a.pid
    out["rss_before"] = status_kb(pid, "VmRSS")
    out["hwm_before"] = status_kb(pid, "VmHWM")

    budget = (a.per_conn // len(REQ)) * len(REQ)  # whole requests only
    blob = memoryview(REQ * (budget // len(REQ)))

    # Connect in batches (non-blocking), each batch waited for.
    socks = []
    t_start = time.monotonic()
    batch = 200
    for first in range(0, a.conns, batch):
        pending = {}
        for _ in range(first, min(first + batch, a.conns)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            rc = s.connect_ex(("127.0.0.1", a.port))
            if rc not in (0, errno.EINPROGRESS):
                s.close()
                continue
            pending[s.fileno()] = s
        p = select.poll()
        for fd in pending:
            p.register(fd, select.POLLOUT)
        end = time.monotonic() + 5
        while pending and time.monotonic() < end:
            for fd, ev in p.poll(500):
                s = pending.pop(fd, None)
                p.unregister(fd)
                if s is None:
                    continue
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    socks.append(s)
                else:
                    s.close()
        for s in pending.values():
            s.close()
    out["connected"] = len(socks)

    # Send phase: every connection pipelines requests until its budget is
    # sent or the phase's bound is reached; nothing is ever read.
    sent = {s.fileno(): 0 for s in socks}
    by_fd = {s.fileno(): s for s in socks}
    closed = set()
    p = select.poll()
    for fd in by_fd:
        p.register(fd, select.POLLOUT)
    active = set(by_fd)
    rss_max = out["rss_before"]
    t0 = time.monotonic()
    end = t0 + a.send_bound
    last_sample = 0.0
    while active:
        now = time.monotonic()
        if now >= end:
            break
        if now - last_sample > 0.2:
            rss_max = max(rss_max, status_kb(pid, "VmRSS"))
            last_sample = now
        events = p.poll(int(min(200, (end - now) * 1000)) + 1)
        for fd, ev in events:
            if fd not in active:
                continue
            s = by_fd[fd]
            if ev & (select.POLLERR | select.POLLHUP):
                closed.add(fd)
                active.discard(fd)
                p.unregister(fd)
                continue
            off = sent[fd]
            try:
                n = s.send(blob[off:budget])
            except BlockingIOError:
                continue
            except OSError as e:
                if e.errno in (errno.EPIPE, errno.ECONNRESET):
                    closed.add(fd)
                    active.discard(fd)
                    p.unregister(fd)
                    continue
                raise
            sent[fd] = off + n
            if sent[fd] >= budget:
                active.discard(fd)
                p.unregister(fd)
    out["send_s"] = "%.2f" % (time.monotonic() - t0)
    vals = list(sent.values()) or [0]
    out["budget"] = budget
    out["sent_total"] = sum(vals)
    out["sent_min"] = min(vals)
    out["sent_max"] = max(vals)
    out["full"] = sum(1 for v in vals if v >= budget)

    # Quiet phase: until beacond has done what it can (no CPU for 0.5 s),
    # at most 5 s; every connection still open and unread.
    t1 = time.monotonic()
    last = cpu_ticks(pid)
    still = 0.0
    while time.monotonic() - t1 < 5 and still < 0.5:
        time.sleep(0.1)
        rss_max = max(rss_max, status_kb(pid, "VmRSS"))
        cur = cpu_ticks(pid)
        still = still + 0.1 if cur == last else 0.0
        last = cur
    out["quiet_s"] = "%.2f" % (time.monotonic() - t1)

    # which connections has the server closed? (RDHUP/HUP: its FIN or RST)
    q = select.poll()
    for fd in by_fd:
        q.register(fd, select.POLLRDHUP | select.POLLHUP | select.POLLERR)
    for fd, ev in q.poll(0):
        if ev & (select.POLLRDHUP | select.POLLHUP | select.POLLERR):
            closed.add(fd)
    out["server_closed"] = len(closed)
    out["rss_during"] = status_kb(pid, "VmRSS")
    out["rss_during_max"] = max(rss_max, out["rss_during"])
    out["hwm_during"] = status_kb(pid, "VmHWM")
    if a.admin_port:
        m = metrics(a.admin_port)
        out["server_connections"] = m.get("beacon_connections", "absent")
        out["server_requests"] = m.get("beacon_requests_total", "absent")

    # Close everything (unread data: the kernel resets), then let it settle.
    for s in socks:
        s.close()
    t2 = time.monotonic()
    target = out["rss_before"] + a.settle_kib
    rss = status_kb(pid, "VmRSS")
    while rss >= target and time.monotonic() - t2 < a.settle:
        time.sleep(0.1)
        rss = status_kb(pid, "VmRSS")
    out["rss_after"] = rss
    out["settle_s"] = "%.2f" % (time.monotonic() - t2)
    out["hwm_after"] = status_kb(pid, "VmHWM")
    out["total_s"] = "%.2f" % (time.monotonic() - t_start)
    for k, v in out.items():
        print("%s=%s" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
