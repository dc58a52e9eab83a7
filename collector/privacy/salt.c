/*
 * salt.c: see salt.h. Runs as a flusher task: on every tick it makes
 * sure today's and tomorrow's salts exist, asks Redis to agree on them
 * (SET NX then GET: the first instance's random bytes win), and wipes the
 * salts of days that are over.
 */
#include "collector/privacy/salt.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <sched.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "aggregator/redis_block.h"
#include "common/log.h"
#include "proto/keys.h"

/* Hits stamped just before midnight may still be in a worker's hands for
 * a moment after it: wipe a day's salt this long after the day ends. */
#define WIPE_GRACE_S 5
/* SPEC 3: the shared copy expires 25 h after its day ends. */
#define REDIS_KEEP_S (25 * 3600)
/* Redis can lose the key (restart without persistence, failover): agree
 * again this often, so instances do not drift apart for the rest of the
 * day. */
#define RECHECK_S 60

static void slot_write(struct salt_slot *s, uint32_t day,
                       const unsigned char key[SALT_BYTES])
{
    uint32_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
    atomic_store_explicit(&s->seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    for (int i = 0; i < SALT_BYTES / 8; i++) {
        uint64_t w = 0;
        if (key != NULL) {
            memcpy(&w, key + 8 * i, 8);
        }
        atomic_store_explicit(&s->key[i], w, memory_order_relaxed);
        sodium_memzero(&w, sizeof(w));
    }
    atomic_store_explicit(&s->day, day, memory_order_relaxed);
    atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
}

int salt_get(const struct salt_manager *m, uint32_t day,
             unsigned char out[SALT_BYTES])
{
    const struct salt_slot *s = &m->ring[day % SALT_SLOTS];
    /* A write is six stores by the flusher thread; only its preemption
     * makes a reader wait, so yield now and then instead of giving up. */
    for (unsigned spins = 0;; spins++) {
        uint32_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
        if (seq & 1) {
            if (spins % 64 == 63) {
                sched_yield();
            }
            continue;
        }
        uint32_t d = atomic_load_explicit(&s->day, memory_order_relaxed);
        for (int i = 0; i < SALT_BYTES / 8; i++) {
            uint64_t w = atomic_load_explicit(&s->key[i], memory_order_relaxed);
            memcpy(out + 8 * i, &w, 8);
        }
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&s->seq, memory_order_relaxed) != seq) {
            continue;
        }
        if (d != day || day == 0) {
            sodium_memzero(out, SALT_BYTES); /* another day's salt */
            return -1;
        }
        return 0;
    }
}

static int have(const struct salt_manager *m, uint32_t day)
{
    const struct salt_slot *s = &m->ring[day % SALT_SLOTS];
    return atomic_load_explicit(&s->day, memory_order_relaxed) == day;
}

static void make_local(struct salt_manager *m, uint32_t day)
{
    unsigned char key[SALT_BYTES];
    randombytes_buf(key, sizeof(key));
    slot_write(&m->ring[day % SALT_SLOTS], day, key);
    sodium_memzero(key, sizeof(key));
    m->confirmed[day % SALT_SLOTS] = 0;
}

static void wipe_over(struct salt_manager *m, time_t now)
{
    for (int i = 0; i < SALT_SLOTS; i++) {
        struct salt_slot *s = &m->ring[i];
        uint32_t d = atomic_load_explicit(&s->day, memory_order_relaxed);
        if (d != 0 && (time_t)(d + 1) * 86400 + WIPE_GRACE_S <= now) {
            slot_write(s, 0, NULL);
            m->confirmed[i] = 0;
        }
    }
}

/* Reply to "GET P:salt:<day>": Redis's salt for the day, ours or the one
 * another instance set first. */
static void on_get(redisAsyncContext *ac, void *r, void *priv)
{
    struct salt_question *q = priv;
    struct salt_manager *m = q->m;
    redisReply *reply = r;
    unsigned char mine[SALT_BYTES];
    (void)ac;

    q->pending = 0;
    /* A late answer must not bring back a salt already wiped. */
    if ((time_t)(q->day + 1) * 86400 + WIPE_GRACE_S <= time(NULL)) {
        return;
    }
    if (reply == NULL || reply->type != REDIS_REPLY_STRING ||
        reply->len != SALT_BYTES) {
        if (reply != NULL && !m->complained) {
            log_warn("salt: unexpected reply for P:salt, keeping a local "
                     "salt for now");
            m->complained = 1;
        }
        return;
    }
    if (salt_get(m, q->day, mine) < 0 ||
        sodium_memcmp(mine, reply->str, SALT_BYTES) != 0) {
        /* Another instance was first: from now on this day's visitors get
         * the shared pseudonyms. */
        if (have(m, q->day)) {
            log_info("salt: adopting the shared salt of the day");
        }
        slot_write(&m->ring[q->day % SALT_SLOTS], q->day,
                   (const unsigned char *)reply->str);
    }
    sodium_memzero(mine, sizeof(mine));
    m->complained = 0;
    m->confirmed[q->day % SALT_SLOTS] = q->day;
    m->confirmed_at[q->day % SALT_SLOTS] = time(NULL);
}

/* Reply to the SET NX: nil (another salt won) or OK; an error is logged
 * (once, until Redis agrees on a salt: a cluster forming refuses every
 * tick). */
static void on_set(redisAsyncContext *ac, void *r, void *priv)
{
    struct salt_manager *m = priv;
    redisReply *reply = r;
    (void)ac;
    if (reply != NULL && reply->type == REDIS_REPLY_ERROR && !m->complained) {
        log_warn("salt: SET refused: %s", reply->str);
        m->complained = 1;
    }
}

/* SET NX our salt, then GET whichever won; pipelined. */
static void ask_redis(struct salt_manager *m, struct redis_pool *pool,
                      uint32_t day)
{
    struct salt_question *q = &m->ask[day % SALT_SLOTS];
    char key[KEYS_MAX], stamp[16];
    unsigned char offer[SALT_BYTES];

    if (q->pending && q->day == day) {
        return;
    }
    if (keys_stamp(stamp, sizeof(stamp), KEYS_DAY, (time_t)day * 86400) < 0) {
        return;
    }
    snprintf(key, sizeof(key), "%s:salt:%s", m->prefix, stamp);
    redisAsyncContext *ac = redis_pool_ctx(pool, key);
    if (ac == NULL) {
        return;
    }
    /* Offer the salt already in use: when this instance is the first,
     * nothing changes for the hits counted so far. */
    if (salt_get(m, day, offer) < 0) {
        randombytes_buf(offer, sizeof(offer));
    }
    long long exat = (long long)(day + 1) * 86400 + REDIS_KEEP_S;
    int rc = redisAsyncCommand(ac, on_set, m, "SET %s %b NX EXAT %lld",
                               key, offer, (size_t)SALT_BYTES, exat);
    sodium_memzero(offer, sizeof(offer));
    q->m = m;
    q->day = day;
    if (rc == REDIS_OK &&
        redisAsyncCommand(ac, on_get, q, "GET %s", key) == REDIS_OK) {
        q->pending = 1;
    }
}

static void run(struct flusher_task *t, struct redis_pool *pool, time_t now)
{
    struct salt_manager *m = (struct salt_manager *)t;
    uint32_t today = salt_day(now);

    wipe_over(m, now);
    for (uint32_t day = today; day <= today + 1; day++) {
        if (!have(m, day)) {
            make_local(m, day);
        }
        int slot = (int)(day % SALT_SLOTS);
        if (m->store == SALT_STORE_REDIS && pool != NULL &&
            (m->confirmed[slot] != day ||
             now - m->confirmed_at[slot] >= RECHECK_S)) {
            ask_redis(m, pool, day);
        }
    }
}

/*
 * SET NX our salt of `day`, then GET the winner, on the blocking
 * connection b. Returns 0 with the winner installed, or -1.
 */
static int sync_day(struct salt_manager *m, struct redis_block *b,
                    uint32_t day, time_t now)
{
    char key[KEYS_MAX], stamp[16];
    unsigned char offer[SALT_BYTES];
    int rc = -1;

    if (keys_stamp(stamp, sizeof(stamp), KEYS_DAY, (time_t)day * 86400) < 0 ||
        salt_get(m, day, offer) < 0) {
        return -1;
    }
    snprintf(key, sizeof(key), "%s:salt:%s", m->prefix, stamp);
    long long exat = (long long)(day + 1) * 86400 + REDIS_KEEP_S;
    redisReply *r = redis_block_command(b, "SET %s %b NX EXAT %lld", key,
                                        offer, (size_t)SALT_BYTES, exat);
    sodium_memzero(offer, sizeof(offer));
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        goto out;
    }
    freeReplyObject(r);
    r = redis_block_command(b, "GET %s", key);
    if (r != NULL && r->type == REDIS_REPLY_STRING && r->len == SALT_BYTES) {
        slot_write(&m->ring[day % SALT_SLOTS], day,
                   (const unsigned char *)r->str);
        m->confirmed[day % SALT_SLOTS] = day;
        m->confirmed_at[day % SALT_SLOTS] = now;
        rc = 0;
    }
out:
    freeReplyObject(r);
    return rc;
}

void salt_manager_sync(struct salt_manager *m, struct redis_block *b,
                       time_t now)
{
    uint32_t today = salt_day(now);
    if (b->c == NULL || sync_day(m, b, today, now) < 0 ||
        sync_day(m, b, today + 1, now) < 0) {
        log_warn("salt: Redis did not answer at start; counting visitors "
                 "under a local salt until it does");
    }
}

int salt_manager_init(struct salt_manager *m, enum salt_store store,
                      const char *prefix, time_t now)
{
    memset(m, 0, sizeof(*m));
    m->task.run = run;
    m->store = store;
    m->prefix = prefix;
    uint32_t today = salt_day(now);
    make_local(m, today);
    make_local(m, today + 1);
    return 0;
}

void salt_manager_deinit(struct salt_manager *m)
{
    for (int i = 0; i < SALT_SLOTS; i++) {
        slot_write(&m->ring[i], 0, NULL);
    }
}
