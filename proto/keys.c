/*
 * keys.c: Redis key names (SPEC 5). They are the dashboard contract, so
 * every name is spelled in exactly one place: here.
 */
#include "proto/keys.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

/* snprintf that reports "did not fit" as -1 instead of truncating. */
__attribute__((format(printf, 3, 4))) static int keys_fmt(char *dst, size_t cap,
                                                          const char *fmt, ...)
{
    va_list ap;
    int n;

    if (dst == NULL || cap == 0) {
        return -1;
    }
    va_start(ap, fmt);
    n = vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap) {
        dst[0] = '\0';
        return -1;
    }
    return n;
}

/* Four-digit years only: the stamps must sort as strings. */
static int keys_tm(struct tm *tm, time_t t)
{
    if (gmtime_r(&t, tm) == NULL) {
        return -1;
    }
    if (tm->tm_year < -1900 || tm->tm_year > 9999 - 1900) {
        return -1;
    }
    return 0;
}

int keys_stamp(char *dst, size_t cap, enum keys_gran g, time_t t)
{
    struct tm tm;

    if (keys_tm(&tm, t) < 0) {
        return -1;
    }
    switch (g) {
    case KEYS_MINUTE:
        return keys_fmt(dst, cap, "%04d%02d%02d%02d%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
    case KEYS_HOUR:
        return keys_fmt(dst, cap, "%04d%02d%02d%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
    case KEYS_DAY:
        return keys_fmt(dst, cap, "%04d%02d%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday);
    }
    return -1;
}

char keys_gran_letter(enum keys_gran g)
{
    switch (g) {
    case KEYS_MINUTE:
        return 'm';
    case KEYS_HOUR:
        return 'h';
    case KEYS_DAY:
        return 'd';
    }
    return '?';
}

/* %.*s takes an int. */
static int keys_site_ok(const char *site, size_t site_len)
{
    return site != NULL && site_len <= INT_MAX;
}

int keys_bucket(char *dst, size_t cap, const char *prefix, const char *site,
                size_t site_len, const char *kind, enum keys_gran g, time_t t)
{
    char stamp[16];

    if (!keys_site_ok(site, site_len) ||
        keys_stamp(stamp, sizeof stamp, g, t) < 0) {
        return -1;
    }
    return keys_fmt(dst, cap, "%s:{%.*s}:%s:%c:%s", prefix, (int)site_len, site,
                    kind, keys_gran_letter(g), stamp);
}

int keys_series(char *dst, size_t cap, const char *prefix, const char *site,
                size_t site_len, enum keys_gran g, time_t t)
{
    char stamp[16];

    if ((g != KEYS_DAY && g != KEYS_HOUR) || !keys_site_ok(site, site_len) ||
        keys_stamp(stamp, sizeof stamp, g, t) < 0) {
        return -1;
    }
    return keys_fmt(dst, cap, "%s:{%.*s}:series:%c:%s", prefix, (int)site_len,
                    site, keys_gran_letter(g), stamp);
}

int keys_series_field(char *dst, size_t cap, enum keys_gran g, time_t t)
{
    struct tm tm;

    if (keys_tm(&tm, t) < 0) {
        return -1;
    }
    switch (g) {
    case KEYS_DAY:
        return keys_fmt(dst, cap, "%02d", tm.tm_hour);
    case KEYS_HOUR:
        return keys_fmt(dst, cap, "%02d", tm.tm_min);
    case KEYS_MINUTE:
        break;
    }
    return -1;
}

int keys_mail(char *dst, size_t cap, const char *prefix, const char *site,
              size_t site_len, const char *campaign, size_t campaign_len,
              const char *kind)
{
    if (!keys_site_ok(site, site_len) ||
        !keys_site_ok(campaign, campaign_len)) {
        return -1;
    }
    return keys_fmt(dst, cap, "%s:{%.*s}:mail:%.*s:%s", prefix, (int)site_len,
                    site, (int)campaign_len, campaign, kind);
}

int keys_mail_index(char *dst, size_t cap, const char *prefix,
                    const char *site, size_t site_len)
{
    if (!keys_site_ok(site, site_len)) {
        return -1;
    }
    return keys_fmt(dst, cap, "%s:{%.*s}:mail:idx", prefix, (int)site_len,
                    site);
}

int keys_sites(char *dst, size_t cap, const char *prefix)
{
    return keys_fmt(dst, cap, "%s:sites", prefix);
}

int keys_optout(char *dst, size_t cap, const char *prefix, const char *site,
                size_t site_len)
{
    if (!keys_site_ok(site, site_len)) {
        return -1;
    }
    return keys_fmt(dst, cap, "%s:{%.*s}:optout", prefix, (int)site_len,
                    site);
}

int keys_applied(char *dst, size_t cap, const char *prefix, const char *site,
                 size_t site_len, const char *instance)
{
    if (!keys_site_ok(site, site_len)) {
        return -1;
    }
    return keys_fmt(dst, cap, "%s:{%.*s}:applied:%s", prefix, (int)site_len,
                    site, instance);
}
