/*
 * query.h: iteration over the name=value pairs of a URL query string
 * ("a=1&b=2"), without decoding and without copying.
 */
#ifndef BEACON_QUERY_H
#define BEACON_QUERY_H

#include "proto/span.h"

struct query_iter {
    const char *p;
    const char *end;
};

/* Starts iterating over q (no leading '?'). */
void query_iter_init(struct query_iter *it, const char *q, size_t len);

/*
 * Yields the next pair as raw (still percent-encoded) views into q: 1 and
 * the pair, or 0 when done. Empty pairs ("a=1&&b=2") are skipped; a pair
 * without '=' has an empty value.
 */
int query_next(struct query_iter *it, struct span *name, struct span *value);

/*
 * Finds the first pair named name (compared raw, byte for byte) and sets
 * *value to its raw value. Returns 1 when found, 0 otherwise.
 */
int query_find(const char *q, size_t len, const char *name,
               struct span *value);

#endif
