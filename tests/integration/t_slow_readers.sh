# SPEC 2.8: "a client that sends without reading is stopped at a bounded
# output buffer". 2 000 connections pipeline GET /beacon.js and never read:
# beacond's memory stays bounded per connection (at most the read buffer,
# CONN_OUT_HIGH_WATER of queued answers plus one answer, and the
# connection itself), and is given back once they close.
. "$(dirname "$0")/lib.sh"

CONNS=2000
need=$((CONNS + 200))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
    ulimit -n "$need" 2>/dev/null
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
    echo "ok $T_NAME # SKIP: ulimit -n is $(ulimit -n), $need file descriptors needed"
    exit 0
fi

redis_start
beacond_start "server.max_connections = 4000"

HELPER="$(cd "$(dirname "$0")" && pwd)/t_slow_readers.py"
kv() { grep "^$1=" | head -1 | cut -d= -f2-; }
# lt X Y: "yes" if X < Y, else "no (X)"
lt() { awk -v x="$1" -v y="$2" 'BEGIN { if (x != "" && x + 0 < y + 0) print "yes"; else printf "no (%s)\n", x }'; }
vm() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$BEACOND_PID/status"; }

# The answer the clients ask for, once (which also warms the path up).
out=$(req "GET /beacon.js HTTP/1.1" "Host: t" | raw --body-len --wait-close 0)
check "/beacon.js before -> 200" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"
echo "# one /beacon.js answer: $(echo "$out" | grep body-length) bytes of body"

out=$(python3 "$HELPER" --port "$PORT" --admin-port "$ADMIN_PORT" --pid "$BEACOND_PID" --conns $CONNS \
      --per-conn $((256 * 1024)) --send-bound 20 --settle 5 --settle-kib 2048)
echo "# $(echo $out)"
before=$(echo "$out" | kv rss_before)
during=$(echo "$out" | kv rss_during)
during_max=$(echo "$out" | kv rss_during_max)
after=$(echo "$out" | kv rss_after)
: "${before:=0}" "${during:=0}" "${during_max:=0}" "${after:=0}"
echo "# VmRSS before ${before} kB, during ${during} kB (highest sample ${during_max} kB," \
     "growth $((during_max - before)) kB = $(( (during_max - before) / CONNS )) kB per connection)," \
     "after closing ${after} kB ($((after - before)) kB over before, settled in $(echo "$out" | kv settle_s) s)"
echo "# VmHWM before $(echo "$out" | kv hwm_before) kB, during $(echo "$out" | kv hwm_during) kB," \
     "after $(echo "$out" | kv hwm_after) kB"

sent=$(echo "$out" | kv sent_total)
sent_reqs=$(( ${sent:-0} / 36 ))
framed=$(echo "$out" | kv server_requests)
echo "# requests sent ${sent_reqs}, framed by beacond meanwhile ${framed}" \
     "($(( ${framed:-0} / CONNS )) per connection)"

check "all $CONNS connections established" $CONNS "$(echo "$out" | kv connected)"
check "beacond holds all $CONNS while unread" $CONNS "$(echo "$out" | kv server_connections)"
# the server stopped framing: most requests sent are still unread
check "beacond framed fewer requests than were sent" yes "$(lt "$framed" "$sent_reqs")"
check "no connection closed by the server while unread" 0 "$(echo "$out" | kv server_closed)"
# Every connection pushed requests well past what one buffer holds (the
# reading stops on the server side; the kernel holds the rest).
check "each connection sent over 64 KiB of requests" yes \
    "$(lt 65536 "$(echo "$out" | kv sent_min)")"
# 2000 x 40 KiB: read buffer 4 KiB + 16 KiB of queued answers + one answer
# + the connection struct, with room for the allocator
check "RSS growth with $CONNS unread connections < 80 MB" yes \
    "$(lt $((during_max - before)) $((CONNS * 40)))"
check "RSS back within 2 MiB of the start after closing" yes \
    "$(lt $((after - before)) 2048)"

wait_eq "connections closed" 0 metric beacon_connections
late=$(vm VmRSS)
echo "# VmRSS once beacon_connections is 0: ${late} kB"

out=$(req "GET /beacon.js HTTP/1.1" "Host: t" | raw --body-len --wait-close 0)
check "/beacon.js afterwards -> 200" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"
check "/livez afterwards -> 200" 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$ADMIN/livez")"
finish
