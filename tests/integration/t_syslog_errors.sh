# Syslog ingest (SPEC 2.7) at its edges, with exact counts: over UDP every
# accepted header form (nginx's RFC 3164, with a host and pid, without a
# timestamp, RFC 5424 with structured data and a BOM, util-linux logger)
# counts once, and garbage, an empty datagram, a wrong version, a missing
# field, an unterminated quote, a kernel-truncated datagram and a line one
# byte over ACCESSLOG_MAX_LINE are invalid while a line at the limit
# counts; \xHH escapes are undone before the page is normalised; [sites]
# maps a host and an unmapped host that is no site id is invalid; a custom
# ingest_skip_ext replaces the default. Over TCP, octet counting survives
# any split of the stream, LF framing takes CR LF, a lone LF between frames
# is harmless, a stream that breaks framing is closed (the sender sees EOF)
# and counted, one cut mid-frame is one invalid, and the connection gauge
# returns to 0; past 256 streams a new one is closed and counted. Lines
# sent just before SIGTERM reach Redis. Datagrams the kernel drops while
# beacond is stopped are all reported. UDP ingest may share the HTTP port;
# TCP ingest on the HTTP or admin address, a host
# name, and a UDP port another process holds stop beacond at start.
. "$(dirname "$0")/lib.sh"

# The day keys must not roll over between sending and checking.
left=$((86400 - $(date -u +%s) % 86400))
[ "$left" -le 30 ] && sleep $((left + 1))

redis_start
SP=$(free_port)
export SP BROWSER_UA
beacond_start "server.ingest_syslog = 127.0.0.1:$SP, [::1]:$SP" \
    "server.ingest_syslog_tcp = yes" \
    "server.ingest_skip_ext = css, .PDF" \
    "sites.www.example.com = ex" \
    "sites.relay.example = rl"
DAY=$(today)

hits() { metric "beacon_hits_total{endpoint=\"syslog\",outcome=\"$1\"}"; }
pages() { rcli ZSCORE "bc:{$1}:pages:d:$DAY" "$2"; }

# What every Python step shares: the line builder and the sockets.
cat > "$T_DIR/sl.py" <<'PY'
import os, socket, time
SP = int(os.environ["SP"])
UA = os.environ["BROWSER_UA"]
NGINX = b"<190>Dec  4 21:40:01 beacon: "  # nginx, nohostname

def line(uri, addr="10.1.2.3", host="www.example.com", method="GET",
         status="200", ua=UA):
    return (f'v1 {addr} "{method}" "{uri}" {status} '
            f'"https://news.example.org/x" "{ua}" "-" "-" "-" "{host}"').encode()

def udp(*datagrams, host="127.0.0.1"):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for d in datagrams:
        s.sendto(d, (host, SP))
    s.close()

def tcp(host="127.0.0.1"):
    s = socket.create_connection((host, SP), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def octet(m):
    return str(len(m)).encode() + b" " + m

def dribble(s, data, step, pause=0.001):
    for i in range(0, len(data), step):
        s.sendall(data[i:i + step])
        time.sleep(pause)

def closed_by_peer(s):
    """'eof' when the peer closed the stream within 5 s."""
    try:
        return "eof" if s.recv(100) == b"" else "data"
    except socket.timeout:
        return "open"
    except OSError as e:
        return type(e).__name__
PY
PY_PRE="import sys; sys.path.insert(0, '$T_DIR'); from sl import *"

# ---- UDP: 14 counted, 9 invalid, 5 skipped.
lens=$(python3 - <<PY
$PY_PRE
# ACCESSLOG_MAX_LINE (8192) counts the line alone, after the header; a
# trailing LF is not part of it.
def sized(page, n):
    base = line(page + "?p=")
    l = line(page + "?p=" + "a" * (n - len(base)))
    assert len(l) == n
    return l
at_max, over = sized("/udp/max", 8192), sized("/udp/over", 8193)
udp(NGINX + line("/udp/ok"),
    # \x22 is '"'; the page is then normalised ("..", query dropped).
    NGINX + line(r"/esc/\x22quoted\x22/../x\x22y?z=1"),
    NGINX + line(r"/caf\xC3\xA9"),              # UTF-8, escaped by nginx
    NGINX + line("/udp/case", host="WWW.Example.COM"),  # mapping ignores case
    b"<190>Dec  4 21:40:01 web1 beacon[812]: " + line("/udp/3164host"),
    b"<190>beacon: " + line("/udp/3164bare"),
    b"<190>1 2024-12-04T21:40:01.5Z web1 nginx 812 - - " + line("/udp/5424"),
    b'<190>1 - - - - - [x@1 a="q\\\\"]"][y@2] \xef\xbb\xbf' + line("/udp/5424sd"),
    NGINX + at_max,
    NGINX + sized("/udp/maxlf", 8192) + b"\n",
    NGINX + line("/x.js"),                       # js is no longer skipped
    NGINX + line("/udp/other", host="other.example"),  # unmapped, valid id
    # invalid
    b"garbage",
    b"",
    NGINX + line("/udp/v2").replace(b"v1 ", b"v2 ", 1),
    NGINX + line("/udp/missing").rsplit(b" ", 1)[0],
    NGINX + line("/udp/unterminated")[:-1],
    NGINX + line("/udp/big?p=" + "a" * 20000),   # over 9216: truncated
    NGINX + over,
    NGINX + line("/udp/v6host", host="[::1]"),
    NGINX + line("/udp/space", host="a b"),
    # skipped
    NGINX + line("/x.pdf?y"),
    NGINX + line("/a.css"),
    NGINX + line("/B.CSS"),
    NGINX + line("/udp/post", method="POST"),
    NGINX + line("/udp/404", status="404"))
udp(NGINX + line("/udp/v6", addr="2001:db8::1"), host="::1")
print(len(at_max), len(over), len(NGINX + line("/udp/big?p=" + "a" * 20000)) > 20000)
PY
)
check "line sizes at and over the limit; the big datagram" "8192 8193 True" "$lens"
lline=$(python3 -c "$PY_PRE; print(line('/udp/logger').decode())")
timeout 5 logger -n 127.0.0.1 -P "$SP" -d --rfc3164 -t beacon "$lline"
check "logger (UDP, RFC 3164) exit status" 0 $?

wait_eq "udp counted" 14 hits counted
wait_eq "udp invalid" 9 hits invalid
wait_eq "udp skipped" 5 hits skipped
check "no bot outcome" 0 "$(hits bot)"
check "no receive drops" 0 "$(metric beacon_syslog_receive_drops_total)"
for p in /udp/ok '/esc/x"y' /café /udp/case /udp/3164host /udp/3164bare /udp/5424 \
    /udp/5424sd /udp/max /udp/maxlf /x.js /udp/v6 /udp/logger; do
    wait_eq "page $p" 1 pages ex "$p"
done
check "the line over the limit left no page" "" "$(pages ex /udp/over)"
check "the skipped pdf left no page" "" "$(pages ex /x.pdf)"
check "unmapped host counted under itself" 1 "$(pages other.example /udp/other)"
check "ex pageviews" 13 "$(rcli HGET "bc:{ex}:tot:d:$DAY" pageviews)"
check "the referrer host kept" 13 "$(rcli ZSCORE "bc:{ex}:refs:d:$DAY" news.example.org)"
check "no site for invalid hosts" "ex other.example" \
    "$(rcli --scan --pattern "bc:{*}:tot:d:$DAY" | sed 's/^bc:{\(.*\)}:.*/\1/' | sort | xargs)"

# ---- TCP: 11 counted, 1 invalid, 2 framing errors.
tcp_out=$(python3 - <<PY
$PY_PRE
L = lambda page, **kw: NGINX + line(page, host="relay.example", **kw)
out = []
# Octet counting in 5-byte writes, then one message a byte at a time.
s = tcp()
dribble(s, b"".join(octet(L(f"/tcp/oc{i}")) for i in (1, 2, 3)), 5)
dribble(s, octet(L("/tcp/bytes")), 1)
s.close()
# LF framing: CR LF, and a plain LF, in one write.
s = tcp()
s.sendall(L("/tcp/lf1") + b"\r\n" + L("/tcp/lf2") + b"\r\n" + L("/tcp/lf3") + b"\n")
s.close()
# A lone LF between octet-counted frames (some relays write one).
s = tcp()
s.sendall(octet(L("/tcp/sep1")) + b"\n" + octet(L("/tcp/sep2")) + b"\n")
s.close()
s = tcp("::1")
s.sendall(octet(L("/tcp/v6", addr="2001:db8::2")))
s.close()
# Broken framing: closed by beacond, which the sender sees as EOF.
s = tcp()
s.sendall(b"x" + L("/tcp/x") + b"\n")
out.append(closed_by_peer(s))
s.close()
s = tcp()
s.sendall(b"9217 " + L("/tcp/count"))
out.append(closed_by_peer(s))
s.close()
# Cut within a frame: one invalid.
s = tcp()
m = octet(L("/tcp/cut"))
s.sendall(m[:len(m) // 2])
time.sleep(0.1)
s.close()
print(" ".join(out))
PY
)
check "framing errors close the stream (EOF)" "eof eof" "$tcp_out"
lline=$(python3 -c "$PY_PRE; print(line('/tcp/logger', host='relay.example').decode())")
timeout 5 logger -T --octet-count -n 127.0.0.1 -P "$SP" --rfc5424 -t beacon "$lline"
check "logger (TCP, RFC 5424, octet counting) exit status" 0 $?

wait_eq "tcp counted" 25 hits counted
wait_eq "tcp invalid (one cut stream)" 10 hits invalid
wait_eq "framing errors" 2 metric beacon_syslog_tcp_framing_errors_total
wait_eq "no TCP connection left open" 0 metric beacon_syslog_tcp_connections
check "tcp skipped unchanged" 5 "$(hits skipped)"
for p in /tcp/oc1 /tcp/oc2 /tcp/oc3 /tcp/bytes /tcp/lf1 /tcp/lf2 /tcp/lf3 \
    /tcp/sep1 /tcp/sep2 /tcp/v6 /tcp/logger; do
    wait_eq "page $p" 1 pages rl "$p"
done
check "relay pageviews" 11 "$(rcli HGET "bc:{rl}:tot:d:$DAY" pageviews)"
check "the broken streams' lines not counted" "" "$(pages rl /tcp/x)$(pages rl /tcp/count)$(pages rl /tcp/cut)"
check "framing logged" 2 "$(grep -c 'broke RFC 6587 framing' "$T_DIR/beacond.log")"

# ---- Drain: sent right before SIGTERM, in Redis once beacond has exited.
# The TCP stream is accepted first, so what is tested is the reading of an
# open stream at drain; then the lines and SIGTERM (from the sender, to
# leave no gap) follow back to back, and the sender keeps its stream open
# until beacond closes it.
python3 - "$BEACOND_PID" <<PY &
$PY_PRE
import signal
s = tcp()
for _ in range(100):
    if os.path.exists("$T_DIR/go"):
        break
    time.sleep(0.05)
udp(*[NGINX + line("/drain/udp") for _ in range(20)])
s.sendall(b"".join(octet(NGINX + line("/drain/tcp")) for _ in range(20)))
os.kill(int(sys.argv[1]), signal.SIGTERM)
closed_by_peer(s)
PY
DRAIN_PY=$!
wait_eq "drain: the stream is accepted" 1 metric beacon_syslog_tcp_connections
touch "$T_DIR/go"
wait "$DRAIN_PY"
# No second SIGTERM (beacond_stop): once beacond has freed its signal
# events, one would end it with the default action. Bounded wait instead.
for _ in $(seq 1 150); do
    kill -0 "$BEACOND_PID" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$BEACOND_PID" 2>/dev/null; then
    beacond_kill
    BEACOND_STATUS="still running after 15 s"
else
    wait "$BEACOND_PID" 2>/dev/null
    BEACOND_STATUS=$?
    BEACOND_PID=""
fi
check "drain: exit status" 0 "$BEACOND_STATUS"
check "drain: UDP lines in Redis" 20 "$(pages ex /drain/udp)"
check "drain: TCP lines in Redis" 20 "$(pages ex /drain/tcp)"

# ---- UDP ingest may share the HTTP port (only TCP would split it).
beacond_start "server.ingest_syslog = 127.0.0.1:$PORT" "sites.www.example.com = ex"
SP=$PORT python3 -c "$PY_PRE; udp(NGINX + line('/shared/udp'))"
check "shared port: the pixel still answers" "X-Beacon: counted" \
    "$(pixel 's=ex&u=/shared/px' | grep -i '^x-beacon:')"
wait_eq "shared port: the UDP line counted" 1 hits counted
wait_eq "shared port: in Redis" 1 pages ex /shared/udp
beacond_stop
check "shared port: exit status" 0 "$BEACOND_STATUS"

# ---- The stream cap: 256 TCP streams open, the 257th is closed at once
# and counted; the open ones still count their lines.
SP=$(free_port)
beacond_start "server.ingest_syslog = 127.0.0.1:$SP" "server.ingest_syslog_tcp = yes" \
    "sites.www.example.com = ex"
capped=$(SP=$SP python3 -c "$PY_PRE
streams = [tcp() for _ in range(256)]
time.sleep(0.5)  # all accepted before the next one
extra = tcp()
print(closed_by_peer(extra))
for s in streams:
    s.sendall(octet(NGINX + line('/cap')))
    s.close()")
check "cap: the 257th stream is closed" eof "$capped"
wait_eq "cap: rejected" 1 metric beacon_syslog_tcp_rejected_total
wait_eq "cap: the 256 streams' lines" 256 pages ex /cap
wait_eq "cap: no stream left open" 0 metric beacon_syslog_tcp_connections
beacond_stop

# ---- Receive-buffer drops: beacond stopped (SIGSTOP) while 50 000
# datagrams arrive; the kernel drops what its buffer cannot hold, and
# every datagram is then either taken (some outcome) or counted as dropped.
SP=$(free_port)
beacond_start "server.ingest_syslog = 127.0.0.1:$SP" "sites.www.example.com = ex"
taken() {
    local o sum=0
    for o in counted invalid skipped dnt gpc optout bot shed; do
        sum=$((sum + $(hits $o)))
    done
    echo $sum
}
kernel_before=$(metric beacon_udp_rcvbuf_errors_total)
kill -STOP "$BEACOND_PID"
SP=$SP python3 -c "$PY_PRE
d = NGINX + line('/drops')
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(50000):
    s.sendto(d, ('127.0.0.1', SP))"
kill -CONT "$BEACOND_PID"
drops_and_taken() { echo $(($(metric beacon_syslog_receive_drops_total) + $(taken))); }
wait_eq "drops: every datagram taken or counted as dropped" 50000 drops_and_taken
drops=$(metric beacon_syslog_receive_drops_total)
check "drops: some were dropped" 1 "$([ "$drops" -gt 0 ] && echo 1 || echo 0)"
check "drops: the kernel's RcvbufErrors saw them" 1 \
    "$([ $(($(metric beacon_udp_rcvbuf_errors_total) - kernel_before)) -ge "$drops" ] && echo 1 || echo 0)"
wait_eq "drops: what was taken is in Redis" "$(taken)" pages ex /drops
beacond_stop

# ---- Refused at start (beacond run directly, bounded by timeout).
conf_with() {
    local f=$T_DIR/bad.conf
    {
        echo "[server]"
        echo "listen = 127.0.0.1:$PORT"
        echo "admin = 127.0.0.1:$ADMIN_PORT"
        echo "workers = 2"
        echo "data_dir = $T_DIR/data-bad"
        printf '%s\n' "$@"
        echo "[redis]"
        echo "url = redis://127.0.0.1:$REDIS_PORT/0"
    } > "$f"
    echo "$f"
}
refused() { # refused NAME WORD CONFIG_LINES...: exits non-zero, WORD in stderr
    local name=$1 word=$2 f rc
    shift 2
    f=$(conf_with "$@")
    timeout 10 "$BEACOND" -c "$f" 2>"$T_DIR/bad.err" >/dev/null
    rc=$?
    check "$name: exit status" "nonzero" "$([ $rc -ne 0 ] && [ $rc -ne 124 ] && echo nonzero || echo $rc)"
    check "$name: says '$word'" 1 "$(grep -cF -- "$word" "$T_DIR/bad.err")"
}
refused "TCP ingest on the HTTP address" "ingest_syslog: 127.0.0.1:$PORT overlaps 127.0.0.1:$PORT" \
    "ingest_syslog = 127.0.0.1:$PORT" "ingest_syslog_tcp = yes"
refused "TCP ingest on the admin address" "overlaps 127.0.0.1:$ADMIN_PORT" \
    "ingest_syslog = 127.0.0.1:$ADMIN_PORT" "ingest_syslog_tcp = yes"
refused "a host name" "ingest_syslog: not a numeric IPv4 address (host names are not looked up) (got 'localhost:514')" \
    "ingest_syslog = localhost:514"

# A UDP port another process holds without SO_REUSEPORT: bind fails.
BUSY=$(free_port)
f=$(conf_with "ingest_syslog = 127.0.0.1:$BUSY")
busy_out=$(python3 - "$BEACOND" "$f" "$BUSY" <<'PY'
import socket, subprocess, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", int(sys.argv[3])))
try:
    r = subprocess.run([sys.argv[1], "-c", sys.argv[2]], capture_output=True,
                       text=True, timeout=10)
    print("exit", "nonzero" if r.returncode != 0 else 0)
    print(r.stderr)
except subprocess.TimeoutExpired:
    print("exit timeout (beacond started)")
PY
)
check "port in use: exit status" "exit nonzero" "$(head -n 1 <<<"$busy_out")"
check "port in use: names the bind" 1 \
    "$(grep -cF "ingest_syslog udp 127.0.0.1:$BUSY: bind: Address already in use" <<<"$busy_out")"
finish
