/*
 * pseudo.c: see pseudo.h.
 */
#include "collector/pseudo.h"

#include <sodium.h>

void pseudo_visitor(unsigned char out[PSEUDO_BYTES],
                    const unsigned char salt[32], const char *site,
                    size_t site_len, const struct ip_addr *addr,
                    const char *ua, size_t ua_len)
{
    crypto_generichash_state st;
    unsigned char site_n = (unsigned char)site_len;

    crypto_generichash_init(&st, salt, 32, PSEUDO_BYTES);
    crypto_generichash_update(&st, &site_n, 1);
    crypto_generichash_update(&st, (const unsigned char *)site, site_len);
    crypto_generichash_update(&st, &addr->len, 1);
    crypto_generichash_update(&st, addr->bytes, addr->len);
    crypto_generichash_update(&st, (const unsigned char *)ua, ua_len);
    crypto_generichash_final(&st, out, PSEUDO_BYTES);
    sodium_memzero(&st, sizeof(st));
}
