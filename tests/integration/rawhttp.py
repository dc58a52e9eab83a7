#!/usr/bin/env python3
"""rawhttp.py: a raw-socket HTTP/1.x client for the integration tests.

Python standard library only.  Sends arbitrary bytes (optionally cut into
chunks with small delays, to exercise split packets), reads responses by
parsing the status line, the header block and a Content-Length (or chunked)
body, so that pipelined responses can be split and counted in order, and
reports whether the server closed the connection and when.  Every socket
operation runs under a timeout and the whole run under an alarm, so a test
can never hang.

Library use:

    c = Conn("127.0.0.1", port)
    c.send(b"GET /p.gif?s=a&u=/ HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
    r = c.read_response()          # Response or None (EOF / timeout)
    c.wait_close(1.0)              # True if the server closed within 1 s

CLI (request bytes on stdin):

    python3 rawhttp.py --port P [options] < request-bytes

prints, for each response read, its status line followed by the selected
headers (`-H NAME`, repeatable, or --all-headers) as `Name: value`, one per
line, or with --codes only the status codes on one line; then, with --time,
a line `elapsed=S idle=S` (seconds from connect / from the last byte sent or
received to the server's close); and a final line `closed` or `open`.
Bytes that arrive after the expected responses are reported as `extra N`.
A read timeout in the middle of the expected responses prints `timeout`.

Options:
    --host H             default 127.0.0.1 (IPv6 literal without brackets ok)
    --port P             required
    --split A,B,...      cut the input at these byte offsets
    --bytewise           send every byte on its own
    --bytewise-from N    send the first N bytes at once, then byte by byte
    --delay S            pause between chunks (default 0.02 s when chunked)
    --responses N        responses to read (default 1; 0: read none)
    --no-body            responses carry no body (answers to HEAD)
    -H NAME              print this header (repeatable, case-insensitive)
    --all-headers        print every header
    --body-len           print `body-length N` after each response
    --codes              print only the status codes, space-separated
    --wait-close S       how long to wait for the server's close (default 0.3)
    --time               print `elapsed=... idle=...` when closed
    --timeout S          per-read timeout (default 3)
    --deadline S         hard limit of the whole run (default 30)
"""

import argparse
import errno
import os
import select
import signal
import socket
import sys
import time


class Response:
    def __init__(self, version, code, reason, headers, body):
        self.version = version
        self.code = code
        self.reason = reason
        self.headers = headers  # list of (name, value) in order
        self.body = body

    @property
    def status_line(self):
        return ("%s %d %s" % (self.version, self.code, self.reason)).rstrip()

    def header(self, name):
        """First value of header NAME (case-insensitive) or None."""
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]


class ProtocolError(Exception):
    pass


class Conn:
    def __init__(self, host="127.0.0.1", port=8080, timeout=3.0):
        self.timeout = timeout
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.t0 = time.monotonic()
        self.sock.connect((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.eof = False
        self.eof_at = None
        self.reset = False
        self.send_failed = False
        self.last_activity = time.monotonic()

    # -- low level -------------------------------------------------------
    def _mark_eof(self, reset=False):
        if not self.eof:
            self.eof = True
            self.eof_at = time.monotonic()
            self.reset = reset

    def fill(self, timeout):
        """Waits up to TIMEOUT for data or EOF.  Returns True if anything
        happened (data or EOF), False on timeout."""
        if self.eof:
            return True
        r, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        if not r:
            return False
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except OSError as e:
            if e.errno in (errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED):
                self._mark_eof(reset=True)
                return True
            raise
        if not data:
            self._mark_eof()
        else:
            self.buf += data
            self.last_activity = time.monotonic()
        return True

    def _drain_nowait(self):
        while not self.eof and self.fill(0):
            pass

    def send(self, data, chunks=None, delay=0.0):
        """Sends DATA, cut into CHUNKS (a list of byte strings summing to
        DATA) if given, pausing DELAY seconds between them while watching
        for the server's answer or close.  Stops early if the server closes
        or resets.  Returns the number of bytes sent."""
        if chunks is None:
            chunks = [data]
        sent = 0
        for i, chunk in enumerate(chunks):
            if i > 0 and delay > 0:
                end = time.monotonic() + delay
                while not self.eof:
                    left = end - time.monotonic()
                    if left <= 0:
                        break
                    self.fill(left)
            else:
                self._drain_nowait()
            if self.eof:
                break
            try:
                self.sock.sendall(chunk)
            except OSError as e:
                if e.errno in (errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED):
                    self.send_failed = True
                    self._mark_eof(reset=True)
                    break
                raise
            sent += len(chunk)
            self.last_activity = time.monotonic()
        return sent

    def _need(self, n, timeout):
        """Ensures len(buf) >= n.  False on EOF or timeout."""
        end = time.monotonic() + timeout
        while len(self.buf) < n:
            if self.eof:
                return False
            left = end - time.monotonic()
            if left <= 0 or not self.fill(left):
                return False
        return True

    def _need_find(self, pat, start, timeout):
        end = time.monotonic() + timeout
        while True:
            i = self.buf.find(pat, start)
            if i >= 0:
                return i
            if self.eof:
                return -1
            left = end - time.monotonic()
            if left <= 0 or not self.fill(left):
                return -1

    # -- responses -------------------------------------------------------
    def read_response(self, no_body=False, timeout=None):
        """Reads one response.  Returns a Response, or None when the
        connection closed or the read timed out before a complete response
        (check .eof to tell which).  Raises ProtocolError on garbage."""
        timeout = self.timeout if timeout is None else timeout
        end = self._need_find(b"\r\n\r\n", 0, timeout)
        if end < 0:
            return None
        head = bytes(self.buf[:end]).decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise ProtocolError("bad status line: %r" % lines[0][:200])
        version, code = parts[0], int(parts[1])
        reason = parts[2] if len(parts) > 2 else ""
        headers = []
        for line in lines[1:]:
            if ":" not in line:
                raise ProtocolError("bad header line: %r" % line[:200])
            n, v = line.split(":", 1)
            headers.append((n, v.strip(" \t")))
        del self.buf[:end + 4]
        resp = Response(version, code, reason, headers, b"")
        if no_body or code < 200 or code in (204, 304):
            return resp
        te = resp.header("Transfer-Encoding")
        cl = resp.header("Content-Length")
        if te is not None and "chunked" in te.lower():
            body = bytearray()
            while True:
                i = self._need_find(b"\r\n", 0, timeout)
                if i < 0:
                    return None
                size = int(bytes(self.buf[:i]).split(b";")[0].strip(), 16)
                del self.buf[:i + 2]
                if size == 0:
                    # trailer section: lines up to an empty one
                    while True:
                        j = self._need_find(b"\r\n", 0, timeout)
                        if j < 0:
                            return None
                        del self.buf[:j + 2]
                        if j == 0:
                            break
                    break
                if not self._need(size + 2, timeout):
                    return None
                body += self.buf[:size]
                del self.buf[:size + 2]
            resp.body = bytes(body)
        elif cl is not None:
            n = int(cl)
            if not self._need(n, timeout):
                return None
            resp.body = bytes(self.buf[:n])
            del self.buf[:n]
        elif (resp.header("Connection") or "").lower() == "close":
            while not self.eof and self.fill(timeout):
                pass
            resp.body = bytes(self.buf)
            del self.buf[:]
        return resp

    def wait_close(self, timeout):
        """Waits up to TIMEOUT for EOF, collecting any bytes that arrive in
        self.buf.  Returns True if the connection is closed."""
        end = time.monotonic() + timeout
        while not self.eof:
            left = end - time.monotonic()
            if left <= 0:
                break
            self.fill(left)
        return self.eof

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def set_deadline(seconds, line="deadline"):
    """Bounds the whole run: after SECONDS, prints LINE and exits with 3,
    whatever the run is waiting for."""

    def on_alarm(signum, frame):
        print(line)
        sys.stdout.flush()
        os._exit(3)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def make_chunks(data, split=None, bytewise=False, bytewise_from=None):
    if bytewise:
        return [data[i:i + 1] for i in range(len(data))]
    if bytewise_from is not None:
        n = bytewise_from
        return [data[:n]] + [data[i:i + 1] for i in range(n, len(data))]
    if split:
        cuts = sorted(set(o for o in split if 0 < o < len(data)))
        out, prev = [], 0
        for o in cuts:
            out.append(data[prev:o])
            prev = o
        out.append(data[prev:])
        return out
    return None


def main(argv=None):
    ap = argparse.ArgumentParser(description="raw HTTP client for tests")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--split", default="")
    ap.add_argument("--bytewise", action="store_true")
    ap.add_argument("--bytewise-from", type=int)
    ap.add_argument("--delay", type=float)
    ap.add_argument("--responses", type=int, default=1)
    ap.add_argument("--no-body", action="store_true")
    ap.add_argument("-H", "--header", action="append", default=[])
    ap.add_argument("--all-headers", action="store_true")
    ap.add_argument("--body-len", action="store_true")
    ap.add_argument("--codes", action="store_true")
    ap.add_argument("--wait-close", type=float, default=0.3)
    ap.add_argument("--time", action="store_true")
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--deadline", type=float, default=30.0)
    a = ap.parse_args(argv)

    set_deadline(a.deadline)

    data = sys.stdin.buffer.read()
    split = [int(x) for x in a.split.split(",") if x.strip()] if a.split else None
    chunks = make_chunks(data, split, a.bytewise, a.bytewise_from)
    delay = a.delay if a.delay is not None else (0.02 if chunks else 0.0)

    out = []
    try:
        c = Conn(a.host, a.port, a.timeout)
    except OSError as e:
        print("connect-failed %s" % e.strerror)
        return 2
    if data:
        c.send(data, chunks, delay)

    codes = []
    for _ in range(a.responses):
        try:
            r = c.read_response(no_body=a.no_body)
        except ProtocolError as e:
            out.append("protocol-error %s" % e)
            break
        if r is None:
            if not c.eof:
                out.append("timeout")
            break
        codes.append(str(r.code))
        if not a.codes:
            out.append(r.status_line)
            wanted = [h.lower() for h in a.header]
            for n, v in r.headers:
                if a.all_headers or n.lower() in wanted:
                    out.append("%s: %s" % (n, v))
            if a.body_len:
                out.append("body-length %d" % len(r.body))
    if a.codes:
        out.insert(0, " ".join(codes))

    closed = c.wait_close(a.wait_close)
    if c.buf:
        out.append("extra %d" % len(c.buf))
    if a.time and closed:
        out.append("elapsed=%.3f idle=%.3f" % (c.eof_at - c.t0,
                                               c.eof_at - c.last_activity))
    out.append("closed" if closed else "open")
    c.close()
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
