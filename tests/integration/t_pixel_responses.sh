# SPEC 2 and 2.1: the exact response of the page pixel, counted or not, and
# of the 404.
. "$(dirname "$0")/lib.sh"
redis_start
beacond_start

d=$(today)
CC='no-store, no-cache, must-revalidate, max-age=0'

# fetch PATH_AND_QUERY: headers (CR removed) to $T_DIR/h, body to $T_DIR/b
fetch() {
    curl -s -A "$BROWSER_UA" -D - -o "$T_DIR/b" "$BASE$1" | tr -d '\r' > "$T_DIR/h"
}
hdr() { grep -i "^$1:" "$T_DIR/h" | sed 's/^[^:]*: *//'; }

# the full pixel contract, for a counted hit on each alias
for path in /p.gif /p; do
    fetch "$path?s=resp&u=/page$path"
    check "$path: status" "HTTP/1.1 200 OK" "$(head -1 "$T_DIR/h")"
    check "$path: Content-Type" "image/gif" "$(hdr content-type)"
    check "$path: Content-Length" 43 "$(hdr content-length)"
    check "$path: Cache-Control" "$CC" "$(hdr cache-control)"
    check "$path: one Cache-Control" 1 "$(grep -ci '^cache-control:' "$T_DIR/h")"
    check "$path: no Set-Cookie" 0 "$(grep -ci '^set-cookie:' "$T_DIR/h")"
    check "$path: X-Beacon" counted "$(hdr x-beacon)"
    check "$path: no Tk" 0 "$(grep -ci '^tk:' "$T_DIR/h")"
    check "$path: body 43 bytes" 43 "$(wc -c < "$T_DIR/b")"
    check "$path: body starts GIF89a" GIF89a "$(head -c 6 "$T_DIR/b")"
    # logical screen 1x1 (little-endian), trailer 0x3B
    check "$path: GIF is 1x1" "01000100" "$(od -An -tx1 -j6 -N4 "$T_DIR/b" | tr -d ' \n')"
    check "$path: GIF trailer" "3b" "$(tail -c 1 "$T_DIR/b" | od -An -tx1 | tr -d ' \n')"
done
wait_eq "both aliases counted" 2 rcli HGET "bc:{resp}:tot:d:$d" pageviews
check "/p.gif page" 1 "$(rcli ZSCORE "bc:{resp}:pages:d:$d" /page/p.gif)"
check "/p page" 1 "$(rcli ZSCORE "bc:{resp}:pages:d:$d" /page/p)"

# invalid hits: still the pixel, X-Beacon: dropped=invalid, nothing stored
site65=$(head -c 65 /dev/zero | tr '\0' s)
site64=$(head -c 64 /dev/zero | tr '\0' k)
invalid=(
    "u=/missing-s"                    # missing s
    "s=&u=/empty-s"                   # empty s
    "s=inv"                           # missing u
    "s=inv&u="                        # empty u
    "s=bad!site&u=/x"                 # bad site characters
    "s=bad%20site&u=/x"               # a space in the site
    "s=bad/site&u=/x"                 # a slash in the site
    "s=$site65&u=/x"                  # 65 characters
    "s=inv&u=x/y"                     # neither / nor http(s)
    "s=inv&u=ftp://example.com/x"     # another scheme
    "s=inv&u=javascript:alert(1)"     # another scheme
    "s=inv&u=/a%zzb"                  # bad percent escape
    "s=inv&u=/a%2"                    # truncated percent escape
    "s=in%G0v&u=/x"                   # bad percent escape in s
)
for q in "${invalid[@]}"; do
    fetch "/p.gif?$q"
    check "invalid [$q]: status" "HTTP/1.1 200 OK" "$(head -1 "$T_DIR/h")"
    check "invalid [$q]: X-Beacon" "dropped=invalid" "$(hdr x-beacon)"
    check "invalid [$q]: Content-Type" "image/gif" "$(hdr content-type)"
    check "invalid [$q]: Cache-Control" "$CC" "$(hdr cache-control)"
    check "invalid [$q]: body 43 bytes" 43 "$(wc -c < "$T_DIR/b")"
done
check "invalid hits counted in metrics" "${#invalid[@]}" \
    "$(metric 'beacon_hits_total{endpoint="pixel",outcome="invalid"}')"

# a valid 64-character site as the control: once it is in Redis, nothing
# else but the two valid sites is
h=$(pixel "s=$site64&u=/ok")
check "64-character site counted" "X-Beacon: counted" "$(echo "$h" | grep -i '^x-beacon')"
wait_eq "64-character site flushed" 1 rcli HGET "bc:{$site64}:tot:d:$d" pageviews
sleep 0.5
check "invalid hits: no other site keys" "" \
    "$(rcli --scan --pattern 'bc:{*' | grep -v -e '^bc:{resp}:' -e "^bc:{$site64}:")"
check "invalid hits: sites set" "$(printf '%s\n' "$site64" resp | sort)" \
    "$(rcli SMEMBERS bc:sites | sort)"

# the 404: plain text, not cacheable, no cookie
fetch "/nope"
check "404: status" "HTTP/1.1 404 Not Found" "$(head -1 "$T_DIR/h")"
check "404: Content-Type text/plain" 1 "$(hdr content-type | grep -c '^text/plain')"
check "404: Cache-Control" "$CC" "$(hdr cache-control)"
check "404: no Set-Cookie" 0 "$(grep -ci '^set-cookie:' "$T_DIR/h")"
text=0
[ -s "$T_DIR/b" ] && ! LC_ALL=C grep -q '[^[:print:][:space:]]' "$T_DIR/b" && text=1
check "404: body is non-empty printable text" 1 "$text"
check "404: Content-Length matches body" "$(wc -c < "$T_DIR/b")" "$(hdr content-length)"

# the 405 too
curl -s -A "$BROWSER_UA" -X DELETE -D - -o "$T_DIR/b" "$BASE/p.gif?s=resp&u=/x" | tr -d '\r' > "$T_DIR/h"
check "405: status" "HTTP/1.1 405 Method Not Allowed" "$(head -1 "$T_DIR/h")"
check "405: Cache-Control" "$CC" "$(hdr cache-control)"
check "405: Allow" 1 "$(hdr allow | grep -c GET)"
finish
