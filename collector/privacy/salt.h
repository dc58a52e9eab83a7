/*
 * salt.h: the day's salt of SPEC 3: 32 random bytes per UTC day, under
 * which visitor pseudonyms are computed. With salt_store = redis every
 * instance uses the same salt, `P:salt:<YYYYMMDD>` (created with SET NX,
 * expiring 25 h after its day ends); with salt_store = memory it never
 * leaves the process. A day's salt is wiped (sodium_memzero) as soon as
 * its day is over, so a day's pseudonyms cannot be recomputed afterwards.
 *
 * Workers read salts from a ring without a lock: each slot is a seqlock
 * over atomic words, written only by the flusher thread.
 */
#ifndef BEACON_SALT_H
#define BEACON_SALT_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "aggregator/flusher.h"
#include "config/config.h"

#define SALT_BYTES 32
#define SALT_SLOTS 4 /* yesterday (until wiped), today, tomorrow, spare */

struct salt_slot {
    _Atomic uint32_t seq; /* odd while the slot is being written */
    _Atomic uint32_t day; /* UTC day number (unix time / 86400); 0: empty */
    _Atomic uint64_t key[SALT_BYTES / 8];
};

struct salt_manager;

/* One question to Redis about one day's salt (privdata of its reply). */
struct salt_question {
    struct salt_manager *m;
    uint32_t day;
    int pending;
};

struct salt_manager {
    struct flusher_task task; /* the flusher calls task.run */
    struct salt_slot ring[SALT_SLOTS];
    enum salt_store store;
    const char *prefix;
    uint32_t confirmed[SALT_SLOTS]; /* day whose salt Redis agreed on */
    time_t confirmed_at[SALT_SLOTS]; /* when; asked again after a while */
    struct salt_question ask[SALT_SLOTS];
    int complained; /* a refusal was logged: quiet until Redis agrees */
};

/*
 * Prepares today's and tomorrow's salts at once (random; with the Redis
 * store they are provisional until Redis answers), so hits never wait.
 * Returns 0 or -1.
 */
int salt_manager_init(struct salt_manager *m, enum salt_store store,
                      const char *prefix, time_t now);

/*
 * With the Redis store: agrees on today's and tomorrow's salts with Redis
 * over the start-up connection b (redis_block.h) before any hit arrives,
 * so that a starting instance does not count its first visitors under a
 * salt of its own. When Redis does not answer it logs and keeps the local
 * salts, which the flusher task reconciles once Redis answers.
 */
struct redis_block;
void salt_manager_sync(struct salt_manager *m, struct redis_block *b,
                       time_t now);

/* Wipes every salt. */
void salt_manager_deinit(struct salt_manager *m);

/* The salt of UTC day `day` into out; 0, or -1 (out zeroed) when there
 * is none (wiped or not made yet). Any thread, no lock. */
int salt_get(const struct salt_manager *m, uint32_t day,
             unsigned char out[SALT_BYTES]);

/* The UTC day number of unix time t. */
static inline uint32_t salt_day(time_t t)
{
    return (uint32_t)(t / 86400);
}

#endif
