# SPEC 2.3, 4, 5: the e-mail open pixel. Each class with real user agents
# and addresses (Apple Mail Privacy Protection from 17.0.0.0/8 through a
# trusted proxy, Gmail's and Yahoo's image proxies, HEAD and link
# scanners, mail clients), exact mail:* values in Redis, unique openers
# (human and proxy only), the campaign index, the gate (DNT, GPC, cookie,
# recipient opt-out, bots), invalid paths, no token anywhere in Redis or
# the log, and 503 without recipient_key.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
RK=1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
redis_start
beacond_start "server.trusted_proxies = 127.0.0.1/32" \
    "server.log_level = debug" \
    "mail.recipient_key = $RK" \
    "mail.link_keys = k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
avoid_hour_edge 20

APPLE_MAIL='Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)'
OUTLOOK='Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)'
THUNDERBIRD='Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0'
GMAIL_PROXY='Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)'
YAHOO_PROXY='YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html'
MPP_UA='Mozilla/5.0'
MIMECAST='Mozilla/5.0 (compatible; Mimecast URL Protect)'
BARRACUDA='Mozilla/5.0 (compatible; Barracuda Sentinel (EE))'
T1=reader-one_0001 T2=reader-two_0002 T3=reader-three_03 T4=reader-four_004
T5=reader-five_005 T6=reader-six_0006 T7=reader-seven_07

# open CAMPAIGN TOKEN UA [curl args...]: GET the open pixel, prints the
# status line and headers (CR removed); the body goes to $T_DIR/body
open() {
    local c=$1 tok=$2 ua=$3
    shift 3
    curl -s -D - -o "$T_DIR/body" -A "$ua" "$@" "$BASE/o/news/$c/$tok.gif" | tr -d '\r'
}
xb() { open "$@" | hval x-beacon; }
tot() { rcli HGET "bc:{news}:mail:$1:tot" "$2"; }

T0=$(date +%s)
# ------------------------------------------------ each class, counted
out=$(open spring "$T1" "$APPLE_MAIL")
check "human open: 200" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"
check "human open: counted" counted "$(echo "$out" | hval x-beacon)"
check "human open: image/gif" image/gif "$(echo "$out" | hval content-type)"
check "human open: the 43-byte GIF" 43 "$(wc -c < "$T_DIR/body")"
check "human open: no-store" 'no-store, no-cache, must-revalidate, max-age=0' \
    "$(echo "$out" | hval cache-control)"
check "human open: no Set-Cookie" "" "$(echo "$out" | hval set-cookie)"
check "Outlook: counted" counted "$(xb spring "$T2" "$OUTLOOK")"
check "Thunderbird, same reader again: counted" counted "$(xb spring "$T1" "$THUNDERBIRD")"
check "Gmail image proxy: counted" counted "$(xb spring "$T3" "$GMAIL_PROXY")"
check "Yahoo image proxy: counted" counted "$(xb spring "$T3" "$YAHOO_PROXY")"
# Apple's prefetch arrives from 17.0.0.0/8; here through a trusted proxy
check "Apple MPP (17.58.63.1 via proxy): counted" counted \
    "$(xb spring "$T4" "$MPP_UA" -H 'X-Forwarded-For: 17.58.63.1')"
check "Apple MPP with a mail UA: counted" counted \
    "$(xb spring "$T5" "$APPLE_MAIL" -H 'X-Forwarded-For: 17.252.0.9')"
check "Mimecast: counted" counted "$(xb spring "$T6" "$MIMECAST")"
check "Barracuda: counted" counted "$(xb spring "$T6" "$BARRACUDA")"
out=$(open spring "$T7" "$APPLE_MAIL" -I)
check "HEAD: 200" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"
check "HEAD: counted (as a scanner)" counted "$(echo "$out" | hval x-beacon)"
check "HEAD: no body" 0 "$(python3 - "$PORT" "$T7" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(("HEAD /o/news/body/%s.gif HTTP/1.1\r\nHost: t\r\n"
           "User-Agent: x\r\nConnection: close\r\n\r\n" % sys.argv[2]).encode())
data = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    data += b
print(len(data.split(b"\r\n\r\n", 1)[1]))
PY
)"
# an untrusted peer's X-Forwarded-For is not believed: a human open
check "17.x in XFF from an untrusted peer: counted" counted \
    "$(xb spring "$T5" "$OUTLOOK" --interface 127.0.0.2 -H 'X-Forwarded-For: 17.1.1.1')"

# humans: T1, T2, T1, T5 (untrusted XFF); proxies: T3 twice; machines: T4,
# T5; scanners: T6 twice, T7 (HEAD)
wait_eq "opens" 11 tot spring opens
check "opens_human" 4 "$(tot spring opens_human)"
check "opens_proxy" 2 "$(tot spring opens_proxy)"
check "opens_machine" 2 "$(tot spring opens_machine)"
check "opens_scanner" 3 "$(tot spring opens_scanner)"
check "no clicks field" "" "$(tot spring clicks)"
check "tot holds only these fields" 5 "$(rcli HLEN 'bc:{news}:mail:spring:tot')"
# unique openers: T1, T2, T5 (human), T3 (proxy); T4 only opened as a
# machine, T6 and T7 as scanners: not openers
check "uo: human and proxy openers only" 4 "$(rcli PFCOUNT 'bc:{news}:mail:spring:uo')"
check "no uc without clicks" 0 "$(rcli EXISTS 'bc:{news}:mail:spring:uc')"
T1END=$(date +%s)
score=$(rcli ZSCORE 'bc:{news}:mail:idx' spring)
check "idx: last activity within the test's seconds" 1 \
    "$(awk -v s="$score" -v a="$T0" -v b="$T1END" 'BEGIN { print (s >= a && s <= b) }')"
# and the HEAD of campaign "body"
check "tot:d opens" 12 "$(rcli HGET "bc:{news}:tot:d:$(today)" opens)"
check "tot:h opens" 12 "$(rcli HGET "bc:{news}:tot:h:$(this_hour)" opens)"
check "no pageviews from opens" "" "$(rcli HGET "bc:{news}:tot:d:$(today)" pageviews)"
check "no uv from opens" 0 "$(rcli EXISTS "bc:{news}:uv:d:$(today)")"
check "site listed" 1 "$(rcli SISMEMBER bc:sites news)"
day_end=$(( ($(date +%s) / 86400 + 1) * 86400 ))
check "campaign keys expire 400 d after their day" $((day_end + 400 * 86400)) \
    "$(rcli EXPIRETIME 'bc:{news}:mail:spring:tot')"
check "uo expires with them" $((day_end + 400 * 86400)) \
    "$(rcli EXPIRETIME 'bc:{news}:mail:spring:uo')"
check "metrics: open counted" 12 \
    "$(metric 'beacon_hits_total{endpoint="open",outcome="counted"}')"

# ------------------------------------------------ the gate
check "DNT: dropped" dropped=dnt "$(xb gated "$T1" "$APPLE_MAIL" -H 'DNT: 1')"
check "DNT: Tk: N" N "$(open gated "$T1" "$APPLE_MAIL" -H 'DNT: 1' | hval tk)"
check "GPC: dropped" dropped=gpc "$(xb gated "$T1" "$APPLE_MAIL" -H 'Sec-GPC: 1')"
check "opt-out cookie: dropped" dropped=optout \
    "$(xb gated "$T1" "$APPLE_MAIL" -H 'Cookie: beacon_optout=1')"
check "DNT beats the machine class" dropped=dnt \
    "$(xb gated "$T4" "$MPP_UA" -H 'X-Forwarded-For: 17.58.63.1' -H 'DNT: 1')"
check "prefetch: dropped" dropped=prefetch \
    "$(xb gated "$T1" "$APPLE_MAIL" -H 'Sec-Purpose: prefetch')"
check "a bot on a human open: dropped" dropped=bot \
    "$(xb gated "$T1" 'python-requests/2.31.0')"
check "empty user agent: dropped" dropped=bot "$(xb gated "$T1" '')"
check "an image proxy is not a bot" counted "$(xb gated2 "$T3" "$GMAIL_PROXY")"

# recipient opt-out: POST /optout/recipient, then every open of T2 drops
code=$(curl -s -o /dev/null -w '%{http_code}' -A "$BROWSER_UA" \
    --data "s=news&r=$T2" "$BASE/optout/recipient")
check "recipient opt-out accepted" 204 "$code"
wait_eq "recipient opt-out reaches the gate" dropped=optout xb probe "$T2" "$APPLE_MAIL"
check "opted-out recipient, machine open: dropped" dropped=optout \
    "$(xb gated "$T2" "$MPP_UA" -H 'X-Forwarded-For: 17.58.63.1')"
check "opted-out recipient, HEAD: dropped" dropped=optout \
    "$(open gated "$T2" "$APPLE_MAIL" -I | hval x-beacon)"
check "another recipient still counts" counted "$(xb gated2 "$T1" "$APPLE_MAIL")"
wait_eq "gated: only the proxy and the other recipient" 2 tot gated2 opens
check "gated: nothing counted" 0 "$(rcli EXISTS 'bc:{news}:mail:gated:tot')"
# cookie, the last probe, T2's machine open and HEAD
check "metrics: open dropped=optout" 4 \
    "$(metric 'beacon_hits_total{endpoint="open",outcome="optout"}')"

# ------------------------------------------------ invalid targets: GIF, invalid
for p in news/spring/short.gif news/spring/reader-one_0001 news/spring/reader-one_0001.png \
    'news/spr%20ing/reader-one_0001.gif' 'news/spring/reader.one_0001.gif' \
    news/reader-one_0001.gif news/a/b/reader-one_0001.gif '/spring/reader-one_0001.gif' \
    'n@ws/spring/reader-one_0001.gif'; do
    out=$(curl -s -D - -o "$T_DIR/body" -A "$APPLE_MAIL" "$BASE/o/$p" | tr -d '\r')
    check "/o/$p: 200" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"
    check "/o/$p: dropped=invalid" dropped=invalid "$(echo "$out" | hval x-beacon)"
    check "/o/$p: still the GIF" 43 "$(wc -c < "$T_DIR/body")"
done
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -A "$APPLE_MAIL" "$BASE/o/news/spring/$T1.gif")
check "POST /o/...: 405" 405 "$code"
check "Allow on /o/" "GET, HEAD" "$(curl -s -D - -o /dev/null -X DELETE "$BASE/o/x" | hval allow)"

# ------------------------------------------------ no token anywhere
sleep 0.3
beacond_stop
found=0
for k in $(rcli --scan); do
    rcli --raw DUMP "$k" > "$T_DIR/dump"
    echo "$k" >> "$T_DIR/dump"
    for t in $T1 $T2 $T3 $T4 $T5 $T6 $T7 17.58.63.1 17.252.0.9; do
        grep -qaF "$t" "$T_DIR/dump" && found=$((found + 1))
    done
    # hash fields and set members as text too
    case "$(rcli TYPE "$k")" in
    hash) rcli HKEYS "$k" ;; set) rcli SMEMBERS "$k" ;; zset) rcli ZRANGE "$k" 0 -1 ;;
    esac > "$T_DIR/members"
    for t in $T1 $T2 $T3 $T4 $T5 $T6 $T7; do
        grep -qaF "$t" "$T_DIR/members" && found=$((found + 1))
    done
done
check "no recipient token or client address in any Redis key or value" 0 "$found"
check "the debug log was written (control)" 1 "$(grep -c 'open: bad recipient' "$T_DIR/beacond.log" | awk '{ print ($1 > 0) }')"
check "no recipient token in the log" 0 "$(grep -caF -e "$T1" -e "$T2" -e "$T4" "$T_DIR/beacond.log")"
check "no Apple address in the log" 0 "$(grep -caF -e 17.58.63.1 -e 17.252.0.9 "$T_DIR/beacond.log")"
check "the opt-out set holds a hash, not the token" 1 \
    "$(rcli SMEMBERS 'bc:{news}:optout' | grep -c '^[0-9a-f]\{32\}$')"
# the write-ahead log holds the opens (a hash of the recipient), never a
# token or an address: its files, and what `beaconctl wal dump` prints
dump=$("$(dirname "$BEACOND")/beaconctl" wal dump "$T_DIR/data")
check "wal dump: the opens are in the log (control)" 1 \
    "$(echo "$dump" | grep -c '"kind":"open"' | awk '{ print ($1 > 0) }')"
check "no recipient token or Apple address in the data dir" 0 \
    "$(grep -rlaF -e "$T1" -e "$T2" -e "$T3" -e "$T4" -e "$T5" -e "$T6" -e "$T7" \
        -e 17.58.63.1 -e 17.252.0.9 "$T_DIR/data" | wc -l)"
check "no recipient token or Apple address in wal dump" 0 \
    "$(echo "$dump" | grep -caF -e "$T1" -e "$T2" -e "$T3" -e "$T4" -e "$T5" \
        -e "$T6" -e "$T7" -e 17.58.63.1 -e 17.252.0.9)"

# ------------------------------------------------ without recipient_key: 503
beacond_start
out=$(open spring "$T1" "$APPLE_MAIL")
check "no recipient_key: 503" "HTTP/1.1 503 Service Unavailable" "$(echo "$out" | head -1)"
check "no recipient_key: plain text" "text/plain; charset=utf-8" "$(echo "$out" | hval content-type)"
check "no recipient_key: click 503 too" 503 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/c/news/spring/hero?to=https%3A%2F%2Fx.example&k=k1&sig=x")"
finish
