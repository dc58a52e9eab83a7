/*
 * ua_cache.c: see ua_cache.h. The slot hash only spreads user agents over
 * slots; the full bytes are compared, so a collision costs a miss, never a
 * wrong answer, and a client that forges collisions only slows itself.
 */
#include "collector/ua_cache.h"

#include <string.h>

/* Word-at-a-time multiply-xorshift: a few cycles per 8 bytes. */
static uint64_t slot_hash(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    memcpy(&tail, s + i, len - i);
    h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

struct ua_class ua_cache_classify(struct ua_cache *c, const char *ua,
                                  size_t len)
{
    if (len == 0 || len > UA_CACHE_MAX_LEN) {
        return ua_classify(ua, len);
    }
    uint64_t h = slot_hash(ua, len);
    struct ua_cache_slot *s = &c->slot[h & (UA_CACHE_SLOTS - 1)];
    if (s->len == len && s->hash == h && memcmp(s->ua, ua, len) == 0) {
        return s->cls;
    }
    s->cls = ua_classify(ua, len);
    s->hash = h;
    s->len = (uint16_t)len;
    memcpy(s->ua, ua, len);
    return s->cls;
}
