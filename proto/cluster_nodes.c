/*
 * cluster_nodes.c: see cluster_nodes.h.
 */
#include "proto/cluster_nodes.h"

#include <stdio.h>
#include <string.h>

/* The fields of one CLUSTER NODES line: id, address, flags, master,
 * ping, pong, epoch, link state, slots... */
#define FIELDS_MIN 8

struct field {
    const char *p;
    size_t len;
};

/* Splits line[0..len) at spaces into f (at most FIELDS_MIN); returns how
 * many fields the line has (counting those past FIELDS_MIN). */
static size_t split(const char *line, size_t len, struct field f[FIELDS_MIN])
{
    size_t n = 0, i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && line[i] != ' ') {
            i++;
        }
        if (n < FIELDS_MIN) {
            f[n].p = line + start;
            f[n].len = i - start;
        }
        n++;
        while (i < len && line[i] == ' ') {
            i++;
        }
    }
    return n;
}

/* Whether the comma-separated list s holds word. */
static int has_flag(struct field s, const char *word)
{
    size_t wlen = strlen(word), i = 0;
    while (i <= s.len) {
        size_t start = i;
        while (i < s.len && s.p[i] != ',') {
            i++;
        }
        if (i - start == wlen && memcmp(s.p + start, word, wlen) == 0) {
            return 1;
        }
        i++;
    }
    return 0;
}

/* "ip:port@cport[,hostname]" into host (asked_host when empty) and port;
 * -1 when it is not that. */
static int address(struct field a, const char *asked_host, char *host,
                   int *port)
{
    const char *at = memchr(a.p, '@', a.len);
    size_t n = at != NULL ? (size_t)(at - a.p) : a.len;
    int hlen = cluster_parse_host_port(a.p, n, host, port);
    if (hlen == 0) {
        snprintf(host, CLUSTER_HOST_MAX + 1, "%s", asked_host);
    }
    return hlen < 0 ? -1 : 0;
}

/* The next non-empty line of text[0..len) from *at (without its CR LF),
 * or NULL at the end. */
static const char *next_line(const char *text, size_t len, size_t *at,
                             size_t *n)
{
    while (*at < len) {
        const char *line = text + *at;
        const char *nl = memchr(line, '\n', len - *at);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        *n = end - *at;
        *at = end + 1;
        if (*n > 0 && line[*n - 1] == '\r') {
            (*n)--;
        }
        if (*n > 0) {
            return line;
        }
    }
    return NULL;
}

/* A replica that holds what its master gets: attached, link up, not
 * failing. */
static int healthy_replica(const struct field f[FIELDS_MIN])
{
    return has_flag(f[2], "slave") && !has_flag(f[2], "fail") &&
           !has_flag(f[2], "fail?") && !has_flag(f[2], "handshake") &&
           !has_flag(f[2], "noaddr") && f[7].len == 9 &&
           memcmp(f[7].p, "connected", 9) == 0 &&
           f[3].len == CLUSTER_NODE_ID_LEN;
}

long cluster_nodes_replicas(const char *text, size_t len,
                            const char *asked_host,
                            struct cluster_master_replicas *out, size_t max)
{
    struct field f[FIELDS_MIN];
    size_t n_out = 0, at = 0, n;
    const char *line;

    /* the masters first: a replica's line may come before its master's */
    while ((line = next_line(text, len, &at, &n)) != NULL) {
        if (split(line, n, f) < FIELDS_MIN || f[0].len != CLUSTER_NODE_ID_LEN) {
            return -1;
        }
        if (!has_flag(f[2], "master") || n_out == max) {
            continue;
        }
        struct cluster_master_replicas *m = &out[n_out];
        if (address(f[1], asked_host, m->host, &m->port) < 0) {
            return -1;
        }
        memcpy(m->id, f[0].p, CLUSTER_NODE_ID_LEN);
        m->id[CLUSTER_NODE_ID_LEN] = '\0';
        m->replicas = 0;
        n_out++;
    }
    at = 0;
    while ((line = next_line(text, len, &at, &n)) != NULL) {
        split(line, n, f);
        for (size_t i = 0; healthy_replica(f) && i < n_out; i++) {
            if (memcmp(out[i].id, f[3].p, CLUSTER_NODE_ID_LEN) == 0) {
                out[i].replicas++;
            }
        }
    }
    return (long)n_out;
}
