/*
 * fuzz_basic_auth.c: basic_auth_parse (proto/basic_auth.c) on arbitrary
 * bytes as the value of an Authorization header.
 *
 * Invariants: no crash or sanitizer report; on success the value starts
 * with "Basic " in any case, user and password are NUL-terminated within
 * their arrays, at most BASIC_AUTH_MAX bytes, hold no control byte (0x00-
 * 0x1f, 0x7f), and the user holds no ':' (the split is at the first one);
 * "Basic " + base64(user ":" password) parses back to the same two, in any
 * case of the scheme and with spaces around the token; a value with one
 * byte less of the token never parses to the same credentials unless the
 * byte cut was a space.
 */
// clang-format off
// FUZZ_SOURCES: proto/basic_auth.c
// FUZZ_SEED: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==
// FUZZ_SEED: basic dGVzdDoxMjPCow==
// FUZZ_SEED: BASIC    YWRtaW46cGE6c3M6d29yZA==\040\040
// FUZZ_SEED: Basic Og==
// FUZZ_SEED: Basic YQE6Yg==
// FUZZ_SEED: Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ==
// FUZZ_SEED: Basic QWxhZGRpbg==
// clang-format on
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/basic_auth.h"
#include "tests/fuzz/fuzz_check.h"

/* A NUL-terminated field of at most BASIC_AUTH_MAX bytes without control
 * bytes; returns its length. */
static size_t check_field(const char *s)
{
    const char *nul = memchr(s, '\0', BASIC_AUTH_MAX + 1);

    CHECK(nul != NULL);
    size_t n = (size_t)(nul - s);
    CHECK(n <= BASIC_AUTH_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        CHECK(c >= 0x20 && c != 0x7f);
    }
    return n;
}

/* Parses scheme + pad + base64(user:password) + pad and checks the result
 * equals *want. */
static void check_round_trip(const struct basic_auth *want, size_t ulen,
                             size_t plen, const char *scheme, size_t lead,
                             size_t trail)
{
    static char plain[2 * BASIC_AUTH_MAX + 1];
    static char hdr[16 + 8 + 8 +
                    sodium_base64_ENCODED_LEN(sizeof plain,
                                              sodium_base64_VARIANT_ORIGINAL)];
    struct basic_auth got;
    size_t n = 0, slen = strlen(scheme);

    memcpy(plain, want->user, ulen);
    plain[ulen] = ':';
    memcpy(plain + ulen + 1, want->password, plen);

    memcpy(hdr, scheme, slen);
    n = slen;
    memset(hdr + n, ' ', lead);
    n += lead;
    sodium_bin2base64(hdr + n, sizeof hdr - n, (const unsigned char *)plain,
                      ulen + 1 + plen, sodium_base64_VARIANT_ORIGINAL);
    n += strlen(hdr + n);
    memset(hdr + n, ' ', trail);
    n += trail;

    memset(&got, 0x55, sizeof got);
    CHECK(basic_auth_parse((struct span){hdr, n}, &got) == 0);
    CHECK(strcmp(got.user, want->user) == 0);
    CHECK(strcmp(got.password, want->password) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct basic_auth out;
    const char *v = (const char *)data;

    memset(&out, 0x55, sizeof out);
    if (basic_auth_parse((struct span){v, size}, &out) != 0) {
        return 0;
    }
    CHECK(size > 6 && strncasecmp(v, "basic ", 6) == 0);
    size_t ulen = check_field(out.user);
    size_t plen = check_field(out.password);
    CHECK(memchr(out.user, ':', ulen) == NULL);

    /* The token decodes to at least user ':' password: 4 base64 chars for
     * every 3 bytes. */
    CHECK(size - 6 >= (ulen + 1 + plen + 2) / 3 * 4);

    check_round_trip(&out, ulen, plen, "Basic ", 0, 0);
    check_round_trip(&out, ulen, plen, "bASIC ", 3, 2);

    /* The same bytes, the last one cut: the same credentials only when
     * that byte was a trailing space. */
    struct basic_auth cut;
    memset(&cut, 0x55, sizeof cut);
    if (basic_auth_parse((struct span){v, size - 1}, &cut) == 0 &&
        strcmp(cut.user, out.user) == 0 &&
        strcmp(cut.password, out.password) == 0) {
        CHECK(v[size - 1] == ' ');
    }
    return 0;
}
