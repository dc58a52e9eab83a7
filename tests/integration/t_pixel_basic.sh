# The page pixel end to end: a hit lands in every SPEC 5 key it should.
. "$(dirname "$0")/lib.sh"
redis_start
beacond_start

h=$(pixel 's=demo&u=/hello&r=https://news.example.org/x')
check "status" "HTTP/1.1 200 OK" "$(echo "$h" | head -1)"
check "x-beacon" "X-Beacon: counted" "$(echo "$h" | grep -i '^x-beacon')"
d=$(today)
wait_eq "tot pageviews" 1 rcli HGET "bc:{demo}:tot:d:$d" pageviews
check "pages" 1 "$(rcli ZSCORE "bc:{demo}:pages:d:$d" /hello)"
check "refs" 1 "$(rcli ZSCORE "bc:{demo}:refs:d:$d" news.example.org)"
check "sites" 1 "$(rcli SISMEMBER bc:sites demo)"
finish
