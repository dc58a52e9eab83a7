/*
 * cluster_map.c: see cluster_map.h.
 */
#include "aggregator/cluster_map.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cluster_map_init(struct cluster_map *m)
{
    m->nodes = NULL;
    m->n_nodes = m->cap = 0;
    memset(m->owner, 0xff, sizeof(m->owner)); /* -1 each */
}

void cluster_map_free(struct cluster_map *m)
{
    free(m->nodes);
    cluster_map_init(m);
}

/* The index of node host:port, added when new (with no replicas known).
 * Returns -1 when out of memory. */
static int cluster_map_node(struct cluster_map *m, const char *host,
                            int port)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        if (m->nodes[i].port == port && strcmp(m->nodes[i].host, host) == 0) {
            return (int)i;
        }
    }
    /* owner[] holds int16_t indexes; a cluster has at most one master
     * per slot */
    if (m->n_nodes == CLUSTER_SLOTS || strlen(host) > CLUSTER_HOST_MAX) {
        return -1;
    }
    if (m->n_nodes == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 8;
        struct cluster_node *n = realloc(m->nodes, cap * sizeof(*n));
        if (n == NULL) {
            return -1;
        }
        m->nodes = n;
        m->cap = cap;
    }
    struct cluster_node *n = &m->nodes[m->n_nodes];
    snprintf(n->host, sizeof(n->host), "%s", host);
    n->port = port;
    n->replicas = 0;
    return (int)m->n_nodes++;
}

/* The host and port of a node entry [ip, port, id, ...]; NULL when it is
 * not one. */
static const char *node_of(const redisReply *e, int *port)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
        e->element[0]->type != REDIS_REPLY_STRING ||
        e->element[1]->type != REDIS_REPLY_INTEGER ||
        e->element[1]->integer <= 0 || e->element[1]->integer > 65535 ||
        e->element[0]->len > CLUSTER_HOST_MAX ||
        strlen(e->element[0]->str) != e->element[0]->len) {
        return NULL;
    }
    *port = (int)e->element[1]->integer;
    return e->element[0]->str;
}

int cluster_map_load(struct cluster_map *m, const redisReply *r,
                     const char *asked_host, char *err, size_t errlen)
{
    struct cluster_map next;

    if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
        snprintf(err, errlen, "CLUSTER SLOTS: not an array");
        return -1;
    }
    cluster_map_init(&next);
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *e = r->element[i];
        int port;
        const char *host = NULL;
        if (e->type == REDIS_REPLY_ARRAY && e->elements >= 3 &&
            e->element[0]->type == REDIS_REPLY_INTEGER &&
            e->element[1]->type == REDIS_REPLY_INTEGER) {
            host = node_of(e->element[2], &port);
        }
        long long from = host ? e->element[0]->integer : 0;
        long long to = host ? e->element[1]->integer : -1;
        if (host == NULL || from < 0 || from > to || to >= CLUSTER_SLOTS) {
            snprintf(err, errlen,
                     "CLUSTER SLOTS: entry %zu is not a slot "
                     "range with its master",
                     i);
            cluster_map_free(&next);
            return -1;
        }
        int node = cluster_map_node(&next, host[0] ? host : asked_host, port);
        if (node < 0) {
            snprintf(err, errlen, "CLUSTER SLOTS: out of memory");
            cluster_map_free(&next);
            return -1;
        }
        if (next.nodes[node].replicas < (int)e->elements - 3) {
            next.nodes[node].replicas = (int)e->elements - 3;
        }
        for (long long s = from; s <= to; s++) {
            next.owner[s] = (int16_t)node;
        }
    }
    cluster_map_free(m);
    *m = next;
    return 0;
}

int cluster_map_move(struct cluster_map *m, const struct cluster_redirect *r,
                     const char *asked_host)
{
    int node = cluster_map_node(m, r->host[0] ? r->host : asked_host, r->port);
    if (node < 0) {
        return -1;
    }
    m->owner[r->slot] = (int16_t)node;
    return 0;
}

size_t cluster_map_uncovered(const struct cluster_map *m)
{
    size_t n = 0;
    for (size_t s = 0; s < CLUSTER_SLOTS; s++) {
        n += m->owner[s] < 0;
    }
    return n;
}
