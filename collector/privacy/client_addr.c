/*
 * client_addr.c: see client_addr.h. A spoofed X-Forwarded-For from a peer
 * that is not trusted changes nothing: the header is not even read.
 */
#include "collector/privacy/client_addr.h"

#include "proto/xff.h"

void client_addr(struct ip_addr *out, const struct cidr_list *trusted,
                 const struct ip_addr *peer, const struct request *r)
{
    *out = *peer;
    if (trusted->n > 0 && r->n_xff > 0 && cidr_list_match(trusted, peer)) {
        struct ip_addr client;
        if (xff_client(r->xff, r->n_xff, trusted, &client) == 0) {
            *out = client;
        }
    }
}
