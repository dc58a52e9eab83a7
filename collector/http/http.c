/*
 * http.c: llhttp callbacks, the framer's own RFC 9112 checks and buffer
 * management for http.h.
 *
 * llhttp calls span callbacks with pieces of the bytes it is given; a
 * piece may end where a read ended. Because a request's bytes stay where
 * they are in the buffer until it completes, consecutive pieces of one
 * field are adjacent, and a field is its first offset plus a length.
 *
 * llhttp pauses at the end of every request (on_message_complete), so the
 * framer knows where the request ended: it checks the request's last
 * framing bytes there, and only then hands the request over.
 */
#include "collector/http/http.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>

/* scan_state: where the last checked framing byte left its line. */
enum { SCAN_MID, SCAN_CR, SCAN_BOL };

static struct http_framer *framer(llhttp_t *p)
{
    return p->data;
}

static size_t offset_of(struct http_framer *h, const char *at)
{
    return (size_t)(at - h->buf) - h->req_start;
}

/* Stream position of a byte of the bytes llhttp is running over. */
static uint64_t pos_of(const struct http_framer *h, const char *at)
{
    return h->consumed + (uint64_t)(at - h->exec_at);
}

static int fail(struct http_framer *h, int status, const char *why)
{
    h->status = status;
    h->why = why;
    return -1;
}

/* RFC 9110 5.6.2 token characters, a bit per byte: digits, letters and
 * !#$%&'*+-.^_`|~ (none from 0x80). */
static const uint64_t tchar_bits[2] = {0x03ff6cfa00000000ULL,
                                       0x57ffffffc7fffffeULL};

static int is_tchar(unsigned char c)
{
    /* letters and '-' make most field names */
    return (unsigned)((c | 0x20) - 'a') < 26 || c == '-' ||
           (c < 128 && ((tchar_bits[c >> 6] >> (c & 63)) & 1));
}

/* The bytes of w (loaded little-endian) that are below 0x20 or are 0x7f,
 * each as its high bit; the lowest one set is exact (bytes from 0x80 are
 * never set). */
static uint64_t control_bytes(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = ones * 0x80;
    uint64_t del = w ^ (ones * 0x7f);
    return (((w - ones * 0x20) & ~w) | ((del - ones) & ~del)) & highs;
}

/* 1 when p[0..n) is all visible ASCII (0x21-0x7e), 8 bytes at a time. */
static int visible_ascii(const char *p, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = ones * 0x80;
    size_t i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        /* below 0x21, 0x7f, or from 0x80 */
        if ((((w - ones * 0x21) & ~w) | w | control_bytes(w)) & highs) {
            return 0;
        }
    }
    for (; i < n; i++) {
        if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f) {
            return 0;
        }
    }
    return 1;
}

/*
 * Checks framing bytes (anything but body data), in stream order: CR only
 * before LF, LF only after CR, no control byte but HT, no whitespace at
 * the start of a line (RFC 9112 2.2, 5.2). State carries across calls, so
 * a CRLF split between reads is one CRLF. Inside a line, the printable
 * bytes before the next control byte are skipped 8 at a time.
 */
static int scan_framing(struct http_framer *h, const char *p, size_t n)
{
    int st = h->scan_state;
    size_t i = 0;
    while (i < n) {
        if (st == SCAN_MID) {
            uint64_t w, ctl = 0;
            while (n - i >= 8) {
                memcpy(&w, p + i, 8);
                w = le64toh(w);
                if ((ctl = control_bytes(w)) != 0) {
                    break;
                }
                i += 8;
            }
            if (ctl != 0) {
                i += (size_t)__builtin_ctzll(ctl) / 8;
            }
            if (i == n) {
                break;
            }
        }
        unsigned char c = (unsigned char)p[i++];
        if (st == SCAN_CR) {
            if (c != '\n') {
                return fail(h, 400, "bare CR");
            }
            st = SCAN_BOL;
        } else if (c == '\r') {
            st = SCAN_CR;
        } else if (c == '\n') {
            return fail(h, 400, "bare LF");
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return fail(h, 400, "control character");
        } else if (st == SCAN_BOL && (c == ' ' || c == '\t')) {
            return fail(h, 400, "line starts with whitespace");
        } else {
            st = SCAN_MID;
        }
    }
    h->scan_state = st;
    return 0;
}

/* Checks the framing bytes from scan_pos up to stream position end (all
 * inside the bytes llhttp is running over). */
static int scan_to(struct http_framer *h, uint64_t end)
{
    if (end <= h->scan_pos) {
        return 0;
    }
    const char *p = h->exec_at + (h->scan_pos - h->consumed);
    size_t n = (size_t)(end - h->scan_pos);
    h->scan_pos = end;
    return scan_framing(h, p, n);
}

static int on_message_begin(llhttp_t *p)
{
    struct http_framer *h = framer(p);
    h->in_message = 1;
    h->method_len = 0;
    h->url_len = 0;
    h->url_done = 0;
    h->version_ok = 0;
    h->line_done = 0;
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
    (void)at;
    framer(p)->method_len += len;
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

/* The whole target is known here, whatever the reads were. */
static int on_url_complete(llhttp_t *p)
{
    struct http_framer *h = framer(p);
    h->url_done = 1;
    /* llhttp takes several spaces after the method */
    if (h->url_off != h->method_len + 1) {
        return fail(h, 400, "extra whitespace in request line");
    }
    /* RFC 3986: a target is visible ASCII; llhttp 8.1 also takes HT and
     * bytes from 0x80 */
    if (!visible_ascii(h->buf + h->req_start + h->url_off, h->url_len)) {
        return fail(h, 400, "bad byte in request target");
    }
    return 0;
}

static int on_version(llhttp_t *p, const char *at, size_t len)
{
    struct http_framer *h = framer(p);
    static const char proto[] = " HTTP/";
    size_t off = offset_of(h, at);
    (void)len;
    /* the first piece: exactly one SP and "HTTP/" after the target
     * (llhttp takes several spaces, and RTSP/ and ICE/ too) */
    if (!h->version_ok && off == h->url_off + h->url_len + 6 &&
        memcmp(at - 6, proto, 6) == 0) {
        h->version_ok = 1;
    } else if (!h->version_ok) {
        return fail(h, 400, "bad request line");
    }
    return 0;
}

static int on_version_complete(llhttp_t *p)
{
    struct http_framer *h = framer(p);
    if (p->http_major != 1 || p->http_minor > 1) {
        return fail(h, 505, "HTTP version not supported");
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

static int on_header_field(llhttp_t *p, const char *at, size_t len)
{
    struct http_framer *h = framer(p);
    h->line_done = 1;
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
    /* RFC 9112 5.1: "Host : x" is Host to some, unknown to others; RFC
     * 9110 5.1: a name is a token ("Transfer Encoding" is not) */
    for (const char *c = name, *end = name + h->field_len; c < end; c++) {
        if (!is_tchar((unsigned char)*c)) {
            return fail(h, 400, "field name is not a token");
        }
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

static int on_headers_complete(llhttp_t *p)
{
    struct http_framer *h = framer(p);
    h->head_done = 1;
    h->line_done = 1;
    if (!h->version_ok) {
        return fail(h, 400, "no HTTP version"); /* HTTP/0.9's "GET /" */
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
    if ((p->flags & F_CONTENT_LENGTH) &&
        p->content_length > h->limits->max_body) {
        return fail(h, 413, "body too large");
    }
    if ((p->flags & F_CHUNKED) && h->limits->max_body == 0) {
        return fail(h, 413, "no request body is taken");
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
    /* The framing bytes before this data, then skip the data itself. */
    if (scan_to(h, pos_of(h, at)) < 0) {
        return -1;
    }
    if (h->scan_state == SCAN_CR) {
        return fail(h, 400, "bare CR");
    }
    h->scan_state = SCAN_MID;
    h->scan_pos = pos_of(h, at + len);

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
             * the rest is checked when it arrives (execute). */
            const char *end = at + len;
            uint64_t pos = pos_of(h, end);
            h->crlf_pos = pos;
            h->crlf_left = 2;
            return check_crlf(h, end, (size_t)(h->buf + h->len - end), pos);
        }
    }
    return 0;
}

/* Records the finished request; llhttp pauses so that http_feed() can
 * check the request's last bytes before handing it over. */
static int on_message_complete(llhttp_t *p)
{
    struct http_framer *h = framer(p);
    const char *base = h->buf + h->req_start;
    struct request *r = &h->done;

    r->method = llhttp_get_method(p);
    r->target = span_make(base + h->url_off, h->url_len);
    if (request_split_target(r->target, &r->path, &r->query) < 0) {
        r->path = span_make(NULL, 0);
        r->query = span_make(NULL, 0);
    }
    for (int i = 0; i < HDR_COUNT; i++) {
        r->header[i] = h->hdr[i].set
                           ? span_make(base + h->hdr[i].off, h->hdr[i].len)
                           : span_make(NULL, 0);
    }
    /* Nothing but HTTP/1.1 follows on this connection after an Upgrade
     * request, and we upgrade to nothing: answer it, then close. */
    r->keep_alive = llhttp_should_keep_alive(p) && !p->upgrade;
    for (int i = 0; i < h->n_xff; i++) {
        r->xff[i] = span_make(base + h->xff[i].off, h->xff[i].len);
    }
    r->n_xff = h->n_xff;
    for (int i = 0; i < h->n_cookie; i++) {
        r->cookie[i] = span_make(base + h->cookie[i].off, h->cookie[i].len);
    }
    r->n_cookie = h->n_cookie;
    r->body = span_make(h->body_len > 0 ? h->body : NULL, (size_t)h->body_len);
    r->http_minor = llhttp_get_http_minor(p);
    return HPE_PAUSED;
}

static const llhttp_settings_t settings = {
    .on_message_begin = on_message_begin,
    .on_method = on_method,
    .on_url = on_url,
    .on_url_complete = on_url_complete,
    .on_version = on_version,
    .on_version_complete = on_version_complete,
    .on_header_field = on_header_field,
    .on_header_field_complete = on_header_field_complete,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_chunk_header = on_chunk_header,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

int http_init_in(struct http_framer *h, const struct http_limits *limits,
                 char *buf, size_t cap, size_t max_cap, http_request_fn fn,
                 void *arg)
{
    memset(h, 0, sizeof(*h));
    h->buf = buf;
    h->cap = cap;
    h->max_cap = max_cap;
    h->limits = limits;
    h->on_request = fn;
    h->arg = arg;
    http_reset(h);
    return 0;
}

int http_init(struct http_framer *h, const struct http_limits *limits,
              size_t initial_cap, size_t max_cap, http_request_fn fn,
              void *arg)
{
    char *buf = malloc(initial_cap);
    if (buf == NULL) {
        return -1;
    }
    http_init_in(h, limits, buf, initial_cap, max_cap, fn, arg);
    h->buf_owned = 1;
    return 0;
}

void http_deinit(struct http_framer *h)
{
    if (h->buf_owned) {
        free(h->buf);
    }
    h->buf = NULL;
    h->buf_owned = 0;
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
    h->consumed = 0;
    h->scan_pos = 0;
    h->scan_state = SCAN_BOL;
    h->in_message = 0;
    h->req_start = 0;
    h->empty_lines = 0;
    h->n_done = 0;
    h->status = 0;
    h->why = NULL;
    h->stopped = 0;
    h->line_refused = 0;
    h->unknown_method = 0;
    h->field_len = 0;
    h->value_len = 0;
    h->value_started = 0;
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
        char *nb = h->buf_owned ? realloc(h->buf, ncap) : malloc(ncap);
        if (nb != NULL) {
            if (!h->buf_owned) {
                memcpy(nb, h->buf, h->len);
            }
            h->buf = nb;
            h->cap = ncap;
            h->buf_owned = 1;
        }
    }
    *room = h->cap - h->len;
    return h->buf + h->len;
}

/* Marks buf[parsed..to) as framed. */
static void advance(struct http_framer *h, size_t to)
{
    h->consumed += to - h->parsed;
    h->parsed = to;
}

/*
 * Between requests: takes the empty lines (CRLF) before a request line
 * (RFC 9112 2.2), at most HTTP_MAX_EMPTY_LINES. Returns 0 when the next
 * byte starts a request or more bytes are needed, -1 on an error.
 */
static int skip_empty_lines(struct http_framer *h)
{
    while (h->parsed < h->len) {
        const char *c = h->buf + h->parsed;
        if (*c == '\n') {
            return fail(h, 400, "bare LF");
        }
        if (*c != '\r') {
            return 0;
        }
        if (h->parsed + 1 == h->len) {
            return 0; /* its LF is still to come */
        }
        if (c[1] != '\n') {
            return fail(h, 400, "bare CR");
        }
        if (++h->empty_lines > HTTP_MAX_EMPTY_LINES) {
            return fail(h, 400, "too many empty lines before a request");
        }
        advance(h, h->parsed + 2);
    }
    return 0;
}

/*
 * The status of a request line that llhttp refused, given whole (up to
 * its LF): 505 for a well-formed line of another HTTP version, 405 for a
 * well-formed line with a method llhttp does not know (its target is
 * recorded, so the caller can answer 404 off our paths), else 400.
 */
static int judge_line(struct http_framer *h, const char *line,
                      const char *lf, int unknown_method)
{
    const char *end = lf, *p = line;
    if (end == line || end[-1] != '\r') {
        return 400;
    }
    end--;
    while (p < end && is_tchar((unsigned char)*p)) {
        p++;
    }
    if (p == line || p == end || *p != ' ') {
        return 400;
    }
    const char *target = ++p;
    while (p < end && (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f) {
        p++;
    }
    if (p == target || p == end || *p != ' ') {
        return 400;
    }
    const char *target_end = p++;
    if (end - p < 8 || memcmp(p, "HTTP/", 5) != 0) {
        return 400;
    }
    const char *major = p + 5, *minor;
    for (p = major; p < end && *p >= '0' && *p <= '9'; p++) {
    }
    if (p == major || p == end || *p != '.') {
        return 400;
    }
    for (minor = ++p; p < end && *p >= '0' && *p <= '9'; p++) {
    }
    if (p == minor || p != end) {
        return 400;
    }
    if (minor - major != 2 || major[0] != '1' || end - minor != 1 ||
        (minor[0] != '0' && minor[0] != '1')) {
        return 505;
    }
    if (!unknown_method) {
        return 400;
    }
    h->unknown_method = 1;
    h->bad_target_off = (size_t)(target - h->buf);
    h->bad_target_len = (size_t)(target_end - target);
    return 405;
}

/*
 * After llhttp refused the request line: once the whole line is here,
 * judge it (a client may send "FO" and "O /p.gif HTTP/1.1" apart).
 */
static enum http_result refused_line(struct http_framer *h)
{
    const char *line = h->buf + h->req_start;
    const char *end = h->buf + h->len;
    /* Bytes already looked at had no LF and no bad byte: look at the new
     * ones only (and the last old one, a CR that may now have a follower),
     * so that a line trickled byte by byte costs no more than one read. */
    const char *from = line;
    if (h->line_refused && h->parsed > h->req_start) {
        from = h->buf + h->parsed - 1;
    }
    const char *lf = memchr(from, '\n', (size_t)(end - from));
    if (lf == NULL) {
        if ((size_t)(end - line) > h->limits->max_request_line) {
            fail(h, 414, "request line too long");
            return HTTP_FEED_ERROR;
        }
        /* A byte that no request line holds decides now, wherever the
         * reads were split (a CR at the end may still get its LF). */
        for (const char *c = from; c < end; c++) {
            if ((unsigned char)*c >= 0x7f ||
                ((unsigned char)*c < 0x20 && (*c != '\r' || c + 1 < end))) {
                fail(h, 400, "bad request line");
                return HTTP_FEED_ERROR;
            }
        }
        h->line_refused = 1;
        h->parsed = h->len;
        return HTTP_FEED_OK;
    }
    int unknown = h->parser.error == HPE_INVALID_METHOD;
    int status = judge_line(h, line, lf, unknown);
    fail(h, status, status == 405   ? "unknown method"
                    : status == 505 ? "HTTP version not supported"
                                    : "bad request line");
    return HTTP_FEED_ERROR;
}

/* Hands over the request that llhttp paused after. */
static void deliver(struct http_framer *h)
{
    h->in_message = 0;
    h->n_done++;
    h->empty_lines = 0;
    h->req_start = h->parsed;
    h->on_request(h->arg, &h->done);
}

/* Runs llhttp over the unframed bytes, up to the end of one request. */
static enum http_result execute(struct http_framer *h)
{
    const char *data = h->buf + h->parsed;
    size_t n = h->len - h->parsed;

    /* A chunk delimiter split from its chunk arrives now. */
    if (check_crlf(h, data, n, h->consumed) < 0) {
        return HTTP_FEED_ERROR;
    }
    h->exec_at = data;
    llhttp_errno_t err = llhttp_execute(&h->parser, data, n);
    if (err == HPE_OK || err == HPE_PAUSED) {
        const char *end =
            err == HPE_OK ? data + n : llhttp_get_error_pos(&h->parser);
        if (scan_to(h, pos_of(h, end)) < 0) {
            return HTTP_FEED_ERROR;
        }
        advance(h, (size_t)(end - h->buf));
        if (err == HPE_PAUSED) {
            llhttp_resume(&h->parser);
            deliver(h);
        }
        return HTTP_FEED_OK;
    }
    if (err == HPE_PAUSED_UPGRADE) {
        /* An Upgrade request was answered; nothing else is framed. */
        h->parsed = h->len;
        return HTTP_FEED_STOPPED;
    }
    if (h->status == 0 && !h->line_done) {
        return refused_line(h);
    }
    if (h->status == 0) {
        fail(h, 400, llhttp_get_error_reason(&h->parser));
    }
    return HTTP_FEED_ERROR;
}

static enum http_result frame(struct http_framer *h)
{
    if (h->line_refused) {
        return refused_line(h);
    }
    while (h->parsed < h->len && !h->stopped) {
        if (!h->in_message) {
            if (skip_empty_lines(h) < 0) {
                return HTTP_FEED_ERROR;
            }
            h->req_start = h->parsed;
            h->scan_pos = h->consumed;
            h->scan_state = SCAN_BOL;
            if (h->parsed == h->len || h->buf[h->parsed] == '\r') {
                break; /* nothing yet, or a CR whose LF is to come */
            }
        }
        enum http_result res = execute(h);
        if (res != HTTP_FEED_OK || h->line_refused) {
            return res;
        }
    }
    return h->stopped ? HTTP_FEED_STOPPED : HTTP_FEED_OK;
}

enum http_result http_feed(struct http_framer *h, size_t n)
{
    h->len += n;
    if (h->stopped) {
        return HTTP_FEED_STOPPED;
    }
    enum http_result res = frame(h);
    if (res == HTTP_FEED_OK && !h->line_refused) {
        if (h->in_message) {
            drop_body(h);
        }
        compact(h);
    }
    return res;
}

struct span http_error_target(const struct http_framer *h)
{
    if (h->unknown_method) {
        return span_make(h->buf + h->bad_target_off, h->bad_target_len);
    }
    if (h->in_message && h->url_done &&
        h->req_start + h->url_off + h->url_len <= h->len) {
        return span_make(h->buf + h->req_start + h->url_off, h->url_len);
    }
    return span_make(NULL, 0);
}

void http_stop(struct http_framer *h)
{
    h->stopped = 1;
}

void http_resume(struct http_framer *h)
{
    h->stopped = 0;
}

int http_idle(const struct http_framer *h)
{
    return !h->in_message && h->len == h->parsed && h->empty_lines == 0;
}

int http_in_head(const struct http_framer *h)
{
    return h->in_message ? !h->head_done
                         : h->len > h->parsed || h->empty_lines > 0;
}

int http_in_body(const struct http_framer *h)
{
    return h->in_message && h->head_done;
}
