/*
 * batch_hll.c: see batch_hll.h.
 */
#include "aggregator/batch_hll.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregator/site_calls.h"
#include "aggregator/sketch.h"

void batch_hll_reset(struct batch_hll *v)
{
    for (size_t i = 0; i < v->n; i++) {
        v->b[i].n = 0;
    }
    v->n = 0;
}

void batch_hll_free(struct batch_hll *v)
{
    for (size_t i = 0; i < v->cap; i++) {
        free(v->b[i].field);
    }
    free(v->b);
    free(v->encoded);
    free(v->scratch);
}

/* key's bucket, created when new; NULL when out of memory. */
static struct vbucket *vbucket_for(struct batch_hll *v, const char *key,
                                   char type, uint64_t expire)
{
    for (size_t i = 0; i < v->n; i++) {
        if (v->b[i].type == type && strcmp(v->b[i].key, key) == 0) {
            if (v->b[i].expire_at < expire) {
                v->b[i].expire_at = expire;
            }
            return &v->b[i];
        }
    }
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 4;
        struct vbucket *nb = realloc(v->b, ncap * sizeof(*nb));
        if (nb == NULL) {
            return NULL;
        }
        memset(nb + v->cap, 0, (ncap - v->cap) * sizeof(*nb));
        v->b = nb;
        v->cap = ncap;
    }
    struct vbucket *b = &v->b[v->n++];
    snprintf(b->key, sizeof(b->key), "%s", key);
    b->type = type;
    b->expire_at = expire;
    b->n = 0;
    return b;
}

static int vbucket_add(struct vbucket *b, const char *area, size_t area_len,
                       const struct sketch *s)
{
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 4;
        struct vfield *nf = realloc(b->field, ncap * sizeof(*nf));
        if (nf == NULL) {
            return -1;
        }
        b->field = nf;
        b->cap = ncap;
    }
    b->field[b->n++] = (struct vfield){area, area_len, s};
    return 0;
}

/* Files s under the bucket key of granularity g of kind ("uv", "uva"). */
static int file_bucket(struct batch_hll *v, const struct batch_params *p,
                       const struct counts_key *k, const char *kind,
                       enum keys_gran g, char type, const struct sketch *s)
{
    char key[KEYS_MAX];
    time_t t = (time_t)k->minute * 60;
    struct vbucket *b;

    if (keys_bucket(key, sizeof(key), p->prefix, k->site, k->site_len, kind,
                    g, t) < 0 ||
        (b = vbucket_for(v, key, type, batch_expire_at(p, g, t))) == NULL) {
        return -1;
    }
    return type == 'a' ? vbucket_add(b, k->member, k->member_len, s)
                       : vbucket_add(b, NULL, 0, s);
}

static int file_recipients(struct batch_hll *v, const struct batch_params *p,
                           const struct counts_key *k, const struct sketch *s)
{
    char key[KEYS_MAX];
    const char *campaign, *rest;
    size_t campaign_len, rest_len;
    struct vbucket *b;

    if (counts_mail_member(k, &campaign, &campaign_len, &rest, &rest_len) <
            0 ||
        keys_mail(key, sizeof(key), p->prefix, k->site, k->site_len, campaign,
                  campaign_len, k->dim == COUNTS_MAIL_OPENER ? "uo" : "uc") <
            0 ||
        (b = vbucket_for(v, key, 'p',
                         batch_expire_at(p, KEYS_DAY,
                                         (time_t)k->minute * 60))) == NULL) {
        return -1;
    }
    return vbucket_add(b, NULL, 0, s);
}

int batch_hll_sketch(struct batch_hll *v, const struct batch_params *p,
                     const struct counts_key *k, const struct sketch *s)
{
    switch (k->dim) {
    case COUNTS_UV:
        return k->member_len != 0 ||
                       file_bucket(v, p, k, "uv", KEYS_HOUR, 'p', s) < 0 ||
                       file_bucket(v, p, k, "uv", KEYS_DAY, 'p', s) < 0
                   ? -1
                   : 0;
    case COUNTS_UVA:
        return k->member_len == 0
                   ? -1
                   : file_bucket(v, p, k, "uva", KEYS_DAY, 'a', s);
    case COUNTS_MAIL_OPENER:
    case COUNTS_MAIL_CLICKER:
        return file_recipients(v, p, k, s);
    default:
        return -1;
    }
}

int batch_hll_calls(struct batch_hll *v, struct site_calls *c)
{
    if (v->encoded == NULL) {
        v->encoded = malloc(HLL_DENSE_BYTES);
        v->scratch = malloc(HLL_REGISTERS);
        if (v->encoded == NULL || v->scratch == NULL) {
            return -1;
        }
    }
    for (size_t i = 0; i < v->n; i++) {
        const struct vbucket *b = &v->b[i];
        if (site_calls_key(c, b->type, b->expire_at, b->key) < 0) {
            return -1;
        }
        /* "p": (HyperLogLog, unused); "a": (area, HyperLogLog) */
        for (size_t f = 0; f < b->n; f++) {
            size_t len = sketch_encode(b->field[f].s, v->encoded, v->scratch);
            if ((b->type == 'a'
                     ? site_calls_pair(c, b->field[f].area,
                                       b->field[f].area_len, v->encoded, len)
                     : site_calls_pair(c, v->encoded, len, "", 0)) < 0) {
                return -1;
            }
        }
    }
    return 0;
}
