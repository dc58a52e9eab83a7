/*
 * batch.c: turns merged minute-grained aggregates into the per-site
 * EVALSHA calls of apply_script.h.
 *
 * Each table entry (site, dimension, minute, member) expands into the keys
 * of SPEC 5 for every granularity it belongs to; entries of the same hour
 * or day fold into one field. HyperLogLog sketches go their own way
 * (batch_hll.c); site_calls.c cuts a site's operations into calls.
 *
 * The operations come out in an order that depends only on what the table
 * holds, never on its layout or on the configuration's retention: a batch
 * rebuilt from the log after a crash is cut into the same calls.
 */
#include "aggregator/batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregator/argbuf.h"
#include "aggregator/batch_hll.h"
#include "aggregator/counts.h"
#include "aggregator/site_calls.h"
#include "aggregator/table.h"
#include "proto/hit.h"
#include "proto/keys.h"

/*
 * Operation keys in the per-site scratch table:
 *   type | redis key | NUL | expire-at (u64 BE) | field
 * type is 'h' (HINCRBY), 'z' (ZINCRBY) or 'x' (ZADD GT: the count is a
 * time, the latest wins). A campaign's keys expire with their last day
 * of activity: one key can come with two expiry times, each a group of
 * its own, the later one applied last.
 */
#define OP_EXPIRE 8

static int op_key(char buf[TABLE_KEY_MAX], char type, uint64_t expire_at,
                  const char *key, const char *field, size_t field_len)
{
    size_t klen = strlen(key);
    if (1 + klen + 1 + OP_EXPIRE + field_len > TABLE_KEY_MAX) {
        return -1;
    }
    char *p = buf;
    *p++ = type;
    memcpy(p, key, klen + 1);
    p += klen + 1;
    for (int i = 0; i < OP_EXPIRE; i++) {
        *p++ = (char)(expire_at >> (56 - 8 * i));
    }
    memcpy(p, field, field_len);
    return (int)(p - buf + field_len);
}

static int op_add(struct table *ops, char type, uint64_t expire_at,
                  const char *key, const char *field, size_t field_len,
                  uint64_t count)
{
    char buf[TABLE_KEY_MAX];
    int n = op_key(buf, type, expire_at, key, field, field_len);
    return n < 0 || table_add(ops, buf, (size_t)n, count) < 0 ? -1 : 0;
}

static int op_latest(struct table *ops, uint64_t expire_at, const char *key,
                     const char *field, size_t field_len, uint64_t when)
{
    char buf[TABLE_KEY_MAX];
    int n = op_key(buf, 'x', expire_at, key, field, field_len);
    return n < 0 || table_max(ops, buf, (size_t)n, when) < 0 ? -1 : 0;
}

static const uint64_t gran_seconds[] = {
    [KEYS_MINUTE] = 60, [KEYS_HOUR] = 3600, [KEYS_DAY] = 86400};

uint64_t batch_expire_at(const struct batch_params *p, enum keys_gran g,
                         time_t t)
{
    uint64_t len = gran_seconds[g];
    uint64_t end = ((uint64_t)t / len + 1) * len;
    switch (g) {
    case KEYS_MINUTE:
        return end + p->retention_minute_s;
    case KEYS_HOUR:
        return end + p->retention_hour_s;
    default:
        return end + p->retention_day_s;
    }
}

static const char *const zset_kind[COUNTS_DIM_COUNT] = {
    [COUNTS_PAGE] = "pages", [COUNTS_REF] = "refs",  [COUNTS_UTM] = "utm",
    [COUNTS_EVENT] = "ev"};

/* Adds count to field of the tot bucket keys (minute, hour, day) of t. */
static int add_tot(struct table *ops, const struct batch_params *p,
                   const struct counts_key *k, time_t t, const char *field,
                   uint64_t count)
{
    char key[KEYS_MAX];
    for (enum keys_gran g = KEYS_MINUTE; g <= KEYS_DAY; g++) {
        if (keys_bucket(key, sizeof(key), p->prefix, k->site, k->site_len,
                        "tot", g, t) < 0 ||
            op_add(ops, 'h', batch_expire_at(p, g, t), key, field, strlen(field),
                   count) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Counts the hits of a pageviews or events entry (member "device/browser")
 * under their device class and browser family. */
static int add_device_browser(struct table *ops, const struct batch_params *p,
                              const struct counts_key *k, time_t t,
                              uint64_t count)
{
    const char *slash = memchr(k->member, '/', k->member_len);
    if (slash == NULL) {
        return -1;
    }
    size_t dev_len = (size_t)(slash - k->member);
    const struct {
        const char *kind, *name;
        size_t len;
    } sets[] = {
        {"dev", k->member, dev_len},
        {"br", slash + 1, k->member_len - dev_len - 1},
    };
    char key[KEYS_MAX];
    for (size_t i = 0; i < 2; i++) {
        for (enum keys_gran g = KEYS_HOUR; g <= KEYS_DAY; g++) {
            if (keys_bucket(key, sizeof(key), p->prefix, k->site, k->site_len,
                            sets[i].kind, g, t) < 0 ||
                op_add(ops, 'z', batch_expire_at(p, g, t), key, sets[i].name,
                       sets[i].len, count) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* The name of an open class from its letter in a MAIL_OPEN member. */
static const char *open_field(char letter)
{
    switch (letter) {
    case 'h': return "opens_human";
    case 'm': return "opens_machine";
    case 'p': return "opens_proxy";
    case 's': return "opens_scanner";
    default: return NULL;
    }
}

/*
 * Expands an e-mail entry (but unique openers and clickers, see
 * mail_recipient_add). Campaign keys have no time in their name; they live
 * as long as a day bucket of their last activity.
 */
static int expand_mail(struct table *ops, const struct batch_params *p,
                       const struct counts_key *k, uint64_t count)
{
    char key[KEYS_MAX];
    const char *campaign, *rest;
    size_t campaign_len, rest_len;
    time_t t = (time_t)k->minute * 60;
    uint64_t at = batch_expire_at(p, KEYS_DAY, t);

    if (counts_mail_member(k, &campaign, &campaign_len, &rest, &rest_len) < 0) {
        return -1;
    }
    if (k->dim == COUNTS_MAIL_SEEN) {
        unsigned sec = (unsigned char)rest[0];
        return sec > 59 ||
                       keys_mail_index(key, sizeof(key), p->prefix, k->site,
                                       k->site_len) < 0 ||
                       op_latest(ops, at, key, campaign, campaign_len,
                                 (uint64_t)t + sec) < 0
                   ? -1
                   : 0;
    }
    if (keys_mail(key, sizeof(key), p->prefix, k->site, k->site_len, campaign,
                  campaign_len, "tot") < 0) {
        return -1;
    }
    if (k->dim == COUNTS_MAIL_OPEN) {
        const char *field = open_field(rest[0]);
        return field == NULL ||
                       op_add(ops, 'h', at, key, "opens", 5, count) < 0 ||
                       op_add(ops, 'h', at, key, field, strlen(field),
                              count) < 0 ||
                       add_tot(ops, p, k, t, "opens", count) < 0
                   ? -1
                   : 0;
    }
    if (op_add(ops, 'h', at, key, "clicks", 6, count) < 0 ||
        keys_mail(key, sizeof(key), p->prefix, k->site, k->site_len, campaign,
                  campaign_len, "links") < 0 ||
        op_add(ops, 'z', at, key, rest, rest_len, count) < 0) {
        return -1;
    }
    return add_tot(ops, p, k, t, "clicks", count);
}

/* Expands one aggregate entry into operations on SPEC 5 keys. */
static int expand(struct table *ops, const struct batch_params *p,
                  const struct counts_key *k, uint64_t count)
{
    char key[KEYS_MAX];
    char field[4];
    time_t t = (time_t)k->minute * 60;

    if (k->dim == COUNTS_MAIL_OPEN || k->dim == COUNTS_MAIL_CLICK ||
        k->dim == COUNTS_MAIL_SEEN) {
        return expand_mail(ops, p, k, count);
    }
    if (k->dim == COUNTS_PAGEVIEWS || k->dim == COUNTS_EVENTS) {
        const char *name = k->dim == COUNTS_PAGEVIEWS ? "pageviews" : "events";
        if (add_tot(ops, p, k, t, name, count) < 0 ||
            add_device_browser(ops, p, k, t, count) < 0) {
            return -1;
        }
        if (k->dim == COUNTS_EVENTS) {
            return 0;
        }
        for (enum keys_gran g = KEYS_HOUR; g <= KEYS_DAY; g++) {
            int n = keys_series_field(field, sizeof(field), g, t);
            if (n < 0 ||
                keys_series(key, sizeof(key), p->prefix, k->site, k->site_len,
                            g, t) < 0 ||
                op_add(ops, 'h', batch_expire_at(p, g, t), key, field, (size_t)n,
                       count) < 0) {
                return -1;
            }
        }
        return 0;
    }
    for (enum keys_gran g = KEYS_HOUR; g <= KEYS_DAY; g++) {
        if (keys_bucket(key, sizeof(key), p->prefix, k->site, k->site_len,
                        zset_kind[k->dim], g, t) < 0 ||
            op_add(ops, 'z', batch_expire_at(p, g, t), key, k->member,
                   k->member_len, count) < 0) {
            return -1;
        }
        /* A page's views are its area's (the area is the path's). */
        if (k->dim == COUNTS_PAGE) {
            struct span area = hit_area(k->member, k->member_len);
            if (keys_bucket(key, sizeof(key), p->prefix, k->site,
                            k->site_len, "areas", g, t) < 0 ||
                op_add(ops, 'z', batch_expire_at(p, g, t), key, area.p, area.len,
                       count) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    const struct table_entry *x = *(const struct table_entry *const *)a;
    const struct table_entry *y = *(const struct table_entry *const *)b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c != 0) {
        return c;
    }
    return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* Largest count first; ties by key, so the order is reproducible. */
static int cmp_count_desc(const void *a, const void *b)
{
    const struct table_entry *x = *(const struct table_entry *const *)a;
    const struct table_entry *y = *(const struct table_entry *const *)b;
    if (x->count != y->count) {
        return x->count < y->count ? 1 : -1;
    }
    return cmp_key(a, b);
}

/* Length of the "type | key NUL | expire-at" prefix of an operation key. */
static size_t op_group_len(const struct table_entry *e)
{
    const char *nul = memchr(e->key + 1, '\0', e->key_len - 1);
    return (size_t)(nul - e->key) + 1 + OP_EXPIRE;
}

static int same_group(const struct table_entry *a, const struct table_entry *b)
{
    size_t n = op_group_len(a);
    return op_group_len(b) == n && memcmp(a->key, b->key, n) == 0;
}

/*
 * Appends the operations ops[0..n) of one key. A sorted set's members go
 * largest count first: the script keeps a key's first max_members members
 * (apply_script.h), so when a flush meets the cap, the members it lets in
 * are that flush's most frequent.
 */
static int add_group(struct site_calls *c, const struct table_entry **ops,
                     size_t n)
{
    const struct table_entry *e = ops[0];
    const char *key = e->key + 1;
    size_t g = op_group_len(e);
    uint64_t at = 0;

    for (size_t b = g - OP_EXPIRE; b < g; b++) {
        at = at << 8 | (unsigned char)e->key[b];
    }
    if (e->key[0] != 'h') {
        qsort(ops, n, sizeof(*ops), cmp_count_desc);
    }
    if (site_calls_key(c, e->key[0], at, key) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (site_calls_count(c, ops[i]->key + g, ops[i]->key_len - g,
                             ops[i]->count) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Appends the calls of one site: its operations, then its HyperLogLogs. */
static int site_cmds(struct batch *b, const struct table *ops,
                     struct batch_hll *hll, const char *site,
                     size_t site_len, const struct batch_params *p)
{
    size_t n = table_count(ops);
    const struct table_entry **e = malloc((n ? n : 1) * sizeof(*e));
    struct site_calls c;
    char key[KEYS_MAX];
    int rc = -1;

    if (e == NULL ||
        keys_applied(key, sizeof(key), p->prefix, site, site_len,
                     p->applied_as) < 0 ||
        site_calls_begin(&c, b, p, key, b->seq) < 0) {
        free(e);
        return -1;
    }
    table_entries(ops, e);
    qsort(e, n, sizeof(*e), cmp_key);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_group(e[i], e[j])) {
            j++;
        }
        if (add_group(&c, e + i, j - i) < 0) {
            goto out;
        }
        i = j;
    }
    if (batch_hll_calls(hll, &c) < 0 || site_calls_end(&c) < 0) {
        goto out;
    }
    rc = 0;
out:
    site_calls_free(&c);
    free(e);
    return rc;
}

/* The entries of one site, found by hashing instead of sorting them all. */
struct site_group {
    const char *site; /* in the table key: not NUL-terminated */
    size_t len;
    size_t start, count; /* range in the grouped entry order */
};

static int group_cmp(const void *a, const void *b)
{
    const struct site_group *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->site, y->site, n);
    return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

static uint64_t site_hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a: sites are short */
    for (size_t i = 0; i < len; i++) {
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    }
    return h;
}

/*
 * Groups the entries by site: *out_order gets the entries site by site,
 * *out_groups the sites in byte order (so commands come out in a stable
 * order). Returns the number of sites, or -1 when out of memory.
 */
static long group_by_site(const struct table_entry *const *e, size_t n,
                          const struct table_entry ***out_order,
                          struct site_group **out_groups)
{
    size_t cap = 16;
    while (cap < 2 * n) {
        cap *= 2;
    }
    long *slot = malloc(cap * sizeof(*slot));
    size_t *gid = malloc((n ? n : 1) * sizeof(*gid));
    struct site_group *g = malloc((n ? n : 1) * sizeof(*g));
    const struct table_entry **order = malloc((n ? n : 1) * sizeof(*order));
    size_t n_groups = 0;

    if (slot == NULL || gid == NULL || g == NULL || order == NULL) {
        goto err;
    }
    memset(slot, -1, cap * sizeof(*slot));
    for (size_t i = 0; i < n; i++) {
        const char *site = e[i]->key + 1;
        size_t len = (unsigned char)e[i]->key[0];
        size_t h = (size_t)site_hash(site, len) & (cap - 1);
        while (slot[h] >= 0 &&
               !(g[slot[h]].len == len &&
                 memcmp(g[slot[h]].site, site, len) == 0)) {
            h = (h + 1) & (cap - 1);
        }
        if (slot[h] < 0) {
            slot[h] = (long)n_groups;
            g[n_groups++] = (struct site_group){site, len, 0, 0};
        }
        gid[i] = (size_t)slot[h];
        g[gid[i]].count++;
    }
    /* Sort the sites, then lay the entries out in that order. */
    size_t *rank = (size_t *)slot; /* reuse: cap >= n_groups */
    for (size_t i = 0; i < n_groups; i++) {
        g[i].start = i; /* remember the old index through the sort */
    }
    qsort(g, n_groups, sizeof(*g), group_cmp);
    size_t at = 0;
    for (size_t i = 0; i < n_groups; i++) {
        rank[g[i].start] = i;
        g[i].start = at;
        at += g[i].count;
        g[i].count = 0;
    }
    for (size_t i = 0; i < n; i++) {
        struct site_group *s = &g[rank[gid[i]]];
        order[s->start + s->count++] = e[i];
    }
    free(slot);
    free(gid);
    *out_order = order;
    *out_groups = g;
    return (long)n_groups;
err:
    free(slot);
    free(gid);
    free(g);
    free(order);
    return -1;
}

static int sites_cmd(struct batch_cmd *cmd, const struct site_group *g,
                     size_t n_groups, const struct batch_params *p)
{
    struct argbuf a = {0};
    char key[KEYS_MAX];

    if (keys_sites(key, sizeof(key), p->prefix) < 0 ||
        argbuf_str(&a, "SADD") < 0 || argbuf_str(&a, key) < 0) {
        goto err;
    }
    for (size_t i = 0; i < n_groups; i++) {
        if (argbuf_add(&a, g[i].site, g[i].len) < 0) {
            goto err;
        }
    }
    if (argbuf_finish(&a, cmd) < 0) {
        goto err;
    }
    return 0;
err:
    argbuf_free(&a);
    return -1;
}

static size_t cmd_bytes(const struct batch_cmd *c)
{
    size_t n = (size_t)c->argc * (sizeof(*c->argv) + sizeof(*c->argvlen));
    for (int i = 0; i < c->argc; i++) {
        n += c->argvlen[i];
    }
    return n;
}

struct batch *batch_build(const struct table *counts, uint64_t seq,
                          const struct batch_params *p, char *err,
                          size_t errlen)
{
    size_t n = table_count(counts);
    const struct table_entry **e = malloc((n ? n : 1) * sizeof(*e));
    const struct table_entry **order = NULL;
    struct site_group *g = NULL;
    struct table *ops = table_create();
    struct batch_hll hll = {0};
    struct batch *b = calloc(1, sizeof(*b));
    long n_groups;

    snprintf(err, errlen, "out of memory");
    if (e == NULL || ops == NULL || b == NULL) {
        goto err;
    }
    b->seq = seq;
    b->keys = (int64_t)n;
    table_entries(counts, e);
    n_groups = group_by_site(e, n, &order, &g);
    if (n_groups < 0) {
        goto err;
    }
    for (long s = 0; s < n_groups; s++) {
        /* e, done with, collects the site's sketches */
        size_t n_sketches = 0;
        table_reset(ops);
        batch_hll_reset(&hll);
        for (size_t j = g[s].start; j < g[s].start + g[s].count; j++) {
            struct counts_key k;
            if (order[j]->kind == TABLE_SKETCH) {
                e[n_sketches++] = order[j];
            } else if (counts_key_decode(order[j]->key, order[j]->key_len,
                                         &k) < 0) {
                snprintf(err, errlen, "undecodable aggregate key");
                goto err;
            } else if (expand(ops, p, &k, order[j]->count) < 0) {
                snprintf(err, errlen, "cannot expand aggregate key");
                goto err;
            }
        }
        /* merged in key order: the calls' cut never depends on the
         * table's layout */
        qsort(e, n_sketches, sizeof(*e), cmp_key);
        for (size_t j = 0; j < n_sketches; j++) {
            struct counts_key k;
            if (counts_key_decode(e[j]->key, e[j]->key_len, &k) < 0) {
                snprintf(err, errlen, "undecodable aggregate key");
                goto err;
            }
            if (batch_hll_sketch(&hll, p, &k, e[j]->sketch) < 0) {
                snprintf(err, errlen, "cannot expand aggregate key");
                goto err;
            }
        }
        char site_z[256];
        memcpy(site_z, g[s].site, g[s].len);
        site_z[g[s].len] = '\0';
        if (site_cmds(b, ops, &hll, site_z, g[s].len, p) < 0) {
            goto err;
        }
    }
    struct batch_cmd *sadd;
    if (n_groups > 0 && ((sadd = batch_next_cmd(b)) == NULL ||
                         sites_cmd(sadd, g, (size_t)n_groups, p) < 0)) {
        goto err;
    }
    b->n_cmds += n_groups > 0;
    for (size_t i = 0; i < b->n_cmds; i++) {
        b->bytes += cmd_bytes(&b->cmds[i]);
    }
    free(e);
    free(order);
    free(g);
    batch_hll_free(&hll);
    table_destroy(ops);
    return b;
err:
    free(e);
    free(order);
    free(g);
    batch_hll_free(&hll);
    table_destroy(ops);
    batch_destroy(b);
    return NULL;
}

struct batch_cmd *batch_next_cmd(struct batch *b)
{
    if (b->n_cmds == b->cmds_cap) {
        size_t ncap = b->cmds_cap ? b->cmds_cap * 2 : 4;
        struct batch_cmd *nc = realloc(b->cmds, ncap * sizeof(*nc));
        if (nc == NULL) {
            return NULL;
        }
        b->cmds = nc;
        b->cmds_cap = ncap;
    }
    memset(&b->cmds[b->n_cmds], 0, sizeof(b->cmds[0]));
    return &b->cmds[b->n_cmds];
}

void batch_destroy(struct batch *b)
{
    if (b == NULL) {
        return;
    }
    for (size_t i = 0; i < b->n_cmds; i++) {
        free(b->cmds[i].argv);
        free(b->cmds[i].argvlen);
        free(b->cmds[i].strings);
    }
    free(b->cmds);
    free(b);
}
