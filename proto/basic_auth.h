/*
 * basic_auth.h: the credentials of an HTTP Basic Authorization header
 * (RFC 7617): "Basic " then base64 of "user:password". Pure.
 */
#ifndef BEACON_BASIC_AUTH_H
#define BEACON_BASIC_AUTH_H

#include <stddef.h>

#include "proto/span.h"

#define BASIC_AUTH_MAX 256 /* user and password bytes, each at most */

struct basic_auth {
    char user[BASIC_AUTH_MAX + 1];
    char password[BASIC_AUTH_MAX + 1];
};

/*
 * Reads the value of an Authorization header. Returns 0 with out filled
 * (NUL-terminated), or -1 when it is not Basic, not base64, has no ':',
 * holds a control byte, or a part is longer than BASIC_AUTH_MAX. The
 * scheme is case-insensitive; spaces around the token are skipped.
 */
int basic_auth_parse(struct span value, struct basic_auth *out);

#endif
