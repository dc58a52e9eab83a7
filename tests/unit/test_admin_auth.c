/*
 * test_admin_auth.c: admin_auth_check (collector/admin_auth.c) against a
 * real Argon2id string made here with crypto_pwhash_str at the minimum
 * cost: right and wrong credentials, the limit on failures per client
 * address and its window, remembered credentials, IPv4 and IPv6 peers,
 * and more failing addresses than the table holds.
 *
 * Whether Argon2 ran is observed by counting calls: this file defines
 * crypto_pwhash_str_verify, which the link resolves for admin_auth.o in
 * place of libsodium's (a definition in the executable comes before one
 * in a shared library); it counts and then verifies with libsodium's own
 * crypto_pwhash_argon2id_str_verify / crypto_pwhash_argon2i_str_verify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <sodium.h>
#include <time.h>

#include "collector/admin_auth.h"
#include "proto/ipaddr.h"
#include "proto/span.h"

/* 2026-12-05 03:25:45 UTC. */
#define T0 ((time_t)1796441145)

#define USER "admin"
#define PASSWORD "correct horse"

static char hash[crypto_pwhash_STRBYTES];  /* of PASSWORD */
static char hash2[crypto_pwhash_STRBYTES]; /* of "another one" */
static char good[128];                     /* Basic USER:PASSWORD */
static char bad[128];                      /* Basic USER:wrong */
static char other[128];                    /* Basic root:PASSWORD */
static char good2[128];                    /* Basic USER:another one */

static const struct ip_addr v4a = {4, {192, 0, 2, 1}};
static const struct ip_addr v4b = {4, {192, 0, 2, 2}};
/* The first 4 bytes of v4a, as an IPv6 address. */
static const struct ip_addr v6a = {16, {192, 0, 2, 1}};
static const struct ip_addr v6b = {
    16, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
/* v6b but the last byte. */
static const struct ip_addr v6c = {
    16, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}};
/* The first 4 bytes of v6b, as an IPv4 address. */
static const struct ip_addr v4_of_v6b = {4, {0x20, 0x01, 0x0d, 0xb8}};

static int verify_calls;

int crypto_pwhash_str_verify(const char str[crypto_pwhash_STRBYTES],
                             const char *const passwd,
                             unsigned long long passwdlen)
{
    verify_calls++;
    if (strncmp(str, crypto_pwhash_argon2id_STRPREFIX,
                strlen(crypto_pwhash_argon2id_STRPREFIX)) == 0) {
        return crypto_pwhash_argon2id_str_verify(str, passwd, passwdlen);
    }
    return crypto_pwhash_argon2i_str_verify(str, passwd, passwdlen);
}

static void header_of(const char *plain, char *out, size_t cap)
{
    size_t len = strlen(plain);

    assert_true(
        6 + sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL) <=
        cap);
    memcpy(out, "Basic ", 6);
    sodium_bin2base64(out + 6, cap - 6, (const unsigned char *)plain, len,
                      sodium_base64_VARIANT_ORIGINAL);
}

static int group_setup(void **state)
{
    (void)state;

    if (sodium_init() < 0) {
        return -1;
    }
    if (crypto_pwhash_str(hash, PASSWORD, strlen(PASSWORD),
                          crypto_pwhash_OPSLIMIT_MIN,
                          crypto_pwhash_MEMLIMIT_MIN) != 0 ||
        crypto_pwhash_str(hash2, "another one", strlen("another one"),
                          crypto_pwhash_OPSLIMIT_MIN,
                          crypto_pwhash_MEMLIMIT_MIN) != 0) {
        return -1;
    }
    if (strncmp(hash, "$argon2id$", 10) != 0) {
        return -1;
    }
    header_of(USER ":" PASSWORD, good, sizeof good);
    header_of(USER ":wrong", bad, sizeof bad);
    header_of("root:" PASSWORD, other, sizeof other);
    header_of(USER ":another one", good2, sizeof good2);
    return 0;
}

static int setup(void **state)
{
    struct admin_auth *a = admin_auth_create();

    if (a == NULL) {
        return -1;
    }
    verify_calls = 0;
    *state = a;
    return 0;
}

static int teardown(void **state)
{
    admin_auth_destroy(*state);
    return 0;
}

/* admin_auth_check of USER and hash; *retry: its retry_after. */
static enum admin_auth_result check_with(struct admin_auth *a, const char *h,
                                         const char *hdr,
                                         const struct ip_addr *peer, time_t now,
                                         int *retry)
{
    struct span s = span_make(hdr, hdr != NULL ? strlen(hdr) : 0);

    *retry = -12345;
    return admin_auth_check(a, h, USER, s, peer, now, retry);
}

static enum admin_auth_result check(struct admin_auth *a, const char *hdr,
                                    const struct ip_addr *peer, time_t now,
                                    int *retry)
{
    return check_with(a, hash, hdr, peer, now, retry);
}

/* MAX_FAILS wrong passwords from peer at now, each DENIED. */
static void fail_max(struct admin_auth *a, const struct ip_addr *peer,
                     time_t now)
{
    int retry;

    for (int i = 0; i < ADMIN_AUTH_MAX_FAILS; i++) {
        assert_int_equal(check(a, bad, peer, now, &retry), ADMIN_AUTH_DENIED);
        assert_int_equal(retry, 0);
    }
}

static void test_admin_auth__right_credentials(void **state)
{
    struct admin_auth *a = *state;
    int retry;

    assert_int_equal(check(a, good, &v4a, T0, &retry), ADMIN_AUTH_OK);
    assert_int_equal(retry, 0);
    assert_int_equal(verify_calls, 1);
    assert_int_equal(check(a, good, &v6b, T0, &retry), ADMIN_AUTH_OK);
    assert_int_equal(retry, 0);
    assert_int_equal(check_with(a, hash2, good2, &v4a, T0, &retry),
                     ADMIN_AUTH_OK);
}

static void test_admin_auth__wrong_credentials(void **state)
{
    struct admin_auth *a = *state;
    struct ip_addr peer = {4, {10, 0, 0, 0}};
    static const char *const wrong[] = {
        NULL,                                 /* bad */
        NULL,                                 /* other */
        "Basic YWRtaW46Y29ycmVjdCBob3JzZQ",   /* admin:correct horse, no pad */
        "Basic QWRtaW46Y29ycmVjdCBob3JzZQ==", /* Admin:correct horse */
        "Basic YWRtaW46Y29ycmVjdCBob3JzZSA=", /* "admin:correct horse " */
        "Basic YWRtaW46Q29ycmVjdCBob3JzZQ==", /* admin:Correct horse */
        "Basic YWRtaW4gOmNvcnJlY3QgaG9yc2U=", /* "admin :correct horse" */
        "Basic YWRtaW5jb3JyZWN0IGhvcnNl",     /* no ':' */
        "Bearer YWRtaW46Y29ycmVjdCBob3JzZQ==",
        "Basic",
        "Basic !",
        "",
    };
    int retry;

    for (size_t i = 0; i < sizeof wrong / sizeof *wrong; i++) {
        const char *h = i == 0 ? bad : i == 1 ? other : wrong[i];

        peer.bytes[3] = (uint8_t)(i + 1); /* never near the limit */
        if (check(a, h, &peer, T0, &retry) != ADMIN_AUTH_DENIED) {
            fail_msg("case %zu \"%s\": not DENIED", i, h);
        }
        assert_int_equal(retry, 0);
    }

    /* The password is checked whatever the user: a wrong user costs an
     * Argon2 verification like a wrong password. */
    verify_calls = 0;
    peer.bytes[3] = 100;
    assert_int_equal(check(a, other, &peer, T0, &retry), ADMIN_AUTH_DENIED);
    assert_int_equal(verify_calls, 1);
    assert_int_equal(check(a, bad, &peer, T0, &retry), ADMIN_AUTH_DENIED);
    assert_int_equal(verify_calls, 2);

    /* Right credentials of another hash. */
    assert_int_equal(check(a, good2, &v4b, T0, &retry), ADMIN_AUTH_DENIED);
    assert_int_equal(check_with(a, hash2, good, &v4b, T0, &retry),
                     ADMIN_AUTH_DENIED);
}

/* No Authorization header (p NULL): the browser's first request. DENIED,
 * not verified, and not a failure of the address. */
static void test_admin_auth__no_header(void **state)
{
    struct admin_auth *a = *state;
    int retry;

    for (int i = 0; i < 3 * ADMIN_AUTH_MAX_FAILS; i++) {
        assert_int_equal(check(a, NULL, &v4a, T0, &retry), ADMIN_AUTH_DENIED);
        assert_int_equal(retry, 0);
    }
    assert_int_equal(verify_calls, 0);

    for (int i = 0; i < ADMIN_AUTH_MAX_FAILS - 1; i++) {
        assert_int_equal(check(a, bad, &v4a, T0, &retry), ADMIN_AUTH_DENIED);
    }
    for (int i = 0; i < 3 * ADMIN_AUTH_MAX_FAILS; i++) {
        assert_int_equal(check(a, NULL, &v4a, T0 + 1, &retry),
                         ADMIN_AUTH_DENIED);
        assert_int_equal(retry, 0);
    }
    assert_int_equal(verify_calls, ADMIN_AUTH_MAX_FAILS - 1);
    /* Four failures and many requests without a header: not limited. */
    assert_int_equal(check(a, good, &v4a, T0 + 2, &retry), ADMIN_AUTH_OK);
    assert_int_equal(retry, 0);
}

static void test_admin_auth__limited_after_max_fails(void **state)
{
    struct admin_auth *a = *state;
    int retry;

    fail_max(a, &v4a, T0);
    int calls = verify_calls;

    /* The next attempt, right or wrong, is refused before any check. */
    assert_int_equal(check(a, good, &v4a, T0, &retry), ADMIN_AUTH_LIMITED);
    assert_true(retry > 0 && retry <= ADMIN_AUTH_WINDOW_S);
    assert_int_equal(retry, ADMIN_AUTH_WINDOW_S);
    assert_int_equal(check(a, bad, &v4a, T0 + 1, &retry), ADMIN_AUTH_LIMITED);
    assert_int_equal(retry, ADMIN_AUTH_WINDOW_S - 1);
    assert_int_equal(check(a, NULL, &v4a, T0 + 30, &retry), ADMIN_AUTH_LIMITED);
    assert_int_equal(retry, ADMIN_AUTH_WINDOW_S - 30);
    assert_int_equal(check(a, good, &v4a, T0 + ADMIN_AUTH_WINDOW_S - 1, &retry),
                     ADMIN_AUTH_LIMITED);
    assert_int_equal(retry, 1);
    assert_int_equal(verify_calls, calls);

    /* Another address is not limited. */
    assert_int_equal(check(a, good, &v4b, T0 + 1, &retry), ADMIN_AUTH_OK);
    assert_int_equal(retry, 0);
    assert_int_equal(check(a, bad, &v4b, T0 + 1, &retry), ADMIN_AUTH_DENIED);
    assert_int_equal(retry, 0);

    /* Once the window is over, the address may try again. */
    assert_int_equal(check(a, good, &v4a, T0 + ADMIN_AUTH_WINDOW_S, &retry),
                     ADMIN_AUTH_OK);
    assert_int_equal(retry, 0);
}

/* The window starts at the first failure, not the last. */
static void test_admin_auth__window_from_first_failure(void **state)
{
    struct admin_auth *a = *state;
    int retry;

    for (int i = 0; i < ADMIN_AUTH_MAX_FAILS; i++) {
        assert_int_equal(check(a, bad, &v4a, T0 + 10 * i, &retry),
                         ADMIN_AUTH_DENIED);
    }
    assert_int_equal(
        check(a, good, &v4a, T0 + 10 * ADMIN_AUTH_MAX_FAILS, &retry),
        ADMIN_AUTH_LIMITED);
    assert_int_equal(retry, ADMIN_AUTH_WINDOW_S - 10 * ADMIN_AUTH_MAX_FAILS);
    /* After it, a wrong password is DENIED again and starts a new count. */
    time_t t1 = T0 + ADMIN_AUTH_WINDOW_S;
    fail_max(a, &v4a, t1);
    assert_int_equal(check(a, good, &v4a, t1 + 5, &retry), ADMIN_AUTH_LIMITED);
    assert_int_equal(retry, ADMIN_AUTH_WINDOW_S - 5);
}

/* Failures older than the window do not add up with new ones. */
static void test_admin_auth__old_failures_expire(void **state)
{
    struct admin_auth *a = *state;
    int retry;
    time_t t1 = T0 + ADMIN_AUTH_WINDOW_S;

    for (int i = 0; i < ADMIN_AUTH_MAX_FAILS - 1; i++) {
        assert_int_equal(check(a, bad, &v4a, T0, &retry), ADMIN_AUTH_DENIED);
    }
    /* A new window: one failure in it, then three more. */
    assert_int_equal(check(a, bad, &v4a, t1, &retry), ADMIN_AUTH_DENIED);
    for (int i = 0; i < ADMIN_AUTH_MAX_FAILS - 2; i++) {
        assert_int_equal(check(a, bad, &v4a, t1 + 1, &retry),
                         ADMIN_AUTH_DENIED);
    }
    assert_int_equal(check(a, good, &v4a, t1 + 2, &retry), ADMIN_AUTH_OK);
    /* The fifth of this window. */
    assert_int_equal(check(a, bad, &v4a, t1 + 3, &retry), ADMIN_AUTH_DENIED);
    assert_int_equal(check(a, good, &v4a, t1 + 3, &retry), ADMIN_AUTH_LIMITED);
    assert_int_equal(retry, ADMIN_AUTH_WINDOW_S - 3);
}

static void test_admin_auth__remembers_credentials(void **state)
{
    struct admin_auth *a = *state;
    int retry;

    assert_int_equal(check(a, good, &v4a, T0, &retry), ADMIN_AUTH_OK);
    assert_int_equal(verify_calls, 1);

    /* The same header again: OK without Argon2, from any address. */
    assert_int_equal(check(a, good, &v4a, T0 + 1, &retry), ADMIN_AUTH_OK);
    assert_int_equal(check(a, good, &v6b, T0 + 2, &retry), ADMIN_AUTH_OK);
    assert_int_equal(
        check(a, good, &v4a, T0 + ADMIN_AUTH_REMEMBER_S - 1, &retry),
        ADMIN_AUTH_OK);
    assert_int_equal(retry, 0);
    assert_int_equal(verify_calls, 1);

    /* From ADMIN_AUTH_REMEMBER_S on: verified again, still OK, and
     * remembered anew. */
    assert_int_equal(
        check(a, good, &v4a, T0 + ADMIN_AUTH_REMEMBER_S + 1, &retry),
        ADMIN_AUTH_OK);
    assert_int_equal(retry, 0);
    assert_int_equal(verify_calls, 2);
    time_t t1 = T0 + ADMIN_AUTH_REMEMBER_S + 2;
    assert_int_equal(check(a, good, &v4a, t1, &retry), ADMIN_AUTH_OK);
    assert_int_equal(verify_calls, 2);

    /* What is remembered is this header for this user and this hash. */
    assert_int_equal(admin_auth_check(a, hash, "root",
                                      span_make(good, strlen(good)), &v4b, t1,
                                      &retry),
                     ADMIN_AUTH_DENIED);
    assert_int_equal(verify_calls, 3);
    assert_int_equal(check_with(a, hash2, good, &v4b, t1, &retry),
                     ADMIN_AUTH_DENIED);
    assert_int_equal(verify_calls, 4);
    /* The same credentials spelled otherwise are verified. */
    char lower[128];
    memcpy(lower, good, strlen(good) + 1);
    lower[0] = 'b';
    assert_int_equal(check(a, lower, &v4b, t1, &retry), ADMIN_AUTH_OK);
    assert_int_equal(verify_calls, 5);
    assert_int_equal(check(a, lower, &v4b, t1 + 1, &retry), ADMIN_AUTH_OK);
    assert_int_equal(verify_calls, 5);

    /* Wrong credentials are never remembered. */
    assert_int_equal(check(a, bad, &v6c, t1, &retry), ADMIN_AUTH_DENIED);
    assert_int_equal(check(a, bad, &v6c, t1, &retry), ADMIN_AUTH_DENIED);
    assert_int_equal(verify_calls, 7);
}

/* Remembered for ADMIN_AUTH_REMEMBER_S seconds: from t to t + S - 1, as
 * the failure window is from t to t + WINDOW - 1. */
static void test_admin_auth__remember_ends(void **state)
{
    struct admin_auth *a = *state;
    int retry;

    assert_int_equal(check(a, good, &v4a, T0, &retry), ADMIN_AUTH_OK);
    assert_int_equal(
        check(a, good, &v4a, T0 + ADMIN_AUTH_REMEMBER_S - 1, &retry),
        ADMIN_AUTH_OK);
    assert_int_equal(verify_calls, 1);
    assert_int_equal(check(a, good, &v4a, T0 + ADMIN_AUTH_REMEMBER_S, &retry),
                     ADMIN_AUTH_OK);
    assert_int_equal(verify_calls, 2);
    time_t last = T0 + 2 * ADMIN_AUTH_REMEMBER_S - 1;
    assert_int_equal(check(a, good, &v4a, last, &retry), ADMIN_AUTH_OK);
    assert_int_equal(verify_calls, 2);
    /* Once the password's hash changed, the same header is DENIED. */
    assert_int_equal(check_with(a, hash2, good, &v4a, last, &retry),
                     ADMIN_AUTH_DENIED);
    assert_int_equal(verify_calls, 3);
}

/* A limited address stays limited even with credentials just remembered:
 * nothing is checked before the limit. */
static void test_admin_auth__limit_before_remembered(void **state)
{
    struct admin_auth *a = *state;
    int retry;

    assert_int_equal(check(a, good, &v4b, T0, &retry), ADMIN_AUTH_OK);
    fail_max(a, &v4a, T0);
    assert_int_equal(check(a, good, &v4a, T0 + 1, &retry), ADMIN_AUTH_LIMITED);
    assert_int_equal(check(a, good, &v4b, T0 + 1, &retry), ADMIN_AUTH_OK);
}

static void test_admin_auth__ipv4_and_ipv6_apart(void **state)
{
    struct admin_auth *a = *state;
    int retry;

    fail_max(a, &v4a, T0);
    assert_int_equal(check(a, good, &v4a, T0, &retry), ADMIN_AUTH_LIMITED);
    /* Same first bytes, but IPv6. */
    assert_int_equal(check(a, bad, &v6a, T0, &retry), ADMIN_AUTH_DENIED);
    assert_int_equal(check(a, good, &v6a, T0, &retry), ADMIN_AUTH_OK);

    fail_max(a, &v6b, T0);
    assert_int_equal(check(a, good, &v6b, T0, &retry), ADMIN_AUTH_LIMITED);
    /* Another IPv6 address of the same /64 is the same client. */
    assert_int_equal(check(a, good, &v6c, T0, &retry), ADMIN_AUTH_LIMITED);
    /* One of another /64 is not. */
    struct ip_addr other64 = v6b;
    other64.bytes[7] ^= 1;
    assert_int_equal(check(a, good, &other64, T0, &retry), ADMIN_AUTH_OK);
    /* The IPv4 address of v6b's first 4 bytes. */
    assert_int_equal(check(a, bad, &v4_of_v6b, T0, &retry), ADMIN_AUTH_DENIED);
    assert_int_equal(check(a, good, &v4_of_v6b, T0, &retry), ADMIN_AUTH_OK);
    /* v4a and v6b are still limited. */
    assert_int_equal(check(a, good, &v4a, T0 + 1, &retry), ADMIN_AUTH_LIMITED);
    assert_int_equal(check(a, good, &v6b, T0 + 1, &retry), ADMIN_AUTH_LIMITED);
}

/* Requests that do not fail take no place in the table: with every
 * place held by a recent failure, a flood of new addresses without
 * credentials, or with the right ones, does not free a limited client. */
static void test_admin_auth__no_eviction_by_successes(void **state)
{
    struct admin_auth *a = *state;
    struct ip_addr peer = {4, {10, 1, 0, 0}};
    int retry;

    fail_max(a, &v4a, T0);
    for (int i = 0; i < 255; i++) { /* the other places, one failure each */
        peer.bytes[2] = (uint8_t)(i >> 8);
        peer.bytes[3] = (uint8_t)i;
        assert_int_equal(check(a, bad, &peer, T0 + 1, &retry),
                         ADMIN_AUTH_DENIED);
    }
    for (int i = 0; i < 600; i++) {
        peer.bytes[1] = 2;
        peer.bytes[2] = (uint8_t)(i >> 8);
        peer.bytes[3] = (uint8_t)i;
        assert_int_equal(check(a, NULL, &peer, T0 + 2, &retry),
                         ADMIN_AUTH_DENIED);
        if (i % 100 == 0) {
            assert_int_equal(check(a, good, &peer, T0 + 2, &retry),
                             ADMIN_AUTH_OK);
        }
    }
    assert_int_equal(check(a, good, &v4a, T0 + 3, &retry), ADMIN_AUTH_LIMITED);
}

/* More failing addresses than the table's 256: no crash, and the newest
 * is tracked. */
static void test_admin_auth__many_addresses(void **state)
{
    struct admin_auth *a = *state;
    struct ip_addr peer = {4, {10, 0, 0, 0}};
    int retry;
    const int n = 300;

    /* One failure each, at increasing times within one window. */
    for (int i = 0; i < n; i++) {
        peer.bytes[2] = (uint8_t)(i >> 8);
        peer.bytes[3] = (uint8_t)i;
        assert_int_equal(check(a, bad, &peer, T0 + i / 8, &retry),
                         ADMIN_AUTH_DENIED);
    }
    time_t t = T0 + n / 8;
    /* The newest: four more, then limited. */
    for (int i = 0; i < ADMIN_AUTH_MAX_FAILS - 1; i++) {
        assert_int_equal(check(a, bad, &peer, t, &retry), ADMIN_AUTH_DENIED);
    }
    assert_int_equal(check(a, good, &peer, t, &retry), ADMIN_AUTH_LIMITED);
    assert_true(retry > 0 && retry <= ADMIN_AUTH_WINDOW_S);

    /* IPv6: each /64 fails until limited, all at the same time. */
    struct ip_addr p6 = v6b;
    for (int i = 0; i < n; i++) {
        p6.bytes[6] = (uint8_t)(i >> 8);
        p6.bytes[7] = (uint8_t)i;
        fail_max(a, &p6, t);
        assert_int_equal(check(a, good, &p6, t, &retry), ADMIN_AUTH_LIMITED);
        assert_int_equal(retry, ADMIN_AUTH_WINDOW_S);
    }
    /* The newest is still limited. */
    assert_int_equal(check(a, good, &p6, t + 1, &retry), ADMIN_AUTH_LIMITED);
    assert_int_equal(retry, ADMIN_AUTH_WINDOW_S - 1);

    /* Once every window is over, a new address gets in. */
    t += ADMIN_AUTH_WINDOW_S;
    assert_int_equal(check(a, good, &v4b, t, &retry), ADMIN_AUTH_OK);
    assert_int_equal(check(a, good, &p6, t, &retry), ADMIN_AUTH_OK);
}

static void test_admin_auth__destroy_null(void **state)
{
    (void)state;

    admin_auth_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_admin_auth__right_credentials,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_auth__wrong_credentials,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_auth__no_header, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_admin_auth__limited_after_max_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_admin_auth__window_from_first_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_auth__old_failures_expire,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_auth__remembers_credentials,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_auth__remember_ends, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_admin_auth__limit_before_remembered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_auth__ipv4_and_ipv6_apart,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_auth__many_addresses, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_admin_auth__no_eviction_by_successes, setup, teardown),
        cmocka_unit_test(test_admin_auth__destroy_null),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
