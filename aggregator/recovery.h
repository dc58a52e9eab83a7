/*
 * recovery.h: at start, before a hit is served, whatever the logs hold
 * that Redis may not have goes back to the flusher (SPEC 7):
 *
 *   - the batch the journal says was sealed and not acknowledged is built
 *     again from its records under its own sequence number: if Redis
 *     applied it before the crash, the script takes it as a repeat;
 *   - each worker's records after that (or after its checkpoint) are
 *     checked, and left in the log: the flusher counts them again a batch
 *     at a time (flusher_recover), so memory does not grow with them;
 *   - a torn or damaged log stops at its last good record: that is logged
 *     once with where it happened, the segment is copied to damaged/ and
 *     cut after the last good record, later segments of that log are
 *     moved there too, and the log goes on from the last good record.
 */
#ifndef BEACON_RECOVERY_H
#define BEACON_RECOVERY_H

#include <stddef.h>
#include <stdint.h>

#include "aggregator/batch.h"
#include "aggregator/datadir.h"
#include "aggregator/journal.h"

struct flusher;

struct recovery_stats {
    uint64_t records;      /* read back from the logs */
    uint64_t damaged_logs; /* logs that ended in a torn or damaged record */
    /* Where each worker's log goes on (its end, after the last good
     * record). */
    uint64_t position[JOURNAL_WORKERS];
};

/* Reads d's logs after j's checkpoints into f (flusher_recover). Returns
 * 0, or -1 with err filled (a log that cannot be read at all, memory). */
int recovery_run(const struct datadir *d, const struct journal *j,
                 struct flusher *f, const struct batch_params *bp,
                 struct recovery_stats *st, char *err, size_t errlen);

#endif
