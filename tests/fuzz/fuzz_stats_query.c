/*
 * fuzz_stats_query.c: stats_range_from_query (dashboard/stats_range.c) on
 * arbitrary bytes as the query string of GET /api/stats, at a fixed now.
 *
 * Invariants: no crash or sanitizer report; on failure a non-empty reason,
 * NUL-terminated within err; on success 0 <= from <= to, at most
 * STATS_MAX_DAYS days, g 'h' or 'd' and 'h' only for STATS_MAX_HOUR_DAYS
 * days or fewer, prev_to == from - 1 and prev_from == from - days, site a
 * valid site id (hit_valid_site), now as given; the stamps of from and to
 * parse back to them; and stats_range_set with the range's own values
 * (site, the stamps, g) gives the same range.
 */
// clang-format off
// FUZZ_SOURCES: dashboard/stats_range.c proto/*.c
// FUZZ_SEED: site=blog
// FUZZ_SEED: site=blog&from=20261129&to=20261205&g=h
// FUZZ_SEED: g=d&to=20261205&from=20251202&site=Blog.example-1_x
// FUZZ_SEED: &&site=a&site=b&&from=20240229&
// FUZZ_SEED: site=blog&from=2026%31201&foo=1
// FUZZ_SEED: site=blog&to=20270101
// clang-format on
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard/stats_range.h"
#include "proto/hit.h"
#include "tests/fuzz/fuzz_check.h"

/* 2026-12-05 13:45:10 UTC. */
#define NOW ((time_t)1796478310)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct stats_range r, again;
    char err[160], err2[160];

    memset(err, 'X', sizeof err);
    if (stats_range_from_query(&r, (const char *)data, size, NOW, err,
                               sizeof err) != 0) {
        CHECK(memchr(err, '\0', sizeof err) != NULL);
        CHECK(err[0] != '\0');
        return 0;
    }
    int64_t days = r.to - r.from + 1;
    CHECK(r.from >= 0);
    CHECK(r.from <= r.to);
    CHECK(days >= 1 && days <= STATS_MAX_DAYS);
    CHECK(stats_range_days(&r) == days);
    CHECK(r.g == 'h' || r.g == 'd');
    CHECK(r.g != 'h' || days <= STATS_MAX_HOUR_DAYS);
    CHECK(r.prev_to == r.from - 1);
    CHECK(r.prev_from == r.from - days);
    CHECK(r.now == NOW);
    CHECK(memchr(r.site, '\0', sizeof r.site) != NULL);
    CHECK(hit_valid_site(r.site, strlen(r.site)));

    char from[9], to[9], g[2] = {r.g, '\0'};
    stats_day_stamp(r.from, from);
    stats_day_stamp(r.to, to);
    CHECK(stats_day_parse(from, strlen(from)) == r.from);
    CHECK(stats_day_parse(to, strlen(to)) == r.to);

    CHECK(stats_range_set(&again, r.site, from, to, g, NOW, err2,
                          sizeof err2) == 0);
    CHECK(strcmp(again.site, r.site) == 0);
    CHECK(again.from == r.from && again.to == r.to && again.g == r.g);
    CHECK(again.prev_from == r.prev_from && again.prev_to == r.prev_to);
    return 0;
}
