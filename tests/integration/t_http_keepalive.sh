# SPEC 2 and 2.8: keep-alive, Connection: close, HTTP/1.0, pipelining in
# order, requests split at any byte, HEAD without body and never counted.
. "$(dirname "$0")/lib.sh"
redis_start
beacond_start

d=$(today)
G='GET /p.gif?s=ka&u=/x HTTP/1.1'
UA="User-Agent: $BROWSER_UA"   # without a browser user agent: dropped=bot

# 1. Five requests one after the other on one connection.
r=$(req "$G" "Host: t" "$UA"; echo .); r=${r%.}
out=$(for i in 1 2 3 4 5; do printf '%s' "$r"; done |
      raw --split $((${#r})),$((2 * ${#r})),$((3 * ${#r})),$((4 * ${#r})) \
          --delay 0.1 --responses 5 --codes -H connection --wait-close 0.5)
check "keep-alive: five answers" "200 200 200 200 200" "$(echo "$out" | head -1)"
check "keep-alive: stays open" open "$(echo "$out" | tail -1)"

# 2. Connection: close.
out=$(req "$G" "Host: t" "$UA" "Connection: close" | raw -H connection --wait-close 2)
check "Connection: close: status" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"
check "Connection: close: echoed" 1 "$(echo "$out" | grep -ci '^connection: close$')"
check "Connection: close: server closes" closed "$(echo "$out" | tail -1)"

# 3. HTTP/1.0 without keep-alive: closed.
out=$(req "GET /p.gif?s=ka&u=/x HTTP/1.0" "Host: t" "$UA" | raw -H connection --wait-close 2)
check "HTTP/1.0: status 200" 200 "$(echo "$out" | head -1 | cut -d' ' -f2)"
check "HTTP/1.0: server closes" closed "$(echo "$out" | tail -1)"

# 4. HTTP/1.0 with Connection: keep-alive: kept, twice.
r10=$(req "GET /p.gif?s=ka&u=/x HTTP/1.0" "Host: t" "$UA" "Connection: keep-alive"; echo .)
r10=${r10%.}
out=$(printf '%s%s' "$r10" "$r10" |
      raw --split ${#r10} --delay 0.1 --responses 2 -H connection --wait-close 0.5)
check "HTTP/1.0 keep-alive: two answers" 2 "$(echo "$out" | grep -c '^HTTP/1.[01] 200')"
check "HTTP/1.0 keep-alive: says keep-alive" 2 "$(echo "$out" | grep -ci '^connection: keep-alive$')"
check "HTTP/1.0 keep-alive: stays open" open "$(echo "$out" | tail -1)"

# 5. Twenty pipelined requests in one write, answered in order: a counted
# pixel, an unknown path, an invalid pixel, ...
expected=""
out=$(for i in $(seq 1 20); do
          case $((i % 3)) in
          1) req "GET /p.gif?s=pipe&u=/n$i HTTP/1.1" "Host: t" "$UA" ;;
          2) req "GET /nope$i HTTP/1.1" "Host: t" "$UA" ;;
          0) req "GET /p.gif?s=pipe HTTP/1.1" "Host: t" "$UA" ;;
          esac
      done | raw --responses 20 -H x-beacon --wait-close 0.5)
for i in $(seq 1 20); do
    case $((i % 3)) in
    1) expected+="HTTP/1.1 200 OK"$'\n'"X-Beacon: counted"$'\n' ;;
    2) expected+="HTTP/1.1 404 Not Found"$'\n' ;;
    0) expected+="HTTP/1.1 200 OK"$'\n'"X-Beacon: dropped=invalid"$'\n' ;;
    esac
done
check "pipelined: 20 answers in order" "${expected}open" "$out"
wait_eq "pipelined: 7 pixels counted" 7 rcli HGET "bc:{pipe}:tot:d:$d" pageviews
check "pipelined: /n19 counted once" 1 "$(rcli ZSCORE "bc:{pipe}:pages:d:$d" /n19)"

# 6. One request byte by byte (more than 30 writes).
r=$(req "GET /p.gif?s=bytes&u=/b HTTP/1.1" "Host: t" "$UA"; echo .); r=${r%.}
out=$(printf '%s' "$r" | raw --bytewise --delay 0.005 -H x-beacon)
check "byte by byte: ${#r} writes answered" \
    "HTTP/1.1 200 OK"$'\n'"X-Beacon: counted"$'\n'"open" "$out"

# 7. Pipelined requests split at awkward points: mid request line, mid
# header name, between CR and LF, between the two CRLFs ending a header
# block, and with one request's end and the next one's start in one write.
r1=$'GET /p.gif?s=split&u=/one HTTP/1.1\r\nHost: t\r\n'"$UA"$'\r\n\r\n'
r2=$'GET /nope HTTP/1.1\r\nHost: t\r\nAccept: */*\r\n\r\n'
r3=$'GET /p.gif?s=split&u=/three HTTP/1.1\r\nHost: t\r\n'"$UA"$'\r\n\r\n'
l1=${#r1}
l2=${#r2}
a=8                                     # "GET /p.g|if"
rest=${r1#*Host: t$'\r'}; b=$(( l1 - ${#rest} ))   # "Host: t\r|\n"
rest=${r1#*User-Ag}; c=$(( l1 - ${#rest} ))          # "User-Ag|ent"
e=$(( l1 - 1 ))                                      # last "\r|\n"
f=$(( l1 + 7 ))                                      # "GET /no|pe"
g=$(( l1 + l2 - 2 ))                                 # "\r\n|\r\n"
h=$(( l1 + l2 + 20 ))                                # inside r3's line
out=$(printf '%s%s%s' "$r1" "$r2" "$r3" |
      raw --split $a,$b,$c,$e,$f,$g,$h --delay 0.05 --responses 3 --codes --wait-close 0.5)
check "awkward splits: answers in order" "200 404 200"$'\n'"open" "$out"
# Every byte split on its own boundary in turn would be slow; a second run
# with splits one byte further covers the other side of each boundary.
out=$(printf '%s%s%s' "$r1" "$r2" "$r3" |
      raw --split $((a+1)),$((b+1)),$((c+1)),$((e+1)),$((f+1)),$((g+1)),$((h+1)) \
          --delay 0.05 --responses 3 --codes --wait-close 0.5)
check "awkward splits + 1: answers in order" "200 404 200"$'\n'"open" "$out"
wait_eq "awkward splits: 4 pixels counted" 4 rcli HGET "bc:{split}:tot:d:$d" pageviews

# 8. HEAD: 200, Content-Length 43, no body, not counted.
out=$(req "HEAD /p.gif?s=headsite&u=/h HTTP/1.1" "Host: t" "$UA" |
      raw --no-body -H content-length -H content-type --wait-close 0.5)
check "HEAD: status" "HTTP/1.1 200 OK" "$(echo "$out" | head -1)"
check "HEAD: Content-Length 43" 1 "$(echo "$out" | grep -ci '^content-length: 43$')"
check "HEAD: Content-Type image/gif" 1 "$(echo "$out" | grep -ci '^content-type: image/gif$')"
check "HEAD: no body bytes follow" 0 "$(echo "$out" | grep -c '^extra')"
check "HEAD: connection kept" open "$(echo "$out" | tail -1)"
out=$(req "HEAD /p?s=headsite&u=/h HTTP/1.1" "Host: t" "$UA" | raw --no-body --wait-close 0.3)
check "HEAD /p: status, no body" "HTTP/1.1 200 OK"$'\n'"open" "$out"
# HEAD on /e (POST only): 405 without a body, and the next pipelined
# answer is read where it starts
out=$({ req "HEAD /e HTTP/1.1" "Host: t" "$UA"; req "HEAD /p?s=headsite&u=/i HTTP/1.1" "Host: t" "$UA"; } |
      raw --no-body --responses 2 --codes --wait-close 0.3)
check "HEAD /e: 405 without a body, then the next answer" "405 200"$'\n'"open" "$out"
# a counted control hit, flushed, then the HEAD site is still absent
pixel 's=headctl&u=/c' >/dev/null
wait_eq "HEAD: control hit flushed" 1 rcli HGET "bc:{headctl}:tot:d:$d" pageviews
sleep 1
check "HEAD: nothing counted" 0 "$(rcli EXISTS "bc:{headsite}:tot:d:$d")"
check "HEAD: site not listed" 0 "$(rcli SISMEMBER bc:sites headsite)"
finish
