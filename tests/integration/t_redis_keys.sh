# SPEC 5: exact contents and expiry of every Redis key the page pixel fills
# (tot, pages, refs, utm, ev, dev, br, series, sites), the (other) cap of
# redis.max_members, configured retention, redis.key_prefix, and the areas
# (redis.max_areas).
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)

UA_CHROME='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'
UA_FIREFOX='Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0'
UA_IPHONE='Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1'
UA_IPAD='Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1'
UA_EDGE='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91'
UA_SAMSUNG='Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36'
UA_OPERA='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0'
UA_YANDEX='Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 YaBrowser/23.11.0.0 Safari/537.36'
UA_IE='Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko'
UA_TAB='Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'
UA_NETSURF='NetSurf/3.10 (Plan9)'

# urlenc STRING: percent-encodes everything but unreserved characters.
urlenc() {
    local s=$1 out='' c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in
        [A-Za-z0-9._~-]) out+=$c ;;
        *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

# hit UA QUERY [curl args...]: one pixel hit that must be counted.
N_HITS=0
hit() {
    local ua=$1 q=$2 h
    shift 2
    N_HITS=$((N_HITS + 1))
    h=$(pixel "$q" -A "$ua" "$@")
    check "hit $N_HITS ($q) counted" "X-Beacon: counted" \
        "$(echo "$h" | grep -i '^x-beacon')"
}

# zdump KEY: "member=score member=score ..." sorted by member.
zdump() {
    rcli ZRANGE "$1" 0 -1 WITHSCORES | paste -d= - - | sort | tr '\n' ' ' |
        sed 's/ $//'
}
# hdump KEY: "field=value ..." sorted by field.
hdump() {
    rcli HGETALL "$1" | paste -d= - - | sort | tr '\n' ' ' | sed 's/ $//'
}

# bucket_end G T: unix time at which bucket T (YYYYMMDD[HH[MM]]) ends.
bucket_end() {
    local t=$2 s
    case $1 in
    m) s=$(date -u -d "${t:0:4}-${t:4:2}-${t:6:2} ${t:8:2}:${t:10:2}:00" +%s)
       echo $((s + 60)) ;;
    h) s=$(date -u -d "${t:0:4}-${t:4:2}-${t:6:2} ${t:8:2}:00:00" +%s)
       echo $((s + 3600)) ;;
    d) s=$(date -u -d "${t:0:4}-${t:4:2}-${t:6:2} 00:00:00" +%s)
       echo $((s + 86400)) ;;
    esac
}

# expiry_ok KEY G T RETENTION_S: EXPIRETIME is exactly bucket end +
# retention, and TTL lies within [retention, retention + bucket length].
expiry_ok() {
    local key=$1 g=$2 t=$3 ret=$4 end len ttl
    end=$(bucket_end "$g" "$t")
    case $g in m) len=60 ;; h) len=3600 ;; d) len=86400 ;; esac
    check "expiretime $key" $((end + ret)) "$(rcli EXPIRETIME "$key")"
    ttl=$(rcli TTL "$key")
    if [ "$ttl" -ge $((ret - 1)) ] 2>/dev/null && [ "$ttl" -le $((ret + len)) ]; then
        check "ttl range $key" ok ok
    else
        check "ttl range $key [$((ret - 1)), $((ret + len))]" in-range "$ttl"
    fi
}

redis_start
beacond_start

# All hits of one scenario fall in one minute, so m, h and d agree.
avoid_minute_edge 8
M=$(this_minute)
H=${M:0:10}
D=${M:0:8}
MM=${M:10:2}
HH=${M:8:2}

# ---- site "shop": pageviews, events, referrers, utm, user agents
hit "$UA_CHROME" "s=shop&u=$(urlenc 'https://shop.test/products?utm_source=Google&utm_medium=CPC&utm_campaign=Spring&x=1')&r=$(urlenc 'https://www.Google.com/search?q=a')"
# top-level utm_source overrides the one in u's query; internal referrer
hit "$UA_FIREFOX" "s=shop&u=$(urlenc 'https://shop.test/products?utm_source=google&utm_medium=cpc&utm_campaign=spring')&utm_source=Newsletter&r=$(urlenc 'https://shop.test/cart')"
hit "$UA_IPHONE" "s=shop&u=/cart&r=$(urlenc 'https://news.example.org/a')"
# only a source: "twitter//"; upper-case www. referrer host
hit "$UA_IPAD" "s=shop&u=/cart&utm_source=Twitter&r=$(urlenc 'https://WWW.News.Example.org/b?c=d')"
# bare path: the page's host comes from the Referer header: internal
hit "$UA_EDGE" "s=shop&u=/about&r=$(urlenc 'https://shop.test/products')" -H 'Referer: https://shop.test/about'
hit "$UA_SAMSUNG" "s=shop&u=/cart&e=signup"
hit "$UA_CHROME" "s=shop&u=/products&e=signup&r=$(urlenc 'https://google.com/')"
hit "$UA_OPERA" "s=shop&u=/products&e=add+to+cart"
hit "$UA_YANDEX" "s=shop&u=/products"
# u's source and medium, the campaign from the top level
hit "$UA_IE" "s=shop&u=$(urlenc '/products?utm_source=Bing&utm_medium=cpc')&utm_campaign=Launch"

# ---- site "blog.x"
hit "$UA_IPHONE" "s=blog.x&u=$(urlenc 'https://blog.x.test/post/1')&r=$(urlenc 'https://t.co/abc')"
hit "$UA_TAB" "s=blog.x&u=$(urlenc 'https://blog.x.test/post/1')&r=$(urlenc 'https://blog.x.test/')"
hit "$UA_NETSURF" "s=blog.x&u=$(urlenc 'https://blog.x.test/post/2#frag')"
hit "$UA_FIREFOX" "s=blog.x&u=/post/1&e=share"

# ---- site "docs": e=pageview is a pageview
hit "$UA_CHROME" "s=docs&u=/guide&e=pageview"
hit "$UA_CHROME" "s=docs&u=$(urlenc '/guide?x=1')"

check "all hits within minute $M" "$M" "$(this_minute)"

P='bc:{shop}'
wait_eq "shop tot d" "events=3 pageviews=7" hdump "$P:tot:d:$D"
wait_eq "docs tot d" "pageviews=2" hdump "bc:{docs}:tot:d:$D"
wait_eq "blog.x tot d" "events=1 pageviews=3" hdump "bc:{blog.x}:tot:d:$D"
for g in m h d; do
    case $g in m) t=$M ;; h) t=$H ;; d) t=$D ;; esac
    check "shop tot $g" "events=3 pageviews=7" "$(hdump "$P:tot:$g:$t")"
    check "blog.x tot $g" "events=1 pageviews=3" "$(hdump "bc:{blog.x}:tot:$g:$t")"
    check "docs tot $g" "pageviews=2" "$(hdump "bc:{docs}:tot:$g:$t")"
done
for g in h d; do
    case $g in h) t=$H ;; d) t=$D ;; esac
    check "shop pages $g" "/about=1 /cart=2 /products=4" "$(zdump "$P:pages:$g:$t")"
    check "shop refs $g" "google.com=1 news.example.org=2" "$(zdump "$P:refs:$g:$t")"
    check "shop utm $g" "bing/cpc/launch=1 google/cpc/spring=1 newsletter/cpc/spring=1 twitter//=1" \
        "$(zdump "$P:utm:$g:$t")"
    check "shop ev $g" "add to cart=1 signup=2" "$(zdump "$P:ev:$g:$t")"
    check "shop dev $g" "desktop=7 mobile=2 tablet=1" "$(zdump "$P:dev:$g:$t")"
    check "shop br $g" "chrome=2 edge=1 firefox=1 ie=1 opera=1 safari=2 samsung=1 yandex=1" \
        "$(zdump "$P:br:$g:$t")"

    B='bc:{blog.x}'
    check "blog.x pages $g" "/post/1=2 /post/2=1" "$(zdump "$B:pages:$g:$t")"
    check "blog.x refs $g" "t.co=1" "$(zdump "$B:refs:$g:$t")"
    check "blog.x utm $g absent" 0 "$(rcli EXISTS "$B:utm:$g:$t")"
    check "blog.x ev $g" "share=1" "$(zdump "$B:ev:$g:$t")"
    check "blog.x dev $g" "desktop=1 mobile=1 other=1 tablet=1" "$(zdump "$B:dev:$g:$t")"
    check "blog.x br $g" "chrome=1 firefox=1 other=1 safari=1" "$(zdump "$B:br:$g:$t")"

    C='bc:{docs}'
    check "docs pages $g" "/guide=2" "$(zdump "$C:pages:$g:$t")"
    for kind in refs utm ev; do
        check "docs $kind $g absent" 0 "$(rcli EXISTS "$C:$kind:$g:$t")"
    done
    check "docs dev $g" "desktop=2" "$(zdump "$C:dev:$g:$t")"
    check "docs br $g" "chrome=2" "$(zdump "$C:br:$g:$t")"
done
# sorted sets exist for h and d only
for kind in pages refs utm ev dev br; do
    check "shop $kind m absent" 0 "$(rcli EXISTS "$P:$kind:m:$M")"
done

check "shop series d" "$HH=7" "$(hdump "$P:series:d:$D")"
check "shop series h" "$MM=7" "$(hdump "$P:series:h:$H")"
check "blog.x series d" "$HH=3" "$(hdump "bc:{blog.x}:series:d:$D")"
check "blog.x series h" "$MM=3" "$(hdump "bc:{blog.x}:series:h:$H")"
check "docs series d" "$HH=2" "$(hdump "bc:{docs}:series:d:$D")"
check "docs series h" "$MM=2" "$(hdump "bc:{docs}:series:h:$H")"

check "sites" "blog.x docs shop" "$(rcli SMEMBERS bc:sites | sort | tr '\n' ' ' | sed 's/ $//')"
check "sites never expires" -1 "$(rcli TTL bc:sites)"

# ---- expiry: retention after the bucket ends (48h, 35d, 400d)
R_M=$((48 * 3600)); R_H=$((35 * 86400)); R_D=$((400 * 86400))
expiry_ok "$P:tot:m:$M" m "$M" $R_M
expiry_ok "$P:tot:h:$H" h "$H" $R_H
expiry_ok "$P:tot:d:$D" d "$D" $R_D
for kind in pages refs utm ev dev br; do
    expiry_ok "$P:$kind:h:$H" h "$H" $R_H
    expiry_ok "$P:$kind:d:$D" d "$D" $R_D
done
expiry_ok "$P:series:h:$H" h "$H" $R_H
expiry_ok "$P:series:d:$D" d "$D" $R_D
ttl=$(rcli TTL "$P:tot:d:$D")
if [ "$ttl" -ge $((R_D - 86400)) ] && [ "$ttl" -le $((R_D + 86400)) ]; then
    check "tot d ttl within 400d +- 1d" ok ok
else
    check "tot d ttl within 400d +- 1d" "in range" "$ttl"
fi

# ---- configured retention
beacond_stop
check "beacond exit status after SIGTERM" 0 "$BEACOND_STATUS"
beacond_start "retention.minute = 90m" "retention.hour = 2d" "retention.day = 30d"
avoid_minute_edge 5
M=$(this_minute); H=${M:0:10}; D=${M:0:8}
hit "$UA_CHROME" "s=ret&u=/r&r=$(urlenc 'https://ref.example/')"
wait_eq "ret tot d" "pageviews=1" hdump "bc:{ret}:tot:d:$D"
R_M=$((90 * 60)); R_H=$((2 * 86400)); R_D=$((30 * 86400))
expiry_ok "bc:{ret}:tot:m:$M" m "$M" $R_M
expiry_ok "bc:{ret}:tot:h:$H" h "$H" $R_H
expiry_ok "bc:{ret}:tot:d:$D" d "$D" $R_D
for kind in pages refs dev br; do
    expiry_ok "bc:{ret}:$kind:h:$H" h "$H" $R_H
    expiry_ok "bc:{ret}:$kind:d:$D" d "$D" $R_D
done
expiry_ok "bc:{ret}:series:h:$H" h "$H" $R_H
expiry_ok "bc:{ret}:series:d:$D" d "$D" $R_D

# ---- redis.key_prefix
beacond_stop
beacond_start "redis.key_prefix = xy"
D=$(today)
hit "$UA_CHROME" "s=pfx&u=/x&r=$(urlenc 'https://ref.example/')"
wait_eq "prefix tot d" "pageviews=1" hdump "xy:{pfx}:tot:d:$D"
check "prefix pages" "/x=1" "$(zdump "xy:{pfx}:pages:d:$D")"
check "prefix refs" "ref.example=1" "$(zdump "xy:{pfx}:refs:d:$D")"
check "prefix series" "1" "$(rcli HVALS "xy:{pfx}:series:d:$D")"
check "prefix sites" 1 "$(rcli SISMEMBER xy:sites pfx)"
check "no bc: keys for the prefixed site" 0 "$(rcli --scan --pattern 'bc:{pfx}*' | wc -l)"
check "bc:sites untouched by the prefixed site" 0 "$(rcli SISMEMBER bc:sites pfx)"

# ---- redis.max_members = 3: 5 pages in one flush -> top 3 + (other); the
# cap is the key's: a new page in a later flush goes to (other) as well
beacond_stop
beacond_start "redis.max_members = 3" "redis.flush_interval = 2s"
avoid_minute_edge 8
D=$(today); H=$(this_hour)
# 15 hits in one pipelined write: /a x5, /b x4, /c x3, /d x2, /e x1.
counted=$(python3 - "$PORT" "$UA_CHROME" <<'EOF'
import socket, sys
port, ua = int(sys.argv[1]), sys.argv[2]
reqs = []
for path, n in (("a", 5), ("b", 4), ("c", 3), ("d", 2), ("e", 1)):
    for _ in range(n):
        reqs.append("GET /p.gif?s=cap&u=/%s HTTP/1.1\r\nHost: t\r\n"
                    "User-Agent: %s\r\n\r\n" % (path, ua))
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall("".join(reqs).encode())
buf = b""
while buf.count(b"GIF89a") + buf.count(b"GIF87a") < len(reqs):
    d = s.recv(65536)
    if not d:
        break
    buf += d
print(buf.count(b"X-Beacon: counted"))
EOF
)
check "capped burst counted" 15 "$counted"
wait_eq "cap tot" "pageviews=15" hdump "bc:{cap}:tot:d:$D"
check "cap pages d" "(other)=3 /a=5 /b=4 /c=3" "$(zdump "bc:{cap}:pages:d:$D")"
check "cap pages h" "(other)=3 /a=5 /b=4 /c=3" "$(zdump "bc:{cap}:pages:h:$H")"
# a later flush: a new page joins (other), a kept one counts on its own
hit "$UA_CHROME" "s=cap&u=/f"
hit "$UA_CHROME" "s=cap&u=/b"
wait_eq "cap tot after 2nd flush" "pageviews=17" hdump "bc:{cap}:tot:d:$D"
check "cap pages d after 2nd flush" "(other)=4 /a=5 /b=5 /c=3" \
    "$(zdump "bc:{cap}:pages:d:$D")"

beacond_stop

# ---- areas: pageviews per first path segment, and the day's visitors per
# area, the first max_areas areas with their own HyperLogLog
beacond_start "redis.max_areas = 2"
avoid_hour_edge 30
D=$(today) H=$(this_hour)
UA_FF='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
hit "$UA_CHROME" "s=ar&u=/blog/2024/x"
hit "$UA_CHROME" "s=ar&u=/blog/y"
hit "$UA_FF" "s=ar&u=/blog"
hit "$UA_CHROME" "s=ar&u=/"
wait_eq "areas: tot" "pageviews=4" hdump "bc:{ar}:tot:d:$D"
hit "$UA_FF" "s=ar&u=/shop/a"
wait_eq "areas: tot after the second flush" "pageviews=5" hdump "bc:{ar}:tot:d:$D"
check "areas d" "/=1 blog=3 shop=1" "$(zdump "bc:{ar}:areas:d:$D")"
check "areas h" "/=1 blog=3 shop=1" "$(zdump "bc:{ar}:areas:h:$H")"
check "uva index: the first two areas" "/ blog" \
    "$(rcli SMEMBERS "bc:{ar}:uva:d:$D" | sort | tr '\n' ' ' | sed 's/ $//')"
check "uva blog: two visitors" 2 "$(rcli PFCOUNT "bc:{ar}:uva:d:$D:blog")"
check "uva /: one visitor" 1 "$(rcli PFCOUNT "bc:{ar}:uva:d:$D:/")"
check "uva shop: in (other)" "0 1" \
    "$(rcli EXISTS "bc:{ar}:uva:d:$D:shop") $(rcli PFCOUNT "bc:{ar}:uva:d:$D:(other)")"
check "uva expires with the day keys" 1 \
    "$(( $(rcli TTL "bc:{ar}:uva:d:$D:blog") > 86400 ))"

beacond_stop
check "beacond exit status" 0 "$BEACOND_STATUS"
finish
