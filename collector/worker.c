/*
 * worker.c: the worker thread (see worker.h).
 */
#include "collector/worker.h"

#include <event2/event.h>
#include <event2/listener.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aggregator/backlog.h"
#include "aggregator/counts.h"
#include "aggregator/table.h"
#include "aggregator/wal.h"
#include "collector/ingest/ingest.h"
#include "collector/privacy/policy.h"
#include "collector/router.h"
#include "collector/server.h"
#include "common/ev_timer.h"
#include "common/log.h"
#include "proto/walrec.h"

time_t worker_now(struct worker *w)
{
    struct timeval tv;
    event_base_gettimeofday_cached(w->base, &tv);
    return tv.tv_sec;
}

int worker_log_room(struct worker *w, size_t records)
{
    uint64_t pos = wal_position(w->wal);
    uint64_t acked = flusher_acked(w->srv->flusher, w->source.worker);
    uint64_t used = pos > acked ? pos - acked : 0;
    return used + records * WALREC_MAX <= w->srv->log_quota ? 0 : -1;
}

int worker_reserve_hit(struct worker *w)
{
    return backlog_has_room(&w->srv->backlog, COUNTS_MAX_KEYS_PER_HIT) &&
                   worker_log_room(w, 1) == 0 &&
                   table_reserve(w->active, COUNTS_MAX_BYTES_PER_HIT) == 0 &&
                   wal_reserve(w->wal, WALREC_MAX) == 0
               ? 0
               : -1;
}

char *worker_log_space(struct worker *w)
{
    return wal_space(w->wal);
}

void worker_log(struct worker *w, size_t len)
{
    wal_append(w->wal, len);
}

/* The pool's answers wait while records of this turn are not written. */
static int must_wait(void *arg)
{
    return wal_pending(((struct worker *)arg)->wal) > 0;
}

/* The end of a loop turn: one write() of the turn's records, then the
 * answers that waited for it (which may count held-back requests: again). */
static void commit(struct worker *w)
{
    do {
        if (wal_commit(w->wal) < 0) {
            /* The disk failed us: the answers that would say "counted"
             * for hits not in the log are never sent (their hits may
             * still reach Redis, as for a crash). The records stay
             * pending; later turns write them again, and shed new hits
             * until they can. */
            conn_pool_close_waiting(&w->pool);
            return;
        }
    } while (conn_pool_release(&w->pool) > 0);
    /* A syslog line has no answer: the metric is its acknowledgement. */
    metrics_add(&w->metrics.hits[METRICS_E_syslog][METRICS_O_counted],
                w->syslog_counted_unlogged);
    w->syslog_counted_unlogged = 0;
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *sa, int salen, void *arg)
{
    struct worker *w = arg;
    (void)l;
    (void)salen;
    conn_pool_accept(&w->pool, fd, sa);
}

/* The public edge's handler: the router. */
static int answer(void *arg, const struct request *r,
                  const struct ip_addr *peer, struct outbuf *out,
                  enum response_conn conn)
{
    return router_dispatch(arg, r, peer, out, conn);
}

static void refuse(void *arg, int status, struct span target,
                   struct outbuf *out)
{
    router_error(arg, status, target, out);
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
    struct worker *w = arg;
    int err = EVUTIL_SOCKET_ERROR();
    (void)l;
    /* EMFILE and friends: libevent retries on the next readiness. */
    log_warn("worker %d: accept: %s", w->id,
             evutil_socket_error_to_string(err));
}

/* The flusher asks for our table: swap in the spare and hand it over. */
static void on_handoff(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    (void)fd;
    (void)what;
    /* Between requests: no policy pointer is held here (policy.h). */
    atomic_store(&w->seen_epoch, atomic_load(&w->srv->epoch));
    if (table_count(w->active) == 0) {
        flusher_submit(w->srv->flusher, &w->source, NULL, 0);
        return;
    }
    struct table *spare = atomic_exchange_explicit(&w->source.spare, NULL,
                                                   memory_order_acquire);
    if (spare == NULL) {
        /* The flusher still holds our last table: keep counting here. */
        flusher_submit(w->srv->flusher, &w->source, NULL, 0);
        return;
    }
    /* The table's records are written before it can reach Redis. */
    commit(w);
    struct table *full = w->active;
    w->active = spare;
    flusher_submit(w->srv->flusher, &w->source, full, wal_position(w->wal));
}

static void request_handoff(struct flusher_source *s)
{
    struct worker *w = (struct worker *)((char *)s -
                                         offsetof(struct worker, source));
    event_active(w->handoff_ev, 0, 0);
}

static void on_drain_deadline(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    (void)fd;
    (void)what;
    if (w->pool.n_live > 0) {
        log_warn("worker %d: drain timeout, closing %d connections", w->id,
                 w->pool.n_live);
    }
    conn_pool_close_all(&w->pool);
    event_base_loopexit(w->base, NULL);
}

static void on_drain(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    (void)fd;
    (void)what;
    for (int i = 0; i < w->n_listeners; i++) {
        evconnlistener_free(w->listeners[i]);
        w->listeners[i] = NULL;
    }
    w->n_listeners = 0;
    if (w->ingest != NULL) {
        ingest_stop(w->ingest);
    }
    if (conn_pool_drain(&w->pool) == 0) {
        event_base_loopexit(w->base, NULL);
        return;
    }
    ev_arm_ms(w->drain_deadline_ev, w->srv->cfg->drain_timeout_ms);
}

struct worker *worker_create(struct server *srv, int id, const int *fds,
                             int n_fds, struct wal *wal)
{
    struct worker *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        for (int i = 0; i < n_fds; i++) {
            close(fds[i]);
        }
        wal_close(wal);
        return NULL;
    }
    w->wal = wal;
    w->id = id;
    w->source.worker = (unsigned)id;
    w->srv = srv;
    w->base = event_base_new();
    w->tables[0] = table_create();
    w->tables[1] = table_create();
    w->scratch_cap = srv->limits.max_request_line;
    w->scratch = malloc(w->scratch_cap);
    if (w->base == NULL || w->tables[0] == NULL || w->tables[1] == NULL ||
        w->scratch == NULL ||
        body_inflate_init(&w->inflater, srv->cfg->max_inflated_body) < 0 ||
        events_arena_init(&w->json_arena, WORKER_JSON_ARENA) < 0) {
        for (int i = 0; i < n_fds; i++) {
            close(fds[i]);
        }
        goto err;
    }
    w->active = w->tables[0];
    atomic_init(&w->source.spare, w->tables[1]);
    w->limits = srv->limits;
    w->settings_gen = atomic_load(&srv->policy)->generation;
    w->pool = (struct conn_pool){
        .base = w->base,
        .limits = &w->limits,
        .header_timeout_ms = srv->cfg->header_timeout_ms,
        .body_timeout_ms = srv->cfg->body_timeout_ms,
        .idle_timeout_ms = srv->cfg->idle_timeout_ms,
        .handler = {answer, refuse, w},
        .metrics = &w->metrics,
        .date = &w->date,
        .open = &srv->connections,
        .max_open = srv->cfg->max_connections,
        .must_wait = must_wait,
        .wait_arg = w,
    };
    w->source.request_handoff = request_handoff;
    for (int i = 0; i < n_fds; i++) {
        w->listeners[i] = evconnlistener_new(
            w->base, on_accept, w, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
            -1, fds[i]);
        if (w->listeners[i] == NULL) {
            for (int j = i; j < n_fds; j++) {
                close(fds[j]);
            }
            goto err;
        }
        evconnlistener_set_error_cb(w->listeners[i], on_accept_error);
        w->n_listeners++;
    }
    w->handoff_ev = event_new(w->base, -1, 0, on_handoff, w);
    w->drain_ev = event_new(w->base, -1, 0, on_drain, w);
    w->drain_deadline_ev = evtimer_new(w->base, on_drain_deadline, w);
    if (w->handoff_ev == NULL || w->drain_ev == NULL ||
        w->drain_deadline_ev == NULL) {
        goto err;
    }
    response_date_update(&w->date, time(NULL));
    return w;
err:
    worker_destroy(w);
    return NULL;
}

/* A reloaded policy's limits and timeouts, taken between turns (no
 * request is being framed). A larger max_request_line grows the decoding
 * space first; when it cannot, the old limits stay. */
static void take_settings(struct worker *w)
{
    const struct policy *p =
        atomic_load_explicit(&w->srv->policy, memory_order_acquire);
    if (p->generation == w->settings_gen) {
        return;
    }
    w->settings_gen = p->generation;
    if (p->limits.max_request_line > w->scratch_cap) {
        char *s = realloc(w->scratch, p->limits.max_request_line);
        if (s == NULL) {
            log_error("worker %d: out of memory: the request limits stay "
                      "as they were",
                      w->id);
            return;
        }
        w->scratch = s;
        w->scratch_cap = p->limits.max_request_line;
    }
    w->limits = p->limits;
    w->pool.header_timeout_ms = p->header_timeout_ms;
    w->pool.body_timeout_ms = p->body_timeout_ms;
    w->pool.idle_timeout_ms = p->idle_timeout_ms;
}

/* The loop, a turn at a time: each turn ends with its records written and
 * only then its answers (group commit). */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    while (take_settings(w), event_base_loop(w->base, EVLOOP_ONCE) == 0) {
        commit(w);
        if (event_base_got_exit(w->base) || event_base_got_break(w->base)) {
            break;
        }
    }
    commit(w);
    /* The last hits of this worker: hand them over directly. */
    if (table_count(w->active) > 0) {
        flusher_submit(w->srv->flusher, &w->source, w->active,
                       wal_position(w->wal));
        w->active = NULL;
    }
    return NULL;
}

int worker_start(struct worker *w)
{
    return pthread_create(&w->thread, NULL, worker_main, w) == 0 ? 0 : -1;
}

void worker_drain(struct worker *w)
{
    event_active(w->drain_ev, 0, 0);
}

void worker_join(struct worker *w)
{
    pthread_join(w->thread, NULL);
}

void worker_destroy(struct worker *w)
{
    if (w == NULL) {
        return;
    }
    for (int i = 0; i < w->n_listeners; i++) {
        evconnlistener_free(w->listeners[i]);
    }
    conn_pool_close_all(&w->pool);
    ingest_destroy(w->ingest);
    struct event *evs[] = {w->handoff_ev, w->drain_ev, w->drain_deadline_ev};
    for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
        if (evs[i] != NULL) {
            event_free(evs[i]);
        }
    }
    table_destroy(w->tables[0]);
    table_destroy(w->tables[1]);
    wal_close(w->wal);
    free(w->scratch);
    body_inflate_deinit(&w->inflater);
    events_arena_deinit(&w->json_arena);
    if (w->base != NULL) {
        event_base_free(w->base);
    }
    free(w);
}
