/*
 * redis_link.c: connection state machine of redis_link.h.
 *
 *   DOWN --timer--> CONNECTING --connected--> HANDSHAKE --SCRIPT LOAD--> UP
 *     ^                  |                        |                      |
 *     +---- backoff -----+------- failure --------+------- failure ------+
 *
 * hiredis frees a context itself after its connect callback reports an
 * error and after its disconnect callback; the link frees one only when it
 * gives up on it (redis_link_fail), and then outside any hiredis callback.
 */
#include "aggregator/redis_link.h"

#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/ev_timer.h"
#include "common/log.h"
#include "config/config.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

enum link_state { LINK_DOWN, LINK_CONNECTING, LINK_HANDSHAKE, LINK_UP };

struct redis_link {
    struct event_base *base;
    const struct redis_target *target;
    redis_link_cb cb;
    void *arg;
    enum link_state state;
    redisAsyncContext *ac;    /* current connection, or NULL */
    redisAsyncContext *dying; /* given up, freed by drop_ev */
    struct event *retry_ev;   /* backoff, then connect */
    struct event *timeout_ev; /* bounds connect + handshake */
    struct event *drop_ev;    /* frees `dying` outside callbacks */
    unsigned attempts;
    char sha[41];
};

static void link_connect(struct redis_link *l);

/* Exponential backoff with "equal jitter": half fixed, half random, so
 * that many instances restarted together do not reconnect in lockstep. */
static void schedule_retry(struct redis_link *l)
{
    unsigned shift = l->attempts < 16 ? l->attempts : 16;
    uint64_t ms = (uint64_t)BACKOFF_MIN_MS << shift;
    if (ms > BACKOFF_MAX_MS) {
        ms = BACKOFF_MAX_MS;
    }
    ms = ms / 2 + randombytes_uniform((uint32_t)(ms / 2 + 1));
    l->attempts++;
    l->state = LINK_DOWN;
    ev_arm_ms(l->retry_ev, ms);
}

/* Leaves the current connection (already detached from l->ac or not) and
 * tells the owner when it was up. */
static void went_down(struct redis_link *l, const char *why)
{
    int was_up = l->state == LINK_UP;
    event_del(l->timeout_ev);
    if (was_up || l->attempts == 0) {
        log_warn("redis: connection lost: %s", why);
    } else {
        log_debug("redis: connect failed: %s", why);
    }
    schedule_retry(l);
    if (was_up) {
        l->cb(l, 0, l->arg);
    }
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    struct redis_link *l = ac->data;
    if (ac != l->ac) {
        return;
    }
    if (status != REDIS_OK) {
        l->ac = NULL; /* hiredis frees it after we return */
        went_down(l, ac->errstr[0] ? ac->errstr : "connect failed");
    }
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    struct redis_link *l = ac->data;
    (void)status;
    if (ac == l->dying) {
        l->dying = NULL; /* hiredis frees it; drop_ev must not */
        return;
    }
    if (ac != l->ac) {
        return;
    }
    l->ac = NULL;
    went_down(l, ac->errstr[0] ? ac->errstr : "closed by server");
}

static void on_handshake_reply(redisAsyncContext *ac, void *r, void *priv)
{
    struct redis_link *l = ac->data;
    redisReply *reply = r;
    int last = priv != NULL;

    if (ac != l->ac || l->state != LINK_HANDSHAKE) {
        return;
    }
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        redis_link_fail(l, reply ? reply->str : "no reply in handshake");
        return;
    }
    if (!last) {
        return;
    }
    if (reply->type != REDIS_REPLY_STRING || reply->len != 40) {
        redis_link_fail(l, "unexpected SCRIPT LOAD reply");
        return;
    }
    memcpy(l->sha, reply->str, 40);
    l->sha[40] = '\0';
    event_del(l->timeout_ev);
    if (l->attempts > 1) {
        log_info("redis: connected");
    }
    l->attempts = 0;
    l->state = LINK_UP;
    l->cb(l, 1, l->arg);
}

/* AUTH, SELECT and SCRIPT LOAD are pipelined; the last reply (marked by a
 * non-NULL privdata) completes the handshake. */
static int send_handshake(struct redis_link *l)
{
    const struct redis_target *t = l->target;
    int rc = REDIS_OK;
    if (t->password != NULL && t->password[0] != '\0') {
        rc |= redisAsyncCommand(l->ac, on_handshake_reply, NULL, "AUTH %s",
                                t->password);
    }
    if (t->db != 0) {
        rc |= redisAsyncCommand(l->ac, on_handshake_reply, NULL, "SELECT %d",
                                t->db);
    }
    rc |= redisAsyncCommand(l->ac, on_handshake_reply, l, "SCRIPT LOAD %s",
                            t->script);
    return rc == REDIS_OK ? 0 : -1;
}

static void link_connect(struct redis_link *l)
{
    const struct redis_target *t = l->target;
    redisAsyncContext *ac = t->unix_path != NULL
                                ? redisAsyncConnectUnix(t->unix_path)
                                : redisAsyncConnect(t->host, t->port);
    if (ac == NULL) {
        went_down(l, "out of memory");
        return;
    }
    if (ac->err) {
        char why[128];
        snprintf(why, sizeof(why), "%s", ac->errstr);
        redisAsyncFree(ac);
        went_down(l, why);
        return;
    }
    ac->data = l;
    if (redisLibeventAttach(ac, l->base) != REDIS_OK) {
        redisAsyncFree(ac);
        went_down(l, "cannot attach to the event loop");
        return;
    }
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    l->ac = ac;
    l->state = LINK_HANDSHAKE;
    ev_arm_ms(l->timeout_ev, t->connect_timeout_ms);
    /* Commands queue until the socket connects. */
    if (send_handshake(l) < 0) {
        redis_link_fail(l, "cannot queue the handshake");
    }
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct redis_link *l = arg;
    l->state = LINK_CONNECTING;
    link_connect(l);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    redis_link_fail(arg, "connect or handshake timed out");
}

static void on_drop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct redis_link *l = arg;
    redisAsyncContext *ac = l->dying;
    if (ac != NULL) {
        l->dying = NULL;
        redisAsyncFree(ac);
    }
}

void redis_link_fail(struct redis_link *l, const char *why)
{
    if (l->ac == NULL) {
        return;
    }
    /* A connection dropped before the previous drop ran: free that one
     * now, we are not inside its callbacks (it is no longer current). */
    if (l->dying != NULL) {
        redisAsyncContext *old = l->dying;
        l->dying = NULL;
        redisAsyncFree(old);
    }
    l->dying = l->ac;
    l->ac = NULL;
    event_active(l->drop_ev, 0, 0);
    went_down(l, why);
}

struct redis_link *redis_link_create(struct event_base *base,
                                     const struct redis_target *target,
                                     redis_link_cb cb, void *arg)
{
    struct redis_link *l = calloc(1, sizeof(*l));
    if (l == NULL) {
        return NULL;
    }
    l->base = base;
    l->target = target;
    l->cb = cb;
    l->arg = arg;
    l->retry_ev = evtimer_new(base, on_retry, l);
    l->timeout_ev = evtimer_new(base, on_timeout, l);
    l->drop_ev = event_new(base, -1, 0, on_drop, l);
    if (l->retry_ev == NULL || l->timeout_ev == NULL || l->drop_ev == NULL) {
        redis_link_destroy(l);
        return NULL;
    }
    l->state = LINK_CONNECTING;
    link_connect(l);
    return l;
}

void redis_link_destroy(struct redis_link *l)
{
    if (l == NULL) {
        return;
    }
    /* Owner callbacks must not run while we tear down. */
    l->state = LINK_DOWN;
    if (l->dying != NULL) {
        redisAsyncContext *ac = l->dying;
        l->dying = NULL;
        redisAsyncFree(ac);
    }
    if (l->ac != NULL) {
        redisAsyncContext *ac = l->ac;
        l->ac = NULL;
        redisAsyncFree(ac);
    }
    if (l->retry_ev != NULL) {
        event_free(l->retry_ev);
    }
    if (l->timeout_ev != NULL) {
        event_free(l->timeout_ev);
    }
    if (l->drop_ev != NULL) {
        event_free(l->drop_ev);
    }
    free(l);
}

struct redisAsyncContext *redis_link_ctx(struct redis_link *l)
{
    return l->state == LINK_UP ? l->ac : NULL;
}

void *redis_link_arg(const struct redis_link *l)
{
    return l->arg;
}

const char *redis_link_script_sha(const struct redis_link *l)
{
    return l->sha;
}

void redis_target_from_url(struct redis_target *t,
                           const struct config_redis_url *u)
{
    memset(t, 0, sizeof(*t));
    if (u->unix_path[0] != '\0') {
        t->unix_path = u->unix_path;
    } else {
        t->host = u->host;
        t->port = u->port;
    }
    t->password = u->password;
    t->db = u->db;
}
