# SPEC 2.8 and 6 on the admin listener: the same request limits as the
# public edge, no request bodies (refused at the end of the head, without
# reading the body), 413/414/431/505/400 with a close, 404 and 405 as
# answers, a flat RSS however much a client sends, and a cap of 64
# connections (ADMIN_MAX_CONNECTIONS).
. "$(dirname "$0")/lib.sh"
redis_start
beacond_start

HELPER="$(cd "$(dirname "$0")" && pwd)/t_admin_limits.py"

# araw [rawhttp options] < BYTES: one raw exchange with the admin port
araw() { python3 "$RAWHTTP" --port "$ADMIN_PORT" "$@"; }
# flood [t_admin_limits.py flood options] < HEAD
flood() { python3 "$HELPER" flood --port "$ADMIN_PORT" "$@"; }
# kv KEY < key=value lines: the value of KEY
kv() { grep "^$1=" | head -1 | cut -d= -f2-; }
# rep CHAR N: CHAR repeated N times
rep() { head -c "$2" /dev/zero | tr '\0' "$1"; }
# status VAR-of-/proc/PID/status in kB
vm() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$BEACOND_PID/status"; }
# lt X Y: "yes" if X < Y, else "no (X)"
lt() { awk -v x="$1" -v y="$2" 'BEGIN { if (x != "" && x + 0 < y + 0) print "yes"; else printf "no (%s)\n", x }'; }

CODES="400 404 405 413 414 431 505"
declare -A SEEN=() BEFORE=()
for c in $CODES; do
    SEEN[$c]=0
    BEFORE[$c]=$(metric "beacon_admin_http_responses_total{code=\"$c\"}")
done
timed_out0=$(metric beacon_admin_connections_timed_out_total)
seen() { [ -n "${SEEN[$1]+x}" ] && SEEN[$1]=$((SEEN[$1] + 1)); }

# refused NAME CODE [rawhttp options] < BYTES: exactly one answer, CODE,
# and the connection closed
refused() {
    local name=$1 code=$2 out got
    shift 2
    out=$(araw --responses 2 --timeout 2 --wait-close 1 -H allow "$@")
    got=$(echo "$out" | head -1 | cut -d' ' -f2)
    seen "$got"
    check "$name -> $code" "$code" "$got"
    check "$name: one answer" 1 "$(echo "$out" | grep -c '^HTTP/')"
    check "$name: closed" closed "$(echo "$out" | tail -1)"
    LAST_OUT=$out
}

# answered NAME CODE < BYTES: one answer, CODE, and the connection kept:
# 404 and 405 answer a well-framed request (SPEC 2.8 closes on framing
# errors only)
answered() {
    local name=$1 code=$2 out got
    shift 2
    out=$(araw --responses 1 --timeout 2 --wait-close 0.3 -H allow "$@")
    got=$(echo "$out" | head -1 | cut -d' ' -f2)
    seen "$got"
    check "$name -> $code" "$code" "$got"
    check "$name: kept open" open "$(echo "$out" | tail -1)"
    LAST_OUT=$out
}

# A warm-up of the paths measured below, then the baseline.
curl -s -o /dev/null "$ADMIN/metrics"
curl -s -o /dev/null "$ADMIN/livez"
rss0=$(vm VmRSS) hwm0=$(vm VmHWM)

# ---------------------------------------------------------------- limits
# request line of 9 KiB (over max_request_line, 8 KiB)
refused "request line of 9 KiB" 414 < <(
    printf 'GET /livez?z=%s HTTP/1.1\r\nHost: t\r\n\r\n' "$(rep a $((9 * 1024)))")
# one header line of 17 KiB (over max_header_bytes, 16 KiB)
refused "header line of 17 KiB" 431 < <(
    printf 'GET /livez HTTP/1.1\r\nHost: t\r\nX-Big: %s\r\n\r\n' "$(rep v $((17 * 1024)))")
# 65 header lines (over max_headers, 64)
refused "65 header lines" 431 < <(
    printf 'GET /livez HTTP/1.1\r\nHost: t\r\n'
    for i in $(seq 2 65); do printf 'X-H%04d: v\r\n' "$i"; done
    printf '\r\n')
# 64 header lines are fine (the bound is exact)
out=$({ printf 'GET /livez HTTP/1.1\r\nHost: t\r\n'
        for i in $(seq 2 64); do printf 'X-H%04d: v\r\n' "$i"; done
        printf '\r\n'; } | araw --wait-close 0)
check "64 header lines -> 200" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"

# 10 000 header lines: refused after the 65th, quickly, not after reading
# them all
out=$({ printf 'GET /livez HTTP/1.1\r\nHost: t\r\n'
        for i in $(seq 2 10000); do printf 'X-H%05d: v\r\n' "$i"; done
        printf '\r\n'; } | flood --body none)
echo "# 10000 headers: $(echo $out)"
seen "$(echo "$out" | kv code)"
check "10000 header lines -> 431" 431 "$(echo "$out" | kv code)"
check "10000 header lines: closed" yes "$(echo "$out" | kv eof_after_answer)"
check "10000 header lines: answered within 1 s" yes "$(lt "$(echo "$out" | kv answer_ms)" 1000)"

# ---------------------------------------------------------------- bodies
# POST /metrics announcing 200 MiB: answered (413, or 405 for the method)
# before a byte of the body is sent, closed; then the body is pushed for
# at most 5 s and must not be buffered.
out=$(req "POST /metrics HTTP/1.1" "Host: t" "Content-Length: 209715200" |
      flood --body cl --bytes 209715200 --bound 5)
echo "# POST /metrics, Content-Length 200 MiB: $(echo $out)"
code=$(echo "$out" | kv code)
seen "$code"
check "POST /metrics with 200 MiB: 413 or 405" yes \
    "$(case $code in 413|405) echo yes ;; *) echo "no ($code)" ;; esac)"
check "POST /metrics with 200 MiB: answered before the body" yes "$(echo "$out" | kv answer_before_body)"
check "POST /metrics with 200 MiB: closed after the answer" yes "$(echo "$out" | kv eof_after_answer)"
check "POST /metrics with 200 MiB: nothing after the answer" 0 "$(echo "$out" | kv extra)"
body_cl=$(echo "$out" | kv body_sent)

# GET /livez with a small body: 413 (no bodies at all)
refused "GET /livez with Content-Length: 5" 413 < <(
    req "GET /livez HTTP/1.1" "Host: t" "Content-Length: 5"; printf 'hello')

# chunked POST /livez, 200 MiB of chunks: answered at once, closed
out=$(req "POST /livez HTTP/1.1" "Host: t" "Transfer-Encoding: chunked" |
      flood --body chunked --bytes 209715200 --bound 5)
echo "# POST /livez, chunked 200 MiB: $(echo $out)"
code=$(echo "$out" | kv code)
seen "$code"
check "chunked POST /livez: 413" 413 "$code"
check "chunked POST /livez: answered before the body" yes "$(echo "$out" | kv answer_before_body)"
check "chunked POST /livez: closed after the answer" yes "$(echo "$out" | kv eof_after_answer)"
check "chunked POST /livez: nothing after the answer" 0 "$(echo "$out" | kv extra)"
body_ch=$(echo "$out" | kv body_sent)

# The RSS check needs the bodies really sent: at least 200 MiB each.
check "200 MiB of Content-Length body sent" yes "$(lt 209715199 "$body_cl")"
check "200 MiB of chunked body sent" yes "$(lt 209715199 "$body_ch")"

# ------------------------------------------------------- methods, paths
answered "PUT /livez" 405 < <(req "PUT /livez HTTP/1.1" "Host: t")
check "PUT /livez: Allow: GET, HEAD" "Allow: GET, HEAD" "$(echo "$LAST_OUT" | grep -i '^allow:')"
# a method the parser does not know: refused while framing, same answer
refused "FOO /livez" 405 < <(req "FOO /livez HTTP/1.1" "Host: t")
check "FOO /livez: Allow: GET, HEAD" "Allow: GET, HEAD" "$(echo "$LAST_OUT" | grep -i '^allow:')"
answered "GET /nope" 404 < <(req "GET /nope HTTP/1.1" "Host: t")
refused "HTTP/1.18446744073709551615" 505 < <(
    req "GET /livez HTTP/1.18446744073709551615" "Host: t")
refused "HTTP/2.0" 505 < <(req "GET /livez HTTP/2.0" "Host: t")
refused "bare CR ends the head" 400 < <(
    printf 'GET /livez HTTP/1.1\r\nHost: t\r\rGET /livez HTTP/1.1\r\nHost: t\r\n\r\n')

# ------------------------------------------------------- still serving
check "GET /livez afterwards -> 200" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/livez")"
out=$(req "HEAD /metrics HTTP/1.1" "Host: t" | araw --no-body --wait-close 0)
check "HEAD /metrics afterwards -> 200" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"

# ------------------------------------------------------- memory
# Lingering connections of the refusals close on their own (2 s without
# input); then only the metrics reader is open.
wait_eq "admin connections: only the reader" 1 metric beacon_admin_connections
rss1=$(vm VmRSS) hwm1=$(vm VmHWM)
echo "# RSS before ${rss0} kB, after ${rss1} kB (growth $((rss1 - rss0)) kB);" \
     "HWM before ${hwm0} kB, after ${hwm1} kB (growth $((hwm1 - hwm0)) kB)"
check "RSS growth under 2 MiB" yes "$(lt $((rss1 - rss0)) 2048)"
check "peak RSS (VmHWM) growth under 2 MiB" yes "$(lt $((hwm1 - hwm0)) 2048)"

# ------------------------------------------------------- metrics
for c in $CODES; do
    check "beacon_admin_http_responses_total{code=\"$c\"} moved by ${SEEN[$c]}" \
        $((BEFORE[$c] + SEEN[$c])) "$(metric "beacon_admin_http_responses_total{code=\"$c\"}")"
done
check "414 seen once" 1 "${SEEN[414]}"
check "431 seen three times" 3 "${SEEN[431]}"
check "505 seen twice" 2 "${SEEN[505]}"
# every connection above ended by an answer and a close, none by a timeout
check "beacon_admin_connections_timed_out_total unchanged" "$timed_out0" \
    "$(metric beacon_admin_connections_timed_out_total)"

# ------------------------------------------------------- connection cap
rej0=$(metric beacon_admin_connections_rejected_total)
out=$(python3 "$HELPER" cap --port "$ADMIN_PORT" --held 64)
echo "# cap: $(echo $out)"
check "cap: 64 idle connections held open" 64 "$(echo "$out" | kv held_open)"
check "cap: the 65th closed" yes "$(echo "$out" | kv extra_closed)"
check "cap: the 65th got no answer" 0 "$(echo "$out" | kv extra_bytes)"
check "cap: the 65th closed within 0.5 s" yes "$(lt "$(echo "$out" | kv extra_close_ms)" 500)"
check "cap: a held connection still answers" 200 "$(echo "$out" | kv held_answers)"
check "cap: /metrics after closing 4" 200 "$(echo "$out" | kv metrics_code)"
check "cap: beacon_admin_connections after closing 4" \
    "$(echo "$out" | kv connections_expected)" "$(echo "$out" | kv connections)"
check "cap: beacon_admin_connections_rejected_total moved by 1" \
    $((rej0 + 1)) "$(echo "$out" | kv rejected)"
wait_eq "cap: all closed again" 1 metric beacon_admin_connections
check "cap: /livez after the cap" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/livez")"
finish
