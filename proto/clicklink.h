/*
 * clicklink.h: the signed e-mail click redirect of SPEC 2.4
 * ("/c/<site>/<campaign>/<link>?to=&r=&k=&sig=") and the recipient token
 * that "beaconctl sign --email" derives (SPEC 1). Pure: no allocation, no
 * I/O; the HMAC and base64url come from libsodium.
 *
 * Signed message (fields joined by LF, no trailing LF):
 *
 *   "v1" LF site LF campaign LF link LF to LF r
 *
 * The LF separators are only unambiguous because every field is checked
 * first (ids, to and r can hold no LF); callers validate before they sign
 * or verify.
 */
#ifndef BEACON_CLICKLINK_H
#define BEACON_CLICKLINK_H

#include <sodium.h>
#include <stddef.h>

#include "proto/span.h"

/* base64url, no padding, of a 32-byte HMAC-SHA256: ceil(256 / 6). */
#define CLICKLINK_SIG_LEN 43

/* Longest accepted redirect target, in bytes. */
#define CLICKLINK_TO_MAX 2048

/* Recipient token of SPEC 1: base64url of 16 bytes, 22 characters. */
#define CLICKLINK_TOKEN_LEN 22

/*
 * Writes the signed message for the given fields into dst, NUL-terminated
 * (the NUL is not part of the message). recipient may be empty. Returns the
 * message length, or -1 when dst cannot hold it and its NUL (nothing
 * useful is written then).
 */
int clicklink_message(char *dst, size_t cap, struct span site,
                      struct span campaign, struct span link, struct span to,
                      struct span recipient);

/*
 * Writes into out the signature of msg[0..len): base64url without padding
 * of HMAC-SHA256(key, msg), CLICKLINK_SIG_LEN characters and a NUL. The
 * key is the configured signing key, any length (SPEC keys are >= 32
 * bytes; a shorter key works but is weak, the caller's config check
 * refuses it).
 */
void clicklink_sign(char out[CLICKLINK_SIG_LEN + 1], const unsigned char *key,
                    size_t keylen, const char *msg, size_t len);

/*
 * A signing key made ready for many verifications: HMAC's two key blocks
 * are hashed once here instead of for every link (half of the hashing of
 * a short message). Holds key material: wipe it with sodium_memzero.
 */
struct clicklink_key {
    crypto_auth_hmacsha256_state ready;
};

void clicklink_key_init(struct clicklink_key *k, const unsigned char *key,
                        size_t keylen);

/* clicklink_verify() with a prepared key. */
int clicklink_verify_with(const char *sig, size_t siglen,
                          const struct clicklink_key *k, const char *msg,
                          size_t len);

/*
 * Returns 1 when sig[0..siglen) is exactly the signature clicklink_sign
 * gives for (key, msg), else 0. The MACs are compared in constant time;
 * any other length, padding '=', standard-base64 '+' or '/', whitespace or
 * trailing garbage is 0. sig need not be NUL-terminated.
 */
int clicklink_verify(const char *sig, size_t siglen, const unsigned char *key,
                     size_t keylen, const char *msg, size_t len);

/*
 * Returns 1 when to[0..len) may be a redirect target: an absolute http or
 * https URL (scheme case-insensitive) with a "//" authority and a
 * non-empty host, at most CLICKLINK_TO_MAX bytes, and no byte below 0x21
 * or 0x7f anywhere (so no CR, LF, space or control can reach a Location
 * header; percent-escapes such as "%0d%0a" are fine, they stay escaped).
 * Returns 0 otherwise (javascript:, data:, relative, "//host", "http:/x").
 */
int clicklink_valid_to(const char *to, size_t len);

/* Longest Location value clicklink_location() writes, NUL excluded. */
#define CLICKLINK_LOCATION_MAX (3 * CLICKLINK_TO_MAX)

/*
 * Writes the Location header value for a valid to (clicklink_valid_to)
 * into dst, NUL-terminated: to as signed, but bytes of 0x80 and above
 * (raw UTF-8 in a path) as %XX, since a header value is ASCII. Returns
 * its length, or -1 when dst (cap bytes) cannot hold it.
 */
int clicklink_location(char *dst, size_t cap, const char *to, size_t len);

/* 1 when s[0..len) is a campaign or link id: [A-Za-z0-9._-]{1,64}. */
int clicklink_valid_id(const char *s, size_t len);

/* Lengths of a recipient token (SPEC 2.3). */
#define CLICKLINK_RECIPIENT_MIN 8
#define CLICKLINK_RECIPIENT_MAX 128

/* 1 when s[0..len) is a recipient token: [A-Za-z0-9_-]{8,128}. */
int clicklink_valid_recipient(const char *s, size_t len);

/*
 * Writes into out the recipient token for an e-mail address (SPEC 1):
 * base64url, no padding, of the first 16 bytes of HMAC-SHA256(key,
 * lower-cased address), CLICKLINK_TOKEN_LEN characters and a NUL. Only
 * ASCII 'A'-'Z' are lower-cased; other bytes (UTF-8 included) are hashed
 * as given, so "Ÿ@x" and "ÿ@x" give different tokens. No other
 * normalisation (no trimming, no dots or "+tag" handling).
 */
void clicklink_recipient_from_email(char out[CLICKLINK_TOKEN_LEN + 1],
                                    const unsigned char key[32],
                                    const char *email, size_t len);

#endif
