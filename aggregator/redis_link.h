/*
 * redis_link.h: one asynchronous Redis connection (hiredis on a libevent
 * base) that is always either up or on its way back: connect, AUTH,
 * SELECT, SCRIPT LOAD, then "up"; on any failure, reconnect after an
 * exponential backoff with jitter. Debian's hiredis 0.14 has no timeouts,
 * so connects and handshakes are bounded by the link's own timers.
 */
#ifndef BEACON_REDIS_LINK_H
#define BEACON_REDIS_LINK_H

#include <stdint.h>

struct event_base;
struct redisAsyncContext;

struct redis_target {
    const char *host; /* TCP host, or NULL with unix_path */
    int port;
    const char *unix_path; /* non-NULL: unix socket */
    const char *password;  /* NULL or "" : no AUTH */
    int db;
    const char *script; /* loaded on every connection */
    uint64_t connect_timeout_ms;
};

struct config_redis_url;

/* The target [redis] url names (u must outlive it); no script, no
 * timeout yet. */
void redis_target_from_url(struct redis_target *t,
                           const struct config_redis_url *u);

struct redis_link;

/* Called on the base's thread when the link comes up (up = 1, the script
 * SHA is known) or goes down (up = 0). */
typedef void (*redis_link_cb)(struct redis_link *l, int up, void *arg);

/* Starts connecting at once. target's strings must outlive the link.
 * Returns NULL when out of memory. */
struct redis_link *redis_link_create(struct event_base *base,
                                     const struct redis_target *target,
                                     redis_link_cb cb, void *arg);

/* Closes the connection and frees l; NULL is a no-op. */
void redis_link_destroy(struct redis_link *l);

/* The connection while up, else NULL. Its ->data is the link. */
struct redisAsyncContext *redis_link_ctx(struct redis_link *l);

/* The arg given to redis_link_create. */
void *redis_link_arg(const struct redis_link *l);

/* SHA1 of the loaded script (40 hex digits), valid while up. */
const char *redis_link_script_sha(const struct redis_link *l);

/*
 * Drops the connection (pending replies are delivered as NULL) and
 * reconnects after the backoff. Safe to call from a reply callback: the
 * close happens after the callback returns.
 */
void redis_link_fail(struct redis_link *l, const char *why);

#endif
