# SPEC 2.4, 5: signed click redirects. Links that beaconctl signs redirect
# (302, exact Location) and count (clicks, links, uc, idx, tot); two keys
# at once and a key added by SIGHUP; every kind of bad link is 403 with no
# Location and counts nothing; DNT, GPC, the opt-out cookie, an opted-out
# recipient, bots and link scanners are redirected but not counted; HEAD
# is never counted; with Redis stopped a click still redirects within
# 50 ms and is counted once Redis is back.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
BEACONCTL=${BEACONCTL:-$(dirname "$BEACOND")/beaconctl}
RK=1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
K1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
K2=$(python3 -c 'import base64; print(base64.b64encode(bytes(range(65, 65 + 40))).decode())')
K3=3333333333333333333333333333333333333333333333333333333333333333
redis_start_args --appendonly yes
beacond_start "mail.recipient_key = $RK" "mail.link_keys = k1:$K1, k2:$K2"
CONF=$T_DIR/beacond.conf
avoid_hour_edge 30

R1=reader-one_0001 R2=reader-two_0002
TO='https://shop.example/sale?item=42&utm_source=mail#top'

ctl() { "$BEACONCTL" -c "$CONF" "$@"; }

# click URL [curl args...]: GET URL as a browser; prints status line and
# headers (CR removed); the body goes to $T_DIR/body
click() {
    local url=$1
    shift
    curl -s -D - -o "$T_DIR/body" -A "$BROWSER_UA" "$@" "$url" | tr -d '\r'
}
status() { head -1; }
tot() { rcli HGET "bc:{news}:mail:$1:tot" "$2"; }

# sign KEY_HEX_OR_B64 SITE CAMPAIGN LINK TO R [KID]: a click URL signed by
# python (independently of beaconctl), for links beaconctl would refuse
sign() {
    python3 - "$BASE" "$@" <<'PY'
import base64, binascii, hashlib, hmac, sys, urllib.parse as u
base, key, site, camp, link, to, r = sys.argv[1:8]
kid = sys.argv[8] if len(sys.argv) > 8 else "k1"
try:
    kb = binascii.unhexlify(key)
except (binascii.Error, ValueError):
    kb = base64.b64decode(key)
msg = "\n".join(["v1", site, camp, link, to, r]).encode()
sig = base64.urlsafe_b64encode(hmac.new(kb, msg, hashlib.sha256).digest()).decode().rstrip("=")
q = "to=" + u.quote(to, safe="")
if r:
    q += "&r=" + r
print("%s/c/%s/%s/%s?%s&k=%s&sig=%s" % (base, site, camp, link, q, kid, sig))
PY
}

# ------------------------------------------------ valid links count
T0=$(date +%s)
url=$(ctl sign link --site news --campaign spring --link hero --to "$TO" --recipient "$R1")
out=$(click "$url")
check "signed link: 302" "HTTP/1.1 302 Found" "$(echo "$out" | status)"
check "signed link: Location is to, exactly" "$TO" "$(echo "$out" | hval location)"
check "signed link: counted" counted "$(echo "$out" | hval x-beacon)"
check "signed link: no-store" 'no-store, no-cache, must-revalidate, max-age=0' \
    "$(echo "$out" | hval cache-control)"
check "signed link: no Set-Cookie" "" "$(echo "$out" | hval set-cookie)"
check "signed link: no body" 0 "$(wc -c < "$T_DIR/body")"
check "curl follows it to the target's host" "https://shop.example/sale?item=42&utm_source=mail#top" \
    "$(curl -s -o /dev/null -w '%{redirect_url}' -A "$BROWSER_UA" "$url")"
url2=$(ctl sign link --site news --campaign spring --link hero --to "$TO" --recipient "$R2" --key k2)
check "key k2 (base64): counted" counted "$(click "$url2" | hval x-beacon)"
url3=$(ctl sign link --site news --campaign spring --link footer --to 'http://example.org/')
check "no recipient: counted" counted "$(click "$url3" | hval x-beacon)"
url4=$(ctl sign link --site news --campaign spring --link footer --to 'http://example.org/' --email 'Ann@Example.com')
check "--email recipient: counted" counted "$(click "$url4" | hval x-beacon)"
# python-signed: the collector and an independent signer agree
check "python-signed link: 302" "HTTP/1.1 302 Found" \
    "$(click "$(sign "$K1" news spring hero "$TO" "$R1")" | status)"
# 6 clicks: hero x4 (R1 three times, R2), footer x2 (none, Ann)
wait_eq "clicks" 6 tot spring clicks
check "links: hero" 4 "$(rcli ZSCORE 'bc:{news}:mail:spring:links' hero)"
check "links: footer" 2 "$(rcli ZSCORE 'bc:{news}:mail:spring:links' footer)"
check "uc: R1, R2, Ann" 3 "$(rcli PFCOUNT 'bc:{news}:mail:spring:uc')"
check "no opens from clicks" "" "$(tot spring opens)"
check "tot:d clicks" 6 "$(rcli HGET "bc:{news}:tot:d:$(today)" clicks)"
T1=$(date +%s)
score=$(rcli ZSCORE 'bc:{news}:mail:idx' spring)
check "idx: last activity within the test's seconds" 1 \
    "$(awk -v s="$score" -v a="$T0" -v b="$T1" 'BEGIN { print (s >= a && s <= b) }')"

# a target with raw UTF-8 in its path: Location is ASCII, the bytes
# percent-encoded (HEAD: redirected, not counted)
u8=$(ctl sign link --site news --campaign utf --link l --to 'https://x.example/café?q=ü')
check "UTF-8 target: Location percent-encoded" 'https://x.example/caf%C3%A9?q=%C3%BC' \
    "$(click "$u8" -I | hval location)"

# ------------------------------------------------ templates signed by beaconctl
# every link "sign html" writes redirects to its original target (non-ASCII
# bytes percent-encoded) and counts; its pixel counts as an open
TEMPLATES=$(cd "$(dirname "$0")/../data/mail" && pwd)
n_links=0
for f in "$TEMPLATES"/*.html; do
    ctl sign html --site news --campaign tmpl --recipient "$R1" < "$f" > "$T_DIR/signed.html"
    python3 - "$BASE" "$T_DIR/signed.html" > "$T_DIR/links" <<'PY'
import html.parser, sys, urllib.parse as u
base, path = sys.argv[1], sys.argv[2]
class P(html.parser.HTMLParser):
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and (a.get("href") or "").startswith(base + "/c/"):
            href = a["href"]
            to = u.parse_qs(u.urlsplit(href).query, keep_blank_values=True)["to"][0]
            # Location is ASCII: raw UTF-8 goes percent-encoded
            print(href + "\t" + "".join(c if ord(c) < 128 else u.quote(c) for c in to))
        if tag == "img" and (a.get("src") or "").startswith(base + "/o/"):
            print(a["src"] + "\tPIXEL")
P(convert_charrefs=True).feed(open(path, encoding="utf-8").read())
PY
    while IFS=$'\t' read -r href to; do
        name="$(basename "$f"): $href"
        if [ "$to" = PIXEL ]; then
            check "$name: the pixel counts" counted \
                "$(curl -s -D - -o /dev/null -A "$BROWSER_UA" "$href" | hval x-beacon)"
            continue
        fi
        n_links=$((n_links + 1))
        out=$(click "$href")
        check "$name: 302" "HTTP/1.1 302 Found" "$(echo "$out" | status)"
        check "$name: Location" "$to" "$(echo "$out" | hval location)"
    done < "$T_DIR/links"
done
check "the templates hold links (control)" 1 "$([ "$n_links" -ge 20 ] && echo 1 || echo 0)"
wait_eq "every template link counted" "$n_links" tot tmpl clicks
# the last pixel follows the last link: it may land a flush later
wait_eq "every template's pixel counted" "$(ls "$TEMPLATES"/*.html | wc -l)" tot tmpl opens

# ------------------------------------------------ bad links: 403, no Location
good=$(sign "$K1" news spring hero "$TO" "$R1")
sig=${good##*sig=}
flip=$(python3 -c 'import sys; s=sys.argv[1]; print(s[:10] + ("A" if s[10] != "A" else "B") + s[11:])' "$sig")
long_to="https://x.example/$(head -c 2100 /dev/zero | tr '\0' a)"
declare -A BAD=(
    [tampered signature]="${good%sig=*}sig=$flip"
    [truncated signature]="${good%?}"
    [signature with padding]="${good}="
    [empty signature]="${good%sig=*}sig="
    [unknown key id]="$(sign "$K1" news spring hero "$TO" "$R1" k9)"
    [key id of another key]="$(sign "$K1" news spring hero "$TO" "$R1" k2)"
    [signed with an unknown key]="$(sign "$K3" news spring hero "$TO" "$R1")"
    [javascript: to]="$(sign "$K1" news spring hero 'javascript:alert(1)' "$R1")"
    [data: to]="$(sign "$K1" news spring hero 'data:text/html,<script>alert(1)</script>' "$R1")"
    [relative to]="$(sign "$K1" news spring hero '/account' "$R1")"
    [scheme-relative to]="$(sign "$K1" news spring hero '//evil.example/' "$R1")"
    [CR LF in to]="$(sign "$K1" news spring hero $'https://x.example/\r\nSet-Cookie: a=1' "$R1")"
    [LF in to]="$(sign "$K1" news spring hero $'https://x.example/\n' "$R1")"
    [oversized to]="$(sign "$K1" news spring hero "$long_to" "$R1")"
    [missing to]="$(echo "$good" | sed 's/to=[^&]*&//')"
    [missing k]="$(echo "$good" | sed 's/&k=k1//')"
    [missing sig]="${good%&sig=*}"
    [changed to]="$(echo "$good" | sed 's/item%3D42/item%3D43/')"
    [changed link]="$(echo "$good" | sed 's|/hero?|/heros?|')"
    [changed campaign]="$(echo "$good" | sed 's|/spring/|/autumn/|')"
    [changed site]="$(echo "$good" | sed 's|/c/news/|/c/blog/|')"
    [changed recipient]="$(echo "$good" | sed "s/r=$R1/r=$R2/")"
    [recipient removed]="$(echo "$good" | sed "s/&r=$R1//")"
    [repeated to]="$(echo "$good" | sed 's/&k=/\&to=https%3A%2F%2Fevil.example\&k=/')"
    [bad link id]="$(sign "$K1" news spring 'he!ro' "$TO" "$R1")"
    [bad recipient]="$(sign "$K1" news spring hero "$TO" 'a@b.example')"
    [no path segments]="$BASE/c/news?to=x"
)
n_bad=0
for name in "${!BAD[@]}"; do
    n_bad=$((n_bad + 1))
    out=$(click "${BAD[$name]}")
    check "$name: 403" "HTTP/1.1 403 Forbidden" "$(echo "$out" | status)"
    check "$name: no Location" "" "$(echo "$out" | hval location)"
    check "$name: plain text" "text/plain; charset=utf-8" "$(echo "$out" | hval content-type)"
    check "$name: a body" "invalid link" "$(cat "$T_DIR/body")"
done
check "a URL over the request-line limit: 414, no Location" "414 " \
    "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$(sign "$K1" news spring hero "https://x.example/$(head -c 9000 /dev/zero | tr '\0' a)" "$R1")")"
# a valid click after them, on another campaign: once it is in Redis, so
# is anything counted before it
sentinel=$(ctl sign link --site news --campaign sentinel --link l --to "$TO")
click "$sentinel" >/dev/null
wait_eq "sentinel click counted" 1 tot sentinel clicks
check "the bad links counted nothing" 6 "$(tot spring clicks)"
check "metrics: click invalid" "$n_bad" \
    "$(metric 'beacon_hits_total{endpoint="click",outcome="invalid"}')"
check "metrics: 403 responses" "$n_bad" "$(metric 'beacon_http_responses_total{code="403"}')"

# ------------------------------------------------ redirected, not counted
g=$(ctl sign link --site news --campaign gated --link l --to "$TO" --recipient "$R1")
for h in 'DNT: 1' 'Sec-GPC: 1' 'Cookie: a=b; beacon_optout=1' 'Sec-Purpose: prefetch'; do
    out=$(click "$g" -H "$h")
    check "$h: 302" "HTTP/1.1 302 Found" "$(echo "$out" | status)"
    check "$h: Location" "$TO" "$(echo "$out" | hval location)"
done
check "DNT: dropped=dnt" dropped=dnt "$(click "$g" -H 'DNT: 1' | hval x-beacon)"
check "DNT: Tk: N" N "$(click "$g" -H 'DNT: 1' | hval tk)"
check "GPC: dropped=gpc" dropped=gpc "$(click "$g" -H 'Sec-GPC: 1' | hval x-beacon)"
check "bot: redirected" "$TO" "$(click "$g" -A 'Googlebot/2.1 (+http://www.google.com/bot.html)' | hval location)"
check "bot: dropped=bot" dropped=bot "$(click "$g" -A 'Googlebot/2.1 (+http://www.google.com/bot.html)' | hval x-beacon)"
check "link scanner: dropped=bot" dropped=bot \
    "$(click "$g" -A 'Mozilla/5.0 (compatible; Mimecast URL Protect)' | hval x-beacon)"
out=$(click "$g" -I)
check "HEAD: 302" "HTTP/1.1 302 Found" "$(echo "$out" | status)"
check "HEAD: Location" "$TO" "$(echo "$out" | hval location)"
check "HEAD: not counted" "" "$(echo "$out" | hval x-beacon)"
code=$(curl -s -o /dev/null -w '%{http_code}' --data x "$g")
check "POST: 405" 405 "$code"
# the recipient opts out: their clicks still redirect, and stop counting
code=$(curl -s -o /dev/null -w '%{http_code}' -A "$BROWSER_UA" --data "s=news&r=$R2" "$BASE/optout/recipient")
check "recipient opt-out accepted" 204 "$code"
p=$(ctl sign link --site news --campaign probe --link l --to "$TO" --recipient "$R2")
wait_eq "opted-out recipient: dropped=optout" dropped=optout eval 'click "$p" | hval x-beacon'
o=$(ctl sign link --site news --campaign gated --link l --to "$TO" --recipient "$R2")
check "opted-out recipient: still redirected" "$TO" "$(click "$o" | hval location)"
check "another recipient counts" counted "$(click "$g" | hval x-beacon)"
wait_eq "gated: one click" 1 tot gated clicks

# ------------------------------------------------ a new key by SIGHUP
u3=$(sign "$K3" news spring hero "$TO" "$R1" k3)
check "k3 before reload: 403" "HTTP/1.1 403 Forbidden" "$(click "$u3" | status)"
# (inih reads at most 199 bytes a line: the list continues indented)
sed -i "s|^link_keys = .*|link_keys = k1:$K1, k2:$K2,\n    k3:$K3|" "$CONF"
kill -HUP "$BEACOND_PID"
wait_eq "k3 after SIGHUP: 302" "HTTP/1.1 302 Found" eval 'click "$u3" | status'
check "k1 still valid after reload" "HTTP/1.1 302 Found" "$(click "$url" | status)"

# ------------------------------------------------ Redis down: still redirects
wait_eq "before the outage: all flushed" 8 tot spring clicks
redis_stop
slowest=0
for i in $(seq 1 20); do
    t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -A "$BROWSER_UA" "$url3")
    check "Redis down, click $i: 302" 302 "${t% *}"
    slowest=$(awk -v a="$slowest" -v b="${t#* }" 'BEGIN { print (b > a ? b : a) }')
done
check "Redis down: every redirect within 50 ms (slowest ${slowest}s)" 1 \
    "$(awk -v s="$slowest" 'BEGIN { print (s < 0.050) }')"
redis_start_args --appendonly yes
wait_eq_t 15 "after Redis is back: the 20 clicks are counted" 28 tot spring clicks
check "footer now 22" 22 "$(rcli ZSCORE 'bc:{news}:mail:spring:links' footer)"
finish
