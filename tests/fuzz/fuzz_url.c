/*
 * fuzz_url.c: url_split, url_normalize_path, url_host and
 * url_host_normalize with arbitrary input.
 *
 * Invariants: split views lie inside the input and have the promised
 * shape; a normalised path is at most URL_PATH_MAX bytes, valid UTF-8,
 * free of control bytes, "//", "." and ".." segments, and normalises to
 * itself; a host is at most URL_HOST_MAX bytes of the allowed, lower-case
 * bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/url.h"
#include "proto/utf8.h"
#include "tests/fuzz/fuzz_check.h"

static int inside(struct span s, const char *buf, size_t len)
{
    return s.p >= buf && s.len <= len && (size_t)(s.p - buf) <= len - s.len;
}

static void check_path(const char *p, ssize_t n)
{
    char again[URL_PATH_MAX + 1];

    CHECK(n >= 1 && n <= URL_PATH_MAX);
    CHECK(strlen(p) == (size_t)n);
    CHECK(p[0] == '/');
    CHECK(utf8_valid(p, (size_t)n));
    for (ssize_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        CHECK(c >= 0x20 && c != 0x7f && c != '?' && c != '#');
        if (c == '/' && i + 1 < n) {
            CHECK(p[i + 1] != '/');
            /* no "." or ".." segment */
            CHECK(!(p[i + 1] == '.' && (i + 2 == n || p[i + 2] == '/')));
            CHECK(!(p[i + 1] == '.' && i + 2 < n && p[i + 2] == '.' &&
                    (i + 3 == n || p[i + 3] == '/')));
        }
    }
    CHECK(url_normalize_path(again, sizeof again, p, (size_t)n) == n);
    CHECK(memcmp(again, p, (size_t)n) == 0);
}

static void check_host(const char *h, ssize_t n)
{
    CHECK(n >= 1 && n <= URL_HOST_MAX);
    CHECK(strlen(h) == (size_t)n);
    for (ssize_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];

        CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '.' || c == '_' || c == '[' || c == ']' || c == ':');
    }
    if (h[0] == '[') {
        CHECK(h[n - 1] == ']');
    }
}

/* What url_normalize_path promises to accept, said another way. */
static int path_acceptable(const char *s, size_t size)
{
    size_t end = 0;

    while (end < size && s[end] != '?' && s[end] != '#') {
        end++;
    }
    if (size == 0 || s[0] != '/' || !utf8_valid(s, end)) {
        return 0;
    }
    for (size_t i = 0; i < end; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            return 0;
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct url_parts u;
    char path[URL_PATH_MAX + 1], host[URL_HOST_MAX + 1];
    char host2[URL_HOST_MAX + 1], small[16];
    ssize_t n, hn;

    if (url_split(s, size, &u) == 0) {
        CHECK(inside(u.scheme, s, size) && inside(u.host, s, size) &&
              inside(u.path, s, size) && inside(u.query, s, size));
        CHECK(u.scheme.p == s);
        CHECK(span_ieq(u.scheme, "http") || span_ieq(u.scheme, "https"));
        CHECK(u.host.len > 0);
        CHECK(u.path.len == 0 || u.path.p[0] == '/');
        CHECK(memchr(u.path.p, '?', u.path.len) == NULL);
        CHECK(memchr(u.path.p, '#', u.path.len) == NULL);
        CHECK(memchr(u.query.p, '#', u.query.len) == NULL);
        CHECK(memchr(u.host.p, '/', u.host.len) == NULL);
        CHECK(memchr(u.host.p, '@', u.host.len) == NULL);
        if (u.path.len > 0) {
            n = url_normalize_path(path, sizeof path, u.path.p, u.path.len);
            if (n >= 0) {
                check_path(path, n);
            }
        }
        hn = url_host(host, sizeof host, s, size);
        CHECK(hn ==
              url_host_normalize(host2, sizeof host2, u.host.p, u.host.len));
        if (hn >= 0) {
            check_host(host, hn);
            CHECK(memcmp(host, host2, (size_t)hn + 1) == 0);
        }
    } else {
        CHECK(url_host(host, sizeof host, s, size) == -1);
    }

    n = url_normalize_path(path, sizeof path, s, size);
    CHECK((n >= 0) == path_acceptable(s, size));
    if (n >= 0) {
        check_path(path, n);
    }
    /* A small cap bounds the writes too (ASan watches small). */
    n = url_normalize_path(small, sizeof small, s, size);
    CHECK(n < (ssize_t)sizeof small);

    hn = url_host_normalize(host, sizeof host, s, size);
    if (hn >= 0) {
        check_host(host, hn);
    }
    hn = url_host_normalize(small, sizeof small, s, size);
    CHECK(hn < (ssize_t)sizeof small);
    return 0;
}
