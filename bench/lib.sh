# bench/lib.sh: what the bench scripts share; sourced, not run.
#
#   bench_start NAME COMMAND   a work dir in $dir, removed at exit with
#                              every process in $pids; COMMAND (how the
#                              script was called) goes to BENCH_RESULTS
#   port, udp_port             a free loopback port, TCP or UDP
#   emit LINE                  a result line: on stdout, and appended to
#                              BENCH_RESULTS for bench/report.py
# shellcheck shell=bash
results=${BENCH_RESULTS:-}
pids=()

bench_cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$dir"
}

bench_start() {
    dir=$(mktemp -d "/tmp/beacond-$1.XXXXXX")
    trap bench_cleanup EXIT
    if [ -n "$results" ]; then echo "command: $2" >>"$results"; fi
}

free_port() {
    python3 -c 'import socket, sys
s = socket.socket(type=int(sys.argv[1]))
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "$1"
}
port() { free_port 1; }
udp_port() { free_port 2; }

emit() {
    echo "$1"
    if [ -n "$results" ]; then echo "$1" >>"$results"; fi
}
