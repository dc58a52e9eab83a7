# kill -9 of beacond at five moments of a 100 000-hit load at full speed
# (one while Redis sleeps with a batch unread), then a restart: every hit
# answered "counted" is in Redis once, and nothing else is but hits whose
# answers the kill cut off:
#   counted <= Redis total <= counted + unanswered
# (equal when nothing was left unanswered).
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
avoid_minute_edge

redis_start_args --enable-debug-command yes
beacond_start

# run SITE DELAY [slow]: the load, kill -9 after DELAY s; with "slow",
# Redis sleeps (DEBUG SLEEP) from before the kill: the batch in flight
# waits in its socket, is applied after beacond is gone, and comes again
# from the log after the restart, where the script must take it as a
# repeat.
run() {
    local site=$1 delay=$2 slow=${3:-} out counted unanswered total
    timeout 90 python3 "$here/loadgen.py" --port "$PORT" --total 100000 \
        --conns 16 --pipeline 16 --sites "$site" --paths 200 \
        --io-timeout 2 > "$T_DIR/load.out" &
    local lpid=$! spid=
    sleep "$delay"
    if [ -n "$slow" ]; then
        rcli DEBUG SLEEP 1.5 >/dev/null &
        spid=$!
        sleep 0.3
    fi
    beacond_kill
    wait "$lpid"
    out=$(cat "$T_DIR/load.out")
    echo "   $site (kill after ${delay}s${slow:+, Redis asleep}): $out"
    counted=$(load_field counted "$out")
    unanswered=$(load_field unanswered "$out")
    beacond_start
    [ -z "$spid" ] || wait "$spid"
    # Settled: nothing left in memory or in the log that Redis has not
    # acknowledged, and the same total twice, a second apart.
    local i prev=x
    for i in $(seq 1 30); do
        total=$(pageviews "$site")
        [ "$total" = "$prev" ] && [ "$(metric beacon_backlog_keys)" = 0 ] &&
            [ "$(metric beacon_wal_bytes)" = 0 ] && break
        prev=$total
        sleep 1
    done
    total=${total:-0}
    check "$site: at least every counted hit ($counted <= $total)" 1 \
        "$([ "$total" -ge "$counted" ] && echo 1 || echo 0)"
    check "$site: nothing but cut-off hits ($total <= $counted + $unanswered)" 1 \
        "$([ "$total" -le $((counted + unanswered)) ] && echo 1 || echo 0)"
    if [ "$total" -lt "$counted" ]; then
        echo "   $site: what beacond said:"
        grep -E "recovery|wal|journal|flusher|redis" "$T_DIR/beacond.log" | tail -20
    fi
    if [ "$unanswered" = 0 ]; then
        check "$site: all answered, exact" "$counted" "$total"
    fi
    check "$site: some load before the kill" 1 \
        "$([ "$counted" -gt 0 ] && echo 1 || echo 0)"
}

run k1 0.4
run k2 0.9
run k3 1.6
run k4 2.3
run k5 1.0 slow
finish
