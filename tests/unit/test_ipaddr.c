/*
 * test_ipaddr.c: ip_parse (what X-Forwarded-For entries may look like),
 * ip_from_sockaddr, cidr_list_parse and cidr_list_match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "proto/ipaddr.h"

/* The bytes an address text stands for, through libc, as the reference. */
static struct ip_addr ref(const char *text)
{
    struct ip_addr a;

    memset(&a, 0, sizeof a);
    if (inet_pton(AF_INET, text, a.bytes) == 1) {
        a.len = 4;
    } else if (inet_pton(AF_INET6, text, a.bytes) == 1) {
        a.len = 16;
    } else {
        fail_msg("bad reference address %s", text);
    }
    return a;
}

static int same(const struct ip_addr *a, const struct ip_addr *b)
{
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* ---- ip_parse ----------------------------------------------------------- */

struct parse_case {
    const char *in;
    const char *want; /* reference text of the result */
};

static const struct parse_case parse_ok[] = {
    {"1.2.3.4", "1.2.3.4"},
    {"0.0.0.0", "0.0.0.0"},
    {"255.255.255.255", "255.255.255.255"},
    {"10.0.0.1", "10.0.0.1"},
    {"192.168.100.200", "192.168.100.200"},
    {"1.2.3.4:5678", "1.2.3.4"},
    {"1.2.3.4:0", "1.2.3.4"},
    {"1.2.3.4:65535", "1.2.3.4"},
    {"  1.2.3.4", "1.2.3.4"},
    {"1.2.3.4\t ", "1.2.3.4"},
    {" \t1.2.3.4:80 \t", "1.2.3.4"},
    {"::1", "::1"},
    {"::", "::"},
    {"1::", "1::"},
    {"2001:db8::1", "2001:db8::1"},
    {"2001:DB8::A:b:C", "2001:db8::a:b:c"},
    {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
    {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
    {"1::2:3:4:5:6:7", "1:0:2:3:4:5:6:7"},
    {"fe80::1", "fe80::1"},
    {"::0001", "::1"},
    {"[2001:db8::1]", "2001:db8::1"},
    {"[2001:db8::1]:443", "2001:db8::1"},
    {"[::1]:0", "::1"},
    {" [::1]:8080 ", "::1"},
    {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
    {"::1.2.3.4", "::102:304"},
    /* IPv4-mapped IPv6 is the IPv4 address it maps (4 bytes). */
    {"::ffff:1.2.3.4", "1.2.3.4"},
    {"::FFFF:1.2.3.4", "1.2.3.4"},
    {"::ffff:102:304", "1.2.3.4"},
    {"0:0:0:0:0:ffff:10.0.0.1", "10.0.0.1"},
    {"[::ffff:1.2.3.4]:80", "1.2.3.4"},
    /* Not mapped: one bit off the prefix. */
    {"::fffe:1.2.3.4", "::fffe:102:304"},
    {"::1:ffff:1.2.3.4", "::1:ffff:102:304"},
};

static const char *const parse_bad[] = {
    "",
    " ",
    "\t \t",
    "1.2.3",
    "1.2.3.4.5",
    "1.2.3.",
    ".1.2.3",
    "1..2.3",
    "01.2.3.4",
    "1.2.3.04",
    "1.2.3.00",
    "256.1.1.1",
    "1.2.3.256",
    "1.2.3.1000",
    "999.1.1.1",
    "0x1.2.3.4",
    "1.2.3.4a",
    "-1.2.3.4",
    "+1.2.3.4",
    "1.2.3.4 5",
    "1 .2.3.4",
    "1.2.3.4:",
    "1.2.3.4:65536",
    "1.2.3.4:123456",
    "1.2.3.4:80:80",
    "1.2.3.4:x",
    "1.2.3.4: 80",
    "1.2.3.4:-1",
    ":80",
    "[1.2.3.4]",
    "[1.2.3.4]:80",
    "fe80::1%eth0",
    "fe80::1%1",
    "[fe80::1%eth0]:80",
    "[::1",
    "::1]",
    "::1]:80",
    "[::1]]",
    "[::1]x",
    "[::1]:",
    "[::1]:65536",
    "[::1]80",
    "[]",
    "[]:80",
    "[ ::1]",
    "::1:80:",
    ":",
    ":::",
    ":1::",
    "1:::2",
    "::1:",
    "1::2::3",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7::8",
    "1:2:3:4:5:6:7:8::",
    "::1:2:3:4:5:6:7:8",
    "12345::1",
    "00000::1",
    "g::1",
    "1:2:3:4:5:6:7:1.2.3.4",
    "::1.2.3",
    "::ffff:1.2.3.4.5",
    "::ffff:01.2.3.4",
    "::ffff:256.2.3.4",
    "1.2.3.4::",
    "::1.2.3.4:5",
    "::1 ::2",
    "localhost",
    "example.com",
    "example.com:80",
    "unknown",
    "_hidden",
    "1.2.3.4\n",
    "1.2.3.4\r",
};

static void test_ipaddr__parse_accepts_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof parse_ok / sizeof *parse_ok; i++) {
        struct ip_addr got, want = ref(parse_ok[i].want);

        if (ip_parse(&got, parse_ok[i].in, strlen(parse_ok[i].in)) != 0) {
            fail_msg("case %zu rejected: \"%s\"", i, parse_ok[i].in);
        }
        if (!same(&got, &want)) {
            fail_msg("case %zu \"%s\": wrong address (len %d)", i,
                     parse_ok[i].in, got.len);
        }
    }
}

static void test_ipaddr__parse_rejects_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof parse_bad / sizeof *parse_bad; i++) {
        struct ip_addr got;

        if (ip_parse(&got, parse_bad[i], strlen(parse_bad[i])) != -1) {
            fail_msg("case %zu accepted: \"%s\"", i, parse_bad[i]);
        }
    }
}

static void test_ipaddr__parse_mapped_is_four_bytes(void **state)
{
    struct ip_addr a;
    const uint8_t want[4] = {192, 0, 2, 33};
    (void)state;

    assert_int_equal(ip_parse(&a, "::ffff:192.0.2.33", 17), 0);
    assert_int_equal(a.len, 4);
    assert_memory_equal(a.bytes, want, 4);
}

/* What lies past len is not part of the address; a NUL inside is. */
static void test_ipaddr__parse_stops_at_len(void **state)
{
    const char s[] = "10.1.2.345";
    const char nul[] = "10.1.2.3\0";
    struct ip_addr a, want = ref("10.1.2.34");
    (void)state;

    assert_int_equal(ip_parse(&a, s, 9), 0);
    assert_true(same(&a, &want));
    assert_int_equal(ip_parse(&a, s, 7), -1); /* "10.1.2." */
    assert_int_equal(ip_parse(&a, nul, sizeof nul - 1), -1);
    assert_int_equal(ip_parse(&a, "[::1]:80", 5), 0); /* "[::1]" */
    assert_int_equal(ip_parse(&a, "[::1]:80", 4), -1);
}

/* ---- ip_from_sockaddr --------------------------------------------------- */

static void test_ipaddr__from_sockaddr_v4(void **state)
{
    struct sockaddr_in sin;
    struct ip_addr a, want = ref("203.0.113.9");
    (void)state;

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(443);
    assert_int_equal(inet_pton(AF_INET, "203.0.113.9", &sin.sin_addr), 1);
    assert_int_equal(ip_from_sockaddr(&a, (struct sockaddr *)&sin), 0);
    assert_true(same(&a, &want));
}

static void test_ipaddr__from_sockaddr_v6(void **state)
{
    struct sockaddr_in6 sin6;
    struct ip_addr a, want = ref("2001:db8::42");
    (void)state;

    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_scope_id = 3;
    assert_int_equal(inet_pton(AF_INET6, "2001:db8::42", &sin6.sin6_addr), 1);
    assert_int_equal(ip_from_sockaddr(&a, (struct sockaddr *)&sin6), 0);
    assert_true(same(&a, &want));
}

/* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d. */
static void test_ipaddr__from_sockaddr_mapped(void **state)
{
    struct sockaddr_in6 sin6;
    struct ip_addr a, want = ref("198.51.100.7");
    (void)state;

    memset(&sin6, 0, sizeof sin6);
    sin6.sin6_family = AF_INET6;
    assert_int_equal(
        inet_pton(AF_INET6, "::ffff:198.51.100.7", &sin6.sin6_addr), 1);
    assert_int_equal(ip_from_sockaddr(&a, (struct sockaddr *)&sin6), 0);
    assert_int_equal(a.len, 4);
    assert_true(same(&a, &want));
}

static void test_ipaddr__from_sockaddr_other_family(void **state)
{
    struct sockaddr_un sun;
    struct ip_addr a;
    (void)state;

    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    assert_int_equal(ip_from_sockaddr(&a, (struct sockaddr *)&sun), -1);
    assert_int_equal(a.len, 0);
    assert_int_equal(ip_from_sockaddr(&a, NULL), -1);
    assert_int_equal(a.len, 0);
}

/* ---- cidr_list_parse ---------------------------------------------------- */

struct cidr_case {
    const char *in;
    int n;
    const char *net0; /* first entry's network, reference text */
    int bits0;
};

static const struct cidr_case cidr_ok[] = {
    {"", 0, NULL, 0},
    {"   ", 0, NULL, 0},
    {" \t ", 0, NULL, 0},
    {"10.0.0.0/8", 1, "10.0.0.0", 8},
    {"192.168.1.7", 1, "192.168.1.7", 32},
    {"::1", 1, "::1", 128},
    {"::1/128", 1, "::1", 128},
    {"2001:db8::/32", 1, "2001:db8::", 32},
    {"0.0.0.0/0", 1, "0.0.0.0", 0},
    {"::/0", 1, "::", 0},
    {"10.0.0.0/8, 192.168.1.7, ::1/128, 2001:db8::/32", 4, "10.0.0.0", 8},
    {"10.0.0.0/8,192.168.0.0/16", 2, "10.0.0.0", 8},
    {"10.0.0.0/8 192.168.0.0/16", 2, "10.0.0.0", 8},
    {"10.0.0.0/8 ,\t192.168.0.0/16", 2, "10.0.0.0", 8},
    {"  10.0.0.0/8  ", 1, "10.0.0.0", 8},
    {"17.0.0.0/8", 1, "17.0.0.0", 8},
    {"172.16.0.0/12", 1, "172.16.0.0", 12},
    {"10.1.2.3/32", 1, "10.1.2.3", 32},
    {"10.0.0.0/08", 1, "10.0.0.0", 8},
    {"10.0.0.0/7", 1, "10.0.0.0", 7},
    {"fd00::/8", 1, "fd00::", 8},
    {"2001:db8::1/128", 1, "2001:db8::1", 128},
    {"2001:db8:0:0:8000::/65", 1, "2001:db8:0:0:8000::", 65},
    /* IPv4-mapped networks are IPv4 networks. */
    {"::ffff:10.0.0.0/104", 1, "10.0.0.0", 8},
    {"::ffff:10.1.2.3", 1, "10.1.2.3", 32},
    {"::ffff:0.0.0.0/96", 1, "0.0.0.0", 0},
};

static const char *const cidr_bad[] = {
    "10.0.0.1/8",
    "11.0.0.0/7",
    "192.168.1.1/24",
    "2001:db8::1/32",
    "::1/127",
    "10.0.0.0/33",
    "::/129",
    "10.0.0.0/",
    "10.0.0.0/-1",
    "10.0.0.0/+8",
    "10.0.0.0/8x",
    "10.0.0.0/1000",
    "10.0.0.0/8/8",
    "/8",
    "10.0.0/8",
    "10.0.0.0.0/8",
    "010.0.0.0/8",
    "256.0.0.0/8",
    "example.com",
    "localhost/32",
    "[::1]",
    "[::1]/128",
    "1.2.3.4:80",
    "fe80::%eth0/64",
    "::ffff:10.0.0.0/95",
    "::ffff:0.0.0.0/0",
    ",",
    "10.0.0.0/8,",
    ",10.0.0.0/8",
    "10.0.0.0/8,,192.168.0.0/16",
    "10.0.0.0/8 , , 192.168.0.0/16",
    "10.0.0.0/8;192.168.0.0/16",
    "10.0.0.0/8\n",
};

static void test_ipaddr__cidr_parse_accepts_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof cidr_ok / sizeof *cidr_ok; i++) {
        struct cidr_list l;
        char err[128];

        if (cidr_list_parse(&l, cidr_ok[i].in, err, sizeof err) != 0) {
            fail_msg("case %zu rejected: \"%s\": %s", i, cidr_ok[i].in, err);
        }
        assert_int_equal(l.n, cidr_ok[i].n);
        if (cidr_ok[i].net0 != NULL) {
            struct ip_addr want = ref(cidr_ok[i].net0);

            if (!same(&l.item[0].net, &want) ||
                l.item[0].bits != cidr_ok[i].bits0) {
                fail_msg("case %zu \"%s\": wrong first network", i,
                         cidr_ok[i].in);
            }
        }
    }
}

static void test_ipaddr__cidr_parse_rejects_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof cidr_bad / sizeof *cidr_bad; i++) {
        struct cidr_list l;
        char err[128] = "";

        if (cidr_list_parse(&l, cidr_bad[i], err, sizeof err) != -1) {
            fail_msg("case %zu accepted: \"%s\"", i, cidr_bad[i]);
        }
        if (err[0] == '\0') {
            fail_msg("case %zu \"%s\": no error message", i, cidr_bad[i]);
        }
    }
}

static void test_ipaddr__cidr_parse_error_names_entry(void **state)
{
    struct cidr_list l;
    char err[128];
    (void)state;

    assert_int_equal(
        cidr_list_parse(&l, "10.0.0.0/8, 10.0.0.1/8", err, sizeof err), -1);
    assert_non_null(strstr(err, "\"10.0.0.1/8\""));
    assert_non_null(strstr(err, "host bits"));
    assert_int_equal(cidr_list_parse(&l, "10.0.0.0/33", err, sizeof err), -1);
    assert_non_null(strstr(err, "10.0.0.0/33"));
    assert_int_equal(cidr_list_parse(&l, "::/129", err, sizeof err), -1);
    assert_non_null(strstr(err, "::/129"));
}

/* A failed parse leaves the old list in place (configuration reloads). */
static void test_ipaddr__cidr_parse_error_keeps_list(void **state)
{
    struct cidr_list l;
    char err[128];
    (void)state;

    assert_int_equal(cidr_list_parse(&l, "10.0.0.0/8, ::1", err, sizeof err),
                     0);
    assert_int_equal(cidr_list_parse(&l, "1.2.3.4, nope", err, sizeof err),
                     -1);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.item[0].bits, 8);
}

static void test_ipaddr__cidr_parse_at_most_max_entries(void **state)
{
    char s[CIDR_LIST_MAX * 16 + 32], err[128];
    struct cidr_list l;
    size_t o = 0;
    (void)state;

    for (int i = 0; i < CIDR_LIST_MAX; i++) {
        o += (size_t)snprintf(s + o, sizeof s - o, "%s10.0.%d.0/24",
                              i > 0 ? ", " : "", i);
    }
    assert_int_equal(cidr_list_parse(&l, s, err, sizeof err), 0);
    assert_int_equal(l.n, CIDR_LIST_MAX);
    snprintf(s + o, sizeof s - o, ", 10.1.0.0/16");
    assert_int_equal(cidr_list_parse(&l, s, err, sizeof err), -1);
    assert_non_null(strstr(err, "10.1.0.0/16"));
    assert_non_null(strstr(err, "more than"));
}

/* A long bad entry is cut in the message, and a small err is respected. */
static void test_ipaddr__cidr_parse_error_bounded(void **state)
{
    char s[512], err[128], tiny[8];
    struct cidr_list l;
    (void)state;

    memset(s, 'x', sizeof s - 1);
    s[sizeof s - 1] = '\0';
    assert_int_equal(cidr_list_parse(&l, s, err, sizeof err), -1);
    assert_true(strlen(err) < sizeof err);
    assert_int_equal(cidr_list_parse(&l, "nope", tiny, sizeof tiny), -1);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
}

/* ---- cidr_list_match ---------------------------------------------------- */

struct match_case {
    const char *list, *addr;
    int want;
};

static const struct match_case match_table[] = {
    {"10.0.0.0/8", "10.0.0.0", 1},
    {"10.0.0.0/8", "10.255.255.255", 1},
    {"10.0.0.0/8", "9.255.255.255", 0},
    {"10.0.0.0/8", "11.0.0.0", 0},
    {"172.16.0.0/12", "172.16.0.0", 1},
    {"172.16.0.0/12", "172.31.255.255", 1},
    {"172.16.0.0/12", "172.32.0.0", 0},
    {"172.16.0.0/12", "172.15.255.255", 0},
    {"192.168.1.7", "192.168.1.7", 1},
    {"192.168.1.7", "192.168.1.6", 0},
    {"192.168.1.7", "192.168.1.8", 0},
    {"192.168.1.128/25", "192.168.1.128", 1},
    {"192.168.1.128/25", "192.168.1.255", 1},
    {"192.168.1.128/25", "192.168.1.127", 0},
    {"0.0.0.0/0", "0.0.0.0", 1},
    {"0.0.0.0/0", "255.255.255.255", 1},
    {"0.0.0.0/0", "::1", 0},
    {"::/0", "::", 1},
    {"::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1},
    {"::/0", "1.2.3.4", 0},
    {"::/0", "::ffff:1.2.3.4", 0}, /* mapped: an IPv4 address */
    {"::1", "::1", 1},
    {"::1", "::2", 0},
    {"::1", "::", 0},
    {"2001:db8::/32", "2001:db8::", 1},
    {"2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 1},
    {"2001:db8::/32", "2001:db9::", 0},
    {"2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", 0},
    {"2001:db8::/33", "2001:db8:7fff::1", 1},
    {"2001:db8::/33", "2001:db8:8000::", 0},
    {"fe80::/10", "febf::1", 1},
    {"fe80::/10", "fec0::1", 0},
    {"2001:db8::8000:0:0:0/65", "2001:db8::8000:0:0:1", 1},
    {"2001:db8::8000:0:0:0/65", "2001:db8::7fff:0:0:1", 0},
    /* v4 networks never match v6 addresses and the other way round. */
    {"0.0.0.0/0", "::ffff:0:0:0", 0},
    {"1.2.3.4", "::102:304", 0},
    {"::102:304", "1.2.3.4", 0},
    /* Mapped networks and addresses are IPv4. */
    {"::ffff:10.0.0.0/104", "10.9.9.9", 1},
    {"10.0.0.0/8", "::ffff:10.9.9.9", 1},
    {"::ffff:10.0.0.0/104", "::ffff:11.0.0.0", 0},
    {"17.0.0.0/8", "17.58.100.1", 1},
    {"", "1.2.3.4", 0},
    {"", "::1", 0},
    {"10.0.0.0/8, ::1, 192.168.0.0/16", "192.168.44.1", 1},
    {"10.0.0.0/8, ::1, 192.168.0.0/16", "::1", 1},
    {"10.0.0.0/8, ::1, 192.168.0.0/16", "172.16.0.1", 0},
};

static void test_ipaddr__cidr_match_table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof match_table / sizeof *match_table; i++) {
        const struct match_case *c = &match_table[i];
        struct cidr_list l;
        struct ip_addr a;
        char err[128];

        if (cidr_list_parse(&l, c->list, err, sizeof err) != 0) {
            fail_msg("case %zu: list \"%s\": %s", i, c->list, err);
        }
        if (ip_parse(&a, c->addr, strlen(c->addr)) != 0) {
            fail_msg("case %zu: address \"%s\"", i, c->addr);
        }
        if (cidr_list_match(&l, &a) != c->want) {
            fail_msg("case %zu: %s in \"%s\" should be %d", i, c->addr,
                     c->list, c->want);
        }
    }
}

static void test_ipaddr__cidr_match_no_address(void **state)
{
    struct cidr_list l;
    struct ip_addr none;
    char err[128];
    (void)state;

    memset(&none, 0, sizeof none);
    assert_int_equal(cidr_list_parse(&l, "0.0.0.0/0, ::/0", err, sizeof err),
                     0);
    assert_int_equal(cidr_list_match(&l, &none), 0);
    assert_int_equal(cidr_list_match(&l, NULL), 0);
    assert_int_equal(cidr_list_match(NULL, &none), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipaddr__parse_accepts_table),
        cmocka_unit_test(test_ipaddr__parse_rejects_table),
        cmocka_unit_test(test_ipaddr__parse_mapped_is_four_bytes),
        cmocka_unit_test(test_ipaddr__parse_stops_at_len),
        cmocka_unit_test(test_ipaddr__from_sockaddr_v4),
        cmocka_unit_test(test_ipaddr__from_sockaddr_v6),
        cmocka_unit_test(test_ipaddr__from_sockaddr_mapped),
        cmocka_unit_test(test_ipaddr__from_sockaddr_other_family),
        cmocka_unit_test(test_ipaddr__cidr_parse_accepts_table),
        cmocka_unit_test(test_ipaddr__cidr_parse_rejects_table),
        cmocka_unit_test(test_ipaddr__cidr_parse_error_names_entry),
        cmocka_unit_test(test_ipaddr__cidr_parse_error_keeps_list),
        cmocka_unit_test(test_ipaddr__cidr_parse_at_most_max_entries),
        cmocka_unit_test(test_ipaddr__cidr_parse_error_bounded),
        cmocka_unit_test(test_ipaddr__cidr_match_table),
        cmocka_unit_test(test_ipaddr__cidr_match_no_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
