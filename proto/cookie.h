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

/*
 * 1 when any cookie called name in s[0..len) has exactly `value` (a
 * browser sends one cookie per path and domain that matches, so a name
 * can appear more than once), else 0.
 */
int cookie_has(const char *s, size_t len, const char *name,
               const char *value);

#endif
