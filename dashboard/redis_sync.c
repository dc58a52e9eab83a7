/*
 * redis_sync.c: see redis_sync.h.
 */
#include "dashboard/redis_sync.h"

#include <hiredis.h>
#include <stdio.h>
#include <string.h>

void redis_reader_init(struct redis_reader *r, const struct config *cfg,
                       int timeout_ms)
{
    memset(r, 0, sizeof(*r));
    r->cfg = cfg;
    r->timeout_ms = timeout_ms;
    redis_target_from_url(&r->target, &cfg->redis);
}

struct redisContext *redis_reader_for(struct redis_reader *r, const char *key,
                                      char *err, size_t errlen)
{
    const char *cluster = r->cfg->redis_cluster;
    int is_cluster = cluster[0] != '\0';

    if (r->block.c == NULL && redis_block_open(&r->block, &r->target, cluster,
                                               (uint64_t)r->timeout_ms) < 0) {
        snprintf(err, errlen, "redis %.100s: %.100s",
                 is_cluster ? cluster : r->cfg->redis.text, r->block.err);
        return NULL;
    }
    if (is_cluster) {
        /* EXISTS answers MOVED on a node that does not own the key's
         * slot, and redis_block follows it there */
        redisReply *rep = redis_block_command(&r->block, "EXISTS %s", key);
        int ok = rep != NULL && rep->type == REDIS_REPLY_INTEGER;
        if (!ok) {
            snprintf(err, errlen, "redis %.100s: %.100s", cluster,
                     rep != NULL && rep->type == REDIS_REPLY_ERROR ? rep->str
                     : r->block.c != NULL ? r->block.c->errstr
                                          : r->block.err);
        }
        freeReplyObject(rep);
        if (!ok) {
            redis_reader_close(r);
            return NULL;
        }
    }
    return r->block.c;
}

void redis_reader_close(struct redis_reader *r)
{
    redis_block_close(&r->block);
}
