# SPEC 6, 7: a Redis outage in the middle of a load loses nothing and
# counts nothing twice; /readyz stays 200 while the backlog is small;
# SIGTERM drains (flushes what is held) and exits 0.
#
# Redis runs with an append-only file so that a stop and start on the same
# port keeps what was applied before the outage (and the batch records).
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

sum_pageviews() { # SITE: pageviews over every tot:d key of SITE
    local k v total=0
    for k in $(rcli --scan --pattern "bc:{$1}:tot:d:*" 2>/dev/null); do
        v=$(rcli HGET "$k" pageviews)
        total=$((total + ${v:-0}))
    done
    echo $total
}
sum_pages() { # SITE: sum of pages scores over every pages:d key of SITE
    local k
    for k in $(rcli --scan --pattern "bc:{$1}:pages:d:*"); do
        rcli ZRANGE "$k" 0 -1 WITHSCORES | awk 'NR % 2 == 0'
    done | awk '{ t += $1 } END { printf "%d\n", t }'
}
field() { # NAME SUMMARY: the value of NAME=... in a loadgen summary line
    echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
# stop_bounded SECS: SIGTERM beacond, wait at most SECS for it to exit
# (then SIGKILL); sets BEACOND_STATUS (124 when it had to be killed).
stop_bounded() {
    local i
    kill -TERM "$BEACOND_PID" 2>/dev/null
    for i in $(seq 1 $(($1 * 10))); do
        kill -0 "$BEACOND_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$BEACOND_PID" 2>/dev/null; then
        kill -KILL "$BEACOND_PID"
        wait "$BEACOND_PID" 2>/dev/null
        BEACOND_STATUS=124
    else
        wait "$BEACOND_PID" 2>/dev/null
        BEACOND_STATUS=$?
    fi
    BEACOND_PID=""
}

AOF="--appendonly yes --appendfsync always"
redis_start_args $AOF
beacond_start

# ---- scenario 1: 12 000 hits over ~15 s, Redis away for 10 s in the middle
errs0=$(metric beacon_redis_errors_total)
timeout 60 python3 "$here/loadgen.py" --port "$PORT" --total 12000 --rate 800 \
    --conns 10 --pipeline 4 --sites out --paths 7 --timeout 50 \
    > "$T_DIR/load1.out" 2>&1 &
load_pid=$!

sleep 3
before_stop=$(sum_pageviews out)
redis_stop
check "redis is down" "" "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)"
sleep 2
check "readyz while Redis is down (small backlog)" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$ADMIN/readyz")"
check "livez while Redis is down" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$ADMIN/livez")"
backlog=$(metric beacon_backlog_bytes)
[ "${backlog%.*}" -gt 0 ] 2>/dev/null && check "backlog grows while Redis is down" ok ok ||
    check "backlog grows while Redis is down (beacon_backlog_bytes > 0)" "> 0" "$backlog"
h=$(pixel "s=out2&u=/during-outage" -A 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0')
check "pixel counted while Redis is down" "X-Beacon: counted" \
    "$(echo "$h" | grep -i '^x-beacon')"
sleep 8
redis_start_args $AOF
check "redis kept the data applied before the outage" ok \
    "$([ "$(sum_pageviews out)" -ge "$before_stop" ] && echo ok || echo "lost: had $before_stop")"

wait "$load_pid"
load_rc=$?
out=$(cat "$T_DIR/load1.out")
echo "   loadgen (outage): $out"
check "loadgen exit status" 0 "$load_rc"
counted=$(field counted "$out")
check "loadgen answered everything" "12000 0" "$(field sent "$out") $(field unanswered "$out")"
check "every hit counted during the outage" 12000 "${counted:-0}"
wait_eq_t 30 "pageviews after the outage = counted responses" "${counted:-x}" sum_pageviews out
check "pages scores after the outage = counted responses" "${counted:-x}" "$(sum_pages out)"
wait_eq_t 10 "the hit sent during the outage" 1 sum_pageviews out2
errs1=$(metric beacon_redis_errors_total)
check "beacon_redis_errors_total moved" ok \
    "$([ "${errs1%.*}" -gt "${errs0%.*}" ] 2>/dev/null && echo ok || echo "$errs0 -> $errs1")"
check "readyz after recovery" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$ADMIN/readyz")"
wait_eq_t 10 "backlog drained after recovery" 0 metric beacon_backlog_bytes
# stays exact: nothing replayed twice later
sleep 1
check "pageviews still exact 1 s later" "${counted:-x}" "$(sum_pageviews out)"

# ---- scenario 2: SIGTERM right after a burst; drain flushes everything
stop_bounded 15
check "beacond exit status (scenario 1)" 0 "$BEACOND_STATUS"
beacond_start "redis.flush_interval = 5s"
out=$(timeout 40 python3 "$here/loadgen.py" --port "$PORT" --total 3000 \
    --conns 20 --pipeline 8 --sites drain --paths 5 --timeout 30)
echo "   loadgen (drain): $out"
counted=$(field counted "$out")
check "burst all counted" 3000 "${counted:-0}"
before=$(sum_pageviews drain)
stop_bounded 15
check "beacond exit status after SIGTERM" 0 "$BEACOND_STATUS"
echo "   drain: $before of $counted were in Redis before SIGTERM"
check "all counted hits in Redis after drain" "${counted:-x}" "$(sum_pageviews drain)"
check "pages scores after drain" "${counted:-x}" "$(sum_pages drain)"
finish
