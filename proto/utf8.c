/*
 * utf8.c: UTF-8 validation and safe cut points. Everything that reaches
 * Redis passes through here, so that a dashboard never has to cope with
 * broken text and a cut never splits a character.
 */
#include "proto/utf8.h"

#include <stdint.h>
#include <string.h>

/* A continuation byte is 10xxxxxx. */
static int utf8_is_cont(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/*
 * Length of the sequence a lead byte announces, 0 for a byte that cannot
 * start one (continuations, C0/C1 overlong leads, F5..FF past U+10FFFF).
 */
static size_t utf8_seq_len(unsigned char c)
{
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        return 2;
    }
    if (c >= 0xe0 && c <= 0xef) {
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        return 4;
    }
    return 0;
}

int utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        uint64_t word;
        /* Mostly ASCII: eight bytes at a time while no high bit is set. */
        if (len - i >= sizeof(word)) {
            memcpy(&word, p + i, sizeof(word));
            if ((word & 0x8080808080808080ULL) == 0) {
                i += sizeof(word);
                continue;
            }
        }
        unsigned char c = p[i];
        size_t n = utf8_seq_len(c);
        /* The second byte's range is where RFC 3629 rules out overlongs
         * (E0, F0), surrogates (ED) and code points past U+10FFFF (F4). */
        unsigned char lo = 0x80, hi = 0xbf;

        if (n == 0 || n > len - i) {
            return 0;
        }
        if (n == 1) {
            i++;
            continue;
        }
        if (c == 0xe0) {
            lo = 0xa0;
        } else if (c == 0xed) {
            hi = 0x9f;
        } else if (c == 0xf0) {
            lo = 0x90;
        } else if (c == 0xf4) {
            hi = 0x8f;
        }
        if (p[i + 1] < lo || p[i + 1] > hi) {
            return 0;
        }
        for (size_t k = 2; k < n; k++) {
            if (!utf8_is_cont(p[i + k])) {
                return 0;
            }
        }
        i += n;
    }
    return 1;
}

size_t utf8_cut(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t back = 0;

    /* Only the last sequence can be unfinished: find its lead byte, at most
     * three continuation bytes back, and see whether it fits. */
    while (back < 4 && back < len) {
        size_t j = len - 1 - back;
        size_t n;

        if (utf8_is_cont(p[j])) {
            back++;
            continue;
        }
        n = utf8_seq_len(p[j]);
        if (n > back + 1) {
            return j;
        }
        return len;
    }
    /* No lead byte in reach: not UTF-8 we produced; leave it alone. */
    return len;
}
