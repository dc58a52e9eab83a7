# SPEC 1, 6 and 8: admin endpoints, metrics, command line, configuration
# checking, several listen addresses, a port already taken.
. "$(dirname "$0")/lib.sh"
HOLDER_PID=""
trap '[ -n "$HOLDER_PID" ] && kill "$HOLDER_PID" 2>/dev/null; cleanup' EXIT
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
redis_start
beacond_start

# ------------------------------------------------------------ admin
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "/livez" 200 "$(code "$ADMIN/livez")"
check "/readyz with Redis up" 200 "$(code "$ADMIN/readyz")"
check "/nope on admin: 404" 404 "$(code "$ADMIN/nope")"

for i in 1 2 3; do pixel "s=adm&u=/m$i" >/dev/null; done
pixel "s=adm" >/dev/null   # invalid: not counted
wait_eq "hits in Redis" 3 rcli HGET "bc:{adm}:tot:d:$(today)" pageviews

curl -s -D "$T_DIR/mh" -o "$T_DIR/m" "$ADMIN/metrics"
check "/metrics Content-Type" 1 "$(tr -d '\r' < "$T_DIR/mh" | grep -ci '^content-type: text/plain')"
m() { awk -v s="$1" '$1 == s { print $2; exit }' "$T_DIR/m"; }
has() { grep -c "^$1" "$T_DIR/m" | awk '{ print ($1 > 0) ? 1 : 0 }'; }
check 'hits_total{pixel,counted} = hits sent' 3 \
    "$(m 'beacon_hits_total{endpoint="pixel",outcome="counted"}')"
check 'hits_total{pixel,invalid}' 1 \
    "$(m 'beacon_hits_total{endpoint="pixel",outcome="invalid"}')"
r200=$(m 'beacon_http_responses_total{code="200"}')
check 'http_responses_total{code="200"} >= 4' yes \
    "$( [ "${r200:-0}" -ge 4 ] 2>/dev/null && echo yes || echo "no (${r200:-none})")"
check "beacon_connections (gauge)" 1 "$(has 'beacon_connections [0-9]')"
check "beacon_connections TYPE gauge" 1 "$(has '# TYPE beacon_connections gauge')"
check "beacon_flush_seconds histogram" 1 "$(has '# TYPE beacon_flush_seconds histogram')"
check "beacon_flush_seconds_bucket +Inf" 1 "$(has 'beacon_flush_seconds_bucket{le="+Inf"} ')"
check "beacon_flush_seconds_count > 0" yes \
    "$(awk '$1 == "beacon_flush_seconds_count" { print ($2 > 0) ? "yes" : "no" }' "$T_DIR/m")"
check "beacon_redis_errors_total" 0 "$(m beacon_redis_errors_total)"
check "beacon_backlog_bytes" 1 "$(has 'beacon_backlog_bytes [0-9]')"
check "beacon_wal_bytes" 1 "$(has 'beacon_wal_bytes [0-9]')"
# every sample line is "name{labels} value" or "name value"
check "metrics lines well-formed" 0 \
    "$(grep -v '^#' "$T_DIR/m" | grep -cvE '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEInfa]+$')"

# ------------------------------------------------------------ command line
# run NAME ARGS...: runs beacond (at most 5 s), sets rc, $T_DIR/out, $T_DIR/err
run() {
    timeout 5 "$BEACOND" "$@" > "$T_DIR/out" 2> "$T_DIR/err"
    rc=$?
}
run --help
check "--help exits 0" 0 "$rc"
check "--help prints usage on stdout" 1 "$(grep -ci usage "$T_DIR/out" | awk '{ print ($1 > 0) }')"
run -h
check "-h exits 0" 0 "$rc"
run --version
check "--version exits 0" 0 "$rc"
check "--version prints the version on stdout" 1 \
    "$(grep -c "$(cat "$ROOT/VERSION")" "$T_DIR/out")"
run --bogus-flag
check "unknown flag exits 2" 2 "$rc"
check "unknown flag: message on stderr" 1 "$( [ -s "$T_DIR/err" ] && echo 1 || echo 0)"
check "unknown flag: nothing on stdout" 0 "$(wc -c < "$T_DIR/out")"
run -t -c "$T_DIR/beacond.conf" --listen
check "flag without its value exits 2" 2 "$rc"

good="$T_DIR/beacond.conf"
run -t -c "$good"
check "-t on the test config exits 0" 0 "$rc"
run -t -c "$ROOT/deploy/beacond.conf.example"
check "-t on deploy/beacond.conf.example exits 0" 0 "$rc"
run -t -c "$T_DIR/no-such.conf"
check "-t on a missing file exits 1" 1 "$rc"

# bad FILE_NAME LINE_NO CONTENT: -t exits 1 naming file:line
bad() {
    local name=$1 line=$2
    shift 2
    printf '%s\n' "$@" > "$T_DIR/$name"
    run -t -c "$T_DIR/$name"
    check "-t $name exits 1" 1 "$rc"
    check "-t $name names $name:$line" 1 \
        "$(grep -c "$name:$line" "$T_DIR/err" | awk '{ print ($1 > 0) }')"
}
bad unknown-key.conf 3 "[server]" "workers = 2" "no_such_key = 1"
bad unknown-key2.conf 4 "# comment" "[redis]" "flush_interval = 1s" "flush_intervals = 2s"
bad bad-duration.conf 2 "[server]" "header_timeout = soon"
bad bad-size.conf 3 "[limits]" "max_headers = 10" "max_body = 12 parsecs"
bad bad-number.conf 2 "[server]" "max_connections = lots"
bad bad-bool.conf 3 "[privacy]" "" "honor_dnt = maybe"
bad bad-listen.conf 2 "[server]" "listen = 127.0.0.1:notaport"
bad bad-level.conf 2 "[server]" "log_level = loud"

# ------------------------------------------------------------ two listeners
beacond_stop
p1=$(free_port)
p2=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0)); print(s.getsockname()[1])' 2>/dev/null)
if [ -n "$p2" ]; then
    listen="127.0.0.1:$p1, [::1]:$p2"
else
    echo "note: ::1 is not available, testing one IPv4 listener only"
    listen="127.0.0.1:$p1"
fi
sed "s|^listen = .*|listen = $listen|" "$good" > "$T_DIR/two.conf"
run -t -c "$T_DIR/two.conf"
check "-t with two listen addresses exits 0" 0 "$rc"
"$BEACOND" -c "$T_DIR/two.conf" 2>>"$T_DIR/beacond.log" &
BEACOND_PID=$!
for i in $(seq 1 100); do
    curl -sf "$ADMIN/livez" >/dev/null 2>&1 && break
    sleep 0.05
done
check "IPv4 listener answers the pixel" "X-Beacon: counted" \
    "$(curl -s -A "$BROWSER_UA" -D - -o /dev/null "http://127.0.0.1:$p1/p.gif?s=two&u=/v4" | tr -d '\r' | grep -i '^x-beacon')"
n=1
if [ -n "$p2" ]; then
    check "IPv6 listener answers the pixel" "X-Beacon: counted" \
        "$(curl -s -g -A "$BROWSER_UA" -D - -o /dev/null "http://[::1]:$p2/p.gif?s=two&u=/v6" | tr -d '\r' | grep -i '^x-beacon')"
    n=2
fi
wait_eq "both listeners counted" "$n" rcli HGET "bc:{two}:tot:d:$(today)" pageviews
beacond_stop
check "SIGTERM: exit 0" 0 "$BEACOND_STATUS"

# ------------------------------------------------------------ port taken
p3=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
print("ready", flush=True)
time.sleep(20)' "$p3" > "$T_DIR/holder" &
HOLDER_PID=$!
for i in $(seq 1 100); do
    [ -s "$T_DIR/holder" ] && break
    sleep 0.05
done
a3=$(free_port)
run -c "$good" --listen "127.0.0.1:$p3" --admin "127.0.0.1:$a3" --data-dir "$T_DIR/data3"
check "listen port taken: exits 1" 1 "$rc"
check "listen port taken: message names the address or the error" 1 \
    "$(grep -ci -e "$p3" -e 'in use' "$T_DIR/err" | awk '{ print ($1 > 0) }')"
# the admin port taken is just as fatal
p4=$(free_port)
run -c "$good" --listen "127.0.0.1:$p4" --admin "127.0.0.1:$p3" --data-dir "$T_DIR/data4"
check "admin port taken: exits 1" 1 "$rc"
kill "$HOLDER_PID" 2>/dev/null
wait "$HOLDER_PID" 2>/dev/null
HOLDER_PID=""
finish
