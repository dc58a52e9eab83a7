/*
 * hit_record.h: what the page pixel and the batch beacon share once a hit
 * has passed the gate and validation: the room it needs, the visitor
 * pseudonym, the aggregate entries. Nothing here waits, locks or
 * allocates.
 */
#ifndef BEACON_HIT_RECORD_H
#define BEACON_HIT_RECORD_H

#include "collector/metrics.h"
#include "collector/request.h"
#include "collector/ua_cache.h"
#include "proto/hit.h"
#include "proto/ipaddr.h"
#include "proto/url.h"

struct worker;
struct policy;

/* The embedding page's host, from the Referer header: for telling an
 * internal referrer when u is a bare path. */
struct hit_page_host {
    char host[URL_HOST_MAX + 1];
    struct hit_context ctx;
};

/* Fills ph from r's Referer; ph->ctx is empty without one. */
void hit_page_host(struct hit_page_host *ph, const struct request *r);

/*
 * Counts the valid hit h from the request r of peer (the client address
 * and user agent make its pseudonym). Returns METRICS_O_counted, or
 * METRICS_O_shed when there is no room for it (then nothing of it is
 * counted).
 */
enum metrics_outcome hit_record(struct worker *w, const struct policy *pol,
                                const struct request *r,
                                const struct ip_addr *peer,
                                struct ua_info ua, const struct hit *h);

#endif
