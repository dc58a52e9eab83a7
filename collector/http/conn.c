/*
 * conn.c: connection I/O (see conn.h).
 *
 * Timeouts ride on the read event itself (EV_PERSIST with a timeout), so
 * a connection costs one event in the steady state:
 *   idle      idle_timeout, which libevent restarts on every read
 *   in head   what is left of header_timeout since the request's first
 *             byte (an empty line before it included), re-armed on every
 *             read so that trickling bytes cannot extend it
 *   in body   what is left of body_timeout since the head's end, alike
 * While answers wait for a client that does not read, reading stops and
 * the write event carries idle_timeout instead.
 * A connection's memory is one mapping (conn_get): the struct, its two
 * events, and the first bytes of its input and output buffers; larger
 * buffers are mappings or blocks of their own. It is given back whole on
 * close, so a burst of connections leaves nothing behind (heap blocks
 * interleaved with libevent's per-descriptor records would stay with the
 * process). Closed connections are kept for reuse while their buffers are
 * still the initial ones.
 */
#include "collector/http/conn.h"

#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"

#define READ_BUF_INITIAL 4096
#define OUT_BUF_INITIAL 4096
#define LINGER_MS 2000
#define SPARE_MAX 64          /* closed connections kept per pool */
#define SPARE_BODY_MAX 4096   /* a larger body buffer is not kept */

enum conn_timer {
    TIMER_NONE,
    TIMER_IDLE,
    TIMER_HEAD,
    TIMER_BODY,
    TIMER_LINGER
};

struct conn {
    struct conn_pool *pool;
    int fd;
    struct event *rev; /* in the connection's mapping */
    struct event *wev;
    size_t map_len;
    struct http_framer http;
    struct outbuf out;
    size_t out_sent;
    enum conn_timer timer;
    struct timeval deadline;  /* of the head or body timer */
    uint64_t deadline_of;     /* http_requests_done() when it was set */
    int close_after_write;
    int lingering;
    int held;    /* framing stopped until the queued answers are written */
    int closing; /* drain: answer the current request, then close */
    struct ip_addr peer; /* the socket peer: feeds the pseudonym only */
    struct conn *prev, *next;
    int waiting;             /* in pool->waiting */
    struct conn *wait_next;
    uint64_t later;               /* the ticket of an answer that comes later */
    enum response_conn later_mode; /* that request's */
};

static void on_read(evutil_socket_t fd, short what, void *arg);
static void on_write(evutil_socket_t fd, short what, void *arg);

static struct timeval ms_tv(uint64_t ms)
{
    return (struct timeval){(time_t)(ms / 1000),
                            (suseconds_t)(ms % 1000) * 1000};
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

/* Where the parts of a connection's mapping lie. */
struct conn_layout {
    size_t rev, wev, in, out, len;
};

static size_t align16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

static struct conn_layout conn_layout(void)
{
    struct conn_layout l;
    size_t ev = align16(event_get_struct_event_size());
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    l.rev = align16(sizeof(struct conn));
    l.wev = l.rev + ev;
    l.in = l.wev + ev;
    l.out = l.in + READ_BUF_INITIAL;
    l.len = (l.out + OUT_BUF_INITIAL + page - 1) / page * page;
    return l;
}

static void conn_free(struct conn *c)
{
    http_deinit(&c->http);
    outbuf_free(&c->out, NULL, 0);
    munmap(c, c->map_len);
}

static void unwait(struct conn *c)
{
    struct conn **pp = &c->pool->waiting;
    while (*pp != NULL && *pp != c) {
        pp = &(*pp)->wait_next;
    }
    if (*pp == c) {
        *pp = c->wait_next;
    }
    c->waiting = 0;
}

static void conn_close(struct conn *c)
{
    struct conn_pool *p = c->pool;
    if (c->waiting) {
        unwait(c);
    }
    event_del(c->rev);
    event_del(c->wev);
    close(c->fd);
    c->fd = -1;
    list_remove(&p->live, c);
    p->n_live--;
    atomic_fetch_sub_explicit(p->open, 1, memory_order_relaxed);
    metrics_add(&p->metrics->connections, (uint64_t)-1);

    /* Keep the struct for the next connection, unless its buffers grew
     * for an unusual request or enough are kept already: what a burst of
     * connections took is given back when it ends. */
    if (p->n_spare >= SPARE_MAX || c->http.buf_owned ||
        c->http.body_cap > SPARE_BODY_MAX || c->out.mapped) {
        conn_free(c);
    } else {
        list_push(&p->spare, c);
        p->n_spare++;
    }
    if (p->draining && p->live == NULL) {
        event_base_loopexit(p->base, NULL);
    }
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
 * what the client still sends for LINGER_MS at most (from now, however
 * much it sends), then close. Closing at once would make the kernel reset
 * the connection, and a reset can destroy our response before the client
 * reads it. */
static void start_linger(struct conn *c)
{
    struct timeval now, tv = ms_tv(LINGER_MS);
    event_base_gettimeofday_cached(c->pool->base, &now);
    timeradd(&now, &tv, &c->deadline);
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
                struct timeval tv = ms_tv(c->pool->idle_timeout_ms);
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

/* Arms the read event for the state the connection is in after a read. */
static void update_timer(struct conn *c)
{
    const struct conn_pool *p = c->pool;
    enum conn_timer kind = TIMER_IDLE;
    uint64_t ms = p->idle_timeout_ms;
    if (http_in_head(&c->http)) {
        kind = TIMER_HEAD;
        ms = p->header_timeout_ms;
    } else if (http_in_body(&c->http)) {
        kind = TIMER_BODY;
        ms = p->body_timeout_ms;
    }
    if (kind == TIMER_IDLE) {
        if (c->timer != TIMER_IDLE) {
            struct timeval tv = ms_tv(ms);
            set_timer(c, TIMER_IDLE, &tv);
        }
        return;
    }
    /* A deadline runs from the start of its phase of its request. */
    struct timeval now, left;
    event_base_gettimeofday_cached(p->base, &now);
    uint64_t done = http_requests_done(&c->http);
    if (c->timer != kind || c->deadline_of != done) {
        struct timeval d = ms_tv(ms);
        timeradd(&now, &d, &c->deadline);
        c->deadline_of = done;
    }
    timersub(&c->deadline, &now, &left);
    if (left.tv_sec < 0) {
        left = (struct timeval){0, 0};
    }
    set_timer(c, kind, &left);
}

static enum response_conn response_mode(struct conn *c,
                                        const struct request *r)
{
    if (!r->keep_alive || c->closing || c->pool->draining) {
        return RESPONSE_CLOSE;
    }
    return r->http_minor == 0 ? RESPONSE_KEEP_10 : RESPONSE_KEEP;
}

static void on_request(void *arg, const struct request *r)
{
    struct conn *c = arg;
    struct conn_pool *p = c->pool;
    enum response_conn mode = response_mode(c, r);

    metrics_inc(&p->metrics->requests_total);
    p->current = c;
    int rc = p->handler.request(p->handler.arg, r, &c->peer, &c->out, mode);
    p->current = NULL;
    if (c->later != 0) {
        /* the requests after it wait for its answer */
        c->later_mode = mode;
        http_stop(&c->http);
    } else if (rc < 0 || mode == RESPONSE_CLOSE) {
        c->close_after_write = 1;
        http_stop(&c->http);
    } else if (c->out.len >= CONN_OUT_HIGH_WATER) {
        c->held = 1;
        http_stop(&c->http);
    }
}

/* Answers a request that could not be framed, then closes. */
static void answer_error(struct conn *c, int status)
{
    struct conn_pool *p = c->pool;
    p->handler.error(p->handler.arg, status, http_error_target(&c->http),
                     &c->out);
    c->close_after_write = 1;
}

/*
 * After framing: answers a framing error, writes what is queued, and
 * frames held requests as soon as their predecessors' answers are out.
 * Returns -1 when c was closed, else 0.
 */
static int serve(struct conn *c, enum http_result res)
{
    for (;;) {
        if (res == HTTP_FEED_ERROR) {
            log_debug("conn: bad request (%d): %s", c->http.status,
                      c->http.why ? c->http.why : "?");
            answer_error(c, c->http.status);
        }
        if (c->out.len > 0) {
            struct conn_pool *p = c->pool;
            if (p->must_wait != NULL && p->must_wait(p->wait_arg)) {
                if (!c->waiting) {
                    c->waiting = 1;
                    c->wait_next = p->waiting;
                    p->waiting = c;
                }
                return 0;
            }
            /* Writes, and closes or starts lingering when the answer was
             * the last one; or waits for EV_WRITE with reading paused. */
            if (flush_out(c) < 0) {
                return -1;
            }
            if (c->out.len > 0) {
                return 0;
            }
        } else if (after_write(c) < 0) {
            return -1;
        }
        if (c->lingering) {
            return 0;
        }
        if (c->later != 0) {
            /* Nothing to read until the answer comes: it comes within the
             * time its producer allows itself (conn_pool_answer). */
            event_del(c->rev);
            c->timer = TIMER_NONE;
            return 0;
        }
        if (!c->held) {
            break;
        }
        c->held = 0;
        http_resume(&c->http);
        res = http_feed(&c->http, 0);
    }
    update_timer(c);
    return 0;
}

static void handle_timeout(struct conn *c)
{
    if (c->timer == TIMER_BODY) {
        /* SPEC 2.8: a body not complete in time is answered 408. */
        metrics_inc(&c->pool->metrics->connections_timed_out_total);
        answer_error(c, 408);
        serve(c, HTTP_FEED_OK);
        return;
    }
    if (c->timer == TIMER_HEAD || c->timer == TIMER_IDLE) {
        metrics_inc(&c->pool->metrics->connections_timed_out_total);
    }
    conn_close(c);
}

static void linger_read(struct conn *c)
{
    char sink[4096];
    ssize_t n = read(c->fd, sink, sizeof(sink));
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        conn_close(c);
        return;
    }
    /* The read restarted the event's timeout: keep the first deadline. */
    struct timeval now, left;
    event_base_gettimeofday_cached(c->pool->base, &now);
    timersub(&c->deadline, &now, &left);
    if (left.tv_sec < 0) {
        conn_close(c);
        return;
    }
    set_timer(c, TIMER_LINGER, &left);
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
        serve(c, HTTP_FEED_OK);
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
    struct timeval now;
    event_base_gettimeofday_cached(c->pool->base, &now);
    response_date_update(c->pool->date, now.tv_sec);
    serve(c, http_feed(&c->http, (size_t)n));
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    (void)fd;
    if (what & EV_TIMEOUT) {
        /* idle_timeout passed without the client reading a byte */
        metrics_inc(&c->pool->metrics->connections_timed_out_total);
        conn_close(c);
        return;
    }
    if (flush_out(c) < 0 || c->out.len > 0) {
        return;
    }
    event_del(c->wev);
    if (c->lingering) {
        return;
    }
    /* Reading resumes (update_timer re-arms the read event), after the
     * requests held back for this write. */
    c->timer = TIMER_NONE;
    serve(c, HTTP_FEED_OK);
}

/* How far a connection's read buffer may grow: a request line and a
 * header block at their limits, and some room for what follows. */
static size_t read_max(const struct conn_pool *p)
{
    return p->limits->max_request_line + p->limits->max_header_bytes + 4096;
}

static struct conn *conn_get(struct conn_pool *p)
{
    struct conn *c = p->spare;
    if (c != NULL) {
        list_remove(&p->spare, c);
        p->n_spare--;
        http_reset(&c->http);
        c->http.max_cap = read_max(p); /* the limits may have been reloaded */
        return c;
    }
    struct conn_layout l = conn_layout();
    char *m = mmap(NULL, l.len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        return NULL;
    }
    c = (struct conn *)m; /* a new mapping is zeroed */
    c->fd = -1;
    c->pool = p;
    c->map_len = l.len;
    c->rev = (struct event *)(m + l.rev);
    c->wev = (struct event *)(m + l.wev);
    c->out = (struct outbuf){m + l.out, 0, OUT_BUF_INITIAL, 0};
    http_init_in(&c->http, p->limits, m + l.in, READ_BUF_INITIAL,
                 read_max(p), on_request, c);
    return c;
}

void conn_pool_accept(struct conn_pool *p, int fd, const struct sockaddr *sa)
{
    int one = 1;
    /* The cap is per instance: one shared counter, touched once per
     * connection, never per request. */
    int open = atomic_fetch_add_explicit(p->open, 1, memory_order_relaxed);
    if (open >= p->max_open || p->draining) {
        atomic_fetch_sub_explicit(p->open, 1, memory_order_relaxed);
        metrics_inc(&p->metrics->connections_rejected_total);
        close(fd);
        return;
    }
    struct conn *c = conn_get(p);
    if (c == NULL) {
        log_error("conn: out of memory, connection closed");
        close(fd);
        atomic_fetch_sub_explicit(p->open, 1, memory_order_relaxed);
        return;
    }
    /* Responses are small and complete: send them without delay. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->fd = fd;
    if (ip_from_sockaddr(&c->peer, sa) < 0) {
        c->peer.len = 0; /* not IP (cannot happen on our listeners) */
    }
    c->out.len = 0;
    c->out_sent = 0;
    c->close_after_write = 0;
    c->lingering = 0;
    c->held = 0;
    c->closing = 0;
    c->waiting = 0;
    c->wait_next = NULL;
    c->later = 0;
    c->timer = TIMER_NONE;
    if (event_assign(c->rev, p->base, fd, EV_READ | EV_PERSIST, on_read, c) <
            0 ||
        event_assign(c->wev, p->base, fd, EV_WRITE | EV_PERSIST, on_write,
                     c) < 0) {
        log_error("conn: cannot set up events, connection closed");
        close(fd);
        atomic_fetch_sub_explicit(p->open, 1, memory_order_relaxed);
        list_push(&p->spare, c);
        p->n_spare++;
        return;
    }
    list_push(&p->live, c);
    p->n_live++;
    metrics_inc(&p->metrics->connections);
    metrics_inc(&p->metrics->connections_accepted_total);
    /* A new connection must send a complete header in header_timeout. */
    struct timeval now, d = ms_tv(p->header_timeout_ms);
    event_base_gettimeofday_cached(p->base, &now);
    timeradd(&now, &d, &c->deadline);
    c->deadline_of = 0;
    set_timer(c, TIMER_HEAD, &d);
}

int conn_pool_drain(struct conn_pool *p)
{
    p->draining = 1;
    for (struct conn *c = p->live, *next; c != NULL; c = next) {
        next = c->next;
        if (http_idle(&c->http) && c->out.len == 0 && !c->lingering &&
            c->later == 0) {
            conn_close(c);
        } else {
            c->closing = 1;
        }
    }
    return p->n_live;
}

int conn_pool_release(struct conn_pool *p)
{
    struct conn *c = p->waiting;
    p->waiting = NULL;
    while (c != NULL) {
        struct conn *next = c->wait_next;
        c->waiting = 0;
        c->wait_next = NULL;
        serve(c, HTTP_FEED_OK);
        c = next;
    }
    int n = 0;
    for (c = p->waiting; c != NULL; c = c->wait_next) {
        n++;
    }
    return n;
}

uint64_t conn_pool_defer(struct conn_pool *p)
{
    p->current->later = ++p->later_serial;
    return p->current->later;
}

int conn_pool_answer(struct conn_pool *p, uint64_t ticket,
                     int (*write)(void *arg, struct outbuf *out,
                                  enum response_conn mode),
                     void *arg)
{
    struct conn *c = p->live;
    while (c != NULL && c->later != ticket) {
        c = c->next;
    }
    if (c == NULL) {
        return -1; /* closed meanwhile */
    }
    c->later = 0;
    if (write(arg, &c->out, c->later_mode) < 0 ||
        c->later_mode == RESPONSE_CLOSE) {
        c->close_after_write = 1;
    } else {
        c->held = 1; /* frame the requests that waited, once it is out */
    }
    serve(c, HTTP_FEED_OK);
    return 0;
}

void conn_pool_close_waiting(struct conn_pool *p)
{
    while (p->waiting != NULL) {
        conn_close(p->waiting); /* unlinks it */
    }
}

void conn_pool_close_all(struct conn_pool *p)
{
    while (p->live != NULL) {
        conn_close(p->live);
    }
    while (p->spare != NULL) {
        struct conn *c = p->spare;
        list_remove(&p->spare, c);
        conn_free(c);
    }
    p->n_spare = 0;
}
