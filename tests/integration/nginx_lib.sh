# nginx_lib.sh: a real nginx for the syslog ingest tests, sourced after
# lib.sh by a test that sets W (its own files' folder) and stops NGINX_PID
# in its EXIT trap.
#
# nginx_start SYSLOG_PORT: nginx (one process, not a daemon) on
# 127.0.0.1:$NP and [::1]:$NP, serving $W/nginx/www; its only access log is the
# beacon format over UDP syslog to 127.0.0.1:SYSLOG_PORT.
nginx_start() {
    local d=$W/nginx i try f
    mkdir -p "$d/www/blog" "$d/www/shop"
    for f in index.html blog/a.html blog/b.html shop/item style.css; do
        echo "page $f" > "$d/www/$f"
    done
    cat > "$d/nginx.conf.in" <<'EOF'
daemon off;
master_process off;
pid @D@/nginx.pid;
error_log @D@/error.log warn;
events { worker_connections 64; }
http {
    client_body_temp_path @D@/body;
    proxy_temp_path @D@/proxy;
    fastcgi_temp_path @D@/fastcgi;
    uwsgi_temp_path @D@/uwsgi;
    scgi_temp_path @D@/scgi;
    log_format beacon 'v1 $remote_addr "$request_method" "$request_uri" $status '
                      '"$http_referer" "$http_user_agent" "$http_dnt" '
                      '"$http_sec_gpc" "$cookie_beacon_optout" "$host"';
    access_log syslog:server=127.0.0.1:@SP@,tag=beacon,nohostname beacon;
    server {
        listen 127.0.0.1:@NP@;
        listen [::1]:@NP@;
        root @D@/www;
        # a POST answered 200: skipped for its method alone
        location = /form { return 200 "ok\n"; }
        # the readiness probe leaves no log line
        location = /ready { access_log off; return 204; }
    }
}
EOF
    # free_port looked at 127.0.0.1 only: [::1] may hold the port, so a
    # bind error gets another port, twice at most
    for try in 1 2 3; do
        NP=$(free_port)
        sed -e "s|@D@|$d|g" -e "s|@SP@|$1|g" -e "s|@NP@|$NP|g" "$d/nginx.conf.in" > "$d/nginx.conf"
        nginx -c "$d/nginx.conf" -p "$d" -e "$d/error.log" 2>>"$d/error.log" &
        NGINX_PID=$!
        for i in $(seq 1 100); do
            [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NP/ready")" = 204 ] &&
                [ "$(curl -s -g -o /dev/null -w '%{http_code}' "http://[::1]:$NP/ready")" = 204 ] &&
                return 0
            kill -0 "$NGINX_PID" 2>/dev/null || break
            sleep 0.05
        done
        stop_pid "$NGINX_PID"
        NGINX_PID=""
    done
    echo "nginx did not start:" >&2
    cat "$d/error.log" >&2
    return 1
}

# stop_pid PID: SIGTERM, at most 5 s, then SIGKILL
stop_pid() {
    local i
    kill -TERM "$1" 2>/dev/null
    for i in $(seq 1 50); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

# get FROM HOST PATH [curl args...]: one request through nginx from the
# source address FROM (::1: over IPv6) as a browser (a later -A wins);
# prints the status nginx answered.
get() {
    local from=$1 host=$2 path=$3 url
    shift 3
    if [ "$from" = ::1 ]; then
        url="http://[::1]:$NP$path"
    else
        url="http://127.0.0.1:$NP$path"
    fi
    curl -s -g -o /dev/null -w '%{http_code}' --max-time 5 --interface "$from" \
        -A "$BROWSER_UA" -H "Host: $host" "$@" "$url"
}

# every syslog outcome with a count, as "outcome=N ..."
outcomes() {
    curl -s --max-time 5 "$ADMIN/metrics" |
        sed -n 's/^beacon_hits_total{endpoint="syslog",outcome="\([a-z_]*\)"} \([0-9]*\)$/\1=\2/p' |
        grep -v '=0$' | sort | tr '\n' ' '
}
