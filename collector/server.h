/*
 * server.h: the process: configuration, workers, flusher, admin listener,
 * and the state they share. main() builds one and passes it down; nothing
 * here is global.
 */
#ifndef BEACON_SERVER_H
#define BEACON_SERVER_H

#include <stdatomic.h>

#include "aggregator/backlog.h"
#include "collector/config.h"
#include "collector/gate.h"
#include "collector/http.h"
#include "collector/optout_registry.h"
#include "collector/salt.h"
#include "proto/ipaddr.h"

struct worker;
struct flusher;
struct admin;
struct botlist;

struct server {
    const struct config *cfg;
    struct http_limits limits;
    struct backlog backlog;
    _Atomic int connections; /* open client connections, all workers */
    struct worker **workers;
    int n_workers;
    struct flusher *flusher;
    struct admin *admin;
    int readyz_backlog_keys; /* /readyz high-water mark while Redis is away */
    struct gate gate;
    struct botlist *bots;
    struct cidr_list trusted; /* trusted_proxies */
    struct salt_manager salts;
    struct optout_registry optouts;
};

/*
 * Binds every listener, starts the flusher, the workers and the admin
 * listener, and runs until SIGTERM or SIGINT, then drains (SPEC 7).
 * Returns the process exit status.
 */
int server_run(const struct config *cfg);

#endif
