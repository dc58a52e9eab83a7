/*
 * test_events.c: the JSON body of POST /e (SPEC 2.2) with tables of
 * must-accept and must-reject bodies: what each event hands over, which
 * elements are not events, and what makes the whole body malformed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/events.h"

/* Each event as "s,u,r,e,src,med,camp;" (absent fields empty, a field's
 * presence marked by '='), or "-;" for an element that is no event. */
static int record(void *arg, const struct hit_fields *f, size_t i, size_t n)
{
    char *out = arg;
    assert_true(i < n);
    if (f == NULL) {
        strcat(out, "-;");
        return 0;
    }
    const struct span *v[7] = {&f->s, &f->u, &f->r, &f->e,
                               &f->utm_source, &f->utm_medium,
                               &f->utm_campaign};
    for (int k = 0; k < 7; k++) {
        if (v[k]->p != NULL) {
            strcat(out, "=");
            strncat(out, v[k]->p, v[k]->len);
        }
        strcat(out, k < 6 ? "," : ";");
    }
    return 0;
}

static const struct {
    const char *body, *want;
} ok[] = {
    {"{\"s\":\"blog\",\"u\":\"/a\"}", "=blog,=/a,,,,,;"},
    {" [ {\"s\":\"b\",\"u\":\"/x\",\"r\":\"https://r.example/\",\"e\":\"signup\","
     "\"utm_source\":\"n\",\"utm_medium\":\"m\",\"utm_campaign\":\"c\"} ] ",
     "=b,=/x,=https://r.example/,=signup,=n,=m,=c;"},
    /* unknown fields ignored, null is absent, order free */
    {"{\"u\":\"/a\",\"x\":[1,2],\"s\":\"b\",\"r\":null}", "=b,=/a,,,,,;"},
    /* escapes are decoded: the fields are what the page meant */
    {"{\"s\":\"b\",\"u\":\"/caf\\u00e9\\/x\\\"\"}", "=b,=/caf\xc3\xa9/x\",,,,,;"},
    /* elements that are no events: still elements */
    {"[1, \"s\", null, [], {\"s\":1,\"u\":\"/\"}, {\"s\":\"b\",\"u\":\"/\"}]",
     "-;-;-;-;-;=b,=/,,,,,;"},
    /* an empty object is an event without fields (invalid later) */
    {"[{}]", ",,,,,,;"},
    {"{\"s\":\"\",\"u\":\"\"}", "=,=,,,,,;"},
    /* an unknown field twice means nothing twice */
    {"{\"s\":\"b\",\"x\":1,\"x\":[2],\"u\":\"/\"}", "=b,=/,,,,,;"},
    /* an escaped backslash, then text that only looks like an escape */
    {"{\"s\":\"b\",\"u\":\"/a\\\\u0000\"}", "=b,=/a\\u0000,,,,,;"},
    /* a surrogate pair is one character */
    {"{\"s\":\"b\",\"u\":\"/\\ud83d\\ude00\"}", "=b,=/\xf0\x9f\x98\x80,,,,,;"},
};

static const struct {
    const char *body;
    enum events_result want;
} bad[] = {
    {"", EVENTS_MALFORMED},
    {" ", EVENTS_MALFORMED},
    {"{", EVENTS_MALFORMED},
    {"{\"s\":\"b\",}", EVENTS_MALFORMED},
    {"{\"s\":\"b\"} {\"s\":\"c\"}", EVENTS_MALFORMED}, /* two values */
    {"{\"s\":\"b\"}x", EVENTS_MALFORMED},
    {"[]", EVENTS_MALFORMED},
    {"\"text\"", EVENTS_MALFORMED},
    {"42", EVENTS_MALFORMED},
    {"null", EVENTS_MALFORMED},
    {"{\"s\":\"a\",\"s\":\"b\"}", EVENTS_MALFORMED}, /* duplicate key */
    {"{\"s\":\"\xff\"}", EVENTS_MALFORMED},           /* invalid UTF-8 */
    {"{\"s\":\"\xc0\xaf\"}", EVENTS_MALFORMED},       /* overlong */
    {"{\"s\":\"\\ud800\"}", EVENTS_MALFORMED},        /* lone surrogate */
    {"{\"s\":\"a\\u0000b\"}", EVENTS_MALFORMED},      /* NUL */
    {"{'s':'b'}", EVENTS_MALFORMED},
    /* an event field twice, even as null; in any element */
    {"{\"s\":\"b\",\"u\":\"/\",\"u\":null}", EVENTS_MALFORMED},
    {"[{\"s\":\"b\",\"u\":\"/\"},{\"e\":\"x\",\"e\":\"y\"}]", EVENTS_MALFORMED},
    {"{\"s\":\"a\x01\"}", EVENTS_MALFORMED},            /* control byte */
    {"{\"s\":\"\\uzzzz\"}", EVENTS_MALFORMED},          /* not hex */
    {"{\"s\":\"\\u12\"}", EVENTS_MALFORMED},            /* too short */
    {"{\"s\":\"\\u00\"", EVENTS_MALFORMED},             /* at the end */
    {"{\"s\":\"\\udc00\"}", EVENTS_MALFORMED},          /* low surrogate */
    {"{\"s\":\"\\ud800\\u0041\"}", EVENTS_MALFORMED}, /* no low one */
    {"{\"s\":\"\xed\xa0\x80\"}", EVENTS_MALFORMED},    /* UTF-8 surrogate */
    {"{\"s\":\"b\"", EVENTS_MALFORMED},                  /* unclosed */
};

static void test_events__accepts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char got[1024] = "";
        const char *err = NULL;
        enum events_result rc = events_parse(ok[i].body, strlen(ok[i].body),
                                             100, record, got, &err);
        if (rc != EVENTS_OK) {
            fail_msg("case %zu %s: %s", i, ok[i].body, err);
        }
        assert_string_equal(got, ok[i].want);
    }
}

static void test_events__rejects(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char got[1024] = "";
        const char *err = NULL;
        enum events_result rc = events_parse(bad[i].body, strlen(bad[i].body),
                                             100, record, got, &err);
        if (rc != bad[i].want) {
            fail_msg("case %zu %s: %d, want %d", i, bad[i].body, rc,
                     bad[i].want);
        }
        assert_non_null(err);
        assert_string_equal(got, ""); /* no event before the verdict */
    }
}

/* n elements "{}" joined in an array */
static char *array_of(size_t n)
{
    char *b = malloc(3 * n + 3);
    assert_non_null(b);
    strcpy(b, "[");
    for (size_t i = 0; i < n; i++) {
        strcat(b, i ? ",{}" : "{}");
    }
    strcat(b, "]");
    return b;
}

static int count(void *arg, const struct hit_fields *f, size_t i, size_t n)
{
    (void)f;
    assert_int_equal(i, *(size_t *)arg);
    assert_true(n >= 1 && n <= 100);
    (*(size_t *)arg)++;
    return 0;
}

/* Stops after three events. */
static int three(void *arg, const struct hit_fields *f, size_t i, size_t n)
{
    (void)f;
    (void)n;
    *(size_t *)arg = i + 1;
    return i == 2 ? -1 : 0;
}

static void test_events__max_events(void **state)
{
    const char *err;
    size_t n = 0;
    (void)state;

    char *b = array_of(100);
    assert_int_equal(events_parse(b, strlen(b), 100, count, &n, &err),
                     EVENTS_OK);
    assert_int_equal(n, 100);
    free(b);
    b = array_of(101);
    n = 0;
    assert_int_equal(events_parse(b, strlen(b), 100, count, &n, &err),
                     EVENTS_TOO_MANY);
    assert_int_equal(n, 0);
    free(b);
    b = array_of(10);
    assert_int_equal(events_parse(b, strlen(b), 100, three, &n, &err),
                     EVENTS_STOPPED);
    assert_int_equal(n, 3);
    free(b);
    assert_int_equal(events_parse("{}", 2, 100, three, &n, &err), EVENTS_OK);
    assert_int_equal(n, 1);
}

/* Nesting far past any event: refused, never a crash (cJSON stops at
 * 1 000 levels). */
static void test_events__deep_nesting(void **state)
{
    const size_t depth = 100000;
    char *b = malloc(2 * depth + 1);
    const char *err;
    size_t n = 0;
    (void)state;

    assert_non_null(b);
    memset(b, '[', depth);
    memset(b + depth, ']', depth);
    b[2 * depth] = '\0';
    assert_int_equal(events_parse(b, 2 * depth, 100, count, &n, &err),
                     EVENTS_MALFORMED);
    assert_int_equal(n, 0);
    free(b);
}

/* The body need not be NUL-terminated: only len bytes are read. */
static void test_events__stops_at_len(void **state)
{
    const char body[] = "{\"s\":\"b\",\"u\":\"/\"}garbage";
    char got[256] = "";
    const char *err;
    (void)state;

    char *copy = malloc(17);
    assert_non_null(copy);
    memcpy(copy, body, 17);
    assert_int_equal(events_parse(copy, 17, 100, record, got, &err), EVENTS_OK);
    assert_string_equal(got, "=b,=/,,,,,;");
    free(copy);
}

/* A raw NUL inside a string would end cJSON's copy of it: refused. */
static void test_events__raw_nul(void **state)
{
    const char body[] = "{\"s\":\"b\",\"u\":\"/a\0b\"}";
    char got[256] = "";
    const char *err = NULL;
    (void)state;

    assert_int_equal(events_parse(body, sizeof body - 1, 100, record, got,
                                  &err),
                     EVENTS_MALFORMED);
    assert_string_equal(err, "a control character");
    assert_string_equal(got, "");
}

/*
 * The byte checks skip eight bytes at a time: a control byte or an escape
 * of NUL is found wherever it falls, and DEL, a two-byte character and an
 * escaped backslash pass, at every offset of the path.
 */
static void test_events__checks_every_offset(void **state)
{
    static const struct {
        const char *in, *out; /* NULL out: refused */
    } cases[] = {
        {"\x1f", NULL},     {"\\u0000", NULL}, {"\x7f", "\x7f"},
        {"\xc3\xa9", "\xc3\xa9"}, {"\\\\", "\\"}, {"\\\"", "\""},
    };
    (void)state;

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int off = 0; off < 18; off++) {
            char body[128], got[128] = "", want[128];
            const char *err = NULL;
            snprintf(body, sizeof body, "{\"s\":\"b\",\"u\":\"/%.*s%s%.*s\"}",
                     off, "aaaaaaaaaaaaaaaaaa", cases[c].in, off % 9,
                     "bbbbbbbbb");
            enum events_result rc = events_parse(body, strlen(body), 100,
                                                 record, got, &err);
            if (cases[c].out == NULL) {
                assert_int_equal(rc, EVENTS_MALFORMED);
                continue;
            }
            assert_int_equal(rc, EVENTS_OK);
            snprintf(want, sizeof want, "=b,=/%.*s%s%.*s,,,,,;", off,
                     "aaaaaaaaaaaaaaaaaa", cases[c].out, off % 9, "bbbbbbbbb");
            assert_string_equal(got, want);
        }
    }
}

/* The same answers from an arena, a full arena (spilling over to malloc)
 * and none; the arena is reused from the start for each body. */
static void test_events__arena(void **state)
{
    struct events_arena big, tiny;
    char want[8192] = "", got[8192];
    const char *err;
    char body[20000] = "[";
    (void)state;

    for (int i = 0; i < 100; i++) {
        char ev[160];
        snprintf(ev, sizeof ev,
                 "%s{\"s\":\"blog\",\"u\":\"/page/%d\",\"r\":"
                 "\"https://news.example/\",\"e\":\"signup\"}",
                 i ? "," : "", i);
        strcat(body, ev);
    }
    strcat(body, "]");
    assert_int_equal(events_arena_init(&big, 1024 * 1024), 0);
    assert_int_equal(events_arena_init(&tiny, 256), 0);
    assert_int_equal(events_parse(body, strlen(body), 100, record, want, &err),
                     EVENTS_OK);
    for (int round = 0; round < 3; round++) {
        got[0] = '\0';
        assert_int_equal(events_parse_in(&big, body, strlen(body), 100, record,
                                         got, &err),
                         EVENTS_OK);
        assert_string_equal(got, want);
        /* 100 events of four fields fit with room to spare */
        assert_true(big.used > 0 && big.used < 256 * 1024);
        got[0] = '\0';
        assert_int_equal(events_parse_in(&tiny, body, strlen(body), 100, record,
                                         got, &err),
                         EVENTS_OK);
        assert_string_equal(got, want);
        assert_true(tiny.used <= 256);
    }
    /* malformed bodies leave nothing behind either (ASan's leak check) */
    assert_int_equal(events_parse_in(&tiny, "[{\"s\":", 7, 100, record, got,
                                     &err),
                     EVENTS_MALFORMED);
    events_arena_deinit(&big);
    events_arena_deinit(&tiny);
    events_arena_deinit(&tiny);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events__accepts),
        cmocka_unit_test(test_events__rejects),
        cmocka_unit_test(test_events__max_events),
        cmocka_unit_test(test_events__deep_nesting),
        cmocka_unit_test(test_events__stops_at_len),
        cmocka_unit_test(test_events__raw_nul),
        cmocka_unit_test(test_events__checks_every_offset),
        cmocka_unit_test(test_events__arena),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
