/*
 * test_stats_range.c: the range of a dashboard query (dashboard/stats_range.c):
 * "YYYYMMDD" days, their stamps, defaults and limits of stats_range_set,
 * and the query string of GET /api/stats (stats_range_from_query). Day
 * numbers are computed here with timegm, independently of the code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <time.h>

#include "dashboard/stats_range.h"
#include "proto/hit.h"

/* 2026-12-05 13:45:10 UTC. */
#define NOW_Y 2026
#define NOW_M 12
#define NOW_D 5

/* Days since 1970-01-01 of y-m-d, by the C library. */
static int64_t civil(int y, int m, int d)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    time_t t = timegm(&tm);
    assert_true(t != (time_t)-1);
    return (int64_t)t / 86400;
}

static time_t now_fixed(void)
{
    return (time_t)(civil(NOW_Y, NOW_M, NOW_D) * 86400 + 13 * 3600 + 45 * 60 +
                    10);
}

static int64_t parse(const char *s)
{
    return stats_day_parse(s, strlen(s));
}

/* ---- stats_day_parse --------------------------------------------------- */

struct day_case {
    const char *s;
    int y, m, d;
};

static const struct day_case day_ok[] = {
    {"19700101", 1970, 1, 1},   {"19700102", 1970, 1, 2},
    {"19701231", 1970, 12, 31}, {"19991231", 1999, 12, 31},
    {"20000229", 2000, 2, 29},  {"20230228", 2023, 2, 28},
    {"20230301", 2023, 3, 1},   {"20240229", 2024, 2, 29},
    {"20260131", 2026, 1, 31},  {"20260430", 2026, 4, 30},
    {"20261205", 2026, 12, 5},  {"20261231", 2026, 12, 31},
    {"20380119", 2038, 1, 19},  {"20380120", 2038, 1, 20},
    {"21000228", 2100, 2, 28},  {"21000301", 2100, 3, 1},
    {"24000229", 2400, 2, 29},  {"99991231", 9999, 12, 31},
};

static const char *const day_bad[] = {
    "",          "2",        "2026120",   "202612055",   "2026-12-0",
    "2026-1205", "19691231", "19690101",  "19690615",    "19000101",
    "00000000",  "00010101", "20230229",  "21000229",    "19000229",
    "20261301",  "20261200", "20260001",  "20261232",    "20260431",
    "20260230",  "20260631", "20260931",  "20261131",    "2026120a",
    "abcdefgh",  "2O261205", "x0261205",  " 2026120",    "2026120 ",
    "+2026120",  "-2026120", "20261205 ", "2026120\xb5",
};

static void test_stats_range__day_parse_accepts(void **state)
{
    (void)state;

    assert_int_equal(parse("19700101"), 0);
    assert_int_equal(parse("19700102"), 1);
    /* 2026-12-05 00:00:00 UTC is 1796428800 (date -u -d 2026-12-05 +%s). */
    assert_int_equal(parse("20261205"), 1796428800 / 86400);
    for (size_t i = 0; i < sizeof day_ok / sizeof *day_ok; i++) {
        const struct day_case *c = &day_ok[i];
        int64_t want = civil(c->y, c->m, c->d);
        int64_t got = parse(c->s);

        if (got != want) {
            fail_msg("\"%s\": got %lld, want %lld", c->s, (long long)got,
                     (long long)want);
        }
    }
}

static void test_stats_range__day_parse_rejects(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof day_bad / sizeof *day_bad; i++) {
        int64_t got = parse(day_bad[i]);

        if (got != -1) {
            fail_msg("\"%s\": accepted as %lld", day_bad[i], (long long)got);
        }
    }
    /* A NUL inside the 8 bytes is not a digit. */
    static const char nul[8] = {'2', '0', '2', '6', '\0', '2', '0', '5'};
    assert_int_equal(stats_day_parse(nul, 8), -1);
}

/* Only s[0..len) is read, and len must be 8. */
static void test_stats_range__day_parse_reads_len(void **state)
{
    const char s[] = "20261205junk";
    (void)state;

    assert_int_equal(stats_day_parse(s, 8), civil(2026, 12, 5));
    assert_int_equal(stats_day_parse(s, 7), -1);
    assert_int_equal(stats_day_parse(s, 9), -1);
    assert_int_equal(stats_day_parse(s, 0), -1);
}

/* ---- stats_day_stamp --------------------------------------------------- */

static void test_stats_range__day_stamp_round_trips(void **state)
{
    int64_t first = civil(2023, 1, 1), last = civil(2025, 12, 31);
    char prev[9] = "";
    int64_t n = 0;
    (void)state;

    assert_int_equal(last - first + 1, 365 + 366 + 365);
    for (int64_t d = first; d <= last; d++, n++) {
        char out[16];

        memset(out, 'X', sizeof out);
        stats_day_stamp(d, out);
        if (out[8] != '\0' || out[9] != 'X' || strlen(out) != 8) {
            fail_msg("day %lld: not 8 bytes and a NUL", (long long)d);
        }
        if (stats_day_parse(out, 8) != d) {
            fail_msg("day %lld: stamp \"%s\" parses as %lld", (long long)d, out,
                     (long long)stats_day_parse(out, 8));
        }
        /* Stamps of consecutive days sort in order. */
        if (strcmp(prev, out) >= 0) {
            fail_msg("day %lld: \"%s\" after \"%s\"", (long long)d, out, prev);
        }
        memcpy(prev, out, 9);
    }
    assert_int_equal(n, 1096);
    assert_string_equal(prev, "20251231");
}

static void test_stats_range__day_stamp_edges(void **state)
{
    char out[9];
    (void)state;

    for (size_t i = 0; i < sizeof day_ok / sizeof *day_ok; i++) {
        const struct day_case *c = &day_ok[i];

        stats_day_stamp(civil(c->y, c->m, c->d), out);
        assert_string_equal(out, c->s);
    }
    stats_day_stamp(0, out);
    assert_string_equal(out, "19700101");
    stats_day_stamp(civil(2024, 2, 28) + 1, out);
    assert_string_equal(out, "20240229");
    stats_day_stamp(civil(2023, 2, 28) + 1, out);
    assert_string_equal(out, "20230301");
    stats_day_stamp(civil(2100, 2, 28) + 1, out);
    assert_string_equal(out, "21000301");
}

/* ---- stats_range_set --------------------------------------------------- */

static int set(struct stats_range *r, const char *site, const char *from,
               const char *to, const char *g, char *err, size_t errlen)
{
    return stats_range_set(r, site, from, to, g, now_fixed(), err, errlen);
}

/* Refused, with a non-empty one-line reason that names what is wrong. */
static void check_refused(const char *site, const char *from, const char *to,
                          const char *g, const char *names)
{
    struct stats_range r;
    char err[256];

    memset(err, 0, sizeof err);
    if (set(&r, site, from, to, g, err, sizeof err) != -1) {
        fail_msg("site=%s from=%s to=%s g=%s: accepted", site ? site : "(null)",
                 from ? from : "(null)", to ? to : "(null)", g ? g : "(null)");
    }
    if (err[0] == '\0' || strstr(err, names) == NULL) {
        fail_msg("site=%s from=%s to=%s g=%s: reason \"%s\" does not name %s",
                 site ? site : "(null)", from ? from : "(null)",
                 to ? to : "(null)", g ? g : "(null)", err, names);
    }
}

static void test_stats_range__set_defaults_to_today(void **state)
{
    struct stats_range r;
    char err[128];
    int64_t today = civil(NOW_Y, NOW_M, NOW_D);
    (void)state;

    assert_int_equal(set(&r, "blog", NULL, NULL, NULL, err, sizeof err), 0);
    assert_string_equal(r.site, "blog");
    assert_int_equal(r.from, today);
    assert_int_equal(r.to, today);
    assert_int_equal(stats_range_days(&r), 1);
    assert_int_equal(r.g, 'h');
    assert_int_equal(r.prev_to, today - 1);
    assert_int_equal(r.prev_from, today - 1);
    assert_true(r.now == now_fixed());

    /* Today is the UTC day of now, at both ends of it. */
    time_t midnight = (time_t)(today * 86400);
    assert_int_equal(stats_range_set(&r, "blog", NULL, NULL, NULL, midnight,
                                     err, sizeof err),
                     0);
    assert_int_equal(r.from, today);
    assert_int_equal(stats_range_set(&r, "blog", NULL, NULL, NULL, midnight - 1,
                                     err, sizeof err),
                     0);
    assert_int_equal(r.from, today - 1);
    assert_int_equal(r.to, today - 1);
    assert_int_equal(stats_range_set(&r, "blog", NULL, NULL, NULL,
                                     midnight + 86399, err, sizeof err),
                     0);
    assert_int_equal(r.to, today);

    /* from alone: that one day. */
    assert_int_equal(set(&r, "blog", "20260301", NULL, NULL, err, sizeof err),
                     0);
    assert_int_equal(r.from, civil(2026, 3, 1));
    assert_int_equal(r.to, civil(2026, 3, 1));
    assert_int_equal(r.g, 'h');

    /* to alone: that one day too, past or future. */
    assert_int_equal(set(&r, "blog", NULL, "20261207", NULL, err, sizeof err),
                     0);
    assert_int_equal(r.from, today + 2);
    assert_int_equal(r.to, today + 2);
    assert_int_equal(r.g, 'h');
    assert_int_equal(set(&r, "blog", NULL, "20261204", NULL, err, sizeof err),
                     0);
    assert_int_equal(r.from, today - 1);
    assert_int_equal(r.to, today - 1);
    check_refused("blog", NULL, "20261301", NULL, "to");

    /* More than one day: g defaults to d, even for two. */
    assert_int_equal(
        set(&r, "blog", "20261204", "20261205", NULL, err, sizeof err), 0);
    assert_int_equal(stats_range_days(&r), 2);
    assert_int_equal(r.g, 'd');
    assert_int_equal(
        set(&r, "blog", "20261205", "20261205", NULL, err, sizeof err), 0);
    assert_int_equal(r.g, 'h');
}

struct prev_case {
    const char *from, *to;
    int64_t days;
    const char *prev_from, *prev_to;
};

static const struct prev_case prev_cases[] = {
    {"20261205", "20261205", 1, "20261204", "20261204"},
    {"20261129", "20261205", 7, "20261122", "20261128"},
    {"20261106", "20261205", 30, "20261007", "20261105"},
    {"20260101", "20260107", 7, "20251225", "20251231"},
    {"20240301", "20240301", 1, "20240229", "20240229"},
    {"20240301", "20240330", 30, "20240131", "20240229"},
    {"19700102", "19700102", 1, "19700101", "19700101"},
};

static void test_stats_range__set_previous_period(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof prev_cases / sizeof *prev_cases; i++) {
        const struct prev_case *c = &prev_cases[i];
        struct stats_range r;
        char err[128], pf[9], pt[9];

        if (set(&r, "blog", c->from, c->to, NULL, err, sizeof err) != 0) {
            fail_msg("%s..%s: refused: %s", c->from, c->to, err);
        }
        assert_int_equal(stats_range_days(&r), c->days);
        assert_int_equal(r.prev_to, r.from - 1);
        assert_int_equal(r.prev_from, r.from - c->days);
        assert_int_equal(r.prev_to - r.prev_from + 1, c->days);
        stats_day_stamp(r.prev_from, pf);
        stats_day_stamp(r.prev_to, pt);
        if (strcmp(pf, c->prev_from) != 0 || strcmp(pt, c->prev_to) != 0) {
            fail_msg("%s..%s: previous %s..%s, want %s..%s", c->from, c->to, pf,
                     pt, c->prev_from, c->prev_to);
        }
    }
}

static void test_stats_range__set_refuses_from_after_to(void **state)
{
    (void)state;

    check_refused("blog", "20261206", "20261205", NULL, "from");
    check_refused("blog", "20270101", "20261231", "d", "from");
}

static void test_stats_range__set_limits_days(void **state)
{
    struct stats_range r;
    char err[128], to[9];
    int64_t from = civil(2025, 1, 1);
    (void)state;

    stats_day_stamp(from + STATS_MAX_DAYS - 1, to);
    assert_int_equal(set(&r, "blog", "20250101", to, NULL, err, sizeof err), 0);
    assert_int_equal(stats_range_days(&r), 400);
    assert_int_equal(r.g, 'd');
    assert_int_equal(r.prev_from, from - 400);
    assert_int_equal(set(&r, "blog", "20250101", to, "d", err, sizeof err), 0);

    stats_day_stamp(from + STATS_MAX_DAYS, to); /* 401 days */
    check_refused("blog", "20250101", to, NULL, "to");
    check_refused("blog", "20250101", to, "d", "to");
    check_refused("blog", "19700101", "99991231", NULL, "to");
}

static void test_stats_range__set_limits_hours(void **state)
{
    struct stats_range r;
    char err[128];
    (void)state;

    assert_int_equal(
        set(&r, "blog", "20261129", "20261205", "h", err, sizeof err), 0);
    assert_int_equal(stats_range_days(&r), STATS_MAX_HOUR_DAYS);
    assert_int_equal(r.g, 'h');
    check_refused("blog", "20261128", "20261205", "h", "g");
    check_refused("blog", "20250101", "20250401", "h", "g");

    /* g=d for one day is taken as asked. */
    assert_int_equal(
        set(&r, "blog", "20261205", "20261205", "d", err, sizeof err), 0);
    assert_int_equal(r.g, 'd');
}

static void test_stats_range__set_refuses_bad_g(void **state)
{
    static const char *const bad[] = {"",   "x",  "H",  "D",   "hh",
                                      "hd", "h ", " d", "day", "1"};
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        check_refused("blog", NULL, NULL, bad[i], "g");
        check_refused("blog", "20261201", "20261205", bad[i], "g");
    }
}

static void test_stats_range__set_refuses_bad_dates(void **state)
{
    (void)state;

    check_refused("blog", "20230229", NULL, NULL, "from");
    check_refused("blog", "", NULL, NULL, "from");
    check_refused("blog", "2026-12-05", NULL, NULL, "from");
    check_refused("blog", NULL, "20261301", NULL, "to");
    check_refused("blog", "20261201", "19691231", NULL, "to");
    check_refused("blog", "20261201", "today", NULL, "to");
}

/* hit_valid_site: 1-64 bytes of letters, digits, '.', '_' and '-'. */
static const char *const site_ok[] = {
    "a",
    "blog",
    "Blog.Example-1_x",
    "...",
    "-",
    "_",
    "0",
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", /* 64 */
};

static const char *const site_bad[] = {
    "",
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", /* 65
                                                                          */
    "a b",
    "a/b",
    "a%2Fb",
    "a:b",
    "a+b",
    "a,b",
    "a\tb",
    "a\nb",
    "<x>",
    "a;b",
    "caf\xc3\xa9",
    "a\x7f",
    "a&b",
    "a=b",
    "a?b",
    "a#b",
    "a@b",
    "~",
};

static void test_stats_range__set_site(void **state)
{
    struct stats_range r;
    char err[128];
    (void)state;

    for (size_t i = 0; i < sizeof site_ok / sizeof *site_ok; i++) {
        if (set(&r, site_ok[i], NULL, NULL, NULL, err, sizeof err) != 0) {
            fail_msg("site \"%s\": refused: %s", site_ok[i], err);
        }
        assert_true(hit_valid_site(site_ok[i], strlen(site_ok[i])));
        assert_string_equal(r.site, site_ok[i]);
    }
    for (size_t i = 0; i < sizeof site_bad / sizeof *site_bad; i++) {
        assert_false(hit_valid_site(site_bad[i], strlen(site_bad[i])));
        check_refused(site_bad[i], NULL, NULL, NULL, "site");
    }
    check_refused(NULL, NULL, NULL, NULL, "site");
    check_refused(NULL, "20261201", "20261205", "d", "site");
}

/* The reason fits whatever room it is given, NUL-terminated. */
static void test_stats_range__set_error_fits(void **state)
{
    struct stats_range r;
    char err[8];
    (void)state;

    memset(err, 'X', sizeof err);
    assert_int_equal(
        stats_range_set(&r, "blog", "nope", NULL, NULL, now_fixed(), err, 5),
        -1);
    assert_int_equal(err[4], '\0');
    assert_int_equal(strlen(err), 4);
    assert_int_equal(err[5], 'X');
}

/* ---- stats_range_from_query -------------------------------------------- */

static int from_query(struct stats_range *r, const char *q, char *err,
                      size_t errlen)
{
    return stats_range_from_query(r, q, strlen(q), now_fixed(), err, errlen);
}

/* Refused, with a reason that contains names. */
static void check_query_refused(const char *q, const char *names)
{
    struct stats_range r;
    char err[256];

    memset(err, 0, sizeof err);
    if (from_query(&r, q, err, sizeof err) != -1) {
        fail_msg("\"%s\": accepted", q);
    }
    if (err[0] == '\0' || strstr(err, names) == NULL) {
        fail_msg("\"%s\": reason \"%s\" does not name %s", q, err, names);
    }
}

static const char *const any_order[] = {
    "site=blog&from=20261129&to=20261205&g=h",
    "g=h&to=20261205&from=20261129&site=blog",
    "from=20261129&site=blog&g=h&to=20261205",
    "to=20261205&g=h&site=blog&from=20261129",
    "&site=blog&&from=20261129&&&to=20261205&g=h&",
};

static void test_stats_range__query_any_order(void **state)
{
    struct stats_range want, r;
    char err[128];
    (void)state;

    assert_int_equal(
        set(&want, "blog", "20261129", "20261205", "h", err, sizeof err), 0);
    for (size_t i = 0; i < sizeof any_order / sizeof *any_order; i++) {
        if (from_query(&r, any_order[i], err, sizeof err) != 0) {
            fail_msg("\"%s\": refused: %s", any_order[i], err);
        }
        assert_string_equal(r.site, "blog");
        assert_int_equal(r.from, want.from);
        assert_int_equal(r.to, want.to);
        assert_int_equal(r.prev_from, want.prev_from);
        assert_int_equal(r.prev_to, want.prev_to);
        assert_int_equal(r.g, 'h');
        assert_true(r.now == now_fixed());
    }
}

static void test_stats_range__query_defaults(void **state)
{
    struct stats_range r;
    char err[128];
    int64_t today = civil(NOW_Y, NOW_M, NOW_D);
    (void)state;

    assert_int_equal(from_query(&r, "site=blog", err, sizeof err), 0);
    assert_int_equal(r.from, today);
    assert_int_equal(r.to, today);
    assert_int_equal(r.g, 'h');
    assert_int_equal(from_query(&r, "site=blog&from=20261201", err, sizeof err),
                     0);
    assert_int_equal(r.to, civil(2026, 12, 1));
    assert_int_equal(
        from_query(&r, "site=blog&from=20261201&to=20261205", err, sizeof err),
        0);
    assert_int_equal(r.g, 'd');
}

static void test_stats_range__query_refuses_unknown(void **state)
{
    (void)state;

    check_query_refused("foo=1&site=blog", "foo");
    check_query_refused("site=blog&foo=1", "foo");
    check_query_refused("site=blog&limit", "limit");
    check_query_refused("SITE=blog", "SITE");
    check_query_refused("site=blog&From=20261201", "From");
    check_query_refused("s=blog", "s");
    check_query_refused("site=blog&site%3D=x", "site%3D");
    check_query_refused("site=blog&=x", "unknown");
    /* The first 32 bytes of a long name. */
    check_query_refused("site=blog&"
                        "abcdefghijklmnopqrstuvwxyz0123456789=1",
                        "abcdefghijklmnopqrstuvwxyz012345");
}

static void test_stats_range__query_refuses_encoded(void **state)
{
    (void)state;

    check_query_refused("site=blog%2Dx", "site");
    check_query_refused("site=%62log", "site");
    check_query_refused("site=blog&from=2026%31201", "from");
    check_query_refused("site=blog&to=%", "to");
    check_query_refused("site=blog&g=%68", "g");
}

static void test_stats_range__query_refuses_long(void **state)
{
    struct stats_range r;
    char err[128];
    char q[256];
    (void)state;

    /* 64 bytes: the longest site id. */
    snprintf(q, sizeof q, "site=%s", site_ok[7]);
    assert_int_equal(from_query(&r, q, err, sizeof err), 0);
    assert_string_equal(r.site, site_ok[7]);
    /* 65 bytes. */
    snprintf(q, sizeof q, "site=%sx", site_ok[7]);
    check_query_refused(q, "site");
    snprintf(q, sizeof q, "site=%s%s%s", site_ok[7], site_ok[7], site_ok[7]);
    check_query_refused(q, "site");
    check_query_refused("site=blog&from=202612012026120120261201", "from");
    check_query_refused("site=blog&to=2026120120261201", "to");
    check_query_refused("site=blog&g=hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh",
                        "g");
    /* Short enough to be taken, still not values. */
    check_query_refused("site=blog&from=202612012", "from");
    check_query_refused("site=blog&g=hh", "g");
}

static void test_stats_range__query_missing_site(void **state)
{
    struct stats_range r;
    char err[128];
    (void)state;

    check_query_refused("", "site");
    check_query_refused("&&&", "site");
    check_query_refused("from=20261201&to=20261205", "site");
    check_query_refused("site", "site"); /* no '=': an empty value */
    check_query_refused("site=", "site");
    err[0] = '\0';
    assert_int_equal(
        stats_range_from_query(&r, NULL, 0, now_fixed(), err, sizeof err), -1);
    assert_true(err[0] != '\0' && strstr(err, "site") != NULL);
}

static void test_stats_range__query_repeated_and_empty_pairs(void **state)
{
    struct stats_range r;
    char err[128];
    (void)state;

    /* A repeated parameter: the last one counts (each value overwrites the
     * one before), so "site=a&site=b" is site b. */
    assert_int_equal(from_query(&r, "site=a&site=b", err, sizeof err), 0);
    assert_string_equal(r.site, "b");
    assert_int_equal(from_query(&r, "site=blog&g=d&g=h", err, sizeof err), 0);
    assert_int_equal(r.g, 'h');
    check_query_refused("site=blog&site=", "site");
    assert_int_equal(from_query(&r, "site=a%2F&site=b", err, sizeof err), -1);

    /* Empty pairs are skipped. */
    assert_int_equal(from_query(&r, "&&site=x", err, sizeof err), 0);
    assert_string_equal(r.site, "x");
    assert_int_equal(from_query(&r, "site=x&&&g=d&", err, sizeof err), 0);
    assert_string_equal(r.site, "x");
    assert_int_equal(r.g, 'd');
}

/* Only query[0..len) is read. */
static void test_stats_range__query_reads_len(void **state)
{
    const char q[] = "site=blog&foo=1";
    struct stats_range r;
    char err[128];
    (void)state;

    assert_int_equal(
        stats_range_from_query(&r, q, 9, now_fixed(), err, sizeof err), 0);
    assert_string_equal(r.site, "blog");
    assert_int_equal(
        stats_range_from_query(&r, q, 7, now_fixed(), err, sizeof err), 0);
    assert_string_equal(r.site, "bl");
    assert_int_equal(stats_range_from_query(&r, q, sizeof q - 1, now_fixed(),
                                            err, sizeof err),
                     -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_range__day_parse_accepts),
        cmocka_unit_test(test_stats_range__day_parse_rejects),
        cmocka_unit_test(test_stats_range__day_parse_reads_len),
        cmocka_unit_test(test_stats_range__day_stamp_round_trips),
        cmocka_unit_test(test_stats_range__day_stamp_edges),
        cmocka_unit_test(test_stats_range__set_defaults_to_today),
        cmocka_unit_test(test_stats_range__set_previous_period),
        cmocka_unit_test(test_stats_range__set_refuses_from_after_to),
        cmocka_unit_test(test_stats_range__set_limits_days),
        cmocka_unit_test(test_stats_range__set_limits_hours),
        cmocka_unit_test(test_stats_range__set_refuses_bad_g),
        cmocka_unit_test(test_stats_range__set_refuses_bad_dates),
        cmocka_unit_test(test_stats_range__set_site),
        cmocka_unit_test(test_stats_range__set_error_fits),
        cmocka_unit_test(test_stats_range__query_any_order),
        cmocka_unit_test(test_stats_range__query_defaults),
        cmocka_unit_test(test_stats_range__query_refuses_unknown),
        cmocka_unit_test(test_stats_range__query_refuses_encoded),
        cmocka_unit_test(test_stats_range__query_refuses_long),
        cmocka_unit_test(test_stats_range__query_missing_site),
        cmocka_unit_test(test_stats_range__query_repeated_and_empty_pairs),
        cmocka_unit_test(test_stats_range__query_reads_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
