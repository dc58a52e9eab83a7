#!/usr/bin/env bash
# bench/flush.sh BEACOND: how fast the flusher empties a backlog into one
# redis-server and into a Redis Cluster of 3 masters with a replica each
# (min_replicas_ack = 0: the cluster is new, and its replicas are still
# attaching while the backlog drains; a WAIT would time the attaching,
# not the flush). For
# each, beacond (one worker, default limits) starts while its Redis is
# not there yet; FLUSH_HITS pixels of FLUSH_SITES sites over FLUSH_PAGES
# pages fill its backlog; then Redis starts (the cluster: is created), and
# the clock runs from when beacond is connected (/readyz: redis: up)
# until its backlog is empty (/readyz backlog_keys 0, no log bytes
# unacknowledged). One line each:
#
#   flush/single keys=... drain_s=... keys_per_s=...
#       cpu_ms_per_100k_keys=... redis_pageviews=...
#   flush/cluster3 ...
#
#   keys             aggregate keys waiting (/readyz backlog_keys) before
#   keys_per_s       keys / drain_s
#   cpu_ms_per_100k_keys
#                    beacond's CPU (all threads, user+sys) over the drain
#                    per 100 000 keys: the flush path's cost, the
#                    rebuilding of the backlog from the log included
#   redis_pageviews  all sites' pageviews in Redis after: FLUSH_HITS when
#                    every hit arrived once
#
# Every Redis process runs on this machine's two cores beside beacond, so
# the cluster's figure is what two cores give, not what three machines
# would. With BENCH_RESULTS=FILE the lines and the command are appended to
# FILE too (for bench/report.py).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: bench/flush.sh BEACOND" >&2; exit 2; }
beacond=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
hits=${FLUSH_HITS:-300000}
sites=${FLUSH_SITES:-60}
pages=${FLUSH_PAGES:-50000}
command -v redis-server >/dev/null || { echo "bench: redis-server is missing (scripts/install-deps.sh)" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bench_start flush-bench "FLUSH_HITS=$hits FLUSH_SITES=$sites FLUSH_PAGES=$pages $0 $*"

# beacond_up NAME REDIS_LINE: beacond with that [redis] line, Redis absent
beacond_up() {
    bport=$(port)
    aport=$(port)
    mkdir -p "$dir/$1"
    cat > "$dir/$1/beacond.conf" <<CONF
[server]
listen = 127.0.0.1:$bport
admin = 127.0.0.1:$aport
workers = 1
data_dir = $dir/$1/data
trusted_proxies = 127.0.0.1/32
instance_id = flush-$1
[redis]
$2
CONF
    "$beacond" -c "$dir/$1/beacond.conf" 2>"$dir/$1/beacond.log" &
    bpid=$!
    pids+=("$bpid")
    for _ in $(seq 1 100); do curl -sf "127.0.0.1:$aport/livez" >/dev/null && break; sleep 0.05; done
}

backlog_keys() { curl -s "127.0.0.1:$aport/readyz" | awk '$1 == "backlog_keys:" {print $2}'; }

# fill: the pixels, then until every worker table went to the flusher
fill() {
    python3 "$here/burst_send.py" "$bport" "$hits" "$pages" "$hits" 2 "$sites" >/dev/null
    sleep 2
    backlog_keys
}

# drain NAME KEYS CLI...: waits for the backlog to be empty, prints the line
drain() {
    local name=$1 keys=$2 t0 t1 c0 c1 pv=0 v
    shift 2
    # from when beacond is connected: its reconnect backoff is not the
    # flush's time
    for _ in $(seq 1 600); do
        curl -s "127.0.0.1:$aport/readyz" | grep -q '^redis: up' && break
        sleep 0.02
    done
    t0=$(date +%s.%N)
    c0=$(cpu_ticks "$bpid")
    for _ in $(seq 1 1200); do
        [ "$(backlog_keys)" = 0 ] &&
            [ "$(curl -s "127.0.0.1:$aport/metrics" | awk '$1 == "beacon_wal_bytes" {print $2}')" = 0 ] && break
        sleep 0.05
    done
    t1=$(date +%s.%N)
    c1=$(cpu_ticks "$bpid")
    for s in $(seq 0 $((sites - 1))); do
        v=$("$@" HGET "bc:{f$s}:tot:d:$(date -u +%Y%m%d)" pageviews)
        pv=$((pv + ${v:-0}))
    done
    emit "flush/$name $(python3 -c "
d = $t1 - $t0
cpu_ms = ($c1 - $c0) * 1000 / $(getconf CLK_TCK)
print('keys=%d drain_s=%.2f keys_per_s=%d cpu_ms_per_100k_keys=%.0f redis_pageviews=$pv'
      % ($keys, d, $keys / d, cpu_ms * 100000 / $keys))")"
    kill "$bpid"
    wait "$bpid" 2>/dev/null || true
}

# ---- one redis-server
rport=$(port)
beacond_up single "url = redis://127.0.0.1:$rport/0"
keys=$(fill)
redis-server --port "$rport" --bind 127.0.0.1 --dir "$dir" --save '' \
    --appendonly no --logfile "$dir/redis.log" &
pids+=($!)
for _ in $(seq 1 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.02; done
drain single "$keys" redis-cli -p "$rport"

# ---- a cluster: 3 masters, 3 replicas
nodes=()
for i in 1 2 3 4 5 6; do
    p=$(port)
    nodes+=("127.0.0.1:$p")
    mkdir -p "$dir/node$i"
    # the cluster bus on a port of its own (port + 10000 may not exist);
    # replicas that sync at once and show in CLUSTER SLOTS within a second
    redis-server --port "$p" --bind 127.0.0.1 --dir "$dir/node$i" --save '' \
        --appendonly no --cluster-enabled yes --cluster-config-file nodes.conf \
        --cluster-port "$(port)" --cluster-node-timeout 2000 \
        --repl-diskless-sync-delay 0 --repl-ping-replica-period 1 \
        --logfile "$dir/node$i/redis.log" &
    pids+=($!)
done
first=${nodes[0]#*:}
beacond_up cluster3 "cluster = ${nodes[0]}, ${nodes[1]}
min_replicas_ack = 0"
keys=$(fill)
for n in "${nodes[@]}"; do
    for _ in $(seq 1 250); do redis-cli -p "${n#*:}" ping >/dev/null 2>&1 && break; sleep 0.02; done
done
redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes \
    >"$dir/cluster-create.log" 2>&1 || {
    echo "bench: cannot create the cluster:" >&2
    cat "$dir/cluster-create.log" >&2
    exit 1
}
# every node agrees the cluster is up (else beacond meets CLUSTERDOWN)
for n in "${nodes[@]}"; do
    for _ in $(seq 1 200); do
        redis-cli -p "${n#*:}" CLUSTER INFO | grep -q '^cluster_state:ok' && break
        sleep 0.05
    done
done
drain cluster3 "$keys" redis-cli -c -p "$first"
