#!/usr/bin/env bash
# bench/run.sh BEACOND: beacond (1 worker) and nginx empty_gif
# (bench/nginx.conf.in), each pinned to CPU 0, loaded in turn by wrk pinned
# to CPU 1 through bench/cpu-per-request, with the minimal pixel and 16-deep
# pipelining (both with a browser's user agent: without one beacond drops
# the hit as a bot), the realistic mix (bench/mix.lua), e-mail opens and
# signed click redirects, 10-event POST /e batches (nginx: empty_gif, a
# fixed 302, a fixed 204). Needs this folder, beaconctl beside BEACOND,
# wrk, nginx, redis-server and redis-cli. Prints one line per run; compare
# cpu_us_per_req (wrk, not the server, saturates first on two cores).
# bench/cpu-per-request's fields, then:
#
#   syscalls_per_req   the server's system calls (all of beacond's threads;
#                      nginx's master and worker) per request wrk reports,
#                      counted in a second, shorter wrk run of the same load
#                      (SYSCALL_SECONDS, default 3) right after the measured
#                      one: the counter (the raw_syscalls:sys_enter
#                      tracepoint) costs about 0.4 us a call on this kind of
#                      VM and would inflate cpu_us_per_req. "na":
#                      perf_event_open refused
#   pwrites_per_req    of those, pwrite64 calls: beacond's write-ahead log
#                      writes, one per loop turn (bench/lib.sh)
#   redis_cmds_per_1k_hits, redis_cpu_us_per_1k_hits (beacond only)
#                      Redis's commands (INFO commandstats, without the INFO
#                      calls made here) and CPU (INFO cpu, user+sys) from
#                      just before the run until beacond's backlog is in
#                      Redis (/readyz backlog_keys 0; it flushes once a
#                      second), per 1 000 hits counted in that time
#   counted_hits       those hits: beacon_hits_total{outcome="counted"}
#                      over all endpoints (a POST /e of 10 events counts 10)
#   rss_peak_mib       beacond's VmHWM over the run (reset before it through
#                      /proc/PID/clear_refs)
#   rss_end_mib        its VmRSS once the backlog is in Redis
#   backlog_keys_left  only when the backlog did not drain within 30 s
#
# With BENCH_RESULTS=FILE the lines, and the command, are appended to FILE
# too (for bench/report.py).
#
#   SECONDS_PER_RUN=10 bench/run.sh build/beacond
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bench/run.sh BEACOND" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
beacond=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
secs=${SECONDS_PER_RUN:-10}
syssecs=${SYSCALL_SECONDS:-3}
command -v nginx >/dev/null || { echo "bench: nginx is missing (scripts/install-deps.sh)" >&2; exit 2; }
command -v redis-cli >/dev/null || { echo "bench: redis-cli is missing (scripts/install-deps.sh)" >&2; exit 2; }


# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_start bench "SECONDS_PER_RUN=$secs SYSCALL_SECONDS=$syssecs $0 $*"

rport=$(port); bport=$(port); aport=$(port); nport=$(port)
redis-server --port "$rport" --bind 127.0.0.1 --dir "$dir" --save '' \
    --appendonly no --logfile "$dir/redis.log" &
pids+=($!)
sleep 0.3

cat > "$dir/beacond.conf" <<CONF
[server]
listen = 127.0.0.1:$bport
admin = 127.0.0.1:$aport
workers = 1
data_dir = $dir/data
trusted_proxies = 127.0.0.1/32
[redis]
url = redis://127.0.0.1:$rport/0
[mail]
recipient_key = 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
link_keys = b1:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
CONF
# 1 000 signed clicks: 1 000 recipients over 4 links
beaconctl=$(dirname "$beacond")/beaconctl
for i in $(seq 1 1000); do
    "$beaconctl" -c "$dir/beacond.conf" sign link --site demo --campaign bench \
        --link "l$((i % 4))" --to "https://shop.example/item/$((i % 4))?utm_source=mail" \
        --recipient "$(printf 'reader-%06d' "$i")"
done | sed 's|^http://[^/]*||' > "$dir/clicks.txt"
export CLICKS=$dir/clicks.txt
taskset -c 0 "$beacond" -c "$dir/beacond.conf" 2>"$dir/beacond.log" &
bpid=$!
pids+=("$bpid")

sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$nport|g" "$here/nginx.conf.in" > "$dir/nginx.conf"
taskset -c 0 nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/nginx-error.log" &
npid=$!
pids+=("$npid")
sleep 0.5
# nginx's worker is a child of the master: measure both.
nworkers=$(pgrep -P "$npid" | paste -sd, -)
admin=http://127.0.0.1:$aport
for _ in $(seq 50); do
    curl -sf "$admin/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done

run() { "$here/cpu-per-request" --seconds "$secs" "$@"; }

# Hits counted, all endpoints.
counted() {
    curl -sf "$admin/metrics" |
        awk '/^beacon_hits_total\{/ && /outcome="counted"/ { c += $2 } END { printf "%d\n", c }'
}
# "CALLS CPU_US": the commands Redis ran (without INFO: ours) and its CPU
# time, user+sys in microseconds.
redis_stats() {
    local calls cpu
    calls=$(redis-cli -p "$rport" INFO commandstats |
        awk -F'[:=,]' '/^cmdstat_/ && $1 != "cmdstat_info" { n += $3 } END { printf "%d\n", n }')
    cpu=$(redis-cli -p "$rport" INFO cpu |
        awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { printf "%.0f\n", s * 1e6 }')
    echo "$calls $cpu"
}
# Waits until beacond's backlog is in Redis; prints the keys left: 0, or
# what is still there after 30 s.
drain() {
    local left=""
    for _ in $(seq 300); do
        left=$(curl -s "$admin/readyz" | awk '/^backlog_keys:/ { print $2 }')
        [ "$left" != 0 ] || break
        sleep 0.1
    done
    echo "${left:-unknown}"
}
# VmHWM or VmRSS of beacond in MiB.
mib() { awk -v k="$1:" '$1 == k { printf "%.1f\n", $2 / 1024 }' "/proc/$bpid/status"; }

for what in minimal mix pipeline16 mail-open mail-click batch; do
    case $what in
    minimal) lua=$here/minimal-browser.lua ;;
    pipeline16) lua=$here/pipeline16-browser.lua ;;
    mix | mail-* | batch) lua=$here/$what.lua ;;
    esac
    nurl="http://127.0.0.1:$nport/p.gif?s=demo&u=/bench"
    burl="http://127.0.0.1:$bport/p.gif?s=demo&u=/bench"
    line=$(run --pid "$npid,$nworkers" --url "$nurl" --label "nginx-empty_gif/$what" --lua "$lua")
    emit "$line $(syscalls "$npid,$nworkers" "$nurl" "$lua")"

    # Redis's "before" once the previous runs' hits are in it.
    drain >/dev/null
    read -r calls0 rcpu0 <<<"$(redis_stats)"
    hits0=$(counted)
    echo 5 2>/dev/null >"/proc/$bpid/clear_refs" ||
        echo "bench: cannot reset VmHWM, rss_peak_mib is since start" >&2
    line=$(run --pid "$bpid" --url "$burl" --label "beacond/$what" --lua "$lua")
    left=$(drain)
    read -r calls1 rcpu1 <<<"$(redis_stats)"
    hits1=$(counted)
    peak=$(mib VmHWM)
    end=$(mib VmRSS)
    hits=$((hits1 - hits0))
    line+=" $(syscalls "$bpid" "$burl" "$lua")"
    line+=" $(awk -v c="$((calls1 - calls0))" -v u="$((rcpu1 - rcpu0))" -v h="$hits" 'BEGIN {
        if (h > 0) printf "redis_cmds_per_1k_hits=%.2f redis_cpu_us_per_1k_hits=%.0f", c * 1000 / h, u * 1000 / h
        else printf "redis_cmds_per_1k_hits=na redis_cpu_us_per_1k_hits=na" }')"
    line+=" counted_hits=$hits rss_peak_mib=$peak rss_end_mib=$end"
    [ "$left" = 0 ] || line+=" backlog_keys_left=$left"
    emit "$line"
done
echo "beacond metrics:"
curl -s "$admin/metrics" | grep -E '^beacon_hits_total.*(counted|invalid|shed)|^beacon_redis_errors_total|^beacon_batches_applied_total'
