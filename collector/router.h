/*
 * router.h: request target -> endpoint, and the answers that do not
 * belong to an endpoint (404, 405, framing errors).
 */
#ifndef BEACON_ROUTER_H
#define BEACON_ROUTER_H

#include "collector/http/request.h"
#include "collector/http/response.h"
#include "proto/ipaddr.h"

struct worker;

/*
 * Answers r, received from peer, into out. Returns 0, or -1 when the
 * connection must close after this response (the response then says so).
 */
int router_dispatch(struct worker *w, const struct request *r,
                    const struct ip_addr *peer, struct outbuf *out,
                    enum response_conn conn);

/*
 * Appends a plain-text answer (no body and no Content-Type when text is
 * NULL; extra: complete header lines or NULL) and counts its status.
 * Returns 0, or -1 when the connection closes after it.
 */
int router_plain(struct worker *w, struct outbuf *out, int status,
                 const char *extra, const char *text, int head,
                 enum response_conn conn);

/* Appends an error answer that closes the connection: 400, 404, 405 (with
 * the Allow header of target's route; 404 when target is not ours), 408,
 * 413, 414, 431, 503, 505. */
void router_error(struct worker *w, int status, struct span target,
                  struct outbuf *out);

#endif
