/*
 * pseudo.h: visitor pseudonyms (SPEC 3): keyed SipHash over (site, client
 * address, user agent) under the day's salt. The same visitor on the same
 * site and day gets the same 16 bytes on every instance; on the next day,
 * or without the salt (wiped when its day ends), nothing links the
 * pseudonym back to the address.
 *
 * SipHash-2-4 with 128-bit output (libsodium's crypto_shorthash_siphashx24)
 * is a PRF under a 128-bit key, the first half of the 32-byte salt: enough
 * that trying all 2^32 IPv4 addresses is useless without it, and about six
 * times cheaper per hit than keyed BLAKE2b (bench/privacy_bench.c).
 */
#ifndef BEACON_PSEUDO_H
#define BEACON_PSEUDO_H

#include <stddef.h>

#include "proto/ipaddr.h"

#define PSEUDO_BYTES 16

/*
 * out = SipHash-2-4-128(key = salt[0..16),
 *                       len8(site) site len8(addr) addr ua)
 * The length prefixes keep ("ab", "c") and ("a", "bc") apart. A user agent
 * longer than PSEUDO_UA_MAX bytes counts by its first PSEUDO_UA_MAX.
 */
void pseudo_visitor(unsigned char out[PSEUDO_BYTES],
                    const unsigned char salt[32], const char *site,
                    size_t site_len, const struct ip_addr *addr,
                    const char *ua, size_t ua_len);

#define PSEUDO_UA_MAX 1024

#endif
