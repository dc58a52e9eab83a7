# The dashboard in a real browser: headless Chromium loads /dash (the
# page, /dash/app.js, /dash/chart.js, then /api/sites and /api/stats by
# fetch) after a known set of hits went through the real endpoints (page
# pixels from three visitors on desktop and mobile, with a referrer and
# utm, custom events by POST /e, e-mail opens of each class and signed
# clicks on two links, and a second site), and every figure the page
# SHOWS is the one those hits make, formatted for people (thousands
# separated by U+202F, ratios with 2 decimals, percentages with 1 decimal
# and " %"): the cards, the previous period, the top lists, the areas,
# the e-mail campaign, the last 30 minutes and the site picker. A range
# of two days shows the same totals, per day; a range without data shows
# the empty-state texts. With admin_password_hash the page and the API
# want Basic credentials (401 and the challenge without or with wrong
# ones, the probes stay open) and the page loaded with credentials in its
# URL shows the figures.
#
# DASH_SCREENSHOT=PATH also saves a screenshot of the page with these
# figures there (docs/dashboard.png is made so).
. "$(dirname "$0")/lib.sh"
export LC_ALL=C PYTHONIOENCODING=utf-8
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "t_dash_browser: chromium is missing (scripts/install-deps.sh installs it)" >&2
    exit 1
fi
BEACONCTL=${BEACONCTL:-$(dirname "$BEACOND")/beaconctl}
RK=1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
K1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
CONF=("server.trusted_proxies = 127.0.0.1/32" "mail.recipient_key = $RK"
    "mail.link_keys = k1:$K1")
redis_start
beacond_start "${CONF[@]}"
# the hits must all land on one day (and hour); the page loads name
# their days, so only the sending has to keep clear of the edge
avoid_hour_edge 30
D=$(today)
Y=$(date -u -d "$D -1 day" +%Y%m%d)
OLD=$(date -u -d "$D -10 days" +%Y%m%d)
S=$(printf '\342\200\257') # U+202F, the thousands separator of the page
T0=$(date +%s)

# ---- the visitors: a client address (X-Forwarded-For from the trusted
# proxy 127.0.0.1) and a user agent each
V1=("-A" "$BROWSER_UA" "-H" "X-Forwarded-For: 198.51.100.1") # desktop, chrome
V2=("-A" "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    "-H" "X-Forwarded-For: 198.51.100.2")                   # desktop, firefox
V3=("-A" "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1"
    "-H" "X-Forwarded-For: 198.51.100.3")                   # mobile, safari

NOT_COUNTED=""
# hit SITE QUERY [curl args...]: one pageview that must be counted
hit() {
    local site=$1 q=$2 xb
    shift 2
    xb=$(curl -s -D - -o /dev/null "$@" "$BASE/p.gif?s=$site&$q" | hval x-beacon)
    [ "$xb" = counted ] || NOT_COUNTED="$NOT_COUNTED [$site $q: $xb]"
}
# events FILE [curl args...]: POST /e; prints X-Beacon-Accepted
events() {
    local f=$1
    shift
    curl -s -D - -o /dev/null -H 'Content-Type: text/plain;charset=UTF-8' \
        "$@" --data-binary @"$f" "$BASE/e" | hval x-beacon-accepted
}

# ------------------------------------------------ the known hits
# pageviews (10): V1 / (referrer www.news.example), /pricing, /blog/b x2;
# V2 / (utm newsletter/email/spring), /blog/a (referrer search.example),
# /blog/b (utm newsletter/email/spring); V3 / (referrer news.example,
# utm twitter), /pricing, /blog/b
hit shop 'u=%2F&r=https%3A%2F%2Fwww.news.example%2Fstory%3Fid%3D1' "${V1[@]}"
hit shop 'u=%2Fpricing' "${V1[@]}"
hit shop 'u=%2Fblog%2Fb' "${V1[@]}"
hit shop 'u=%2Fblog%2Fb' "${V1[@]}"
hit shop 'u=%2F&utm_source=Newsletter&utm_medium=email&utm_campaign=Spring' "${V2[@]}"
hit shop 'u=%2Fblog%2Fa&r=https%3A%2F%2Fsearch.example%2F%3Fq%3Dshop' "${V2[@]}"
hit shop 'u=%2Fblog%2Fb%3Futm_source%3Dnewsletter%26utm_medium%3Demail%26utm_campaign%3Dspring' "${V2[@]}"
hit shop 'u=%2F&r=https%3A%2F%2Fnews.example%2F&utm_source=twitter' "${V3[@]}"
hit shop 'u=%2Fpricing' "${V3[@]}"
hit shop 'u=%2Fblog%2Fb' "${V3[@]}"
# the second site: two pageviews of V1
hit docs 'u=%2Fguide' "${V1[@]}"
hit docs 'u=%2F' "${V1[@]}"
check "every pageview counted" "" "$NOT_COUNTED"

# custom events (1 204): V1 signup x2, V2 signup and scroll x1 200 (12
# batches of 100), V3 download
printf '[{"s":"shop","u":"/pricing","e":"signup"},{"s":"shop","u":"/pricing","e":"signup"}]' > "$T_DIR/e1"
printf '{"s":"shop","u":"/pricing","e":"signup"}' > "$T_DIR/e2"
python3 -c 'import json; print(json.dumps([{"s": "shop", "u": "/blog/a", "e": "scroll"}] * 100))' > "$T_DIR/e100"
printf '{"s":"shop","u":"/","e":"download"}' > "$T_DIR/e3"
accepted=$(events "$T_DIR/e1" "${V1[@]}")
accepted="$accepted $(events "$T_DIR/e2" "${V2[@]}")"
for i in $(seq 1 12); do
    accepted="$accepted $(events "$T_DIR/e100" "${V2[@]}")"
done
accepted="$accepted $(events "$T_DIR/e3" "${V3[@]}")"
check "every event accepted" "2 1$(printf ' 100%.0s' $(seq 1 12)) 1" "$accepted"

# e-mail opens of campaign spring (9): human x3 (T1 Apple Mail, T2
# Outlook, T1 again in Thunderbird), proxy x2 (T3 through Gmail's and
# Yahoo's image proxies), machine x1 (T4, Apple's prefetch from 17.0.0.0/8),
# scanner x3 (T5 Mimecast, T5 Barracuda, T6 by HEAD); unique openers: T1,
# T2, T3
T1=reader-one_0001 T2=reader-two_0002 T3=reader-three_03 T4=reader-four_004
T5=reader-five_005 T6=reader-six_0006
open_() {
    local tok=$1 ua=$2
    shift 2
    curl -s -D - -o /dev/null -A "$ua" "$@" "$BASE/o/shop/spring/$tok.gif" | hval x-beacon
}
opened="$(open_ "$T1" 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)')"
opened="$opened $(open_ "$T2" 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)')"
opened="$opened $(open_ "$T1" 'Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0')"
opened="$opened $(open_ "$T3" 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)')"
opened="$opened $(open_ "$T3" 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html')"
opened="$opened $(open_ "$T4" 'Mozilla/5.0' -H 'X-Forwarded-For: 17.58.63.1')"
opened="$opened $(open_ "$T5" 'Mozilla/5.0 (compatible; Mimecast URL Protect)')"
opened="$opened $(open_ "$T5" 'Mozilla/5.0 (compatible; Barracuda Sentinel (EE))')"
opened="$opened $(open_ "$T6" "$BROWSER_UA" -I)"
check "every open counted" "$(printf 'counted %.0s' $(seq 1 9) | sed 's/ $//')" "$opened"

# signed clicks (4): hero x3 (T1 twice, T2), footer x1 (no recipient);
# unique clickers T1, T2: click-to-open 2/3
sign() { "$BEACONCTL" -c "$T_DIR/beacond.conf" sign link --site shop --campaign spring "$@"; }
h1=$(sign --link hero --to 'https://shop.example/sale' --recipient "$T1")
h2=$(sign --link hero --to 'https://shop.example/sale' --recipient "$T2")
f0=$(sign --link footer --to 'https://shop.example/')
clicked=""
for u in "$h1" "$h1" "$h2" "$f0"; do
    clicked="$clicked $(curl -s -D - -o /dev/null -A "$BROWSER_UA" "$u" | hval x-beacon)"
done
check "every click counted" " counted counted counted counted" "$clicked"
T1END=$(date +%s)

# api SITE FROM TO PYTHON_EXPR: a figure of /api/stats (s is the JSON)
api() {
    curl -s --max-time 5 "${CURL_AUTH[@]}" "$ADMIN/api/stats?site=$1&from=$2&to=$3" |
        python3 -c 'import json, sys
try:
    s = json.load(sys.stdin)
    print(eval(sys.argv[1]))
except Exception as e:
    print("error:", e)' "$4"
}
CURL_AUTH=()
TOTALS='" ".join(str(s["totals"][k]) for k in ("pageviews", "events", "opens", "clicks"))'
wait_eq_t 15 "shop in /api/stats: pageviews events opens clicks" "10 1204 9 4" \
    api shop "$D" "$D" "$TOTALS"
wait_eq_t 15 "docs in /api/stats: pageviews" 2 api docs "$D" "$D" 's["totals"]["pageviews"]'
check "/api/stats: visitors" 3 "$(api shop "$D" "$D" 's["totals"]["visitors"]')"

# ------------------------------------------------ the browser
# browse NAME URL [chromium flags...]: loads URL in a fresh profile, waits
# for its fetches and timers (virtual time) and parses the final DOM into
# $T_DIR/NAME.txt, one tab-separated line per fact:
#   text ID TEXT | class ID CLASS | style ID STYLE | hidden ID 0|1
#   loaded VALUE (body[data-loaded])
#   row|head CONTAINER CELL... (rows of the table in div#CONTAINER)
#   empty CONTAINER TEXT (its p.empty) | option SELECT VALUE
UA="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
cat > "$T_DIR/dom.py" <<'PY'
import html.parser, sys
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []   # [tag, id or None]
        self.texts = {}   # id -> text pieces
        self.out = []
        self.container = None   # id of the div holding a table
        self.row = None
        self.cell = None
        self.empty = None
        self.select = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        i = a.get("id")
        if tag == "body" and "data-loaded" in a:
            self.out.append(["loaded", a["data-loaded"]])
        if i is not None:
            self.texts[i] = []
            self.out.append(["class", i, a.get("class") or ""])
            self.out.append(["style", i, a.get("style") or ""])
            self.out.append(["hidden", i, "1" if "hidden" in a else "0"])
            if tag == "div" and i.startswith("t-"):
                self.container = i
            if tag == "select":
                self.select = i
        if tag == "option" and self.select:
            self.out.append(["option", self.select, a.get("value") or ""])
        if self.container:
            if tag == "tr":
                self.row = []
            elif tag in ("td", "th") and self.row is not None:
                self.cell = [tag, ""]
            elif tag == "p" and "empty" in (a.get("class") or "").split():
                self.empty = ""
        if tag not in VOID:
            self.stack.append([tag, i])
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            t, i = self.stack.pop()
            if i is not None:
                self.out.append(["text", i, "".join(self.texts[i]).strip()])
                if i == self.container:
                    self.container = None
                if i == self.select:
                    self.select = None
            if t == tag:
                break
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            kind = "head" if all(c[0] == "th" for c in self.row) else "row"
            self.out.append([kind, self.container] + [c[1] for c in self.row])
            self.row = None
        elif tag == "p" and self.empty is not None:
            self.out.append(["empty", self.container, self.empty])
            self.empty = None
    def handle_data(self, d):
        for t, i in self.stack:
            if i is not None:
                self.texts[i].append(d)
        if self.cell is not None:
            self.cell[1] += d
        if self.empty is not None:
            self.empty += d
p = P()
p.feed(sys.stdin.read())
p.close()
for line in p.out:
    print("\t".join(x.replace("\t", " ").replace("\n", " ") for x in line))
PY
browse() {
    local name=$1 url=$2
    shift 2
    rm -rf "$T_DIR/profile"
    timeout 30 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$T_DIR/profile" --user-agent="$UA" \
        --virtual-time-budget=10000 "$@" --dump-dom "$url" \
        2>>"$T_DIR/chromium.log" > "$T_DIR/$name.html"
    python3 "$T_DIR/dom.py" < "$T_DIR/$name.html" > "$T_DIR/$name.txt"
}
# the facts of the page last parsed ($PAGE)
txt() { awk -F'\t' -v i="$1" '$1 == "text" && $2 == i { print $3; exit }' "$T_DIR/$PAGE.txt"; }
cls() { awk -F'\t' -v i="$1" '$1 == "class" && $2 == i { print $3; exit }' "$T_DIR/$PAGE.txt"; }
style() { awk -F'\t' -v i="$1" '$1 == "style" && $2 == i { print $3; exit }' "$T_DIR/$PAGE.txt"; }
hidden() { awk -F'\t' -v i="$1" '$1 == "hidden" && $2 == i { print $3; exit }' "$T_DIR/$PAGE.txt"; }
loaded() { awk -F'\t' '$1 == "loaded" { print $2; exit }' "$T_DIR/$PAGE.txt"; }
options() { awk -F'\t' -v i="$1" '$1 == "option" && $2 == i { print $3 }' "$T_DIR/$PAGE.txt" | paste -sd' '; }
# rows ID [head]: the rows of the table in div#ID, cells joined by " | ",
# rows by "; "
rows() {
    awk -F'\t' -v i="$1" -v k="${2:-row}" '$1 == k && $2 == i {
        s = $3; for (n = 4; n <= NF; n++) s = s " | " $n; print s }' "$T_DIR/$PAGE.txt" |
        paste -sd';' | sed 's/;/; /g'
}
empty() { awk -F'\t' -v i="$1" '$1 == "empty" && $2 == i { print $3; exit }' "$T_DIR/$PAGE.txt"; }

# shop_checks WHAT: every figure of shop's day, as the page shows it
shop_checks() {
    local w=$1
    check "$w: no error shown" "" "$(txt error)"
    check "$w: visitors card" 3 "$(txt v-visitors)"
    check "$w: pageviews card" 10 "$(txt v-pageviews)"
    check "$w: events card (thousands separated by U+202F)" "1${S}204" "$(txt v-events)"
    check "$w: pageviews per visitor card (10 / 3)" 3.33 "$(txt v-ppv)"
    check "$w: visitors, previous period" "previous 0 (new)" "$(txt p-visitors)"
    check "$w: visitors, previous period marked up" "prev up" "$(cls p-visitors)"
    check "$w: events, previous period" "previous 0 (new)" "$(txt p-events)"
    check "$w: per visitor, previous period" "previous 0.00 (new)" "$(txt p-ppv)"
    check "$w: the empty-state of the series hidden" 1 "$(hidden series-empty)"
    check "$w: last 30 minutes" 10 "$(txt live-total)"
    check "$w: site picker, both sites" "docs shop" "$(options site)"
    check "$w: top pages header" "Page | Count" "$(rows t-pages head)"
    check "$w: top pages" "/blog/b | 4; / | 3; /pricing | 2; /blog/a | 1" "$(rows t-pages)"
    check "$w: referrers" "news.example | 2; search.example | 1" "$(rows t-referrers)"
    check "$w: utm" "newsletter/email/spring | 2; twitter// | 1" "$(rows t-utm)"
    check "$w: custom events" "scroll | 1${S}200; signup | 3; download | 1" "$(rows t-events)"
    check "$w: devices (pageviews and events)" "desktop | 1${S}210; mobile | 4" "$(rows t-devices)"
    check "$w: browsers (pageviews and events)" "firefox | 1${S}204; chrome | 6; safari | 4" "$(rows t-browsers)"
    check "$w: areas header" "Area | Visitors | Pageviews | Per visitor" "$(rows t-areas head)"
    check "$w: areas (visitors, pageviews, per visitor)" \
        "blog | 3 | 5 | 1.67; / | 3 | 3 | 1.00; pricing | 2 | 2 | 1.00" "$(rows t-areas)"
    check "$w: campaigns header" "Campaign | Last activity | Opens | Human | Machine | Proxy | Scanner | Unique openers | Clicks | Click-to-open | Clicks per link" \
        "$(rows t-campaigns head)"
    # the last activity is a minute of the test
    local row last
    row=$(rows t-campaigns)
    last=$(echo "$row" | awk -F' [|] ' '{ print $2 }')
    check "$w: campaign row" "spring | $last | 9 | 3 | 1 | 2 | 3 | 3 | 4 | 66.7 % | hero 3, footer 1" "$row"
    check "$w: campaign's last activity ($last) a minute of the test" 1 \
        "$(python3 -c 'import sys, time
f = lambda t: time.strftime("%Y-%m-%d %H:%M", time.gmtime(int(t)))
print(int(f(sys.argv[2]) <= sys.argv[1] <= f(sys.argv[3])))' "$last" "$T0" "$T1END")"
}

# ------------------------------------------------ one day
PAGE=day
browse day "$ADMIN/dash?site=shop&from=$D&to=$D"
check "day: the page finished rendering (body[data-loaded])" "$D-$D" "$(loaded)"
shop_checks day
check "day: the series per hour" "Visitors and pageviews per hour" "$(txt series-title)"
check "day: the Today button is on" on "$(cls today)"
# Chart.js (served as /dash/chart.js, allowed by the page's CSP) sized
# both canvases
check "day: Chart.js drew the series" 1 "$(style series | grep -c 'box-sizing: border-box')"
check "day: Chart.js drew the last 30 minutes" 1 "$(style live | grep -c 'box-sizing: border-box')"

# ------------------------------------------------ yesterday to today
PAGE=range
browse range "$ADMIN/dash?site=shop&from=$Y&to=$D"
check "range: the page finished rendering" "$Y-$D" "$(loaded)"
shop_checks range
check "range: the series per day" "Visitors and pageviews per day" "$(txt series-title)"
check "range: the Today button is off" "" "$(cls today)"
check "/api/stats of the range: g is d" d "$(api shop "$Y" "$D" 's["g"]')"

# ------------------------------------------------ the empty state
PAGE=empty
browse empty "$ADMIN/dash?site=docs&from=$OLD&to=$OLD"
check "empty: the page finished rendering" "$OLD-$OLD" "$(loaded)"
check "empty: no error shown" "" "$(txt error)"
check "empty: visitors card" 0 "$(txt v-visitors)"
check "empty: pageviews card" 0 "$(txt v-pageviews)"
check "empty: events card" 0 "$(txt v-events)"
check "empty: per visitor card" 0.00 "$(txt v-ppv)"
check "empty: previous period, nothing" "previous 0" "$(txt p-visitors)"
check "empty: the series says so" "0 No pageviews in this range." \
    "$(hidden series-empty) $(txt series-empty)"
check "empty: pages" "No pageviews in this range." "$(empty t-pages)"
check "empty: referrers" "No pageview came from another site in this range." "$(empty t-referrers)"
check "empty: utm" "No pageview carried utm parameters in this range." "$(empty t-utm)"
check "empty: events" "No custom events in this range (the page script sends them with beacon('name'))." \
    "$(empty t-events)"
check "empty: devices" "None in this range." "$(empty t-devices)"
check "empty: browsers" "None in this range." "$(empty t-browsers)"
check "empty: areas" "No pageviews in this range." "$(empty t-areas)"
check "empty: campaigns" "No e-mail opens or clicks since the start of this range." "$(empty t-campaigns)"
check "empty: no table at all" "" "$(awk -F'\t' '$1 == "row"' "$T_DIR/empty.txt")"
# the last 30 minutes are the last 30 minutes, whatever the range
check "empty: last 30 minutes of docs" 2 "$(txt live-total)"

# shop ten days ago: no pageviews, the campaign active since then listed
PAGE=old
browse old "$ADMIN/dash?site=shop&from=$OLD&to=$OLD"
check "old: the page finished rendering" "$OLD-$OLD" "$(loaded)"
check "old: pageviews card" 0 "$(txt v-pageviews)"
check "old: pages" "No pageviews in this range." "$(empty t-pages)"
check "old: the campaign active since the range's start" "spring 9 4" \
    "$(rows t-campaigns | awk -F' [|] ' '{ print $1, $3, $9 }')"

# ------------------------------------------------ the screenshot
if [ -n "${DASH_SCREENSHOT:-}" ]; then
    rm -rf "$T_DIR/profile" "$DASH_SCREENSHOT"
    timeout 30 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$T_DIR/profile" --user-agent="$UA" --hide-scrollbars \
        --virtual-time-budget=10000 --window-size=1280,2000 \
        --screenshot="$DASH_SCREENSHOT" "$ADMIN/dash?site=shop&from=$D&to=$D" \
        >>"$T_DIR/chromium.log" 2>&1
    check "screenshot: a PNG in $DASH_SCREENSHOT" "89504e47" \
        "$(head -c 4 "$DASH_SCREENSHOT" 2>/dev/null | od -An -tx1 | tr -d ' \n')"
fi

# ------------------------------------------------ with a password
PW='correct horse battery'
HASH=$(echo "$PW" | "$BEACONCTL" passwd)
check "beaconctl passwd: an Argon2id string" '$argon2id$' "${HASH:0:10}"
beacond_stop
beacond_start "${CONF[@]}" "server.admin_password_hash = $HASH"
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
out=$(curl -s -D - -o "$T_DIR/body" --max-time 10 "$ADMIN/dash" | tr -d '\r')
check "/dash without credentials: 401" "HTTP/1.1 401 Unauthorized" "$(echo "$out" | head -1)"
check "/dash without credentials: the challenge" 'Basic realm="beacond", charset="UTF-8"' \
    "$(echo "$out" | hval www-authenticate)"
check "/dash without credentials: not the page" 0 "$(grep -c 'v-visitors' "$T_DIR/body")"
out=$(curl -s -D - -o "$T_DIR/body" --max-time 10 -u 'admin:wrong horse battery' "$ADMIN/dash" | tr -d '\r')
check "/dash with a wrong password: 401" "HTTP/1.1 401 Unauthorized" "$(echo "$out" | head -1)"
check "/dash with a wrong password: the challenge" 'Basic realm="beacond", charset="UTF-8"' \
    "$(echo "$out" | hval www-authenticate)"
check "/dash as another user with the password: 401" 401 "$(code -u "root:$PW" "$ADMIN/dash")"
out=$(curl -s -D - -o "$T_DIR/body" --max-time 10 -u "admin:$PW" "$ADMIN/dash" | tr -d '\r')
check "/dash with the password: 200" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"
check "/dash with the password: HTML" "text/html; charset=utf-8" "$(echo "$out" | hval content-type)"
check "/dash with the password: the page" 1 "$(grep -c 'id="v-visitors"' "$T_DIR/body")"
check "/dash/app.js without credentials: 401" 401 "$(code "$ADMIN/dash/app.js")"
check "/api/sites without credentials: 401" 401 "$(code "$ADMIN/api/sites")"
check "/api/stats without credentials: 401" 401 "$(code "$ADMIN/api/stats?site=shop")"
out=$(curl -s -D - -o "$T_DIR/body" --max-time 10 -u "admin:$PW" \
    "$ADMIN/api/stats?site=shop&from=$D&to=$D" | tr -d '\r')
check "/api/stats with the password: 200" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"
check "/api/stats with the password: JSON" application/json "$(echo "$out" | hval content-type)"
CURL_AUTH=(-u "admin:$PW")
check "/api/stats with the password: the figures" "10 1204 9 4" "$(api shop "$D" "$D" "$TOTALS")"
check "/livez without credentials: 200" 200 "$(code "$ADMIN/livez")"
check "/readyz without credentials: 200" 200 "$(code "$ADMIN/readyz")"

PAGE=auth
browse auth "http://admin:correct%20horse%20battery@127.0.0.1:$ADMIN_PORT/dash?site=shop&from=$D&to=$D"
# (the page's own scripts come with the credentials: it either rendered
# or says why it could not; what it says is in the next check)
check "auth: the page's script ran (control)" 1 \
    "$([ -n "$(loaded)$(txt error)" ] && echo 1 || echo 0)"
check "auth: the page finished rendering" "$D-$D" "$(loaded)"
check "auth: no error shown" "" "$(txt error)"
check "auth: visitors card" 3 "$(txt v-visitors)"
check "auth: pageviews card" 10 "$(txt v-pageviews)"
check "auth: events card" "1${S}204" "$(txt v-events)"
check "auth: per visitor card" 3.33 "$(txt v-ppv)"
check "auth: top pages" "/blog/b | 4; / | 3; /pricing | 2; /blog/a | 1" "$(rows t-pages)"
check "the browser made no failed attempt (control: the right password still passes)" 200 \
    "$(code -u "admin:$PW" "$ADMIN/api/sites")"
finish
