/*
 * hit_record.h: what the page pixel and the batch beacon share once a hit
 * has passed the gate and validation: the room it needs, the visitor
 * pseudonym, the aggregate entries. Nothing here waits, locks or
 * allocates.
 */
#ifndef BEACON_HIT_RECORD_H
#define BEACON_HIT_RECORD_H

#include "collector/metrics.h"
#include "collector/http/request.h"
#include "collector/privacy/pseudo.h"
#include "collector/privacy/ua_cache.h"
#include "proto/hit.h"
#include "proto/ipaddr.h"
#include "proto/url.h"

struct worker;
struct policy;

/* The embedding page's host, from the Referer header: for telling an
 * internal referrer when u is a bare path. */
struct hit_record_page {
    char host[URL_HOST_MAX + 1];
    struct hit_context ctx;
};

/* Fills pg from r's Referer; pg->ctx is empty without one. */
void hit_record_page(struct hit_record_page *pg, const struct request *r);

/*
 * What the hits of one batch share. Backlog keys taken ahead
 * (backlog_reserve()), so that no other worker can fill the backlog
 * half-way through it: hit_record() draws on them, and the caller gives
 * back what is left. And the pseudonym of the site last counted: one
 * request has one client and one user agent, so every hit of the same
 * site and day has the same one, and the SipHash is computed once.
 */
struct hit_record_batch {
    int64_t left;
    uint32_t day;
    size_t site_len; /* 0: no pseudonym kept */
    char site[HIT_SITE_MAX];
    unsigned char visitor[PSEUDO_BYTES];
};

/*
 * Counts the valid hit h from the request r of peer (the client address
 * and user agent make its pseudonym), drawing its backlog keys from
 * batch, or, when NULL, checking for room itself. Returns
 * METRICS_O_counted, or METRICS_O_shed when there is no room for it (then
 * nothing of it is counted).
 */
enum metrics_outcome hit_record(struct worker *w, const struct policy *pol,
                                const struct request *r,
                                const struct ip_addr *peer,
                                struct ua_info ua, const struct hit *h,
                                struct hit_record_batch *batch);

#endif
