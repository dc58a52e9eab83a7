/*
 * test_client_addr.c: the client address of SPEC 3 (collector/
 * client_addr.c): the socket peer, unless the peer is a trusted proxy;
 * then the right-most X-Forwarded-For entry that is not trusted, and the
 * peer again when there is none or an entry on the way is not an address.
 * X-Forwarded-For lines live in exactly-sized heap blocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "collector/privacy/client_addr.h"

#define TRUSTED "10.0.0.0/8, 192.168.1.7, 2001:db8::/32, ::1"

struct addr_case {
    const char *trusted;              /* cidr_list_parse input */
    const char *peer;                 /* socket peer */
    const char *xff[REQUEST_XFF_MAX]; /* X-Forwarded-For lines */
    const char *want;                 /* the client address */
};

static const struct addr_case cases[] = {
    /* an untrusted peer is the client, whatever it claims */
    {TRUSTED, "203.0.113.5", {NULL}, "203.0.113.5"},
    {TRUSTED, "203.0.113.5", {"198.51.100.7"}, "203.0.113.5"},
    {TRUSTED, "203.0.113.5", {"10.0.0.2"}, "203.0.113.5"},
    {TRUSTED, "203.0.113.5", {"198.51.100.7, 10.0.0.2"}, "203.0.113.5"},
    {TRUSTED, "203.0.113.5", {"garbage"}, "203.0.113.5"},
    {TRUSTED, "192.168.1.8", {"198.51.100.7"}, "192.168.1.8"},
    {TRUSTED, "11.0.0.1", {"198.51.100.7"}, "11.0.0.1"},
    {TRUSTED, "2001:db9::1", {"198.51.100.7"}, "2001:db9::1"},
    {TRUSTED, "::2", {"198.51.100.7"}, "::2"},

    /* a trusted peer: the right-most untrusted entry */
    {TRUSTED, "10.0.0.1", {"198.51.100.7"}, "198.51.100.7"},
    {TRUSTED, "192.168.1.7", {"198.51.100.7"}, "198.51.100.7"},
    {TRUSTED, "10.0.0.1", {"1.1.1.1, 198.51.100.7"}, "198.51.100.7"},
    {TRUSTED, "10.0.0.1", {"1.1.1.1, 198.51.100.7, 10.0.0.2"}, "198.51.100.7"},
    {TRUSTED,
     "10.0.0.1",
     {"198.51.100.7, 10.0.0.2, 192.168.1.7"},
     "198.51.100.7"},
    {TRUSTED, "10.0.0.1", {"198.51.100.7,10.0.0.2"}, "198.51.100.7"},
    {TRUSTED, "10.0.0.1", {" 198.51.100.7 ,\t10.0.0.2 "}, "198.51.100.7"},
    {TRUSTED, "10.0.0.1", {"198.51.100.7:5678, 10.0.0.2:80"}, "198.51.100.7"},
    /* a spoofed left part is never looked at */
    {TRUSTED, "10.0.0.1", {"evil, 198.51.100.7"}, "198.51.100.7"},
    {TRUSTED, "10.0.0.1", {"10.0.0.3, 198.51.100.7"}, "198.51.100.7"},
    /* empty entries are skipped */
    {TRUSTED, "10.0.0.1", {"198.51.100.7,, 10.0.0.2,"}, "198.51.100.7"},
    /* several lines are one list, in order */
    {TRUSTED, "10.0.0.1", {"1.1.1.1", "198.51.100.7"}, "198.51.100.7"},
    {TRUSTED, "10.0.0.1", {"198.51.100.7", "10.0.0.2"}, "198.51.100.7"},
    {TRUSTED,
     "10.0.0.1",
     {"1.1.1.1", "198.51.100.7, 10.0.0.2", "10.0.0.3"},
     "198.51.100.7"},
    {TRUSTED, "10.0.0.1", {"198.51.100.7", ""}, "198.51.100.7"},

    /* a trusted peer without X-Forwarded-For: the peer */
    {TRUSTED, "10.0.0.1", {NULL}, "10.0.0.1"},
    {TRUSTED, "2001:db8::1", {NULL}, "2001:db8::1"},
    {TRUSTED, "10.0.0.1", {""}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {" , ,"}, "10.0.0.1"},

    /* every entry trusted: the peer */
    {TRUSTED, "10.0.0.1", {"10.0.0.2"}, "10.0.0.1"},
    {TRUSTED,
     "10.0.0.1",
     {"10.0.0.2, 192.168.1.7, 10.255.255.255"},
     "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"10.0.0.2", "2001:db8::5"}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"::1"}, "10.0.0.1"},

    /* garbage on the way: the peer */
    {TRUSTED, "10.0.0.1", {"garbage"}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"unknown"}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"198.51.100.7, garbage"}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"198.51.100.7", "garbage"}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"198.51.100.7, 10.0.0.2, x"}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"198.51.100.7 10.0.0.2"}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"198.51.100.007"}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"198.51.100.7:99999"}, "10.0.0.1"},
    /* an unbracketed IPv6 "port" is just two more groups of the address */
    {TRUSTED, "10.0.0.1", {"2001:db9::7:443"}, "2001:db9::7:443"},
    {TRUSTED, "10.0.0.1", {"2001:db8::7:443"}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"[198.51.100.7]"}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"localhost"}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"fe80::1%eth0"}, "10.0.0.1"},
    {TRUSTED, "10.0.0.1", {"1.2.3.4.5"}, "10.0.0.1"},

    /* IPv6 peers and entries */
    {TRUSTED, "2001:db8::1", {"2001:db9::7"}, "2001:db9::7"},
    {TRUSTED,
     "2001:db8::1",
     {"[2001:db9::7]:443, 2001:db8:ffff::2"},
     "2001:db9::7"},
    {TRUSTED, "2001:db8::1", {"198.51.100.7"}, "198.51.100.7"},
    {TRUSTED, "10.0.0.1", {"2001:db9::7, ::1"}, "2001:db9::7"},
    {TRUSTED, "::1", {"2001:db9::7"}, "2001:db9::7"},
    {TRUSTED, "2001:db8::1", {"::ffff:198.51.100.7"}, "198.51.100.7"},
    /* an IPv4-mapped peer is the IPv4 address it maps */
    {TRUSTED, "::ffff:10.0.0.1", {"198.51.100.7"}, "198.51.100.7"},
    {TRUSTED, "::ffff:203.0.113.5", {"198.51.100.7"}, "203.0.113.5"},
    /* an IPv4 network never holds an IPv6 peer, and the other way */
    {"10.0.0.0/8", "2001:db8::1", {"198.51.100.7"}, "2001:db8::1"},
    {"2001:db8::/32", "10.0.0.1", {"198.51.100.7"}, "10.0.0.1"},

    /* an empty trusted list: always the peer */
    {"", "10.0.0.1", {"198.51.100.7"}, "10.0.0.1"},
    {"", "203.0.113.5", {"198.51.100.7, 10.0.0.2"}, "203.0.113.5"},
    {"", "2001:db8::1", {"2001:db9::7"}, "2001:db8::1"},
    {"", "127.0.0.1", {NULL}, "127.0.0.1"},

    /* everyone trusted: the right-most entry that is not (none: peer) */
    {"0.0.0.0/0, ::/0", "203.0.113.5", {"198.51.100.7"}, "203.0.113.5"},
    {"0.0.0.0/0", "203.0.113.5", {"2001:db9::7, 198.51.100.7"}, "2001:db9::7"},
};

static struct ip_addr parse_addr(const char *text)
{
    struct ip_addr a;
    memset(&a, 0, sizeof(a));
    if (ip_parse(&a, text, strlen(text)) != 0) {
        fail_msg("test table: \"%s\" is not an address", text);
    }
    return a;
}

static void run_case(const struct addr_case *c)
{
    struct cidr_list trusted;
    char err[256];
    struct request r;
    char *held[REQUEST_XFF_MAX] = {NULL};
    struct ip_addr peer = parse_addr(c->peer);
    struct ip_addr want = parse_addr(c->want);
    struct ip_addr out;

    if (cidr_list_parse(&trusted, c->trusted, err, sizeof(err)) != 0) {
        fail_msg("test table: trusted \"%s\": %s", c->trusted, err);
    }
    memset(&r, 0, sizeof(r));
    for (int i = 0; i < REQUEST_XFF_MAX && c->xff[i] != NULL; i++) {
        size_t len = strlen(c->xff[i]);
        held[i] = malloc(len > 0 ? len : 1);
        assert_non_null(held[i]);
        memcpy(held[i], c->xff[i], len);
        r.xff[i] = span_make(held[i], len);
        r.n_xff = i + 1;
    }
    if (r.n_xff > 0) {
        r.header[HDR_X_FORWARDED_FOR] = r.xff[0];
    }

    memset(&out, 0xAA, sizeof(out));
    client_addr(&out, &trusted, &peer, &r);
    if (out.len != want.len || memcmp(out.bytes, want.bytes, want.len) != 0) {
        print_error("trusted \"%s\", peer %s, xff \"%s\"%s: want %s\n",
                    c->trusted, c->peer, c->xff[0] ? c->xff[0] : "(none)",
                    r.n_xff > 1 ? " ..." : "", c->want);
    }
    assert_int_equal(out.len, want.len);
    assert_memory_equal(out.bytes, want.bytes, want.len);
    for (int i = 0; i < REQUEST_XFF_MAX; i++) {
        free(held[i]);
    }
}

static void test_client_addr__table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_case(&cases[i]);
    }
}

/* The peer itself is never modified, and out may be any memory. */
static void test_client_addr__peer_untouched(void **state)
{
    (void)state;
    struct cidr_list trusted;
    char err[256];
    struct request r;
    char line[] = "198.51.100.7";
    struct ip_addr peer = parse_addr("10.0.0.1");
    struct ip_addr copy = peer, out;

    assert_int_equal(cidr_list_parse(&trusted, "10.0.0.0/8", err, sizeof(err)),
                     0);
    memset(&r, 0, sizeof(r));
    r.xff[0] = span_make(line, strlen(line));
    r.n_xff = 1;
    client_addr(&out, &trusted, &peer, &r);
    assert_memory_equal(&peer, &copy, sizeof(peer));
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.bytes, "\xc6\x33\x64\x07", 4);
}

/* Only xff[0..n_xff) counts: lines past n_xff are not read. */
static void test_client_addr__only_n_xff_lines(void **state)
{
    (void)state;
    struct cidr_list trusted;
    char err[256];
    struct request r;
    char a[] = "198.51.100.7", b[] = "198.51.100.8";
    struct ip_addr peer = parse_addr("10.0.0.1"), out;

    assert_int_equal(cidr_list_parse(&trusted, "10.0.0.0/8", err, sizeof(err)),
                     0);
    memset(&r, 0, sizeof(r));
    r.xff[0] = span_make(a, strlen(a));
    r.xff[1] = span_make(b, strlen(b));
    r.n_xff = 1;
    client_addr(&out, &trusted, &peer, &r);
    assert_memory_equal(out.bytes, "\xc6\x33\x64\x07", 4);
    r.n_xff = 2;
    client_addr(&out, &trusted, &peer, &r);
    assert_memory_equal(out.bytes, "\xc6\x33\x64\x08", 4);
    r.n_xff = 0;
    client_addr(&out, &trusted, &peer, &r);
    assert_memory_equal(&out, &peer, sizeof(out));
}

/* All REQUEST_XFF_MAX lines, the client in the first one. */
static void test_client_addr__client_in_first_of_many_lines(void **state)
{
    (void)state;
    struct cidr_list trusted;
    char err[256];
    struct request r;
    char lines[REQUEST_XFF_MAX][16];
    struct ip_addr peer = parse_addr("10.0.0.1"), out;

    assert_int_equal(cidr_list_parse(&trusted, "10.0.0.0/8", err, sizeof(err)),
                     0);
    memset(&r, 0, sizeof(r));
    for (int i = 0; i < REQUEST_XFF_MAX; i++) {
        if (i == 0) {
            snprintf(lines[i], sizeof(lines[i]), "198.51.100.7");
        } else {
            snprintf(lines[i], sizeof(lines[i]), "10.0.0.%d", i + 1);
        }
        r.xff[i] = span_make(lines[i], strlen(lines[i]));
    }
    r.n_xff = REQUEST_XFF_MAX;
    client_addr(&out, &trusted, &peer, &r);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.bytes, "\xc6\x33\x64\x07", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_addr__table),
        cmocka_unit_test(test_client_addr__peer_untouched),
        cmocka_unit_test(test_client_addr__only_n_xff_lines),
        cmocka_unit_test(test_client_addr__client_in_first_of_many_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
