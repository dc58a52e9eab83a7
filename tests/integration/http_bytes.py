#!/usr/bin/env python3
"""http_bytes.py: every byte placement of tests/data/http_placements.txt
against a running beacond (driven by t_http_bytes.sh).

Python standard library only; rawhttp.py (same directory) does the I/O.
For each placement and each byte under test (CR LF NUL HT SP VT FF and
0x80-0xFF) the request is sent followed by a well-formed pipelined pixel
of site "hidden": whole, split just before the byte and just after it
(a short pause between the sends) and, for CR LF NUL HT SP VT FF 0x80
0xFF, byte by byte from 10 bytes before the byte to 10 after it. (The
unit test test_http_bytes.c splits at every byte; with pauses, doing that
here would take too long.)

Expected, per the table: an accepted byte gives two counted answers (200
or 204 for the carrier, 200 for the hidden pixel); a refused one exactly
one answer, 400, and the server's close (a "framed" placement: the
carrier's answer first). Prints one line per failing case:

    FAIL <placement> byte=0x<hh> mode=<mode>: want <...>; got <...>

then one summary line:

    sends=N done=M failures=F expected_carrier=A expected_hidden=B
    counted_carrier=C counted_hidden=D seconds=S [stopped|deadline]

(expected_*: sends the table says are counted; counted_*: answers that
said so), and exits non-zero on any failure. Every socket operation has a
timeout, sending stops after --max-failures failing cases, and the whole
run has an alarm (--deadline).
"""

import argparse
import concurrent.futures
import os
import signal
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawhttp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "data", "http_placements.txt")

NAMED = {"CR": 0x0D, "LF": 0x0A, "NUL": 0x00, "HT": 0x09, "SP": 0x20,
         "VT": 0x0B, "FF": 0x0C}
BYTES = list(NAMED.values()) + list(range(0x80, 0x100))
BYTEWISE = set(NAMED.values()) | {0x80, 0xFF}
CLASSES = set(NAMED) | {"OBS"}
HIDDEN = ("GET /p.gif?s=hidden&u=/h HTTP/1.1\r\nHost: t\r\n"
          "User-Agent: {UA}\r\n\r\n")
POST_LINE = b"POST /e HTTP/1.1\r\n"
ESCAPES = {"r": "\r", "n": "\n", "t": "\t", "\\": "\\"}


class Placement:
    def __init__(self, name, line, prefix, suffix, accepted, status, framed):
        self.name = name
        self.line = line
        self.prefix = prefix    # bytes before the byte under test
        self.suffix = suffix    # bytes after it
        self.accepted = accepted
        self.status = status
        self.framed = framed
        self.post = (prefix + suffix).startswith(POST_LINE)

    def accepts(self, byte):
        cls = "OBS" if byte >= 0x80 else next(
            (k for k, v in NAMED.items() if v == byte), None)
        return cls in self.accepted


def unescape(s, ua, where):
    out, i = [], 0
    while i < len(s):
        if s.startswith("{UA}", i):
            out.append(ua)
            i += 4
        elif s[i] == "\\":
            if i + 1 >= len(s) or s[i + 1] not in ESCAPES:
                raise ValueError("%s: unknown escape" % where)
            out.append(ESCAPES[s[i + 1]])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def load_table(path, ua):
    """The placements of the table, as test_http_bytes.c reads them."""
    out = []
    with open(path, encoding="latin-1") as f:
        for n, raw in enumerate(f, 1):
            s = raw.strip()
            if not s or s.startswith("#"):
                continue
            where = "%s:%d" % (path, n)
            cols = [c.strip() for c in s.split("|", 3)]
            if len(cols) < 3:
                raise ValueError("%s: want name | template | accepted" % where)
            name, template, accepted = cols[:3]
            if template.count("@") != 1:
                raise ValueError("%s: a template needs exactly one '@'" % where)
            before, after = template.split("@")
            acc = set() if accepted == "-" else set(accepted.split())
            if not acc <= CLASSES:
                raise ValueError("%s: unknown byte class" % where)
            status, framed = 400, False
            for opt in (cols[3].split() if len(cols) > 3 else []):
                if opt == "framed":
                    framed = True
                elif opt.startswith("status="):
                    status = int(opt[7:])
                else:
                    raise ValueError("%s: unknown option" % where)
            out.append(Placement(
                name, n, unescape(before, ua, where).encode("latin-1"),
                unescape(after, ua, where).encode("latin-1"), acc, status,
                framed))
    return out


class Case:
    def __init__(self, p, byte, mode, data, chunks, delay):
        self.p = p
        self.byte = byte
        self.mode = mode
        self.data = data
        self.chunks = chunks
        self.delay = delay


def cases_of(p, byte, hidden, pause):
    data = p.prefix + bytes([byte]) + p.suffix + hidden
    pos = len(p.prefix)

    def cut(points):
        pts = [0] + [x for x in points if 0 < x < len(data)] + [len(data)]
        return [data[a:b] for a, b in zip(pts, pts[1:]) if b > a]

    out = [Case(p, byte, "whole", data, None, 0.0),
           Case(p, byte, "split-before", data, cut([pos]), pause),
           Case(p, byte, "split-after", data, cut([pos + 1]), pause)]
    if byte in BYTEWISE:
        lo, hi = max(0, pos - 10), min(len(data), pos + 11)
        out.append(Case(p, byte, "bytewise", data,
                        cut(range(lo, hi + 1)), pause))
    return out


def counted(resp, post):
    """1 when an answer says its hit was counted."""
    if post:
        return resp.code == 204 and resp.header("X-Beacon-Accepted") == "1"
    return resp.code == 200 and resp.header("X-Beacon") == "counted"


def describe(resps, closed, extra, note):
    parts = []
    for r in resps:
        tag = r.header("X-Beacon") or r.header("X-Beacon-Accepted")
        parts.append("%d%s" % (r.code, "" if tag is None else "(%s)" % tag))
    s = " ".join(parts) if parts else "no answer"
    if note:
        s += " " + note
    if extra:
        s += " +%d bytes" % extra
    return s + (" closed" if closed else " open")


def run(case, port, timeout):
    """Sends one case; returns (failure text or None, carrier answers
    counted, hidden answers counted)."""
    p = case.p
    accepted = p.accepts(case.byte)
    carrier = "204" if p.post else "200"
    if accepted:
        want = "%s(counted) 200(counted) open" % carrier
        n_resp = 2
    elif p.framed:
        want = "%s(counted) %d closed" % (carrier, p.status)
        n_resp = 2
    else:
        want = "%d closed" % p.status
        n_resp = 1
    resps, note, closed, extra = [], "", False, 0
    try:
        c = rawhttp.Conn("127.0.0.1", port, timeout)
    except OSError as e:
        return "want %s; got connect error %s" % (want, e), 0, 0
    try:
        c.send(case.data, case.chunks, case.delay)
        while len(resps) < n_resp:
            r = c.read_response(timeout=timeout)
            if r is None:
                note = "" if c.eof else "(timeout)"
                break
            resps.append(r)
        if accepted:
            while not c.eof and c.fill(0):
                pass
            closed = c.eof
        elif not note:
            closed = c.wait_close(timeout)
        # answers nobody should have sent, for the counts and the message
        while c.buf:
            r = c.read_response(timeout=0.05)
            if r is None:
                break
            resps.append(r)
        extra = len(c.buf)
    except (rawhttp.ProtocolError, OSError) as e:
        note = "(%s)" % e
    finally:
        c.close()

    # what the daemon counted, as its answers say: the first answer is the
    # carrier's, any other the hidden pixel's
    carrier_said = int(len(resps) > 0 and counted(resps[0], p.post))
    hidden_said = sum(counted(r, False) for r in resps[1:])
    if accepted:
        ok = (len(resps) == 2 and carrier_said and hidden_said == 1 and
              not closed)
    elif p.framed:
        ok = (len(resps) == 2 and carrier_said and
              resps[1].code == p.status and closed)
    else:
        ok = len(resps) == 1 and resps[0].code == p.status and closed
    ok = ok and extra == 0 and not note
    failure = None if ok else "want %s; got %s" % (
        want, describe(resps, closed, extra, note))
    return failure, carrier_said, hidden_said


class Tally:
    """The outcome so far, shared by the worker threads."""

    def __init__(self, max_failures):
        self.lock = threading.Lock()
        self.failures = []  # (case index, line)
        self.done = self.carrier = self.hidden = 0
        self.max_failures = max_failures
        self.stop = threading.Event()

    def add(self, i, case, failure, carrier, hidden):
        with self.lock:
            self.done += 1
            self.carrier += carrier
            self.hidden += hidden
            if failure is not None:
                self.failures.append((i, "FAIL %s byte=0x%02x mode=%s: %s" % (
                    case.p.name, case.byte, case.mode, failure)))
                if len(self.failures) >= self.max_failures:
                    self.stop.set()

    def report(self, cases, t0, why=""):
        with self.lock:
            for _, line in sorted(self.failures):
                print(line)
            exp_carrier = sum(1 for c in cases
                              if c.p.accepts(c.byte) or c.p.framed)
            exp_hidden = sum(1 for c in cases if c.p.accepts(c.byte))
            print("sends=%d done=%d failures=%d expected_carrier=%d "
                  "expected_hidden=%d counted_carrier=%d counted_hidden=%d "
                  "seconds=%.1f%s" % (
                      len(cases), self.done, len(self.failures), exp_carrier,
                      exp_hidden, self.carrier, self.hidden,
                      time.monotonic() - t0, why))
            sys.stdout.flush()
            return 1 if self.failures or self.done < len(cases) else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ua", required=True, help="BROWSER_UA of lib.sh")
    ap.add_argument("--table", default=TABLE)
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--pause", type=float, default=0.003,
                    help="seconds between the sends of a split case")
    ap.add_argument("--timeout", type=float, default=2.0,
                    help="seconds to wait for an answer or the close")
    ap.add_argument("--max-failures", type=int, default=200,
                    help="stop sending after this many failing cases")
    ap.add_argument("--deadline", type=float, default=120.0)
    a = ap.parse_args(argv)

    t0 = time.monotonic()
    table = load_table(a.table, a.ua)
    hidden = HIDDEN.replace("{UA}", a.ua).encode("latin-1")
    cases = [c for p in table for b in BYTES
             for c in cases_of(p, b, hidden, a.pause)]
    tally = Tally(a.max_failures)

    def on_alarm(signum, frame):
        print("FAIL deadline: the run took over %g s" % a.deadline)
        tally.report(cases, t0, " deadline")
        os._exit(3)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, a.deadline)

    def one(i):
        if not tally.stop.is_set():
            tally.add(i, cases[i], *run(cases[i], a.port, a.timeout))

    with concurrent.futures.ThreadPoolExecutor(a.workers) as pool:
        for _ in pool.map(one, range(len(cases))):
            pass
    signal.setitimer(signal.ITIMER_REAL, 0)
    why = " stopped" if tally.stop.is_set() else ""
    return tally.report(cases, t0, why)


if __name__ == "__main__":
    sys.exit(main())
