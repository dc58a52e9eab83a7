# SIGHUP reloads the privacy keys (honor_dnt, honor_gpc, trusted_proxies,
# bot_patterns) and log_level without dropping a connection; a bad file
# keeps the running configuration.
. "$(dirname "$0")/lib.sh"
redis_start
UA_TEST="Mozilla/5.0 (X11; Linux x86_64) ReloadTestAgent/1.0"
beacond_start
CONF="$T_DIR/beacond.conf"
xb() { pixel "$1" -A "$UA_TEST" "${@:2}" | grep -i '^x-beacon:' | tr -d ' '; }

check "before: counted" "X-Beacon:counted" "$(xb 's=rl&u=/a')"
check "before: DNT dropped" "X-Beacon:dropped=dnt" "$(xb 's=rl&u=/a' -H 'DNT: 1')"

# A keep-alive connection opened before the reload, answered after it.
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
printf 'GET /p.gif?s=rl&u=/k HTTP/1.1\r\nHost: t\r\nUser-Agent: %s\r\n\r\n' "$UA_TEST" >&3

printf 'ReloadTestAgent\n' > "$T_DIR/bots.txt"
printf '[privacy]\nbot_patterns = %s\nhonor_dnt = no\n' "$T_DIR/bots.txt" >> "$CONF"
kill -HUP "$BEACOND_PID"
sleep 0.5
check "after: the new bot list drops the agent" "X-Beacon:dropped=bot" "$(xb 's=rl&u=/b')"
check "after: a browser still counts" "X-Beacon:counted" "$(pixel 's=rl&u=/b' -H 'DNT: 1' | grep -i '^x-beacon:' | tr -d ' ')"
check "reload logged" 1 "$(grep -c 'SIGHUP: reloaded' "$T_DIR/beacond.log")"

printf 'GET /p.gif?s=rl&u=/k2 HTTP/1.1\r\nHost: t\r\nUser-Agent: %s\r\nConnection: close\r\n\r\n' "$UA_TEST" >&3
answers=$(timeout 5 cat <&3 | grep -ao 'HTTP/1.1 200' | wc -l)
exec 3<&-
check "connection kept across the reload" 2 "$answers"

# A bad file: logged, nothing changes.
sed -i "s#^bot_patterns = .*#bot_patterns = $T_DIR/missing.txt#" "$CONF"
kill -HUP "$BEACOND_PID"
sleep 0.5
check "bad reload logged" 1 "$(grep -c 'SIGHUP: configuration not reloaded' "$T_DIR/beacond.log")"
check "bad reload keeps the running list" "X-Beacon:dropped=bot" "$(xb 's=rl&u=/c')"
check "still running" 0 "$(kill -0 "$BEACOND_PID"; echo $?)"
finish
