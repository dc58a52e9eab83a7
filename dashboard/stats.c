/*
 * stats.c: see stats.h.
 */
#include "dashboard/stats.h"

#include <hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/keys.h"

#define KEY_MAX 512 /* prefix, site, kind, day and a 256-byte area fit */
#define STATS_AREAS 50 /* [redis] max_areas' default: every area of a day */

/* The sorted sets summed over the range's day keys: kind in the key, name
 * in the JSON, members kept. */
static const struct top_list {
    const char *kind, *name;
    int members;
} tops[] = {
    {"pages", "pages", STATS_TOP},    {"refs", "referrers", STATS_TOP},
    {"utm", "utm", STATS_TOP},        {"ev", "events", STATS_TOP},
    {"dev", "devices", STATS_TOP},    {"br", "browsers", STATS_TOP},
    {"areas", "areas", STATS_AREAS},
};
#define N_TOPS (sizeof(tops) / sizeof(tops[0]))
#define AREAS_TOP (N_TOPS - 1)

/* ZUNIONSTORE into a scratch key, the top members, the scratch key gone:
 * one script, so no client ever sees the scratch key. */
static const char top_script[] =
    "redis.call('ZUNIONSTORE', KEYS[1], #KEYS - 1, unpack(KEYS, 2))\n"
    "local r = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1,"
    " 'WITHSCORES')\n"
    "redis.call('DEL', KEYS[1])\n"
    "return r\n";

static const char *const tot_fields[] = {"pageviews", "events", "opens",
                                         "clicks"};
#define N_TOT 4

static const char *const mail_fields[] = {
    "opens",        "opens_human",   "opens_machine",
    "opens_proxy",  "opens_scanner", "clicks",
};
#define N_MAIL 6

/* ---- a pipeline: commands appended, then their replies in order ---- */

struct pipe {
    redisContext *c;
    redisReply **rep;
    size_t n, cap;
    char *err;
    size_t errlen;
    int failed;
};

/* Appends a command of argc arguments (lengths from strlen). */
static void send_argv(struct pipe *p, int argc, const char **argv)
{
    if (p->failed) {
        return;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        redisReply **r = realloc(p->rep, cap * sizeof(*r));
        if (r == NULL) {
            snprintf(p->err, p->errlen, "out of memory");
            p->failed = 1;
            return;
        }
        p->rep = r;
        p->cap = cap;
    }
    if (redisAppendCommandArgv(p->c, argc, argv, NULL) != REDIS_OK) {
        snprintf(p->err, p->errlen, "redis: %s", p->c->errstr);
        p->failed = 1;
        return;
    }
    p->rep[p->n++] = NULL;
}

static void send_cmd(struct pipe *p, int argc, ...)
{
    const char *argv[8];
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++) {
        argv[i] = va_arg(ap, const char *);
    }
    va_end(ap);
    send_argv(p, argc, argv);
}

/* Reads the replies of every command appended since from. */
static int receive(struct pipe *p, size_t from)
{
    for (size_t i = from; i < p->n && !p->failed; i++) {
        void *r = NULL;
        if (redisGetReply(p->c, &r) != REDIS_OK) {
            snprintf(p->err, p->errlen, "redis: %s", p->c->errstr);
            p->failed = 1;
            break;
        }
        p->rep[i] = r;
        if (p->rep[i]->type == REDIS_REPLY_ERROR) {
            snprintf(p->err, p->errlen, "redis: %s", p->rep[i]->str);
            p->failed = 1;
        }
    }
    return p->failed ? -1 : 0;
}

static void pipe_free(struct pipe *p)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->rep[i] != NULL) {
            freeReplyObject(p->rep[i]);
        }
    }
    free(p->rep);
}

/* ---- replies ---- */

static long long reply_int(const redisReply *r)
{
    if (r == NULL) {
        return 0;
    }
    if (r->type == REDIS_REPLY_INTEGER) {
        return r->integer;
    }
    if (r->type == REDIS_REPLY_STRING) {
        return strtoll(r->str, NULL, 10); /* counts: whole numbers */
    }
    return 0;
}

static double ratio(long long a, long long b)
{
    /* four decimals, without libm */
    return b > 0 ? (double)(long long)((double)a / (double)b * 10000.0 + 0.5) /
                       10000.0
                 : 0.0;
}

/* [member, score, ...] -> [{"name": member, "count": score}, ...] */
static json_t *member_list(const redisReply *r)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && r != NULL &&
                       r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements;
         i += 2) {
        json_array_append_new(
            a, json_pack("{s:s%,s:I}", "name", r->element[i]->str,
                         (size_t)r->element[i]->len, "count",
                         (json_int_t)reply_int(r->element[i + 1])));
    }
    return a;
}

/* ---- keys ---- */

struct keys {
    const char *prefix;
    const struct stats_range *r;
};

/* P:{S}:kind:<g>:<stamp of t> (proto/keys.h). */
static void key(const struct keys *k, char *out, const char *kind,
                enum keys_gran g, time_t t)
{
    keys_bucket(out, KEY_MAX, k->prefix, k->r->site, strlen(k->r->site), kind,
                g, t);
}

static time_t day_start(int64_t day)
{
    return (time_t)(day * 86400);
}

/* One key per day of [from, to]: kind:d:<day><suffix>. */
static char **day_keys(const struct keys *k, const char *kind, int64_t from,
                       int64_t to, const char *suffix)
{
    size_t n = (size_t)(to - from + 1);
    char **v = malloc(n * sizeof(*v) + n * KEY_MAX);
    if (v == NULL) {
        return NULL;
    }
    char *space = (char *)(v + n);
    for (size_t i = 0; i < n; i++) {
        v[i] = space + i * KEY_MAX;
        key(k, v[i], kind, KEYS_DAY, day_start(from + (int64_t)i));
        size_t len = strlen(v[i]);
        snprintf(v[i] + len, KEY_MAX - len, "%s", suffix);
    }
    return v;
}

/* A command over many keys: name, the keys, then args. */
static void send_keys(struct pipe *p, const char *name, char **keys,
                      size_t n, const char *const *args, size_t n_args)
{
    const char **argv = malloc((1 + n + n_args) * sizeof(*argv));
    if (argv == NULL) {
        snprintf(p->err, p->errlen, "out of memory");
        p->failed = 1;
        return;
    }
    argv[0] = name;
    for (size_t i = 0; i < n; i++) {
        argv[1 + i] = keys[i];
    }
    for (size_t i = 0; i < n_args; i++) {
        argv[1 + n + i] = args[i];
    }
    send_argv(p, (int)(1 + n + n_args), argv);
    free(argv);
}

/* The top members of a sorted set summed over the range's days. */
static void send_top(struct pipe *p, const struct keys *k,
                     const struct top_list *t)
{
    int64_t days = stats_range_days(k->r);
    char **keys = day_keys(k, t->kind, k->r->from, k->r->to, "");
    char last[16];
    if (keys == NULL) {
        snprintf(p->err, p->errlen, "out of memory");
        p->failed = 1;
        return;
    }
    snprintf(last, sizeof(last), "%d", t->members - 1);
    if (days == 1) {
        send_cmd(p, 5, "ZREVRANGE", keys[0], "0", last, "WITHSCORES");
    } else {
        /* EVAL script numkeys scratch keys... members */
        char scratch[KEY_MAX], numkeys[24], members[16];
        const char **argv = malloc((size_t)(days + 5) * sizeof(*argv));
        if (argv == NULL) {
            free(keys);
            snprintf(p->err, p->errlen, "out of memory");
            p->failed = 1;
            return;
        }
        snprintf(scratch, sizeof(scratch), "%s:{%s}:dash:scratch", k->prefix,
                 k->r->site);
        snprintf(numkeys, sizeof(numkeys), "%lld", (long long)days + 1);
        snprintf(members, sizeof(members), "%d", t->members);
        argv[0] = "EVAL";
        argv[1] = top_script;
        argv[2] = numkeys;
        argv[3] = scratch;
        for (int64_t i = 0; i < days; i++) {
            argv[4 + i] = keys[i];
        }
        argv[4 + days] = members;
        send_argv(p, (int)(days + 5), argv);
        free(argv);
    }
    free(keys);
}

/* ---- the figures ---- */

/* HMGET of each day's totals, from to to. */
static void send_day_totals(struct pipe *p, const struct keys *k,
                            int64_t from, int64_t to)
{
    char kbuf[KEY_MAX];
    for (int64_t d = from; d <= to; d++) {
        key(k, kbuf, "tot", KEYS_DAY, day_start(d));
        send_cmd(p, 6, "HMGET", kbuf, tot_fields[0], tot_fields[1],
                 tot_fields[2], tot_fields[3]);
    }
}

/* The i-th of the live minutes, oldest first, the last the current one. */
static time_t live_minute(const struct stats_range *r, int i)
{
    return r->now - (time_t)(STATS_LIVE_MINUTES - 1 - i) * 60;
}

/* Replies of round one, by what they hold. */
struct round1 {
    size_t tot, prev_tot, uv, prev_uv, series, live, top, campaigns;
};

static void send_round1(struct pipe *p, const struct keys *k,
                        struct round1 *at)
{
    const struct stats_range *r = k->r;
    int64_t days = stats_range_days(r);
    char kbuf[KEY_MAX];

    at->tot = p->n;
    send_day_totals(p, k, r->from, r->to);
    at->prev_tot = p->n;
    send_day_totals(p, k, r->prev_from, r->prev_to);
    char **uv = day_keys(k, "uv", r->from, r->to, "");
    char **prev_uv = day_keys(k, "uv", r->prev_from, r->prev_to, "");
    at->uv = p->n;
    if (uv == NULL || prev_uv == NULL) {
        snprintf(p->err, p->errlen, "out of memory");
        p->failed = 1;
    } else {
        send_keys(p, "PFCOUNT", uv, (size_t)days, NULL, 0);
        at->prev_uv = p->n;
        send_keys(p, "PFCOUNT", prev_uv, (size_t)days, NULL, 0);
    }
    free(uv);
    free(prev_uv);
    /* the series: visitors per point; per hour its pageviews too (per day
     * they are in the totals) */
    at->series = p->n;
    for (int64_t d = r->from; d <= r->to; d++) {
        if (r->g == 'd') {
            key(k, kbuf, "uv", KEYS_DAY, day_start(d));
            send_cmd(p, 2, "PFCOUNT", kbuf);
            continue;
        }
        for (int h = 0; h < 24; h++) {
            time_t t = day_start(d) + h * 3600;
            key(k, kbuf, "uv", KEYS_HOUR, t);
            send_cmd(p, 2, "PFCOUNT", kbuf);
            key(k, kbuf, "tot", KEYS_HOUR, t);
            send_cmd(p, 3, "HGET", kbuf, "pageviews");
        }
    }
    at->live = p->n;
    for (int i = 0; i < STATS_LIVE_MINUTES; i++) {
        key(k, kbuf, "tot", KEYS_MINUTE, live_minute(r, i));
        send_cmd(p, 3, "HGET", kbuf, "pageviews");
    }
    at->top = p->n;
    for (size_t i = 0; i < N_TOPS; i++) {
        send_top(p, k, &tops[i]);
    }
    at->campaigns = p->n;
    char since[24], limit[16];
    keys_mail_index(kbuf, sizeof(kbuf), k->prefix, r->site, strlen(r->site));
    snprintf(since, sizeof(since), "%lld", (long long)(r->from * 86400));
    snprintf(limit, sizeof(limit), "%d", STATS_CAMPAIGNS);
    send_cmd(p, 8, "ZREVRANGEBYSCORE", kbuf, "+inf", since, "WITHSCORES",
             "LIMIT", "0", limit);
}

/* Sums the HMGET replies of the days into {pageviews, events, ...} and
 * adds visitors and pageviews per visitor. */
static json_t *totals(const struct pipe *p, size_t at, int64_t days,
                      const redisReply *uv)
{
    long long sum[N_TOT] = {0};
    for (int64_t d = 0; d < days; d++) {
        const redisReply *r = p->rep[at + (size_t)d];
        for (size_t f = 0; f < N_TOT && f < r->elements; f++) {
            sum[f] += reply_int(r->element[f]);
        }
    }
    long long visitors = reply_int(uv);
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:f}", "visitors",
                     (json_int_t)visitors, "pageviews", (json_int_t)sum[0],
                     "events", (json_int_t)sum[1], "opens",
                     (json_int_t)sum[2], "clicks", (json_int_t)sum[3],
                     "pageviews_per_visitor", ratio(sum[0], visitors));
}

static json_t *series(const struct pipe *p, const struct round1 *at,
                      const struct stats_range *r)
{
    json_t *a = json_array();
    size_t i = at->series;
    for (int64_t d = r->from; a != NULL && d <= r->to; d++) {
        char day[9], t[13];
        stats_day_stamp(d, day);
        if (r->g == 'd') {
            const redisReply *tot = p->rep[at->tot + (size_t)(d - r->from)];
            long long pv = tot->elements > 0 ? reply_int(tot->element[0]) : 0;
            json_array_append_new(
                a, json_pack("{s:s,s:I,s:I}", "t", day, "visitors",
                             (json_int_t)reply_int(p->rep[i++]), "pageviews",
                             (json_int_t)pv));
            continue;
        }
        for (int h = 0; h < 24; h++, i += 2) {
            keys_stamp(t, sizeof(t), KEYS_HOUR, day_start(d) + h * 3600);
            json_array_append_new(
                a, json_pack("{s:s,s:I,s:I}", "t", t, "visitors",
                             (json_int_t)reply_int(p->rep[i]), "pageviews",
                             (json_int_t)reply_int(p->rep[i + 1])));
        }
    }
    return a;
}

static json_t *live(const struct pipe *p, const struct round1 *at,
                    const struct stats_range *r)
{
    json_t *a = json_array();
    long long sum = 0;
    for (int i = 0; a != NULL && i < STATS_LIVE_MINUTES; i++) {
        char minute[13];
        keys_stamp(minute, sizeof(minute), KEYS_MINUTE, live_minute(r, i));
        long long pv = reply_int(p->rep[at->live + (size_t)i]);
        sum += pv;
        json_array_append_new(a, json_pack("{s:s,s:I}", "t", minute,
                                           "pageviews", (json_int_t)pv));
    }
    return json_pack("{s:i,s:I,s:o}", "minutes", STATS_LIVE_MINUTES,
                     "pageviews", (json_int_t)sum, "series", a);
}

/* Round two: each area's visitors over the range, each campaign's
 * figures. */
static void send_round2(struct pipe *p, const struct keys *k,
                        const redisReply *areas, const redisReply *camps)
{
    int64_t days = stats_range_days(k->r);
    for (size_t i = 0; i + 1 < areas->elements; i += 2) {
        char suffix[300]; /* ":" and an area of up to 255 bytes */
        snprintf(suffix, sizeof(suffix), ":%s", areas->element[i]->str);
        char **keys = day_keys(k, "uva", k->r->from, k->r->to, suffix);
        if (keys == NULL) {
            snprintf(p->err, p->errlen, "out of memory");
            p->failed = 1;
            return;
        }
        send_keys(p, "PFCOUNT", keys, (size_t)days, NULL, 0);
        free(keys);
    }
    for (size_t i = 0; i + 1 < camps->elements; i += 2) {
        char kbuf[KEY_MAX];
        const redisReply *c = camps->element[i];
#define MAIL_KEY(kind)                                                         \
    keys_mail(kbuf, sizeof(kbuf), k->prefix, k->r->site, strlen(k->r->site),   \
              c->str, c->len, kind)
        MAIL_KEY("tot");
        send_cmd(p, 8, "HMGET", kbuf, mail_fields[0], mail_fields[1],
                 mail_fields[2], mail_fields[3], mail_fields[4],
                 mail_fields[5]);
        MAIL_KEY("uo");
        send_cmd(p, 2, "PFCOUNT", kbuf);
        MAIL_KEY("uc");
        send_cmd(p, 2, "PFCOUNT", kbuf);
        MAIL_KEY("links");
#undef MAIL_KEY
        char last[16];
        snprintf(last, sizeof(last), "%d", STATS_TOP - 1);
        send_cmd(p, 5, "ZREVRANGE", kbuf, "0", last, "WITHSCORES");
    }
}

static json_t *area_list(const struct pipe *p, const redisReply *areas,
                         size_t at)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i + 1 < areas->elements; i += 2) {
        long long pv = reply_int(areas->element[i + 1]);
        long long uv = reply_int(p->rep[at++]);
        json_array_append_new(
            a, json_pack("{s:s%,s:I,s:I,s:f}", "name", areas->element[i]->str,
                         (size_t)areas->element[i]->len, "pageviews",
                         (json_int_t)pv, "visitors", (json_int_t)uv,
                         "pageviews_per_visitor", ratio(pv, uv)));
    }
    return a;
}

static json_t *campaign_list(const struct pipe *p, const redisReply *camps,
                             size_t at)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i + 1 < camps->elements; i += 2, at += 4) {
        const redisReply *tot = p->rep[at];
        long long v[N_MAIL] = {0};
        for (size_t f = 0; f < N_MAIL && f < tot->elements; f++) {
            v[f] = reply_int(tot->element[f]);
        }
        long long uo = reply_int(p->rep[at + 1]);
        long long uc = reply_int(p->rep[at + 2]);
        json_t *c = json_pack(
            "{s:s%,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:o}", "campaign",
            camps->element[i]->str, (size_t)camps->element[i]->len,
            "last_activity", (json_int_t)reply_int(camps->element[i + 1]),
            "opens", (json_int_t)v[0], "opens_human", (json_int_t)v[1],
            "opens_machine", (json_int_t)v[2], "opens_proxy",
            (json_int_t)v[3], "opens_scanner", (json_int_t)v[4],
            "unique_openers", (json_int_t)uo, "clicks", (json_int_t)v[5],
            "unique_clickers", (json_int_t)uc, "click_to_open", ratio(uc, uo),
            "links", member_list(p->rep[at + 3]));
        json_array_append_new(a, c);
    }
    return a;
}

json_t *stats_fetch(struct redisContext *c, const char *prefix,
                    const struct stats_range *r, char *err, size_t errlen)
{
    struct pipe p = {.c = c, .err = err, .errlen = errlen};
    struct keys k = {prefix, r};
    struct round1 at = {0};
    json_t *out = NULL;
    char from[9], to[9], pfrom[9], pto[9], g[2] = {r->g, '\0'};

    send_round1(&p, &k, &at);
    if (receive(&p, 0) < 0) {
        goto done;
    }
    const redisReply *areas = p.rep[at.top + AREAS_TOP];
    const redisReply *camps = p.rep[at.campaigns];
    size_t round2 = p.n;
    send_round2(&p, &k, areas, camps);
    if (receive(&p, round2) < 0) {
        goto done;
    }
    int64_t days = stats_range_days(r);
    stats_day_stamp(r->from, from);
    stats_day_stamp(r->to, to);
    stats_day_stamp(r->prev_from, pfrom);
    stats_day_stamp(r->prev_to, pto);
    out = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s},s:o,s:o,s:o,s:o}", "site",
                    r->site, "from", from, "to", to, "g", g, "previous",
                    "from", pfrom, "to", pto, "totals",
                    totals(&p, at.tot, days, p.rep[at.uv]),
                    "previous_totals",
                    totals(&p, at.prev_tot, days, p.rep[at.prev_uv]),
                    "series", series(&p, &at, r), "live", live(&p, &at, r));
    for (size_t i = 0; out != NULL && i < AREAS_TOP; i++) {
        json_object_set_new(out, tops[i].name,
                            member_list(p.rep[at.top + i]));
    }
    size_t n_areas = areas->elements / 2;
    if (out != NULL) {
        json_object_set_new(out, "areas", area_list(&p, areas, round2));
        json_object_set_new(out, "campaigns",
                            campaign_list(&p, camps, round2 + n_areas));
    }
    if (out == NULL) {
        snprintf(err, errlen, "out of memory");
    }
done:
    pipe_free(&p);
    return out;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *stats_sites(struct redisContext *c, const char *prefix, char *err,
                    size_t errlen)
{
    char key[KEY_MAX];
    keys_sites(key, sizeof(key), prefix);
    redisReply *r = redisCommand(c, "SMEMBERS %s", key);
    if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
        snprintf(err, errlen, "redis: %s",
                 r == NULL ? c->errstr
                 : r->type == REDIS_REPLY_ERROR ? r->str
                                                : "SMEMBERS: not a set");
        if (r != NULL) {
            freeReplyObject(r);
        }
        return NULL;
    }
    const char **names = malloc((r->elements + 1) * sizeof(*names));
    json_t *list = json_array();
    if (names != NULL && list != NULL) {
        for (size_t i = 0; i < r->elements; i++) {
            names[i] = r->element[i]->str;
        }
        qsort(names, r->elements, sizeof(*names), cmp_str);
        for (size_t i = 0; i < r->elements; i++) {
            json_array_append_new(list, json_string(names[i]));
        }
    }
    json_t *out = NULL;
    if (names != NULL && list != NULL) {
        out = json_pack("{s:o}", "sites", list);
    } else {
        json_decref(list);
    }
    if (out == NULL) {
        snprintf(err, errlen, "out of memory");
    }
    free(names);
    freeReplyObject(r);
    return out;
}

char *stats_dump(const json_t *stats)
{
    char *s = json_dumps(stats, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (s == NULL) {
        return NULL;
    }
    size_t n = strlen(s);
    char *line = realloc(s, n + 2);
    if (line == NULL) {
        free(s);
        return NULL;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    return line;
}
