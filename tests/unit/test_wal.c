/*
 * test_wal.c: the write-ahead log in real files. The writer
 * (aggregator/wal.c): segment header, preallocation, group commit,
 * rotation, retiring full segments. The reader (aggregator/wal_read.c):
 * listing segments, reading from any position, and where and how it
 * stops on torn, damaged and missing segments. Each test has its own
 * folder under /tmp, removed at the end.
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

#include "aggregator/wal.h"
#include "aggregator/wal_read.h"
#include "proto/walrec.h"

#define T0 1700000000u
#define SEG 4096 /* the smallest segment the configuration allows */
#define NREC 200
#define MAXSEG 32

struct fix {
    char dir[32];
    /* the log as written: where each record and segment starts */
    size_t nseg, nretired;
    uint64_t pos[NREC + 1]; /* pos[NREC]: the end */
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

/* A hit stamped T0 + i with a path of plen bytes: 47 + plen bytes. */
static size_t rec(char *buf, size_t i, size_t plen)
{
    struct hit h = {.site = "example.org", .site_len = 11, .path_len = plen,
                    .event = "pageview", .event_len = 8, .is_pageview = 1};
    memset(h.path, 'p', plen);
    size_t n = walrec_put_hit(buf, WALREC_MAX, T0 + i, &h, 0, 0, NULL);
    assert_int_equal(n, 47 + plen);
    return n;
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

/* Writes n records (of plen bytes of path, 0: 48 to 247 bytes in all),
 * committing every fifth, and closes the log. */
static void write_log(struct fix *f, unsigned worker, size_t n, size_t plen)
{
    struct wal_params p = {.dir = f->dir, .worker = worker,
                           .segment_bytes = SEG, .retire = retire,
                           .retire_arg = f};
    char buf[WALREC_MAX];
    f->nseg = 1;
    f->nretired = 0;
    struct wal *w = wal_open(&p, 0, f->err, sizeof f->err);
    assert_non_null(w);
    for (size_t i = 0; i < n; i++) {
        size_t len = rec(buf, i, plen ? plen : 1 + i * 37 % 200);
        size_t retired = f->nretired;
        assert_int_equal(wal_reserve(w, len), 0);
        f->pos[i] = wal_position(w);
        if (f->nretired != retired) { /* record i starts a segment */
            assert_int_equal(f->nretired, retired + 1);
            f->seg[f->nseg++] = f->pos[i];
        }
        memcpy(wal_space(w), buf, len);
        wal_append(w, len);
        assert_int_equal(wal_position(w), f->pos[i] + len);
        if (i % 5 == 4) {
            assert_int_equal(wal_commit(w), 0);
        }
    }
    f->pos[n] = wal_position(w);
    wal_close(w);
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

/* The file offset of record i in segment s. */
static off_t offset_of(const struct fix *f, size_t i, size_t s)
{
    assert_true(f->seg[s] <= f->pos[i]);
    assert_true(s + 1 == f->nseg || f->pos[i] < f->seg[s + 1]);
    return (off_t)(WAL_HEADER_BYTES + f->pos[i] - f->seg[s]);
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

/* Records reach the file at wal_commit (or wal_close), not before. */
static void test_wal__commit(void **state)
{
    struct fix *f = *state;
    struct wal_params p = {.dir = f->dir, .segment_bytes = SEG};
    static unsigned char got[SEG], want[SEG], zero[SEG];
    char buf[WALREC_MAX];
    uint64_t at = 1000;
    size_t off = WAL_HEADER_BYTES;

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
            assert_int_equal(pread(fd, got, SEG, 0), SEG);
            assert_memory_equal(got, want, SEG);
            assert_int_equal(wal_commit(w), 0); /* nothing pending */
        }
        size_t len = rec(buf, (size_t)i, 10 + (size_t)i);
        assert_int_equal(wal_reserve(w, len), 0);
        memcpy(wal_space(w), buf, len);
        wal_append(w, len);
        at += len;
        assert_int_equal(wal_position(w), at);
        assert_int_equal(wal_pending(w), i < 3 ? i + 1 : 1);
        assert_int_equal(pread(fd, got, SEG, 0), SEG);
        assert_memory_equal(got + off, zero, len); /* not written yet */
        memcpy(want + off, buf, len);
        off += len;
    }
    wal_close(w);
    assert_int_equal(pread(fd, got, SEG, 0), SEG);
    assert_memory_equal(got, want, SEG);
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
            /* full: the next segment's first record did not fit */
            size_t k = first_of(f, i + 1);
            uint64_t used = WAL_HEADER_BYTES + f->seg[i + 1] - f->seg[i];
            assert_true(used <= SEG);
            assert_true(used + f->pos[k + 1] - f->pos[k] > SEG);
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
    /* 16 records of 254 bytes fill SEG - WAL_HEADER_BYTES */
    write_log(f, 0, 17, 254 - 47);
    assert_int_equal(f->nseg, 2);
    assert_int_equal(f->seg[1], SEG - WAL_HEADER_BYTES);
    assert_int_equal(f->pos[16], f->seg[1]);
    assert_int_equal(read_log(f, 0, 0), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    assert_int_equal(f->res.position, f->pos[17]);
    saw(f, 0, 17);
}

/* From a record's position, or one byte into it: the records that start
 * at or after it. Damage before it is not read. */
static void test_wal__read_from(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    size_t k = first_of(f, 2);
    const size_t from[] = {0, 1, 57, k - 1, k, k + 1, NREC - 1, NREC};
    for (size_t i = 0; i < sizeof from / sizeof *from; i++) {
        assert_int_equal(read_log(f, 0, f->pos[from[i]]), 0);
        assert_int_equal(f->res.end, WAL_END_CLEAN);
        assert_int_equal(f->res.position, f->pos[NREC]);
        saw(f, from[i], NREC - from[i]);
    }
    /* from goes straight to its byte: inside a record is damage */
    assert_int_equal(read_log(f, 0, f->pos[57] + 1), 0);
    assert_int_equal(f->res.end, WAL_END_DAMAGED);
    assert_int_equal(f->res.position, f->pos[57] + 1);
    poke(seg_path(f, 0, 0), 100, 0xff);
    assert_int_equal(read_log(f, 0, f->pos[k]), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    saw(f, k, NREC - k);
}

/* A read up to `to` gives the records before it, ends CLEAN there, and
 * looks at nothing past it: damage after it (a record, the next segment)
 * is not seen. */
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
    poke(seg_path(f, 0, f->seg[2]), WAL_HEADER_BYTES + 3, 0xff);
    poke(seg_path(f, 0, f->seg[1]), 0, 'X'); /* segment 1's header */
    assert_int_equal(read_range(f, 0, f->pos[1], f->pos[first_of(f, 1)]), 0);
    assert_int_equal(f->res.end, WAL_END_CLEAN);
    saw(f, 1, first_of(f, 1) - 1);
    assert_int_equal(read_range(f, 0, f->pos[k], f->pos[NREC]), 0);
    assert_int_equal(f->res.end, WAL_END_DAMAGED);
}

/* A callback that returns nonzero stops the read after its record. */
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
}

/* The last segment cut inside its last record: TORN just before it. */
static void test_wal__torn_tail(void **state)
{
    struct fix *f = *state;
    const off_t cut[] = {1, 4, 8, 10}; /* in the header, in the payload */
    for (size_t c = 0; c < sizeof cut / sizeof *cut; c++) {
        empty_dir(f->dir);
        write_log(f, 0, NREC, 0);
        size_t s = f->nseg - 1;
        off_t off = offset_of(f, NREC - 1, s);
        assert_int_equal(truncate(seg_path(f, 0, f->seg[s]), off + cut[c]), 0);
        assert_int_equal(read_log(f, 0, 0), 0);
        stopped(f, WAL_END_TORN, NREC - 1, s, f->seg[s], off,
                "record cut short");
    }
}

/* One byte changed in a record of a middle segment: DAMAGED there. */
/* A crash in the middle of a write in a preallocated segment: the last
 * record partly written, zeros after it: torn, not damaged. The same cut
 * in a segment that others follow is damage. */
static void test_wal__torn_in_place(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    size_t s = f->nseg - 1;
    off_t off = offset_of(f, NREC - 1, s);
    int fd = open(seg_path(f, 0, f->seg[s]), O_WRONLY);
    static const unsigned char zeros[16];
    assert_true(fd >= 0);
    /* the record's last 16 bytes never made it */
    assert_int_equal(pwrite(fd, zeros, sizeof zeros,
                            off + (off_t)(f->pos[NREC] - f->pos[NREC - 1]) -
                                (off_t)sizeof zeros),
                     (ssize_t)sizeof zeros);
    close(fd);
    assert_int_equal(read_log(f, 0, 0), 0);
    stopped(f, WAL_END_TORN, NREC - 1, s, f->seg[s], off, "bad record");

    empty_dir(f->dir);
    write_log(f, 0, NREC, 0);
    assert_true(f->nseg > 2);
    size_t k = first_of(f, 1) - 1; /* the last record of segment 0 */
    off = offset_of(f, k, 0);
    assert_int_equal(truncate(seg_path(f, 0, f->seg[0]), off + 10), 0);
    assert_int_equal(read_log(f, 0, 0), 0);
    stopped(f, WAL_END_DAMAGED, k, 0, f->seg[0], off, "record cut short");
}

static void test_wal__damaged_record(void **state)
{
    struct fix *f = *state;
    write_log(f, 0, NREC, 0);
    size_t k = first_of(f, 1) + 2;
    off_t off = offset_of(f, k, 1);
    poke(seg_path(f, 0, f->seg[1]), off + 20, 'Q'); /* in the path */
    assert_int_equal(read_log(f, 0, 0), 0);
    stopped(f, WAL_END_DAMAGED, k, 1, f->seg[1], off, "bad record");
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
    assert_true(end0 + WALREC_HEADER < SEG); /* zeros at its end */
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

    /* a segment must hold its header and the largest record */
    p.dir = f->dir;
    p.segment_bytes = WAL_HEADER_BYTES + WALREC_MAX - 1;
    f->err[0] = '\0';
    assert_null(wal_open(&p, 0, f->err, sizeof f->err));
    assert_true(f->err[0] != '\0');
    assert_int_equal(access(seg_path(f, 0, 0), F_OK), -1); /* no file */
    p.segment_bytes = WAL_HEADER_BYTES + WALREC_MAX;
    struct wal *w = wal_open(&p, 0, f->err, sizeof f->err);
    assert_non_null(w);
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
        T(open_writes_header), T(commit),          T(rotation),
        T(exact_fill),         T(read_from),       T(read_to),
        T(callback_stops),     T(torn_tail),       T(torn_in_place),
        T(damaged_record),     T(bytes_after_end), T(missing_segment),
        T(bad_header),         T(zero_segment),    T(list),
        T(open_errors),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
