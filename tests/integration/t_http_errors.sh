# SPEC 2.8: errors at the HTTP level, each row on its own connection, with
# the exact status and, where SPEC says so, the connection closed.
. "$(dirname "$0")/lib.sh"
redis_start

P='/p.gif?s=errs&u=/x'

# rep CHAR N: CHAR repeated N times
rep() { head -c "$2" /dev/zero | tr '\0' "$1"; }

# long_line LEN: a GET of the pixel whose request line (without CRLF) is
# LEN bytes long, then a Host header and the end of the header block
long_line() {
    local pad=$(($1 - 4 - ${#P} - 3 - 9))  # "GET " P "&z=" pad " HTTP/1.1"
    printf 'GET %s&z=%s HTTP/1.1\r\nHost: t\r\n\r\n' "$P" "$(rep a "$pad")"
}

# many_headers N SIZE: a GET of the pixel with N header lines in all (Host
# and N-1 lines "X-Hnnnn: vvv" each SIZE bytes long without the CRLF)
many_headers() {
    local i
    printf 'GET %s HTTP/1.1\r\nHost: t\r\n' "$P"
    for i in $(seq 2 "$1"); do
        printf 'X-H%04d: %s\r\n' "$i" "$(rep v $(($2 - 9)))"
    done
    printf '\r\n'
}

# st [rawhttp options] < BYTES: the status code of the first answer
st() { raw --wait-close 0 "$@" | head -1 | cut -d' ' -f2; }

# framing NAME < BYTES: 400, and the server closes the connection
framing() {
    local out
    out=$(raw --wait-close 1)
    check "$1 -> 400" 400 "$(echo "$out" | head -1 | cut -d' ' -f2)"
    check "$1: closed" closed "$(echo "$out" | tail -1)"
}

# ---------------------------------------------------------------- defaults
beacond_start

# Request line: 8 KiB = 8192 bytes; stay clearly under, go clearly over.
check "default: request line of 8000 bytes -> 200" 200 "$(long_line 8000 | st)"
check "default: request line of 8300 bytes -> 414" 414 "$(long_line 8300 | st)"

# Header block: 16 KiB = 16384 bytes: 10 lines of 1500 bytes (13.5 KB) are fine,
# 13 (18 KB) are not.
check "default: header block of 15 KB -> 200" 200 "$(many_headers 10 1500 | st)"
check "default: header block of 18 KB -> 431" 431 "$(many_headers 13 1500 | st)"

# Header lines: 64 in all are fine, 65 are not.
check "default: 64 header lines -> 200" 200 "$(many_headers 64 20 | st)"
check "default: 65 header lines -> 431" 431 "$(many_headers 65 20 | st)"

# Unknown method on a known path: 405 with Allow; elsewhere 404.
for m in DELETE PUT FOO; do
    out=$(req "$m $P HTTP/1.1" "Host: t" | raw --wait-close 0 -H allow)
    check "$m /p.gif -> 405" 405 "$(echo "$out" | head -1 | cut -d' ' -f2)"
    check "$m /p.gif: Allow names GET" 1 "$(echo "$out" | grep -ci '^allow: .*GET')"
done
out=$(req "POST $P HTTP/1.1" "Host: t" "Content-Length: 0" | raw --wait-close 0 -H allow)
check "POST /p.gif -> 405" 405 "$(echo "$out" | head -1 | cut -d' ' -f2)"
check "POST /p.gif: Allow names GET" 1 "$(echo "$out" | grep -ci '^allow: .*GET')"
check "DELETE /nope -> 404" 404 "$(req "DELETE /nope HTTP/1.1" "Host: t" | st)"
check "FOO /nope -> 404" 404 "$(req "FOO /nope HTTP/1.1" "Host: t" | st)"

# Unknown paths.
check "GET /nope -> 404" 404 "$(req "GET /nope HTTP/1.1" "Host: t" | st)"
check "GET /p.gifx -> 404" 404 "$(req "GET /p.gifx?s=a&u=/ HTTP/1.1" "Host: t" | st)"
check "GET /p.gif/x -> 404" 404 "$(req "GET /p.gif/x?s=a&u=/ HTTP/1.1" "Host: t" | st)"

# Framing errors: 400 and the connection closed.
framing "POST /e with Content-Length and Transfer-Encoding" < <(
    req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" \
        "Content-Length: 5" "Transfer-Encoding: chunked"
    printf '0\r\n\r\n')
framing "GET /p.gif with Transfer-Encoding and Content-Length" < <(
    req "GET $P HTTP/1.1" "Host: t" "Transfer-Encoding: chunked" "Content-Length: 5"
    printf '0\r\n\r\n')
framing "duplicate Content-Length (same value)" < <(
    req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" \
        "Content-Length: 2" "Content-Length: 2"
    printf '{}')
framing "duplicate Content-Length (different values)" < <(
    req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" \
        "Content-Length: 2" "Content-Length: 3"
    printf '{} ')
framing "Transfer-Encoding: gzip" < <(
    req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" "Transfer-Encoding: gzip"
    printf '{}')
framing "Transfer-Encoding: identity" < <(
    req "GET $P HTTP/1.1" "Host: t" "Transfer-Encoding: identity")
# gzip then chunked: still a transfer coding other than chunked alone,
# which beacond does not decode
framing "Transfer-Encoding: gzip, chunked" < <(
    req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" \
        "Transfer-Encoding: gzip, chunked"
    printf '2\r\n{}\r\n0\r\n\r\n')
framing "bad chunk size (POST /e)" < <(
    req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" "Transfer-Encoding: chunked"
    printf 'zz\r\n{}\r\n0\r\n\r\n')
framing "bad chunk size (GET /p.gif)" < <(
    req "GET $P HTTP/1.1" "Host: t" "Transfer-Encoding: chunked"
    printf 'zz\r\n{}\r\n0\r\n\r\n')
framing "chunk data not followed by CRLF (POST /e)" < <(
    req "POST /e HTTP/1.1" "Host: t" "Content-Type: text/plain" "Transfer-Encoding: chunked"
    printf '2\r\n{}XX0\r\n\r\n')
framing "chunk data not followed by CRLF (GET /p.gif)" < <(
    req "GET $P HTTP/1.1" "Host: t" "Transfer-Encoding: chunked"
    printf '2\r\n{}XX0\r\n\r\n')
framing "obsolete line folding (space)" < <(
    req "GET $P HTTP/1.1" "Host: t" "X-Folded: first" "  second")
framing "obsolete line folding (tab)" < <(
    req "GET $P HTTP/1.1" "Host: t" "X-Folded: first" "	second")

framing "bare LF ends the head" < <(printf 'GET %s HTTP/1.1\r\nHost: t\n\n' "$P")
framing "two spaces after the method" < <(req "GET  $P HTTP/1.1" "Host: t")
framing "raw UTF-8 in the target" < <(req "GET $P&u=/caf$(printf '\303\251') HTTP/1.1" "Host: t")
framing "five empty lines before a request" < <(printf '\r\n\r\n\r\n\r\n\r\n'; req "GET $P HTTP/1.1" "Host: t")

# After a refusal beacond reads and discards for 2 s at most, however much
# the client keeps sending: a 413 for a 100 MB body, then the body pushed
# for up to 6 s; the connection must be closed 1.5 to 4 s after the answer.
lingered=$(python3 - "$PORT" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /e HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
          b"Content-Length: 100000000\r\n\r\n")
s.settimeout(3)
head = s.recv(4096)
t0 = time.monotonic()
s.setblocking(False)
chunk = b"x" * 65536
while time.monotonic() - t0 < 6:
    try:
        s.send(chunk)
    except BlockingIOError:
        time.sleep(0.005)
    except OSError:
        break
print(head.split(b" ")[1].decode(), "%.1f" % (time.monotonic() - t0))
PY
)
check "linger after 413: the answer" 413 "${lingered% *}"
check "linger after 413: closed 1.5-4 s after it, however much is sent" yes \
    "$(awk -v x="${lingered#* }" 'BEGIN { print (x >= 1.5 && x <= 4) ? "yes" : "no (" x ")" }')"

# Versions other than 1.0 and 1.1: 505 and closed.
for v in HTTP/1.2 HTTP/2.0 HTTP/0.9 HTTP/1.18446744073709551615; do
    out=$(req "GET $P $v" "Host: t" | raw --wait-close 1)
    check "$v -> 505" "HTTP/1.1 505 HTTP Version Not Supported" "$(echo "$out" | head -1)"
    check "$v: closed" closed "$(echo "$out" | tail -1)"
done
check "metrics: 505 responses" 4 "$(metric 'beacon_http_responses_total{code="505"}')"

beacond_stop

# ------------------------------------------------------------ small limits
beacond_start "limits.max_request_line = 1KiB" "limits.max_header_bytes = 2KiB" \
    "limits.max_headers = 8"

check "1KiB: request line of 900 bytes -> 200" 200 "$(long_line 900 | st)"
check "1KiB: request line of 1100 bytes -> 414" 414 "$(long_line 1100 | st)"
check "2KiB: header block of 1.5 KB -> 200" 200 "$(many_headers 4 500 | st)"
check "2KiB: header block of 2.5 KB -> 431" 431 "$(many_headers 6 500 | st)"
check "max_headers 8: 8 header lines -> 200" 200 "$(many_headers 8 20 | st)"
check "max_headers 8: 9 header lines -> 431" 431 "$(many_headers 9 20 | st)"

# The limits hold when the bytes come in small pieces too.
check "1KiB: request line of 1100 bytes in pieces -> 414" 414 \
    "$(long_line 1100 | st --split 100,200,300,400,500,600,700,800,900,1000,1100 --delay 0.01)"
check "max_headers 8: 9 header lines in pieces -> 431" 431 \
    "$(many_headers 9 20 | st --split 50,100,150,200,250 --delay 0.01)"

check "metrics: 414 responses" 2 "$(metric 'beacon_http_responses_total{code="414"}')"
check "metrics: 431 responses" 3 "$(metric 'beacon_http_responses_total{code="431"}')"
finish
