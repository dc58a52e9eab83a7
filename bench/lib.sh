# bench/lib.sh: what the bench scripts share; sourced, not run.
#
#   bench_start NAME COMMAND   a work dir in $dir, removed at exit with
#                              every process in $pids; COMMAND (how the
#                              script was called) goes to BENCH_RESULTS
#   port, udp_port             a free loopback port, TCP or UDP
#   emit LINE                  a result line: on stdout, and appended to
#                              BENCH_RESULTS for bench/report.py
#   syscalls PIDS URL LUA      system calls per request (bench/syscount.py)
#   cpu_ticks PID              user+sys clock ticks of PID's threads so far
# shellcheck shell=bash
results=${BENCH_RESULTS:-}
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
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

# "syscalls_per_req=N pwrites_per_req=N" of PIDS under a SYSCALL_SECONDS
# (default 3) wrk run of the same load as cpu-per-request's (-t1 -c50):
# every system call, and the pwrite64 calls (beacond: its write-ahead
# log's one write per loop turn), counted from before wrk starts until it
# ends, per request wrk reports; "na" when they cannot be counted.
#   syscalls PID[,PID...] URL LUA
syscalls() {
    if ! python3 "$bench_dir/syscount.py" "$1" "$dir/syscount" \
        raw_syscalls:sys_enter syscalls:sys_enter_pwrite64 -- \
        taskset -c 1 wrk -t1 -c50 -d"${SYSCALL_SECONDS:-3}s" -s "$3" "$2" >"$dir/wrk.out" 2>&1; then
        echo "bench: wrk failed:" >&2
        cat "$dir/wrk.out" >&2
        exit 1
    fi
    awk -v counts="$(paste -sd' ' "$dir/syscount")" '
        / requests in / { r = $1 }
        END {
            split(counts, n, " ")
            if (n[1] == "na" || r == 0) printf "syscalls_per_req=na pwrites_per_req=na\n"
            else printf "syscalls_per_req=%.2f pwrites_per_req=%.2f\n", n[1] / r, n[2] / r
        }' "$dir/wrk.out"
}

# user+sys clock ticks of all of PID's threads (fields 14, 15 of
# /proc/PID/stat, counted after the ")" that closes the command name,
# which may hold blanks).
cpu_ticks() {
    local line
    local -a f
    read -r line <"/proc/$1/stat"
    read -r -a f <<<"${line##*) }"
    echo $((f[11] + f[12]))
}
