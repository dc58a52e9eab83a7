/*
 * policy.h: the settings of the hit path that SIGHUP reloads: privacy
 * (honor_dnt, honor_gpc, trusted_proxies, bot_patterns), mail (link_keys,
 * mail_proxy_cidrs, image_proxy_agents), and the edge's request limits and
 * timeouts. A policy is immutable once
 * published; workers read the current one through an atomic pointer, and
 * a replaced one is freed only after every worker has passed a point
 * where it holds no policy (its flush handoff), see server.c.
 */
#ifndef BEACON_POLICY_H
#define BEACON_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "collector/http/http.h"
#include "collector/privacy/gate.h"
#include "collector/mail/mail_policy.h"
#include "proto/ipaddr.h"

struct botlist;

struct policy {
    struct gate gate;
    struct botlist *bots;
    struct cidr_list trusted;
    struct mail_policy mail;
    /* Taken by each worker at the start of a loop turn (worker.c): new
     * connections and requests get them, and a framed request keeps the
     * limits it was framed under. */
    struct http_limits limits;
    uint64_t header_timeout_ms, body_timeout_ms, idle_timeout_ms;
    uint64_t max_batch_events;
    uint64_t generation; /* tells caches a new bot list from the old */
    /* retired: freed once every worker's epoch reached retire_epoch */
    struct policy *next_retired;
    uint64_t retire_epoch;
};

/* Builds a policy from cfg. NULL with err set (a bad bot list file,
 * address list or agent list, or out of memory). */
struct policy *policy_create(const struct config *cfg, uint64_t generation,
                             char *err, size_t errlen);

/* Frees p; NULL is a no-op. */
void policy_destroy(struct policy *p);

#endif
