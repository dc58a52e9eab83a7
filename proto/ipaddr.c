/*
 * ipaddr.c: parse client addresses (X-Forwarded-For entries, socket peers)
 * into bytes, and CIDR lists to test them against.
 *
 * The text parsers are written out here rather than calling inet_pton:
 * entries arrive as (buf, len) views into a request buffer, with optional
 * brackets and ports around them, and copying each into a NUL-terminated
 * buffer just to call libc would cost more than parsing. The accepted
 * syntax is that of glibc's inet_pton (dotted quads without leading zeros,
 * RFC 4291 text for IPv6, no zone ids); the fuzz target checks that.
 */
#include "proto/ipaddr.h"
#include "proto/ascii.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t ip_mapped_prefix[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xff, 0xff};

static int ip_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int ip_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Exactly a dotted quad: four decimal octets, each 0-255, no leading
 * zeros (inet_aton would read "010" as octal 8: refuse the ambiguity). */
static int ip_parse_v4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;

    for (int k = 0; k < 4; k++) {
        size_t start;
        unsigned v = 0;

        if (k > 0) {
            if (i >= len || s[i] != '.') {
                return -1;
            }
            i++;
        }
        start = i;
        while (i < len && i - start < 3 && ip_is_digit((unsigned char)s[i])) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
        }
        if (i == start || v > 255 || (i - start > 1 && s[start] == '0')) {
            return -1;
        }
        out[k] = (uint8_t)v;
    }
    return i == len ? 0 : -1;
}

/*
 * RFC 4291 section 2.2 text: eight groups of 1-4 hex digits, one "::"
 * standing for one or more zero groups, optionally a dotted quad as the
 * last 32 bits. No zone id ("%eth0"): it names an interface of the host
 * that wrote it, which means nothing here.
 */
static int ip_parse_v6(const char *s, size_t len, uint8_t out[16])
{
    uint8_t b[16] = {0};
    size_t i = 0, o = 0, gap = 0;
    int have_gap = 0;

    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        have_gap = 1;
        i = 2;
    } else if (len >= 1 && s[0] == ':') {
        return -1;
    }
    while (i < len) {
        size_t start = i;
        unsigned v = 0;
        int h;

        while (i < len && i - start < 4 &&
               (h = ascii_hex_value((unsigned char)s[i])) >= 0) {
            v = v * 16 + (unsigned)h;
            i++;
        }
        if (i == start) {
            return -1;
        }
        if (i < len && s[i] == '.') {
            /* The dotted quad ends the address. */
            if (o > 12 || ip_parse_v4(s + start, len - start, b + o) != 0) {
                return -1;
            }
            o += 4;
            break;
        }
        if (o > 14) {
            return -1;
        }
        b[o++] = (uint8_t)(v >> 8);
        b[o++] = (uint8_t)(v & 0xff);
        if (i == len) {
            break;
        }
        if (s[i] != ':') {
            return -1;
        }
        i++;
        if (i < len && s[i] == ':') {
            if (have_gap) {
                return -1;
            }
            have_gap = 1;
            gap = o;
            i++;
        } else if (i == len) {
            return -1; /* a trailing single ':' */
        }
    }
    if (have_gap) {
        if (o == 16) {
            return -1; /* "::" must stand for at least one group */
        }
        memmove(b + 16 - (o - gap), b + gap, o - gap);
        memset(b + gap, 0, 16 - o);
    } else if (o != 16) {
        return -1;
    }
    memcpy(out, b, 16);
    return 0;
}

/* A TCP port after ':': 1-5 digits, at most 65535. */
static int ip_port_valid(const char *s, size_t len)
{
    unsigned long v = 0;

    if (len == 0 || len > 5) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (!ip_is_digit((unsigned char)s[i])) {
            return 0;
        }
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    return v <= 65535;
}

/* Store 16 bytes, or the IPv4 address they map: a dual-stack socket and
 * some proxies write IPv4 clients as ::ffff:a.b.c.d, and the same client
 * must give the same visitor and match the same IPv4 CIDRs either way. */
static void ip_set_v6(struct ip_addr *out, const uint8_t b[16])
{
    memset(out, 0, sizeof *out);
    if (memcmp(b, ip_mapped_prefix, sizeof ip_mapped_prefix) == 0) {
        out->len = 4;
        memcpy(out->bytes, b + 12, 4);
    } else {
        out->len = 16;
        memcpy(out->bytes, b, 16);
    }
}

static void ip_set_v4(struct ip_addr *out, const uint8_t b[4])
{
    memset(out, 0, sizeof *out);
    out->len = 4;
    memcpy(out->bytes, b, 4);
}

/*
 * The shapes, told apart by brackets and the number of colons:
 *   "[" v6 "]" [ ":" port ]     v4 [ ":" port ]     v6 (two or more ':')
 */
int ip_parse(struct ip_addr *out, const char *s, size_t len)
{
    uint8_t b[16];
    size_t colons = 0, last_colon = 0;

    while (len > 0 && ip_is_blank(s[0])) {
        s++;
        len--;
    }
    while (len > 0 && ip_is_blank(s[len - 1])) {
        len--;
    }
    if (len == 0) {
        return -1;
    }
    if (s[0] == '[') {
        const char *end = memchr(s, ']', len);
        size_t in_len, rest;

        if (end == NULL) {
            return -1;
        }
        in_len = (size_t)(end - s) - 1;
        rest = len - in_len - 2;
        if (ip_parse_v6(s + 1, in_len, b) != 0) {
            return -1;
        }
        if (rest > 0 && (end[1] != ':' || !ip_port_valid(end + 2, rest - 1))) {
            return -1;
        }
        ip_set_v6(out, b);
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ':') {
            colons++;
            last_colon = i;
        }
    }
    if (colons >= 2) {
        if (ip_parse_v6(s, len, b) != 0) {
            return -1;
        }
        ip_set_v6(out, b);
        return 0;
    }
    if (colons == 1) {
        if (!ip_port_valid(s + last_colon + 1, len - last_colon - 1)) {
            return -1;
        }
        len = last_colon;
    }
    if (ip_parse_v4(s, len, b) != 0) {
        return -1;
    }
    ip_set_v4(out, b);
    return 0;
}

int ip_from_sockaddr(struct ip_addr *out, const struct sockaddr *sa)
{
    memset(out, 0, sizeof *out);
    if (sa == NULL) {
        return -1;
    }
    if (sa->sa_family == AF_INET) {
        struct sockaddr_in sin;

        /* Copy out: the caller's storage need not be aligned for it. */
        memcpy(&sin, sa, sizeof sin);
        ip_set_v4(out, (const uint8_t *)&sin.sin_addr);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        struct sockaddr_in6 sin6;

        memcpy(&sin6, sa, sizeof sin6);
        ip_set_v6(out, sin6.sin6_addr.s6_addr);
        return 0;
    }
    return -1;
}

/* ---- CIDR lists --------------------------------------------------------- */

static int cidr_is_sep(char c)
{
    return c == ',' || ip_is_blank(c);
}

/* 1 when the bits of b past the first `bits` are all zero. */
static int cidr_host_bits_zero(const uint8_t *b, size_t len, unsigned bits)
{
    for (size_t i = bits / 8; i < len; i++) {
        uint8_t mask = 0xff;

        if (i == bits / 8 && bits % 8 != 0) {
            mask = (uint8_t)(0xff >> (bits % 8));
        }
        if ((b[i] & mask) != 0) {
            return 0;
        }
    }
    return 1;
}

/*
 * One entry, "addr" or "addr/bits", without brackets or ports (this is
 * configuration, not a header). An IPv4-mapped network with a prefix of
 * at least /96 becomes the IPv4 network it maps, as addresses do.
 * Returns 0, or -1 with a reason.
 */
static int cidr_parse_one(struct cidr *c, const char *s, size_t len,
                          const char **why)
{
    const char *slash = memchr(s, '/', len);
    size_t alen = slash != NULL ? (size_t)(slash - s) : len;
    unsigned bits, max;
    uint8_t b[16];

    memset(c, 0, sizeof *c);
    if (memchr(s, ':', alen) != NULL) {
        if (ip_parse_v6(s, alen, b) != 0) {
            *why = "not an IPv6 address";
            return -1;
        }
        memcpy(c->net.bytes, b, 16);
        c->net.len = 16;
        max = 128;
    } else {
        if (ip_parse_v4(s, alen, b) != 0) {
            *why = "not an IPv4 address";
            return -1;
        }
        memcpy(c->net.bytes, b, 4);
        c->net.len = 4;
        max = 32;
    }
    bits = max;
    if (slash != NULL) {
        size_t n = len - alen - 1;

        if (n == 0 || n > 3) {
            *why = "bad prefix length";
            return -1;
        }
        bits = 0;
        for (size_t i = 0; i < n; i++) {
            if (!ip_is_digit((unsigned char)slash[1 + i])) {
                *why = "bad prefix length";
                return -1;
            }
            bits = bits * 10 + (unsigned)(slash[1 + i] - '0');
        }
        if (bits > max) {
            *why = max == 32 ? "prefix longer than /32"
                             : "prefix longer than /128";
            return -1;
        }
    }
    if (!cidr_host_bits_zero(c->net.bytes, c->net.len, bits)) {
        *why = "host bits set below the prefix";
        return -1;
    }
    if (c->net.len == 16 &&
        memcmp(c->net.bytes, ip_mapped_prefix, sizeof ip_mapped_prefix) ==
            0) {
        if (bits < 96) {
            *why = "IPv4-mapped network shorter than /96";
            return -1;
        }
        memmove(c->net.bytes, c->net.bytes + 12, 4);
        memset(c->net.bytes + 4, 0, 12);
        c->net.len = 4;
        bits -= 96;
    }
    c->bits = (uint8_t)bits;
    return 0;
}

/*
 * Entries are separated by a comma, blanks, or a comma with blanks around
 * it. Two commas in a row (or a comma at either end) leave an empty entry,
 * which is an error: it is a typo more often than not. On error *out is
 * left as it was, so a reload that fails keeps the old list.
 */
int cidr_list_parse(struct cidr_list *out, const char *s, char *err,
                    size_t errlen)
{
    struct cidr_list l;
    size_t i = 0, len = strlen(s);
    int commas = 0, first = 1;

    memset(&l, 0, sizeof l);
    for (;;) {
        size_t start;
        const char *why;

        /* One separator run: blanks with at most one comma in it. */
        commas = 0;
        while (i < len && cidr_is_sep(s[i])) {
            commas += s[i] == ',';
            i++;
        }
        if (commas > 1 || (commas == 1 && (first || i == len))) {
            snprintf(err, errlen, "empty entry in CIDR list");
            return -1;
        }
        if (i == len) {
            break;
        }
        start = i;
        while (i < len && !cidr_is_sep(s[i])) {
            i++;
        }
        if (l.n == CIDR_LIST_MAX) {
            snprintf(err, errlen, "\"%.*s\": more than %d entries in list",
                     (int)(i - start > 64 ? 64 : i - start), s + start,
                     CIDR_LIST_MAX);
            return -1;
        }
        if (cidr_parse_one(&l.item[l.n], s + start, i - start, &why) != 0) {
            snprintf(err, errlen, "\"%.*s\": %s",
                     (int)(i - start > 64 ? 64 : i - start), s + start, why);
            return -1;
        }
        l.n++;
        first = 0;
    }
    *out = l;
    return 0;
}

static int cidr_contains(const struct cidr *c, const struct ip_addr *a)
{
    size_t full = c->bits / 8;
    unsigned rest = c->bits % 8;

    if (c->net.len != a->len) {
        return 0;
    }
    if (memcmp(c->net.bytes, a->bytes, full) != 0) {
        return 0;
    }
    if (rest != 0) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));

        return (a->bytes[full] & mask) == c->net.bytes[full];
    }
    return 1;
}

int cidr_list_match(const struct cidr_list *l, const struct ip_addr *a)
{
    if (l == NULL || a == NULL || (a->len != 4 && a->len != 16)) {
        return 0;
    }
    for (int i = 0; i < l->n; i++) {
        if (cidr_contains(&l->item[i], a)) {
            return 1;
        }
    }
    return 0;
}
