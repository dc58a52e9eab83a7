# lib.sh: the integration harness, sourced by every t_*.sh.
#
# Each test file gets its own temporary directory, its own redis-server on
# a free loopback port and its own beacond; both are stopped (by PID) and
# the directory removed when the file ends, whether it passes or not.
#
#   redis_start | redis_stop | redis_restart      private Redis
#   beacond_start [CONFIG_LINES...]               beacond with a generated
#                                                 config (extra lines are
#                                                 appended as "section.key = v")
#   beacond_stop | beacond_kill                   SIGTERM (drain) | SIGKILL
#   rcli ARGS...                                  redis-cli on the private Redis
#   pixel QUERY                                   GET /p.gif?QUERY, prints headers
#   check NAME EXPECTED ACTUAL                    one assertion
#   wait_eq NAME EXPECTED CMD...                  poll CMD until it prints EXPECTED
#   finish                                        exit status of the file
set -u

BEACOND=${BEACOND:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/beacond}
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/beacond-test.XXXXXX")
T_NAME=$(basename "$0" .sh)
T_FAILS=0
T_CHECKS=0
REDIS_PID=""
BEACOND_PID=""

cleanup() {
    exec 2>/dev/null # no "Killed" job notices for what we stop here
    [ -n "$BEACOND_PID" ] && kill -KILL "$BEACOND_PID" 2>/dev/null
    [ -n "$REDIS_PID" ] && kill -KILL "$REDIS_PID" 2>/dev/null
    wait 2>/dev/null
    if [ "$T_FAILS" -gt 0 ] && [ -f "$T_DIR/beacond.log" ]; then
        echo "---- $T_NAME: beacond log (last 30 lines)"
        tail -n 30 "$T_DIR/beacond.log"
    fi
    rm -rf "$T_DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

today() { date -u +%Y%m%d; }
this_hour() { date -u +%Y%m%d%H; }
this_minute() { date -u +%Y%m%d%H%M; }

redis_start() {
    redis_start_args
}

redis_stop() {
    [ -n "$REDIS_PID" ] || return 0
    kill -TERM "$REDIS_PID" 2>/dev/null
    wait "$REDIS_PID" 2>/dev/null
    REDIS_PID=""
}

# Same port, empty data: a restarted Redis without persistence.
redis_restart() {
    redis_stop
    redis_start
}

rcli() {
    redis-cli -p "$REDIS_PORT" "$@"
}

# beacond_start ["section.key = value" ...]: writes $T_DIR/beacond.conf
# (fast flushes, two workers) and starts beacond; waits for /livez.
beacond_start() {
    PORT=${PORT:-$(free_port)}
    ADMIN_PORT=${ADMIN_PORT:-$(free_port)}
    BASE="http://127.0.0.1:$PORT"
    ADMIN="http://127.0.0.1:$ADMIN_PORT"
    local conf="$T_DIR/beacond.conf" line section key value
    {
        echo "[server]"
        echo "listen = 127.0.0.1:$PORT"
        echo "admin = 127.0.0.1:$ADMIN_PORT"
        echo "workers = 2"
        echo "data_dir = $T_DIR/data"
        echo "instance_id = test-$PORT"
        for line in "$@"; do
            section=${line%%.*}
            [ "$section" = server ] && echo "${line#*.}"
        done
        echo "[redis]"
        echo "url = redis://127.0.0.1:${REDIS_PORT:-6379}/0"
        echo "flush_interval = 100ms"
        for line in "$@"; do
            section=${line%%.*}
            [ "$section" = redis ] && echo "${line#*.}"
        done
        for section in privacy mail limits retention sites; do
            local first=1
            for line in "$@"; do
                if [ "${line%%.*}" = "$section" ]; then
                    [ $first = 1 ] && echo "[$section]" && first=0
                    echo "${line#*.}"
                fi
            done
        done
    } > "$conf"
    # BEACOND_WRAP: a command to run beacond under (valgrind, say)
    ${BEACOND_WRAP:-} "$BEACOND" -c "$conf" 2>>"$T_DIR/beacond.log" &
    BEACOND_PID=$!
    local i
    for i in $(seq 1 200); do
        curl -sf "$ADMIN/livez" >/dev/null 2>&1 && return 0
        kill -0 "$BEACOND_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "beacond did not start:" >&2
    cat "$T_DIR/beacond.log" >&2
    return 1
}

beacond_stop() {
    [ -n "$BEACOND_PID" ] || return 0
    kill -TERM "$BEACOND_PID" 2>/dev/null
    wait "$BEACOND_PID" 2>/dev/null
    BEACOND_STATUS=$?
    BEACOND_PID=""
}

beacond_kill() {
    [ -n "$BEACOND_PID" ] || return 0
    kill -KILL "$BEACOND_PID" 2>/dev/null
    wait "$BEACOND_PID" 2>/dev/null
    BEACOND_PID=""
}

# A current desktop browser, so that hits count its device class and browser
# family (and no test depends on whether a tool's agent is a bot).
BROWSER_UA="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"

# pixel QUERY [curl args...]: GET /p.gif?QUERY as a browser; prints status
# line and headers (CR removed). A later -A in the args wins.
pixel() {
    local q=$1
    shift
    curl -s -D - -o /dev/null -A "$BROWSER_UA" "$@" "$BASE/p.gif?$q" | tr -d '\r'
}

check() {
    local name=$1 expected=$2 actual=$3
    T_CHECKS=$((T_CHECKS + 1))
    if [ "$expected" != "$actual" ]; then
        T_FAILS=$((T_FAILS + 1))
        printf 'FAIL %s: %s\n  expected: %s\n  actual:   %s\n' \
            "$T_NAME" "$name" "$expected" "$actual"
    fi
}

# wait_eq NAME EXPECTED CMD...: polls CMD for up to 5 s (flushes are
# asynchronous), then checks its last output.
wait_eq() {
    wait_eq_t 5 "$@"
}

finish() {
    if [ "$T_FAILS" -gt 0 ]; then
        echo "not ok $T_NAME ($T_FAILS of $T_CHECKS checks failed)"
        exit 1
    fi
    echo "ok $T_NAME ($T_CHECKS checks)"
    exit 0
}

# ---- helpers for raw HTTP tests (rawhttp.py) ----
RAWHTTP="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/rawhttp.py"

# raw [rawhttp.py options...] < BYTES: one raw exchange with the public
# port; see rawhttp.py for the output (status lines, headers, closed|open).
raw() {
    python3 "$RAWHTTP" --port "$PORT" "$@"
}

# req LINE...: prints LINEs joined by CRLF plus the empty line ending a
# header block: req "GET / HTTP/1.1" "Host: t"
req() {
    printf '%s\r\n' "$@"
    printf '\r\n'
}

# (metric SERIES, used by the raw HTTP tests too, is defined below.)

# ---- Generic helpers appended for the Redis-side tests.
#
#   redis_start_args ARGS...        redis_start with extra redis-server options
#   wait_eq_t SECS NAME EXPECTED CMD...   wait_eq bounded by SECS instead of 5 s
#   metric NAME                     a value from the admin /metrics (0 if absent)
#   avoid_minute_edge [SECS]        sleep into the next UTC minute if fewer than
#                                   SECS (default 5) seconds are left in this one

# redis_start_args ARGS...: like redis_start, with ARGS appended to the
# redis-server command line (later options win: "--appendonly yes" makes
# a redis_stop + redis_start_args pair a restart that keeps the data;
# "--enable-debug-command local" allows DEBUG SLEEP). Same port on every
# call of one test file.
redis_start_args() {
    REDIS_PORT=${REDIS_PORT:-$(free_port)}
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$T_DIR" \
        --save '' --appendonly no --logfile "$T_DIR/redis.log" "$@" &
    REDIS_PID=$!
    local i
    for i in $(seq 1 200); do
        [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
        sleep 0.05
    done
    echo "redis-server did not start" >&2
    return 1
}

wait_eq_t() {
    local secs=$1 name=$2 expected=$3 out deadline
    shift 3
    deadline=$(($(date +%s) + secs))
    while :; do
        out=$("$@" 2>&1)
        [ "$out" = "$expected" ] && break
        [ "$(date +%s)" -ge "$deadline" ] && break
        sleep 0.1
    done
    check "$name" "$expected" "$out"
}

# bound NAME COUNTED UNSURE TOTAL: what a fault may do to exact counts:
# every hit answered "counted" is in TOTAL, and nothing else is but the
# UNSURE ones (sent, their answers cut off): counted <= total <= counted +
# unsure, and total = counted when nothing was unsure.
bound() {
    local name=$1 counted=$2 unsure=$3 total=${4:-0}
    check "$name: every counted hit ($counted <= $total)" 1 \
        "$([ "$total" -ge "$counted" ] && echo 1 || echo 0)"
    check "$name: nothing but cut-off hits ($total <= $counted + $unsure)" 1 \
        "$([ "$total" -le $((counted + unsure)) ] && echo 1 || echo 0)"
    if [ "$unsure" = 0 ]; then
        check "$name: nothing cut off, exact" "$counted" "$total"
    fi
}

# load_field NAME SUMMARY: the value of NAME=... in a loadgen.py summary
# line.
load_field() {
    echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# pageviews SITE: SITE's pageviews of today in Redis.
pageviews() {
    rcli HGET "bc:{$1}:tot:d:$(today)" pageviews
}

# metric NAME: NAME is the whole series name as printed, labels included,
# e.g. 'beacon_hits_total{endpoint="pixel",outcome="counted"}'.
metric() {
    curl -s --max-time 5 "$ADMIN/metrics" |
        awk -v n="$1" '$1 == n { v = $2 } END { print (v == "" ? 0 : v) }'
}

# address_search_checks WHERE OUTPUT CONTROL...: the checks on what
# addr_search.py printed: no address found (WHERE names the places
# searched), and each CONTROL needle found (proof that the search really
# reads there). SCANNED and ABSENT lines are shown.
address_search_checks() {
    local where=$1 out=$2 c
    shift 2
    echo "   $(echo "$out" | grep '^SCANNED')"
    # (beacond may not have created its data dir: then it holds nothing)
    echo "$out" | grep '^ABSENT ' | sed 's/^/   /'
    check "no address in $where" "" \
        "$(echo "$out" | grep -v -e '^CONTROL ' -e '^SCANNED ' -e '^ABSENT ')"
    for c in "$@"; do
        check "control found: $c" 1 "$(echo "$out" | grep -cx "CONTROL $c")"
    done
}

avoid_minute_edge() {
    local margin=${1:-5} s
    s=$((10#$(date -u +%S)))
    if [ "$s" -ge $((60 - margin)) ]; then
        sleep $((61 - s))
    fi
}

# ---- Generic helpers appended for the privacy tests (t_gate, t_optout,
# t_visitors, t_no_addresses).
#
#   instance_start NAME [CONFIG_LINES...]   one more beacond on the same
#                         Redis, with the config lines of beacond_start, in
#                         $T_DIR/NAME (own config, data dir, beacond.log,
#                         free ports, so its own instance_id), and made the
#                         current instance; BEACOND_WRAP applies as usual
#   instance_use NAME     makes NAME current: PORT, ADMIN_PORT, BASE, ADMIN
#                         and BEACOND_PID (so pixel, raw, metric,
#                         beacond_stop act on it); "main" is the instance
#                         that beacond_start started
#   avoid_hour_edge [SECS]  sleep into the next UTC hour (and so day) if
#                         fewer than SECS (default 30) seconds are left
#   hval NAME < HEADERS   the values of header NAME (case-insensitive), one
#                         per line, from `pixel`-style output
#
# Every instance is killed (by PID) when the file ends.
declare -A INST_PORT=() INST_ADMIN_PORT=() INST_PID=()
CUR_INST=main

instance_save() {
    INST_PORT[$CUR_INST]=${PORT:-}
    INST_ADMIN_PORT[$CUR_INST]=${ADMIN_PORT:-}
    INST_PID[$CUR_INST]=${BEACOND_PID:-}
}

instance_use() {
    instance_save
    CUR_INST=$1
    PORT=${INST_PORT[$1]:-}
    ADMIN_PORT=${INST_ADMIN_PORT[$1]:-}
    BEACOND_PID=${INST_PID[$1]:-}
    BASE="http://127.0.0.1:$PORT"
    ADMIN="http://127.0.0.1:$ADMIN_PORT"
}

instance_start() {
    local name=$1 top=$T_DIR rc
    shift
    instance_save
    mkdir -p "$top/$name"
    CUR_INST=$name
    PORT="" ADMIN_PORT="" BEACOND_PID=""
    T_DIR=$top/$name
    beacond_start "$@"
    rc=$?
    T_DIR=$top
    instance_save
    return $rc
}

instances_kill() {
    local n
    instance_save
    for n in "${!INST_PID[@]}"; do
        [ -n "${INST_PID[$n]}" ] && kill -KILL "${INST_PID[$n]}" 2>/dev/null
    done
}
trap 'instances_kill; cleanup' EXIT

avoid_hour_edge() {
    local margin=${1:-30} left
    left=$((3600 - $(date -u +%s) % 3600))
    if [ "$left" -le "$margin" ]; then
        sleep $((left + 1))
    fi
}

hval() {
    tr -d '\r' | grep -i "^$1:" | sed 's/^[^:]*: *//'
}
