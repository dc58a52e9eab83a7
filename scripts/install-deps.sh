#!/bin/sh
# install-deps.sh: install the Debian packages a make goal needs, and
# nothing else. Installs nothing when they are all present, so make calls
# it on every build at the cost of one dpkg-query per package.
#
#   scripts/install-deps.sh [GROUP...]         install what is missing
#   scripts/install-deps.sh --check [GROUP...] exit 1 if anything is missing
#
# Groups (default: build run):
#   build  compiler, pkg-config, the libraries, llhttp's C sources, Chart.js
#          (built into the dashboard) (make)
#   run    redis-server, redis-tools, curl (make run: a private Redis)
#   test   build, run, and cmocka, python3, procps, valgrind, clang with
#          its sanitizer and fuzzer runtime, faketime, chromium, nginx-light
#          (a real web server for the syslog ingest), haproxy (a load
#          balancer in front of two instances, t_cluster), bsdutils
#          (logger), man-db and systemd (the man pages and the unit are
#          checked) (make test)
#   bench  build, run, and wrk, nginx-light, python3, procps (make bench)
#   fuzz   build, and clang with its fuzzer runtime (make fuzz)
#
# The redis-server, nginx and haproxy packages start a system service when
# they are installed; a service started by this script's own install is
# stopped and disabled again (make run starts a private Redis, make test
# and make bench their own nginx, make test its own haproxy), and the
# script says so.
set -eu

check=0
if [ "${1:-}" = "--check" ]; then
    check=1
    shift
fi
[ $# -gt 0 ] || set -- build run

build="gcc make pkg-config libevent-dev libhiredis-dev zlib1g-dev
       libsodium-dev libjansson-dev libcjson-dev libinih-dev node-llhttp
       libjs-chart.js"
run="redis-server redis-tools curl"
wanted=""
for group in "$@"; do
    case "$group" in
    build) wanted="$wanted $build" ;;
    run) wanted="$wanted $build $run" ;;
    test) wanted="$wanted $build $run libcmocka-dev python3 procps valgrind
                  clang libclang-rt-14-dev faketime chromium nginx-light
                  haproxy bsdutils man-db systemd" ;;
    bench) wanted="$wanted $build $run wrk nginx-light python3 procps" ;;
    fuzz) wanted="$wanted $build clang libclang-rt-14-dev" ;;
    *)
        echo "install-deps: unknown group '$group' (build run test bench fuzz)" >&2
        exit 2
        ;;
    esac
done

missing=""
for p in $wanted; do
    case " $missing " in *" $p "*) continue ;; esac
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
    "install ok installed") ;;
    *) missing="$missing $p" ;;
    esac
done

if [ -z "$missing" ]; then
    exit 0
fi
if [ "$check" -eq 1 ]; then
    echo "missing packages:$missing" >&2
    exit 1
fi

echo "install-deps: installing$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086 # word splitting of the package list is wanted
$SUDO apt-get install -y -q --no-install-recommends $missing

# A service that the install just started, which nobody asked for.
for pkg_unit in redis-server:redis-server nginx-light:nginx haproxy:haproxy; do
    pkg=${pkg_unit%%:*}
    unit=${pkg_unit#*:}
    case " $missing " in *" $pkg "*) ;; *) continue ;; esac
    stopped=0
    if [ -d /run/systemd/system ]; then
        if systemctl is-enabled --quiet "$unit" 2>/dev/null ||
            systemctl is-active --quiet "$unit" 2>/dev/null; then
            $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 || true
            stopped=1
        fi
    elif [ -x "/etc/init.d/$unit" ] &&
        "/etc/init.d/$unit" status >/dev/null 2>&1; then
        $SUDO "/etc/init.d/$unit" stop >/dev/null 2>&1 || true
        $SUDO update-rc.d "$unit" disable >/dev/null 2>&1 || true
        stopped=1
    fi
    if [ "$stopped" -eq 1 ]; then
        echo "install-deps: stopped and disabled the $unit service that" \
            "the $pkg package started" >&2
    fi
done
