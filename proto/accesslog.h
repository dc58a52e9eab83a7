/*
 * accesslog.h: one web-server access-log line in beacond's nginx format
 * (SPEC 2.7), the MSG of a syslog message (proto/syslog.h). Pure: views
 * into the line or the caller's scratch, no allocation, no I/O.
 *
 *   log_format beacon 'v1 $remote_addr "$request_method" "$request_uri" '
 *                     '$status "$http_referer" "$http_user_agent" '
 *                     '"$http_dnt" "$http_sec_gpc" '
 *                     '"$cookie_beacon_optout" "$host"';
 *
 *   v1 2001:db8::1 "GET" "/a?q=\x22x\x22" 200 "https://r.example/" ...
 *   |  addr        method uri             status referer
 *   version: exactly "v1"
 *   ... "Mozilla/5.0 (X11; ...)" "1" "-" "-" "www.example.com"
 *       user_agent               dnt gpc optout host
 *
 * Fields are separated by exactly one SP. nginx writes a variable it does
 * not have as "-" and (default escaping) writes '"', '\' and every byte
 * below 0x20 or from 0x7F as \xHH; no other byte is escaped and none of
 * those appears raw. Apache's mod_log_config writes the same fields with
 * \" \\ \b \n \r \t \v for some of those bytes: they are taken too (nginx
 * never writes a raw '\', so neither reading changes the other's).
 */
#ifndef BEACON_ACCESSLOG_H
#define BEACON_ACCESSLOG_H

#include <stddef.h>

#include "proto/ipaddr.h"
#include "proto/span.h"

/* Longer lines (not counting a trailing LF or CR LF) are refused. */
#define ACCESSLOG_MAX_LINE 8192

struct accesslog_line {
    struct ip_addr addr; /* $remote_addr, IPv4 or IPv6 (::ffff:a.b.c.d is
                            stored as IPv4, as ip_parse() does) */
    /* Unescaped values. "-" (nginx's "no such variable") and "" are
     * empty: len 0 and p pointing to a static "" (never NULL). */
    struct span method, uri, referer, user_agent, dnt, sec_gpc, optout, host;
    int status; /* 100-599 */
};

/*
 * Parses line[0..len) (no NUL needed; only those bytes are read), with one
 * trailing LF or CR LF ignored. Values with an escape are unescaped into
 * scratch[0..cap); the others point into line. The unescaped values never
 * take more bytes than the line, so cap >= len always suffices (scratch
 * may be NULL when cap is 0: lines with an escape are then refused).
 * Everything in *out stays valid as long as line and scratch do.
 *
 * $remote_addr is what ip_parse() takes, but without brackets, a port,
 * blanks or a zone id. $status is three digits, 100-599. Quoted fields
 * end at the first raw '"', which must be followed by SP (the end of the
 * line after the last field); a '\' must start \xHH (either case) or one
 * of Apache's escapes; a raw byte below 0x20 or from 0x7F is refused
 * (both servers escape those).
 *
 * Returns 0 with *out filled, or -1 with *why (when why is not NULL) set
 * to a static reason: "line too long", "unknown version", "missing field"
 * (the line ends early), "bad separator" (not exactly one SP), "bad
 * address", "bad status", "expected quote", "unterminated field", "bad
 * escape", "unescaped byte", "trailing bytes", "scratch too small". *out
 * is unspecified after -1.
 */
int accesslog_parse(const char *line, size_t len, struct accesslog_line *out,
                    char *scratch, size_t cap, const char **why);

/*
 * Whether the path of uri (a $request_uri: up to '?' or '#') ends in an
 * extension named in list (lower-case names, one SP between: the form of
 * the ingest_skip_ext setting). The extension is what follows the last
 * '.' of the last segment, compared without regard to case:
 * "/a/site.CSS?v=1" ends in "css"; "/a.css/" and "/.htaccess"'s
 * "htaccess" are compared as "" and "htaccess". Returns 1 or 0.
 */
int accesslog_ext_listed(struct span uri, const char *list);

#endif
