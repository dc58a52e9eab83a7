/*
 * ua_cache.c: see ua_cache.h. The slot hash only spreads user agents over
 * slots; the full bytes are compared, so a collision costs a miss, never a
 * wrong answer, and a client that forges collisions only slows itself.
 */
#include "collector/privacy/ua_cache.h"

#include <string.h>

#include "collector/privacy/botlist.h"

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

static struct ua_info classify(const struct botlist *bots, const char *ua,
                               size_t len)
{
    struct ua_info info = {ua_classify(ua, len), botlist_match(bots, ua, len)};
    return info;
}

struct ua_info ua_cache_lookup(struct ua_cache *c, const struct botlist *bots,
                               uint64_t generation, const char *ua,
                               size_t len)
{
    if (c->generation != generation) {
        /* a reloaded bot list: every cached verdict is stale */
        memset(c->slot, 0, sizeof(c->slot));
        c->generation = generation;
    }
    if (len == 0 || len > UA_CACHE_MAX_LEN) {
        return classify(bots, ua, len);
    }
    uint64_t h = slot_hash(ua, len);
    struct ua_cache_slot *s = &c->slot[h & (UA_CACHE_SLOTS - 1)];
    if (s->len == len && s->hash == h && memcmp(s->ua, ua, len) == 0) {
        return s->info;
    }
    s->info = classify(bots, ua, len);
    s->hash = h;
    s->len = (uint16_t)len;
    memcpy(s->ua, ua, len);
    return s->info;
}
