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
 *
 * E-mail members lead with the campaign so that one parser reads them all:
 *   MAIL_OPEN              class letter (h m p s) | campaign
 *   MAIL_SEEN              second of the minute (1 byte) | campaign
 *   MAIL_CLICK             campaign_len | campaign | link id
 *   MAIL_OPENER, _CLICKER  campaign
 *
 * Unique visitors and recipients are sketches (table_sketch_add): one
 * entry per HyperLogLog, whatever the number of pseudonyms, at the
 * coarsest time it needs: UV per hour (batch.c files it under the hour
 * and the day), UVA, MAIL_OPENER and MAIL_CLICKER per day.
 */
#ifndef BEACON_COUNTS_H
#define BEACON_COUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "aggregator/sketch.h"
#include "proto/hit.h"
#include "proto/useragent.h"
#include "proto/walrec.h"

struct table;

enum counts_dim {
    COUNTS_PAGEVIEWS, /* tot:pageviews, series, dev, br: member =
                         device class '/' browser family */
    COUNTS_EVENTS,    /* tot:events, dev, br: member as above */
    COUNTS_PAGE,      /* pages and areas, member = path */
    COUNTS_REF,       /* refs, member = host */
    COUNTS_UTM,       /* utm, member = source/medium/campaign */
    COUNTS_EVENT,     /* ev, member = event name */
    COUNTS_UV,        /* sketch: uv of the hour and its day, no member */
    COUNTS_MAIL_OPEN,    /* mail tot opens and opens_<class>, tot opens */
    COUNTS_MAIL_OPENER,  /* sketch: mail uo */
    COUNTS_MAIL_CLICK,   /* mail tot clicks, links, tot clicks */
    COUNTS_MAIL_CLICKER, /* sketch: mail uc */
    COUNTS_MAIL_SEEN,    /* mail idx: the latest second wins */
    COUNTS_UVA,          /* sketch: uva of the day, member = area */
    COUNTS_DIM_COUNT
};

/* Most table entries one hit creates: pageview (with its device and
 * browser), page (which also counts its area), ref, utm, uv, uva; or
 * events, event, uv; an open or a click makes three at most. */
#define COUNTS_MAX_KEYS_PER_HIT 6

/* Table bytes one hit may need at most (table_reserve() before adding):
 * its entries, and two sketches that turn dense. */
#define COUNTS_MAX_BYTES_PER_HIT                                               \
    (COUNTS_MAX_KEYS_PER_HIT * (64 + 1100) + 2 * (SKETCH_GROW_MAX + 8))

/* Bytes of a visitor pseudonym (collector/privacy/pseudo.h) and of a
 * recipient hash (collector/privacy/optout_registry.h). */
#define COUNTS_VISITOR_BYTES 16
#define COUNTS_RECIPIENT_BYTES 16

/* The classes of SPEC 4; the letter of each is in MAIL_OPEN members. */
enum counts_open_class {
    COUNTS_OPEN_HUMAN,
    COUNTS_OPEN_MACHINE,
    COUNTS_OPEN_PROXY,
    COUNTS_OPEN_SCANNER,
    COUNTS_OPEN_CLASS_COUNT
};

/* "human", "machine", "proxy", "scanner". */
const char *counts_open_class_name(enum counts_open_class c);

/* An e-mail hit: recipient is the 16-byte keyed hash of the token, NULL
 * when the hit names no recipient (a click without r). */
struct counts_mail {
    const char *site;
    size_t site_len;
    const char *campaign; /* [A-Za-z0-9._-]{1,64} */
    size_t campaign_len;
    const unsigned char *recipient;
};

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

/*
 * Adds one e-mail open of class cls at unix time now: the open, its
 * recipient for unique openers (human and proxy opens only: a machine or
 * a scanner opened nothing), the campaign's last activity. Same returns
 * and reservation rule as counts_add_hit.
 */
int counts_add_open(struct table *t, const struct counts_mail *m,
                    enum counts_open_class cls, int64_t now);

/* Adds one click on link (an id, 1-64 bytes) at unix time now: the click,
 * its recipient for unique clickers when known, the last activity. */
int counts_add_click(struct table *t, const struct counts_mail *m,
                     const char *link, size_t link_len, int64_t now);

/*
 * Adds what the write-ahead log record r holds (proto/walrec.h), with the
 * same entries the hit made when it was counted: recovery's way back
 * from the log. Same returns and reservation rule as counts_add_hit.
 */
int counts_add_record(struct table *t, const struct walrec *r);

/*
 * Splits an e-mail member (see the layout above) into campaign and rest
 * (the class letter, second, link or hash). Returns 0, or -1 when it is
 * malformed.
 */
int counts_mail_member(const struct counts_key *k, const char **campaign,
                       size_t *campaign_len, const char **rest,
                       size_t *rest_len);

#endif
