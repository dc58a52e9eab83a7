# A damaged write-ahead log: a truncated last block, and a flipped byte in
# the middle of a log. `beaconctl wal verify` says where (exit 1); beacond
# replays up to the last good block, keeps the damaged segment in
# damaged/, runs on and counts new hits; `beaconctl wal dump` prints
# records without an address.
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
ctl=$(dirname "$BEACOND")/beaconctl
avoid_minute_edge
wal="$T_DIR/data/wal"

load() { # SITE TOTAL
    timeout 60 python3 "$here/loadgen.py" --port "$PORT" --total "$2" \
        --conns 4 --pipeline 4 --sites "$1" --paths 20 >/dev/null
}
# record_at SITE N: about SITE's N-th record (1-based) in worker 0's log,
# from the dump and the block headers (records len 4 bytes, CRC 4, after
# the segment's 32-byte header): its position, how many records SITE has,
# the position of the block that holds it, and how many of SITE's records
# come before that block.
record_at() {
    "$ctl" wal dump "$T_DIR/data" |
        python3 -c 'import json,os,struct,sys
site, n, wal = sys.argv[1], int(sys.argv[2]), sys.argv[3]
recs = [r["position"] for r in map(json.loads, sys.stdin)
        if r["worker"] == 0 and r["site"] == site]
pos = recs[n - 1]
segs = sorted(int(f[5:21], 16) for f in os.listdir(wal) if f.startswith("w000-"))
start = max(s for s in segs if s <= pos)
data = open(os.path.join(wal, "w000-%016x.wal" % start), "rb").read()
off, block = 32, start
while True:
    (size,) = struct.unpack_from("<I", data, off)
    if block + 8 + size > pos:
        break
    off += 8 + size
    block += 8 + size
print(pos, len(recs), block, sum(1 for r in recs if r < block))' "$1" "$2" "$wal"
}
seg_of() { ls "$wal" | grep "^w$(printf %03d "$1")-" | head -1; }

redis_start
beacond_start "server.workers = 1"
redis_stop
load torn 200
beacond_kill

"$ctl" wal check "$T_DIR/data" 2>/dev/null
check "wal: an unknown action is a usage error" 2 $?
"$ctl" wal verify 2>/dev/null
check "wal: no DIR is a usage error" 2 $?
err=$("$ctl" wal verify "$T_DIR/nowhere" 2>&1)
check "wal: a missing DIR: exit 1" 1 $?
check "wal: a missing DIR: says which" 1 "$(echo "$err" | grep -c "nowhere: No such file or directory")"
out=$("$ctl" wal verify "$T_DIR/data")
check "verify: a whole log" 0 $?
check "verify: says ok" 1 "$(echo "$out" | grep -c "worker 0: 1 segment, 200 records, positions 0 to [0-9]*: ok")"
dump=$("$ctl" wal dump "$T_DIR/data")
check "dump: a line a record" 200 "$(echo "$dump" | wc -l)"
check "dump: no address" 0 "$(echo "$dump" | grep -c '127\.0\.0\.1')"
check "dump: pseudonymous visitor" 200 "$(echo "$dump" | grep -c '"visitor":"[0-9a-f]\{32\}"')"

# 1. the last block cut short: a crash in the middle of its write
set -- $(record_at torn 200)
seg=$(seg_of 0)
whole=$4
truncate -s $((32 + $3 + 5)) "$wal/$seg"
out=$("$ctl" wal verify "$T_DIR/data")
check "verify torn: exit 1" 1 $?
check "verify torn: where" 1 "$(echo "$out" | grep -c "torn: $seg at byte $((32 + $3)): block cut short")"
beacond_start "server.workers = 1"
redis_start
wait_eq_t 15 "torn: the records of the whole blocks count" "$whole" pageviews torn
check "torn: logged once" 1 "$(grep -c "worker 0's log: $seg at byte" "$T_DIR/beacond.log")"
check "torn: a copy in damaged/" 1 "$(ls "$T_DIR/data/damaged" | grep -c "$seg")"
load torn 10
wait_eq_t 15 "torn: new hits count on" $((whole + 10)) pageviews torn
beacond_kill

# 2. a flipped byte in the middle of the log
redis_stop
beacond_start "server.workers = 1"
load flip 300
beacond_kill
seg=$(ls "$wal" | tail -1)
set -- $(record_at flip 150)
start=$((16#${seg:5:16}))
before=$4
block=$((32 + $3 - start))
# record 150's bytes: 8 further when it opens its block
rec=$((32 + $1 - start + ($1 == $3 ? 8 : 0)))
printf 'X' | dd of="$wal/$seg" bs=1 seek=$((rec + 20)) conv=notrunc status=none
out=$("$ctl" wal verify "$T_DIR/data")
check "verify damaged: exit 1" 1 $?
check "verify damaged: where" 1 "$(echo "$out" | grep -c "damaged: $seg at byte $block: bad block")"
# the damaged segment as beacond finds it (it is cut after the copy), and
# what the log and damaged/ held before this start
cp "$wal/$seg" "$T_DIR/flipped.wal"
lines=$(wc -l < "$T_DIR/beacond.log")
ls "$T_DIR/data/damaged" > "$T_DIR/damaged.before"
beacond_start "server.workers = 1"
redis_start
wait_eq_t 15 "damaged: the records of the blocks before it count" "$before" pageviews flip
tail -n +$((lines + 1)) "$T_DIR/beacond.log" > "$T_DIR/flip.log"
check "damaged: logged once" 1 "$(grep -c "worker 0's log: " "$T_DIR/flip.log")"
check "damaged: logged where" 1 "$(grep -c "worker 0's log: $seg at byte $block: bad block" "$T_DIR/flip.log")"
new_copies=$(ls "$T_DIR/data/damaged" | grep -vxF -f "$T_DIR/damaged.before")
check "damaged: one file more in damaged/" 1 "$(echo "$new_copies" | grep -c .)"
check "damaged: a copy of $seg" 1 "$(echo "$new_copies" | grep -cx "[0-9]*-$seg")"
check "damaged: the copy holds the damaged segment" 0 \
    "$(cmp -s "$T_DIR/flipped.wal" "$T_DIR/data/damaged/$new_copies"; echo $?)"
check "damaged: some blocks before it" 1 "$([ "$before" -gt 0 ] && echo 1 || echo 0)"
check "damaged: beacond runs on" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$ADMIN/livez")"
load flip 10
wait_eq_t 15 "damaged: new hits count on" $((before + 10)) pageviews flip
finish
