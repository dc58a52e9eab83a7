/*
 * resp.c: see resp.h.
 */
#include "proto/resp.h"

#include <string.h>

/* Digits of v in decimal. */
static size_t digits(size_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* Writes prefix, v in decimal and CR LF; returns the bytes written. */
static size_t write_header(char *out, char prefix, size_t v)
{
    size_t n = digits(v);
    out[0] = prefix;
    for (size_t i = n; i > 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
    out[n + 1] = '\r';
    out[n + 2] = '\n';
    return n + 3;
}

size_t resp_command_size(int argc, const size_t *argvlen)
{
    size_t total = 1 + digits((size_t)argc) + 2;
    for (int i = 0; i < argc; i++) {
        total += 1 + digits(argvlen[i]) + 2 + argvlen[i] + 2;
    }
    return total;
}

size_t resp_command_write(char *out, int argc, const char *const *argv,
                          const size_t *argvlen)
{
    char *p = out;
    p += write_header(p, '*', (size_t)argc);
    for (int i = 0; i < argc; i++) {
        p += write_header(p, '$', argvlen[i]);
        memcpy(p, argv[i], argvlen[i]);
        p += argvlen[i];
        *p++ = '\r';
        *p++ = '\n';
    }
    return (size_t)(p - out);
}
