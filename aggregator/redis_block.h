/*
 * redis_block.h: a blocking Redis connection for start-up work that must
 * finish before beacond listens (the day's salts, the instance lock): to
 * the one server, or to the first of a cluster's seeds that answers,
 * following MOVED to the master of each command's key.
 */
#ifndef BEACON_REDIS_BLOCK_H
#define BEACON_REDIS_BLOCK_H

#include <stdint.h>
#include <sys/time.h>

#include "aggregator/redis_link.h"

struct redisContext;
struct redisReply;

struct redis_block {
    struct redisContext *c;
    const struct redis_target *t;
    struct timeval tv;
    char err[160]; /* why the last connection failed */
};

/*
 * Connects (AUTH, SELECT) to t, or with cluster seeds ("host:port,...",
 * else NULL or "") to the first that answers, each step within
 * timeout_ms. Returns 0, or -1 when none answered (b->c is then NULL).
 * t must outlive b.
 */
int redis_block_open(struct redis_block *b, const struct redis_target *t,
                     const char *cluster, uint64_t timeout_ms);

/* A command (hiredis's format); a MOVED reply moves the connection to the
 * node it names and the command goes again, at most 3 times. Returns the
 * reply (freeReplyObject), or NULL when the connection failed. */
struct redisReply *redis_block_command(struct redis_block *b, const char *fmt,
                                       ...);

void redis_block_close(struct redis_block *b);

#endif
