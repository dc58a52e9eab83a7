/*
 * test_clicklink.c: the signed click-redirect message, its signature and
 * verification, the redirect-target and id checks, and the e-mail
 * recipient token.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "proto/clicklink.h"

/* Key 1 is the bytes 0x00..0x1f, key 2 is 40 times 'k'. */
static unsigned char key1[32];
static const unsigned char key2[] = "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk";

#define MSG_R                                                                  \
    "v1\nblog\nspring-2026\nhero\nhttps://shop.example/sale?x=1\nAbCdEfGh12"
#define MSG_NO_R "v1\nblog\nspring-2026\nhero\nhttps://shop.example/sale?x=1\n"

/*
 * Expected values computed independently, outside this code, with python3:
 *   b = lambda x: base64.urlsafe_b64encode(x).rstrip(b'=').decode()
 *   b(hmac.new(key, msg, hashlib.sha256).digest())        signatures
 *   b(hmac.new(key1, addr, hashlib.sha256).digest()[:16])  tokens
 */
#define SIG_K1_R "JBvQ6JZ0A_zSsq1FQ2TbkA_y5oFwS7fL82I7keKDW80"
#define SIG_K1_NO_R "WiWVA8DKVr8V233uxoQ9-XnYsazUm5Zd5iFqxVFPEe8"
#define SIG_K2_R "ECXZeTkxfliXeJTfk2Xji8wtst7Chi4l_JG_ToV1ilU"
#define SIG_K1_EMPTY "04tCCW2A9F-Ca0Sp1WB95ySWpBXT9KGoyI47udqNwcs"
#define TOKEN_ALICE "pZ_FeNTLRvqrHW6zSOfHSw" /* alice@example.com */
#define TOKEN_EMPTY "04tCCW2A9F-Ca0Sp1WB95w" /* "" */
#define TOKEN_LONG "7dmqpo1SvNpOVMEMd_zdxA"  /* 100 'a' @example.com */
#define TOKEN_ELISE "0R9iGCQ-rUgiImc0ddpOig" /* "\xc3\x89lise@x.example" */

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof key1; i++) {
        key1[i] = (unsigned char)i;
    }
    return sodium_init() < 0 ? -1 : 0;
}

static int verify_str(const char *sig, const unsigned char *key, size_t keylen,
                      const char *msg)
{
    return clicklink_verify(sig, strlen(sig), key, keylen, msg, strlen(msg));
}

/* ---- clicklink_message -------------------------------------------------- */

static void test_clicklink__message_layout(void **state)
{
    char buf[256];
    int n;
    (void)state;

    n = clicklink_message(buf, sizeof buf, SPAN_LIT("blog"),
                          SPAN_LIT("spring-2026"), SPAN_LIT("hero"),
                          SPAN_LIT("https://shop.example/sale?x=1"),
                          SPAN_LIT("AbCdEfGh12"));
    assert_int_equal(n, (int)strlen(MSG_R));
    assert_string_equal(buf, MSG_R);
}

static void test_clicklink__message_empty_recipient(void **state)
{
    char buf[256];
    int n;
    (void)state;

    n = clicklink_message(buf, sizeof buf, SPAN_LIT("blog"),
                          SPAN_LIT("spring-2026"), SPAN_LIT("hero"),
                          SPAN_LIT("https://shop.example/sale?x=1"),
                          span_make("", 0));
    assert_int_equal(n, (int)strlen(MSG_NO_R));
    assert_string_equal(buf, MSG_NO_R);
    assert_int_equal(buf[n - 1], '\n');
}

/* The message and its NUL must fit; one byte less and nothing is written
 * past cap. */
static void test_clicklink__message_cap_edges(void **state)
{
    char buf[sizeof MSG_R + 8];
    size_t need = sizeof MSG_R; /* length + NUL */
    (void)state;

    memset(buf, 'Z', sizeof buf);
    assert_int_equal(
        clicklink_message(buf, need - 1, SPAN_LIT("blog"),
                          SPAN_LIT("spring-2026"), SPAN_LIT("hero"),
                          SPAN_LIT("https://shop.example/sale?x=1"),
                          SPAN_LIT("AbCdEfGh12")),
        -1);
    assert_int_equal(buf[need - 1], 'Z');
    assert_int_equal(
        clicklink_message(buf, need, SPAN_LIT("blog"), SPAN_LIT("spring-2026"),
                          SPAN_LIT("hero"),
                          SPAN_LIT("https://shop.example/sale?x=1"),
                          SPAN_LIT("AbCdEfGh12")),
        (int)need - 1);
    assert_string_equal(buf, MSG_R);
    assert_int_equal(buf[need], 'Z');
    assert_int_equal(clicklink_message(buf, 0, SPAN_LIT("a"), SPAN_LIT("b"),
                                       SPAN_LIT("c"), SPAN_LIT("d"),
                                       span_make("", 0)),
                     -1);
}

/* ---- clicklink_sign / clicklink_verify ---------------------------------- */

static void test_clicklink__sign_known_answers(void **state)
{
    char sig[CLICKLINK_SIG_LEN + 1];
    (void)state;

    clicklink_sign(sig, key1, sizeof key1, MSG_R, strlen(MSG_R));
    assert_string_equal(sig, SIG_K1_R);
    clicklink_sign(sig, key1, sizeof key1, MSG_NO_R, strlen(MSG_NO_R));
    assert_string_equal(sig, SIG_K1_NO_R);
    clicklink_sign(sig, key2, sizeof key2 - 1, MSG_R, strlen(MSG_R));
    assert_string_equal(sig, SIG_K2_R);
    clicklink_sign(sig, key1, sizeof key1, "", 0);
    assert_string_equal(sig, SIG_K1_EMPTY);
    assert_int_equal(strlen(sig), CLICKLINK_SIG_LEN);
}

static void test_clicklink__verify_known_answers(void **state)
{
    (void)state;

    assert_int_equal(verify_str(SIG_K1_R, key1, sizeof key1, MSG_R), 1);
    assert_int_equal(verify_str(SIG_K1_NO_R, key1, sizeof key1, MSG_NO_R), 1);
    assert_int_equal(verify_str(SIG_K2_R, key2, sizeof key2 - 1, MSG_R), 1);
    assert_int_equal(verify_str(SIG_K1_EMPTY, key1, sizeof key1, ""), 1);
    /* a signature for another message */
    assert_int_equal(verify_str(SIG_K1_NO_R, key1, sizeof key1, MSG_R), 0);
}

static void test_clicklink__sign_verify_round_trip(void **state)
{
    char msg[300], sig[CLICKLINK_SIG_LEN + 1];
    (void)state;

    for (size_t len = 0; len < sizeof msg; len++) {
        msg[len] = (char)(len * 7 + 1);
        clicklink_sign(sig, key2, sizeof key2 - 1, msg, len);
        assert_int_equal(strlen(sig), CLICKLINK_SIG_LEN);
        assert_int_equal(clicklink_verify(sig, CLICKLINK_SIG_LEN, key2,
                                          sizeof key2 - 1, msg, len),
                         1);
    }
}

static void test_clicklink__verify_rejects_wrong_key(void **state)
{
    unsigned char other[32];
    (void)state;

    memcpy(other, key1, sizeof other);
    other[31] ^= 1;
    assert_int_equal(verify_str(SIG_K1_R, other, sizeof other, MSG_R), 0);
    assert_int_equal(verify_str(SIG_K1_R, key2, sizeof key2 - 1, MSG_R), 0);
    /* a key that is a prefix of the right one */
    assert_int_equal(verify_str(SIG_K1_R, key1, sizeof key1 - 1, MSG_R), 0);
}

static void test_clicklink__verify_rejects_tampered_message(void **state)
{
    char msg[] = MSG_R;
    (void)state;

    for (size_t i = 0; i < sizeof msg - 1; i++) {
        msg[i] ^= 0x01;
        if (clicklink_verify(SIG_K1_R, CLICKLINK_SIG_LEN, key1, sizeof key1,
                             msg, sizeof msg - 1) != 0) {
            fail_msg("accepted with message byte %zu flipped", i);
        }
        msg[i] ^= 0x01;
    }
    assert_int_equal(clicklink_verify(SIG_K1_R, CLICKLINK_SIG_LEN, key1,
                                      sizeof key1, msg, sizeof msg - 2),
                     0);
}

/* Every position changed to every other character of the alphabet (and a
 * few outside it) is refused. The last character has two unused low bits:
 * its other spellings with the same six-bit prefix are refused too. */
static void test_clicklink__verify_rejects_each_position_flipped(void **state)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        "+/= .\n";
    char sig[] = SIG_K1_R;
    (void)state;

    for (size_t i = 0; i < CLICKLINK_SIG_LEN; i++) {
        char orig = sig[i];

        for (size_t j = 0; j < sizeof alphabet - 1; j++) {
            if (alphabet[j] == orig) {
                continue;
            }
            sig[i] = alphabet[j];
            if (clicklink_verify(sig, CLICKLINK_SIG_LEN, key1, sizeof key1,
                                 MSG_R, strlen(MSG_R)) != 0) {
                fail_msg("accepted with sig[%zu] = '%c'", i, alphabet[j]);
            }
        }
        sig[i] = orig;
    }
    assert_int_equal(verify_str(sig, key1, sizeof key1, MSG_R), 1);
}

static void test_clicklink__verify_rejects_bad_lengths(void **state)
{
    char sig[CLICKLINK_SIG_LEN + 8];
    (void)state;

    /* truncated, each length */
    for (size_t n = 0; n < CLICKLINK_SIG_LEN; n++) {
        assert_int_equal(clicklink_verify(SIG_K1_R, n, key1, sizeof key1, MSG_R,
                                          strlen(MSG_R)),
                         0);
    }
    /* padded and with trailing garbage */
    memcpy(sig, SIG_K1_R "=", CLICKLINK_SIG_LEN + 2);
    assert_int_equal(verify_str(sig, key1, sizeof key1, MSG_R), 0);
    memcpy(sig, SIG_K1_R "A", CLICKLINK_SIG_LEN + 2);
    assert_int_equal(verify_str(sig, key1, sizeof key1, MSG_R), 0);
    memcpy(sig, SIG_K1_R "\n", CLICKLINK_SIG_LEN + 2);
    assert_int_equal(verify_str(sig, key1, sizeof key1, MSG_R), 0);
    /* a NUL inside the counted length */
    assert_int_equal(clicklink_verify(SIG_K1_R "\0", CLICKLINK_SIG_LEN + 1,
                                      key1, sizeof key1, MSG_R, strlen(MSG_R)),
                     0);
    /* empty, and NULL with a zero length */
    assert_int_equal(verify_str("", key1, sizeof key1, MSG_R), 0);
    assert_int_equal(
        clicklink_verify(NULL, 0, key1, sizeof key1, MSG_R, strlen(MSG_R)), 0);
    /* a leading space, the signature cut to keep the length */
    assert_int_equal(verify_str(" JBvQ6JZ0A_zSsq1FQ2TbkA_y5oFwS7fL82I7keKDW8",
                                key1, sizeof key1, MSG_R),
                     0);
}

/* The same MAC in standard base64 ('/' for '_', '+' for '-') and the
 * 32-byte MAC with padding are other spellings: refused. */
static void test_clicklink__verify_rejects_other_spellings(void **state)
{
    (void)state;

    assert_int_equal(verify_str("JBvQ6JZ0A/zSsq1FQ2TbkA/y5oFwS7fL82I7keKDW80",
                                key1, sizeof key1, MSG_R),
                     0);
    assert_int_equal(verify_str("WiWVA8DKVr8V233uxoQ9+XnYsazUm5Zd5iFqxVFPEe8",
                                key1, sizeof key1, MSG_NO_R),
                     0);
    assert_int_equal(verify_str("JBvQ6JZ0A_zSsq1FQ2TbkA_y5oFwS7fL82I7keKDW80=",
                                key1, sizeof key1, MSG_R),
                     0);
    /* same leading bits, non-zero unused bits in the last character */
    assert_int_equal(verify_str("JBvQ6JZ0A_zSsq1FQ2TbkA_y5oFwS7fL82I7keKDW81",
                                key1, sizeof key1, MSG_R),
                     0);
    assert_int_equal(verify_str("JBvQ6JZ0A_zSsq1FQ2TbkA_y5oFwS7fL82I7keKDW83",
                                key1, sizeof key1, MSG_R),
                     0);
}

/* ---- clicklink_valid_to ------------------------------------------------- */

static const char *const to_ok[] = {
    "http://a.example/",
    "https://a.example",
    "https://shop.example/sale?x=1&y=2#top",
    "HTTP://A.EXAMPLE/",
    "hTTpS://a.example/x",
    "http://[::1]:8080/x",
    "http://192.0.2.1/",
    "https://a.example/%0d%0a",
    "https://a.example/%0D%0ALocation:%20y",
    "https://user@a.example/",
    "https://a.example:443/caf\xc3\xa9",
    "https://a.example/?next=javascript:alert(1)",
};

static const char *const to_bad[] = {
    "",
    "javascript:alert(1)",
    "JavaScript://a.example/%0aalert(1)",
    "data:text/html,x",
    "vbscript:msgbox",
    "mailto:a@example.com",
    "ftp://a.example/",
    "/relative",
    "relative/path",
    "//evil.example",
    "//evil.example/x",
    "http:/x",
    "http:evil.example",
    "https:\\\\evil.example",
    "http://",
    "http:///x",
    "http://:80/",
    "http://user@/",
    "http://a.example/x\r\nLocation: y",
    "http://a.example/x\nLocation: y",
    "http://a.example/x\r",
    "http://a.example/a b",
    "http://a.example/\t",
    "http://a.example/\x7f",
    "http://a.example/\x01",
    " http://a.example/",
    "http://a.example/ ",
    "http://a.example:99999/",
    "http://[::1/",
};

static void test_clicklink__valid_to_accepts_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof to_ok / sizeof *to_ok; i++) {
        if (clicklink_valid_to(to_ok[i], strlen(to_ok[i])) != 1) {
            fail_msg("case %zu rejected: %s", i, to_ok[i]);
        }
    }
}

static void test_clicklink__valid_to_rejects_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof to_bad / sizeof *to_bad; i++) {
        if (clicklink_valid_to(to_bad[i], strlen(to_bad[i])) != 0) {
            fail_msg("case %zu accepted: \"%s\"", i, to_bad[i]);
        }
    }
}

static void test_clicklink__valid_to_rejects_nul(void **state)
{
    const char s[] = "http://a.example/x\0y";
    (void)state;

    assert_int_equal(clicklink_valid_to(s, sizeof s - 1), 0);
    assert_int_equal(clicklink_valid_to(s, sizeof s - 3), 1);
    assert_int_equal(clicklink_valid_to(NULL, 0), 0);
}

static void test_clicklink__valid_to_length_edge(void **state)
{
    static char url[CLICKLINK_TO_MAX + 2];
    const char prefix[] = "https://a.example/";
    (void)state;

    memcpy(url, prefix, sizeof prefix - 1);
    memset(url + sizeof prefix - 1, 'x', sizeof url - sizeof prefix);
    assert_int_equal(clicklink_valid_to(url, 2048), 1);
    assert_int_equal(clicklink_valid_to(url, 2049), 0);
    assert_int_equal(clicklink_valid_to(url, 2050), 0);
}

/* ---- clicklink_valid_id / clicklink_valid_recipient --------------------- */

static void test_clicklink__valid_id_table(void **state)
{
    char s[66];
    (void)state;

    assert_int_equal(clicklink_valid_id("a", 1), 1);
    assert_int_equal(clicklink_valid_id("spring-2026.v2_B", 16), 1);
    assert_int_equal(clicklink_valid_id("..", 2), 1);
    assert_int_equal(clicklink_valid_id("", 0), 0);
    assert_int_equal(clicklink_valid_id(NULL, 0), 0);
    assert_int_equal(clicklink_valid_id("a/b", 3), 0);
    assert_int_equal(clicklink_valid_id("a b", 3), 0);
    assert_int_equal(clicklink_valid_id("a\nb", 3), 0);
    assert_int_equal(clicklink_valid_id("a+b", 3), 0);
    assert_int_equal(clicklink_valid_id("a%2f", 4), 0);
    assert_int_equal(clicklink_valid_id("caf\xc3\xa9", 5), 0);
    assert_int_equal(clicklink_valid_id("a\0", 2), 0);
    memset(s, 'z', sizeof s);
    assert_int_equal(clicklink_valid_id(s, 64), 1);
    assert_int_equal(clicklink_valid_id(s, 65), 0);
}

static void test_clicklink__valid_recipient_table(void **state)
{
    char s[130];
    (void)state;

    assert_int_equal(clicklink_valid_recipient("AbCd-_09", 8), 1);
    assert_int_equal(clicklink_valid_recipient(TOKEN_ALICE, 22), 1);
    assert_int_equal(clicklink_valid_recipient("AbCd-_0", 7), 0);
    assert_int_equal(clicklink_valid_recipient("", 0), 0);
    assert_int_equal(clicklink_valid_recipient(NULL, 0), 0);
    assert_int_equal(clicklink_valid_recipient("abcd.efgh", 9), 0);
    assert_int_equal(clicklink_valid_recipient("abcd+efgh", 9), 0);
    assert_int_equal(clicklink_valid_recipient("abcd/efgh", 9), 0);
    assert_int_equal(clicklink_valid_recipient("abcdefgh=", 9), 0);
    assert_int_equal(clicklink_valid_recipient("a@example.com", 13), 0);
    assert_int_equal(clicklink_valid_recipient("abcd\nefgh", 9), 0);
    memset(s, 'Q', sizeof s);
    assert_int_equal(clicklink_valid_recipient(s, 128), 1);
    assert_int_equal(clicklink_valid_recipient(s, 129), 0);
}

/* ---- clicklink_recipient_from_email ------------------------------------- */

static void test_clicklink__email_token_known_answers(void **state)
{
    char tok[CLICKLINK_TOKEN_LEN + 1];
    char addr[113];
    (void)state;

    clicklink_recipient_from_email(tok, key1, "alice@example.com", 17);
    assert_string_equal(tok, TOKEN_ALICE);
    assert_int_equal(strlen(tok), CLICKLINK_TOKEN_LEN);
    assert_int_equal(clicklink_valid_recipient(tok, strlen(tok)), 1);
    clicklink_recipient_from_email(tok, key1, "", 0);
    assert_string_equal(tok, TOKEN_EMPTY);
    /* longer than the internal chunk, upper case across a chunk edge */
    memset(addr, 'a', 100);
    memcpy(addr + 100, "@EXAMPLE.com", 12);
    clicklink_recipient_from_email(tok, key1, addr, 112);
    assert_string_equal(tok, TOKEN_LONG);
    memset(addr, 'A', 100);
    clicklink_recipient_from_email(tok, key1, addr, 112);
    assert_string_equal(tok, TOKEN_LONG);
}

static void test_clicklink__email_token_ignores_ascii_case(void **state)
{
    char a[CLICKLINK_TOKEN_LEN + 1], b[CLICKLINK_TOKEN_LEN + 1];
    (void)state;

    clicklink_recipient_from_email(a, key1, "Alice@Example.COM", 17);
    clicklink_recipient_from_email(b, key1, "alice@example.com", 17);
    assert_string_equal(a, b);
    assert_string_equal(a, TOKEN_ALICE);
    /* another key, another token */
    clicklink_recipient_from_email(b, key2, "alice@example.com", 17);
    assert_string_not_equal(a, b);
}

/* Only ASCII is lower-cased: "\xc3\x89" (capital E acute) stays as is. */
static void test_clicklink__email_token_ascii_only(void **state)
{
    char a[CLICKLINK_TOKEN_LEN + 1], b[CLICKLINK_TOKEN_LEN + 1];
    (void)state;

    clicklink_recipient_from_email(a, key1, "\xc3\x89LISE@X.EXAMPLE", 16);
    assert_string_equal(a, TOKEN_ELISE);
    clicklink_recipient_from_email(b, key1, "\xc3\xa9lise@x.example", 16);
    assert_string_not_equal(a, b);
}

/* A prepared key answers as the raw key does, and can be used again. */
static void test_clicklink__prepared_key(void **state)
{
    struct clicklink_key k1, k2;
    (void)state;

    clicklink_key_init(&k1, key1, sizeof key1);
    clicklink_key_init(&k2, key2, sizeof key2 - 1);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(clicklink_verify_with(SIG_K1_R, strlen(SIG_K1_R), &k1,
                                               MSG_R, strlen(MSG_R)),
                         1);
        assert_int_equal(clicklink_verify_with(SIG_K1_NO_R,
                                               strlen(SIG_K1_NO_R), &k1,
                                               MSG_NO_R, strlen(MSG_NO_R)),
                         1);
        assert_int_equal(clicklink_verify_with(SIG_K2_R, strlen(SIG_K2_R), &k2,
                                               MSG_R, strlen(MSG_R)),
                         1);
        /* the other key, or the other message: no */
        assert_int_equal(clicklink_verify_with(SIG_K1_R, strlen(SIG_K1_R), &k2,
                                               MSG_R, strlen(MSG_R)),
                         0);
        assert_int_equal(clicklink_verify_with(SIG_K1_R, strlen(SIG_K1_R), &k1,
                                               MSG_NO_R, strlen(MSG_NO_R)),
                         0);
    }
}

/* Location: the target as signed, raw UTF-8 percent-encoded, and never
 * past the buffer. */
static void test_clicklink__location(void **state)
{
    char out[64];
    (void)state;

    assert_int_equal(
        clicklink_location(out, sizeof out, "https://x.example/a?b=1#c", 25),
        25);
    assert_string_equal(out, "https://x.example/a?b=1#c");
    assert_int_equal(clicklink_location(out, sizeof out,
                                        "https://x.example/\xc3\xa9%20", 23),
                     27);
    assert_string_equal(out, "https://x.example/%C3%A9%20");
    assert_int_equal(
        clicklink_location(out, 27, "https://x.example/\xc3\xa9%20", 23), -1);
    assert_int_equal(
        clicklink_location(out, 28, "https://x.example/\xc3\xa9%20", 23), 27);
    assert_int_equal(clicklink_location(out, 0, "", 0), -1);
    assert_int_equal(clicklink_location(out, 1, "", 0), 0);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clicklink__message_layout),
        cmocka_unit_test(test_clicklink__message_empty_recipient),
        cmocka_unit_test(test_clicklink__message_cap_edges),
        cmocka_unit_test(test_clicklink__sign_known_answers),
        cmocka_unit_test(test_clicklink__verify_known_answers),
        cmocka_unit_test(test_clicklink__sign_verify_round_trip),
        cmocka_unit_test(test_clicklink__verify_rejects_wrong_key),
        cmocka_unit_test(test_clicklink__prepared_key),
        cmocka_unit_test(test_clicklink__location),
        cmocka_unit_test(test_clicklink__verify_rejects_tampered_message),
        cmocka_unit_test(test_clicklink__verify_rejects_each_position_flipped),
        cmocka_unit_test(test_clicklink__verify_rejects_bad_lengths),
        cmocka_unit_test(test_clicklink__verify_rejects_other_spellings),
        cmocka_unit_test(test_clicklink__valid_to_accepts_table),
        cmocka_unit_test(test_clicklink__valid_to_rejects_table),
        cmocka_unit_test(test_clicklink__valid_to_rejects_nul),
        cmocka_unit_test(test_clicklink__valid_to_length_edge),
        cmocka_unit_test(test_clicklink__valid_id_table),
        cmocka_unit_test(test_clicklink__valid_recipient_table),
        cmocka_unit_test(test_clicklink__email_token_known_answers),
        cmocka_unit_test(test_clicklink__email_token_ignores_ascii_case),
        cmocka_unit_test(test_clicklink__email_token_ascii_only),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
