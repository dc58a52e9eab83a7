/*
 * report.c: see report.h.
 */
#include "dashboard/report.h"

#include <hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dashboard/redis_sync.h"
#include "dashboard/stats.h"
#include "proto/keys.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: beaconctl [-c FILE] report --site S [--from YYYYMMDD] "
               "[--to YYYYMMDD]\n"
               "                 [--g h|d] [--json]\n"
               "\n"
               "Prints a site's figures from Redis for a range of days (UTC; "
               "default today),\n"
               "with the period just before it: as tables, or with --json "
               "as GET /api/stats\n"
               "answers.\n");
}

/* 12 345 */
static const char *group(long long v, char *buf, size_t cap)
{
    char digits[32];
    int n = snprintf(digits, sizeof(digits), "%lld", v < 0 ? -v : v);
    size_t o = 0;
    if (v < 0 && o + 1 < cap) {
        buf[o++] = '-';
    }
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            buf[o++] = ' ';
        }
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static long long get_int(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

static const char *change(double now, double prev, char *buf, size_t cap)
{
    if (prev == 0) {
        snprintf(buf, cap, "%s", now == 0 ? "" : "new");
    } else {
        snprintf(buf, cap, "%+.0f %%", (now - prev) / prev * 100.0);
    }
    return buf;
}

static void print_totals(const json_t *s)
{
    static const char *const keys[] = {"visitors", "pageviews", "events",
                                       "opens", "clicks"};
    static const char *const names[] = {"Unique visitors", "Pageviews",
                                        "Events", "E-mail opens",
                                        "E-mail clicks"};
    const json_t *t = json_object_get(s, "totals");
    const json_t *p = json_object_get(s, "previous_totals");
    char a[32], b[32], c[32];
    printf("%-24s %14s %14s %8s\n", "", "this period", "previous", "change");
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        long long now = get_int(t, keys[i]), prev = get_int(p, keys[i]);
        printf("%-24s %14s %14s %8s\n", names[i], group(now, a, sizeof(a)),
               group(prev, b, sizeof(b)),
               change((double)now, (double)prev, c, sizeof(c)));
    }
    double now = json_real_value(json_object_get(t, "pageviews_per_visitor"));
    double prev = json_real_value(json_object_get(p, "pageviews_per_visitor"));
    printf("%-24s %14.2f %14.2f %8s\n", "Pageviews per visitor", now, prev,
           change(now, prev, c, sizeof(c)));
}

static void print_series(const json_t *s)
{
    const json_t *series = json_object_get(s, "series");
    const char *g = json_string_value(json_object_get(s, "g"));
    char a[32], b[32];
    printf("\n%-24s %14s %14s\n",
           g != NULL && g[0] == 'h' ? "Hour (UTC)" : "Day", "visitors",
           "pageviews");
    size_t i;
    const json_t *v;
    json_array_foreach(series, i, v)
    {
        const char *t = json_string_value(json_object_get(v, "t"));
        printf("%-24s %14s %14s\n", t != NULL ? t : "",
               group(get_int(v, "visitors"), a, sizeof(a)),
               group(get_int(v, "pageviews"), b, sizeof(b)));
    }
}

/* 1, after saying so, when list is empty. */
static int none(const json_t *list, const char *why)
{
    if (json_array_size(list) > 0) {
        return 0;
    }
    printf("  (%s)\n", why);
    return 1;
}

static void print_top(const json_t *s, const char *key, const char *title)
{
    const json_t *list = json_object_get(s, key);
    char a[32];
    printf("\n%-40s %14s\n", title, "count");
    if (none(list, "none in this range")) {
        return;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        printf("  %-38s %14s\n",
               json_string_value(json_object_get(v, "name")),
               group(get_int(v, "count"), a, sizeof(a)));
    }
}

static void print_areas(const json_t *s)
{
    const json_t *list = json_object_get(s, "areas");
    char a[32], b[32];
    printf("\n%-30s %12s %12s %12s\n", "Area", "visitors", "pageviews",
           "per visitor");
    if (none(list, "none in this range")) {
        return;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        printf("  %-28s %12s %12s %12.2f\n",
               json_string_value(json_object_get(v, "name")),
               group(get_int(v, "visitors"), a, sizeof(a)),
               group(get_int(v, "pageviews"), b, sizeof(b)),
               json_real_value(json_object_get(v, "pageviews_per_visitor")));
    }
}

static void print_campaigns(const json_t *s)
{
    const json_t *list = json_object_get(s, "campaigns");
    char a[32], b[32], c[32], d[32];
    printf("\n%-24s %10s %10s %10s %8s  %s\n", "E-mail campaign", "opens",
           "openers", "clicks", "CTOR", "opens human/machine/proxy/scanner");
    if (none(list, "no opens or clicks since the start of the range")) {
        return;
    }
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        printf("  %-22s %10s %10s %10s %7.1f%%  %lld/%lld/%lld/%lld\n",
               json_string_value(json_object_get(v, "campaign")),
               group(get_int(v, "opens"), a, sizeof(a)),
               group(get_int(v, "unique_openers"), b, sizeof(b)),
               group(get_int(v, "clicks"), c, sizeof(c)),
               json_real_value(json_object_get(v, "click_to_open")) * 100.0,
               get_int(v, "opens_human"), get_int(v, "opens_machine"),
               get_int(v, "opens_proxy"), get_int(v, "opens_scanner"));
        size_t k;
        const json_t *l;
        json_array_foreach(json_object_get(v, "links"), k, l)
        {
            printf("    link %-35s %10s clicks\n",
                   json_string_value(json_object_get(l, "name")),
                   group(get_int(l, "count"), d, sizeof(d)));
        }
    }
}

static void print_report(const json_t *s)
{
    const json_t *prev = json_object_get(s, "previous");
    printf("Site %s, %s to %s (previous period: %s to %s, UTC)\n\n",
           json_string_value(json_object_get(s, "site")),
           json_string_value(json_object_get(s, "from")),
           json_string_value(json_object_get(s, "to")),
           json_string_value(json_object_get(prev, "from")),
           json_string_value(json_object_get(prev, "to")));
    print_totals(s);
    printf("(a visitor counts once per day: pseudonyms change daily)\n");
    print_series(s);
    print_top(s, "pages", "Top pages");
    print_top(s, "referrers", "Referrers");
    print_top(s, "utm", "utm source/medium/campaign");
    print_top(s, "events", "Custom events");
    print_top(s, "devices", "Devices");
    print_top(s, "browsers", "Browsers");
    print_areas(s);
    print_campaigns(s);
}

int report_main(const struct config *cfg, int argc, char **argv)
{
    const char *site = NULL, *from = NULL, *to = NULL, *g = NULL;
    int json = 0;
    char err[256];
    struct stats_range r;

    for (int i = 1; i < argc; i++) {
        const char **opt = strcmp(argv[i], "--site") == 0   ? &site
                           : strcmp(argv[i], "--from") == 0 ? &from
                           : strcmp(argv[i], "--to") == 0   ? &to
                           : strcmp(argv[i], "--g") == 0    ? &g
                                                            : NULL;
        if (opt != NULL && i + 1 < argc) {
            *opt = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "-h") == 0 ||
                   strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "beaconctl report: %s: %s\n", argv[i],
                    opt != NULL ? "needs a value" : "unknown option");
            usage(stderr);
            return 2;
        }
    }
    if (stats_range_set(&r, site, from, to, g, time(NULL), err,
                        sizeof(err)) < 0) {
        fprintf(stderr, "beaconctl report: %s\n", err);
        return 2;
    }
    struct redis_reader rd;
    char key[KEYS_MAX];
    snprintf(key, sizeof(key), "%s:{%s}", cfg->key_prefix, r.site);
    redis_reader_init(&rd, cfg, 5000);
    redisContext *c = redis_reader_for(&rd, key, err, sizeof(err));
    if (c == NULL) {
        fprintf(stderr, "beaconctl report: %s\n", err);
        return 1;
    }
    json_t *s = stats_fetch(c, cfg->key_prefix, &r, err, sizeof(err));
    redis_reader_close(&rd);
    if (s == NULL) {
        fprintf(stderr, "beaconctl report: %s\n", err);
        return 1;
    }
    if (json) {
        char *text = stats_dump(s);
        if (text != NULL) {
            fputs(text, stdout);
        }
        free(text);
    } else {
        print_report(s);
    }
    json_decref(s);
    return 0;
}
