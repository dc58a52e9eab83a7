/*
 * ua_cache.h: a per-worker cache of user-agent classifications. A few
 * hundred distinct user agents make most of the traffic, and a keep-alive
 * connection sends the same one on every request, while classifying one
 * takes dozens of substring scans; the cache turns that into one hash and
 * one memcmp. Direct-mapped, no allocation, owned by one thread.
 */
#ifndef BEACON_UA_CACHE_H
#define BEACON_UA_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/useragent.h"

#define UA_CACHE_SLOTS 512     /* power of two */
#define UA_CACHE_MAX_LEN 256   /* longer user agents are not cached */

struct ua_cache_slot {
    uint64_t hash;
    uint16_t len; /* 0: empty */
    struct ua_class cls;
    char ua[UA_CACHE_MAX_LEN];
};

struct ua_cache {
    struct ua_cache_slot slot[UA_CACHE_SLOTS];
};

/* ua_classify(ua, len), remembered. */
struct ua_class ua_cache_classify(struct ua_cache *c, const char *ua,
                                  size_t len);

#endif
