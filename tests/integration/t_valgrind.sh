# beacond under valgrind: pixels, batches (JSON, gzip, errors), the page
# script, e-mail opens and clicks, the dashboard's API (Redis up and away,
# a client leaving before its answer), access-log lines over UDP and TCP (a
# stream left open at the drain), a SIGHUP reload, pipelining, every
# framing error, the admin endpoints, a Redis outage and the drain on
# SIGTERM, with no memory error and no leak.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "skip t_valgrind: no valgrind"; finish; }
# persistent, so that counts survive the outage below
redis_start_args --appendonly yes --appendfsync always
K1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
SP=$(free_port)
BEACOND_WRAP="valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$T_DIR/valgrind.log" \
    beacond_start "server.header_timeout = 1s" "mail.recipient_key = $K1" \
    "mail.link_keys = k1:$K1" "server.ingest_syslog = 127.0.0.1:$SP" \
    "server.ingest_syslog_tcp = yes"
BEACONCTL=$(dirname "$BEACOND")/beaconctl

for i in 1 2 3; do
    pixel "s=vg&u=/p$i&r=https://ref.example/&utm_source=x" >/dev/null
done
pixel "s=bad site&u=/x" >/dev/null
curl -s -I -A "$BROWSER_UA" "$BASE/p.gif?s=vg&u=/head" >/dev/null
curl -s "$ADMIN/metrics" >/dev/null
curl -s "$ADMIN/readyz" >/dev/null
# the dashboard: its query thread, a bad query, and a client that leaves
# before its deferred answer
check "dashboard: /api/stats" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/api/stats?site=vg")"
check "dashboard: a bad query" 400 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/api/stats?site=vg&from=x")"
curl -s "$ADMIN/api/sites" "$ADMIN/dash" "$ADMIN/dash/chart.js" >/dev/null
python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /api/stats?site=vg&from=20261101&to=20261130 HTTP/1.1\r\n\r\n")
s.close()' "$ADMIN_PORT"
# batches: JSON, gzip, and the refused kinds
post() { curl -s -o /dev/null -w '%{http_code} ' -A "$BROWSER_UA" -H 'Content-Type: text/plain' "$@" "$BASE/e"; }
codes=$(post --data '[{"s":"vgb","u":"/a"},{"s":"vgb","u":"/b","e":"x"},{"s":"!"}]'
    printf '%s' '{"s":"vgb","u":"/gz"}' | gzip > "$T_DIR/gz"
    post -H 'Content-Encoding: gzip' --data-binary @"$T_DIR/gz"
    head -c 12 "$T_DIR/gz" > "$T_DIR/trunc"
    post -H 'Content-Encoding: gzip' --data-binary @"$T_DIR/trunc"
    post --data '[{"s":"vgb"'
    post --data '[]'
    post -H 'Content-Encoding: br' --data '{}'
    curl -s -o /dev/null -w '%{http_code} ' -X OPTIONS "$BASE/e")
check "batch answers" "204 204 400 400 400 415 204 " "$codes"
curl -s "$BASE/beacon.js" >/dev/null
# access-log lines: two over UDP (one malformed), one over TCP on a stream
# that stays open (with half a frame) until the drain
python3 - "$SP" "$BROWSER_UA" <<'EOF' &
import socket, sys, time
port, ua = int(sys.argv[1]), sys.argv[2]
def line(path):
    return ('<190>Dec  4 21:40:01 beacon: v1 192.0.2.7 "GET" "%s" 200 "-" '
            '"%s" "-" "-" "-" "vgs"' % (path, ua)).encode()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(line("/udp/a"), ("127.0.0.1", port))
u.sendto(b"<190>beacon: v2 nonsense", ("127.0.0.1", port))
t = socket.create_connection(("127.0.0.1", port))
m = line("/tcp/a")
t.sendall(b"%d %s" % (len(m), m) + b"99 <190>")
time.sleep(60) # held open; the drain closes it
EOF
SYSLOG_PID=$!
# an open, a click, a bad click
curl -s -o /dev/null -A "$BROWSER_UA" "$BASE/o/vgm/c1/reader-0001.gif"
url=$("$BEACONCTL" -c "$T_DIR/beacond.conf" sign link --site vgm --campaign c1 --link l --to https://x.example/ --recipient reader-0001)
check "click: 302" 302 "$(curl -s -o /dev/null -w '%{http_code}' -A "$BROWSER_UA" "$url")"
check "bad click: 403" 403 "$(curl -s -o /dev/null -w '%{http_code}' -A "$BROWSER_UA" "${url%?}")"
kill -HUP "$BEACOND_PID"
sleep 1
UA="User-Agent: $BROWSER_UA" # without a browser user agent: dropped=bot
for bytes in \
    "GET /p.gif?s=vg&u=/a HTTP/1.1\r\n$UA\r\n\r\nGET /p?s=vg&u=/b HTTP/1.1\r\n$UA\r\n\r\nGET /nope HTTP/1.1\r\n\r\n" \
    'GET /p.gif HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n' \
    'POST /p.gif HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n' \
    'GET /p.gif HTTP/1.1\r\nX: a\r\n b\r\n\r\n' \
    'FOO /p.gif HTTP/1.1\r\n\r\n' \
    "GET /p.gif?s=vg&u=/c HTTP/1.1\r\n$UA\r\nHost: x"; do
    printf "$bytes" | python3 "$RAWHTTP" --port "$PORT" --wait-close 2 >/dev/null 2>&1
done
d=$(today)
# three pixels and two pipelined ones; the last request never completes
wait_eq "counted before the outage" 5 rcli HGET "bc:{vg}:tot:d:$d" pageviews
check "batches counted: pageviews" 2 "$(rcli HGET "bc:{vgb}:tot:d:$d" pageviews)"
check "batches counted: events" 1 "$(rcli HGET "bc:{vgb}:tot:d:$d" events)"
check "the click counted" 1 "$(rcli HGET "bc:{vgm}:mail:c1:tot" clicks)"
check "the open counted" 1 "$(rcli HGET "bc:{vgm}:mail:c1:tot" opens)"
check "log lines counted" 2 "$(rcli HGET "bc:{vgs}:tot:d:$d" pageviews)"
redis_stop
pixel "s=vg&u=/during" >/dev/null
check "dashboard, Redis away: 503" 503 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/api/stats?site=vg")"
sleep 1
redis_start_args --appendonly yes --appendfsync always
wait_eq "counted after the outage" 6 rcli HGET "bc:{vg}:tot:d:$d" pageviews
pixel "s=vg&u=/last" >/dev/null
beacond_stop
kill "$SYSLOG_PID" 2>/dev/null
check "exit status (99: valgrind found errors)" 0 "$BEACOND_STATUS"
check "valgrind report" "" "$(grep -v '^==[0-9]*== *$' "$T_DIR/valgrind.log" | head -20)"
check "last hit drained to Redis" 7 "$(rcli HGET "bc:{vg}:tot:d:$d" pageviews)"
finish
