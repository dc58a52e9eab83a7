/*
 * redis_pool.h: the flusher's Redis. Either one server ([redis] url), or
 * the masters of a Redis Cluster ([redis] cluster seeds): one redis_link
 * per master, and the slot map (cluster_map.h) that routes each key to
 * its master's connection.
 *
 * The map comes from CLUSTER SLOTS, asked of any connected master, or of
 * the seeds and the nodes known so far in turn while none is connected;
 * each master's healthy replicas, which WAIT counts on, from CLUSTER
 * NODES asked right after. It is asked again on a timer, whenever a
 * master's connection drops (a failover may have promoted its replica),
 * and after a MOVED. An ASK
 * sends the slot's commands to the node it names, after ASKING, until the
 * map is asked again.
 *
 * Debian 12's hiredis (0.14) has no cluster client: this is the small part
 * of one beacond needs. Everything runs on the base's thread.
 */
#ifndef BEACON_REDIS_POOL_H
#define BEACON_REDIS_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "aggregator/redis_link.h"
#include "proto/cluster_slot.h"

struct event_base;
struct redis_pool;

/* Called when the pool comes up (every slot's master connected; one
 * server: connected) or goes down (a master's connection, or the map,
 * was lost). */
typedef void (*redis_pool_cb)(struct redis_pool *p, int up, void *arg);

/*
 * Starts connecting: to target alone when seeds is NULL or empty, else to
 * the cluster whose nodes seeds lists ("host:port,host:port"), with
 * target's password, script and timeouts. target and seeds must outlive
 * the pool. Returns NULL when out of memory or when seeds does not parse
 * (err says why).
 */
struct redis_pool *redis_pool_create(struct event_base *base,
                                     const struct redis_target *target,
                                     const char *seeds, redis_pool_cb cb,
                                     void *arg, char *err, size_t errlen);

/* Closes every connection and frees p; NULL is a no-op. */
void redis_pool_destroy(struct redis_pool *p);

/* 1 while up (see redis_pool_cb). */
int redis_pool_up(const struct redis_pool *p);

/*
 * The connection for key[0..len) (its slot's master, or the node an ASK
 * named), or NULL when that one is not up. *asking is set to 1 when the
 * command must follow an ASKING on it.
 */
struct redis_link *redis_pool_route(struct redis_pool *p, const char *key,
                                    size_t len, int *asking);

/* The connection for one command of its own on key (not a batch's call):
 * NULL when it is not up or the slot is being migrated (the caller tries
 * again later). */
struct redisAsyncContext *redis_pool_ctx(struct redis_pool *p,
                                         const char *key);

/* The replicas of the master behind l in the last map (0: one server, an
 * ASK's target, or a master without replicas). */
int redis_pool_replicas(const struct redis_pool *p, const struct redis_link *l);

/*
 * An error reply err[0..len) that came on l: a MOVED updates the slot's
 * owner (connecting to it when new) and asks for the whole map again; an
 * ASK routes the slot to the node it names. Returns what it was.
 */
enum cluster_redirect_kind redis_pool_redirected(struct redis_pool *p,
                                                 struct redis_link *l,
                                                 const char *err, size_t len);

/* A count of connections closed for good (no longer in the map): a
 * redis_link pointer taken before it changed may be gone. */
uint64_t redis_pool_epoch(const struct redis_pool *p);

/* Drops every connection (they reconnect after their backoff). */
void redis_pool_fail(struct redis_pool *p, const char *why);

/* The arg given to redis_pool_create, from one of the pool's links (a
 * reply callback's ac->data). */
void *redis_pool_arg_of(struct redis_link *l);

#endif
