#!/usr/bin/env python3
"""mixed_send.py: the other ingest paths for t_wal_kill, beside the pixels.

Sends, in turn, a POST /e batch of 2 or 3 events (sendBeacon-style JSON,
text/plain), an e-mail open pixel GET /o/<site>/<campaign>/<token>.gif and
a signed click redirect (a URL of --links, in turn), one request at a
time on one keep-alive connection, until a request fails (beacond was
killed), --max requests were sent or --timeout seconds passed. One
request at a time: at most one request of all is left without an answer.
Only the standard library; every wait is bounded.

Prints one line per kind, then how the sender ended:

    kind=events sent=N counted=M other=O unanswered=U
    kind=opens ...
    kind=clicks ...
    end=cut|max|timeout requests=R

events are counted in events, opens and clicks in requests. counted:
events a 204 said X-Beacon-Accepted for; opens (200) and clicks (302)
answered X-Beacon: counted. other: what an answer said was not counted.
unanswered: what was sent in the request whose answer never came (its
header block did not arrive whole). So for each kind:
counted <= what Redis holds <= counted + unanswered.
end=cut: a connection failed (the kill); max, timeout: the bounds.
"""
import argparse
import json
import socket
import sys
import time
import urllib.parse

KINDS = ("events", "opens", "clicks")


class Cut(Exception):
    pass


def read_answer(sock, buf, io_timeout):
    """Reads one response: returns (status, headers, rest of buf). Raises
    Cut when the header block does not arrive whole."""
    sock.settimeout(io_timeout)
    try:
        while b"\r\n\r\n" not in buf:
            b = sock.recv(65536)
            if not b:
                raise Cut("closed")
            buf += b
    except OSError as e:
        raise Cut(repr(e))
    head, buf = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1.") or " " not in lines[0]:
        raise Cut("bad status line %r" % lines[0])
    status = lines[0].split(" ")[1]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    # the body (a GIF, a JSON error): the answer is known already, so a
    # body cut short changes nothing but the connection
    length = int(headers.get("content-length", "0"))
    try:
        while len(buf) < length:
            b = sock.recv(65536)
            if not b:
                headers["connection"] = "close"
                break
            buf += b
    except OSError:
        headers["connection"] = "close"
    return status, headers, buf[length:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--site", required=True)
    ap.add_argument("--campaign", required=True)
    ap.add_argument("--links", required=True,
                    help="a file of signed click URLs, one a line")
    ap.add_argument("--ua", required=True)
    ap.add_argument("--max", type=int, default=300000)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--io-timeout", type=float, default=2)
    args = ap.parse_args()
    links = []
    for line in open(args.links):
        if line.strip():
            u = urllib.parse.urlsplit(line.strip())
            links.append(u.path + "?" + u.query)
    if not links:
        sys.exit("mixed_send.py: no links in %s" % args.links)

    st = {k: {"sent": 0, "counted": 0, "other": 0, "unanswered": 0}
          for k in KINDS}
    start = time.monotonic()
    end = "max"
    sock = None
    buf = b""
    i = 0
    while i < args.max:
        if time.monotonic() - start > args.timeout:
            end = "timeout"
            break
        kind = KINDS[i % 3]
        if kind == "events":
            n = 2 + (i // 3) % 2
            body = json.dumps([{"s": args.site, "u": "/mix/%d" % j,
                                "e": "kill"} for j in range(n)]).encode()
            req = ("POST /e HTTP/1.1\r\nHost: t\r\nUser-Agent: %s\r\n"
                   "Content-Type: text/plain;charset=UTF-8\r\n"
                   "Content-Length: %d\r\n\r\n" % (args.ua, len(body))
                   ).encode() + body
        elif kind == "opens":
            n = 1
            req = ("GET /o/%s/%s/mix-%08d.gif HTTP/1.1\r\nHost: t\r\n"
                   "User-Agent: %s\r\n\r\n"
                   % (args.site, args.campaign, i, args.ua)).encode()
        else:
            n = 1
            req = ("GET %s HTTP/1.1\r\nHost: t\r\nUser-Agent: %s\r\n\r\n"
                   % (links[(i // 3) % len(links)], args.ua)).encode()
        if sock is None:
            try:
                sock = socket.create_connection(("127.0.0.1", args.port),
                                                timeout=args.io_timeout)
            except OSError:
                end = "cut"  # nothing of this request went out
                break
            buf = b""
        s = st[kind]
        s["sent"] += n
        i += 1
        try:
            # a request written only in part may still have reached
            # beacond: it counts as sent without an answer
            sock.settimeout(args.io_timeout)
            sock.sendall(req)
            status, headers, buf = read_answer(sock, buf, args.io_timeout)
        except (OSError, Cut):
            s["unanswered"] += n
            end = "cut"
            break
        if kind == "events":
            ok = int(headers.get("x-beacon-accepted", "0")) \
                if status == "204" else 0
        else:
            ok = n if headers.get("x-beacon") == "counted" else 0
        s["counted"] += ok
        s["other"] += n - ok
        if headers.get("connection", "").lower() == "close":
            sock.close()
            sock = None
    if sock is not None:
        sock.close()
    for k in KINDS:
        print("kind=%s sent=%d counted=%d other=%d unanswered=%d"
              % (k, st[k]["sent"], st[k]["counted"], st[k]["other"],
                 st[k]["unanswered"]))
    print("end=%s requests=%d" % (end, i), flush=True)


if __name__ == "__main__":
    main()
