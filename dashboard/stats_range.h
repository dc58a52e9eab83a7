/*
 * stats_range.h: what a dashboard query asks for (GET /api/stats, beaconctl
 * report): a site, a range of whole UTC days, the series' granularity, and
 * the period just before it to compare with. Pure: no I/O, no allocation.
 */
#ifndef BEACON_STATS_RANGE_H
#define BEACON_STATS_RANGE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proto/hit.h"

#define STATS_MAX_DAYS 400     /* the day keys' default retention */
#define STATS_MAX_HOUR_DAYS 7  /* g=h: at most 168 points */

struct stats_range {
    char site[HIT_SITE_MAX + 1];
    int64_t from, to;         /* days since 1970-01-01, inclusive */
    int64_t prev_from, prev_to; /* as many days, just before */
    char g;                   /* 'h' or 'd' */
    time_t now;               /* the live minutes end at its minute */
};

/*
 * Sets r from the query string of GET /api/stats (site=S&from=YYYYMMDD&
 * to=YYYYMMDD&g=h|d, any order; from and to default to today, and one of
 * them alone names a single day; g defaults to h for one day and d for
 * more). now: the current time. Returns 0, or -1 with a
 * one-line reason in err for a missing or unknown parameter, a date that
 * is not a day, from after to, or a range over its limit.
 */
int stats_range_from_query(struct stats_range *r, const char *query,
                           size_t len, time_t now, char *err, size_t errlen);

/* The same from separate values (beaconctl report); NULL: the default. */
int stats_range_set(struct stats_range *r, const char *site,
                    const char *from, const char *to, const char *g,
                    time_t now, char *err, size_t errlen);

/* "YYYYMMDD" of a day number; out has room for 9 bytes. */
void stats_day_stamp(int64_t day, char *out);

/* Days of the range, and the day number of a "YYYYMMDD" (-1: not one). */
int64_t stats_range_days(const struct stats_range *r);
int64_t stats_day_parse(const char *s, size_t len);

#endif
