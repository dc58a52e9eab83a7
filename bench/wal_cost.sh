#!/usr/bin/env bash
# bench/wal_cost.sh BEACOND NOLOG: what the write-ahead log costs a
# request on the mix. NOLOG is build/bench/beacond-nolog: the same build
# with the log's write and block CRC linked out (bench/nolog.c). The two
# run in turn (with, without, with, without: WAL_COST_ROUNDS pairs,
# default 2), alone, with one worker pinned to CPU 0 as in bench/run.sh
# and a Redis of their own, each through SECONDS_PER_RUN (default 10) of
# bench/mix.lua (bench/cpu-per-request, wrk on CPU 1) and then a
# SYSCALL_SECONDS count of its system calls. One line per run:
#
#   wal-cost/with rps=... cpu_us_per_req=... syscalls_per_req=...
#       pwrites_per_req=...
#   wal-cost/without ...
#
# (bench/cpu-per-request's fields, and bench/lib.sh's syscalls). The log's
# write is beacond's only pwrite64, so pwrites_per_req is 0 "without".
#
# With BENCH_RESULTS=FILE the lines and the command are appended to FILE
# too (for bench/report.py).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/wal_cost.sh BEACOND NOLOG" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
with=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
without=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
secs=${SECONDS_PER_RUN:-10}
rounds=${WAL_COST_ROUNDS:-2}

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_start wal-cost "SECONDS_PER_RUN=$secs WAL_COST_ROUNDS=$rounds $0 $*"

rport=$(port)
redis-server --port "$rport" --bind 127.0.0.1 --dir "$dir" --save '' \
    --appendonly no --logfile "$dir/redis.log" &
pids+=($!)
for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done

# measure VARIANT BINARY: one run of the mix against a fresh beacond
measure() {
    local name=$1 bin=$2 bport aport bpid line url
    bport=$(port)
    aport=$(port)
    rm -rf "$dir/data"
    cat >"$dir/beacond.conf" <<CONF
[server]
listen = 127.0.0.1:$bport
admin = 127.0.0.1:$aport
workers = 1
data_dir = $dir/data
trusted_proxies = 127.0.0.1/32
instance_id = wal-cost
[redis]
url = redis://127.0.0.1:$rport/0
CONF
    taskset -c 0 "$bin" -c "$dir/beacond.conf" 2>>"$dir/beacond.log" &
    bpid=$!
    pids+=("$bpid")
    for _ in $(seq 1 100); do curl -sf "127.0.0.1:$aport/readyz" >/dev/null && break; sleep 0.05; done
    url="http://127.0.0.1:$bport/p.gif?s=demo&u=/bench"
    line=$("$here/cpu-per-request" --seconds "$secs" --pid "$bpid" --url "$url" \
        --label "wal-cost/$name" --lua "$here/mix.lua")
    line+=" $(syscalls "$bpid" "$url" "$here/mix.lua")"
    kill "$bpid"
    wait "$bpid" 2>/dev/null || true
    emit "$line"
}

for _ in $(seq 1 "$rounds"); do
    measure with "$with"
    measure without "$without"
done
