# A data dir made afresh while the clock reads earlier than the batches of
# the dir before it (SPEC 7): its batches are new, never taken for
# repeats. The first beacond runs a year ahead (libfaketime), so the
# batch numbers it leaves in Redis are those a clock stepped back by a
# year would find there; its data dir is removed, and a beacond on the
# real clock makes a new one. Each dir's batches have an applied-key of
# their own (P:{S}:applied:<instance>:<log id>); a dir of format 1 (no
# log id) keeps P:{S}:applied:<instance>.
. "$(dirname "$0")/lib.sh"
FAKETIME_LIB=${FAKETIME_LIB:-/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1}
[ -r "$FAKETIME_LIB" ] || { echo "t_wal_new_dir: $FAKETIME_LIB is missing (scripts/install-deps.sh test)" >&2; exit 1; }
# the checks read day keys: no day may end during the file
avoid_hour_edge 30

# pixels SITE N: N pixels of SITE, each answered as counted
pixels() {
    local i n=0
    for i in $(seq 1 "$2"); do
        pixel "s=$1&u=/p$i" | grep -q '^X-Beacon: counted' && n=$((n + 1))
    done
    echo "$n"
}
applied_keys() { rcli --scan --pattern "bc:{$1}:applied:*" | sort; }
log_id() { sed -n 's/^log //p' "$T_DIR/data/META"; }

redis_start
BEACOND_WRAP="env FAKETIME=+365d LD_PRELOAD=$FAKETIME_LIB" beacond_start
check "a year ahead: counted" 5 "$(pixels ahead 5)"
ahead_day=$(date -u -d '+365 days' +%Y%m%d)
wait_eq "a year ahead: in Redis, on its day" 5 \
    rcli HGET "bc:{ahead}:tot:d:$ahead_day" pageviews
old_log=$(log_id)
check "META names a log id" 1 "$(echo "$old_log" | grep -cE '^[0-9a-f]{16}$')"
beacond_stop
instance=test-$PORT
mark=$(rcli GET "bc:{ahead}:applied:$instance:$old_log")
check "the mark's sequence is a year ahead of the clock" 1 \
    "$(( ${mark%%:*} > ($(date +%s) + 300 * 86400) * 1000 ))"

# the same instance, a new data dir, the real clock: batches numbered a
# year lower than the mark above, for the same sites
rm -rf "$T_DIR/data"
beacond_start
new_log=$(log_id)
check "a new dir has a new log id" 1 \
    "$([ -n "$new_log" ] && [ "$new_log" != "$old_log" ] && echo 1)"
check "new dir: counted" 7 "$(pixels ahead 7)"
wait_eq "new dir: every hit in Redis" 7 pageviews ahead
check "one applied-key per log" \
    "$(printf 'bc:{ahead}:applied:%s:%s\n' "$instance" "$new_log" "$instance" "$old_log" | sort)" \
    "$(applied_keys ahead)"
beacond_stop

# a data dir of format 1 (beacond 0.1: no log id) keeps its applied-key
sed -i -e 's/^format 2$/format 1/' -e '/^log /d' "$T_DIR/data/META"
beacond_start
check "format 1: counted" 3 "$(pixels old 3)"
wait_eq "format 1: in Redis" 3 pageviews old
check "format 1: the applied-key without a log id" \
    "bc:{old}:applied:$instance" "$(applied_keys old)"
beacond_stop
check "stop: exit status" 0 "$BEACOND_STATUS"
finish
