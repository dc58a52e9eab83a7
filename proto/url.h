/*
 * url.h: the parts of an absolute http(s) URL that beacond keeps, path
 * normalisation, and referrer hosts.
 */
#ifndef BEACON_URL_H
#define BEACON_URL_H

#include <stddef.h>
#include <sys/types.h>

#include "proto/span.h"

/* Views into an absolute URL "scheme://[userinfo@]host[:port]/path?q#f". */
struct url_parts {
    struct span scheme; /* "http" or "https", as written */
    struct span host;   /* without userinfo and port; IPv6 keeps brackets */
    struct span path;   /* from the first '/' to '?' or '#'; may be empty */
    struct span query;  /* after '?' up to '#', without the '?' */
};

/*
 * Splits an absolute http or https URL (scheme case-insensitive). Returns
 * 0, or -1 when s is not one (another scheme, no "//", empty host, a
 * control character or space anywhere, a bad port: anything but digits
 * up to 65535; an empty port is allowed as in RFC 3986). Userinfo ends at
 * the last '@' of the authority, as in browsers.
 */
int url_split(const char *s, size_t len, struct url_parts *out);

/* Longest page path kept, in bytes (SPEC 2.1). */
#define URL_PATH_MAX 256

/*
 * Normalises a page path into dst (cap >= URL_PATH_MAX + 1, NUL-terminated):
 * drops any query or fragment, collapses repeated '/', resolves "." and ".."
 * segments (never above the root), keeps a trailing '/'. A result longer
 * than URL_PATH_MAX is cut after the last '/' within the limit, or, when
 * that would leave only "/", hard cut at the limit (never inside a UTF-8
 * sequence). The path must start with '/'. Percent-escapes are kept as
 * written ("%2e%2e" is a name, not ".."). Returns the length, or -1 when
 * path does not start with '/', or its part before any '?' or '#' holds a
 * control character (0x00-0x1f, 0x7f) or is not valid UTF-8. A cap below
 * URL_PATH_MAX + 1 lowers the limit to cap - 1.
 */
ssize_t url_normalize_path(char *dst, size_t cap, const char *path,
                           size_t len);

/* Longest host kept (RFC 1035 names are at most 253 bytes). */
#define URL_HOST_MAX 253

/*
 * Writes the host of an absolute http(s) URL into dst (cap >=
 * URL_HOST_MAX + 1, NUL-terminated), lower-cased, a trailing '.' and a
 * leading "www." removed. Returns its length, or -1 when s is not an
 * absolute http(s) URL or the host is empty, longer than URL_HOST_MAX or
 * holds bytes other than letters, digits, '-', '.', '_', and for IPv6
 * literals '[', ']', ':' and hex digits.
 */
ssize_t url_host(char *dst, size_t cap, const char *s, size_t len);

/* Same rules for a bare host (no scheme), e.g. the value of a Host header,
 * which may end in ":port" (digits, dropped). */
ssize_t url_host_normalize(char *dst, size_t cap, const char *host,
                           size_t len);

#endif
