/*
 * batch_send.h: one batch on its way to Redis (redis_pool.h). Each
 * command goes on the connection of its key's master, after ASKING where
 * an ASK says so, at most CALLS_IN_FLIGHT of them unanswered at a time;
 * after the last, a WAIT on each master written to whose replicas must
 * hold it. The replies are judged here: a redirection (MOVED, ASK,
 * TRYAGAIN, CLUSTERDOWN) updates the pool and asks for a quick retry, a
 * script the server lost drops its connection, replicas short of the
 * count fail the send. The owner hears the outcome once, through done();
 * a send given up because its connections went (batch_send_forget, a
 * command timeout, a queueing failure) has no outcome: the pool going
 * down and up again tells the owner to send again.
 *
 * The pool's arg must be the sender (its replies find it through
 * redis_pool_arg_of); owner says whose it is.
 */
#ifndef BEACON_BATCH_SEND_H
#define BEACON_BATCH_SEND_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct batch;
struct event;
struct event_base;
struct redis_link;
struct redis_pool;

struct batch_send {
    /* set by the owner */
    struct redis_pool *pool;
    void *owner;
    /* replicas that must hold a send's writes (WAIT); -1: 1 for a master
     * that has a replica, else 0 */
    int min_replicas_ack;
    /* all replies by then, else every connection is dropped */
    uint64_t timeout_ms;
    _Atomic uint64_t *errors; /* failed replies and queueing, counted */
    /* every reply is in: ok, or failed (soon: a redirection, to be tried
     * again shortly rather than after the usual pause) */
    void (*done)(struct batch_send *s, int ok, int soon);

    /* the send under way */
    struct batch *b;
    uint64_t gen; /* tags its replies: an earlier send's are ignored */
    int busy;
    size_t next_cmd; /* the batch's next command to queue */
    int replies_pending;
    int failed;
    int soon;
    /* connections written to: each gets a WAIT after the last command;
     * valid while the pool's epoch is written_epoch */
    struct redis_link **written;
    size_t n_written, cap_written;
    uint64_t written_epoch;
    char *resp; /* the command being queued, as RESP; kept for reuse */
    size_t resp_cap;
    struct event *timeout_ev;
};

/* Returns 0, or -1 when out of memory. The fields above "the send under
 * way" are the caller's to set. */
int batch_send_init(struct batch_send *s, struct event_base *base);

void batch_send_deinit(struct batch_send *s);

/* Sends b, which must outlive the send (done() may come before this
 * returns, when nothing could be queued). */
void batch_send_start(struct batch_send *s, struct batch *b);

/* The pool went down: the send's replies no longer count, and done() is
 * not called. Returns 1 when a send was under way. */
int batch_send_forget(struct batch_send *s);

#endif
