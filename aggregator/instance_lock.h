/*
 * instance_lock.h: one live beacond per instance_id. Batch sequence
 * numbers and the applied-keys (P:{S}:applied:<instance>) belong to an
 * instance id: two live instances under one id would take each other's
 * batches for repeats, and their hits would not count. So a running
 * instance holds P:instance:<id>, set with a TTL and refreshed by the
 * flusher. Its value names the holder (host name and the data dir's
 * creation stamp), so the same instance restarted after a crash takes its
 * own lock back at once; another one waits until the holder stopped (a
 * clean stop gives the lock back, a crash leaves it to its TTL).
 */
#ifndef BEACON_INSTANCE_LOCK_H
#define BEACON_INSTANCE_LOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proto/keys.h"

#define INSTANCE_LOCK_TTL_MS 15000
/* Refreshed this often: a third of the TTL. */
#define INSTANCE_LOCK_REFRESH_MS (INSTANCE_LOCK_TTL_MS / 3)
#define INSTANCE_LOCK_HOLDER_MAX 128

struct redis_block;
struct redis_pool;

enum instance_lock_state {
    INSTANCE_LOCK_UNKNOWN, /* Redis not asked yet */
    INSTANCE_LOCK_HELD,
    INSTANCE_LOCK_TAKEN /* by another instance: batches wait */
};

struct instance_lock {
    char key[KEYS_MAX];
    char holder[INSTANCE_LOCK_HOLDER_MAX];
    enum instance_lock_state state;
    int pending;       /* a refresh is on its way */
    uint64_t asked_ms; /* when the last one was sent (clock_monotonic_ms) */
    /* HELD is true until then: the TTL counted from when the refresh that
     * said so was sent, never later than Redis's */
    uint64_t held_until_ms;
    /* called on the flusher's thread when the state changes */
    void (*changed)(struct instance_lock *l, void *arg);
    void *arg;
};

/* Returns 0, or -1 when the key or the holder would not fit. */
int instance_lock_init(struct instance_lock *l, const char *prefix,
                       const char *instance, const char *holder);

/*
 * Takes the lock at start over b. Returns 0 when held (or when Redis did
 * not answer: the flusher takes it before its first batch), or -1 when
 * another instance holds it (who gets its holder).
 */
int instance_lock_take(struct instance_lock *l, struct redis_block *b,
                       char *who, size_t wholen);

/*
 * Takes or refreshes the lock over the pool (asynchronous; the reply sets
 * the state) when it is not held, or held for INSTANCE_LOCK_REFRESH_MS
 * since the last refresh. Returns -1 when a refresh has had no answer for
 * INSTANCE_LOCK_TTL_MS: its connection is stuck, and the caller drops it.
 */
int instance_lock_refresh(struct instance_lock *l, struct redis_pool *pool,
                          uint64_t now_ms);

/* 1 while the lock is held, at now_ms (clock_monotonic_ms). */
int instance_lock_held(const struct instance_lock *l, uint64_t now_ms);

/* Gives the lock back at a clean stop, when it is still ours, so that
 * a replacement may start at once. */
void instance_lock_release(struct instance_lock *l, struct redis_block *b);

/* The pool went down: the lock is unknown until the next refresh. */
void instance_lock_forget(struct instance_lock *l);

#endif
