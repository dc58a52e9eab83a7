/*
 * worker.h: one worker thread: its own event_base, its own SO_REUSEPORT
 * listening sockets, its connections, and its aggregate table. Nothing a
 * worker touches per request is shared with another thread.
 */
#ifndef BEACON_WORKER_H
#define BEACON_WORKER_H

#include <pthread.h>

#include "aggregator/flusher.h"
#include "collector/body_inflate.h"
#include "config/config.h"
#include "collector/http/conn.h"
#include "collector/metrics.h"
#include "collector/http/response.h"
#include "collector/privacy/ua_cache.h"
#include "proto/events.h"
#include "proto/hit.h"

/* Room for the JSON objects of one batch body: 100 events of a few fields
 * take about 150 KiB; larger bodies spill over to malloc. */
#define WORKER_JSON_ARENA (1024 * 1024)

struct server;
struct event_base;
struct event;
struct evconnlistener;
struct ingest;
struct wal;

struct worker {
    int id;
    struct server *srv;
    pthread_t thread;
    struct event_base *base;
    struct evconnlistener *listeners[CONFIG_MAX_ADDRS];
    int n_listeners;

    struct flusher_source source; /* the flusher's view of this worker */
    struct wal *wal;              /* every counted hit's record, owned */
    struct table *active;         /* where hits are counted now */
    struct table *tables[2];      /* owned, for destroy */

    struct event *handoff_ev; /* woken by the flusher */
    struct event *drain_ev;   /* woken by the main thread */
    struct event *drain_deadline_ev;

    struct conn_pool pool; /* the public edge's connections */
    struct http_limits limits; /* the pool's, from the policy (reloaded) */
    uint64_t settings_gen;     /* the policy generation they came from */
    struct ingest *ingest; /* syslog sockets; NULL when ingest_syslog is off */
    uint64_t syslog_counted_unlogged; /* lines counted, records not written */

    _Atomic uint64_t seen_epoch; /* server epoch at the last handoff */
    struct metrics_worker metrics;
    struct response_date date;
    struct ua_cache ua_cache;
    struct hit hit;  /* scratch of the pixel and batch endpoints */
    struct body_inflater inflater; /* compressed bodies of POST /e */
    struct events_arena json_arena; /* the JSON objects of one body */
    char *scratch;   /* decoding space, max_request_line bytes */
    size_t scratch_cap;
};

/* Creates a worker with its base, tables and listeners bound to fds
 * (one per listen address, already bound and listening), writing its log
 * to wal (taken over, closed with the worker). NULL on error. */
struct worker *worker_create(struct server *srv, int id, const int *fds,
                             int n_fds, struct wal *wal);

/* Starts the thread. Returns 0 or -1. */
int worker_start(struct worker *w);

/* From any thread: stop accepting, finish open requests (within
 * drain_timeout), hand the last table to the flusher, end the thread. */
void worker_drain(struct worker *w);

/* Waits for the thread to end. */
void worker_join(struct worker *w);

/* Frees w; NULL is a no-op. */
void worker_destroy(struct worker *w);

/*
 * Reserves room for every key one hit may create (COUNTS_MAX_KEYS_PER_HIT
 * in the backlog, their bytes in the active table) and for its log record
 * before it is answered as counted: a counted hit must never be dropped
 * later, and a hit that cannot be counted whole is not counted at all.
 * Returns 0, or -1 when the hit must be shed.
 */
int worker_reserve_hit(struct worker *w);

/*
 * 0 when `records` more log records fit in this worker's share of
 * backlog_max_bytes (what the log holds that Redis has not acknowledged),
 * else -1: past the quota, hits are shed.
 */
int worker_log_room(struct worker *w, size_t records);

/*
 * A hit's log record is encoded (walrec_put_*(), WALREC_MAX bytes at most)
 * at worker_log_space() after worker_reserve_hit() said yes, and appended
 * with worker_log() once the hit is counted in the active table. It is
 * written before any answer of this loop turn (worker.c); recovery counts
 * it again through counts_add_record(), which makes the same table
 * entries.
 */
char *worker_log_space(struct worker *w);
void worker_log(struct worker *w, size_t len);

/* Unix time of the worker's current loop turn (cached, no syscall). */
time_t worker_now(struct worker *w);

#endif
