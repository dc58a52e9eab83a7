#!/usr/bin/env python3
"""bench/syscount.py PID[,PID...] COUNTFILE [EVENT...] -- COMMAND...

Counts tracepoint EVENTs (default raw_syscalls:sys_enter, every system
call) through perf_event_open, one counter per thread of each process:
what `perf stat -e EVENT -p PID` counts, but perf 6.1's -p answers "<not
counted>" on newer kernels. Runs COMMAND between the two readings and
writes one line per EVENT to COUNTFILE: its count, or "na" when the
counters cannot be opened. Exits with COMMAND's status.
"""
import ctypes, os, platform, struct, subprocess, sys

split = sys.argv.index("--")
pids, countfile = sys.argv[1].split(","), sys.argv[2]
events = sys.argv[3:split] or ["raw_syscalls:sys_enter"]
cmd = sys.argv[split + 1:]
NR = {"x86_64": 298, "aarch64": 241, "riscv64": 241}.get(platform.machine())


def tracepoint(event):
    for base in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
        path = "%s/events/%s/id" % (base, event.replace(":", "/"))
        if os.path.exists(path):
            return int(open(path).read())
    raise OSError("no %s tracepoint" % event)


fds = []  # per event, its counters
try:
    if NR is None:
        raise OSError("no perf_event_open number for " + platform.machine())
    libc = ctypes.CDLL(None, use_errno=True)
    for event in events:
        tp = tracepoint(event)
        fds.append([])
        for pid in pids:
            for tid in os.listdir("/proc/%s/task" % pid):
                # struct perf_event_attr: type 2 (tracepoint), size, config;
                # zeros: counting, enabled at once, this thread only
                attr = ctypes.create_string_buffer(struct.pack("IIQ", 2, 128, tp), 128)
                fd = libc.syscall(NR, attr, int(tid), -1, -1, 0)
                if fd < 0:
                    raise OSError(ctypes.get_errno(), "perf_event_open")
                fds[-1].append(fd)
except OSError as e:
    print("bench: cannot count system calls: %s" % e, file=sys.stderr)
    fds = None


def totals():
    return [sum(struct.unpack("Q", os.read(fd, 8))[0] for fd in group)
            for group in fds]


before = totals() if fds else []
rc = subprocess.call(cmd)
with open(countfile, "w") as f:
    if fds:
        f.writelines("%d\n" % (b - a) for a, b in zip(before, totals()))
    else:
        f.writelines("na\n" for _ in events)
sys.exit(rc)
