/*
 * walrec.c: write-ahead log records (see walrec.h).
 */
#include "proto/walrec.h"

#include <string.h>
#include <zlib.h>

#include "proto/url.h"
#include "proto/useragent.h"

#define FLAG_PAGEVIEW 1u
#define FLAG_VISITOR 2u
#define FLAG_RECIPIENT 1u

/* ---- writing: a cursor that turns NULL once a field does not fit ---- */

struct put {
    unsigned char *p, *end;
};

static void put_bytes(struct put *w, const void *b, size_t n)
{
    if (w->p == NULL || (size_t)(w->end - w->p) < n) {
        w->p = NULL;
        return;
    }
    if (n > 0) {
        memcpy(w->p, b, n);
    }
    w->p += n;
}

static void put_le(struct put *w, uint64_t v, int n)
{
    unsigned char b[8];
    for (int i = 0; i < n; i++) {
        b[i] = (unsigned char)(v >> (8 * i));
    }
    put_bytes(w, b, (size_t)n);
}

/* A field of min..max bytes after its length (1 or 2 bytes). */
static void put_field(struct put *w, const void *s, size_t len, size_t min,
                      size_t max, int len_bytes)
{
    if (len < min || len > max) {
        w->p = NULL;
        return;
    }
    put_le(w, len, len_bytes);
    put_bytes(w, s, len);
}

static void put_head(struct put *w, enum walrec_kind kind, uint64_t time,
                     const char *site, size_t site_len)
{
    put_le(w, 0, WALREC_HEADER); /* filled in by put_frame */
    put_le(w, kind, 1);
    put_le(w, time, 8);
    put_field(w, site, site_len, 1, HIT_SITE_MAX, 1);
}

/* Fills in the record's length; returns the record's length, or 0. */
static size_t put_frame(struct put *w, unsigned char *start)
{
    if (w->p == NULL) {
        return 0;
    }
    size_t len = (size_t)(w->p - start) - WALREC_HEADER;
    struct put h = {start, start + WALREC_HEADER};
    put_le(&h, len, WALREC_HEADER);
    return WALREC_HEADER + len;
}

size_t walrec_put_hit(char *out, size_t cap, uint64_t time,
                      const struct hit *h, uint8_t device, uint8_t browser,
                      const unsigned char *visitor)
{
    unsigned char *start = (unsigned char *)out;
    struct put w = {start, start + cap};

    if (device >= UA_DEVICE_COUNT || browser >= UA_BROWSER_COUNT) {
        return 0;
    }
    put_head(&w, WALREC_HIT, time, h->site, h->site_len);
    put_le(&w, (h->is_pageview ? FLAG_PAGEVIEW : 0) |
                   (visitor != NULL ? FLAG_VISITOR : 0),
           1);
    put_le(&w, device, 1);
    put_le(&w, browser, 1);
    if (visitor != NULL) {
        put_bytes(&w, visitor, WALREC_ID_BYTES);
    }
    put_field(&w, h->path, h->path_len, 1, URL_PATH_MAX, 2);
    put_field(&w, h->ref_host, h->ref_len, 0, URL_HOST_MAX, 1);
    put_field(&w, h->utm_source, h->utm_source_len, 0, HIT_UTM_MAX, 1);
    put_field(&w, h->utm_medium, h->utm_medium_len, 0, HIT_UTM_MAX, 1);
    put_field(&w, h->utm_campaign, h->utm_campaign_len, 0, HIT_UTM_MAX, 1);
    put_field(&w, h->event, h->event_len, 1, HIT_EVENT_MAX, 1);
    return put_frame(&w, start);
}

size_t walrec_put_mail(char *out, size_t cap, enum walrec_kind kind,
                       uint64_t time, const struct walrec_mail *m)
{
    unsigned char *start = (unsigned char *)out;
    struct put w = {start, start + cap};

    if (kind != WALREC_OPEN && kind != WALREC_CLICK) {
        return 0;
    }
    put_head(&w, kind, time, m->site.p, m->site.len);
    if (kind == WALREC_OPEN) {
        if (m->open_class >= WALREC_OPEN_CLASSES) {
            return 0;
        }
        put_le(&w, m->open_class, 1);
    }
    put_le(&w, m->recipient != NULL ? FLAG_RECIPIENT : 0, 1);
    if (m->recipient != NULL) {
        put_bytes(&w, m->recipient, WALREC_ID_BYTES);
    }
    put_field(&w, m->campaign.p, m->campaign.len, 1, WALREC_MAIL_MAX, 1);
    if (kind == WALREC_CLICK) {
        put_field(&w, m->link.p, m->link.len, 1, WALREC_MAIL_MAX, 1);
    }
    return put_frame(&w, start);
}

/* ---- reading: a cursor that turns NULL on a field that breaks a rule ---- */

struct get {
    const unsigned char *p, *end;
};

static const unsigned char *get_bytes(struct get *r, size_t n)
{
    if (r->p == NULL || (size_t)(r->end - r->p) < n) {
        r->p = NULL;
        return NULL;
    }
    const unsigned char *at = r->p;
    r->p += n;
    return at;
}

static uint64_t get_le(struct get *r, int n)
{
    const unsigned char *b = get_bytes(r, (size_t)n);
    uint64_t v = 0;
    for (int i = n - 1; b != NULL && i >= 0; i--) {
        v = v << 8 | b[i];
    }
    return v;
}

static struct span get_field(struct get *r, size_t min, size_t max,
                             int len_bytes)
{
    size_t len = (size_t)get_le(r, len_bytes);
    if (len < min || len > max) {
        r->p = NULL;
    }
    const unsigned char *b = get_bytes(r, len);
    return span_make((const char *)b, b != NULL ? len : 0);
}

/* Copies f into dst (of cap > f.len bytes), NUL-terminated. */
static size_t copy_field(char *dst, struct span f)
{
    if (f.len > 0) {
        memcpy(dst, f.p, f.len);
    }
    dst[f.len] = '\0';
    return f.len;
}

static void get_hit(struct get *r, struct walrec *out, struct span site)
{
    struct hit *h = &out->hit;
    unsigned flags = (unsigned)get_le(r, 1);
    out->device = (uint8_t)get_le(r, 1);
    out->browser = (uint8_t)get_le(r, 1);
    out->visitor = (flags & FLAG_VISITOR) ? get_bytes(r, WALREC_ID_BYTES)
                                          : NULL;
    struct span path = get_field(r, 1, URL_PATH_MAX, 2);
    struct span ref = get_field(r, 0, URL_HOST_MAX, 1);
    struct span src = get_field(r, 0, HIT_UTM_MAX, 1);
    struct span med = get_field(r, 0, HIT_UTM_MAX, 1);
    struct span camp = get_field(r, 0, HIT_UTM_MAX, 1);
    struct span event = get_field(r, 1, HIT_EVENT_MAX, 1);
    if (r->p == NULL || flags > (FLAG_PAGEVIEW | FLAG_VISITOR) ||
        out->device >= UA_DEVICE_COUNT || out->browser >= UA_BROWSER_COUNT) {
        r->p = NULL;
        return;
    }
    h->site_len = copy_field(h->site, site);
    h->is_pageview = (flags & FLAG_PAGEVIEW) != 0;
    h->path_len = copy_field(h->path, path);
    h->ref_len = copy_field(h->ref_host, ref);
    h->utm_source_len = copy_field(h->utm_source, src);
    h->utm_medium_len = copy_field(h->utm_medium, med);
    h->utm_campaign_len = copy_field(h->utm_campaign, camp);
    h->event_len = copy_field(h->event, event);
}

static void get_mail(struct get *r, struct walrec *out, struct span site)
{
    struct walrec_mail *m = &out->mail;
    m->site = site;
    m->open_class = 0;
    if (out->kind == WALREC_OPEN) {
        m->open_class = (uint8_t)get_le(r, 1);
        if (m->open_class >= WALREC_OPEN_CLASSES) {
            r->p = NULL;
        }
    }
    unsigned flags = (unsigned)get_le(r, 1);
    m->recipient = (flags & FLAG_RECIPIENT) ? get_bytes(r, WALREC_ID_BYTES)
                                            : NULL;
    if (flags > FLAG_RECIPIENT) {
        r->p = NULL;
    }
    m->campaign = get_field(r, 1, WALREC_MAIL_MAX, 1);
    m->link = out->kind == WALREC_CLICK ? get_field(r, 1, WALREC_MAIL_MAX, 1)
                                        : span_make(NULL, 0);
}

void walrec_block_seal(char *block, size_t records_len)
{
    unsigned char *b = (unsigned char *)block;
    struct put h = {b, b + WALREC_BLOCK_HEADER};
    put_le(&h, records_len, 4);
    put_le(&h, crc32(0L, b + WALREC_BLOCK_HEADER, (uInt)records_len), 4);
}

enum walrec_status walrec_block_head(const char *buf, size_t len,
                                     size_t *records_len)
{
    struct get h = {(const unsigned char *)buf,
                    (const unsigned char *)buf + len};
    if (len < WALREC_BLOCK_HEADER) {
        return WALREC_SHORT;
    }
    uint64_t n = get_le(&h, 4);
    if (n == 0 || n > WALREC_BLOCK_MAX) {
        return WALREC_BAD;
    }
    if (len - WALREC_BLOCK_HEADER < n) {
        return WALREC_SHORT;
    }
    *records_len = (size_t)n;
    return WALREC_OK;
}

int walrec_block_intact(const char *buf, size_t records_len)
{
    const unsigned char *b = (const unsigned char *)buf;
    struct get h = {b + 4, b + WALREC_BLOCK_HEADER};
    uint32_t crc = (uint32_t)get_le(&h, 4);
    return crc32(0L, b + WALREC_BLOCK_HEADER, (uInt)records_len) == crc;
}

enum walrec_status walrec_get(const char *buf, size_t len, size_t *used,
                              struct walrec *out)
{
    struct get hdr = {(const unsigned char *)buf,
                      (const unsigned char *)buf + len};
    if (len < WALREC_HEADER) {
        return WALREC_SHORT;
    }
    uint64_t plen = get_le(&hdr, WALREC_HEADER);
    if (plen == 0 || plen > WALREC_MAX - WALREC_HEADER) {
        return WALREC_BAD;
    }
    if (len - WALREC_HEADER < plen) {
        return WALREC_SHORT;
    }
    const unsigned char *payload = hdr.p;
    struct get r = {payload, payload + plen};
    out->kind = (enum walrec_kind)get_le(&r, 1);
    out->time = get_le(&r, 8);
    struct span site = get_field(&r, 1, HIT_SITE_MAX, 1);
    if (r.p == NULL) {
        return WALREC_BAD;
    }
    switch (out->kind) {
    case WALREC_HIT:
        get_hit(&r, out, site);
        break;
    case WALREC_OPEN:
    case WALREC_CLICK:
        get_mail(&r, out, site);
        break;
    default:
        return WALREC_BAD;
    }
    /* every byte accounted for */
    if (r.p == NULL || r.p != r.end) {
        return WALREC_BAD;
    }
    *used = WALREC_HEADER + (size_t)plen;
    return WALREC_OK;
}
