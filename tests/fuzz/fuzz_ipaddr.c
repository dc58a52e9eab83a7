/*
 * fuzz_ipaddr.c: ip_parse, cidr_list_parse / cidr_list_match and
 * xff_client with arbitrary input.
 *
 * Invariants: ip_parse agrees with a reference built on glibc's inet_pton
 * (same accept/reject, same bytes), and what it returns prints and parses
 * back to itself; a parsed CIDR list has host bits clear, matches its own
 * networks' first and last addresses and not the addresses just outside,
 * and prints and parses back to itself; xff_client agrees with a plain
 * re-implementation that collects every entry first.
 */
// FUZZ_SOURCES: proto/*.c
// FUZZ_SEED: 1.2.3.4:5678
// FUZZ_SEED:  [2001:db8::1]:443 \t
// FUZZ_SEED: ::ffff:192.0.2.1
// FUZZ_SEED: 10.0.0.0/8, 192.168.1.7 ::1/128,2001:db8::/32
// FUZZ_SEED: 203.0.113.7, 10.0.0.2\n[fd00::1]:80, , 192.168.0.1
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ipaddr.h"
#include "proto/xff.h"
#include "tests/fuzz/fuzz_check.h"

static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

static int port_ok(const char *s, size_t n)
{
    unsigned long v = 0;

    if (n == 0 || n > 5) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    return v <= 65535;
}

/* inet_pton on s[0..n), as an ip_addr (mapped addresses as IPv4). */
static int pton(int af, const char *s, size_t n, struct ip_addr *out)
{
    char buf[128];
    uint8_t b[16];

    if (n >= sizeof buf || memchr(s, '\0', n) != NULL) {
        return -1;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (inet_pton(af, buf, b) != 1) {
        return -1;
    }
    memset(out, 0, sizeof *out);
    if (af == AF_INET) {
        out->len = 4;
        memcpy(out->bytes, b, 4);
    } else if (memcmp(b, mapped, 12) == 0) {
        out->len = 4;
        memcpy(out->bytes, b + 12, 4);
    } else {
        out->len = 16;
        memcpy(out->bytes, b, 16);
    }
    return 0;
}

/* The accepted shapes, with libc parsing the address itself. */
static int ref_parse(const char *s, size_t n, struct ip_addr *out)
{
    size_t colons = 0, last = 0;

    while (n > 0 && blank(s[0])) {
        s++;
        n--;
    }
    while (n > 0 && blank(s[n - 1])) {
        n--;
    }
    if (n == 0) {
        return -1;
    }
    if (s[0] == '[') {
        const char *e = memchr(s, ']', n);
        size_t in, rest;

        if (e == NULL) {
            return -1;
        }
        in = (size_t)(e - s) - 1;
        rest = n - in - 2;
        if (rest > 0 && (e[1] != ':' || !port_ok(e + 2, rest - 1))) {
            return -1;
        }
        /* Brackets hold IPv6 text only, even when it maps IPv4. */
        return memchr(s + 1, ':', in) != NULL
                   ? pton(AF_INET6, s + 1, in, out)
                   : -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ':') {
            colons++;
            last = i;
        }
    }
    if (colons >= 2) {
        return pton(AF_INET6, s, n, out);
    }
    if (colons == 1) {
        if (!port_ok(s + last + 1, n - last - 1)) {
            return -1;
        }
        n = last;
    }
    return pton(AF_INET, s, n, out);
}

static int same(const struct ip_addr *a, const struct ip_addr *b)
{
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static void fuzz_ip(const char *s, size_t size)
{
    struct ip_addr a, r, again;
    char text[INET6_ADDRSTRLEN];
    int ok = ip_parse(&a, s, size) == 0;

    CHECK(ok == (ref_parse(s, size, &r) == 0));
    if (!ok) {
        return;
    }
    CHECK(same(&a, &r));
    CHECK(a.len == 4 || a.len == 16);
    CHECK(a.len == 4 || memcmp(a.bytes, mapped, 12) != 0);
    CHECK(inet_ntop(a.len == 4 ? AF_INET : AF_INET6, a.bytes, text,
                    sizeof text) != NULL);
    CHECK(ip_parse(&again, text, strlen(text)) == 0);
    CHECK(same(&a, &again));
}

/* a with bit `bit` (0: most significant) flipped. */
static struct ip_addr flip(const struct ip_addr *a, unsigned bit)
{
    struct ip_addr b = *a;

    b.bytes[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
    return b;
}

static void fuzz_cidr(const char *s, size_t size)
{
    char buf[4096], text[64 * 48] = "", err[128];
    struct cidr_list l, again;
    size_t o = 0;

    if (size >= sizeof buf) {
        return;
    }
    memcpy(buf, s, size);
    buf[size] = '\0';
    if (cidr_list_parse(&l, buf, err, sizeof err) != 0) {
        CHECK(strlen(err) < sizeof err && err[0] != '\0');
        return;
    }
    CHECK(l.n >= 0 && l.n <= CIDR_LIST_MAX);
    for (int i = 0; i < l.n; i++) {
        const struct cidr *c = &l.item[i];
        unsigned max = c->net.len * 8u;
        struct cidr_list one;
        struct ip_addr last = c->net;
        char addr[INET6_ADDRSTRLEN];

        CHECK(c->net.len == 4 || c->net.len == 16);
        CHECK(c->bits <= max);
        CHECK(c->net.len == 4 || memcmp(c->net.bytes, mapped, 12) != 0);
        for (unsigned b = c->bits; b < max; b++) {
            CHECK((c->net.bytes[b / 8] & (0x80 >> (b % 8))) == 0);
            last.bytes[b / 8] |= (uint8_t)(0x80 >> (b % 8));
        }
        one.n = 1;
        one.item[0] = *c;
        CHECK(cidr_list_match(&one, &c->net) == 1);
        CHECK(cidr_list_match(&one, &last) == 1);
        CHECK(cidr_list_match(&l, &last) == 1);
        if (c->bits > 0) {
            struct ip_addr out = flip(&c->net, c->bits - 1u);
            struct ip_addr out2 = flip(&last, c->bits - 1u);

            CHECK(cidr_list_match(&one, &out) == 0);
            CHECK(cidr_list_match(&one, &out2) == 0);
        }
        CHECK(inet_ntop(c->net.len == 4 ? AF_INET : AF_INET6, c->net.bytes,
                        addr, sizeof addr) != NULL);
        o += (size_t)snprintf(text + o, sizeof text - o, "%s%s/%u",
                              i > 0 ? ", " : "", addr, c->bits);
    }
    CHECK(o < sizeof text);
    CHECK(cidr_list_parse(&again, text, err, sizeof err) == 0);
    CHECK(again.n == l.n);
    for (int i = 0; i < l.n; i++) {
        CHECK(same(&again.item[i].net, &l.item[i].net));
        CHECK(again.item[i].bits == l.item[i].bits);
    }
}

/* xff_client said another way: every entry of every line, in order,
 * then the first untrusted one from the right. */
static int ref_xff(const struct span *v, int n, const struct cidr_list *t,
                   struct ip_addr *out)
{
    static struct span ent[16384];
    int k = 0;

    for (int i = 0; i < n; i++) {
        size_t start = 0;

        for (size_t j = 0; j <= v[i].len; j++) {
            if (j == v[i].len || v[i].p[j] == ',') {
                ent[k++] = span_make(v[i].p + start, j - start);
                start = j + 1;
            }
        }
    }
    while (k-- > 0) {
        struct ip_addr a;
        size_t m = 0;

        while (m < ent[k].len && blank(ent[k].p[m])) {
            m++;
        }
        if (m == ent[k].len) {
            continue;
        }
        if (ip_parse(&a, ent[k].p, ent[k].len) != 0) {
            return -1;
        }
        if (!cidr_list_match(t, &a)) {
            *out = a;
            return 0;
        }
    }
    return -1;
}

static void fuzz_xff(const char *s, size_t size)
{
    static const char *const lists[] = {
        "",
        "10.0.0.0/8, 192.168.0.0/16, fd00::/8, ::1",
        "0.0.0.0/0, ::/0",
    };
    struct span v[4];
    int n = 0;
    size_t start = 0;

    if (size > 16000) {
        return; /* ref_xff's entry table */
    }

    /* Lines split at '\n', at most four; the rest stays in the last. */
    for (size_t i = 0; i <= size && n < 4; i++) {
        if (i == size || (s[i] == '\n' && n < 3)) {
            v[n++] = span_make(s + start, i - start);
            start = i + 1;
        }
    }
    for (size_t k = 0; k < sizeof lists / sizeof *lists; k++) {
        struct cidr_list t;
        struct ip_addr a, b;
        char err[128];
        int r;

        CHECK(cidr_list_parse(&t, lists[k], err, sizeof err) == 0);
        r = xff_client(v, n, &t, &a);
        CHECK(r == ref_xff(v, n, &t, &b));
        if (r == 0) {
            CHECK(same(&a, &b));
            CHECK(!cidr_list_match(&t, &a));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;

    fuzz_ip(s, size);
    fuzz_cidr(s, size);
    fuzz_xff(s, size);
    return 0;
}
