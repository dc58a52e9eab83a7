/*
 * flusher.c: see flusher.h. Everything here runs on the flusher thread
 * except flusher_submit, flusher_finish and the creation calls.
 *
 * At most one batch is in flight. While it is unacknowledged, new tables
 * merge into `next`, which is sealed into a batch only after the one in
 * flight was applied: a batch never changes after its first send, so a
 * repeat with the same sequence number is recognised by the script.
 */
#include "aggregator/flusher.h"

#include <event2/event.h>
#include <event2/thread.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "aggregator/apply_script.h"
#include "aggregator/backlog.h"
#include "aggregator/instance_lock.h"
#include "aggregator/replay.h"
#include "aggregator/table.h"
#include "aggregator/wal_read.h"
#include "common/log.h"
#include "proto/resp.h"

#define MAX_SOURCES 256
#define MAX_TASKS 8
#define RETRY_MS 1000
/* A batch that met a redirection (a failover, a slot migrating) goes again
 * this soon, to the node the map now names. */
#define RETRY_REDIRECT_MS 100
/* How often the instance lock's state is looked at (on_lock_timer). */
#define LOCK_POLL_MS 500
/* The RESP buffer is kept for the next batch up to this size. */
#define RESP_KEEP_BYTES (256 * 1024)
/* After a batch of this many keys, once the backlog is empty, the heaps'
 * free pages go back to the system (malloc_trim). */
#define TRIM_AFTER_KEYS 10000
/* Script calls of a batch queued on the connection and not yet answered:
 * enough to keep Redis busy, few enough that the connection's output
 * buffer holds at most this many calls (site_calls.h bounds each) and
 * other clients' commands come in between. */
#define CALLS_IN_FLIGHT 8

struct submission {
    struct flusher_source *source;
    struct table *table;
    uint64_t position;
};

struct flusher {
    struct flusher_params p;
    struct backlog *backlog;
    struct flusher_stats stats;
    struct event_base *base;
    struct redis_pool *pool;
    struct instance_lock lock;
    int locking; /* lock.holder is set: batches wait for the lock */
    uint64_t lock_asked_ms; /* when the lock was last taken or refreshed */
    pthread_t thread;
    int started;

    struct flusher_source *sources[MAX_SOURCES];
    int n_sources;
    int round_pending; /* sources yet to answer this tick */
    struct flusher_task *tasks[MAX_TASKS];
    int n_tasks;

    /* inbox: filled by sources under the mutex */
    pthread_mutex_t mu;
    struct submission inbox[MAX_SOURCES];
    int n_inbox;
    struct flusher_settings reload; /* under mu, when reload_due */
    int reload_due;
    int trim_due; /* a large batch was applied since the last malloc_trim */

    struct table *next;       /* merged, not yet sealed */
    struct batch *in_flight;  /* sealed, not yet acknowledged */
    uint64_t last_seq;
    /* Log positions per worker: records before covered[w] are in next,
     * in flight or in Redis; next holds [next_start[w], covered[w]) when
     * in_next[w]. */
    uint64_t covered[JOURNAL_WORKERS];
    uint64_t next_start[JOURNAL_WORKERS];
    unsigned char in_next[JOURNAL_WORKERS];
    struct journal_range flight_range[JOURNAL_WORKERS];
    size_t n_flight_range;
    /* next's records are in the log only (spill_keys): batches are built
     * from the log again, chunk by chunk, into `rebuilt`. */
    int spilled;
    struct table *rebuilt;
    _Atomic uint64_t acked[JOURNAL_WORKERS]; /* the checkpoints */
    uint64_t gen;             /* tags replies of the current send */
    size_t next_cmd;          /* the batch's next command to queue */
    int replies_pending;
    int send_failed;
    int redirected; /* the failure was a redirection: retry soon */
    /* connections the send wrote to: each gets a WAIT after the last;
     * valid while the pool's epoch is written_epoch */
    struct redis_link **written;
    size_t n_written, cap_written;
    uint64_t written_epoch;
    int sending;
    struct timeval send_start;
    char *resp;      /* the command being queued, as RESP; kept for reuse */
    size_t resp_cap;

    struct event *tick_ev;
    struct event *inbox_ev;
    struct event *cmd_timeout_ev;
    struct event *retry_ev;
    struct event *finish_ev;
    struct event *deadline_ev;
    struct event *lock_ev;
    int finishing;
    uint64_t finish_timeout_ms;
};

static void try_send(struct flusher *f);
static int queue_more(struct flusher *f);

static void stat_add(_Atomic uint64_t *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static void stat_set(_Atomic uint64_t *c, uint64_t v)
{
    atomic_store_explicit(c, v, memory_order_relaxed);
}

static void arm_ms(struct event *ev, uint64_t ms)
{
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
    if (event_add(ev, &tv) < 0) {
        log_error("flusher: cannot arm a timer");
    }
}

static uint64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static void update_gauges(struct flusher *f)
{
    uint64_t bytes = table_count(f->next) > 0 ? table_bytes(f->next) : 0;
    if (f->in_flight != NULL) {
        bytes += f->in_flight->bytes;
    }
    stat_set(&f->stats.backlog_bytes, bytes);
    /* The log's part of the backlog: records handed over, not yet in
     * Redis (a worker's current table is not counted yet). */
    uint64_t wal = 0;
    for (unsigned w = 0; f->p.journal != NULL && w < JOURNAL_WORKERS; w++) {
        if (f->covered[w] > f->p.journal->checkpoint[w]) {
            wal += f->covered[w] - f->p.journal->checkpoint[w];
        }
    }
    stat_set(&f->stats.wal_bytes, wal);
    int64_t keys = backlog_keys(f->backlog);
    stat_set(&f->stats.backlog_keys, keys > 0 ? (uint64_t)keys : 0);
}

static int drained(struct flusher *f)
{
    /* n_inbox is written by the sources' threads: read it under mu */
    pthread_mutex_lock(&f->mu);
    int inbox_empty = f->n_inbox == 0;
    pthread_mutex_unlock(&f->mu);
    return f->in_flight == NULL && table_count(f->next) == 0 &&
           !f->spilled && inbox_empty;
}

static void check_finished(struct flusher *f)
{
    if (f->finishing && drained(f)) {
        event_base_loopbreak(f->base);
    }
}

static void observe_flush(struct flusher *f)
{
    struct timeval now, d;
    static const double bounds[] = {
#define FLUSHER_LE(le) le,
        FLUSHER_BUCKETS(FLUSHER_LE)
#undef FLUSHER_LE
    };
    gettimeofday(&now, NULL);
    timersub(&now, &f->send_start, &d);
    double s = (double)d.tv_sec + (double)d.tv_usec / 1e6;
    for (int i = 0; i < FLUSHER_BUCKET_COUNT; i++) {
        if (s <= bounds[i]) {
            stat_add(&f->stats.flush_buckets[i], 1);
        }
    }
    stat_add(&f->stats.flush_count, 1);
    stat_add(&f->stats.flush_sum_us, (uint64_t)d.tv_sec * 1000000 +
                                         (uint64_t)d.tv_usec);
}

/* The batch in flight is in Redis: its records need never be read again.
 * A lost journal line only means the batch is sent again after a crash,
 * which the script takes as a repeat. */
static void checkpoint(struct flusher *f)
{
    if (f->p.journal == NULL) {
        return;
    }
    journal_ack(f->p.journal, f->in_flight->seq);
    for (size_t i = 0; i < f->n_flight_range; i++) {
        const struct journal_range *r = &f->flight_range[i];
        atomic_store_explicit(&f->acked[r->worker], r->end,
                              memory_order_relaxed);
    }
    wal_drop_before(f->p.wal_dir, f->p.journal->checkpoint, JOURNAL_WORKERS);
    f->n_flight_range = 0;
}

/* All replies of a send are in. */
static void send_done(struct flusher *f)
{
    event_del(f->cmd_timeout_ev);
    f->sending = 0;
    if (f->send_failed) {
        stat_add(&f->stats.batches_retried_total, 1);
        arm_ms(f->retry_ev, f->redirected ? RETRY_REDIRECT_MS : RETRY_MS);
        return;
    }
    observe_flush(f);
    stat_add(&f->stats.batches_applied_total, 1);
    checkpoint(f);
    backlog_add(f->backlog, -f->in_flight->keys);
    f->trim_due |= f->in_flight->keys >= TRIM_AFTER_KEYS;
    batch_destroy(f->in_flight);
    f->in_flight = NULL;
    if (f->trim_due && table_count(f->next) == 0) {
        /* Large batches' many small allocations leave the heaps holding
         * free pages that malloc keeps unless asked: once the backlog is
         * gone, give them back. */
        malloc_trim(0);
        f->trim_due = 0;
    }
    update_gauges(f);
    try_send(f);
    check_finished(f);
}

/* The script answers 1 (applied), 0 (a repeat) or -N (applied, N keys of
 * the wrong type skipped); SADD a count. */
static int reply_ok(struct flusher *f, const redisReply *r)
{
    if (r == NULL || r->type != REDIS_REPLY_INTEGER) {
        return 0;
    }
    if (r->integer < 0) {
        log_warn("redis: batch %llu: %lld keys hold another type and were "
                 "not updated",
                 (unsigned long long)f->in_flight->seq, -r->integer);
    }
    return 1;
}

/*
 * A reply that is not what the send needs: the batch goes again. Returns
 * -1 when the send was given up meanwhile (the connection failed, or the
 * pool went down while following a redirection): its replies no longer
 * count.
 */
static int reply_failed(struct flusher *f, struct redis_link *link,
                        const redisReply *reply, uint64_t gen)
{
    f->send_failed = 1;
    stat_add(&f->stats.redis_errors_total, 1);
    if (reply == NULL || reply->type != REDIS_REPLY_ERROR) {
        return 0;
    }
    enum cluster_redirect_kind k =
        redis_pool_redirected(f->pool, link, reply->str, reply->len);
    if (k != CLUSTER_NO_REDIRECT || strncmp(reply->str, "TRYAGAIN", 8) == 0 ||
        strncmp(reply->str, "CLUSTERDOWN", 11) == 0) {
        /* a failover, a slot migrating, a cluster forming: sent again
         * soon, to the owner the map names by then */
        log_debug("redis: batch %llu: %s",
                  (unsigned long long)f->in_flight->seq, reply->str);
        f->redirected = 1;
        return gen == f->gen && f->sending ? 0 : -1;
    }
    log_warn("redis: batch %llu: %s", (unsigned long long)f->in_flight->seq,
             reply->str);
    /* The server lost the script (restart, SCRIPT FLUSH): a new connection
     * loads it again. */
    if (strncmp(reply->str, "NOSCRIPT", 8) == 0) {
        redis_link_fail(link, "script not loaded");
        return -1; /* on_pool() forgot this send */
    }
    return 0;
}

/* One reply fewer to wait for: queue what may follow, or finish. */
static void reply_counted(struct flusher *f)
{
    f->replies_pending--;
    if (queue_more(f) < 0) {
        return; /* on_pool() forgot this send */
    }
    if (f->replies_pending == 0) {
        send_done(f);
    }
}

static void on_reply(redisAsyncContext *ac, void *r, void *priv)
{
    struct redis_link *link = ac->data;
    struct flusher *f = redis_pool_arg_of(link);
    uint64_t gen = (uint64_t)(uintptr_t)priv;

    if (gen != f->gen || !f->sending) {
        return; /* a reply to a send we already gave up on */
    }
    if (!reply_ok(f, r) && reply_failed(f, link, r, gen) < 0) {
        return;
    }
    reply_counted(f);
}

/* The replicas that must hold what a send wrote on l. */
static int replicas_wanted(const struct flusher *f, const struct redis_link *l)
{
    if (f->p.min_replicas_ack >= 0) {
        return f->p.min_replicas_ack;
    }
    return redis_pool_replicas(f->pool, l) > 0 ? 1 : 0;
}

static void on_wait(redisAsyncContext *ac, void *r, void *priv)
{
    struct redis_link *link = ac->data;
    struct flusher *f = redis_pool_arg_of(link);
    const redisReply *reply = r;
    uint64_t gen = (uint64_t)(uintptr_t)priv;

    if (gen != f->gen || !f->sending) {
        return;
    }
    int want = replicas_wanted(f, link);
    if (reply != NULL && reply->type == REDIS_REPLY_INTEGER &&
        reply->integer < want) {
        /* Not yet on enough replicas: a master lost now could take the
         * batch with it, so it is not checkpointed; it goes again (its
         * calls answer 0) and is waited for again. */
        log_warn("redis: batch %llu: %lld of %d replicas acknowledged it",
                 (unsigned long long)f->in_flight->seq, reply->integer, want);
        f->send_failed = 1;
    } else if ((reply == NULL || reply->type != REDIS_REPLY_INTEGER) &&
               reply_failed(f, link, reply, gen) < 0) {
        return;
    }
    reply_counted(f);
}

/* Notes that the send wrote on l. Returns -1 when out of memory. */
static int note_written(struct flusher *f, struct redis_link *l)
{
    for (size_t i = 0; i < f->n_written; i++) {
        if (f->written[i] == l) {
            return 0;
        }
    }
    if (f->n_written == f->cap_written) {
        size_t cap = f->cap_written ? 2 * f->cap_written : 4;
        struct redis_link **n = realloc(f->written, cap * sizeof(*n));
        if (n == NULL) {
            return -1;
        }
        f->written = n;
        f->cap_written = cap;
    }
    f->written[f->n_written++] = l;
    return 0;
}

/* Queues one command on ac, formatted in f->resp. Returns REDIS_OK or
 * REDIS_ERR. */
static int queue_command(struct flusher *f, redisAsyncContext *ac,
                         const struct batch_cmd *c)
{
    size_t n = resp_command_size(c->argc, c->argvlen);
    if (n > f->resp_cap) {
        char *p = realloc(f->resp, n);
        if (p == NULL) {
            return REDIS_ERR;
        }
        f->resp = p;
        f->resp_cap = n;
    }
    n = resp_command_write(f->resp, c->argc, (const char *const *)c->argv,
                           c->argvlen);
    return redisAsyncFormattedCommand(ac, on_reply, (void *)(uintptr_t)f->gen,
                                      f->resp, n);
}

/* The key a command is routed by: a script's first key, else the
 * command's first argument. */
static void route_key(const struct batch_cmd *c, const char **key,
                      size_t *len)
{
    int at = c->is_script ? 3 : 1;
    *key = c->argv[at];
    *len = c->argvlen[at];
}

/* A queueing failure: the send is given up and the connections dropped
 * (they come back, and the pool's "up" sends the batch again). */
static int queue_failed(struct flusher *f, const char *why)
{
    f->sending = 0;
    f->gen++;
    event_del(f->cmd_timeout_ev);
    stat_add(&f->stats.redis_errors_total, 1);
    redis_pool_fail(f->pool, why);
    return -1;
}

/* After the batch's last command: a WAIT on each connection it wrote to
 * whose master must have replicas hold it. */
static int queue_waits(struct flusher *f)
{
    long long timeout = (long long)(f->p.command_timeout_ms / 2);
    if (redis_pool_epoch(f->pool) != f->written_epoch) {
        /* a connection written to was closed (its node left the map):
         * what went there cannot be waited for; the batch goes again */
        f->send_failed = 1;
        f->redirected = 1;
        f->n_written = 0;
        return 0;
    }
    for (size_t i = 0; i < f->n_written; i++) {
        struct redis_link *l = f->written[i];
        redisAsyncContext *ac = redis_link_ctx(l);
        int want = replicas_wanted(f, l);
        if (want == 0) {
            continue;
        }
        if (ac == NULL ||
            redisAsyncCommand(ac, on_wait, (void *)(uintptr_t)f->gen,
                              "WAIT %d %lld", want,
                              timeout > 0 ? timeout : 1) != REDIS_OK) {
            return queue_failed(f, "cannot queue WAIT");
        }
        f->replies_pending++;
    }
    f->n_written = 0;
    return 0;
}

/*
 * Queues the next commands of the batch in flight, each on its key's
 * connection, until CALLS_IN_FLIGHT are unanswered; none after a failure
 * (the calls after a failed one are refused anyway, and the batch goes
 * again). A command whose master is not connected fails the send too.
 * Returns -1 when the send was given up.
 */
static int queue_more(struct flusher *f)
{
    struct batch *b = f->in_flight;

    while (!f->send_failed && f->replies_pending < CALLS_IN_FLIGHT &&
           f->next_cmd < b->n_cmds) {
        struct batch_cmd *c = &b->cmds[f->next_cmd];
        const char *key;
        size_t len;
        int asking;
        route_key(c, &key, &len);
        struct redis_link *l = redis_pool_route(f->pool, key, len, &asking);
        redisAsyncContext *ac = l != NULL ? redis_link_ctx(l) : NULL;
        if (ac == NULL) {
            /* its master is away (a failover under way): the pool goes
             * down and comes up again with the new one */
            f->send_failed = 1;
            f->redirected = 1;
            break;
        }
        if (c->is_script) {
            c->argv[1] = redis_link_script_sha(l);
            c->argvlen[1] = 40;
        }
        if ((asking && redisAsyncCommand(ac, NULL, NULL, "ASKING") !=
                           REDIS_OK) ||
            queue_command(f, ac, c) != REDIS_OK || note_written(f, l) < 0) {
            return queue_failed(f, "cannot queue a command");
        }
        f->next_cmd++;
        f->replies_pending++;
        if (f->next_cmd == b->n_cmds && queue_waits(f) < 0) {
            return -1;
        }
    }
    /* hiredis has copied the commands: a burst's buffer is not kept */
    if (f->resp_cap > RESP_KEEP_BYTES) {
        free(f->resp);
        f->resp = NULL;
        f->resp_cap = 0;
    }
    return 0;
}

/* Sends the batch in flight, pipelined, CALLS_IN_FLIGHT commands at a
 * time. */
/* Batches go only under this instance's lock. */
static int may_send(const struct flusher *f)
{
    return redis_pool_up(f->pool) &&
           (!f->locking || f->lock.state == INSTANCE_LOCK_HELD);
}

static void send_batch(struct flusher *f)
{
    if (!may_send(f) || f->in_flight == NULL || f->sending) {
        return;
    }
    f->gen++;
    f->sending = 1;
    f->send_failed = 0;
    f->redirected = 0;
    f->next_cmd = 0;
    f->n_written = 0;
    f->written_epoch = redis_pool_epoch(f->pool);
    f->replies_pending = 0;
    gettimeofday(&f->send_start, NULL);
    if (queue_more(f) < 0) {
        return;
    }
    if (f->replies_pending == 0) {
        send_done(f); /* nothing could be queued: the retry's timer */
        return;
    }
    arm_ms(f->cmd_timeout_ev, f->p.command_timeout_ms);
}

/* b becomes the batch in flight, holding the records of ranges r[0..n),
 * recorded in the journal before its first send. */
static void seal(struct flusher *f, struct batch *b,
                 const struct journal_range *r, size_t n)
{
    memmove(f->flight_range, r, n * sizeof(r[0]));
    f->n_flight_range = n;
    if (f->p.journal != NULL) {
        f->p.journal->next_seq = b->seq + 1;
        if (journal_seal(f->p.journal, b->seq, f->flight_range,
                         f->n_flight_range) < 0) {
            log_error("flusher: batch %llu not in the journal: after a "
                      "crash its records could count twice",
                      (unsigned long long)b->seq);
        }
    }
    f->last_seq = b->seq;
    f->in_flight = b;
}

static uint64_t next_seq(struct flusher *f)
{
    uint64_t seq = f->p.journal != NULL ? f->p.journal->next_seq : now_ms();
    return seq > f->last_seq ? seq : f->last_seq + 1;
}

/* next's ranges, taken: the next batch holds them. */
static size_t take_ranges(struct flusher *f, struct journal_range *r)
{
    size_t n = 0;
    for (unsigned w = 0; w < JOURNAL_WORKERS; w++) {
        if (f->in_next[w]) {
            r[n++] = (struct journal_range){w, f->next_start[w],
                                            f->covered[w]};
            f->in_next[w] = 0;
        }
    }
    return n;
}

/*
 * While spilled: the next batch, built from the log (at most chunk_keys
 * keys), with the ranges it holds. NULL when there is nothing more to
 * read (then new tables merge in memory again) or on an error (logged;
 * the next tick tries again).
 */
static struct batch *build_from_log(struct flusher *f,
                                    struct journal_range *r, size_t *n)
{
    struct wal_segment *segs;
    char err[256];
    struct batch *b = NULL;
    long n_segs = wal_list(f->p.wal_dir, &segs, err, sizeof(err));
    if (n_segs < 0) {
        log_error("flusher: %s", err);
        return NULL;
    }
    table_reset(f->rebuilt);
    *n = 0;
    for (unsigned w = 0; w < JOURNAL_WORKERS; w++) {
        if (!f->in_next[w] || table_count(f->rebuilt) >= f->p.chunk_keys) {
            continue;
        }
        struct wal_read_result res;
        if (replay_range(f->p.wal_dir, segs, (size_t)n_segs, w,
                         f->next_start[w], f->covered[w], f->rebuilt,
                         f->p.chunk_keys, &res, err, sizeof(err)) < 0) {
            log_error("flusher: %s", err);
            goto out;
        }
        uint64_t end = res.position;
        int full = table_count(f->rebuilt) >= f->p.chunk_keys;
        if (res.end != WAL_END_CLEAN || (end < f->covered[w] && !full)) {
            /* the records past it cannot be read (damaged, or their
             * files gone): they are lost */
            log_error("flusher: worker %u's log: %s: records %llu to %llu "
                      "are lost",
                      w, res.where, (unsigned long long)end,
                      (unsigned long long)f->covered[w]);
            end = f->covered[w];
        }
        if (end > f->next_start[w]) {
            r[(*n)++] = (struct journal_range){w, f->next_start[w], end};
        }
        f->next_start[w] = end;
        f->in_next[w] = end < f->covered[w];
    }
    f->spilled = 0;
    for (unsigned w = 0; w < JOURNAL_WORKERS; w++) {
        f->spilled |= f->in_next[w];
    }
    if (table_count(f->rebuilt) > 0) {
        b = batch_build(f->rebuilt, next_seq(f), &f->p.batch, err,
                        sizeof(err));
        if (b == NULL) {
            log_error("flusher: cannot build a batch: %s", err);
        } else {
            backlog_add(f->backlog, (int64_t)table_count(f->rebuilt));
        }
    }
out:
    free(segs);
    return b;
}

/* Seals the next batch when nothing is in flight, and sends it. */
static void try_send(struct flusher *f)
{
    if (f->in_flight == NULL && may_send(f)) {
        struct journal_range r[JOURNAL_WORKERS];
        size_t n = 0;
        struct batch *b = NULL;
        char err[128];
        if (f->spilled) {
            b = build_from_log(f, r, &n);
        } else if (table_count(f->next) > 0) {
            b = batch_build(f->next, next_seq(f), &f->p.batch, err,
                            sizeof(err));
            if (b == NULL) {
                /* next keeps its data; the next tick tries again */
                log_error("flusher: cannot build a batch: %s", err);
                return;
            }
            n = take_ranges(f, r);
            table_reset(f->next);
        }
        if (b != NULL) {
            seal(f, b, r, n);
            update_gauges(f);
        }
    }
    send_batch(f);
}

/* Redis away and too much in memory: the log holds next's records, so
 * next goes, and batches are built from the log once Redis is back. */
static void maybe_spill(struct flusher *f)
{
    if (f->spilled || f->p.journal == NULL || f->p.spill_keys <= 0 ||
        redis_pool_up(f->pool) || table_count(f->next) == 0 ||
        backlog_keys(f->backlog) < f->p.spill_keys) {
        return;
    }
    log_info("flusher: Redis is away and %lld aggregate keys wait: they "
             "stay in the write-ahead log only, and go to Redis from it",
             (long long)backlog_keys(f->backlog));
    backlog_add(f->backlog, -(int64_t)table_count(f->next));
    table_reset(f->next);
    f->spilled = 1;
}

static void run_tasks(struct flusher *f)
{
    struct redis_pool *pool = redis_pool_up(f->pool) ? f->pool : NULL;
    time_t now = time(NULL);
    for (int i = 0; i < f->n_tasks; i++) {
        f->tasks[i]->run(f->tasks[i], pool, now);
    }
}

struct redisAsyncContext *flusher_task_ctx(struct redis_pool *pool,
                                           const char *key)
{
    int asking;
    struct redis_link *l = redis_pool_route(pool, key, strlen(key), &asking);
    return l != NULL && !asking ? redis_link_ctx(l) : NULL;
}

static void on_pool(struct redis_pool *p, int up, void *arg)
{
    struct flusher *f = arg;
    (void)p;
    stat_set(&f->stats.redis_up, (uint64_t)up);
    if (up) {
        if (f->locking) {
            /* the lock may have run out meanwhile: its reply sends */
            f->lock_asked_ms = now_ms();
            instance_lock_refresh(&f->lock, f->pool);
        }
        run_tasks(f);
        try_send(f);
        return;
    }
    instance_lock_forget(&f->lock);
    stat_add(&f->stats.redis_errors_total, 1);
    if (f->sending) {
        /* Replies of this send will not come (or come as NULL): forget
         * them; the batch goes again when the link is back. */
        f->gen++;
        f->sending = 0;
        event_del(f->cmd_timeout_ev);
        stat_add(&f->stats.batches_retried_total, 1);
    }
}

static void on_cmd_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct flusher *f = arg;
    log_warn("redis: batch not acknowledged within %llu ms",
             (unsigned long long)f->p.command_timeout_ms);
    redis_pool_fail(f->pool, "command timed out");
}

static void on_lock_changed(struct instance_lock *l, void *arg)
{
    (void)l;
    try_send(arg);
    check_finished(arg);
}

/* Every LOCK_POLL_MS: a lock held is refreshed every
 * INSTANCE_LOCK_REFRESH_MS; one not held (not known yet, or another's)
 * is asked for at each poll, so batches wait no longer than that once it
 * is free. */
static void on_lock_timer(evutil_socket_t fd, short what, void *arg)
{
    struct flusher *f = arg;
    uint64_t now = now_ms();
    (void)fd;
    (void)what;
    if (redis_pool_up(f->pool) &&
        (f->lock.state != INSTANCE_LOCK_HELD ||
         now - f->lock_asked_ms >= INSTANCE_LOCK_REFRESH_MS)) {
        f->lock_asked_ms = now;
        instance_lock_refresh(&f->lock, f->pool);
    }
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    try_send(arg);
}

static void take_inbox(struct flusher *f)
{
    struct submission subs[MAX_SOURCES];
    int n;

    pthread_mutex_lock(&f->mu);
    n = f->n_inbox;
    memcpy(subs, f->inbox, (size_t)n * sizeof(subs[0]));
    f->n_inbox = 0;
    pthread_mutex_unlock(&f->mu);

    for (int i = 0; i < n; i++) {
        struct table *t = subs[i].table;
        unsigned w = subs[i].source->worker;
        f->round_pending--;
        if (t == NULL) {
            continue;
        }
        if (w < JOURNAL_WORKERS && subs[i].position > f->covered[w]) {
            if (!f->in_next[w]) {
                f->next_start[w] = f->covered[w];
                f->in_next[w] = 1;
            }
            f->covered[w] = subs[i].position;
        }
        if (f->spilled) {
            /* its records are in the log, which batches are built from */
            backlog_add(f->backlog, -(int64_t)table_count(t));
            table_reset(t);
            atomic_store_explicit(&subs[i].source->spare, t,
                                  memory_order_release);
            continue;
        }
        long created = table_merge(f->next, t);
        if (created < 0) {
            /* Out of memory mid-merge: the keys stay reserved in the
             * backlog; nothing better can be done without losing counts. */
            log_error("flusher: out of memory merging a table");
            created = 0;
        }
        backlog_add(f->backlog, created - (int64_t)table_count(t));
        table_reset(t);
        atomic_store_explicit(&subs[i].source->spare, t,
                              memory_order_release);
    }
    maybe_spill(f);
    update_gauges(f);
}

static void on_inbox(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct flusher *f = arg;
    take_inbox(f);
    if (f->round_pending <= 0 || f->finishing) {
        try_send(f);
    }
    check_finished(f);
}

void flusher_reload(struct flusher *f, const struct flusher_settings *s)
{
    pthread_mutex_lock(&f->mu);
    f->reload = *s;
    f->reload_due = 1;
    pthread_mutex_unlock(&f->mu);
}

/* A reload's settings, on the flusher's thread, between flushes. */
static void take_reload(struct flusher *f)
{
    pthread_mutex_lock(&f->mu);
    int due = f->reload_due;
    struct flusher_settings s = f->reload;
    f->reload_due = 0;
    pthread_mutex_unlock(&f->mu);
    if (!due) {
        return;
    }
    f->p.batch.retention_minute_s = s.retention_minute_s;
    f->p.batch.retention_hour_s = s.retention_hour_s;
    f->p.batch.retention_day_s = s.retention_day_s;
    f->p.batch.max_members = s.max_members;
    f->p.batch.max_areas = s.max_areas;
    f->p.command_timeout_ms = s.command_timeout_ms;
    if (s.flush_interval_ms != f->p.flush_interval_ms) {
        f->p.flush_interval_ms = s.flush_interval_ms;
        arm_ms(f->tick_ev, s.flush_interval_ms);
    }
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct flusher *f = arg;
    take_reload(f);
    f->round_pending = f->n_sources;
    for (int i = 0; i < f->n_sources; i++) {
        f->sources[i]->request_handoff(f->sources[i]);
    }
    run_tasks(f);
    /* Sources that were slow last round: send what we have. */
    try_send(f);
}

static void on_finish(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct flusher *f = arg;
    f->finishing = 1;
    arm_ms(f->deadline_ev, f->finish_timeout_ms);
    take_inbox(f);
    try_send(f);
    check_finished(f);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(((struct flusher *)arg)->base);
}

struct flusher *flusher_create(const struct flusher_params *p,
                               struct backlog *backlog)
{
    struct flusher *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return NULL;
    }
    f->p = *p;
    f->p.target.script = APPLY_SCRIPT;
    f->backlog = backlog;
    pthread_mutex_init(&f->mu, NULL);
    f->base = event_base_new();
    f->next = table_create();
    f->rebuilt = table_create();
    if (f->base == NULL || f->next == NULL || f->rebuilt == NULL) {
        goto err;
    }
    f->tick_ev = event_new(f->base, -1, EV_PERSIST, on_tick, f);
    f->inbox_ev = event_new(f->base, -1, 0, on_inbox, f);
    f->cmd_timeout_ev = evtimer_new(f->base, on_cmd_timeout, f);
    f->retry_ev = evtimer_new(f->base, on_retry, f);
    f->finish_ev = event_new(f->base, -1, 0, on_finish, f);
    f->deadline_ev = evtimer_new(f->base, on_deadline, f);
    f->lock_ev = event_new(f->base, -1, EV_PERSIST, on_lock_timer, f);
    if (f->tick_ev == NULL || f->inbox_ev == NULL ||
        f->cmd_timeout_ev == NULL || f->retry_ev == NULL ||
        f->finish_ev == NULL || f->deadline_ev == NULL || f->lock_ev == NULL) {
        goto err;
    }
    if (p->lock_holder != NULL) {
        if (instance_lock_init(&f->lock, p->batch.prefix, p->batch.instance,
                               p->lock_holder) < 0) {
            goto err;
        }
        f->lock.changed = on_lock_changed;
        f->lock.arg = f;
        f->locking = 1;
    }
    return f;
err:
    flusher_destroy(f);
    return NULL;
}

struct instance_lock *flusher_lock(struct flusher *f)
{
    return f->locking ? &f->lock : NULL;
}

int flusher_add_source(struct flusher *f, struct flusher_source *s)
{
    if (f->n_sources == MAX_SOURCES) {
        return -1;
    }
    f->sources[f->n_sources++] = s;
    return 0;
}

int flusher_add_task(struct flusher *f, struct flusher_task *t)
{
    if (f->n_tasks == MAX_TASKS) {
        return -1;
    }
    f->tasks[f->n_tasks++] = t;
    return 0;
}

static void *flusher_main(void *arg)
{
    struct flusher *f = arg;
    event_base_dispatch(f->base);
    return NULL;
}

int flusher_start(struct flusher *f)
{
    char err[160];
    f->pool = redis_pool_create(f->base, &f->p.target, f->p.cluster, on_pool,
                                f, err, sizeof(err));
    if (f->pool == NULL) {
        log_error("redis: %s", err);
        return -1;
    }
    arm_ms(f->tick_ev, f->p.flush_interval_ms);
    if (f->locking) {
        arm_ms(f->lock_ev, LOCK_POLL_MS);
    }
    if (pthread_create(&f->thread, NULL, flusher_main, f) != 0) {
        return -1;
    }
    f->started = 1;
    return 0;
}

void flusher_recover(struct flusher *f, struct batch *pending,
                     const struct journal_range *pending_range,
                     size_t n_pending, const struct journal_range *rest,
                     size_t n_rest)
{
    for (size_t i = 0; i < n_rest; i++) {
        unsigned w = rest[i].worker;
        f->next_start[w] = rest[i].start;
        f->covered[w] = rest[i].end;
        f->in_next[w] = 1;
        f->spilled = 1;
    }
    if (pending != NULL) {
        f->in_flight = pending;
        f->last_seq = pending->seq;
        memcpy(f->flight_range, pending_range,
               n_pending * sizeof(pending_range[0]));
        f->n_flight_range = n_pending;
        backlog_add(f->backlog, pending->keys);
    }
    for (unsigned w = 0; f->p.journal != NULL && w < JOURNAL_WORKERS; w++) {
        atomic_store(&f->acked[w], f->p.journal->checkpoint[w]);
    }
    update_gauges(f);
}

uint64_t flusher_acked(const struct flusher *f, unsigned worker)
{
    return worker < JOURNAL_WORKERS
               ? atomic_load_explicit(&f->acked[worker],
                                      memory_order_relaxed)
               : 0;
}

void flusher_set_position(struct flusher *f, unsigned worker,
                          uint64_t position)
{
    if (worker < JOURNAL_WORKERS && position > f->covered[worker]) {
        f->covered[worker] = position;
    }
}

void flusher_submit(struct flusher *f, struct flusher_source *s,
                    struct table *t, uint64_t position)
{
    pthread_mutex_lock(&f->mu);
    /* Each source has at most one submission pending: it submits only
     * after taking its spare, which the flusher returns after taking the
     * submission. A NULL "nothing" answer may repeat; drop extras. */
    if (f->n_inbox < MAX_SOURCES) {
        f->inbox[f->n_inbox].source = s;
        f->inbox[f->n_inbox].table = t;
        f->inbox[f->n_inbox].position = position;
        f->n_inbox++;
    }
    pthread_mutex_unlock(&f->mu);
    event_active(f->inbox_ev, 0, 0);
}

int64_t flusher_finish(struct flusher *f, uint64_t timeout_ms)
{
    if (!f->started) {
        return 0;
    }
    f->finish_timeout_ms = timeout_ms;
    event_active(f->finish_ev, 0, 0);
    pthread_join(f->thread, NULL);
    f->started = 0;
    take_inbox(f);
    int64_t left = (int64_t)table_count(f->next);
    if (f->in_flight != NULL) {
        left += f->in_flight->keys;
    }
    if (f->spilled) {
        log_warn("flusher: the write-ahead log holds hits Redis does not "
                 "have yet: they go at the next start");
    }
    return left;
}

void flusher_destroy(struct flusher *f)
{
    if (f == NULL) {
        return;
    }
    /* Replies freed with the link must not start a retry. */
    f->sending = 0;
    redis_pool_destroy(f->pool);
    struct event *evs[] = {f->tick_ev,   f->inbox_ev,    f->cmd_timeout_ev,
                           f->retry_ev,  f->finish_ev,   f->deadline_ev,
                           f->lock_ev};
    for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
        if (evs[i] != NULL) {
            event_free(evs[i]);
        }
    }
    batch_destroy(f->in_flight);
    free(f->written);
    table_destroy(f->next);
    table_destroy(f->rebuilt);
    free(f->resp);
    if (f->base != NULL) {
        event_base_free(f->base);
    }
    pthread_mutex_destroy(&f->mu);
    free(f);
}

const struct flusher_stats *flusher_stats(const struct flusher *f)
{
    return &f->stats;
}
