/*
 * test_utf8.c: utf8_valid against RFC 3629's table (overlongs, surrogates,
 * past U+10FFFF, truncation) and utf8_cut at every kind of boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/utf8.h"

struct bytes {
    const char *s;
    size_t len;
    const char *what;
};

#define B(s, what)                                                             \
    {                                                                          \
        s, sizeof(s) - 1, what                                                 \
    }

static const struct bytes valid_cases[] = {
    B("", "empty"),
    B("plain ascii", "ascii"),
    B("\0", "NUL is a character"),
    B("\x7f", "U+007F"),
    B("\xc2\x80", "U+0080, smallest 2-byte"),
    B("\xc3\xa9", "U+00E9"),
    B("\xdf\xbf", "U+07FF, largest 2-byte"),
    B("\xe0\xa0\x80", "U+0800, smallest 3-byte"),
    B("\xe2\x82\xac", "U+20AC euro"),
    B("\xed\x9f\xbf", "U+D7FF, just below surrogates"),
    B("\xee\x80\x80", "U+E000, just above surrogates"),
    B("\xef\xbf\xbf", "U+FFFF"),
    B("\xef\xbb\xbf", "BOM"),
    B("\xf0\x90\x80\x80", "U+10000, smallest 4-byte"),
    B("\xf0\x9f\x98\x80", "U+1F600 emoji"),
    B("\xf4\x8f\xbf\xbf", "U+10FFFF, the last"),
    B("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", "mixed"),
};

static const struct bytes invalid_cases[] = {
    B("\x80", "lone continuation"),
    B("\xbf", "lone continuation"),
    B("a\x80"
      "b",
      "continuation after ascii"),
    B("\xc0\x80", "overlong NUL"),
    B("\xc0\xaf", "overlong '/'"),
    B("\xc1\xbf", "overlong U+007F"),
    B("\xe0\x80\x80", "overlong 3-byte NUL"),
    B("\xe0\x80\xaf", "overlong 3-byte '/'"),
    B("\xe0\x9f\xbf", "overlong U+07FF"),
    B("\xf0\x80\x80\x80", "overlong 4-byte NUL"),
    B("\xf0\x8f\xbf\xbf", "overlong U+FFFF"),
    B("\xed\xa0\x80", "surrogate U+D800"),
    B("\xed\xaf\xbf", "surrogate U+DBFF"),
    B("\xed\xb0\x80", "surrogate U+DC00"),
    B("\xed\xbf\xbf", "surrogate U+DFFF"),
    B("\xed\xa0\xbd\xed\xb8\x80", "CESU-8 pair"),
    B("\xf4\x90\x80\x80", "U+110000"),
    B("\xf5\x80\x80\x80", "F5 lead"),
    B("\xf7\xbf\xbf\xbf", "F7 lead"),
    B("\xf8\x88\x80\x80\x80", "5-byte form"),
    B("\xfc\x84\x80\x80\x80\x80", "6-byte form"),
    B("\xfe", "FE"),
    B("\xff", "FF"),
    B("\xc3", "truncated 2-byte"),
    B("\xe2\x82", "truncated 3-byte"),
    B("\xf0\x9f\x98", "truncated 4-byte"),
    B("\xc3"
      "A",
      "bad continuation"),
    B("\xe2\x28\xa1", "bad second byte"),
    B("\xe2\x82\x28", "bad third byte"),
    B("\xf0\x9f\x28\x80", "bad third of four"),
    B("\xf0\x9f\x98\x28", "bad fourth of four"),
    B("ok\xc3", "truncated at the end"),
};

/*
 * utf8_valid of b with off ASCII bytes before it and off % 9 after it:
 * the case lands at every place of the eight-byte ASCII fast path.
 */
static int valid_padded(const struct bytes *b, size_t off)
{
    char buf[64];
    size_t after = off % 9;

    assert_true(off + b->len + after <= sizeof buf);
    memset(buf, 'a', off);
    memcpy(buf + off, b->s, b->len);
    memset(buf + off + b->len, 'b', after);
    return utf8_valid(buf, off + b->len + after);
}

static void test_utf8__accepts_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof valid_cases / sizeof *valid_cases; i++) {
        for (size_t off = 0; off < 18; off++) {
            if (!valid_padded(&valid_cases[i], off)) {
                fail_msg("case %zu at %zu rejected: %s", i, off,
                         valid_cases[i].what);
            }
        }
    }
}

static void test_utf8__rejects_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof invalid_cases / sizeof *invalid_cases; i++) {
        for (size_t off = 0; off < 18; off++) {
            if (valid_padded(&invalid_cases[i], off)) {
                fail_msg("case %zu at %zu accepted: %s", i, off,
                         invalid_cases[i].what);
            }
        }
    }
}

/* A sequence that completes only past len is truncated, not valid. */
static void test_utf8__stops_at_len(void **state)
{
    const char s[] = "a\xe2\x82\xac";
    (void)state;

    assert_int_equal(utf8_valid(s, 4), 1);
    assert_int_equal(utf8_valid(s, 3), 0);
    assert_int_equal(utf8_valid(s, 2), 0);
    assert_int_equal(utf8_valid(s, 1), 1);
    assert_int_equal(utf8_valid(NULL, 0), 1);
}

struct cut_case {
    const char *s;
    size_t len;
    size_t want;
};

static const struct cut_case cut_cases[] = {
    {"", 0, 0},
    {"abc", 3, 3},
    {"abc", 2, 2},
    {"a\xc3\xa9", 3, 3},
    {"a\xc3\xa9", 2, 1},
    {"a\xe2\x82\xac", 4, 4},
    {"a\xe2\x82\xac", 3, 1},
    {"a\xe2\x82\xac", 2, 1},
    {"a\xf0\x9f\x98\x80", 5, 5},
    {"a\xf0\x9f\x98\x80", 4, 1},
    {"a\xf0\x9f\x98\x80", 3, 1},
    {"a\xf0\x9f\x98\x80", 2, 1},
    {"\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 7, 4},
    {"\xc3\xa9\xc3\xa9", 3, 2},
    {"\xe2\x82\xac", 1, 0},
    /* Not UTF-8: left alone, never grown. */
    {"\x80\x80\x80\x80\x80", 5, 5},
    {"a\xff", 2, 2},
};

static void test_utf8__cut_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof cut_cases / sizeof *cut_cases; i++) {
        size_t got = utf8_cut(cut_cases[i].s, cut_cases[i].len);

        if (got != cut_cases[i].want) {
            fail_msg("case %zu: cut %zu, want %zu", i, got, cut_cases[i].want);
        }
    }
}

/* Every prefix of a valid string, cut, is valid. */
static void test_utf8__cut_prefixes_are_valid(void **state)
{
    const char s[] = "x\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80y\xdf\xbf";
    (void)state;

    for (size_t len = 0; len <= sizeof s - 1; len++) {
        size_t n = utf8_cut(s, len);

        assert_true(n <= len);
        assert_true(len - n < 4);
        assert_true(utf8_valid(s, n));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8__accepts_table),
        cmocka_unit_test(test_utf8__rejects_table),
        cmocka_unit_test(test_utf8__stops_at_len),
        cmocka_unit_test(test_utf8__cut_table),
        cmocka_unit_test(test_utf8__cut_prefixes_are_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
