/*
 * ingest_tcp.c: see ingest_tcp.h. A stream is long-lived (a relay keeps
 * one open), so each has its own buffer, allocated when it is accepted;
 * nothing is allocated per message.
 */
#include "collector/ingest/ingest_tcp.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector/http/listener.h"
#include "collector/ingest/ingest_line.h"
#include "collector/worker.h"
#include "common/log.h"
#include "proto/syslog.h"

/* Reads of a stream at drain (of up to INGEST_TCP_BUFFER bytes each), to
 * take what it has already sent; a sender that keeps sending is cut. */
#define INGEST_TCP_FINAL_READS 1024

struct ingest_stream {
    struct ingest_stream *next, **pprev;
    struct ingest_tcp *t;
    int fd;
    struct event *ev;
    size_t len; /* bytes in buf, the start of a frame first */
    char buf[INGEST_TCP_BUFFER];
};

static void stream_close(struct ingest_stream *s)
{
    struct ingest_tcp *t = s->t;
    struct metrics_worker *m = &t->w->metrics;

    *s->pprev = s->next;
    if (s->next != NULL) {
        s->next->pprev = s->pprev;
    }
    event_free(s->ev);
    close(s->fd);
    free(s);
    atomic_fetch_sub_explicit(t->open, 1, memory_order_relaxed);
    metrics_set(&m->syslog_tcp_connections,
                metrics_get(&m->syslog_tcp_connections) - 1);
}

/* Counts every whole frame in the buffer and keeps the rest. Returns 0,
 * or -1 when the stream broke the framing. */
static int stream_frames(struct ingest_stream *s)
{
    size_t off = 0;
    int k;
    struct span frame;

    while ((k = syslog_frame(s->buf + off, s->len - off, INGEST_MAX_MESSAGE,
                             &frame)) > 0) {
        if (frame.len > 0) { /* not the LF some relays put between frames */
            ingest_line(s->t->w, s->t->scratch, frame.p, frame.len);
        }
        off += (size_t)k;
    }
    memmove(s->buf, s->buf + off, s->len - off);
    s->len -= off;
    /* A frame is at most INGEST_MAX_MESSAGE and a short count: a full
     * buffer cannot be waiting for the rest of one. */
    return k < 0 || s->len == sizeof(s->buf) ? -1 : 0;
}

/* One read. Returns 1 when more may follow, 0 when the stream is done
 * (closed here), -1 when nothing is there yet. */
static int stream_read(struct ingest_stream *s)
{
    struct metrics_worker *m = &s->t->w->metrics;
    ssize_t n = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);

    if (n > 0) {
        s->len += (size_t)n;
        if (stream_frames(s) == 0) {
            return 1;
        }
        metrics_inc(&m->syslog_tcp_framing_errors_total);
        log_warn("syslog tcp: a stream broke RFC 6587 framing; closed");
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return -1;
    } else if (s->len > 0) {
        /* The sender stopped within a message. */
        metrics_inc(&m->hits[METRICS_E_syslog][METRICS_O_invalid]);
    }
    stream_close(s);
    return 0;
}

static void on_stream_read(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    stream_read(arg);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *sa, int salen, void *arg)
{
    struct ingest_tcp *t = arg;
    struct metrics_worker *m = &t->w->metrics;
    struct ingest_stream *s = NULL;
    int one = 1;
    (void)l;
    (void)sa;
    (void)salen;

    if (atomic_fetch_add_explicit(t->open, 1, memory_order_relaxed) >=
        INGEST_TCP_MAX_STREAMS) {
        /* Counted, not logged: a flood would fill the log. */
        metrics_inc(&m->syslog_tcp_rejected_total);
        goto refuse;
    }
    s = malloc(sizeof(*s));
    if (s == NULL) {
        log_error("syslog tcp: out of memory; a new stream is closed");
        goto refuse;
    }
    s->t = t;
    s->fd = fd;
    s->len = 0;
    s->ev = event_new(t->w->base, fd, EV_READ | EV_PERSIST, on_stream_read, s);
    if (s->ev == NULL || event_add(s->ev, NULL) < 0) {
        log_error("syslog tcp: cannot watch a new stream; closed");
        if (s->ev != NULL) {
            event_free(s->ev);
        }
        free(s);
        goto refuse;
    }
    /* A relay's host that vanished leaves no FIN: keepalive finds it. */
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    s->next = t->streams;
    s->pprev = &t->streams;
    if (s->next != NULL) {
        s->next->pprev = &s->next;
    }
    t->streams = s;
    metrics_inc(&m->syslog_tcp_connections);
    return;
refuse:
    atomic_fetch_sub_explicit(t->open, 1, memory_order_relaxed);
    close(fd);
}

int ingest_tcp_open(struct ingest_tcp *t, struct worker *w,
                    struct ingest_scratch *scratch, _Atomic int *open,
                    const struct config_addr_list *addrs, char *err,
                    size_t errlen)
{
    char why[256];

    memset(t, 0, sizeof(*t));
    t->w = w;
    t->scratch = scratch;
    t->open = open;
    for (int i = 0; i < addrs->n; i++) {
        int fd = listener_open(&addrs->addr[i], 1, why, sizeof(why));
        if (fd < 0) {
            snprintf(err, errlen, "ingest_syslog tcp %s", why);
            return -1;
        }
        t->listeners[i] = evconnlistener_new(
            w->base, on_accept, t, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
            -1, fd);
        if (t->listeners[i] == NULL) {
            close(fd);
            snprintf(err, errlen, "ingest_syslog tcp %s: out of memory",
                     addrs->addr[i].text);
            return -1;
        }
        t->n_listeners++;
    }
    return 0;
}

/* Drain: connections the kernel completed that we have not accepted yet
 * hold lines their senders saw acknowledged; take them too. */
static void accept_queued(struct ingest_tcp *t, struct evconnlistener *l)
{
    int lfd = evconnlistener_get_fd(l);

    for (int i = 0; i < INGEST_TCP_MAX_STREAMS; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        int fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            return;
        }
        on_accept(l, fd, (struct sockaddr *)&ss, (int)sl, t);
    }
}

void ingest_tcp_close(struct ingest_tcp *t, int take_pending)
{
    for (int i = 0; i < t->n_listeners; i++) {
        if (take_pending) {
            accept_queued(t, t->listeners[i]);
        }
        evconnlistener_free(t->listeners[i]);
    }
    t->n_listeners = 0;
    while (t->streams != NULL) {
        struct ingest_stream *s = t->streams;
        int rc = 1;
        for (int i = 0; take_pending && rc == 1 && i < INGEST_TCP_FINAL_READS;
             i++) {
            rc = stream_read(s);
        }
        if (rc != 0) { /* still open */
            if (take_pending && s->len > 0) {
                /* A message the drain cut, as when the sender stops. */
                metrics_inc(&t->w->metrics.hits[METRICS_E_syslog]
                                               [METRICS_O_invalid]);
            }
            stream_close(s);
        }
    }
}
