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
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "aggregator/apply_script.h"
#include "aggregator/backlog.h"
#include "aggregator/batch_send.h"
#include "aggregator/instance_lock.h"
#include "aggregator/replay.h"
#include "aggregator/table.h"
#include "aggregator/wal_read.h"
#include "common/clock.h"
#include "common/ev_timer.h"
#include "common/log.h"

#define MAX_SOURCES 256
#define MAX_TASKS 8
#define RETRY_MS 1000
/* A batch that met a redirection (a failover, a slot migrating) goes again
 * this soon, to the node the map now names. */
#define RETRY_REDIRECT_MS 100
/* How often the instance lock's state is looked at (on_lock_timer). */
#define LOCK_POLL_MS 500
/* After a batch of this many keys, once the backlog is empty, the heaps'
 * free pages go back to the system (malloc_trim). */
#define TRIM_AFTER_KEYS 10000

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
    int unjournaled;          /* in_flight's journal line failed */
    uint64_t last_seq;
    /* Log positions per worker: records before covered[w] are in next,
     * in flight or in Redis; next holds [next_start[w], covered[w]) when
     * in_next[w]. */
    uint64_t covered[JOURNAL_WORKERS];
    uint64_t next_start[JOURNAL_WORKERS];
    unsigned char in_next[JOURNAL_WORKERS];
    /* next's records are in the log only (spill_keys): batches are built
     * from the log again, chunk by chunk, into `rebuilt`. */
    int spilled;
    struct table *rebuilt;
    _Atomic uint64_t acked[JOURNAL_WORKERS]; /* the checkpoints */
    struct batch_send send; /* the batch in flight on its way */
    struct timeval send_start;

    struct event *tick_ev;
    struct event *inbox_ev;
    struct event *retry_ev;
    struct event *finish_ev;
    struct event *deadline_ev;
    struct event *lock_ev;
    int finishing;
    uint64_t finish_timeout_ms;
};

static void try_send(struct flusher *f);

static void stat_add(_Atomic uint64_t *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static void stat_set(_Atomic uint64_t *c, uint64_t v)
{
    atomic_store_explicit(c, v, memory_order_relaxed);
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
    uint64_t wal = 0, fullest = 0;
    for (unsigned w = 0; f->p.journal != NULL && w < JOURNAL_WORKERS; w++) {
        if (f->covered[w] > f->p.journal->checkpoint[w]) {
            uint64_t held = f->covered[w] - f->p.journal->checkpoint[w];
            wal += held;
            fullest = held > fullest ? held : fullest;
        }
    }
    stat_set(&f->stats.wal_bytes, wal);
    stat_set(&f->stats.wal_bytes_fullest, fullest);
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

/* The journal's checkpoints, for the workers' quota (flusher_acked). */
static void publish_acked(struct flusher *f)
{
    for (unsigned w = 0; w < JOURNAL_WORKERS; w++) {
        atomic_store_explicit(&f->acked[w], f->p.journal->checkpoint[w],
                              memory_order_relaxed);
    }
}

/* The batch in flight is in Redis: its records need never be read again.
 * Without the acknowledgement in the journal, a start would send the
 * batch again (the script takes it as a repeat) and so read its records:
 * their segments stay, and count against the quota, until a later
 * acknowledgement is written. */
static void checkpoint(struct flusher *f)
{
    if (f->p.journal == NULL ||
        journal_ack(f->p.journal, f->in_flight->seq) < 0) {
        return;
    }
    publish_acked(f);
    wal_drop_before(f->p.wal_dir, f->p.journal->checkpoint, JOURNAL_WORKERS);
}

/* All replies of a send are in. */
static void send_done(struct batch_send *s, int ok, int soon)
{
    struct flusher *f = s->owner;
    if (!ok) {
        stat_add(&f->stats.batches_retried_total, 1);
        ev_arm_ms(f->retry_ev, soon ? RETRY_REDIRECT_MS : RETRY_MS);
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

/* Batches go only under this instance's lock. */
static int may_send(const struct flusher *f)
{
    return redis_pool_up(f->pool) &&
           (!f->locking || instance_lock_held(&f->lock, clock_monotonic_ms()));
}

/* Sends the batch in flight (batch_send.h). */
static void send_batch(struct flusher *f)
{
    if (!may_send(f) || f->in_flight == NULL || f->send.busy) {
        return;
    }
    if (f->unjournaled) {
        if (journal_rewrite(f->p.journal) < 0) {
            ev_arm_ms(f->retry_ev, RETRY_MS);
            return;
        }
        log_info("flusher: batch %llu is in the journal now",
                 (unsigned long long)f->in_flight->seq);
        f->unjournaled = 0;
    }
    gettimeofday(&f->send_start, NULL);
    batch_send_start(&f->send, f->in_flight);
}

/* b becomes the batch in flight, holding the records of ranges r[0..n),
 * recorded in the journal before its first send. */
static void seal(struct flusher *f, struct batch *b,
                 const struct journal_range *r, size_t n)
{
    if (f->p.journal != NULL) {
        f->p.journal->next_seq = b->seq + 1;
        /* Sent before its line is durable, the batch could be built
         * again after a crash under another number and count twice. */
        f->unjournaled = journal_seal(f->p.journal, b->seq, r, n) < 0;
        if (f->unjournaled) {
            log_error("flusher: batch %llu cannot be written to the "
                      "journal; it waits until it can",
                      (unsigned long long)b->seq);
        }
    }
    f->last_seq = b->seq;
    f->in_flight = b;
}

static uint64_t next_seq(struct flusher *f)
{
    uint64_t seq =
        f->p.journal != NULL ? f->p.journal->next_seq : clock_wall_ms();
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

/* The pool's arg is the sender (batch_send.h), whose owner we are. */
static void on_pool(struct redis_pool *p, int up, void *arg)
{
    struct flusher *f = ((struct batch_send *)arg)->owner;
    (void)p;
    stat_set(&f->stats.redis_up, (uint64_t)up);
    if (up) {
        if (f->locking) {
            /* the lock may have run out meanwhile: its reply sends */
            instance_lock_refresh(&f->lock, f->pool, clock_monotonic_ms());
        }
        run_tasks(f);
        try_send(f);
        return;
    }
    instance_lock_forget(&f->lock);
    stat_add(&f->stats.redis_errors_total, 1);
    if (batch_send_forget(&f->send)) {
        /* the batch goes again when the pool is back */
        stat_add(&f->stats.batches_retried_total, 1);
    }
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
 * is free. A lock whose time ran out stops the batches (may_send) until
 * a refresh says it is held again. */
static void on_lock_timer(evutil_socket_t fd, short what, void *arg)
{
    struct flusher *f = arg;
    (void)fd;
    (void)what;
    if (redis_pool_up(f->pool) &&
        instance_lock_refresh(&f->lock, f->pool, clock_monotonic_ms()) < 0) {
        /* its reply will come as NULL, and the pool reconnects */
        redis_pool_fail(f->pool, "the instance lock's refresh got no answer");
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
    f->send.timeout_ms = s.command_timeout_ms;
    if (s.flush_interval_ms != f->p.flush_interval_ms) {
        f->p.flush_interval_ms = s.flush_interval_ms;
        ev_arm_ms(f->tick_ev, s.flush_interval_ms);
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
    ev_arm_ms(f->deadline_ev, f->finish_timeout_ms);
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
    f->retry_ev = evtimer_new(f->base, on_retry, f);
    f->finish_ev = event_new(f->base, -1, 0, on_finish, f);
    f->deadline_ev = evtimer_new(f->base, on_deadline, f);
    f->lock_ev = event_new(f->base, -1, EV_PERSIST, on_lock_timer, f);
    if (f->tick_ev == NULL || f->inbox_ev == NULL ||
        batch_send_init(&f->send, f->base) < 0 || f->retry_ev == NULL ||
        f->finish_ev == NULL || f->deadline_ev == NULL || f->lock_ev == NULL) {
        goto err;
    }
    f->send.owner = f;
    f->send.min_replicas_ack = p->min_replicas_ack;
    f->send.timeout_ms = p->command_timeout_ms;
    f->send.errors = &f->stats.redis_errors_total;
    f->send.done = send_done;
    if (p->lock_holder != NULL) {
        if (instance_lock_init(&f->lock, p->batch.prefix, p->instance,
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
                                &f->send, err, sizeof(err));
    if (f->pool == NULL) {
        log_error("redis: %s", err);
        return -1;
    }
    f->send.pool = f->pool;
    ev_arm_ms(f->tick_ev, f->p.flush_interval_ms);
    if (f->locking) {
        ev_arm_ms(f->lock_ev, LOCK_POLL_MS);
    }
    if (pthread_create(&f->thread, NULL, flusher_main, f) != 0) {
        return -1;
    }
    f->started = 1;
    return 0;
}

void flusher_recover(struct flusher *f, struct batch *pending,
                     const struct journal_range *rest, size_t n_rest)
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
        backlog_add(f->backlog, pending->keys);
    }
    if (f->p.journal != NULL) {
        publish_acked(f);
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
    /* Replies freed with the connections must not start a retry. */
    batch_send_forget(&f->send);
    redis_pool_destroy(f->pool);
    batch_send_deinit(&f->send);
    struct event *evs[] = {f->tick_ev,  f->inbox_ev,   f->retry_ev,
                           f->finish_ev, f->deadline_ev, f->lock_ev};
    for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
        if (evs[i] != NULL) {
            event_free(evs[i]);
        }
    }
    batch_destroy(f->in_flight);
    table_destroy(f->next);
    table_destroy(f->rebuilt);
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
