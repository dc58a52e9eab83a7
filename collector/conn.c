/*
 * conn.c: connection I/O (see conn.h).
 *
 * Timeouts ride on the read event itself (EV_PERSIST with a timeout), so
 * a connection costs one event in the steady state:
 *   idle      idle_timeout, which libevent restarts on every read
 *   in head   what is left of header_timeout since the request's first
 *             byte, re-armed on every read so that trickling bytes cannot
 *             extend it
 * Connection structs and their buffers are kept for reuse when closed.
 */
#include "collector/conn.h"

#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector/http.h"
#include "collector/router.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "common/log.h"

#define READ_BUF_INITIAL 4096
#define LINGER_MS 2000
#define FREE_CONNS_MAX 1024 /* closed connections kept per worker */

enum conn_timer { TIMER_NONE, TIMER_IDLE, TIMER_HEAD, TIMER_LINGER };

struct conn {
    struct worker *w;
    int fd;
    struct event *rev;
    struct event *wev;
    struct http_framer http;
    struct outbuf out;
    size_t out_sent;
    enum conn_timer timer;
    struct timeval head_deadline;
    int close_after_write;
    int lingering;
    int closing; /* drain: answer the current request, then close */
    struct ip_addr peer; /* the socket peer: feeds the pseudonym only */
    struct conn *prev, *next;
};

static void on_read(evutil_socket_t fd, short what, void *arg);
static void on_write(evutil_socket_t fd, short what, void *arg);

static struct timeval ms_tv(uint64_t ms)
{
    return (struct timeval){(time_t)(ms / 1000),
                            (suseconds_t)(ms % 1000) * 1000};
}

struct conn *conn_next(const struct conn *c)
{
    return c->next;
}

static void list_remove(struct conn **head, struct conn *c)
{
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        *head = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    c->prev = c->next = NULL;
}

static void list_push(struct conn **head, struct conn *c)
{
    c->prev = NULL;
    c->next = *head;
    if (*head != NULL) {
        (*head)->prev = c;
    }
    *head = c;
}

void conn_free(struct conn *c)
{
    if (c == NULL) {
        return;
    }
    if (c->rev != NULL) {
        event_free(c->rev);
    }
    if (c->wev != NULL) {
        event_free(c->wev);
    }
    http_deinit(&c->http);
    free(c->out.p);
    free(c);
}

static void conn_close(struct conn *c)
{
    struct worker *w = c->w;
    event_del(c->rev);
    event_del(c->wev);
    close(c->fd);
    c->fd = -1;
    list_remove(&w->live, c);
    w->n_live--;
    atomic_fetch_sub_explicit(&w->srv->connections, 1, memory_order_relaxed);
    metrics_add(&w->metrics.connections, (uint64_t)-1);

    /* Keep the struct for the next connection, unless its buffers grew
     * for an unusual request or enough are kept already. */
    if (w->n_free_conns >= FREE_CONNS_MAX || c->http.cap > READ_BUF_INITIAL ||
        c->http.body_cap > READ_BUF_INITIAL || c->out.cap > 64 * 1024) {
        conn_free(c);
    } else {
        list_push(&w->free_conns, c);
        w->n_free_conns++;
    }
    if (w->draining && w->live == NULL) {
        event_base_loopexit(w->base, NULL);
    }
}

void conn_abort(struct conn *c)
{
    conn_close(c);
}

static void set_timer(struct conn *c, enum conn_timer kind,
                      const struct timeval *tv)
{
    if (event_add(c->rev, tv) < 0) {
        log_error("conn: cannot arm the read event");
    }
    c->timer = kind;
}

/* After the response to a bad request: stop sending, read and discard
 * what the client still sends for a while, then close. Closing at once
 * would make the kernel reset the connection, and a reset can destroy our
 * response before the client reads it. */
static void start_linger(struct conn *c)
{
    struct timeval tv = ms_tv(LINGER_MS);
    shutdown(c->fd, SHUT_WR);
    c->lingering = 1;
    set_timer(c, TIMER_LINGER, &tv);
}

/* Once everything queued is written. Returns -1 when c was closed (and
 * may be freed), else 0. */
static int after_write(struct conn *c)
{
    if (!c->close_after_write) {
        return 0;
    }
    if (c->lingering || http_idle(&c->http)) {
        conn_close(c);
        return -1;
    }
    start_linger(c);
    return 0;
}

/* Writes what is queued; 0 when done or waiting for EV_WRITE, -1 when the
 * connection was closed (c may be freed: do not touch it). */
static int flush_out(struct conn *c)
{
    while (c->out_sent < c->out.len) {
        ssize_t n = write(c->fd, c->out.p + c->out_sent,
                          c->out.len - c->out_sent);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                /* Stop reading until the client takes what we have: a
                 * client that only sends must not grow our buffer. */
                struct timeval tv = ms_tv(c->w->srv->cfg->idle_timeout_ms);
                event_del(c->rev);
                c->timer = TIMER_NONE;
                if (event_add(c->wev, &tv) < 0) {
                    conn_close(c);
                    return -1;
                }
                return 0;
            }
            conn_close(c);
            return -1;
        }
        c->out_sent += (size_t)n;
    }
    c->out.len = 0;
    c->out_sent = 0;
    return after_write(c);
}

/* Picks the timeout for the state the connection is in after a read. */
static void update_timer(struct conn *c)
{
    const struct config *cfg = c->w->srv->cfg;
    if (http_in_head(&c->http)) {
        struct timeval now, left;
        event_base_gettimeofday_cached(c->w->base, &now);
        if (c->timer != TIMER_HEAD) {
            struct timeval d = ms_tv(cfg->header_timeout_ms);
            timeradd(&now, &d, &c->head_deadline);
        }
        timersub(&c->head_deadline, &now, &left);
        if (left.tv_sec < 0) {
            left = (struct timeval){0, 0};
        }
        set_timer(c, TIMER_HEAD, &left);
    } else if (c->timer != TIMER_IDLE) {
        struct timeval tv = ms_tv(cfg->idle_timeout_ms);
        set_timer(c, TIMER_IDLE, &tv);
    }
}

static enum response_conn response_mode(struct conn *c,
                                        const struct request *r)
{
    if (!r->keep_alive || c->closing || c->w->draining) {
        return RESPONSE_CLOSE;
    }
    return r->http_minor == 0 ? RESPONSE_KEEP_10 : RESPONSE_KEEP;
}

static void on_request(void *arg, const struct request *r)
{
    struct conn *c = arg;
    struct worker *w = c->w;
    enum response_conn mode = response_mode(c, r);

    metrics_inc(&w->metrics.requests_total);
    if (router_dispatch(w, r, &c->peer, &c->out, mode) < 0 ||
        mode == RESPONSE_CLOSE) {
        c->close_after_write = 1;
        http_stop(&c->http);
    }
}

/* Answers a request that could not be framed, then closes. */
static void answer_error(struct conn *c, int status)
{
    struct worker *w = c->w;
    struct span target = http_error_target(&c->http);
    if (status == 405 || status == 404) {
        /* an unknown method: 405 on our paths, 404 elsewhere */
        status = router_known_target(target) ? 405 : 404;
    }
    router_error(w, status, target, &c->out);
    c->close_after_write = 1;
}

static void handle_timeout(struct conn *c)
{
    if (c->timer == TIMER_HEAD || c->timer == TIMER_IDLE) {
        metrics_inc(&c->w->metrics.connections_timed_out_total);
    }
    conn_close(c);
}

static void linger_read(struct conn *c)
{
    char sink[4096];
    ssize_t n = read(c->fd, sink, sizeof(sink));
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        conn_close(c);
    }
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    size_t room;
    ssize_t n;

    if (what & EV_TIMEOUT) {
        handle_timeout(c);
        return;
    }
    if (c->lingering) {
        linger_read(c);
        return;
    }
    char *space = http_space(&c->http, &room);
    if (room == 0) {
        answer_error(c, 431);
        flush_out(c);
        return;
    }
    n = read(fd, space, room);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            return;
        }
        conn_close(c); /* EOF or reset: nothing to answer */
        return;
    }
    response_date_update(&c->w->date, worker_now(c->w));
    enum http_result res = http_feed(&c->http, (size_t)n);
    if (res == HTTP_FEED_ERROR) {
        log_debug("conn: bad request (%d): %s", c->http.status,
                  c->http.why ? c->http.why : "?");
        answer_error(c, c->http.status);
    }
    if (c->out.len > 0) {
        /* Writes, and closes or starts lingering when the answer was the
         * last one; or waits for EV_WRITE with reading paused. */
        if (flush_out(c) < 0 || c->out.len > 0 || c->lingering) {
            return;
        }
    } else if (after_write(c) < 0 || c->lingering) {
        return;
    }
    update_timer(c);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    (void)fd;
    if (what & EV_TIMEOUT) {
        handle_timeout(c);
        return;
    }
    if (flush_out(c) < 0 || c->out.len > 0) {
        return;
    }
    event_del(c->wev);
    if (c->lingering) {
        return;
    }
    c->timer = TIMER_NONE;
    update_timer(c);
}

static struct conn *conn_get(struct worker *w)
{
    struct conn *c = w->free_conns;
    if (c != NULL) {
        list_remove(&w->free_conns, c);
        w->n_free_conns--;
        http_reset(&c->http);
        return c;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->fd = -1;
    c->rev = event_new(w->base, -1, 0, on_read, c);
    c->wev = event_new(w->base, -1, 0, on_write, c);
    size_t max = w->srv->limits.max_request_line +
                 w->srv->limits.max_header_bytes + 4096;
    if (c->rev == NULL || c->wev == NULL ||
        http_init(&c->http, &w->srv->limits, READ_BUF_INITIAL, max,
                  on_request, c) < 0) {
        conn_free(c);
        return NULL;
    }
    return c;
}

void conn_accept(struct worker *w, int fd, const struct sockaddr *sa)
{
    struct conn *c = conn_get(w);
    if (c == NULL) {
        log_error("conn: out of memory, connection closed");
        close(fd);
        atomic_fetch_sub_explicit(&w->srv->connections, 1,
                                  memory_order_relaxed);
        return;
    }
    c->w = w;
    c->fd = fd;
    if (ip_from_sockaddr(&c->peer, sa) < 0) {
        c->peer.len = 0; /* not IP (cannot happen on our listeners) */
    }
    c->out.len = 0;
    c->out_sent = 0;
    c->close_after_write = 0;
    c->lingering = 0;
    c->closing = 0;
    c->timer = TIMER_NONE;
    c->http.arg = c;
    event_assign(c->rev, w->base, fd, EV_READ | EV_PERSIST, on_read, c);
    event_assign(c->wev, w->base, fd, EV_WRITE | EV_PERSIST, on_write, c);
    list_push(&w->live, c);
    w->n_live++;
    metrics_inc(&w->metrics.connections);
    metrics_inc(&w->metrics.connections_accepted_total);
    /* A new connection must send a complete header in header_timeout. */
    struct timeval now, d = ms_tv(w->srv->cfg->header_timeout_ms);
    event_base_gettimeofday_cached(w->base, &now);
    timeradd(&now, &d, &c->head_deadline);
    set_timer(c, TIMER_HEAD, &d);
}

void conn_drain(struct conn *c)
{
    if (http_idle(&c->http) && c->out.len == 0 && !c->lingering) {
        conn_close(c);
        return;
    }
    c->closing = 1;
}
