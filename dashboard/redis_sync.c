/*
 * redis_sync.c: see redis_sync.h.
 */
#include "dashboard/redis_sync.h"

#include <hiredis.h>
#include <stdio.h>

/* Runs a setup command; 0, or -1 with err filled. */
static int setup(redisContext *c, const struct config_redis_url *u,
                 const char *what, redisReply *r, char *err, size_t errlen)
{
    int bad = r == NULL || r->type == REDIS_REPLY_ERROR;
    if (bad) {
        snprintf(err, errlen, "redis %.100s: %s: %.100s", u->text, what,
                 r != NULL ? r->str : c->errstr);
    }
    if (r != NULL) {
        freeReplyObject(r);
    }
    return bad ? -1 : 0;
}

struct redisContext *redis_sync_connect(const struct config_redis_url *u,
                                        int timeout_ms, char *err,
                                        size_t errlen)
{
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    redisContext *c = u->unix_path[0] != '\0'
                          ? redisConnectUnixWithTimeout(u->unix_path, tv)
                          : redisConnectWithTimeout(u->host, u->port, tv);
    if (c == NULL || c->err != 0 || redisSetTimeout(c, tv) != REDIS_OK) {
        snprintf(err, errlen, "redis %.100s: %.100s", u->text,
                 c != NULL ? c->errstr : "out of memory");
        goto fail;
    }
    if (u->password[0] != '\0' &&
        setup(c, u, "AUTH", redisCommand(c, "AUTH %s", u->password), err,
              errlen) < 0) {
        goto fail;
    }
    if (u->db != 0 &&
        setup(c, u, "SELECT", redisCommand(c, "SELECT %d", u->db), err,
              errlen) < 0) {
        goto fail;
    }
    return c;
fail:
    if (c != NULL) {
        redisFree(c);
    }
    return NULL;
}
