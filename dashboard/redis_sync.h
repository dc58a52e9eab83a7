/*
 * redis_sync.h: the blocking Redis connection of the readers of the
 * aggregates (beaconctl, the admin's query thread): a timeout on connect
 * and on every reply, AUTH and SELECT as [redis] url says. With [redis]
 * cluster, the connection is moved to the master of the key about to be
 * read (all of a site's keys share its slot), following MOVED from the
 * seeds.
 */
#ifndef BEACON_REDIS_SYNC_H
#define BEACON_REDIS_SYNC_H

#include <stddef.h>

#include "aggregator/redis_block.h"
#include "config/config.h"

struct redisContext;

struct redis_reader {
    const struct config *cfg;
    struct redis_target target;
    struct redis_block block; /* block.c: NULL while closed */
    int timeout_ms;
};

/* A closed reader for cfg's Redis; cfg must outlive it. */
void redis_reader_init(struct redis_reader *r, const struct config *cfg,
                       int timeout_ms);

/* The connection on which key is to be read (connected when closed).
 * Returns it, or NULL with err filled. */
struct redisContext *redis_reader_for(struct redis_reader *r, const char *key,
                                      char *err, size_t errlen);

/* Closes the connection: after an error it may be in any state. */
void redis_reader_close(struct redis_reader *r);

#endif
