/*
 * config_secrets.c: the decoded keys of a validated configuration
 * (recipient_key, link_keys), for the mail endpoints and beaconctl. The
 * file stores them as written (hex or base64); they are decoded only where
 * they are used, into buffers the caller wipes.
 */
#include "config/config.h"
#include "config/config_parse.h"

#include <sodium.h>
#include <string.h>

int config_recipient_key(const struct config *c, unsigned char out[32])
{
    uint8_t key[CONFIG_KEY_MAX];
    size_t len;
    const char *reason;

    if (c->recipient_key[0] == '\0' ||
        config_parse_key_why(c->recipient_key, strlen(c->recipient_key), key,
                             &len, &reason) < 0 ||
        len != 32) {
        return -1;
    }
    memcpy(out, key, 32);
    sodium_memzero(key, sizeof(key));
    return 0;
}

/*
 * Walks link_keys ("id:key, id:key", already checked by set_link_keys):
 * sets [*id, *id + *idlen) and [*key, *key + *keylen) to the next entry
 * without surrounding spaces and advances *p. Returns 1 per entry, 0 at
 * the end.
 */
static int next_link_key(const char **p, const char **id, size_t *idlen,
                         const char **key, size_t *keylen)
{
    const char *s = *p;
    const char *end;
    const char *colon;

    while (s != NULL) {
        s += strspn(s, " \t");
        end = strchr(s, ',');
        *p = end != NULL ? end + 1 : NULL;
        if (end == NULL) {
            end = s + strlen(s);
        }
        while (end > s && (end[-1] == ' ' || end[-1] == '\t')) {
            end--;
        }
        colon = memchr(s, ':', (size_t)(end - s));
        if (colon != NULL) {
            *id = s;
            *idlen = (size_t)(colon - s);
            *key = colon + 1;
            *keylen = (size_t)(end - colon - 1);
            return 1;
        }
        s = *p;
    }
    return 0;
}

int config_link_key_at(const struct config *c, int i, char *id, size_t idcap,
                       unsigned char *key, size_t *keylen)
{
    const char *p = c->link_keys;
    const char *kid;
    const char *k;
    size_t idlen;
    size_t klen;
    const char *reason;

    while (next_link_key(&p, &kid, &idlen, &k, &klen)) {
        if (i-- > 0) {
            continue;
        }
        if (idlen >= idcap) {
            return -1;
        }
        memcpy(id, kid, idlen);
        id[idlen] = '\0';
        return config_parse_key_why(k, klen, key, keylen, &reason);
    }
    return -1;
}

int config_link_key(const struct config *c, const char *id, unsigned char *out,
                    size_t *outlen)
{
    char kid[CONFIG_LINK_ID_MAX + 1];

    for (int i = 0;
         config_link_key_at(c, i, kid, sizeof(kid), out, outlen) == 0; i++) {
        if (strcmp(kid, id) == 0) {
            return 0;
        }
    }
    sodium_memzero(out, CONFIG_KEY_MAX);
    return -1;
}

int config_first_link_key_id(const struct config *c, char *id, size_t cap)
{
    unsigned char key[CONFIG_KEY_MAX];
    size_t len;
    int rc = config_link_key_at(c, 0, id, cap, key, &len);

    sodium_memzero(key, sizeof(key));
    return rc;
}
