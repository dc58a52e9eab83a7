# The first build on a fresh machine (issue 10): make's package step
# installs node-llhttp, which creates /usr/share/llhttp while make runs.
# Simulated here: a copy of the tree built with a package step (DEPS) that
# creates the llhttp source directory (LLHTTP_DIR) only when it runs. One
# `make` must build both programs, as a new user's first `make run` does.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
src=$T_DIR/src
mkdir -p "$src"
(cd "$top" && tar cf - --exclude='./build*' --exclude=./run --exclude=./.git .) |
    (cd "$src" && tar xf -)

cat > "$T_DIR/fake-deps.sh" <<SH
#!/bin/sh
# the package step of a fresh machine: the llhttp sources appear now
[ -d "$T_DIR/llhttp" ] || cp -r /usr/share/llhttp "$T_DIR/llhttp"
SH
chmod +x "$T_DIR/fake-deps.sh"

check "the llhttp directory does not exist before make" no \
    "$([ -d "$T_DIR/llhttp" ] && echo yes || echo no)"
make -C "$src" -j2 DEPS="$T_DIR/fake-deps.sh" LLHTTP_DIR="$T_DIR/llhttp" \
    >"$T_DIR/make.log" 2>&1
rc=$?
check "one make builds on the first try" 0 "$rc"
[ "$rc" -eq 0 ] || tail -n 20 "$T_DIR/make.log"
check "beacond built" yes "$([ -x "$src/build/beacond" ] && echo yes || echo no)"
check "beaconctl built" yes "$([ -x "$src/build/beaconctl" ] && echo yes || echo no)"
check "beacond runs" 0 "$("$src/build/beacond" --version >/dev/null 2>&1; echo $?)"
finish
