# SPEC 1, 2.3, 2.4: "beaconctl sign pixel|link|html": exact URLs, the
# --email token and the link signature recomputed independently with
# python3, the e-mail templates of tests/data/mail/ signed and checked
# link by link, and the exit statuses. No beacond or Redis is needed.
# (Once the collector serves /c/, add a check that it redirects what
# beaconctl signs.)
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

# ------------------------------------------------------------ html
MAIL=$(cd "$(dirname "$0")/../data/mail" && pwd)
K2_HEX=$(python3 -c "import base64; print(base64.b64decode('$K2').hex())")

# check_html IN OUT KEY_ID KEY_HEX RECIPIENT: python's html.parser reads both
# documents; every <a> whose href is an absolute http(s) URL must now be
# "$PUB/c/news/c1/<id>?to=&r=&k=&sig=" with the id rule of
# EMAIL.md, to = the original href (decoded, trimmed),
# a valid HMAC-SHA256, the other attributes as they were; every other <a>
# must be unchanged. Then the input with exactly those substitutions and
# the pixel before the last </body> (or at the end) must equal the output
# byte for byte. Prints "signed=N untouched=M", or what is wrong.
check_html() {
    python3 - "$PUB" "$@" <<'PY'
import base64, hashlib, hmac, re, sys, urllib.parse
from html.parser import HTMLParser

pub, src, dst, kid, keyhex, rcpt = sys.argv[1:7]
key = bytes.fromhex(keyhex)
site, campaign = "news", "c1"
read = lambda p: open(p, encoding="utf-8", newline="").read()
text_in, text_out = read(src), read(dst)
WS = " \t\n\f\r"

class Anchors(HTMLParser):
    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.found = []  # (offset, raw start tag, attributes)
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            line, col = self.getpos()
            self.found.append((self.starts[line - 1] + col,
                               self.get_starttag_text(), attrs))

    handle_startendtag = handle_starttag

def first(attrs, name):
    return next((v for k, v in attrs if k == name), None)

def signable(v):
    if v is None:
        return False
    v = v.strip(WS)
    m = re.match(r"(?i)https?://([^/?#]*)", v)
    host = m.group(1).rpartition("@")[2].split(":")[0] if m else ""
    return (host != "" and len(v.encode()) <= 2048
            and all(0x20 < ord(c) != 0x7f for c in v)
            and not v.lower().startswith(pub.lower() + "/c/"))

def fail(msg):
    print(msg)
    sys.exit(0)

ins, outs = Anchors(text_in).found, Anchors(text_out).found
if len(ins) != len(outs):
    fail(f"{len(ins)} anchors in, {len(outs)} out")
taken = {first(a, "data-link") for _, _, a in ins}
n = signed = untouched = 0
rebuilt, at = [], 0
for (off, raw_in, a_in), (_, raw_out, a_out) in zip(ins, outs):
    href = first(a_in, "href")
    if not signable(href):
        if raw_out != raw_in:
            fail(f"changed: {raw_in!r} -> {raw_out!r}")
        untouched += 1
        continue
    link = first(a_in, "data-link")
    if link is None:
        n += 1
        while str(n) in taken:
            n += 1
        link = str(n)
    new = first(a_out, "href")
    to = href.strip(WS)
    prefix = f"{pub}/c/{site}/{campaign}/{link}?"
    if not new.startswith(prefix):
        fail(f"{new!r} does not start with {prefix!r}")
    params = [p.split("=", 1) for p in new[len(prefix):].split("&")]
    if [p[0] for p in params] != ["to", "r", "k", "sig"]:
        fail(f"parameters of {new!r}")
    q = dict(params)
    if q["to"] != urllib.parse.quote(to, safe="-._~"):
        fail(f"to={q['to']!r} is not the encoded {to!r}")
    if urllib.parse.unquote(q["to"]) != to:
        fail(f"to={q['to']!r} does not decode to {to!r}")
    if q["r"] != rcpt or q["k"] != kid:
        fail(f"r or k of {new!r}")
    msg = "\n".join(["v1", site, campaign, link, to, rcpt]).encode()
    mac = hmac.new(key, msg, hashlib.sha256).digest()
    if q["sig"] != base64.urlsafe_b64encode(mac).decode().rstrip("="):
        fail(f"bad signature in {new!r}")
    i = next(i for i, (k, _) in enumerate(a_in) if k == "href")
    if a_out != a_in[:i] + [("href", new)] + a_in[i + 1:]:
        fail(f"other attributes changed: {raw_in!r} -> {raw_out!r}")
    m = re.search(r"""(?is)[\s/]href\s*=\s*("[^"]*"|'[^']*'|[^\s>]*)""", raw_in)
    value = '"' + new.replace("&", "&amp;").replace('"', "&quot;") + '"'
    want = raw_in[:m.start(1)] + value + raw_in[m.end(1):]
    if raw_out != want:
        fail(f"tag written as {raw_out!r}, expected {want!r}")
    rebuilt += [text_in[at:off], want]
    at = off + len(raw_in)
    signed += 1
rebuilt = "".join(rebuilt) + text_in[at:]
pixel = (f'<img src="{pub}/o/{site}/{campaign}/{rcpt}.gif" width="1" '
         'height="1" alt="" '
         'style="display:block;border:0;width:1px;height:1px">')
bodies = list(re.finditer(r"(?i)</body[\s/>]", rebuilt))
cut = bodies[-1].start() if bodies else len(rebuilt)
rebuilt = rebuilt[:cut] + pixel + rebuilt[cut:]
if rebuilt != text_out:
    d = next((i for i, (x, y) in enumerate(zip(rebuilt, text_out)) if x != y),
             min(len(rebuilt), len(text_out)))
    fail(f"differs at {d}: {text_out[d - 40:d + 40]!r} "
         f"expected {rebuilt[d - 40:d + 40]!r}")
if text_out.count(pixel) != 1:
    fail("not exactly one pixel")
print(f"signed={signed} untouched={untouched}")
PY
}

for t in newsletter_mso:9:0 mailchimp_like:3:4 receipt_upper:6:4 \
    plain_letter:3:1 entities_utf8:10:4 outlook_exported:4:1; do
    IFS=: read -r name nsigned nuntouched <<<"$t"
    out="$T_DIR/$name.out"
    ctl sign html --site news --campaign c1 --recipient Tok_en-0123 \
        <"$MAIL/$name.html" >"$out"
    check "sign html $name: exit 0" 0 "$?"
    check "sign html $name: links and bytes" \
        "signed=$nsigned untouched=$nuntouched" \
        "$(check_html "$MAIL/$name.html" "$out" k1 "$K1" Tok_en-0123)"
    ctl sign html --site news --campaign c1 --recipient Tok_en-0123 \
        <"$out" >"$out.2"
    check "sign html $name: a second run changes nothing" same \
        "$(cmp -s "$out" "$out.2" && echo same)"
done
tok=$(hmac_b64 "$RK_PY" 16 "ann.smith@example.com")
ctl sign html --site news --campaign c1 --email Ann.Smith@Example.COM --key k2 \
    <"$MAIL/plain_letter.html" >"$T_DIR/k2.out"
check "sign html --key k2 --email" "signed=3 untouched=1" \
    "$(check_html "$MAIL/plain_letter.html" "$T_DIR/k2.out" k2 "$K2_HEX" "$tok")"
check "sign html: pixel right before </BODY >" 1 \
    "$(grep -c "width:1px;height:1px\"></BODY >\$" "$T_DIR/receipt_upper.out")"
pixel() {
    printf '<img src="%s" width="1" height="1" alt="" style="%s">' \
        "$PUB/o/$1/$2/$3.gif" "display:block;border:0;width:1px;height:1px"
}
check "sign html: no </body>, pixel at the end" "$(pixel news c1 Tok_en-0123)" \
    "$(tail -n 1 "$T_DIR/plain_letter.out" | sed 's/.*tenants.example.net<\/a>//')"
check "sign html: the MSO-only link stays unsigned" 1 \
    "$(grep -c 'href="https://harbourpost.example/ferry?from=mso"' "$T_DIR/newsletter_mso.out")"

# ------------------------------------------------------------ html errors
html() { "$BEACONCTL" -c "$CONF" sign html --site s --campaign c --recipient abcdefgh "$@"; }
check "html: missing --site: 2" 2 \
    "$(status -c "$CONF" sign html --campaign c --recipient abcdefgh </dev/null)"
check "html: no recipient: 2" 2 "$(status -c "$CONF" sign html --site s --campaign c </dev/null)"
check "html: --to: 2" 2 "$(html --to https://x.org/ </dev/null >/dev/null 2>&1; echo $?)"
check "html: --link: 2" 2 "$(html --link l </dev/null >/dev/null 2>&1; echo $?)"
check "pixel: --key: 2" 2 \
    "$(status -c "$CONF" sign pixel --site s --campaign c --recipient abcdefgh --key k1)"
check "html: unknown --key: 1" 1 "$(html --key k9 </dev/null >/dev/null 2>&1; echo $?)"
check "html: --email without recipient_key: 1" 1 \
    "$(status -c "$NOKEYS" sign html --site s --campaign c --email a@b </dev/null)"
"$BEACONCTL" -c "$NOKEYS" sign html --site s --campaign c --email a@b </dev/null 2>"$T_DIR/err"
check "html: no recipient_key: message names recipient_key" 1 "$(grep -c recipient_key "$T_DIR/err")"
"$BEACONCTL" -c "$NOKEYS" sign html --site s --campaign c --recipient abcdefgh \
    <"$MAIL/plain_letter.html" >"$T_DIR/out" 2>"$T_DIR/err"
check "html: no link_keys: 1" 1 "$?"
check "html: no link_keys: message names link_keys" 1 "$(grep -c link_keys "$T_DIR/err")"
check "html: no link_keys: nothing on stdout" 0 "$(wc -c <"$T_DIR/out")"
printf '<a href="https://x.org/">ok</a>\n<p><a href="https://y.org/" data-link="a b">x</a>' |
    html >"$T_DIR/out" 2>"$T_DIR/err"
check "html: bad data-link: 1" 1 "$?"
check "html: bad data-link: message names it and its line" 1 \
    "$(grep -c 'line 2: data-link "a b"' "$T_DIR/err")"
check "html: bad data-link: nothing on stdout" 0 "$(wc -c <"$T_DIR/out")"
head -c $((8 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$T_DIR/8m"
html <"$T_DIR/8m" >"$T_DIR/out" 2>/dev/null
check "html: 8 MiB: 0" 0 "$?"
px=$(pixel s c abcdefgh)
check "html: 8 MiB: copied, pixel added" $((8 * 1024 * 1024 + ${#px})) "$(wc -c <"$T_DIR/out")"
{ cat "$T_DIR/8m"; printf a; } | html >"$T_DIR/out" 2>"$T_DIR/err"
check "html: 8 MiB + 1: 1" 1 "$?"
check "html: 8 MiB + 1: message" 1 "$(grep -c 'larger than 8388608 bytes' "$T_DIR/err")"
check "html: 8 MiB + 1: nothing on stdout" 0 "$(wc -c <"$T_DIR/out")"
check "html: stdout fails: 1" 1 \
    "$(html <"$MAIL/plain_letter.html" >/dev/full 2>/dev/null; echo $?)"

finish
