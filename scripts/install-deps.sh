#!/bin/sh
# install-deps.sh: install the Debian packages beacond needs to build, test
# and run. Installs nothing when every package is already present, so `make`
# can call it on every build at the cost of one dpkg-query.
#
#   scripts/install-deps.sh          install what is missing
#   scripts/install-deps.sh --check  exit 1 if anything is missing, install nothing
set -eu

# build: compiler, pkg-config, the libraries of DESIGN.md section 3
# llhttp: its C sources, compiled from /usr/share/llhttp (node-llhttp)
# test and run: redis, curl, cmocka, valgrind, clang (libFuzzer, sanitizers),
# faketime (libfaketime: a beacond a day ahead, tests/integration/t_visitors.sh)
# chromium: the real-browser test of /beacon.js (tests/integration/t_browser.sh)
# bench: wrk and nginx (empty_gif reference)
PACKAGES="
    gcc make pkg-config
    libevent-dev libhiredis-dev zlib1g-dev libsodium-dev libjansson-dev
    libinih-dev node-llhttp
    libcmocka-dev redis-server redis-tools curl python3 procps
    clang libclang-rt-14-dev valgrind faketime chromium
    wrk nginx-light
"

missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
    "install ok installed") ;;
    *) missing="$missing $p" ;;
    esac
done

if [ -z "$missing" ]; then
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
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
