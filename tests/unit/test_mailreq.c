/*
 * test_mailreq.c: open-pixel paths and click targets (SPEC 2.3, 2.4),
 * with tables of must-accept and must-reject inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/mailreq.h"

static void assert_span(struct span s, const char *want)
{
    char buf[4096];
    assert_true(s.len < sizeof(buf));
    memcpy(buf, s.p, s.len);
    buf[s.len] = '\0';
    assert_string_equal(buf, want);
}

/* ---- opens ------------------------------------------------------------ */

static const struct {
    const char *path, *site, *campaign, *recipient;
} open_ok[] = {
    {"/o/news/spring-24/abcdefgh.gif", "news", "spring-24", "abcdefgh"},
    {"/o/a.b_c-d/C.1_x-y/Tok_en-0123456789.gif", "a.b_c-d", "C.1_x-y",
     "Tok_en-0123456789"},
    {"/o/s/c/pZ_FeNTLRvqrHW6zSOfHSw.gif", "s", "c", "pZ_FeNTLRvqrHW6zSOfHSw"},
    /* 64-character ids, 128-character token */
    {"/o/SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS/"
     "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC/"
     "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"
     "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr.gif",
     "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS",
     "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC",
     "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"
     "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"},
};

static const char *const open_bad[] = {
    "/o/news/spring/abcdefgh",          /* no .gif */
    "/o/news/spring/abcdefgh.GIF",      /* suffix is exact */
    "/o/news/spring/abcdefgh.gif/",     /* trailing slash */
    "/o/news/spring/.gif",              /* empty recipient */
    "/o/news/spring/abcdefg.gif",       /* 7 characters */
    "/o/news/spring/abc.defgh.gif",     /* '.' not in a token */
    "/o/news/spring/abc%41defgh.gif",   /* no escapes in a token */
    "/o/news/spring/a@example.com.gif", /* an address is not a token */
    "/o/news//abcdefgh.gif",            /* empty campaign */
    "/o//spring/abcdefgh.gif",          /* empty site */
    "/o/news/spr ing/abcdefgh.gif",     /* space */
    "/o/news/spr+ing/abcdefgh.gif",     /* '+' */
    "/o/news/abcdefgh.gif",             /* two segments */
    "/o/news/spring/x/abcdefgh.gif",    /* four segments */
    "/o/",                              /* nothing */
    "/p/news/spring/abcdefgh.gif",      /* another prefix */
    "/O/news/spring/abcdefgh.gif",      /* prefix is exact */
    "/o/SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS/"
    "c/abcdefgh.gif", /* 65-character site */
    "/o/s/CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC/"
    "abcdefgh.gif", /* 65-character campaign */
    "/o/s/c/rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"
    "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr.gif",
};

static void test_mailreq__open_accepts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(open_ok) / sizeof(open_ok[0]); i++) {
        struct mailreq_open o;
        const char *err = NULL;
        struct span p = span_make(open_ok[i].path, strlen(open_ok[i].path));
        if (mailreq_parse_open(p, &o, &err) != 0) {
            fail_msg("rejected %s: %s", open_ok[i].path, err);
        }
        assert_span(o.site, open_ok[i].site);
        assert_span(o.campaign, open_ok[i].campaign);
        assert_span(o.recipient, open_ok[i].recipient);
    }
}

static void test_mailreq__open_rejects(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(open_bad) / sizeof(open_bad[0]); i++) {
        struct mailreq_open o;
        const char *err = NULL;
        struct span p = span_make(open_bad[i], strlen(open_bad[i]));
        if (mailreq_parse_open(p, &o, &err) != -1) {
            fail_msg("accepted %s", open_bad[i]);
        }
        assert_non_null(err);
    }
}

/* ---- clicks ----------------------------------------------------------- */

#define CPATH "/c/news/spring-24/hero"
#define SIG "JBvQ6JZ0A_zSsq1FQ2TbkA_y5oFwS7fL82I7keKDW80"

static int click(const char *path, const char *query, struct mailreq_click *c,
                 const char **err)
{
    static char scratch[8192];
    return mailreq_parse_click(span_make(path, strlen(path)),
                               span_make(query, strlen(query)), scratch,
                               sizeof(scratch), c, err);
}

static const struct {
    const char *query, *to, *r, *k;
} click_ok[] = {
    {"to=https%3A%2F%2Fshop.example%2Fsale%3Fx%3D1%26y%3D2&r=AbCdEfGh12&k=k1"
     "&sig=" SIG,
     "https://shop.example/sale?x=1&y=2", "AbCdEfGh12", "k1"},
    /* parameters in any order; r absent */
    {"sig=" SIG "&k=2026-a&to=http%3A%2F%2Fx.example%2F", "http://x.example/",
     "", "2026-a"},
    /* r empty counts as absent */
    {"to=https%3A%2F%2Fx.example&r=&k=k&sig=" SIG, "https://x.example", "",
     "k"},
    /* unencoded ':' and '/' are fine in a query; '+' stays '+' */
    {"to=https://x.example/a+b&k=k&sig=" SIG, "https://x.example/a+b", "",
     "k"},
    /* an escaped escape stays escaped once: %250A -> %0A */
    {"to=https%3A%2F%2Fx.example%2F%250A&k=k&sig=" SIG,
     "https://x.example/%0A", "", "k"},
    /* unknown parameters (a gateway's own) are ignored */
    {"to=https%3A%2F%2Fx.example&k=k&sig=" SIG "&utm_source=gw&x",
     "https://x.example", "", "k"},
};

static void test_mailreq__click_accepts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(click_ok) / sizeof(click_ok[0]); i++) {
        struct mailreq_click c;
        const char *err = NULL;
        if (click(CPATH, click_ok[i].query, &c, &err) != 0) {
            fail_msg("rejected %s: %s", click_ok[i].query, err);
        }
        assert_span(c.site, "news");
        assert_span(c.campaign, "spring-24");
        assert_span(c.link, "hero");
        assert_span(c.to, click_ok[i].to);
        assert_span(c.recipient, click_ok[i].r);
        assert_span(c.key_id, click_ok[i].k);
        assert_span(c.sig, SIG);
    }
}

static const struct {
    const char *path, *query;
} click_bad[] = {
    {CPATH, ""},
    {CPATH, "r=AbCdEfGh12&k=k1&sig=" SIG},               /* no to */
    {CPATH, "to=https%3A%2F%2Fx.example&sig=" SIG},       /* no k */
    {CPATH, "to=https%3A%2F%2Fx.example&k=k1"},           /* no sig */
    {CPATH, "to=javascript%3Aalert(1)&k=k1&sig=" SIG},    /* javascript: */
    {CPATH, "to=data%3Atext%2Fhtml%2Cx&k=k1&sig=" SIG},   /* data: */
    {CPATH, "to=%2Fpath&k=k1&sig=" SIG},                  /* relative */
    {CPATH, "to=%2F%2Fx.example%2F&k=k1&sig=" SIG},       /* scheme-relative */
    {CPATH, "to=https%3A%2F%2Fx.example%2F%0D%0ASet-Cookie%3Ax&k=k1&sig=" SIG},
    {CPATH, "to=https%3A%2F%2Fx.example%2F%0A&k=k1&sig=" SIG}, /* LF */
    {CPATH, "to=https%3A%2F%2Fx.example%2F%00&k=k1&sig=" SIG}, /* NUL */
    {CPATH, "to=https%3A%2F%2Fx%20y&k=k1&sig=" SIG},           /* space */
    {CPATH, "to=https%3A%2F%2Fx.example%ZZ&k=k1&sig=" SIG},    /* bad escape */
    {CPATH, "to=https%3A%2F%2Fx.example&to=https%3A%2F%2Fy.example&k=k1&sig="
            SIG}, /* repeated to */
    {CPATH, "to=https%3A%2F%2Fx.example&k=k1&k=k2&sig=" SIG}, /* repeated k */
    {CPATH, "to=https%3A%2F%2Fx.example&k=k1&sig=" SIG "&sig=" SIG},
    {CPATH, "to=https%3A%2F%2Fx.example&r=a&r=b&k=k1&sig=" SIG},
    {CPATH, "to=https%3A%2F%2Fx.example&r=short&k=k1&sig=" SIG}, /* bad r */
    {CPATH, "to=https%3A%2F%2Fx.example&r=a%40b.example.com&k=k1&sig=" SIG},
    {CPATH, "to=https%3A%2F%2Fx.example&k=&sig=" SIG},        /* empty k */
    {CPATH, "to=https%3A%2F%2Fx.example&k=k%201&sig=" SIG},   /* bad k */
    {"/c/news/spring-24/", "to=https%3A%2F%2Fx.example&k=k1&sig=" SIG},
    {"/c/news/spring-24/he%20ro", "to=https%3A%2F%2Fx.example&k=k1&sig=" SIG},
    {"/c/news/hero", "to=https%3A%2F%2Fx.example&k=k1&sig=" SIG},
    {"/c/news/a/b/hero", "to=https%3A%2F%2Fx.example&k=k1&sig=" SIG},
    {"/c//spring-24/hero", "to=https%3A%2F%2Fx.example&k=k1&sig=" SIG},
    {"/o/news/spring-24/hero", "to=https%3A%2F%2Fx.example&k=k1&sig=" SIG},
};

static void test_mailreq__click_rejects(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(click_bad) / sizeof(click_bad[0]); i++) {
        struct mailreq_click c;
        const char *err = NULL;
        if (click(click_bad[i].path, click_bad[i].query, &c, &err) != -1) {
            fail_msg("accepted %s?%s", click_bad[i].path, click_bad[i].query);
        }
        assert_non_null(err);
    }
}

/* A to longer than CLICKLINK_TO_MAX (2048) bytes is refused; 2048 is not. */
static void test_mailreq__click_to_length_edge(void **state)
{
    char query[4096];
    struct mailreq_click c;
    const char *err;
    const char *head = "to=https://x.example/";
    size_t pad = 2048 - (strlen(head) - 3);
    (void)state;

    snprintf(query, sizeof(query), "%s%0*d&k=k&sig=%s", head, (int)pad, 0,
             SIG);
    assert_int_equal(click(CPATH, query, &c, &err), 0);
    assert_int_equal(c.to.len, 2048);
    snprintf(query, sizeof(query), "%s%0*d&k=k&sig=%s", head, (int)pad + 1, 0,
             SIG);
    assert_int_equal(click(CPATH, query, &c, &err), -1);
}

/* Decoding never writes past the scratch the caller gave. */
static void test_mailreq__click_scratch_bound(void **state)
{
    const char *q = "to=https%3A%2F%2Fx.example&k=k1&sig=" SIG;
    char scratch[32];
    struct mailreq_click c;
    const char *err;
    (void)state;

    memset(scratch, 'Z', sizeof(scratch));
    assert_int_equal(mailreq_parse_click(SPAN_LIT(CPATH),
                                         span_make(q, strlen(q)), scratch, 10,
                                         &c, &err),
                     -1);
    for (size_t i = 10; i < sizeof(scratch); i++) {
        assert_int_equal(scratch[i], 'Z');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mailreq__open_accepts),
        cmocka_unit_test(test_mailreq__open_rejects),
        cmocka_unit_test(test_mailreq__click_accepts),
        cmocka_unit_test(test_mailreq__click_rejects),
        cmocka_unit_test(test_mailreq__click_to_length_edge),
        cmocka_unit_test(test_mailreq__click_scratch_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
