# Redis Cluster mode behind a load balancer. Six redis-server nodes (three
# masters with a replica each, listed by CLUSTER SLOTS before beacond
# starts, so that min_replicas_ack = auto makes it WAIT for one replica),
# two beacond instances (c1, c2) flushing to the cluster, haproxy
# balancing between them (round robin, health checks on /readyz,
# X-Forwarded-For added). A rate-limited load of 40 000 pixels
# over 30 sites goes through haproxy for about 10 s; 3 s in, c2 is killed
# -9 and restarted a second later (its write-ahead log replays); 6 s in, a
# master is killed -9 and its replica takes over. Once both instances have
# nothing left in memory or in their logs, every site's pageviews in the
# cluster are
#   counted <= total <= counted + nobeacon + unanswered
# (nobeacon: answers that did not come from beacond, haproxy's 502 or 503
# for requests cut off by the kill; unanswered: no answer at all), and
# exactly counted for a site where beacond answered every request. Then
# the same 20 visitors, sent straight to c1 and then to c2, are counted
# once: the instances share the day's salt through the cluster. Then a
# site's slot is migrated to another master while c1 writes it: exact.
# Last, the dashboard (/api/stats, beaconctl report) reads the cluster.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cluster_lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
command -v haproxy >/dev/null ||
    { echo "t_cluster: haproxy is missing (scripts/install-deps.sh test)" >&2; exit 1; }

TOTAL=40000
RATE=4000 # about 10 s
N_SITES=30
SITES=$(seq -f 's%02g' 1 "$N_SITES" | paste -sd, -)
UV_SITE=visitors
N_VISITORS=20
T_START=$(date +%s)

# a setup step that failed: nothing after it can be checked
fatal() {
    check "$1" ok failed
    finish
}

# The day keys are read at the end: no run across midnight (the test
# takes about 20 s, 25 s on a busy machine).
avoid_hour_edge 60
D=$(today)

# ------------------------------------------------ the cluster
cluster_start || fatal "cluster: six nodes joined"
wait_true 30 cluster_ready || fatal "cluster: state ok, every master with an online replica"
MASTERS=$(node_masters | sort | paste -sd' ' -)
check "cluster: 3 masters" 3 "$(echo "$MASTERS" | wc -w)"
check "cluster: 3 replicas" 3 "$(node_replicas | wc -l)"

# which master serves which site; the victim is the master of s01's slot
declare -A SITE_NODE=()
for s in ${SITES//,/ }; do
    SITE_NODE[$s]=$(node_of_key "bc:{$s}:x")
done
for m in $MASTERS; do
    n=0
    for s in "${!SITE_NODE[@]}"; do
        [ "${SITE_NODE[$s]}" = "$m" ] && n=$((n + 1))
    done
    echo "   master node $m ($(node_addr "$m")): $n sites"
    check "master node $m serves some of the sites" 1 "$([ "$n" -gt 0 ] && echo 1 || echo 0)"
done
VICTIM=${SITE_NODE[s01]}
VICTIM_SITES=""
for s in ${SITES//,/ }; do
    [ "${SITE_NODE[$s]}" = "$VICTIM" ] && VICTIM_SITES="$VICTIM_SITES $s"
done
# the victim's replica, which the failover promotes
VICTIM_ID=$(cluster_nodes "$VICTIM" | awk '$3 ~ /myself/ { print $1 }')
VICTIM_REPLICA=$(node_index "$(cluster_nodes "$VICTIM" |
    awk -v m="$VICTIM_ID" '$3 ~ /slave/ && $4 == m { print $2 }')")

# Seeds: the victim first (after its death beacond must ask the next
# seed for the map), another master and a replica.
OTHER_MASTER=$(for m in $MASTERS; do [ "$m" != "$VICTIM" ] && echo "$m"; done | head -n 1)
OTHER_REPLICA=$(node_replicas | grep -vx "$VICTIM_REPLICA" | head -n 1)
SEEDS="$(node_addr "$VICTIM"), $(node_addr "$OTHER_MASTER"), $(node_addr "$OTHER_REPLICA")"

# ------------------------------------------------ beacond x2, haproxy
check "deploy/haproxy.cfg is valid (haproxy -c)" 0 \
    "$(haproxy -c -q -f "$here/../../deploy/haproxy.cfg" >/dev/null 2>&1; echo $?)"
bc_start c1 "$SEEDS"
bc_start c2 "$SEEDS"
bc_wait_ready c1 15 || fatal "c1 ready"
bc_wait_ready c2 15 || fatal "c2 ready"
haproxy_start c1 c2 || fatal "haproxy: c1 and c2 UP"

# ------------------------------------------------ load and faults
# sleep_until OFFSET: sleep until OFFSET seconds after the load began
sleep_until() {
    local d
    d=$(awk -v t0="$LOAD_T0" -v o="$1" -v now="$(date +%s.%N)" \
        'BEGIN { d = t0 + o - now; printf "%.3f\n", (d > 0 ? d : 0) }')
    sleep "$d"
}
since_load() {
    awk -v t0="$LOAD_T0" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", now - t0 }'
}

python3 "$here/loadgen.py" --port "$HA_PORT" --total $TOTAL --rate $RATE \
    --conns 16 --pipeline 4 --sites "$SITES" --paths 20 --io-timeout 3 \
    --timeout 45 --per-site "$T_DIR/per_site.txt" >"$T_DIR/load.out" 2>&1 &
LOAD_PID=$!
LOAD_T0=$(date +%s.%N)

sleep_until 3
echo "   $(since_load) s: kill -9 beacond c2"
bc_kill c2
# (haproxy's health checks take it out within about 0.6 s; the restart
# waits for that, at most 3 s more)
sleep_until 4
wait_true 3 eval '! ha_up c2'
echo "   $(since_load) s: restart c2 (haproxy says c2 is $(ha_stat c2 status))"
bc_start c2 "$SEEDS"
sleep_until 6
echo "   $(since_load) s: kill -9 master node $VICTIM ($(node_addr "$VICTIM"), sites:$VICTIM_SITES)"
node_kill "$VICTIM"
wait "$LOAD_PID"
LOAD_RC=$?
LOAD_PID=""
echo "   $(since_load) s: load done (exit $LOAD_RC): $(cat "$T_DIR/load.out")"
summary=$(head -n 1 "$T_DIR/load.out")
check "loadgen sent every request" $TOTAL "$(load_field sent "$summary")"

# ------------------------------------------------ settled
# Both instances with nothing in memory or in the log that the cluster has
# not acknowledged, the cluster ok again, and the same sum twice in a row.
pv() { ccli HGET "bc:{$1}:tot:d:$D" pageviews | tr -d '\r'; }
sum_all() {
    local s t=0 v
    for s in ${SITES//,/ }; do
        v=$(pv "$s")
        t=$((t + ${v:-0}))
    done
    echo "$t"
}
SUM_PREV=x
settled() {
    local sum
    cluster_ok && bc_settled c1 && bc_settled c2 || return 1
    sum=$(sum_all)
    [ "$sum" = "$SUM_PREV" ] && return 0
    SUM_PREV=$sum
    return 1
}
if wait_true 30 settled; then
    echo "   $(since_load) s: settled (both instances: backlog_keys 0, wal_bytes 0; cluster_state ok)"
else
    echo "   not settled after 30 s:"
    echo "   c1 /readyz: $(bc_readyz c1 | tr '\n' ' ')"
    echo "   c2 /readyz: $(bc_readyz c2 | tr '\n' ' ')"
    for i in $NODES; do
        node_alive "$i" && echo "   node $i: $(ncli "$i" CLUSTER INFO | tr -d '\r' | grep cluster_state)"
    done
fi
check "settled: backlogs empty, cluster ok" 1 "$(settled && echo 1 || echo 0)"

check "c2 was restarted and is ready" 1 "$(bc_ready c2 && echo 1 || echo 0)"
# (what the kill left in c2's log, as its restart says: not checked, the
# kill may fall just after a flush)
grep -h 'recovery' "$T_DIR/c2/beacond.log" | sed 's/^/   c2: /'
# min_replicas_ack = auto: WAIT 1 after every batch on a master that has
# a replica (seen on the masters that lived)
for m in $MASTERS; do
    [ "$m" = "$VICTIM" ] && continue
    w=$(ncli "$m" INFO commandstats | tr -d '\r' |
        sed -n 's/^cmdstat_wait:calls=\([0-9]*\),.*/\1/p')
    echo "   master node $m: ${w:-0} WAIT calls"
    check "master node $m: beacond waited for its replica" 1 \
        "$([ "${w:-0}" -gt 0 ] && echo 1 || echo 0)"
done
NEW_MASTER=$(node_of_key "bc:{s01}:x")
check "failover: the victim's replica serves its slots" "$VICTIM_REPLICA" "$NEW_MASTER"
down=$(ha_stat c2 chkdown)
check "haproxy: c2 went DOWN (health check) and is UP again" \
    "UP 1" "$(ha_stat c2 status) $(( ${down:-0} >= 1 ? 1 : 0 ))"
check "haproxy: c1 stayed UP" "UP 0" "$(ha_stat c1 status) $(ha_stat c1 chkdown)"
for n in c1 c2; do
    c=$(bc_metric "$n" 'beacon_hits_total{endpoint="pixel",outcome="counted"}')
    e=$(bc_metric "$n" beacon_redis_errors_total)
    echo "   $n since its start: counted $c, Redis errors $e"
    check "$n counted some of the load" 1 "$([ "${c%.*}" -gt 0 ] && echo 1 || echo 0)"
    # (its connection to the killed master was lost: the failover reached it)
    check "$n lost its connection to the killed master" 1 \
        "$([ "${e%.*}" -gt 0 ] && echo 1 || echo 0)"
done

# ------------------------------------------------ per-site totals
TOT_COUNTED=0 TOT_UNSURE=0 TOT_DROPPED=0 TOT_REDIS=0 EXACT_SITES=0
while read -r line; do
    s=$(load_field site "$line")
    counted=$(load_field counted "$line")
    dropped=$(load_field dropped "$line")
    unsure=$(($(load_field nobeacon "$line") + $(load_field unanswered "$line")))
    total=$(pv "$s")
    total=${total:-0}
    TOT_COUNTED=$((TOT_COUNTED + counted))
    TOT_UNSURE=$((TOT_UNSURE + unsure))
    TOT_DROPPED=$((TOT_DROPPED + dropped))
    TOT_REDIS=$((TOT_REDIS + total))
    if [ "$unsure" -gt 0 ] || [ "$total" != "$counted" ]; then
        echo "   $line total=$total"
    fi
    bound "$s in the cluster" "$counted" "$unsure" "$total"
    if [ "$unsure" = 0 ]; then
        EXACT_SITES=$((EXACT_SITES + 1))
    fi
done <"$T_DIR/per_site.txt"
echo "   counted $TOT_COUNTED, in the cluster $TOT_REDIS, cut off $TOT_UNSURE" \
    "($EXACT_SITES of $N_SITES sites exact)"
check "per-site report: one line per site" "$N_SITES" "$(wc -l <"$T_DIR/per_site.txt")"
check "per-site report adds up to the summary" \
    "$(load_field counted "$summary")" "$TOT_COUNTED"
check "no hit refused by beacond" 0 "$TOT_DROPPED"
check "most of the load counted (> 90 %)" 1 \
    "$([ $((TOT_COUNTED * 10)) -gt $((TOTAL * 9)) ] && echo 1 || echo 0)"

# ------------------------------------------------ visitors on both instances
# The same 20 visitors (X-Forwarded-For from a trusted proxy, one browser)
# straight to c1, then to c2: one pseudonym per visitor on both.
uv() { ccli PFCOUNT "bc:{$UV_SITE}:uv:d:$D" | tr -d '\r'; }
visitors_to() {
    local n=$1 i bad=0
    for i in $(seq 1 $N_VISITORS); do
        [ "$(bc_pixel "$n" "s=$UV_SITE&u=/v" -H "X-Forwarded-For: 10.9.0.$i")" = counted ] ||
            bad=$((bad + 1))
    done
    check "$N_VISITORS visitors to $n: all counted" 0 "$bad"
}
visitors_to c1
# (the pageviews and the HyperLogLog may be in different calls of a
# batch: the instance's empty backlog says the whole batch is in)
wait_eq_t 10 "visitors: c1's flush reached the cluster" $N_VISITORS pv "$UV_SITE"
check "visitors: c1 settled" 1 "$(wait_true 10 bc_settled c1 && echo 1 || echo 0)"
UV1=$(uv)
# (20 pseudonyms fall into 20 distinct HyperLogLog registers but about one
# time in 90, when two share one and PFCOUNT says 19)
echo "   PFCOUNT after c1: $UV1"
check "visitors: PFCOUNT after c1 is 20 (19 on a register collision)" 1 \
    "$([ "${UV1:-0}" -eq $N_VISITORS ] || [ "${UV1:-0}" -eq $((N_VISITORS - 1)) ] && echo 1 || echo 0)"
visitors_to c2
wait_eq_t 10 "visitors: c2's flush reached the cluster" $((2 * N_VISITORS)) pv "$UV_SITE"
check "visitors: c2 settled" 1 "$(wait_true 10 bc_settled c2 && echo 1 || echo 0)"
check "visitors: the same visitors on c2 are no new visitors" "$UV1" "$(uv)"

# ------------------------------------------------ a slot migrated under load
# The slot of site "moving" goes from its master to another one while c1
# writes it: CLUSTER SETSLOT IMPORTING/MIGRATING, MIGRATE of its keys a
# few at a time with pauses (beacond meets ASK and TRYAGAIN meanwhile),
# SETSLOT NODE on every master (then MOVED). Every hit answered counted
# is in the cluster once, at the new master.
MV_SITE=moving
MV_SLOT=$(ccli CLUSTER KEYSLOT "bc:{$MV_SITE}:x" | tr -d '\r')
MV_FROM=$(node_of_key "bc:{$MV_SITE}:x")
MV_TO=$(for m in $(node_masters); do [ "$m" != "$MV_FROM" ] && echo "$m"; done | head -n 1)
MV_FROM_ID=$(ncli "$MV_FROM" CLUSTER MYID | tr -d '\r')
MV_TO_ID=$(ncli "$MV_TO" CLUSTER MYID | tr -d '\r')
python3 "$here/loadgen.py" --port "${BC_PORT[c1]}" --total 6000 --rate 1500 \
    --conns 4 --sites "$MV_SITE" --paths 40 --timeout 60 >"$T_DIR/mv_load.txt" &
MV_LOAD=$!
MV_RETRIED=$(bc_metric c1 beacon_batches_retried_total)
sleep 1.5
ncli "$MV_TO" CLUSTER SETSLOT "$MV_SLOT" IMPORTING "$MV_FROM_ID" >/dev/null
ncli "$MV_FROM" CLUSTER SETSLOT "$MV_SLOT" MIGRATING "$MV_TO_ID" >/dev/null
moved=0
for _ in $(seq 1 200); do
    keys=$(ncli "$MV_FROM" CLUSTER GETKEYSINSLOT "$MV_SLOT" 5 | tr -d '\r')
    [ -n "$keys" ] || break
    # shellcheck disable=SC2086 # one argument per key
    ncli "$MV_FROM" MIGRATE 127.0.0.1 "${NODE_PORT[$MV_TO]}" "" 0 5000 \
        KEYS $keys >/dev/null
    moved=$((moved + $(echo "$keys" | wc -w)))
    sleep 0.05
done
for m in $(node_masters); do
    ncli "$m" CLUSTER SETSLOT "$MV_SLOT" NODE "$MV_TO_ID" >/dev/null
done
echo "   slot $MV_SLOT of $MV_SITE: $moved keys moved from node $MV_FROM to node $MV_TO"
wait "$MV_LOAD"
mv_summary=$(tail -n 1 "$T_DIR/mv_load.txt")
echo "   loadgen (moving): $mv_summary"
check "migration: keys were moved under load" 1 "$([ "$moved" -gt 0 ] && echo 1 || echo 0)"
# (ASK, TRYAGAIN and MOVED fail a send, which goes again 100 ms later)
check "migration: c1 met the migration (batches sent again)" 1 \
    "$([ "$(bc_metric c1 beacon_batches_retried_total)" -gt "$MV_RETRIED" ] && echo 1 || echo 0)"
check "migration: the slot's master is the new one" "$MV_TO" \
    "$(node_of_key "bc:{$MV_SITE}:x")"
check "migration: c1 settled" 1 "$(wait_true 30 bc_settled c1 && echo 1 || echo 0)"
check "migration: every hit answered, all counted" \
    "sent=6000 counted=6000 other=0 unanswered=0" \
    "$(echo "$mv_summary" | awk '{print $1, $2, $3, $4}')"
check "migration: every counted hit in the cluster once" 6000 \
    "$(ccli HGET "bc:{$MV_SITE}:tot:d:$D" pageviews | tr -d '\r')"
check "migration: the site's keys are all on the new master" 0 \
    "$(ncli "$MV_FROM" CLUSTER COUNTKEYSINSLOT "$MV_SLOT" | tr -d '\r')"

# ------------------------------------------------ the dashboard reads the cluster
# /api/stats (the admin's query thread) and beaconctl report follow the
# cluster to each site's master; their totals are what the cluster holds.
CTL=$(dirname "$BEACOND")/beaconctl
api() { curl -s --max-time 10 "http://127.0.0.1:${BC_ADMIN[c1]}/api/$1"; }
json_field() { python3 -c 'import json,sys; s=json.load(sys.stdin); print(json.dumps(eval(sys.argv[1]), separators=(",", ":")))' "$1"; }
for s in s01 s02 s17 s29 s30; do
    want=$(ccli HGET "bc:{$s}:tot:d:$D" pageviews | tr -d '\r')
    got=$(api "stats?site=$s" | json_field 's["totals"]["pageviews"]')
    check "/api/stats of $s: its pageviews in the cluster" "$want" "$got"
done
check "/api/sites: every site, from the cluster" $((N_SITES + 2)) \
    "$(api sites | json_field 'len(s["sites"])')"
check "beaconctl report --json of s01 is /api/stats" "$(api "stats?site=s01")" \
    "$("$CTL" -c "$T_DIR/c1/beacond.conf" report --site s01 --json)"

check "still the same UTC day" "$D" "$(today)"
echo "   t_cluster took $(($(date +%s) - T_START)) s"
finish
