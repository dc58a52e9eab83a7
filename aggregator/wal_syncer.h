/*
 * wal_syncer.h: wal_fsync = interval. A thread of its own makes the
 * workers' logs durable once an interval (fdatasync of each current
 * segment), and makes durable and closes the segments they finished
 * (and the folder, which names the segments begun since), so
 * that no worker ever waits for a disk flush. A power loss then loses at
 * most the last interval; a process crash loses nothing (the page cache
 * has every record written).
 */
#ifndef BEACON_WAL_SYNCER_H
#define BEACON_WAL_SYNCER_H

#include <stdint.h>

/* wal_fsync = interval: how often (SPEC 5). */
#define WAL_SYNC_INTERVAL_MS 1000

struct wal;
struct wal_syncer;

/* A syncer for up to max_logs logs in the folder dir, every interval_ms.
 * NULL when out of memory. */
struct wal_syncer *wal_syncer_create(const char *dir, int max_logs,
                                     uint64_t interval_ms);

/* Before wal_syncer_start: a log to sync. Returns 0 or -1 (full). */
int wal_syncer_add(struct wal_syncer *s, const struct wal *w);

/* wal_params.retire: a finished segment's descriptor, synced and closed
 * on the syncer's thread (or by wal_syncer_destroy). */
void wal_syncer_retire(void *syncer, int fd);

/* Starts the thread. Returns 0 or -1. */
int wal_syncer_start(struct wal_syncer *s);

/* Stops the thread (after a last round), then frees s; the logs it was
 * given must still be open. NULL is a no-op. */
void wal_syncer_destroy(struct wal_syncer *s);

#endif
