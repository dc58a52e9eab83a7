# A long Redis outage: 30 s of load while Redis is stopped, with max_keys
# small enough that the backlog leaves memory for the log alone (the
# flusher builds batches from the log once Redis is back), then kill -9 of
# beacond, a restart, and Redis started again: exact totals, and memory
# that did not grow with the outage.
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
d=$(today)
avoid_minute_edge

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$BEACOND_PID/status"; }

redis_start
beacond_start "redis.max_keys = 4000"
redis_stop
# 30 s at 1 000 hits a second over 3 000 pages: far more keys than fit
out=$(timeout 90 python3 "$here/loadgen.py" --port "$PORT" --total 30000 \
    --rate 1000 --conns 4 --sites out --paths 3000)
echo "   loadgen (Redis away 30 s): $out"
counted=$(load_field counted "$out")
check "away: every hit counted (the log holds the backlog)" 30000 "$counted"
check "away: the backlog left memory for the log" 1 \
    "$(grep -c "stay in the write-ahead log only" "$T_DIR/beacond.log")"
rss=$(rss_kb)
echo "   VmRSS after 30 s of outage: $rss kB"
check "away: memory bounded (VmRSS under 64 MB)" 1 \
    "$([ "$rss" -lt 65536 ] && echo 1 || echo 0)"
check "away: beacon_wal_bytes holds the backlog" 1 \
    "$([ "$(metric beacon_wal_bytes)" -gt 1000000 ] && echo 1 || echo 0)"
beacond_kill
beacond_start "redis.max_keys = 4000"
redis_start
wait_eq_t 30 "after kill -9, restart, Redis back: exact" 30000 pageviews out
check "pages: every one" 3000 "$(rcli ZCARD "bc:{out}:pages:d:$d")"
wait_eq_t 10 "backlog drained" 0 metric beacon_wal_bytes
beacond_stop
check "stop: exit status" 0 "$BEACOND_STATUS"
finish
