# SPEC 2.8: errors at the HTTP level, each row on its own connection, with
# the exact status and, where SPEC says so, the connection closed.
. "$(dirname "$0")/lib.sh"
redis_start

P='/p.gif?s=errs&u=/x'

# rep CHAR N: CHAR repeated N times
rep() { head -c "$2" /dev/zero | tr '\0' "$1"; }

# headers N SIZE: N header lines "X-Hnnnn: vvv..." each SIZE bytes long
# (without the CRLF)
headers() {
    local i
    for i in $(seq 1 "$1"); do
        printf 'X-H%04d: %s\r\n' "$i" "$(rep v $(($2 - 9)))"
    done
}

# status: the status code of the first response line of rawhttp output
status() { head -1 | cut -d' ' -f2; }

# ---------------------------------------------------------------- defaults
beacond_start

# Request line: "GET " + target + " HTTP/1.1" (13 bytes around the target).
# 8 KiB = 8192 bytes; stay clearly under and go clearly over.
t=$(rep a $((8000 - 13 - ${#P} - 3)))
out=$(printf 'GET %s&z=%s HTTP/1.1\r\nHost: t\r\n\r\n' "$P" "$t" | raw)
check "default: request line of 8000 bytes -> 200" 200 "$(echo "$out" | status)"
t=$(rep a 8300)
out=$(printf 'GET %s&z=%s HTTP/1.1\r\nHost: t\r\n\r\n' "$P" "$t" | raw)
check "default: request line of 8.3 KB -> 414" 414 "$(echo "$out" | status)"

# Header block: 16 KiB = 16384 bytes.  10 lines of 1500 bytes (15 KB) are
# fine, 12 lines of 1500 bytes (18 KB) are not.
out=$({ printf 'GET %s HTTP/1.1\r\nHost: t\r\n' "$P"; headers 10 1500; printf '\r\n'; } | raw)
check "default: header block of 15 KB -> 200" 200 "$(echo "$out" | status)"
out=$({ printf 'GET %s HTTP/1.1\r\nHost: t\r\n' "$P"; headers 12 1500; printf '\r\n'; } | raw)
check "default: header block of 18 KB -> 431" 431 "$(echo "$out" | status)"

# Header lines: 64 in all (Host + 63) are fine, 65 are not.
out=$({ printf 'GET %s HTTP/1.1\r\nHost: t\r\n' "$P"; headers 63 20; printf '\r\n'; } | raw)
check "default: 64 header lines -> 200" 200 "$(echo "$out" | status)"
out=$({ printf 'GET %s HTTP/1.1\r\nHost: t\r\n' "$P"; headers 64 20; printf '\r\n'; } | raw)
check "default: 65 header lines -> 431" 431 "$(echo "$out" | status)"

# Unknown method on a known path: 405 with Allow; elsewhere 404.
out=$(req "DELETE $P HTTP/1.1" "Host: t" | raw -H allow)
check "DELETE /p.gif -> 405" 405 "$(echo "$out" | status)"
check "DELETE /p.gif: Allow header" 1 "$(echo "$out" | grep -ci '^allow: .*GET')"
out=$(req "POST $P HTTP/1.1" "Host: t" "Content-Length: 0" | raw -H allow)
check "POST /p.gif -> 405" 405 "$(echo "$out" | status)"
check "POST /p.gif: Allow header" 1 "$(echo "$out" | grep -ci '^allow: .*GET')"
out=$(req "FOO $P HTTP/1.1" "Host: t" | raw -H allow)
check "FOO /p.gif -> 405" 405 "$(echo "$out" | status)"
check "FOO /p.gif: Allow header" 1 "$(echo "$out" | grep -ci '^allow: .*GET')"
out=$(req "DELETE /nope HTTP/1.1" "Host: t" | raw)
check "DELETE /nope -> 404" 404 "$(echo "$out" | status)"
out=$(req "FOO /nope HTTP/1.1" "Host: t" | raw)
check "FOO /nope -> 404" 404 "$(echo "$out" | status)"

# Unknown path.
out=$(req "GET /nope HTTP/1.1" "Host: t" | raw)
check "GET /nope -> 404" 404 "$(echo "$out" | status)"
out=$(req "GET /p.gifx?s=a&u=/ HTTP/1.1" "Host: t" | raw)
check "GET /p.gifx -> 404" 404 "$(echo "$out" | status)"

# Framing errors: 400 and the connection closed (wait up to 2 s for it).
framing() {
    local name=$1
    local out
    out=$(raw --wait-close 2)
    check "$name -> 400" 400 "$(echo "$out" | status)"
    check "$name: closed" closed "$(echo "$out" | tail -1)"
}
req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" "Content-Length: 5" \
    "Transfer-Encoding: chunked" | { cat; printf '0\r\n\r\n'; } |
    framing "POST /e with Content-Length and Transfer-Encoding"
req "GET $P HTTP/1.1" "Host: t" "Transfer-Encoding: chunked" "Content-Length: 5" |
    { cat; printf '0\r\n\r\n'; } |
    framing "GET /p.gif with Transfer-Encoding and Content-Length"
req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" "Content-Length: 2" \
    "Content-Length: 2" | { cat; printf '{}'; } |
    framing "duplicate Content-Length (same value)"
req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" "Content-Length: 2" \
    "Content-Length: 3" | { cat; printf '{} '; } |
    framing "duplicate Content-Length (different values)"
req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" "Transfer-Encoding: gzip" |
    { cat; printf '{}'; } |
    framing "Transfer-Encoding: gzip"
req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" "Transfer-Encoding: chunked" |
    { cat; printf 'zz\r\n{}\r\n0\r\n\r\n'; } |
    framing "bad chunk size"
req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" "Transfer-Encoding: chunked" |
    { cat; printf '2\r\n{}XX0\r\n\r\n'; } |
    framing "chunk data not followed by CRLF"
req "GET $P HTTP/1.1" "Host: t" "X-Folded: first" "  second" |
    framing "obsolete line folding (space)"
req "GET $P HTTP/1.1" "Host: t" "X-Folded: first" "	second" |
    framing "obsolete line folding (tab)"

beacond_stop

# ------------------------------------------------------------ small limits
beacond_start "limits.max_request_line = 1KiB" "limits.max_header_bytes = 2KiB" \
    "limits.max_headers = 8"

t=$(rep a $((900 - 13 - ${#P} - 3)))
out=$(printf 'GET %s&z=%s HTTP/1.1\r\nHost: t\r\n\r\n' "$P" "$t" | raw)
check "1KiB: request line of 900 bytes -> 200" 200 "$(echo "$out" | status)"
t=$(rep a 1100)
out=$(printf 'GET %s&z=%s HTTP/1.1\r\nHost: t\r\n\r\n' "$P" "$t" | raw)
check "1KiB: request line of 1.1 KB -> 414" 414 "$(echo "$out" | status)"

out=$({ printf 'GET %s HTTP/1.1\r\nHost: t\r\n' "$P"; headers 3 500; printf '\r\n'; } | raw)
check "2KiB: header block of 1.5 KB -> 200" 200 "$(echo "$out" | status)"
out=$({ printf 'GET %s HTTP/1.1\r\nHost: t\r\n' "$P"; headers 5 500; printf '\r\n'; } | raw)
check "2KiB: header block of 2.5 KB -> 431" 431 "$(echo "$out" | status)"

out=$({ printf 'GET %s HTTP/1.1\r\nHost: t\r\n' "$P"; headers 7 20; printf '\r\n'; } | raw)
check "max_headers 8: 8 header lines -> 200" 200 "$(echo "$out" | status)"
out=$({ printf 'GET %s HTTP/1.1\r\nHost: t\r\n' "$P"; headers 8 20; printf '\r\n'; } | raw)
check "max_headers 8: 9 header lines -> 431" 431 "$(echo "$out" | status)"

# The limits hold when the bytes come in small pieces too.
t=$(rep a 1100)
out=$(printf 'GET %s&z=%s HTTP/1.1\r\nHost: t\r\n\r\n' "$P" "$t" |
      raw --split 100,200,300,400,500,600,700,800,900,1000,1100 --delay 0.01)
check "1KiB: request line of 1.1 KB in 12 pieces -> 414" 414 "$(echo "$out" | status)"
out=$({ printf 'GET %s HTTP/1.1\r\nHost: t\r\n' "$P"; headers 8 20; printf '\r\n'; } |
      raw --split 50,100,150,200,250 --delay 0.01)
check "max_headers 8: 9 header lines in pieces -> 431" 431 "$(echo "$out" | status)"

# Counters: one 414, 431s as sent.
check "metrics: 414 counted" 2 "$(metric 'beacon_http_responses_total{code="414"}')"
check "metrics: 431 counted" 3 "$(metric 'beacon_http_responses_total{code="431"}')"
finish
