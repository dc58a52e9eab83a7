#!/usr/bin/env bash
# bench/syslog.sh BEACOND [SYSLOG_SEND]: the syslog ingest, CPU per line.
# beacond (workers = 1, pinned to CPU 0) takes access-log lines over UDP
# (ingest_syslog) from bench/syslog_send pinned to CPU 1, at each offered
# rate of SYSLOG_RATES in turn (lines per second, 0: as fast as the sender
# can), SECONDS_PER_RUN seconds each (default 5). Its own redis-server,
# pinned to CPU 1 too, leaves CPU 0 to beacond alone. The lines are
# bench/syslog_mix.h's: 100 000 visitors, 49 pages over 8 areas, 2 hosts
# mapped in [sites], about 85 % counted. SYSLOG_SEND defaults to
# bench/syslog_send in BEACOND's build folder (make bench builds it). One
# line per rate:
#
#   syslog/RATE offered_lps=... processed_lps=... counted=...% shed=...
#     drops=... lost=... cpu_us_per_line=... server_cpu=...%
#     redis_drain_s=...
#
#   offered_lps      lines sent per second
#   processed_lps    lines beacond took, all outcomes of
#                    beacon_hits_total{endpoint="syslog"}, per second sent
#   counted          the share counted (the rest: assets, 404s and POSTs
#                    skipped; DNT, GPC, opt-out and crawlers dropped)
#   shed             lines shed because the backlog was full (max_keys):
#                    Redis did not keep up
#   drops            beacon_syslog_receive_drops_total: the receive buffer
#                    was full (beacond did not keep up)
#   lost             sent - processed (drops not yet reported included)
#   cpu_us_per_line  beacond's user+sys CPU, all threads (worker, flusher
#                    merge and batch building, Redis I/O), from the start of
#                    sending until its backlog is in Redis, per line
#                    processed
#   server_cpu       beacond's CPU while sending; about 100 %: CPU 0 is full
#   redis_drain_s    from the end of sending until /readyz says backlog_keys
#                    0; Redis keeps up when it stays about flush_interval (1 s)
#
# At the end, the pageviews in Redis against the lines counted:
#
#   syslog: counted=... redis_pageviews=...
#
# With BENCH_RESULTS=FILE these lines, and the command, are appended to
# FILE too (for bench/report.py).
#
#   SYSLOG_RATES="100000 200000" SECONDS_PER_RUN=5 bench/syslog.sh build/beacond
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bench/syslog.sh BEACOND [SYSLOG_SEND]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
beacond=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
send=${2:-$(dirname "$beacond")/bench/syslog_send}
secs=${SECONDS_PER_RUN:-5}
rates=${SYSLOG_RATES:-100000 200000 400000 0}
[ -x "$send" ] || { echo "bench: no $send (make bench builds it)" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "bench: redis-server is missing (scripts/install-deps.sh)" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_start syslog-bench "SYSLOG_RATES=\"$rates\" SECONDS_PER_RUN=$secs $0 $*"

rport=$(port); bport=$(port); aport=$(port); uport=$(udp_port)
taskset -c 1 redis-server --port "$rport" --bind 127.0.0.1 --dir "$dir" \
    --save '' --appendonly no --logfile "$dir/redis.log" &
pids+=($!)
sleep 0.3

cat > "$dir/beacond.conf" <<CONF
[server]
listen = 127.0.0.1:$bport
admin = 127.0.0.1:$aport
workers = 1
data_dir = $dir/data
ingest_syslog = 127.0.0.1:$uport
[redis]
url = redis://127.0.0.1:$rport/0
[sites]
www.example.com = example
blog.example.org = example-blog
CONF
taskset -c 0 "$beacond" -c "$dir/beacond.conf" 2>"$dir/beacond.log" &
bpid=$!
pids+=("$bpid")
admin=http://127.0.0.1:$aport
for _ in $(seq 50); do
    curl -sf "$admin/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -sf "$admin/readyz" >/dev/null || { echo "bench: beacond did not start:" >&2; cat "$dir/beacond.log" >&2; exit 1; }

# "processed counted shed drops" from /metrics.
counters() {
    curl -sf "$admin/metrics" | awk '
        /^beacon_hits_total\{endpoint="syslog",/ {
            p += $2
            if (/outcome="counted"/) c += $2
            if (/outcome="shed"/) s += $2
        }
        /^beacon_syslog_receive_drops_total / { d = $2 }
        END { printf "%d %d %d %d\n", p, c, s, d }'
}
backlog_keys() { curl -s "$admin/readyz" | awk '/^backlog_keys:/ { print $2 }'; }
hz=$(getconf CLK_TCK)

# Warm-up: the user-agent cache, the tables' first growth.
taskset -c 1 "$send" --to "127.0.0.1:$uport" --lines 50000 --rate 100000 >/dev/null
sleep 2

for rate in $rates; do
    read -r p0 c0 s0 d0 <<<"$(counters)"
    t0=$(cpu_ticks "$bpid")
    out=$(taskset -c 1 "$send" --to "127.0.0.1:$uport" --seconds "$secs" --rate "$rate")
    sent_at=$EPOCHREALTIME
    tsent=$(cpu_ticks "$bpid")
    # The socket is drained once the counters stand still...
    prev=""
    for _ in $(seq 50); do
        cur=$(counters)
        [ "$cur" = "$prev" ] && break
        prev=$cur
        sleep 0.1
    done
    # ...and the aggregates are in Redis once the backlog is empty.
    for _ in $(seq 300); do
        [ "$(backlog_keys)" = 0 ] && break
        sleep 0.05
    done
    drained_at=$EPOCHREALTIME
    t1=$(cpu_ticks "$bpid")
    read -r p1 c1 s1 d1 <<<"$(counters)"
    line=$(python3 - "$rate" "$out" "$((p1 - p0))" "$((c1 - c0))" "$((s1 - s0))" \
        "$((d1 - d0))" "$((t1 - t0))" "$((tsent - t0))" "$hz" "$sent_at" \
        "$drained_at" "$(backlog_keys)" <<'PY'
import re
import sys

(rate, out, processed, counted, shed, drops, ticks, ticks_sending, hz,
 sent_at, drained_at, left) = sys.argv[1:]
m = re.search(r"sent=(\d+) bytes=\d+ seconds=([\d.]+) rate=\d+ errors=(\d+)", out)
if not m:
    sys.exit("bench: syslog_send said: %s" % out)
sent, seconds, errors = int(m.group(1)), float(m.group(2)), int(m.group(3))
processed = int(processed)
hz = int(hz)
label = "unlimited" if rate == "0" else "%dk" % (int(rate) // 1000)
line = ("syslog/%s offered_lps=%.0f processed_lps=%.0f counted=%.1f%% shed=%s "
        "drops=%s lost=%d cpu_us_per_line=%.2f server_cpu=%.0f%% "
        "redis_drain_s=%.2f" % (
            label, sent / seconds, processed / seconds,
            100.0 * int(counted) / max(processed, 1), shed, drops,
            sent - processed, int(ticks) / hz * 1e6 / max(processed, 1),
            100.0 * int(ticks_sending) / hz / seconds,
            float(drained_at) - float(sent_at)))
if errors:
    line += " send_errors=%d" % errors
if left != "0":
    line += " backlog_keys_left=%s" % left
print(line)
PY
)
    emit "$line"
done

# Exactly once: every line counted is a pageview in Redis (warm-up included).
read -r _ counted _ _ <<<"$(counters)"
if command -v redis-cli >/dev/null; then
    day=$(date -u +%Y%m%d)
    inredis=0
    for site in example example-blog; do
        v=$(redis-cli -p "$rport" HGET "bc:{$site}:tot:d:$day" pageviews)
        inredis=$((inredis + ${v:-0}))
    done
    emit "syslog: counted=$counted redis_pageviews=$inredis"
fi
echo "beacond metrics:"
curl -s "$admin/metrics" | grep -E '^beacon_hits_total\{endpoint="syslog"|^beacon_syslog_receive_drops_total|^beacon_redis_errors_total|^beacon_batches_applied_total|^beacon_flush_seconds_(sum|count)'
