/*
 * redis_sync.h: a blocking Redis connection for the readers of the
 * aggregates (beaconctl, the admin's query thread): connect with a
 * timeout, the same timeout on every reply, AUTH and SELECT as the URL
 * says.
 */
#ifndef BEACON_REDIS_SYNC_H
#define BEACON_REDIS_SYNC_H

#include <stddef.h>

#include "config/config.h"

struct redisContext;

/* Returns the connection, or NULL with err filled. */
struct redisContext *redis_sync_connect(const struct config_redis_url *u,
                                        int timeout_ms, char *err,
                                        size_t errlen);

#endif
