# RFC 9112 framing, SPEC 2.8: every placement of CR, LF, NUL, HT, SP, VT,
# FF and 0x80-0xFF of tests/data/http_placements.txt, sent to beacond with
# a pixel of site "hidden" pipelined behind it, whole and split around the
# byte (http_bytes.py): one refusal (400) and a close, or two counted
# answers where RFC 9112 allows the byte; Redis then holds exactly the
# answered hits, so nothing hidden behind a refused request was counted.
. "$(dirname "$0")/lib.sh"
redis_start
beacond_start

day0=$(today)
out=$(timeout 150 python3 "$(dirname "$0")/http_bytes.py" --port "$PORT" \
          --ua "$BROWSER_UA")
rc=$?
day1=$(today)

# The failing cases, one a line (at most 60 of them), then the summary.
echo "$out" | grep '^FAIL' | head -n 60
nfail=$(echo "$out" | grep -c '^FAIL')
[ "$nfail" -gt 60 ] && echo "... and $((nfail - 60)) more failing cases"
summary=$(echo "$out" | tail -n 1)
echo "$T_NAME: $summary"

# field NAME: a number of the summary line (empty when it is missing)
field() { echo "$summary" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

sent_all=no
[ -n "$(field sends)" ] && [ "$(field sends)" = "$(field done)" ] &&
    sent_all=yes
check "http_bytes.py sent every case" yes "$sent_all"
check "http_bytes.py: every case answered as the table says" \
    "0 failing cases, exit 0" "$nfail failing cases, exit $rc"
check "every send of an accepted byte got the carrier counted" \
    "$(field expected_carrier)" "$(field counted_carrier)"
check "every send of an accepted byte got the hidden pixel counted" \
    "$(field expected_hidden)" "$(field counted_hidden)"

# pageviews SITE: the site's day pageviews (both days if the run crossed
# midnight UTC)
pageviews() {
    local d n sum=0
    for d in $(printf '%s\n%s\n' "$day0" "$day1" | sort -u); do
        n=$(rcli HGET "bc:{$1}:tot:d:$d" pageviews)
        sum=$((sum + ${n:-0}))
    done
    echo "$sum"
}

# Exactly the hits answered as counted reach Redis: a hidden request
# behind a refused one that was counted silently would show here.
wait_eq "carrier pageviews == counted answers" "$(field counted_carrier)" \
    pageviews carrier
wait_eq "hidden pageviews == counted answers" "$(field counted_hidden)" \
    pageviews hidden
sleep 0.5 # a few more flushes: nothing comes late
check "carrier pageviews stay" "$(field counted_carrier)" "$(pageviews carrier)"
check "hidden pageviews stay" "$(field counted_hidden)" "$(pageviews hidden)"

finish
