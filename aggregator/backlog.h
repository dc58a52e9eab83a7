/*
 * backlog.h: how many aggregate keys the process holds that Redis does not
 * have yet, shared by the workers (which add keys) and the flusher (which
 * merges and applies them). max_keys bounds it: a hit that might not fit
 * is shed at once, so every hit answered "counted" has its place reserved.
 */
#ifndef BEACON_BACKLOG_H
#define BEACON_BACKLOG_H

#include <stdatomic.h>
#include <stdint.h>

struct backlog {
    _Atomic int64_t keys;
    int64_t max_keys;
};

/* 1 when n more keys fit under max_keys. Workers race past the check by at
 * most (workers * n) keys, which max_keys documents as approximate. */
static inline int backlog_has_room(struct backlog *b, int64_t n)
{
    return atomic_load_explicit(&b->keys, memory_order_relaxed) + n <=
           b->max_keys;
}

/* Takes n keys at once if they fit: unlike has_room + add, no other
 * worker can slip in between. Returns 0, or -1 (nothing taken). */
static inline int backlog_reserve(struct backlog *b, int64_t n)
{
    int64_t before = atomic_fetch_add_explicit(&b->keys, n,
                                               memory_order_relaxed);
    if (before + n > b->max_keys) {
        atomic_fetch_sub_explicit(&b->keys, n, memory_order_relaxed);
        return -1;
    }
    return 0;
}

/* Adds (or, negative, removes) n keys. */
static inline void backlog_add(struct backlog *b, int64_t n)
{
    if (n != 0) {
        atomic_fetch_add_explicit(&b->keys, n, memory_order_relaxed);
    }
}

static inline int64_t backlog_keys(struct backlog *b)
{
    return atomic_load_explicit(&b->keys, memory_order_relaxed);
}

#endif
