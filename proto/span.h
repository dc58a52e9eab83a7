/*
 * span.h: a read-only view of bytes that belong to someone else (a request
 * buffer, a configuration string). Parsers in proto/ take and return spans
 * so that nothing is copied or NUL-terminated on the hit path.
 */
#ifndef BEACON_SPAN_H
#define BEACON_SPAN_H

#include <stddef.h>
#include <string.h>
#include <strings.h>

struct span {
    const char *p;
    size_t len;
};

#define SPAN_LIT(s) ((struct span){(s), sizeof(s) - 1})

static inline struct span span_make(const char *p, size_t len)
{
    return (struct span){p, len};
}

/* Exact byte comparison with a NUL-terminated literal. */
static inline int span_eq(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.p, lit, n) == 0;
}

/* ASCII case-insensitive comparison with a NUL-terminated literal. */
static inline int span_ieq(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && strncasecmp(s.p, lit, n) == 0;
}

#endif
