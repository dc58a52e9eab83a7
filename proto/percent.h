/*
 * percent.h: percent-decoding of URL query components (RFC 3986 section
 * 2.1, with the form-encoding rule that '+' is a space).
 */
#ifndef BEACON_PERCENT_H
#define BEACON_PERCENT_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Decodes len bytes of src into dst (dst may equal src: decoding never
 * lengthens). When plus_is_space, '+' becomes ' '. A '%' not followed by
 * two hex digits is malformed. Returns the decoded length, or -1 when the
 * input is malformed or the result would exceed cap bytes.
 */
ssize_t percent_decode(char *dst, size_t cap, const char *src, size_t len,
                       int plus_is_space);

#endif
