/*
 * redis_block.c: see redis_block.h.
 */
#include "aggregator/redis_block.h"

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <string.h>

#include "proto/cluster_slot.h"

#define MOVED_HOPS 3

/* Connects to host:port (t's unix socket when host is NULL),
 * authenticated, on database db; NULL on failure. */
static redisContext *connect_to(const struct redis_target *t, const char *host,
                                int port, int db, struct timeval tv)
{
    redisContext *c = host == NULL && t->unix_path != NULL
                          ? redisConnectUnixWithTimeout(t->unix_path, tv)
                          : redisConnectWithTimeout(host ? host : t->host,
                                                    host ? port : t->port, tv);
    int ok = c != NULL && !c->err && redisSetTimeout(c, tv) == REDIS_OK;

    if (ok && t->password != NULL && t->password[0] != '\0') {
        redisReply *r = redisCommand(c, "AUTH %s", t->password);
        ok = r != NULL && r->type != REDIS_REPLY_ERROR;
        freeReplyObject(r);
    }
    if (ok && db != 0) {
        redisReply *r = redisCommand(c, "SELECT %d", db);
        ok = r != NULL && r->type != REDIS_REPLY_ERROR;
        freeReplyObject(r);
    }
    if (!ok && c != NULL) {
        redisFree(c);
        c = NULL;
    }
    return c;
}

int redis_block_open(struct redis_block *b, const struct redis_target *t,
                     const char *cluster, uint64_t timeout_ms)
{
    struct cluster_seed seeds[CLUSTER_SEEDS_MAX];
    char err[128];
    int n = 0;

    b->t = t;
    b->tv.tv_sec = (time_t)(timeout_ms / 1000);
    b->tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
    b->c = NULL;
    if (cluster == NULL || cluster[0] == '\0') {
        b->c = connect_to(t, NULL, 0, t->db, b->tv);
    } else {
        n = cluster_parse_seeds(cluster, seeds, err, sizeof(err));
    }
    /* a cluster's database is 0 */
    for (int i = 0; b->c == NULL && i < n; i++) {
        b->c = connect_to(t, seeds[i].host, seeds[i].port, 0, b->tv);
    }
    return b->c != NULL ? 0 : -1;
}

redisReply *redis_block_command(struct redis_block *b, const char *fmt, ...)
{
    redisReply *r = NULL;

    for (int hop = 0; b->c != NULL && hop <= MOVED_HOPS; hop++) {
        struct cluster_redirect to;
        va_list ap;
        va_start(ap, fmt);
        r = redisvCommand(b->c, fmt, ap);
        va_end(ap);
        if (r == NULL || r->type != REDIS_REPLY_ERROR ||
            cluster_parse_redirect(r->str, r->len, &to) != CLUSTER_MOVED ||
            hop == MOVED_HOPS) {
            return r;
        }
        freeReplyObject(r);
        r = NULL;
        if (to.host[0] == '\0' && b->c->tcp.host != NULL) {
            /* the node did not say its address: the one asked */
            strncpy(to.host, b->c->tcp.host, CLUSTER_HOST_MAX);
        }
        redisFree(b->c);
        b->c = connect_to(b->t, to.host, to.port, 0, b->tv);
    }
    return r;
}

void redis_block_close(struct redis_block *b)
{
    if (b->c != NULL) {
        redisFree(b->c);
        b->c = NULL;
    }
}
