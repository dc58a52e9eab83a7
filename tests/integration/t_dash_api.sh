# docs/API.md: /api/stats and /api/sites against a known set of hits
# (pageviews in three areas from three visitors, a referrer, utm, custom
# events, a mobile browser, e-mail opens of two classes and a signed click,
# and a quiet second site), exact values for one day and for a range;
# `beaconctl report --json` equals /api/stats byte for byte; bad queries
# are 400, Redis away is 503 and probes stay fast; an answer that waits
# for Redis keeps its place among pipelined requests; with
# admin_password_hash, 401 without or with wrong credentials, 200 with the
# right ones, 429 after five failures, probes open.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
CTL=$(dirname "$BEACOND")/beaconctl
RK=1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
LK=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
MOBILE_UA='Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1'
GMAIL_PROXY='Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)'
THUNDERBIRD='Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0'
CONFIG=("server.trusted_proxies = 127.0.0.1/32" "mail.recipient_key = $RK"
        "mail.link_keys = k1:$LK")
redis_start
beacond_start "${CONFIG[@]}"
avoid_hour_edge 40
D=$(today)
Y=$(date -u -d yesterday +%Y%m%d)

# as VISITOR_IP URL [curl args]: a request as a desktop browser from an
# address (through the trusted proxy)
as() {
    local ip=$1 url=$2
    shift 2
    curl -s -o /dev/null -A "$BROWSER_UA" -H "X-Forwarded-For: $ip" "$@" "$url"
}
api() { curl -s "$ADMIN/api/$1"; }
# field JSON PATH: a value of the JSON on stdin, by a python expression
# on `s`
field() { python3 -c 'import json,sys; s=json.load(sys.stdin); print(json.dumps(eval(sys.argv[1]), separators=(",", ":")))' "$1"; }

as 10.1.0.1 "$BASE/p.gif?s=shop&u=/&r=https://news.example/x"
as 10.1.0.1 "$BASE/p.gif?s=shop&u=/pricing"
as 10.1.0.2 "$BASE/p.gif?s=shop&u=/blog/a&utm_source=nl&utm_medium=email&utm_campaign=dec"
as 10.1.0.2 "$BASE/p.gif?s=shop&u=/blog/b"
as 10.1.0.3 "$BASE/p.gif?s=shop&u=/blog/b" -A "$MOBILE_UA"
as 10.1.0.1 "$BASE/e" -H 'Content-Type: text/plain' \
    --data '[{"s":"shop","u":"/pricing","e":"signup"},{"s":"shop","u":"/","e":"signup"}]'
as 10.1.0.9 "$BASE/p.gif?s=quiet&u=/"
curl -s -o /dev/null -A "$THUNDERBIRD" "$BASE/o/shop/dec/reader-one_0001.gif"
curl -s -o /dev/null -A "$GMAIL_PROXY" "$BASE/o/shop/dec/reader-two_0002.gif"
link=$("$CTL" -c "$T_DIR/beacond.conf" sign link --site shop --campaign dec \
    --link hero --to https://shop.example/sale --recipient reader-one_0001)
curl -s -o /dev/null -A "$BROWSER_UA" "$link"
wait_eq "the pageviews are in Redis" 5 pageviews shop
wait_eq "the events are in Redis" 2 rcli HGET "bc:{shop}:tot:d:$D" events
wait_eq "the other site is in Redis" 1 pageviews quiet
wait_eq "the opens are in Redis" 2 rcli HGET "bc:{shop}:mail:dec:tot" opens
wait_eq "the click is in Redis" 1 rcli HGET "bc:{shop}:mail:dec:tot" clicks

# ------------------------------------------------ one day
s=$(api "stats?site=shop")
f() { echo "$s" | field "$1"; }
check "day: site, range, step" '["shop","'"$D"'","'"$D"'","h"]' "$(f '[s["site"],s["from"],s["to"],s["g"]]')"
check "day: previous period" '{"from":"'"$Y"'","to":"'"$Y"'"}' "$(f 's["previous"]')"
check "day: totals" '{"visitors":3,"pageviews":5,"events":2,"opens":2,"clicks":1,"pageviews_per_visitor":1.6667}' "$(f 's["totals"]')"
check "day: previous totals" '{"visitors":0,"pageviews":0,"events":0,"opens":0,"clicks":0,"pageviews_per_visitor":0.0}' "$(f 's["previous_totals"]')"
check "day: 24 hourly points" 24 "$(f 'len(s["series"])')"
H=$(this_hour)
check "day: this hour's point" '{"t":"'"$H"'","visitors":3,"pageviews":5}' "$(f '[p for p in s["series"] if p["t"]=="'"$H"'"][0]')"
check "day: the other hours are zero" 0 "$(f 'sum(p["pageviews"]+p["visitors"] for p in s["series"] if p["t"]!="'"$H"'")')"
check "live: 30 minutes, all five pageviews" '[30,30,5]' "$(f '[s["live"]["minutes"],len(s["live"]["series"]),s["live"]["pageviews"]]')"
check "live: ends at this minute" "\"$(this_minute)\"" "$(f 's["live"]["series"][-1]["t"]')"
check "pages: highest first, ties in reverse order" '[["/blog/b",2],["/pricing",1],["/blog/a",1],["/",1]]' "$(f '[[m["name"],m["count"]] for m in s["pages"]]')"
check "referrers" '[{"name":"news.example","count":1}]' "$(f 's["referrers"]')"
check "utm" '[{"name":"nl/email/dec","count":1}]' "$(f 's["utm"]')"
check "events" '[{"name":"signup","count":2}]' "$(f 's["events"]')"
check "devices: pageviews and events" '[{"name":"desktop","count":6},{"name":"mobile","count":1}]' "$(f 's["devices"]')"
check "browsers" '[{"name":"chrome","count":6},{"name":"safari","count":1}]' "$(f 's["browsers"]')"
check "areas: visitors, pageviews, per visitor" '[["blog",2,3,1.5],["pricing",1,1,1.0],["/",1,1,1.0]]' "$(f '[[a["name"],a["visitors"],a["pageviews"],a["pageviews_per_visitor"]] for a in s["areas"]]')"
check "campaigns: one" 1 "$(f 'len(s["campaigns"])')"
check "campaign: figures" '["dec",2,1,0,1,0,2,1,1,0.5]' "$(f '[(c["campaign"],c["opens"],c["opens_human"],c["opens_machine"],c["opens_proxy"],c["opens_scanner"],c["unique_openers"],c["clicks"],c["unique_clickers"],c["click_to_open"]) for c in s["campaigns"]][0]')"
check "campaign: links" '[{"name":"hero","count":1}]' "$(f 's["campaigns"][0]["links"]')"
check "campaign: last activity is now" 1 "$(f 'int(abs(s["campaigns"][0]["last_activity"] - '"$(date +%s)"') < 60)')"
check "sites: sorted" '{"sites":["quiet","shop"]}' "$(api sites)"

# ------------------------------------------------ a range: yesterday and today
s=$(api "stats?site=shop&from=$Y&to=$D")
check "range: step d" '"d"' "$(f 's["g"]')"
check "range: previous two days" "{\"from\":\"$(date -u -d '3 days ago' +%Y%m%d)\",\"to\":\"$(date -u -d '2 days ago' +%Y%m%d)\"}" "$(f 's["previous"]')"
check "range: same totals" '{"visitors":3,"pageviews":5,"events":2,"opens":2,"clicks":1,"pageviews_per_visitor":1.6667}' "$(f 's["totals"]')"
check "range: a point a day" '[{"t":"'"$Y"'","visitors":0,"pageviews":0},{"t":"'"$D"'","visitors":3,"pageviews":5}]' "$(f 's["series"]')"
check "range: pages summed over the days" '[["/blog/b",2],["/pricing",1],["/blog/a",1],["/",1]]' "$(f '[[m["name"],m["count"]] for m in s["pages"]]')"
check "range: areas over the days" '[["blog",2,3,1.5],["pricing",1,1,1.0],["/",1,1,1.0]]' "$(f '[[a["name"],a["visitors"],a["pageviews"],a["pageviews_per_visitor"]] for a in s["areas"]]')"
check "range: the scratch key is gone" 0 "$(rcli EXISTS 'bc:{shop}:dash:scratch')"
s=$(api "stats?site=shop&from=$Y&to=$D&g=h")
check "range by the hour: 48 points" 48 "$(f 'len(s["series"])')"

# ------------------------------------------------ beaconctl report
avoid_minute_edge 10
check "report --json is /api/stats" "$(api "stats?site=shop&from=$Y&to=$D")" \
    "$("$CTL" -c "$T_DIR/beacond.conf" report --site shop --from "$Y" --to "$D" --json)"
out=$("$CTL" -c "$T_DIR/beacond.conf" report --site shop)
check "report: totals table" 1 "$(echo "$out" | grep -c '^Pageviews  *5  *0  *new$')"
check "report: pages" 1 "$(echo "$out" | grep -c '^  /blog/b  *2$')"
check "report: areas" 1 "$(echo "$out" | grep -c '^  blog  *2  *3  *1.50$')"
check "report: campaign" 1 "$(echo "$out" | grep -c '^  dec  *2  *2  *1  *50.0%  1/0/1/0$')"
"$CTL" -c "$T_DIR/beacond.conf" report --site 'bad site' >/dev/null 2>&1
check "report: a bad site is a usage error" 2 $?
"$CTL" -c "$T_DIR/beacond.conf" report --site shop --from 20261301 >/dev/null 2>&1
check "report: a bad day is a usage error" 2 $?

# ------------------------------------------------ bad queries
code() { curl -s -o "$T_DIR/body" -w '%{http_code}' "$ADMIN/api/$1"; }
for q in "stats" "stats?site=" "stats?site=shop&from=20261301" \
    "stats?site=shop&from=$D&to=$Y" "stats?site=shop&g=x" \
    "stats?site=shop&from=20240101&to=20260101" \
    "stats?site=shop&from=20261101&to=20261130&g=h" "stats?site=shop&color=red" \
    "stats?site=sh%6fp"; do
    check "400: $q" 400 "$(code "$q")"
    check "400 says why: $q" 1 "$(python3 -c 'import json,sys; print(int(len(json.load(open(sys.argv[1]))["error"]) > 5))' "$T_DIR/body")"
done
check "400 names the parameter" '{"error":"unknown parameter: color"}' "$(api 'stats?site=shop&color=red')"
check "POST /api/stats: 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$ADMIN/api/stats?site=shop")"
check "HEAD /api/stats: 200, no body" "200 0" "$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "$ADMIN/api/stats?site=shop")"

# ------------------------------------------------ order on a pipelined connection
order=$(python3 - "$ADMIN_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
reqs = [b"GET /livez HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /api/sites HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /api/stats?site=quiet HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /livez HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"]
s.sendall(b"".join(reqs))
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
bodies = []
for part in data.split(b"HTTP/1.1 ")[1:]:
    head, _, body = part.partition(b"\r\n\r\n")
    bodies.append(head.split(b" ")[0].decode() + ":" + body[:12].decode(errors="replace").split("\n")[0])
print(" ".join(bodies))
PY
)
check "pipelined: answers in order" '200:ok 200:{"sites":["q 200:ready 200:{"site":"qui 200:ok' "$order"

# ------------------------------------------------ a client that leaves before its answer
python3 - "$ADMIN_PORT" <<'PY'
import socket, sys
for i in range(20):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /api/stats?site=shop&from=20261101&to=20261130 HTTP/1.1\r\n\r\n")
    s.close()
PY
check "clients that left: the next answer comes" '{"sites":["quiet","shop"]}' "$(api sites)"

# ------------------------------------------------ Redis away
redis_stop
t0=$(date +%s%N)
check "Redis away: 503" 503 "$(code "stats?site=shop")"
check "Redis away: says why" 1 "$(grep -c '"error":"redis' "$T_DIR/body")"
check "Redis away: Retry-After" "Retry-After: 5" "$(curl -s -D - -o /dev/null "$ADMIN/api/sites" | tr -d '\r' | grep -i '^retry-after')"
check "Redis away: /livez still 200" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/livez")"
redis_start
# (a Redis without persistence: it comes back empty)
wait_eq "Redis back: /api/sites answers" '{"sites":[]}' api sites

# ------------------------------------------------ a password
HASH=$(echo 'correct horse battery' | "$CTL" passwd)
check "passwd: an Argon2id string" 1 "$(echo "$HASH" | grep -c '^\$argon2id\$v=19\$m=[0-9]*,t=[0-9]*,p=1\$')"
echo 'short' | "$CTL" passwd >/dev/null 2>&1
check "passwd: a short password is refused" 1 $?
beacond_stop
beacond_start "${CONFIG[@]}" "server.admin_password_hash = $HASH"
hdrs() { curl -s -D - -o /dev/null "$@" | tr -d '\r'; }
out=$(hdrs "$ADMIN/dash")
check "no credentials: 401" "HTTP/1.1 401 Unauthorized" "$(echo "$out" | head -1)"
check "no credentials: the challenge" 'Basic realm="beacond", charset="UTF-8"' "$(echo "$out" | hval www-authenticate)"
check "wrong password: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -u admin:wrong "$ADMIN/api/sites")"
check "wrong user: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -u root:'correct horse battery' "$ADMIN/api/sites")"
check "right password: the page" 200 "$(curl -s -o /dev/null -w '%{http_code}' -u admin:'correct horse battery' "$ADMIN/dash")"
check "right password: the page's CSP" 1 "$(hdrs -u admin:'correct horse battery' "$ADMIN/dash" | grep -c "^Content-Security-Policy: default-src 'none'; script-src 'self'")"
check "right password: the API" '{"sites":[]}' "$(curl -s -u admin:'correct horse battery' "$ADMIN/api/sites")"
check "a bad query without credentials: 401 first" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/api/stats?site=shop&from=x")"
check "a bad query with them: 400" '{"error":"from: not a day (YYYYMMDD): x"}' "$(curl -s -u admin:'correct horse battery' "$ADMIN/api/stats?site=shop&from=x")"
check "right password: chart.js" 200 "$(curl -s -o /dev/null -w '%{http_code}' -u admin:'correct horse battery' "$ADMIN/dash/chart.js")"
check "probes stay open: /livez" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/livez")"
check "probes stay open: /metrics" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/metrics")"
for i in 1 2 3; do
    curl -s -o /dev/null -u admin:wrong$i "$ADMIN/api/sites"
done
out=$(hdrs -u admin:'correct horse battery' "$ADMIN/api/sites")
check "after five failures: 429 even with the right password" "HTTP/1.1 429 Too Many Requests" "$(echo "$out" | head -1)"
check "429: Retry-After within the minute" 1 "$(echo "$out" | hval retry-after | awk '{print ($1 > 0 && $1 <= 60)}')"
check "429: probes still open" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/readyz")"
check "metrics: the 401s" 7 "$(metric 'beacon_admin_http_responses_total{code="401"}')"
check "metrics: the 429" 1 "$(metric 'beacon_admin_http_responses_total{code="429"}')"
beacond_stop
printf '[server]\nadmin_password_hash = plain-text\n' > "$T_DIR/bad.conf"
check "a bad hash is a configuration error" 1 \
    "$("$BEACOND" -t -c "$T_DIR/bad.conf" 2>&1 | grep -c 'admin_password_hash.*not an Argon2id string')"
finish
