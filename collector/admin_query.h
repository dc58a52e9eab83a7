/*
 * admin_query.h: the admin requests that take time, answered off the
 * admin's event loop. Argon2id password checks (admin_auth.h) and the
 * dashboard's Redis queries (dashboard/stats.h) run one job at a time on a
 * thread of their own, over a blocking Redis connection with its own
 * timeouts; each finished job goes back to the loop, whose callback
 * answers its request (conn_pool_answer). The queue is bounded: a job
 * past it is refused at once (503), so a client cannot pile work up.
 */
#ifndef BEACON_ADMIN_QUERY_H
#define BEACON_ADMIN_QUERY_H

#include <stdint.h>
#include <time.h>

#include "collector/admin_auth.h"
#include "config/config.h"
#include "dashboard/stats_range.h"

#define ADMIN_QUERY_QUEUE 16       /* jobs waiting or running */
#define ADMIN_QUERY_TIMEOUT_MS 5000 /* Redis: connect, and each reply */
#define ADMIN_QUERY_AUTH_MAX 512   /* Authorization header bytes kept */

struct admin_job {
    /* set by the submitter */
    uint64_t ticket;          /* conn_pool_defer()'s */
    int page;                 /* the admin's route index */
    int head;                 /* HEAD: no body */
    char hash[256];           /* Argon2id string to check; "": none */
    const char *user;
    char auth[ADMIN_QUERY_AUTH_MAX];
    size_t auth_len;
    int has_auth;             /* an Authorization header came */
    struct ip_addr peer;
    time_t now;
    enum admin_job_data {
        ADMIN_JOB_NONE,  /* the credentials only */
        ADMIN_JOB_STATS, /* and /api/stats of range */
        ADMIN_JOB_SITES, /* and /api/sites */
    } data;
    struct stats_range range;
    int bad_query;            /* the query did not parse: 400 once let in */
    /* set by the thread */
    enum admin_auth_result auth_result;
    int retry_after;
    char *body;               /* the data's JSON (malloc'd), or NULL */
    char error[256];          /* why body is NULL, or why the query is bad */
    void *owner;              /* the submitter's own, untouched */
    struct admin_job *next;
};

struct admin_query;
struct event_base;

/* done(arg, job) runs on base's loop for every finished job, which is
 * then the callback's to free (admin_job_free). */
struct admin_query *admin_query_create(struct event_base *base,
                                       const struct config *cfg,
                                       void (*done)(void *arg,
                                                    struct admin_job *j),
                                       void *arg, char *err, size_t errlen);

/* Stops the thread after its current job; jobs not done are freed
 * without a callback. */
void admin_query_destroy(struct admin_query *q);

/* Queues j (the thread's until done() gets it back). Returns 0, or -1
 * when the queue is full (j stays the caller's). */
int admin_query_submit(struct admin_query *q, struct admin_job *j);

/* Jobs queued or running. */
int admin_query_pending(const struct admin_query *q);

void admin_job_free(struct admin_job *j);

#endif
