# The log's quota (backlog_max_bytes) while Redis is away: past it pixels
# still get the GIF but "dropped=shed", POST /e answers 503 with
# Retry-After, /readyz says 503; once Redis is back, every hit answered
# "counted" before is in Redis, once. Each worker sheds at its share of
# the quota, and /readyz says 503 as soon as one worker's log nears it,
# even while the others hold nothing.
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
avoid_minute_edge

redis_start
# One worker: the quota is shared out equally between workers, and the
# kernel need not spread a few connections evenly.
beacond_start "server.workers = 1" "redis.backlog_max_bytes = 64KiB" \
    "redis.wal_segment_bytes = 16KiB"
redis_stop
out=$(timeout 60 python3 "$here/loadgen.py" --port "$PORT" --total 3000 \
    --conns 4 --sites q --paths 50)
echo "   loadgen (Redis away, 64 KiB quota): $out"
counted=$(load_field counted "$out")
check "all answered" 0 "$(load_field unanswered "$out")"
check "some counted" 1 "$([ "$counted" -gt 100 ] && echo 1 || echo 0)"
check "the rest shed" 1 "$([ "$(load_field other "$out")" -gt 1000 ] && echo 1 || echo 0)"
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$BEACOND_PID/status")
echo "   VmRSS at the quota: $rss kB"
check "memory bounded at the quota (VmRSS under 64 MB)" 1 \
    "$([ "$rss" -lt 65536 ] && echo 1 || echo 0)"
h=$(pixel 's=q&u=/late')
check "past the quota: the GIF" "HTTP/1.1 200 OK" "$(echo "$h" | head -1)"
check "past the quota: shed" "X-Beacon: dropped=shed" "$(echo "$h" | grep -i '^x-beacon')"
check "metrics: shed counted" 1 \
    "$([ "$(metric 'beacon_hits_total{endpoint="pixel",outcome="shed"}')" -gt 1000 ] && echo 1 || echo 0)"
e=$(curl -s -D - -o /dev/null -A "$BROWSER_UA" -H 'Content-Type: application/json' \
    --data '[{"s":"q","u":"/e"}]' "$BASE/e" | tr -d '\r')
check "POST /e: 503" "HTTP/1.1 503 Service Unavailable" "$(echo "$e" | head -1)"
check "POST /e: Retry-After" 1 "$(echo "$e" | grep -ci '^retry-after: [0-9]')"
check "readyz: 503" 503 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/readyz")"
redis_start
wait_eq_t 15 "Redis back: every counted hit, once" "$counted" pageviews q
wait_eq_t 10 "readyz: 200 again" 200 curl -s -o /dev/null -w '%{http_code}' "$ADMIN/readyz"
out=$(timeout 60 python3 "$here/loadgen.py" --port "$PORT" --total 100 \
    --conns 2 --sites q2 --paths 5)
wait_eq_t 15 "counting again" 100 pageviews q2

# Two workers, and all the load on one connection: one worker's log fills
# its share (64 KiB) while the quota as a whole (128 KiB) is half used.
beacond_stop
rm -rf "$T_DIR/data"
unset PORT ADMIN_PORT
beacond_start "server.workers = 2" "redis.backlog_max_bytes = 128KiB" \
    "redis.wal_segment_bytes = 16KiB"
redis_stop
check "two workers: ready before the load" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/readyz")"
out=$(timeout 60 python3 "$here/loadgen.py" --port "$PORT" --total 3000 \
    --conns 1 --sites w2 --paths 50)
echo "   loadgen (Redis away, one connection, 2 workers): $out"
counted=$(load_field counted "$out")
check "two workers: the rest shed" 1 \
    "$([ "$(load_field other "$out")" -gt 1000 ] && echo 1 || echo 0)"
check "two workers: one worker's share taken" 1 \
    "$([ "$counted" -gt 100 ] && [ "$counted" -lt 1500 ] && echo 1 || echo 0)"
wait_eq_t 5 "two workers: readyz 503 with one worker's log full" 503 \
    curl -s -o /dev/null -w '%{http_code}' "$ADMIN/readyz"
redis_start
wait_eq_t 15 "two workers: Redis back, every counted hit once" "$counted" pageviews w2
wait_eq_t 10 "two workers: readyz 200 again" 200 \
    curl -s -o /dev/null -w '%{http_code}' "$ADMIN/readyz"
finish
