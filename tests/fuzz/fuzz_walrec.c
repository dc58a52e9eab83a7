/*
 * fuzz_walrec.c: write-ahead log records read back from bytes on disk
 * (walrec_get), as recovery and `beaconctl wal` read a damaged segment.
 * The input is read as a run of frames, each copied into a heap buffer of
 * its exact length so that ASan sees a read past it.
 *
 * Invariants: a frame read as OK is 9..WALREC_MAX bytes and no longer
 * than what it was given; every prefix of it is SHORT, never OK; written
 * again (walrec_put_*) it gives the same bytes; a hit's fields fit its
 * buffers; every view lies inside the frame.
 */
// clang-format off
// FUZZ_SOURCES: proto/*.c
// FUZZ_SEED: L\0000\0000\0000\0037\0357\0335\0177\0001\0200\0343\0022k\0000\0000\0000\0000\0004demo\0003\0000\0000\0000\0001\0002\0003\0004\0005\0006\0007\0010\0011\0012\0013\0014\0015\0016\0017\0006\0000/blog/\0014news.example\0004mail\0000\0006spring\0010pageview.\0000\0000\0000\0220C\0203\0003\0003\0200\0343\0022k\0000\0000\0000\0000\0004news\0001\0020\0021\0022\0023\0024\0025\0026\0027\0030\0031\0032\0033\0034\0035\0036\0037\0011spring-24\0004hero
// clang-format on
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/walrec.h"

#define CHECK(c)                                                               \
    do {                                                                       \
        if (!(c)) {                                                            \
            abort();                                                           \
        }                                                                      \
    } while (0)

static int inside(const void *p, size_t len, const char *buf, size_t n)
{
    const char *c = p;
    return len == 0 || (c >= buf && c + len <= buf + n);
}

/* Writes r again and compares with the frame it came from. */
static void same_again(const struct walrec *r, const char *frame, size_t n)
{
    char out[WALREC_MAX];
    size_t m;
    if (r->kind == WALREC_HIT) {
        m = walrec_put_hit(out, sizeof(out), r->time, &r->hit, r->device,
                           r->browser, r->visitor);
    } else {
        m = walrec_put_mail(out, sizeof(out), r->kind, r->time, &r->mail);
    }
    CHECK(m == n && memcmp(out, frame, n) == 0);
}

static void check_frame(const char *buf, size_t n)
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
            CHECK(walrec_get(copy, k, &u2, &r2) != WALREC_OK);
        }
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    /* frames back to back, as in a segment; a bad one ends the run */
    while (size > 0) {
        struct walrec r;
        size_t used;
        check_frame(p, size);
        if (walrec_get(p, size, &used, &r) != WALREC_OK) {
            break;
        }
        p += used;
        size -= used;
    }
    return 0;
}
