#!/usr/bin/env bash
# run.sh BEACOND: `make run`. Starts a private redis-server (socket and data
# under run/) unless REDIS_URL names one, then beacond in the foreground
# against it; Ctrl-C stops both.
#
#   make run                          private Redis under run/redis/
#   REDIS_URL=redis://host:6379/0 make run
#   LISTEN=127.0.0.1:9090 make run    another public address
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
beacond=$1
run_dir="$top/run"
listen=${LISTEN:-127.0.0.1:8080}
admin=${ADMIN:-127.0.0.1:8081}
mkdir -p "$run_dir/redis" "$run_dir/data"

redis_pid=""
beacond_pid=""
stop() {
    trap - INT TERM EXIT
    [ -n "$beacond_pid" ] && kill -TERM "$beacond_pid" 2>/dev/null && wait "$beacond_pid" 2>/dev/null
    [ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    echo "run: stopped"
}
trap stop INT TERM EXIT

cli=(redis-cli)
if [ -n "${REDIS_URL:-}" ]; then
    url=$REDIS_URL
    cli=(redis-cli -u "$REDIS_URL")
else
    sock="$run_dir/redis/redis.sock"
    # port 0: the private Redis listens on its unix socket only
    redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 \
        --dir "$run_dir/redis" --appendonly yes \
        --logfile "$run_dir/redis/redis.log" &
    redis_pid=$!
    for _ in $(seq 1 100); do
        [ -S "$sock" ] && [ "$(redis-cli -s "$sock" ping 2>/dev/null)" = PONG ] && break
        sleep 0.05
    done
    [ -S "$sock" ] || { echo "run: redis-server did not start, see $run_dir/redis/redis.log" >&2; exit 1; }
    url="unix://$sock"
    cli=(redis-cli -s "$sock")
fi

day=$(date -u +%Y%m%d)
cat <<MSG
run: redis at $url
run: try a pixel:
       curl -s 'http://$listen/p.gif?s=demo&u=/hello&r=https://news.example.org/x' | od -c | head -2
     watch the counts:
       ${cli[*]} HGETALL 'bc:{demo}:tot:d:$day'
       ${cli[*]} ZRANGE 'bc:{demo}:pages:d:$day' 0 -1 WITHSCORES
     metrics: curl -s http://$admin/metrics
run: Ctrl-C stops beacond and the private Redis
MSG

conf=()
[ -n "${BEACOND_CONF:-}" ] && conf=(-c "$BEACOND_CONF")
"$beacond" "${conf[@]}" --listen "$listen" --admin "$admin" --redis "$url" \
    --data-dir "$run_dir/data" &
beacond_pid=$!
wait "$beacond_pid" || true
beacond_pid=""
