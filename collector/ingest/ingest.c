/*
 * ingest.c: see ingest.h. The UDP path takes up to INGEST_UDP_BATCH
 * datagrams per system call into buffers allocated once per worker; a
 * datagram is counted where it was read, on the worker that read it.
 */
#include "collector/ingest/ingest.h"

#include <errno.h>
#include <event2/event.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collector/ingest/ingest_line.h"
#include "collector/ingest/ingest_tcp.h"
#include "collector/server.h"
#include "collector/worker.h"

/* recvmmsg() calls at drain: what the socket held when it stopped. */
#define INGEST_UDP_FINAL_ROUNDS 1024

struct ingest_udp {
    struct ingest *in;
    int fd;
    struct event *ev;       /* readable */
    struct event *pause_ev; /* a light wake-up's pause is over */
};

struct ingest {
    struct worker *w;
    struct ingest_udp udp[CONFIG_MAX_ADDRS];
    int n_udp;
    struct ingest_tcp tcp;
    int tcp_open;
    struct mmsghdr msgs[INGEST_UDP_BATCH];
    struct iovec iov[INGEST_UDP_BATCH];
    char datagram[INGEST_UDP_BATCH][INGEST_MAX_MESSAGE];
    struct ingest_scratch scratch;
};

/* Reads and counts up to rounds batches; stops early once the socket is
 * empty. Returns the datagrams read. */
static int udp_read(struct ingest_udp *u, int rounds)
{
    struct ingest *in = u->in;
    int total = 0;

    for (int r = 0; r < rounds; r++) {
        int n = recvmmsg(u->fd, in->msgs, INGEST_UDP_BATCH, MSG_DONTWAIT,
                         NULL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return total; /* EAGAIN; an error (ICMP) is for a sender */
        }
        total += n;
        for (int i = 0; i < n; i++) {
            if (in->msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
                metrics_inc(
                    &in->w->metrics.hits[METRICS_E_syslog][METRICS_O_invalid]);
            } else {
                ingest_line(in->w, &in->scratch, in->datagram[i],
                            in->msgs[i].msg_len);
            }
        }
        if (n < INGEST_UDP_BATCH) {
            return total;
        }
    }
    return total;
}

/*
 * A wake-up that found less than a batch stops watching the socket for
 * INGEST_UDP_PAUSE_US: the lines that come meanwhile wait in the receive
 * buffer and are read together, instead of a wake-up each (a web server
 * sends one datagram per request). A line counts that much later; the
 * first one after a quiet spell is read at once.
 */
static void on_udp_read(evutil_socket_t fd, short what, void *arg)
{
    struct ingest_udp *u = arg;
    static const struct timeval pause = {0, INGEST_UDP_PAUSE_US};
    (void)fd;
    (void)what;
    if (udp_read(u, INGEST_UDP_ROUNDS) < INGEST_UDP_BATCH &&
        event_add(u->pause_ev, &pause) == 0) {
        event_del(u->ev);
    }
}

static void on_udp_pause_end(evutil_socket_t fd, short what, void *arg)
{
    struct ingest_udp *u = arg;
    (void)fd;
    (void)what;
    /* Level-triggered: what arrived meanwhile is read on the next turn. */
    event_add(u->ev, NULL);
}

static int udp_open(const struct config_addr *a, char *err, size_t errlen)
{
    int one = 1;
    int rcvbuf = INGEST_UDP_RCVBUF;
    int fd = socket(a->sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0);
    if (fd < 0) {
        snprintf(err, errlen, "ingest_syslog udp %s: socket: %s", a->text,
                 strerror(errno));
        return -1;
    }
    /* SO_RCVBUFFORCE passes rmem_max when we may; a smaller buffer only
     * drops earlier, so neither failing is fatal. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
                   sizeof(rcvbuf)) < 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    }
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
        (a->sa.ss_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)) {
        snprintf(err, errlen, "ingest_syslog udp %s: setsockopt: %s", a->text,
                 strerror(errno));
        close(fd);
        return -1;
    }
    if (bind(fd, (const struct sockaddr *)&a->sa, a->salen) < 0) {
        snprintf(err, errlen, "ingest_syslog udp %s: bind: %s", a->text,
                 strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

struct ingest *ingest_create(struct worker *w, char *err, size_t errlen)
{
    const struct config *cfg = w->srv->cfg;
    struct ingest *in = calloc(1, sizeof(*in));

    if (in == NULL) {
        snprintf(err, errlen, "ingest_syslog: out of memory");
        return NULL;
    }
    in->w = w;
    for (int i = 0; i < INGEST_UDP_BATCH; i++) {
        in->iov[i] = (struct iovec){in->datagram[i], sizeof(in->datagram[i])};
        in->msgs[i].msg_hdr = (struct msghdr){
            .msg_iov = &in->iov[i],
            .msg_iovlen = 1,
        };
    }
    for (int i = 0; i < cfg->ingest_syslog.n; i++) {
        struct ingest_udp *u = &in->udp[i];
        u->in = in;
        u->fd = udp_open(&cfg->ingest_syslog.addr[i], err, errlen);
        if (u->fd < 0) {
            goto err;
        }
        in->n_udp++;
        u->ev = event_new(w->base, u->fd, EV_READ | EV_PERSIST, on_udp_read,
                          u);
        u->pause_ev = evtimer_new(w->base, on_udp_pause_end, u);
        if (u->ev == NULL || u->pause_ev == NULL ||
            event_add(u->ev, NULL) < 0) {
            snprintf(err, errlen, "ingest_syslog: out of memory");
            goto err;
        }
    }
    if (cfg->ingest_syslog_tcp) {
        in->tcp_open = 1;
        if (ingest_tcp_open(&in->tcp, w, &in->scratch,
                            &w->srv->ingest_streams, &cfg->ingest_syslog, err,
                            errlen) < 0) {
            goto err;
        }
    }
    return in;
err:
    ingest_destroy(in);
    return NULL;
}

static void close_all(struct ingest *in, int take_pending)
{
    for (int i = 0; i < in->n_udp; i++) {
        struct ingest_udp *u = &in->udp[i];
        if (take_pending) {
            udp_read(u, INGEST_UDP_FINAL_ROUNDS);
        }
        if (u->ev != NULL) {
            event_free(u->ev);
        }
        if (u->pause_ev != NULL) {
            event_free(u->pause_ev);
        }
        close(u->fd);
    }
    in->n_udp = 0;
    if (in->tcp_open) {
        ingest_tcp_close(&in->tcp, take_pending);
        in->tcp_open = 0;
    }
}

uint64_t ingest_receive_drops(const struct ingest *in)
{
    uint64_t total = 0;

    for (int i = 0; in != NULL && i < in->n_udp; i++) {
        uint32_t mem[SK_MEMINFO_VARS];
        socklen_t len = sizeof(mem);
        if (getsockopt(in->udp[i].fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 &&
            len > SK_MEMINFO_DROPS * sizeof(uint32_t)) {
            total += mem[SK_MEMINFO_DROPS];
        }
    }
    return total;
}

void ingest_stop(struct ingest *in)
{
    close_all(in, 1);
}

void ingest_destroy(struct ingest *in)
{
    if (in == NULL) {
        return;
    }
    close_all(in, 0);
    free(in);
}
