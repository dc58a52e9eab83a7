# SPEC 3 and 5: visitors. The client address (the peer, or through a
# trusted proxy, IPv4 or IPv6, the right-most untrusted X-Forwarded-For
# entry) and the user agent make the visitor; the uv HyperLogLogs count
# each visitor once per hour and day, across instances that share the
# day's salt through Redis (bc:salt:<day>, 32 bytes, expiring 25 h after
# its day ends); with salt_store = memory no salt reaches Redis and
# instances do not agree; the next day gives another pseudonym, both in a
# beacond started a day ahead and in one that runs through midnight
# (libfaketime through BEACOND_WRAP).
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
FAKETIME_LIB=${FAKETIME_LIB:-/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1}

UA2='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'

# hit SITE [curl args...]: one pixel on the current instance that must be
# counted (a browser user agent unless the args give another).
N_HITS=0
hit() {
    local site=$1
    shift
    N_HITS=$((N_HITS + 1))
    check "hit $N_HITS (s=$site $*): counted" counted \
        "$(pixel "s=$site&u=/v" "$@" | hval x-beacon)"
}
pv() { rcli HGET "bc:{$1}:tot:d:$D" pageviews; }
uvd() { rcli PFCOUNT "bc:{$1}:uv:d:$D"; }
uvh() { rcli PFCOUNT "bc:{$1}:uv:h:$H"; }
# expire_at DAY: unix time 25 h after the UTC day DAY (YYYYMMDD) ends
expire_at() { echo $(( $(date -u -d "$1" +%s) + 86400 + 90000 )); }

redis_start
beacond_start "server.trusted_proxies = 127.0.0.1/32"
avoid_hour_edge 15
H=$(this_hour)
D=${H:0:8}

# ------------------------------------------------ three visitors, repeated
XFF() { echo "X-Forwarded-For: $1"; }
hit three -H "$(XFF 10.0.0.1)"                  # visitor 1: 10.0.0.1, Chrome
hit three -H "$(XFF 10.0.0.2)"                  # visitor 2: 10.0.0.2, Chrome
hit three -H "$(XFF 10.0.0.1)" -A "$UA2"        # visitor 3: 10.0.0.1, Firefox
hit three -H "$(XFF 10.0.0.1)"                  # repeats
hit three -H "$(XFF 10.0.0.2)"
hit three -H "$(XFF 10.0.0.1)" -A "$UA2"
hit three -H "$(XFF 10.0.0.2)"
wait_eq "three: 7 pageviews" 7 pv three
check "three: PFCOUNT uv:d" 3 "$(uvd three)"
check "three: PFCOUNT uv:h" 3 "$(uvh three)"
check "three: uv:d is a HyperLogLog" string "$(rcli TYPE "bc:{three}:uv:d:$D")"
check "three: uv:d starts HYLL" HYLL "$(rcli GETRANGE "bc:{three}:uv:d:$D" 0 3)"

# ------------------------------------------------ untrusted peers
# 127.0.0.2 is not trusted: its X-Forwarded-For is not believed, every hit
# is the peer's own visitor
for x in 10.0.0.1 10.0.0.2 192.0.2.1 "10.0.0.3, 10.0.0.4"; do
    hit untrusted --interface 127.0.0.2 -H "$(XFF "$x")"
done
hit untrusted --interface 127.0.0.2
wait_eq "untrusted peer: 5 pageviews" 5 pv untrusted
check "untrusted peer: one visitor" 1 "$(uvd untrusted)"
# and a beacond that trusts no proxy at all
instance_start noproxy
for x in 10.0.0.1 10.0.0.2 192.0.2.1; do
    hit noproxy -H "$(XFF "$x")"
done
hit noproxy
wait_eq "no trusted_proxies: 4 pageviews" 4 pv noproxy
check "no trusted_proxies: one visitor" 1 "$(uvd noproxy)"
instance_use main

# ------------------------------------------------ right-most untrusted entry
hit rightmost -H "$(XFF '6.6.6.6, 10.0.0.7')"
hit rightmost -H "$(XFF 10.0.0.7)"
# trusted entries on the right are skipped
hit rightmost -H "$(XFF '6.6.6.6, 10.0.0.7, 127.0.0.1')"
# several lines are one list, in order
hit rightmost -H "$(XFF 6.6.6.6)" -H "$(XFF 10.0.0.7)"
hit rightmost -H "$(XFF '5.5.5.5, 6.6.6.6')" -H "$(XFF '10.0.0.7')"
wait_eq "right-most: 5 pageviews" 5 pv rightmost
check "right-most: all are 10.0.0.7 (one visitor)" 1 "$(uvd rightmost)"
# the control: 6.6.6.6 on its own is another visitor (so the entries above
# were read, and not the left-most one)
hit rightmost -H "$(XFF 6.6.6.6)"
wait_eq "right-most: 6 pageviews" 6 pv rightmost
check "right-most: 6.6.6.6 alone is a second visitor" 2 "$(uvd rightmost)"
# the last line's entry wins over the first line's
hit rightmost -H "$(XFF 10.0.0.7)" -H "$(XFF 6.6.6.6)"
wait_eq "right-most: 7 pageviews" 7 pv rightmost
check "right-most: lines in order (6.6.6.6 again)" 2 "$(uvd rightmost)"

# ------------------------------------------------ two instances, one salt
instance_start second "server.trusted_proxies = 127.0.0.1/32"
hit shared -H "$(XFF 10.1.1.1)"
instance_use main
hit shared -H "$(XFF 10.1.1.1)"
wait_eq "shared: 2 pageviews" 2 pv shared
check "shared: one visitor across instances (uv:d)" 1 "$(uvd shared)"
check "shared: one visitor across instances (uv:h)" 1 "$(uvh shared)"
check "salt of the day: 32 bytes" 32 "$(rcli STRLEN "bc:salt:$D")"
check "salt of the day: EXPIRETIME 25 h after the day" "$(expire_at "$D")" \
    "$(rcli EXPIRETIME "bc:salt:$D")"
# any other salt key (the next day's, made ahead) follows the same rule
for k in $(rcli --scan --pattern 'bc:salt:*'); do
    day=${k#bc:salt:}
    check "$k: a day" 1 "$(echo "$day" | grep -cE '^[0-9]{8}$')"
    check "$k: 32 bytes" 32 "$(rcli STRLEN "$k")"
    check "$k: EXPIRETIME 25 h after its day" "$(expire_at "$day")" "$(rcli EXPIRETIME "$k")"
done
salt_today=$(rcli --no-raw GET "bc:salt:$D")

# ------------------------------------------------ an IPv6 trusted proxy
# an instance listening on [::1] only, trusting ::1/128: the same visitor
# forwarded by it and by the main instance's 127.0.0.1 is one visitor; an
# IPv4-mapped IPv6 entry is the IPv4 address
P6=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0)); print(s.getsockname()[1])')
instance_start v6proxy "server.listen = [::1]:$P6" "server.trusted_proxies = ::1/128"
check "via [::1] with X-Forwarded-For: counted" counted "$(curl -s -g -D - -o /dev/null \
    -A "$BROWSER_UA" -H "$(XFF 10.4.4.4)" "http://[::1]:$P6/p.gif?s=v6&u=/v" | hval x-beacon)"
instance_use main
hit v6 -H "$(XFF 10.4.4.4)"
hit v6 -H "$(XFF ::ffff:10.4.4.4)"
wait_eq "IPv6 proxy: 3 pageviews" 3 pv v6
check "IPv6 proxy: one visitor" 1 "$(uvd v6)"
check "via [::1] without X-Forwarded-For: counted" counted "$(curl -s -g -D - -o /dev/null \
    -A "$BROWSER_UA" "http://[::1]:$P6/p.gif?s=v6&u=/v" | hval x-beacon)"
wait_eq "IPv6 proxy: 4 pageviews" 4 pv v6
check "IPv6 proxy: the proxy itself is another visitor" 2 "$(uvd v6)"

# ------------------------------------------------ the next day
TOMORROW=$(date -u -d "$D + 1 day" +%Y%m%d)
if [ -r "$FAKETIME_LIB" ]; then
    BEACOND_WRAP="env FAKETIME=+1d LD_PRELOAD=$FAKETIME_LIB" \
        instance_start tomorrow "server.trusted_proxies = 127.0.0.1/32"
    hit days -H "$(XFF 10.2.2.2)"     # on the instance a day ahead
    instance_use main
    hit days -H "$(XFF 10.2.2.2)"     # today
    wait_eq "days: today's pageview" 1 pv days
    wait_eq "days: tomorrow's pageview (libfaketime works)" 1 \
        rcli HGET "bc:{days}:tot:d:$TOMORROW" pageviews
    check "days: one visitor today" 1 "$(uvd days)"
    check "days: one visitor tomorrow" 1 "$(rcli PFCOUNT "bc:{days}:uv:d:$TOMORROW")"
    rcli PFMERGE "tmp:days" "bc:{days}:uv:d:$D" "bc:{days}:uv:d:$TOMORROW" >/dev/null
    check "days: two pseudonyms for one visitor over two days" 2 "$(rcli PFCOUNT tmp:days)"
    rcli DEL tmp:days >/dev/null
    check "tomorrow's salt: 32 bytes" 32 "$(rcli STRLEN "bc:salt:$TOMORROW")"
    check "tomorrow's salt: EXPIRETIME 25 h after its day" "$(expire_at "$TOMORROW")" \
        "$(rcli EXPIRETIME "bc:salt:$TOMORROW")"
    check "tomorrow's salt differs from today's" yes \
        "$( [ "$(rcli --no-raw GET "bc:salt:$TOMORROW")" != "$salt_today" ] && echo yes || echo no)"
    check "today's salt unchanged" "$salt_today" "$(rcli --no-raw GET "bc:salt:$D")"

    # midnight in a running instance: its clock starts at 23:59:57 (to
    # 23:59:58) today; one hit before midnight, one after, same visitor
    t0=$(date -u +%s.%N)
    off=$(( $(date -u -d "${D:0:4}-${D:4:2}-${D:6:2} 23:59:57" +%s) - ${t0%.*} ))
    BEACOND_WRAP="env FAKETIME=+$off LD_PRELOAD=$FAKETIME_LIB" \
        instance_start midnight "server.trusted_proxies = 127.0.0.1/32"
    hit midnight -H "$(XFF 10.5.5.5)"
    t1=$(date -u +%s.%N)
    check "midnight: first hit within 1.5 s of the start (else before midnight is not sure)" yes \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a < 1.5) ? "yes" : "no (" b - a " s)" }')"
    sleep "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print a + 3.3 - b }')"
    hit midnight -H "$(XFF 10.5.5.5)"
    wait_eq "midnight: the hit before midnight on $D" 1 pv midnight
    wait_eq "midnight: the hit after midnight on $TOMORROW" 1 \
        rcli HGET "bc:{midnight}:tot:d:$TOMORROW" pageviews
    check "midnight: one visitor in uv:d:$D" 1 "$(uvd midnight)"
    check "midnight: one visitor in uv:h:${D}23" 1 "$(rcli PFCOUNT "bc:{midnight}:uv:h:${D}23")"
    check "midnight: one visitor in uv:d:$TOMORROW" 1 \
        "$(rcli PFCOUNT "bc:{midnight}:uv:d:$TOMORROW")"
    check "midnight: one visitor in uv:h:${TOMORROW}00" 1 \
        "$(rcli PFCOUNT "bc:{midnight}:uv:h:${TOMORROW}00")"
    rcli PFMERGE "tmp:midnight" "bc:{midnight}:uv:d:$D" "bc:{midnight}:uv:d:$TOMORROW" >/dev/null
    check "midnight: a new pseudonym after midnight (merged days: 2)" 2 \
        "$(rcli PFCOUNT tmp:midnight)"
    rcli DEL tmp:midnight >/dev/null
    instance_use main
else
    echo "note: $FAKETIME_LIB missing (apt-get install faketime): next-day checks skipped"
fi

# ------------------------------------------------ salt_store = memory
for n in main second noproxy v6proxy tomorrow midnight; do
    instance_use "$n"
    beacond_kill
done
rcli FLUSHALL >/dev/null
instance_start mem1 "privacy.salt_store = memory" "server.trusted_proxies = 127.0.0.1/32"
hit memory -H "$(XFF 10.3.3.3)"
hit memory -H "$(XFF 10.3.3.3)"
instance_start mem2 "privacy.salt_store = memory" "server.trusted_proxies = 127.0.0.1/32"
hit memory -H "$(XFF 10.3.3.3)"
wait_eq "memory: 3 pageviews" 3 pv memory
check "memory: one pseudonym per instance, two instances: 2" 2 "$(uvd memory)"
check "memory: no salt key in Redis" "" "$(rcli --scan --pattern '*salt*')"
check "memory: no key but the site's, bc:sites and the instance locks" "" \
    "$(rcli --scan | grep -v -e '^bc:{memory}:' -e '^bc:sites$' -e '^bc:instance:')"
finish
