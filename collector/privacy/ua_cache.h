/*
 * ua_cache.h: a per-worker cache of what a user agent says: device class,
 * browser family, bot or not. A few hundred distinct user agents make most
 * of the traffic, and a keep-alive connection sends the same one on every
 * request, while classifying one takes dozens of substring scans and a
 * pass of the bot automaton; the cache turns that into one hash and one
 * memcmp. Direct-mapped, no allocation, owned by one thread.
 */
#ifndef BEACON_UA_CACHE_H
#define BEACON_UA_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/useragent.h"

struct botlist;

struct ua_info {
    struct ua_class cls;
    int bot;
};

#define UA_CACHE_SLOTS 512     /* power of two */
#define UA_CACHE_MAX_LEN 256   /* longer user agents are not cached */

struct ua_cache_slot {
    uint64_t hash;
    uint16_t len; /* 0: empty */
    struct ua_info info;
    char ua[UA_CACHE_MAX_LEN];
};

struct ua_cache {
    uint64_t generation; /* of the bot list the cached flags came from */
    struct ua_cache_slot slot[UA_CACHE_SLOTS];
};

/* ua_classify(ua, len) and botlist_match(bots, ua, len), remembered.
 * generation names the bot list (a reload brings a new one, which empties
 * the cache first; a pointer could be reused by a later list). */
struct ua_info ua_cache_lookup(struct ua_cache *c, const struct botlist *bots,
                               uint64_t generation, const char *ua,
                               size_t len);

#endif
