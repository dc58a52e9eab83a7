/*
 * test_sign.c: the pure parts of "beaconctl sign": the RFC 3986
 * percent-encoder and the pixel and click-link URL builders (the link's
 * signature must verify with proto/clicklink).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dashboard/sign.h"
#include "proto/clicklink.h"

struct enc_case {
    const char *in;
    size_t in_len;
    const char *out;
};

#define ENC(in, out)                                                           \
    {                                                                          \
        in, sizeof(in) - 1, out                                                \
    }

static const struct enc_case enc_cases[] = {
    ENC("", ""),
    ENC("AZaz09-._~", "AZaz09-._~"),
    ENC(" ", "%20"),
    ENC("/?#&=+%:@!$'()*,;[]", "%2F%3F%23%26%3D%2B%25%3A%40%21%24%27%28%29"
                               "%2A%2C%3B%5B%5D"),
    ENC("https://x.org/a?b=1#f", "https%3A%2F%2Fx.org%2Fa%3Fb%3D1%23f"),
    ENC("\xc3\xa9", "%C3%A9"),
    ENC("a\0b", "a%00b"),
    ENC("\xff\x7f\x01", "%FF%7F%01"),
};

static void test_sign__percent_encode_table(void **state)
{
    char out[128];
    (void)state;

    for (size_t i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
        const struct enc_case *c = &enc_cases[i];
        ssize_t n = sign_percent_encode(out, sizeof(out), c->in, c->in_len);
        assert_int_equal(n, (ssize_t)strlen(c->out));
        assert_string_equal(out, c->out);
    }
}

static void test_sign__percent_encode_cap(void **state)
{
    char out[8];
    (void)state;

    /* "a b" encodes to 5 bytes and needs 6 with the NUL. */
    assert_int_equal(sign_percent_encode(out, 5, "a b", 3), -1);
    assert_int_equal(sign_percent_encode(out, 6, "a b", 3), 5);
    assert_string_equal(out, "a%20b");
    assert_int_equal(sign_percent_encode(out, 3, "abc", 3), -1);
    assert_int_equal(sign_percent_encode(out, 4, "abc", 3), 3);
    assert_int_equal(sign_percent_encode(out, 0, "", 0), -1);
    assert_int_equal(sign_percent_encode(out, 1, "", 0), 0);
    assert_string_equal(out, "");
}

static void test_sign__pixel_url(void **state)
{
    char url[128];
    const char *want = "https://t.example/o/news/c-1/abcdefgh.gif";
    (void)state;

    assert_int_equal(sign_pixel_url(url, sizeof(url), "https://t.example",
                                    "news", "c-1", "abcdefgh"),
                     0);
    assert_string_equal(url, want);
    assert_int_equal(sign_pixel_url(url, strlen(want), "https://t.example",
                                    "news", "c-1", "abcdefgh"),
                     -1);
    assert_int_equal(sign_pixel_url(url, strlen(want) + 1, "https://t.example",
                                    "news", "c-1", "abcdefgh"),
                     0);
}

static const unsigned char key[32] = {
    1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

/* Checks url against prefix, then verifies its sig= over the fields. */
static void assert_link(const char *url, const char *prefix,
                        const struct sign_link *l)
{
    char msg[4096];
    const char *sig = strstr(url, "&sig=");
    int mlen;

    assert_non_null(sig);
    sig += 5;
    assert_int_equal(strncmp(url, prefix, strlen(prefix)), 0);
    assert_ptr_equal(url + strlen(prefix), sig);
    assert_int_equal(strlen(sig), CLICKLINK_SIG_LEN);
    mlen = clicklink_message(
        msg, sizeof(msg), span_make(l->site, strlen(l->site)),
        span_make(l->campaign, strlen(l->campaign)),
        span_make(l->link, strlen(l->link)), span_make(l->to, strlen(l->to)),
        span_make(l->recipient != NULL ? l->recipient : "",
                  l->recipient != NULL ? strlen(l->recipient) : 0));
    assert_true(mlen > 0);
    assert_int_equal(
        clicklink_verify(sig, strlen(sig), key, sizeof(key), msg, (size_t)mlen),
        1);
}

static void test_sign__link_url_with_recipient(void **state)
{
    char url[1024];
    struct sign_link l = {
        "https://t.example",           "news",     "c1", "l-1",
        "https://x.org/a?b=1&c=%41#f", "abcdefgh", "k1"};
    (void)state;

    assert_int_equal(sign_link_url(url, sizeof(url), &l, key, sizeof(key)), 0);
    assert_link(url,
                "https://t.example/c/news/c1/l-1?to=https%3A%2F%2Fx.org%2Fa"
                "%3Fb%3D1%26c%3D%2541%23f&r=abcdefgh&k=k1&sig=",
                &l);
}

static void test_sign__link_url_without_recipient(void **state)
{
    char url[1024];
    struct sign_link l = {"http://h:8080", "s",  "c",    "l",
                          "http://x.org/", NULL, "key.2"};
    const char *prefix = "http://h:8080/c/s/c/l?to=http%3A%2F%2Fx.org%2F"
                         "&k=key.2&sig=";
    (void)state;

    assert_int_equal(sign_link_url(url, sizeof(url), &l, key, sizeof(key)), 0);
    assert_link(url, prefix, &l);
    l.recipient = "";
    assert_int_equal(sign_link_url(url, sizeof(url), &l, key, sizeof(key)), 0);
    assert_link(url, prefix, &l);
}

static void test_sign__link_url_cap(void **state)
{
    char url[256];
    struct sign_link l = {"http://h",      "s",  "c", "l",
                          "http://x.org/", NULL, "k1"};
    size_t need;
    (void)state;

    assert_int_equal(sign_link_url(url, sizeof(url), &l, key, sizeof(key)), 0);
    need = strlen(url) + 1;
    assert_int_equal(sign_link_url(url, need - 1, &l, key, sizeof(key)), -1);
    assert_int_equal(sign_link_url(url, need, &l, key, sizeof(key)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign__percent_encode_table),
        cmocka_unit_test(test_sign__percent_encode_cap),
        cmocka_unit_test(test_sign__pixel_url),
        cmocka_unit_test(test_sign__link_url_with_recipient),
        cmocka_unit_test(test_sign__link_url_without_recipient),
        cmocka_unit_test(test_sign__link_url_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
