/*
 * test_http.c: HTTP/1.1 request framing (collector/http/http.c) driven
 * directly: bytes are written into http_space() and framed with http_feed(),
 * split in every way a socket could split them, against the limits of SPEC 2.8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/http/http.h"

static const struct http_limits small = {
    .max_request_line = 64,
    .max_header_bytes = 256,
    .max_headers = 8,
    .max_body = 128,
};

#define MAX_REQS 16
#define MAX_TEXT 512

/* A copy of what one request callback saw. */
struct seen_span {
    int set; /* p != NULL */
    size_t len;
    char text[MAX_TEXT];
};

struct seen {
    int method;
    struct seen_span target, path, query;
    struct seen_span header[HDR_COUNT];
    int keep_alive;
    int http_minor;
};

struct sink {
    struct http_framer *h;
    int n;
    struct seen reqs[MAX_REQS];
    int stop_at; /* call http_stop() in request number stop_at (1-based) */
    int soft;    /* count views outside the buffer instead of failing */
    int bad_views;
};

/* Every view must lie inside the bytes the framer holds. */
static void check_view(const struct http_framer *h, struct span s)
{
    if (s.p == NULL) {
        assert_int_equal(s.len, 0);
        return;
    }
    assert_true(s.p >= h->buf);
    assert_true(s.p + s.len <= h->buf + h->len);
}

static int view_inside(const struct http_framer *h, struct span s)
{
    return s.p == NULL ? s.len == 0
                       : s.p >= h->buf && s.p + s.len <= h->buf + h->len;
}

static void copy_span(struct sink *k, struct seen_span *d, struct span s,
                      int check)
{
    if (check && k->soft && !view_inside(k->h, s)) {
        k->bad_views++;
        s.len = 0; /* do not copy bytes that are not there */
    } else if (check) {
        check_view(k->h, s);
    }
    d->set = s.p != NULL;
    d->len = s.len;
    assert_true(s.len < MAX_TEXT);
    if (s.len > 0) {
        memcpy(d->text, s.p, s.len);
    }
    d->text[s.len] = '\0';
}

static void on_request(void *arg, const struct request *r)
{
    struct sink *k = arg;
    assert_true(k->n < MAX_REQS);
    struct seen *s = &k->reqs[k->n++];
    memset(s, 0, sizeof(*s));
    s->method = r->method;
    copy_span(k, &s->target, r->target, 1);
    /* request.h: the path "/" of an absolute-form target without one is a
     * static string; every other view is inside the buffer. */
    copy_span(
        k, &s->path, r->path,
        !(r->target.len > 0 && r->target.p[0] != '/' && span_eq(r->path, "/")));
    copy_span(k, &s->query, r->query, 1);
    for (int i = 0; i < HDR_COUNT; i++) {
        copy_span(k, &s->header[i], r->header[i], 1);
    }
    s->keep_alive = r->keep_alive;
    s->http_minor = r->http_minor;
    if (k->n == k->stop_at) {
        http_stop(k->h);
    }
}

static void start(struct http_framer *h, struct sink *k,
                  const struct http_limits *l, size_t initial, size_t max)
{
    memset(k, 0, sizeof(*k));
    k->h = h;
    assert_int_equal(http_init(h, l, initial, max, on_request, k), 0);
    assert_int_equal(h->cap, initial);
}

/* One read of exactly len bytes (the space must hold them). */
static enum http_result feed1(struct http_framer *h, const void *data,
                              size_t len)
{
    size_t room;
    char *w = http_space(h, &room);
    assert_true(room >= len);
    memcpy(w, data, len);
    enum http_result res = http_feed(h, len);
    assert_true(h->len <= h->cap && h->cap <= h->max_cap);
    return res;
}

/* Reads of at most `chunk` bytes (and at most the space offered) until all
 * of data is in or the framer stops. *left gets the bytes not fed. */
static enum http_result feed_all(struct http_framer *h, const void *data,
                                 size_t len, size_t chunk, size_t *left)
{
    const char *p = data;
    enum http_result res = HTTP_FEED_OK;

    while (len > 0) {
        size_t room;
        char *w = http_space(h, &room);
        assert_true(h->len <= h->cap && h->cap <= h->max_cap);
        if (room == 0) {
            break;
        }
        size_t n = len < room ? len : room;
        n = n < chunk ? n : chunk;
        memcpy(w, p, n);
        p += n;
        len -= n;
        res = http_feed(h, n);
        assert_true(h->len <= h->cap && h->cap <= h->max_cap);
        if (res != HTTP_FEED_OK) {
            break;
        }
    }
    if (left != NULL) {
        *left = len;
    }
    return res;
}

static enum http_result feed_str(struct http_framer *h, const char *s)
{
    size_t left;
    enum http_result res = feed_all(h, s, strlen(s), SIZE_MAX, &left);
    assert_int_equal(left, 0);
    return res;
}

static void assert_span(const struct seen_span *s, const char *want)
{
    if (want == NULL) {
        assert_int_equal(s->set, 0);
        return;
    }
    assert_int_equal(s->set, 1);
    assert_string_equal(s->text, want);
    assert_int_equal(s->len, strlen(want));
}

/* 1 when a and b saw the same requests. */
static int same_requests(const struct sink *a, const struct sink *b)
{
    if (a->n != b->n) {
        return 0;
    }
    for (int i = 0; i < a->n; i++) {
        const struct seen *x = &a->reqs[i], *y = &b->reqs[i];
        if (x->method != y->method || x->keep_alive != y->keep_alive ||
            x->http_minor != y->http_minor) {
            return 0;
        }
        const struct seen_span *xs[3 + HDR_COUNT], *ys[3 + HDR_COUNT];
        xs[0] = &x->target, ys[0] = &y->target;
        xs[1] = &x->path, ys[1] = &y->path;
        xs[2] = &x->query, ys[2] = &y->query;
        for (int j = 0; j < HDR_COUNT; j++) {
            xs[3 + j] = &x->header[j];
            ys[3 + j] = &y->header[j];
        }
        for (int j = 0; j < 3 + HDR_COUNT; j++) {
            if (xs[j]->set != ys[j]->set || xs[j]->len != ys[j]->len ||
                strcmp(xs[j]->text, ys[j]->text) != 0) {
                return 0;
            }
        }
    }
    return 1;
}

static void assert_same(const struct sink *a, const struct sink *b)
{
    assert_int_equal(a->n, b->n);
    assert_true(same_requests(a, b));
}

static const char simple_get[] = "GET /p.gif?s=blog&u=%2Fdocs HTTP/1.1\r\n"
                                 "Host: example.com\r\n"
                                 "User-Agent: Mozilla/5.0 (X11)  \t \r\n"
                                 "Referer:   https://example.com/a\r\n"
                                 "X-Other: 1\r\n"
                                 "\r\n";

static void test_http__simple_get(void **state)
{
    struct http_framer h;
    struct sink k;
    (void)state;

    start(&h, &k, &small, 1024, 1024);
    assert_int_equal(http_idle(&h), 1);
    assert_int_equal(http_in_head(&h), 0);
    assert_int_equal(feed_str(&h, simple_get), HTTP_FEED_OK);
    assert_int_equal(k.n, 1);
    const struct seen *r = &k.reqs[0];
    assert_int_equal(r->method, HTTP_GET);
    assert_span(&r->target, "/p.gif?s=blog&u=%2Fdocs");
    assert_span(&r->path, "/p.gif");
    assert_span(&r->query, "s=blog&u=%2Fdocs");
    assert_span(&r->header[HDR_HOST], "example.com");
    assert_span(&r->header[HDR_USER_AGENT], "Mozilla/5.0 (X11)");
    assert_span(&r->header[HDR_REFERER], "https://example.com/a");
    for (int i = HDR_DNT; i < HDR_COUNT; i++) {
        assert_span(&r->header[i], NULL);
    }
    assert_int_equal(r->keep_alive, 1);
    assert_int_equal(r->http_minor, 1);
    assert_int_equal(h.status, 0);
    assert_int_equal(http_idle(&h), 1);
    assert_int_equal(http_in_head(&h), 0);
    assert_int_equal(h.len, 0); /* finished bytes are dropped */
    http_deinit(&h);
}

static void test_http__header_names_and_values(void **state)
{
    struct http_framer h;
    struct sink k;
    (void)state;

    start(&h, &k, &small, 1024, 1024);
    assert_int_equal(feed_str(&h, "GET /p HTTP/1.1\r\n"
                                  "hOsT: first.example\r\n"
                                  "HOST: second.example\r\n"
                                  "user-AGENT: ua \r\n"
                                  "dnt: 1\r\n"
                                  "SEC-GPC:1\r\n"
                                  "Cookie: a=b; c=d\t\r\n"
                                  "X-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n"
                                  "Sec-Purpose: prefetch;anonymous\r\n"
                                  "\r\n"),
                     HTTP_FEED_OK);
    assert_int_equal(k.n, 1);
    const struct seen *r = &k.reqs[0];
    assert_span(&r->header[HDR_HOST], "first.example");
    assert_span(&r->header[HDR_USER_AGENT], "ua");
    assert_span(&r->header[HDR_DNT], "1");
    assert_span(&r->header[HDR_SEC_GPC], "1");
    assert_span(&r->header[HDR_COOKIE], "a=b; c=d");
    assert_span(&r->header[HDR_X_FORWARDED_FOR], "10.0.0.1, 10.0.0.2");
    assert_span(&r->header[HDR_SEC_PURPOSE], "prefetch;anonymous");
    assert_span(&r->header[HDR_PURPOSE], NULL);
    assert_span(&r->header[HDR_REFERER], NULL);
    assert_span(&r->path, "/p");
    assert_span(&r->query, "");
    http_deinit(&h);
}

/* An empty value is present (not absent) and still a view into the
 * request, even after an earlier request had long headers. */
static void test_http__empty_header_value(void **state)
{
    struct http_framer h;
    struct sink k;
    char first[400];
    (void)state;

    start(&h, &k, &small, 1024, 1024);
    snprintf(first, sizeof first,
             "GET /a HTTP/1.1\r\nX-Long: %0200d\r\nReferer: r\r\n\r\n", 0);
    assert_int_equal(feed_str(&h, first), HTTP_FEED_OK);
    assert_int_equal(feed_str(&h, "GET /b HTTP/1.1\r\nDNT:\r\nReferer: \r\n"
                                  "Host:x\r\n\r\n"),
                     HTTP_FEED_OK);
    assert_int_equal(k.n, 2);
    assert_span(&k.reqs[1].header[HDR_DNT], "");
    assert_span(&k.reqs[1].header[HDR_REFERER], "");
    assert_span(&k.reqs[1].header[HDR_HOST], "x");
    http_deinit(&h);
}

static const char pipelined[] =
    "GET /p.gif?s=a&u=%2F HTTP/1.1\r\n"
    "Host: a.example\r\n"
    "User-Agent: one\r\n"
    "\r\n"
    "HEAD /p?s=b HTTP/1.1\r\n"
    "Host: b.example\r\n"
    "\r\n"
    "POST /e HTTP/1.1\r\n"
    "Host: c.example\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 5\r\n"
    "\r\n"
    "hello"
    "POST /e?x HTTP/1.1\r\n"
    "Transfer-Encoding: chunked\r\n"
    "Referer: chunked\r\n"
    "\r\n"
    "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: t\r\n\r\n"
    "GET http://d.example/x?y HTTP/1.0\r\n"
    "\r\n";

static void check_pipelined(const struct sink *k)
{
    assert_int_equal(k->n, 5);
    assert_int_equal(k->reqs[0].method, HTTP_GET);
    assert_span(&k->reqs[0].path, "/p.gif");
    assert_span(&k->reqs[0].query, "s=a&u=%2F");
    assert_span(&k->reqs[0].header[HDR_HOST], "a.example");
    assert_span(&k->reqs[0].header[HDR_USER_AGENT], "one");
    assert_int_equal(k->reqs[1].method, HTTP_HEAD);
    assert_span(&k->reqs[1].path, "/p");
    assert_span(&k->reqs[1].query, "s=b");
    assert_span(&k->reqs[1].header[HDR_HOST], "b.example");
    assert_span(&k->reqs[1].header[HDR_USER_AGENT], NULL);
    assert_int_equal(k->reqs[2].method, HTTP_POST);
    assert_span(&k->reqs[2].path, "/e");
    assert_span(&k->reqs[2].header[HDR_CONTENT_TYPE], "text/plain");
    assert_span(&k->reqs[2].header[HDR_HOST], "c.example");
    assert_int_equal(k->reqs[3].method, HTTP_POST);
    assert_span(&k->reqs[3].query, "x");
    assert_span(&k->reqs[3].header[HDR_REFERER], "chunked");
    assert_span(&k->reqs[3].header[HDR_HOST], NULL);
    assert_int_equal(k->reqs[3].keep_alive, 1);
    assert_int_equal(k->reqs[4].method, HTTP_GET);
    assert_span(&k->reqs[4].target, "http://d.example/x?y");
    assert_span(&k->reqs[4].path, "/x");
    assert_span(&k->reqs[4].query, "y");
    assert_int_equal(k->reqs[4].http_minor, 0);
    assert_int_equal(k->reqs[4].keep_alive, 0);
}

static void test_http__pipelined_in_order(void **state)
{
    struct http_framer h;
    struct sink k;
    (void)state;

    start(&h, &k, &small, 1024, 1024);
    assert_int_equal(feed1(&h, pipelined, sizeof pipelined - 1), HTTP_FEED_OK);
    check_pipelined(&k);
    assert_int_equal(http_idle(&h), 1);
    http_deinit(&h);
}

/* Two reads, split at every position: the same requests. */
static void test_http__split_everywhere(void **state)
{
    struct http_framer ref, h;
    struct sink rk, k;
    const size_t len = sizeof pipelined - 1;
    (void)state;

    start(&ref, &rk, &small, 1024, 1024);
    assert_int_equal(feed1(&ref, pipelined, len), HTTP_FEED_OK);
    check_pipelined(&rk);
    for (size_t at = 0; at <= len; at++) {
        start(&h, &k, &small, 1024, 1024);
        assert_int_equal(feed1(&h, pipelined, at), HTTP_FEED_OK);
        assert_int_equal(feed1(&h, pipelined + at, len - at), HTTP_FEED_OK);
        assert_same(&rk, &k);
        assert_int_equal(http_idle(&h), 1);
        http_deinit(&h);
    }
    http_deinit(&ref);
}

/* Three reads of a simple request, split at every pair of positions. */
static void test_http__split_three_ways(void **state)
{
    struct http_framer ref, h;
    struct sink rk, k;
    const size_t len = sizeof simple_get - 1;
    (void)state;

    start(&ref, &rk, &small, 1024, 1024);
    assert_int_equal(feed1(&ref, simple_get, len), HTTP_FEED_OK);
    assert_int_equal(rk.n, 1);
    for (size_t i = 0; i <= len; i++) {
        for (size_t j = i; j <= len; j++) {
            start(&h, &k, &small, 1024, 1024);
            assert_int_equal(feed1(&h, simple_get, i), HTTP_FEED_OK);
            assert_int_equal(feed1(&h, simple_get + i, j - i), HTTP_FEED_OK);
            assert_int_equal(feed1(&h, simple_get + j, len - j), HTTP_FEED_OK);
            assert_same(&rk, &k);
            http_deinit(&h);
        }
    }
    http_deinit(&ref);
}

static void test_http__byte_by_byte(void **state)
{
    struct http_framer h;
    struct sink k;
    size_t left;
    (void)state;

    /* A small buffer that has to grow and compact on the way. */
    start(&h, &k, &small, 16, 512);
    assert_int_equal(feed_all(&h, pipelined, sizeof pipelined - 1, 1, &left),
                     HTTP_FEED_OK);
    assert_int_equal(left, 0);
    check_pipelined(&k);
    assert_int_equal(http_idle(&h), 1);
    http_deinit(&h);
}

static void expect_error(const struct http_limits *l, const char *bytes,
                         size_t chunk, int status)
{
    struct http_framer h;
    struct sink k;
    size_t left;

    start(&h, &k, l, 64, 4096);
    enum http_result res = feed_all(&h, bytes, strlen(bytes), chunk, &left);
    if (res != HTTP_FEED_ERROR || h.status != status) {
        fail_msg("result %d status %d (%s), want error %d for: %s", res,
                 h.status, h.why ? h.why : "-", status, bytes);
    }
    assert_int_equal(k.n, 0);
    assert_non_null(h.why);
    http_deinit(&h);
}

static void expect_ok(const struct http_limits *l, const char *bytes,
                      size_t chunk, int n_requests)
{
    struct http_framer h;
    struct sink k;
    size_t left;

    start(&h, &k, l, 64, 4096);
    enum http_result res = feed_all(&h, bytes, strlen(bytes), chunk, &left);
    if (res != HTTP_FEED_OK || left != 0) {
        fail_msg("result %d status %d (%s), want OK for: %s", res, h.status,
                 h.why ? h.why : "-", bytes);
    }
    assert_int_equal(k.n, n_requests);
    assert_int_equal(h.status, 0);
    http_deinit(&h);
}

/* "GET <target> HTTP/1.1\r\nHost: h\r\n\r\n" with a target of len bytes. */
static char *get_with_target(size_t len)
{
    char *s = malloc(len + 64);
    assert_non_null(s);
    memcpy(s, "GET /", 5);
    memset(s + 5, 'a', len - 1);
    strcpy(s + 4 + len, " HTTP/1.1\r\nHost: h\r\n\r\n");
    return s;
}

static void test_http__request_line_too_long(void **state)
{
    (void)state;
    char *ok = get_with_target(40);
    char *bad = get_with_target(65);
    char *huge = get_with_target(3000);

    expect_ok(&small, ok, SIZE_MAX, 1);
    expect_ok(&small, ok, 1, 1);
    expect_error(&small, bad, SIZE_MAX, 414);
    expect_error(&small, bad, 1, 414);
    expect_error(&small, bad, 7, 414);
    /* Refused while it arrives: the buffer never holds all of it. */
    huge[2000] = '\0';
    expect_error(&small, huge, 32, 414);
    free(ok);
    free(bad);
    free(huge);
}

/*
 * max_request_line bounds the request line, "GET /... HTTP/1.1" (SPEC 2.8
 * "Request line over 8 KiB: 414"), not only its target.
 */
static void test_http__request_line_limit_is_whole_line(void **state)
{
    (void)state;
    /* "GET " + target + " HTTP/1.1" = 4 + len + 9 */
    char *exact = get_with_target(64 - 13);
    char *over = get_with_target(64 - 12);

    expect_ok(&small, exact, SIZE_MAX, 1);
    expect_error(&small, over, SIZE_MAX, 414);
    free(exact);
    free(over);
}

/* A GET with n header lines of `size` bytes each (without CRLF). */
static char *get_with_headers(int n, size_t size)
{
    size_t cap = 64 + (size_t)n * (size + 2);
    char *s = malloc(cap);
    size_t len;
    assert_non_null(s);
    assert_true(size >= 9);
    len = (size_t)snprintf(s, cap, "GET /p HTTP/1.1\r\n");
    for (int i = 0; i < n; i++) {
        len += (size_t)snprintf(s + len, cap - len, "X-H%03d: ", i);
        memset(s + len, 'v', size - 8);
        len += size - 8;
        memcpy(s + len, "\r\n", 2);
        len += 2;
    }
    memcpy(s + len, "\r\n", 3);
    return s;
}

static void test_http__header_block_too_large(void **state)
{
    (void)state;
    struct http_limits l = small;
    l.max_headers = 100;
    /* Lines of 40 bytes and their CRLF against max_header_bytes = 256. */
    char *under = get_with_headers(5, 40); /* 5 x 42 = 210 bytes */
    char *over = get_with_headers(7, 40);  /* 7 x 42 = 294 bytes */
    char *one_big = get_with_headers(1, 300);
    char *huge = get_with_headers(100, 40); /* 4200 bytes */

    expect_ok(&l, under, SIZE_MAX, 1);
    expect_ok(&l, under, 1, 1);
    expect_error(&l, over, SIZE_MAX, 431);
    expect_error(&l, over, 1, 431);
    expect_error(&l, one_big, SIZE_MAX, 431);
    expect_error(&l, one_big, 3, 431);
    expect_error(&l, huge, 50, 431);
    free(under);
    free(over);
    free(one_big);
    free(huge);
}

static void test_http__too_many_headers(void **state)
{
    (void)state;
    char *exact = get_with_headers(8, 10);
    char *over = get_with_headers(9, 10);

    expect_ok(&small, exact, SIZE_MAX, 1);
    expect_ok(&small, exact, 1, 1);
    expect_error(&small, over, SIZE_MAX, 431);
    expect_error(&small, over, 1, 431);
    free(exact);
    free(over);
}

struct bad_case {
    const char *what;
    const char *bytes;
};

/* SPEC 2.8: 400 and close. */
static const struct bad_case framing_400[] = {
    {"CL and TE", "POST /e HTTP/1.1\r\nContent-Length: 5\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
    {"TE and CL", "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                  "Content-Length: 5\r\n\r\n0\r\n\r\n"},
    {"duplicate CL, same value",
     "POST /e HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n"
     "abc"},
    {"duplicate CL, other value",
     "POST /e HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"
     "abcd"},
    {"CL list", "POST /e HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc"},
    {"CL not a number", "POST /e HTTP/1.1\r\nContent-Length: x\r\n\r\n"},
    {"TE gzip", "POST /e HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nabc"},
    {"TE identity",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\nabc"},
    {"TE chunked then gzip",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
     "0\r\n\r\n"},
    {"TE gzip then chunked",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
     "0\r\n\r\n"},
    {"TE chunked, then TE gzip",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
     "Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n"},
    {"TE chunked twice in one field",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"
     "0\r\n\r\n"},
    {"TE empty", "POST /e HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n0\r\n\r\n"},
    {"bad chunk size",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n"},
    {"chunk longer than its size",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     "3\r\nabcdef\r\n0\r\n\r\n"},
    {"chunk data followed by CR only",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     "3\r\nabc\rX0\r\n\r\n"},
    {"chunk data followed by LF CR",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     "3\r\nabc\n\r0\r\n\r\n"},
    {"chunk without CRLF",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     "3\r\nabc0\r\n\r\n"},
    {"obs-fold", "GET /p HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n"},
    {"obs-fold, tab", "GET /p HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n"},
    {"obs-fold on a known header",
     "GET /p HTTP/1.1\r\nUser-Agent: a\r\n b\r\n\r\n"},
    {"obs-fold after an empty value",
     "GET /p HTTP/1.1\r\nUser-Agent:\r\n b\r\n\r\n"},
    {"obs-fold after a blank value", "GET /p HTTP/1.1\r\nX-A: \r\n b\r\n\r\n"},
    {"bad header name", "GET /p HTTP/1.1\r\nHo(st: h\r\n\r\n"},
    {"header without colon", "GET /p HTTP/1.1\r\nHost\r\n\r\n"},
    {"bad version", "GET /p HTTP/1.x\r\n\r\n"},
    {"space in target", "GET /p q HTTP/1.1\r\n\r\n"},
    {"control byte in target", "GET /p\001 HTTP/1.1\r\n\r\n"},
    {"bare LF in value", "GET /p HTTP/1.1\r\nX-A: a\nb\r\n\r\n"},
};

/* Frames bytes in reads of `chunk`; 1 when it ends in error `status` with
 * no request delivered, else prints why and returns 0. */
static int gives_error(const struct http_limits *l, const char *what,
                       const char *bytes, size_t chunk, int status)
{
    struct http_framer h;
    struct sink k;
    size_t left;
    int ok;

    start(&h, &k, l, 64, 4096);
    enum http_result res = feed_all(&h, bytes, strlen(bytes), chunk, &left);
    ok = res == HTTP_FEED_ERROR && h.status == status && k.n == 0;
    if (!ok) {
        print_message("%s (reads of %zu): result %d, status %d, %d "
                      "request(s); want error %d\n",
                      what, chunk == SIZE_MAX ? strlen(bytes) : chunk, res,
                      h.status, k.n, status);
    }
    http_deinit(&h);
    return ok;
}

static void test_http__framing_errors(void **state)
{
    int failed = 0;
    (void)state;

    for (size_t i = 0; i < sizeof framing_400 / sizeof *framing_400; i++) {
        const struct bad_case *c = &framing_400[i];
        failed += !gives_error(&small, c->what, c->bytes, SIZE_MAX, 400);
        failed += !gives_error(&small, c->what, c->bytes, 1, 400);
    }
    if (failed > 0) {
        fail_msg("%d framing case(s) not refused with 400", failed);
    }
}

/* RFC 9112 5.1: "A server MUST reject, with a response status code of 400
 * (Bad Request), any received request message that contains whitespace
 * between a header field name and colon." Otherwise "Host : evil" is a
 * Host header to some proxies and an unknown one here. */
static void test_http__space_before_colon(void **state)
{
    int failed = 0;
    (void)state;

    failed +=
        !gives_error(&small, "space before colon",
                     "GET /p HTTP/1.1\r\nHost : h\r\n\r\n", SIZE_MAX, 400);
    failed +=
        !gives_error(&small, "tab before colon",
                     "GET /p HTTP/1.1\r\nHost\t: h\r\n\r\n", SIZE_MAX, 400);
    failed += !gives_error(&small, "space before colon, CL",
                           "POST /e HTTP/1.1\r\nContent-Length : 3\r\n\r\n"
                           "abc",
                           SIZE_MAX, 400);
    if (failed > 0) {
        fail_msg("%d case(s) not refused with 400", failed);
    }
}

/* request.h: http_minor is 0 or 1, the framer frames HTTP/1.x. A
 * version-less (HTTP/0.9) request line is refused, or at least not passed
 * on as HTTP/1.x with some other minor. */
static void test_http__http09_request_line(void **state)
{
    struct http_framer h;
    struct sink k;
    (void)state;

    start(&h, &k, &small, 256, 1024);
    enum http_result res = feed_str(&h, "GET /p.gif?s=a\r\n\r\n");
    if (res == HTTP_FEED_ERROR) {
        assert_int_equal(h.status, 400);
        assert_int_equal(k.n, 0);
    } else {
        assert_int_equal(k.n, 1);
        if (k.reqs[0].http_minor != 0 && k.reqs[0].http_minor != 1) {
            fail_msg("HTTP/0.9 request framed with http_minor = %d",
                     k.reqs[0].http_minor);
        }
    }
    http_deinit(&h);
}

/* The good neighbours of the cases above. */
static void test_http__framing_accepted(void **state)
{
    (void)state;
    static const char *const good[] = {
        "POST /e HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
        "POST /e HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
        "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n0\r\n\r\n",
        "POST /e HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n",
        "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "A\r\n0123456789\r\n0\r\n\r\n",
        "GET /p HTTP/1.1\r\nX-A:a\r\nX-B: \t b \t\r\n\r\n",
        "\r\nGET /p HTTP/1.1\r\n\r\n", /* a stray CRLF before a request */
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        expect_ok(&small, good[i], SIZE_MAX, 1);
        expect_ok(&small, good[i], 1, 1);
    }
}

static void check_unknown_method(const char *bytes, const char *target,
                                 size_t chunk)
{
    struct http_framer h;
    struct sink k;
    size_t left;

    start(&h, &k, &small, 256, 1024);
    enum http_result res = feed_all(&h, bytes, strlen(bytes), chunk, &left);
    assert_int_equal(res, HTTP_FEED_ERROR);
    if (h.status != 405) {
        fail_msg("status %d (%s), want 405 for %s fed %zu bytes at a time",
                 h.status, h.why ? h.why : "-", bytes, chunk);
    }
    assert_int_equal(h.unknown_method, 1);
    assert_true(h.bad_target_off + h.bad_target_len <= h.len);
    assert_int_equal(h.bad_target_len, strlen(target));
    assert_memory_equal(h.buf + h.bad_target_off, target, strlen(target));
    assert_int_equal(k.n, 0);
    http_deinit(&h);
}

static void test_http__unknown_method(void **state)
{
    struct http_framer h;
    struct sink k;
    (void)state;

    check_unknown_method("FOO /p.gif HTTP/1.1\r\nHost: h\r\n\r\n", "/p.gif",
                         SIZE_MAX);
    check_unknown_method("BREW /p?s=a HTTP/1.1\r\n\r\n", "/p?s=a", SIZE_MAX);
    check_unknown_method("GETS /p.gif HTTP/1.1\r\n\r\n", "/p.gif", SIZE_MAX);
    check_unknown_method("PATCHY /x HTTP/1.1\r\n\r\n", "/x", SIZE_MAX);

    /* After a good request in the same read: the offsets are absolute. */
    start(&h, &k, &small, 256, 1024);
    const char *two = "GET /a HTTP/1.1\r\n\r\nFOO /p.gif HTTP/1.1\r\n\r\n";
    assert_int_equal(feed_str(&h, two), HTTP_FEED_ERROR);
    assert_int_equal(k.n, 1);
    assert_span(&k.reqs[0].path, "/a");
    assert_int_equal(h.status, 405);
    assert_int_equal(h.unknown_method, 1);
    assert_int_equal(h.bad_target_len, 6);
    assert_memory_equal(h.buf + h.bad_target_off, "/p.gif", 6);
    http_deinit(&h);

    /* Not a request line at all: 400. */
    static const char *const not_lines[] = {
        "FOO\r\n\r\n",
        "FOO /p.gif\r\n\r\n",
        "F(O /p.gif HTTP/1.1\r\n\r\n",
        " GET /p HTTP/1.1\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof not_lines / sizeof *not_lines; i++) {
        start(&h, &k, &small, 256, 1024);
        assert_int_equal(feed_str(&h, not_lines[i]), HTTP_FEED_ERROR);
        assert_int_equal(h.status, 400);
        assert_int_equal(h.unknown_method, 0);
        http_deinit(&h);
    }
}

/* The answer to an unknown method must not depend on how the request line
 * was split between reads, also when its first bytes begin a known method
 * ("GE" of GET, "POS" of POST). */
static void test_http__unknown_method_split(void **state)
{
    static const char *const reqs[] = {
        "FOO /p.gif HTTP/1.1\r\nHost: h\r\n\r\n",
        "G /p.gif HTTP/1.1\r\nHost: h\r\n\r\n",
        "GE /p.gif HTTP/1.1\r\nHost: h\r\n\r\n",
        "GETS /p.gif HTTP/1.1\r\nHost: h\r\n\r\n",
        "POS /p.gif HTTP/1.1\r\nHost: h\r\n\r\n",
        "PATC /p.gif HTTP/1.1\r\n\r\n",
        "M-SEARC /p.gif HTTP/1.1\r\n\r\n",
    };
    char bad[1024] = "";
    size_t n_bad = 0, blen = 0;
    (void)state;

    for (size_t r = 0; r < sizeof reqs / sizeof *reqs; r++) {
        const char *req = reqs[r];
        check_unknown_method(req, "/p.gif", SIZE_MAX);
        for (size_t at = 1; at < strlen(req); at++) {
            struct http_framer h;
            struct sink k;
            start(&h, &k, &small, 256, 1024);
            enum http_result res = feed1(&h, req, at);
            if (res == HTTP_FEED_OK) {
                res = feed1(&h, req + at, strlen(req) - at);
            }
            if (res != HTTP_FEED_ERROR || h.status != 405 ||
                h.bad_target_len != 6 ||
                memcmp(h.buf + h.bad_target_off, "/p.gif", 6) != 0) {
                n_bad++;
                if (blen < sizeof bad - 40) {
                    blen += (size_t)snprintf(bad + blen, sizeof bad - blen,
                                             " [%.*s][rest]:%d", (int)at, req,
                                             h.status);
                }
            }
            http_deinit(&h);
        }
        /* Byte by byte. */
        struct http_framer h;
        struct sink k;
        size_t left;
        start(&h, &k, &small, 256, 1024);
        enum http_result res = feed_all(&h, req, strlen(req), 1, &left);
        if (res != HTTP_FEED_ERROR || h.status != 405) {
            n_bad++;
            if (blen < sizeof bad - 40) {
                blen += (size_t)snprintf(bad + blen, sizeof bad - blen,
                                         " \"%.8s...\" byte by byte:%d", req,
                                         h.status);
            }
        }
        http_deinit(&h);
    }
    if (n_bad > 0) {
        fail_msg("%zu split(s) answered other than 405 ([first read][second "
                 "read]:status):%s",
                 n_bad, bad);
    }
}

static const char trailer_req[] =
    "POST /e HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5\r\nhello\r\n0\r\n"
    "X-Checksum: 0123456789abcdef0123456789abcdef\r\n"
    "Referer: https://trailer.example/\r\n"
    "\r\n"
    "GET /next HTTP/1.1\r\n\r\n";

/*
 * Trailer fields of a chunked body (RFC 9112 7.1.2) arrive after body bytes
 * that the framer drops between reads; a trailer cut by a read must frame
 * as when it came in one read, with every view inside the buffer (the
 * callback checks that).
 */
static void test_http__trailer_split(void **state)
{
    const size_t len = sizeof trailer_req - 1;
    struct http_framer ref, h;
    struct sink rk, k;
    char bad[2048] = "";
    size_t blen = 0;
    int n_bad = 0;
    (void)state;

    start(&ref, &rk, &small, 1024, 1024);
    assert_int_equal(feed1(&ref, trailer_req, len), HTTP_FEED_OK);
    assert_int_equal(rk.n, 2);
    assert_span(&rk.reqs[0].header[HDR_HOST], "h");
    assert_span(&rk.reqs[1].path, "/next");
    for (size_t at = 1; at < len; at++) {
        start(&h, &k, &small, 1024, 1024);
        k.soft = 1;
        enum http_result res = feed1(&h, trailer_req, at);
        if (res == HTTP_FEED_OK) {
            res = feed1(&h, trailer_req + at, len - at);
        }
        if (res != HTTP_FEED_OK || k.bad_views > 0 || !same_requests(&rk, &k)) {
            n_bad++;
            if (blen < sizeof bad - 32) {
                blen += (size_t)snprintf(bad + blen, sizeof bad - blen,
                                         " %zu:%d/%d%s", at, res, h.status,
                                         k.bad_views ? "/view" : "");
            }
        }
        http_deinit(&h);
    }
    http_deinit(&ref);
    if (n_bad > 0) {
        fail_msg("%d split point(s) framed otherwise than one read "
                 "(at:result/status[/view: a view outside the buffer]):%s",
                 n_bad, bad);
    }
}

/* RFC 9110 6.5.1: trailer fields are not merged into the header section;
 * a request without a Referer header has none, whatever its trailer says. */
static void test_http__trailers_are_not_headers(void **state)
{
    struct http_framer h;
    struct sink k;
    (void)state;

    start(&h, &k, &small, 1024, 1024);
    assert_int_equal(feed1(&h, trailer_req, sizeof trailer_req - 1),
                     HTTP_FEED_OK);
    assert_int_equal(k.n, 2);
    assert_span(&k.reqs[0].header[HDR_HOST], "h");
    assert_span(&k.reqs[0].header[HDR_REFERER], NULL);
    http_deinit(&h);
}

/* The target of a refused request, for the answer's headers: known once
 * the request line is whole, whatever the chunking; empty before. */
static void expect_error_target(const char *bytes, size_t chunk, int status,
                                const char *target)
{
    struct http_framer h;
    struct sink k;
    size_t left;

    start(&h, &k, &small, 64, 4096);
    enum http_result res = feed_all(&h, bytes, strlen(bytes), chunk, &left);
    assert_int_equal(res, HTTP_FEED_ERROR);
    assert_int_equal(h.status, status);
    struct span t = http_error_target(&h);
    if (target == NULL) {
        assert_null(t.p);
    } else {
        assert_non_null(t.p);
        assert_int_equal(t.len, strlen(target));
        assert_memory_equal(t.p, target, t.len);
    }
    http_deinit(&h);
}

static void test_http__error_target(void **state)
{
    char body[200];
    char req[512];
    (void)state;

    memset(body, 'b', sizeof body);
    for (size_t chunk = 1; chunk <= 64; chunk *= 4) {
        expect_error_target("POST /e?x=1 HTTP/1.1\r\n"
                            "Content-Length: 129\r\n\r\n",
                            chunk, 413, "/e?x=1");
        snprintf(req, sizeof req,
                 "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "81\r\n%.129s\r\n0\r\n\r\n",
                 body);
        expect_error_target(req, chunk, 413, "/e");
        expect_error_target("GET /p.gif HTTP/1.1\r\nX: a\r\n b\r\n\r\n", chunk,
                            400, "/p.gif");
        expect_error_target("FOO /e HTTP/1.1\r\n\r\n", chunk, 405, "/e");
        /* the line never ended: no target */
        expect_error_target("GET /e\x01 HTTP/1.1\r\n\r\n", chunk, 400, NULL);
    }
}

static void test_http__body_too_large(void **state)
{
    char req[1024];
    char body[300];
    (void)state;

    memset(body, 'b', sizeof body);
    /* Declared: refused at the end of the head, before any body byte. */
    snprintf(req, sizeof req,
             "POST /e HTTP/1.1\r\nContent-Length: 129\r\n\r\n");
    expect_error(&small, req, SIZE_MAX, 413);
    snprintf(req, sizeof req,
             "POST /e HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n");
    expect_error(&small, req, SIZE_MAX, 413);
    snprintf(req, sizeof req,
             "POST /e HTTP/1.1\r\nContent-Length: 128\r\n\r\n"
             "%.128s",
             body);
    expect_ok(&small, req, SIZE_MAX, 1);
    expect_ok(&small, req, 1, 1);

    /* Chunked: counted as it arrives. */
    snprintf(req, sizeof req,
             "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
             "81\r\n%.129s\r\n0\r\n\r\n",
             body);
    expect_error(&small, req, SIZE_MAX, 413);
    expect_error(&small, req, 5, 413);
    snprintf(req, sizeof req,
             "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
             "40\r\n%.64s\r\n40\r\n%.64s\r\n1\r\nb\r\n0\r\n\r\n",
             body, body);
    expect_error(&small, req, SIZE_MAX, 413);
    snprintf(req, sizeof req,
             "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
             "40\r\n%.64s\r\n40\r\n%.64s\r\n0\r\n\r\n",
             body, body);
    expect_ok(&small, req, SIZE_MAX, 1);
    expect_ok(&small, req, 3, 1);
    /* A huge declared chunk is refused once past the limit, not trusted. */
    snprintf(req, sizeof req,
             "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
             "fffffff\r\n%.200s",
             body);
    expect_error(&small, req, SIZE_MAX, 413);
}

/* A body far larger than the buffer (but within max_body) is framed with
 * the buffer bounded: body bytes are dropped as they are framed. */
static void test_http__large_body_bounded_buffer(void **state)
{
    struct http_limits l = small;
    struct http_framer h;
    struct sink k;
    size_t left;
    char *req = malloc(8192);
    (void)state;

    assert_non_null(req);
    l.max_body = 6000;
    int n = snprintf(req, 8192,
                     "POST /e?big HTTP/1.1\r\nHost: big.example\r\n"
                     "Content-Length: 5000\r\n\r\n");
    memset(req + n, 'x', 5000);
    n += 5000;
    n += snprintf(req + n, 8192 - (size_t)n,
                  "GET /after HTTP/1.1\r\nHost: after.example\r\n\r\n");

    size_t chunks[] = {1, 7, 64, 100, SIZE_MAX};
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        start(&h, &k, &l, 64, 256);
        assert_int_equal(feed_all(&h, req, (size_t)n, chunks[c], &left),
                         HTTP_FEED_OK);
        assert_int_equal(left, 0);
        assert_true(h.cap <= 256);
        assert_int_equal(k.n, 2);
        assert_int_equal(k.reqs[0].method, HTTP_POST);
        assert_span(&k.reqs[0].query, "big");
        assert_span(&k.reqs[0].header[HDR_HOST], "big.example");
        assert_span(&k.reqs[1].path, "/after");
        assert_span(&k.reqs[1].header[HDR_HOST], "after.example");
        assert_int_equal(http_idle(&h), 1);
        http_deinit(&h);
    }

    /* The same body chunked, 50 chunks of 100 bytes. */
    n = snprintf(req, 8192,
                 "POST /e HTTP/1.1\r\nHost: chunked.example\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 50; i++) {
        n += snprintf(req + n, 8192 - (size_t)n, "64\r\n");
        memset(req + n, 'y', 100);
        n += 100;
        n += snprintf(req + n, 8192 - (size_t)n, "\r\n");
    }
    n += snprintf(req + n, 8192 - (size_t)n, "0\r\n\r\n");
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
        start(&h, &k, &l, 64, 256);
        assert_int_equal(feed_all(&h, req, (size_t)n, chunks[c], &left),
                         HTTP_FEED_OK);
        assert_int_equal(left, 0);
        assert_true(h.cap <= 256);
        assert_int_equal(k.n, 1);
        assert_span(&k.reqs[0].header[HDR_HOST], "chunked.example");
        http_deinit(&h);
    }
    free(req);
}

/* A head larger than the initial buffer makes it grow, up to max_cap. */
static void test_http__buffer_growth(void **state)
{
    struct http_limits l = small;
    struct http_framer h;
    struct sink k;
    size_t left, room;
    (void)state;

    l.max_headers = 100;
    l.max_header_bytes = 4096;
    char *req = get_with_headers(20, 100); /* about 2 KB of head */
    start(&h, &k, &l, 32, 4096);
    assert_int_equal(feed_all(&h, req, strlen(req), SIZE_MAX, &left),
                     HTTP_FEED_OK);
    assert_int_equal(left, 0);
    assert_int_equal(k.n, 1);
    assert_true(h.cap > 32 && h.cap <= 4096);
    http_deinit(&h);

    /* max_cap smaller than the head: no more room, never past max_cap. */
    start(&h, &k, &l, 32, 512);
    assert_int_equal(feed_all(&h, req, strlen(req), SIZE_MAX, &left),
                     HTTP_FEED_OK);
    assert_true(left > 0);
    assert_int_equal(h.cap, 512);
    assert_int_equal(h.len, 512);
    http_space(&h, &room);
    assert_int_equal(room, 0);
    assert_int_equal(k.n, 0);
    http_deinit(&h);
    free(req);
}

static void test_http__idle_and_in_head(void **state)
{
    struct http_framer h;
    struct sink k;
    (void)state;

    start(&h, &k, &small, 256, 1024);
    assert_int_equal(http_idle(&h), 1);
    assert_int_equal(http_in_head(&h), 0);

    assert_int_equal(feed_str(&h, "POST /e HT"), HTTP_FEED_OK);
    assert_int_equal(http_idle(&h), 0);
    assert_int_equal(http_in_head(&h), 1);

    assert_int_equal(feed_str(&h, "TP/1.1\r\nContent-Length: 5\r\n"),
                     HTTP_FEED_OK);
    assert_int_equal(http_idle(&h), 0);
    assert_int_equal(http_in_head(&h), 1);

    assert_int_equal(feed_str(&h, "\r\nab"), HTTP_FEED_OK);
    assert_int_equal(http_idle(&h), 0);
    assert_int_equal(http_in_head(&h), 0);
    assert_int_equal(k.n, 0);

    assert_int_equal(feed_str(&h, "cde"), HTTP_FEED_OK);
    assert_int_equal(k.n, 1);
    assert_int_equal(http_idle(&h), 1);
    assert_int_equal(http_in_head(&h), 0);

    /* A request complete plus the first byte of the next. */
    assert_int_equal(feed_str(&h, "GET / HTTP/1.1\r\n\r\nG"), HTTP_FEED_OK);
    assert_int_equal(k.n, 2);
    assert_int_equal(http_idle(&h), 0);
    assert_int_equal(http_in_head(&h), 1);
    assert_int_equal(feed_str(&h, "ET /x HTTP/1.1\r\n\r\n"), HTTP_FEED_OK);
    assert_int_equal(k.n, 3);
    assert_span(&k.reqs[2].path, "/x");
    assert_int_equal(http_idle(&h), 1);

    /* http_reset forgets a partial request. */
    assert_int_equal(feed_str(&h, "GET /partial"), HTTP_FEED_OK);
    assert_int_equal(http_idle(&h), 0);
    http_reset(&h);
    assert_int_equal(http_idle(&h), 1);
    assert_int_equal(http_in_head(&h), 0);
    assert_int_equal(h.len, 0);
    assert_int_equal(feed_str(&h, "GET /fresh HTTP/1.1\r\n\r\n"), HTTP_FEED_OK);
    assert_int_equal(k.n, 4);
    assert_span(&k.reqs[3].path, "/fresh");
    http_deinit(&h);
}

/* After an error the framer is reset for the next connection. */
static void test_http__reset_after_error(void **state)
{
    struct http_framer h;
    struct sink k;
    (void)state;

    start(&h, &k, &small, 256, 1024);
    assert_int_equal(feed_str(&h, "GET /p HTTP/1.1\r\nHo(st: x\r\n\r\n"),
                     HTTP_FEED_ERROR);
    assert_int_equal(h.status, 400);
    http_reset(&h);
    assert_int_equal(h.status, 0);
    assert_null(h.why);
    assert_int_equal(h.unknown_method, 0);
    assert_int_equal(feed_str(&h, "GET /ok HTTP/1.1\r\nHost: y\r\n\r\n"),
                     HTTP_FEED_OK);
    assert_int_equal(k.n, 1);
    assert_span(&k.reqs[0].header[HDR_HOST], "y");
    http_deinit(&h);
}

/*
 * http_reset "forgets all state": the next connection's headers are read
 * from its own bytes, whatever the last one left half-done -- a header
 * line the framer refused (too many lines, whitespace before a colon) or
 * a client that went away in the middle of a header name.
 */
static void test_http__reset_forgets_partial_header(void **state)
{
    struct http_framer h;
    struct sink k;
    char *many = get_with_headers(9, 200);
    char first[600];
    (void)state;

    static const char *const next =
        "GET /next HTTP/1.1\r\nHost: next.example\r\nDNT: 1\r\n\r\n";
    snprintf(first, sizeof first,
             "GET /a HTTP/1.1\r\nX-Pad: %0300d\r\n"
             "Referer : x\r\n\r\n",
             0);
    const char *errors[] = {many, first, "GET /a HTTP/1.1\r\nUser-Ag"};
    const char *what[] = {"too many header lines", "whitespace before colon",
                          "a connection closed inside a header name"};
    int want[] = {431, 400, 0};
    int failed = 0;
    struct http_limits l = small;
    l.max_header_bytes = 4096;
    for (int i = 0; i < 3; i++) {
        start(&h, &k, &l, 4096, 4096);
        assert_int_equal(feed_str(&h, errors[i]),
                         want[i] ? HTTP_FEED_ERROR : HTTP_FEED_OK);
        assert_int_equal(h.status, want[i]);
        http_reset(&h);
        enum http_result res = feed_str(&h, next);
        if (res != HTTP_FEED_OK || k.n != 1 ||
            !k.reqs[0].header[HDR_HOST].set ||
            strcmp(k.reqs[0].header[HDR_HOST].text, "next.example") != 0 ||
            strcmp(k.reqs[0].header[HDR_DNT].text, "1") != 0) {
            print_message("after a %d (%s): result %d status %d, %d "
                          "request(s), Host %s \"%s\"\n",
                          want[i], what[i], res, h.status, k.n,
                          k.n && k.reqs[0].header[HDR_HOST].set ? "set"
                                                                : "unset",
                          k.n ? k.reqs[0].header[HDR_HOST].text : "");
            failed++;
        }
        http_deinit(&h);
    }
    free(many);
    if (failed > 0) {
        fail_msg("%d case(s) misread the next connection's request", failed);
    }
}

/*
 * A head that llhttp ends with a bare LF ("...\r\n\n") followed by a body
 * that starts with a space: RFC 9112 2.2 lets a server refuse a bare LF,
 * and the framer does, however the reads split it (a proxy in front that
 * reads the LF otherwise must not get a second request past us).
 */
static void test_http__bare_lf_head_split(void **state)
{
    static const char req[] = "POST /e HTTP/1.1\r\nHost: h\r\n"
                              "Content-Length: 3\r\n\n ab"
                              "GET /n HTTP/1.1\r\n\r\n";
    const size_t len = sizeof req - 1;
    struct http_framer h;
    struct sink k;
    char bad[512] = "";
    size_t blen = 0;
    int n_bad = 0;
    (void)state;

    for (size_t at = 0; at < len; at++) {
        start(&h, &k, &small, 1024, 1024);
        enum http_result res = feed1(&h, req, at);
        if (res == HTTP_FEED_OK) {
            res = feed1(&h, req + at, len - at);
        }
        if (res != HTTP_FEED_ERROR || h.status != 400 || k.n != 0) {
            n_bad++;
            if (blen < sizeof bad - 32) {
                blen += (size_t)snprintf(bad + blen, sizeof bad - blen,
                                         " %zu:%d/%d/%d", at, res, h.status,
                                         k.n);
            }
        }
        http_deinit(&h);
    }
    if (n_bad > 0) {
        fail_msg("%d split(s) not refused with 400 "
                 "(at:result/status/requests):%s",
                 n_bad, bad);
    }
}

/* A chunk's CRLF is checked wherever the reads split it. */
static void test_http__chunk_delimiter_split(void **state)
{
    static const char *const reqs[] = {
        "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabcXY0\r\n\r\n",
        "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\rY0\r\n\r\n",
        "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n2\r\nde\n\n0\r\n\r\n",
    };
    static const char good[] =
        "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nGET /n HTTP/1.1\r\n\r\n";
    (void)state;

    for (size_t r = 0; r < sizeof reqs / sizeof *reqs; r++) {
        for (size_t at = 0; at <= strlen(reqs[r]); at++) {
            struct http_framer h;
            struct sink k;
            start(&h, &k, &small, 256, 1024);
            enum http_result res = feed1(&h, reqs[r], at);
            if (res == HTTP_FEED_OK) {
                res = feed1(&h, reqs[r] + at, strlen(reqs[r]) - at);
            }
            if (res != HTTP_FEED_ERROR || h.status != 400 || k.n != 0) {
                fail_msg("case %zu split at %zu: result %d status %d", r, at,
                         res, h.status);
            }
            http_deinit(&h);
        }
    }
    for (size_t at = 0; at <= sizeof good - 1; at++) {
        struct http_framer h;
        struct sink k;
        start(&h, &k, &small, 256, 1024);
        assert_int_equal(feed1(&h, good, at), HTTP_FEED_OK);
        assert_int_equal(feed1(&h, good + at, sizeof good - 1 - at),
                         HTTP_FEED_OK);
        assert_int_equal(k.n, 2);
        http_deinit(&h);
    }
}

struct ka_case {
    const char *bytes;
    int keep_alive;
    int minor;
};

static void test_http__keep_alive(void **state)
{
    static const struct ka_case cases[] = {
        {"GET / HTTP/1.1\r\n\r\n", 1, 1},
        {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 0, 1},
        {"GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", 0, 1},
        {"GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", 1, 1},
        {"GET / HTTP/1.0\r\n\r\n", 0, 0},
        {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1, 0},
        {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 1, 0},
        {"GET / HTTP/1.0\r\nConnection: close\r\n\r\n", 0, 0},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct http_framer h;
        struct sink k;
        start(&h, &k, &small, 256, 1024);
        assert_int_equal(feed_str(&h, cases[i].bytes), HTTP_FEED_OK);
        assert_int_equal(k.n, 1);
        if (k.reqs[0].keep_alive != cases[i].keep_alive) {
            fail_msg("keep_alive %d for %s", k.reqs[0].keep_alive,
                     cases[i].bytes);
        }
        assert_int_equal(k.reqs[0].http_minor, cases[i].minor);
        http_deinit(&h);
    }
}

/* An Upgrade request is answered, then nothing more is framed. */
static void test_http__upgrade_closes(void **state)
{
    struct http_framer h;
    struct sink k;
    (void)state;

    start(&h, &k, &small, 256, 1024);
    assert_int_equal(feed_str(&h, "GET /ws HTTP/1.1\r\nConnection: Upgrade\r\n"
                                  "Upgrade: websocket\r\n\r\n"
                                  "GET /next HTTP/1.1\r\n\r\n"),
                     HTTP_FEED_STOPPED);
    assert_int_equal(k.n, 1);
    assert_span(&k.reqs[0].path, "/ws");
    assert_int_equal(k.reqs[0].keep_alive, 0);
    http_deinit(&h);
}

struct target_case {
    const char *target;
    const char *path; /* NULL: not split */
    const char *query;
};

static void test_http__targets(void **state)
{
    static const struct target_case cases[] = {
        {"/p.gif?s=a", "/p.gif", "s=a"},
        {"/p.gif", "/p.gif", ""},
        {"/p.gif?", "/p.gif", ""},
        {"/?a=b?c", "/", "a=b?c"},
        {"http://example.com/p.gif?s=a", "/p.gif", "s=a"},
        {"https://example.com:8443/a/b", "/a/b", ""},
        {"HTTP://Example.com/X?Y", "/X", "Y"},
        {"http://example.com", "/", ""},
        {"http://example.com?s=a", "/", "s=a"},
        {"*", NULL, NULL},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct http_framer h;
        struct sink k;
        char req[256];
        const char *m = cases[i].target[0] == '*' ? "OPTIONS" : "GET";
        snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: h\r\n\r\n", m,
                 cases[i].target);
        start(&h, &k, &small, 256, 1024);
        assert_int_equal(feed_str(&h, req), HTTP_FEED_OK);
        assert_int_equal(k.n, 1);
        assert_span(&k.reqs[0].target, cases[i].target);
        assert_span(&k.reqs[0].path, cases[i].path);
        assert_span(&k.reqs[0].query, cases[i].query);
        http_deinit(&h);
    }
}

static void test_http__stop_in_callback(void **state)
{
    struct http_framer h;
    struct sink k;
    const char *first = "GET /1 HTTP/1.1\r\n\r\n";
    char three[128];
    (void)state;

    snprintf(three, sizeof three,
             "%sGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1"
             "\r\n\r\n",
             first);
    start(&h, &k, &small, 256, 1024);
    k.stop_at = 1;
    assert_int_equal(feed_str(&h, three), HTTP_FEED_STOPPED);
    assert_int_equal(k.n, 1);
    assert_span(&k.reqs[0].path, "/1");
    assert_int_equal(h.stopped, 1);
    /* The framer stopped right after the first request. */
    assert_int_equal(h.parsed, strlen(first));
    http_deinit(&h);

    start(&h, &k, &small, 256, 1024);
    k.stop_at = 2;
    assert_int_equal(feed_str(&h, three), HTTP_FEED_STOPPED);
    assert_int_equal(k.n, 2);
    assert_span(&k.reqs[1].path, "/2");
    assert_int_equal(h.parsed, 2 * strlen(first));
    http_deinit(&h);

    /* Stopped in the last request of a read: STOPPED all the same. */
    start(&h, &k, &small, 256, 1024);
    k.stop_at = 1;
    assert_int_equal(feed_str(&h, first), HTTP_FEED_STOPPED);
    assert_int_equal(k.n, 1);
    http_deinit(&h);

    /* Byte by byte, the stop comes with the last byte of request 1. */
    start(&h, &k, &small, 256, 1024);
    k.stop_at = 1;
    size_t left;
    assert_int_equal(feed_all(&h, three, strlen(three), 1, &left),
                     HTTP_FEED_STOPPED);
    assert_int_equal(left, strlen(three) - strlen(first));
    assert_int_equal(k.n, 1);
    http_deinit(&h);
}

/* A stop holds the rest: after http_resume(), http_feed(h, 0) frames the
 * bytes already read (a connection whose answers wait for the client). */
static void test_http__stop_and_resume(void **state)
{
    struct http_framer h;
    struct sink k;
    static const char three[] = "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"
                                "GET /3 HTTP/1.1\r\n\r\nGET /4 HT";
    (void)state;

    start(&h, &k, &small, 256, 1024);
    k.stop_at = 1;
    assert_int_equal(feed1(&h, three, sizeof three - 1), HTTP_FEED_STOPPED);
    assert_int_equal(k.n, 1);
    assert_int_equal(http_idle(&h), 0);
    /* more bytes while stopped are kept, not framed */
    assert_int_equal(feed1(&h, "TP/1.1\r\n", 8), HTTP_FEED_STOPPED);
    assert_int_equal(k.n, 1);
    http_resume(&h);
    k.stop_at = 2;
    assert_int_equal(http_feed(&h, 0), HTTP_FEED_STOPPED);
    assert_int_equal(k.n, 2);
    http_resume(&h);
    assert_int_equal(http_feed(&h, 0), HTTP_FEED_OK);
    assert_int_equal(k.n, 3);
    assert_int_equal(http_in_head(&h), 1);
    assert_int_equal(feed1(&h, "\r\n", 2), HTTP_FEED_OK);
    assert_int_equal(k.n, 4);
    for (int i = 0; i < 4; i++) {
        char want[8];
        snprintf(want, sizeof want, "/%d", i + 1);
        assert_span(&k.reqs[i].path, want);
    }
    assert_int_equal(http_requests_done(&h), 4);
    assert_int_equal(http_idle(&h), 1);
    http_deinit(&h);
}

/* RFC 9112 held whatever llhttp 8.1 accepts: 400, whole and byte by byte,
 * and nothing handed over. */
static const struct bad_case strict_400[] = {
    {"bare CR ends the head", "GET /p HTTP/1.1\r\nHost: h\r\n\rXGET /q "
                              "HTTP/1.1\r\n\r\n"},
    {"CR CR ends the head", "GET /p HTTP/1.1\r\nHost: h\r\n\r\r\n"},
    {"CR HT ends the head", "GET /p HTTP/1.1\r\nHost: h\r\n\r\t\r\n"},
    {"bare CR after the request line", "GET /p HTTP/1.1\r\n\rX\r\n\r\n"},
    {"bare CR ends the request line", "GET /p HTTP/1.1\rHost: h\r\n\r\n"},
    {"bare CR in a value", "GET /p HTTP/1.1\r\nX-A: a\rb\r\n\r\n"},
    {"bare CR after the last chunk",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     "1\r\nx\r\n0\r\n\rXGET /q HTTP/1.1\r\n\r\n"},
    {"bare CR after a trailer",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     "1\r\nx\r\n0\r\nX-T: a\r\n\rXGET /q HTTP/1.1\r\n\r\n"},
    {"bare CR ends a chunk size",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     "1\rXx\r\n0\r\n\r\n"},
    {"bare LF ends the head", "GET /p HTTP/1.1\r\nHost: h\r\n\n"},
    {"bare LF ends a field", "GET /p HTTP/1.1\r\nHost: h\nX-A: 1\r\n\r\n"},
    {"bare LF ends the request line", "GET /p HTTP/1.1\nHost: h\r\n\r\n"},
    {"bare LF ends a chunk size",
     "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
     "1\nx\r\n0\r\n\r\n"},
    {"bare LF before a request", "\nGET /p HTTP/1.1\r\n\r\n"},
    {"bare CR before a request", "\rGET /p HTTP/1.1\r\n\r\n"},
    {"NUL in a value", "GET /p HTTP/1.1\r\nX-A: a\0b\r\n\r\n"},
    {"VT in a value", "GET /p HTTP/1.1\r\nX-A: a\vb\r\n\r\n"},
    {"DEL in a value", "GET /p HTTP/1.1\r\nX-A: a\177b\r\n\r\n"},
    {"space in a field name", "GET /p HTTP/1.1\r\nX A: b\r\n\r\n"},
    {"Transfer Encoding", "POST /e HTTP/1.1\r\nTransfer Encoding: chunked\r\n"
                          "\r\n0\r\n\r\n"},
    {"Content Length", "POST /e HTTP/1.1\r\nContent Length: 3\r\n\r\nabc"},
    {"byte 0x80 in a field name", "GET /p HTTP/1.1\r\nX\200A: b\r\n\r\n"},
    {"whitespace before the first field",
     "GET /p HTTP/1.1\r\n Host: h\r\n\r\n"},
    {"two spaces after the method", "GET  /p HTTP/1.1\r\n\r\n"},
    {"two spaces before the version", "GET /p  HTTP/1.1\r\n\r\n"},
    {"HT after the method", "GET\t/p HTTP/1.1\r\n\r\n"},
    {"HT in the target", "GET /p\t HTTP/1.1\r\n\r\n"},
    {"byte 0x80 in the target", "GET /p\200 HTTP/1.1\r\n\r\n"},
    {"byte 0xff in the query", "GET /p?a=\377 HTTP/1.1\r\n\r\n"},
    {"space after the version", "GET /p HTTP/1.1 \r\n\r\n"},
    {"RTSP", "GET /p RTSP/1.0\r\n\r\n"},
    {"lower-case protocol", "GET /p http/1.1\r\n\r\n"},
    {"no version", "GET /p\r\n\r\n"},
    {"five empty lines first", "\r\n\r\n\r\n\r\n\r\nGET /p HTTP/1.1\r\n\r\n"},
};

static void test_http__strict_rfc9112(void **state)
{
    int failed = 0;
    (void)state;

    for (size_t i = 0; i < sizeof strict_400 / sizeof *strict_400; i++) {
        const struct bad_case *c = &strict_400[i];
        /* strlen stops at the NUL case's NUL: feed its bytes whole */
        size_t len = strlen(c->bytes);
        if (strcmp(c->what, "NUL in a value") == 0) {
            len = sizeof "GET /p HTTP/1.1\r\nX-A: a\0b\r\n\r\n" - 1;
        }
        for (size_t chunk = 1; chunk <= len; chunk = chunk * 3 + 1) {
            struct http_framer h;
            struct sink k;
            size_t left;
            start(&h, &k, &small, 64, 4096);
            enum http_result res = feed_all(&h, c->bytes, len, chunk, &left);
            if (res != HTTP_FEED_ERROR || h.status != 400 || k.n != 0) {
                print_message("%s (reads of %zu): result %d, status %d (%s), "
                              "%d request(s); want 400\n",
                              c->what, chunk, res, h.status,
                              h.why ? h.why : "-", k.n);
                failed++;
            }
            http_deinit(&h);
        }
    }
    if (failed > 0) {
        fail_msg("%d case(s) not refused with 400", failed);
    }
}

/* SPEC 2.8: a version other than 1.0 and 1.1 is 505, a malformed one 400;
 * the same however the line is split. */
static void test_http__version_505(void **state)
{
    static const char *const v505[] = {
        "HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "HTTP/3.0", "HTTP/11.1",
        "HTTP/1.18446744073709551615", "HTTP/1.10", "HTTP/01.1",
    };
    static const char *const v400[] = {
        "HTTP/1.x", "HTTP/1.", "HTTP/", "HTTP/.1", "HTTPS/1.1", "HTTP/1.1x",
    };
    char req[128];
    (void)state;

    for (size_t i = 0; i < sizeof v505 / sizeof *v505; i++) {
        snprintf(req, sizeof req, "GET /p.gif HTTP%s\r\nHost: h\r\n\r\n",
                 v505[i] + 4);
        expect_error(&small, req, SIZE_MAX, 505);
        expect_error(&small, req, 1, 505);
        snprintf(req, sizeof req, "FOO /p.gif %s\r\n\r\n", v505[i]);
        expect_error(&small, req, SIZE_MAX, 505);
    }
    for (size_t i = 0; i < sizeof v400 / sizeof *v400; i++) {
        snprintf(req, sizeof req, "GET /p.gif %s\r\nHost: h\r\n\r\n", v400[i]);
        expect_error(&small, req, SIZE_MAX, 400);
        expect_error(&small, req, 1, 400);
    }
    expect_ok(&small, "GET /p HTTP/1.0\r\n\r\n", 1, 1);
}

/* RFC 9112 2.2: a few empty lines before a request line are taken, and
 * the header timeout runs from the first of them (http_in_head). */
static void test_http__empty_lines(void **state)
{
    struct http_framer h;
    struct sink k;
    char req[128] = "";
    (void)state;

    for (int n = 0; n <= HTTP_MAX_EMPTY_LINES; n++) {
        snprintf(req, sizeof req, "%.*sGET /p HTTP/1.1\r\n\r\n", 2 * n,
                 "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n");
        expect_ok(&small, req, SIZE_MAX, 1);
        expect_ok(&small, req, 1, 1);
    }
    start(&h, &k, &small, 256, 1024);
    assert_int_equal(feed1(&h, "\r", 1), HTTP_FEED_OK);
    assert_int_equal(http_idle(&h), 0);
    assert_int_equal(http_in_head(&h), 1);
    assert_int_equal(feed1(&h, "\n", 1), HTTP_FEED_OK);
    assert_int_equal(http_idle(&h), 0);
    assert_int_equal(http_in_head(&h), 1);
    assert_int_equal(feed1(&h, "GET /p HTTP/1.1\r\n\r\n", 19), HTTP_FEED_OK);
    assert_int_equal(k.n, 1);
    assert_int_equal(http_idle(&h), 1);
    assert_int_equal(http_in_head(&h), 0);
    /* the count starts again with each request */
    for (int i = 0; i < HTTP_MAX_EMPTY_LINES; i++) {
        assert_int_equal(feed1(&h, "\r\n", 2), HTTP_FEED_OK);
    }
    assert_int_equal(feed1(&h, "GET /q HTTP/1.1\r\n\r\n", 19), HTTP_FEED_OK);
    assert_int_equal(k.n, 2);
    http_deinit(&h);
}

/* The body timeout's phase: from the head's end to the body's end. */
static void test_http__in_body(void **state)
{
    struct http_framer h;
    struct sink k;
    (void)state;

    start(&h, &k, &small, 256, 1024);
    assert_int_equal(feed_str(&h, "POST /e HTTP/1.1\r\nContent-Length: 4\r\n"),
                     HTTP_FEED_OK);
    assert_int_equal(http_in_body(&h), 0);
    assert_int_equal(feed_str(&h, "\r\n"), HTTP_FEED_OK);
    assert_int_equal(http_in_head(&h), 0);
    assert_int_equal(http_in_body(&h), 1);
    assert_int_equal(feed_str(&h, "abc"), HTTP_FEED_OK);
    assert_int_equal(http_in_body(&h), 1);
    assert_int_equal(feed_str(&h, "d"), HTTP_FEED_OK);
    assert_int_equal(k.n, 1);
    assert_int_equal(http_in_body(&h), 0);
    assert_int_equal(feed_str(&h, "POST /e HTTP/1.1\r\nTransfer-Encoding: "
                                  "chunked\r\n\r\n1\r\nx\r\n"),
                     HTTP_FEED_OK);
    assert_int_equal(http_in_body(&h), 1);
    assert_int_equal(feed_str(&h, "0\r\n\r\n"), HTTP_FEED_OK);
    assert_int_equal(k.n, 2);
    assert_int_equal(http_in_body(&h), 0);
    http_deinit(&h);
}

/* max_body 0 (the admin listener): any body is 413 at the head's end,
 * before a body byte arrives. */
static void test_http__no_body_allowed(void **state)
{
    struct http_limits none = small;
    (void)state;

    none.max_body = 0;
    expect_error(&none, "POST /m HTTP/1.1\r\nContent-Length: 1\r\n\r\n",
                 SIZE_MAX, 413);
    expect_error(&none, "POST /m HTTP/1.1\r\nContent-Length: 209715200\r\n\r\n",
                 1, 413);
    expect_error(&none, "POST /m HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                 SIZE_MAX, 413);
    expect_ok(&none, "GET /m HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 1, 1);
    expect_ok(&none, "GET /m HTTP/1.1\r\n\r\nHEAD /m HTTP/1.1\r\n\r\n",
              SIZE_MAX, 2);
}

/* A buffer in the caller's storage: used as is, left to the caller, and
 * replaced by one of the framer's own when a request outgrows it. */
static void test_http__caller_buffer(void **state)
{
    struct http_framer h;
    struct sink k;
    char storage[64];
    static const char big[] = "GET /p HTTP/1.1\r\nX-Long: "
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                              "\r\n\r\n";
    size_t left;
    (void)state;

    memset(&k, 0, sizeof k);
    k.h = &h;
    assert_int_equal(http_init_in(&h, &small, storage, sizeof storage, 1024,
                                  on_request, &k),
                     0);
    assert_int_equal(feed_str(&h, "GET /a HTTP/1.1\r\n\r\n"), HTTP_FEED_OK);
    assert_int_equal(k.n, 1);
    assert_ptr_equal(h.buf, storage);
    assert_int_equal(h.buf_owned, 0);
    assert_int_equal(feed_all(&h, big, sizeof big - 1, SIZE_MAX, &left),
                     HTTP_FEED_OK);
    assert_int_equal(left, 0);
    assert_int_equal(k.n, 2);
    assert_true(h.buf != storage);
    assert_int_equal(h.buf_owned, 1);
    http_deinit(&h); /* frees the framer's own buffer, not storage */
}

/* http_deinit then http_init again: a framer can be reused. */
static void test_http__init_twice(void **state)
{
    struct http_framer h;
    struct sink k;
    (void)state;

    start(&h, &k, &small, 64, 128);
    http_deinit(&h);
    assert_null(h.buf);
    start(&h, &k, &small, 64, 128);
    assert_int_equal(feed_str(&h, "GET / HTTP/1.1\r\n\r\n"), HTTP_FEED_OK);
    assert_int_equal(k.n, 1);
    http_deinit(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http__simple_get),
        cmocka_unit_test(test_http__header_names_and_values),
        cmocka_unit_test(test_http__empty_header_value),
        cmocka_unit_test(test_http__pipelined_in_order),
        cmocka_unit_test(test_http__split_everywhere),
        cmocka_unit_test(test_http__split_three_ways),
        cmocka_unit_test(test_http__byte_by_byte),
        cmocka_unit_test(test_http__request_line_too_long),
        cmocka_unit_test(test_http__request_line_limit_is_whole_line),
        cmocka_unit_test(test_http__header_block_too_large),
        cmocka_unit_test(test_http__too_many_headers),
        cmocka_unit_test(test_http__framing_errors),
        cmocka_unit_test(test_http__space_before_colon),
        cmocka_unit_test(test_http__http09_request_line),
        cmocka_unit_test(test_http__framing_accepted),
        cmocka_unit_test(test_http__unknown_method),
        cmocka_unit_test(test_http__unknown_method_split),
        cmocka_unit_test(test_http__trailer_split),
        cmocka_unit_test(test_http__trailers_are_not_headers),
        cmocka_unit_test(test_http__body_too_large),
        cmocka_unit_test(test_http__error_target),
        cmocka_unit_test(test_http__large_body_bounded_buffer),
        cmocka_unit_test(test_http__buffer_growth),
        cmocka_unit_test(test_http__idle_and_in_head),
        cmocka_unit_test(test_http__reset_after_error),
        cmocka_unit_test(test_http__reset_forgets_partial_header),
        cmocka_unit_test(test_http__chunk_delimiter_split),
        cmocka_unit_test(test_http__bare_lf_head_split),
        cmocka_unit_test(test_http__keep_alive),
        cmocka_unit_test(test_http__upgrade_closes),
        cmocka_unit_test(test_http__targets),
        cmocka_unit_test(test_http__stop_in_callback),
        cmocka_unit_test(test_http__init_twice),
        cmocka_unit_test(test_http__stop_and_resume),
        cmocka_unit_test(test_http__caller_buffer),
        cmocka_unit_test(test_http__strict_rfc9112),
        cmocka_unit_test(test_http__version_505),
        cmocka_unit_test(test_http__empty_lines),
        cmocka_unit_test(test_http__in_body),
        cmocka_unit_test(test_http__no_body_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
