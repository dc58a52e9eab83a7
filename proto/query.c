/*
 * query.c: walking "a=1&b=2" without copying, so that a pixel request's
 * parameters are found in its own buffer and only the ones that matter
 * are ever decoded.
 */
#include "proto/query.h"

void query_iter_init(struct query_iter *it, const char *q, size_t len)
{
    /* NULL + 0 is still undefined behaviour in C. */
    it->p = q;
    it->end = q != NULL ? q + len : q;
}

int query_next(struct query_iter *it, struct span *name, struct span *value)
{
    while (it->p < it->end) {
        const char *start = it->p;
        const char *amp = memchr(start, '&', (size_t)(it->end - start));
        const char *stop = amp != NULL ? amp : it->end;
        const char *eq;

        it->p = amp != NULL ? amp + 1 : it->end;
        if (stop == start) {
            continue;
        }
        eq = memchr(start, '=', (size_t)(stop - start));
        if (eq != NULL) {
            *name = span_make(start, (size_t)(eq - start));
            *value = span_make(eq + 1, (size_t)(stop - eq - 1));
        } else {
            *name = span_make(start, (size_t)(stop - start));
            *value = span_make(stop, 0);
        }
        return 1;
    }
    return 0;
}

int query_find(const char *q, size_t len, const char *name, struct span *value)
{
    struct query_iter it;
    struct span n, v;

    query_iter_init(&it, q, len);
    while (query_next(&it, &n, &v)) {
        if (span_eq(n, name)) {
            *value = v;
            return 1;
        }
    }
    return 0;
}
