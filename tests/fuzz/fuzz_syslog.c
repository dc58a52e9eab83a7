/*
 * fuzz_syslog.c: the access-log path of SPEC 2.7 end to end, without
 * I/O: the input is a TCP syslog stream, cut into frames by
 * syslog_frame(), each frame's MSG found by syslog_message(), each MSG
 * parsed by accesslog_parse(); the whole input is also parsed as one
 * access-log line, so that lines reach the parser without a header.
 *
 *   input:  [frame][frame]...      frame: "N <PRI>..." | "<PRI>...\n" | "\n"
 *             |
 *             +-> syslog_message -> accesslog_parse
 *
 * Invariants: framing consumes > 0 bytes or stops, never more than it
 * was given; a frame's answer is the same for every prefix that holds it
 * (and 0 for shorter ones) and depends on max_frame as documented; every
 * view lies inside its buffer or the scratch (each is copied into a heap
 * buffer of its exact size, so that ASan sees a read past len); nothing
 * is written past the scratch capacity; accepted lines hold a status of
 * 100-599 and an address of 4 or 16 bytes; every answer is the same when
 * asked twice, and a trailing LF changes none.
 */
// clang-format off
// FUZZ_SOURCES: proto/*.c
// FUZZ_SEED: <190>Dec  4 21:40:01 beacon: v1 127.0.0.1 "GET" "/blog/2024/x?utm_source=a" 200 "https://www.example.org/" "Mozilla/5.0 (X11; Linux x86_64)" "-" "-" "-" "www.example.com"\n
// FUZZ_SEED: 138 <190>1 2024-12-04T21:40:01Z web1 nginx 812 - [a@1 x="q\\"]"] \0357\0273\0277v1 2001:db8::1 "GET" "/caf\\xC3\\xA9?q=\\x22" 204 "-" "curl/8" "1" "1" "1" "h"
// FUZZ_SEED: <13>beacon[7]: v1 ::1 "HEAD" "/" 404 "" "" "" "" "" "x"\r\n\n12 <13>tag: one<190>Dec 14 09:05:59 web1 beacon: v1 10.0.0.1 "-" "-" 400 "-" "-" "-" "-" "-" "-"\n
// FUZZ_SEED: v1 192.0.2.1 "GET" "/a\\x5Cb" 200 "-" "ua\\x22" "1" "-" "-" "\\xc3\\xa9.example"
// clang-format on
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/accesslog.h"
#include "proto/syslog.h"
#include "tests/fuzz/fuzz_check.h"

#define MAX_FRAME 4096
#define GUARD 16
#define GUARD_BYTE 0x5a

/* A heap copy of p[0..len) with nothing after it; the caller frees it. */
static char *exact_copy(const char *p, size_t len)
{
    char *c = malloc(len ? len : 1);
    CHECK(c != NULL);
    if (len > 0) {
        memcpy(c, p, len);
    }
    return c;
}

/* 1 when s lies within [base, base + len). */
static int inside(struct span s, const char *base, size_t len)
{
    return s.p >= base && s.p + s.len <= base + len;
}

static int same_span(struct span a, struct span b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static int same_line(const struct accesslog_line *a,
                     const struct accesslog_line *b)
{
    return a->addr.len == b->addr.len &&
           memcmp(a->addr.bytes, b->addr.bytes, a->addr.len) == 0 &&
           a->status == b->status && same_span(a->method, b->method) &&
           same_span(a->uri, b->uri) && same_span(a->referer, b->referer) &&
           same_span(a->user_agent, b->user_agent) &&
           same_span(a->dnt, b->dnt) && same_span(a->sec_gpc, b->sec_gpc) &&
           same_span(a->optout, b->optout) && same_span(a->host, b->host);
}

/* Parses line[0..len) with a scratch of exactly len bytes (the documented
 * sufficient size) followed by guard bytes that must stay untouched. */
static int parse(const char *line, size_t len, struct accesslog_line *out,
                 char **scratch, const char **why)
{
    int rc;

    *scratch = malloc(len + GUARD);
    CHECK(*scratch != NULL);
    memset(*scratch, GUARD_BYTE, len + GUARD);
    *why = NULL;
    rc = accesslog_parse(line, len, out, *scratch, len, why);
    for (size_t i = len; i < len + GUARD; i++) {
        CHECK((unsigned char)(*scratch)[i] == GUARD_BYTE);
    }
    CHECK(rc == 0 || rc == -1);
    CHECK(rc == 0 ? *why == NULL : *why != NULL);
    return rc;
}

static void check_line(const char *p, size_t plen)
{
    char *line = exact_copy(p, plen);
    struct accesslog_line a, b;
    const char *why_a, *why_b;
    char *sa, *sb;
    int rc = parse(line, plen, &a, &sa, &why_a);

    if (rc == 0) {
        const struct span *v[] = {&a.method,     &a.uri, &a.referer,
                                  &a.user_agent, &a.dnt, &a.sec_gpc,
                                  &a.optout,     &a.host};
        CHECK(a.status >= 100 && a.status <= 599);
        CHECK(a.addr.len == 4 || a.addr.len == 16);
        CHECK(plen >= 2 && memcmp(line, "v1", 2) == 0);
        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
            CHECK(v[i]->p != NULL);
            if (v[i]->len == 0) {
                CHECK(v[i]->p[0] == '\0');
            } else {
                CHECK(inside(*v[i], line, plen) || inside(*v[i], sa, plen));
            }
        }
    }
    /* the same answer again, into another scratch */
    CHECK(parse(line, plen, &b, &sb, &why_b) == rc);
    CHECK(rc == 0 ? same_line(&a, &b) : strcmp(why_a, why_b) == 0);
    free(sb);
    /* a trailing LF is not part of the line */
    if (plen > 0 && line[plen - 1] != '\n' && line[plen - 1] != '\r') {
        char *lf = malloc(plen + 1);
        CHECK(lf != NULL);
        memcpy(lf, line, plen);
        lf[plen] = '\n';
        CHECK(parse(lf, plen + 1, &b, &sb, &why_b) == rc);
        CHECK(rc == 0 ? same_line(&a, &b) : strcmp(why_a, why_b) == 0);
        free(sb);
        free(lf);
    }
    free(sa);
    free(line);
}

static void check_message(const char *p, size_t plen)
{
    char *d = exact_copy(p, plen);
    struct span m1 = {NULL, 0}, m2 = {NULL, 0};
    int rc = syslog_message(d, plen, &m1);

    CHECK(rc == 0 || rc == -1);
    CHECK(syslog_message(d, plen, &m2) == rc);
    if (rc == 0) {
        CHECK(inside(m1, d, plen));
        CHECK(m1.p == m2.p && m1.len == m2.len);
        CHECK(plen > 0 && d[0] == '<');
        check_line(m1.p, m1.len);
    } else {
        CHECK(m1.p == NULL && m2.p == NULL);
    }
    free(d);
}

/* The answer of syslog_frame on an exact-size copy of d[0..len). */
static int frame_copy(const char *d, size_t len, size_t max, struct span *f)
{
    char *c = exact_copy(d, len);
    int rc = syslog_frame(c, len, max, f);

    CHECK(rc >= -1 && (rc <= 0 || (size_t)rc <= len));
    if (rc > 0) {
        CHECK(inside(*f, c, (size_t)rc));
        f->p = d + (f->p - c);
    }
    free(c);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t off = 0;

    check_line(in, size);
    while (off < size) {
        struct span f, g;
        int rc = syslog_frame(in + off, size - off, MAX_FRAME, &f);

        if (rc <= 0) {
            CHECK(rc == 0 || rc == -1);
            break;
        }
        CHECK((size_t)rc <= size - off);
        CHECK(inside(f, in + off, (size_t)rc));
        CHECK(f.len <= MAX_FRAME);
        /* prefixes: one byte short needs more, exactly rc is the same */
        CHECK(frame_copy(in + off, (size_t)rc - 1, MAX_FRAME, &g) == 0);
        CHECK(frame_copy(in + off, (size_t)rc, MAX_FRAME, &g) == rc);
        CHECK(g.p == f.p && g.len == f.len);
        if (f.len > 0) {
            /* max_frame: the frame's own length fits, one less does not */
            CHECK(frame_copy(in + off, (size_t)rc, f.len, &g) == rc);
            CHECK(frame_copy(in + off, (size_t)rc, f.len - 1, &g) == -1);
            check_message(f.p, f.len);
        } else {
            CHECK(rc == 1 && in[off] == '\n');
        }
        off += (size_t)rc;
    }
    return 0;
}
