/*
 * keys.h: the Redis key names of SPEC section 5, the dashboard contract.
 *
 *   P:{S}:<kind>:<g>:<t>     kind in tot uv pages refs utm ev dev br
 *   P:{S}:series:d:YYYYMMDD  P:{S}:series:h:YYYYMMDDHH
 *   P:{S}:mail:<C>:<kind>    kind in tot uo uc links
 *   P:{S}:mail:idx           P:sites    P:{S}:applied:<instance>
 *
 * The site id sits in braces so that all keys of a site share one Redis
 * Cluster slot (and one Lua script can touch them all).
 */
#ifndef BEACON_KEYS_H
#define BEACON_KEYS_H

#include <stddef.h>
#include <time.h>

/* Time granularities of SPEC 5. */
enum keys_gran {
    KEYS_MINUTE, /* 'm', YYYYMMDDHHMM */
    KEYS_HOUR,   /* 'h', YYYYMMDDHH */
    KEYS_DAY     /* 'd', YYYYMMDD */
};

/* Longest key any function here writes, NUL included. */
#define KEYS_MAX 256

/*
 * Writes the UTC bucket stamp of unix time t at granularity g into dst
 * (cap >= 13). Returns its length (12, 10 or 8), or -1 when t cannot be
 * represented.
 */
int keys_stamp(char *dst, size_t cap, enum keys_gran g, time_t t);

/* The letter of a granularity in key names: 'm', 'h', 'd'. */
char keys_gran_letter(enum keys_gran g);

/*
 * "P:{S}:<kind>:<g>:<stamp>". Returns the length written (NUL-terminated),
 * or -1 when it would not fit in cap.
 */
int keys_bucket(char *dst, size_t cap, const char *prefix, const char *site,
                size_t site_len, const char *kind, enum keys_gran g,
                time_t t);

/* "P:{S}:series:d:<YYYYMMDD>" (g = KEYS_DAY) or "P:{S}:series:h:<YYYYMMDDHH>"
 * (g = KEYS_HOUR); the field is the hour "HH" or the minute "MM". */
int keys_series(char *dst, size_t cap, const char *prefix, const char *site,
                size_t site_len, enum keys_gran g, time_t t);

/* The series hash field for t: "HH" for a day series, "MM" for an hour one.
 * dst needs 3 bytes. */
int keys_series_field(char *dst, size_t cap, enum keys_gran g, time_t t);

/* "P:{S}:mail:<campaign>:<kind>" (kind: tot, uo, uc, links). */
int keys_mail(char *dst, size_t cap, const char *prefix, const char *site,
              size_t site_len, const char *campaign, size_t campaign_len,
              const char *kind);

/* "P:{S}:mail:idx": campaign -> last activity. */
int keys_mail_index(char *dst, size_t cap, const char *prefix,
                    const char *site, size_t site_len);

/* "P:sites". */
int keys_sites(char *dst, size_t cap, const char *prefix);

/* "P:{S}:optout": the hashes of a site's opted-out recipients. */
int keys_optout(char *dst, size_t cap, const char *prefix, const char *site,
                size_t site_len);

/* "P:{S}:applied:<applied_as>": the last batch call applied for a site
 * from one instance's log (batch.h, applied_as). */
int keys_applied(char *dst, size_t cap, const char *prefix, const char *site,
                 size_t site_len, const char *instance);

#endif
