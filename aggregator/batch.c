/*
 * batch.c: turns merged minute-grained aggregates into the per-site
 * EVALSHA commands of apply_script.h.
 *
 * Each table entry (site, dimension, minute, member) expands into the keys
 * of SPEC 5 for every granularity it belongs to; entries of the same hour
 * or day fold into one field, and sorted sets are capped at max_members.
 * HyperLogLog sketches go their own way (batch_hll.c); the arguments are
 * gathered in an argbuf (argbuf.c).
 */
#include "aggregator/batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregator/argbuf.h"
#include "aggregator/batch_hll.h"
#include "aggregator/counts.h"
#include "aggregator/table.h"
#include "proto/hit.h"
#include "proto/keys.h"

#define OTHER_MEMBER "(other)"

/*
 * Operation keys in the per-site scratch table:
 *   type | expire-at (u64 BE) | redis key | NUL | field
 * type is 'h' (HINCRBY), 'z' (ZINCRBY) or 'x' (ZADD GT: the count is a
 * time, the latest wins).
 */
#define OP_HDR 9

static int op_key(char buf[TABLE_KEY_MAX], char type, uint64_t expire_at,
                  const char *key, const char *field, size_t field_len)
{
    size_t klen = strlen(key);
    if (OP_HDR + klen + 1 + field_len > TABLE_KEY_MAX) {
        return -1;
    }
    buf[0] = type;
    for (int i = 0; i < 8; i++) {
        buf[1 + i] = (char)(expire_at >> (56 - 8 * i));
    }
    memcpy(buf + OP_HDR, key, klen);
    buf[OP_HDR + klen] = '\0';
    memcpy(buf + OP_HDR + klen + 1, field, field_len);
    return (int)(OP_HDR + klen + 1 + field_len);
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

/* Largest count first; ties by key, so the cut is reproducible. */
static int cmp_count_desc(const void *a, const void *b)
{
    const struct table_entry *x = *(const struct table_entry *const *)a;
    const struct table_entry *y = *(const struct table_entry *const *)b;
    if (x->count != y->count) {
        return x->count < y->count ? 1 : -1;
    }
    return cmp_key(a, b);
}

/* Length of the "type | expire | key NUL" prefix of an operation key. */
static size_t op_group_len(const struct table_entry *e)
{
    const char *nul = memchr(e->key + OP_HDR, '\0', e->key_len - OP_HDR);
    return (size_t)(nul - e->key) + 1;
}

static int same_group(const struct table_entry *a, const struct table_entry *b)
{
    size_t n = op_group_len(a);
    return op_group_len(b) == n && memcmp(a->key, b->key, n) == 0;
}

/*
 * Appends the (field, value) pairs of ops[0..n), the operations of one key
 * of type ('h', 'z' or 'x'), capping sorted sets at max_members: a 'z'
 * set's smallest counts go to "(other)"; an 'x' set keeps its latest
 * times and drops the rest (times do not add up). Returns the number of
 * pairs or -1.
 */
static long add_fields(struct argbuf *a, const struct table_entry **ops,
                       size_t n, char type, const struct batch_params *p)
{
    size_t keep = n;
    uint64_t other = 0;
    uint64_t max_members = p->max_members;

    if ((type == 'z' || type == 'x') && n > max_members) {
        qsort(ops, n, sizeof(*ops), cmp_count_desc);
        keep = (size_t)max_members;
        for (size_t i = keep; type == 'z' && i < n; i++) {
            other += ops[i]->count;
        }
    }
    for (size_t i = 0; i < keep; i++) {
        size_t g = op_group_len(ops[i]);
        if (argbuf_add(a, ops[i]->key + g, ops[i]->key_len - g) < 0 ||
            argbuf_u64(a, ops[i]->count) < 0) {
            return -1;
        }
    }
    if (other > 0) {
        if (argbuf_str(a, OTHER_MEMBER) < 0 || argbuf_u64(a, other) < 0) {
            return -1;
        }
        keep++;
    }
    return (long)keep;
}

/* Builds the EVALSHA of one site from its operations and HyperLogLog
 * members. */
static int site_cmd(struct batch_cmd *cmd, const struct table *ops,
                    struct batch_hll *hll, const char *site,
                    size_t site_len, uint64_t seq,
                    const struct batch_params *p)
{
    size_t n = table_count(ops);
    const struct table_entry **e = malloc((n ? n : 1) * sizeof(*e));
    struct argbuf a = {0};
    char key[KEYS_MAX];
    size_t n_keys = 0;
    int rc = -1;

    if (e == NULL) {
        return -1;
    }
    table_entries(ops, e);
    qsort(e, n, sizeof(*e), cmp_key);
    for (size_t i = 0; i < n; i++) {
        n_keys += i == 0 || !same_group(e[i - 1], e[i]);
    }
    n_keys += batch_hll_keys(hll);
    if (keys_applied(key, sizeof(key), p->prefix, site, site_len,
                     p->instance) < 0 ||
        argbuf_str(&a, "EVALSHA") < 0 || argbuf_str(&a, "(script sha)") < 0 ||
        argbuf_u64(&a, n_keys + 1) < 0 || argbuf_str(&a, key) < 0) {
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || !same_group(e[i - 1], e[i])) {
            if (argbuf_str(&a, e[i]->key + OP_HDR) < 0) {
                goto out;
            }
        }
    }
    if (batch_hll_key_args(hll, &a) < 0 || argbuf_u64(&a, seq) < 0 ||
        argbuf_u64(&a, p->retention_day_s) < 0 ||
        argbuf_u64(&a, p->max_areas) < 0) {
        goto out;
    }
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_group(e[i], e[j])) {
            j++;
        }
        uint64_t at = 0;
        for (int b = 0; b < 8; b++) {
            at = at << 8 | (unsigned char)e[i]->key[1 + b];
        }
        char type[2] = {e[i]->key[0], '\0'};
        /* n is known only after the cap: write a placeholder, patch it. */
        if (argbuf_str(&a, type) < 0 || argbuf_u64(&a, at) < 0 ||
            argbuf_str(&a, "0000000000") < 0) {
            goto out;
        }
        int n_slot = a.argc - 1;
        long pairs = add_fields(&a, e + i, j - i, type[0], p);
        if (pairs < 0) {
            goto out;
        }
        char num[24];
        int len = snprintf(num, sizeof(num), "%ld", pairs);
        memcpy(a.buf + a.off[n_slot], num, (size_t)len);
        a.arglen[n_slot] = (size_t)len;
        i = j;
    }
    if (batch_hll_op_args(hll, &a) < 0) {
        goto out;
    }
    rc = argbuf_finish(&a, cmd);
    if (rc == 0) {
        cmd->is_script = 1;
    }
out:
    if (rc < 0) {
        argbuf_free(&a);
    }
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
    /* One command per site plus the SADD of P:sites. */
    b->cmds = calloc((size_t)n_groups + 1, sizeof(*b->cmds));
    if (b->cmds == NULL) {
        goto err;
    }
    for (long s = 0; s < n_groups; s++) {
        table_reset(ops);
        batch_hll_reset(&hll);
        for (size_t j = g[s].start; j < g[s].start + g[s].count; j++) {
            struct counts_key k;
            if (counts_key_decode(order[j]->key, order[j]->key_len, &k) < 0) {
                snprintf(err, errlen, "undecodable aggregate key");
                goto err;
            }
            int rc = order[j]->kind == TABLE_SKETCH
                         ? batch_hll_sketch(&hll, p, &k, order[j]->sketch)
                         : expand(ops, p, &k, order[j]->count);
            if (rc < 0) {
                snprintf(err, errlen, "cannot expand aggregate key");
                goto err;
            }
        }
        char site_z[256];
        memcpy(site_z, g[s].site, g[s].len);
        site_z[g[s].len] = '\0';
        if (site_cmd(&b->cmds[b->n_cmds], ops, &hll, site_z, g[s].len, seq,
                     p) < 0) {
            goto err;
        }
        b->bytes += cmd_bytes(&b->cmds[b->n_cmds]);
        b->n_cmds++;
    }
    if (n_groups > 0) {
        if (sites_cmd(&b->cmds[b->n_cmds], g, (size_t)n_groups, p) < 0) {
            goto err;
        }
        b->bytes += cmd_bytes(&b->cmds[b->n_cmds]);
        b->n_cmds++;
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
