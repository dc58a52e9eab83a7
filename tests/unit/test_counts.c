/*
 * test_counts.c: aggregate table keys (encode/decode) and the entries one
 * hit adds to a table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregator/counts.h"
#include "aggregator/sketch.h"
#include "aggregator/table.h"

/* 2026-11-26 15:57 UTC */
#define MINUTE UINT32_C(29928477)

static void test_counts__encode_layout(void **state)
{
    char buf[TABLE_KEY_MAX];
    struct counts_key k = {"blog", 4, COUNTS_PAGE, UINT32_C(0x01020304),
                           "/a",   2};
    static const char want[] = "\x04"
                               "blog"
                               "\x02"
                               "\x01\x02\x03\x04"
                               "/a";
    (void)state;

    assert_int_equal(counts_key_encode(buf, sizeof buf, &k), sizeof want - 1);
    assert_memory_equal(buf, want, sizeof want - 1);

    /* No member: header only. */
    struct counts_key tot = {"s", 1, COUNTS_PAGEVIEWS, MINUTE, NULL, 0};
    assert_int_equal(counts_key_encode(buf, sizeof buf, &tot), 1 + 1 + 1 + 4);
    assert_memory_equal(buf, "\x01s\x00\x01\xc8\xac\x1d", 7);
}

static void check_round_trip(const struct counts_key *k)
{
    char buf[TABLE_KEY_MAX];
    struct counts_key out;
    int len = counts_key_encode(buf, sizeof buf, k);

    assert_int_equal(len, 1 + k->site_len + 1 + 4 + k->member_len);
    memset(&out, 0xa5, sizeof out);
    assert_int_equal(counts_key_decode(buf, (size_t)len, &out), 0);
    assert_int_equal(out.site_len, k->site_len);
    assert_memory_equal(out.site, k->site, k->site_len);
    assert_ptr_equal(out.site, buf + 1);
    assert_int_equal(out.dim, k->dim);
    assert_int_equal(out.minute, k->minute);
    assert_int_equal(out.member_len, k->member_len);
    assert_ptr_equal(out.member, buf + 1 + k->site_len + 5);
    if (k->member_len > 0) {
        assert_memory_equal(out.member, k->member, k->member_len);
    }
}

static void test_counts__round_trip(void **state)
{
    char site64[64];
    char member400[400];
    static const char binary[] = {'a', '\0', (char)0xff, '/'};
    (void)state;

    memset(site64, 'x', sizeof site64);
    for (size_t i = 0; i < sizeof member400; i++) {
        member400[i] = (char)('a' + i % 26);
    }
    for (int dim = 0; dim < COUNTS_DIM_COUNT; dim++) {
        struct counts_key k = {"blog.example", 12,        (enum counts_dim)dim,
                               MINUTE,         "/docs/x", 7};
        check_round_trip(&k);
        k.member = NULL;
        k.member_len = 0;
        check_round_trip(&k);
    }
    struct counts_key cases[] = {
        {"a", 1, COUNTS_PAGEVIEWS, 0, NULL, 0},
        {"a", 1, COUNTS_REF, UINT32_MAX, "other", 5},
        {site64, 64, COUNTS_PAGE, MINUTE, member400, 400},
        {"s", 1, COUNTS_EVENT, 0x80000000u, binary, sizeof binary},
        {"s", 1, COUNTS_UTM, 0x00ff00ffu, "//", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        check_round_trip(&cases[i]);
    }
}

static void test_counts__encode_rejects(void **state)
{
    char buf[TABLE_KEY_MAX + 16];
    char *member = calloc(TABLE_KEY_MAX + 1, 1);
    (void)state;

    assert_non_null(member);
    memset(member, 'm', TABLE_KEY_MAX);

    struct counts_key empty_site = {"", 0, COUNTS_PAGE, MINUTE, "/", 1};
    assert_int_equal(counts_key_encode(buf, sizeof buf, &empty_site), -1);

    /* Too small a destination. */
    struct counts_key k = {"blog", 4, COUNTS_PAGE, MINUTE, "/a", 2};
    assert_int_equal(counts_key_encode(buf, 11, &k), -1);
    assert_int_equal(counts_key_encode(buf, 12, &k), 12);

    /* Longer than a table key. */
    struct counts_key big = {"s",    1,      COUNTS_PAGE,
                             MINUTE, member, TABLE_KEY_MAX - 7};
    assert_int_equal(counts_key_encode(buf, sizeof buf, &big), TABLE_KEY_MAX);
    big.member_len++;
    assert_int_equal(counts_key_encode(buf, sizeof buf, &big), -1);
    free(member);
}

struct bad_key {
    const char *what;
    const char *bytes;
    size_t len;
};

static const struct bad_key bad_keys[] = {
    {"empty", "", 0},
    {"only site length", "\x04", 1},
    {"zero site length", "\x00\x00\x00\x00\x00\x00", 6},
    {"zero site length, member",
     "\x00"
     "\x02"
     "\x00\x00\x00\x01"
     "/a",
     8},
    {"site cut",
     "\x04"
     "bl",
     3},
    {"no dim",
     "\x04"
     "blog",
     5},
    {"minute cut",
     "\x04"
     "blog"
     "\x02"
     "\x00\x00\x00",
     9},
    {"dim = COUNT",
     "\x04"
     "blog"
     "\x0d"
     "\x00\x00\x00\x01",
     10},
    {"dim 0x7f",
     "\x04"
     "blog"
     "\x7f"
     "\x00\x00\x00\x01"
     "/",
     11},
    {"dim 0xff",
     "\x04"
     "blog"
     "\xff"
     "\x00\x00\x00\x01",
     10},
    {"site length past end",
     "\xff"
     "blog"
     "\x00"
     "\x00\x00\x00\x01",
     10},
};

static void test_counts__decode_rejects(void **state)
{
    struct counts_key out;
    (void)state;

    assert_int_equal(COUNTS_DIM_COUNT, 13);
    for (size_t i = 0; i < sizeof bad_keys / sizeof *bad_keys; i++) {
        const struct bad_key *b = &bad_keys[i];
        /* An own block of exactly len bytes: ASan sees any read past it. */
        char *copy = malloc(b->len ? b->len : 1);
        assert_non_null(copy);
        memcpy(copy, b->bytes, b->len);
        if (counts_key_decode(copy, b->len, &out) != -1) {
            fail_msg("decoded a bad key: %s", b->what);
        }
        free(copy);
    }
    /* The shortest valid key: one-byte site, no member. */
    assert_int_equal(counts_key_decode("\x01s\x05\x00\x00\x00\x00", 7, &out),
                     0);
    assert_int_equal(out.dim, COUNTS_EVENT);
    assert_int_equal(out.member_len, 0);
}

/* A hit as hit_parse_query would leave it. */
static void make_hit(struct hit *h, const char *site, const char *path,
                     const char *ref, const char *event, const char *src,
                     const char *med, const char *camp)
{
    memset(h, 0, sizeof(*h));
    h->site_len = strlen(site);
    memcpy(h->site, site, h->site_len);
    h->path_len = strlen(path);
    memcpy(h->path, path, h->path_len);
    h->ref_len = strlen(ref);
    memcpy(h->ref_host, ref, h->ref_len);
    h->event_len = strlen(event);
    memcpy(h->event, event, h->event_len);
    h->is_pageview = strcmp(event, "pageview") == 0;
    h->utm_source_len = strlen(src);
    memcpy(h->utm_source, src, h->utm_source_len);
    h->utm_medium_len = strlen(med);
    memcpy(h->utm_medium, med, h->utm_medium_len);
    h->utm_campaign_len = strlen(camp);
    memcpy(h->utm_campaign, camp, h->utm_campaign_len);
}

static const char *const dim_name[COUNTS_DIM_COUNT] = {
    [COUNTS_PAGEVIEWS] = "pageviews",
    [COUNTS_EVENTS] = "events",
    [COUNTS_PAGE] = "page",
    [COUNTS_REF] = "ref",
    [COUNTS_UTM] = "utm",
    [COUNTS_EVENT] = "event",
    [COUNTS_UV] = "uv",
    [COUNTS_MAIL_OPEN] = "open",
    [COUNTS_MAIL_OPENER] = "opener",
    [COUNTS_MAIL_CLICK] = "click",
    [COUNTS_MAIL_CLICKER] = "clicker",
    [COUNTS_MAIL_SEEN] = "seen",
    [COUNTS_UVA] = "uva",
};

/* What an entry holds: its count, or "~N" for a sketch with N registers
 * set (one a pseudonym, barring a shared register). */
static const char *value_of(const struct table_entry *e, char *buf,
                            size_t cap)
{
    if (e->kind == TABLE_COUNT) {
        snprintf(buf, cap, "%llu", (unsigned long long)e->count);
        return buf;
    }
    const struct sketch *k = e->sketch;
    unsigned n = k->n;
    if (k->slots == 0) {
        n = 0;
        for (size_t i = 0; i < HLL_REGISTERS; i++) {
            n += k->u.reg[i] != 0;
        }
    }
    snprintf(buf, cap, "~%u", n);
    return buf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every entry of t as "site dim minute member=count", sorted, joined by
 * '\n'. Fails the test on a key that does not decode.
 */
static char *dump(const struct table *t)
{
    size_t n = table_count(t);
    const struct table_entry **e = malloc((n ? n : 1) * sizeof(*e));
    char **lines = malloc((n ? n : 1) * sizeof(*lines));
    char *out = malloc(n * 600 + 1);

    assert_non_null(e);
    assert_non_null(lines);
    assert_non_null(out);
    table_entries(t, e);
    for (size_t i = 0; i < n; i++) {
        struct counts_key k;
        assert_int_equal(counts_key_decode(e[i]->key, e[i]->key_len, &k), 0);
        lines[i] = malloc(600);
        assert_non_null(lines[i]);
        char v[24];
        snprintf(lines[i], 600, "%.*s %s %u %.*s=%s", (int)k.site_len, k.site,
                 dim_name[k.dim], (unsigned)k.minute, (int)k.member_len,
                 k.member, value_of(e[i], v, sizeof v));
    }
    qsort(lines, n, sizeof(*lines), cmp_str);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        strcat(out, lines[i]);
        strcat(out, "\n");
        free(lines[i]);
    }
    free(lines);
    free(e);
    return out;
}

static void assert_dump(const struct table *t, const char *want)
{
    char *got = dump(t);
    assert_string_equal(got, want);
    free(got);
}

static void test_counts__pageview_keys(void **state)
{
    struct table *t = table_create();
    struct hit h;
    struct ua_class ua = {UA_DEVICE_MOBILE, UA_BROWSER_FIREFOX};
    (void)state;

    assert_non_null(t);
    make_hit(&h, "blog", "/docs/a", "news.example", "pageview", "news", "email",
             "");
    assert_int_equal(counts_add_hit(t, &h, ua, NULL, MINUTE), 4);
    assert_int_equal(table_count(t), 4);
    assert_dump(t, "blog page 29928477 /docs/a=1\n"
                   "blog pageviews 29928477 mobile/firefox=1\n"
                   "blog ref 29928477 news.example=1\n"
                   "blog utm 29928477 news/email/=1\n");
    table_destroy(t);
}

static void test_counts__pageview_without_ref_or_utm(void **state)
{
    struct table *t = table_create();
    struct hit h;
    struct ua_class ua = {UA_DEVICE_DESKTOP, UA_BROWSER_CHROME};
    (void)state;

    assert_non_null(t);
    make_hit(&h, "shop", "/", "", "pageview", "", "", "");
    assert_int_equal(counts_add_hit(t, &h, ua, NULL, MINUTE), 2);
    assert_dump(t, "shop page 29928477 /=1\n"
                   "shop pageviews 29928477 desktop/chrome=1\n");

    /* Only a campaign: the missing parts are empty. */
    table_reset(t);
    make_hit(&h, "shop", "/", "", "pageview", "", "", "spring");
    assert_int_equal(counts_add_hit(t, &h, ua, NULL, MINUTE), 3);
    assert_dump(t, "shop page 29928477 /=1\n"
                   "shop pageviews 29928477 desktop/chrome=1\n"
                   "shop utm 29928477 //spring=1\n");
    table_destroy(t);
}

/* The longest utm parts fit ("source/medium/campaign", 3 x 64 + 2). */
static void test_counts__longest_utm(void **state)
{
    struct table *t = table_create();
    struct hit h;
    struct ua_class ua = {UA_DEVICE_OTHER, UA_BROWSER_OTHER};
    char s[HIT_UTM_MAX + 1], m[HIT_UTM_MAX + 1], c[HIT_UTM_MAX + 1];
    char want[3 * HIT_UTM_MAX + 3];
    char key[TABLE_KEY_MAX];
    (void)state;

    assert_non_null(t);
    memset(s, 's', HIT_UTM_MAX);
    memset(m, 'm', HIT_UTM_MAX);
    memset(c, 'c', HIT_UTM_MAX);
    s[HIT_UTM_MAX] = m[HIT_UTM_MAX] = c[HIT_UTM_MAX] = '\0';
    make_hit(&h, "x", "/p", "", "pageview", s, m, c);
    assert_int_equal(counts_add_hit(t, &h, ua, NULL, MINUTE), 3);
    snprintf(want, sizeof want, "%s/%s/%s", s, m, c);
    struct counts_key k = {"x", 1, COUNTS_UTM, MINUTE, want, strlen(want)};
    int len = counts_key_encode(key, sizeof key, &k);
    assert_int_equal(len, 1 + 1 + 5 + 3 * HIT_UTM_MAX + 2);
    const struct table_entry *e = table_find(t, key, (size_t)len);
    assert_non_null(e);
    assert_int_equal(e->count, 1);
    table_destroy(t);
}

static void test_counts__event_keys(void **state)
{
    struct table *t = table_create();
    struct hit h;
    struct ua_class ua = {UA_DEVICE_TABLET, UA_BROWSER_SAFARI};
    (void)state;

    assert_non_null(t);
    /* Path, referrer and utm of an event are not counted. */
    make_hit(&h, "blog", "/docs/a", "news.example", "signup", "news", "email",
             "x");
    assert_int_equal(counts_add_hit(t, &h, ua, NULL, MINUTE), 2);
    assert_int_equal(table_count(t), 2);
    assert_dump(t, "blog event 29928477 signup=1\n"
                   "blog events 29928477 tablet/safari=1\n");
    table_destroy(t);
}

static void test_counts__repeat_increments(void **state)
{
    struct table *t = table_create();
    struct hit pv, ev;
    struct ua_class ua = {UA_DEVICE_MOBILE, UA_BROWSER_FIREFOX};
    (void)state;

    assert_non_null(t);
    make_hit(&pv, "blog", "/a", "news.example", "pageview", "n", "", "");
    make_hit(&ev, "blog", "/a", "", "play", "", "", "");
    assert_int_equal(counts_add_hit(t, &pv, ua, NULL, MINUTE), 4);
    assert_int_equal(counts_add_hit(t, &pv, ua, NULL, MINUTE), 0);
    assert_int_equal(counts_add_hit(t, &pv, ua, NULL, MINUTE), 0);
    assert_int_equal(counts_add_hit(t, &ev, ua, NULL, MINUTE), 2);
    assert_int_equal(counts_add_hit(t, &ev, ua, NULL, MINUTE), 0);
    assert_int_equal(table_count(t), 6);
    assert_dump(t, "blog event 29928477 play=2\n"
                   "blog events 29928477 mobile/firefox=2\n"
                   "blog page 29928477 /a=3\n"
                   "blog pageviews 29928477 mobile/firefox=3\n"
                   "blog ref 29928477 news.example=3\n"
                   "blog utm 29928477 n//=3\n");

    /* The next minute and another site are other keys. */
    assert_int_equal(counts_add_hit(t, &pv, ua, NULL, MINUTE + 1), 4);
    make_hit(&pv, "shop", "/a", "", "pageview", "", "", "");
    assert_int_equal(counts_add_hit(t, &pv, ua, NULL, MINUTE), 2);
    assert_int_equal(table_count(t), 12);
    table_destroy(t);
}

/* A visitor goes into sketches: the hour's uv (pageviews and events) and,
 * for a pageview, its area's uva of the day. Each is one entry however
 * many visitors it holds. */
static void test_counts__visitor_sketches(void **state)
{
    struct table *t = table_create();
    struct hit h;
    struct ua_class ua = {UA_DEVICE_DESKTOP, UA_BROWSER_CHROME};
    unsigned char v[COUNTS_VISITOR_BYTES];
    (void)state;

    assert_non_null(t);
    memset(v, 0xab, sizeof v);
    make_hit(&h, "s", "/blog/2024/x", "", "pageview", "", "", "");
    assert_int_equal(counts_add_hit(t, &h, ua, v, MINUTE),
                     COUNTS_MAX_KEYS_PER_HIT - 2); /* no ref, no utm */
    v[0] = 1; /* another visitor, a minute later: no new entry */
    assert_int_equal(counts_add_hit(t, &h, ua, v, MINUTE + 1), 2);
    make_hit(&h, "s", "/", "", "pageview", "", "", "");
    assert_int_equal(counts_add_hit(t, &h, ua, v, MINUTE + 1), 2);
    /* 15:57 and 15:58 share the hour 15:00 (29928420) and the day
     * (29927520); the root's area is "/" */
    assert_dump(t, "s page 29928477 /blog/2024/x=1\n"
                   "s page 29928478 /=1\n"
                   "s page 29928478 /blog/2024/x=1\n"
                   "s pageviews 29928477 desktop/chrome=1\n"
                   "s pageviews 29928478 desktop/chrome=2\n"
                   "s uv 29928420 =~2\n"
                   "s uva 29927520 /=~1\n"
                   "s uva 29927520 blog=~2\n");

    table_reset(t);
    make_hit(&h, "s", "/blog/2024/x", "", "signup", "", "", "");
    assert_int_equal(counts_add_hit(t, &h, ua, v, MINUTE), 3);
    assert_dump(t, "s event 29928477 signup=1\n"
                   "s events 29928477 desktop/chrome=1\n"
                   "s uv 29928420 =~1\n");
    table_destroy(t);
}

/* 2026-11-26 15:57:42 UTC: minute MINUTE, second 42 */
#define NOW ((int64_t)MINUTE * 60 + 42)

/* The campaign, head and tail of every e-mail entry, checked by
 * counts_mail_member, as "dim campaign head|tail=count" lines. */
static void assert_mail(const struct table *t, const char *want)
{
    size_t n = table_count(t);
    const struct table_entry **e = malloc((n ? n : 1) * sizeof(*e));
    char **lines = malloc((n ? n : 1) * sizeof(*lines));
    char out[4096] = "";

    assert_non_null(e);
    assert_non_null(lines);
    table_entries(t, e);
    for (size_t i = 0; i < n; i++) {
        struct counts_key k;
        const char *c, *rest;
        size_t clen, rlen;
        char tail[80];
        assert_int_equal(counts_key_decode(e[i]->key, e[i]->key_len, &k), 0);
        assert_int_equal(counts_mail_member(&k, &c, &clen, &rest, &rlen), 0);
        assert_memory_equal(k.site, "news", 4);
        assert_int_equal(k.site_len, 4);
        if (k.dim == COUNTS_MAIL_SEEN) {
            snprintf(tail, sizeof tail, "%d", rest[0]);
        } else {
            snprintf(tail, sizeof tail, "%.*s", (int)rlen, rest);
        }
        char v[24];
        lines[i] = malloc(200);
        assert_non_null(lines[i]);
        snprintf(lines[i], 200, "%s %u %.*s %s=%s", dim_name[k.dim],
                 (unsigned)k.minute, (int)clen, c, tail,
                 value_of(e[i], v, sizeof v));
    }
    qsort(lines, n, sizeof(*lines), cmp_str);
    for (size_t i = 0; i < n; i++) {
        strcat(out, lines[i]);
        strcat(out, "\n");
        free(lines[i]);
    }
    free(lines);
    free(e);
    assert_string_equal(out, want);
}

static void test_counts__opens(void **state)
{
    struct table *t = table_create();
    unsigned char r1[COUNTS_RECIPIENT_BYTES] = {1};
    unsigned char r2[COUNTS_RECIPIENT_BYTES] = {2};
    struct counts_mail m1 = {"newsXX", 4, "spring-24XX", 9, r1};
    struct counts_mail m2 = {"news", 4, "spring-24", 9, r2};
    (void)state;

    assert_non_null(t);
    assert_int_equal(counts_add_open(t, &m1, COUNTS_OPEN_HUMAN, NOW), 3);
    assert_int_equal(counts_add_open(t, &m1, COUNTS_OPEN_HUMAN, NOW), 0);
    /* the campaign's sketch of openers exists already */
    assert_int_equal(counts_add_open(t, &m2, COUNTS_OPEN_PROXY, NOW), 1);
    /* machine and scanner opens name no opener */
    assert_int_equal(counts_add_open(t, &m2, COUNTS_OPEN_MACHINE, NOW), 1);
    assert_int_equal(counts_add_open(t, &m2, COUNTS_OPEN_SCANNER, NOW + 1), 2);
    assert_int_equal(counts_add_open(t, &m2, COUNTS_OPEN_CLASS_COUNT, NOW), -1);
    assert_mail(t, "open 29928477 spring-24 h=2\n"
                   "open 29928477 spring-24 m=1\n"
                   "open 29928477 spring-24 p=1\n"
                   "open 29928477 spring-24 s=1\n"
                   "opener 29927520 spring-24 =~2\n"
                   "seen 29928477 spring-24 42=4\n"
                   "seen 29928477 spring-24 43=1\n");
    table_destroy(t);
}

static void test_counts__clicks(void **state)
{
    struct table *t = table_create();
    unsigned char r1[COUNTS_RECIPIENT_BYTES] = {7};
    struct counts_mail known = {"news", 4, "c1", 2, r1};
    struct counts_mail anon = {"news", 4, "c1", 2, NULL};
    char link64[65];
    (void)state;

    memset(link64, 'L', 64);
    link64[64] = '\0';
    assert_non_null(t);
    assert_int_equal(counts_add_click(t, &known, "hero", 4, NOW), 3);
    assert_int_equal(counts_add_click(t, &anon, "hero", 4, NOW), 0);
    assert_int_equal(counts_add_click(t, &anon, "foot", 4, NOW + 60), 2);
    assert_int_equal(counts_add_click(t, &anon, link64, 64, NOW), 1);
    assert_int_equal(counts_add_click(t, &anon, "", 0, NOW), -1);
    assert_int_equal(counts_add_click(t, &anon, link64, 65, NOW), -1);
    assert_mail(t, "click 29928477 c1 "
                   "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
                   "=1\n"
                   "click 29928477 c1 hero=2\n"
                   "click 29928478 c1 foot=1\n"
                   "clicker 29927520 c1 =~1\n"
                   "seen 29928477 c1 42=3\n"
                   "seen 29928478 c1 42=1\n");
    table_destroy(t);
}

/* Malformed e-mail members are refused, not misread. */
static void test_counts__mail_member_rejects(void **state)
{
    const char *c, *r;
    size_t cl, rl;
    struct counts_key k = {"s", 1, COUNTS_MAIL_CLICK, MINUTE, "\x05" "abc", 4};
    (void)state;

    assert_int_equal(counts_mail_member(&k, &c, &cl, &r, &rl), -1);
    k.member = "\x03" "abc"; /* no link */
    assert_int_equal(counts_mail_member(&k, &c, &cl, &r, &rl), -1);
    k.member = "\x00" "abc";
    assert_int_equal(counts_mail_member(&k, &c, &cl, &r, &rl), -1);
    k.dim = COUNTS_MAIL_OPENER; /* no campaign */
    k.member_len = 0;
    assert_int_equal(counts_mail_member(&k, &c, &cl, &r, &rl), -1);
    k.member = "a";
    k.member_len = 1;
    assert_int_equal(counts_mail_member(&k, &c, &cl, &r, &rl), 0);
    char long_campaign[65];
    memset(long_campaign, 'c', sizeof long_campaign);
    k.member = long_campaign;
    k.member_len = sizeof long_campaign;
    assert_int_equal(counts_mail_member(&k, &c, &cl, &r, &rl), -1);
    k.dim = COUNTS_MAIL_OPEN;
    k.member = "h";
    k.member_len = 1;
    assert_int_equal(counts_mail_member(&k, &c, &cl, &r, &rl), -1);
    k.dim = COUNTS_PAGE;
    k.member = "h/a";
    k.member_len = 3;
    assert_int_equal(counts_mail_member(&k, &c, &cl, &r, &rl), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts__encode_layout),
        cmocka_unit_test(test_counts__round_trip),
        cmocka_unit_test(test_counts__encode_rejects),
        cmocka_unit_test(test_counts__decode_rejects),
        cmocka_unit_test(test_counts__pageview_keys),
        cmocka_unit_test(test_counts__pageview_without_ref_or_utm),
        cmocka_unit_test(test_counts__longest_utm),
        cmocka_unit_test(test_counts__event_keys),
        cmocka_unit_test(test_counts__repeat_increments),
        cmocka_unit_test(test_counts__visitor_sketches),
        cmocka_unit_test(test_counts__opens),
        cmocka_unit_test(test_counts__clicks),
        cmocka_unit_test(test_counts__mail_member_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
