/*
 * utf8.h: UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing
 * past U+10FFFF), so that every string stored in Redis is valid text.
 */
#ifndef BEACON_UTF8_H
#define BEACON_UTF8_H

#include <stddef.h>

/* Returns 1 when s[0..len) is well-formed UTF-8, 0 otherwise. */
int utf8_valid(const char *s, size_t len);

/*
 * Returns the largest n <= len such that s[0..n) does not end inside a
 * multi-byte sequence: where to cut a valid UTF-8 string at most len long.
 */
size_t utf8_cut(const char *s, size_t len);

#endif
