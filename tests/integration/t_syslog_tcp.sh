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
# nginx_start SYSLOG_PORT: nginx (one process, not a daemon) on
# 127.0.0.1:$NP and [::1]:$NP, serving $W/nginx/www; its only access log is the
# beacon format over UDP syslog to 127.0.0.1:SYSLOG_PORT.
nginx_start() {
    local d=$W/nginx i try f
    mkdir -p "$d/www/blog" "$d/www/shop"
    for f in index.html blog/a.html shop/item style.css; do
        echo "page $f" > "$d/www/$f"
    done
    cat > "$d/nginx.conf.in" <<'EOF'
daemon off;
master_process off;
pid @D@/nginx.pid;
error_log @D@/error.log warn;
events { worker_connections 64; }
http {
    client_body_temp_path @D@/body;
    proxy_temp_path @D@/proxy;
    fastcgi_temp_path @D@/fastcgi;
    uwsgi_temp_path @D@/uwsgi;
    scgi_temp_path @D@/scgi;
    log_format beacon 'v1 $remote_addr "$request_method" "$request_uri" $status '
                      '"$http_referer" "$http_user_agent" "$http_dnt" '
                      '"$http_sec_gpc" "$cookie_beacon_optout" "$host"';
    access_log syslog:server=127.0.0.1:@SP@,tag=beacon,nohostname beacon;
    server {
        listen 127.0.0.1:@NP@;
        listen [::1]:@NP@;
        root @D@/www;
        location = /form { return 200 "ok\n"; }
        # the readiness probe leaves no log line
        location = /ready { access_log off; return 204; }
    }
}
EOF
    # free_port looked at 127.0.0.1 only: [::1] may hold the port, so a
    # bind error gets another port, twice at most
    for try in 1 2 3; do
        NP=$(free_port)
        sed -e "s|@D@|$d|g" -e "s|@SP@|$1|g" -e "s|@NP@|$NP|g" "$d/nginx.conf.in" > "$d/nginx.conf"
        nginx -c "$d/nginx.conf" -p "$d" -e "$d/error.log" 2>>"$d/error.log" &
        NGINX_PID=$!
        for i in $(seq 1 100); do
            [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NP/ready")" = 204 ] &&
                [ "$(curl -s -g -o /dev/null -w '%{http_code}' "http://[::1]:$NP/ready")" = 204 ] &&
                return 0
            kill -0 "$NGINX_PID" 2>/dev/null || break
            sleep 0.05
        done
        stop_pid "$NGINX_PID"
        NGINX_PID=""
    done
    echo "nginx did not start:" >&2
    cat "$d/error.log" >&2
    return 1
}

# stop_pid PID: SIGTERM, at most 5 s, then SIGKILL
stop_pid() {
    local i
    kill -TERM "$1" 2>/dev/null
    for i in $(seq 1 50); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

# get FROM PATH [curl args...]: one request for $HOST through nginx from
# the source address FROM (::1: over IPv6) as a browser (a later -A
# wins); prints the status nginx answered.
get() {
    local from=$1 path=$2 url
    shift 2
    if [ "$from" = ::1 ]; then
        url="http://[::1]:$NP$path"
    else
        url="http://127.0.0.1:$NP$path"
    fi
    curl -s -g -o /dev/null -w '%{http_code}' --max-time 5 --interface "$from" \
        -A "$BROWSER_UA" -H "Host: $HOST" "$@" "$url"
}

# every syslog outcome with a count, as "outcome=N ..."
outcomes() {
    curl -s --max-time 5 "$ADMIN/metrics" |
        sed -n 's/^beacon_hits_total{endpoint="syslog",outcome="\([a-z_]*\)"} \([0-9]*\)$/\1=\2/p' |
        grep -v '=0$' | sort | tr '\n' ' '
}
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
check "A /" 200 "$(get $A /)"
check "A /blog/a.html, external referrer" 200 "$(get $A /blog/a.html -e 'https://news.example.org/x')"
check "B /blog/a.html, internal referrer" 200 "$(get $B /blog/a.html -e "https://$HOST/")"
check "::1 /shop/item" 200 "$(get $V6 /shop/item)"
check "DNT" 200 "$(get $DROP /blog/a.html -H 'DNT: 1')"
check "Sec-GPC" 200 "$(get $DROP /blog/a.html -H 'Sec-GPC: 1')"
check "opt-out cookie" 200 "$(get $DROP /blog/a.html -b 'beacon_optout=1')"
check "Googlebot" 200 "$(get $DROP /blog/a.html -A 'Googlebot/2.1 (+http://www.google.com/bot.html)')"
check "asset" 200 "$(get $SKIP /style.css)"
check "404" 404 "$(get $SKIP /missing.html)"
check "POST answered 200" 200 "$(get $SKIP /form --data-binary 'a=b')"

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
echo "   $(echo "$out" | grep '^SCANNED')"
echo "$out" | grep '^ABSENT ' | sed 's/^/   /'
check "no address in Redis, files or log" "" \
    "$(echo "$out" | grep -v -e '^CONTROL ' -e '^SCANNED ' -e '^ABSENT ')"
for c in "site-id redis-keyname" "hll redis-value" "hll redis-dump" "salt redis-value" "salt redis-dump"; do
    check "control found: $c" 1 "$(echo "$out" | grep -cx "CONTROL $c")"
done
finish
