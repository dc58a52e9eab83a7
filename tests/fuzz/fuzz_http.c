/*
 * fuzz_http.c: the HTTP/1.1 framer (collector/http/http.c) with arbitrary
 * bytes, fed in two or three reads split where the input's first bytes say, and
 * again in one read.
 *
 * Input: byte 0 and byte 1 choose the split points (scaled to the rest),
 * byte 2 the shape: bit 0 three reads instead of two, bits 1-2 the initial
 * buffer size, bit 3 a small max_cap, bits 4-6 the request (1-7) in whose
 * callback http_stop() is called (0: never; it is also called after a
 * request that does not keep the connection, as conn.c stops there). The
 * rest is what a client sends; tests/fuzz/http.dict holds the bytes that
 * matter for framing and smuggling (bare CR, LF, CRLF runs, versions).
 *
 * Invariants: no crash or sanitizer report; after every feed
 * len <= cap <= max_cap and parsed <= len; every view of a request lies
 * inside the bytes the buffer holds; header values carry no trailing
 * SP/HTAB and no line break; an error names a status of SPEC 2.8 (505
 * included) and a reason; what stays buffered without an error is the
 * start of a request (or of an empty line before one); an unknown method's target lies inside the buffer; the requests
 * framed, and whether framing ended in an error, a stop or a full buffer,
 * do not depend on where the reads were split; and after http_reset() the
 * framer frames a plain request exactly, whatever came before.
 *
 * Not compared across splits: the status of an error, which may depend on
 * the split (414 for a target cut by a read, 400 when llhttp sees the bad
 * byte first). The path of "http://host" is the static string "/", outside
 * the buffer (request.h).
 */
// FUZZ_SOURCES: collector/http/http.c collector/http/request.c /usr/share/llhttp/*.c
// FUZZ_CFLAGS: -I/usr/share/include/llhttp
// FUZZ_DICT: tests/fuzz/http.dict
// clang-format off
// FUZZ_SEED: \0200\0100\0000GET /p.gif?s=blog&u=%2F HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0\r\nReferer: https://example.com/a\r\n\r\n
// FUZZ_SEED: \0030\0220\0003POST /e HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET /p HTTP/1.0\r\nConnection: keep-alive\r\n\r\n
// FUZZ_SEED: \0100\0300\0024POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\nHEAD /p?s=a HTTP/1.1\r\n\r\n
// FUZZ_SEED: \0377\0001\0010FOO /p.gif HTTP/1.1\r\nHost: h\r\n\r\n
// FUZZ_SEED: \0007\0007\0041GET http://h/p?q HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n
// FUZZ_SEED: \0002\0200\0001GE /p.gif HTTP/1.1\r\n\r\n
// clang-format on
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collector/http/http.h"
#include "tests/fuzz/fuzz_check.h"

static const struct http_limits limits = {
    .max_request_line = 256,
    .max_header_bytes = 512,
    .max_headers = 16,
    .max_body = 1024,
};

/* What one run framed, as bytes to compare. */
struct run {
    struct http_framer h;
    char *log;
    size_t log_len, log_cap;
    int n_requests;
    int stop_at;
};

static void log_add(struct run *r, const void *p, size_t n)
{
    if (r->log_len + n > r->log_cap) {
        size_t cap = r->log_cap ? r->log_cap : 1024;
        while (cap < r->log_len + n) {
            cap *= 2;
        }
        char *nl = realloc(r->log, cap);
        CHECK(nl != NULL);
        r->log = nl;
        r->log_cap = cap;
    }
    if (n > 0) {
        memcpy(r->log + r->log_len, p, n);
        r->log_len += n;
    }
}

static int inside(const struct http_framer *h, struct span s)
{
    return s.p >= h->buf && s.p + s.len <= h->buf + h->len;
}

static void log_span(struct run *r, struct span s)
{
    int set = s.p != NULL;
    log_add(r, &set, sizeof set);
    log_add(r, &s.len, sizeof s.len);
    if (s.len > 0) {
        log_add(r, s.p, s.len);
    }
}

static void on_request(void *arg, const struct request *req)
{
    struct run *r = arg;
    const struct http_framer *h = &r->h;

    CHECK(req->target.p != NULL && req->target.len > 0);
    CHECK(inside(h, req->target));
    CHECK(req->query.len == 0 || inside(h, req->query));
    if (req->path.p != NULL) {
        /* "http://host" gets the path "/" from a static string. */
        CHECK(inside(h, req->path) ||
              (req->path.len == 1 && req->path.p[0] == '/' &&
               req->target.p[0] != '/'));
        CHECK(req->path.len > 0 && req->path.p[0] == '/');
        CHECK(req->query.p != NULL);
    } else {
        CHECK(req->path.len == 0 && req->query.p == NULL &&
              req->query.len == 0);
    }
    for (int i = 0; i < HDR_COUNT; i++) {
        struct span v = req->header[i];
        if (v.p == NULL) {
            CHECK(v.len == 0);
            continue;
        }
        CHECK(inside(h, v));
        if (v.len > 0) {
            CHECK(v.p[v.len - 1] != ' ' && v.p[v.len - 1] != '\t');
            CHECK(memchr(v.p, '\n', v.len) == NULL);
        }
    }
    CHECK(req->keep_alive == 0 || req->keep_alive == 1);
    CHECK(req->method >= 0);

    log_add(r, &req->method, sizeof req->method);
    log_add(r, &req->keep_alive, sizeof req->keep_alive);
    log_add(r, &req->http_minor, sizeof req->http_minor);
    log_span(r, req->target);
    log_span(r, req->path);
    log_span(r, req->query);
    for (int i = 0; i < HDR_COUNT; i++) {
        log_span(r, req->header[i]);
    }
    /* After a request that does not keep the connection, nothing more is
     * framed (conn.c stops there too). */
    if (++r->n_requests == r->stop_at || !req->keep_alive) {
        http_stop(&r->h);
    }
}

enum outcome { OUT_OK, OUT_STOPPED, OUT_ERROR, OUT_FULL };

static void check_state(const struct http_framer *h)
{
    CHECK(h->buf != NULL);
    CHECK(h->len <= h->cap);
    CHECK(h->cap <= h->max_cap);
    CHECK(h->parsed <= h->len);
}

/* Feeds p[0..n) through http_space(); returns how framing went. */
static enum outcome feed(struct run *r, const uint8_t *p, size_t n)
{
    struct http_framer *h = &r->h;

    while (n > 0) {
        size_t room;
        char *w = http_space(h, &room);
        check_state(h);
        CHECK(w == h->buf + h->len);
        CHECK(room == h->cap - h->len);
        if (room == 0) {
            return OUT_FULL; /* the caller answers 431 */
        }
        size_t k = n < room ? n : room;
        memcpy(w, p, k);
        p += k;
        n -= k;
        enum http_result res = http_feed(h, k);
        check_state(h);
        switch (res) {
        case HTTP_FEED_OK:
            CHECK(h->status == 0);
            break;
        case HTTP_FEED_STOPPED:
            return OUT_STOPPED;
        case HTTP_FEED_ERROR:
            CHECK(h->status == 400 || h->status == 405 || h->status == 413 ||
                  h->status == 414 || h->status == 431 || h->status == 505);
            CHECK(h->why != NULL);
            CHECK((h->status == 405) == (h->unknown_method != 0));
            if (h->unknown_method) {
                CHECK(h->bad_target_len > 0);
                CHECK(h->bad_target_off + h->bad_target_len <= h->len);
            }
            return OUT_ERROR;
        default:
            CHECK(0);
        }
    }
    CHECK(h->status == 0);
    /* what is kept is a request's (or an empty line's) start */
    CHECK(h->in_message || h->len == 0 || http_in_head(h));
    return OUT_OK;
}

static enum outcome run_all(struct run *r, const uint8_t *p, size_t n,
                            const size_t *cuts, int n_cuts, size_t initial,
                            size_t max_cap, int stop_at)
{
    enum outcome out = OUT_OK;
    size_t from = 0;

    memset(r, 0, sizeof(*r));
    r->stop_at = stop_at;
    CHECK(http_init(&r->h, &limits, initial, max_cap, on_request, r) == 0);
    CHECK(http_idle(&r->h) && !http_in_head(&r->h));
    for (int i = 0; i <= n_cuts && out == OUT_OK; i++) {
        size_t to = i < n_cuts ? cuts[i] : n;
        out = feed(r, p + from, to - from);
        from = to;
    }
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t initial_caps[] = {16, 64, 256, 1024};
    struct run split, whole;
    size_t cuts[2];

    if (size < 3) {
        return 0;
    }
    const uint8_t *p = data + 3;
    size_t n = size - 3;
    int three = data[2] & 1;
    size_t initial = initial_caps[(data[2] >> 1) & 3];
    size_t max_cap = (data[2] & 8) ? 1024
                                   : limits.max_request_line +
                                         limits.max_header_bytes + 4096;
    int stop_at = (data[2] >> 4) & 7;

    cuts[0] = (size_t)data[0] * n / 255;
    cuts[1] = (size_t)data[1] * n / 255;
    if (cuts[1] < cuts[0]) {
        size_t t = cuts[0];
        cuts[0] = cuts[1];
        cuts[1] = t;
    }
    if (!three) {
        cuts[0] = cuts[1] = (size_t)data[0] * n / 255;
    }

    enum outcome a =
        run_all(&split, p, n, cuts, three ? 2 : 1, initial, max_cap, stop_at);
    enum outcome b = run_all(&whole, p, n, cuts, 0, initial, max_cap, stop_at);

    /* Where the reads were split changes nothing that was framed. */
    CHECK(split.n_requests == whole.n_requests);
    CHECK(split.log_len == whole.log_len);
    CHECK(split.log_len == 0 ||
          memcmp(split.log, whole.log, split.log_len) == 0);
    CHECK(a == b);

    /* A reset framer starts clean: the next connection's request is read
     * from its own bytes only. */
    static const char next[] = "GET /z?q HTTP/1.1\r\nHost: z.example\r\n"
                               "User-Agent: zz\r\n\r\n";
    http_reset(&whole.h);
    CHECK(http_idle(&whole.h) && !http_in_head(&whole.h));
    CHECK(whole.h.status == 0 && whole.h.len == 0);
    whole.stop_at = 0;
    whole.n_requests = 0;
    whole.log_len = 0;
    CHECK(feed(&whole, (const uint8_t *)next, sizeof next - 1) == OUT_OK);
    CHECK(whole.n_requests == 1);
    CHECK(http_idle(&whole.h));
    /* The same request on a fresh framer logs the same bytes. */
    struct run fresh;
    CHECK(run_all(&fresh, (const uint8_t *)next, sizeof next - 1, cuts, 0,
                  initial, max_cap, 0) == OUT_OK);
    CHECK(fresh.n_requests == 1);
    CHECK(fresh.log_len == whole.log_len &&
          memcmp(fresh.log, whole.log, whole.log_len) == 0);
    http_deinit(&fresh.h);
    free(fresh.log);

    http_deinit(&split.h);
    http_deinit(&whole.h);
    free(split.log);
    free(whole.log);
    return 0;
}
