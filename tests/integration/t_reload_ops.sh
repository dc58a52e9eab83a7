# Operating beacond: a reload under load answers every request and counts
# every hit once; SIGHUP applies the request limits, the timeouts, the
# retention, the dashboard's and the metrics' passwords, and names the
# keys that need a restart (listen, the Redis URL), which keep their
# running values; the log file and SIGUSR1 (logrotate); the service
# manager's notifications (READY, RELOADING, STOPPING) over
# $NOTIFY_SOCKET, as systemd's Type=notify expects them.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
here=$(dirname "$0")
CTL=$(dirname "$BEACOND")/beaconctl
redis_start
avoid_hour_edge 40
D=$(today)

# The service manager's side: a datagram socket whose messages go to a
# file, a line per message.
NOTIFY="$T_DIR/notify.sock"
python3 - "$NOTIFY" "$T_DIR/notify.log" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(120)
with open(sys.argv[2], "a", buffering=1) as out:
    try:
        while True:
            out.write(s.recv(4096).decode().replace("\n", " ") + "\n")
    except socket.timeout:
        pass
PY
NOTIFY_PID=$!
trap 'kill "$NOTIFY_PID" 2>/dev/null; cleanup' EXIT
for i in $(seq 1 50); do [ -S "$NOTIFY" ] && break; sleep 0.05; done
notified() { grep -c "^$1" "$T_DIR/notify.log" 2>/dev/null || echo 0; }

NOTIFY_SOCKET=$NOTIFY beacond_start "server.log_file = $T_DIR/beacond.file.log"
CONF="$T_DIR/beacond.conf"
wait_eq "READY=1 once listening" 1 notified READY=1
check "the log goes to the file" 1 "$(grep -c 'listening on' "$T_DIR/beacond.file.log")"
check "nothing on stderr" 0 "$(grep -c 'listening on' "$T_DIR/beacond.log")"

# ------------------------------------------------ reloads under load
timeout 120 python3 "$here/loadgen.py" --port "$PORT" --total 30000 \
    --conns 8 --pipeline 4 --sites load --paths 20 --rate 6000 \
    > "$T_DIR/load.out" 2>&1 &
LOAD_PID=$!
for i in $(seq 1 10); do
    sleep 0.4
    kill -HUP "$BEACOND_PID"
done
wait "$LOAD_PID"
out=$(cat "$T_DIR/load.out")
echo "   loadgen (10 reloads): $out"
check "under reloads: every request answered" 0 "$(load_field unanswered "$out")"
check "under reloads: no error" 0 "$(load_field errors "$out")"
check "under reloads: all counted" 30000 "$(load_field counted "$out")"
wait_eq_t 15 "under reloads: each hit once in Redis" 30000 pageviews load
check "ten reloads logged" 10 "$(grep -c 'SIGHUP: reloaded' "$T_DIR/beacond.file.log")"
wait_eq "systemd told of each: RELOADING=1" 10 notified RELOADING=1
check "each reload says MONOTONIC_USEC" 10 "$(grep -c '^RELOADING=1 MONOTONIC_USEC=[0-9]*$' "$T_DIR/notify.log")"
wait_eq "and READY=1 after each" 11 notified READY=1

# ------------------------------------------------ what a reload applies
long=$(printf 'a%.0s' $(seq 1 1500))
code() { curl -s -o /dev/null -w '%{http_code}' -A "$BROWSER_UA" "$@"; }
check "before: a 1.5 KiB request line is fine" 200 "$(code "$BASE/p.gif?s=lim&u=/$long")"
check "before: no password" 200 "$(code "$ADMIN/api/sites")"
HASH=$(echo 'reload passphrase' | "$CTL" passwd)
cat >> "$CONF" <<EOF
[limits]
max_request_line = 1KiB
[retention]
day = 2d
EOF
MHASH=$(echo 'metrics passphrase' | "$CTL" passwd)
check "before: /metrics open" 200 "$(code "$ADMIN/metrics")"
sed -i "s#^\[server\]#[server]\nadmin_password_hash = $HASH\nmetrics_password_hash = $MHASH#" "$CONF"
sed -i "s#^listen = .*#listen = 127.0.0.1:$(free_port)#" "$CONF"
sed -i "s#^url = .*#url = redis://127.0.0.1:1/0#" "$CONF"
kill -HUP "$BEACOND_PID"
wait_eq "reloaded" 11 grep -c 'SIGHUP: reloaded' "$T_DIR/beacond.file.log"
check "after: the request line limit is 1 KiB: 414" 414 "$(code "$BASE/p.gif?s=lim&u=/$long")"
check "after: a short one still counts" 200 "$(code "$BASE/p.gif?s=lim&u=/short")"
check "after: the dashboard wants the password" 401 "$(code "$ADMIN/api/sites")"
check "after: the password works" 200 "$(code -u admin:'reload passphrase' "$ADMIN/api/sites")"
check "after: the probes stay open" 200 "$(code "$ADMIN/livez")"
check "after: /metrics wants its own password" 401 "$(code "$ADMIN/metrics")"
check "after: /metrics as user metrics" 200 "$(code -u metrics:'metrics passphrase' "$ADMIN/metrics")"
check "after: /metrics does not take the dashboard's" 401 "$(code -u admin:'reload passphrase' "$ADMIN/metrics")"
check "after: /readyz stays open" 200 "$(code "$ADMIN/readyz")"
wait_eq "after: a day key written now expires within 3 days" 1 \
    sh -c "t=\$(redis-cli -p $REDIS_PORT TTL 'bc:{lim}:tot:d:$D'); [ \"\$t\" -gt 0 ] && [ \"\$t\" -le 259200 ] && echo 1 || echo 0"
check "restart-only keys are named" 1 "$(grep -c 'SIGHUP: changed, in effect at the next start only: \[server\] listen, \[redis\] url' "$T_DIR/beacond.file.log")"
check "the running listener stays" 200 "$(code "$BASE/p.gif?s=lim&u=/still")"
wait_eq "the running Redis stays" 3 pageviews lim

# ------------------------------------------------ logrotate: SIGUSR1
mv "$T_DIR/beacond.file.log" "$T_DIR/beacond.file.log.1"
kill -USR1 "$BEACOND_PID"
wait_eq "SIGUSR1: a new file" 1 sh -c "grep -c 'SIGUSR1: log file .* reopened' '$T_DIR/beacond.file.log' 2>/dev/null || echo 0"
check "SIGUSR1: the old file has nothing after" 0 "$(grep -c 'reopened' "$T_DIR/beacond.file.log.1")"
printf '[server]\nlog_file = %s/no/such/dir/x.log\n' "$T_DIR" > "$T_DIR/badlog.conf"
"$BEACOND" -c "$T_DIR/badlog.conf" 2>"$T_DIR/badlog.err"
check "a log file that cannot be opened: exit 1" 1 $?
check "a log file that cannot be opened: says why" 1 "$(grep -c 'log_file .*x.log: No such file or directory' "$T_DIR/badlog.err")"

beacond_stop
check "drain: exit 0" 0 "$BEACOND_STATUS"
wait_eq "STOPPING=1 on SIGTERM" 1 notified STOPPING=1
finish
