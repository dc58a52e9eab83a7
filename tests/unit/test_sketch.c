/*
 * test_sketch.c: the in-memory HyperLogLog against a plain array of
 * registers (ref[index] = max(ref[index], rank)): sparse, dense and the
 * switch between them, running out of memory, merges of every kind, and
 * the Redis string it encodes to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sanitizer/asan_interface.h>

#include "aggregator/sketch.h"
#include "proto/hll.h"

#define ARENA_BYTES (4u << 20)
#define HEAD offsetof(struct sketch, u)

static _Alignas(8) unsigned char heap[ARENA_BYTES];

struct arena {
    size_t used;  /* handed out, padding and red zones included */
    size_t bytes; /* asked for */
    int fail;     /* nonzero: every allocation fails */
};

/* Bump allocation, 8-aligned. The heap stays poisoned but for the blocks
 * handed out, so ASan catches a sketch straying out of its block; a new
 * block holds garbage, so nothing may count on zeros. */
static void *arena_alloc(void *ctx, size_t size)
{
    struct arena *a = ctx;
    if (a->fail) {
        return NULL;
    }
    size_t at = (a->used + 7) & ~(size_t)7;
    assert_true(at + size + 8 <= ARENA_BYTES);
    a->used = at + size + 8;
    a->bytes += size;
    ASAN_UNPOISON_MEMORY_REGION(heap + at, size);
    memset(heap + at, 0xa5, size);
    return heap + at;
}

/* An empty arena; blocks handed out before are poisoned again. */
static struct arena *arena_reset(void)
{
    static struct arena a;
    ASAN_POISON_MEMORY_REGION(heap, ARENA_BYTES);
    memset(&a, 0, sizeof a);
    return &a;
}

static uint32_t rnd(uint32_t *x) /* xorshift32 */
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Asserts s holds the registers of ref. A sparse table is checked on the
 * way: a power of two at most half full, n right, no index twice, every
 * entry reachable by probing from its index. */
static void check(const struct sketch *s, const uint8_t *ref)
{
    static uint8_t got[HLL_REGISTERS];
    if (s->slots == 0) {
        assert_memory_equal(s->u.reg, ref, HLL_REGISTERS);
        return;
    }
    uint32_t mask = s->slots - 1, n = 0;
    assert_int_equal(s->slots & mask, 0);
    assert_true(s->n * 2 <= s->slots);
    memset(got, 0, HLL_REGISTERS);
    for (uint32_t i = 0; i < s->slots; i++) {
        uint32_t v = s->u.slot[i], index = v >> 8;
        if (v == 0) {
            continue;
        }
        assert_true(index < HLL_REGISTERS);
        assert_int_equal(got[index], 0);
        assert_in_range(v & 0xff, 1, HLL_RANK_MAX);
        got[index] = (uint8_t)v;
        n++;
        for (uint32_t j = index & mask; j != i; j = (j + 1) & mask) {
            assert_true(s->u.slot[j] != 0);
        }
    }
    assert_int_equal(n, s->n);
    assert_memory_equal(got, ref, HLL_REGISTERS);
}

static size_t block_size(const struct sketch *s)
{
    return s->slots != 0 ? HEAD + s->slots * sizeof(uint32_t)
                         : SKETCH_GROW_MAX;
}

/* Offers to the sketch and to the model alike. */
static void offer(struct arena *a, struct sketch **s, uint8_t *ref,
                  uint32_t index, uint8_t rank)
{
    assert_int_equal(sketch_add(s, index, rank, arena_alloc, a), 0);
    if (ref[index] < rank) {
        ref[index] = rank;
    }
}

/* count offers: an index below span, a rank up to max_rank. */
static void fill(struct arena *a, struct sketch **s, uint8_t *ref,
                 uint32_t *x, int count, uint32_t span, uint32_t max_rank)
{
    for (int i = 0; i < count; i++) {
        uint32_t index = rnd(x) % span;
        offer(a, s, ref, index, (uint8_t)(1 + rnd(x) % max_rank));
    }
}

static struct sketch *new_sketch(struct arena *a)
{
    struct sketch *s = sketch_new(arena_alloc, a);
    assert_non_null(s);
    return s;
}

static void test_sketch__new_is_empty(void **state)
{
    struct arena *a = arena_reset();
    struct sketch *s = new_sketch(a);
    (void)state;

    assert_int_equal(s->slots, 8);
    assert_int_equal(s->n, 0);
    for (uint32_t i = 0; i < s->slots; i++) {
        assert_int_equal(s->u.slot[i], 0);
    }
    assert_int_equal(a->bytes, HEAD + 8 * sizeof(uint32_t));
}

/* A register keeps its largest rank; n counts registers, not offers. */
static void test_sketch__same_index_keeps_max(void **state)
{
    static uint8_t ref[HLL_REGISTERS];
    static const uint8_t ranks[] = {3, 7, 2, 7, 51, 1};
    static const uint8_t want[] = {3, 7, 7, 7, 51, 51};
    struct arena *a = arena_reset();
    struct sketch *s = new_sketch(a);
    uint32_t x = 7;
    (void)state;

    memset(ref, 0, sizeof ref);
    for (size_t i = 0; i < sizeof ranks; i++) {
        offer(a, &s, ref, 100, ranks[i]);
        assert_int_equal(ref[100], want[i]);
        assert_int_equal(s->n, 1);
        check(s, ref);
    }
    /* the same in a dense sketch */
    while (s->slots != 0) {
        fill(a, &s, ref, &x, 1, 16000, HLL_RANK_MAX);
    }
    for (size_t i = 0; i < sizeof ranks; i++) {
        offer(a, &s, ref, 16100, ranks[i]);
        assert_int_equal(ref[16100], want[i]);
        check(s, ref);
    }
}

/* An index the sketch holds needs no memory, even when the set is half
 * full or at SKETCH_SPARSE_MAX: a repeat neither grows it nor turns it
 * dense, and works with an allocator that fails. */
static void test_sketch__repeat_allocates_nothing(void **state)
{
    static uint8_t ref[HLL_REGISTERS];
    struct arena *a = arena_reset();
    struct sketch *s = new_sketch(a);
    (void)state;

    memset(ref, 0, sizeof ref);
    for (uint32_t k = 0; k < SKETCH_SPARSE_MAX; k++) {
        offer(a, &s, ref, k, 1);
        if (2 * s->n == s->slots) { /* full up to the growth limit */
            struct sketch *before = s;
            uint32_t slots = s->slots;
            a->fail = 1;
            assert_int_equal(sketch_add(&s, 0, 2, arena_alloc, a), 0);
            assert_int_equal(sketch_add(&s, k, 3, arena_alloc, a), 0);
            a->fail = 0;
            ref[0] = ref[0] > 2 ? ref[0] : 2;
            ref[k] = 3;
            assert_ptr_equal(s, before);
            assert_int_equal(s->slots, slots);
            check(s, ref);
        }
    }
    assert_int_equal(s->n, SKETCH_SPARSE_MAX);
    assert_int_not_equal(s->slots, 0); /* still sparse */
}

/* Indices whose home slots collide, and a probe wrapping past the end. */
static void test_sketch__probe_collisions(void **state)
{
    static uint8_t ref[HLL_REGISTERS];
    struct arena *a = arena_reset();
    struct sketch *s = new_sketch(a);
    (void)state;

    memset(ref, 0, sizeof ref);
    offer(a, &s, ref, 7, 1); /* home 7 of 8 */
    offer(a, &s, ref, 15, 2); /* home 7: wraps to 0 */
    offer(a, &s, ref, 23, 3); /* home 7: slot 1 */
    offer(a, &s, ref, 23, 9);
    offer(a, &s, ref, 15, 1);
    assert_int_equal(s->slots, 8);
    check(s, ref);
    offer(a, &s, ref, 0, 4); /* home 0, taken: slot 2 */
    check(s, ref);
    /* 16 more with the same home (0 while there are at most 512 slots),
     * then raised */
    for (uint32_t i = 0; i < 16; i++) {
        offer(a, &s, ref, 1024 * i + 512, (uint8_t)(1 + i));
    }
    for (uint32_t i = 0; i < 16; i++) {
        offer(a, &s, ref, 1024 * i + 512, (uint8_t)(20 + i));
    }
    assert_int_equal(s->n, 4 + 16);
    check(s, ref);
}

/* Distinct indices, one by one, through the sparse sizes and past the
 * switch to dense. */
static void test_sketch__crossing_sizes(void **state)
{
    static const uint32_t at[] = {1, 4, 5, 511, 512, 513, 5000};
    static uint8_t ref[HLL_REGISTERS];
    struct arena *a = arena_reset();
    struct sketch *s = new_sketch(a);
    uint32_t x = 1, k = 0;
    (void)state;

    memset(ref, 0, sizeof ref);
    for (size_t c = 0; c < sizeof at / sizeof *at; c++) {
        while (k < at[c]) {
            uint32_t index = rnd(&x) % HLL_REGISTERS;
            if (ref[index] != 0) {
                continue;
            }
            size_t before = a->bytes;
            offer(a, &s, ref, index, (uint8_t)(1 + rnd(&x) % HLL_RANK_MAX));
            k++;
            assert_true(a->bytes - before <= SKETCH_GROW_MAX);
            check(s, ref); /* the table's shape, after every add */
        }
        if (k <= SKETCH_SPARSE_MAX) {
            assert_true(s->slots != 0);
        } else {
            assert_int_equal(s->slots, 0);
        }
    }
}

/* Every add is first tried with a failing allocator: one that needed
 * memory returns -1 and leaves the sketch as it was, byte for byte. */
static void test_sketch__out_of_memory(void **state)
{
    static uint8_t ref[HLL_REGISTERS];
    static unsigned char snap[SKETCH_GROW_MAX];
    struct arena *a = arena_reset();
    int sparse_fails = 0, dense_fails = 0;
    (void)state;

    a->fail = 1;
    assert_null(sketch_new(arena_alloc, a));
    a->fail = 0;

    struct sketch *s = new_sketch(a);
    memset(ref, 0, sizeof ref);
    for (uint32_t k = 0; k < 600; k++) {
        uint32_t index = (k * 7919) % HLL_REGISTERS; /* all distinct */
        uint8_t rank = (uint8_t)(1 + k % HLL_RANK_MAX);
        struct sketch *old = s;
        uint32_t old_n = s->n;
        size_t size = block_size(s);

        memcpy(snap, s, size);
        a->fail = 1;
        int rc = sketch_add(&s, index, rank, arena_alloc, a);
        a->fail = 0;
        if (rc == 0) {
            ref[index] = rank;
            check(s, ref);
            continue;
        }
        assert_int_equal(rc, -1);
        assert_true(old->slots != 0); /* dense needs no memory */
        assert_ptr_equal(s, old);
        assert_memory_equal(s, snap, size);
        check(s, ref);
        if (old_n == SKETCH_SPARSE_MAX) {
            dense_fails++;
        } else {
            sparse_fails++;
        }
        offer(a, &s, ref, index, rank);
    }
    assert_int_equal(dense_fails, 1);
    assert_true(sparse_fails >= 7); /* at least 8 slots to 1024 */
    assert_int_equal(s->slots, 0);

    /* dense into sparse needs a dense block */
    struct sketch *d = new_sketch(a);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(sketch_add(&d, i, 3, arena_alloc, a), 0);
    }
    memcpy(snap, d, block_size(d));
    a->fail = 1;
    assert_int_equal(sketch_merge(&d, s, arena_alloc, a), -1);
    a->fail = 0;
    assert_memory_equal(d, snap, block_size(d));
}

struct merge_case {
    const char *what;
    int dst_offers, src_offers;
    uint32_t dst_span, src_span;
    int dst_dense, src_dense, out_dense;
};

static const struct merge_case merge_cases[] = {
    {"sparse into sparse", 200, 200, 400, 400, 0, 0, 0},
    {"sparse into sparse, turns dense", 500, 500, 1200, 1200, 0, 0, 1},
    {"sparse into dense", 3000, 200, 16384, 400, 1, 0, 1},
    {"dense into sparse", 200, 3000, 400, 16384, 0, 1, 1},
    {"dense into dense", 3000, 3000, 16384, 16384, 1, 1, 1},
};

static void test_sketch__merge(void **state)
{
    static uint8_t rd[HLL_REGISTERS], rs[HLL_REGISTERS], want[HLL_REGISTERS];
    static unsigned char snap[SKETCH_GROW_MAX];
    struct arena *a = arena_reset();
    uint32_t x = 99;
    (void)state;

    for (size_t c = 0; c < sizeof merge_cases / sizeof *merge_cases; c++) {
        const struct merge_case *m = &merge_cases[c];
        int dst_wins = 0, src_wins = 0;

        print_message("case: %s\n", m->what);
        a = arena_reset();
        memset(rd, 0, sizeof rd);
        memset(rs, 0, sizeof rs);
        struct sketch *dst = new_sketch(a), *src = new_sketch(a);
        fill(a, &dst, rd, &x, m->dst_offers, m->dst_span, HLL_RANK_MAX);
        fill(a, &src, rs, &x, m->src_offers, m->src_span, HLL_RANK_MAX);
        /* the first and last registers, where off-by-ones show */
        fill(a, &dst, rd, &x, 1, 1, HLL_RANK_MAX);
        fill(a, &src, rs, &x, 1, 1, HLL_RANK_MAX);
        offer(a, &dst, rd, HLL_REGISTERS - 1, 9);
        offer(a, &src, rs, HLL_REGISTERS - 1, 10);
        assert_int_equal(dst->slots == 0, m->dst_dense);
        assert_int_equal(src->slots == 0, m->src_dense);
        for (size_t i = 0; i < HLL_REGISTERS; i++) {
            dst_wins += rd[i] > rs[i] && rs[i] != 0;
            src_wins += rs[i] > rd[i] && rd[i] != 0;
            want[i] = rd[i] > rs[i] ? rd[i] : rs[i];
        }
        assert_true(dst_wins > 0 && src_wins > 0); /* both sides matter */
        size_t size = block_size(src);
        memcpy(snap, src, size);

        assert_int_equal(sketch_merge(&dst, src, arena_alloc, a), 0);
        assert_int_equal(dst->slots == 0, m->out_dense);
        check(dst, want);
        assert_memory_equal(src, snap, size);
    }
}

/* Asserts sketch_encode(s) is the string hll.c makes of ref's registers,
 * sparse (encoding 1) or dense (0), whatever garbage scratch and out held
 * before. */
static void check_encode(const struct sketch *s, const uint8_t *ref,
                         int encoding)
{
    static uint32_t pairs[HLL_REGISTERS];
    static uint8_t scratch[HLL_REGISTERS];
    static char out[HLL_DENSE_BYTES], want[HLL_DENSE_BYTES];
    size_t n = 0, len = HLL_DENSE_BYTES;

    if (encoding == 1) {
        for (uint32_t i = 0; i < HLL_REGISTERS; i++) {
            if (ref[i] != 0) {
                pairs[n++] = i << 8 | ref[i];
            }
        }
        len = hll_sparse_encode(want, sizeof want, pairs, n);
        assert_true(len > 0);
    } else {
        hll_dense_encode(want, ref);
    }
    memset(scratch, 0xee, sizeof scratch);
    memset(out, 0xee, sizeof out);
    assert_int_equal(sketch_encode(s, out, scratch), len);
    assert_memory_equal(out, want, len);
    assert_memory_equal(out, "HYLL", 4);
    assert_int_equal(out[4], encoding);
}

/* Sparse up to the most a sparse sketch holds, then dense. */
static void test_sketch__encode(void **state)
{
    static uint8_t ref[HLL_REGISTERS];
    struct arena *a = arena_reset();
    struct sketch *s = new_sketch(a);
    uint32_t x = 5;
    (void)state;

    memset(ref, 0, sizeof ref);
    check_encode(s, ref, 1);
    for (uint32_t i = 5000; i < 5010; i++) { /* runs share opcodes */
        offer(a, &s, ref, i, 7);
    }
    while (s->n < SKETCH_SPARSE_MAX) {
        fill(a, &s, ref, &x, 1, HLL_REGISTERS, HLL_SPARSE_RANK_MAX);
    }
    assert_true(s->slots != 0);
    check_encode(s, ref, 1);
    while (s->slots != 0) {
        fill(a, &s, ref, &x, 1, HLL_REGISTERS, HLL_SPARSE_RANK_MAX);
    }
    check_encode(s, ref, 0);
    fill(a, &s, ref, &x, 3000, HLL_REGISTERS, HLL_RANK_MAX);
    check_encode(s, ref, 0);
}

/* A sparse opcode holds ranks up to 32: above that, the dense string. */
static void test_sketch__encode_rank_above_32(void **state)
{
    static const uint8_t ranks[] = {32, 33, 40, 51};
    static uint8_t ref[HLL_REGISTERS];
    struct arena *a = arena_reset();
    (void)state;

    for (size_t i = 0; i < sizeof ranks; i++) {
        struct sketch *s = new_sketch(a);
        memset(ref, 0, sizeof ref);
        offer(a, &s, ref, 1, 5);
        offer(a, &s, ref, 9, ranks[i]);
        offer(a, &s, ref, 16383, 1);
        assert_true(s->slots != 0);
        check_encode(s, ref, ranks[i] <= HLL_SPARSE_RANK_MAX);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sketch__new_is_empty),
        cmocka_unit_test(test_sketch__same_index_keeps_max),
        cmocka_unit_test(test_sketch__repeat_allocates_nothing),
        cmocka_unit_test(test_sketch__probe_collisions),
        cmocka_unit_test(test_sketch__crossing_sizes),
        cmocka_unit_test(test_sketch__out_of_memory),
        cmocka_unit_test(test_sketch__merge),
        cmocka_unit_test(test_sketch__encode),
        cmocka_unit_test(test_sketch__encode_rank_above_32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
