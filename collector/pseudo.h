/*
 * pseudo.h: visitor pseudonyms (SPEC 3): keyed BLAKE2b over (site,
 * client address, user agent) under the day's salt. The same visitor on
 * the same site and day gets the same 16 bytes on every instance; on the
 * next day, or without the salt (wiped when its day ends), nothing links
 * the pseudonym back to the address.
 */
#ifndef BEACON_PSEUDO_H
#define BEACON_PSEUDO_H

#include <stddef.h>

#include "proto/ipaddr.h"

#define PSEUDO_BYTES 16

/* out = BLAKE2b-128(key = salt, len8(site) site len8(addr) addr ua). The
 * length prefixes keep ("ab", "c") and ("a", "bc") apart. */
void pseudo_visitor(unsigned char out[PSEUDO_BYTES],
                    const unsigned char salt[32], const char *site,
                    size_t site_len, const struct ip_addr *addr,
                    const char *ua, size_t ua_len);

#endif
