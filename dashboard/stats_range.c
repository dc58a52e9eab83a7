/*
 * stats_range.c: see stats_range.h.
 */
#include "dashboard/stats_range.h"

#include <stdio.h>
#include <string.h>

#include "proto/query.h"

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t stats_day_parse(const char *s, size_t len)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30,
                                31, 31, 30, 31, 30, 31};
    int v[8];
    if (len != 8) {
        return -1;
    }
    for (int i = 0; i < 8; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v[i] = s[i] - '0';
    }
    int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    int m = v[4] * 10 + v[5];
    int d = v[6] * 10 + v[7];
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
        (m == 2 && d == 29 && !leap)) {
        return -1;
    }
    return days_from_civil(y, m, d);
}

void stats_day_stamp(int64_t day, char *out)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 9, "%Y%m%d", &tm);
}

int64_t stats_range_days(const struct stats_range *r)
{
    return r->to - r->from + 1;
}

static int fail(char *err, size_t errlen, const char *what, const char *v)
{
    snprintf(err, errlen, "%s%s", what, v);
    return -1;
}

int stats_range_set(struct stats_range *r, const char *site,
                    const char *from, const char *to, const char *g,
                    time_t now, char *err, size_t errlen)
{
    int64_t today = (int64_t)now / 86400;
    memset(r, 0, sizeof(*r));
    r->now = now;
    if (site == NULL || !hit_valid_site(site, strlen(site))) {
        return fail(err, errlen, site == NULL ? "site: missing" :
                    "site: not a site id: ", site == NULL ? "" : site);
    }
    memcpy(r->site, site, strlen(site) + 1);
    /* one of them alone names a single day */
    const char *first = from != NULL ? from : to;
    r->from = first != NULL ? stats_day_parse(first, strlen(first)) : today;
    r->to = to != NULL ? stats_day_parse(to, strlen(to)) : r->from;
    if (r->from < 0) {
        return fail(err, errlen, from != NULL ? "from: not a day (YYYYMMDD): "
                                              : "to: not a day (YYYYMMDD): ",
                    first);
    }
    if (r->to < 0) {
        return fail(err, errlen, "to: not a day (YYYYMMDD): ", to);
    }
    if (r->from > r->to) {
        return fail(err, errlen, "from: after to", "");
    }
    int64_t days = stats_range_days(r);
    if (days > STATS_MAX_DAYS) {
        snprintf(err, errlen, "to: more than %d days from from on",
                 STATS_MAX_DAYS);
        return -1;
    }
    if (g == NULL) {
        r->g = days == 1 ? 'h' : 'd';
    } else if (strcmp(g, "h") == 0 || strcmp(g, "d") == 0) {
        r->g = g[0];
    } else {
        return fail(err, errlen, "g: not h or d: ", g);
    }
    if (r->g == 'h' && days > STATS_MAX_HOUR_DAYS) {
        snprintf(err, errlen, "g: h is for ranges of %d days at most",
                 STATS_MAX_HOUR_DAYS);
        return -1;
    }
    r->prev_to = r->from - 1;
    r->prev_from = r->from - days;
    return 0;
}

/* Copies a raw query value of at most cap - 1 bytes, which must need no
 * decoding (the values taken here are ids, days and letters). */
static int take(struct span v, char *out, size_t cap)
{
    if (v.len >= cap || memchr(v.p, '%', v.len) != NULL) {
        return -1;
    }
    memcpy(out, v.p, v.len);
    out[v.len] = '\0';
    return 0;
}

int stats_range_from_query(struct stats_range *r, const char *query,
                           size_t len, time_t now, char *err, size_t errlen)
{
    struct query_iter it;
    struct span name, value;
    char site[HIT_SITE_MAX + 1], from[16], to[16], g[4];
    const char *vals[4] = {NULL, NULL, NULL, NULL};
    static const char *const names[4] = {"site", "from", "to", "g"};
    char *bufs[4] = {site, from, to, g};
    const size_t caps[4] = {sizeof(site), sizeof(from), sizeof(to),
                            sizeof(g)};

    query_iter_init(&it, query, len);
    while (query_next(&it, &name, &value)) {
        int i = 0;
        while (i < 4 && !span_eq(name, names[i])) {
            i++;
        }
        if (i == 4) {
            snprintf(err, errlen, "unknown parameter: %.*s",
                     (int)(name.len < 32 ? name.len : 32), name.p);
            return -1;
        }
        if (take(value, bufs[i], caps[i]) < 0) {
            snprintf(err, errlen, "%s: too long or encoded", names[i]);
            return -1;
        }
        vals[i] = bufs[i];
    }
    return stats_range_set(r, vals[0], vals[1], vals[2], vals[3], now, err,
                           errlen);
}
