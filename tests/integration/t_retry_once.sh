# SPEC 5, 7: batches are applied at most once. A batch whose reply is lost
# (Redis busy past beacond's command timeout, max(5 s, 5 x flush_interval))
# is sent again on a new connection; the counts must still be exact.
#
#  1. DEBUG SLEEP 7: Redis is frozen while the batch sits in its socket.
#     beacond gives up after 5 s and closes; when Redis wakes it still
#     executes the batch read from the old connection (reply lost), then
#     the resend on the new connection: the batch record must make the
#     second one a no-op.
#  2. CLIENT PAUSE 7000 WRITE: the batch is held unexecuted; beacond gives
#     up, reconnects and resends: applied once when the pause ends.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

sum_pageviews() { # SITE
    local k v total=0
    for k in $(rcli --scan --pattern "bc:{$1}:tot:d:*" 2>/dev/null); do
        v=$(rcli HGET "$k" pageviews)
        total=$((total + ${v:-0}))
    done
    echo $total
}
sum_pages() { # SITE
    local k
    for k in $(rcli --scan --pattern "bc:{$1}:pages:d:*"); do
        rcli ZRANGE "$k" 0 -1 WITHSCORES | awk 'NR % 2 == 0'
    done | awk '{ t += $1 } END { printf "%d\n", t }'
}
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
evalsha_calls() {
    rcli INFO commandstats | tr -d '\r' |
        sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\),.*/\1/p' | sed 's/^$/0/'
}
load() { # SITE TOTAL: a short burst, prints the counted responses
    local out
    out=$(timeout 30 python3 "$here/loadgen.py" --port "$PORT" --total "$2" \
        --conns 4 --pipeline 5 --sites "$1" --paths 3 --timeout 20)
    echo "   loadgen ($1): $out" >&2
    field counted "$out"
}
gt() { [ "${1%.*}" -gt "${2%.*}" ] 2>/dev/null && echo ok || echo "$2 -> $1"; }

redis_start_args --enable-debug-command local
beacond_start

# warm up: connection up, script loaded, one batch applied
c=$(load warm 10)
check "warm-up counted" 10 "$c"
wait_eq "warm-up in Redis" 10 sum_pageviews warm

for scenario in sleep pause; do
    site=r$scenario
    errs0=$(metric beacon_redis_errors_total)
    retr0=$(metric beacon_batches_retried_total)
    calls0=$(evalsha_calls)
    t0=$(date +%s)
    freeze_pid=""
    if [ $scenario = sleep ]; then
        timeout 20 redis-cli -p "$REDIS_PORT" DEBUG SLEEP 7 >/dev/null &
        freeze_pid=$!
    else
        rcli CLIENT PAUSE 7000 WRITE >/dev/null
    fi
    sleep 0.3
    start_ns=$(date +%s%N)
    c=$(load "$site" 200)
    ms=$((($(date +%s%N) - start_ns) / 1000000))
    check "$scenario: hits counted while Redis is stuck" 200 "$c"
    check "$scenario: pixels answered at once while Redis is stuck (${ms} ms)" ok \
        "$([ $ms -lt 3000 ] && echo ok || echo slow)"
    [ -n "$freeze_pid" ] && wait "$freeze_pid"
    # the batch was sent before the freeze ended; after it, retried
    wait_eq_t 30 "$scenario: pageviews exact after the retry" 200 sum_pageviews "$site"
    sleep 1.5   # a late duplicate would land here
    check "$scenario: pageviews still exact" 200 "$(sum_pageviews "$site")"
    check "$scenario: pages scores exact" 200 "$(sum_pages "$site")"
    check "$scenario: tot:m exact" 200 \
        "$(for k in $(rcli --scan --pattern "bc:{$site}:tot:m:*"); do rcli HGET "$k" pageviews; done |
            awk '{ t += $1 } END { printf "%d\n", t }')"
    check "$scenario: series:d exact" 200 \
        "$(for k in $(rcli --scan --pattern "bc:{$site}:series:d:*"); do rcli HVALS "$k"; done |
            awk '{ t += $1 } END { printf "%d\n", t }')"
    check "$scenario: warm-up site untouched" 10 "$(sum_pageviews warm)"
    errs1=$(metric beacon_redis_errors_total)
    retr1=$(metric beacon_batches_retried_total)
    calls1=$(evalsha_calls)
    echo "   $scenario: redis_errors $errs0 -> $errs1, batches_retried $retr0 -> $retr1," \
        "EVALSHA calls +$((calls1 - calls0)), $(($(date +%s) - t0)) s" >&2
    check "$scenario: the retry path ran (redis_errors or batches_retried moved)" ok \
        "$([ "$(gt "$errs1" "$errs0")" = ok ] || [ "$(gt "$retr1" "$retr0")" = ok ] &&
            echo ok || echo "errors $errs0 -> $errs1, retried $retr0 -> $retr1")"
    if [ $scenario = sleep ]; then
        # Redis executed the batch from the dead connection and its resend:
        # at least two EVALSHA of this site's batch ran, one was a no-op.
        check "sleep: the batch reached Redis twice (lost reply + resend)" ok \
            "$([ $((calls1 - calls0)) -ge 2 ] && echo ok || echo "EVALSHA +$((calls1 - calls0))")"
    fi
done

beacond_stop
check "beacond exit status" 0 "$BEACOND_STATUS"
check "all exact after drain" "10 200 200" \
    "$(sum_pageviews warm) $(sum_pageviews rsleep) $(sum_pageviews rpause)"
finish
