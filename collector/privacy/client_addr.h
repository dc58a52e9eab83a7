/*
 * client_addr.h: who the client is (SPEC 3): the socket peer, or, when the
 * peer is a trusted proxy, the right-most untrusted X-Forwarded-For entry.
 * The address only ever feeds the pseudonym; it is never stored, logged
 * or sent anywhere.
 */
#ifndef BEACON_CLIENT_ADDR_H
#define BEACON_CLIENT_ADDR_H

#include "collector/http/request.h"
#include "proto/ipaddr.h"

/* Sets *out to the client address of request r that came from peer. */
void client_addr(struct ip_addr *out, const struct cidr_list *trusted,
                 const struct ip_addr *peer, const struct request *r);

#endif
