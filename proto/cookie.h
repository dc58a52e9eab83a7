/*
 * cookie.h: reading one cookie out of a Cookie header (RFC 6265 5.4:
 * "name=value" pairs separated by "; ").
 */
#ifndef BEACON_COOKIE_H
#define BEACON_COOKIE_H

#include "proto/span.h"

/*
 * Finds the first cookie called name (exact, case-sensitive) in the
 * Cookie header value s[0..len) and sets *value (quotes around the value
 * removed). Returns 1 when found, 0 otherwise.
 */
int cookie_find(const char *s, size_t len, const char *name,
                struct span *value);

#endif
