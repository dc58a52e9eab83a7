/*
 * test_hll.c: Redis's HyperLogLog hash (index and rank from MurmurHash64A)
 * and its string encodings, sparse and dense, byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/hll.h"

#define SEED 0xadc83b19ULL
#define DATA_BYTES (HLL_DENSE_BYTES - HLL_HEADER_BYTES)
#define P(index, rank) ((uint32_t)(index) << 8 | (uint32_t)(rank))

/* "HYLL", encoding, 3 unused, cached cardinality with bit 7 of its last
 * byte set (not valid). */
#define SPARSE_HDR "HYLL\x01\0\0\0" "\0\0\0\0\0\0\0\x80"
#define DENSE_HDR "HYLL\0\0\0\0" "\0\0\0\0\0\0\0\x80"

struct sparse_case {
    const char *what;
    uint32_t pairs[5];
    size_t n;
    const char *want;
    size_t len;
};

/* XZERO n: 0x40 | (n-1) >> 8, (n-1) & 0xff; ZERO n: n-1; VAL: 0x80 |
 * (rank-1) << 2 | (run-1). */
static const struct sparse_case sparse_cases[] = {
    {"empty: XZERO 16384", {0}, 0, SPARSE_HDR "\x7f\xff", 18},
    {"first register", {P(0, 1)}, 1, SPARSE_HDR "\x80\x7f\xfe", 19},
    {"last register", {P(16383, 5)}, 1, SPARSE_HDR "\x7f\xfe\x90", 19},
    {"gap 1: ZERO", {P(1, 1)}, 1, SPARSE_HDR "\x00\x80\x7f\xfd", 20},
    {"gap 64: ZERO", {P(64, 1)}, 1, SPARSE_HDR "\x3f\x80\x7f\xbe", 20},
    {"gap 65: XZERO", {P(65, 1)}, 1, SPARSE_HDR "\x40\x40\x80\x7f\xbd", 21},
    {"tail of 1", {P(16382, 1)}, 1, SPARSE_HDR "\x7f\xfd\x80\x00", 20},
    {"tail of 64", {P(16319, 1)}, 1, SPARSE_HDR "\x7f\xbe\x80\x3f", 20},
    {"run of 4", {P(0, 3), P(1, 3), P(2, 3), P(3, 3)}, 4,
     SPARSE_HDR "\x8b\x7f\xfb", 19},
    {"run of 5: 4 then 1", {P(0, 3), P(1, 3), P(2, 3), P(3, 3), P(4, 3)}, 5,
     SPARSE_HDR "\x8b\x88\x7f\xfa", 20},
    {"run of 4 at the end",
     {P(16380, 1), P(16381, 1), P(16382, 1), P(16383, 1)}, 4,
     SPARSE_HDR "\x7f\xfb\x83", 19},
    {"neighbours, ranks differ", {P(0, 1), P(1, 2)}, 2,
     SPARSE_HDR "\x80\x84\x7f\xfd", 20},
    {"same rank, not neighbours", {P(0, 1), P(2, 1)}, 2,
     SPARSE_HDR "\x80\x00\x80\x7f\xfc", 21},
    {"rank 32", {P(0, 32)}, 1, SPARSE_HDR "\xfc\x7f\xfe", 19},
    {"rank 32, run of 2", {P(0, 32), P(1, 32)}, 2,
     SPARSE_HDR "\xfd\x7f\xfd", 19},
    /* ZERO 10, VAL 2x2, XZERO 88, VAL 1, XZERO 16282, VAL 32 */
    {"mixed", {P(10, 2), P(11, 2), P(100, 1), P(16383, 32)}, 4,
     SPARSE_HDR "\x09\x85\x40\x57\x80\x7f\x99\xfc", 24},
};

static void test_hll__sparse_bytes(void **state)
{
    char out[64];
    (void)state;

    for (size_t i = 0; i < sizeof sparse_cases / sizeof *sparse_cases; i++) {
        const struct sparse_case *c = &sparse_cases[i];
        size_t cap = HLL_SPARSE_MAX_BYTES(c->n);

        memset(out, 0xee, sizeof out);
        size_t len = hll_sparse_encode(out, cap, c->pairs, c->n);
        if (len != c->len || memcmp(out, c->want, len) != 0) {
            print_message("case: %s\n", c->what);
            assert_int_equal(len, c->len);
            assert_memory_equal(out, c->want, c->len);
        }
        for (size_t j = c->len; j < sizeof out; j++) {
            assert_int_equal((unsigned char)out[j], 0xee);
        }
    }
}

struct reject_case {
    const char *what;
    uint32_t pairs[3];
    size_t n;
    size_t short_by; /* cap = HLL_SPARSE_MAX_BYTES(n) - short_by */
};

static const struct reject_case reject_cases[] = {
    {"rank 33", {P(0, 33)}, 1, 0},
    {"rank 0", {P(5, 0)}, 1, 0},
    {"index 16384", {P(16384, 1)}, 1, 0},
    {"run past the end", {P(16383, 1), P(16384, 1)}, 2, 0},
    {"not sorted", {P(5, 1), P(3, 1)}, 2, 0},
    {"index twice", {P(5, 1), P(5, 2)}, 2, 0},
    {"same pair twice", {P(5, 2), P(5, 2)}, 2, 0},
    {"bad rank after good pairs", {P(0, 1), P(1, 1), P(2, 33)}, 3, 0},
    {"cap one short", {P(0, 1)}, 1, 1},
    {"cap one short, empty", {0}, 0, 1},
};

static void test_hll__sparse_rejects(void **state)
{
    char out[64];
    (void)state;

    for (size_t i = 0; i < sizeof reject_cases / sizeof *reject_cases; i++) {
        const struct reject_case *c = &reject_cases[i];

        size_t cap = HLL_SPARSE_MAX_BYTES(c->n) - c->short_by;

        if (hll_sparse_encode(out, cap, c->pairs, c->n) != 0) {
            fail_msg("accepted: %s", c->what);
        }
    }
}

/* Registers of a sparse string, read as Redis reads it; -1 unless the
 * opcodes cover exactly HLL_REGISTERS. */
static int sparse_decode(const char *s, size_t len, uint8_t *regs)
{
    const unsigned char *p = (const unsigned char *)s + HLL_HEADER_BYTES;
    const unsigned char *end = (const unsigned char *)s + len;
    size_t at = 0;

    memset(regs, 0, HLL_REGISTERS);
    while (p < end) {
        size_t run;
        uint8_t v = 0;
        if ((*p & 0xc0) == 0) {
            run = (size_t)(*p++ & 0x3f) + 1;
        } else if ((*p & 0xc0) == 0x40) {
            if (p + 1 == end) {
                return -1;
            }
            run = ((size_t)(p[0] & 0x3f) << 8 | p[1]) + 1;
            p += 2;
        } else {
            v = (uint8_t)((*p >> 2 & 0x1f) + 1);
            run = (size_t)(*p++ & 3) + 1;
        }
        if (at + run > HLL_REGISTERS) {
            return -1;
        }
        memset(regs + at, v, run);
        at += run;
    }
    return at == HLL_REGISTERS ? 0 : -1;
}

/* Every register in a gap of 65: XZERO + VAL, 3 bytes a register, the
 * most HLL_SPARSE_MAX_BYTES allows. */
static void test_hll__sparse_worst_case(void **state)
{
    uint32_t pairs[100];
    char out[HLL_SPARSE_MAX_BYTES(100)];
    uint8_t regs[HLL_REGISTERS];
    (void)state;

    for (uint32_t i = 0; i < 100; i++) {
        pairs[i] = P(65 + 66 * i, 1 + i % 32);
    }
    size_t len = hll_sparse_encode(out, sizeof out, pairs, 100);
    assert_int_equal(len, HLL_SPARSE_MAX_BYTES(100));
    assert_memory_equal(out, SPARSE_HDR "\x40\x40\x80\x40\x40\x84", 22);
    assert_int_equal(sparse_decode(out, len, regs), 0);
    for (uint32_t i = 0; i < 100; i++) {
        assert_int_equal(regs[65 + 66 * i], 1 + i % 32);
        regs[65 + 66 * i] = 0;
    }
    for (size_t i = 0; i < HLL_REGISTERS; i++) {
        assert_int_equal(regs[i], 0);
    }
}

struct dense_case {
    uint32_t reg;
    uint8_t value;
    size_t at;                /* first of the three data bytes checked */
    unsigned char bytes[3];   /* all other data bytes are 0 */
};

/* Four registers fill three bytes, the first in the lowest 6 bits. */
static const struct dense_case dense_cases[] = {
    {0, 1, 0, {0x01, 0, 0}},
    {1, 1, 0, {0x40, 0, 0}},          /* bit 6 of byte 0 */
    {1, 63, 0, {0xc0, 0x0f, 0}},      /* bits 6-11: 2 in byte 0, 4 in 1 */
    {2, 51, 0, {0, 0x30, 0x03}},      /* 110011 at bits 12-17: 0011 in
                                         the top of byte 1, 11 in byte 2 */
    {3, 63, 0, {0, 0, 0xfc}},         /* bits 18-23 */
    {4, 1, 3, {0x01, 0, 0}},          /* the second group */
    {16382, 51, 12285, {0, 0x30, 0x03}},
    {16383, 63, 12285, {0, 0, 0xfc}}, /* the last data byte */
};

static void test_hll__dense_bytes(void **state)
{
    static uint8_t regs[HLL_REGISTERS];
    static char out[HLL_DENSE_BYTES];
    static unsigned char want[DATA_BYTES];
    (void)state;

    for (size_t i = 0; i < sizeof dense_cases / sizeof *dense_cases; i++) {
        const struct dense_case *c = &dense_cases[i];

        memset(regs, 0, sizeof regs);
        regs[c->reg] = c->value;
        memset(want, 0, sizeof want);
        memcpy(want + c->at, c->bytes, 3);
        memset(out, 0xee, sizeof out);
        hll_dense_encode(out, regs);
        if (memcmp(out + HLL_HEADER_BYTES, want, DATA_BYTES) != 0) {
            print_message("case: regs[%u] = %u\n", (unsigned)c->reg,
                          (unsigned)c->value);
        }
        assert_memory_equal(out, DENSE_HDR, HLL_HEADER_BYTES);
        assert_memory_equal(out + HLL_HEADER_BYTES, want, DATA_BYTES);
    }

    memset(regs, 0, sizeof regs);
    memset(out, 0xee, sizeof out);
    hll_dense_encode(out, regs);
    assert_memory_equal(out, DENSE_HDR, HLL_HEADER_BYTES);
    memset(want, 0, sizeof want);
    assert_memory_equal(out + HLL_HEADER_BYTES, want, DATA_BYTES);

    memset(regs, 63, sizeof regs);
    hll_dense_encode(out, regs);
    memset(want, 0xff, sizeof want);
    assert_memory_equal(out + HLL_HEADER_BYTES, want, DATA_BYTES);
}

/* Read back with Redis's HLL_DENSE_GET_REGISTER arithmetic. */
static void test_hll__dense_round_trip(void **state)
{
    static uint8_t regs[HLL_REGISTERS];
    static char out[HLL_DENSE_BYTES];
    uint32_t x = 12345;
    (void)state;

    for (size_t i = 0; i < HLL_REGISTERS; i++) {
        x = x * 1103515245u + 12345u;
        regs[i] = (uint8_t)((x >> 16) % (HLL_RANK_MAX + 1));
    }
    hll_dense_encode(out, regs);
    const unsigned char *p = (const unsigned char *)out + HLL_HEADER_BYTES;
    for (size_t i = 0; i < HLL_REGISTERS; i++) {
        size_t byte = i * 6 / 8, fb = i * 6 & 7;
        unsigned b0 = p[byte], b1 = byte + 1 < DATA_BYTES ? p[byte + 1] : 0;
        assert_int_equal(((b0 >> fb) | (b1 << (8 - fb))) & 63, regs[i]);
    }
}

/* Input v of length len: bytes that differ from input to input. */
static void fill(unsigned char *buf, size_t len, unsigned v)
{
    for (size_t j = 0; j < len; j++) {
        buf[j] = (unsigned char)(v * 97 + len * 31 + j * j * 13 + j);
    }
}

static void test_hll__hash_index_and_rank(void **state)
{
    unsigned char buf[40];
    int seen[HLL_RANK_MAX + 1] = {0};
    (void)state;

    /* lengths 0..40: every tail length 0..7, up to five 8-byte blocks */
    for (size_t len = 0; len <= 40; len++) {
        for (unsigned v = 0; v < 8; v++) {
            uint32_t index;
            uint8_t rank;
            fill(buf, len, v);
            uint64_t h = hll_murmur64a(buf, len, SEED);
            hll_hash(buf, len, &index, &rank);

            assert_int_equal(index, h & (HLL_REGISTERS - 1));
            uint64_t rest = h >> 14;
            unsigned want = 1;
            while (want < HLL_RANK_MAX && (rest & 1) == 0) {
                rest >>= 1;
                want++;
            }
            assert_int_equal(rank, want);
            assert_in_range(rank, 1, HLL_RANK_MAX);
            seen[rank]++;
        }
    }
    /* the inputs are not degenerate: ranks spread as a hash's do */
    assert_true(seen[1] > 100 && seen[2] > 50 && seen[3] > 20);
}

struct known {
    const char *elem;
    uint32_t index;
    uint8_t rank;
};

/* The register PFADD of elem sets in redis-server 7.0.15 (read back with
 * GET): catches a wrong constant or byte order the relations cannot. */
static const struct known known[] = {
    {"", 5938, 2},
    {"a", 12711, 2},
    {"hello", 9216, 1},
    {"0123456789abcde", 15725, 4},  /* a block and a 7-byte tail */
    {"visitor-12345678", 64, 1},    /* two blocks, no tail */
};

static void test_hll__hash_as_redis(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        uint32_t index;
        uint8_t rank;
        hll_hash(known[i].elem, strlen(known[i].elem), &index, &rank);
        assert_int_equal(index, known[i].index);
        assert_int_equal(rank, known[i].rank);
    }
}

static void test_hll__murmur_sensitivity(void **state)
{
    unsigned char a[48], b[48];
    (void)state;

    for (size_t len = 0; len <= 40; len++) {
        fill(a, len, 1);
        uint64_t h = hll_murmur64a(a, len, SEED);

        assert_true(hll_murmur64a(a, len, 0) != h);
        assert_true(hll_murmur64a(a, len, SEED ^ 1) != h);
        /* only len bytes are read, whatever follows */
        memcpy(b, a, len);
        memset(b + len, 0x5a, sizeof b - len);
        memset(a + len, 0xa5, sizeof a - len);
        assert_true(hll_murmur64a(b, len, SEED) == h);
        /* one more byte, even a zero one, is another input */
        b[len] = 0;
        assert_true(hll_murmur64a(b, len + 1, SEED) != h);
        /* every byte counts: the blocks and each tail position */
        for (size_t j = 0; j < len; j++) {
            memcpy(b, a, len);
            b[j] ^= 0x01;
            assert_true(hll_murmur64a(b, len, SEED) != h);
            b[j] ^= 0x81;
            assert_true(hll_murmur64a(b, len, SEED) != h);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hll__sparse_bytes),
        cmocka_unit_test(test_hll__sparse_rejects),
        cmocka_unit_test(test_hll__sparse_worst_case),
        cmocka_unit_test(test_hll__dense_bytes),
        cmocka_unit_test(test_hll__dense_round_trip),
        cmocka_unit_test(test_hll__hash_index_and_rank),
        cmocka_unit_test(test_hll__hash_as_redis),
        cmocka_unit_test(test_hll__murmur_sensitivity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
