/*
 * fuzz_admin.c: the admin listener (collector/admin.c, SPEC 6) end to end,
 * through its public API and the hardened edge it shares with the public
 * listener (collector/http/conn.c, collector/http/http.c): each input is what
 * one client sends on one connection, over a real socket (a socketpair, no
 * network), served by admin_accept() on a libevent loop run from here.
 *
 * Input: byte 0 chooses how the rest is written (bits 0-6, see piece_len):
 * whole, or in pieces of 1 to 8224 bytes with the loop run between pieces,
 * so the server sees split reads; and which admin listener serves it (bit
 * 7): one with the default limits of SPEC 2.8 (8 KiB request line, 16 KiB
 * header block, 64 headers), or one with small limits (256, 512, 16) that
 * inputs of run.sh's -max_len can exceed. The rest is what the client
 * sends; then it shuts down its write side and reads until EOF.
 *
 * Invariants: no crash, sanitizer report or leak; the server ends the
 * connection (EOF) within a bounded number of loop turns, and closes its
 * socket once the client closed its own; an empty input is answered with
 * nothing at all; the bytes received are a sequence of whole responses,
 * each "HTTP/1.1 <code> <reason>\r\n" with a code of SPEC 6 / SPEC 2.8
 * (200 400 404 405 408 413 414 431 500 503 505) and its reason, header
 * lines "Name: value\r\n" with one Content-Length, an empty line, then
 * exactly Content-Length body bytes (none for the answer to a HEAD); a
 * 405 says "Allow: GET, HEAD"; the refusals that end a connection (408
 * 413 414 431 500 505) say "Connection: close"; a response that says
 * "Connection: close" is the last one; and there are no more responses
 * than LF bytes sent plus one (each answered request but a refused last
 * one ends in CRLF CRLF).
 *
 * Which response answers a HEAD: the admin listener takes no body (413),
 * so every request it answers without closing is a head that ends in the
 * first CRLF CRLF after its request line; the k-th such head of the input
 * is the k-th request. A body may still follow the answer to a request
 * that looks like HEAD (a refusal always has one): such a response is
 * taken as bodiless only when what follows its header block is the next
 * "HTTP/1.1 " or the end (no admin body starts so).
 *
 * FUZZ_ADMIN_DUMP=1 build-fuzz/fuzz_admin FILE prints what the server sent.
 */
// clang-format off
// FUZZ_SOURCES: collector/admin.c collector/http/conn.c collector/http/http.c collector/http/request.c collector/http/response.c collector/metrics.c collector/http/listener.c common/log.c dashboard/stats_range.c proto/*.c /usr/share/llhttp/*.c
// FUZZ_LIBS: -levent -lsodium -ljansson -lz
// FUZZ_SEED: \0000GET /api/stats?site=shop&from=20261201&to=20261205 HTTP/1.1\r\nHost: a\r\n\r\nGET /livez HTTP/1.1\r\n\r\n
// FUZZ_SEED: \0000GET /api/stats?site=bad!&g=x HTTP/1.1\r\nHost: a\r\n\r\nHEAD /dash HTTP/1.1\r\n\r\n
// FUZZ_SEED: \0001GET /api/sites HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /dash/app.js HTTP/1.1\r\n\r\n
// FUZZ_DICT: tests/fuzz/http.dict
// FUZZ_SEED: \0000GET /livez HTTP/1.1\r\nHost: localhost\r\n\r\n
// FUZZ_SEED: \0040HEAD /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n
// FUZZ_SEED: \0042GET /readyz HTTP/1.1\r\nHost: a\r\n\r\nGET /nope?x=1 HTTP/1.1\r\nHost: a\r\n\r\n
// FUZZ_SEED: \0003POST /livez HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello
// FUZZ_SEED: \0100GET /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n
// FUZZ_SEED: \0000GET /livez HTTP/1.2\r\nHost: a\r\n\r\n
// FUZZ_SEED: \0000GET /livez HTTP/1.1\r\nHost: a\r\n\rGET /livez HTTP/1.1\r\n\r\n
// FUZZ_SEED: \0041GET /livez HTTP/1.1\r\nHost: a\r\r\nGET /livez HTTP/1.1\r\n\r\n
// FUZZ_SEED: \0140FOO /readyz HTTP/1.1\r\nHost: a\r\n\r\n
// FUZZ_SEED: \0000\r\nHEAD /livez HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /livez HTTP/1.0\r\n\r\n
// FUZZ_SEED: \0200GET /readyz?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\nHost: a\r\n\r\n
// clang-format on
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aggregator/flusher.h"
#include "collector/admin.h"
#include "collector/admin_query.h"
#include "collector/ingest/ingest.h"
#include "config/config.h"
#include "collector/server.h"
#include "tests/fuzz/fuzz_check.h"

/* Loop turns allowed for the server to answer and end the connection once
 * the client has sent everything, and to close after the client did. */
#define MAX_TURNS 2000
#define CLOSE_TURNS 8

/* admin.c reads the flusher's gauges for /readyz and /metrics; the fuzz
 * server has no flusher: Redis is down, nothing counted. */
const struct flusher_stats *flusher_stats(const struct flusher *f)
{
    static struct flusher_stats zero;
    (void)f;
    return &zero;
}

/* ... and the syslog sockets' drops: the fuzz server has none. */
uint64_t ingest_receive_drops(const struct ingest *in)
{
    (void)in;
    return 0;
}

/* The dashboard's files: short stand-ins. */
const unsigned char dash_html[] = "<!doctype html>";
const size_t dash_html_len = sizeof(dash_html) - 1;
const unsigned char dash_js[] = "\"use strict\";";
const size_t dash_js_len = sizeof(dash_js) - 1;
const unsigned char chart_js[] = "";
const size_t chart_js_len = 0;

/* The admin's query thread, without a thread or Redis: a job is answered
 * on the loop's next turn (so the connection layer's deferred answers are
 * exercised, pipelined requests waiting behind them included), with an
 * empty JSON object. */
struct admin_query {
    struct event_base *base;
    void (*done)(void *arg, struct admin_job *j);
    void *arg;
    int pending;
};

void admin_job_free(struct admin_job *j)
{
    if (j != NULL) {
        free(j->body);
        free(j);
    }
}

struct admin_query *admin_query_create(struct event_base *b,
                                       const struct config *c,
                                       void (*done)(void *, struct admin_job *),
                                       void *arg, char *err, size_t errlen)
{
    struct admin_query *q = calloc(1, sizeof(*q));
    (void)c;
    (void)err;
    (void)errlen;
    CHECK(q != NULL);
    *q = (struct admin_query){b, done, arg, 0};
    return q;
}

void admin_query_destroy(struct admin_query *q)
{
    free(q);
}

int admin_query_pending(const struct admin_query *q)
{
    return q->pending;
}

struct finished {
    struct admin_query *q;
    struct admin_job *j;
};

static void on_finished(evutil_socket_t fd, short what, void *arg)
{
    struct finished *f = arg;
    (void)fd;
    (void)what;
    f->q->pending--;
    f->q->done(f->q->arg, f->j);
    free(f);
}

int admin_query_submit(struct admin_query *q, struct admin_job *j)
{
    struct finished *f = malloc(sizeof(*f));
    CHECK(f != NULL);
    j->auth_result = ADMIN_AUTH_OK;
    j->body = j->data != ADMIN_JOB_NONE ? strdup("{}") : NULL;
    *f = (struct finished){q, j};
    q->pending++;
    CHECK(event_base_once(q->base, -1, EV_TIMEOUT, on_finished, f, NULL) == 0);
    return 0;
}

static struct event_base *base;
static struct config cfg;
/* [0] has the default limits of SPEC 2.8; [1] small ones, so that inputs
 * of -max_len bytes reach 414, 431 and a full read buffer too. */
static struct server srv[2];
static struct admin *admin[2];
static int dump; /* FUZZ_ADMIN_DUMP set: print what the server sent */

static void setup(void)
{
    static const struct http_limits limits[2] = {
        {.max_request_line = 8 * 1024,
         .max_header_bytes = 16 * 1024,
         .max_headers = 64,
         .max_body = 64 * 1024},
        {.max_request_line = 256,
         .max_header_bytes = 512,
         .max_headers = 16,
         .max_body = 1024},
    };
    char err[256];

    dump = getenv("FUZZ_ADMIN_DUMP") != NULL;
    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    CHECK(base != NULL);
    memset(&cfg, 0, sizeof(cfg));
    /* Long enough never to fire: the client below never stalls. */
    cfg.header_timeout_ms = 60000;
    cfg.body_timeout_ms = 60000;
    cfg.idle_timeout_ms = 60000;
    cfg.admin.n = 0; /* nothing bound: connections come from admin_accept */
    for (int i = 0; i < 2; i++) {
        memset(&srv[i], 0, sizeof(srv[i]));
        srv[i].cfg = &cfg;
        srv[i].limits = limits[i];
        srv[i].backlog.max_keys = 1000000;
        srv[i].readyz_backlog_keys = 900000;
        srv[i].n_workers = 0;
        srv[i].flusher = NULL;
        admin[i] = admin_create(base, &srv[i], err, sizeof(err));
        if (admin[i] == NULL) {
            fprintf(stderr, "fuzz_admin: admin_create: %s\n", err);
            abort();
        }
    }
}

/* Bytes of the next piece written: byte 0 of the input picks a size of
 * 1-32 bytes (bits 0-4) times 1, 13 or 257, or the whole input (bits 5-6
 * zero). */
static size_t piece_len(uint8_t ctl)
{
    static const size_t mult[] = {0, 1, 13, 257};
    size_t m = mult[(ctl >> 5) & 3];
    if (m == 0) {
        return SIZE_MAX;
    }
    return ((size_t)(ctl & 0x1f) + 1) * m;
}

/* What the client received. */
struct inbox {
    char *p;
    size_t len, cap;
    int eof;
};

/* Reads what is there; sets eof at the end of the stream. */
static void drain(int fd, struct inbox *in)
{
    while (!in->eof) {
        if (in->cap - in->len < 4096) {
            size_t cap = in->cap ? in->cap * 2 : 16384;
            char *np = realloc(in->p, cap);
            CHECK(np != NULL);
            in->p = np;
            in->cap = cap;
        }
        ssize_t n = read(fd, in->p + in->len, in->cap - in->len);
        if (n > 0) {
            in->len += (size_t)n;
        } else if (n == 0 || errno == ECONNRESET) {
            /* A server that closes with bytes unread resets an AF_UNIX
             * peer, after everything it sent has been read. */
            in->eof = 1;
        } else if (errno == EAGAIN || errno == EINTR) {
            return;
        } else {
            CHECK(0);
        }
    }
}

static void turn(void)
{
    CHECK(event_base_loop(base, EVLOOP_NONBLOCK) >= 0);
}

/* Writes p[0..n) to fd, running the loop (and reading) while it is full. */
static void send_all(int fd, const uint8_t *p, size_t n, struct inbox *in)
{
    int turns = 0;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        /* The server stopped reading (it closed, or waits for us to take
         * its answers): what it did not read is lost or comes later. */
        if (w < 0 && (errno == EPIPE || errno == ECONNRESET)) {
            return;
        }
        CHECK(w < 0 && (errno == EAGAIN || errno == EINTR));
        CHECK(++turns < MAX_TURNS);
        turn();
        drain(fd, in);
    }
}

/* The methods of the heads in s[0..n): requests the server answers
 * without closing are heads ending in the first CRLF CRLF after their
 * request line, after at most a few CRLFs. heads[i]: 1 when the i-th
 * starts with "HEAD ". Returns how many were found (up to max). */
static size_t find_heads(const uint8_t *s, size_t n, int *heads, size_t max)
{
    size_t i = 0, k = 0;
    while (i < n && k < max) {
        while (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n') {
            i += 2;
        }
        if (i >= n) {
            break;
        }
        heads[k++] = n - i >= 5 && memcmp(s + i, "HEAD ", 5) == 0;
        const uint8_t *e = memmem(s + i, n - i, "\r\n\r\n", 4);
        if (e == NULL) {
            break;
        }
        i = (size_t)(e - s) + 4;
    }
    return k;
}

static const char *expected_reason(int code)
{
    switch (code) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return NULL;
    }
}

static int is_tchar(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') ||
           (ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* The length of the line at p (up to its CRLF, which must be there). */
static size_t line_len(const char *p, const char *end)
{
    const char *e = memmem(p, (size_t)(end - p), "\r\n", 2);
    CHECK(e != NULL);
    return (size_t)(e - p);
}

/* Checks the responses in[0..len) to the stream s[0..n); returns how many
 * there are. */
static size_t check_responses(const char *in, size_t len, const uint8_t *s,
                              size_t n)
{
    static int heads[4096];
    size_t n_heads = find_heads(s, n, heads, sizeof(heads) / sizeof(heads[0]));
    const char *p = in, *end = in + len;
    size_t count = 0;
    int closed = 0;

    while (p < end) {
        CHECK(!closed); /* nothing after "Connection: close" */

        /* Status line. */
        size_t ll = line_len(p, end);
        CHECK(ll > 13 && memcmp(p, "HTTP/1.1 ", 9) == 0);
        CHECK(p[9] >= '1' && p[9] <= '5' && p[10] >= '0' && p[10] <= '9' &&
              p[11] >= '0' && p[11] <= '9' && p[12] == ' ');
        int code = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
        const char *reason = expected_reason(code);
        CHECK(reason != NULL);
        CHECK(ll - 13 == strlen(reason) &&
              memcmp(p + 13, reason, ll - 13) == 0);
        p += ll + 2;

        /* Header lines. */
        long long clen = -1;
        int allow = 0;
        for (;;) {
            ll = line_len(p, end);
            if (ll == 0) {
                p += 2;
                break;
            }
            const char *colon = memchr(p, ':', ll);
            CHECK(colon != NULL && colon > p);
            for (const char *q = p; q < colon; q++) {
                CHECK(is_tchar((unsigned char)*q));
            }
            CHECK(colon + 1 < p + ll && colon[1] == ' ');
            const char *v = colon + 2;
            size_t vl = (size_t)(p + ll - v);
            size_t nl = (size_t)(colon - p);
            for (size_t i = 0; i < vl; i++) {
                CHECK(v[i] >= 0x20 && v[i] < 0x7f);
            }
            if (nl == 14 && memcmp(p, "Content-Length", nl) == 0) {
                CHECK(clen < 0); /* once */
                CHECK(vl > 0 && vl < 10);
                clen = 0;
                for (size_t i = 0; i < vl; i++) {
                    CHECK(v[i] >= '0' && v[i] <= '9');
                    clen = clen * 10 + (v[i] - '0');
                }
            } else if (nl == 10 && memcmp(p, "Connection", nl) == 0) {
                CHECK((vl == 5 && memcmp(v, "close", 5) == 0) ||
                      (vl == 10 && memcmp(v, "keep-alive", 10) == 0));
                closed = vl == 5;
            } else if (nl == 5 && memcmp(p, "Allow", nl) == 0) {
                CHECK(vl == 9 && memcmp(v, "GET, HEAD", 9) == 0);
                allow = 1;
            }
            p += ll + 2;
        }
        CHECK(clen >= 0);
        CHECK((code == 405) == allow);
        if (code == 408 || code == 413 || code == 414 || code == 431 ||
            code == 500 || code == 505) {
            CHECK(closed);
        }

        /* Body: Content-Length bytes, or none for the answer to HEAD. */
        int head = count < n_heads && heads[count];
        size_t left = (size_t)(end - p);
        if (head && clen > 0 &&
            (left == 0 || (left >= 9 && memcmp(p, "HTTP/1.1 ", 9) == 0))) {
            clen = 0;
        }
        CHECK((size_t)clen <= left);
        p += clen;
        count++;
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    int sv[2];
    struct sockaddr_in peer;
    struct inbox in = {0};

    if (!ready) {
        setup();
        ready = 1;
    }
    uint8_t ctl = size > 0 ? data[0] : 0;
    const uint8_t *s = size > 0 ? data + 1 : data;
    size_t n = size > 0 ? size - 1 : 0;

    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                     sv) == 0);
    memset(&peer, 0, sizeof(peer));
    peer.sin_family = AF_INET;
    peer.sin_port = htons(40000);
    peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    admin_accept(admin[ctl >> 7], sv[1], (const struct sockaddr *)&peer);

    /* Send, in pieces. */
    size_t piece = piece_len(ctl);
    for (size_t off = 0; off < n;) {
        size_t k = n - off < piece ? n - off : piece;
        send_all(sv[0], s + off, k, &in);
        off += k;
        /* The server reads this piece alone. Its answers wait in our
         * socket until the end (send_all reads them if they fill it). */
        turn();
    }
    CHECK(shutdown(sv[0], SHUT_WR) == 0);

    /* Read until the server ends the connection. */
    for (int t = 0; !in.eof; t++) {
        CHECK(t < MAX_TURNS);
        turn();
        drain(sv[0], &in);
    }
    close(sv[0]);
    for (int t = 0; t < CLOSE_TURNS; t++) {
        turn();
    }
    /* The server closed its socket (nothing else opened one since). */
    CHECK(fcntl(sv[1], F_GETFD) == -1 && errno == EBADF);

    if (dump) {
        fprintf(stderr, "fuzz_admin: %zu bytes sent, %zu received:\n", n,
                in.len);
        fwrite(in.p, 1, in.len, stderr);
    }
    if (n == 0) {
        CHECK(in.len == 0);
    }
    size_t count = check_responses(in.p, in.len, s, n);
    size_t lfs = 0;
    for (size_t i = 0; i < n; i++) {
        lfs += s[i] == '\n';
    }
    CHECK(count <= lfs + 1);
    free(in.p);
    return 0;
}
