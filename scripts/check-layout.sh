#!/bin/sh
# check-layout.sh: the dependency lines of the source tree (README,
# "Architecture"), read from the #include lines. Prints each include that
# crosses a line and exits 1 if there is one.
#
#   common/      includes common/ only
#   proto/       pure: common/ and proto/
#   config/      common/, proto/, config/: read by both programs
#   aggregator/  no HTTP: common/, proto/, config/, aggregator/
#   dashboard/   beaconctl and the dashboard's reading side: anything but
#                collector/
#   collector/   the daemon: anything (the admin listener serves dashboard/)
set -eu
cd "$(dirname "$0")/.."

allowed() {
    case "$1" in
    common) echo "common" ;;
    proto) echo "common proto" ;;
    config) echo "common proto config" ;;
    aggregator) echo "common proto config aggregator" ;;
    dashboard) echo "common proto config aggregator dashboard" ;;
    collector) echo "common proto config aggregator dashboard collector" ;;
    esac
}

bad=0
for dir in common proto config aggregator dashboard collector; do
    ok=$(allowed "$dir")
    # every quoted include of ours: FILE:LINE:#include "top/..."
    for hit in $(grep -rn --include='*.[ch]' '^#include "[a-z_]*/' "$dir" |
        sed 's/^\([^:]*:[0-9]*\):#include "\([a-z_]*\)\/.*/\1:\2/'); do
        top=${hit##*:}
        case " $ok " in
        *" $top "*) ;;
        *)
            echo "layout: ${hit%:*} includes $top/ (a $dir/ file may include: $ok)" >&2
            bad=1
            ;;
        esac
    done
done
if [ "$bad" -ne 0 ]; then
    exit 1
fi
echo "layout: every #include keeps the dependency lines"
