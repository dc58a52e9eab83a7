/*
 * wal_read.h: reading write-ahead logs back (wal.h has the layout), for
 * recovery at start and for `beaconctl wal verify|dump`, and dropping the
 * segments Redis has all of.
 *
 * A log reads in position order, segment after segment, block after
 * block, until the first of: its end (the preallocated zeros after the
 * last block of the last segment), a torn tail (a block cut short, or not
 * matching its CRC with only zeros after it, in the last segment: a crash
 * in the middle of a write), damage (a wrong CRC, length or field, bytes
 * after the zeros, a segment whose first position does not continue the
 * one before). A block is read whole or not at all: what comes from the
 * first torn or damaged block on is not read.
 */
#ifndef BEACON_WAL_READ_H
#define BEACON_WAL_READ_H

#include <stddef.h>
#include <stdint.h>

#include "proto/walrec.h"

struct wal_segment {
    unsigned worker;
    uint64_t start; /* position of its first block */
    char name[64];  /* in the log folder */
};

/* The segments in dir, sorted by worker then start. *out is malloc'd (free
 * it). Returns the count, or -1 with err filled. Files of other names are
 * ignored. */
long wal_list(const char *dir, struct wal_segment **out, char *err,
              size_t errlen);

enum wal_end {
    WAL_END_CLEAN,   /* the last record was whole */
    WAL_END_TORN,    /* a block cut short at the end of the log */
    WAL_END_DAMAGED, /* anything else that is not a record */
};

struct wal_read_result {
    enum wal_end end;
    uint64_t position;   /* after the last good record */
    uint64_t records;    /* records passed to the callback */
    char where[160];     /* for TORN and DAMAGED: segment, offset, what */
    size_t bad_segment;  /* index in the list of the segment it stopped in */
    uint64_t bad_offset; /* byte of that segment where it stopped */
};

/*
 * Reads worker's log in dir (its segments in segs[0..n), as wal_list gives
 * them) over positions [from, to): from and to are records' positions
 * or the end of the log's (to = UINT64_MAX: to the end). The blocks
 * before from are stepped over by their headers, unchecked; nothing past
 * the block that holds to is looked at. fn is called for every whole record with its position,
 * and stops the read after it by returning nonzero; a read that
 * stops, or reaches to, ends CLEAN. Returns 0, or -1 with err filled when
 * a segment cannot be read at all (I/O, or a newer format: refuse rather
 * than misread).
 */
int wal_read(const char *dir, const struct wal_segment *segs, size_t n,
             unsigned worker, uint64_t from, uint64_t to,
             int (*fn)(void *arg, const struct walrec *r, uint64_t pos),
             void *arg, struct wal_read_result *res, char *err,
             size_t errlen);

/* Deletes each worker w's segments (w < n) that hold nothing at or after
 * position[w] (a later segment starts at or before it); each log's newest
 * segment stays. One listing of dir for all. */
void wal_drop_before(const char *dir, const uint64_t *position, size_t n);

#endif
