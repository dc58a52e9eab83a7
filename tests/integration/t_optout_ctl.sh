# beaconctl optout add|remove|check: the recipient opt-out registry from
# the command line. The set member is the keyed hash the collector uses
# (checked against python's BLAKE2b), an address and its token name the
# same recipient, the running collector drops the recipient's opens
# within its refresh interval once added and counts them again once
# removed, and every bad argument is a usage error.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
CTL=$(dirname "$BEACOND")/beaconctl
RK=1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
redis_start
beacond_start "mail.recipient_key = $RK"
ctl() { "$CTL" -c "$T_DIR/beacond.conf" "$@"; }
xb() { curl -s -D - -o /dev/null -A "$BROWSER_UA" "$1" | tr -d '\r' | hval x-beacon; }

pixel_url=$(ctl sign pixel --site news --campaign c1 --email 'Ann@Example.com')
token=$(basename "$pixel_url" .gif)
want=$(python3 -c 'import hashlib, sys
print(hashlib.blake2b(sys.argv[1].encode(), key=bytes.fromhex(sys.argv[2]), digest_size=16).hexdigest())' "$token" "$RK")

check "open before: counted" counted "$(xb "$pixel_url")"
check "check before" "not opted out" "$(ctl optout check --site news --email 'Ann@Example.com')"
check "add" added "$(ctl optout add --site news --email 'Ann@Example.com')"
check "add again" "already opted out" "$(ctl optout add --site news --token "$token")"
check "the set holds the keyed hash, nothing else" "$want" "$(rcli SMEMBERS 'bc:{news}:optout')"
check "check by address" "opted out" "$(ctl optout check --site news --email 'ann@example.com')"
check "check by token" "opted out" "$(ctl optout check --site news --token "$token")"
check "another site: not opted out" "not opted out" "$(ctl optout check --site blog --token "$token")"
wait_eq_t 10 "the collector drops the recipient's opens" "dropped=optout" xb "$pixel_url"
check "remove" removed "$(ctl optout remove --site news --email 'Ann@Example.com')"
check "remove again" "was not opted out" "$(ctl optout remove --site news --token "$token")"
check "the set is empty" 0 "$(rcli SCARD 'bc:{news}:optout')"
wait_eq_t 10 "the collector counts them again" counted xb "$pixel_url"

usage() { ctl optout "$@" >/dev/null 2>&1; echo $?; }
check "no action: usage" 2 "$(usage)"
check "unknown action: usage" 2 "$(usage list --site news --token "$token")"
check "no site: usage" 2 "$(usage add --token "$token")"
check "bad site: usage" 2 "$(usage add --site 'a b' --token "$token")"
check "no recipient: usage" 2 "$(usage add --site news)"
check "both: usage" 2 "$(usage add --site news --token "$token" --email a@b.example)"
check "bad token: usage" 2 "$(usage add --site news --token 'no spaces allowed')"
check "bad address: usage" 2 "$(usage add --site news --email nobody)"
check "a flag without its value: usage" 2 "$(usage add --site)"
printf '[redis]\nurl = redis://127.0.0.1:%s/0\n' "$REDIS_PORT" > "$T_DIR/nokey.conf"
"$CTL" -c "$T_DIR/nokey.conf" optout add --site news --token "$token" >/dev/null 2>"$T_DIR/err"
check "no recipient_key: exit 1" 1 $?
check "no recipient_key: says so" 1 "$(grep -c 'needs recipient_key' "$T_DIR/err")"
redis_stop
ctl optout check --site news --token "$token" >/dev/null 2>&1
check "Redis away: exit 1" 1 $?
finish
