/*
 * xff.h: the client address behind trusted proxies (SPEC 3): the
 * right-most address of X-Forwarded-For that is not itself trusted.
 *
 *   X-Forwarded-For: <spoofable> , <client> , <proxy 1>    (peer: proxy 2)
 *                                    ^ the answer when proxy 1 and 2 are trusted
 *
 * Entries are only believed from the right: everything a trusted proxy
 * appended is to the right of what the client sent.
 */
#ifndef BEACON_XFF_H
#define BEACON_XFF_H

#include "proto/ipaddr.h"
#include "proto/span.h"

/*
 * values[0..n) are the X-Forwarded-For header lines in the order received
 * (several lines are one comma-separated list). Walks the entries from
 * the right, skipping those in `trusted`; the first other entry is the
 * client. Entries are what ip_parse() takes (ports and brackets allowed);
 * empty entries (",,", a blank line) are skipped, as HTTP list syntax
 * says; entries left of the client are never looked at. A NULL `trusted`
 * is an empty list. Returns 0 with *out set; or -1 when there is no such
 * entry (the list is empty, every entry is trusted, or an entry met on
 * the way is not an address): the caller then keeps the peer address.
 */
int xff_client(const struct span *values, int n,
               const struct cidr_list *trusted, struct ip_addr *out);

#endif
