# Request smuggling cases found against the running daemon (issue 9), by
# name: a bare CR that llhttp 8.1 takes as the end of a header block (or
# of a trailer section) must not let the bytes after it run as a second
# request, and a field name with a space is not a field. Each is refused
# with one 400 and a close, and nothing hidden behind it is counted.
. "$(dirname "$0")/lib.sh"
redis_start
beacond_start

d=$(today)
UA="User-Agent: $BROWSER_UA"
SMUG="GET /p.gif?s=smug&u=/smuggled HTTP/1.1"$'\r\n'"Host: x"$'\r\n'"$UA"$'\r\n\r\n'

# refused NAME [rawhttp options] < BYTES: one answer, 400, then closed.
refused() {
    local name=$1 out
    shift
    out=$(raw --responses 2 --codes --wait-close 1 "$@")
    check "$name: one 400" 400 "$(echo "$out" | head -1)"
    check "$name: closed" closed "$(echo "$out" | tail -1)"
}

# Each case also sent in pieces: split right after the bare CR.
both() {
    local name=$1 bytes at
    bytes=$(cat; echo .)
    bytes=${bytes%.}
    at=$2
    refused "$name" < <(printf '%s' "$bytes")
    refused "$name (split)" --split "$at" --delay 0.05 < <(printf '%s' "$bytes")
}

carrier="GET /p.gif?s=carrier&u=/c HTTP/1.1"$'\r\n'"Host: x"$'\r\n'"$UA"$'\r\n'

# 1. The reported payload: CR X after the last field line.
p="${carrier}"$'\r'"X${SMUG}"
both "bare CR + X ends the head" $((${#carrier} + 1)) < <(printf '%s' "$p")
# \r\r and \r\t instead of the final CRLF
p="${carrier}"$'\r\r'"${SMUG}"
both "CR CR ends the head" $((${#carrier} + 1)) < <(printf '%s' "$p")
p="${carrier}"$'\r\t'"${SMUG}"
both "CR HT ends the head" $((${#carrier} + 1)) < <(printf '%s' "$p")
# a bare CR right after the request line (no fields at all)
line="GET /p.gif?s=carrier&u=/c HTTP/1.1"$'\r\n'
p="${line}"$'\r'"X${SMUG}"
both "bare CR after the request line" $((${#line} + 1)) < <(printf '%s' "$p")
# the same on POST /e
post="POST /e HTTP/1.1"$'\r\n'"Host: x"$'\r\n'"Content-Type: text/plain"$'\r\n'"$UA"$'\r\n'
p="${post}"$'\r'"X${SMUG}"
both "bare CR ends the head of POST /e" $((${#post} + 1)) < <(printf '%s' "$p")
# after the last chunk, with and without a trailer field
chunked="${post}Transfer-Encoding: chunked"$'\r\n\r\n''18'$'\r\n''{"s":"carrier","u":"/c"}'$'\r\n''0'$'\r\n'
p="${chunked}"$'\r'"X${SMUG}"
both "bare CR after the last chunk" $((${#chunked} + 1)) < <(printf '%s' "$p")
trailer="${chunked}X-T: a"$'\r\n'
p="${trailer}"$'\r'"X${SMUG}"
both "bare CR after a trailer field" $((${#trailer} + 1)) < <(printf '%s' "$p")

# On the second of two pipelined requests: the first is answered and
# counted, the second refused.
first="GET /p.gif?s=first&u=/f HTTP/1.1"$'\r\n'"Host: x"$'\r\n'"$UA"$'\r\n\r\n'
out=$(printf '%s%s\rX%s' "$first" "$carrier" "$SMUG" |
      raw --responses 3 --codes --wait-close 1)
check "second of two pipelined: 200 then 400" "200 400" "$(echo "$out" | head -1)"
check "second of two pipelined: closed" closed "$(echo "$out" | tail -1)"

# 4. A field name with a space is not a token: 400, not an unknown field.
refused "Transfer Encoding: chunked" < <(
    req "POST /e HTTP/1.1" "Host: x" "Content-Type: text/plain" "$UA" \
        "Transfer Encoding: chunked"
    printf '18\r\n{"s":"carrier","u":"/c"}\r\n0\r\n\r\n%s' "$SMUG")
refused "Content Length: 24" < <(
    req "POST /e HTTP/1.1" "Host: x" "Content-Type: text/plain" "$UA" \
        "Content Length: 24"
    printf '{"s":"carrier","u":"/c"}%s' "$SMUG")

# Nothing of any of these reached Redis but the one well-formed first
# request (a sentinel pixel, sent last, shows the flushes are through).
pixel 's=sentinel&u=/s' >/dev/null
wait_eq "sentinel counted" 1 rcli HGET "bc:{sentinel}:tot:d:$d" pageviews
check "first pipelined request counted" 1 "$(rcli HGET "bc:{first}:tot:d:$d" pageviews)"
check "no smuggled request counted" "" "$(rcli HGET "bc:{smug}:tot:d:$d" pageviews)"
check "no carrier counted" "" "$(rcli HGET "bc:{carrier}:tot:d:$d" pageviews)"
check "metrics: 400 answers" 17 "$(metric 'beacon_http_responses_total{code="400"}')"
finish
