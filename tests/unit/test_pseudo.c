/*
 * test_pseudo.c: visitor pseudonyms (collector/privacy/pseudo.c). The pseudonym
 * is a function of exactly what pseudo.h documents: the first 16 bytes of
 * the salt, the site, the address and the user agent (its first
 * PSEUDO_UA_MAX bytes), laid out with length prefixes; it is checked
 * against libsodium's SipHash-2-4-128 over that layout and against values
 * computed by an independent SipHash implementation. Inputs live in
 * exactly-sized heap blocks, so a read past a length is an ASan error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sodium.h>

#include "collector/privacy/pseudo.h"

#define UA_FIREFOX                                                             \
    "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"

static unsigned char salt[32];

static struct ip_addr addr_of(const char *text)
{
    struct ip_addr a;
    memset(&a, 0, sizeof(a));
    assert_int_equal(ip_parse(&a, text, strlen(text)), 0);
    return a;
}

/* pseudo_visitor over exactly-sized heap copies of site and ua. */
static void visitor(unsigned char out[PSEUDO_BYTES], const unsigned char *key,
                    const char *site, size_t site_len,
                    const struct ip_addr *addr, const char *ua, size_t ua_len)
{
    char *s = malloc(site_len > 0 ? site_len : 1);
    char *u = malloc(ua_len > 0 ? ua_len : 1);
    unsigned char *k = malloc(32);
    assert_non_null(s);
    assert_non_null(u);
    assert_non_null(k);
    memcpy(s, site, site_len);
    memcpy(u, ua, ua_len);
    memcpy(k, key, 32);
    memset(out, 0xEE, PSEUDO_BYTES);
    pseudo_visitor(out, k, s, site_len, addr, u, ua_len);
    free(k);
    free(u);
    free(s);
}

static void visitor_str(unsigned char out[PSEUDO_BYTES],
                        const unsigned char *key, const char *site,
                        const char *addr_text, const char *ua)
{
    struct ip_addr a = addr_of(addr_text);
    visitor(out, key, site, strlen(site), &a, ua, strlen(ua));
}

static void test_pseudo__deterministic(void **state)
{
    (void)state;
    unsigned char a[PSEUDO_BYTES], b[PSEUDO_BYTES];
    visitor_str(a, salt, "blog", "192.0.2.1", UA_FIREFOX);
    visitor_str(b, salt, "blog", "192.0.2.1", UA_FIREFOX);
    assert_memory_equal(a, b, PSEUDO_BYTES);
    /* the same address written another way is the same address */
    visitor_str(b, salt, "blog", "192.0.2.1:443", UA_FIREFOX);
    assert_memory_equal(a, b, PSEUDO_BYTES);
    visitor_str(b, salt, "blog", "::ffff:192.0.2.1", UA_FIREFOX);
    assert_memory_equal(a, b, PSEUDO_BYTES);
    /* repeated calls, many times */
    for (int i = 0; i < 100; i++) {
        visitor_str(b, salt, "blog", "192.0.2.1", UA_FIREFOX);
        assert_memory_equal(a, b, PSEUDO_BYTES);
    }
}

/* Every byte of the key half of the salt changes the pseudonym; bytes
 * 16..31 are documented (pseudo.h) not to enter it: SipHash takes a
 * 128-bit key, the first half of the 32-byte salt. */
static void test_pseudo__salt_first_half_only(void **state)
{
    (void)state;
    unsigned char base[PSEUDO_BYTES], got[PSEUDO_BYTES], s2[32];
    visitor_str(base, salt, "blog", "192.0.2.1", UA_FIREFOX);
    for (int i = 0; i < 32; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(s2, salt, sizeof(s2));
            s2[i] ^= (unsigned char)(1u << bit);
            visitor_str(got, s2, "blog", "192.0.2.1", UA_FIREFOX);
            if (i < 16) {
                assert_true(memcmp(got, base, PSEUDO_BYTES) != 0);
            } else {
                assert_memory_equal(got, base, PSEUDO_BYTES);
            }
        }
    }
    /* a whole new second half: still the same */
    memcpy(s2, salt, sizeof(s2));
    memset(s2 + 16, 0xFF, 16);
    visitor_str(got, s2, "blog", "192.0.2.1", UA_FIREFOX);
    assert_memory_equal(got, base, PSEUDO_BYTES);
}

static void test_pseudo__site_changes_it(void **state)
{
    (void)state;
    static const char *const sites[] = {
        "blog", "blog2", "Blog", "blo",   "bloh",
        "shop", "b",     "",     "blog.", "a.example.org",
    };
    const size_t n = sizeof(sites) / sizeof(sites[0]);
    unsigned char out[sizeof(sites) / sizeof(sites[0])][PSEUDO_BYTES];
    for (size_t i = 0; i < n; i++) {
        visitor_str(out[i], salt, sites[i], "192.0.2.1", UA_FIREFOX);
        for (size_t j = 0; j < i; j++) {
            assert_true(memcmp(out[i], out[j], PSEUDO_BYTES) != 0);
        }
    }
}

/* One bit of the address, IPv4 or IPv6, changes the pseudonym; an IPv4
 * address and an IPv6 address with the same leading bytes differ. */
static void test_pseudo__address_changes_it(void **state)
{
    (void)state;
    static const char *const texts[] = {"192.0.2.1", "2001:db8::1"};
    unsigned char base[PSEUDO_BYTES], got[PSEUDO_BYTES];

    for (size_t t = 0; t < 2; t++) {
        struct ip_addr a = addr_of(texts[t]);
        visitor(base, salt, "blog", 4, &a, UA_FIREFOX, strlen(UA_FIREFOX));
        for (int bit = 0; bit < 8 * a.len; bit++) {
            struct ip_addr b = a;
            b.bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            visitor(got, salt, "blog", 4, &b, UA_FIREFOX, strlen(UA_FIREFOX));
            if (memcmp(got, base, PSEUDO_BYTES) == 0) {
                print_error("%s with bit %d flipped: same pseudonym\n",
                            texts[t], bit);
            }
            assert_true(memcmp(got, base, PSEUDO_BYTES) != 0);
        }
    }

    /* v4 vs v6 whose first bytes are the v4 address, and the
     * IPv4-compatible form ::192.0.2.1 (a true IPv6 address) */
    unsigned char v4[PSEUDO_BYTES], v6[PSEUDO_BYTES];
    struct ip_addr a4 = addr_of("192.0.2.1");
    struct ip_addr a6 = addr_of("c000:201::");
    assert_int_equal(a6.len, 16);
    assert_memory_equal(a6.bytes, a4.bytes, 4);
    visitor(v4, salt, "blog", 4, &a4, UA_FIREFOX, strlen(UA_FIREFOX));
    visitor(v6, salt, "blog", 4, &a6, UA_FIREFOX, strlen(UA_FIREFOX));
    assert_true(memcmp(v4, v6, PSEUDO_BYTES) != 0);
    visitor_str(v6, salt, "blog", "::192.0.2.1", UA_FIREFOX);
    assert_true(memcmp(v4, v6, PSEUDO_BYTES) != 0);

    /* bytes past addr->len do not enter */
    struct ip_addr junk = a4;
    memset(junk.bytes + 4, 0x5A, 12);
    visitor(v6, salt, "blog", 4, &junk, UA_FIREFOX, strlen(UA_FIREFOX));
    assert_memory_equal(v4, v6, PSEUDO_BYTES);
}

static void test_pseudo__user_agent_changes_it(void **state)
{
    (void)state;
    static const char *const agents[] = {
        UA_FIREFOX,
        "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 "
        "Firefox/128.0",
        "mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 "
        "Firefox/127.0",
        "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.",
        UA_FIREFOX " ",
        "",
        " ",
        "a",
    };
    const size_t n = sizeof(agents) / sizeof(agents[0]);
    unsigned char out[sizeof(agents) / sizeof(agents[0])][PSEUDO_BYTES];
    for (size_t i = 0; i < n; i++) {
        visitor_str(out[i], salt, "blog", "192.0.2.1", agents[i]);
        for (size_t j = 0; j < i; j++) {
            assert_true(memcmp(out[i], out[j], PSEUDO_BYTES) != 0);
        }
    }
}

/* Without the length prefixes these inputs would be the same bytes. */
static void test_pseudo__length_prefixes_keep_parts_apart(void **state)
{
    (void)state;
    unsigned char x[PSEUDO_BYTES], y[PSEUDO_BYTES];
    struct ip_addr a = addr_of("192.0.2.1");

    /* ("ab", ua "c") vs ("a", ua "bc") */
    visitor(x, salt, "ab", 2, &a, "c", 1);
    visitor(y, salt, "a", 1, &a, "bc", 2);
    assert_true(memcmp(x, y, PSEUDO_BYTES) != 0);

    /* site | addr | ua concatenated would be equal:
     *   "ab" | 1.2.3.4 | "x"   vs   "a" | 98.1.2.3 ('b' 1 2 3) | "\4x" */
    struct ip_addr a1 = addr_of("1.2.3.4");
    struct ip_addr a2 = addr_of("98.1.2.3");
    unsigned char cat1[16], cat2[16];
    size_t n1 = 0, n2 = 0;
    memcpy(cat1 + n1, "ab", 2);
    n1 += 2;
    memcpy(cat1 + n1, a1.bytes, 4);
    n1 += 4;
    memcpy(cat1 + n1, "x", 1);
    n1 += 1;
    memcpy(cat2 + n2, "a", 1);
    n2 += 1;
    memcpy(cat2 + n2, a2.bytes, 4);
    n2 += 4;
    memcpy(cat2 + n2, "\4x", 2);
    n2 += 2;
    assert_int_equal(n1, n2);
    assert_memory_equal(cat1, cat2, n1);
    visitor(x, salt, "ab", 2, &a1, "x", 1);
    visitor(y, salt, "a", 1, &a2, "\4x", 2);
    assert_true(memcmp(x, y, PSEUDO_BYTES) != 0);

    /* the same byte in the site or in the user agent */
    visitor(x, salt, "", 0, &a, "a", 1);
    visitor(y, salt, "a", 1, &a, "", 0);
    assert_true(memcmp(x, y, PSEUDO_BYTES) != 0);
}

/* A user agent counts by its first PSEUDO_UA_MAX bytes. */
static void test_pseudo__long_user_agent_cut(void **state)
{
    (void)state;
    const size_t max = PSEUDO_UA_MAX;
    char *ua = malloc(max + 100);
    unsigned char at_max[PSEUDO_BYTES], got[PSEUDO_BYTES];
    struct ip_addr a = addr_of("192.0.2.1");

    assert_non_null(ua);
    for (size_t i = 0; i < max + 100; i++) {
        ua[i] = (char)('a' + i % 26);
    }
    visitor(at_max, salt, "blog", 4, &a, ua, max);

    /* longer: the same as its first PSEUDO_UA_MAX bytes, whatever follows */
    visitor(got, salt, "blog", 4, &a, ua, max + 1);
    assert_memory_equal(got, at_max, PSEUDO_BYTES);
    visitor(got, salt, "blog", 4, &a, ua, max + 100);
    assert_memory_equal(got, at_max, PSEUDO_BYTES);
    ua[max] = '#';
    visitor(got, salt, "blog", 4, &a, ua, max + 1);
    assert_memory_equal(got, at_max, PSEUDO_BYTES);

    /* within the limit every byte counts, the last one too */
    visitor(got, salt, "blog", 4, &a, ua, max - 1);
    assert_true(memcmp(got, at_max, PSEUDO_BYTES) != 0);
    char saved = ua[max - 1];
    ua[max - 1] = '#';
    visitor(got, salt, "blog", 4, &a, ua, max);
    assert_true(memcmp(got, at_max, PSEUDO_BYTES) != 0);
    ua[max - 1] = saved;
    ua[0] = '#';
    visitor(got, salt, "blog", 4, &a, ua, max + 50);
    assert_true(memcmp(got, at_max, PSEUDO_BYTES) != 0);
    ua[0] = 'a';

    /* a very long agent (64 KiB): no overflow, same cut */
    char *big = malloc(65536);
    assert_non_null(big);
    memset(big, 'z', 65536);
    memcpy(big, ua, max);
    visitor(got, salt, "blog", 4, &a, big, 65536);
    assert_memory_equal(got, at_max, PSEUDO_BYTES);
    free(big);
    free(ua);
}

/* The documented layout: len8(site) site len8(addr) addr ua, under
 * salt[0..16), with libsodium's SipHash-2-4-128 called directly. */
static void layout_hash(unsigned char out[PSEUDO_BYTES],
                        const unsigned char *key, const char *site,
                        size_t site_len, const struct ip_addr *a,
                        const char *ua, size_t ua_len)
{
    unsigned char msg[1 + 255 + 1 + 16 + PSEUDO_UA_MAX];
    size_t n = 0;
    assert_true(site_len <= 255);
    if (ua_len > PSEUDO_UA_MAX) {
        ua_len = PSEUDO_UA_MAX;
    }
    msg[n++] = (unsigned char)site_len;
    memcpy(msg + n, site, site_len);
    n += site_len;
    msg[n++] = a->len;
    memcpy(msg + n, a->bytes, a->len);
    n += a->len;
    memcpy(msg + n, ua, ua_len);
    n += ua_len;
    assert_int_equal(crypto_shorthash_siphashx24_KEYBYTES, 16);
    assert_int_equal(crypto_shorthash_siphashx24_BYTES, PSEUDO_BYTES);
    assert_int_equal(crypto_shorthash_siphashx24(out, msg, n, key), 0);
}

static void test_pseudo__matches_documented_layout(void **state)
{
    (void)state;
    static const struct {
        const char *site;
        const char *addr;
        const char *ua;
    } cases[] = {
        {"blog", "192.0.2.1", UA_FIREFOX},
        {"blog", "2001:db8::1", UA_FIREFOX},
        {"a", "0.0.0.0", ""},
        {"", "::", ""},
        {"shop.example", "[2001:db8::ff]:443", "curl/8.5.0"},
        {"0123456789012345678901234567890123456789012345678901234567890123",
         "255.255.255.255", "x"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char want[PSEUDO_BYTES], got[PSEUDO_BYTES];
        struct ip_addr a = addr_of(cases[i].addr);
        layout_hash(want, salt, cases[i].site, strlen(cases[i].site), &a,
                    cases[i].ua, strlen(cases[i].ua));
        visitor(got, salt, cases[i].site, strlen(cases[i].site), &a,
                cases[i].ua, strlen(cases[i].ua));
        assert_memory_equal(got, want, PSEUDO_BYTES);
    }
    /* and a long agent, cut the same way */
    char *ua = malloc(PSEUDO_UA_MAX + 7);
    unsigned char want[PSEUDO_BYTES], got[PSEUDO_BYTES];
    struct ip_addr a = addr_of("198.51.100.7");
    assert_non_null(ua);
    for (size_t i = 0; i < PSEUDO_UA_MAX + 7; i++) {
        ua[i] = (char)(' ' + i % 95);
    }
    layout_hash(want, salt, "blog", 4, &a, ua, PSEUDO_UA_MAX + 7);
    visitor(got, salt, "blog", 4, &a, ua, PSEUDO_UA_MAX + 7);
    assert_memory_equal(got, want, PSEUDO_BYTES);
    free(ua);
}

static void from_hex(unsigned char *out, size_t n, const char *hex)
{
    size_t got = 0;
    assert_int_equal(sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL),
                     0);
    assert_int_equal(got, n);
}

/* Fixed values, computed outside this code base with a reference
 * SipHash-2-4-128 (the algorithm of Aumasson and Bernstein, written from
 * the paper in Python) over the documented layout; salt = 00 01 .. 1f.
 * A pseudonym must not change between versions during a day: instances
 * of two versions behind one load balancer share the day's salt. */
static void test_pseudo__known_answers(void **state)
{
    (void)state;
    unsigned char key[32], want[PSEUDO_BYTES], got[PSEUDO_BYTES];
    for (int i = 0; i < 32; i++) {
        key[i] = (unsigned char)i;
    }

    /* the reference implementation agrees with the paper's first
     * 128-bit test vector (key 00..0f, empty message) and libsodium */
    from_hex(want, PSEUDO_BYTES, "a3817f04ba25a8e66df67214c7550293");
    assert_int_equal(crypto_shorthash_siphashx24(got, NULL, 0, key), 0);
    assert_memory_equal(got, want, PSEUDO_BYTES);

    struct ip_addr v4 = addr_of("192.0.2.1");
    struct ip_addr v6 = addr_of("2001:db8::1");
    from_hex(want, PSEUDO_BYTES, "ad74648534214384404b191a99f18ac9");
    visitor(got, key, "blog", 4, &v4, UA_FIREFOX, strlen(UA_FIREFOX));
    assert_memory_equal(got, want, PSEUDO_BYTES);
    from_hex(want, PSEUDO_BYTES, "ef92a2092c5bd432592d355a6bf11a3e");
    visitor(got, key, "blog", 4, &v6, UA_FIREFOX, strlen(UA_FIREFOX));
    assert_memory_equal(got, want, PSEUDO_BYTES);
}

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0) {
        return -1;
    }
    randombytes_buf(salt, sizeof(salt));
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pseudo__deterministic),
        cmocka_unit_test(test_pseudo__salt_first_half_only),
        cmocka_unit_test(test_pseudo__site_changes_it),
        cmocka_unit_test(test_pseudo__address_changes_it),
        cmocka_unit_test(test_pseudo__user_agent_changes_it),
        cmocka_unit_test(test_pseudo__length_prefixes_keep_parts_apart),
        cmocka_unit_test(test_pseudo__long_user_agent_cut),
        cmocka_unit_test(test_pseudo__matches_documented_layout),
        cmocka_unit_test(test_pseudo__known_answers),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
