/*
 * optout_pages.h: the opt-out endpoints of SPEC 2.5 that need no storage:
 * GET /optout and /optin (the opt-out cookie and a page saying what
 * happened) and GET /.well-known/gpc.json.
 */
#ifndef BEACON_OPTOUT_PAGES_H
#define BEACON_OPTOUT_PAGES_H

#include "collector/http/request.h"
#include "collector/http/response.h"
#include "proto/ipaddr.h"

struct worker;

/* Each answers r into out; 0, or -1 when the connection closes after. */
int optout_page(struct worker *w, const struct request *r,
                const struct ip_addr *peer, struct outbuf *out,
                enum response_conn conn);
int optin_page(struct worker *w, const struct request *r,
               const struct ip_addr *peer, struct outbuf *out,
               enum response_conn conn);
int gpc_json(struct worker *w, const struct request *r,
             const struct ip_addr *peer, struct outbuf *out,
             enum response_conn conn);

#endif
