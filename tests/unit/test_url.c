/*
 * test_url.c: url_split, url_normalize_path (with the 256-byte cut rules),
 * url_host and url_host_normalize.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto/url.h"

/* ---- url_split ---------------------------------------------------------- */

struct split_case {
    const char *in;
    const char *scheme, *host, *path, *query;
};

static const struct split_case split_ok[] = {
    {"http://example.com", "http", "example.com", "", ""},
    {"https://example.com/", "https", "example.com", "/", ""},
    {"HTTPS://Example.COM/A/b?x=1#f", "HTTPS", "Example.COM", "/A/b", "x=1"},
    {"hTtP://example.com/", "hTtP", "example.com", "/", ""},
    {"http://example.com:8080/x", "http", "example.com", "/x", ""},
    {"http://example.com:/x", "http", "example.com", "/x", ""},
    {"http://example.com:65535", "http", "example.com", "", ""},
    {"http://example.com:0/", "http", "example.com", "/", ""},
    {"http://user:pass@example.com/x", "http", "example.com", "/x", ""},
    {"http://a@b@example.com/", "http", "example.com", "/", ""},
    {"http://user:pw@example.com:81/?a", "http", "example.com", "/", "a"},
    {"http://[::1]/x", "http", "[::1]", "/x", ""},
    {"http://[2001:db8::1]:443/p?q", "http", "[2001:db8::1]", "/p", "q"},
    {"http://u@[::1]:1/", "http", "[::1]", "/", ""},
    {"http://example.com?x=1", "http", "example.com", "", "x=1"},
    {"http://example.com#frag", "http", "example.com", "", ""},
    {"http://example.com/a#f?x", "http", "example.com", "/a", ""},
    {"http://example.com/?", "http", "example.com", "/", ""},
    {"http://example.com/a?b?c#d", "http", "example.com", "/a", "b?c"},
    {"http://example.com/caf\xc3\xa9", "http", "example.com", "/caf\xc3\xa9",
     ""},
    {"http://example.com//a/../b", "http", "example.com", "//a/../b", ""},
    {"http://192.0.2.1:8080/", "http", "192.0.2.1", "/", ""},
};

static const char *const split_bad[] = {
    "",
    "http",
    "http:",
    "http:/",
    "http:/example.com",
    "http:example.com",
    "ftp://example.com/",
    "ws://example.com/",
    "javascript:alert(1)",
    "mailto:a@example.com",
    "//example.com/",
    "/path",
    "httpx://example.com/",
    "https:\\\\example.com\\",
    "http://",
    "http:///path",
    "http://:80/",
    "http://user@/",
    "http://user@:80/",
    "http://?x",
    "http://#x",
    "http://example.com:65536/",
    "http://example.com:99999999999999999999/",
    "http://example.com:8a/",
    "http://example.com:-1/",
    "http://example.com: 80/",
    "http://[::1/",
    "http://[::1]x/",
    "http://[::1]:x/",
    "http://exa mple.com/",
    "http://example.com/a b",
    "http://example.com/a#b c",
    "http://example.com/\t",
    "http://example.com/\x7f",
    "http://example.com/\n",
    "http://example.com/\r",
    " http://example.com/",
    "http://example.com/ ",
};

static void test_url__split_accepts_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof split_ok / sizeof *split_ok; i++) {
        const struct split_case *c = &split_ok[i];
        struct url_parts u;

        if (url_split(c->in, strlen(c->in), &u) != 0) {
            fail_msg("case %zu rejected: %s", i, c->in);
        }
        if (!span_eq(u.scheme, c->scheme) || !span_eq(u.host, c->host) ||
            !span_eq(u.path, c->path) || !span_eq(u.query, c->query)) {
            fail_msg("case %zu %s: got %.*s | %.*s | %.*s | %.*s", i, c->in,
                     (int)u.scheme.len, u.scheme.p, (int)u.host.len, u.host.p,
                     (int)u.path.len, u.path.p, (int)u.query.len, u.query.p);
        }
    }
}

static void test_url__split_rejects_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof split_bad / sizeof *split_bad; i++) {
        struct url_parts u;

        if (url_split(split_bad[i], strlen(split_bad[i]), &u) != -1) {
            fail_msg("case %zu accepted: \"%s\"", i, split_bad[i]);
        }
    }
}

static void test_url__split_rejects_nul(void **state)
{
    const char s[] = "http://example.com/a\0b";
    struct url_parts u;
    (void)state;

    assert_int_equal(url_split(s, sizeof s - 1, &u), -1);
    assert_int_equal(url_split(s, 20, &u), 0);
    assert_true(span_eq(u.path, "/a"));
}

/* What lies past len is not part of the URL. */
static void test_url__split_stops_at_len(void **state)
{
    const char s[] = "http://example.com:8080/path?q";
    struct url_parts u;
    (void)state;

    assert_int_equal(url_split(s, 10, &u), 0);
    assert_true(span_eq(u.host, "exa"));
    assert_int_equal(url_split(s, 19, &u), 0); /* "...com:" */
    assert_true(span_eq(u.host, "example.com"));
    assert_int_equal(url_split(s, 27, &u), 0);
    assert_true(span_eq(u.path, "/pat"));
    assert_int_equal(u.query.len, 0);
    assert_int_equal(url_split(s, 7, &u), -1);
}

/* ---- url_normalize_path ------------------------------------------------- */

struct norm_case {
    const char *in;
    const char *out;
};

static const struct norm_case norm_ok[] = {
    {"/", "/"},
    {"/a", "/a"},
    {"/a/", "/a/"},
    {"/A/B", "/A/B"},
    {"//", "/"},
    {"///a///b//", "/a/b/"},
    {"//a", "/a"},
    {"/a/./b", "/a/b"},
    {"/a/.//b", "/a/b"},
    {"/./", "/"},
    {"/.", "/"},
    {"/a/../b", "/b"},
    {"/a/b/..", "/a/"},
    {"/a/b/../", "/a/"},
    {"/a/b/.", "/a/b/"},
    {"/a/b/../../", "/"},
    {"/..", "/"},
    {"/../", "/"},
    {"/../../a", "/a"},
    {"/a/../../b/", "/b/"},
    {"/a/b/c/../../d", "/a/d"},
    {"/a/./../b/./c/.", "/b/c/"},
    {"/.a/..b/.../c.", "/.a/..b/.../c."},
    {"/a%2e%2e/%2e%2e/b", "/a%2e%2e/%2e%2e/b"},
    {"/a?x=1", "/a"},
    {"/a/?x=/../..", "/a/"},
    {"/a#f/../..", "/a"},
    {"/a/..?x", "/"},
    {"/?x", "/"},
    {"/#", "/"},
    {"/a?\x01", "/a"},
    {"/a b", "/a b"},
    {"/a+b", "/a+b"},
    {"/a\\b", "/a\\b"},
    {"/caf\xc3\xa9/\xf0\x9f\x98\x80", "/caf\xc3\xa9/\xf0\x9f\x98\x80"},
};

static const char *const norm_bad[] = {
    "",
    "a",
    "a/b",
    "?/x",
    " /a",
    "./a",
    "../a",
    "#/a",
    "/a\x01",
    "/a\x1f/b",
    "/a\x7f",
    "/a\n",
    "/a\r\n",
    "/\t",
    "/\xc0\xaf",
    "/\xed\xa0\x80",
    "/\xc3",
    "/a\xff",
    "/\xe2\x82",
    "/\xf4\x90\x80\x80",
    "/\xc0\xae\xc0\xae/",
};

static void test_url__normalize_accepts_table(void **state)
{
    char out[URL_PATH_MAX + 1];
    (void)state;

    for (size_t i = 0; i < sizeof norm_ok / sizeof *norm_ok; i++) {
        ssize_t n = url_normalize_path(out, sizeof out, norm_ok[i].in,
                                       strlen(norm_ok[i].in));

        if (n < 0 || (size_t)n != strlen(norm_ok[i].out) ||
            strcmp(out, norm_ok[i].out) != 0) {
            fail_msg("case %zu \"%s\": got %zd \"%s\"", i, norm_ok[i].in, n,
                     n < 0 ? "" : out);
        }
    }
}

static void test_url__normalize_rejects_table(void **state)
{
    char out[URL_PATH_MAX + 1];
    (void)state;

    for (size_t i = 0; i < sizeof norm_bad / sizeof *norm_bad; i++) {
        if (url_normalize_path(out, sizeof out, norm_bad[i],
                               strlen(norm_bad[i])) != -1) {
            fail_msg("case %zu accepted: \"%s\"", i, norm_bad[i]);
        }
    }
}

static void test_url__normalize_rejects_nul(void **state)
{
    char out[URL_PATH_MAX + 1];
    (void)state;

    assert_int_equal(url_normalize_path(out, sizeof out, "/a\0b", 4), -1);
    assert_int_equal(url_normalize_path(out, sizeof out, "/a\0b", 2), 2);
    assert_string_equal(out, "/a");
}

/* Builds "/" + n times c into buf, returns the length. */
static size_t fill(char *buf, size_t at, char c, size_t n)
{
    memset(buf + at, c, n);
    return at + n;
}

static void expect_norm(const char *in, size_t len, const char *want,
                        size_t want_len)
{
    char out[URL_PATH_MAX + 1];
    ssize_t n = url_normalize_path(out, sizeof out, in, len);

    assert_int_equal(n, (ssize_t)want_len);
    assert_memory_equal(out, want, want_len);
    assert_int_equal(out[want_len], '\0');
}

static void test_url__normalize_exactly_256_kept(void **state)
{
    char in[512];
    size_t n;
    (void)state;

    in[0] = '/';
    n = fill(in, 1, 'a', 255);
    assert_int_equal(n, 256);
    expect_norm(in, n, in, 256);
    /* Trailing '/' makes 256 too. */
    n = fill(in, 1, 'a', 254);
    in[n++] = '/';
    expect_norm(in, n, in, 256);
}

static void test_url__normalize_hard_cut_single_segment(void **state)
{
    char in[512];
    size_t n;
    (void)state;

    in[0] = '/';
    n = fill(in, 1, 'a', 256); /* 257 bytes */
    expect_norm(in, n, in, 256);
    n = fill(in, 1, 'a', 400);
    expect_norm(in, n, in, 256);
    /* A trailing '/' past the limit changes nothing. */
    in[n++] = '/';
    expect_norm(in, n, in, 256);
}

static void test_url__normalize_cut_at_slash(void **state)
{
    char in[512], want[512];
    size_t n;
    (void)state;

    /* /abc/xxx...: whole segments only. */
    memcpy(in, "/abc/", 5);
    n = fill(in, 5, 'x', 300);
    expect_norm(in, n, "/abc/", 5);

    /* Three 100-byte segments: the third does not fit, cut after the
     * second '/' (index 201). */
    in[0] = '/';
    n = fill(in, 1, 'a', 100);
    in[n++] = '/';
    n = fill(in, n, 'b', 100);
    in[n++] = '/';
    n = fill(in, n, 'c', 100);
    assert_int_equal(n, 303);
    expect_norm(in, n, in, 203);

    /* A '/' at index 255 is the 256th byte: cut right after it. */
    in[0] = '/';
    n = fill(in, 1, 'a', 254);
    in[n++] = '/';
    n = fill(in, n, 'b', 10);
    expect_norm(in, n, in, 256);

    /* A '/' at index 256 is past the limit: only the root before it, so
     * hard cut. */
    in[0] = '/';
    n = fill(in, 1, 'a', 255);
    in[n++] = '/';
    in[n++] = 'b';
    memcpy(want, in, 256);
    expect_norm(in, n, want, 256);
}

static void test_url__normalize_hard_cut_never_splits_utf8(void **state)
{
    char in[512];
    size_t n;
    (void)state;

    /* "é" at bytes 255..256: cut before it. */
    in[0] = '/';
    n = fill(in, 1, 'a', 254);
    memcpy(in + n, "\xc3\xa9zz", 4);
    n += 4;
    expect_norm(in, n, in, 255);

    /* An emoji at bytes 254..257. */
    in[0] = '/';
    n = fill(in, 1, 'a', 253);
    memcpy(in + n, "\xf0\x9f\x98\x80", 4);
    n += 4;
    expect_norm(in, n, in, 254);

    /* An emoji ending exactly at 256 stays. */
    in[0] = '/';
    n = fill(in, 1, 'a', 251);
    memcpy(in + n, "\xf0\x9f\x98\x80z", 5);
    n += 5;
    expect_norm(in, n, in, 256);
}

/* The limit applies to the normalised result, not to the input. */
static void test_url__normalize_long_input_short_result(void **state)
{
    char in[4096];
    size_t n;
    (void)state;

    in[0] = '/';
    n = fill(in, 1, 'x', 1000);
    memcpy(in + n, "/../b", 5);
    n += 5;
    expect_norm(in, n, "/b", 2);

    n = 0;
    in[n++] = '/';
    for (int i = 0; i < 1000; i++) {
        in[n++] = '.';
        in[n++] = '/';
    }
    in[n++] = 'a';
    expect_norm(in, n, "/a", 2);

    n = 0;
    for (int i = 0; i < 1000; i++) {
        in[n++] = '/';
    }
    memcpy(in + n, "a//b", 4);
    n += 4;
    expect_norm(in, n, "/a/b", 4);

    /* Long query dropped before any rule applies. */
    memcpy(in, "/p?", 3);
    n = fill(in, 3, 'q', 1000);
    expect_norm(in, n, "/p", 2);
}

static void test_url__normalize_small_cap(void **state)
{
    char out[8];
    (void)state;

    assert_int_equal(url_normalize_path(out, 0, "/a", 2), -1);
    assert_int_equal(url_normalize_path(out, 1, "/a", 2), -1);
    assert_int_equal(url_normalize_path(out, 2, "/", 1), 1);
    assert_string_equal(out, "/");
    assert_int_equal(url_normalize_path(out, 5, "/abcdef", 7), 4);
    assert_string_equal(out, "/abc");
    assert_int_equal(url_normalize_path(out, 5, "/ab/cdef", 8), 4);
    assert_string_equal(out, "/ab/");
}

/* ---- url_host, url_host_normalize --------------------------------------- */

static const struct norm_case host_ok[] = {
    {"http://example.com", "example.com"},
    {"http://Example.COM/", "example.com"},
    {"https://www.example.com/x", "example.com"},
    {"https://WWW.Example.com", "example.com"},
    {"http://www.example.com.:8080/", "example.com"},
    {"http://example.com./", "example.com"},
    {"http://user:pw@www.a.b/", "a.b"},
    {"http://www.www.example.com/", "www.example.com"},
    {"http://www/", "www"},
    {"http://www./", "www"},
    {"http://wwwexample.com/", "wwwexample.com"},
    {"http://www2.example.com/", "www2.example.com"},
    {"http://my_host-1.example/", "my_host-1.example"},
    {"http://xn--bcher-kva.example/", "xn--bcher-kva.example"},
    {"http://192.0.2.1:80/", "192.0.2.1"},
    {"http://[::1]:8080/", "[::1]"},
    {"http://[2001:DB8::1]/", "[2001:db8::1]"},
    {"http://[::ffff:192.0.2.1]/", "[::ffff:192.0.2.1]"},
    {"HTTPS://M.EXAMPLE.COM?q#f", "m.example.com"},
};

static const char *const host_bad[] = {
    "",
    "example.com",
    "/path",
    "ftp://example.com/",
    "android-app://com.google.android.gm/",
    "http:///x",
    "http://exa!mple.com/",
    "http://ex%41mple.com/",
    "http://b\xc3\xbc\x63her.example/",
    "http://[::1%25eth0]/",
    "http://[]/",
    "http://[zz::1]/",
    "http://[1.2.3.4]/",
    "http://[::1]]/",
    "http://./",
    "http://example.com:99999/",
    "http://exa\tmple.com/",
};

static void test_url__host_accepts_table(void **state)
{
    char out[URL_HOST_MAX + 1];
    (void)state;

    for (size_t i = 0; i < sizeof host_ok / sizeof *host_ok; i++) {
        ssize_t n =
            url_host(out, sizeof out, host_ok[i].in, strlen(host_ok[i].in));

        if (n < 0 || (size_t)n != strlen(host_ok[i].out) ||
            strcmp(out, host_ok[i].out) != 0) {
            fail_msg("case %zu \"%s\": got %zd \"%s\"", i, host_ok[i].in, n,
                     n < 0 ? "" : out);
        }
    }
}

static void test_url__host_rejects_table(void **state)
{
    char out[URL_HOST_MAX + 1];
    (void)state;

    for (size_t i = 0; i < sizeof host_bad / sizeof *host_bad; i++) {
        if (url_host(out, sizeof out, host_bad[i], strlen(host_bad[i])) != -1) {
            fail_msg("case %zu accepted: \"%s\"", i, host_bad[i]);
        }
    }
}

static void test_url__host_length_limit(void **state)
{
    char in[600], out[URL_HOST_MAX + 1];
    size_t n;
    (void)state;

    memcpy(in, "http://", 7);
    n = fill(in, 7, 'a', 253);
    assert_int_equal(url_host(out, sizeof out, in, n), 253);
    assert_int_equal(strlen(out), 253);
    n = fill(in, 7, 'a', 254);
    assert_int_equal(url_host(out, sizeof out, in, n), -1);
    /* "www." and the root dot do not count. */
    memcpy(in + 7, "www.", 4);
    n = fill(in, 11, 'b', 253);
    in[n++] = '.';
    assert_int_equal(url_host(out, sizeof out, in, n), 253);
    assert_int_equal(out[0], 'b');
    assert_int_equal(out[252], 'b');
    /* Fits the result but not cap. */
    assert_int_equal(url_host(out, 4, "http://abcd/", 12), -1);
    assert_int_equal(url_host(out, 5, "http://abcd/", 12), 4);
    assert_string_equal(out, "abcd");
}

static const struct norm_case bare_ok[] = {
    {"Example.COM", "example.com"},
    {"www.example.com:8080", "example.com"},
    {"example.com:", "example.com"},
    {"example.com.", "example.com"},
    {"[::1]:8080", "[::1]"},
    {"[::1]", "[::1]"},
    {"[::1]:", "[::1]"},
    {"[FE80::1]", "[fe80::1]"},
    {"localhost", "localhost"},
};

static const char *const bare_bad[] = {
    "",
    "example.com:abc",
    "example.com:70000",
    "[::1]x",
    "[::1",
    "exa mple.com",
    "a:b:c",
    "::1",
    "http://a",
    "a/b",
    ":80",
    "[::1]:x",
    "example.com\r\n",
};

static void test_url__host_normalize_table(void **state)
{
    char out[URL_HOST_MAX + 1];
    (void)state;

    for (size_t i = 0; i < sizeof bare_ok / sizeof *bare_ok; i++) {
        ssize_t n = url_host_normalize(out, sizeof out, bare_ok[i].in,
                                       strlen(bare_ok[i].in));

        if (n < 0 || strcmp(out, bare_ok[i].out) != 0) {
            fail_msg("case %zu \"%s\": got %zd", i, bare_ok[i].in, n);
        }
    }
    for (size_t i = 0; i < sizeof bare_bad / sizeof *bare_bad; i++) {
        if (url_host_normalize(out, sizeof out, bare_bad[i],
                               strlen(bare_bad[i])) != -1) {
            fail_msg("bad case %zu accepted: \"%s\"", i, bare_bad[i]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url__split_accepts_table),
        cmocka_unit_test(test_url__split_rejects_table),
        cmocka_unit_test(test_url__split_rejects_nul),
        cmocka_unit_test(test_url__split_stops_at_len),
        cmocka_unit_test(test_url__normalize_accepts_table),
        cmocka_unit_test(test_url__normalize_rejects_table),
        cmocka_unit_test(test_url__normalize_rejects_nul),
        cmocka_unit_test(test_url__normalize_exactly_256_kept),
        cmocka_unit_test(test_url__normalize_hard_cut_single_segment),
        cmocka_unit_test(test_url__normalize_cut_at_slash),
        cmocka_unit_test(test_url__normalize_hard_cut_never_splits_utf8),
        cmocka_unit_test(test_url__normalize_long_input_short_result),
        cmocka_unit_test(test_url__normalize_small_cap),
        cmocka_unit_test(test_url__host_accepts_table),
        cmocka_unit_test(test_url__host_rejects_table),
        cmocka_unit_test(test_url__host_length_limit),
        cmocka_unit_test(test_url__host_normalize_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
