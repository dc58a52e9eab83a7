# One live beacond per instance_id (docs/CONFIG.md, instance_id): the lock
# key bc:instance:<id> holds the holder's host and data dir stamp
# (host:<first batch number>) with a TTL.
#  1. a second beacond under the same id (another data dir) is refused at
#     start, with an error that says why;
#  2. the same instance killed (-9) and started again takes its own lock
#     back at once;
#  3. a lock taken by someone else while beacond runs: hits are still
#     answered and logged, no batch goes until the lock is free again,
#     then every hit is in Redis once;
#  4. a clean stop gives the lock back.
. "$(dirname "$0")/lib.sh"
redis_start
avoid_hour_edge 30
beacond_start "server.instance_id = one"
D=$(today)
pv() { rcli HGET "bc:{lk}:tot:d:$D" pageviews; }

wait_eq "the lock is taken" 1 rcli EXISTS bc:instance:one
holder=$(rcli GET bc:instance:one)
ttl=$(rcli PTTL bc:instance:one)
check "the lock names the host and data dir" 1 \
    "$(echo "$holder" | grep -c "^$(hostname | cut -c1-63):[0-9][0-9]*$")"
check "the lock has a TTL of at most 15 s" 1 \
    "$([ "$ttl" -gt 0 ] && [ "$ttl" -le 15000 ] && echo 1)"

# 1. another instance, same id, its own data dir and ports
P2=$(free_port)
A2=$(free_port)
sed -e "s|^listen = .*|listen = 127.0.0.1:$P2|" \
    -e "s|^admin = .*|admin = 127.0.0.1:$A2|" \
    -e "s|^data_dir = .*|data_dir = $T_DIR/data2|" \
    "$T_DIR/beacond.conf" > "$T_DIR/second.conf"
timeout 20 "$BEACOND" -c "$T_DIR/second.conf" 2> "$T_DIR/second.log"
check "same id, another data dir: exit status 1" 1 "$?"
check "the refusal says why" 1 \
    "$(grep -c "instance_id one is in use by another beacond ($holder holds bc:instance:one)" "$T_DIR/second.log")"
check "the holder is unchanged" "$holder" "$(rcli GET bc:instance:one)"

# 2. killed and started again: its own lock, at once
for i in 1 2 3; do pixel "s=lk&u=/a" > /dev/null; done
wait_eq "three pageviews" 3 pv
beacond_kill
beacond_start "server.instance_id = one"
pixel "s=lk&u=/a" > /dev/null
wait_eq "restarted at once, counting: four pageviews" 4 pv
check "the same holder" "$holder" "$(rcli GET bc:instance:one)"

# 3. the lock held by another holder while beacond runs: the next refresh
# (every 5 s) finds it; hits are answered counted meanwhile, but no batch
# goes until the lock is free
rcli SET bc:instance:one "elsewhere:1" PX 60000 > /dev/null
wait_eq_t 8 "the refresh finds the lock taken" 1 \
    grep -c "bc:instance:one is held by another beacond (elsewhere:1)" "$T_DIR/beacond.log"
for i in 1 2 3 4 5; do
    check "hit $i while the lock is taken: counted" "counted" \
        "$(pixel "s=lk&u=/b" | hval x-beacon)"
done
sleep 1
check "no batch under another's lock" 4 "$(pv)"
rcli DEL bc:instance:one > /dev/null
wait_eq_t 8 "the lock free again: every hit in Redis once" 9 pv
check "the lock is ours again" "$holder" "$(rcli GET bc:instance:one)"

# 4. a clean stop gives the lock back
beacond_stop
check "SIGTERM: exit status 0" 0 "$BEACOND_STATUS"
check "a clean stop frees the lock" 0 "$(rcli EXISTS bc:instance:one)"
finish
