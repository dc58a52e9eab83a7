/*
 * test_body_inflate.c: gzip and deflate bodies (SPEC 2.2): round trips,
 * the size and ratio limits at their edges, bombs, truncated and corrupt
 * streams, garbage after a stream, raw deflate, and reuse of one inflater.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "collector/body_inflate.h"

#define MAX_OUT (256 * 1024)

/* Compresses src into a new buffer: wbits 16+15 gzip, 15 zlib, -15 raw. */
static unsigned char *pack(const void *src, size_t len, int wbits,
                           size_t *out_len)
{
    z_stream zs;
    size_t cap = deflateBound(NULL, len) + 64;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, wbits, 9,
                                  Z_DEFAULT_STRATEGY),
                     Z_OK);
    zs.next_in = (unsigned char *)(uintptr_t)src;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

/* n bytes of text that compresses about as well as JSON does */
static char *text(size_t n)
{
    char *t = malloc(n ? n : 1);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++) {
        t[i] = "{\"s\":\"blog\",\"u\":\"/p/"[i % 20];
        if (i % 97 == 0) {
            t[i] = (char)('a' + (i / 97) % 26);
        }
    }
    return t;
}

static enum body_inflate_result run(struct body_inflater *f,
                                    enum body_encoding enc,
                                    const unsigned char *in, size_t len,
                                    struct span *out)
{
    return body_inflate(f, enc, span_make((const char *)in, len), out);
}

static void test_body_inflate__round_trips(void **state)
{
    struct body_inflater f;
    const int wbits[3] = {16 + 15, 15, -15};
    const enum body_encoding enc[3] = {BODY_GZIP, BODY_DEFLATE, BODY_DEFLATE};
    const size_t sizes[] = {0, 1, 100, 5000, 16384, 70000};
    (void)state;

    assert_int_equal(body_inflate_init(&f, MAX_OUT), 0);
    /* one inflater for all: it is reset between bodies */
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            char *t = text(sizes[i]);
            size_t n;
            unsigned char *z = pack(t, sizes[i], wbits[k], &n);
            struct span out = {NULL, 0};
            assert_int_equal(run(&f, enc[k], z, n, &out), BODY_INFLATE_OK);
            assert_int_equal(out.len, sizes[i]);
            assert_memory_equal(out.p, t, sizes[i]);
            free(z);
            free(t);
        }
    }
    body_inflate_deinit(&f);
}

/* Incompressible data inflates to about its own size: the ratio never
 * matters; the total limit is exact. */
static void test_body_inflate__size_limit_edges(void **state)
{
    struct body_inflater f;
    struct span out;
    size_t n;
    (void)state;

    assert_int_equal(body_inflate_init(&f, 4096), 0);
    unsigned char *rnd = malloc(4097);
    assert_non_null(rnd);
    uint32_t x = 12345;
    for (size_t i = 0; i < 4097; i++) {
        x = x * 1103515245 + 12345;
        rnd[i] = (unsigned char)(x >> 16);
    }
    unsigned char *z = pack(rnd, 4096, 16 + 15, &n);
    assert_int_equal(run(&f, BODY_GZIP, z, n, &out), BODY_INFLATE_OK);
    assert_int_equal(out.len, 4096);
    free(z);
    z = pack(rnd, 4097, 16 + 15, &n);
    assert_int_equal(run(&f, BODY_GZIP, z, n, &out), BODY_INFLATE_TOO_BIG);
    free(z);
    free(rnd);
    body_inflate_deinit(&f);
}

/* Past 16 KiB, at most 100 output bytes per input byte. */
static void test_body_inflate__ratio_limit(void **state)
{
    struct body_inflater f;
    struct span out;
    size_t n;
    (void)state;

    assert_int_equal(body_inflate_init(&f, MAX_OUT), 0);
    /* zeros compress about 1000:1 */
    char *zeros = calloc(1, MAX_OUT);
    assert_non_null(zeros);
    /* 16 KiB of zeros: allowed whatever the ratio */
    unsigned char *z = pack(zeros, 16384, 16 + 15, &n);
    assert_true(n * 100 < 16384);
    assert_int_equal(run(&f, BODY_GZIP, z, n, &out), BODY_INFLATE_OK);
    assert_int_equal(out.len, 16384);
    free(z);
    /* one byte more at that ratio: refused */
    z = pack(zeros, 16385, 16 + 15, &n);
    assert_true(n * 100 < 16385);
    assert_int_equal(run(&f, BODY_GZIP, z, n, &out), BODY_INFLATE_TOO_BIG);
    free(z);
    /* 200 KiB of zeros: under 256 KiB, but far past 100:1 */
    z = pack(zeros, 200 * 1024, 15, &n);
    assert_int_equal(run(&f, BODY_DEFLATE, z, n, &out), BODY_INFLATE_TOO_BIG);
    free(z);
    free(zeros);
    body_inflate_deinit(&f);
}

/* A bomb: 60 MiB of zeros in a few dozen KiB stops at the limit. */
static void test_body_inflate__bomb(void **state)
{
    struct body_inflater f;
    struct span out;
    size_t n;
    size_t big = 60u * 1024 * 1024;
    (void)state;

    char *zeros = calloc(1, big);
    assert_non_null(zeros);
    unsigned char *z = pack(zeros, big, 16 + 15, &n);
    free(zeros);
    assert_true(n < 64 * 1024);
    assert_int_equal(body_inflate_init(&f, MAX_OUT), 0);
    assert_int_equal(run(&f, BODY_GZIP, z, n, &out), BODY_INFLATE_TOO_BIG);
    free(z);
    body_inflate_deinit(&f);
}

static void test_body_inflate__corrupt(void **state)
{
    struct body_inflater f;
    struct span out;
    size_t n;
    (void)state;

    assert_int_equal(body_inflate_init(&f, MAX_OUT), 0);
    char *t = text(3000);
    unsigned char *z = pack(t, 3000, 16 + 15, &n);
    unsigned char *buf = malloc(n + 8);
    assert_non_null(buf);

    /* truncated at every length */
    for (size_t cut = 0; cut < n; cut++) {
        assert_int_equal(run(&f, BODY_GZIP, z, cut, &out),
                         BODY_INFLATE_CORRUPT);
    }
    /* garbage after the stream */
    memcpy(buf, z, n);
    memcpy(buf + n, "xyz", 3);
    assert_int_equal(run(&f, BODY_GZIP, buf, n + 3, &out),
                     BODY_INFLATE_CORRUPT);
    /* a flipped byte in the data or the CRC */
    memcpy(buf, z, n);
    buf[n / 2] ^= 0x55;
    assert_int_equal(run(&f, BODY_GZIP, buf, n, &out), BODY_INFLATE_CORRUPT);
    memcpy(buf, z, n);
    buf[n - 6] ^= 0x01;
    assert_int_equal(run(&f, BODY_GZIP, buf, n, &out), BODY_INFLATE_CORRUPT);
    /* gzip given as deflate, and plain text as either */
    assert_int_equal(run(&f, BODY_DEFLATE, z, n, &out), BODY_INFLATE_CORRUPT);
    assert_int_equal(run(&f, BODY_GZIP, (const unsigned char *)"{\"s\":1}", 7,
                         &out),
                     BODY_INFLATE_CORRUPT);
    /* still fine afterwards */
    assert_int_equal(run(&f, BODY_GZIP, z, n, &out), BODY_INFLATE_OK);
    assert_memory_equal(out.p, t, 3000);
    free(buf);
    free(z);
    free(t);
    body_inflate_deinit(&f);
}

static void test_body_inflate__deinit_zeroed(void **state)
{
    struct body_inflater f;
    (void)state;
    memset(&f, 0, sizeof f);
    body_inflate_deinit(&f);
    assert_int_equal(body_inflate_init(&f, 10), 0);
    body_inflate_deinit(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_inflate__round_trips),
        cmocka_unit_test(test_body_inflate__size_limit_edges),
        cmocka_unit_test(test_body_inflate__ratio_limit),
        cmocka_unit_test(test_body_inflate__bomb),
        cmocka_unit_test(test_body_inflate__corrupt),
        cmocka_unit_test(test_body_inflate__deinit_zeroed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
