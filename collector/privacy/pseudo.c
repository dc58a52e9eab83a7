/*
 * pseudo.c: see pseudo.h.
 */
#include "collector/privacy/pseudo.h"

#include <sodium.h>
#include <string.h>

void pseudo_visitor(unsigned char out[PSEUDO_BYTES],
                    const unsigned char salt[32], const char *site,
                    size_t site_len, const struct ip_addr *addr,
                    const char *ua, size_t ua_len)
{
    /* SipHash takes one message: lay the parts out on the stack. */
    unsigned char msg[1 + 255 + 1 + 16 + PSEUDO_UA_MAX];
    size_t n = 0;

    if (site_len > 255) {
        site_len = 255;
    }
    if (ua_len > PSEUDO_UA_MAX) {
        ua_len = PSEUDO_UA_MAX;
    }
    msg[n++] = (unsigned char)site_len;
    memcpy(msg + n, site, site_len);
    n += site_len;
    msg[n++] = addr->len;
    memcpy(msg + n, addr->bytes, addr->len);
    n += addr->len;
    memcpy(msg + n, ua, ua_len);
    n += ua_len;
    crypto_shorthash_siphashx24(out, msg, n, salt);
    sodium_memzero(msg, 1 + 255 + 1 + 16);
}
