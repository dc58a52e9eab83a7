/*
 * counts.c: hit -> aggregate table entries (layout in counts.h).
 */
#include "aggregator/counts.h"

#include <string.h>

#include "aggregator/table.h"

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

    if (h->is_pageview) {
        COUNTS_ADD(COUNTS_PAGEVIEWS, NULL, 0);
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
        COUNTS_ADD(COUNTS_EVENTS, NULL, 0);
        COUNTS_ADD(COUNTS_EVENT, h->event, h->event_len);
    }
    const char *dev = ua_device_name(ua.device);
    const char *br = ua_browser_name(ua.browser);
    COUNTS_ADD(COUNTS_DEVICE, dev, strlen(dev));
    COUNTS_ADD(COUNTS_BROWSER, br, strlen(br));
    if (visitor != NULL) {
        COUNTS_ADD(COUNTS_VISITOR, (const char *)visitor, COUNTS_VISITOR_BYTES);
    }
#undef COUNTS_ADD
    return created;
}
