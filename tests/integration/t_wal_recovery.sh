# The write-ahead log across kill -9 (SPEC 7): hits answered as counted
# are in Redis once after a restart, whether Redis was away (the backlog
# is the log) or up (the batch in flight is recognised as a repeat); a
# restart with nothing new counts nothing again; SIGTERM with Redis away
# exits and leaves the backlog to the next start; a data dir of another
# instance or of a newer format is refused.
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
avoid_minute_edge

load() { # SITE TOTAL: a pipelined load; prints its summary line
    timeout 60 python3 "$here/loadgen.py" --port "$PORT" --total "$2" \
        --conns 8 --pipeline 8 --sites "$1" --paths 50
}

# 1. Redis away: the backlog lives in the log through kill -9.
redis_start
beacond_start
redis_stop
out=$(load away 3000)
echo "   loadgen (away): $out"
check "away: all counted" 3000 "$(load_field counted "$out")"
beacond_kill
beacond_start
redis_start
wait_eq_t 15 "away: exact after kill -9 and restart" 3000 pageviews away
grep -q "recovery: 3000 hits read back" "$T_DIR/beacond.log"
check "away: the log says what it read back" 0 $?

# 2. Redis up, kill -9 while batches go: the one in flight is a repeat.
out=$(load up 20000)
echo "   loadgen (up): $out"
counted=$(load_field counted "$out")
beacond_kill
beacond_start
wait_eq_t 15 "up: exact after kill -9 and restart" "$counted" pageviews up

# 2b. kill -9 after the last acknowledgement, before the removal it allows:
# the next start removes what Redis holds, and only the workers' new
# segments are left.
out=$(load acked 2000)
acked=$(load_field counted "$out")
wait_eq_t 10 "acked: in Redis" "$acked" pageviews acked
wait_eq_t 10 "acked: acknowledged" 0 metric beacon_wal_bytes
beacond_kill
beacond_start
segs=$(ls "$T_DIR/data/wal" | wc -l)
check "segments Redis holds go at start (one a worker left)" 2 "$segs"
sleep 1
check "acked: unchanged after kill -9 and restart" "$acked" \
    "$(pageviews acked)"

# 3. Nothing new: a stop and a start count nothing again.
beacond_stop
check "stop: exit status" 0 "$BEACOND_STATUS"
beacond_start
sleep 1
check "restart: away unchanged" 3000 "$(pageviews away)"
check "restart: up unchanged" "$counted" "$(pageviews up)"
segs=$(ls "$T_DIR/data/wal" | wc -l)
check "acknowledged segments are gone (one a worker left)" 2 "$segs"

# 4. SIGTERM while Redis is away: exit 0 within drain_timeout, the next
# start sends the backlog. A request left half-sent keeps its worker for
# the whole drain_timeout, and the flusher then has no time left: the
# deadline is the stop's, not each step's.
beacond_stop
beacond_start "server.drain_timeout = 2s"
redis_stop
out=$(load term 500)
check "term: all counted" 500 "$(load_field counted "$out")"
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /p.gif?s=term&u=/half HTTP/1.1\r\nHost: x\r\n' >&3
sleep 0.2
t0=$(date +%s%N)
beacond_stop
ms=$((($(date +%s%N) - t0) / 1000000))
exec 3>&-
check "term: exit status 0 with Redis away" 0 "$BEACOND_STATUS"
check "term: within drain_timeout, a half-sent request held ($ms ms)" 1 \
    "$([ "$ms" -ge 1900 ] && [ "$ms" -lt 3500 ] && echo 1 || echo 0)"
check "term: says the log keeps them" 1 "$(grep -c "go at the next start" "$T_DIR/beacond.log")"
redis_start
beacond_start
wait_eq_t 15 "term: exact after the restart" 500 pageviews term

# 5. A data dir that is not ours is refused, with a clear error.
beacond_stop
sed 's/^instance_id = .*/instance_id = someone-else/' "$T_DIR/beacond.conf" \
    > "$T_DIR/other.conf"
"$BEACOND" -c "$T_DIR/other.conf" 2> "$T_DIR/other.err"
check "another instance's dir: exit 1" 1 $?
check "another instance's dir: says so" 1 \
    "$(grep -c 'the data dir of instance "test-[0-9]*", not "someone-else"' "$T_DIR/other.err")"
check "META says its format" 1 "$(grep -c '^format [0-9][0-9]*$' "$T_DIR/data/META")"
sed -i 's/^format [0-9]*$/format 99/' "$T_DIR/data/META"
"$BEACOND" -c "$T_DIR/beacond.conf" 2> "$T_DIR/newer.err"
check "a newer format: exit 1" 1 $?
check "a newer format: says so" 1 \
    "$(grep -c 'format 99 is newer than this beacond' "$T_DIR/newer.err")"
finish
