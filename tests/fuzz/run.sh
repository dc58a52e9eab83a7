#!/bin/sh
# run.sh: build every libFuzzer target tests/fuzz/fuzz_*.c into build-fuzz/
# and run each for SECONDS seconds; exit 1 if any target fails to build or
# finds a crash, leak, timeout or broken invariant.
#
#   tests/fuzz/run.sh SECONDS [TARGET...]     e.g. tests/fuzz/run.sh 5 fuzz_url
#
# A target file may carry these comment lines (each at most once):
#   // FUZZ_SOURCES: proto/*.c collector/http_parse.c   sources linked in
#                                                       (default: proto/*.c)
#   // FUZZ_CFLAGS: -I/some/dir                         extra compiler flags
#   // FUZZ_LIBS: -lz                                   extra libraries
#   // FUZZ_SEED: GET / HTTP/1.1\r\n\r\n                a seed input, repeatable
#   // FUZZ_DICT: tests/fuzz/http.dict                  a libFuzzer dictionary
#                                                       (-dict=), relative to
#                                                       the repository root
# Seeds go through printf %b: \r \n \t \\ and octal \0NNN work, \xHH does not
# (dash).
# The corpus of fuzz_X lives in build-fuzz/corpus-fuzz_X and grows across
# runs; crash inputs land in build-fuzz/artifacts/.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
fi
secs=$1
shift
case "$secs" in
'' | *[!0-9]*)
    echo "$0: SECONDS must be a number" >&2
    exit 2
    ;;
esac

cd "$(dirname "$0")/../.."
out=build-fuzz
cc=${FUZZ_CC:-clang}
llhttp_inc=${LLHTTP_INC:-/usr/share/include/llhttp}
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "$0: $cc not found (scripts/install-deps.sh installs clang)" >&2
    exit 1
fi
mkdir -p "$out/artifacts"

# The value of a "// KEY:" line of a target file, empty when absent.
directive() {
    sed -n "s|^// $2:[[:space:]]*||p" "$1" | head -n 1
}

# Seeds: a few literal inputs per target, so that even a 5-second run
# starts from something that parses.
write_seeds() {
    name=$1 src=$2 dir=$3
    i=0
    seed() {
        i=$((i + 1))
        printf '%b' "$1" >"$dir/seed-$i"
    }
    case "$name" in
    fuzz_hit)
        seed 's=blog&u=%2F'
        seed 's=blog&u=https%3A%2F%2Fexample.com%2Fa%2F..%2Fb%3Futm_source%3DNews&r=https%3A%2F%2Fwww.google.com%2F&e=signup'
        seed '\0001www.example.com\ns=shop&u=/cart?x=1&r=https://example.com/&utm_medium=Email&utm_campaign=%C3%89t%C3%A9'
        seed 's=a&u=http://[::1]:8080/x&r=http://[::2]/&e=video:play'
        ;;
    fuzz_url)
        seed 'https://user:pw@WWW.Example.com:8443/a/./b/../c//d?q=1#f'
        seed 'http://[2001:db8::1]:80/caf\0303\0251/'
        seed '/docs/../../x/./y/'
        seed 'www.example.com:8080'
        ;;
    fuzz_percent)
        seed 'a%20b+c%2Bd'
        seed '%C3%A9%E2%82%AC%F0%9F%98%80'
        seed '%ED%A0%80%C0%AF%'
        ;;
    fuzz_useragent)
        seed 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51'
        seed 'Mozilla/5.0 (iPad; CPU OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1'
        seed 'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0'
        ;;
    esac
    sed -n 's|^// FUZZ_SEED:[[:space:]]*||p' "$src" | while IFS= read -r line; do
        i=$((i + 1))
        printf '%b' "$line" >"$dir/seed-x$i"
    done
}

if [ $# -gt 0 ]; then
    targets=""
    for t in "$@"; do
        targets="$targets tests/fuzz/${t%.c}.c"
    done
else
    targets=$(ls tests/fuzz/fuzz_*.c 2>/dev/null || true)
fi
if [ -z "$targets" ]; then
    echo "$0: no targets" >&2
    exit 1
fi

failed=""
for src in $targets; do
    name=$(basename "$src" .c)
    sources=$(directive "$src" FUZZ_SOURCES)
    extra_cflags=$(directive "$src" FUZZ_CFLAGS)
    extra_libs=$(directive "$src" FUZZ_LIBS)
    dict=$(directive "$src" FUZZ_DICT)
    if [ -n "$dict" ] && [ ! -s "$dict" ]; then
        echo "== $name: dictionary $dict missing or empty" >&2
        failed="$failed $name"
        continue
    fi
    # Word splitting and globbing of the lists are wanted here.
    # shellcheck disable=SC2086
    if ! "$cc" -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
        -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=undefined \
        -DBEACON_VERSION='"fuzz"' -I. -I"$llhttp_inc" $extra_cflags \
        -o "$out/$name" "$src" ${sources:-proto/*.c} \
        $extra_libs -lsodium -ljansson -lcjson -lz; then
        echo "== $name: BUILD FAILED" >&2
        failed="$failed $name"
        continue
    fi
    corpus="$out/corpus-$name"
    mkdir -p "$corpus"
    write_seeds "$name" "$src" "$corpus"
    echo "== $name: ${secs}s"
    if ! "$out/$name" -max_total_time="$secs" -max_len=8192 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$out/artifacts/$name-" \
        ${dict:+"-dict=$dict"} "$corpus" >"$out/$name.log" 2>&1; then
        tail -n 40 "$out/$name.log" >&2
        echo "== $name: FAILED (log: $out/$name.log)" >&2
        failed="$failed $name"
        continue
    fi
    grep -E '^stat::number_of_executed_units' "$out/$name.log" || true
done

if [ -n "$failed" ]; then
    echo "fuzz: failed:$failed" >&2
    exit 1
fi
echo "fuzz: all targets clean"
