/*
 * test_table.c: the counting hash table of the aggregator (add, find,
 * merge, reset, entries, sketch entries), with enough keys to grow the
 * buckets and fill several arena chunks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregator/sketch.h"
#include "aggregator/table.h"

/* Enough entries (each ~40 bytes of arena) for many 64 KiB chunks and for
 * the bucket array to double several times from its initial 1024. */
#define MANY 100000

static int key_of(char *buf, size_t cap, unsigned i)
{
    return snprintf(buf, cap, "key-%u", i);
}

static uint64_t count_of(const struct table *t, const char *key)
{
    const struct table_entry *e = table_find(t, key, strlen(key));
    return e != NULL ? e->count : 0;
}

static void test_table__empty(void **state)
{
    struct table *t = table_create();
    (void)state;

    assert_non_null(t);
    assert_int_equal(table_count(t), 0);
    assert_null(table_find(t, "a", 1));
    assert_null(table_find(t, "", 0));
    assert_true(table_bytes(t) > 0);
    table_entries(t, NULL); /* nothing to write */
    table_destroy(t);
    table_destroy(NULL);
}

static void test_table__add_and_find(void **state)
{
    struct table *t = table_create();
    const struct table_entry *e;
    (void)state;

    assert_non_null(t);
    assert_int_equal(table_add(t, "alpha", 5, 1), 1);
    assert_int_equal(table_add(t, "alpha", 5, 2), 0);
    assert_int_equal(table_add(t, "beta", 4, 7), 1);
    assert_int_equal(table_add(t, "alph", 4, 1), 1);   /* prefix: other key */
    assert_int_equal(table_add(t, "alphaa", 6, 1), 1); /* longer: other key */
    assert_int_equal(table_add(t, "", 0, 5), 1);       /* empty key is a key */
    assert_int_equal(table_add(t, "beta", 4, 0), 0);   /* n = 0 still finds */
    assert_int_equal(table_count(t), 5);

    e = table_find(t, "alpha", 5);
    assert_non_null(e);
    assert_int_equal(e->count, 3);
    assert_int_equal(e->key_len, 5);
    assert_memory_equal(e->key, "alpha", 5);
    assert_int_equal(count_of(t, "beta"), 7);
    assert_int_equal(count_of(t, "alph"), 1);
    assert_int_equal(count_of(t, "alphaa"), 1);
    e = table_find(t, "", 0);
    assert_non_null(e);
    assert_int_equal(e->count, 5);
    assert_int_equal(e->key_len, 0);
    assert_null(table_find(t, "gamma", 5));
    assert_null(table_find(t, "ALPHA", 5)); /* bytes, not case-folded */
    table_destroy(t);
}

/* Keys are bytes: NULs and high bytes are part of them. */
static void test_table__max(void **state)
{
    struct table *t = table_create();
    (void)state;

    assert_non_null(t);
    assert_int_equal(table_max(t, "k", 1, 50), 1);
    assert_int_equal(table_max(t, "k", 1, 40), 0);
    assert_int_equal(table_find(t, "k", 1)->count, 50);
    assert_int_equal(table_max(t, "k", 1, 70), 0);
    assert_int_equal(table_find(t, "k", 1)->count, 70);
    assert_int_equal(table_count(t), 1);
    char big[TABLE_KEY_MAX + 1] = {0};
    assert_int_equal(table_max(t, big, sizeof(big), 1), -1);
    table_destroy(t);
}

static void test_table__binary_keys(void **state)
{
    struct table *t = table_create();
    static const char k1[] = {'a', '\0', 'b'};
    static const char k2[] = {'a', '\0', 'c'};
    static const char k3[] = {(char)0xff, (char)0x80, '\0'};
    (void)state;

    assert_non_null(t);
    assert_int_equal(table_add(t, k1, sizeof k1, 1), 1);
    assert_int_equal(table_add(t, k2, sizeof k2, 2), 1);
    assert_int_equal(table_add(t, k3, sizeof k3, 3), 1);
    assert_int_equal(table_add(t, k1, 1, 4), 1); /* "a" alone */
    assert_int_equal(table_count(t), 4);
    assert_int_equal(table_find(t, k1, sizeof k1)->count, 1);
    assert_int_equal(table_find(t, k2, sizeof k2)->count, 2);
    assert_int_equal(table_find(t, k3, sizeof k3)->count, 3);
    assert_int_equal(table_find(t, "a", 1)->count, 4);
    table_destroy(t);
}

static void test_table__large_counts(void **state)
{
    struct table *t = table_create();
    (void)state;

    assert_non_null(t);
    assert_int_equal(table_add(t, "k", 1, UINT64_C(1) << 40), 1);
    assert_int_equal(table_add(t, "k", 1, UINT64_C(1) << 40), 0);
    assert_int_equal(count_of(t, "k"), UINT64_C(1) << 41);
    table_destroy(t);
}

static void test_table__key_length_limit(void **state)
{
    struct table *t = table_create();
    char *big = malloc(TABLE_KEY_MAX + 2);
    char *other = malloc(TABLE_KEY_MAX + 2);
    const struct table_entry *e;
    (void)state;

    assert_non_null(t);
    assert_non_null(big);
    assert_non_null(other);
    for (size_t i = 0; i < TABLE_KEY_MAX + 2; i++) {
        big[i] = (char)('a' + i % 26);
    }
    memcpy(other, big, TABLE_KEY_MAX + 2);
    other[TABLE_KEY_MAX - 1] = '#';

    assert_int_equal(table_add(t, big, TABLE_KEY_MAX, 2), 1);
    assert_int_equal(table_add(t, big, TABLE_KEY_MAX, 3), 0);
    assert_int_equal(table_add(t, other, TABLE_KEY_MAX, 1), 1);
    assert_int_equal(table_add(t, big, TABLE_KEY_MAX - 1, 1), 1);
    assert_int_equal(table_add(t, big, TABLE_KEY_MAX + 1, 1), -1);
    assert_int_equal(table_add(t, big, TABLE_KEY_MAX + 2, 1), -1);
    assert_int_equal(table_count(t), 3);

    e = table_find(t, big, TABLE_KEY_MAX);
    assert_non_null(e);
    assert_int_equal(e->count, 5);
    assert_int_equal(e->key_len, TABLE_KEY_MAX);
    assert_memory_equal(e->key, big, TABLE_KEY_MAX);
    assert_int_equal(table_find(t, other, TABLE_KEY_MAX)->count, 1);
    assert_int_equal(table_find(t, big, TABLE_KEY_MAX - 1)->count, 1);
    assert_null(table_find(t, big, TABLE_KEY_MAX + 1));

    /* Enough maximal keys to need several chunks of the arena. */
    for (unsigned i = 0; i < 300; i++) {
        int n = snprintf(big, 16, "%08u", i);
        big[n] = '-';
        assert_int_equal(table_add(t, big, TABLE_KEY_MAX, i + 1), 1);
    }
    for (unsigned i = 0; i < 300; i++) {
        int n = snprintf(big, 16, "%08u", i);
        big[n] = '-';
        e = table_find(t, big, TABLE_KEY_MAX);
        assert_non_null(e);
        assert_int_equal(e->count, i + 1);
        assert_memory_equal(e->key, big, TABLE_KEY_MAX);
    }
    assert_int_equal(table_count(t), 303);
    free(big);
    free(other);
    table_destroy(t);
}

/* Each key i gets count i + 1, added in two steps. */
static void fill(struct table *t, unsigned n)
{
    char key[32];

    for (unsigned i = 0; i < n; i++) {
        int len = key_of(key, sizeof key, i);
        assert_int_equal(table_add(t, key, (size_t)len, 1), 1);
    }
    for (unsigned i = 0; i < n; i++) {
        int len = key_of(key, sizeof key, i);
        assert_int_equal(table_add(t, key, (size_t)len, i), 0);
    }
    assert_int_equal(table_count(t), n);
}

static void check_filled(const struct table *t, unsigned n)
{
    char key[32];

    for (unsigned i = 0; i < n; i++) {
        int len = key_of(key, sizeof key, i);
        const struct table_entry *e = table_find(t, key, (size_t)len);
        assert_non_null(e);
        assert_int_equal(e->count, (uint64_t)i + 1);
        assert_int_equal(e->key_len, len);
        assert_memory_equal(e->key, key, (size_t)len);
    }
    assert_null(table_find(t, "key-", 4));
    int len = key_of(key, sizeof key, n);
    assert_null(table_find(t, key, (size_t)len));
}

/* table_entries gives each entry exactly once. */
static void check_entries(const struct table *t, unsigned n)
{
    size_t count = table_count(t);
    const struct table_entry **all = malloc((count ? count : 1) * sizeof(*all));
    unsigned char *seen = calloc(n ? n : 1, 1);
    uint64_t sum = 0;

    assert_non_null(all);
    assert_non_null(seen);
    assert_int_equal(count, n);
    table_entries(t, all);
    for (size_t i = 0; i < count; i++) {
        char key[32];
        unsigned idx;

        assert_true(all[i]->key_len < sizeof key);
        memcpy(key, all[i]->key, all[i]->key_len);
        key[all[i]->key_len] = '\0';
        assert_int_equal(sscanf(key, "key-%u", &idx), 1);
        assert_true(idx < n);
        assert_int_equal(seen[idx], 0);
        seen[idx] = 1;
        assert_int_equal(all[i]->count, (uint64_t)idx + 1);
        sum += all[i]->count;
    }
    assert_int_equal(sum, (uint64_t)n * (n + 1) / 2);
    free(seen);
    free(all);
}

static void test_table__many_keys(void **state)
{
    struct table *t = table_create();
    size_t bytes0;
    (void)state;

    assert_non_null(t);
    bytes0 = table_bytes(t);
    fill(t, MANY);
    check_filled(t, MANY);
    check_entries(t, MANY);
    /* Buckets grew and the arena took more chunks. */
    assert_true(table_bytes(t) > bytes0 + MANY * sizeof(void *));
    table_destroy(t);
}

/* What a table holds when empty: its first buckets and one chunk. */
static size_t empty_bytes(void)
{
    struct table *t = table_create();
    assert_non_null(t);
    size_t n = table_bytes(t);
    table_destroy(t);
    return n;
}

static void test_table__reset_and_reuse(void **state)
{
    struct table *t = table_create();
    size_t bytes, kept;
    char key[32];
    (void)state;

    assert_non_null(t);
    fill(t, MANY);
    bytes = table_bytes(t);

    /* A reset keeps some buckets and chunks for the next interval; the
     * rest of the burst's memory goes back. */
    table_reset(t);
    assert_int_equal(table_count(t), 0);
    assert_null(table_find(t, "key-0", 5));
    assert_null(table_find(t, "key-99999", 9));
    table_entries(t, NULL);
    kept = table_bytes(t);
    assert_true(kept < bytes / 4);
    assert_true(kept > empty_bytes());

    /* The same working size again: counts start from zero, and the table
     * takes what it took the first time. */
    fill(t, MANY);
    check_filled(t, MANY);
    check_entries(t, MANY);
    assert_int_equal(table_bytes(t), bytes);

    /* A smaller round: its reset gives back the large buckets too, and
     * the chunks it did not reach. */
    table_reset(t);
    fill(t, 10);
    check_filled(t, 10);
    check_entries(t, 10);
    assert_null(table_find(t, "key-10", 6));
    table_reset(t);
    assert_int_equal(table_bytes(t), empty_bytes());

    table_reset(t); /* twice in a row */
    assert_int_equal(table_count(t), 0);
    int len = key_of(key, sizeof key, 42);
    assert_int_equal(table_add(t, key, (size_t)len, 9), 1);
    assert_int_equal(table_count(t), 1);
    assert_int_equal(table_find(t, key, (size_t)len)->count, 9);
    assert_null(table_find(t, "key-41", 6));
    table_destroy(t);
}

static void test_table__merge(void **state)
{
    struct table *dst = table_create();
    struct table *src = table_create();
    struct table *empty = table_create();
    (void)state;

    assert_non_null(dst);
    assert_non_null(src);
    assert_non_null(empty);
    assert_int_equal(table_add(dst, "a", 1, 1), 1);
    assert_int_equal(table_add(dst, "b", 1, 2), 1);
    assert_int_equal(table_add(src, "b", 1, 10), 1);
    assert_int_equal(table_add(src, "c", 1, 20), 1);
    assert_int_equal(table_add(src, "d", 1, 30), 1);

    assert_int_equal(table_merge(dst, src), 2); /* c and d are new */
    assert_int_equal(table_count(dst), 4);
    assert_int_equal(count_of(dst, "a"), 1);
    assert_int_equal(count_of(dst, "b"), 12);
    assert_int_equal(count_of(dst, "c"), 20);
    assert_int_equal(count_of(dst, "d"), 30);
    /* src is unchanged. */
    assert_int_equal(table_count(src), 3);
    assert_int_equal(count_of(src, "b"), 10);

    /* Merging again creates nothing and adds again. */
    assert_int_equal(table_merge(dst, src), 0);
    assert_int_equal(table_count(dst), 4);
    assert_int_equal(count_of(dst, "b"), 22);
    assert_int_equal(count_of(dst, "d"), 60);

    assert_int_equal(table_merge(dst, empty), 0);
    assert_int_equal(table_count(dst), 4);
    assert_int_equal(table_merge(empty, src), 3);
    assert_int_equal(count_of(empty, "c"), 20);

    table_destroy(dst);
    table_destroy(src);
    table_destroy(empty);
}

/* Two workers' tables of many keys, half of them shared, into a third. */
static void test_table__merge_many(void **state)
{
    struct table *a = table_create();
    struct table *b = table_create();
    struct table *dst = table_create();
    char key[32];
    (void)state;

    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(dst);
    for (unsigned i = 0; i < MANY; i++) {
        int len = key_of(key, sizeof key, i);
        assert_int_equal(table_add(a, key, (size_t)len, 1), 1);
    }
    for (unsigned i = MANY / 2; i < MANY + MANY / 2; i++) {
        int len = key_of(key, sizeof key, i);
        assert_int_equal(table_add(b, key, (size_t)len, 2), 1);
    }
    assert_int_equal(table_merge(dst, a), MANY);
    assert_int_equal(table_merge(dst, b), MANY / 2);
    assert_int_equal(table_count(dst), MANY + MANY / 2);
    for (unsigned i = 0; i < MANY + MANY / 2; i++) {
        int len = key_of(key, sizeof key, i);
        uint64_t want = i < MANY / 2 ? 1 : i < MANY ? 3 : 2;
        const struct table_entry *e = table_find(dst, key, (size_t)len);
        assert_non_null(e);
        assert_int_equal(e->count, want);
    }

    /* The batch table is reset and merged into again, as by the flusher. */
    table_reset(dst);
    assert_int_equal(table_merge(dst, b), MANY);
    assert_int_equal(table_count(dst), MANY);
    assert_int_equal(count_of(dst, "key-0"), 0);
    assert_int_equal(count_of(dst, "key-50000"), 2);
    assert_int_equal(count_of(dst, "key-149999"), 2);

    table_destroy(a);
    table_destroy(b);
    table_destroy(dst);
}

/* After table_reserve(bytes), adds of that many key bytes need no new
 * memory: the arena already holds the chunk they may spill into. */
static void test_table__reserve(void **state)
{
    struct table *t = table_create();
    char key[1000];
    (void)state;

    assert_non_null(t);
    assert_int_equal(table_reserve(t, 1 << 20), -1); /* over a chunk */
    size_t before = table_bytes(t);
    for (int round = 0; round < 200; round++) {
        assert_int_equal(table_reserve(t, 8 * (sizeof(key) + 64)), 0);
        size_t reserved = table_bytes(t);
        for (int i = 0; i < 8; i++) {
            memset(key, 'a' + i, sizeof(key));
            key[0] = (char)round;
            key[1] = (char)(round >> 8);
            assert_int_equal(table_add(t, key, sizeof(key), 1), 1);
        }
        /* only bucket growth may have allocated during the adds */
        assert_true(table_bytes(t) - reserved <
                    (table_count(t) + 1) * sizeof(void *) + 1);
    }
    assert_true(table_bytes(t) > before);
    table_destroy(t);
}

/* The rank register index holds in sketch entry key (0: none). */
static unsigned reg_of(const struct table *t, const char *key, size_t len,
                       uint32_t index)
{
    const struct table_entry *e = table_find(t, key, len);
    assert_non_null(e);
    assert_int_equal(e->kind, TABLE_SKETCH);
    const struct sketch *k = e->sketch;
    if (k->slots == 0) {
        return k->u.reg[index];
    }
    for (uint32_t i = 0; i < k->slots; i++) {
        if (k->u.slot[i] >> 8 == index) {
            return k->u.slot[i] & 0xff;
        }
    }
    return 0;
}

/* Sketch entries: created empty, offered registers, never mixed with
 * counts under one key; found again through the recent-entry cache, also
 * for keys that collide in it, and not after a reset. */
static void test_table__sketches(void **state)
{
    struct table *t = table_create();
    char key[32];
    (void)state;

    assert_non_null(t);
    assert_int_equal(table_sketch_add(t, "uv", 2, 7, 3), 1);
    assert_int_equal(table_sketch_add(t, "uv", 2, 7, 2), 0);
    assert_int_equal(table_sketch_add(t, "uv", 2, 9, 1), 0);
    assert_int_equal(reg_of(t, "uv", 2, 7), 3);
    assert_int_equal(reg_of(t, "uv", 2, 9), 1);
    /* a key keeps its kind */
    assert_int_equal(table_add(t, "uv", 2, 1), -1);
    assert_int_equal(table_max(t, "uv", 2, 1), -1);
    assert_int_equal(table_add(t, "n", 1, 4), 1);
    assert_int_equal(table_sketch_add(t, "n", 1, 1, 1), -1);
    assert_int_equal(count_of(t, "n"), 4);
    assert_int_equal(table_count(t), 2);

    /* 200 keys, many sharing a cache slot; two that differ only in the
     * middle (the cache mixes the first and last 8 bytes) */
    for (unsigned round = 0; round < 2; round++) {
        for (unsigned i = 0; i < 200; i++) {
            int n = snprintf(key, sizeof key, "sketch-%u", i);
            assert_int_equal(table_sketch_add(t, key, (size_t)n, i, 1 + round),
                             round == 0);
        }
    }
    static const char mid_a[] = "AAAAAAAA-a-AAAAAAAA", mid_b[] = "AAAAAAAA-b-AAAAAAAA";
    assert_int_equal(table_sketch_add(t, mid_a, strlen(mid_a), 1, 5), 1);
    assert_int_equal(table_sketch_add(t, mid_b, strlen(mid_b), 2, 6), 1);
    assert_int_equal(table_sketch_add(t, mid_a, strlen(mid_a), 3, 7), 0);
    assert_int_equal(reg_of(t, mid_a, strlen(mid_a), 1), 5);
    assert_int_equal(reg_of(t, mid_a, strlen(mid_a), 2), 0);
    assert_int_equal(reg_of(t, mid_a, strlen(mid_a), 3), 7);
    assert_int_equal(reg_of(t, mid_b, strlen(mid_b), 2), 6);
    for (unsigned i = 0; i < 200; i++) {
        int n = snprintf(key, sizeof key, "sketch-%u", i);
        assert_int_equal(reg_of(t, key, (size_t)n, i), 2);
    }
    assert_int_equal(table_count(t), 204);

    table_reset(t);
    assert_int_equal(table_sketch_add(t, "uv", 2, 7, 1), 1);
    assert_int_equal(reg_of(t, "uv", 2, 7), 1);
    assert_int_equal(reg_of(t, "uv", 2, 9), 0);
    table_destroy(t);
}

/* A merge takes each register's maximum, creates what dst lacks, and
 * fails on a key that counts in dst. */
static void test_table__merge_sketches(void **state)
{
    struct table *src = table_create(), *dst = table_create();
    (void)state;

    assert_true(src && dst);
    /* src's "a" turns dense, dst's stays sparse: both directions of the
     * sparse/dense merge */
    for (uint32_t i = 0; i <= SKETCH_SPARSE_MAX; i++) {
        assert_true(table_sketch_add(src, "a", 1, i, 2) >= 0);
    }
    assert_int_equal(table_sketch_add(src, "b", 1, 5, 4), 1);
    assert_int_equal(table_sketch_add(dst, "a", 1, 0, 9), 1);
    assert_int_equal(table_sketch_add(dst, "a", 1, 16383, 1), 0);
    assert_int_equal(table_merge(dst, src), 1); /* "b" is new */
    assert_int_equal(reg_of(dst, "a", 1, 0), 9);
    assert_int_equal(reg_of(dst, "a", 1, 1), 2);
    assert_int_equal(reg_of(dst, "a", 1, SKETCH_SPARSE_MAX), 2);
    assert_int_equal(reg_of(dst, "a", 1, 16383), 1);
    assert_int_equal(reg_of(dst, "b", 1, 5), 4);
    assert_int_equal(reg_of(src, "a", 1, 0), 2); /* src unchanged */

    table_reset(dst);
    assert_int_equal(table_add(dst, "b", 1, 1), 1);
    assert_int_equal(table_merge(dst, src), -1);
    table_destroy(src);
    table_destroy(dst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table__reserve),
        cmocka_unit_test(test_table__empty),
        cmocka_unit_test(test_table__add_and_find),
        cmocka_unit_test(test_table__binary_keys),
        cmocka_unit_test(test_table__large_counts),
        cmocka_unit_test(test_table__key_length_limit),
        cmocka_unit_test(test_table__many_keys),
        cmocka_unit_test(test_table__reset_and_reuse),
        cmocka_unit_test(test_table__max),
        cmocka_unit_test(test_table__merge),
        cmocka_unit_test(test_table__merge_many),
        cmocka_unit_test(test_table__sketches),
        cmocka_unit_test(test_table__merge_sketches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
