# max_keys bounds what waits for an absent Redis: past it, hits are
# answered (the GIF, "dropped=shed") and counted as shed, never as counted;
# every hit answered "counted" reaches Redis once Redis is back.
. "$(dirname "$0")/lib.sh"
redis_start
beacond_start "redis.max_keys = 40"
avoid_minute_edge 15
redis_stop

counted=0
shed=0
for i in $(seq 1 30); do
    x=$(pixel "s=shed&u=/page$i" | grep -i '^x-beacon:' | tr -d ' ')
    case $x in
    X-Beacon:counted) counted=$((counted + 1)) ;;
    X-Beacon:dropped=shed) shed=$((shed + 1)) ;;
    esac
done
# Each new page needs 2 new aggregate keys (the page, and the visitor of
# its area) and a hit reserves 5: 40 keys hold fewer than 30 pages, so
# some hits must have been shed.
check "some hits shed" 1 "$([ "$shed" -gt 0 ] && echo 1 || echo 0)"
check "some hits counted" 1 "$([ "$counted" -gt 0 ] && echo 1 || echo 0)"
check "every hit answered" 30 "$((counted + shed))"
check "shed metric" "$shed" "$(metric 'beacon_hits_total{endpoint="pixel",outcome="shed"}')"
# HEAD: answered, never counted, so the totals below stay known.
check "status while shedding" "HTTP/1.1 200 OK" "$(pixel 's=shed&u=/more' -I | head -1)"

redis_start
d=$(today)
wait_eq "counted hits reach Redis" "$counted" rcli HGET "bc:{shed}:tot:d:$d" pageviews
check "pages sum" "$counted" "$(rcli EVAL "local s=0 for i,v in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')) do if i%2==0 then s=s+tonumber(v) end end return s" 1 "bc:{shed}:pages:d:$d")"
# With Redis back the backlog drains and hits count again.
wait_eq "backlog drained" 0 metric beacon_backlog_keys
check "counted again" "X-Beacon: counted" "$(pixel 's=shed&u=/after' | grep -i '^x-beacon')"
finish
