# SPEC 2.7, 3 and 5: a real nginx logs its requests in the beacon format
# over UDP syslog to beacond (ingest_syslog on 127.0.0.1 and [::1]). Page
# views from several client addresses (bound 127.0.0.N sources and the IPv6
# client ::1), on a host mapped through [sites] and on a host that is its
# own site id, with external and internal referrers and utm parameters, are
# counted exactly like pixels: exact pages, areas, refs (external hosts
# only, without "www."), utm, tot, dev, br, and exact PFCOUNTs of uv and of
# each area's uva. DNT, Sec-GPC, the opt-out cookie, a bot and an empty user
# agent are dropped by the gate; an asset, a 404, a POST and a HEAD are
# skipped; a host that is no site id is invalid: the syslog outcome
# counters in /metrics say so exactly. Then no client address is found in
# any Redis key or value, in what Redis received (MONITOR), in beacond's
# data dir, config or (debug) log, in any form (addr_search.py).
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
command -v nginx >/dev/null || PATH=$PATH:/usr/sbin
command -v nginx >/dev/null || { echo "t_syslog_nginx: nginx is missing (scripts/install-deps.sh)" >&2; exit 1; }
ADDR_SEARCH=$(cd "$(dirname "$0")" && pwd)/addr_search.py
NGINX_PID=""
MON_PID=""
trap '[ -n "$NGINX_PID" ] && kill -KILL "$NGINX_PID" 2>/dev/null
      [ -n "$MON_PID" ] && kill "$MON_PID" 2>/dev/null
      instances_kill; cleanup' EXIT
W=$T_DIR/test             # this script's own files (nginx too): not searched
mkdir -p "$W"

# ------------------------------------------------------------ addresses
A=127.0.0.2               # counted: /, /index.html, /blog/a.html (external referrer)
B=127.0.0.3               # counted: /blog/a.html (internal referrer), /blog/b.html
C=127.0.0.4               # counted: /shop/item with utm_*, external "www." referrer
V6=::1                    # counted: /blog/b.html over IPv6
DROP=127.0.0.5            # DNT, GPC, opt-out cookie
BOT=127.0.0.6             # Googlebot, no user agent
SKIP=127.0.0.7            # asset, 404, POST, HEAD
SELF=127.0.0.8            # counted on the host that is its own site id
INV=127.45.67.89          # a host that is no site id
ADDRS="$A $B $C $V6 $DROP $BOT $SKIP $SELF $INV"
# 127.0.0.1 is beacond's and nginx's listen address, not a client's, and is
# not searched.
HOST=www.example.com      # mapped to the site ngx-ex
SELF_HOST=ngx-self.test   # not mapped: its own site id

# ------------------------------------------------------------ nginx
. "$(dirname "$0")/nginx_lib.sh"


# ------------------------------------------------------------ start
avoid_hour_edge 20   # one UTC hour (and day) for the whole file
redis_start
python3 "$ADDR_SEARCH" monitor "$REDIS_PORT" "$W/monitor.out" &
MON_PID=$!
for i in $(seq 1 50); do
    [ "$(rcli CLIENT LIST TYPE monitor 2>/dev/null | wc -l)" -ge 1 ] && break
    sleep 0.05
done
check "MONITOR attached" 1 "$(rcli CLIENT LIST TYPE monitor | wc -l)"
SP=$(free_port)
beacond_start "server.ingest_syslog = 127.0.0.1:$SP, [::1]:$SP" \
    "server.log_level = debug" "sites.$HOST = ngx-ex" || exit 1
nginx_start "$SP" || exit 1
H=$(this_hour)
D=${H:0:8}

# ------------------------------------------------------------ requests
ext=https://news.example.org/story?id=7
check "A /" 200 "$(get $A $HOST /)"
check "A /index.html" 200 "$(get $A $HOST /index.html)"
check "A /blog/a.html, external referrer" 200 "$(get $A $HOST /blog/a.html -e "$ext")"
check "B /blog/a.html, internal referrer" 200 \
    "$(get $B $HOST /blog/a.html -e "https://$HOST/index.html")"
check "B /blog/b.html, internal referrer without www." 200 \
    "$(get $B $HOST /blog/b.html -e "https://example.com/")"
check "C /shop/item?utm_*, external www. referrer" 200 \
    "$(get $C $HOST '/shop/item?utm_source=news&utm_medium=mail' -e 'https://WWW.Search.Example.NET/?q=x')"
check "::1 /blog/b.html" 200 "$(get $V6 $HOST /blog/b.html)"
check "self /blog/a.html, internal referrer" 200 \
    "$(get $SELF $SELF_HOST /blog/a.html -e "https://$SELF_HOST/")"
# dropped by the gate: pages that nginx served
check "DNT" 200 "$(get $DROP $HOST /blog/a.html -H 'DNT: 1')"
check "Sec-GPC" 200 "$(get $DROP $HOST /blog/a.html -H 'Sec-GPC: 1')"
check "opt-out cookie" 200 "$(get $DROP $HOST /blog/a.html -b 'beacon_optout=1')"
check "Googlebot" 200 \
    "$(get $BOT $HOST /blog/a.html -A 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)')"
check "no user agent" 200 "$(get $BOT $HOST /blog/a.html -A '')"
# skipped: not page views
check "asset" 200 "$(get $SKIP $HOST /style.css)"
check "404" 404 "$(get $SKIP $HOST /missing.html)"
check "POST answered 200" 200 "$(get $SKIP $HOST /form --data-binary 'a=b')"
check "HEAD" 200 "$(get $SKIP $HOST / -I)"
# a host that is no site id (nginx takes it)
check "host bad!host" 200 "$(get $INV 'bad!host' /)"

# ------------------------------------------------------------ outcomes
# 18 lines; UDP on loopback loses none of so few
wait_eq "syslog outcomes" "bot=2 counted=8 dnt=1 gpc=1 invalid=1 optout=1 skipped=4 " outcomes
check "no datagram dropped" 0 "$(metric beacon_syslog_receive_drops_total)"
check "no pixel counted" 0 "$(metric 'beacon_hits_total{endpoint="pixel",outcome="counted"}')"

# ------------------------------------------------------------ Redis: ngx-ex
ex() { echo "bc:{ngx-ex}:$1"; }
wait_eq "ngx-ex: 7 pageviews" 7 rcli HGET "$(ex tot:d:$D)" pageviews
check "ngx-ex: pageviews this hour" 7 "$(rcli HGET "$(ex tot:h:$H)" pageviews)"
zs() { rcli ZRANGE "$1" 0 -1 WITHSCORES | paste -sd' '; }
check "pages:d" "/ 1 /index.html 1 /shop/item 1 /blog/a.html 2 /blog/b.html 2" "$(zs "$(ex pages:d:$D)")"
check "pages:h" "/ 1 /index.html 1 /shop/item 1 /blog/a.html 2 /blog/b.html 2" "$(zs "$(ex pages:h:$H)")"
check "areas:d" "/ 1 index.html 1 shop 1 blog 4" "$(zs "$(ex areas:d:$D)")"
check "areas:h" "/ 1 index.html 1 shop 1 blog 4" "$(zs "$(ex areas:h:$H)")"
check "refs:d: external hosts only" "news.example.org 1 search.example.net 1" "$(zs "$(ex refs:d:$D)")"
check "refs:h" "news.example.org 1 search.example.net 1" "$(zs "$(ex refs:h:$H)")"
check "utm:d" "news/mail/ 1" "$(zs "$(ex utm:d:$D)")"
check "dev:d" "desktop 7" "$(zs "$(ex dev:d:$D)")"
check "br:d" "chrome 7" "$(zs "$(ex br:d:$D)")"
check "series:d this hour" 7 "$(rcli HGET "$(ex series:d:$D)" "${H:8:2}")"
check "visitors today: A B C ::1" 4 "$(rcli PFCOUNT "$(ex uv:d:$D)")"
check "visitors this hour" 4 "$(rcli PFCOUNT "$(ex uv:h:$H)")"
check "uva blog: A B ::1" 3 "$(rcli PFCOUNT "$(ex uva:d:$D:blog)")"
check "uva /: A" 1 "$(rcli PFCOUNT "$(ex "uva:d:$D:/")")"
check "uva index.html: A" 1 "$(rcli PFCOUNT "$(ex uva:d:$D:index.html)")"
check "uva shop: C" 1 "$(rcli PFCOUNT "$(ex uva:d:$D:shop)")"
check "uva areas" "/ blog index.html shop" "$(rcli SMEMBERS "$(ex uva:d:$D)" | sort | paste -sd' ')"

# ------------------------------------------------------------ Redis: the host as site id
sf() { echo "bc:{$SELF_HOST}:$1"; }
wait_eq "$SELF_HOST: 1 pageview" 1 rcli HGET "$(sf tot:d:$D)" pageviews
check "$SELF_HOST pages:d" "/blog/a.html 1" "$(zs "$(sf pages:d:$D)")"
check "$SELF_HOST areas:d" "blog 1" "$(zs "$(sf areas:d:$D)")"
check "$SELF_HOST: its own referrer is internal" 0 "$(rcli EXISTS "$(sf refs:d:$D)")"
check "$SELF_HOST visitors" 1 "$(rcli PFCOUNT "$(sf uv:d:$D)")"
check "$SELF_HOST uva blog" 1 "$(rcli PFCOUNT "$(sf uva:d:$D:blog)")"
# exactly these sites: the mapped host is no site of its own, the bad one
# none at all
check "sites" "ngx-ex ngx-self.test" "$(rcli SMEMBERS bc:sites | sort | paste -sd' ')"
check "no other site's keys" "" \
    "$(rcli --scan --pattern 'bc:{*' | grep -v -e '^bc:{ngx-ex}:' -e "^bc:{$SELF_HOST}:")"

# nothing came late: the counts still stand a few flushes on
sleep 0.5
check "syslog outcomes, later" "bot=2 counted=8 dnt=1 gpc=1 invalid=1 optout=1 skipped=4 " "$(outcomes)"
check "ngx-ex pageviews, later" 7 "$(rcli HGET "$(ex tot:d:$D)" pageviews)"

# ------------------------------------------------------------ search
# nginx first (no more lines), then beacond's drain (its flush and log
# lines are searched too), then the MONITOR capture
stop_pid "$NGINX_PID"
NGINX_PID=""
salt_key="bc:salt:$D"
beacond_stop
kill "$MON_PID" 2>/dev/null
wait "$MON_PID" 2>/dev/null
MON_PID=""
out=$(python3 "$ADDR_SEARCH" search --redis-port "$REDIS_PORT" --monitor "$W/monitor.out" \
    --listen6 "$SP" --salt-key "$salt_key" --site-needle ngx- \
    "$T_DIR/data" "$T_DIR/beacond.log" "$T_DIR/beacond.conf" "$T_DIR/redis.log" -- $ADDRS 2>&1)
address_search_checks "Redis, MONITOR, files or log" "$out" \
    "site-id redis-keyname" "site-id monitor" "hll redis-value" "hll redis-dump" \
    "salt redis-value" "salt redis-dump" "salt monitor-escaped"
# the log searched is the one beacond wrote (it names its syslog sockets)
check "beacond log searched" 1 "$(grep -c "syslog on 127.0.0.1:$SP, \[::1\]:$SP" "$T_DIR/beacond.log")"
finish
