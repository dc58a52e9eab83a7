# kill -9 of beacond at six moments of a 100 000-hit load at full speed
# (one while Redis sleeps with a batch unread, one with batches, e-mail
# opens and clicks sent beside the pixels), then a restart: every hit
# answered "counted" is in Redis once, and nothing else is but hits whose
# answers the kill cut off:
#   counted <= Redis total <= counted + unanswered
# (equal when nothing was left unanswered).
# The kill moments are drawn at random in fixed bands; the seed is printed,
# and KILL_SEED=N tests/integration/run.sh build/beacond t_wal_kill
# draws the same moments again.
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
BEACONCTL=${BEACONCTL:-$(dirname "$BEACOND")/beaconctl}
avoid_minute_edge
# the checks read day keys: no day may end during the file
avoid_hour_edge 60

seed=${KILL_SEED:-$(python3 -c 'import random; print(random.randrange(1, 1 << 31))')}
case "$seed" in
'' | *[!0-9]*) echo "KILL_SEED must be a number, not '$seed'" >&2; exit 2 ;;
esac
# bands: k1 0.2-0.6 s, k2 0.6-1.2, k3 1.2-1.8, k4 1.8-2.3 (the load
# takes about 3 s here), k5 (Redis
# asleep) 0.6-1.4, k6 (every ingest path) 0.6-1.4
read -r d1 d2 d3 d4 d5 d6 < <(python3 -c 'import random, sys
r = random.Random(int(sys.argv[1]))
print(" ".join("%.2f" % r.uniform(a, b) for a, b in
               ((0.2, 0.6), (0.6, 1.2), (1.2, 1.8), (1.8, 2.3), (0.6, 1.4), (0.6, 1.4))))' "$seed")
echo "   KILL_SEED=$seed: kills after $d1 $d2 $d3 $d4 $d5 $d6 s"

# the same config at every start: opens and clicks need the mail keys
RK=1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
K1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
CONF=("mail.recipient_key = $RK" "mail.link_keys = k1:$K1")
redis_start_args --enable-debug-command yes
beacond_start "${CONF[@]}"

# a few signed links for k6's clicks, each clicked many times
for i in 1 2 3 4; do
    "$BEACONCTL" -c "$T_DIR/beacond.conf" sign link --site k6 --campaign k6 \
        --link "l$i" --to "https://shop.example/$i" --recipient "reader-000$i"
done > "$T_DIR/links"
check "k6: four signed links" 4 "$(grep -c '^http://.*/c/k6/k6/l[1-4]?' "$T_DIR/links")"

# killed_bound NAME COUNTED UNANSWERED TOTAL: lib.sh's bound, and some
# counted before the kill
killed_bound() {
    bound "$@"
    check "$1: some counted before the kill" 1 \
        "$([ "$2" -gt 0 ] && echo 1 || echo 0)"
}

# snapshot SITE: what the site's keys hold (for the mixed run: events,
# opens and clicks too)
snapshot() {
    echo "$(pageviews "$1") $(rcli HGET "bc:{$1}:tot:d:$(today)" events)" \
        "$(rcli HGET "bc:{$1}:mail:$1:tot" opens) $(rcli HGET "bc:{$1}:mail:$1:tot" clicks)" \
        "$(rcli HGET "bc:{$1}:tot:d:$(today)" opens) $(rcli HGET "bc:{$1}:tot:d:$(today)" clicks)"
}

# run SITE DELAY [slow|mixed]: the load, kill -9 after DELAY s; with
# "slow", Redis sleeps (DEBUG SLEEP) from before the kill: the batch in
# flight waits in its socket, is applied after beacond is gone, and comes
# again from the log after the restart, where the script must take it as
# a repeat. With "mixed", mixed_send.py sends batches, opens and clicks
# beside the pixels, one at a time.
run() {
    local site=$1 delay=$2 mode=${3:-} out sent counted unanswered total
    timeout 90 python3 "$here/loadgen.py" --port "$PORT" --total 100000 \
        --conns 16 --pipeline 16 --sites "$site" --paths 200 \
        --io-timeout 2 > "$T_DIR/load.out" &
    local lpid=$! spid= mpid=
    if [ "$mode" = mixed ]; then
        timeout 60 python3 "$here/mixed_send.py" --port "$PORT" --site "$site" \
            --campaign "$site" --links "$T_DIR/links" --ua "$BROWSER_UA" \
            --max 300000 --timeout 30 --io-timeout 2 > "$T_DIR/mixed.out" &
        mpid=$!
    fi
    sleep "$delay"
    if [ "$mode" = slow ]; then
        rcli DEBUG SLEEP 1.5 >/dev/null &
        spid=$!
        sleep 0.3
    fi
    beacond_kill
    wait "$lpid"
    [ -z "$mpid" ] || wait "$mpid"
    out=$(cat "$T_DIR/load.out")
    echo "   $site (kill after ${delay}s${mode:+, $mode}): $out"
    sent=$(load_field sent "$out")
    counted=$(load_field counted "$out")
    unanswered=$(load_field unanswered "$out")
    # the kill came during the load, not after it
    check "$site: the kill cut the load (sent=$sent, unanswered=$unanswered)" 1 \
        "$([ "$sent" -lt 100000 ] || [ "$unanswered" -gt 0 ] && echo 1 || echo 0)"
    local lines
    lines=$(wc -l < "$T_DIR/beacond.log")
    beacond_start "${CONF[@]}"
    [ -z "$spid" ] || wait "$spid"
    # Settled: nothing left in memory or in the log that Redis has not
    # acknowledged, and the same values twice, a second apart.
    local i now prev=x
    for i in $(seq 1 30); do
        now=$(snapshot "$site")
        [ "$now" = "$prev" ] && [ "$(metric beacon_backlog_keys)" = 0 ] &&
            [ "$(metric beacon_wal_bytes)" = 0 ] && break
        prev=$now
        sleep 1
    done
    total=$(pageviews "$site")
    killed_bound "$site" "$counted" "$unanswered" "${total:-0}"
    if [ "${total:-0}" -lt "$counted" ]; then
        echo "   $site: what beacond said:"
        grep -E "recovery|wal|journal|flusher|redis" "$T_DIR/beacond.log" | tail -20
    fi
    if [ "$mode" = slow ]; then
        # the restart found the batch that Redis held unread in the journal
        check "$site: the restart read back the batch in flight" 1 \
            "$(tail -n +$((lines + 1)) "$T_DIR/beacond.log" |
                grep -c 'recovery: [0-9]* hits read back from the log, with the batch in flight')"
    fi
    [ "$mode" = mixed ] && mixed_checks "$site"
}

# mixed_checks SITE: each kind mixed_send.py sent, against the keys its
# endpoint writes: events in tot:d.events, opens and clicks in the
# campaign's mail:<C>:tot and in tot:d
mixed_checks() {
    local site=$1 out line kc ku day="bc:{$1}:tot:d:$(today)"
    out=$(cat "$T_DIR/mixed.out")
    echo "$out" | sed "s/^/   $site mixed: /"
    check "$site mixed: the kill cut the sender" 1 "$(echo "$out" | grep -c '^end=cut ')"
    for kind in events opens clicks; do
        line=$(echo "$out" | grep "^kind=$kind ")
        kc=$(load_field counted "$line")
        ku=$(load_field unanswered "$line")
        case $kind in
        events) killed_bound "$site events" "$kc" "$ku" "$(rcli HGET "$day" events)" ;;
        *)
            killed_bound "$site $kind (mail:$site:tot)" "$kc" "$ku" \
                "$(rcli HGET "bc:{$site}:mail:$site:tot" "$kind")"
            killed_bound "$site $kind (tot:d)" "$kc" "$ku" "$(rcli HGET "$day" "$kind")"
            ;;
        esac
    done
}

run k1 "$d1"
run k2 "$d2"
run k3 "$d3"
run k4 "$d4"
run k5 "$d5" slow
run k6 "$d6" mixed
finish
