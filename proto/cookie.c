/*
 * cookie.c: see cookie.h. Lenient about spacing (browsers and proxies
 * differ), strict about names: "xbeacon_optout" is not "beacon_optout".
 */
#include "proto/cookie.h"

#include <string.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

int cookie_find(const char *s, size_t len, const char *name,
                struct span *value)
{
    size_t nlen = strlen(name);
    const char *p = s;
    const char *end = s + len;

    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *stop = semi != NULL ? semi : end;
        while (p < stop && is_space(*p)) {
            p++;
        }
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq != NULL) {
            const char *ne = eq;
            while (ne > p && is_space(ne[-1])) {
                ne--;
            }
            if ((size_t)(ne - p) == nlen && memcmp(p, name, nlen) == 0) {
                const char *v = eq + 1;
                const char *ve = stop;
                while (v < ve && is_space(*v)) {
                    v++;
                }
                while (ve > v && is_space(ve[-1])) {
                    ve--;
                }
                if (ve - v >= 2 && *v == '"' && ve[-1] == '"') {
                    v++;
                    ve--;
                }
                *value = span_make(v, (size_t)(ve - v));
                return 1;
            }
        }
        p = semi != NULL ? semi + 1 : end;
    }
    return 0;
}

int cookie_has(const char *s, size_t len, const char *name, const char *value)
{
    size_t vlen = strlen(value);
    struct span v;
    const char *end = s + len;

    while (s < end && cookie_find(s, (size_t)(end - s), name, &v)) {
        if (v.len == vlen && memcmp(v.p, value, vlen) == 0) {
            return 1;
        }
        /* on to the cookie after the one found */
        const char *semi = memchr(v.p, ';', (size_t)(end - v.p));
        if (semi == NULL) {
            return 0;
        }
        s = semi + 1;
    }
    return 0;
}
