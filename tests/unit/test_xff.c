/*
 * test_xff.c: xff_client, the right-most untrusted X-Forwarded-For entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include "proto/xff.h"

#define TRUSTED "10.0.0.0/8, 192.168.0.0/16, fd00::/8, ::1"

struct xff_case {
    const char *trusted;
    const char *lines[4]; /* header lines, NULL-terminated */
    const char *want;     /* NULL: -1 expected */
};

static const struct xff_case cases[] = {
    /* one header line */
    {TRUSTED, {"203.0.113.7"}, "203.0.113.7"},
    {TRUSTED, {"203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
    {TRUSTED, {"203.0.113.7, 10.0.0.2, 192.168.1.1"}, "203.0.113.7"},
    /* spoofed entries left of the client are never looked at */
    {TRUSTED, {"1.1.1.1, 203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
    {TRUSTED, {"garbage, 203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
    {TRUSTED, {"evil.example, <script>, 203.0.113.7"}, "203.0.113.7"},
    {TRUSTED, {"10.0.0.9, 203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
    /* several lines are one list, in the order received */
    {TRUSTED, {"198.51.100.1", "203.0.113.7"}, "203.0.113.7"},
    {TRUSTED, {"198.51.100.1, 203.0.113.7", "10.0.0.2"}, "203.0.113.7"},
    {TRUSTED, {"203.0.113.7", "10.0.0.2", "192.168.0.9, 10.1.1.1"},
     "203.0.113.7"},
    {TRUSTED, {"1.1.1.1", "203.0.113.7, 10.0.0.2", "10.0.0.3"},
     "203.0.113.7"},
    /* every entry trusted: no client in the header */
    {TRUSTED, {"10.0.0.1"}, NULL},
    {TRUSTED, {"10.0.0.1, 192.168.3.3, ::1"}, NULL},
    {TRUSTED, {"10.0.0.1", "10.0.0.2"}, NULL},
    /* a garbage entry on the way: the header is not believed */
    {TRUSTED, {"203.0.113.7, unknown, 10.0.0.2"}, NULL},
    {TRUSTED, {"203.0.113.7, 10.0.0.2, garbage"}, NULL},
    {TRUSTED, {"203.0.113.7", "bad.host"}, NULL},
    {TRUSTED, {"203.0.113.7, 10.0.0.2; 10.0.0.3"}, NULL},
    {TRUSTED, {"203.0.113.7, 10.0.0.2 10.0.0.3"}, NULL},
    {TRUSTED, {"01.2.3.4"}, NULL},
    {TRUSTED, {"fe80::1%eth0"}, NULL},
    /* spaces and tabs around entries */
    {TRUSTED, {"  203.0.113.7  ,\t10.0.0.2\t"}, "203.0.113.7"},
    {TRUSTED, {"203.0.113.7,10.0.0.2"}, "203.0.113.7"},
    {TRUSTED, {" \t203.0.113.7"}, "203.0.113.7"},
    /* ports, IPv6, brackets */
    {TRUSTED, {"203.0.113.7:51234, 10.0.0.2:80"}, "203.0.113.7"},
    {TRUSTED, {"2001:db8::7, fd00::1"}, "2001:db8::7"},
    {TRUSTED, {"[2001:db8::7]:443, [fd00::1]"}, "2001:db8::7"},
    {TRUSTED, {"[2001:db8::7], [::1]:8080"}, "2001:db8::7"},
    {TRUSTED, {"203.0.113.7, [::1]:8080"}, "203.0.113.7"},
    {TRUSTED, {"::ffff:203.0.113.7, 10.0.0.2"}, "203.0.113.7"},
    /* mapped addresses are IPv4 ones, also when testing trust */
    {TRUSTED, {"203.0.113.7, ::ffff:10.0.0.2"}, "203.0.113.7"},
    {TRUSTED, {"[2001:db8::7"}, NULL},
    {TRUSTED, {"2001:db8::7]:443"}, NULL},
    /* empty values and empty entries carry nothing */
    {TRUSTED, {""}, NULL},
    {TRUSTED, {"   "}, NULL},
    {TRUSTED, {","}, NULL},
    {TRUSTED, {" , ,\t, "}, NULL},
    {TRUSTED, {"203.0.113.7", ""}, "203.0.113.7"},
    {TRUSTED, {"", "203.0.113.7", " "}, "203.0.113.7"},
    {TRUSTED, {"203.0.113.7,, 10.0.0.2,"}, "203.0.113.7"},
    {TRUSTED, {", 203.0.113.7"}, "203.0.113.7"},
    {TRUSTED, {"10.0.0.2, ,"}, NULL},
    /* no trusted proxies: the right-most entry is the client */
    {"", {"1.1.1.1, 203.0.113.7"}, "203.0.113.7"},
    {"", {"1.1.1.1, 10.0.0.2"}, "10.0.0.2"},
    {"", {"1.1.1.1", "198.51.100.9, ::1"}, "::1"},
    {"", {"garbage, 203.0.113.7"}, "203.0.113.7"},
    {"", {"203.0.113.7, garbage"}, NULL},
    {"", {"203.0.113.7, "}, "203.0.113.7"},
    /* everything trusted */
    {"0.0.0.0/0, ::/0", {"203.0.113.7, 2001:db8::1"}, NULL},
};

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

static void test_xff__table(void **state)
{
    (void)state;

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct xff_case *c = &cases[i];
        struct cidr_list trusted;
        struct span v[4];
        struct ip_addr got;
        char err[128];
        int n = 0, r;

        if (cidr_list_parse(&trusted, c->trusted, err, sizeof err) != 0) {
            fail_msg("case %zu: %s", i, err);
        }
        while (n < 4 && c->lines[n] != NULL) {
            v[n] = span_make(c->lines[n], strlen(c->lines[n]));
            n++;
        }
        memset(&got, 0xaa, sizeof got);
        r = xff_client(v, n, &trusted, &got);
        if (c->want == NULL) {
            if (r != -1) {
                fail_msg("case %zu (\"%s\"...): expected -1", i, c->lines[0]);
            }
            continue;
        }
        if (r != 0) {
            fail_msg("case %zu (\"%s\"...): got -1", i, c->lines[0]);
        }
        struct ip_addr want = ref(c->want);
        if (got.len != want.len ||
            memcmp(got.bytes, want.bytes, want.len) != 0) {
            fail_msg("case %zu (\"%s\"...): wrong address", i, c->lines[0]);
        }
    }
}

static void test_xff__no_lines(void **state)
{
    struct cidr_list trusted;
    struct ip_addr got;
    struct span v = SPAN_LIT("203.0.113.7");
    char err[128];
    (void)state;

    assert_int_equal(cidr_list_parse(&trusted, TRUSTED, err, sizeof err), 0);
    assert_int_equal(xff_client(NULL, 0, &trusted, &got), -1);
    assert_int_equal(xff_client(&v, 0, &trusted, &got), -1);
    assert_int_equal(xff_client(&v, -1, &trusted, &got), -1);
}

/* A NULL trusted list is an empty one. */
static void test_xff__null_trusted(void **state)
{
    struct span v = SPAN_LIT("10.0.0.1, 10.0.0.2");
    struct ip_addr got, want = ref("10.0.0.2");
    (void)state;

    assert_int_equal(xff_client(&v, 1, NULL, &got), 0);
    assert_memory_equal(&got.bytes, want.bytes, 4);
    assert_int_equal(got.len, 4);
}

/* Views into a larger buffer: nothing past len is read. */
static void test_xff__stops_at_len(void **state)
{
    const char buf[] = "203.0.113.7, 10.0.0.2garbage";
    struct cidr_list trusted;
    struct span v = span_make(buf, 21);
    struct ip_addr got, want = ref("203.0.113.7");
    char err[128];
    (void)state;

    assert_int_equal(cidr_list_parse(&trusted, TRUSTED, err, sizeof err), 0);
    assert_int_equal(xff_client(&v, 1, &trusted, &got), 0);
    assert_memory_equal(got.bytes, want.bytes, 4);
    v.len = 11; /* "203.0.113.7" */
    assert_int_equal(xff_client(&v, 1, &trusted, &got), 0);
    assert_memory_equal(got.bytes, want.bytes, 4);
    v.len = 10; /* "203.0.113." */
    assert_int_equal(xff_client(&v, 1, &trusted, &got), -1);
}

/* A long header from a chain of trusted proxies is walked to the end. */
static void test_xff__long_chain(void **state)
{
    char buf[8192];
    struct cidr_list trusted;
    struct span v;
    struct ip_addr got, want = ref("203.0.113.7");
    size_t o;
    char err[128];
    (void)state;

    assert_int_equal(cidr_list_parse(&trusted, TRUSTED, err, sizeof err), 0);
    o = (size_t)snprintf(buf, sizeof buf, "203.0.113.7");
    while (o + 16 < sizeof buf) {
        o += (size_t)snprintf(buf + o, sizeof buf - o, ", 10.0.0.1");
    }
    v = span_make(buf, o);
    assert_int_equal(xff_client(&v, 1, &trusted, &got), 0);
    assert_memory_equal(got.bytes, want.bytes, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xff__table),
        cmocka_unit_test(test_xff__no_lines),
        cmocka_unit_test(test_xff__null_trusted),
        cmocka_unit_test(test_xff__stops_at_len),
        cmocka_unit_test(test_xff__long_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
