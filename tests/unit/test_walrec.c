/*
 * test_walrec.c: write-ahead log records and blocks (proto/walrec.c).
 * Round trips of hits, opens and clicks; the record and block layouts of
 * walrec.h byte for byte; the limits of walrec_put_* and of the lengths
 * walrec_get and walrec_block_head take; walrec_get on every prefix, every
 * flipped bit, and on records wrong in one field only; a block's CRC
 * against every flipped bit of its records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "proto/walrec.h"

#define T0 1700000000u
/* header 2, kind 1, time 8, site 1+64, flags device browser 3, visitor
 * 16, path 2+256, ref 1+253, utm 3 * (1+64), event 1+64 */
#define MAX_HIT_FRAME 867

static const unsigned char id[WALREC_ID_BYTES] = {
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};

/* n printable bytes that differ from field to field (seed), NUL after. */
static size_t pattern(char *dst, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = (char)('!' + (i * 7 + seed) % 94);
    }
    dst[n] = '\0';
    return n;
}

static void put_le(unsigned char *b, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        b[i] = (unsigned char)(v >> (8 * i));
    }
}

/* Writes the length before the payload at f + WALREC_HEADER: a record
 * has no CRC of its own, its block has. */
static size_t frame(unsigned char *f, size_t len)
{
    put_le(f, len, WALREC_HEADER);
    return WALREC_HEADER + len;
}

/* walrec_get and walrec_block_head on a heap copy of exactly n bytes, so
 * that ASan sees a read past them. */
static enum walrec_status get_exact(const void *p, size_t n, size_t *used,
                                    struct walrec *r)
{
    char *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, p, n);
    enum walrec_status st = walrec_get(c, n, used, r);
    free(c);
    return st;
}

static enum walrec_status head_exact(const void *p, size_t n, size_t *rlen)
{
    char *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, p, n);
    enum walrec_status st = walrec_block_head(c, n, rlen);
    free(c);
    return st;
}

static void assert_hit_equal(const struct hit *a, const struct hit *b)
{
#define SAME(field, len)                             \
    do {                                             \
        assert_int_equal(a->len, b->len);            \
        assert_string_equal(a->field, b->field);     \
    } while (0)
    SAME(site, site_len);
    SAME(path, path_len);
    SAME(ref_host, ref_len);
    SAME(utm_source, utm_source_len);
    SAME(utm_medium, utm_medium_len);
    SAME(utm_campaign, utm_campaign_len);
    SAME(event, event_len);
#undef SAME
    assert_int_equal(!!a->is_pageview, !!b->is_pageview);
}

/* Every field at its limit. */
static void max_hit(struct hit *h)
{
    memset(h, 0, sizeof *h);
    h->site_len = pattern(h->site, HIT_SITE_MAX, 1);
    h->path_len = pattern(h->path, URL_PATH_MAX, 2);
    h->ref_len = pattern(h->ref_host, URL_HOST_MAX, 3);
    h->utm_source_len = pattern(h->utm_source, HIT_UTM_MAX, 4);
    h->utm_medium_len = pattern(h->utm_medium, HIT_UTM_MAX, 5);
    h->utm_campaign_len = pattern(h->utm_campaign, HIT_UTM_MAX, 6);
    h->event_len = pattern(h->event, HIT_EVENT_MAX, 7);
    h->is_pageview = 1;
}

/* An event: no referrer, no campaign. */
static void small_hit(struct hit *h)
{
    memset(h, 0, sizeof *h);
    h->site_len = pattern(h->site, 5, 11);
    h->path_len = pattern(h->path, 9, 12);
    h->event_len = pattern(h->event, 6, 13);
}

static void test_walrec__hit_round_trip(void **state)
{
    static char buf[WALREC_MAX + 1];
    struct hit h[2];
    struct walrec r;
    size_t used;
    (void)state;

    max_hit(&h[0]);
    small_hit(&h[1]);
    for (int i = 0; i < 2; i++) {
        uint8_t dev = i ? UA_DEVICE_COUNT - 1 : 0;
        uint8_t br = i ? 0 : UA_BROWSER_COUNT - 1;
        uint64_t t = i ? T0 : UINT64_MAX;
        memset(buf, 'X', sizeof buf);
        size_t n = walrec_put_hit(buf, WALREC_MAX, t, &h[i], dev, br,
                                  i ? NULL : id);
        /* the small one: 2 + 1 + 8 + 6 + 3 + path 11 + 4 empty + event 7 */
        assert_int_equal(n, i ? 42 : MAX_HIT_FRAME);
        assert_int_equal(buf[n], 'X'); /* nothing written past the frame */
        memset(&r, 0x55, sizeof r);    /* nothing left over */
        used = 0;
        assert_int_equal(walrec_get(buf, n, &used, &r), WALREC_OK);
        assert_int_equal(used, n);
        assert_int_equal(r.kind, WALREC_HIT);
        assert_true(r.time == t);
        assert_int_equal(r.device, dev);
        assert_int_equal(r.browser, br);
        if (i == 0) {
            assert_non_null(r.visitor);
            assert_memory_equal(r.visitor, id, WALREC_ID_BYTES);
        } else {
            assert_null(r.visitor);
        }
        assert_hit_equal(&r.hit, &h[i]);
    }
}

/* Opens of each class and clicks, with and without a recipient. */
static void test_walrec__mail_round_trip(void **state)
{
    char buf[WALREC_MAX], s[WALREC_MAIL_MAX + 1], c[WALREC_MAIL_MAX + 1],
        l[WALREC_MAIL_MAX + 1];
    struct walrec r;
    size_t used;
    (void)state;

    pattern(s, HIT_SITE_MAX, 21);
    pattern(c, WALREC_MAIL_MAX, 22);
    pattern(l, WALREC_MAIL_MAX, 23);
    for (int i = 0; i < 2 * WALREC_OPEN_CLASSES + 2; i++) {
        int click = i >= 2 * WALREC_OPEN_CLASSES;
        enum walrec_kind kind = click ? WALREC_CLICK : WALREC_OPEN;
        struct walrec_mail m = {
            .site = span_make(s, (size_t)(1 + i * 7)),
            .campaign = span_make(c, i % 3 ? 1 : WALREC_MAIL_MAX),
            .link = span_make(l, click ? (size_t)(i % 2 ? 64 : 1) : 0),
            .recipient = i % 2 ? id : NULL,
            .open_class = (uint8_t)(click ? 0 : i / 2),
        };
        size_t n = walrec_put_mail(buf, sizeof buf, kind, T0 + (unsigned)i, &m);
        assert_true(n > WALREC_HEADER);
        memset(&r, 0x55, sizeof r);
        assert_int_equal(walrec_get(buf, n, &used, &r), WALREC_OK);
        assert_int_equal(used, n);
        assert_int_equal(r.kind, kind);
        assert_int_equal(r.time, T0 + (unsigned)i);
        assert_int_equal(r.mail.open_class, m.open_class);
        assert_int_equal(r.mail.site.len, m.site.len);
        assert_memory_equal(r.mail.site.p, s, m.site.len);
        assert_int_equal(r.mail.campaign.len, m.campaign.len);
        assert_memory_equal(r.mail.campaign.p, c, m.campaign.len);
        assert_int_equal(r.mail.link.len, m.link.len);
        if (click) {
            assert_memory_equal(r.mail.link.p, l, m.link.len);
        }
        if (m.recipient != NULL) {
            assert_non_null(r.mail.recipient);
            assert_memory_equal(r.mail.recipient, id, WALREC_ID_BYTES);
        } else {
            assert_null(r.mail.recipient);
        }
    }
}

/* The payloads of walrec.h's layout, written out by hand. */
static const unsigned char layout_hit[] = {
    0x01,                                           /* kind */
    0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* time */
    0x02, 'a', 'b',                                 /* site */
    0x03, 0x01, 0x02, /* flags pageview|visitor, device, browser */
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, /* visitor */
    0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
    0x02, 0x00, '/', 'x',       /* path: two length bytes */
    0x04, 'r', '.', 'i', 'o',   /* ref */
    0x01, 's', 0x00, 0x01, 'c', /* utm source, medium (empty), campaign */
    0x02, 'p', 'v',             /* event */
};
static const unsigned char layout_open[] = {
    0x02, 0x39, 0x30, 0, 0, 0, 0, 0, 0, /* kind, time 12345 */
    0x01, 'x', 0x03, 0x00,              /* site, class 3, no recipient */
    0x02, 'c', '7',                     /* campaign */
};
static const unsigned char layout_click[] = {
    0x03, 0x39, 0x30, 0, 0, 0, 0, 0, 0, 0x01, 'x', /* kind, time, site */
    0x01,                                          /* flags: recipient */
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
    0x01, 'k', 0x02, 'l', '2', /* campaign, link */
};

static void same_frame(const char *got, size_t n, const unsigned char *payload,
                       size_t len)
{
    unsigned char want[WALREC_MAX];
    memcpy(want + WALREC_HEADER, payload, len);
    assert_int_equal(n, frame(want, len));
    assert_memory_equal(got, want, n);
}

static void test_walrec__layout(void **state)
{
    char buf[WALREC_MAX];
    struct hit h = {.site = "ab", .site_len = 2, .path = "/x", .path_len = 2,
                    .ref_host = "r.io", .ref_len = 4, .event = "pv",
                    .event_len = 2, .is_pageview = 1, .utm_source = "s",
                    .utm_campaign = "c", .utm_source_len = 1,
                    .utm_campaign_len = 1};
    (void)state;

    size_t n = walrec_put_hit(buf, sizeof buf, 0x0102030405060708u, &h, 1, 2,
                              id);
    same_frame(buf, n, layout_hit, sizeof layout_hit);
    assert_memory_equal(buf, "\x30\0", 2); /* 48, little-endian */

    struct walrec_mail m = {.site = SPAN_LIT("x"), .campaign = SPAN_LIT("c7"),
                            .open_class = 3};
    n = walrec_put_mail(buf, sizeof buf, WALREC_OPEN, 12345, &m);
    same_frame(buf, n, layout_open, sizeof layout_open);
    m = (struct walrec_mail){.site = SPAN_LIT("x"), .campaign = SPAN_LIT("k"),
                             .link = SPAN_LIT("l2"), .recipient = id};
    n = walrec_put_mail(buf, sizeof buf, WALREC_CLICK, 12345, &m);
    same_frame(buf, n, layout_click, sizeof layout_click);
}

/* put: 0 when the record does not fit in cap, or a field breaks a limit.
 * The short buffers are heap blocks of exactly cap bytes, for ASan. */
static void test_walrec__put_limits(void **state)
{
    struct hit h;
    char ok[WALREC_MAX], *exact;
    (void)state;

    max_hit(&h);
    size_t n = walrec_put_hit(ok, sizeof ok, T0, &h, 0, 0, id);
    assert_int_equal(n, MAX_HIT_FRAME);
    assert_non_null(exact = malloc(n - 1));
    assert_int_equal(walrec_put_hit(exact, n - 1, T0, &h, 0, 0, id), 0);
    free(exact);
    assert_int_equal(walrec_put_hit(ok, 0, T0, &h, 0, 0, id), 0);
    /* a class the reader would refuse is not written */
    assert_int_equal(walrec_put_hit(ok, sizeof ok, T0, &h, UA_DEVICE_COUNT,
                                    0, id),
                     0);
    assert_int_equal(walrec_put_hit(ok, sizeof ok, T0, &h, 0,
                                    UA_BROWSER_COUNT, id),
                     0);

    size_t *const len[] = {&h.site_len, &h.site_len, &h.path_len,
                           &h.path_len, &h.ref_len, &h.utm_source_len,
                           &h.utm_medium_len, &h.utm_campaign_len,
                           &h.event_len, &h.event_len};
    const size_t bad[] = {HIT_SITE_MAX + 1, 0, URL_PATH_MAX + 1, 0,
                          URL_HOST_MAX + 1, HIT_UTM_MAX + 1, HIT_UTM_MAX + 1,
                          HIT_UTM_MAX + 1, HIT_EVENT_MAX + 1, 0};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        max_hit(&h);
        *len[i] = bad[i];
        assert_int_equal(walrec_put_hit(ok, sizeof ok, T0, &h, 0, 0, NULL), 0);
    }

    char s[WALREC_MAIL_MAX + 2];
    pattern(s, WALREC_MAIL_MAX + 1, 0);
#define M(site, camp, link, cls) \
    {span_make(s, site), span_make(s, camp), span_make(s, link), id, cls}
    const struct walrec_mail good = M(3, 64, 64, 3);
    n = walrec_put_mail(ok, sizeof ok, WALREC_CLICK, T0, &good);
    assert_true(n > 0);
    assert_non_null(exact = malloc(n - 1));
    assert_int_equal(walrec_put_mail(exact, n - 1, WALREC_CLICK, T0, &good),
                     0);
    free(exact);
    assert_true(walrec_put_mail(ok, sizeof ok, WALREC_OPEN, T0, &good) > 0);
    const struct {
        enum walrec_kind kind;
        struct walrec_mail m;
    } reject[] = {
        {WALREC_OPEN, M(65, 1, 1, 0)},  {WALREC_OPEN, M(0, 1, 1, 0)},
        {WALREC_OPEN, M(1, 0, 1, 0)},   {WALREC_CLICK, M(1, 65, 1, 0)},
        {WALREC_CLICK, M(1, 1, 65, 0)}, {WALREC_CLICK, M(1, 1, 0, 0)},
        {WALREC_OPEN, M(1, 1, 1, 4)},   {WALREC_HIT, M(1, 1, 1, 0)},
        {(enum walrec_kind)4, M(1, 1, 1, 0)},
    };
#undef M
    for (size_t i = 0; i < sizeof reject / sizeof *reject; i++) {
        assert_int_equal(walrec_put_mail(ok, sizeof ok, reject[i].kind, T0,
                                         &reject[i].m),
                         0);
    }
}

/*
 * Records described by their fields' lengths, encoded from walrec.h alone
 * with a length that matches, so that only the fields decide. The
 * must-accept table shows the encoding is right; each must-reject case is
 * one field away from an accepted one.
 */
struct spec {
    const char *what;
    unsigned kind, flags, device, browser, open_class;
    size_t site, path, ref, src, med, camp, event; /* hits */
    size_t campaign, link;                         /* opens, clicks */
    int extra; /* payload bytes added (> 0) or cut (< 0) at its end */
};

#define HITK(what, kind, fl, dev, br, site, path, ref, utm, ev, extra) \
    {what, kind, fl, dev, br, 0, site, path, ref, utm, utm, utm, ev, 0, 0, extra}
#define HIT(what, ...) HITK(what, WALREC_HIT, __VA_ARGS__)
#define MAIL(what, kind, fl, cls, site, campaign, link, extra) \
    {what, kind, fl, 0, 0, cls, site, 0, 0, 0, 0, 0, 0, campaign, link, extra}

/* what, flags, device, browser, site, path, ref, utm (all three), event,
 * extra; mail: what, kind, flags, class, site, campaign, link, extra */
static const struct spec must_accept[] = {
    HIT("smallest hit", 0, 0, 0, 1, 1, 0, 0, 1, 0),
    HIT("largest hit", 3, 3, 8, 64, 256, 253, 64, 64, 0),
    HIT("path of 255", 2, 1, 4, 9, 255, 7, 1, 8, 0),
    MAIL("smallest open", WALREC_OPEN, 0, 0, 1, 1, 0, 0),
    MAIL("largest open", WALREC_OPEN, 1, 3, 64, 64, 0, 0),
    MAIL("smallest click", WALREC_CLICK, 0, 0, 1, 1, 1, 0),
    MAIL("largest click", WALREC_CLICK, 1, 0, 64, 64, 64, 0),
};

static const struct spec must_reject[] = {
    HIT("trailing byte", 0, 0, 0, 1, 1, 0, 0, 1, 1),
    HIT("cut in the event", 0, 0, 0, 1, 1, 0, 0, 2, -1),
    HITK("kind 0", 0, 0, 0, 0, 1, 1, 0, 0, 1, 0),
    HITK("kind 4", 4, 0, 0, 0, 1, 1, 0, 0, 1, 0),
    HITK("kind 255", 255, 0, 0, 0, 1, 1, 0, 0, 1, 0),
    HIT("device", 0, UA_DEVICE_COUNT, 0, 1, 1, 0, 0, 1, 0),
    HIT("browser", 0, 0, UA_BROWSER_COUNT, 1, 1, 0, 0, 1, 0),
    HIT("hit flag 4", 4, 0, 0, 1, 1, 0, 0, 1, 0),
    HIT("hit flag 0x80", 0x81, 0, 0, 1, 1, 0, 0, 1, 0),
    HIT("site 0", 0, 0, 0, 0, 1, 0, 0, 1, 0),
    HIT("site 65", 0, 0, 0, 65, 1, 0, 0, 1, 0),
    HIT("path 0", 0, 0, 0, 1, 0, 0, 0, 1, 0),
    HIT("path 257", 0, 0, 0, 1, 257, 0, 0, 1, 0),
    HIT("ref 254", 0, 0, 0, 1, 1, 254, 0, 1, 0),
    HIT("utm 65", 0, 0, 0, 1, 1, 0, 65, 1, 0),
    HIT("event 0", 0, 0, 0, 1, 1, 0, 0, 0, 0),
    HIT("event 65", 0, 0, 0, 1, 1, 0, 0, 65, 0),
    MAIL("open class 4", WALREC_OPEN, 0, 4, 1, 1, 0, 0),
    MAIL("open class 255", WALREC_OPEN, 0, 255, 1, 1, 0, 0),
    MAIL("open flag 2", WALREC_OPEN, 2, 0, 1, 1, 0, 0),
    MAIL("click flag 3", WALREC_CLICK, 3, 0, 1, 1, 1, 0),
    MAIL("open site 0", WALREC_OPEN, 0, 0, 0, 1, 0, 0),
    MAIL("open campaign 0", WALREC_OPEN, 0, 0, 1, 0, 0, 0),
    MAIL("open campaign 65", WALREC_OPEN, 0, 0, 1, 65, 0, 0),
    MAIL("click link 0", WALREC_CLICK, 0, 0, 1, 1, 0, 0),
    MAIL("click link 65", WALREC_CLICK, 0, 0, 1, 1, 65, 0),
    MAIL("open trailing byte", WALREC_OPEN, 1, 0, 1, 1, 0, 1),
    MAIL("click cut in the link", WALREC_CLICK, 1, 0, 1, 1, 2, -1),
};

static void add(unsigned char **p, uint64_t v, int n, size_t fill, char c)
{
    put_le(*p, v, n);
    memset(*p + n, c, fill);
    *p += (size_t)n + fill;
}
#define FIELD(p, len, len_bytes, c) add(p, len, len_bytes, len, c)

static size_t build(const struct spec *s, unsigned char *f)
{
    unsigned char *p = f + WALREC_HEADER;
    int mail = s->kind == WALREC_OPEN || s->kind == WALREC_CLICK;
    add(&p, s->kind, 1, 0, 0);
    add(&p, T0, 8, 0, 0);
    FIELD(&p, s->site, 1, 's');
    if (s->kind == WALREC_OPEN) {
        add(&p, s->open_class, 1, 0, 0);
    }
    add(&p, s->flags, 1, 0, 0);
    if (!mail) {
        add(&p, s->device, 1, 0, 0);
        add(&p, s->browser, 1, 0, 0);
    }
    if (s->flags & (mail ? 1 : 2)) { /* a visitor or recipient */
        memcpy(p, id, WALREC_ID_BYTES), p += WALREC_ID_BYTES;
    }
    if (mail) {
        FIELD(&p, s->campaign, 1, 'c');
        if (s->kind == WALREC_CLICK) {
            FIELD(&p, s->link, 1, 'l');
        }
    } else {
        FIELD(&p, s->path, 2, '/');
        FIELD(&p, s->ref, 1, 'r');
        FIELD(&p, s->src, 1, 'u');
        FIELD(&p, s->med, 1, 'm');
        FIELD(&p, s->camp, 1, 'n');
        FIELD(&p, s->event, 1, 'e');
    }
    add(&p, 0, 0, s->extra > 0 ? (size_t)s->extra : 0, 'z');
    p -= s->extra < 0 ? -s->extra : 0;
    return frame(f, (size_t)(p - f) - WALREC_HEADER);
}

static void test_walrec__tables(void **state)
{
    unsigned char f[2 * WALREC_MAX];
    struct walrec r;
    size_t used;
    (void)state;

    for (size_t i = 0; i < sizeof must_accept / sizeof *must_accept; i++) {
        const struct spec *s = &must_accept[i];
        size_t n = build(s, f);
        if (walrec_get((const char *)f, n, &used, &r) != WALREC_OK) {
            fail_msg("%s: not accepted", s->what);
        }
        assert_int_equal(used, n);
        assert_int_equal(r.kind, s->kind);
        if (s->kind == WALREC_HIT) {
            assert_int_equal(r.hit.path_len, s->path);
            assert_int_equal(r.hit.event_len, s->event);
        } else {
            assert_int_equal(r.mail.link.len, s->link);
        }
    }
    for (size_t i = 0; i < sizeof must_reject / sizeof *must_reject; i++) {
        size_t n = build(&must_reject[i], f);
        used = 7;
        enum walrec_status st = walrec_get((const char *)f, n, &used, &r);
        if (st != WALREC_BAD || used != 7) {
            fail_msg("%s: got %d, not WALREC_BAD", must_reject[i].what, st);
        }
    }
}

/* A record's length: 0 and past WALREC_MAX are BAD before any payload
 * is looked at; the largest is SHORT until all its bytes are there. */
static void test_walrec__lengths(void **state)
{
    static unsigned char f[WALREC_MAX];
    struct walrec r;
    size_t used = 7;
    (void)state;

    assert_int_equal(get_exact(f, 0, &used, &r), WALREC_SHORT);
    assert_int_equal(get_exact(f, 1, &used, &r), WALREC_SHORT);
    assert_int_equal(get_exact(f, WALREC_HEADER, &used, &r), WALREC_BAD);
    assert_int_equal(get_exact(f, WALREC_MAX, &used, &r), WALREC_BAD);
    put_le(f, WALREC_MAX - WALREC_HEADER, WALREC_HEADER); /* the largest */
    const size_t cut[] = {WALREC_HEADER, WALREC_HEADER + 1, WALREC_MAX / 2,
                          WALREC_MAX - 1};
    for (size_t i = 0; i < sizeof cut / sizeof *cut; i++) {
        if (get_exact(f, cut[i], &used, &r) != WALREC_SHORT) {
            fail_msg("largest length, %zu bytes: not SHORT", cut[i]);
        }
    }
    /* all there: the length is taken, the payload (kind 0) is not */
    assert_int_equal(get_exact(f, WALREC_MAX, &used, &r), WALREC_BAD);
    put_le(f, WALREC_MAX - WALREC_HEADER + 1, WALREC_HEADER);
    assert_int_equal(get_exact(f, WALREC_HEADER, &used, &r), WALREC_BAD);
    assert_int_equal(get_exact(f, WALREC_MAX, &used, &r), WALREC_BAD);
    put_le(f, UINT16_MAX, WALREC_HEADER);
    assert_int_equal(get_exact(f, WALREC_MAX, &used, &r), WALREC_BAD);
    assert_int_equal(used, 7); /* untouched but on OK */
}

/* A block's header: fewer than its 8 bytes are SHORT; a records length of
 * 0 or past WALREC_BLOCK_MAX is BAD before the records are looked for; the
 * largest is SHORT until all its bytes are there. The CRC (0 here, wrong)
 * is left to walrec_block_intact. */
static void test_walrec__block_head(void **state)
{
    const size_t n = WALREC_BLOCK_HEADER + WALREC_BLOCK_MAX;
    unsigned char *b = calloc(1, n + 1);
    size_t rlen;
    (void)state;

    assert_non_null(b);
    put_le(b, WALREC_BLOCK_MAX, 4);
    for (size_t k = 0; k < WALREC_BLOCK_HEADER; k++) {
        if (head_exact(b, k, &rlen) != WALREC_SHORT) {
            fail_msg("%zu header bytes: not SHORT", k);
        }
    }
    const size_t cut[] = {WALREC_BLOCK_HEADER, WALREC_BLOCK_HEADER + 1,
                          n / 2, n - 1};
    for (size_t i = 0; i < sizeof cut / sizeof *cut; i++) {
        if (head_exact(b, cut[i], &rlen) != WALREC_SHORT) {
            fail_msg("largest block, %zu bytes: not SHORT", cut[i]);
        }
    }
    rlen = 0;
    assert_int_equal(head_exact(b, n, &rlen), WALREC_OK);
    assert_int_equal(rlen, WALREC_BLOCK_MAX);
    rlen = 0; /* bytes after it (the next block) are not its */
    assert_int_equal(walrec_block_head((const char *)b, n + 1, &rlen),
                     WALREC_OK);
    assert_int_equal(rlen, WALREC_BLOCK_MAX);
    assert_int_equal(walrec_block_intact((const char *)b, rlen), 0);

    const uint64_t bad[] = {0, WALREC_BLOCK_MAX + 1, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        put_le(b, bad[i], 4);
        if (head_exact(b, WALREC_BLOCK_HEADER, &rlen) != WALREC_BAD ||
            walrec_block_head((const char *)b, n + 1, &rlen) != WALREC_BAD) {
            fail_msg("records length %llu: not BAD",
                     (unsigned long long)bad[i]);
        }
    }
    free(b);
}

/* Records to cut and damage: a large hit, a small one, an open, a
 * click. */
static size_t sample(int i, char *f)
{
    struct hit h;
    const unsigned char *p = i == 2 ? layout_open : layout_click;
    size_t len = i == 2 ? sizeof layout_open : sizeof layout_click;
    if (i < 2) {
        i == 0 ? max_hit(&h) : small_hit(&h);
        return walrec_put_hit(f, WALREC_MAX, T0, &h, 1, 1, i == 0 ? id : NULL);
    }
    memcpy(f + WALREC_HEADER, p, len);
    return frame((unsigned char *)f, len);
}

/*
 * Every proper prefix of a record or of a block is SHORT (in a heap block
 * of its size, for ASan). A record has no CRC of its own: a bit flipped in
 * its length is never OK, one in its payload may well go unseen by
 * walrec_get (and is still the whole record if so). The block's CRC sees
 * every one; a bit flipped in the block's length is refused, cut short,
 * or makes a CRC over other bytes that fails.
 */
static void test_walrec__cut_and_flipped(void **state)
{
    static char b[WALREC_BLOCK_HEADER + 4 * WALREC_MAX];
    struct walrec r;
    size_t used, rlen, len = 0;
    (void)state;

    for (int s = 0; s < 4; s++) {
        char *f = b + WALREC_BLOCK_HEADER + len;
        size_t n = sample(s, f);
        assert_int_equal(walrec_get(f, n, &used, &r), WALREC_OK);
        for (size_t k = 0; k < n; k++) {
            if (get_exact(f, k, &used, &r) != WALREC_SHORT) {
                fail_msg("sample %d, prefix %zu of %zu: not SHORT", s, k, n);
            }
        }
        for (size_t i = 0; i < n * 8; i++) {
            f[i / 8] ^= (char)(1 << i % 8);
            used = 0;
            enum walrec_status st = walrec_get(f, n, &used, &r);
            f[i / 8] ^= (char)(1 << i % 8);
            if (st == WALREC_OK && (i < 8 * WALREC_HEADER || used != n)) {
                fail_msg("sample %d, bit %zu flipped: OK, %zu bytes", s, i,
                         used);
            }
        }
        len += n;
    }

    walrec_block_seal(b, len);
    size_t n = WALREC_BLOCK_HEADER + len;
    for (size_t k = 0; k < n; k++) {
        if (head_exact(b, k, &rlen) != WALREC_SHORT) {
            fail_msg("block prefix %zu of %zu: not SHORT", k, n);
        }
    }
    /* every bit of the CRC and of the records */
    for (size_t i = 32; i < n * 8; i++) {
        b[i / 8] ^= (char)(1 << i % 8);
        rlen = 0;
        enum walrec_status st = walrec_block_head(b, n, &rlen);
        int intact = walrec_block_intact(b, len);
        b[i / 8] ^= (char)(1 << i % 8);
        if (st != WALREC_OK || rlen != len || intact) {
            fail_msg("block bit %zu flipped: %d, %zu bytes, intact %d", i, st,
                     rlen, intact);
        }
    }
    /* every bit of the length, in a heap block of the block's size */
    for (size_t i = 0; i < 32; i++) {
        char *c = malloc(n);
        assert_non_null(c);
        memcpy(c, b, n);
        c[i / 8] ^= (char)(1 << i % 8);
        enum walrec_status st = walrec_block_head(c, n, &rlen);
        if (st == WALREC_OK && walrec_block_intact(c, rlen)) {
            fail_msg("length bit %zu flipped: intact, %zu bytes", i, rlen);
        }
        free(c);
    }
    assert_int_equal(walrec_block_head(b, n, &rlen), WALREC_OK);
    assert_int_equal(rlen, len);
    assert_true(walrec_block_intact(b, len));
}

/* A sealed block byte for byte: the records' length, then zlib's crc32 of
 * the records, both little-endian; the records are left as they are. */
static void test_walrec__block_layout(void **state)
{
    /* one record: the open of layout_open */
    static const unsigned char on_disk[WALREC_BLOCK_HEADER] = {
        0x12, 0x00, 0x00, 0x00, 0xf1, 0xf3, 0x54, 0x2c};
    unsigned char want[WALREC_BLOCK_HEADER], rec[WALREC_MAX];
    char b[WALREC_BLOCK_HEADER + WALREC_MAX + 1];
    size_t rlen;
    (void)state;

    memset(b, 'X', sizeof b);
    size_t n = sample(2, b + WALREC_BLOCK_HEADER);
    assert_int_equal(n, WALREC_HEADER + sizeof layout_open);
    memcpy(rec, b + WALREC_BLOCK_HEADER, n);
    walrec_block_seal(b, n);
    put_le(want, n, 4);
    put_le(want + 4, crc32(0L, rec, (uInt)n), 4);
    assert_memory_equal(b, want, WALREC_BLOCK_HEADER);
    assert_memory_equal(b, on_disk, WALREC_BLOCK_HEADER);
    assert_memory_equal(b + WALREC_BLOCK_HEADER, rec, n);
    assert_int_equal(b[WALREC_BLOCK_HEADER + n], 'X');
    assert_int_equal(head_exact(b, WALREC_BLOCK_HEADER + n, &rlen),
                     WALREC_OK);
    assert_int_equal(rlen, n);
    assert_true(walrec_block_intact(b, rlen));
}

/* Records back to back in a sealed block, read one at a time to its end;
 * a torn third one is SHORT. */
static void test_walrec__back_to_back(void **state)
{
    char buf[WALREC_BLOCK_HEADER + 3 * WALREC_MAX];
    char *recs = buf + WALREC_BLOCK_HEADER;
    struct walrec r;
    size_t used, rlen;
    (void)state;

    size_t a = sample(0, recs);
    size_t b = sample(3, recs + a);
    size_t c = sample(2, recs + a + b);
    size_t len = a + b + c - 1;
    assert_int_equal(walrec_get(recs, len, &used, &r), WALREC_OK);
    assert_int_equal(used, a);
    assert_int_equal(r.hit.path_len, URL_PATH_MAX);
    assert_int_equal(walrec_get(recs + a, len - a, &used, &r), WALREC_OK);
    assert_int_equal(used, b);
    assert_int_equal(r.kind, WALREC_CLICK);
    assert_true(span_eq(r.mail.link, "l2"));
    assert_int_equal(walrec_get(recs + a + b, len - a - b, &used, &r),
                     WALREC_SHORT);
    assert_int_equal(walrec_get(recs + a + b, c, &used, &r), WALREC_OK);
    assert_int_equal(r.mail.open_class, 3);

    /* as the reader walks a block: record after record to its end */
    walrec_block_seal(buf, a + b + c);
    assert_int_equal(walrec_block_head(buf, sizeof buf, &rlen), WALREC_OK);
    assert_int_equal(rlen, a + b + c);
    assert_true(walrec_block_intact(buf, rlen));
    const size_t want[] = {a, b, c};
    size_t off = 0, k = 0;
    while (off < rlen) {
        assert_true(k < 3);
        assert_int_equal(walrec_get(recs + off, rlen - off, &used, &r),
                         WALREC_OK);
        assert_int_equal(used, want[k++]);
        off += used;
    }
    assert_int_equal(off, rlen);
    assert_int_equal(k, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walrec__hit_round_trip),
        cmocka_unit_test(test_walrec__mail_round_trip),
        cmocka_unit_test(test_walrec__layout),
        cmocka_unit_test(test_walrec__put_limits),
        cmocka_unit_test(test_walrec__tables),
        cmocka_unit_test(test_walrec__lengths),
        cmocka_unit_test(test_walrec__block_head),
        cmocka_unit_test(test_walrec__cut_and_flipped),
        cmocka_unit_test(test_walrec__block_layout),
        cmocka_unit_test(test_walrec__back_to_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
