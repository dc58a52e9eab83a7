/*
 * test_query.c: query_next and query_find, raw views, no decoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/query.h"

/* Pairs rendered as "name=value|name=value|" for whole-result comparison. */
static void render(const char *q, size_t len, char *out, size_t cap)
{
    struct query_iter it;
    struct span n, v;
    size_t used = 0;

    out[0] = '\0';
    query_iter_init(&it, q, len);
    while (query_next(&it, &n, &v)) {
        int w = snprintf(out + used, cap - used, "%.*s=%.*s|", (int)n.len, n.p,
                         (int)v.len, v.p);

        assert_true(w > 0 && (size_t)w < cap - used);
        used += (size_t)w;
    }
}

struct iter_case {
    const char *in;
    const char *pairs;
};

static const struct iter_case iter_cases[] = {
    {"", ""},
    {"a=1", "a=1|"},
    {"a=1&b=2", "a=1|b=2|"},
    {"a=1&&b=2", "a=1|b=2|"},
    {"&&&", ""},
    {"&a=1&", "a=1|"},
    {"a", "a=|"},
    {"a=", "a=|"},
    {"=x", "=x|"},
    {"=", "=|"},
    {"a=b=c", "a=b=c|"},
    {"a%3D=1", "a%3D=1|"},
    {"s=site&u=%2Fx%3Fy&e=", "s=site|u=%2Fx%3Fy|e=|"},
    {"x;y=1", "x;y=1|"},
    {"a+b=c+d", "a+b=c+d|"},
    {"a=1&a=2", "a=1|a=2|"},
};

static void test_query__iterates_table(void **state)
{
    char out[256];
    (void)state;

    for (size_t i = 0; i < sizeof iter_cases / sizeof *iter_cases; i++) {
        render(iter_cases[i].in, strlen(iter_cases[i].in), out, sizeof out);
        if (strcmp(out, iter_cases[i].pairs) != 0) {
            fail_msg("case %zu \"%s\": got \"%s\"", i, iter_cases[i].in, out);
        }
    }
}

static void test_query__stops_at_len(void **state)
{
    const char q[] = "a=1&b=2&c=3";
    char out[64];
    (void)state;

    render(q, 5, out, sizeof out);
    assert_string_equal(out, "a=1|b=|");
    render(q, 6, out, sizeof out);
    assert_string_equal(out, "a=1|b=|");
    render(q, 7, out, sizeof out);
    assert_string_equal(out, "a=1|b=2|");
    render(NULL, 0, out, sizeof out);
    assert_string_equal(out, "");
}

/* Views point into q itself: nothing is copied. */
static void test_query__views_into_input(void **state)
{
    const char q[] = "key=value";
    struct query_iter it;
    struct span n, v;
    (void)state;

    query_iter_init(&it, q, strlen(q));
    assert_int_equal(query_next(&it, &n, &v), 1);
    assert_ptr_equal(n.p, q);
    assert_int_equal(n.len, 3);
    assert_ptr_equal(v.p, q + 4);
    assert_int_equal(v.len, 5);
    assert_int_equal(query_next(&it, &n, &v), 0);
    assert_int_equal(query_next(&it, &n, &v), 0);
}

struct find_case {
    const char *q;
    const char *name;
    const char *value; /* NULL: not found */
};

static const struct find_case find_cases[] = {
    {"a=1&b=2", "a", "1"},    {"a=1&b=2", "b", "2"},     {"a=1&a=2", "a", "1"},
    {"aa=1&a=2", "a", "2"},   {"a&b=2", "a", ""},        {"a=&b=2", "a", ""},
    {"=x&b=2", "", "x"},      {"a=1&b=2", "c", NULL},    {"", "a", NULL},
    {"a%20b=1", "a b", NULL}, {"a%20b=1", "a%20b", "1"}, {"A=1", "a", NULL},
    {"ab=1", "a", NULL},      {"a=1", "ab", NULL},
};

static void test_query__find_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof find_cases / sizeof *find_cases; i++) {
        const struct find_case *c = &find_cases[i];
        struct span v = {NULL, 0};
        int found = query_find(c->q, strlen(c->q), c->name, &v);

        if (c->value == NULL) {
            if (found) {
                fail_msg("case %zu: %s found in \"%s\"", i, c->name, c->q);
            }
        } else if (!found || !span_eq(v, c->value)) {
            fail_msg("case %zu: %s in \"%s\": found %d \"%.*s\"", i, c->name,
                     c->q, found, (int)v.len, v.p ? v.p : "");
        }
    }
}

static void test_query__find_stops_at_len(void **state)
{
    const char q[] = "a=1&secret=2";
    struct span v;
    (void)state;

    assert_int_equal(query_find(q, 4, "secret", &v), 0);
    assert_int_equal(query_find(q, 9, "secret", &v), 0);
    assert_int_equal(query_find(q, 3, "a", &v), 1);
    assert_true(span_eq(v, "1"));
    assert_int_equal(query_find(q, 2, "a", &v), 1);
    assert_int_equal(v.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query__iterates_table),
        cmocka_unit_test(test_query__stops_at_len),
        cmocka_unit_test(test_query__views_into_input),
        cmocka_unit_test(test_query__find_table),
        cmocka_unit_test(test_query__find_stops_at_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
