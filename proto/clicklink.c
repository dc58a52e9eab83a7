/*
 * clicklink.c: build, sign and check the click-redirect links of SPEC 2.4,
 * and derive recipient tokens from e-mail addresses (SPEC 1).
 *
 * The verifier decodes the signature instead of comparing strings so that
 * the comparison runs over the 32 MAC bytes with sodium_memcmp; libsodium's
 * decoder refuses padding, characters outside the URL-safe alphabet,
 * trailing garbage and non-zero unused bits, so exactly one spelling of a
 * MAC is accepted.
 */
#include "proto/clicklink.h"

#include <limits.h>
#include <sodium.h>

#include "proto/url.h"

#define CLICKLINK_MAC_LEN crypto_auth_hmacsha256_BYTES
#define CLICKLINK_TOKEN_BYTES 16

/* Appends s to dst at *off; the caller has checked the room. */
static void clicklink_put(char *dst, size_t *off, const char *s, size_t n)
{
    if (n > 0) {
        memcpy(dst + *off, s, n);
        *off += n;
    }
}

int clicklink_message(char *dst, size_t cap, struct span site,
                      struct span campaign, struct span link, struct span to,
                      struct span recipient)
{
    const struct span parts[5] = {site, campaign, link, to, recipient};
    size_t need = 2 + 1; /* "v1" and the NUL; one LF per field below */
    size_t off = 0;

    for (size_t i = 0; i < 5; i++) {
        if (parts[i].len >= (size_t)INT_MAX ||
            need > (size_t)INT_MAX - parts[i].len - 1) {
            return -1;
        }
        need += parts[i].len + 1;
    }
    if (dst == NULL || cap < need) {
        return -1;
    }
    clicklink_put(dst, &off, "v1", 2);
    for (size_t i = 0; i < 5; i++) {
        dst[off++] = '\n';
        clicklink_put(dst, &off, parts[i].p, parts[i].len);
    }
    dst[off] = '\0';
    return (int)off;
}

void clicklink_key_init(struct clicklink_key *k, const unsigned char *key,
                        size_t keylen)
{
    crypto_auth_hmacsha256_init(&k->ready, key, keylen);
}

/* HMAC from a prepared key: a copy of its state takes the message. */
static void clicklink_mac_with(unsigned char mac[CLICKLINK_MAC_LEN],
                               const struct clicklink_key *k, const char *msg,
                               size_t len)
{
    crypto_auth_hmacsha256_state st = k->ready;

    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
}

static void clicklink_mac(unsigned char mac[CLICKLINK_MAC_LEN],
                          const unsigned char *key, size_t keylen,
                          const char *msg, size_t len)
{
    struct clicklink_key k;

    clicklink_key_init(&k, key, keylen);
    clicklink_mac_with(mac, &k, msg, len);
    sodium_memzero(&k, sizeof k);
}

void clicklink_sign(char out[CLICKLINK_SIG_LEN + 1], const unsigned char *key,
                    size_t keylen, const char *msg, size_t len)
{
    unsigned char mac[CLICKLINK_MAC_LEN];

    clicklink_mac(mac, key, keylen, msg, len);
    sodium_bin2base64(out, CLICKLINK_SIG_LEN + 1, mac, sizeof mac,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int clicklink_verify(const char *sig, size_t siglen, const unsigned char *key,
                     size_t keylen, const char *msg, size_t len)
{
    struct clicklink_key k;
    int ok;

    clicklink_key_init(&k, key, keylen);
    ok = clicklink_verify_with(sig, siglen, &k, msg, len);
    sodium_memzero(&k, sizeof k);
    return ok;
}

int clicklink_verify_with(const char *sig, size_t siglen,
                          const struct clicklink_key *k, const char *msg,
                          size_t len)
{
    unsigned char got[CLICKLINK_MAC_LEN], want[CLICKLINK_MAC_LEN];
    size_t got_len = 0;
    int ok;

    /* The length of a signature is public; only its bytes are not. */
    if (sig == NULL || siglen != CLICKLINK_SIG_LEN) {
        return 0;
    }
    if (sodium_base642bin(got, sizeof got, sig, siglen, NULL, &got_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        got_len != sizeof got) {
        return 0;
    }
    clicklink_mac_with(want, k, msg, len);
    ok = sodium_memcmp(got, want, sizeof want) == 0;
    sodium_memzero(want, sizeof want);
    return ok;
}

int clicklink_valid_to(const char *to, size_t len)
{
    struct url_parts u;

    if (to == NULL || len == 0 || len > CLICKLINK_TO_MAX) {
        return 0;
    }
    /* url_split refuses controls and space too; checked here as well so
     * that this function alone keeps CR/LF out of the Location header,
     * whatever url_split comes to allow. */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)to[i];

        if (c < 0x21 || c == 0x7f) {
            return 0;
        }
    }
    return url_split(to, len, &u) == 0 && u.host.len > 0;
}

static int clicklink_is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

int clicklink_location(char *dst, size_t cap, const char *to, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)to[i];
        size_t need = c < 0x80 ? 1 : 3;
        if (o + need + 1 > cap) { /* and the NUL */
            return -1;
        }
        if (c < 0x80) {
            dst[o++] = (char)c;
        } else {
            dst[o++] = '%';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 0x0f];
        }
    }
    if (cap == 0) {
        return -1;
    }
    dst[o] = '\0';
    return (int)o;
}

int clicklink_valid_id(const char *s, size_t len)
{
    if (s == NULL || len < 1 || len > 64) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!clicklink_is_alnum(c) && c != '.' && c != '_' && c != '-') {
            return 0;
        }
    }
    return 1;
}

int clicklink_valid_recipient(const char *s, size_t len)
{
    if (s == NULL || len < CLICKLINK_RECIPIENT_MIN ||
        len > CLICKLINK_RECIPIENT_MAX) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!clicklink_is_alnum(c) && c != '_' && c != '-') {
            return 0;
        }
    }
    return 1;
}

void clicklink_recipient_from_email(char out[CLICKLINK_TOKEN_LEN + 1],
                                    const unsigned char key[32],
                                    const char *email, size_t len)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[CLICKLINK_MAC_LEN];
    unsigned char chunk[64];

    crypto_auth_hmacsha256_init(&st, key, 32);
    /* Lower-cased in chunks: an address may be any length and no copy of
     * it may be allocated. */
    for (size_t off = 0; off < len;) {
        size_t n = len - off < sizeof chunk ? len - off : sizeof chunk;

        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)email[off + i];

            chunk[i] =
                (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
        }
        crypto_auth_hmacsha256_update(&st, chunk, n);
        off += n;
    }
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(out, CLICKLINK_TOKEN_LEN + 1, mac, CLICKLINK_TOKEN_BYTES,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(&st, sizeof st);
    sodium_memzero(chunk, sizeof chunk);
    sodium_memzero(mac, sizeof mac);
}
