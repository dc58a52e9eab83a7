/*
 * flusher.h: the flusher thread. Every flush interval it asks each source
 * (a worker) for its aggregate table, merges what it gets into the next
 * batch, and applies batches to Redis one at a time, each until Redis
 * acknowledged it (apply_script.h makes a repeat harmless).
 *
 *   worker thread                     flusher thread
 *   -------------                     --------------
 *                      <-- request_handoff (tick)
 *   swap active/spare
 *   flusher_submit(old) -->           merge into `next`, reset old,
 *                                     give it back as the source's spare
 *                                     seal `next` -> batch -> EVALSHA...
 *
 * Tables move between threads only through flusher_submit (a mutex, once
 * per interval per worker) and the source's atomic spare pointer, so the
 * hit path never waits for the flusher.
 *
 * Each table comes with the position its worker's write-ahead log had
 * reached: a batch holds ranges of log records, which the journal records
 * before the first send and which become checkpoints once Redis has them.
 * While Redis is away with much waiting, the tables are dropped and
 * batches are built from the log again when it is back (spill_keys).
 */
#ifndef BEACON_FLUSHER_H
#define BEACON_FLUSHER_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "aggregator/batch.h"
#include "aggregator/instance_lock.h"
#include "aggregator/journal.h"
#include "aggregator/redis_pool.h"

struct table;
struct backlog;
struct redisAsyncContext;

/* Counters and gauges the flusher keeps for /metrics: name, type, help. */
#define FLUSHER_STATS(X)                                                       \
    X(redis_errors_total, counter,                                             \
      "Failed Redis connects, commands and timeouts")                          \
    X(batches_applied_total, counter, "Aggregate batches applied to Redis")    \
    X(batches_retried_total, counter, "Batch sends repeated after a failure")  \
    X(backlog_bytes, gauge, "Aggregate bytes waiting for Redis")               \
    X(backlog_keys, gauge, "Aggregate keys held in memory, not yet in Redis")  \
    X(wal_bytes, gauge,                                                        \
      "Bytes of write-ahead log records not yet acknowledged by Redis")        \
    X(redis_up, gauge,                                                         \
      "1 while the Redis connection (in a cluster: every master's) is up")

/* Upper bounds, in seconds, of the beacon_flush_seconds buckets. */
#define FLUSHER_BUCKETS(X) X(0.001) X(0.005) X(0.01) X(0.05) X(0.1) X(0.5) X(1) X(5)

#define FLUSHER_ONE(le) +1
enum { FLUSHER_BUCKET_COUNT = 0 FLUSHER_BUCKETS(FLUSHER_ONE) };
#undef FLUSHER_ONE

struct flusher_stats {
#define FLUSHER_FIELD(name, type, help) _Atomic uint64_t name;
    FLUSHER_STATS(FLUSHER_FIELD)
#undef FLUSHER_FIELD
    _Atomic uint64_t flush_buckets[FLUSHER_BUCKET_COUNT]; /* cumulative */
    _Atomic uint64_t flush_count;
    _Atomic uint64_t flush_sum_us;
    /* wal_bytes of the worker whose log holds the most (/readyz) */
    _Atomic uint64_t wal_bytes_fullest;
};

/* A producer of tables (a worker). Embedded in the worker. */
struct flusher_source {
    unsigned worker; /* its log's worker id (< JOURNAL_WORKERS) */
    /* Called on the flusher thread; must only wake the source's own thread,
     * which then calls flusher_submit. */
    void (*request_handoff)(struct flusher_source *s);
    /* A reset table the flusher gives back, taken by the source on its next
     * handoff; NULL while the flusher still holds it. */
    _Atomic(struct table *) spare;
};

/*
 * Other work that needs Redis (salts, the opt-out registry) runs on the
 * flusher thread too, so that only that thread ever talks to Redis. run()
 * is called on every tick and right after Redis comes up; pool is NULL
 * while Redis is away. A task sends each command on the connection
 * redis_pool_ctx() gives for its key. Replies arrive on the flusher
 * thread; after a connection drop they arrive as NULL.
 */
struct flusher_task {
    void (*run)(struct flusher_task *t, struct redis_pool *pool, time_t now);
};

struct flusher_params {
    struct redis_target target;
    /* "host:port,..." of a Redis Cluster's nodes, or NULL or "": target
     * alone */
    const char *cluster;
    /* replicas that must hold a batch (WAIT) before it counts as applied;
     * -1: 1 for a master that has replicas, else 0 */
    int min_replicas_ack;
    /* This instance's id, and its name in the lock on that id
     * (instance_lock.h), taken and refreshed before batches go; NULL
     * lock_holder: no lock. */
    const char *instance;
    const char *lock_holder;
    struct batch_params batch;
    uint64_t flush_interval_ms;
    uint64_t command_timeout_ms; /* a batch without all replies by then is
                                    sent again on a new connection */
    /* The write-ahead log's journal and folder: a batch is sealed in the
     * journal before its first send, and once acknowledged its records
     * become the checkpoint and the segments wholly behind it go. NULL:
     * no log (batch sequences then come from the clock). */
    struct journal *journal;
    const char *wal_dir;
    /* While Redis is away and more than spill_keys aggregate keys wait
     * in memory, they are dropped: their records are in the log, from
     * which batches of at most chunk_keys keys are built again once Redis
     * is back. Memory stays bounded however long the outage. */
    int64_t spill_keys;
    size_t chunk_keys;
};

struct flusher;

/* The settings a reload may change, in force from the next flush on (a
 * batch already built keeps its own). */
struct flusher_settings {
    uint64_t flush_interval_ms;
    uint64_t command_timeout_ms;
    uint64_t retention_minute_s, retention_hour_s, retention_day_s;
    uint64_t max_members, max_areas;
};

/* From any thread. */
void flusher_reload(struct flusher *f, const struct flusher_settings *s);

/* Creates the flusher (not yet running). p's strings must outlive it. */
struct flusher *flusher_create(const struct flusher_params *p,
                               struct backlog *backlog);

/* The instance lock (instance_lock.h), for taking it at start before
 * flusher_start; NULL when params had no lock_holder. */
struct instance_lock *flusher_lock(struct flusher *f);

/* Registers a source before flusher_start. Returns 0 or -1. */
int flusher_add_source(struct flusher *f, struct flusher_source *s);

/* Registers a task before flusher_start. Returns 0 or -1. */
int flusher_add_task(struct flusher *f, struct flusher_task *t);

/* Starts the thread (connects to Redis, arms the tick). Returns 0 or -1. */
int flusher_start(struct flusher *f);

/*
 * From a source's thread: hands over t (NULL: nothing this time), which
 * holds the source's log records up to position (wal_position() when it
 * was swapped out). The flusher merges it and later stores it, reset, in
 * s->spare.
 */
void flusher_submit(struct flusher *f, struct flusher_source *s,
                    struct table *t, uint64_t position);

/*
 * Before flusher_start, what recovery found in the log (journal.h): the
 * batch that was sealed and not acknowledged, rebuilt under its own
 * sequence number (NULL: none; its ranges are the journal's), and the
 * ranges of records after it, which batches built from the log will
 * carry. Each worker's log continues at the end of its range.
 */
void flusher_recover(struct flusher *f, struct batch *pending,
                     const struct journal_range *rest, size_t n_rest);

/* From any thread: where worker's log is acknowledged up to (its
 * checkpoint), for the log's quota. */
uint64_t flusher_acked(const struct flusher *f, unsigned worker);

/* Before flusher_start: worker's log starts at position (nothing before
 * it is waiting). */
void flusher_set_position(struct flusher *f, unsigned worker,
                          uint64_t position);

/*
 * Asks the thread to apply everything submitted so far, waits up to
 * timeout_ms, and stops it. Returns the number of aggregate keys that
 * could not be applied (0 when all reached Redis).
 */
int64_t flusher_finish(struct flusher *f, uint64_t timeout_ms);

/* Frees f (after flusher_finish, or if never started); NULL is a no-op. */
void flusher_destroy(struct flusher *f);

const struct flusher_stats *flusher_stats(const struct flusher *f);

#endif
