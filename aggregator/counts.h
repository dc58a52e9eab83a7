/*
 * counts.h: how a hit becomes entries of an aggregate table, and back.
 *
 * Table key layout (bytes):
 *
 *   +----------+------+-----+-----------------+--------+
 *   | site_len | site | dim | minute (u32 BE) | member |
 *   +----------+------+-----+-----------------+--------+
 *        1       1-64    1          4            0-400
 *
 * minute is unix time / 60. Site first and big-endian time make a byte
 * sort group a batch by site, then dimension, then time.
 */
#ifndef BEACON_COUNTS_H
#define BEACON_COUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/hit.h"
#include "proto/useragent.h"

struct table;

enum counts_dim {
    COUNTS_PAGEVIEWS, /* tot:pageviews, series */
    COUNTS_EVENTS,    /* tot:events */
    COUNTS_PAGE,      /* pages, member = path */
    COUNTS_REF,       /* refs, member = host */
    COUNTS_UTM,       /* utm, member = source/medium/campaign */
    COUNTS_EVENT,     /* ev, member = event name */
    COUNTS_DEVICE,    /* dev, member = device class */
    COUNTS_BROWSER,   /* br, member = browser family */
    COUNTS_VISITOR,   /* uv, member = 16-byte visitor pseudonym */
    COUNTS_DIM_COUNT
};

/* Most table entries one hit creates: pageview, page, ref, utm, device,
 * browser, visitor; or events, event, device, browser, visitor. */
#define COUNTS_MAX_KEYS_PER_HIT 7

/* Table bytes one hit may need at most (table_reserve() before adding). */
#define COUNTS_MAX_BYTES_PER_HIT (COUNTS_MAX_KEYS_PER_HIT * (64 + 1100))

/* Bytes of a visitor pseudonym (collector/pseudo.h). */
#define COUNTS_VISITOR_BYTES 16

struct counts_key {
    const char *site;
    size_t site_len;
    enum counts_dim dim;
    uint32_t minute;
    const char *member;
    size_t member_len;
};

/* Encodes a key into dst (cap >= TABLE_KEY_MAX); returns its length or -1. */
int counts_key_encode(char *dst, size_t cap, const struct counts_key *k);

/* Decodes a table key; views point into key. Returns 0 or -1. */
int counts_key_decode(const char *key, size_t len, struct counts_key *out);

/*
 * Adds one hit seen at unix minute `minute` to t; visitor is its 16-byte
 * pseudonym, or NULL when there is none. Returns the number of
 * entries created (0..COUNTS_MAX_KEYS_PER_HIT), or -1 when out of memory;
 * a failed hit may have been partly added, so callers reserve memory first
 * (table_reserve(COUNTS_MAX_BYTES_PER_HIT)), after which it cannot fail.
 */
int counts_add_hit(struct table *t, const struct hit *h, struct ua_class ua,
                   const unsigned char *visitor, uint32_t minute);

#endif
