# SPEC 2.2: the batch beacon. Every body type (JSON object and array as
# text/plain, application/json and without a type, one form-encoded event,
# chunked, gzip, zlib and raw deflate) with exact counts in Redis; every
# error (malformed JSON, empty array, 101 events, a body over 64 KiB, an
# inflated body over 256 KiB, a 60 MiB gzip bomb under 64 KiB answered
# 413 while the process grows by less than 1 MiB, another
# Content-Encoding, a truncated stream, a wrong Content-Encoding, invalid
# UTF-8, deep nesting, another Content-Type) with nothing counted; one
# visitor per site across a batch and pixels; 100
# valid events count 100, 3 invalid of 100 say X-Beacon-Dropped: 3; the
# gate; CORS; OPTIONS; 503 with Retry-After when the backlog is full.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
redis_start
beacond_start
avoid_hour_edge 20
D=$(today)

# post FILE [curl args...]: POST the file's bytes to /e as a browser,
# with Content-Type $CT (default what sendBeacon sends for a string; CT=
# for none); prints status line and headers (CR removed), the body to
# $T_DIR/resp
post() {
    local f=$1
    shift
    curl -s -D - -o "$T_DIR/resp" -A "$BROWSER_UA" \
        -H "Content-Type:${CT- text/plain;charset=UTF-8}" \
        "$@" --data-binary @"$f" "$BASE/e" | tr -d '\r'
}
status() { head -1; }
pv() { rcli HGET "bc:{$1}:tot:d:$D" pageviews; }
ev() { rcli HGET "bc:{$1}:tot:d:$D" events; }
# flushed NAME: posts one event for site NAME and waits until Redis has
# it; all that was counted before it has reached Redis by then too (each
# worker's table goes to Redis whole), so "nothing there" checks after it
# cannot pass for want of a flush
flushed() {
    printf '{"s":"%s","u":"/sentinel"}' "$1" > "$T_DIR/sentinel"
    post "$T_DIR/sentinel" >/dev/null
    wait_eq "sentinel $1 counted" 1 pv "$1"
}
# body NAME PYTHON_EXPR: writes the bytes of the expression to $T_DIR/NAME
body() {
    python3 -c "import gzip, json, sys, zlib
sys.stdout.buffer.write($2)" > "$T_DIR/$1"
}

# ------------------------------------------------ body types
body one 'json.dumps({"s":"b1","u":"/one","r":"https://news.example/a"}).encode()'
out=$(post "$T_DIR/one")
check "one object: 204" "HTTP/1.1 204 No Content" "$(echo "$out" | status)"
check "one object: accepted 1" 1 "$(echo "$out" | hval x-beacon-accepted)"
check "one object: dropped 0" 0 "$(echo "$out" | hval x-beacon-dropped)"
check "one object: CORS" '*' "$(echo "$out" | hval access-control-allow-origin)"
check "one object: no-store" 'no-store, no-cache, must-revalidate, max-age=0' "$(echo "$out" | hval cache-control)"
check "204: no Content-Length" "" "$(echo "$out" | hval content-length)"
check "204: no body" 0 "$(wc -c < "$T_DIR/resp")"
body arr 'json.dumps([{"s":"b1","u":"/a"},{"s":"b1","u":"https://x.example/b?utm_source=News","e":"signup"}]).encode()'
check "array as application/json: accepted 2" 2 \
    "$(CT=' application/json' post "$T_DIR/arr" | hval x-beacon-accepted)"
check "no Content-Type (a Blob): accepted 2" 2 \
    "$(CT= post "$T_DIR/arr" | hval x-beacon-accepted)"
printf 's=b1&u=%%2Fform&e=' > "$T_DIR/form"
check "form-encoded: accepted 1" 1 \
    "$(CT=' application/x-www-form-urlencoded' post "$T_DIR/form" | hval x-beacon-accepted)"
check "chunked: accepted 2" 2 \
    "$(post "$T_DIR/arr" -H 'Transfer-Encoding: chunked' | hval x-beacon-accepted)"
body gz 'gzip.compress(json.dumps([{"s":"b1","u":"/gz"}] * 3).encode())'
check "gzip: accepted 3" 3 "$(post "$T_DIR/gz" -H 'Content-Encoding: gzip' | hval x-beacon-accepted)"
body zl 'zlib.compress(json.dumps({"s":"b1","u":"/zlib"}).encode())'
check "deflate (zlib): accepted 1" 1 "$(post "$T_DIR/zl" -H 'Content-Encoding: deflate' | hval x-beacon-accepted)"
python3 -c "import json, sys, zlib
c = zlib.compressobj(9, zlib.DEFLATED, -15)
sys.stdout.buffer.write(c.compress(json.dumps({'s':'b1','u':'/raw'}).encode()) + c.flush())" > "$T_DIR/raw"
check "deflate (raw): accepted 1" 1 "$(post "$T_DIR/raw" -H 'Content-Encoding: deflate' | hval x-beacon-accepted)"
check "gzip and chunked: accepted 3" 3 \
    "$(post "$T_DIR/gz" -H 'Content-Encoding: gzip' -H 'Transfer-Encoding: chunked' | hval x-beacon-accepted)"
# b1: one + 2 + 2 (no type) + form + 2 (chunked) + 3 + zlib + raw + 3 = 16
# hits; events: signup 3 times; pageviews 13
wait_eq "b1: pageviews" 13 pv b1
check "b1: events" 3 "$(ev b1)"
check "b1: /gz pageviews" 6 "$(rcli ZSCORE "bc:{b1}:pages:d:$D" /gz)"
check "b1: referrer host" 1 "$(rcli ZSCORE "bc:{b1}:refs:d:$D" news.example)"
check "b1: form event has e empty = pageview" 1 "$(rcli ZSCORE "bc:{b1}:pages:d:$D" /form)"
check "b1: visitors" 1 "$(rcli PFCOUNT "bc:{b1}:uv:d:$D")"

# A batch computes the pseudonym once per site, not once for all: after a
# batch over two sites, a pixel of the same client in each site is the
# same visitor there (one visitor per site, whatever the events' order).
body two 'json.dumps([{"s":"v1","u":"/a"},{"s":"v2","u":"/a"},{"s":"v1","u":"/b"}]).encode()'
check "two sites: accepted 3" 3 "$(post "$T_DIR/two" | hval x-beacon-accepted)"
pixel "s=v2&u=/c" >/dev/null
pixel "s=v1&u=/c" >/dev/null
wait_eq "two sites: v1 pageviews" 3 pv v1
wait_eq "two sites: v2 pageviews" 2 pv v2
check "two sites: one visitor in v1" 1 "$(rcli PFCOUNT "bc:{v1}:uv:d:$D")"
check "two sites: one visitor in v2" 1 "$(rcli PFCOUNT "bc:{v2}:uv:d:$D")"

# ------------------------------------------------ 100, and 3 invalid of 100
body hundred 'json.dumps([{"s":"b2","u":"/p%d" % i} for i in range(100)]).encode()'
out=$(post "$T_DIR/hundred")
check "100 events: accepted 100" 100 "$(echo "$out" | hval x-beacon-accepted)"
check "100 events: dropped 0" 0 "$(echo "$out" | hval x-beacon-dropped)"
wait_eq "100 events: 100 pageviews" 100 pv b2
body mixed 'json.dumps([{"s":"b3","u":"/p%d" % i} for i in range(97)] + [{"s":"b3"}, {"s":"b 3","u":"/"}, 7]).encode()'
out=$(post "$T_DIR/mixed")
check "3 invalid of 100: accepted 97" 97 "$(echo "$out" | hval x-beacon-accepted)"
check "3 invalid of 100: X-Beacon-Dropped: 3" 3 "$(echo "$out" | hval x-beacon-dropped)"
wait_eq "3 invalid of 100: 97 pageviews" 97 pv b3

# ------------------------------------------------ errors: nothing counted
# err NAME FILE STATUS [curl args...]
err() {
    local name=$1 f=$2 want=$3
    shift 3
    local out
    out=$(post "$f" "$@")
    check "$name: $want" "$want" "$(echo "$out" | status | cut -d' ' -f2)"
    check "$name: CORS" '*' "$(echo "$out" | hval access-control-allow-origin)"
    case $want in
    400 | 413)
        check "$name: JSON error body" 1 \
            "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(int(isinstance(d.get("error"), str) and len(d) == 1))' "$T_DIR/resp" 2>/dev/null || echo 0)"
        check "$name: application/json" application/json "$(echo "$out" | hval content-type)" ;;
    esac
}
body malformed 'b"[{\"s\":\"bx\",\"u\":\"/a\"},"'
err "malformed JSON" "$T_DIR/malformed" 400
body empty 'b"[]"'
err "empty array" "$T_DIR/empty" 400
body allbad 'json.dumps([{"s":"bx"}, {"u":"/"}]).encode()'
err "not one well-formed event" "$T_DIR/allbad" 400
body e101 'json.dumps([{"s":"bx","u":"/p"}] * 101).encode()'
err "101 events" "$T_DIR/e101" 413
body big 'json.dumps([{"s":"bx","u":"/" + "a" * 700}] * 95).encode()'
check "the 64 KiB body is over 64 KiB (control)" 1 "$(($(wc -c < "$T_DIR/big") > 65536))"
out=$(post "$T_DIR/big")
check "body over 64 KiB: 413" "HTTP/1.1 413 Content Too Large" "$(echo "$out" | status)"
check "body over 64 KiB: CORS" '*' "$(echo "$out" | hval access-control-allow-origin)"
check "body over 64 KiB: a JSON error" application/json "$(echo "$out" | hval content-type)"
# 16 words of 8 letters in a random order: about 16:1, so past 256 KiB
# inflated by size, not by ratio
python3 -c "import gzip, json, random, sys
r = random.Random(7)
w = ['%08x' % r.getrandbits(32) for _ in range(16)]
ev = [{'s': 'bx', 'u': '/' + ''.join(r.choice(w) for _ in range(400))} for _ in range(95)]
sys.stdout.buffer.write(gzip.compress(json.dumps(ev).encode()))" > "$T_DIR/inflated"
check "the inflated body: under 64 KiB sent, over 256 KiB inflated, under 100:1 (control)" 1 \
    "$(python3 -c 'import gzip,sys; d=open(sys.argv[1],"rb").read(); n=len(gzip.decompress(d)); print(int(len(d) < 65536 and n > 262144 and n < 100 * len(d)))' "$T_DIR/inflated")"
err "inflated body over 256 KiB" "$T_DIR/inflated" 413 -H 'Content-Encoding: gzip'
body bomb 'gzip.compress(b"[" + b" " * (60 * 1024 * 1024) + b"]", 9)'
check "the bomb is under 64 KiB (control)" 1 "$(($(wc -c < "$T_DIR/bomb") < 65536))"
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$BEACOND_PID/status"; }
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$BEACOND_PID/status"; }
err "60 MiB gzip bomb (warm-up)" "$T_DIR/bomb" 413 -H 'Content-Encoding: gzip'
err "60 MiB gzip bomb (warm-up 2)" "$T_DIR/bomb" 413 -H 'Content-Encoding: gzip'
before=$(hwm)
for i in 1 2 3 4 5; do
    err "60 MiB gzip bomb $i" "$T_DIR/bomb" 413 -H 'Content-Encoding: gzip'
done
after=$(hwm)
check "bombs: peak memory grew by less than 1 MiB (${before} -> ${after} KiB)" 1 \
    "$(( after - before < 1024 ))"
printf '{"s":"bx","u":"/br"}' > "$T_DIR/plain"
err "Content-Encoding: br" "$T_DIR/plain" 415 -H 'Content-Encoding: br'
err "Content-Encoding: compress" "$T_DIR/plain" 415 -H 'Content-Encoding: compress'
head -c 20 "$T_DIR/gz" > "$T_DIR/trunc"
err "truncated gzip" "$T_DIR/trunc" 400 -H 'Content-Encoding: gzip'
err "plain JSON labelled gzip" "$T_DIR/plain" 400 -H 'Content-Encoding: gzip'
err "gzip labelled deflate" "$T_DIR/gz" 400 -H 'Content-Encoding: deflate'
err "gzip without Content-Encoding" "$T_DIR/gz" 400
body badutf 'b"{\"s\":\"bx\",\"u\":\"/\xff\xfe\"}"'
err "invalid UTF-8" "$T_DIR/badutf" 400
body deep 'b"[" * 5000 + b"]" * 5000'
err "deeply nested JSON" "$T_DIR/deep" 400
CT=' image/png' err "Content-Type: image/png" "$T_DIR/plain" 415
flushed sentinel-1
check "errors counted nothing" 0 "$(rcli EXISTS "bc:{bx}:tot:d:$D")"

# ------------------------------------------------ gate: 204, nothing counted
out=$(post "$T_DIR/arr" -H 'DNT: 1')
check "DNT: 204" "HTTP/1.1 204 No Content" "$(echo "$out" | status)"
check "DNT: accepted 0" 0 "$(echo "$out" | hval x-beacon-accepted)"
check "DNT: dropped 2" 2 "$(echo "$out" | hval x-beacon-dropped)"
check "DNT: Tk: N" N "$(echo "$out" | hval tk)"
body gated 'json.dumps([{"s":"bg","u":"/a"},{"s":"bg","u":"/b"}]).encode()'
check "GPC: dropped 2" 2 "$(post "$T_DIR/gated" -H 'Sec-GPC: 1' | hval x-beacon-dropped)"
check "opt-out cookie: dropped 2" 2 "$(post "$T_DIR/gated" -H 'Cookie: beacon_optout=1' | hval x-beacon-dropped)"
check "bot: dropped 2" 2 "$(post "$T_DIR/gated" -A 'python-requests/2.31' | hval x-beacon-dropped)"
check "metrics: batch dnt" 2 "$(metric 'beacon_hits_total{endpoint="batch",outcome="dnt"}')"
flushed sentinel-2
check "gated: nothing in Redis" 0 "$(rcli EXISTS "bc:{bg}:tot:d:$D")"

# ------------------------------------------------ methods and CORS
out=$(curl -s -D - -o /dev/null -X OPTIONS -H 'Origin: https://site.example' \
    -H 'Access-Control-Request-Method: POST' "$BASE/e" | tr -d '\r')
check "OPTIONS: 204" "HTTP/1.1 204 No Content" "$(echo "$out" | status)"
check "OPTIONS: methods" POST "$(echo "$out" | hval access-control-allow-methods)"
check "OPTIONS: headers" Content-Type "$(echo "$out" | hval access-control-allow-headers)"
check "OPTIONS: origin" '*' "$(echo "$out" | hval access-control-allow-origin)"
out=$(curl -s -D - -o /dev/null "$BASE/e" | tr -d '\r')
check "GET /e: 405" "HTTP/1.1 405 Method Not Allowed" "$(echo "$out" | status)"
check "GET /e: Allow" "POST, OPTIONS" "$(echo "$out" | hval allow)"
check "GET /e: CORS" '*' "$(echo "$out" | hval access-control-allow-origin)"
check "GET /p.gif's 405 has no CORS" "" \
    "$(curl -s -D - -o /dev/null -X POST "$BASE/p.gif" | tr -d '\r' | hval access-control-allow-origin)"

# ------------------------------------------------ backlog full: 503
beacond_stop
redis_stop
# a batch reserves 6 keys an event (COUNTS_MAX_KEYS_PER_HIT): the first
# 30 of 30, of which it uses 12 (device/browser, 5 pages, uv, 5 areas'
# uva); 12 + 30 is then too many
beacond_start "redis.max_keys = 30"
body seven 'json.dumps([{"s":"b5","u":"/p%d" % i} for i in range(5)]).encode()'
check "room for 5 events (30 keys): 204" 5 "$(post "$T_DIR/seven" | hval x-beacon-accepted)"
out=$(post "$T_DIR/seven")
check "no room for 5 more: 503" "HTTP/1.1 503 Service Unavailable" "$(echo "$out" | status)"
check "503: Retry-After" 5 "$(echo "$out" | hval retry-after)"
check "503: CORS" '*' "$(echo "$out" | hval access-control-allow-origin)"
check "metrics: batch shed" 1 "$(metric 'beacon_hits_total{endpoint="batch",outcome="shed"}')"
redis_start
wait_eq_t 15 "after Redis is back: only the accepted 5" 5 pv b5
finish
