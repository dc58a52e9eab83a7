/*
 * instance_lock.c: see instance_lock.h.
 */
#include "aggregator/instance_lock.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <string.h>

#include "aggregator/redis_block.h"
#include "aggregator/redis_pool.h"
#include "common/clock.h"
#include "common/log.h"

/* Takes the lock when it is free or ours, and sets its TTL; answers 1,
 * or the other holder. */
#define LOCK_SCRIPT                                                            \
    "local v = redis.call('GET', KEYS[1])\n"                                   \
    "if v and v ~= ARGV[1] then return v end\n"                                \
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"                     \
    "return 1\n"

int instance_lock_init(struct instance_lock *l, const char *prefix,
                       const char *instance, const char *holder)
{
    memset(l, 0, sizeof(*l));
    int n =
        snprintf(l->key, sizeof(l->key), "%s:instance:%s", prefix, instance);
    if (n < 0 || (size_t)n >= sizeof(l->key) ||
        strlen(holder) >= sizeof(l->holder)) {
        return -1;
    }
    memcpy(l->holder, holder, strlen(holder) + 1);
    return 0;
}

/* The state a reply of LOCK_SCRIPT says; who gets the other holder. */
static enum instance_lock_state state_of(const redisReply *r, char *who,
                                         size_t wholen)
{
    if (r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
        return INSTANCE_LOCK_HELD;
    }
    if (r != NULL && r->type == REDIS_REPLY_STRING) {
        snprintf(who, wholen, "%.*s", (int)r->len, r->str);
        return INSTANCE_LOCK_TAKEN;
    }
    return INSTANCE_LOCK_UNKNOWN;
}

/* The state of a reply to the refresh sent at asked_ms. */
static void set_state(struct instance_lock *l, enum instance_lock_state s)
{
    l->state = s;
    if (s == INSTANCE_LOCK_HELD) {
        l->held_until_ms = l->asked_ms + INSTANCE_LOCK_TTL_MS;
    }
}

int instance_lock_take(struct instance_lock *l, struct redis_block *b,
                       char *who, size_t wholen)
{
    l->asked_ms = clock_monotonic_ms();
    redisReply *r =
        redis_block_command(b, "EVAL %s 1 %s %s %d", LOCK_SCRIPT, l->key,
                            l->holder, INSTANCE_LOCK_TTL_MS);
    set_state(l, state_of(r, who, wholen));
    if (l->state == INSTANCE_LOCK_UNKNOWN) {
        log_warn("instance lock: Redis did not answer at start (%s); the "
                 "flusher takes %s before its first batch",
                 r != NULL && r->type == REDIS_REPLY_ERROR ? r->str
                                                           : "no reply",
                 l->key);
    }
    freeReplyObject(r);
    return l->state == INSTANCE_LOCK_TAKEN ? -1 : 0;
}

static void on_reply(redisAsyncContext *ac, void *r, void *priv)
{
    struct instance_lock *l = priv;
    char who[INSTANCE_LOCK_HOLDER_MAX];
    (void)ac;

    l->pending = 0;
    enum instance_lock_state s = state_of(r, who, sizeof(who));
    if (s == INSTANCE_LOCK_TAKEN && l->state != INSTANCE_LOCK_TAKEN) {
        log_error("instance lock: %s is held by another beacond (%s): this "
                  "one sends no batches until it is free; give each "
                  "instance its own [server] instance_id",
                  l->key, who);
    } else if (s == INSTANCE_LOCK_HELD && l->state == INSTANCE_LOCK_TAKEN) {
        log_info("instance lock: %s is ours again", l->key);
    }
    int changed = s != l->state;
    set_state(l, s);
    if (changed && l->changed != NULL) {
        l->changed(l, l->arg);
    }
}

int instance_lock_refresh(struct instance_lock *l, struct redis_pool *pool,
                          uint64_t now_ms)
{
    if (l->pending) {
        return now_ms - l->asked_ms < INSTANCE_LOCK_TTL_MS ? 0 : -1;
    }
    redisAsyncContext *ac = redis_pool_ctx(pool, l->key);
    if (ac == NULL || (l->state == INSTANCE_LOCK_HELD &&
                       now_ms - l->asked_ms < INSTANCE_LOCK_REFRESH_MS)) {
        return 0;
    }
    if (redisAsyncCommand(ac, on_reply, l, "EVAL %s 1 %s %s %d", LOCK_SCRIPT,
                          l->key, l->holder,
                          INSTANCE_LOCK_TTL_MS) == REDIS_OK) {
        l->pending = 1;
        l->asked_ms = now_ms;
    }
    return 0;
}

int instance_lock_held(const struct instance_lock *l, uint64_t now_ms)
{
    return l->state == INSTANCE_LOCK_HELD && now_ms < l->held_until_ms;
}

void instance_lock_release(struct instance_lock *l, struct redis_block *b)
{
    redisReply *r =
        redis_block_command(b, "EVAL %s 1 %s %s",
                            "if redis.call('GET', KEYS[1]) == ARGV[1] then "
                            "return redis.call('DEL', KEYS[1]) end return 0",
                            l->key, l->holder);
    freeReplyObject(r);
    l->state = INSTANCE_LOCK_UNKNOWN;
}

void instance_lock_forget(struct instance_lock *l)
{
    if (l->state == INSTANCE_LOCK_HELD) {
        l->state = INSTANCE_LOCK_UNKNOWN;
    }
}
