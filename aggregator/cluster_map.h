/*
 * cluster_map.h: which master of a Redis Cluster owns each slot, from a
 * CLUSTER SLOTS reply, kept current by MOVED redirections. The flusher
 * routes each command by its key's slot (proto/cluster_slot.h) to the
 * owner's connection.
 */
#ifndef BEACON_CLUSTER_MAP_H
#define BEACON_CLUSTER_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "proto/cluster_slot.h"

struct redisReply;

struct cluster_node {
    char host[CLUSTER_HOST_MAX + 1];
    int port;
    int replicas; /* replicas CLUSTER SLOTS lists for it */
};

struct cluster_map {
    struct cluster_node *nodes; /* masters, in the order first seen */
    size_t n_nodes, cap;
    int16_t owner[CLUSTER_SLOTS]; /* index in nodes; -1: no owner known */
};

/* An empty map: no nodes, no slot owned. */
void cluster_map_init(struct cluster_map *m);

void cluster_map_free(struct cluster_map *m);

/*
 * Replaces m's content with what the CLUSTER SLOTS reply r says. A node
 * that does not know its own address names itself "": that is
 * asked_host, the host the reply came from. Returns 0, or -1 with err
 * set when the reply is not a CLUSTER SLOTS reply (m is then unchanged)
 * or memory runs out.
 */
int cluster_map_load(struct cluster_map *m, const struct redisReply *r,
                     const char *asked_host, char *err, size_t errlen);

/* A MOVED redirection from asked_host: the slot's owner is now the node it
 * names. Returns 0, or -1 when out of memory. */
int cluster_map_move(struct cluster_map *m, const struct cluster_redirect *r,
                     const char *asked_host);

/* Slots without a known owner. */
size_t cluster_map_uncovered(const struct cluster_map *m);

#endif
