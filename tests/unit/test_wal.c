/*
 * test_wal.c: the write-ahead log in real files. The writer
 * (aggregator/wal.c): segment header, preallocation, group commit,
 * one CRC'd block per commit, rotation, retiring full segments, every
 * file checked byte for byte against an encoding of its own. The reader
 * (aggregator/wal_read.c): listing segments, reading from any record's
 * position (a block's first or one inside it), and where and how it stops
 * on torn, damaged and missing segments, blocks and records. Each test has
 * its own folder under /tmp, removed at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "aggregator/wal.h"
#include "aggregator/wal_read.h"
#include "proto/walrec.h"

#define T0 1700000000u
#define SEG 4096 /* the smallest segment the configuration allows */
#define NREC 200
#define MAXSEG 32

struct fix {
    char dir[32];
    /* the log as written: where each record and segment starts, which
     * records open a block (the first after a commit or a rotation) */
    unsigned worker;
    size_t nrec, nseg, nretired;
    uint64_t pos[NREC + 1]; /* pos[nrec]: the end */
    size_t len[NREC];
    unsigned char opens[NREC];
    uint64_t seg[MAXSEG];
    ino_t retired[MAXSEG];
    /* what the last read passed to the callback, and its result */
    size_t n, stop_after;
    uint64_t seen_pos[NREC], seen_time[NREC];
    struct wal_read_result res;
    char err[256];
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return -1;
    }
    snprintf(f->dir, sizeof f->dir, "/tmp/test_wal.XXXXXX");
    *state = f;
    return mkdtemp(f->dir) != NULL ? 0 : -1;
}

static void empty_dir(const char *dir)
{
    char path[300];
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
}

static int teardown(void **state)
{
    struct fix *f = *state;
    empty_dir(f->dir);
    int rc = rmdir(f->dir);
    free(f);
    return rc;
}

static const char *seg_path(const struct fix *f, unsigned worker,
                            uint64_t start)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/w%03u-%016llx.wal", f->dir, worker,
             (unsigned long long)start);
    return path;
}

/* A hit stamped T0 + i with a path of plen bytes: 41 + plen bytes. */
#define REC_BASE 41
static size_t rec(char *buf, size_t i, size_t plen)
{
    struct hit h = {.site = "example.org", .site_len = 11, .path_len = plen,
                    .event = "pageview", .event_len = 8, .is_pageview = 1};
    memset(h.path, 'p', plen);
    size_t n = walrec_put_hit(buf, WALREC_MAX, T0 + i, &h, 0, 0, NULL);
    assert_int_equal(n, REC_BASE + plen);
    return n;
}

static void put_le(unsigned char *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        b[i] = (unsigned char)(v >> (8 * i));
    }
}

/* A block's header over the records_len bytes after it, from walrec.h
 * alone (not walrec_block_seal): the writer is checked against it. */
static void block_header(unsigned char *b, size_t records_len)
{
    put_le(b, records_len, 4);
    put_le(b + 4, crc32(0L, b + WALREC_BLOCK_HEADER, (uInt)records_len), 4);
}

/* The index of the record that starts segment s. */
static size_t first_of(const struct fix *f, size_t s)
{
    size_t k = 0;
    while (f->pos[k] < f->seg[s]) {
        k++;
    }
    return k;
}

/* The index of the record after segment s's last. */
static size_t end_of(const struct fix *f, size_t s)
{
    return s + 1 < f->nseg ? first_of(f, s + 1) : f->nrec;
}

/* Segment s's file is its header, its blocks as write_log made them (the
 * records of one commit, under their length and CRC), then zeros. */
static void check_segment(const struct fix *f, size_t s)
{
    static unsigned char got[SEG], want[SEG];
    char buf[WALREC_MAX];
    size_t off = WAL_HEADER_BYTES, blk = 0;
    const char *path = seg_path(f, f->worker, f->seg[s]);

    memset(want, 0, sizeof want);
    memcpy(want, WAL_MAGIC, 8);
    put_le(want + 8, WAL_FORMAT, 4);
    put_le(want + 12, f->worker, 4);
    put_le(want + 16, f->seg[s], 8);
    for (size_t i = first_of(f, s); i < end_of(f, s); i++) {
        if (f->opens[i]) {
            if (blk > 0) {
                block_header(want + blk, off - blk - WALREC_BLOCK_HEADER);
            }
            blk = off;
            off += WALREC_BLOCK_HEADER;
        }
        assert_true(blk > 0); /* a segment starts with a block */
        rec(buf, i, f->len[i] - REC_BASE);
        assert_true(off + f->len[i] <= SEG);
        memcpy(want + off, buf, f->len[i]);
        off += f->len[i];
    }
    if (blk > 0) {
        block_header(want + blk, off - blk - WALREC_BLOCK_HEADER);
    }
    /* what the positions say the segment holds */
    assert_int_equal(off - WAL_HEADER_BYTES, f->pos[end_of(f, s)] - f->seg[s]);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, got, SEG, 0), SEG);
    close(fd);
    assert_memory_equal(got, want, SEG);
}

/* Takes a full segment's fd: notes which file it is, closes it. */
static void retire(void *arg, int fd)
{
    struct fix *f = arg;
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    assert_true(f->nretired < MAXSEG);
    f->retired[f->nretired++] = st.st_ino;
    close(fd);
}

/* Writes n records (of plen bytes of path, 0: 42 to 241 bytes in all),
 * committing every fifth, and closes the log; checks every file. */
static void write_log(struct fix *f, unsigned worker, size_t n, size_t plen)
{
    struct wal_params p = {.dir = f->dir, .worker = worker,
                           .segment_bytes = SEG, .retire = retire,
                           .retire_arg = f};
    char buf[WALREC_MAX];
    f->worker = worker;
    f->nrec = n;
    f->nseg = 1;
    f->nretired = 0;
    f->seg[0] = 0;
    struct wal *w = wal_open(&p, 0, f->err, sizeof f->err);
    assert_non_null(w);
    for (size_t i = 0; i < n; i++) {
        size_t len = rec(buf, i, plen ? plen : 1 + i * 37 % 200);
        size_t retired = f->nretired;
        assert_int_equal(wal_reserve(w, len), 0);
        f->pos[i] = wal_position(w);
        f->len[i] = len;
        f->opens[i] = i % 5 == 0;
        if (f->nretired != retired) { /* record i starts a segment */
            assert_int_equal(f->nretired, retired + 1);
            assert_true(f->nseg < MAXSEG);
            f->seg[f->nseg++] = f->pos[i];
            f->opens[i] = 1;
        }
        memcpy(wal_space(w), buf, len);
        wal_append(w, len);
        /* the record that opens a block carries the block's header */
        assert_int_equal(wal_position(w),
                         f->pos[i] + len +
                             (f->opens[i] ? WALREC_BLOCK_HEADER : 0));
        if (i % 5 == 4) {
            assert_int_equal(wal_commit(w), 0);
        }
    }
    f->pos[n] = wal_position(w);
    wal_close(w);
    for (size_t s = 0; s < f->nseg; s++) {
        check_segment(f, s);
    }
}

/* The segment record i is in. */
static size_t seg_of(const struct fix *f, size_t i)
{
    size_t s = f->nseg - 1;
    while (f->seg[s] > f->pos[i]) {
        s--;
    }
    return s;
}

/* The first record of the block record i is in, and the first record
 * after that block (nrec after the last block). */
static size_t block_of(const struct fix *f, size_t i)
{
    while (!f->opens[i]) {
        i--;
    }
    return i;
}

static size_t next_block(const struct fix *f, size_t i)
{
    do {
        i++;
    } while (i < f->nrec && !f->opens[i]);
    return i;
}

/* The file offset of record i's bytes in segment s: a block's first
 * record is at the block's position, its bytes after the block's
 * header. */
static off_t offset_of(const struct fix *f, size_t i, size_t s)
{
    assert_true(f->seg[s] <= f->pos[i]);
    assert_true(s + 1 == f->nseg || f->pos[i] < f->seg[s + 1]);
    return (off_t)(WAL_HEADER_BYTES + f->pos[i] - f->seg[s] +
                   (f->opens[i] ? WALREC_BLOCK_HEADER : 0));
}

/* The file offset of the header of the block record i is in. */
static off_t block_offset(const struct fix *f, size_t i, size_t s)
{
    size_t b = block_of(f, i);
    return offset_of(f, b, s) - WALREC_BLOCK_HEADER;
}

static void poke(const char *path, off_t off, unsigned char b)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, &b, 1, off), 1);
    close(fd);
}

static int on_record(void *arg, const struct walrec *r, uint64_t pos)
{
    struct fix *f = arg;
    assert_true(f->n < NREC);
    f->seen_pos[f->n] = pos;
    f->seen_time[f->n] = r->time;
    return ++f->n == f->stop_after;
}

/* Reads worker's log over [from, to). */
static int read_range(struct fix *f, unsigned worker, uint64_t from,
                      uint64_t to)
{
    struct wal_segment *segs;
    long n = wal_list(f->dir, &segs, f->err, sizeof f->err);
    assert_true(n > 0);
    f->n = 0;
    f->err[0] = '\0';
    int rc = wal_read(f->dir, segs, (size_t)n, worker, from, to, on_record,
                      f, &f->res, f->err, sizeof f->err);
    free(segs);
    return rc;
}

static int read_log(struct fix *f, unsigned worker, uint64_t from)
{
    return read_range(f, worker, from, UINT64_MAX);
}

/* The read passed records first .. first + count - 1, and only those. */
static void saw(const struct fix *f, size_t first, size_t count)
{
    assert_int_equal(f->n, count);
    assert_int_equal(f->res.records, count);
    for (size_t j = 0; j < count; j++) {
        assert_int_equal(f->seen_pos[j], f->pos[first + j]);
        assert_int_equal(f->seen_time[j], T0 + first + j);
    }
}

/* A read from 0 stopped (end) before record k, in the segment of list
 * index idx that starts at start, at byte off, for what. */
static void stopped(const struct fix *f, enum wal_end end, size_t k,
                    size_t idx, uint64_t start, off_t off, const char *what)
{
    char want[160];
    assert_int_equal(f->res.end, end);
    assert_int_equal(f->res.position, f->pos[k]);
    saw(f, 0, k);
    assert_int_equal(f->res.bad_segment, idx);
    assert_int_equal(f->res.bad_offset, off);
    snprintf(want, sizeof want, "w000-%016llx.wal at byte %lld: %s",
             (unsigned long long)start, (long long)off, what);
    assert_string_equal(f->res.where, want);
}

static void test_wal__open_writes_header(void **state)
{
    struct fix *f = *state;
    static const unsigned char head[2][WAL_HEADER_BYTES] = {
        {'B', 'C', 'N', 'W', 'A', 'L', '0', '1', 1, 0, 0, 0, 0, 0, 0, 0},
        {'B', 'C', 'N', 'W', 'A', 'L', '0', '1', 1, 0, 0, 0, 7, 0, 0, 0,
         8, 7, 6, 5, 4, 3, 2, 1}};
    static const char *const names[2] = {"w000-0000000000000000.wal",
                                         "w007-0102030405060708.wal"};
    static unsigned char got[SEG], zero[SEG];
    struct wal_segment *segs;
    struct stat st;

    for (unsigned i = 0; i < 2; i++) {
        struct wal_params p = {.dir = f->dir, .worker = i * 7,
                               .segment_bytes = SEG};
        uint64_t start = i ? 0x0102030405060708u : 0;
        struct wal *w = wal_open(&p, start, f->err, sizeof f->err);
        assert_non_null(w);
        assert_true(wal_position(w) == start);
        assert_int_equal(wal_pending(w), 0);
        assert_int_equal(wal_list(f->dir, &segs, f->err, sizeof f->err), i + 1);
        assert_string_equal(segs[i].name, names[i]);
        free(segs);
        int fd = open(seg_path(f, p.worker, start), O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(st.st_size, SEG); /* preallocated */
        assert_int_equal(pread(fd, got, SEG, 0), SEG);
        assert_memory_equal(got, head[i], WAL_HEADER_BYTES);
        assert_memory_equal(got + WAL_HEADER_BYTES, zero,
                            SEG - WAL_HEADER_BYTES);
        close(fd);
        wal_close(w);
    }
}

/* Records reach the file at wal_commit (or wal_close), not before, as
 * one block: a header (records length, CRC), then the records. Positions
 * count the block's header: the first record's is the block's. */
static void test_wal__commit(void **state)
{
    struct fix *f = *state;
    struct wal_params p = {.dir = f->dir, .segment_bytes = SEG};
    static unsigned char got[SEG], want[SEG], zero[SEG];
    char buf[WALREC_MAX];
    uint64_t at = 1000;
    size_t off = WAL_HEADER_BYTES, blk = off;

    struct wal *w = wal_open(&p, at, f->err, sizeof f->err);
    assert_non_null(w);
    int fd = open(seg_path(f, 0, at), O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, want, SEG, 0), SEG); /* header and zeros */
    for (int i = 0; i < 4; i++) {
        if (i == 3) { /* three committed; the fourth by wal_close */
            assert_int_equal(wal_commit(w), 0);
            assert_int_equal(wal_pending(w), 0);
            assert_int_equal(wal_position(w), at);
            block_header(want + blk, off - blk - WALREC_BLOCK_HEADER);
            assert_int_equal(pread(fd, got, SEG, 0), SEG);
            assert_memory_equal(got, want, SEG);
            /* nothing pending: nothing written, not even an empty block */
            assert_int_equal(wal_commit(w), 0);
            assert_int_equal(wal_position(w), at);
            assert_int_equal(pread(fd, got, SEG, 0), SEG);
            assert_memory_equal(got, want, SEG);
            blk = off;
        }
        size_t head = off == blk ? WALREC_BLOCK_HEADER : 0; /* opens one */
        size_t len = rec(buf, (size_t)i, 10 + (size_t)i);
        assert_int_equal(wal_reserve(w, len), 0);
        memcpy(wal_space(w), buf, len);
        wal_append(w, len);
        at += head + len;
        assert_int_equal(wal_position(w), at);
        assert_int_equal(wal_pending(w), i < 3 ? i + 1 : 1);
        assert_int_equal(pread(fd, got, SEG, 0), SEG);
        /* not written yet: the block's header nor its records */
        assert_memory_equal(got + blk, zero, off + head + len - blk);
        memcpy(want + off + head, buf, len);
        off += head + len;
    }
    wal_close(w);
    block_header(want + blk, off - blk - WALREC_BLOCK_HEADER);
    assert_int_equal(pread(fd, got, SEG, 0), SEG);
    assert_memory_equal(got, want, SEG);
    /* the first block: 3 records of 51, 52 and 53 bytes */
    assert_memory_equal(got + WAL_HEADER_BYTES, "\x9c\0\0\0", 4);
    close(fd);
}

/* Segments rotate when the next record does not fit, each named by its
 * first record, and read back whole next to another worker's log. */
static void test_wal__rotation(void **state)
{
    struct fix *f = *state;
    struct wal_segment *segs;
    struct stat st;

    /* worker 1's 40 records are worker 0's first 40: same positions */
    write_log(f, 1, 40, 0);
    size_t nseg1 = f->nseg;
    assert_true(nseg1 >= 2);
    write_log(f, 0, NREC, 0);
    assert_true(f->nseg >= 5);
    assert_int_equal(f->nretired, f->nseg - 1); /* each full one, once */
    long n = wal_list(f->dir, &segs, f->err, sizeof f->err);
    assert_int_equal(n, f->nseg + nseg1);
    for (size_t i = 0; i < f->nseg; i++) {
        const char *path = seg_path(f, 0, f->seg[i]);
        assert_int_equal(segs[i].worker, 0);
        assert_int_equal(segs[i].start, f->seg[i]);
        assert_string_equal(segs[i].name, strrchr(path, '/') + 1);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_size, SEG);
        if (i + 1 < f->nseg) {
            assert_int_equal(f->retired[i], st.st_ino);
            /* full: the next segment's first record did not fit, with
             * the header of the block it would have opened (k % 5 == 0)
             * or in the block left open */
            size_t k = first_of(f, i + 1);
            uint64_t used = WAL_HEADER_BYTES + f->seg[i + 1] - f->seg[i];
            assert_true(used <= SEG);
            assert_true(used + f->len[k] +
                            (k % 5 == 0 ? WALREC_BLOCK_HEADER : 0) >
                        SEG);
        }
    }
    for (size_t i = f->nseg; i < (size_t)n; i++) {
        assert_int_equal(segs[i].worker, 1);
    }
    free(segs);
    for (unsigned w = 0; w < 2; w++) {
        size_t count = w ? 40 : NREC;
        assert_int_equal(read_log(f, w, 0), 0);
        assert_int_equal(f->res.end, WAL_END_CLEAN);
        assert_int_equal(f->res.position, f->pos[count]);
        saw(f, 0, count);
    }
}

/* Records that fill a segment to its last byte: no zeros at its end. */
static void test_wal__exact_fill(void **state)
{
    struct fix *f = *state;
    /* 16 records of 252 bytes in 4 blocks (5, 5, 5, 1) fill
     * SEG - WAL_HEADER_BYTES: 4 * 8 + 16 * 252 = 4064 */
    write_log(f, 0, 17, 252 - REC_BASE);
    assert_int_equal(f->nseg, 2);
    assert_int_equal(f->seg[1], SEG - WAL_HEADER_BYTES);
    assert_int_equal(f->pos[16], f->seg[1]);
    assert_true(f->opens[15] && f->opens[16]);
    assert_int_equal(read_log(f, 0, 0), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    assert_int_equal(f->res.position, f->pos[17]);
    saw(f, 0, 17);
}

/* wal_reserve counts the header of the block a record would open: 13
 * blocks of one 297-byte record leave 99 bytes of a segment. A 92-byte
 * record needs 100 with its header: the next segment (worker 0); a 91-byte
 * one fits to the last byte (worker 1); with a 42-byte record's block left
 * open (49 bytes left), a 49-byte record joins it without a header and
 * fits to the last byte too (worker 2). */
static void test_wal__reserve_block_header(void **state)
{
    struct fix *f = *state;
    char buf[WALREC_MAX];
    const size_t last[3] = {92, 91, 49};

    for (unsigned wk = 0; wk < 3; wk++) {
        struct wal_params p = {.dir = f->dir, .worker = wk,
                               .segment_bytes = SEG, .retire = retire,
                               .retire_arg = f};
        struct wal *w = wal_open(&p, 0, f->err, sizeof f->err);
        assert_non_null(w);
        f->nretired = 0;
        size_t n = 0;
        for (; n < 13 + (wk == 2); n++) {
            size_t len = rec(buf, n, n < 13 ? 297 - REC_BASE : 1);
            assert_int_equal(wal_reserve(w, len), 0);
            f->pos[n] = wal_position(w);
            memcpy(wal_space(w), buf, len);
            wal_append(w, len);
            if (n < 13) {
                assert_int_equal(wal_commit(w), 0);
            }
        }
        assert_int_equal(wal_position(w), wk == 2 ? 13 * 305 + 50 : 13 * 305);
        size_t len = rec(buf, n, last[wk] - REC_BASE);
        assert_int_equal(wal_reserve(w, len), 0);
        assert_int_equal(f->nretired, wk == 0 ? 1 : 0);
        f->pos[n] = wal_position(w);
        memcpy(wal_space(w), buf, len);
        wal_append(w, len);
        f->pos[++n] = wal_position(w);
        assert_int_equal(f->pos[n], wk == 0 ? 13 * 305 + 100
                                            : SEG - WAL_HEADER_BYTES);
        wal_close(w);
        if (wk == 0) {
            assert_int_equal(access(seg_path(f, 0, 13 * 305), F_OK), 0);
        }
        assert_int_equal(read_log(f, wk, 0), 0);
        assert_int_equal(f->res.end, WAL_END_CLEAN);
        assert_int_equal(f->res.position, f->pos[n]);
        saw(f, 0, n);
    }
}

/* From a record's position, the block's first or one inside a block: the
 * records that start at or after it. Damage in segments before it is not
 * read. */
static void test_wal__read_from(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    size_t k = first_of(f, 2);
    const size_t from[] = {0, 1, 5, 7, 57, k - 1, k, k + 1, NREC - 1, NREC};
    assert_true(f->opens[5] && !f->opens[7] && !f->opens[57]);
    for (size_t i = 0; i < sizeof from / sizeof *from; i++) {
        assert_int_equal(read_log(f, 0, f->pos[from[i]]), 0);
        assert_int_equal(f->res.end, WAL_END_CLEAN);
        assert_int_equal(f->res.position, f->pos[NREC]);
        saw(f, from[i], NREC - from[i]);
    }
    /* blocks are walked, not jumped into: from inside a record, or a
     * block's header, reads the records that start after it */
    const uint64_t inside[] = {f->pos[57] + 1, f->pos[50] + 1,
                               f->pos[50] + WALREC_BLOCK_HEADER};
    assert_true(f->opens[50] && !f->opens[51] && !f->opens[58]);
    for (size_t i = 0; i < sizeof inside / sizeof *inside; i++) {
        assert_int_equal(read_log(f, 0, inside[i]), 0);
        assert_int_equal(f->res.end, WAL_END_CLEAN);
        assert_int_equal(f->res.position, f->pos[NREC]);
        saw(f, i ? 51 : 58, NREC - (i ? 51 : 58));
    }
    poke(seg_path(f, 0, 0), 100, 0xff);
    assert_int_equal(read_log(f, 0, f->pos[k]), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    saw(f, k, NREC - k);
}

/* From past the end of the log: nothing, CLEAN, and the position is the
 * log's real end (the next record's), not from. */
static void test_wal__read_past_end(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    const uint64_t from[] = {f->pos[NREC], f->pos[NREC] + 1,
                             f->pos[NREC] + 5000};
    for (size_t i = 0; i < sizeof from / sizeof *from; i++) {
        assert_int_equal(read_log(f, 0, from[i]), 0);
        assert_int_equal(f->res.end, WAL_END_CLEAN);
        assert_int_equal(f->res.position, f->pos[NREC]);
        saw(f, 0, 0);
    }
}

/* A read up to `to` gives the records before it, ends CLEAN there, and
 * looks at nothing past the block that holds it: damage after that (a
 * block, the next segment) is not seen. */
static void test_wal__read_to(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    size_t k = first_of(f, 2);
    assert_int_equal(read_range(f, 0, f->pos[3], f->pos[57]), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    assert_int_equal(f->res.position, f->pos[57]);
    saw(f, 3, 54);
    assert_int_equal(read_range(f, 0, f->pos[5], f->pos[5]), 0);
    assert_int_equal(f->res.position, f->pos[5]);
    saw(f, 5, 0);
    /* both inside blocks: 6 and 7 of block 5..9, then 6 to 12 of it and
     * block 10..14 */
    assert_true(f->opens[5] && f->opens[10] && f->opens[15]);
    assert_true(!f->opens[6] && !f->opens[8] && !f->opens[13]);
    assert_int_equal(read_range(f, 0, f->pos[6], f->pos[8]), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    assert_int_equal(f->res.position, f->pos[8]);
    saw(f, 6, 2);
    assert_int_equal(read_range(f, 0, f->pos[6], f->pos[13]), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    assert_int_equal(f->res.position, f->pos[13]);
    saw(f, 6, 7);

    poke(seg_path(f, 0, f->seg[2]), WAL_HEADER_BYTES + 3, 0xff);
    poke(seg_path(f, 0, f->seg[1]), 0, 'X'); /* segment 1's header */
    assert_int_equal(read_range(f, 0, f->pos[1], f->pos[first_of(f, 1)]), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    saw(f, 1, first_of(f, 1) - 1);
    assert_int_equal(read_range(f, 0, f->pos[k], f->pos[NREC]), 0);
    assert_int_equal(f->res.end, WAL_END_DAMAGED);

    /* to at a block's position: that block is not looked at */
    poke(seg_path(f, 0, 0), offset_of(f, 12, 0) + 20, 'Q'); /* block 10..14 */
    assert_int_equal(read_range(f, 0, f->pos[1], f->pos[10]), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    assert_int_equal(f->res.position, f->pos[10]);
    saw(f, 1, 9);
    /* to inside it: a block is checked whole, the damage past to too */
    assert_int_equal(read_range(f, 0, f->pos[1], f->pos[11]), 0);
    assert_int_equal(f->res.end, WAL_END_DAMAGED);
    assert_int_equal(f->res.position, f->pos[10]);
    saw(f, 1, 9);
}

/* A callback that returns nonzero stops the read after its record, at
 * the end of a block or inside one; a read from where it stopped goes on
 * with the next record. */
static void test_wal__callback_stops(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    f->stop_after = 5;
    assert_int_equal(read_log(f, 0, 0), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    assert_int_equal(f->res.position, f->pos[5]);
    saw(f, 0, 5);
    f->stop_after = 1;
    assert_int_equal(read_log(f, 0, f->pos[100]), 0);
    assert_int_equal(f->res.position, f->pos[101]);
    saw(f, 100, 1);
    /* inside block 5..9: after 6, and again from there */
    assert_true(f->opens[5] && !f->opens[7]);
    f->stop_after = 2;
    assert_int_equal(read_log(f, 0, f->pos[5]), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    assert_int_equal(f->res.position, f->pos[7]);
    saw(f, 5, 2);
    f->stop_after = 0;
    assert_int_equal(read_log(f, 0, f->res.position), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    assert_int_equal(f->res.position, f->pos[NREC]);
    saw(f, 7, NREC - 7);
}

/* The last segment cut inside its last block (in its header, right
 * after it, in a record, one byte short): TORN at the block, and the
 * position is the end of the block before it. */
static void test_wal__torn_tail(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    size_t k = block_of(f, NREC - 1);
    off_t blen = (off_t)(f->pos[NREC] - f->pos[k]);
    const off_t cut[] = {1, 4, WALREC_BLOCK_HEADER, 10, blen - 1};
    /* the first byte of its length is not 0 (else cut 1 would be an end) */
    assert_true((blen - WALREC_BLOCK_HEADER) % 256 != 0);
    for (size_t c = 0; c < sizeof cut / sizeof *cut; c++) {
        empty_dir(f->dir);
        write_log(f, 0, NREC, 0);
        size_t s = f->nseg - 1;
        off_t off = block_offset(f, NREC - 1, s);
        assert_int_equal(truncate(seg_path(f, 0, f->seg[s]), off + cut[c]), 0);
        assert_int_equal(read_log(f, 0, 0), 0);
        stopped(f, WAL_END_TORN, k, s, f->seg[s], off, "block cut short");
    }
}

/* A crash in the middle of a write in a preallocated segment: the last
 * block partly written, zeros after it: torn, not damaged; so too its
 * header alone, or a header that is not one (a length past
 * WALREC_BLOCK_MAX, a length of 0 under a CRC) with only zeros after it.
 * The same cut in a segment that others follow is damage. */
static void test_wal__torn_in_place(void **state)
{
    struct fix *f = *state;
    static const unsigned char zeros[SEG];
    const size_t lost[] = {16, 0, 0, 0}; /* 0: all of its records */
    for (size_t c = 0; c < sizeof lost / sizeof *lost; c++) {
        empty_dir(f->dir);
        write_log(f, 0, NREC, 0);
        size_t s = f->nseg - 1;
        size_t k = block_of(f, NREC - 1);
        off_t off = block_offset(f, NREC - 1, s);
        size_t rlen = f->pos[NREC] - f->pos[k] - WALREC_BLOCK_HEADER;
        size_t n = lost[c] ? lost[c] : rlen;
        const char *path = seg_path(f, 0, f->seg[s]);
        int fd = open(path, O_WRONLY);
        assert_true(fd >= 0);
        assert_int_equal(pwrite(fd, zeros, n,
                                off + (off_t)(WALREC_BLOCK_HEADER + rlen - n)),
                         (ssize_t)n);
        close(fd);
        if (c == 2) {
            poke(path, off + 3, 0xff); /* a length past WALREC_BLOCK_MAX */
        }
        if (c == 3) { /* its length 0: only a CRC is not zeros */
            assert_int_equal(truncate(path, off), 0);
            assert_int_equal(truncate(path, SEG), 0);
            fd = open(path, O_WRONLY);
            assert_true(fd >= 0);
            unsigned char crc[4] = {0x12, 0x34, 0x56, 0x78};
            assert_int_equal(pwrite(fd, crc, 4, off + 4), 4);
            close(fd);
        }
        assert_int_equal(read_log(f, 0, 0), 0);
        stopped(f, WAL_END_TORN, k, s, f->seg[s], off, "bad block");
    }

    empty_dir(f->dir);
    write_log(f, 0, NREC, 0);
    assert_true(f->nseg > 2);
    size_t k = first_of(f, 1) - 1; /* the last record of segment 0 */
    off_t off = block_offset(f, k, 0);
    assert_int_equal(truncate(seg_path(f, 0, f->seg[0]), off + 10), 0);
    assert_int_equal(read_log(f, 0, 0), 0);
    stopped(f, WAL_END_DAMAGED, block_of(f, k), 0, f->seg[0], off,
            "block cut short");
}

/* One byte changed in a record of a block in the middle of a segment, of
 * a middle segment and of the last (blocks after it: not a torn tail):
 * DAMAGED "bad block" at the block's header, the position the end of the
 * block before it, none of its records read (not even those before the
 * changed byte). */
static void test_wal__damaged_record(void **state)
{
    struct fix *f = *state;
    for (int last = 0; last < 2; last++) {
        empty_dir(f->dir);
        write_log(f, 0, last ? NREC - 10 : NREC, 0);
        size_t s = last ? f->nseg - 1 : 1;
        /* the second record of the segment's second block */
        size_t b = next_block(f, first_of(f, s));
        size_t k = b + 1;
        assert_true(!f->opens[k] && next_block(f, k) < end_of(f, s));
        poke(seg_path(f, 0, f->seg[s]), offset_of(f, k, s) + 20, 'Q');
        assert_int_equal(read_log(f, 0, 0), 0);
        stopped(f, WAL_END_DAMAGED, b, s, f->seg[s], block_offset(f, k, s),
                "bad block");
    }
}

/* Rewrites the block of record i (in segment s) after edit changed its
 * records, under a CRC that matches again: only the records can be
 * wrong. */
static void reseal(const struct fix *f, size_t i, size_t s,
                   void (*edit)(unsigned char *recs, size_t off))
{
    static unsigned char b[SEG];
    const char *path = seg_path(f, f->worker, f->seg[s]);
    off_t at = block_offset(f, i, s);
    size_t blen = f->pos[next_block(f, i)] - f->pos[block_of(f, i)];
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pread(fd, b, blen, at), (ssize_t)blen);
    edit(b + WALREC_BLOCK_HEADER,
         (size_t)(offset_of(f, i, s) - at) - WALREC_BLOCK_HEADER);
    walrec_block_seal((char *)b, blen - WALREC_BLOCK_HEADER);
    assert_int_equal(pwrite(fd, b, blen, at), (ssize_t)blen);
    close(fd);
}

static void kind_9(unsigned char *recs, size_t off)
{
    recs[off + WALREC_HEADER] = 9;
}

/* the record's length one more: it runs past its block's records */
static void longer(unsigned char *recs, size_t off)
{
    recs[off]++;
}

/* A block whose CRC is right but a record in it is not one: the block is
 * read whole or not at all, as for a wrong CRC: DAMAGED at the block,
 * naming the record, none of the block's records passed on, the position
 * the end of the block before. A first record, one in the middle of the
 * block, and a last one whose length runs past the block's records. */
static void test_wal__bad_record(void **state)
{
    struct fix *f = *state;
    const size_t at[] = {10, 12, 14};
    char what[64];
    for (size_t c = 0; c < sizeof at / sizeof *at; c++) {
        empty_dir(f->dir);
        write_log(f, 0, NREC, 0);
        size_t k = at[c];
        size_t s = seg_of(f, k);
        assert_true(block_of(f, k) == 10 && next_block(f, k) == 15);
        reseal(f, k, s, c == 2 ? longer : kind_9);
        snprintf(what, sizeof what, "bad record at byte %lld",
                 (long long)offset_of(f, k, s));
        assert_int_equal(read_log(f, 0, 0), 0);
        stopped(f, WAL_END_DAMAGED, 10, s, f->seg[s], block_offset(f, k, s),
                what);
        /* from inside that block, before the bad record or at it: the
         * same, nothing passed on */
        for (size_t j = 10; j <= k; j++) {
            assert_int_equal(read_log(f, 0, f->pos[j]), 0);
            assert_int_equal(f->res.end, WAL_END_DAMAGED);
            assert_int_equal(f->res.position, f->pos[10]);
            assert_int_equal(f->res.bad_offset, block_offset(f, k, s));
            saw(f, j, 0);
        }
    }
}

/* Blocks that end before `from` are stepped over by their headers, their
 * CRCs unchecked: damage there is not seen. Intended: the records before
 * `from` are in Redis already, and a read from a checkpoint must not pay
 * for the CRCs of the blocks before it. The block that holds `from` is
 * checked whole, the changed byte before `from` or not. */
static void test_wal__damage_before_from(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    assert_true(f->opens[0] && f->opens[5] && f->opens[10]);
    assert_true(next_block(f, 0) == 5 && seg_of(f, 10) == 0);
    poke(seg_path(f, 0, 0), offset_of(f, 2, 0) + 20, 'Q'); /* block 0..4 */
    assert_int_equal(read_log(f, 0, 0), 0);
    stopped(f, WAL_END_DAMAGED, 0, 0, 0, block_offset(f, 2, 0), "bad block");
    const size_t from[] = {5, 7, 10, NREC - 1};
    for (size_t i = 0; i < sizeof from / sizeof *from; i++) {
        assert_int_equal(read_log(f, 0, f->pos[from[i]]), 0);
        assert_int_equal(f->res.end, WAL_END_CLEAN);
        assert_int_equal(f->res.position, f->pos[NREC]);
        saw(f, from[i], NREC - from[i]);
    }

    /* a byte of record 6 changed, read from 7 or 8 in the same block: the
     * block is damaged; the position is the end of the block before it
     * (before from: nothing of it can be trusted) */
    poke(seg_path(f, 0, 0), offset_of(f, 6, 0) + 20, 'Q');
    for (size_t j = 7; j <= 8; j++) {
        assert_int_equal(read_log(f, 0, f->pos[j]), 0);
        assert_int_equal(f->res.end, WAL_END_DAMAGED);
        assert_int_equal(f->res.position, f->pos[5]);
        assert_int_equal(f->res.bad_offset, block_offset(f, 6, 0));
        saw(f, j, 0);
    }
    /* from the next block on: clean */
    assert_int_equal(read_log(f, 0, f->pos[10]), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    saw(f, 10, NREC - 10);
}

/* A nonzero byte in the zeros after the records, in the last segment and
 * in a full one: DAMAGED where the zeros begin. */
static void test_wal__bytes_after_end(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    size_t s = f->nseg - 1;
    const char *path = seg_path(f, 0, f->seg[s]);
    poke(path, SEG - 1, 1);
    assert_int_equal(read_log(f, 0, 0), 0);
    stopped(f, WAL_END_DAMAGED, NREC, s, f->seg[s],
            (off_t)(WAL_HEADER_BYTES + f->pos[NREC] - f->seg[s]),
            "bytes after the end of the records");
    poke(path, SEG - 1, 0);

    off_t end0 = (off_t)(WAL_HEADER_BYTES + f->seg[1]);
    assert_true(end0 + WALREC_BLOCK_HEADER < SEG); /* zeros at its end */
    poke(seg_path(f, 0, 0), SEG - 1, 0x80);
    assert_int_equal(read_log(f, 0, 0), 0);
    stopped(f, WAL_END_DAMAGED, first_of(f, 1), 0, 0, end0,
            "bytes after the end of the records");
}

/* Segment 1 missing, then segment 0 too. */
static void test_wal__missing_segment(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    assert_int_equal(unlink(seg_path(f, 0, f->seg[1])), 0);
    assert_int_equal(read_log(f, 0, 0), 0);
    stopped(f, WAL_END_DAMAGED, first_of(f, 1), 1, f->seg[2], 0,
            "does not continue the segment before");

    assert_int_equal(unlink(seg_path(f, 0, 0)), 0);
    for (size_t k = 0; k < 6; k += 3) { /* from its start, inside it */
        assert_int_equal(read_log(f, 0, f->pos[k]), 0);
        assert_int_equal(f->res.end, WAL_END_DAMAGED);
        assert_int_equal(f->res.position, f->pos[k]);
        assert_int_equal(f->res.bad_segment, 0);
        assert_int_equal(f->res.bad_offset, 0);
        saw(f, 0, 0);
        snprintf(f->err, sizeof f->err, "w000-%016llx.wal at byte 0: %s",
                 (unsigned long long)f->seg[2],
                 "the records before it are missing");
        assert_string_equal(f->res.where, f->err);
    }
}

/* A header that does not match the file name: DAMAGED. A newer format:
 * refused (-1) rather than misread. */
static void test_wal__bad_header(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    const char *path = seg_path(f, 0, f->seg[1]);
    for (off_t at = 12; at <= 20; at += 4) { /* worker, start's halves */
        poke(path, at, 0x40);
        assert_int_equal(read_log(f, 0, 0), 0);
        stopped(f, WAL_END_DAMAGED, first_of(f, 1), 1, f->seg[1], 0,
                "header does not match name");
        poke(path, at, at == 16 ? (unsigned char)f->seg[1] : 0);
    }
    for (size_t i = 0; i < 2; i++) {
        poke(seg_path(f, 0, f->seg[i]), 8, WAL_FORMAT + 1);
        assert_int_equal(read_log(f, 0, 0), -1);
        assert_non_null(strstr(f->err, "newer"));
        assert_non_null(strstr(f->err, seg_path(f, 0, f->seg[i])));
        assert_int_equal(f->n, i ? first_of(f, 1) : 0);
        poke(seg_path(f, 0, f->seg[i]), 8, WAL_FORMAT);
    }
    assert_int_equal(read_log(f, 0, 0), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
}

/* A segment of zeros or empty (created, header not yet written): TORN as
 * the last segment, DAMAGED before others. */
static void test_wal__zero_segment(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    f->seg[f->nseg] = f->pos[NREC];
    const char *path = seg_path(f, 0, f->pos[NREC]);
    for (int size = SEG; size >= 0; size -= SEG) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, size), 0);
        close(fd);
        assert_int_equal(read_log(f, 0, 0), 0);
        stopped(f, WAL_END_TORN, NREC, f->nseg, f->pos[NREC], 0,
                "not a log segment");
    }
    assert_int_equal(unlink(path), 0);
    path = seg_path(f, 0, f->seg[1]);
    assert_int_equal(truncate(path, 0), 0);
    assert_int_equal(truncate(path, SEG), 0);
    assert_int_equal(read_log(f, 0, 0), 0);
    stopped(f, WAL_END_DAMAGED, first_of(f, 1), 1, f->seg[1], 0,
            "not a log segment");
}

/* Only w<3 digits>-<16 lower-case hex digits>.wal, sorted by worker then
 * start; the empty folder lists nothing. */
static void test_wal__list(void **state)
{
    struct fix *f = *state;
    static const char *const files[] = {
        "w002-0000000000000000.wal", "w000-0000000000001000.wal",
        "w000-00000000000000ff.wal", "w001-0000000000000000.wal",
        "w000-0000000000000100.wal",
        /* not segments */
        "w000-xyz.wal", "notes.txt", "w000-0000000000000000.wal.bak",
        "w00-0000000000000000.wal", "w0000-000000000000000.wal",
        "w000-000000000000000.wal", "w000-00000000000000000.wal",
        "w000-000000000000000g.wal", "W000-0000000000000000.wal",
        "w000_0000000000000000.wal", "w000-0000000000000000.WAL",
        "w000-000000000000000A.wal", "w 00-0000000000000000.wal",
        "w+00-0000000000000000.wal", "w000-+000000000000000.wal",
        "w000-0x00000000000000.wal", "w256-0000000000000000.wal"};
    struct wal_segment *none;
    assert_int_equal(wal_list(f->dir, &none, f->err, sizeof f->err), 0);
    free(none);
    static const struct {
        unsigned worker;
        uint64_t start;
    } want[] = {{0, 0xff}, {0, 0x100}, {0, 0x1000}, {1, 0}, {2, 0}};
    struct wal_segment *segs;
    char path[300];

    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, files[i]);
        int fd = open(path, O_WRONLY | O_CREAT, 0600);
        assert_true(fd >= 0);
        close(fd);
    }
    assert_int_equal(wal_list(f->dir, &segs, f->err, sizeof f->err), 5);
    for (size_t i = 0; i < 5; i++) {
        const char *p = seg_path(f, want[i].worker, want[i].start);
        assert_int_equal(segs[i].worker, want[i].worker);
        assert_int_equal(segs[i].start, want[i].start);
        assert_string_equal(segs[i].name, strrchr(p, '/') + 1);
    }
    free(segs);

    snprintf(path, sizeof path, "%s/missing", f->dir);
    assert_int_equal(wal_list(path, &segs, f->err, sizeof f->err), -1);
    assert_null(segs);
    assert_non_null(strstr(f->err, path));
}

static void test_wal__open_errors(void **state)
{
    struct fix *f = *state;
    char missing[300];
    struct wal_params p = {.dir = missing, .segment_bytes = SEG};

    snprintf(missing, sizeof missing, "%s/missing", f->dir);
    assert_null(wal_open(&p, 0, f->err, sizeof f->err));
    assert_non_null(strstr(f->err, missing));

    /* a segment must hold its header and the largest record in a block
     * of its own */
    p.dir = f->dir;
    const uint64_t small[] = {WAL_HEADER_BYTES + WALREC_MAX,
                              WAL_HEADER_BYTES + WALREC_BLOCK_HEADER +
                                  WALREC_MAX - 1};
    for (size_t i = 0; i < 2; i++) {
        p.segment_bytes = small[i];
        f->err[0] = '\0';
        assert_null(wal_open(&p, 0, f->err, sizeof f->err));
        assert_true(f->err[0] != '\0');
        assert_int_equal(access(seg_path(f, 0, 0), F_OK), -1); /* no file */
    }
    p.segment_bytes = WAL_HEADER_BYTES + WALREC_BLOCK_HEADER + WALREC_MAX;
    struct wal *w = wal_open(&p, 0, f->err, sizeof f->err);
    assert_non_null(w);
    /* it does: no next segment for it */
    assert_int_equal(wal_reserve(w, WALREC_MAX), 0);
    struct wal_segment *segs;
    assert_int_equal(wal_list(f->dir, &segs, f->err, sizeof f->err), 1);
    free(segs);
    wal_close(w);

    /* an existing segment is never overwritten */
    assert_null(wal_open(&p, 0, f->err, sizeof f->err));
    assert_non_null(strstr(f->err, "File exists"));
}

int main(void)
{
#define T(name) \
    cmocka_unit_test_setup_teardown(test_wal__##name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(open_writes_header),  T(commit),
        T(rotation),            T(exact_fill),
        T(reserve_block_header), T(read_from),
        T(read_past_end),       T(read_to),
        T(callback_stops),      T(torn_tail),
        T(torn_in_place),       T(damaged_record),
        T(bad_record),          T(damage_before_from),
        T(bytes_after_end),     T(missing_segment),
        T(bad_header),          T(zero_segment),
        T(list),                T(open_errors),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
