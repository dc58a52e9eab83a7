# addr_search.py: the address search of the privacy tests (t_no_addresses,
# t_syslog_nginx, t_syslog_tcp), shared so that every test searches the
# same places in the same forms.
#
#   addr_search.py monitor REDIS_PORT OUT
#       writes every command Redis receives, as MONITOR prints it, to OUT
#       (until Redis closes the connection or the process is killed)
#
#   addr_search.py search --redis-port PORT [--monitor FILE]
#                  [--listen6 PORT]... [--salt-key KEY] [--site-needle TEXT]
#                  PATHS... -- ADDRESSES...
#       searches every Redis key name and value (DUMP and the type's own
#       read, every database), the MONITOR capture, and every file under
#       PATHS for each address as text (IPv6 compressed and expanded, any
#       case), as hex (any case) and as raw bytes (IPv4: 4 bytes in both
#       orders and IPv4-mapped 16 bytes; IPv6: 16 bytes); in the MONITOR
#       capture also in MONITOR's escaped form. A write-ahead log segment
#       (*.wal) is searched for the text forms whole and for the raw ones
#       in each record's data fields (what the log holds, without its
#       framing and numbers); one that does not parse is searched whole. Prints one line per address
#       form found ("FOUND ..."), one line per control needle found
#       ("CONTROL name where"; the controls are --site-needle in key names,
#       "HYLL" in values, the first 16 bytes of --salt-key's value), one
#       line per path that does not exist ("ABSENT path": nothing there was
#       searched), and a summary ("SCANNED ...").
#
# ::1 as text is also an IPv6 listen address "[::1]:PORT" that the server
# prints when it starts and that its config holds: those exact occurrences,
# for each --listen6 PORT, are the server's own address, not a client's,
# and only they are skipped.
import argparse
import ipaddress
import os
import socket
import sys


def monitor(port, out):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"*1\r\n$7\r\nMONITOR\r\n")
    with open(out, "wb", buffering=0) as f:
        while True:
            d = s.recv(65536)
            if not d:
                break
            f.write(d)


class Redis:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.s.makefile("rb")

    def cmd(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)
        return self.reply()

    def reply(self):
        line = self.f.readline()
        t, rest = line[:1], line[1:-2]
        if t == b"+":
            return rest
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            return data[:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise RuntimeError("bad reply %r" % line)


def sds_repr(b):
    """How MONITOR prints bytes (sdscatrepr)."""
    out = []
    for c in b:
        ch = chr(c)
        if ch in '\\"':
            out.append("\\" + ch)
        elif c == 10: out.append("\\n")
        elif c == 13: out.append("\\r")
        elif c == 9: out.append("\\t")
        elif c == 7: out.append("\\a")
        elif c == 8: out.append("\\b")
        elif 0x20 <= c < 0x7f: out.append(ch)
        else: out.append("\\x%02x" % c)
    return "".join(out).encode()


def wal_records(data):
    """The record payloads of a write-ahead log segment (aggregator/wal.h:
    a 32-byte header, then blocks of records len (4, LE), CRC (4) and
    records, each a length (2, LE) and its payload, then zeros), or None
    when data is not one: it is then searched whole."""
    if len(data) < 32 or data[:8] != b"BCNWAL01":
        return None
    out, off = [], 32
    while off + 8 <= len(data):
        n = int.from_bytes(data[off:off + 4], "little")
        if n == 0:
            break
        end = off + 8 + n
        if end > len(data):
            return None
        r = off + 8
        while r + 2 <= end:
            m = int.from_bytes(data[r:r + 2], "little")
            if m == 0 or r + 2 + m > end:
                return None
            out.append(data[r + 2:r + 2 + m])
            r += 2 + m
        off = end
    return out


def wal_fields(rec):
    """The data fields of a log record (proto/walrec.h): site, path,
    referrer, utm values, event, campaign, link, and the 16-byte visitor
    pseudonym or recipient hash; or None when rec does not parse (it is
    then searched whole). The rest is kind, time, flags, classes and
    lengths: numbers, whose bytes next to a field's can spell an address's
    4 bytes by chance (flags 3, device 0, browser 0 and a pseudonym
    starting with 0x7f are 127.0.0.3 backwards)."""
    fields, off = [], 0

    def take(n):
        nonlocal off
        if off + n > len(rec):
            raise ValueError
        b = rec[off:off + n]
        off += n
        return b

    def num(n):
        return int.from_bytes(take(n), "little")

    try:
        kind = num(1)
        take(8)  # time
        fields.append(take(num(1)))  # site
        if kind == 1:  # hit
            flags = num(1)
            take(2)  # device, browser
            if flags & 2:
                fields.append(take(16))
            fields.append(take(num(2)))  # path
            for _ in range(5):  # ref, utm source/medium/campaign, event
                fields.append(take(num(1)))
        elif kind in (2, 3):  # open, click
            if kind == 2:
                take(1)  # class
            if num(1) & 1:
                fields.append(take(16))
            fields.append(take(num(1)))  # campaign
            if kind == 3:
                fields.append(take(num(1)))  # link
        else:
            return None
    except ValueError:
        return None
    return fields if off == len(rec) else None


def address_needles(addrs):
    """(description, bytes, case-insensitive) for every form of each."""
    needles = []
    for a in addrs:
        ip = ipaddress.ip_address(a)
        raw = ip.packed
        if ip.version == 4:
            forms = [("text", a.encode(), True),
                     ("4 bytes", raw, False),
                     ("4 bytes reversed", raw[::-1], False),
                     ("IPv4-mapped 16 bytes", b"\0" * 10 + b"\xff\xff" + raw, False),
                     ("hex", raw.hex().encode(), True)]
        else:
            forms = [("text", ip.compressed.encode(), True),
                     ("expanded text", ip.exploded.encode(), True),
                     ("16 bytes", raw, False),
                     ("hex", raw.hex().encode(), True)]
        for name, b, ci in forms:
            needles.append(("%s (%s)" % (a, name), b, ci))
    return needles


def search_all(opts, paths, addrs):
    needles = address_needles(addrs)
    listen_forms = [("[::1]:%s" % p).encode() for p in opts.listen6]

    def occurrences(hay, needle, ci):
        h = hay.lower() if ci else hay
        n = needle.lower() if ci else needle
        i = h.find(n)
        while i >= 0:
            yield i
            i = h.find(n, i + 1)

    def is_listen_address(hay, i):
        return any(hay[max(0, i - 1):i - 1 + len(f)] == f for f in listen_forms)

    def found_in(hay, needle, ci):
        for i in occurrences(hay, needle, ci):
            if needle == b"::1" and is_listen_address(hay, i):
                continue
            return True
        return False

    findings = []
    controls = set()

    r = Redis(opts.redis_port)
    salt = (r.cmd("GET", opts.salt_key) if opts.salt_key else None) or b""
    control_needles = [("site-id", opts.site_needle.encode()), ("hll", b"HYLL"),
                       ("salt", salt[:16])]

    def search(where, data, monitor=False, forms="all"):
        for desc, b, ci in needles:
            # the text forms are the case-insensitive ones
            if forms != "all" and ci != (forms == "text"):
                continue
            if found_in(data, b, ci):
                findings.append("FOUND %s in %s" % (desc, where))
            if monitor and not ci and found_in(data, sds_repr(b), False):
                findings.append("FOUND %s in %s (escaped)" % (desc, where))
        for name, b in control_needles:
            if b and b in data:
                controls.add("%s %s" % (name, where.split(":")[0]))
            if monitor and b and sds_repr(b) in data:
                controls.add("%s %s-escaped" % (name, where.split(":")[0]))

    n_keys = n_dbs = 0
    for db in range(int(r.cmd("CONFIG", "GET", "databases")[1])):
        r.cmd("SELECT", db)
        cursor, keys = b"0", []
        while True:
            cursor, batch = r.cmd("SCAN", cursor, "COUNT", 1000)
            keys += batch
            if cursor == b"0":
                break
        if keys:
            n_dbs += 1
        for k in sorted(set(keys)):
            n_keys += 1
            name = "db%d key %r" % (db, k.decode("latin-1"))
            search("redis-keyname: " + name, k)
            dump = r.cmd("DUMP", k)
            search("redis-dump: " + name, dump or b"")
            t = r.cmd("TYPE", k).decode()
            if t == "string":
                items = [r.cmd("GET", k)]
            elif t == "hash":
                items = r.cmd("HGETALL", k)
            elif t == "zset":
                items = r.cmd("ZRANGE", k, 0, -1, "WITHSCORES")
            elif t == "set":
                items = r.cmd("SMEMBERS", k)
            elif t == "list":
                items = r.cmd("LRANGE", k, 0, -1)
            elif t == "stream":
                items = [repr(e).encode() for e in r.cmd("XRANGE", k, "-", "+")]
            else:
                items = []
                findings.append("UNREAD %s of type %s" % (name, t))
            for it in items:
                search("redis-value: " + name, it or b"")
    n_files = n_bytes = 0
    absent = []
    for p in paths:
        if not os.path.exists(p):
            absent.append(p)  # said, so that no one takes it for searched
            continue
        walk = [(p, [], [""])] if os.path.isfile(p) else os.walk(p)
        for root, _, files in walk:
            for f in files:
                fp = os.path.join(root, f) if f else root
                with open(fp, "rb") as fh:
                    data = fh.read()
                n_files += 1
                n_bytes += len(data)
                records = wal_records(data) if fp.endswith(".wal") else None
                if records is None:
                    search("file: " + fp, data)
                    continue
                # A log segment: text forms in the whole file, raw forms
                # in each record's data fields (its framing is lengths
                # and CRCs, its other fields small numbers, whose bytes
                # next to random ones can spell a loopback address's 4
                # bytes by chance); a record that does not parse, whole
                search("file: " + fp, data, forms="text")
                for i, rec in enumerate(records):
                    fields = wal_fields(rec)
                    for j, field in enumerate(fields if fields is not None else [rec]):
                        search("file: %s record %d field %d" % (fp, i, j),
                               field, forms="raw")
    mon = b""
    if opts.monitor:
        with open(opts.monitor, "rb") as fh:
            mon = fh.read()
        search("monitor: %d bytes" % len(mon), mon, monitor=True)
    for line in findings:
        print(line)
    for c in sorted(controls):
        print("CONTROL " + c)
    for p in absent:
        print("ABSENT " + p)
    print("SCANNED keys=%d dbs=%d files=%d bytes=%d monitor=%d needles=%d"
          % (n_keys, n_dbs, n_files, n_bytes, len(mon), len(needles)))


def main(argv):
    if len(argv) == 3 and argv[0] == "monitor":
        monitor(int(argv[1]), argv[2])
        return 0
    if not argv or argv[0] != "search" or "--" not in argv:
        sys.stderr.write("usage: addr_search.py monitor PORT OUT | "
                         "search --redis-port PORT [...] PATHS... -- ADDRESSES...\n")
        return 2
    cut = argv.index("--")
    ap = argparse.ArgumentParser(prog="addr_search.py search")
    ap.add_argument("--redis-port", type=int, required=True)
    ap.add_argument("--monitor")
    ap.add_argument("--listen6", action="append", default=[])
    ap.add_argument("--salt-key")
    ap.add_argument("--site-needle", default="")
    ap.add_argument("paths", nargs="*")
    opts = ap.parse_args(argv[1:cut])
    addrs = argv[cut + 1:]
    if not addrs:
        sys.stderr.write("addr_search.py: no addresses to search for\n")
        return 2
    search_all(opts, opts.paths, addrs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
