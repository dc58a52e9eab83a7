/*
 * percent.c: percent-decoding of query components. Strict on purpose: a
 * stray '%' means the client (or something between) mangled the URL, and
 * guessing what it meant would let two spellings of one value through.
 */
#include "proto/percent.h"

#include <limits.h>

static int percent_hex(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

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
            hi = percent_hex((unsigned char)src[i + 1]);
            lo = percent_hex((unsigned char)src[i + 2]);
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
