/*
 * walctl.h: `beaconctl wal verify|dump DIR`, the write-ahead log as an
 * operator sees it. DIR is a data dir (its wal/ folder is read) or a log
 * folder itself.
 *
 *   verify  one line per worker's log: its segments, records and
 *           positions, and "ok", or where it is torn or damaged; exit 1
 *           when any is (0 when all are whole)
 *   dump    one JSON object a line per record, pseudonymous fields only
 *           (the visitor pseudonym and recipient hash in hex)
 */
#ifndef BEACON_WALCTL_H
#define BEACON_WALCTL_H

/* argv[0] is "wal". Returns the exit status. */
int walctl_main(int argc, char **argv);

#endif
