# SPEC 1, 2.3, 2.4: "beaconctl sign pixel|link": exact URLs, the --email
# token and the link signature recomputed independently with python3, and
# the exit statuses. No beacond or Redis is needed. (Once the collector
# serves /c/, add a check that it redirects what beaconctl signs.)
. "$(dirname "$0")/lib.sh"
BEACONCTL=${BEACONCTL:-$(dirname "$BEACOND")/beaconctl}

K1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
K2=$(python3 -c 'import base64; print(base64.b64encode(bytes(range(65, 65 + 40))).decode())')
RK=1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100
PUB=https://t.example.com/base
CONF="$T_DIR/ctl.conf"
cat > "$CONF" <<CONF_END
[server]
public_url = $PUB/
[mail]
link_keys = k1:$K1, k2:$K2
recipient_key = $RK
CONF_END
NOKEYS="$T_DIR/nokeys.conf"
printf '[server]\npublic_url = %s\n' "$PUB" > "$NOKEYS"

ctl() { "$BEACONCTL" -c "$CONF" "$@" 2>"$T_DIR/err"; }
# status CMD...: the exit status of beaconctl with stdout and stderr dropped
status() { "$BEACONCTL" "$@" >/dev/null 2>&1; echo $?; }

# hmac_b64 KEY_EXPR BYTES FIELD...: base64url, no padding, of
# HMAC-SHA256(key, FIELDs joined by LF) cut to BYTES; KEY_EXPR is python
# evaluating to the key bytes. (Fields go in as arguments: a shell $(...)
# would drop the message's trailing LF when the recipient is empty.)
hmac_b64() {
    python3 - "$@" <<'PY'
import base64, hashlib, hmac, sys
key = eval(sys.argv[1], {"bytes": bytes, "base64": base64})
msg = "\n".join(sys.argv[3:]).encode()
mac = hmac.new(key, msg, hashlib.sha256).digest()
print(base64.urlsafe_b64encode(mac[:int(sys.argv[2])]).decode().rstrip("="))
PY
}
pct() {
    python3 -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1], safe="-._~"))' "$1"
}
K1_PY="bytes.fromhex('$K1')"
K2_PY="base64.b64decode('$K2')"
RK_PY="bytes.fromhex('$RK')"

# ------------------------------------------------------------ pixel
check "pixel with --recipient" "$PUB/o/news/spring-24/Tok_en-0123.gif" \
    "$(ctl sign pixel --site news --campaign spring-24 --recipient Tok_en-0123)"
check "pixel: --flag=VALUE form" "$PUB/o/news/c1/abcdefgh.gif" \
    "$(ctl sign pixel --site=news --campaign=c1 --recipient=abcdefgh)"
tok=$(hmac_b64 "$RK_PY" 16 "ann.smith@example.com")
check "--email token is 22 characters" 22 "${#tok}"
check "pixel with --email (lower-cased, HMAC with recipient_key)" \
    "$PUB/o/news/c1/$tok.gif" \
    "$(ctl sign pixel --site news --campaign c1 --email Ann.Smith@Example.COM)"

# ------------------------------------------------------------ link
to='https://shop.example.org/p/a?x=1&y=%41+z&w=/~.#frag'
sig=$(hmac_b64 "$K1_PY" 32 v1 news c1 l-1 "$to" abcdefgh)
check "link with recipient, default key k1" \
    "$PUB/c/news/c1/l-1?to=$(pct "$to")&r=abcdefgh&k=k1&sig=$sig" \
    "$(ctl sign link --site news --campaign c1 --link l-1 --to "$to" --recipient abcdefgh)"
check "percent-encoding of to (RFC 3986, upper-case hex)" \
    "https%3A%2F%2Fshop.example.org%2Fp%2Fa%3Fx%3D1%26y%3D%2541%2Bz%26w%3D%2F~.%23frag" \
    "$(pct "$to")"
sig=$(hmac_b64 "$K1_PY" 32 v1 news c1 l-1 "$to" "")
check "link without recipient: no r=" \
    "$PUB/c/news/c1/l-1?to=$(pct "$to")&k=k1&sig=$sig" \
    "$(ctl sign link --site news --campaign c1 --link l-1 --to "$to")"
sig=$(hmac_b64 "$K2_PY" 32 v1 news c1 l-1 "$to" "$tok")
check "link --key k2 with --email" \
    "$PUB/c/news/c1/l-1?to=$(pct "$to")&r=$tok&k=k2&sig=$sig" \
    "$(ctl sign link --site news --campaign c1 --link l-1 --to "$to" --key k2 --email ann.smith@example.com)"

# ------------------------------------------------------------ exit statuses
check "--help exits 0" 0 "$(status --help)"
check "--version exits 0" 0 "$(status --version)"
check "--version prints the name" beaconctl "$("$BEACONCTL" --version | cut -d' ' -f1)"
check "sign --help exits 0" 0 "$(status -c "$CONF" sign --help)"
check "no command: 2" 2 "$(status)"
check "unknown command: 2" 2 "$(status -c "$CONF" frobnicate)"
check "unknown option: 2" 2 "$(status -x sign)"
check "unknown flag: 2" 2 \
    "$(status -c "$CONF" sign pixel --site s --campaign c --recipient abcdefgh --bogus 1)"
check "missing --site: 2" 2 "$(status -c "$CONF" sign pixel --campaign c --recipient abcdefgh)"
check "missing --to: 2" 2 "$(status -c "$CONF" sign link --site s --campaign c --link l)"
check "pixel without recipient: 2" 2 "$(status -c "$CONF" sign pixel --site s --campaign c)"
check "--recipient and --email: 2" 2 \
    "$(status -c "$CONF" sign pixel --site s --campaign c --recipient abcdefgh --email a@b)"
check "flag without value: 2" 2 "$(status -c "$CONF" sign pixel --site)"
check "javascript: to: 1" 1 \
    "$(status -c "$CONF" sign link --site s --campaign c --link l --to 'javascript:alert(1)')"
ctl sign link --site s --campaign c --link l --to 'javascript:alert(1)' >/dev/null
check "bad to: message names --to" 1 "$(grep -c -- '--to' "$T_DIR/err")"
check "bad --recipient: 1" 1 "$(status -c "$CONF" sign pixel --site s --campaign c --recipient short)"
check "bad --campaign: 1" 1 "$(status -c "$CONF" sign pixel --site s --campaign 'a/b' --recipient abcdefgh)"
check "bad --link: 1" 1 \
    "$(status -c "$CONF" sign link --site s --campaign c --link 'a b' --to https://x.org/)"
check "unknown --key: 1" 1 \
    "$(status -c "$CONF" sign link --site s --campaign c --link l --to https://x.org/ --key k9)"
check "no link_keys: 1" 1 "$(status -c "$NOKEYS" sign link --site s --campaign c --link l --to https://x.org/)"
"$BEACONCTL" -c "$NOKEYS" sign link --site s --campaign c --link l --to https://x.org/ 2>"$T_DIR/err"
check "no link_keys: message names link_keys" 1 "$(grep -c link_keys "$T_DIR/err")"
check "--email without recipient_key: 1" 1 "$(status -c "$NOKEYS" sign pixel --site s --campaign c --email a@b)"
"$BEACONCTL" -c "$NOKEYS" sign pixel --site s --campaign c --email a@b 2>"$T_DIR/err"
check "no recipient_key: message names recipient_key" 1 "$(grep -c recipient_key "$T_DIR/err")"
check "missing config file: 1" 1 "$(status -c "$T_DIR/none.conf" sign pixel --site s --campaign c --recipient abcdefgh)"
check "sign html: not implemented yet, 1" 1 "$(status -c "$CONF" sign html --site s --campaign c --recipient abcdefgh)"

finish
