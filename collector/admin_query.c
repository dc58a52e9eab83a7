/*
 * admin_query.c: see admin_query.h.
 */
#include "collector/admin_query.h"

#include <event2/event.h>
#include <hiredis.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "dashboard/redis_sync.h"
#include "dashboard/stats.h"
#include "proto/keys.h"

struct admin_query {
    const struct config *cfg;
    struct event *done_ev;
    void (*done)(void *arg, struct admin_job *j);
    void *arg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct admin_job *todo, *todo_tail; /* under mu */
    struct admin_job *finished;         /* under mu */
    int stopping;                       /* under mu */
    _Atomic int pending;
    /* the thread's own */
    struct admin_auth *auth;
    struct redis_reader redis;
};

void admin_job_free(struct admin_job *j)
{
    if (j != NULL) {
        free(j->body);
        free(j);
    }
}

static void run_query(struct admin_query *q, struct admin_job *j)
{
    char key[KEYS_MAX];
    if (j->data == ADMIN_JOB_STATS) {
        snprintf(key, sizeof(key), "%s:{%s}", q->cfg->key_prefix,
                 j->range.site);
    } else {
        keys_sites(key, sizeof(key), q->cfg->key_prefix);
    }
    redisContext *c =
        redis_reader_for(&q->redis, key, j->error, sizeof(j->error));
    if (c == NULL) {
        return;
    }
    json_t *stats =
        j->data == ADMIN_JOB_STATS
            ? stats_fetch(c, q->cfg->key_prefix, &j->range, j->error,
                          sizeof(j->error))
            : stats_sites(c, q->cfg->key_prefix, j->error, sizeof(j->error));
    if (stats == NULL) {
        /* the connection may be in any state: start again next time */
        redis_reader_close(&q->redis);
        return;
    }
    j->body = stats_dump(stats);
    json_decref(stats);
    if (j->body == NULL) {
        snprintf(j->error, sizeof(j->error), "out of memory");
    }
}

static void run(struct admin_query *q, struct admin_job *j)
{
    j->auth_result = ADMIN_AUTH_OK;
    if (j->hash[0] != '\0') {
        struct span h = span_make(j->has_auth ? j->auth : NULL, j->auth_len);
        j->auth_result = admin_auth_check(q->auth, j->hash, j->user, h,
                                          &j->peer, j->now, &j->retry_after);
    }
    if (j->auth_result == ADMIN_AUTH_OK && j->data != ADMIN_JOB_NONE) {
        run_query(q, j);
    }
    sodium_memzero(j->auth, sizeof(j->auth));
}

static void *thread_main(void *arg)
{
    struct admin_query *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (q->todo == NULL && !q->stopping) {
            pthread_cond_wait(&q->cv, &q->mu);
        }
        if (q->stopping) {
            break;
        }
        struct admin_job *j = q->todo;
        q->todo = j->next;
        pthread_mutex_unlock(&q->mu);
        run(q, j);
        pthread_mutex_lock(&q->mu);
        j->next = q->finished;
        q->finished = j;
        event_active(q->done_ev, EV_READ, 0);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* On the loop: hands the finished jobs to the callback, oldest first. */
static void on_done(evutil_socket_t fd, short what, void *arg)
{
    struct admin_query *q = arg;
    (void)fd;
    (void)what;
    pthread_mutex_lock(&q->mu);
    struct admin_job *j = q->finished, *rev = NULL;
    q->finished = NULL;
    pthread_mutex_unlock(&q->mu);
    while (j != NULL) {
        struct admin_job *next = j->next;
        j->next = rev;
        rev = j;
        j = next;
    }
    while (rev != NULL) {
        struct admin_job *next = rev->next;
        atomic_fetch_sub(&q->pending, 1);
        q->done(q->arg, rev);
        rev = next;
    }
}

struct admin_query *admin_query_create(struct event_base *base,
                                       const struct config *cfg,
                                       void (*done)(void *arg,
                                                    struct admin_job *j),
                                       void *arg, char *err, size_t errlen)
{
    struct admin_query *q = calloc(1, sizeof(*q));
    if (q == NULL || (q->auth = admin_auth_create()) == NULL) {
        snprintf(err, errlen, "out of memory");
        free(q);
        return NULL;
    }
    q->cfg = cfg;
    redis_reader_init(&q->redis, cfg, ADMIN_QUERY_TIMEOUT_MS);
    q->done = done;
    q->arg = arg;
    q->done_ev = event_new(base, -1, 0, on_done, q);
    if (q->done_ev == NULL) {
        snprintf(err, errlen, "admin: cannot create an event");
        admin_auth_destroy(q->auth);
        free(q);
        return NULL;
    }
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    if (pthread_create(&q->thread, NULL, thread_main, q) != 0) {
        snprintf(err, errlen, "admin: cannot start its query thread");
        event_free(q->done_ev);
        admin_auth_destroy(q->auth);
        free(q);
        return NULL;
    }
    return q;
}

static void free_list(struct admin_job *j)
{
    while (j != NULL) {
        struct admin_job *next = j->next;
        admin_job_free(j);
        j = next;
    }
}

void admin_query_destroy(struct admin_query *q)
{
    if (q == NULL) {
        return;
    }
    pthread_mutex_lock(&q->mu);
    q->stopping = 1;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    free_list(q->todo);
    free_list(q->finished);
    event_free(q->done_ev);
    redis_reader_close(&q->redis);
    admin_auth_destroy(q->auth);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    free(q);
}

int admin_query_submit(struct admin_query *q, struct admin_job *j)
{
    if (atomic_load(&q->pending) >= ADMIN_QUERY_QUEUE) {
        return -1;
    }
    atomic_fetch_add(&q->pending, 1);
    j->next = NULL;
    pthread_mutex_lock(&q->mu);
    if (q->todo == NULL) {
        q->todo = j;
    } else {
        q->todo_tail->next = j;
    }
    q->todo_tail = j;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

int admin_query_pending(const struct admin_query *q)
{
    return atomic_load(&q->pending);
}
