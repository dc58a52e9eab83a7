/*
 * fuzz_clicklink.c: clicklink_verify, clicklink_valid_to, the id checks,
 * clicklink_message and clicklink_recipient_from_email with arbitrary
 * input.
 *
 * Input layout: byte 0 picks a split point; the rest is cut there into a
 * candidate signature and a message, and is also given whole to the
 * validators. Each call gets a copy in a buffer of the exact size so that
 * ASan sees any read past len.
 *
 * Invariants: verify never crashes and answers 0 or 1; it answers 1 only
 * for a 43-byte signature that equals what sign gives; sign then verify
 * is always 1; valid_to never accepts a byte below 0x21 or 0x7f, nor more
 * than CLICKLINK_TO_MAX bytes, and what it accepts starts with "http";
 * the token is 22 URL-safe characters and ignores ASCII case.
 */
// clang-format off
// FUZZ_SOURCES: proto/*.c
// FUZZ_SEED: \0053JBvQ6JZ0A_zSsq1FQ2TbkA_y5oFwS7fL82I7keKDW80v1\nblog\nc\nl\nhttps://a.example/\n
// FUZZ_SEED: \000http://[::1]:8080/x?y=1#z
// FUZZ_SEED: \007HTTP://A.EXAMPLE/%0d%0a
// FUZZ_SEED: \001Alice@Example.COM
// clang-format on
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/clicklink.h"
#include "tests/fuzz/fuzz_check.h"

static const unsigned char fuzz_key[32] = "0123456789abcdef0123456789abcdef";

static int is_url_safe(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

static void check_verify(const char *sig, size_t siglen, const char *msg,
                         size_t len)
{
    char want[CLICKLINK_SIG_LEN + 1];
    char *own = malloc(siglen > 0 ? siglen : 1);
    int r;

    CHECK(own != NULL);
    memcpy(own, sig, siglen);
    r = clicklink_verify(own, siglen, fuzz_key, sizeof fuzz_key, msg, len);
    CHECK(r == 0 || r == 1);
    clicklink_sign(want, fuzz_key, sizeof fuzz_key, msg, len);
    if (r == 1) {
        CHECK(siglen == CLICKLINK_SIG_LEN);
        CHECK(memcmp(own, want, CLICKLINK_SIG_LEN) == 0);
    }
    CHECK(strlen(want) == CLICKLINK_SIG_LEN);
    for (size_t i = 0; i < CLICKLINK_SIG_LEN; i++) {
        CHECK(is_url_safe((unsigned char)want[i]));
    }
    CHECK(clicklink_verify(want, CLICKLINK_SIG_LEN, fuzz_key, sizeof fuzz_key,
                           msg, len) == 1);
    free(own);
}

static void check_valid_to(const char *s, size_t size)
{
    char *own = malloc(size > 0 ? size : 1);

    CHECK(own != NULL);
    memcpy(own, s, size);
    if (clicklink_valid_to(own, size)) {
        CHECK(size >= 8 && size <= CLICKLINK_TO_MAX);
        CHECK((own[0] | 0x20) == 'h');
        for (size_t i = 0; i < size; i++) {
            unsigned char c = (unsigned char)own[i];

            CHECK(c >= 0x21 && c != 0x7f);
        }
        CHECK(memchr(own, ':', size) != NULL);
    }
    if (clicklink_valid_id(own, size)) {
        CHECK(size >= 1 && size <= 64);
    }
    if (clicklink_valid_recipient(own, size)) {
        CHECK(size >= 8 && size <= 128);
        for (size_t i = 0; i < size; i++) {
            CHECK(is_url_safe((unsigned char)own[i]));
        }
    }
    free(own);
}

static void check_message_and_token(const char *s, size_t size)
{
    char buf[256], tok[CLICKLINK_TOKEN_LEN + 1], tok2[CLICKLINK_TOKEN_LEN + 1];
    char lower[512];
    size_t q = size / 5;
    int n;

    n = clicklink_message(buf, sizeof buf, span_make(s, q), span_make(s + q, q),
                          span_make(s + 2 * q, q), span_make(s + 3 * q, q),
                          span_make(s + 4 * q, size - 4 * q));
    if (size + 8 <= sizeof buf) {
        CHECK(n == (int)size + 7);
        CHECK(memcmp(buf, "v1\n", 3) == 0 && buf[n] == '\0');
    } else {
        CHECK(n == -1);
    }

    clicklink_recipient_from_email(tok, fuzz_key, s, size);
    CHECK(strlen(tok) == CLICKLINK_TOKEN_LEN);
    for (size_t i = 0; i < CLICKLINK_TOKEN_LEN; i++) {
        CHECK(is_url_safe((unsigned char)tok[i]));
    }
    if (size <= sizeof lower) {
        for (size_t i = 0; i < size; i++) {
            char c = s[i];

            lower[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        clicklink_recipient_from_email(tok2, fuzz_key, lower, size);
        CHECK(memcmp(tok, tok2, sizeof tok) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data + 1;
    size_t n, cut;

    if (size == 0) {
        return 0;
    }
    if (sodium_init() < 0) {
        abort();
    }
    n = size - 1;
    cut = data[0] < n ? data[0] : n;
    check_verify(s, cut, s + cut, n - cut);
    check_valid_to(s, n);
    check_message_and_token(s, n);
    return 0;
}
