# SPEC 2.5 and 2: the opt-out endpoints. /optout and /optin with their
# exact cookies (cookie_secure no and yes), no Set-Cookie anywhere else,
# /.well-known/gpc.json, and POST /optout/recipient: the registry in Redis
# holds keyed hashes only, once per recipient, shared by every instance;
# 400, 415, 503 and 405 where SPEC 2.5, 8 and 2.8 say so.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
redis_start
beacond_start
avoid_hour_edge 10   # one UTC day for the whole file

CC='no-store, no-cache, must-revalidate, max-age=0'
KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')   # 64 hex chars
COOKIE_LAX='beacon_optout=1; Max-Age=157680000; Path=/; HttpOnly; SameSite=Lax'
COOKIE_SECURE='beacon_optout=1; Max-Age=157680000; Path=/; HttpOnly; SameSite=None; Secure'
CLEAR_LAX='beacon_optout=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax'
CLEAR_SECURE='beacon_optout=; Max-Age=0; Path=/; HttpOnly; SameSite=None; Secure'

# fetch PATH [curl args...]: headers (CR removed) to $T_DIR/h, body to $T_DIR/b
fetch() {
    local path=$1
    shift
    curl -s -A "$BROWSER_UA" -D - -o "$T_DIR/b" "$@" "$BASE$path" | tr -d '\r' > "$T_DIR/h"
}
h() { hval "$1" < "$T_DIR/h"; }
status() { head -1 "$T_DIR/h"; }
# post_form BODY [CONTENT_TYPE]: POST /optout/recipient (by default as
# application/x-www-form-urlencoded), prints the status code
post_form() {
    : > "$T_DIR/b"
    curl -s -A "$BROWSER_UA" -o "$T_DIR/b" -w '%{http_code}' \
        -H "Content-Type: ${2:-application/x-www-form-urlencoded}" \
        --data-binary "$1" "$BASE/optout/recipient"
}

# html_page NAME: the response in $T_DIR is a 200 HTML page
html_page() {
    check "$1: status" "HTTP/1.1 200 OK" "$(status)"
    check "$1: Content-Type text/html" text/html "$(h content-type | cut -d';' -f1)"
    check "$1: Cache-Control" "$CC" "$(h cache-control)"
    check "$1: an HTML body" 1 "$(grep -ci '<html' "$T_DIR/b" | awk '{ print ($1 > 0) }')"
    check "$1: Content-Length matches the body" "$(wc -c < "$T_DIR/b")" "$(h content-length)"
}

# ------------------------------------------------ /optout, /optin (Lax)
fetch /optout
html_page "/optout"
check "/optout: the cookie" "$COOKIE_LAX" "$(h set-cookie)"
fetch /optin
html_page "/optin"
check "/optin: clears the cookie" "$CLEAR_LAX" "$(h set-cookie)"

# a browser's round trip: the cookie /optout sets makes the pixel drop,
# the one /optin sets makes it count again
jar=$T_DIR/jar
fetch /optout -c "$jar"
check "jar holds beacon_optout=1" 1 "$(grep -c $'\tbeacon_optout\t1$' "$jar")"
fetch "/p.gif?s=ojar&u=/while-out" -b "$jar"
check "pixel with the jar: dropped=optout" dropped=optout "$(h x-beacon)"
fetch /optin -b "$jar" -c "$jar"
check "jar: cookie gone after /optin" 0 "$(grep -c $'\tbeacon_optout\t' "$jar")"
fetch "/p.gif?s=ojar&u=/back-in" -b "$jar"
check "pixel after /optin: counted" counted "$(h x-beacon)"
wait_eq "only the hit after /optin is in Redis" "/back-in 1" \
    bash -c "redis-cli -p $REDIS_PORT ZRANGE 'bc:{ojar}:pages:d:$(today)' 0 -1 WITHSCORES | paste -sd' '"

# ------------------------------------------------ gpc.json
fetch /.well-known/gpc.json
check "gpc.json: status" "HTTP/1.1 200 OK" "$(status)"
check "gpc.json: Content-Type" application/json "$(h content-type | cut -d';' -f1)"
check "gpc.json: Cache-Control" "$CC" "$(h cache-control)"
# the exact document; one trailing newline is allowed
body=$(cat "$T_DIR/b")
re='^\{"gpc": true, "lastUpdate": "([0-9]{4}-[0-9]{2}-[0-9]{2})"\}$'
if [[ $body =~ $re ]]; then
    date=${BASH_REMATCH[1]}
    check "gpc.json: exact form" ok ok
    check "gpc.json: lastUpdate is a real date" "$date" "$(date -u -d "$date" +%F 2>&1)"
    check "gpc.json: lastUpdate not in the future" yes \
        "$( [ "$(date -u -d "$date" +%s)" -le "$(date -u +%s)" ] && echo yes || echo "no ($date)")"
else
    check "gpc.json: exact form" '{"gpc": true, "lastUpdate": "YYYY-MM-DD"}' "$body"
fi
check "gpc.json: JSON with gpc true" True \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["gpc"] is True)' "$T_DIR/b" 2>&1)"
check "gpc.json: body is the document" "$(printf '%s' "$body" | wc -c)" \
    "$(tr -d '\n' < "$T_DIR/b" | wc -c)"

# ------------------------------------------------ no Set-Cookie elsewhere
nocookie() {
    check "$1: no Set-Cookie" "" "$(h set-cookie)"
}
fetch "/p.gif?s=oc&u=/x"; nocookie "counted pixel"
fetch "/p?s=oc&u=/x"; nocookie "pixel alias"
fetch "/p.gif?s=oc&u=/x" -H 'DNT: 1'; nocookie "DNT pixel"
fetch "/p.gif?s=oc&u=/x" -H 'Cookie: beacon_optout=1'; nocookie "opted-out pixel"
fetch "/p.gif?s=oc"; nocookie "invalid pixel"
fetch /.well-known/gpc.json; nocookie "gpc.json"
fetch /nope; nocookie "404"
check "404 is a 404" "HTTP/1.1 404 Not Found" "$(status)"
fetch /optout/recipient; nocookie "GET /optout/recipient"
fetch /optout/recipient -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary 's=shop&r=Token-0123456789'
nocookie "POST /optout/recipient"

# ------------------------------------------------ without recipient_key
check "no recipient_key: POST /optout/recipient -> 503" 503 \
    "$(post_form 's=shop&r=Token-0123456789')"
check "no recipient_key: nothing stored" 0 "$(rcli EXISTS 'bc:{shop}:optout')"

# ------------------------------------------------ cookie_secure, recipient_key
beacond_stop
beacond_start "server.cookie_secure = yes" "mail.recipient_key = $KEY"
fetch /optout
html_page "secure /optout"
check "secure /optout: the cookie" "$COOKIE_SECURE" "$(h set-cookie)"
fetch /optin
html_page "secure /optin"
check "secure /optin: clears the cookie" "$CLEAR_SECURE" "$(h set-cookie)"

# GET on the POST-only path: 405 with Allow: POST
fetch /optout/recipient
check "GET /optout/recipient -> 405" "HTTP/1.1 405 Method Not Allowed" "$(status)"
check "GET /optout/recipient: Allow" POST "$(h allow)"

TOK1='Rcpt_0001-abcdefXYZ'
TOK2='rcpt-0002_ZYXfedcba'
TOK3='third-recipient-0003'
members() { rcli SMEMBERS 'bc:{shop}:optout' | sort | paste -sd' '; }

check "POST s=shop&r=TOK1 -> 204" 204 "$(post_form "s=shop&r=$TOK1")"
check "204 has no body" 0 "$(wc -c < "$T_DIR/b")"
wait_eq "one member" 1 rcli SCARD 'bc:{shop}:optout'
m1=$(members)
check "the member is 32 lower-case hex chars" 1 "$(echo "$m1" | grep -cE '^[0-9a-f]{32}$')"
check "the member is not the token" yes "$( [ "$m1" != "$TOK1" ] && echo yes || echo no)"
check "the member does not contain the token" 0 "$(echo "$m1" | grep -ci -- "$TOK1")"
check "the set is a set" set "$(rcli TYPE 'bc:{shop}:optout')"

check "same token again -> 204" 204 "$(post_form "s=shop&r=$TOK1")"
sleep 0.5
check "same token twice: still one member" "$m1" "$(members)"

check "another token -> 204" 204 "$(post_form "s=shop&r=$TOK2")"
wait_eq "two members" 2 rcli SCARD 'bc:{shop}:optout'
check "both members 32 hex chars" 2 "$(rcli SMEMBERS 'bc:{shop}:optout' | grep -cE '^[0-9a-f]{32}$')"
check "the first member kept" 1 "$(rcli SISMEMBER 'bc:{shop}:optout' "$m1")"

# a media-type parameter is still a form
check "form with charset parameter -> 204" 204 \
    "$(post_form "s=shop&r=$TOK1" 'application/x-www-form-urlencoded; charset=UTF-8')"

# a second instance on the same Redis, with the same key, agrees: TOK1 is
# already there, TOK3 is added to the same set, and the first instance
# sending TOK3 adds nothing new
instance_start second "mail.recipient_key = $KEY"
check "second instance: TOK1 -> 204" 204 "$(post_form "s=shop&r=$TOK1")"
check "second instance: TOK3 -> 204" 204 "$(post_form "s=shop&r=$TOK3")"
wait_eq "second instance: three members" 3 rcli SCARD 'bc:{shop}:optout'
check "second instance: TOK1's member is the first one's" 1 \
    "$(rcli SISMEMBER 'bc:{shop}:optout' "$m1")"
three=$(members)
instance_use main
check "first instance: TOK3 -> 204" 204 "$(post_form "s=shop&r=$TOK3")"
sleep 0.5
check "first instance: TOK3 was already there" "$three" "$(members)"

# bad requests: 400, nothing stored
s65=$(head -c 65 /dev/zero | tr '\0' s)
r129=$(head -c 129 /dev/zero | tr '\0' r)
r128=$(head -c 128 /dev/zero | tr '\0' q)
bad=(
    ""                                  # empty body
    "s=shop"                            # no r
    "r=$TOK2"                           # no s
    "s=&r=$TOK2"                        # empty s
    "s=shop&r="                         # empty r
    "s=bad!site&r=$TOK2"                # bad site characters
    "s=bad%20site&r=$TOK2"              # a space in the site
    "s=$s65&r=$TOK2"                    # site of 65 characters
    "s=shop&r=short77"                  # 7 characters
    "s=shop&r=$r129"                    # 129 characters
    "s=shop&r=someone%40example.com"    # an e-mail address
    "s=shop&r=has.dot.token"            # a dot
    "s=shop&r=has%20space%20token"      # spaces
    "s=shop&r=bad%zztoken"              # bad percent escape
)
for b in "${bad[@]}"; do
    check "bad form [$b] -> 400" 400 "$(post_form "$b")"
done
check "bad form [s=bad&r=x] (r of one character) -> 400" 400 "$(post_form "s=bad&r=x")"
check "wrong Content-Type (application/json) -> 415" 415 \
    "$(post_form "{\"s\":\"shop\",\"r\":\"$TOK2\"}" application/json)"
check "wrong Content-Type (a valid form body) -> 415" 415 \
    "$(post_form "s=other&r=$TOK2" text/plain)"
# the limits themselves are fine
check "r of 8 characters -> 204" 204 "$(post_form "s=limits&r=abcdEF-_")"
check "r of 128 characters -> 204" 204 "$(post_form "s=limits&r=$r128")"
wait_eq "limits: two members" 2 rcli SCARD 'bc:{limits}:optout'
sleep 0.3
check "bad requests: the shop set unchanged" "$three" "$(members)"
check "bad requests: no other opt-out set" \
    "$(printf '%s\n' 'bc:{limits}:optout' 'bc:{shop}:optout')" \
    "$(rcli --scan --pattern '*optout*' | sort)"
check "no key holds a token" "" \
    "$(rcli --scan | grep -i -e "$TOK1" -e "$TOK2" -e "$TOK3" -e abcdEF)"
for k in 'bc:{shop}:optout' 'bc:{limits}:optout'; do
    check "$k: no token among members" 0 \
        "$(rcli SMEMBERS "$k" | grep -ci -e "$TOK1" -e "$TOK2" -e "$TOK3" -e abcdEF -e qqqqqqqq)"
done
finish
