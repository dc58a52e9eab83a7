# cluster_lib.sh: a Redis Cluster, beacond instances flushing to it and
# haproxy in front of them, for t_cluster.sh. Sourced after lib.sh (it
# uses T_DIR, T_NAME, T_FAILS, BEACOND, BROWSER_UA, and extends the EXIT
# trap; lib.sh's single-Redis helpers are not used). Every process runs
# in the foreground of its own (none daemonizes), backgrounded, and is
# killed by its PID when the test file ends, whichever way it ends.
#
#   cluster_start                 6 redis-server nodes, 1..6, each in
#                                 $T_DIR/node<i>, joined into 3 masters
#                                 with one replica each
#   cluster_ready                 true when every live node says
#                                 cluster_state:ok and lists a replica
#                                 for every slot range (CLUSTER SLOTS,
#                                 CLUSTER NODES), and every master has
#                                 an online replica
#   cluster_ok                    true when every live node says
#                                 cluster_state:ok (after a failover)
#   wait_true SECS CMD...         poll CMD (every 0.2 s) until it succeeds
#   node_addr I | node_kill I     127.0.0.1:PORT of node I | kill -9 it
#   node_alive I | node_index ADDR   node I runs | the node at ADDR
#   node_of_key KEY               the node (index) whose master serves KEY
#   node_masters | node_replicas  the live nodes (indexes) by role
#   cluster_nodes I               node I's CLUSTER NODES
#   live_node                     a live node's index
#   ncli I ARGS... | ccli ARGS... redis-cli on node I | redis-cli -c on a
#                                 live node
#   bc_start NAME SEEDS           beacond NAME in $T_DIR/NAME on the
#                                 cluster seeds SEEDS; a second call for
#                                 the same NAME restarts it with the same
#                                 configuration, ports and data dir
#   bc_kill NAME                  kill -9
#   bc_readyz NAME                its admin /readyz body
#   bc_ready NAME                 it runs, /readyz is 200, "redis: up"
#   bc_wait_ready NAME SECS       until bc_ready (or it exited)
#   bc_settled NAME               /readyz says redis up, backlog_keys 0
#                                 and wal_bytes 0
#   bc_metric NAME SERIES         a value of its admin /metrics
#   bc_pixel NAME QUERY [curl args...]  GET /p.gif straight to NAME as a
#                                 browser; prints the X-Beacon value
#   haproxy_start NAME...         haproxy on 127.0.0.1:$HA_PORT balancing
#                                 over the named instances (config
#                                 modelled on deploy/haproxy.cfg), with
#                                 its CSV statistics on $HA_STATS_PORT
#   ha_stat SERVER COLUMN         one column of haproxy's CSV statistics
#                                 for backend server SERVER (status,
#                                 chkdown, hrsp_5xx, stot, ...)
#   cluster_cleanup RC            the EXIT trap's part: kills the nodes,
#                                 the instances, haproxy and $LOAD_PID
#                                 (a background loadgen.py), and shows
#                                 the logs' ends when the file failed
#
# KEEP_LOGS=DIR: the file's logs and configurations (beacond, redis,
# haproxy, loadgen output) are copied to DIR/t_cluster.<time> before the
# temporary directory is removed.

declare -A NODE_PORT=() NODE_PID=() BC_PORT=() BC_ADMIN=() BC_PID=()
NODES="1 2 3 4 5 6"
HA_PID=""
LOAD_PID=""

# free_ports N: N distinct free loopback ports (held open together while
# they are chosen, so no two are the same)
free_ports() {
    python3 -c '
import socket, sys
ss = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    ss.append(s)
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}

wait_true() {
    local secs=$1 deadline
    shift
    deadline=$(($(date +%s) + secs))
    while :; do
        "$@" && return 0
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.2
    done
}

node_addr() { echo "127.0.0.1:${NODE_PORT[$1]}"; }

node_alive() { [ -n "${NODE_PID[$1]}" ] && kill -0 "${NODE_PID[$1]}" 2>/dev/null; }

ncli() {
    local i=$1
    shift
    timeout 5 redis-cli -p "${NODE_PORT[$i]}" "$@"
}

live_node() {
    local i
    for i in $NODES; do
        node_alive "$i" && { echo "$i"; return 0; }
    done
    return 1
}

ccli() {
    timeout 5 redis-cli -c -p "${NODE_PORT[$(live_node)]}" "$@"
}

# cluster_start: six nodes with cluster ports of their own (--cluster-port,
# not port + 10000), then redis-cli --cluster create; the roles are read
# back with node_masters and node_replicas. No diskless-sync delay (the
# replicas' first sync takes milliseconds instead of 5 s), and a
# replication ping every second instead of 10: CLUSTER SLOTS leaves out a
# replica whose replication offset is still 0, which it is until its
# master sends it something, so on a new cluster without writes the
# masters would seem to have no replicas for 10 s (and beacond's
# min_replicas_ack = auto, which reads CLUSTER SLOTS, would be 0).
cluster_start() {
    local ports i d addrs=""
    # shellcheck disable=SC2207
    ports=($(free_ports 12))
    for i in $NODES; do
        d=$T_DIR/node$i
        mkdir -p "$d"
        NODE_PORT[$i]=${ports[$((2 * i - 2))]}
        redis-server --port "${NODE_PORT[$i]}" --bind 127.0.0.1 \
            --cluster-enabled yes --cluster-port "${ports[$((2 * i - 1))]}" \
            --cluster-node-timeout 2000 \
            --cluster-config-file "$d/nodes.conf" --dir "$d" \
            --save '' --appendonly no --logfile "$d/redis.log" \
            --repl-diskless-sync-delay 0 --repl-ping-replica-period 1 &
        NODE_PID[$i]=$!
        addrs="$addrs $(node_addr "$i")"
    done
    for i in $NODES; do
        if ! wait_true 10 node_pong "$i"; then
            echo "redis-server node $i did not start:" >&2
            tail -n 20 "$T_DIR/node$i/redis.log" >&2
            return 1
        fi
    done
    # shellcheck disable=SC2086 # one argument per address
    if ! timeout 30 redis-cli --cluster create $addrs --cluster-replicas 1 \
        --cluster-yes >"$T_DIR/cluster-create.log" 2>&1; then
        echo "redis-cli --cluster create failed:" >&2
        tail -n 30 "$T_DIR/cluster-create.log" >&2
        return 1
    fi
}

node_pong() { [ "$(ncli "$1" PING 2>/dev/null)" = PONG ]; }

# cluster_nodes I: node I's CLUSTER NODES, without CRs
cluster_nodes() { ncli "$1" CLUSTER NODES 2>/dev/null | tr -d '\r'; }

# node_index ADDR: the index of the node at ADDR (127.0.0.1:PORT[@BUS])
node_index() {
    local i port=${1%@*}
    port=${port##*:}
    for i in $NODES; do
        [ "${NODE_PORT[$i]}" = "$port" ] && { echo "$i"; return 0; }
    done
    return 1
}

# node_masters / node_replicas: live nodes by role, as a live node sees
# them (masters: only those that serve slots)
node_masters() {
    local a
    for a in $(cluster_nodes "$(live_node)" |
        awk '$3 ~ /master/ && $3 !~ /fail/ && NF >= 9 { print $2 }'); do
        node_index "$a"
    done
}
node_replicas() {
    local a
    for a in $(cluster_nodes "$(live_node)" |
        awk '$3 ~ /slave/ && $3 !~ /fail/ { print $2 }'); do
        node_index "$a"
    done
}

# node_of_key KEY: the live master that serves KEY's slot
node_of_key() {
    local n slot
    n=$(live_node) || return 1
    slot=$(ncli "$n" CLUSTER KEYSLOT "$1") || return 1
    node_index "$(cluster_nodes "$n" | awk -v s="$slot" '
        $3 ~ /master/ && $3 !~ /fail/ {
            for (i = 9; i <= NF; i++) {
                if ($i ~ /^\[/) continue   # a slot in migration
                k = split($i, r, "-")
                if (s + 0 >= r[1] + 0 && s + 0 <= r[k] + 0) print $2
            }
        }' | head -n 1)"
}

# node_ok I: node I says cluster_state:ok
node_ok() {
    ncli "$1" CLUSTER INFO 2>/dev/null | tr -d '\r' | grep -qx 'cluster_state:ok'
}

cluster_ok() {
    local i
    for i in $NODES; do
        node_alive "$i" || continue
        node_ok "$i" || return 1
    done
}

# slots_replicated I: node I's CLUSTER SLOTS covers all 16384 slots and
# lists a replica for every range (what beacond's min_replicas_ack = auto
# goes by)
slots_replicated() {
    ncli "$1" --json CLUSTER SLOTS 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    sys.exit(1)
ok = sum(r[1] - r[0] + 1 for r in d) == 16384 and all(len(r) >= 4 for r in d)
sys.exit(0 if ok else 1)'
}

# cluster_ready: cluster_ok; every live node's CLUSTER SLOTS lists a
# replica for every range, and its CLUSTER NODES three masters with
# slots, each with a replica that is not failing; and on every master the
# replica's link is up (so WAIT 1 can be answered)
cluster_ready() {
    local i m
    cluster_ok || return 1
    for i in $NODES; do
        node_alive "$i" || continue
        slots_replicated "$i" || return 1
        cluster_nodes "$i" | awk '
            $3 ~ /master/ && $3 !~ /fail/ && NF >= 9 { m[$1] = 1 }
            $3 ~ /slave/ && $3 !~ /fail/ { r[$4]++ }
            END { n = 0
                  for (id in m) { n++; if (!(id in r)) exit 1 }
                  exit n == 3 ? 0 : 1 }' || return 1
    done
    for m in $(node_masters); do
        ncli "$m" INFO replication 2>/dev/null | tr -d '\r' |
            grep -q '^slave0:.*state=online' || return 1
    done
}

node_kill() {
    [ -n "${NODE_PID[$1]}" ] || return 0
    kill -KILL "${NODE_PID[$1]}" 2>/dev/null
    wait "${NODE_PID[$1]}" 2>/dev/null
    NODE_PID[$1]=""
}

# bc_start NAME SEEDS
bc_start() {
    local name=$1 seeds=$2 d=$T_DIR/$1 ports
    mkdir -p "$d"
    if [ -z "${BC_PORT[$name]:-}" ]; then
        # shellcheck disable=SC2207
        ports=($(free_ports 2))
        BC_PORT[$name]=${ports[0]}
        BC_ADMIN[$name]=${ports[1]}
        cat >"$d/beacond.conf" <<EOF
[server]
listen = 127.0.0.1:${BC_PORT[$name]}
admin = 127.0.0.1:${BC_ADMIN[$name]}
workers = 1
data_dir = $d/data
instance_id = $name
trusted_proxies = 127.0.0.1/32
[redis]
cluster = $seeds
flush_interval = 100ms
EOF
    fi
    ${BEACOND_WRAP:-} "$BEACOND" -c "$d/beacond.conf" 2>>"$d/beacond.log" &
    BC_PID[$name]=$!
}

bc_kill() {
    [ -n "${BC_PID[$1]:-}" ] || return 0
    kill -KILL "${BC_PID[$1]}" 2>/dev/null
    wait "${BC_PID[$1]}" 2>/dev/null
    BC_PID[$1]=""
}

bc_readyz() {
    curl -s --max-time 2 "http://127.0.0.1:${BC_ADMIN[$1]}/readyz" | tr -d '\r'
}

bc_ready() {
    [ -n "${BC_PID[$1]:-}" ] && kill -0 "${BC_PID[$1]}" 2>/dev/null &&
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
            "http://127.0.0.1:${BC_ADMIN[$1]}/readyz")" = 200 ] &&
        bc_readyz "$1" | grep -qx 'redis: up'
}

bc_wait_ready() {
    local deadline=$(($(date +%s) + $2))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        bc_ready "$1" && return 0
        kill -0 "${BC_PID[$1]:-0}" 2>/dev/null || break
        sleep 0.2
    done
    echo "beacond $1 is not ready (it exited, or $2 s passed); /readyz: $(bc_readyz "$1" | tr '\n' ' ')" >&2
    tail -n 20 "$T_DIR/$1/beacond.log" >&2
    return 1
}

bc_settled() {
    local r
    r=$(bc_readyz "$1")
    echo "$r" | grep -qx 'redis: up' &&
        echo "$r" | grep -qx 'backlog_keys: 0' &&
        echo "$r" | grep -qx 'wal_bytes: 0'
}

bc_metric() {
    curl -s --max-time 5 "http://127.0.0.1:${BC_ADMIN[$1]}/metrics" |
        awk -v n="$2" '$1 == n { v = $2 } END { print (v == "" ? 0 : v) }'
}

bc_pixel() {
    local name=$1 q=$2
    shift 2
    curl -s -D - -o /dev/null --max-time 5 -A "$BROWSER_UA" "$@" \
        "http://127.0.0.1:${BC_PORT[$name]}/p.gif?$q" |
        tr -d '\r' | grep -i '^x-beacon:' | sed 's/^[^:]*: *//'
}

# haproxy_start NAME...: the settings of deploy/haproxy.cfg, but faster
# health checks (every 300 ms, down after 2 failures, up after 2
# successes), one thread, no user, chroot, stats socket or syslog (it runs
# as the test's user in the foreground, and logs its abnormal requests to
# $T_DIR/haproxy/haproxy.log), and a statistics page for ha_stat. Waits
# until every server is UP.
haproxy_start() {
    local d=$T_DIR/haproxy name ports
    mkdir -p "$d"
    # shellcheck disable=SC2207
    ports=($(free_ports 2))
    HA_PORT=${ports[0]}
    HA_STATS_PORT=${ports[1]}
    {
        cat <<EOF
global
    maxconn 2000
    nbthread 1
    log stderr format raw local0 info

defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    option dontlognull
    option http-keep-alive
    timeout http-keep-alive 10s
    timeout http-request 10s
    timeout client 30s
    timeout connect 2s
    timeout server 10s
    timeout check 2s
    retries 3
    option redispatch 1

frontend beacon
    bind 127.0.0.1:$HA_PORT
    option forwardfor
    default_backend beacond

backend beacond
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
EOF
        for name in "$@"; do
            echo "    server $name 127.0.0.1:${BC_PORT[$name]} check port ${BC_ADMIN[$name]} inter 300 fall 2 rise 2"
        done
        cat <<EOF

listen stats
    bind 127.0.0.1:$HA_STATS_PORT
    stats enable
    stats uri /stats
EOF
    } >"$d/haproxy.cfg"
    haproxy -db -f "$d/haproxy.cfg" >>"$d/haproxy.log" 2>&1 &
    HA_PID=$!
    for name in "$@"; do
        if ! wait_true 10 ha_up "$name"; then
            echo "haproxy: server $name is not UP:" >&2
            tail -n 20 "$d/haproxy.log" >&2
            return 1
        fi
    done
}

ha_csv() { curl -s --max-time 2 "http://127.0.0.1:$HA_STATS_PORT/stats;csv"; }

ha_stat() {
    ha_csv | awk -F, -v s="$1" -v c="$2" '
        NR == 1 { sub(/^# /, ""); for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 == "beacond" && $2 == s { print $col[c] }'
}

ha_up() { [ "$(ha_stat "$1" status)" = UP ]; }

cluster_cleanup() {
    local rc=$1 i n keep f
    exec 2>/dev/null
    [ -n "$LOAD_PID" ] && kill -KILL "$LOAD_PID"
    [ -n "$HA_PID" ] && kill -KILL "$HA_PID"
    for n in "${!BC_PID[@]}"; do
        [ -n "${BC_PID[$n]}" ] && kill -KILL "${BC_PID[$n]}"
    done
    for i in "${!NODE_PID[@]}"; do
        [ -n "${NODE_PID[$i]}" ] && kill -KILL "${NODE_PID[$i]}"
    done
    wait
    if [ "$T_FAILS" -gt 0 ] || [ "$rc" -ne 0 ]; then
        for n in "${!BC_PORT[@]}"; do
            echo "---- $T_NAME: beacond $n log (last 20 lines)"
            tail -n 20 "$T_DIR/$n/beacond.log"
        done
        if [ -s "$T_DIR/haproxy/haproxy.log" ]; then
            echo "---- $T_NAME: haproxy log (last 10 lines)"
            tail -n 10 "$T_DIR/haproxy/haproxy.log"
        fi
    fi
    if [ -n "${KEEP_LOGS:-}" ]; then
        keep=$KEEP_LOGS/$T_NAME.$(date -u +%Y%m%dT%H%M%S)
        mkdir -p "$keep"
        (cd "$T_DIR" && for f in */*.log */*.conf */*.cfg *.log *.out *.txt; do
            [ -f "$f" ] && mkdir -p "$keep/$(dirname "$f")" && cp "$f" "$keep/$f"
        done)
        echo "---- $T_NAME: logs kept in $keep"
    fi
}
trap 'cluster_cleanup $?; instances_kill; cleanup' EXIT
