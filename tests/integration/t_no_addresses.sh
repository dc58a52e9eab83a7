# SPEC 3 and PRIVACY.md: the raw client address never reaches a log line,
# the write-ahead log, a spool file or Redis. Hits and errors from IPv4
# peers (several 127.x.y.z source addresses), the IPv6 peer ::1 and
# addresses forwarded by a trusted proxy (IPv4 and IPv6), counted and
# dropped (DNT, GPC, opt-out, prefetch, bot, invalid), HEAD, 404, 405,
# 400, 414, a header timeout and an opt-out registration; then every Redis
# key name and value (DUMP and the type's own read, every database), every
# command Redis received (MONITOR), the data directory, the config and
# Redis log and the debug log of beacond are searched (addr_search.py,
# shared with the syslog tests) for each address as
# text (compressed and expanded IPv6, any case, and as hex) and as raw
# bytes (4 bytes both orders, 16 bytes, IPv4-mapped 16 bytes): nothing may
# be found. Control needles that must be found (site ids in key names,
# "HYLL" in values, the salt's bytes in values and in MONITOR's escaped
# form) show the search really looks where it says.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
ulimit -c 0   # a crashing beacond must not leave a memory image behind
MON_PID=""
TMO_PID=""
trap '[ -n "$MON_PID" ] && kill "$MON_PID" 2>/dev/null
      [ -n "$TMO_PID" ] && kill "$TMO_PID" 2>/dev/null
      instances_kill; cleanup' EXIT
W=$T_DIR/test             # this script's own files: not searched
mkdir -p "$W"

# ------------------------------------------------------------ addresses
P_CNT=127.0.0.2           # peers (bound source addresses, all untrusted)
P_DNT=127.0.0.3
P_UNTR=127.0.0.4          # sends an X-Forwarded-For that is not believed
P_400=127.0.0.5
P_404=127.0.0.6
P_TMO=127.0.0.7
P_414=127.0.0.8
P_RCP=127.0.0.9
P_MIX=127.45.67.89
P_HEAD=127.3.4.5
P_INV=127.6.7.8
P_V6=::1                  # the IPv6 peer (the only IPv6 loopback address)
X4=203.0.113.77           # forwarded by the trusted proxy 127.0.0.1
X4_DNT=198.51.100.23
X4_LEFT=192.0.2.99        # a left-hand entry, never the client
X4_UNTR=192.0.2.44        # in the X-Forwarded-For of an untrusted peer
X4_INV=203.0.113.88
X6=2001:db8::77
X6_DNT=2001:db8::dead:beef
ADDRS="$P_CNT $P_DNT $P_UNTR $P_400 $P_404 $P_TMO $P_414 $P_RCP $P_MIX $P_HEAD
       $P_INV $P_V6 $X4 $X4_DNT $X4_LEFT $X4_UNTR $X4_INV $X6 $X6_DNT"
# 127.0.0.1, the trusted proxy and the listen address, is not a client
# address and is not searched.

# ------------------------------------------------------------ helpers
# the search (and the MONITOR capture) shared with the syslog tests
ADDR_SEARCH=$(cd "$(dirname "$0")" && pwd)/addr_search.py
cat > "$W/send.py" <<'EOF'
# send.py SRC PORT [WAIT]: sends stdin from source address SRC to
# 127.0.0.1:PORT, prints the first line received ("closed" when none),
# waiting at most WAIT seconds (default 3) for the server
import socket, sys
src, port = sys.argv[1], int(sys.argv[2])
wait = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
s = socket.socket()
s.bind((src, 0))
s.settimeout(wait)
s.connect(("127.0.0.1", port))
s.sendall(sys.stdin.buffer.read())
buf = b""
try:
    while b"\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            break
        buf += d
except socket.timeout:
    pass
print(buf.split(b"\r\n")[0].decode("latin-1") if buf else "closed")
EOF

# on PEER PORT [WAIT] < BYTES: raw bytes from a bound source address
on() { python3 "$W/send.py" "$@"; }

# ------------------------------------------------------------ start
avoid_hour_edge 10   # one UTC day for the whole file
redis_start
python3 "$ADDR_SEARCH" monitor "$REDIS_PORT" "$W/monitor.out" &
MON_PID=$!
for i in $(seq 1 50); do
    [ "$(rcli CLIENT LIST TYPE monitor 2>/dev/null | wc -l)" -ge 1 ] && break
    sleep 0.05
done
check "MONITOR attached" 1 "$(rcli CLIENT LIST TYPE monitor | wc -l)"
PORT=$(free_port)
P6=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0)); print(s.getsockname()[1])')
KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
beacond_start "server.listen = 127.0.0.1:$PORT, [::1]:$P6" \
    "server.trusted_proxies = 127.0.0.1/32" "server.log_level = debug" \
    "server.header_timeout = 1s" "mail.recipient_key = $KEY"
D=$(today)
salt_key="bc:salt:$D"

# the header timeout, in the background (1 s)
printf 'GET /p.gif?s=noaddr-tmo&u=/t HTTP/1.1\r\nHost: t\r\nUser-Agent: %s\r\nX-Half: ' "$BROWSER_UA" |
    on "$P_TMO" "$PORT" 4 > "$W/tmo.out" &
TMO_PID=$!

# ------------------------------------------------------------ hits
xb() { hval x-beacon; }
# IPv4 peers
check "$P_CNT counted" counted "$(pixel 's=noaddr-v4&u=/a' --interface $P_CNT | xb)"
check "$P_CNT counted again" counted "$(pixel 's=noaddr-v4&u=/b' --interface $P_CNT | xb)"
check "$P_CNT DNT" dropped=dnt "$(pixel 's=noaddr-v4&u=/c' --interface $P_CNT -H 'DNT: 1' | xb)"
check "$P_DNT DNT" dropped=dnt "$(pixel 's=noaddr-dnt&u=/a' --interface $P_DNT -H 'DNT: 1' | xb)"
check "$P_MIX counted" counted "$(pixel 's=noaddr-v4&u=/m' --interface $P_MIX | xb)"
check "$P_MIX DNT" dropped=dnt "$(pixel 's=noaddr-v4&u=/m' --interface $P_MIX -H 'DNT: 1' | xb)"
check "$P_MIX GPC" dropped=gpc "$(pixel 's=noaddr-v4&u=/m' --interface $P_MIX -H 'Sec-GPC: 1' | xb)"
check "$P_MIX opt-out" dropped=optout \
    "$(pixel 's=noaddr-v4&u=/m' --interface $P_MIX -H 'Cookie: beacon_optout=1' | xb)"
check "$P_MIX prefetch" dropped=prefetch \
    "$(pixel 's=noaddr-v4&u=/m' --interface $P_MIX -H 'Sec-Purpose: prefetch' | xb)"
check "$P_MIX bot" dropped=bot "$(pixel 's=noaddr-v4&u=/m' --interface $P_MIX -A 'python-requests/2.31.0' | xb)"
check "$P_UNTR with an unbelieved X-Forwarded-For" counted \
    "$(pixel 's=noaddr-untr&u=/u' --interface $P_UNTR -H "X-Forwarded-For: $X4_UNTR" | xb)"
check "$P_INV invalid" dropped=invalid "$(pixel 's=noaddr-inv' --interface $P_INV | xb)"
check "$P_HEAD HEAD" "HTTP/1.1 200 OK" \
    "$(curl -s -I -A "$BROWSER_UA" --interface $P_HEAD "$BASE/p.gif?s=noaddr-head&u=/h" | tr -d '\r' | head -1)"
# the IPv6 peer
v6() {
    curl -s -g -D - -o /dev/null -A "$BROWSER_UA" "$@" | tr -d '\r' | xb
}
check "::1 counted" counted "$(v6 "http://[::1]:$P6/p.gif?s=noaddr-v6&u=/a")"
check "::1 counted again" counted "$(v6 "http://[::1]:$P6/p.gif?s=noaddr-v6&u=/b")"
check "::1 DNT" dropped=dnt "$(v6 -H 'DNT: 1' "http://[::1]:$P6/p.gif?s=noaddr-v6&u=/c")"
check "::1 GPC" dropped=gpc "$(v6 -H 'Sec-GPC: 1' "http://[::1]:$P6/p.gif?s=noaddr-v6&u=/c")"
check "::1 invalid" dropped=invalid "$(v6 "http://[::1]:$P6/p.gif?s=noaddr-v6")"
# through the trusted proxy
xff() { local a=$1; shift; pixel "$@" -H "X-Forwarded-For: $a" | xb; }
check "$X4 counted" counted "$(xff $X4 's=noaddr-xff&u=/4')"
check "$X4_LEFT, $X4 counted" counted "$(xff "$X4_LEFT, $X4" 's=noaddr-xff&u=/4')"
check "$X4_DNT DNT" dropped=dnt "$(xff $X4_DNT 's=noaddr-xff&u=/4' -H 'DNT: 1')"
check "$X4_INV invalid" dropped=invalid "$(xff $X4_INV 's=noaddr-xff')"
check "$X6 counted" counted "$(xff $X6 's=noaddr-xff&u=/6')"
check "$X6 counted again" counted "$(xff $X6 's=noaddr-xff&u=/6')"
check "$X6_DNT DNT" dropped=dnt "$(xff $X6_DNT 's=noaddr-xff&u=/6' -H 'DNT: 1')"
check "$X6_DNT GPC" dropped=gpc "$(xff $X6_DNT 's=noaddr-xff&u=/6' -H 'Sec-GPC: 1')"

# errors and the other endpoints, from their own peers
check "$P_400: framing error" "HTTP/1.1 400 Bad Request" "$(
    printf 'GET /p.gif?s=noaddr-x&u=/x HTTP/1.1\r\nHost: t\r\nUser-Agent: %s\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n' "$BROWSER_UA" |
    on $P_400 "$PORT")"
check "$P_404: 404" "HTTP/1.1 404 Not Found" "$(
    printf 'GET /nope HTTP/1.1\r\nHost: t\r\nUser-Agent: %s\r\n\r\n' "$BROWSER_UA" | on $P_404 "$PORT")"
check "$P_404: 405" "HTTP/1.1 405 Method Not Allowed" "$(
    printf 'DELETE /p.gif?s=noaddr-x&u=/x HTTP/1.1\r\nHost: t\r\n\r\n' | on $P_404 "$PORT")"
check "$P_414: 414" 414 "$(
    printf 'GET /p.gif?s=noaddr-x&u=/%s HTTP/1.1\r\nHost: t\r\n\r\n' "$(head -c 9000 /dev/zero | tr '\0' a)" |
    on $P_414 "$PORT" | cut -d' ' -f2)"
check "$P_RCP: opt-out registration" 204 "$(curl -s -o /dev/null -w '%{http_code}' \
    --interface $P_RCP -A "$BROWSER_UA" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-binary 's=noaddr-rcp&r=Recipient-Token-1' "$BASE/optout/recipient")"
check "$P_RCP: gpc.json" 200 "$(curl -s -o /dev/null -w '%{http_code}' --interface $P_RCP "$BASE/.well-known/gpc.json")"
check "$P_RCP: /optout" 200 "$(curl -s -o /dev/null -w '%{http_code}' --interface $P_RCP "$BASE/optout")"
wait "$TMO_PID"
TMO_PID=""
check "$P_TMO: header timeout closes without an answer" closed "$(cat "$W/tmo.out")"

# ------------------------------------------------------------ flushed
wait_eq "noaddr-v4: 3 pageviews" 3 rcli HGET "bc:{noaddr-v4}:tot:d:$D" pageviews
wait_eq "noaddr-v6: 2 pageviews" 2 rcli HGET "bc:{noaddr-v6}:tot:d:$D" pageviews
wait_eq "noaddr-xff: 4 pageviews" 4 rcli HGET "bc:{noaddr-xff}:tot:d:$D" pageviews
wait_eq "noaddr-untr: 1 pageview" 1 rcli HGET "bc:{noaddr-untr}:tot:d:$D" pageviews
wait_eq "noaddr-rcp: one opt-out" 1 rcli SCARD "bc:{noaddr-rcp}:optout"
check "visitors: v4 $P_CNT + $P_MIX" 2 "$(rcli PFCOUNT "bc:{noaddr-v4}:uv:d:$D")"
check "visitors: xff $X4 + $X6" 2 "$(rcli PFCOUNT "bc:{noaddr-xff}:uv:d:$D")"
# SIGTERM: the drain's flush and log lines are searched too (the exit
# status is not this test's business)
beacond_stop
kill "$MON_PID" 2>/dev/null
wait "$MON_PID" 2>/dev/null
MON_PID=""

# ------------------------------------------------------------ search
out=$(python3 "$ADDR_SEARCH" search --redis-port "$REDIS_PORT" --monitor "$W/monitor.out" \
    --listen6 "$P6" --salt-key "$salt_key" --site-needle noaddr- \
    "$T_DIR/data" "$T_DIR/beacond.log" "$T_DIR/beacond.conf" "$T_DIR/redis.log" -- $ADDRS 2>&1)
# the controls: the search reads key names, values (GET and DUMP), and
# MONITOR (raw and in its escaped form)
address_search_checks "Redis, MONITOR, files or log" "$out" \
    "site-id redis-keyname" "site-id monitor" "hll redis-value" "hll redis-dump" \
    "salt redis-value" "salt redis-dump" "salt monitor-escaped"
check "debug log captured" yes \
    "$( [ "$(grep -c ' debug ' "$T_DIR/beacond.log")" -gt 0 ] && echo yes || echo no)"
finish
