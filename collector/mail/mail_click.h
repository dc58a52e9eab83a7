/*
 * mail_click.h: the signed click redirect, GET|HEAD
 * /c/<site>/<campaign>/<link>?to=&r=&k=&sig= (SPEC 2.4).
 */
#ifndef BEACON_MAIL_CLICK_H
#define BEACON_MAIL_CLICK_H

#include "collector/http/request.h"
#include "collector/http/response.h"
#include "proto/ipaddr.h"

struct worker;

/*
 * A link whose signature verifies is answered 302 to its target, counted
 * when the gate lets it; anything else is 403 with no Location. Returns
 * 0, or -1 when the connection closes after the answer.
 */
int mail_click(struct worker *w, const struct request *r,
               const struct ip_addr *peer, struct outbuf *out,
               enum response_conn conn);

#endif
