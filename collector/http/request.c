/*
 * request.c: header identification and target splitting for request.h.
 */
#include "collector/http/request.h"

#include <string.h>
#include <strings.h>

enum request_header request_header_id(const char *name, size_t len)
{
    static const struct {
        const char *name;
        size_t len;
    } known[HDR_COUNT] = {
#define REQUEST_HDR_NAME(id, n) {n, sizeof(n) - 1},
        REQUEST_HEADERS(REQUEST_HDR_NAME)
#undef REQUEST_HDR_NAME
    };
    if (len == 0) {
        return HDR_COUNT;
    }
    /* Runs for every header of every request: compare the length and the
     * first letter before calling strncasecmp. */
    char first = (char)(name[0] | 0x20);
    for (int i = 0; i < HDR_COUNT; i++) {
        if (known[i].len == len && known[i].name[0] == first &&
            strncasecmp(known[i].name, name, len) == 0) {
            return (enum request_header)i;
        }
    }
    return HDR_COUNT;
}

int request_split_target(struct span target, struct span *path,
                         struct span *query)
{
    const char *p = target.p;
    const char *end = target.p + target.len;

    if (target.len >= 7 && (strncasecmp(p, "http://", 7) == 0 ||
                            (target.len >= 8 &&
                             strncasecmp(p, "https://", 8) == 0))) {
        p += p[4] == ':' ? 7 : 8;
        while (p < end && *p != '/' && *p != '?') {
            p++;
        }
        if (p == end || *p == '?') {
            /* "http://host" or "http://host?q": the path is "/" */
            *path = SPAN_LIT("/");
            *query = p == end ? span_make(end, 0)
                              : span_make(p + 1, (size_t)(end - p - 1));
            return 0;
        }
    }
    if (p == end || *p != '/') {
        return -1;
    }
    const char *q = memchr(p, '?', (size_t)(end - p));
    const char *path_end = q != NULL ? q : end;
    *path = span_make(p, (size_t)(path_end - p));
    *query = q != NULL ? span_make(q + 1, (size_t)(end - q - 1))
                       : span_make(end, 0);
    return 0;
}
