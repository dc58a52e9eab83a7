/*
 * config_parse.c: the syntax of configuration values: numbers with units,
 * listen addresses, the Redis URL, CIDR lists and keys. Pure functions of
 * their input; config.c decides which key takes which syntax and bounds.
 */
#include "config/config_parse.h"
#include "proto/ascii.h"
#include "proto/ipaddr.h"
#include "proto/percent.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>


struct unit {
    const char *name;
    uint64_t mult;
};

static const struct unit size_units[] = {
    {"", 1},
    {"B", 1},
    {"KiB", 1ULL << 10},
    {"MiB", 1ULL << 20},
    {"GiB", 1ULL << 30},
    {NULL, 0},
};

static const struct unit duration_units[] = {
    {"ms", 1},
    {"s", 1000},
    {"m", 60 * 1000},
    {"h", 60 * 60 * 1000},
    {"d", 24 * 60 * 60 * 1000},
    {NULL, 0},
};

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_space(int c)
{
    return c == ' ' || c == '\t';
}

static int is_ident(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) ||
           c == '.' || c == '_' || c == '-';
}

/* The digits s[0..len) as a number; refuses anything else and overflow. */
static int parse_digits(const char *s, size_t len, uint64_t *out,
                        const char **why)
{
    uint64_t v = 0;

    if (len == 0) {
        *why = "expected a whole number";
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_digit((unsigned char)s[i])) {
            *why = "expected a whole number";
            return -1;
        }
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            *why = "number too large";
            return -1;
        }
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* A number followed by one of units; the suffix must match exactly. */
static int parse_with_unit(const char *s, const struct unit *units,
                           uint64_t *out, const char **why)
{
    size_t n = strspn(s, "0123456789");
    uint64_t v;

    if (n == 0 || s[n] == '.' || s[n] == ',') {
        *why = "expected a whole number";
        return -1;
    }
    if (parse_digits(s, n, &v, why) < 0) {
        return -1;
    }
    for (const struct unit *u = units; u->name != NULL; u++) {
        if (strcmp(s + n, u->name) == 0) {
            if (v > UINT64_MAX / u->mult) {
                *why = "number too large";
                return -1;
            }
            *out = v * u->mult;
            return 0;
        }
    }
    *why = NULL;
    return -1;
}

int config_parse_uint_why(const char *s, uint64_t *out, const char **why)
{
    return parse_digits(s, strlen(s), out, why);
}

int config_parse_size_why(const char *s, uint64_t *out, const char **why)
{
    if (parse_with_unit(s, size_units, out, why) < 0) {
        if (*why == NULL) {
            *why = "unknown unit: use B, KiB, MiB or GiB";
        }
        return -1;
    }
    return 0;
}

int config_parse_duration_ms_why(const char *s, uint64_t *out, const char **why)
{
    size_t n = strspn(s, "0123456789");

    if (n > 0 && s[n] == '\0') {
        *why = "a duration needs a unit: ms, s, m, h or d";
        return -1;
    }
    if (parse_with_unit(s, duration_units, out, why) < 0) {
        if (*why == NULL) {
            *why = "unknown unit: use ms, s, m, h or d";
        }
        return -1;
    }
    return 0;
}

int config_parse_size(const char *s, uint64_t *out)
{
    const char *why;
    return config_parse_size_why(s, out, &why);
}

int config_parse_duration_ms(const char *s, uint64_t *out)
{
    const char *why;
    return config_parse_duration_ms_why(s, out, &why);
}

int config_parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1", NULL};
    static const char *const no[] = {"no", "false", "off", "0", NULL};

    for (int i = 0; yes[i] != NULL; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

/* The names of common/log.h, kept here so that parsing needs no log.c. */
static const char *const log_level_names[] = {"debug", "info", "warn", "error"};

int config_parse_log_level(const char *s, enum log_level *out)
{
    for (int i = LOG_DEBUG; i <= LOG_ERROR; i++) {
        if (strcasecmp(s, log_level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

/* A port of 1 to 5 digits in 1..65535. */
static int parse_port(const char *s, size_t len, int *out, const char **why)
{
    uint64_t v;

    if (len == 0 || len > 5 || parse_digits(s, len, &v, why) < 0 || v < 1 ||
        v > 65535) {
        *why = "port must be a number from 1 to 65535";
        return -1;
    }
    *out = (int)v;
    return 0;
}

int config_parse_addr_why(const char *s, size_t len, struct config_addr *out,
                          const char **why)
{
    char host[INET6_ADDRSTRLEN];
    char shown[INET6_ADDRSTRLEN];
    const char *colon;
    size_t hostlen;
    int port;
    int v6 = len > 0 && s[0] == '[';

    memset(out, 0, sizeof(*out));
    if (len == 0) {
        *why = "empty address";
        return -1;
    }
    if (v6) {
        const char *close = memchr(s, ']', len);
        if (close == NULL) {
            *why = "missing ']' after an IPv6 address";
            return -1;
        }
        hostlen = (size_t)(close - s) - 1;
        colon = close + 1;
        if (colon == s + len || *colon != ':') {
            *why = "missing :PORT after the address";
            return -1;
        }
        if (hostlen == 0 || hostlen >= sizeof(host)) {
            *why = "not a numeric IPv6 address";
            return -1;
        }
        memcpy(host, s + 1, hostlen);
    } else {
        colon = memchr(s, ':', len);
        if (colon == NULL) {
            *why = "missing :PORT after the address";
            return -1;
        }
        if (memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)) != NULL) {
            *why = "an IPv6 address needs brackets: [::1]:8080";
            return -1;
        }
        hostlen = (size_t)(colon - s);
        if (hostlen == 0 || hostlen >= sizeof(host)) {
            *why = "not a numeric IPv4 address (host names are not looked up)";
            return -1;
        }
        memcpy(host, s, hostlen);
    }
    host[hostlen] = '\0';
    if (parse_port(colon + 1, len - (size_t)(colon + 1 - s), &port, why) < 0) {
        return -1;
    }
    if (v6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->sa;
        if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
            *why = "not a numeric IPv6 address";
            return -1;
        }
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        out->salen = sizeof(*sin6);
        inet_ntop(AF_INET6, &sin6->sin6_addr, shown, sizeof(shown));
        snprintf(out->text, sizeof(out->text), "[%s]:%d", shown, port);
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *)&out->sa;
        if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
            *why = "not a numeric IPv4 address (host names are not looked up)";
            return -1;
        }
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        out->salen = sizeof(*sin);
        inet_ntop(AF_INET, &sin->sin_addr, shown, sizeof(shown));
        snprintf(out->text, sizeof(out->text), "%s:%d", shown, port);
    }
    return 0;
}

int config_parse_addr(const char *s, struct config_addr *out)
{
    const char *why;
    return config_parse_addr_why(s, strlen(s), out, &why);
}

/*
 * Splits a comma-separated list: on each call, sets [*item, *item + *len)
 * to the next item without its surrounding spaces and advances *p. Returns
 * 1 for an item, 0 at the end.
 */
static int next_item(const char **p, const char **item, size_t *len)
{
    const char *s = *p;
    const char *end;

    if (s == NULL) {
        return 0;
    }
    while (is_space((unsigned char)*s)) {
        s++;
    }
    end = strchr(s, ',');
    *p = end != NULL ? end + 1 : NULL;
    if (end == NULL) {
        end = s + strlen(s);
    }
    *item = s;
    while (end > s && is_space((unsigned char)end[-1])) {
        end--;
    }
    *len = (size_t)(end - s);
    return 1;
}

/* Whether s holds nothing but spaces. */
static int is_blank(const char *s)
{
    return s[strspn(s, " \t")] == '\0';
}

int config_parse_addr_list_why(const char *s, struct config_addr_list *out,
                               const char **why)
{
    const char *p = s;
    const char *item;
    size_t len;

    memset(out, 0, sizeof(*out));
    if (is_blank(s)) {
        *why = "expected at least one ADDRESS:PORT";
        return -1;
    }
    while (next_item(&p, &item, &len)) {
        struct config_addr *a = &out->addr[out->n];
        if (len == 0) {
            *why = "empty item in the address list";
            goto err;
        }
        if (out->n == CONFIG_MAX_ADDRS) {
            *why = "too many addresses (at most 16)";
            goto err;
        }
        if (config_parse_addr_why(item, len, a, why) < 0) {
            goto err;
        }
        for (int i = 0; i < out->n; i++) {
            if (strcmp(out->addr[i].text, a->text) == 0) {
                *why = "the same address is listed twice";
                goto err;
            }
        }
        out->n++;
    }
    return 0;

err:
    memset(out, 0, sizeof(*out));
    return -1;
}

int config_parse_addr_list(const char *s, struct config_addr_list *out)
{
    const char *why;
    return config_parse_addr_list_why(s, out, &why);
}

/* Percent-decodes a URL part into out (outsize bytes with the NUL); a
 * NUL byte cannot be part of a password. */
static int decode_part(const char *s, size_t len, char *out, size_t outsize)
{
    ssize_t n = percent_decode(out, outsize - 1, s, len, 0);
    if (n < 0 || memchr(out, '\0', (size_t)n) != NULL) {
        return -1;
    }
    out[n] = '\0';
    return 0;
}

/* A host name: letters, digits, '.', '-', '_'; 1 to 253 bytes. */
static int is_host_name(const char *s, size_t len)
{
    if (len == 0 || len > 253 || s[0] == '-' || s[0] == '.') {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_ident((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static int parse_db(const char *s, size_t len, int *out, const char **why)
{
    uint64_t v;

    if (parse_digits(s, len, &v, why) < 0 || v > INT32_MAX) {
        *why = "database must be a whole number";
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int parse_unix_url(const char *s, struct config_redis_url *out,
                          const char **why)
{
    const char *path = s + strlen("unix://");
    const char *q = strchr(path, '?');
    size_t len = q != NULL ? (size_t)(q - path) : strlen(path);

    if (len == 0 || path[0] != '/') {
        *why = "expected unix:///absolute/path/to/socket";
        return -1;
    }
    if (len >= sizeof(out->unix_path)) {
        *why = "socket path too long (at most 107 bytes)";
        return -1;
    }
    if (q != NULL) {
        if (strncmp(q, "?db=", 4) != 0) {
            *why = "the only query a unix:// URL takes is ?db=N";
            return -1;
        }
        if (parse_db(q + 4, strlen(q + 4), &out->db, why) < 0) {
            return -1;
        }
    }
    memcpy(out->unix_path, path, len);
    out->unix_path[len] = '\0';
    if (strlen(s) >= sizeof(out->text)) {
        *why = "URL too long";
        return -1;
    }
    strcpy(out->text, s);
    return 0;
}

/* host[:port] or [v6][:port], len bytes. */
static int parse_redis_host(const char *s, size_t len,
                            struct config_redis_url *out, const char **why)
{
    const char *colon;
    size_t hostlen;

    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        struct in6_addr a6;
        if (close == NULL) {
            *why = "missing ']' after an IPv6 address";
            return -1;
        }
        hostlen = (size_t)(close - s) - 1;
        if (hostlen == 0 || hostlen >= INET6_ADDRSTRLEN) {
            *why = "not a numeric IPv6 address";
            return -1;
        }
        memcpy(out->host, s + 1, hostlen);
        out->host[hostlen] = '\0';
        if (inet_pton(AF_INET6, out->host, &a6) != 1) {
            *why = "not a numeric IPv6 address";
            return -1;
        }
        colon = close + 1;
        if (colon < s + len && *colon != ':') {
            *why = "expected :PORT after ']'";
            return -1;
        }
    } else {
        colon = memchr(s, ':', len);
        hostlen = colon != NULL ? (size_t)(colon - s) : len;
        if (!is_host_name(s, hostlen)) {
            *why = "missing or bad host name";
            return -1;
        }
        memcpy(out->host, s, hostlen);
        out->host[hostlen] = '\0';
    }
    if (colon == NULL || colon == s + len) {
        out->port = 6379;
        return 0;
    }
    return parse_port(colon + 1, len - (size_t)(colon + 1 - s), &out->port,
                      why);
}

static int parse_tcp_url(const char *s, struct config_redis_url *out,
                         const char **why)
{
    const char *auth = s + strlen("redis://");
    const char *slash = strchr(auth, '/');
    const char *end = slash != NULL ? slash : auth + strlen(auth);
    const char *at = NULL;
    const char *host;

    for (const char *p = auth; p < end; p++) {
        if (*p == '@') {
            at = p;
        }
    }
    host = auth;
    if (at != NULL) {
        if (auth[0] != ':') {
            *why = "user names are not supported: use redis://:password@host";
            return -1;
        }
        if (at == auth + 1) {
            *why = "empty password after ':'";
            return -1;
        }
        if (decode_part(auth + 1, (size_t)(at - auth - 1), out->password,
                        sizeof(out->password)) < 0) {
            *why = "bad password (too long, or a bad %XX escape)";
            return -1;
        }
        host = at + 1;
    }
    if (parse_redis_host(host, (size_t)(end - host), out, why) < 0) {
        return -1;
    }
    if (slash != NULL && slash[1] != '\0' &&
        parse_db(slash + 1, strlen(slash + 1), &out->db, why) < 0) {
        return -1;
    }
    if (snprintf(out->text, sizeof(out->text), "redis://%s%s",
                 at != NULL ? ":***@" : "", host) >= (int)sizeof(out->text)) {
        *why = "URL too long";
        return -1;
    }
    return 0;
}

int config_parse_redis_url_why(const char *s, struct config_redis_url *out,
                               const char **why)
{
    int rc;

    memset(out, 0, sizeof(*out));
    if (strncasecmp(s, "unix://", 7) == 0) {
        rc = parse_unix_url(s, out, why);
    } else if (strncasecmp(s, "redis://", 8) == 0) {
        rc = parse_tcp_url(s, out, why);
    } else if (strncasecmp(s, "rediss://", 9) == 0) {
        *why = "rediss:// (TLS) is not supported";
        rc = -1;
    } else {
        *why = "expected redis://[:password@]host:port[/db] or unix:///path";
        rc = -1;
    }
    if (rc < 0) {
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

int config_parse_redis_url(const char *s, struct config_redis_url *out)
{
    const char *why;
    return config_parse_redis_url_why(s, out, &why);
}

/* One parser for CIDR lists: the one the gate uses (proto/ipaddr.c), so
 * that -t accepts exactly what beacond can run with. */
int config_parse_cidr_list_why(const char *s, const char **why)
{
    struct cidr_list list;
    char err[128];

    if (cidr_list_parse(&list, s, err, sizeof(err)) < 0) {
        *why = "expected ADDRESS or ADDRESS/BITS items (host bits zero, at "
               "most 64)";
        return -1;
    }
    return 0;
}

static int base64_value(int c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (is_digit(c)) {
        return c - '0' + 52;
    }
    if (c == '+' || c == '-') {
        return 62;
    }
    if (c == '/' || c == '_') {
        return 63;
    }
    return -1;
}

static int decode_base64(const char *s, size_t len, uint8_t *out,
                         size_t *outlen, const char **why)
{
    uint32_t acc = 0;
    int nbits = 0;
    size_t o = 0;

    for (int pad = 0; pad < 2 && len > 0 && s[len - 1] == '='; pad++) {
        len--;
    }
    if (len % 4 == 1) {
        *why = "bad base64 length";
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        int v = base64_value((unsigned char)s[i]);
        if (v < 0) {
            *why = "a key must be hex or base64";
            return -1;
        }
        acc = (acc << 6) | (uint32_t)v;
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            if (o == CONFIG_KEY_MAX) {
                *why = "key too long";
                return -1;
            }
            out[o++] = (uint8_t)(acc >> nbits);
        }
    }
    *outlen = o;
    return 0;
}

int config_parse_key_why(const char *s, size_t len, uint8_t *out,
                         size_t *outlen, const char **why)
{
    size_t i;

    if (len == 0) {
        *why = "empty key";
        return -1;
    }
    for (i = 0; i < len && ascii_hex_value((unsigned char)s[i]) >= 0; i++) {
    }
    if (i < len || len % 2 != 0) {
        return decode_base64(s, len, out, outlen, why);
    }
    if (len / 2 > CONFIG_KEY_MAX) {
        *why = "key too long";
        return -1;
    }
    for (i = 0; i < len; i += 2) {
        out[i / 2] = (uint8_t)(ascii_hex_value((unsigned char)s[i]) * 16 +
                               ascii_hex_value((unsigned char)s[i + 1]));
    }
    *outlen = len / 2;
    return 0;
}

int config_parse_link_keys_why(const char *s, const char **why)
{
    char ids[CONFIG_LINK_KEYS_MAX][CONFIG_LINK_ID_MAX + 1];
    uint8_t key[CONFIG_KEY_MAX];
    const char *p = s;
    const char *item;
    size_t len;
    size_t keylen;
    int n = 0;

    if (is_blank(s)) {
        return 0;
    }
    while (next_item(&p, &item, &len)) {
        const char *colon = memchr(item, ':', len);
        size_t idlen = colon != NULL ? (size_t)(colon - item) : 0;
        if (colon == NULL || idlen == 0 || idlen > CONFIG_LINK_ID_MAX) {
            *why = "expected id:key, id:key (ids of 1 to 32 characters)";
            return -1;
        }
        for (size_t i = 0; i < idlen; i++) {
            if (!is_ident((unsigned char)item[i])) {
                *why = "a key id takes only A-Z a-z 0-9 . _ -";
                return -1;
            }
        }
        if (n == CONFIG_LINK_KEYS_MAX) {
            *why = "too many link keys (at most 16)";
            return -1;
        }
        memcpy(ids[n], item, idlen);
        ids[n][idlen] = '\0';
        for (int i = 0; i < n; i++) {
            if (strcmp(ids[i], ids[n]) == 0) {
                *why = "the same key id is listed twice";
                return -1;
            }
        }
        n++;
        if (config_parse_key_why(colon + 1, len - idlen - 1, key, &keylen,
                                 why) < 0) {
            return -1;
        }
        if (keylen < 32) {
            *why = "a link key must be at least 32 bytes";
            return -1;
        }
    }
    return 0;
}

/* Whether s is [A-Za-z0-9._-] plus the characters of extra, 1..max long. */
int config_is_word(const char *s, const char *extra, size_t max)
{
    size_t len = strlen(s);

    if (len == 0 || len > max) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        int ch = (unsigned char)s[i];
        if (!isalnum(ch) && !strchr("._-", ch) && !strchr(extra, ch)) {
            return 0;
        }
    }
    return 1;
}
