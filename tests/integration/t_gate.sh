# SPEC 3 and 2.1: the privacy gate. Every drop reason with its exact
# X-Beacon (and Tk: N for DNT and GPC), the order of the checks, what does
# not drop (DNT: 0, Sec-GPC: 0, look-alike cookies), the honor_dnt and
# honor_gpc switches. A dropped hit leaves nothing in Redis (nor in the
# write-ahead log or the process log); only the counter
# beacon_hits_total{endpoint="pixel",outcome="<reason>"} moves, by exactly
# the number of hits sent.
. "$(dirname "$0")/lib.sh"
redis_start
beacond_start
instance_start nodnt "privacy.honor_dnt = no"
instance_start nogpc "privacy.honor_gpc = no"
instance_use main

avoid_hour_edge 10   # one UTC day for the whole file
d=$(today)
OUTCOMES="counted dnt gpc optout prefetch bot invalid"
declare -A SENT=()

# gate NAME EXPECTED SITE [curl args...]: one pixel GET on the current
# instance (as a browser unless the args say otherwise); checks the image
# response, the exact X-Beacon (one line) and Tk (only for dnt and gpc).
# Sites of dropped hits are named drop-*: none of them may reach Redis.
gate() {
    local name=$1 want=$2 site=$3 h tk=""
    shift 3
    h=$(pixel "s=$site&u=/$CUR_INST" "$@")
    check "$name: status" "HTTP/1.1 200 OK" "$(echo "$h" | head -1)"
    check "$name: the GIF" "image/gif 43" \
        "$(echo "$h" | hval content-type) $(echo "$h" | hval content-length)"
    check "$name: X-Beacon" "$want" "$(echo "$h" | hval x-beacon)"
    case $want in dropped=dnt | dropped=gpc) tk=N ;; esac
    check "$name: Tk" "$tk" "$(echo "$h" | hval tk)"
    check "$name: no Set-Cookie" "" "$(echo "$h" | hval set-cookie)"
    want=${want#dropped=}
    SENT[$CUR_INST:$want]=$((${SENT[$CUR_INST:$want]:-0} + 1))
}

# rawgate NAME EXPECTED SITE HEADER_LINES...: the same over a raw
# connection, for header values curl cannot send (a blank User-Agent).
rawgate() {
    local name=$1 want=$2 site=$3 out
    shift 3
    out=$(req "GET /p.gif?s=$site&u=/$CUR_INST HTTP/1.1" "Host: t" "$@" |
          raw -H x-beacon -H tk --wait-close 0)
    check "$name" "HTTP/1.1 200 OK"$'\n'"X-Beacon: $want"$'\n'"open" "$out"
    want=${want#dropped=}
    SENT[$CUR_INST:$want]=$((${SENT[$CUR_INST:$want]:-0} + 1))
}

# ---------------------------------------------------------------- reasons
gate "DNT: 1" dropped=dnt drop-dnt -H 'DNT: 1'
gate "DNT: 1 again" dropped=dnt drop-dnt -H 'DNT: 1'
gate "Sec-GPC: 1" dropped=gpc drop-gpc -H 'Sec-GPC: 1'
gate "Sec-GPC: 1 again" dropped=gpc drop-gpc -H 'Sec-GPC: 1'

gate "opt-out cookie alone" dropped=optout drop-optout -H 'Cookie: beacon_optout=1'
gate "opt-out cookie among others" dropped=optout drop-optout \
    -H 'Cookie: _ga=GA1.2.345.678; beacon_optout=1; theme=dark'
gate "opt-out cookie first of several" dropped=optout drop-optout \
    -H 'Cookie: beacon_optout=1; theme=dark'
gate "opt-out cookie last of several" dropped=optout drop-optout \
    -H 'Cookie: theme=dark; lang=en; beacon_optout=1'
gate "opt-out cookie in a second Cookie line" dropped=optout drop-optout \
    -H 'Cookie: theme=dark; lang=en' -H 'Cookie: beacon_optout=1'
# a hit that carries the cookie is dropped wherever the cookie is: in the
# fifth of five Cookie lines (8 header lines in all, far under the limit
# of 64), or after another cookie of the same name (a browser sends both
# when two cookies named beacon_optout exist, for two paths or domains)
gate "opt-out cookie in a fifth Cookie line" dropped=optout drop-optout-edge \
    -H 'Cookie: a=1' -H 'Cookie: b=2' -H 'Cookie: c=3' -H 'Cookie: d=4' \
    -H 'Cookie: beacon_optout=1'
gate "opt-out cookie after beacon_optout=0" dropped=optout drop-optout-edge \
    -H 'Cookie: beacon_optout=0; beacon_optout=1'

gate "Sec-Purpose: prefetch" dropped=prefetch drop-prefetch -H 'Sec-Purpose: prefetch'
# Chrome's prerender sends the prefetch token with a parameter
gate "Sec-Purpose: prefetch;prerender" dropped=prefetch drop-prefetch \
    -H 'Sec-Purpose: prefetch;prerender'
gate "Purpose: prefetch" dropped=prefetch drop-prefetch -H 'Purpose: prefetch'
gate "X-Moz: prefetch" dropped=prefetch drop-prefetch -H 'X-Moz: prefetch'
gate "X-Purpose: preview" dropped=prefetch drop-prefetch -H 'X-Purpose: preview'

# bots: no User-Agent at all, an empty one, a blank one, then real agents
gate "no User-Agent header" dropped=bot drop-bot -A ''
gate "empty User-Agent" dropped=bot drop-bot -H 'User-Agent;'
rawgate "blank User-Agent (raw)" dropped=bot drop-bot "User-Agent:    "
BOTS=(
    # crawlers
    'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'
    'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'
    'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'
    'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)'
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)'
    'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)'
    # monitors
    'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)'
    'Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)'
    'kube-probe/1.29'
    # headless browsers and audits
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36'
    'Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1'
    'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse'
    # HTTP libraries and tools (curl and Wget count: operators try the
    # collector with them, see share/bot-patterns.txt)
    'python-requests/2.31.0'
    'Python-urllib/3.11'
    'Go-http-client/1.1'
    'Go-http-client/2.0'
    'okhttp/4.12.0'
    'Apache-HttpClient/4.5.14 (Java/17.0.2)'
    'Java/17.0.2'
    'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)'
    'axios/1.6.7'
    'libwww-perl/6.72'
    'Scrapy/2.11.0 (+https://scrapy.org)'
    'PostmanRuntime/7.36.1'
)
for ua in "${BOTS[@]}"; do
    gate "bot [$ua]" dropped=bot drop-bot -A "$ua"
done

# ---------------------------------------------------------------- order
# DNT, GPC, opt-out cookie, prefetch, bot: the first that applies wins.
BOT_UA='python-requests/2.31.0'
gate "order: DNT + GPC" dropped=dnt drop-order -H 'DNT: 1' -H 'Sec-GPC: 1'
gate "order: DNT + cookie + prefetch + bot" dropped=dnt drop-order -H 'DNT: 1' \
    -H 'Cookie: beacon_optout=1' -H 'Sec-Purpose: prefetch' -A "$BOT_UA"
gate "order: DNT + empty user agent" dropped=dnt drop-order -H 'DNT: 1' -A ''
gate "order: GPC + cookie" dropped=gpc drop-order -H 'Sec-GPC: 1' -H 'Cookie: beacon_optout=1'
gate "order: GPC + prefetch + empty user agent" dropped=gpc drop-order \
    -H 'Sec-GPC: 1' -H 'Purpose: prefetch' -A ''
gate "order: cookie + prefetch" dropped=optout drop-order \
    -H 'Cookie: beacon_optout=1' -H 'X-Moz: prefetch'
gate "order: cookie + bot" dropped=optout drop-order -H 'Cookie: beacon_optout=1' -A "$BOT_UA"
gate "order: prefetch + bot" dropped=prefetch drop-order -H 'X-Purpose: preview' -A "$BOT_UA"
gate "order: prefetch + no user agent" dropped=prefetch drop-order -H 'Sec-Purpose: prefetch' -A ''

# ---------------------------------------------------------------- not drops
# counted on site ok-gate, one page per hit: /main
gate "plain browser hit" counted ok-gate
gate "DNT: 0" counted ok-gate -H 'DNT: 0'
gate "Sec-GPC: 0" counted ok-gate -H 'Sec-GPC: 0'
gate "DNT: 0 + Sec-GPC: 0" counted ok-gate -H 'DNT: 0' -H 'Sec-GPC: 0'
gate "cookie xbeacon_optout=1" counted ok-gate -H 'Cookie: xbeacon_optout=1'
gate "cookie beacon_optout=0" counted ok-gate -H 'Cookie: beacon_optout=0'
gate "cookie beacon_optout_x=1" counted ok-gate -H 'Cookie: a=1; beacon_optout_x=1'
N_MAIN=7

# ---------------------------------------------------------------- switches
instance_use nodnt     # honor_dnt = no: DNT is counted, the rest still holds
gate "honor_dnt=no: DNT: 1" counted ok-gate -H 'DNT: 1'
gate "honor_dnt=no: DNT: 1 again" counted ok-gate -H 'DNT: 1'
gate "honor_dnt=no: DNT + GPC" dropped=gpc drop-switch -H 'DNT: 1' -H 'Sec-GPC: 1'
gate "honor_dnt=no: DNT + cookie" dropped=optout drop-switch -H 'DNT: 1' -H 'Cookie: beacon_optout=1'
gate "honor_dnt=no: DNT + bot" dropped=bot drop-switch -H 'DNT: 1' -A "$BOT_UA"
instance_use nogpc     # honor_gpc = no: GPC is counted, DNT still drops
gate "honor_gpc=no: GPC: 1" counted ok-gate -H 'Sec-GPC: 1'
gate "honor_gpc=no: DNT + GPC" dropped=dnt drop-switch -H 'DNT: 1' -H 'Sec-GPC: 1'
gate "honor_gpc=no: GPC + cookie" dropped=optout drop-switch -H 'Sec-GPC: 1' -H 'Cookie: beacon_optout=1'
gate "honor_gpc=no: GPC + prefetch" dropped=prefetch drop-switch -H 'Sec-GPC: 1' -H 'Purpose: prefetch'
N_SWITCH=3

# ---------------------------------------------------------------- Redis
wait_eq "counted hits in Redis" $((N_MAIN + N_SWITCH)) \
    rcli HGET "bc:{ok-gate}:tot:d:$d" pageviews
check "counted pages" "/main=$N_MAIN /nodnt=2 /nogpc=1" \
    "$(rcli ZRANGE "bc:{ok-gate}:pages:d:$d" 0 -1 WITHSCORES | paste -d= - - |
       LC_ALL=C sort | paste -sd' ')"
sleep 0.5   # five flush intervals more
check "no key of a dropped-only site" "" "$(rcli --scan --pattern 'bc:{drop-*')"
check "no key names a dropped-only site" "" "$(rcli --scan | grep 'drop-')"
check "sites set holds the counted site only" "ok-gate" "$(rcli SMEMBERS bc:sites)"
check "no process log line names a dropped-only site" 0 \
    "$(cat "$T_DIR/beacond.log" "$T_DIR"/*/beacond.log | grep -c 'drop-')"
check "no data dir file names a dropped-only site" "" \
    "$(grep -rl 'drop-' "$T_DIR/data" "$T_DIR"/*/data 2>/dev/null)"

# ---------------------------------------------------------------- metrics
for inst in main nodnt nogpc; do
    instance_use "$inst"
    for o in $OUTCOMES; do
        check "$inst: beacon_hits_total{pixel,$o}" "${SENT[$inst:$o]:-0}" \
            "$(metric "beacon_hits_total{endpoint=\"pixel\",outcome=\"$o\"}")"
    done
done
finish
