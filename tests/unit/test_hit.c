/*
 * test_hit.c: hit_parse_query (SPEC 2.1) and the shared validators.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto/hit.h"
#include "proto/percent.h"
#include "proto/query.h"

#define SCRATCH 8192

/* What a parsed hit must look like; NULL event means "pageview". */
struct want {
    const char *site, *path, *ref, *event;
    const char *utm_source, *utm_medium, *utm_campaign;
};

struct accept_case {
    const char *q;
    const char *page_host; /* ctx; NULL: none */
    struct want w;
};

static int parse(struct hit *h, const char *q, size_t len,
                 const char *page_host, const char **err)
{
    static char scratch[SCRATCH];
    struct hit_context ctx = {page_host,
                              page_host != NULL ? strlen(page_host) : 0};

    assert_true(len <= sizeof scratch);
    *err = NULL;
    return hit_parse_query(h, q, len, page_host != NULL ? &ctx : NULL, scratch,
                           len, err);
}

static int field_is(const char *got, size_t got_len, const char *want)
{
    return got_len == strlen(want) && strcmp(got, want) == 0;
}

static void check_hit(const struct hit *h, const struct want *w,
                      const char *what)
{
    const char *event = w->event != NULL ? w->event : "pageview";

    if (!field_is(h->site, h->site_len, w->site) ||
        !field_is(h->path, h->path_len, w->path) ||
        !field_is(h->ref_host, h->ref_len, w->ref) ||
        !field_is(h->event, h->event_len, event) ||
        !field_is(h->utm_source, h->utm_source_len, w->utm_source) ||
        !field_is(h->utm_medium, h->utm_medium_len, w->utm_medium) ||
        !field_is(h->utm_campaign, h->utm_campaign_len, w->utm_campaign) ||
        h->is_pageview != (strcmp(event, "pageview") == 0)) {
        fail_msg("%s: got site=%s path=%s ref=%s event=%s pv=%d "
                 "utm=%s/%s/%s",
                 what, h->site, h->path, h->ref_host, h->event, h->is_pageview,
                 h->utm_source, h->utm_medium, h->utm_campaign);
    }
}

#define W(site, path, ref, event, src, med, camp)                              \
    {                                                                          \
        site, path, ref, event, src, med, camp                                 \
    }

static const struct accept_case accept_cases[] = {
    /* s and u, both forms of u */
    {"s=blog&u=%2F", NULL, W("blog", "/", "", NULL, "", "", "")},
    {"u=/a&s=blog", NULL, W("blog", "/a", "", NULL, "", "", "")},
    {"s=Blog_1.x-y&u=/", NULL, W("Blog_1.x-y", "/", "", NULL, "", "", "")},
    {"s=blog&u=https%3A%2F%2Fexample.com%2Fa%2Fb%3Fx%3D1%23top", NULL,
     W("blog", "/a/b", "", NULL, "", "", "")},
    {"s=blog&u=https://example.com/a/b?x=1", NULL,
     W("blog", "/a/b", "", NULL, "", "", "")},
    {"s=blog&u=https://example.com", NULL,
     W("blog", "/", "", NULL, "", "", "")},
    {"s=blog&u=HTTPS%3A%2F%2FEXAMPLE.COM%2FPath", NULL,
     W("blog", "/Path", "", NULL, "", "", "")},
    {"s=blog&u=http%3A%2F%2Fexample.com%3A8080%2Fa", NULL,
     W("blog", "/a", "", NULL, "", "", "")},
    {"s=blog&u=https%3A%2F%2Fuser%3Apw%40example.com%2Fx", NULL,
     W("blog", "/x", "", NULL, "", "", "")},
    {"s=blog&u=http%3A%2F%2F%5B%3A%3A1%5D%3A8080%2Fv6", NULL,
     W("blog", "/v6", "", NULL, "", "", "")},
    {"s=blog&u=/docs/./intro/../setup//", NULL,
     W("blog", "/docs/setup/", "", NULL, "", "", "")},
    {"s=blog&u=%2F..%2F..%2Fetc", NULL,
     W("blog", "/etc", "", NULL, "", "", "")},
    {"s=blog&u=//evil.example/x", NULL,
     W("blog", "/evil.example/x", "", NULL, "", "", "")},
    {"s=blog&u=/a+b", NULL, W("blog", "/a b", "", NULL, "", "", "")},
    {"s=blog&u=/caf%C3%A9", NULL,
     W("blog", "/caf\xc3\xa9", "", NULL, "", "", "")},
    {"s=blog&u=/caf%25C3%25A9", NULL,
     W("blog", "/caf%C3%A9", "", NULL, "", "", "")},
    {"s=blog&u=%2Fp%3Fq%3D1%23frag", NULL,
     W("blog", "/p", "", NULL, "", "", "")},

    /* parameter rules */
    {"s=a&s=b&u=/", NULL, W("a", "/", "", NULL, "", "", "")},
    {"s=a&u=/x&u=/y", NULL, W("a", "/x", "", NULL, "", "", "")},
    {"&&s=a&&u=/&&", NULL, W("a", "/", "", NULL, "", "", "")},
    {"v=1&s=a&foo=%ZZ&bar&u=/", NULL, W("a", "/", "", NULL, "", "", "")},
    {"%73=blog&%75=/x", NULL, W("blog", "/x", "", NULL, "", "", "")},
    {"S=nope&s=blog&u=/", NULL, W("blog", "/", "", NULL, "", "", "")},

    /* e */
    {"s=blog&u=/&e=signup", NULL, W("blog", "/", "", "signup", "", "", "")},
    {"s=blog&u=/&e=Sign+Up:step-2.ok_x", NULL,
     W("blog", "/", "", "Sign Up:step-2.ok_x", "", "", "")},
    {"s=blog&u=/&e=video%3Aplay", NULL,
     W("blog", "/", "", "video:play", "", "", "")},
    {"s=blog&u=/&e=pageview", NULL, W("blog", "/", "", NULL, "", "", "")},
    {"s=blog&u=/&e=", NULL, W("blog", "/", "", NULL, "", "", "")},
    {"s=blog&u=/&e=Pageview", NULL, W("blog", "/", "", "Pageview", "", "", "")},

    /* r */
    {"s=b&u=https://example.com/&r=https%3A%2F%2Fwww.Google.com%2Fsearch"
     "%3Fq%3Dx",
     NULL, W("b", "/", "google.com", NULL, "", "", "")},
    {"s=b&u=https://example.com/&r=https://example.com/other", NULL,
     W("b", "/", "", NULL, "", "", "")},
    {"s=b&u=https://www.example.com/&r=https://example.com/", NULL,
     W("b", "/", "", NULL, "", "", "")},
    {"s=b&u=https://example.com/&r=https://WWW.EXAMPLE.COM./x", NULL,
     W("b", "/", "", NULL, "", "", "")},
    {"s=b&u=https://Example.com/&r=http://example.com:8080/", NULL,
     W("b", "/", "", NULL, "", "", "")},
    {"s=b&u=https://example.com/&r=https://blog.example.com/", NULL,
     W("b", "/", "blog.example.com", NULL, "", "", "")},
    {"s=b&u=https://example.com/&r=https://user@news.example.org:443/a", NULL,
     W("b", "/", "news.example.org", NULL, "", "", "")},
    {"s=b&u=https://example.com/&r=android-app://com.google.android.gm/", NULL,
     W("b", "/", "", NULL, "", "", "")},
    {"s=b&u=https://example.com/&r=%ZZ", NULL,
     W("b", "/", "", NULL, "", "", "")},
    {"s=b&u=https://example.com/&r=example.org", NULL,
     W("b", "/", "", NULL, "", "", "")},
    {"s=b&u=https://example.com/&r=", NULL, W("b", "/", "", NULL, "", "", "")},
    {"s=b&u=http://[::1]:8080/x&r=http://[::1]/", NULL,
     W("b", "/x", "", NULL, "", "", "")},
    {"s=b&u=http://[::1]:8080/x&r=http://[::2]/", NULL,
     W("b", "/x", "[::2]", NULL, "", "", "")},
    /* u a bare path: the page's host comes from the context */
    {"s=b&u=/x&r=https://example.com/y", NULL,
     W("b", "/x", "example.com", NULL, "", "", "")},
    {"s=b&u=/x&r=https://example.com/y", "www.example.com",
     W("b", "/x", "", NULL, "", "", "")},
    {"s=b&u=/x&r=https://www.example.com/y", "Example.COM:8443",
     W("b", "/x", "", NULL, "", "", "")},
    /* the context's host as the caller gave it counts too (a caller that
     * normalised "www.www.example.com" already passes "www.example.com") */
    {"s=b&u=/x&r=https://www.www.example.com/y", "www.example.com",
     W("b", "/x", "", NULL, "", "", "")},
    {"s=b&u=/x&r=https://other.example/", "example.com",
     W("b", "/x", "other.example", NULL, "", "", "")},
    {"s=b&u=/x&r=https://example.com/", "bad host!",
     W("b", "/x", "example.com", NULL, "", "", "")},
    /* u's own host wins over the context */
    {"s=b&u=https://a.example/&r=https://b.example/", "b.example",
     W("b", "/", "b.example", NULL, "", "", "")},

    /* utm */
    {"s=b&u=https%3A%2F%2Fex.com%2F%3Futm_source%3DNewsletter%26utm_medium"
     "%3DEmail%26utm_campaign%3DSpring%2BSale",
     NULL, W("b", "/", "", NULL, "newsletter", "email", "spring sale")},
    {"s=b&u=%2F%3Futm_campaign%3DSpring%252BSale", NULL,
     W("b", "/", "", NULL, "", "", "spring+sale")},
    {"s=b&u=/p%3Futm_source%3DX%23frag", NULL,
     W("b", "/p", "", NULL, "x", "", "")},
    {"s=b&u=https%3A%2F%2Fex.com%3Futm_medium%3Dcpc", NULL,
     W("b", "/", "", NULL, "", "cpc", "")},
    {"s=b&u=%2F%3Futm_source%3Da%26utm_medium%3Dm&utm_source=B", NULL,
     W("b", "/", "", NULL, "b", "m", "")},
    {"utm_campaign=Top&s=b&u=%2F%3Futm_campaign%3Dinner", NULL,
     W("b", "/", "", NULL, "", "", "top")},
    {"s=b&u=%2F%3Futm_source%3Da&utm_source=", NULL,
     W("b", "/", "", NULL, "a", "", "")},
    {"s=b&u=%2F%3Futm_source%3D%25ZZ%26utm_medium%3Dx", NULL,
     W("b", "/", "", NULL, "", "x", "")},
    {"s=b&u=%2F%3Futm_source%3Da%2501b", NULL,
     W("b", "/", "", NULL, "", "", "")},
    {"s=b&u=%2F%3Futm_source%3D%25C3", NULL, W("b", "/", "", NULL, "", "", "")},
    {"s=b&u=%2F%3Futm_source%3Dfirst%26utm_source%3Dsecond", NULL,
     W("b", "/", "", NULL, "first", "", "")},
    {"s=b&u=/&utm_campaign=%C3%89T%C3%89+2024", NULL,
     W("b", "/", "", NULL, "", "", "\xc3\x89t\xc3\x89 2024")},
    {"s=b&u=/&utm_source=a%7Fb", NULL,
     W("b", "/", "", NULL,
       "a\x7f"
       "b",
       "", "")},
    {"s=b&u=/&utm_source=News/Letter&utm_medium=E-Mail", NULL,
     W("b", "/", "", NULL, "news/letter", "e-mail", "")},
    {"s=b&u=/&utm_source=x&utm_source=%ZZ", NULL,
     W("b", "/", "", NULL, "x", "", "")},
};

static void test_hit__accepts_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof accept_cases / sizeof *accept_cases; i++) {
        const struct accept_case *c = &accept_cases[i];
        struct hit h;
        const char *err;
        char what[64];

        snprintf(what, sizeof what, "case %zu", i);
        if (parse(&h, c->q, strlen(c->q), c->page_host, &err) != 0) {
            fail_msg("%s \"%s\" rejected: %s", what, c->q, err);
        }
        check_hit(&h, &c->w, what);
    }
}

struct reject_case {
    const char *q;
    const char *err;
};

static const struct reject_case reject_cases[] = {
    {"", "missing s"},
    {"&&&", "missing s"},
    {"u=/", "missing s"},
    {"s=&u=/", "missing s"},
    {"s&u=/", "missing s"},
    {"s=blog", "missing u"},
    {"s=blog&u=", "missing u"},
    {"s=blog&U=/", "missing u"},
    {"s=bl%ZZog&u=/", "bad s"},
    {"s=blog%2&u=/", "bad s"},
    {"s=blog%&u=/", "bad s"},
    {"s=bl+og&u=/", "bad s"},
    {"s=blog!&u=/", "bad s"},
    {"s=bl%2Fog&u=/", "bad s"},
    {"s=bl:og&u=/", "bad s"},
    {"s=%00&u=/", "bad s"},
    {"s=caf%C3%A9&u=/", "bad s"},
    {"s=%7Bb%7D&u=/", "bad s"},
    {"s=blog&u=example.com/x", "bad u"},
    {"s=blog&u=www.example.com", "bad u"},
    {"s=blog&u=ftp://example.com/", "bad u"},
    {"s=blog&u=javascript:alert(1)", "bad u"},
    {"s=blog&u=https:/example.com/", "bad u"},
    {"s=blog&u=http://", "bad u"},
    {"s=blog&u=https://:443/", "bad u"},
    {"s=blog&u=%ZZ", "bad u"},
    {"s=blog&u=/a%2", "bad u"},
    {"s=blog&u=/a%01", "bad u"},
    {"s=blog&u=/a%0A", "bad u"},
    {"s=blog&u=/a%7F", "bad u"},
    {"s=blog&u=/a%00b", "bad u"},
    {"s=blog&u=/%C0%AF", "bad u"},
    {"s=blog&u=/%ED%A0%80", "bad u"},
    {"s=blog&u=/%FF", "bad u"},
    {"s=blog&u=https://exa+mple.com/", "bad u"},
    {"s=blog&u=https://example.com/a+b", "bad u"},
    {"s=blog&u=https://ex!ample.com/", "bad u"},
    {"s=blog&u=https://b%C3%BCcher.example/", "bad u"},
    {"s=blog&u=http://example.com:99999/", "bad u"},
    {"s=blog&u=http://[::1/", "bad u"},
    {"s=blog&u=+/a", "bad u"},
    {"s=blog&u=?x=/", "bad u"},
    {"s=blog&u=/&e=sign/up", "bad e"},
    {"s=blog&u=/&e=%ZZ", "bad e"},
    {"s=blog&u=/&e=a%0Ab", "bad e"},
    {"s=blog&u=/&e=a%09b", "bad e"},
    {"s=blog&u=/&e=caf%C3%A9", "bad e"},
    {"s=blog&u=/&e=a%2Bb", "bad e"},
    {"s=blog&u=/&e=a,b", "bad e"},
    {"s=blog&u=/&e=%3Cscript%3E", "bad e"},
    {"s=blog&u=/&utm_source=%01x", "bad utm_source"},
    {"s=blog&u=/&utm_source=x%1Fy", "bad utm_source"},
    {"s=blog&u=/&utm_source=%C3", "bad utm_source"},
    {"s=blog&u=/&utm_source=%C0%80", "bad utm_source"},
    {"s=blog&u=/&utm_source=%ED%B0%80", "bad utm_source"},
    {"s=blog&u=/&utm_medium=%ZZ", "bad utm_medium"},
    {"s=blog&u=/&utm_medium=a%0D%0Ab", "bad utm_medium"},
    {"s=blog&u=/&utm_campaign=%00", "bad utm_campaign"},
    /* the first error in the order s, u, e, utm is the one named */
    {"s=!&u=nope&e=/", "bad s"},
    {"s=ok&u=nope&e=/", "bad u"},
    {"s=ok&u=/&e=/&utm_source=%01", "bad e"},
};

static void test_hit__rejects_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof reject_cases / sizeof *reject_cases; i++) {
        const struct reject_case *c = &reject_cases[i];
        struct hit h;
        const char *err;

        if (parse(&h, c->q, strlen(c->q), NULL, &err) != -1) {
            fail_msg("case %zu \"%s\" accepted", i, c->q);
        }
        if (err == NULL || strcmp(err, c->err) != 0) {
            fail_msg("case %zu \"%s\": err \"%s\", want \"%s\"", i, c->q,
                     err != NULL ? err : "(null)", c->err);
        }
    }
}

/* Builds "name=" + n times c (+ suffix) into buf. */
static size_t build(char *buf, size_t cap, const char *prefix, char c, size_t n,
                    const char *suffix)
{
    size_t len = strlen(prefix);

    assert_true(len + n + strlen(suffix) < cap);
    memcpy(buf, prefix, len);
    memset(buf + len, c, n);
    len += n;
    memcpy(buf + len, suffix, strlen(suffix) + 1);
    return len + strlen(suffix);
}

static void test_hit__site_of_64_and_65(void **state)
{
    char q[256], want[80];
    struct hit h;
    const char *err;
    size_t n;
    (void)state;

    n = build(q, sizeof q, "s=", 'x', 64, "&u=/");
    assert_int_equal(parse(&h, q, n, NULL, &err), 0);
    memset(want, 'x', 64);
    want[64] = '\0';
    assert_int_equal(h.site_len, 64);
    assert_string_equal(h.site, want);

    n = build(q, sizeof q, "s=", 'x', 65, "&u=/");
    assert_int_equal(parse(&h, q, n, NULL, &err), -1);
    assert_string_equal(err, "bad s");

    /* 64 once decoded, though longer as sent. */
    n = build(q, sizeof q, "u=/&s=%41", 'x', 63, "");
    assert_int_equal(parse(&h, q, n, NULL, &err), 0);
    assert_int_equal(h.site_len, 64);
    assert_int_equal(h.site[0], 'A');
}

static void test_hit__event_of_64_and_65(void **state)
{
    char q[256];
    struct hit h;
    const char *err;
    size_t n;
    (void)state;

    n = build(q, sizeof q, "s=b&u=/&e=", 'e', 64, "");
    assert_int_equal(parse(&h, q, n, NULL, &err), 0);
    assert_int_equal(h.event_len, 64);
    assert_int_equal(h.is_pageview, 0);
    n = build(q, sizeof q, "s=b&u=/&e=", 'e', 65, "");
    assert_int_equal(parse(&h, q, n, NULL, &err), -1);
    assert_string_equal(err, "bad e");
}

static void test_hit__utm_of_64_and_65(void **state)
{
    char q[512];
    struct hit h;
    const char *err;
    size_t n;
    (void)state;

    n = build(q, sizeof q, "s=b&u=/&utm_medium=", 'M', 64, "");
    assert_int_equal(parse(&h, q, n, NULL, &err), 0);
    assert_int_equal(h.utm_medium_len, 64);
    assert_int_equal(h.utm_medium[0], 'm');
    assert_int_equal(h.utm_medium[63], 'm');
    assert_int_equal(h.utm_medium[64], '\0');

    n = build(q, sizeof q, "s=b&u=/&utm_medium=", 'M', 65, "");
    assert_int_equal(parse(&h, q, n, NULL, &err), -1);
    assert_string_equal(err, "bad utm_medium");

    /* 65 in u's query: ignored, the hit stands. */
    n = build(q, sizeof q, "s=b&u=%2F%3Futm_medium%3D", 'M', 65, "");
    assert_int_equal(parse(&h, q, n, NULL, &err), 0);
    assert_int_equal(h.utm_medium_len, 0);
    assert_string_equal(h.utm_medium, "");
    n = build(q, sizeof q, "s=b&u=%2F%3Futm_medium%3D", 'M', 64, "");
    assert_int_equal(parse(&h, q, n, NULL, &err), 0);
    assert_int_equal(h.utm_medium_len, 64);
}

static void test_hit__long_path_is_cut(void **state)
{
    char q[1024];
    struct hit h;
    const char *err;
    size_t n;
    (void)state;

    n = build(q, sizeof q, "s=b&u=/section/", 'p', 400, "");
    assert_int_equal(parse(&h, q, n, NULL, &err), 0);
    assert_string_equal(h.path, "/section/");
    assert_int_equal(h.path_len, 9);

    n = build(q, sizeof q, "s=b&u=https://example.com/", 'p', 400, "");
    assert_int_equal(parse(&h, q, n, NULL, &err), 0);
    assert_int_equal(h.path_len, URL_PATH_MAX);
    assert_int_equal(h.path[0], '/');
    assert_int_equal(h.path[255], 'p');
    assert_int_equal(h.path[256], '\0');
}

/* Scratch of exactly len bytes is enough for any query. */
static void test_hit__scratch_of_len_suffices(void **state)
{
    static const char *const qs[] = {
        "s=b&u=%2F%3Futm_source%3Dabc%26utm_medium%3Dd&r=http://x.example/",
        "s=b&u=https%3A%2F%2Fex.com%2F%3Futm_source%3Da&r=https%3A%2F%2Fr.ex",
        "u=/&s=b",
        "u=https://example.com/a/b/c/../d?utm_campaign=c&s=b&r=https://a.b/",
    };
    (void)state;

    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        size_t len = strlen(qs[i]);
        char scratch[512];
        struct hit h;
        const char *err = NULL;

        memset(scratch, 0xAA, sizeof scratch);
        assert_int_equal(
            hit_parse_query(&h, qs[i], len, NULL, scratch, len, &err), 0);
        for (size_t k = len; k < sizeof scratch; k++) {
            assert_int_equal((unsigned char)scratch[k], 0xAA);
        }
    }
}

static void test_hit__scratch_too_small(void **state)
{
    char scratch[8];
    struct hit h;
    const char *err = NULL;
    (void)state;

    assert_int_equal(hit_parse_query(&h, "s=b&u=/", 7, NULL, scratch, 6, &err),
                     -1);
    assert_string_equal(err, "scratch too small");
    assert_int_equal(hit_parse_query(&h, "s=b&u=/", 7, NULL, scratch, 7, &err),
                     0);
    /* err may be NULL. */
    assert_int_equal(hit_parse_query(&h, "", 0, NULL, scratch, 0, NULL), -1);
}

/* Nothing past len is part of the query. */
static void test_hit__stops_at_len(void **state)
{
    const char q[] = "s=blog&u=/a/b&e=signup";
    struct hit h;
    const char *err;
    (void)state;

    assert_int_equal(parse(&h, q, 11, NULL, &err), 0);
    assert_string_equal(h.path, "/a");
    assert_string_equal(h.event, "pageview");
    assert_int_equal(parse(&h, q, 4, NULL, &err), -1);
    assert_string_equal(err, "missing u");
    assert_int_equal(parse(&h, q, 18, NULL, &err), 0);
    assert_string_equal(h.event, "si");
}

static void test_hit__validators(void **state)
{
    char s65[66];
    (void)state;

    memset(s65, 'a', 65);
    s65[65] = '\0';
    assert_int_equal(hit_valid_site("a", 1), 1);
    assert_int_equal(hit_valid_site("A-z_0.9", 7), 1);
    assert_int_equal(hit_valid_site(s65, 64), 1);
    assert_int_equal(hit_valid_site(s65, 65), 0);
    assert_int_equal(hit_valid_site("", 0), 0);
    assert_int_equal(hit_valid_site("a b", 3), 0);
    assert_int_equal(hit_valid_site("a:b", 3), 0);
    assert_int_equal(hit_valid_site("a\0b", 3), 0);
    assert_int_equal(hit_valid_site("{a}", 3), 0);

    assert_int_equal(hit_valid_event("Sign up: step-1.ok_x", 20), 1);
    assert_int_equal(hit_valid_event(s65, 64), 1);
    assert_int_equal(hit_valid_event(s65, 65), 0);
    assert_int_equal(hit_valid_event("", 0), 0);
    assert_int_equal(hit_valid_event("a/b", 3), 0);
    assert_int_equal(hit_valid_event("a\tb", 3), 0);
    assert_int_equal(hit_valid_event("a+b", 3), 0);
    assert_int_equal(hit_valid_event("\xc3\xa9", 2), 0);

    assert_int_equal(hit_valid_utm("Spring Sale/2024 \xc3\xa9", 19), 1);
    assert_int_equal(hit_valid_utm("\x7f", 1), 1);
    assert_int_equal(hit_valid_utm(s65, 64), 1);
    assert_int_equal(hit_valid_utm(s65, 65), 0);
    assert_int_equal(hit_valid_utm("", 0), 0);
    assert_int_equal(hit_valid_utm("a\x1f", 2), 0);
    assert_int_equal(hit_valid_utm("a\0", 2), 0);
    assert_int_equal(hit_valid_utm("\xc3", 1), 0);
    assert_int_equal(hit_valid_utm("\xed\xa0\x80", 3), 0);
}

/*
 * The fields of query q as a JSON event would carry them: the first
 * occurrence of each name, percent-decoded (into buf). Returns 0, or -1
 * when some value does not decode (such a query has no JSON twin).
 */
static int fields_of(const char *q, struct hit_fields *f, char *buf,
                     size_t cap)
{
    static const char *const names[] = {"s", "u", "r", "e", "utm_source",
                                        "utm_medium", "utm_campaign"};
    struct span *slot[] = {&f->s, &f->u, &f->r, &f->e,
                           &f->utm_source, &f->utm_medium, &f->utm_campaign};
    struct query_iter it;
    struct span name, value;
    size_t used = 0;

    memset(f, 0, sizeof *f);
    query_iter_init(&it, q, strlen(q));
    while (query_next(&it, &name, &value)) {
        char nbuf[32];
        ssize_t nn = percent_decode(nbuf, sizeof nbuf, name.p, name.len, 1);
        for (size_t i = 0; nn > 0 && i < 7; i++) {
            if (slot[i]->p == NULL &&
                span_eq(span_make(nbuf, (size_t)nn), names[i])) {
                ssize_t n = percent_decode(buf + used, cap - used, value.p,
                                           value.len, 1);
                if (n < 0) {
                    return -1;
                }
                /* an empty value is absent, as in a query */
                *slot[i] = n > 0 ? span_make(buf + used, (size_t)n)
                                 : span_make(NULL, 0);
                used += (size_t)n;
            }
        }
    }
    return 0;
}

/* Every table row has the same answer as JSON fields as it has as a
 * query, and fields are taken literally: "%41" stays "%41", "+" stays. */
static void test_hit__fields_agree_with_query(void **state)
{
    static char scratch[SCRATCH], buf[SCRATCH];
    struct hit hq, hf;
    struct hit_fields f;
    const char *eq, *ef;
    size_t compared = 0;
    (void)state;

    for (size_t i = 0; i < sizeof accept_cases / sizeof *accept_cases; i++) {
        const struct accept_case *c = &accept_cases[i];
        struct hit_context ctx = {c->page_host,
                                  c->page_host ? strlen(c->page_host) : 0};
        if (fields_of(c->q, &f, buf, sizeof buf) < 0) {
            continue;
        }
        assert_int_equal(parse(&hq, c->q, strlen(c->q), c->page_host, &eq), 0);
        if (hit_parse_fields(&hf, &f, c->page_host ? &ctx : NULL, scratch,
                             sizeof scratch, &ef) != 0) {
            fail_msg("accept case %zu \"%s\" rejected as fields: %s", i, c->q,
                     ef);
        }
        assert_memory_equal(&hq, &hf, sizeof hq);
        compared++;
    }
    for (size_t i = 0; i < sizeof reject_cases / sizeof *reject_cases; i++) {
        const struct reject_case *c = &reject_cases[i];
        if (fields_of(c->q, &f, buf, sizeof buf) < 0) {
            continue;
        }
        ef = NULL;
        if (hit_parse_fields(&hf, &f, NULL, scratch, sizeof scratch, &ef) !=
                -1 ||
            ef == NULL || strcmp(ef, c->err) != 0) {
            fail_msg("reject case %zu \"%s\" as fields: %s", i, c->q,
                     ef ? ef : "accepted");
        }
        compared++;
    }
    assert_true(compared > 100);

    memset(&f, 0, sizeof f);
    f.s = SPAN_LIT("b");
    f.u = SPAN_LIT("/a/x+y");
    f.e = SPAN_LIT("sign+up"); /* '+' is no space here, and no event char */
    assert_int_equal(hit_parse_fields(&hf, &f, NULL, scratch, sizeof scratch,
                                      &ef),
                     -1);
    assert_string_equal(ef, "bad e");
    f.e = SPAN_LIT("sign up");
    assert_int_equal(hit_parse_fields(&hf, &f, NULL, scratch, sizeof scratch,
                                      &ef),
                     0);
    assert_string_equal(hf.event, "sign up");
    assert_string_equal(hf.path, "/a/x+y");
    /* a field longer than the scratch is refused, not overrun */
    f.u = SPAN_LIT("/0123456789");
    assert_int_equal(hit_parse_fields(&hf, &f, NULL, scratch, 5, &ef), -1);
    assert_string_equal(ef, "bad u");
}

/* The area of a path: its first segment, "/" for the root. */
static void test_hit__area(void **state)
{
    static const struct {
        const char *path, *area;
    } cases[] = {
        {"/", "/"},          {"/blog", "blog"},   {"/blog/", "blog"},
        {"/blog/2024/x", "blog"}, {"//x", "/"},   {"/a.html", "a.html"},
        {"", "/"},           {"x/y", "/"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct span a = hit_area(cases[i].path, strlen(cases[i].path));
        if (a.len != strlen(cases[i].area) ||
            memcmp(a.p, cases[i].area, a.len) != 0) {
            fail_msg("area of \"%s\": \"%.*s\", want \"%s\"", cases[i].path,
                     (int)a.len, a.p, cases[i].area);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit__area),
        cmocka_unit_test(test_hit__accepts_table),
        cmocka_unit_test(test_hit__rejects_table),
        cmocka_unit_test(test_hit__site_of_64_and_65),
        cmocka_unit_test(test_hit__event_of_64_and_65),
        cmocka_unit_test(test_hit__utm_of_64_and_65),
        cmocka_unit_test(test_hit__long_path_is_cut),
        cmocka_unit_test(test_hit__scratch_of_len_suffices),
        cmocka_unit_test(test_hit__scratch_too_small),
        cmocka_unit_test(test_hit__stops_at_len),
        cmocka_unit_test(test_hit__validators),
        cmocka_unit_test(test_hit__fields_agree_with_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
