/*
 * test_accesslog.c: access-log lines in beacond's nginx format (SPEC
 * 2.7), with tables of must-accept and must-reject lines, and real nginx
 * datagrams through syslog_message() first. Every line is copied into a
 * heap buffer of its exact length, so that the ASan build catches a read
 * past len.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/accesslog.h"
#include "proto/syslog.h"

#define UA_FIREFOX                                                             \
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

/* The line nginx 1.22 writes for a pageview; the fields after the status
 * are spliced in by L(). */
#define L(addr, method, uri, status, rest)                                     \
    "v1 " addr " \"" method "\" \"" uri "\" " status " " rest
#define REST_PLAIN                                                             \
    "\"https://www.example.org/\" \"" UA_FIREFOX "\" \"-\" \"-\" \"-\" "       \
    "\"www.example.com\""
#define NGINX_LINE                                                             \
    L("127.0.0.1", "GET", "/blog/2024/x?utm_source=a", "200", REST_PLAIN)

static void assert_span_eq(struct span s, const char *want)
{
    size_t n = strlen(want);
    assert_non_null(s.p);
    if (s.len != n || memcmp(s.p, want, n) != 0) {
        fail_msg("got \"%.*s\" (%zu bytes), want \"%s\"", (int)s.len, s.p,
                 s.len, want);
    }
}

/* Parses a heap copy of line[0..len) with a scratch of cap bytes; on
 * success every view must lie in the copy or the scratch (or be the
 * empty string), and is moved to the caller's line or kept in *scratch
 * (which the caller frees). */
static int parse_n(const char *line, size_t len, struct accesslog_line *out,
                   size_t cap, char **scratch, const char **why)
{
    char *copy = malloc(len ? len : 1);
    struct span *v[8];
    int rc;

    assert_non_null(copy);
    *scratch = malloc(cap ? cap : 1);
    assert_non_null(*scratch);
    memcpy(copy, line, len);
    *why = NULL;
    rc = accesslog_parse(copy, len, out, *scratch, cap, why);
    v[0] = &out->method;
    v[1] = &out->uri;
    v[2] = &out->referer;
    v[3] = &out->user_agent;
    v[4] = &out->dnt;
    v[5] = &out->sec_gpc;
    v[6] = &out->optout;
    v[7] = &out->host;
    for (int i = 0; rc == 0 && i < 8; i++) {
        struct span *s = v[i];
        assert_non_null(s->p);
        if (s->len == 0) {
            assert_int_equal(s->p[0], '\0');
        } else if (s->p >= copy && s->p + s->len <= copy + len) {
            s->p = line + (s->p - copy);
        } else {
            assert_true(s->p >= *scratch && s->p + s->len <= *scratch + cap);
        }
    }
    if (rc == 0) {
        assert_null(*why);
    } else {
        assert_non_null(*why);
    }
    free(copy);
    return rc;
}

static int parse(const char *line, struct accesslog_line *out, char **scratch,
                 const char **why)
{
    size_t len = strlen(line);
    return parse_n(line, len, out, len, scratch, why);
}

static void assert_addr(const struct ip_addr *got, const char *want)
{
    struct ip_addr w;
    assert_int_equal(ip_parse(&w, want, strlen(want)), 0);
    assert_int_equal(got->len, w.len);
    assert_memory_equal(got->bytes, w.bytes, w.len);
}

/* ---- must accept ------------------------------------------------------- */

static const struct {
    const char *line;
    const char *addr, *method, *uri;
    int status;
    const char *referer, *ua, *dnt, *gpc, *optout, *host;
} line_ok[] = {
    {NGINX_LINE, "127.0.0.1", "GET", "/blog/2024/x?utm_source=a", 200,
     "https://www.example.org/", UA_FIREFOX, "", "", "", "www.example.com"},
    /* a trailing LF or CR LF */
    {NGINX_LINE "\n", "127.0.0.1", "GET", "/blog/2024/x?utm_source=a", 200,
     "https://www.example.org/", UA_FIREFOX, "", "", "", "www.example.com"},
    {NGINX_LINE "\r\n", "127.0.0.1", "GET", "/blog/2024/x?utm_source=a", 200,
     "https://www.example.org/", UA_FIREFOX, "", "", "", "www.example.com"},
    /* IPv6 clients; a mapped IPv4 one is IPv4 */
    {L("::1", "GET", "/", "200", REST_PLAIN), "::1", "GET", "/", 200,
     "https://www.example.org/", UA_FIREFOX, "", "", "", "www.example.com"},
    {L("2001:db8::1", "HEAD", "/a", "204", REST_PLAIN), "2001:db8::1", "HEAD",
     "/a", 204, "https://www.example.org/", UA_FIREFOX, "", "", "",
     "www.example.com"},
    {L("2001:DB8:0:0:0:0:0:1", "GET", "/", "200", REST_PLAIN), "2001:db8::1",
     "GET", "/", 200, "https://www.example.org/", UA_FIREFOX, "", "", "",
     "www.example.com"},
    {L("::ffff:192.0.2.7", "GET", "/", "200", REST_PLAIN), "192.0.2.7", "GET",
     "/", 200, "https://www.example.org/", UA_FIREFOX, "", "", "",
     "www.example.com"},
    /* escaped quotes, backslashes and UTF-8, either hex case */
    {L("192.0.2.1", "GET", "/s?q=\\x22a b\\x22&p=\\x5C", "200",
       "\"-\" \"curl/8.5.0 \\x22x\\x22\" \"1\" \"1\" \"1\" "
       "\"\\xC3\\xA9.example\""),
     "192.0.2.1", "GET", "/s?q=\"a b\"&p=\\", 200, "", "curl/8.5.0 \"x\"", "1",
     "1", "1", "\xC3\xA9.example"},
    {L("192.0.2.1", "GET", "/caf\\xc3\\xa9", "200",
       "\"\" \"ua\\x09tab\\x7F\" \"\" \"\" \"\" \"h\""),
     "192.0.2.1", "GET", "/caf\xC3\xA9", 200, "", "ua\ttab\x7F", "", "", "",
     "h"},
    /* Apache's escapes (mod_log_config): \" \\ \b \n \r \t \v */
    {L("192.0.2.1", "GET", "/q?a=\\\"b\\\"&c=\\\\", "200",
       "\"-\" \"ua \\\"x\\\" \\b\\n\\r\\t\\v\" \"-\" \"-\" \"-\" \"h\""),
     "192.0.2.1", "GET", "/q?a=\"b\"&c=\\", 200, "", "ua \"x\" \b\n\r\t\v", "",
     "", "", "h"},
    /* nginx on a request it could not parse: method and uri are "-" */
    {L("198.51.100.9", "-", "-", "400", "\"-\" \"-\" \"-\" \"-\" \"-\" \"-\""),
     "198.51.100.9", "", "", 400, "", "", "", "", "", ""},
    /* only "-" itself is empty; "--" and " - " are values */
    {L("192.0.2.1", "GET", "--", "599",
       "\" - \" \"-\" \"-\" \"-\" \"-\" \"-\""),
     "192.0.2.1", "GET", "--", 599, " - ", "", "", "", "", ""},
    {L("192.0.2.1", "POST", "/", "100", REST_PLAIN), "192.0.2.1", "POST", "/",
     100, "https://www.example.org/", UA_FIREFOX, "", "", "",
     "www.example.com"},
    /* DNT, GPC and the opt-out cookie as sent */
    {L("10.0.0.1", "GET", "/", "200",
       "\"-\" \"" UA_FIREFOX "\" \"1\" \"1\" \"1\" \"example.com\""),
     "10.0.0.1", "GET", "/", 200, "", UA_FIREFOX, "1", "1", "1", "example.com"},
};

static void test_accesslog__accepts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(line_ok) / sizeof(line_ok[0]); i++) {
        struct accesslog_line l;
        const char *why;
        char *scratch;
        if (parse(line_ok[i].line, &l, &scratch, &why) != 0) {
            fail_msg("rejected (%s): %s", why, line_ok[i].line);
        }
        assert_addr(&l.addr, line_ok[i].addr);
        assert_span_eq(l.method, line_ok[i].method);
        assert_span_eq(l.uri, line_ok[i].uri);
        assert_int_equal(l.status, line_ok[i].status);
        assert_span_eq(l.referer, line_ok[i].referer);
        assert_span_eq(l.user_agent, line_ok[i].ua);
        assert_span_eq(l.dnt, line_ok[i].dnt);
        assert_span_eq(l.sec_gpc, line_ok[i].gpc);
        assert_span_eq(l.optout, line_ok[i].optout);
        assert_span_eq(l.host, line_ok[i].host);
        free(scratch);
    }
}

/* An escaped NUL is a byte like any other. */
static void test_accesslog__escaped_nul(void **state)
{
    const char *line = L("192.0.2.1", "GET", "/\\x00x", "200",
                         "\"-\" \"-\" \"-\" \"-\" \"-\" \"-\"");
    struct accesslog_line l;
    const char *why;
    char *scratch;
    (void)state;

    assert_int_equal(parse(line, &l, &scratch, &why), 0);
    assert_int_equal(l.uri.len, 3);
    assert_memory_equal(l.uri.p, "/\0x", 3);
    free(scratch);
}

/* ---- must reject ------------------------------------------------------- */

#define Q6 "\"-\" \"-\" \"-\" \"-\" \"-\" \"-\""

static const struct {
    const char *line, *why;
} line_bad[] = {
    /* version */
    {"", "unknown version"},
    {"v2 127.0.0.1 \"GET\" \"/\" 200 " Q6, "unknown version"},
    {"v10 127.0.0.1 \"GET\" \"/\" 200 " Q6, "unknown version"},
    {"V1 127.0.0.1 \"GET\" \"/\" 200 " Q6, "unknown version"},
    {"v 127.0.0.1 \"GET\" \"/\" 200 " Q6, "unknown version"},
    {" v1 127.0.0.1 \"GET\" \"/\" 200 " Q6, "unknown version"},
    {"v1\t127.0.0.1 \"GET\" \"/\" 200 " Q6, "unknown version"},
    {"127.0.0.1 \"GET\" \"/\" 200 " Q6, "unknown version"},
    /* missing fields: the line ends early */
    {"v1", "missing field"},
    {"v1 ", "missing field"},
    {"v1 127.0.0.1", "missing field"},
    {"v1 127.0.0.1 \"GET\" \"/\" 200", "missing field"},
    {"v1 127.0.0.1 \"GET\" \"/\" 200 \"-\" \"-\" \"-\" \"-\" \"-\"",
     "missing field"},
    {"v1 127.0.0.1 \"GET\" \"/\" 200 \"-\" \"-\" \"-\" \"-\" \"-\" ",
     "missing field"},
    /* truncated datagrams: cut inside a field, inside an escape */
    {"v1 127.0.0.1 \"GET\" \"/\" 200 \"-\" \"Mozilla/5.0 (X11",
     "unterminated field"},
    {"v1 127.0.0.1 \"GET\" \"/blog", "unterminated field"},
    {"v1 127.0.0.1 \"", "unterminated field"},
    {"v1 127.0.0.1 \"GET\" \"/a\\x2", "bad escape"},
    {"v1 127.0.0.1 \"GET\" \"/a\\x", "bad escape"},
    {"v1 127.0.0.1 \"GET\" \"/a\\", "bad escape"},
    {"v1 127.0.0", "bad address"},
    {"v1 127.0.0.1 \"GET\" \"/\" 20", "bad status"},
    /* separators: exactly one SP */
    {"v1  127.0.0.1 \"GET\" \"/\" 200 " Q6, "bad separator"},
    {"v1 127.0.0.1  \"GET\" \"/\" 200 " Q6, "bad separator"},
    {"v1 127.0.0.1 \"GET\"  \"/\" 200 " Q6, "bad separator"},
    {"v1 127.0.0.1 \"GET\" \"/\"  200 " Q6, "bad separator"},
    {"v1 127.0.0.1 \"GET\" \"/\" 200  " Q6, "bad separator"},
    {"v1 127.0.0.1 \"GET\" \"/\" 200 \"-\"  \"-\" \"-\" \"-\" \"-\" \"-\"",
     "bad separator"},
    {"v1 127.0.0.1 \"GET\"\t\"/\" 200 " Q6, "bad separator"},
    {"v1 127.0.0.1 \"GET\"\"/\" 200 " Q6, "bad separator"},
    /* a raw quote ends the field: what follows must be SP */
    {"v1 127.0.0.1 \"GET\" \"/a\"b\" 200 " Q6, "bad separator"},
    /* quotes where nginx writes them, none elsewhere */
    {"v1 127.0.0.1 GET \"/\" 200 " Q6, "expected quote"},
    {"v1 127.0.0.1 \"GET\" \"/\" \"200\" " Q6, "bad status"},
    {"v1 \"127.0.0.1\" \"GET\" \"/\" 200 " Q6, "bad address"},
    /* addresses */
    {"v1 [::1] \"GET\" \"/\" 200 " Q6, "bad address"},
    {"v1 [::1]:443 \"GET\" \"/\" 200 " Q6, "bad address"},
    {"v1 127.0.0.1:80 \"GET\" \"/\" 200 " Q6, "bad address"},
    {"v1 fe80::1%eth0 \"GET\" \"/\" 200 " Q6, "bad address"},
    {"v1 unix: \"GET\" \"/\" 200 " Q6, "bad address"},
    {"v1 localhost \"GET\" \"/\" 200 " Q6, "bad address"},
    {"v1 - \"GET\" \"/\" 200 " Q6, "bad address"},
    {"v1 256.0.0.1 \"GET\" \"/\" 200 " Q6, "bad address"},
    {"v1 01.2.3.4 \"GET\" \"/\" 200 " Q6, "bad address"},
    {"v1 1.2.3 \"GET\" \"/\" 200 " Q6, "bad address"},
    {"v1 1:2:3:4:5:6:7:8:9 \"GET\" \"/\" 200 " Q6, "bad address"},
    {"v1 ::1::2 \"GET\" \"/\" 200 " Q6, "bad address"},
    {"v1 1.2.3.4\t \"GET\" \"/\" 200 " Q6, "bad address"},
    /* statuses */
    {"v1 127.0.0.1 \"GET\" \"/\" 2000 " Q6, "bad status"},
    {"v1 127.0.0.1 \"GET\" \"/\" 099 " Q6, "bad status"},
    {"v1 127.0.0.1 \"GET\" \"/\" 000 " Q6, "bad status"},
    {"v1 127.0.0.1 \"GET\" \"/\" 600 " Q6, "bad status"},
    {"v1 127.0.0.1 \"GET\" \"/\" 2x0 " Q6, "bad status"},
    {"v1 127.0.0.1 \"GET\" \"/\" - " Q6, "bad status"},
    {"v1 127.0.0.1 \"GET\" \"/\" +200 " Q6, "bad status"},
    /* escapes: only \xHH */
    {"v1 127.0.0.1 \"GET\" \"/\\xZZ\" 200 " Q6, "bad escape"},
    {"v1 127.0.0.1 \"GET\" \"/\\x4G\" 200 " Q6, "bad escape"},
    {"v1 127.0.0.1 \"GET\" \"/\\X41\" 200 " Q6, "bad escape"},
    {"v1 127.0.0.1 \"GET\" \"/\\a\" 200 " Q6, "bad escape"},
    {"v1 127.0.0.1 \"GET\" \"/\\ \" 200 " Q6, "bad escape"},
    /* Apache's \" does not end the field, which then ends one quote on */
    {"v1 127.0.0.1 \"GET\" \"/\\\" 200 " Q6, "bad separator"},
    {"v1 127.0.0.1 \"GET\" \"/\\u0041\" 200 " Q6, "bad escape"},
    /* bytes nginx would have escaped */
    {"v1 127.0.0.1 \"GET\" \"/a\tb\" 200 " Q6, "unescaped byte"},
    {"v1 127.0.0.1 \"GET\" \"/a\nb\" 200 " Q6, "unescaped byte"},
    {"v1 127.0.0.1 \"GET\" \"/caf\xC3\xA9\" 200 " Q6, "unescaped byte"},
    {"v1 127.0.0.1 \"GET\" \"/\x7F\" 200 " Q6, "unescaped byte"},
    /* after the last field: nothing (one LF or CR LF aside) */
    {"v1 127.0.0.1 \"GET\" \"/\" 200 " Q6 "\r", "trailing bytes"},
    {"v1 127.0.0.1 \"GET\" \"/\" 200 " Q6 " ", "trailing bytes"},
    {"v1 127.0.0.1 \"GET\" \"/\" 200 " Q6 " \"-\"", "trailing bytes"},
    {"v1 127.0.0.1 \"GET\" \"/\" 200 " Q6 "x", "trailing bytes"},
    {"v1 127.0.0.1 \"GET\" \"/\" 200 " Q6 "\n\n", "trailing bytes"},
};

static void test_accesslog__rejects(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(line_bad) / sizeof(line_bad[0]); i++) {
        struct accesslog_line l;
        const char *why;
        char *scratch;
        if (parse(line_bad[i].line, &l, &scratch, &why) != -1) {
            fail_msg("accepted %s", line_bad[i].line);
        }
        if (strcmp(why, line_bad[i].why) != 0) {
            fail_msg("%s: \"%s\", want \"%s\"", line_bad[i].line, why,
                     line_bad[i].why);
        }
        free(scratch);
    }
}

/* Every proper prefix of a real line is refused (LF and CR LF aside, no
 * prefix of a complete line is itself complete). */
static void test_accesslog__every_truncation_rejected(void **state)
{
    const char *line = L("2001:db8::1", "GET", "/caf\\xC3\\xA9?a=\\x22b\\x22",
                         "200", REST_PLAIN);
    size_t len = strlen(line);
    (void)state;

    for (size_t k = 0; k < len; k++) {
        struct accesslog_line l;
        const char *why;
        char *scratch;
        if (parse_n(line, k, &l, len, &scratch, &why) != -1) {
            fail_msg("accepted %zu bytes of %s", k, line);
        }
        free(scratch);
    }
}

/* ---- limits -------------------------------------------------------------- */

/* A line of exactly len bytes (its uri padded), optionally followed by
 * LF; the caller frees it. */
static char *line_of(size_t len, const char *tail)
{
    const char *head = "v1 127.0.0.1 \"GET\" \"/";
    const char *rest = "\" 200 " Q6;
    size_t pad = len - strlen(head) - strlen(rest);
    char *p = malloc(len + strlen(tail) + 1);

    assert_non_null(p);
    strcpy(p, head);
    memset(p + strlen(head), 'a', pad);
    strcpy(p + strlen(head) + pad, rest);
    strcat(p, tail);
    assert_int_equal(strlen(p), len + strlen(tail));
    return p;
}

static void test_accesslog__line_limit(void **state)
{
    struct accesslog_line l;
    const char *why;
    char *scratch;
    char *p;
    (void)state;

    p = line_of(ACCESSLOG_MAX_LINE, "");
    assert_int_equal(parse(p, &l, &scratch, &why), 0);
    assert_true(l.uri.len > ACCESSLOG_MAX_LINE - 64);
    free(scratch);
    free(p);
    /* the LF or CR LF does not count */
    p = line_of(ACCESSLOG_MAX_LINE, "\r\n");
    assert_int_equal(parse(p, &l, &scratch, &why), 0);
    free(scratch);
    free(p);
    p = line_of(ACCESSLOG_MAX_LINE + 1, "");
    assert_int_equal(parse(p, &l, &scratch, &why), -1);
    assert_string_equal(why, "line too long");
    free(scratch);
    free(p);
    p = line_of(ACCESSLOG_MAX_LINE + 1, "\n");
    assert_int_equal(parse(p, &l, &scratch, &why), -1);
    assert_string_equal(why, "line too long");
    free(scratch);
    free(p);
}

/* cap >= len always suffices; a smaller scratch is refused without a
 * write past it. */
static void test_accesslog__scratch_bound(void **state)
{
    const char *line =
        L("192.0.2.1", "\\x47ET", "/\\x22\\x22\\x22", "200",
          "\"\\x5C\" \"\\x00\" \"\\x31\" \"\\x31\" \"\\x31\" \"\\xC3\\xA9\"");
    size_t len = strlen(line);
    struct accesslog_line l;
    const char *why;
    char scratch[256];
    (void)state;

    assert_int_equal(accesslog_parse(line, len, &l, scratch, len, &why), 0);
    assert_span_eq(l.method, "GET");
    assert_span_eq(l.uri, "/\"\"\"");
    assert_span_eq(l.referer, "\\");
    assert_span_eq(l.host, "\xC3\xA9");
    /* the values need 3 + 4 + 1 + 1 + 1 + 1 + 1 + 2 = 14 bytes */
    assert_int_equal(accesslog_parse(line, len, &l, scratch, 14, &why), 0);
    memset(scratch, 'Z', sizeof(scratch));
    assert_int_equal(accesslog_parse(line, len, &l, scratch, 13, &why), -1);
    assert_string_equal(why, "scratch too small");
    for (size_t i = 13; i < sizeof(scratch); i++) {
        assert_int_equal(scratch[i], 'Z');
    }
    /* no scratch at all: only lines without an escape */
    assert_int_equal(accesslog_parse(line, len, &l, NULL, 0, &why), -1);
    assert_int_equal(
        accesslog_parse(NGINX_LINE, strlen(NGINX_LINE), &l, NULL, 0, NULL), 0);
}

/* ---- nginx datagrams, through syslog_message() --------------------------- */

static const char *const datagrams[] = {
    "<190>Dec  4 21:40:01 beacon: " NGINX_LINE,
    "<190>Dec  4 21:40:01 web1 beacon: " NGINX_LINE,
    "<190>beacon: " NGINX_LINE "\n",
    "<190>1 2024-12-04T21:40:01.000+00:00 web1 nginx 812 - - " NGINX_LINE,
    "<190>1 - - - - - [origin@32473 ip=\"192.0.2.1\"] \xEF\xBB\xBF" NGINX_LINE,
};

static void test_accesslog__nginx_datagrams(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(datagrams) / sizeof(datagrams[0]); i++) {
        struct span msg;
        struct accesslog_line l;
        const char *why = NULL;
        char scratch[1024];

        if (syslog_message(datagrams[i], strlen(datagrams[i]), &msg) != 0) {
            fail_msg("syslog rejected %s", datagrams[i]);
        }
        if (accesslog_parse(msg.p, msg.len, &l, scratch, sizeof(scratch),
                            &why) != 0) {
            fail_msg("rejected (%s): %s", why, datagrams[i]);
        }
        assert_addr(&l.addr, "127.0.0.1");
        assert_span_eq(l.method, "GET");
        assert_span_eq(l.uri, "/blog/2024/x?utm_source=a");
        assert_int_equal(l.status, 200);
        assert_span_eq(l.host, "www.example.com");
    }
}

/* A datagram cut short by the network or a relay: refused, at every
 * length past the syslog header. */
static void test_accesslog__truncated_datagram(void **state)
{
    const char *d = "<190>Dec  4 21:40:01 beacon: " NGINX_LINE;
    size_t hdr = strlen("<190>Dec  4 21:40:01 beacon: ");
    (void)state;

    for (size_t k = hdr; k < strlen(d); k++) {
        struct span msg;
        struct accesslog_line l;
        const char *why;
        char *scratch;
        assert_int_equal(syslog_message(d, k, &msg), 0);
        if (parse_n(msg.p, msg.len, &l, msg.len, &scratch, &why) != -1) {
            fail_msg("accepted %zu bytes of %s", k, d);
        }
        free(scratch);
    }
}

static void test_accesslog__ext_listed(void **state)
{
    static const char list[] = "css js png woff2 map";
    static const struct {
        const char *uri;
        int listed;
    } cases[] = {
        {"/a.css", 1},
        {"/static/app.min.js", 1},
        {"/a/site.CSS?v=1", 1},
        {"/f.woff2#x", 1},
        {"/x.png?u=/y.html", 1},
        {"/b.map", 1},
        {"/", 0},
        {"", 0},
        {"/a.css/", 0},
        {"/a.cssx", 0},
        {"/a.cs", 0},
        {"/a.", 0},
        {"/page", 0},
        {"/page?f=a.css", 0},
        {"/.css", 1},
        {"/dir.css/page", 0},
        {"/a.html", 0},
        {"/a.jss", 0},
        {"/a.j", 0},
        {"css", 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct span u = {cases[i].uri, strlen(cases[i].uri)};
        if (accesslog_ext_listed(u, list) != cases[i].listed) {
            fail_msg("%s: expected %d", cases[i].uri, cases[i].listed);
        }
    }
    struct span u = {"/a.css", 6};
    assert_int_equal(accesslog_ext_listed(u, ""), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accesslog__accepts),
        cmocka_unit_test(test_accesslog__escaped_nul),
        cmocka_unit_test(test_accesslog__rejects),
        cmocka_unit_test(test_accesslog__every_truncation_rejected),
        cmocka_unit_test(test_accesslog__line_limit),
        cmocka_unit_test(test_accesslog__scratch_bound),
        cmocka_unit_test(test_accesslog__nginx_datagrams),
        cmocka_unit_test(test_accesslog__truncated_datagram),
        cmocka_unit_test(test_accesslog__ext_listed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
