# Redis faults under load (SPEC 7): the flusher's connection killed in the
# middle of flushes (CLIENT KILL), then Redis itself killed (kill -9) with
# its append-only file on and started again: every hit answered "counted"
# is in Redis exactly once.
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
avoid_minute_edge 20

AOF="--appendonly yes --appendfsync always"

redis_start_args $AOF
beacond_start
timeout 60 python3 "$here/loadgen.py" --port "$PORT" --total 20000 \
    --rate 2000 --conns 8 --pipeline 4 --sites rf --paths 100 \
    > "$T_DIR/load.out" &
lpid=$!
sleep 2
kills=0
# Each time Redis holds writes for a moment (CLIENT PAUSE), so that a
# batch is in flight when its connection goes.
for i in 1 2 3 4 5 6; do
    rcli CLIENT PAUSE 400 WRITE >/dev/null
    sleep 0.2
    n=$(rcli CLIENT KILL TYPE normal SKIPME yes)
    kills=$((kills + ${n:-0}))
    sleep 0.3
done
echo "   CLIENT KILL: $kills connections killed"
check "connections killed mid-load" 1 "$([ "$kills" -ge 3 ] && echo 1 || echo 0)"
sleep 1
kill -KILL "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null
REDIS_PID=""
sleep 1
redis_start_args $AOF
wait "$lpid"
out=$(cat "$T_DIR/load.out")
echo "   loadgen: $out"
counted=$(load_field counted "$out")
check "all answered" 0 "$(load_field unanswered "$out")"
check "all counted" 20000 "$counted"
wait_eq_t 20 "exact after CLIENT KILL and kill -9 of Redis" "$counted" pageviews rf
check "no batch errors left" 1 "$([ "$(metric beacon_backlog_keys)" = 0 ] && echo 1 || echo 0)"
check "the lost connections were seen" 1 \
    "$([ "$(metric beacon_redis_errors_total)" -ge 3 ] && echo 1 || echo 0)"
check "batches were in flight when their connection went" 1 \
    "$([ "$(metric beacon_batches_retried_total)" -ge 3 ] && echo 1 || echo 0)"
finish
