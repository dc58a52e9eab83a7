# SPEC 8 server.max_connections: the connection over the cap is closed at
# once, without an answer; once connections go away, new ones work again.
. "$(dirname "$0")/lib.sh"
redis_start
beacond_start "server.max_connections = 5"

# five idle connections, held by this shell on fds 3-7
for fd in 3 4 5 6 7; do
    eval "exec $fd<>/dev/tcp/127.0.0.1/$PORT"
done
wait_eq "five connections open" 5 metric beacon_connections

# the sixth: closed by the server without a response, quickly
out=$(req "GET /p.gif?s=cap&u=/six HTTP/1.1" "Host: t" "User-Agent: $BROWSER_UA" |
      raw --wait-close 2 --timeout 2 --time)
check "sixth connection: no response" 0 "$(echo "$out" | grep -c '^HTTP/')"
check "sixth connection: closed" closed "$(echo "$out" | tail -1)"
elapsed=$(echo "$out" | grep -o 'elapsed=[0-9.]*' | cut -d= -f2)
check "sixth connection: closed within 0.5 s" yes \
    "$(awk -v x="$elapsed" 'BEGIN { print (x != "" && x < 0.5) ? "yes" : "no (" x ")" }')"
# and one that sends nothing is closed as fast
out=$(raw --responses 0 --wait-close 2 --time < /dev/null)
check "seventh connection (silent): closed" closed "$(echo "$out" | tail -1)"

rejected=$(metric beacon_connections_rejected_total)
check "beacon_connections_rejected_total >= 2" yes \
    "$( [ "${rejected:-0}" -ge 2 ] && echo yes || echo "no (${rejected:-none})")"
check "still five connections" 5 "$(metric beacon_connections)"
check "the rejected hit was not counted" 0 \
    "$(metric 'beacon_hits_total{endpoint="pixel",outcome="counted"}')"

# the held connections still work: a request on fd 3
printf 'GET /p.gif?s=cap&u=/held HTTP/1.1\r\nHost: t\r\nUser-Agent: %s\r\nConnection: close\r\n\r\n' "$BROWSER_UA" >&3
check "held connection answers" "HTTP/1.1 200 OK" "$(timeout 3 head -1 <&3 | tr -d '\r')"

# close them all; new connections work again
for fd in 3 4 5 6 7; do
    eval "exec $fd>&-"
done
wait_eq "connections closed" 0 metric beacon_connections
out=$(req "GET /p.gif?s=cap&u=/after HTTP/1.1" "Host: t" "User-Agent: $BROWSER_UA" | raw --wait-close 0)
check "after closing: new connection answered" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"
# up to the cap again, all answered
ok=0
for i in 1 2 3 4 5; do
    s=$(curl -s -A "$BROWSER_UA" -o /dev/null -w '%{http_code}' "$BASE/p.gif?s=cap&u=/again$i")
    [ "$s" = 200 ] && ok=$((ok + 1))
done
check "after closing: five more answered" 5 "$ok"
wait_eq "counted: held + after + five" 7 rcli HGET "bc:{cap}:tot:d:$(today)" pageviews
finish
