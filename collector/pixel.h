/*
 * pixel.h: the page pixel, GET|HEAD /p.gif and /p (SPEC 2.1).
 */
#ifndef BEACON_PIXEL_H
#define BEACON_PIXEL_H

#include "collector/http/request.h"
#include "collector/http/response.h"
#include "proto/ipaddr.h"

struct worker;

/* Counts the hit when it is valid and answers the GIF whatever happens.
 * Returns 0, or -1 when the connection closes after the answer. */
int pixel_handle(struct worker *w, const struct request *r,
                 const struct ip_addr *peer, struct outbuf *out,
                 enum response_conn conn);

#endif
