/*
 * stats.h: the dashboard's figures for a site and a range of days, read
 * from the Redis keys beacond writes (docs/REDIS_KEYS.md), as the JSON
 * object that GET /api/stats answers and `beaconctl report --json` prints
 * (docs/API.md). Over a blocking hiredis connection: the caller runs it on
 * a thread of its own or in a command-line tool. Every command goes in
 * two pipelined rounds; nothing is written to Redis but a scratch key that
 * the script summing sorted sets deletes before it returns.
 */
#ifndef BEACON_STATS_H
#define BEACON_STATS_H

#include <jansson.h>
#include <stddef.h>

#include "dashboard/stats_range.h"

#define STATS_TOP 10       /* members of each top list */
#define STATS_CAMPAIGNS 20 /* newest campaigns shown */
#define STATS_LIVE_MINUTES 30

struct redisContext;

/*
 * Reads r's figures under key prefix. Returns the JSON object (the
 * caller's), or NULL with err filled (Redis error or connection lost).
 */
json_t *stats_fetch(struct redisContext *c, const char *prefix,
                    const struct stats_range *r, char *err, size_t errlen);

/* The site ids seen (P:sites), sorted: {"sites": [...]}; NULL with err
 * filled. */
json_t *stats_sites(struct redisContext *c, const char *prefix, char *err,
                    size_t errlen);

/* Dumps a stats object as the API sends it: compact, ratios with at most
 * four decimals, a final newline. The caller frees the string. */
char *stats_dump(const json_t *stats);

#endif
