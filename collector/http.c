/*
 * http.c: llhttp callbacks and buffer management for http.h.
 *
 * llhttp calls span callbacks with pieces of the bytes it is given; a
 * piece may end where a read ended. Because a request's bytes stay where
 * they are in the buffer until it completes, consecutive pieces of one
 * field are adjacent, and a field is its first offset plus a length.
 */
#include "collector/http.h"

#include <stdlib.h>
#include <string.h>

static struct http_framer *framer(llhttp_t *p)
{
    return p->data;
}

static size_t offset_of(struct http_framer *h, const char *at)
{
    return (size_t)(at - h->buf) - h->req_start;
}

static int fail(struct http_framer *h, int status, const char *why)
{
    h->status = status;
    h->why = why;
    return -1;
}

static int on_message_begin(llhttp_t *p)
{
    struct http_framer *h = framer(p);
    h->in_message = 1;
    h->started = 0;
    h->url_len = 0;
    h->url_done = 0;
    h->n_headers = 0;
    h->head_done = 0;
    h->in_trailers = 0;
    h->trailer_off = 0;
    h->trailer_seen = 0;
    h->body_off = 0;
    h->body_len = 0;
    h->field_id = HDR_COUNT;
    memset(h->hdr, 0, sizeof(h->hdr));
    h->n_xff = 0;
    h->n_cookie = 0;
    return 0;
}

static int on_method(llhttp_t *p, const char *at, size_t len)
{
    struct http_framer *h = framer(p);
    (void)len;
    if (!h->started) {
        h->started = 1;
        h->req_start = (size_t)(at - h->buf);
    }
    return 0;
}

static int on_url(llhttp_t *p, const char *at, size_t len)
{
    struct http_framer *h = framer(p);
    if (h->url_len == 0) {
        h->url_off = offset_of(h, at);
    }
    h->url_len += len;
    /* method SP target SP "HTTP/1.1": the version is 8 bytes and comes
     * after the target, so count it now to judge the whole line */
    if (h->url_off + h->url_len + 9 > h->limits->max_request_line) {
        return fail(h, 414, "request line too long");
    }
    return 0;
}

/* Bytes of the header block so far: everything after the request line. */
static int check_head_size(struct http_framer *h, const char *end)
{
    size_t line = h->url_off + h->url_len;
    size_t head = offset_of(h, end);
    if (head > line && head - line > h->limits->max_header_bytes) {
        return fail(h, 431, "header block too large");
    }
    return 0;
}

/* Header bytes so far: the head's (request line excluded), or, after a
 * chunked body, the trailer fields'. */
static int check_field_bytes(struct http_framer *h, const char *at,
                             size_t len)
{
    if (!h->head_done) {
        return check_head_size(h, at + len);
    }
    if (h->trailer_off == 0) {
        h->trailer_off = offset_of(h, at);
    }
    h->trailer_seen = offset_of(h, at + len);
    if (h->trailer_seen - h->trailer_off > h->limits->max_header_bytes) {
        return fail(h, 431, "trailer fields too large");
    }
    return 0;
}

static int on_url_complete(llhttp_t *p)
{
    framer(p)->url_done = 1;
    return 0;
}

static int on_header_field(llhttp_t *p, const char *at, size_t len)
{
    struct http_framer *h = framer(p);
    if (h->field_len == 0) {
        h->field_off = offset_of(h, at);
    }
    h->field_len += len;
    return check_field_bytes(h, at, len);
}

static int on_header_field_complete(llhttp_t *p)
{
    struct http_framer *h = framer(p);
    const char *name = h->buf + h->req_start + h->field_off;
    if (++h->n_headers > h->limits->max_headers) {
        return fail(h, 431, "too many header lines");
    }
    /* RFC 9112 5.1: whitespace between a field name and the colon must be
     * refused ("Host : x" is Host to some, unknown to others). */
    if (h->field_len > 0 && (name[h->field_len - 1] == ' ' ||
                             name[h->field_len - 1] == '\t')) {
        return fail(h, 400, "whitespace before colon");
    }
    /* Trailer fields are framed, never read: they cannot replace a header
     * the request was judged by. */
    h->field_id = h->head_done ? HDR_COUNT
                               : request_header_id(name, h->field_len);
    h->field_len = 0;
    h->value_started = 0;
    h->value_len = 0;
    return 0;
}

static int on_header_value(llhttp_t *p, const char *at, size_t len)
{
    struct http_framer *h = framer(p);
    if (!h->value_started) {
        h->value_started = 1;
        h->value_off = offset_of(h, at);
    }
    h->value_len += len;
    return check_field_bytes(h, at, len);
}

static int on_header_value_complete(llhttp_t *p)
{
    struct http_framer *h = framer(p);
    enum request_header id = h->field_id;

    if (id != HDR_COUNT) {
        const char *v = h->buf + h->req_start + h->value_off;
        size_t n = h->value_started ? h->value_len : 0;
        while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t')) {
            n--;
        }
        struct http_field f = {h->value_off, n, 1};
        /* The first line counts, but a DNT or Sec-GPC line saying 1 wins
         * over an earlier one that did not: when in doubt, do not track. */
        if (!h->hdr[id].set ||
            ((id == HDR_DNT || id == HDR_SEC_GPC) && n == 1 && v[0] == '1')) {
            h->hdr[id] = f;
        }
        if (id == HDR_X_FORWARDED_FOR) {
            /* The right end of the list is what proxies wrote: keep the
             * last lines. */
            if (h->n_xff == REQUEST_XFF_MAX) {
                memmove(h->xff, h->xff + 1, sizeof(h->xff) - sizeof(f));
                h->n_xff--;
            }
            h->xff[h->n_xff++] = f;
        } else if (id == HDR_COOKIE && h->n_cookie < REQUEST_COOKIE_MAX) {
            h->cookie[h->n_cookie++] = f;
        }
    }
    h->field_id = HDR_COUNT;
    return 0;
}

/*
 * Line breaks that llhttp 8 accepts but RFC 9112 does not, in the header
 * block (or trailer block) starting at `from`:
 *   - an obs-fold continuation ("\r\n value"), joined into the field
 *     before it (5.2 lets a server refuse it; a proxy in front may read
 *     the headers otherwise);
 *   - a CR not followed by LF (2.2), after which llhttp's idea of where a
 *     line ends depends on how the bytes were split into reads.
 * The whole block is still in the buffer when its end is framed. Returns
 * the defect, or NULL.
 */
static const char *line_defect(const struct http_framer *h, size_t from)
{
    const char *start = h->buf + h->req_start + from;
    const char *stop = h->buf + h->len;
    const char *end = stop;
    const char *p = start;

    /* Inside a block a line feed is followed by the next field name; by CR
     * or LF only where the block ends; by SP or HT only in a fold. */
    while ((p = memchr(p, '\n', (size_t)(stop - p))) != NULL) {
        if (++p == stop || *p == '\r' || *p == '\n') {
            end = p;
            break;
        }
        if (*p == ' ' || *p == '\t') {
            return "obsolete line folding";
        }
    }
    for (p = start; (p = memchr(p, '\r', (size_t)(end - p))) != NULL;) {
        if (++p < stop && *p != '\n') {
            return "bare CR";
        }
    }
    return NULL;
}

static int on_headers_complete(llhttp_t *p)
{
    struct http_framer *h = framer(p);
    h->head_done = 1;
    if (p->http_major != 1) {
        return fail(h, 400, "not HTTP/1.x");
    }
    const char *defect = line_defect(h, 0);
    if (defect != NULL) {
        return fail(h, 400, defect);
    }
    /* llhttp accepts "gzip, chunked"; SPEC 2.8 accepts "chunked" alone. */
    if (h->hdr[HDR_TRANSFER_ENCODING].set) {
        struct span te = span_make(
            h->buf + h->req_start + h->hdr[HDR_TRANSFER_ENCODING].off,
            h->hdr[HDR_TRANSFER_ENCODING].len);
        if (!span_ieq(te, "chunked")) {
            return fail(h, 400, "unsupported Transfer-Encoding");
        }
    }
    if (p->content_length > h->limits->max_body &&
        (p->flags & F_CONTENT_LENGTH)) {
        fail(h, 413, "body too large");
        return -1;
    }
    return 0;
}

/* Checks the chunk delimiter bytes that lie in data[0..len), whose first
 * byte is at stream position pos. Returns 0, or -1 on a wrong byte. */
static int check_crlf(struct http_framer *h, const char *data, size_t len,
                      uint64_t pos)
{
    while (h->crlf_left > 0 && h->crlf_pos >= pos &&
           h->crlf_pos < pos + len) {
        char want = h->crlf_left == 2 ? '\r' : '\n';
        if (data[h->crlf_pos - pos] != want) {
            return fail(h, 400, "bad chunk delimiter");
        }
        h->crlf_pos++;
        h->crlf_left--;
    }
    return 0;
}

static int on_chunk_header(llhttp_t *p)
{
    struct http_framer *h = framer(p);
    h->chunk_left = p->content_length;
    /* After the last chunk come trailer fields: keep their bytes. */
    h->in_trailers = p->content_length == 0;
    return 0;
}

static int on_body(llhttp_t *p, const char *at, size_t len)
{
    struct http_framer *h = framer(p);
    if (h->body_off == 0) {
        h->body_off = offset_of(h, at);
    }
    if (h->body_len + len > h->limits->max_body) {
        return fail(h, 413, "body too large");
    }
    if (h->body_len + len > h->body_cap) {
        size_t ncap = h->body_cap ? h->body_cap : 1024;
        while (ncap < h->body_len + len) {
            ncap *= 2;
        }
        if (ncap > h->limits->max_body) {
            ncap = h->limits->max_body;
        }
        char *nb = realloc(h->body, ncap);
        if (nb == NULL) {
            return fail(h, 503, "out of memory for a body");
        }
        h->body = nb;
        h->body_cap = ncap;
    }
    memcpy(h->body + h->body_len, at, len);
    h->body_len += len;
    if ((p->flags & F_CHUNKED) && len > 0) {
        h->chunk_left -= len < h->chunk_left ? len : h->chunk_left;
        if (h->chunk_left == 0) {
            /* The chunk's CRLF follows: check what of it is here already;
             * the rest is checked when it arrives (http_feed). */
            const char *end = at + len;
            uint64_t pos = h->fed + (uint64_t)(end - h->exec_at);
            h->crlf_pos = pos;
            h->crlf_left = 2;
            return check_crlf(h, end, (size_t)(h->buf + h->len - end), pos);
        }
    }
    return 0;
}

static int on_message_complete(llhttp_t *p)
{
    struct http_framer *h = framer(p);
    const char *base = h->buf + h->req_start;
    struct request r;

    if (h->trailer_off != 0) {
        const char *defect = line_defect(h, h->trailer_off);
        if (defect != NULL) {
            return fail(h, 400, defect);
        }
    }
    r.method = llhttp_get_method(p);
    r.target = span_make(base + h->url_off, h->url_len);
    if (request_split_target(r.target, &r.path, &r.query) < 0) {
        r.path = span_make(NULL, 0);
        r.query = span_make(NULL, 0);
    }
    for (int i = 0; i < HDR_COUNT; i++) {
        r.header[i] = h->hdr[i].set
                          ? span_make(base + h->hdr[i].off, h->hdr[i].len)
                          : span_make(NULL, 0);
    }
    /* Nothing but HTTP/1.1 follows on this connection after an Upgrade
     * request, and we upgrade to nothing: answer it, then close. */
    r.keep_alive = llhttp_should_keep_alive(p) && !p->upgrade;
    for (int i = 0; i < h->n_xff; i++) {
        r.xff[i] = span_make(base + h->xff[i].off, h->xff[i].len);
    }
    r.n_xff = h->n_xff;
    for (int i = 0; i < h->n_cookie; i++) {
        r.cookie[i] = span_make(base + h->cookie[i].off, h->cookie[i].len);
    }
    r.n_cookie = h->n_cookie;
    r.body = span_make(h->body_len > 0 ? h->body : NULL, (size_t)h->body_len);
    r.http_minor = llhttp_get_http_minor(p);
    h->in_message = 0;
    h->on_request(h->arg, &r);
    /* Pausing makes llhttp_execute return at the end of this request. */
    return h->stopped ? HPE_PAUSED : 0;
}

static const llhttp_settings_t settings = {
    .on_message_begin = on_message_begin,
    .on_method = on_method,
    .on_url = on_url,
    .on_url_complete = on_url_complete,
    .on_header_field = on_header_field,
    .on_header_field_complete = on_header_field_complete,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_chunk_header = on_chunk_header,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

int http_init(struct http_framer *h, const struct http_limits *limits,
              size_t initial_cap, size_t max_cap, http_request_fn fn,
              void *arg)
{
    memset(h, 0, sizeof(*h));
    h->buf = malloc(initial_cap);
    if (h->buf == NULL) {
        return -1;
    }
    h->cap = initial_cap;
    h->max_cap = max_cap;
    h->limits = limits;
    h->on_request = fn;
    h->arg = arg;
    http_reset(h);
    return 0;
}

void http_deinit(struct http_framer *h)
{
    free(h->buf);
    h->buf = NULL;
    free(h->body);
    h->body = NULL;
    h->body_cap = 0;
}

void http_reset(struct http_framer *h)
{
    llhttp_init(&h->parser, HTTP_REQUEST, &settings);
    h->parser.data = h;
    h->len = 0;
    h->parsed = 0;
    h->in_message = 0;
    h->started = 0;
    h->req_start = 0;
    h->status = 0;
    h->why = NULL;
    h->stopped = 0;
    h->unknown_method = 0;
    h->bad_method_pending = 0;
    h->field_len = 0;
    h->value_len = 0;
    h->value_started = 0;
    h->fed = 0;
    h->crlf_left = 0;
}

/* Drops body bytes already framed: the head before them must stay. */
static void drop_body(struct http_framer *h)
{
    size_t keep = h->req_start + h->body_off;
    if (h->body_off == 0 || h->in_trailers || h->parsed <= keep) {
        return;
    }
    memmove(h->buf + keep, h->buf + h->parsed, h->len - h->parsed);
    h->len -= h->parsed - keep;
    h->parsed = keep;
}

/* Drops the bytes before the current request. */
static void compact(struct http_framer *h)
{
    if (h->req_start == 0) {
        return;
    }
    memmove(h->buf, h->buf + h->req_start, h->len - h->req_start);
    h->len -= h->req_start;
    h->parsed -= h->req_start;
    h->req_start = 0;
}

char *http_space(struct http_framer *h, size_t *room)
{
    if (h->len == h->cap) {
        compact(h);
    }
    if (h->len == h->cap && h->cap < h->max_cap) {
        size_t ncap = h->cap * 2 < h->max_cap ? h->cap * 2 : h->max_cap;
        char *nb = realloc(h->buf, ncap);
        if (nb != NULL) {
            h->buf = nb;
            h->cap = ncap;
        }
    }
    *room = h->cap - h->len;
    return h->buf + h->len;
}

static int is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/*
 * llhttp rejects methods it does not know. A line that still reads
 * "TOKEN SP target SP" is a well-formed request with an unknown method:
 * record its target so the caller can answer 405 or 404 (SPEC 2.8).
 */
static void classify_bad_method(struct http_framer *h, const char *line)
{
    size_t i = (size_t)(line - h->buf);
    size_t start = i;
    while (i < h->len && is_tchar((unsigned char)h->buf[i])) {
        i++;
    }
    if (i == start || i >= h->len || h->buf[i] != ' ') {
        return;
    }
    size_t t = ++i;
    while (i < h->len && h->buf[i] != ' ' && h->buf[i] != '\r' &&
           h->buf[i] != '\n') {
        i++;
    }
    if (i == t || i >= h->len || h->buf[i] != ' ') {
        return;
    }
    h->unknown_method = 1;
    h->bad_target_off = t;
    h->bad_target_len = i - t;
}

/*
 * After llhttp refused a method: once the whole request line is here,
 * decide between 405/404 (a well-formed line) and 400. Until then, wait
 * for more bytes: a client may send "FO" and "O /p.gif HTTP/1.1" apart.
 */
static enum http_result bad_method(struct http_framer *h)
{
    size_t from = h->parsed;
    size_t have = h->len - from;
    if (memchr(h->buf + from, '\n', have) == NULL &&
        have <= h->limits->max_request_line) {
        h->req_start = from; /* let http_space() compact up to here */
        h->bad_method_pending = 1;
        return HTTP_FEED_OK;
    }
    h->bad_method_pending = 0;
    classify_bad_method(h, h->buf + from);
    h->status = h->unknown_method ? 405 : 400;
    h->why = "unknown method";
    return HTTP_FEED_ERROR;
}

enum http_result http_feed(struct http_framer *h, size_t n)
{
    const char *data = h->buf + h->parsed;
    size_t n_exec;
    h->len += n;
    if (h->bad_method_pending) {
        return bad_method(h);
    }
    n_exec = h->len - h->parsed;
    /* A chunk delimiter split from its chunk arrives now. */
    if (check_crlf(h, data, n_exec, h->fed) < 0) {
        return HTTP_FEED_ERROR;
    }
    h->exec_at = data;
    llhttp_errno_t err = llhttp_execute(&h->parser, data, n_exec);

    if (err == HPE_OK) {
        h->fed += n_exec;
        h->parsed = h->len;
    } else if (err == HPE_PAUSED) {
        h->parsed = (size_t)(llhttp_get_error_pos(&h->parser) - h->buf);
    } else if (err == HPE_PAUSED_UPGRADE) {
        /* An Upgrade request was answered; nothing else is framed. */
        h->parsed = h->len;
        return HTTP_FEED_STOPPED;
    } else if (err == HPE_INVALID_METHOD && h->status == 0) {
        /* The refused line starts at the request's first method byte when
         * an earlier read brought it, else in this read, after the
         * requests that completed in it. */
        if (h->in_message && h->started) {
            h->parsed = h->req_start;
        } else {
            h->parsed = (size_t)(llhttp_get_error_pos(&h->parser) - h->buf);
            while (h->buf + h->parsed > data &&
                   is_tchar((unsigned char)h->buf[h->parsed - 1])) {
                h->parsed--;
            }
        }
        return bad_method(h);
    } else {
        if (h->status == 0) {
            h->status = 400;
            h->why = llhttp_get_error_reason(&h->parser);
        }
        return HTTP_FEED_ERROR;
    }
    if (h->stopped) {
        return HTTP_FEED_STOPPED;
    }
    if (!h->in_message) {
        /* Everything buffered belonged to finished requests. */
        h->len = h->parsed = h->req_start = 0;
    } else if (!h->started) {
        /* Only blank lines before a request so far. */
        h->req_start = h->parsed;
        compact(h);
    } else {
        drop_body(h);
        compact(h);
    }
    return HTTP_FEED_OK;
}

struct span http_error_target(const struct http_framer *h)
{
    if (h->unknown_method) {
        return span_make(h->buf + h->bad_target_off, h->bad_target_len);
    }
    if (h->in_message && h->started && h->url_done &&
        h->req_start + h->url_off + h->url_len <= h->len) {
        return span_make(h->buf + h->req_start + h->url_off, h->url_len);
    }
    return span_make(NULL, 0);
}

void http_stop(struct http_framer *h)
{
    h->stopped = 1;
}

int http_idle(const struct http_framer *h)
{
    return !h->in_message && h->len == 0;
}

int http_in_head(const struct http_framer *h)
{
    return h->in_message && !h->head_done;
}
