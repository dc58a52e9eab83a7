/*
 * cluster_nodes.h: how many healthy replicas each master of a Redis
 * Cluster has, from CLUSTER NODES. CLUSTER SLOTS leaves a replica out
 * until its master has sent it something (up to 10 s on a new, idle
 * cluster); CLUSTER NODES lists it once it is attached, and flags the ones
 * that fail. A master's replica count says whether a batch written there
 * must wait (WAIT) for a replica before it counts as applied.
 */
#ifndef BEACON_CLUSTER_NODES_H
#define BEACON_CLUSTER_NODES_H

#include <stddef.h>

#include "proto/cluster_slot.h"

#define CLUSTER_NODE_ID_LEN 40

struct cluster_master_replicas {
    char id[CLUSTER_NODE_ID_LEN + 1];
    char host[CLUSTER_HOST_MAX + 1];
    int port;
    int replicas; /* attached, link connected, not failing */
};

/*
 * Reads the CLUSTER NODES text[0..len): every master, with the replicas
 * that name it as their master, have a connected link and no fail,
 * fail?, handshake or noaddr flag. A node that does not know its address
 * (":7001@17001") is on asked_host. Returns how many masters went to
 * out (at most max; the others are left out), or -1 when a line is not a
 * CLUSTER NODES line.
 */
long cluster_nodes_replicas(const char *text, size_t len,
                            const char *asked_host,
                            struct cluster_master_replicas *out, size_t max);

#endif
