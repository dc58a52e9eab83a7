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


def request_bytes(args, i):
    site = args.sites[i % len(args.sites)]
    path = "/p%d" % (i % args.paths)
    q = "s=%s&u=%s" % (site, path)
    if args.query:
        q += "&" + args.query
    return ("GET /p.gif?%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
            "Accept: image/*\r\n\r\n" % (q, args.host, args.ua)).encode()


async def read_response(reader, io_timeout):
    """Returns the X-Beacon value ('' when absent), or raises."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), io_timeout)
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1."):
        raise ValueError("bad status line %r" % lines[0])
    length = 0
    beacon = ""
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
    return beacon, close


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
            await asyncio.wait_for(writer.drain(), args.io_timeout)
            for _ in range(k):
                beacon, close = await read_response(reader, args.io_timeout)
                if beacon == "counted":
                    st.counted += 1
                else:
                    st.other += 1
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
    args = ap.parse_args()
    args.sites = args.sites.split(",")
    args.paths = max(1, args.paths)
    args.pipeline = max(1, args.pipeline)

    st, timed_out = asyncio.run(main_async(args))
    answered = st.counted + st.other
    print("sent=%d counted=%d other=%d unanswered=%d errors=%d elapsed=%.2f"
          % (st.sent, st.counted, st.other, st.sent - answered, st.errors,
             time.monotonic() - st.start), flush=True)
    if timed_out:
        sys.exit(3)
    sys.exit(0 if answered == st.sent == args.total else 1)


if __name__ == "__main__":
    main()
