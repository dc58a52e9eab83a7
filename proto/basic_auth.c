/*
 * basic_auth.c: see basic_auth.h.
 */
#include "proto/basic_auth.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

int basic_auth_parse(struct span value, struct basic_auth *out)
{
    const char *p = value.p, *end = value.p + value.len;
    unsigned char plain[2 * BASIC_AUTH_MAX + 2];
    size_t n;

    if (value.p == NULL || value.len < 6 || strncasecmp(p, "basic ", 6) != 0) {
        return -1;
    }
    p += 6;
    while (p < end && *p == ' ') {
        p++;
    }
    while (end > p && end[-1] == ' ') {
        end--;
    }
    if (p == end ||
        sodium_base642bin(plain, sizeof(plain), p, (size_t)(end - p), NULL,
                          &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
        return -1;
    }
    int rc = -1;
    const unsigned char *colon = memchr(plain, ':', n);
    if (colon == NULL) {
        goto out;
    }
    size_t user_len = (size_t)(colon - plain), pass_len = n - user_len - 1;
    if (user_len > BASIC_AUTH_MAX || pass_len > BASIC_AUTH_MAX) {
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (plain[i] < 0x20 || plain[i] == 0x7f) {
            goto out;
        }
    }
    memcpy(out->user, plain, user_len);
    out->user[user_len] = '\0';
    memcpy(out->password, colon + 1, pass_len);
    out->password[pass_len] = '\0';
    rc = 0;
out:
    sodium_memzero(plain, sizeof(plain));
    return rc;
}
