/*
 * replay.h: a worker's log records counted back into a table, the way the
 * hits were counted (counts_add_record): for the batch recovery rebuilds,
 * and for the batches the flusher builds from the log after a long Redis
 * outage (flusher.c).
 */
#ifndef BEACON_REPLAY_H
#define BEACON_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "aggregator/wal_read.h"

struct table;

/*
 * Counts worker's records in [from, end) into t, stopping early once t
 * holds max_keys entries (0: no limit) after a whole record. res says
 * where it stopped (res->position) and how. Returns 0, or -1 with err
 * filled (a log that cannot be read, memory).
 */
int replay_range(const char *dir, const struct wal_segment *segs, size_t n,
                 unsigned worker, uint64_t from, uint64_t end,
                 struct table *t, size_t max_keys, struct wal_read_result *res,
                 char *err, size_t errlen);

#endif
