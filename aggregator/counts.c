/*
 * counts.c: hit -> aggregate table entries (layout in counts.h).
 */
#include "aggregator/counts.h"

#include <string.h>

#include "aggregator/table.h"
#include "proto/hll.h"

#define MINUTES_PER_HOUR 60
#define MINUTES_PER_DAY 1440

int counts_key_encode(char *dst, size_t cap, const struct counts_key *k)
{
    size_t len = 1 + k->site_len + 1 + 4 + k->member_len;
    if (k->site_len == 0 || k->site_len > 255 || len > cap ||
        len > TABLE_KEY_MAX) {
        return -1;
    }
    char *p = dst;
    *p++ = (char)k->site_len;
    memcpy(p, k->site, k->site_len);
    p += k->site_len;
    *p++ = (char)k->dim;
    *p++ = (char)(k->minute >> 24);
    *p++ = (char)(k->minute >> 16);
    *p++ = (char)(k->minute >> 8);
    *p++ = (char)k->minute;
    if (k->member_len > 0) {
        memcpy(p, k->member, k->member_len);
    }
    return (int)len;
}

int counts_key_decode(const char *key, size_t len, struct counts_key *out)
{
    const unsigned char *u = (const unsigned char *)key;
    if (len < 1) {
        return -1;
    }
    size_t site_len = u[0];
    if (site_len == 0 || len < 1 + site_len + 5) {
        return -1;
    }
    unsigned dim = u[1 + site_len];
    if (dim >= COUNTS_DIM_COUNT) {
        return -1;
    }
    const unsigned char *m = u + 1 + site_len + 1;
    out->site = key + 1;
    out->site_len = site_len;
    out->dim = (enum counts_dim)dim;
    out->minute = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
                  (uint32_t)m[2] << 8 | m[3];
    out->member = key + 1 + site_len + 5;
    out->member_len = len - (1 + site_len + 5);
    return 0;
}

static int add_one(struct table *t, const struct hit *h, enum counts_dim dim,
                   uint32_t minute, const char *member, size_t member_len)
{
    char key[TABLE_KEY_MAX];
    struct counts_key k = {h->site,   h->site_len, dim,
                           minute,    member,      member_len};
    int len = counts_key_encode(key, sizeof(key), &k);
    if (len < 0) {
        return -1;
    }
    return table_add(t, key, (size_t)len, 1);
}

/* Offers a pseudonym's register (hll_hash) to the sketch of k. */
static int add_sketch(struct table *t, const struct counts_key *k,
                      uint32_t index, uint8_t rank)
{
    char key[TABLE_KEY_MAX];
    int len = counts_key_encode(key, sizeof(key), k);
    if (len < 0) {
        return -1;
    }
    return table_sketch_add(t, key, (size_t)len, index, rank);
}

/* The sketch of k, its register index on its way into the cache. */
static struct table_entry *get_sketch(struct table *t,
                                      const struct counts_key *k,
                                      uint32_t index, int *created)
{
    char key[TABLE_KEY_MAX];
    int len = counts_key_encode(key, sizeof(key), k);
    if (len < 0) {
        return NULL;
    }
    return table_sketch_get(t, key, (size_t)len, index, created);
}

int counts_add_hit(struct table *t, const struct hit *h, struct ua_class ua,
                   const unsigned char *visitor, uint32_t minute)
{
    /* "source/medium/campaign": three parts of at most 64 bytes. */
    char utm[3 * HIT_UTM_MAX + 3];
    int created = 0;
    int rc;

#define COUNTS_ADD(dim, member, len)                                           \
    do {                                                                       \
        rc = add_one(t, h, (dim), minute, (member), (len));                    \
        if (rc < 0) {                                                          \
            return -1;                                                         \
        }                                                                      \
        created += rc;                                                         \
    } while (0)

    struct span area = hit_area(h->path, h->path_len);
    /* The visitor's sketches first, the rest while their registers come
     * into the cache: a dense sketch is 16 KiB, and the miss on it cost
     * more than all the other entries of a hit together. */
    struct table_entry *uv = NULL, *uva = NULL;
    uint32_t index = 0;
    uint8_t rank = 0;
    if (visitor != NULL) {
        hll_hash(visitor, COUNTS_VISITOR_BYTES, &index, &rank);
        struct counts_key k = {h->site, h->site_len, COUNTS_UV,
                               minute - minute % MINUTES_PER_HOUR, NULL, 0};
        uv = get_sketch(t, &k, index, &rc);
        if (uv == NULL) {
            return -1;
        }
        created += rc;
        if (h->is_pageview) {
            k = (struct counts_key){h->site,
                                    h->site_len,
                                    COUNTS_UVA,
                                    minute - minute % MINUTES_PER_DAY,
                                    area.p,
                                    area.len};
            uva = get_sketch(t, &k, index, &rc);
            if (uva == NULL) {
                return -1;
            }
            created += rc;
        }
    }
    /* "device/browser": the hit's total, its device and its browser in one
     * entry (batch.c counts all three from it) */
    char ua_member[64];
    const char *dev = ua_device_name(ua.device);
    const char *br = ua_browser_name(ua.browser);
    size_t dev_len = strlen(dev), br_len = strlen(br);
    size_t ua_len = dev_len + 1 + br_len;
    if (ua_len > sizeof(ua_member)) {
        return -1;
    }
    memcpy(ua_member, dev, dev_len);
    ua_member[dev_len] = '/';
    memcpy(ua_member + dev_len + 1, br, br_len);
    if (h->is_pageview) {
        COUNTS_ADD(COUNTS_PAGEVIEWS, ua_member, ua_len);
        COUNTS_ADD(COUNTS_PAGE, h->path, h->path_len);
        if (h->ref_len > 0) {
            COUNTS_ADD(COUNTS_REF, h->ref_host, h->ref_len);
        }
        if (h->utm_source_len + h->utm_medium_len + h->utm_campaign_len > 0) {
            size_t n = 0;
            memcpy(utm + n, h->utm_source, h->utm_source_len);
            n += h->utm_source_len;
            utm[n++] = '/';
            memcpy(utm + n, h->utm_medium, h->utm_medium_len);
            n += h->utm_medium_len;
            utm[n++] = '/';
            memcpy(utm + n, h->utm_campaign, h->utm_campaign_len);
            n += h->utm_campaign_len;
            COUNTS_ADD(COUNTS_UTM, utm, n);
        }
    } else {
        COUNTS_ADD(COUNTS_EVENTS, ua_member, ua_len);
        COUNTS_ADD(COUNTS_EVENT, h->event, h->event_len);
    }
    if ((uv != NULL && table_sketch_offer(t, uv, index, rank) < 0) ||
        (uva != NULL && table_sketch_offer(t, uva, index, rank) < 0)) {
        return -1;
    }
#undef COUNTS_ADD
    return created;
}

static const char open_class_letter[COUNTS_OPEN_CLASS_COUNT] = {
    [COUNTS_OPEN_HUMAN] = 'h',
    [COUNTS_OPEN_MACHINE] = 'm',
    [COUNTS_OPEN_PROXY] = 'p',
    [COUNTS_OPEN_SCANNER] = 's',
};

const char *counts_open_class_name(enum counts_open_class c)
{
    static const char *const name[COUNTS_OPEN_CLASS_COUNT] = {
        [COUNTS_OPEN_HUMAN] = "human",
        [COUNTS_OPEN_MACHINE] = "machine",
        [COUNTS_OPEN_PROXY] = "proxy",
        [COUNTS_OPEN_SCANNER] = "scanner",
    };
    return (unsigned)c < COUNTS_OPEN_CLASS_COUNT ? name[c] : NULL;
}

/* Longest e-mail member: length byte, campaign, link id. */
#define MAIL_MEMBER_MAX (1 + 64 + 64)

/*
 * Adds (m's site, dim, minute of now, member) where member is a one-byte
 * head (a class letter, a second, or the campaign's length), the campaign,
 * then tail (nothing, a link id or a recipient hash).
 */
static int add_mail(struct table *t, const struct counts_mail *m,
                    enum counts_dim dim, int64_t now, char head,
                    const void *tail, size_t tail_len)
{
    char member[MAIL_MEMBER_MAX];
    char key[TABLE_KEY_MAX];

    if (m->campaign_len == 0 || m->campaign_len > 64 || tail_len > 64) {
        return -1;
    }
    member[0] = head;
    memcpy(member + 1, m->campaign, m->campaign_len);
    if (tail_len > 0) {
        memcpy(member + 1 + m->campaign_len, tail, tail_len);
    }
    struct counts_key k = {m->site, m->site_len, dim, (uint32_t)(now / 60),
                           member,  1 + m->campaign_len + tail_len};
    int len = counts_key_encode(key, sizeof(key), &k);
    return len < 0 ? -1 : table_add(t, key, (size_t)len, 1);
}

/* The campaign's last activity: one entry per second it was active. */
static int add_seen(struct table *t, const struct counts_mail *m, int64_t now)
{
    return add_mail(t, m, COUNTS_MAIL_SEEN, now, (char)(now % 60), NULL, 0);
}

/* The recipient hash into the campaign's sketch of unique recipients
 * (dim: COUNTS_MAIL_OPENER or COUNTS_MAIL_CLICKER). */
static int add_recipient(struct table *t, const struct counts_mail *m,
                         enum counts_dim dim, int64_t now)
{
    uint32_t minute = (uint32_t)(now / 60);
    uint32_t index;
    uint8_t rank;
    struct counts_key k = {m->site,     m->site_len,
                           dim,         minute - minute % MINUTES_PER_DAY,
                           m->campaign, m->campaign_len};

    hll_hash(m->recipient, COUNTS_RECIPIENT_BYTES, &index, &rank);
    return add_sketch(t, &k, index, rank);
}

/*
 * One open or click: its entry (dim, head, tail), the recipient under who
 * (COUNTS_DIM_COUNT: not counted), the campaign's last activity.
 */
static int add_mail_hit(struct table *t, const struct counts_mail *m,
                        int64_t now, enum counts_dim dim, char head,
                        const char *tail, size_t tail_len,
                        enum counts_dim who)
{
    int created = add_mail(t, m, dim, now, head, tail, tail_len);
    int rc;

    if (created < 0) {
        return -1;
    }
    if (who != COUNTS_DIM_COUNT) {
        rc = add_recipient(t, m, who, now);
        if (rc < 0) {
            return -1;
        }
        created += rc;
    }
    rc = add_seen(t, m, now);
    return rc < 0 ? -1 : created + rc;
}

int counts_add_open(struct table *t, const struct counts_mail *m,
                    enum counts_open_class cls, int64_t now)
{
    if ((unsigned)cls >= COUNTS_OPEN_CLASS_COUNT) {
        return -1;
    }
    int opener = m->recipient != NULL &&
                 (cls == COUNTS_OPEN_HUMAN || cls == COUNTS_OPEN_PROXY);
    return add_mail_hit(t, m, now, COUNTS_MAIL_OPEN, open_class_letter[cls],
                        NULL, 0,
                        opener ? COUNTS_MAIL_OPENER : COUNTS_DIM_COUNT);
}

int counts_add_click(struct table *t, const struct counts_mail *m,
                     const char *link, size_t link_len, int64_t now)
{
    if (link_len == 0) {
        return -1;
    }
    return add_mail_hit(t, m, now, COUNTS_MAIL_CLICK, (char)m->campaign_len,
                        link, link_len,
                        m->recipient != NULL ? COUNTS_MAIL_CLICKER
                                             : COUNTS_DIM_COUNT);
}

_Static_assert(COUNTS_VISITOR_BYTES == WALREC_ID_BYTES &&
                   COUNTS_RECIPIENT_BYTES == WALREC_ID_BYTES,
               "log records hold pseudonyms and recipient hashes whole");
_Static_assert(COUNTS_OPEN_CLASS_COUNT == WALREC_OPEN_CLASSES,
               "log records hold an open's class");

int counts_add_record(struct table *t, const struct walrec *r)
{
    const struct walrec_mail *m = &r->mail;
    struct counts_mail cm = {m->site.p, m->site.len, m->campaign.p,
                             m->campaign.len, m->recipient};
    switch (r->kind) {
    case WALREC_HIT: {
        struct ua_class ua = {(enum ua_device)r->device,
                              (enum ua_browser)r->browser};
        return counts_add_hit(t, &r->hit, ua, r->visitor,
                              (uint32_t)(r->time / 60));
    }
    case WALREC_OPEN:
        return counts_add_open(t, &cm, (enum counts_open_class)m->open_class,
                               (int64_t)r->time);
    case WALREC_CLICK:
        return counts_add_click(t, &cm, m->link.p, m->link.len,
                                (int64_t)r->time);
    }
    return -1;
}

int counts_mail_member(const struct counts_key *k, const char **campaign,
                       size_t *campaign_len, const char **rest,
                       size_t *rest_len)
{
    const char *p = k->member;
    size_t n = k->member_len;

    /* every member has a campaign; most have a head byte too */
    if (n < (k->dim == COUNTS_MAIL_OPENER || k->dim == COUNTS_MAIL_CLICKER
                 ? 1u
                 : 2u)) {
        return -1;
    }
    switch (k->dim) {
    case COUNTS_MAIL_OPEN:
    case COUNTS_MAIL_SEEN:
        /* head byte, then the campaign is the rest */
        *rest = p;
        *rest_len = 1;
        *campaign = p + 1;
        *campaign_len = n - 1;
        break;
    case COUNTS_MAIL_CLICK: {
        size_t c = (unsigned char)p[0];
        if (c == 0 || 1 + c >= n) {
            return -1;
        }
        *campaign = p + 1;
        *campaign_len = c;
        *rest = p + 1 + c;
        *rest_len = n - 1 - c;
        break;
    }
    case COUNTS_MAIL_OPENER:
    case COUNTS_MAIL_CLICKER:
        *campaign = p;
        *campaign_len = n;
        *rest = p + n;
        *rest_len = 0;
        break;
    default:
        return -1;
    }
    return *campaign_len <= 64 ? 0 : -1;
}
