/*
 * test_percent.c: percent_decode, strict about malformed escapes and
 * about never reading past len.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/percent.h"

struct accept_case {
    const char *in;
    int plus_is_space;
    const char *out;
    size_t out_len;
};

#define OK(in, plus, out)                                                      \
    {                                                                          \
        in, plus, out, sizeof(out) - 1                                         \
    }

static const struct accept_case accept_cases[] = {
    OK("", 1, ""),
    OK("abc", 1, "abc"),
    OK("a%20b", 1, "a b"),
    OK("a+b", 1, "a b"),
    OK("a+b", 0, "a+b"),
    OK("%2B", 1, "+"),
    OK("%2b", 0, "+"),
    OK("%25", 1, "%"),
    OK("100%25", 1, "100%"),
    OK("%41%42%43", 1, "ABC"),
    OK("%c3%A9t%C3%a9", 1, "\xc3\xa9t\xc3\xa9"),
    OK("%00", 1, "\0"),
    OK("a%0Ab", 1, "a\nb"),
    OK("%FF", 1, "\xff"),
    OK("%2525", 1, "%25"),
    OK("++", 1, "  "),
    OK("a=b&c", 1, "a=b&c"),
    OK("https%3A%2F%2Fexample.com%2Fa%3Fb%3D1", 1, "https://example.com/a?b=1"),
};

static const char *const reject_cases[] = {
    "%",         "%4",  "a%",  "a%2", "%G0",  "%0G", "%%41",
    "% 41",      "%+1", "%-1", "%x1", "%1",   "ab%", "%4g",
    "%\xc3\xa9", "%%",  "%2",  "%zz", "a%2x", "%1 ",
};

static void test_percent__accepts_table(void **state)
{
    char out[128];
    (void)state;

    for (size_t i = 0; i < sizeof accept_cases / sizeof *accept_cases; i++) {
        const struct accept_case *c = &accept_cases[i];
        ssize_t n = percent_decode(out, sizeof out, c->in, strlen(c->in),
                                   c->plus_is_space);

        if (n != (ssize_t)c->out_len || memcmp(out, c->out, c->out_len)) {
            fail_msg("case %zu \"%s\": got %zd", i, c->in, n);
        }
    }
}

static void test_percent__rejects_malformed_escapes(void **state)
{
    char out[64];
    (void)state;

    for (size_t i = 0; i < sizeof reject_cases / sizeof *reject_cases; i++) {
        const char *in = reject_cases[i];

        if (percent_decode(out, sizeof out, in, strlen(in), 1) != -1 ||
            percent_decode(out, sizeof out, in, strlen(in), 0) != -1) {
            fail_msg("case %zu \"%s\" was accepted", i, in);
        }
    }
}

/* A complete escape just past len must not be seen. */
static void test_percent__truncated_escape_at_len(void **state)
{
    const char src[] = "ab%41";
    char out[8];
    (void)state;

    assert_int_equal(percent_decode(out, sizeof out, src, 3, 1), -1);
    assert_int_equal(percent_decode(out, sizeof out, src, 4, 1), -1);
    assert_int_equal(percent_decode(out, sizeof out, src, 5, 1), 3);
    assert_memory_equal(out, "abA", 3);
    assert_int_equal(percent_decode(out, sizeof out, src, 2, 1), 2);
    assert_memory_equal(out, "ab", 2);
}

static void test_percent__cap(void **state)
{
    char out[8];
    (void)state;

    assert_int_equal(percent_decode(out, 2, "abc", 3, 1), -1);
    assert_int_equal(percent_decode(out, 3, "abc", 3, 1), 3);
    assert_int_equal(percent_decode(out, 1, "%41", 3, 1), 1);
    assert_int_equal(out[0], 'A');
    assert_int_equal(percent_decode(out, 0, "%41", 3, 1), -1);
    assert_int_equal(percent_decode(out, 0, "", 0, 1), 0);
    assert_int_equal(percent_decode(NULL, 0, NULL, 0, 1), 0);
}

/* Doesn't touch dst beyond what it decodes. */
static void test_percent__writes_only_result(void **state)
{
    char out[8];
    (void)state;

    memset(out, 'X', sizeof out);
    assert_int_equal(percent_decode(out, sizeof out, "%41+", 4, 1), 2);
    assert_memory_equal(out, "A XXXXXX", 8);
}

static void test_percent__in_place(void **state)
{
    char buf[] = "a%20b+c%2Bd";
    (void)state;

    assert_int_equal(percent_decode(buf, sizeof buf, buf, strlen(buf), 1), 7);
    assert_memory_equal(buf, "a b c+d", 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percent__accepts_table),
        cmocka_unit_test(test_percent__rejects_malformed_escapes),
        cmocka_unit_test(test_percent__truncated_escape_at_len),
        cmocka_unit_test(test_percent__cap),
        cmocka_unit_test(test_percent__writes_only_result),
        cmocka_unit_test(test_percent__in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
