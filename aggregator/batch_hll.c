/*
 * batch_hll.c: see batch_hll.h.
 */
#include "aggregator/batch_hll.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregator/argbuf.h"

_Static_assert(COUNTS_RECIPIENT_BYTES == COUNTS_VISITOR_BYTES,
               "HyperLogLog members share one width");

void batch_hll_reset(struct batch_hll *v)
{
    for (size_t i = 0; i < v->n; i++) {
        v->b[i].n = 0;
    }
    v->n = 0;
    v->uv.valid = 0;
    v->uva.valid = 0;
}

void batch_hll_free(struct batch_hll *v)
{
    for (size_t i = 0; i < v->cap; i++) {
        free(v->b[i].member);
    }
    free(v->b);
}

/* The index of key's bucket, created when new; -1 when out of memory. */
static long vbucket_for(struct batch_hll *v, const char *key, char type,
                        uint64_t expire)
{
    for (size_t i = 0; i < v->n; i++) {
        if (v->b[i].type == type && strcmp(v->b[i].key, key) == 0) {
            if (v->b[i].expire_at < expire) {
                v->b[i].expire_at = expire;
            }
            return (long)i;
        }
    }
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 4;
        struct vbucket *nb = realloc(v->b, ncap * sizeof(*nb));
        if (nb == NULL) {
            return -1;
        }
        memset(nb + v->cap, 0, (ncap - v->cap) * sizeof(*nb));
        v->b = nb;
        v->cap = ncap;
    }
    struct vbucket *b = &v->b[v->n];
    snprintf(b->key, sizeof(b->key), "%s", key);
    b->type = type;
    b->expire_at = expire;
    b->n = 0;
    return (long)v->n++;
}

static int vbucket_add(struct vbucket *b, const char *member, size_t len)
{
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 256;
        struct vmember *nm = realloc(b->member, ncap * sizeof(*nm));
        if (nm == NULL) {
            return -1;
        }
        b->member = nm;
        b->cap = ncap;
    }
    b->member[b->n++] = (struct vmember){member, len};
    return 0;
}

/* Points c at the buckets of k's minute: kind's hour and day keys
 * (uv), or its day key alone (uva). */
static int vcache_for(struct batch_hll *v, struct vcache *c,
                      const struct batch_params *p, const struct counts_key *k,
                      const char *kind, char type)
{
    if (c->valid && c->minute == k->minute) {
        return 0;
    }
    char key[KEYS_MAX];
    time_t t = (time_t)k->minute * 60;
    c->valid = 0;
    for (int i = type == 'a' ? 1 : 0; i < 2; i++) {
        enum keys_gran g = i == 0 ? KEYS_HOUR : KEYS_DAY;
        long b;
        if (keys_bucket(key, sizeof(key), p->prefix, k->site, k->site_len,
                        kind, g, t) < 0 ||
            (b = vbucket_for(v, key, type, batch_expire_at(p, g, t))) < 0) {
            return -1;
        }
        c->bucket[i] = (size_t)b;
    }
    c->minute = k->minute;
    c->valid = 1;
    return 0;
}

int batch_hll_visitor(struct batch_hll *v, const struct batch_params *p,
                       const struct counts_key *k)
{
    if (k->member_len != COUNTS_VISITOR_BYTES ||
        vcache_for(v, &v->uv, p, k, "uv", 'p') < 0) {
        return -1;
    }
    return vbucket_add(&v->b[v->uv.bucket[0]], k->member, k->member_len) <
                       0 ||
                   vbucket_add(&v->b[v->uv.bucket[1]], k->member,
                               k->member_len) < 0
               ? -1
               : 0;
}

int batch_hll_area_visitor(struct batch_hll *v, const struct batch_params *p,
                            const struct counts_key *k)
{
    size_t area_len = k->member_len > 0 ? (unsigned char)k->member[0] : 0;
    struct counts_key uv = *k;

    if (k->member_len != 1 + area_len + COUNTS_VISITOR_BYTES) {
        return -1;
    }
    uv.member = k->member + 1 + area_len;
    uv.member_len = COUNTS_VISITOR_BYTES;
    if (batch_hll_visitor(v, p, &uv) < 0 ||
        vcache_for(v, &v->uva, p, k, "uva", 'a') < 0) {
        return -1;
    }
    return vbucket_add(&v->b[v->uva.bucket[1]], k->member, k->member_len);
}

int batch_hll_recipient(struct batch_hll *v, const struct batch_params *p,
                              const struct counts_key *k)
{
    char key[KEYS_MAX];
    const char *campaign, *hash;
    size_t campaign_len, hash_len;
    long b;

    if (counts_mail_member(k, &campaign, &campaign_len, &hash, &hash_len) < 0 ||
        keys_mail(key, sizeof(key), p->prefix, k->site, k->site_len, campaign,
                  campaign_len, k->dim == COUNTS_MAIL_OPENER ? "uo" : "uc") <
            0 ||
        (b = vbucket_for(v, key, 'p',
                         batch_expire_at(p, KEYS_DAY, (time_t)k->minute * 60))) < 0) {
        return -1;
    }
    return vbucket_add(&v->b[b], hash, hash_len);
}

size_t batch_hll_keys(const struct batch_hll *v)
{
    return v->n;
}

int batch_hll_key_args(const struct batch_hll *v, struct argbuf *a)
{
    for (size_t i = 0; i < v->n; i++) {
        if (argbuf_str(a, v->b[i].key) < 0) {
            return -1;
        }
    }
    return 0;
}

int batch_hll_op_args(const struct batch_hll *v, struct argbuf *a,
                      uint64_t max_areas)
{
    for (size_t i = 0; i < v->n; i++) {
        const struct vbucket *b = &v->b[i];
        char type[2] = {b->type, '\0'};
        if (argbuf_str(a, type) < 0 || argbuf_u64(a, b->expire_at) < 0 ||
            argbuf_u64(a, b->n) < 0) {
            return -1;
        }
        /* A HyperLogLog ignores the value; the index of areas takes the
         * day's cap there. */
        for (size_t m = 0; m < b->n; m++) {
            if (argbuf_add(a, b->member[m].p, b->member[m].len) < 0 ||
                (b->type == 'a' ? argbuf_u64(a, max_areas)
                                : argbuf_str(a, "1")) < 0) {
                return -1;
            }
        }
    }
    return 0;
}
