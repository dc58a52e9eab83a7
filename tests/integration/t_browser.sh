# SPEC 2.6, 2.2, 2.1 in a real browser: headless Chromium loads pages
# served on loopback that include /beacon.js from beacond (another
# origin). The pageview, a custom event fired by a click and a
# single-page-app navigation land in Redis with the right path, referrer
# and utm; a page where navigator.globalPrivacyControl (or doNotTrack) is
# set before the script runs sends nothing; without sendBeacon the script
# falls back to the pixel; with scripts disabled the <noscript> pixel
# counts.
#
# Headless Chromium says "HeadlessChrome" in its user agent, which the bot
# list drops; the browser here presents the user agent of the same
# Chromium with a screen, as a reader's browser would.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "t_browser: chromium is missing (scripts/install-deps.sh installs it)" >&2
    exit 1
fi
redis_start
beacond_start
avoid_hour_edge 20
D=$(today)
PAGE_PORT=$(free_port)
SITE_DIR=$T_DIR/site
mkdir -p "$SITE_DIR/shop" "$SITE_DIR/private"
UA="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
SCRIPT="<script defer data-site=\"%s\" src=\"$BASE/beacon.js\"></script>"

# the page server: python's, on loopback, killed with the file
(cd "$SITE_DIR" && exec python3 -m http.server "$PAGE_PORT" --bind 127.0.0.1 \
    >"$T_DIR/pages.log" 2>&1) &
PAGES_PID=$!
trap 'kill "$PAGES_PID" 2>/dev/null; instances_kill; cleanup' EXIT
for i in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PAGE_PORT/" && break
    sleep 0.05
done

# browse URL [chromium flags...]: loads URL in a fresh profile and waits
# for the page's timers (virtual time), prints the final DOM. With NOJS=1
# the profile has JavaScript switched off, as a reader's setting would
# (--blink-settings=scriptEnabled=false stops headless from loading at all).
browse() {
    local url=$1
    shift
    rm -rf "$T_DIR/profile"
    if [ -n "${NOJS:-}" ]; then
        mkdir -p "$T_DIR/profile/Default"
        echo '{"profile": {"default_content_setting_values": {"javascript": 2}}}' \
            > "$T_DIR/profile/Default/Preferences"
    fi
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$T_DIR/profile" --user-agent="$UA" \
        --virtual-time-budget=5000 "$@" --dump-dom "$url" 2>>"$T_DIR/chromium.log"
}
requests() { metric beacon_requests_total; }

# ------------------------------------------------ pageview, click, SPA
# start.html on "localhost" sends the browser to the shop page on
# 127.0.0.1: another origin, so the shop page's referrer is localhost
cat > "$SITE_DIR/start.html" <<HTML
<!doctype html><html><body><script>
location.href = "http://127.0.0.1:$PAGE_PORT/shop/page.html?utm_source=Newsletter&utm_medium=email";
</script></body></html>
HTML
cat > "$SITE_DIR/shop/page.html" <<HTML
<!doctype html><html><head><title>shop</title>
$(printf "$SCRIPT" web)
</head><body>
<button id="signup" onclick="beacon('signup')">Sign up</button>
<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    document.getElementById("signup").click();
    history.pushState({}, "", "/shop/step-2");
    location.hash = "#details";
    document.title = "done";
  }, 200);
});
</script></body></html>
HTML
dom=$(browse "http://localhost:$PAGE_PORT/start.html")
check "the page ran its script (control)" 1 "$(echo "$dom" | grep -c '<title>done</title>')"
wait_eq "pageviews: the page and the SPA step" 2 rcli HGET "bc:{web}:tot:d:$D" pageviews
check "events: the click" 1 "$(rcli HGET "bc:{web}:tot:d:$D" events)"
check "event name" signup "$(rcli ZRANGE "bc:{web}:ev:d:$D" 0 -1)"
check "path of the page" 1 "$(rcli ZSCORE "bc:{web}:pages:d:$D" /shop/page.html)"
check "path of the SPA step" 1 "$(rcli ZSCORE "bc:{web}:pages:d:$D" /shop/step-2)"
check "a hash change is no page" 2 "$(rcli ZCARD "bc:{web}:pages:d:$D")"
check "referrer: the other origin, once (the SPA step is internal)" "localhost 1" \
    "$(rcli ZRANGE "bc:{web}:refs:d:$D" 0 -1 WITHSCORES | paste -sd' ')"
check "utm from the page URL" "newsletter/email/ 1" \
    "$(rcli ZRANGE "bc:{web}:utm:d:$D" 0 -1 WITHSCORES | paste -sd' ')"
check "browser family" "chrome" "$(rcli ZRANGE "bc:{web}:br:d:$D" 0 -1)"
check "one visitor" 1 "$(rcli PFCOUNT "bc:{web}:uv:d:$D")"
check "sent with sendBeacon to /e" 3 "$(metric 'beacon_hits_total{endpoint="batch",outcome="counted"}')"

# ------------------------------------------------ GPC and DNT: nothing sent
for flag in globalPrivacyControl:true doNotTrack:'"1"'; do
    name=${flag%%:*}
    cat > "$SITE_DIR/private/$name.html" <<HTML
<!doctype html><html><head><title>private</title>
<script>Object.defineProperty(navigator, "$name", {value: ${flag#*:}});</script>
$(printf "$SCRIPT" "p-$name")
</head><body><script>
window.addEventListener("load", function () {
  setTimeout(function () {
    beacon("should-not-send");
    history.pushState({}, "", "/private/elsewhere");
    document.title = "done";
  }, 200);
});
</script></body></html>
HTML
    before=$(requests)
    dom=$(browse "http://127.0.0.1:$PAGE_PORT/private/$name.html")
    check "$name: the page ran (control)" 1 "$(echo "$dom" | grep -c '<title>done</title>')"
    sleep 0.5
    check "$name: only the script was fetched" $((before + 1)) "$(requests)"
    check "$name: nothing in Redis" 0 "$(rcli EXISTS "bc:{p-$name}:tot:d:$D")"
done

# ------------------------------------------------ no sendBeacon: the pixel
cat > "$SITE_DIR/old.html" <<HTML
<!doctype html><html><head><title>old</title>
<script>Object.defineProperty(navigator, "sendBeacon", {value: undefined});</script>
$(printf "$SCRIPT" old)
</head><body><script>
window.addEventListener("load", function () {
  setTimeout(function () { beacon("tap"); document.title = "done"; }, 200);
});
</script></body></html>
HTML
pixels=$(metric 'beacon_hits_total{endpoint="pixel",outcome="counted"}')
browse "http://127.0.0.1:$PAGE_PORT/old.html" >/dev/null
wait_eq "without sendBeacon: the pageview by pixel" 1 rcli HGET "bc:{old}:tot:d:$D" pageviews
check "without sendBeacon: the event by pixel" 1 "$(rcli HGET "bc:{old}:tot:d:$D" events)"
check "without sendBeacon: both went to /p.gif" $((pixels + 2)) \
    "$(metric 'beacon_hits_total{endpoint="pixel",outcome="counted"}')"

# ------------------------------------------------ what the script sends
# the served script, loaded from the page server itself, so its pixel
# fallback lands in that server's log: only origin, path and utm_* of the
# page, only the referrer's origin
curl -s "$BASE/beacon.js" > "$SITE_DIR/beacon.js"
cat > "$SITE_DIR/leak.html" <<HTML
<!doctype html><html><head><title>leak</title>
<script>Object.defineProperty(navigator, "sendBeacon", {value: undefined});</script>
<script defer data-site="leak" src="/beacon.js"></script>
</head><body><script>
window.addEventListener("load", function () {
  setTimeout(function () { document.title = "done"; }, 200);
});
</script></body></html>
HTML
cat > "$SITE_DIR/from.html" <<HTML
<!doctype html><html><body><script>
location.href = "http://127.0.0.1:$PAGE_PORT/leak.html?email=ann%40example.com&token=s3cret&utm_source=mail#frag";
</script></body></html>
HTML
browse "http://localhost:$PAGE_PORT/from.html?session=abc" >/dev/null
sent=$(grep -o 'GET /p.gif[^ ]*' "$T_DIR/pages.log" | tail -1)
check "the script sent the pageview (control)" 1 "$(echo "$sent" | grep -c 's=leak')"
check "sent: the page's path and utm only" 1 \
    "$(echo "$sent" | grep -c 'u=http%3A%2F%2F127.0.0.1%3A'"$PAGE_PORT"'%2Fleak.html%3Futm_source%3Dmail&')"
check "sent: the referrer's origin only" 1 "$(echo "$sent" | grep -c 'r=http%3A%2F%2Flocalhost%3A'"$PAGE_PORT"'$')"
check "sent: no other query, fragment or referrer path" 0 \
    "$(echo "$sent" | grep -c -e email -e s3cret -e token -e frag -e session -e from.html)"

# ------------------------------------------------ scripts off: <noscript>
cat > "$SITE_DIR/nojs.html" <<HTML
<!doctype html><html><head><title>nojs</title>
$(printf "$SCRIPT" nojs)
</head><body>
<noscript><img src="$BASE/p.gif?s=nojs&amp;u=%2Fnojs.html" alt=""></noscript>
<script>document.title = "scripts ran";</script>
</body></html>
HTML
batch=$(metric 'beacon_hits_total{endpoint="batch",outcome="counted"}')
NOJS=1 browse "http://127.0.0.1:$PAGE_PORT/nojs.html" >/dev/null
wait_eq "scripts disabled: the <noscript> pixel counts" 1 rcli HGET "bc:{nojs}:tot:d:$D" pageviews
check "scripts disabled: its path" 1 "$(rcli ZSCORE "bc:{nojs}:pages:d:$D" /nojs.html)"
check "scripts disabled: the script sent nothing" "$batch" \
    "$(metric 'beacon_hits_total{endpoint="batch",outcome="counted"}')"

# ------------------------------------------------ the script itself
out=$(curl -s -D - -o "$T_DIR/beacon.js" "$BASE/beacon.js" | tr -d '\r')
check "/beacon.js: text/javascript" "text/javascript; charset=utf-8" "$(echo "$out" | hval content-type)"
check "/beacon.js: cacheable for an hour" "public, max-age=3600" "$(echo "$out" | hval cache-control)"
check "/beacon.js: at most 1.5 KB" 1 "$(( $(wc -c < "$T_DIR/beacon.js") <= 1536 ))"
check "/beacon.js: what scripts/jsmin.sh makes of share/beacon.js" "" \
    "$(cd "$(dirname "$0")/../.." && scripts/jsmin.sh share/beacon.js | cmp - "$T_DIR/beacon.js")"
check "HEAD /beacon.js: 200" "HTTP/1.1 200 OK" "$(curl -s -I "$BASE/beacon.js" | head -1 | tr -d '\r')"
finish
