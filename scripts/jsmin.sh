#!/bin/sh
# jsmin.sh: print FILE as beacond serves it: without the lines that hold
# only a comment, without indentation and trailing blanks, without empty
# lines. Nothing else changes, so the source must keep comments on lines
# of their own and end every statement with ";" or "}" (share/beacon.js
# says so at its top).
#
#   scripts/jsmin.sh share/beacon.js > beacon.min.js
set -eu

if [ $# -ne 1 ] || [ ! -r "$1" ]; then
    echo "usage: $0 FILE" >&2
    exit 2
fi
sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^\/\//d' -e '/^$/d' "$1"
