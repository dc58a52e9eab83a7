/*
 * url.c: the few URL operations beacond needs: split an absolute http(s)
 * URL into views, turn a page path into the one spelling the aggregates
 * count under, and reduce a referrer to a normalised host.
 *
 * Path normalisation runs over the segments from the last to the first:
 * a ".." then only means "skip the next kept segment", so no stack of
 * segments is needed and the result can be placed into a fixed buffer
 * even when the input is far longer than what is kept.
 */
#include "proto/url.h"

#include "proto/utf8.h"

static int url_is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static int url_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int url_is_hex(unsigned char c)
{
    return url_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int url_is_alnum(unsigned char c)
{
    return url_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char url_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Index of the first of the bytes in set (one to three delimiters)
 * within s[from..len), or len. Runs over every page URL: no strchr call
 * per byte. */
static size_t url_find_any(const char *s, size_t from, size_t len,
                           const char *set)
{
    char a = set[0];
    char b = set[1] != '\0' ? set[1] : a;
    char c = set[1] != '\0' && set[2] != '\0' ? set[2] : b;
    for (size_t i = from; i < len; i++) {
        char x = s[i];
        if (x == a || x == b || x == c) {
            return i;
        }
    }
    return len;
}

/* RFC 3986 "port = *DIGIT", and it has to name a TCP port. */
static int url_port_valid(const char *p, size_t n)
{
    unsigned long v = 0;

    for (size_t i = 0; i < n; i++) {
        if (!url_is_digit((unsigned char)p[i])) {
            return 0;
        }
        v = v * 10 + (unsigned long)(p[i] - '0');
        if (v > 65535) {
            return 0;
        }
    }
    return 1;
}

int url_split(const char *s, size_t len, struct url_parts *out)
{
    size_t scheme_len, auth, auth_end, host, host_end, path_end, i;
    struct url_parts r;

    for (i = 0; i < len; i++) {
        if (url_is_ctl((unsigned char)s[i]) || s[i] == ' ') {
            return -1;
        }
    }
    if (len >= 7 && span_ieq(span_make(s, 7), "http://")) {
        scheme_len = 4;
    } else if (len >= 8 && span_ieq(span_make(s, 8), "https://")) {
        scheme_len = 5;
    } else {
        return -1;
    }
    auth = scheme_len + 3;
    auth_end = url_find_any(s, auth, len, "/?#");

    /* Browsers take the last '@' as the end of userinfo, so do we. */
    host = auth;
    for (i = auth; i < auth_end; i++) {
        if (s[i] == '@') {
            host = i + 1;
        }
    }
    if (host < auth_end && s[host] == '[') {
        const char *rb = memchr(s + host, ']', auth_end - host);

        if (rb == NULL) {
            return -1;
        }
        host_end = (size_t)(rb - s) + 1;
        if (host_end < auth_end && s[host_end] != ':') {
            return -1;
        }
    } else {
        host_end = url_find_any(s, host, auth_end, ":");
    }
    if (host_end == host) {
        return -1;
    }
    if (host_end < auth_end &&
        !url_port_valid(s + host_end + 1, auth_end - host_end - 1)) {
        return -1;
    }

    path_end = url_find_any(s, auth_end, len, "?#");
    r.scheme = span_make(s, scheme_len);
    r.host = span_make(s + host, host_end - host);
    r.path = span_make(s + auth_end, path_end - auth_end);
    r.query = span_make(s + len, 0);
    if (path_end < len && s[path_end] == '?') {
        size_t q_end = url_find_any(s, path_end + 1, len, "#");

        r.query = span_make(s + path_end + 1, q_end - path_end - 1);
    }
    *out = r;
    return 0;
}

/* Copies src[0..n) to dst at pos, keeping only what lands below limit. */
static void url_put(char *dst, size_t pos, size_t limit, const char *src,
                    size_t n)
{
    if (pos >= limit) {
        return;
    }
    if (n > limit - pos) {
        n = limit - pos;
    }
    memcpy(dst + pos, src, n);
}

/*
 * Walks the segments of p[0..n) (p[0] == '/') from the last to the first
 * and returns the bytes the kept ones take as "/seg". With dst, also
 * writes them so that the last one ends at end, keeping bytes below limit.
 */
static size_t url_path_walk(const char *p, size_t n, char *dst, size_t end,
                            size_t limit)
{
    size_t e = n, kept = 0, skip = 0, pos = end;

    while (e > 0) {
        size_t b = e, seg;

        while (p[b - 1] != '/') {
            b--;
        }
        seg = e - b;
        if (seg == 0 || (seg == 1 && p[b] == '.')) {
            /* "//" and "/./" say nothing. */
        } else if (seg == 2 && p[b] == '.' && p[b + 1] == '.') {
            skip++;
        } else if (skip > 0) {
            skip--;
        } else {
            kept += seg + 1;
            if (dst != NULL) {
                pos -= seg;
                url_put(dst, pos, limit, p + b, seg);
                pos--;
                url_put(dst, pos, limit, "/", 1);
            }
        }
        e = b - 1;
    }
    /* Leftover ".." would climb above the root: dropped. */
    return kept;
}

ssize_t url_normalize_path(char *dst, size_t cap, const char *path, size_t len)
{
    size_t end, last, limit, kept, total, i;
    int trailing;

    if (cap < 2 || len == 0 || path[0] != '/') {
        return -1;
    }
    end = url_find_any(path, 0, len, "?#");
    for (i = 0; i < end; i++) {
        if (url_is_ctl((unsigned char)path[i])) {
            return -1;
        }
    }
    /* Segments are split at '/', which never occurs inside a UTF-8
     * sequence, so valid input gives valid output. */
    if (!utf8_valid(path, end)) {
        return -1;
    }
    limit = cap - 1 < URL_PATH_MAX ? cap - 1 : URL_PATH_MAX;

    /* "/a/b/" and "/a/b/.." both name a directory: keep the '/'. */
    last = end;
    while (path[last - 1] != '/') {
        last--;
    }
    trailing = last == end || (end - last == 1 && path[last] == '.') ||
               (end - last == 2 && path[last] == '.' && path[last + 1] == '.');

    kept = url_path_walk(path, end, NULL, 0, 0);
    if (kept == 0) {
        dst[0] = '/';
        dst[1] = '\0';
        return 1;
    }
    total = kept + (trailing ? 1 : 0);
    if (trailing) {
        url_put(dst, total - 1, limit, "/", 1);
    }
    url_path_walk(path, end, dst, kept, limit);
    if (total <= limit) {
        dst[total] = '\0';
        return (ssize_t)total;
    }

    /* Too long: keep whole segments if any fit, else as much as fits. */
    i = limit;
    while (i > 0 && dst[i - 1] != '/') {
        i--;
    }
    if (i <= 1) {
        i = utf8_cut(dst, limit);
    }
    dst[i] = '\0';
    return (ssize_t)i;
}

ssize_t url_host_normalize(char *dst, size_t cap, const char *host, size_t len)
{
    size_t b = 0, e = len, n, i;
    const char *colon;

    if (len == 0) {
        return -1;
    }
    if (host[0] == '[') {
        const char *rb = memchr(host, ']', len);
        int colons = 0;

        if (rb == NULL) {
            return -1;
        }
        e = (size_t)(rb - host) + 1;
        if (e < len &&
            (host[e] != ':' || !url_port_valid(host + e + 1, len - e - 1))) {
            return -1;
        }
        for (i = 1; i + 1 < e; i++) {
            unsigned char c = (unsigned char)host[i];

            if (c == ':') {
                colons++;
            } else if (!url_is_hex(c) && c != '.') {
                return -1;
            }
        }
        if (colons < 2) {
            return -1;
        }
    } else {
        /* A Host header may name a port; the host is what counts. */
        colon = memchr(host, ':', len);
        if (colon != NULL) {
            e = (size_t)(colon - host);
            if (!url_port_valid(colon + 1, len - e - 1)) {
                return -1;
            }
        }
        if (e > b && host[e - 1] == '.') {
            e--;
        }
        if (e - b > 4 && span_ieq(span_make(host, 4), "www.")) {
            b += 4;
        }
        for (i = b; i < e; i++) {
            unsigned char c = (unsigned char)host[i];

            if (!url_is_alnum(c) && c != '-' && c != '.' && c != '_') {
                return -1;
            }
        }
    }
    n = e - b;
    if (n == 0 || n > URL_HOST_MAX || n + 1 > cap) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        dst[i] = url_lower(host[b + i]);
    }
    dst[n] = '\0';
    return (ssize_t)n;
}

ssize_t url_host(char *dst, size_t cap, const char *s, size_t len)
{
    struct url_parts parts;

    if (url_split(s, len, &parts) < 0) {
        return -1;
    }
    return url_host_normalize(dst, cap, parts.host.p, parts.host.len);
}
