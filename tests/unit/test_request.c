/*
 * test_request.c: header identification and request-target splitting
 * (collector/http/request.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/http/request.h"

struct header_case {
    const char *name;
    enum request_header id;
};

static const struct header_case known_headers[] = {
    {"host", HDR_HOST},
    {"Host", HDR_HOST},
    {"HOST", HDR_HOST},
    {"hOsT", HDR_HOST},
    {"user-agent", HDR_USER_AGENT},
    {"User-Agent", HDR_USER_AGENT},
    {"USER-AGENT", HDR_USER_AGENT},
    {"referer", HDR_REFERER},
    {"Referer", HDR_REFERER},
    {"dnt", HDR_DNT},
    {"DNT", HDR_DNT},
    {"sec-gpc", HDR_SEC_GPC},
    {"Sec-GPC", HDR_SEC_GPC},
    {"cookie", HDR_COOKIE},
    {"COOKIE", HDR_COOKIE},
    {"x-forwarded-for", HDR_X_FORWARDED_FOR},
    {"X-Forwarded-For", HDR_X_FORWARDED_FOR},
    {"content-type", HDR_CONTENT_TYPE},
    {"Content-Type", HDR_CONTENT_TYPE},
    {"content-encoding", HDR_CONTENT_ENCODING},
    {"Content-Encoding", HDR_CONTENT_ENCODING},
    {"transfer-encoding", HDR_TRANSFER_ENCODING},
    {"Transfer-Encoding", HDR_TRANSFER_ENCODING},
    {"TRANSFER-ENCODING", HDR_TRANSFER_ENCODING},
    {"sec-purpose", HDR_SEC_PURPOSE},
    {"Sec-Purpose", HDR_SEC_PURPOSE},
    {"purpose", HDR_PURPOSE},
    {"Purpose", HDR_PURPOSE},
    {"x-moz", HDR_X_MOZ},
    {"X-Moz", HDR_X_MOZ},
    {"x-purpose", HDR_X_PURPOSE},
    {"X-PURPOSE", HDR_X_PURPOSE},
    {"authorization", HDR_AUTHORIZATION},
    {"Authorization", HDR_AUTHORIZATION},
};

static const char *const unknown_headers[] = {
    "",
    "h",
    "hos",
    "hosts",
    "host ",
    " host",
    "ho st",
    "referrer", /* the standard's spelling is "referer" */
    "user_agent",
    "useragent",
    "content-length",
    "transfer-encodings",
    "transfer-encodin",
    "connection",
    "x-forwarded-host",
    "x-forwarded",
    "sec-gpc1",
    "sec-fetch-dest",
    "dnt\r",
    "Host:",
    "purposes",
    "x-mozilla",
    "\xc8ost", /* 'H' | 0x80 */
    "(ost",
    "Hos\xf4",
};

static void test_request__header_id_known(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof known_headers / sizeof *known_headers; i++) {
        const struct header_case *c = &known_headers[i];
        /* Own block of exactly the name's bytes: no NUL to lean on. */
        size_t len = strlen(c->name);
        char *name = malloc(len);
        assert_non_null(name);
        memcpy(name, c->name, len);
        if (request_header_id(name, len) != c->id) {
            fail_msg("\"%s\" -> %d, want %d", c->name,
                     request_header_id(name, len), c->id);
        }
        free(name);
    }
}

/* Every id of the X-macro list, by its own (lower-case) name. */
static void test_request__header_id_every_entry(void **state)
{
    static const char *const names[HDR_COUNT] = {
#define NAME(id, n) [HDR_##id] = n,
        REQUEST_HEADERS(NAME)
#undef NAME
    };
    (void)state;

    assert_int_equal(HDR_COUNT, 15);
    for (int i = 0; i < HDR_COUNT; i++) {
        assert_int_equal(request_header_id(names[i], strlen(names[i])), i);
    }
}

static void test_request__header_id_unknown(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof unknown_headers / sizeof *unknown_headers;
         i++) {
        size_t len = strlen(unknown_headers[i]);
        char *name = malloc(len ? len : 1);
        assert_non_null(name);
        memcpy(name, unknown_headers[i], len);
        if (request_header_id(name, len) != HDR_COUNT) {
            fail_msg("\"%s\" identified as %d", unknown_headers[i],
                     request_header_id(name, len));
        }
        free(name);
    }
    /* Only len bytes count: a known name followed by more bytes. */
    assert_int_equal(request_header_id("hostname", 4), HDR_HOST);
    assert_int_equal(request_header_id("host", 3), HDR_COUNT);
    assert_int_equal(request_header_id(NULL, 0), HDR_COUNT);
}

struct target_case {
    const char *target;
    int rc;
    const char *path;  /* want, when rc == 0 */
    const char *query; /* want, when rc == 0 */
};

static const struct target_case target_cases[] = {
    /* must accept: origin-form */
    {"/p.gif?a=b", 0, "/p.gif", "a=b"},
    {"/p", 0, "/p", ""},
    {"/", 0, "/", ""},
    {"/?", 0, "/", ""},
    {"/p?", 0, "/p", ""},
    {"/p?a=b?c=d", 0, "/p", "a=b?c=d"},
    {"/p?a=/x", 0, "/p", "a=/x"},
    {"//x", 0, "//x", ""},
    {"/a/b/c.gif?s=x&u=%2F", 0, "/a/b/c.gif", "s=x&u=%2F"},
    /* must accept: absolute-form */
    {"http://h/p?q", 0, "/p", "q"},
    {"http://h/p", 0, "/p", ""},
    {"http://h/", 0, "/", ""},
    {"https://h", 0, "/", ""},
    {"http://h", 0, "/", ""},
    {"http://h?q", 0, "/", "q"},
    {"https://h?", 0, "/", ""},
    {"http://h:8080/p.gif?s=a", 0, "/p.gif", "s=a"},
    {"HTTP://H/P?Q", 0, "/P", "Q"},
    {"HttpS://h/x", 0, "/x", ""},
    {"http://user@h/x?y", 0, "/x", "y"},
    {"http://[::1]:80/x", 0, "/x", ""},
    /* must reject: asterisk-form, authority-form, other schemes */
    {"*", -1, NULL, NULL},
    {"h:80", -1, NULL, NULL},
    {"example.com:443", -1, NULL, NULL},
    {"", -1, NULL, NULL},
    {"p.gif", -1, NULL, NULL},
    {"?a=b", -1, NULL, NULL},
    {"ftp://h/p", -1, NULL, NULL},
    {"http:/h/p", -1, NULL, NULL},
    {"http:", -1, NULL, NULL},
    {"https:/", -1, NULL, NULL},
    {"httpx://h/p", -1, NULL, NULL},
};

static void test_request__split_target(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof target_cases / sizeof *target_cases; i++) {
        const struct target_case *c = &target_cases[i];
        size_t len = strlen(c->target);
        /* Own block of exactly len bytes: ASan sees any read past it. */
        char *t = malloc(len ? len : 1);
        struct span path = {NULL, 0}, query = {NULL, 0};
        int rc;

        assert_non_null(t);
        memcpy(t, c->target, len);
        rc = request_split_target(span_make(t, len), &path, &query);
        if (rc != c->rc) {
            fail_msg("\"%s\": rc %d, want %d", c->target, rc, c->rc);
        }
        if (rc == 0) {
            if (!span_eq(path, c->path) || !span_eq(query, c->query)) {
                fail_msg("\"%s\": path \"%.*s\" query \"%.*s\", want \"%s\" "
                         "\"%s\"",
                         c->target, (int)path.len, path.p, (int)query.len,
                         query.p, c->path, c->query);
            }
            /* The query is a view into the target (empty or not). */
            assert_true(query.p >= t && query.p + query.len <= t + len);
            if (c->target[0] == '/') {
                assert_ptr_equal(path.p, t);
            }
        }
        free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request__header_id_known),
        cmocka_unit_test(test_request__header_id_every_entry),
        cmocka_unit_test(test_request__header_id_unknown),
        cmocka_unit_test(test_request__split_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
