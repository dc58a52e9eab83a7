/*
 * redis_block.c: see redis_block.h.
 */
#include "aggregator/redis_block.h"

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto/cluster_slot.h"

#define MOVED_HOPS 3

/* Runs a set-up command; 0, or -1 with b->err set. */
static int setup(struct redis_block *b, redisContext *c, const char *what,
                 redisReply *r)
{
    int bad = r == NULL || r->type == REDIS_REPLY_ERROR;
    if (bad) {
        snprintf(b->err, sizeof(b->err), "%s: %.100s", what,
                 r != NULL ? r->str : c->errstr);
    }
    freeReplyObject(r);
    return bad ? -1 : 0;
}

/* Connects to host:port (the target's unix socket when host is NULL),
 * authenticated, on database db; NULL on failure (b->err says why). */
static redisContext *connect_to(struct redis_block *b, const char *host,
                                int port, int db)
{
    const struct redis_target *t = b->t;
    redisContext *c =
        host == NULL && t->unix_path != NULL
            ? redisConnectUnixWithTimeout(t->unix_path, b->tv)
            : redisConnectWithTimeout(host ? host : t->host,
                                      host ? port : t->port, b->tv);
    int ok = c != NULL && !c->err && redisSetTimeout(c, b->tv) == REDIS_OK;

    if (!ok) {
        snprintf(b->err, sizeof(b->err), "%.100s",
                 c != NULL ? c->errstr : "out of memory");
    }
    if (ok && t->password != NULL && t->password[0] != '\0') {
        ok = setup(b, c, "AUTH", redisCommand(c, "AUTH %s", t->password)) == 0;
    }
    if (ok && db != 0) {
        ok = setup(b, c, "SELECT", redisCommand(c, "SELECT %d", db)) == 0;
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
    int n = 0;

    b->t = t;
    b->tv.tv_sec = (time_t)(timeout_ms / 1000);
    b->tv.tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000;
    b->c = NULL;
    b->err[0] = '\0';
    if (cluster == NULL || cluster[0] == '\0') {
        b->c = connect_to(b, NULL, 0, t->db);
    } else {
        n = cluster_parse_seeds(cluster, seeds, b->err, sizeof(b->err));
    }
    /* a cluster's database is 0 */
    for (int i = 0; b->c == NULL && i < n; i++) {
        b->c = connect_to(b, seeds[i].host, seeds[i].port, 0);
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
        b->c = connect_to(b, to.host, to.port, 0);
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
