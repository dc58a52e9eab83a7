/*
 * test_syslog.c: the MSG of RFC 3164 and RFC 5424 messages, and RFC 6587
 * stream framing (SPEC 2.7), with tables of must-accept and must-reject
 * inputs. Every input is copied into a heap buffer of its exact length,
 * so that the ASan build catches a read past len.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/syslog.h"

/* The access-log line nginx 1.22 sends for a pageview. */
#define NGINX_LINE                                                             \
    "v1 127.0.0.1 \"GET\" \"/blog/2024/x?utm_source=a\" 200 "                  \
    "\"https://www.example.org/\" \"Mozilla/5.0 (X11; Linux x86_64; "          \
    "rv:128.0) Gecko/20100101 Firefox/128.0\" \"-\" \"-\" \"-\" "              \
    "\"www.example.com\""

#define BOM "\xEF\xBB\xBF"

/* A heap copy of s[0..len) with nothing after it. */
static char *exact_copy(const char *s, size_t len)
{
    char *p = malloc(len ? len : 1);
    assert_non_null(p);
    memcpy(p, s, len);
    return p;
}

static void assert_span_eq(struct span s, const char *want, size_t want_len)
{
    if (s.len != want_len || memcmp(s.p, want, want_len) != 0) {
        fail_msg("got \"%.*s\" (%zu bytes), want \"%.*s\"", (int)s.len, s.p,
                 s.len, (int)want_len, want);
    }
}

/* ---- syslog_message ---------------------------------------------------- */

static const struct {
    const char *in, *msg;
} message_ok[] = {
    /* nginx 1.22, access_log syslog:...,tag=beacon,nohostname */
    {"<190>Dec  4 21:40:01 beacon: " NGINX_LINE, NGINX_LINE},
    /* nginx without nohostname */
    {"<190>Dec  4 21:40:01 web1 beacon: " NGINX_LINE, NGINX_LINE},
    /* rsyslog relaying it (RSYSLOG_ForwardFormat: an RFC 3339 time) */
    {"<190>2026-12-04T21:40:01.123456+00:00 web1 beacon: " NGINX_LINE,
     NGINX_LINE},
    {"<190>2026-12-04T21:40:01Z web1 beacon[812]: x", "x"},
    /* a tag that starts with a digit is not a time */
    {"<13>2fast: x", "x"},
    {"<190>Dec 14 09:05:59 web-1.example.org beacon: x", "x"},
    {"<190>Jan  1 00:00:00 2001:db8::1 beacon: x", "x"},
    {"<190>Jan  1 00:00:00 192.0.2.1 beacon: x", "x"},
    /* a day written "04", a leap second */
    {"<13>Feb 04 23:59:60 host tag: x", "x"},
    /* TAG[pid] with and without a hostname */
    {"<30>Jun  3 10:00:00 host nginx[1234]: hello", "hello"},
    {"<30>Jun  3 10:00:00 nginx[1234]: hello", "hello"},
    {"<30>Jun  3 10:00:00 host systemd-journald/x.y_z: hello", "hello"},
    /* a relay that dropped the timestamp */
    {"<190>beacon: " NGINX_LINE, NGINX_LINE},
    {"<190>beacon[7]: x", "x"},
    /* a TAG that looks like a month is still a TAG */
    {"<13>Dec: x", "x"},
    /* PRI edges */
    {"<0>t: x", "x"},
    {"<191>t: x", "x"},
    {"<07>t: x", "x"},
    /* empty MSG; MSG keeps its own leading space */
    {"<13>Feb 28 23:59:59 tag:", ""},
    {"<13>tag: ", ""},
    {"<13>tag:  two", " two"},
    /* one trailing LF or CR LF is dropped, no more */
    {"<13>tag: x\n", "x"},
    {"<13>tag: x\r\n", "x"},
    {"<13>tag: x\n\n", "x\n"},
    {"<13>tag: x\r", "x\r"},
    {"<13>tag: a\nb", "a\nb"},
    /* RFC 5424 example 1 shape, with SD and BOM */
    {"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
     "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
     "eventID=\"1011\"] " BOM "An application event",
     "An application event"},
    /* every header field nil, no SD */
    {"<190>1 - - - - - - " NGINX_LINE, NGINX_LINE},
    {"<190>1 2024-12-04T21:40:01+01:00 web1 nginx 812 - - " NGINX_LINE,
     NGINX_LINE},
    {"<190>1 2024-12-04T21:40:01.123456-07:00 h a p m - " BOM NGINX_LINE,
     NGINX_LINE},
    /* SD values with escaped ] " and \, two elements */
    {"<190>1 - - - - - [a@1 x=\"q\\\"]\\\\\" y=\"\\]\"][b@2] msg", "msg"},
    /* a raw ']' in a quoted value is harmless and allowed */
    {"<190>1 - - - - - [a@1 x=\"]\"] msg", "msg"},
    /* no MSG at all, or an empty one */
    {"<190>1 - - - - - -", ""},
    {"<190>1 - - - - - [a@1]", ""},
    {"<190>1 - - - - - - ", ""},
    {"<190>1 - h a p m - " BOM, ""},
    {"<190>1 - - - - - -\r\n", ""},
    /* only one BOM is dropped */
    {"<190>1 - - - - - - " BOM BOM "x", BOM "x"},
    {"<190>1 - - - - - - " NGINX_LINE "\n", NGINX_LINE},
};

static const char *const message_bad[] = {
    "",
    "<",
    "<>",
    "<1",
    "<13",
    "<13>",
    "13>tag: x",
    "<a>tag: x",
    "<-1>tag: x",
    "<192>tag: x",
    "<1000>tag: x",
    "<0013>tag: x",
    " <13>tag: x",
    /* TAG */
    "<13>tag x",
    "<13>tag:x",
    "<13>: x",
    "<13>ta g: x",
    "<13>tag[]: x",
    "<13>tag[12: x",
    "<13>tag[12]x: x",
    "<13>tag[1 2]: x",
    "<13>ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt: x",
    /* a hostname needs a timestamp in front */
    "<13>host tag: x",
    /* timestamp, host */
    "<13>Dec  4 21:40:01 ",
    "<13>Dec  4 21:40:01 host",
    "<13>Dec  4 21:40:01 host tag",
    "<13>Dec  4 21:40:01 host  tag: x",
    "<13>Dec  4 21:40:01 ho\tst tag: x",
    "<13>Dec 32 21:40:01 host tag: x",
    "<13>Dec  0 21:40:01 host tag: x",
    "<13>Dec  4 24:00:00 host tag: x",
    "<13>Dec  4 21:60:00 host tag: x",
    "<13>dec  4 21:40:01 host tag: x",
    "<13>Dex  4 21:40:01 host tag: x",
    "<13>Dec  4 21:40 host tag: x",
    "<13>Dec 4 21:40:01 host tag: x",
    /* RFC 5424 */
    "<13>1 ",
    "<13>1 - - - - -",
    "<13>1 - - - - - ",
    "<13>1 - - - - - x",
    "<13>1 - - - - -x",
    "<13>1 - - - - - -x",
    "<13>1 - - - - - [a@1",
    "<13>1 - - - - - [a@1 x=\"v]",
    "<13>1 - - - - - [a@1 x=\"v\\\"]",
    "<13>1 - - - - - [a@1 x=\"v\\",
    "<13>1 - - - - - [a@1 x=v]",
    "<13>1 - - - - - [a@1 x]",
    "<13>1 - - - - - [a@1 =\"v\"]",
    "<13>1 - - - - - [a@1  x=\"v\"]",
    "<13>1 - - - - - [a@1]x",
    "<13>1 - - - - - []",
    "<13>1 - - - - - [=a]",
    "<13>1 - - - - - [a\"b]",
    "<13>1 - - - - - [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]",
    "<13>1  - - - - -",
    "<13>1 - - - - -  msg",
    "<13>1 2024-13-01T00:00:00Z - - - - -",
    "<13>1 2024-12-00T00:00:00Z - - - - -",
    "<13>1 2024-12-04 21:40:01Z - - - - -",
    "<13>1 2024-12-04T21:40:01 - - - - -",
    "<13>1 2024-12-04T21:40:01.Z - - - - -",
    "<13>1 2024-12-04T21:40:01.1234567Z - - - - -",
    "<13>1 2024-12-04T25:40:01Z - - - - -",
    "<13>1 2024-12-04T21:40:01+0100 - - - - -",
    "<13>1 24-12-04T21:40:01Z - - - - -",
    "<13>1 - h\ta - - - -",
    "<13>1 - - aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa - - -",
    "<13>1 - - - - mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm -",
    /* only version 1 exists */
    "<13>2 - - - - - -",
    "<13>11 - - - - - -",
};

static int message(const char *in, size_t len, struct span *msg)
{
    char *copy = exact_copy(in, len);
    int rc = syslog_message(copy, len, msg);
    if (rc == 0) {
        /* the view lies inside the input; compare it before freeing */
        assert_true(msg->p >= copy && msg->p + msg->len <= copy + len);
        msg->p = in + (msg->p - copy);
    }
    free(copy);
    return rc;
}

static void test_syslog__message_accepts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(message_ok) / sizeof(message_ok[0]); i++) {
        struct span msg;
        if (message(message_ok[i].in, strlen(message_ok[i].in), &msg) != 0) {
            fail_msg("rejected %s", message_ok[i].in);
        }
        assert_span_eq(msg, message_ok[i].msg, strlen(message_ok[i].msg));
    }
}

static void test_syslog__message_rejects(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(message_bad) / sizeof(message_bad[0]); i++) {
        struct span msg = {NULL, 0};
        if (message(message_bad[i], strlen(message_bad[i]), &msg) != -1) {
            fail_msg("accepted %s", message_bad[i]);
        }
        assert_null(msg.p);
    }
}

/* Every proper prefix of an nginx datagram cut inside its header is
 * refused (a cut inside MSG is the access-log parser's to find). */
static void test_syslog__message_truncated_header(void **state)
{
    static const char *const in[] = {
        "<190>Dec  4 21:40:01 web1 beacon: x",
        "<190>1 2024-12-04T21:40:01.5Z web1 nginx 812 - [a@1 b=\"c\"] x",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        size_t hdr = strlen(in[i]) - 2; /* up to " x" */
        for (size_t k = 0; k < hdr; k++) {
            struct span msg;
            if (message(in[i], k, &msg) != -1) {
                fail_msg("accepted %zu bytes of %s", k, in[i]);
            }
        }
    }
}

/* MSG may hold any byte, NUL included: the message is (d, len). */
static void test_syslog__message_binary_msg(void **state)
{
    static const char in[] = "<13>tag: a\0b\xff";
    struct span msg;
    (void)state;
    assert_int_equal(message(in, sizeof(in) - 1, &msg), 0);
    assert_span_eq(msg, "a\0b\xff", 4);
}

/* ---- syslog_frame ------------------------------------------------------ */

#define MAXF 64

static const struct {
    const char *in;
    size_t max;
    int rc; /* bytes consumed */
    const char *frame;
} frame_ok[] = {
    {"5 hello", MAXF, 7, "hello"},
    {"5 hello6 world!", MAXF, 7, "hello"},
    {"6 a\nb\r\ncd", MAXF, 8, "a\nb\r\nc"},
    {"1  ", MAXF, 3, " "},
    {"<13>tag: x\n", MAXF, 11, "<13>tag: x"},
    {"<13>tag: x\r\n<13>", MAXF, 12, "<13>tag: x"},
    {"<13>tag: a\rb\n", MAXF, 13, "<13>tag: a\rb"},
    {"<\n", MAXF, 2, "<"},
    {"\n", MAXF, 1, ""},
    {"\n5 hello", MAXF, 1, ""},
    /* exactly max_frame */
    {"5 hello", 5, 7, "hello"},
    {"10 <13>tag: x", 10, 13, "<13>tag: x"},
    {"<13>tag: x\n", 10, 11, "<13>tag: x"},
    {"<13>tag: x\r\n", 10, 12, "<13>tag: x"},
    /* a huge max_frame is capped, not an overflow */
    {"5 hello", SIZE_MAX, 7, "hello"},
};

static const struct {
    const char *in;
    size_t max;
} frame_more[] = {
    {"", MAXF},
    {"5", MAXF},
    {"5 ", MAXF},
    {"5 hell", MAXF},
    {"12", MAXF},
    {"<", MAXF},
    {"<13>tag: x", MAXF},
    {"<13>tag: x\r", MAXF},
    /* max_frame bytes and a CR: the LF may still come */
    {"<13>tag: x", 10},
    {"<13>tag: x\r", 10},
    {"64", 64},
};

static const struct {
    const char *in;
    size_t max;
} frame_bad[] = {
    {"05 hello", MAXF},
    {"0 ", MAXF},
    {"0", MAXF},
    {"5x", MAXF},
    {"5\n", MAXF},
    {"5 hello", 4},
    {"65", MAXF},
    {"100", MAXF},
    {"99999999999999999999999999 ", SIZE_MAX},
    {" 5 hello", MAXF},
    {"\r\n<13>tag: x\n", MAXF},
    {"x", MAXF},
    {"-1 x", MAXF},
    {"\0", MAXF},
    /* an LF frame over max_frame, with or without its LF yet */
    {"<13>tag: xy", 10},
    {"<13>tag: xy\n", 10},
    {"<13>tag: xy\r\n", 10},
    {"<13>tag: x\rz", 10},
    {"<13>tag: x\r\r\n", 10},
    {"5 hello", 0},
    {"<\n", 0},
};

static int frame(const char *in, size_t len, size_t max, struct span *f)
{
    char *copy = exact_copy(in, len);
    int rc = syslog_frame(copy, len, max, f);
    if (rc > 0) {
        assert_true((size_t)rc <= len);
        assert_true(f->p >= copy && f->p + f->len <= copy + rc);
        f->p = in + (f->p - copy);
    }
    free(copy);
    return rc;
}

/*
 * The split-independence of one call: for every prefix of in, the answer
 * is 0 or the answer for all of in, and once it is not 0 it stays.
 */
static void assert_prefix_stable(const char *in, size_t len, size_t max)
{
    struct span full_f = {NULL, 0}, f;
    int full = frame(in, len, max, &full_f), seen = 0;

    for (size_t k = 0; k <= len; k++) {
        int rc = frame(in, k, max, &f);
        if (rc == 0) {
            if (seen) {
                fail_msg("%.*s: 0 after an answer at %zu", (int)len, in, k);
            }
            continue;
        }
        seen = 1;
        if (rc != full) {
            fail_msg("%.*s: %d at %zu bytes, %d at %zu", (int)len, in, rc, k,
                     full, len);
        }
        if (rc > 0) {
            assert_ptr_equal(f.p, full_f.p);
            assert_int_equal(f.len, full_f.len);
        }
    }
}

static void test_syslog__frame_accepts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(frame_ok) / sizeof(frame_ok[0]); i++) {
        struct span f;
        const char *in = frame_ok[i].in;
        int rc = frame(in, strlen(in), frame_ok[i].max, &f);
        if (rc != frame_ok[i].rc) {
            fail_msg("%s: %d, want %d", in, rc, frame_ok[i].rc);
        }
        assert_span_eq(f, frame_ok[i].frame, strlen(frame_ok[i].frame));
        assert_prefix_stable(in, strlen(in), frame_ok[i].max);
    }
}

static void test_syslog__frame_needs_more(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(frame_more) / sizeof(frame_more[0]); i++) {
        struct span f = {NULL, 0};
        const char *in = frame_more[i].in;
        if (frame(in, strlen(in), frame_more[i].max, &f) != 0) {
            fail_msg("%s: not 0", in);
        }
        assert_null(f.p);
    }
}

static void test_syslog__frame_rejects(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(frame_bad) / sizeof(frame_bad[0]); i++) {
        struct span f;
        const char *in = frame_bad[i].in;
        size_t len = in[0] == '\0' ? 1 : strlen(in);
        if (frame(in, len, frame_bad[i].max, &f) != -1) {
            fail_msg("%s: not -1", in);
        }
        assert_prefix_stable(in, len, frame_bad[i].max);
    }
}

/* A relay's stream: octet-counted and LF-framed messages mixed, LF
 * separators, an MSG holding an LF. */
static const char stream[] =
    "<190>Dec  4 21:40:01 beacon: " NGINX_LINE "\n"
    "\n"
    "27 <190>1 - - - - - - " BOM "a\nb\r\n"
    "\n"
    "<190>Dec  4 21:40:02 web1 beacon: " NGINX_LINE "\r\n"
    "12 <13>tag: one"
    "<13>tag: two\n";

static const char *const stream_msgs[] = {
    NGINX_LINE, "a\nb", NGINX_LINE, "one", "two",
};

#define STREAM_MAX_FRAME 512
#define STREAM_MSGS (sizeof(stream_msgs) / sizeof(stream_msgs[0]))

struct reader {
    char buf[sizeof(stream)];
    size_t len;
    size_t n; /* messages taken so far */
};

/* Appends chunk to the reader's buffer and takes every complete frame,
 * as a TCP connection would on each read; each message must be the next
 * one expected. */
static void reader_feed(struct reader *r, const char *chunk, size_t len)
{
    struct span f, msg;
    int rc;

    assert_true(r->len + len <= sizeof(r->buf));
    memcpy(r->buf + r->len, chunk, len);
    r->len += len;
    while ((rc = syslog_frame(r->buf, r->len, STREAM_MAX_FRAME, &f)) != 0) {
        assert_true(rc > 0);
        if (f.len > 0) {
            assert_true(r->n < STREAM_MSGS);
            assert_int_equal(syslog_message(f.p, f.len, &msg), 0);
            assert_span_eq(msg, stream_msgs[r->n], strlen(stream_msgs[r->n]));
            r->n++;
        }
        memmove(r->buf, r->buf + rc, r->len - (size_t)rc);
        r->len -= (size_t)rc;
    }
}

/* The stream in one piece, cut once at every byte, and byte by byte:
 * always the same messages, nothing left over. */
static void test_syslog__frame_stream_any_split(void **state)
{
    size_t len = sizeof(stream) - 1;
    struct reader *r = malloc(sizeof(*r));
    (void)state;

    assert_non_null(r);
    for (size_t cut = 0; cut <= len; cut++) {
        memset(r, 0, sizeof(*r));
        reader_feed(r, stream, cut);
        reader_feed(r, stream + cut, len - cut);
        assert_int_equal(r->n, STREAM_MSGS);
        assert_int_equal(r->len, 0);
    }
    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < len; i++) {
        reader_feed(r, stream + i, 1);
    }
    assert_int_equal(r->n, STREAM_MSGS);
    assert_int_equal(r->len, 0);
    free(r);
}

/* Each frame of the stream, from its own start, is prefix-stable. */
static void test_syslog__frame_stream_prefixes(void **state)
{
    size_t off = 0, len = sizeof(stream) - 1;
    struct span f;
    (void)state;

    while (off < len) {
        int rc = frame(stream + off, len - off, STREAM_MAX_FRAME, &f);
        assert_true(rc > 0);
        assert_prefix_stable(stream + off, len - off, STREAM_MAX_FRAME);
        off += (size_t)rc;
    }
}

/* An octet-counted frame of exactly max_frame, and one byte more, at the
 * size a relay would use. */
static void test_syslog__frame_max_edge(void **state)
{
    enum { MAX = 8192 };
    char *buf = malloc(MAX + 16);
    struct span f;
    int hdr;
    (void)state;

    assert_non_null(buf);
    hdr = snprintf(buf, 16, "%d ", MAX);
    memset(buf + hdr, 'a', MAX);
    assert_int_equal(frame(buf, (size_t)hdr + MAX, MAX, &f), hdr + MAX);
    assert_int_equal(f.len, MAX);
    assert_int_equal(frame(buf, (size_t)hdr + MAX - 1, MAX, &f), 0);
    hdr = snprintf(buf, 16, "%d ", MAX + 1);
    assert_int_equal(frame(buf, (size_t)hdr, MAX, &f), -1);
    /* LF framing: MAX bytes then LF; MAX + 1 bytes without one */
    buf[0] = '<';
    memset(buf + 1, 'a', MAX - 1);
    buf[MAX] = '\n';
    assert_int_equal(frame(buf, MAX + 1, MAX, &f), MAX + 1);
    assert_int_equal(f.len, MAX);
    buf[MAX] = 'a';
    assert_int_equal(frame(buf, MAX, MAX, &f), 0);
    assert_int_equal(frame(buf, MAX + 1, MAX, &f), -1);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syslog__message_accepts),
        cmocka_unit_test(test_syslog__message_rejects),
        cmocka_unit_test(test_syslog__message_truncated_header),
        cmocka_unit_test(test_syslog__message_binary_msg),
        cmocka_unit_test(test_syslog__frame_accepts),
        cmocka_unit_test(test_syslog__frame_needs_more),
        cmocka_unit_test(test_syslog__frame_rejects),
        cmocka_unit_test(test_syslog__frame_stream_any_split),
        cmocka_unit_test(test_syslog__frame_stream_prefixes),
        cmocka_unit_test(test_syslog__frame_max_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
