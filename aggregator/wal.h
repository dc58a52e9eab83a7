/*
 * wal.h: one worker's write-ahead log, the writing side. Records
 * (proto/walrec.h) are appended to a block while a loop turn serves its
 * requests; when the turn ends (wal_commit) the block is sealed under one
 * CRC and written with one write(), before any answer of that turn goes
 * out: group commit.
 *
 * The log is a run of segment files in its folder, named
 * w<worker>-<position>.wal (3 decimal digits, 16 lower-case hex) after
 * the position of their first block. A position counts the log's bytes
 * (blocks, headers included) since it began, so a range of positions
 * names the same records across restarts; a record's position is the
 * log's before it was appended, the same as the end of the record before
 * it. A segment starts with a header (WAL_HEADER_BYTES: magic, format,
 * worker, first position) and is preallocated to segment_bytes, so
 * appending inside it cannot fail for want of disk: a full disk shows at
 * the next segment, in wal_reserve. With wal_fsync = always a new
 * segment's name is made durable before any record goes into it;
 * with interval, the syncer does it (wal_syncer.h).
 *
 * Only the worker's thread calls these, except wal_sync_fd() (any thread).
 */
#ifndef BEACON_WAL_H
#define BEACON_WAL_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

#define WAL_MAGIC "BCNWAL01"
#define WAL_FORMAT 1
#define WAL_HEADER_BYTES 32
#define WAL_WORKERS 256 /* worker ids the segment names take */

struct wal_params {
    const char *dir; /* the log's folder; must exist */
    unsigned worker;
    uint64_t segment_bytes; /* header included */
    enum wal_fsync fsync;
    /* Receives each full segment's file descriptor, to make durable and
     * close off the worker's thread (wal_fsync = interval); NULL: the
     * worker closes it. */
    void (*retire)(void *arg, int fd);
    void *retire_arg;
};

struct wal;

/* Opens a log that continues at position start (a new segment). Returns
 * NULL with err filled on failure. */
struct wal *wal_open(const struct wal_params *p, uint64_t start, char *err,
                     size_t errlen);

/* Commits what is pending, then closes and frees w; NULL is a no-op. */
void wal_close(struct wal *w);

/*
 * Makes room for a record of up to len bytes (<= WALREC_MAX): in the
 * block (committing it early when full) and in the segment (starting the
 * next one when full). Returns 0, or -1 when the next segment cannot be
 * created (disk full, quota): the record must not be counted.
 */
int wal_reserve(struct wal *w, size_t len);

/* Where the next record goes: after wal_reserve(len) said yes, len bytes
 * (so a record is encoded in place, not copied). */
char *wal_space(struct wal *w);

/* Appends the len-byte record written at wal_space(). */
void wal_append(struct wal *w, size_t len);

/* Position after the last record appended (committed or not). */
uint64_t wal_position(const struct wal *w);

/* Records appended and not yet written. */
int wal_pending(const struct wal *w);

/* Seals the pending records' block and writes it (one write(); fdatasync
 * too with wal_fsync = always). Returns 0, or -1 on an I/O error
 * (logged). */
int wal_commit(struct wal *w);

/* The current segment's descriptor, for a periodic fdatasync from
 * another thread (wal_fsync = interval). */
int wal_sync_fd(const struct wal *w);

/* Makes the names of the segments created in the log's folder dir
 * durable: an fdatasync of a new file need not write its folder's entry.
 * Returns 0 or -1 (logged). */
int wal_sync_dir(const char *dir);

#endif
