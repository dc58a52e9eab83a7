/*
 * percent.c: percent-decoding of query components. Strict on purpose: a
 * stray '%' means the client (or something between) mangled the URL, and
 * guessing what it meant would let two spellings of one value through.
 */
#include "proto/percent.h"
#include "proto/ascii.h"

#include <limits.h>

ssize_t percent_decode(char *dst, size_t cap, const char *src, size_t len,
                       int plus_is_space)
{
    size_t i = 0, n = 0;

    if (len > SSIZE_MAX) {
        return -1;
    }
    /* The write index never passes the read index, so dst == src is safe. */
    while (i < len) {
        unsigned char c = (unsigned char)src[i];

        if (c == '%') {
            int hi, lo;

            if (len - i < 3) {
                return -1;
            }
            hi = ascii_hex_value((unsigned char)src[i + 1]);
            lo = ascii_hex_value((unsigned char)src[i + 2]);
            if (hi < 0 || lo < 0) {
                return -1;
            }
            c = (unsigned char)(hi << 4 | lo);
            i += 3;
        } else {
            if (c == '+' && plus_is_space) {
                c = ' ';
            }
            i++;
        }
        if (n >= cap) {
            return -1;
        }
        dst[n++] = (char)c;
    }
    return (ssize_t)n;
}
