#!/usr/bin/env python3
"""burst_send.py PORT TOTAL PAGES VISITORS [CONNS [SITES]]: the cardinality
burst.

TOTAL pixels, as fast as CONNS keep-alive connections (default 2) take
them 64 at a time pipelined, each from one of VISITORS addresses (sent in
X-Forwarded-For: beacond must trust 127.0.0.1) for one of PAGES pages of
one site ("burst"), or of SITES sites ("f0", "f1", ...) in turn, a fifth
with a referrer. Pages and visitors are drawn so that
every visitor and nearly every page comes at least once. Prints
"sent=N answered=N elapsed=S".
"""
import socket
import sys
import threading
import time

UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
      "Gecko) Chrome/126.0.0.0 Safari/537.36")


def run(port, first, count, pages, visitors, sites, answered, slot):
    s = socket.create_connection(("127.0.0.1", port))
    done = 0
    i = first
    while done < count:
        n = min(64, count - done)
        reqs = []
        for k in range(i, i + n):
            v = k % visitors
            p = (k * 7919) % pages
            ref = "&r=https://ref%d.example/" % (k % 50) if k % 5 == 0 else ""
            site = "burst" if sites == 0 else "f%d" % (k % sites)
            reqs.append(("GET /p.gif?s=%s&u=/area%d/page%d%s HTTP/1.1\r\n"
                         "Host: b\r\nUser-Agent: %s\r\nX-Forwarded-For: "
                         "10.%d.%d.%d\r\n\r\n" % (site, p % 20, p, ref, UA,
                                                  v >> 16 & 255, v >> 8 & 255,
                                                  v & 255)).encode())
        s.sendall(b"".join(reqs))
        got = 0
        buf = b""
        while got < n:
            chunk = s.recv(1 << 20)
            if not chunk:
                raise SystemExit("burst_send: connection closed")
            buf += chunk
            got = buf.count(b"HTTP/1.1 ")
        # the last answer's body must be whole before the next write
        while not buf.endswith(b";"):
            buf += s.recv(1 << 16)
        done += n
        i += n
    answered[slot] = done
    s.close()


def main():
    port, total, pages, visitors = (int(a) for a in sys.argv[1:5])
    conns = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    sites = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    answered = [0] * conns
    per = total // conns
    threads = []
    t0 = time.time()
    for c in range(conns):
        count = per if c < conns - 1 else total - per * (conns - 1)
        t = threading.Thread(target=run, args=(port, c * per, count, pages,
                                               visitors, sites, answered, c))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    print("sent=%d answered=%d elapsed=%.2f" % (total, sum(answered),
                                                time.time() - t0))


if __name__ == "__main__":
    main()
