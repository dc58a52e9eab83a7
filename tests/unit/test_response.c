/*
 * test_response.c: response bytes (collector/http/response.c): the pixel, the
 * other responses, the Date header and the output buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "collector/http/response.h"

/* 2026-11-26 15:57:28 UTC */
#define NOW 1795708648

#define DATE "Thu, 26 Nov 2026 15:57:28 GMT"
#define CACHE                                                                  \
    "Cache-Control: no-store, no-cache, must-revalidate, max-age=0\r\n"
#define PIXEL_HEAD                                                             \
    "HTTP/1.1 200 OK\r\n"                                                      \
    "Date: " DATE "\r\n"                                                       \
    "Content-Type: image/gif\r\n"                                              \
    "Content-Length: 43\r\n" CACHE

static const unsigned char gif[43] = {
    'G',  'I',  'F',  '8',  '9',  'a',  0x01, 0x00, 0x01, 0x00, 0x80,
    0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

static void date_at(struct response_date *d, time_t t)
{
    memset(d, 0, sizeof(*d));
    response_date_update(d, t);
}

/* o holds exactly head (text) followed by body[0..body_len). */
static void assert_bytes(const struct outbuf *o, const char *head,
                         const void *body, size_t body_len)
{
    size_t hlen = strlen(head);
    if (o->len != hlen + body_len || memcmp(o->p, head, hlen) != 0) {
        fail_msg("got %zu bytes:\n%.*s\nwant %zu:\n%s", o->len, (int)o->len,
                 o->p, hlen + body_len, head);
    }
    if (body_len > 0) {
        assert_memory_equal(o->p + hlen, body, body_len);
    }
    assert_true(o->len <= o->cap);
}

static void test_response__gif(void **state)
{
    (void)state;
    assert_int_equal(sizeof response_gif, 43);
    assert_memory_equal(response_gif, "GIF89a", 6);
    assert_int_equal(response_gif[42], 0x3b); /* trailer */
    /* 1 x 1 logical screen, little-endian */
    assert_int_equal(response_gif[6] | response_gif[7] << 8, 1);
    assert_int_equal(response_gif[8] | response_gif[9] << 8, 1);
    assert_memory_equal(response_gif, gif, sizeof gif);
}

static void test_response__date(void **state)
{
    struct response_date d;
    (void)state;

    date_at(&d, NOW);
    assert_string_equal(d.text, DATE);
    assert_int_equal(strlen(d.text), 29);
    assert_int_equal(d.sec, NOW);

    /* The same second: not formatted again. */
    d.text[0] = 'X';
    response_date_update(&d, NOW);
    assert_int_equal(d.text[0], 'X');
    /* The next second is. */
    response_date_update(&d, NOW + 1);
    assert_string_equal(d.text, "Thu, 26 Nov 2026 15:57:29 GMT");
    assert_int_equal(d.sec, NOW + 1);
    /* Time may step back. */
    response_date_update(&d, NOW);
    assert_string_equal(d.text, DATE);

    static const struct {
        time_t t;
        const char *text;
    } cases[] = {
        {0, "Thu, 01 Jan 1970 00:00:00 GMT"},
        {951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
        {1800000000, "Fri, 15 Jan 2027 08:00:00 GMT"},
        {1795737599, "Thu, 26 Nov 2026 23:59:59 GMT"},
        {1795737600, "Fri, 27 Nov 2026 00:00:00 GMT"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        date_at(&d, cases[i].t);
        assert_string_equal(d.text, cases[i].text);
    }
}

/* The Date header is GMT whatever the local zone. */
static void test_response__date_ignores_zone(void **state)
{
    struct response_date d;
    (void)state;

    setenv("TZ", "Pacific/Kiritimati", 1);
    tzset();
    date_at(&d, NOW);
    unsetenv("TZ");
    tzset();
    assert_string_equal(d.text, DATE);
}

struct pixel_case {
    const char *x_beacon;
    int tk_n;
    int head;
    enum response_conn conn;
    const char *want_head; /* without the blank line */
};

static const struct pixel_case pixel_cases[] = {
    {"counted", 0, 0, RESPONSE_KEEP, PIXEL_HEAD "X-Beacon: counted\r\n"},
    {NULL, 0, 0, RESPONSE_KEEP, PIXEL_HEAD},
    {"dropped=dnt", 1, 0, RESPONSE_KEEP,
     PIXEL_HEAD "X-Beacon: dropped=dnt\r\nTk: N\r\n"},
    {"dropped=gpc", 1, 0, RESPONSE_CLOSE,
     PIXEL_HEAD "X-Beacon: dropped=gpc\r\nTk: N\r\nConnection: close\r\n"},
    {"dropped=bot", 0, 0, RESPONSE_KEEP_10,
     PIXEL_HEAD "X-Beacon: dropped=bot\r\nConnection: keep-alive\r\n"},
    {NULL, 1, 0, RESPONSE_CLOSE, PIXEL_HEAD "Tk: N\r\nConnection: close\r\n"},
    {"counted", 0, 1, RESPONSE_KEEP, PIXEL_HEAD "X-Beacon: counted\r\n"},
    {"dropped=invalid", 0, 1, RESPONSE_KEEP_10,
     PIXEL_HEAD "X-Beacon: dropped=invalid\r\nConnection: keep-alive\r\n"},
    {NULL, 0, 1, RESPONSE_CLOSE, PIXEL_HEAD "Connection: close\r\n"},
};

static void test_response__pixel(void **state)
{
    struct response_date d;
    (void)state;

    date_at(&d, NOW);
    for (size_t i = 0; i < sizeof pixel_cases / sizeof *pixel_cases; i++) {
        const struct pixel_case *c = &pixel_cases[i];
        struct outbuf o = {NULL, 0, 0, 0};
        char want[1024];

        snprintf(want, sizeof want, "%s\r\n", c->want_head);
        assert_int_equal(
            response_pixel(&o, &d, c->x_beacon, c->tk_n, c->head, c->conn), 0);
        /* HEAD: the same head, Content-Length included, no body. */
        assert_bytes(&o, want, gif, c->head ? 0 : sizeof gif);
        outbuf_free(&o, NULL, 0);
    }
}

/* A long X-Beacon value is budgeted, not truncated. */
static void test_response__pixel_long_x_beacon(void **state)
{
    struct response_date d;
    struct outbuf o = {NULL, 0, 0, 0};
    char xb[2001];
    char *want = malloc(4096);
    (void)state;

    assert_non_null(want);
    memset(xb, 'x', 2000);
    xb[2000] = '\0';
    date_at(&d, NOW);
    assert_int_equal(response_pixel(&o, &d, xb, 1, 0, RESPONSE_CLOSE), 0);
    snprintf(want, 4096,
             PIXEL_HEAD "X-Beacon: %s\r\nTk: N\r\nConnection: close\r\n\r\n",
             xb);
    assert_bytes(&o, want, gif, sizeof gif);
    outbuf_free(&o, NULL, 0);
    free(want);
}

/* Responses are appended after what is waiting. */
static void test_response__appends(void **state)
{
    struct response_date d;
    struct outbuf o = {NULL, 0, 0, 0};
    (void)state;

    date_at(&d, NOW);
    assert_int_equal(response_pixel(&o, &d, "counted", 0, 0, RESPONSE_KEEP), 0);
    size_t one = o.len;
    assert_int_equal(response_pixel(&o, &d, "counted", 0, 1, RESPONSE_KEEP), 0);
    assert_int_equal(o.len, one + one - 43);
    assert_memory_equal(o.p + one, o.p, one - 43);
    assert_int_equal(
        response_simple(&o, &d, 404, NULL, NULL, NULL, 0, 0, RESPONSE_KEEP), 0);
    assert_memory_equal(o.p + 2 * one - 43, "HTTP/1.1 404 Not Found\r\n", 24);
    outbuf_free(&o, NULL, 0);
}

static void test_response__simple(void **state)
{
    struct response_date d;
    struct outbuf o = {NULL, 0, 0, 0};
    (void)state;

    date_at(&d, NOW);

    /* Body, content type, extra headers, close. */
    assert_int_equal(response_simple(&o, &d, 404, "text/plain; charset=utf-8",
                                     "X-A: 1\r\nX-B: 2\r\n", "not found\n", 10,
                                     0, RESPONSE_CLOSE),
                     0);
    assert_bytes(&o,
                 "HTTP/1.1 404 Not Found\r\n"
                 "Date: " DATE "\r\n"
                 "Content-Type: text/plain; charset=utf-8\r\n"
                 "Content-Length: 10\r\n" CACHE "X-A: 1\r\n"
                 "X-B: 2\r\n"
                 "Connection: close\r\n"
                 "\r\n"
                 "not found\n",
                 NULL, 0);
    o.len = 0;

    /* HEAD: the same head, no body. */
    assert_int_equal(response_simple(&o, &d, 404, "text/plain; charset=utf-8",
                                     NULL, "not found\n", 10, 1, RESPONSE_KEEP),
                     0);
    assert_bytes(&o,
                 "HTTP/1.1 404 Not Found\r\n"
                 "Date: " DATE "\r\n"
                 "Content-Type: text/plain; charset=utf-8\r\n"
                 "Content-Length: 10\r\n" CACHE "\r\n",
                 NULL, 0);
    o.len = 0;

    /* No body, no type: 204 with extra headers, HTTP/1.0 keep-alive; a
     * 204 says no Content-Length (RFC 9110 8.6). */
    assert_int_equal(response_simple(&o, &d, 204, NULL,
                                     "Access-Control-Allow-Origin: *\r\n", NULL,
                                     0, 0, RESPONSE_KEEP_10),
                     0);
    assert_bytes(&o,
                 "HTTP/1.1 204 No Content\r\n"
                 "Date: " DATE "\r\n" CACHE
                 "Access-Control-Allow-Origin: *\r\n"
                 "Connection: keep-alive\r\n"
                 "\r\n",
                 NULL, 0);
    o.len = 0;

    /* A type without a body. */
    assert_int_equal(response_simple(&o, &d, 503, "application/json", NULL,
                                     NULL, 0, 0, RESPONSE_KEEP),
                     0);
    assert_bytes(&o,
                 "HTTP/1.1 503 Service Unavailable\r\n"
                 "Date: " DATE "\r\n"
                 "Content-Type: application/json\r\n"
                 "Content-Length: 0\r\n" CACHE "\r\n",
                 NULL, 0);
    o.len = 0;

    /* Binary body bytes, NULs included, copied as they are. */
    static const char bin[] = {'a', '\0', 'b', '\r', '\n', (char)0xff};
    assert_int_equal(response_simple(&o, &d, 200, "application/octet-stream",
                                     NULL, bin, sizeof bin, 0, RESPONSE_KEEP),
                     0);
    assert_bytes(&o,
                 "HTTP/1.1 200 OK\r\n"
                 "Date: " DATE "\r\n"
                 "Content-Type: application/octet-stream\r\n"
                 "Content-Length: 6\r\n" CACHE "\r\n",
                 bin, sizeof bin);
    outbuf_free(&o, NULL, 0);
}

/* response.h: Content-Type is sent "when body_len > 0 or content_type
 * given", so a body without a given type still has a Content-Type. */
/* Content-Type is written exactly when one is given, whatever the body;
 * a long type is budgeted like the other parts. */
static void test_response__simple_type_only_when_given(void **state)
{
    struct response_date d;
    struct outbuf o = {NULL, 0, 0, 0};
    char type[600];
    (void)state;

    date_at(&d, NOW);
    assert_int_equal(
        response_simple(&o, &d, 400, NULL, NULL, "bad\n", 4, 0, RESPONSE_CLOSE),
        0);
    char *text = strndup(o.p, o.len);
    assert_non_null(text);
    assert_null(strstr(text, "Content-Type"));
    assert_non_null(strstr(text, "\r\nContent-Length: 4\r\n"));
    free(text);

    o.len = 0;
    memset(type, 'x', sizeof(type) - 1);
    type[sizeof(type) - 1] = '\0';
    assert_int_equal(response_simple(&o, &d, 200, type, NULL, "ok", 2, 0,
                                     RESPONSE_KEEP),
                     0);
    text = strndup(o.p, o.len);
    assert_non_null(text);
    assert_non_null(strstr(text, "\r\nContent-Type: xxxx"));
    free(text);
    outbuf_free(&o, NULL, 0);
}

/* Large bodies and large extra headers are budgeted. */
static void test_response__simple_large(void **state)
{
    struct response_date d;
    struct outbuf o = {NULL, 0, 0, 0};
    size_t n = 100000;
    char *body = malloc(n);
    char extra[3000];
    (void)state;

    assert_non_null(body);
    for (size_t i = 0; i < n; i++) {
        body[i] = (char)('a' + i % 26);
    }
    memset(extra, 0, sizeof extra);
    memcpy(extra, "X-Long: ", 8);
    memset(extra + 8, 'v', 2000);
    memcpy(extra + 2008, "\r\n", 2);
    date_at(&d, NOW);
    assert_int_equal(response_simple(&o, &d, 200, "text/plain", extra, body, n,
                                     0, RESPONSE_KEEP),
                     0);
    char head[4096];
    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nDate: " DATE "\r\n"
             "Content-Type: text/plain\r\n"
             "Content-Length: 100000\r\n" CACHE "%s\r\n",
             extra);
    assert_bytes(&o, head, body, n);
    outbuf_free(&o, NULL, 0);
    free(body);
}

static void test_response__reasons(void **state)
{
    static const struct {
        int status;
        const char *reason;
    } cases[] = {
        {200, "OK"},
        {204, "No Content"},
        {302, "Found"},
        {400, "Bad Request"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {415, "Unsupported Media Type"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {503, "Service Unavailable"},
        {0, "Unknown"},
        {299, "Unknown"},
        {999, "Unknown"},
        {-1, "Unknown"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_string_equal(response_reason(cases[i].status), cases[i].reason);
    }
}

/* An unknown status still makes a well-formed status line. */
static void test_response__unknown_status(void **state)
{
    struct response_date d;
    struct outbuf o = {NULL, 0, 0, 0};
    (void)state;

    date_at(&d, NOW);
    assert_int_equal(
        response_simple(&o, &d, 299, NULL, NULL, NULL, 0, 0, RESPONSE_KEEP), 0);
    assert_true(o.len > 26);
    assert_memory_equal(o.p, "HTTP/1.1 299 Unknown\r\n", 22);
    outbuf_free(&o, NULL, 0);
}

static void test_response__outbuf_growth(void **state)
{
    struct response_date d;
    struct outbuf o = {NULL, 0, 0, 0};
    struct outbuf one = {NULL, 0, 0, 0};
    const int n = 5000;
    (void)state;

    date_at(&d, NOW);
    assert_int_equal(response_pixel(&one, &d, "counted", 0, 0, RESPONSE_KEEP),
                     0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(response_pixel(&o, &d, "counted", 0, 0, RESPONSE_KEEP),
                         0);
        assert_int_equal(o.len, (size_t)(i + 1) * one.len);
        assert_true(o.len <= o.cap);
    }
    for (int i = 0; i < n; i++) {
        assert_memory_equal(o.p + (size_t)i * one.len, one.p, one.len);
    }
    /* Doubling: the capacity is less than twice what is needed (plus the
     * head-room a pixel reserves). */
    assert_true(o.cap < 2 * (o.len + 512 + 8));

    /* outbuf_reserve gives room after what is waiting, changing no byte. */
    size_t len = o.len;
    char *w = outbuf_reserve(&o, 1 << 20);
    assert_non_null(w);
    assert_ptr_equal(w, o.p + len);
    assert_int_equal(o.len, len);
    assert_true(o.cap >= len + (1 << 20));
    assert_memory_equal(o.p + (size_t)(n - 1) * one.len, one.p, one.len);
    /* Already enough room: no change. */
    size_t cap = o.cap;
    char *p = o.p;
    assert_ptr_equal(outbuf_reserve(&o, 10), o.p + len);
    assert_int_equal(o.cap, cap);
    assert_ptr_equal(o.p, p);

    /* An empty buffer. */
    struct outbuf e = {NULL, 0, 0, 0};
    w = outbuf_reserve(&e, 1);
    assert_non_null(w);
    assert_ptr_equal(w, e.p);
    assert_true(e.cap >= 1);
    outbuf_free(&e, NULL, 0);
    outbuf_free(&o, NULL, 0);
    outbuf_free(&one, NULL, 0);
}

/* A buffer that starts in the caller's storage keeps its bytes when it
 * moves to a mapping, and returns to that storage, empty, when freed. */
static void test_response__outbuf_initial_storage(void **state)
{
    char initial[64];
    struct outbuf o = {initial, 0, sizeof initial, 0};
    (void)state;

    char *w = outbuf_reserve(&o, 40);
    assert_ptr_equal(w, initial);
    memset(w, 'a', 40);
    o.len = 40;
    w = outbuf_reserve(&o, 100);
    assert_non_null(w);
    assert_int_equal(o.mapped, 1);
    assert_true(o.p != initial);
    assert_true(o.cap >= 140);
    for (int i = 0; i < 40; i++) {
        assert_int_equal(o.p[i], 'a');
    }
    outbuf_free(&o, initial, sizeof initial);
    assert_ptr_equal(o.p, initial);
    assert_int_equal(o.len, 0);
    assert_int_equal(o.cap, sizeof initial);
    assert_int_equal(o.mapped, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_response__gif),
        cmocka_unit_test(test_response__date),
        cmocka_unit_test(test_response__date_ignores_zone),
        cmocka_unit_test(test_response__pixel),
        cmocka_unit_test(test_response__pixel_long_x_beacon),
        cmocka_unit_test(test_response__appends),
        cmocka_unit_test(test_response__simple),
        cmocka_unit_test(test_response__simple_type_only_when_given),
        cmocka_unit_test(test_response__simple_large),
        cmocka_unit_test(test_response__reasons),
        cmocka_unit_test(test_response__unknown_status),
        cmocka_unit_test(test_response__outbuf_growth),
        cmocka_unit_test(test_response__outbuf_initial_storage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
