/*
 * optout_registry.h: the recipient opt-out registry of SPEC 2.5. A
 * recipient token is never stored: its keyed hash (BLAKE2b-128 under
 * recipient_key, hex) goes to the set P:{S}:optout, and every instance
 * keeps a copy of all sets, refreshed from Redis every few seconds, that
 * the e-mail endpoints consult without a lock.
 *
 *   worker                           flusher thread (task)
 *   POST /optout/recipient --queue-> SADD P:{S}:optout <hash>
 *   gate: optout_registry_has()      every OPTOUT_REFRESH_S: SMEMBERS of
 *     reads the published snapshot     every site's set -> new snapshot,
 *     under a hazard pointer           published; old ones freed once no
 *                                      worker holds them
 */
#ifndef BEACON_OPTOUT_REGISTRY_H
#define BEACON_OPTOUT_REGISTRY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "aggregator/flusher.h"
#include "collector/http/request.h"
#include "collector/http/response.h"
#include "proto/ipaddr.h"

#define OPTOUT_REFRESH_S 5
#define OPTOUT_HASH_BYTES 16
#define OPTOUT_PENDING_MAX 4096 /* queued SADDs while Redis is away */
#define OPTOUT_MAX_READERS 256

struct optout_snapshot;
struct optout_refresh;
struct worker;

struct optout_entry {
    uint8_t hash[OPTOUT_HASH_BYTES];
    uint8_t site_len;
    char site[64];
};

struct optout_registry {
    struct flusher_task task; /* the flusher calls task.run */
    const char *prefix;
    unsigned char key[32]; /* recipient_key */
    int have_key;

    _Atomic(struct optout_snapshot *) current;
    _Atomic(struct optout_snapshot *) hazard[OPTOUT_MAX_READERS];
    int n_readers;
    struct optout_snapshot *retired; /* list, freed when unused */

    pthread_mutex_t mu; /* guards pending (workers add, the task drains) */
    struct optout_entry pending[OPTOUT_PENDING_MAX];
    int n_pending;
    uint64_t pending_gen; /* bumped on every change of pending */

    /* flusher thread only */
    struct optout_snapshot *fetched; /* Redis's sets, last refresh */
    uint64_t published_gen;          /* pending_gen in the current snapshot */
    int sadd_due;       /* replies due for the SADDs in flight, 0: none */
    int sadd_n;         /* pending entries those SADDs cover */
    int sadd_failed;
    time_t last_refresh;
    struct optout_refresh *refresh; /* in flight, or NULL */
    struct redis_pool *pool;        /* the flusher's, once it was up */
};

/* Prepares the registry; key is the 32-byte recipient_key, or NULL when
 * none is configured (the endpoint then answers 503). Returns 0 or -1. */
int optout_registry_init(struct optout_registry *r, const char *prefix,
                         const unsigned char *key, int n_readers);

/* Frees everything; call after the flusher thread has stopped. */
void optout_registry_deinit(struct optout_registry *r);

/* The keyed hash of a recipient token (also what opens and clicks use). */
void optout_recipient_hash(const struct optout_registry *r, const char *token,
                           size_t len, uint8_t out[OPTOUT_HASH_BYTES]);

/* 1 when the recipient (by hash) opted out of site. Called by worker
 * `reader` (0..n_readers-1); no lock. */
int optout_registry_has(struct optout_registry *r, int reader,
                        const char *site, size_t site_len,
                        const uint8_t hash[OPTOUT_HASH_BYTES]);

/* POST /optout/recipient with form body s=<site>&r=<recipient>: 204. */
int optout_recipient(struct worker *w, const struct request *rq,
                     const struct ip_addr *peer, struct outbuf *out,
                     enum response_conn conn);

#endif
