#!/usr/bin/env bash
# bench/run.sh BEACOND: beacond (1 worker) and nginx empty_gif
# (bench/nginx.conf.in), each pinned to CPU 0, loaded in turn by wrk pinned
# to CPU 1 through bench/cpu-per-request, with the minimal pixel and 16-deep
# pipelining (both with a browser's user agent: without one beacond drops
# the hit as a bot), the realistic mix (bench/mix.lua), e-mail opens and
# signed click redirects, 10-event POST /e batches (nginx: empty_gif, a
# fixed 302, a fixed 204). Needs this folder, beaconctl beside BEACOND,
# wrk, nginx and redis-server. Prints one line per run; compare
# cpu_us_per_req (wrk, not the server, saturates first on two cores).
#
#   SECONDS_PER_RUN=10 bench/run.sh build/beacond
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
beacond=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
secs=${SECONDS_PER_RUN:-10}
command -v nginx >/dev/null || { echo "bench: nginx is missing (scripts/install-deps.sh)" >&2; exit 2; }

dir=$(mktemp -d /tmp/beacond-bench.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

rport=$(port); bport=$(port); aport=$(port); nport=$(port)
redis-server --port "$rport" --bind 127.0.0.1 --dir "$dir" --save '' \
    --appendonly no --logfile "$dir/redis.log" &
pids+=($!)
sleep 0.3

cat > "$dir/beacond.conf" <<CONF
[server]
listen = 127.0.0.1:$bport
admin = 127.0.0.1:$aport
workers = 1
data_dir = $dir/data
trusted_proxies = 127.0.0.1/32
[redis]
url = redis://127.0.0.1:$rport/0
[mail]
recipient_key = 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
link_keys = b1:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
CONF
# 1 000 signed clicks: 1 000 recipients over 4 links
beaconctl=$(dirname "$beacond")/beaconctl
for i in $(seq 1 1000); do
    "$beaconctl" -c "$dir/beacond.conf" sign link --site demo --campaign bench \
        --link "l$((i % 4))" --to "https://shop.example/item/$((i % 4))?utm_source=mail" \
        --recipient "$(printf 'reader-%06d' "$i")"
done | sed 's|^http://[^/]*||' > "$dir/clicks.txt"
export CLICKS=$dir/clicks.txt
taskset -c 0 "$beacond" -c "$dir/beacond.conf" 2>"$dir/beacond.log" &
bpid=$!
pids+=($bpid)

sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$nport|g" "$here/nginx.conf.in" > "$dir/nginx.conf"
taskset -c 0 nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/nginx-error.log" &
npid=$!
pids+=($npid)
sleep 0.5
# nginx's worker is a child of the master: measure both.
nworkers=$(pgrep -P "$npid" | paste -sd, -)

run() { "$here/cpu-per-request" --seconds "$secs" "$@"; }
for what in minimal mix pipeline16 mail-open mail-click batch; do
    case $what in
    minimal) lua=(--lua "$here/minimal-browser.lua") ;;
    pipeline16) lua=(--lua "$here/pipeline16-browser.lua") ;;
    mix | mail-* | batch) lua=(--lua "$here/$what.lua") ;;
    esac
    run --pid "$npid,$nworkers" --url "http://127.0.0.1:$nport/p.gif?s=demo&u=/bench" \
        --label "nginx-empty_gif/$what" "${lua[@]}"
    run --pid "$bpid" --url "http://127.0.0.1:$bport/p.gif?s=demo&u=/bench" \
        --label "beacond/$what" "${lua[@]}"
done
echo "beacond metrics:"
curl -s "http://127.0.0.1:$aport/metrics" | grep -E '^beacon_hits_total.*(counted|invalid|shed)|^beacon_redis_errors_total|^beacon_batches_applied_total'
