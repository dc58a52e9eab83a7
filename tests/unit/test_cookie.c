/*
 * test_cookie.c: cookie_find (proto/cookie.c) against tables of Cookie
 * header values that must and must not yield the wanted cookie. Every
 * input is copied into a heap block of exactly its length (no NUL after
 * it), so reading one byte past len is an ASan error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/cookie.h"

#define NAME "beacon_optout"

/* A copy of s[0..len) in a block of exactly len bytes (1 when len is 0, so
 * that malloc never answers NULL; the byte is not part of the input). */
static char *exact_copy(const char *s, size_t len)
{
    char *p = malloc(len > 0 ? len : 1);
    assert_non_null(p);
    if (len > 0) {
        memcpy(p, s, len);
    }
    return p;
}

/* cookie_find over an exactly-sized copy of in[0..len); when found, the
 * value must lie inside the input and equal want. */
static void expect_found_bytes(const char *in, size_t len, const char *name,
                               const char *want, size_t want_len)
{
    char *buf = exact_copy(in, len);
    struct span v = {NULL, 12345};
    int rc = cookie_find(buf, len, name, &v);
    if (rc != 1) {
        print_error("input \"%.*s\": want %s=\"%s\", not found\n", (int)len, in,
                    name, want);
    }
    assert_int_equal(rc, 1);
    assert_non_null(v.p);
    assert_true(v.p >= buf && v.p + v.len <= buf + len);
    if (v.len != want_len || memcmp(v.p, want, v.len) != 0) {
        print_error("input \"%.*s\": want \"%.*s\", got \"%.*s\"\n", (int)len,
                    in, (int)want_len, want, (int)v.len, v.p);
    }
    assert_int_equal(v.len, want_len);
    assert_memory_equal(v.p, want, v.len);
    free(buf);
}

static void expect_found_len(const char *in, size_t len, const char *name,
                             const char *want)
{
    expect_found_bytes(in, len, name, want, strlen(want));
}

static void expect_found(const char *in, const char *want)
{
    expect_found_len(in, strlen(in), NAME, want);
}

static void expect_absent_len(const char *in, size_t len, const char *name)
{
    char *buf = exact_copy(in, len);
    struct span v = {NULL, 12345};
    int rc = cookie_find(buf, len, name, &v);
    if (rc != 0) {
        print_error("input \"%.*s\": want no %s, got \"%.*s\"\n", (int)len, in,
                    name, (int)v.len, v.p);
    }
    assert_int_equal(rc, 0);
    free(buf);
}

static void expect_absent(const char *in)
{
    expect_absent_len(in, strlen(in), NAME);
}

struct accept_case {
    const char *in;
    const char *value;
};

static const struct accept_case must_accept[] = {
    {"beacon_optout=1", "1"},
    {"beacon_optout=0", "0"},
    {"a=b; beacon_optout=1", "1"},
    {"a=b;beacon_optout=1", "1"},
    {"a=b; beacon_optout=1; c=d", "1"},
    {"beacon_optout=1; c=d", "1"},
    /* spaces and tabs around '=' and ';' */
    {" beacon_optout=1", "1"},
    {"beacon_optout =1", "1"},
    {"beacon_optout= 1", "1"},
    {"beacon_optout=1 ", "1"},
    {"  beacon_optout  =  1  ", "1"},
    {"\tbeacon_optout\t=\t1\t", "1"},
    {"a=b ;beacon_optout=1 ;c=d", "1"},
    {"a=b  ;  beacon_optout = 1  ;  c=d", "1"},
    /* quoted values: one pair of quotes removed */
    {"beacon_optout=\"1\"", "1"},
    {"beacon_optout = \"1\" ; c=d", "1"},
    {"beacon_optout=\" 1 \"", " 1 "},
    {"beacon_optout=\"\"", ""},
    {"beacon_optout=\"\"\"\"", "\"\""},
    /* a lone or unbalanced quote stays */
    {"beacon_optout=\"", "\""},
    {"beacon_optout=\"1", "\"1"},
    {"beacon_optout=1\"", "1\""},
    /* empty values */
    {"beacon_optout=", ""},
    {"beacon_optout=;c=d", ""},
    {"beacon_optout=   ; c=d", ""},
    {"a=b; beacon_optout=", ""},
    /* trailing and repeated ';' */
    {"beacon_optout=1;", "1"},
    {"beacon_optout=1; ", "1"},
    {"beacon_optout=1;;", "1"},
    {";beacon_optout=1", "1"},
    {"; ; beacon_optout=1", "1"},
    {"a=b;;;beacon_optout=1;;", "1"},
    /* values holding '=' or unusual bytes: everything up to ';' */
    {"beacon_optout=a=b", "a=b"},
    {"beacon_optout==1", "=1"},
    {"beacon_optout=1,2", "1,2"},
    {"beacon_optout=a b", "a b"},
    /* lookalike names before the real one are skipped */
    {"xbeacon_optout=0; beacon_optout=1", "1"},
    {"beacon_optout2=0; beacon_optout=1", "1"},
    {"beacon_optou=0; beacon_optout=1", "1"},
    {"eacon_optout=0; beacon_optout=1", "1"},
    {"Beacon_optout=0; beacon_optout=1", "1"},
    {"beacon_optout_x=0; xbeacon_optout=0; beacon_optout=yes", "yes"},
    /* a pair without '=' before it is skipped */
    {"beacon_optout; beacon_optout=1", "1"},
    {"flag; beacon_optout=1", "1"},
    /* first of several */
    {"beacon_optout=1; beacon_optout=0", "1"},
    {"beacon_optout=0; beacon_optout=1", "0"},
    {"a=1; beacon_optout=first; b=2; beacon_optout=second", "first"},
    {"beacon_optout=; beacon_optout=1", ""},
};

static const char *const must_reject[] = {
    "",
    " ",
    ";",
    ";;;",
    " ; ; ",
    "=",
    "=1",
    "a=b",
    "a=b; c=d",
    /* names that contain the wanted one */
    "xbeacon_optout=1",
    "beacon_optout2=1",
    "beacon_optout_=1",
    "_beacon_optout=1",
    "xbeacon_optout=1; beacon_optout2=1",
    "a=b; xbeacon_optout=1; beacon_optout2=1; c=d",
    /* names the wanted one contains */
    "beacon_optou=1",
    "eacon_optout=1",
    "beacon=1",
    /* names are case-sensitive */
    "Beacon_optout=1",
    "BEACON_OPTOUT=1",
    "beacon_Optout=1",
    /* space inside a name */
    "beacon optout=1",
    "beacon_ optout=1",
    /* no '=' */
    "beacon_optout",
    " beacon_optout ",
    "beacon_optout;",
    "beacon_optout; a=b",
    "a=b; beacon_optout",
    "beacon_optout ; =1",
    /* the name appears only inside a value */
    "a=beacon_optout=1",
    "a=beacon_optout",
    "a=\"beacon_optout=1\"",
    "a=x beacon_optout=1",
    /* quotes are not part of a name */
    "\"beacon_optout\"=1",
};

static void test_cookie__must_accept(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(must_accept) / sizeof(must_accept[0]); i++) {
        expect_found(must_accept[i].in, must_accept[i].value);
    }
}

static void test_cookie__must_reject(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(must_reject) / sizeof(must_reject[0]); i++) {
        expect_absent(must_reject[i]);
    }
}

/* The first cookie of the name wins, even when a later one would be
 * "more" opted out; the value view points at the first one's bytes. */
static void test_cookie__first_of_several(void **state)
{
    (void)state;
    const char in[] = "beacon_optout=a; beacon_optout=b; beacon_optout=c";
    char *buf = exact_copy(in, sizeof(in) - 1);
    struct span v;
    assert_int_equal(cookie_find(buf, sizeof(in) - 1, NAME, &v), 1);
    assert_ptr_equal(v.p, buf + strlen("beacon_optout="));
    assert_int_equal(v.len, 1);
    assert_memory_equal(v.p, "a", 1);
    free(buf);
}

/* Other names than the opt-out cookie, including ones with spaces trimmed
 * away and one-letter names. */
static void test_cookie__other_names(void **state)
{
    (void)state;
    expect_found_len("a=1; b=2", 8, "b", "2");
    expect_found_len("a=1; b=2", 8, "a", "1");
    expect_found_len("ab=1; a=2", 9, "a", "2");
    expect_found_len("ba=1; a=2", 9, "a", "2");
    expect_absent_len("ab=1; ba=2", 10, "a");
    expect_absent_len("a=1; b=2", 8, "c");
    expect_absent_len("a=1; b=2", 8, "A");
}

/* len, not NUL, ends the input: bytes after len are never part of a
 * name or a value (the copies are exactly len bytes long, so a read past
 * it is caught by ASan). */
static void test_cookie__stops_at_len(void **state)
{
    (void)state;
    /* the value is cut at len */
    expect_found_len("beacon_optout=12", 15, NAME, "1");
    expect_found_len("beacon_optout=1; x=y", 15, NAME, "1");
    expect_found_len("beacon_optout=\"1\"", 16, NAME, "\"1");
    expect_found_len("beacon_optout=1", 14, NAME, "");
    /* the name is cut at len: no '=' within len */
    expect_absent_len("beacon_optout=1", 13, NAME);
    expect_absent_len("beacon_optout=1", 12, NAME);
    expect_absent_len("beacon_optout=1", 0, NAME);
    expect_absent_len("a=b; beacon_optout=1", 4, NAME);
    expect_absent_len("a=b; beacon_optout=1", 17, NAME);
    /* an embedded NUL is an ordinary byte: it does not end the input */
    expect_found_len("a=\0x; beacon_optout=1", 21, NAME, "1");
    expect_found_bytes("beacon_optout=1\0z", 17, NAME, "1\0z", 3);
    expect_absent_len("beacon_optout\0=1", 16, NAME);
}

/* Every prefix of every must-accept input, in an exactly-sized block:
 * whatever the answer, no byte past the prefix is read (ASan), and a value
 * found lies inside the prefix. */
static void test_cookie__every_prefix_stays_inside(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(must_accept) / sizeof(must_accept[0]); i++) {
        const char *in = must_accept[i].in;
        size_t n = strlen(in);
        for (size_t len = 0; len <= n; len++) {
            char *buf = exact_copy(in, len);
            struct span v = {NULL, 0};
            if (cookie_find(buf, len, NAME, &v)) {
                assert_non_null(v.p);
                assert_true(v.p >= buf && v.p + v.len <= buf + len);
            }
            free(buf);
        }
    }
}

/* cookie_has: any cookie of that name with exactly that value. */
static void test_cookie__has_any_of_same_name(void **state)
{
    static const struct {
        const char *header;
        int want;
    } cases[] = {
        {"beacon_optout=1", 1},
        {"beacon_optout=0; beacon_optout=1", 1},
        {"beacon_optout=1; beacon_optout=0", 1},
        {"a=1; beacon_optout = \"1\" ; b=2", 1},
        {"beacon_optout=0", 0},
        {"beacon_optout=0; beacon_optout=10", 0},
        {"xbeacon_optout=1; beacon_optoutx=1", 0},
        {"beacon_optout=", 0},
        {"a=beacon_optout=1", 0},
        {"", 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = strlen(cases[i].header);
        char *buf = malloc(len ? len : 1);
        assert_non_null(buf);
        memcpy(buf, cases[i].header, len);
        if (cookie_has(buf, len, "beacon_optout", "1") != cases[i].want) {
            fail_msg("cookie_has(\"%s\") != %d", cases[i].header,
                     cases[i].want);
        }
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie__has_any_of_same_name),
        cmocka_unit_test(test_cookie__must_accept),
        cmocka_unit_test(test_cookie__must_reject),
        cmocka_unit_test(test_cookie__first_of_several),
        cmocka_unit_test(test_cookie__other_names),
        cmocka_unit_test(test_cookie__stops_at_len),
        cmocka_unit_test(test_cookie__every_prefix_stays_inside),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
