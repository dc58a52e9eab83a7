#!/usr/bin/env python3
"""bench/report.py: one report of `make bench`, as markdown.

Reads the result lines that bench/run.sh, bench/wal_cost.sh,
bench/syslog.sh, bench/burst.sh and bench/flush.sh append to the file named by BENCH_RESULTS (their human
lines, "key=value" fields, plus one "command: ..." line each), and writes
one table per kind (the HTTP loads against nginx, the write-ahead log's
cost, the syslog ingest, the cardinality burst, the flush throughput), the issue's targets marked met or missed, the
machine's description and the commands that produced it. Prints the same
markdown on stdout.

    bench/report.py [--out bench/RESULTS.md] [--command 'make bench']
                    [--beacond build/beacond] RESULTS_FILE

Standard library only.
"""
import argparse
import datetime
import os
import platform
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# The loads bench/run.sh runs, in its order; others follow as they come.
LOADS = ["minimal", "mix", "pipeline16", "mail-open", "mail-click", "batch"]


def fields(words):
    """key=value words as a dict; a trailing % is dropped."""
    out = {}
    for w in words:
        if "=" in w:
            k, v = w.split("=", 1)
            out[k] = v[:-1] if v.endswith("%") else v
    return out


def parse(path):
    data = {"http": {}, "wal_cost": [], "syslog": [], "syslog_check": None,
            "burst": None, "flush": {}, "commands": []}
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line:
                continue
            if line.startswith("command: "):
                data["commands"].append(line[len("command: "):])
                continue
            words = line.split()
            head = words[0]
            if head == "syslog:":
                data["syslog_check"] = fields(words[1:])
            elif head == "burst":
                data["burst"] = fields(words[1:])
            elif head.startswith("wal-cost/"):
                row = fields(words[1:])
                row["log"] = head.split("/", 1)[1]
                data["wal_cost"].append(row)
            elif head.startswith("flush/"):
                data["flush"][head.split("/", 1)[1]] = fields(words[1:])
            elif head.startswith("syslog/"):
                row = fields(words[1:])
                row["rate"] = head.split("/", 1)[1]
                data["syslog"].append(row)
            elif "/" in head:
                server, load = head.split("/", 1)
                server = "beacond" if server == "beacond" else "nginx"
                data["http"].setdefault(load, {})[server] = fields(words[1:])
    return data


def num(d, key):
    """d[key] as a float, or None (absent, "na")."""
    if not d or key not in d:
        return None
    try:
        return float(d[key])
    except ValueError:
        return None


def fmt(x, digits=2):
    if x is None:
        return "–"
    if digits == 0:
        # 100 000, as the README writes numbers
        return "{:,.0f}".format(x).replace(",", " ")
    return "%.*f" % (digits, x)


def ratio(a, b):
    return a / b if a is not None and b else None


def table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def latency(d):
    """"p50 / p99"; a p99 below the p50 (wrk prints 0 for some pipelined
    runs) is shown as unknown."""
    p50, p99 = num(d, "p50_us"), num(d, "p99_us")
    if p50 is not None and p99 is not None and p99 < p50:
        p99 = None
    return "%s / %s" % (fmt(p50, 0), fmt(p99, 0))


def http_section(http):
    loads = [l for l in LOADS if l in http] + [l for l in http if l not in LOADS]
    header = ["load", "nginx CPU us/req", "beacond CPU us/req", "CPU ratio",
              "nginx p50 / p99 us", "beacond p50 / p99 us", "nginx req/s",
              "beacond req/s", "req/s ratio", "nginx syscalls/req",
              "beacond syscalls/req", "Redis cmds / 1 000 hits",
              "Redis CPU us / 1 000 hits", "beacond RSS peak / end MiB"]
    rows = []
    for load in loads:
        n, b = http[load].get("nginx"), http[load].get("beacond")
        rows.append([
            load,
            fmt(num(n, "cpu_us_per_req")), fmt(num(b, "cpu_us_per_req")),
            fmt(ratio(num(b, "cpu_us_per_req"), num(n, "cpu_us_per_req"))),
            latency(n), latency(b),
            fmt(num(n, "rps"), 0), fmt(num(b, "rps"), 0),
            fmt(ratio(num(b, "rps"), num(n, "rps"))),
            fmt(num(n, "syscalls_per_req")), fmt(num(b, "syscalls_per_req")),
            fmt(num(b, "redis_cmds_per_1k_hits"), 1),
            fmt(num(b, "redis_cpu_us_per_1k_hits"), 0),
            "%s / %s" % (fmt(num(b, "rss_peak_mib"), 1), fmt(num(b, "rss_end_mib"), 1)),
        ])
    out = ["## HTTP loads: beacond against nginx", ""]
    out += table(header, rows)
    out += ["",
            "Ratios are beacond / nginx. CPU is the server's user+sys time "
            "(all threads; nginx master and worker) per request "
            "(`bench/cpu-per-request`), each server pinned to CPU 0 and wrk "
            "to CPU 1 with 50 connections; wrk saturates first on two cores, "
            "so compare the CPU. System calls are counted (the "
            "`raw_syscalls:sys_enter` tracepoint) in a second, shorter wrk "
            "run of the same load, so that the counter's cost stays out of "
            "the CPU figures. Redis commands and Redis CPU run from before "
            "beacond's run until its backlog is in Redis, per 1 000 hits "
            "counted (a 10-event `POST /e` counts 10); Redis counts the "
            "commands its scripts call too. RSS peak is VmHWM "
            "over the run, end is VmRSS once the backlog is in Redis."]
    notes = []
    for load in loads:
        for server, d in sorted(http[load].items()):
            extra = {k: v for k, v in d.items()
                     if k in ("non2xx", "backlog_keys_left")}
            if extra:
                notes.append("%s/%s: %s" % (server, load, ", ".join(
                    "%s=%s" % kv for kv in sorted(extra.items()))))
    if notes:
        out += ["", "Warnings: " + "; ".join(notes) + "."]
    return out


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def wal_cost_section(rows):
    keys = ("cpu_us_per_req", "syscalls_per_req", "pwrites_per_req", "rps")
    runs = {log: [r for r in rows if r["log"] == log] for log in ("with", "without")}
    avg = {log: {k: mean([num(r, k) for r in rs]) for k in keys}
           for log, rs in runs.items()}
    body = []
    for log in ("with", "without"):
        body.append(["%s the log" % log,
                     ", ".join(fmt(num(r, "cpu_us_per_req")) for r in runs[log]) or "–",
                     fmt(avg[log]["cpu_us_per_req"]),
                     fmt(avg[log]["syscalls_per_req"]),
                     fmt(avg[log]["pwrites_per_req"]),
                     fmt(avg[log]["rps"], 0)])
    w, wo = avg["with"], avg["without"]
    diff = [fmt(w[k] - wo[k]) if w[k] is not None and wo[k] is not None else "–"
            for k in ("cpu_us_per_req", "syscalls_per_req", "pwrites_per_req")]
    body.append(["the log's cost", "", diff[0], diff[1], diff[2], ""])
    header = ["beacond", "CPU us/req, each run", "CPU us/req, mean",
              "syscalls/req", "log writes/req", "req/s"]
    return (["## The write-ahead log's cost (mix)", ""] + table(header, body) +
            ["", "`bench/wal_cost.sh`: beacond and the same build with the "
             "log's write and block CRC linked out (`bench/nolog.c`, "
             "`build/bench/beacond-nolog`), in turn, alone, set up and loaded "
             "as in the HTTP table with `bench/mix.lua`. Log writes are "
             "`pwrite64` calls: one per loop turn, for all of that turn's "
             "hits."])


def syslog_section(rows, check):
    header = ["rate", "offered lines/s", "processed lines/s", "counted %",
              "shed", "receive drops", "lost", "CPU us/line", "server CPU %",
              "Redis drain s", "other"]
    body = []
    for r in rows:
        other = ", ".join("%s=%s" % (k, r[k]) for k in ("send_errors", "backlog_keys_left") if k in r)
        body.append([r["rate"], fmt(num(r, "offered_lps"), 0),
                     fmt(num(r, "processed_lps"), 0), fmt(num(r, "counted"), 1),
                     r.get("shed", "–"), r.get("drops", "–"), r.get("lost", "–"),
                     fmt(num(r, "cpu_us_per_line")), fmt(num(r, "server_cpu"), 0),
                     fmt(num(r, "redis_drain_s")), other or "–"])
    out = ["## Syslog ingest", ""] + table(header, body)
    out += ["", "beacond (one worker, CPU 0) takes access-log lines over UDP from "
            "`bench/syslog_send` (CPU 1); CPU is beacond's, all threads, from the "
            "first line until its backlog is in Redis, per line processed."]
    if check:
        c, p = check.get("counted"), check.get("redis_pageviews")
        out += ["", "Exactly once: %s lines counted, %s pageviews in Redis (%s)." % (
            fmt(num(check, "counted"), 0), fmt(num(check, "redis_pageviews"), 0),
            "equal" if c == p else "**they differ**")]
    return out


def flush_section(flush):
    names = {"single": "one redis-server",
             "cluster3": "Redis Cluster, 3 masters and 3 replicas"}
    header = ["Redis", "keys", "drain s", "keys per s",
              "beacond CPU ms / 100 000 keys", "Redis pageviews"]
    rows = [[names.get(k, k), fmt(num(v, "keys"), 0), v.get("drain_s", "–"),
             fmt(num(v, "keys_per_s"), 0), fmt(num(v, "cpu_ms_per_100k_keys"), 0),
             fmt(num(v, "redis_pageviews"), 0)]
            for k, v in flush.items()]
    return (["## Flush throughput", ""] + table(header, rows) +
            ["", "beacond (one worker) fills its backlog while its Redis is "
             "not there, then Redis starts (the cluster is created) and the "
             "backlog is timed from when beacond is connected until it is "
             "empty: aggregate keys per second into Redis, and beacond's CPU "
             "(all threads) over that time per 100 000 keys: the flush path, "
             "rebuilding the backlog from the write-ahead log included. The cluster is new: its replicas attach while the "
             "backlog drains, so beacond runs with min_replicas_ack = 0 "
             "there (no WAIT). Every Redis process shares this machine's two "
             "cores with beacond."])


def burst_section(b):
    header = ["sent", "answered", "elapsed s", "counted", "shed",
              "Redis pageviews", "drain s", "slowest call ms",
              "RSS peak MiB", "RSS after MiB"]
    ints = ("sent", "answered", "counted", "shed", "redis_pageviews")
    row = [fmt(num(b, k), 0) if k in ints and num(b, k) is not None
           else b.get(k, "–")
           for k in ("sent", "answered", "elapsed", "counted", "shed",
                     "redis_pageviews", "drain_s", "slowest_call_ms",
                     "rss_peak_mib", "rss_after_mib")]
    return (["## Cardinality burst", ""] + table(header, [row]) +
            ["", "One site's pixels from distinct visitors over many pages "
             "(sizes in the command below) as fast as two pipelined "
             "connections send them, into beacond's default configuration. "
             "Drain: from the burst's end until the backlog is in Redis; "
             "slowest call: the longest command in Redis's SLOWLOG; RSS "
             "after: 10 s after the drain."])


def targets(data):
    """(target, measured, True/False/None) for each of the issue's targets."""
    http, burst = data["http"], data["burst"]
    out = []

    def pair(load):
        d = http.get(load, {})
        return d.get("nginx"), d.get("beacond")

    for load, limit in (("minimal", 0.85), ("mix", 0.85)):
        n, b = pair(load)
        r = ratio(num(b, "cpu_us_per_req"), num(n, "cpu_us_per_req"))
        out.append(("%s: CPU ratio <= %.2f" % (load, limit), fmt(r),
                    None if r is None else r <= limit))
    n, b = pair("pipeline16")
    r = ratio(num(b, "rps"), num(n, "rps"))
    out.append(("pipeline16: req/s ratio >= 6", fmt(r), None if r is None else r >= 6))
    for load in [l for l in LOADS if l in http] + [l for l in http if l not in LOADS]:
        n, b = pair(load)
        sn, sb = num(n, "syscalls_per_req"), num(b, "syscalls_per_req")
        ok = None if sn is None or sb is None else sb <= sn
        out.append(("%s: syscalls/req <= nginx's" % load,
                    "%s vs %s" % (fmt(sb), fmt(sn)), ok))
    n, b = pair("mix")
    c = num(b, "redis_cmds_per_1k_hits")
    out.append(("mix: Redis commands per 1 000 hits <= 50", fmt(c, 1),
                None if c is None else c <= 50))
    pn, pb = num(n, "p99_us"), num(b, "p99_us")
    r = ratio(pb, pn)
    out.append(("mix: p99 <= 1.5 x nginx's",
                "%s vs %s us (%s x)" % (fmt(pb, 0), fmt(pn, 0), fmt(r)),
                None if r is None else r <= 1.5))
    n, b = pair("batch")
    r = ratio(num(b, "cpu_us_per_req"), num(n, "cpu_us_per_req"))
    out.append(("batch (10-event POST /e): CPU ratio <= 1.5", fmt(r),
                None if r is None else r <= 1.5))
    for key, label, limit in (("shed", "burst: shed = 0", 0),
                              ("slowest_call_ms", "burst: slowest Redis call <= 50 ms", 50),
                              ("rss_peak_mib", "burst: RSS peak <= 64 MiB", 64),
                              ("rss_after_mib", "burst: RSS after <= 16 MiB", 16)):
        v = num(burst, key)
        out.append((label, burst.get(key, "–") if burst else "–",
                    None if v is None else v <= limit))
    return out


def targets_section(data):
    rows = []
    met = missed = 0
    for name, measured, ok in targets(data):
        if ok is None:
            verdict = "not measured"
        elif ok:
            verdict, met = "met", met + 1
        else:
            verdict, missed = "**missed**", missed + 1
        rows.append([name, measured, verdict])
    return (["## Targets", "", "%d met, %d missed." % (met, missed), ""] +
            table(["target", "measured", "result"], rows))


def run(cmd):
    """A command's first line of output (stdout, else stderr), or None."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10,
                           env=dict(os.environ, LC_ALL="C"), cwd=REPO)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (p.stdout.strip() or p.stderr.strip()).splitlines()
    return text[0].strip() if text else None


def machine(beacond):
    lscpu = {}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True,
                             env=dict(os.environ, LC_ALL="C")).stdout
        for line in out.splitlines():
            k, _, v = line.partition(":")
            lscpu[k.strip()] = v.strip()
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            m = re.search(r"^MemTotal:\s+(\d+) kB", f.read(), re.M)
            mem = "%.1f GiB" % (int(m.group(1)) / 1048576) if m else None
    except OSError:
        pass
    commit = run(["git", "rev-parse", "--short", "HEAD"])
    # The report and its hand-written part do not make the tree dirty.
    dirty = run(["git", "status", "--porcelain", "--", ".", ":!bench/RESULTS.md",
                 ":!bench/ANALYSIS.md"])
    items = [
        ("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", "%s, %s CPUs" % (lscpu.get("Model name", "unknown"), lscpu.get("CPU(s)", "?"))),
        ("memory", mem),
        ("kernel", platform.release()),
        ("nginx", run(["nginx", "-v"])),
        ("redis-server", run(["redis-server", "--version"])),
        ("wrk", run(["wrk", "-v"])),
    ]
    if beacond:
        items.append(("beacond", "%s (%s)" % (run([beacond, "--version"]), beacond)))
    if commit:
        items.append(("commit", "%s, %s" % (commit, "dirty: uncommitted changes" if dirty else "clean")))
    return ["## Machine", ""] + ["- %s: %s" % (k, v or "unknown") for k, v in items]


def main():
    ap = argparse.ArgumentParser(description="markdown report of make bench")
    ap.add_argument("results", help="the lines the bench scripts appended (BENCH_RESULTS)")
    ap.add_argument("--out", "-o", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--command", help="what produced the results, e.g. 'make bench'")
    ap.add_argument("--beacond", help="the beacond measured, for its version")
    args = ap.parse_args()

    data = parse(args.results)
    if not (data["http"] or data["wal_cost"] or data["syslog"] or data["burst"]
            or data["flush"]):
        sys.exit("report: no result lines in %s" % args.results)
    command = args.command or " ".join(["bench/report.py"] + sys.argv[1:])
    md = ["# beacond benchmark results", "",
          "Written by `bench/report.py` from `%s`; do not edit (the analysis comes "
          "from `bench/ANALYSIS.md`)." % command, ""]
    md += targets_section(data) + [""]
    # What the misses come from: written by hand after a run, kept
    # beside the generated tables.
    try:
        with open(os.path.join(HERE, "ANALYSIS.md")) as f:
            md += [f.read().rstrip("\n"), ""]
    except OSError:
        pass
    md += (http_section(data["http"]) if data["http"] else
           ["## HTTP loads: beacond against nginx", "", "Not run."]) + [""]
    md += (wal_cost_section(data["wal_cost"]) if data["wal_cost"] else
           ["## The write-ahead log's cost (mix)", "", "Not run."]) + [""]
    md += (syslog_section(data["syslog"], data["syslog_check"]) if data["syslog"] else
           ["## Syslog ingest", "", "Not run."]) + [""]
    md += (burst_section(data["burst"]) if data["burst"] else
           ["## Cardinality burst", "", "Not run."]) + [""]
    md += (flush_section(data["flush"]) if data["flush"] else
           ["## Flush throughput", "", "Not run."]) + [""]
    md += machine(args.beacond) + [""]
    md += ["## Command", "", "`%s`, which ran:" % command, ""]
    md += ["    " + c for c in data["commands"]] + [""]
    text = "\n".join(md)
    with open(args.out, "w") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
