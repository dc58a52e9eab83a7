#!/usr/bin/env python3
"""t_admin_limits.py: helpers of t_admin_limits.sh (standard library only).

    flood --port P --body cl|chunked|none [--bytes N] [--bound S] < HEAD

Sends HEAD (a request head, read from stdin) at once, then waits up to
--answer-wait seconds for the answer before sending a single body byte.
Then, whatever the answer, pushes up to N bytes of body (Content-Length
bytes, or 1 MiB chunks for "chunked") as fast as the socket takes them,
non-blocking, for at most S seconds, and stops early when the server
resets the connection or refuses the bytes. Prints key=value lines:

    code=413              status of the answer ("none" if there was none)
    allow=GET, HEAD       its Allow header ("" if absent)
    answer_before_body=yes  the whole answer arrived before any body byte
    answer_ms=3.1         from the end of the head to the answer
    eof_after_answer=yes  the server closed (EOF) right after its answer
    extra=0               bytes after the answer
    body_sent=209715200   body bytes the socket took
    flood_s=0.8           time spent sending them
    stop=done|reset|bound why the sending stopped

    cap --port P [--held 64]

Opens HELD idle connections to the admin port, then one more, which must
be closed at once without an answer; checks that a held connection still
answers GET /livez; closes 4 held ones and reads /metrics on a new
connection (polling until beacon_admin_connections shows the closes);
then closes everything. Prints key=value lines:

    held_open=64          held connections still open (no EOF) before the extra one
    extra_closed=yes      the extra connection got EOF/reset ...
    extra_close_ms=0.4    ... this fast after connect
    extra_bytes=0         bytes the extra connection received
    held_answers=200      the status a held connection got for GET /livez
    metrics_code=200      status of the /metrics read
    rejected=N            beacon_admin_connections_rejected_total
    connections=N         beacon_admin_connections (the reader included)
"""

import argparse
import errno
import os
import select
import signal
import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawhttp  # noqa: E402

GONE = (errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED)


def flood(a):
    head = sys.stdin.buffer.read()
    out = {}
    c = rawhttp.Conn("127.0.0.1", a.port, timeout=a.answer_wait)
    t_head = time.monotonic()
    c.sock.sendall(head)
    resp = None
    try:
        resp = c.read_response(timeout=a.answer_wait)
    except rawhttp.ProtocolError as e:
        out["protocol_error"] = str(e)
    t_ans = time.monotonic()
    out["code"] = str(resp.code) if resp else "none"
    out["allow"] = (resp.header("Allow") or "") if resp else ""
    out["answer_before_body"] = "yes" if resp else "no"
    out["answer_ms"] = "%.1f" % ((t_ans - t_head) * 1000)
    # the close follows the answer at once: wait briefly for the EOF
    out["eof_after_answer"] = "yes" if resp and c.wait_close(0.5) else "no"
    out["extra"] = str(len(c.buf))

    # The body: as fast as the socket takes it, bounded in bytes and time.
    s = c.sock
    s.setblocking(False)
    if a.body == "chunked":
        unit = b"100000\r\n" + b"x" * 0x100000 + b"\r\n"
    else:
        unit = b"x" * 0x100000
    view = memoryview(unit)
    sent = 0
    off = 0
    stop = "done"
    t0 = time.monotonic()
    end = t0 + a.bound
    while a.body != "none" and sent < a.bytes:
        left = end - time.monotonic()
        if left <= 0:
            stop = "bound"
            break
        _, w, _ = select.select([], [s], [], min(left, 0.5))
        if not w:
            continue
        try:
            n = s.send(view[off:])
        except BlockingIOError:
            continue
        except OSError as e:
            if e.errno in GONE:
                stop = "reset"
                break
            raise
        sent += n
        off += n
        if off == len(unit):
            off = 0
    out["body_sent"] = str(sent)
    out["flood_s"] = "%.2f" % (time.monotonic() - t0)
    out["stop"] = stop
    c.close()
    for k, v in out.items():
        print("%s=%s" % (k, v))
    return 0


def metrics_read(port):
    c = rawhttp.Conn("127.0.0.1", port, timeout=3)
    c.send(b"GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    r = c.read_response()
    c.close()
    if r is None:
        return "none", {}
    vals = {}
    for line in r.body.decode("latin-1").splitlines():
        if line and not line.startswith("#"):
            parts = line.split()
            if len(parts) >= 2:
                vals[parts[0]] = parts[1]
    return str(r.code), vals


def cap(a):
    out = {}
    held = []
    for _ in range(a.held):
        s = socket.create_connection(("127.0.0.1", a.port), timeout=3)
        held.append(s)
    time.sleep(0.3)  # let the server accept them all

    def is_open(s):
        r, _, _ = select.select([s], [], [], 0)
        if not r:
            return True
        try:
            return s.recv(1, socket.MSG_PEEK) != b""
        except OSError:
            return False

    out["held_open"] = str(sum(1 for s in held if is_open(s)))

    # the one over the cap: closed without an answer, at once
    t0 = time.monotonic()
    x = socket.create_connection(("127.0.0.1", a.port), timeout=3)
    got = b""
    closed = False
    try:
        x.sendall(b"GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
    except OSError:
        pass
    end = t0 + 2.0
    while time.monotonic() < end:
        r, _, _ = select.select([x], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        try:
            d = x.recv(65536)
        except OSError:
            closed = True
            break
        if not d:
            closed = True
            break
        got += d
    out["extra_closed"] = "yes" if closed else "no"
    out["extra_close_ms"] = "%.1f" % ((time.monotonic() - t0) * 1000)
    out["extra_bytes"] = str(len(got))
    x.close()

    # a held connection still works
    h = held.pop()
    c = rawhttp.Conn.__new__(rawhttp.Conn)
    c.timeout = 3.0
    c.sock = h
    c.t0 = c.last_activity = time.monotonic()
    c.buf = bytearray()
    c.eof = c.reset = c.send_failed = False
    c.eof_at = None
    h.settimeout(3)
    c.send(b"GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
    r = c.read_response()
    out["held_answers"] = str(r.code) if r else "none"
    held.append(h)

    # close 4, then read /metrics (its own connection counts too)
    for s in held[:4]:
        s.close()
    held = held[4:]
    want = str(len(held) + 1)
    code, vals = "none", {}
    end = time.monotonic() + 3
    while time.monotonic() < end:
        code, vals = metrics_read(a.port)
        if vals.get("beacon_admin_connections") == want:
            break
        time.sleep(0.1)
    out["metrics_code"] = code
    out["rejected"] = vals.get("beacon_admin_connections_rejected_total", "absent")
    out["connections"] = vals.get("beacon_admin_connections", "absent")
    out["connections_expected"] = want
    for s in held:
        s.close()
    for k, v in out.items():
        print("%s=%s" % (k, v))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["flood", "cap"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--body", choices=["cl", "chunked", "none"], default="none")
    ap.add_argument("--bytes", type=int, default=200 * 1024 * 1024)
    ap.add_argument("--bound", type=float, default=5.0)
    ap.add_argument("--answer-wait", type=float, default=2.0)
    ap.add_argument("--held", type=int, default=64)
    ap.add_argument("--deadline", type=float, default=20.0)
    a = ap.parse_args()

    rawhttp.set_deadline(a.deadline, "deadline=yes")
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    return flood(a) if a.cmd == "flood" else cap(a)


if __name__ == "__main__":
    sys.exit(main())
