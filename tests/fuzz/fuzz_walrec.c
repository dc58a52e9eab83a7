/*
 * fuzz_walrec.c: write-ahead log records and blocks read back from bytes
 * on disk (walrec_get, walrec_block_head, walrec_block_intact), as
 * recovery and `beaconctl wal` read a damaged segment. The input is read
 * three ways: as a run of records (a block's records), as a run of blocks
 * (a segment's), and as the records of a block sealed over it. Each piece
 * is copied into a heap buffer of its exact length so that ASan sees a
 * read past it.
 *
 * Invariants: a record read as OK is 3..WALREC_MAX bytes and no longer
 * than what it was given; every prefix of it is SHORT, never OK; written
 * again (walrec_put_*) it gives the same bytes; a hit's fields fit its
 * buffers; every view lies inside the record. A block header read as OK
 * has 1..WALREC_BLOCK_MAX bytes of records, all within what it was given,
 * and every prefix of the block is SHORT. A block sealed over the input
 * takes it all and is intact; one byte changed in its CRC or records, it
 * is not.
 */
// clang-format off
// FUZZ_SOURCES: proto/*.c
// FUZZ_SEED: L\0000\0001\0200\0343\0022k\0000\0000\0000\0000\0004demo\0003\0000\0000\0000\0001\0002\0003\0004\0005\0006\0007\0010\0011\0012\0013\0014\0015\0016\0017\0006\0000/blog/\0014news.example\0004mail\0000\0006spring\0010pageview.\0000\0003\0200\0343\0022k\0000\0000\0000\0000\0004news\0001\0020\0021\0022\0023\0024\0025\0026\0027\0030\0031\0032\0033\0034\0035\0036\0037\0011spring-24\0004hero
// FUZZ_SEED: \0176\0000\0000\0000\0330\0316\0006\0363L\0000\0001\0200\0343\0022k\0000\0000\0000\0000\0004demo\0003\0000\0000\0000\0001\0002\0003\0004\0005\0006\0007\0010\0011\0012\0013\0014\0015\0016\0017\0006\0000/blog/\0014news.example\0004mail\0000\0006spring\0010pageview.\0000\0003\0200\0343\0022k\0000\0000\0000\0000\0004news\0001\0020\0021\0022\0023\0024\0025\0026\0027\0030\0031\0032\0033\0034\0035\0036\0037\0011spring-24\0004hero
// clang-format on
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/walrec.h"
#include "tests/fuzz/fuzz_check.h"

static int inside(const void *p, size_t len, const char *buf, size_t n)
{
    const char *c = p;
    return len == 0 || (c >= buf && c + len <= buf + n);
}

/* Writes r again and compares with the record it came from. */
static void same_again(const struct walrec *r, const char *rec, size_t n)
{
    char out[WALREC_MAX];
    size_t m;
    if (r->kind == WALREC_HIT) {
        m = walrec_put_hit(out, sizeof(out), r->time, &r->hit, r->device,
                           r->browser, r->visitor);
    } else {
        m = walrec_put_mail(out, sizeof(out), r->kind, r->time, &r->mail);
    }
    CHECK(m == n && memcmp(out, rec, n) == 0);
}

/* walrec_get on buf[0..n) copied to a heap block of exactly n bytes;
 * returns the record's length, 0 when it is not one. */
static size_t check_record(const char *buf, size_t n)
{
    struct walrec r;
    size_t used = 0;
    char *copy = malloc(n ? n : 1);
    CHECK(copy != NULL);
    memcpy(copy, buf, n);
    enum walrec_status st = walrec_get(copy, n, &used, &r);
    if (st == WALREC_OK) {
        CHECK(used > WALREC_HEADER && used <= n && used <= WALREC_MAX);
        if (r.kind == WALREC_HIT) {
            CHECK(r.hit.site_len <= HIT_SITE_MAX &&
                  r.hit.site[r.hit.site_len] == '\0');
            CHECK(r.visitor == NULL || inside(r.visitor, WALREC_ID_BYTES,
                                              copy, used));
        } else {
            CHECK(inside(r.mail.site.p, r.mail.site.len, copy, used));
            CHECK(inside(r.mail.campaign.p, r.mail.campaign.len, copy, used));
            CHECK(inside(r.mail.link.p, r.mail.link.len, copy, used));
            CHECK(r.mail.recipient == NULL ||
                  inside(r.mail.recipient, WALREC_ID_BYTES, copy, used));
        }
        same_again(&r, copy, used);
        for (size_t k = 0; k < used; k += 1 + k / 8) {
            struct walrec r2;
            size_t u2;
            CHECK(walrec_get(copy, k, &u2, &r2) == WALREC_SHORT);
        }
    }
    free(copy);
    return st == WALREC_OK ? used : 0;
}

/* The records of a block, as the reader walks them: back to back to its
 * records' end, a bad one ends the walk. */
static void walk_records(const char *recs, size_t len)
{
    size_t off = 0, used;
    while (off < len && (used = check_record(recs + off, len - off)) > 0) {
        off += used;
    }
}

/* walrec_block_head on buf[0..n) copied to a heap block of exactly n
 * bytes: on OK, the records lie within n and within WALREC_BLOCK_MAX, and
 * every shorter prefix is SHORT; the records of an intact block are
 * walked. Returns the block's length, 0 when it is not one. */
static size_t check_block(const char *buf, size_t n)
{
    size_t rlen = 0, len = 0;
    char *copy = malloc(n ? n : 1);
    CHECK(copy != NULL);
    memcpy(copy, buf, n);
    enum walrec_status st = walrec_block_head(copy, n, &rlen);
    CHECK(n >= WALREC_BLOCK_HEADER || st == WALREC_SHORT);
    if (st == WALREC_OK) {
        CHECK(rlen > 0 && rlen <= WALREC_BLOCK_MAX &&
              rlen <= n - WALREC_BLOCK_HEADER);
        len = WALREC_BLOCK_HEADER + rlen;
        for (size_t k = 0; k < len; k += 1 + k / 8) {
            size_t r2;
            CHECK(walrec_block_head(copy, k, &r2) == WALREC_SHORT);
        }
        if (walrec_block_intact(copy, rlen)) {
            walk_records(copy + WALREC_BLOCK_HEADER, rlen);
        }
    }
    free(copy);
    return len;
}

/* The input as the records of a block sealed over them: its header takes
 * them all, its CRC matches, and a byte changed anywhere in the records or
 * the CRC is seen (a CRC-32 misses no change within 4 bytes). */
static void check_sealed(const uint8_t *data, size_t size)
{
    size_t n = WALREC_BLOCK_HEADER + size, rlen = 0;
    char *b = malloc(n);
    CHECK(b != NULL);
    memcpy(b + WALREC_BLOCK_HEADER, data, size);
    walrec_block_seal(b, size);
    CHECK(walrec_block_head(b, n, &rlen) == WALREC_OK && rlen == size);
    CHECK(walrec_block_intact(b, rlen));
    CHECK(check_block(b, n) == n);
    size_t at = 4 + (size_t)data[0] * 31 % (n - 4);
    b[at] ^= (char)(data[size - 1] | 1);
    CHECK(!walrec_block_intact(b, rlen));
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    size_t n = size, used;
    /* records back to back, as in a block; a bad one ends the run */
    while (n > 0 && (used = check_record(p, n)) > 0) {
        p += used;
        n -= used;
    }
    /* blocks back to back, as in a segment; a bad header ends the run */
    p = (const char *)data;
    n = size;
    while (n > 0 && (used = check_block(p, n)) > 0) {
        p += used;
        n -= used;
    }
    if (size > 0 && size <= WALREC_BLOCK_MAX) {
        check_sealed(data, size);
    }
    return 0;
}
