# A full disk acts like the log's quota (SPEC 7): the data dir on a 1 MiB
# tmpfs, Redis away; once no new log segment fits, hits are shed (never
# counted without their record, never a crash); with Redis back the
# segments it acknowledged go, and hits count again. Needs root to mount
# the tmpfs: without it the test says so and passes nothing else.
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
avoid_minute_edge 20

disk="$T_DIR/disk"
mkdir -p "$disk"
if ! mount -t tmpfs -o size=1m tmpfs "$disk" 2>/dev/null; then
    echo "   cannot mount a tmpfs here (not root?): full-disk case skipped"
    check "skipped: no tmpfs" ok ok
    finish
    exit 0
fi
trap 'beacond_kill; umount "$disk" 2>/dev/null; cleanup' EXIT

redis_start
beacond_start "server.workers = 1" "server.data_dir = $disk/data" \
    "redis.wal_segment_bytes = 128KiB"
redis_stop
out=$(timeout 60 python3 "$here/loadgen.py" --port "$PORT" --total 20000 \
    --conns 4 --pipeline 4 --sites full --paths 50)
echo "   loadgen (disk full): $out"
counted=$(load_field counted "$out")
check "all answered" 0 "$(load_field unanswered "$out")"
check "some counted" 1 "$([ "$counted" -gt 1000 ] && echo 1 || echo 0)"
check "the rest shed" 1 "$([ "$(load_field other "$out")" -gt 1000 ] && echo 1 || echo 0)"
check "beacond runs on" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/livez")"
check "the log says why" 1 \
    "$([ "$(grep -c "cannot start a segment" "$T_DIR/beacond.log")" -ge 1 ] && echo 1 || echo 0)"
redis_start
wait_eq_t 20 "Redis back: every counted hit, once" "$counted" pageviews full
out=$(timeout 60 python3 "$here/loadgen.py" --port "$PORT" --total 200 \
    --conns 2 --sites full2 --paths 5)
check "room again: counted" 200 "$(load_field counted "$out")"
wait_eq_t 15 "room again: in Redis" 200 pageviews full2
finish
