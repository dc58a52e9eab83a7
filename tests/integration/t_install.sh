# make install into a staging root: the binaries, both man pages (which
# render without a warning), the example configuration, which `beacond -t`
# finds valid, a first /etc/beacond/beacond.conf (mode 0640), and the
# systemd unit with the binaries' path, which `systemd-analyze verify`
# finds clean. A second install leaves an edited configuration alone.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEST=$T_DIR/root
inst() {
    make -C "$ROOT" --no-print-directory install DEPS=: DESTDIR="$DEST" \
        >"$T_DIR/install.out" 2>&1
}
inst
check "make install: exit 0" 0 $?
mode() { stat -c %a "$DEST$1" 2>/dev/null; }
check "beacond" 755 "$(mode /usr/local/bin/beacond)"
check "beaconctl" 755 "$(mode /usr/local/bin/beaconctl)"
check "beacond(8)" 644 "$(mode /usr/local/share/man/man8/beacond.8)"
check "beaconctl(1)" 644 "$(mode /usr/local/share/man/man1/beaconctl.1)"
check "the example" 644 "$(mode /usr/local/share/beacond/beacond.conf.example)"
check "the unit" 644 "$(mode /etc/systemd/system/beacond.service)"
check "a first configuration, not world-readable" 640 "$(mode /etc/beacond/beacond.conf)"
check "the installed beacond runs" 1 "$("$DEST/usr/local/bin/beacond" --version | grep -c '^beacond ')"
"$DEST/usr/local/bin/beacond" -t -c "$DEST/etc/beacond/beacond.conf" 2>/dev/null
check "the first configuration is valid" 0 $?
check "the unit runs the installed binary" 2 \
    "$(grep -c '^Exec[A-Za-z]*=/usr/local/bin/beacond ' "$DEST/etc/systemd/system/beacond.service")"
check "no placeholder left in the unit" 0 "$(grep -c '@BINDIR@' "$DEST/etc/systemd/system/beacond.service")"

for page in man8/beacond.8 man1/beaconctl.1; do
    MANWIDTH=80 man --warnings -E UTF-8 -l "$DEST/usr/local/share/man/$page" \
        >"$T_DIR/page.txt" 2>"$T_DIR/man.err"
    check "$page renders" 0 $?
    check "$page: no warning" "" "$(cat "$T_DIR/man.err")"
done
check "beacond(8) names every signal" 3 "$(grep -c '^ *SIG\(TERM\|HUP\|USR1\)' <(MANWIDTH=80 man -l "$DEST/usr/local/share/man/man8/beacond.8" 2>/dev/null))"

if command -v systemd-analyze >/dev/null; then
    # verify wants the binaries where the unit says: point a copy at the
    # staging root, and the man pages of Documentation= on MANPATH
    sed "s#/usr/local/bin/#$DEST/usr/local/bin/#g" \
        "$DEST/etc/systemd/system/beacond.service" > "$T_DIR/beacond.service"
    MANPATH=$DEST/usr/local/share/man systemd-analyze verify \
        "$T_DIR/beacond.service" >"$T_DIR/verify.out" 2>&1
    check "systemd-analyze verify: exit 0" 0 $?
    check "systemd-analyze verify: nothing to say" "" "$(cat "$T_DIR/verify.out")"
else
    echo "   (no systemd-analyze: the unit is not verified)"
fi

echo "# edited" >> "$DEST/etc/beacond/beacond.conf"
inst
check "a second install: exit 0" 0 $?
check "a second install keeps the configuration" 1 "$(grep -c '^# edited$' "$DEST/etc/beacond/beacond.conf")"
finish
