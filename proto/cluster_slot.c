/*
 * cluster_slot.c: see cluster_slot.h.
 */
#include "proto/cluster_slot.h"

#include <stdio.h>
#include <string.h>

uint16_t cluster_crc16(const char *buf, size_t len)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (uint16_t)((unsigned char)buf[i] << 8);
        for (int bit = 0; bit < 8; bit++) {
            crc = (uint16_t)(crc & 0x8000 ? crc << 1 ^ 0x1021 : crc << 1);
        }
    }
    return crc;
}

unsigned cluster_key_slot(const char *key, size_t len)
{
    const char *open = memchr(key, '{', len);
    if (open != NULL) {
        size_t from = (size_t)(open - key) + 1;
        const char *close = memchr(key + from, '}', len - from);
        if (close != NULL && close > key + from) {
            key += from;
            len = (size_t)(close - key);
        }
    }
    return cluster_crc16(key, len) & (CLUSTER_SLOTS - 1);
}

/* Reads the decimal number at s[*i..len) up to max; -1 when there is none
 * or it is larger. */
static long number(const char *s, size_t len, size_t *i, long max)
{
    long v = 0;
    size_t start = *i;
    while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (s[*i] - '0');
        if (v > max) {
            return -1;
        }
        (*i)++;
    }
    return *i > start ? v : -1;
}

int cluster_parse_host_port(const char *s, size_t len,
                            char host[CLUSTER_HOST_MAX + 1], int *port)
{
    const char *colon = len > 0 ? memrchr(s, ':', len) : NULL;
    if (colon == NULL) {
        return -1;
    }
    size_t hlen = (size_t)(colon - s), p = hlen + 1;
    long v = number(s, len, &p, 65535);
    if (v <= 0 || p != len || hlen > CLUSTER_HOST_MAX) {
        return -1;
    }
    memcpy(host, s, hlen);
    host[hlen] = '\0';
    *port = (int)v;
    return (int)hlen;
}

enum cluster_redirect_kind cluster_parse_redirect(const char *err, size_t len,
                                                  struct cluster_redirect *out)
{
    size_t i;

    memset(out, 0, sizeof(*out));
    if (len > 6 && memcmp(err, "MOVED ", 6) == 0) {
        i = 6;
    } else if (len > 4 && memcmp(err, "ASK ", 4) == 0) {
        i = 4;
    } else {
        return CLUSTER_NO_REDIRECT;
    }
    long slot = number(err, len, &i, CLUSTER_SLOTS - 1);
    if (slot < 0 || i == len || err[i] != ' ') {
        return CLUSTER_NO_REDIRECT;
    }
    const char *addr = err + i + 1;
    size_t rest = len - i - 1;
    if (memchr(addr, ' ', rest) != NULL || memchr(addr, '\0', rest) != NULL ||
        cluster_parse_host_port(addr, rest, out->host, &out->port) < 0) {
        return CLUSTER_NO_REDIRECT;
    }
    out->slot = (unsigned)slot;
    out->kind = err[0] == 'M' ? CLUSTER_MOVED : CLUSTER_ASK;
    return out->kind;
}

/* The item s[0..len) without blanks around it. */
static void trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t')) {
        (*len)--;
    }
}

int cluster_parse_seeds(const char *s,
                        struct cluster_seed out[CLUSTER_SEEDS_MAX], char *err,
                        size_t errlen)
{
    int n = 0;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);
        const char *item = s;
        trim(&item, &len);
        char host[CLUSTER_HOST_MAX + 1];
        int port;
        int hlen = cluster_parse_host_port(item, len, host, &port);
        const char *h = host;
        if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
            h++;
            hlen -= 2;
        }
        if (hlen <= 0 || memchr(h, '[', (size_t)hlen) != NULL ||
            memchr(h, ']', (size_t)hlen) != NULL) {
            snprintf(err, errlen, "\"%.*s\" is not host:port", (int)len, item);
            return -1;
        }
        if (n == CLUSTER_SEEDS_MAX) {
            snprintf(err, errlen, "more than %d nodes", CLUSTER_SEEDS_MAX);
            return -1;
        }
        memcpy(out[n].host, h, (size_t)hlen);
        out[n].host[hlen] = '\0';
        out[n].port = port;
        n++;
        if (comma == NULL) {
            return n;
        }
        s = comma + 1;
    }
}
