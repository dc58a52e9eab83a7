#!/usr/bin/env bash
# run.sh BEACOND [PATTERN]: runs every tests/integration/t_*.sh (or those
# matching PATTERN) against the given beacond binary; each test file starts
# and stops its own redis-server and beacond.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export BEACOND=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
pattern=${2:-}
for tool in redis-server redis-cli curl python3; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing (scripts/install-deps.sh)" >&2; exit 2; }
done
failed=0
total=0
for t in "$here"/t_*.sh; do
    case "$(basename "$t")" in *"$pattern"*) ;; *) continue ;; esac
    total=$((total + 1))
    start=$(date +%s)
    if ! timeout 300 bash "$t"; then
        failed=$((failed + 1))
        echo "   ($(basename "$t") failed after $(( $(date +%s) - start )) s)"
    fi
done
echo "integration: $((total - failed)) of $total test files passed"
[ "$failed" -eq 0 ]
