# max_keys bounds the aggregate keys held in memory, not what an absent
# Redis may miss: past half of it the backlog is left to the write-ahead
# log (the flusher builds batches from it once Redis is back), so every
# hit is still counted, the keys held in memory fall back, and Redis gets
# every hit once. Shedding comes from the log's quota (t_wal_quota.sh).
. "$(dirname "$0")/lib.sh"
redis_start
beacond_start "redis.max_keys = 200"
avoid_minute_edge 15
redis_stop

counted=0
shed=0
for i in $(seq 1 150); do
    x=$(pixel "s=shed&u=/page$i" | grep -i '^x-beacon:' | tr -d ' ')
    case $x in
    X-Beacon:counted) counted=$((counted + 1)) ;;
    X-Beacon:dropped=shed) shed=$((shed + 1)) ;;
    esac
done
# Each new page needs 2 new aggregate keys (the page, and its area's
# visitors): 200 keys in memory hold fewer than 150 pages, but far more
# than one flush interval brings.
check "every hit counted" 150 "$counted"
check "none shed" 0 "$shed"
check "the backlog went to the log" 1 \
    "$(grep -c "stay in the write-ahead log only" "$T_DIR/beacond.log")"
check "keys in memory bounded" 1 \
    "$([ "$(metric beacon_backlog_keys)" -le 200 ] && echo 1 || echo 0)"

redis_start
d=$(today)
wait_eq "every hit reaches Redis" 150 rcli HGET "bc:{shed}:tot:d:$d" pageviews
check "pages" 150 "$(rcli ZCARD "bc:{shed}:pages:d:$d")"
wait_eq "backlog drained" 0 metric beacon_backlog_keys
check "counted again" "X-Beacon: counted" "$(pixel 's=shed&u=/after' | grep -i '^x-beacon')"
finish
