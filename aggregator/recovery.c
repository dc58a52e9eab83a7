/*
 * recovery.c: see recovery.h.
 */
#include "aggregator/recovery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregator/flusher.h"
#include "aggregator/replay.h"
#include "aggregator/table.h"
#include "aggregator/wal.h"
#include "aggregator/wal_read.h"
#include "common/log.h"

/* A log that ended in a torn or damaged block: its segment is copied
 * aside and cut where that block begins, its later segments moved aside;
 * the log goes on from there. */
static void set_aside(const struct datadir *d, const struct wal_segment *segs,
                      size_t n, const struct wal_read_result *res)
{
    size_t i = res->bad_segment;
    unsigned w = segs[i].worker;
    log_warn("wal: worker %u's log: %s; replayed up to position %llu, the "
             "rest is kept in %s",
             w, res->where, (unsigned long long)res->position, d->damaged);
    if (res->bad_offset <= WAL_HEADER_BYTES) {
        datadir_set_aside(d, segs[i].name);
    } else if (datadir_copy_aside(d, segs[i].name) == 0) {
        char path[DATADIR_PATH_MAX + 80];
        snprintf(path, sizeof(path), "%s/%s", d->wal, segs[i].name);
        if (truncate(path, (off_t)res->bad_offset) < 0) {
            log_error("wal: cannot cut %s: the damage stays in the log",
                      path);
        }
    }
    for (i++; i < n && segs[i].worker == w; i++) {
        datadir_set_aside(d, segs[i].name);
    }
}

/* Reads worker w's records in [from, end), into t when not NULL, only
 * checking them when NULL; *pos gets where the read stopped. Returns 0,
 * or -1 with err filled. */
static int replay_log(const struct datadir *d, const struct wal_segment *segs,
                      size_t n, unsigned w, uint64_t from, uint64_t end,
                      struct table *t, struct recovery_stats *st,
                      uint64_t *pos, char *err, size_t errlen)
{
    struct wal_read_result res;
    int rc = t != NULL
                 ? replay_range(d->wal, segs, n, w, from, end, t, 0, &res,
                                err, errlen)
                 : wal_read(d->wal, segs, n, w, from, end, NULL, NULL, &res,
                            err, errlen);
    if (rc < 0) {
        return -1;
    }
    st->records += res.records;
    *pos = res.position;
    if (res.end != WAL_END_CLEAN) {
        st->damaged_logs++;
        set_aside(d, segs, n, &res);
    }
    return 0;
}

/* Segments the log no longer needs go: those wholly behind the checkpoint
 * (a crash can come between an acknowledgement and the removal it
 * allows), and a last segment that holds no record (a crash or stop before
 * its first write), so that the log can go on with a segment of that name. */
static int drop_spent(const struct datadir *d, const struct journal *j,
                      const struct recovery_stats *st, char *err,
                      size_t errlen)
{
    struct wal_segment *segs;
    long n = wal_list(d->wal, &segs, err, errlen);
    if (n < 0) {
        return -1;
    }
    for (long i = 0; i < n; i++) {
        unsigned w = segs[i].worker;
        if (w >= JOURNAL_WORKERS) {
            continue;
        }
        int last = i + 1 == n || segs[i + 1].worker != w;
        uint64_t end = last ? st->position[w] : segs[i + 1].start;
        if ((last && segs[i].start == end) || end <= j->checkpoint[w]) {
            char path[DATADIR_PATH_MAX + 80];
            snprintf(path, sizeof(path), "%s/%s", d->wal, segs[i].name);
            unlink(path);
        }
    }
    free(segs);
    return 0;
}

/* The workers that have a log or a checkpoint. */
static void workers_of(const struct wal_segment *segs, size_t n,
                       const struct journal *j, unsigned char *has)
{
    memset(has, 0, JOURNAL_WORKERS);
    for (size_t i = 0; i < n; i++) {
        if (segs[i].worker < JOURNAL_WORKERS) {
            has[segs[i].worker] = 1;
        }
    }
    for (unsigned w = 0; w < JOURNAL_WORKERS; w++) {
        has[w] |= j->checkpoint[w] > 0;
    }
}

/* The batch sealed before the crash and never acknowledged, again. */
static struct batch *rebuild_pending(const struct datadir *d,
                                     const struct wal_segment *segs, size_t n,
                                     const struct journal *j,
                                     const struct batch_params *bp,
                                     struct recovery_stats *st, char *err,
                                     size_t errlen)
{
    struct table *t = table_create();
    struct batch *b = NULL;
    if (t == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < j->n_pending_range; i++) {
        const struct journal_range *r = &j->pending_range[i];
        uint64_t pos;
        if (replay_log(d, segs, n, r->worker, r->start, r->end, t, st, &pos,
                       err, errlen) < 0) {
            goto out;
        }
    }
    b = batch_build(t, j->pending_seq, bp, err, errlen);
out:
    table_destroy(t);
    return b;
}

int recovery_run(const struct datadir *d, const struct journal *j,
                 struct flusher *f, const struct batch_params *bp,
                 struct recovery_stats *st, char *err, size_t errlen)
{
    struct wal_segment *segs;
    unsigned char has[JOURNAL_WORKERS];
    struct journal_range rest[JOURNAL_WORKERS];
    size_t n_rest = 0;
    struct batch *pending = NULL;
    int rc = -1;

    memset(st, 0, sizeof(*st));
    long n = wal_list(d->wal, &segs, err, errlen);
    if (n < 0) {
        return -1;
    }
    workers_of(segs, (size_t)n, j, has);
    uint64_t from[JOURNAL_WORKERS];
    memcpy(from, j->checkpoint, sizeof(from));
    if (j->pending) {
        pending = rebuild_pending(d, segs, (size_t)n, j, bp, st, err, errlen);
        if (pending == NULL) {
            goto out;
        }
        for (size_t i = 0; i < j->n_pending_range; i++) {
            from[j->pending_range[i].worker] = j->pending_range[i].end;
        }
        /* Damage found there changed the list: read it again. */
        free(segs);
        if ((n = wal_list(d->wal, &segs, err, errlen)) < 0) {
            goto out;
        }
    }
    /* The rest is only checked here, to find where each log ends: the
     * flusher counts it again from the log a batch at a time, so that
     * memory does not grow with the backlog. */
    for (unsigned w = 0; w < JOURNAL_WORKERS; w++) {
        if (!has[w]) {
            continue;
        }
        uint64_t pos;
        if (replay_log(d, segs, (size_t)n, w, from[w], UINT64_MAX, NULL, st,
                       &pos, err, errlen) < 0) {
            goto out;
        }
        if (pos > from[w]) {
            rest[n_rest++] = (struct journal_range){w, from[w], pos};
        }
        /* A log that ends before its checkpoint (its files removed by
         * hand) goes on from the checkpoint: positions never go back. */
        st->position[w] = pos > from[w] ? pos : from[w];
    }
    flusher_recover(f, pending, rest, n_rest);
    pending = NULL; /* the flusher's now */
    for (unsigned w = 0; w < JOURNAL_WORKERS; w++) {
        flusher_set_position(f, w, st->position[w]);
    }
    rc = drop_spent(d, j, st, err, errlen);
out:
    batch_destroy(pending);
    free(segs);
    return rc;
}
