/*
 * replay.c: see replay.h.
 */
#include "aggregator/replay.h"

#include <stdio.h>

#include "aggregator/counts.h"
#include "aggregator/table.h"

struct replay {
    struct table *t;
    size_t max_keys;
    int failed;
};

static int add_record(void *arg, const struct walrec *r, uint64_t pos)
{
    struct replay *rp = arg;
    (void)pos;
    if (table_reserve(rp->t, COUNTS_MAX_BYTES_PER_HIT) < 0 ||
        counts_add_record(rp->t, r) < 0) {
        rp->failed = 1;
        return 1;
    }
    return rp->max_keys > 0 && table_count(rp->t) >= rp->max_keys;
}

int replay_range(const char *dir, const struct wal_segment *segs, size_t n,
                 unsigned worker, uint64_t from, uint64_t end,
                 struct table *t, size_t max_keys, struct wal_read_result *res,
                 char *err, size_t errlen)
{
    struct replay rp = {t, max_keys, 0};
    if (wal_read(dir, segs, n, worker, from, end, add_record, &rp, res, err,
                 errlen) < 0) {
        return -1;
    }
    if (rp.failed) {
        snprintf(err, errlen, "out of memory counting worker %u's log again",
                 worker);
        return -1;
    }
    return 0;
}
