# SPEC 2.8: no complete header within header_timeout (empty lines before
# a request line included), or idle keep-alive over idle_timeout: the
# connection is closed; a body not complete within body_timeout: 408 and
# close.
. "$(dirname "$0")/lib.sh"
redis_start
beacond_start "server.header_timeout = 1s" "server.idle_timeout = 2s" \
    "limits.body_timeout = 1s"

# field NAME < rawhttp output: the value of NAME=... on the elapsed line
field() { grep -o "$1=[0-9.]*" | head -1 | cut -d= -f2; }

# within X LO HI: "yes" if LO <= X <= HI, else "no (X)"
within() {
    awk -v x="$1" -v lo="$2" -v hi="$3" \
        'BEGIN { if (x != "" && x + 0 >= lo && x + 0 <= hi) print "yes"; else printf "no (%s)\n", x }'
}

timed_out_before=$(metric beacon_connections_timed_out_total)

# 1. Slowloris: half a header block, then one byte every 300 ms (for at
# most 6 s).  The header timeout counts from the start, not from the last
# byte: closed after about 1 s.
head_part=$(printf 'GET /p.gif?s=slow&u=/x HTTP/1.1\r\nHost: t\r\nX-Slow: ')
out=$({ printf '%s' "$head_part"; printf 'aaaaaaaaaaaaaaaaaaaa'; } |
      raw --bytewise-from ${#head_part} --delay 0.3 --wait-close 1 --timeout 1 --time)
check "trickled header: closed" closed "$(echo "$out" | tail -1)"
check "trickled header: closed 0.8-3 s after connect" yes \
    "$(within "$(echo "$out" | field elapsed)" 0.8 3.0)"
check "trickled header: not answered 200" 0 "$(echo "$out" | grep -c '^HTTP/1.1 200')"

# 2. A connection that sends nothing: header timeout, about 1 s.
out=$(raw --responses 0 --wait-close 4 --time < /dev/null)
check "silent connection: closed" closed "$(echo "$out" | tail -1)"
check "silent connection: closed 0.8-1.8 s after connect" yes \
    "$(within "$(echo "$out" | field elapsed)" 0.8 1.8)"
check "silent connection: no response" 0 "$(echo "$out" | grep -c '^HTTP/')"

# 3. Idle keep-alive after a complete request: idle timeout, about 2 s,
# and not before 1.5 s.
out=$(req "GET /p.gif?s=idle&u=/x HTTP/1.1" "Host: t" | raw --wait-close 4 --time)
check "idle keep-alive: answered 200" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"
check "idle keep-alive: closed" closed "$(echo "$out" | tail -1)"
check "idle keep-alive: closed 1.5-3 s after the response" yes \
    "$(within "$(echo "$out" | field idle)" 1.5 3.0)"

# 4. A second request on the kept-alive connection restarts the header
# timeout: half of it sent 1.2 s after the first response (inside the idle
# time), then nothing: closed about 1 s after that, without an answer.
first=$(printf 'GET /p.gif?s=idle&u=/y HTTP/1.1\r\nHost: t\r\n\r\n.')
first=${first%.}
out=$({ printf '%s' "$first"; printf 'GET /p.gif?s=idle&u=/z HTTP/1.1\r\nHo'; } |
      raw --split ${#first} --delay 1.2 --responses 2 --wait-close 4 --timeout 4 --time)
check "second request cut short: one 200 only" 1 "$(echo "$out" | grep -c '^HTTP/1.1 200')"
check "second request cut short: closed" closed "$(echo "$out" | tail -1)"
check "second request cut short: closed 0.8-2 s after its first bytes" yes \
    "$(within "$(echo "$out" | field idle)" 0.8 2.0)"

# 5. An empty line, then silence: the header timeout runs from that first
# byte (not the idle timeout): closed after about 1 s.
out=$(printf '\r\n' | raw --responses 0 --wait-close 4 --time)
check "empty line then silence: closed" closed "$(echo "$out" | tail -1)"
check "empty line then silence: closed 0.8-1.8 s after connect" yes \
    "$(within "$(echo "$out" | field elapsed)" 0.8 1.8)"

# 6. An empty line every 0.6 s does not restart it: closed about 1 s after
# the first, without an answer.
out=$(printf '\r\n\r\n\r\n\r\n' |
      raw --split 2,4,6 --delay 0.6 --responses 0 --wait-close 4 --time)
check "empty lines every 0.6 s: closed" closed "$(echo "$out" | tail -1)"
check "empty lines every 0.6 s: closed 0.8-1.5 s after connect" yes \
    "$(within "$(echo "$out" | field elapsed)" 0.8 1.5)"
check "empty lines every 0.6 s: no response" 0 "$(echo "$out" | grep -c '^HTTP/')"

# 7. A body trickled one byte every 0.3 s: 408 about 1 s after the end of
# the header block, and closed.
post=$(req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" \
           "User-Agent: $BROWSER_UA" "Content-Length: 30"; echo .)
post=${post%.}
out=$({ printf '%s' "$post"; printf '{"s":"slow","u":"/x"}         '; } |
      raw --bytewise-from ${#post} --delay 0.3 --wait-close 3 --timeout 4 --time)
check "trickled body: 408" "HTTP/1.1 408 Request Timeout" "$(echo "$out" | head -1)"
check "trickled body: closed" closed "$(echo "$out" | tail -1)"
check "trickled body: closed 0.8-2 s after connect" yes \
    "$(within "$(echo "$out" | field elapsed)" 0.8 2.0)"

# 8. The same with chunks: each chunk in time, the body never ends.
cpost=$(req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" \
            "User-Agent: $BROWSER_UA" "Transfer-Encoding: chunked"; echo .)
cpost=${cpost%.}
out=$({ printf '%s' "$cpost"; for i in 1 2 3 4 5 6; do printf '1\r\nx\r\n'; done; } |
      raw --split $((${#cpost} + 6)),$((${#cpost} + 12)),$((${#cpost} + 18)),$((${#cpost} + 24)),$((${#cpost} + 30)) \
          --delay 0.3 --wait-close 3 --timeout 4 --time)
check "trickled chunks: 408" "HTTP/1.1 408 Request Timeout" "$(echo "$out" | head -1)"
check "trickled chunks: closed" closed "$(echo "$out" | tail -1)"
check "trickled chunks: closed 0.8-2 s after connect" yes \
    "$(within "$(echo "$out" | field elapsed)" 0.8 2.0)"
check "metrics: 408 answers" 2 "$(metric 'beacon_http_responses_total{code="408"}')"

timed_out_after=$(metric beacon_connections_timed_out_total)
check "beacon_connections_timed_out_total moved by 8" 8 \
    "$(( ${timed_out_after:-0} - ${timed_out_before:-0} ))"
pixel 's=slow&u=/sentinel' >/dev/null
wait_eq "sentinel counted" 1 rcli HGET "bc:{slow}:tot:d:$(today)" pageviews
finish
