#!/usr/bin/env bash
# bench/burst.sh BEACOND: the cardinality burst. 1 000 000 pixels of one
# site from 1 000 000 distinct visitors over 100 000 pages, as fast as two
# pipelined connections take them (bench/burst_send.py), into beacond with
# its default configuration (one worker per CPU, trusting 127.0.0.1 for
# X-Forwarded-For) and its own redis-server (SLOWLOG at 1 ms). One line:
#
#   burst sent=... answered=... elapsed=... counted=... shed=...
#     redis_pageviews=... drain_s=... slowest_call_ms=... rss_peak_mib=...
#     rss_after_mib=...
#
#   counted, shed     beacon_hits_total{endpoint="pixel"} outcomes
#   redis_pageviews   the day's pageviews in Redis: counted, if all is well
#   drain_s           from the burst's end until /readyz says backlog_keys 0
#   slowest_call_ms   the longest command in Redis's SLOWLOG (a batch's
#                     script calls)
#   rss_peak_mib      beacond's VmHWM
#   rss_after_mib     its VmRSS 10 s after the backlog drained
#
# BURST_TOTAL, BURST_PAGES, BURST_VISITORS change the sizes. With
# BENCH_RESULTS=FILE the line, and the command, are appended to FILE too
# (for bench/report.py).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bench/burst.sh BEACOND" >&2; exit 2; }
beacond=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
total=${BURST_TOTAL:-1000000}
pages=${BURST_PAGES:-100000}
visitors=${BURST_VISITORS:-1000000}
command -v redis-server >/dev/null || { echo "bench: redis-server is missing (scripts/install-deps.sh)" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_start burst-bench "BURST_TOTAL=$total BURST_PAGES=$pages BURST_VISITORS=$visitors $0 $*"

rport=$(port); bport=$(port); aport=$(port)
redis-server --port "$rport" --bind 127.0.0.1 --dir "$dir" --save '' \
    --appendonly no --slowlog-log-slower-than 1000 --logfile "$dir/redis.log" &
pids+=($!)
cat > "$dir/beacond.conf" <<CONF
[server]
listen = 127.0.0.1:$bport
admin = 127.0.0.1:$aport
data_dir = $dir/data
trusted_proxies = 127.0.0.1/32
[redis]
url = redis://127.0.0.1:$rport/0
CONF
for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
"$beacond" -c "$dir/beacond.conf" 2>"$dir/beacond.log" &
bpid=$!
pids+=("$bpid")
for _ in $(seq 1 100); do curl -sf "127.0.0.1:$aport/livez" >/dev/null && break; sleep 0.05; done

sent=$(python3 "$here/burst_send.py" "$bport" "$total" "$pages" "$visitors")
t_end=$(date +%s.%N)
for _ in $(seq 1 600); do
    curl -s "127.0.0.1:$aport/readyz" | grep -q '^backlog_keys: 0$' &&
        [ "$(curl -s "127.0.0.1:$aport/metrics" | awk '$1 == "beacon_wal_bytes" {print $2}')" = 0 ] && break
    sleep 0.1
done
drain=$(python3 -c "import time; print('%.1f' % (time.time() - $t_end))")
peak=$(awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$bpid/status")
sleep 10
after=$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$bpid/status")
metric() { curl -s "127.0.0.1:$aport/metrics" | awk -v n="$1" '$1 == n {print $2}'; }
counted=$(metric 'beacon_hits_total{endpoint="pixel",outcome="counted"}')
shed=$(metric 'beacon_hits_total{endpoint="pixel",outcome="shed"}')
pv=$(redis-cli -p "$rport" HGET "bc:{burst}:tot:d:$(date -u +%Y%m%d)" pageviews)
slowest=$(redis-cli -p "$rport" --json SLOWLOG GET 100000 | python3 -c '
import json, sys
calls = [c for c in json.load(sys.stdin) if c[3][:1] != ["SLOWLOG"]]
print("%.1f" % (max([c[2] for c in calls] + [0]) / 1000))')
emit "burst $sent counted=$counted shed=$shed redis_pageviews=$pv drain_s=$drain slowest_call_ms=$slowest rss_peak_mib=$peak rss_after_mib=$after"
