/*
 * server.h: the process: configuration, workers, flusher, admin listener,
 * and the state they share. main() builds one and passes it down; nothing
 * here is global.
 */
#ifndef BEACON_SERVER_H
#define BEACON_SERVER_H

#include <stdatomic.h>

#include "aggregator/backlog.h"
#include "aggregator/datadir.h"
#include "aggregator/instance_lock.h"
#include "aggregator/journal.h"
#include "config/config.h"
#include "collector/privacy/gate.h"
#include "collector/http/http.h"
#include "collector/privacy/optout_registry.h"
#include "collector/privacy/salt.h"
#include "proto/ipaddr.h"

struct worker;
struct flusher;
struct admin;
struct policy;

struct server {
    const struct config *cfg;
    struct http_limits limits;
    struct backlog backlog;
    _Atomic int connections; /* open client connections, all workers */
    _Atomic int ingest_streams; /* open TCP syslog streams, all workers */
    struct worker **workers;
    int n_workers;
    struct flusher *flusher;
    struct admin *admin;
    int readyz_backlog_keys; /* /readyz high-water mark while Redis is away */
    /* the same for the log's backlog, of each worker's log: a worker
     * sheds at its share of the quota, whatever the others hold */
    uint64_t readyz_worker_wal_bytes;
    uint64_t log_quota;        /* backlog_max_bytes: each worker's share */
    _Atomic(struct policy *) policy; /* reloadable privacy settings */
    _Atomic uint64_t epoch;          /* bumped by each reload */
    struct policy *retired;          /* replaced, not yet freed */
    struct salt_manager salts;
    struct optout_registry optouts;
    /* The write-ahead log (SPEC 7): its dir, journal, where each worker's
     * log goes on after recovery, and the interval syncer (or NULL). */
    struct datadir data;
    char lock_holder[INSTANCE_LOCK_HOLDER_MAX]; /* instance_lock.h */
    /* batch_params.applied_as: "<instance_id>:<log id>" */
    char applied_as[sizeof(((struct config *)0)->instance_id) + 1 +
                    DATADIR_LOG_ID_LEN];
    struct journal journal;
    int have_journal;
    uint64_t log_start[JOURNAL_WORKERS];
    struct wal_syncer *syncer;
};

/* Builds a new configuration from the same file and flags (for SIGHUP).
 * Returns 0, or -1 with err set. */
typedef int (*server_reload_fn)(struct config *out, void *arg, char *err,
                                size_t errlen);

/*
 * Binds every listener, starts the flusher, the workers and the admin
 * listener, and runs until SIGTERM or SIGINT, then drains (SPEC 7). On
 * SIGHUP, reload() gives the new configuration, whose policy keys
 * (policy.h) and log_level take effect without dropping a connection.
 * Returns the exit status.
 */
int server_run(const struct config *cfg, server_reload_fn reload,
               void *reload_arg);

/* The privacy policy in force; valid until the caller's worker next hands
 * its table to the flusher. */
static inline const struct policy *server_policy(struct server *srv)
{
    return atomic_load_explicit(&srv->policy, memory_order_acquire);
}

#endif
