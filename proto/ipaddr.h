/*
 * ipaddr.h: client addresses as bytes (never as text beyond parsing), and
 * CIDR lists to match them against (SPEC 3: trusted_proxies,
 * mail_proxy_cidrs).
 */
#ifndef BEACON_IPADDR_H
#define BEACON_IPADDR_H

#include <stddef.h>
#include <stdint.h>

struct sockaddr;

/* An IPv4 (len 4) or IPv6 (len 16) address. An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is stored as the IPv4 address it maps. */
struct ip_addr {
    uint8_t len; /* 4 or 16; 0: none */
    uint8_t bytes[16];
};

/*
 * Parses an address as it appears in X-Forwarded-For: "1.2.3.4",
 * "1.2.3.4:5678", "2001:db8::1", "[2001:db8::1]", "[2001:db8::1]:443";
 * surrounding spaces and tabs are ignored. No names, no zone ids, no
 * leading zeros in IPv4 octets. The address syntax is inet_pton's ("::"
 * and "::1.2.3.4" included); a port is 0-65535 and needs brackets around
 * IPv6; brackets hold IPv6 only. Reads s[0..len) only. Returns 0, or -1
 * when s is not one.
 */
int ip_parse(struct ip_addr *out, const char *s, size_t len);

/* The address of a socket peer (AF_INET or AF_INET6). Returns 0 or -1. */
int ip_from_sockaddr(struct ip_addr *out, const struct sockaddr *sa);

#define CIDR_LIST_MAX 64

struct cidr {
    struct ip_addr net; /* host bits zero */
    uint8_t bits;       /* prefix length: <= 32 for IPv4, <= 128 for IPv6 */
};

struct cidr_list {
    struct cidr item[CIDR_LIST_MAX];
    int n;
};

/*
 * Parses "10.0.0.0/8, 192.168.1.7, ::1/128, 2001:db8::/32" (comma and/or
 * space separated; a bare address is a /32 or /128; empty: an empty list).
 * Host bits set below the prefix are an error ("10.0.0.1/8"), as are more
 * than CIDR_LIST_MAX entries, an empty entry (",," or a comma at either
 * end), brackets and ports. An IPv4-mapped network of /96 or longer
 * ("::ffff:10.0.0.0/104") is stored as the IPv4 network it maps (10.0.0.0/8).
 * Returns 0, or -1 with err naming the entry and *out left unchanged.
 */
int cidr_list_parse(struct cidr_list *out, const char *s, char *err,
                    size_t errlen);

/* 1 when a lies in any network of l (an IPv4 address never matches an
 * IPv6 network and the other way round), else 0; 0 for a NULL list or an
 * address of len 0. */
int cidr_list_match(const struct cidr_list *l, const struct ip_addr *a);

#endif
