#!/usr/bin/env python3
"""loadgen.py: a bounded pixel load client for the integration tests.

Opens --conns keep-alive connections to beacond and sends --total
GET /p.gif hits over them, in batches of 1..--pipeline requests written
at once (pipelined), reading every response of a batch before the next.
Each response is parsed (status line, headers, Content-Length body) and
classified by its X-Beacon header: "counted" or anything else.

Only the standard library; every wait is bounded (--timeout overall,
--io-timeout per read), so it can never hang. Prints one summary line:

    sent=N counted=M other=K unanswered=U errors=E elapsed=S

sent: requests written; counted: responses that said X-Beacon: counted;
other: any other complete response; unanswered: requests written whose
response never arrived (connection closed or timed out). Exit status 0
when every request was answered, 1 otherwise, 3 on the overall timeout.

Options for the shape of the load:
  --sites a,b,c    site ids, chosen round-robin per request
  --paths N        distinct paths /p0 .. /p{N-1}, chosen round-robin
  --rate R         at most R requests per second overall (0: no limit)
  --ua STRING      User-Agent (default: a desktop Chrome)
  --query STRING   extra query parameters appended to every request
  --seed N         random seed for the batch sizes

Reporting:
  --per-site FILE  also write one line per site (in --sites order) to FILE,
                   after the summary line:

    site=S sent=N counted=M dropped=D nobeacon=B unanswered=U codes=C

  sent: requests for S written; counted: answered X-Beacon: counted;
  dropped: answered with another X-Beacon value (beacond said the hit is
  not counted); nobeacon: a complete response without X-Beacon, so not
  beacond's answer to a pixel (a proxy's 502, 503 or 504: the hit may or
  may not have reached beacond); unanswered: no response at all. dropped +
  nobeacon is the summary's "other"; counted + dropped + nobeacon +
  unanswered = sent. C lists the status codes of the nobeacon responses,
  as code:count joined by commas ("-" when there were none). So for each
  site: counted <= what beacond stored <= counted + nobeacon + unanswered.
"""
import argparse
import asyncio
import random
import sys
import time

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
          "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")


class State:
    def __init__(self, total):
        self.total = total
        self.claimed = 0      # requests handed to a connection
        self.sent = 0
        self.counted = 0
        self.other = 0
        self.errors = 0
        self.start = time.monotonic()
        # per site (--per-site): [sent, counted, dropped, nobeacon] and
        # the status codes of the nobeacon responses
        self.site = {}
        self.codes = {}

    def site_add(self, site, field, n=1):
        row = self.site.setdefault(site, [0, 0, 0, 0])
        row[field] += n


SENT, COUNTED, DROPPED, NOBEACON = range(4)


def site_of(args, i):
    return args.sites[i % len(args.sites)]


def request_bytes(args, i):
    site = site_of(args, i)
    path = "/p%d" % (i % args.paths)
    q = "s=%s&u=%s" % (site, path)
    if args.query:
        q += "&" + args.query
    return ("GET /p.gif?%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
            "Accept: image/*\r\n\r\n" % (q, args.host, args.ua)).encode()


async def read_response(reader, io_timeout):
    """Returns the X-Beacon value (None when absent), whether the
    connection closes, and the status code; or raises."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), io_timeout)
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1."):
        raise ValueError("bad status line %r" % lines[0])
    status = lines[0].split(" ")[1] if " " in lines[0] else "?"
    length = 0
    beacon = None
    close = False
    for line in lines[1:]:
        if ":" not in line:
            continue
        name, value = line.split(":", 1)
        name = name.strip().lower()
        value = value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "x-beacon":
            beacon = value
        elif name == "connection" and value.lower() == "close":
            close = True
    if length:
        await asyncio.wait_for(reader.readexactly(length), io_timeout)
    return beacon, close, status


async def paced(args, st):
    if args.rate <= 0:
        return
    due = st.start + st.claimed / args.rate
    delay = due - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


async def connection(args, st, rng):
    reader = writer = None
    try:
        while st.claimed < st.total:
            k = rng.randint(1, args.pipeline)
            k = min(k, st.total - st.claimed)
            first = st.claimed
            st.claimed += k
            await paced(args, st)
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(args.host, args.port),
                    args.io_timeout)
            data = b"".join(request_bytes(args, first + j) for j in range(k))
            writer.write(data)
            st.sent += k
            for j in range(k):
                st.site_add(site_of(args, first + j), SENT)
            await asyncio.wait_for(writer.drain(), args.io_timeout)
            for j in range(k):
                beacon, close, status = await read_response(
                    reader, args.io_timeout)
                site = site_of(args, first + j)
                if beacon == "counted":
                    st.counted += 1
                    st.site_add(site, COUNTED)
                else:
                    st.other += 1
                    if beacon is None:
                        st.site_add(site, NOBEACON)
                        codes = st.codes.setdefault(site, {})
                        codes[status] = codes.get(status, 0) + 1
                    else:
                        st.site_add(site, DROPPED)
                if close:
                    break
            if close:
                writer.close()
                writer = None
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError,
            asyncio.LimitOverrunError, ValueError) as e:
        st.errors += 1
        if args.verbose:
            print("loadgen: connection error: %r" % (e,), file=sys.stderr)
    finally:
        if writer is not None:
            writer.close()


async def main_async(args):
    st = State(args.total)
    rng = random.Random(args.seed)
    tasks = [asyncio.ensure_future(
        connection(args, st, random.Random(rng.random())))
        for _ in range(args.conns)]
    timed_out = False
    done, pending = await asyncio.wait(tasks, timeout=args.timeout)
    if pending:
        timed_out = True
        for t in pending:
            t.cancel()
        await asyncio.wait(pending, timeout=2)
    return st, timed_out


def write_per_site(args, st):
    seen = set()
    with open(args.per_site, "w") as f:
        for site in args.sites:
            if site in seen:
                continue
            seen.add(site)
            sent, counted, dropped, nobeacon = st.site.get(site, [0, 0, 0, 0])
            codes = st.codes.get(site, {})
            f.write("site=%s sent=%d counted=%d dropped=%d nobeacon=%d "
                    "unanswered=%d codes=%s\n"
                    % (site, sent, counted, dropped, nobeacon,
                       sent - counted - dropped - nobeacon,
                       ",".join("%s:%d" % (c, codes[c])
                                for c in sorted(codes)) or "-"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--total", type=int, default=1000)
    ap.add_argument("--conns", type=int, default=10)
    ap.add_argument("--pipeline", type=int, default=1,
                    help="largest batch of pipelined requests per write")
    ap.add_argument("--sites", default="load")
    ap.add_argument("--paths", type=int, default=10)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--ua", default=CHROME)
    ap.add_argument("--query", default="")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--io-timeout", type=float, default=10)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--per-site", metavar="FILE", default="",
                    help="write per-site counts to FILE (see above)")
    args = ap.parse_args()
    args.sites = args.sites.split(",")
    args.paths = max(1, args.paths)
    args.pipeline = max(1, args.pipeline)

    st, timed_out = asyncio.run(main_async(args))
    answered = st.counted + st.other
    print("sent=%d counted=%d other=%d unanswered=%d errors=%d elapsed=%.2f"
          % (st.sent, st.counted, st.other, st.sent - answered, st.errors,
             time.monotonic() - st.start), flush=True)
    if args.per_site:
        write_per_site(args, st)
    if timed_out:
        sys.exit(3)
    sys.exit(0 if answered == st.sent == args.total else 1)


if __name__ == "__main__":
    main()
