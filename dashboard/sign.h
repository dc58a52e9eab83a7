/*
 * sign.h: "beaconctl sign" (SPEC 1): open-pixel URLs (SPEC 2.3) and signed
 * click links (SPEC 2.4) under public_url, for e-mail templates. The URL
 * builders are pure and take validated fields; sign_main parses the
 * command line, validates every field and prints the URL or rewrites a
 * template (sign_html.h).
 */
#ifndef BEACON_SIGN_H
#define BEACON_SIGN_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "config/config.h"

/* Room for any URL sign prints: public_url, ids, 3 x CLICKLINK_TO_MAX. */
#define SIGN_URL_MAX 8192

/* The fields of one click link; recipient may be NULL or "" (no "r="). */
struct sign_link {
    const char *base; /* public_url, no trailing '/' */
    const char *site;
    const char *campaign;
    const char *link;
    const char *to; /* raw, unencoded: it is what gets signed */
    const char *recipient;
    const char *key_id;
};

/*
 * Percent-encodes src[0..len) into dst per RFC 3986: the unreserved
 * characters A-Z a-z 0-9 - . _ ~ stay, every other byte becomes %XX with
 * upper-case hex. Writes a NUL. Returns the encoded length, or -1 when
 * dst cannot hold it and its NUL.
 */
ssize_t sign_percent_encode(char *dst, size_t cap, const char *src, size_t len);

/*
 * Writes "<base>/o/<site>/<campaign>/<recipient>.gif" into dst. The
 * fields must already be valid (they need no escaping then). Returns 0,
 * or -1 when dst is too small.
 */
int sign_pixel_url(char *dst, size_t cap, const char *base, const char *site,
                   const char *campaign, const char *recipient);

/*
 * Writes "<base>/c/<site>/<campaign>/<link>?to=<enc>[&r=<recipient>]
 * &k=<key_id>&sig=<sig>" into dst, sig over the SPEC 2.4 message with the
 * raw to, keyed with key[0..keylen). Fields must already be valid.
 * Returns 0, or -1 when dst (or the message) is too small.
 */
int sign_link_url(char *dst, size_t cap, const struct sign_link *l,
                  const unsigned char *key, size_t keylen);

/*
 * Runs "sign pixel|link|html ..." with argv[0] == "sign", under the
 * validated config c. pixel and link print the URL on stdout; html
 * copies the template on stdin to stdout with its links signed and the
 * pixel added (sign_html.h), and writes nothing for a refused template.
 * Messages go to stderr.
 * Returns the exit status: 0 ok, 2 usage error (unknown or missing flag),
 * 1 runtime failure (bad value, missing key in the configuration).
 */
int sign_main(const struct config *c, int argc, char **argv);

/* Writes the usage text of "beaconctl sign" to f. */
void sign_usage(FILE *f);

#endif
