# SPEC 2.7: syslog over TCP (ingest_syslog_tcp = yes) as a relay sends it.
# A real nginx logs its requests in the beacon format over UDP to a relay
# (relay.py below) that forwards each datagram unchanged as one RFC 6587
# octet-counted frame ("LEN SP MSG") over a single TCP connection to
# beacond. beacon_syslog_tcp_connections is 1 while the relay is connected
# and 0 once it has closed; page views from IPv4 and IPv6 clients count
# exactly (pages, areas, refs, uv, uva), DNT, Sec-GPC, the opt-out cookie
# and a bot are dropped, an asset, a 404 and a POST skipped, with exact
# syslog outcome counters and no framing error; no client address reaches
# Redis, beacond's data dir, config or log (addr_search.py), though the
# relay's own record shows every one of them went to beacond.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
command -v nginx >/dev/null || PATH=$PATH:/usr/sbin
command -v nginx >/dev/null || { echo "t_syslog_tcp: nginx is missing (scripts/install-deps.sh)" >&2; exit 1; }
ADDR_SEARCH=$(cd "$(dirname "$0")" && pwd)/addr_search.py
NGINX_PID=""
RELAY_PID=""
trap '[ -n "$NGINX_PID" ] && kill -KILL "$NGINX_PID" 2>/dev/null
      [ -n "$RELAY_PID" ] && kill -KILL "$RELAY_PID" 2>/dev/null
      instances_kill; cleanup' EXIT
W=$T_DIR/test             # this script's own files (nginx, relay): not searched
mkdir -p "$W"

# ------------------------------------------------------------ addresses
A=127.0.0.12              # counted: /, /blog/a.html (external referrer)
B=127.0.0.13              # counted: /blog/a.html (internal referrer)
V6=::1                    # counted: /shop/item over IPv6
DROP=127.0.0.15           # DNT, GPC, opt-out cookie, bot
SKIP=127.0.0.16           # asset, 404, POST
ADDRS="$A $B $V6 $DROP $SKIP"
HOST=www.example.com      # mapped to the site tcp-ex

# ------------------------------------------------------------ the relay
cat > "$W/relay.py" <<'EOF'
# relay.py TCP_PORT READY RECORD: takes syslog datagrams on a UDP port of
# 127.0.0.1 it picks (written to READY once the TCP connection to
# 127.0.0.1:TCP_PORT is up) and forwards each unchanged as one RFC 6587
# octet-counted frame on that one connection; appends each datagram and
# LF to RECORD. SIGTERM (or 60 s) ends it: what is queued is forwarded,
# the connection is shut down and closed once beacond has closed its side.
import os, signal, socket, sys, time
tcp_port, ready, record = int(sys.argv[1]), sys.argv[2], sys.argv[3]
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
u.settimeout(0.1)
t = socket.create_connection(("127.0.0.1", tcp_port), timeout=5)
with open(ready + ".tmp", "w") as f:
    f.write("%d\n" % u.getsockname()[1])
os.rename(ready + ".tmp", ready)
deadline = time.time() + 60
with open(record, "ab", buffering=0) as rec:
    def forward(d):
        t.sendall(b"%d %s" % (len(d), d))
        rec.write(d + b"\n")
    while not stop and time.time() < deadline:
        try:
            forward(u.recv(65536))
        except socket.timeout:
            pass
        except InterruptedError:
            pass
    u.setblocking(False)
    while True:
        try:
            forward(u.recv(65536))
        except (BlockingIOError, InterruptedError):
            break
t.shutdown(socket.SHUT_WR)
t.settimeout(5)
try:
    while t.recv(4096):
        pass
except socket.timeout:
    pass
t.close()
EOF

# ------------------------------------------------------------ nginx
. "$(dirname "$0")/nginx_lib.sh"

conns() { metric beacon_syslog_tcp_connections; }

# ------------------------------------------------------------ start
avoid_hour_edge 20   # one UTC hour (and day) for the whole file
redis_start
SP=$(free_port)
beacond_start "server.ingest_syslog = 127.0.0.1:$SP, [::1]:$SP" "server.ingest_syslog_tcp = yes" \
    "server.log_level = debug" "sites.$HOST = tcp-ex" || exit 1
check "no TCP syslog connection yet" 0 "$(conns)"
python3 "$W/relay.py" "$SP" "$W/relay.port" "$W/relay.record" 2>>"$W/relay.err" &
RELAY_PID=$!
for i in $(seq 1 100); do
    [ -s "$W/relay.port" ] && break
    kill -0 "$RELAY_PID" 2>/dev/null || break
    sleep 0.05
done
[ -s "$W/relay.port" ] || { echo "relay did not start:" >&2; cat "$W/relay.err" >&2; exit 1; }
wait_eq "the relay's connection is open" 1 conns
# nginx logs to the relay only: every line beacond gets came over TCP
nginx_start "$(cat "$W/relay.port")" || exit 1
H=$(this_hour)
D=${H:0:8}

# ------------------------------------------------------------ requests
check "A /" 200 "$(get $A "$HOST" /)"
check "A /blog/a.html, external referrer" 200 "$(get $A "$HOST" /blog/a.html -e 'https://news.example.org/x')"
check "B /blog/a.html, internal referrer" 200 "$(get $B "$HOST" /blog/a.html -e "https://$HOST/")"
check "::1 /shop/item" 200 "$(get $V6 "$HOST" /shop/item)"
check "DNT" 200 "$(get $DROP "$HOST" /blog/a.html -H 'DNT: 1')"
check "Sec-GPC" 200 "$(get $DROP "$HOST" /blog/a.html -H 'Sec-GPC: 1')"
check "opt-out cookie" 200 "$(get $DROP "$HOST" /blog/a.html -b 'beacon_optout=1')"
check "Googlebot" 200 "$(get $DROP "$HOST" /blog/a.html -A 'Googlebot/2.1 (+http://www.google.com/bot.html)')"
check "asset" 200 "$(get $SKIP "$HOST" /style.css)"
check "404" 404 "$(get $SKIP "$HOST" /missing.html)"
check "POST answered 200" 200 "$(get $SKIP "$HOST" /form --data-binary 'a=b')"

# ------------------------------------------------------------ counted
wait_eq "syslog outcomes" "bot=1 counted=4 dnt=1 gpc=1 optout=1 skipped=3 " outcomes
check "the relay forwarded 11 lines" 11 "$(wc -l < "$W/relay.record")"
check "no framing error" 0 "$(metric beacon_syslog_tcp_framing_errors_total)"
check "still one connection" 1 "$(conns)"
t() { echo "bc:{tcp-ex}:$1"; }
zs() { rcli ZRANGE "$1" 0 -1 WITHSCORES | paste -sd' '; }
wait_eq "tcp-ex: 4 pageviews" 4 rcli HGET "$(t tot:d:$D)" pageviews
check "pages:d" "/ 1 /shop/item 1 /blog/a.html 2" "$(zs "$(t pages:d:$D)")"
check "areas:d" "/ 1 shop 1 blog 2" "$(zs "$(t areas:d:$D)")"
check "refs:d: the external host only" "news.example.org 1" "$(zs "$(t refs:d:$D)")"
check "visitors: A B ::1" 3 "$(rcli PFCOUNT "$(t uv:d:$D)")"
check "uva blog: A B" 2 "$(rcli PFCOUNT "$(t uva:d:$D:blog)")"
check "uva /: A" 1 "$(rcli PFCOUNT "$(t "uva:d:$D:/")")"
check "uva shop: ::1" 1 "$(rcli PFCOUNT "$(t uva:d:$D:shop)")"
check "sites" "tcp-ex" "$(rcli SMEMBERS bc:sites | paste -sd' ')"

# ------------------------------------------------------------ the relay closes
stop_pid "$NGINX_PID"
NGINX_PID=""
stop_pid "$RELAY_PID"
RELAY_PID=""
wait_eq "no connection once the relay closed" 0 conns
# a clean close loses and adds nothing
check "syslog outcomes after the close" "bot=1 counted=4 dnt=1 gpc=1 optout=1 skipped=3 " "$(outcomes)"
check "no framing error after the close" 0 "$(metric beacon_syslog_tcp_framing_errors_total)"
check "tcp-ex pageviews after the close" 4 "$(rcli HGET "$(t tot:d:$D)" pageviews)"

# ------------------------------------------------------------ search
# control: the lines beacond received carried every client address
for a in $ADDRS; do
    check "the relay forwarded lines of $a" yes \
        "$(grep -q "^<[0-9]*>.* beacon: v1 $a \"" "$W/relay.record" && echo yes || echo no)"
done
beacond_stop
out=$(python3 "$ADDR_SEARCH" search --redis-port "$REDIS_PORT" \
    --listen6 "$SP" --salt-key "bc:salt:$D" --site-needle tcp-ex \
    "$T_DIR/data" "$T_DIR/beacond.log" "$T_DIR/beacond.conf" "$T_DIR/redis.log" -- $ADDRS 2>&1)
address_search_checks "Redis, files or log" "$out" \
    "site-id redis-keyname" "hll redis-value" "hll redis-dump" "salt redis-value" "salt redis-dump"
finish
