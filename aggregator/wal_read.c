/*
 * wal_read.c: see wal_read.h.
 */
#include "aggregator/wal_read.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aggregator/wal.h"
#include "common/log.h"

static int cmp_segment(const void *a, const void *b)
{
    const struct wal_segment *x = a, *y = b;
    if (x->worker != y->worker) {
        return x->worker < y->worker ? -1 : 1;
    }
    return (x->start > y->start) - (x->start < y->start);
}

/* "w" 3 decimal digits "-" 16 lower-case hex digits ".wal", exactly as
 * wal.c writes them: nothing else is taken for a segment. */
static int parse_name(const char *s, unsigned *worker, uint64_t *start)
{
    if (strlen(s) != 25 || s[0] != 'w' || s[4] != '-' ||
        strcmp(s + 21, ".wal") != 0) {
        return -1;
    }
    *worker = 0;
    for (int i = 1; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        *worker = *worker * 10 + (unsigned)(s[i] - '0');
    }
    *start = 0;
    for (int i = 5; i < 21; i++) {
        int v = s[i] >= '0' && s[i] <= '9'   ? s[i] - '0'
                : s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
                                             : -1;
        if (v < 0) {
            return -1;
        }
        *start = *start << 4 | (uint64_t)v;
    }
    return *worker < WAL_WORKERS ? 0 : -1;
}

long wal_list(const char *dir, struct wal_segment **out, char *err,
              size_t errlen)
{
    DIR *d = opendir(dir);
    struct wal_segment *s = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;

    *out = NULL;
    if (d == NULL) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        unsigned worker;
        uint64_t start;
        if (parse_name(e->d_name, &worker, &start) < 0) {
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct wal_segment *ns = realloc(s, ncap * sizeof(*ns));
            if (ns == NULL) {
                snprintf(err, errlen, "out of memory");
                free(s);
                closedir(d);
                return -1;
            }
            s = ns;
            cap = ncap;
        }
        s[n].worker = worker;
        s[n].start = start;
        snprintf(s[n].name, sizeof(s[n].name), "%s", e->d_name);
        n++;
    }
    closedir(d);
    if (n > 1) {
        qsort(s, n, sizeof(*s), cmp_segment);
    }
    *out = s;
    return (long)n;
}

static uint64_t get_le(const unsigned char *b, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) {
        v = v << 8 | b[i];
    }
    return v;
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return 0;
        }
    }
    return 1;
}

/* The offset of the first record of m[roff..end) that does not read, or
 * 0 when they all do and fill it exactly. */
static size_t bad_record(const unsigned char *m, size_t roff, size_t end)
{
    while (roff < end) {
        struct walrec r;
        size_t used;
        if (walrec_get((const char *)m + roff, end - roff, &used, &r) !=
            WALREC_OK) {
            return roff;
        }
        roff += used;
    }
    return 0;
}

/* Stops the read: what, where. */
static void stop(struct wal_read_result *res, enum wal_end end, size_t seg,
                 const struct wal_segment *s, uint64_t offset,
                 const char *what)
{
    res->end = end;
    res->bad_segment = seg;
    res->bad_offset = offset;
    snprintf(res->where, sizeof(res->where), "%s at byte %llu: %s", s->name,
             (unsigned long long)offset, what);
}

/* Reads one segment's records into fn. Returns 1 to go on with the next
 * segment, 0 when the read stopped, -1 on an error (err filled). */
static int read_segment(const char *dir, const struct wal_segment *s,
                        size_t idx, int last, uint64_t from, uint64_t to,
                        int (*fn)(void *, const struct walrec *, uint64_t),
                        void *arg, struct wal_read_result *res, char *err,
                        size_t errlen)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s", dir, s->name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    size_t size = (size_t)st.st_size;
    const unsigned char *m = NULL;
    if (size > 0) {
        m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    }
    close(fd);
    if (size > 0 && m == MAP_FAILED) {
        snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    if (s->start != res->position) {
        stop(res, WAL_END_DAMAGED, idx, s, 0,
             "does not continue the segment before");
        goto out;
    }
    if (size < WAL_HEADER_BYTES || memcmp(m, WAL_MAGIC, 8) != 0) {
        /* a crash between creating a segment and writing its header */
        stop(res, last && all_zero(m, size) ? WAL_END_TORN : WAL_END_DAMAGED,
             idx, s, 0, "not a log segment");
        goto out;
    }
    if (get_le(m + 8, 4) > WAL_FORMAT) {
        snprintf(err, errlen, "%s: log format %llu is newer than this "
                              "beacond's (%d)",
                 path, (unsigned long long)get_le(m + 8, 4), WAL_FORMAT);
        rc = -1;
        goto out;
    }
    if (get_le(m + 12, 4) != s->worker || get_le(m + 16, 8) != s->start) {
        stop(res, WAL_END_DAMAGED, idx, s, 0, "header does not match name");
        goto out;
    }
    size_t off = WAL_HEADER_BYTES;
    for (;;) {
        size_t rlen = 0;
        if (res->position >= to) {
            goto out; /* rc 0: the read is over */
        }
        size_t head = size - off < WALREC_BLOCK_HEADER ? size - off
                                                       : WALREC_BLOCK_HEADER;
        if (all_zero(m + off, head)) {
            /* preallocated zeros: the end, if nothing follows */
            if (!all_zero(m + off, size - off)) {
                stop(res, WAL_END_DAMAGED, idx, s, off,
                     "bytes after the end of the records");
                goto out;
            }
            rc = 1;
            goto out;
        }
        enum walrec_status st2 =
            walrec_block_head((const char *)m + off, size - off, &rlen);
        size_t bend = off + WALREC_BLOCK_HEADER + rlen;
        if (st2 == WALREC_OK && s->start + (bend - WAL_HEADER_BYTES) <= from) {
            /* wholly before the read: stepped over, its CRC unchecked */
            res->position = s->start + (bend - WAL_HEADER_BYTES);
            off = bend;
            continue;
        }
        if (st2 == WALREC_OK &&
            !walrec_block_intact((const char *)m + off, rlen)) {
            st2 = WALREC_BAD;
        }
        if (st2 != WALREC_OK) {
            /* A crash in the middle of a write leaves the last segment's
             * last block cut short, or partly written before its zeros:
             * nothing follows where it would have ended. */
            size_t reach = off + WALREC_BLOCK_HEADER +
                           (rlen > 0 ? rlen : WALREC_BLOCK_MAX);
            reach = reach < size ? reach : size;
            int nothing_after = all_zero(m + reach, size - reach);
            stop(res, last && nothing_after ? WAL_END_TORN : WAL_END_DAMAGED,
                 idx, s, off,
                 st2 == WALREC_SHORT ? "block cut short" : "bad block");
            goto out;
        }
        size_t bad = bad_record(m, off + WALREC_BLOCK_HEADER, bend);
        if (bad != 0) {
            /* the block is the unit that is whole or not, as for its CRC */
            char what[64];
            snprintf(what, sizeof(what), "bad record at byte %zu", bad);
            stop(res, WAL_END_DAMAGED, idx, s, off, what);
            goto out;
        }
        /* The block's first record is at the block's position (the log's
         * before it was appended), the others where the one before ends. */
        uint64_t pos = res->position;
        for (size_t roff = off + WALREC_BLOCK_HEADER; roff < bend;) {
            struct walrec r;
            size_t used;
            if (pos >= to) {
                goto out;
            }
            walrec_get((const char *)m + roff, bend - roff, &used, &r);
            roff += used;
            uint64_t rec_end = s->start + (roff - WAL_HEADER_BYTES);
            res->position = rec_end;
            if (pos >= from) {
                res->records++;
                if (fn != NULL && fn(arg, &r, pos) != 0) {
                    goto out;
                }
            }
            pos = rec_end;
        }
        off = bend;
    }
out:
    if (size > 0) {
        munmap((void *)m, size);
    }
    return rc;
}

int wal_read(const char *dir, const struct wal_segment *segs, size_t n,
             unsigned worker, uint64_t from, uint64_t to,
             int (*fn)(void *arg, const struct walrec *r, uint64_t pos),
             void *arg, struct wal_read_result *res, char *err,
             size_t errlen)
{
    size_t first = n, last = n;
    memset(res, 0, sizeof(*res));
    res->end = WAL_END_CLEAN;
    for (size_t i = 0; i < n; i++) {
        if (segs[i].worker != worker) {
            continue;
        }
        /* start at the last segment that begins at or before from */
        if (first == n || segs[i].start <= from) {
            first = i;
        }
        last = i;
    }
    res->position = from;
    if (first == n || from >= to) {
        return 0;
    }
    if (segs[first].start > from) {
        stop(res, WAL_END_DAMAGED, first, &segs[first], 0,
             "the records before it are missing");
        return 0;
    }
    res->position = segs[first].start;
    for (size_t i = first; i <= last; i++) {
        int rc = read_segment(dir, &segs[i], i, i == last, from, to, fn, arg,
                              res, err, errlen);
        if (rc <= 0) {
            return rc;
        }
    }
    return 0;
}

void wal_drop_before(const char *dir, const uint64_t *position, size_t n_w)
{
    struct wal_segment *segs;
    char err[256], path[4200];
    long n = wal_list(dir, &segs, err, sizeof(err));
    if (n < 0) {
        log_warn("wal: %s", err);
        return;
    }
    for (long i = 0; i + 1 < n; i++) {
        unsigned w = segs[i].worker;
        if (w < n_w && segs[i + 1].worker == w &&
            segs[i + 1].start <= position[w]) {
            snprintf(path, sizeof(path), "%s/%s", dir, segs[i].name);
            if (unlink(path) < 0) {
                log_warn("wal: %s: %s", path, strerror(errno));
            }
        }
    }
    free(segs);
}
