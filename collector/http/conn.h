/*
 * conn.h: client connections of one thread, on one event_base: one read()
 * per readiness, requests framed by http.c and answered in order into one
 * output buffer, one write() per turn, the timeouts of SPEC 2.8, and a
 * bound on what a client that does not read can make us hold.
 *
 * Both listeners use it (the workers' public edge and the admin
 * listener), each with its own pool and handler, so both have the one
 * hardened edge: the same framing rules, limits and timeouts.
 */
#ifndef BEACON_CONN_H
#define BEACON_CONN_H

#include <stdatomic.h>
#include <stdint.h>

#include "collector/http/http.h"
#include "collector/metrics.h"
#include "collector/http/response.h"
#include "proto/ipaddr.h"

struct conn;
struct event_base;
struct sockaddr;

/* How the requests of a pool are answered. */
struct conn_handler {
    /* Answers r, received from peer, into out. Returns 0, or -1 when the
     * connection must close after this response (which then says so). An
     * answer that takes time (a query to Redis) comes later: the handler
     * calls conn_pool_defer(), writes nothing and returns 0. */
    int (*request)(void *arg, const struct request *r,
                   const struct ip_addr *peer, struct outbuf *out,
                   enum response_conn conn);
    /* Appends the answer to a request that is refused before it could be
     * handed over (status 400, 405 for an unknown method, 408, 413, 414,
     * 431, 503, 505), with "Connection: close". target: the request's
     * target when its request line was whole, else empty. */
    void (*error)(void *arg, int status, struct span target,
                  struct outbuf *out);
    void *arg;
};

struct conn_pool {
    /* Set by the owner before the first conn_pool_accept(). */
    struct event_base *base;
    const struct http_limits *limits;
    uint64_t header_timeout_ms; /* first byte of a request to its head's end */
    uint64_t body_timeout_ms;   /* head's end to body's end; then 408 */
    uint64_t idle_timeout_ms;   /* keep-alive between requests */
    struct conn_handler handler;
    struct metrics_worker *metrics; /* written by this thread only */
    struct response_date *date;     /* refreshed before each feed */
    _Atomic int *open; /* open connections of every pool sharing the cap */
    int max_open;
    /* Answers may have to wait (the write-ahead log's group commit,
     * collector/worker.c): while must_wait(wait_arg) says 1, a connection
     * with answers to write waits, and conn_pool_release() writes them.
     * NULL: answers go out at once. */
    int (*must_wait)(void *arg);
    void *wait_arg;

    /* The pool's own state. */
    struct conn *waiting; /* answers held until conn_pool_release() */
    struct conn *current; /* whose request the handler answers */
    uint64_t later_serial; /* the last ticket conn_pool_defer() gave */
    int draining; /* refuse new connections; end the loop after the last */
    struct conn *live;  /* open connections */
    struct conn *spare; /* closed ones kept for reuse */
    int n_live, n_spare;
};

/* Takes over an accepted, non-blocking socket from peer sa, or closes it
 * (and counts it) when the pool is at max_open or draining. */
void conn_pool_accept(struct conn_pool *p, int fd, const struct sockaddr *sa);

/* Drain: closes idle connections now; the others finish their current
 * request, then close. Once the last has closed, the pool's event loop is
 * told to exit. Returns the number still open. */
int conn_pool_drain(struct conn_pool *p);

/* Closes every connection at once and frees the spare ones. */
void conn_pool_close_all(struct conn_pool *p);

/* Writes the answers that waited for must_wait (call once it says 0).
 * Returns how many connections wait again (their next answers came from
 * requests held back until then). */
int conn_pool_release(struct conn_pool *p);

/*
 * From inside handler.request: its answer comes later. Returns the ticket
 * that conn_pool_answer() takes. The connection reads nothing more until
 * then (the requests after it wait), so the answer must come, within a
 * bounded time; a drain waits for it too.
 */
uint64_t conn_pool_defer(struct conn_pool *p);

/* The answer of ticket: write(arg, out, mode) appends it as
 * handler.request would (-1: close after it). Returns 0, or -1 when the
 * connection has closed meanwhile (nothing is written). */
int conn_pool_answer(struct conn_pool *p, uint64_t ticket,
                     int (*write)(void *arg, struct outbuf *out,
                                  enum response_conn mode),
                     void *arg);

/* Closes the connections whose answers wait, unanswered (what they wait
 * for will not come). */
void conn_pool_close_waiting(struct conn_pool *p);

/* A client that sends without reading: framing stops once this many
 * answer bytes wait to be written, and resumes when they are. */
#define CONN_OUT_HIGH_WATER (16 * 1024)

#endif
