# SPEC 5, 7: counts are exact under load. 20 000 pixel hits over 50
# keep-alive connections, pipelined in batches of 1..16 requests per write,
# spread over 4 sites and 25 paths: every counted response is in Redis
# once, never twice.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
TOTAL=20000
SITES="l1,l2,l3,l4"

redis_start
beacond_start

start=$(date +%s)
out=$(timeout 70 python3 "$here/loadgen.py" --port "$PORT" --total $TOTAL \
    --conns 50 --pipeline 16 --sites "$SITES" --paths 25 --timeout 55)
rc=$?
echo "   loadgen: $out"
check "loadgen exit status" 0 "$rc"
check "all answered" "sent=$TOTAL counted=$TOTAL other=0 unanswered=0 errors=0" \
    "${out% elapsed=*}"

# Sum of a hash field or of all sorted-set scores over every day key of
# the load's sites (a run across midnight spans two days).
sum_tot() {
    local s k total=0 v
    for s in ${SITES//,/ }; do
        for k in $(rcli --scan --pattern "bc:{$s}:tot:d:*"); do
            v=$(rcli HGET "$k" pageviews)
            total=$((total + ${v:-0}))
        done
    done
    echo $total
}
sum_pages() {
    local s k
    for s in ${SITES//,/ }; do
        for k in $(rcli --scan --pattern "bc:{$s}:pages:d:*"); do
            rcli ZRANGE "$k" 0 -1 WITHSCORES | awk 'NR % 2 == 0'
        done
    done | awk '{ t += $1 } END { printf "%d\n", t }'
}
sum_series() {
    local s k
    for s in ${SITES//,/ }; do
        for k in $(rcli --scan --pattern "bc:{$s}:series:d:*"); do
            rcli HVALS "$k"
        done
    done | awk '{ t += $1 } END { printf "%d\n", t }'
}

wait_eq_t 20 "pageviews in tot:d" $TOTAL sum_tot
check "sum of pages scores" $TOTAL "$(sum_pages)"
check "sum of series:d fields" $TOTAL "$(sum_series)"
D=$(today)
for s in ${SITES//,/ }; do
    # round-robin over 4 sites: 5000 each (checked on today's key when the
    # run did not cross midnight)
    if [ "$(rcli --scan --pattern "bc:{$s}:tot:d:*" | wc -l)" = 1 ]; then
        check "site $s pageviews" 5000 "$(rcli HGET "bc:{$s}:tot:d:$D" pageviews)"
    fi
done
check "counted metric" $TOTAL \
    "$(metric 'beacon_hits_total{endpoint="pixel",outcome="counted"}')"
check "no redis errors" 0 "$(metric beacon_redis_errors_total)"

beacond_stop
check "beacond exit status" 0 "$BEACOND_STATUS"
check "still exact after drain" $TOTAL "$(sum_tot)"
elapsed=$(($(date +%s) - start))
[ $elapsed -lt 60 ] && check "finished in under 60 s" ok ok ||
    check "finished in under 60 s" "< 60" "$elapsed"
finish
