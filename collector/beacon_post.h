/*
 * beacon_post.h: the batch beacon, POST /e and OPTIONS /e (SPEC 2.2), for
 * navigator.sendBeacon and fetch(..., {keepalive: true}).
 */
#ifndef BEACON_BEACON_POST_H
#define BEACON_BEACON_POST_H

#include "collector/http/request.h"
#include "collector/http/response.h"
#include "proto/ipaddr.h"

struct worker;

/* POST /e: counts the valid events of the body that pass the gate; 204
 * with X-Beacon-Accepted and X-Beacon-Dropped, or the error of SPEC 2.2.
 * Returns 0, or -1 when the connection closes after the answer. */
int beacon_post(struct worker *w, const struct request *r,
                const struct ip_addr *peer, struct outbuf *out,
                enum response_conn conn);

/*
 * Appends a refusal of /e: status, CORS, extra (header lines or NULL) and
 * {"error": "<msg>"} (msg a static string that needs no escaping; no
 * body when head, the answer to a HEAD). Also
 * what the router answers for /e when a request cannot be framed.
 * Returns 0, or -1 when the connection closes after it.
 */
int beacon_post_refuse(struct worker *w, struct outbuf *out, int status,
                       const char *extra, const char *msg, int head,
                       enum response_conn conn);

/* OPTIONS /e: the CORS preflight answer. */
int beacon_options(struct worker *w, const struct request *r,
                   const struct ip_addr *peer, struct outbuf *out,
                   enum response_conn conn);

#endif
