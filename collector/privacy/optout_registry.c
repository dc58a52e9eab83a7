/*
 * optout_registry.c: see optout_registry.h.
 *
 * Snapshots are immutable sorted arrays. A worker announces the snapshot
 * it reads in its hazard slot (and checks it is still current); the
 * flusher thread frees a retired snapshot only when no hazard slot holds
 * it. No lock is taken on the lookup path.
 */
#include "collector/privacy/optout_registry.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <llhttp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "collector/router.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "common/log.h"
#include "proto/clicklink.h"
#include "proto/hit.h"
#include "proto/keys.h"
#include "proto/percent.h"
#include "proto/query.h"

struct optout_snapshot {
    struct optout_snapshot *next_retired;
    size_t n;
    struct optout_entry e[];
};

/* One refresh: SMEMBERS P:sites, then SMEMBERS P:{S}:optout per site. */
struct optout_refresh {
    struct optout_registry *r;
    struct optout_entry *got;
    size_t n_got, cap;
    int due;
    int failed;
    struct optout_site_query {
        struct optout_refresh *rf;
        char site[HIT_SITE_MAX + 1];
    } *sites;
    size_t n_sites;
};

static int entry_cmp(const void *a, const void *b)
{
    const struct optout_entry *x = a, *y = b;
    int c = memcmp(x->hash, y->hash, OPTOUT_HASH_BYTES);
    if (c != 0) {
        return c;
    }
    if (x->site_len != y->site_len) {
        return x->site_len < y->site_len ? -1 : 1;
    }
    return memcmp(x->site, y->site, x->site_len);
}

static struct optout_snapshot *snapshot_new(const struct optout_entry *a,
                                            size_t na,
                                            const struct optout_entry *b,
                                            size_t nb)
{
    struct optout_snapshot *s =
        malloc(sizeof(*s) + (na + nb) * sizeof(s->e[0]));
    if (s == NULL) {
        return NULL;
    }
    s->next_retired = NULL;
    if (na > 0) {
        memcpy(s->e, a, na * sizeof(s->e[0]));
    }
    if (nb > 0) {
        memcpy(s->e + na, b, nb * sizeof(s->e[0]));
    }
    s->n = na + nb;
    qsort(s->e, s->n, sizeof(s->e[0]), entry_cmp);
    return s;
}

int optout_registry_has(struct optout_registry *r, int reader,
                        const char *site, size_t site_len,
                        const uint8_t hash[OPTOUT_HASH_BYTES])
{
    struct optout_snapshot *s;
    struct optout_entry key;
    int found;

    if (site_len > sizeof(key.site)) {
        return 0;
    }
    /* Hazard pointer: publish what we read, then make sure it is still
     * current, so the flusher cannot have retired it before it saw us. */
    do {
        s = atomic_load(&r->current);
        atomic_store(&r->hazard[reader], s);
    } while (atomic_load(&r->current) != s);
    memcpy(key.hash, hash, OPTOUT_HASH_BYTES);
    key.site_len = (uint8_t)site_len;
    memcpy(key.site, site, site_len);
    found = s != NULL &&
            bsearch(&key, s->e, s->n, sizeof(s->e[0]), entry_cmp) != NULL;
    atomic_store_explicit(&r->hazard[reader], NULL, memory_order_release);
    return found;
}

static void free_unused_retired(struct optout_registry *r)
{
    struct optout_snapshot **pp = &r->retired;
    while (*pp != NULL) {
        struct optout_snapshot *s = *pp;
        int used = 0;
        for (int i = 0; i < r->n_readers && !used; i++) {
            used = atomic_load(&r->hazard[i]) == s;
        }
        if (used) {
            pp = &s->next_retired;
        } else {
            *pp = s->next_retired;
            free(s);
        }
    }
}

/* Publishes what Redis had plus what was added here and not yet
 * confirmed, so an opt-out takes effect on this instance at once. */
static void publish(struct optout_registry *r)
{
    struct optout_entry *pend;
    int n;

    uint64_t gen;
    pthread_mutex_lock(&r->mu);
    n = r->n_pending;
    gen = r->pending_gen;
    pend = n > 0 ? malloc((size_t)n * sizeof(*pend)) : NULL;
    if (pend != NULL) {
        memcpy(pend, r->pending, (size_t)n * sizeof(*pend));
    }
    pthread_mutex_unlock(&r->mu);
    if (n > 0 && pend == NULL) {
        return; /* out of memory: try again next tick */
    }
    const struct optout_snapshot *f = r->fetched;
    struct optout_snapshot *s =
        snapshot_new(f ? f->e : NULL, f ? f->n : 0, pend, (size_t)n);
    free(pend);
    if (s == NULL) {
        return;
    }
    struct optout_snapshot *old = atomic_exchange(&r->current, s);
    if (old != NULL) {
        old->next_retired = r->retired;
        r->retired = old;
    }
    r->published_gen = gen;
    free_unused_retired(r);
}

static void refresh_free(struct optout_refresh *rf)
{
    if (rf != NULL) {
        free(rf->got);
        free(rf->sites);
        free(rf);
    }
}

static void refresh_done(struct optout_refresh *rf)
{
    struct optout_registry *r = rf->r;
    r->refresh = NULL;
    if (!rf->failed) {
        struct optout_snapshot *s = snapshot_new(rf->got, rf->n_got, NULL, 0);
        if (s != NULL) {
            free(r->fetched);
            r->fetched = s;
            publish(r);
        }
    }
    refresh_free(rf);
}

/* Hex of a 16-byte hash, the form stored in Redis. */
static int hash_from_hex(const char *s, size_t len,
                         uint8_t out[OPTOUT_HASH_BYTES])
{
    size_t n;
    return len == 2 * OPTOUT_HASH_BYTES &&
                   sodium_hex2bin(out, OPTOUT_HASH_BYTES, s, len, NULL, &n,
                                  NULL) == 0 &&
                   n == OPTOUT_HASH_BYTES
               ? 0
               : -1;
}

static void on_site_members(redisAsyncContext *ac, void *rep, void *priv)
{
    struct optout_site_query *q = priv;
    struct optout_refresh *rf = q->rf;
    redisReply *reply = rep;
    (void)ac;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
        rf->failed = 1;
    } else {
        for (size_t i = 0; i < reply->elements; i++) {
            redisReply *m = reply->element[i];
            struct optout_entry e;
            if (m->type != REDIS_REPLY_STRING ||
                hash_from_hex(m->str, m->len, e.hash) < 0) {
                continue; /* not ours: ignore */
            }
            if (rf->n_got == rf->cap) {
                size_t ncap = rf->cap ? rf->cap * 2 : 64;
                struct optout_entry *g = realloc(rf->got, ncap * sizeof(*g));
                if (g == NULL) {
                    rf->failed = 1;
                    break;
                }
                rf->got = g;
                rf->cap = ncap;
            }
            e.site_len = (uint8_t)strlen(q->site);
            memcpy(e.site, q->site, e.site_len);
            rf->got[rf->n_got++] = e;
        }
    }
    if (--rf->due == 0) {
        refresh_done(rf);
    }
}

static void on_sites(redisAsyncContext *ac, void *rep, void *priv)
{
    struct optout_refresh *rf = priv;
    redisReply *reply = rep;
    (void)ac;

    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY ||
        reply->elements == 0) {
        if (reply != NULL && reply->type == REDIS_REPLY_ARRAY) {
            rf->got = NULL; /* no sites: an empty registry */
            rf->due = 1;
            rf->n_got = 0;
            refresh_done(rf);
            return;
        }
        rf->r->refresh = NULL;
        refresh_free(rf);
        return;
    }
    rf->sites = calloc(reply->elements, sizeof(*rf->sites));
    if (rf->sites == NULL) {
        rf->r->refresh = NULL;
        refresh_free(rf);
        return;
    }
    for (size_t i = 0; i < reply->elements; i++) {
        redisReply *m = reply->element[i];
        if (m->type != REDIS_REPLY_STRING ||
            !hit_valid_site(m->str, m->len)) {
            continue;
        }
        struct optout_site_query *q = &rf->sites[rf->n_sites++];
        q->rf = rf;
        memcpy(q->site, m->str, m->len);
        q->site[m->len] = '\0';
    }
    rf->due = (int)rf->n_sites + 1;
    for (size_t i = 0; i < rf->n_sites; i++) {
        char key[KEYS_MAX];
        redisAsyncContext *c =
            keys_optout(key, sizeof(key), rf->r->prefix, rf->sites[i].site,
                        strlen(rf->sites[i].site)) < 0
                ? NULL
                : redis_pool_ctx(rf->r->pool, key);
        if (c == NULL || redisAsyncCommand(c, on_site_members, &rf->sites[i],
                                           "SMEMBERS %s", key) != REDIS_OK) {
            rf->failed = 1;
            rf->due--;
        }
    }
    if (--rf->due == 0) {
        refresh_done(rf);
    }
}

static void on_sadd(redisAsyncContext *ac, void *rep, void *priv)
{
    struct optout_registry *r = priv;
    redisReply *reply = rep;
    (void)ac;
    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        r->sadd_failed = 1;
    }
    if (--r->sadd_due > 0) {
        return;
    }
    if (!r->sadd_failed) {
        /* In Redis now. Keep them in what this instance knows until a
         * refresh reads them back, so there is no moment without them. */
        pthread_mutex_lock(&r->mu);
        const struct optout_snapshot *f = r->fetched;
        struct optout_snapshot *s = snapshot_new(
            f ? f->e : NULL, f ? f->n : 0, r->pending, (size_t)r->sadd_n);
        if (s != NULL) {
            free(r->fetched);
            r->fetched = s;
            memmove(r->pending, r->pending + r->sadd_n,
                    (size_t)(r->n_pending - r->sadd_n) *
                        sizeof(r->pending[0]));
            r->n_pending -= r->sadd_n;
            r->pending_gen++;
        }
        pthread_mutex_unlock(&r->mu);
        r->last_refresh = 0; /* refresh at once */
    }
}

/* SADD key member (binary member), counted in sadd_due. */
static void sadd(struct optout_registry *r, const char *key, const void *member,
                 size_t len)
{
    redisAsyncContext *c = redis_pool_ctx(r->pool, key);
    if (c != NULL && redisAsyncCommand(c, on_sadd, r, "SADD %s %b", key, member,
                                       len) == REDIS_OK) {
        r->sadd_due++;
    } else {
        r->sadd_failed = 1;
    }
}

static void send_pending(struct optout_registry *r)
{
    char hex[2 * OPTOUT_HASH_BYTES + 1], key[KEYS_MAX], sites[KEYS_MAX];
    int n;

    keys_sites(sites, sizeof(sites), r->prefix);
    pthread_mutex_lock(&r->mu);
    n = r->n_pending;
    r->sadd_failed = 0;
    r->sadd_n = n;
    r->sadd_due = 0;
    for (int i = 0; i < n; i++) {
        const struct optout_entry *e = &r->pending[i];
        sodium_bin2hex(hex, sizeof(hex), e->hash, OPTOUT_HASH_BYTES);
        /* The site goes to P:sites too: refreshes read the opt-out sets
         * of the sites listed there, hits or not. */
        keys_optout(key, sizeof(key), r->prefix, e->site, e->site_len);
        sadd(r, key, hex, strlen(hex));
        sadd(r, sites, e->site, e->site_len);
    }
    pthread_mutex_unlock(&r->mu);
}

static void run(struct flusher_task *t, struct redis_pool *pool, time_t now)
{
    struct optout_registry *r = (struct optout_registry *)t;

    free_unused_retired(r);
    pthread_mutex_lock(&r->mu);
    int changed = r->pending_gen != r->published_gen;
    int have_pending = r->n_pending > 0;
    pthread_mutex_unlock(&r->mu);
    if (changed) {
        publish(r);
    }
    if (pool == NULL) {
        return;
    }
    r->pool = pool;
    if (have_pending && r->sadd_due == 0) {
        send_pending(r);
    }
    if (r->refresh == NULL && now - r->last_refresh >= OPTOUT_REFRESH_S) {
        struct optout_refresh *rf = calloc(1, sizeof(*rf));
        if (rf == NULL) {
            return;
        }
        rf->r = r;
        char key[KEYS_MAX];
        keys_sites(key, sizeof(key), r->prefix);
        redisAsyncContext *c = redis_pool_ctx(pool, key);
        if (c == NULL || redisAsyncCommand(c, on_sites, rf, "SMEMBERS %s",
                                           key) != REDIS_OK) {
            free(rf);
            return;
        }
        r->refresh = rf;
        r->last_refresh = now;
    }
}

int optout_registry_init(struct optout_registry *r, const char *prefix,
                         const unsigned char *key, int n_readers)
{
    memset(r, 0, sizeof(*r));
    if (n_readers > OPTOUT_MAX_READERS) {
        return -1;
    }
    r->task.run = run;
    r->prefix = prefix;
    r->n_readers = n_readers;
    if (key != NULL) {
        memcpy(r->key, key, sizeof(r->key));
        r->have_key = 1;
    }
    pthread_mutex_init(&r->mu, NULL);
    return 0;
}

void optout_registry_deinit(struct optout_registry *r)
{
    free(atomic_load(&r->current));
    while (r->retired != NULL) {
        struct optout_snapshot *s = r->retired;
        r->retired = s->next_retired;
        free(s);
    }
    free(r->fetched);
    /* A refresh still in flight was answered with NULL replies when the
     * flusher closed its connection, which freed it. */
    sodium_memzero(r->key, sizeof(r->key));
    pthread_mutex_destroy(&r->mu);
}

void optout_recipient_hash(const struct optout_registry *r, const char *token,
                           size_t len, uint8_t out[OPTOUT_HASH_BYTES])
{
    crypto_generichash(out, OPTOUT_HASH_BYTES, (const unsigned char *)token,
                       len, r->key, sizeof(r->key));
}

/* Decodes form field `name` of body into dst (cap bytes). */
static ssize_t form_field(struct span body, const char *name, char *dst,
                          size_t cap)
{
    struct span v;
    if (!query_find(body.p, body.len, name, &v)) {
        return -1;
    }
    return percent_decode(dst, cap, v.p, v.len, 1);
}

int optout_recipient(struct worker *w, const struct request *rq,
                     const struct ip_addr *peer, struct outbuf *out,
                     enum response_conn conn)
{
    struct optout_registry *r = &w->srv->optouts;
    struct span type = rq->header[HDR_CONTENT_TYPE];
    char site[HIT_SITE_MAX + 1], token[CLICKLINK_RECIPIENT_MAX + 1];
    struct optout_entry e;
    (void)peer;

    if (!r->have_key) {
        return router_plain(w, out, 503, NULL,
                            "no recipient_key is configured\n", 0, conn);
    }
    if (type.p != NULL &&
        !(type.len >= 33 &&
          strncasecmp(type.p, "application/x-www-form-urlencoded", 33) ==
              0)) {
        return router_plain(w, out, 415, NULL,
                            "send application/x-www-form-urlencoded\n", 0,
                            conn);
    }
    ssize_t ns = form_field(rq->body, "s", site, sizeof(site));
    ssize_t nr = form_field(rq->body, "r", token, sizeof(token));
    if (ns < 0 || !hit_valid_site(site, (size_t)ns)) {
        return router_plain(w, out, 400, NULL, "s: a site id is required\n",
                            0, conn);
    }
    if (nr < 0 || !clicklink_valid_recipient(token, (size_t)nr)) {
        return router_plain(w, out, 400, NULL,
                            "r: a recipient token is required\n", 0, conn);
    }
    optout_recipient_hash(r, token, (size_t)nr, e.hash);
    sodium_memzero(token, sizeof(token));
    e.site_len = (uint8_t)ns;
    memcpy(e.site, site, (size_t)ns);

    pthread_mutex_lock(&r->mu);
    int queued = r->n_pending < OPTOUT_PENDING_MAX;
    if (queued) {
        r->pending[r->n_pending++] = e;
        r->pending_gen++;
    }
    pthread_mutex_unlock(&r->mu);
    if (!queued) {
        return router_plain(w, out, 503, NULL,
                            "too many opt-outs waiting for Redis\n", 0, conn);
    }
    return router_plain(w, out, 204, NULL, NULL, 0, conn);
}
