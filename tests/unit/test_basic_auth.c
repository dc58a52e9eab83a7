/*
 * test_basic_auth.c: basic_auth_parse (proto/basic_auth.c), the value of an
 * HTTP Basic Authorization header (RFC 7617): the scheme, the base64 token,
 * the split at the first ':', and what is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <sodium.h>

#include "proto/basic_auth.h"

/* "Basic " + base64 of plain[0..len), in out. */
static const char *header_of(const char *plain, size_t len, char *out,
                             size_t cap)
{
    size_t b64 = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);

    assert_true(6 + b64 <= cap);
    memcpy(out, "Basic ", 6);
    sodium_bin2base64(out + 6, cap - 6, (const unsigned char *)plain, len,
                      sodium_base64_VARIANT_ORIGINAL);
    return out;
}

static int parse(const char *header, struct basic_auth *out)
{
    return basic_auth_parse(span_make(header, strlen(header)), out);
}

struct accept_case {
    const char *header;
    const char *user, *password;
};

static const struct accept_case accept_cases[] = {
    /* RFC 7617, section 2. */
    {"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame"},
    /* RFC 7617, section 2.1: UTF-8 "test:123" + U+00A3. */
    {"Basic dGVzdDoxMjPCow==", "test", "123\xc2\xa3"},
    /* The scheme in any case. */
    {"basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame"},
    {"BASIC QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame"},
    {"bAsIc QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame"},
    /* Spaces around the token. */
    {"Basic    QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Aladdin", "open sesame"},
    {"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==   ", "Aladdin", "open sesame"},
    {"Basic  QWxhZGRpbjpvcGVuIHNlc2FtZQ== ", "Aladdin", "open sesame"},
    /* "admin:pa:ss:word": the first ':' splits. */
    {"Basic YWRtaW46cGE6c3M6d29yZA==", "admin", "pa:ss:word"},
    /* ":" , ":pw", "user:" */
    {"Basic Og==", "", ""},
    {"Basic OnB3", "", "pw"},
    {"Basic dXNlcjo=", "user", ""},
};

static void test_basic_auth__accepts_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof accept_cases / sizeof *accept_cases; i++) {
        const struct accept_case *c = &accept_cases[i];
        struct basic_auth out;

        memset(&out, 'X', sizeof out);
        if (parse(c->header, &out) != 0) {
            fail_msg("case %zu \"%s\": refused", i, c->header);
        }
        if (strcmp(out.user, c->user) != 0 ||
            strcmp(out.password, c->password) != 0) {
            fail_msg("case %zu \"%s\": got \"%s\" / \"%s\"", i, c->header,
                     out.user, out.password);
        }
    }
}

struct split_case {
    const char *plain;
    const char *user, *password;
};

static const struct split_case split_cases[] = {
    {"a:b", "a", "b"},
    {"a:b:c", "a", "b:c"},
    {"u:::", "u", "::"},
    {"::", "", ":"},
    {":", "", ""},
    {":secret", "", "secret"},
    {"admin:", "admin", ""},
    {"a b:c d", "a b", "c d"},
    {" : ", " ", " "},
    {"caf\xc3\xa9:\xe2\x82\xac\xff", "caf\xc3\xa9", "\xe2\x82\xac\xff"},
    {"~!@#$%^&*()_+{}|\"<>?:`-=[]\\;',./", "~!@#$%^&*()_+{}|\"<>?",
     "`-=[]\\;',./"},
};

/* Credentials encoded here, split at the first ':'. */
static void test_basic_auth__splits_at_first_colon(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof split_cases / sizeof *split_cases; i++) {
        const struct split_case *c = &split_cases[i];
        struct basic_auth out;
        char h[128];

        header_of(c->plain, strlen(c->plain), h, sizeof h);
        if (parse(h, &out) != 0) {
            fail_msg("case %zu \"%s\": refused", i, c->plain);
        }
        if (strcmp(out.user, c->user) != 0 ||
            strcmp(out.password, c->password) != 0) {
            fail_msg("case %zu \"%s\": got \"%s\" / \"%s\"", i, c->plain,
                     out.user, out.password);
        }
    }
}

static const char *const reject_cases[] = {
    "",
    "B",
    "Basic",
    "Basic ",
    "Basic     ",
    "Bearer x",
    "Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    "Digest QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    "Basi QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    "Basics QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    "BasicQWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    "Basic\tQWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    "Basic=QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    " Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    "QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    /* Not base64. */
    "Basic !!!!",
    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=",
    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ===",
    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==x",
    "Basic QWxhZGRpbjpv cGVuIHNlc2FtZQ==",
    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\t",
    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==,",
    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ== QQ==",
    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ",
    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZR==",
    "Basic Q",
    "Basic ====",
    "Basic dXNlcjpwdw--",
    "Basic dXNlcjpw_w==",
    /* base64 of "Aladdin", "" has no ':'. */
    "Basic QWxhZGRpbg==",
    /* Control bytes: "a\x01:b", "a:b\x7f", "a:\tb", "\n:b\n", "a:b\r\n". */
    "Basic YQE6Yg==",
    "Basic YTpifw==",
    "Basic YToJYg==",
    "Basic CjpiCg==",
    "Basic YTpiDQo=",
};

static void test_basic_auth__rejects_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof reject_cases / sizeof *reject_cases; i++) {
        struct basic_auth out;

        if (parse(reject_cases[i], &out) != -1) {
            fail_msg("case %zu \"%s\": accepted as \"%s\" / \"%s\"", i,
                     reject_cases[i], out.user, out.password);
        }
    }
}

/* A control byte anywhere in the user or the password: 0x00-0x1f, 0x7f. */
static void test_basic_auth__rejects_control_bytes(void **state)
{
    static const unsigned char ctl[] = {0x00, 0x01, 0x09, 0x0a,
                                        0x0d, 0x1b, 0x1f, 0x7f};
    (void)state;

    for (size_t i = 0; i < sizeof ctl; i++) {
        /* user: "ab?d" with ? at 0..3; password "pq?s" likewise. */
        for (size_t at = 0; at < 4; at++) {
            char plain[] = "abcd:pqrs";
            struct basic_auth out;
            char h[64];

            plain[at] = (char)ctl[i];
            header_of(plain, 9, h, sizeof h);
            if (parse(h, &out) != -1) {
                fail_msg("user with 0x%02x at %zu: accepted", ctl[i], at);
            }
            memcpy(plain, "abcd:pqrs", 9);
            plain[5 + at] = (char)ctl[i];
            header_of(plain, 9, h, sizeof h);
            if (parse(h, &out) != -1) {
                fail_msg("password with 0x%02x at %zu: accepted", ctl[i], at);
            }
        }
    }
    /* The bytes around the control range are fine. */
    {
        const char plain[] = " ~:\x80\xfe";
        struct basic_auth out;
        char h[64];

        header_of(plain, sizeof plain - 1, h, sizeof h);
        assert_int_equal(parse(h, &out), 0);
        assert_string_equal(out.user, " ~");
        assert_string_equal(out.password, "\x80\xfe");
    }
}

/* Builds "user:password" of the given lengths ('u' and 'p' bytes) and
 * parses it. */
static int parse_lengths(size_t ulen, size_t plen, struct basic_auth *out)
{
    char plain[2 * BASIC_AUTH_MAX + 8];
    char h[6 + sodium_base64_ENCODED_LEN(sizeof plain,
                                         sodium_base64_VARIANT_ORIGINAL)];

    assert_true(ulen + 1 + plen <= sizeof plain);
    memset(plain, 'u', ulen);
    plain[ulen] = ':';
    memset(plain + ulen + 1, 'p', plen);
    header_of(plain, ulen + 1 + plen, h, sizeof h);
    return parse(h, out);
}

static void test_basic_auth__lengths(void **state)
{
    struct basic_auth out;
    (void)state;

    assert_int_equal(parse_lengths(BASIC_AUTH_MAX, BASIC_AUTH_MAX, &out), 0);
    assert_int_equal(strlen(out.user), BASIC_AUTH_MAX);
    assert_int_equal(strlen(out.password), BASIC_AUTH_MAX);
    assert_int_equal(strspn(out.user, "u"), BASIC_AUTH_MAX);
    assert_int_equal(strspn(out.password, "p"), BASIC_AUTH_MAX);
    assert_int_equal(parse_lengths(BASIC_AUTH_MAX, 0, &out), 0);
    assert_int_equal(strlen(out.user), BASIC_AUTH_MAX);
    assert_string_equal(out.password, "");
    assert_int_equal(parse_lengths(0, BASIC_AUTH_MAX, &out), 0);
    assert_string_equal(out.user, "");
    assert_int_equal(strlen(out.password), BASIC_AUTH_MAX);

    assert_int_equal(parse_lengths(BASIC_AUTH_MAX + 1, 1, &out), -1);
    assert_int_equal(parse_lengths(BASIC_AUTH_MAX + 1, 0, &out), -1);
    assert_int_equal(parse_lengths(1, BASIC_AUTH_MAX + 1, &out), -1);
    assert_int_equal(parse_lengths(0, BASIC_AUTH_MAX + 1, &out), -1);
    assert_int_equal(parse_lengths(BASIC_AUTH_MAX, BASIC_AUTH_MAX + 1, &out),
                     -1);
    assert_int_equal(parse_lengths(BASIC_AUTH_MAX + 1, BASIC_AUTH_MAX, &out),
                     -1);
    assert_int_equal(
        parse_lengths(BASIC_AUTH_MAX + 1, BASIC_AUTH_MAX + 1, &out), -1);
    assert_int_equal(parse_lengths(2 * BASIC_AUTH_MAX + 5, 0, &out), -1);
}

static void test_basic_auth__rejects_null(void **state)
{
    struct basic_auth out;
    (void)state;

    assert_int_equal(basic_auth_parse(span_make(NULL, 0), &out), -1);
    assert_int_equal(basic_auth_parse(span_make(NULL, 34), &out), -1);
}

/* Only value.p[0..len) is read. */
static void test_basic_auth__reads_len(void **state)
{
    const char h[] = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==QWxh";
    struct basic_auth out;
    (void)state;

    assert_int_equal(basic_auth_parse(span_make(h, 34), &out), 0);
    assert_string_equal(out.user, "Aladdin");
    assert_string_equal(out.password, "open sesame");
    assert_int_equal(basic_auth_parse(span_make(h, 33), &out), -1);
    assert_int_equal(basic_auth_parse(span_make(h, sizeof h - 1), &out), -1);
    assert_int_equal(basic_auth_parse(span_make(h, 5), &out), -1);
    assert_int_equal(basic_auth_parse(span_make(h, 6), &out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_auth__accepts_table),
        cmocka_unit_test(test_basic_auth__splits_at_first_colon),
        cmocka_unit_test(test_basic_auth__rejects_table),
        cmocka_unit_test(test_basic_auth__rejects_control_bytes),
        cmocka_unit_test(test_basic_auth__lengths),
        cmocka_unit_test(test_basic_auth__rejects_null),
        cmocka_unit_test(test_basic_auth__reads_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
