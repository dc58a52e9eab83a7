/*
 * test_optout_registry.c: the parts of the recipient opt-out registry
 * (collector/privacy/optout_registry.c) that need no flusher thread or
 * Redis: the keyed hash of a recipient token (BLAKE2b-128 under the 32-byte
 * recipient_key, libsodium's crypto_generichash), lookups on a registry
 * that has no snapshot yet, and init/deinit with and without a key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sodium.h>

#include "collector/privacy/optout_registry.h"

static unsigned char key_a[32], key_b[32];

static struct optout_registry *new_registry(const unsigned char *key,
                                            int n_readers)
{
    struct optout_registry *r = malloc(sizeof(*r));
    assert_non_null(r);
    memset(r, 0x5A, sizeof(*r)); /* init must not rely on zeroed memory */
    assert_int_equal(optout_registry_init(r, "bc", key, n_readers), 0);
    return r;
}

static void free_registry(struct optout_registry *r)
{
    optout_registry_deinit(r);
    free(r);
}

/* The token, in a block of exactly its length. */
static void hash_of(const struct optout_registry *r, const char *token,
                    size_t len, uint8_t out[OPTOUT_HASH_BYTES])
{
    char *t = malloc(len > 0 ? len : 1);
    assert_non_null(t);
    memcpy(t, token, len);
    memset(out, 0xEE, OPTOUT_HASH_BYTES);
    optout_recipient_hash(r, t, len, out);
    free(t);
}

static void test_optout_registry__hash_is_keyed_blake2b_128(void **state)
{
    (void)state;
    static const char *const tokens[] = {
        "abcdefgh", "AbCdEfGh-_0123456789", "x7Kp2mQ9vR4tW8yZ",
        "01234567890123456789012345678901234567890123456789012345678901234567"
        "890123456789012345678901234567890123456789012345678901234567", /*128*/
    };
    struct optout_registry *r = new_registry(key_a, 4);
    assert_int_equal(r->have_key, 1);
    assert_int_equal(OPTOUT_HASH_BYTES, 16);
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
        size_t len = strlen(tokens[i]);
        uint8_t got[OPTOUT_HASH_BYTES], want[OPTOUT_HASH_BYTES];
        assert_int_equal(crypto_generichash(want, sizeof(want),
                                            (const unsigned char *)tokens[i],
                                            len, key_a, sizeof(key_a)),
                         0);
        hash_of(r, tokens[i], len, got);
        assert_memory_equal(got, want, OPTOUT_HASH_BYTES);
        /* not the unkeyed hash */
        assert_int_equal(crypto_generichash(want, sizeof(want),
                                            (const unsigned char *)tokens[i],
                                            len, NULL, 0),
                         0);
        assert_true(memcmp(got, want, OPTOUT_HASH_BYTES) != 0);
    }
    free_registry(r);
}

/* A fixed value (BLAKE2b with a 16-byte digest and the key 00 01 .. 1f,
 * RFC 7693, as Python's hashlib.blake2b computes it): the hashes in
 * Redis must stay the same across versions, or opt-outs are forgotten. */
static void test_optout_registry__hash_known_answer(void **state)
{
    (void)state;
    unsigned char key[32];
    uint8_t got[OPTOUT_HASH_BYTES];
    char hex[2 * OPTOUT_HASH_BYTES + 1];
    for (int i = 0; i < 32; i++) {
        key[i] = (unsigned char)i;
    }
    struct optout_registry *r = new_registry(key, 1);
    hash_of(r, "recipient-0001", 14, got);
    sodium_bin2hex(hex, sizeof(hex), got, sizeof(got));
    assert_string_equal(hex, "a55715866309608b130d953916ae1c91");
    free_registry(r);
}

static void test_optout_registry__hash_depends_on_key_and_token(void **state)
{
    (void)state;
    struct optout_registry *a = new_registry(key_a, 1);
    struct optout_registry *a2 = new_registry(key_a, 8);
    struct optout_registry *b = new_registry(key_b, 1);
    uint8_t ha[OPTOUT_HASH_BYTES], ha2[OPTOUT_HASH_BYTES],
        hb[OPTOUT_HASH_BYTES], hx[OPTOUT_HASH_BYTES];

    hash_of(a, "abcdefgh", 8, ha);
    hash_of(a2, "abcdefgh", 8, ha2);
    hash_of(b, "abcdefgh", 8, hb);
    /* same key: same hash on every instance */
    assert_memory_equal(ha, ha2, OPTOUT_HASH_BYTES);
    /* another key: another hash */
    assert_true(memcmp(ha, hb, OPTOUT_HASH_BYTES) != 0);
    /* one bit of the key */
    unsigned char k2[32];
    memcpy(k2, key_a, sizeof(k2));
    k2[31] ^= 1;
    struct optout_registry *c = new_registry(k2, 1);
    hash_of(c, "abcdefgh", 8, hx);
    assert_true(memcmp(ha, hx, OPTOUT_HASH_BYTES) != 0);
    free_registry(c);

    /* another token, a prefix, one more byte, case */
    hash_of(a, "abcdefgi", 8, hx);
    assert_true(memcmp(ha, hx, OPTOUT_HASH_BYTES) != 0);
    hash_of(a, "abcdefg", 7, hx);
    assert_true(memcmp(ha, hx, OPTOUT_HASH_BYTES) != 0);
    hash_of(a, "abcdefghi", 9, hx);
    assert_true(memcmp(ha, hx, OPTOUT_HASH_BYTES) != 0);
    hash_of(a, "ABCDEFGH", 8, hx);
    assert_true(memcmp(ha, hx, OPTOUT_HASH_BYTES) != 0);
    /* len, not NUL, ends the token */
    hash_of(a, "abcdefghXYZ", 8, hx);
    assert_memory_equal(ha, hx, OPTOUT_HASH_BYTES);
    /* deterministic */
    hash_of(a, "abcdefgh", 8, hx);
    assert_memory_equal(ha, hx, OPTOUT_HASH_BYTES);

    free_registry(a);
    free_registry(a2);
    free_registry(b);
}

/* No snapshot published yet: nobody opted out, for any reader. */
static void test_optout_registry__fresh_registry_has_nothing(void **state)
{
    (void)state;
    struct optout_registry *r = new_registry(key_a, 4);
    uint8_t h[OPTOUT_HASH_BYTES];
    hash_of(r, "abcdefgh", 8, h);
    for (int reader = 0; reader < 4; reader++) {
        assert_int_equal(optout_registry_has(r, reader, "blog", 4, h), 0);
        assert_int_equal(optout_registry_has(r, reader, "", 0, h), 0);
        /* the reader's hazard slot is left empty */
        assert_null(atomic_load(&r->hazard[reader]));
    }
    char site[65];
    memset(site, 's', sizeof(site));
    assert_int_equal(optout_registry_has(r, 0, site, 64, h), 0);
    assert_int_equal(optout_registry_has(r, 0, site, 65, h), 0);
    memset(h, 0, sizeof(h));
    assert_int_equal(optout_registry_has(r, 3, "blog", 4, h), 0);
    assert_null(atomic_load(&r->current));
    free_registry(r);
}

static void test_optout_registry__init_without_key(void **state)
{
    (void)state;
    struct optout_registry *r = new_registry(NULL, 2);
    uint8_t h[OPTOUT_HASH_BYTES] = {0};
    assert_int_equal(r->have_key, 0);
    assert_int_equal(r->n_readers, 2);
    assert_int_equal(r->n_pending, 0);
    assert_null(atomic_load(&r->current));
    assert_int_equal(optout_registry_has(r, 1, "blog", 4, h), 0);
    free_registry(r);
}

static void test_optout_registry__init_with_key(void **state)
{
    (void)state;
    struct optout_registry *r = new_registry(key_a, OPTOUT_MAX_READERS);
    assert_int_equal(r->have_key, 1);
    assert_int_equal(r->n_readers, OPTOUT_MAX_READERS);
    assert_memory_equal(r->key, key_a, sizeof(key_a));
    assert_non_null(r->task.run);
    assert_string_equal(r->prefix, "bc");
    /* deinit wipes the key it held */
    optout_registry_deinit(r);
    static const unsigned char zero[32];
    assert_memory_equal(r->key, zero, sizeof(zero));
    free(r);
}

static void test_optout_registry__too_many_readers(void **state)
{
    (void)state;
    struct optout_registry *r = malloc(sizeof(*r));
    assert_non_null(r);
    assert_int_equal(
        optout_registry_init(r, "bc", key_a, OPTOUT_MAX_READERS + 1), -1);
    assert_int_equal(
        optout_registry_init(r, "bc", NULL, OPTOUT_MAX_READERS + 100), -1);
    /* the limit itself is fine */
    assert_int_equal(optout_registry_init(r, "bc", key_a, OPTOUT_MAX_READERS),
                     0);
    optout_registry_deinit(r);
    free(r);
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) {
        return -1;
    }
    randombytes_buf(key_a, sizeof(key_a));
    do {
        randombytes_buf(key_b, sizeof(key_b));
    } while (memcmp(key_a, key_b, sizeof(key_a)) == 0);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optout_registry__hash_is_keyed_blake2b_128),
        cmocka_unit_test(test_optout_registry__hash_known_answer),
        cmocka_unit_test(test_optout_registry__hash_depends_on_key_and_token),
        cmocka_unit_test(test_optout_registry__fresh_registry_has_nothing),
        cmocka_unit_test(test_optout_registry__init_without_key),
        cmocka_unit_test(test_optout_registry__init_with_key),
        cmocka_unit_test(test_optout_registry__too_many_readers),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
