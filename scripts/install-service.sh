#!/bin/sh
# install-service.sh: the parts of `make install` that are about the host
# rather than files: the system user the unit runs as, and a first
# configuration file it may read.
#
#   scripts/install-service.sh DESTDIR SYSCONFDIR PREFIX
#
# Into a staging DESTDIR (a package build) only the configuration file is
# written, mode 0640; the user is the package's business. On the host
# itself (DESTDIR empty), as root: the system user and group `beacond`
# are created when missing, and the configuration, when missing, is the
# example, mode 0640, group beacond (it will hold the recipient and link
# keys). An existing configuration is never touched.
set -eu
destdir=$1
sysconfdir=$2
prefix=$3
conf="$destdir$sysconfdir/beacond/beacond.conf"

if [ -z "$destdir" ] && [ "$(id -u)" -eq 0 ]; then
    if ! getent group beacond >/dev/null; then
        groupadd --system beacond
        echo "install: created the system group beacond"
    fi
    if ! getent passwd beacond >/dev/null; then
        useradd --system --gid beacond --no-create-home \
            --home-dir /var/lib/beacond --shell /usr/sbin/nologin beacond
        echo "install: created the system user beacond"
    fi
fi
if [ -e "$conf" ]; then
    echo "install: $conf exists: left as it is"
    exit 0
fi
install -d "$destdir$sysconfdir/beacond"
install -m 0640 "$destdir$prefix/share/beacond/beacond.conf.example" "$conf"
if [ -z "$destdir" ] && [ "$(id -u)" -eq 0 ]; then
    chgrp beacond "$conf"
fi
echo "install: $conf is the example: edit it, then systemctl enable --now beacond"
