/*
 * journal.h: which log records each batch holds, and which batches Redis
 * acknowledged. A batch's identity then comes from the log: after a crash,
 * a batch that was sent but not acknowledged is built again from the same
 * records under the same sequence number, so the apply script recognises
 * it if Redis has it already (apply_script.h), and everything Redis
 * acknowledged is never read again.
 *
 * The file holds lines, each ending in its CRC32 (" ~xxxxxxxx"):
 *   N <seq>                         the next sequence number
 *   K <w>:<pos> ...                 checkpoints: worker w's records before
 *                                   pos are in Redis
 *   B <seq> <w>:<start>:<end> ...   a batch sealed: worker w's records in
 *                                   [start, end)
 *   A <seq>                         batch seq acknowledged
 * A line that does not check out ends the reading (a torn last line: a
 * crash while it was written). Opening rewrites the file as N, K and the
 * pending B; it is rewritten the same way once it grows past 1 MiB.
 * Sequence numbers only grow within a data dir, whatever the clock does
 * (a new dir has a log id of its own: datadir.h).
 *
 * Only one thread uses a journal at a time (the server while it recovers,
 * then the flusher).
 */
#ifndef BEACON_JOURNAL_H
#define BEACON_JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/config.h"

#define JOURNAL_WORKERS 256 /* worker ids 0..255, as the log names them */

struct journal_range {
    unsigned worker;
    uint64_t start, end;
};

struct journal {
    char path[4200];
    FILE *f;
    enum wal_fsync fsync;
    uint64_t next_seq; /* the next batch's, kept by the user */
    uint64_t checkpoint[JOURNAL_WORKERS];
    /* The batch sealed and not yet acknowledged, if any. */
    int pending;
    uint64_t pending_seq;
    struct journal_range pending_range[JOURNAL_WORKERS];
    size_t n_pending_range;
    int torn; /* an append failed: the file is written afresh first */
};

/* Reads the journal at path (none yet: empty, sequences from seq_base)
 * and rewrites it. Returns 0, or -1 with err filled. */
int journal_open(struct journal *j, const char *path, uint64_t seq_base,
                 enum wal_fsync fsync, char *err, size_t errlen);

void journal_close(struct journal *j);

/* Records that batch seq holds ranges r[0..n) (before its first send;
 * made durable unless wal_fsync = never). Returns 0, or -1 (logged): the
 * batch must not be sent until journal_rewrite() succeeds. */
int journal_seal(struct journal *j, uint64_t seq,
                 const struct journal_range *r, size_t n);

/* Writes the journal afresh (a new file renamed over it, synced), the
 * pending batch included. Returns 0 or -1 (logged). */
int journal_rewrite(struct journal *j);

/* Records that Redis acknowledged the pending batch seq: its ends become
 * the checkpoints (made durable unless wal_fsync = never). Returns 0, or
 * -1 (logged): the log segments behind the checkpoints must stay. */
int journal_ack(struct journal *j, uint64_t seq);

#endif
